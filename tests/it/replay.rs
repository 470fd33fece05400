//! The scheduler, trigger, grouping, suppression and alerts of rule replay,
//! against windows and alerts computed by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{
    DateTime, Engine, ReplayOptions, ReplayProgress, ReplayReport, ResultSink, Rule, RuleSummary,
    check_rules, load_rules, replay, replay_with_progress, rule_from_yaml,
};
use std::path::Path;

/// alice fails twice at 10:20 and 10:40, bob once at 11:10, alice again
/// at 13:30; carol succeeds at 12:05.
const EVENTS: &str = r#"{"TimeGenerated":"2024-01-01T10:20:00Z","User":"alice","IP":"10.0.0.1","Result":"fail"}
{"TimeGenerated":"2024-01-01T10:40:00Z","User":"alice","IP":"10.0.0.1","Result":"fail"}
{"TimeGenerated":"2024-01-01T11:10:00Z","User":"bob","IP":"10.0.0.2","Result":"fail"}
{"TimeGenerated":"2024-01-01T13:30:00Z","User":"alice","IP":"10.0.0.1","Result":"fail"}
{"TimeGenerated":"2024-01-01T12:05:00Z","User":"carol","IP":"10.0.0.3","Result":"ok"}
"#;

fn engine() -> Engine {
    let mut e = Engine::new();
    e.add_bytes("Events", "events.jsonl", EVENTS.as_bytes().to_vec())
        .unwrap();
    e
}

/// A rule over failures by user and IP, with `extra` lines appended.
fn rule(name: &str, extra: &str) -> Rule {
    let text = format!(
        "id: {name}-id\nname: {name}\nseverity: High\nkind: Scheduled\n\
         queryFrequency: 1h\nqueryPeriod: 2h\ntriggerOperator: gt\ntriggerThreshold: 0\n\
         tactics:\n  - CredentialAccess\nrelevantTechniques:\n  - T1110\n\
         query: |\n  Events\n  | where Result == \"fail\"\n  | summarize Failures = count() by User, IP\n\
         entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: User\n\
         \x20 - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: IP\n\
         customDetails:\n  FailureCount: Failures\n{extra}"
    );
    rule_from_yaml(&text, Path::new(&format!("{name}.yaml"))).unwrap()
}

fn t(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

fn run(rules: &[Rule], options: &ReplayOptions) -> ReplayReport {
    replay(&engine(), rules, options).unwrap()
}

fn ticks(report: &ReplayReport, rule: &str) -> Vec<String> {
    report
        .alerts
        .iter()
        .filter(|a| a.rule_name == rule)
        .map(|a| format!("{} {}", &a.window.end.to_string()[11..16], a.display_name))
        .collect()
}

#[test]
fn alert_per_result_over_overlapping_lookbacks() {
    let r = rule(
        "PerResult",
        "eventGroupingSettings:\n  aggregationKind: AlertPerResult\n\
         alertDetailsOverride:\n  alertDisplayNameFormat: Failures for {{User}} from {{IP}}\n",
    );
    let report = run(std::slice::from_ref(&r), &ReplayOptions::default());
    // First event 10:20 → first tick 11:00; last event 13:30 stays in the
    // 2h lookback until the tick before 15:30. Windows (t-2h, t]:
    // 11:00 e1 e2 | 12:00 e1 e2 e3 | 13:00 e3 | 14:00 e4 | 15:00 e4.
    assert_eq!(
        ticks(&report, "PerResult"),
        [
            "11:00 Failures for alice from 10.0.0.1",
            "12:00 Failures for alice from 10.0.0.1",
            "12:00 Failures for bob from 10.0.0.2",
            "13:00 Failures for bob from 10.0.0.2",
            "14:00 Failures for alice from 10.0.0.1",
            "15:00 Failures for alice from 10.0.0.1",
        ]
    );
    assert_eq!(
        report.summaries[0],
        RuleSummary {
            rule_id: "PerResult-id".into(),
            name: "PerResult".into(),
            severity: "High".into(),
            tactics: vec!["CredentialAccess".into()],
            windows_run: 5,
            windows_fired: 5,
            windows_suppressed: 0,
            alerts: 6,
            // (alice, 2), (bob, 1), (alice, 1)
            distinct_results: 3,
            first_alert: Some(t("2024-01-01T11:00:00Z")),
            last_alert: Some(t("2024-01-01T15:00:00Z")),
            error: None,
        }
    );
    let first = &report.alerts[0];
    assert_eq!(first.window.start, t("2024-01-01T09:00:00Z"));
    assert_eq!(
        first.entities.to_string(),
        r#"[{"$id":"2","FullName":"alice","Type":"account"},{"$id":"3","Address":"10.0.0.1","Type":"ip"}]"#
    );
    assert_eq!(
        first.custom_details,
        [("FailureCount".to_string(), vec!["2".to_string()])]
    );
}

#[test]
fn single_alert_with_a_threshold() {
    // Fires only when more than one row: the 12:00 window (alice and bob).
    let r = rule("Single", "").clone();
    let r = Rule {
        trigger_threshold: 1,
        ..r
    };
    let report = run(std::slice::from_ref(&r), &ReplayOptions::default());
    assert_eq!(ticks(&report, "Single"), ["12:00 Single"]);
    let a = &report.alerts[0];
    assert_eq!(a.results, 2);
    assert_eq!(
        a.entities.to_string(),
        r#"[{"$id":"2","FullName":"alice","Type":"account"},{"$id":"3","Address":"10.0.0.1","Type":"ip"},{"$id":"4","FullName":"bob","Type":"account"},{"$id":"5","Address":"10.0.0.2","Type":"ip"}]"#
    );
    assert_eq!(
        a.custom_details,
        [(
            "FailureCount".to_string(),
            vec!["2".to_string(), "1".to_string()]
        )]
    );
    let s = &report.summaries[0];
    assert_eq!((s.windows_run, s.windows_fired, s.alerts), (5, 1, 1));
}

#[test]
fn suppression_skips_the_ticks_after_an_alert() {
    let r = rule(
        "Suppressed",
        "suppressionEnabled: true\nsuppressionDuration: PT2H\n",
    );
    let report = run(std::slice::from_ref(&r), &ReplayOptions::default());
    // 11:00 fires → suppressed until 13:00 (12:00 skipped); 13:00 fires →
    // until 15:00 (14:00 skipped); 15:00 fires.
    assert_eq!(
        ticks(&report, "Suppressed"),
        ["11:00 Suppressed", "13:00 Suppressed", "15:00 Suppressed"]
    );
    let s = &report.summaries[0];
    assert_eq!(
        (
            s.windows_run,
            s.windows_fired,
            s.windows_suppressed,
            s.alerts
        ),
        (3, 3, 2, 3)
    );
}

#[test]
fn now_is_pinned_at_each_tick() {
    let text = "name: Recent\nqueryFrequency: 1h\nqueryPeriod: 2h\n\
                query: Events | where TimeGenerated > ago(30m)\n";
    let r = rule_from_yaml(text, Path::new("recent.yaml")).unwrap();
    let report = run(std::slice::from_ref(&r), &ReplayOptions::default());
    // Only 11:00 has an event less than 30 minutes old (10:40); 13:30 is
    // exactly 30 minutes before 14:00, not after.
    assert_eq!(ticks(&report, "Recent"), ["11:00 Recent"]);
}

#[test]
fn a_less_than_trigger_over_a_given_range() {
    let text = "name: NoCarolFailures\nqueryFrequency: 1h\nqueryPeriod: 1h\n\
                triggerOperator: lt\ntriggerThreshold: 1\n\
                query: Events | where User == 'carol'\n";
    let r = rule_from_yaml(text, Path::new("carol.yaml")).unwrap();
    let options = ReplayOptions {
        from: Some(t("2024-01-01T11:00:00Z")),
        to: Some(t("2024-01-01T14:00:00Z")),
    };
    let report = run(std::slice::from_ref(&r), &options);
    // Carol's event at 12:05 is in (12:00, 13:00]: that window does not fire.
    assert_eq!(
        ticks(&report, "NoCarolFailures"),
        [
            "11:00 NoCarolFailures",
            "12:00 NoCarolFailures",
            "14:00 NoCarolFailures"
        ]
    );
}

#[test]
fn an_nrt_rule_runs_on_each_minute_with_events() {
    let text = "name: NrtAlice\nkind: NRT\nquery: |\n  Events\n  | where User == 'alice'\n";
    let r = rule_from_yaml(text, Path::new("nrt.yaml")).unwrap();
    let report = run(std::slice::from_ref(&r), &ReplayOptions::default());
    assert_eq!(
        ticks(&report, "NrtAlice"),
        ["10:20 NrtAlice", "10:40 NrtAlice", "13:30 NrtAlice"]
    );
    let s = &report.summaries[0];
    // Minutes with events: 10:20, 10:40, 11:10 (bob), 12:05 (carol), 13:30.
    assert_eq!((s.windows_run, s.windows_fired, s.alerts), (5, 3, 3));
    assert_eq!(report.alerts[0].window.start, t("2024-01-01T10:19:00Z"));
}

#[test]
fn a_broken_rule_is_reported_and_the_others_run() {
    let bad = rule_from_yaml(
        "name: Bad\nqueryFrequency: 1h\nqueryPeriod: 1h\nquery: Events | where Nope == 1\n",
        Path::new("bad.yaml"),
    )
    .unwrap();
    let good = rule("Good", "");
    let report = run(&[bad, good], &ReplayOptions::default());
    assert!(
        report.summaries[0]
            .error
            .as_deref()
            .unwrap()
            .contains("Nope")
    );
    assert_eq!(report.summaries[1].alerts, 5);
}

/// Writes `report`'s alerts as JSON lines.
fn alerts_jsonl(report: &ReplayReport, rules: &[Rule]) -> Vec<u8> {
    let (schema, rows) = report.alert_rows(rules);
    let mut out = JsonLinesWriter::new(Vec::new());
    out.begin_table(0, &schema).unwrap();
    for row in rows {
        let _ = out.row(row).unwrap();
    }
    out.end_table().unwrap();
    out.into_inner()
}

#[test]
fn alerts_are_security_alert_rows_a_query_can_read() {
    let rules = [rule("Single", ""), rule("Other", "")];
    let report = run(&rules, &ReplayOptions::default());
    let bytes = alerts_jsonl(&report, &rules);
    let first: serde_json::Value =
        serde_json::from_str(std::str::from_utf8(&bytes).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first["AlertName"], "Single");
    assert_eq!(first["AlertSeverity"], "High");
    assert_eq!(first["ProviderName"], "ASI Scheduled Alerts");
    assert_eq!(first["AlertType"], "Single-id");
    assert_eq!(first["StartTime"], "2024-01-01T09:00:00.0000000Z");
    assert_eq!(first["EndTime"], "2024-01-01T11:00:00.0000000Z");
    assert_eq!(first["Tactics"], "CredentialAccess");
    assert_eq!(first["Techniques"], r#"["T1110"]"#);
    let props: serde_json::Value =
        serde_json::from_str(first["ExtendedProperties"].as_str().unwrap()).unwrap();
    assert_eq!(props["Custom Details"], r#"{"FailureCount":["2"]}"#);
    assert_eq!(props["Query Period"], "PT2H");
    assert_eq!(props["Trigger Operator"], "GreaterThan");

    let mut e = Engine::new();
    e.add_bytes("SecurityAlert", "alerts.jsonl", bytes).unwrap();
    let q = e
        .compile("SecurityAlert | summarize count() by AlertName | order by AlertName asc")
        .unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&e, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out.into_inner()).unwrap(),
        "{\"AlertName\":\"Other\",\"count_\":5}\n{\"AlertName\":\"Single\",\"count_\":5}\n"
    );
}

#[test]
fn check_locates_errors_in_the_rule_file() {
    let text = "name: Broken\nqueryFrequency: 1h\nqueryPeriod: 1h\nquery: |\n  Events\n  | where Nope == 1\n";
    let r = rule_from_yaml(text, Path::new("broken.yaml")).unwrap();
    let issues = check_rules(&engine(), &[r]);
    assert_eq!(issues.len(), 1);
    // `Nope` is on the query's line 2, file line 6, column 11.
    assert_eq!((issues[0].line, issues[0].column), (6, 11));
    assert!(
        issues[0]
            .to_string()
            .starts_with("broken.yaml:6:11: Broken: ")
    );

    let mut r = rule("Mapped", "");
    r.entity_mappings[1].fields[0].1 = "SourceIP".into();
    let issues = check_rules(&engine(), &[r]);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].line, 17);
    assert!(
        issues[0].message.contains("'SourceIP'"),
        "{}",
        issues[0].message
    );

    assert!(check_rules(&engine(), &[rule("Fine", "")]).is_empty());
}

#[test]
fn a_folder_loads_every_rule_and_reports_the_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "name: A\nqueryFrequency: 1h\nqueryPeriod: 1h\nquery: Events\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        "name: B\nqueryFrequency: 1h\nqueryPeriod: soon\nquery: Events\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.test.yaml"), "not a rule").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let (rules, errors) = load_rules(&[dir.path()]);
    assert_eq!(rules.len(), 1);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 3);
    assert_eq!(errors[0].field.as_deref(), Some("queryPeriod"));
}

#[test]
fn a_query_over_every_column_sees_every_column() {
    // Windows only hold the columns a rule names, unless it may use others:
    // `pack_all()` sees IP though the query does not name it.
    let text = "name: Packed\nqueryFrequency: 1h\nqueryPeriod: 2h\n\
                query: Events | extend b = pack_all() | where tostring(b) has '10.0.0.2'\n";
    let r = rule_from_yaml(text, Path::new("packed.yaml")).unwrap();
    let report = run(std::slice::from_ref(&r), &ReplayOptions::default());
    assert_eq!(ticks(&report, "Packed"), ["12:00 Packed", "13:00 Packed"]);
}

/// What a replay told its progress: the phases, the windows announced and
/// the windows done.
#[derive(Default)]
struct Seen {
    phases: std::sync::Mutex<Vec<String>>,
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
}

impl ReplayProgress for Seen {
    fn phase(&self, what: &str) {
        self.phases.lock().unwrap().push(what.to_string());
    }
    fn start(&self, windows: u64) {
        self.total
            .fetch_add(windows, std::sync::atomic::Ordering::SeqCst);
    }
    fn advance(&self, windows: u64) {
        self.done
            .fetch_add(windows, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn progress_counts_every_window_of_every_rule() {
    use std::sync::atomic::Ordering::SeqCst;
    // Ticks 11:00..15:00 (5 windows) for each scheduled rule, one of them
    // suppressed after its first alert; the hunting query has none.
    let rules = [
        rule("A", ""),
        rule("B", "suppressionEnabled: true\nsuppressionDuration: 3h\n"),
        rule_from_yaml(
            "id: h\nname: Hunt\nquery: Events | take 1\n",
            Path::new("h.yaml"),
        )
        .unwrap(),
    ];
    let seen = Seen::default();
    let report = replay_with_progress(&engine(), &rules, &ReplayOptions::default(), &seen).unwrap();
    assert_eq!(seen.total.load(SeqCst), 10);
    assert_eq!(seen.done.load(SeqCst), 10);
    let b = &report.summaries[1];
    assert_eq!(b.windows_run + b.windows_suppressed, 5, "{b:?}");
    assert!(b.windows_suppressed > 0, "{b:?}");
    assert_eq!(
        *seen.phases.lock().unwrap(),
        ["reading Events", "applying the rules' conditions"]
    );
    // The same alerts as without progress.
    assert_eq!(
        report.alerts.len(),
        replay(&engine(), &rules, &ReplayOptions::default())
            .unwrap()
            .alerts
            .len()
    );
}

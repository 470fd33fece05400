//! Fast replay (each table read once, per-rule prefiltered rows, windows
//! sliced from them) against the plain per-window path: each window
//! replayed on its own over an engine whose tables hold only that
//! window's rows, freshly limited. Both must make the same alerts, byte
//! for byte.

use kqlite::{DateTime, Engine, ReplayOptions, Rule, Table, replay, rule_from_yaml, windows};
use std::path::Path;

/// 300 sign-in-like events over ten hours (details as a JSON string) and
/// 60 grants, from a fixed pseudo-random stream.
fn data() -> (String, String) {
    let mut x: u64 = 12345;
    let mut next = |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let users = ["alice", "bob", "carol", "dave", "eve"];
    let actions = ["login", "login", "login", "delete", "read", "noop"];
    let mut events = String::new();
    for i in 0..300u64 {
        let minute = i * 2 + next(2);
        let (h, m) = (10 + minute / 60, minute % 60);
        let user = users[next(5) as usize];
        let action = actions[next(6) as usize];
        let result = if next(3) == 0 { "fail" } else { "ok" };
        // Every 50th event has the same time as the one before it.
        let second = if i % 50 == 0 { 0 } else { next(60) };
        events.push_str(&format!(
            "{{\"TimeGenerated\":\"2024-01-01T{h:02}:{m:02}:{second:02}Z\",\"User\":\"{user}\",\
             \"Action\":\"{action}\",\"IP\":\"10.0.0.{}\",\
             \"Details\":\"{{\\\"result\\\":\\\"{result}\\\",\\\"n\\\":{}}}\"}}\n",
            next(4),
            next(100)
        ));
    }
    let mut grants = String::new();
    for i in 0..60u64 {
        let minute = i * 10 + next(10);
        let (h, m) = (10 + minute / 60, minute % 60);
        let op = if next(2) == 0 { "grant" } else { "revoke" };
        grants.push_str(&format!(
            "{{\"TimeGenerated\":\"2024-01-01T{h:02}:{m:02}:30Z\",\"Caller\":\"{}\",\"Op\":\"{op}\"}}\n",
            users[next(5) as usize]
        ));
    }
    (events, grants)
}

fn rule(name: &str, schedule: &str, query: &str, extra: &str) -> Rule {
    let query: String = query.lines().map(|l| format!("  {l}\n")).collect();
    let text = format!(
        "id: {name}-id\nname: {name}\nseverity: Medium\n{schedule}\n\
         triggerOperator: gt\ntriggerThreshold: 0\nquery: |\n{query}{extra}"
    );
    rule_from_yaml(&text, Path::new(&format!("{name}.yaml"))).unwrap()
}

const HOURLY_3H: &str = "kind: Scheduled\nqueryFrequency: 1h\nqueryPeriod: 3h";
const PER_RESULT: &str = "eventGroupingSettings:\n  aggregationKind: AlertPerResult\n\
     entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: User\n";

fn rules() -> Vec<Rule> {
    vec![
        // Overlapping lookbacks; the filters behind an `extend` of JSON.
        rule(
            "failures",
            HOURLY_3H,
            "Events\n| where Action == \"login\"\n| extend d = parse_json(Details)\n\
             | where d.result == \"fail\"\n| summarize Failures = count() by User\n| where Failures > 1",
            PER_RESULT,
        ),
        // NRT: every minute with events.
        rule(
            "deletes",
            "kind: NRT",
            "Events\n| where Action == \"delete\"\n| project TimeGenerated, User, IP",
            PER_RESULT,
        ),
        // Two tables, one through a subquery (`in`), one through a join.
        rule(
            "granted-then-failed",
            "kind: Scheduled\nqueryFrequency: 30m\nqueryPeriod: 2h",
            "let granted = Grants | where Op == \"grant\" | project User = Caller;\n\
             Events\n| where User in (granted)\n| where Action != \"noop\"\n\
             | summarize Events = count() by User\n\
             | join kind=inner (Grants | summarize Grants = count() by User = Caller) on User",
            PER_RESULT,
        ),
        // now() and ago() in the filters: they must not be applied once.
        rule(
            "recent",
            HOURLY_3H,
            "Events\n| where TimeGenerated > ago(40m)\n| extend Age = now() - TimeGenerated\n\
             | where Age < 25m and Action == \"read\"\n| project User, Age",
            PER_RESULT,
        ),
        // ingestion_time() (always null offline) beside a plain filter.
        rule(
            "ingestion",
            HOURLY_3H,
            "Events\n| extend Ingested = ingestion_time()\n| where isnull(Ingested) and Action == \"noop\"\n\
             | summarize n = count() by User",
            "",
        ),
        // A count with no `by` gives a row in every window, empty or not.
        rule(
            "count-rare",
            "kind: Scheduled\nqueryFrequency: 1h\nqueryPeriod: 1h",
            "Events\n| where Action == \"never\"\n| summarize n = count()",
            "",
        ),
        // No filter at all; every column.
        rule(
            "everything",
            "kind: Scheduled\nqueryFrequency: 2h\nqueryPeriod: 4h",
            "Events\n| take 1000\n| summarize Rows = count(), Users = dcount(User)",
            "",
        ),
        // An extended `int` (normalised on the way out) filtered on.
        rule(
            "extended-int",
            HOURLY_3H,
            "Events\n| extend n = toint(parse_json(Details).n)\n| where n > 90\n| project User, n",
            PER_RESULT,
        ),
    ]
}

fn engine(events: &str, grants: &str) -> Engine {
    let mut e = Engine::new();
    e.add_bytes("Events", "events.jsonl", events.as_bytes().to_vec())
        .unwrap();
    e.add_bytes("Grants", "grants.jsonl", grants.as_bytes().to_vec())
        .unwrap();
    e
}

fn alert_lines(engine: &Engine, rules: &[Rule], options: &ReplayOptions) -> Vec<String> {
    let report = replay(engine, rules, options).unwrap();
    for s in &report.summaries {
        assert_eq!(s.error, None, "{}", s.name);
    }
    let (schema, rows) = report.alert_rows(rules);
    let table = Table::from_rows(schema, rows).unwrap();
    table
        .iter()
        .map(|row| format!("{:?}", row.values()))
        .collect()
}

/// `name`'s rows in (start, end], as a table.
fn limited(engine: &Engine, name: &str, start: DateTime, end: DateTime) -> Table {
    let q = format!(
        "{name} | where TimeGenerated > datetime({start}) and TimeGenerated <= datetime({end})"
    );
    engine.compile(&q).unwrap().collect(engine).unwrap()
}

#[test]
fn fast_replay_makes_the_alerts_of_the_per_window_path() {
    let (events, grants) = data();
    let whole = engine(&events, &grants);
    let from = DateTime::parse("2024-01-01T10:00:00Z").unwrap();
    let to = DateTime::parse("2024-01-01T23:00:00Z").unwrap();
    let options = ReplayOptions {
        from: Some(from),
        to: Some(to),
    };
    let mut fired = 0;
    for rule in rules() {
        let rules = std::slice::from_ref(&rule);
        let fast = alert_lines(&whole, rules, &options);
        let (Some(frequency), Some(period)) = (rule.query_frequency, rule.query_period) else {
            panic!("{} has no schedule", rule.name);
        };
        let mut slow = Vec::new();
        for w in windows(frequency, period, None, Some(from), Some(to)) {
            let mut limited_engine = Engine::new();
            for table in ["Events", "Grants"] {
                limited_engine
                    .add_table(table, limited(&whole, table, w.start, w.end))
                    .unwrap();
            }
            let one = ReplayOptions {
                from: Some(w.end),
                to: Some(w.end),
            };
            slow.extend(alert_lines(&limited_engine, rules, &one));
        }
        assert_eq!(fast.len(), slow.len(), "{}: number of alerts", rule.name);
        for (f, s) in fast.iter().zip(&slow) {
            assert_eq!(f, s, "{}", rule.name);
        }
        fired += usize::from(!fast.is_empty());
    }
    // The comparison means something only if most rules fire.
    assert!(fired >= 6, "only {fired} rules fired");
}

/// The JSON path cache the windows share: a path is read from a text once,
/// then given back; another text, even with the same content, is read on
/// its own.
#[test]
fn json_paths_are_read_once_per_text() {
    use kqlite::internals::json::PathCache;
    use kqlite::internals::json::doc::{Doc, PathStep};
    use kqlite::internals::value::{Str, Value};
    use std::borrow::Cow;
    let cache = PathCache::default();
    let path = [PathStep::Key("user".into()), PathStep::Key("name".into())];
    let text = Str::new(r#"{"user":{"name":"alice"},"verb":"get"}"#);
    let walk = |t: &Str| Doc::new(Cow::Borrowed(t.as_bytes())).walk(&path);
    let mut walks = 0;
    for _ in 0..3 {
        let v = cache.get_or(&text, &path, || {
            walks += 1;
            walk(&text)
        });
        assert_eq!(v, Value::string("alice"));
    }
    assert_eq!(walks, 1);
    let verb = [PathStep::Key("verb".into())];
    let v = cache.get_or(&text, &verb, || {
        Doc::new(Cow::Borrowed(text.as_bytes())).walk(&verb)
    });
    assert_eq!(v, Value::string("get"));
    let other = Str::new(r#"{"user":{"name":"alice"},"verb":"get"}"#);
    let mut walked = false;
    cache.get_or(&other, &path, || {
        walked = true;
        walk(&other)
    });
    assert!(walked, "another text is read on its own");
}

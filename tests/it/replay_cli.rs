//! `kqlite replay` and `kqlite check` over the example rules folder and
//! the bundled sample logs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::cli::kqlite;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn the_example_rules_fire_on_the_samples() {
    let o = kqlite(&[
        "replay",
        "examples/rules",
        "--logs",
        "examples/data",
        "--format",
        "jsonl",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {}",
                v["TimeGenerated"].as_str().unwrap(),
                v["AlertName"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "2018-10-26T13:26:00.0000000Z ClusterRoleBinding some-reader-binding created by minikube-user",
            "2018-10-26T14:27:00.0000000Z ClusterRoleBinding some-reader-binding created by minikube-user",
            "2024-11-04T10:04:00.0000000Z ClusterRoleBinding  created by bob@contoso.com",
            "2024-11-04T10:05:00.0000000Z ClusterRoleBinding  created by ",
            "2024-11-04T10:06:00.0000000Z ClusterRoleBinding  created by carol@contoso.com",
            // bob's three assignments at 12:04-12:06 are in the 2h lookback of
            // the 13:00 and the 14:00 runs: the service alerts twice too.
            "2024-11-04T13:00:00.0000000Z 3 role assignments by bob@contoso.com",
            "2024-11-04T14:00:00.0000000Z 3 role assignments by bob@contoso.com",
        ]
    );
    assert!(stderr(&o).contains("2 rules replayed, 2 fired, 7 alerts"));
    // Standard error is no terminal here: no progress bar.
    assert!(!stderr(&o).contains("windows"), "{}", stderr(&o));
}

#[test]
fn the_summary_table_and_csv() {
    let o = kqlite(&[
        "replay",
        "examples/rules",
        "--logs",
        "examples/data",
        "--format",
        "table",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Burst of role assignments by one caller"));
    let o = kqlite(&[
        "replay",
        "examples/rules/role-assignment-burst.yaml",
        "--table",
        "AzureActivity=examples/data/AzureActivity",
        "--from",
        "2024-11-04T12:00:00Z",
        "--to",
        "2024-11-04T13:30:00Z",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Ticks 12:00 and 13:00: only 13:00 sees bob's assignments.
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn check_passes_the_examples_and_locates_errors() {
    let o = kqlite(&["check", "examples/rules"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "name: Bad\nqueryFrequency: 1h\nqueryPeriod: 1h\nquery: |\n  AzureActivity\n  | where Colour == 1\n",
    )
    .unwrap();
    let o = kqlite(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with(&format!("{}:6:11: Bad: ", bad.display())),
        "{}",
        stdout(&o)
    );
    let o = kqlite(&["check", "--format", "github", bad.to_str().unwrap()]);
    assert!(stdout(&o).starts_with(&format!(
        "::error file={},line=6,col=11,title=Bad::",
        bad.display()
    )));
}

#[test]
fn a_malformed_rule_is_exit_2_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "examples/rules/role-assignment-burst.yaml",
        dir.path().join("good.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "name: Bad\nqueryFrequency: hourly\nquery: T\n",
    )
    .unwrap();
    let o = kqlite(&[
        "replay",
        dir.path().to_str().unwrap(),
        "--logs",
        "examples/data",
        "--format",
        "jsonl",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.yaml:2: queryFrequency: 'hourly' is not a duration"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn the_example_rule_tests_pass() {
    let o = kqlite(&["test", "examples/rules"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with("3 passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    let o = kqlite(&["test", "examples/rules", "--junit"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).ends_with("3 passed, 0 failed\n"),
        "{}",
        stderr(&o)
    );
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains("tests=\"3\" failures=\"0\" errors=\"0\""),
        "{xml}"
    );
}

#[test]
fn a_rule_test_fails_when_an_expected_alert_is_missing_and_bless_shows_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "examples/rules/role-assignment-burst.yaml",
        dir.path().join("rule.yaml"),
    )
    .unwrap();
    let row = |t: &str| {
        format!(
            "    - {{TimeGenerated: \"{t}\", Caller: alice@contoso.com, CallerIpAddress: 203.0.113.1, OperationNameValue: Microsoft.Authorization/roleAssignments/write}}\n"
        )
    };
    let test = |rows: &str| {
        format!(
            "rule: rule.yaml\ninputs:\n  AzureActivity:\n{rows}now: 2024-11-04T13:00:00Z\nexpect:\n  fires: true\n  alerts: 1\n  entities: [alice@contoso.com]\n"
        )
    };
    let file = dir.path().join("burst.test.yaml");
    let two = format!(
        "{}{}",
        row("2024-11-04T12:01:00Z"),
        row("2024-11-04T12:02:00Z")
    );
    std::fs::write(&file, test(&two)).unwrap();
    let o = kqlite(&["test", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // One assignment only: no burst, the expected alert is missing.
    std::fs::write(&file, test(&row("2024-11-04T12:01:00Z"))).unwrap();
    let o = kqlite(&["test", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("expected the rule to fire, it did not"),
        "{out}"
    );
    assert!(out.contains("expected 1 alerts, got 0"), "{out}");
    assert!(
        out.contains("expected an alert entity 'alice@contoso.com', none has it"),
        "{out}"
    );
    let o = kqlite(&["test", file.to_str().unwrap(), "--junit"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = stdout(&o);
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"expected 1 alerts, got 0\"/>"),
        "{xml}"
    );

    let o = kqlite(&["test", "--bless", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("observed\nexpect:\n  fires: false\n  alerts: 0\n"),
        "{}",
        stdout(&o)
    );
    // The library gives the whole blessed file; with it the test passes.
    let text = std::fs::read_to_string(&file).unwrap();
    let observed = kqlite::Observed {
        fires: false,
        alerts: 0,
        entities: Vec::new(),
    };
    std::fs::write(&file, kqlite::bless_rule_test(&text, &observed)).unwrap();
    let o = kqlite(&["test", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

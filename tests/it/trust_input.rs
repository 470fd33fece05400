//! Issue 12 (input side): no silent nulls. Values that do not convert are
//! counted on stderr per file and column (an error under `--strict`);
//! locale dates are read in the order their file settles or
//! `--date-order` names.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::cli::{kqlite, text};

const D: &str = "tests/data/formats/exports-locale";

#[test]
fn a_value_that_does_not_convert_is_a_warning_with_file_and_line() {
    let table = format!("SecurityEvent={D}/bad-values.csv");
    let o = kqlite(&[
        "--table",
        &table,
        "SecurityEvent | project TimeGenerated, EventID",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("warning: 1 value of column TimeGenerated in tests/data/formats/exports-locale/bad-values.csv did not convert to datetime and was read as null (first at line 3: \"tomorrow\")"),
        "{err}"
    );
    assert!(err.contains("column EventID"), "{err}");
}

#[test]
fn strict_makes_a_failed_conversion_an_error() {
    let table = format!("SecurityEvent={D}/bad-values.csv");
    let o = kqlite(&[
        "--strict",
        "--table",
        &table,
        "SecurityEvent | project TimeGenerated",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("bad-values.csv:3:"), "{err}");
    assert!(err.contains("\"tomorrow\""), "{err}");
}

#[test]
fn the_issue_repro_reads_a_day_first_portal_date() {
    let dir = std::env::temp_dir().join(format!("kqlite-trust-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("d.csv");
    std::fs::write(
        &file,
        "TimeGenerated [UTC],Computer\n\"26/03/2026, 15:18:18.790\",x\n",
    )
    .unwrap();
    let table = format!("SecurityEvent={}", file.display());
    let o = kqlite(&["--table", &table, "SecurityEvent | project TimeGenerated"]);
    assert_eq!(
        text(&o.stdout),
        "{\"TimeGenerated\":\"2026-03-26T15:18:18.7900000Z\"}\n"
    );
    assert_eq!(text(&o.stderr), "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ambiguous_dates_are_month_first_with_a_warning_unless_date_order_says() {
    let table = format!("SecurityEvent={D}/ambiguous.csv");
    let q = "SecurityEvent | take 1 | project TimeGenerated";
    let o = kqlite(&["--table", &table, q]);
    assert_eq!(
        text(&o.stdout),
        "{\"TimeGenerated\":\"2026-03-04T15:18:18.7900000Z\"}\n"
    );
    assert!(
        text(&o.stderr).contains("read month-first") && text(&o.stderr).contains("--date-order"),
        "{}",
        text(&o.stderr)
    );
    let o = kqlite(&["--date-order", "dmy", "--table", &table, q]);
    assert_eq!(
        text(&o.stdout),
        "{\"TimeGenerated\":\"2026-04-03T15:18:18.7900000Z\"}\n"
    );
    assert_eq!(text(&o.stderr), "");
    let o = kqlite(&["--date-order", "ymd", "--table", &table, q]);
    assert_ne!(o.status.code(), Some(0));
}

#[test]
fn a_value_past_the_schema_sample_that_does_not_fit_is_counted() {
    // Integers fill the sample, so `n` is long; a real after it is counted.
    let dir = std::env::temp_dir().join(format!("kqlite-trust-sample-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("n.jsonl");
    let mut body = String::new();
    while body.len() < (4 << 20) + 100 {
        body.push_str("{\"n\":1}\n");
    }
    body.push_str("{\"n\":1.5}\n");
    std::fs::write(&file, body).unwrap();
    let table = format!("T={}", file.display());
    let o = kqlite(&["--table", &table, "T | summarize c = countif(isnull(n))"]);
    assert_eq!(text(&o.stdout), "{\"c\":1}\n");
    assert!(
        text(&o.stderr).contains("1 value of column n") && text(&o.stderr).contains("1.5"),
        "{}",
        text(&o.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_in_a_table_folder_that_are_not_logs_are_skipped_with_a_note() {
    let dir = std::env::temp_dir().join(format!("kqlite-trust-folder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("README.md"),
        "# Sample logs\n\nExported from the portal.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("schema.json"),
        "{\"kind\": 0, \"properties\": {}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("rows.jsonl"),
        "{\"TimeGenerated\":\"2026-03-26T15:18:18Z\",\"Computer\":\"a\"}\n",
    )
    .unwrap();
    let table = format!("SecurityEvent={}", dir.display());
    let o = kqlite(&["--table", &table, "SecurityEvent | count"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "{\"Count\":1}\n");
    let err = text(&o.stderr);
    assert!(
        err.contains("note: skipped") && err.contains("README.md"),
        "{err}"
    );
    assert!(err.contains("schema.json"), "{err}");
    // Named on its own, a file that is not a log is still an error.
    let readme = format!("SecurityEvent={}", dir.join("README.md").display());
    let o = kqlite(&["--table", &readme, "SecurityEvent | count"]);
    assert_eq!(o.status.code(), Some(1));
    // A file whose rows share no column with the table's schema: a note.
    let other = dir.join("other.jsonl");
    std::fs::write(&other, "{\"foo\":1}\n{\"foo\":2}\n").unwrap();
    let t = format!("SecurityEvent={}", other.display());
    let o = kqlite(&["--table", &t, "SecurityEvent | count"]);
    assert!(
        text(&o.stderr).contains("none of SecurityEvent's columns"),
        "{}",
        text(&o.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `body` as `name` in a fresh folder: the folder (delete it when
/// done) and the file's path.
fn temp_file(name: &str, body: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, body).unwrap();
    let path = path.display().to_string();
    (dir, path)
}

/// Runs `query` with `file` bound to `table`: exit code, stdout, stderr.
fn run_on(table: &str, file: &str, query: &str, strict: bool) -> (Option<i32>, String, String) {
    let binding = format!("{table}={file}");
    let mut args = vec!["--table", &binding, query];
    if strict {
        args.insert(0, "--strict");
    }
    let o = kqlite(&args);
    (o.status.code(), text(&o.stdout), text(&o.stderr))
}

/// Asserts one counted conversion of `column` in `file`, first at `line`
/// with the text `value`, and that `--strict` makes it an error naming
/// `file:line`.
fn assert_counted(table: &str, file: &str, query: &str, column: &str, line: usize, value: &str) {
    let (code, _, err) = run_on(table, file, query, false);
    assert_eq!(code, Some(0), "{err}");
    let head = format!("warning: 1 value of column {column} in {file} did not convert");
    assert!(err.contains(&head), "{err}");
    assert!(
        err.contains(&format!("(first at line {line}: ")) && err.contains(value),
        "{err}"
    );
    let (code, _, err) = run_on(table, file, query, true);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("{file}:{line}:")) && err.contains(value),
        "{err}"
    );
}

/// Issue 12, mapped formats: a raw Kubernetes audit event whose times do
/// not parse has a null `TimeGenerated`, counted like a JSON row's value.
#[test]
fn a_raw_audit_event_time_that_does_not_convert_is_counted() {
    let good = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api","verb":"get","user":{"username":"u"},"requestReceivedTimestamp":"2024-01-02T03:04:05.000000Z","stageTimestamp":"2024-01-02T03:04:05.100000Z"}"#;
    let bad = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a2","stage":"ResponseComplete","requestURI":"/api","verb":"create","user":{"username":"u"},"requestReceivedTimestamp":"half past nine","stageTimestamp":"later"}"#;
    let (_dir, file) = temp_file("audit.log", &format!("{good}\n{good}\n{bad}\n"));
    for table in ["AKSAudit", "AzureDiagnostics"] {
        let q = format!("{table} | summarize c = countif(isnull(TimeGenerated))");
        assert_eq!(run_on(table, &file, &q, false).1, "{\"c\":1}\n");
        assert_counted(table, &file, &q, "TimeGenerated", 3, "half past nine");
    }
    // A typed column of the event itself.
    let q = "AKSAudit | summarize c = countif(isnull(StageReceivedTime))";
    assert_counted("AKSAudit", &file, q, "StageReceivedTime", 3, "later");
}

/// Issue 12, mapped formats: Azure diagnostic records in an Event Hub
/// `{"records":[…]}` document, as `AzureDiagnostics` and `AKSControlPlane`
/// rows.
#[test]
fn a_diagnostic_record_value_that_does_not_convert_is_counted() {
    let rid =
        "/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C";
    let doc = format!(
        "{{\"records\": [\n  {{\"time\": \"2024-01-02T03:04:05Z\", \"category\": \"kube-apiserver\", \"resourceId\": \"{rid}\", \"operationName\": \"x\", \"properties\": {{\"log\": \"I0102 ok\", \"pod\": \"p\"}}}},\n  {{\"time\": \"not yet\", \"category\": \"kube-apiserver\", \"resourceId\": \"{rid}\", \"operationName\": \"x\", \"properties\": {{\"log\": \"I0102 ok\", \"pod\": \"p\"}}}}\n]}}\n"
    );
    let (_dir, file) = temp_file("body.json", &doc);
    for table in ["AzureDiagnostics", "AKSControlPlane"] {
        let q = format!("{table} | summarize c = countif(isnull(TimeGenerated))");
        assert_eq!(run_on(table, &file, &q, false).1, "{\"c\":1}\n");
        assert_counted(table, &file, &q, "TimeGenerated", 3, "not yet");
    }
    // A property column typed by the other records (`latency_d`).
    let lines = "{\"time\": \"2024-01-02T03:04:05Z\", \"category\": \"AuditEvent\", \"resourceId\": \"/X/MICROSOFT.KEYVAULT/V\", \"operationName\": \"x\", \"properties\": {\"latency\": 12}}\n{\"time\": \"2024-01-02T03:04:06Z\", \"category\": \"AuditEvent\", \"resourceId\": \"/X/MICROSOFT.KEYVAULT/V\", \"operationName\": \"x\", \"properties\": {\"latency\": \"slow\"}}\n";
    let (_dir2, file) = temp_file("PT1H.json", lines);
    let q = "AzureDiagnostics | summarize c = countif(isnull(latency_d))";
    assert_eq!(run_on("AzureDiagnostics", &file, q, false).1, "{\"c\":1}\n");
    assert_counted("AzureDiagnostics", &file, q, "latency_d", 2, "slow");
}

/// Issue 12, mapped formats: the Activity Log, as a list (`az monitor
/// activity-log list`) and as diagnostic records.
#[test]
fn an_activity_log_value_that_does_not_convert_is_counted() {
    let list = "[\n  {\"eventTimestamp\": \"2024-01-02T03:04:05Z\", \"operationName\": {\"value\": \"Microsoft.X/y/write\", \"localizedValue\": \"Write y\"}, \"resourceId\": \"/subscriptions/s/resourceGroups/g/providers/Microsoft.X/y/z\", \"category\": {\"value\": \"Administrative\"}},\n  {\"eventTimestamp\": \"whenever\", \"operationName\": {\"value\": \"Microsoft.X/y/write\", \"localizedValue\": \"Write y\"}, \"resourceId\": \"/subscriptions/s/resourceGroups/g/providers/Microsoft.X/y/z\", \"category\": {\"value\": \"Administrative\"}}\n]\n";
    let (_dir, file) = temp_file("activity.json", list);
    let q = "AzureActivity | summarize c = countif(isnull(TimeGenerated))";
    assert_eq!(run_on("AzureActivity", &file, q, false).1, "{\"c\":1}\n");
    assert_counted("AzureActivity", &file, q, "TimeGenerated", 3, "whenever");
    let records = "{\"records\": [{\"time\": \"2024-01-02T03:04:05Z\", \"category\": \"Administrative\", \"resourceId\": \"/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.X/Y/Z\", \"operationName\": \"MICROSOFT.X/Y/WRITE\"}]}\n{\"records\": [{\"time\": \"never\", \"category\": \"Administrative\", \"resourceId\": \"/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.X/Y/Z\", \"operationName\": \"MICROSOFT.X/Y/WRITE\"}]}\n";
    let (_dir2, file) = temp_file("records.json", records);
    assert_eq!(run_on("AzureActivity", &file, q, false).1, "{\"c\":1}\n");
    assert_counted("AzureActivity", &file, q, "TimeGenerated", 2, "never");
}

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

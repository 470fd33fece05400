//! The command-line contract (issue 2): options, output formats and exit
//! codes, as other tools rely on them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::cli::kqlite;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kqlite_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may refuse its arguments and exit before reading standard
    // input; the write then fails with a broken pipe, which is not the test's
    // business (it made `standard_input_cannot_hold_both_…` flaky under load).
    if let Err(e) = child.stdin.take().unwrap().write_all(input) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const DIAG: &str = "AzureDiagnostics=examples/data/AzureDiagnostics";

#[test]
fn jsonl_is_the_default_off_a_terminal_with_keys_in_column_order() {
    let o = kqlite(&[
        "--table",
        DIAG,
        "AzureDiagnostics | take 1 | project Category, TimeGenerated, n = 1, r = 1.5, b = true, t = 1h",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = stdout(&o);
    assert!(line.starts_with("{\"Category\":\""), "{line}");
    assert!(
        line.contains("\"n\":1,\"r\":1.5,\"b\":true,\"t\":\"01:00:00\"}"),
        "{line}"
    );
}

#[test]
fn datetimes_print_with_seven_fraction_digits() {
    let o = kqlite(&["print t = datetime(2024-11-15 21:00:00.154534959)"]);
    assert_eq!(stdout(&o), "{\"t\":\"2024-11-15T21:00:00.1545349Z\"}\n");
}

#[test]
fn nan_and_infinities_are_strings_and_guids_lower_case() {
    let o = kqlite(&[
        "print a = real(nan), b = real(+inf), c = real(-inf), g = guid(8E3AF657-A8FF-443C-A75C-2FE8C4BCB635)",
    ]);
    assert_eq!(
        stdout(&o),
        "{\"a\":\"NaN\",\"b\":\"Infinity\",\"c\":\"-Infinity\",\"g\":\"8e3af657-a8ff-443c-a75c-2fe8c4bcb635\"}\n"
    );
}

#[test]
fn csv_and_table_formats() {
    let o = kqlite(&["--format", "csv", "print a = 1, b = 'x,y'"]);
    assert_eq!(stdout(&o), "a,b\n1,\"x,y\"\n");
    let o = kqlite(&["--format", "table", "print a = 1"]);
    assert!(stdout(&o).contains("(1 row)"), "{}", stdout(&o));
}

#[test]
fn several_statements_write_each_table_in_turn() {
    let o = kqlite(&["print a = 1; print b = 2"]);
    assert_eq!(
        stdout(&o),
        "{\"a\":1}\n{\"$table\":1,\"$columns\":[\"b\"]}\n{\"b\":2}\n"
    );
}

#[test]
fn parse_only_reads_nothing_and_exits_zero_or_two() {
    let o = kqlite(&[
        "--parse-only",
        "--table",
        "T=does/not/exist.jsonl",
        "T | where x == 1",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = kqlite(&["--parse-only", "T | where x = = 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-->"), "{}", stderr(&o));
}

#[test]
fn query_errors_exit_two_with_a_caret_before_reading_data() {
    let o = kqlite(&["--table", DIAG, "AzureDiagnostics | where Categroy == 'x'"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("Failed to resolve scalar expression named 'Categroy'"),
        "{e}"
    );
    assert!(e.contains("^^^^^^^^"), "{e}");
    assert!(e.contains("did you mean `Category`?"), "{e}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn unknown_table_is_named() {
    let o = kqlite(&["NoSuchTable | take 1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'NoSuchTable'"), "{}", stderr(&o));
}

#[test]
fn not_supported_yet_exits_two_and_names_the_operator() {
    let o = kqlite(&["print x = 1 | evaluate autocluster()"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("autocluster"), "{}", stderr(&o));
}

#[test]
fn builtin_table_without_input_is_empty() {
    let o = kqlite(&["AzureActivity | count"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"Count\":0}\n");
}

#[test]
fn missing_input_file_exits_one_naming_it() {
    let o = kqlite(&["--table", "T=no/such/file.jsonl", "T | take 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such/file.jsonl"), "{}", stderr(&o));
}

#[test]
fn stdin_table_and_bad_lines_reported_with_file_and_line() {
    let input = b"{\"a\":1}\nnot json\n{\"a\":2}\n[1,2]\n";
    let o = kqlite_stdin(
        &["--table", "T=-", "T | summarize n = count(), s = sum(a)"],
        input,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"n\":2,\"s\":3}\n");
    let e = stderr(&o);
    assert!(e.contains("skipped 2 input lines"), "{e}");
    assert!(e.contains("<stdin>:2:"), "{e}");
    assert!(e.contains("<stdin>:4:"), "{e}");
}

#[test]
fn strict_makes_a_bad_line_fatal() {
    let o = kqlite_stdin(
        &["--strict", "--table", "T=-", "T | count"],
        b"{\"a\":1}\n{oops\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("<stdin>:2"), "{}", stderr(&o));
}

#[test]
fn query_file_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("q.kql");
    std::fs::write(
        &q,
        "AzureDiagnostics\n| where Category == \"kube-audit\"\n| take 3",
    )
    .unwrap();
    let o = kqlite(&["--explain", "--query-file", q.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan = stdout(&o);
    assert!(
        plan.contains("Limit 3") && plan.contains("Filter Category@3 == \"kube-audit\""),
        "{plan}"
    );
}

#[test]
fn reader_going_away_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(["range x from 1 to 2000000 step 1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn query_file_dash_reads_the_query_from_standard_input() {
    let o = kqlite_stdin(
        &["--table", DIAG, "--query-file", "-", "--format", "jsonl"],
        b"AzureDiagnostics\n| where Category == \"kube-apiserver\"\n| count\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"Count\":3}\n");
}

#[test]
fn a_query_error_from_standard_input_is_located_in_stdin() {
    let o = kqlite_stdin(&["--query-file", "-"], b"print x = 1\n| where y > 0\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--> stdin:2:"), "{}", stderr(&o));
}

#[test]
fn standard_input_cannot_hold_both_the_query_and_a_table() {
    let o = kqlite_stdin(&["--table", "T=-", "--query-file", "-"], b"T | count\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("standard input cannot hold both"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

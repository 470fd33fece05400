//! Output a program can trust, and notes when the answer is probably not
//! what was meant (issue 12; terminal safety and limits, issue 16 items 11
//! and 12).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn kqlite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

// ---------------------------------------------------------------------------
// Interrupted runs

/// Ctrl-C during a long aggregation: no empty table, no bare CSV header.
#[test]
fn an_interrupted_run_prints_nothing_that_looks_like_a_result() {
    for format in ["table", "csv", "jsonl"] {
        let child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
            .args([
                "--format",
                format,
                "range x from 1 to 10000000000 step 1 | summarize count() by x % 7",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1200));
        // SAFETY: sends a signal to a process we started.
        assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(130), "{format}: {}", stderr(&o));
        assert_eq!(stderr(&o), "interrupted\n", "{format}");
        assert_eq!(stdout(&o), "", "{format}: printed as if it were an answer");
    }
}

// ---------------------------------------------------------------------------
// Several result tables

#[test]
fn several_tables_in_csv_are_a_blank_line_and_a_header_apart() {
    let o = kqlite(&["--format", "csv", "print a = 1; print b = '2', c = 3"]);
    assert_eq!(stdout(&o), "a\n1\n\nb,c\n2,3\n");
    // An empty table keeps its header, and the separator stays blank (an
    // empty one-column cell is `""`, never a blank line).
    let o = kqlite(&[
        "--format",
        "csv",
        "print a = 1 | where a > 1; print b = ''; print c = 3",
    ]);
    assert_eq!(stdout(&o), "a\n\nb\n\"\"\n\nc\n3\n");
}

#[test]
fn several_tables_in_jsonl_have_a_boundary_line() {
    let o = kqlite(&["print a = 1; print b = '2'; range x from 1 to 2 step 1"]);
    assert_eq!(
        stdout(&o),
        "{\"a\":1}\n{\"$table\":1,\"$columns\":[\"b\"]}\n{\"b\":\"2\"}\n\
         {\"$table\":2,\"$columns\":[\"x\"]}\n{\"x\":1}\n{\"x\":2}\n"
    );
    // One table: rows only, as before.
    let o = kqlite(&["print a = 1"]);
    assert_eq!(stdout(&o), "{\"a\":1}\n");
}

#[test]
fn several_tables_in_table_format_each_end_with_their_count() {
    let o = kqlite(&["--format", "table", "print a = 1; print b = '2'"]);
    let out = stdout(&o);
    assert_eq!(out.matches("(1 row)").count(), 2, "{out}");
}

// ---------------------------------------------------------------------------
// The table format

/// Issue 16 item 11: a log value cannot send escape sequences to the
/// terminal; jsonl and csv keep the bytes exact.
#[test]
fn control_characters_are_escaped_in_the_table_format_only() {
    let q = "print v = strcat('a', make_string(27), '[31mred', make_string(0), make_string(13), 'b', make_string(155))";
    let o = kqlite(&["--format", "table", q]);
    let out = stdout(&o);
    assert!(
        out.contains("a\\u001b[31mred\\u0000\\u000db\\u009b"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}') && !out.contains('\0'), "{out:?}");
    let o = kqlite(&["--format", "jsonl", q]);
    assert_eq!(stdout(&o), "{\"v\":\"a\\u001b[31mred\\u0000\\rb\u{9b}\"}\n");
    let o = kqlite(&["--format", "csv", q]);
    assert_eq!(stdout(&o), "v\n\"a\u{1b}[31mred\0\rb\u{9b}\"\n");
}

/// The table format holds at most a block of rows: a long answer is
/// printed block by block, each aligned under its header, then the count.
#[test]
fn the_table_format_prints_long_answers_in_blocks() {
    let o = kqlite(&["--format", "table", "range x from 1 to 2500 step 1"]);
    let out = stdout(&o);
    assert_eq!(out.matches("│ x ").count(), 3, "three blocks");
    assert!(out.ends_with("(2500 rows)\n"), "{}", &out[out.len() - 40..]);
    let o = kqlite(&["--format", "table", "range x from 1 to 1000 step 1"]);
    assert_eq!(stdout(&o).matches("│ x ").count(), 1, "one block");
}

//! Output a program can trust, and notes when the answer is probably not
//! what was meant (issue 12; terminal safety and limits, issue 16 items 11
//! and 12).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::cli::kqlite;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

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

// ---------------------------------------------------------------------------
// Notes: the answer is probably not what was meant

const DIAG_DIR: &str = "examples/data/AzureDiagnostics";
const ADELE: &str =
    "tests/data/formats/real/log-analytics-exports/azure-sentinel/azureActivity_adele.csv";

#[test]
fn a_table_the_query_never_reads_gets_a_did_you_mean_note() {
    let o = kqlite(&[
        "--table",
        &format!("AzureDiagnostic={DIAG_DIR}"),
        "AzureDiagnostics | count",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "{\"Count\":0}\n",
        "stdout keeps the answer only"
    );
    let err = stderr(&o);
    assert!(
        err.contains(
            "note: table 'AzureDiagnostic' was given input but the query never reads it\n  = help: did you mean 'AzureDiagnostics'?\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("note: the query reads 'AzureDiagnostics', which was given no input"),
        "{err}"
    );
}

#[test]
fn a_table_without_input_gets_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let o = kqlite(&[
        "--table",
        &format!("T={}", dir.path().display()),
        "T | count",
    ]);
    assert_eq!(stdout(&o), "{\"Count\":0}\n");
    assert_eq!(
        stderr(&o),
        "note: the query reads 'T', whose input paths hold no file: it has no rows\n"
    );
    // No --table at all, over a built-in schema.
    let o = kqlite(&["SigninLogs | take 1"]);
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("note: the query reads 'SigninLogs', which was given no input")
            && stderr(&o).contains("--table SigninLogs=PATH"),
        "{}",
        stderr(&o)
    );
    // A table read and given input: no note.
    let o = kqlite(&[
        "--table",
        &format!("AzureDiagnostics={DIAG_DIR}"),
        "AzureDiagnostics | take 1",
    ]);
    assert_eq!(stderr(&o), "");
}

#[test]
fn an_empty_window_over_old_logs_names_the_newest_event_and_suggests_now() {
    let q = "AzureActivity | where TimeGenerated > ago(1d) | count";
    let table = format!("AzureActivity={ADELE}");
    let o = kqlite(&["--table", &table, q]);
    assert_eq!(stdout(&o), "{\"Count\":0}\n");
    let err = stderr(&o);
    assert!(
        err.contains("note: every row of 'AzureActivity' is older than ago(1d) (")
            && err.contains("its newest TimeGenerated is 2021-04-28T14:44:55.6150000Z\n")
            && err.contains("use --now latest (or --now 2021-04-28T14:44:55.6150000Z)"),
        "{err}"
    );
    // --now latest measures from the newest event, and says so.
    let o = kqlite(&["--now", "latest", "--table", &table, q]);
    assert_eq!(stdout(&o), "{\"Count\":23}\n");
    assert_eq!(
        stderr(&o),
        "note: now() is 2021-04-28T14:44:55.6150000Z, the newest TimeGenerated of the inputs (--now latest)\n"
    );
    // An answer that is not empty gets no note.
    let o = kqlite(&["--now", "2021-04-29", "--table", &table, q]);
    assert_eq!(stdout(&o), "{\"Count\":23}\n");
    assert_eq!(stderr(&o), "");
    // Nothing to pin to.
    let o = kqlite(&["--now", "latest", "print 1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no input row has a TimeGenerated"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn notes_are_there_for_embedders_too() {
    use kqlite::{Engine, NoteKind};
    let mut engine = Engine::new();
    engine
        .add_path(
            "AzureActivity",
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(ADELE),
        )
        .unwrap();
    let query = engine
        .compile("AzureActivty | where TimeGenerated > ago(7d)")
        .err()
        .map(|_| ());
    assert!(query.is_some(), "an unknown table is an error, not a note");
    let query = engine
        .compile("AzureActivity | where TimeGenerated > ago(7d)")
        .unwrap();
    assert!(query.notes().is_empty());
    let mut rows = Vec::new();
    let stats = query
        .for_each_row(&engine, |r| {
            rows.push(r);
            Ok(std::ops::ControlFlow::Continue(()))
        })
        .unwrap();
    assert!(rows.is_empty());
    assert_eq!(
        stats.notes.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [NoteKind::OutsideTimeWindow]
    );
    let pinned = engine.pin_now_to_newest_event().unwrap().unwrap();
    assert_eq!(pinned.to_string(), "2021-04-28T14:44:55.6150000Z");
    let query = engine.compile("AzureDiagnostics | count").unwrap();
    let kinds: Vec<NoteKind> = query.notes().iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [NoteKind::UnreadTable, NoteKind::TableWithoutInput]);
}

/// union-operator, `isfuzzy`: the union's sources are reduced to those that
/// resolve, and the others give a warning; the official analyzer tolerates
/// an unknown table or function in a fuzzy leg, not an unknown column of a
/// table that exists.
#[test]
fn a_fuzzy_union_leaves_out_legs_that_do_not_resolve_and_says_so() {
    let o = kqlite(&[
        "union isfuzzy=true (print a=1), (NoSuchTable | take 1), (_Im_Dns(starttime=ago(1d)) | where x == 1)",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"a\":1}\n");
    assert_eq!(
        stderr(&o),
        "note: 'union isfuzzy=true' left out a leg that does not resolve: Failed to resolve table or column expression named 'NoSuchTable'\n\
         note: 'union isfuzzy=true' left out a leg that does not resolve: The function '_Im_Dns' is not defined\n"
    );
    // Without isfuzzy, the unknown function is an error.
    let o = kqlite(&["union (print a=1), (_Im_Dns(starttime=ago(1d)))"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // An unknown column of a table that exists is not a resolution failure.
    let o = kqlite(&["union isfuzzy=true (print a=1), (print b=2 | where nosuch == 1)"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("'nosuch'"), "{}", stderr(&o));
    // Every leg failing is an error, as on the service.
    let o = kqlite(&["union isfuzzy=true (NoSuch1), (_Im_Dns())"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------
// Limits (issue 16 item 12)

#[test]
fn threads_are_capped_at_a_multiple_of_the_cores_and_it_is_said() {
    let o = kqlite(&["--threads", "100000", "range x from 1 to 3 step 1 | count"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"Count\":3}\n");
    let cap = kqlite::max_threads();
    assert_eq!(
        stderr(&o),
        format!("note: 100000 worker threads asked for; using {cap} (4 per core)\n")
    );
    let o = kqlite(&["--threads", "2", "print 1"]);
    assert_eq!(stderr(&o), "");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_reported_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    for target in [a.clone(), dir.path().to_path_buf()] {
        let o = kqlite(&["--table", &format!("T={}", target.display()), "T | count"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("symbolic link loop"), "{}", stderr(&o));
    }
    let dangling = dir.path().join("gone.jsonl");
    std::os::unix::fs::symlink(dir.path().join("nothing"), &dangling).unwrap();
    let o = kqlite(&["--table", &format!("T={}", dangling.display()), "T | count"]);
    assert!(
        stderr(&o).contains("broken symbolic link"),
        "{}",
        stderr(&o)
    );
}

/// docs/robustness.md: text nested deeper than parse_json's limit is not
/// JSON kqlite reads, so parse_json keeps it as a dynamic string, as the
/// KQL docs say for text that is not valid JSON (`parse-json-function`).
#[test]
fn parse_json_of_text_nested_too_deep_is_the_text() {
    let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
    let o = kqlite(&[&format!(
        "print d = parse_json('{deep}') | project t = gettype(d), same = tostring(d) == '{deep}'"
    )]);
    assert_eq!(stdout(&o), "{\"t\":\"string\",\"same\":true}\n");
    let ok = format!("{}{}", "[".repeat(500), "]".repeat(500));
    let o = kqlite(&[&format!(
        "print d = parse_json('{ok}') | project t = gettype(d)"
    )]);
    assert_eq!(stdout(&o), "{\"t\":\"array\"}\n");
}

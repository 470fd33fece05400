//! Malformed input, row by row (issue 7): every bad line is skipped,
//! counted and reported with its file, line number and a short reason;
//! every good line is kept; `--strict` stops at the first bad line. The
//! same answer comes out for any chunk size (cuts next to the bad lines)
//! and thread count, from a mapped file and from bytes in memory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};

use crate::common::column_a::{ColumnA, run_column_a};

/// One input: its bytes, the `a` of each good row in order, and the bad
/// lines (1-based line number, a word of the reason).
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    good: Vec<i64>,
    bad: Vec<(usize, &'static str)>,
}

fn engine(chunk_size: usize, threads: usize, strict: bool) -> Engine {
    Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size,
        strict,
        ..EngineOptions::default()
    })
}

/// Runs `T | project a` over the input, from a file or from memory.
fn run(
    case: &Case,
    path: &std::path::Path,
    from_file: bool,
    chunk_size: usize,
    threads: usize,
    strict: bool,
) -> Result<ColumnA, String> {
    let mut engine = engine(chunk_size, threads, strict);
    if from_file {
        engine.add_path("T", path).unwrap();
    } else {
        engine
            .add_bytes("T", &path.display().to_string(), case.bytes.clone())
            .unwrap();
    }
    run_column_a(
        &engine,
        "T | project a = tolong(column_ifexists('a', long(null)))",
    )
}

/// Chunk sizes that cut on, next to and between the lines of small inputs.
const CHUNKS: &[usize] = &[1, 2, 3, 5, 8, 13, 21, 64, 4096, 1 << 20];

fn check(case: Case) {
    check_with(case, CHUNKS)
}

fn check_with(case: Case, chunks: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{}.jsonl", case.name));
    std::fs::write(&path, &case.bytes).unwrap();
    let file = path.display().to_string();
    for from_file in [true, false] {
        for &chunk in chunks {
            for threads in [1, 2] {
                let label = format!(
                    "case {} from_file={from_file} chunk={chunk} threads={threads}",
                    case.name
                );
                let got = run(&case, &path, from_file, chunk, threads, false)
                    .unwrap_or_else(|e| panic!("{label}: {e}"));
                assert_eq!(got.a, case.good, "{label}: good rows");
                assert_eq!(got.rows_read, case.good.len() as u64, "{label}");
                assert_eq!(got.bad_lines, case.bad.len() as u64, "{label}: bad lines");
                assert_eq!(got.reports.len(), case.bad.len().min(10), "{label}");
                for ((f, line, reason), (want_line, want_word)) in got.reports.iter().zip(&case.bad)
                {
                    assert_eq!(f, &file, "{label}");
                    assert_eq!(line, want_line, "{label}: {reason}");
                    assert!(
                        reason.contains(want_word),
                        "{label}: line {line}: {reason:?} lacks {want_word:?}"
                    );
                    assert!(reason.len() < 100, "{label}: a long reason: {reason}");
                }
                // Strict: the first bad line (in file order) stops the run.
                let strict = run(&case, &path, from_file, chunk, threads, true);
                match case.bad.first() {
                    None => assert!(strict.is_ok(), "{label}: {strict:?}"),
                    Some((line, _)) => {
                        let e = strict.expect_err(&label);
                        assert!(e.contains(&format!("{file}:{line}:")), "{label}: {e}");
                        assert!(e.ends_with("(exit 1)"), "{label}: {e}");
                    }
                }
            }
        }
    }
}

/// Good line `{"a":n}`.
fn good(n: i64) -> String {
    format!("{{\"a\":{n}}}")
}

/// Lines joined by `\n`, with a final newline.
fn lines(ls: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in ls {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

#[test]
fn invalid_json() {
    check(Case {
        name: "invalid_json",
        bytes: lines(&[
            good(1).as_bytes(),
            b"{\"a\":",
            good(2).as_bytes(),
            b"{\"a\" 3}",
            b"{a:4}",
            b"{\"a\":5,}",
            b"{\"a\":6} {\"a\":6}",
            b"{\"a\":07}",
            b"{\"a\":\"\\x\"}",
            b"{\"a\":tru}",
            b"{\"a\":\"unterminated}",
            good(3).as_bytes(),
        ]),
        good: vec![1, 2, 3],
        bad: vec![
            (2, "unexpected end"),
            (4, "expected `:`"),
            (5, "expected a string key"),
            (6, "expected a string key"),
            (7, "trailing characters"),
            (8, "invalid number"),
            (9, "invalid escape"),
            (10, "invalid literal"),
            (11, "unterminated string"),
        ],
    });
}

#[test]
fn json_values_that_are_not_objects() {
    check(Case {
        name: "not_objects",
        bytes: lines(&[
            b"[1,2]",
            b"42",
            good(1).as_bytes(),
            b"\"a string\"",
            b"null",
            b"true",
            b"[]",
            b"[{\"a\":9}]",
            good(2).as_bytes(),
        ]),
        good: vec![1, 2],
        bad: vec![
            (1, "not a JSON object"),
            (2, "not a JSON object"),
            (4, "not a JSON object"),
            (5, "not a JSON object"),
            (6, "not a JSON object"),
            (7, "not a JSON object"),
            (8, "not a JSON object"),
        ],
    });
}

#[test]
fn invalid_utf8() {
    check(Case {
        name: "invalid_utf8",
        bytes: lines(&[
            b"{\"a\":1,\"s\":\"\xff\xfe\"}",
            b"{\"a\":2,\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
            b"{\"a\":3,\"\xc0\xaf\":1}",
            b"{\"a\":4,\"s\":\"\xed\xa0\x80\"}",
            b"{\"a\":5,\"s\":\"\xe2\x82\"}",
            b"\xff{\"a\":6}",
            b"{\"a\":7,\"s\":\"\\ud800\"}",
            good(8).as_bytes(),
        ]),
        // A lone surrogate written as an escape is valid JSON text (decoded
        // as U+FFFD, as serde_json's lossy mode and Kusto do).
        good: vec![2, 7, 8],
        bad: vec![
            (1, "UTF-8"),
            (3, "UTF-8"),
            (4, "UTF-8"),
            (5, "UTF-8"),
            (6, "not a JSON object"),
        ],
    });
}

#[test]
fn raw_control_bytes() {
    check(Case {
        name: "control_bytes",
        bytes: lines(&[
            b"{\"a\":1,\"s\":\"x\x01y\"}",
            b"{\"a\":2,\"s\":\"x\x7fy\"}",
            b"\x00{\"a\":3}",
            b"{\"a\":4}\x00",
            b"{\"a\":\x0b5}",
            b"{\"a\":6,\"s\":\"tab\there\"}",
            b"{\"a\":\t7 }",
            b"\x1b[31m{\"a\":8}",
            good(9).as_bytes(),
        ]),
        // DEL is allowed in a JSON string; tabs and spaces between tokens
        // are JSON whitespace.
        good: vec![2, 7, 9],
        bad: vec![
            (1, "control character"),
            (3, "not a JSON object"),
            (4, "trailing characters"),
            (5, "expected a JSON value"),
            (6, "control character"),
            (8, "not a JSON object"),
        ],
    });
}

#[test]
fn a_byte_order_mark_is_skipped_only_at_the_start() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(lines(&[
        good(1).as_bytes(),
        b"{oops",
        b"\xEF\xBB\xBF{\"a\":2}",
        good(3).as_bytes(),
    ]));
    check(Case {
        name: "bom",
        bytes,
        good: vec![1, 3],
        bad: vec![(2, "expected a string key"), (3, "not a JSON object")],
    });
}

#[test]
fn crlf_line_endings() {
    check(Case {
        name: "crlf",
        bytes: b"{\"a\":1}\r\n{\"a\":\r\n{\"a\":2}\r\n\r\n{\"a\":3}\r\r\n[4]\r\n{\"a\":5}".to_vec(),
        good: vec![1, 2, 3, 5],
        bad: vec![(2, "unexpected end"), (6, "not a JSON object")],
    });
}

#[test]
fn a_last_line_without_a_newline_is_read() {
    check(Case {
        name: "no_final_newline",
        bytes: b"{\"a\":1}\n{\"a\":2}".to_vec(),
        good: vec![1, 2],
        bad: vec![],
    });
    check(Case {
        name: "bad_final_line",
        bytes: b"{\"a\":1}\n{\"a\"".to_vec(),
        good: vec![1],
        bad: vec![(2, "unexpected end")],
    });
}

#[test]
fn empty_and_blank_lines_are_skipped_without_a_report() {
    check(Case {
        name: "blank",
        bytes: b"\n\n{\"a\":1}\n   \n\t\n{\"a\"\n\n\r\n\x0c\n{\"a\":2}\n\n".to_vec(),
        good: vec![1, 2],
        bad: vec![(6, "unexpected end")],
    });
    check(Case {
        name: "only_blank",
        bytes: b"\n\n  \n\r\n".to_vec(),
        good: vec![],
        bad: vec![],
    });
    check(Case {
        name: "empty",
        bytes: Vec::new(),
        good: vec![],
        bad: vec![],
    });
}

#[test]
fn more_bad_lines_than_are_reported_are_counted() {
    let mut ls: Vec<String> = Vec::new();
    let mut good_a = Vec::new();
    let mut bad = Vec::new();
    for i in 0..40 {
        if i % 3 == 0 {
            ls.push(good(i));
            good_a.push(i);
        } else {
            ls.push(format!("{{\"a\":{i}"));
            bad.push((ls.len(), "unexpected end"));
        }
    }
    let refs: Vec<&[u8]> = ls.iter().map(|l| l.as_bytes()).collect();
    check(Case {
        name: "many_bad",
        bytes: lines(&refs),
        good: good_a,
        bad,
    });
}

const MB: usize = 1 << 20;

#[test]
fn a_thirty_megabyte_line() {
    let big = "x".repeat(30 * MB);
    let line_ok = format!("{{\"a\":1,\"big\":\"{big}\"}}");
    let line_bad = format!("{{\"a\":2,\"big\":\"{big}");
    check_with(
        Case {
            name: "thirty_mb",
            bytes: lines(&[line_ok.as_bytes(), line_bad.as_bytes(), good(3).as_bytes()]),
            good: vec![1, 3],
            bad: vec![(2, "unterminated string")],
        },
        &[7, 1 << 20, 64 << 20],
    );
}

#[test]
fn a_thirty_megabyte_line_is_read_whole() {
    let big = "é".repeat(15 * MB);
    let bytes = lines(&[
        format!("{{\"a\":1,\"big\":\"{big}\"}}").as_bytes(),
        good(2).as_bytes(),
    ]);
    let mut engine = engine(64 << 10, 2, true);
    engine.add_bytes("T", "big.jsonl", bytes).unwrap();
    let q = engine
        .compile("T | project a, n = strlen(big), tail = substring(big, strlen(big) - 2)")
        .unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out.into_inner()).unwrap(),
        format!(
            "{{\"a\":1,\"n\":{},\"tail\":\"éé\"}}\n{{\"a\":2,\"n\":0,\"tail\":\"\"}}\n",
            15 * MB
        )
    );
}

fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn json_nested_a_hundred_thousand_deep() {
    let in_column = format!("{{\"a\":1,\"d\":{}}}", nested(100_000, "[", "]", "1"));
    let as_row = nested(100_000, "{\"a\":", "}", "1");
    let in_string = format!(
        "{{\"a\":3,\"s\":\"{}\"}}",
        nested(100_000, "{\\\"a\\\":[", "]}", "1")
    );
    // Deep, but within the validation limit: a good row.
    let medium = format!("{{\"a\":4,\"d\":{}}}", nested(5_000, "[", "]", "1"));
    check_with(
        Case {
            name: "deep",
            bytes: lines(&[
                in_column.as_bytes(),
                good(2).as_bytes(),
                as_row.as_bytes(),
                in_string.as_bytes(),
                medium.as_bytes(),
                good(5).as_bytes(),
            ]),
            good: vec![2, 3, 4, 5],
            bad: vec![(1, "nesting too deep"), (3, "nesting too deep")],
        },
        &[1, 64, 4096, 1 << 20],
    );
}

#[test]
fn deep_json_in_a_column_is_read_as_dynamic_without_overflowing() {
    // A string column holding deep JSON, and a dynamic column 5,000 deep:
    // parse_json gives up past its depth limit (the text, as a dynamic
    // string), never overflows.
    let text = nested(100_000, "{\\\"a\\\":[", "]}", "1");
    let medium = nested(5_000, "[", "]", "1");
    let bytes =
        format!("{{\"s\":\"{text}\",\"d\":{medium}}}\n{{\"s\":\"{{\\\"b\\\":1}}\",\"d\":[[1]]}}\n");
    let mut engine = engine(1 << 20, 2, true);
    engine
        .add_bytes("T", "deep.jsonl", bytes.into_bytes())
        .unwrap();
    let q = engine
        .compile(
            "T | extend p = parse_json(s) | project b = p.b, pa = isnull(p.a), \
             t = gettype(d), dd = tostring(d[0][0]), n = strlen(tostring(d))",
        )
        .unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    let text = String::from_utf8(out.into_inner()).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[1].starts_with("{\"b\":1,"), "{}", rows[1]);
}

/// The same inputs through the command line: rows on stdout, the report on
/// stderr (first 10 in full, then a count), exit 0; `--strict` exit 1.
#[test]
fn the_command_line_reports_bad_lines_and_keeps_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    let mut expected_bad = Vec::new();
    let bad_lines: [&[u8]; 8] = [
        b"{\"a\":",
        b"[1]",
        b"{\"a\":1,\"s\":\"\xff\"}",
        b"{\"a\":1,\"s\":\"\x01\"}",
        b"\x00",
        b"{\"a\":1} x",
        b"null",
        b"{\"a\":{\"a\":{\"a\":",
    ];
    let mut line = 0;
    for i in 0..30i64 {
        line += 1;
        bytes.extend(good(i).as_bytes());
        bytes.extend(b"\r\n");
        line += 1;
        bytes.extend(bad_lines[i as usize % bad_lines.len()]);
        bytes.push(b'\n');
        expected_bad.push(line);
        line += 1;
        bytes.extend(b"  \n");
    }
    bytes.extend(good(30).as_bytes()); // no final newline
    std::fs::write(&path, &bytes).unwrap();
    let file = path.display().to_string();
    let table = format!("T={file}");
    let mut first: Option<String> = None;
    for (chunk, threads) in [("7", "1"), ("7", "2"), ("100", "2"), ("1048576", "1")] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kqlite"))
            .args([
                "--chunk-size",
                chunk,
                "--threads",
                threads,
                "--table",
                &table,
            ])
            .arg("T | summarize n = count(), s = sum(a)")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert_eq!(String::from_utf8_lossy(&o.stdout), "{\"n\":31,\"s\":465}\n");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines[0],
            "warning: skipped 30 input lines that are not a row (not a JSON object row, or a malformed record):"
        );
        for (k, want) in expected_bad.iter().take(10).enumerate() {
            assert!(
                lines[k + 1].starts_with(&format!("  {file}:{want}: ")),
                "{}",
                lines[k + 1]
            );
        }
        assert_eq!(lines[11], "  ... and 20 more");
        assert_eq!(lines.len(), 12, "{err}");
        // The same report whatever the chunking.
        match &first {
            None => first = Some(err),
            Some(f) => assert_eq!(f, &err),
        }
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kqlite"))
            .args(["--strict", "--chunk-size", chunk, "--threads", threads])
            .args(["--table", &table, "T | count"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(&format!("{file}:2")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Issue 16 item 12: `parse_json` of text nested deeper than 512 levels is
/// that text, as a dynamic string, as docs/robustness.md says (and as the
/// KQL parse-json-function page gives for text it cannot read as JSON);
/// 512 levels parse.
#[test]
fn parse_json_deeper_than_512_is_the_text_as_a_string() {
    let run = |depth: usize| {
        let q = format!(
            "print p = parse_json(strcat(strrep('[', {depth}), strrep(']', {depth}))) \
             | project t = gettype(p), n = isnull(p), same = tostring(p) == strcat(strrep('[', {depth}), strrep(']', {depth}))"
        );
        let o = crate::common::cli::kqlite(&[&q]);
        assert_eq!(o.status.code(), Some(0));
        crate::common::cli::text(&o.stdout)
    };
    assert_eq!(run(512), "{\"t\":\"array\",\"n\":false,\"same\":true}\n");
    assert_eq!(run(513), "{\"t\":\"string\",\"n\":false,\"same\":true}\n");
    assert_eq!(
        run(100_000),
        "{\"t\":\"string\",\"n\":false,\"same\":true}\n"
    );
}

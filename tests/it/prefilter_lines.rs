//! The prefiltered line path (`JsonRowsDecoder::lines` with a scan's
//! needles) against the plain one: the same rows, and exactly the bad-line
//! reports it gives today, at the right file and line, whatever the chunk
//! cuts (on, next to and inside the needle's lines), the thread count, CRLF
//! line ends, blank and padded lines, and a last line without a newline.
//!
//! What the prefiltered path reports for a line it rejects unread: only a
//! line that is plainly not a JSON object (it does not start with `{` and
//! end with `}`); a line shaped like an object but malformed, that lacks a
//! needle, is never parsed and so never reported. This pins that down, so
//! that a faster search (a chunk-wide one) keeps it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::{Engine, EngineOptions};

use crate::common::column_a::run_column_a;

/// A prefilter on `kube-audit`: the top-level literal is a needle.
const PREFILTERED: &str =
    r#"T | where s == "kube-audit" | project a = tolong(column_ifexists('a', long(null)))"#;
/// The same filter through a computed value: no needle, every line read.
const PLAIN: &str = r#"T | where strcat(s, "") == "kube-audit" | project a = tolong(column_ifexists('a', long(null)))"#;

/// The input's lines, in order, with `\n` between them and none after the
/// last; `\r` ends are written in the lines themselves.
const LINES: &[&[u8]] = &[
    br#"{"a":1,"s":"kube-audit"}"#,
    br#"{"a":2,"s":"other"}"#,
    // 3: malformed, shaped like an object, holds the needle: read, reported.
    br#"{"a":3,"s":"kube-audit",}"#,
    // 4: malformed, shaped like an object, no needle: rejected unread.
    br#"{"a":4,"s":"other",}"#,
    // 5: not an object, no needle: reported by its shape.
    br#"[5,"other"]"#,
    // 6: not an object, with the needle: read, reported.
    br#"["kube-audit"]"#,
    b"",
    // 8: CRLF, the needle.
    b"{\"a\":8,\"s\":\"kube-audit\"}\r",
    // 9: padded with blanks, the needle.
    b"  {\"a\":9,\"s\":\"kube-audit\"}\t ",
    // 10: the needle spelled with a unicode escape: kept.
    br#"{"a":10,"s":"kube-\u0061udit"}"#,
    // 11: the needle elsewhere in the line but not the value: read, no row.
    br#"{"a":11,"s":"x","t":"kube-audit"}"#,
    // 12: not an object, CRLF, no needle.
    b"oops\r",
    b"   ",
    // 14: malformed object with an escape, no needle: read (it has `\u`),
    // reported.
    br#"{"a":14,"s":"\u0078",}"#,
    // 15: truncated object, no needle: it does not end with `}`, so it is
    // reported by its shape.
    br#"{"a":15,"s":"other""#,
    // 16: the last line, the needle, no newline after it.
    br#"{"a":16,"s":"kube-audit"}"#,
];

/// Rows the filter keeps.
const GOOD: &[i64] = &[1, 8, 9, 10, 16];
/// Lines the prefiltered path reports (1-based), with a word of the reason.
const BAD_PREFILTERED: &[(usize, &str)] = &[
    (3, "expected a string key"),
    (5, "not a JSON object"),
    (6, "not a JSON object"),
    (12, "not a JSON object"),
    (14, "expected a string key"),
    (15, "not a JSON object"),
];
/// Lines the plain path reports: also line 4, which the prefilter rejects
/// unread.
const BAD_PLAIN: &[(usize, &str)] = &[
    (3, "expected a string key"),
    (4, "expected a string key"),
    (5, "not a JSON object"),
    (6, "not a JSON object"),
    (12, "not a JSON object"),
    (14, "expected a string key"),
    (15, "unexpected end"),
];

/// Chunk sizes that cut on, next to, inside and between the lines.
const CHUNKS: &[usize] = &[1, 2, 3, 7, 13, 24, 25, 26, 27, 40, 64, 4096, 1 << 20];

fn bytes() -> Vec<u8> {
    LINES.join(&b'\n')
}

struct Outcome {
    a: Vec<i64>,
    bad_lines: u64,
    reports: Vec<(String, usize, String)>,
}

fn run(
    query: &str,
    path: &std::path::Path,
    from_file: bool,
    chunk_size: usize,
    threads: usize,
    strict: bool,
) -> Result<Outcome, String> {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size,
        strict,
        ..EngineOptions::default()
    });
    if from_file {
        engine.add_path("T", path).unwrap();
    } else {
        engine
            .add_bytes("T", &path.display().to_string(), bytes())
            .unwrap();
    }
    let run = run_column_a(&engine, query)?;
    Ok(Outcome {
        a: run.a,
        bad_lines: run.bad_lines,
        reports: run.reports,
    })
}

#[test]
fn the_prefiltered_query_has_a_needle_and_the_plain_one_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prefilter.jsonl");
    std::fs::write(&path, bytes()).unwrap();
    let mut engine = Engine::with_options(EngineOptions::default());
    engine.add_path("T", &path).unwrap();
    let explain = |q: &str| engine.compile(q).unwrap().explain();
    assert!(
        explain(PREFILTERED).contains(r#"prefilter: "\"kube-audit\"""#),
        "{}",
        explain(PREFILTERED)
    );
    assert!(!explain(PLAIN).contains("prefilter"), "{}", explain(PLAIN));
}

#[test]
fn prefiltered_lines_give_the_plain_rows_and_today_s_reports_at_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prefilter.jsonl");
    std::fs::write(&path, bytes()).unwrap();
    let file = path.display().to_string();
    for (query, bad) in [(PREFILTERED, BAD_PREFILTERED), (PLAIN, BAD_PLAIN)] {
        let which = if query == PLAIN {
            "plain"
        } else {
            "prefiltered"
        };
        for from_file in [true, false] {
            for &chunk in CHUNKS {
                for threads in [1, 2] {
                    let label =
                        format!("{which} from_file={from_file} chunk={chunk} threads={threads}");
                    let got = run(query, &path, from_file, chunk, threads, false)
                        .unwrap_or_else(|e| panic!("{label}: {e}"));
                    assert_eq!(got.a, GOOD, "{label}: rows");
                    assert_eq!(got.bad_lines, bad.len() as u64, "{label}: bad lines");
                    let lines: Vec<usize> = got.reports.iter().map(|r| r.1).collect();
                    let want: Vec<usize> = bad.iter().map(|b| b.0).collect();
                    assert_eq!(lines, want, "{label}: {:?}", got.reports);
                    for ((f, line, reason), (_, word)) in got.reports.iter().zip(bad) {
                        assert_eq!(f, &file, "{label}");
                        assert!(
                            reason.contains(word),
                            "{label}: line {line}: {reason:?} lacks {word:?}"
                        );
                    }
                    // Strict: the first reported line stops the run.
                    let e = run(query, &path, from_file, chunk, threads, true)
                        .err()
                        .unwrap_or_else(|| panic!("{label}: strict ran through"));
                    let first = bad.first().map_or(0, |b| b.0);
                    assert!(e.contains(&format!("{file}:{first}:")), "{label}: {e}");
                }
            }
        }
    }
}

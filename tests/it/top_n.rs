//! `sort | take N` and `top N` run as a bounded top-N (`plan::rules::sort_limit`,
//! `exec::sort::top_rows`): rows held as their lines and decoded at the end must
//! give the same rows, ties in input order, as a full sort cut to N, whatever the
//! chunk size and thread count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::Engine;
use kqlite::output::JsonLinesWriter;

use crate::common::chunked::lines_chunked as run;

#[test]
fn top_n_equals_a_full_sort_cut_to_n_with_ties_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    // Many ties, some missing keys (null), escaped text to decode again.
    let rows: String = (0..3000)
        .map(|i| {
            let k = if i % 97 == 0 {
                "null".to_string()
            } else {
                (i % 7).to_string()
            };
            format!(
                "{{\"id\":{i},\"k\":{k},\"t\":\"2024-01-01T00:00:{:02}Z\",\"s\":\"a\\\"b\\\\c{i}\",\"d\":{{\"x\":[{i}]}}}}\n",
                i % 60
            )
        })
        .collect();
    std::fs::write(&path, rows).unwrap();
    for (cut, full, n) in [
        ("T | sort by k desc | take 50", "T | sort by k desc", 50),
        ("T | order by k asc | take 120", "T | order by k asc", 120),
        ("T | top 40 by t desc", "T | sort by t desc", 40),
        (
            "T | top 7 by k asc nulls last",
            "T | sort by k asc nulls last",
            7,
        ),
        (
            "T | sort by k asc, t desc | take 9",
            "T | sort by k asc, t desc",
            9,
        ),
        (
            "T | sort by t asc | extend n = strlen(s) | project id, n, s | take 300",
            "T | sort by t asc | extend n = strlen(s) | project id, n, s",
            300,
        ),
        (
            "T | where id > 100 | top 1 by k",
            "T | where id > 100 | sort by k",
            1,
        ),
        ("T | top 5000 by k", "T | sort by k", 5000),
        ("T | sort by k | take 0", "T | sort by k", 0),
    ] {
        let expected: Vec<String> = run(&path, full, 1, 1 << 20).into_iter().take(n).collect();
        for threads in [1, 2] {
            for chunk_size in [64, 4096, 1 << 20] {
                assert_eq!(
                    run(&path, cut, threads, chunk_size),
                    expected,
                    "{cut} with {threads} threads, chunks of {chunk_size}"
                );
            }
        }
    }
}

#[test]
fn top_n_rows_decode_locale_dates_as_the_scan_does() {
    // The winners of a top-N held as their lines are decoded again at the
    // end: with the scan's own decoder, so `--date-order dmy` reads
    // `05/04/2026` as 5 April there too (it read 4 May: a decoder made
    // afresh from the scan's fields, month-first).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.jsonl");
    std::fs::write(
        &path,
        "{\"TimeGenerated\":\"03/04/2026 15:18:18\",\"Category\":\"a\"}\n\
         {\"TimeGenerated\":\"05/04/2026 15:18:18\",\"Category\":\"b\"}\n\
         {\"TimeGenerated\":\"01/04/2026 15:18:18\",\"Category\":\"c\"}\n",
    )
    .unwrap();
    let run = |query: &str| -> String {
        let mut engine = Engine::new();
        engine.set_date_order("dmy").unwrap();
        engine.add_path("AzureDiagnostics", &path).unwrap();
        let q = engine.compile(query).unwrap();
        let mut out = JsonLinesWriter::new(Vec::new());
        q.run(&engine, &mut out).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    };
    let expected = "{\"TimeGenerated\":\"2026-04-05T15:18:18.0000000Z\",\"Category\":\"b\"}\n";
    for query in [
        "AzureDiagnostics | sort by TimeGenerated desc | take 1 | project TimeGenerated, Category",
        "AzureDiagnostics | top 1 by TimeGenerated desc | project TimeGenerated, Category",
    ] {
        assert_eq!(run(query), expected, "{query}");
    }
}

/// The rows of table `T` read from three files (one with a byte-order mark,
/// CRLF ends and indented lines; one gzipped), the same bytes added in
/// memory, and a stream: `query`'s JSON lines.
fn run_many(dir: &std::path::Path, query: &str, threads: usize, chunk_size: usize) -> Vec<String> {
    let mut engine = Engine::with_options(kqlite::EngineOptions {
        threads: Some(threads),
        chunk_size,
        ..kqlite::EngineOptions::default()
    });
    for name in ["a.jsonl", "b.jsonl.gz", "c.jsonl"] {
        engine.add_path("T", dir.join(name)).unwrap();
    }
    let c = std::fs::read(dir.join("c.jsonl")).unwrap();
    engine.add_bytes("T", "memory.jsonl", c.clone()).unwrap();
    engine
        .add_reader("T", "stream.jsonl", std::io::Cursor::new(c))
        .unwrap();
    let q = engine.compile(query).unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner())
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn top_n_winners_read_again_from_their_files_are_the_full_sorts_rows() {
    // Winners held as places in mapped or in-memory inputs are read again
    // after the scan (lines of gzip files and streams as copies): each
    // must be its own row, from its own input, whatever the thread count
    // and chunk size, with ties (in every file) in input order, and nulls
    // where `nulls first|last` puts them.
    let dir = tempfile::tempdir().unwrap();
    let row = |file: usize, i: usize| {
        let k = if i.is_multiple_of(13) {
            "null".to_string()
        } else {
            (i % 5).to_string()
        };
        let t = if i.is_multiple_of(17) {
            "null".to_string()
        } else {
            format!("\"2024-01-01T00:{:02}:00Z\"", i % 40)
        };
        format!("{{\"f\":{file},\"i\":{i},\"k\":{k},\"t\":{t},\"s\":\"x\\\"{i}\\\\{file}\"}}")
    };
    let text = |file: usize, indent: &str, end: &str| -> String {
        (0..700)
            .map(|i| format!("{indent}{}{end}", row(file, i)))
            .collect()
    };
    std::fs::write(
        dir.path().join("a.jsonl"),
        format!("\u{feff}{}", text(0, "  ", "\r\n")),
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text(1, "", "\n").as_bytes()).unwrap();
    std::fs::write(dir.path().join("b.jsonl.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(dir.path().join("c.jsonl"), text(2, "", "\n")).unwrap();
    for (cut, full, n) in [
        ("T | sort by t desc | take 60", "T | sort by t desc", 60),
        ("T | order by t asc | limit 45", "T | order by t asc", 45),
        (
            "T | sort by t asc nulls last | take 30",
            "T | sort by t asc nulls last",
            30,
        ),
        (
            "T | top 25 by k desc nulls first",
            "T | sort by k desc nulls first",
            25,
        ),
        ("T | sort by k, t asc | take 80", "T | sort by k, t asc", 80),
        (
            "T | where i % 3 == 0 | sort by t desc, f asc | take 20",
            "T | where i % 3 == 0 | sort by t desc, f asc",
            20,
        ),
        ("T | top 4000 by k asc", "T | sort by k asc", 4000),
    ] {
        let expected: Vec<String> = run_many(dir.path(), full, 1, 1 << 20)
            .into_iter()
            .take(n)
            .collect();
        assert_eq!(expected.len(), n.min(3500), "{full}");
        for threads in [1, 2] {
            for chunk_size in [100, 4096, 1 << 20] {
                assert_eq!(
                    run_many(dir.path(), cut, threads, chunk_size),
                    expected,
                    "{cut} with {threads} threads, chunks of {chunk_size}"
                );
            }
        }
    }
}

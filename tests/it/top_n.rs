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

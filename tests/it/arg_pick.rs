//! `summarize arg_max(k, *) by g` (and `arg_min`) picks each group's row by
//! its key alone and decodes the winning rows' other columns at the end
//! (`exec::aggregate`, `RowPick`): the answer must be the one of an
//! accumulator per column (the path a `count()` beside it still takes),
//! with ties to the first row, rows without a key, and any chunk size or
//! thread count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::chunked::lines_chunked as run;

#[test]
fn arg_max_star_by_group_equals_one_accumulator_per_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    // Keys with ties and nulls (a whole group without keys: g = 5), values
    // with escapes, nested documents and missing columns.
    let rows: String = (0..3000)
        .map(|i| {
            let g = i % 6;
            let k = if g == 5 || i % 89 == 0 {
                "null".to_string()
            } else {
                ((i * 7919) % 113).to_string()
            };
            let s = if i % 13 == 0 {
                "null".to_string()
            } else {
                format!("\"a\\\"b\\\\c{i}\"")
            };
            format!(
                "{{\"id\":{i},\"g\":{g},\"k\":{k},\"t\":\"2024-01-01T00:{:02}:{:02}Z\",\"s\":{s},\"d\":{{\"x\":[{i}]}}}}\n",
                (i / 60) % 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(&path, rows).unwrap();
    for (picked, reference) in [
        (
            "T | summarize arg_max(k, *) by g",
            "T | summarize arg_max(k, *), n_ = count() by g | project-away n_",
        ),
        (
            "T | summarize arg_min(k, *) by g",
            "T | summarize arg_min(k, *), n_ = count() by g | project-away n_",
        ),
        (
            "T | summarize arg_max(t, s, d) by g",
            "T | summarize arg_max(t, s, d), n_ = count() by g | project-away n_",
        ),
        (
            "T | where id % 3 != 0 | summarize arg_min(t, *) by g, bin(id, 500)",
            "T | where id % 3 != 0 | summarize arg_min(t, *), n_ = count() by g, bin(id, 500) | project-away n_",
        ),
        (
            "T | extend z = id * 2 | summarize arg_max(k, *) by g",
            "T | extend z = id * 2 | summarize arg_max(k, *), n_ = count() by g | project-away n_",
        ),
        (
            "T | summarize arg_max(k, *)",
            "T | summarize arg_max(k, *), n_ = count() | project-away n_",
        ),
        (
            "T | where g == 5 | summarize arg_max(k, id, s) by g",
            "T | where g == 5 | summarize arg_max(k, id, s), n_ = count() by g | project-away n_",
        ),
    ] {
        let expected = run(&path, reference, 1, 1 << 20);
        assert!(!expected.is_empty(), "{reference}");
        for threads in [1, 2] {
            for chunk_size in [64, 4096, 1 << 20] {
                assert_eq!(
                    run(&path, picked, threads, chunk_size),
                    expected,
                    "{picked} with {threads} threads, chunks of {chunk_size}"
                );
            }
        }
    }
}

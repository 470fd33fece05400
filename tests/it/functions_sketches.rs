//! The sketches `hll()` and `tdigest()` (docs/semantics.md#sketches): the
//! same answer at any thread count and chunk size, exact agreement with
//! `dcount` and `percentile` while a sketch holds its values, and the
//! documented error bound beyond.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::chunked::run_chunked;

/// A file of `n` rows: `v` has `distinct` values, `g` five groups.
fn data(n: usize, distinct: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let body: String = (0..n)
        .map(|i| {
            let v = (i * 7919 + 13) % distinct;
            format!("{{\"g\":\"g{}\",\"v\":{v},\"s\":\"u{v}\"}}\n", i % 5)
        })
        .collect();
    std::fs::write(&path, body).unwrap();
    (dir, path)
}

/// `query`'s output at 1, 2 and 4 threads and three chunk sizes: all equal.
fn same_everywhere(path: &std::path::Path, query: &str) -> String {
    let first = run_chunked("T", path, query, 1, 1 << 20).0;
    for (threads, chunk) in [(2, 4096), (4, 512), (2, 1 << 16)] {
        let got = run_chunked("T", path, query, threads, chunk).0;
        assert_eq!(
            got, first,
            "{threads} threads, {chunk}-byte chunks: {query}"
        );
    }
    first
}

fn number(line: &str, column: &str) -> f64 {
    let row: serde_json::Value = serde_json::from_str(line).unwrap();
    row[column]
        .as_f64()
        .unwrap_or_else(|| panic!("{column} in {line}"))
}

#[test]
fn hll_sketches_are_the_same_at_any_thread_count_and_count_exactly_while_small() {
    let (_dir, path) = data(20_000, 900);
    let out = same_everywhere(
        &path,
        "T | summarize h = hll(s), d = dcount(s), h2 = hll(v, 2), d2 = dcount(v) by g \
         | extend dh = dcount_hll(h), dh2 = dcount_hll(h2) | order by g asc",
    );
    for line in out.lines() {
        assert_eq!(number(line, "dh"), number(line, "d"), "{line}");
        assert_eq!(number(line, "dh2"), number(line, "d2"), "{line}");
    }
    // The merge of the groups' sketches holds the hashes of the whole (in
    // another order: a sketch lists them in order of first appearance).
    let merged = same_everywhere(
        &path,
        "T | summarize h = hll(s) by g | summarize m = hll_merge(h) \
         | extend d = dcount_hll(m) | project d, m = tostring(array_sort_asc(m[1]))",
    );
    let whole = same_everywhere(
        &path,
        "T | summarize m = hll(s) | extend d = dcount_hll(m) | project d, m = tostring(array_sort_asc(m[1]))",
    );
    assert_eq!(merged, whole);
    assert_eq!(number(whole.trim(), "d"), 900.0);
}

#[test]
fn hll_estimates_within_the_documented_error_beyond_its_exact_limit() {
    // 60 000 distinct values: past every level's exact limit.
    let (_dir, path) = data(120_000, 60_000);
    let out = same_everywhere(
        &path,
        "T | summarize a0 = dcount_hll(hll(v, 0)), a1 = dcount_hll(hll(v)), a2 = dcount_hll(hll(v, 2)), \
         a3 = dcount_hll(hll(v, 3)), a4 = dcount_hll(hll(v, 4)), d = dcount(v)",
    );
    let line = out.trim();
    assert_eq!(number(line, "d"), 60_000.0);
    // dcount-aggregation-function, "Estimation accuracy": the error is one
    // standard deviation; 99.7 % of estimates are within three.
    for (column, sigma) in [
        ("a0", 1.6),
        ("a1", 0.8),
        ("a2", 0.4),
        ("a3", 0.28),
        ("a4", 0.2),
    ] {
        let error = (number(line, column) - 60_000.0).abs() / 600.0;
        assert!(error < 3.0 * sigma, "{column}: {line}");
    }
}

#[test]
fn tdigests_are_the_same_at_any_thread_count_and_agree_with_percentile_while_exact() {
    let (_dir, path) = data(20_000, 900);
    let out = same_everywhere(
        &path,
        "T | summarize t = tdigest(v), p5 = percentile(v, 5), p50 = percentile(v, 50), p99 = percentile(v, 99) by g \
         | extend q5 = percentile_tdigest(t, 5, typeof(long)), q50 = percentile_tdigest(t, 50, typeof(long)), \
         q99 = percentile_tdigest(t, 99, typeof(long)), r = rank_tdigest(t, p50), n = toscalar(T | summarize count()) \
         | project-away t | order by g asc",
    );
    for line in out.lines() {
        for (p, q) in [("p5", "q5"), ("p50", "q50"), ("p99", "q99")] {
            assert_eq!(number(line, p), number(line, q), "{line}");
        }
    }
    // Digests merged across groups are the digest of the whole.
    let merged = same_everywhere(
        &path,
        "T | summarize t = tdigest(v) by g | summarize t = tdigest_merge(t) \
         | project p = percentiles_array_tdigest(t, 1, 50, 99.9)",
    );
    let whole = same_everywhere(&path, "T | summarize p = percentiles_array(v, 1, 50, 99.9)");
    assert_eq!(merged, whole);
}

#[test]
fn tdigests_past_their_exact_limit_stay_within_one_percent_of_rank() {
    // 50 000 distinct values: compressed in the result, exact while aggregating.
    let n = 50_000usize;
    let (_dir, path) = data(n, n);
    let out = same_everywhere(
        &path,
        "T | summarize t = tdigest(v) \
         | project p1 = percentile_tdigest(t, 1, typeof(long)), p50 = percentile_tdigest(t, 50, typeof(long)), \
         p99 = percentile_tdigest(t, 99, typeof(long)), lo = percentile_tdigest(t, 0, typeof(long)), \
         hi = percentile_tdigest(t, 100, typeof(long)), pr = percentrank_tdigest(t, 25000)",
    );
    let line = out.trim();
    for (column, p) in [("p1", 1.0), ("p50", 50.0), ("p99", 99.0)] {
        let want = p / 100.0 * n as f64;
        assert!(
            (number(line, column) - want).abs() <= 0.01 * n as f64,
            "{column}: {line}"
        );
    }
    assert_eq!(number(line, "lo"), 0.0);
    assert_eq!(number(line, "hi"), (n - 1) as f64);
    assert!((number(line, "pr") - 50.0).abs() <= 1.0, "{line}");
}

/// Digests of different value types do not merge (the tdigest-merge pages:
/// "All tdigests included in the same group must be of the same type"):
/// the merge is null and stderr says why, for the scalar and the
/// aggregate. Run by the command, so the process-wide count behind the
/// note does not reach the other tests' runs.
#[test]
fn merging_digests_of_different_types_is_null_with_a_note() {
    let digests = "datatable(v:long, d:datetime)[1, datetime(2020-01-01), 2, datetime(2020-01-02)] \
                   | summarize a = tdigest(v), b = tdigest(d)";
    for query in [
        format!(
            "{digests} | project m = isnull(merge_tdigest(a, b)), same = isnotnull(merge_tdigest(a, a))"
        ),
        format!(
            "{digests} | project t = pack_array(a, b) | mv-expand t | summarize m = tdigest_merge(t) \
             | project m = isnull(m), same = true"
        ),
    ] {
        let out = crate::common::cli::kqlite(&["--format", "jsonl", &query]);
        assert!(out.status.success(), "{query}");
        assert_eq!(
            crate::common::cli::text(&out.stdout),
            "{\"m\":true,\"same\":true}\n",
            "{query}"
        );
        let err = crate::common::cli::text(&out.stderr);
        assert!(
            err.contains("digests of different value types"),
            "{query}: {err}"
        );
    }
    // Digests of one type say nothing.
    let out = crate::common::cli::kqlite(&[
        "--format",
        "jsonl",
        &format!("{digests} | project m = merge_tdigest(a, a) | count"),
    ]);
    assert!(!crate::common::cli::text(&out.stderr).contains("digests"));
}

//! Tables keyed by values (groups, `make_set`/`dcount` sets, `distinct`,
//! join indexes) are hashed with a randomly seeded hasher
//! (`value::key::KeyHasher`: a new seed per process and per table), so no
//! output may follow a table's iteration order. Each answer here is
//! computed independently from the data (first appearance) and checked
//! over several runs, threads and chunk sizes: any order that came from
//! the hasher would differ between tables seeded differently.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::chunked::run_chunked;

fn run(path: &std::path::Path, query: &str, threads: usize, chunk_size: usize) -> String {
    run_chunked("T", path, query, threads, chunk_size).0
}

/// `items` without repeats, in order of first appearance.
fn first_appearance<T: PartialEq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn quoted(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn keyed_operators_answer_in_first_appearance_order_whatever_the_hasher_seed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    // 37 groups and 500 values, first seen in scrambled orders, each seen
    // again many times (and across chunks).
    let rows: Vec<(usize, String, String)> = (0..4000usize)
        .map(|i| {
            (
                i,
                format!("g{}", (i * 17 + 5) % 37),
                format!("v{}", (i * 7919 + 13) % 500),
            )
        })
        .collect();
    let body: String = rows
        .iter()
        .map(|(i, g, v)| format!("{{\"id\":{i},\"g\":\"{g}\",\"v\":\"{v}\"}}\n"))
        .collect();
    std::fs::write(&path, body).unwrap();

    let groups = first_appearance(rows.iter().map(|r| r.1.clone()));
    let set_of = |g: &str| first_appearance(rows.iter().filter(|r| r.1 == g).map(|r| r.2.clone()));
    let summarize: String = groups
        .iter()
        .map(|g| {
            let set = set_of(g);
            let n = rows.iter().filter(|r| &r.1 == g).count();
            format!(
                "{{\"g\":\"{g}\",\"s\":[{}],\"d\":{},\"n\":{n}}}\n",
                quoted(&set),
                set.len()
            )
        })
        .collect();
    let values = first_appearance(rows.iter().map(|r| r.2.clone()));
    let distinct: String = values
        .iter()
        .map(|v| format!("{{\"v\":\"{v}\"}}\n"))
        .collect();
    let all_set = format!("{{\"s\":[{}]}}\n", quoted(&values));
    // Inner join of every row with its group's row of a table of distinct
    // groups: the left rows in order.
    let join: String = rows
        .iter()
        .map(|(i, g, _)| format!("{{\"id\":{i},\"g1\":\"{g}\"}}\n"))
        .collect();

    let cases = [
        (
            "T | summarize s = make_set(v), d = dcount(v), n = count() by g",
            summarize,
        ),
        ("T | distinct v", distinct),
        ("T | summarize s = make_set(v)", all_set),
        (
            "T | join kind=inner (T | distinct g) on g | project id, g1",
            join,
        ),
    ];
    for (query, expected) in &cases {
        for threads in [1, 2] {
            for chunk_size in [64, 4096, 1 << 20] {
                for attempt in 0..2 {
                    assert_eq!(
                        &run(&path, query, threads, chunk_size),
                        expected,
                        "{query} with {threads} threads, chunks of {chunk_size} (run {attempt})"
                    );
                }
            }
        }
    }
}

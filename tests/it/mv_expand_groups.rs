//! `mv-expand` feeding `summarize` and `take`: each expanded row is handed
//! on from one reused buffer (exec/stage.rs `mv_expand_each`), and the
//! groups, `make_set` members and `make_list` items must come out in order
//! of first appearance whatever the thread count and chunk size
//! (docs/semantics.md#mv-expand, #summarize). Each expected answer is
//! computed from the data here, independently of the engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::chunked::run_chunked;

/// Row `i`: its source addresses (none on every 5th row) and user.
fn rows() -> Vec<(usize, Vec<String>, String)> {
    (0..3000)
        .map(|i| {
            let ips = if i % 5 == 0 {
                Vec::new()
            } else {
                (0..i % 4 + 1)
                    .map(|j| format!("10.0.{}.{j}", (i * 7 + j) % 50))
                    .collect()
            };
            (i, ips, format!("user{}", i % 13))
        })
        .collect()
}

/// `query` over `t.jsonl` in `dir` bound to `T`, as JSON-lines text.
fn run(dir: &std::path::Path, query: &str, threads: usize, chunk_size: usize) -> String {
    run_chunked("T", &dir.join("t.jsonl"), query, threads, chunk_size).0
}

fn quoted(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", q.join(","))
}

#[test]
fn expanded_groups_sets_and_lists_keep_first_appearance_order_for_any_threads_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows();
    let t: String = data
        .iter()
        .map(|(i, ips, u)| format!("{{\"id\":{i},\"ips\":{},\"u\":\"{u}\"}}\n", quoted(ips)))
        .collect();
    std::fs::write(dir.path().join("t.jsonl"), t).unwrap();

    // Groups by address in order of first appearance, each with its users
    // (distinct, in order of first appearance), count and row ids.
    let mut groups: Vec<(String, Vec<String>, usize, Vec<usize>)> = Vec::new();
    for (i, ips, u) in &data {
        for ip in ips {
            let at = match groups.iter().position(|g| &g.0 == ip) {
                Some(at) => at,
                None => {
                    groups.push((ip.clone(), Vec::new(), 0, Vec::new()));
                    groups.len() - 1
                }
            };
            let g = &mut groups[at];
            if !g.1.contains(u) {
                g.1.push(u.clone());
            }
            g.2 += 1;
            g.3.push(*i);
        }
    }
    let expected: String = groups
        .iter()
        .map(|(ip, users, n, ids)| {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            format!(
                "{{\"ip\":\"{ip}\",\"users\":{},\"n\":{n},\"ids\":[{}]}}\n",
                quoted(users),
                ids.join(",")
            )
        })
        .collect();
    let summarize = "T | mv-expand ip = ips \
        | summarize users = make_set(u), n = count(), ids = make_list(id) by ip = tostring(ip)";

    // The first rows of the expansion, with their item index.
    let firsts: String = data
        .iter()
        .flat_map(|(i, ips, _)| {
            ips.iter()
                .enumerate()
                .map(move |(x, ip)| format!("{{\"id\":{i},\"x\":{x},\"ip\":\"{ip}\"}}\n"))
        })
        .take(7)
        .collect();
    let take = "T | mv-expand with_itemindex = x ip = ips to typeof(string) | take 7 \
        | project id, x, ip";

    for threads in [1, 2] {
        for chunk_size in [64, 1000, 1 << 20] {
            assert_eq!(
                run(dir.path(), summarize, threads, chunk_size),
                expected,
                "summarize, {threads} thread(s), chunks of {chunk_size} bytes"
            );
            assert_eq!(
                run(dir.path(), take, threads, chunk_size),
                firsts,
                "take, {threads} thread(s), chunks of {chunk_size} bytes"
            );
        }
    }
}

//! Joins whose answer for a left row depends on that row alone (`inner`,
//! `leftouter`, `leftsemi`, `leftanti`, `lookup`) run as a probe of the
//! left side's pipeline, on every thread, against the right side indexed
//! once; `innerunique` (the default kind) probes the same way, each chunk
//! keeping its first row of each key; an `inner` or `innerunique` join of
//! a left side held whole anyway (`datatable`, `take`) with a right side
//! read from a file indexes the left side and streams the right one;
//! `rightouter` and `fullouter` run the left side on every thread too, or
//! stream the right side through the left one held whole, as `leftouter`,
//! `leftsemi` and `leftanti` do then too. The
//! answer must be the documented one in kqlite's order (left rows in
//! order, each with its matches in right order; docs/semantics.md#join)
//! whatever the thread count and chunk size: each expected answer here is
//! computed from the data, independently of the engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};

/// Left: 3,000 rows, `k` null on every 11th, `g` alternating.
fn left_rows() -> Vec<(usize, Option<usize>, usize)> {
    (0..3000)
        .map(|i| (i, if i % 11 == 0 { None } else { Some(i % 7) }, i % 2))
        .collect()
}

/// Right: keys with repeats (2 three times), a null key and a key no left
/// row has.
fn right_rows() -> Vec<(Option<usize>, usize, String)> {
    [
        (Some(2), 0),
        (Some(0), 1),
        (Some(2), 1),
        (Some(5), 0),
        (None, 0),
        (Some(2), 0),
        (Some(9), 1),
    ]
    .iter()
    .enumerate()
    .map(|(j, (k, g))| (*k, *g, format!("r{j}")))
    .collect()
}

fn num(k: Option<usize>) -> String {
    k.map_or_else(|| "null".to_string(), |k| k.to_string())
}

fn run(dir: &std::path::Path, query: &str, threads: usize, chunk_size: usize) -> String {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size,
        ..EngineOptions::default()
    });
    engine.add_path("T", dir.join("t.jsonl")).unwrap();
    engine.add_path("U", dir.join("u.jsonl")).unwrap();
    let q = engine.compile(query).unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

#[test]
fn probed_joins_answer_in_left_order_for_any_threads_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let left = left_rows();
    let right = right_rows();
    let t: String = left
        .iter()
        .map(|(i, k, g)| format!("{{\"id\":{i},\"k\":{},\"g\":{g}}}\n", num(*k)))
        .collect();
    let u: String = right
        .iter()
        .map(|(k, g, v)| format!("{{\"k\":{},\"g\":{g},\"v\":\"{v}\"}}\n", num(*k)))
        .collect();
    std::fs::write(dir.path().join("t.jsonl"), t).unwrap();
    std::fs::write(dir.path().join("u.jsonl"), u).unwrap();

    // The right rows each left row matches, on `k` alone or on `k` and `g`.
    let matches = |k: Option<usize>, g: Option<usize>| -> Vec<&(Option<usize>, usize, String)> {
        right
            .iter()
            .filter(|r| k.is_some() && r.0 == k && g.is_none_or(|g| r.1 == g))
            .collect()
    };
    let mut inner = String::new();
    let mut leftouter = String::new();
    let mut semi = String::new();
    let mut anti = String::new();
    let mut lookup_inner = String::new();
    let mut lookup_outer = String::new();
    let mut two_keys = String::new();
    // innerunique (the default kind): the first left row of each key only.
    let mut unique = String::new();
    let mut unique_two_keys = String::new();
    let mut seen = std::collections::HashSet::new();
    let mut seen_two = std::collections::HashSet::new();
    for (i, k, g) in &left {
        let first = seen.insert(*k);
        let first_two = seen_two.insert((*k, *g));
        let kk = num(*k);
        let found = matches(*k, None);
        for (rk, rg, v) in &found {
            let line = format!(
                "{{\"id\":{i},\"k\":{kk},\"k1\":{},\"g1\":{rg},\"v\":\"{v}\"}}\n",
                num(*rk)
            );
            inner.push_str(&line);
            leftouter.push_str(&line);
            if first {
                unique.push_str(&line);
            }
            let line = format!("{{\"id\":{i},\"k\":{kk},\"g1\":{rg},\"v\":\"{v}\"}}\n");
            lookup_inner.push_str(&line);
            lookup_outer.push_str(&line);
        }
        if found.is_empty() {
            leftouter.push_str(&format!(
                "{{\"id\":{i},\"k\":{kk},\"k1\":null,\"g1\":null,\"v\":\"\"}}\n"
            ));
            lookup_outer.push_str(&format!(
                "{{\"id\":{i},\"k\":{kk},\"g1\":null,\"v\":\"\"}}\n"
            ));
            anti.push_str(&format!("{{\"id\":{i},\"k\":{kk}}}\n"));
        } else {
            semi.push_str(&format!("{{\"id\":{i},\"k\":{kk}}}\n"));
        }
        for (_, _, v) in matches(*k, Some(*g)) {
            two_keys.push_str(&format!("{{\"id\":{i},\"v\":\"{v}\"}}\n"));
            if first_two {
                unique_two_keys.push_str(&format!("{{\"id\":{i},\"v\":\"{v}\"}}\n"));
            }
        }
    }
    let cases = [
        (
            "T | join kind=inner (U) on k | project id, k, k1, g1, v",
            inner.clone(),
        ),
        (
            "T | join kind=leftouter (U) on k | project id, k, k1, g1, v",
            leftouter.clone(),
        ),
        ("T | join kind=leftsemi (U) on k | project id, k", semi),
        ("T | join kind=leftanti (U) on k | project id, k", anti),
        (
            "T | lookup kind=inner (U) on k | project id, k, g1, v",
            lookup_inner,
        ),
        ("T | lookup (U) on k | project id, k, g1, v", lookup_outer),
        ("T | join kind=inner (U) on k, g | project id, v", two_keys),
        (
            "T | join (U) on k | project id, k, k1, g1, v",
            unique.clone(),
        ),
        (
            "T | join kind=innerunique (U) on k | project id, k, k1, g1, v",
            unique,
        ),
        (
            "T | join kind=innerunique (U) on k, g | project id, v",
            unique_two_keys,
        ),
    ];
    // A left side held whole anyway (`take`) and a right side read from a
    // file: the left side is indexed and the right side streamed through
    // it, the output still in left order (docs/semantics.md#join).
    let mut built_left = String::new();
    let mut built_left_unique = String::new();
    let mut seen = std::collections::HashSet::new();
    for (rk, rg, v) in &right {
        let first = seen.insert(*rk);
        for (i, k, _) in left.iter().filter(|l| rk.is_some() && l.1 == *rk) {
            let line = format!(
                "{{\"v\":\"{v}\",\"g\":{rg},\"id\":{i},\"k1\":{}}}\n",
                num(*k)
            );
            built_left.push_str(&line);
            if first {
                built_left_unique.push_str(&line);
            }
        }
    }
    let table: [(Option<usize>, &str); 5] = [
        (Some(2), "a"),
        (Some(0), "b"),
        (Some(2), "c"),
        (None, "n"),
        (Some(4), "d"),
    ];
    let mut datatable = String::new();
    let mut datatable_unique = String::new();
    let mut seen = std::collections::HashSet::new();
    for (dk, w) in table {
        let first = seen.insert(dk);
        for (i, _, _) in left.iter().filter(|l| dk.is_some() && l.1 == dk) {
            let line = format!("{{\"w\":\"{w}\",\"id\":{i}}}\n");
            datatable.push_str(&line);
            if first {
                datatable_unique.push_str(&line);
            }
        }
    }
    let datatable_query = |kind: &str| {
        format!(
            "datatable(k:long, w:string)[2, 'a', 0, 'b', 2, 'c', long(null), 'n', 4, 'd'] \
             | join {kind} (T) on k | project w, id"
        )
    };
    let mut cases: Vec<(String, String)> = cases
        .iter()
        .map(|(q, e)| (q.to_string(), e.clone()))
        .collect();
    cases.push((datatable_query("kind=inner"), datatable));
    cases.push((datatable_query(""), datatable_unique));
    cases.extend([
        (
            "U | take 100 | join kind=inner (T) on k | project v, g, id, k1".to_string(),
            built_left,
        ),
        (
            "U | take 100 | join (T) on k | project v, g, id, k1".to_string(),
            built_left_unique,
        ),
    ]);
    // rightsemi and rightanti: the right rows, in order, that some left row
    // matches or none does.
    let (mut right_semi, mut right_anti) = (String::new(), String::new());
    for (rk, rg, v) in &right {
        let line = format!("{{\"k\":{},\"g\":{rg},\"v\":\"{v}\"}}\n", num(*rk));
        if rk.is_some() && left.iter().any(|l| l.1 == *rk) {
            right_semi.push_str(&line);
        } else {
            right_anti.push_str(&line);
        }
    }
    cases.push((
        "T | join kind=rightsemi (U) on k | project k, g, v".to_string(),
        right_semi,
    ));
    cases.push((
        "T | join kind=rightanti (U) on k | project k, g, v".to_string(),
        right_anti,
    ));
    // rightouter and fullouter: the left rows in order with their matches
    // (fullouter: the unmatched ones with the right side's nulls), then
    // the right rows no left row matches, in order, with the left side's
    // nulls (https://learn.microsoft.com/kusto/query/join-fullouter).
    let mut right_outer = inner.clone();
    let mut full_outer = leftouter.clone();
    for (rk, rg, v) in &right {
        if !(rk.is_some() && left.iter().any(|l| l.1 == *rk)) {
            let line = format!(
                "{{\"id\":null,\"k\":null,\"k1\":{},\"g1\":{rg},\"v\":\"{v}\"}}\n",
                num(*rk)
            );
            right_outer.push_str(&line);
            full_outer.push_str(&line);
        }
    }
    for kind in ["rightouter", "fullouter"] {
        let expected = if kind == "rightouter" {
            &right_outer
        } else {
            &full_outer
        };
        // The left side a pipeline over a file; a left side held whole
        // (`take`) with a right side that is no file.
        for (left_side, right_side) in [("T", "U"), ("T | take 5000", "U | take 100")] {
            cases.push((
                format!(
                    "{left_side} | join kind={kind} ({right_side}) on k \
                     | project id, k, k1, g1, v"
                ),
                expected.clone(),
            ));
        }
    }
    // The same held left side with innerunique.
    cases.push((
        "T | take 5000 | join (U | take 100) on k | project id, k, k1, g1, v".to_string(),
        cases[7].1.clone(),
    ));
    // A left side held whole and a right side read from a file: the left
    // side indexed, the right side streamed; the same order.
    let (mut built_right_outer, mut built_full_outer) = (String::new(), String::new());
    let (mut built_semi, mut built_anti) = (String::new(), String::new());
    for (rk, rg, v) in &right {
        let found: Vec<_> = left.iter().filter(|l| rk.is_some() && l.1 == *rk).collect();
        for (i, k, _) in &found {
            let line = format!(
                "{{\"v\":\"{v}\",\"g\":{rg},\"id\":{i},\"k1\":{}}}\n",
                num(*k)
            );
            built_right_outer.push_str(&line);
            built_full_outer.push_str(&line);
        }
        let line = format!("{{\"v\":\"{v}\",\"g\":{rg}}}\n");
        if found.is_empty() {
            built_full_outer.push_str(&format!(
                "{{\"v\":\"{v}\",\"g\":{rg},\"id\":null,\"k1\":null}}\n"
            ));
            built_anti.push_str(&line);
        } else {
            built_semi.push_str(&line);
        }
    }
    let built_left_outer = built_full_outer.clone();
    for (i, k, _) in &left {
        if !(k.is_some() && right.iter().any(|r| r.0 == *k)) {
            let line = format!("{{\"v\":\"\",\"g\":null,\"id\":{i},\"k1\":{}}}\n", num(*k));
            built_right_outer.push_str(&line);
            built_full_outer.push_str(&line);
        }
    }
    cases.push((
        "U | take 100 | join kind=leftouter (T) on k | project v, g, id, k1".to_string(),
        built_left_outer,
    ));
    cases.push((
        "U | take 100 | join kind=leftsemi (T) on k | project v, g".to_string(),
        built_semi,
    ));
    cases.push((
        "U | take 100 | join kind=leftanti (T) on k | project v, g".to_string(),
        built_anti,
    ));
    cases.push((
        "U | take 100 | join kind=rightouter (T) on k | project v, g, id, k1".to_string(),
        built_right_outer,
    ));
    cases.push((
        "U | take 100 | join kind=fullouter (T) on k | project v, g, id, k1".to_string(),
        built_full_outer,
    ));
    for (query, expected) in &cases {
        for threads in [1, 2] {
            for chunk_size in [64, 4096, 1 << 20] {
                assert_eq!(
                    &run(dir.path(), query, threads, chunk_size),
                    expected,
                    "{query} with {threads} threads, chunks of {chunk_size}"
                );
            }
        }
    }
}

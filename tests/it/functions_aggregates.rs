//! Aggregation functions through `summarize`, against the examples of their
//! docs pages (`https://learn.microsoft.com/kusto/query/<page>`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use serde_json::{Value as Json, json};

/// The rows of a query's first result, as JSON objects; run with 1 and 2
/// threads, which must agree.
fn rows(query: &str) -> Vec<Json> {
    let mut results = Vec::new();
    for threads in [1, 2] {
        let engine = Engine::with_options(EngineOptions {
            threads: Some(threads),
            ..EngineOptions::default()
        });
        let q = engine
            .compile(query)
            .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
        let mut out = JsonLinesWriter::new(Vec::new());
        q.run(&engine, &mut out).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        results.push(
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<Json>>(),
        );
    }
    assert_eq!(results[0], results[1], "thread counts disagree for {query}");
    results.remove(0)
}

const NUMBERS: &str =
    "datatable(k:string, x:long) ['a', 1, 'a', 2, 'a', 3, 'a', 4, 'b', 10, 'b', 10]";

#[test]
fn make_list_aggregation_function_max_size() {
    let r = rows(&format!(
        "{NUMBERS} | summarize l = make_list(x, 2), s = make_set(x, 1) by k | sort by k asc"
    ));
    assert_eq!(r[0]["l"], json!([1, 2]));
    assert_eq!(r[0]["s"], json!([1]));
    assert_eq!(r[1]["l"], json!([10, 10]));
}

#[test]
fn make_bag_aggregation_function() {
    let r = rows(
        "datatable(p:dynamic) [dynamic({'a': 1}), dynamic({'b': 2}), dynamic({'a': 3})] \
         | summarize b = make_bag(p)",
    );
    assert_eq!(r[0]["b"], json!({"a": 1, "b": 2}));
}

#[test]
fn variance_and_stdev_aggregation_functions() {
    let r = rows(&format!(
        "{NUMBERS} | where k == 'a' | summarize v = variance(x), vp = variancep(x), s = stdev(x), sp = stdevp(x)"
    ));
    let f = |k: &str| r[0][k].as_f64().unwrap();
    assert!((f("v") - 5.0 / 3.0).abs() < 1e-12);
    assert!((f("vp") - 1.25).abs() < 1e-12);
    assert!((f("s") - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert!((f("sp") - 1.25f64.sqrt()).abs() < 1e-12);
}

#[test]
fn percentiles_aggregation_function_nearest_rank() {
    let r = rows(
        "range x from 1 to 100 step 1 \
         | summarize p = percentile(x, 50), a = percentiles_array(x, 5, 50, 95)",
    );
    assert_eq!(r[0]["p"], json!(50));
    assert_eq!(r[0]["a"], json!([5, 50, 95]));
}

#[test]
fn dcount_countif_sumif_avgif_aggregation_functions() {
    let r = rows(&format!(
        "{NUMBERS} | summarize d = dcount(x), c = countif(x > 2), s = sumif(x, k == 'a'), a = avgif(x, k == 'b')"
    ));
    assert_eq!(r[0]["d"], json!(5));
    assert_eq!(r[0]["c"], json!(4));
    assert_eq!(r[0]["s"], json!(10));
    assert_eq!(r[0]["a"].as_f64(), Some(10.0));
}

#[test]
fn arg_max_aggregation_function() {
    let r = rows(&format!("{NUMBERS} | summarize arg_max(x, k)"));
    assert_eq!(r[0]["x"], json!(10));
    assert_eq!(r[0]["k"], json!("b"));
}

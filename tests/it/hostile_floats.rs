//! Issue 16 item 9: sums and moments of reals are the same whatever the
//! chunk size and thread count (the way the input was cut must not change
//! the answer): exact partial sums merged exactly, rounded once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use proptest::prelude::*;

const QUERY: &str = "T | summarize s = sum(x), a = avg(x), v = variance(x), d = stdev(x), \
                     vp = variancep(x), dp = stdevp(x), c = count()";

fn run(bytes: &[u8], chunk_size: usize, threads: usize) -> String {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size,
        ..EngineOptions::default()
    });
    engine.add_bytes("T", "x.jsonl", bytes.to_vec()).unwrap();
    let q = engine.compile(QUERY).unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

fn file(values: &[f64]) -> Vec<u8> {
    let mut text = String::new();
    for v in values {
        text.push_str(&format!("{{\"x\":{v:?}}}\n"));
    }
    text.into_bytes()
}

#[test]
fn the_issue_example_sums_the_same_in_any_chunks() {
    // Prices with cents: a naive running sum depends on where chunks end.
    let values: Vec<f64> = (0..20_000)
        .map(|i| f64::from(i % 997) * 0.1 + 0.3)
        .collect();
    let bytes = file(&values);
    let whole = run(&bytes, 1 << 30, 1);
    for (chunk, threads) in [(1 << 20, 2), (4096, 1), (4096, 2), (777, 2), (64, 1)] {
        assert_eq!(
            run(&bytes, chunk, threads),
            whole,
            "chunk {chunk}, threads {threads}"
        );
    }
}

#[test]
fn variance_is_accurate_around_a_large_mean() {
    // sum(x^2) - sum(x)^2/n computed exactly: no cancellation.
    let values: Vec<f64> = (0..1000).map(|i| 1e9 + f64::from(i % 2)).collect();
    let out = run(&file(&values), 1 << 20, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["vp"].as_f64().unwrap(), 0.25, "{out}");
    assert_eq!(v["a"].as_f64().unwrap(), 1e9 + 0.5, "{out}");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn sums_and_moments_do_not_depend_on_the_chunking(
        values in prop::collection::vec(
            prop_oneof![
                (-1_000_000i64..1_000_000).prop_map(|c| c as f64 / 100.0),
                -1e12f64..1e12,
                -1.0f64..1.0,
            ],
            1..400,
        ),
        chunk in 16usize..2048,
    ) {
        let bytes = file(&values);
        let whole = run(&bytes, 1 << 30, 1);
        prop_assert_eq!(run(&bytes, chunk, 2), whole.clone());
        prop_assert_eq!(run(&bytes, chunk, 1), whole);
    }
}

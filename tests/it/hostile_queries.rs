//! Hostile queries (issue 7): deep nesting gets a clear error, long chains
//! parse and run, big texts are handled — on the 2 MB stacks of test
//! threads, through the library. Very long pipelines, `let` chains that
//! copy plans quadratically, and plans deeper than the recursive passes can
//! take are clear errors, not a stack overflow or an out-of-memory kill.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};

/// Runs `query`, which must fail with an error mentioning `wanted`.
fn assert_refused(query: &str, wanted: &str) {
    let err = run(query).unwrap_err();
    assert!(err.contains(wanted), "{}", &err[..err.len().min(500)]);
}

fn run(query: &str) -> Result<String, String> {
    let engine = Engine::with_options(EngineOptions {
        threads: Some(2),
        ..EngineOptions::default()
    });
    let q = engine
        .compile(query)
        .map_err(|e| e.render(query, "query"))?;
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out.into_inner()).unwrap())
}

#[test]
fn a_hundred_thousand_nested_parentheses_is_a_clear_error() {
    let q = format!("print x = {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let err = run(&q).unwrap_err();
    assert!(err.contains("nested too deeply"), "{err}");
}

#[test]
fn a_twenty_thousand_term_or_chain_parses_and_runs() {
    let terms: Vec<String> = (0..20_000).map(|i| format!("x == {i}")).collect();
    let q = format!(
        "range x from 19998 to 20001 step 1 | where {}",
        terms.join(" or ")
    );
    assert_eq!(run(&q).unwrap(), "{\"x\":19998}\n{\"x\":19999}\n");
}

#[test]
fn a_twenty_thousand_term_sum_runs() {
    let q = format!("print x = {}", vec!["1"; 20_000].join(" + "));
    assert_eq!(run(&q).unwrap(), "{\"x\":20000}\n");
}

#[test]
fn a_one_megabyte_query_and_huge_literals() {
    let big = "a".repeat(1 << 20);
    let q = format!("print n = strlen(\"{big}\")");
    assert_eq!(run(&q).unwrap(), "{\"n\":1048576}\n");
    let err = run("print x = 99999999999999999999999999999")
        .map(|_| ())
        .err();
    // A literal too large for a long is either a real or a clear error, never a panic.
    if let Some(e) = err {
        assert!(e.contains("error"), "{e}");
    }
}

#[test]
fn catastrophic_regex_patterns_run_in_linear_time() {
    let text = "a".repeat(100_000);
    let q = format!("print m = \"{text}\" matches regex \"(a+)+$b\"");
    assert_eq!(run(&q).unwrap(), "{\"m\":false}\n");
}

#[test]
fn a_pipeline_of_five_thousand_operators_runs() {
    let q = format!("print x = 1{} | count", " | where x > 0".repeat(5_000));
    assert_eq!(run(&q).unwrap(), "{\"Count\":1}\n");
    let q = format!("print x = 1{}", " | extend x = x + 1".repeat(5_000));
    assert_eq!(run(&q).unwrap(), "{\"x\":5001}\n");
}

#[test]
fn a_pipeline_of_a_hundred_thousand_operators_is_a_clear_error() {
    // Overflowed the 256 MB stack of the compiling thread (an abort).
    let q = format!("print x = 1{} | count", " | where x > 0".repeat(100_000));
    assert_refused(&q, "pipeline too long");
    let q = format!(
        "print x = 1{}",
        " | extend x = pack_array(x)".repeat(100_000)
    );
    assert_refused(&q, "pipeline too long");
    // Parsed, but deeper than the optimizer takes.
    let q = format!("print x = 1{} | count", " | where x > 0".repeat(12_000));
    assert_refused(&q, "more than 10000 operators deep");
}

#[test]
fn a_chain_of_lets_is_refused_before_it_fills_memory() {
    // Each let copies the one before: 100,000 of them asked for terabytes.
    let n = 100_000;
    let mut q = String::from("let t0 = print x = 1;\n");
    for i in 1..n {
        q.push_str(&format!("let t{i} = t{} | where x > 0;\n", i - 1));
    }
    q.push_str(&format!("t{} | count", n - 1));
    assert_refused(&q, "the query is too large");
    // A few hundred are fine.
    let mut q = String::from("let t0 = print x = 1;\n");
    for i in 1..300 {
        q.push_str(&format!("let t{i} = t{} | where x > 0;\n", i - 1));
    }
    q.push_str("t299 | count");
    assert_eq!(run(&q).unwrap(), "{\"Count\":1}\n");
}

#[test]
fn a_plan_deeper_than_the_limit_through_lets_is_a_clear_error() {
    let ops = " | where x > 0".repeat(8_000);
    let q = format!("let a = print x = 1{ops};\nlet b = a{ops};\nb | count");
    assert_refused(&q, "more than 10000 operators deep");
}

#[test]
fn indexof_with_a_huge_length_does_not_panic() {
    // `start + length` overflowed: a panic in debug builds, and in release
    // a wrapped window that read past the string (exit 101).
    assert_eq!(
        run("print a = indexof('abc', 'z', 1, 9223372036854775807), \
             b = indexof('abc', 'b', 1, 9223372036854775807), \
             c = indexof('abcabc', 'c', 1, 9223372036854775807, 2), \
             d = indexof('abc', 'c', 0, 9223372036854775807, 9223372036854775807)")
        .unwrap(),
        "{\"a\":-1,\"b\":1,\"c\":5,\"d\":-1}\n"
    );
}

#[test]
fn indexof_regex_with_a_huge_length_does_not_panic() {
    // Found by libFuzzer: `start + length` overflowed in `indexof_regex` as it
    // once did in `indexof` (a panic with overflow checks).
    assert_eq!(
        run(
            "print a = indexof_regex('abcabc', 'c', 1, 9223372036854775807), \
             b = indexof_regex('abcabc', 'c', 3, 9223372036854775807, 1), \
             c = indexof_regex('abc', 'z', 0, 9223372036854775807)"
        )
        .unwrap(),
        "{\"a\":2,\"b\":5,\"c\":-1}\n"
    );
}

/// Issue 16 item 1: a function that calls itself (directly, through
/// another, or with an argument) is a clear error, not an endless loop in
/// the binder deciding whether its result is a table.
#[test]
fn recursive_functions_are_a_clear_error() {
    for q in [
        "let f = () { f() }; print f()",
        "let f = () { f() }; f()",
        "let f = (x:long) { f(x - 1) }; print f(3)",
        "let g = () { h() }; let h = () { g() }; print g()",
        "let f = () { range x from 1 to 2 step 1 | union (f()) }; f()",
    ] {
        assert_refused(q, "nest more than 64 deep");
    }
}

/// A seasonality longer than the series (any positive `long` is accepted)
/// is the same as one just past its end: each phase holds one point or
/// none. It used to allocate one slot per phase: `capacity overflow` (a
/// panic) at the `long` limit, found by the libFuzzer `eval` target
/// (`fuzz/regressions/eval/series-decompose-huge-seasonality`).
#[test]
fn a_seasonality_past_the_series_costs_no_more_than_the_series() {
    for f in [
        "series_decompose(dynamic([1, 5, 2, 8, 3]), P)",
        "series_decompose(dynamic([1, 5, 2, 8, 3]), P, 'linefit', 2)",
        "series_seasonal(dynamic([1, 5, 2, 8, 3]), P)",
        "series_decompose_forecast(dynamic([1, 5, 2, 8, 3]), 2, P)",
    ] {
        let near = run(&format!("print r = {}", f.replace('P', "6"))).unwrap();
        let huge = run(&format!(
            "print r = {}",
            f.replace('P', "9223372036854775807")
        ))
        .unwrap();
        assert_eq!(near, huge, "{f}");
    }
}

/// A period near the `long` limit is outside what can be detected (score
/// 0, as for any period longer than half the series). `2 * period`
/// overflowed there: a panic with overflow checks, and in release builds a
/// wrapped product that let a slice start past the series. Found by the
/// libFuzzer `eval` target
/// (`fuzz/regressions/eval/series-periods-validate-period-near-long-limit`).
#[test]
fn a_period_near_the_long_limit_scores_zero() {
    let series = "dynamic([1, 5, 2, 8, 3, 1, 5, 2, 8, 3])";
    for p in ["9223372036854775807", "9223372036854775808.0", "1e30"] {
        let out = run(&format!(
            "print r = series_periods_validate({series}, {p})[1][0]"
        ))
        .unwrap();
        let short = run(&format!(
            "print r = series_periods_validate({series}, 6)[1][0]"
        ))
        .unwrap();
        assert_eq!(out, short, "{p}");
    }
}

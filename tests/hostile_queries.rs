//! Hostile queries (issue 7): deep nesting gets a clear error, long chains
//! parse and run, big texts are handled — on the 2 MB stacks of test
//! threads, through the library.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::engine::{Engine, EngineOptions};
use kqlite::output::JsonLinesWriter;

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

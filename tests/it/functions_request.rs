//! The functions that read the request or the service around the query
//! (issue 15): `assert` decided while binding (assert-function),
//! `bin_auto` with `set query_bin_auto_size/at` (bin-auto-function),
//! `estimate_data_size` (estimate-data-size-function), `hash_combine` and
//! `hash_many` (hash-combine-function, hash-many-function),
//! `datetime_list_timezones`, `database("db").T`, and the functions only a
//! Kusto cluster can answer, each refused by name with its reason
//! (docs/semantics.md §11).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{DateTime, Engine, EngineOptions, NoteKind};

fn engine() -> Engine {
    Engine::with_options(EngineOptions {
        threads: Some(1),
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    })
}

/// The rows `query` gives, as JSON lines.
fn run(query: &str) -> String {
    let engine = engine();
    let q = engine
        .compile(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

/// The error `query` is refused with, rendered.
fn refusal(query: &str) -> String {
    match engine().compile(query) {
        Ok(_) => panic!("accepted: {query}"),
        Err(e) => e.render(query, "query"),
    }
}

/// The assert-function page's first and third examples fail with the
/// message, the first through a function whose parameter is a constant at
/// the call; the second (a valid length) runs.
#[test]
fn a_false_assert_refuses_the_query_with_its_message() {
    let check = "let checkLength = (len:long, s:string)\n{\n    assert(len > 0, \"Length must be greater than zero\") and\n    strlen(s) > len\n};\ndatatable(input:string)\n[\n    '123',\n    '4567'\n]\n";
    let err = refusal(&format!("{check}| where checkLength(len=long(-1), input)"));
    assert!(
        err.contains("assert() has failed with message: 'Length must be greater than zero'"),
        "{err}"
    );
    assert_eq!(
        run(&format!("{check}| where checkLength(len=3, input)")),
        "{\"input\":\"4567\"}\n"
    );
    // Evaluated even where `where b` returns no row.
    let err = refusal(
        "let b=false;\nprint x=\"Hello\"\n| where b\n| where assert(b, \"Assertion failed\")",
    );
    assert!(
        err.contains("assert() has failed with message: 'Assertion failed'"),
        "{err}"
    );
}

/// The page: the condition "can't be bound to row-context".
#[test]
fn an_assert_on_a_row_value_is_refused() {
    let err = refusal("datatable(a:long)[1] | where assert(a > 0, \"positive\")");
    assert!(err.contains("must be constants"), "{err}");
    assert_eq!(
        run("print ok = assert(1 < 2, \"never\")"),
        "{\"ok\":true}\n"
    );
}

#[test]
fn bin_auto_needs_a_bin_size_and_uses_the_fixed_point() {
    let err = refusal("print bin_auto(37)");
    assert!(err.contains("set query_bin_auto_size"), "{err}");
    assert_eq!(
        run("set query_bin_auto_size=10; print a = bin_auto(37)"),
        "{\"a\":30}\n"
    );
    assert_eq!(
        run("set query_bin_auto_size=10; set query_bin_auto_at=5; print a = bin_auto(37)"),
        "{\"a\":35}\n"
    );
    assert_eq!(
        run("set query_bin_auto_size=1h; print t = bin_auto(datetime(2020-01-01 10:31))"),
        "{\"t\":\"2020-01-01T10:00:00.0000000Z\"}\n"
    );
}

/// The page's size rules (a long 8 bytes, a string its length) and its
/// note that a dynamic value is larger than the same text as a string.
#[test]
fn estimate_data_size_counts_columns_and_star() {
    assert_eq!(
        run(
            "print x = 1, s = '1234567890' | project a = estimate_data_size(*), b = estimate_data_size(s)"
        ),
        "{\"a\":18,\"b\":10}\n"
    );
    let out = run(
        "print d = estimate_data_size(dynamic({\"a\":\"bcd\"})), s = estimate_data_size('{\"a\":\"bcd\"}')",
    );
    let row: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(row["d"].as_i64() > row["s"].as_i64(), "{out}");
}

/// hash_many is hash() of each value combined as hash_combine combines
/// (hash-many-function); a null hash gives null.
#[test]
fn hash_many_combines_the_hashes_of_its_values() {
    assert_eq!(
        run(
            "print a = hash_many('Hello', 'World') == hash_combine(hash('Hello'), hash('World')), \
             n = isnull(hash_combine(1, long(null)))"
        ),
        "{\"a\":true,\"n\":true}\n"
    );
    let err = refusal("print hash_many(dynamic([1]))");
    assert!(err.contains("cannot be dynamic"), "{err}");
}

#[test]
fn datetime_list_timezones_lists_the_zones_the_conversions_accept() {
    assert_eq!(
        run("print z = datetime_list_timezones() \
             | mv-expand z to typeof(string) \
             | where isnull(datetime_utc_to_local(datetime(2024-01-01), z)) | count"),
        "{\"Count\":0}\n"
    );
}

/// `database("db").T` reads the local table T and says so.
#[test]
fn database_member_reads_the_local_table_with_a_note() {
    let engine = engine();
    let q = engine
        .compile("let T = datatable(x:long)[1, 2]; database('Other').T | count")
        .unwrap();
    assert_eq!(
        q.notes().iter().map(|n| n.kind).collect::<Vec<_>>(),
        [NoteKind::OtherDatabase]
    );
    assert!(q.notes()[0].message.contains("database(\"Other\").T"));
    // `cluster(c).database(d).T` parses and reads T too.
    let q = engine
        .compile("let T = datatable(x:long)[1, 2]; cluster('help').database('Samples').T | count")
        .unwrap();
    assert!(
        q.notes()[0]
            .message
            .contains("cluster(\"help\").database(\"Samples\").T"),
        "{:?}",
        q.notes()
    );
}

/// Each function only a Kusto cluster can answer is refused by name, with
/// why, not as an unknown function.
#[test]
fn service_only_functions_are_refused_by_name_with_the_reason() {
    for (query, name) in [
        (
            "print current_cluster_endpoint()",
            "current_cluster_endpoint",
        ),
        ("print current_database()", "current_database"),
        ("print current_principal()", "current_principal"),
        (
            "print current_principal_details()",
            "current_principal_details",
        ),
        (
            "print current_principal_is_member_of('aadgroup=g@contoso.com')",
            "current_principal_is_member_of",
        ),
        ("print x = 1 | where cursor_after('')", "cursor_after"),
        (
            "print x = 1 | where cursor_before_or_at('')",
            "cursor_before_or_at",
        ),
        ("print cursor_current()", "cursor_current"),
        ("print x = 1 | extend e = extent_id()", "extent_id"),
        ("print x = 1 | extend e = extent_tags()", "extent_tags"),
        ("external_table('T') | take 1", "external_table"),
        ("materialized_view('V') | take 1", "materialized_view"),
        ("stored_query_result('R')", "stored_query_result"),
        ("cluster('help')", "cluster"),
    ] {
        let err = refusal(query);
        assert!(
            err.contains(&format!("the function '{name}' is not available offline: ")),
            "{query}: {err}"
        );
        assert!(!err.contains("is not defined"), "{query}: {err}");
    }
}

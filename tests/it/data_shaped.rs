//! Operators whose output columns depend on the data (`evaluate
//! bag_unpack`): the query is bound once without reading anything, and its
//! input is read only when every error left could depend on those columns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::Error;
use kqlite::ExecError;
use kqlite::{Engine, EngineOptions};
use std::sync::atomic::Ordering;

/// An engine that fails any attempt to read data (its run is cancelled
/// before it starts), so a compile that reads shows up as `Interrupted`.
fn engine_that_cannot_read() -> Engine {
    let engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        ..EngineOptions::default()
    });
    engine.cancel.store(true, Ordering::Relaxed);
    engine
}

const INPUT: &str = r#"datatable(d:dynamic) [dynamic({"a": 1})] | evaluate bag_unpack(d)"#;

#[test]
fn an_error_that_does_not_depend_on_the_keys_is_reported_before_any_read() {
    let engine = engine_that_cannot_read();
    let query = format!("{INPUT} | extend x = strlen(42, 43) | where a == 1");
    match engine.compile(&query) {
        Err(Error::Bind(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].message.contains("strlen"), "{errors:?}");
        }
        other => panic!("expected a query error, got {:?}", other.err()),
    }
    // An error in another statement is reported without reading, too.
    let query = format!("let t = {INPUT} | where a == 1; print nosuch_column");
    assert!(matches!(engine.compile(&query), Err(Error::Bind(_))));
}

#[test]
fn a_column_the_keys_may_provide_is_looked_up_after_reading() {
    let engine = engine_that_cannot_read();
    let query = format!("{INPUT} | where a == 1");
    assert!(matches!(
        engine.compile(&query),
        Err(Error::Exec(ExecError::Interrupted))
    ));
}

#[test]
fn the_keys_read_at_compile_time_give_the_schema_and_the_rows() {
    let engine = Engine::new();
    let query = engine.compile(&format!("{INPUT} | where a == 1")).unwrap();
    let schema = &query.result_schemas()[0];
    assert_eq!(schema.names().collect::<Vec<_>>(), ["a"]);
    let missing = engine.compile(&format!("{INPUT} | where b == 1"));
    match missing {
        Err(Error::Bind(errors)) => assert!(errors[0].message.contains("'b'"), "{errors:?}"),
        other => panic!("expected a query error, got {:?}", other.err()),
    }
}

#[test]
fn a_join_with_a_table_whose_columns_are_not_read_yet_waits_for_the_data() {
    let engine = engine_that_cannot_read();
    let query = format!("let x = {INPUT}; print a = 1 | join kind=inner (x) on a");
    assert!(matches!(
        engine.compile(&query),
        Err(Error::Exec(ExecError::Interrupted))
    ));
    let engine = Engine::new();
    let query = format!("let x = {INPUT}; print a = 1 | join kind=inner (x) on a");
    assert!(engine.compile(&query).is_ok());
}

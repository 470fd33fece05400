//! A query with no input tables, on one thread, its rows as JSON.

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use serde_json::Value as Json;

/// The rows `query` returns, each a JSON object; a compile error panics
/// with the rendered message.
pub fn rows(query: &str) -> Vec<Json> {
    let engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        ..EngineOptions::default()
    });
    let q = engine
        .compile(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The first column of the one row `query` returns.
pub fn one(query: &str) -> Json {
    let r = rows(query);
    assert_eq!(r.len(), 1, "{query}");
    r[0].as_object().unwrap().values().next().unwrap().clone()
}

//! Run a query over one file bound to a table, at a chosen thread count
//! and chunk size, and get its JSON-lines output as text: the shape of
//! every "same answer however the file is cut" test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::Stats;
use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use std::path::Path;

/// `query` over `path` bound to `table`, with `threads` workers and
/// `chunk_size`-byte chunks: the JSON-lines text and the run's statistics.
pub fn run_chunked(
    table: &str,
    path: &Path,
    query: &str,
    threads: usize,
    chunk_size: usize,
) -> (String, Stats) {
    run_chunked_with(
        table,
        path,
        query,
        EngineOptions {
            threads: Some(threads),
            chunk_size,
            ..EngineOptions::default()
        },
    )
}

/// [`run_chunked`] with every engine option given.
pub fn run_chunked_with(
    table: &str,
    path: &Path,
    query: &str,
    options: EngineOptions,
) -> (String, Stats) {
    let mut engine = Engine::with_options(options);
    engine.add_path(table, path).unwrap();
    let q = engine.compile(query).unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    let stats = q.run(&engine, &mut out).unwrap();
    (String::from_utf8(out.into_inner()).unwrap(), stats)
}

/// [`run_chunked`] over table `T`, one string per output line.
pub fn lines_chunked(path: &Path, query: &str, threads: usize, chunk_size: usize) -> Vec<String> {
    let (text, _) = run_chunked("T", path, query, threads, chunk_size);
    text.lines().map(str::to_string).collect()
}

//! Helpers shared by the `formats_*` tests: run a query over files bound
//! to tables and get its rows as JSON objects, with the run's statistics.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use kqlite::DateTime;
use kqlite::Stats;
use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use std::path::{Path, PathBuf};

pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/formats")
        .join(rel)
}

pub struct Run {
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
    pub stats: Stats,
}

/// Binds each `(table, path under tests/data/formats)` and runs `query`
/// with `threads` workers and `chunk`-byte chunks.
pub fn run_with(
    tables: &[(&str, &str)],
    formats: &[(&str, &str)],
    query: &str,
    threads: usize,
    chunk: usize,
) -> Result<Run, String> {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size: chunk,
        strict: false,
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    });
    for (table, format) in formats {
        engine
            .set_input_format(table, format)
            .map_err(|e| e.to_string())?;
    }
    for (table, path) in tables {
        engine
            .add_path(table, data(path))
            .map_err(|e| e.to_string())?;
    }
    let q = engine
        .compile(query)
        .map_err(|e| e.render(query, "query"))?;
    let mut out = JsonLinesWriter::new(Vec::new());
    let stats = q.run(&engine, &mut out).map_err(|e| e.to_string())?;
    let bytes = out.into_inner();
    let rows = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            serde_json::Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        })
        .collect();
    Ok(Run { rows, stats })
}

pub fn run(tables: &[(&str, &str)], query: &str) -> Run {
    run_with(tables, &[], query, 2, 1 << 20).unwrap_or_else(|e| panic!("{e}"))
}

/// The seven published queries, one per line of `examples/seed-queries.kql`.
pub fn seed_queries() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-queries.kql"),
    )
    .unwrap();
    let mut out = Vec::new();
    let mut title = String::new();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("// Q") {
            title = format!("Q{}", t.split(':').next().unwrap_or(""));
            continue;
        }
        if line.trim().is_empty() || line.starts_with("//") {
            continue;
        }
        out.push((title.clone(), line.to_string()));
    }
    out
}

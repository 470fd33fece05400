//! Runs a query whose rows have a `long` column `a` over tables already
//! added to an engine, keeping each row's `a` and what the run said of bad
//! input lines: the shape the malformed-input tests compare across chunk
//! sizes, thread counts and prefiltered or plain paths.

use kqlite::Engine;
use kqlite::output::JsonLinesWriter;

/// What one run gave.
#[derive(Debug, PartialEq)]
pub struct ColumnA {
    /// Each row's `a` in order (`i64::MIN` where it is null).
    pub a: Vec<i64>,
    /// Rows read from the input.
    pub rows_read: u64,
    /// Lines skipped as bad.
    pub bad_lines: u64,
    /// The bad lines reported: file, 1-based line, reason.
    pub reports: Vec<(String, usize, String)>,
}

/// Compiles and runs `query`; `Err` is the error with its exit code.
pub fn run_column_a(engine: &Engine, query: &str) -> Result<ColumnA, String> {
    let query = engine.compile(query).unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    let stats = query
        .run(engine, &mut out)
        .map_err(|e| format!("{} (exit {})", e, e.exit_code()))?;
    let text = String::from_utf8(out.into_inner()).unwrap();
    let a = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["a"].as_i64().unwrap_or(i64::MIN)
        })
        .collect();
    Ok(ColumnA {
        a,
        rows_read: stats.rows_read,
        bad_lines: stats.bad_lines,
        reports: stats
            .reports
            .into_iter()
            .map(|r| (r.file, r.line, r.reason))
            .collect(),
    })
}

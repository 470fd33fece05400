//! A file truncated while it is being scanned: the run fails with an error
//! naming the file (exit code 1 from the CLI), never a SIGBUS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::ExecError;
use kqlite::Schema;
use kqlite::Value;
use kqlite::{Engine, EngineOptions, ResultSink};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Truncates the file to nothing when the first row arrives, while later
/// chunks have not been read yet.
struct TruncateOnFirstRow {
    path: PathBuf,
    rows: usize,
}

impl ResultSink for TruncateOnFirstRow {
    fn begin_table(&mut self, _: usize, _: &Schema) -> Result<(), ExecError> {
        Ok(())
    }
    fn row(&mut self, _: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if self.rows == 0 {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&self.path)
                .unwrap()
                .set_len(0)
                .unwrap();
        }
        self.rows += 1;
        Ok(ControlFlow::Continue(()))
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

#[test]
fn truncation_mid_scan_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shrinking.jsonl");
    let line = format!("{{\"a\":1,\"pad\":\"{}\"}}\n", "x".repeat(200));
    std::fs::write(&path, line.repeat(50_000)).unwrap(); // ~10 MB
    // Files are mapped, and truncation caught, by default.
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        chunk_size: 64 << 10,
        ..EngineOptions::default()
    });
    engine.add_path("T", &path).unwrap();
    let query = engine.compile("T | project a").unwrap();
    let mut sink = TruncateOnFirstRow {
        path: path.clone(),
        rows: 0,
    };
    let err = query
        .run(&engine, &mut sink)
        .expect_err("the scan must fail");
    let text = err.to_string();
    assert_eq!(err.exit_code(), 1);
    assert!(
        text.contains("shrinking.jsonl") && text.contains("truncated"),
        "{text}"
    );
    assert!(sink.rows < 50_000);
}

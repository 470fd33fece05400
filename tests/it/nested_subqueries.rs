//! Subqueries that run once per row (`mv-apply`) start their own pipelines
//! from inside a worker. With every worker inside such a subquery, none is
//! left to run the subquery's items, so each runs them itself; these tests
//! failed by hanging before that.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `query` over `rows` JSON lines on a thread; `None` if it has not
/// finished after a minute (a deadlock, not a slow run).
fn run_or_hang(rows: &str, query: &'static str, threads: usize) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    std::fs::write(&path, rows).unwrap();
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let mut engine = Engine::with_options(EngineOptions {
            threads: Some(threads),
            chunk_size: 64,
            ..EngineOptions::default()
        });
        engine.add_path("T", &path).unwrap();
        let q = engine.compile(query).unwrap();
        let mut out = JsonLinesWriter::new(Vec::new());
        q.run(&engine, &mut out).unwrap();
        let _ = done.send(String::from_utf8(out.into_inner()).unwrap());
    });
    result.recv_timeout(Duration::from_secs(60)).ok()
}

#[test]
fn mv_apply_over_a_scanned_file_finishes_with_any_thread_count() {
    let rows: String = (0..200)
        .map(|i| format!("{{\"id\":{i},\"xs\":[{i},{},{}]}}\n", i + 1, i + 2))
        .collect();
    let query = "T | mv-apply x = xs to typeof(long) on (summarize s = sum(x)) | summarize total = sum(s), n = count()";
    // Σ over i of (3i + 3) for i in 0..200.
    let expected = "{\"total\":60300,\"n\":200}\n";
    for threads in [1, 2, 4] {
        let got = run_or_hang(&rows, query, threads);
        assert_eq!(got.as_deref(), Some(expected), "threads = {threads}");
    }
}

//! End to end at scale: the seven published seed queries over data from the
//! AKS generator (`benches/aksgen`), whose `expected.json` counts come from
//! the generator's own objects, never from an engine. Rare shapes (hits and
//! decoys) are made 60 times more frequent than in the benchmark data, and
//! 30 % of them use unusual JSON escapes (`\/`, `\u0061`, in keys and in
//! values, at every level of nesting), so a prefilter or a lazy decoder
//! that loses a row shows up here as a wrong count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::aksgen;

use kqlite::ExecError;
use kqlite::Schema;
use kqlite::Value;
use kqlite::{Engine, EngineOptions, ResultSink};
use std::ops::ControlFlow;
use std::path::Path;

/// Counts result rows.
#[derive(Default)]
struct Count(u64);

impl ResultSink for Count {
    fn begin_table(&mut self, _: usize, _: &Schema) -> Result<(), ExecError> {
        Ok(())
    }
    fn row(&mut self, _: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.0 += 1;
        Ok(ControlFlow::Continue(()))
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

fn engine(dir: &Path, threads: usize, chunk_size: usize) -> Engine {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size,
        ..EngineOptions::default()
    });
    engine
        .add_path("AzureDiagnostics", dir.join(aksgen::DIAGNOSTICS_FILE))
        .unwrap();
    engine
        .add_path("AzureActivity", dir.join(aksgen::ACTIVITY_FILE))
        .unwrap();
    engine
}

/// Runs every query under every (threads, chunk size) and returns the
/// mismatches as text.
fn check(dir: &Path, expected: &aksgen::Expected, queries: &[(String, String)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (threads, chunk) in [(1, EngineOptions::default().chunk_size), (2, 3000)] {
        let engine = engine(dir, threads, chunk);
        for (name, text) in queries {
            let want = expected.seed(name).expect("a query with an expectation");
            let query = engine.compile(text).unwrap();
            let mut count = Count::default();
            let stats = query.run(&engine, &mut count).unwrap();
            if stats.bad_lines != 0 {
                failures.push(format!(
                    "{name} (threads {threads}, chunk {chunk}): {} bad lines: {:?}",
                    stats.bad_lines, stats.reports
                ));
            }
            if count.0 != want {
                failures.push(format!(
                    "{name} (threads {threads}, chunk {chunk}): {} rows, the generator expects {want}",
                    count.0
                ));
            }
        }
    }
    failures
}

#[test]
fn seed_queries_return_the_generated_counts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = aksgen::Config {
        rare_scale: 60.0,
        escaped: 0.3,
        ..aksgen::Config::new(2000, 1000, 11)
    };
    let summary = aksgen::generate(&cfg, dir.path()).unwrap();
    let e = &summary.expected;
    // Every query has hits to find, so a count of 0 cannot pass by accident.
    for (name, n) in e.entries() {
        assert!(
            n > 0,
            "{name}: the generated data has no hit; pick another seed"
        );
    }
    let mut queries = aksgen::seed_queries();
    assert_eq!(queries.len(), 7);
    queries.extend(aksgen::restored_queries());
    let failures = check(dir.path(), e, &queries);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_queries_at_the_benchmark_rates() {
    // The default rates and escapes, as the benchmarks use them.
    let dir = tempfile::tempdir().unwrap();
    let summary = aksgen::generate(&aksgen::Config::new(3000, 600, 5), dir.path()).unwrap();
    let failures = check(dir.path(), &summary.expected, &aksgen::seed_queries());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_generator_is_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = aksgen::Config::new(500, 100, 42);
    aksgen::generate(&cfg, a.path()).unwrap();
    aksgen::generate(&cfg, b.path()).unwrap();
    for f in [
        aksgen::DIAGNOSTICS_FILE,
        aksgen::ACTIVITY_FILE,
        aksgen::EXPECTED_FILE,
    ] {
        let (x, y) = (
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs");
    }
    let other = aksgen::Config::new(500, 100, 43);
    aksgen::generate(&other, b.path()).unwrap();
    assert_ne!(
        std::fs::read(a.path().join(aksgen::DIAGNOSTICS_FILE)).unwrap(),
        std::fs::read(b.path().join(aksgen::DIAGNOSTICS_FILE)).unwrap()
    );
}

#[test]
fn every_generated_line_is_a_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = aksgen::Config {
        rare_scale: 100.0,
        escaped: 1.0,
        ..aksgen::Config::new(1500, 500, 3)
    };
    aksgen::generate(&cfg, dir.path()).unwrap();
    for f in [aksgen::DIAGNOSTICS_FILE, aksgen::ACTIVITY_FILE] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        for (i, line) in text.lines().enumerate() {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{f}:{}: {e}", i + 1));
            assert!(v.is_object(), "{f}:{}", i + 1);
        }
    }
    let read = aksgen::read_expected(&dir.path().join(aksgen::EXPECTED_FILE)).unwrap();
    assert_eq!(read.len(), 10);
}

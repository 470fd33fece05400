//! End-to-end scans: each published seed query (`examples/seed-queries.kql`)
//! through the library over generated AKS logs, at 1 thread and at every
//! core, reported in bytes per second of input; beside them, the floor: an
//! mmap + memchr line count of the same file at 1 and 2 threads.
//!
//! ```sh
//! cargo bench --bench scan                        # 64 MiB inputs
//! KQLITE_BENCH_MB=64,256 cargo bench --bench scan # also 256 MiB
//! cargo bench --bench scan -- Q5                  # one query
//! ```
//!
//! The data is generated once per size by `benches/aksgen` (seed 1, the
//! default rates) into `target/bench-data/criterion-<N>M/` and reused. Before
//! measuring, each query's row count is checked against the generator's
//! expectation, so a fast wrong answer cannot be benchmarked.
//!
//! On a shared machine, compare a query with the line count of the same run
//! rather than with numbers from another day.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aksgen;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kqlite::ExecError;
use kqlite::Schema;
use kqlite::Value;
use kqlite::{Engine, EngineOptions, ResultSink};
use std::hint::black_box;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Counts result rows.
struct Count(u64);

impl ResultSink for Count {
    fn begin_table(&mut self, _: usize, _: &Schema) -> Result<(), ExecError> {
        Ok(())
    }
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        black_box(row);
        self.0 += 1;
        Ok(ControlFlow::Continue(()))
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

/// Sizes in MiB, from `KQLITE_BENCH_MB` (default 64).
fn sizes() -> Vec<u64> {
    std::env::var("KQLITE_BENCH_MB")
        .unwrap_or_else(|_| "64".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Generates (or reuses) the data set of `mb` MiB per table.
fn data(mb: u64) -> (PathBuf, aksgen::Expected) {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-data/criterion-{mb}M"));
    let bytes = mb << 20;
    let cfg = aksgen::Config::new(
        aksgen::diagnostics_rows_for(bytes, 1, 1.0, aksgen::DEFAULT_ESCAPED),
        aksgen::activity_rows_for(bytes, 1, 1.0, aksgen::DEFAULT_ESCAPED),
        1,
    );
    let marker = dir.join(".config");
    let key = format!("{cfg:?}");
    let cached = std::fs::read_to_string(&marker).is_ok_and(|k| k == key);
    if !cached {
        eprintln!("generating {mb} MiB per table into {}", dir.display());
        aksgen::generate(&cfg, &dir).unwrap();
        std::fs::write(&marker, &key).unwrap();
    }
    let read = aksgen::read_expected(&dir.join(aksgen::EXPECTED_FILE)).unwrap();
    let get = |name: &str| read.iter().find(|(n, _)| n == name).unwrap().1;
    let expected = aksgen::Expected {
        q1: get("Q1"),
        q1_case_sensitive: get("Q1_case_sensitive"),
        q2: get("Q2"),
        q3: get("Q3"),
        q4: get("Q4"),
        q5: get("Q5"),
        q5_restored: get("Q5_restored"),
        q6: get("Q6"),
        q6_restored: get("Q6_restored"),
        q7: get("Q7"),
    };
    (dir, expected)
}

fn table_of(query: &str) -> &'static str {
    if query.starts_with("AzureActivity") {
        "AzureActivity"
    } else {
        "AzureDiagnostics"
    }
}

fn file_of(dir: &Path, table: &str) -> PathBuf {
    dir.join(format!("{table}.json"))
}

fn line_count(bytes: &[u8], threads: usize) -> u64 {
    let part = bytes.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = bytes
            .chunks(part)
            .map(|c| s.spawn(move || memchr::memchr_iter(b'\n', c).count() as u64))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn bench_scan(c: &mut Criterion) {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut thread_counts = vec![1];
    if cores > 1 {
        thread_counts.push(cores);
    }
    for mb in sizes() {
        let (dir, expected) = data(mb);
        let mut group = c.benchmark_group(format!("scan_{mb}M"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));

        // The floor: count the lines of the mapped file.
        for table in ["AzureDiagnostics", "AzureActivity"] {
            let file = std::fs::File::open(file_of(&dir, table)).unwrap();
            // SAFETY: the generated file is not modified while the benchmark runs.
            let map = unsafe { memmap2::Mmap::map(&file) }.unwrap();
            group.throughput(Throughput::Bytes(map.len() as u64));
            for &t in &[1, 2] {
                group.bench_function(
                    BenchmarkId::new(format!("linecount_{table}"), format!("{t}t")),
                    |b| b.iter(|| line_count(black_box(&map), t)),
                );
            }
        }

        // Map the files, as the command does.
        kqlite::MmapChoice::Guarded.set_process_default();
        for &threads in &thread_counts {
            let mut engine = Engine::with_options(EngineOptions {
                threads: Some(threads),
                ..EngineOptions::default()
            });
            for table in ["AzureDiagnostics", "AzureActivity"] {
                engine.add_path(table, file_of(&dir, table)).unwrap();
            }
            for (name, text) in aksgen::seed_queries() {
                let bytes = std::fs::metadata(file_of(&dir, table_of(&text)))
                    .unwrap()
                    .len();
                let query = engine.compile(&text).unwrap();
                let mut count = Count(0);
                query.run(&engine, &mut count).unwrap();
                let want = expected.seed(&name).unwrap();
                assert_eq!(
                    count.0, want,
                    "{name}: {} rows, the generator expects {want}",
                    count.0
                );
                group.throughput(Throughput::Bytes(bytes));
                group.bench_function(
                    BenchmarkId::new(name.as_str(), format!("{threads}t")),
                    |b| {
                        b.iter(|| {
                            let mut count = Count(0);
                            query.run(&engine, &mut count).unwrap();
                            count.0
                        })
                    },
                );
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);

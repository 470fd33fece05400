//! Size doubling for the input paths that were quadratic (issue 16 items
//! 2, 3 and 6): each group reads an input of size N and one of size 2N.
//! Linear work takes about twice as long at 2N; the acceptance is a ratio
//! of at most 4 (linear within a factor of two), read off the report, not
//! asserted on a clock.
//!
//! ```sh
//! cargo bench --bench scale                  # every group
//! cargo bench --bench scale -- wide_line     # one group
//! ```
//!
//! * `gzip_json_array` (item 2): a gzipped JSON array of records (the
//!   query-API and Event Hub document shapes), `T | count`. Each record's
//!   line number used to be counted from the start of the document.
//! * `gzip_long_line` (item 3): one long line inside a .gz, then a short
//!   one, `T | project n = strlen(a)`. The pending buffer used to be
//!   rescanned per decompressed block.
//! * `wide_line` (item 6): one line of K keys in front of 20,000 rows,
//!   registering the input, compiling and running a filter and a count.
//!   Planning and scanning used to be quadratic in the number of
//!   discovered columns.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Registers `bytes` as table `T` (file name `name`), runs `query`: its
/// JSON lines.
fn run(name: &str, bytes: &[u8], query: &str) -> String {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(2),
        ..EngineOptions::default()
    });
    engine.add_bytes("T", name, bytes.to_vec()).unwrap();
    let q = engine.compile(query).unwrap();
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

/// A gzipped, pretty-printed JSON array of `n` records.
fn gzip_array(n: usize) -> Vec<u8> {
    let mut text = String::from("[\n");
    for i in 0..n {
        let sep = if i + 1 == n { "" } else { "," };
        text.push_str(&format!(
            "  {{\"a\": {i}, \"s\": \"some text here\"}}{sep}\n"
        ));
    }
    text.push_str("]\n");
    gzip(text.as_bytes())
}

/// A gzipped file whose first line holds a string of `len` bytes.
fn gzip_long_line(len: usize) -> Vec<u8> {
    let mut text = b"{\"a\":\"".to_vec();
    text.resize(text.len() + len, b'x');
    text.extend_from_slice(b"\"}\n{\"a\":\"y\"}\n");
    gzip(&text)
}

/// One line of `keys` keys, then 20,000 narrow rows.
fn wide_line(keys: usize) -> Vec<u8> {
    let mut text = String::from("{\"a\":0");
    for k in 0..keys {
        text.push_str(&format!(",\"k{k}\":{k}"));
    }
    text.push_str("}\n");
    for i in 0..20_000 {
        text.push_str(&format!("{{\"a\":{i},\"s\":\"row {i}\"}}\n"));
    }
    text.into_bytes()
}

fn bench_scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("gzip_json_array");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for n in [100_000, 200_000] {
        let bytes = gzip_array(n);
        assert_eq!(
            run("a.json.gz", &bytes, "T | count"),
            format!("{{\"Count\":{n}}}\n")
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, bytes| {
            b.iter(|| black_box(run("a.json.gz", bytes, "T | count")))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("gzip_long_line");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    for len in [64 << 20, 128 << 20] {
        let bytes = gzip_long_line(len);
        let query = "T | project n = strlen(a)";
        assert_eq!(
            run("a.jsonl.gz", &bytes, query),
            format!("{{\"n\":{len}}}\n{{\"n\":1}}\n")
        );
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::from_parameter(len), &bytes, |b, bytes| {
            b.iter(|| black_box(run("a.jsonl.gz", bytes, query)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("wide_line");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    for keys in [20_000, 40_000] {
        let bytes = wide_line(keys);
        let query = "T | where a >= 10 | summarize n = count(), s = countif(isnotempty(s))";
        assert_eq!(run("w.jsonl", &bytes, query), "{\"n\":19990,\"s\":19990}\n");
        group.throughput(Throughput::Elements(keys as u64));
        group.bench_with_input(BenchmarkId::from_parameter(keys), &bytes, |b, bytes| {
            b.iter(|| black_box(run("w.jsonl", bytes, query)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_scale);
criterion_main!(benches);

//! Parsing speed over the committed corpus (tests/corpus/*.jsonl): every
//! query, valid or not, in one iteration.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn queries() -> Vec<String> {
    let files = [
        include_str!("../tests/corpus/sentinel-visible.jsonl"),
        include_str!("../tests/corpus/k8s-visible.jsonl"),
        include_str!("../tests/corpus/azurediag-activity-visible.jsonl"),
    ];
    files
        .iter()
        .flat_map(|text| text.lines())
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["query"].as_str().unwrap().to_string()
        })
        .collect()
}

fn bench_parse(c: &mut Criterion) {
    let queries = queries();
    let bytes: usize = queries.iter().map(String::len).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for q in &queries {
                let _ = black_box(kqlite::internals::syntax::parse(black_box(q)));
            }
        })
    });
    let trees: Vec<_> = queries
        .iter()
        .filter_map(|q| kqlite::internals::syntax::parse(q).ok())
        .collect();
    group.bench_function("print", |b| {
        b.iter(|| {
            for t in &trees {
                black_box(kqlite::internals::syntax::print(black_box(t)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);

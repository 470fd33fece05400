//! Throughput of the JSON hot path on AzureDiagnostics rows for AKS.
//!
//! `benches/data/aks_diagnostics.jsonl` holds the first 32 rows of
//! `gen-aks-logs.py --rows 200 --seed 1` (1.1–4 KB each; 24 are kube-audit
//! rows whose `log_s` is an audit Event encoded as a JSON string).
//!
//! Run: `cargo bench --bench json` (add `-- <group>` to pick one). Each
//! group reports bytes per second; serde_json doing the same job is there
//! for scale.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kqlite::json::{self, KeySet, RowSlots, Scanner, get_member, get_members, string_text};

const ROWS: &str = include_str!("data/aks_diagnostics.jsonl");

fn rows() -> Vec<&'static [u8]> {
    ROWS.lines().map(str::as_bytes).collect()
}

fn total(items: &[&[u8]]) -> u64 {
    items.iter().map(|r| r.len() as u64).sum()
}

/// The raw `log_s` values (JSON strings, quotes included) of the
/// kube-audit rows.
fn raw_log_s() -> Vec<&'static [u8]> {
    let keys = KeySet::new(&["Category", "log_s"]);
    let mut slots = RowSlots::new();
    let mut out = Vec::new();
    for row in rows() {
        if keys.scan_row(row, &mut slots).is_err() {
            continue;
        }
        let category = slots.get(row, 0).and_then(string_text);
        if category.as_deref() == Some("kube-audit")
            && let Some(raw) = slots.get(row, 1)
        {
            out.push(raw);
        }
    }
    out
}

fn validate_rows(c: &mut Criterion) {
    let rows = rows();
    let mut g = c.benchmark_group("validate_row");
    g.throughput(Throughput::Bytes(total(&rows)));
    g.bench_function("kqlite skip_value", |b| {
        b.iter(|| {
            for row in &rows {
                let mut s = Scanner::new(black_box(row));
                black_box(s.skip_value().and_then(|()| s.finish())).ok();
            }
        })
    });
    g.bench_function("kqlite validate (tree depth)", |b| {
        b.iter(|| {
            for row in &rows {
                black_box(json::validate(black_box(row)));
            }
        })
    });
    g.bench_function("serde_json IgnoredAny", |b| {
        b.iter(|| {
            for row in &rows {
                black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(
                    row,
                )))
                .ok();
            }
        })
    });
    g.finish();
}

fn scan_rows(c: &mut Criterion) {
    let rows = rows();
    let mut g = c.benchmark_group("scan_row_2_keys");
    g.throughput(Throughput::Bytes(total(&rows)));
    let keys = KeySet::new(&["Category", "log_s"]);
    let mut slots = RowSlots::new();
    g.bench_function("kqlite scan_row Category+log_s", |b| {
        b.iter(|| {
            for row in &rows {
                keys.scan_row(black_box(row), &mut slots).ok();
                black_box(&slots);
            }
        })
    });
    let keys = KeySet::new(&["_ResourceId", "TenantId"]);
    g.bench_function("kqlite scan_row first+last keys", |b| {
        b.iter(|| {
            for row in &rows {
                keys.scan_row(black_box(row), &mut slots).ok();
                black_box(&slots);
            }
        })
    });
    g.finish();
}

fn log_s_lookups(c: &mut Criterion) {
    let raws = raw_log_s();
    let mut g = c.benchmark_group("log_s_verb_sourceIPs");
    g.throughput(Throughput::Bytes(total(&raws)));
    let mut text: Vec<u8> = Vec::new();
    let keys = KeySet::new(&["verb", "sourceIPs"]);
    let mut slots = RowSlots::new();
    g.bench_function("kqlite unescape + get_members", |b| {
        b.iter(|| {
            for raw in &raws {
                text.clear();
                if Scanner::new(black_box(raw))
                    .read_string_bytes_into(&mut text)
                    .is_err()
                {
                    continue;
                }
                let event = &text[..];
                if let Ok(true) = get_members(event, &keys, &mut slots) {
                    black_box(slots.get(event, 0).and_then(string_text));
                    black_box(
                        slots
                            .get(event, 1)
                            .and_then(|ips| json::get_index(ips, 0).ok().flatten()),
                    );
                }
            }
        })
    });
    g.bench_function("kqlite unescape + get_member x2", |b| {
        b.iter(|| {
            for raw in &raws {
                let Some(text) = string_text(black_box(raw)) else {
                    continue;
                };
                let event = text.as_bytes();
                black_box(
                    get_member(event, "verb")
                        .ok()
                        .flatten()
                        .and_then(string_text),
                );
                black_box(get_member(event, "sourceIPs").ok().flatten());
            }
        })
    });
    g.bench_function("serde_json String + Value", |b| {
        b.iter(|| {
            for raw in &raws {
                let Ok(text) = serde_json::from_slice::<String>(black_box(raw)) else {
                    continue;
                };
                let Ok(event) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                black_box(event.get("verb"));
                black_box(event.get("sourceIPs").and_then(|ips| ips.get(0)));
            }
        })
    });
    g.finish();
}

fn unescape(c: &mut Criterion) {
    let raws = raw_log_s();
    let mut g = c.benchmark_group("unescape_log_s");
    g.throughput(Throughput::Bytes(total(&raws)));
    let mut text: Vec<u8> = Vec::new();
    g.bench_function("kqlite read_string_bytes_into", |b| {
        b.iter(|| {
            for raw in &raws {
                text.clear();
                Scanner::new(black_box(raw))
                    .read_string_bytes_into(&mut text)
                    .ok();
                black_box(&text);
            }
        })
    });
    g.bench_function("kqlite string_text (allocates)", |b| {
        b.iter(|| {
            for raw in &raws {
                black_box(string_text(black_box(raw)));
            }
        })
    });
    g.bench_function("serde_json String", |b| {
        b.iter(|| {
            for raw in &raws {
                black_box(serde_json::from_slice::<String>(black_box(raw))).ok();
            }
        })
    });
    g.finish();
}

fn parse_trees(c: &mut Criterion) {
    let rows = rows();
    let mut g = c.benchmark_group("parse_value_row");
    g.throughput(Throughput::Bytes(total(&rows)));
    g.bench_function("kqlite parse_value", |b| {
        b.iter(|| {
            for row in &rows {
                black_box(json::parse_value_bytes(black_box(row))).ok();
            }
        })
    });
    g.bench_function("serde_json Value", |b| {
        b.iter(|| {
            for row in &rows {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(row))).ok();
            }
        })
    });
    g.finish();

    let events: Vec<String> = raw_log_s()
        .into_iter()
        .filter_map(|raw| string_text(raw).map(|t| t.into_owned()))
        .collect();
    let events: Vec<&[u8]> = events.iter().map(|e| e.as_bytes()).collect();
    let mut g = c.benchmark_group("parse_value_audit_event");
    g.throughput(Throughput::Bytes(total(&events)));
    g.bench_function("kqlite parse_value", |b| {
        b.iter(|| {
            for event in &events {
                black_box(json::parse_value_bytes(black_box(event))).ok();
            }
        })
    });
    g.bench_function("serde_json Value", |b| {
        b.iter(|| {
            for event in &events {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(
                    event,
                )))
                .ok();
            }
        })
    });
    g.finish();

    let trees: Vec<_> = events
        .iter()
        .filter_map(|e| json::parse_value_bytes(e).ok())
        .collect();
    let mut g = c.benchmark_group("write_value_audit_event");
    g.throughput(Throughput::Bytes(total(&events)));
    let mut out = String::new();
    g.bench_function("kqlite write_value", |b| {
        b.iter(|| {
            for tree in &trees {
                out.clear();
                json::write_value(black_box(tree), &mut out);
                black_box(&out);
            }
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = validate_rows, scan_rows, log_s_lookups, unescape, parse_trees
}
criterion_main!(benches);

//! Throughput of the JSON hot path on AzureDiagnostics rows for AKS.
//!
//! `benches/data/aks_diagnostics.jsonl` holds the first 32 rows of
//! `gen-aks-logs.py --rows 200 --seed 1` (1.1–4 KB each; 24 are kube-audit
//! rows whose `log_s` is an audit Event encoded as a JSON string).
//!
//! * `cargo bench --bench json` runs the workloads under criterion (add
//!   `-- <filter>` to pick some).
//! * `JSON_BENCH_BEST=100 cargo bench --bench json` instead prints, for each
//!   workload, the best of 100 timings of 10 passes. On a shared machine
//!   the best time is the one least disturbed by other work; the mean that
//!   criterion reports moves with the machine's load.
//!
//! Every workload reports bytes per second of its input; serde_json doing
//! the same job is alongside for scale.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use kqlite::internals::json::{
    self, KeySet, Parser, RowSlots, Scanner, get_member, get_members, string_text,
};

const ROWS: &str = include_str!("data/aks_diagnostics.jsonl");

/// One job over a fixed input.
struct Workload {
    group: &'static str,
    name: &'static str,
    /// Input bytes per run.
    bytes: u64,
    run: Box<dyn FnMut()>,
}

fn total(items: &[&[u8]]) -> u64 {
    items.iter().map(|r| r.len() as u64).sum()
}

fn workloads() -> Vec<Workload> {
    let rows: Vec<&'static [u8]> = ROWS.lines().map(str::as_bytes).collect();
    // The raw `log_s` values (JSON strings, quotes included) of the
    // kube-audit rows, and the audit events they hold.
    let mut raws: Vec<&'static [u8]> = Vec::new();
    {
        let keys = KeySet::new(&["Category", "log_s"]);
        let mut slots = RowSlots::new();
        for &row in &rows {
            if keys.scan_row(row, &mut slots).is_err() {
                continue;
            }
            let category = slots.get(row, 0).and_then(string_text);
            if category.as_deref() == Some("kube-audit")
                && let Some(raw) = slots.get(row, 1)
            {
                raws.push(raw);
            }
        }
    }
    let events: Vec<&'static [u8]> = raws
        .iter()
        .filter_map(|raw| string_text(raw))
        .map(|text| Box::leak(text.into_owned().into_boxed_str()).as_bytes())
        .collect();
    let (row_bytes, raw_bytes, event_bytes) = (total(&rows), total(&raws), total(&events));
    let mut w = Vec::new();
    let mut add = |group, name, bytes, run: Box<dyn FnMut()>| {
        w.push(Workload {
            group,
            name,
            bytes,
            run,
        })
    };

    // Validating (skipping) whole rows.
    let r = rows.clone();
    add(
        "validate_row",
        "kqlite skip_value",
        row_bytes,
        Box::new(move || {
            for row in &r {
                let mut s = Scanner::new(black_box(row));
                black_box(s.skip_value().and_then(|()| s.finish())).ok();
            }
        }),
    );
    let r = rows.clone();
    add(
        "validate_row",
        "serde_json IgnoredAny",
        row_bytes,
        Box::new(move || {
            for row in &r {
                black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(
                    row,
                )))
                .ok();
            }
        }),
    );

    // One pass per row for two columns.
    for (name, wanted) in [
        ("kqlite scan_row Category+log_s", ["Category", "log_s"]),
        (
            "kqlite scan_row TenantId+_ResourceId",
            ["TenantId", "_ResourceId"],
        ),
    ] {
        let r = rows.clone();
        let keys = KeySet::new(&wanted);
        let mut slots = RowSlots::new();
        add(
            "scan_row_2_keys",
            name,
            row_bytes,
            Box::new(move || {
                for row in &r {
                    keys.scan_row(black_box(row), &mut slots).ok();
                    black_box(&slots);
                }
            }),
        );
    }

    // `parse_json(log_s).verb` and `.sourceIPs[0]`, from the raw column.
    let r = raws.clone();
    let keys = KeySet::new(&["verb", "sourceIPs"]);
    let mut slots = RowSlots::new();
    let mut text: Vec<u8> = Vec::new();
    add(
        "log_s_verb_sourceIPs",
        "kqlite unescape + get_members",
        raw_bytes,
        Box::new(move || {
            for raw in &r {
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
        }),
    );
    let r = raws.clone();
    add(
        "log_s_verb_sourceIPs",
        "kqlite string_text + get_member x2",
        raw_bytes,
        Box::new(move || {
            for raw in &r {
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
        }),
    );
    let r = raws.clone();
    add(
        "log_s_verb_sourceIPs",
        "serde_json String + Value",
        raw_bytes,
        Box::new(move || {
            for raw in &r {
                let Ok(text) = serde_json::from_slice::<String>(black_box(raw)) else {
                    continue;
                };
                let Ok(event) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                black_box(event.get("verb"));
                black_box(event.get("sourceIPs").and_then(|ips| ips.get(0)));
            }
        }),
    );

    // Unescaping alone.
    let r = raws.clone();
    let mut text: Vec<u8> = Vec::new();
    add(
        "unescape_log_s",
        "kqlite read_string_bytes_into",
        raw_bytes,
        Box::new(move || {
            for raw in &r {
                text.clear();
                Scanner::new(black_box(raw))
                    .read_string_bytes_into(&mut text)
                    .ok();
                black_box(&text);
            }
        }),
    );
    let r = raws.clone();
    add(
        "unescape_log_s",
        "serde_json String",
        raw_bytes,
        Box::new(move || {
            for raw in &r {
                black_box(serde_json::from_slice::<String>(black_box(raw))).ok();
            }
        }),
    );

    // Whole trees.
    for (group, input, bytes) in [
        ("parse_value_row", rows.clone(), row_bytes),
        ("parse_value_audit_event", events.clone(), event_bytes),
    ] {
        let i = input.clone();
        let mut parser = Parser::new();
        add(
            group,
            "kqlite Parser::parse",
            bytes,
            Box::new(move || {
                for doc in &i {
                    black_box(parser.parse(black_box(doc))).ok();
                }
            }),
        );
        let i = input;
        add(
            group,
            "serde_json Value",
            bytes,
            Box::new(move || {
                for doc in &i {
                    black_box(serde_json::from_slice::<serde_json::Value>(black_box(doc))).ok();
                }
            }),
        );
    }

    let trees: Vec<_> = events
        .iter()
        .filter_map(|e| json::parse_value_bytes(e).ok())
        .collect();
    let mut out = String::new();
    add(
        "write_value_audit_event",
        "kqlite write_value",
        event_bytes,
        Box::new(move || {
            for tree in &trees {
                out.clear();
                kqlite::internals::value::json::write_value(black_box(tree), &mut out);
                black_box(&out);
            }
        }),
    );
    w
}

fn with_criterion(workloads: Vec<Workload>) {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut rest = workloads.into_iter().peekable();
    while let Some(first) = rest.next() {
        let mut group = c.benchmark_group(first.group);
        group.throughput(Throughput::Bytes(first.bytes));
        let mut members = vec![first];
        while let Some(next) = rest.next_if(|w| w.group == members[0].group) {
            members.push(next);
        }
        for mut w in members {
            group.bench_function(w.name, |b| b.iter(&mut w.run));
        }
        group.finish();
    }
    c.final_summary();
}

fn best_of(rounds: usize, workloads: Vec<Workload>) {
    const PASSES: u32 = 10;
    println!("best of {rounds} x {PASSES} passes, MB/s (10^6 bytes)");
    for mut w in workloads {
        (w.run)();
        let mut best = Duration::MAX;
        for _ in 0..rounds {
            let start = Instant::now();
            for _ in 0..PASSES {
                (w.run)();
            }
            best = best.min(start.elapsed() / PASSES);
        }
        let rate = w.bytes as f64 / best.as_secs_f64() / 1e6;
        println!("{:26} {:38} {rate:8.0}", w.group, w.name);
    }
}

fn main() {
    let workloads = workloads();
    match std::env::var("JSON_BENCH_BEST")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(rounds) => best_of(rounds, workloads),
        None => with_criterion(workloads),
    }
}

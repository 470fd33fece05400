//! Expression evaluation, row by row: `T | where <predicate> | count` over
//! rows already in memory (`Engine::add_rows`: no input decoding), so what
//! is measured is the predicate plus the executor's fixed cost per row,
//! which the `baseline` case (`T | count`) shows alone.
//!
//! The rows are 2,000 AzureDiagnostics rows (80 % kube-audit with an audit
//! event in `log_s`) and 1,000 AzureActivity rows from the generator
//! (`benches/aksgen`), so string lengths and JSON shapes are realistic.
//! Results are in rows (elements) per second; divide 1 s by it for the cost
//! of one row.
//!
//! `cargo bench --bench eval` (add `-- parse_json` to pick some).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aksgen;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kqlite::DataType;
use kqlite::ExecError;
use kqlite::Value;
use kqlite::{Engine, EngineOptions, ResultSink};
use kqlite::{Field, Schema};
use std::ops::ControlFlow;
use std::time::Duration;

struct Count(u64);

impl ResultSink for Count {
    fn begin_table(&mut self, _: usize, _: &Schema) -> Result<(), ExecError> {
        Ok(())
    }
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if let Some(Value::Long(n)) = row.first() {
            self.0 += *n as u64;
        }
        Ok(ControlFlow::Continue(()))
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

/// The string columns `names` of generated rows.
fn rows(text: &[u8], names: &[&str]) -> Vec<Vec<Value>> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_slice(line).unwrap();
            names
                .iter()
                .map(|n| Value::string(v[*n].as_str().unwrap_or("")))
                .collect()
        })
        .collect()
}

fn engine() -> (Engine, u64, u64) {
    let cfg = aksgen::Config::new(2000, 1000, 1);
    let (mut diag, mut act) = (Vec::new(), Vec::new());
    let mut e = aksgen::Expected::default();
    aksgen::write_diagnostics(&cfg, &mut diag, &mut e).unwrap();
    aksgen::write_activity(&cfg, &mut act, &mut e).unwrap();
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        ..EngineOptions::default()
    });
    let string = |n: &str| Field::new(n, DataType::String);
    engine
        .add_rows(
            "D",
            Schema::new(vec![string("Category"), string("log_s")]),
            rows(&diag, &["Category", "log_s"]),
        )
        .unwrap();
    engine
        .add_rows(
            "A",
            Schema::new(vec![string("OperationName"), string("Properties")]),
            rows(&act, &["OperationName", "Properties"]),
        )
        .unwrap();
    (engine, cfg.rows, cfg.activity_rows)
}

/// (name, table, predicate)
const CASES: &[(&str, &str, &str)] = &[
    ("baseline", "D", ""),
    ("string/==", "D", r#"Category == "kube-audit""#),
    ("string/=~", "D", r#"Category =~ "KUBE-AUDIT""#),
    (
        "string/contains miss",
        "D",
        r#"log_s contains "pods/nginx""#,
    ),
    (
        "string/contains_cs miss",
        "D",
        r#"log_s contains_cs "pods/nginx""#,
    ),
    ("string/has", "D", r#"log_s has "nginx""#),
    (
        "string/startswith",
        "D",
        r#"log_s startswith "{\"kind\":\"Event\"""#,
    ),
    (
        "string/matches regex",
        "D",
        r#"log_s matches regex @"pods/ngin[x]""#,
    ),
    (
        "parse_json/verb",
        "D",
        r#"parse_json(log_s).verb == "create""#,
    ),
    (
        "parse_json/user.username",
        "D",
        r#"parse_json(tostring(parse_json(log_s).user)).username == "masterclient""#,
    ),
    (
        "parse_json/requestObject.kind",
        "D",
        r#"parse_json(tostring(parse_json(log_s).requestObject)).kind == "CronJob""#,
    ),
    (
        "parse_json/sourceIPs[0]",
        "D",
        r#"parse_json(tostring(parse_json(log_s).sourceIPs))[0] == """#,
    ),
    (
        "parse_json/annotations[\"\"]",
        "D",
        r#"parse_json(tostring(parse_json(log_s).annotations)).[""] == "allow""#,
    ),
    (
        "parse_json/verb twice",
        "D",
        r#"parse_json(log_s).verb == "create" and parse_json(log_s).level == "Request""#,
    ),
    (
        "tostring/of a bag",
        "D",
        r#"strlen(tostring(parse_json(log_s).requestObject)) > 2"#,
    ),
    (
        "tostring/of a whole event",
        "D",
        r#"strlen(tostring(parse_json(log_s))) > 2"#,
    ),
    (
        "parse_json/double-encoded",
        "A",
        r#"tostring(parse_json(tostring(parse_json(tostring(parse_json(Properties).requestbody)).Properties)).RoleDefinitionId) contains "8e3af657-a8ff-443c-a75c-2fe8c4bcb635""#,
    ),
];

fn bench_eval(c: &mut Criterion) {
    let (engine, diag_rows, act_rows) = engine();
    let mut group = c.benchmark_group("eval");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for &(name, table, predicate) in CASES {
        let text = if predicate.is_empty() {
            format!("{table} | count")
        } else {
            format!("{table} | where {predicate} | count")
        };
        let query = engine.compile(&text).unwrap();
        group.throughput(Throughput::Elements(if table == "D" {
            diag_rows
        } else {
            act_rows
        }));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut count = Count(0);
                query.run(&engine, &mut count).unwrap();
                count.0
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_eval);
criterion_main!(benches);

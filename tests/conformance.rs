//! The documentation's worked examples (`tests/conformance/doc-cases.jsonl`):
//! each query must give the documented columns, types and rows.
//!
//! Comparison rules (tests/conformance/README.md and the shared
//! conformance notes): datetimes as instants, reals numerically, dynamic
//! values as JSON with unordered object keys, set-valued columns
//! (`unordered_arrays`) as multisets, and rows as a multiset unless the
//! case is `ordered`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::DateTime;
use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::Path;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    // `doc-cases.jsonl` (the shared set) and the project's own `*-cases.jsonl`.
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let cases: String = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let known: HashMap<String, String> =
        std::fs::read_to_string(root.join("expected-failures.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (id, why) = l.split_once(' ').unwrap_or((l, ""));
                (id.trim().to_string(), why.trim().to_string())
            })
            .collect();
    let trials = cases
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let case: Json = serde_json::from_str(line).unwrap();
            let id = case["id"].as_str().unwrap().to_string();
            let expected_failure = known.get(&id).cloned();
            Trial::test(id, move || {
                let result = check(&case);
                match (result, expected_failure) {
                    (Ok(()), None) => Ok(()),
                    (Err(e), None) => Err(e),
                    (Err(_), Some(_)) => Ok(()),
                    (Ok(()), Some(why)) => Err(format!(
                        "passes now, but expected-failures.txt says it fails ({why}): remove it from the list"
                    )
                    .into()),
                }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// Column names, type names and rows of the first result table.
type Table = (Vec<String>, Vec<String>, Vec<Vec<Json>>);

fn run(query: &str) -> Result<Table, String> {
    let engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    });
    let q = engine
        .compile(query)
        .map_err(|e| e.render(query, "query"))?;
    let schema = q
        .result_schemas()
        .first()
        .map(|s| (*s).clone())
        .ok_or("no result table")?;
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(&engine, &mut out).map_err(|e| e.to_string())?;
    let text = String::from_utf8(out.into_inner()).unwrap();
    let names: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
    let types: Vec<String> = schema
        .fields
        .iter()
        .map(|f| f.ty.name().to_string())
        .collect();
    // The first table's rows: up to the boundary line a further table
    // (fork, facet, a `;` statement) starts with.
    let rows = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Map<String, Json>>(l).unwrap())
        .take_while(|obj| {
            !(obj.len() == 2 && obj.contains_key("$table") && obj.contains_key("$columns"))
        })
        .map(|obj| {
            names
                .iter()
                .map(|n| obj.get(n).cloned().unwrap_or(Json::Null))
                .collect()
        })
        .collect();
    Ok((names, types, rows))
}

fn check(case: &Json) -> Result<(), Failed> {
    let query = case["query"].as_str().unwrap();
    let (names, types, rows) = run(query).map_err(|e| format!("query failed:\n{query}\n{e}"))?;
    let exp = &case["expected"];
    let exp_names: Vec<String> = exp["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let exp_types: Vec<String> = exp["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    if names != exp_names {
        return Err(format!("columns {names:?}, expected {exp_names:?}").into());
    }
    if types != exp_types {
        return Err(format!("types {types:?}, expected {exp_types:?}").into());
    }
    let unordered: Vec<String> = case
        .get("unordered_arrays")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let normalize = |row: &[Json]| -> Vec<Json> {
        row.iter()
            .zip(&types)
            .zip(&names)
            .map(|((v, ty), name)| canonical(v, ty, unordered.contains(name)))
            .collect()
    };
    let mut got: Vec<Vec<Json>> = rows.iter().map(|r| normalize(r)).collect();
    let mut want: Vec<Vec<Json>> = exp["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| normalize(r.as_array().unwrap()))
        .collect();
    if !case["ordered"].as_bool().unwrap_or(false) {
        got.sort_by_key(|r| serde_json::to_string(r).unwrap());
        want.sort_by_key(|r| serde_json::to_string(r).unwrap());
    }
    if got != want {
        return Err(format!(
            "rows differ for\n{query}\n got: {}\nwant: {}",
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&want).unwrap()
        )
        .into());
    }
    Ok(())
}

/// One cell in a form where equal values are equal JSON: datetimes as
/// ticks, reals rounded to 12 significant digits, sets sorted.
fn canonical(v: &Json, ty: &str, unordered: bool) -> Json {
    match (ty, v) {
        ("datetime", Json::String(s)) => DateTime::parse(s).map_or(v.clone(), |d| Json::from(d.0)),
        ("real" | "decimal", Json::Number(n)) => round(n.as_f64().unwrap_or(f64::NAN)),
        ("dynamic", _) => {
            let mut c = dynamic(v);
            if unordered && let Json::Array(items) = &mut c {
                items.sort_by_key(|x| serde_json::to_string(x).unwrap());
            }
            c
        }
        _ => v.clone(),
    }
}

fn dynamic(v: &Json) -> Json {
    match v {
        Json::Number(n) => round(n.as_f64().unwrap_or(f64::NAN)),
        Json::Array(items) => Json::Array(items.iter().map(dynamic).collect()),
        Json::Object(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), dynamic(v))).collect())
        }
        other => other.clone(),
    }
}

fn round(r: f64) -> Json {
    if !r.is_finite() {
        return Json::from(format!("{r}"));
    }
    let text = format!("{r:.11e}");
    Json::from(text.parse::<f64>().unwrap_or(r))
}

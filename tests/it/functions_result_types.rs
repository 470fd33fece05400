//! The result type of every built-in function, as `getschema` reports it,
//! against the return type its documentation page gives
//! (`https://learn.microsoft.com/kusto/query/<page>`), for each documented
//! combination of argument types.
//!
//! The documented types are data: `tests/conformance/function-types.txt`
//! (its header says the format). The functions come from the registry
//! (`scalar_names()` and `aggregate_names()`), not from a hand list, so a
//! new function without an entry fails here. A combination whose kqlite type
//! differs from the docs must say so in the file (`known`, with the type
//! kqlite gives and why); any other difference fails, and so does a known
//! difference that has gone away.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::internals::functions::aggregate::aggregate_names;
use kqlite::internals::functions::scalar_names;
use kqlite::output::JsonLinesWriter;
use kqlite::{DateTime, Engine, EngineOptions};
use std::collections::BTreeSet;
use std::path::Path;

/// One line of the data file.
#[derive(Debug)]
struct Entry {
    line: usize,
    function: String,
    page: String,
    args: Vec<String>,
    returns: String,
    /// The type kqlite gives instead, and why (a known difference).
    known: Option<(String, String)>,
}

const TYPES: &[(&str, &str)] = &[
    ("bool", "b"),
    ("int", "i"),
    ("long", "l"),
    ("real", "r"),
    ("decimal", "m"),
    ("string", "s"),
    ("datetime", "d"),
    ("timespan", "t"),
    ("guid", "g"),
    ("dynamic", "y"),
];

fn data_file() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/function-types.txt");
    std::fs::read_to_string(path).unwrap()
}

/// The entries, and the functions listed as not documented (with why).
fn entries() -> (Vec<Entry>, Vec<(String, String)>) {
    let mut entries = Vec::new();
    let mut undocumented = Vec::new();
    for (i, raw) in data_file().lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split(" | ").map(str::trim).collect();
        assert!(fields.len() >= 2, "line {}: {raw}", i + 1);
        if fields[1] == "undocumented" {
            undocumented.push((
                fields[0].to_string(),
                fields.get(2).unwrap_or(&"").to_string(),
            ));
            continue;
        }
        assert!(
            fields.len() == 4 || fields.len() == 6,
            "line {}: want `fn | page | args | returns [| known TYPE | why]`: {raw}",
            i + 1
        );
        let args = if fields[2].is_empty() {
            Vec::new()
        } else {
            fields[2]
                .split(" ; ")
                .map(|a| a.trim().to_string())
                .collect()
        };
        let known = (fields.len() == 6).then(|| {
            let ty = fields[4]
                .strip_prefix("known ")
                .unwrap_or_else(|| panic!("line {}: fifth field is `known TYPE`", i + 1));
            (ty.to_string(), fields[5].to_string())
        });
        entries.push(Entry {
            line: i + 1,
            function: fields[0].to_string(),
            page: fields[1].to_string(),
            args,
            returns: fields[3].to_string(),
            known,
        });
    }
    (entries, undocumented)
}

/// An argument: a type name stands for a column of that type, anything
/// else is an expression used as written (a constant the function needs).
fn argument(spec: &str) -> String {
    TYPES
        .iter()
        .find(|(ty, _)| *ty == spec)
        .map_or_else(|| spec.to_string(), |(_, col)| (*col).to_string())
}

/// The type `getschema` reports for `f(args)`, or the error.
fn result_type(engine: &Engine, entry: &Entry, aggregate: bool) -> Result<String, String> {
    let columns: Vec<String> = TYPES.iter().map(|(t, c)| format!("{c}:{t}")).collect();
    let args: Vec<String> = entry.args.iter().map(|a| argument(a)).collect();
    let call = format!("{}({})", entry.function, args.join(", "));
    let op = if aggregate { "summarize" } else { "project" };
    let query = format!(
        "datatable({})[] | {op} r = {call} | getschema | project ColumnType",
        columns.join(", ")
    );
    let q = engine
        .compile(&query)
        .map_err(|e| e.render(&query, "query"))?;
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(engine, &mut out).map_err(|e| e.to_string())?;
    let text = String::from_utf8(out.into_inner()).unwrap();
    let row: serde_json::Value =
        serde_json::from_str(text.lines().next().ok_or("no getschema row")?).unwrap();
    Ok(row["ColumnType"].as_str().unwrap_or_default().to_string())
}

#[test]
fn every_function_has_its_documented_result_type() {
    let engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        now: DateTime::parse("2024-11-05T00:00:00Z"),
        ..EngineOptions::default()
    });
    let (entries, undocumented) = entries();
    let scalars: BTreeSet<&str> = scalar_names().collect();
    let aggregates: BTreeSet<&str> = aggregate_names().collect();
    let listed: BTreeSet<&str> = entries
        .iter()
        .map(|e| e.function.as_str())
        .chain(undocumented.iter().map(|(f, _)| f.as_str()))
        .collect();

    let mut problems = Vec::new();
    for f in scalars.iter().chain(&aggregates) {
        if !listed.contains(f) {
            problems.push(format!("{f}: no entry in function-types.txt"));
        }
    }
    for f in &listed {
        if !scalars.contains(f) && !aggregates.contains(f) {
            problems.push(format!("{f}: listed but not a built-in function"));
        }
    }
    let (mut checked, mut known) = (0, 0);
    for e in &entries {
        let aggregate = aggregates.contains(e.function.as_str());
        let got = result_type(&engine, e, aggregate);
        checked += 1;
        let where_ = format!(
            "line {}: {}({}) [{}]",
            e.line,
            e.function,
            e.args.join(", "),
            e.page
        );
        match (&got, &e.known) {
            (Ok(t), None) if *t == e.returns => {}
            (Ok(t), Some((k, _))) if t == k => known += 1,
            (Ok(t), Some(_)) if *t == e.returns => problems.push(format!(
                "{where_}: gives the documented {t} now: drop its `known` mark"
            )),
            (Ok(t), _) => problems.push(format!("{where_}: {t}, documented {}", e.returns)),
            (Err(err), Some((k, _))) if k == "error" => {
                let _ = err;
                known += 1;
            }
            (Err(err), _) => problems.push(format!("{where_}: does not bind: {err}")),
        }
    }
    eprintln!(
        "function result types: {} functions ({} scalar, {} aggregate), {} undocumented, \
         {checked} combinations checked, {known} known differences",
        scalars.len() + aggregates.len(),
        scalars.len(),
        aggregates.len(),
        undocumented.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

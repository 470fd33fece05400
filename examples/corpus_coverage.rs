//! How much of a corpus of published queries kqlite can compile (parse,
//! bind and plan), and why the rest cannot.
//!
//! `cargo run --release --example corpus_coverage -- tests/corpus/sentinel-visible.jsonl [...]`
//!
//! Each line of a corpus file is `{id, query, tables, official_parser_ok}`.
//! Workspace tables have no data here, so every table a query names (and
//! that kqlite has no built-in schema for) is given a stand-in schema: every
//! identifier in the query as a `dynamic` column. That measures the
//! language kqlite supports, not the schemas it knows; a table with a
//! built-in schema keeps its columns and types, and gets stand-ins only for
//! names it lacks (`STRICT_SCHEMAS=1`: none, so a column missing from a
//! built-in schema is a failure). `STRICT_TABLES=1` gives no stand-in to a
//! table without a built-in schema either, so that the count is of the
//! queries that bind with no data file at all. With `SHOW=text`
//! in the environment, every failure whose message contains `text` is
//! printed in full. With `VERBOSE=1`, every failing query is listed, one
//! line each: its id, the tables it names and the first line of the error.

use kqlite::DataType;
use kqlite::internals::catalog::builtin_schema_complete;
use kqlite::{Engine, EngineOptions};
use kqlite::{Field, Schema};
use std::collections::{BTreeMap, BTreeSet};

fn identifiers(query: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current = String::new();
    for c in query.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            current.push(c);
        } else {
            if !current.is_empty() && !current.starts_with(|c: char| c.is_ascii_digit()) {
                out.insert(std::mem::take(&mut current));
            }
            current.clear();
        }
    }
    if !current.is_empty() {
        out.insert(current);
    }
    out
}

/// The first line of an error, with quoted names replaced by `X`, so that
/// errors group by kind.
fn shape(message: &str) -> String {
    let first = message.lines().next().unwrap_or("");
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in first.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('X');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '\'' || c == '`' {
                    quote = Some(c);
                }
            }
        }
    }
    out
}

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: corpus_coverage CORPUS.jsonl...");
        std::process::exit(2);
    }
    let strict = std::env::var_os("STRICT_SCHEMAS").is_some();
    let strict_tables = std::env::var_os("STRICT_TABLES").is_some();
    let (mut total, mut compiled) = (0usize, 0usize);
    let mut reasons: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(1)
        });
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(case) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if case["official_parser_ok"] != serde_json::Value::Bool(true) {
                continue;
            }
            let query = case["query"].as_str().unwrap_or("");
            let id = case["id"].as_str().unwrap_or("?").to_string();
            total += 1;
            let columns: Vec<Field> = identifiers(query)
                .into_iter()
                .map(|n| Field::new(n, DataType::Dynamic))
                .collect();
            let mut tables: Vec<String> = case["tables"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            tables.retain(|t| t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            let tables_named = tables.clone();
            let mut schemas = Vec::new();
            // Whether a stand-in column (of unknown type) is given.
            let mut stand_ins = false;
            for t in tables {
                // With no data file, a table binds with every column its
                // built-in schema knows, as in the CLI.
                let schema = match builtin_schema_complete(&t) {
                    None if strict_tables => continue,
                    None => {
                        stand_ins = true;
                        Schema::new(columns.clone())
                    }
                    Some(builtin) if strict => builtin,
                    // A column the built-in schema lacks is added as a
                    // stand-in, as for unknown tables: AzureDiagnostics,
                    // for one, has a column for every field any resource
                    // type sends (`msg_s`, `Caller_s`…).
                    Some(mut builtin) => {
                        let extra: Vec<Field> = columns
                            .iter()
                            .filter(|c| builtin.index_of(&c.name).is_none())
                            .cloned()
                            .collect();
                        stand_ins |= !extra.is_empty();
                        builtin.fields.extend(extra);
                        builtin
                    }
                };
                schemas.push((t, schema));
            }
            // A stand-in column is `dynamic` for want of its real type, so a
            // join on one is not refused as a join on a dynamic column
            // would be: the official analyzer does not judge keys of
            // unknown type either.
            let mut engine = Engine::with_options(EngineOptions {
                now: kqlite::DateTime::parse("2024-11-05T00:00:00Z"),
                dynamic_join_keys: stand_ins,
                dynamic_keys: stand_ins,
                ..EngineOptions::default()
            });
            for (t, schema) in schemas {
                if let Err(e) = engine.add_rows(&t, schema, Vec::new()) {
                    eprintln!("{id}: table {t}: {e}");
                    std::process::exit(1);
                }
            }
            match engine.compile(query) {
                Ok(_) => compiled += 1,
                Err(e) => {
                    let rendered = e.render(query, &id);
                    // `SHOW=text` prints every failure whose message contains `text`.
                    if let Ok(show) = std::env::var("SHOW")
                        && rendered.contains(&show)
                    {
                        println!("{rendered}");
                    }
                    // Unsupported functions and operators are worth naming.
                    let first = rendered.lines().next().unwrap_or("");
                    if std::env::var_os("VERBOSE").is_some() {
                        println!("{id}\t{}\t{first}", tables_named.join(","));
                    }
                    let key = if first.contains("is not defined") || first.contains("not supported")
                    {
                        first.to_string()
                    } else {
                        shape(&rendered)
                    };
                    let entry = reasons.entry(key).or_insert((0, id.clone()));
                    entry.0 += 1;
                }
            }
        }
    }
    println!("compiled {compiled} of {total} queries the official parser accepts");
    let mut by_count: Vec<(String, (usize, String))> = reasons.into_iter().collect();
    by_count.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    for (reason, (n, example)) in by_count {
        println!("{n:5}  {reason}  (e.g. {example})");
    }
}

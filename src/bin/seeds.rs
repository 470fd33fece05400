//! `cargo run --bin kqlite-seeds`: the seven published AKS detections
//! (`examples/seed-queries.kql`, verbatim from the Sentinel article) run over
//! the bundled sample logs (`examples/data/`), with a short summary per query.
//!
//! For each query it prints the query one pipeline step per line, the number
//! of rows found (checked against the expected count), and, for the rows
//! written by hand for these queries (`*.synthetic.jsonl`, see
//! `scripts/make_samples.py`): which are hits, and which are near misses —
//! rows that pass every `where` step but one — with the step that drops
//! them. Everything is computed by running the engine: a row is a hit when
//! the query returns it from that row alone, and a near miss fails step N
//! when the query without step N returns it.
//!
//! `cargo run --bin kqlite-seeds -- --rows` also prints every result row as
//! JSON lines after its summary.

use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, EngineOptions, ExecError, ResultSink, Schema, Value};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Rows each seed query finds in `examples/data/`: the hits written for it
/// plus those in the real logs. Checked on every run.
const EXPECTED: [usize; 7] = [2, 3, 1, 1, 4, 1, 3];

/// Width of the summary: fits a 100-column terminal.
const WIDTH: usize = 100;

/// Near misses listed per failing step; the others are named by line.
const MAX_MISSES: usize = 4;

fn main() -> ExitCode {
    // Piped into `head`: end quietly when the reader goes away.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let show_rows = std::env::args().skip(1).any(|a| a == "--rows");
    match run(show_rows) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("kqlite-seeds: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Counts the rows of a result (and, with `--rows`, prints them).
struct Counter {
    rows: usize,
    print: Option<JsonLinesWriter<std::io::Stdout>>,
}

impl ResultSink for Counter {
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        match &mut self.print {
            Some(p) => p.begin_table(index, schema),
            None => Ok(()),
        }
    }
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.rows += 1;
        match &mut self.print {
            Some(p) => p.row(row),
            None => Ok(ControlFlow::Continue(())),
        }
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        match &mut self.print {
            Some(p) => p.end_table(),
            None => Ok(()),
        }
    }
}

/// The rows `query` returns over the inputs, each `(table, name, bytes)`.
fn count(query: &str, inputs: &[(&str, &str, Vec<u8>)], print: bool) -> Result<usize, String> {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        ..EngineOptions::default()
    });
    for (table, name, bytes) in inputs {
        engine
            .add_bytes(table, name, bytes.clone())
            .map_err(|e| e.to_string())?;
    }
    let q = engine
        .compile(query)
        .map_err(|e| e.render(query, "query").to_string())?;
    let mut sink = Counter {
        rows: 0,
        print: print.then(|| JsonLinesWriter::new(std::io::stdout())),
    };
    q.run(&engine, &mut sink).map_err(|e| e.to_string())?;
    Ok(sink.rows)
}

struct Seed {
    title: String,
    text: String,
}

/// The queries of `examples/seed-queries.kql`: one per line, named by the
/// `// Qn: ...` comment above it.
fn seeds(text: &str) -> Vec<Seed> {
    let mut out = Vec::new();
    let mut title = String::new();
    for line in text.lines() {
        if let Some(c) = line.strip_prefix("// Q") {
            title = format!("Q{c}");
        } else if !line.trim().is_empty() && !line.starts_with("//") {
            out.push(Seed {
                title: title.clone(),
                text: line.to_string(),
            });
        }
    }
    out
}

/// The pipeline steps of a query: split at each `|` outside strings and
/// brackets, trimmed.
fn steps(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    let mut chars = query.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, '|') if depth == 0 => {
                out.push(query[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(query[start..].trim().to_string());
    out
}

/// `text` cut to `width` characters, with `…` when cut.
fn clip(text: &str, width: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= width {
        return text;
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// A JSON value's text at `path`, decoding string-encoded JSON on the way.
fn field(v: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut cur = v.clone();
    for key in path {
        if let serde_json::Value::String(s) = &cur {
            cur = serde_json::from_str(s).ok()?;
        }
        cur = match key.parse::<usize>() {
            Ok(i) => cur.get(i)?.clone(),
            Err(_) => cur.get(*key)?.clone(),
        };
    }
    match cur {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// One line saying what a sample row is.
fn describe(line: &str) -> String {
    let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
        return clip(line, 60);
    };
    let get = |path: &[&str]| field(&row, path).unwrap_or_default();
    if row.get("log_s").is_some() {
        let category = get(&["Category"]);
        let log = get(&["log_s"]);
        if category == "kube-audit" && serde_json::from_str::<serde_json::Value>(&log).is_ok() {
            let ip = match field(&row, &["log_s", "sourceIPs"]).as_deref() {
                None => "no sourceIPs".to_string(),
                Some(ips) => format!("sourceIPs {ips}"),
            };
            let allow = get(&["log_s", "annotations", ""]);
            let allow = if allow.is_empty() {
                String::new()
            } else {
                format!(", annotation \"\": {allow}")
            };
            return format!(
                "{} {} {} by {}, {}{}",
                get(&["log_s", "verb"]),
                get(&["log_s", "requestObject", "kind"]),
                get(&["log_s", "requestObject", "roleRef", "name"]),
                get(&["log_s", "user", "username"]),
                ip,
                allow
            )
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        }
        return format!("{category}: {log}");
    }
    let role = get(&[
        "Properties",
        "requestbody",
        "Properties",
        "RoleDefinitionId",
    ]);
    let role = role.rsplit('/').next().unwrap_or_default();
    let role = if role.is_empty() {
        "no request body".to_string()
    } else {
        format!("role {}", clip(role, 9))
    };
    format!(
        "{} by {}, {}, {role}",
        get(&["OperationName"]),
        get(&["Caller"]),
        get(&["ActivityStatus"])
    )
}

/// The input files of a table: `examples/data/<table>/*.jsonl`, sorted.
fn files(root: &Path, table: &str) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("examples/data").join(table);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    out.sort();
    Ok(out)
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn run(show_rows: bool) -> Result<bool, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("examples/seed-queries.kql");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let seeds = seeds(&text);
    if seeds.len() != EXPECTED.len() {
        return Err(format!(
            "{} holds {} queries, expected {}",
            path.display(),
            seeds.len(),
            EXPECTED.len()
        ));
    }
    let mut all_ok = true;
    for (seed, expected) in seeds.iter().zip(EXPECTED) {
        let steps = steps(&seed.text);
        let table = steps[0].as_str();
        let mut inputs = Vec::new();
        for file in files(root, table)? {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            inputs.push((table, name_of(&file), bytes));
        }
        let borrowed: Vec<(&str, &str, Vec<u8>)> = inputs
            .iter()
            .map(|(t, n, b)| (*t, n.as_str(), b.clone()))
            .collect();

        println!("{}", clip(&format!("== {}", seed.title), WIDTH));
        println!("     {}", clip(table, WIDTH - 5));
        for (i, step) in steps.iter().enumerate().skip(1) {
            println!("{i:>4} | {}", clip(step, WIDTH - 7));
        }
        let found = count(&seed.text, &borrowed, false)?;
        let per_file: Vec<String> = borrowed
            .iter()
            .map(|input| {
                count(&seed.text, std::slice::from_ref(input), false)
                    .map(|n| format!("{n} in {}", input.1.trim_end_matches(".jsonl")))
            })
            .collect::<Result<_, _>>()?;
        if found == expected {
            println!(
                "  rows: {found} (expected {expected}): {}",
                per_file.join(", ")
            );
        } else {
            all_ok = false;
            println!(
                "  rows: {found} — MISMATCH, expected {expected}: {}",
                per_file.join(", ")
            );
        }

        // The synthetic rows, one at a time.
        let wheres: Vec<usize> = (1..steps.len())
            .filter(|&i| steps[i].starts_with("where "))
            .collect();
        let mut hits = Vec::new();
        let mut misses = Vec::new();
        for (_, name, bytes) in borrowed.iter().filter(|i| i.1.contains(".synthetic.")) {
            let text = String::from_utf8_lossy(bytes);
            for (n, line) in text.lines().enumerate() {
                let one = [(table, *name, format!("{line}\n").into_bytes())];
                if count(&seed.text, &one, false)? > 0 {
                    hits.push((n + 1, describe(line)));
                    continue;
                }
                let mut failing = Vec::new();
                for &w in &wheres {
                    let without: Vec<&str> = steps
                        .iter()
                        .enumerate()
                        .filter(|&(i, _)| i != w)
                        .map(|(_, s)| s.as_str())
                        .collect();
                    if count(&without.join(" | "), &one, false)? > 0 {
                        failing.push(w);
                    }
                }
                if let [w] = failing[..] {
                    misses.push((n + 1, w, describe(line)));
                }
            }
        }
        let synthetic = borrowed
            .iter()
            .find(|i| i.1.contains(".synthetic."))
            .map(|i| i.1)
            .unwrap_or("the synthetic rows");
        println!("  hits in {synthetic}:");
        if hits.is_empty() {
            println!("    none");
        }
        for (line, what) in &hits {
            println!("    line {line:>3}  {}", clip(what, WIDTH - 14));
        }
        println!("  near misses, rows that pass every step but one:");
        if misses.is_empty() {
            println!("    none");
        }
        // Grouped by the step they fail, the last step first: the nearest.
        let mut failed: Vec<usize> = misses.iter().map(|m| m.1).collect();
        failed.sort_unstable_by(|a, b| b.cmp(a));
        failed.dedup();
        for step in failed {
            let rows: Vec<&(usize, usize, String)> =
                misses.iter().filter(|m| m.1 == step).collect();
            println!(
                "    fail step {step} ({} row{}):",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            );
            for (line, _, what) in rows.iter().take(MAX_MISSES) {
                println!("    line {line:>3}  {}", clip(what, WIDTH - 14));
            }
            if rows.len() > MAX_MISSES {
                let rest: Vec<String> =
                    rows[MAX_MISSES..].iter().map(|m| m.0.to_string()).collect();
                let s = if rest.len() == 1 { "" } else { "s" };
                println!("    … and line{s} {}", rest.join(", "));
            }
        }
        if show_rows {
            count(&seed.text, &borrowed, true)?;
        }
        println!();
    }
    if !all_ok {
        println!("Some row counts differ from the expected ones (see MISMATCH above).");
    }
    Ok(all_ok)
}

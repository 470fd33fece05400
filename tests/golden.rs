//! File-driven golden tests: each `tests/golden/**/<case>.kql` is a query
//! with header directives, and `<case>.out` (result tables) or `<case>.err`
//! (the rendered query error) holds what it must give.
//!
//! Directives, as `//` comment lines at the top of the `.kql` file:
//!   `// table: NAME=PATH` (PATH relative to the repository root; repeatable)
//!   `// now: 2024-11-05T00:00:00Z` (what now() returns; fixed by default)
//!   `// explain` (the expected output is the plan `--explain` prints, after
//!   the optimizer rules, instead of the result tables: a case that pins a
//!   rule by its plan)
//!
//! Values that did not convert, and dates read month-first by assumption,
//! are listed after the tables as `# ...` lines.
//!
//! Every case runs with 1 and 2 worker threads and with 64-byte and default
//! chunks; all four outputs must equal the expected file, byte for byte.
//! `BLESS=1 cargo test --test golden` rewrites the expected files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::ExecError;
use kqlite::Schema;
use kqlite::Value;
use kqlite::{Engine, EngineOptions, ResultSink};
use libtest_mimic::{Arguments, Failed, Trial};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

#[path = "support/golden_case.rs"]
mod golden_case;
use golden_case::{Case, parse_case};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = Vec::new();
    collect(&root.join("tests/golden"), &mut cases);
    cases.sort();
    let trials = cases
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(root.join("tests/golden"))
                .unwrap()
                .with_extension("")
                .display()
                .to_string();
            Trial::test(name, move || run_case(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "kql") {
            out.push(p);
        }
    }
}

/// Writes result tables as text: a `# name:type, ...` header per table,
/// then one JSON line per row (the CLI's jsonl form).
struct Capture {
    text: String,
    inner: kqlite::output::JsonLinesWriter<Vec<u8>>,
}

impl ResultSink for Capture {
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.flush();
        if index > 0 {
            self.text.push('\n');
        }
        let cols: Vec<String> = schema
            .fields
            .iter()
            .map(|f| format!("{}:{}", f.name, f.ty))
            .collect();
        self.text.push_str(&format!("# {}\n", cols.join(", ")));
        // The `#` header is this file's table boundary: the writer's own
        // boundary line (jsonl of several tables) is not written.
        self.inner.begin_table(0, schema)
    }
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.inner.row(row)
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        self.inner.end_table()?;
        self.flush();
        Ok(())
    }
}

impl Capture {
    fn flush(&mut self) {
        let bytes = std::mem::replace(
            &mut self.inner,
            kqlite::output::JsonLinesWriter::new(Vec::new()),
        )
        .into_inner();
        self.text.push_str(&String::from_utf8(bytes).unwrap());
    }
}

/// Runs the case once; `Ok` is the result text, `Err` the rendered error.
fn execute(case: &Case, threads: usize, chunk_size: usize) -> Result<String, String> {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(threads),
        chunk_size,
        strict: false,
        now: Some(case.now),
        ..EngineOptions::default()
    });
    for (name, path) in &case.tables {
        engine
            .add_path(name, path)
            .map_err(|e| e.render(&case.query, "query"))?;
    }
    let query = engine
        .compile(&case.query)
        .map_err(|e| e.render(&case.query, "query"))?;
    if case.explain {
        return Ok(query.explain());
    }
    let mut capture = Capture {
        text: String::new(),
        inner: kqlite::output::JsonLinesWriter::new(Vec::new()),
    };
    let stats = query
        .run(&engine, &mut capture)
        .map_err(|e| e.render(&case.query, "query"))?;
    capture.flush();
    let mut text = capture.text;
    if stats.bad_lines > 0 {
        text.push_str(&format!("# skipped {} bad line(s)\n", stats.bad_lines));
        for r in &stats.reports {
            let file = Path::new(&r.file)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            text.push_str(&format!("#   {file}:{}: {}\n", r.line, r.reason));
        }
    }
    let name = |f: &str| {
        Path::new(f)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    for c in &stats.conversions {
        text.push_str(&format!(
            "# {} value(s) of {} not {}: {}:{}: {:?}\n",
            c.count,
            c.column,
            c.ty,
            name(&c.file),
            c.line,
            c.text
        ));
    }
    for c in &stats.assumed_month_first {
        text.push_str(&format!(
            "# {} date(s) of {} read month-first by assumption: {}:{}: {:?}\n",
            c.count,
            c.column,
            name(&c.file),
            c.line,
            c.text
        ));
    }
    Ok(text)
}

fn run_case(path: &Path) -> Result<(), Failed> {
    let case = parse_case(path);
    let out_path = path.with_extension("out");
    let err_path = path.with_extension("err");
    let bless = std::env::var_os("BLESS").is_some();
    let first = execute(&case, 1, 64);
    for (threads, chunk) in [(1, 64), (2, 64), (1, 1 << 20), (2, 1 << 20)] {
        let got = execute(&case, threads, chunk);
        if got != first {
            return Err(format!("output differs with {threads} thread(s) and {chunk}-byte chunks:\n{got:?}\nvs\n{first:?}").into());
        }
    }
    let (expected_path, got) = match &first {
        Ok(text) => (&out_path, text),
        Err(text) => (&err_path, text),
    };
    if bless {
        std::fs::write(expected_path, got).unwrap();
        let other = if expected_path == &out_path {
            &err_path
        } else {
            &out_path
        };
        let _ = std::fs::remove_file(other);
        return Ok(());
    }
    match std::fs::read_to_string(expected_path) {
        Ok(expected) if &expected == got => Ok(()),
        Ok(expected) => Err(format!(
            "{} differs.\n--- expected\n{expected}\n--- got\n{got}",
            expected_path.display()
        )
        .into()),
        Err(_) => Err(format!(
            "no {} (the case {}):\n{got}",
            expected_path.display(),
            if first.is_ok() { "ran" } else { "failed" }
        )
        .into()),
    }
}

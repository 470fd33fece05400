//! Differential tests of the fast paths: every golden query
//! (`tests/golden/`) and every conformance query (`tests/conformance/`)
//! must give the same answer, byte for byte, with the optimizer's rewrite
//! rules off (`EngineOptions::rewrite_rules`: no top-N, no column pruning,
//! no JSON path reading, no prefilters) as with them on, on one thread and
//! two, with default and tiny chunks.
//!
//! The golden harness already checks threads and chunk sizes with the rules
//! on; here the reference is the rules-on run on one thread with default
//! chunks, and each other run must equal it. Our outputs are deterministic
//! (rows in a defined order even where Kusto leaves it open), so the
//! comparison is exact.

use kqlite::output::JsonLinesWriter;
use kqlite::{DateTime, Engine, EngineOptions};
use std::path::{Path, PathBuf};

#[path = "../support/golden_case.rs"]
mod golden_case;
use golden_case::parse_case;

/// One way to run a query: rules on or off, threads, chunk size.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    pub rules: bool,
    pub threads: usize,
    pub chunk_size: usize,
}

const DEFAULT_CHUNK: usize = 1 << 20;

/// The reference run.
pub const REFERENCE: Mode = Mode {
    rules: true,
    threads: 1,
    chunk_size: DEFAULT_CHUNK,
};

/// The runs compared with [`REFERENCE`] (the golden harness covers the
/// rules-on runs at other thread counts and chunk sizes).
pub const OTHERS: &[Mode] = &[
    Mode {
        rules: false,
        threads: 1,
        chunk_size: DEFAULT_CHUNK,
    },
    Mode {
        rules: false,
        threads: 2,
        chunk_size: 64,
    },
];

/// The engine options of `mode`, with `now` pinned.
pub fn options(mode: Mode, now: Option<DateTime>) -> EngineOptions {
    EngineOptions {
        threads: Some(mode.threads),
        chunk_size: mode.chunk_size,
        now,
        rewrite_rules: mode.rules,
        ..EngineOptions::default()
    }
}

/// What a run gives: every result table as JSON lines, and the number of
/// bad lines it skipped; `Err` is the rendered error.
pub type Answer = Result<(String, u64), String>;

/// Runs `query` over `tables` in `mode`.
pub fn answer(
    query: &str,
    tables: &[(String, PathBuf)],
    now: Option<DateTime>,
    mode: Mode,
) -> Answer {
    let mut engine = Engine::with_options(options(mode, now));
    for (name, path) in tables {
        engine
            .add_path(name, path)
            .map_err(|e| e.render(query, "query"))?;
    }
    let q = engine
        .compile(query)
        .map_err(|e| e.render(query, "query"))?;
    let mut out = JsonLinesWriter::new(Vec::new());
    let stats = q
        .run(&engine, &mut out)
        .map_err(|e| e.render(query, "query"))?;
    let text = String::from_utf8(out.into_inner()).unwrap();
    Ok((text, stats.bad_lines))
}

/// Whether `got` (a run in `mode`) gives the reference's answer. The rows
/// must be equal; so must the bad lines, except that the rules' prefilter
/// rejects lines without reading them as JSON, so a run with the rules
/// may count fewer (docs/robustness.md, "Input lines").
fn same(reference: &Answer, got: &Answer, mode: Mode) -> bool {
    match (reference, got) {
        (Ok((rows, bad)), Ok((got_rows, got_bad))) => {
            rows == got_rows
                && if mode.rules == REFERENCE.rules {
                    bad == got_bad
                } else {
                    bad <= got_bad
                }
        }
        _ => reference == got,
    }
}

/// Runs `query` in every mode; a message for each mode whose answer
/// differs from the reference's.
pub fn divergences(
    label: &str,
    query: &str,
    tables: &[(String, PathBuf)],
    now: Option<DateTime>,
) -> Vec<String> {
    let reference = answer(query, tables, now, REFERENCE);
    OTHERS
        .iter()
        .filter_map(|&mode| {
            let got = answer(query, tables, now, mode);
            (!same(&reference, &got, mode)).then(|| {
                format!(
                    "{label}: {mode:?} differs from {REFERENCE:?}\n--- query\n{query}\n--- reference\n{}\n--- got\n{}",
                    shown(&reference),
                    shown(&got)
                )
            })
        })
        .collect()
}

fn shown(r: &Answer) -> String {
    const MAX: usize = 4000;
    let s = match r {
        Ok((t, bad)) => format!("{t}# bad lines: {bad}"),
        Err(e) => format!("error: {e}"),
    };
    if s.len() > MAX {
        let mut end = MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &s[..end], s.len())
    } else {
        s
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn golden_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            golden_cases(&p, out);
        } else if p.extension().is_some_and(|x| x == "kql") {
            out.push(p);
        }
    }
}

/// Every golden case's query, with the tables and `now` its header names
/// (the directives of `tests/golden.rs`); `// explain` cases pin plans, not
/// answers, and are left out.
#[test]
fn golden_queries_give_the_same_answer_without_rewrite_rules() {
    let mut paths = Vec::new();
    golden_cases(&root().join("tests/golden"), &mut paths);
    paths.sort();
    assert!(paths.len() > 100, "golden cases not found");
    let mut failures = Vec::new();
    let mut ran = 0;
    for path in &paths {
        let case = parse_case(path);
        if case.explain {
            continue;
        }
        ran += 1;
        let label = path.strip_prefix(root()).unwrap().display().to_string();
        failures.extend(divergences(
            &label,
            &case.query,
            &case.tables,
            Some(case.now),
        ));
    }
    assert!(ran > 100, "only {ran} golden cases ran");
    assert!(
        failures.is_empty(),
        "{} divergence(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every conformance case's query (they read no files: `datatable`s and
/// `range`s).
#[test]
fn conformance_queries_give_the_same_answer_without_rewrite_rules() {
    let dir = root().join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let now = DateTime::parse("2024-11-05T00:00:00Z");
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in &files {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = case["id"].as_str().unwrap();
            let query = case["query"].as_str().unwrap();
            ran += 1;
            failures.extend(divergences(id, query, &[], now));
        }
    }
    assert!(ran > 500, "only {ran} conformance cases ran");
    assert!(
        failures.is_empty(),
        "{} divergence(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

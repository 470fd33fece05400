//! How much of the documented language the conformance cases cover: of the
//! functions and operators the KQL reference lists
//! (`tests/conformance/docs-inventory.txt`, taken from the docs' table of
//! contents), how many appear in at least one case of
//! `tests/conformance/*.jsonl`, and how many have one kqlite passes (a
//! case not listed in `expected-failures.txt`).
//!
//! `cargo test --release --test it functions_doc_coverage -- --nocapture`
//! prints the counts and the names without a case. The floors below only
//! rise: a change that drops a case for a function fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use regex::Regex;
use std::collections::BTreeSet;
use std::path::Path;

/// At least this many documented functions have a conformance case kqlite
/// passes.
const FUNCTION_FLOOR: usize = 400;
/// At least this many documented operators have a conformance case kqlite
/// passes.
const OPERATOR_FLOOR: usize = 86;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// (kind, name, page) of every documented function and operator.
fn inventory() -> Vec<(String, String, String)> {
    std::fs::read_to_string(root().join("docs-inventory.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(" | ").map(str::trim).collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// The ids of the cases kqlite does not pass yet.
fn expected_failures() -> BTreeSet<String> {
    std::fs::read_to_string(root().join("expected-failures.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The query of every case and whether kqlite passes it, with the text of
/// its string literals blanked (so `"has"` inside a literal is not taken
/// for the operator).
fn case_queries() -> Vec<(String, bool)> {
    let failing = expected_failures();
    let strings = Regex::new(r#""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"#).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    let mut queries = Vec::new();
    for file in files {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let query = case["query"].as_str().unwrap_or_default();
            let passes = !failing.contains(case["id"].as_str().unwrap_or_default());
            queries.push((strings.replace_all(query, "\"\"").into_owned(), passes));
        }
    }
    queries
}

/// The pattern that finds a use of this function or operator in a query.
fn pattern(kind: &str, name: &str) -> Regex {
    let n = regex::escape(name);
    let p = if kind == "function" {
        format!(r"(?i)(^|[^\w.])({n})\s*\(")
    } else {
        match name {
            "datatable" | "externaldata" => format!(r"(^|[^\w])({n})\s*\("),
            "between" | "in" | "in~" => format!(r"(?i)(^|[^\w!])({n})\s*\("),
            "!between" | "!in" | "!in~" => format!(r"(?i)({n})\s*\("),
            "==" => r"(^|[^=!<>])(==)($|[^=])".to_string(),
            "=~" => r"(^|[^!])(=~)".to_string(),
            "!=" | "!~" | "matches regex" => format!("({n})"),
            _ if name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '!') =>
            {
                // A word operator (`has`, `!contains_cs`) or a tabular one.
                if name.starts_with('!') {
                    format!(r"(?i)(^|[^\w])({n})($|[^\w~])")
                } else if name.contains('_') || !is_tabular(name) {
                    format!(r"(?i)(^|[^\w!])({n})($|[^\w~])")
                } else {
                    format!(r"(?m)(^|[|;=(,])\s*({n})(\s|$)")
                }
            }
            // Hyphenated tabular operators (`mv-expand`, `make-series`).
            _ => format!(r"(?m)(^|[|;=(,])\s*({n})(\s|$)"),
        }
    };
    Regex::new(&p).unwrap()
}

/// Tabular operators are matched only where an operator can start.
fn is_tabular(name: &str) -> bool {
    !matches!(
        name,
        "has" | "contains" | "endswith" | "startswith" | "hasprefix" | "hassuffix"
    )
}

#[test]
fn documented_functions_and_operators_with_a_case() {
    let queries = case_queries();
    let mut covered = [BTreeSet::new(), BTreeSet::new()];
    let mut passing = [0, 0];
    let mut missing = [Vec::new(), Vec::new()];
    let mut total = [0, 0];
    for (kind, name, page) in inventory() {
        let k = usize::from(kind == "operator");
        total[k] += 1;
        let re = pattern(&kind, &name);
        if queries.iter().any(|(q, _)| re.is_match(q)) {
            if queries.iter().any(|(q, passes)| *passes && re.is_match(q)) {
                passing[k] += 1;
            }
            covered[k].insert(name);
        } else {
            missing[k].push(format!("{name} ({page})"));
        }
    }
    eprintln!(
        "documented functions: {}, with a conformance case: {} (passing: {})\n\
         documented operators: {}, with a conformance case: {} (passing: {})\n\
         ({} cases)",
        total[0],
        covered[0].len(),
        passing[0],
        total[1],
        covered[1].len(),
        passing[1],
        queries.len()
    );
    eprintln!("functions without a case: {}", missing[0].join(", "));
    eprintln!("operators without a case: {}", missing[1].join(", "));
    assert!(
        passing[0] >= FUNCTION_FLOOR,
        "{} documented functions have a passing case, fewer than the floor {FUNCTION_FLOOR}",
        passing[0]
    );
    assert!(
        passing[1] >= OPERATOR_FLOOR,
        "{} documented operators have a passing case, fewer than the floor {OPERATOR_FLOOR}",
        passing[1]
    );
}

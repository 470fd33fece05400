//! The floor plan of the crate, checked against the source.
//!
//! Every top-level module of `src/` sits on a floor, and a module imports
//! only from the floors below it (and, on the ground floor, only along the
//! arrows listed), so dependencies point one way and there is no cycle:
//!
//! | floor | modules | what lives there |
//! |---|---|---|
//! | top | `main`, `lib`, `output`, `engine`, `error` | the command, the library surface, result writers |
//! | 8 | `exec` | running physical plans |
//! | 7 | `semantic` | binding a syntax tree to plans (it produces plan types) |
//! | 6 | `plan` | logical plans, scalar expressions, their evaluation and constant folding, optimizer rules |
//! | 5 | `catalog` | tables: schemas and the inputs they read |
//! | 4 | `input` | opening, detecting and decoding inputs |
//! | 3 | `syntax` | the parser |
//! | 2 | `functions` | the built-in function library |
//! | ground | `span`, `diagnostic`, `types`, `value`, `json`, `schema`, `exec_error` | values, casts, nulls and their string forms; JSON; types and schemas; spans and messages; the run error |
//!
//! The pipeline reads syntax ← semantic ← plan ← exec: the binder imports
//! the parser's tree and builds plans, the executor runs plans, and the plan
//! sees neither the parser, the binder nor the executor. [`ALLOWED`] is the
//! whole table; there is no list of exceptions. Test modules inside `src/`
//! are checked like any other code.
//!
//! Imports are found by reading the source: `crate::…` paths in `use`
//! declarations (brace groups included) and in code, `super::…` chains that
//! climb out of a module's folder, and `kqlite::…` paths in `main.rs`. A
//! path to an item of the crate root (`crate::Engine`) is an import of
//! `lib`. Comments and string literals are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Which module each folder (or file) of `src/` belongs to, where it is not
/// simply its first path component. Longest prefix wins. None today: every
/// folder is its own floor (the input layer was `formats/` and
/// `exec/source/` until issue 11 made them `input/`).
const FOLDERS: &[(&str, &str)] = &[];

/// For each module, the modules it may import: each floor sees the floors
/// below it, and on the ground floor only the arrows listed.
#[rustfmt::skip]
const ALLOWED: &[(&str, &[&str])] = &[
    // Ground floor.
    ("span",       &[]),
    ("types",      &[]),
    ("exec_error", &[]),
    ("memory",     &[]),
    ("diagnostic", &["span"]),
    ("schema",     &["types"]),
    ("value",      &["types"]),
    ("json",       &["types", "value"]),
    // 2: the function library.
    ("functions",  &["span", "diagnostic", "types", "value", "json", "schema", "exec_error"]),
    // 3: the parser.
    ("syntax",     &["span", "diagnostic", "types", "value", "json", "schema", "exec_error"]),
    // 4: the input layer.
    ("input",      &["memory", "span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions"]),
    // 5: tables.
    ("catalog",    &["span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "input"]),
    // 6: plans. Not the parser, the binder or the executor.
    ("plan",       &["span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "input", "catalog"]),
    // 7: the binder: the parser's tree in, plans out.
    ("semantic",   &["span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan"]),
    // 8: the executor: plans in. Not the parser or the binder.
    ("exec",       &["memory", "span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "input", "catalog", "plan"]),
    // Top floor.
    ("error",      &["span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan", "semantic", "exec"]),
    ("engine",     &["memory", "span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan", "semantic", "exec",
                     "error"]),
    ("output",     &["span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan", "semantic", "exec",
                     "error", "engine"]),
    // Rule replay: a client of the engine, like the command line.
    ("replay",     &["span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan", "semantic", "exec",
                     "error", "engine", "output"]),
    ("lib",        &["memory", "span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan", "semantic", "exec",
                     "error", "engine", "output", "replay"]),
    ("main",       &["memory", "span", "diagnostic", "types", "value", "json", "schema", "exec_error",
                     "functions", "syntax", "input", "catalog", "plan", "semantic", "exec",
                     "error", "engine", "output", "lib"]),
];

/// The ground floor.
const GROUND: [&str; 8] = [
    "memory",
    "span",
    "diagnostic",
    "types",
    "value",
    "json",
    "schema",
    "exec_error",
];

/// One import found in the source.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    /// The line it is on.
    line: usize,
    /// The path as written from the crate root, e.g. `["exec", "source", "OpenInput"]`.
    path: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other(char),
}

/// The tokens of Rust source, with the line each is on; comments, string,
/// byte-string, raw-string and character literals are dropped.
fn tokens(src: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
            '"' => i = skip_string(&chars, i + 1, &mut line),
            'r' | 'b' if raw_string_start(&chars, i).is_some() => {
                let (hashes, body) = raw_string_start(&chars, i).unwrap_or((0, i));
                i = body;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    i += 1;
                }
            }
            'b' if at(i + 1) == '"' => i = skip_string(&chars, i + 2, &mut line),
            'b' if at(i + 1) == '\'' => i = skip_char(&chars, i + 1),
            '\'' => i = skip_char(&chars, i),
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push((line, Token::Ident(chars[start..i].iter().collect())));
            }
            ':' if at(i + 1) == ':' => {
                out.push((line, Token::PathSep));
                i += 2;
            }
            '{' => {
                out.push((line, Token::Open));
                i += 1;
            }
            '}' => {
                out.push((line, Token::Close));
                i += 1;
            }
            ',' => {
                out.push((line, Token::Comma));
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            c => {
                out.push((line, Token::Other(c)));
                i += 1;
            }
        }
    }
    out
}

/// Past the end of a string whose body starts at `i`.
fn skip_string(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// `r"`, `r#"`, `br"`, `br#"`…: the number of `#` and where the body starts.
fn raw_string_start(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let before = i.checked_sub(1).and_then(|p| chars.get(p));
    if before.is_some_and(|c| c.is_alphanumeric() || *c == '_') {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

/// Past a character literal starting at the quote `i`; a lifetime is left
/// alone (only its quote is skipped).
fn skip_char(chars: &[char], i: usize) -> usize {
    match chars.get(i + 1) {
        Some('\\') => {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            j + 1
        }
        Some(_) if chars.get(i + 2) == Some(&'\'') => i + 3,
        _ => i + 1,
    }
}

/// Every path from the crate root that `src` (the text of the file whose
/// module path is `module`) names: `crate::…`, `super::…` resolved against
/// `module` and the inline modules around it, and `kqlite::…` when
/// `extern_name` is set (the binary).
fn imports(src: &str, module: &[String], binary: bool) -> Vec<Import> {
    let toks = tokens(src);
    let mut found = Vec::new();
    // Inline modules (`mod tests { … }`) and the brace depth they opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    // The brace depth a `macro_rules!` body opened at: there, `super::`
    // means the module the macro is expanded in, so it is not resolved.
    let mut macro_body: Option<usize> = None;
    let ident = |i: usize| match toks.get(i) {
        Some((_, Token::Ident(s))) => Some(s.as_str()),
        _ => None,
    };
    let is = |i: usize, t: &Token| toks.get(i).map(|(_, x)| x) == Some(t);
    let mut i = 0;
    while i < toks.len() {
        let line = toks[i].0;
        match &toks[i].1 {
            Token::Open => {
                depth += 1;
                i += 1;
                continue;
            }
            Token::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                if macro_body == Some(depth) {
                    macro_body = None;
                }
                depth = depth.saturating_sub(1);
                i += 1;
                continue;
            }
            _ => {}
        }
        if ident(i) == Some("mod")
            && let Some(name) = ident(i + 1)
            && is(i + 2, &Token::Open)
        {
            inline.push((name.to_string(), depth + 1));
            i += 2;
            continue;
        }
        if ident(i) == Some("macro_rules")
            && is(i + 1, &Token::Other('!'))
            && ident(i + 2).is_some()
            && is(i + 3, &Token::Open)
            && macro_body.is_none()
        {
            macro_body = Some(depth + 1);
            i += 3;
            continue;
        }
        let starts_path = i == 0 || !is(i - 1, &Token::PathSep);
        let root: Option<(Vec<String>, usize)> = match ident(i) {
            _ if !starts_path || !is(i + 1, &Token::PathSep) => None,
            Some("crate") if !binary => Some((Vec::new(), i + 2)),
            Some("kqlite") if binary => Some((Vec::new(), i + 2)),
            Some("super") if !binary && macro_body.is_none() => {
                let mut here: Vec<String> = module.to_vec();
                here.extend(inline.iter().map(|(n, _)| n.clone()));
                let mut j = i;
                while ident(j) == Some("super") && is(j + 1, &Token::PathSep) {
                    here.pop();
                    j += 2;
                }
                Some((here, j))
            }
            _ => None,
        };
        let Some((prefix, start)) = root else {
            i += 1;
            continue;
        };
        let mut paths = Vec::new();
        let end = tree(&toks, start, prefix, &mut paths);
        found.extend(paths.into_iter().map(|path| Import { line, path }));
        i = end.max(i + 1);
    }
    found
}

/// Reads a use tree (or a path in code) at `i` below `prefix`, adding each
/// complete path to `out`; returns where it ends.
fn tree(
    toks: &[(usize, Token)],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match toks.get(i).map(|(_, t)| t) {
            Some(Token::Ident(name)) if name != "self" && name != "as" => {
                prefix.push(name.clone());
                i += 1;
                if matches!(toks.get(i), Some((_, Token::PathSep))) {
                    i += 1;
                    continue;
                }
                out.push(prefix);
                return i;
            }
            Some(Token::Open) => {
                i += 1;
                loop {
                    match toks.get(i).map(|(_, t)| t) {
                        None => return i,
                        Some(Token::Close) => return i + 1,
                        Some(Token::Comma) => i += 1,
                        Some(_) => {
                            let next = tree(toks, i, prefix.clone(), out);
                            // Skip what follows an item (`as name`).
                            i = next.max(i + 1);
                            while !matches!(
                                toks.get(i).map(|(_, t)| t),
                                None | Some(Token::Comma) | Some(Token::Close)
                            ) {
                                i += 1;
                            }
                        }
                    }
                }
            }
            _ => {
                if !prefix.is_empty() {
                    out.push(prefix);
                }
                return i;
            }
        }
    }
}

/// The module a path from the crate root lies in (`["exec", "source", …]`
/// is `input`). `modules` are the top-level modules of `src/`; a path to
/// anything else (`crate::Engine`, `kqlite::check_syntax`) names an item of
/// the crate root, so it is an import of `lib`.
fn module_of(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    let first = path.first()?;
    if !modules.contains(first) {
        return Some("lib".to_string());
    }
    let joined = path.iter().take(2).cloned().collect::<Vec<_>>().join("/");
    FOLDERS
        .iter()
        .filter(|(folder, _)| joined == *folder || *first == *folder)
        .max_by_key(|(folder, _)| folder.len())
        .map(|(_, m)| m.to_string())
        .or_else(|| Some(first.clone()))
}

/// The top-level modules of `src/`: its folders and files, but the crate
/// roots `lib.rs` and `main.rs`.
fn top_level_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_string_lossy().to_string();
            if path.is_dir() {
                Some(name)
            } else {
                name.strip_suffix(".rs").map(str::to_string)
            }
        })
        .filter(|m| m != "lib" && m != "main")
        .collect()
}

/// A source file of `src/`, its path relative to `src/` without `.rs`
/// (`mod.rs` is its folder).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// An import from one module into another: where, and what.
struct Arrow {
    from: String,
    to: String,
    at: String,
    path: String,
}

/// Every import in `src/` that crosses from one module to another.
fn arrows() -> Vec<Arrow> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(
        files.len() > 50,
        "too few source files under {}",
        src.display()
    );
    let modules = top_level_modules(&src);
    let mut out = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap_or(&file).to_path_buf();
        let module = module_path(&rel);
        let binary = module == ["main"];
        let from = match module.as_slice() {
            [] => continue,
            [only] if only == "lib" => "lib".to_string(),
            _ => module_of(&module, &modules).unwrap_or_default(),
        };
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let own: &[String] = if from == "lib" { &[] } else { &module };
        for import in imports(&text, own, binary) {
            let Some(to) = module_of(&import.path, &modules) else {
                continue;
            };
            if to != from {
                out.push(Arrow {
                    from: from.clone(),
                    to,
                    at: format!("src/{}:{}", rel.display(), import.line),
                    path: import.path.join("::"),
                });
            }
        }
    }
    out
}

fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    ALLOWED
        .iter()
        .map(|(m, to)| (*m, to.iter().copied().collect()))
        .collect()
}

#[test]
fn every_import_follows_the_floor_plan() {
    let allowed = allowed();
    let mut offenders = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for a in arrows() {
        match allowed.get(a.from.as_str()) {
            None => {
                unknown.insert(a.from.clone());
            }
            Some(ok) if !ok.contains(a.to.as_str()) => {
                offenders.insert(format!(
                    "{}: {} imports {} (crate::{})",
                    a.at, a.from, a.to, a.path
                ));
            }
            Some(_) => {}
        }
        if !allowed.contains_key(a.to.as_str()) {
            unknown.insert(a.to.clone());
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from ALLOWED in tests/architecture.rs (give each a floor): {unknown:?}"
    );
    assert!(
        offenders.is_empty(),
        "{} imports go against the floor plan in tests/architecture.rs:\n{}",
        offenders.len(),
        offenders.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(c) = visit(node, graph, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_floor_plan_has_no_cycle() {
    let table: BTreeMap<String, BTreeSet<String>> = ALLOWED
        .iter()
        .map(|(m, to)| (m.to_string(), to.iter().map(|t| t.to_string()).collect()))
        .collect();
    assert_eq!(find_cycle(&table), None, "ALLOWED has a cycle");
    // The arrows the source actually has, whatever the table says.
    let mut actual: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in arrows() {
        actual.entry(a.from).or_default().insert(a.to);
    }
    assert_eq!(
        find_cycle(&actual),
        None,
        "the modules import each other in a circle"
    );
}

#[test]
fn the_ground_floor_list_matches_the_table() {
    let allowed = allowed();
    for g in GROUND {
        let to = allowed
            .get(g)
            .unwrap_or_else(|| panic!("{g} is not in ALLOWED"));
        assert!(
            to.iter().all(|t| GROUND.contains(t)),
            "{g} is on the ground floor but may import {to:?}"
        );
    }
}

#[test]
fn use_lines_are_parsed_with_groups_paths_in_code_and_super_chains() {
    let src = r##"
        use crate::{value::Value, json::{Doc, Row}, self as me};
        use crate::plan::expr::ScalarExpr as E;
        // use crate::commented::Out;
        /* use crate::block::Out; */
        const S: &str = "crate::in_a_string::Out";
        const R: &str = r#"crate::raw::Out"#;
        fn f<'a>(x: &'a str) -> char {
            let _ = crate::functions::lookup_scalar(x);
            let _ = <crate::types::DataType>::default();
            'c'
        }
        pub(crate) fn g() {}
        mod tests {
            use super::super::catalog::Catalog;
            use super::*;
        }
        use super::super::exec::source::OpenInput;
        macro_rules! m {
            () => {
                super::expanded_where_used();
                $crate::span::Span::default()
            };
        }
    "##;
    let module = vec!["plan".to_string(), "eval".to_string()];
    let got: Vec<String> = imports(src, &module, false)
        .into_iter()
        .map(|i| i.path.join("::"))
        .collect();
    assert_eq!(
        got,
        [
            "value::Value",
            "json::Doc",
            "json::Row",
            "plan::expr::ScalarExpr",
            "functions::lookup_scalar",
            "types::DataType",
            "plan::catalog::Catalog",
            "plan::eval",
            "exec::source::OpenInput",
            "span::Span::default",
        ]
    );
    let modules: BTreeSet<String> = ["exec", "input", "value"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(
        module_of(&["input".into(), "open".into()], &modules).as_deref(),
        Some("input")
    );
    assert_eq!(
        module_of(&["exec".into(), "run".into()], &modules).as_deref(),
        Some("exec")
    );
    assert_eq!(
        module_of(&["Engine".into()], &modules).as_deref(),
        Some("lib")
    );
}

#[test]
fn the_imports_of_a_known_file_are_found() {
    // `exec/physical.rs` lowers plans: it must be seen importing the plan,
    // values and the input layer.
    let mut to: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in arrows() {
        to.entry(a.at.split(':').next().unwrap_or_default().to_string())
            .or_default()
            .insert(a.to);
    }
    let physical = to.get("src/exec/physical.rs").cloned().unwrap_or_default();
    for m in ["plan", "value", "input"] {
        assert!(
            physical.contains(m),
            "src/exec/physical.rs imports {physical:?}"
        );
    }
    let total: usize = to.values().map(BTreeSet::len).sum();
    assert!(total > 200, "only {total} file → module imports found");
}

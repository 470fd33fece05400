//! Reading a workspace's functions and watchlists from files: the parser
//! YAML of the Azure-Sentinel repository and `.kql` files (functions),
//! and CSV files (watchlists). See `docs/replay.md`.

use crate::error::Error;
use crate::schema::{Field, Schema};
use crate::semantic::Workspace;
use crate::types::DataType;
use crate::value::{Bag, DateTime, Str, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Every file under `path` (or `path` itself), recursively, in name order,
/// whose extension is one of `extensions`.
fn files_under(path: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, Error> {
    let meta =
        std::fs::metadata(path).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| Error::Usage(format!("{}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                pending.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Loads the functions of a file or folder into `workspace`: parser YAML
/// (`*.yaml`, `*.yml`) and `*.kql`/`*.csl` files. Returns one warning per
/// function that could not be read (the others are loaded); YAML files
/// without a function query (rules, tests) are skipped.
///
/// # Errors
///
/// [`Error::Usage`] when `path` cannot be read.
pub fn load_functions(workspace: &mut Workspace, path: &Path) -> Result<Vec<String>, Error> {
    let mut warnings = Vec::new();
    for file in files_under(path, &["yaml", "yml", "kql", "csl"])? {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let is_yaml = file
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let found = if is_yaml {
            yaml_function(&text)
        } else {
            kql_function(&text, &file)
        };
        let origin = file.display().to_string();
        match found {
            Ok(None) => {}
            Ok(Some(f)) => {
                for name in &f.names {
                    if let Err(e) = workspace.define_function(name, &f.params, &f.body, &origin) {
                        warnings.push(format!("{origin}: {e}"));
                    }
                }
            }
            Err(e) => warnings.push(format!("{origin}: {e}")),
        }
    }
    Ok(warnings)
}

/// A function read from a file: its names (a parser's name and its
/// built-in alias), its parameter list and its body.
struct FunctionText {
    names: Vec<String>,
    params: String,
    body: String,
}

/// A function of the Azure-Sentinel repository's parser YAML: the ASIM
/// form (`ParserName`, `EquivalentBuiltInParser`, `ParserParams`,
/// `ParserQuery`) or the older one (`FunctionName`, `FunctionAlias`,
/// `FunctionParams`, `FunctionQuery`). `None` for YAML without a query.
fn yaml_function(text: &str) -> Result<Option<FunctionText>, String> {
    let doc: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
    let get = |key: &str| doc.get(key);
    let Some(query) = get("ParserQuery").or_else(|| get("FunctionQuery")) else {
        return Ok(None);
    };
    let Some(body) = query.as_str() else {
        return Err("the function query is not text".into());
    };
    let mut names = Vec::new();
    for key in [
        "ParserName",
        "FunctionName",
        "FunctionAlias",
        "EquivalentBuiltInParser",
    ] {
        if let Some(name) = get(key).and_then(|v| v.as_str()).map(str::trim)
            && !name.is_empty()
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_string());
        }
    }
    if names.is_empty() {
        return Err("no ParserName or FunctionName/FunctionAlias".into());
    }
    let mut params = Vec::new();
    if let Some(list) = get("ParserParams").or_else(|| get("FunctionParams")) {
        let Some(list) = list.as_sequence() else {
            return Err("the function parameters are not a list".into());
        };
        for p in list {
            let field = |k: &str| p.get(k).or_else(|| p.get(k.to_ascii_lowercase()));
            let Some(name) = field("Name").and_then(|v| v.as_str()) else {
                return Err("a function parameter has no Name".into());
            };
            let ty = field("Type")
                .and_then(|v| v.as_str())
                .unwrap_or("string")
                .trim();
            let mut decl = format!("{name}:{ty}");
            if let Some(default) = field("Default") {
                decl.push('=');
                decl.push_str(&default_literal(ty, default));
            }
            params.push(decl);
        }
    }
    Ok(Some(FunctionText {
        names,
        params: params.join(", "),
        body: body.to_string(),
    }))
}

/// A parameter's `Default` as a KQL literal. YAML has already taken the
/// quotes off `Default: '*'`, so a string default that is not a quoted
/// literal already is quoted again.
fn default_literal(ty: &str, default: &serde_norway::Value) -> String {
    let text = match default {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Bool(b) => b.to_string(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::Null => String::new(),
        other => serde_norway::to_string(other).unwrap_or_default(),
    };
    let quoted = text.starts_with('\'') || text.starts_with('"') || text.starts_with('@');
    if ty.eq_ignore_ascii_case("string") && !quoted {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    } else {
        text
    }
}

/// A function of a `.kql` file: `.create function Name(params) { body }`
/// (also `.create-or-alter`, `.alter`, with `with (...)` properties), or
/// else the whole file is the body of a function without parameters named
/// after the file (`imDns.kql` is `imDns`).
fn kql_function(text: &str, file: &Path) -> Result<Option<FunctionText>, String> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('.') {
        let Some(name) = file.file_stem().and_then(|s| s.to_str()) else {
            return Err("no file name to name the function by".into());
        };
        return Ok(Some(FunctionText {
            names: vec![name.to_string()],
            params: String::new(),
            body: text.to_string(),
        }));
    }
    let mut rest = trimmed;
    for word in [".create-or-alter", ".create", ".alter"] {
        if let Some(r) = rest.strip_prefix(word) {
            rest = r.trim_start();
            break;
        }
    }
    let Some(r) = rest.strip_prefix("function") else {
        return Err("a command other than '.create function'".into());
    };
    rest = r.trim_start();
    if let Some(r) = rest.strip_prefix("ifnotexists") {
        rest = r.trim_start();
    }
    if let Some(r) = rest.strip_prefix("with") {
        let r = r.trim_start();
        let end = matching(r).ok_or("unclosed 'with (' properties")?;
        rest = r[end..].trim_start();
    }
    let open = rest.find('(').ok_or("no '(' after the function's name")?;
    let name = rest[..open].trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("'{name}' is not a function name"));
    }
    let close = matching(&rest[open..]).ok_or("unclosed parameter list")? + open;
    let params = rest[open + 1..close - 1].to_string();
    let after = rest[close..].trim_start();
    let body = after
        .strip_prefix('{')
        .and_then(|b| b.trim_end().strip_suffix('}'))
        .ok_or("the function body is not in { }")?;
    Ok(Some(FunctionText {
        names: vec![name.to_string()],
        params,
        body: body.to_string(),
    }))
}

/// The end (one past the closing bracket) of the bracketed group `text`
/// starts with, skipping brackets in quoted strings.
fn matching(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Loads every `*.csv` file of a file or folder as a watchlist whose alias
/// is the file's stem. `_GetWatchlist('alias')` returns, as Sentinel does,
/// `_DTItemId`, `LastUpdatedTimeUTC`, `SearchKey` and `WatchlistItem` (the
/// row as a property bag), then the file's columns, all strings. The
/// search key is the first column. Returns how many were loaded.
///
/// # Errors
///
/// [`Error::Usage`] when `path` or a file cannot be read or a file is not
/// CSV with a header.
pub fn load_watchlists(workspace: &mut Workspace, path: &Path) -> Result<usize, Error> {
    let files = files_under(path, &["csv"])?;
    for file in &files {
        let Some(alias) = file.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let (schema, rows) = read_watchlist(file)?;
        workspace.add_watchlist(alias, schema, rows);
    }
    Ok(files.len())
}

fn read_watchlist(file: &Path) -> Result<(Schema, Vec<Vec<Value>>), Error> {
    let bad = |e: &dyn std::fmt::Display| Error::Usage(format!("{}: {e}", file.display()));
    let bytes = std::fs::read(file).map_err(|e| bad(&e))?;
    let modified = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_micros()).ok())
        .map(|us| Value::DateTime(DateTime(DateTime::UNIX_EPOCH_TICKS + us * 10)))
        .unwrap_or(Value::Null);
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(&e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(bad(&"a watchlist needs a header row"));
    }
    let mut fields = vec![
        Field::new("_DTItemId", DataType::String),
        Field::new("LastUpdatedTimeUTC", DataType::DateTime),
        Field::new("SearchKey", DataType::String),
        Field::new("WatchlistItem", DataType::Dynamic),
    ];
    let reserved = fields.len();
    for h in &headers {
        if !fields.iter().any(|f| f.name == *h) {
            fields.push(Field::new(h, DataType::String));
        }
    }
    let schema = Schema::new(fields);
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(&e))?;
        let cell = |i: usize| record.get(i).unwrap_or("").to_string();
        let mut item = Bag::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            item.insert(Str::new(h), Value::from(cell(i)));
        }
        let mut row = vec![
            Value::from(format!("{:08x}-0000-4000-8000-{:012x}", n + 1, n + 1)),
            modified.clone(),
            Value::from(cell(0)),
            Value::Bag(Arc::new(item)),
        ];
        for f in &schema.fields[reserved..] {
            let i = headers.iter().position(|h| *h == f.name).unwrap_or(0);
            row.push(Value::from(cell(i)));
        }
        rows.push(row);
    }
    Ok((schema, rows))
}

//! A golden case's file (`tests/golden/**/*.kql`) read with its header
//! directives, shared by the golden harness (`tests/golden.rs`) and the
//! differential tests (`tests/it/diff_rules.rs`). The header is the run of
//! `//` lines at the top:
//!
//! * `// table: Name=path` binds a table to a file (path from the crate root);
//! * `// now: 2024-11-05T00:00:00Z` fixes `now()` (that instant by default);
//! * `// explain` makes the case's expected output the plan, not the rows.

use kqlite::DateTime;
use std::path::{Path, PathBuf};

/// One golden case.
pub struct Case {
    /// The whole file, header included.
    pub query: String,
    /// The tables its header binds.
    pub tables: Vec<(String, PathBuf)>,
    /// What `now()` gives.
    pub now: DateTime,
    /// Whether the expected output is the plan.
    pub explain: bool,
}

/// Reads the case at `path`.
pub fn parse_case(path: &Path) -> Case {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let query = std::fs::read_to_string(path).unwrap();
    let mut tables = Vec::new();
    let mut now = DateTime::parse("2024-11-05T00:00:00Z").unwrap();
    let mut explain = false;
    for line in query.lines() {
        let Some(comment) = line.strip_prefix("//") else {
            break;
        };
        let comment = comment.trim();
        if let Some(spec) = comment.strip_prefix("table:") {
            let (name, p) = spec.trim().split_once('=').unwrap();
            tables.push((name.to_string(), root.join(p)));
        } else if let Some(t) = comment.strip_prefix("now:") {
            now = DateTime::parse(t.trim()).unwrap();
        } else if comment == "explain" {
            explain = true;
        }
    }
    Case {
        query,
        tables,
        now,
        explain,
    }
}

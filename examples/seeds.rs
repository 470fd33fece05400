//! Runs the seven published AKS detections (`examples/seed-queries.kql`,
//! verbatim from the Sentinel article) over the bundled sample logs.
//!
//! `cargo run --example seeds` — add `-- --format jsonl` for JSON lines.

use kqlite::output::{JsonLinesWriter, TableWriter};
use kqlite::{Engine, ResultSink};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let jsonl = std::env::args().any(|a| a == "jsonl" || a == "--format=jsonl");
    let text = match std::fs::read_to_string(root.join("examples/seed-queries.kql")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read the seed queries: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut engine = Engine::new();
    for table in ["AzureDiagnostics", "AzureActivity"] {
        if let Err(e) = engine.add_path(table, root.join("examples/data").join(table)) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    // Each published query is one line; the comment above it names it.
    let mut title = String::new();
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("// Q") {
            title = format!("Q{comment}");
            continue;
        }
        if line.trim().is_empty() || line.starts_with("//") {
            continue;
        }
        println!("\n== {title}\n{line}\n");
        let query = match engine.compile(line) {
            Ok(q) => q,
            Err(e) => {
                eprint!("{}", e.render(line, "query"));
                return ExitCode::FAILURE;
            }
        };
        let stdout = std::io::stdout();
        let mut sink: Box<dyn ResultSink> = if jsonl {
            Box::new(JsonLinesWriter::new(stdout.lock()))
        } else {
            Box::new(TableWriter::new(stdout.lock()))
        };
        if let Err(e) = query.run(&engine, sink.as_mut()) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

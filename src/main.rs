//! The `kqlite` command: a thin client of the library.
//!
//! `kqlite [--table NAME=PATH]... [--input-format NAME=FORMAT]...
//! [--param NAME=VALUE]... [--format table|jsonl|csv] [--threads N]
//! [--strict] [--date-order dmy|mdy] [--parse-only] [--explain] (QUERY | --query-file FILE)`
//!
//! `kqlite replay RULE_OR_DIR... [--table NAME=PATH]... [--logs DIR]
//! [--from T] [--to T] [--format table|jsonl|csv]` and
//! `kqlite check RULE_OR_DIR...`, `kqlite test TEST_OR_DIR...`: see `docs/replay.md`.
//!
//! Exit codes: 0 success, 2 query error (reported before any data is
//! scanned, except an error that may depend on columns read from the data
//! by `evaluate bag_unpack` or `pivot`), 1 input or run error, 130
//! interrupted (Ctrl-C).

mod replay_cli;

use clap::Parser;
use kqlite::output::{CsvWriter, JsonLinesWriter, TableWriter};
use kqlite::{
    DateTime, Engine, EngineOptions, Error, ExecError, Note, NoteKind, Params, ResultSink,
};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the query is running (Ctrl-C then stops it cleanly).
static SCANNING: AtomicBool = AtomicBool::new(false);

/// How long a cancelled run has to stop by itself before Ctrl-C ends the
/// process.
const CANCEL_GRACE: std::time::Duration = std::time::Duration::from_millis(1500);

/// Says so once (the grace timer and the run may both get here) and exits.
fn interrupted_exit() -> ! {
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::SeqCst) {
        eprintln!("interrupted");
    }
    std::process::exit(130);
}

#[derive(Parser, Debug)]
#[command(
    name = "kqlite",
    version,
    about = "Run KQL (Kusto) queries over log files on disk.",
    after_help = "Exit codes: 0 success (also when malformed lines were skipped and reported), \
2 query error (syntax, binding, not supported; reported before any data is scanned), \
1 input or runtime error.\n\n\
Input formats (recognised per file by content; any of them may be gzipped):\n  \
jsonl          Log Analytics rows, one JSON object per line (keys are column names)\n  \
k8s-audit      raw Kubernetes audit log (audit.k8s.io Events) -> AzureDiagnostics, AKSAudit, AKSAuditAdmin\n  \
azure-records  diagnostic-setting archives (PT1H.json, insights-logs-*/ trees) and Event Hub\n                 bodies {\"records\":[...]} -> AzureDiagnostics, AKSAudit, AKSAuditAdmin,\n                 AKSControlPlane by category; Activity Log records -> AzureActivity\n  \
activity-list  az monitor activity-log list JSON -> AzureActivity\n  \
query-api      Log Analytics query API JSON {\"tables\":[...]} (query-api:NAME reads table NAME)\n  \
az-query       az monitor log-analytics query JSON (types from the built-in schema)\n  \
csv            portal \"Export to CSV\" (rows routed by a $table column; csv:NAME keeps those rows)\n\
Event Hubs Capture Avro files are read message by message, each Body in the format it holds.\n\
Records that belong to other tables than the one a file is bound to are skipped and counted.\n\n\
Examples:\n  kqlite --table AzureDiagnostics=logs/ \\\n    'AzureDiagnostics | where Category == \"kube-audit\" | take 5'\n  \
kqlite --table AKSAudit=audit.log.gz 'AKSAudit | summarize count() by Verb'\n  \
kqlite --table AzureActivity=export.csv --input-format AzureActivity=csv 'AzureActivity | take 5'"
)]
struct Cli {
    /// A table's input: NAME=PATH, where PATH is a file, a directory (read
    /// recursively), a glob, or - for standard input. Repeat to add more
    /// files to a table or to give several tables. The text before the
    /// first `=` is the table name; the rest is the path.
    #[arg(long = "table", value_name = "NAME=PATH")]
    tables: Vec<String>,

    /// Read every input of table NAME as FORMAT instead of recognising
    /// each file's format by its content: auto, jsonl, k8s-audit,
    /// azure-records, activity-list, query-api[:TABLE], az-query,
    /// csv[:TABLE] (see below). The text before the first `=` is the
    /// table name. Applies to the table's inputs wherever they are given.
    #[arg(long = "input-format", value_name = "NAME=FORMAT")]
    input_formats: Vec<String>,

    /// A value for a parameter the query declares with `declare
    /// query_parameters(NAME:TYPE [= DEFAULT], ...)`: NAME=VALUE, the VALUE
    /// converted by the declared TYPE (a string as it is, a dynamic as
    /// JSON, another type as the text of its literal: 5, 2024-01-01, 14d,
    /// true). The text before the first `=` is the name. Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,

    /// Output format. Default: table on a terminal, jsonl otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Stop with exit code 1 at the first input line or record that is not a
    /// row, or value that does not convert to its column's type.
    #[arg(long)]
    strict: bool,

    /// The memory budget: sort, summarize, join and the other operators
    /// that hold rows stop with exit code 1 past it, as does an input
    /// stream (standard input, a pipe) longer than it. SIZE in bytes or
    /// with a unit: 512M, 4G. Default: half the machine's memory (less
    /// under `ulimit -v`).
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    max_memory: Option<u64>,
    /// Read locale dates of exports (26/03/2026, 3/26/2026) day-first (dmy)
    /// or month-first (mdy). Default: decided per file and column from the values.
    #[arg(long, value_name = "dmy|mdy")]
    date_order: Option<String>,

    /// Only check that the query parses; read no data. Exit 0 if it does, 2 otherwise.
    #[arg(long)]
    parse_only: bool,

    /// Print the query plan instead of running the query.
    #[arg(long)]
    explain: bool,

    /// Read the query from FILE, or from standard input when FILE is -.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    query_file: Option<String>,

    /// What now() and ago() measure from, e.g. 2024-11-05T00:00:00Z, or
    /// `latest`: the newest TimeGenerated of the inputs (default: the
    /// current time).
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,

    /// A GeoIP database in MaxMind's format (.mmdb: GeoLite2/GeoIP2 City or Country) for
    /// geo_info_from_ip_address(); without one that function gives null.
    #[arg(long, value_name = "FILE")]
    geoip: Option<std::path::PathBuf>,

    /// Target size in bytes of the chunks a file is cut into for parallel reading.
    #[arg(long, value_name = "BYTES", hide = true)]
    chunk_size: Option<usize>,

    #[command(flatten)]
    workspace: replay_cli::WorkspaceArgs,

    /// The query text.
    #[arg(required_unless_present = "query_file")]
    query: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Jsonl,
    Csv,
}

/// The heap is counted, for the memory budget (`--max-memory`).
#[global_allocator]
static ALLOCATOR: kqlite::CountingAllocator = kqlite::CountingAllocator;

fn parse_memory(text: &str) -> Result<u64, String> {
    kqlite::parse_size(text).ok_or_else(|| format!("'{text}' is not a size such as 512M or 4G"))
}

fn main() -> ExitCode {
    // The command maps its input files; a file truncated under it is an
    // error naming the file, not a crash (see `src/input/open.rs`).
    kqlite::MmapChoice::Guarded.set_process_default();
    // `kqlite replay ...` and `kqlite check ...`: subcommands in front of
    // the plain query form, which stays as it is.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match args.get(1).and_then(|a| a.to_str()) {
        Some("replay") => return replay_cli::replay_main(&args[1..]),
        Some("check") => return replay_cli::check_main(&args[1..]),
        Some("test") => return replay_cli::test_main(&args[1..]),
        _ => {}
    }
    let cli = Cli::parse();
    let (text, origin) = match (&cli.query, &cli.query_file) {
        (Some(q), _) => (q.clone(), "query".to_string()),
        (None, Some(path)) if path == "-" => {
            if cli
                .tables
                .iter()
                .any(|spec| spec.split_once('=').is_some_and(|(_, path)| path == "-"))
            {
                eprintln!(
                    "error: standard input cannot hold both the query (--query-file -) and a table (--table NAME=-)"
                );
                return ExitCode::from(2);
            }
            let mut text = String::new();
            match std::io::stdin().lock().read_to_string(&mut text) {
                Ok(_) => (text, "stdin".to_string()),
                Err(e) => {
                    eprintln!("error: cannot read the query from standard input: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        (None, Some(path)) => match std::fs::read_to_string(path) {
            Ok(t) => (t, path.clone()),
            Err(e) => {
                eprintln!("error: cannot read query file {path}: {e}");
                return ExitCode::from(2);
            }
        },
        (None, None) => {
            eprintln!("error: no query given");
            return ExitCode::from(2);
        }
    };
    match run(&cli, &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Exec(ExecError::Interrupted)) => interrupted_exit(),
        Err(e) => {
            let rendered = e.render(&text, &origin);
            let _ = std::io::stderr().write_all(rendered.as_bytes());
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

fn run(cli: &Cli, text: &str) -> Result<(), Error> {
    // Syntax first: a malformed query is reported before any file is touched.
    kqlite::check_syntax(text)?;
    if cli.parse_only {
        return Ok(());
    }
    let latest = cli.now.as_deref() == Some("latest");
    let now = match &cli.now {
        Some(_) if latest => None,
        Some(s) => Some(
            DateTime::parse(s)
                .ok_or_else(|| Error::Usage(format!("--now: '{s}' is not a datetime")))?,
        ),
        None => None,
    };
    let geoip = match &cli.geoip {
        Some(path) => Some(std::sync::Arc::new(
            kqlite::GeoIpDatabase::open(path).map_err(|e| Error::Usage(format!("--geoip: {e}")))?,
        )),
        None => None,
    };
    if geoip.is_none() && text.contains("geo_info_from_ip_address") {
        eprintln!(
            "note: no GeoIP database was given (--geoip FILE, a MaxMind .mmdb): geo_info_from_ip_address() gives null"
        );
    }
    let defaults = EngineOptions::default();
    let mut engine = Engine::with_options(EngineOptions {
        threads: cli.threads,
        chunk_size: cli.chunk_size.unwrap_or(defaults.chunk_size),
        strict: cli.strict,
        now,
        max_memory: cli.max_memory,
        geoip,
        // One query, run once: a stream it reads once is not spooled.
        single_pass_streams: true,
        ..defaults
    });
    if let Some(order) = &cli.date_order {
        engine.set_date_order(order)?;
    }
    replay_cli::add_workspace(&mut engine, &cli.workspace)?;
    for spec in &cli.input_formats {
        let Some((name, format)) = spec.split_once('=') else {
            return Err(Error::Usage(format!(
                "--input-format expects NAME=FORMAT, got '{spec}'"
            )));
        };
        if name.is_empty() {
            return Err(Error::Usage(format!(
                "--input-format '{spec}' has no table name"
            )));
        }
        engine
            .set_input_format(name, format)
            .map_err(|e| Error::Usage(format!("--input-format {spec}: {e}")))?;
    }
    let mut params = Params::new();
    for spec in &cli.params {
        let Some((name, value)) = spec.split_once('=') else {
            return Err(Error::Usage(format!(
                "--param expects NAME=VALUE, got '{spec}'"
            )));
        };
        if name.is_empty() {
            return Err(Error::Usage(format!(
                "--param '{spec}' has no parameter name"
            )));
        }
        params.set_text(name, value);
    }
    // Ctrl-C during the scan stops it at the next chunk; before the scan
    // (waiting for standard input, reading the schema sample) and at a
    // second Ctrl-C, kqlite exits at once. The run may also be blocked
    // where it cannot look at the flag (writing to a pipe nobody reads), so
    // after a grace period the process exits anyway.
    let cancel = engine.cancel.clone();
    let _ = ctrlc::set_handler(move || {
        if !SCANNING.load(Ordering::SeqCst) || cancel.swap(true, Ordering::SeqCst) {
            interrupted_exit();
        }
        std::thread::spawn(|| {
            std::thread::sleep(CANCEL_GRACE);
            interrupted_exit();
        });
    });
    let mut stdin_used = false;
    for spec in &cli.tables {
        let Some((name, path)) = spec.split_once('=') else {
            return Err(Error::Usage(format!(
                "--table expects NAME=PATH, got '{spec}'"
            )));
        };
        if name.is_empty() {
            return Err(Error::Usage(format!("--table '{spec}' has no table name")));
        }
        if path == "-" {
            if stdin_used {
                return Err(Error::Usage(
                    "standard input can be given to one --table only".into(),
                ));
            }
            stdin_used = true;
            engine.add_reader(name, "<stdin>", std::io::stdin())?;
        } else {
            engine.add_path(name, path)?;
        }
    }
    for n in engine.input_notes() {
        let _ = writeln!(std::io::stderr().lock(), "note: {n}");
    }
    if latest {
        match engine.pin_now_to_newest_event()? {
            Some(t) => note(&Note::new(
                NoteKind::NowPinned,
                format!("now() is {t}, the newest TimeGenerated of the inputs (--now latest)"),
            )),
            None => {
                return Err(Error::Usage(
                    "--now latest: no input row has a TimeGenerated".into(),
                ));
            }
        }
    }
    let query = engine.compile_with(text, &params)?;
    for n in query.notes() {
        note(n);
    }
    if cli.explain {
        print!("{}", query.explain());
        return Ok(());
    }
    let stdout = std::io::stdout();
    let format = cli.format.unwrap_or(if stdout.is_terminal() {
        Format::Table
    } else {
        Format::Jsonl
    });
    let out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut sink: Box<dyn ResultSink> = match format {
        Format::Jsonl => Box::new(JsonLinesWriter::new(out)),
        Format::Csv => Box::new(CsvWriter::new(out)),
        Format::Table => Box::new(TableWriter::new(out)),
    };
    SCANNING.store(true, Ordering::SeqCst);
    let stats = query.run(&engine, sink.as_mut())?;
    drop(sink);
    if stats.bad_lines > 0 {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "warning: skipped {} input line{} that {} not a row (not a JSON object row, or a malformed record):",
            stats.bad_lines,
            if stats.bad_lines == 1 { "" } else { "s" },
            if stats.bad_lines == 1 { "is" } else { "are" }
        );
        for r in &stats.reports {
            let _ = writeln!(err, "  {}:{}: {}", r.file, r.line, r.reason);
        }
        let unreported = stats.bad_lines.saturating_sub(stats.reports.len() as u64);
        if unreported > 0 {
            let _ = writeln!(err, "  ... and {unreported} more");
        }
    }
    for n in &stats.notes {
        note(n);
    }
    for c in &stats.conversions {
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: {} value{} of column {} in {} did not convert to {} and {} read as null (first at line {}: {:?})",
            c.count,
            if c.count == 1 { "" } else { "s" },
            c.column,
            c.file,
            c.ty,
            if c.count == 1 { "was" } else { "were" },
            c.line,
            c.text
        );
    }
    for c in &stats.assumed_month_first {
        let _ = writeln!(
            std::io::stderr().lock(),
            "warning: {} date{} of column {} in {} could be day-first or month-first and {} read month-first (first at line {}: {:?}); use --date-order dmy if they are day-first",
            c.count,
            if c.count == 1 { "" } else { "s" },
            c.column,
            c.file,
            if c.count == 1 { "was" } else { "were" },
            c.line,
            c.text
        );
    }
    if stats.skipped_records > 0 {
        let _ = writeln!(
            std::io::stderr().lock(),
            "note: {} input record{} of other tables than the one{} scanned {} skipped",
            stats.skipped_records,
            if stats.skipped_records == 1 { "" } else { "s" },
            if stats.skipped_records == 1 { "" } else { "s" },
            if stats.skipped_records == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    Ok(())
}

/// Prints a note on stderr: `note: message`, then `  = help: ...`.
fn note(n: &Note) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "note: {}", n.message);
    if let Some(help) = &n.help {
        let _ = writeln!(err, "  = help: {help}");
    }
}

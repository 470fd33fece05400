//! `kqlite replay` and `kqlite check`: thin clients of the library's
//! [`kqlite::replay`] and [`kqlite::check_rules`].

use clap::Parser;
use kqlite::output::{CsvWriter, JsonLinesWriter, TableWriter};
use kqlite::{
    DataType, DateTime, Engine, EngineOptions, Error, Field, ReplayOptions, ReplayProgress,
    ResultSink, Schema, Value, check_rules, load_rules, replay_with_progress,
};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Replay Microsoft Sentinel analytics rules over log files, as the
/// service would run them: one row per alert, in the SecurityAlert schema.
#[derive(Parser, Debug)]
#[command(
    name = "kqlite replay",
    after_help = "Exit codes: 0 ran, 2 a rule or query error (the other rules still run), \
1 an input or runtime error.\n\nWith --format table (the default on a terminal), a summary per \
rule instead of the alerts.\n\nExample:\n  kqlite replay rules/ --logs logs/ --format jsonl > alerts.jsonl\n  \
kqlite --table SecurityAlert=alerts.jsonl 'SecurityAlert | summarize count() by AlertName'"
)]
struct ReplayCli {
    /// Rule files (YAML, or ARM-template JSON as the portal exports) and
    /// folders of them.
    #[arg(required = true, value_name = "RULE_OR_DIR")]
    rules: Vec<String>,

    #[command(flatten)]
    inputs: InputArgs,

    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// The first tick (default: the first event, rounded up to the rule's queryFrequency).
    #[arg(long, value_name = "DATETIME")]
    from: Option<String>,

    /// The last moment a tick may be at (default: until the last event leaves the lookback).
    #[arg(long, value_name = "DATETIME")]
    to: Option<String>,

    /// Output format. Default: table (a summary) on a terminal, jsonl (alerts) otherwise.
    #[arg(long, value_enum)]
    format: Option<Format>,

    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// The inputs `replay` and `check` bind to tables.
#[derive(clap::Args, Debug)]
struct InputArgs {
    /// A table's input: NAME=PATH (a file, a folder or a glob). Repeatable.
    /// For `check`, the table's schema then comes from its data.
    #[arg(long = "table", value_name = "NAME=PATH")]
    tables: Vec<String>,

    /// A folder of logs: each DIR/<Table>/ folder or DIR/<Table>.* file is
    /// that table's input.
    #[arg(long, value_name = "DIR")]
    logs: Vec<String>,
}

/// A workspace's functions, watchlists and `externaldata` mirrors, for
/// queries, `replay`, `check` and `test`.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct WorkspaceArgs {
    /// Stored functions: a folder (or file) of parser YAML (as in the
    /// Azure-Sentinel repository's Parsers/) or `.kql` files. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub functions: Vec<String>,

    /// Watchlists: each DIR/<alias>.csv is what `_GetWatchlist('<alias>')`
    /// returns. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub watchlists: Vec<String>,

    /// `externaldata` reads URL from the local FILE (no URL is ever
    /// fetched); split at the last `=`. Repeatable.
    #[arg(long, value_name = "URL=FILE")]
    pub external: Vec<String>,

    /// `externaldata` reads each URL from the file of DIR named as the
    /// URL's last path segment.
    #[arg(long, value_name = "DIR")]
    pub external_dir: Option<String>,
}

/// Loads the functions, watchlists and mirrors of `args` into `engine`;
/// functions that could not be read are warned about on standard error.
pub(crate) fn add_workspace(engine: &mut Engine, args: &WorkspaceArgs) -> Result<(), Error> {
    for dir in &args.functions {
        for warning in engine.load_functions(dir)? {
            eprintln!("warning: {warning}");
        }
    }
    for dir in &args.watchlists {
        engine.load_watchlists(dir)?;
    }
    for spec in &args.external {
        // URLs hold `=` (`?sv=...`), paths seldom: split at the last one.
        let Some((url, path)) = spec.rsplit_once('=').filter(|(u, _)| !u.is_empty()) else {
            return Err(Error::Usage(format!(
                "--external expects URL=FILE, got '{spec}'"
            )));
        };
        engine.add_external(url, path);
    }
    if let Some(dir) = &args.external_dir {
        engine.set_external_dir(dir);
    }
    Ok(())
}

/// Check analytics rules without data: every query parses and binds (with
/// the built-in schemas and the tables given), and every column the rule
/// maps is in the query's result.
#[derive(Parser, Debug)]
#[command(
    name = "kqlite check",
    after_help = "Exit codes: 0 every rule is fine, 1 a rule has an error."
)]
struct CheckCli {
    /// Rule files and folders of them.
    #[arg(required = true, value_name = "RULE_OR_DIR")]
    rules: Vec<String>,

    #[command(flatten)]
    inputs: InputArgs,

    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// `plain` (FILE:LINE:COL: RULE: MESSAGE), `github` (workflow
    /// annotations) or `sarif` (SARIF 2.1.0, for code scanning).
    #[arg(long, value_enum, default_value = "plain")]
    format: CheckFormat,
}

/// Run rule tests: each `*.test.yaml` names a rule, its input logs, the
/// replay range or a single `now`, and the expected outcome.
#[derive(Parser, Debug)]
#[command(
    name = "kqlite test",
    after_help = "Exit codes: 0 every test passed, 1 a test failed, 2 a test or its rule could not run."
)]
struct TestCli {
    /// Test files (`*.test.yaml`) and folders of them.
    #[arg(required = true, value_name = "TEST_OR_DIR")]
    tests: Vec<String>,

    #[command(flatten)]
    workspace: WorkspaceArgs,

    /// Write a JUnit XML report to standard output (the test lines go to
    /// standard error).
    #[arg(long)]
    junit: bool,

    /// For each failing test, print the `expect:` section of what was
    /// observed, to paste over the test's own (kqlite writes no file).
    #[arg(long)]
    bless: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Jsonl,
    Csv,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CheckFormat {
    Plain,
    Github,
    Sarif,
}

fn exit(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
}

/// Binds `--table` and `--logs` inputs.
fn add_inputs(engine: &mut Engine, tables: &[String], logs: &[String]) -> Result<(), Error> {
    for spec in tables {
        let Some((name, path)) = spec.split_once('=').filter(|(n, _)| !n.is_empty()) else {
            return Err(Error::Usage(format!(
                "--table expects NAME=PATH, got '{spec}'"
            )));
        };
        engine.add_path(name, path)?;
    }
    for dir in logs {
        let entries =
            std::fs::read_dir(dir).map_err(|e| Error::Usage(format!("--logs {dir}: {e}")))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().to_string()) else {
                continue;
            };
            let table = if path.is_dir() {
                name.as_str()
            } else {
                name.split('.').next().unwrap_or(&name)
            };
            if table.is_empty() {
                continue;
            }
            engine.add_path(table, &path)?;
        }
    }
    Ok(())
}

fn datetime(flag: &str, text: &Option<String>) -> Result<Option<DateTime>, Error> {
    text.as_deref()
        .map(|s| {
            DateTime::parse(s)
                .ok_or_else(|| Error::Usage(format!("--{flag}: '{s}' is not a datetime")))
        })
        .transpose()
}

/// `kqlite replay ...` (`args` starts with `replay`).
pub fn replay_main(args: &[OsString]) -> ExitCode {
    let cli = ReplayCli::parse_from(args);
    match run_replay(&cli) {
        Ok(code) => code,
        Err(e) => exit(&e),
    }
}

fn run_replay(cli: &ReplayCli) -> Result<ExitCode, Error> {
    let options = ReplayOptions {
        from: datetime("from", &cli.from)?,
        to: datetime("to", &cli.to)?,
    };
    let mut engine = Engine::with_options(EngineOptions {
        threads: cli.threads,
        ..EngineOptions::default()
    });
    add_inputs(&mut engine, &cli.inputs.tables, &cli.inputs.logs)?;
    add_workspace(&mut engine, &cli.workspace)?;
    let (rules, errors) = load_rules(&cli.rules);
    for e in &errors {
        eprintln!("error: {e}");
    }
    let report = if std::io::stderr().is_terminal() {
        let bar = Bar::new();
        let report = replay_with_progress(&engine, &rules, &options, &bar);
        bar.0.finish_and_clear();
        report?
    } else {
        replay_with_progress(&engine, &rules, &options, &())?
    };
    let mut failed = !errors.is_empty();
    for (rule, s) in rules.iter().zip(&report.summaries) {
        if let Some(e) = &s.error
            && rule.query_frequency.is_some()
            && rule.enabled
        {
            failed = true;
            eprintln!(
                "error: rule '{}' ({}):\n{e}",
                s.name,
                rule.source.file.display()
            );
        }
    }
    let stdout = std::io::stdout();
    let format = cli.format.unwrap_or(if stdout.is_terminal() {
        Format::Table
    } else {
        Format::Jsonl
    });
    let out = std::io::BufWriter::new(stdout.lock());
    let (schema, rows) = if format == Format::Table {
        summary_rows(&report)
    } else {
        report.alert_rows(&rules)
    };
    let mut sink: Box<dyn ResultSink> = match format {
        Format::Jsonl => Box::new(JsonLinesWriter::new(out)),
        Format::Csv => Box::new(CsvWriter::new(out)),
        Format::Table => Box::new(TableWriter::new(out)),
    };
    sink.begin_table(0, &schema)?;
    for row in rows {
        if sink.row(row)?.is_break() {
            break;
        }
    }
    sink.end_table()?;
    drop(sink);
    let fired = report.summaries.iter().filter(|s| s.alerts > 0).count();
    eprintln!(
        "{} rule{} replayed, {fired} fired, {} alert{}",
        rules.len(),
        if rules.len() == 1 { "" } else { "s" },
        report.alerts.len(),
        if report.alerts.len() == 1 { "" } else { "s" }
    );
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The progress bar over rules × windows, on standard error (only drawn
/// when it is a terminal; never on standard output, which holds alerts).
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Bar {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        let style = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} windows, {elapsed} (about {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message("replay");
        bar.enable_steady_tick(std::time::Duration::from_millis(250));
        Bar(bar)
    }
}

impl ReplayProgress for Bar {
    fn phase(&self, what: &str) {
        self.0.set_message(what.to_string());
    }

    fn start(&self, windows: u64) {
        self.0.set_length(windows);
        self.0.set_position(0);
        self.0.reset_eta();
        self.0.set_message("replay");
    }

    fn advance(&self, windows: u64) {
        self.0.inc(windows);
    }
}

/// The summary table: one row per rule.
fn summary_rows(report: &kqlite::ReplayReport) -> (Schema, Vec<Vec<Value>>) {
    let s = |n: &str| Field::new(n, DataType::String);
    let l = |n: &str| Field::new(n, DataType::Long);
    let d = |n: &str| Field::new(n, DataType::DateTime);
    let schema = Schema::new(vec![
        s("Rule"),
        s("Severity"),
        s("Tactics"),
        l("WindowsRun"),
        l("WindowsFired"),
        l("WindowsSuppressed"),
        l("Alerts"),
        l("DistinctResults"),
        d("FirstAlert"),
        d("LastAlert"),
        s("Note"),
    ]);
    let n = |v: usize| Value::Long(i64::try_from(v).unwrap_or(i64::MAX));
    let rows = report
        .summaries
        .iter()
        .map(|r| {
            vec![
                Value::string(&r.name),
                Value::string(&r.severity),
                Value::string(&r.tactics.join(", ")),
                n(r.windows_run),
                n(r.windows_fired),
                n(r.windows_suppressed),
                n(r.alerts),
                n(r.distinct_results),
                r.first_alert.map_or(Value::Null, Value::DateTime),
                r.last_alert.map_or(Value::Null, Value::DateTime),
                Value::string(
                    r.error
                        .as_deref()
                        .and_then(|e| e.lines().next())
                        .unwrap_or(""),
                ),
            ]
        })
        .collect();
    (schema, rows)
}

/// `kqlite check ...` (`args` starts with `check`).
pub fn check_main(args: &[OsString]) -> ExitCode {
    let cli = CheckCli::parse_from(args);
    let mut engine = Engine::new();
    if let Err(e) = add_inputs(&mut engine, &cli.inputs.tables, &cli.inputs.logs)
        .and_then(|()| add_workspace(&mut engine, &cli.workspace))
    {
        return exit(&e);
    }
    let (rules, errors) = load_rules(&cli.rules);
    let issues = check_rules(&engine, &rules);
    let mut out = std::io::stdout().lock();
    if cli.format == CheckFormat::Sarif {
        let _ = writeln!(out, "{}", kqlite::check_sarif(&errors, &issues));
    }
    let escape = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    for e in &errors {
        let _ = match cli.format {
            CheckFormat::Sarif => Ok(()),
            CheckFormat::Plain => writeln!(out, "{e}"),
            CheckFormat::Github => writeln!(
                out,
                "::error file={},line={}::{}",
                e.file.display(),
                e.line,
                escape(&format!(
                    "{}{}",
                    e.field
                        .as_deref()
                        .map(|f| format!("{f}: "))
                        .unwrap_or_default(),
                    e.message
                ))
            ),
        };
    }
    for i in &issues {
        let _ = match cli.format {
            CheckFormat::Sarif => Ok(()),
            CheckFormat::Plain => writeln!(out, "{i}"),
            CheckFormat::Github => writeln!(
                out,
                "::error file={},line={},col={},title={}::{}",
                i.file.display(),
                i.line,
                i.column,
                escape(&i.rule).replace([',', ':'], " "),
                escape(&i.message)
            ),
        };
    }
    let bad_rules = errors.len()
        + rules
            .iter()
            .filter(|r| {
                issues
                    .iter()
                    .any(|i| i.file == r.source.file && i.rule == r.name)
            })
            .count();
    let total = rules.len() + errors.len();
    eprintln!(
        "checked {total} rule{}: {bad_rules} with errors",
        if total == 1 { "" } else { "s" }
    );
    if bad_rules > 0 || !issues.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `kqlite test ...` (`args` starts with `test`). kqlite writes no file
/// (tests/robust_security.rs): the JUnit report and the blessed
/// expectations go to standard output, for the caller to redirect.
pub fn test_main(args: &[OsString]) -> ExitCode {
    let cli = TestCli::parse_from(args);
    let mut workspace = Engine::new();
    if let Err(e) = add_workspace(&mut workspace, &cli.workspace) {
        return exit(&e);
    }
    let files = kqlite::find_rule_tests(&cli.tests);
    let mut outcomes = Vec::new();
    let mut errors = Vec::new();
    // With --junit, standard output is the report: the lines go to stderr.
    let mut lines: Box<dyn Write> = if cli.junit {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    };
    for file in files {
        match kqlite::run_rule_test_in(&file, &workspace) {
            Ok(o) => {
                if o.passed() {
                    let _ = writeln!(lines, "ok      {} ({})", o.file.display(), o.rule);
                } else if cli.bless {
                    let blessed = kqlite::bless_rule_test("", &o.observed);
                    let _ = writeln!(lines, "# {} ({}): observed", o.file.display(), o.rule);
                    let _ = write!(lines, "{blessed}");
                } else {
                    let _ = writeln!(lines, "FAILED  {} ({})", o.file.display(), o.rule);
                    for f in &o.failures {
                        let _ = writeln!(lines, "        {f}");
                    }
                }
                outcomes.push(o);
            }
            Err(e) => {
                let _ = writeln!(lines, "ERROR   {e}");
                errors.push(e);
            }
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let passed = outcomes.len() - failed;
    let _ = writeln!(lines, "{passed} passed, {failed} failed");
    drop(lines);
    if cli.junit {
        print!("{}", kqlite::junit_xml(&outcomes, &errors));
    }
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if failed > 0 && !cli.bless {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

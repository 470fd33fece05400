//! The library API: register tables, compile a query, run it into a sink.
//!
//! ```no_run
//! use kqlite::{Engine, output::JsonLinesWriter};
//! let mut engine = Engine::new();
//! engine.add_path("AzureDiagnostics", "logs/diag.jsonl").unwrap();
//! let query = engine.compile(r#"AzureDiagnostics | where Category == "kube-audit" | take 5"#).unwrap();
//! let mut out = JsonLinesWriter::new(std::io::stdout().lock());
//! let stats = query.run(&engine, &mut out).unwrap();
//! eprintln!("{} rows read", stats.rows_read);
//! ```

use crate::catalog::{Catalog, Table as CatalogTable, TableData, builtin_schema};
use crate::error::Error;
use crate::exec::physical::lower_plan;
use crate::exec::{ExecOptions, Runner, Stats};
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::input::FormatChoice;
use crate::input::Input;
use crate::plan::expr::SubqueryShape;
use crate::schema::Schema;
use crate::semantic::{
    BoundQuery, Probe, ProbeFailed, ProbedRows, Subquery, Workspace, bind_in_workspace,
};
use crate::value::{DateTime, Value};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

mod params;
mod rows;
mod table;
pub(crate) mod window;
mod workspace_files;

pub use params::Params;
pub use rows::{ColumnKey, FromValue, Row};
pub use table::Table;

/// Receives the result tables of a query, one after another: the one sink
/// of kqlite. [`Query::run`] calls [`begin_table`](ResultSink::begin_table)
/// with each table's schema, [`row`](ResultSink::row) for each of its rows,
/// in order, and [`end_table`](ResultSink::end_table) when it is complete.
/// Most queries have one result table; a query with several statements
/// that produce tables (`T | take 1; U | take 1`) has one per statement.
///
/// Only `row` must be written; the writers in [`crate::output`] implement
/// all three.
///
/// # Errors
///
/// An error returned by any method stops the run, and [`Query::run`]
/// returns it (as [`crate::Error::Exec`]); use [`ExecError::Output`] for a
/// failed write.
///
/// # Example
///
/// Collect the values of the first column:
///
/// ```
/// use kqlite::{Engine, ExecError, ResultSink, Value};
/// use std::ops::ControlFlow;
///
/// struct FirstColumn(Vec<Value>);
///
/// impl ResultSink for FirstColumn {
///     fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
///         self.0.extend(row.into_iter().next());
///         // `ControlFlow::Break(())` would stop the run here.
///         Ok(ControlFlow::Continue(()))
///     }
/// }
///
/// let engine = Engine::new();
/// let query = engine.compile("range x from 1 to 3 step 1")?;
/// let mut sink = FirstColumn(Vec::new());
/// query.run(&engine, &mut sink)?;
/// assert_eq!(sink.0, [Value::Long(1), Value::Long(2), Value::Long(3)]);
/// # Ok::<(), kqlite::Error>(())
/// ```
pub trait ResultSink {
    /// A result table starts, with columns `schema`; `index` counts the
    /// result tables from 0. Does nothing unless implemented.
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        let _ = (index, schema);
        Ok(())
    }

    /// One row of the current table, a value per column of its schema.
    /// Return `ControlFlow::Break(())` to stop the run early (the reader went
    /// away, or has enough rows): the table still ends with
    /// [`end_table`](ResultSink::end_table), and no further table starts.
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError>;

    /// The current table is complete (all its rows, or the run stopped).
    /// Does nothing unless implemented.
    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

/// How an [`Engine`] runs queries. Start from the default and change what
/// you need:
///
/// ```
/// use kqlite::{DateTime, Engine, EngineOptions};
///
/// let engine = Engine::with_options(EngineOptions {
///     threads: Some(2),
///     // Pin `now()`, e.g. to replay a detection as of a given day.
///     now: DateTime::parse("2024-11-05T00:00:00Z"),
///     ..EngineOptions::default()
/// });
/// # let _ = engine;
/// ```
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Target chunk size for parallel scans, in bytes.
    pub chunk_size: usize,
    /// Stop at the first input line that is not a row.
    pub strict: bool,
    /// What `now()` returns; `None` uses the clock when the query is compiled.
    pub now: Option<DateTime>,
    /// The GeoIP database `geo_info_from_ip_address()` reads (open one with
    /// [`GeoIpDatabase::open`](crate::GeoIpDatabase::open));
    /// `None`: the function gives null.
    pub geoip: Option<std::sync::Arc<crate::functions::geo_ip::GeoIpDatabase>>,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            threads: None,
            chunk_size: ExecOptions::default().chunk_size,
            strict: false,
            now: None,
            geoip: None,
        }
    }
}

/// The tables a query can read, and the options it runs with.
///
/// Register tables with [`add_path`](Engine::add_path) (log files, any
/// format kqlite recognises, gzipped or not), [`add_bytes`](Engine::add_bytes)
/// or [`add_rows`](Engine::add_rows); then [`compile`](Engine::compile) a
/// query and [run](Query::run) it. A table's schema comes from the built-in
/// schema of its name (`SigninLogs`, `AzureDiagnostics`...) when kqlite
/// knows it, else from the data. One engine can compile and run any number
/// of queries; a compiled [`Query`] stays valid as tables are added.
///
/// See the [crate documentation](crate) for an example.
pub struct Engine {
    catalog: Catalog,
    inputs: std::collections::BTreeMap<String, Vec<Input>>,
    /// Input formats named per table (`--input-format`); others are detected.
    formats: std::collections::BTreeMap<String, FormatChoice>,
    /// Stored functions, watchlists and `externaldata` mirrors.
    workspace: Arc<Workspace>,
    /// The options queries run with.
    pub options: EngineOptions,
    /// Set to stop a running query (Ctrl-C): the run stops at its next
    /// chunk of input and returns [`ExecError::Interrupted`].
    pub cancel: Arc<AtomicBool>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// An engine without tables, with the default options.
    pub fn new() -> Engine {
        Engine::with_options(EngineOptions::default())
    }

    /// An engine without tables, with `options`.
    pub fn with_options(options: EngineOptions) -> Engine {
        Engine {
            catalog: Catalog::new(),
            inputs: Default::default(),
            formats: Default::default(),
            workspace: Arc::new(Workspace::new()),
            options,
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Adds a file, a directory (every file under it, recursively, in name
    /// order) or a glob pattern to `table`'s inputs. Each file's format is
    /// recognised by its content (JSON rows, Kubernetes audit logs, diagnostic
    /// archives, Event Hub bodies and captures, Log Analytics exports) unless
    /// [`Engine::set_input_format`] named one for the table. Adding to a
    /// table that has inputs adds more rows to it.
    ///
    /// Files are opened (and their start read, to recognise the format and
    /// the columns) now; their rows are read when a query runs. A pipe or
    /// device (`/dev/stdin`, a FIFO) is read whole, now.
    ///
    /// # Errors
    ///
    /// [`Error::Exec`] with [`ExecError::Io`] when a path does not exist, a
    /// glob matches no file, or a file cannot be read or is in no format
    /// kqlite recognises.
    pub fn add_path(&mut self, table: &str, path: impl AsRef<Path>) -> Result<(), Error> {
        let files = expand_path(path.as_ref())?;
        let inputs = files
            .into_iter()
            .map(input_of)
            .collect::<Result<Vec<Input>, Error>>()?;
        self.add_inputs(table, inputs)
    }

    /// Adds bytes already read (such as standard input) to `table`, read as
    /// a file called `name` would be (`name` also appears in messages about
    /// bad lines).
    ///
    /// # Errors
    ///
    /// As [`Engine::add_path`]: [`ExecError::Io`] when the bytes are in no
    /// format kqlite recognises.
    pub fn add_bytes(&mut self, table: &str, name: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.add_inputs(table, vec![Input::memory(name, Arc::from(bytes))])
    }

    /// Reads every input of `table`, added before or after, as `format`:
    /// `auto` (detect, the default), a format name such as `k8s-audit` or
    /// `csv`, or `query-api:NAME` to read the response table `NAME`.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] for a format kqlite does not know; errors of
    /// [`Engine::add_path`] for inputs already added that cannot be read as
    /// `format`.
    pub fn set_input_format(&mut self, table: &str, format: &str) -> Result<(), Error> {
        let choice = FormatChoice::parse(format).map_err(Error::Usage)?;
        self.formats.insert(table.to_string(), choice);
        if let Some(inputs) = self.inputs.remove(table) {
            let sources = inputs
                .into_iter()
                .map(|i| i.with_format(Default::default()))
                .collect();
            self.add_inputs(table, sources)?;
        }
        Ok(())
    }

    fn add_inputs(&mut self, table: &str, new: Vec<Input>) -> Result<(), Error> {
        let choice = self.formats.get(table).cloned().unwrap_or_default();
        let new = new
            .into_iter()
            .map(|i| crate::input::detect_input(i, table, &choice).map_err(ExecError::from))
            .collect::<Result<Vec<Input>, _>>()?;
        let inputs = self.inputs.entry(table.to_string()).or_default();
        inputs.extend(new);
        let schema = crate::input::resolve_schema(table, builtin_schema(table), inputs)
            .map_err(ExecError::from)?;
        self.catalog.insert(CatalogTable {
            name: table.to_string(),
            schema,
            data: Arc::new(TableData::Files(inputs.clone())),
        });
        Ok(())
    }

    /// Registers rows held in memory as `table`, checked against `schema`
    /// as [`Table::push`] checks them: a row of another length or a value
    /// of another type than its column's is an error naming the row and
    /// the column, and nothing is registered.
    pub fn add_rows(
        &mut self,
        table: &str,
        schema: Schema,
        rows: Vec<Vec<Value>>,
    ) -> Result<(), Error> {
        self.add_table(table, Table::from_rows(schema, rows)?)
    }

    /// Registers an in-memory [`Table`] as `name` (replacing any table of
    /// that name). Its rows were checked against its schema when they were
    /// added; a schema that names a column twice is an error.
    pub fn add_table(&mut self, name: &str, table: Table) -> Result<(), Error> {
        table.check_schema()?;
        let (schema, rows) = table.into_parts();
        self.inputs.remove(name);
        self.catalog.insert(CatalogTable {
            name: name.to_string(),
            schema,
            data: Arc::new(TableData::Rows(rows)),
        });
        Ok(())
    }

    /// Defines a stored function, as a workspace's functions are: queries
    /// call it by `name` (a `let` of the query of the same name hides it).
    /// `params` is the text of its parameter list without the parentheses
    /// (`starttime:datetime=datetime(null), eventtype:string='lookup'`);
    /// `body` its statements, ending in the expression it returns. `origin`
    /// (a file name) is named in errors inside the function.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] when the declaration does not parse.
    pub fn add_function(
        &mut self,
        name: &str,
        params: &str,
        body: &str,
        origin: &str,
    ) -> Result<(), Error> {
        Arc::make_mut(&mut self.workspace)
            .define_function(name, params, body, origin)
            .map_err(|e| Error::Usage(format!("{origin}: {e}")))
    }

    /// Loads the functions of a file or a folder (recursively): the parser
    /// YAML of the Azure-Sentinel repository (`ParserName`/`ParserQuery`/
    /// `ParserParams`, with `EquivalentBuiltInParser` as a second name,
    /// or `FunctionName`/`FunctionAlias`/`FunctionQuery`/`FunctionParams`)
    /// and `.kql` files (`.create function Name(params) { body }`, or a
    /// body named after the file). Returns a warning for each function
    /// that could not be read; the others are loaded.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] when `path` cannot be read.
    pub fn load_functions(&mut self, path: impl AsRef<Path>) -> Result<Vec<String>, Error> {
        workspace_files::load_functions(Arc::make_mut(&mut self.workspace), path.as_ref())
    }

    /// Loads each `*.csv` file of a file or folder as the watchlist
    /// `_GetWatchlist('<file stem>')` returns; returns how many.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] when a file cannot be read or is not CSV.
    pub fn load_watchlists(&mut self, path: impl AsRef<Path>) -> Result<usize, Error> {
        workspace_files::load_watchlists(Arc::make_mut(&mut self.workspace), path.as_ref())
    }

    /// Registers a watchlist: the rows `_GetWatchlist('alias')` returns.
    pub fn add_watchlist(&mut self, alias: &str, table: Table) -> Result<(), Error> {
        table.check_schema()?;
        let (schema, rows) = table.into_parts();
        Arc::make_mut(&mut self.workspace).add_watchlist(alias, schema, rows);
        Ok(())
    }

    /// `externaldata` reads `url` from the local file `path` instead. No
    /// URL is ever fetched: one without a mirror is an error.
    pub fn add_external(&mut self, url: &str, path: impl AsRef<Path>) {
        Arc::make_mut(&mut self.workspace).add_external(url, path.as_ref().to_path_buf());
    }

    /// `externaldata` reads each URL from the file of `dir` named as the
    /// URL's last path segment (unless [`Engine::add_external`] named one).
    pub fn set_external_dir(&mut self, dir: impl AsRef<Path>) {
        Arc::make_mut(&mut self.workspace).set_external_dir(dir.as_ref().to_path_buf());
    }

    /// Gives this engine the functions, watchlists and mirrors of `other`.
    pub(crate) fn share_workspace(&mut self, other: &Engine) {
        self.workspace = other.workspace.clone();
    }

    /// `text` and the text of every stored function it may call, to find
    /// the tables and columns a query over functions reads.
    pub(crate) fn with_called_functions(&self, text: &str) -> String {
        let mut out = text.to_string();
        out.push('\n');
        out.push_str(&self.workspace.called_function_text(text));
        out
    }

    /// The tables registered with inputs or rows (not the built-in
    /// schemas no input names), for replay.
    pub(crate) fn registered_tables(&self) -> Vec<String> {
        self.catalog
            .names()
            .into_iter()
            .filter(|n| {
                self.catalog
                    .get(n)
                    .is_some_and(|t| !matches!(*t.data, TableData::Empty))
            })
            .collect()
    }

    fn thread_pool(&self) -> Result<rayon::ThreadPool, Error> {
        let mut builder = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
        if let Some(n) = self.options.threads {
            builder = builder.num_threads(n.max(1));
        }
        builder.build().map_err(|e| {
            Error::Exec(ExecError::Runtime(format!(
                "cannot start worker threads: {e}"
            )))
        })
    }

    fn exec_options(&self) -> ExecOptions {
        ExecOptions {
            chunk_size: self.options.chunk_size,
            strict: self.options.strict,
            ..ExecOptions::default()
        }
    }

    /// Parses and binds `text`. Errors here are query errors, found before
    /// any data is read, with one exception: an operator whose output
    /// columns depend on the data (`evaluate bag_unpack`) has its input read
    /// here, once the rest of the query is known to be free of errors that
    /// do not depend on those columns (see `semantic::bag_unpack`). The rows
    /// read are kept for the run.
    ///
    /// `now()` is fixed here: [`EngineOptions::now`], or the clock.
    ///
    /// # Errors
    ///
    /// [`Error::Syntax`] for text that is not KQL; [`Error::Bind`] for a
    /// query that names unknown tables, columns or functions, mixes types,
    /// or uses what kqlite cannot run yet (see [`Error::is_not_supported`]);
    /// [`Error::Exec`] only when reading the input of a data-shaped
    /// operator fails.
    pub fn compile(&self, text: &str) -> Result<Query, Error> {
        self.compile_with(text, &Params::new())
    }

    /// Compiles `text` as [`Engine::compile`] does, with values for the
    /// query parameters it declares (`declare query_parameters`).
    pub fn compile_with(&self, text: &str, params: &Params) -> Result<Query, Error> {
        // Deep trees (a 20,000-term `+` chain is 20,000 levels) are bound
        // and dropped recursively: do it on a thread with room for them.
        with_big_stack(|| self.compile_here(text, params))?
    }

    fn compile_here(&self, text: &str, params: &Params) -> Result<Query, Error> {
        let ast = crate::syntax::parse(text)?;
        let params = params.resolve(&ast)?;
        let now = self.options.now.unwrap_or_else(current_time);
        let ctx = EvalContext {
            now,
            geoip: self.options.geoip.clone(),
        };
        let mut bound = match bind_in_workspace(
            &ast,
            &self.catalog,
            &self.workspace,
            ctx.clone(),
            None,
            &params,
        ) {
            Ok(bound) if !bound.needs_data => bound,
            Err(errors) if errors.iter().any(|e| !e.provisional) => {
                return Err(Error::Bind(
                    errors.into_iter().filter(|e| !e.provisional).collect(),
                ));
            }
            _ => {
                let probe = EngineProbe {
                    engine: self,
                    ctx: ctx.clone(),
                    pool: std::cell::OnceCell::new(),
                    values: std::cell::RefCell::new(Vec::new()),
                    failure: std::cell::RefCell::new(None),
                };
                let bound = bind_in_workspace(
                    &ast,
                    &self.catalog,
                    &self.workspace,
                    ctx.clone(),
                    Some(&probe),
                    &params,
                );
                if let Some(e) = probe.failure.take() {
                    return Err(e);
                }
                bound.map_err(Error::Bind)?
            }
        };
        // The optimizer and the lowering walk plans recursively: refuse a
        // plan deeper than they can take (a chain of `let`s over long
        // pipelines) with an error, not a stack overflow.
        for plan in bound
            .subqueries
            .iter()
            .map(|s| &s.plan)
            .chain(&bound.results)
        {
            if plan_depth(plan) > MAX_PLAN_DEPTH {
                return Err(Error::Bind(vec![crate::semantic::BindError::new(
                    crate::semantic::BindErrorKind::Invalid,
                    crate::span::Span::point(0),
                    format!(
                        "the query is too large: its plan is more than {MAX_PLAN_DEPTH} operators deep"
                    ),
                )]));
            }
        }
        bound.results = bound
            .results
            .into_iter()
            .map(crate::plan::rules::optimize)
            .collect();
        for sub in &mut bound.subqueries {
            sub.plan = crate::plan::rules::optimize(std::mem::replace(
                &mut sub.plan,
                crate::plan::logical::LogicalPlan::Values(crate::plan::logical::Values {
                    schema: Schema::default(),
                    rows: Arc::new(Vec::new()),
                }),
            ));
        }
        // Check now that every expression lowers (regexes compile), so a bad
        // constant is a query error, not a failure halfway through a run.
        let placeholders = vec![Value::Null; bound.subqueries.len()];
        for plan in bound
            .subqueries
            .iter()
            .map(|s| &s.plan)
            .chain(&bound.results)
        {
            lower_plan(plan, &placeholders, &ctx).map_err(|e| {
                Error::Bind(vec![crate::semantic::BindError::new(
                    crate::semantic::BindErrorKind::Invalid,
                    e.span,
                    e.message,
                )])
            })?;
        }
        Ok(Query { bound, ctx })
    }
}

/// How deep a bound plan may be (operators applied one over another,
/// `let` tables included).
const MAX_PLAN_DEPTH: usize = 10_000;

/// The depth of a plan (counted without recursion).
fn plan_depth(plan: &crate::plan::logical::LogicalPlan) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(plan, 1usize)];
    while let Some((p, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        stack.extend(p.inputs().into_iter().map(|i| (i, depth + 1)));
    }
    deepest
}

/// Stack of the thread that parses and binds a query.
const COMPILE_STACK: usize = 256 << 20;
/// Stack of each worker thread (expressions are evaluated recursively).
const WORKER_STACK: usize = 64 << 20;

/// Runs `f` on a thread with a large stack, for the recursive walks over
/// deep expression trees (binding, lowering, dropping).
fn with_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, Error> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("kqlite-compile".into())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, f)
            .map_err(|e| Error::Exec(ExecError::Runtime(format!("cannot start a thread: {e}"))))?
            .join()
            .map_err(|_| Error::Internal("a thread panicked".into()))
    })
}

/// Runs the inputs of data-shaped operators while a query is bound.
struct EngineProbe<'e> {
    engine: &'e Engine,
    ctx: EvalContext,
    pool: std::cell::OnceCell<rayon::ThreadPool>,
    /// The values of the subqueries run so far, by id.
    values: std::cell::RefCell<Vec<Value>>,
    failure: std::cell::RefCell<Option<Error>>,
}

impl Probe for EngineProbe<'_> {
    fn rows(
        &self,
        plan: &crate::plan::logical::LogicalPlan,
        subqueries: &[Subquery],
    ) -> Result<ProbedRows, ProbeFailed> {
        self.try_rows(plan, subqueries).map_err(|e| {
            self.failure.borrow_mut().get_or_insert(e);
            ProbeFailed
        })
    }
}

impl EngineProbe<'_> {
    fn try_rows(
        &self,
        plan: &crate::plan::logical::LogicalPlan,
        subqueries: &[Subquery],
    ) -> Result<ProbedRows, Error> {
        let pool = match self.pool.get() {
            Some(p) => p,
            None => {
                let p = self.engine.thread_pool()?;
                self.pool.get_or_init(|| p)
            }
        };
        let runner = Runner::new(
            self.ctx.clone(),
            self.engine.exec_options(),
            pool,
            self.engine.cancel.clone(),
        );
        let lower_error =
            |e: crate::plan::phys_expr::LowerError| Error::Exec(ExecError::Runtime(e.message));
        let mut values = self.values.borrow_mut();
        for sub in subqueries.iter().skip(values.len()) {
            let optimized = crate::plan::rules::optimize(sub.plan.clone());
            let phys = lower_plan(&optimized, &values, &self.ctx).map_err(lower_error)?;
            let rows = runner.collect(&phys)?;
            values.push(subquery_value(sub.shape, &rows));
        }
        let optimized = crate::plan::rules::optimize(plan.clone());
        let phys = lower_plan(&optimized, &values, &self.ctx).map_err(lower_error)?;
        Ok(runner.collect(&phys)?)
    }
}

/// The current time, in ticks.
fn current_time() -> DateTime {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() / 100)
        .unwrap_or(0);
    DateTime(DateTime::UNIX_EPOCH_TICKS + i64::try_from(since_epoch).unwrap_or(0))
}

/// A file, the files under a directory, or the files a glob matches.
fn expand_path(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        return Ok(files);
    }
    if path.exists() {
        return Ok(vec![path.to_path_buf()]);
    }
    let pattern = path.to_string_lossy();
    if pattern.contains(['*', '?', '[']) {
        let mut files: Vec<PathBuf> = glob::glob(&pattern)
            .map_err(|e| Error::Usage(format!("bad glob pattern {pattern}: {e}")))?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Exec(ExecError::Io {
                path: pattern.to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no file matches this pattern",
                ),
            }));
        }
        return Ok(files);
    }
    Err(Error::Exec(ExecError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
    }))
}

/// A file to read when the query runs; a pipe or device (a FIFO, `<(cmd)`,
/// `/dev/stdin`) can be read only once, so it is read now, whole: the
/// schema sample and the scan then see the same bytes.
fn input_of(path: PathBuf) -> Result<Input, Error> {
    let io_error = |source| {
        Error::Exec(ExecError::Io {
            path: path.display().to_string(),
            source,
        })
    };
    let meta = std::fs::metadata(&path).map_err(io_error)?;
    if meta.is_file() {
        return Ok(Input::file(path));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut bytes))
        .map_err(io_error)?;
    Ok(Input::memory(&path.display().to_string(), Arc::from(bytes)))
}

/// The files under `dir`, each directory read once: a symbolic link back
/// up the tree would otherwise read the same files again and again.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Error> {
    walk_once(dir, files, &mut std::collections::HashSet::new())
}

fn walk_once(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), Error> {
    let io_error = |source| {
        Error::Exec(ExecError::Io {
            path: dir.display().to_string(),
            source,
        })
    };
    if !seen.insert(std::fs::canonicalize(dir).map_err(io_error)?) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| {
        Error::Exec(ExecError::Io {
            path: dir.display().to_string(),
            source,
        })
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| {
            Error::Exec(ExecError::Io {
                path: dir.display().to_string(),
                source,
            })
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk_once(&path, files, seen)?;
        } else if path.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// A compiled query, ready to run (any number of times).
pub struct Query {
    bound: BoundQuery,
    ctx: EvalContext,
}

impl Drop for Query {
    /// Plans of deep expressions are freed recursively: on a big stack, so
    /// a caller on a small thread can drop any query it compiled.
    fn drop(&mut self) {
        let bound = std::mem::replace(
            &mut self.bound,
            BoundQuery {
                results: Vec::new(),
                subqueries: Vec::new(),
                needs_data: false,
            },
        );
        let _ = with_big_stack(move || drop(bound));
    }
}

impl Query {
    /// The schema of each result table, in order, known before the query
    /// runs.
    pub fn result_schemas(&self) -> Vec<&Schema> {
        self.bound.results.iter().map(|p| p.schema()).collect()
    }

    /// The optimized logical plan of each statement, as an indented tree
    /// (what `kqlite --explain` prints). The format is for reading, not
    /// parsing: it may change in any release.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        for (i, sub) in self.bound.subqueries.iter().enumerate() {
            out.push_str(&format!("subquery #{i}:\n"));
            out.push_str(&crate::plan::explain::explain(&sub.plan));
        }
        for (i, plan) in self.bound.results.iter().enumerate() {
            if self.bound.results.len() > 1 || !self.bound.subqueries.is_empty() {
                out.push_str(&format!("result #{i}:\n"));
            }
            out.push_str(&crate::plan::explain::explain(plan));
        }
        out
    }

    /// Runs the query over `engine`'s tables (the engine it was compiled
    /// with, or one with the same tables): subqueries first, then each
    /// result table into `sink`, in order. Returns what was read.
    ///
    /// Lines that are not rows are skipped and counted in [`Stats`] (unless
    /// [`EngineOptions::strict`]).
    ///
    /// # Errors
    ///
    /// [`Error::Exec`]: an input that cannot be read, a bad line in strict
    /// mode, a run stopped through [`Engine::cancel`]
    /// ([`ExecError::Interrupted`]), or the first error `sink` returned.
    pub fn run(&self, engine: &Engine, sink: &mut dyn ResultSink) -> Result<Stats, Error> {
        let pool = engine.thread_pool()?;
        let options = engine.exec_options();
        let runner = Runner::new(self.ctx.clone(), options, &pool, engine.cancel.clone());
        let lower_error =
            |e: crate::plan::phys_expr::LowerError| Error::Exec(ExecError::Runtime(e.message));
        // Physical plans are built and dropped recursively: on a big stack.
        let lower = |plan: &crate::plan::logical::LogicalPlan, values: &[Value]| {
            with_big_stack(|| lower_plan(plan, values, &self.ctx).map_err(lower_error))
        };
        let mut values = Vec::with_capacity(self.bound.subqueries.len());
        for sub in &self.bound.subqueries {
            let phys = lower(&sub.plan, &values)??;
            let rows = runner.collect(&phys);
            with_big_stack(move || drop(phys))?;
            values.push(subquery_value(sub.shape, &rows?));
        }
        for (index, plan) in self.bound.results.iter().enumerate() {
            let phys = lower(plan, &values)??;
            sink.begin_table(index, plan.schema())?;
            let flow = runner.run(&phys, &mut |row: Vec<Value>| sink.row(row));
            with_big_stack(move || drop(phys))?;
            sink.end_table()?;
            if flow?.is_break() {
                break;
            }
        }
        Ok(runner.into_stats())
    }
}

/// A subquery's rows as the value its users expect: the first cell for
/// `toscalar`, the first column as a dynamic array for `in (T | ...)`.
fn subquery_value(shape: SubqueryShape, rows: &[Vec<Value>]) -> Value {
    match shape {
        SubqueryShape::Column => Value::array(
            rows.iter()
                .map(|r| r.first().cloned().unwrap_or(Value::Null))
                .collect(),
        ),
        SubqueryShape::Scalar => rows
            .first()
            .and_then(|r| r.first())
            .cloned()
            .unwrap_or(Value::Null),
    }
}

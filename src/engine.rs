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
use crate::diagnostic::{Note, NoteKind};
use crate::error::Error;
use crate::exec::physical::lower_plan;
use crate::exec::{ExecOptions, Runner, Stats};
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::input::DateOrder;
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

mod notes;
mod params;
mod rows;
mod table;
pub(crate) mod window;
mod workspace_files;

pub use notes::{THREADS_PER_CORE, max_threads};

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

    /// The current table is complete (all its rows, or the sink stopped
    /// the run). Not called when the run fails or is interrupted
    /// ([`ExecError::Interrupted`]): the rows given so far are then all
    /// there is. Does nothing unless implemented.
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
    /// Worker threads; `None` uses every core. At most [`max_threads`]
    /// ([`THREADS_PER_CORE`] per core) are started; a query asking for
    /// more has a [`NoteKind::ThreadsCapped`] note.
    pub threads: Option<usize>,
    /// Target chunk size for parallel scans, in bytes.
    pub chunk_size: usize,
    /// Stop at the first input line that is not a row.
    pub strict: bool,
    /// What `now()` returns; `None` uses the clock when the query is compiled.
    pub now: Option<DateTime>,
    /// The memory budget in bytes: `sort`, `summarize`, `join` and the
    /// other operators that hold rows stop the run with
    /// [`ExecError::MemoryLimit`] past it, so do the rows one work item
    /// computes when they alone hold half of it, and a stream read whole
    /// may hold no more. `None`: half the machine's memory (less under an
    /// address-space limit). The budget is process-wide: the last engine to
    /// run sets it. It is checked only when the program counts its heap with
    /// [`CountingAllocator`](crate::CountingAllocator) as global allocator
    /// (the `kqlite` command does).
    pub max_memory: Option<u64>,
    /// Spill the rows a `sort` holds to temporary files once there are this
    /// many, whatever the memory budget (it spills past the budget anyway).
    /// For tests: the answer is the same either way. `summarize` does not
    /// spill yet; past the budget it stops with the memory error.
    pub spill_after_rows: Option<usize>,
    /// Each query runs once, and no other query follows (the `kqlite`
    /// command): a stream ([`Engine::add_reader`]) that the query reads
    /// with exactly one scan is then read without keeping a copy of it in a
    /// temporary file. Off by default: every stream is spooled as it is
    /// read, so any number of queries and runs can read it.
    pub single_pass_streams: bool,
    /// The GeoIP database `geo_info_from_ip_address()` reads (open one with
    /// [`GeoIpDatabase::open`](crate::GeoIpDatabase::open));
    /// `None`: the function gives null.
    pub geoip: Option<std::sync::Arc<crate::functions::geo_ip::GeoIpDatabase>>,
    /// Accept `dynamic` join and lookup keys (matched by value) where Kusto
    /// refuses them ("Join keys cannot be dynamic"). Only for tools that
    /// bind queries over stand-in schemas whose `dynamic` columns stand for
    /// columns of unknown type (`examples/corpus_coverage.rs`); the
    /// official analyzer does not judge keys of unknown type either.
    pub dynamic_join_keys: bool,
    /// Accept `dynamic` group, sort and partition keys (`summarize ... by`,
    /// `distinct`, `sort by`, `partition by`) where Kusto refuses them
    /// ("Summarize group key 'k' is of a 'dynamic' type…"), for the same
    /// tools and reason as `dynamic_join_keys`.
    pub dynamic_keys: bool,
    /// Rewrite plans with the optimizer's rules (`plan::rules`: top-N,
    /// column pruning, JSON path reading, prefilters...) before running
    /// them. On by default; off only for differential tests, which check
    /// that every rule leaves the answer unchanged (`tests/it/diff_*`).
    #[doc(hidden)]
    pub rewrite_rules: bool,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            threads: None,
            chunk_size: ExecOptions::default().chunk_size,
            strict: false,
            now: None,
            max_memory: None,
            spill_after_rows: None,
            single_pass_streams: false,
            geoip: None,
            dynamic_join_keys: false,
            dynamic_keys: false,
            rewrite_rules: true,
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
    /// How locale dates (`26/03/2026`) are read: `None` decides per file
    /// and column from the values ([`Engine::set_date_order`]).
    date_order: Option<DateOrder>,
    /// Notes about the inputs added ([`Engine::input_notes`]).
    input_notes: Vec<String>,
    /// Stored functions, watchlists and `externaldata` mirrors.
    workspace: Arc<Workspace>,
    /// The options queries run with.
    pub options: EngineOptions,
    /// Set to stop a running query (Ctrl-C): the run stops at its next
    /// chunk of input and returns [`ExecError::Interrupted`].
    pub cancel: Arc<AtomicBool>,
    /// JSON paths read by earlier queries over the same rows (rule
    /// replay's windows, `engine::window`); `None` for other engines.
    pub(crate) json_paths: Option<Arc<crate::json::PathCache>>,
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
        let mut catalog = Catalog::new();
        catalog.dynamic_join_keys = options.dynamic_join_keys;
        catalog.dynamic_keys = options.dynamic_keys;
        Engine {
            catalog,
            inputs: Default::default(),
            formats: Default::default(),
            date_order: None,
            input_notes: Vec::new(),
            workspace: Arc::new(Workspace::new()),
            options,
            cancel: Arc::new(AtomicBool::new(false)),
            json_paths: None,
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
    /// device (`/dev/stdin`, a FIFO) is a stream, read as
    /// [`Engine::add_reader`] reads one.
    ///
    /// # Errors
    ///
    /// [`Error::Exec`] with [`ExecError::Io`] when a path does not exist, a
    /// glob matches no file, or a file cannot be read or is in no format
    /// kqlite recognises.
    ///
    /// Files inside a directory that are not logs (a README, notes, a
    /// single JSON object that shares no column with the table's schema,
    /// such as an ARM schema file) are skipped with a note
    /// ([`Engine::input_notes`]); a file named on its own that is not a log
    /// is an error.
    pub fn add_path(&mut self, table: &str, path: impl AsRef<Path>) -> Result<(), Error> {
        self.apply_memory_limit();
        let folder = path.as_ref().is_dir();
        let files = expand_path(path.as_ref())?;
        let inputs = files
            .into_iter()
            .map(input_of)
            .collect::<Result<Vec<Input>, Error>>()?;
        self.add_inputs_from(table, inputs, folder)
    }

    /// What kqlite noticed about the inputs added so far that may not be
    /// what the user meant: files of a directory skipped as not logs, files
    /// whose rows have none of their table's columns. The command line
    /// prints them as `note:` lines on stderr.
    pub fn input_notes(&self) -> &[String] {
        &self.input_notes
    }

    fn note(&mut self, text: String) {
        if !self.input_notes.contains(&text) {
            self.input_notes.push(text);
        }
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

    /// Adds a stream (such as standard input) to `table`, read as a file
    /// called `name` would be (`name` also appears in messages about bad
    /// lines).
    ///
    /// Its head is read now: the first 4 MiB and the rest of the line they
    /// end in (all of it when the stream is shorter), to recognise the
    /// format and the columns, as the start of a file is. The rest is read
    /// when a query scans the table, a block at a time as it comes: a query
    /// that needs only the first rows (`T | take 1`) answers without
    /// waiting for the end, and memory stays flat in the stream's length
    /// for line-delimited formats (JSON rows, audit and diagnostic records,
    /// CSV, gzipped or not). Documents (a JSON array, a query-API response)
    /// and Avro containers are read whole when scanned, within the memory
    /// budget ([`EngineOptions::max_memory`]). A line longer than the
    /// budget is an error.
    ///
    /// What a scan reads is kept in a temporary file (deleted when the
    /// engine is dropped), so that every query and every run sees the whole
    /// stream; with [`EngineOptions::single_pass_streams`] a stream read by
    /// exactly one scan of a query is not kept, and cannot be read again.
    ///
    /// # Errors
    ///
    /// [`ExecError::Io`] when reading the head fails or its first line is
    /// longer than the budget; errors of [`Engine::add_bytes`]. Reading the
    /// rest fails the query that reads it.
    pub fn add_reader(
        &mut self,
        table: &str,
        name: &str,
        reader: impl std::io::Read + Send + 'static,
    ) -> Result<(), Error> {
        self.apply_memory_limit();
        let stream = crate::input::Stream::new(name, Box::new(reader)).map_err(|source| {
            Error::Exec(ExecError::Io {
                path: name.to_string(),
                source,
            })
        })?;
        self.add_inputs(table, vec![Input::stream(stream)])
    }

    /// Makes this engine's memory budget the process's (see
    /// [`EngineOptions::max_memory`]).
    fn apply_memory_limit(&self) {
        crate::memory::set_limit(self.options.max_memory.unwrap_or(0));
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

    /// Reads every locale date (`26/03/2026, 15:18:18.790`, `3/26/2026,
    /// 3:18 PM`) of inputs added from now on in `order` — `"dmy"` or
    /// `"mdy"` (`--date-order`) — instead of deciding each file's column
    /// order from its values (docs/semantics.md#export-dates).
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] for another name.
    pub fn set_date_order(&mut self, order: &str) -> Result<(), Error> {
        self.date_order = Some(DateOrder::from_name(order).ok_or_else(|| {
            Error::Usage(format!("unknown date order '{order}' (known: dmy, mdy)"))
        })?);
        Ok(())
    }

    fn add_inputs(&mut self, table: &str, new: Vec<Input>) -> Result<(), Error> {
        self.add_inputs_from(table, new, false)
    }

    /// Adds inputs; `folder`: they are the files of a directory, and those
    /// that are not logs are skipped with a note.
    fn add_inputs_from(&mut self, table: &str, new: Vec<Input>, folder: bool) -> Result<(), Error> {
        let choice = self.formats.get(table).cloned().unwrap_or_default();
        let reference = crate::catalog::builtin_schema_complete(table);
        let mut kept = Vec::new();
        for input in new {
            let name = input.to_string();
            match crate::input::detect_input(input, table, &choice) {
                Ok(input) => {
                    if folder
                        && let Some(reference) = &reference
                        && let Some(keys) = crate::input::lone_record_keys(&input)
                        && !keys.iter().any(|k| reference.index_of(k).is_some())
                    {
                        self.note(format!(
                            "skipped {name}: one JSON object with none of {table}'s columns, not a log"
                        ));
                        continue;
                    }
                    kept.push(input);
                }
                Err(e) if folder && e.source.kind() == std::io::ErrorKind::InvalidData => {
                    self.note(format!(
                        "skipped {name}: not a log file kqlite recognises (in a directory given for {table})"
                    ));
                }
                Err(e) => return Err(ExecError::from(e).into()),
            }
        }
        let mut notes = Vec::new();
        let inputs = self.inputs.entry(table.to_string()).or_default();
        inputs.extend(kept);
        let schema = crate::input::resolve_schema(
            table,
            builtin_schema(table),
            reference,
            inputs,
            self.date_order,
            &mut notes,
        )
        .map_err(ExecError::from)?;
        let inputs = inputs.clone();
        for n in notes {
            self.note(n);
        }
        self.catalog.insert(CatalogTable {
            name: table.to_string(),
            schema,
            data: Arc::new(TableData::Files(inputs)),
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
            builder = builder.num_threads(n.clamp(1, max_threads()));
        }
        builder.build().map_err(|e| {
            Error::Exec(ExecError::Runtime(format!(
                "cannot start worker threads: {e}"
            )))
        })
    }

    /// `plan` rewritten by the optimizer's rules, or as it is when
    /// [`EngineOptions::rewrite_rules`] is off.
    fn optimize(
        &self,
        plan: crate::plan::logical::LogicalPlan,
    ) -> crate::plan::logical::LogicalPlan {
        if self.options.rewrite_rules {
            crate::plan::rules::optimize(plan)
        } else {
            plan
        }
    }

    fn exec_options(&self) -> ExecOptions {
        ExecOptions {
            chunk_size: self.options.chunk_size,
            strict: self.options.strict,
            spill_rows: self.options.spill_after_rows,
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
            json_paths: self.json_paths.clone(),
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
        let bound_plans = || {
            bound
                .subqueries
                .iter()
                .map(|s| &s.plan)
                .chain(&bound.results)
        };
        let read = notes::read_tables(bound_plans());
        let anchors = notes::time_anchors(bound_plans(), text, &ctx);
        let mut compile_notes = notes::compile_notes(self, &read);
        compile_notes.append(&mut bound.notes);
        bound.results = bound
            .results
            .into_iter()
            .map(|plan| self.optimize(plan))
            .collect();
        for sub in &mut bound.subqueries {
            sub.plan = self.optimize(std::mem::replace(
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
        Ok(Query {
            bound,
            ctx,
            notes: compile_notes,
            read,
            anchors,
        })
    }

    /// The newest `TimeGenerated` of the rows of every table registered
    /// with inputs or rows (read now, with one scan of each table that has
    /// a `TimeGenerated` datetime column); `None` when no row has one.
    ///
    /// # Errors
    ///
    /// As [`Query::run`]: an input that cannot be read.
    pub fn newest_event_time(&self) -> Result<Option<DateTime>, Error> {
        let mut newest = None;
        for table in self.registered_tables() {
            if let Some(t) = notes::newest_event(self, &table)? {
                newest = newest.max(Some(t));
            }
        }
        Ok(newest)
    }

    /// Pins `now()` ([`EngineOptions::now`]) to
    /// [`newest_event_time`](Engine::newest_event_time), so a query over old
    /// logs measures `ago()` from their last event (`kqlite --now latest`).
    /// Returns the time pinned, or `None` (and changes nothing) when no row
    /// has a `TimeGenerated`.
    ///
    /// # Errors
    ///
    /// As [`Engine::newest_event_time`].
    pub fn pin_now_to_newest_event(&mut self) -> Result<Option<DateTime>, Error> {
        let newest = self.newest_event_time()?;
        if newest.is_some() {
            self.options.now = newest;
        }
        Ok(newest)
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
            let optimized = self.engine.optimize(sub.plan.clone());
            let phys = lower_plan(&optimized, &values, &self.ctx).map_err(lower_error)?;
            let rows = runner.collect(&phys)?;
            values.push(subquery_value(sub.shape, &rows));
        }
        let optimized = self.engine.optimize(plan.clone());
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
        source: missing(path),
    }))
}

/// Whether `e` says a path's symbolic links loop.
fn is_link_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    return false;
}

/// Why `path`, which does not resolve to a file or directory, cannot be
/// read: a symbolic link loop, a link to nothing, no such path, or what
/// the system says.
fn missing(path: &Path) -> std::io::Error {
    match std::fs::metadata(path) {
        Err(e) if is_link_loop(&e) => std::io::Error::new(
            e.kind(),
            "symbolic link loop (a link that leads back to itself)",
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                std::io::Error::new(e.kind(), "broken symbolic link (its target does not exist)")
            } else {
                std::io::Error::new(e.kind(), "no such file or directory")
            }
        }
        Err(e) => e,
        Ok(_) => std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file or directory kqlite can read",
        ),
    }
}

/// A file to read when the query runs; a pipe or device (a FIFO, `<(cmd)`,
/// `/dev/stdin`) can be read only once: it is a stream, its head read now
/// ([`Engine::add_reader`]).
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
    let stream = std::fs::File::open(&path)
        .and_then(|file| crate::input::Stream::new(&path.display().to_string(), Box::new(file)))
        .map_err(io_error)?;
    Ok(Input::stream(stream))
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
        } else if std::fs::metadata(&path).is_err_and(|e| is_link_loop(&e)) {
            // A link in the folder that leads back to itself holds rows
            // nobody can read: say so rather than skip it.
            return Err(Error::Exec(ExecError::Io {
                source: missing(&path),
                path: path.display().to_string(),
            }));
        }
    }
    Ok(())
}

/// A compiled query, ready to run (any number of times).
pub struct Query {
    bound: BoundQuery,
    ctx: EvalContext,
    /// Notes known when the query was compiled.
    notes: Vec<Note>,
    /// The tables the query reads.
    read: Vec<notes::ReadTable>,
    /// The times the query measures from `now()`, earliest first.
    anchors: Vec<(String, DateTime)>,
}

impl Drop for Query {
    /// Plans of deep expressions are freed recursively: on a big stack, so
    /// a caller on a small thread can drop any query it compiled.
    fn drop(&mut self) {
        let bound = std::mem::replace(
            &mut self.bound,
            BoundQuery {
                results: Vec::new(),
                result_names: Vec::new(),
                subqueries: Vec::new(),
                needs_data: false,
                notes: Vec::new(),
            },
        );
        let _ = with_big_stack(move || drop(bound));
    }
}

impl Query {
    /// Notes known once the query is compiled, in order: tables given
    /// inputs that the query never reads ([`NoteKind::UnreadTable`], with a
    /// "did you mean" when a table it reads has a close name), tables it
    /// reads that have no input ([`NoteKind::TableWithoutInput`]), more
    /// threads asked for than are started, `union isfuzzy=true` legs left
    /// out ([`NoteKind::UnionLegLeftOut`]). The answer may not be what was
    /// meant; the command prints them on stderr. Notes found by a run are in
    /// [`Stats::notes`].
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// The schema of each result table, in order, known before the query
    /// runs.
    pub fn result_schemas(&self) -> Vec<&Schema> {
        self.bound.results.iter().map(|p| p.schema()).collect()
    }

    /// The name of each result table, in order, where the query gives
    /// one: a `fork` leg written `Name = (...)` or ending in `| as Name`
    /// (fork-operator), else `Results` for the first leg and `Results_N`
    /// for the Nth; `facet`'s column tables `Facet`, `Facet_2`... (the
    /// official analyzer's names; docs/semantics.md#fork). Other tables (a
    /// `;` statement's, `facet`'s `with` table) have none (`None`).
    pub fn result_names(&self) -> Vec<Option<&str>> {
        self.bound
            .result_names
            .iter()
            .map(|n| n.as_deref())
            .collect()
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
    /// When the answer is empty (no rows, or one row of zeros such as
    /// `count` gives) and the query measures time from `now()` (`ago(1d)`),
    /// each table it reads whose rows are all older than the earliest such
    /// time gets a [`NoteKind::OutsideTimeWindow`] note in
    /// [`Stats::notes`], naming its newest `TimeGenerated`: finding it
    /// takes one more scan of the table, done only then.
    ///
    /// # Errors
    ///
    /// [`Error::Exec`]: an input that cannot be read, a bad line in strict
    /// mode, a run stopped through [`Engine::cancel`]
    /// ([`ExecError::Interrupted`]), or the first error `sink` returned.
    pub fn run(&self, engine: &Engine, sink: &mut dyn ResultSink) -> Result<Stats, Error> {
        // A query measured from now() may scan its tables again after an
        // empty answer (the time-window note): its streams stay spooled.
        if engine.options.single_pass_streams && self.anchors.is_empty() {
            self.mark_single_pass_streams();
        }
        let mut watched = EmptyWatch {
            sink,
            answer: notes::EmptyAnswer::new(),
        };
        let mixed_digests = crate::functions::mixed_digest_merges();
        let mut stats = self.run_quietly(engine, &mut watched)?;
        if watched.answer.empty && !self.anchors.is_empty() {
            stats.notes = self.time_window_notes(engine)?;
        }
        if crate::functions::mixed_digest_merges() != mixed_digests {
            stats.notes.push(Note::new(
                NoteKind::MixedDigestTypes,
                "tdigest_merge/merge_tdigest met digests of different value types (say long and datetime), which Kusto does not merge: those results are null",
            ));
        }
        Ok(stats)
    }

    /// Notes for the tables whose newest event is older than the earliest
    /// time the query measures from.
    fn time_window_notes(&self, engine: &Engine) -> Result<Vec<Note>, Error> {
        let Some((call, earliest)) = self.anchors.first() else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for table in &self.read {
            if table.input != notes::Input::Some {
                continue;
            }
            let Some(newest) = notes::newest_event(engine, &table.name)? else {
                continue;
            };
            if newest < *earliest {
                found.push(
                    Note::new(
                        NoteKind::OutsideTimeWindow,
                        format!(
                            "every row of '{}' is older than {call} ({}), the earliest time the query measures from now() ({}): its newest TimeGenerated is {}",
                            table.name,
                            earliest,
                            self.ctx.now,
                            newest,
                        ),
                    )
                    .with_help(format!(
                        "to measure from the newest event, use --now latest (or --now {})",
                        newest
                    )),
                );
            }
        }
        Ok(found)
    }

    /// [`Query::run`] without the notes that need another scan.
    /// Marks single-pass the streams this query reads with exactly one
    /// scan ([`EngineOptions::single_pass_streams`]).
    fn mark_single_pass_streams(&self) {
        let mut scans: Vec<(Arc<crate::input::Stream>, usize)> = Vec::new();
        let mut stack: Vec<&crate::plan::logical::LogicalPlan> = self
            .bound
            .subqueries
            .iter()
            .map(|s| &s.plan)
            .chain(&self.bound.results)
            .collect();
        while let Some(plan) = stack.pop() {
            if let crate::plan::logical::LogicalPlan::Scan(scan) = plan
                && let TableData::Files(inputs) = &*scan.data
            {
                for stream in inputs.iter().filter_map(Input::as_stream) {
                    match scans.iter_mut().find(|(s, _)| Arc::ptr_eq(s, stream)) {
                        Some((_, n)) => *n += 1,
                        None => scans.push((stream.clone(), 1)),
                    }
                }
            }
            stack.extend(plan.inputs());
        }
        for (stream, n) in scans {
            if n == 1 {
                stream.single_pass();
            }
        }
    }

    fn run_quietly(&self, engine: &Engine, sink: &mut dyn ResultSink) -> Result<Stats, Error> {
        let pool = engine.thread_pool()?;
        let options = engine.exec_options();
        engine.apply_memory_limit();
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
            // A failed or interrupted run does not end its table: a writer
            // then prints no footer or header that would pass for a result.
            let flow = flow?;
            sink.end_table()?;
            if flow.is_break() {
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

/// A sink that hands everything on and watches whether the answer is empty.
struct EmptyWatch<'s> {
    sink: &'s mut dyn ResultSink,
    answer: notes::EmptyAnswer,
}

impl ResultSink for EmptyWatch<'_> {
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.answer.begin_table();
        self.sink.begin_table(index, schema)
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.answer.row(&row);
        self.sink.row(row)
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        self.sink.end_table()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Keeps the rows of a result.
    struct Rows(Vec<Vec<Value>>);

    impl ResultSink for Rows {
        fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
            self.0.push(row);
            Ok(ControlFlow::Continue(()))
        }
    }

    /// Issue 16 item 13: a file is opened (and mapped) once for detection,
    /// schema sampling and the first query that scans it; a later query
    /// opens it again.
    #[test]
    fn each_file_is_opened_once_for_detection_schema_and_the_first_scan() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            let name = dir.path().join(format!("f{i:03}.jsonl"));
            std::fs::write(name, format!("{{\"a\":{i},\"s\":\"row {i}\"}}\n")).unwrap();
        }
        let mut engine = Engine::new();
        engine.add_path("T", dir.path()).unwrap();
        let opens = |engine: &Engine| -> Vec<usize> {
            engine.inputs["T"].iter().map(Input::times_opened).collect()
        };
        assert_eq!(opens(&engine), vec![1; 40]);
        let query = engine
            .compile("T | summarize n = count(), s = sum(a)")
            .unwrap();
        let mut rows = Rows(Vec::new());
        query.run(&engine, &mut rows).unwrap();
        assert_eq!(rows.0, vec![vec![Value::Long(40), Value::Long(780)]]);
        assert_eq!(opens(&engine), vec![1; 40]);
        query.run(&engine, &mut rows).unwrap();
        assert_eq!(opens(&engine), vec![2; 40]);
    }
}

//! Reading table inputs: the log file formats users have, read as table
//! rows.
//!
//! Each input file is recognised by its content when it is registered
//! ([`detect()`]), opened ([`open`]: mapped, read, or decompressed as a
//! stream), cut into [`Part`]s (line-aligned chunks read in parallel, or
//! the whole file), and read by the decoder of its format when a query
//! scans it; every decoder hands its rows on as one [`LazyRow`], whose
//! columns are decoded only when the query reads them. JSON rows (Log
//! Analytics rows, one object per line) are one decoder among the others,
//! with a fast path for the lines of a mapped chunk ([`json_rows`]).
//!
//! Where the parts are: [`open`] (how bytes are read; memory maps and the
//! SIGBUS handler, kept only while a map is open; see [`MmapChoice`]), [`detect`](mod@detect)
//! (recognising a format), `read.rs` (the decoder trait and the driver that
//! runs a decoder over a part), `scan.rs` (parts for a scan, and the columns
//! a table gets from its inputs), [`chunk`] (cutting bytes at line ends),
//! and one module per format.
//!
//! Records are routed by table: a file bound to a table gives the rows
//! that belong to that table; the other records are skipped and counted
//! ([`crate::exec::Stats::skipped_records`]), never reported as errors.
//!
//! | format ([`FormatKind`]) | recognised by | tables it fills |
//! |---|---|---|
//! | `jsonl` | JSON objects, one per line | any (keys are column names) |
//! | `k8s-audit` ([`audit`]) | objects with `auditID`, or `kind: "Event"`, or only audit-Event keys; `{"kind":"EventList","items":[…]}` | `AzureDiagnostics` (kube-audit rows), `AKSAudit`, `AKSAuditAdmin` (not get/list) |
//! | `azure-records` ([`records`]) | objects with `category` and `resourceId` (storage `PT1H.json` lines); `{"records":[…]}` (Event Hub bodies, one per line or per file); an array of records | `AzureDiagnostics`, `AKSAudit`, `AKSAuditAdmin`, `AKSControlPlane` by `category`; Activity Log categories to `AzureActivity` |
//! | `activity-list` ([`activity`]) | an array (or `{"value":[…]}`) of events with `operationName.value` and `eventTimestamp` | `AzureActivity` |
//! | `query-api` ([`query_api`]) | `{"tables":[{"name","columns","rows"}]}` | any (typed columns) |
//! | `az-query` ([`az_query`]) | an array of row objects (`az monitor log-analytics query`: every value a string) | any (types from the built-in schema) |
//! | `csv` ([`csv`](mod@csv)) | a header line of column names (portal "Export to CSV") | any; rows routed by a leading `$table` column |
//! | (Avro container, [`avro`]) | the bytes `Obj\x01` (Event Hubs Capture) | those of the format its message bodies hold |
//!
//! Any of them may be gzip-compressed (recognised by the gzip magic
//! bytes): it is decompressed as a stream. Event Hubs Capture files (Avro
//! containers, [`avro`]) are read message by message, each `Body` in the
//! format it holds. Line-delimited files that are
//! not compressed are cut into chunks and read in parallel, like JSON
//! rows; compressed files and whole-document formats are read by one
//! thread each, with many files in parallel.
//!
//! A format bound to a table it has no mapping for (a raw audit log bound
//! to `Events`, say) reads each record's own keys as columns, like JSON
//! rows.

pub mod activity;
pub mod audit;
pub mod avro;
pub mod az_query;
pub mod chunk;
pub mod csv;
pub mod detect;
pub mod json_rows;
pub mod open;
pub mod query_api;
mod read;
pub mod records;
mod resource;
mod scan;
mod sigbus;
pub mod stream;
mod text;

pub use detect::{detect, detect_input};
pub use open::{MmapChoice, OpenInput, read_bounded};
pub use read::{BadLine, BadLineReport, LazyRow, LinePrefilter, Part, Unconverted, trim_line};
pub use scan::{lone_record_keys, parts, resolve_schema};
pub use stream::Stream;
pub use text::{DateMode, DateModes, DateOrder};

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// One input of a table: where its bytes come from, and how to read them.
#[derive(Clone, PartialEq, Eq)]
pub struct Input {
    pub source: InputSource,
    /// The file's format (JSON rows unless detected or named otherwise;
    /// see the module docs).
    pub format: InputFormat,
    /// The input as opened for detection, kept (by every clone) until a
    /// scan takes it: each file is opened and mapped once for detection,
    /// schema sampling and the first query that reads it (issue 16 item 13).
    opened: Opened,
}

/// The opening an [`Input`] keeps, and how many times it was opened.
#[derive(Clone, Default)]
struct Opened(Arc<OpenedState>);

#[derive(Default)]
struct OpenedState {
    kept: std::sync::Mutex<Option<OpenInput>>,
    opens: std::sync::atomic::AtomicUsize,
}

/// What an input is does not depend on whether it is open.
impl PartialEq for Opened {
    fn eq(&self, _: &Opened) -> bool {
        true
    }
}

impl Eq for Opened {}

/// Where an input's bytes come from.
#[derive(Clone, PartialEq, Eq)]
pub enum InputSource {
    File(PathBuf),
    /// Bytes already read, such as standard input (which can be read only
    /// once, and was sampled for the schema before the query ran).
    Memory {
        name: String,
        bytes: Arc<[u8]>,
    },
    /// A stream (standard input, a pipe, a device), read as scans need it
    /// ([`stream`](mod@stream)).
    Stream(Arc<Stream>),
}

/// A stream is itself: two are equal only when they are the same one.
impl PartialEq for Stream {
    fn eq(&self, other: &Stream) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Stream {}

impl Input {
    /// A file of JSON-lines rows.
    pub fn file(path: impl Into<PathBuf>) -> Input {
        Input {
            source: InputSource::File(path.into()),
            format: InputFormat::default(),
            opened: Opened::default(),
        }
    }

    /// Bytes of JSON-lines rows.
    pub fn memory(name: &str, bytes: Arc<[u8]>) -> Input {
        Input {
            source: InputSource::Memory {
                name: name.to_string(),
                bytes,
            },
            format: InputFormat::default(),
            opened: Opened::default(),
        }
    }

    /// A stream of JSON-lines rows, its head already read
    /// ([`Stream::new`]).
    pub fn stream(stream: Stream) -> Input {
        Input {
            source: InputSource::Stream(Arc::new(stream)),
            format: InputFormat::default(),
            opened: Opened::default(),
        }
    }

    /// The stream this input reads, if it is one.
    pub fn as_stream(&self) -> Option<&Arc<Stream>> {
        match &self.source {
            InputSource::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// The input opened for reading a sample (detection, the schema): the
    /// opening this input keeps, else a new one, then kept.
    pub fn open(&self) -> Result<OpenInput, InputError> {
        let mut kept = self.kept();
        if let Some(open) = kept.as_ref() {
            return Ok(open.clone());
        }
        let open = self.open_new()?;
        *kept = Some(open.clone());
        Ok(open)
    }

    /// The input opened for a scan: the opening kept since detection, which
    /// the scan takes (so a later query opens the file again and sees what
    /// was appended since), else a new one.
    pub fn open_for_scan(&self) -> Result<OpenInput, InputError> {
        match self.kept().take() {
            Some(open) => Ok(open),
            None => self.open_new(),
        }
    }

    /// How many times this input (and its clones) opened its file or bytes.
    pub fn times_opened(&self) -> usize {
        self.opened
            .0
            .opens
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn open_new(&self) -> Result<OpenInput, InputError> {
        let open = OpenInput::open(self)?;
        self.opened
            .0
            .opens
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(open)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Option<OpenInput>> {
        self.opened
            .0
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The same input, read as `format`.
    pub fn with_format(self, format: InputFormat) -> Input {
        Input { format, ..self }
    }
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            InputSource::File(p) => write!(f, "{}", p.display()),
            InputSource::Memory { name, .. } => f.write_str(name),
            InputSource::Stream(s) => f.write_str(s.name()),
        }
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Input({self}, {})", self.format)
    }
}

/// An input that could not be read: its name, and why.
#[derive(Debug)]
pub struct InputError {
    pub path: String,
    pub source: std::io::Error,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.path, self.source)
    }
}

impl From<InputError> for crate::exec_error::ExecError {
    fn from(e: InputError) -> crate::exec_error::ExecError {
        crate::exec_error::ExecError::Io {
            path: e.path,
            source: e.source,
        }
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The formats kqlite reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatKind {
    /// Log Analytics rows: one JSON object per line, keys are column names.
    JsonRows,
    /// Raw Kubernetes audit events (`kube-apiserver --audit-log-path`).
    K8sAudit,
    /// Azure diagnostic-setting records: storage `PT1H.json`, Event Hub bodies.
    AzureRecords,
    /// `az monitor activity-log list` / the Activity Log REST list.
    ActivityList,
    /// The Log Analytics query API response.
    QueryApi,
    /// `az monitor log-analytics query` output: an array of row objects.
    AzQuery,
    /// The Log Analytics portal's "Export to CSV".
    PortalCsv,
}

impl FormatKind {
    pub const ALL: [FormatKind; 7] = [
        FormatKind::JsonRows,
        FormatKind::K8sAudit,
        FormatKind::AzureRecords,
        FormatKind::ActivityList,
        FormatKind::QueryApi,
        FormatKind::AzQuery,
        FormatKind::PortalCsv,
    ];

    /// The name used in `--input-format` and messages.
    pub fn name(self) -> &'static str {
        match self {
            FormatKind::JsonRows => "jsonl",
            FormatKind::K8sAudit => "k8s-audit",
            FormatKind::AzureRecords => "azure-records",
            FormatKind::ActivityList => "activity-list",
            FormatKind::QueryApi => "query-api",
            FormatKind::AzQuery => "az-query",
            FormatKind::PortalCsv => "csv",
        }
    }

    /// A format by its name or an alias.
    pub fn from_name(name: &str) -> Option<FormatKind> {
        Some(match name.to_ascii_lowercase().as_str() {
            "jsonl" | "json-rows" | "rows" => FormatKind::JsonRows,
            "k8s-audit" | "kube-audit" | "audit" => FormatKind::K8sAudit,
            "azure-records" | "resource-logs" | "pt1h" | "event-hub" | "eventhub" => {
                FormatKind::AzureRecords
            }
            "activity-list" => FormatKind::ActivityList,
            "query-api" | "api" => FormatKind::QueryApi,
            "az-query" | "az" => FormatKind::AzQuery,
            "csv" | "portal-csv" => FormatKind::PortalCsv,
            _ => return None,
        })
    }

    /// What the format is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            FormatKind::JsonRows => "JSON-lines rows",
            FormatKind::K8sAudit => "Kubernetes audit events",
            FormatKind::AzureRecords => "Azure diagnostic records (PT1H.json, Event Hub)",
            FormatKind::ActivityList => "activity-log list JSON",
            FormatKind::QueryApi => "query-API JSON",
            FormatKind::AzQuery => "az log-analytics query JSON",
            FormatKind::PortalCsv => "portal CSV",
        }
    }
}

impl fmt::Display for FormatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one input is read: its format, whether it is gzip-compressed, and
/// what detection settled about its layout.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InputFormat {
    pub kind: FormatKind,
    pub gzip: bool,
    /// An Event Hubs Capture Avro container whose message bodies are in
    /// this format ([`avro`]).
    pub avro: bool,
    /// One JSON document (pretty-printed, or a top-level array) rather than
    /// one record per line. Documents are read by one thread.
    pub document: bool,
    /// `query-api`: the name of the response table to read (`None`: the
    /// first). `csv`: read only rows whose `$table` cell is this name.
    pub select: Option<String>,
    /// The day/month order of each column's locale dates, decided from the
    /// input's sample when its table's schema is resolved.
    pub dates: DateModes,
}

impl Default for InputFormat {
    fn default() -> InputFormat {
        InputFormat::new(FormatKind::JsonRows)
    }
}

impl InputFormat {
    pub fn new(kind: FormatKind) -> InputFormat {
        InputFormat {
            kind,
            gzip: false,
            avro: false,
            document: false,
            select: None,
            dates: DateModes::default(),
        }
    }

    /// True for what the executor reads by itself: uncompressed JSON rows.
    pub fn is_plain_rows(&self) -> bool {
        self.kind == FormatKind::JsonRows && !self.gzip && !self.document && !self.avro
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        if let Some(s) = &self.select {
            write!(f, ":{s}")?;
        }
        if self.document {
            f.write_str(" (document)")?;
        }
        if self.gzip {
            f.write_str(" (gzip)")?;
        }
        if self.avro {
            f.write_str(" (in Avro)")?;
        }
        Ok(())
    }
}

/// A format named by the user (`--input-format TABLE=FORMAT[:OPTION]`):
/// `auto` detects; otherwise the kind, and for `query-api` the response
/// table to read (`query-api:getschema`) or for `csv` the `$table` value to
/// keep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatChoice {
    pub kind: Option<FormatKind>,
    pub option: Option<String>,
}

impl FormatChoice {
    /// Parses `auto`, `k8s-audit`, `query-api:NAME`, ...
    pub fn parse(text: &str) -> Result<FormatChoice, String> {
        let (name, option) = match text.split_once(':') {
            Some((n, o)) => (n, Some(o.to_string())),
            None => (text, None),
        };
        if name.eq_ignore_ascii_case("auto") {
            return Ok(FormatChoice { kind: None, option });
        }
        let kind = FormatKind::from_name(name).ok_or_else(|| {
            format!(
                "unknown input format '{name}' (known: auto, {})",
                FormatKind::ALL.map(FormatKind::name).join(", ")
            )
        })?;
        if option.is_some() && !matches!(kind, FormatKind::QueryApi | FormatKind::PortalCsv) {
            return Err(format!(
                "input format '{name}' takes no option (only query-api:TABLE and csv:TABLE do)"
            ));
        }
        Ok(FormatChoice {
            kind: Some(kind),
            option,
        })
    }
}

/// The names of the tables a record-routing format can fill, for messages
/// and for deciding when a bound table is "native" (read record keys as
/// columns) instead.
pub fn mapped_tables(kind: FormatKind) -> &'static [&'static str] {
    match kind {
        FormatKind::K8sAudit => &[
            "AzureDiagnostics",
            "AKSAudit",
            "AKSAuditAdmin",
            "AKSControlPlane",
        ],
        FormatKind::AzureRecords => &[
            "AzureDiagnostics",
            "AKSAudit",
            "AKSAuditAdmin",
            "AKSControlPlane",
            "AzureActivity",
        ],
        FormatKind::ActivityList => &["AzureActivity"],
        _ => &[],
    }
}

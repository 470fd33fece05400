//! kqlite: an embedded interpreter for the Kusto Query Language (KQL).
//!
//! It runs published KQL detections (Microsoft Sentinel, Azure Data
//! Explorer) unchanged, offline, over log files on disk, in parallel over
//! memory-mapped files.
//!
//! # Embedding
//!
//! An [`Engine`] holds tables: files ([`Engine::add_path`]), bytes
//! ([`Engine::add_bytes`]) or rows ([`Engine::add_rows`]).
//! [`Engine::compile`] turns query text into a [`Query`], checked against
//! those tables before any data is read; [`Query::run`] runs it and hands
//! each result table to a [`ResultSink`]: one of the writers in [`output`],
//! or your own.
//!
//! ```
//! use kqlite::{Engine, output::JsonLinesWriter};
//!
//! let mut engine = Engine::new();
//! // One JSON object per line; the keys are the columns.
//! let rows = br#"{"User":"alice","Failures":7}
//! {"User":"bob","Failures":2}
//! {"User":"carol","Failures":12}
//! "#;
//! engine.add_bytes("SigninLogs", "signins.jsonl", rows.to_vec())?;
//!
//! let query = engine.compile(
//!     "SigninLogs | where Failures > 5 | project User, Failures | order by Failures desc",
//! )?;
//! let mut out = JsonLinesWriter::new(Vec::new());
//! let stats = query.run(&engine, &mut out)?;
//!
//! assert_eq!(stats.rows_read, 3);
//! assert_eq!(
//!     String::from_utf8(out.into_inner()).unwrap(),
//!     "{\"User\":\"carol\",\"Failures\":12}\n{\"User\":\"alice\",\"Failures\":7}\n",
//! );
//! # Ok::<(), kqlite::Error>(())
//! ```
//!
//! To read values rather than text, implement [`ResultSink`]: it receives
//! each result table's [`Schema`] and then its rows as [`Value`]s.
//! Errors are one [`Error`]: query errors ([`Error::Syntax`],
//! [`Error::Bind`]) come from [`Engine::compile`], before any data is
//! read, and render as compiler-style [`Diagnostic`]s; input and run errors
//! ([`Error::Exec`]) come from [`Query::run`] and [`Engine::add_path`].
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `cli` | yes | the `kqlite` command (clap, ctrlc); implies `table` |
//! | `table` | yes | [`output::TableWriter`], aligned text tables (comfy-table) |
//! | `avro` | yes | reading Event Hubs Capture files (apache-avro); without it they are an input error |
//!
//! A library user can leave them out: `default-features = false`.
//!
//! # Architecture
//!
//! A query flows through four stages, one module each, all private; one
//! type crosses each boundary: `syntax` parses the text into a tree,
//! `semantic` binds it against the `catalog` of tables into logical plans
//! (`plan`), which `exec` lowers to physical plans and runs over the
//! inputs (`input`). Around the pipeline: values ([`Value`]) and their
//! KQL rules, the function library, and the JSON scanner behind every row
//! and `parse_json`.

#![deny(missing_docs)]

// Every module is private; the API is what the crate root re-exports, plus
// `output`. Modules without a `missing_docs` exemption hold only API types.
// The exempt ones are internals (reached by tests through `internals`);
// the few API types they define (errors, run statistics, `DateTime`,
// `Timespan`) carry `#[deny(missing_docs)]` themselves, and so must any
// type re-exported from them later.
#[allow(missing_docs)]
mod catalog;
mod diagnostic;
mod engine;
mod error;
#[allow(missing_docs)]
mod exec;
mod exec_error;
#[allow(missing_docs)]
mod functions;
#[allow(missing_docs)]
mod input;
#[allow(missing_docs)]
mod json;
mod memory;
pub mod output;
#[allow(missing_docs)]
mod plan;
mod replay;
mod schema;
#[allow(missing_docs)]
mod semantic;
mod span;
#[allow(missing_docs)]
mod syntax;
mod types;
mod value;

pub use diagnostic::{Diagnostic, Note, NoteKind};
pub use engine::{
    ColumnKey, Engine, EngineOptions, FromValue, Params, Query, ResultSink, Row, THREADS_PER_CORE,
    Table, max_threads,
};
pub use error::{DataError, Error};
pub use exec::{BadLineReport, ConversionReport, Stats};
pub use exec_error::ExecError;
pub use functions::geo_ip::GeoIpDatabase;
pub use input::{DateOrder, MmapChoice};
pub use memory::{CountingAllocator, parse_size};
pub use replay::alert::{Alert, alert_schema};
pub use replay::check::{CheckIssue, check_rules};
pub use replay::duration::{format_iso as format_iso_duration, parse_duration};
pub use replay::rule::{
    AlertDetailsOverride, EntityMapping, EventGrouping, Rule, RuleError, RuleKind, RuleSource,
    TriggerOperator, load_rules, rule_from_yaml, rules_from_arm_json,
};
pub use replay::ruletest::{
    Observed, TestOutcome, bless as bless_rule_test, find_tests as find_rule_tests, junit_xml,
    run_rule_test, run_rule_test_in,
};
pub use replay::run::{
    ReplayOptions, ReplayProgress, ReplayReport, RuleSummary, replay, replay_with_progress,
};
pub use replay::sarif::check_sarif;
pub use replay::schedule::{Window, windows};
pub use schema::{Field, Schema};
pub use semantic::{BindError, BindErrorKind};
pub use span::Span;
pub use syntax::SyntaxError;
pub use types::DataType;
pub use value::{Bag, DateTime, Guid, Str, Timespan, Value};

/// Checks that `text` is valid KQL syntax, without binding it to any
/// table: what `kqlite --parse-only` does.
///
/// # Errors
///
/// [`Error::Syntax`] with the first syntax error.
///
/// ```
/// assert!(kqlite::check_syntax("T | where x > 1 | take 5").is_ok());
/// assert!(kqlite::check_syntax("T | where").is_err());
/// ```
pub fn check_syntax(text: &str) -> Result<(), Error> {
    syntax::parse(text)?;
    Ok(())
}

/// kqlite's internals, for its own tests, benchmarks, fuzz targets and
/// examples.
///
/// **Not part of the public API and not covered by semantic versioning:**
/// anything here may change or go away in any release. Embedders use the
/// items at the crate root and [`output`].
#[doc(hidden)]
#[allow(missing_docs)]
pub mod internals {
    pub mod catalog {
        pub use crate::catalog::*;
    }
    pub mod exec {
        pub use crate::exec::*;
    }
    pub mod functions {
        pub use crate::functions::*;
    }
    pub mod input {
        pub use crate::input::*;
    }
    pub mod json {
        pub use crate::json::*;
    }
    pub mod plan {
        pub use crate::plan::*;
    }
    pub mod semantic {
        pub use crate::semantic::*;
    }
    pub mod syntax {
        pub use crate::syntax::*;
    }
    pub mod value {
        pub use crate::value::*;
    }
}

//! Running plans: lowering to a physical plan, reading inputs in parallel,
//! evaluating expressions, and handing result rows to a sink.

mod aggregate;
mod bag_unpack;
pub mod eval;
pub mod expr;
mod join;
pub mod json_doc;
mod make_series;
mod mv_apply;
mod partition;
pub mod physical;
mod pivot;
mod prefilter;
pub mod run;
mod scan;
mod sort;
pub mod source;
mod stage;
mod string_match;
mod top_nested;
mod window;

pub use run::{ExecOptions, Runner};
pub use source::BadLineReport;

/// Why a run failed. Query errors never get here: they are found before
/// any data is read.
#[deny(missing_docs)]
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// An input could not be opened, read or recognised.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file (or `<stdin>`, or the name given to `add_bytes`).
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A line that is not a row, in `--strict` mode.
    #[error("{file}:{line}: not a JSON object row: {reason}")]
    BadLine {
        /// The input it is in.
        file: String,
        /// Its line number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing the results failed (a [`ResultSink`](crate::ResultSink)
    /// reports its write errors as this).
    #[error("writing the output failed: {0}")]
    Output(std::io::Error),
    /// The run was stopped through [`Engine::cancel`](crate::Engine::cancel).
    #[error("interrupted")]
    Interrupted,
    /// The run failed otherwise (a limit exceeded, a worker thread that
    /// could not start).
    #[error("{0}")]
    Runtime(String),
}

/// What a run read: [`Query::run`](crate::Query::run) returns it.
#[deny(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Rows decoded from input lines.
    pub rows_read: u64,
    /// Lines that were not rows (invalid JSON, not an object…).
    pub bad_lines: u64,
    /// The first few bad lines, with file, line number and reason.
    pub reports: Vec<BadLineReport>,
    /// Records of other tables, skipped by inputs that hold several tables'
    /// records (diagnostic archives, `union` CSV exports); not errors.
    pub skipped_records: u64,
}

//! Running plans: lowering to a physical plan, reading inputs in parallel,
//! running each operator's rows through its expressions (evaluated by
//! [`crate::plan::eval`]), and handing result rows to a sink.

mod aggregate;
mod bag_unpack;
mod join;
mod lower;
mod make_series;
mod mv_apply;
mod partition;
pub mod physical;
mod pivot;
mod prefilter;
pub mod run;
mod scan;
mod sort;
mod stage;
mod top_nested;
mod window;

pub use crate::input::BadLineReport;
pub use run::{ExecOptions, Runner};

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
    /// Notes on the run: an answer that is probably not what was meant
    /// (see [`Note`](crate::diagnostic::Note)). Filled by the engine.
    pub notes: Vec<crate::diagnostic::Note>,
}

//! Running plans: lowering to a physical plan, reading inputs in parallel,
//! running each operator's rows through its expressions (evaluated by
//! [`crate::plan::eval`]), and handing result rows to a sink.

mod aggregate;
mod bag_unpack;
mod basket;
mod graph;
mod join;
mod lower;
mod make_series;
mod mv_apply;
mod partition;
pub mod physical;
mod pivot;
mod prefilter;
mod reduce;
pub mod run;
mod scan;
mod scan_steps;
mod sequence_detect;
mod sort;
mod spill;
mod stage;
mod top_nested;
mod window;

pub use crate::input::BadLineReport;
pub use crate::input::DateOrder;
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
    /// Values that did not convert to their column's type and were read
    /// as null, per file and column (docs/semantics.md#conversions).
    pub conversions: Vec<ConversionReport>,
    /// Locale dates (`3/4/2026`) read month-first because nothing in their
    /// file settled the order, per file and column.
    pub assumed_month_first: Vec<ConversionReport>,
}

/// Values of one column of one input file that did not convert cleanly.
#[deny(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionReport {
    /// The input file.
    pub file: String,
    /// The column.
    pub column: String,
    /// The column's type.
    pub ty: crate::types::DataType,
    /// How many values.
    pub count: u64,
    /// The line of the first one (for some formats, the record's number).
    pub line: usize,
    /// The first one's text.
    pub text: String,
}

//! The error of a run: reading inputs, evaluating, writing results.
//!
//! It sits on the ground floor, below every layer that can fail once data
//! is read (the input layer, the executor, the output writers), so that
//! none of them imports another to report a failure.

/// Why a run failed. Query errors never get here: they are found before
/// any data is read.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// A line that is not a row, in `--strict` mode.
    #[error("{file}:{line}: not a JSON object row: {reason}")]
    BadLine {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("writing the output failed: {0}")]
    Output(std::io::Error),
    #[error("interrupted")]
    Interrupted,
    #[error("{0}")]
    Runtime(String),
}

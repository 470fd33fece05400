//! The error of a run: reading inputs, evaluating, writing results.
//!
//! It sits on the ground floor, below every layer that can fail once data
//! is read (the input layer, the executor, the output writers), so that
//! none of them imports another to report a failure.

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
    /// An operator that holds rows (`sort`, `summarize`, `join`, ...) went
    /// over the memory budget (`--max-memory`,
    /// [`EngineOptions::max_memory`](crate::EngineOptions::max_memory)).
    #[error(
        "{operator} ran out of memory budget: {used} in use, the limit is {limit} \
         (raise it with --max-memory, or narrow the query)"
    )]
    MemoryLimit {
        /// The operator that was holding rows.
        operator: String,
        /// The heap in use when it stopped, as text (`1.2 GiB`).
        used: String,
        /// The limit, as text.
        limit: String,
    },
    /// The run was stopped through [`Engine::cancel`](crate::Engine::cancel).
    #[error("interrupted")]
    Interrupted,
    /// The run failed otherwise (a limit exceeded, a worker thread that
    /// could not start).
    #[error("{0}")]
    Runtime(String),
}

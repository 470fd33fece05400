//! Writing result tables: JSON lines, CSV, or an aligned text table
//! (with the `table` feature). Each writer is a [`crate::ResultSink`];
//! a write error ends the run with [`crate::ExecError::Output`],
//! and a closed pipe (`kqlite ... | head`) ends it quietly.

mod csv;
mod jsonl;
#[cfg(feature = "table")]
mod table;

pub use self::csv::CsvWriter;
pub use jsonl::JsonLinesWriter;
#[cfg(feature = "table")]
pub use table::TableWriter;

use crate::exec_error::ExecError;
use std::io;
use std::ops::ControlFlow;

/// A write error ends the run; a closed pipe (the reader went away, as in
/// `kqlite ... | head`) ends it quietly.
fn write_result(r: io::Result<()>) -> Result<ControlFlow<()>, ExecError> {
    match r {
        Ok(()) => Ok(ControlFlow::Continue(())),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ControlFlow::Break(())),
        Err(e) => Err(ExecError::Output(e)),
    }
}

fn flush_result(r: io::Result<()>) -> Result<(), ExecError> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(ExecError::Output(e)),
    }
}

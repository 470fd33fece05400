//! Writing result tables: JSON lines, CSV, or an aligned text table.

mod csv;
mod jsonl;
mod table;

pub use self::csv::CsvWriter;
pub use jsonl::JsonLinesWriter;
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

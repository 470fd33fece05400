//! CSV with a header row; cells are the values' `tostring()` text (null is
//! an empty cell). Several result tables are separated by a blank line, and
//! each has its own header row (a CSV record is never blank: an empty
//! one-column cell is written `""`).
//!
//! The header is written with the first row, or when the table ends: a run
//! that fails or is interrupted before its first row writes no bare header
//! that would read as an empty answer.

use super::{flush_result, write_result};
use crate::engine::ResultSink;
use crate::exec_error::ExecError;
use crate::schema::Schema;
use crate::value::Value;
use crate::value::string_form::to_kusto_string;
use std::io::Write;
use std::ops::ControlFlow;

/// A [`ResultSink`] that writes CSV to `W`: a header row, then each row's
/// cells as their `tostring()` text (null as an empty cell); result tables
/// are separated by a blank line, each with its header row.
pub struct CsvWriter<W: Write> {
    /// `None` only while the writer is rebuilt around a blank line, or
    /// after a write to it failed.
    out: Option<csv::Writer<W>>,
    /// The header of the current table, until it is written.
    header: Option<Vec<String>>,
    /// Whether a table was written before the current one.
    after_table: bool,
}

impl<W: Write> CsvWriter<W> {
    /// Writes to `out` (wrap a file or socket in a `BufWriter`).
    pub fn new(out: W) -> CsvWriter<W> {
        CsvWriter {
            out: Some(writer(out)),
            header: None,
            after_table: false,
        }
    }

    /// Writes the current table's header, after a blank line when a table
    /// came before.
    fn write_header(&mut self) -> Result<ControlFlow<()>, ExecError> {
        let Some(header) = self.header.take() else {
            return Ok(ControlFlow::Continue(()));
        };
        if std::mem::replace(&mut self.after_table, true) {
            // The csv crate writes an empty record as `""`; the blank line
            // goes to the inner writer, between two of its records.
            let Some(out) = self.out.take() else {
                return Ok(ControlFlow::Break(()));
            };
            let mut inner = match out.into_inner() {
                Ok(inner) => inner,
                Err(e) => {
                    let kind = e.error().kind();
                    let message = e.error().to_string();
                    self.out = Some(e.into_inner());
                    return write_result(Err(std::io::Error::new(kind, message)));
                }
            };
            let r = inner.write_all(b"\n");
            self.out = Some(writer(inner));
            if write_result(r)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(ControlFlow::Break(()));
        };
        write_result(out.write_record(&header).map_err(csv_error))
    }
}

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().flexible(true).from_writer(out)
}

fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> ResultSink for CsvWriter<W> {
    fn begin_table(&mut self, _index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.header = Some(schema.names().map(str::to_string).collect());
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if self.write_header()?.is_break() {
            return Ok(ControlFlow::Break(()));
        }
        let Some(out) = self.out.as_mut() else {
            return Ok(ControlFlow::Break(()));
        };
        let cells: Vec<String> = row.iter().map(to_kusto_string).collect();
        write_result(out.write_record(&cells).map_err(csv_error))
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        if self.write_header()?.is_break() {
            return Ok(());
        }
        match self.out.as_mut() {
            Some(out) => flush_result(out.flush()),
            None => Ok(()),
        }
    }
}

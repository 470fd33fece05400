//! CSV with a header row; cells are the values' `tostring()` text (null is
//! an empty cell). Several result tables are separated by a blank line.

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
/// are separated by a blank line.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Writes to `out` (wrap a file or socket in a `BufWriter`).
    pub fn new(out: W) -> CsvWriter<W> {
        CsvWriter {
            out: csv::WriterBuilder::new().flexible(true).from_writer(out),
        }
    }
}

fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> ResultSink for CsvWriter<W> {
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        if index > 0 {
            let r = self.out.write_record(None::<&[u8]>).map_err(csv_error);
            if write_result(r)?.is_break() {
                return Ok(());
            }
        }
        let r = self.out.write_record(schema.names()).map_err(csv_error);
        write_result(r).map(|_| ())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        let cells: Vec<String> = row.iter().map(to_kusto_string).collect();
        write_result(self.out.write_record(&cells).map_err(csv_error))
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        flush_result(self.out.flush())
    }
}

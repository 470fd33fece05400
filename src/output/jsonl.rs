//! One JSON object per row, keys in column order (the CLI contract):
//! strings as strings, numbers as numbers, datetimes as
//! `YYYY-MM-DDTHH:MM:SS.fffffffZ`, timespans as `[-][d.]hh:mm:ss[.fffffff]`,
//! NaN and infinities as `"NaN"`, `"Infinity"`, `"-Infinity"`, dynamic
//! values as themselves.
//!
//! A query with several result tables (`print a = 1; print b = "2"`) writes
//! its first table's rows as they are, then before each further table one
//! boundary line `{"$table":1,"$columns":["b"]}`: the table's index
//! (counted from 0) and its column names. A row has the keys of its
//! table's columns, so it is a boundary only if its table has exactly the
//! columns `$table` and `$columns`, which only bracket-quoted names can be.

use super::{flush_result, write_result};
use crate::engine::ResultSink;
use crate::exec_error::ExecError;
use crate::schema::Schema;
use crate::value::Value;
use std::io::Write;
use std::ops::ControlFlow;

/// A [`ResultSink`] that writes each row to `W` as one JSON object on a
/// line, keys in column order: the output of `kqlite --format jsonl`
/// (formats are described in the module documentation).
pub struct JsonLinesWriter<W: Write> {
    out: W,
    /// Each column name, already written as a JSON string with its colon.
    keys: Vec<String>,
    line: String,
}

impl<W: Write> JsonLinesWriter<W> {
    /// Writes to `out` (wrap a file or socket in a `BufWriter`).
    pub fn new(out: W) -> JsonLinesWriter<W> {
        JsonLinesWriter {
            out,
            keys: Vec::new(),
            line: String::new(),
        }
    }

    /// The writer back, e.g. the `Vec<u8>` written to.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> ResultSink for JsonLinesWriter<W> {
    fn begin_table(&mut self, index: usize, schema: &Schema) -> Result<(), ExecError> {
        if index > 0 {
            // Rows are objects keyed by column names; a boundary names the
            // table that starts and its columns, under `$` keys.
            self.line.clear();
            self.line.push_str("{\"$table\":");
            self.line.push_str(&index.to_string());
            self.line.push_str(",\"$columns\":");
            let names = Value::array(schema.names().map(Value::string).collect());
            crate::value::json::write_value(&names, &mut self.line);
            self.line.push_str("}\n");
            if write_result(self.out.write_all(self.line.as_bytes()))?.is_break() {
                return Ok(());
            }
        }
        self.keys = schema
            .fields
            .iter()
            .map(|f| {
                let mut k = String::new();
                crate::value::json::write_value(&Value::string(&f.name), &mut k);
                k.push(':');
                k
            })
            .collect();
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.line.clear();
        self.line.push('{');
        for (i, (key, value)) in self.keys.iter().zip(&row).enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            self.line.push_str(key);
            crate::value::json::write_value(value, &mut self.line);
        }
        self.line.push_str("}\n");
        write_result(self.out.write_all(self.line.as_bytes()))
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        flush_result(self.out.flush())
    }
}

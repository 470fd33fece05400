//! An aligned text table for a terminal. Rows are held until the table
//! ends (column widths depend on every row).

use super::{flush_result, write_result};
use crate::engine::ResultSink;
use crate::exec_error::ExecError;
use crate::schema::Schema;
use crate::value::Value;
use crate::value::string_form::to_kusto_string;
use comfy_table::{ContentArrangement, Table, presets};

use std::io::Write;
use std::ops::ControlFlow;

/// Cells longer than this are cut (with `…`) so a table stays readable.
const MAX_CELL_CHARS: usize = 120;

/// A [`ResultSink`] that writes each result table to `W` as an aligned
/// text table, for a terminal (what `kqlite --format table` prints). Rows
/// are held until their table ends, and long cells are cut.
pub struct TableWriter<W: Write> {
    out: W,
    table: Table,
    rows: usize,
}

impl<W: Write> TableWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> TableWriter<W> {
        TableWriter {
            out,
            table: Table::new(),
            rows: 0,
        }
    }
}

fn cell(v: &Value) -> String {
    let text = to_kusto_string(v);
    if text.chars().count() > MAX_CELL_CHARS {
        let cut: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

impl<W: Write> ResultSink for TableWriter<W> {
    fn begin_table(&mut self, _index: usize, schema: &Schema) -> Result<(), ExecError> {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(schema.names());
        self.table = table;
        self.rows = 0;
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.table.add_row(row.iter().map(cell));
        self.rows += 1;
        Ok(ControlFlow::Continue(()))
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        let text = format!(
            "{}\n({} row{})\n",
            self.table,
            self.rows,
            if self.rows == 1 { "" } else { "s" }
        );
        if write_result(self.out.write_all(text.as_bytes()))?.is_break() {
            return Ok(());
        }
        flush_result(self.out.flush())
    }
}

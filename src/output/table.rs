//! An aligned text table for a terminal. Rows are held in blocks of
//! 1,000 (column widths depend on every row of a block): a table
//! of more rows is printed a block at a time, each block aligned on its
//! own and under its own header, so memory stays bounded whatever the
//! number of rows. The row count follows the last block.
//!
//! Control characters in values (ESC, NUL, carriage return, the C1 range...)
//! are written as `\u001b`-style escapes, so a log line cannot send escape
//! sequences to the analyst's terminal; a line feed still breaks the cell
//! into lines. The jsonl and csv writers keep values exact.

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

/// Rows held before a block of the table is printed.
const BLOCK_ROWS: usize = 1000;

/// A [`ResultSink`] that writes each result table to `W` as an aligned
/// text table, for a terminal (what `kqlite --format table` prints). Rows
/// are printed in aligned blocks of 1,000, long cells are cut and
/// control characters escaped.
pub struct TableWriter<W: Write> {
    out: W,
    header: Vec<String>,
    table: Table,
    /// Rows of the current table, printed or held.
    rows: usize,
    /// Rows held in `table`, not printed yet.
    held: usize,
}

impl<W: Write> TableWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> TableWriter<W> {
        TableWriter {
            out,
            header: Vec::new(),
            table: Table::new(),
            rows: 0,
            held: 0,
        }
    }

    /// A table with the current header and no rows.
    fn fresh_table(&self) -> Table {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(self.header.iter().map(|h| escape_controls(h)));
        table
    }

    /// Prints the rows held, with `footer` after them.
    fn print_block(&mut self, footer: &str) -> Result<ControlFlow<()>, ExecError> {
        let text = format!("{}\n{footer}", self.table);
        self.table = self.fresh_table();
        self.held = 0;
        write_result(self.out.write_all(text.as_bytes()))
    }
}

/// `text` with each control character but the line feed written as
/// `\uXXXX`.
fn escape_controls(text: &str) -> String {
    if !text.chars().any(is_escaped) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_escaped(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_escaped(c: char) -> bool {
    c.is_control() && c != '\n'
}

fn cell(v: &Value) -> String {
    let text = to_kusto_string(v);
    let text = if text.chars().count() > MAX_CELL_CHARS {
        let cut: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    };
    escape_controls(&text)
}

impl<W: Write> ResultSink for TableWriter<W> {
    fn begin_table(&mut self, _index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.header = schema.names().map(str::to_string).collect();
        self.table = self.fresh_table();
        self.rows = 0;
        self.held = 0;
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if self.held == BLOCK_ROWS && self.print_block("")?.is_break() {
            return Ok(ControlFlow::Break(()));
        }
        self.table.add_row(row.iter().map(cell));
        self.rows += 1;
        self.held += 1;
        Ok(ControlFlow::Continue(()))
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        let footer = format!(
            "({} row{})\n",
            self.rows,
            if self.rows == 1 { "" } else { "s" }
        );
        if self.print_block(&footer)?.is_break() {
            return Ok(());
        }
        flush_result(self.out.flush())
    }
}

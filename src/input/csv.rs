//! The Log Analytics portal's "Export to CSV" (FORMATS.md §(d)): UTF-8 with
//! a BOM, CRLF, RFC 4180 quoting with newlines inside quoted cells
//! (pretty-printed JSON), datetime columns renamed `Name [UTC]` in the
//! header (the suffix gives the type, not the name) with values such as
//! `4/28/2021, 2:32:14.029 PM`, empty cells for null, and a leading
//! `$table` column when the export came from a `union`.
//!
//! Rows are routed by `$table` when the bound table is one of its values
//! (so several tables can be bound to one file); otherwise every row is
//! read. Column types come from the bound table's built-in schema, else
//! from the header (`[UTC]` → datetime), else are inferred carefully from
//! the values (`text::infer_type`: a column of GUIDs stays a
//! string).

use super::read::{Decode, Layout, Loc, Out};
use super::text::{DateMode, DateModes, Dialect, Evidence, text_value_checked};
use crate::schema::Field;
use crate::types::DataType;
use crate::value::Value;
use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

/// The column that names each row's table in a `union` export.
pub(crate) const TABLE_COLUMN: &str = "$table";

/// A header cell: the column name, and whether the header marks it as a
/// UTC datetime (`TimeGenerated [UTC]`).
pub(crate) fn header_name(cell: &str) -> (&str, bool) {
    let cell = cell.trim();
    match cell.strip_suffix("[UTC]") {
        Some(name) => (name.trim_end(), true),
        None => (cell, false),
    }
}

pub(crate) fn reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}

pub(crate) struct CsvDecoder {
    fields: Vec<Field>,
    dates: Vec<DateMode>,
    select: Option<String>,
}

impl CsvDecoder {
    pub fn new(fields: &[Field], dates: &DateModes, select: Option<String>) -> CsvDecoder {
        CsvDecoder {
            fields: fields.to_vec(),
            dates: fields.iter().map(|f| dates.of(&f.name)).collect(),
            select,
        }
    }
}

impl Decode for CsvDecoder {
    fn stream(&self, input: &mut dyn Read, out: &mut Out) {
        let crlf = Rc::new(Cell::new(None));
        let mut rdr = reader(NewlineSniffer {
            inner: input,
            crlf: crlf.clone(),
            last: 0,
        });
        // The csv crate counts a CRLF's `\n` into the next record, so the
        // lines of records after the first come out one short.
        let line_of = |p: Option<&csv::Position>, before: usize| {
            let fix = usize::from(crlf.get() == Some(true));
            p.map_or(before, |p| p.line() as usize) + fix
        };
        let mut record = csv::StringRecord::new();
        let header = match rdr.read_record(&mut record) {
            Ok(true) => record.clone(),
            Ok(false) => return,
            Err(e) => {
                out.bad(Loc::Line(1), format!("CSV header: {e}"));
                return;
            }
        };
        let names: Vec<&str> = header.iter().map(|c| header_name(c).0).collect();
        let table_col = names.iter().position(|n| *n == TABLE_COLUMN);
        let map: Vec<Option<usize>> = self
            .fields
            .iter()
            .map(|f| names.iter().position(|n| *n == f.name))
            .collect();
        let width = names.len();
        loop {
            let before = rdr.position().line() as usize;
            match rdr.read_record(&mut record) {
                Ok(false) => return,
                Ok(true) => {}
                Err(e) => {
                    let line = line_of(e.position(), before);
                    out.bad(Loc::Line(line), format!("CSV: {e}"));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return;
                    }
                    continue;
                }
            }
            let line = line_of(record.position(), before);
            if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
                continue; // a blank line
            }
            if record.len() != width {
                out.bad(
                    Loc::Line(line),
                    format!("CSV record has {} fields, the header {width}", record.len()),
                );
                continue;
            }
            if let (Some(select), Some(i)) = (&self.select, table_col)
                && record.get(i) != Some(select.as_str())
            {
                out.skip();
                continue;
            }
            let record = &record;
            let log = out.conv.clone();
            out.row_with(self.fields.len(), &|k| {
                let (Some(i), Some(f)) = (map.get(k), self.fields.get(k)) else {
                    return Value::Null;
                };
                match i.and_then(|i| record.get(i)) {
                    Some(cell) => {
                        let dates = self.dates.get(k).copied().unwrap_or_default();
                        let got = text_value_checked(cell, f.ty, Dialect::PortalCsv, dates);
                        log.note(k, Loc::Line(line), cell.as_bytes(), got)
                    }
                    None => crate::value::cast::null_of(f.ty),
                }
            });
            if out.stopped() {
                return;
            }
        }
    }

    fn layout(&self) -> Layout {
        Layout::Stream
    }
}

/// Notes whether the stream's first line ends in CRLF.
struct NewlineSniffer<'r> {
    inner: &'r mut dyn Read,
    crlf: Rc<Cell<Option<bool>>>,
    last: u8,
}

impl Read for NewlineSniffer<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.crlf.get().is_none() {
            let got = &buf[..n];
            if let Some(i) = memchr::memchr(b'\n', got) {
                let before = if i == 0 { self.last } else { got[i - 1] };
                self.crlf.set(Some(before == b'\r'));
            } else if let Some(&b) = got.last() {
                self.last = b;
            }
        }
        Ok(n)
    }
}

/// The columns of a CSV export, from its first records: names from the
/// header (without `$table` and trailing unnamed columns), types from
/// `known` (the built-in schema), else `[UTC]` → datetime, else inferred
/// from the sampled values (`None`: every sampled cell empty). Also the
/// distinct `$table` values seen, and each column's date evidence.
#[allow(clippy::type_complexity)]
pub(crate) fn sample_columns(
    sample: &[u8],
    known: &dyn Fn(&str) -> Option<DataType>,
) -> (
    Vec<(String, Option<DataType>)>,
    Vec<String>,
    Vec<(String, Evidence)>,
) {
    const MAX_ROWS: usize = 2000;
    let mut rdr = reader(sample);
    let mut records = rdr.records();
    let Some(Ok(header)) = records.next() else {
        return (Vec::new(), Vec::new(), Vec::new());
    };
    let heads: Vec<(String, bool)> = header
        .iter()
        .map(|c| {
            let (n, utc) = header_name(c);
            (n.to_string(), utc)
        })
        .collect();
    let rows: Vec<csv::StringRecord> = records
        .take(MAX_ROWS)
        .filter_map(Result::ok)
        .filter(|r| r.len() == heads.len())
        .collect();
    let table_col = heads.iter().position(|(n, _)| n == TABLE_COLUMN);
    let mut tables: Vec<String> = Vec::new();
    if let Some(i) = table_col {
        for r in &rows {
            if let Some(t) = r.get(i)
                && !tables.iter().any(|x| x == t)
            {
                tables.push(t.to_string());
            }
        }
    }
    let named =
        |(i, (name, _)): &(usize, &(String, bool))| Some(*i) != table_col && !name.is_empty();
    let fields = heads
        .iter()
        .enumerate()
        .filter(named)
        .map(|(i, (name, utc))| {
            let ty = known(name).or_else(|| {
                if *utc {
                    Some(DataType::DateTime)
                } else {
                    super::text::infer_type_seen(
                        rows.iter().filter_map(|r| r.get(i)),
                        Dialect::PortalCsv,
                    )
                }
            });
            (name.clone(), ty)
        })
        .collect();
    let evidence = heads
        .iter()
        .enumerate()
        .filter(named)
        .map(|(i, (name, _))| {
            let mut e = Evidence::default();
            for cell in rows.iter().filter_map(|r| r.get(i)) {
                e.add(cell);
            }
            (name.clone(), e)
        })
        .collect();
    (fields, tables, evidence)
}

/// Whether `sample` starts like a CSV export: a header of at least two
/// column names (one when `named_csv`), and a next record of the same
/// width.
pub(crate) fn looks_like_csv(sample: &[u8], named_csv: bool) -> bool {
    let mut rdr = reader(sample);
    let mut records = rdr.records();
    let Some(Ok(header)) = records.next() else {
        return false;
    };
    // Exports may end their header in empty names (a trailing comma).
    let cells: Vec<&str> = header.iter().collect();
    let named = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    let names_ok = named > 0
        && header.iter().take(named).all(|c| {
            let (name, _) = header_name(c);
            !name.is_empty()
                && name.len() <= 256
                && name.chars().all(|ch| {
                    ch.is_alphanumeric() || matches!(ch, '_' | '$' | '.' | '-' | ' ' | '@')
                })
        });
    if !names_ok || named < if named_csv { 1 } else { 2 } {
        return false;
    }
    match records.next() {
        Some(Ok(next)) => next.len() == header.len(),
        Some(Err(_)) => false,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_drop_the_utc_suffix() {
        assert_eq!(header_name("TimeGenerated [UTC]"), ("TimeGenerated", true));
        assert_eq!(header_name("Caller"), ("Caller", false));
    }

    #[test]
    fn recognises_exports_and_not_prose() {
        assert!(looks_like_csv(
            b"$table,TenantId,\"TimeGenerated [UTC]\"\r\nA,b,c\r\n",
            false
        ));
        assert!(!looks_like_csv(b"hello world\nsecond line\n", false));
        assert!(!looks_like_csv(b"I0202 15:03:28, x, y\nnext\n", false));
        assert!(looks_like_csv(b"Name\nx\n", true));
    }

    #[test]
    fn samples_types_and_tables() {
        let text = b"$table,n,\"T [UTC]\",id\nA,1,\"4/28/2021, 2:32:14.029 PM\",7c759f10-811c-4db8-ad6d-f07d8ae3f8ea\nB,2,,x\n";
        let (fields, tables, _) = sample_columns(text, &|_| None);
        let got: Vec<(&str, Option<DataType>)> =
            fields.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        assert_eq!(
            got,
            [
                ("n", Some(DataType::Long)),
                ("T", Some(DataType::DateTime)),
                ("id", Some(DataType::String))
            ]
        );
        assert_eq!(tables, ["A", "B"]);
    }
}

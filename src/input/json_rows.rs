//! JSON rows: JSON objects whose keys are column names, one per line (Log
//! Analytics rows), gzip-compressed, in a document, or the records of a
//! format bound to a table it has no mapping for (their own keys become
//! columns).
//!
//! A [`RowDecoder`] finds, in one pass over a line, the values of the
//! columns the query reads; each is decoded to its column type only when an
//! expression asks for it ([`JsonRow`]). `JsonRowsDecoder` is the format's
//! decoder; its fast path reads the lines of a mapped chunk with buffers
//! kept from line to line, after the query's prefilter.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

use super::chunk;
use super::read::{
    CONTAINER_KEYS, ChunkAt, Decode, Layout, LazyRow, LinePrefilter, Loc, Out, Scratch,
    document_records, trim_line,
};
use super::read::{ConvLog, Outcome};
use super::text::{DateMode, datetime_text};
use crate::json::Doc;
use crate::json::Row;
use crate::json::{self, JsonError, KeySet, RowSlots};
use crate::schema::Field;
#[cfg(test)]
use crate::schema::Schema;
use crate::types::DataType;
use crate::value::{DateTime, Guid, Str, Timespan, Value};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Decodes the columns `fields` (in this order) from JSON-object lines.
pub struct RowDecoder {
    keys: KeySet,
    /// `keys` indexing, as the scan checks it, each value that is a JSON
    /// string holding an escaped object (`log_s`).
    indexing: KeySet,
    /// Whether a path has been read from such a value that the scan did not
    /// index: from then on the scan indexes them (with `indexing`). Until
    /// then it skips them 64 bytes at a time, which for a query reading no
    /// path from them (a count by Category, `sort | take`) is a third of
    /// the time indexing took. A hint only: both ways read the same values.
    paths_read: AtomicBool,
    types: Vec<DataType>,
    /// Slot of each output column in `keys`.
    slots: Vec<usize>,
    /// Slot of each datetime column's name as the portal's JSON export
    /// writes it, `"TimeGenerated [UTC]"` (`usize::MAX` for the others).
    utc_slots: Vec<usize>,
    /// How each column's locale dates are read.
    dates: Vec<DateMode>,
}

impl RowDecoder {
    pub fn new(fields: &[Field]) -> RowDecoder {
        RowDecoder::with_dates(fields, &super::text::DateModes::default())
    }

    /// A decoder that reads locale dates in the order `dates` gives each
    /// column.
    pub fn with_dates(fields: &[Field], dates: &super::text::DateModes) -> RowDecoder {
        let utc: Vec<String> = fields
            .iter()
            .filter(|f| f.ty == DataType::DateTime)
            .map(|f| format!("{} [UTC]", f.name))
            .collect();
        let mut names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        names.extend(utc.iter().map(String::as_str));
        let keys = KeySet::new(&names);
        let slots = fields
            .iter()
            .map(|f| keys.slot(f.name.as_bytes()).unwrap_or(usize::MAX))
            .collect();
        let utc_slots = fields
            .iter()
            .map(|f| {
                if f.ty == DataType::DateTime {
                    keys.slot(format!("{} [UTC]", f.name).as_bytes())
                        .unwrap_or(usize::MAX)
                } else {
                    usize::MAX
                }
            })
            .collect();
        RowDecoder {
            indexing: keys.clone().index_escaped(),
            paths_read: AtomicBool::new(false),
            keys,
            types: fields.iter().map(|f| f.ty).collect(),
            slots,
            utc_slots,
            dates: fields.iter().map(|f| dates.of(&f.name)).collect(),
        }
    }

    pub fn width(&self) -> usize {
        self.types.len()
    }

    /// Validates `line` and locates the wanted values in it.
    pub fn scan(&self, line: &[u8], slots: &mut RowSlots) -> Result<(), JsonError> {
        if self.paths_read.load(Ordering::Relaxed) {
            self.indexing.scan_row(line, slots)
        } else {
            self.keys.scan_row(line, slots)
        }
    }

    /// Notes that a path was read from an escaped object the scan did not
    /// index, so that later scans index them.
    fn note_path_read(&self) {
        if !self.paths_read.load(Ordering::Relaxed) {
            self.paths_read.store(true, Ordering::Relaxed);
        }
    }

    /// The raw JSON of output column `column` in the scanned `line`, if present.
    pub fn raw<'l>(&self, line: &'l [u8], slots: &RowSlots, column: usize) -> Option<&'l [u8]> {
        let at = |v: &Vec<usize>| {
            v.get(column)
                .filter(|&&s| s != usize::MAX)
                .and_then(|&s| slots.get(line, s))
        };
        at(&self.slots).or_else(|| at(&self.utc_slots))
    }

    /// Output column `column` as a document, when the scan indexed its
    /// value as an escaped object (see [`KeySet::index_escaped`]).
    fn indexed_doc<'l>(&self, line: &'l [u8], slots: &RowSlots, column: usize) -> Option<Doc<'l>> {
        let slot = *self.slots.get(column)?;
        Doc::from_indexed(line, slots, slot)
    }

    /// The value of output column `column` in the scanned `line`.
    pub fn decode(&self, line: &[u8], slots: &RowSlots, column: usize) -> Value {
        self.decode_checked(line, slots, column).0
    }

    /// The value of output column `column` in the scanned `line`, and
    /// whether it converted to the column's type.
    pub(crate) fn decode_checked(
        &self,
        line: &[u8],
        slots: &RowSlots,
        column: usize,
    ) -> (Value, Outcome) {
        let ty = self.types.get(column).copied().unwrap_or(DataType::Dynamic);
        match self.raw(line, slots, column) {
            Some(raw) => {
                let dates = self.dates.get(column).copied().unwrap_or_default();
                decode_checked(raw, ty, dates)
            }
            None => (crate::value::cast::null_of(ty), Outcome::Fine),
        }
    }

    /// The value of output column `column`, a failed conversion noted in `log`.
    fn decode_noting(
        &self,
        line: &[u8],
        slots: &RowSlots,
        column: usize,
        log: &ConvLog,
        at: Loc,
    ) -> Value {
        let ty = self.types.get(column).copied().unwrap_or(DataType::Dynamic);
        let dates = self.dates.get(column).copied().unwrap_or_default();
        let raw = self.raw(line, slots, column);
        decode_noted(raw, ty, dates, Noted { log, column, at })
    }
}

/// Where a failed conversion of a value is noted: the part's log, the
/// value's column in the scanned fields, and its record's place.
#[derive(Clone, Copy)]
pub(crate) struct Noted<'l> {
    pub log: &'l ConvLog,
    pub column: usize,
    pub at: Loc,
}

/// The one path a JSON value takes into a typed column, in every JSON
/// format: JSON rows, and the columns mapped from audit events, diagnostic
/// records and activity logs. Decoded as `ty` (locale dates in `dates`'
/// order); a value that does not convert is null and noted (counted, with
/// its file:line, docs/semantics.md#conversions); an absent value is the
/// type's null.
pub(crate) fn decode_noted(
    raw: Option<&[u8]>,
    ty: DataType,
    dates: DateMode,
    noted: Noted<'_>,
) -> Value {
    match raw {
        Some(raw) => noted
            .log
            .note(noted.column, noted.at, raw, decode_checked(raw, ty, dates)),
        None => crate::value::cast::null_of(ty),
    }
}

/// A raw JSON value as a column of type `ty` holds it. A value of the wrong
/// kind is null (`""` for strings); numbers and booleans written as JSON
/// strings are read from their text, as exports often quote them.
pub fn decode_value(raw: &[u8], ty: DataType) -> Value {
    decode_checked(raw, ty, DateMode::default()).0
}

/// [`decode_value`], and whether the value converted: a value that is not
/// `null` but does not fit the type is null and [`Outcome::Failed`];
/// locale dates (`26/03/2026, 15:18`) are read in `dates`' order.
pub(crate) fn decode_checked(raw: &[u8], ty: DataType, dates: DateMode) -> (Value, Outcome) {
    let text = || json::string_text(raw);
    let value = match ty {
        DataType::String => {
            return (
                json::decode_string(raw).map_or_else(Value::empty_string, Value::String),
                Outcome::Fine,
            );
        }
        DataType::Dynamic => return (decode_dynamic_column(raw), Outcome::Fine),
        DataType::Long => json::decode_long(raw)
            .or_else(|| text().and_then(|t| crate::value::number::parse_long(&t)))
            .map(Value::Long),
        DataType::Int => json::decode_int(raw)
            .or_else(|| {
                text()
                    .and_then(|t| crate::value::number::parse_long(&t))
                    .and_then(|i| i32::try_from(i).ok())
            })
            .map(Value::Int),
        DataType::Real => json::decode_real(raw)
            .or_else(|| text().and_then(|t| crate::value::number::parse_real(&t)))
            .map(Value::Real),
        DataType::Decimal => json::decode_real(raw)
            .and_then(crate::value::number::real_to_decimal)
            .or_else(|| text().and_then(|t| crate::value::number::parse_decimal(&t)))
            .map(Value::Decimal),
        DataType::Bool => json::decode_bool(raw)
            .or_else(|| {
                text().and_then(|t| match t.trim() {
                    s if s.eq_ignore_ascii_case("true") => Some(true),
                    s if s.eq_ignore_ascii_case("false") => Some(false),
                    _ => None,
                })
            })
            .map(Value::Bool),
        DataType::DateTime => match text() {
            Some(t) if !t.trim().is_empty() => return datetime_text(t.trim(), dates),
            _ => None,
        },
        DataType::Timespan => text()
            .and_then(|t| Timespan::parse(&t))
            .map(Value::Timespan),
        DataType::Guid => text().and_then(|t| Guid::parse(&t)).map(Value::Guid),
    };
    match value {
        Some(v) => (v, Outcome::Fine),
        // `null`, and the empty string exports write for a missing value,
        // hold nothing to convert.
        None if is_empty_json(raw) => (Value::Null, Outcome::Fine),
        None => (Value::Null, Outcome::Failed),
    }
}

/// `null`, `""` or a string of blanks.
fn is_empty_json(raw: &[u8]) -> bool {
    raw == b"null" || json::string_text(raw).is_some_and(|t| t.trim().is_empty())
}

/// A dynamic column: the JSON value; a JSON string that holds a JSON object
/// or array (as exports write dynamic cells) is that object or array.
fn decode_dynamic_column(raw: &[u8]) -> Value {
    match json::decode_dynamic(raw) {
        Value::String(s) if looks_like_container(&s) => match json::parse_value(&s) {
            Ok(v @ (Value::Array(_) | Value::Bag(_))) => v,
            _ => Value::String(s),
        },
        v => v,
    }
}

fn looks_like_container(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with('{') || t.starts_with('[')
}

/// One scanned line whose columns are decoded on first use. `'x` is the
/// lifetime of the input bytes (documents may borrow them); `'r` of the
/// per-chunk buffers, reset before each line.
pub struct JsonRow<'r, 'x> {
    pub decoder: &'r Arc<RowDecoder>,
    pub line: &'x [u8],
    pub slots: &'r RowSlots,
    pub cache: &'r [OnceCell<Value>],
    pub docs: &'r [OnceCell<Doc<'x>>],
    /// The columns whose cache or doc this row filled, so that the next
    /// line clears only them (a line of a table of 40,000 columns costs
    /// its own columns, not 40,000).
    pub filled: &'r Filled,
    /// Where failed conversions are noted, and where this row is.
    pub(crate) log: &'r ConvLog,
    pub(crate) at: Loc,
}

/// The columns a row filled in its caches (see [`JsonRow::filled`]).
#[derive(Default)]
pub struct Filled {
    columns: std::cell::RefCell<Vec<usize>>,
    /// Set when a column could not be listed: every cache is cleared.
    all: std::cell::Cell<bool>,
    /// The buffer of a document decoded from an escaped string, taken back
    /// when the row is cleared and reused by the next row's document (an
    /// event of a few KiB each row, otherwise allocated and freed).
    spare: std::cell::Cell<Vec<u8>>,
}

impl Filled {
    fn note(&self, index: usize) {
        match self.columns.try_borrow_mut() {
            Ok(mut columns) => columns.push(index),
            Err(_) => self.all.set(true),
        }
    }

    /// Clears the cache entries filled since the last call, keeping a
    /// decoded document's buffer for the next row.
    fn clear<A>(&mut self, cache: &mut [OnceCell<A>], docs: &mut [OnceCell<Doc<'_>>]) {
        let spare = self.spare.get_mut();
        let mut recycle = |d: Option<Doc<'_>>| {
            if let Some(Cow::Owned(buf)) = d.map(Doc::into_text)
                && buf.capacity() > spare.capacity()
            {
                *spare = buf;
            }
        };
        if self.all.replace(false) {
            cache.iter_mut().for_each(|c| drop(c.take()));
            docs.iter_mut().for_each(|d| recycle(d.take()));
            self.columns.get_mut().clear();
            return;
        }
        for i in self.columns.get_mut().drain(..) {
            if let Some(c) = cache.get_mut(i) {
                c.take();
            }
            if let Some(d) = docs.get_mut(i) {
                recycle(d.take());
            }
        }
    }
}

impl Row for JsonRow<'_, '_> {
    fn column(&self, index: usize) -> Value {
        match self.cache.get(index) {
            Some(cell) => cell
                .get_or_init(|| {
                    self.filled.note(index);
                    self.decoder
                        .decode_noting(self.line, self.slots, index, self.log, self.at)
                })
                .clone(),
            None => Value::Null,
        }
    }

    /// The column's text as JSON: a JSON string's decoded text (borrowed
    /// from the line when it has no escapes), or the raw object or array
    /// itself; checked once per row however many paths read it.
    fn json_doc(&self, index: usize) -> Option<&Doc<'_>> {
        let cell = self.docs.get(index)?;
        Some(cell.get_or_init(|| {
            self.filled.note(index);
            // An event escaped in a string was indexed by the row scan, in
            // the walk that checked it, once a path has been read from one.
            if let Some(doc) = self.decoder.indexed_doc(self.line, self.slots, index) {
                return doc;
            }
            let raw = self.decoder.raw(self.line, self.slots, index);
            // Otherwise it is read where it lies when it can be (one pass,
            // no unescaped copy).
            if let Some(doc) = raw.and_then(Doc::from_escaped) {
                self.decoder.note_path_read();
                return doc;
            }
            let text: Cow<'_, [u8]> = match raw {
                None => Cow::Borrowed(&[]),
                Some(raw) if raw.first() == Some(&b'"') => {
                    match json::string_bytes(raw, self.filled.spare.take()) {
                        Ok(text) => text,
                        Err(buf) => {
                            self.filled.spare.set(buf);
                            Cow::Borrowed(&[])
                        }
                    }
                }
                Some(raw) if raw == b"null" => Cow::Borrowed(&[]),
                Some(raw) => Cow::Borrowed(raw),
            };
            Doc::new(text)
        }))
    }
}

impl LazyRow for JsonRow<'_, '_> {
    fn width(&self) -> usize {
        self.decoder.width()
    }

    fn line(&self) -> Option<&[u8]> {
        Some(self.line)
    }

    fn line_decoder(&self) -> Option<(&[u8], &Arc<RowDecoder>)> {
        Some((self.line, self.decoder))
    }
}

/// The decoder of JSON rows.
pub(crate) struct JsonRowsDecoder {
    /// Shared with the rows it decodes (see [`LazyRow::line_decoder`]).
    decoder: Arc<RowDecoder>,
    layout: Layout,
    /// Rejects lines of a mapped chunk before they are read as JSON.
    filter: Option<Arc<dyn LinePrefilter>>,
}

impl JsonRowsDecoder {
    pub fn new(
        fields: &[Field],
        dates: &super::text::DateModes,
        layout: Layout,
        filter: Option<Arc<dyn LinePrefilter>>,
    ) -> JsonRowsDecoder {
        JsonRowsDecoder {
            decoder: Arc::new(RowDecoder::with_dates(fields, dates)),
            layout,
            filter,
        }
    }
}

impl Decode for JsonRowsDecoder {
    fn line(&self, line: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        if let Err(e) = self.decoder.scan(line, &mut scratch.slots) {
            out.bad(at, e.to_string());
            return;
        }
        let width = self.decoder.width();
        let cache: Vec<OnceCell<Value>> = (0..width).map(|_| OnceCell::new()).collect();
        let docs: Vec<OnceCell<Doc<'_>>> = (0..width).map(|_| OnceCell::new()).collect();
        let log = out.conv.clone();
        out.row(&JsonRow {
            decoder: &self.decoder,
            line,
            slots: &scratch.slots,
            cache: &cache,
            docs: &docs,
            filled: &Filled::default(),
            log: &log,
            at,
        });
    }

    /// The fast path: the column caches live as long as the chunk, and
    /// lines the prefilter rejects are not read as JSON.
    ///
    /// Each line is found, then searched, here, rather than the needle
    /// searched across the whole chunk: a rejected line must still be
    /// looked at for its shape (and for `\u`), so a chunk-wide search
    /// still has to find every line end, and measured (issue 14, 1 GiB of
    /// activity rows, one thread) it took the same CPU as this loop (0.29
    /// s against 0.29 s; the line ends alone 0.23 s, first touch of the
    /// mapped pages included). Populating the chunk's pages in one call
    /// (`MADV_POPULATE_READ`) cut the page faults tenfold but not the CPU.
    /// See docs/perf/2026-12-07-lines6-line-overhead.md.
    fn lines(&self, chunk: &[u8], at: ChunkAt, out: &mut Out) {
        let decoder = &self.decoder;
        let log = out.conv.clone();
        let mut slots = RowSlots::new();
        let mut cache: Vec<OnceCell<Value>> =
            (0..decoder.width()).map(|_| OnceCell::new()).collect();
        let mut docs: Vec<OnceCell<Doc<'_>>> =
            (0..decoder.width()).map(|_| OnceCell::new()).collect();
        let mut filled = Filled::default();
        for (i, (offset, raw_line)) in chunk::lines(chunk).enumerate() {
            let Some(line) = trim_line(raw_line) else {
                continue;
            };
            if let Some(filter) = &self.filter
                && !filter.may_match(line)
            {
                // Not read as JSON, but a line that is plainly not an
                // object is still reported.
                if !(line.starts_with(b"{") && line.ends_with(b"}")) {
                    out.bad(at.locate(offset, i), "not a JSON object");
                }
                continue;
            }
            if let Err(e) = decoder.scan(line, &mut slots) {
                out.bad(at.locate(offset, i), e.to_string());
                continue;
            }
            filled.clear(&mut cache, &mut docs);
            out.row(&JsonRow {
                decoder,
                line,
                slots: &slots,
                cache: &cache,
                docs: &docs,
                filled: &filled,
                log: &log,
                at: at.locate(offset, i),
            });
            if out.stopped() {
                break;
            }
        }
    }

    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        let mut scratch = Scratch::default();
        document_records(text, CONTAINER_KEYS, locate, out, &mut |record, at, out| {
            self.line(record, at, &mut scratch, out)
        });
    }

    fn layout(&self) -> Layout {
        self.layout
    }
}

/// Columns found in sample lines, in order of first appearance, with the
/// type their values suggest (docs/semantics.md#json-column-order for the order).
#[cfg(test)]
pub fn infer_columns<'a>(lines: impl Iterator<Item = &'a [u8]>, known: &Schema) -> Vec<Field> {
    let mut found: Vec<(String, Option<DataType>)> = Vec::new();
    // Hash lookups keep a line of many thousands of keys linear.
    let known: std::collections::HashSet<&str> = known.names().collect();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for line in lines {
        let Ok(members) = json::top_level_members(line) else {
            continue;
        };
        for (key, raw) in members {
            if known.contains(key.as_ref()) {
                continue;
            }
            let kind = value_type(raw);
            match index.get(key.as_ref()).and_then(|&i| found.get_mut(i)) {
                Some((_, ty)) => *ty = merge_types(*ty, kind),
                None => {
                    index.insert(key.to_string(), found.len());
                    found.push((key.into_owned(), kind));
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(name, ty)| Field::new(name, ty.unwrap_or(DataType::Dynamic)))
        .collect()
}

/// The type a sample value suggests; `None` for null (no evidence).
pub(crate) fn value_type(raw: &[u8]) -> Option<DataType> {
    match raw.first()? {
        b'"' => {
            let text = json::string_text(raw)?;
            Some(if looks_like_timestamp(&text) {
                DataType::DateTime
            } else {
                DataType::String
            })
        }
        b't' | b'f' => Some(DataType::Bool),
        b'n' => None,
        b'{' | b'[' => Some(DataType::Dynamic),
        _ => Some(
            if json::decode_long(raw).is_some()
                && !raw.iter().any(|b| matches!(b, b'.' | b'e' | b'E'))
            {
                DataType::Long
            } else {
                DataType::Real
            },
        ),
    }
}

/// ISO 8601 date-times as exports write them (`2024-11-04T00:00:01.5Z`):
/// only this strict shape makes a column datetime, so free text that
/// happens to parse stays a string.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    b.len() >= 19
        && b.iter().take(4).all(u8::is_ascii_digit)
        && at(4) == b'-'
        && at(7) == b'-'
        && (at(10) == b'T' || at(10) == b' ')
        && at(13) == b':'
        && DateTime::parse(s).is_some()
}

pub(crate) fn merge_types(a: Option<DataType>, b: Option<DataType>) -> Option<DataType> {
    match (a, b) {
        (None, t) | (t, None) => t,
        (Some(x), Some(y)) if x == y => Some(x),
        (Some(DataType::Long), Some(DataType::Real))
        | (Some(DataType::Real), Some(DataType::Long)) => Some(DataType::Real),
        (Some(DataType::DateTime), Some(DataType::String))
        | (Some(DataType::String), Some(DataType::DateTime)) => Some(DataType::String),
        _ => Some(DataType::Dynamic),
    }
}

/// A string column value from raw text (shared by other row formats).
pub fn string(s: &str) -> Value {
    Value::String(Str::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_only_what_is_asked_with_column_types() {
        let fields = vec![
            Field::new("Category", DataType::String),
            Field::new("TimeGenerated", DataType::DateTime),
            Field::new("Missing", DataType::String),
            Field::new("n", DataType::Long),
        ];
        let decoder = RowDecoder::new(&fields);
        let line = br#"{"n":"42","Category":"kube-audit","TimeGenerated":"2024-11-04T00:00:01.123456789Z","x":[1,2]}"#;
        let mut slots = RowSlots::new();
        decoder.scan(line, &mut slots).unwrap();
        assert_eq!(decoder.decode(line, &slots, 0), Value::string("kube-audit"));
        assert_eq!(
            decoder.decode(line, &slots, 1).to_string_for_test(),
            "2024-11-04T00:00:01.1234567Z"
        );
        assert_eq!(decoder.decode(line, &slots, 2), Value::string(""));
        assert_eq!(decoder.decode(line, &slots, 3), Value::Long(42));
    }

    #[test]
    fn infers_types_and_order_of_first_appearance() {
        let lines: Vec<&[u8]> = vec![
            br#"{"a":1,"t":"2024-01-01T00:00:00Z","s":"x"}"#,
            br#"{"b":{"k":1},"a":2.5,"s":null}"#,
        ];
        let fields = infer_columns(lines.into_iter(), &Schema::default());
        let got: Vec<(&str, DataType)> = fields.iter().map(|f| (f.name.as_str(), f.ty)).collect();
        assert_eq!(
            got,
            [
                ("a", DataType::Real),
                ("t", DataType::DateTime),
                ("s", DataType::String),
                ("b", DataType::Dynamic)
            ]
        );
    }

    trait ForTest {
        fn to_string_for_test(&self) -> String;
    }
    impl ForTest for Value {
        fn to_string_for_test(&self) -> String {
            crate::value::string_form::to_kusto_string(self)
        }
    }
}

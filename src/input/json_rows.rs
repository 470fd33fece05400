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
    CONTAINER_KEYS, Decode, Layout, LazyRow, LinePrefilter, Loc, Out, Scratch, document_records,
    trim_line,
};
use crate::json::Doc;
use crate::json::Row;
use crate::json::{self, JsonError, KeySet, RowSlots};
use crate::schema::{Field, Schema};
use crate::types::DataType;
use crate::value::{DateTime, Guid, Str, Timespan, Value};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::Arc;

/// Decodes the columns `fields` (in this order) from JSON-object lines.
pub struct RowDecoder {
    keys: KeySet,
    types: Vec<DataType>,
    /// Slot of each output column in `keys`.
    slots: Vec<usize>,
}

impl RowDecoder {
    pub fn new(fields: &[Field]) -> RowDecoder {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let keys = KeySet::new(&names);
        let slots = names
            .iter()
            .map(|n| keys.slot(n.as_bytes()).unwrap_or(usize::MAX))
            .collect();
        RowDecoder {
            keys,
            types: fields.iter().map(|f| f.ty).collect(),
            slots,
        }
    }

    pub fn width(&self) -> usize {
        self.types.len()
    }

    /// Validates `line` and locates the wanted values in it.
    pub fn scan(&self, line: &[u8], slots: &mut RowSlots) -> Result<(), JsonError> {
        self.keys.scan_row(line, slots)
    }

    /// The raw JSON of output column `column` in the scanned `line`, if present.
    pub fn raw<'l>(&self, line: &'l [u8], slots: &RowSlots, column: usize) -> Option<&'l [u8]> {
        self.slots.get(column).and_then(|&s| slots.get(line, s))
    }

    /// The value of output column `column` in the scanned `line`.
    pub fn decode(&self, line: &[u8], slots: &RowSlots, column: usize) -> Value {
        let ty = self.types.get(column).copied().unwrap_or(DataType::Dynamic);
        let raw = self.slots.get(column).and_then(|&s| slots.get(line, s));
        match raw {
            Some(raw) => decode_value(raw, ty),
            None => crate::value::cast::null_of(ty),
        }
    }
}

/// A raw JSON value as a column of type `ty` holds it. A value of the wrong
/// kind is null (`""` for strings); numbers and booleans written as JSON
/// strings are read from their text, as exports often quote them.
pub fn decode_value(raw: &[u8], ty: DataType) -> Value {
    let text = || json::string_text(raw);
    match ty {
        DataType::String => {
            json::decode_string(raw).map_or_else(Value::empty_string, Value::String)
        }
        DataType::Dynamic => decode_dynamic_column(raw),
        DataType::Long => json::decode_long(raw)
            .or_else(|| text().and_then(|t| crate::value::number::parse_long(&t)))
            .map_or(Value::Null, Value::Long),
        DataType::Int => json::decode_int(raw)
            .or_else(|| {
                text()
                    .and_then(|t| crate::value::number::parse_long(&t))
                    .and_then(|i| i32::try_from(i).ok())
            })
            .map_or(Value::Null, Value::Int),
        DataType::Real | DataType::Decimal => json::decode_real(raw)
            .or_else(|| text().and_then(|t| crate::value::number::parse_real(&t)))
            .map_or(Value::Null, Value::Real),
        DataType::Bool => json::decode_bool(raw)
            .or_else(|| {
                text().and_then(|t| match t.trim() {
                    s if s.eq_ignore_ascii_case("true") => Some(true),
                    s if s.eq_ignore_ascii_case("false") => Some(false),
                    _ => None,
                })
            })
            .map_or(Value::Null, Value::Bool),
        DataType::DateTime => text()
            .and_then(|t| DateTime::parse(&t))
            .map_or(Value::Null, Value::DateTime),
        DataType::Timespan => text()
            .and_then(|t| Timespan::parse(&t))
            .map_or(Value::Null, Value::Timespan),
        DataType::Guid => text()
            .and_then(|t| Guid::parse(&t))
            .map_or(Value::Null, Value::Guid),
    }
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
    pub decoder: &'r RowDecoder,
    pub line: &'x [u8],
    pub slots: &'r RowSlots,
    pub cache: &'r [OnceCell<Value>],
    pub docs: &'r [OnceCell<Doc<'x>>],
}

impl Row for JsonRow<'_, '_> {
    fn column(&self, index: usize) -> Value {
        match self.cache.get(index) {
            Some(cell) => cell
                .get_or_init(|| self.decoder.decode(self.line, self.slots, index))
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
            let raw = self.decoder.raw(self.line, self.slots, index);
            let text: Cow<'_, [u8]> = match raw {
                None => Cow::Borrowed(&[]),
                Some(raw) if raw.first() == Some(&b'"') => match json::string_text(raw) {
                    Some(Cow::Borrowed(t)) => Cow::Borrowed(t.as_bytes()),
                    Some(Cow::Owned(t)) => Cow::Owned(t.into_bytes()),
                    None => Cow::Borrowed(&[]),
                },
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
}

/// The decoder of JSON rows.
pub(crate) struct JsonRowsDecoder {
    decoder: RowDecoder,
    layout: Layout,
    /// Rejects lines of a mapped chunk before they are read as JSON.
    filter: Option<Arc<dyn LinePrefilter>>,
}

impl JsonRowsDecoder {
    pub fn new(
        fields: &[Field],
        layout: Layout,
        filter: Option<Arc<dyn LinePrefilter>>,
    ) -> JsonRowsDecoder {
        JsonRowsDecoder {
            decoder: RowDecoder::new(fields),
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
        out.row(&JsonRow {
            decoder: &self.decoder,
            line,
            slots: &scratch.slots,
            cache: &cache,
            docs: &docs,
        });
    }

    /// The fast path: the column caches live as long as the chunk, and
    /// lines the prefilter rejects are not read as JSON.
    fn lines(&self, chunk: &[u8], base: usize, out: &mut Out) {
        let decoder = &self.decoder;
        let mut slots = RowSlots::new();
        let mut cache: Vec<OnceCell<Value>> =
            (0..decoder.width()).map(|_| OnceCell::new()).collect();
        let mut docs: Vec<OnceCell<Doc<'_>>> =
            (0..decoder.width()).map(|_| OnceCell::new()).collect();
        for (offset, raw_line) in chunk::lines(chunk) {
            let Some(line) = trim_line(raw_line) else {
                continue;
            };
            if let Some(filter) = &self.filter
                && !filter.may_match(line)
            {
                // Not read as JSON, but a line that is plainly not an
                // object is still reported.
                if !(line.starts_with(b"{") && line.ends_with(b"}")) {
                    out.bad(Loc::Offset(base + offset), "not a JSON object");
                }
                continue;
            }
            if let Err(e) = decoder.scan(line, &mut slots) {
                out.bad(Loc::Offset(base + offset), e.to_string());
                continue;
            }
            for c in cache.iter_mut() {
                c.take();
            }
            for d in docs.iter_mut() {
                d.take();
            }
            out.row(&JsonRow {
                decoder,
                line,
                slots: &slots,
                cache: &cache,
                docs: &docs,
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
pub fn infer_columns<'a>(lines: impl Iterator<Item = &'a [u8]>, known: &Schema) -> Vec<Field> {
    let mut found: Vec<(String, Option<DataType>)> = Vec::new();
    for line in lines {
        let Ok(members) = json::top_level_members(line) else {
            continue;
        };
        for (key, raw) in members {
            if known.index_of(&key).is_some() {
                continue;
            }
            let kind = value_type(raw);
            match found.iter_mut().find(|(k, _)| *k == key) {
                Some((_, ty)) => *ty = merge_types(*ty, kind),
                None => found.push((key.into_owned(), kind)),
            }
        }
    }
    found
        .into_iter()
        .map(|(name, ty)| Field::new(name, ty.unwrap_or(DataType::Dynamic)))
        .collect()
}

/// The type a sample value suggests; `None` for null (no evidence).
fn value_type(raw: &[u8]) -> Option<DataType> {
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

fn merge_types(a: Option<DataType>, b: Option<DataType>) -> Option<DataType> {
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

//! `az monitor log-analytics query` JSON output (FORMATS.md §(d)): an array
//! with one object per row, keys `TableName` then the columns, and every
//! value passed through Python's `str()` — numbers as `"42"`, null as
//! `"None"`, booleans `"True"`/`"False"`, dynamic values as the JSON text the
//! API sent. The column types are lost, so they come back from the bound
//! table's built-in schema, or are inferred carefully from the values
//! (`text::infer_type`). Any array of row objects reads the same
//! way (values that are real JSON numbers, booleans or objects are taken as
//! they are).

use super::read::document_records;
use super::read::{Decode, Layout, Loc, Out, Scratch};
use super::text::{DateMode, DateModes, Dialect, text_value_checked};
use crate::input::json_rows::decode_checked;
use crate::json::{self, KeySet};
use crate::schema::Field;
use crate::types::DataType;
use crate::value::Value;

/// The key the CLI adds to every row object.
pub(crate) const TABLE_NAME_KEY: &str = "TableName";

pub(crate) struct AzQueryDecoder {
    fields: Vec<Field>,
    dates: Vec<DateMode>,
    keys: KeySet,
    /// The slot of each datetime column's `"Name [UTC]"` key (the
    /// portal's JSON export), if any.
    utc: Vec<Option<usize>>,
}

impl AzQueryDecoder {
    pub fn new(fields: &[Field], dates: &DateModes) -> AzQueryDecoder {
        let utc: Vec<String> = fields.iter().map(|f| format!("{} [UTC]", f.name)).collect();
        let mut names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        names.extend(
            fields
                .iter()
                .zip(&utc)
                .filter(|(f, _)| f.ty == DataType::DateTime)
                .map(|(_, u)| u.as_str()),
        );
        let keys = KeySet::new(&names);
        AzQueryDecoder {
            utc: fields
                .iter()
                .zip(&utc)
                .map(|(f, u)| {
                    (f.ty == DataType::DateTime)
                        .then(|| keys.slot(u.as_bytes()))
                        .flatten()
                })
                .collect(),
            fields: fields.to_vec(),
            dates: fields.iter().map(|f| dates.of(&f.name)).collect(),
            keys,
        }
    }
}

impl Decode for AzQueryDecoder {
    fn line(&self, line: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        if let Err(e) = self.keys.scan_row(line, &mut scratch.slots) {
            out.bad(at, format!("not a row object: {e}"));
            return;
        }
        let slots = &scratch.slots;
        let log = out.conv.clone();
        out.row_with(self.fields.len(), &|i| {
            let Some(f) = self.fields.get(i) else {
                return Value::Null;
            };
            let dates = self.dates.get(i).copied().unwrap_or_default();
            let raw = slots.get(line, i).or_else(|| {
                self.utc
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|s| slots.get(line, s))
            });
            match raw {
                Some(raw) if raw.first() == Some(&b'"') => match json::string_text(raw) {
                    Some(text) => log.note(
                        i,
                        at,
                        raw,
                        text_value_checked(&text, f.ty, Dialect::Python, dates),
                    ),
                    None => crate::value::cast::null_of(f.ty),
                },
                Some(raw) => log.note(i, at, raw, decode_checked(raw, f.ty, dates)),
                None => crate::value::cast::null_of(f.ty),
            }
        });
    }

    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        let mut scratch = Scratch::default();
        document_records(text, &["value"], locate, out, &mut |row, at, out| {
            self.line(row, at, &mut scratch, out)
        });
    }

    fn layout(&self) -> Layout {
        Layout::Document
    }
}

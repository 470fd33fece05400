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
use super::text::{Dialect, text_value};
use crate::input::json_rows::decode_value;
use crate::json::{self, KeySet};
use crate::schema::Field;
use crate::value::Value;

/// The key the CLI adds to every row object.
pub(crate) const TABLE_NAME_KEY: &str = "TableName";

pub(crate) struct AzQueryDecoder {
    fields: Vec<Field>,
    keys: KeySet,
}

impl AzQueryDecoder {
    pub fn new(fields: &[Field]) -> AzQueryDecoder {
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        AzQueryDecoder {
            fields: fields.to_vec(),
            keys: KeySet::new(&names),
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
        out.row_with(self.fields.len(), &|i| {
            let Some(f) = self.fields.get(i) else {
                return Value::Null;
            };
            match slots.get(line, i) {
                Some(raw) if raw.first() == Some(&b'"') => match json::string_text(raw) {
                    Some(text) => text_value(&text, f.ty, Dialect::Python),
                    None => crate::value::cast::null_of(f.ty),
                },
                Some(raw) => decode_value(raw, f.ty),
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

//! JSON objects whose keys are column names, where the executor's own path
//! cannot read them: gzip-compressed JSON lines, and the records of a
//! format bound to a table it has no mapping for (their own keys become
//! columns).

use super::read::{Decode, Layout, Loc, Out, Scratch, json_values};
use crate::exec::source::jsonl::{LazyRow, RowDecoder};
use crate::json::Scanner;
use crate::schema::Field;
use std::cell::OnceCell;

pub(crate) struct RowsDecoder {
    decoder: RowDecoder,
    layout: Layout,
}

impl RowsDecoder {
    pub fn new(fields: &[Field], layout: Layout) -> RowsDecoder {
        RowsDecoder {
            decoder: RowDecoder::new(fields),
            layout,
        }
    }
}

impl Decode for RowsDecoder {
    fn line(&self, line: &[u8], at: Loc, scratch: &mut Scratch, out: &mut Out) {
        if let Err(e) = self.decoder.scan(line, &mut scratch.slots) {
            out.bad(at, e.to_string());
            return;
        }
        let cache: Vec<OnceCell<crate::value::Value>> =
            (0..self.decoder.width()).map(|_| OnceCell::new()).collect();
        let docs: Vec<OnceCell<_>> = (0..self.decoder.width()).map(|_| OnceCell::new()).collect();
        let row = LazyRow {
            decoder: &self.decoder,
            line,
            slots: &scratch.slots,
            cache: &cache,
            docs: &docs,
        };
        out.row_with(self.decoder.width(), &|i| {
            use crate::json::Row;
            row.column(i)
        });
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

/// The member names of objects that hold records: `records` (Event Hub
/// body), `items` (Kubernetes `EventList`), `value` (ARM list).
pub(crate) const CONTAINER_KEYS: &[&str] = &["records", "items", "value"];

/// The records of a JSON document, each handed to `each`: the elements of
/// a top-level array, or of an object's array member named in `keys`, or
/// else each top-level value itself. Documents may follow one another
/// (one Event Hub body per line, or several pretty-printed ones).
pub(crate) fn document_records(
    text: &[u8],
    keys: &[&str],
    locate: &dyn Fn(usize) -> Loc,
    out: &mut Out,
    each: &mut dyn FnMut(&[u8], Loc, &mut Out),
) {
    json_values(text, locate, out, &mut |value, at, out| {
        // `value` is a slice of `text`: its offset locates its records.
        let base = value.as_ptr() as usize - text.as_ptr() as usize;
        match container_elements(value, keys) {
            Ok(Some(elements)) => {
                for (offset, element) in elements {
                    each(element, locate(base + offset), out);
                    if out.stopped() {
                        return;
                    }
                }
            }
            Ok(None) => each(value, at, out),
            Err(e) => out.bad(at, format!("not JSON: {e}")),
        }
    });
}

/// The elements (with their offsets in `value`) of `value` when it is an
/// array, or an object holding an array member named in `keys`; `None`
/// for any other value.
#[allow(clippy::type_complexity)]
pub(crate) fn container_elements<'a>(
    value: &'a [u8],
    keys: &[&str],
) -> Result<Option<Vec<(usize, &'a [u8])>>, crate::json::JsonError> {
    let mut s = Scanner::new(value);
    match s.peek() {
        Some(b'[') => Ok(Some(array_elements(&mut s)?)),
        Some(b'{') => {
            let mut seq = s.begin_object()?;
            let mut found = None;
            while let Some(key) = s.next_key(&mut seq)? {
                if keys.contains(&&*key) && s.peek() == Some(b'[') {
                    found = Some(array_elements(&mut s)?);
                } else {
                    s.skip_value()?;
                }
            }
            Ok(found)
        }
        _ => Ok(None),
    }
}

fn array_elements<'a>(
    s: &mut Scanner<'a>,
) -> Result<Vec<(usize, &'a [u8])>, crate::json::JsonError> {
    let mut seq = s.begin_array()?;
    let mut elements = Vec::new();
    while s.next_element(&mut seq)? {
        s.skip_ws();
        let start = s.pos();
        let bytes = s.value_bytes(crate::json::MAX_SKIP_DEPTH)?;
        elements.push((start, bytes));
    }
    Ok(elements)
}

//! The Log Analytics query API's JSON response (FORMATS.md §(d);
//! <https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format>):
//! `{"tables":[{"name","columns":[{"name","type"}],"rows":[[…]]}]}`.
//!
//! The first table is read unless another is named (`query-api:NAME`, or a
//! response table named like the table it is bound to). Columns keep their
//! declared types, unless the bound table's built-in schema says otherwise;
//! cells are decoded to the column type, so a `dynamic` cell that arrives
//! as JSON text inside a JSON string is still an object, and datetimes with
//! seven fractional digits keep them.

use super::read::{Decode, Layout, Loc, Out};
use crate::input::json_rows::decode_checked;
use crate::json::{self, JsonError, KeySet, RowSlots, Scanner};
use crate::schema::Field;
use crate::types::DataType;
use crate::value::Value;

/// A response table, located in the text.
pub(crate) struct ApiTable<'a> {
    pub name: String,
    pub columns: Vec<Field>,
    /// The raw `rows` array, and its offset in the text.
    pub rows: Option<(&'a [u8], usize)>,
}

/// The tables of a response: their names, columns, and where their rows
/// are. `text` may be cut short (a sample): tables cut off are left out.
pub(crate) fn tables(text: &[u8]) -> Result<Vec<ApiTable<'_>>, JsonError> {
    let mut s = Scanner::new(text);
    let mut seq = s.begin_object()?;
    let mut out = Vec::new();
    while let Some(key) = s.next_key(&mut seq)? {
        if key != "tables" {
            s.skip_value()?;
            continue;
        }
        let mut tables = s.begin_array()?;
        while s.next_element(&mut tables)? {
            s.skip_ws();
            let start = s.pos();
            let raw = match s.value_bytes(json::MAX_SKIP_DEPTH) {
                Ok(raw) => raw,
                Err(e) if out.is_empty() => {
                    // A sample cut inside the first table: read its head.
                    return head_of_table(&text[start..], start)
                        .map(|t| vec![t])
                        .or(Err(e));
                }
                Err(_) => return Ok(out),
            };
            out.push(table(raw, start)?);
        }
    }
    Ok(out)
}

fn table(raw: &[u8], offset: usize) -> Result<ApiTable<'_>, JsonError> {
    let keys = KeySet::new(&["name", "columns", "rows"]);
    let mut slots = RowSlots::new();
    keys.scan_row(raw, &mut slots)?;
    let name = slots
        .get(raw, 0)
        .and_then(json::string_text)
        .map(|n| n.into_owned())
        .unwrap_or_default();
    let columns = match slots.get(raw, 1) {
        Some(c) => columns(c)?,
        None => Vec::new(),
    };
    let rows = slots.get(raw, 2).map(|r| {
        let at = offset + (r.as_ptr() as usize - raw.as_ptr() as usize);
        (r, at)
    });
    Ok(ApiTable {
        name,
        columns,
        rows,
    })
}

/// The name and columns of a table whose rows are cut off.
fn head_of_table(raw: &[u8], _offset: usize) -> Result<ApiTable<'_>, JsonError> {
    let mut s = Scanner::new(raw);
    let mut seq = s.begin_object()?;
    let mut name = String::new();
    let mut cols = Vec::new();
    while let Ok(Some(key)) = s.next_key(&mut seq) {
        match &*key {
            "name" => name = s.read_string()?.into_owned(),
            "columns" => cols = columns(s.value_bytes(json::MAX_SKIP_DEPTH)?)?,
            _ => break,
        }
    }
    Ok(ApiTable {
        name,
        columns: cols,
        rows: None,
    })
}

fn columns(raw: &[u8]) -> Result<Vec<Field>, JsonError> {
    let keys = KeySet::new(&["name", "type", "ColumnName", "DataType"]);
    let mut slots = RowSlots::new();
    let mut s = Scanner::new(raw);
    let mut seq = s.begin_array()?;
    let mut out = Vec::new();
    while s.next_element(&mut seq)? {
        let col = s.value_bytes(json::MAX_SKIP_DEPTH)?;
        keys.scan_row(col, &mut slots)?;
        let text = |slot| slots.get(col, slot).and_then(json::string_text);
        let name = text(0).or_else(|| text(2)).unwrap_or_default();
        let ty = text(1)
            .or_else(|| text(3))
            .and_then(|t| api_type(&t))
            .unwrap_or(DataType::Dynamic);
        out.push(Field::new(name.into_owned(), ty));
    }
    Ok(out)
}

/// A column type as the API writes it (`string`, `datetime`…; older
/// responses use .NET names such as `System.String`).
fn api_type(name: &str) -> Option<DataType> {
    let n = name.strip_prefix("System.").unwrap_or(name);
    DataType::from_name(&n.to_ascii_lowercase()).or(match n {
        "String" => Some(DataType::String),
        "DateTime" => Some(DataType::DateTime),
        "Int32" => Some(DataType::Int),
        "Int64" => Some(DataType::Long),
        "Double" | "Single" => Some(DataType::Real),
        "Boolean" | "SByte" => Some(DataType::Bool),
        "Guid" => Some(DataType::Guid),
        "TimeSpan" => Some(DataType::Timespan),
        "Object" => Some(DataType::Dynamic),
        "Decimal" | "Data.SqlTypes.SqlDecimal" => Some(DataType::Decimal),
        _ => None,
    })
}

/// Which response table to read: the one named `select`, else the first.
pub(crate) fn choose<'t, 'a>(
    tables: &'t [ApiTable<'a>],
    select: Option<&str>,
) -> Option<&'t ApiTable<'a>> {
    match select {
        Some(name) => tables.iter().find(|t| t.name == name),
        None => tables.first(),
    }
}

pub(crate) struct QueryApiDecoder {
    fields: Vec<Field>,
    select: Option<String>,
}

impl QueryApiDecoder {
    pub fn new(fields: &[Field], select: Option<String>) -> QueryApiDecoder {
        QueryApiDecoder {
            fields: fields.to_vec(),
            select,
        }
    }
}

impl Decode for QueryApiDecoder {
    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        let all = match tables(text) {
            Ok(t) => t,
            Err(e) => {
                out.bad(locate(e.offset), format!("not a query-API response: {e}"));
                return;
            }
        };
        let Some(table) = choose(&all, self.select.as_deref()) else {
            let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
            out.bad(
                locate(0),
                format!(
                    "the response has no table {} (it has: {})",
                    self.select.as_deref().unwrap_or("at all"),
                    names.join(", ")
                ),
            );
            return;
        };
        let map: Vec<Option<usize>> = self
            .fields
            .iter()
            .map(|f| table.columns.iter().position(|c| c.name == f.name))
            .collect();
        let Some((rows, base)) = table.rows else {
            return;
        };
        let width = table.columns.len();
        let mut s = Scanner::new(rows);
        let result: Result<(), JsonError> = (|| {
            let mut seq = s.begin_array()?;
            let mut cells: Vec<&[u8]> = Vec::with_capacity(width);
            while s.next_element(&mut seq)? {
                s.skip_ws();
                let at = base + s.pos();
                let row = s.value_bytes(json::MAX_SKIP_DEPTH)?;
                cells.clear();
                if let Err(e) = row_cells(row, &mut cells) {
                    out.bad(locate(at), format!("row is not an array: {e}"));
                    continue;
                }
                if cells.len() != width {
                    out.bad(
                        locate(at),
                        format!("row has {} cells, the table {width} columns", cells.len()),
                    );
                    continue;
                }
                let cells = &cells;
                let log = out.conv.clone();
                let place = locate(at);
                out.row_with(self.fields.len(), &|k| {
                    let (Some(i), Some(f)) = (map.get(k), self.fields.get(k)) else {
                        return Value::Null;
                    };
                    match i.and_then(|i| cells.get(i)) {
                        Some(raw) => {
                            log.note(k, place, raw, decode_checked(raw, f.ty, Default::default()))
                        }
                        None => crate::value::cast::null_of(f.ty),
                    }
                });
                if out.stopped() {
                    return Ok(());
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            out.bad(locate(base + e.offset), format!("rows: {e}"));
        }
    }

    fn layout(&self) -> Layout {
        Layout::Document
    }
}

fn row_cells<'a>(row: &'a [u8], cells: &mut Vec<&'a [u8]>) -> Result<(), JsonError> {
    let mut s = Scanner::new(row);
    let mut seq = s.begin_array()?;
    while s.next_element(&mut seq)? {
        cells.push(s.value_bytes(json::MAX_SKIP_DEPTH)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_types() {
        let text = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"a","type":"long"},{"name":"t","type":"datetime"}],"rows":[[1,"2023-02-20T11:04:02.6371632Z"]]},{"name":"x","columns":[],"rows":[]}]}"#;
        let t = tables(text).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].columns[1].ty, DataType::DateTime);
        assert_eq!(choose(&t, Some("x")).unwrap().name, "x");
        // A sample cut inside the rows still gives the columns.
        let cut = &text[..120];
        let t = tables(cut).unwrap();
        assert_eq!(t[0].columns.len(), 2);
        assert_eq!(api_type("System.String"), Some(DataType::String));
    }
}

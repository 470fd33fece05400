//! Typed in-memory tables: [`Table`] checks each row given to it against
//! its schema, so the engine never sees a value of the wrong type.

use super::rows::Row;
use crate::error::Error;
use crate::error::{DataError, with_article};
use crate::schema::{Field, Schema};
use crate::types::DataType;
use crate::value::{DateTime, Guid, Timespan, Value};
use std::sync::Arc;

/// A table of typed rows: the result of a query
/// ([`Query::collect`](super::Query::collect)), or rows to give to the
/// engine ([`Engine::add_table`](super::Engine::add_table)). Rows added
/// with [`Table::push`] are checked against the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    schema: Arc<Schema>,
    rows: Vec<Row>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(schema: Schema) -> Table {
        Table {
            schema: Arc::new(schema),
            rows: Vec::new(),
        }
    }

    /// An empty table with these columns, as (name, type) pairs.
    ///
    /// ```
    /// use kqlite::Table;
    /// use kqlite::DataType;
    /// let t = Table::with_columns([("Name", DataType::String), ("Count", DataType::Long)]);
    /// assert_eq!(t.schema().len(), 2);
    /// ```
    pub fn with_columns<N: Into<String>>(
        columns: impl IntoIterator<Item = (N, DataType)>,
    ) -> Table {
        Table::new(Schema::new(
            columns
                .into_iter()
                .map(|(name, ty)| Field::new(name, ty))
                .collect(),
        ))
    }

    /// A table with these columns and rows, each row checked as
    /// [`Table::push`] checks it.
    pub fn from_rows(schema: Schema, rows: Vec<Vec<Value>>) -> Result<Table, Error> {
        let mut table = Table::new(schema);
        table.rows.reserve(rows.len());
        for row in rows {
            table.push(row)?;
        }
        Ok(table)
    }

    /// The columns.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The rows, in order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The rows, taken out of the table.
    pub fn into_rows(self) -> Vec<Row> {
        self.rows
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Row> {
        self.rows.iter()
    }

    /// Adds a row: one value per column, each of its column's type or null.
    /// Numbers widen to their column's type (an `int` or `long` value in a
    /// `real` column, an `int` in a `long` column, a `long` that fits in an
    /// `int` column); any value fits a `dynamic` column; a null `string` is
    /// the empty string. Anything else is an error naming the row and the
    /// column, and the table is left as it was.
    ///
    /// ```
    /// use kqlite::Table;
    /// use kqlite::DataType;
    /// use kqlite::Value;
    /// let mut t = Table::with_columns([("Name", DataType::String), ("Count", DataType::Long)]);
    /// t.push(vec!["a".into(), 1.into()]).unwrap();
    /// let e = t.push(vec![Value::Long(2), Value::Long(2)]).unwrap_err();
    /// assert_eq!(e.to_string(), r#"row 1, column "Name": a long (2) is not a string"#);
    /// assert!(t.push(vec!["b".into()]).is_err());
    /// assert_eq!(t.len(), 1);
    /// ```
    pub fn push(&mut self, values: Vec<Value>) -> Result<(), Error> {
        let row = self.rows.len();
        let schema = &self.schema;
        if values.len() != schema.len() {
            return Err(Error::Data(DataError::RowLength {
                row,
                found: values.len(),
                expected: schema.len(),
                columns: column_list(schema),
            }));
        }
        let values = values
            .into_iter()
            .zip(&schema.fields)
            .map(|(v, f)| {
                fit(v, f.ty).map_err(|v| {
                    Error::Data(DataError::WrongType {
                        row,
                        column: quoted(&f.name),
                        expected: f.ty,
                        found: describe_value(&v),
                    })
                })
            })
            .collect::<Result<Vec<Value>, Error>>()?;
        self.rows.push(Row {
            schema: self.schema.clone(),
            values,
        });
        Ok(())
    }

    /// Adds a row from a run, whose values are already of their columns'
    /// types.
    pub(super) fn push_unchecked(&mut self, values: Vec<Value>) {
        self.rows.push(Row {
            schema: self.schema.clone(),
            values,
        });
    }

    /// Checks that no column name appears twice.
    pub(super) fn check_schema(&self) -> Result<(), Error> {
        let mut seen = std::collections::HashSet::new();
        for f in &self.schema.fields {
            if !seen.insert(f.name.as_str()) {
                return Err(Error::Data(DataError::DuplicateColumn {
                    column: quoted(&f.name),
                }));
            }
        }
        Ok(())
    }

    /// The rows as plain values, for the catalog.
    pub(crate) fn into_parts(self) -> (Schema, Vec<Vec<Value>>) {
        let rows = self.rows.into_iter().map(Row::into_values).collect();
        let schema = Arc::try_unwrap(self.schema).unwrap_or_else(|s| (*s).clone());
        (schema, rows)
    }
}

impl IntoIterator for Table {
    type Item = Row;
    type IntoIter = std::vec::IntoIter<Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<'a> IntoIterator for &'a Table {
    type Item = &'a Row;
    type IntoIter = std::slice::Iter<'a, Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

/// `value` made to fit a column of type `ty`, or given back if it does not.
pub(super) fn fit(value: Value, ty: DataType) -> Result<Value, Value> {
    Ok(match (ty, value) {
        (_, Value::Null) => crate::value::cast::null_of(ty),
        (DataType::Dynamic, v) => v,
        (DataType::Bool, v @ Value::Bool(_))
        | (DataType::Long, v @ Value::Long(_))
        | (DataType::Int, v @ Value::Int(_))
        | (DataType::Real, v @ Value::Real(_))
        | (DataType::Decimal, v @ Value::Decimal(_))
        | (DataType::String, v @ Value::String(_))
        | (DataType::DateTime, v @ Value::DateTime(_))
        | (DataType::Timespan, v @ Value::Timespan(_))
        | (DataType::Guid, v @ Value::Guid(_)) => v,
        (DataType::Long, Value::Int(i)) => Value::Long(i64::from(i)),
        (DataType::Int, Value::Long(i)) => match i32::try_from(i) {
            Ok(i) => Value::Int(i),
            Err(_) => return Err(Value::Long(i)),
        },
        (DataType::Real, Value::Int(i)) => Value::Real(f64::from(i)),
        (DataType::Real, Value::Long(i)) => Value::Real(i as f64),
        (DataType::Real, v @ Value::Decimal(_)) => v.as_f64().map_or(Value::Null, Value::Real),
        (DataType::Decimal, v @ (Value::Int(_) | Value::Long(_))) => {
            crate::value::number::as_decimal(&v).map_or(Value::Null, Value::Decimal)
        }
        (DataType::Decimal, Value::Real(r)) => {
            crate::value::number::real_to_decimal(r).map_or(Value::Null, Value::Decimal)
        }
        (_, v) => return Err(v),
    })
}

/// A value and its type, for messages: `a long (5)`, `a string ("x")`.
pub(super) fn describe_value(value: &Value) -> String {
    if value.is_null() {
        return "null".to_string();
    }
    let mut text = String::new();
    crate::value::json::write_value(value, &mut text);
    if text.len() > 40 {
        let cut = (0..=37)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    format!("{} ({text})", with_article(value.type_name()))
}

pub(super) fn quoted(name: &str) -> String {
    format!("{name:?}")
}

pub(super) fn column_list(schema: &Schema) -> String {
    schema.names().collect::<Vec<_>>().join(", ")
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Long(i)
    }
}

impl From<f64> for Value {
    fn from(r: f64) -> Value {
        Value::Real(r)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<DateTime> for Value {
    fn from(d: DateTime) -> Value {
        Value::DateTime(d)
    }
}

impl From<Timespan> for Value {
    fn from(t: Timespan) -> Value {
        Value::Timespan(t)
    }
}

impl From<Guid> for Value {
    fn from(g: Guid) -> Value {
        Value::Guid(g)
    }
}

/// `None` is null.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

//! Result rows as Rust values: [`Table`], [`Row`] and typed reads with
//! [`Row::get`]; the same [`Table`] holds typed rows given to the engine
//! ([`Engine::add_table`]), checked against its schema.
//!
//! A new user's walk through the library: load a file, run a query with a
//! parameter, read typed rows, add an in-memory table and join it.
//!
//! ```
//! use kqlite::{DataType, Engine, Params, Table, Value};
//!
//! // 1. Load a file: its format (here JSON rows) is recognised by its content.
//! let mut engine = Engine::new();
//! engine.add_path("AzureActivity", "examples/data/AzureActivity/role-assignments.synthetic.jsonl")?;
//!
//! // 2. Compile a query that declares parameters, giving one of them a value.
//! let text = r#"
//!     declare query_parameters(op:string, minimum:long = 1);
//!     AzureActivity
//!     | where OperationNameValue =~ op
//!     | summarize Count = count() by Caller
//!     | where Count >= minimum
//!     | order by Caller asc"#;
//! let params = Params::new().param("op", "microsoft.authorization/roleassignments/write");
//! let query = engine.compile_with(text, &params)?;
//!
//! // 3. Iterate typed rows, reading columns by name or position.
//! let mut callers = Vec::new();
//! for row in query.rows(&engine)? {
//!     let caller: String = row.get("Caller")?;
//!     let count: i64 = row.get(1)?;
//!     callers.push((caller, count));
//! }
//! assert_eq!(callers.len(), 4);
//! assert_eq!(callers[0], ("alice@contoso.com".to_string(), 1));
//!
//! // 4. Add a typed in-memory table: a value of the wrong type is an error.
//! let mut teams = Table::with_columns([("Caller", DataType::String), ("Team", DataType::String)]);
//! teams.push(vec!["bob@contoso.com".into(), "platform".into()])?;
//! teams.push(vec!["alice@contoso.com".into(), "security".into()])?;
//! let wrong = teams.push(vec!["mallory@fabrikam.com".into(), Value::Long(7)]);
//! assert_eq!(
//!     wrong.err().map(|e| e.to_string()).as_deref(),
//!     Some(r#"row 2, column "Team": a long (7) is not a string"#)
//! );
//! engine.add_table("Teams", teams)?;
//!
//! // 5. Join it, with the other parameter given a value too.
//! let joined = format!("{text} | join kind=inner Teams on Caller | project Caller, Team, Count");
//! let table = engine.compile_with(&joined, &params.param("minimum", 2))?.collect(&engine)?;
//! assert_eq!(table.len(), 1);
//! assert_eq!(table.rows()[0].get::<&str>("Team")?, "platform");
//! assert_eq!(table.rows()[0].get::<i64>("Count")?, 3);
//! Ok::<(), kqlite::Error>(())
//! ```

use super::table::{Table, column_list, describe_value, quoted};
use super::{Engine, Query, ResultSink};
use crate::error::DataError;
use crate::error::Error;
use crate::exec_error::ExecError;
use crate::schema::Schema;
use crate::value::{DateTime, Guid, Timespan, Value};
use std::ops::ControlFlow;
use std::sync::Arc;

/// One row with its table's schema: its values can be read by column name
/// or position, as Rust types ([`Row::get`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub(super) schema: Arc<Schema>,
    pub(super) values: Vec<Value>,
}

impl Row {
    /// The columns of the row's table.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The values, in column order, taken out of the row.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The number of values (the table's number of columns).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no values (its table has no columns).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of a column, by name (`"Count"`) or position (`0`).
    pub fn value(&self, column: impl ColumnKey) -> Result<&Value, Error> {
        let index = column
            .index_in(&self.schema)
            .filter(|i| *i < self.values.len())
            .ok_or_else(|| {
                Error::Data(DataError::NoColumn {
                    column: column.describe(),
                    columns: column_list(&self.schema),
                })
            })?;
        Ok(&self.values[index])
    }

    /// The value of a column, by name or position, as a Rust type. A column
    /// that may be null is read as an `Option`; numbers widen (an `int`
    /// reads as `i64`, a `long` as `f64`) but never narrow or change kind.
    ///
    /// ```
    /// # use kqlite::Engine;
    /// # fn main() -> Result<(), kqlite::Error> {
    /// let engine = Engine::new();
    /// let query = engine.compile("print n = 2, s = 'x', z = long(null)")?;
    /// let row = query.rows(&engine)?.next().unwrap();
    /// assert_eq!(row.get::<i64>("n")?, 2);
    /// assert_eq!(row.get::<&str>(1)?, "x");
    /// assert_eq!(row.get::<Option<i64>>("z")?, None);
    /// assert!(row.get::<String>("n").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn get<'a, T: FromValue<'a>>(&'a self, column: impl ColumnKey) -> Result<T, Error> {
        let value = self.value(&column)?;
        T::from_value(value).ok_or_else(|| {
            let name = match column.index_in(&self.schema) {
                Some(i) => quoted(&self.schema.fields[i].name),
                None => column.describe(),
            };
            Error::Data(DataError::Mismatch {
                column: name,
                expected: T::EXPECTED,
                found: describe_value(value),
            })
        })
    }
}

/// A column of a row: its name (`&str`, `String`) or its position (`usize`).
pub trait ColumnKey {
    /// The column's position in `schema`, if it has the column.
    fn index_in(&self, schema: &Schema) -> Option<usize>;
    /// How the column is named in error messages.
    fn describe(&self) -> String;
}

impl ColumnKey for usize {
    fn index_in(&self, schema: &Schema) -> Option<usize> {
        (*self < schema.len()).then_some(*self)
    }
    fn describe(&self) -> String {
        format!("#{self}")
    }
}

impl ColumnKey for &str {
    fn index_in(&self, schema: &Schema) -> Option<usize> {
        schema.index_of(self)
    }
    fn describe(&self) -> String {
        quoted(self)
    }
}

impl ColumnKey for String {
    fn index_in(&self, schema: &Schema) -> Option<usize> {
        schema.index_of(self)
    }
    fn describe(&self) -> String {
        quoted(self)
    }
}

impl<K: ColumnKey + ?Sized> ColumnKey for &K {
    fn index_in(&self, schema: &Schema) -> Option<usize> {
        (**self).index_in(schema)
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// A Rust type a KQL value can be read as ([`Row::get`]).
///
/// | KQL type | Rust types |
/// |---|---|
/// | `bool` | `bool` |
/// | `int` | `i32`, `i64`, `f64` |
/// | `long` | `i64`, `f64`, and `i32` when it fits |
/// | `real`, `decimal` | `f64` |
/// | `string` | `String`, `&str` |
/// | `datetime` | [`DateTime`] |
/// | `timespan` | [`Timespan`] |
/// | `guid` | [`Guid`] |
/// | any (`dynamic`) | [`Value`], `&Value`, `serde_json::Value` |
///
/// A null reads as `None` into an `Option<T>`, and is an error otherwise
/// (but into `Value`). A null `string` is the empty string, as in KQL.
pub trait FromValue<'a>: Sized {
    /// The Rust type's name, for error messages.
    const EXPECTED: &'static str;
    /// The value as `Self`, or `None` if it cannot be read as one.
    fn from_value(value: &'a Value) -> Option<Self>;
}

impl FromValue<'_> for bool {
    const EXPECTED: &'static str = "bool";
    fn from_value(value: &Value) -> Option<bool> {
        value.as_bool()
    }
}

impl FromValue<'_> for i64 {
    const EXPECTED: &'static str = "i64";
    fn from_value(value: &Value) -> Option<i64> {
        value.as_i64()
    }
}

impl FromValue<'_> for i32 {
    const EXPECTED: &'static str = "i32";
    fn from_value(value: &Value) -> Option<i32> {
        value.as_i64().and_then(|i| i32::try_from(i).ok())
    }
}

impl FromValue<'_> for f64 {
    const EXPECTED: &'static str = "f64";
    fn from_value(value: &Value) -> Option<f64> {
        value.as_f64()
    }
}

impl FromValue<'_> for String {
    const EXPECTED: &'static str = "String";
    fn from_value(value: &Value) -> Option<String> {
        value.as_str().map(str::to_string)
    }
}

impl<'a> FromValue<'a> for &'a str {
    const EXPECTED: &'static str = "&str";
    fn from_value(value: &'a Value) -> Option<&'a str> {
        value.as_str()
    }
}

impl FromValue<'_> for DateTime {
    const EXPECTED: &'static str = "DateTime";
    fn from_value(value: &Value) -> Option<DateTime> {
        match value {
            Value::DateTime(d) => Some(*d),
            _ => None,
        }
    }
}

impl FromValue<'_> for Timespan {
    const EXPECTED: &'static str = "Timespan";
    fn from_value(value: &Value) -> Option<Timespan> {
        match value {
            Value::Timespan(t) => Some(*t),
            _ => None,
        }
    }
}

impl FromValue<'_> for Guid {
    const EXPECTED: &'static str = "Guid";
    fn from_value(value: &Value) -> Option<Guid> {
        match value {
            Value::Guid(g) => Some(*g),
            _ => None,
        }
    }
}

impl FromValue<'_> for Value {
    const EXPECTED: &'static str = "Value";
    fn from_value(value: &Value) -> Option<Value> {
        Some(value.clone())
    }
}

impl<'a> FromValue<'a> for &'a Value {
    const EXPECTED: &'static str = "&Value";
    fn from_value(value: &'a Value) -> Option<&'a Value> {
        Some(value)
    }
}

impl FromValue<'_> for serde_json::Value {
    const EXPECTED: &'static str = "serde_json::Value";
    fn from_value(value: &Value) -> Option<serde_json::Value> {
        Some(to_json(value))
    }
}

impl<'a, T: FromValue<'a>> FromValue<'a> for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(value: &'a Value) -> Option<Option<T>> {
        if value.is_null() {
            Some(None)
        } else {
            T::from_value(value).map(Some)
        }
    }
}

/// A value as JSON, written as the CLI's `jsonl` output writes it:
/// datetimes, timespans and guids as their text, NaN and the infinities
/// as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Long(i) => J::from(*i),
        Value::Real(r) => serde_json::Number::from_f64(*r).map_or_else(
            || {
                let mut text = String::new();
                crate::value::json::write_value(value, &mut text);
                J::String(text.trim_matches('"').to_string())
            },
            J::Number,
        ),
        // A decimal as the nearest JSON number (serde_json holds f64).
        Value::Decimal(d) => d
            .normalize()
            .to_string()
            .parse::<serde_json::Number>()
            .map_or(J::Null, J::Number),
        Value::DateTime(d) => J::String(d.to_string()),
        Value::Timespan(t) => J::String(t.to_string()),
        Value::Guid(g) => J::String(g.to_string()),
        Value::String(s) => J::String(s.to_string()),
        Value::Array(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Bag(bag) => J::Object(
            bag.iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// Collects every result table of a run: `query.run(&engine, &mut tables)`
/// keeps the run's [`crate::exec::Stats`] as well.
impl ResultSink for Vec<Table> {
    fn begin_table(&mut self, _index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.push(Table::new(schema.clone()));
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if let Some(table) = self.last_mut() {
            table.push_unchecked(row);
        }
        Ok(ControlFlow::Continue(()))
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

impl Query {
    /// Runs the query and returns every result table, in order.
    pub fn collect_all(&self, engine: &Engine) -> Result<Vec<Table>, Error> {
        let mut tables = Vec::new();
        self.run(engine, &mut tables)?;
        Ok(tables)
    }

    /// Runs a query that makes one result table (one tabular statement)
    /// and returns it; a query that makes several is an error
    /// ([`DataError::NotOneTable`]): read those with [`Query::collect_all`].
    pub fn collect(&self, engine: &Engine) -> Result<Table, Error> {
        let found = self.bound.results.len();
        if found != 1 {
            return Err(Error::Data(DataError::NotOneTable { found }));
        }
        let mut tables = self.collect_all(engine)?;
        tables
            .pop()
            .ok_or(Error::Data(DataError::NotOneTable { found: 0 }))
    }

    /// Runs a query that makes one result table and iterates over its rows
    /// (collected first: the run is over when this returns; see
    /// [`Query::for_each_row`] to take rows as they come).
    pub fn rows(&self, engine: &Engine) -> Result<std::vec::IntoIter<Row>, Error> {
        Ok(self.collect(engine)?.into_iter())
    }

    /// Runs the query and hands each row of each result table to `f` as it
    /// comes, without keeping them: for results too large to collect.
    /// `f` returns `ControlFlow::Break(())` to stop the run, or an error to
    /// stop it and return that error. Returns the run's statistics.
    ///
    /// ```
    /// # use kqlite::Engine;
    /// use std::ops::ControlFlow;
    /// # fn main() -> Result<(), kqlite::Error> {
    /// let engine = Engine::new();
    /// let query = engine.compile("range x from 1 to 1000000 step 1")?;
    /// let mut sum = 0;
    /// query.for_each_row(&engine, |row| {
    ///     sum += row.get::<i64>("x")?;
    ///     Ok(if sum > 10 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    /// })?;
    /// assert_eq!(sum, 15);
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_each_row(
        &self,
        engine: &Engine,
        f: impl FnMut(Row) -> Result<ControlFlow<()>, Error>,
    ) -> Result<crate::exec::Stats, Error> {
        let mut sink = EachRow {
            schema: Arc::new(Schema::default()),
            f,
            failure: None,
        };
        let result = self.run(engine, &mut sink);
        match sink.failure {
            Some(e) => Err(e),
            None => result,
        }
    }
}

/// Hands rows to a closure ([`Query::for_each_row`]); keeps the closure's
/// error, which the run only sees as a stop.
struct EachRow<F> {
    schema: Arc<Schema>,
    f: F,
    failure: Option<Error>,
}

impl<F: FnMut(Row) -> Result<ControlFlow<()>, Error>> ResultSink for EachRow<F> {
    fn begin_table(&mut self, _index: usize, schema: &Schema) -> Result<(), ExecError> {
        self.schema = Arc::new(schema.clone());
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if self.failure.is_some() {
            return Ok(ControlFlow::Break(()));
        }
        let row = Row {
            schema: self.schema.clone(),
            values: row,
        };
        match (self.f)(row) {
            Ok(flow) => Ok(flow),
            Err(e) => {
                self.failure = Some(e);
                Ok(ControlFlow::Break(()))
            }
        }
    }

    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

#[cfg(feature = "serde")]
mod de {
    use super::{DataError, Engine, Error, Query, Row, to_json};

    impl Row {
        /// The row as a `T`, deserialised from a map of column name to
        /// value (values as [`FromValue`](super::FromValue) reads them
        /// into `serde_json::Value`: numbers as numbers, datetimes,
        /// timespans and guids as their text, dynamic values as JSON).
        /// Column names are KQL's (`TimeGenerated`): match them with
        /// `#[serde(rename = "...")]` or `#[serde(rename_all = "PascalCase")]`.
        pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
            let map: serde_json::Map<String, serde_json::Value> = self
                .schema
                .fields
                .iter()
                .zip(&self.values)
                .map(|(f, v)| (f.name.clone(), to_json(v)))
                .collect();
            serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
                Error::Data(DataError::Deserialize {
                    row: 0,
                    message: e.to_string(),
                })
            })
        }
    }

    impl Query {
        /// Runs a query that makes one result table and deserialises each
        /// row into a `T` (see [`Row::deserialize`]).
        ///
        /// ```
        /// # use kqlite::Engine;
        /// #[derive(serde::Deserialize)]
        /// struct Hit { name: String, n: i64 }
        /// # fn main() -> Result<(), kqlite::Error> {
        /// let engine = Engine::new();
        /// let query = engine.compile("range n from 1 to 2 step 1 | extend name = strcat('x', n)")?;
        /// let hits: Vec<Hit> = query.deserialize(&engine)?;
        /// assert_eq!(hits[1].name, "x2");
        /// assert_eq!(hits[1].n, 2);
        /// # Ok(())
        /// # }
        /// ```
        pub fn deserialize<T: serde::de::DeserializeOwned>(
            &self,
            engine: &Engine,
        ) -> Result<Vec<T>, Error> {
            self.collect(engine)?
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    row.deserialize().map_err(|e| match e {
                        Error::Data(DataError::Deserialize { message, .. }) => {
                            Error::Data(DataError::Deserialize { row: i, message })
                        }
                        other => other,
                    })
                })
                .collect()
        }
    }
}

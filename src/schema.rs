//! Ordered, typed column lists: the shape of a table at every pipe step.

use crate::types::DataType;

/// A column: its name and type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The column name, as queries write it (case-sensitive).
    pub name: String,
    /// The column's KQL type.
    pub ty: DataType,
}

impl Field {
    /// A column called `name` of type `ty`.
    pub fn new(name: impl Into<String>, ty: DataType) -> Field {
        Field {
            name: name.into(),
            ty,
        }
    }
}

/// The columns of a table, in order: of a table registered with
/// [`Engine::add_rows`](crate::Engine::add_rows), of each result table
/// ([`Query::result_schemas`](crate::Query::result_schemas),
/// [`ResultSink::begin_table`](crate::ResultSink::begin_table)).
///
/// ```
/// use kqlite::{DataType, Field, Schema};
///
/// let schema = Schema::new(vec![
///     Field::new("User", DataType::String),
///     Field::new("Failures", DataType::Long),
/// ]);
/// assert_eq!(schema.index_of("Failures"), Some(1));
/// assert_eq!(schema.names().collect::<Vec<_>>(), ["User", "Failures"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Schema {
    /// The columns, in order.
    pub fields: Vec<Field>,
}

impl Schema {
    /// A schema of these columns, in this order.
    pub fn new(fields: Vec<Field>) -> Schema {
        Schema { fields }
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no columns.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The position of the column called `name` (names are case-sensitive).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The column at `index`, if there is one.
    pub fn field(&self, index: usize) -> Option<&Field> {
        self.fields.get(index)
    }

    /// The column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.name.as_str())
    }
}

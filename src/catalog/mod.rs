//! The tables a query can name: built-in schemas, and what each registered
//! table reads.

mod builtin;

pub use builtin::{builtin_schema, builtin_schema_complete};

pub use crate::input::{Input, InputSource};

use crate::schema::Schema;
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a table's rows come from.
#[derive(Debug, PartialEq)]
pub enum TableData {
    /// A table with a built-in schema that no input names: binds, yields no rows.
    Empty,
    /// Files (and/or standard input) of JSON-lines rows.
    Files(Vec<Input>),
    /// Rows handed over by an embedding program.
    Rows(Vec<Vec<Value>>),
    /// A range of rows shared with other engines (rule replay's windows),
    /// already of the table's schema.
    Shared {
        rows: Arc<Vec<Vec<Value>>>,
        range: std::ops::Range<usize>,
    },
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub schema: Schema,
    pub data: Arc<TableData>,
}

/// Tables by name (case-sensitive, as in Kusto).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    tables: BTreeMap<String, Table>,
    /// Accept `dynamic` join keys (see `EngineOptions::dynamic_join_keys`).
    pub dynamic_join_keys: bool,
    /// Accept `dynamic` group, sort and partition keys (see
    /// `EngineOptions::dynamic_keys`).
    pub dynamic_keys: bool,
}

impl Catalog {
    pub fn new() -> Catalog {
        Catalog::default()
    }

    pub fn insert(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
    }

    /// A registered table, else an empty table with a built-in schema.
    pub fn get(&self, name: &str) -> Option<Table> {
        if let Some(t) = self.tables.get(name) {
            return Some(t.clone());
        }
        builtin_schema_complete(name).map(|schema| Table {
            name: name.to_string(),
            schema,
            data: Arc::new(TableData::Empty),
        })
    }

    /// Names of every table a query could name here (for suggestions).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tables.keys().cloned().collect();
        names.extend(builtin::builtin_names().map(str::to_string));
        names.sort();
        names.dedup();
        names
    }
}

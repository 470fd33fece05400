//! The tables a query can name: built-in schemas, and what each registered
//! table reads.

mod builtin;

pub use builtin::builtin_schema;

use crate::formats::InputFormat;
use crate::schema::Schema;
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
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
}

/// One input of a table: where its bytes come from, and how to read them.
#[derive(Clone, PartialEq, Eq)]
pub struct Input {
    pub source: InputSource,
    /// The file's format (JSON rows unless detected or named otherwise;
    /// see `crate::formats`).
    pub format: InputFormat,
}

/// Where an input's bytes come from.
#[derive(Clone, PartialEq, Eq)]
pub enum InputSource {
    File(PathBuf),
    /// Bytes already read, such as standard input (which can be read only
    /// once, and was sampled for the schema before the query ran).
    Memory {
        name: String,
        bytes: Arc<[u8]>,
    },
}

impl Input {
    /// A file of JSON-lines rows.
    pub fn file(path: impl Into<PathBuf>) -> Input {
        Input {
            source: InputSource::File(path.into()),
            format: InputFormat::default(),
        }
    }

    /// Bytes of JSON-lines rows.
    pub fn memory(name: &str, bytes: Arc<[u8]>) -> Input {
        Input {
            source: InputSource::Memory {
                name: name.to_string(),
                bytes,
            },
            format: InputFormat::default(),
        }
    }

    /// The same input, read as `format`.
    pub fn with_format(self, format: InputFormat) -> Input {
        Input { format, ..self }
    }
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            InputSource::File(p) => write!(f, "{}", p.display()),
            InputSource::Memory { name, .. } => f.write_str(name),
        }
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Input({self}, {})", self.format)
    }
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
        builtin_schema(name).map(|schema| Table {
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

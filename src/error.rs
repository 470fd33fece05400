//! The crate's error type: one variant per stage, each knowing its exit
//! code and how to render itself.

use crate::diagnostic::Diagnostic;
use crate::exec_error::ExecError;
use crate::semantic::{BindError, BindErrorKind};
use crate::syntax::SyntaxError;
use crate::types::DataType;

/// Everything that can go wrong, by stage: [`Syntax`](Error::Syntax) and
/// [`Bind`](Error::Bind) are query errors, found by
/// [`Engine::compile`](crate::Engine::compile) before any data is read;
/// [`Exec`](Error::Exec) comes from reading inputs and running;
/// [`Usage`](Error::Usage) from how kqlite was called;
/// [`Internal`](Error::Internal) is a bug in kqlite itself.
///
/// [`render`](Error::render) writes query errors as compiler-style messages
/// with the query text underlined:
///
/// ```
/// use kqlite::Engine;
///
/// let query = "print x = 1 | where y > 0";
/// let error = Engine::new().compile(query).err().unwrap();
/// assert!(matches!(error, kqlite::Error::Bind(_)));
/// assert!(error.render(query, "query").starts_with("error: "));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query text is not valid KQL.
    #[error("syntax error: {0}")]
    Syntax(#[from] SyntaxError),
    /// The query names something that does not exist, mixes types, or uses
    /// what kqlite cannot run yet.
    #[error("{}", .0.first().map(|e| e.message.as_str()).unwrap_or("invalid query"))]
    Bind(Vec<BindError>),
    /// An input could not be read, or a run failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// A value that does not fit where it was given or read: a row of an
    /// in-memory table, a typed read of a result column.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A problem with how kqlite was invoked (a table argument without `=`...).
    #[error("{0}")]
    Usage(String),
    /// Something kqlite itself got wrong (likely a bug, not a problem with
    /// the query or the input): a thread that panicked, a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Exit codes of the command-line contract: 2 for a query error (always
    /// reported before any data is scanned), 1 for input or run errors.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Syntax(_) | Error::Bind(_) | Error::Usage(_) | Error::Data(_) => 2,
            Error::Exec(_) | Error::Internal(_) => 1,
        }
    }

    /// Whether the query asked for something kqlite does not support yet.
    pub fn is_not_supported(&self) -> bool {
        matches!(self, Error::Bind(errors) if errors.iter().any(|e| e.kind == BindErrorKind::NotSupported))
    }

    /// The messages, one per error (a query can have several bind errors).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Syntax(e) => vec![e.diagnostic()],
            Error::Bind(errors) => errors.iter().map(BindError::diagnostic).collect(),
            Error::Exec(e) => vec![Diagnostic::new(e.to_string())],
            Error::Usage(m) => vec![Diagnostic::new(m.clone())],
            Error::Data(e) => vec![Diagnostic::new(e.to_string())],
            Error::Internal(_) => vec![Diagnostic::new(self.to_string())],
        }
    }

    /// Every message, rendered against the query text.
    pub fn render(&self, source: &str, origin: &str) -> String {
        self.diagnostics()
            .iter()
            .map(|d| d.render(source, origin))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A value that does not fit where it was given or read: a typed read of
/// a column ([`Row::get`](crate::Row::get)) or a row given for an in-memory table
/// ([`Table::push`](crate::Table::push)).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A column named or numbered that the table does not have.
    #[error("no column {column}; the columns are: {columns}")]
    NoColumn {
        /// The name (quoted) or position asked for.
        column: String,
        /// The table's column names, comma-separated.
        columns: String,
    },
    /// A column read as a Rust type its value cannot be read as.
    #[error("column {column} holds {found}, which cannot be read as {expected}")]
    Mismatch {
        /// The column's name, quoted.
        column: String,
        /// The Rust type asked for.
        expected: &'static str,
        /// The value found, with its type.
        found: String,
    },
    /// A row given with more or fewer values than the table has columns.
    #[error("row {row} has {found} values, but the table has {expected} columns ({columns})")]
    RowLength {
        /// The row's index among the rows given, from 0.
        row: usize,
        /// How many values the row has.
        found: usize,
        /// How many columns the table has.
        expected: usize,
        /// The table's column names, comma-separated.
        columns: String,
    },
    /// A value given for a column of another type.
    #[error("row {row}, column {column}: {found} is not {}", with_article(.expected.name()))]
    WrongType {
        /// The row's index among the rows given, from 0.
        row: usize,
        /// The column's name, quoted.
        column: String,
        /// The column's type.
        expected: DataType,
        /// The value given, with its type.
        found: String,
    },
    /// A schema that names a column twice.
    #[error("column {column} appears twice in the schema")]
    DuplicateColumn {
        /// The column's name, quoted.
        column: String,
    },
    /// A row that does not deserialise into the type asked for.
    #[error("row {row} cannot be deserialised: {message}")]
    Deserialize {
        /// The row's index in its table, from 0 (0 for a row on its own).
        row: usize,
        /// What serde reported.
        message: String,
    },
    /// A query that makes another number of result tables than the one
    /// [`Query::collect`](crate::Query::collect) reads.
    #[error("the query makes {found} result tables, not one: read them with Query::collect_all")]
    NotOneTable {
        /// How many result tables the query makes.
        found: usize,
    },
}

/// `a long`, `an int`.
pub(crate) fn with_article(name: &str) -> String {
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

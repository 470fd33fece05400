//! The crate's error type: one variant per stage, each knowing its exit
//! code and how to render itself.

use crate::diagnostic::Diagnostic;
use crate::exec::ExecError;
use crate::semantic::{BindError, BindErrorKind};
use crate::syntax::SyntaxError;

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
    Data(#[from] crate::engine::DataError),
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

//! Syntax tree to logical plan: resolve every name against the catalog and
//! the `let` statements, type every expression, name every column.
//!
//! Binding reports every error it can find in one pass (each statement and
//! operator is checked even after an earlier one failed), as a compiler
//! does.

mod bag_unpack;
mod basket;
mod bind;
mod evaluate;
mod externaldata;
mod fork;
mod graph;
mod join;
mod literal;
mod make_series;
mod mv_apply;
mod mv_expand;
mod naming;
mod parse;
mod parse_pattern;
mod partition;
mod pivot;
mod project;
mod reduce;
mod request;
#[cfg(test)]
mod rule_tests;
mod scalar;
mod scan;
mod search;
mod sequence_detect;
mod sources;
mod suggest;
mod summarize;
mod tabular;
mod top_hitters;
mod top_nested;
mod union;
mod window;
mod workspace;

pub use bind::{
    BoundQuery, Probe, ProbeFailed, ProbedRows, Subquery, bind, bind_in_workspace, bind_probed,
    bind_with_params,
};
pub(crate) use literal::literal_value;
pub(crate) use suggest::closest;
pub use workspace::{FunctionError, Workspace};

use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Why a query cannot be bound. Each variant is shown with a query that
/// triggers it.
#[deny(missing_docs)]
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BindErrorKind {
    /// `T | where Acount == 1` (no column or `let` named `Acount`).
    #[error("unknown name")]
    UnknownName,
    /// `Nope | take 1`.
    #[error("unknown table")]
    UnknownTable,
    /// `print nosuch(1)`.
    #[error("unknown function")]
    UnknownFunction,
    /// `print strlen()`.
    #[error("wrong number of arguments")]
    Arity,
    /// `print "a" > 1`, `T | where 1`.
    #[error("type mismatch")]
    Type,
    /// `T | project a, a`.
    #[error("duplicate column")]
    DuplicateColumn,
    /// A construct kqlite parses but cannot run yet: `T | evaluate pivot(x)`.
    #[error("not supported")]
    NotSupported,
    /// Anything else that makes the query meaningless: `take -1`.
    #[error("invalid query")]
    Invalid,
    /// A use of a `let` name whose definition already failed; dropped from
    /// the report so one mistake gives one message.
    #[error("follows an earlier error")]
    FollowsEarlierError,
}

/// A query that parses but means nothing against the tables it names: an
/// unknown column, a type mismatch, something kqlite cannot run yet.
#[deny(missing_docs)]
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct BindError {
    /// What kind of error.
    pub kind: BindErrorKind,
    /// One line: `unknown column `Acount``.
    pub message: String,
    /// Where in the query text.
    pub span: Span,
    /// Short text under the caret, if any.
    pub label: Option<String>,
    /// A suggestion, if any (`did you mean `Account`?`).
    pub help: Option<String>,
    /// The error follows an operator whose output columns depend on the
    /// data and were not read yet (`evaluate bag_unpack`): it may vanish
    /// once they are (see `semantic::bind`).
    pub provisional: bool,
}

#[deny(missing_docs)]
impl BindError {
    /// An error of `kind` at `span`.
    pub fn new(kind: BindErrorKind, span: Span, message: impl Into<String>) -> BindError {
        BindError {
            kind,
            message: message.into(),
            span,
            label: None,
            help: None,
            provisional: false,
        }
    }

    /// The error, with `label` under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> BindError {
        self.label = Some(label.into());
        self
    }

    /// The error, with a suggestion.
    pub fn with_help(mut self, help: Option<String>) -> BindError {
        self.help = help;
        self
    }

    /// The error as a compiler-style diagnostic.
    pub fn diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(&self.message).at(self.span);
        d.label = self.label.clone();
        d.help = self.help.clone();
        d
    }
}

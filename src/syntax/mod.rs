//! Text to syntax tree.
//!
//! [`parse`] reads a whole query into an [`ast::Query`]; [`print`] writes a
//! tree back as canonical KQL. The grammar is in `grammar/kql.ebnf`; its
//! production names are the parser's function names.
//!
//! Layout: [`lex`] (whitespace, comments, words, literals) → `prec`
//! (operator table) → `expr` (scalar expressions) → `operator` (pipelines
//! and tabular operators) → `statement` (`let`, `set`, the query).

pub mod ast;
mod error;
mod expr;
mod lex;
mod operator;
mod prec;
mod print;
mod statement;

pub use error::SyntaxError;
pub use print::print;

use crate::span::Span;

/// Parses a whole query. Parsing stops at the first error.
///
/// ```
/// let q = kqlite::syntax::parse("T | where x == 1 | take 10").unwrap();
/// assert_eq!(q.statements.len(), 1);
/// ```
pub fn parse(source: &str) -> Result<ast::Query, SyntaxError> {
    let _scope = lex::SourceScope::enter(source);
    match statement::query(source) {
        Ok((_, query)) => Ok(query),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.into_syntax_error(source)),
        Err(nom::Err::Incomplete(_)) => Err(SyntaxError {
            span: Span::point(source.len()),
            message: "unexpected end of input".into(),
            help: None,
        }),
    }
}

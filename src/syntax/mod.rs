//! Text to syntax tree.
//!
//! [`parse`] reads a whole query into an [`ast::Query`]; [`print()`] writes a
//! tree back as canonical KQL. The grammar is in `grammar/kql.ebnf`; its
//! production names are the parser's function names.
//!
//! Layout: `lex` (whitespace, comments, words, literals) → `prec`
//! (operator table) → `expr` (scalar expressions) → `operator` (pipelines
//! and tabular operators) → `statement` (`let`, `set`, the query).

pub mod ast;
mod error;
mod expr;
mod graph;
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
/// let q = kqlite::internals::syntax::parse("T | where x == 1 | take 10").unwrap();
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

/// Productions of grammar/kql.ebnf that are token shapes or tables rather
/// than functions (see the test below).
#[cfg(test)]
const TABLE_PRODUCTIONS: &[&str] = &[
    "climb_1",
    "climb_2",
    "climb_3",
    "climb_4",
    "climb_5",
    "climb_6",
    "climb_7",
    "param_name",
    "parse_part",
    "wildcard_name",
    "list_op",
    "string_op",
    "name_ref",
    "name_decl",
    "name_member",
    "identifier",
    "reserved",
    "declarable",
    "escape",
    "long",
    "hex_long",
    "real",
    "exponent",
    "timespan",
    "timespan_unit",
    "raw_guid",
    "bool_word",
    "typed_type",
];

#[cfg(test)]
mod tests {
    /// Every production of the grammar file is a parser function (or a
    /// listed token/table production), so the two cannot drift apart.
    #[test]
    fn grammar_productions_are_parser_functions() {
        let grammar = include_str!("../../grammar/kql.ebnf");
        let sources = [
            include_str!("lex.rs"),
            include_str!("expr.rs"),
            include_str!("operator.rs"),
            include_str!("statement.rs"),
            include_str!("graph.rs"),
        ]
        .concat();
        let mut missing = Vec::new();
        for line in grammar.lines() {
            let Some((lhs, _)) = line.split_once('=') else {
                continue;
            };
            let lhs = lhs.trim_end();
            if lhs.is_empty()
                || line.starts_with(' ')
                || !lhs
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            {
                continue;
            }
            let is_fn =
                sources.contains(&format!("fn {lhs}(")) || sources.contains(&format!("fn {lhs}<"));
            if !is_fn && !super::TABLE_PRODUCTIONS.contains(&lhs) {
                missing.push(lhs.to_string());
            }
        }
        assert!(
            missing.is_empty(),
            "productions without a parser function: {missing:?}"
        );
    }
}

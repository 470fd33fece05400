//! kqlite: an embedded interpreter for the Kusto Query Language (KQL).

pub mod diagnostic;
pub mod json;
pub mod span;
pub mod syntax;
pub mod types;
pub mod value;

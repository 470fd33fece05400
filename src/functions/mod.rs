//! KQL's built-in function library: for each function, its name, how many
//! arguments it takes, its result type, how an unnamed result column is
//! named, and its implementation.
//!
//! The binder looks functions up here (by name or legacy alias) and checks
//! the arguments; the executor calls `eval` with the evaluated arguments.
//! Row-level failures never raise errors in KQL: a bad conversion yields
//! null (KQL-SEMANTICS §9).

pub mod aggregate;
mod conversion;
mod datetime;
mod dynamic;
mod logic;
mod math;
mod parse_pattern;
mod string;

pub use aggregate::{AggregateFunction, lookup_aggregate};
pub use conversion::{to_kusto_string, to_string_value};

use crate::types::DataType;
use crate::value::{DateTime, Value};
use std::fmt;

/// What every function may read besides its arguments.
#[derive(Clone, Debug)]
pub struct EvalContext {
    /// `now()`: one instant for the whole query (KQL-SEMANTICS §7).
    pub now: DateTime,
}

/// The result type for the given argument types, or why they are wrong.
pub type Signature = fn(&[DataType]) -> Result<DataType, String>;
pub type Implementation = fn(&[Value], &EvalContext) -> Value;

/// How a column computed by this function is named when the query gives no
/// name (KQL-SEMANTICS §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// `Column1`, `print_0`...
    Generic,
    /// The first argument's name: `tostring(x)` → `x`.
    FirstArgument,
    /// The function name, `_`, the first argument's name: `strlen(x)` → `strlen_x`.
    Prefixed,
}

pub struct ScalarFunction {
    pub name: &'static str,
    pub min_args: usize,
    /// `usize::MAX` for variadic functions.
    pub max_args: usize,
    pub signature: Signature,
    pub eval: Implementation,
    pub naming: Naming,
    /// False for `rand()` and the like: the optimizer must not fold them.
    pub pure: bool,
}

impl fmt::Debug for ScalarFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for ScalarFunction {
    fn eq(&self, other: &ScalarFunction) -> bool {
        self.name == other.name
    }
}

/// Legacy and alternative spellings still used by published queries.
const ALIASES: &[(&str, &str)] = &[
    ("iif", "iff"),
    ("parsejson", "parse_json"),
    ("todynamic", "parse_json"),
    ("toobject", "parse_json"),
    ("todouble", "toreal"),
    ("toboolean", "tobool"),
    ("totime", "totimespan"),
    ("arraylength", "array_length"),
    ("pack", "bag_pack"),
    ("pack_dictionary", "bag_pack"),
    ("columnifexists", "column_ifexists"),
    ("notempty", "isnotempty"),
    ("notnull", "isnotnull"),
    ("floor", "bin"),
    ("replace", "replace_regex"),
    ("extractjson", "extract_json"),
];

fn canonical_name(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, canonical)| canonical)
}

/// The scalar function called `name` (or one of its aliases).
pub fn lookup_scalar(name: &str) -> Option<&'static ScalarFunction> {
    let name = canonical_name(name);
    [
        conversion::FUNCTIONS,
        string::FUNCTIONS,
        logic::FUNCTIONS,
        datetime::FUNCTIONS,
        dynamic::FUNCTIONS,
        math::FUNCTIONS,
        parse_pattern::FUNCTIONS,
    ]
    .into_iter()
    .flatten()
    .find(|f| f.name == name)
}

/// Every scalar function name, for "did you mean" suggestions.
pub fn scalar_names() -> impl Iterator<Item = &'static str> {
    [
        conversion::FUNCTIONS,
        string::FUNCTIONS,
        logic::FUNCTIONS,
        datetime::FUNCTIONS,
        dynamic::FUNCTIONS,
        math::FUNCTIONS,
    ]
    .into_iter()
    .flatten()
    .map(|f| f.name)
}

// Signature helpers shared by the function tables.

fn returns<const T: u8>(_: &[DataType]) -> Result<DataType, String> {
    Ok(type_from_code(T))
}

/// Compile-time type codes for [`returns`] (const generics cannot take enums).
const fn type_from_code(code: u8) -> DataType {
    match code {
        0 => DataType::Bool,
        1 => DataType::Int,
        2 => DataType::Long,
        3 => DataType::Real,
        4 => DataType::String,
        5 => DataType::DateTime,
        6 => DataType::Timespan,
        7 => DataType::Guid,
        _ => DataType::Dynamic,
    }
}

const BOOL: u8 = 0;
const INT: u8 = 1;
const LONG: u8 = 2;
const REAL: u8 = 3;
const STRING: u8 = 4;
const DATETIME: u8 = 5;
const TIMESPAN: u8 = 6;
const GUID: u8 = 7;
const DYNAMIC: u8 = 8;

/// The type of the first argument (`iff` branches, `coalesce`, `min_of`...):
/// the common type of all arguments past `skip`, widening numbers.
fn common_type(types: &[DataType]) -> Result<DataType, String> {
    let mut result: Option<DataType> = None;
    for &t in types {
        result = Some(match result {
            None => t,
            Some(r) => unify(r, t)
                .ok_or_else(|| format!("arguments of types {r} and {t} have no common type"))?,
        });
    }
    Ok(result.unwrap_or(DataType::Dynamic))
}

/// The type two values of types `a` and `b` can both be seen as.
pub fn unify(a: DataType, b: DataType) -> Option<DataType> {
    use DataType::*;
    if a == b {
        return Some(a);
    }
    Some(match (a, b) {
        (Dynamic, _) | (_, Dynamic) => Dynamic,
        (Int, Long) | (Long, Int) => Long,
        (Real | Decimal, Int | Long) | (Int | Long, Real | Decimal) => Real,
        (Real, Decimal) | (Decimal, Real) => Real,
        _ => return None,
    })
}

fn arg_type_error(function: &str, position: usize, expected: &str, found: DataType) -> String {
    format!(
        "argument {} of '{function}' must be {expected}, found {found}",
        position + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_their_function() {
        assert_eq!(lookup_scalar("iif").map(|f| f.name), Some("iff"));
        assert_eq!(
            lookup_scalar("parsejson").map(|f| f.name),
            Some("parse_json")
        );
        assert_eq!(
            lookup_scalar("todynamic").map(|f| f.name),
            Some("parse_json")
        );
        assert!(lookup_scalar("no_such_function").is_none());
    }

    #[test]
    fn every_function_name_is_unique() {
        let mut names: Vec<&str> = scalar_names().collect();
        let before = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(before, names.len());
    }
}

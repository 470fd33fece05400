//! KQL's built-in function library: for each function, its name, how many
//! arguments it takes, its result type, how an unnamed result column is
//! named, and its implementation.
//!
//! The binder looks functions up here (by name or legacy alias) and checks
//! the arguments; the executor calls `eval` with the evaluated arguments.
//! Row-level failures never raise errors in KQL: a bad conversion yields
//! null (docs/semantics.md#errors).

pub mod aggregate;
pub mod calendar;
mod codec;
mod conversion;
mod datetime;
mod dynamic;
mod error;
mod geo;
pub mod geo_ip;
mod hash;
mod ip;
pub mod ipv4;
mod json_path;
mod logic;
pub(crate) use logic::branch_positions;
mod math;
mod meta;
mod parse_pattern;
pub mod regex_cache;
mod row;
pub mod series;
mod series_analysis;
mod series_ops;
mod sketch;
mod special;
mod string;
pub mod strings;
mod timezone;
mod units;
mod xml;

pub use aggregate::{AggregateFunction, lookup_aggregate};
pub use error::SignatureError;

use crate::types::DataType;
use crate::value::string_form::text;
use crate::value::{DateTime, Str, Value};
use std::fmt;

/// What every function may read besides its arguments.
#[derive(Clone, Debug)]
pub struct EvalContext {
    /// `now()`: one instant for the whole query (docs/semantics.md#now).
    pub now: DateTime,
    /// The GeoIP database of `geo_info_from_ip_address()`, if one was given.
    pub geoip: Option<std::sync::Arc<geo_ip::GeoIpDatabase>>,
    /// JSON paths already read from the same texts (rule replay's windows
    /// over shared rows); `None`: every path is read afresh.
    pub json_paths: Option<std::sync::Arc<crate::json::PathCache>>,
}

impl EvalContext {
    /// A context with this `now()` and no GeoIP database.
    pub fn new(now: DateTime) -> EvalContext {
        EvalContext {
            now,
            geoip: None,
            json_paths: None,
        }
    }
}

/// The result type for the given argument types, or why they are wrong.
pub type Signature = fn(&[DataType]) -> Result<DataType, SignatureError>;
/// As [`Signature`], also seeing the value of each argument that is a
/// constant (`None` for the others): `extract(..., typeof(int))` returns
/// `int`, and a constant regex is checked before the query runs.
pub type ConstantSignature = fn(&[DataType], &[Option<&Value>]) -> Result<DataType, SignatureError>;
pub type Implementation = fn(&[Value], &EvalContext) -> Value;

/// How a column computed by this function is named when the query gives no
/// name (docs/semantics.md#column-names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// `Column1`, `print_0`...
    Generic,
    /// The first argument's name: `tostring(x)` → `x`.
    FirstArgument,
    /// The function name, `_`, the first argument's name: `strlen(x)` → `strlen_x`.
    Prefixed,
    /// A given prefix, `_`, the first argument's name: `gettype(x)` → `type_x`.
    PrefixedWith(&'static str),
    /// A fixed name: `ingestion_time()` → `$IngestionTime`.
    Fixed(&'static str),
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
    /// When set, the binder should call [`ScalarFunction::result_type`]
    /// with the constant arguments instead of `signature` (see
    /// [`ConstantSignature`]); `signature` stays the answer from types alone.
    pub constant_signature: Option<ConstantSignature>,
}

/// One row of a function table: the name, the arity (`max_args` is
/// `usize::MAX` for variadic functions), the signature giving the result
/// type, and the implementation. Every family's `FUNCTIONS` table is built
/// from these; the entry is pure with generic naming until
/// [`ScalarFunction::named`], [`ScalarFunction::impure`] or
/// [`ScalarFunction::with_constants`] say otherwise:
///
/// ```text
/// function("strlen", 1, 1, sig_long_of_any, strlen).named(Naming::Prefixed),
/// ```
const fn function(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    signature: Signature,
    eval: Implementation,
) -> ScalarFunction {
    ScalarFunction {
        name,
        min_args,
        max_args,
        signature,
        eval,
        naming: Naming::Generic,
        pure: true,
        constant_signature: None,
    }
}

impl ScalarFunction {
    pub const fn named(mut self, naming: Naming) -> ScalarFunction {
        self.naming = naming;
        self
    }

    /// Marks a function whose value changes from call to call (`rand()`).
    pub const fn impure(mut self) -> ScalarFunction {
        self.pure = false;
        self
    }

    pub const fn with_constants(mut self, signature: ConstantSignature) -> ScalarFunction {
        self.constant_signature = Some(signature);
        self
    }

    /// The result type for these argument types, given the values of the
    /// constant arguments (`constants[i]` is `Some` when argument `i` is a
    /// literal after folding).
    pub fn result_type(
        &self,
        types: &[DataType],
        constants: &[Option<&Value>],
    ) -> Result<DataType, SignatureError> {
        match self.constant_signature {
            Some(f) => f(types, constants),
            None => (self.signature)(types),
        }
    }
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
    ("extractjson", "extract_json"),
    ("base64_decodestring", "base64_decode_tostring"),
    ("base64_encodestring", "base64_encode_tostring"),
    ("parseurl", "parse_url"),
    ("parseurlquery", "parse_urlquery"),
    ("datepart", "datetime_part"),
    ("array_iif", "array_iff"),
    ("extractall", "extract_all"),
    ("array_strcat", "strcat_array"),
    ("make_string", "unicode_codepoints_to_string"),
    ("to_utf8", "unicode_codepoints_from_string"),
    ("hash_xxhash64", "hash"),
    // The docs' table of contents names it `percentile_array_tdigest`.
    ("percentile_array_tdigest", "percentiles_array_tdigest"),
];

fn canonical_name(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, canonical)| canonical)
}

/// Every table of scalar functions.
const TABLES: &[&[ScalarFunction]] = &[
    conversion::FUNCTIONS,
    string::FUNCTIONS,
    logic::FUNCTIONS,
    datetime::FUNCTIONS,
    timezone::FUNCTIONS,
    dynamic::FUNCTIONS,
    math::FUNCTIONS,
    special::FUNCTIONS,
    units::FUNCTIONS,
    codec::FUNCTIONS,
    ip::FUNCTIONS,
    hash::FUNCTIONS,
    json_path::FUNCTIONS,
    xml::FUNCTIONS,
    parse_pattern::FUNCTIONS,
    series::FUNCTIONS,
    series_ops::FUNCTIONS,
    series_analysis::FUNCTIONS,
    geo::FUNCTIONS,
    geo_ip::FUNCTIONS,
    row::FUNCTIONS,
    sketch::FUNCTIONS,
    meta::FUNCTIONS,
];

/// How many merges of t-digests of different value types (which give
/// null) this process has met; a run that raises it gets a note.
pub fn mixed_digest_merges() -> u64 {
    sketch::tdigest::mixed_merges()
}

/// The scalar function called `name` (or one of its aliases).
pub fn lookup_scalar(name: &str) -> Option<&'static ScalarFunction> {
    let name = canonical_name(name);
    TABLES.iter().copied().flatten().find(|f| f.name == name)
}

/// Every scalar function name, for "did you mean" suggestions.
pub fn scalar_names() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .copied()
        .flatten()
        .map(|f| f.name)
        .filter(|n| !n.starts_with("__"))
}

// Signature helpers shared by the function tables.

fn returns<const T: u8>(_: &[DataType]) -> Result<DataType, SignatureError> {
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
        9 => DataType::Decimal,
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
const DECIMAL: u8 = 9;

/// The type of the first argument (`iff` branches, `coalesce`, `min_of`...):
/// the common type of all arguments past `skip`, widening numbers.
fn common_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    let mut result: Option<DataType> = None;
    for &t in types {
        result = Some(match result {
            None => t,
            Some(r) => unify(r, t).ok_or(SignatureError::NoCommonType(r, t))?,
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
        (Real, Int | Long) | (Int | Long, Real) => Real,
        (Decimal, Int | Long) | (Int | Long, Decimal) => Decimal,
        (Real, Decimal) | (Decimal, Real) => Real,
        _ => return None,
    })
}

fn arg_type_error(
    function: &'static str,
    position: usize,
    expected: &'static str,
    found: DataType,
) -> SignatureError {
    SignatureError::ArgumentType {
        function,
        position,
        expected,
        found,
    }
}

// Argument checks and accessors shared by the function tables.

/// What a parameter accepts. Every kind also accepts `dynamic` (a value of
/// unknown type is checked when the row is evaluated: a wrong one gives
/// null).
///
/// The checks are looser than Kusto's where a column's type may have been
/// inferred from the data rather than declared (a JSON number where the
/// real table has a string, a date-looking string read as a datetime, JSON
/// text where the table has a dynamic column): a `string` parameter takes
/// any scalar (converted with `tostring`), a dynamic one also takes a
/// string (parsed as JSON when it is an array or object), and datetime and
/// timespan parameters also take strings (parsed as literals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Param {
    /// Any scalar: converted with `tostring` where text is needed.
    Any,
    /// `string`; any scalar is accepted and converted with `tostring`.
    Str,
    /// `int` or `long`; a `real` is accepted and truncated.
    Int,
    /// `int`, `long`, `real` or `decimal`.
    Num,
    Bool,
    DateTime,
    Timespan,
    /// A dynamic array or bag.
    Dyn,
}

impl Param {
    fn accepts(self, t: DataType) -> bool {
        use DataType as T;
        t == T::Dynamic
            || match self {
                Param::Any | Param::Str => true,
                Param::Int | Param::Num => t.is_numeric(),
                Param::Bool => t == T::Bool,
                Param::DateTime => matches!(t, T::DateTime | T::String),
                Param::Timespan => matches!(t, T::Timespan | T::String),
                Param::Dyn => t == T::String,
            }
    }

    fn describe(self) -> &'static str {
        match self {
            Param::Any => "a scalar",
            Param::Str => "a string",
            Param::Int => "an integer",
            Param::Num => "a number",
            Param::Bool => "a bool",
            Param::DateTime => "a datetime",
            Param::Timespan => "a timespan",
            Param::Dyn => "a dynamic value",
        }
    }
}

/// Checks `types` against `params`; arguments past the last parameter are
/// checked against the last one (variadic functions).
fn check_params(
    function: &'static str,
    types: &[DataType],
    params: &[Param],
) -> Result<(), SignatureError> {
    for (i, &t) in types.iter().enumerate() {
        let Some(&p) = params.get(i).or(params.last()) else {
            return Ok(());
        };
        if !p.accepts(t) {
            return Err(arg_type_error(function, i, p.describe(), t));
        }
    }
    Ok(())
}

/// Defines a signature function that checks the parameters and returns a
/// fixed type: `signature!(sig_substring, "substring", [Any, Int, Int] => String);`
macro_rules! signature {
    ($fn_name:ident, $name:literal, [$($p:ident),*] => $ret:ident) => {
        fn $fn_name(types: &[DataType]) -> Result<DataType, super::SignatureError> {
            super::check_params($name, types, &[$(super::Param::$p),*])?;
            Ok(DataType::$ret)
        }
    };
}
pub(crate) use signature;

/// Argument `i`, or null when it is absent.
fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// An integer argument: `int`, `long`, or a `real` truncated toward zero.
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        Value::Long(i) => Some(*i),
        Value::Real(r) => crate::value::number::real_to_long(*r),
        _ => None,
    }
}

/// A numeric argument as a real.
fn real_of(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn string_value(s: impl Into<Str>) -> Value {
    Value::String(s.into())
}

/// The type named by a constant `typeof(T)` argument (the binder passes it
/// as a string literal holding the type name).
fn type_literal(v: Option<&Value>) -> Option<DataType> {
    match v {
        Some(Value::String(name)) => DataType::from_name(name.trim()),
        _ => None,
    }
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

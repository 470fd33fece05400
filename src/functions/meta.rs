//! Functions the binder checks or rewrites before they reach a row:
//! `assert(condition, message)` (`assert-function`), `bin_auto(value)`
//! (`bin-auto-function`) and `estimate_data_size(columns)`
//! (`estimate-data-size-function`). Doc pages are
//! `https://learn.microsoft.com/kusto/query/<page>`.
//!
//! `assert` is decided while the query is bound (the page: it "gets
//! evaluated during the query analysis phase"), and `bin_auto` becomes
//! `bin`/`bin_at` with the sizes the query's `set` statements give
//! (`src/semantic/request.rs`); their entries here give the binder their
//! arity and result type. `estimate_data_size` runs per row: the binder
//! expands `*` into the row's columns.

use super::{EvalContext, Naming, ScalarFunction, SignatureError, arg, function};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("assert", 2, 2, sig_assert, assert),
    function("bin_auto", 1, 1, sig_bin_auto, bin_auto).named(Naming::FirstArgument),
    function(
        "estimate_data_size",
        1,
        usize::MAX,
        sig_estimate,
        estimate_data_size,
    ),
];

/// `assert(bool, string)` returns `true` (the page's Returns).
fn sig_assert(types: &[DataType]) -> Result<DataType, SignatureError> {
    super::check_params("assert", types, &[super::Param::Bool, super::Param::Str])?;
    Ok(DataType::Bool)
}

/// The value's type: `int`, `long`, `real`, `timespan` or `datetime`
/// (an `int` rounds to a `long`, as `bin` does).
fn sig_bin_auto(types: &[DataType]) -> Result<DataType, SignatureError> {
    use DataType::*;
    match types[0] {
        Int | Long => Ok(Long),
        t @ (Real | Decimal | Timespan | DateTime | Dynamic) => {
            Ok(if t == Decimal { Real } else { t })
        }
        t => Err(SignatureError::ArgumentType {
            function: "bin_auto",
            position: 0,
            expected: "an int, long, real, timespan or datetime",
            found: t,
        }),
    }
}

/// Any columns; the estimate is a `long`.
fn sig_estimate(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Long)
}

/// Reached only through a constant condition the binder has already
/// checked: the value is the condition.
fn assert(args: &[Value], _: &EvalContext) -> Value {
    match arg(args, 0) {
        Value::Bool(b) => Value::Bool(*b),
        _ => Value::Null,
    }
}

/// The binder rewrites every call into `bin`/`bin_at`; a call that reaches
/// a row has no bin size.
fn bin_auto(_: &[Value], _: &EvalContext) -> Value {
    Value::Null
}

/// `estimate_data_size(c1, c2, ...)`: the sum of the estimated sizes of
/// the values, in bytes (see [`data_size`]).
fn estimate_data_size(args: &[Value], _: &EvalContext) -> Value {
    let total = args.iter().map(data_size).fold(0u64, u64::saturating_add);
    Value::Long(i64::try_from(total).unwrap_or(i64::MAX))
}

/// The estimated size of one value in bytes. The page gives two rules by
/// its example (a `long` is 8 bytes, a string its length: `(8+10)x10 =
/// 180`) and says a dynamic value counts more than the same text as a
/// string. kqlite's other sizes (docs/semantics.md §11): `bool` 1, `int` 4,
/// `real`, `datetime` and `timespan` 8, `guid` and `decimal` 16, a
/// string its UTF-8 bytes, null 0; a dynamic array or bag 8 bytes of
/// header plus its elements (a bag also its keys' bytes), each element as
/// above plus one byte for its type.
pub fn data_size(v: &Value) -> u64 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) => 4,
        Value::Long(_) | Value::Real(_) | Value::DateTime(_) | Value::Timespan(_) => 8,
        Value::Decimal(_) | Value::Guid(_) => 16,
        Value::String(s) => s.len() as u64,
        Value::Array(items) => items
            .iter()
            .map(|i| data_size(i) + 1)
            .fold(8, u64::saturating_add),
        Value::Bag(bag) => bag
            .iter()
            .map(|(k, i)| k.len() as u64 + data_size(i) + 1)
            .fold(8, u64::saturating_add),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's example: a long and a 10-character string are 18 bytes.
    #[test]
    fn a_long_and_a_ten_character_string_are_eighteen_bytes() {
        let ctx = EvalContext::new(crate::value::DateTime(0));
        assert_eq!(
            estimate_data_size(&[Value::Long(1), Value::string("1234567890")], &ctx),
            Value::Long(18)
        );
    }

    /// The page: `dynamic({"a":"bcd"})` is larger than the string
    /// `'{"a":"bcd"}'`.
    #[test]
    fn a_dynamic_bag_is_larger_than_its_text() {
        let mut bag = crate::value::Bag::with_capacity(1);
        bag.insert(crate::value::Str::new("a"), Value::string("bcd"));
        let text = Value::string(r#"{"a":"bcd"}"#);
        assert!(data_size(&Value::bag(bag)) > data_size(&text));
    }
}

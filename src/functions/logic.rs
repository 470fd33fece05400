//! Conditionals and null tests: `iff`, `case`, `coalesce`, `not`, `isempty`...

use super::SignatureError;
use super::function;
use super::{BOOL, EvalContext, ScalarFunction, arg_type_error, common_type, returns};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("iff", 3, 3, iff_signature, iff),
    function("case", 3, usize::MAX, case_signature, case),
    function("coalesce", 2, 64, common_type, coalesce),
    function("not", 1, 1, not_signature, not),
    test("isnull", isnull),
    test("isnotnull", isnotnull),
    test("isempty", isempty),
    test("isnotempty", isnotempty),
];

const fn test(name: &'static str, eval: super::Implementation) -> ScalarFunction {
    function(name, 1, 1, returns::<BOOL>, eval)
}

fn is_true(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

fn check_predicate(
    function: &'static str,
    position: usize,
    t: DataType,
) -> Result<(), SignatureError> {
    if matches!(t, DataType::Bool | DataType::Dynamic) {
        Ok(())
    } else {
        Err(arg_type_error(function, position, "a bool", t))
    }
}

fn iff_signature(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_predicate("iff", 0, types[0])?;
    common_non_dynamic(&types[1..])
}

/// The type of `iff`'s and `case`'s result: the common type of the
/// branches that are not `dynamic`, or `dynamic` when all are (the
/// official analyzer's `CommonNonDynamic` return kind: `iff(c, bag['x'],
/// '')` is a string). The binder converts a dynamic branch to that type
/// ([`branch_positions`]).
fn common_non_dynamic(types: &[DataType]) -> Result<DataType, SignatureError> {
    let typed: Vec<DataType> = types
        .iter()
        .copied()
        .filter(|t| *t != DataType::Dynamic)
        .collect();
    if typed.is_empty() {
        Ok(DataType::Dynamic)
    } else {
        common_type(&typed)
    }
}

/// The argument positions of `iff` or `case` that give its value (every
/// other argument of `case` after a predicate, and the last); empty for
/// other functions.
pub fn branch_positions(function: &str, arity: usize) -> Vec<usize> {
    match function {
        "iff" => vec![1, 2],
        "case" => (1..arity)
            .filter(|i| i % 2 == 1 || *i == arity - 1)
            .collect(),
        _ => Vec::new(),
    }
}

/// `iff(c, a, b)`: `a` when `c` is true; a null condition picks `b`.
fn iff(args: &[Value], _: &EvalContext) -> Value {
    match args {
        [c, a, b] => {
            if is_true(c) {
                a.clone()
            } else {
                b.clone()
            }
        }
        _ => Value::Null,
    }
}

fn case_signature(types: &[DataType]) -> Result<DataType, SignatureError> {
    if types.len().is_multiple_of(2) {
        return Err(SignatureError::CasePairs);
    }
    let mut values = Vec::new();
    for (i, pair) in types.chunks(2).enumerate() {
        if let [predicate, value] = pair {
            check_predicate("case", 2 * i, *predicate)?;
            values.push(*value);
        } else {
            values.extend_from_slice(pair);
        }
    }
    common_non_dynamic(&values)
}

fn case(args: &[Value], _: &EvalContext) -> Value {
    let mut pairs = args.chunks_exact(2);
    for pair in pairs.by_ref() {
        if is_true(&pair[0]) {
            return pair[1].clone();
        }
    }
    pairs.remainder().first().cloned().unwrap_or(Value::Null)
}

/// The first argument that is neither null nor an empty string.
fn coalesce(args: &[Value], _: &EvalContext) -> Value {
    args.iter()
        .find(|v| !is_empty_value(v))
        .or(args.last())
        .cloned()
        .unwrap_or(Value::Null)
}

fn not_signature(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_predicate("not", 0, types[0])?;
    Ok(DataType::Bool)
}

fn not(args: &[Value], _: &EvalContext) -> Value {
    match args.first() {
        Some(Value::Bool(b)) => Value::Bool(!b),
        _ => Value::Null,
    }
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn isnull(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(args.first().is_none_or(Value::is_null))
}

fn isnotnull(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(!args.first().is_none_or(Value::is_null))
}

/// True for null and `""`; an empty array or bag is not empty
/// (<https://learn.microsoft.com/kusto/query/isempty-function>).
fn isempty(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(args.first().is_none_or(is_empty_value))
}

fn isnotempty(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(!args.first().is_none_or(is_empty_value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::DateTime;

    fn ctx() -> EvalContext {
        EvalContext::new(DateTime(0))
    }

    #[test]
    fn iff_with_null_condition_takes_else() {
        let args = [Value::Null, Value::Long(1), Value::Long(2)];
        assert_eq!(iff(&args, &ctx()), Value::Long(2));
    }

    #[test]
    fn case_falls_through_to_else() {
        let args = [
            Value::Bool(false),
            Value::string("a"),
            Value::Null,
            Value::string("b"),
            Value::string("c"),
        ];
        assert_eq!(case(&args, &ctx()), Value::string("c"));
    }

    #[test]
    fn coalesce_skips_nulls_and_empty_strings() {
        let args = [Value::Null, Value::string(""), Value::string("x")];
        assert_eq!(coalesce(&args, &ctx()), Value::string("x"));
    }

    #[test]
    fn empty_array_is_not_empty() {
        assert_eq!(isempty(&[Value::array(vec![])], &ctx()), Value::Bool(false));
        assert_eq!(isempty(&[Value::string("")], &ctx()), Value::Bool(true));
        assert_eq!(isnull(&[Value::string("")], &ctx()), Value::Bool(false));
    }
}

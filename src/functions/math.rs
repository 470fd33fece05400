//! Numeric functions.

use super::{EvalContext, Naming, REAL, ScalarFunction, arg_type_error, common_type, returns};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "abs",
        min_args: 1,
        max_args: 1,
        signature: numeric_signature,
        eval: abs,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "sqrt",
        min_args: 1,
        max_args: 1,
        signature: returns::<REAL>,
        eval: sqrt,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "max_of",
        min_args: 2,
        max_args: 64,
        signature: common_type,
        eval: max_of,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "min_of",
        min_args: 2,
        max_args: 64,
        signature: common_type,
        eval: min_of,
        naming: Naming::Generic,
        pure: true,
    },
];

fn numeric_signature(types: &[DataType]) -> Result<DataType, String> {
    match types[0] {
        t @ (DataType::Int
        | DataType::Long
        | DataType::Real
        | DataType::Decimal
        | DataType::Timespan) => Ok(t),
        DataType::Dynamic => Ok(DataType::Real),
        t => Err(arg_type_error("abs", 0, "a number", t)),
    }
}

fn abs(args: &[Value], _: &EvalContext) -> Value {
    match args.first() {
        Some(Value::Int(i)) => i.checked_abs().map_or(Value::Null, Value::Int),
        Some(Value::Long(i)) => i.checked_abs().map_or(Value::Null, Value::Long),
        Some(Value::Real(r)) => Value::Real(r.abs()),
        Some(Value::Timespan(t)) => {
            t.0.checked_abs()
                .map_or(Value::Null, |n| Value::Timespan(crate::value::Timespan(n)))
        }
        _ => Value::Null,
    }
}

fn sqrt(args: &[Value], _: &EvalContext) -> Value {
    args.first()
        .and_then(Value::as_f64)
        .map_or(Value::Null, |r| Value::Real(r.sqrt()))
}

/// The largest non-null argument; null when all are null.
fn max_of(args: &[Value], _: &EvalContext) -> Value {
    extreme(args, std::cmp::Ordering::Greater)
}

fn min_of(args: &[Value], _: &EvalContext) -> Value {
    extreme(args, std::cmp::Ordering::Less)
}

fn extreme(args: &[Value], wanted: std::cmp::Ordering) -> Value {
    let mut best: Option<&Value> = None;
    for v in args.iter().filter(|v| !v.is_null()) {
        best = match best {
            Some(b) if crate::value::compare::order(v, b) != Some(wanted) => Some(b),
            _ => Some(v),
        };
    }
    best.cloned().unwrap_or(Value::Null)
}

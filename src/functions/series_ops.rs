//! Element-wise series functions and the reductions over one or two series:
//! `series_add(a, b)`, `series_abs(a)`, `series_greater(a, b)`,
//! `series_sum(a)`, `series_dot_product(a, b)`... (the pages
//! `series-<name>-function` of the KQL reference).
//!
//! A series is a dynamic array of numbers. Where the documentation says
//! so, an element that is not a number (or is missing because the arrays
//! differ in length) gives a null element. A scalar number in place of a
//! series stands for that number at every position (published queries
//! write `series_multiply(10, flags)`).

use super::{EvalContext, ScalarFunction, SignatureError, arg, function};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("series_abs", 1, 1, sig_unary, series_abs),
    function("series_acos", 1, 1, sig_unary, series_acos),
    function("series_asin", 1, 1, sig_unary, series_asin),
    function("series_atan", 1, 1, sig_unary, series_atan),
    function("series_ceiling", 1, 1, sig_unary, series_ceiling),
    function("series_cos", 1, 1, sig_unary, series_cos),
    function("series_exp", 1, 1, sig_unary, series_exp),
    function("series_floor", 1, 1, sig_unary, series_floor),
    function("series_log", 1, 1, sig_unary, series_log),
    function("series_sign", 1, 1, sig_unary, series_sign),
    function("series_sin", 1, 1, sig_unary, series_sin),
    function("series_tan", 1, 1, sig_unary, series_tan),
    function("series_add", 2, 2, sig_binary, series_add),
    function("series_subtract", 2, 2, sig_binary, series_subtract),
    function("series_multiply", 2, 2, sig_binary, series_multiply),
    function("series_divide", 2, 2, sig_binary, series_divide),
    function("series_pow", 2, 2, sig_binary, series_pow),
    function("series_equals", 2, 2, sig_binary, series_equals),
    function("series_not_equals", 2, 2, sig_binary, series_not_equals),
    function("series_greater", 2, 2, sig_binary, series_greater),
    function(
        "series_greater_equals",
        2,
        2,
        sig_binary,
        series_greater_equals,
    ),
    function("series_less", 2, 2, sig_binary, series_less),
    function("series_less_equals", 2, 2, sig_binary, series_less_equals),
    function("series_sum", 1, 1, sig_reduce, series_sum),
    function("series_product", 1, 1, sig_reduce, series_product),
    function("series_magnitude", 1, 1, sig_reduce, series_magnitude),
    function("series_dot_product", 2, 2, sig_reduce2, series_dot_product),
    function(
        "series_cosine_similarity",
        2,
        2,
        sig_reduce2,
        series_cosine_similarity,
    ),
    function(
        "series_pearson_correlation",
        2,
        2,
        sig_reduce2,
        series_pearson_correlation,
    ),
];

/// Parameters that take a series also take any value: a value that is not
/// an array gives null (or, for the two-series functions, is broadcast).
fn sig_unary(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Dynamic)
}

fn sig_binary(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Dynamic)
}

fn sig_reduce(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Real)
}

fn sig_reduce2(_: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(DataType::Real)
}

/// The elements of a series argument: a dynamic array, or JSON text
/// holding one. `None` for anything else.
pub(super) fn series_arg(args: &[Value], i: usize) -> Option<std::sync::Arc<Vec<Value>>> {
    match arg(args, i) {
        Value::Array(items) => Some(items.clone()),
        Value::String(s) if s.trim_start().starts_with('[') => {
            match crate::json::parse_json_text(s) {
                Value::Array(items) => Some(items),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A series as numbers, `None` at the elements that are not numbers.
pub(super) fn numbers(items: &[Value]) -> Vec<Option<f64>> {
    items.iter().map(Value::as_f64).collect()
}

fn map_unary(args: &[Value], f: impl Fn(&Value) -> Value) -> Value {
    match series_arg(args, 0) {
        Some(items) => Value::array(items.iter().map(f).collect()),
        None => Value::Null,
    }
}

fn real_map(args: &[Value], f: fn(f64) -> f64) -> Value {
    map_unary(args, |v| {
        v.as_f64().map_or(Value::Null, |x| Value::Real(f(x)))
    })
}

fn series_abs(args: &[Value], _: &EvalContext) -> Value {
    map_unary(args, |v| match v {
        Value::Int(i) => Value::Long(i64::from(*i).abs()),
        Value::Long(i) => i.checked_abs().map_or(Value::Null, Value::Long),
        Value::Real(r) => Value::Real(r.abs()),
        _ => Value::Null,
    })
}

fn series_acos(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::acos)
}

fn series_asin(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::asin)
}

fn series_atan(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::atan)
}

fn series_ceiling(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::ceil)
}

fn series_cos(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::cos)
}

fn series_exp(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::exp)
}

fn series_floor(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::floor)
}

fn series_log(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::ln)
}

fn series_sin(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::sin)
}

fn series_tan(args: &[Value], _: &EvalContext) -> Value {
    real_map(args, f64::tan)
}

/// -1, 0 or 1 (`series-sign-function`).
fn series_sign(args: &[Value], _: &EvalContext) -> Value {
    map_unary(args, |v| {
        v.as_f64().map_or(Value::Null, |x| {
            Value::Long(if x > 0.0 {
                1
            } else if x < 0.0 {
                -1
            } else {
                0
            })
        })
    })
}

/// One side of a two-series operation: an array, or a number used at
/// every position.
enum Operand {
    Series(std::sync::Arc<Vec<Value>>),
    Scalar(Value),
}

impl Operand {
    fn of(args: &[Value], i: usize) -> Option<Operand> {
        if let Some(items) = series_arg(args, i) {
            return Some(Operand::Series(items));
        }
        let v = arg(args, i);
        v.as_f64().map(|_| Operand::Scalar(v.clone()))
    }

    fn len(&self) -> Option<usize> {
        match self {
            Operand::Series(items) => Some(items.len()),
            Operand::Scalar(_) => None,
        }
    }

    fn get(&self, i: usize) -> &Value {
        match self {
            Operand::Series(items) => items.get(i).unwrap_or(&Value::Null),
            Operand::Scalar(v) => v,
        }
    }
}

/// Element-wise `f`; the result is as long as the longer series, and an
/// element missing from the shorter one gives null.
fn zip_with(args: &[Value], f: impl Fn(&Value, &Value) -> Option<Value>) -> Value {
    let (Some(a), Some(b)) = (Operand::of(args, 0), Operand::of(args, 1)) else {
        return Value::Null;
    };
    let n = match (a.len(), b.len()) {
        (Some(x), Some(y)) => x.max(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => return Value::Null,
    };
    Value::array(
        (0..n)
            .map(|i| f(a.get(i), b.get(i)).unwrap_or(Value::Null))
            .collect(),
    )
}

fn integers(x: &Value, y: &Value) -> Option<(i64, i64)> {
    Some((x.as_i64()?, y.as_i64()?))
}

fn reals(x: &Value, y: &Value) -> Option<(f64, f64)> {
    Some((x.as_f64()?, y.as_f64()?))
}

/// Integers stay integers (`series-add-function`'s example gives
/// `[5,4,5]`); anything with a real is real.
fn arithmetic(
    args: &[Value],
    int: fn(i64, i64) -> Option<i64>,
    real: fn(f64, f64) -> f64,
) -> Value {
    zip_with(args, |x, y| match integers(x, y) {
        Some((a, b)) => int(a, b).map(Value::Long),
        None => reals(x, y).map(|(a, b)| Value::Real(real(a, b))),
    })
}

fn series_add(args: &[Value], _: &EvalContext) -> Value {
    arithmetic(args, i64::checked_add, |a, b| a + b)
}

fn series_subtract(args: &[Value], _: &EvalContext) -> Value {
    arithmetic(args, i64::checked_sub, |a, b| a - b)
}

fn series_multiply(args: &[Value], _: &EvalContext) -> Value {
    arithmetic(args, i64::checked_mul, |a, b| a * b)
}

/// Always real: `series_divide([1], [2])` is `[0.5]`.
fn series_divide(args: &[Value], _: &EvalContext) -> Value {
    zip_with(args, |x, y| reals(x, y).map(|(a, b)| Value::Real(a / b)))
}

fn series_pow(args: &[Value], _: &EvalContext) -> Value {
    zip_with(args, |x, y| {
        reals(x, y).map(|(a, b)| Value::Real(a.powf(b)))
    })
}

fn compare(args: &[Value], test: fn(f64, f64) -> bool) -> Value {
    zip_with(args, |x, y| {
        reals(x, y).map(|(a, b)| Value::Bool(test(a, b)))
    })
}

fn series_equals(args: &[Value], _: &EvalContext) -> Value {
    compare(args, |a, b| a == b)
}

fn series_not_equals(args: &[Value], _: &EvalContext) -> Value {
    compare(args, |a, b| a != b)
}

fn series_greater(args: &[Value], _: &EvalContext) -> Value {
    compare(args, |a, b| a > b)
}

fn series_greater_equals(args: &[Value], _: &EvalContext) -> Value {
    compare(args, |a, b| a >= b)
}

fn series_less(args: &[Value], _: &EvalContext) -> Value {
    compare(args, |a, b| a < b)
}

fn series_less_equals(args: &[Value], _: &EvalContext) -> Value {
    compare(args, |a, b| a <= b)
}

/// The numbers of a series, skipping the elements that are not numbers.
fn finite_numbers(args: &[Value], i: usize) -> Option<Vec<f64>> {
    series_arg(args, i).map(|items| items.iter().filter_map(Value::as_f64).collect())
}

fn series_sum(args: &[Value], _: &EvalContext) -> Value {
    finite_numbers(args, 0).map_or(Value::Null, |xs| Value::Real(xs.iter().sum()))
}

fn series_product(args: &[Value], _: &EvalContext) -> Value {
    finite_numbers(args, 0).map_or(Value::Null, |xs| Value::Real(xs.iter().product()))
}

fn series_magnitude(args: &[Value], _: &EvalContext) -> Value {
    finite_numbers(args, 0).map_or(Value::Null, |xs| {
        Value::Real(xs.iter().map(|x| x * x).sum::<f64>().sqrt())
    })
}

/// The pairs of numbers at the same position, the longer series truncated
/// and positions where either is not a number skipped
/// (`series-dot-product-function`); `None` when either is empty.
/// A number in place of either series is used at every position of the
/// other (the page's second example).
fn pairs(args: &[Value]) -> Option<Vec<(f64, f64)>> {
    let (a, b) = (Operand::of(args, 0)?, Operand::of(args, 1)?);
    let n = match (a.len(), b.len()) {
        (Some(x), Some(y)) => x.min(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => return None,
    };
    if n == 0 {
        return None;
    }
    Some((0..n).filter_map(|i| reals(a.get(i), b.get(i))).collect())
}

fn series_dot_product(args: &[Value], _: &EvalContext) -> Value {
    pairs(args).map_or(Value::Null, |p| {
        Value::Real(p.iter().map(|(x, y)| x * y).sum())
    })
}

fn series_cosine_similarity(args: &[Value], _: &EvalContext) -> Value {
    let Some(p) = pairs(args) else {
        return Value::Null;
    };
    let dot: f64 = p.iter().map(|(x, y)| x * y).sum();
    let na: f64 = p.iter().map(|(x, _)| x * x).sum::<f64>().sqrt();
    let nb: f64 = p.iter().map(|(_, y)| y * y).sum::<f64>().sqrt();
    Value::Real(dot / (na * nb))
}

/// Null when the series differ in length or hold anything but numbers
/// (`series-pearson-correlation-function`).
fn series_pearson_correlation(args: &[Value], _: &EvalContext) -> Value {
    let (Some(a), Some(b)) = (series_arg(args, 0), series_arg(args, 1)) else {
        return Value::Null;
    };
    if a.len() != b.len() || a.is_empty() {
        return Value::Null;
    }
    let Some(p) = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| reals(x, y))
        .collect::<Option<Vec<_>>>()
    else {
        return Value::Null;
    };
    let n = p.len() as f64;
    let mx = p.iter().map(|(x, _)| x).sum::<f64>() / n;
    let my = p.iter().map(|(_, y)| y).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &p {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    Value::Real(sxy / (sxx * syy).sqrt())
}

//! Numeric functions; doc pages are
//! `https://learn.microsoft.com/kusto/query/<name>-function`.
//!
//! The real-valued functions (`exp`, `log`, `pow`, …) follow IEEE 754 as
//! .NET's `Math` does: an overflow gives an infinity, a domain error NaN
//! (`pow(-8, 1.0/3)`), and a null argument null, except where a function's
//! page says its domain errors are null: `sqrt`, `log`, `log2` and `log10` of
//! a negative number, `acos` and `asin` outside [-1, 1] (each page's Returns
//! section).

use super::SignatureError;
use super::function;
use super::{
    EvalContext, Naming, ScalarFunction, arg, arg_type_error, common_type, int_of, real_of,
    signature,
};
use crate::types::DataType;
use crate::value::number;
use crate::value::{Timespan, Value, compare};

/// A real function of one real, named after its argument.
const fn real1(name: &'static str, eval: super::Implementation) -> ScalarFunction {
    function(name, 1, 1, sig_real_of_num, eval).named(Naming::FirstArgument)
}

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("abs", 1, 1, sig_abs, abs).named(Naming::FirstArgument),
    real1("sqrt", sqrt),
    function("max_of", 2, 64, common_type, max_of),
    function("min_of", 2, 64, common_type, min_of),
    function("round", 1, 2, sig_round, round).named(Naming::FirstArgument),
    function("ceiling", 1, 1, sig_same_number, ceiling).named(Naming::FirstArgument),
    real1("exp", exp),
    real1("exp2", exp2),
    real1("exp10", exp10),
    real1("log", log),
    real1("log2", log2),
    real1("log10", log10),
    function("pow", 2, 2, sig_real_of_num, pow).named(Naming::FirstArgument),
    real1("cos", cos),
    real1("sin", sin),
    real1("tan", tan),
    real1("acos", acos),
    real1("asin", asin),
    real1("atan", atan),
    function("atan2", 2, 2, sig_real_of_num, atan2).named(Naming::FirstArgument),
    function("cot", 1, 1, sig_real_of_num, cot),
    function("degrees", 1, 1, sig_real_of_num, degrees),
    function("radians", 1, 1, sig_real_of_num, radians),
    function("sign", 1, 1, sig_real_of_num, sign),
    function("pi", 0, 0, sig_real_of_num, pi),
    function("around", 3, 3, sig_around, around),
    function("welch_test", 6, 6, sig_real_of_num, welch_test),
    function("isnan", 1, 1, sig_bool_of_num, isnan),
    function("isinf", 1, 1, sig_bool_of_num, isinf),
    function("isfinite", 1, 1, sig_bool_of_num, isfinite),
    function("rand", 0, 1, sig_rand, rand).impure(),
    function("binary_and", 2, 2, sig_bits, binary_and).named(Naming::FirstArgument),
    function("binary_or", 2, 2, sig_bits, binary_or).named(Naming::FirstArgument),
    function("binary_xor", 2, 2, sig_bits, binary_xor).named(Naming::FirstArgument),
    function("binary_not", 1, 1, sig_bits, binary_not).named(Naming::FirstArgument),
    function("binary_shift_left", 2, 2, sig_bits, binary_shift_left).named(Naming::FirstArgument),
    function("binary_shift_right", 2, 2, sig_bits, binary_shift_right).named(Naming::FirstArgument),
    function("bitset_count_ones", 1, 1, sig_bits, bitset_count_ones).named(Naming::FirstArgument),
];

signature!(sig_real_of_num, "math function", [Num] => Real);
signature!(sig_bool_of_num, "isnan", [Num] => Bool);
signature!(sig_rand, "rand", [Int] => Real);
signature!(sig_bits, "binary_and", [Int] => Long);

/// `around(value, center, delta)` (around-function): a `bool`; numbers,
/// or a datetime/timespan value and center with a timespan delta.
fn sig_around(types: &[DataType]) -> Result<DataType, SignatureError> {
    let ok = |t: DataType| {
        t.is_numeric()
            || matches!(
                t,
                DataType::DateTime | DataType::Timespan | DataType::Dynamic
            )
    };
    for (i, t) in types.iter().enumerate() {
        if !ok(*t) {
            return Err(arg_type_error(
                "around",
                i,
                "a number, datetime or timespan",
                *t,
            ));
        }
    }
    Ok(DataType::Bool)
}

/// `around(value, center, delta)`: whether `value` lies in
/// [center - delta, center + delta]; null when an argument is null or the
/// kinds do not match (around-function).
fn around(args: &[Value], _: &EvalContext) -> Value {
    let ticks = |v: &Value| match v {
        Value::DateTime(d) => Some(d.0),
        Value::Timespan(t) => Some(t.0),
        _ => None,
    };
    match (arg(args, 0), arg(args, 1), arg(args, 2)) {
        (
            v @ (Value::DateTime(_) | Value::Timespan(_)),
            c @ (Value::DateTime(_) | Value::Timespan(_)),
            Value::Timespan(d),
        ) => match (ticks(v), ticks(c)) {
            (Some(v), Some(c)) => {
                let delta = i128::from(d.0).abs();
                Value::Bool((i128::from(v) - i128::from(c)).abs() <= delta)
            }
            _ => Value::Null,
        },
        (v, c, d) => match (num_of(v), num_of(c), num_of(d)) {
            (Some(v), Some(c), Some(d)) => Value::Bool(v >= c - d && v <= c + d),
            _ => Value::Null,
        },
    }
}

/// A number (not a datetime or timespan) as a real.
fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Int(_) | Value::Long(_) | Value::Real(_) | Value::Decimal(_) => v.as_f64(),
        _ => None,
    }
}

/// `abs`: a long for integers, the argument's type otherwise (timespans too).
fn sig_abs(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types[0] {
        DataType::Int | DataType::Long => Ok(DataType::Long),
        t @ (DataType::Real | DataType::Decimal | DataType::Timespan) => Ok(t),
        DataType::Dynamic => Ok(DataType::Real),
        t => Err(arg_type_error("abs", 0, "a number", t)),
    }
}

/// `round`, `ceiling`: the number's own type.
fn sig_same_number(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types[0] {
        t if t.is_numeric() => Ok(t),
        DataType::Dynamic => Ok(DataType::Real),
        t => Err(arg_type_error("round", 0, "a number", t)),
    }
}

fn sig_round(types: &[DataType]) -> Result<DataType, SignatureError> {
    super::check_params("round", types, &[super::Param::Num, super::Param::Int])?;
    sig_same_number(types)
}

fn real(v: f64) -> Value {
    Value::Real(v)
}

fn map1(args: &[Value], f: fn(f64) -> f64) -> Value {
    real_of(arg(args, 0)).map_or(Value::Null, |x| real(f(x)))
}

fn map2(args: &[Value], f: fn(f64, f64) -> f64) -> Value {
    match (real_of(arg(args, 0)), real_of(arg(args, 1))) {
        (Some(a), Some(b)) => real(f(a, b)),
        _ => Value::Null,
    }
}

/// `abs(x)` (`abs-function`); null on overflow (`abs(long.min)`).
fn abs(args: &[Value], _: &EvalContext) -> Value {
    match arg(args, 0) {
        Value::Int(i) => Value::Long(i64::from(*i).abs()),
        Value::Long(i) => i.checked_abs().map_or(Value::Null, Value::Long),
        Value::Real(r) => Value::Real(r.abs()),
        Value::Timespan(t) => {
            t.0.checked_abs()
                .map_or(Value::Null, |n| Value::Timespan(Timespan(n)))
        }
        _ => Value::Null,
    }
}

/// `f` of the first argument where `domain` holds, null outside it: the
/// functions whose pages say a domain error is null (see the module comment).
fn map1_within(args: &[Value], domain: fn(f64) -> bool, f: fn(f64) -> f64) -> Value {
    match real_of(arg(args, 0)) {
        Some(x) if !domain(x) => Value::Null,
        _ => map1(args, f),
    }
}

/// Not negative: the domain of `sqrt` and of the logarithms. Zero stays in
/// (`log(0)` is -inf) and NaN passes through as NaN.
fn not_negative(x: f64) -> bool {
    x >= 0.0 || x.is_nan()
}

/// Within [-1, 1], the domain of `acos` and `asin`; NaN passes through.
fn within_unit(x: f64) -> bool {
    x.abs() <= 1.0 || x.is_nan()
}

/// `sqrt(x)` (`sqrt-function`): null for a negative argument.
fn sqrt(args: &[Value], _: &EvalContext) -> Value {
    map1_within(args, not_negative, f64::sqrt)
}

/// The largest non-null argument; null when all are null (`max-of-function`).
fn max_of(args: &[Value], _: &EvalContext) -> Value {
    extreme(args, std::cmp::Ordering::Greater)
}

/// The smallest non-null argument (`min-of-function`).
fn min_of(args: &[Value], _: &EvalContext) -> Value {
    extreme(args, std::cmp::Ordering::Less)
}

fn extreme(args: &[Value], wanted: std::cmp::Ordering) -> Value {
    let mut best: Option<&Value> = None;
    for v in args.iter().filter(|v| !v.is_null()) {
        best = match best {
            Some(b) if compare::order(v, b) != Some(wanted) => Some(b),
            _ => Some(v),
        };
    }
    best.cloned().unwrap_or(Value::Null)
}

/// `round(number [, precision])` (`round-function`): halves away from
/// zero (see [`number::round`]).
fn round(args: &[Value], _: &EvalContext) -> Value {
    let digits = match args.get(1) {
        None => 0,
        Some(v) => match int_of(v) {
            Some(d) => d,
            None => return Value::Null,
        },
    };
    match arg(args, 0) {
        Value::Int(i) => number::round_long(i64::from(*i), digits)
            .and_then(|r| i32::try_from(r).ok())
            .map_or(Value::Null, Value::Int),
        Value::Long(i) => number::round_long(*i, digits).map_or(Value::Null, Value::Long),
        Value::Real(r) => real(number::round(*r, digits)),
        _ => Value::Null,
    }
}

/// `ceiling(number)` (`ceiling-function`): the smallest integer not below.
fn ceiling(args: &[Value], _: &EvalContext) -> Value {
    match arg(args, 0) {
        v @ (Value::Int(_) | Value::Long(_)) => v.clone(),
        Value::Real(r) => real(r.ceil()),
        _ => Value::Null,
    }
}

fn exp(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::exp)
}

fn exp2(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::exp2)
}

fn exp10(args: &[Value], _: &EvalContext) -> Value {
    map1(args, |x| 10f64.powf(x))
}

/// `log(x)`: the natural logarithm; NaN for negatives, -inf for 0.
/// `log(x)` (`log-function`): null for a negative argument.
fn log(args: &[Value], _: &EvalContext) -> Value {
    map1_within(args, not_negative, f64::ln)
}

/// `log2(x)` (`log2-function`): null for a negative argument.
fn log2(args: &[Value], _: &EvalContext) -> Value {
    map1_within(args, not_negative, f64::log2)
}

/// `log10(x)` (`log10-function`): null for a negative argument.
fn log10(args: &[Value], _: &EvalContext) -> Value {
    map1_within(args, not_negative, f64::log10)
}

/// `welch_test(mean1, variance1, count1, mean2, variance2, count2)`
/// (`welch-test-function`): the two-sided p-value of Welch's unequal-variances
/// t-test, `t = (m1 - m2) / sqrt(v1/n1 + v2/n2)` with the Welch–Satterthwaite
/// degrees of freedom; the Student-t tail is the regularized incomplete beta
/// function `I_{df/(df+t²)}(df/2, 1/2)`. Null when an argument is null or the
/// statistic is undefined (a count of 1 or less, zero variances).
fn welch_test(args: &[Value], _: &EvalContext) -> Value {
    let mut x = [0.0; 6];
    for (i, slot) in x.iter_mut().enumerate() {
        match real_of(arg(args, i)) {
            Some(v) => *slot = v,
            None => return Value::Null,
        }
    }
    let [m1, v1, n1, m2, v2, n2] = x;
    let (a, b) = (v1 / n1, v2 / n2);
    let t = (m1 - m2) / (a + b).sqrt();
    let df = (a + b).powi(2) / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    if !(t.is_finite() && df.is_finite() && df > 0.0) {
        return Value::Null;
    }
    real(regularized_beta(df / (df + t * t), df / 2.0, 0.5))
}

/// `ln Γ(x)` for `x > 0` (Lanczos approximation, g = 7, nine terms; about 15
/// significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)` for `0 <= x <= 1`,
/// from its continued fraction (evaluated by the modified Lentz method), using
/// the symmetry `I_x(a, b) = 1 - I_{1-x}(b, a)` where the fraction converges
/// slowly.
fn regularized_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - regularized_beta(1.0 - x, b, a);
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp() / a;
    const TINY: f64 = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut f = d;
    for m in 1..=300 {
        let m = f64::from(m);
        // Even step, then odd step, of the continued fraction.
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        for coeff in [even, odd] {
            d = 1.0 + coeff * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + coeff / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            f *= c * d;
        }
        if (c * d - 1.0).abs() < 1e-15 {
            break;
        }
    }
    front * f
}

fn pow(args: &[Value], _: &EvalContext) -> Value {
    map2(args, f64::powf)
}

fn cos(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::cos)
}

fn sin(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::sin)
}

fn tan(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::tan)
}

/// `acos(x)` (`acos-function`): null outside [-1, 1].
fn acos(args: &[Value], _: &EvalContext) -> Value {
    map1_within(args, within_unit, f64::acos)
}

/// `asin(x)` (`asin-function`): null outside [-1, 1].
fn asin(args: &[Value], _: &EvalContext) -> Value {
    map1_within(args, within_unit, f64::asin)
}

fn atan(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::atan)
}

/// `atan2(y, x)`.
fn atan2(args: &[Value], _: &EvalContext) -> Value {
    map2(args, f64::atan2)
}

fn cot(args: &[Value], _: &EvalContext) -> Value {
    map1(args, |x| 1.0 / x.tan())
}

fn degrees(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::to_degrees)
}

fn radians(args: &[Value], _: &EvalContext) -> Value {
    map1(args, f64::to_radians)
}

/// `sign(x)` (`sign-function`): -1, 0 or 1 as a real; NaN stays NaN.
fn sign(args: &[Value], _: &EvalContext) -> Value {
    map1(args, |x| {
        if x.is_nan() {
            x
        } else if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        }
    })
}

fn pi(_: &[Value], _: &EvalContext) -> Value {
    real(std::f64::consts::PI)
}

fn test_real(args: &[Value], f: fn(f64) -> bool) -> Value {
    real_of(arg(args, 0)).map_or(Value::Null, |x| Value::Bool(f(x)))
}

/// `isnan(x)` (`isnan-function`).
fn isnan(args: &[Value], _: &EvalContext) -> Value {
    test_real(args, f64::is_nan)
}

fn isinf(args: &[Value], _: &EvalContext) -> Value {
    test_real(args, f64::is_infinite)
}

fn isfinite(args: &[Value], _: &EvalContext) -> Value {
    test_real(args, f64::is_finite)
}

/// `rand()`: a real in [0, 1); `rand(N)`: a whole number in [0, N)
/// (`rand-function`), as a real (the analyzer's result type).
fn rand(args: &[Value], _: &EvalContext) -> Value {
    match args.first() {
        None => real(fastrand::f64()),
        Some(v) => match int_of(v) {
            Some(n) if n > 0 => real(fastrand::i64(0..n) as f64),
            _ => Value::Null,
        },
    }
}

fn bits2(args: &[Value], f: fn(i64, i64) -> Option<i64>) -> Value {
    match (int_of(arg(args, 0)), int_of(arg(args, 1))) {
        (Some(a), Some(b)) => f(a, b).map_or(Value::Null, Value::Long),
        _ => Value::Null,
    }
}

fn binary_and(args: &[Value], _: &EvalContext) -> Value {
    bits2(args, |a, b| Some(a & b))
}

fn binary_or(args: &[Value], _: &EvalContext) -> Value {
    bits2(args, |a, b| Some(a | b))
}

fn binary_xor(args: &[Value], _: &EvalContext) -> Value {
    bits2(args, |a, b| Some(a ^ b))
}

fn binary_not(args: &[Value], _: &EvalContext) -> Value {
    int_of(arg(args, 0)).map_or(Value::Null, |a| Value::Long(!a))
}

/// Shifts of 64 or more, or negative, give null (decision).
fn binary_shift_left(args: &[Value], _: &EvalContext) -> Value {
    bits2(args, |a, b| {
        u32::try_from(b).ok().and_then(|b| a.checked_shl(b))
    })
}

fn binary_shift_right(args: &[Value], _: &EvalContext) -> Value {
    bits2(args, |a, b| {
        u32::try_from(b).ok().and_then(|b| a.checked_shr(b))
    })
}

fn bitset_count_ones(args: &[Value], _: &EvalContext) -> Value {
    int_of(arg(args, 0)).map_or(Value::Null, |a| Value::Long(i64::from(a.count_ones())))
}

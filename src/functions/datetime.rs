//! Date and time functions.

use super::{DATETIME, EvalContext, Naming, ScalarFunction, arg_type_error, returns};
use crate::types::DataType;
use crate::value::{DateTime, Timespan, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "now",
        min_args: 0,
        max_args: 1,
        signature: returns::<DATETIME>,
        eval: now,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "ago",
        min_args: 1,
        max_args: 1,
        signature: ago_signature,
        eval: ago,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "bin",
        min_args: 2,
        max_args: 2,
        signature: bin_signature,
        eval: bin,
        naming: Naming::FirstArgument,
        pure: true,
    },
];

/// `now([offset])`: the query's single "now" (KQL-SEMANTICS §7).
fn now(args: &[Value], ctx: &EvalContext) -> Value {
    match args.first() {
        None => Value::DateTime(ctx.now),
        Some(Value::Timespan(t)) => shift(ctx.now, t.0),
        Some(_) => Value::Null,
    }
}

fn ago_signature(types: &[DataType]) -> Result<DataType, String> {
    match types[0] {
        DataType::Timespan | DataType::Dynamic => Ok(DataType::DateTime),
        t => Err(arg_type_error("ago", 0, "a timespan", t)),
    }
}

fn ago(args: &[Value], ctx: &EvalContext) -> Value {
    match args.first() {
        Some(Value::Timespan(t)) => shift(ctx.now, t.0.saturating_neg()),
        _ => Value::Null,
    }
}

fn shift(t: DateTime, ticks: i64) -> Value {
    t.0.checked_add(ticks)
        .filter(|n| (DateTime::MIN.0..=DateTime::MAX.0).contains(n))
        .map_or(Value::Null, |n| Value::DateTime(DateTime(n)))
}

fn bin_signature(types: &[DataType]) -> Result<DataType, String> {
    use DataType::*;
    match (types[0], types[1]) {
        (DateTime, Timespan | Dynamic) => Ok(DateTime),
        (Timespan, Timespan | Dynamic) => Ok(Timespan),
        (Int | Long, Int | Long) => Ok(Long),
        (Int | Long | Real | Decimal, Real | Decimal | Int | Long) => Ok(Real),
        (Dynamic, _) => Ok(Dynamic),
        (t, s) => Err(format!("'bin' cannot round a {t} to a multiple of a {s}")),
    }
}

/// `bin(value, size)`: round down to a multiple of `size`; null for a null,
/// zero or negative size (<https://learn.microsoft.com/kusto/query/bin-function>).
fn bin(args: &[Value], _: &EvalContext) -> Value {
    let (value, size) = match args {
        [v, s] => (v, s),
        _ => return Value::Null,
    };
    match (value, size) {
        (Value::DateTime(d), Value::Timespan(Timespan(s))) if *s > 0 => {
            Value::DateTime(DateTime(d.0.div_euclid(*s) * s))
        }
        (Value::Timespan(t), Value::Timespan(Timespan(s))) if *s > 0 => {
            Value::Timespan(Timespan(t.0.div_euclid(*s) * s))
        }
        (v, s) => match (v.as_i64(), s.as_i64()) {
            (Some(v), Some(s)) if s > 0 => Value::Long(v.div_euclid(s) * s),
            _ => match (v.as_f64(), s.as_f64()) {
                (Some(v), Some(s)) if s > 0.0 => Value::Real((v / s).floor() * s),
                _ => Value::Null,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::time::TICKS_PER_DAY;

    fn ctx() -> EvalContext {
        EvalContext {
            now: DateTime(100 * TICKS_PER_DAY),
        }
    }

    #[test]
    fn bin_rounds_down() {
        assert_eq!(
            bin(&[Value::Real(4.5), Value::Long(1)], &ctx()),
            Value::Real(4.0)
        );
        assert_eq!(
            bin(&[Value::Long(-3), Value::Long(2)], &ctx()),
            Value::Long(-4)
        );
        assert_eq!(
            bin(
                &[
                    Value::Timespan(Timespan(16 * TICKS_PER_DAY)),
                    Value::Timespan(Timespan(7 * TICKS_PER_DAY))
                ],
                &ctx()
            ),
            Value::Timespan(Timespan(14 * TICKS_PER_DAY))
        );
        assert_eq!(bin(&[Value::Long(3), Value::Long(0)], &ctx()), Value::Null);
    }

    #[test]
    fn ago_subtracts_from_the_query_now() {
        assert_eq!(
            ago(&[Value::Timespan(Timespan(TICKS_PER_DAY))], &ctx()),
            Value::DateTime(DateTime(99 * TICKS_PER_DAY))
        );
    }
}

//! Operators on values: comparison, arithmetic, negation, member and
//! element access, with KQL's null rules (docs/semantics.md#arithmetic, #nulls).

use super::{DateTime, Timespan, Value, compare};
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `==` and friends on two values already converted to one domain:
/// `∅ == x → false`, `∅ != x → true`, `∅ == ∅ → ∅`, orderings with null → ∅.
#[inline]
pub fn compare_values(op: CompareOp, l: &Value, r: &Value) -> Value {
    match op {
        CompareOp::Eq | CompareOp::NotEq => {
            let eq = match (l.is_null(), r.is_null()) {
                (true, true) => return Value::Null,
                (true, false) | (false, true) => false,
                (false, false) => compare::equal(l, r).unwrap_or(false),
            };
            Value::Bool(eq == (op == CompareOp::Eq))
        }
        _ => match compare::order(l, r) {
            Some(o) => Value::Bool(match op {
                CompareOp::Lt => o == Ordering::Less,
                CompareOp::Le => o != Ordering::Greater,
                CompareOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }),
            None => Value::Null,
        },
    }
}

/// `-x`: an `int` without a negation (its minimum) is null, a `long` wraps;
/// null for anything but a number or a timespan.
#[inline]
pub fn negate(v: Value) -> Value {
    match v {
        Value::Int(i) => i.checked_neg().map_or(Value::Null, Value::Int),
        Value::Long(i) => Value::Long(i.wrapping_neg()),
        Value::Real(r) => Value::Real(-r),
        Value::Decimal(d) => Value::Decimal(-d),
        Value::Timespan(t) => Value::Timespan(Timespan(t.0.wrapping_neg())),
        _ => Value::Null,
    }
}

fn datetime_value(ticks: Option<i64>) -> Value {
    ticks
        .filter(|t| (DateTime::MIN.0..=DateTime::MAX.0).contains(t))
        .map_or(Value::Null, |t| Value::DateTime(DateTime(t)))
}

/// Arithmetic (docs/semantics.md#arithmetic): integers wrap like .NET's unchecked
/// arithmetic, integer division truncates, `%` is never negative, division
/// by an integer zero is null.
#[inline]
pub fn arithmetic(op: ArithOp, l: Value, r: Value) -> Value {
    use Value::*;
    match (&l, &r) {
        (Null, _) | (_, Null) => Null,
        (Int(_) | Long(_), Int(_) | Long(_)) => {
            let (a, b) = (l.as_i64().unwrap_or(0), r.as_i64().unwrap_or(0));
            match op {
                ArithOp::Add => Long(a.wrapping_add(b)),
                ArithOp::Sub => Long(a.wrapping_sub(b)),
                ArithOp::Mul => Long(a.wrapping_mul(b)),
                ArithOp::Div if b == 0 => Null,
                ArithOp::Div => Long(a.wrapping_div(b)),
                ArithOp::Mod if b == 0 => Null,
                ArithOp::Mod => a.checked_rem_euclid(b).map_or(Null, Long),
            }
        }
        (Decimal(_), Int(_) | Long(_) | Decimal(_)) | (Int(_) | Long(_), Decimal(_)) => {
            let (Some(a), Some(b)) = (super::number::as_decimal(&l), super::number::as_decimal(&r))
            else {
                return Null;
            };
            let d = match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
                ArithOp::Div => a.checked_div(b),
                ArithOp::Mod => a.checked_rem(b).map(|m| {
                    if m.is_sign_negative() && !m.is_zero() {
                        m + b.abs()
                    } else {
                        m
                    }
                }),
            };
            d.map_or(Null, Decimal)
        }
        (Int(_) | Long(_) | Real(_) | Decimal(_), Int(_) | Long(_) | Real(_) | Decimal(_)) => {
            let (a, b) = (l.as_f64().unwrap_or(0.0), r.as_f64().unwrap_or(0.0));
            Real(match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div => a / b,
                ArithOp::Mod => a.rem_euclid(b),
            })
        }
        (DateTime(a), DateTime(b)) if op == ArithOp::Sub => {
            Timespan(super::Timespan(a.0.wrapping_sub(b.0)))
        }
        (DateTime(a), Timespan(b)) => match op {
            ArithOp::Add => datetime_value(a.0.checked_add(b.0)),
            ArithOp::Sub => datetime_value(a.0.checked_sub(b.0)),
            ArithOp::Mod if b.0 == 0 => Null,
            ArithOp::Mod => {
                a.0.checked_rem_euclid(b.0)
                    .map_or(Null, |t| Timespan(super::Timespan(t)))
            }
            _ => Null,
        },
        (Timespan(a), DateTime(b)) if op == ArithOp::Add => datetime_value(b.0.checked_add(a.0)),
        (Timespan(a), Timespan(b)) => match op {
            ArithOp::Add => Timespan(super::Timespan(a.0.wrapping_add(b.0))),
            ArithOp::Sub => Timespan(super::Timespan(a.0.wrapping_sub(b.0))),
            ArithOp::Div if b.0 == 0 => Null,
            ArithOp::Div => Real(a.0 as f64 / b.0 as f64),
            ArithOp::Mod if b.0 == 0 => Null,
            ArithOp::Mod => Timespan(super::Timespan(a.0.rem_euclid(b.0))),
            ArithOp::Mul => Null,
        },
        (Timespan(a), _) if matches!(op, ArithOp::Mul | ArithOp::Div) => {
            let Some(n) = r.as_f64() else { return Null };
            let ticks = if op == ArithOp::Mul {
                a.0 as f64 * n
            } else {
                a.0 as f64 / n
            };
            scaled_timespan(ticks)
        }
        (_, Timespan(b)) if op == ArithOp::Mul => {
            let Some(n) = l.as_f64() else { return Null };
            scaled_timespan(b.0 as f64 * n)
        }
        _ => Null,
    }
}

fn scaled_timespan(ticks: f64) -> Value {
    if ticks.is_finite() && ticks.abs() < 9.2e18 {
        Value::Timespan(Timespan(ticks.round() as i64))
    } else {
        Value::Null
    }
}

/// `d.key`: a property of a bag; null for anything else.
#[inline]
pub fn member(target: &Value, key: &str) -> Value {
    match target {
        Value::Bag(b) => b.get(key).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// `d[i]`: an array element, negative indexes counting from the end; a
/// string index reads a property.
#[inline]
pub fn index_value(target: &Value, index: &Value) -> Value {
    match (target, index) {
        (Value::Array(items), i) => match i.as_i64() {
            Some(i) => {
                let len = items.len() as i64;
                let at = if i < 0 { len + i } else { i };
                usize::try_from(at)
                    .ok()
                    .and_then(|at| items.get(at))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            None => Value::Null,
        },
        (Value::Bag(_), Value::String(key)) => member(target, key),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_truncates_and_modulo_is_not_negative() {
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Long(1), Value::Long(2)),
            Value::Long(0)
        );
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Long(-7), Value::Long(2)),
            Value::Long(-3)
        );
        assert_eq!(
            arithmetic(ArithOp::Mod, Value::Long(-14), Value::Long(12)),
            Value::Long(10)
        );
        assert_eq!(
            arithmetic(ArithOp::Mod, Value::Long(14), Value::Long(-12)),
            Value::Long(2)
        );
        assert_eq!(
            arithmetic(ArithOp::Mod, Value::Long(-14), Value::Long(-12)),
            Value::Long(10)
        );
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Long(1), Value::Long(0)),
            Value::Null
        );
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Real(1.0), Value::Long(2)),
            Value::Real(0.5)
        );
    }

    #[test]
    fn null_comparisons_follow_the_kql_table() {
        assert_eq!(
            compare_values(CompareOp::Eq, &Value::Null, &Value::Long(1)),
            Value::Bool(false)
        );
        assert_eq!(
            compare_values(CompareOp::NotEq, &Value::Null, &Value::Long(1)),
            Value::Bool(true)
        );
        assert_eq!(
            compare_values(CompareOp::Eq, &Value::Null, &Value::Null),
            Value::Null
        );
        assert_eq!(
            compare_values(CompareOp::Lt, &Value::Null, &Value::Long(1)),
            Value::Null
        );
    }

    #[test]
    fn negative_index_counts_from_the_end() {
        let a = Value::array(vec![Value::Long(1), Value::Long(2), Value::Long(3)]);
        assert_eq!(index_value(&a, &Value::Long(-1)), Value::Long(3));
        assert_eq!(index_value(&a, &Value::Long(-4)), Value::Null);
        assert_eq!(index_value(&a, &Value::Long(3)), Value::Null);
    }
}

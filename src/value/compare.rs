//! Comparing values: equality and order between two values of the same
//! comparison domain (the binder converts operands to one domain first).
//!
//! Numbers of any width compare by value (`1 == 1.0`). Strings compare
//! ordinally, by code point. Arrays and bags compare structurally. Null is
//! not equal, smaller or larger than anything: those functions return
//! `None` and the caller applies KQL's null rules (docs/semantics.md#nulls).

use crate::value::Value;
use std::cmp::Ordering;

/// The order of two non-null values of one domain; `None` when either is
/// null, when they are of unrelated kinds, or for NaN.
pub fn order(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Long(x), Long(y)) => Some(x.cmp(y)),
        (Int(_) | Long(_), Int(_) | Long(_)) => Some(a.as_i64()?.cmp(&b.as_i64()?)),
        (Decimal(_), Int(_) | Long(_) | Decimal(_)) | (Int(_) | Long(_), Decimal(_)) => {
            Some(super::number::as_decimal(a)?.cmp(&super::number::as_decimal(b)?))
        }
        (Int(_) | Long(_) | Real(_) | Decimal(_), Int(_) | Long(_) | Real(_) | Decimal(_)) => {
            a.as_f64()?.partial_cmp(&b.as_f64()?)
        }
        (DateTime(x), DateTime(y)) => Some(x.cmp(y)),
        (Timespan(x), Timespan(y)) => Some(x.cmp(y)),
        (String(x), String(y)) => Some(x.as_str().cmp(y.as_str())),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Guid(x), Guid(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Structural equality of two values; `None` when either is null.
pub fn equal(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Array(x), Array(y)) => {
            Some(x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q)))
        }
        (Bag(x), Bag(y)) => {
            Some(x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))))
        }
        _ => Some(order(a, b) == Some(Ordering::Equal)),
    }
}

/// Equality where two nulls are the same (inside arrays, for grouping).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        _ => equal(a, b).unwrap_or(false),
    }
}

/// A total order for sorting: nulls (and NaN, which KQL sorts with null)
/// first, then values by kind rank, then by [`order`].
pub fn total_order(a: &Value, b: &Value) -> Ordering {
    match (is_null_like(a), is_null_like(b)) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        (false, false) => {}
    }
    if let Some(o) = order(a, b) {
        return o;
    }
    let by_rank = kind_rank(a).cmp(&kind_rank(b));
    if by_rank != Ordering::Equal {
        return by_rank;
    }
    // Same non-scalar kind: compare the JSON text, which is at least stable.
    super::string_form::to_kusto_string(a).cmp(&super::string_form::to_kusto_string(b))
}

/// Null, and the real NaN, which sorts with the nulls
/// (<https://learn.microsoft.com/kusto/query/sort-operator>).
pub fn is_null_like(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Real(r) => r.is_nan(),
        _ => false,
    }
}

fn kind_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::Long(_) | Value::Real(_) | Value::Decimal(_) => 2,
        Value::DateTime(_) => 3,
        Value::Timespan(_) => 4,
        Value::Guid(_) => 5,
        Value::String(_) => 6,
        Value::Array(_) => 7,
        Value::Bag(_) => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_of_different_widths_compare_by_value() {
        assert_eq!(
            order(&Value::Int(1), &Value::Real(1.0)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            order(&Value::Long(i64::MAX), &Value::Long(i64::MAX - 1)),
            Some(Ordering::Greater)
        );
        assert_eq!(equal(&Value::Long(2), &Value::Real(2.5)), Some(false));
    }

    #[test]
    fn null_is_neither_equal_nor_ordered() {
        assert_eq!(equal(&Value::Null, &Value::Null), None);
        assert_eq!(order(&Value::Null, &Value::Long(1)), None);
        assert!(same(&Value::Null, &Value::Null));
    }

    #[test]
    fn strings_compare_ordinally() {
        assert_eq!(
            order(&Value::string("B"), &Value::string("a")),
            Some(Ordering::Less)
        );
        assert_eq!(
            equal(&Value::string("abc"), &Value::string("ABC")),
            Some(false)
        );
    }

    #[test]
    fn nan_sorts_with_nulls_before_numbers() {
        let mut v = [
            Value::Long(3),
            Value::Real(f64::NAN),
            Value::Null,
            Value::Real(-1.0),
        ];
        v.sort_by(total_order);
        assert!(v[0].is_null() || matches!(v[0], Value::Real(r) if r.is_nan()));
        assert_eq!(v[2], Value::Real(-1.0));
        assert_eq!(v[3], Value::Long(3));
    }
}

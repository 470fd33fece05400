//! Nulls, normalisation and conversions between KQL types
//! (docs/semantics.md#nulls): a failed conversion is null, never an error.

use super::string_form::to_string_value;
use super::{DateTime, Guid, Timespan, Value};
use crate::types::DataType;

/// The null of a type: `""` for strings, which are never null in KQL.
#[inline]
pub fn null_of(ty: DataType) -> Value {
    if ty == DataType::String {
        Value::empty_string()
    } else {
        Value::Null
    }
}

/// Makes a value fit its column type: a null string is `""`, an `int`
/// column holds `Value::Int`.
#[inline]
pub fn normalize(v: Value, ty: DataType) -> Value {
    match (ty, v) {
        (DataType::String, Value::Null) => Value::empty_string(),
        (DataType::Int, Value::Long(i)) => i32::try_from(i).map_or(Value::Null, Value::Int),
        (DataType::Long, Value::Int(i)) => Value::Long(i64::from(i)),
        (DataType::Real, Value::Int(i)) => Value::Real(f64::from(i)),
        (DataType::Real, Value::Long(i)) => Value::Real(i as f64),
        (DataType::Real, v @ Value::Decimal(_)) => v.as_f64().map_or(Value::Null, Value::Real),
        (DataType::Decimal, v @ (Value::Int(_) | Value::Long(_))) => {
            super::number::as_decimal(&v).map_or(Value::Null, Value::Decimal)
        }
        (DataType::Decimal, Value::Real(r)) => {
            super::number::real_to_decimal(r).map_or(Value::Null, Value::Decimal)
        }
        (_, v) => v,
    }
}

/// Converts a value to `to` for a comparison or an implicit conversion.
/// Numbers keep their width (comparisons handle mixed widths); a value
/// that does not convert becomes null, or `""` for strings.
#[inline]
pub fn cast(v: Value, to: DataType) -> Value {
    match to {
        DataType::String => to_string_value(&v),
        DataType::Dynamic => v,
        DataType::Int | DataType::Long | DataType::Real | DataType::Decimal => match v {
            Value::Int(_) | Value::Long(_) | Value::Real(_) | Value::Decimal(_) => v,
            Value::String(s) if to == DataType::Decimal => {
                super::number::parse_decimal(&s).map_or(Value::Null, Value::Decimal)
            }
            Value::String(s) => super::number::parse_long(&s)
                .map(Value::Long)
                .or_else(|| super::number::parse_real(&s).map(Value::Real))
                .unwrap_or(Value::Null),
            Value::Bool(b) => Value::Long(i64::from(b)),
            _ => Value::Null,
        },
        DataType::DateTime => match v {
            Value::DateTime(_) => v,
            Value::String(s) => DateTime::parse(&s).map_or(Value::Null, Value::DateTime),
            _ => Value::Null,
        },
        DataType::Timespan => match v {
            Value::Timespan(_) => v,
            Value::String(s) => Timespan::parse(&s).map_or(Value::Null, Value::Timespan),
            _ => Value::Null,
        },
        DataType::Bool => match v {
            Value::Bool(_) => v,
            Value::Int(i) => Value::Bool(i != 0),
            Value::Long(i) => Value::Bool(i != 0),
            Value::String(s) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
                t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
                _ => Value::Null,
            },
            _ => Value::Null,
        },
        DataType::Guid => match v {
            Value::Guid(_) => v,
            Value::String(s) => Guid::parse(&s).map_or(Value::Null, Value::Guid),
            _ => Value::Null,
        },
    }
}

//! Literals to values (docs/semantics.md#literals).

use super::{BindError, BindErrorKind};
use crate::span::Span;
use crate::syntax::ast::Literal;
use crate::types::DataType;
use crate::value::{Bag, DateTime, Guid, Str, Timespan, Value};

/// The value and type of a literal. Typed literals (`datetime(...)`,
/// `long(null)`, `real(+inf)`…) are converted here, so a malformed one is
/// reported before any data is read.
pub fn literal_value(lit: &Literal, span: Span) -> Result<(Value, DataType), BindError> {
    Ok(match lit {
        Literal::Null => (Value::Null, DataType::Dynamic),
        Literal::Bool(b) => (Value::Bool(*b), DataType::Bool),
        Literal::Long(i) => (Value::Long(*i), DataType::Long),
        Literal::Real(r) => (Value::Real(*r), DataType::Real),
        Literal::String(s) => (Value::String(Str::new(s)), DataType::String),
        Literal::Timespan(t) => (Value::Timespan(Timespan(*t)), DataType::Timespan),
        Literal::Typed { type_name, text } => typed(type_name, text, span)?,
        Literal::Dynamic(inner) => (dynamic_value(inner, span)?, DataType::Dynamic),
        Literal::Array(_) | Literal::Bag(_) => (dynamic_value(lit, span)?, DataType::Dynamic),
    })
}

/// The value of a literal inside `dynamic(...)`.
fn dynamic_value(lit: &Literal, span: Span) -> Result<Value, BindError> {
    Ok(match lit {
        Literal::Array(items) => Value::array(
            items
                .iter()
                .map(|i| dynamic_value(i, span))
                .collect::<Result<_, _>>()?,
        ),
        Literal::Bag(entries) => {
            let mut bag = Bag::with_capacity(entries.len());
            for (k, v) in entries {
                bag.insert(Str::new(k), dynamic_value(v, span)?);
            }
            Value::bag(bag)
        }
        Literal::Dynamic(inner) => dynamic_value(inner, span)?,
        other => literal_value(other, span)?.0,
    })
}

fn typed(type_name: &str, text: &str, span: Span) -> Result<(Value, DataType), BindError> {
    let ty = DataType::from_name(type_name).ok_or_else(|| {
        BindError::new(
            BindErrorKind::Invalid,
            span,
            format!("'{type_name}' is not a scalar type"),
        )
    })?;
    let raw = text.trim();
    let inner = unquote(raw);
    if raw == "null" {
        return Ok((Value::Null, ty));
    }
    let value = match ty {
        DataType::DateTime => DateTime::parse(inner).map(Value::DateTime),
        DataType::Timespan => Timespan::parse_literal(inner).map(Value::Timespan),
        DataType::Long => parse_signed(inner).map(Value::Long),
        DataType::Int => parse_signed(inner)
            .and_then(|i| i32::try_from(i).ok())
            .map(Value::Int),
        DataType::Real => parse_real_literal(inner).map(Value::Real),
        DataType::Decimal => crate::value::number::parse_decimal(inner).map(Value::Decimal),
        DataType::Bool => match inner {
            "true" | "True" | "TRUE" => Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => Some(Value::Bool(false)),
            _ => None,
        },
        DataType::Guid => Guid::parse(inner).map(Value::Guid),
        DataType::String => Some(Value::String(Str::new(inner))),
        DataType::Dynamic => None,
    };
    value.map(|v| (v, ty)).ok_or_else(|| {
        BindError::new(
            BindErrorKind::Invalid,
            span,
            format!("Failed to parse {type_name} literal: '{type_name}({text})'"),
        )
    })
}

fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn parse_signed(s: &str) -> Option<i64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    s.parse().ok()
}

/// `real(nan)`, `real(+inf)`, `real(-inf)` and ordinary numbers.
fn parse_real_literal(s: &str) -> Option<f64> {
    match s {
        "nan" | "NaN" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s
            .strip_prefix('+')
            .unwrap_or(s)
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed_lit(t: &str, text: &str) -> Result<(Value, DataType), BindError> {
        literal_value(
            &Literal::Typed {
                type_name: t.into(),
                text: text.into(),
            },
            Span::default(),
        )
    }

    #[test]
    fn typed_nulls_and_specials() {
        assert_eq!(
            typed_lit("long", "null").unwrap(),
            (Value::Null, DataType::Long)
        );
        assert_eq!(
            typed_lit("int", "-2").unwrap(),
            (Value::Int(-2), DataType::Int)
        );
        assert!(matches!(typed_lit("real", "nan").unwrap().0, Value::Real(r) if r.is_nan()));
        assert_eq!(
            typed_lit("real", "-inf").unwrap().0,
            Value::Real(f64::NEG_INFINITY)
        );
        assert_eq!(typed_lit("bool", "true").unwrap().0, Value::Bool(true));
    }

    #[test]
    fn malformed_typed_literal_is_reported_like_kusto() {
        let e = typed_lit("long", "abc").unwrap_err();
        assert_eq!(e.message, "Failed to parse long literal: 'long(abc)'");
    }
}

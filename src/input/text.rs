//! Cells that arrive as text (CSV fields, the az CLI's `str()` values)
//! turned into typed values, and the careful type inference used when no
//! schema names a column's type.

use crate::types::DataType;
use crate::value::{DateTime, Guid, Str, Timespan, Value};

/// How a producer writes values as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// The portal's CSV: empty is null; datetimes as `4/28/2021, 2:32:14.029 PM`.
    PortalCsv,
    /// Python `str()` (az CLI): `None` is null, `True`/`False` booleans.
    Python,
}

/// `text` as a value of a column of type `ty`. Text that does not fit the
/// type is null (strings keep any text; dynamic keeps non-JSON text as a
/// string).
pub(crate) fn text_value(text: &str, ty: DataType, dialect: Dialect) -> Value {
    if ty == DataType::String {
        return Value::String(Str::new(text));
    }
    let t = text.trim();
    if t.is_empty() || (dialect == Dialect::Python && t == "None") {
        return Value::Null;
    }
    match ty {
        DataType::String => Value::String(Str::new(text)),
        DataType::Bool => parse_bool(t).map_or(Value::Null, Value::Bool),
        DataType::Int => crate::value::number::parse_long(t)
            .and_then(|i| i32::try_from(i).ok())
            .map_or(Value::Null, Value::Int),
        DataType::Long => crate::value::number::parse_long(t).map_or(Value::Null, Value::Long),
        DataType::Real => crate::value::number::parse_real(t).map_or(Value::Null, Value::Real),
        DataType::Decimal => {
            crate::value::number::parse_decimal(t).map_or(Value::Null, Value::Decimal)
        }
        DataType::DateTime => DateTime::parse_us_portal(t)
            .or_else(|| DateTime::parse(t))
            .map_or(Value::Null, Value::DateTime),
        DataType::Timespan => Timespan::parse(t).map_or(Value::Null, Value::Timespan),
        DataType::Guid => Guid::parse(t).map_or(Value::Null, Value::Guid),
        DataType::Dynamic => dynamic_from_text(text),
    }
}

/// A dynamic cell written as text: its JSON value when it is JSON, else the
/// text as a dynamic string.
pub(crate) fn dynamic_from_text(text: &str) -> Value {
    match crate::json::parse_value(text) {
        Ok(v) => v,
        Err(_) => Value::String(Str::new(text)),
    }
}

fn parse_bool(t: &str) -> Option<bool> {
    if t.eq_ignore_ascii_case("true") || t == "1" {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Some(false)
    } else {
        None
    }
}

/// What the non-empty sample values of a column suggest, when no schema
/// names its type: `long` when every one is an integer, `real` when every
/// one is a number, `bool` for `true`/`false`, `datetime` for ISO 8601
/// date-times (or the portal's US form), `dynamic` when every one is a
/// JSON object or array; anything else (GUIDs included) stays `string`.
pub(crate) fn infer_type<'a>(samples: impl Iterator<Item = &'a str>, dialect: Dialect) -> DataType {
    let mut seen = false;
    let mut long = true;
    let mut real = true;
    let mut boolean = true;
    let mut datetime = true;
    let mut dynamic = true;
    for s in samples {
        let t = s.trim();
        if t.is_empty() || (dialect == Dialect::Python && t == "None") {
            continue;
        }
        seen = true;
        long &= is_integer(t);
        real &= crate::value::number::parse_real(t).is_some() && looks_numeric(t);
        boolean &= t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false");
        datetime &= looks_like_datetime(t);
        dynamic &=
            (t.starts_with('{') || t.starts_with('[')) && crate::json::validate(t.as_bytes());
        if !(long || real || boolean || datetime || dynamic) {
            return DataType::String;
        }
    }
    if !seen {
        DataType::String
    } else if long {
        DataType::Long
    } else if real {
        DataType::Real
    } else if boolean {
        DataType::Bool
    } else if datetime {
        DataType::DateTime
    } else if dynamic {
        DataType::Dynamic
    } else {
        DataType::String
    }
}

fn is_integer(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(digits.len() > 1 && digits.starts_with('0'))
}

/// Plain decimal notation only (no `inf`, `nan`, hex...), and no leading
/// zeros that make an ID look like a number.
fn looks_numeric(t: &str) -> bool {
    let body = t.strip_prefix('-').unwrap_or(t);
    let int_part = body.split(['.', 'e', 'E']).next().unwrap_or("");
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && !(int_part.len() > 1 && int_part.starts_with('0'))
}

/// ISO 8601 date-times (`2024-11-04T00:00:01.5Z`) or the portal's US form.
fn looks_like_datetime(t: &str) -> bool {
    let b = t.as_bytes();
    let iso = b.len() >= 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && DateTime::parse(t).is_some();
    iso || (t.contains('/') && DateTime::parse_us_portal(t).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference_is_careful() {
        let guess = |v: &[&str]| infer_type(v.iter().copied(), Dialect::PortalCsv);
        assert_eq!(guess(&["1", "20", ""]), DataType::Long);
        assert_eq!(guess(&["1", "2.5"]), DataType::Real);
        assert_eq!(guess(&["True", "false"]), DataType::Bool);
        assert_eq!(
            guess(&["7c759f10-811c-4db8-ad6d-f07d8ae3f8ea"]),
            DataType::String
        );
        assert_eq!(guess(&["007", "1"]), DataType::String);
        assert_eq!(guess(&["{\"a\":1}", "[]"]), DataType::Dynamic);
        assert_eq!(guess(&["4/28/2021, 2:32:14.029 PM"]), DataType::DateTime);
        assert_eq!(guess(&["2024-01-01T00:00:00Z"]), DataType::DateTime);
        assert_eq!(guess(&["", ""]), DataType::String);
        assert_eq!(guess(&["1e5x"]), DataType::String);
    }

    #[test]
    fn text_values_by_type_and_dialect() {
        assert_eq!(
            text_value("None", DataType::Long, Dialect::Python),
            Value::Null
        );
        assert_eq!(
            text_value("None", DataType::String, Dialect::Python),
            Value::string("None")
        );
        assert_eq!(
            text_value("True", DataType::Bool, Dialect::Python),
            Value::Bool(true)
        );
        assert_eq!(
            text_value("42", DataType::Int, Dialect::PortalCsv),
            Value::Int(42)
        );
        assert!(matches!(
            text_value(
                "4/28/2021, 2:32:14.029 PM",
                DataType::DateTime,
                Dialect::PortalCsv
            ),
            Value::DateTime(_)
        ));
        assert!(matches!(
            text_value("{\"a\": 1}", DataType::Dynamic, Dialect::PortalCsv),
            Value::Bag(_)
        ));
        assert_eq!(
            text_value("{'a': 1}", DataType::Dynamic, Dialect::Python),
            Value::string("{'a': 1}")
        );
    }
}

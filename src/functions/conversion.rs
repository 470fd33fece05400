//! Conversions: `tostring`, `tolong`, `todatetime`, `parse_json`...
//! A value that cannot be converted becomes null
//! (<https://learn.microsoft.com/kusto/query/tolong-function> and siblings).

use super::function;
use super::{
    BOOL, DATETIME, DECIMAL, DYNAMIC, EvalContext, GUID, INT, LONG, Naming, REAL, STRING,
    ScalarFunction, TIMESPAN, returns,
};
use crate::types::DataType;
use crate::value::string_form::to_string_value;
use crate::value::{DateTime, Guid, Timespan, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    conversion("tostring", returns::<STRING>, tostring),
    conversion("toint", returns::<INT>, toint),
    conversion("tolong", returns::<LONG>, tolong),
    conversion("toreal", returns::<REAL>, toreal),
    conversion("todecimal", returns::<DECIMAL>, todecimal),
    conversion("tobool", returns::<BOOL>, tobool),
    conversion("todatetime", returns::<DATETIME>, todatetime),
    conversion("totimespan", returns::<TIMESPAN>, totimespan),
    conversion("toguid", returns::<GUID>, toguid),
    conversion("parse_json", returns::<DYNAMIC>, parse_json),
];

const fn conversion(
    name: &'static str,
    signature: super::Signature,
    eval: super::Implementation,
) -> ScalarFunction {
    function(name, 1, 1, signature, eval).named(Naming::FirstArgument)
}

/// Text converted to `ty` as the `to<type>()` functions convert it
/// (`extract(..., typeof(T))`, `extract_json(..., typeof(T))`): null when
/// it does not convert, the text itself for `string`, parsed JSON for
/// `dynamic`.
pub(super) fn convert_text(text: &str, ty: DataType) -> Value {
    let v = [Value::string(text)];
    let ctx = EvalContext::new(DateTime(0));
    match ty {
        DataType::String => v[0].clone(),
        DataType::Bool => tobool(&v, &ctx),
        DataType::Int => toint(&v, &ctx),
        DataType::Long => tolong(&v, &ctx),
        DataType::Real => toreal(&v, &ctx),
        DataType::Decimal => todecimal(&v, &ctx),
        DataType::DateTime => todatetime(&v, &ctx),
        DataType::Timespan => totimespan(&v, &ctx),
        DataType::Guid => toguid(&v, &ctx),
        DataType::Dynamic => parse_json(&v, &ctx),
    }
}

/// A dynamic value converted to `ty` (`extract_json(..., typeof(T))`, a
/// dynamic argument where a typed value is needed): strings are parsed,
/// numbers and other scalars converted as the `to<type>()` functions do.
pub(super) fn convert_value(v: &Value, ty: DataType) -> Value {
    let args = std::slice::from_ref(v);
    let ctx = EvalContext::new(DateTime(0));
    match ty {
        DataType::String => to_string_value(v),
        DataType::Bool => tobool(args, &ctx),
        DataType::Int => toint(args, &ctx),
        DataType::Long => tolong(args, &ctx),
        DataType::Real => toreal(args, &ctx),
        DataType::Decimal => todecimal(args, &ctx),
        DataType::DateTime => todatetime(args, &ctx),
        DataType::Timespan => totimespan(args, &ctx),
        DataType::Guid => toguid(args, &ctx),
        DataType::Dynamic => v.clone(),
    }
}

fn first(args: &[Value]) -> &Value {
    args.first().unwrap_or(&Value::Null)
}

fn tostring(args: &[Value], _: &EvalContext) -> Value {
    to_string_value(first(args))
}

fn toint(args: &[Value], ctx: &EvalContext) -> Value {
    match tolong(args, ctx) {
        Value::Long(i) => i32::try_from(i).map_or(Value::Null, Value::Int),
        _ => Value::Null,
    }
}

fn tolong(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::Int(i) => Value::Long(i64::from(*i)),
        Value::Long(i) => Value::Long(*i),
        // Reals truncate toward zero: `toint(2.3) → 2`.
        Value::Real(r) if r.is_finite() && r.abs() < 9.2e18 => Value::Long(r.trunc() as i64),
        Value::Decimal(d) => {
            rust_decimal::prelude::ToPrimitive::to_i64(&d.trunc()).map_or(Value::Null, Value::Long)
        }
        Value::Bool(b) => Value::Long(i64::from(*b)),
        Value::DateTime(d) => Value::Long(d.0),
        Value::Timespan(t) => Value::Long(t.0),
        Value::String(s) => crate::value::number::parse_long(s).map_or(Value::Null, Value::Long),
        _ => Value::Null,
    }
}

fn toreal(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::Int(i) => Value::Real(f64::from(*i)),
        Value::Long(i) => Value::Real(*i as f64),
        Value::Real(r) => Value::Real(*r),
        Value::Decimal(_) => first(args).as_f64().map_or(Value::Null, Value::Real),
        Value::Bool(b) => Value::Real(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => crate::value::number::parse_real(s).map_or(Value::Null, Value::Real),
        _ => Value::Null,
    }
}

/// `todecimal(x)` (todecimal-function): a 128-bit decimal; a real converts
/// to its nearest decimal, text is read as decimal text (`1.1`, `1e3`).
fn todecimal(args: &[Value], _: &EvalContext) -> Value {
    use crate::value::number::{parse_decimal, real_to_decimal};
    let d = match first(args) {
        Value::Int(i) => Some(rust_decimal::Decimal::from(*i)),
        Value::Long(i) => Some(rust_decimal::Decimal::from(*i)),
        Value::Decimal(d) => Some(*d),
        Value::Real(r) => real_to_decimal(*r),
        Value::Bool(b) => Some(rust_decimal::Decimal::from(i64::from(*b))),
        Value::String(s) => parse_decimal(s),
        _ => None,
    };
    d.map_or(Value::Null, Value::Decimal)
}

fn tobool(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::Long(i) => Value::Bool(*i != 0),
        Value::Real(r) => Value::Bool(*r != 0.0),
        Value::Decimal(d) => Value::Bool(!d.is_zero()),
        Value::String(s) => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if t.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                Value::Null
            }
        }
        _ => Value::Null,
    }
}

fn todatetime(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::DateTime(d) => Value::DateTime(*d),
        Value::String(s) => DateTime::parse(s).map_or(Value::Null, Value::DateTime),
        _ => Value::Null,
    }
}

fn totimespan(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::Timespan(t) => Value::Timespan(*t),
        Value::String(s) => Timespan::parse(s).map_or(Value::Null, Value::Timespan),
        _ => Value::Null,
    }
}

fn toguid(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::Guid(g) => Value::Guid(*g),
        Value::String(s) => Guid::parse(s)
            .or_else(|| guid_from_hex_digits(s))
            .map_or(Value::Null, Value::Guid),
        _ => Value::Null,
    }
}

/// `toguid`'s lenient reading (`toguid-function`: "takes the first 32
/// characters of the input, ignoring properly located hyphens, validates
/// that the characters are between 0-9 or a-f … The rest of the string is
/// ignored"): the first 32 characters other than `-`, all hex digits. The
/// page's `"0123456789ab-cdef-0123-456789abcdef"` converts.
fn guid_from_hex_digits(s: &str) -> Option<Guid> {
    let digits: String = s.chars().filter(|&c| c != '-').take(32).collect();
    if digits.len() != 32 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&digits, 16).ok().map(Guid)
}

/// `parse_json`: a dynamic argument is returned unchanged; `""` is null;
/// valid JSON text is its value; anything else is a dynamic string holding
/// the text (<https://learn.microsoft.com/kusto/query/parse-json-function>).
fn parse_json(args: &[Value], _: &EvalContext) -> Value {
    match first(args) {
        Value::String(s) => crate::json::parse_json_text(s),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> EvalContext {
        EvalContext::new(DateTime(0))
    }

    #[test]
    fn tostring_of_null_is_empty() {
        assert_eq!(tostring(&[Value::Null], &ctx()), Value::string(""));
    }

    #[test]
    fn parse_json_of_empty_string_is_null_and_of_bad_json_a_string() {
        assert_eq!(parse_json(&[Value::string("")], &ctx()), Value::Null);
        assert_eq!(
            parse_json(&[Value::string("not json")], &ctx()),
            Value::string("not json")
        );
        assert_eq!(
            parse_json(&[Value::string("{\"a\":1}")], &ctx()).type_name(),
            "dictionary"
        );
    }

    #[test]
    fn tostring_of_bag_is_compact_json() {
        let v = parse_json(&[Value::string("{ \"a\" : [1, \"x\"] }")], &ctx());
        assert_eq!(
            crate::value::string_form::to_kusto_string(&v),
            "{\"a\":[1,\"x\"]}"
        );
    }

    #[test]
    fn toint_truncates_reals() {
        assert_eq!(toint(&[Value::Real(2.7)], &ctx()), Value::Int(2));
        assert_eq!(toint(&[Value::Real(-2.7)], &ctx()), Value::Int(-2));
    }
}

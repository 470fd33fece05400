//! The text of a value, as `tostring()` gives it: the string form every
//! string operator, `strcat` and the CSV writer see.

use super::{Str, Value};

/// `tostring(x)` as a [`Value::String`].
pub fn to_string_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(Str::from(to_kusto_string(other))),
    }
}

/// The text `tostring()` gives for any value: `""` for null, compact JSON for
/// arrays and bags, the bare text of a (dynamic) string
/// (docs/semantics.md#tostring, #output).
pub fn to_kusto_string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Long(i) => i.to_string(),
        Value::Real(r) => super::number::format_real(*r),
        Value::Decimal(d) => d.normalize().to_string(),
        Value::DateTime(d) => d.to_string(),
        Value::Timespan(t) => t.to_string(),
        Value::Guid(g) => g.to_string(),
        Value::String(s) => s.to_string(),
        Value::Array(_) | Value::Bag(_) => {
            let mut out = String::new();
            super::json::write_value(v, &mut out);
            out
        }
    }
}

/// The text of a value as `tostring()` gives it, borrowed when the value
/// is already a string.
pub fn text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(to_kusto_string(other)),
    }
}

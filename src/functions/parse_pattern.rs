//! The engine of the `parse` operator: `__parse_fields(regex, types,
//! relaxed, text)` matches the regex the binder built from the pattern and
//! returns the extracted columns, converted to their types, as a dynamic
//! array — or null when the text does not match (or, unless relaxed, when
//! a typed column does not convert:
//! <https://learn.microsoft.com/kusto/query/parse-operator>).

use super::function;
use super::{DYNAMIC, EvalContext, ScalarFunction, returns};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[function(
    "__parse_fields",
    4,
    4,
    returns::<DYNAMIC>,
    parse_fields,
)];

/// The pattern's compiled regex, from the shared per-thread cache.
fn with_regex<T>(pattern: &str, f: impl FnOnce(&regex::Regex) -> T) -> Option<T> {
    super::regex_cache::with_regex(pattern, f)
}

fn parse_fields(args: &[Value], _: &EvalContext) -> Value {
    let [
        Value::String(pattern),
        Value::String(types),
        Value::Bool(relaxed),
        text,
    ] = args
    else {
        return Value::Null;
    };
    let text = crate::value::string_form::to_kusto_string(text);
    let types: Vec<DataType> = types.split(',').filter_map(DataType::from_name).collect();
    with_regex(pattern, |re| {
        let caps = re.captures(&text)?;
        let mut out = Vec::with_capacity(types.len());
        for (i, ty) in types.iter().enumerate() {
            let raw = caps.name(&format!("c{i}")).map_or("", |m| m.as_str());
            let value = crate::value::cast::cast(Value::string(raw), *ty);
            if value.is_null() && *ty != DataType::String && !relaxed {
                return None;
            }
            out.push(value);
        }
        Some(Value::array(out))
    })
    .flatten()
    .unwrap_or(Value::Null)
}

//! `extract_json(jsonPath, jsonText [, typeof(T)])` (legacy `extractjson`)
//! and the JSONPath subset it and the `bag_*` functions accept
//! (<https://learn.microsoft.com/kusto/query/extract-json-function>): `$`
//! the root, `.name` and `['name']` / `["name"]` a property, `[n]` an
//! array element (negative `n` counts from the end). Wildcards, filters
//! and recursive descent are not supported: such a path is an error when
//! it is a constant, and gives null otherwise.

use super::SignatureError;
use super::function;
use super::{EvalContext, ScalarFunction, arg, signature, text, type_literal};
use crate::json::path::{PathStep, get_path};
use crate::json::row::{decode_dynamic, decode_string};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] =
    &[
        function("extract_json", 2, 3, sig_extract_json, extract_json)
            .with_constants(const_extract_json),
    ];

signature!(sig_extract_json, "extract_json", [Str, Any, Str] => String);

/// A constant path must parse; `typeof(T)` sets the result type.
fn const_extract_json(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    sig_extract_json(types)?;
    if let Some(Value::String(path)) = c.first().copied().flatten()
        && parse(path).is_none()
    {
        return Err(SignatureError::JsonPath(path.to_string()));
    }
    if types.len() == 3 {
        return type_literal(c.get(2).copied().flatten()).ok_or(SignatureError::TypeLiteral {
            function: "extract_json",
            position: 2,
        });
    }
    Ok(DataType::String)
}

/// One step of a parsed path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Key(String),
    Index(i64),
}

/// Parses `$`, `.name`, `['name']`, `["name"]` and `[n]` steps. A path
/// without the leading `$` is read as if it had one (`a.b` is `$.a.b`).
pub(super) fn parse(path: &str) -> Option<Vec<Step>> {
    let p = path.trim();
    let mut rest = p.strip_prefix('$').unwrap_or(p);
    let mut steps = Vec::new();
    // A path written without `$` starts with a bare name.
    if !p.starts_with('$') && !rest.is_empty() && !rest.starts_with(['.', '[']) {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        steps.push(Step::Key(rest[..end].to_string()));
        rest = &rest[end..];
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            // `.['name']`, as KQL's own dot-bracket member syntax.
            if r.starts_with('[') {
                rest = r;
                continue;
            }
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name == "*" {
                return None;
            }
            steps.push(Step::Key(name.to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let r = r.trim_start();
            if let Some(q) = r.chars().next().filter(|c| *c == '\'' || *c == '"') {
                let body = &r[1..];
                let close = body.find(q)?;
                steps.push(Step::Key(body[..close].to_string()));
                let after = body[close + 1..].trim_start();
                rest = after.strip_prefix(']')?;
            } else {
                let close = r.find(']')?;
                let index: i64 = r[..close].trim().parse().ok()?;
                steps.push(Step::Index(index));
                rest = &r[close + 1..];
            }
        } else {
            return None;
        }
    }
    Some(steps)
}

/// Follows `steps` through an already-parsed dynamic value.
fn walk<'a>(mut v: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    for step in steps {
        v = match (step, v) {
            (Step::Key(k), Value::Bag(b)) => b.get(k)?,
            (Step::Index(i), Value::Array(a)) => {
                let n = a.len() as i64;
                let i = if *i < 0 { n + i } else { *i };
                a.get(usize::try_from(i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(v)
}

/// `extract_json(jsonPath, jsonText [, typeof(T)])`: the element at the
/// path, as a string (a JSON string's text; other values as compact JSON)
/// or converted to `T`; `""`/null when the path finds nothing or the text
/// is not JSON.
fn extract_json(args: &[Value], _: &EvalContext) -> Value {
    let target = match args.get(2) {
        Some(v) => type_literal(Some(v)).unwrap_or(DataType::String),
        None => DataType::String,
    };
    let Some(steps) = parse(&text(arg(args, 0))) else {
        return crate::value::cast::null_of(target);
    };
    let found: Option<Value> = match arg(args, 1) {
        Value::String(s) => {
            let path: Vec<PathStep<'_>> = steps
                .iter()
                .map(|s| match s {
                    Step::Key(k) => PathStep::Key(k),
                    Step::Index(i) => PathStep::Index(*i),
                })
                .collect();
            match get_path(s.as_bytes(), &path) {
                Ok(Some(raw)) => Some(if target == DataType::String {
                    decode_string(raw).map_or_else(Value::empty_string, Value::String)
                } else {
                    decode_dynamic(raw)
                }),
                _ => None,
            }
        }
        v @ (Value::Array(_) | Value::Bag(_)) => walk(v, &steps).cloned(),
        _ => None,
    };
    match found {
        Some(v) => super::conversion::convert_value(&v, target),
        None => crate::value::cast::null_of(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_in_all_three_notations() {
        assert_eq!(
            parse("$.a['b c'][2][\"d\"]"),
            Some(vec![
                Step::Key("a".into()),
                Step::Key("b c".into()),
                Step::Index(2),
                Step::Key("d".into())
            ])
        );
        assert_eq!(parse("$"), Some(vec![]));
        assert_eq!(
            parse("$.['a.b'].c"),
            Some(vec![Step::Key("a.b".into()), Step::Key("c".into())])
        );
        assert_eq!(parse("$..a"), None);
        assert_eq!(parse("$.a[*]"), None);
    }
}

//! String functions.

use super::{EvalContext, LONG, Naming, STRING, ScalarFunction, returns, to_kusto_string};
use crate::value::{Str, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "strlen",
        min_args: 1,
        max_args: 1,
        signature: returns::<LONG>,
        eval: strlen,
        naming: Naming::Prefixed,
        pure: true,
    },
    ScalarFunction {
        name: "tolower",
        min_args: 1,
        max_args: 1,
        signature: returns::<STRING>,
        eval: tolower,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "toupper",
        min_args: 1,
        max_args: 1,
        signature: returns::<STRING>,
        eval: toupper,
        naming: Naming::Generic,
        pure: true,
    },
    ScalarFunction {
        name: "strcat",
        min_args: 1,
        max_args: 64,
        signature: returns::<STRING>,
        eval: strcat,
        naming: Naming::Generic,
        pure: true,
    },
];

/// The text of an argument as string functions see it (`tostring`).
pub(super) fn text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(to_kusto_string(other)),
    }
}

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// Unicode code points (<https://learn.microsoft.com/kusto/query/strlen-function>).
fn strlen(args: &[Value], _: &EvalContext) -> Value {
    Value::Long(text(arg(args, 0)).chars().count() as i64)
}

fn tolower(args: &[Value], _: &EvalContext) -> Value {
    Value::String(Str::from(text(arg(args, 0)).to_lowercase()))
}

fn toupper(args: &[Value], _: &EvalContext) -> Value {
    Value::String(Str::from(text(arg(args, 0)).to_uppercase()))
}

fn strcat(args: &[Value], _: &EvalContext) -> Value {
    let mut out = String::new();
    for a in args {
        out.push_str(&text(a));
    }
    Value::String(Str::from(out))
}

//! Functions over `dynamic` arrays and property bags.

use super::{BOOL, DYNAMIC, EvalContext, LONG, Naming, STRING, ScalarFunction, returns};
use crate::value::{Bag, Str, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("array_length", 1, 1, returns::<LONG>, array_length),
    function("bag_keys", 1, 1, returns::<DYNAMIC>, bag_keys),
    function("pack_array", 1, usize::MAX, returns::<DYNAMIC>, pack_array),
    function("bag_pack", 2, usize::MAX, returns::<DYNAMIC>, bag_pack),
    function("gettype", 1, 1, returns::<STRING>, gettype),
    function("set_has_element", 2, 2, returns::<BOOL>, set_has_element),
];

const fn function(
    name: &'static str,
    min_args: usize,
    max_args: usize,
    signature: super::Signature,
    eval: super::Implementation,
) -> ScalarFunction {
    ScalarFunction {
        name,
        min_args,
        max_args,
        signature,
        eval,
        naming: Naming::Generic,
        pure: true,
    }
}

/// Null for anything but an array
/// (<https://learn.microsoft.com/kusto/query/array-length-function>).
fn array_length(args: &[Value], _: &EvalContext) -> Value {
    match args.first() {
        Some(Value::Array(a)) => Value::Long(a.len() as i64),
        _ => Value::Null,
    }
}

fn bag_keys(args: &[Value], _: &EvalContext) -> Value {
    match args.first() {
        Some(Value::Bag(b)) => {
            Value::array(b.iter().map(|(k, _)| Value::String(k.clone())).collect())
        }
        _ => Value::Null,
    }
}

fn pack_array(args: &[Value], _: &EvalContext) -> Value {
    Value::array(args.to_vec())
}

/// `bag_pack(k1, v1, ...)`; pairs whose key is not a string are skipped.
fn bag_pack(args: &[Value], _: &EvalContext) -> Value {
    let mut bag = Bag::with_capacity(args.len() / 2);
    for pair in args.chunks_exact(2) {
        if let Value::String(k) = &pair[0] {
            bag.insert(k.clone(), pair[1].clone());
        }
    }
    Value::bag(bag)
}

fn gettype(args: &[Value], _: &EvalContext) -> Value {
    Value::String(Str::new(args.first().map_or("null", Value::type_name)))
}

fn set_has_element(args: &[Value], _: &EvalContext) -> Value {
    match args {
        [Value::Array(items), needle] => Value::Bool(items.iter().any(|v| v == needle)),
        _ => Value::Null,
    }
}

//! Functions over `dynamic` arrays and property bags; doc pages are
//! `https://learn.microsoft.com/kusto/query/<name>-function`.
//!
//! Elements are compared as `==` compares them (numbers by value, strings
//! ordinally; [`compare::same`], so a null element equals a null), and a
//! function handed something that is not an array (or bag) where one is
//! required returns null, as the docs say of `array_length`.

use super::SignatureError;
use super::function;
use super::{EvalContext, Naming, ScalarFunction, arg, int_of, signature, string_value};
use crate::types::DataType;
use crate::value::key::{Key, KeySet};
use crate::value::{Bag, DateTime, Str, Timespan, Value, compare};
use std::collections::HashSet;
use std::sync::Arc;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("array_length", 1, 1, sig_long_of_dyn, array_length),
    function("bag_keys", 1, 1, sig_dyn_of_dyn, bag_keys),
    function("treepath", 1, 1, sig_dyn_of_dyn, treepath),
    function("pack_array", 1, usize::MAX, sig_dyn_of_any, pack_array),
    function("bag_pack", 2, usize::MAX, sig_dyn_of_any, bag_pack),
    function("gettype", 1, 1, sig_gettype, gettype).named(Naming::PrefixedWith("type")),
    function(
        "set_has_element",
        2,
        2,
        sig_set_has_element,
        set_has_element,
    ),
    function("array_index_of", 2, 5, sig_array_index_of, array_index_of),
    function("array_concat", 1, 64, sig_dyn_of_dyn, array_concat),
    function("array_slice", 3, 3, sig_array_slice, array_slice),
    function("array_reverse", 1, 1, sig_dyn_of_dyn, array_reverse),
    function("array_sort_asc", 1, 64, sig_array_sort, array_sort_asc),
    function("array_sort_desc", 1, 64, sig_array_sort, array_sort_desc),
    function("array_sum", 1, 1, sig_array_sum, array_sum),
    function("array_iff", 3, 3, sig_array_iff, array_iff),
    function("array_shift_left", 2, 3, sig_array_shift, array_shift_left),
    function(
        "array_shift_right",
        2,
        3,
        sig_array_shift,
        array_shift_right,
    ),
    function(
        "array_rotate_left",
        2,
        2,
        sig_array_shift,
        array_rotate_left,
    ),
    function(
        "array_rotate_right",
        2,
        2,
        sig_array_shift,
        array_rotate_right,
    ),
    function("array_split", 2, 2, sig_array_split, array_split),
    function("zip", 2, 64, sig_dyn_of_dyn, zip),
    function("bag_merge", 2, 64, sig_dyn_of_dyn, bag_merge),
    function("bag_remove_keys", 2, 2, sig_dyn_of_dyn, bag_remove_keys),
    function("bag_has_key", 2, 2, sig_bag_has_key, bag_has_key),
    function("bag_set_key", 3, 3, sig_bag_set_key, bag_set_key),
    function("bag_zip", 2, 2, sig_dyn_of_dyn, bag_zip),
    function("set_union", 2, 64, sig_dyn_of_dyn, set_union),
    function("set_intersect", 2, 64, sig_dyn_of_dyn, set_intersect),
    function("set_difference", 2, 64, sig_dyn_of_dyn, set_difference),
    function("set_equals", 2, 2, sig_set_equals, set_equals),
    function("jaccard_index", 2, 2, sig_jaccard, jaccard_index),
    function(
        "dynamic_to_json",
        1,
        1,
        sig_dynamic_to_json,
        dynamic_to_json,
    ),
    function("range", 2, 3, sig_range, range),
    function("repeat", 2, 2, sig_repeat, repeat).named(Naming::Prefixed),
];

signature!(sig_long_of_dyn, "array_length", [Dyn] => Long);
signature!(sig_dyn_of_dyn, "array function", [Dyn] => Dynamic);
signature!(sig_dyn_of_any, "pack_array", [Any] => Dynamic);
signature!(sig_gettype, "gettype", [Any] => String);
signature!(sig_set_has_element, "set_has_element", [Dyn, Any] => Bool);
signature!(sig_array_index_of, "array_index_of", [Dyn, Any, Int, Int, Int] => Long);
signature!(sig_array_slice, "array_slice", [Dyn, Int, Int] => Dynamic);
/// `array_sort_asc(array1 [, ..., arrayN] [, nulls_last])`: arrays, then an
/// optional bool.
fn sig_array_sort(types: &[DataType]) -> Result<DataType, super::SignatureError> {
    let mut params = vec![super::Param::Dyn; types.len()];
    if types.len() > 1
        && types.last() == Some(&DataType::Bool)
        && let Some(last) = params.last_mut()
    {
        *last = super::Param::Bool;
    }
    super::check_params("array_sort_asc", types, &params)?;
    Ok(DataType::Dynamic)
}
signature!(sig_array_sum, "array_sum", [Dyn] => Real);
signature!(sig_array_iff, "array_iff", [Dyn, Any, Any] => Dynamic);
signature!(sig_array_shift, "array_shift_left", [Dyn, Int, Any] => Dynamic);
signature!(sig_array_split, "array_split", [Dyn, Any] => Dynamic);
signature!(sig_bag_has_key, "bag_has_key", [Dyn, Str] => Bool);
signature!(sig_bag_set_key, "bag_set_key", [Dyn, Str, Any] => Dynamic);
signature!(sig_set_equals, "set_equals", [Dyn, Dyn] => Bool);
signature!(sig_jaccard, "jaccard_index", [Dyn, Dyn] => Real);
signature!(sig_dynamic_to_json, "dynamic_to_json", [Any] => String);
signature!(sig_repeat, "repeat", [Any, Int] => Dynamic);

/// `range(start, stop [, step])`: numbers, timespans or datetimes (with a
/// timespan step).
fn sig_range(types: &[DataType]) -> Result<DataType, SignatureError> {
    use DataType::*;
    let ok = |t: DataType| t.is_numeric() || matches!(t, DateTime | Timespan | Dynamic);
    match types.iter().position(|&t| !ok(t)) {
        Some(i) => Err(super::arg_type_error(
            "range",
            i,
            "a number, datetime or timespan",
            types[i],
        )),
        None => Ok(Dynamic),
    }
}

/// Most elements `range()` and `repeat()` produce (`range-function`: the
/// array is truncated at 2^20 values).
const MAX_ELEMENTS: usize = 1 << 20;

/// A dynamic argument; JSON text in a string (a column whose type was
/// inferred as string) is parsed.
fn dynamic_arg(args: &[Value], i: usize) -> std::borrow::Cow<'_, Value> {
    match arg(args, i) {
        Value::String(s) if s.trim_start().starts_with(['[', '{']) => {
            std::borrow::Cow::Owned(crate::json::parse_json_text(s))
        }
        v => std::borrow::Cow::Borrowed(v),
    }
}

fn array_arg(args: &[Value], i: usize) -> Option<Arc<Vec<Value>>> {
    match dynamic_arg(args, i).as_ref() {
        Value::Array(a) => Some(a.clone()),
        _ => None,
    }
}

fn bag_arg(args: &[Value], i: usize) -> Option<Arc<Bag>> {
    match dynamic_arg(args, i).as_ref() {
        Value::Bag(b) => Some(b.clone()),
        _ => None,
    }
}

/// Null for anything but an array (`array-length-function`).
fn array_length(args: &[Value], _: &EvalContext) -> Value {
    array_arg(args, 0).map_or(Value::Null, |a| Value::Long(a.len() as i64))
}

/// `bag_keys(bag)` (`bag-keys-function`): null for a non-bag.
fn bag_keys(args: &[Value], _: &EvalContext) -> Value {
    bag_arg(args, 0).map_or(Value::Null, |b| {
        Value::array(b.iter().map(|(k, _)| Value::String(k.clone())).collect())
    })
}

/// `treepath(dynamic)` (`treepath-function`): the path of every property and
/// array below the value, as `['key']` and `[0]` steps. An array's elements
/// share the one step `[0]` (the page's `{"listProperty":[100,…,{"x":"y"}]}`
/// gives `['listProperty']`, `['listProperty'][0]`, `['listProperty'][0]['x']`);
/// each path is listed once, in the order first met. A value that is neither
/// an array nor a bag has no paths (an empty array).
fn treepath(args: &[Value], _: &EvalContext) -> Value {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<String>, seen: &mut HashSet<String>) {
        let mut add = |path: String, child: &Value, out: &mut Vec<String>| {
            if seen.insert(path.clone()) {
                out.push(path.clone());
            }
            walk(child, &path, out, seen);
        };
        match v {
            Value::Bag(b) => {
                for (k, child) in b.iter() {
                    let key = k.replace('\\', "\\\\").replace('\'', "\\'");
                    add(format!("{prefix}['{key}']"), child, out);
                }
            }
            Value::Array(items) => {
                let path = format!("{prefix}[0]");
                if items.is_empty() {
                    return;
                }
                for child in items.iter() {
                    add(path.clone(), child, out);
                }
            }
            _ => {}
        }
    }
    let value = dynamic_arg(args, 0);
    let mut out = Vec::new();
    walk(value.as_ref(), "", &mut out, &mut HashSet::new());
    Value::array(out.iter().map(|p| Value::string(p)).collect())
}

fn pack_array(args: &[Value], _: &EvalContext) -> Value {
    Value::array(args.to_vec())
}

/// `bag_pack(k1, v1, ...)` (`bag-pack-function`); pairs whose key is not
/// a string are skipped.
fn bag_pack(args: &[Value], _: &EvalContext) -> Value {
    let mut bag = Bag::with_capacity(args.len() / 2);
    for pair in args.chunks_exact(2) {
        if let Value::String(k) = &pair[0] {
            bag.insert(k.clone(), pair[1].clone());
        }
    }
    Value::bag(bag)
}

/// `gettype(value)` (`gettype-function`).
fn gettype(args: &[Value], _: &EvalContext) -> Value {
    Value::String(Str::new(arg(args, 0).type_name()))
}

/// `set_has_element(array, value)` (`set-has-element-function`).
fn set_has_element(args: &[Value], _: &EvalContext) -> Value {
    match array_arg(args, 0) {
        Some(items) => {
            let needle = arg(args, 1);
            Value::Bool(items.iter().any(|v| compare::same(v, needle)))
        }
        None => Value::Null,
    }
}

/// `array_index_of(array, value [, start [, length [, occurrence]]])`
/// (`array-index-of-function`; docs/semantics.md#array-index-of): as `indexof` on
/// strings, over elements.
fn array_index_of(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = array_arg(args, 0) else {
        return Value::Null;
    };
    let opt = |i: usize, default: i64| match args.get(i) {
        None => Some(default),
        Some(v) => int_of(v),
    };
    let (Some(start), Some(length), Some(occurrence)) = (opt(2, 0), opt(3, -1), opt(4, 1)) else {
        return Value::Null;
    };
    if length < -1 || occurrence < 0 {
        return Value::Null;
    }
    let needle = arg(args, 1);
    let n = items.len() as i64;
    let mut pos = if start < 0 { n + start } else { start };
    if pos < 0 {
        return Value::Null;
    }
    if pos >= n || occurrence == 0 {
        return Value::Long(-1);
    }
    for k in 1..=occurrence {
        let end = if length == -1 {
            n
        } else {
            (pos + length).min(n)
        };
        let found = (pos..end).find(|&i| compare::same(&items[i as usize], needle));
        match found {
            Some(i) if k == occurrence => return Value::Long(i),
            Some(i) => pos = i + 1,
            None => return Value::Long(-1),
        }
        if pos >= n {
            return Value::Long(-1);
        }
    }
    Value::Long(-1)
}

/// `array_concat(a1, a2, ...)` (`array-concat-function`): null when an
/// argument is not an array.
fn array_concat(args: &[Value], _: &EvalContext) -> Value {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::Array(items) => out.extend(items.iter().cloned()),
            _ => return Value::Null,
        }
    }
    Value::array(out)
}

/// Resolves a possibly negative index against a length.
fn resolve(i: i64, n: i64) -> i64 {
    if i < 0 { n + i } else { i }
}

/// `array_slice(array, start, end)` (`array-slice-function`): elements
/// `start` to `end` inclusive, negative indexes counting from the end;
/// indexes past either end are clamped, and an empty range gives `[]`.
fn array_slice(args: &[Value], _: &EvalContext) -> Value {
    let (Some(items), Some(start), Some(end)) = (
        array_arg(args, 0),
        int_of(arg(args, 1)),
        int_of(arg(args, 2)),
    ) else {
        return Value::Null;
    };
    let n = items.len() as i64;
    let start = resolve(start, n).max(0);
    let end = resolve(end, n).min(n - 1);
    if start > end {
        return Value::array(Vec::new());
    }
    Value::array(items[start as usize..=end as usize].to_vec())
}

fn array_reverse(args: &[Value], _: &EvalContext) -> Value {
    array_arg(args, 0).map_or(Value::Null, |a| {
        Value::array(a.iter().rev().cloned().collect())
    })
}

/// `array_sort_asc(array1 [, ..., arrayN] [, nulls_last])` /
/// `array_sort_desc` (`array-sort-asc-function`, `array-sort-desc-function`):
/// nulls last unless `nulls_last` is false. Elements of different kinds
/// sort in the documented group order, the same for both directions:
/// numbers, datetimes and timespans; strings; guids; all other elements
/// (booleans, arrays, bags); only the order within a group follows the
/// direction. With several arrays the first is sorted and the others are
/// reordered like it (null for one whose length differs from the first's);
/// the value is then the array of the results, which `extend`/`project`
/// spread into one column per array (`array1_sorted`, ...) and `[i]`
/// indexes, as the pages' examples do.
fn sort_array(args: &[Value], descending: bool) -> Value {
    let (nulls_last, arrays) = match args.split_last() {
        Some((Value::Bool(b), rest)) if !rest.is_empty() => (*b, rest),
        _ => (true, args),
    };
    let Some(items) = array_arg(arrays, 0) else {
        return if arrays.len() > 1 {
            Value::array(vec![Value::Null; arrays.len()])
        } else {
            Value::Null
        };
    };
    let (nulls, mut values): (Vec<usize>, Vec<usize>) =
        (0..items.len()).partition(|&i| compare::is_null_like(&items[i]));
    let group = |v: &Value| match v {
        Value::Int(_)
        | Value::Long(_)
        | Value::Real(_)
        | Value::DateTime(_)
        | Value::Timespan(_) => 0,
        Value::String(_) => 1,
        Value::Guid(_) => 2,
        _ => 3,
    };
    values.sort_by(|&a, &b| {
        let (a, b) = (&items[a], &items[b]);
        group(a).cmp(&group(b)).then_with(|| {
            let within = compare::total_order(a, b);
            if descending { within.reverse() } else { within }
        })
    });
    let order: Vec<usize> = if nulls_last {
        values.into_iter().chain(nulls).collect()
    } else {
        nulls.into_iter().chain(values).collect()
    };
    let reorder = |a: &[Value]| Value::array(order.iter().map(|&i| a[i].clone()).collect());
    if arrays.len() == 1 {
        return reorder(&items);
    }
    Value::array(
        (0..arrays.len())
            .map(|k| match array_arg(arrays, k) {
                Some(a) if a.len() == items.len() => reorder(&a),
                _ => Value::Null,
            })
            .collect(),
    )
}

fn array_sort_asc(args: &[Value], _: &EvalContext) -> Value {
    sort_array(args, false)
}

fn array_sort_desc(args: &[Value], _: &EvalContext) -> Value {
    sort_array(args, true)
}

/// `array_sum(array)` (`array-sum-function`): a real; null when an element
/// is not a number.
fn array_sum(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = array_arg(args, 0) else {
        return Value::Null;
    };
    let mut sum = 0.0;
    for v in items.iter() {
        match v.as_f64() {
            Some(x) => sum += x,
            None => return Value::Null,
        }
    }
    Value::Real(sum)
}

/// `array_iff(condition_array, when_true, when_false)` (`array-iff-function`):
/// element-wise; a branch that is an array supplies its element at the
/// same position (null past its end); a number is true when not 0; any
/// other condition gives null.
fn array_iff(args: &[Value], _: &EvalContext) -> Value {
    let Some(conditions) = array_arg(args, 0) else {
        return Value::Null;
    };
    let pick = |branch: &Value, i: usize| match branch {
        Value::Array(a) => a.get(i).cloned().unwrap_or(Value::Null),
        v => v.clone(),
    };
    Value::array(
        conditions
            .iter()
            .enumerate()
            .map(|(i, c)| match c {
                Value::Bool(true) => pick(arg(args, 1), i),
                Value::Bool(false) => pick(arg(args, 2), i),
                // "Numeric condition values are considered true if not
                // equal to 0" (array-iff-function).
                Value::Int(_) | Value::Long(_) | Value::Real(_) => match c.as_f64() {
                    Some(x) if x != 0.0 => pick(arg(args, 1), i),
                    Some(_) => pick(arg(args, 2), i),
                    None => Value::Null,
                },
                _ => Value::Null,
            })
            .collect(),
    )
}

/// Shifts by `shift` positions (left when positive), filling with `fill`.
fn shift(items: &[Value], shift: i64, fill: &Value) -> Value {
    let n = items.len() as i64;
    Value::array(
        (0..n)
            .map(|i| match i.checked_add(shift) {
                Some(from) if (0..n).contains(&from) => items[from as usize].clone(),
                _ => fill.clone(),
            })
            .collect(),
    )
}

/// `array_shift_left(array, shift_count [, default_value])`
/// (`array-shift-left-function`); a negative count shifts right.
fn array_shift_left(args: &[Value], _: &EvalContext) -> Value {
    match (array_arg(args, 0), int_of(arg(args, 1))) {
        (Some(items), Some(n)) => shift(&items, n, arg(args, 2)),
        _ => Value::Null,
    }
}

fn array_shift_right(args: &[Value], _: &EvalContext) -> Value {
    match (array_arg(args, 0), int_of(arg(args, 1))) {
        (Some(items), Some(n)) => shift(&items, n.saturating_neg(), arg(args, 2)),
        _ => Value::Null,
    }
}

fn rotate(args: &[Value], left: bool) -> Value {
    let (Some(items), Some(k)) = (array_arg(args, 0), int_of(arg(args, 1))) else {
        return Value::Null;
    };
    if items.is_empty() {
        return Value::array(Vec::new());
    }
    let n = items.len() as i64;
    let k = if left { k } else { k.saturating_neg() }.rem_euclid(n) as usize;
    let mut out = items[k..].to_vec();
    out.extend_from_slice(&items[..k]);
    Value::array(out)
}

/// `array_rotate_left(array, rotate_count)` (`array-rotate-left-function`).
fn array_rotate_left(args: &[Value], _: &EvalContext) -> Value {
    rotate(args, true)
}

fn array_rotate_right(args: &[Value], _: &EvalContext) -> Value {
    rotate(args, false)
}

/// `array_split(array, indices)` (`array-split-function`): the pieces
/// between the split positions (an index or an array of indexes, negative
/// ones counting from the end, clamped to the array).
fn array_split(args: &[Value], _: &EvalContext) -> Value {
    let Some(items) = array_arg(args, 0) else {
        return Value::Null;
    };
    let n = items.len() as i64;
    let mut cuts: Vec<i64> = match arg(args, 1) {
        Value::Array(idx) => idx.iter().filter_map(int_of).collect(),
        v => match int_of(v) {
            Some(i) => vec![i],
            None => return Value::Null,
        },
    };
    for c in &mut cuts {
        *c = resolve(*c, n).clamp(0, n);
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for c in cuts {
        let to = c.max(from);
        out.push(Value::array(items[from as usize..to as usize].to_vec()));
        from = to;
    }
    out.push(Value::array(items[from as usize..].to_vec()));
    Value::array(out)
}

/// `zip(a1, a2, ...)` (`zip-function`): arrays of the elements at each
/// position, shorter arrays padded with null; null when an argument is not
/// an array.
fn zip(args: &[Value], _: &EvalContext) -> Value {
    let mut arrays = Vec::with_capacity(args.len());
    for a in args {
        match a {
            Value::Array(items) => arrays.push(items),
            _ => return Value::Null,
        }
    }
    let n = arrays.iter().map(|a| a.len()).max().unwrap_or(0);
    Value::array(
        (0..n)
            .map(|i| {
                Value::array(
                    arrays
                        .iter()
                        .map(|a| a.get(i).cloned().unwrap_or(Value::Null))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// `bag_merge(bag1, bag2, ...)` (`bag-merge-function`): a key present in
/// several bags takes the value of the leftmost. Arguments that are not
/// bags are skipped.
fn bag_merge(args: &[Value], _: &EvalContext) -> Value {
    let mut out = Bag::new();
    for a in args {
        if let Value::Bag(b) = a {
            for (k, v) in b.iter() {
                if out.get(k).is_none() {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::bag(out)
}

/// The steps of a key given to the `bag_*` functions: a plain key, or a
/// JSONPath `$.a.b` / `$['a']['b']` naming a nested property.
fn key_path(key: &str) -> Vec<String> {
    match super::json_path::parse(key) {
        Some(steps) if key.trim_start().starts_with('$') => steps
            .into_iter()
            .filter_map(|s| match s {
                super::json_path::Step::Key(k) => Some(k),
                super::json_path::Step::Index(_) => None,
            })
            .collect(),
        _ => vec![key.to_string()],
    }
}

fn remove_path(bag: &Bag, path: &[String]) -> Bag {
    let Some((first, rest)) = path.split_first() else {
        return bag.clone();
    };
    bag.iter()
        .filter_map(|(k, v)| {
            if k.as_str() != first {
                return Some((k.clone(), v.clone()));
            }
            if rest.is_empty() {
                return None;
            }
            Some(match v {
                Value::Bag(inner) => (k.clone(), Value::bag(remove_path(inner, rest))),
                other => (k.clone(), other.clone()),
            })
        })
        .collect()
}

/// `bag_remove_keys(bag, keys)` (`bag-remove-keys-function`): keys may be
/// JSONPath expressions naming nested properties.
fn bag_remove_keys(args: &[Value], _: &EvalContext) -> Value {
    let (Some(bag), Some(keys)) = (bag_arg(args, 0), array_arg(args, 1)) else {
        return Value::Null;
    };
    let mut out: Bag = (*bag).clone();
    for k in keys.iter() {
        if let Value::String(k) = k {
            out = remove_path(&out, &key_path(k));
        }
    }
    Value::bag(out)
}

fn get_path<'a>(bag: &'a Bag, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let v = bag.get(first)?;
    if rest.is_empty() {
        return Some(v);
    }
    match v {
        Value::Bag(inner) => get_path(inner, rest),
        _ => None,
    }
}

/// `bag_has_key(bag, key)` (`bag-has-key-function`): the key may be a
/// JSONPath expression.
fn bag_has_key(args: &[Value], _: &EvalContext) -> Value {
    match (bag_arg(args, 0), arg(args, 1)) {
        (Some(bag), Value::String(k)) => Value::Bool(get_path(&bag, &key_path(k)).is_some()),
        _ => Value::Null,
    }
}

fn set_path(bag: &Bag, path: &[String], value: &Value) -> Bag {
    let Some((first, rest)) = path.split_first() else {
        return bag.clone();
    };
    let mut out = bag.clone();
    let new = if rest.is_empty() {
        value.clone()
    } else {
        let inner = match bag.get(first) {
            Some(Value::Bag(b)) => (**b).clone(),
            _ => Bag::new(),
        };
        Value::bag(set_path(&inner, rest, value))
    };
    out.insert(Str::new(first), new);
    out
}

/// `bag_set_key(bag, key, value)` (`bag-set-key-function`): sets (or adds)
/// the key, which may be a JSONPath expression (missing levels are
/// created).
fn bag_set_key(args: &[Value], _: &EvalContext) -> Value {
    match (bag_arg(args, 0), arg(args, 1)) {
        (Some(bag), Value::String(k)) => Value::bag(set_path(&bag, &key_path(k), arg(args, 2))),
        _ => Value::Null,
    }
}

/// `bag_zip(keys, values)` (`bag-zip-function`): keys that are not strings
/// are skipped; missing values are null.
fn bag_zip(args: &[Value], _: &EvalContext) -> Value {
    let Some(keys) = array_arg(args, 0) else {
        return Value::Null;
    };
    // A values argument that is not an array gives every key a null value
    // (the bag-zip page's `dynamic(1)` example).
    let values = array_arg(args, 1);
    let mut bag = Bag::new();
    for (i, k) in keys.iter().enumerate() {
        if let Value::String(k) = k {
            let value = values.as_ref().and_then(|v| v.get(i)).cloned();
            bag.insert(k.clone(), value.unwrap_or(Value::Null));
        }
    }
    Value::bag(bag)
}

/// The arrays of the `set_*` functions, or `None` when one is not an array.
fn arrays(args: &[Value]) -> Option<Vec<&Arc<Vec<Value>>>> {
    args.iter()
        .map(|a| match a {
            Value::Array(items) => Some(items),
            _ => None,
        })
        .collect()
}

fn distinct<'a>(items: impl IntoIterator<Item = &'a Value>) -> Vec<Value> {
    let mut seen = KeySet::default();
    items
        .into_iter()
        .filter(|v| seen.insert(Key((*v).clone())))
        .cloned()
        .collect()
}

fn key_set(items: &[Value]) -> KeySet<Key> {
    items.iter().map(|v| Key(v.clone())).collect()
}

/// `set_union(set1, set2, ...)` (`set-union-function`): distinct values of
/// all the arrays, in order of first appearance.
fn set_union(args: &[Value], _: &EvalContext) -> Value {
    match arrays(args) {
        Some(sets) => Value::array(distinct(sets.iter().flat_map(|a| a.iter()))),
        None => Value::Null,
    }
}

/// `set_intersect(set1, set2, ...)` (`set-intersect-function`): distinct
/// values of the first array found in every other.
fn set_intersect(args: &[Value], _: &EvalContext) -> Value {
    let Some(sets) = arrays(args) else {
        return Value::Null;
    };
    let others: Vec<KeySet<Key>> = sets[1..].iter().map(|a| key_set(a)).collect();
    Value::array(
        distinct(sets[0].iter())
            .into_iter()
            .filter(|v| others.iter().all(|s| s.contains(&Key(v.clone()))))
            .collect(),
    )
}

/// `set_difference(set1, set2, ...)` (`set-difference-function`): distinct
/// values of the first array found in none of the others.
fn set_difference(args: &[Value], _: &EvalContext) -> Value {
    let Some(sets) = arrays(args) else {
        return Value::Null;
    };
    let others: Vec<KeySet<Key>> = sets[1..].iter().map(|a| key_set(a)).collect();
    Value::array(
        distinct(sets[0].iter())
            .into_iter()
            .filter(|v| !others.iter().any(|s| s.contains(&Key(v.clone()))))
            .collect(),
    )
}

/// `set_equals(set1, set2)` (`set-equals-function`): the same distinct values.
fn set_equals(args: &[Value], _: &EvalContext) -> Value {
    match arrays(args).as_deref() {
        Some([a, b]) => Value::Bool(key_set(a) == key_set(b)),
        _ => Value::Null,
    }
}

/// `jaccard_index(set1, set2)` (`jaccard-index-function`): distinct values
/// in both over distinct values in either; two empty sets give NaN.
fn jaccard_index(args: &[Value], _: &EvalContext) -> Value {
    let Some([a, b]) = arrays(args).as_deref().map(|s| [s[0], s[1]]) else {
        return Value::Null;
    };
    let (a, b) = (key_set(a), key_set(b));
    let union = a.union(&b).count();
    let both = a.intersection(&b).count();
    Value::Real(both as f64 / union as f64)
}

/// A copy of `v` with every bag's keys sorted (ordinally), recursively.
fn sorted_keys(v: &Value) -> Value {
    match v {
        Value::Bag(b) => {
            let mut entries: Vec<(&Str, &Value)> = b.iter().collect();
            entries.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
            Value::bag(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

/// `dynamic_to_json(value)` (`dynamic-to-json-function`): compact JSON
/// with the keys of every bag sorted, so equal bags give equal text.
/// Decision: a scalar gives its JSON form (a string is quoted, null is
/// `null`).
fn dynamic_to_json(args: &[Value], _: &EvalContext) -> Value {
    let mut out = String::new();
    crate::value::json::write_value(&sorted_keys(arg(args, 0)), &mut out);
    string_value(out)
}

/// `range(start, stop [, step])` (`range-function`): `start`, `start +
/// step`, … while not past `stop`; the default step is 1 for numbers and
/// 1h for datetimes and timespans; at most 2^20 values. A zero step, or
/// one going away from `stop`, gives the start alone when `start` is
/// within bounds (decision), an empty array otherwise.
fn range(args: &[Value], _: &EvalContext) -> Value {
    let (start, stop) = (arg(args, 0), arg(args, 1));
    let hour = Value::Timespan(Timespan(crate::value::time::TICKS_PER_HOUR));
    let step = match args.get(2) {
        Some(s) => s.clone(),
        None => match start {
            Value::DateTime(_) | Value::Timespan(_) => hour,
            _ => Value::Long(1),
        },
    };
    let ticks_range = |a: i64, b: i64, s: i64, make: fn(i64) -> Value| -> Value {
        let mut out = Vec::new();
        let mut x = a;
        while out.len() < MAX_ELEMENTS && ((s > 0 && x <= b) || (s < 0 && x >= b)) {
            out.push(make(x));
            match x.checked_add(s) {
                Some(n) => x = n,
                None => break,
            }
        }
        if s == 0 && a <= b {
            out.push(make(a));
        }
        Value::array(out)
    };
    match (start, stop, &step) {
        (Value::DateTime(a), Value::DateTime(b), Value::Timespan(s)) => {
            ticks_range(a.0, b.0, s.0, |t| Value::DateTime(DateTime(t)))
        }
        (Value::Timespan(a), Value::Timespan(b), Value::Timespan(s)) => {
            ticks_range(a.0, b.0, s.0, |t| Value::Timespan(Timespan(t)))
        }
        (a, b, s) => match (a.as_i64(), b.as_i64(), s.as_i64()) {
            (Some(a), Some(b), Some(s)) => ticks_range(a, b, s, Value::Long),
            _ => match (a.as_f64(), b.as_f64(), s.as_f64()) {
                (Some(a), Some(b), Some(s)) if a.is_finite() && b.is_finite() => {
                    let mut out = Vec::new();
                    let mut i = 0.0;
                    loop {
                        let x = a + i * s;
                        let inside = (s > 0.0 && x <= b) || (s < 0.0 && x >= b);
                        if !inside || out.len() >= MAX_ELEMENTS {
                            break;
                        }
                        out.push(Value::Real(x));
                        i += 1.0;
                    }
                    if s == 0.0 && a <= b {
                        out.push(Value::Real(a));
                    }
                    Value::array(out)
                }
                _ => Value::Null,
            },
        },
    }
}

/// `repeat(value, count)` (`repeat-function`): an array of `count` copies;
/// a count below 1 gives `[]`, a null count null.
fn repeat(args: &[Value], _: &EvalContext) -> Value {
    match int_of(arg(args, 1)) {
        Some(n) => {
            let n = usize::try_from(n.max(0)).unwrap_or(0).min(MAX_ELEMENTS);
            Value::array(vec![arg(args, 0).clone(); n])
        }
        None => Value::Null,
    }
}

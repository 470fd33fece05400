//! Functions over sketches, the intermediate results the `hll()` and
//! `tdigest()` aggregates make (docs/semantics.md#sketches): `dcount_hll`
//! and the scalar `hll_merge` (`dcount-hll-function`, `hll-merge-function`);
//! `percentile_tdigest`, `percentiles_array_tdigest`, `rank_tdigest`,
//! `percentrank_tdigest` and the scalar `merge_tdigest`/`tdigest_merge`
//! (their `-function` pages).
//!
//! A sketch is a `dynamic` value; one that is not a sketch (null, or other
//! data) gives null.

pub mod hll;
pub mod tdigest;

use super::SignatureError;
use super::{EvalContext, Naming, Param, ScalarFunction, check_params, function, type_literal};
use crate::types::DataType;
use crate::value::Value;
use crate::value::cast::{cast, normalize};
use hll::Hll;
use std::sync::Arc;
use tdigest::TDigest;

/// The three arrays both sketches are written as (`[header, a, b]`), from
/// the value or from JSON text of it; `None` for anything else.
fn sketch_parts(v: &Value) -> Option<[Arc<Vec<Value>>; 3]> {
    let parsed;
    let v = match v {
        Value::String(s) => {
            parsed = crate::json::parse_value(s).ok()?;
            &parsed
        }
        v => v,
    };
    let Value::Array(parts) = v else { return None };
    match parts.as_slice() {
        [Value::Array(a), Value::Array(b), Value::Array(c)] => {
            Some([a.clone(), b.clone(), c.clone()])
        }
        _ => None,
    }
}

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    // `dcount_hll(hllMerged)` is named `dcount_hll_hllMerged` (the page's output).
    function("dcount_hll", 1, 1, sig_dcount_hll, dcount_hll).named(Naming::Prefixed),
    // The official analyzer names the scalar merge `hll_merged_result`; the
    // page allows 2 to 64 sketches.
    function("hll_merge", 2, 64, sig_sketches, hll_merge).named(Naming::Fixed("hll_merged_result")),
    // t-digests: the official analyzer's signatures and names
    // (`percentile_tdigest_<digest>`; rank and percent rank unnamed).
    function(
        "percentile_tdigest",
        2,
        3,
        sig_percentile_tdigest,
        percentile_tdigest,
    )
    .named(Naming::Prefixed)
    .with_constants(constant_percentile_tdigest),
    function(
        "percentiles_array_tdigest",
        2,
        usize::MAX,
        sig_percentiles_array_tdigest,
        percentiles_array_tdigest,
    )
    .named(Naming::PrefixedWith("percentile_tdigest")),
    function("rank_tdigest", 2, 2, sig_rank_tdigest, rank_tdigest),
    function(
        "percentrank_tdigest",
        2,
        2,
        sig_rank_tdigest,
        percentrank_tdigest,
    ),
    function("merge_tdigest", 2, 64, sig_digests, merge_tdigest)
        .named(Naming::Fixed("tdigests_merge_result")),
    function("tdigest_merge", 2, 64, sig_digests, merge_tdigest)
        .named(Naming::Fixed("tdigests_merge_result")),
];

fn sig_dcount_hll(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params("dcount_hll", types, &[Param::Dyn])?;
    Ok(DataType::Long)
}

fn sig_sketches(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params("hll_merge", types, &[Param::Dyn])?;
    Ok(DataType::Dynamic)
}

/// `dcount_hll(sketch)`: the distinct count the sketch estimates (exact
/// while it holds the values' hashes).
fn dcount_hll(args: &[Value], _: &EvalContext) -> Value {
    args.first()
        .and_then(Hll::from_value)
        .map_or(Value::Null, |h| Value::Long(h.count()))
}

/// `hll_merge(sketch1, sketch2, ...)`: one sketch of the union; arguments
/// that are not sketches are left out, and none gives null.
fn hll_merge(args: &[Value], _: &EvalContext) -> Value {
    let mut merged: Option<Hll> = None;
    for h in args.iter().filter_map(Hll::from_value) {
        match &mut merged {
            Some(m) => m.merge(h),
            None => merged = Some(h),
        }
    }
    merged.map_or(Value::Null, |m| m.to_value())
}

/// `percentile_tdigest(digest, p [, typeof(T)])`: `dynamic`, or `T` (the
/// official analyzer's signatures).
fn sig_percentile_tdigest(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params(
        "percentile_tdigest",
        types,
        &[Param::Dyn, Param::Num, Param::Any],
    )?;
    Ok(DataType::Dynamic)
}

fn constant_percentile_tdigest(
    types: &[DataType],
    constants: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    sig_percentile_tdigest(types)?;
    if types.len() == 3 {
        return type_literal(constants.get(2).copied().flatten()).ok_or(
            SignatureError::TypeLiteral {
                function: "percentile_tdigest",
                position: 2,
            },
        );
    }
    Ok(DataType::Dynamic)
}

fn sig_percentiles_array_tdigest(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params(
        "percentiles_array_tdigest",
        &types[..1.min(types.len())],
        &[Param::Dyn],
    )?;
    Ok(DataType::Dynamic)
}

fn sig_rank_tdigest(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params("rank_tdigest", types, &[Param::Dyn, Param::Any])?;
    Ok(DataType::Real)
}

fn sig_digests(types: &[DataType]) -> Result<DataType, SignatureError> {
    check_params("merge_tdigest", types, &[Param::Dyn])?;
    Ok(DataType::Dynamic)
}

/// `v` converted to the type a `typeof(T)` argument names (a real to an
/// integer type truncated, as `tolong`); `v` itself without one.
fn as_type(v: Value, ty: Option<DataType>) -> Value {
    use DataType as T;
    let Some(ty) = ty else { return v };
    match (ty, &v) {
        (T::Int | T::Long, Value::Real(r)) => crate::value::number::real_to_long(*r)
            .map_or(Value::Null, |i| normalize(Value::Long(i), ty)),
        (
            T::Int | T::Long | T::Real | T::Decimal,
            Value::Int(_) | Value::Long(_) | Value::Real(_) | Value::Decimal(_),
        ) => normalize(v, ty),
        (T::Int | T::Long | T::Real | T::Decimal, _) => Value::Null,
        (ty, _) => normalize(cast(v, ty), ty),
    }
}

/// A trailing `typeof(T)` argument (the binder passes the type's name).
fn trailing_type(args: &[Value]) -> (Option<DataType>, &[Value]) {
    match args.split_last() {
        Some((Value::String(s), rest)) => match DataType::from_name(s.trim()) {
            Some(t) => (Some(t), rest),
            None => (None, args),
        },
        _ => (None, args),
    }
}

/// `percentile_tdigest(digest, p [, typeof(T)])`.
fn percentile_tdigest(args: &[Value], _: &EvalContext) -> Value {
    let (ty, args) = trailing_type(args);
    let (Some(d), Some(p)) = (
        args.first().and_then(TDigest::from_value),
        args.get(1).and_then(Value::as_f64),
    ) else {
        return Value::Null;
    };
    as_type(d.percentile(p), ty)
}

/// `percentiles_array_tdigest(digest, p1, p2, ...)` or `(digest,
/// dynamic([p1, ...]) [, typeof(T)])`: an array of the percentiles.
fn percentiles_array_tdigest(args: &[Value], _: &EvalContext) -> Value {
    let (ty, args) = trailing_type(args);
    let Some(d) = args.first().and_then(TDigest::from_value) else {
        return Value::Null;
    };
    let percents: Vec<f64> = match args.get(1..).unwrap_or_default() {
        [Value::Array(items)] => items.iter().filter_map(Value::as_f64).collect(),
        more => more.iter().filter_map(Value::as_f64).collect(),
    };
    Value::array(
        percents
            .into_iter()
            .map(|p| as_type(d.percentile(p), ty))
            .collect(),
    )
}

/// `rank_tdigest(digest, value)`: how many values are at or below `value`.
fn rank_tdigest(args: &[Value], _: &EvalContext) -> Value {
    let d = args.first().and_then(TDigest::from_value);
    match (d, args.get(1)) {
        (Some(d), Some(v)) => d.rank(v).map_or(Value::Null, Value::Real),
        _ => Value::Null,
    }
}

/// `percentrank_tdigest(digest, value)`: the rank as a percentage.
fn percentrank_tdigest(args: &[Value], _: &EvalContext) -> Value {
    let d = args.first().and_then(TDigest::from_value);
    match (d, args.get(1)) {
        (Some(d), Some(v)) => d.percent_rank(v).map_or(Value::Null, Value::Real),
        _ => Value::Null,
    }
}

/// `merge_tdigest(digest1, digest2, ...)` (also `tdigest_merge`): one
/// digest of all their values; arguments that are not digests (null) are
/// left out, none gives null. Digests of different value types give null,
/// counted for a note on stderr: the tdigest-merge pages require digests
/// of one type.
fn merge_tdigest(args: &[Value], _: &EvalContext) -> Value {
    let mut merged = TDigest::new();
    for d in args.iter().filter_map(TDigest::from_value) {
        if !merged.merge(d) {
            tdigest::count_mixed_merge();
            return Value::Null;
        }
    }
    merged.to_value()
}

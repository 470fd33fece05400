//! Functions over sketches, the intermediate results the `hll()` and
//! `tdigest()` aggregates make (docs/semantics.md#sketches): `dcount_hll`
//! and the scalar `hll_merge` (`dcount-hll-function`, `hll-merge-function`).
//!
//! A sketch is a `dynamic` value; one that is not a sketch (null, or other
//! data) gives null.

pub mod hll;

use super::SignatureError;
use super::{EvalContext, Naming, Param, ScalarFunction, check_params, function};
use crate::types::DataType;
use crate::value::Value;
use hll::Hll;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    // `dcount_hll(hllMerged)` is named `dcount_hll_hllMerged` (the page's output).
    function("dcount_hll", 1, 1, sig_dcount_hll, dcount_hll).named(Naming::Prefixed),
    // The official analyzer names the scalar merge `hll_merged_result`; the
    // page allows 2 to 64 sketches.
    function("hll_merge", 2, 64, sig_sketches, hll_merge).named(Naming::Fixed("hll_merged_result")),
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

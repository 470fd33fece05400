//! Aggregation functions for `summarize`: each is an [`Accumulator`] that
//! is updated row by row, merged across chunks in input order, and finished
//! into one value (docs/semantics.md#aggregates).
//!
//! Merging is deterministic: a partial result from an earlier chunk always
//! comes first, so `make_list`, `take_any` and the ties of `arg_max` give
//! the same answer for any thread count.
//!
//! Each family of aggregates is one accumulator type in a submodule:
//! `count` (`count`, `countif`, `dcount`), `numeric` (`sum`, `avg`,
//! `variance`, `stdev`), `pick` (`min`, `max`, `arg_max`, `take_any`),
//! `collect` (`make_list`, `make_set`, `make_bag`), `percentile` and
//! `schema` (`buildschema`).
//! Adding an aggregate is one row in `AGGREGATES` and, for a new family,
//! one `impl Accumulator`.

mod collect;
mod count;
mod exact_sum;
mod hll;
mod numeric;
mod percentile;
mod pick;
mod schema;
mod tdigest;

use super::SignatureError;
use super::{BOOL, DYNAMIC, LONG, REAL, Signature, arg_type_error, returns};
use crate::types::DataType;
use crate::value::Value;
use std::any::Any;
use std::fmt;

/// The running state of one aggregate in one group, as DataFusion's
/// `Accumulator`: fed the evaluated arguments of each row, merged with the
/// partial state of a later chunk, finished into the result.
pub trait Accumulator: Send + IntoAny {
    /// Adds one row. `args` are the aggregate's evaluated arguments; for
    /// the `-if` forms the predicate has already been checked by the caller
    /// (see [`AggregateFunction::predicate_position`]).
    fn update(&mut self, args: &[Value]);
    /// Folds the partial state of a later chunk (an accumulator made by
    /// the same [`AggregateFunction`]) into this one.
    fn merge(&mut self, later: Box<dyn Accumulator>);
    /// The aggregate's value.
    fn finish(self: Box<Self>) -> Value;
}

/// Lets [`Accumulator::merge`] recover the concrete state of its argument.
pub trait IntoAny {
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Any> IntoAny for T {
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// The state of `later` as the accumulator type `T` that merges it; `None`
/// when `later` came from another function (a bug: the executor merges
/// only accumulators of the same aggregate).
fn downcast<T: Any>(later: Box<dyn Accumulator>) -> Option<T> {
    later.into_any().downcast::<T>().ok().map(|b| *b)
}

/// Makes a fresh accumulator for a function whose result has the given type.
pub type NewAccumulator = fn(&AggregateFunction, DataType) -> Box<dyn Accumulator>;

pub struct AggregateFunction {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub signature: Signature,
    /// The family's accumulator.
    accumulator: NewAccumulator,
    /// Position of the predicate argument of the `-if` forms.
    predicate: Option<usize>,
    /// Auto-name prefix: `sum(x)` → `sum_x`, `make_set(x)` → `set_x`.
    pub prefix: &'static str,
    /// Default maximum number of elements (`make_list`, `make_set`).
    pub default_limit: usize,
}

impl fmt::Debug for AggregateFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for AggregateFunction {
    fn eq(&self, other: &AggregateFunction) -> bool {
        self.name == other.name
    }
}

impl AggregateFunction {
    /// A fresh accumulator for one group, whose result has type `ty`.
    pub fn accumulator(&self, ty: DataType) -> Box<dyn Accumulator> {
        (self.accumulator)(self, ty)
    }

    /// Position of the predicate argument of the `-if` forms, if any: rows
    /// where it is not `true` are skipped before [`Accumulator::update`].
    pub fn predicate_position(&self) -> Option<usize> {
        self.predicate
    }

    /// `arg_max`/`arg_min` (and their legacy spellings), which the binder
    /// expands into one aggregate per returned column.
    pub fn is_arg_extreme(&self) -> bool {
        matches!(self.name, "arg_max" | "arg_min" | "argmax" | "argmin")
    }
}

const LIST_LIMIT: usize = 1_048_576;
/// The legacy `makelist`/`makeset` stop at 128 elements by default.
const LEGACY_LIST_LIMIT: usize = 128;

/// One row of [`AGGREGATES`]: the name, the arity, the signature, the
/// accumulator and the auto-name prefix.
const fn aggregate(
    name: &'static str,
    args: (usize, usize),
    signature: Signature,
    accumulator: NewAccumulator,
    prefix: &'static str,
) -> AggregateFunction {
    AggregateFunction {
        name,
        min_args: args.0,
        max_args: args.1,
        signature,
        accumulator,
        predicate: None,
        prefix,
        default_limit: LIST_LIMIT,
    }
}

/// The `-if` form: rows count only where the second argument is `true`.
const fn conditional(mut f: AggregateFunction) -> AggregateFunction {
    f.predicate = Some(1);
    f
}

/// The `-if` form whose predicate is argument `at` (`covarianceif(x, y, p)`).
const fn conditional_at(mut f: AggregateFunction, at: usize) -> AggregateFunction {
    f.predicate = Some(at);
    f
}

const fn legacy(mut f: AggregateFunction) -> AggregateFunction {
    f.default_limit = LEGACY_LIST_LIMIT;
    f
}

use collect::{bag, list, list_with_nulls, set};
use count::{count, count_true, distinct};
use hll::{hll, hll_if, hll_merge};
use numeric::{covariance, covariancep, mean, stdev, stdevp, sum, variance, variancep};
use percentile::{percentile, percentiles, weighted, weighted_array};
use pick::{any, arg_max, arg_min, max, min};
use schema::build_schema;
use tdigest::{tdigest, tdigest_merge};

const AGGREGATES: &[AggregateFunction] = &[
    aggregate("count", (0, 1), returns::<LONG>, count, "count"),
    aggregate(
        "countif",
        (1, 1),
        predicate_returns_long,
        count_true,
        "countif",
    ),
    aggregate("dcount", (1, 2), returns::<LONG>, distinct, "dcount"),
    conditional(aggregate(
        "dcountif",
        (2, 3),
        returns::<LONG>,
        distinct,
        "dcountif",
    )),
    aggregate(
        "count_distinct",
        (1, 1),
        returns::<LONG>,
        distinct,
        "count_distinct",
    ),
    aggregate("sum", (1, 1), sum_type, sum, "sum"),
    conditional(aggregate("sumif", (2, 2), sum_type, sum, "sumif")),
    aggregate("avg", (1, 1), avg_type, mean, "avg"),
    conditional(aggregate("avgif", (2, 2), avg_type, mean, "avgif")),
    aggregate("min", (1, 1), first_arg_type, min, "min"),
    aggregate("max", (1, 1), first_arg_type, max, "max"),
    conditional(aggregate("minif", (2, 2), first_arg_type, min, "minif")),
    conditional(aggregate("maxif", (2, 2), first_arg_type, max, "maxif")),
    aggregate("make_list", (1, 2), returns::<DYNAMIC>, list, "list"),
    conditional(aggregate(
        "make_list_if",
        (2, 3),
        returns::<DYNAMIC>,
        list,
        "list",
    )),
    aggregate(
        "make_list_with_nulls",
        (1, 2),
        returns::<DYNAMIC>,
        list_with_nulls,
        "list",
    ),
    aggregate("make_set", (1, 2), returns::<DYNAMIC>, set, "set"),
    conditional(aggregate(
        "make_set_if",
        (2, 3),
        returns::<DYNAMIC>,
        set,
        "set",
    )),
    aggregate("make_bag", (1, 2), returns::<DYNAMIC>, bag, "bag"),
    // `buildschema(x)` names its column `schema_x` (buildschema-aggregation-function).
    aggregate(
        "buildschema",
        (1, 1),
        returns::<DYNAMIC>,
        build_schema,
        "schema",
    ),
    conditional(aggregate(
        "make_bag_if",
        (2, 3),
        returns::<DYNAMIC>,
        bag,
        "bag",
    )),
    legacy(aggregate(
        "makelist",
        (1, 2),
        returns::<DYNAMIC>,
        list,
        "list",
    )),
    legacy(aggregate("makeset", (1, 2), returns::<DYNAMIC>, set, "set")),
    aggregate("arg_max", (1, usize::MAX), first_arg_type, arg_max, "max"),
    aggregate("arg_min", (1, usize::MAX), first_arg_type, arg_min, "min"),
    aggregate("argmax", (1, usize::MAX), first_arg_type, arg_max, "max"),
    aggregate("argmin", (1, usize::MAX), first_arg_type, arg_min, "min"),
    aggregate("take_any", (1, usize::MAX), first_arg_type, any, "any"),
    aggregate("any", (1, usize::MAX), first_arg_type, any, "any"),
    conditional(aggregate(
        "take_anyif",
        (2, 2),
        first_arg_type,
        any,
        "anyif",
    )),
    conditional(aggregate("anyif", (2, 2), first_arg_type, any, "anyif")),
    aggregate("stdev", (1, 1), returns::<REAL>, stdev, "stdev"),
    conditional(aggregate(
        "stdevif",
        (2, 2),
        returns::<REAL>,
        stdev,
        "stdevif",
    )),
    aggregate("variance", (1, 1), returns::<REAL>, variance, "variance"),
    conditional(aggregate(
        "varianceif",
        (2, 2),
        returns::<REAL>,
        variance,
        "varianceif",
    )),
    aggregate("variancep", (1, 1), returns::<REAL>, variancep, "variancep"),
    conditional(aggregate(
        "variancepif",
        (2, 2),
        returns::<REAL>,
        variancep,
        "variancepif",
    )),
    aggregate(
        "covariance",
        (2, 2),
        returns::<REAL>,
        covariance,
        "covariance",
    ),
    conditional_at(
        aggregate(
            "covarianceif",
            (3, 3),
            returns::<REAL>,
            covariance,
            "covarianceif",
        ),
        2,
    ),
    aggregate(
        "covariancep",
        (2, 2),
        returns::<REAL>,
        covariancep,
        "covariancep",
    ),
    conditional_at(
        aggregate(
            "covariancepif",
            (3, 3),
            returns::<REAL>,
            covariancep,
            "covariancepif",
        ),
        2,
    ),
    aggregate("stdevp", (1, 1), returns::<REAL>, stdevp, "stdevp"),
    conditional(aggregate(
        "stdevpif",
        (2, 2),
        returns::<REAL>,
        stdevp,
        "stdevpif",
    )),
    aggregate(
        "percentile",
        (2, 2),
        percentile_type,
        percentile,
        "percentile",
    ),
    aggregate(
        "percentiles_array",
        (2, usize::MAX),
        returns::<DYNAMIC>,
        percentiles,
        "percentiles",
    ),
    // `percentilesw-aggregation-function`: the result columns are named as
    // `percentile`'s (`percentile_x_50`, `percentile_x` for the array).
    aggregate(
        "percentilew",
        (3, 3),
        weighted_percentile_type,
        weighted,
        "percentile",
    ),
    aggregate(
        "percentilesw_array",
        (3, usize::MAX),
        weighted_array_type,
        weighted_array,
        "percentile",
    ),
    // HyperLogLog sketches (docs/semantics.md#sketches).
    aggregate("hll", (1, 2), hll_type, hll, "hll"),
    conditional(aggregate("hll_if", (2, 3), hll_if_type, hll_if, "hll_if")),
    aggregate("hll_merge", (1, 1), sketch_type, hll_merge, "hll_merge"),
    // t-digests (docs/semantics.md#sketches); the merges are named
    // `merge_tdigests_x` (tdigest-merge-aggregation-function).
    aggregate("tdigest", (1, 2), tdigest_type, tdigest, "tdigest"),
    aggregate(
        "tdigest_merge",
        (1, 1),
        sketch_type,
        tdigest_merge,
        "merge_tdigests",
    ),
    aggregate(
        "merge_tdigest",
        (1, 1),
        sketch_type,
        tdigest_merge,
        "merge_tdigests",
    ),
    conditional(aggregate(
        "count_distinctif",
        (2, 2),
        returns::<LONG>,
        distinct,
        "count_distinctif",
    )),
];

/// The aggregation function called `name`.
pub fn lookup_aggregate(name: &str) -> Option<&'static AggregateFunction> {
    AGGREGATES.iter().find(|f| f.name == name)
}

pub fn aggregate_names() -> impl Iterator<Item = &'static str> {
    AGGREGATES.iter().map(|f| f.name)
}

fn first_arg_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    Ok(types.first().copied().unwrap_or(DataType::Dynamic))
}

/// `percentile(x, p)`: the type of `x`; a number's percentile is one of
/// the values, so it keeps the column's type, except that a `decimal`
/// column's percentile is a `real` (the official analyzer's signature,
/// percentiles-aggregation-function; tests/conformance/function-types.txt).
fn percentile_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types.get(1).copied() {
        Some(t) if !(t.is_numeric() || t == DataType::Dynamic) => {
            Err(arg_type_error("percentile", 1, "a number", t))
        }
        _ => match first_arg_type(types)? {
            DataType::Decimal => Ok(DataType::Real),
            t => Ok(t),
        },
    }
}

/// `percentilew(x, weight, p)`: the type of `x`; the weight a number.
fn weighted_percentile_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    weight_type(types)?;
    let at = |i: usize| types.get(i).copied().unwrap_or(DataType::Dynamic);
    percentile_type(&[at(0), at(2)])
}

fn weighted_array_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    weight_type(types)?;
    Ok(DataType::Dynamic)
}

fn weight_type(types: &[DataType]) -> Result<(), SignatureError> {
    match types.get(1).copied() {
        Some(t) if !(t.is_numeric() || t == DataType::Dynamic) => {
            Err(arg_type_error("percentilew", 1, "a number", t))
        }
        _ => Ok(()),
    }
}

/// `hll(x [, accuracy])`: any scalar but `real` and `bool` (the official
/// analyzer's `NotRealOrBool`); the accuracy an integer.
fn hll_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    hll_arguments("hll", types, 1)
}

/// `hll_if(x, predicate [, accuracy])`.
fn hll_if_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    hll_arguments("hll_if", types, 2)
}

fn hll_arguments(
    function: &'static str,
    types: &[DataType],
    accuracy_at: usize,
) -> Result<DataType, SignatureError> {
    if let Some(t @ (DataType::Real | DataType::Bool)) = types.first().copied() {
        return Err(arg_type_error(function, 0, "neither real nor bool", t));
    }
    match types.get(accuracy_at).copied() {
        Some(t) if !matches!(t, DataType::Int | DataType::Long | DataType::Dynamic) => {
            Err(arg_type_error(function, accuracy_at, "an integer", t))
        }
        _ => Ok(DataType::Dynamic),
    }
}

/// `tdigest(x [, weight])`: a number, datetime or timespan (the official
/// analyzer's `Summable`); the weight an integer.
fn tdigest_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types.first().copied() {
        Some(t)
            if !(t.is_numeric()
                || matches!(
                    t,
                    DataType::DateTime | DataType::Timespan | DataType::Dynamic
                )) =>
        {
            Err(arg_type_error(
                "tdigest",
                0,
                "a number, datetime or timespan",
                t,
            ))
        }
        _ => match types.get(1).copied() {
            Some(t) if !matches!(t, DataType::Int | DataType::Long | DataType::Dynamic) => {
                Err(arg_type_error("tdigest", 1, "an integer", t))
            }
            _ => Ok(DataType::Dynamic),
        },
    }
}

/// A sketch argument (`hll_merge`, `tdigest_merge`): dynamic.
fn sketch_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types.first().copied() {
        Some(DataType::Dynamic | DataType::String) | None => Ok(DataType::Dynamic),
        Some(t) => Err(arg_type_error("hll_merge", 0, "a dynamic value", t)),
    }
}

fn predicate_returns_long(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types.first() {
        Some(DataType::Bool | DataType::Dynamic) | None => Ok(DataType::Long),
        Some(&t) => Err(arg_type_error("countif", 0, "a bool", t)),
    }
}

fn sum_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types.first().copied().unwrap_or(DataType::Dynamic) {
        DataType::Int | DataType::Long | DataType::Bool => Ok(DataType::Long),
        DataType::Decimal => Ok(DataType::Decimal),
        DataType::Real | DataType::Dynamic => Ok(DataType::Real),
        DataType::Timespan => Ok(DataType::Timespan),
        t => Err(arg_type_error("sum", 0, "a number", t)),
    }
}

fn avg_type(types: &[DataType]) -> Result<DataType, SignatureError> {
    match types.first().copied().unwrap_or(DataType::Dynamic) {
        DataType::Timespan => Ok(DataType::Timespan),
        DataType::DateTime => Ok(DataType::DateTime),
        // A decimal column's average is a decimal (avg-aggregation-function).
        DataType::Decimal => Ok(DataType::Decimal),
        t if t.is_numeric() || t == DataType::Dynamic || t == DataType::Bool => Ok(DataType::Real),
        t => Err(arg_type_error("avg", 0, "a number", t)),
    }
}

/// The `bool` predicate type code, re-exported for the binder's checks.
pub const PREDICATE: DataType = super::type_from_code(BOOL);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Bag;

    fn run(name: &str, ty: DataType, rows: &[Vec<Value>], split: usize) -> Value {
        let f = lookup_aggregate(name).unwrap();
        let mut a = f.accumulator(ty);
        let mut b = f.accumulator(ty);
        for (i, row) in rows.iter().enumerate() {
            let acc = if i < split { &mut a } else { &mut b };
            acc.update(row);
        }
        a.merge(b);
        a.finish()
    }

    #[test]
    fn count_counts_null_arguments_too() {
        let rows = vec![vec![Value::Long(1)], vec![Value::Null]];
        assert_eq!(run("count", DataType::Long, &rows, 1), Value::Long(2));
    }

    #[test]
    fn make_set_flattens_arrays_and_keeps_first_seen_order() {
        let rows = vec![
            vec![Value::array(vec![Value::string("A1"), Value::string("A2")])],
            vec![Value::array(vec![Value::string("A2"), Value::string("C1")])],
        ];
        let v = run("make_set", DataType::Dynamic, &rows, 1);
        assert_eq!(
            v,
            Value::array(vec![
                Value::string("A1"),
                Value::string("A2"),
                Value::string("C1")
            ])
        );
    }

    #[test]
    fn arg_max_keeps_the_first_of_equal_keys_across_chunks() {
        let rows = vec![
            vec![Value::Long(5), Value::string("first")],
            vec![Value::Long(5), Value::string("second")],
        ];
        for split in 0..=2 {
            assert_eq!(
                run("arg_max", DataType::String, &rows, split),
                Value::string("first")
            );
        }
    }

    #[test]
    fn avg_of_nothing_is_nan_and_stdev_merges_exactly() {
        assert!(matches!(run("avg", DataType::Real, &[], 0), Value::Real(r) if r.is_nan()));
        let rows: Vec<Vec<Value>> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .iter()
            .map(|x| vec![Value::Real(*x)])
            .collect();
        let Value::Real(s) = run("variance", DataType::Real, &rows, 3) else {
            panic!()
        };
        assert!((s - 32.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn make_list_and_make_set_take_the_max_size_argument_across_chunks() {
        let rows: Vec<Vec<Value>> = (1..=5)
            .map(|i| vec![Value::Long(i), Value::Long(2)])
            .collect();
        for split in 0..=5 {
            assert_eq!(
                run("make_list", DataType::Dynamic, &rows, split),
                Value::array(vec![Value::Long(1), Value::Long(2)])
            );
            assert_eq!(
                run("make_set", DataType::Dynamic, &rows, split),
                Value::array(vec![Value::Long(1), Value::Long(2)])
            );
        }
    }

    #[test]
    fn population_variance_divides_by_n() {
        let rows: Vec<Vec<Value>> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .iter()
            .map(|x| vec![Value::Real(*x)])
            .collect();
        assert_eq!(run("variancep", DataType::Real, &rows, 4), Value::Real(4.0));
        assert_eq!(run("stdevp", DataType::Real, &rows, 4), Value::Real(2.0));
        assert_eq!(
            run("stdev", DataType::Real, &[vec![Value::Real(3.0)]], 1),
            Value::Real(0.0)
        );
    }

    #[test]
    fn percentiles_are_nearest_rank_values() {
        let rows: Vec<Vec<Value>> = (1..=10)
            .map(|i| vec![Value::Long(i), Value::Long(50)])
            .collect();
        assert_eq!(run("percentile", DataType::Long, &rows, 3), Value::Long(5));
        let rows: Vec<Vec<Value>> = (1..=10)
            .map(|i| {
                vec![
                    Value::Long(i),
                    Value::Long(10),
                    Value::Long(90),
                    Value::Long(100),
                ]
            })
            .collect();
        assert_eq!(
            run("percentiles_array", DataType::Dynamic, &rows, 7),
            Value::array(vec![Value::Long(1), Value::Long(9), Value::Long(10)])
        );
    }

    #[test]
    fn make_bag_keeps_the_first_value_of_a_key_and_the_size_limit() {
        let bag = |k: &str, v: i64| {
            let mut b = Bag::new();
            b.insert(k.into(), Value::Long(v));
            vec![Value::bag(b), Value::Long(2)]
        };
        let rows = vec![bag("a", 1), bag("a", 2), bag("b", 3), bag("c", 4)];
        let Value::Bag(out) = run("make_bag", DataType::Dynamic, &rows, 2) else {
            panic!()
        };
        assert_eq!(out.get("a"), Some(&Value::Long(1)));
        assert_eq!(out.len(), 2);
    }
}

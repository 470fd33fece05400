//! Aggregation functions for `summarize`: each is an accumulator that is
//! updated row by row, merged across chunks in input order, and finished
//! into one value (docs/semantics.md#aggregates).
//!
//! Merging is deterministic: a partial result from an earlier chunk always
//! comes first, so `make_list`, `take_any` and the ties of `arg_max` give
//! the same answer for any thread count.

use super::{BOOL, DYNAMIC, LONG, REAL, Signature, arg_type_error, returns};
use crate::types::DataType;
use crate::value::key::Key;
use crate::value::{Bag, Value, compare};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggregateKind {
    Count,
    CountIf,
    /// `dcount(x [, accuracy])`: counted exactly. Kusto estimates with
    /// HyperLogLog (`dcount-aggregation-function`: about 1% error at the
    /// default accuracy), so on large sets its answer may differ slightly;
    /// the accuracy argument is accepted and ignored.
    DCount,
    DCountIf,
    Sum,
    SumIf,
    Avg,
    AvgIf,
    Min,
    Max,
    MinIf,
    MaxIf,
    MakeList,
    MakeListIf,
    MakeListWithNulls,
    MakeSet,
    MakeSetIf,
    MakeBag,
    MakeBagIf,
    /// `arg_max(key, value)`: `value` of the row with the largest `key`.
    /// The binder splits `arg_max(k, a, b)` into one of these per column.
    ArgMax,
    ArgMin,
    TakeAny,
    TakeAnyIf,
    Stdev,
    StdevIf,
    Variance,
    VarianceIf,
    /// Population variance and standard deviation (`variancep`, `stdevp`).
    VarianceP,
    VariancePIf,
    StdevP,
    StdevPIf,
    Percentile,
    /// `percentiles_array(x, p1, p2, ...)` or `(x, dynamic([p1, ...]))`: a
    /// dynamic array of the percentiles.
    PercentilesArray,
}

pub struct AggregateFunction {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub signature: Signature,
    pub kind: AggregateKind,
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

const LIST_LIMIT: usize = 1_048_576;
/// The legacy `makelist`/`makeset` stop at 128 elements by default.
const LEGACY_LIST_LIMIT: usize = 128;

const fn aggregate(
    name: &'static str,
    args: (usize, usize),
    signature: Signature,
    kind: AggregateKind,
    prefix: &'static str,
) -> AggregateFunction {
    AggregateFunction {
        name,
        min_args: args.0,
        max_args: args.1,
        signature,
        kind,
        prefix,
        default_limit: LIST_LIMIT,
    }
}

const fn legacy(mut f: AggregateFunction, name: &'static str) -> AggregateFunction {
    f.name = name;
    f.default_limit = LEGACY_LIST_LIMIT;
    f
}

use AggregateKind as K;

const AGGREGATES: &[AggregateFunction] = &[
    aggregate("count", (0, 1), returns::<LONG>, K::Count, "count"),
    aggregate(
        "countif",
        (1, 1),
        predicate_returns_long,
        K::CountIf,
        "countif",
    ),
    aggregate("dcount", (1, 2), returns::<LONG>, K::DCount, "dcount"),
    aggregate("dcountif", (2, 3), returns::<LONG>, K::DCountIf, "dcountif"),
    aggregate(
        "count_distinct",
        (1, 1),
        returns::<LONG>,
        K::DCount,
        "count_distinct",
    ),
    aggregate("sum", (1, 1), sum_type, K::Sum, "sum"),
    aggregate("sumif", (2, 2), sum_type, K::SumIf, "sumif"),
    aggregate("avg", (1, 1), avg_type, K::Avg, "avg"),
    aggregate("avgif", (2, 2), avg_type, K::AvgIf, "avgif"),
    aggregate("min", (1, 1), first_arg_type, K::Min, "min"),
    aggregate("max", (1, 1), first_arg_type, K::Max, "max"),
    aggregate("minif", (2, 2), first_arg_type, K::MinIf, "minif"),
    aggregate("maxif", (2, 2), first_arg_type, K::MaxIf, "maxif"),
    aggregate("make_list", (1, 2), returns::<DYNAMIC>, K::MakeList, "list"),
    aggregate(
        "make_list_if",
        (2, 3),
        returns::<DYNAMIC>,
        K::MakeListIf,
        "list",
    ),
    aggregate(
        "make_list_with_nulls",
        (1, 2),
        returns::<DYNAMIC>,
        K::MakeListWithNulls,
        "list",
    ),
    aggregate("make_set", (1, 2), returns::<DYNAMIC>, K::MakeSet, "set"),
    aggregate(
        "make_set_if",
        (2, 3),
        returns::<DYNAMIC>,
        K::MakeSetIf,
        "set",
    ),
    aggregate("make_bag", (1, 2), returns::<DYNAMIC>, K::MakeBag, "bag"),
    aggregate(
        "make_bag_if",
        (2, 3),
        returns::<DYNAMIC>,
        K::MakeBagIf,
        "bag",
    ),
    legacy(
        aggregate("makelist", (1, 2), returns::<DYNAMIC>, K::MakeList, "list"),
        "makelist",
    ),
    legacy(
        aggregate("makeset", (1, 2), returns::<DYNAMIC>, K::MakeSet, "set"),
        "makeset",
    ),
    aggregate("arg_max", (1, usize::MAX), first_arg_type, K::ArgMax, "max"),
    aggregate("arg_min", (1, usize::MAX), first_arg_type, K::ArgMin, "min"),
    aggregate("argmax", (1, usize::MAX), first_arg_type, K::ArgMax, "max"),
    aggregate("argmin", (1, usize::MAX), first_arg_type, K::ArgMin, "min"),
    aggregate(
        "take_any",
        (1, usize::MAX),
        first_arg_type,
        K::TakeAny,
        "any",
    ),
    aggregate("any", (1, usize::MAX), first_arg_type, K::TakeAny, "any"),
    aggregate("take_anyif", (2, 2), first_arg_type, K::TakeAnyIf, "anyif"),
    aggregate("anyif", (2, 2), first_arg_type, K::TakeAnyIf, "anyif"),
    aggregate("stdev", (1, 1), returns::<REAL>, K::Stdev, "stdev"),
    aggregate("stdevif", (2, 2), returns::<REAL>, K::StdevIf, "stdevif"),
    aggregate("variance", (1, 1), returns::<REAL>, K::Variance, "variance"),
    aggregate(
        "varianceif",
        (2, 2),
        returns::<REAL>,
        K::VarianceIf,
        "varianceif",
    ),
    aggregate(
        "variancep",
        (1, 1),
        returns::<REAL>,
        K::VarianceP,
        "variancep",
    ),
    aggregate(
        "variancepif",
        (2, 2),
        returns::<REAL>,
        K::VariancePIf,
        "variancepif",
    ),
    aggregate("stdevp", (1, 1), returns::<REAL>, K::StdevP, "stdevp"),
    aggregate("stdevpif", (2, 2), returns::<REAL>, K::StdevPIf, "stdevpif"),
    aggregate(
        "percentile",
        (2, 2),
        percentile_type,
        K::Percentile,
        "percentile",
    ),
    aggregate(
        "percentiles_array",
        (2, usize::MAX),
        returns::<DYNAMIC>,
        K::PercentilesArray,
        "percentiles",
    ),
    aggregate(
        "count_distinctif",
        (2, 2),
        returns::<LONG>,
        K::DCountIf,
        "count_distinctif",
    ),
];

/// The aggregation function called `name`.
pub fn lookup_aggregate(name: &str) -> Option<&'static AggregateFunction> {
    AGGREGATES.iter().find(|f| f.name == name)
}

pub fn aggregate_names() -> impl Iterator<Item = &'static str> {
    AGGREGATES.iter().map(|f| f.name)
}

fn first_arg_type(types: &[DataType]) -> Result<DataType, String> {
    Ok(types.first().copied().unwrap_or(DataType::Dynamic))
}

/// `percentile(x, p)`: the type of `x`; a number's percentile is one of
/// the values, so it keeps the column's type.
fn percentile_type(types: &[DataType]) -> Result<DataType, String> {
    match types.get(1).copied() {
        Some(t) if !(t.is_numeric() || t == DataType::Dynamic) => {
            Err(arg_type_error("percentile", 1, "a number", t))
        }
        _ => first_arg_type(types),
    }
}

fn predicate_returns_long(types: &[DataType]) -> Result<DataType, String> {
    match types.first() {
        Some(DataType::Bool | DataType::Dynamic) | None => Ok(DataType::Long),
        Some(&t) => Err(arg_type_error("countif", 0, "a bool", t)),
    }
}

fn sum_type(types: &[DataType]) -> Result<DataType, String> {
    match types.first().copied().unwrap_or(DataType::Dynamic) {
        DataType::Int | DataType::Long | DataType::Bool => Ok(DataType::Long),
        DataType::Real | DataType::Decimal | DataType::Dynamic => Ok(DataType::Real),
        DataType::Timespan => Ok(DataType::Timespan),
        t => Err(arg_type_error("sum", 0, "a number", t)),
    }
}

fn avg_type(types: &[DataType]) -> Result<DataType, String> {
    match types.first().copied().unwrap_or(DataType::Dynamic) {
        DataType::Timespan => Ok(DataType::Timespan),
        DataType::DateTime => Ok(DataType::DateTime),
        t if t.is_numeric() || t == DataType::Dynamic || t == DataType::Bool => Ok(DataType::Real),
        t => Err(arg_type_error("avg", 0, "a number", t)),
    }
}

/// Running state of one aggregate in one group.
#[derive(Clone, Debug)]
pub enum Accumulator {
    Count(i64),
    Distinct(HashSet<Key>),
    Sum(Sum),
    Mean {
        sum: f64,
        count: u64,
        kind: MeanKind,
    },
    Extreme {
        best: Option<Value>,
        want: Ordering,
    },
    List {
        items: Vec<Value>,
        limit: Limit,
        keep_nulls: bool,
    },
    Set {
        items: Vec<Value>,
        seen: HashSet<Key>,
        limit: Limit,
    },
    Bag {
        bag: Bag,
        limit: Limit,
    },
    /// `arg_max`/`arg_min`: the best key so far and the value beside it.
    Arg {
        key: Option<Value>,
        value: Value,
        want: Ordering,
    },
    Any(Option<Value>),
    /// Welford's running mean and sum of squared deviations.
    Moments {
        n: u64,
        mean: f64,
        m2: f64,
        stdev: bool,
        /// Divide by n (`variancep`, `stdevp`) rather than n - 1.
        population: bool,
    },
    Percentile {
        values: Vec<Value>,
        percent: Option<f64>,
    },
    Percentiles {
        values: Vec<Value>,
        percents: Option<Vec<f64>>,
    },
}

/// The maximum size of a `make_list`/`make_set`/`make_bag` result: the
/// function's default until the optional `maxSize` argument is seen.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: usize,
    /// Whether `max` came from the query's `maxSize` argument.
    pub given: bool,
}

impl Limit {
    fn default_for(function: &AggregateFunction) -> Limit {
        Limit {
            max: function.default_limit,
            given: false,
        }
    }

    /// Takes the `maxSize` argument at `position`, if the call has one.
    /// Decision: a size below 1 or null keeps the default.
    fn read(&mut self, args: &[Value], position: usize) {
        if self.given {
            return;
        }
        if let Some(n) = args
            .get(position)
            .and_then(Value::as_i64)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
        {
            self.max = n;
            self.given = true;
        }
    }

    /// Adopts a later chunk's limit when this chunk saw no `maxSize`.
    fn merge(&mut self, other: Limit) {
        if !self.given && other.given {
            *self = other;
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum MeanKind {
    Number,
    Timespan,
    DateTime,
}

#[derive(Clone, Debug)]
pub enum Sum {
    Long(Option<i64>),
    Real(f64),
    Timespan(i64),
}

impl Accumulator {
    /// A fresh accumulator for `kind` whose result has type `ty`.
    pub fn new(function: &AggregateFunction, ty: DataType) -> Accumulator {
        match function.kind {
            K::Count | K::CountIf => Accumulator::Count(0),
            K::DCount | K::DCountIf => Accumulator::Distinct(HashSet::new()),
            K::Sum | K::SumIf => Accumulator::Sum(match ty {
                DataType::Long => Sum::Long(Some(0)),
                DataType::Timespan => Sum::Timespan(0),
                _ => Sum::Real(0.0),
            }),
            K::Avg | K::AvgIf => Accumulator::Mean {
                sum: 0.0,
                count: 0,
                kind: match ty {
                    DataType::Timespan => MeanKind::Timespan,
                    DataType::DateTime => MeanKind::DateTime,
                    _ => MeanKind::Number,
                },
            },
            K::Min | K::MinIf => Accumulator::Extreme {
                best: None,
                want: Ordering::Less,
            },
            K::Max | K::MaxIf => Accumulator::Extreme {
                best: None,
                want: Ordering::Greater,
            },
            K::MakeList | K::MakeListIf => Accumulator::List {
                items: Vec::new(),
                limit: Limit::default_for(function),
                keep_nulls: false,
            },
            K::MakeListWithNulls => Accumulator::List {
                items: Vec::new(),
                limit: Limit::default_for(function),
                keep_nulls: true,
            },
            K::MakeSet | K::MakeSetIf => Accumulator::Set {
                items: Vec::new(),
                seen: HashSet::new(),
                limit: Limit::default_for(function),
            },
            K::MakeBag | K::MakeBagIf => Accumulator::Bag {
                bag: Bag::new(),
                limit: Limit::default_for(function),
            },
            K::ArgMax => Accumulator::Arg {
                key: None,
                value: Value::Null,
                want: Ordering::Greater,
            },
            K::ArgMin => Accumulator::Arg {
                key: None,
                value: Value::Null,
                want: Ordering::Less,
            },
            K::TakeAny | K::TakeAnyIf => Accumulator::Any(None),
            K::Stdev
            | K::StdevIf
            | K::Variance
            | K::VarianceIf
            | K::StdevP
            | K::StdevPIf
            | K::VarianceP
            | K::VariancePIf => Accumulator::Moments {
                n: 0,
                mean: 0.0,
                m2: 0.0,
                stdev: matches!(
                    function.kind,
                    K::Stdev | K::StdevIf | K::StdevP | K::StdevPIf
                ),
                population: matches!(
                    function.kind,
                    K::StdevP | K::StdevPIf | K::VarianceP | K::VariancePIf
                ),
            },
            K::Percentile => Accumulator::Percentile {
                values: Vec::new(),
                percent: None,
            },
            K::PercentilesArray => Accumulator::Percentiles {
                values: Vec::new(),
                percents: None,
            },
        }
    }

    /// Adds one row. `args` are the aggregate's evaluated arguments; for
    /// the `-if` forms the predicate has already been checked by the caller
    /// (see [`AggregateFunction::predicate_position`]).
    pub fn update(&mut self, kind: AggregateKind, args: &[Value]) {
        let first = args.first().unwrap_or(&Value::Null);
        match self {
            Accumulator::Count(n) => {
                // `count(x)` counts rows, nulls included (docs/semantics.md#aggregates);
                // `countif(p)` counts true predicates.
                if kind != K::CountIf || matches!(first, Value::Bool(true)) {
                    *n += 1;
                }
            }
            Accumulator::Distinct(set) => {
                if !first.is_null() {
                    set.insert(Key(first.clone()));
                }
            }
            Accumulator::Sum(sum) => add_to_sum(sum, first),
            Accumulator::Mean { sum, count, .. } => {
                if let Some(x) = mean_input(first) {
                    *sum += x;
                    *count += 1;
                }
            }
            Accumulator::Extreme { best, want } => {
                if !compare::is_null_like(first)
                    && best
                        .as_ref()
                        .is_none_or(|b| compare::order(first, b) == Some(*want))
                {
                    *best = Some(first.clone());
                }
            }
            Accumulator::List {
                items,
                limit,
                keep_nulls,
            } => {
                limit.read(args, limit_position(kind));
                if (*keep_nulls || !first.is_null()) && items.len() < limit.max {
                    items.push(first.clone());
                }
            }
            Accumulator::Set { items, seen, limit } => {
                limit.read(args, limit_position(kind));
                match first {
                    // An array contributes its elements (make-set-aggregation-function).
                    Value::Array(elements) => {
                        for e in elements.iter() {
                            add_to_set(items, seen, limit.max, e);
                        }
                    }
                    v => add_to_set(items, seen, limit.max, v),
                }
            }
            Accumulator::Bag { bag, limit } => {
                limit.read(args, limit_position(kind));
                if let Value::Bag(b) = first {
                    add_to_bag(bag, limit.max, b);
                }
            }
            Accumulator::Arg { key, value, want } => {
                let candidate = args.get(1).unwrap_or(first);
                if compare::is_null_like(first) {
                    // Rows with a null key count only while nothing better exists.
                    if key.is_none() && value.is_null() {
                        *value = candidate.clone();
                    }
                } else if key
                    .as_ref()
                    .is_none_or(|k| compare::order(first, k) == Some(*want))
                {
                    *key = Some(first.clone());
                    *value = candidate.clone();
                }
            }
            Accumulator::Any(slot) => {
                if slot.as_ref().is_none_or(Value::is_null) && !first.is_null() {
                    *slot = Some(first.clone());
                } else if slot.is_none() {
                    *slot = Some(Value::Null);
                }
            }
            Accumulator::Moments { n, mean, m2, .. } => {
                if let Some(x) = first.as_f64() {
                    *n += 1;
                    let delta = x - *mean;
                    *mean += delta / *n as f64;
                    *m2 += delta * (x - *mean);
                }
            }
            Accumulator::Percentile { values, percent } => {
                if percent.is_none() {
                    *percent = args.get(1).and_then(Value::as_f64);
                }
                if !compare::is_null_like(first) {
                    values.push(first.clone());
                }
            }
            Accumulator::Percentiles { values, percents } => {
                if percents.is_none() {
                    *percents = Some(percent_list(&args[1.min(args.len())..]));
                }
                if !compare::is_null_like(first) {
                    values.push(first.clone());
                }
            }
        }
    }

    /// Folds a later chunk's partial result into this one.
    pub fn merge(&mut self, later: Accumulator) {
        match (self, later) {
            (Accumulator::Count(a), Accumulator::Count(b)) => *a += b,
            (Accumulator::Distinct(a), Accumulator::Distinct(b)) => a.extend(b),
            (Accumulator::Sum(a), Accumulator::Sum(b)) => match (a, b) {
                (Sum::Long(x), Sum::Long(y)) => *x = x.zip(y).and_then(|(x, y)| x.checked_add(y)),
                (Sum::Real(x), Sum::Real(y)) => *x += y,
                (Sum::Timespan(x), Sum::Timespan(y)) => *x = x.saturating_add(y),
                _ => {}
            },
            (
                Accumulator::Mean { sum, count, .. },
                Accumulator::Mean {
                    sum: s, count: c, ..
                },
            ) => {
                *sum += s;
                *count += c;
            }
            (Accumulator::Extreme { best, want }, Accumulator::Extreme { best: other, .. }) => {
                if let Some(o) = other
                    && best
                        .as_ref()
                        .is_none_or(|b| compare::order(&o, b) == Some(*want))
                    {
                        *best = Some(o);
                    }
            }
            (
                Accumulator::List { items, limit, .. },
                Accumulator::List {
                    items: more,
                    limit: other,
                    ..
                },
            ) => {
                limit.merge(other);
                let room = limit.max.saturating_sub(items.len());
                items.extend(more.into_iter().take(room));
            }
            (
                Accumulator::Set { items, seen, limit },
                Accumulator::Set {
                    items: more,
                    limit: other,
                    ..
                },
            ) => {
                limit.merge(other);
                for v in &more {
                    add_to_set(items, seen, limit.max, v);
                }
            }
            (
                Accumulator::Bag { bag, limit },
                Accumulator::Bag {
                    bag: more,
                    limit: other,
                },
            ) => {
                limit.merge(other);
                add_to_bag(bag, limit.max, &more);
            }
            (
                Accumulator::Arg { key, value, want },
                Accumulator::Arg {
                    key: other_key,
                    value: other_value,
                    ..
                },
            ) => match other_key {
                Some(k) => {
                    if key
                        .as_ref()
                        .is_none_or(|mine| compare::order(&k, mine) == Some(*want))
                    {
                        *key = Some(k);
                        *value = other_value;
                    }
                }
                None => {
                    if key.is_none() && value.is_null() {
                        *value = other_value;
                    }
                }
            },
            (Accumulator::Any(a), Accumulator::Any(b)) => {
                // A non-null value wins over a null one; otherwise the earlier chunk's.
                let later_is_better = a.as_ref().is_none_or(Value::is_null) && b.as_ref().is_some_and(|v| !v.is_null());
                if later_is_better || a.is_none() {
                    *a = b;
                }
            }
            (
                Accumulator::Moments { n, mean, m2, .. },
                Accumulator::Moments {
                    n: n2,
                    mean: mean2,
                    m2: m22,
                    ..
                },
            )
                // Chan et al.'s parallel combination of running moments.
                if n2 > 0 => {
                    let total = *n + n2;
                    let delta = mean2 - *mean;
                    *m2 += m22 + delta * delta * (*n as f64) * (n2 as f64) / total as f64;
                    *mean += delta * n2 as f64 / total as f64;
                    *n = total;
                }
            (
                Accumulator::Percentile { values, percent },
                Accumulator::Percentile {
                    values: more,
                    percent: p,
                },
            ) => {
                values.extend(more);
                if percent.is_none() {
                    *percent = p;
                }
            }
            (
                Accumulator::Percentiles { values, percents },
                Accumulator::Percentiles {
                    values: more,
                    percents: p,
                },
            ) => {
                values.extend(more);
                if percents.is_none() {
                    *percents = p;
                }
            }
            _ => {}
        }
    }

    pub fn finish(self) -> Value {
        match self {
            Accumulator::Count(n) => Value::Long(n),
            Accumulator::Distinct(set) => Value::Long(set.len() as i64),
            Accumulator::Sum(Sum::Long(n)) => n.map_or(Value::Null, Value::Long),
            Accumulator::Sum(Sum::Real(r)) => Value::Real(r),
            Accumulator::Sum(Sum::Timespan(t)) => Value::Timespan(crate::value::Timespan(t)),
            Accumulator::Mean { sum, count, kind } => {
                if count == 0 {
                    return match kind {
                        MeanKind::Number => Value::Real(f64::NAN),
                        _ => Value::Null,
                    };
                }
                let mean = sum / count as f64;
                match kind {
                    MeanKind::Number => Value::Real(mean),
                    MeanKind::Timespan => {
                        Value::Timespan(crate::value::Timespan(mean.round() as i64))
                    }
                    MeanKind::DateTime => {
                        Value::DateTime(crate::value::DateTime(mean.round() as i64))
                    }
                }
            }
            Accumulator::Extreme { best, .. } => best.unwrap_or(Value::Null),
            Accumulator::List { items, .. } | Accumulator::Set { items, .. } => Value::array(items),
            Accumulator::Bag { bag, .. } => Value::bag(bag),
            Accumulator::Arg { value, .. } => value,
            Accumulator::Any(v) => v.unwrap_or(Value::Null),
            Accumulator::Moments {
                n,
                m2,
                stdev,
                population,
                ..
            } => {
                // A sample of one (or none) has variance 0
                // (`variance-aggregation-function`).
                let divisor = if population { n } else { n.saturating_sub(1) };
                if divisor == 0 {
                    return Value::Real(0.0);
                }
                let variance = (m2 / divisor as f64).max(0.0);
                Value::Real(if stdev { variance.sqrt() } else { variance })
            }
            Accumulator::Percentile {
                mut values,
                percent,
            } => {
                let Some(p) = percent else { return Value::Null };
                values.sort_by(compare::total_order);
                nearest_rank(&values, p)
            }
            Accumulator::Percentiles {
                mut values,
                percents,
            } => {
                values.sort_by(compare::total_order);
                Value::array(
                    percents
                        .unwrap_or_default()
                        .iter()
                        .map(|p| nearest_rank(&values, *p))
                        .collect(),
                )
            }
        }
    }
}

impl AggregateFunction {
    /// Position of the predicate argument of the `-if` forms, if any: rows
    /// where it is not `true` are skipped before [`Accumulator::update`].
    pub fn predicate_position(&self) -> Option<usize> {
        match self.kind {
            K::DCountIf
            | K::SumIf
            | K::AvgIf
            | K::MinIf
            | K::MaxIf
            | K::MakeListIf
            | K::MakeSetIf
            | K::MakeBagIf
            | K::TakeAnyIf
            | K::StdevIf
            | K::VarianceIf
            | K::StdevPIf
            | K::VariancePIf => Some(1),
            _ => None,
        }
    }
}

/// The `bool` predicate type code, re-exported for the binder's checks.
pub const PREDICATE: DataType = super::type_from_code(BOOL);

fn add_to_sum(sum: &mut Sum, v: &Value) {
    match (sum, v) {
        (Sum::Long(acc), Value::Int(_) | Value::Long(_)) => {
            *acc = acc.and_then(|a| v.as_i64().and_then(|x| a.checked_add(x)));
        }
        (Sum::Long(acc), Value::Bool(b)) => *acc = acc.map(|a| a + i64::from(*b)),
        (Sum::Real(acc), _) => {
            if let Some(x) = v.as_f64() {
                *acc += x;
            }
        }
        (Sum::Timespan(acc), Value::Timespan(t)) => *acc = acc.saturating_add(t.0),
        _ => {}
    }
}

fn mean_input(v: &Value) -> Option<f64> {
    match v {
        Value::Timespan(t) => Some(t.0 as f64),
        Value::DateTime(d) => Some(d.0 as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => v.as_f64(),
    }
}

/// Where the optional `maxSize` argument of a `make_*` aggregate is.
fn limit_position(kind: AggregateKind) -> usize {
    match kind {
        K::MakeListIf | K::MakeSetIf | K::MakeBagIf => 2,
        _ => 1,
    }
}

/// Adds a bag's properties; a key already present keeps its first value.
fn add_to_bag(bag: &mut Bag, limit: usize, more: &Bag) {
    for (k, v) in more.iter() {
        if bag.get(k).is_none() && bag.len() < limit {
            bag.insert(k.clone(), v.clone());
        }
    }
}

/// The percentages of `percentiles_array`: numbers, or one dynamic array
/// of numbers.
fn percent_list(args: &[Value]) -> Vec<f64> {
    match args {
        [Value::Array(items)] => items.iter().filter_map(Value::as_f64).collect(),
        _ => args.iter().filter_map(Value::as_f64).collect(),
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with
/// at least `p`% of the values at or below it (`percentiles-aggregation-function`:
/// the result is always one of the values). Null for no values or a
/// percentage outside 0–100.
fn nearest_rank(sorted: &[Value], p: f64) -> Value {
    if sorted.is_empty() || !(0.0..=100.0).contains(&p) {
        return Value::Null;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .cloned()
        .unwrap_or(Value::Null)
}

fn add_to_set(items: &mut Vec<Value>, seen: &mut HashSet<Key>, limit: usize, v: &Value) {
    if v.is_null() || items.len() >= limit {
        return;
    }
    if seen.insert(Key(v.clone())) {
        items.push(v.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, ty: DataType, rows: &[Vec<Value>], split: usize) -> Value {
        let f = lookup_aggregate(name).unwrap();
        let mut a = Accumulator::new(f, ty);
        let mut b = Accumulator::new(f, ty);
        for (i, row) in rows.iter().enumerate() {
            let acc = if i < split { &mut a } else { &mut b };
            acc.update(f.kind, row);
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

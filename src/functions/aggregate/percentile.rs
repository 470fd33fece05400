//! `percentile(x, p)` and `percentiles_array(x, p1, p2, ...)`: nearest-rank
//! percentiles of all the values seen. (`percentiles(x, p1, p2)` is bound
//! as one `percentile` per percentage.)

use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::{Value, compare};

struct Percentile {
    values: Vec<Value>,
    /// The percentage, from the first row's second argument.
    percent: Option<f64>,
}

pub(super) fn percentile(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Percentile {
        values: Vec::new(),
        percent: None,
    })
}

impl Accumulator for Percentile {
    fn update(&mut self, args: &[Value]) {
        if self.percent.is_none() {
            self.percent = args.get(1).and_then(Value::as_f64);
        }
        let first = args.first().unwrap_or(&Value::Null);
        if !compare::is_null_like(first) {
            self.values.push(first.clone());
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Percentile>(later) else {
            return;
        };
        self.values.extend(later.values);
        if self.percent.is_none() {
            self.percent = later.percent;
        }
    }

    fn finish(self: Box<Self>) -> Value {
        let Percentile {
            mut values,
            percent,
        } = *self;
        let Some(p) = percent else { return Value::Null };
        values.sort_by(compare::total_order);
        real_if_decimal(nearest_rank(&values, p))
    }
}

/// `percentiles_array(x, p1, p2, ...)` or `(x, dynamic([p1, ...]))`: a
/// dynamic array of the percentiles.
struct Percentiles {
    values: Vec<Value>,
    percents: Option<Vec<f64>>,
}

pub(super) fn percentiles(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Percentiles {
        values: Vec::new(),
        percents: None,
    })
}

impl Accumulator for Percentiles {
    fn update(&mut self, args: &[Value]) {
        if self.percents.is_none() {
            self.percents = Some(percent_list(&args[1.min(args.len())..]));
        }
        let first = args.first().unwrap_or(&Value::Null);
        if !compare::is_null_like(first) {
            self.values.push(first.clone());
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Percentiles>(later) else {
            return;
        };
        self.values.extend(later.values);
        if self.percents.is_none() {
            self.percents = later.percents;
        }
    }

    fn finish(self: Box<Self>) -> Value {
        let Percentiles {
            mut values,
            percents,
        } = *self;
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

/// `percentilew(x, weight, p)` and `percentilesw_array(x, weight, p1, ...)`
/// (`percentilesw-aggregation-function`): each value counts as if repeated
/// `weight` times; a null, zero or negative weight leaves the row out.
struct Weighted {
    values: Vec<(Value, u64)>,
    percents: Option<Vec<f64>>,
    /// `percentilesw_array`: a dynamic array of all the percentiles, not the
    /// first one alone.
    array: bool,
}

pub(super) fn weighted(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Weighted {
        values: Vec::new(),
        percents: None,
        array: false,
    })
}

pub(super) fn weighted_array(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Weighted {
        values: Vec::new(),
        percents: None,
        array: true,
    })
}

/// A row's weight: a positive whole number, or `None`.
fn weight_of(v: &Value) -> Option<u64> {
    let w = match v {
        Value::Int(i) => i64::from(*i),
        Value::Long(i) => *i,
        Value::Real(r) => crate::value::number::real_to_long(*r)?,
        _ => return None,
    };
    u64::try_from(w).ok().filter(|w| *w > 0)
}

impl Accumulator for Weighted {
    fn update(&mut self, args: &[Value]) {
        if self.percents.is_none() {
            self.percents = Some(percent_list(&args[2.min(args.len())..]));
        }
        let first = args.first().unwrap_or(&Value::Null);
        if let Some(w) = args.get(1).and_then(weight_of)
            && !compare::is_null_like(first)
        {
            self.values.push((first.clone(), w));
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Weighted>(later) else {
            return;
        };
        self.values.extend(later.values);
        if self.percents.is_none() {
            self.percents = later.percents;
        }
    }

    fn finish(self: Box<Self>) -> Value {
        let Weighted {
            mut values,
            percents,
            array,
        } = *self;
        values.sort_by(|a, b| compare::total_order(&a.0, &b.0));
        let percents = percents.unwrap_or_default();
        if array {
            Value::array(
                percents
                    .iter()
                    .map(|p| weighted_rank(&values, *p))
                    .collect(),
            )
        } else {
            percents
                .first()
                .map_or(Value::Null, |p| real_if_decimal(weighted_rank(&values, *p)))
        }
    }
}

/// A `decimal` percentile as the `real` the function is typed (see
/// `percentile_type`); every other value as it is.
fn real_if_decimal(v: Value) -> Value {
    match v {
        Value::Decimal(_) => v.as_f64().map_or(Value::Null, Value::Real),
        v => v,
    }
}

/// The nearest-rank percentile of sorted weighted values: the smallest
/// value with at least `p`% of the total weight at or below it.
fn weighted_rank(sorted: &[(Value, u64)], p: f64) -> Value {
    let total: u64 = sorted.iter().map(|(_, w)| *w).fold(0, u64::saturating_add);
    if total == 0 || !(0.0..=100.0).contains(&p) {
        return Value::Null;
    }
    let rank = ((p / 100.0) * total as f64).ceil().max(1.0) as u64;
    let mut seen = 0u64;
    for (v, w) in sorted {
        seen = seen.saturating_add(*w);
        if seen >= rank {
            return v.clone();
        }
    }
    sorted.last().map_or(Value::Null, |(v, _)| v.clone())
}

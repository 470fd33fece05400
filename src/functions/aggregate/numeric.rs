//! Arithmetic aggregates: `sum`, `avg`, and the moments `variance`,
//! `stdev`, `variancep`, `stdevp` (with their `-if` forms).

use super::exact_sum::ExactSum;
use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::{DateTime, Timespan, Value};

/// `sum(x)`, kept in the result's type.
enum Sum {
    /// `None` once the sum overflowed (the result is null).
    Long(Option<i64>),
    /// Exact, so the answer does not depend on how the input was cut.
    Real(ExactSum),
    Timespan(i64),
    /// `None` once the sum overflowed decimal's range.
    Decimal(Option<rust_decimal::Decimal>),
}

pub(super) fn sum(_: &AggregateFunction, ty: DataType) -> Box<dyn Accumulator> {
    Box::new(match ty {
        DataType::Long => Sum::Long(Some(0)),
        DataType::Timespan => Sum::Timespan(0),
        DataType::Decimal => Sum::Decimal(Some(rust_decimal::Decimal::ZERO)),
        _ => Sum::Real(ExactSum::default()),
    })
}

impl Accumulator for Sum {
    fn update(&mut self, args: &[Value]) {
        let v = args.first().unwrap_or(&Value::Null);
        match (self, v) {
            (Sum::Long(acc), Value::Int(_) | Value::Long(_)) => {
                *acc = acc.and_then(|a| v.as_i64().and_then(|x| a.checked_add(x)));
            }
            (Sum::Long(acc), Value::Bool(b)) => *acc = acc.map(|a| a + i64::from(*b)),
            (Sum::Real(acc), _) => {
                if let Some(x) = v.as_f64() {
                    acc.add(x);
                }
            }
            (Sum::Timespan(acc), Value::Timespan(t)) => *acc = acc.saturating_add(t.0),
            (Sum::Decimal(acc), _) => {
                if let Some(x) = crate::value::number::as_decimal(v) {
                    *acc = acc.and_then(|a| a.checked_add(x));
                }
            }
            _ => {}
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Sum>(later) else {
            return;
        };
        match (self, later) {
            (Sum::Long(x), Sum::Long(y)) => *x = x.zip(y).and_then(|(x, y)| x.checked_add(y)),
            (Sum::Real(x), Sum::Real(y)) => x.merge(&y),
            (Sum::Timespan(x), Sum::Timespan(y)) => *x = x.saturating_add(y),
            (Sum::Decimal(x), Sum::Decimal(y)) => *x = x.zip(y).and_then(|(x, y)| x.checked_add(y)),
            _ => {}
        }
    }

    fn finish(self: Box<Self>) -> Value {
        match *self {
            Sum::Long(n) => n.map_or(Value::Null, Value::Long),
            Sum::Real(r) => Value::Real(r.value()),
            Sum::Timespan(t) => Value::Timespan(Timespan(t)),
            Sum::Decimal(d) => d.map_or(Value::Null, Value::Decimal),
        }
    }
}

#[derive(Clone, Copy)]
enum MeanKind {
    Number,
    Timespan,
    DateTime,
    /// A `decimal` column's mean, kept in decimal (avg-aggregation-function).
    Decimal,
}

/// `avg(x)`: the (exact) sum and count of the values seen.
struct Mean {
    sum: ExactSum,
    /// The decimal sum for [`MeanKind::Decimal`]; `None` once it overflowed
    /// decimal's range (the mean is then null).
    decimal: Option<rust_decimal::Decimal>,
    count: u64,
    kind: MeanKind,
}

pub(super) fn mean(_: &AggregateFunction, ty: DataType) -> Box<dyn Accumulator> {
    Box::new(Mean {
        sum: ExactSum::default(),
        decimal: Some(rust_decimal::Decimal::ZERO),
        count: 0,
        kind: match ty {
            DataType::Timespan => MeanKind::Timespan,
            DataType::DateTime => MeanKind::DateTime,
            DataType::Decimal => MeanKind::Decimal,
            _ => MeanKind::Number,
        },
    })
}

fn mean_input(v: &Value) -> Option<f64> {
    match v {
        Value::Timespan(t) => Some(t.0 as f64),
        Value::DateTime(d) => Some(d.0 as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => v.as_f64(),
    }
}

impl Accumulator for Mean {
    fn update(&mut self, args: &[Value]) {
        let v = args.first().unwrap_or(&Value::Null);
        if let MeanKind::Decimal = self.kind {
            if let Some(x) = crate::value::number::as_decimal(v) {
                self.decimal = self.decimal.and_then(|a| a.checked_add(x));
                self.count += 1;
            }
            return;
        }
        if let Some(x) = mean_input(v) {
            self.sum.add(x);
            self.count += 1;
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        if let Some(later) = downcast::<Mean>(later) {
            self.sum.merge(&later.sum);
            self.decimal = self
                .decimal
                .zip(later.decimal)
                .and_then(|(x, y)| x.checked_add(y));
            self.count += later.count;
        }
    }

    fn finish(self: Box<Self>) -> Value {
        if self.count == 0 {
            return match self.kind {
                MeanKind::Number => Value::Real(f64::NAN),
                _ => Value::Null,
            };
        }
        if let MeanKind::Decimal = self.kind {
            let count = rust_decimal::Decimal::from(self.count);
            return self
                .decimal
                .and_then(|d| d.checked_div(count))
                .map_or(Value::Null, Value::Decimal);
        }
        let mean = self.sum.value() / self.count as f64;
        match self.kind {
            MeanKind::Number => Value::Real(mean),
            MeanKind::Timespan => Value::Timespan(Timespan(mean.round() as i64)),
            MeanKind::DateTime => Value::DateTime(DateTime(mean.round() as i64)),
            MeanKind::Decimal => Value::Null,
        }
    }
}

/// The count, and the exact sums of the values and of their squares: the
/// moments come from them with one rounding, so they do not depend on how
/// the input was cut (issue 16).
struct Moments {
    n: u64,
    sum: ExactSum,
    squares: ExactSum,
    stdev: bool,
    /// Divide by n (`variancep`, `stdevp`) rather than n - 1.
    population: bool,
}

fn moments(stdev: bool, population: bool) -> Box<dyn Accumulator> {
    Box::new(Moments {
        n: 0,
        sum: ExactSum::default(),
        squares: ExactSum::default(),
        stdev,
        population,
    })
}

pub(super) fn variance(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    moments(false, false)
}

pub(super) fn stdev(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    moments(true, false)
}

pub(super) fn variancep(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    moments(false, true)
}

pub(super) fn stdevp(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    moments(true, true)
}

impl Accumulator for Moments {
    fn update(&mut self, args: &[Value]) {
        if let Some(x) = args.first().and_then(Value::as_f64) {
            self.n += 1;
            self.sum.add(x);
            self.squares.add_product(x, x);
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Moments>(later) else {
            return;
        };
        self.n += later.n;
        self.sum.merge(&later.sum);
        self.squares.merge(&later.squares);
    }

    fn finish(self: Box<Self>) -> Value {
        // A sample of one (or none) has variance 0
        // (`variance-aggregation-function`).
        let divisor = if self.population {
            self.n
        } else {
            self.n.saturating_sub(1)
        };
        if divisor == 0 {
            return Value::Real(0.0);
        }
        // n * sum(x^2) - sum(x)^2, exactly, rounded once.
        let n = self.n as f64;
        let mut spread = ExactSum::default();
        for &p in self.squares.partials() {
            spread.add_product(p, n);
        }
        for &a in self.sum.partials() {
            for &b in self.sum.partials() {
                spread.add_product(-a, b);
            }
        }
        let spread = match (self.sum.special(), self.squares.special()) {
            (None, None) => spread.value(),
            _ => f64::NAN,
        };
        let variance = (spread / n / divisor as f64).max(0.0);
        Value::Real(if self.stdev {
            variance.sqrt()
        } else {
            variance
        })
    }
}

/// `covariance(x, y)` and `covariancep(x, y)` (with their `-if` forms):
/// the sample (n - 1) or population (n) covariance of the rows where both
/// are numbers, from exact sums as [`Moments`]
/// (covariance-aggregation-function). 0 for fewer than two rows (one for
/// the population form), as `variance`.
struct Comoments {
    n: u64,
    sum_x: ExactSum,
    sum_y: ExactSum,
    products: ExactSum,
    population: bool,
}

fn comoments(population: bool) -> Box<dyn Accumulator> {
    Box::new(Comoments {
        n: 0,
        sum_x: ExactSum::default(),
        sum_y: ExactSum::default(),
        products: ExactSum::default(),
        population,
    })
}

pub(super) fn covariance(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    comoments(false)
}

pub(super) fn covariancep(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    comoments(true)
}

impl Accumulator for Comoments {
    fn update(&mut self, args: &[Value]) {
        let x = args.first().and_then(Value::as_f64);
        let y = args.get(1).and_then(Value::as_f64);
        if let (Some(x), Some(y)) = (x, y) {
            self.n += 1;
            self.sum_x.add(x);
            self.sum_y.add(y);
            self.products.add_product(x, y);
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Comoments>(later) else {
            return;
        };
        self.n += later.n;
        self.sum_x.merge(&later.sum_x);
        self.sum_y.merge(&later.sum_y);
        self.products.merge(&later.products);
    }

    fn finish(self: Box<Self>) -> Value {
        let divisor = if self.population {
            self.n
        } else {
            self.n.saturating_sub(1)
        };
        if divisor == 0 {
            return Value::Real(0.0);
        }
        // n * sum(xy) - sum(x) * sum(y), exactly, rounded once.
        let n = self.n as f64;
        let mut spread = ExactSum::default();
        for &p in self.products.partials() {
            spread.add_product(p, n);
        }
        for &a in self.sum_x.partials() {
            for &b in self.sum_y.partials() {
                spread.add_product(-a, b);
            }
        }
        let special = self.sum_x.special().is_some()
            || self.sum_y.special().is_some()
            || self.products.special().is_some();
        let spread = if special { f64::NAN } else { spread.value() };
        Value::Real(spread / n / divisor as f64)
    }
}

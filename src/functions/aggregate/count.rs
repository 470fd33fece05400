//! `count`, `countif`, and the distinct counts `dcount`, `dcountif`,
//! `count_distinct`.

use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::Value;
use crate::value::key::{Key, KeySet};

/// `count(x)` counts rows, nulls included (docs/semantics.md#aggregates);
/// `countif(p)` counts true predicates.
struct Count {
    n: i64,
    /// `countif`: count only rows whose first argument is `true`.
    only_true: bool,
}

pub(super) fn count(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Count {
        n: 0,
        only_true: false,
    })
}

pub(super) fn count_true(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Count {
        n: 0,
        only_true: true,
    })
}

impl Accumulator for Count {
    fn update(&mut self, args: &[Value]) {
        if !self.only_true || matches!(args.first(), Some(Value::Bool(true))) {
            self.n += 1;
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        if let Some(later) = downcast::<Count>(later) {
            self.n += later.n;
        }
    }

    fn finish(self: Box<Self>) -> Value {
        Value::Long(self.n)
    }
}

/// `dcount(x [, accuracy])`: counted exactly. Kusto estimates with
/// HyperLogLog (`dcount-aggregation-function`: about 1% error at the
/// default accuracy), so on large sets its answer may differ slightly; the
/// accuracy argument is accepted and ignored.
struct Distinct(KeySet<Key>);

pub(super) fn distinct(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Distinct(KeySet::default()))
}

impl Accumulator for Distinct {
    fn update(&mut self, args: &[Value]) {
        if let Some(first) = args.first()
            && !first.is_null()
        {
            self.0.insert(Key(first.clone()));
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        if let Some(later) = downcast::<Distinct>(later) {
            self.0.extend(later.0);
        }
    }

    fn finish(self: Box<Self>) -> Value {
        Value::Long(self.0.len() as i64)
    }
}

//! `hll(x [, accuracy])`, `hll_if(x, predicate [, accuracy])` and the
//! aggregate `hll_merge(sketch)`: HyperLogLog sketches of the distinct
//! values of a group (`hll-aggregation-function`, `hll-if-aggregation-function`,
//! `hll-merge-aggregation-function`; docs/semantics.md#sketches).
//!
//! A sketch depends only on the set of values it has seen (a set of hashes,
//! or registers that keep the largest rank), so partial sketches of chunks
//! merge into the same sketch in any order, at any thread count.

use super::{Accumulator, AggregateFunction, downcast};
use crate::functions::sketch::hll::{DEFAULT_ACCURACY, Hll};
use crate::types::DataType;
use crate::value::Value;

struct HllState {
    sketch: Option<Hll>,
    /// Position of the accuracy argument (1 for `hll`, 2 for `hll_if`).
    accuracy_at: usize,
    /// `hll_merge`: the rows are sketches to merge, not values.
    merging: bool,
}

pub(super) fn hll(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(HllState {
        sketch: None,
        accuracy_at: 1,
        merging: false,
    })
}

pub(super) fn hll_if(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(HllState {
        sketch: None,
        accuracy_at: 2,
        merging: false,
    })
}

pub(super) fn hll_merge(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(HllState {
        sketch: None,
        accuracy_at: usize::MAX,
        merging: true,
    })
}

impl Accumulator for HllState {
    fn update(&mut self, args: &[Value]) {
        let first = args.first().unwrap_or(&Value::Null);
        if self.merging {
            // A value that is not a sketch (null, or other data) adds nothing.
            if let Some(other) = Hll::from_value(first) {
                match &mut self.sketch {
                    Some(mine) => mine.merge(other),
                    None => self.sketch = Some(other),
                }
            }
            return;
        }
        let accuracy_at = self.accuracy_at;
        self.sketch
            .get_or_insert_with(|| {
                let accuracy = args
                    .get(accuracy_at)
                    .and_then(Value::as_i64)
                    .unwrap_or(DEFAULT_ACCURACY);
                Hll::new(accuracy)
            })
            .add(first);
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<HllState>(later) else {
            return;
        };
        match (&mut self.sketch, later.sketch) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (None, theirs) => self.sketch = theirs,
            (Some(_), None) => {}
        }
    }

    /// The sketch; a group with no values (an empty input without `by`)
    /// has the empty sketch of the default accuracy, which counts 0.
    fn finish(self: Box<Self>) -> Value {
        self.sketch
            .unwrap_or_else(|| Hll::new(DEFAULT_ACCURACY))
            .to_value()
    }
}

//! Aggregates that collect values: `make_list`, `make_list_with_nulls`,
//! `make_set`, `make_bag` (with their `-if` forms and the legacy
//! `makelist`, `makeset`).

use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::key::{Key, KeySet};
use crate::value::{Bag, Value};

/// The maximum size of a `make_list`/`make_set`/`make_bag` result: the
/// function's default until the optional `maxSize` argument is seen.
#[derive(Clone, Copy, Debug)]
struct Limit {
    max: usize,
    /// Whether `max` came from the query's `maxSize` argument.
    given: bool,
    /// Where the `maxSize` argument is: after the predicate of the `-if`
    /// forms, else second.
    position: usize,
}

impl Limit {
    fn default_for(function: &AggregateFunction) -> Limit {
        Limit {
            max: function.default_limit,
            given: false,
            position: if function.predicate_position().is_some() {
                2
            } else {
                1
            },
        }
    }

    /// Takes the `maxSize` argument, if the call has one.
    /// Decision: a size below 1 or null keeps the default.
    fn read(&mut self, args: &[Value]) {
        if self.given {
            return;
        }
        if let Some(n) = args
            .get(self.position)
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

/// `make_list(x)`: the values in input order.
struct List {
    items: Vec<Value>,
    limit: Limit,
    keep_nulls: bool,
}

pub(super) fn list(function: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(List {
        items: Vec::new(),
        limit: Limit::default_for(function),
        keep_nulls: false,
    })
}

pub(super) fn list_with_nulls(function: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(List {
        items: Vec::new(),
        limit: Limit::default_for(function),
        keep_nulls: true,
    })
}

impl List {
    fn add(&mut self, v: &Value) {
        if (self.keep_nulls || !v.is_null()) && self.items.len() < self.limit.max {
            self.items.push(v.clone());
        }
    }
}

impl Accumulator for List {
    fn update(&mut self, args: &[Value]) {
        self.limit.read(args);
        match args.first().unwrap_or(&Value::Null) {
            // An array contributes its elements, as `make_set`'s does: the
            // geo-point-in-polygon page builds a MultiPolygon with
            // `make_list(pack_array(polygon.coordinates))` and the
            // geo-h3cell-rings page lists every cell of the rings with
            // `make_list(rings)` (docs/semantics.md#aggregates).
            Value::Array(elements) => {
                for e in elements.iter() {
                    self.add(e);
                }
            }
            v => self.add(v),
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<List>(later) else {
            return;
        };
        self.limit.merge(later.limit);
        let room = self.limit.max.saturating_sub(self.items.len());
        self.items.extend(later.items.into_iter().take(room));
    }

    fn finish(self: Box<Self>) -> Value {
        Value::array(self.items)
    }
}

/// `make_set(x)`: the distinct values in order of first appearance.
struct Set {
    items: Vec<Value>,
    seen: KeySet<Key>,
    limit: Limit,
}

pub(super) fn set(function: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Set {
        items: Vec::new(),
        seen: KeySet::default(),
        limit: Limit::default_for(function),
    })
}

impl Set {
    fn add(&mut self, v: &Value) {
        if v.is_null() || self.items.len() >= self.limit.max {
            return;
        }
        if self.seen.insert(Key(v.clone())) {
            self.items.push(v.clone());
        }
    }
}

impl Accumulator for Set {
    fn update(&mut self, args: &[Value]) {
        self.limit.read(args);
        match args.first().unwrap_or(&Value::Null) {
            // An array contributes its elements (make-set-aggregation-function).
            Value::Array(elements) => {
                for e in elements.iter() {
                    self.add(e);
                }
            }
            v => self.add(v),
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Set>(later) else {
            return;
        };
        self.limit.merge(later.limit);
        for v in &later.items {
            self.add(v);
        }
    }

    fn finish(self: Box<Self>) -> Value {
        Value::array(self.items)
    }
}

/// `make_bag(x)`: the properties of the bags seen; a key already present
/// keeps its first value.
struct BagOf {
    bag: Bag,
    limit: Limit,
}

pub(super) fn bag(function: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(BagOf {
        bag: Bag::new(),
        limit: Limit::default_for(function),
    })
}

impl BagOf {
    fn add(&mut self, more: &Bag) {
        for (k, v) in more.iter() {
            if self.bag.get(k).is_none() && self.bag.len() < self.limit.max {
                self.bag.insert(k.clone(), v.clone());
            }
        }
    }
}

impl Accumulator for BagOf {
    fn update(&mut self, args: &[Value]) {
        self.limit.read(args);
        if let Some(Value::Bag(b)) = args.first() {
            self.add(b);
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<BagOf>(later) else {
            return;
        };
        self.limit.merge(later.limit);
        self.add(&later.bag);
    }

    fn finish(self: Box<Self>) -> Value {
        Value::bag(self.bag)
    }
}

//! Aggregates that pick one of the values: `min`, `max`, `arg_max`,
//! `arg_min`, `take_any` (with their `-if` forms).

use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::{Value, compare};
use std::cmp::Ordering;

/// `min(x)`/`max(x)`: the best non-null value so far.
struct Extreme {
    best: Option<Value>,
    want: Ordering,
}

pub(super) fn min(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Extreme {
        best: None,
        want: Ordering::Less,
    })
}

pub(super) fn max(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Extreme {
        best: None,
        want: Ordering::Greater,
    })
}

impl Accumulator for Extreme {
    fn update(&mut self, args: &[Value]) {
        let first = args.first().unwrap_or(&Value::Null);
        if !compare::is_null_like(first)
            && self
                .best
                .as_ref()
                .is_none_or(|b| compare::order(first, b) == Some(self.want))
        {
            self.best = Some(first.clone());
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        if let Some(Extreme { best: Some(o), .. }) = downcast::<Extreme>(later)
            && self
                .best
                .as_ref()
                .is_none_or(|b| compare::order(&o, b) == Some(self.want))
        {
            self.best = Some(o);
        }
    }

    fn finish(self: Box<Self>) -> Value {
        self.best.unwrap_or(Value::Null)
    }
}

/// `arg_max(key, value)`/`arg_min`: `value` of the row with the largest
/// (smallest) `key`. The binder splits `arg_max(k, a, b)` into one of these
/// per column.
struct Arg {
    /// The best key so far.
    key: Option<Value>,
    /// The value beside it.
    value: Value,
    want: Ordering,
}

pub(super) fn arg_max(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Arg {
        key: None,
        value: Value::Null,
        want: Ordering::Greater,
    })
}

pub(super) fn arg_min(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Arg {
        key: None,
        value: Value::Null,
        want: Ordering::Less,
    })
}

impl Accumulator for Arg {
    fn update(&mut self, args: &[Value]) {
        let first = args.first().unwrap_or(&Value::Null);
        let candidate = args.get(1).unwrap_or(first);
        if compare::is_null_like(first) {
            // Rows with a null key count only while nothing better exists.
            if self.key.is_none() && self.value.is_null() {
                self.value = candidate.clone();
            }
        } else if self
            .key
            .as_ref()
            .is_none_or(|k| compare::order(first, k) == Some(self.want))
        {
            self.key = Some(first.clone());
            self.value = candidate.clone();
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(later) = downcast::<Arg>(later) else {
            return;
        };
        match later.key {
            Some(k) => {
                if self
                    .key
                    .as_ref()
                    .is_none_or(|mine| compare::order(&k, mine) == Some(self.want))
                {
                    self.key = Some(k);
                    self.value = later.value;
                }
            }
            None => {
                if self.key.is_none() && self.value.is_null() {
                    self.value = later.value;
                }
            }
        }
    }

    fn finish(self: Box<Self>) -> Value {
        self.value
    }
}

/// `take_any(x)`: the first non-blank value seen (the first blank one, null
/// or empty, while nothing better was seen).
struct Any(Option<Value>);

pub(super) fn any(_: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Any(None))
}

/// Null or the empty string: a value `take_any(x)` passes over when the
/// group has another ("When the function is provided with a single column
/// reference, it will attempt to return a non-null/non-empty value",
/// take-any-aggregation-function).
fn is_blank(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        other => other.is_null(),
    }
}

impl Accumulator for Any {
    fn update(&mut self, args: &[Value]) {
        let first = args.first().unwrap_or(&Value::Null);
        // The first value, replaced by a later one only while it is blank.
        let replaces = self.0.as_ref().is_none_or(is_blank) && !is_blank(first);
        if replaces || self.0.is_none() {
            self.0 = Some(first.clone());
        }
    }

    fn merge(&mut self, later: Box<dyn Accumulator>) {
        let Some(Any(b)) = downcast::<Any>(later) else {
            return;
        };
        // A non-null value wins over a null one; otherwise the earlier chunk's.
        let later_is_better =
            self.0.as_ref().is_none_or(is_blank) && b.as_ref().is_some_and(|v| !is_blank(v));
        if later_is_better || self.0.is_none() {
            self.0 = b;
        }
    }

    fn finish(self: Box<Self>) -> Value {
        self.0.unwrap_or(Value::Null)
    }
}

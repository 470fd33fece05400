//! Values as hash keys, for grouping (`summarize by`), `dcount`, `make_set`,
//! `distinct` and join keys.
//!
//! Two keys are equal exactly when [`compare::same`] says so: numbers by
//! value whatever their width, nulls equal to each other.

use crate::value::{Value, compare};
use std::hash::{Hash, Hasher};

/// The hasher of every table keyed by values: group keys, `dcount` and
/// `make_set` sets, join indexes. aHash: several times faster than the
/// standard library's SipHash on short keys, and seeded at random in each
/// process (and each table), so that log lines an attacker writes cannot be
/// chosen to collide (HashDoS). Nothing that reaches the output may depend
/// on a table's iteration order: groups come out in order of first
/// appearance ([`KeyMap`] is an `IndexMap`), sets keep a list of their
/// members in order.
pub type KeyHasher = ahash::RandomState;

/// A map in insertion order keyed by values, hashed with [`KeyHasher`].
pub type KeyMap<K, V> = indexmap::IndexMap<K, V, KeyHasher>;

/// A hash map keyed by values, hashed with [`KeyHasher`] (lookups only:
/// never iterate it into an output).
pub type KeyHashMap<K, V> = std::collections::HashMap<K, V, KeyHasher>;

/// A hash set of values, hashed with [`KeyHasher`] (membership and size
/// only: never iterate it into an output).
pub type KeySet<K> = std::collections::HashSet<K, KeyHasher>;

#[derive(Clone, Debug)]
pub struct Key(pub Value);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        compare::same(&self.0, &other.0)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

/// A row of values as one key (the `by` columns of a group).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowKey(pub Vec<Key>);

fn hash_value<H: Hasher>(v: &Value, state: &mut H) {
    match v {
        Value::Null => 0u8.hash(state),
        Value::Bool(b) => (1u8, b).hash(state),
        Value::Int(_) | Value::Long(_) | Value::Real(_) | Value::Decimal(_) => {
            2u8.hash(state);
            hash_number(v, state);
        }
        Value::DateTime(d) => (3u8, d.0).hash(state),
        Value::Timespan(t) => (4u8, t.0).hash(state),
        Value::Guid(g) => (5u8, g.0).hash(state),
        Value::String(s) => (6u8, s.as_str()).hash(state),
        Value::Array(items) => {
            (7u8, items.len()).hash(state);
            for item in items.iter() {
                hash_value(item, state);
            }
        }
        Value::Bag(bag) => {
            // Bags equal whatever their key order: hash order-independently.
            let mut sum: u64 = 0;
            for (k, item) in bag.iter() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                k.as_str().hash(&mut h);
                hash_value(item, &mut h);
                sum = sum.wrapping_add(h.finish());
            }
            (8u8, bag.len(), sum).hash(state);
        }
    }
}

/// Integral numbers hash as integers so that `1`, `int(1)` and `1.0` agree.
fn hash_number<H: Hasher>(v: &Value, state: &mut H) {
    if let Some(i) = v.as_i64() {
        return i.hash(state);
    }
    if let Some(r) = v.as_f64() {
        if r.fract() == 0.0 && r.abs() < 9.0e18 {
            return (r as i64).hash(state);
        }
        // NaN never equals anything, so any hash will do; -0.0 == 0.0 is
        // integral and handled above.
        r.to_bits().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn numerically_equal_values_are_one_key() {
        let mut set = HashSet::new();
        set.insert(Key(Value::Long(1)));
        set.insert(Key(Value::Int(1)));
        set.insert(Key(Value::Real(1.0)));
        set.insert(Key(Value::Real(1.5)));
        set.insert(Key(Value::Null));
        set.insert(Key(Value::Null));
        assert_eq!(set.len(), 3);
    }
}

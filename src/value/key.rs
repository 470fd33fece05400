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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowKey(pub Vec<Key>);

/// Hashes as [`RowRef`] of the same values, so that a group can be found
/// from a row's values without building its key (see [`group_mut`]).
impl Hash for RowKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_row(self.0.iter().map(|k| &k.0), state);
    }
}

impl RowKey {
    /// Whether this key equals the row `values` (as [`Key`]s compare).
    pub fn matches(&self, values: &[Value]) -> bool {
        self.0.len() == values.len() && self.0.iter().zip(values).all(|(k, v)| same(&k.0, v))
    }
}

/// A row of values borrowed as a key: hashes as the [`RowKey`] of the same
/// values.
pub struct RowRef<'a>(pub &'a [Value]);

impl Hash for RowRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_row(self.0.iter(), state);
    }
}

/// The group of the row `values` in `groups`, made by `new` when no key
/// equals it yet. The values are hashed once and compared in place with
/// the stored keys: they become a key (moved, not copied) only for a new
/// group. `values` is left empty, its capacity kept for the next row.
pub fn group_mut<'m, V>(
    groups: &'m mut KeyMap<RowKey, V>,
    values: &mut Vec<Value>,
    new: impl FnOnce() -> V,
) -> &'m mut V {
    use indexmap::map::{RawEntryApiV1, raw_entry_v1::RawEntryMut};
    let hash = groups.hasher().hash_one(RowRef(values));
    match groups
        .raw_entry_mut_v1()
        .from_hash(hash, |key| key.matches(values))
    {
        RawEntryMut::Occupied(group) => {
            values.clear();
            group.into_mut()
        }
        RawEntryMut::Vacant(slot) => {
            let key = RowKey(values.drain(..).map(Key).collect());
            slot.insert_hashed_nocheck(hash, key, new()).1
        }
    }
}

/// Adds `later`, a later chunk's state of the group `key`, to `groups`:
/// merged into the group's state by `merge` if the group is there, else
/// inserted as the last group (so groups stay in order of first
/// appearance). The key is compared as [`group_mut`] compares a row's
/// values, with the common kinds compared directly rather than through
/// [`compare::same`]'s ordering.
pub fn merge_group<V>(
    groups: &mut KeyMap<RowKey, V>,
    key: RowKey,
    later: V,
    merge: impl FnOnce(&mut V, V),
) {
    use indexmap::map::{RawEntryApiV1, raw_entry_v1::RawEntryMut};
    let hash = groups.hasher().hash_one(&key);
    match groups
        .raw_entry_mut_v1()
        .from_hash(hash, |mine| mine.same_as(&key))
    {
        RawEntryMut::Occupied(mut group) => merge(group.get_mut(), later),
        RawEntryMut::Vacant(slot) => {
            slot.insert_hashed_nocheck(hash, key, later);
        }
    }
}

impl RowKey {
    /// Whether this key equals `other` (as [`Key`]s compare).
    fn same_as(&self, other: &RowKey) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| same(&a.0, &b.0))
    }
}

/// [`compare::same`], with the common kinds of group keys compared
/// directly: each of these cases gives what `same` gives (`==` on reals is
/// IEEE equality: `-0.0 == 0.0`, NaN equal to nothing, as `same`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_str() == y.as_str(),
        (Value::DateTime(x), Value::DateTime(y)) => x == y,
        (Value::Long(x), Value::Long(y)) => x == y,
        (Value::Real(x), Value::Real(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => compare::same(a, b),
    }
}

/// The hash of a row of values: its length, then each value.
fn hash_row<'v, H: Hasher>(values: impl ExactSizeIterator<Item = &'v Value>, state: &mut H) {
    state.write_usize(values.len());
    for v in values {
        hash_value(v, state);
    }
}

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

    /// Values whose equality as group keys has a corner: null, signed
    /// zeros, NaN, integral reals, case, empty strings, key order of bags,
    /// nulls inside arrays.
    fn corners() -> Vec<Value> {
        let bag = |pairs: &[(&str, Value)]| {
            let mut b = crate::value::Bag::with_capacity(pairs.len());
            for (k, v) in pairs {
                b.insert(crate::value::Str::new(k), v.clone());
            }
            Value::bag(b)
        };
        vec![
            Value::Null,
            Value::Real(0.0),
            Value::Real(-0.0),
            Value::Long(0),
            Value::Int(0),
            Value::Real(f64::NAN),
            Value::Real(1.0),
            Value::Long(1),
            Value::Bool(true),
            Value::Bool(false),
            Value::string(""),
            Value::string("a"),
            Value::string("A"),
            Value::string("1"),
            Value::DateTime(crate::value::DateTime(0)),
            Value::DateTime(crate::value::DateTime(1)),
            Value::Timespan(crate::value::Timespan(0)),
            Value::array(vec![Value::Long(1), Value::Null]),
            Value::array(vec![Value::Real(1.0), Value::Null]),
            Value::array(vec![Value::Null, Value::Long(1)]),
            bag(&[("x", Value::Long(1)), ("y", Value::Null)]),
            bag(&[("y", Value::Null), ("x", Value::Real(1.0))]),
            bag(&[("x", Value::Long(1))]),
        ]
    }

    #[test]
    fn direct_comparisons_agree_with_compare_same() {
        for a in corners() {
            for b in corners() {
                assert_eq!(same(&a, &b), compare::same(&a, &b), "{a:?} and {b:?}");
            }
        }
    }

    /// A row looked up by its borrowed values finds exactly the groups whose
    /// owned key is `same`: one hash and one equality for both forms.
    #[test]
    fn a_borrowed_row_finds_the_group_of_an_equal_key() {
        for a in corners() {
            for b in corners() {
                let row_a = vec![Value::string("k"), a.clone()];
                let row_b = vec![Value::string("k"), b.clone()];
                let mut groups: KeyMap<RowKey, usize> = KeyMap::default();
                let mut values = row_a.clone();
                *group_mut(&mut groups, &mut values, || 0) += 1;
                assert!(values.is_empty());
                values.extend(row_b.iter().cloned());
                *group_mut(&mut groups, &mut values, || 0) += 1;
                let equal = compare::same(&a, &b);
                let expected: &[usize] = if equal { &[2] } else { &[1, 1] };
                assert_eq!(
                    groups.values().copied().collect::<Vec<_>>(),
                    expected,
                    "{a:?} and {b:?}"
                );
                // The owned key, looked up as a key, finds a group unless
                // it equals nothing (NaN).
                let owned = RowKey(row_b.into_iter().map(Key).collect());
                assert_eq!(groups.get(&owned).is_some(), compare::same(&b, &b));
            }
        }
    }

    /// A later chunk's group merges into the group of an equal key (as
    /// `entry` of the key would find it), else is added last.
    #[test]
    fn a_later_group_merges_into_the_group_of_an_equal_key() {
        for a in corners() {
            for b in corners() {
                let key = |v: &Value| RowKey(vec![Key(Value::string("k")), Key(v.clone())]);
                let mut groups: KeyMap<RowKey, Vec<&str>> = KeyMap::default();
                groups.insert(key(&Value::string("first")), vec!["first"]);
                merge_group(&mut groups, key(&a), vec!["a"], |m, l| m.extend(l));
                merge_group(&mut groups, key(&b), vec!["b"], |m, l| m.extend(l));
                let expected: Vec<Vec<&str>> = if compare::same(&a, &b) {
                    vec![vec!["first"], vec!["a", "b"]]
                } else {
                    vec![vec!["first"], vec!["a"], vec!["b"]]
                };
                assert_eq!(
                    groups.values().cloned().collect::<Vec<_>>(),
                    expected,
                    "{a:?} and {b:?}"
                );
            }
        }
    }
}

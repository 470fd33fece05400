//! Aggregates that collect values: `make_list`, `make_list_with_nulls`,
//! `make_set`, `make_bag` (with their `-if` forms and the legacy
//! `makelist`, `makeset`).

use super::{Accumulator, AggregateFunction, downcast};
use crate::types::DataType;
use crate::value::key::{Key, KeyHasher};
use crate::value::{Bag, Value};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

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
///
/// The members are a list in that order, each with its hash. A set of a
/// few members (most sets of a `summarize` with many groups: the users of
/// one source address) is searched along the list, comparing hashes
/// first; past [`FEW`] members an index from hash to position is added.
/// Values are cloned only when they join, and a later chunk's members are
/// moved into an earlier chunk's set without being hashed again.
struct Set {
    members: Vec<Member>,
    /// Positions in `members` by hash, once there are more than [`FEW`].
    index: Option<HashMap<u64, SmallVec<[u32; 1]>, BuildHasherDefault<HashedHasher>>>,
    limit: Limit,
}

/// A member of a [`Set`] and its [`member_hash`].
struct Member {
    hash: u64,
    value: Value,
}

/// The most members a [`Set`] searches one by one.
const FEW: usize = 16;

pub(super) fn set(function: &AggregateFunction, _: DataType) -> Box<dyn Accumulator> {
    Box::new(Set {
        members: Vec::new(),
        index: None,
        limit: Limit::default_for(function),
    })
}

/// The hash of a set member: equal members ([`same_member`]) hash alike.
/// One seed per process (aHash's random one), so that the sets of
/// different chunks merge by their stored hashes; log lines cannot choose
/// colliding members, and a collision only costs a comparison.
fn member_hash(v: &Value) -> u64 {
    static SEED: OnceLock<KeyHasher> = OnceLock::new();
    let seed = SEED.get_or_init(KeyHasher::new);
    match v {
        // A string is `same` only as another string.
        Value::String(s) => seed.hash_one(s.as_str()),
        other => seed.hash_one(Key(other.clone())),
    }
}

/// Whether two members are one: [`Key`]'s equality, with strings and
/// longs (what sets mostly hold) compared directly.
fn same_member(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_str() == y.as_str(),
        (Value::Long(x), Value::Long(y)) => x == y,
        _ => crate::value::compare::same(a, b),
    }
}

/// A hasher for keys that are hashes already ([`member_hash`]).
#[derive(Default)]
struct HashedHasher(u64);

impl Hasher for HashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else is folded in.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Set {
    /// Whether `value` (of hash `hash`) is a member.
    fn contains(&self, hash: u64, value: &Value) -> bool {
        let same = |i: usize| {
            self.members
                .get(i)
                .is_some_and(|m| m.hash == hash && same_member(&m.value, value))
        };
        match &self.index {
            Some(index) => index
                .get(&hash)
                .is_some_and(|at| at.iter().any(|&i| same(i as usize))),
            None => self
                .members
                .iter()
                .any(|m| m.hash == hash && same_member(&m.value, value)),
        }
    }

    /// Adds a member known not to be one yet.
    fn push(&mut self, member: Member) {
        let at = self.members.len();
        if let Some(index) = &mut self.index {
            index
                .entry(member.hash)
                .or_default()
                .push(u32::try_from(at).unwrap_or(u32::MAX));
        }
        self.members.push(member);
        if self.index.is_none() && self.members.len() > FEW {
            let mut index: HashMap<u64, SmallVec<[u32; 1]>, BuildHasherDefault<HashedHasher>> =
                HashMap::default();
            for (i, m) in self.members.iter().enumerate() {
                index
                    .entry(m.hash)
                    .or_default()
                    .push(u32::try_from(i).unwrap_or(u32::MAX));
            }
            self.index = Some(index);
        }
    }

    /// Adds `v` unless it is null, already a member or the set is full;
    /// `v` is cloned only when it is added.
    fn add(&mut self, v: &Value) {
        if v.is_null() || self.members.len() >= self.limit.max {
            return;
        }
        let hash = member_hash(v);
        if !self.contains(hash, v) {
            self.push(Member {
                hash,
                value: v.clone(),
            });
        }
    }

    /// Adds a member of another set, on the same terms as [`Set::add`].
    fn add_member(&mut self, m: Member) {
        if self.members.len() >= self.limit.max {
            return;
        }
        if !self.contains(m.hash, &m.value) {
            self.push(m);
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
        if self.members.is_empty() && later.members.len() <= self.limit.max {
            self.members = later.members;
            self.index = later.index;
            return;
        }
        for m in later.members {
            self.add_member(m);
        }
    }

    fn finish(self: Box<Self>) -> Value {
        Value::array(self.members.into_iter().map(|m| m.value).collect())
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

#[cfg(test)]
mod tests {
    use super::super::lookup_aggregate;
    use super::*;

    fn make_set() -> &'static AggregateFunction {
        lookup_aggregate("make_set").unwrap()
    }

    fn fed(values: &[Value], extra: &[Value]) -> Box<dyn Accumulator> {
        let f = make_set();
        let mut acc = f.accumulator(DataType::Dynamic);
        for v in values {
            let mut args = vec![v.clone()];
            args.extend_from_slice(extra);
            acc.update(&args);
        }
        acc
    }

    fn strings(n: usize, step: usize) -> Vec<Value> {
        (0..n)
            .map(|i| Value::string(&format!("user{}", (i * step) % n)))
            .collect()
    }

    /// First appearance, numbers by value (`1`, `int(1)` and `1.0` one
    /// member), across the switch from a list to an indexed list and across
    /// merges of chunks, with and without a size limit.
    #[test]
    fn members_keep_first_appearance_past_the_index_and_across_merges() {
        // 40 members, each seen three times, in a scrambled order.
        let mut values = strings(40, 7);
        values.extend(strings(40, 11));
        values.extend(strings(40, 3));
        values.extend([Value::Long(1), Value::Int(1), Value::Real(1.0), Value::Null]);
        let expected: Vec<Value> = {
            let mut out: Vec<Value> = Vec::new();
            for v in &values {
                if !v.is_null() && !out.iter().any(|o| crate::value::compare::same(o, v)) {
                    out.push(v.clone());
                }
            }
            out
        };
        assert_eq!(expected.len(), 41);
        let whole = fed(&values, &[]).finish();
        assert_eq!(whole, Value::array(expected.clone()));
        for cut in [1, 5, 17, 60, 100] {
            let (a, b) = values.split_at(cut);
            let mut first = fed(a, &[]);
            first.merge(fed(b, &[]));
            assert_eq!(
                first.finish(),
                Value::array(expected.clone()),
                "cut at {cut}"
            );
            // An empty earlier chunk takes the later one's members.
            let mut empty = fed(&[], &[]);
            empty.merge(fed(a, &[]));
            empty.merge(fed(b, &[]));
            assert_eq!(
                empty.finish(),
                Value::array(expected.clone()),
                "cut at {cut}"
            );
            // A limit keeps the first members.
            let mut limited = fed(a, &[Value::Long(20)]);
            limited.merge(fed(b, &[Value::Long(20)]));
            assert_eq!(
                limited.finish(),
                Value::array(expected[..20].to_vec()),
                "cut at {cut}"
            );
        }
    }
}

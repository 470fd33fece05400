//! Runtime values.
//!
//! One enum serves every KQL type, `dynamic` included: a dynamic value is
//! a [`Value`] that may also be an [`Value::Array`] or a [`Value::Bag`]. Which
//! KQL type an expression has is known statically (see [`crate::types`]);
//! the value only says which case it holds. Strings are never null in KQL, so
//! a string-typed expression yields `Value::String("")` where data is
//! missing, never `Value::Null`.
//!
//! Beside the values: [`cast`] (nulls, normalisation, conversions),
//! [`ops`] (comparison, arithmetic, member and element access),
//! [`compare`] (equality and ordering), [`string_form`] (the text
//! `tostring()` gives) and [`json`](mod@json) (a value as compact JSON).

#[allow(missing_docs)]
pub mod cast;
#[allow(missing_docs)]
pub mod compare;
#[allow(missing_docs)]
pub mod json;
#[allow(missing_docs)]
pub mod key;
#[allow(missing_docs)]
pub mod number;
#[allow(missing_docs)]
pub mod ops;
#[allow(missing_docs)]
pub mod string_form;
#[allow(missing_docs)]
pub mod text;
#[allow(missing_docs)]
pub mod time;

use std::fmt;
use std::sync::Arc;

pub use time::{DateTime, Timespan};

/// A shared, immutable string: cloning a value never copies text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Str(Arc<str>);

impl Str {
    /// A shared copy of `s`.
    pub fn new(s: &str) -> Str {
        Str(Arc::from(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// `Str` hashes and compares as its text, so maps keyed by `Str` can be
/// searched with a `&str`.
impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str(Arc::from(s))
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A GUID, stored as its 128-bit big-endian number so that it prints as the
/// usual lower-case `8-4-4-4-12` text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(pub u128);

impl Guid {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case), optionally
    /// in braces, or 32 hex digits.
    pub fn parse(text: &str) -> Option<Guid> {
        let t = text.trim();
        let t = t
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(t);
        let bytes = t.as_bytes();
        let dashed = bytes.len() == 36
            && [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-')
            && t.chars().filter(|&c| c == '-').count() == 4;
        if !(dashed || bytes.len() == 32) {
            return None;
        }
        let mut n: u128 = 0;
        for c in t.chars().filter(|&c| c != '-') {
            n = (n << 4) | u128::from(c.to_digit(16)?);
        }
        Some(Guid(n))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "guid({self})")
    }
}

/// A property bag: keys in insertion order (parse order for parsed JSON),
/// without duplicates. Bags past [`Bag::INDEXED_FROM`] entries keep a hash
/// index, so building or reading a bag with many keys (a hostile log line
/// can hold 50,000) stays linear.
#[derive(Clone, Debug, Default)]
pub struct Bag {
    entries: Vec<(Str, Value)>,
    index: Option<std::collections::HashMap<Str, usize>>,
}

impl PartialEq for Bag {
    fn eq(&self, other: &Bag) -> bool {
        self.entries == other.entries
    }
}

impl Bag {
    /// Below this many entries a linear search beats hashing.
    pub const INDEXED_FROM: usize = 32;

    /// An empty bag.
    pub fn new() -> Bag {
        Bag::default()
    }

    /// An empty bag with room for `n` entries.
    pub fn with_capacity(n: usize) -> Bag {
        Bag {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k.as_str() == key),
        }
    }

    /// Sets `key`; a key already present keeps its place and takes the new
    /// value (as a JSON reader keeps the last of duplicate keys).
    pub fn insert(&mut self, key: Str, value: Value) {
        if let Some(i) = self.position(&key) {
            if let Some(slot) = self.entries.get_mut(i) {
                slot.1 = value;
            }
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() >= Bag::INDEXED_FROM {
            self.index = Some(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            );
        }
    }

    /// The value at `key` (keys are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key)
            .and_then(|i| self.entries.get(i))
            .map(|(_, v)| v)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the bag has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Str, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(Str, Value)> for Bag {
    fn from_iter<I: IntoIterator<Item = (Str, Value)>>(iter: I) -> Bag {
        let mut bag = Bag::new();
        for (k, v) in iter {
            bag.insert(k, v);
        }
        bag
    }
}

/// A KQL value of any type: what a [`ResultSink`](crate::ResultSink)
/// receives, one per column, and what
/// [`Engine::add_rows`](crate::Engine::add_rows) takes.
///
/// Which case a column holds follows its [`DataType`](crate::DataType):
/// a `long` column holds [`Value::Long`] or [`Value::Null`], a `string`
/// column always [`Value::String`] (KQL strings are never null), a
/// `dynamic` column any case.
///
/// ```
/// use kqlite::Value;
///
/// let v = Value::string("alice");
/// assert_eq!(v.as_str(), Some("alice"));
/// assert_eq!(Value::Long(7).as_i64(), Some(7));
/// assert!(Value::Null.is_null());
/// assert_eq!(Value::array(vec![Value::Bool(true)]).type_name(), "array");
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// The null of any type but `string`.
    #[default]
    Null,
    /// A `bool`.
    Bool(bool),
    /// An `int`.
    Int(i32),
    /// A `long`.
    Long(i64),
    /// A `real`.
    Real(f64),
    /// A `decimal`: 128-bit decimal arithmetic, as .NET's `System.Decimal`.
    Decimal(rust_decimal::Decimal),
    /// A `datetime`.
    DateTime(DateTime),
    /// A `timespan`.
    Timespan(Timespan),
    /// A `guid`.
    Guid(Guid),
    /// A `string`.
    String(Str),
    /// A dynamic array.
    Array(Arc<Vec<Value>>),
    /// A dynamic property bag.
    Bag(Arc<Bag>),
}

impl Value {
    /// A string value.
    pub fn string(s: &str) -> Value {
        Value::String(Str::new(s))
    }

    /// The empty string, the value of a missing string.
    pub fn empty_string() -> Value {
        Value::String(Str::default())
    }

    /// A dynamic array of `items`.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items))
    }

    /// A dynamic property bag.
    pub fn bag(bag: Bag) -> Value {
        Value::Bag(Arc::new(bag))
    }

    /// Whether it is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// What `gettype()` reports for this value (dynamic-aware names:
    /// `array`, `dictionary`, `null`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Long(_) => "long",
            Value::Real(_) => "real",
            Value::Decimal(_) => "decimal",
            Value::DateTime(_) => "datetime",
            Value::Timespan(_) => "timespan",
            Value::Guid(_) => "guid",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Bag(_) => "dictionary",
        }
    }

    /// The text, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if it is a `bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value as a 64-bit integer, if it is an integer of any width.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i64::from(*i)),
            Value::Long(i) => Some(*i),
            _ => None,
        }
    }

    /// The value as a real, if it is numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(f64::from(*i)),
            Value::Long(i) => Some(*i as f64),
            Value::Real(r) => Some(*r),
            Value::Decimal(d) => rust_decimal::prelude::ToPrimitive::to_f64(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_round_trips_in_lower_case() {
        let g = Guid::parse("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635").unwrap();
        assert_eq!(g.to_string(), "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
        assert_eq!(
            Guid::parse("{8e3af657-a8ff-443c-a75c-2fe8c4bcb635}"),
            Some(g)
        );
        assert_eq!(Guid::parse("8e3af657a8ff443ca75c2fe8c4bcb635"), Some(g));
        assert_eq!(Guid::parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb63"), None);
        assert_eq!(Guid::parse("8e3af657-a8ff-443c-a75c2-fe8c4bcb635"), None);
    }

    #[test]
    fn bag_keeps_first_position_of_a_repeated_key() {
        let mut b = Bag::new();
        b.insert("a".into(), Value::Long(1));
        b.insert("b".into(), Value::Long(2));
        b.insert("a".into(), Value::Long(3));
        let keys: Vec<&str> = b.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(b.get("a"), Some(&Value::Long(3)));
    }

    #[test]
    fn large_bags_stay_consistent_once_indexed() {
        let mut b = Bag::new();
        for i in 0..100 {
            b.insert(Str::from(format!("k{i}")), Value::Long(i));
        }
        b.insert("k5".into(), Value::Long(-5));
        b.insert("k99".into(), Value::Long(-99));
        assert_eq!(b.len(), 100);
        assert_eq!(b.get("k5"), Some(&Value::Long(-5)));
        assert_eq!(b.get("k99"), Some(&Value::Long(-99)));
        assert_eq!(b.get("k100"), None);
        assert_eq!(b.iter().nth(5).map(|(k, _)| k.as_str()), Some("k5"));
    }
}

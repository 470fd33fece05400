//! Rows: one JSON object per line, decoded only where a query looks.
//!
//! A query names a few columns; a line may hold dozens of keys. A
//! [`KeySet`] (built once per query) finds, in one pass over the line, the
//! raw bytes of each wanted key's value, and skips the others without
//! decoding them — while still validating the whole line. The `decode_*`
//! functions then turn the raw bytes of one value into what a column of a
//! given type holds.
//!
//! ```
//! use kqlite::internals::json::{KeySet, RowSlots, decode_string, decode_long};
//! let keys = KeySet::new(&["Category", "code"]);
//! let mut slots = RowSlots::new();
//! let line = br#"{"Category":"kube-audit","log_s":"{\"verb\":\"get\"}","code":200}"#;
//! keys.scan_row(line, &mut slots).unwrap();
//! let category = slots.get(line, 0).and_then(decode_string);
//! assert_eq!(category.as_deref(), Some("kube-audit"));
//! assert_eq!(slots.get(line, 1).and_then(decode_long), Some(200));
//! ```
//!
//! # Keys
//!
//! Keys are compared after unescaping (`"Cat\u0065gory"` is `Category`),
//! case-sensitively. When a line repeats a key, the **last** occurrence
//! wins, as with [`parse_value`](super::parse_value) and
//! [`Bag::insert`](crate::value::Bag::insert).
//!
//! # Column types
//!
//! A JSON value of the wrong type for a column decodes to null (`None`),
//! with one exception: a `string` column takes any non-null JSON value, a
//! non-string one as its compact JSON text (`5` → `"5"`,
//! `{ "a" : 1 }` → `{"a":1}`; see [`minify`]). KQL strings are never null,
//! so the caller turns `None` into `""` for string columns.
//!
//! [`decode_typed`] picks the rule for a column's [`DataType`]. For
//! `datetime` and `timespan` it stops at the text ([`Decoded::Text`], from
//! [`string_text`]: no allocation when the JSON string has no escapes),
//! which the caller parses with the value library.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use super::escaped::Members;
use super::parse::parse_value_bytes;
use super::scan::{JsonKind, Number, Scanner, number_from_text, skip_number_at, skip_string_at};
use super::{JsonError, MAX_SKIP_DEPTH, Reason};
use crate::types::DataType;
use crate::value::{Guid, Str, Value};

/// The keys a query wants from each row, prepared once: each distinct key
/// gets a slot, numbered in the order given (a repeated key keeps its first
/// slot).
#[derive(Clone, Debug)]
pub struct KeySet {
    keys: Vec<Box<str>>,
    /// `by_len[n]` lists the slots of the keys that are `n` bytes long.
    by_len: Vec<Vec<usize>>,
    /// For many keys (a very wide line's columns), the slot of each key by
    /// hash, so that finding a key does not scan thousands of others.
    index: Option<std::collections::HashMap<Vec<u8>, usize>>,
    /// Whether a wanted value that is a JSON string holding an escaped
    /// object is indexed as it is skipped ([`KeySet::index_escaped`]).
    index_escaped: bool,
}

/// Past this many keys, [`KeySet`] finds them by hash.
const HASHED_KEYS: usize = 32;

impl KeySet {
    pub fn new(keys: &[&str]) -> KeySet {
        let mut set = KeySet {
            keys: Vec::with_capacity(keys.len()),
            by_len: Vec::new(),
            index: (keys.len() > HASHED_KEYS).then(std::collections::HashMap::new),
            index_escaped: false,
        };
        for key in keys {
            if set.slot(key.as_bytes()).is_some() {
                continue;
            }
            if let Some(index) = &mut set.index {
                index.insert(key.as_bytes().to_vec(), set.keys.len());
            }
            let len = key.len();
            if set.by_len.len() <= len {
                set.by_len.resize_with(len + 1, Vec::new);
            }
            if let Some(slots) = set.by_len.get_mut(len) {
                slots.push(set.keys.len());
            }
            set.keys.push((*key).into());
        }
        set
    }

    /// Makes [`KeySet::scan_row`] index, in the walk that skips it, a
    /// wanted value that is a JSON string holding an escaped JSON object
    /// (`"log_s":"{\"verb\":…}"`): the walk that checks the string also
    /// records where the event's members lie, so `parse_json(log_s).verb`
    /// reads them without walking the ~2 KB string a second time (see
    /// [`Doc::from_indexed`](super::Doc::from_indexed)). A string the
    /// index does not answer for is skipped as usual.
    pub fn index_escaped(mut self) -> KeySet {
        self.index_escaped = true;
        self
    }

    /// How many distinct keys (and so slots) there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key of `slot`.
    pub fn key(&self, slot: usize) -> Option<&str> {
        self.keys.get(slot).map(|k| &**k)
    }

    /// The slot of `key` (its unescaped bytes), if it is wanted.
    #[inline]
    pub fn slot(&self, key: &[u8]) -> Option<usize> {
        if let Some(index) = &self.index {
            return index.get(key).copied();
        }
        let candidates = self.by_len.get(key.len())?;
        candidates
            .iter()
            .copied()
            .find(|&slot| self.keys.get(slot).is_some_and(|k| k.as_bytes() == key))
    }

    /// Scans one line that must hold exactly one JSON object (whitespace,
    /// including a final `\r\n`, allowed around it) and records in `out`
    /// where each wanted key's value lies. The whole line is validated, up
    /// to [`MAX_SKIP_DEPTH`] levels of nesting; an error means the line is
    /// not a valid row (`out` is then unspecified).
    pub fn scan_row(&self, line: &[u8], out: &mut RowSlots) -> Result<(), JsonError> {
        let start = super::scan::skip_ws_at(line, 0);
        if line.get(start) != Some(&b'{') {
            return Err(JsonError::new(start, Reason::NotAnObject));
        }
        self.scan_object(line, MAX_SKIP_DEPTH, out)?;
        Ok(())
    }

    /// The scan behind [`KeySet::scan_row`] and
    /// [`get_members`](super::get_members): validates `bytes` as one JSON
    /// value at most `max_depth` deep, and when it is an object records the
    /// wanted members. Returns whether it is an object.
    pub(crate) fn scan_object(
        &self,
        bytes: &[u8],
        max_depth: usize,
        out: &mut RowSlots,
    ) -> Result<bool, JsonError> {
        out.reset(self.len());
        let mut s = Scanner::new(bytes);
        if s.peek() != Some(b'{') {
            s.skip_value_limited(max_depth)?;
            s.finish()?;
            return Ok(false);
        }
        if max_depth == 0 {
            return Err(JsonError::new(s.pos(), Reason::TooDeep));
        }
        let inner = max_depth - 1;
        let mut members = s.begin_object()?;
        while let Some(key) = s.next_key_bytes(&mut members)? {
            match self.slot(&key) {
                Some(slot) => {
                    s.skip_ws();
                    let start = s.pos();
                    let indexed = self.index_escaped
                        && bytes.get(start..start + 2) == Some(b"\"{")
                        && out
                            .index_escaped(slot, bytes, start + 1)
                            .is_some_and(|end| {
                                s.advance(end - start);
                                true
                            });
                    if !indexed {
                        s.skip_value_limited(inner)?;
                    }
                    out.set(slot, start..s.pos());
                    out.set_indexed(slot, indexed);
                }
                None => s.skip_value_limited(inner)?,
            }
        }
        s.finish()?;
        Ok(true)
    }
}

/// Where each wanted value lies in the line last scanned; one per
/// [`KeySet`] slot. Reuse one across lines to avoid allocating per row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowSlots {
    ranges: Vec<Option<Range<usize>>>,
    /// The slots set since the last reset: resetting clears only them, so
    /// a line costs its own keys, not the number of wanted keys.
    set: Vec<usize>,
    /// Per slot, the members of the escaped object its value holds, when
    /// [`KeySet::index_escaped`] indexed it (`indexed`); the vectors are
    /// kept from line to line, so indexing allocates nothing once warm.
    escaped: Vec<Members>,
    indexed: Vec<bool>,
}

impl RowSlots {
    pub fn new() -> RowSlots {
        RowSlots::default()
    }

    fn reset(&mut self, len: usize) {
        if self.ranges.len() == len {
            for slot in self.set.drain(..) {
                if let Some(r) = self.ranges.get_mut(slot) {
                    *r = None;
                }
                if let Some(i) = self.indexed.get_mut(slot) {
                    *i = false;
                }
            }
        } else {
            self.set.clear();
            self.ranges.clear();
            self.ranges.resize(len, None);
            self.indexed.clear();
        }
    }

    /// Indexes the JSON string whose opening quote is at `start - 1` in
    /// `line` as an escaped object, into `slot`'s members; the offset
    /// after the string, or `None` (see `escaped::index_string_at`).
    fn index_escaped(&mut self, slot: usize, line: &[u8], start: usize) -> Option<usize> {
        if self.escaped.len() <= slot {
            // Room for the members of a usual audit event from the start.
            self.escaped
                .resize_with(slot + 1, || Vec::with_capacity(16));
        }
        super::escaped::index_string_at(line, start, self.escaped.get_mut(slot)?)
    }

    fn set_indexed(&mut self, slot: usize, indexed: bool) {
        if self.indexed.len() <= slot {
            if !indexed {
                return;
            }
            self.indexed.resize(slot + 1, false);
        }
        if let Some(i) = self.indexed.get_mut(slot) {
            *i = indexed;
        }
    }

    /// The members of the escaped object in `slot`'s value, when the scan
    /// indexed it ([`KeySet::index_escaped`]); the ranges are offsets in
    /// the line.
    pub(crate) fn escaped(&self, slot: usize) -> Option<&Members> {
        if self.indexed.get(slot) == Some(&true) {
            self.escaped.get(slot)
        } else {
            None
        }
    }

    fn set(&mut self, slot: usize, range: Range<usize>) {
        if let Some(r) = self.ranges.get_mut(slot) {
            if r.is_none() {
                self.set.push(slot);
            }
            *r = Some(range);
        }
    }

    /// The byte range of `slot`'s value in the line, if the key was found.
    pub fn range(&self, slot: usize) -> Option<Range<usize>> {
        self.ranges.get(slot).cloned().flatten()
    }

    /// The raw JSON of `slot`'s value, cut from `line` (the line that was
    /// scanned), if the key was found.
    pub fn get<'a>(&self, line: &'a [u8], slot: usize) -> Option<&'a [u8]> {
        line.get(self.range(slot)?)
    }

    /// How many slots there are.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

/// A key (decoded) and its raw value.
pub type Member<'a> = (Cow<'a, str>, &'a [u8]);

/// Every member of the object on `line`, in line order (repeated keys
/// included), with its raw value. Validates the whole line like
/// [`KeySet::scan_row`].
pub fn top_level_members(line: &[u8]) -> Result<Vec<Member<'_>>, JsonError> {
    let mut s = Scanner::new(line);
    if s.peek() != Some(b'{') {
        return Err(JsonError::new(s.pos(), Reason::NotAnObject));
    }
    let mut members = s.begin_object()?;
    let mut out = Vec::new();
    while let Some(key) = s.next_key(&mut members)? {
        out.push((key, s.value_bytes(MAX_SKIP_DEPTH - 1)?));
    }
    s.finish()?;
    Ok(out)
}

/// The distinct keys of the object on `line`, in order of first
/// appearance (for schema inference). Validates the whole line like
/// [`KeySet::scan_row`].
pub fn top_level_keys(line: &[u8]) -> Result<Vec<Cow<'_, str>>, JsonError> {
    let mut s = Scanner::new(line);
    if s.peek() != Some(b'{') {
        return Err(JsonError::new(s.pos(), Reason::NotAnObject));
    }
    let mut members = s.begin_object()?;
    let mut keys: Vec<Cow<'_, str>> = Vec::new();
    let mut seen: HashSet<Cow<'_, str>> = HashSet::new();
    while let Some(key) = s.next_key(&mut members)? {
        s.skip_value_limited(MAX_SKIP_DEPTH - 1)?;
        if seen.insert(key.clone()) {
            keys.push(key);
        }
    }
    s.finish()?;
    Ok(keys)
}

/// The text of a JSON string value (`None` for any other value, or for
/// invalid JSON). Borrowed from `raw` when the string has no escapes, so
/// this is the cheap way to get text for parsing a `datetime`, `timespan`
/// or `guid`.
pub fn string_text(raw: &[u8]) -> Option<Cow<'_, str>> {
    let mut s = Scanner::new(raw);
    if s.peek() != Some(b'"') {
        return None;
    }
    let text = s.read_string().ok()?;
    s.finish().ok()?;
    Some(text)
}

/// [`string_text`] as bytes (always UTF-8), decoded into `buf` when it
/// holds escapes (see [`Scanner::read_string_bytes`]): `Err(buf)` for any
/// other value or invalid JSON.
pub fn string_bytes(raw: &[u8], buf: Vec<u8>) -> Result<Cow<'_, [u8]>, Vec<u8>> {
    let mut s = Scanner::new(raw);
    if s.peek() != Some(b'"') {
        return Err(buf);
    }
    let text = s.read_string_bytes(buf)?;
    match s.finish() {
        Ok(()) => Ok(text),
        Err(_) => Err(match text {
            Cow::Owned(buf) => buf,
            Cow::Borrowed(_) => Vec::new(),
        }),
    }
}

/// A raw value as a `string` column holds it: a JSON string's text; any
/// other value's compact JSON text ([`minify`]); `None` for `null` (and
/// for invalid JSON). The caller stores `None` as `""`.
pub fn decode_string(raw: &[u8]) -> Option<Str> {
    match JsonKind::of(raw)? {
        JsonKind::Null => {
            let mut s = Scanner::new(raw);
            s.read_null().ok()?;
            s.finish().ok()?;
            None
        }
        JsonKind::String => Some(match string_text(raw)? {
            Cow::Borrowed(s) => Str::new(s),
            Cow::Owned(s) => Str::from(s),
        }),
        _ => {
            let mut text = String::with_capacity(raw.len());
            minify(raw, &mut text).ok()?;
            Some(Str::from(text))
        }
    }
}

/// A raw value as a `dynamic` column holds it: the parsed tree
/// ([`parse_value`](super::parse_value)). Text that does not parse —
/// invalid, or nested deeper than [`MAX_TREE_DEPTH`](super::MAX_TREE_DEPTH)
/// — becomes a dynamic string of the text, as KQL's `parse_json` does.
pub fn decode_dynamic(raw: &[u8]) -> Value {
    match parse_value_bytes(raw) {
        Ok(v) => v,
        Err(_) => Value::String(Str::from(String::from_utf8_lossy(raw).into_owned())),
    }
}

/// A raw value decoded for a column of a given type: see [`decode_typed`].
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded<'a> {
    /// The column's value (null where the JSON value does not fit).
    Value(Value),
    /// For `datetime` and `timespan` columns: the JSON string's text, for
    /// the caller to parse with the value library.
    Text(Cow<'a, str>),
}

/// A raw value as a column of type `ty` holds it, by the rules of the
/// `decode_*` functions: `string` → the text (`""` for null: KQL strings
/// are never null), `int`/`long`/`real`/`decimal`/`bool` → the number or
/// bool or null, `dynamic` → the tree, `guid` → a parsed JSON string or
/// null. `datetime` and `timespan` come back as [`Decoded::Text`] when the
/// value is a JSON string (null otherwise): parsing them belongs to the
/// value library.
pub fn decode_typed(raw: &[u8], ty: DataType) -> Decoded<'_> {
    let value = match ty {
        DataType::String => Value::String(decode_string(raw).unwrap_or_default()),
        DataType::Bool => decode_bool(raw).map_or(Value::Null, Value::Bool),
        DataType::Int => decode_int(raw).map_or(Value::Null, Value::Int),
        DataType::Long => decode_long(raw).map_or(Value::Null, Value::Long),
        DataType::Real => decode_real(raw).map_or(Value::Null, Value::Real),
        DataType::Decimal => decode_real(raw)
            .and_then(crate::value::number::real_to_decimal)
            .map_or(Value::Null, Value::Decimal),
        DataType::Dynamic => decode_dynamic(raw),
        DataType::Guid => string_text(raw)
            .and_then(|t| Guid::parse(&t))
            .map_or(Value::Null, Value::Guid),
        DataType::DateTime | DataType::Timespan => {
            return string_text(raw).map_or(Decoded::Value(Value::Null), Decoded::Text);
        }
    };
    Decoded::Value(value)
}

/// The number in `raw`, if it is one (valid, with nothing else around it
/// but whitespace).
fn number(raw: &[u8]) -> Option<Number> {
    let start = super::scan::skip_ws_at(raw, 0);
    let (end, integer) = skip_number_at(raw, start).ok()?;
    if super::scan::skip_ws_at(raw, end) != raw.len() {
        return None;
    }
    number_from_text(raw.get(start..end)?, integer)
}

/// A raw value as a `long` column holds it: an integer that fits 64 bits.
/// A number written with a fraction or exponent counts when its value is a
/// whole number in range (`5.0`, `1e3`); other values (`5.5`, `"5"`,
/// `true`, `1e19`) are null.
pub fn decode_long(raw: &[u8]) -> Option<i64> {
    match number(raw)? {
        Number::Long(n) => Some(n),
        Number::Real(r) => real_to_i64(r),
    }
}

/// A raw value as an `int` column holds it: like [`decode_long`], within
/// 32 bits.
pub fn decode_int(raw: &[u8]) -> Option<i32> {
    decode_long(raw).and_then(|n| i32::try_from(n).ok())
}

/// `r` as an `i64` when it is a whole number in range.
fn real_to_i64(r: f64) -> Option<i64> {
    // 2^63 is exact as f64; every whole f64 in [-2^63, 2^63) converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (r.fract() == 0.0 && (-LIMIT..LIMIT).contains(&r)).then_some(r as i64)
}

/// A raw value as a `real` column holds it: any JSON number (integers
/// beyond 2^53 round; beyond ±1.8e308 is ±infinity); other values are
/// null.
pub fn decode_real(raw: &[u8]) -> Option<f64> {
    match number(raw)? {
        Number::Long(n) => Some(n as f64),
        Number::Real(r) => Some(r),
    }
}

/// A raw value as a `bool` column holds it: `true` or `false`; other
/// values (`1`, `"true"`) are null.
pub fn decode_bool(raw: &[u8]) -> Option<bool> {
    let mut s = Scanner::new(raw);
    let b = s.read_bool().ok()?;
    s.finish().ok()?;
    Some(b)
}

/// Appends `raw` (one JSON value) to `out` without the whitespace between
/// tokens. Strings are copied byte for byte, escapes and all; numbers keep
/// their spelling. Validates first, so nothing is appended on error.
pub fn minify(raw: &[u8], out: &mut String) -> Result<(), JsonError> {
    let mut s = Scanner::new(raw);
    s.skip_value()?;
    s.finish()?;
    let mut pos = 0;
    while let Some(&b) = raw.get(pos) {
        let end = match b {
            b'"' => skip_string_at(raw, pos + 1)?,
            b' ' | b'\t' | b'\n' | b'\r' => {
                pos += 1;
                continue;
            }
            _ => raw
                .iter()
                .skip(pos)
                .position(|&c| matches!(c, b'"' | b' ' | b'\t' | b'\n' | b'\r'))
                .map_or(raw.len(), |n| pos + n),
        };
        let piece = raw.get(pos..end).unwrap_or_default();
        out.push_str(&String::from_utf8_lossy(piece));
        pos = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Bag;

    /// `string_bytes` is `string_text` as bytes, escapes or not, valid or not.
    #[test]
    fn string_bytes_is_string_text_as_bytes() {
        for raw in [
            &br#""plain""#[..],
            br#""{\"kind\":\"Event\",\"n\":\"\u00e9\ud83d\ude00\\\/\n\""#,
            br#"  "a\"b"  "#,
            br#""\x""#,
            br#""\u12""#,
            br#""open\""#,
            br#""a" x"#,
            b"\"\xff\\n\"",
            b"\"\x01\\n\"",
            b"null",
            b"12",
            b"",
        ] {
            let text = string_text(raw).map(|t| t.as_bytes().to_vec());
            let bytes = string_bytes(raw, Vec::new()).ok().map(|b| b.to_vec());
            assert_eq!(bytes, text, "{:?}", String::from_utf8_lossy(raw));
        }
    }

    fn scan<'a>(keys: &[&str], line: &'a [u8]) -> Result<Vec<Option<&'a [u8]>>, JsonError> {
        let set = KeySet::new(keys);
        let mut slots = RowSlots::new();
        set.scan_row(line, &mut slots)?;
        Ok((0..set.len()).map(|i| slots.get(line, i)).collect())
    }

    #[test]
    fn finds_wanted_values_and_skips_the_rest() {
        let line = br#"{ "a" : 1, "skip": {"a": "inner", "x": [1, {"b": 2}]}, "b":"two" , "c":[true, null] }"#;
        let got = scan(&["b", "a", "c", "missing"], line).unwrap();
        assert_eq!(
            got,
            vec![
                Some(&br#""two""#[..]),
                Some(&b"1"[..]),
                Some(&b"[true, null]"[..]),
                None
            ]
        );
    }

    #[test]
    fn escaped_keys_match_and_last_duplicate_wins() {
        let line = r#"{"Cat\u0065gory":"x","caf\u00e9":1,"Category":"y","k\"q":2,"café":3}"#;
        let got = scan(&["Category", "café", "k\"q"], line.as_bytes()).unwrap();
        assert_eq!(got[0], Some(&br#""y""#[..]));
        assert_eq!(got[1], Some(&b"3"[..]));
        assert_eq!(got[2], Some(&b"2"[..]));
    }

    #[test]
    fn keys_are_case_sensitive() {
        let got = scan(&["category"], br#"{"Category":1}"#).unwrap();
        assert_eq!(got, vec![None]);
    }

    #[test]
    fn keyset_dedups_and_numbers_slots_in_order() {
        let set = KeySet::new(&["b", "a", "b", ""]);
        assert_eq!(set.len(), 3);
        assert_eq!(set.slot(b"b"), Some(0));
        assert_eq!(set.slot(b"a"), Some(1));
        assert_eq!(set.slot(b""), Some(2));
        assert_eq!(set.slot(b"c"), None);
        assert_eq!(set.slot(b"longer than any key"), None);
        assert_eq!(set.key(1), Some("a"));
        assert_eq!(set.key(3), None);
        let got = scan(&[""], br#"{"":5}"#).unwrap();
        assert_eq!(got, vec![Some(&b"5"[..])]);
    }

    #[test]
    fn whole_line_is_validated() {
        use Reason::*;
        let cases: &[(&[u8], usize, Reason)] = &[
            (b"", 0, NotAnObject),
            (b"  ", 2, NotAnObject),
            (b"[1]", 0, NotAnObject),
            (b" \"x\"", 1, NotAnObject),
            (b"{\"a\":1", 6, UnexpectedEnd),
            (b"{\"a\":1}}", 7, TrailingCharacters),
            (b"{\"a\":1} {\"b\":2}", 8, TrailingCharacters),
            (b"{\"a\":1,}", 7, ExpectedKey),
            (b"{\"a\":1 \"b\":2}", 7, ExpectedCommaOrBrace),
            (b"{\"a\":\"\\q\"}", 6, InvalidEscape),
            (b"{\"z\":[1,2}", 9, ExpectedCommaOrBracket),
            (b"{\"z\":\"\xff\"}", 6, InvalidUtf8),
            (b"{\"\\x\":1}", 2, InvalidEscape),
            (b"[1]x", 0, NotAnObject),
        ];
        for &(line, offset, reason) in cases {
            let e = scan(&["a"], line).unwrap_err();
            assert_eq!(
                (e.offset, e.reason),
                (offset, reason),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        // An error after every wanted key was found is still an error.
        assert!(scan(&["a"], b"{\"a\":1,\"b\":tru}").is_err());
        // CRLF line endings are whitespace.
        assert!(scan(&["a"], b"{\"a\":1}\r\n").is_ok());
    }

    #[test]
    fn row_depth_limit() {
        let n = MAX_SKIP_DEPTH - 1;
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
        assert!(scan(&["a"], ok.as_bytes()).is_ok());
        let n = MAX_SKIP_DEPTH;
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
        assert_eq!(
            scan(&["a"], deep.as_bytes()).unwrap_err().reason,
            Reason::TooDeep
        );
    }

    #[test]
    fn slots_are_reset_between_lines() {
        let set = KeySet::new(&["a", "b"]);
        let mut slots = RowSlots::new();
        set.scan_row(br#"{"a":1,"b":2}"#, &mut slots).unwrap();
        let line = br#"{"b":3}"#;
        set.scan_row(line, &mut slots).unwrap();
        assert_eq!(slots.len(), 2);
        assert_eq!(slots.get(line, 0), None);
        assert_eq!(slots.get(line, 1), Some(&b"3"[..]));
        assert_eq!(slots.range(1), Some(5..6));
    }

    #[test]
    fn lists_top_level_keys() {
        let line = br#"{"b":{"inner":1},"a\u0021":[],"b":2,"c":null}"#;
        let keys = top_level_keys(line).unwrap();
        assert_eq!(keys, ["b", "a!", "c"]);
        let members = top_level_members(line).unwrap();
        let members: Vec<(&str, &[u8])> = members.iter().map(|(k, v)| (&**k, *v)).collect();
        assert_eq!(
            members,
            [
                ("b", &br#"{"inner":1}"#[..]),
                ("a!", b"[]"),
                ("b", b"2"),
                ("c", b"null")
            ]
        );
        assert_eq!(
            top_level_keys(b"[]").unwrap_err().reason,
            Reason::NotAnObject
        );
        assert!(top_level_keys(b"{\"a\":1,}").is_err());
    }

    #[test]
    fn decodes_strings() {
        let s = |raw: &str| decode_string(raw.as_bytes()).map(|s| s.to_string());
        assert_eq!(s(r#""plain""#).as_deref(), Some("plain"));
        assert_eq!(s(r#""a\/b\n\u00e9""#).as_deref(), Some("a/b\né"));
        assert_eq!(s("null"), None);
        assert_eq!(s("5").as_deref(), Some("5"));
        assert_eq!(s("-1.50e3").as_deref(), Some("-1.50e3"));
        assert_eq!(s("true").as_deref(), Some("true"));
        assert_eq!(
            s(r#"{ "a" : [ 1 , "x y\"" ] ,"b":{} }"#).as_deref(),
            Some(r#"{"a":[1,"x y\""],"b":{}}"#)
        );
        assert_eq!(s("[1,"), None);
        assert_eq!(s(r#""unterminated"#), None);
    }

    #[test]
    fn string_text_borrows_when_it_can() {
        assert!(matches!(
            string_text(br#""2024-11-15T21:00:00Z""#),
            Some(Cow::Borrowed(_))
        ));
        assert!(matches!(string_text(br#""a\tb""#), Some(Cow::Owned(_))));
        assert_eq!(string_text(b"1"), None);
        assert_eq!(string_text(br#""a" 1"#), None);
    }

    #[test]
    fn string_bytes_borrows_or_decodes_into_the_buffer_it_is_given() {
        let buf = Vec::with_capacity(64);
        let ptr = buf.as_ptr();
        let Ok(Cow::Owned(text)) = string_bytes(br#""{\"a\":\"\u00e9\"}""#, buf) else {
            panic!("an escaped string is decoded");
        };
        assert_eq!(text, "{\"a\":\"é\"}".as_bytes());
        assert_eq!(text.as_ptr(), ptr, "decoded into the buffer given");
        assert!(matches!(
            string_bytes(br#""ab""#, text),
            Ok(Cow::Borrowed(b"ab"))
        ));
        for bad in [&b"1"[..], br#""a" 1"#, br#""a\q""#, br#""a"#] {
            assert!(string_bytes(bad, Vec::new()).is_err());
        }
        assert_eq!(
            string_bytes(br#""x\ty""#, Vec::new()).ok(),
            string_text(br#""x\ty""#).map(|t| Cow::Owned(t.into_owned().into_bytes()))
        );
    }

    #[test]
    fn decodes_numbers_and_bools() {
        assert_eq!(decode_long(b"42"), Some(42));
        assert_eq!(decode_long(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(decode_long(b"9223372036854775808"), None);
        assert_eq!(decode_long(b"5.0"), Some(5));
        assert_eq!(decode_long(b"1e3"), Some(1000));
        assert_eq!(decode_long(b"-0.0"), Some(0));
        assert_eq!(decode_long(b"5.5"), None);
        assert_eq!(decode_long(b"1e19"), None);
        assert_eq!(decode_long(b"\"5\""), None);
        assert_eq!(decode_long(b"true"), None);
        assert_eq!(decode_long(b"null"), None);
        assert_eq!(decode_long(b"1 2"), None);
        assert_eq!(decode_long(b" 7 "), Some(7));
        assert_eq!(decode_int(b"2147483647"), Some(i32::MAX));
        assert_eq!(decode_int(b"2147483648"), None);
        assert_eq!(decode_int(b"-2147483648"), Some(i32::MIN));
        assert_eq!(decode_real(b"1.5"), Some(1.5));
        assert_eq!(decode_real(b"3"), Some(3.0));
        assert_eq!(
            decode_real(b"18446744073709551616"),
            Some(18446744073709551616.0)
        );
        assert_eq!(decode_real(b"\"1.5\""), None);
        assert_eq!(decode_real(b"[1]"), None);
        assert_eq!(decode_bool(b"true"), Some(true));
        assert_eq!(decode_bool(b"false"), Some(false));
        assert_eq!(decode_bool(b"1"), None);
        assert_eq!(decode_bool(b"\"true\""), None);
        assert_eq!(decode_bool(b"truex"), None);
    }

    #[test]
    fn decodes_dynamic() {
        let mut bag = Bag::new();
        bag.insert(
            "a".into(),
            Value::array(vec![Value::Int(1), Value::Real(2.5)]),
        );
        assert_eq!(decode_dynamic(br#"{"a":[1,2.5]}"#), Value::bag(bag));
        assert_eq!(decode_dynamic(br#""text""#), Value::string("text"));
        assert_eq!(decode_dynamic(b"null"), Value::Null);
        let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
        assert_eq!(decode_dynamic(deep.as_bytes()), Value::string(&deep));
    }

    #[test]
    fn decodes_by_column_type() {
        use DataType::*;
        let v = |raw: &str, ty| match decode_typed(raw.as_bytes(), ty) {
            Decoded::Value(v) => v,
            Decoded::Text(t) => panic!("text {t}"),
        };
        assert_eq!(v(r#""a\/b""#, String), Value::string("a/b"));
        assert_eq!(v("null", String), Value::string(""));
        assert_eq!(v("[1, 2]", String), Value::string("[1,2]"));
        assert_eq!(v("true", Bool), Value::Bool(true));
        assert_eq!(v("1", Bool), Value::Null);
        assert_eq!(v("7", Int), Value::Int(7));
        assert_eq!(v("7000000000", Int), Value::Null);
        assert_eq!(v("7000000000", Long), Value::Long(7_000_000_000));
        assert_eq!(v("\"7\"", Long), Value::Null);
        assert_eq!(v("2.5", Real), Value::Real(2.5));
        assert_eq!(
            v("2", Decimal),
            Value::Decimal(rust_decimal::Decimal::from(2))
        );
        assert_eq!(v("{\"a\":1}", Dynamic), decode_dynamic(b"{\"a\":1}"));
        assert_eq!(
            v("\"8E3AF657-A8FF-443C-A75C-2FE8C4BCB635\"", Guid),
            Value::Guid(crate::value::Guid(0x8e3af657_a8ff_443c_a75c_2fe8c4bcb635))
        );
        assert_eq!(v("\"not a guid\"", Guid), Value::Null);
        assert_eq!(v("5", DateTime), Value::Null);
        assert_eq!(
            decode_typed(br#""2024-11-15T21:00:00.154534959Z""#, DateTime),
            Decoded::Text(Cow::Borrowed("2024-11-15T21:00:00.154534959Z"))
        );
        assert_eq!(
            decode_typed(br#""00:00:02""#, Timespan),
            Decoded::Text(Cow::Borrowed("00:00:02"))
        );
    }

    #[test]
    fn minify_keeps_tokens_verbatim() {
        let mut out = String::new();
        minify(b" [ 1.0 , \"a b\\/\" , { \"k\" : null } ] ", &mut out).unwrap();
        assert_eq!(out, r#"[1.0,"a b\/",{"k":null}]"#);
        let mut out = String::from("keep");
        assert!(minify(b"[1 2]", &mut out).is_err());
        assert_eq!(out, "keep");
    }
}

//! JSON text to a [`Value`] tree, typed as KQL's `parse_json` types it.
//!
//! * An integer literal (no `.`, no exponent) is [`Value::Int`] when it
//!   fits 32 bits and [`Value::Long`] when it fits 64 — the docs show
//!   `gettype(parse_json('1'))` as `int` (gettype-function) —; a larger one,
//!   and any number with a fraction or an exponent, is [`Value::Real`]
//!   (±infinity beyond ±1.8e308). `-0` is the int `0`.
//! * Strings are [`Value::String`], never guessed into datetimes or guids.
//! * Objects are [`Value::Bag`] in text order; a repeated key takes the
//!   last value and keeps the first position ([`Bag::insert`]).
//! * Arrays are [`Value::Array`].
//!
//! The parser keeps its own stack of open containers, so it never recurses;
//! text nested deeper than [`MAX_TREE_DEPTH`] is an error
//! ([`Reason::TooDeep`]), which callers treat like any invalid JSON.
//!
//! # Speed
//!
//! Most of the cost of building a tree is allocation, so a [`Parser`]
//! keeps, between calls, the stacks it builds containers on (each array
//! and bag is then allocated once, at its final size) and a small cache of
//! the keys and short strings it has made: a key seen in an earlier row
//! becomes a reference-count increment, not an allocation. [`parse_value`]
//! uses one such parser per thread.

use std::cell::RefCell;

use std::borrow::Cow;

use super::scan::{Number, RawStr, Scanner};
use super::{JsonError, MAX_TREE_DEPTH, Reason};
use crate::value::{Bag, Str, Value};

/// `parse_json(s)` of a string: `""` is null; text that is not JSON stays
/// a (dynamic) string.
pub fn parse_json_text(s: &Str) -> Value {
    if s.is_empty() {
        return Value::Null;
    }
    parse_value(s).unwrap_or_else(|_| Value::String(s.clone()))
}

/// Parses one JSON value (whitespace allowed around it) into a tree.
///
/// Uses a [`Parser`] kept per thread, so keys repeated across calls are
/// shared rather than allocated again.
///
/// ```
/// use kqlite::internals::json::parse_value;
/// use kqlite::Value;
/// let v = parse_value(r#"{"verb":"get","code":200,"ratio":0.5}"#).unwrap();
/// let Value::Bag(bag) = v else { panic!() };
/// assert_eq!(bag.get("code"), Some(&Value::Int(200)));
/// assert!(parse_value("[1,]").is_err());
/// ```
pub fn parse_value(text: &str) -> Result<Value, JsonError> {
    parse_value_bytes(text.as_bytes())
}

/// [`parse_value`] on bytes (strings must still be UTF-8).
pub fn parse_value_bytes(bytes: &[u8]) -> Result<Value, JsonError> {
    thread_local! {
        static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
    }
    PARSER.with(|parser| match parser.try_borrow_mut() {
        Ok(mut parser) => parser.parse(bytes),
        // Only reachable if parsing ever called back into itself.
        Err(_) => Parser::new().parse(bytes),
    })
}

/// A reusable JSON-to-[`Value`] parser: the same result as
/// [`parse_value`], with the buffers and the string cache under the
/// caller's control.
#[derive(Default)]
pub struct Parser {
    /// Open containers, innermost last.
    frames: Vec<Frame>,
    /// The items read so far of every open array, innermost last.
    items: Vec<Value>,
    /// The members read so far of every open object, innermost last.
    members: Vec<(Str, Value)>,
    strings: StrCache,
}

/// An open container: where its items or members start on the shared
/// stacks, and for an object the key whose value is being read.
enum Frame {
    Array { start: usize },
    Object { start: usize, key: Str },
}

/// The shared stacks are trimmed back to this many entries after a call
/// that needed more, so one huge document does not pin its memory.
const KEEP_STACK: usize = 4096;

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Parses one JSON value (whitespace allowed around it) into a tree.
    pub fn parse(&mut self, bytes: &[u8]) -> Result<Value, JsonError> {
        let mut s = Scanner::new(bytes);
        let result = self.parse_at(&mut s).and_then(|value| {
            s.finish()?;
            Ok(value)
        });
        // After an error the stacks hold what was read so far.
        self.frames.clear();
        self.items.clear();
        self.members.clear();
        self.items.shrink_to(KEEP_STACK);
        self.members.shrink_to(KEEP_STACK);
        self.frames.shrink_to(MAX_TREE_DEPTH);
        result
    }

    /// Reads one value at the scanner's position.
    fn parse_at(&mut self, s: &mut Scanner<'_>) -> Result<Value, JsonError> {
        let Parser {
            frames,
            items,
            members,
            strings,
        } = self;
        'value: loop {
            let mut value = match s.peek() {
                None => return Err(JsonError::new(s.pos(), Reason::UnexpectedEnd)),
                Some(b'{') => {
                    if frames.len() >= MAX_TREE_DEPTH {
                        return Err(JsonError::new(s.pos(), Reason::TooDeep));
                    }
                    s.advance(1);
                    if s.peek() == Some(b'}') {
                        s.advance(1);
                        Value::bag(Bag::new())
                    } else {
                        let key = strings.key(s)?;
                        frames.push(Frame::Object {
                            start: members.len(),
                            key,
                        });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    if frames.len() >= MAX_TREE_DEPTH {
                        return Err(JsonError::new(s.pos(), Reason::TooDeep));
                    }
                    s.advance(1);
                    if s.peek() == Some(b']') {
                        s.advance(1);
                        Value::array(Vec::new())
                    } else {
                        frames.push(Frame::Array { start: items.len() });
                        continue 'value;
                    }
                }
                Some(b'"') => Value::String(strings.string(s)?),
                Some(b't' | b'f') => Value::Bool(s.read_bool()?),
                Some(b'n') => {
                    s.read_null()?;
                    Value::Null
                }
                Some(b'-' | b'0'..=b'9') => match s.read_number()? {
                    Number::Long(n) => integer(n),
                    Number::Real(r) => Value::Real(r),
                },
                Some(_) => return Err(JsonError::new(s.pos(), Reason::ExpectedValue)),
            };
            // `value` is complete: store it in its container, and close
            // every container it completes.
            loop {
                match frames.last_mut() {
                    None => return Ok(value),
                    Some(Frame::Array { start }) => {
                        items.push(value);
                        match s.peek() {
                            Some(b',') => {
                                s.advance(1);
                                continue 'value;
                            }
                            Some(b']') => {
                                s.advance(1);
                                let start = *start;
                                frames.pop();
                                value = Value::array(items.drain(start..).collect());
                            }
                            None => return Err(JsonError::new(s.pos(), Reason::UnexpectedEnd)),
                            Some(_) => {
                                return Err(JsonError::new(
                                    s.pos(),
                                    Reason::ExpectedCommaOrBracket,
                                ));
                            }
                        }
                    }
                    Some(Frame::Object { start, key }) => {
                        members.push((std::mem::take(key), value));
                        match s.peek() {
                            Some(b',') => {
                                s.advance(1);
                                *key = strings.key(s)?;
                                continue 'value;
                            }
                            Some(b'}') => {
                                s.advance(1);
                                let start = *start;
                                frames.pop();
                                let mut bag = Bag::with_capacity(members.len() - start);
                                for (k, v) in members.drain(start..) {
                                    bag.insert(k, v);
                                }
                                value = Value::bag(bag);
                            }
                            None => return Err(JsonError::new(s.pos(), Reason::UnexpectedEnd)),
                            Some(_) => {
                                return Err(JsonError::new(s.pos(), Reason::ExpectedCommaOrBrace));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Recently made strings, so that the keys of the next row (and short
/// values such as `"get"` or `"Event"`) are shared instead of allocated.
/// Direct-mapped: a string's hash picks one slot, and a miss replaces what
/// was there; memory stays bounded at [`StrCache::SLOTS`] short strings.
#[derive(Default)]
struct StrCache {
    slots: Vec<Option<Str>>,
}

impl StrCache {
    const SLOTS: usize = 512;
    /// Longer keys are cached up to this length…
    const MAX_KEY: usize = 64;
    /// …values only up to this one: longer values (timestamps, GUIDs,
    /// messages) rarely repeat and would only evict keys.
    const MAX_VALUE: usize = 16;

    /// Reads a member's key and the `:` after it.
    fn key(&mut self, s: &mut Scanner<'_>) -> Result<Str, JsonError> {
        let key = s.key_and_colon()?;
        Ok(self.get(key, Self::MAX_KEY))
    }

    /// Reads a string value.
    fn string(&mut self, s: &mut Scanner<'_>) -> Result<Str, JsonError> {
        let text = s.read_str_raw()?;
        Ok(self.get(text, Self::MAX_VALUE))
    }

    fn get(&mut self, text: RawStr<'_>, max_len: usize) -> Str {
        let bytes = match &text {
            RawStr::Ascii(b) => *b,
            RawStr::Text(t) => t.as_bytes(),
        };
        if bytes.len() > max_len {
            return make(text);
        }
        if self.slots.is_empty() {
            self.slots.resize(Self::SLOTS, None);
        }
        let Some(slot) = self.slots.get_mut(slot_of(bytes)) else {
            return make(text);
        };
        match slot {
            Some(cached) if cached.as_bytes() == bytes => cached.clone(),
            _ => {
                let made = make(text);
                *slot = Some(made.clone());
                made
            }
        }
    }
}

/// A [`Str`] of the text.
fn make(text: RawStr<'_>) -> Str {
    match text {
        // Plain ASCII, so the conversion cannot fail.
        RawStr::Ascii(b) => Str::new(std::str::from_utf8(b).unwrap_or_default()),
        RawStr::Text(Cow::Borrowed(t)) => Str::new(t),
        RawStr::Text(Cow::Owned(t)) => Str::from(t),
    }
}

/// A slot in `0..StrCache::SLOTS` for `bytes`: a multiplicative hash of
/// the first and last eight bytes and the length.
fn slot_of(bytes: &[u8]) -> usize {
    let n = bytes.len();
    let (head, tail) = match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(h), Some(t)) => (u64::from_le_bytes(*h), u64::from_le_bytes(*t)),
        _ => {
            let mut buf = [0u8; 8];
            for (d, b) in buf.iter_mut().zip(bytes) {
                *d = *b;
            }
            (u64::from_le_bytes(buf), 0)
        }
    };
    let h = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // The top 9 bits: 512 slots.
    (h >> 55) as usize
}

/// A JSON integer as KQL types it: `int` when it fits 32 bits, else `long`.
pub fn integer(n: i64) -> Value {
    i32::try_from(n).map_or(Value::Long(n), Value::Int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_reals_read_back_as_the_same_real() {
        for r in [
            5.0,
            -0.0,
            0.1,
            std::f64::consts::PI,
            1e300,
            1e-7,
            1e16,
            f64::MAX,
            5e-324,
        ] {
            let text = crate::value::json::to_json(&Value::Real(r));
            assert_eq!(parse_value(&text), Ok(Value::Real(r)), "{text}");
        }
    }

    fn bag(entries: &[(&str, Value)]) -> Value {
        Value::bag(
            entries
                .iter()
                .map(|(k, v)| (Str::new(k), v.clone()))
                .collect(),
        )
    }

    fn arr(items: &[Value]) -> Value {
        Value::array(items.to_vec())
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_value("null"), Ok(Value::Null));
        assert_eq!(parse_value(" true "), Ok(Value::Bool(true)));
        assert_eq!(parse_value("false"), Ok(Value::Bool(false)));
        assert_eq!(parse_value("1"), Ok(Value::Int(1)));
        assert_eq!(parse_value("-0"), Ok(Value::Int(0)));
        assert_eq!(parse_value("2147483648"), Ok(Value::Long(2_147_483_648)));
        assert_eq!(parse_value("1.0"), Ok(Value::Real(1.0)));
        assert_eq!(parse_value("1e2"), Ok(Value::Real(100.0)));
        assert_eq!(
            parse_value("12345678901234567890"),
            Ok(Value::Real(12345678901234567890.0))
        );
        assert_eq!(parse_value(r#""a\u00e9""#), Ok(Value::string("aé")));
        // Strings stay strings, whatever they look like.
        assert_eq!(
            parse_value(r#""2024-11-15T21:00:00Z""#),
            Ok(Value::string("2024-11-15T21:00:00Z"))
        );
    }

    #[test]
    fn containers() {
        assert_eq!(parse_value("[]"), Ok(arr(&[])));
        assert_eq!(parse_value("{}"), Ok(bag(&[])));
        assert_eq!(
            parse_value(r#" { "b" : [ 1 , [ ] , { } ] , "a" : { "x" : null } } "#),
            Ok(bag(&[
                ("b", arr(&[Value::Int(1), arr(&[]), bag(&[])])),
                ("a", bag(&[("x", Value::Null)])),
            ]))
        );
        assert_eq!(
            parse_value(r#"[[[1]],2,[[3,[4]]]]"#),
            Ok(arr(&[
                arr(&[arr(&[Value::Int(1)])]),
                Value::Int(2),
                arr(&[arr(&[Value::Int(3), arr(&[Value::Int(4)])])]),
            ]))
        );
    }

    #[test]
    fn keys_keep_text_order_and_last_duplicate_wins() {
        let v = parse_value(r#"{"z":1,"a":2,"z":3,"\u007a":4,"m":5}"#).unwrap();
        assert_eq!(
            v,
            bag(&[
                ("z", Value::Int(4)),
                ("a", Value::Int(2)),
                ("m", Value::Int(5))
            ])
        );
    }

    #[test]
    fn errors() {
        use Reason::*;
        let cases: &[(&str, usize, Reason)] = &[
            ("", 0, UnexpectedEnd),
            ("[1,]", 3, ExpectedValue),
            ("[1 2]", 3, ExpectedCommaOrBracket),
            ("{\"a\":1,}", 7, ExpectedKey),
            ("{\"a\" 1}", 5, ExpectedColon),
            ("{\"a\":1 \"b\":1}", 7, ExpectedCommaOrBrace),
            ("{\"a\":1", 6, UnexpectedEnd),
            ("[", 1, UnexpectedEnd),
            ("{", 1, UnexpectedEnd),
            ("[1] [2]", 4, TrailingCharacters),
            ("[01]", 2, InvalidNumber),
            ("{\"a\":[}", 6, ExpectedValue),
            ("[\"\\u00zz\"]", 2, InvalidUnicodeEscape),
            ("not json", 0, InvalidLiteral),
            ("'a'", 0, ExpectedValue),
        ];
        for &(text, offset, reason) in cases {
            assert_eq!(
                parse_value(text),
                Err(JsonError::new(offset, reason)),
                "{text}"
            );
        }
    }

    #[test]
    fn depth_limit() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse_value(&nested(MAX_TREE_DEPTH)).is_ok());
        assert_eq!(
            parse_value(&nested(MAX_TREE_DEPTH + 1)),
            Err(JsonError::new(MAX_TREE_DEPTH, Reason::TooDeep))
        );
        let objects = |n: usize| format!("{}{}", "{\"a\":".repeat(n) + "1", "}".repeat(n));
        assert!(parse_value(&objects(MAX_TREE_DEPTH)).is_ok());
        assert_eq!(
            parse_value(&objects(MAX_TREE_DEPTH + 1))
                .unwrap_err()
                .reason,
            Reason::TooDeep
        );
    }

    #[test]
    fn a_parser_can_be_reused_after_errors() {
        let mut p = Parser::new();
        let good =
            r#"{"kind":"Event","user":{"username":"bob","groups":["a","b"]},"n":[1,[2,{"k":3}]]}"#;
        let want = p.parse(good.as_bytes()).unwrap();
        for bad in [
            r#"{"kind":"Event","user":{"username":"bob","groups":["a","b"#,
            r#"[1,[2,{"k":3}"#,
            r#"{"a":[1,2,{"b":}]}"#,
        ] {
            assert!(p.parse(bad.as_bytes()).is_err());
            assert_eq!(p.parse(good.as_bytes()).unwrap(), want);
        }
        assert_eq!(parse_value(good).unwrap(), want);
    }

    #[test]
    fn the_string_cache_never_confuses_strings() {
        let mut p = Parser::new();
        // More distinct short keys and values than the cache has slots, so
        // slots are shared and replaced; twice, so the second pass hits.
        let text = |i: usize| format!(r#"{{"k{i}":"v{i}","k{i}x":"\u0076{i}"}}"#);
        for _ in 0..2 {
            for i in 0..(3 * StrCache::SLOTS) {
                let v = p.parse(text(i).as_bytes()).unwrap();
                let Value::Bag(bag) = v else { panic!() };
                assert_eq!(
                    bag.get(&format!("k{i}")),
                    Some(&Value::string(&format!("v{i}")))
                );
                assert_eq!(
                    bag.get(&format!("k{i}x")),
                    Some(&Value::string(&format!("v{i}")))
                );
            }
        }
        // Long strings bypass the cache and still come out right.
        let long = "x".repeat(100);
        let v = p
            .parse(format!(r#"{{"{long}":"{long}"}}"#).as_bytes())
            .unwrap();
        let Value::Bag(bag) = v else { panic!() };
        assert_eq!(bag.get(&long), Some(&Value::string(&long)));
    }

    #[test]
    fn hostile_depth_is_safe_on_a_2mb_stack() {
        // 2 MB is the default stack of a spawned thread. The parser needs
        // little; the recursive `Clone`, `PartialEq` and `Drop` of the
        // deepest tree it accepts take the most (about 1 MB in a debug
        // build).
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let deep = "[".repeat(1_000_000);
                let e = parse_value(&deep).unwrap_err();
                assert_eq!(e.reason, Reason::TooDeep);
                let deep = "{\"a\":".repeat(1_000_000);
                assert_eq!(parse_value(&deep).unwrap_err().reason, Reason::TooDeep);
                // The deepest accepted tree can be built, compared and dropped.
                let n = MAX_TREE_DEPTH;
                let text = format!("{}{}", "[{\"k\":".repeat(n / 2), "}]".repeat(n / 2))
                    .replace(":}", ":0}");
                let v = parse_value(&text).unwrap();
                assert_eq!(v.clone(), v);
            })
            .unwrap();
        handle.join().unwrap();
    }
}

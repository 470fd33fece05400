//! JSON text to a [`Value`] tree, typed as KQL's `parse_json` types it.
//!
//! * An integer literal (no `.`, no exponent) that fits 64 bits is
//!   [`Value::Long`]; a larger one, and any number with a fraction or an
//!   exponent, is [`Value::Real`] (±infinity beyond ±1.8e308). `-0` is the
//!   long `0`. [`Value::Int`] is never produced.
//! * Strings are [`Value::String`], never guessed into datetimes or guids.
//! * Objects are [`Value::Bag`] in text order; a repeated key takes the
//!   last value and keeps the first position ([`Bag::insert`]).
//! * Arrays are [`Value::Array`].
//!
//! The parser keeps its own stack of open containers, so it never recurses;
//! text nested deeper than [`MAX_TREE_DEPTH`] is an error
//! ([`Reason::TooDeep`]), which callers treat like any invalid JSON.

use super::scan::{Number, Scanner};
use super::{JsonError, MAX_TREE_DEPTH, Reason};
use crate::value::{Bag, Str, Value};

/// Parses one JSON value (whitespace allowed around it) into a tree.
///
/// ```
/// use kqlite::json::parse_value;
/// use kqlite::value::Value;
/// let v = parse_value(r#"{"verb":"get","code":200,"ratio":0.5}"#).unwrap();
/// let Value::Bag(bag) = v else { panic!() };
/// assert_eq!(bag.get("code"), Some(&Value::Long(200)));
/// assert!(parse_value("[1,]").is_err());
/// ```
pub fn parse_value(text: &str) -> Result<Value, JsonError> {
    parse_value_bytes(text.as_bytes())
}

/// [`parse_value`] on bytes (strings must still be UTF-8).
pub fn parse_value_bytes(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut s = Scanner::new(bytes);
    let value = parse_at(&mut s)?;
    s.finish()?;
    Ok(value)
}

/// An open container: its items so far and, for an object, the key whose
/// value is being read.
enum Frame {
    Array(Vec<Value>),
    Object(Bag, Str),
}

/// Reads one value at the scanner's position.
fn parse_at(s: &mut Scanner<'_>) -> Result<Value, JsonError> {
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        let mut value = match s.peek() {
            None => return Err(JsonError::new(s.pos(), Reason::UnexpectedEnd)),
            Some(b'{') => {
                if stack.len() >= MAX_TREE_DEPTH {
                    return Err(JsonError::new(s.pos(), Reason::TooDeep));
                }
                let mut members = s.begin_object()?;
                match s.next_key(&mut members)? {
                    None => Value::bag(Bag::new()),
                    Some(key) => {
                        stack.push(Frame::Object(Bag::new(), str_of(key)));
                        continue 'value;
                    }
                }
            }
            Some(b'[') => {
                if stack.len() >= MAX_TREE_DEPTH {
                    return Err(JsonError::new(s.pos(), Reason::TooDeep));
                }
                let mut items = s.begin_array()?;
                if s.next_element(&mut items)? {
                    stack.push(Frame::Array(Vec::new()));
                    continue 'value;
                }
                Value::array(Vec::new())
            }
            Some(b'"') => Value::String(str_of(s.read_string()?)),
            Some(b't' | b'f') => Value::Bool(s.read_bool()?),
            Some(b'n') => {
                s.read_null()?;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => match s.read_number()? {
                Number::Long(n) => Value::Long(n),
                Number::Real(r) => Value::Real(r),
            },
            Some(_) => return Err(JsonError::new(s.pos(), Reason::ExpectedValue)),
        };
        // `value` is complete: store it in its container, and close every
        // container it completes.
        loop {
            let Some(frame) = stack.pop() else {
                return Ok(value);
            };
            value = match frame {
                Frame::Array(mut items) => {
                    items.push(value);
                    match s.peek() {
                        Some(b',') => {
                            s.advance(1);
                            stack.push(Frame::Array(items));
                            continue 'value;
                        }
                        Some(b']') => {
                            s.advance(1);
                            Value::array(items)
                        }
                        None => return Err(JsonError::new(s.pos(), Reason::UnexpectedEnd)),
                        Some(_) => {
                            return Err(JsonError::new(s.pos(), Reason::ExpectedCommaOrBracket));
                        }
                    }
                }
                Frame::Object(mut bag, key) => {
                    bag.insert(key, value);
                    match s.peek() {
                        Some(b',') => {
                            s.advance(1);
                            let key = str_of(s.key_and_colon()?);
                            stack.push(Frame::Object(bag, key));
                            continue 'value;
                        }
                        Some(b'}') => {
                            s.advance(1);
                            Value::bag(bag)
                        }
                        None => return Err(JsonError::new(s.pos(), Reason::UnexpectedEnd)),
                        Some(_) => {
                            return Err(JsonError::new(s.pos(), Reason::ExpectedCommaOrBrace));
                        }
                    }
                }
            };
        }
    }
}

fn str_of(text: std::borrow::Cow<'_, str>) -> Str {
    match text {
        std::borrow::Cow::Borrowed(s) => Str::new(s),
        std::borrow::Cow::Owned(s) => Str::from(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(parse_value("1"), Ok(Value::Long(1)));
        assert_eq!(parse_value("-0"), Ok(Value::Long(0)));
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
                ("b", arr(&[Value::Long(1), arr(&[]), bag(&[])])),
                ("a", bag(&[("x", Value::Null)])),
            ]))
        );
        assert_eq!(
            parse_value(r#"[[[1]],2,[[3,[4]]]]"#),
            Ok(arr(&[
                arr(&[arr(&[Value::Long(1)])]),
                Value::Long(2),
                arr(&[arr(&[Value::Long(3), arr(&[Value::Long(4)])])]),
            ]))
        );
    }

    #[test]
    fn keys_keep_text_order_and_last_duplicate_wins() {
        let v = parse_value(r#"{"z":1,"a":2,"z":3,"\u007a":4,"m":5}"#).unwrap();
        assert_eq!(
            v,
            bag(&[
                ("z", Value::Long(4)),
                ("a", Value::Long(2)),
                ("m", Value::Long(5))
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

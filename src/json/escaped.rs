//! JSON text read where it lies, still escaped inside a JSON string.
//!
//! `parse_json(log_s).user.username` reads a column whose value is a JSON
//! *string* holding a whole JSON event (`"{\"kind\":\"Event\",…}"`). The
//! plain way is two passes over the ~2 KB event: unescape it into a buffer,
//! then check the buffer as JSON (KQL's `parse_json` needs the whole event
//! valid before any member is read). [`index_object`] does both at once:
//! it checks the event by walking its escaped bytes, and records where each
//! top-level member's value lies *in those bytes*; only the value a path
//! reads is then unescaped ([`unescape`]), a few dozen bytes.
//!
//! It is a fast path, not a second parser to trust: it answers only for
//! text in the shape encoders write (an object whose structure and inner
//! escapes are spelled with the usual one-character escapes), and it
//! answers only "valid, and here are the members". For anything else —
//! invalid JSON, nesting past [`MAX_TREE_DEPTH`], a `\u` escape of the
//! outer string, a top-level key with an escape, not an object — it gives
//! `None` and the caller takes the two-pass path, which decides. So when it
//! answers, the answer is the one the two passes give (property-tested
//! against them in `tests/it/json_props.rs`).
//!
//! How inner text is spelled in the outer string (`T` the event, `S` the
//! outer string's bytes between its quotes):
//!
//! | T | S |
//! |---|---|
//! | `"` (a string's quote) | `\"` |
//! | `\"` `\\` `\/` (escapes inside an inner string) | `\\\"` `\\\\` `\\/` or `\\\/` |
//! | `\n` `\uXXXX` … (other inner escapes) | `\\n` `\\uXXXX` |
//! | newline, tab, CR (whitespace between tokens) | `\n` `\t` `\r` |
//! | `/` | `/` or `\/` |
//! | anything else | itself |

use std::ops::Range;

use super::scan::{literal_at, next_special, skip_non_ascii, skip_number_at};
use super::{MAX_TREE_DEPTH, block};

/// The members of an object found by [`index_object`]: for each, in order,
/// the range of its key's text and of its (still escaped) value, both in
/// the escaped bytes.
pub(crate) type Members = Vec<(Range<usize>, Range<usize>)>;

/// Checks that `s` — the bytes of a JSON string between its quotes —
/// unescapes to a JSON object that `parse_json` accepts, and finds its
/// top-level members. `None`: not answered here (see the module docs);
/// the caller unescapes and checks the text itself.
pub(crate) fn index_object(s: &[u8]) -> Option<Members> {
    let mut members = Vec::with_capacity(16);
    let end = index_at(s, 0, &mut members)?;
    (end == s.len()).then_some(members)
}

/// [`index_object`] on a JSON string token as it lies in a line, in the
/// same walk that finds where the string ends: `start` is just after its
/// opening quote. Returns the offset after its closing quote, with
/// `members` (cleared first) filled; `None` when [`index_object`] would
/// give `None` for the string's bytes, or the string is not valid (the
/// caller then skips it as usual, which decides). The walk never passes
/// an unescaped quote, so the quote it stops at is the one that ends the
/// string.
pub(crate) fn index_string_at(line: &[u8], start: usize, members: &mut Members) -> Option<usize> {
    members.clear();
    let end = index_at(line, start, members)?;
    (line.get(end) == Some(&b'"')).then_some(end + 1)
}

/// The walk of [`index_object`] from `pos`: returns the offset after the
/// object and the whitespace after it.
#[inline]
fn index_at(s: &[u8], mut pos: usize, members: &mut Members) -> Option<usize> {
    pos = ws(s, pos);
    if s.get(pos) != Some(&b'{') {
        return None;
    }
    pos = ws(s, pos + 1);
    if s.get(pos) == Some(&b'}') {
        pos += 1;
    } else {
        loop {
            if s.get(pos..pos + 2) != Some(b"\\\"") {
                return None;
            }
            let key_start = pos + 2;
            let after = skip_string(s, key_start)?;
            let key = key_start..after - 2;
            // A key spelled with an escape (rare) is left to the two passes.
            if s.get(key.clone())?.contains(&b'\\') {
                return None;
            }
            pos = ws(s, after);
            if s.get(pos) != Some(&b':') {
                return None;
            }
            pos = ws(s, pos + 1);
            let value_start = pos;
            // The root is one level; its members may nest one less.
            pos = skip_value(s, pos, MAX_TREE_DEPTH - 1)?;
            members.push((key, value_start..pos));
            pos = ws(s, pos);
            match s.get(pos)? {
                b',' => pos = ws(s, pos + 1),
                b'}' => {
                    pos += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    Some(ws(s, pos))
}

/// Appends the unescaped text of `s` (escaped bytes of a JSON string, or a
/// part of them that starts and ends outside an escape) to `out`. Escapes
/// [`index_object`] accepted decode exactly; a `\u` escape (which it never
/// accepts) or a broken escape gives `None`.
pub(crate) fn unescape(s: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut pos = 0;
    while let Some(n) = s.get(pos..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        out.extend_from_slice(s.get(pos..pos + n)?);
        let at = pos + n;
        out.push(match s.get(at + 1)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => return None,
        });
        pos = at + 2;
    }
    out.extend_from_slice(s.get(pos..)?);
    Some(())
}

/// Skips whitespace of the inner text: a space, or the outer escapes of a
/// newline, tab or CR.
#[inline(always)]
fn ws(s: &[u8], mut pos: usize) -> usize {
    loop {
        match s.get(pos) {
            Some(b' ') => pos += 1,
            Some(b'\\') if matches!(s.get(pos + 1), Some(b'n' | b't' | b'r')) => pos += 2,
            _ => return pos,
        }
    }
}

/// Skips the rest of an inner string (`pos` just after its opening `\"`);
/// returns the offset after its closing `\"`. After the first escape, the
/// rest is searched 64 bytes at a time ([`block::find_end`] in
/// [`Mode::Escaped`](block::Mode::Escaped)); a block that needs a closer
/// look is walked here byte-wise, so the answer is the same either way.
#[inline]
fn skip_string(s: &[u8], pos: usize) -> Option<usize> {
    skip_string_with::<true>(s, pos)
}

/// [`skip_string`], with (`BLOCKS`) or without the block search; the
/// byte-wise walk alone is the reference the block search is tested
/// against.
#[inline(always)]
pub(crate) fn skip_string_with<const BLOCKS: bool>(s: &[u8], mut pos: usize) -> Option<usize> {
    // The block search is not asked again before the byte-wise walk has
    // passed a block it handed back.
    let mut resume = 0;
    loop {
        let (at, b) = next_special(s, pos)?;
        match b {
            b'\\' => {
                pos = match *s.get(at + 1)? {
                    b'"' => return Some(at + 2),
                    b'/' => at + 2,
                    // An escape of the inner string; what follows is its
                    // escaped character.
                    b'\\' => match *s.get(at + 2)? {
                        b'\\' => match *s.get(at + 3)? {
                            b'"' | b'\\' | b'/' => at + 4,
                            _ => return None,
                        },
                        b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at + 3,
                        b'u' => {
                            let hex = s.get(at + 3..at + 7)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            at + 7
                        }
                        _ => return None,
                    },
                    // `\n`, `\t`, … put a raw control character in the
                    // inner string (invalid); `\u` is left to the two passes.
                    _ => return None,
                };
                if BLOCKS && pos >= resume {
                    match block::find_end(s, pos, block::Mode::Escaped) {
                        block::Found::Quote(at) => return Some(at + 1),
                        block::Found::Scalar { from, until } => {
                            resume = until;
                            pos = from;
                        }
                    }
                }
            }
            0x80.. => pos = skip_non_ascii(s, at).ok()?,
            // A raw quote or control byte: the outer string is not valid.
            _ => return None,
        }
    }
}

/// Skips the key at `pos` (after whitespace), the whitespace and the `:`
/// after it, and the whitespace after that.
#[inline]
fn key_colon(s: &[u8], pos: usize) -> Option<usize> {
    if s.get(pos..pos + 2) != Some(b"\\\"") {
        return None;
    }
    let pos = ws(s, skip_string(s, pos + 2)?);
    (s.get(pos) == Some(&b':')).then(|| ws(s, pos + 1))
}

/// Which containers are open, one bit per level (1: object).
struct Open {
    bits: [u64; MAX_TREE_DEPTH / 64 + 1],
    depth: usize,
}

impl Open {
    fn push(&mut self, object: bool) -> Option<()> {
        let word = self.bits.get_mut(self.depth / 64)?;
        let bit = 1u64 << (self.depth % 64);
        if object {
            *word |= bit;
        } else {
            *word &= !bit;
        }
        self.depth += 1;
        Some(())
    }

    /// Whether the innermost open container is an object; `None` when none
    /// is open.
    fn top(&self) -> Option<bool> {
        let level = self.depth.checked_sub(1)?;
        let word = self.bits.get(level / 64)?;
        Some(word >> (level % 64) & 1 == 1)
    }
}

/// Skips one inner value at `pos` (whitespace before it allowed), at most
/// `max_depth` containers deep, as the two-pass check does; returns the
/// offset after it.
fn skip_value(s: &[u8], mut pos: usize, max_depth: usize) -> Option<usize> {
    let mut open = Open {
        bits: [0; MAX_TREE_DEPTH / 64 + 1],
        depth: 0,
    };
    'value: loop {
        pos = ws(s, pos);
        match *s.get(pos)? {
            b'\\' if s.get(pos + 1) == Some(&b'"') => pos = skip_string(s, pos + 2)?,
            b @ (b'{' | b'[') => {
                if open.depth >= max_depth {
                    return None;
                }
                let object = b == b'{';
                pos = ws(s, pos + 1);
                if s.get(pos) == Some(if object { &b'}' } else { &b']' }) {
                    pos += 1;
                } else {
                    open.push(object)?;
                    if object {
                        pos = key_colon(s, pos)?;
                    }
                    continue 'value;
                }
            }
            b't' => pos = literal_at(s, pos, b"true").ok()?,
            b'f' => pos = literal_at(s, pos, b"false").ok()?,
            b'n' => pos = literal_at(s, pos, b"null").ok()?,
            b'-' | b'0'..=b'9' => pos = skip_number_at(s, pos).ok()?.0,
            _ => return None,
        }
        // A value is complete: close what it completes, or go on to the
        // next element or member.
        loop {
            let Some(object) = open.top() else {
                return Some(pos);
            };
            pos = ws(s, pos);
            match *s.get(pos)? {
                b',' => {
                    pos = ws(s, pos + 1);
                    if object {
                        pos = key_colon(s, pos)?;
                    }
                    continue 'value;
                }
                b'}' if object => {
                    pos += 1;
                    open.depth -= 1;
                }
                b']' if !object => {
                    pos += 1;
                    open.depth -= 1;
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes of `text` as a JSON string writes them, between the quotes.
    fn escape(text: &str) -> Vec<u8> {
        let quoted = serde_json::to_string(text).unwrap();
        quoted.as_bytes()[1..quoted.len() - 1].to_vec()
    }

    fn members(text: &str) -> Option<Vec<(String, String)>> {
        let s = escape(text);
        let found = index_object(&s)?;
        Some(
            found
                .into_iter()
                .map(|(k, v)| {
                    let mut value = Vec::new();
                    unescape(&s[v], &mut value).unwrap();
                    (
                        String::from_utf8(s[k].to_vec()).unwrap(),
                        String::from_utf8(value).unwrap(),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn finds_members_of_an_escaped_event() {
        let event = "{\"verb\":\"get\", \"user\":{\"username\":\"a\\\"b\",\"groups\":[\"x\\\\y\",\"\\u00e9\\ud83d\\ude00\"]},\n\t\"n\":-1.5e3,\"ok\":[true,false,null],\"p\":\"a/b\\/c\\n\",\"e\":{}, \"z\":[]}\r\n";
        let got = members(event).unwrap();
        let want = [
            ("verb", "\"get\""),
            (
                "user",
                "{\"username\":\"a\\\"b\",\"groups\":[\"x\\\\y\",\"\\u00e9\\ud83d\\ude00\"]}",
            ),
            ("n", "-1.5e3"),
            ("ok", "[true,false,null]"),
            ("p", "\"a/b\\/c\\n\""),
            ("e", "{}"),
            ("z", "[]"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (&**k, &**v)).collect();
        assert_eq!(got, want);
        assert_eq!(members("{}").unwrap(), vec![]);
        assert_eq!(members(" { } ").unwrap(), vec![]);
    }

    #[test]
    fn leaves_the_rest_to_the_two_passes() {
        for text in [
            "",
            "  ",
            "[1]",
            "\"s\"",
            "{\"a\":1",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "{\"a\":\"\\q\"}",
            "{\"a\":\"\\u12G4\"}",
            "{\"a\":\"raw\nnewline\"}",
            "{\"a\":tru}",
            "{\"a\":01}",
            "{\"a\u{0c}\":1}",
            "{\"k\\u0065y\":1}",
            "{\"a\" 1}",
            "{\"a\":[1 2]}",
        ] {
            assert_eq!(members(text), None, "{text:?}");
        }
        // A `\u` escape of the outer string, and a raw quote.
        assert_eq!(index_object(br#"{\u0022a\":1}"#), None);
        assert_eq!(index_object(br#"{"a":1}"#), None);
        assert_eq!(index_object(br#"{\"a\":1}\"#), None);
    }

    #[test]
    fn depth_limit_is_parse_json_s() {
        use crate::json::parse_value;
        for depth in [MAX_TREE_DEPTH - 1, MAX_TREE_DEPTH, MAX_TREE_DEPTH + 1] {
            let text = format!(
                "{{\"a\":{}{}}}",
                "[".repeat(depth - 1),
                "]".repeat(depth - 1)
            );
            assert_eq!(
                members(&text).is_some(),
                parse_value(&text).is_ok(),
                "{depth}"
            );
        }
    }
}

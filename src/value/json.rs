//! A [`Value`] as compact JSON, the way `tostring()` of a dynamic prints it.
//!
//! * No spaces: `{"a":1,"b":[1,2]}`; bag keys in bag order.
//! * Strings escape `"`, `\` and control characters only (`\n`, `\t`,
//!   `\r`, `\b`, `\f`, others as `\u001f`); `/` and non-ASCII text are
//!   written as they are.
//! * `int` and `long` as integers. A `real` in Rust's shortest form that
//!   reads back to the same number, always with a `.` or an exponent so
//!   that it reads back as a real: `5.0`, `0.1`, `1e300`, `1e-7`. NaN and
//!   the infinities, which JSON lacks, as the strings `"NaN"`,
//!   `"Infinity"`, `"-Infinity"`.
//! * `datetime`, `timespan` and `guid` as JSON strings of their usual text
//!   (`"2024-11-15T21:00:00.1545349Z"`, `"00:00:02"`).
//!
//! Writing is iterative, so a tree of any depth can be written.
//!
//! The search for the next byte a JSON string must escape or stop at
//! (`find_special`) lives here, on the value floor, and is shared with
//! the JSON scanner ([`crate::json::Scanner`]), which sits above it.

use std::fmt::Write as _;

use crate::value::{Str, Value};

/// Appends `value` as compact JSON to `out`.
///
/// ```
/// use kqlite::internals::json::parse_value;
/// use kqlite::internals::value::json::write_value;
/// let v = parse_value(r#"{ "a" : 1, "b" : [ 1.0, "x/y" ] }"#).unwrap();
/// let mut out = String::new();
/// write_value(&v, &mut out);
/// assert_eq!(out, r#"{"a":1,"b":[1.0,"x/y"]}"#);
/// ```
pub fn write_value(value: &Value, out: &mut String) {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut next = Some(value);
    loop {
        if let Some(v) = next.take() {
            match v {
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Frame::Array(items.iter(), true));
                }
                Value::Bag(bag) => {
                    out.push('{');
                    stack.push(Frame::Bag(Box::new(bag.iter()), true));
                }
                scalar => write_scalar(scalar, out),
            }
        }
        let Some(top) = stack.last_mut() else {
            return;
        };
        match top {
            Frame::Array(items, first) => match items.next() {
                Some(item) => {
                    if !std::mem::take(first) {
                        out.push(',');
                    }
                    next = Some(item);
                }
                None => {
                    out.push(']');
                    stack.pop();
                }
            },
            Frame::Bag(members, first) => match members.next() {
                Some((key, item)) => {
                    if !std::mem::take(first) {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    next = Some(item);
                }
                None => {
                    out.push('}');
                    stack.pop();
                }
            },
        }
    }
}

/// `value` as compact JSON.
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// An open container being written, and whether nothing of it has been
/// written yet.
enum Frame<'v> {
    Array(std::slice::Iter<'v, Value>, bool),
    Bag(Box<dyn Iterator<Item = (&'v Str, &'v Value)> + 'v>, bool),
}

fn write_scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Long(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Real(r) => write_real(*r, out),
        Value::Decimal(d) => {
            let _ = write!(out, "{}", d.normalize());
        }
        Value::DateTime(t) => {
            let _ = write!(out, "\"{t}\"");
        }
        Value::Timespan(t) => {
            let _ = write!(out, "\"{t}\"");
        }
        Value::Guid(g) => {
            let _ = write!(out, "\"{g}\"");
        }
        Value::String(s) => write_string(s, out),
        // Containers are written by `write_value`; this keeps the match
        // total without recursion.
        Value::Array(_) | Value::Bag(_) => write_value(value, out),
    }
}

fn write_real(r: f64, out: &mut String) {
    if r.is_nan() {
        out.push_str("\"NaN\"");
    } else if r.is_infinite() {
        out.push_str(if r > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
    } else {
        // `Debug` is the shortest text that reads back exactly, keeps `.0`
        // on whole numbers and switches to an exponent for very large or
        // small magnitudes (`1e300`, `1e-7`): all valid JSON numbers.
        let _ = write!(out, "{r:?}");
    }
}

/// Appends `s` as a JSON string literal (quoted, minimally escaped).
pub fn write_string(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    loop {
        let i = find_special::<false>(bytes, start);
        // `i` is at an ASCII byte or the end, so both cuts are char
        // boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        let Some(&b) = bytes.get(i) else {
            break;
        };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        start = i + 1;
    }
    out.push('"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Marks (in the byte's top bit) each byte of `w` that is `"`, `\`, below
/// 0x20, or (with `HIGH`) at least 0x80. Only the lowest marked byte is
/// exact: a subtraction's borrow can also mark bytes above a true mark,
/// which is harmless because callers only want the first.
#[inline(always)]
pub(crate) fn special_mask<const HIGH: bool>(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q;
    let b = w ^ (ONES * u64::from(b'\\'));
    let backslash = b.wrapping_sub(ONES) & !b;
    let mut marks = control | quote | backslash;
    if HIGH {
        marks |= w;
    }
    marks & HIGHS
}

#[inline(always)]
fn is_special<const HIGH: bool>(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20 || (HIGH && b >= 0x80)
}

/// The offset of the first byte at or after `pos` that is `"`, `\`, a
/// control byte, or (with `HIGH`) a non-ASCII byte; `bytes.len()` if none.
///
/// Most runs are short (a key, a timestamp, the text between two `\"` in
/// an encoded audit event), so the first 32 bytes are tested a word at a
/// time in registers; a longer run goes to [`find_special_long`]. Measured
/// on the bench sample, words alone run at ~2 GB/s on short runs where
/// `memchr2` reaches only ~0.95 GB/s (call overhead), and `memchr2` at
/// ~13 GB/s on long runs where words give ~5 GB/s: this takes the best of
/// both.
#[inline(always)]
pub(crate) fn find_special<const HIGH: bool>(bytes: &[u8], mut pos: usize) -> usize {
    for _ in 0..WORDS_BEFORE_MEMCHR {
        let Some(chunk) = bytes.get(pos..).and_then(|r| r.first_chunk::<8>()) else {
            return find_special_tail::<HIGH>(bytes, pos);
        };
        let marks = special_mask::<HIGH>(u64::from_le_bytes(*chunk));
        if marks != 0 {
            return pos + (marks.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    find_special_long::<HIGH>(bytes, pos)
}

/// How many words [`find_special`] tests before it hands over to `memchr2`.
pub(crate) const WORDS_BEFORE_MEMCHR: usize = 4;

/// [`find_special`] for the last few (fewer than eight) bytes.
#[inline]
pub(crate) fn find_special_tail<const HIGH: bool>(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if is_special::<HIGH>(b) {
            return pos;
        }
        pos += 1;
    }
    pos
}

/// [`find_special`] for a long run: `memchr2` finds the next `"` or `\`,
/// then one vectorised pass over the run looks for control (and, with
/// `HIGH`, non-ASCII) bytes.
#[inline(never)]
pub(crate) fn find_special_long<const HIGH: bool>(bytes: &[u8], pos: usize) -> usize {
    let rest = bytes.get(pos..).unwrap_or_default();
    let end = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
    let run = rest.get(..end).unwrap_or_default();
    // `b - 0x20 > 0x5f` is `b < 0x20 || b >= 0x80` in one comparison.
    let odd = run.iter().fold(false, |acc, &b| {
        acc | if HIGH {
            b.wrapping_sub(0x20) > 0x5f
        } else {
            b < 0x20
        }
    });
    if odd {
        pos + run
            .iter()
            .position(|&b| is_special::<HIGH>(b))
            .unwrap_or(end)
    } else {
        pos + end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Bag, DateTime, Guid, Timespan};

    fn json(v: &Value) -> String {
        to_json(v)
    }

    #[test]
    fn scalars() {
        assert_eq!(json(&Value::Null), "null");
        assert_eq!(json(&Value::Bool(true)), "true");
        assert_eq!(json(&Value::Bool(false)), "false");
        assert_eq!(json(&Value::Int(-7)), "-7");
        assert_eq!(json(&Value::Long(i64::MIN)), "-9223372036854775808");
        assert_eq!(
            json(&Value::DateTime(DateTime(DateTime::UNIX_EPOCH_TICKS))),
            "\"1970-01-01T00:00:00.0000000Z\""
        );
        assert_eq!(json(&Value::Timespan(Timespan(20_000_000))), "\"00:00:02\"");
        let g = Guid::parse("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635").unwrap();
        assert_eq!(
            json(&Value::Guid(g)),
            "\"8e3af657-a8ff-443c-a75c-2fe8c4bcb635\""
        );
    }

    #[test]
    fn reals() {
        let cases = [
            (5.0, "5.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (118.0, "118.0"),
            (std::f64::consts::PI, "3.141592653589793"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e300, "1e300"),
            (1e-7, "1e-7"),
            (-2.5e-10, "-2.5e-10"),
            (1e16, "1e16"),
            (123_456_789_012_345.0, "123456789012345.0"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (f64::NAN, "\"NaN\""),
            (f64::INFINITY, "\"Infinity\""),
            (f64::NEG_INFINITY, "\"-Infinity\""),
        ];
        for (r, text) in cases {
            assert_eq!(json(&Value::Real(r)), text);
        }
    }

    #[test]
    fn strings_escape_minimally() {
        let s = |t: &str| json(&Value::string(t));
        assert_eq!(s(""), r#""""#);
        assert_eq!(s("plain"), r#""plain""#);
        assert_eq!(s("a/b"), r#""a/b""#);
        assert_eq!(s("café 中 😀"), "\"café 中 😀\"");
        assert_eq!(s("q\"b\\"), r#""q\"b\\""#);
        assert_eq!(s("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(s("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        assert_eq!(s("\u{2028}"), "\"\u{2028}\"");
    }

    #[test]
    fn containers_are_compact_and_ordered() {
        let mut inner = Bag::new();
        inner.insert("z".into(), Value::Long(1));
        inner.insert("a".into(), Value::array(vec![]));
        let mut bag = Bag::new();
        bag.insert(
            "b".into(),
            Value::array(vec![Value::Long(1), Value::Real(2.0)]),
        );
        bag.insert("a\"".into(), Value::bag(inner));
        bag.insert("e".into(), Value::bag(Bag::new()));
        assert_eq!(
            json(&Value::bag(bag)),
            r#"{"b":[1,2.0],"a\"":{"z":1,"a":[]},"e":{}}"#
        );
        assert_eq!(
            json(&Value::array(vec![
                Value::Long(1),
                Value::string("2"),
                Value::Timespan(Timespan(20_000_000))
            ])),
            r#"[1,"2","00:00:02"]"#
        );
    }

    #[test]
    fn deep_trees_are_written_iteratively() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let depth = 100_000;
                let mut v = Value::Long(0);
                for _ in 0..depth {
                    v = Value::array(vec![v]);
                }
                let text = json(&v);
                assert_eq!(text.len(), 2 * depth + 1);
                // Dismantle without recursion so dropping cannot overflow.
                while let Value::Array(items) = v {
                    v = std::sync::Arc::try_unwrap(items)
                        .map(|mut items| items.pop().unwrap_or_default())
                        .unwrap_or_default();
                }
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for len in 0..100 {
            for special in [b'"', b'\\', 0x1f, 0x00, 0x80, 0xff] {
                for at in 0..len {
                    let mut v = vec![b'a'; len];
                    v[at] = special;
                    assert_eq!(find_special::<true>(&v, 0), at);
                    let expect_plain = if special >= 0x80 { len } else { at };
                    assert_eq!(find_special::<false>(&v, 0), expect_plain);
                    // Bytes after the first special ones must not matter.
                    if at + 1 < len {
                        v[at + 1] = 0;
                        assert_eq!(find_special::<true>(&v, 0), at);
                    }
                }
                assert_eq!(find_special::<true>(&vec![b' '; len], 0), len);
            }
        }
        // Bytes that sit next to the special ones in value.
        let near = [b'!', b'#', b'[', b']', 0x20, 0x7f, b'~'];
        assert_eq!(find_special::<true>(&near, 0), near.len());
    }
}

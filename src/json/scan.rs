//! A validating cursor over JSON bytes.
//!
//! [`Scanner`] reads JSON one token at a time and checks everything it moves
//! over: skipping a value ([`Scanner::skip_value`]) validates it completely,
//! without decoding strings or numbers and without recursion (one bit per
//! open array or object). Strings are searched for the bytes that need
//! attention (`"`, `\`, control bytes, and non-ASCII bytes when UTF-8 must
//! be checked) eight bytes at a time in registers, and with `memchr2` once
//! a run is long; never byte by byte.
//!
//! The free functions in this file work on `(bytes, position)` pairs so the
//! hot loops keep the position in a register; [`Scanner`] wraps them.

use std::borrow::Cow;

use super::{JsonError, MAX_SKIP_DEPTH, Reason, block};
use crate::value::json::{
    WORDS_BEFORE_MEMCHR, find_special, find_special_long, find_special_tail, special_mask,
};

/// The six kinds of JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonKind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl JsonKind {
    /// The kind of the value that starts with byte `b`, if one can.
    pub fn from_first_byte(b: u8) -> Option<JsonKind> {
        Some(match b {
            b'n' => JsonKind::Null,
            b't' | b'f' => JsonKind::Bool,
            b'-' | b'0'..=b'9' => JsonKind::Number,
            b'"' => JsonKind::String,
            b'[' => JsonKind::Array,
            b'{' => JsonKind::Object,
            _ => return None,
        })
    }

    /// The kind of the value in `raw` (leading whitespace allowed), judged
    /// by its first byte only: this does not validate.
    pub fn of(raw: &[u8]) -> Option<JsonKind> {
        raw.get(skip_ws_at(raw, 0))
            .and_then(|&b| JsonKind::from_first_byte(b))
    }
}

/// A JSON number, typed as KQL types it: an integer literal (no fraction,
/// no exponent) that fits 64 bits is a `Long`; anything else is a `Real`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Long(i64),
    Real(f64),
}

/// Where an iteration over an object's members or an array's elements
/// stands; see [`Scanner::begin_object`] and [`Scanner::begin_array`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seq {
    state: SeqState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SeqState {
    First,
    Rest,
    Done,
}

impl Seq {
    fn new() -> Seq {
        Seq {
            state: SeqState::First,
        }
    }

    /// True once the closing bracket has been read.
    pub fn is_done(&self) -> bool {
        self.state == SeqState::Done
    }
}

/// A string as [`Scanner::read_str_raw`] returns it.
pub(crate) enum RawStr<'a> {
    /// Printable ASCII without escapes: valid UTF-8 as it is.
    Ascii(&'a [u8]),
    Text(Cow<'a, str>),
}

/// A validating cursor over JSON text.
///
/// The position only moves forward over what was read and checked. On an
/// error the position is unspecified (somewhere at or before the error);
/// the [`JsonError`] carries the offset.
///
/// ```
/// use kqlite::internals::json::Scanner;
/// let mut s = Scanner::new(br#" {"verb": "get", "code": 200} "#);
/// let mut members = s.begin_object().unwrap();
/// while let Some(key) = s.next_key(&mut members).unwrap() {
///     if key == "code" {
///         println!("{:?}", s.read_number().unwrap());
///     } else {
///         s.skip_value().unwrap();
///     }
/// }
/// s.finish().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(bytes: &'a [u8]) -> Scanner<'a> {
        Scanner { bytes, pos: 0 }
    }

    /// The whole input.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The current byte offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// What is left from the current offset.
    pub fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Moves past whitespace (space, tab, CR, LF).
    #[inline]
    pub fn skip_ws(&mut self) {
        self.pos = skip_ws_at(self.bytes, self.pos);
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes.get(self.pos).copied()
    }

    /// Skips whitespace and says which kind of value starts here (judged
    /// by its first byte; nothing is consumed).
    pub fn peek_kind(&mut self) -> Result<JsonKind, JsonError> {
        match self.peek() {
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(b) => JsonKind::from_first_byte(b).ok_or(self.error(Reason::ExpectedValue)),
        }
    }

    /// Checks that only whitespace is left.
    pub fn finish(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error(Reason::TrailingCharacters)),
        }
    }

    /// True when only whitespace is left.
    pub fn is_at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    fn error(&self, reason: Reason) -> JsonError {
        JsonError::new(self.pos, reason)
    }

    /// Skips (and validates) one value of any kind, with leading
    /// whitespace, allowing [`MAX_SKIP_DEPTH`] levels of nesting.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        self.skip_value_limited(MAX_SKIP_DEPTH)
    }

    /// Skips (and validates) one value, allowing `max_depth` levels of
    /// arrays and objects (`0` allows only scalars; `[[]]` needs `2`).
    pub fn skip_value_limited(&mut self, max_depth: usize) -> Result<(), JsonError> {
        self.pos = skip_value_at(self.bytes, self.pos, max_depth)?;
        Ok(())
    }

    /// Skips one value like [`Scanner::skip_value_limited`] and returns its
    /// bytes, without the whitespace before it.
    pub fn value_bytes(&mut self, max_depth: usize) -> Result<&'a [u8], JsonError> {
        self.skip_ws();
        let start = self.pos;
        self.skip_value_limited(max_depth)?;
        Ok(self.bytes.get(start..self.pos).unwrap_or_default())
    }

    /// Reads a string and returns its text: borrowed from the input when it
    /// holds no escapes, decoded otherwise. Lone surrogate escapes
    /// (`"\ud800"`) decode to U+FFFD.
    pub fn read_string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.expect_quote()?;
        let (text, end) = read_string_at(self.bytes, self.pos + 1)?;
        self.pos = end;
        Ok(text)
    }

    /// Reads a string's text as [`Scanner::read_string`] does, as bytes
    /// (always UTF-8): borrowed when it has no escapes, otherwise decoded
    /// into `buf` (cleared first), which is handed back as the text, so a
    /// caller that returns the buffer line after line allocates none. On an
    /// error `buf` comes back, its contents unspecified.
    pub fn read_string_bytes(&mut self, mut buf: Vec<u8>) -> Result<Cow<'a, [u8]>, Vec<u8>> {
        if self.expect_quote().is_err() {
            return Err(buf);
        }
        let pos = self.pos + 1;
        let i = find_special::<false>(self.bytes, pos);
        match self.bytes.get(i) {
            Some(b'"') => match utf8(self.bytes, pos, i) {
                Ok(text) => {
                    self.pos = i + 1;
                    Ok(Cow::Borrowed(text.as_bytes()))
                }
                Err(_) => Err(buf),
            },
            Some(b'\\') => {
                buf.clear();
                match decode_bytes_at(self.bytes, pos, &mut buf) {
                    Ok(end) => {
                        self.pos = end;
                        Ok(Cow::Owned(buf))
                    }
                    Err(_) => Err(buf),
                }
            }
            _ => Err(buf),
        }
    }

    /// Reads a string and appends its decoded text to `out`.
    pub fn read_string_into(&mut self, out: &mut String) -> Result<(), JsonError> {
        out.push_str(&self.read_string()?);
        Ok(())
    }

    /// Reads a string and appends its decoded text, as UTF-8 bytes, to
    /// `out`: the fastest way to unescape, and with a reused buffer it
    /// never allocates. What is appended is always valid UTF-8; on an
    /// error nothing is appended.
    ///
    /// This is the first half of `parse_json(log_s).verb`: decode `log_s`
    /// into a buffer, then look into the buffer with
    /// [`get_member`](super::get_member).
    pub fn read_string_bytes_into(&mut self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        self.expect_quote()?;
        let start = out.len();
        match decode_bytes_at(self.bytes, self.pos + 1, out) {
            Ok(end) => {
                self.pos = end;
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    /// Skips (and validates) a string without decoding it.
    pub fn skip_string(&mut self) -> Result<(), JsonError> {
        self.expect_quote()?;
        self.pos = skip_string_at(self.bytes, self.pos + 1)?;
        Ok(())
    }

    fn expect_quote(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'"') => Ok(()),
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => Err(self.error(Reason::ExpectedString)),
        }
    }

    /// Reads a number: [`Number::Long`] for an integer literal that fits 64
    /// bits, [`Number::Real`] otherwise (beyond ±1.8e308 that is ±infinity).
    pub fn read_number(&mut self) -> Result<Number, JsonError> {
        self.skip_ws();
        let start = self.pos;
        let (end, integer) = skip_number_at(self.bytes, start)?;
        self.pos = end;
        let text = self.bytes.get(start..end).unwrap_or_default();
        number_from_text(text, integer).ok_or(JsonError::new(start, Reason::InvalidNumber))
    }

    /// Skips (and validates) a number.
    pub fn skip_number(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        self.pos = skip_number_at(self.bytes, self.pos)?.0;
        Ok(())
    }

    /// Reads `true` or `false`.
    pub fn read_bool(&mut self) -> Result<bool, JsonError> {
        match self.peek() {
            Some(b't') => {
                self.pos = literal_at(self.bytes, self.pos, b"true")?;
                Ok(true)
            }
            Some(b'f') => {
                self.pos = literal_at(self.bytes, self.pos, b"false")?;
                Ok(false)
            }
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => Err(self.error(Reason::InvalidLiteral)),
        }
    }

    /// Reads `null`.
    pub fn read_null(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => {
                self.pos = literal_at(self.bytes, self.pos, b"null")?;
                Ok(())
            }
        }
    }

    /// Reads the `{` that opens an object. Then call
    /// [`Scanner::next_key`] until it returns `None`, reading or skipping
    /// each member's value in between.
    pub fn begin_object(&mut self) -> Result<Seq, JsonError> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                Ok(Seq::new())
            }
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => Err(self.error(Reason::NotAnObject)),
        }
    }

    /// Reads the next member's key and the `:` after it, or the closing `}`
    /// (then `None`, and `None` again on later calls). The member's value
    /// must be read or skipped before the next call.
    pub fn next_key(&mut self, seq: &mut Seq) -> Result<Option<Cow<'a, str>>, JsonError> {
        if !self.member_start(seq)? {
            return Ok(None);
        }
        let key = self.read_string()?;
        self.colon()?;
        Ok(Some(key))
    }

    /// Like [`Scanner::next_key`], but a key without escapes or non-ASCII
    /// bytes comes back as its bytes, with no UTF-8 pass: the fast path for
    /// comparing keys.
    pub(crate) fn next_key_bytes(
        &mut self,
        seq: &mut Seq,
    ) -> Result<Option<Cow<'a, [u8]>>, JsonError> {
        if !self.member_start(seq)? {
            return Ok(None);
        }
        let start = self.pos + 1;
        let i = find_special::<true>(self.bytes, start);
        let key = if self.bytes.get(i) == Some(&b'"') {
            self.pos = i + 1;
            Cow::Borrowed(self.bytes.get(start..i).unwrap_or_default())
        } else {
            match self.read_string()? {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }
        };
        self.colon()?;
        Ok(Some(key))
    }

    /// Moves forward `n` bytes (after a [`Scanner::peek`] saw them).
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// Reads a member's key and the `:` after it, with whitespace before
    /// each.
    pub(crate) fn key_and_colon(&mut self) -> Result<RawStr<'a>, JsonError> {
        match self.peek() {
            Some(b'"') => {}
            None => return Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => return Err(self.error(Reason::ExpectedKey)),
        }
        let key = self.read_str_raw()?;
        self.colon()?;
        Ok(key)
    }

    /// Reads a string for building a tree: the bytes themselves when they
    /// are plain ASCII (no escape, checked by the word scan, so no UTF-8
    /// pass is needed), the text otherwise.
    pub(crate) fn read_str_raw(&mut self) -> Result<RawStr<'a>, JsonError> {
        self.expect_quote()?;
        let start = self.pos + 1;
        if let Some((end, b'"')) = next_special(self.bytes, start) {
            self.pos = end + 1;
            return Ok(RawStr::Ascii(
                self.bytes.get(start..end).unwrap_or_default(),
            ));
        }
        self.read_string().map(RawStr::Text)
    }

    /// Handles what comes before a key: `,` or the closing `}`. True when a
    /// key (a `"`) follows.
    fn member_start(&mut self, seq: &mut Seq) -> Result<bool, JsonError> {
        match seq.state {
            SeqState::Done => return Ok(false),
            SeqState::First => {
                seq.state = SeqState::Rest;
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    seq.state = SeqState::Done;
                    return Ok(false);
                }
            }
            SeqState::Rest => match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    seq.state = SeqState::Done;
                    return Ok(false);
                }
                None => return Err(self.error(Reason::UnexpectedEnd)),
                Some(_) => return Err(self.error(Reason::ExpectedCommaOrBrace)),
            },
        }
        match self.peek() {
            Some(b'"') => Ok(true),
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => Err(self.error(Reason::ExpectedKey)),
        }
    }

    fn colon(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => Err(self.error(Reason::ExpectedColon)),
        }
    }

    /// Reads the `[` that opens an array. Then, while
    /// [`Scanner::next_element`] returns true, read or skip one element.
    pub fn begin_array(&mut self) -> Result<Seq, JsonError> {
        match self.peek() {
            Some(b'[') => {
                self.pos += 1;
                Ok(Seq::new())
            }
            None => Err(self.error(Reason::UnexpectedEnd)),
            Some(_) => Err(self.error(Reason::ExpectedValue)),
        }
    }

    /// Reads the `,` before the next element (true: an element follows) or
    /// the closing `]` (false, and false again on later calls).
    pub fn next_element(&mut self, seq: &mut Seq) -> Result<bool, JsonError> {
        match seq.state {
            SeqState::Done => Ok(false),
            SeqState::First => {
                seq.state = SeqState::Rest;
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    seq.state = SeqState::Done;
                    return Ok(false);
                }
                Ok(true)
            }
            SeqState::Rest => match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    Ok(true)
                }
                Some(b']') => {
                    self.pos += 1;
                    seq.state = SeqState::Done;
                    Ok(false)
                }
                None => Err(self.error(Reason::UnexpectedEnd)),
                Some(_) => Err(self.error(Reason::ExpectedCommaOrBracket)),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// The kernels. Each takes the input and a position and returns the position
// after what it read.

#[inline(always)]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[inline(always)]
pub(crate) fn skip_ws_at(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if !is_ws(b) {
            break;
        }
        pos += 1;
    }
    pos
}

/// Skips the rest of a string; `pos` is just after the opening quote.
/// Returns the offset after the closing quote. Checks escapes, control
/// bytes and UTF-8.
///
/// Encoded audit events put an escape every ten bytes or so, so the
/// common escapes are checked with a table lookup here (a `match` became a
/// jump table whose indirect branch mispredicted), and the byte found is
/// taken from the word in a register rather than loaded again. After the
/// first escape, the rest of the string is searched 64 bytes at a time,
/// escapes included ([`block::find_end`]); a block that needs a closer look
/// is walked here byte-wise, so errors are the same either way.
#[inline]
pub(crate) fn skip_string_at(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    skip_string_with::<true>(bytes, pos)
}

/// [`skip_string_at`], with (`BLOCKS`) or without the block search; the
/// byte-wise walk alone is the reference the block search is tested
/// against.
#[inline(always)]
pub(crate) fn skip_string_with<const BLOCKS: bool>(
    bytes: &[u8],
    mut pos: usize,
) -> Result<usize, JsonError> {
    let open = pos.saturating_sub(1);
    // The block search is not asked again before the byte-wise walk has
    // passed a block it handed back.
    let mut resume = 0;
    loop {
        let Some((at, b)) = next_special(bytes, pos) else {
            return Err(JsonError::new(open, Reason::UnterminatedString));
        };
        if b == b'"' {
            return Ok(at + 1);
        }
        pos = match b {
            b'\\' => {
                let next = match bytes.get(at + 1) {
                    Some(&c) if is_simple_escape(c) => at + 2,
                    _ => skip_escape_at(bytes, at, open)?,
                };
                if BLOCKS && next >= resume {
                    match block::find_end(bytes, next, block::Mode::Plain) {
                        block::Found::Quote(at) => return Ok(at + 1),
                        block::Found::Scalar { from, until } => {
                            resume = until;
                            from
                        }
                    }
                } else {
                    next
                }
            }
            0..0x20 => return Err(JsonError::new(at, Reason::ControlCharacter)),
            _ => skip_non_ascii(bytes, at)?,
        };
    }
}

/// The escapes that stand for one character: `\"` `\\` `\/` `\b` `\f` `\n`
/// `\r` `\t`.
#[allow(clippy::indexing_slicing)] // constant indexes below 256, checked at compile time
static SIMPLE_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let simple = *b"\"\\/bfnrt";
    while i < simple.len() {
        table[simple[i] as usize] = true;
        i += 1;
    }
    table
};

fn is_simple_escape(c: u8) -> bool {
    SIMPLE_ESCAPE.get(usize::from(c)).copied().unwrap_or(false)
}

/// Like `find_special::<true>`, but also returns the byte found (`None` at
/// the end of the input).
#[inline(always)]
pub(crate) fn next_special(bytes: &[u8], mut pos: usize) -> Option<(usize, u8)> {
    for _ in 0..WORDS_BEFORE_MEMCHR {
        let Some(chunk) = bytes.get(pos..).and_then(|r| r.first_chunk::<8>()) else {
            let at = find_special_tail::<true>(bytes, pos);
            return bytes.get(at).map(|&b| (at, b));
        };
        let word = u64::from_le_bytes(*chunk);
        let marks = special_mask::<true>(word);
        if marks != 0 {
            let bit = marks.trailing_zeros();
            return Some((pos + (bit / 8) as usize, (word >> (bit & !7)) as u8));
        }
        pos += 8;
    }
    let at = find_special_long::<true>(bytes, pos);
    bytes.get(at).map(|&b| (at, b))
}

/// Checks the UTF-8 of a run that starts with a non-ASCII byte, up to the
/// next byte that needs attention.
#[cold]
pub(crate) fn skip_non_ascii(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let end = find_special::<false>(bytes, pos);
    utf8(bytes, pos, end)?;
    Ok(end)
}

/// `bytes[start..end]` as text, or an error at the first bad byte.
#[inline]
fn utf8(bytes: &[u8], start: usize, end: usize) -> Result<&str, JsonError> {
    std::str::from_utf8(bytes.get(start..end).unwrap_or_default())
        .map_err(|e| JsonError::new(start + e.valid_up_to(), Reason::InvalidUtf8))
}

/// Checks one escape; `pos` is at its backslash, `open` is the string's
/// opening quote (for an unterminated string).
#[inline]
fn skip_escape_at(bytes: &[u8], pos: usize, open: usize) -> Result<usize, JsonError> {
    match bytes.get(pos + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 2),
        Some(b'u') => {
            hex4(bytes, pos, open)?;
            Ok(pos + 6)
        }
        Some(_) => Err(JsonError::new(pos, Reason::InvalidEscape)),
        None => Err(JsonError::new(open, Reason::UnterminatedString)),
    }
}

/// The four hex digits of the `\uXXXX` escape whose backslash is at `pos`.
#[inline]
fn hex4(bytes: &[u8], pos: usize, open: usize) -> Result<u32, JsonError> {
    let mut value = 0;
    for k in 0..4 {
        let digit = match bytes.get(pos + 2 + k) {
            None => return Err(JsonError::new(open, Reason::UnterminatedString)),
            Some(&b) => match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(JsonError::new(pos, Reason::InvalidUnicodeEscape)),
            },
        };
        value = value << 4 | u32::from(digit);
    }
    Ok(value)
}

/// Reads the rest of a string (`pos` just after the opening quote): the
/// text borrowed when there is no escape, decoded otherwise.
#[inline]
pub(crate) fn read_string_at(bytes: &[u8], pos: usize) -> Result<(Cow<'_, str>, usize), JsonError> {
    let i = find_special::<false>(bytes, pos);
    match bytes.get(i) {
        Some(b'"') => Ok((Cow::Borrowed(utf8(bytes, pos, i)?), i + 1)),
        Some(b'\\') => {
            let mut out = Vec::with_capacity(i - pos + 64);
            let end = decode_bytes_at(bytes, pos, &mut out)?;
            // `decode_bytes_at` only appends UTF-8, so this cannot fail;
            // it is the safe way to make a `String`.
            let text =
                String::from_utf8(out).map_err(|_| JsonError::new(pos, Reason::InvalidUtf8))?;
            Ok((Cow::Owned(text), end))
        }
        Some(_) => Err(JsonError::new(i, Reason::ControlCharacter)),
        None => Err(JsonError::new(
            pos.saturating_sub(1),
            Reason::UnterminatedString,
        )),
    }
}

/// Decodes the rest of a string (`pos` just after the opening quote) onto
/// `out`; returns the offset after the closing quote.
///
/// One pass, eight bytes at a time: each word is copied whole and the
/// length then cut back to the first byte needing attention, so there is no
/// per-span `memcpy` call; a run longer than 32 bytes is found with
/// `memchr2` and copied at once. Non-ASCII runs are checked as UTF-8 where they
/// occur, so everything appended is UTF-8 without a second pass. On an
/// error, `out` holds part of the text.
pub(crate) fn decode_bytes_at(
    bytes: &[u8],
    mut pos: usize,
    out: &mut Vec<u8>,
) -> Result<usize, JsonError> {
    let open = pos.saturating_sub(1);
    loop {
        let mut words = 0;
        while let Some(chunk) = bytes.get(pos..).and_then(|r| r.first_chunk::<8>()) {
            let marks = special_mask::<true>(u64::from_le_bytes(*chunk));
            let len = out.len();
            out.extend_from_slice(chunk);
            if marks != 0 {
                let n = (marks.trailing_zeros() / 8) as usize;
                out.truncate(len + n);
                pos += n;
                break;
            }
            pos += 8;
            words += 1;
            if words == WORDS_BEFORE_MEMCHR {
                // A long run: find its end with memchr2, copy it at once.
                let end = find_special_long::<true>(bytes, pos);
                out.extend_from_slice(bytes.get(pos..end).unwrap_or_default());
                pos = end;
                break;
            }
        }
        match bytes.get(pos) {
            Some(b'"') => return Ok(pos + 1),
            Some(b'\\') => match bytes.get(pos + 1) {
                Some(&c @ (b'"' | b'\\' | b'/')) => {
                    out.push(c);
                    pos += 2;
                }
                _ => pos = decode_escape_at(bytes, pos, open, out)?,
            },
            Some(&b) if b < 0x20 => return Err(JsonError::new(pos, Reason::ControlCharacter)),
            Some(&b) if b >= 0x80 => {
                let end = skip_non_ascii(bytes, pos)?;
                out.extend_from_slice(bytes.get(pos..end).unwrap_or_default());
                pos = end;
            }
            // Fewer than eight bytes are left.
            Some(&b) => {
                out.push(b);
                pos += 1;
            }
            None => return Err(JsonError::new(open, Reason::UnterminatedString)),
        }
    }
}

/// Decodes the escape whose backslash is at `pos` onto `out`. A `\u` high
/// surrogate takes the low surrogate escape after it; a surrogate without
/// its partner becomes U+FFFD.
fn decode_escape_at(
    bytes: &[u8],
    pos: usize,
    open: usize,
    out: &mut Vec<u8>,
) -> Result<usize, JsonError> {
    let byte = match bytes.get(pos + 1) {
        Some(b'"') => b'"',
        Some(b'\\') => b'\\',
        Some(b'/') => b'/',
        Some(b'b') => 0x08,
        Some(b'f') => 0x0c,
        Some(b'n') => b'\n',
        Some(b'r') => b'\r',
        Some(b't') => b'\t',
        Some(b'u') => {
            let first = hex4(bytes, pos, open)?;
            let mut end = pos + 6;
            let c = if (0xD800..0xDC00).contains(&first) {
                if bytes.get(end) == Some(&b'\\') && bytes.get(end + 1) == Some(&b'u') {
                    let second = hex4(bytes, end, open)?;
                    if (0xDC00..0xE000).contains(&second) {
                        end += 6;
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                    } else {
                        char::REPLACEMENT_CHARACTER
                    }
                } else {
                    char::REPLACEMENT_CHARACTER
                }
            } else {
                // A lone low surrogate is not a `char` either.
                char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER)
            };
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            return Ok(end);
        }
        Some(_) => return Err(JsonError::new(pos, Reason::InvalidEscape)),
        None => return Err(JsonError::new(open, Reason::UnterminatedString)),
    };
    out.push(byte);
    Ok(pos + 2)
}

#[inline(always)]
fn skip_digits(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b'0'..=b'9') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// Validates a number that starts at `start`. Returns the offset after it
/// and whether it is an integer literal (no fraction, no exponent).
#[inline]
pub(crate) fn skip_number_at(bytes: &[u8], start: usize) -> Result<(usize, bool), JsonError> {
    let mut pos = start;
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'0') => {
            pos += 1;
            if let Some(b'0'..=b'9') = bytes.get(pos) {
                return Err(JsonError::new(pos, Reason::InvalidNumber));
            }
        }
        Some(b'1'..=b'9') => pos = skip_digits(bytes, pos + 1),
        _ => return Err(JsonError::new(pos, Reason::InvalidNumber)),
    }
    let mut integer = true;
    if bytes.get(pos) == Some(&b'.') {
        integer = false;
        let end = skip_digits(bytes, pos + 1);
        if end == pos + 1 {
            return Err(JsonError::new(end, Reason::InvalidNumber));
        }
        pos = end;
    }
    if let Some(b'e' | b'E') = bytes.get(pos) {
        integer = false;
        pos += 1;
        if let Some(b'+' | b'-') = bytes.get(pos) {
            pos += 1;
        }
        let end = skip_digits(bytes, pos);
        if end == pos {
            return Err(JsonError::new(end, Reason::InvalidNumber));
        }
        pos = end;
    }
    Ok((pos, integer))
}

/// The value of validated number text: `Long` for an integer literal that
/// fits 64 bits, `Real` otherwise.
pub(crate) fn number_from_text(text: &[u8], integer: bool) -> Option<Number> {
    if integer && let Some(n) = parse_i64(text) {
        return Some(Number::Long(n));
    }
    let s = std::str::from_utf8(text).ok()?;
    s.parse::<f64>().ok().map(Number::Real)
}

/// An integer literal (`-?[0-9]+`) as `i64`, if it fits.
pub(crate) fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(n)
    } else {
        i64::try_from(n).ok()
    }
}

/// Checks that `lit` (`true`, `false` or `null`) is at `pos`.
#[inline]
pub(crate) fn literal_at(bytes: &[u8], pos: usize, lit: &[u8]) -> Result<usize, JsonError> {
    if bytes.get(pos..pos + lit.len()) == Some(lit) {
        Ok(pos + lit.len())
    } else {
        Err(JsonError::new(pos, Reason::InvalidLiteral))
    }
}

/// Which containers are open: one bit per level (1 = object), the first 64
/// levels in a register, deeper ones spilled to a vector that is allocated
/// only past 64 levels.
struct Nesting {
    depth: usize,
    word: u64,
    spilled: Vec<u64>,
}

impl Nesting {
    fn new() -> Nesting {
        Nesting {
            depth: 0,
            word: 0,
            spilled: Vec::new(),
        }
    }

    #[inline(always)]
    fn push(&mut self, object: bool) {
        let level = self.depth;
        if level > 0 && level.is_multiple_of(64) {
            self.spilled.push(self.word);
            self.word = 0;
        }
        let bit = 1u64 << (level % 64);
        if object {
            self.word |= bit;
        } else {
            self.word &= !bit;
        }
        self.depth += 1;
    }

    #[inline(always)]
    fn pop(&mut self) {
        self.depth -= 1;
        let level = self.depth;
        if level > 0 && level.is_multiple_of(64) {
            self.word = self.spilled.pop().unwrap_or(0);
        }
    }

    /// Whether the innermost open container is an object; `None` when none
    /// is open.
    #[inline(always)]
    fn top(&self) -> Option<bool> {
        if self.depth == 0 {
            None
        } else {
            Some(self.word >> ((self.depth - 1) % 64) & 1 == 1)
        }
    }
}

/// Skips a key (`pos` after whitespace, at its `"`), the whitespace and the
/// `:` after it.
#[inline(always)]
fn skip_key_colon(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    match bytes.get(pos) {
        Some(b'"') => {}
        None => return Err(JsonError::new(pos, Reason::UnexpectedEnd)),
        Some(_) => return Err(JsonError::new(pos, Reason::ExpectedKey)),
    }
    let pos = skip_ws_at(bytes, skip_string_at(bytes, pos + 1)?);
    match bytes.get(pos) {
        Some(b':') => Ok(pos + 1),
        None => Err(JsonError::new(pos, Reason::UnexpectedEnd)),
        Some(_) => Err(JsonError::new(pos, Reason::ExpectedColon)),
    }
}

/// Skips (and validates) one value with its leading whitespace, at most
/// `max_depth` containers deep. Iterative: the open containers are bits in
/// a [`Nesting`].
pub(crate) fn skip_value_at(
    bytes: &[u8],
    mut pos: usize,
    max_depth: usize,
) -> Result<usize, JsonError> {
    let mut nesting = Nesting::new();
    'value: loop {
        pos = skip_ws_at(bytes, pos);
        let Some(&b) = bytes.get(pos) else {
            return Err(JsonError::new(pos, Reason::UnexpectedEnd));
        };
        match b {
            b'"' => pos = skip_string_at(bytes, pos + 1)?,
            b'{' | b'[' => {
                if nesting.depth >= max_depth {
                    return Err(JsonError::new(pos, Reason::TooDeep));
                }
                let object = b == b'{';
                let close = if object { b'}' } else { b']' };
                pos = skip_ws_at(bytes, pos + 1);
                if bytes.get(pos) == Some(&close) {
                    pos += 1;
                } else {
                    nesting.push(object);
                    if object {
                        pos = skip_key_colon(bytes, pos)?;
                    }
                    continue 'value;
                }
            }
            b't' => pos = literal_at(bytes, pos, b"true")?,
            b'f' => pos = literal_at(bytes, pos, b"false")?,
            b'n' => pos = literal_at(bytes, pos, b"null")?,
            b'-' | b'0'..=b'9' => pos = skip_number_at(bytes, pos)?.0,
            _ => return Err(JsonError::new(pos, Reason::ExpectedValue)),
        }
        // A value is complete: close the containers it completes, or move
        // on to the next element or member.
        loop {
            let Some(object) = nesting.top() else {
                return Ok(pos);
            };
            pos = skip_ws_at(bytes, pos);
            match bytes.get(pos) {
                Some(b',') => {
                    pos = skip_ws_at(bytes, pos + 1);
                    if object {
                        pos = skip_key_colon(bytes, pos)?;
                    }
                    continue 'value;
                }
                Some(b'}') if object => {
                    pos += 1;
                    nesting.pop();
                }
                Some(b']') if !object => {
                    pos += 1;
                    nesting.pop();
                }
                None => return Err(JsonError::new(pos, Reason::UnexpectedEnd)),
                Some(_) => {
                    let reason = if object {
                        Reason::ExpectedCommaOrBrace
                    } else {
                        Reason::ExpectedCommaOrBracket
                    };
                    return Err(JsonError::new(pos, reason));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(text: &str) -> Result<usize, JsonError> {
        let mut s = Scanner::new(text.as_bytes());
        s.skip_value()?;
        s.finish()?;
        Ok(s.pos())
    }

    fn err(text: &[u8]) -> (usize, Reason) {
        let mut s = Scanner::new(text);
        let e = s
            .skip_value()
            .and_then(|()| s.finish())
            .expect_err("should be invalid");
        (e.offset, e.reason)
    }

    fn string(text: &str) -> Result<Cow<'_, str>, JsonError> {
        Scanner::new(text.as_bytes()).read_string()
    }

    #[test]
    fn skips_every_kind_of_value() {
        for text in [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "12.5e-3",
            "1E+2",
            r#""""#,
            r#""a\"b\\c\/\u00e9\ud83d\ude00""#,
            "[]",
            "{}",
            " [ 1 , [ ] , { } , { \"a\" : [ null ] } ] ",
            "\t\r\n{\"a\":{\"b\":{\"c\":[1,2,{\"d\":\"e\"}]}}}\n",
        ] {
            assert!(skip(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn reports_where_and_why() {
        use Reason::*;
        let cases: &[(&[u8], usize, Reason)] = &[
            (b"", 0, UnexpectedEnd),
            (b"   ", 3, UnexpectedEnd),
            (b"[1,", 3, UnexpectedEnd),
            (b"[,]", 1, ExpectedValue),
            (b"[1,]", 3, ExpectedValue),
            (b"'a'", 0, ExpectedValue),
            (b"NaN", 0, ExpectedValue),
            (b"{\"a\":1 \"b\":2}", 7, ExpectedCommaOrBrace),
            (b"{\"a\":1,}", 7, ExpectedKey),
            (b"{a:1}", 1, ExpectedKey),
            (b"{\"a\" 1}", 5, ExpectedColon),
            (b"[1 2]", 3, ExpectedCommaOrBracket),
            (b"[1}", 2, ExpectedCommaOrBracket),
            (b"{\"a\":1]", 6, ExpectedCommaOrBrace),
            (b"tru", 0, InvalidLiteral),
            (b"True", 0, ExpectedValue),
            (b"nul", 0, InvalidLiteral),
            (b"01", 1, InvalidNumber),
            (b"1.", 2, InvalidNumber),
            (b"1.e3", 2, InvalidNumber),
            (b"-", 1, InvalidNumber),
            (b"-a", 1, InvalidNumber),
            (b"1e+", 3, InvalidNumber),
            (b"+1", 0, ExpectedValue),
            (b".5", 0, ExpectedValue),
            (b"\"ab\\x\"", 3, InvalidEscape),
            (b"\"\\u12G4\"", 1, InvalidUnicodeEscape),
            (b"\"\\u12\"", 1, InvalidUnicodeEscape),
            (b"\"a\nb\"", 2, ControlCharacter),
            (b"\"a\tb\"", 2, ControlCharacter),
            (b"\"ab", 0, UnterminatedString),
            (b"\"ab\\", 0, UnterminatedString),
            (b"\"ab\\u00", 0, UnterminatedString),
            (b"\"\xff\"", 1, InvalidUtf8),
            (b"\"ok \xc3\xa9 then \xe2\x82\"", 12, InvalidUtf8),
            (b"\"\xed\xa0\x80\"", 1, InvalidUtf8), // an encoded surrogate
            (b"\xc3\xa9", 0, ExpectedValue),
            (b"{} {}", 3, TrailingCharacters),
            (b"1 2", 2, TrailingCharacters),
            (b"[1] x", 4, TrailingCharacters),
            (b"[1]//c", 3, TrailingCharacters),
        ];
        for &(text, offset, reason) in cases {
            assert_eq!(
                err(text),
                (offset, reason),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn reads_strings_borrowed_when_plain() {
        assert!(matches!(string(r#""plain""#), Ok(Cow::Borrowed("plain"))));
        assert!(matches!(string(r#""é ü""#), Ok(Cow::Borrowed("é ü"))));
        let decoded = string(r#""a\/b \"q\" \\ \b\f\n\r\t""#).unwrap();
        assert!(matches!(decoded, Cow::Owned(_)));
        assert_eq!(decoded, "a/b \"q\" \\ \u{8}\u{c}\n\r\t");
    }

    #[test]
    fn decodes_unicode_escapes() {
        assert_eq!(string(r#""caf\u00e9""#).unwrap(), "café");
        assert_eq!(string(r#""\u00C9\u4e2d""#).unwrap(), "É中");
        assert_eq!(string(r#""\ud83d\ude00!""#).unwrap(), "😀!");
        assert_eq!(string(r#""\u0000""#).unwrap(), "\0");
        // Lone surrogates become U+FFFD; what follows is still decoded.
        assert_eq!(string(r#""\ud800""#).unwrap(), "\u{fffd}");
        assert_eq!(string(r#""\ud800x""#).unwrap(), "\u{fffd}x");
        assert_eq!(string(r#""\udc00\ud83d""#).unwrap(), "\u{fffd}\u{fffd}");
        assert_eq!(string(r#""\ud800\u0041""#).unwrap(), "\u{fffd}A");
        assert_eq!(
            string(r#""\ud800\ud83d\ude00""#).unwrap(),
            "\u{fffd}\u{1f600}"
        );
    }

    #[test]
    fn rejects_bad_strings_when_reading() {
        assert_eq!(
            string(r#""a\qb""#).unwrap_err().reason,
            Reason::InvalidEscape
        );
        assert_eq!(
            string("\"a\u{1}b\"").unwrap_err().reason,
            Reason::ControlCharacter
        );
        assert_eq!(
            Scanner::new(b"\"a\\n\xc3\"").read_string().unwrap_err(),
            JsonError::new(4, Reason::InvalidUtf8)
        );
        assert_eq!(string("5").unwrap_err().reason, Reason::ExpectedString);
        assert_eq!(
            string(r#""\ud800\u12""#).unwrap_err().reason,
            Reason::InvalidUnicodeEscape
        );
    }

    #[test]
    fn decoding_agrees_with_serde_at_every_alignment() {
        let pieces = [
            "a",
            "\\\"",
            "\\n",
            "é",
            "\\u00e9",
            "\\ud83d\\ude00",
            "😀",
            "\\/",
            "\\\\",
            "中",
        ];
        for len in 0..24 {
            for (k, piece) in pieces.iter().enumerate() {
                for at in 0..=len {
                    let mut body = "x".repeat(len);
                    body.insert_str(at, piece);
                    body.push_str(pieces[(k + at) % pieces.len()]);
                    let text = format!("\"{body}\"");
                    let want: String = serde_json::from_str(&text).unwrap();
                    assert_eq!(string(&text).unwrap(), want, "{text}");
                    let mut bytes = b"prefix".to_vec();
                    Scanner::new(text.as_bytes())
                        .read_string_bytes_into(&mut bytes)
                        .unwrap();
                    assert_eq!(&bytes[6..], want.as_bytes(), "{text}");
                }
            }
        }
    }

    #[test]
    fn read_string_bytes_into_appends_nothing_on_error() {
        let mut out = b"keep".to_vec();
        let mut s = Scanner::new(b"\"abcdefghij\\qrst\"");
        assert_eq!(
            s.read_string_bytes_into(&mut out).unwrap_err(),
            JsonError::new(11, Reason::InvalidEscape)
        );
        assert_eq!(out, b"keep");
        let mut s = Scanner::new(b"\"abcdefghij\xff\"");
        assert_eq!(
            s.read_string_bytes_into(&mut out).unwrap_err(),
            JsonError::new(11, Reason::InvalidUtf8)
        );
        assert_eq!(out, b"keep");
        let mut s = Scanner::new(b"\"abcdefghijklmnop");
        assert_eq!(
            s.read_string_bytes_into(&mut out).unwrap_err(),
            JsonError::new(0, Reason::UnterminatedString)
        );
        assert_eq!(out, b"keep");
    }

    #[test]
    fn read_string_into_appends() {
        let mut out = String::from(">");
        let mut s = Scanner::new(br#" "a" "b\nc" "#);
        s.read_string_into(&mut out).unwrap();
        s.read_string_into(&mut out).unwrap();
        assert_eq!(out, ">ab\nc");
        s.finish().unwrap();
    }

    #[test]
    fn numbers_are_typed_long_or_real() {
        let n = |t: &str| Scanner::new(t.as_bytes()).read_number().unwrap();
        assert_eq!(n("0"), Number::Long(0));
        assert_eq!(n("-0"), Number::Long(0));
        assert_eq!(n("42"), Number::Long(42));
        assert_eq!(n("-42"), Number::Long(-42));
        assert_eq!(n("9223372036854775807"), Number::Long(i64::MAX));
        assert_eq!(n("-9223372036854775808"), Number::Long(i64::MIN));
        assert_eq!(
            n("9223372036854775808"),
            Number::Real(9_223_372_036_854_775_808.0)
        );
        assert_eq!(
            n("-9223372036854775809"),
            Number::Real(-9_223_372_036_854_775_808.0)
        );
        assert_eq!(n("100000000000000000000000"), Number::Real(1e23));
        assert_eq!(n("1.0"), Number::Real(1.0));
        assert_eq!(n("1e2"), Number::Real(100.0));
        assert_eq!(n("-2.5E-3"), Number::Real(-0.0025));
        assert_eq!(n("1e400"), Number::Real(f64::INFINITY));
        assert_eq!(n("-1e400"), Number::Real(f64::NEG_INFINITY));
        assert_eq!(n("0.1"), Number::Real(0.1));
    }

    #[test]
    fn literals() {
        assert!(Scanner::new(b" true").read_bool().unwrap());
        assert!(!Scanner::new(b"false").read_bool().unwrap());
        assert!(Scanner::new(b"null").read_bool().is_err());
        assert!(Scanner::new(b"null").read_null().is_ok());
        assert!(Scanner::new(b"nulL").read_null().is_err());
    }

    #[test]
    fn walks_objects_and_arrays() {
        let mut s = Scanner::new(br#"{"a": [1, "x", {}], "b\u0021": null}"#);
        let mut members = s.begin_object().unwrap();
        assert_eq!(s.next_key(&mut members).unwrap().unwrap(), "a");
        let mut items = s.begin_array().unwrap();
        let mut n = 0;
        while s.next_element(&mut items).unwrap() {
            s.skip_value().unwrap();
            n += 1;
        }
        assert_eq!(n, 3);
        assert!(items.is_done());
        assert_eq!(s.next_key(&mut members).unwrap().unwrap(), "b!");
        s.read_null().unwrap();
        assert_eq!(s.next_key(&mut members).unwrap(), None);
        assert_eq!(s.next_key(&mut members).unwrap(), None);
        s.finish().unwrap();

        let mut s = Scanner::new(b" { } ");
        let mut m = s.begin_object().unwrap();
        assert_eq!(s.next_key(&mut m).unwrap(), None);
        let mut s = Scanner::new(b"[ ]");
        let mut a = s.begin_array().unwrap();
        assert!(!s.next_element(&mut a).unwrap());
    }

    #[test]
    fn walking_reports_errors() {
        let mut s = Scanner::new(br#"{"a":1 "b":2}"#);
        let mut m = s.begin_object().unwrap();
        s.next_key(&mut m).unwrap();
        s.skip_value().unwrap();
        assert_eq!(
            s.next_key(&mut m).unwrap_err(),
            JsonError::new(7, Reason::ExpectedCommaOrBrace)
        );
        let mut s = Scanner::new(b"[1 2]");
        let mut a = s.begin_array().unwrap();
        assert!(s.next_element(&mut a).unwrap());
        s.skip_value().unwrap();
        assert_eq!(
            s.next_element(&mut a).unwrap_err().reason,
            Reason::ExpectedCommaOrBracket
        );
        assert_eq!(
            Scanner::new(b"[1]").begin_object().unwrap_err().reason,
            Reason::NotAnObject
        );
    }

    #[test]
    fn key_bytes_fast_path_and_escaped_keys() {
        let mut s = Scanner::new(r#"{"plain":1,"esc\u0061ped":2,"café":3}"#.as_bytes());
        let mut m = s.begin_object().unwrap();
        let k = s.next_key_bytes(&mut m).unwrap().unwrap();
        assert!(matches!(k, Cow::Borrowed(b"plain")));
        s.skip_value().unwrap();
        let k = s.next_key_bytes(&mut m).unwrap().unwrap();
        assert_eq!(&*k, b"escaped");
        s.skip_value().unwrap();
        let k = s.next_key_bytes(&mut m).unwrap().unwrap();
        assert_eq!(&*k, "café".as_bytes());
        s.skip_value().unwrap();
        assert!(s.next_key_bytes(&mut m).unwrap().is_none());
    }

    #[test]
    fn deep_nesting_is_iterative_and_limited() {
        let depth = 100_000;
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let mut s = Scanner::new(deep.as_bytes());
        assert_eq!(
            s.skip_value().unwrap_err(),
            JsonError::new(MAX_SKIP_DEPTH, Reason::TooDeep)
        );
        let mut s = Scanner::new(deep.as_bytes());
        s.skip_value_limited(depth).unwrap();
        s.finish().unwrap();

        let ok = format!(
            "{}1{}",
            "{\"k\":[".repeat(MAX_SKIP_DEPTH / 2),
            "]}".repeat(MAX_SKIP_DEPTH / 2)
        );
        assert!(skip(&ok).is_ok());
        let mixed_bad = format!("{}1{}", "[{\"k\":".repeat(100), "]}".repeat(100));
        assert_eq!(err(mixed_bad.as_bytes()).1, Reason::ExpectedCommaOrBrace);
    }

    #[test]
    fn depth_limit_counts_containers() {
        let at = |t: &str, d| Scanner::new(t.as_bytes()).skip_value_limited(d);
        assert!(at("1", 0).is_ok());
        assert!(at("[]", 0).is_err());
        assert!(at("[]", 1).is_ok());
        assert!(at("[[]]", 1).is_err());
        assert!(at("[{}]", 2).is_ok());
        assert!(at("[1,[2],{\"a\":{}}]", 2).is_err());
        assert!(at("[1,[2],{\"a\":{}}]", 3).is_ok());
    }

    #[test]
    fn nesting_spills_past_64_levels() {
        let mut n = Nesting::new();
        let pattern = |i: usize| i.is_multiple_of(3) || i.is_multiple_of(7);
        for i in 0..300 {
            n.push(pattern(i));
            assert_eq!(n.top(), Some(pattern(i)));
        }
        for i in (0..300).rev() {
            assert_eq!(n.top(), Some(pattern(i)));
            n.pop();
        }
        assert_eq!(n.top(), None);
    }

    #[test]
    fn kind_from_first_byte() {
        assert_eq!(JsonKind::of(b"  {}"), Some(JsonKind::Object));
        assert_eq!(JsonKind::of(b"[1]"), Some(JsonKind::Array));
        assert_eq!(JsonKind::of(b"-1"), Some(JsonKind::Number));
        assert_eq!(JsonKind::of(b"\"\""), Some(JsonKind::String));
        assert_eq!(JsonKind::of(b"false"), Some(JsonKind::Bool));
        assert_eq!(JsonKind::of(b"null"), Some(JsonKind::Null));
        assert_eq!(JsonKind::of(b"x"), None);
        assert_eq!(JsonKind::of(b""), None);
    }

    #[test]
    fn parse_i64_edges() {
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"18446744073709551616"), None);
        assert_eq!(parse_i64(b"-18446744073709551615"), None);
        assert_eq!(parse_i64(b"007"), Some(7));
    }
}

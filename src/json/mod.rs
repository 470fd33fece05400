//! JSON: the hot path from log bytes to KQL values.
//!
//! Every row kqlite reads is a line of JSON, and many queries then parse a
//! string column again (`parse_json(log_s).verb`). This module does both
//! without recursion and, where it can, without allocation:
//!
//! | file | what it does |
//! |---|---|
//! | [`scan`] | [`Scanner`]: a validating cursor over bytes that skips, reads strings and numbers, and walks objects and arrays |
//! | [`row`] | [`KeySet`]: one pass over a line finds the raw value of each wanted key; `decode_*` turn a raw value into a column value |
//! | [`parse`] | [`parse_value`], [`Parser`]: JSON text to a [`Value`](crate::value::Value) tree |
//! | [`doc`] | [`Doc`]: a JSON path evaluated on text checked once; [`Row`]: a row's columns and their cached documents |
//! | `escaped` | the same check and member index done on JSON text still escaped inside a JSON string, in one pass |
//! | [`path`] | [`get_member`], [`get_index`], [`validate`]: lookups in raw JSON text without building a tree |
//!
//! # Recipes
//!
//! * **Columns of a row.** Once per query, `KeySet::new(&["Category",
//!   "log_s"])`; per line, [`KeySet::scan_row`] into a reused [`RowSlots`]
//!   (one validating pass, nothing decoded), then [`decode_typed`] on
//!   `slots.get(line, slot)` for each column.
//! * **`parse_json(log_s).verb`.** Unescape the raw `log_s` into a reused
//!   `Vec<u8>` with [`Scanner::read_string_bytes_into`], then
//!   [`get_member`] (or [`get_members`] for several keys in one pass, or
//!   [`get_path`]) on those bytes, and decode what it returns. `Err` means
//!   the text is not JSON (KQL: a string, so the member is null); `Ok(None)`
//!   means it has no such member. An empty string is KQL's null: check it
//!   first.
//! * **`parse_json(s)` as a value.** [`parse_value`]; on `Err`, KQL keeps
//!   `s` as a dynamic string.
//! * **`tostring(dynamic)`.** [`write_value`](crate::value::json::write_value)
//!   (a plain dynamic string is its text, without quotes: that case is the
//!   caller's).
//!
//! All of it is strict RFC 8259: no comments, no trailing commas, no `NaN`,
//! no single quotes; whitespace (space, tab, CR, LF) is allowed around
//! values. Text must be UTF-8 (checked inside strings; anything else outside
//! strings is a syntax error anyway).
//!
//! # Depth limits
//!
//! Nothing here recurses on the input, so no input can overflow the stack.
//! Two limits still bound the work done on hostile input:
//!
//! * [`MAX_SKIP_DEPTH`] (10 000) for validating and skipping, used when a
//!   line is checked as a row. Skipping keeps one bit per level.
//! * [`MAX_TREE_DEPTH`] (512) for everything that follows KQL's
//!   `parse_json`: [`parse_value`], and the lazy lookups of [`path`], which
//!   must agree with it. Deeper text is an error there, which the caller
//!   treats as invalid JSON (KQL then keeps the text as a dynamic string).
//!   512 levels keep the recursive `Drop`, `Clone` and `PartialEq` of
//!   [`Value`](crate::value::Value) well inside any thread's stack.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

mod block;
pub mod doc;
mod escaped;
pub mod parse;
pub mod path;
pub mod row;
pub mod scan;

pub use doc::{Doc, PathCache, Row};
pub use parse::{Parser, integer, parse_json_text, parse_value, parse_value_bytes};
pub use path::{PathStep, check, get_index, get_member, get_members, get_path, validate};
pub use row::{
    Decoded, KeySet, Member, RowSlots, decode_bool, decode_dynamic, decode_int, decode_long,
    decode_real, decode_string, decode_typed, minify, string_bytes, string_text, top_level_keys,
    top_level_members,
};
pub use scan::{JsonKind, Number, Scanner, Seq};

use std::fmt;

/// How deep arrays and objects may nest when a value is only validated or
/// skipped (a row line, [`Scanner::skip_value`]).
pub const MAX_SKIP_DEPTH: usize = 10_000;

/// How deep arrays and objects may nest in text that KQL parses as
/// `dynamic` ([`parse_value`], and the [`path`] lookups, which agree with it).
pub const MAX_TREE_DEPTH: usize = 512;

/// Invalid JSON: where (a byte offset into the text given) and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Offset of the offending byte (the input's length when it ended too
    /// early).
    pub offset: usize,
    pub reason: Reason,
}

impl JsonError {
    pub fn new(offset: usize, reason: Reason) -> JsonError {
        JsonError { offset, reason }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for JsonError {}

/// Why text is not valid JSON. Each variant's comment shows input that
/// causes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// `[1,` — the input ended where more was needed.
    UnexpectedEnd,
    /// `[,]`, `x`, `'a'` — no JSON value starts here.
    ExpectedValue,
    /// `{"a":1 "b":2}`
    ExpectedCommaOrBrace,
    /// `[1 2]`
    ExpectedCommaOrBracket,
    /// `{"a" 1}`
    ExpectedColon,
    /// `{a:1}`, `{"a":1,}` — object keys are strings.
    ExpectedKey,
    /// A string was asked for ([`Scanner::read_string`]) but none starts here.
    ExpectedString,
    /// `tru`, `nul`, `True`
    InvalidLiteral,
    /// `01`, `1.`, `-`, `1e+`
    InvalidNumber,
    /// `"\x"`
    InvalidEscape,
    /// `"\u12G4"`
    InvalidUnicodeEscape,
    /// A raw byte below 0x20 (such as a newline) inside a string.
    ControlCharacter,
    /// Bytes inside a string that are not UTF-8.
    InvalidUtf8,
    /// `"abc` — no closing quote.
    UnterminatedString,
    /// `{} {}`, `1 2` — more after the one value.
    TrailingCharacters,
    /// `[1]`, `"x"`, an empty line — a row must be one object.
    NotAnObject,
    /// Arrays and objects nested deeper than the limit in force
    /// ([`MAX_SKIP_DEPTH`] or [`MAX_TREE_DEPTH`]).
    TooDeep,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::UnexpectedEnd => "unexpected end of input",
            Reason::ExpectedValue => "expected a JSON value",
            Reason::ExpectedCommaOrBrace => "expected `,` or `}`",
            Reason::ExpectedCommaOrBracket => "expected `,` or `]`",
            Reason::ExpectedColon => "expected `:`",
            Reason::ExpectedKey => "expected a string key",
            Reason::ExpectedString => "expected a string",
            Reason::InvalidLiteral => "invalid literal",
            Reason::InvalidNumber => "invalid number",
            Reason::InvalidEscape => "invalid escape",
            Reason::InvalidUnicodeEscape => "invalid `\\u` escape",
            Reason::ControlCharacter => "control character in string",
            Reason::InvalidUtf8 => "invalid UTF-8 in string",
            Reason::UnterminatedString => "unterminated string",
            Reason::TrailingCharacters => "trailing characters after the JSON value",
            Reason::NotAnObject => "not a JSON object",
            Reason::TooDeep => "nesting too deep",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_prints_reason_and_offset() {
        let e = JsonError::new(7, Reason::ExpectedCommaOrBrace);
        assert_eq!(e.to_string(), "expected `,` or `}` at byte 7");
    }
}

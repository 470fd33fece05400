//! Lexemes: the only place that knows about whitespace, `//` comments, word
//! boundaries and the shape of literal tokens.
//!
//! The grammar works on `&str` directly (no token vector). Every lexeme
//! here matches one token at the start of its input, then skips the trivia
//! (whitespace and comments) after it, so grammar functions always start on
//! a token and never see whitespace. Each lexeme returns the token's own
//! [`Span`] (without the trivia), from which nodes build theirs.
//!
//! Word boundaries: a keyword matches only if the next character cannot
//! continue a word, so `projectx` is an identifier, `has` does not match
//! the start of `hasprefix`, and `project` does not match the start of
//! `project-away` (which is a keyword of its own).
//!
//! Positions are byte offsets into the whole query: `len(source) -
//! len(rest)`. The source length is set per parse by [`SourceScope`].

use crate::span::Span;
use crate::syntax::ast::{Ident, Literal};
use crate::syntax::error::{PError, PResult};
use std::cell::Cell;

thread_local! {
    static SOURCE_LEN: Cell<usize> = const { Cell::new(0) };
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// How deeply expressions, brackets, signs, `dynamic` values, function
/// bodies and operator subqueries may nest (counted by [`nest`]). Deeper
/// input is rejected with "nested too deeply" long before the stack runs
/// out: tests run on 2 MB threads, and in a debug build one level costs
/// 1.3 KB (`- - x`) to about 8 KB (`toscalar(T | extend y = toscalar(...))`),
/// so 100 levels stay under 1 MB. Real queries nest a handful of levels.
pub(crate) const MAX_DEPTH: usize = 100;

/// Sets up the per-thread position bookkeeping for one parse; restores the
/// previous state when dropped (so a nested parse cannot confuse an outer one).
pub(crate) struct SourceScope {
    prev_len: usize,
    prev_depth: usize,
}

impl SourceScope {
    pub(crate) fn enter(source: &str) -> SourceScope {
        let prev_len = SOURCE_LEN.with(|c| c.replace(source.len()));
        let prev_depth = DEPTH.with(|c| c.replace(0));
        SourceScope {
            prev_len,
            prev_depth,
        }
    }
}

impl Drop for SourceScope {
    fn drop(&mut self) {
        SOURCE_LEN.with(|c| c.set(self.prev_len));
        DEPTH.with(|c| c.set(self.prev_depth));
    }
}

/// Byte offset of `rest` in the query being parsed.
pub(crate) fn offset(rest: &str) -> usize {
    SOURCE_LEN.with(|c| c.get()).saturating_sub(rest.len())
}

/// Span from `start` (an offset) to the end of the token spanned by `last`.
pub(crate) fn span_from(start: usize, last: Span) -> Span {
    Span::new(start, last.end as usize)
}

/// One level of nesting; dropping it leaves the level.
pub(crate) struct DepthGuard(());

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Enters one nesting level, failing (committed) past [`MAX_DEPTH`].
pub(crate) fn nest(i: &str) -> Result<DepthGuard, nom::Err<PError<'_>>> {
    let depth = DEPTH.with(|c| {
        let d = c.get() + 1;
        c.set(d);
        d
    });
    let guard = DepthGuard(());
    if depth > MAX_DEPTH {
        return PError::message(
            i,
            format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
        )
        .with_help("split the query with `let` statements")
        .fail();
    }
    Ok(guard)
}

// ---------------------------------------------------------------------------
// Characters and trivia

pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

pub(crate) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '\x0b' | '\x0c' | '\u{a0}' | '\u{1680}' | '\u{180e}' | '\u{2000}'
            ..='\u{200b}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Skips whitespace and `//` comments.
pub(crate) fn skip_trivia(mut i: &str) -> &str {
    // Fast path: most tokens are followed by a visible character.
    match i.as_bytes().first() {
        Some(&c) if c.is_ascii_graphic() && c != b'/' => return i,
        None => return i,
        _ => {}
    }
    loop {
        let trimmed = i.trim_start_matches(is_whitespace);
        if let Some(comment) = trimmed.strip_prefix("//") {
            i = match comment.find(is_line_break) {
                Some(end) => &comment[end..],
                None => "",
            };
        } else {
            return trimmed;
        }
    }
}

/// Finishes a token that starts at `start` and ends where `after` begins:
/// its span, and the input after the trivia that follows it.
fn finish<'a>(start: &str, after: &'a str) -> (&'a str, Span) {
    let span = Span::new(offset(start), offset(after));
    (skip_trivia(after), span)
}

/// The byte length of the identifier characters at the start of `s`.
fn word_len(s: &str) -> usize {
    s.bytes().take_while(|&c| is_ident_char(c)).count()
}

fn next_is_ident_char(s: &str) -> bool {
    s.as_bytes().first().is_some_and(|&c| is_ident_char(c))
}

// ---------------------------------------------------------------------------
// Punctuation

/// The punctuation token at the start of `i`, if any (the longest one).
pub(crate) fn punct_at(i: &str) -> Option<&'static str> {
    let b = i.as_bytes();
    let next = b.get(1).copied().unwrap_or(0);
    Some(match *b.first()? {
        b'(' => "(",
        b')' => ")",
        b'[' => "[",
        b']' => "]",
        b'{' => "{",
        b'}' => "}",
        b'|' => "|",
        b'+' => "+",
        b'-' => "-",
        b'*' => "*",
        b'/' => "/",
        b'%' => "%",
        b':' => ":",
        b';' => ";",
        b',' => ",",
        b'?' => "?",
        b'.' => {
            if next == b'.' {
                ".."
            } else {
                "."
            }
        }
        b'<' => match next {
            b'=' => "<=",
            b'>' => "<>",
            b'|' => "<|",
            _ => "<",
        },
        b'>' => {
            if next == b'=' {
                ">="
            } else {
                ">"
            }
        }
        b'=' => match next {
            b'=' => "==",
            b'>' => "=>",
            b'~' => "=~",
            _ => "=",
        },
        b'!' => match next {
            b'=' => "!=",
            b'~' => "!~",
            _ => return None,
        },
        // `@` followed by a quote starts a verbatim string.
        b'@' if next != b'"' && next != b'\'' => "@",
        _ => return None,
    })
}

/// Matches the punctuation token `s` (and not a longer one it begins).
pub(crate) fn peek_sym<'a>(i: &'a str, s: &'static str) -> Option<(&'a str, Span)> {
    if punct_at(i) == Some(s) {
        Some(finish(i, &i[s.len()..]))
    } else {
        None
    }
}

pub(crate) fn sym<'a>(i: &'a str, s: &'static str) -> PResult<'a, Span> {
    match peek_sym(i, s) {
        Some(ok) => Ok(ok),
        None => PError::token(i, s).err(),
    }
}

pub(crate) fn at_sym(i: &str, s: &'static str) -> bool {
    punct_at(i) == Some(s)
}

// ---------------------------------------------------------------------------
// Keywords and words

/// Keywords written with a dash: one token each.
const DASHED_KEYWORDS: &[&str] = &[
    "project-away",
    "project-keep",
    "project-by-names",
    "project-rename",
    "project-reorder",
    "project-smart",
    "parse-where",
    "parse-kv",
    "top-nested",
    "top-hitters",
    "sample-distinct",
    "mv-expand",
    "mv-apply",
    "make-series",
    "make-graph",
    "graph-match",
    "graph-to-table",
    "graph-shortest-paths",
    "graph-mark-components",
    "partitioned-by",
    "granny-asc",
    "granny-desc",
    "materialized-view-combine",
];

/// The length of the word at the start of `i`: identifier characters, or a
/// dashed keyword such as `project-away`. Zero if `i` does not start a word.
fn word_at(i: &str) -> usize {
    let b = i.as_bytes();
    if b.is_empty() || !(is_ident_start(b[0])) {
        return 0;
    }
    let mut len = 1 + word_len(&i[1..]);
    let mut best = len;
    // The longest dashed keyword (`project-by-names` has two dashes).
    while i[len..].starts_with('-') {
        let tail = word_len(&i[len + 1..]);
        if tail == 0 {
            break;
        }
        len += 1 + tail;
        if DASHED_KEYWORDS.contains(&&i[..len]) {
            best = len;
        }
    }
    best
}

/// The word (identifier or keyword) at the start of `i`, without consuming it.
pub(crate) fn peek_word(i: &str) -> Option<&str> {
    let n = word_at(i);
    if n == 0 { None } else { Some(&i[..n]) }
}

/// Matches the keyword `k` as a whole word. Keywords with a trailing `~`
/// (`in~`) and two-word keywords (`matches regex`) are matched as written.
pub(crate) fn peek_kw<'a>(i: &'a str, k: &'static str) -> Option<(&'a str, Span)> {
    let rest = i.strip_prefix(k)?;
    if next_is_ident_char(rest) {
        return None;
    }
    // `in` must not match the start of `in~`, nor `project` of `project-away`.
    if rest.starts_with('~') && (k == "in" || k == "!in") {
        return None;
    }
    if rest.starts_with('-') && word_at(i) != k.len() && k.bytes().all(|c| c != b'-') {
        return None;
    }
    Some(finish(i, rest))
}

pub(crate) fn kw<'a>(i: &'a str, k: &'static str) -> PResult<'a, Span> {
    match peek_kw(i, k) {
        Some(ok) => Ok(ok),
        None => PError::token(i, k).err(),
    }
}

pub(crate) fn at_kw(i: &str, k: &'static str) -> bool {
    peek_kw(i, k).is_some()
}

/// Keywords that may not be used as a plain name (they must be written
/// `['...']`); the official keyword table's query keywords minus those
/// allowed as identifiers (GRAMMAR-NOTES §4). Sorted (binary search).
const RESERVED: &[&str] = &[
    "accumulate",
    "and",
    "as",
    "asc",
    "between",
    "boolean",
    "by",
    "contains",
    "contains_cs",
    "containscs",
    "datatable",
    "date",
    "datetime",
    "decimal",
    "desc",
    "double",
    "dynamic",
    "endswith",
    "endswith_cs",
    "external_data",
    "externaldata",
    "find",
    "first",
    "has",
    "has_all",
    "has_any",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "in",
    "int",
    "int32",
    "int64",
    "invoke",
    "kind",
    "last",
    "like",
    "likecs",
    "long",
    "make-series",
    "materialize",
    "mv-apply",
    "mv-expand",
    "notcontains",
    "notcontainscs",
    "notlike",
    "notlikecs",
    "of",
    "or",
    "parse-kv",
    "parse-where",
    "print",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-smart",
    "real",
    "sample",
    "sample-distinct",
    "search",
    "set",
    "startswith",
    "startswith_cs",
    "string",
    "time",
    "timespan",
    "title",
    "to",
    "top-hitters",
    "top-nested",
    "toscalar",
    "totable",
    "union",
    "uniqueid",
    "where",
    "with_source",
    "withsource",
];

/// Reserved keywords that may still be *declared* as names (left of `=` in
/// `extend`/`project`/`summarize`, `let` names, parameters, renames). Sorted.
const DECLARABLE: &[&str] = &[
    "accumulate",
    "as",
    "by",
    "contains",
    "datatable",
    "externaldata",
    "find",
    "has",
    "in",
    "invoke",
    "materialize",
    "of",
    "print",
    "sample",
    "sample-distinct",
    "search",
    "set",
    "title",
    "to",
    "top-hitters",
    "top-nested",
    "toscalar",
    "totable",
    "where",
];

/// Keywords accepted as member names after `.` although reserved.
const MEMBER_KEYWORDS: &[&str] = &["kind", "withsource", "with_source"];

pub(crate) fn is_reserved(word: &str) -> bool {
    // Reserved words are lower-case; most identifiers are not, which skips
    // the search for them.
    let b = word.as_bytes();
    if b.len() < 2 || b.len() > 15 || !b[0].is_ascii_lowercase() {
        return false;
    }
    // The table is sorted, so the words sharing the first letter are one run.
    let lo = RESERVED.partition_point(|w| w.as_bytes()[0] < b[0]);
    RESERVED[lo..]
        .iter()
        .take_while(|w| w.as_bytes()[0] == b[0])
        .any(|w| w.len() == b.len() && w.as_bytes() == b)
}

/// Where a name appears; decides which keywords it may be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NameUse {
    /// A reference to a column, variable, table or function.
    Reference,
    /// A name being declared (`x = ...`, `let x`, parameters).
    Declaration,
    /// After `.` in a path.
    Member,
}

/// A name: an identifier, a keyword allowed in this position, or `['...']`.
pub(crate) fn name(i: &str, usage: NameUse) -> PResult<'_, Ident> {
    if let Some(r) = bracketed_name(i) {
        return r;
    }
    match plain_name_len(i, usage) {
        Ok(n) => Ok(plain_name(i, n)),
        Err(0) => PError::what(i, "a name").err(),
        Err(n) => {
            let word = &i[..n];
            PError::message(i, format!("expected a name, found keyword `{word}`"))
                .with_help(format!(
                    "if `{word}` is meant as a name, it needs to be bracketed as ['{word}']"
                ))
                .err()
        }
    }
}

/// The length of the unbracketed name at `i`; `Err(len)` for a keyword not
/// allowed here, `Err(0)` for no identifier at all.
fn plain_name_len(i: &str, usage: NameUse) -> Result<usize, usize> {
    let n = ident_len(i);
    if n == 0 {
        return Err(0);
    }
    let word = &i[..n];
    let allowed = !is_reserved(word)
        || match usage {
            NameUse::Reference => false,
            NameUse::Declaration => DECLARABLE.binary_search(&word).is_ok(),
            NameUse::Member => MEMBER_KEYWORDS.contains(&word),
        };
    if allowed { Ok(n) } else { Err(n) }
}

/// The identifier of `n` bytes at `i` (already checked by the caller).
pub(crate) fn plain_name(i: &str, n: usize) -> (&str, Ident) {
    let (rest, span) = finish(i, &i[n..]);
    (
        rest,
        Ident {
            name: i[..n].to_string(),
            span,
        },
    )
}

/// Whether `name` can be written as is (without `['...']`) where a name of
/// this use is expected: one identifier token, not a keyword reserved there.
pub(crate) fn is_plain_name(name: &str, usage: NameUse) -> bool {
    if name.is_empty() || ident_len(name) != name.len() {
        return false;
    }
    plain_name_len(name, usage).is_ok()
}

/// Whether `word(` starts a typed literal (`datetime(...)`, `bool(...)`).
pub(crate) fn is_typed_literal_type(word: &str) -> bool {
    TYPED_LITERAL_TYPES.contains(&word)
}

/// Like [`name`] but without error: the name and the input after it.
pub(crate) fn peek_name(i: &str, usage: NameUse) -> Option<(&str, Ident)> {
    if i.starts_with('[') {
        return name(i, usage).ok();
    }
    plain_name_len(i, usage).ok().map(|n| plain_name(i, n))
}

/// The length of an identifier token (not a keyword check): a word, or
/// digits followed by a word (`3Dchart`). Literal-looking words (`true`,
/// raw guids, `1d`) are not identifiers.
pub(crate) fn ident_len(i: &str) -> usize {
    let b = i.as_bytes();
    let Some(&first) = b.first() else { return 0 };
    if first.is_ascii_digit() {
        if number_shape(i) {
            return 0;
        }
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let rest = word_len(&i[digits..]);
        return if rest > 0 { digits + rest } else { 0 };
    }
    let n = word_at(i);
    if n == 0 {
        return 0;
    }
    let word = &i[..n];
    if is_bool_word(word) || guid_len(i).is_some() {
        return 0;
    }
    if (word == "h" || word == "H") && starts_string_body(&i[1..]) {
        return 0;
    }
    n
}

/// `['name']` / `["name"]` (adjacent strings concatenate).
pub(crate) fn bracketed_name(i: &str) -> Option<PResult<'_, Ident>> {
    if !i.starts_with('[') {
        return None;
    }
    let inner = skip_trivia(&i[1..]);
    if !starts_string(inner) {
        return None;
    }
    Some(bracketed_name_body(i, inner))
}

fn bracketed_name_body<'a>(open: &'a str, inner: &'a str) -> PResult<'a, Ident> {
    let start = offset(open);
    let (rest, (text, _)) = string_lit(inner)?;
    let (rest, close) = sym(rest, "]")?;
    Ok((
        rest,
        Ident {
            name: text,
            span: span_from(start, close),
        },
    ))
}

fn is_bool_word(w: &str) -> bool {
    matches!(w, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

// ---------------------------------------------------------------------------
// Strings

/// Whether a string literal token starts here.
pub(crate) fn starts_string(i: &str) -> bool {
    starts_string_body(i)
        || ((i.starts_with('h') || i.starts_with('H')) && starts_string_body(&i[1..]))
}

fn starts_string_body(i: &str) -> bool {
    i.starts_with('"')
        || i.starts_with('\'')
        || i.starts_with("@\"")
        || i.starts_with("@'")
        || i.starts_with("```")
        || i.starts_with("~~~")
}

/// One or more adjacent string literals (whitespace and comments between
/// them allowed), concatenated. Returns the text and the span of them all.
pub(crate) fn string_lit(i: &str) -> PResult<'_, (String, Span)> {
    if !starts_string(i) {
        return PError::what(i, "a string literal").err();
    }
    let start = offset(i);
    let mut text = String::new();
    let mut rest = i;
    let mut last = Span::point(start);
    while starts_string(rest) {
        let (after, span) = string_token(rest, &mut text)?;
        rest = after;
        last = span;
    }
    Ok((rest, (text, span_from(start, last))))
}

/// One string token, appended to `out`.
fn string_token<'a>(i: &'a str, out: &mut String) -> PResult<'a, Span> {
    let body = if (i.starts_with('h') || i.starts_with('H')) && starts_string_body(&i[1..]) {
        &i[1..]
    } else {
        i
    };
    let after = if let Some(fence) = ["```", "~~~"].into_iter().find(|f| body.starts_with(f)) {
        let content = &body[3..];
        match content.find(fence) {
            Some(end) => {
                out.push_str(&content[..end]);
                &content[end + 3..]
            }
            None => {
                return PError::message(i, "unterminated multi-line string literal")
                    .with_len(3)
                    .with_help(format!("close the string with {fence}"))
                    .fail();
            }
        }
    } else if let Some(verbatim) = body.strip_prefix('@') {
        verbatim_body(i, verbatim, out)?
    } else {
        escaped_body(i, body, out)?
    };
    Ok(finish(i, after))
}

/// `@"..."`: no escapes, the quote doubled to include it. `v` starts at the quote.
fn verbatim_body<'a>(
    token: &'a str,
    v: &'a str,
    out: &mut String,
) -> Result<&'a str, nom::Err<PError<'a>>> {
    let quote = if v.starts_with('"') { '"' } else { '\'' };
    let mut chars = v[1..].char_indices();
    while let Some((k, c)) = chars.next() {
        if c == quote {
            if v[1 + k + 1..].starts_with(quote) {
                out.push(quote);
                chars.next();
                continue;
            }
            return Ok(&v[1 + k + 1..]);
        }
        if is_line_break(c) {
            break;
        }
        out.push(c);
    }
    unterminated(token)
}

fn unterminated<'a, T>(token: &'a str) -> Result<T, nom::Err<PError<'a>>> {
    let line = token.find(is_line_break).unwrap_or(token.len());
    PError::message(token, "unterminated string literal")
        .with_len(line.max(1))
        .with_help(
            "add the closing quote; a string cannot span lines unless written ```like this```",
        )
        .fail()
}

/// `"..."` or `'...'` with backslash escapes. `b` starts at the quote.
fn escaped_body<'a>(
    token: &'a str,
    b: &'a str,
    out: &mut String,
) -> Result<&'a str, nom::Err<PError<'a>>> {
    let quote = if b.starts_with('"') { '"' } else { '\'' };
    let body = &b[1..];
    let mut chars = body.char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        if c == quote {
            return Ok(&body[k + 1..]);
        }
        if is_line_break(c) {
            break;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let esc_at = &body[k..];
        let Some((_, e)) = chars.next() else { break };
        let simple = match e {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let (digits, radix, max) = match e {
            'u' => (4, 16, 4),
            'U' => (8, 16, 8),
            'x' => (2, 16, 2),
            '0'..='7' => (1, 8, if e <= '3' { 3 } else { 2 }),
            _ => return bad_escape(esc_at, e),
        };
        // Collect the digits (the octal first digit is `e` itself).
        let mut value: u32 = 0;
        let mut count = 0;
        if radix == 8 {
            value = e.to_digit(8).unwrap_or(0);
            count = 1;
        }
        while count < max {
            match chars.peek() {
                Some(&(_, d)) if d.is_digit(radix) => {
                    value = value * radix + d.to_digit(radix).unwrap_or(0);
                    count += 1;
                    chars.next();
                }
                _ => break,
            }
        }
        if count < digits {
            return bad_escape(esc_at, e);
        }
        match char::from_u32(value) {
            Some(ch) => out.push(ch),
            None => return bad_escape(esc_at, e),
        }
    }
    unterminated(token)
}

fn bad_escape<T>(at: &str, e: char) -> Result<T, nom::Err<PError<'_>>> {
    PError::message(at, format!("invalid escape sequence `\\{e}` in string literal"))
        .with_len(1 + e.len_utf8())
        .with_help(format!(
            "write `\\\\{e}` for a backslash followed by `{e}`, or use a verbatim string @\"...\" in which backslashes are plain characters"
        ))
        .fail()
}

// ---------------------------------------------------------------------------
// Numbers, timespans, guids, bools, typed literals

/// The length of a raw guid token (8-4-4-4-12 hex digits) at the start.
fn guid_len(i: &str) -> Option<usize> {
    let b = i.as_bytes();
    let groups = [8, 4, 4, 4, 12];
    let mut k = 0;
    for (n, &len) in groups.iter().enumerate() {
        if n > 0 {
            if b.get(k) != Some(&b'-') {
                return None;
            }
            k += 1;
        }
        for _ in 0..len {
            if !b.get(k).is_some_and(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            k += 1;
        }
    }
    if b.get(k).is_some_and(|&c| is_ident_char(c)) {
        return None;
    }
    Some(k)
}

/// Timespan unit suffixes and their length in nanoseconds.
const TIMESPAN_UNITS: &[(&str, i128)] = &[
    ("d", 86_400_000_000_000),
    ("day", 86_400_000_000_000),
    ("days", 86_400_000_000_000),
    ("h", 3_600_000_000_000),
    ("hr", 3_600_000_000_000),
    ("hrs", 3_600_000_000_000),
    ("hour", 3_600_000_000_000),
    ("hours", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("min", 60_000_000_000),
    ("minute", 60_000_000_000),
    ("minutes", 60_000_000_000),
    ("s", 1_000_000_000),
    ("sec", 1_000_000_000),
    ("second", 1_000_000_000),
    ("seconds", 1_000_000_000),
    ("ms", 1_000_000),
    ("milli", 1_000_000),
    ("millis", 1_000_000),
    ("millisec", 1_000_000),
    ("millisecond", 1_000_000),
    ("milliseconds", 1_000_000),
    ("micro", 1_000),
    ("micros", 1_000),
    ("microsec", 1_000),
    ("microsecond", 1_000),
    ("microseconds", 1_000),
    ("nano", 1),
    ("nanos", 1),
    ("nanosec", 1),
    ("nanosecond", 1),
    ("nanoseconds", 1),
    ("tick", 100),
    ("ticks", 100),
];

/// The shape of a numeric token starting with a digit.
enum NumShape<'a> {
    Guid(usize),
    Hex {
        digits: &'a str,
        len: usize,
    },
    Real {
        len: usize,
    },
    Timespan {
        int: &'a str,
        frac: &'a str,
        unit_ns: i128,
        len: usize,
    },
    Long {
        len: usize,
    },
}

fn number_shape(i: &str) -> bool {
    num_shape(i).is_some()
}

fn num_shape(i: &str) -> Option<NumShape<'_>> {
    let b = i.as_bytes();
    if !b.first().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    if let Some(n) = guid_len(i) {
        return Some(NumShape::Guid(n));
    }
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    // hex
    if int_len == 1 && b[0] == b'0' && matches!(b.get(1), Some(b'x' | b'X')) {
        let hex = b[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if hex > 0 && !next_is_ident_char(&i[2 + hex..]) {
            return Some(NumShape::Hex {
                digits: &i[2..2 + hex],
                len: 2 + hex,
            });
        }
        return None;
    }
    // fraction: a `.` not followed by another `.`
    let mut k = int_len;
    let mut frac = "";
    if b.get(k) == Some(&b'.') && b.get(k + 1) != Some(&b'.') {
        let f = b[k + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        frac = &i[k + 1..k + 1 + f];
        k += 1 + f;
    }
    let mantissa_end = k;
    // exponent
    let mut has_exp = false;
    if matches!(b.get(k), Some(b'e' | b'E')) {
        let mut e = k + 1;
        if matches!(b.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let d = b[e.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if d > 0 {
            k = e + d;
            has_exp = true;
        }
    }
    let is_real = mantissa_end > int_len || has_exp;
    if is_real && !next_is_ident_char(&i[k..]) {
        return Some(NumShape::Real { len: k });
    }
    // timespan: number + unit (the number may have a fraction but no exponent)
    let unit_start = mantissa_end;
    let unit_len = word_len(&i[unit_start..]);
    let bare_dot = mantissa_end > int_len && frac.is_empty();
    if unit_len > 0 && !has_exp && !bare_dot {
        let unit = &i[unit_start..unit_start + unit_len];
        if let Some(&(_, ns)) = TIMESPAN_UNITS.iter().find(|(u, _)| *u == unit) {
            return Some(NumShape::Timespan {
                int: &i[..int_len],
                frac,
                unit_ns: ns,
                len: unit_start + unit_len,
            });
        }
    }
    if !next_is_ident_char(&i[int_len..]) && b.get(int_len) != Some(&b'.') {
        return Some(NumShape::Long { len: int_len });
    }
    if b.get(int_len) == Some(&b'.') && b.get(int_len + 1) == Some(&b'.') {
        return Some(NumShape::Long { len: int_len });
    }
    None
}

/// Ticks (100 ns) of `int.frac` units of `unit_ns` nanoseconds.
fn timespan_ticks(int: &str, frac: &str, unit_ns: i128) -> Option<i64> {
    let whole: i128 = int.parse().ok()?;
    let frac = &frac[..frac.len().min(18)];
    let mut ns = whole.checked_mul(unit_ns)?;
    if !frac.is_empty() {
        let f: i128 = frac.parse().ok()?;
        let scale = 10_i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        ns = ns.checked_add(f.checked_mul(unit_ns)? / scale)?;
    }
    i64::try_from(ns / 100).ok()
}

/// Type names that form a typed literal when `(` follows immediately:
/// `datetime(2021-01-01)`, `long(null)`, `real(+inf)`.
const TYPED_LITERAL_TYPES: &[&str] = &[
    "bool", "boolean", "date", "datetime", "decimal", "double", "guid", "int", "int32", "int64",
    "long", "real", "time", "timespan",
];

/// A scalar literal token: number, real, timespan, raw guid, bool, typed
/// literal or string (adjacent strings concatenated). `None` if none starts here.
pub(crate) fn scalar_literal(i: &str) -> Option<PResult<'_, (Literal, Span)>> {
    if starts_string(i) {
        return Some(string_lit(i).map(|(r, (s, span))| (r, (Literal::String(s), span))));
    }
    let b = i.as_bytes();
    let first = *b.first()?;
    if first.is_ascii_digit() {
        num_shape(i)?;
        return Some(number_token(i));
    }
    if !is_ident_start(first) {
        return None;
    }
    if let Some(n) = guid_len(i) {
        let (rest, span) = finish(i, &i[n..]);
        let lit = Literal::Typed {
            type_name: "guid".into(),
            text: i[..n].to_string(),
        };
        return Some(Ok((rest, (lit, span))));
    }
    let n = word_at(i);
    let word = &i[..n];
    if is_bool_word(word) {
        let (rest, span) = finish(i, &i[n..]);
        return Some(Ok((
            rest,
            (Literal::Bool(word.starts_with(['t', 'T'])), span),
        )));
    }
    if TYPED_LITERAL_TYPES.contains(&word) && i[n..].starts_with('(') {
        return Some(typed_literal(i, word));
    }
    None
}

/// `type(raw text)`: everything up to the next `)` on the same line.
fn typed_literal<'a>(i: &'a str, word: &str) -> PResult<'a, (Literal, Span)> {
    let inner = &i[word.len() + 1..];
    let close = inner.find(|c: char| c == ')' || is_line_break(c));
    match close {
        Some(k) if inner[k..].starts_with(')') => {
            let (rest, span) = finish(i, &inner[k + 1..]);
            let lit = Literal::Typed {
                type_name: word.to_string(),
                text: inner[..k].trim().to_string(),
            };
            Ok((rest, (lit, span)))
        }
        _ => PError::message(i, format!("unterminated `{word}(...)` literal"))
            .with_len(word.len() + 1)
            .with_help("a typed literal's text ends with `)` on the same line")
            .fail(),
    }
}

fn number_token(i: &str) -> PResult<'_, (Literal, Span)> {
    let Some(shape) = num_shape(i) else {
        return PError::what(i, "a number").err();
    };
    let (lit, len) = match shape {
        NumShape::Guid(n) => (
            Literal::Typed {
                type_name: "guid".into(),
                text: i[..n].to_string(),
            },
            n,
        ),
        NumShape::Hex { digits, len } => match u64::from_str_radix(digits, 16) {
            // Hex literals name a 64-bit pattern: 0xFFFFFFFFFFFFFFFF is -1.
            Ok(v) => (Literal::Long(v as i64), len),
            Err(_) => {
                return PError::message(i, "hexadecimal literal does not fit in 64 bits")
                    .with_len(len)
                    .fail();
            }
        },
        NumShape::Real { len } => match i[..len].parse::<f64>() {
            Ok(v) if v.is_finite() => (Literal::Real(v), len),
            Ok(_) => {
                return PError::message(i, "real literal out of range")
                    .with_len(len)
                    .with_help("write real(+inf) or real(-inf) for infinities")
                    .fail();
            }
            Err(_) => {
                return PError::message(i, "invalid real literal")
                    .with_len(len)
                    .fail();
            }
        },
        NumShape::Timespan {
            int,
            frac,
            unit_ns,
            len,
        } => match timespan_ticks(int, frac, unit_ns) {
            Some(t) => (Literal::Timespan(t), len),
            None => {
                return PError::message(i, "timespan literal out of range")
                    .with_len(len)
                    .fail();
            }
        },
        NumShape::Long { len } => match i[..len].parse::<i64>() {
            Ok(v) => (Literal::Long(v), len),
            Err(_) => {
                return PError::message(i, "integer literal does not fit in a long (64 bits)")
                    .with_len(len)
                    .with_help("write it as a real (add `.0`) if an approximate value will do")
                    .fail();
            }
        },
    };
    let (rest, span) = finish(i, &i[len..]);
    Ok((rest, (lit, span)))
}

/// A number with an optional sign, as one literal (literal-only positions:
/// `datatable` rows, `dynamic` contents, parameter defaults).
pub(crate) fn signed_number(i: &str) -> Option<PResult<'_, (Literal, Span)>> {
    let (sign, body) = if let Some(b) = i.strip_prefix('-') {
        (-1, b)
    } else if let Some(b) = i.strip_prefix('+') {
        (1, b)
    } else {
        (1, i)
    };
    let body_trim = skip_trivia(body);
    if !body_trim
        .as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_digit())
    {
        return None;
    }
    let start = offset(i);
    Some(signed_body(i, body_trim, sign < 0, start))
}

fn signed_body<'a>(
    i: &'a str,
    body: &'a str,
    negative: bool,
    start: usize,
) -> PResult<'a, (Literal, Span)> {
    let (rest, (lit, span)) = number_token(body)?;
    let lit = match lit {
        _ if !negative => lit,
        Literal::Long(v) => Literal::Long(v.wrapping_neg()),
        Literal::Real(v) => Literal::Real(-v),
        Literal::Timespan(v) => Literal::Timespan(v.wrapping_neg()),
        _ => return PError::message(i, "a sign cannot precede this literal").fail(),
    };
    Ok((rest, (lit, span_from(start, span))))
}

// ---------------------------------------------------------------------------
// Describing the token at an error position

/// The length of the token at `at` and how to name it in a message.
pub(crate) fn describe_token(at: &str) -> (usize, String) {
    let at_trim = skip_trivia(at);
    let skipped = at.len() - at_trim.len();
    let i = at_trim;
    if i.is_empty() {
        return (0, "end of input".into());
    }
    let (len, what) = describe_here(i);
    // The span should start at the token, so report the trivia as part of
    // the length only when the error sits on trivia (rare).
    (skipped + len, what)
}

fn describe_here(i: &str) -> (usize, String) {
    if starts_string(i) {
        let line = i.find(is_line_break).unwrap_or(i.len());
        let mut scratch = String::new();
        let len = match string_token(i, &mut scratch) {
            Ok((rest, _)) => (i.len() - rest.len()).min(line),
            Err(_) => line,
        };
        return (len.max(1), "a string literal".into());
    }
    if let Some(shape) = num_shape(i) {
        let len = match shape {
            NumShape::Guid(n) => n,
            NumShape::Hex { len, .. }
            | NumShape::Real { len }
            | NumShape::Timespan { len, .. }
            | NumShape::Long { len } => len,
        };
        return (len, format!("`{}`", &i[..len]));
    }
    let n = word_at(i);
    if n > 0 {
        let word = &i[..n];
        let fused = ["matches regex"].into_iter().find(|k| i.starts_with(k));
        if let Some(k) = fused {
            return (k.len(), format!("keyword `{k}`"));
        }
        if is_reserved(word) {
            return (n, format!("keyword `{word}`"));
        }
        return (n, format!("`{word}`"));
    }
    if let Some(after_bang) = i.strip_prefix('!') {
        let w = word_len(after_bang);
        if w > 0 {
            let mut len = 1 + w;
            if i[len..].starts_with('~') {
                len += 1;
            }
            return (len, format!("`{}`", &i[..len]));
        }
    }
    if let Some(p) = punct_at(i) {
        return (p.len(), format!("`{p}`"));
    }
    let c = i.chars().next().unwrap_or(' ');
    (c.len_utf8(), format!("`{c}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_source<T>(s: &str, f: impl FnOnce(&str) -> T) -> T {
        let _scope = SourceScope::enter(s);
        f(s)
    }

    fn lit(s: &str) -> Literal {
        with_source(s, |s| scalar_literal(s).unwrap().unwrap().1.0)
    }

    #[test]
    fn trivia_skips_comments_and_unicode_spaces() {
        assert_eq!(skip_trivia("  // c\n\u{a0} // d\r\nx"), "x");
        assert_eq!(skip_trivia("// only"), "");
    }

    #[test]
    fn keywords_respect_word_boundaries() {
        with_source("hasprefix", |s| assert!(peek_kw(s, "has").is_none()));
        with_source("has_any", |s| assert!(peek_kw(s, "has").is_none()));
        with_source("project-away x", |s| {
            assert!(peek_kw(s, "project").is_none())
        });
        with_source("project-away x", |s| {
            assert!(peek_kw(s, "project-away").is_some())
        });
        with_source("in~ (1)", |s| assert!(peek_kw(s, "in").is_none()));
        with_source("projectx", |s| assert!(peek_kw(s, "project").is_none()));
        with_source("count-1", |s| assert_eq!(peek_word(s), Some("count")));
    }

    #[test]
    fn punctuation_takes_the_longest_token() {
        assert_eq!(punct_at("==1"), Some("=="));
        assert_eq!(punct_at("..5"), Some(".."));
        assert_eq!(punct_at("<>"), Some("<>"));
        assert_eq!(punct_at("@\"x\""), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(lit("12"), Literal::Long(12));
        assert_eq!(lit("0x1F"), Literal::Long(31));
        assert_eq!(lit("1.5e-3"), Literal::Real(0.0015));
        assert_eq!(lit("1."), Literal::Real(1.0));
        assert_eq!(lit("1e3"), Literal::Real(1000.0));
        assert_eq!(lit("1..5"), Literal::Long(1));
    }

    #[test]
    fn timespans_in_ticks() {
        assert_eq!(lit("1d"), Literal::Timespan(864_000_000_000));
        assert_eq!(lit("1.5h"), Literal::Timespan(54_000_000_000));
        assert_eq!(lit("30min"), Literal::Timespan(18_000_000_000));
        assert_eq!(lit("10sec"), Literal::Timespan(100_000_000));
        assert_eq!(lit("100ms"), Literal::Timespan(1_000_000));
        assert_eq!(lit("10microsecond"), Literal::Timespan(100));
        assert_eq!(lit("5tick"), Literal::Timespan(5));
        assert_eq!(lit("2days"), Literal::Timespan(1_728_000_000_000));
        assert_eq!(lit("3hrs"), Literal::Timespan(108_000_000_000));
        assert_eq!(lit("30m"), Literal::Timespan(18_000_000_000));
        assert_eq!(lit("1000nanoseconds"), Literal::Timespan(10));
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(lit(r#""a\tb\\""#), Literal::String("a\tb\\".into()));
        assert_eq!(
            lit(r#"'\\n.*(>|\'|=|\")'"#),
            Literal::String(r#"\n.*(>|'|=|")"#.into())
        );
        assert_eq!(lit(r#"@"a""b""#), Literal::String("a\"b".into()));
        assert_eq!(lit(r"@'C:\f.txt'"), Literal::String(r"C:\f.txt".into()));
        assert_eq!(
            lit("\"\\u00A0\\x41\\101\""),
            Literal::String("\u{a0}AA".into())
        );
        assert_eq!(lit("```a\nb```"), Literal::String("a\nb".into()));
        assert_eq!(lit("h'x' // c\n @\"y\""), Literal::String("xy".into()));
    }

    #[test]
    fn typed_bool_guid() {
        assert_eq!(
            lit("datetime(2021-01-01T00:00:00Z)"),
            Literal::Typed {
                type_name: "datetime".into(),
                text: "2021-01-01T00:00:00Z".into()
            }
        );
        assert_eq!(lit("True"), Literal::Bool(true));
        assert_eq!(lit("FALSE"), Literal::Bool(false));
        assert_eq!(
            lit("b24988ac-6180-42a0-ab88-20f7382dd24c"),
            Literal::Typed {
                type_name: "guid".into(),
                text: "b24988ac-6180-42a0-ab88-20f7382dd24c".into()
            }
        );
        with_source("tRue", |s| assert!(scalar_literal(s).is_none()));
        with_source("datetime (1)", |s| assert!(scalar_literal(s).is_none()));
    }

    #[test]
    fn keyword_tables_are_sorted() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        assert!(DECLARABLE.windows(2).all(|w| w[0] < w[1]));
        assert!(DECLARABLE.iter().all(|w| is_reserved(w)));
    }

    #[test]
    fn identifiers() {
        assert_eq!(ident_len("3Dchart x"), 7);
        assert_eq!(ident_len("10sx"), 4);
        assert_eq!(ident_len("1d"), 0);
        assert_eq!(ident_len("$left.a"), 5);
        assert_eq!(ident_len("h'x'"), 0);
        assert_eq!(ident_len("true"), 0);
    }
}

//! Syntax errors: the internal error the grammar functions pass around
//! ([`PError`]) and the public [`SyntaxError`] it becomes.
//!
//! Grammar functions fail with nom's `Err::Error` (try something else) or
//! `Err::Failure` (committed, after `cut`). When alternatives fail, the error
//! that got furthest into the text wins; at the same position their
//! expectations are merged, so the message can say "expected `,` or `)`".

use crate::diagnostic::Diagnostic;
use crate::span::{LineCol, Span};
use crate::syntax::lex;

/// A query that is not valid KQL (or uses syntax kqlite does not read).
///
/// Parsing stops at the first error. `message` says what was expected and
/// what was found; `span` covers the offending token.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[deny(missing_docs)]
#[error("{message}")]
pub struct SyntaxError {
    /// Where in the query text.
    pub span: Span,
    /// What was expected and what was found.
    pub message: String,
    /// A suggestion, if there is one.
    pub help: Option<String>,
}

#[deny(missing_docs)]
impl SyntaxError {
    /// The error as a compiler-style diagnostic (render it with the query
    /// text to get the caret display).
    pub fn diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(self.message.clone()).at(self.span);
        if let Some(help) = &self.help {
            d = d.with_help(help.clone());
        }
        d
    }
}

/// One thing the parser would have accepted at the error position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    /// A token written as is: `)`, `by`, `==`. Shown in backticks.
    Token(&'static str),
    /// A description: "an expression", "a column name".
    What(&'static str),
}

/// The error type of every grammar function: where, and (boxed, to keep
/// results small) what.
#[derive(Clone, Debug)]
pub(crate) struct PError<'a> {
    /// The remaining input where the error was found.
    pub at: &'a str,
    pub d: Box<Detail>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Detail {
    pub expected: Vec<Expected>,
    /// A complete message replacing "expected ..., found ...".
    pub message: Option<String>,
    /// Length of the offending text; by default the token at `at`.
    pub len: Option<usize>,
    pub help: Option<String>,
    /// Offset of a bracket that is still open (for "unclosed `(`" help).
    pub open: Option<(usize, &'static str)>,
}

pub(crate) type PResult<'a, T> = nom::IResult<&'a str, T, PError<'a>>;

impl<'a> PError<'a> {
    pub fn expected(at: &'a str, what: Expected) -> PError<'a> {
        PError {
            at,
            d: Box::new(Detail {
                expected: vec![what],
                ..Detail::default()
            }),
        }
    }

    pub fn token(at: &'a str, token: &'static str) -> PError<'a> {
        PError::expected(at, Expected::Token(token))
    }

    pub fn what(at: &'a str, what: &'static str) -> PError<'a> {
        PError::expected(at, Expected::What(what))
    }

    /// An error with its own message (no "expected ..." list).
    pub fn message(at: &'a str, message: impl Into<String>) -> PError<'a> {
        PError {
            at,
            d: Box::new(Detail {
                message: Some(message.into()),
                ..Detail::default()
            }),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> PError<'a> {
        self.d.help = Some(help.into());
        self
    }

    pub fn with_len(mut self, len: usize) -> PError<'a> {
        self.d.len = Some(len);
        self
    }

    pub fn with_open(mut self, offset: usize, bracket: &'static str) -> PError<'a> {
        self.d.open = Some((offset, bracket));
        self
    }

    /// As a recoverable error (`Err::Error`).
    pub fn err<T>(self) -> Result<T, nom::Err<PError<'a>>> {
        Err(nom::Err::Error(self))
    }

    /// As a committed error (`Err::Failure`).
    pub fn fail<T>(self) -> Result<T, nom::Err<PError<'a>>> {
        Err(nom::Err::Failure(self))
    }

    /// Turns the error into the public one. `source` is the whole query.
    pub fn into_syntax_error(self, source: &str) -> SyntaxError {
        let start = source.len().saturating_sub(self.at.len());
        let (token_len, found) = lex::describe_token(self.at);
        let at = self.at;
        let d = *self.d;
        let len = d.len.unwrap_or(token_len);
        let span = Span::new(start, start + len);
        let message = match d.message {
            Some(m) => m,
            None => format!("expected {}, found {found}", describe_expected(&d.expected)),
        };
        let mut help = d.help;
        if help.is_none() {
            help = default_help(at, &d.expected);
        }
        if let Some((offset, bracket)) = d.open {
            let at = LineCol::of(source, offset);
            let note = format!(
                "the `{bracket}` at line {}, column {} is not closed",
                at.line, at.column
            );
            help = Some(match help {
                Some(h) => format!("{h}; {note}"),
                None => note,
            });
        }
        SyntaxError {
            span,
            message,
            help,
        }
    }
}

/// Help that follows from the token found alone.
fn default_help(at: &str, expected: &[Expected]) -> Option<String> {
    let rest = lex::skip_trivia(at);
    if let Some(placeholder) = template_placeholder(rest) {
        return Some(format!(
            "`{placeholder}` looks like a workbook or template parameter; substitute its value before running the query"
        ));
    }
    if rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=~") {
        return Some("to compare two values use `==`; a single `=` only names a column".into());
    }
    if rest.starts_with(')') || rest.starts_with(']') || rest.starts_with('}') {
        let only_end = expected.iter().all(|e| {
            matches!(
                e,
                Expected::Token(";") | Expected::Token("|") | Expected::What("end of input")
            )
        });
        if only_end {
            return Some("this closing bracket has no matching opening bracket".into());
        }
    }
    None
}

fn describe_expected(expected: &[Expected]) -> String {
    let mut items: Vec<String> = Vec::new();
    for e in expected {
        let s = match e {
            Expected::Token(t) => format!("`{t}`"),
            Expected::What(w) => (*w).to_string(),
        };
        if !items.contains(&s) {
            items.push(s);
        }
    }
    match items.len() {
        0 => "something else".to_string(),
        1 => items.swap_remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} or {last}", items.join(", "))
        }
    }
}

impl<'a> nom::error::ParseError<&'a str> for PError<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        PError {
            at: input,
            d: Box::default(),
        }
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    /// Keeps the error that got furthest; merges expectations on a tie.
    fn or(self, other: Self) -> Self {
        furthest(self, other)
    }
}

/// The error that got further into the input; on a tie, both expectation
/// lists merged (a custom message wins over a list).
pub(crate) fn furthest<'a>(a: PError<'a>, b: PError<'a>) -> PError<'a> {
    use std::cmp::Ordering;
    match a.at.len().cmp(&b.at.len()) {
        Ordering::Less => a,
        Ordering::Greater => b,
        Ordering::Equal => {
            if a.d.message.is_some() {
                return a;
            }
            if b.d.message.is_some() {
                return b;
            }
            let mut merged = a;
            let b = *b.d;
            for e in b.expected {
                if !merged.d.expected.contains(&e) {
                    merged.d.expected.push(e);
                }
            }
            if merged.d.help.is_none() {
                merged.d.help = b.help;
            }
            if merged.d.open.is_none() {
                merged.d.open = b.open;
            }
            merged
        }
    }
}

/// The known name closest to `word` in edit distance, if close enough.
pub(crate) fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    if word.is_empty() {
        return None;
    }
    let limit = match word.chars().count() {
        0..=3 => 1,
        4..=6 => 2,
        _ => 3,
    };
    known
        .iter()
        .map(|k| (edit_distance(&word.to_lowercase(), k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance (with adjacent transpositions counted as one edit).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// `{name}` or `{name:format}` (an unexpanded workbook parameter) at the
/// start of `rest`.
fn template_placeholder(rest: &str) -> Option<&str> {
    let inner = rest.strip_prefix('{')?;
    let end = inner.find('}')?;
    let body = &inner[..end];
    let ok = !body.is_empty()
        && body.len() <= 64
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.' | b'{'));
    ok.then(|| &rest[..end + 2])
}

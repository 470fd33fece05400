//! Compiled regexes for the functions that take one (`extract`,
//! `extract_all`, `replace_regex`, `trim*`, `countof(..., "regex")`,
//! `indexof_regex`, the `parse` operator).
//!
//! The pattern is almost always a constant, so each thread keeps a small
//! table of compiled regexes keyed by pattern text; a row then costs a hash
//! lookup, not a compilation. The table is bounded: when full it is
//! cleared (a query has a handful of patterns, so this only matters for
//! patterns computed per row). The `regex` crate's engines run in time
//! linear in the input; a size limit bounds what one pattern may compile to.

use super::strings::TrimRegex;
use regex::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::collections::HashMap;

/// Most patterns kept per thread before the table is cleared.
const MAX_ENTRIES: usize = 256;
/// Most memory one compiled pattern may take.
const SIZE_LIMIT: usize = 10 << 20;

thread_local! {
    static REGEXES: RefCell<HashMap<Box<str>, Option<Regex>>> = RefCell::new(HashMap::new());
    static TRIMS: RefCell<HashMap<Box<str>, Option<TrimRegex>>> = RefCell::new(HashMap::new());
}

/// Compiles `pattern` with the size limit; the error text is for messages.
/// The pattern is first made to mean what it means to RE2, the engine KQL
/// uses (see [`re2_compatible`]).
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&re2_compatible(pattern))
        .size_limit(SIZE_LIMIT)
        .build()
}

/// Rewrites the RE2 constructs that the `regex` crate spells differently,
/// so a pattern means what it means to RE2, the engine KQL uses (RE2's
/// syntax page, `github.com/google/re2/wiki/Syntax`):
///
/// * a `{` that does not start a repetition (`{n}`, `{n,}`, `{n,m}`) is a
///   literal brace in RE2 but an error here, so it is escaped. Published
///   Sentinel rules rely on this (`(\$|%24)(\{|%7B)` in the Log4j rules);
/// * inside a character class, RE2 reads `[` as a literal unless it opens
///   `[:alpha:]`, where the `regex` crate opens a nested class (`[[]` is
///   an error here), and RE2 reads `&&` and `~~` literally where the
///   `regex` crate reads set operations: each is escaped (`--` is left:
///   RE2 reads it as a range, which no escape reproduces);
/// * an octal escape (`\0`, `\012`, `\101`: a `0`, or two or three octal
///   digits) becomes `\x{..}`. A lone `\1`…`\7` is a backreference, which
///   RE2 refuses and so does the `regex` crate: it is left as it is.
///
/// A `]` right after `[` or `[^` is a literal in both.
pub fn re2_compatible(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains(['{', '[', '\\']) {
        return std::borrow::Cow::Borrowed(pattern);
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut in_class = false;
    // Position of the first member of the class being read, where a `]`
    // is a literal.
    let mut class_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let digits = octal_digits(&chars[i + 1..]);
                if digits > 0 {
                    let text: String = chars[i + 1..i + 1 + digits].iter().collect();
                    let code = u32::from_str_radix(&text, 8).unwrap_or(0);
                    out.push_str(&format!("\\x{{{code:x}}}"));
                    i += 1 + digits;
                    continue;
                }
                out.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                class_start = i;
                continue;
            }
            '[' if chars.get(i + 1) == Some(&':') => {
                // `[:alpha:]`: copied through its closing `:]`.
                let end = chars[i..]
                    .windows(2)
                    .position(|w| w == [':', ']'])
                    .map_or(chars.len(), |p| i + p + 2);
                out.extend(&chars[i..end]);
                i = end;
                continue;
            }
            '[' => {
                out.push_str("\\[");
                i += 1;
                continue;
            }
            ']' if in_class && i != class_start => in_class = false,
            '&' | '~' if in_class && chars.get(i + 1) == Some(&c) => {
                out.push(c);
                out.push('\\');
                out.push(c);
                i += 2;
                continue;
            }
            '{' if !in_class && !starts_repetition(&chars[i..]) => {
                out.push_str("\\{");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

/// How many characters after a backslash make an octal escape in RE2: a
/// `0` and up to two more octal digits, or two or three octal digits; 0
/// when they do not (a lone `1`…`7` is a backreference).
fn octal_digits(s: &[char]) -> usize {
    let run = s
        .iter()
        .take(3)
        .take_while(|c| ('0'..='7').contains(c))
        .count();
    match s.first() {
        Some('0') => run,
        Some('1'..='7') if run >= 2 => run,
        _ => 0,
    }
}

/// Whether `s` (starting at a `{`) is `{n}`, `{n,}` or `{n,m}`.
fn starts_repetition(s: &[char]) -> bool {
    let Some(close) = s.iter().position(|&c| c == '}') else {
        return false;
    };
    let body: String = s[1..close].iter().collect();
    let (min, max) = body.split_once(',').unwrap_or((&body, "0"));
    !min.is_empty()
        && min.chars().all(|c| c.is_ascii_digit())
        && max.chars().all(|c| c.is_ascii_digit())
}

/// Why `pattern` is not a valid regex, if it is not.
pub fn check(pattern: &str) -> Result<(), super::SignatureError> {
    // The trim functions wrap the pattern; checking the bare pattern is
    // what the user wrote.
    compile(pattern)?;
    Ok(())
}

fn cached<T, R>(
    table: &'static std::thread::LocalKey<RefCell<HashMap<Box<str>, Option<T>>>>,
    pattern: &str,
    build: impl FnOnce(&str) -> Option<T>,
    f: impl FnOnce(&T) -> R,
) -> Option<R> {
    table.with(|cell| {
        let mut map = cell.borrow_mut();
        if !map.contains_key(pattern) {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(Box::from(pattern), build(pattern));
        }
        map.get(pattern).and_then(Option::as_ref).map(f)
    })
}

/// Runs `f` with the compiled `pattern`; `None` if it does not compile
/// (the function's result is then null).
pub fn with_regex<R>(pattern: &str, f: impl FnOnce(&Regex) -> R) -> Option<R> {
    cached(&REGEXES, pattern, |p| compile(p).ok(), f)
}

/// As [`with_regex`] for the leading/trailing regexes of `trim`.
pub fn with_trim<R>(pattern: &str, f: impl FnOnce(&TrimRegex) -> R) -> Option<R> {
    cached(&TRIMS, pattern, |p| TrimRegex::new(p).ok(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_patterns_give_none_and_good_ones_are_reused() {
        assert_eq!(with_regex("(", |_| ()), None);
        assert_eq!(with_regex("a+", |r| r.is_match("caat")), Some(true));
        assert_eq!(with_regex("a+", |r| r.is_match("xyz")), Some(false));
        assert!(check("[").is_err());
        assert!(check(r"\d+").is_ok());
    }

    #[test]
    fn literal_braces_are_escaped_as_re2_reads_them() {
        assert_eq!(
            re2_compatible(r"(\\$|%24)(\\{|%7B)"),
            r"(\\$|%24)(\\\{|%7B)"
        );
        assert_eq!(re2_compatible(r"a{2,3}[{]\{"), r"a{2,3}[{]\{");
        assert_eq!(re2_compatible("x{y}"), r"x\{y}");
        assert_eq!(
            with_regex(r"(%24)(\\{|%7B)", |r| r.is_match(r"%24\{")),
            Some(true)
        );
        assert_eq!(with_regex("x{y}", |r| r.is_match("ax{y}")), Some(true));
    }

    /// RE2's syntax page: `[[:alpha:]]` is an ASCII class, any other `[`
    /// in a class is a literal; octal escapes are `\123`; backreferences
    /// are not supported.
    #[test]
    fn classes_and_octal_escapes_read_as_re2_reads_them() {
        let m = |p: &str, text: &str| with_regex(p, |r| r.is_match(text));
        assert_eq!(m("[[]", "a[b"), Some(true));
        assert_eq!(m("[[]", "ab"), Some(false));
        assert_eq!(m("[a[]+$", "[a["), Some(true));
        assert_eq!(m("^[[:alpha:]]+$", "abc"), Some(true));
        assert_eq!(m("^[[:alpha:]]+$", "ab1"), Some(false));
        assert_eq!(m("^[[:^alpha:][]+$", "1[2"), Some(true));
        assert_eq!(m("^[]a]+$", "]a]"), Some(true));
        assert_eq!(m("^[^]a]+$", "bc"), Some(true));
        assert_eq!(m("^[^]a]+$", "b]"), Some(false));
        assert_eq!(m("^[&&]+$", "&&"), Some(true));
        assert_eq!(m("^[a~~]+$", "~a"), Some(true));
        assert_eq!(m(r"\0", "a\0b"), Some(true));
        assert_eq!(m(r"^\101\102$", "AB"), Some(true));
        assert_eq!(m(r"^\0102$", "\u{8}2"), Some(true));
        assert_eq!(m(r"[\060-\071]", "5"), Some(true));
        assert!(check(r"(a)\1").is_err());
        assert!(check("[a").is_err());
        assert_eq!(re2_compatible(r"\d+\.\[x\]"), r"\d+\.\[x\]");
    }
}

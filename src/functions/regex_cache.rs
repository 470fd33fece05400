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

/// Rewrites the one common RE2 construct the `regex` crate reads
/// differently: a `{` that does not start a repetition (`{n}`, `{n,}`,
/// `{n,m}`) is a literal brace in RE2 but an error here, so it is escaped.
/// Published Sentinel rules rely on this (`(\$|%24)(\{|%7B)` in the
/// Log4j rules). Braces inside a character class and escaped braces are
/// left alone.
pub fn re2_compatible(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains('{') {
        return std::borrow::Cow::Borrowed(pattern);
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
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
}

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

use crate::value::text::TrimRegex;
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
pub fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

/// Why `pattern` is not a valid regex, if it is not.
pub fn check(pattern: &str) -> Result<(), String> {
    // The trim functions wrap the pattern; checking the bare pattern is
    // what the user wrote.
    compile(pattern)
        .map(|_| ())
        .map_err(|e| format!("invalid regular expression: {e}"))
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
}

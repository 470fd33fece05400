//! KQL's string matching: terms for `has`, case folding for `=~` and
//! `contains`; and the string functions Sentinel queries use everywhere.
//!
//! Everything here is a pure function over `&str`. The operators run once per
//! row, so the common case — ASCII text, a constant needle — is allocation
//! free: prepare the needle once with [`StrMatcher`] or [`TermSet`] and call
//! `matches` per row. The free functions (`contains_ci`, `has_cs`, …) build a
//! matcher on the fly and are for one-off use and tests.
//!
//! # Case folding (docs/semantics.md#case-folding)
//!
//! Case-insensitive comparisons fold each character to its Unicode *simple*
//! lowercase mapping ([`fold_char`]): ASCII by table, other characters by
//! `char::to_lowercase` when that is a single character, otherwise the
//! character itself. Decision: a non-ASCII character never folds onto ASCII
//! (the only such mapping is KELVIN SIGN U+212A → `k`), so an ASCII needle
//! can be matched byte by byte against any text.
//!
//! # Terms (docs/semantics.md#terms)
//!
//! A term is a maximal run of ASCII letters and digits; every other character,
//! including every non-ASCII character, separates terms. The 2020 version of
//! the docs page `datatypes-string-operators` says so outright ("maximal
//! sequences of ASCII alphanumeric characters"; the current page drops the
//! word "ASCII"). `L has R` holds when R occurs in L at a position where (a)
//! if R starts with a term character, the character before it is not one (or
//! it is at the start), and (b) if R ends with a term character, the
//! character after it is not one (or it is at the end). `hasprefix` checks
//! only (a), `hassuffix` only (b). An empty R matches everything (decision).

use std::collections::HashMap;

use memchr::memmem;
use regex::Regex;

use super::{Bag, Str, Value};

// ---------------------------------------------------------------------------
// Case folding
// ---------------------------------------------------------------------------

/// The case-folded form of one character (see the module docs).
#[inline]
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if !l.is_ascii() => l,
        _ => c,
    }
}

/// The upper-case counterpart of [`fold_char`], for `toupper`.
#[inline]
fn upper_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if !u.is_ascii() => u,
        _ => c,
    }
}

/// `tolower(s)` (docs: `tolower-function`): every character mapped by
/// [`fold_char`], so the length in characters never changes (as .NET's
/// invariant `ToLowerInvariant`).
pub fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.chars().map(fold_char).collect()
    }
}

/// `toupper(s)` (docs: `toupper-function`): simple upper-case mapping per
/// character (`ß` stays `ß`).
pub fn to_upper(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        s.chars().map(upper_char).collect()
    }
}

/// `a =~ b`: equality after case folding.
pub fn equals_ci(a: &str, b: &str) -> bool {
    if a.is_ascii() || b.is_ascii() {
        // A non-ASCII character never folds onto ASCII, so one ASCII side
        // forces a byte-wise comparison.
        return a.len() == b.len() && a.as_bytes().eq_ignore_ascii_case(b.as_bytes());
    }
    let mut x = a.chars().map(fold_char);
    let mut y = b.chars().map(fold_char);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p == q => {}
            _ => return false,
        }
    }
}

#[inline]
fn is_term_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

#[inline]
fn is_term_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

// ---------------------------------------------------------------------------
// Prepared matchers
// ---------------------------------------------------------------------------

/// Which string operator a [`StrMatcher`] evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchKind {
    /// `==` / `=~`
    Equals,
    /// `contains` / `contains_cs`
    Contains,
    /// `startswith` / `startswith_cs`
    StartsWith,
    /// `endswith` / `endswith_cs`
    EndsWith,
    /// `has` / `has_cs`
    Has,
    /// `hasprefix` / `hasprefix_cs`
    HasPrefix,
    /// `hassuffix` / `hassuffix_cs`
    HasSuffix,
}

/// A string operator with its right-hand side prepared once, for matching
/// many left-hand sides (docs: `datatypes-string-operators`).
///
/// ```
/// use kqlite::value::text::{MatchKind, StrMatcher};
/// let m = StrMatcher::new(MatchKind::Has, false, "america");
/// assert!(m.matches("North America"));
/// assert!(!m.matches("NorthAmerica"));
/// ```
#[derive(Clone, Debug)]
pub struct StrMatcher {
    kind: MatchKind,
    case_sensitive: bool,
    /// The needle as given (case-sensitive) or folded (case-insensitive).
    needle: Box<str>,
    /// Substring search for the case-sensitive needle.
    finder: memmem::Finder<'static>,
    /// The folded needle's characters, for non-ASCII case-insensitive search.
    chars: Box<[char]>,
    /// Whether byte-wise ASCII case-insensitive comparison is exact.
    ascii: bool,
    /// Term-boundary checks for the `has` family.
    check_before: bool,
    check_after: bool,
}

impl StrMatcher {
    pub fn new(kind: MatchKind, case_sensitive: bool, needle: &str) -> StrMatcher {
        let needle: Box<str> = if case_sensitive {
            needle.into()
        } else {
            to_lower(needle).into()
        };
        let first = needle.chars().next();
        let last = needle.chars().next_back();
        let (check_before, check_after) = match kind {
            MatchKind::Has => (
                first.is_some_and(is_term_char),
                last.is_some_and(is_term_char),
            ),
            MatchKind::HasPrefix => (first.is_some_and(is_term_char), false),
            MatchKind::HasSuffix => (false, last.is_some_and(is_term_char)),
            _ => (false, false),
        };
        StrMatcher {
            kind,
            case_sensitive,
            finder: memmem::Finder::new(needle.as_bytes()).into_owned(),
            chars: needle.chars().collect(),
            ascii: needle.is_ascii(),
            needle,
            check_before,
            check_after,
        }
    }

    pub fn kind(&self) -> MatchKind {
        self.kind
    }

    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    /// Evaluates the operator with `hay` as its left-hand side.
    pub fn matches(&self, hay: &str) -> bool {
        let n = self.needle.as_bytes();
        let h = hay.as_bytes();
        match self.kind {
            MatchKind::Equals => {
                if self.case_sensitive {
                    h == n
                } else if self.ascii {
                    h.len() == n.len() && h.eq_ignore_ascii_case(n)
                } else {
                    equals_ci(hay, &self.needle)
                }
            }
            MatchKind::StartsWith => {
                if self.case_sensitive {
                    h.starts_with(n)
                } else if self.ascii {
                    h.len() >= n.len() && h[..n.len()].eq_ignore_ascii_case(n)
                } else {
                    let mut hc = hay.chars().map(fold_char);
                    self.chars.iter().all(|&c| hc.next() == Some(c))
                }
            }
            MatchKind::EndsWith => {
                if self.case_sensitive {
                    h.ends_with(n)
                } else if self.ascii {
                    h.len() >= n.len() && h[h.len() - n.len()..].eq_ignore_ascii_case(n)
                } else {
                    let mut hc = hay.chars().rev().map(fold_char);
                    self.chars.iter().rev().all(|&c| hc.next() == Some(c))
                }
            }
            MatchKind::Contains if self.case_sensitive => self.finder.find(h).is_some(),
            _ => self.search(hay),
        }
    }

    /// Whether an occurrence at `start..end` of `hay` passes the term checks.
    #[inline]
    fn boundaries_ok(&self, h: &[u8], start: usize, end: usize) -> bool {
        (!self.check_before || start == 0 || !is_term_byte(h[start - 1]))
            && (!self.check_after || end == h.len() || !is_term_byte(h[end]))
    }

    /// Finds an occurrence of the needle that passes the term checks.
    fn search(&self, hay: &str) -> bool {
        let h = hay.as_bytes();
        let n = self.needle.as_bytes();
        if n.is_empty() {
            return true;
        }
        // (Folding can change a character's UTF-8 length, so the length test
        // only holds for byte-wise comparisons.)
        if (self.case_sensitive || self.ascii) && h.len() < n.len() {
            return false;
        }
        if self.case_sensitive {
            let mut from = 0;
            while let Some(p) = self.finder.find(&h[from..]) {
                let start = from + p;
                if self.boundaries_ok(h, start, start + n.len()) {
                    return true;
                }
                from = start + 1;
            }
            false
        } else if self.ascii {
            self.search_ascii_ci(h)
        } else {
            self.search_folded(hay)
        }
    }

    /// ASCII case-insensitive search: candidates are the positions of the
    /// first needle byte in either case, verified byte-wise.
    fn search_ascii_ci(&self, h: &[u8]) -> bool {
        let n = self.needle.as_bytes();
        let first = n[0];
        let upper = first.to_ascii_uppercase();
        let last_start = h.len() - n.len();
        let rest = &n[1..];
        let mut verify = |start: usize| {
            h[start + 1..start + n.len()].eq_ignore_ascii_case(rest)
                && self.boundaries_ok(h, start, start + n.len())
        };
        let window = &h[..=last_start];
        if first == upper {
            memchr::memchr_iter(first, window).any(&mut verify)
        } else {
            memchr::memchr2_iter(first, upper, window).any(&mut verify)
        }
    }

    /// General case-insensitive search over characters.
    fn search_folded(&self, hay: &str) -> bool {
        let h = hay.as_bytes();
        for (start, _) in hay.char_indices() {
            let mut rest = hay[start..].char_indices();
            let mut end = start;
            let mut ok = true;
            for &nc in self.chars.iter() {
                match rest.next() {
                    Some((off, hc)) if fold_char(hc) == nc => end = start + off + hc.len_utf8(),
                    Some(_) => {
                        ok = false;
                        break;
                    }
                    None => return false,
                }
            }
            if ok && self.boundaries_ok(h, start, end) {
                return true;
            }
        }
        false
    }
}

/// `hay contains needle` (case-insensitive).
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::Contains, false, needle).matches(hay)
}

/// `hay contains_cs needle`.
pub fn contains_cs(hay: &str, needle: &str) -> bool {
    memmem::find(hay.as_bytes(), needle.as_bytes()).is_some()
}

/// `hay startswith needle` (case-insensitive).
pub fn starts_with_ci(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::StartsWith, false, needle).matches(hay)
}

/// `hay startswith_cs needle`.
pub fn starts_with_cs(hay: &str, needle: &str) -> bool {
    hay.starts_with(needle)
}

/// `hay endswith needle` (case-insensitive).
pub fn ends_with_ci(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::EndsWith, false, needle).matches(hay)
}

/// `hay endswith_cs needle`.
pub fn ends_with_cs(hay: &str, needle: &str) -> bool {
    hay.ends_with(needle)
}

/// `hay has needle` (case-insensitive, whole terms).
pub fn has_ci(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::Has, false, needle).matches(hay)
}

/// `hay has_cs needle`.
pub fn has_cs(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::Has, true, needle).matches(hay)
}

/// `hay hasprefix needle`: the needle starts a term.
pub fn has_prefix_ci(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::HasPrefix, false, needle).matches(hay)
}

/// `hay hasprefix_cs needle`.
pub fn has_prefix_cs(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::HasPrefix, true, needle).matches(hay)
}

/// `hay hassuffix needle`: the needle ends a term.
pub fn has_suffix_ci(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::HasSuffix, false, needle).matches(hay)
}

/// `hay hassuffix_cs needle`.
pub fn has_suffix_cs(hay: &str, needle: &str) -> bool {
    StrMatcher::new(MatchKind::HasSuffix, true, needle).matches(hay)
}

/// A prepared list of terms for `has_any` / `has_all` (docs:
/// `has-any-operator`, `has-all-operator`; both case-insensitive), and
/// their case-sensitive variants.
///
/// A needle made only of term characters matches exactly when it equals a
/// whole term of the text, so such needles go into a hash map probed once
/// per term of the text; the others (phrases with separators, non-ASCII
/// needles) are matched one by one with `has` semantics.
#[derive(Clone, Debug)]
pub struct TermSet {
    case_sensitive: bool,
    /// Whole-term needles (folded when case-insensitive) and their index
    /// among the distinct whole-term needles.
    words: HashMap<Box<str>, usize>,
    /// The other needles.
    phrases: Vec<StrMatcher>,
    /// Whether an empty needle was listed (it matches every text).
    has_empty: bool,
}

impl TermSet {
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>, case_sensitive: bool) -> TermSet {
        let mut words = HashMap::new();
        let mut phrases = Vec::new();
        let mut has_empty = false;
        for t in terms {
            if t.is_empty() {
                has_empty = true;
            } else if t.bytes().all(is_term_byte) {
                let key: Box<str> = if case_sensitive {
                    t.into()
                } else {
                    t.to_ascii_lowercase().into()
                };
                let next = words.len();
                words.entry(key).or_insert(next);
            } else {
                phrases.push(StrMatcher::new(MatchKind::Has, case_sensitive, t));
            }
        }
        TermSet {
            case_sensitive,
            words,
            phrases,
            has_empty,
        }
    }

    /// Calls `f` with each term of `hay` (folded when case-insensitive)
    /// until it returns `true`.
    fn any_term(&self, hay: &str, mut f: impl FnMut(&str) -> bool) -> bool {
        let h = hay.as_bytes();
        let mut buf = [0u8; 64];
        let mut i = 0;
        while i < h.len() {
            if !is_term_byte(h[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < h.len() && is_term_byte(h[i]) {
                i += 1;
            }
            let term = &hay[start..i];
            let hit = if self.case_sensitive || !term.bytes().any(|b| b.is_ascii_uppercase()) {
                f(term)
            } else if term.len() <= buf.len() {
                let b = &mut buf[..term.len()];
                b.copy_from_slice(term.as_bytes());
                b.make_ascii_lowercase();
                // Term bytes are ASCII, so the buffer is valid UTF-8.
                f(std::str::from_utf8(b).unwrap_or(""))
            } else {
                f(&term.to_ascii_lowercase())
            };
            if hit {
                return true;
            }
        }
        false
    }

    /// `hay has_any (terms)`: some listed term is in `hay`. An empty list
    /// matches nothing.
    pub fn matches_any(&self, hay: &str) -> bool {
        if self.has_empty {
            return true;
        }
        (!self.words.is_empty() && self.any_term(hay, |t| self.words.contains_key(t)))
            || self.phrases.iter().any(|m| m.matches(hay))
    }

    /// `hay has_all (terms)`: every listed term is in `hay`. An empty list
    /// matches everything (decision: vacuous truth).
    pub fn matches_all(&self, hay: &str) -> bool {
        if !self.phrases.iter().all(|m| m.matches(hay)) {
            return false;
        }
        if self.words.is_empty() {
            return true;
        }
        let mut seen = vec![false; self.words.len()];
        let mut left = self.words.len();
        self.any_term(hay, |t| {
            if let Some(&i) = self.words.get(t)
                && !seen[i]
            {
                seen[i] = true;
                left -= 1;
            }
            left == 0
        })
    }
}

/// `hay has_any (terms)`, case-insensitive.
pub fn has_any(hay: &str, terms: &[&str]) -> bool {
    TermSet::new(terms.iter().copied(), false).matches_any(hay)
}

/// `hay has_all (terms)`, case-insensitive.
pub fn has_all(hay: &str, terms: &[&str]) -> bool {
    TermSet::new(terms.iter().copied(), false).matches_all(hay)
}

/// The legacy `like` / `likecs` operators.
///
/// GUESS: no Kusto documentation describes them; the official parser only
/// lexes them. This implements the SQL `LIKE` convention shared by T-SQL,
/// U-SQL and Cosmos DB: the whole text must match the pattern, `%` matches
/// any run of characters and `_` any one character. `like` folds case,
/// `likecs` does not. An executor may prefer to reject these operators.
pub fn like(hay: &str, pattern: &str, case_sensitive: bool) -> bool {
    let fold = |c: char| if case_sensitive { c } else { fold_char(c) };
    let h: Vec<char> = hay.chars().map(fold).collect();
    let p: Vec<char> = pattern.chars().map(fold).collect();
    // Classic wildcard matching with one backtrack point (the last `%`).
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < h.len() {
        if j < p.len() && (p[j] == '_' || (p[j] != '%' && p[j] == h[i])) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '%' {
            star = Some((j, i));
            j += 1;
        } else if let Some((sj, si)) = star {
            j = sj + 1;
            i = si + 1;
            star = Some((sj, si + 1));
        } else {
            return false;
        }
    }
    p[j..].iter().all(|&c| c == '%')
}

// ---------------------------------------------------------------------------
// String functions
// ---------------------------------------------------------------------------

/// `strlen(s)`: the number of Unicode code points (docs: `strlen-function`:
/// `strlen("⒦⒰⒮⒯⒪")` is 5).
pub fn strlen(s: &str) -> i64 {
    if s.is_ascii() {
        s.len() as i64
    } else {
        s.chars().count() as i64
    }
}

/// The byte offset of code point `k` in `s` (or `s.len()` past the end).
fn byte_offset(s: &str, k: usize) -> usize {
    if s.is_ascii() {
        return k.min(s.len());
    }
    s.char_indices().nth(k).map_or(s.len(), |(i, _)| i)
}

/// `substring(source, start [, length])` in code points (docs:
/// `substring-function`). A negative `start` counts from the end
/// (`substring("123456", -2, 2)` is `"56"`). Decisions where the docs are
/// silent: positions are clamped to the string (a start before the
/// beginning is the beginning; past the end gives `""`), and a negative
/// length gives `""`.
pub fn substring(s: &str, start: i64, length: Option<i64>) -> &str {
    let n = strlen(s);
    let start = if start < 0 {
        (n + start).max(0)
    } else {
        start.min(n)
    };
    let end = match length {
        Some(l) if l < 0 => return "",
        Some(l) => start.saturating_add(l).min(n),
        None => n,
    };
    let b = byte_offset(s, start as usize);
    let e = b + byte_offset(&s[b..], (end - start) as usize);
    &s[b..e]
}

/// `indexof(source, lookup [, start [, length [, occurrence]]])` in code
/// points (docs: `indexof-function`): the index of the `occurrence`-th
/// (1-based) match of `lookup` lying wholly inside the examined range, `-1`
/// if there is none. `start` counts from the end when negative; `length`
/// `-1` means to the end. `None` (null) when the start is still negative
/// after that, `length < -1`, or `occurrence < 0`.
///
/// The examined window keeps its length as the search moves on to later
/// occurrences (the docs' `indexof("abcdefgabcdefg", "cde", 1, 10, 2)` is
/// 9, past the first window's end), and the next search starts one position
/// after the previous match. Decisions: a start past the end, or occurrence
/// 0, gives -1; an empty lookup matches at the search position.
pub fn indexof(s: &str, lookup: &str, start: i64, length: i64, occurrence: i64) -> Option<i64> {
    if length < -1 || occurrence < 0 {
        return None;
    }
    let chars: Vec<char> = s.chars().collect();
    let needle: Vec<char> = lookup.chars().collect();
    let n = chars.len() as i64;
    let mut pos = if start < 0 { n + start } else { start };
    if pos < 0 {
        return None;
    }
    if pos > n || occurrence == 0 {
        return Some(-1);
    }
    let m = needle.len() as i64;
    for k in 1..=occurrence {
        let window_end = if length == -1 {
            n
        } else {
            pos.saturating_add(length).min(n)
        };
        let found = (pos..=window_end.saturating_sub(m))
            .find(|&p| chars.get(p as usize..(p + m) as usize) == Some(&needle[..]));
        match found {
            Some(p) if k == occurrence => return Some(p),
            Some(p) => pos = p + 1,
            None => return Some(-1),
        }
        if pos > n {
            return Some(-1);
        }
    }
    Some(-1)
}

/// `split(source, delimiter)`: the pieces between occurrences of the literal
/// delimiter (docs: `split-function`: `split("a__b", "_")` is
/// `["a","","b"]`, `split("", "_")` is `[""]`). Decision: an empty
/// delimiter gives the whole string as the only piece.
pub fn split<'a>(s: &'a str, delimiter: &str) -> Vec<&'a str> {
    if delimiter.is_empty() {
        return vec![s];
    }
    s.split(delimiter).collect()
}

/// `split(source, delimiter, requestedIndex)`: still an array, holding the
/// piece at that zero-based index, or empty when there is no such piece
/// (docs: `split("aaa_bbb_ccc", "_", 1)` is `["bbb"]`). Decision: a
/// negative index gives an empty array.
pub fn split_at_index<'a>(s: &'a str, delimiter: &str, index: i64) -> Vec<&'a str> {
    let Ok(i) = usize::try_from(index) else {
        return Vec::new();
    };
    split(s, delimiter).into_iter().nth(i).into_iter().collect()
}

/// The regex of `trim`, `trim_start` and `trim_end`, compiled once: those
/// functions remove *all* leading and/or trailing matches of it (docs:
/// `trim-function`: `trim("--", "--https://bing.com--")` is
/// `"https://bing.com"`; `trim("1", "11")` is `""`).
#[derive(Clone, Debug)]
pub struct TrimRegex {
    leading: Regex,
    trailing: Regex,
}

impl TrimRegex {
    /// Compiles `^(?:pattern)+` and `(?:pattern)+$` for the pattern text.
    pub fn new(pattern: &str) -> Result<TrimRegex, regex::Error> {
        Ok(TrimRegex {
            leading: Regex::new(&format!("^(?:{pattern})+"))?,
            trailing: Regex::new(&format!("(?:{pattern})+$"))?,
        })
    }

    /// `trim_start(regex, source)`.
    pub fn trim_start<'a>(&self, s: &'a str) -> &'a str {
        match self.leading.find(s) {
            Some(m) => &s[m.end()..],
            None => s,
        }
    }

    /// `trim_end(regex, source)`.
    pub fn trim_end<'a>(&self, s: &'a str) -> &'a str {
        match self.trailing.find(s) {
            Some(m) => &s[..m.start()],
            None => s,
        }
    }

    /// `trim(regex, source)`: leading matches, then trailing matches of what
    /// is left.
    pub fn trim<'a>(&self, s: &'a str) -> &'a str {
        self.trim_end(self.trim_start(s))
    }
}

/// `replace_string(text, lookup, rewrite)`: every non-overlapping literal
/// occurrence, left to right (docs: `replace-string-function`). Decision:
/// an empty lookup leaves the text unchanged.
pub fn replace_string(text: &str, lookup: &str, rewrite: &str) -> String {
    if lookup.is_empty() {
        text.to_string()
    } else {
        text.replace(lookup, rewrite)
    }
}

/// `reverse(s)`: the code points in reverse order (docs: `reverse-function`;
/// callers convert non-strings with `tostring` first).
pub fn reverse(s: &str) -> String {
    s.chars().rev().collect()
}

/// `strcmp(a, b)`: -1, 0 or 1 by ordinal comparison (docs:
/// `strcmp-function`). Decision: code point order (= UTF-8 byte order).
pub fn strcmp(a: &str, b: &str) -> i64 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// `countof(text, search)` (kind `normal`): occurrences, overlapping ones
/// included (docs: `countof("aaaa", "aa")` is 3). Decision: an empty search
/// string counts 0.
pub fn countof(text: &str, search: &str) -> i64 {
    if search.is_empty() {
        return 0;
    }
    let finder = memmem::Finder::new(search.as_bytes());
    let h = text.as_bytes();
    let mut count = 0;
    let mut from = 0;
    // A UTF-8 needle only matches at character starts, so stepping one byte
    // past each match start finds every overlapping occurrence.
    while let Some(p) = finder.find(&h[from..]) {
        count += 1;
        from += p + 1;
    }
    count
}

/// `countof(text, search, "regex")`: non-overlapping regex matches (docs:
/// `countof("abcabc", "a.c", "regex")` is 2).
pub fn countof_regex(text: &str, re: &Regex) -> i64 {
    re.find_iter(text).count() as i64
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `url_decode(encoded)` (docs: `url-decode-function`): `%hh` sequences
/// become bytes and `+` a space (form encoding, the inverse of
/// [`url_encode`]); a `%` not followed by two hex digits is kept as is.
/// Decoded bytes that are not UTF-8 become U+FFFD.
pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    if !b.iter().any(|&c| c == b'%' || c == b'+') {
        return s.to_string();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url_encode_with(s: &str, space: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'*'
            | b'('
            | b')' => out.push(b as char),
            b' ' => out.push_str(space),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

/// `url_encode(url)` (docs: `url-encode-function`: `https://www.bing.com/hello
/// world` → `https%3a%2f%2fwww.bing.com%2fhello+world`): UTF-8 bytes as
/// lower-case `%hh`, a space as `+`; letters, digits and `-_.!*()` are
/// kept (the unreserved set of .NET's `HttpUtility.UrlEncode`).
pub fn url_encode(s: &str) -> String {
    url_encode_with(s, "+")
}

/// `url_encode_component(url)`: as [`url_encode`] but a space is `%20`
/// (docs: `url-encode-component-function`).
pub fn url_encode_component(s: &str) -> String {
    url_encode_with(s, "%20")
}

fn base64_engine() -> base64::engine::GeneralPurpose {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// `base64_encode_tostring(s)`: standard alphabet, padded (docs:
/// `base64-encode-tostring-function`: `"Kusto"` → `"S3VzdG8="`).
pub fn base64_encode_tostring(s: &str) -> String {
    use base64::Engine;
    base64_engine().encode(s.as_bytes())
}

/// `base64_decode_tostring(s)` (docs: `base64-decode-tostring-function`):
/// the decoded bytes as UTF-8 text; `None` (null) when they are not UTF-8.
/// Decisions: ASCII whitespace in the input is ignored and padding is
/// optional (as .NET's decoder); other invalid base64 gives `None`.
pub fn base64_decode_tostring(s: &str) -> Option<String> {
    use base64::Engine;
    let compact: Vec<u8>;
    let input = if s.bytes().any(|b| b.is_ascii_whitespace()) {
        compact = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        &compact[..]
    } else {
        s.as_bytes()
    };
    let bytes = base64_engine().decode(input).ok()?;
    String::from_utf8(bytes).ok()
}

fn bag_of_strings(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| (Str::new(k), Value::string(v)))
        .collect()
}

/// Splits `k1=v1&k2=v2` into a bag; pieces without `=` are skipped and a
/// repeated key keeps its last value. Keys and values are taken verbatim.
fn query_parameters(query: &str) -> Bag {
    let mut bag = Bag::new();
    for pair in query.split('&') {
        if let Some((k, v)) = pair.split_once('=') {
            bag.insert(Str::new(k), Value::string(v));
        }
    }
    bag
}

/// The length of a URI scheme (`[A-Za-z][A-Za-z0-9+.-]*`) at the start of
/// `s` when it is followed by `://`.
fn scheme_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let n = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.'))?;
    s[n..].starts_with("://").then_some(n)
}

/// `parse_url(url)` (docs: `parse-url-function`): a bag with `Scheme`,
/// `Host`, `Port`, `Path`, `Username`, `Password`, `Query Parameters` (a
/// bag) and `Fragment`, all strings.
///
/// Follows what the service was seen to return (microsoft/Kusto-Query-Language
/// issue #112): `Path` keeps its leading `/` (the docs' table shows it
/// without, the service with); user info is recognised only as
/// `user:password@`; the port is whatever follows the authority's last `:`
/// (so `[2001:db8::7]` gives host `[2001:db8:` and port `7]`); query pieces
/// without `=` are dropped. Text without `scheme://` gives every field
/// empty.
pub fn parse_url(url: &str) -> Bag {
    let empty = |qp: Bag| {
        let mut bag = bag_of_strings(&[
            ("Scheme", ""),
            ("Host", ""),
            ("Port", ""),
            ("Path", ""),
            ("Username", ""),
            ("Password", ""),
        ]);
        bag.insert(Str::new("Query Parameters"), Value::bag(qp));
        bag.insert(Str::new("Fragment"), Value::empty_string());
        bag
    };
    let Some(n) = scheme_len(url) else {
        return empty(Bag::new());
    };
    let scheme = &url[..n];
    let rest = &url[n + 3..];
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (user, password, hostport) = match authority.split_once('@') {
        Some((info, host)) => match info.split_once(':') {
            Some((u, p)) => (u, p, host),
            None => ("", "", authority),
        },
        None => ("", "", authority),
    };
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, ""));
    let mut bag = bag_of_strings(&[
        ("Scheme", scheme),
        ("Host", host),
        ("Port", port),
        ("Path", path),
        ("Username", user),
        ("Password", password),
    ]);
    bag.insert(
        Str::new("Query Parameters"),
        Value::bag(query_parameters(query)),
    );
    bag.insert(Str::new("Fragment"), Value::string(fragment));
    bag
}

/// `parse_urlquery(query)` (docs: `parse-urlquery-function`): a bag with the
/// single key `Query Parameters`. The text is the query alone, without the
/// leading `?` (a leading `?` stays part of the first key, as the service
/// does per MicrosoftDocs/dataexplorer-docs issue #1056).
pub fn parse_urlquery(query: &str) -> Bag {
    let mut bag = Bag::new();
    bag.insert(
        Str::new("Query Parameters"),
        Value::bag(query_parameters(query)),
    );
    bag
}

/// `parse_path(path)` (docs: `parse-path-function`): a bag with `Scheme`,
/// `RootPath`, `DirectoryPath`, `DirectoryName`, `Filename`, `Extension`
/// and `AlternateDataStreamName`. Both slashes separate; `scheme://` is
/// split off; a drive letter `C:` is the root path; the long-path prefix
/// `\\?\` is skipped for the root; a `:` in the last component starts an
/// alternate data stream name; the extension is what follows the file
/// name's last `.`.
pub fn parse_path(path: &str) -> Bag {
    let (scheme, rest) = match scheme_len(path) {
        Some(n) => (&path[..n], &path[n + 3..]),
        None => ("", path),
    };
    let unprefixed = rest.strip_prefix(r"\\?\").unwrap_or(rest);
    let ub = unprefixed.as_bytes();
    let root = if ub.len() >= 2 && ub[0].is_ascii_alphabetic() && ub[1] == b':' {
        &unprefixed[..2]
    } else {
        ""
    };
    let (dir, last) = match rest.rfind(['/', '\\']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => ("", rest),
    };
    let dir_name = match dir.rfind(['/', '\\']) {
        Some(i) => &dir[i + 1..],
        None => dir,
    };
    // A drive letter alone is a root, not a directory name.
    let dir_name = if dir_name == root { "" } else { dir_name };
    let last = if dir.is_empty() && !root.is_empty() {
        &last[root.len().min(last.len())..]
    } else {
        last
    };
    let (file, ads) = last.split_once(':').unwrap_or((last, ""));
    let ext = file.rfind('.').map_or("", |i| &file[i + 1..]);
    bag_of_strings(&[
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", ext),
        ("AlternateDataStreamName", ads),
    ])
}

/// `extract(regex, captureGroup, source)` (docs: `extract-function`): the
/// text of the group (0 = the whole match) in the first match; `None` when
/// there is no match or the group did not take part in it (`""` for a
/// string result, null after conversion to another type — the caller's
/// job).
pub fn extract<'a>(re: &Regex, group: usize, source: &'a str) -> Option<&'a str> {
    if group == 0 {
        return re.find(source).map(|m| m.as_str());
    }
    re.captures(source)?.get(group).map(|m| m.as_str())
}

/// A capture group named in `extract_all`'s *captureGroups* argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureRef {
    Index(usize),
    Name(String),
}

/// `extract_all(regex, [captureGroups,] source)` (docs:
/// `extract-all-function`): for each match, the selected groups (all groups
/// when `groups` is `None`). With one selected group the result is an array
/// of strings, otherwise an array of arrays; null when nothing matches. A
/// group that did not take part gives `""`. Decisions: a regex without
/// groups selects the whole match; an unknown group number or name gives
/// `""`.
pub fn extract_all(re: &Regex, groups: Option<&[CaptureRef]>, source: &str) -> Value {
    let selected: Vec<Option<usize>> = match groups {
        Some(g) => g
            .iter()
            .map(|r| match r {
                CaptureRef::Index(i) => (*i < re.captures_len()).then_some(*i),
                CaptureRef::Name(n) => re.capture_names().position(|x| x == Some(n.as_str())),
            })
            .collect(),
        None if re.captures_len() > 1 => (1..re.captures_len()).map(Some).collect(),
        None => vec![Some(0)],
    };
    let mut rows = Vec::new();
    for caps in re.captures_iter(source) {
        let text = |i: &Option<usize>| {
            Value::string(i.and_then(|i| caps.get(i)).map_or("", |m| m.as_str()))
        };
        if selected.len() == 1 {
            rows.push(text(&selected[0]));
        } else {
            rows.push(Value::array(selected.iter().map(text).collect()));
        }
    }
    if rows.is_empty() {
        Value::Null
    } else {
        Value::array(rows)
    }
}

// ---------------------------------------------------------------------------
// IPv4
// ---------------------------------------------------------------------------

/// An IPv4 address with its prefix length (32 when none is written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Prefix {
    pub address: u32,
    pub prefix: u8,
}

impl Ipv4Prefix {
    /// Reads `a.b.c.d` or `a.b.c.d/n` (IP-prefix notation, n = 0–32), with
    /// surrounding whitespace. Decision: exactly four decimal parts of one
    /// to three digits, each at most 255 (no hex, octal or short forms).
    pub fn parse(text: &str) -> Option<Ipv4Prefix> {
        let t = text.trim();
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: u8 = p.parse().ok()?;
                (a, n)
            }
            None => (t, 32),
        };
        if prefix > 32 {
            return None;
        }
        let mut address: u32 = 0;
        let mut parts = 0;
        for part in addr.split('.') {
            if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: u32 = part.parse().ok()?;
            if v > 255 {
                return None;
            }
            address = address << 8 | v;
            parts += 1;
        }
        (parts == 4).then_some(Ipv4Prefix { address, prefix })
    }

    /// The address with the bits past the prefix cleared.
    pub fn masked(self) -> u32 {
        self.address & ipv4_mask(self.prefix)
    }
}

fn ipv4_mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

/// `parse_ipv4(ip)` (docs: `parse-ipv4-function`): the address as a long,
/// masked by its prefix (`192.168.1.1/24` → 3232235776). `None` (null) for
/// text that is not an IPv4 address.
pub fn parse_ipv4(ip: &str) -> Option<i64> {
    Ipv4Prefix::parse(ip).map(|p| i64::from(p.masked()))
}

/// `parse_ipv4_mask(ip, prefix)`: the address masked to `prefix` bits
/// (0–32; `None` outside). Docs: `parse-ipv4-mask-function`.
pub fn parse_ipv4_mask(ip: &str, prefix: i64) -> Option<i64> {
    let p = Ipv4Prefix::parse(ip)?;
    let extra = u8::try_from(prefix).ok().filter(|&n| n <= 32)?;
    Some(i64::from(p.address & ipv4_mask(p.prefix.min(extra))))
}

/// `ipv4_compare(ip1, ip2 [, prefix])`: -1, 0 or 1 comparing the two
/// addresses under the shortest of their prefixes and `prefix` (docs:
/// `ipv4-compare-function`). `None` if either does not parse or `prefix`
/// is outside 0–32.
pub fn ipv4_compare(ip1: &str, ip2: &str, prefix: Option<i64>) -> Option<i64> {
    let a = Ipv4Prefix::parse(ip1)?;
    let b = Ipv4Prefix::parse(ip2)?;
    let mut bits = a.prefix.min(b.prefix);
    if let Some(p) = prefix {
        bits = bits.min(u8::try_from(p).ok().filter(|&n| n <= 32)?);
    }
    let m = ipv4_mask(bits);
    Some(match (a.address & m).cmp(&(b.address & m)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

/// `ipv4_is_match(ip1, ip2 [, prefix])` (docs: `ipv4-is-match-function`):
/// equality under the combined prefix, as [`ipv4_compare`].
pub fn ipv4_is_match(ip1: &str, ip2: &str, prefix: Option<i64>) -> Option<bool> {
    ipv4_compare(ip1, ip2, prefix).map(|c| c == 0)
}

/// `ipv4_is_in_range(address, range)` (docs: `ipv4-is-in-range-function`):
/// whether the address lies in the range written in IP-prefix notation
/// (`192.168.1.1` is in `192.168.1.255/24`). `None` if either does not
/// parse.
pub fn ipv4_is_in_range(address: &str, range: &str) -> Option<bool> {
    ipv4_is_match(address, range, None)
}

/// `ipv4_is_private(ip)` (docs: `ipv4-is-private-function`): in 10.0.0.0/8,
/// 172.16.0.0/12 or 192.168.0.0/16 (`127.0.0.1` is not private). A prefix
/// in the input masks the address first (`192.168.1.1/24` is private).
/// `None` if the text does not parse.
pub fn ipv4_is_private(ip: &str) -> Option<bool> {
    let a = Ipv4Prefix::parse(ip)?.masked();
    Some(
        a & 0xFF00_0000 == 0x0A00_0000
            || a & 0xFFF0_0000 == 0xAC10_0000
            || a & 0xFFFF_0000 == 0xC0A8_0000,
    )
}

//! KQL's string matching: terms for `has`, case folding for `=~` and
//! `contains`, and `like`. (The string functions themselves live in
//! `crate::functions::strings`.)
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
/// use kqlite::internals::value::text::{MatchKind, StrMatcher};
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

//! Byte ranges into the query text.
//!
//! Every syntax node carries a [`Span`]. Line and column numbers are worked out
//! only when a diagnostic is rendered ([`LineCol::of`]).

use std::fmt;

/// A half-open byte range `start..end` into the query source.
///
/// Two spans always compare equal, so syntax trees compare by structure alone
/// (the property tests parse, print and parse again, which moves every span).
#[derive(Clone, Copy, Default, Eq)]
pub struct Span {
    /// The first byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// The bytes `start..end` (an `end` before `start` is taken as `start`;
    /// offsets past `u32::MAX` are clamped).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: clamp_u32(start),
            end: clamp_u32(end.max(start)),
        }
    }

    /// An empty span at `at`: where something is missing.
    pub fn point(at: usize) -> Span {
        Span::new(at, at)
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span as a range of byte offsets, to slice the source with.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Its length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether it covers no byte (a point).
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The text this span covers, if it lies within `source`.
    pub fn text(self, source: &str) -> &str {
        source.get(self.range()).unwrap_or("")
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// 1-based line and column (in characters) of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// The line, from 1.
    pub line: usize,
    /// The column, in characters, from 1.
    pub column: usize,
}

impl LineCol {
    /// Where byte `offset` of `source` is (an offset inside a character
    /// counts as that character; past the end, as the end).
    pub fn of(source: &str, offset: usize) -> LineCol {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let before = &source[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        LineCol {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let src = "T\n| where x\n| take 1";
        assert_eq!(LineCol::of(src, 0), LineCol { line: 1, column: 1 });
        assert_eq!(LineCol::of(src, 4), LineCol { line: 2, column: 3 });
        assert_eq!(LineCol::of(src, src.len()), LineCol { line: 3, column: 9 });
    }

    #[test]
    fn column_counts_characters_not_bytes() {
        let src = "print \"é\", x";
        let at = src.find('x').unwrap();
        assert_eq!(LineCol::of(src, at).column, 12);
    }

    #[test]
    fn spans_compare_by_structure() {
        assert_eq!(Span::new(1, 2), Span::new(5, 9));
    }
}

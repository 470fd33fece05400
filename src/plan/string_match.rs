//! String operators with their right-hand side prepared once: the folded
//! needle of `contains`, the term checks of `has`, the compiled regex of
//! `matches regex`.

use super::expr::{StringOp, StringOpKind};
use crate::value::text::{self, MatchKind, StrMatcher};

#[derive(Clone, Debug)]
pub struct Matcher {
    how: How,
    negated: bool,
}

#[derive(Clone, Debug)]
enum How {
    Text(Box<StrMatcher>),
    Regex(regex::Regex),
    Like {
        pattern: String,
        case_sensitive: bool,
    },
}

impl Matcher {
    /// Prepares `op` with `needle` as its right-hand side. Fails only for
    /// an invalid regular expression.
    pub fn new(op: StringOp, needle: &str) -> Result<Matcher, InvalidRegex> {
        let kind = match op.kind {
            StringOpKind::Equals => Some(MatchKind::Equals),
            StringOpKind::Has => Some(MatchKind::Has),
            StringOpKind::HasPrefix => Some(MatchKind::HasPrefix),
            StringOpKind::HasSuffix => Some(MatchKind::HasSuffix),
            StringOpKind::Contains => Some(MatchKind::Contains),
            StringOpKind::StartsWith => Some(MatchKind::StartsWith),
            StringOpKind::EndsWith => Some(MatchKind::EndsWith),
            StringOpKind::Like | StringOpKind::MatchesRegex => None,
        };
        let how = match (kind, op.kind) {
            (Some(kind), _) => {
                How::Text(Box::new(StrMatcher::new(kind, op.case_sensitive, needle)))
            }
            (None, StringOpKind::MatchesRegex) => How::Regex(compile_regex(needle)?),
            _ => How::Like {
                pattern: needle.to_string(),
                case_sensitive: op.case_sensitive,
            },
        };
        Ok(Matcher {
            how,
            negated: op.negated,
        })
    }

    pub fn matches(&self, hay: &str) -> bool {
        let hit = match &self.how {
            How::Text(m) => m.matches(hay),
            How::Regex(r) => r.is_match(hay),
            How::Like {
                pattern,
                case_sensitive,
            } => text::like(hay, pattern, *case_sensitive),
        };
        hit != self.negated
    }
}

/// Kusto's regex engine is Rust's `regex` crate (docs/semantics.md#regex),
/// read as RE2 reads a literal `{`, with a size limit that keeps hostile
/// patterns from using unbounded memory (shared with the regex functions).
pub fn compile_regex(pattern: &str) -> Result<regex::Regex, InvalidRegex> {
    crate::functions::regex_cache::compile(pattern).map_err(InvalidRegex)
}

/// A `matches regex` pattern the regex engine refuses.
#[derive(Debug, thiserror::Error)]
#[error("invalid regular expression: {0}")]
pub struct InvalidRegex(regex::Error);

/// `=~` for two strings, used by `in~`.
pub fn equals_ignore_case(a: &str, b: &str) -> bool {
    text::equals_ci(a, b)
}

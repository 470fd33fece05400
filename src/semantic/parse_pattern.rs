//! The pattern of `parse` / `parse-where` as one regular expression
//! (<https://learn.microsoft.com/kusto/query/parse-operator>).
//!
//! Every kind compiles to a regex anchored at the start of the text, with
//! one named group per extracted column:
//! * `simple` and `relaxed`: literals match as written; `*` and
//!   non-numeric columns match lazily (up to the next delimiter), a last
//!   column takes the rest; `.` crosses newlines, as plain text search does.
//!   Under `relaxed` numeric columns match like the others (their text is
//!   converted afterwards, null when it does not convert).
//! * `regex`: literals are regex fragments; `*` is `.*?`; string columns
//!   are greedy `.*` (the documented outputs show greedy captures unless
//!   `flags=U` swaps greediness); the flags (`U`, `i`, `m`, `s`) apply.
//!
//! Numeric columns match `-?\d+` (int, long) or a decimal number (real).

use crate::syntax::ast::ParsePart;
use crate::types::DataType;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseKind {
    Simple,
    Regex,
    Relaxed,
}

impl ParseKind {
    pub fn from_name(name: &str) -> Option<ParseKind> {
        match name {
            "simple" => Some(ParseKind::Simple),
            "regex" => Some(ParseKind::Regex),
            "relaxed" => Some(ParseKind::Relaxed),
            _ => None,
        }
    }
}

/// Builds the regex for `parts`; the group of the n-th column is `cn`.
pub fn pattern_regex(
    parts: &[ParsePart],
    kind: ParseKind,
    flags: &str,
    types: &[DataType],
) -> String {
    let mut re = String::from("^");
    if kind == ParseKind::Regex {
        // Only the documented flags; anything else is ignored.
        let f: String = flags
            .chars()
            .filter(|c| matches!(c, 'U' | 'i' | 'm' | 's'))
            .collect();
        if !f.is_empty() {
            re = format!("(?{f})^");
        }
    } else {
        re = "(?s)^".to_string();
    }
    let mut column = 0;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match part {
            ParsePart::Star { .. } => re.push_str(".*?"),
            ParsePart::Literal { text, .. } => {
                if kind == ParseKind::Regex {
                    re.push_str("(?:");
                    re.push_str(text);
                    re.push(')');
                } else {
                    re.push_str(&regex::escape(text));
                }
            }
            ParsePart::Column { .. } => {
                let ty = types.get(column).copied().unwrap_or(DataType::String);
                let body = match ty {
                    DataType::Int | DataType::Long => r"-?\d+",
                    DataType::Real | DataType::Decimal => r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?",
                    _ if kind == ParseKind::Regex || last => ".*",
                    _ => ".*?",
                };
                let numeric = ty.is_numeric();
                let body = if kind == ParseKind::Relaxed && numeric {
                    // `relaxed` also takes text that is not a number, and
                    // the column is null (the parse-operator page's
                    // `totalSlices=nonValidLongValue` row keeps its other
                    // columns).
                    let rest = if last { ".*" } else { ".*?" };
                    format!("(?:{body}|{rest})")
                } else {
                    body.to_string()
                };
                re.push_str(&format!("(?P<c{column}>{body})"));
                column += 1;
            }
        }
    }
    re
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use crate::syntax::ast::Ident;

    fn lit(t: &str) -> ParsePart {
        ParsePart::Literal {
            text: t.into(),
            span: Span::default(),
        }
    }
    fn col(n: &str) -> ParsePart {
        ParsePart::Column {
            name: Ident {
                name: n.into(),
                span: Span::default(),
            },
            ty: None,
            span: Span::default(),
        }
    }

    #[test]
    fn simple_pattern_is_anchored_lazy_and_escaped() {
        let parts = [
            ParsePart::Star {
                span: Span::default(),
            },
            lit("a.b="),
            col("x"),
            lit(","),
            col("y"),
        ];
        let re = pattern_regex(
            &parts,
            ParseKind::Simple,
            "",
            &[DataType::String, DataType::Long],
        );
        assert_eq!(re, r"(?s)^.*?a\.b=(?P<c0>.*?),(?P<c1>-?\d+)");
    }

    #[test]
    fn regex_pattern_keeps_fragments_and_flags() {
        let parts = [lit("x=(a|b)"), col("v")];
        let re = pattern_regex(&parts, ParseKind::Regex, "Ui", &[DataType::String]);
        assert_eq!(re, "(?Ui)^(?:x=(a|b))(?P<c0>.*)");
    }
}

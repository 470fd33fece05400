//! The binary operators of scalar expressions and their precedence: the
//! one table both the parser ([`super::expr`]) and the printer use.
//!
//! Levels, lowest first (docs/semantics.md#precedence):
//!
//! | level | operators | associativity |
//! |---|---|---|
//! | 1 | `or` | left |
//! | 2 | `and` | left |
//! | 3 | `==` `!=` `<>` `in` `!in` `in~` `!in~` `has_any` `has_all` `between` `!between` | none |
//! | 4 | `<` `<=` `>` `>=` | none |
//! | 5 | `+` `-` | left |
//! | 6 | `*` `/` `%` | left |
//! | 7 | string operators (`=~` `has` `contains` `startswith` `matches regex` `:` ...) | none |
//!
//! String operators bind tighter than arithmetic: `a + b has "x"` is
//! `a + (b has "x")`.

use crate::span::Span;
use crate::syntax::ast::{BinaryOp, ListOp, StringOp, StringOpKind};
use crate::syntax::lex;

pub(crate) const OR: u8 = 1;
pub(crate) const AND: u8 = 2;
pub(crate) const EQUALITY: u8 = 3;
pub(crate) const RELATIONAL: u8 = 4;
pub(crate) const ADDITIVE: u8 = 5;
pub(crate) const MULTIPLICATIVE: u8 = 6;
pub(crate) const STRING: u8 = 7;

/// Whether two operators of this level may not follow each other
/// without brackets (`a < b < c` is an error).
pub(crate) fn non_associative(level: u8) -> bool {
    matches!(level, EQUALITY | RELATIONAL | STRING)
}

/// An infix operator as read from the text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Infix {
    Binary(BinaryOp),
    /// `in (...)` and friends: a bracketed list follows.
    List(ListOp),
    /// `between (a .. b)`
    Between {
        negated: bool,
    },
}

impl Infix {
    pub(crate) fn level(self) -> u8 {
        match self {
            Infix::List(_) | Infix::Between { .. } => EQUALITY,
            Infix::Binary(op) => binary_level(op),
        }
    }
}

pub(crate) fn binary_level(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Or => OR,
        And => AND,
        Eq | NotEq => EQUALITY,
        Lt | Le | Gt | Ge => RELATIONAL,
        Add | Sub => ADDITIVE,
        Mul | Div | Mod => MULTIPLICATIVE,
        Str(_) => STRING,
    }
}

const fn s(kind: StringOpKind, negated: bool, case_sensitive: bool) -> Infix {
    Infix::Binary(BinaryOp::Str(StringOp {
        kind,
        negated,
        case_sensitive,
    }))
}

use StringOpKind as K;

/// Operators spelled as keywords. `peek_kw` checks word boundaries, so the
/// order only matters for `matches regex`.
const KEYWORD_OPS: &[(&str, Infix)] = &[
    ("or", Infix::Binary(BinaryOp::Or)),
    ("and", Infix::Binary(BinaryOp::And)),
    (
        "in",
        Infix::List(ListOp::In {
            negated: false,
            case_sensitive: true,
        }),
    ),
    (
        "!in",
        Infix::List(ListOp::In {
            negated: true,
            case_sensitive: true,
        }),
    ),
    (
        "in~",
        Infix::List(ListOp::In {
            negated: false,
            case_sensitive: false,
        }),
    ),
    (
        "!in~",
        Infix::List(ListOp::In {
            negated: true,
            case_sensitive: false,
        }),
    ),
    ("has_any", Infix::List(ListOp::HasAny)),
    ("has_all", Infix::List(ListOp::HasAll)),
    ("between", Infix::Between { negated: false }),
    ("!between", Infix::Between { negated: true }),
    ("has", s(K::Has, false, false)),
    ("!has", s(K::Has, true, false)),
    ("has_cs", s(K::Has, false, true)),
    ("!has_cs", s(K::Has, true, true)),
    ("hasprefix", s(K::HasPrefix, false, false)),
    ("!hasprefix", s(K::HasPrefix, true, false)),
    ("hasprefix_cs", s(K::HasPrefix, false, true)),
    ("!hasprefix_cs", s(K::HasPrefix, true, true)),
    ("hassuffix", s(K::HasSuffix, false, false)),
    ("!hassuffix", s(K::HasSuffix, true, false)),
    ("hassuffix_cs", s(K::HasSuffix, false, true)),
    ("!hassuffix_cs", s(K::HasSuffix, true, true)),
    ("contains", s(K::Contains, false, false)),
    ("!contains", s(K::Contains, true, false)),
    ("contains_cs", s(K::Contains, false, true)),
    ("!contains_cs", s(K::Contains, true, true)),
    ("containscs", s(K::Contains, false, true)),
    ("notcontains", s(K::Contains, true, false)),
    ("notcontainscs", s(K::Contains, true, true)),
    ("startswith", s(K::StartsWith, false, false)),
    ("!startswith", s(K::StartsWith, true, false)),
    ("startswith_cs", s(K::StartsWith, false, true)),
    ("!startswith_cs", s(K::StartsWith, true, true)),
    ("endswith", s(K::EndsWith, false, false)),
    ("!endswith", s(K::EndsWith, true, false)),
    ("endswith_cs", s(K::EndsWith, false, true)),
    ("!endswith_cs", s(K::EndsWith, true, true)),
    ("like", s(K::Like, false, false)),
    ("likecs", s(K::Like, false, true)),
    ("notlike", s(K::Like, true, false)),
    ("notlikecs", s(K::Like, true, true)),
    ("matches regex", s(K::MatchesRegex, false, true)),
];

/// The infix operator at the start of `i`, the input after it and its span.
pub(crate) fn peek_infix(i: &str) -> Option<(Infix, &str, Span)> {
    if let Some(p) = lex::punct_at(i) {
        let op = match p {
            "==" => Infix::Binary(BinaryOp::Eq),
            "!=" | "<>" => Infix::Binary(BinaryOp::NotEq),
            "<" => Infix::Binary(BinaryOp::Lt),
            "<=" => Infix::Binary(BinaryOp::Le),
            ">" => Infix::Binary(BinaryOp::Gt),
            ">=" => Infix::Binary(BinaryOp::Ge),
            "+" => Infix::Binary(BinaryOp::Add),
            "-" => Infix::Binary(BinaryOp::Sub),
            "*" => Infix::Binary(BinaryOp::Mul),
            "/" => Infix::Binary(BinaryOp::Div),
            "%" => Infix::Binary(BinaryOp::Mod),
            "=~" => s(K::Equals, false, false),
            "!~" => s(K::Equals, true, false),
            // `a : b` is the search-style spelling of `has`.
            ":" => s(K::Has, false, false),
            _ => return None,
        };
        let (rest, span) = lex::peek_sym(i, p)?;
        return Some((op, rest, span));
    }
    let b = i.as_bytes();
    let bang = usize::from(*b.first()? == b'!');
    if !b.get(bang).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    // The operator word: `!`?, identifier characters, then `~` after `in`
    // or ` regex` after `matches`.
    let mut len = bang
        + i[bang..]
            .bytes()
            .take_while(|&c| lex::is_ident_char(c))
            .count();
    let word = &i[bang..len];
    if word == "in" && i[len..].starts_with('~') {
        len += 1;
    } else if bang == 0 && word == "matches" && i[len..].starts_with(" regex") {
        len += " regex".len();
    }
    let text = &i[..len];
    let op = KEYWORD_OPS.iter().find(|(t, _)| *t == text)?.1;
    let (rest, span) = lex::peek_kw(i, KEYWORD_OPS.iter().find(|(t, _)| *t == text)?.0)?;
    Some((op, rest, span))
}

/// How an operator is written (canonical spelling).
pub(crate) fn binary_text(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Or => "or",
        And => "and",
        Eq => "==",
        NotEq => "!=",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Mod => "%",
        Str(op) => string_op_text(op),
    }
}

pub(crate) fn string_op_text(op: StringOp) -> &'static str {
    match (op.kind, op.negated, op.case_sensitive) {
        (K::Equals, false, _) => "=~",
        (K::Equals, true, _) => "!~",
        (K::MatchesRegex, _, _) => "matches regex",
        (K::Like, false, false) => "like",
        (K::Like, false, true) => "likecs",
        (K::Like, true, false) => "notlike",
        (K::Like, true, true) => "notlikecs",
        _ => KEYWORD_OPS
            .iter()
            .find(|(text, o)| {
                *o == Infix::Binary(BinaryOp::Str(op))
                    && !text.starts_with("not")
                    && *text != "containscs"
            })
            .map_or("has", |(text, _)| text),
    }
}

pub(crate) fn list_op_text(op: ListOp) -> &'static str {
    match op {
        ListOp::In {
            negated: false,
            case_sensitive: true,
        } => "in",
        ListOp::In {
            negated: true,
            case_sensitive: true,
        } => "!in",
        ListOp::In {
            negated: false,
            case_sensitive: false,
        } => "in~",
        ListOp::In {
            negated: true,
            case_sensitive: false,
        } => "!in~",
        ListOp::HasAny => "has_any",
        ListOp::HasAll => "has_all",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_operators_bind_tighter_than_arithmetic() {
        let has = binary_level(BinaryOp::Str(StringOp {
            kind: K::Has,
            negated: false,
            case_sensitive: false,
        }));
        assert!(has > binary_level(BinaryOp::Mul));
        assert!(binary_level(BinaryOp::Mul) > binary_level(BinaryOp::Add));
        assert!(binary_level(BinaryOp::Add) > binary_level(BinaryOp::Lt));
        assert!(binary_level(BinaryOp::Lt) > binary_level(BinaryOp::Eq));
        assert!(binary_level(BinaryOp::Eq) > binary_level(BinaryOp::And));
        assert!(binary_level(BinaryOp::And) > binary_level(BinaryOp::Or));
    }

    #[test]
    fn every_string_operator_prints_as_it_parses() {
        for &(text, op) in KEYWORD_OPS {
            if let Infix::Binary(BinaryOp::Str(sop)) = op {
                let printed = string_op_text(sop);
                let back = KEYWORD_OPS
                    .iter()
                    .find(|(t, _)| *t == printed)
                    .map(|(_, o)| *o)
                    .unwrap();
                assert_eq!(back, op, "{text} prints as {printed}");
            }
        }
    }
}

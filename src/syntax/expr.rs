//! Scalar expressions: precedence climbing over the table in
//! [`super::prec`], unary signs, postfix paths (`.name`, `.['x']`, `[i]`),
//! calls and primaries (literals, names, `dynamic(...)`, `typeof(...)`,
//! bracketed pipelines).
//!
//! Chains of one left-associative operator (`a or b or c ...`) are built in
//! a loop, so their length costs no stack. Nesting (brackets, signs, calls)
//! recurses and is bounded by [`lex::nest`].

use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident, Literal, NamedExpr, TypeName, UnaryOp};
use crate::syntax::error::{PError, PResult};
use crate::syntax::lex::{self, NameUse, at_sym, offset, peek_sym, span_from, sym};
use crate::syntax::operator;
use crate::syntax::prec::{self, Infix};
use nom::Parser;
use nom::combinator::cut;

/// A scalar expression (which may also name or call a table).
pub(crate) fn expr(i: &str) -> PResult<'_, Expr> {
    let _depth = lex::nest(i)?;
    climb(i, prec::OR)
}

/// Parses operands joined by operators of at least `min_level`.
fn climb(i: &str, min_level: u8) -> PResult<'_, Expr> {
    let (mut i, mut lhs) = unary(i)?;
    let mut used_non_assoc: Option<(u8, &str)> = None;
    while let Some((op, after_op, op_span)) = prec::peek_infix(i) {
        let level = op.level();
        if level < min_level {
            break;
        }
        // `on T in range(a, b, s)` (make-series) is not the `in` operator.
        if matches!(op, Infix::List(crate::syntax::ast::ListOp::In { .. }))
            && lex::peek_word(after_op) == Some("range")
        {
            break;
        }
        if let Some((used, text)) = used_non_assoc
            && used == level
        {
            return PError::message(
                i,
                format!("comparison operators cannot be chained: `{text}` is followed by another operator of the same precedence"),
            )
            .with_len(op_span.len())
            .with_help("add brackets to say which comparison comes first")
            .fail();
        }
        let op_text = &i[..op_span.len()];
        let start = lhs.span;
        let (rest, kind, end) = match op {
            Infix::Binary(bop) => {
                let (rest, rhs) = cut(|i| climb(i, level + 1)).parse(after_op)?;
                let end = rhs.span;
                (
                    rest,
                    ExprKind::Binary {
                        op: bop,
                        left: Box::new(lhs),
                        right: Box::new(rhs),
                    },
                    end,
                )
            }
            Infix::List(lop) => {
                let (rest, (items, close)) = cut(expr_list_in_parens).parse(after_op)?;
                (
                    rest,
                    ExprKind::List {
                        op: lop,
                        left: Box::new(lhs),
                        items,
                    },
                    close,
                )
            }
            Infix::Between { negated } => {
                let (rest, (low, high, close)) = cut(between_range).parse(after_op)?;
                (
                    rest,
                    ExprKind::Between {
                        negated,
                        expr: Box::new(lhs),
                        low: Box::new(low),
                        high: Box::new(high),
                    },
                    close,
                )
            }
        };
        lhs = Expr {
            kind,
            span: start.to(end),
        };
        i = rest;
        if prec::non_associative(level) {
            used_non_assoc = Some((level, op_text));
        }
    }
    Ok((i, lhs))
}

/// `( e, e, ... )` after `in`, `has_any`...: expressions or a tabular
/// subquery. Returns the items and the span of `)`.
fn expr_list_in_parens(i: &str) -> PResult<'_, (Vec<Expr>, Span)> {
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, items) = separated(i, ")", operator::pipe_expr)?;
    let (i, close) = close(i, ")", open_at, "`,` or `)`")?;
    Ok((i, (items, close)))
}

/// `( low .. high )` after `between`.
fn between_range(i: &str) -> PResult<'_, (Expr, Expr, Span)> {
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, low) = expr(i)?;
    let (i, _) = sym(i, "..")?;
    let (i, high) = expr(i)?;
    let (i, close) = close(i, ")", open_at, "`)`")?;
    Ok((i, (low, high, close)))
}

/// Items separated by `,` up to (not including) the closing bracket
/// `closer`; empty if the bracket follows at once.
pub(crate) fn separated<'a, T>(
    i: &'a str,
    closer: &'static str,
    item: impl Fn(&'a str) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let mut items = Vec::new();
    if at_sym(i, closer) {
        return Ok((i, items));
    }
    let (mut i, first) = item(i)?;
    items.push(first);
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = item(rest)?;
        items.push(next);
        i = rest;
    }
    Ok((i, items))
}

/// The closing bracket of a group opened at `open_at`: a committed error
/// naming the open bracket if it is missing.
pub(crate) fn close<'a>(
    i: &'a str,
    closer: &'static str,
    open_at: usize,
    expected: &'static str,
) -> PResult<'a, Span> {
    match peek_sym(i, closer) {
        Some(ok) => Ok(ok),
        None => {
            let opener = match closer {
                ")" => "(",
                "]" => "[",
                _ => "{",
            };
            PError::what(i, expected).with_open(open_at, opener).fail()
        }
    }
}

/// `-x`, `+x`, or a postfix expression.
fn unary(i: &str) -> PResult<'_, Expr> {
    for (text, op) in [("-", UnaryOp::Neg), ("+", UnaryOp::Plus)] {
        if let Some((rest, sign)) = peek_sym(i, text) {
            let _depth = lex::nest(i)?;
            let (rest, operand) = unary(rest)?;
            let span = sign.to(operand.span);
            return Ok((
                rest,
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span,
                },
            ));
        }
    }
    postfix(i)
}

/// A primary followed by `.name`, `.['x']`, `.[e]` and `[e]` selectors.
fn postfix(i: &str) -> PResult<'_, Expr> {
    let (mut i, mut e) = primary(i)?;
    loop {
        if let Some((after_dot, _)) = peek_sym(i, ".") {
            if at_sym(after_dot, "[") {
                let (rest, (index, close)) = cut(bracket_index).parse(after_dot)?;
                let span = e.span.to(close);
                e = Expr {
                    kind: ExprKind::Index {
                        target: Box::new(e),
                        index: Box::new(index),
                    },
                    span,
                };
                i = rest;
            } else {
                let (rest, name) = cut(|i| member_name(i)).parse(after_dot)?;
                let span = e.span.to(name.span);
                e = Expr {
                    kind: ExprKind::Member {
                        target: Box::new(e),
                        name,
                    },
                    span,
                };
                i = rest;
            }
        } else if at_sym(i, "[") {
            let (rest, (index, close)) = cut(bracket_index).parse(i)?;
            let span = e.span.to(close);
            e = Expr {
                kind: ExprKind::Index {
                    target: Box::new(e),
                    index: Box::new(index),
                },
                span,
            };
            i = rest;
        } else {
            return Ok((i, e));
        }
    }
}

fn member_name(i: &str) -> PResult<'_, Ident> {
    lex::name(i, NameUse::Member).map_err(|e| match e {
        nom::Err::Error(mut err) if err.d.message.is_none() => {
            err.d.expected = vec![crate::syntax::error::Expected::What(
                "a member name after `.`",
            )];
            nom::Err::Error(err)
        }
        other => other,
    })
}

/// `[ e ]`: returns the index expression and the span of `]`.
fn bracket_index(i: &str) -> PResult<'_, (Expr, Span)> {
    let open_at = offset(i);
    let (i, _) = sym(i, "[")?;
    let (i, index) = expr(i)?;
    let (i, close) = close(i, "]", open_at, "`]`")?;
    Ok((i, (index, close)))
}

/// Words with their own primary syntax.
fn primary(i: &str) -> PResult<'_, Expr> {
    if let Some(r) = lex::scalar_literal(i) {
        let (rest, (value, span)) = r?;
        return Ok((rest, literal_expr(value, span)));
    }
    if at_sym(i, "(") {
        return paren(i);
    }
    if let Some((rest, span)) = peek_sym(i, "*") {
        return Ok((
            rest,
            Expr {
                kind: ExprKind::Star,
                span,
            },
        ));
    }
    if let Some(r) = lex::bracketed_name(i) {
        let (rest, name) = r?;
        return name_or_call(rest, name);
    }
    if lex::ident_len(i) == 0 {
        return PError::what(i, "an expression").err();
    }
    let word = lex::peek_word(i).unwrap_or("");
    let after_word = lex::skip_trivia(&i[word.len()..]);
    let paren_follows = at_sym(after_word, "(");
    match word {
        "dynamic" => return dynamic_literal(i),
        "typeof" if paren_follows => return typeof_literal(i),
        "datatable" => return operator::datatable_source(i),
        "toscalar" | "materialize" | "totable" if paren_follows => {
            let (rest, kw) = lex::kw(i, word_static(word))?;
            let name = Ident {
                name: word.to_string(),
                span: kw,
            };
            return call(rest, name);
        }
        "null" if !paren_follows => {
            let (rest, span) = lex::kw(i, "null")?;
            return Ok((rest, literal_expr(Literal::Null, span)));
        }
        _ => {}
    }
    if lex::is_reserved(word) {
        return PError::message(i, format!("expected an expression, found keyword `{word}`"))
            .with_len(word.len())
            .with_help(format!(
                "if `{word}` is meant as a name, it needs to be bracketed as ['{word}']"
            ))
            .err();
    }
    let (rest, name) = lex::name(i, NameUse::Reference)?;
    name_or_call(rest, name)
}

fn word_static(word: &str) -> &'static str {
    match word {
        "toscalar" => "toscalar",
        "materialize" => "materialize",
        _ => "totable",
    }
}

pub(crate) fn literal_expr(value: Literal, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Literal { value },
        span,
    }
}

fn name_or_call(i: &str, name: Ident) -> PResult<'_, Expr> {
    if at_sym(i, "(") {
        return call(i, name);
    }
    let span = name.span;
    Ok((
        i,
        Expr {
            kind: ExprKind::Name { name },
            span,
        },
    ))
}

/// `name ( args )` with `i` at `(`.
fn call(i: &str, name: Ident) -> PResult<'_, Expr> {
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, args) = separated(i, ")", argument)?;
    let (i, close) = close(i, ")", open_at, "`,` or `)`")?;
    let span = name.span.to(close);
    Ok((
        i,
        Expr {
            kind: ExprKind::Call { name, args },
            span,
        },
    ))
}

/// A call argument: an expression, a pipeline, or `name = value`.
fn argument(i: &str) -> PResult<'_, Expr> {
    if let Some((after_name, name)) = lex::peek_name(i, NameUse::Declaration)
        && let Some((after_eq, _)) = peek_sym(after_name, "=")
    {
        let (rest, value) = cut(expr).parse(after_eq)?;
        let span = name.span.to(value.span);
        return Ok((
            rest,
            Expr {
                kind: ExprKind::NamedArg {
                    name,
                    value: Box::new(value),
                },
                span,
            },
        ));
    }
    operator::pipe_expr(i)
}

/// `( pipeline )`
fn paren(i: &str) -> PResult<'_, Expr> {
    let start = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, inner) = cut(operator::pipe_expr).parse(i)?;
    let (i, close) = close(i, ")", start, "`)`")?;
    Ok((
        i,
        Expr {
            kind: ExprKind::Paren {
                expr: Box::new(inner),
            },
            span: span_from(start, close),
        },
    ))
}

/// `typeof(type)`
fn typeof_literal(i: &str) -> PResult<'_, Expr> {
    let start = offset(i);
    let (i, _) = lex::kw(i, "typeof")?;
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, ty) = cut(type_name).parse(i)?;
    let (i, close) = close(i, ")", open_at, "`)`")?;
    Ok((
        i,
        Expr {
            kind: ExprKind::TypeOf { ty },
            span: span_from(start, close),
        },
    ))
}

/// Scalar type names (with their aliases).
const TYPE_NAMES: &[&str] = &[
    "bool", "boolean", "date", "datetime", "decimal", "double", "dynamic", "float", "guid", "int",
    "int32", "int64", "long", "real", "string", "time", "timespan", "uniqueid", "uuid",
];

/// A scalar type keyword: `string`, `long`, `datetime`...
pub(crate) fn type_name(i: &str) -> PResult<'_, TypeName> {
    let word = lex::peek_word(i).unwrap_or("");
    if !TYPE_NAMES.contains(&word) {
        return PError::what(i, "a type name (string, long, int, real, bool, datetime, timespan, dynamic, guid, decimal)")
            .err();
    }
    let (rest, span) = finish_word(i, word.len());
    Ok((
        rest,
        TypeName {
            name: word.to_string(),
            span,
        },
    ))
}

/// Consumes a word of `len` bytes already checked by the caller.
fn finish_word(i: &str, len: usize) -> (&str, Span) {
    let start = offset(i);
    let after = &i[len..];
    let span = Span::new(start, offset(after));
    (lex::skip_trivia(after), span)
}

/// `dynamic( json-ish value )`
fn dynamic_literal(i: &str) -> PResult<'_, Expr> {
    let start = offset(i);
    let (i, _) = lex::kw(i, "dynamic")?;
    let open_at = offset(i);
    let (i, _) = cut(|i| sym(i, "(")).parse(i)?;
    let (i, value) = cut(json_value).parse(i)?;
    let (i, close) = close(i, ")", open_at, "`)`")?;
    Ok((
        i,
        literal_expr(Literal::Dynamic(Box::new(value)), span_from(start, close)),
    ))
}

/// A value inside `dynamic(...)`: arrays, bags, literals, `null`.
fn json_value(i: &str) -> PResult<'_, Literal> {
    let _depth = lex::nest(i)?;
    if at_sym(i, "[") {
        let open_at = offset(i);
        let (i, _) = sym(i, "[")?;
        let (i, items) = separated(i, "]", json_value)?;
        let (i, _) = close(i, "]", open_at, "`,` or `]`")?;
        return Ok((i, Literal::Array(items)));
    }
    if at_sym(i, "{") {
        let open_at = offset(i);
        let (i, _) = sym(i, "{")?;
        let (i, pairs) = separated(i, "}", json_pair)?;
        let (i, _) = close(i, "}", open_at, "`,` or `}`")?;
        return Ok((i, Literal::Bag(pairs)));
    }
    if let Some(r) = lex::signed_number(i) {
        let (rest, (lit, _)) = r?;
        return Ok((rest, lit));
    }
    if let Some(r) = lex::scalar_literal(i) {
        let (rest, (lit, _)) = r?;
        return Ok((rest, lit));
    }
    if let Some((rest, _)) = lex::peek_kw(i, "null") {
        return Ok((rest, Literal::Null));
    }
    if lex::peek_word(i) == Some("dynamic") {
        let (rest, e) = dynamic_literal(i)?;
        if let ExprKind::Literal { value } = e.kind {
            return Ok((rest, value));
        }
    }
    PError::what(
        i,
        "a literal value (number, string, bool, null, array or property bag)",
    )
    .err()
}

fn json_pair(i: &str) -> PResult<'_, (String, Literal)> {
    let (i, (key, _)) = lex::string_lit(i)?;
    let (i, _) = cut(|i| sym(i, ":")).parse(i)?;
    let (i, value) = cut(json_value).parse(i)?;
    Ok((i, (key, value)))
}

/// A literal in a literal-only position (`datatable` values, parameter
/// defaults): a scalar literal with an optional sign, `dynamic(...)`, `null`.
pub(crate) fn literal_value(i: &str) -> PResult<'_, Expr> {
    if let Some(r) = lex::signed_number(i) {
        let (rest, (lit, span)) = r?;
        return Ok((rest, literal_expr(lit, span)));
    }
    if let Some(r) = lex::scalar_literal(i) {
        let (rest, (lit, span)) = r?;
        return Ok((rest, literal_expr(lit, span)));
    }
    if lex::peek_word(i) == Some("dynamic") {
        return dynamic_literal(i);
    }
    if let Some((rest, span)) = lex::peek_kw(i, "null") {
        return Ok((rest, literal_expr(Literal::Null, span)));
    }
    PError::what(i, "a literal").err()
}

/// `[name =] expr` or `(a, b) = expr`.
pub(crate) fn named_expr(i: &str) -> PResult<'_, NamedExpr> {
    let start = offset(i);
    let (i, names) = match declared_names(i) {
        Some((rest, names)) => (rest, names),
        None => (i, Vec::new()),
    };
    let (i, e) = if names.is_empty() {
        expr(i)?
    } else {
        cut(expr).parse(i)?
    };
    let span = Span::new(start, e.span.end as usize);
    Ok((
        i,
        NamedExpr {
            names,
            expr: e,
            span,
        },
    ))
}

/// `name =` or `(a, b, ...) =` ahead: the names and the input after `=`.
fn declared_names(i: &str) -> Option<(&str, Vec<Ident>)> {
    if let Some((after, name)) = lex::peek_name(i, NameUse::Declaration) {
        let (after_eq, _) = peek_sym(after, "=")?;
        return Some((after_eq, vec![name]));
    }
    let (mut rest, _) = peek_sym(i, "(")?;
    let mut names = Vec::new();
    loop {
        let (after, name) = lex::peek_name(rest, NameUse::Declaration)?;
        names.push(name);
        if let Some((after_comma, _)) = peek_sym(after, ",") {
            rest = after_comma;
            continue;
        }
        let (after_close, _) = peek_sym(after, ")")?;
        let (after_eq, _) = peek_sym(after_close, "=")?;
        return Some((after_eq, names));
    }
}

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

// The functions on the recursive path (expr → climb → unary → postfix →
// primary → paren → pipe_expr → expr) keep their own frames small and hand
// each branch to a helper: debug builds give every local its own stack
// slot, and one nesting level must stay well under 10 KB.

/// Parses operands joined by operators of at least `min_level`.
fn climb(i: &str, min_level: u8) -> PResult<'_, Expr> {
    let (i, lhs) = unary(i)?;
    climb_rest(i, lhs, min_level)
}

/// The operator loop of [`climb`]: a chain of one level is built here
/// iteratively, higher levels recurse (at most one frame per level).
fn climb_rest(mut i: &str, mut lhs: Expr, min_level: u8) -> PResult<'_, Expr> {
    let mut used_non_assoc: Option<u8> = None;
    while let Some((op, after_op, op_span)) = prec::peek_infix(i) {
        let level = op.level();
        if level < min_level || in_range_ahead(op, after_op) {
            break;
        }
        if used_non_assoc == Some(level) {
            return chained_comparison(i, op_span);
        }
        // `x in (...)` and `x between (...)` end at their bracket: a
        // tighter operator after it (`x in (1) + 1`, `... !contains "/"`)
        // would take the whole test as its operand, which no text without
        // brackets can say back.
        if level > prec::EQUALITY
            && matches!(lhs.kind, ExprKind::List { .. } | ExprKind::Between { .. })
        {
            return operator_after_list(i, op_span);
        }
        let (rest, e) = infix(lhs, op, after_op)?;
        lhs = e;
        i = rest;
        if prec::non_associative(level) {
            used_non_assoc = Some(level);
        }
    }
    Ok((i, lhs))
}

/// `on T in range(a, b, s)` (make-series) is not the `in` operator.
fn in_range_ahead(op: Infix, after_op: &str) -> bool {
    matches!(op, Infix::List(crate::syntax::ast::ListOp::In { .. }))
        && lex::peek_word(after_op) == Some("range")
}

fn chained_comparison<'a>(i: &'a str, op_span: Span) -> PResult<'a, Expr> {
    let text = &i[..op_span.len().min(i.len())];
    PError::message(
        i,
        format!("comparison operators cannot be chained: `{text}` follows another operator of the same precedence"),
    )
    .with_len(op_span.len())
    .with_help("add brackets to say which comparison comes first")
    .fail()
}

fn operator_after_list<'a>(i: &'a str, op_span: Span) -> PResult<'a, Expr> {
    let text = i.get(..op_span.len()).unwrap_or(i);
    PError::message(
        i,
        format!("`{text}` cannot follow an `in (...)` or `between (...)` test without brackets"),
    )
    .with_len(op_span.len())
    .with_help("add brackets to say which comes first")
    .fail()
}

/// `lhs op rhs` with the input after `op`.
fn infix<'a>(lhs: Expr, op: Infix, after_op: &'a str) -> PResult<'a, Expr> {
    match op {
        Infix::Binary(bop) => binary_rhs(lhs, bop, after_op),
        Infix::List(lop) => list_rhs(lhs, lop, after_op),
        Infix::Between { negated } => between_rhs(lhs, negated, after_op),
    }
}

fn binary_rhs(lhs: Expr, op: crate::syntax::ast::BinaryOp, i: &str) -> PResult<'_, Expr> {
    let (rest, rhs) = commit(climb(i, prec::binary_level(op) + 1))?;
    let span = lhs.span.to(rhs.span);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Binary {
                op,
                left: Box::new(lhs),
                right: Box::new(rhs),
            },
            span,
        },
    ))
}

fn list_rhs(lhs: Expr, op: crate::syntax::ast::ListOp, i: &str) -> PResult<'_, Expr> {
    let (rest, (items, close)) = commit(expr_list_in_parens(i))?;
    let span = lhs.span.to(close);
    Ok((
        rest,
        Expr {
            kind: ExprKind::List {
                op,
                left: Box::new(lhs),
                items,
            },
            span,
        },
    ))
}

fn between_rhs(lhs: Expr, negated: bool, i: &str) -> PResult<'_, Expr> {
    let (rest, (low, high, close)) = commit(between_range(i))?;
    let span = lhs.span.to(close);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Between {
                negated,
                expr: Box::new(lhs),
                low: Box::new(low),
                high: Box::new(high),
            },
            span,
        },
    ))
}

/// nom's `cut` applied to a result: a recoverable error becomes a
/// committed one.
pub(crate) fn commit<T>(r: PResult<'_, T>) -> PResult<'_, T> {
    match r {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
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
    if at_sym(i, "-") || at_sym(i, "+") {
        return signed(i);
    }
    postfix(i)
}

fn signed(i: &str) -> PResult<'_, Expr> {
    let _depth = lex::nest(i)?;
    let (op, text) = if at_sym(i, "-") {
        (UnaryOp::Neg, "-")
    } else {
        (UnaryOp::Plus, "+")
    };
    let (rest, sign) = sym(i, text)?;
    let (rest, operand) = unary(rest)?;
    let span = sign.to(operand.span);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span,
        },
    ))
}

/// A primary followed by `.name`, `.['x']`, `.[e]` and `[e]` selectors.
fn postfix(i: &str) -> PResult<'_, Expr> {
    let (i, e) = primary(i)?;
    postfix_rest(i, e)
}

fn postfix_rest(mut i: &str, mut e: Expr) -> PResult<'_, Expr> {
    loop {
        let step = if let Some((after_dot, _)) = peek_sym(i, ".") {
            if at_sym(after_dot, "[") {
                index_selector(e, after_dot)?
            } else {
                member_selector(e, after_dot)?
            }
        } else if at_sym(i, "[") {
            index_selector(e, i)?
        } else {
            return Ok((i, e));
        };
        i = step.0;
        e = step.1;
    }
}

fn index_selector(target: Expr, i: &str) -> PResult<'_, Expr> {
    let (rest, (index, close)) = commit(bracket_index(i))?;
    let span = target.span.to(close);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Index {
                target: Box::new(target),
                index: Box::new(index),
            },
            span,
        },
    ))
}

fn member_selector(target: Expr, i: &str) -> PResult<'_, Expr> {
    let (rest, name) = commit(member_name(i))?;
    // `cluster(c).database(d)`: kept as `database(d, cluster = c)`, which
    // the printer writes back as it was (docs/semantics.md §11).
    if name.name == "database" && at_sym(rest, "(") && is_cluster_call(&target) {
        let start = target.span;
        let (rest, mut call) = call(rest, name)?;
        if let ExprKind::Call { args, .. } = &mut call.kind {
            let cluster_span = target.span;
            args.push(Expr {
                kind: ExprKind::NamedArg {
                    name: Ident {
                        name: "cluster".to_string(),
                        span: cluster_span,
                    },
                    value: Box::new(target),
                },
                span: cluster_span,
            });
        }
        call.span = start.to(call.span);
        return Ok((rest, call));
    }
    let span = target.span.to(name.span);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Member {
                target: Box::new(target),
                name,
            },
            span,
        },
    ))
}

/// `cluster(c)`: one argument, as the cluster-function page gives it.
fn is_cluster_call(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { name, args } if name.name == "cluster" && args.len() == 1)
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

/// A literal, a bracketed pipeline, `*`, a name, a call, or one of the
/// words with their own syntax (`dynamic`, `typeof`, `datatable`...).
fn primary(i: &str) -> PResult<'_, Expr> {
    if at_sym(i, "(") {
        return paren(i);
    }
    if let Some(r) = lex::scalar_literal(i) {
        return literal_token(r);
    }
    if at_sym(i, "*") {
        return star(i);
    }
    if lex::bracketed_name(i).is_some() {
        return bracketed_primary(i);
    }
    word_primary(i)
}

fn literal_token<'a>(r: PResult<'a, (Literal, Span)>) -> PResult<'a, Expr> {
    let (rest, (value, span)) = r?;
    Ok((rest, literal_expr(value, span)))
}

fn star(i: &str) -> PResult<'_, Expr> {
    let (rest, span) = sym(i, "*")?;
    Ok((
        rest,
        Expr {
            kind: ExprKind::Star,
            span,
        },
    ))
}

fn bracketed_primary(i: &str) -> PResult<'_, Expr> {
    match lex::bracketed_name(i) {
        Some(r) => {
            let (rest, name) = r?;
            name_or_call(rest, name)
        }
        None => PError::what(i, "an expression").err(),
    }
}

fn word_primary(i: &str) -> PResult<'_, Expr> {
    let n = lex::ident_len(i);
    if n == 0 {
        return PError::what(i, "an expression").err();
    }
    let word = &i[..n];
    let after_word = lex::skip_trivia(&i[n..]);
    let paren_follows = at_sym(after_word, "(");
    match word {
        "dynamic" => return dynamic_literal(i),
        "typeof" if paren_follows => return typeof_literal(i),
        "datatable" => return operator::datatable_source(i),
        "toscalar" | "materialize" | "totable" if paren_follows => {
            return keyword_call(i, word_static(word));
        }
        "null" if !paren_follows => return null_literal(i),
        _ => {}
    }
    if lex::is_reserved(word) {
        return keyword_as_expression(i, word);
    }
    let (rest, name) = lex::plain_name(i, n);
    name_or_call(rest, name)
}

fn keyword_call<'a>(i: &'a str, word: &'static str) -> PResult<'a, Expr> {
    let (rest, kw) = lex::kw(i, word)?;
    let name = Ident {
        name: word.to_string(),
        span: kw,
    };
    call(rest, name)
}

fn null_literal(i: &str) -> PResult<'_, Expr> {
    let (rest, span) = lex::kw(i, "null")?;
    Ok((rest, literal_expr(Literal::Null, span)))
}

fn keyword_as_expression<'a>(i: &'a str, word: &str) -> PResult<'a, Expr> {
    PError::message(i, format!("expected an expression, found keyword `{word}`"))
        .with_len(word.len())
        .with_help(format!(
            "if `{word}` is meant as a name, it needs to be bracketed as ['{word}']"
        ))
        .err()
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
    if named_arg_ahead(i) {
        return named_arg(i);
    }
    operator::pipe_expr(i)
}

fn named_arg_ahead(i: &str) -> bool {
    lex::peek_name(i, NameUse::Declaration).is_some_and(|(after, _)| at_sym(after, "="))
}

fn named_arg(i: &str) -> PResult<'_, Expr> {
    let (i, name) = lex::name(i, NameUse::Declaration)?;
    let (i, _) = sym(i, "=")?;
    let (rest, value) = commit(expr(i))?;
    let span = name.span.to(value.span);
    Ok((
        rest,
        Expr {
            kind: ExprKind::NamedArg {
                name,
                value: Box::new(value),
            },
            span,
        },
    ))
}

/// `( pipeline )`
fn paren(i: &str) -> PResult<'_, Expr> {
    let start = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, inner) = commit(operator::pipe_expr(i))?;
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
        let mut err = PError::what(
            i,
            "a type name (string, long, int, real, bool, datetime, timespan, dynamic, guid, decimal)",
        );
        if let Some(best) = crate::syntax::error::closest(word, TYPE_NAMES) {
            err = err.with_help(format!("did you mean `{best}`?"));
        }
        return err.err();
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
        return json_array(i);
    }
    if at_sym(i, "{") {
        return json_bag(i);
    }
    json_scalar(i)
}

fn json_array(i: &str) -> PResult<'_, Literal> {
    let open_at = offset(i);
    let (i, _) = sym(i, "[")?;
    let (i, items) = separated(i, "]", json_value)?;
    let (i, _) = close(i, "]", open_at, "`,` or `]`")?;
    Ok((i, Literal::Array(items)))
}

fn json_bag(i: &str) -> PResult<'_, Literal> {
    let open_at = offset(i);
    let (i, _) = sym(i, "{")?;
    let (i, pairs) = separated(i, "}", json_pair)?;
    let (i, _) = close(i, "}", open_at, "`,` or `}`")?;
    Ok((i, Literal::Bag(pairs)))
}

fn json_scalar(i: &str) -> PResult<'_, Literal> {
    if lex::peek_word(i) == Some("dynamic") {
        let (rest, e) = dynamic_literal(i)?;
        if let ExprKind::Literal { value } = e.kind {
            return Ok((rest, value));
        }
    }
    match literal_value(i) {
        Ok((rest, e)) => match e.kind {
            ExprKind::Literal { value } => Ok((rest, value)),
            _ => PError::what(i, "a literal value").err(),
        },
        Err(nom::Err::Error(_)) => PError::what(
            i,
            "a literal value (number, string, bool, null, array or property bag)",
        )
        .err(),
        Err(e) => Err(e),
    }
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

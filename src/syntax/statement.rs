//! Statements: `let`, `set`, `declare query_parameters`, and the tabular
//! expression statements they lead to; and the whole query.

use crate::span::Span;
use crate::syntax::ast::{
    FunctionBody, LetValue, Param, ParamType, Query, Statement, StatementKind,
};
use crate::syntax::error::{Expected, PError, PResult};
use crate::syntax::expr::{self, close, separated};
use crate::syntax::lex::{
    self, NameUse, at_kw, at_sym, kw, offset, peek_kw, peek_sym, span_from, sym,
};
use crate::syntax::operator::pipe_expr;
use nom::Parser;
use nom::combinator::cut;

/// The whole query: statements separated by `;`, a trailing `;` allowed,
/// and nothing after the last one.
pub(crate) fn query(source: &str) -> PResult<'_, Query> {
    let mut i = lex::skip_trivia(source);
    if i.is_empty() {
        return PError::what(i, "a query").fail();
    }
    let mut statements = Vec::new();
    loop {
        directive_check(i)?;
        let (rest, st) = statement(i)?;
        statements.push(st);
        i = rest;
        match peek_sym(i, ";") {
            Some((rest, _)) => {
                i = rest;
                if i.is_empty() {
                    break;
                }
            }
            None if i.is_empty() => break,
            None => {
                let mut err = PError::token(i, ";");
                err.d.expected.push(Expected::Token("|"));
                err.d.expected.push(Expected::What("end of input"));
                return err.fail();
            }
        }
    }
    Ok((
        i,
        Query {
            statements,
            span: Span::new(0, source.len()),
        },
    ))
}

/// `#connect ...` lines are client directives, not KQL.
fn directive_check(i: &str) -> Result<(), nom::Err<PError<'_>>> {
    if i.starts_with('#') {
        let line = i.find(['\n', '\r']).unwrap_or(i.len());
        return PError::message(
            i,
            "client directives (lines starting with `#`) are not supported",
        )
        .with_len(line)
        .with_help("remove the directive line; kqlite runs the query text only")
        .fail();
    }
    Ok(())
}

pub(crate) fn statement(i: &str) -> PResult<'_, Statement> {
    match lex::peek_word(i) {
        Some("let") => let_stmt(i),
        Some("set") => set_stmt(i),
        Some("declare") if declare_ahead(i) => declare_stmt(i),
        Some(w @ ("alias" | "restrict")) if !at_sym(lex::skip_trivia(&i[w.len()..]), "=") => {
            PError::message(i, format!("`{w}` statements are not supported"))
                .with_len(w.len())
                .fail()
        }
        _ => {
            let (rest, e) = pipe_expr(i)?;
            let span = e.span;
            Ok((
                rest,
                Statement {
                    kind: StatementKind::Expr { expr: e },
                    span,
                },
            ))
        }
    }
}

fn declare_ahead(i: &str) -> bool {
    peek_kw(i, "declare").is_some_and(|(rest, _)| at_kw(rest, "query_parameters"))
}

/// `let name = value`
pub(crate) fn let_stmt(i: &str) -> PResult<'_, Statement> {
    let start = offset(i);
    let (i, _) = kw(i, "let")?;
    let (i, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(i)?;
    let (i, _) = cut(|i| sym(i, "=")).parse(i)?;
    if function_ahead(i) {
        let (i, (value, end)) = cut(function_decl).parse(i)?;
        return Ok((
            i,
            Statement {
                kind: StatementKind::Let { name, value },
                span: span_from(start, end),
            },
        ));
    }
    let (i, e) = cut(pipe_expr).parse(i)?;
    let end = e.span;
    Ok((
        i,
        Statement {
            kind: StatementKind::Let {
                name,
                value: LetValue::Expr { expr: e },
            },
            span: span_from(start, end),
        },
    ))
}

/// After `let x =`: `[view] (` then `)` or `name :`, i.e. a function.
fn function_ahead(i: &str) -> bool {
    let i = peek_kw(i, "view").map_or(i, |(rest, _)| rest);
    let Some((rest, _)) = peek_sym(i, "(") else {
        return false;
    };
    if at_sym(rest, ")") {
        return true;
    }
    match lex::peek_name(rest, NameUse::Declaration) {
        Some((after, _)) => at_sym(after, ":"),
        None => false,
    }
}

/// `[view] (params) { body }`: the value and the span of `}`.
fn function_decl(i: &str) -> PResult<'_, (LetValue, Span)> {
    let (i, view) = match peek_kw(i, "view") {
        Some((rest, _)) => (rest, true),
        None => (i, false),
    };
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, params) = separated(i, ")", param)?;
    let (i, _) = close(i, ")", open_at, "`,` or `)`")?;
    let (i, body) = function_body(i)?;
    let end = body.span;
    Ok((i, (LetValue::Function { view, params, body }, end)))
}

/// `name: type [= default]`, `T: (*)` or `T: (col: type, ...)`.
fn param(i: &str) -> PResult<'_, Param> {
    let (i, name) = lex::name(i, NameUse::Declaration)?;
    let (i, _) = cut(|i| sym(i, ":")).parse(i)?;
    if let Some((rest, _)) = peek_sym(i, "(") {
        let open_at = offset(i);
        let (rest, columns) = if let Some((after, _)) = peek_sym(rest, "*") {
            (after, None)
        } else {
            let (after, cols) = cut(|i| separated(i, ")", column_decl_param)).parse(rest)?;
            (after, Some(cols))
        };
        let (rest, close) = close(rest, ")", open_at, "`,` or `)`")?;
        let span = name.span.to(close);
        return Ok((
            rest,
            Param {
                name,
                ty: ParamType::Tabular { columns },
                default: None,
                span,
            },
        ));
    }
    let (i, ty) = cut(expr::type_name).parse(i)?;
    let (i, default) = match peek_sym(i, "=") {
        Some((rest, _)) => {
            let (rest, d) = cut(expr::literal_value).parse(rest)?;
            (rest, Some(d))
        }
        None => (i, None),
    };
    let end = default.as_ref().map_or(ty.span, |d| d.span);
    let span = name.span.to(end);
    Ok((
        i,
        Param {
            name,
            ty: ParamType::Scalar { ty },
            default,
            span,
        },
    ))
}

fn column_decl_param(i: &str) -> PResult<'_, crate::syntax::ast::ColumnDecl> {
    let (i, name) = lex::name(i, NameUse::Declaration)?;
    let (i, _) = cut(|i| sym(i, ":")).parse(i)?;
    let (i, ty) = cut(expr::type_name).parse(i)?;
    let span = name.span.to(ty.span);
    Ok((i, crate::syntax::ast::ColumnDecl { name, ty, span }))
}

/// `{ [let ...;]* [expr] [;] }`
fn function_body(i: &str) -> PResult<'_, FunctionBody> {
    let _depth = lex::nest(i)?;
    let start = offset(i);
    let (mut i, _) = cut(|i| sym(i, "{")).parse(i)?;
    let mut statements = Vec::new();
    loop {
        if let Some((rest, close)) = peek_sym(i, "}") {
            return Ok((
                rest,
                FunctionBody {
                    statements,
                    span: span_from(start, close),
                },
            ));
        }
        let (rest, st) = cut(statement).parse(i)?;
        statements.push(st);
        i = rest;
        match peek_sym(i, ";") {
            Some((rest, _)) => i = rest,
            None => {
                let (_, _) = close(i, "}", start, "`;` or `}`")?;
            }
        }
    }
}

/// `set name [= value]`
fn set_stmt(i: &str) -> PResult<'_, Statement> {
    let start = offset(i);
    let (i, _) = kw(i, "set")?;
    let (i, name) = cut(option_name).parse(i)?;
    let (i, value) = match peek_sym(i, "=") {
        Some((rest, _)) => {
            let (rest, v) = cut(expr::expr).parse(rest)?;
            (rest, Some(v))
        }
        None => (i, None),
    };
    let end = value.as_ref().map_or(name.span, |v| v.span);
    Ok((
        i,
        Statement {
            kind: StatementKind::Set { name, value },
            span: span_from(start, end),
        },
    ))
}

/// A request option name: a word, possibly dotted.
fn option_name(i: &str) -> PResult<'_, crate::syntax::ast::Ident> {
    let mut len = lex::ident_len(i);
    if len == 0 {
        return PError::what(i, "an option name").err();
    }
    while i[len..].starts_with('.') {
        let more = lex::ident_len(&i[len + 1..]);
        if more == 0 {
            break;
        }
        len += 1 + more;
    }
    let start = offset(i);
    let after = &i[len..];
    let span = Span::new(start, offset(after));
    Ok((
        lex::skip_trivia(after),
        crate::syntax::ast::Ident {
            name: i[..len].to_string(),
            span,
        },
    ))
}

/// `declare query_parameters (name: type [= default], ...)`
fn declare_stmt(i: &str) -> PResult<'_, Statement> {
    let start = offset(i);
    let (i, _) = kw(i, "declare")?;
    let (i, _) = kw(i, "query_parameters")?;
    let open_at = offset(i);
    let (i, _) = cut(|i| sym(i, "(")).parse(i)?;
    let (i, params) = cut(|i| separated(i, ")", param)).parse(i)?;
    let (i, close) = close(i, ")", open_at, "`,` or `)`")?;
    Ok((
        i,
        Statement {
            kind: StatementKind::DeclareQueryParameters { params },
            span: span_from(start, close),
        },
    ))
}

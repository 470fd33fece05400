//! Tabular operators: pipelines, the operators that may start one (`print`,
//! `range`, `union`, `datatable`...), and one function per operator after
//! `|` (`where_op`, `summarize_op`...).
//!
//! Each operator function matches its keyword and then commits (`cut`):
//! once `| summarize` has been read, any error is reported where it
//! happens inside the operator instead of backtracking to "expected an
//! operator".

use crate::span::Span;
use crate::syntax::ast::{
    ColumnDecl, Expr, ExprKind, ForkBranch, Ident, MakeSeriesAgg, MakeSeriesRange, MvExpandItem,
    NamePattern, NamedExpr, NullsOrder, OpParam, Operator, OperatorKind, ParsePart, Property,
    Rename, ReorderItem, ScanAssignment, ScanDeclare, ScanStep, SortKey, SortOrder, TopNestedLevel,
    TypeName,
};
use crate::syntax::error::{PError, PResult};
use crate::syntax::expr::{self, close, expr, literal_expr, named_expr, separated, type_name};
use crate::syntax::lex::{
    self, NameUse, at_kw, at_sym, kw, offset, peek_kw, peek_sym, span_from, sym,
};
use nom::Parser;
use nom::combinator::cut;

/// `source | op | op ...`: a tabular expression (or a plain scalar one:
/// the binder decides). Pipes nest to the left.
pub(crate) fn pipe_expr(i: &str) -> PResult<'_, Expr> {
    let (i, head) = pipe_head(i)?;
    pipe_tail(i, head)
}

/// How many operators one pipeline may have. Each is a level of the plan,
/// which is bound recursively (the engine refuses plans deeper than 10,000
/// before they are optimized); real queries have dozens, and a 1 MB query
/// of short operators (tests/parse_hostile.rs) has 50,000.
pub(crate) const MAX_PIPE_OPERATORS: usize = 50_000;

fn too_many_operators(i: &str) -> PResult<'_, Expr> {
    PError::message(
        i,
        format!("pipeline too long (more than {MAX_PIPE_OPERATORS} operators)"),
    )
    .with_help("split the query with `let` statements")
    .fail()
}

/// The `| op` steps after a pipeline's head.
fn pipe_tail(mut i: &str, mut e: Expr) -> PResult<'_, Expr> {
    let mut count = 0usize;
    while let Some((rest, _)) = peek_sym(i, "|") {
        count += 1;
        if count > MAX_PIPE_OPERATORS {
            return too_many_operators(i);
        }
        let (rest, op) = expr::commit(after_pipe_op(rest))?;
        let span = e.span.to(op.span);
        e = Expr {
            kind: ExprKind::Pipe {
                input: Box::new(e),
                operator: Box::new(op),
            },
            span,
        };
        i = rest;
    }
    Ok((i, e))
}

/// The start of a pipeline: an operator that produces a table, or any
/// expression (a table name, a call, a bracketed pipeline).
fn pipe_head(i: &str) -> PResult<'_, Expr> {
    match source_operator(i) {
        Some(f) => source_head(i, f),
        None => expr(i),
    }
}

fn source_operator(i: &str) -> Option<OpFn> {
    match lex::peek_word(i)? {
        "print" => Some(print_op),
        "range" if range_ahead(i) => Some(range_op),
        "union" => Some(union_op),
        "search" => Some(search_op),
        "find" => Some(find_op),
        "externaldata" | "external_data" => Some(externaldata_op),
        "evaluate" if evaluate_ahead(i) => Some(evaluate_op),
        _ => None,
    }
}

fn source_head(i: &str, f: OpFn) -> PResult<'_, Expr> {
    let (rest, op) = f(i)?;
    Ok((rest, source_expr(op)))
}

fn source_expr(op: Operator) -> Expr {
    let span = op.span;
    Expr {
        kind: ExprKind::Source {
            operator: Box::new(op),
        },
        span,
    }
}

/// `range name from`: the `range` operator rather than a name `range`.
fn range_ahead(i: &str) -> bool {
    let Some((rest, _)) = peek_kw(i, "range") else {
        return false;
    };
    match lex::peek_name(rest, NameUse::Declaration) {
        Some((after, _)) => at_kw(after, "from"),
        None => false,
    }
}

/// `evaluate plugin(` or `evaluate hint.x=`: the operator, not a name.
fn evaluate_ahead(i: &str) -> bool {
    let Some((rest, _)) = peek_kw(i, "evaluate") else {
        return false;
    };
    lex::ident_len(rest) > 0
}

/// Every operator that may follow `|`, for dispatch and suggestions.
const OPERATOR_NAMES: &[&str] = &[
    "where",
    "filter",
    "extend",
    "project",
    "project-away",
    "project-keep",
    "project-by-names",
    "project-rename",
    "project-reorder",
    "take",
    "limit",
    "count",
    "sort",
    "order",
    "top",
    "top-nested",
    "top-hitters",
    "distinct",
    "summarize",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "mvexpand",
    "mv-apply",
    "mvapply",
    "parse",
    "parse-where",
    "parse-kv",
    "make-series",
    "evaluate",
    "as",
    "invoke",
    "render",
    "search",
    "getschema",
    "serialize",
    "sample",
    "sample-distinct",
    "reduce",
    "fork",
    "facet",
    "partition",
    "scan",
    "consume",
    "make-graph",
    "graph-match",
    "graph-to-table",
    "graph-shortest-paths",
    "graph-mark-components",
];

type OpFn = for<'a> fn(&'a str) -> PResult<'a, Operator>;

fn operator_fn(word: &str) -> Option<OpFn> {
    Some(match word {
        "where" | "filter" => where_op,
        "extend" => extend_op,
        "project" => project_op,
        "project-away" => project_away_op,
        "project-keep" => project_keep_op,
        "project-by-names" => project_by_names_op,
        "project-rename" => project_rename_op,
        "project-reorder" => project_reorder_op,
        "take" | "limit" => take_op,
        "count" => count_op,
        "sort" | "order" => sort_op,
        "top" => top_op,
        "top-nested" => top_nested_op,
        "top-hitters" => top_hitters_op,
        "distinct" => distinct_op,
        "summarize" => summarize_op,
        "join" => join_op,
        "lookup" => lookup_op,
        "union" => union_op,
        "mv-expand" | "mvexpand" => mv_expand_op,
        "mv-apply" | "mvapply" => mv_apply_op,
        "parse" => parse_op,
        "parse-where" => parse_where_op,
        "parse-kv" => parse_kv_op,
        "make-series" => make_series_op,
        "evaluate" => evaluate_op,
        "as" => as_op,
        "invoke" => invoke_op,
        "render" => render_op,
        "search" => search_op,
        "getschema" => getschema_op,
        "serialize" => serialize_op,
        "sample" => sample_op,
        "sample-distinct" => sample_distinct_op,
        "reduce" => reduce_op,
        "fork" => fork_op,
        "facet" => facet_op,
        "partition" => partition_op,
        "scan" => scan_op,
        "consume" => consume_op,
        "make-graph" => super::graph::make_graph_op,
        "graph-match" => super::graph::graph_match_op,
        "graph-to-table" => super::graph::graph_to_table_op,
        "graph-shortest-paths" => super::graph::graph_shortest_paths_op,
        "graph-mark-components" => super::graph::graph_mark_components_op,
        _ => return None,
    })
}

/// The operator after a `|`.
pub(crate) fn after_pipe_op(i: &str) -> PResult<'_, Operator> {
    let word = lex::peek_word(i).unwrap_or("");
    if let Some(f) = operator_fn(word) {
        return f(i);
    }
    let mut err = if word.is_empty() {
        PError::what(i, "a query operator after `|`")
    } else {
        PError::message(i, format!("unknown query operator `{word}`")).with_len(word.len())
    };
    if let Some(best) = crate::syntax::error::closest(word, OPERATOR_NAMES) {
        err = err.with_help(format!("did you mean `{best}`?"));
    } else if i.trim_start().starts_with('|') {
        err = err.with_help("remove the extra `|`");
    }
    err.err()
}

fn op(start: usize, last: Span, kind: OperatorKind) -> Operator {
    Operator {
        kind,
        span: span_from(start, last),
    }
}

/// Matches one of `words` as the operator keyword.
fn op_keyword<'a>(i: &'a str, words: &[&'static str]) -> PResult<'a, Span> {
    for w in words {
        if let Some(ok) = peek_kw(i, w) {
            return Ok(ok);
        }
    }
    PError::what(i, "a query operator").err()
}

// ---------------------------------------------------------------------------
// Operator parameters: `kind=inner`, `hint.strategy=shuffle`...

/// Which `name=value` parameters an operator takes.
#[derive(Clone, Copy)]
enum Params {
    /// Only these names (`hint.*` stands for any `hint.` name).
    Only(&'static [&'static str]),
    /// Any name (join, union, ...).
    Any,
}

fn op_params(i: &str, allowed: Params) -> PResult<'_, Vec<OpParam>> {
    let mut params = Vec::new();
    let mut i = i;
    while let Some((after_eq, name)) = param_name_ahead(i, allowed) {
        let (rest, value) = cut(param_value).parse(after_eq)?;
        let span = name.span.to(value.span);
        params.push(OpParam { name, value, span });
        i = rest;
    }
    Ok((i, params))
}

/// `name =` (a single `=`) where `name` may be dotted (`hint.strategy`).
fn param_name_ahead(i: &str, allowed: Params) -> Option<(&str, Ident)> {
    let b = i.as_bytes();
    if !b.first().is_some_and(|&c| lex::is_ident_start(c)) {
        return None;
    }
    let mut len = 1 + i[1..]
        .bytes()
        .take_while(|&c| lex::is_ident_char(c))
        .count();
    while i[len..].starts_with('.') {
        let more = i[len + 1..]
            .bytes()
            .take_while(|&c| lex::is_ident_char(c))
            .count();
        if more == 0 {
            break;
        }
        len += 1 + more;
    }
    let text = &i[..len];
    let ok = match allowed {
        Params::Any => true,
        Params::Only(names) => names
            .iter()
            .any(|n| *n == text || (*n == "hint.*" && text.starts_with("hint."))),
    };
    if !ok {
        return None;
    }
    let start = offset(i);
    let after = &i[len..];
    let span = Span::new(start, offset(after));
    let after = lex::skip_trivia(after);
    let (after_eq, _) = peek_sym(after, "=")?;
    Some((
        after_eq,
        Ident {
            name: text.to_string(),
            span,
        },
    ))
}

/// A parameter value: a literal or a bare word (`inner`, `shuffle`).
fn param_value(i: &str) -> PResult<'_, Expr> {
    if let Some(r) = lex::signed_number(i) {
        let (rest, (lit, span)) = r?;
        return Ok((rest, literal_expr(lit, span)));
    }
    if let Some(r) = lex::scalar_literal(i) {
        let (rest, (lit, span)) = r?;
        return Ok((rest, literal_expr(lit, span)));
    }
    let n = lex::ident_len(i);
    if n == 0 {
        return PError::what(i, "a parameter value").err();
    }
    let start = offset(i);
    let after = &i[n..];
    let span = Span::new(start, offset(after));
    let name = Ident {
        name: i[..n].to_string(),
        span,
    };
    Ok((
        lex::skip_trivia(after),
        Expr {
            kind: ExprKind::Name { name },
            span,
        },
    ))
}

// ---------------------------------------------------------------------------
// Shared pieces

/// `e, e, ...` (at least one).
fn named_list(i: &str) -> PResult<'_, Vec<NamedExpr>> {
    let (mut i, first) = named_expr(i)?;
    let mut items = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(named_expr).parse(rest)?;
        items.push(next);
        i = rest;
    }
    Ok((i, items))
}

fn expr_list(i: &str) -> PResult<'_, Vec<Expr>> {
    let (mut i, first) = expr(i)?;
    let mut items = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(expr).parse(rest)?;
        items.push(next);
        i = rest;
    }
    Ok((i, items))
}

fn last_span<T>(items: &[T], span: impl Fn(&T) -> Span, default: Span) -> Span {
    items.last().map_or(default, span)
}

/// `name: type`
fn column_decl(i: &str) -> PResult<'_, ColumnDecl> {
    let (i, name) = lex::name(i, NameUse::Declaration)?;
    let (i, _) = cut(|i| sym(i, ":")).parse(i)?;
    let (i, ty) = cut(type_name).parse(i)?;
    let span = name.span.to(ty.span);
    Ok((i, ColumnDecl { name, ty, span }))
}

/// `( name: type, ... [,] )`: returns the columns and the span of `)`.
fn column_decls(i: &str) -> PResult<'_, (Vec<ColumnDecl>, Span)> {
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, cols) = separated_trailing(i, ")", column_decl)?;
    let (i, close) = close(i, ")", open_at, "`,` or `)`")?;
    Ok((i, (cols, close)))
}

/// Like [`separated`], allowing a `,` before the closing bracket.
fn separated_trailing<'a, T>(
    i: &'a str,
    closer: &'static str,
    item: impl Fn(&'a str) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let mut items = Vec::new();
    let mut i = i;
    while !at_sym(i, closer) {
        let (rest, x) = item(i)?;
        items.push(x);
        match peek_sym(rest, ",") {
            Some((after, _)) => i = after,
            None => return Ok((rest, items)),
        }
    }
    Ok((i, items))
}

/// `with ( name = value, ... [,] )`: the properties and the span of `)`.
/// A list value (`ycolumns = a, b`) becomes one property per name, all
/// with the same property name.
fn with_properties(i: &str) -> PResult<'_, (Vec<Property>, Span)> {
    let (i, _) = kw(i, "with")?;
    let open_at = offset(i);
    let (mut i, _) = cut(|i| sym(i, "(")).parse(i)?;
    let mut props: Vec<Property> = Vec::new();
    while !at_sym(i, ")") {
        let continues_list = props.last().is_some()
            && lex::peek_name(i, NameUse::Reference)
                .is_some_and(|(after, _)| at_sym(after, ",") || at_sym(after, ")"));
        let (rest, p) = match props.last() {
            Some(prev) if continues_list => {
                let (rest, name) = lex::name(i, NameUse::Reference)?;
                let span = name.span;
                let value = Expr {
                    kind: ExprKind::Name { name },
                    span,
                };
                let p = Property {
                    name: prev.name.clone(),
                    value,
                    span,
                };
                (rest, p)
            }
            _ => cut(property).parse(i)?,
        };
        props.push(p);
        match peek_sym(rest, ",") {
            Some((after, _)) => i = after,
            None => {
                i = rest;
                break;
            }
        }
    }
    let (i, close) = close(i, ")", open_at, "`,` or `)`")?;
    Ok((i, (props, close)))
}

fn property(i: &str) -> PResult<'_, Property> {
    let (i, name) = property_name(i)?;
    let (i, _) = cut(|i| sym(i, "=")).parse(i)?;
    let (i, value) = cut(expr).parse(i)?;
    let span = name.span.to(value.span);
    Ok((i, Property { name, value, span }))
}

/// A property name: any word (keywords included) or `['...']`.
fn property_name(i: &str) -> PResult<'_, Ident> {
    let n = lex::ident_len(i);
    if n == 0 {
        return lex::name(i, NameUse::Declaration);
    }
    let start = offset(i);
    let after = &i[n..];
    let span = Span::new(start, offset(after));
    Ok((
        lex::skip_trivia(after),
        Ident {
            name: i[..n].to_string(),
            span,
        },
    ))
}

/// `Col`, `prefix*`, `*suffix`, `a*b`, `['x']`: written without spaces.
fn name_pattern(i: &str) -> PResult<'_, NamePattern> {
    if let Some(r) = lex::bracketed_name(i) {
        let (rest, name) = r?;
        return Ok((
            rest,
            NamePattern {
                pattern: name.name,
                span: name.span,
            },
        ));
    }
    let len = wildcard_len(i);
    if len == 0 {
        return PError::what(i, "a column name or pattern").err();
    }
    let text = &i[..len];
    if !text.contains('*') {
        let (rest, name) = lex::name(i, NameUse::Declaration)?;
        return Ok((
            rest,
            NamePattern {
                pattern: name.name,
                span: name.span,
            },
        ));
    }
    let start = offset(i);
    let after = &i[len..];
    let span = Span::new(start, offset(after));
    Ok((
        lex::skip_trivia(after),
        NamePattern {
            pattern: text.to_string(),
            span,
        },
    ))
}

/// The length of a run of identifier characters and `*`.
fn wildcard_len(i: &str) -> usize {
    let b = i.as_bytes();
    if b.first() == Some(&b'*') || b.first().is_some_and(|&c| lex::is_ident_start(c)) {
        i.bytes()
            .take_while(|&c| lex::is_ident_char(c) || c == b'*' || c == b'$')
            .count()
    } else if b.first().is_some_and(|c| c.is_ascii_digit()) && lex::ident_len(i) > 0 {
        lex::ident_len(i)
    } else {
        0
    }
}

/// `expr [asc|desc] [nulls first|last]`
fn sort_key(i: &str) -> PResult<'_, SortKey> {
    let (i, e) = expr(i)?;
    let mut end = e.span;
    let (i, order) = if let Some((rest, s)) = peek_kw(i, "asc") {
        end = s;
        (rest, Some(SortOrder::Asc))
    } else if let Some((rest, s)) = peek_kw(i, "desc") {
        end = s;
        (rest, Some(SortOrder::Desc))
    } else {
        (i, None)
    };
    let (i, nulls) = if let Some((rest, _)) = peek_kw(i, "nulls") {
        if let Some((rest, s)) = peek_kw(rest, "first") {
            end = s;
            (rest, Some(NullsOrder::First))
        } else {
            let (rest, s) = cut(|i| kw(i, "last")).parse(rest).map_err(|e| {
                e.map(|e| crate::syntax::error::furthest(e, PError::token(rest, "first")))
            })?;
            end = s;
            (rest, Some(NullsOrder::Last))
        }
    } else {
        (i, None)
    };
    let span = e.span.to(end);
    Ok((
        i,
        SortKey {
            expr: e,
            order,
            nulls,
            span,
        },
    ))
}

/// A required keyword right after another word of the same construct;
/// errors get `help`.
fn expect_kw<'a>(i: &'a str, k: &'static str, help: &str) -> PResult<'a, Span> {
    match peek_kw(i, k) {
        Some(ok) => Ok(ok),
        None => PError::token(i, k).with_help(help.to_string()).fail(),
    }
}

/// `( op | op ... )` body: operators applied to an implicit input. The
/// first operator becomes an [`ExprKind::Source`].
pub(crate) fn contextual_pipe(i: &str) -> PResult<'_, Expr> {
    let word = lex::peek_word(i).unwrap_or("");
    if operator_fn(word).is_none() {
        return pipe_expr(i);
    }
    let _depth = lex::nest(i)?;
    let (mut i, first) = after_pipe_op(i)?;
    let mut e = source_expr(first);
    let mut count = 1usize;
    while let Some((rest, _)) = peek_sym(i, "|") {
        count += 1;
        if count > MAX_PIPE_OPERATORS {
            return too_many_operators(i);
        }
        let (rest, op) = cut(after_pipe_op).parse(rest)?;
        let span = e.span.to(op.span);
        e = Expr {
            kind: ExprKind::Pipe {
                input: Box::new(e),
                operator: Box::new(op),
            },
            span,
        };
        i = rest;
    }
    Ok((i, e))
}

/// Whether an operator ends here: `|`, `;`, a closing bracket or the end.
fn at_operator_end(i: &str) -> bool {
    i.is_empty() || [")", "|", ";", "}", "]"].iter().any(|s| at_sym(i, s))
}

/// After an operator's last item: only `|`, `;`, a closing bracket or the
/// end may follow. Anything else is most likely a missing `,` (or `and`).
fn operator_end<'a>(
    i: &'a str,
    missing: &'static str,
    help: &'static str,
) -> Result<(), nom::Err<PError<'a>>> {
    if at_operator_end(i) {
        return Ok(());
    }
    let mut err = PError::token(i, missing);
    err.d
        .expected
        .push(crate::syntax::error::Expected::Token("|"));
    let starts_item = lex::ident_len(i) > 0
        || lex::starts_string(i)
        || lex::scalar_literal(i).is_some()
        || at_sym(i, "(")
        || i.starts_with('[');
    if starts_item {
        err = err.with_help(help);
    }
    err.fail()
}

const MISSING_COMMA: &str = "separate the columns with `,`";

// ---------------------------------------------------------------------------
// Operators after `|`

pub(crate) fn where_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = op_keyword(i, &["where", "filter"])?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, predicate) = cut(expr).parse(i)?;
    if at_sym(i, "=") {
        return PError::message(i, "expected a comparison such as `==`, found `=`")
            .with_help("to compare two values use `==`; a single `=` only names a column")
            .fail();
    }
    let end = predicate.span;
    operator_end(i, "and", "combine conditions with `and` or `or`")?;
    Ok((i, op(start, end, OperatorKind::Where { params, predicate })))
}

pub(crate) fn extend_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "extend")?;
    let (i, columns) = cut(named_list).parse(i)?;
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::Extend { columns })))
}

pub(crate) fn project_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "project")?;
    let (i, columns) = cut(named_list).parse(i)?;
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::Project { columns })))
}

fn pattern_list(i: &str) -> PResult<'_, Vec<NamePattern>> {
    let (mut i, first) = name_pattern(i)?;
    let mut items = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(name_pattern).parse(rest)?;
        items.push(next);
        i = rest;
    }
    Ok((i, items))
}

pub(crate) fn project_away_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "project-away")?;
    let (i, columns) = cut(pattern_list).parse(i)?;
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::ProjectAway { columns })))
}

pub(crate) fn project_keep_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "project-keep")?;
    let (i, columns) = cut(pattern_list).parse(i)?;
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::ProjectKeep { columns })))
}

/// `project-by-names spec, ...` (project-by-names-operator): each spec an
/// expression the binder evaluates to names or patterns.
pub(crate) fn project_by_names_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "project-by-names")?;
    let (mut i, first) = cut(expr).parse(i)?;
    let mut columns = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(expr).parse(rest)?;
        columns.push(next);
        i = rest;
    }
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::ProjectByNames { columns })))
}

/// `new = old`. The official grammar accepts any expression on the right
/// (a semantic error there); such an expression is kept as a name holding
/// its source text, so the binder reports it as an unknown column.
fn rename(i: &str) -> PResult<'_, Rename> {
    let (i, new) = lex::name(i, NameUse::Declaration)?;
    let (i, _) = cut(|i| sym(i, "=")).parse(i)?;
    if let Some((rest, old)) = lex::peek_name(i, NameUse::Declaration)
        && (at_sym(rest, ",") || !continues_expression(rest))
    {
        let span = new.span.to(old.span);
        return Ok((rest, Rename { new, old, span }));
    }
    let (rest, e) = cut(expr).parse(i)?;
    let old = match e.kind {
        ExprKind::Name { name } => name,
        _ => Ident {
            name: i[..e.span.len().min(i.len())].to_string(),
            span: e.span,
        },
    };
    let span = new.span.to(old.span);
    Ok((rest, Rename { new, old, span }))
}

/// Whether the text after a name continues an expression (an operator, a
/// call, a path).
fn continues_expression(i: &str) -> bool {
    crate::syntax::prec::peek_infix(i).is_some()
        || at_sym(i, "(")
        || at_sym(i, ".")
        || at_sym(i, "[")
}

pub(crate) fn project_rename_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "project-rename")?;
    let (mut i, first) = cut(rename).parse(i)?;
    let mut renames = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(rename).parse(rest)?;
        renames.push(next);
        i = rest;
    }
    let end = last_span(&renames, |r| r.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::ProjectRename { renames })))
}

fn reorder_item(i: &str) -> PResult<'_, ReorderItem> {
    let (i, pattern) = name_pattern(i)?;
    for word in ["asc", "desc", "granny-asc", "granny-desc"] {
        if let Some((rest, span)) = peek_kw(i, word) {
            let order = Ident {
                name: word.to_string(),
                span,
            };
            let span = pattern.span.to(span);
            return Ok((
                rest,
                ReorderItem {
                    pattern,
                    order: Some(order),
                    span,
                },
            ));
        }
    }
    let span = pattern.span;
    Ok((
        i,
        ReorderItem {
            pattern,
            order: None,
            span,
        },
    ))
}

pub(crate) fn project_reorder_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "project-reorder")?;
    let (mut i, first) = cut(reorder_item).parse(i)?;
    let mut columns = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(reorder_item).parse(rest)?;
        columns.push(next);
        i = rest;
    }
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::ProjectReorder { columns })))
}

pub(crate) fn take_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = op_keyword(i, &["take", "limit"])?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, count) = cut(expr).parse(i)?;
    let end = count.span;
    Ok((i, op(start, end, OperatorKind::Take { params, count })))
}

pub(crate) fn count_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, end) = kw(i, "count")?;
    // `count as Name`: the official grammar's CountAsIdentifierClause.
    if let Ok((rest, _)) = kw(i, "as") {
        let (rest, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
        let end = name.span;
        return Ok((
            rest,
            op(start, end, OperatorKind::Count { name: Some(name) }),
        ));
    }
    Ok((i, op(start, end, OperatorKind::Count { name: None })))
}

pub(crate) fn sort_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = op_keyword(i, &["sort", "order"])?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, _) = expect_kw(i, "by", "write `sort by <column> [asc|desc]`")?;
    let (mut i, first) = cut(sort_key).parse(i)?;
    let mut keys = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(sort_key).parse(rest)?;
        keys.push(next);
        i = rest;
    }
    let end = last_span(&keys, |k| k.span, Span::point(start));
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::Sort { params, keys })))
}

pub(crate) fn top_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "top")?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, count) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(i, "by", "write `top <count> by <column> [asc|desc]`")?;
    let (i, key) = cut(sort_key).parse(i)?;
    let end = key.span;
    Ok((i, op(start, end, OperatorKind::Top { params, count, key })))
}

fn top_nested_level(i: &str) -> PResult<'_, TopNestedLevel> {
    let start = offset(i);
    let (i, _) = kw(i, "top-nested")?;
    let (i, count) = if at_kw(i, "of") {
        (i, None)
    } else {
        let (i, c) = cut(expr).parse(i)?;
        (i, Some(c))
    };
    let (i, _) = expect_kw(i, "of", "write `top-nested [N] of <column> by <aggregate>`")?;
    let (i, of) = cut(named_expr).parse(i)?;
    let (i, others) = if let Some((rest, _)) = peek_kw(i, "with") {
        let (rest, _) = cut(|i| kw(i, "others")).parse(rest)?;
        let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
        let (rest, e) = cut(expr).parse(rest)?;
        (rest, Some(e))
    } else {
        (i, None)
    };
    let (i, _) = expect_kw(i, "by", "write `top-nested [N] of <column> by <aggregate>`")?;
    let (i, by) = cut(named_expr).parse(i)?;
    let mut end = by.span;
    let (i, order) = if let Some((rest, s)) = peek_kw(i, "asc") {
        end = s;
        (rest, Some(SortOrder::Asc))
    } else if let Some((rest, s)) = peek_kw(i, "desc") {
        end = s;
        (rest, Some(SortOrder::Desc))
    } else {
        (i, None)
    };
    Ok((
        i,
        TopNestedLevel {
            count,
            of,
            others,
            by,
            order,
            span: span_from(start, end),
        },
    ))
}

pub(crate) fn top_nested_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (mut i, first) = top_nested_level(i)?;
    let mut levels = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(top_nested_level).parse(rest)?;
        levels.push(next);
        i = rest;
    }
    let end = last_span(&levels, |l| l.span, Span::point(start));
    Ok((i, op(start, end, OperatorKind::TopNested { levels })))
}

pub(crate) fn top_hitters_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "top-hitters")?;
    let (i, count) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(
        i,
        "of",
        "write `top-hitters <count> of <column> [by <weight>]`",
    )?;
    let (i, of) = cut(expr).parse(i)?;
    let (i, by) = if let Some((rest, _)) = peek_kw(i, "by") {
        let (rest, e) = cut(expr).parse(rest)?;
        (rest, Some(e))
    } else {
        (i, None)
    };
    let end = by.as_ref().map_or(of.span, |b| b.span);
    Ok((
        i,
        op(start, end, OperatorKind::TopHitters { count, of, by }),
    ))
}

pub(crate) fn distinct_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "distinct")?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, columns) = cut(named_list).parse(i)?;
    let end = last_span(&columns, |c| c.span, Span::point(start));
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((
        i,
        op(start, end, OperatorKind::Distinct { params, columns }),
    ))
}

pub(crate) fn summarize_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "summarize")?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, aggregates) = if at_kw(i, "by") {
        (i, Vec::new())
    } else {
        cut(named_list).parse(i)?
    };
    let (i, by) = if let Some((rest, _)) = peek_kw(i, "by") {
        cut(named_list).parse(rest)?
    } else {
        if lex::ident_len(i) > 0 && !at_kw(i, "on") {
            let word = lex::peek_word(i).unwrap_or("");
            return PError::token(i, ",")
                .with_help(format!(
                    "group-by columns follow `by`: did you mean `by {word}`?"
                ))
                .fail();
        }
        (i, Vec::new())
    };
    let end = by.last().or(aggregates.last()).map_or(kw_span, |c| c.span);
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::Summarize {
                params,
                aggregates,
                by,
            },
        ),
    ))
}

/// The right side of `join`/`lookup`: `(pipeline)`, a name or a call.
fn join_right(i: &str) -> PResult<'_, Expr> {
    expr(i)
}

/// `on a, $left.b == $right.c, ...`
fn join_on(i: &str) -> PResult<'_, Vec<Expr>> {
    let (i, _) = kw(i, "on")?;
    cut(expr_list).parse(i)
}

pub(crate) fn join_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "join")?;
    let (i, params) = op_params(i, Params::Any)?;
    let (i, right) = cut(join_right).parse(i)?;
    if at_kw(i, "on") {
        let (i, on) = join_on(i)?;
        let end = last_span(&on, |e| e.span, right.span);
        return Ok((
            i,
            op(
                start,
                end,
                OperatorKind::Join {
                    params,
                    right: Box::new(right),
                    on,
                    predicate: None,
                },
            ),
        ));
    }
    if let Some((rest, _)) = peek_kw(i, "where") {
        let (rest, predicate) = cut(expr).parse(rest)?;
        let end = predicate.span;
        return Ok((
            rest,
            op(
                start,
                end,
                OperatorKind::Join {
                    params,
                    right: Box::new(right),
                    on: Vec::new(),
                    predicate: Some(Box::new(predicate)),
                },
            ),
        ));
    }
    PError::token(i, "on")
        .with_help("a join needs its keys: `on Column` or `on $left.a == $right.b`")
        .fail()
}

pub(crate) fn lookup_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "lookup")?;
    let (i, params) = op_params(i, Params::Any)?;
    let (i, right) = cut(join_right).parse(i)?;
    if !at_kw(i, "on") {
        return PError::token(i, "on").fail();
    }
    let (i, on) = join_on(i)?;
    let end = last_span(&on, |e| e.span, right.span);
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::Lookup {
                params,
                right: Box::new(right),
                on,
            },
        ),
    ))
}

/// A `union` table: a wildcard pattern (`Dev*`, kept as a name containing
/// `*`), a bracketed pipeline, a name or a call.
fn union_table(i: &str) -> PResult<'_, Expr> {
    let len = wildcard_len(i);
    if len > 0 && i[..len].contains('*') {
        let (rest, p) = name_pattern(i)?;
        let span = p.span;
        return Ok((
            rest,
            Expr {
                kind: ExprKind::Name {
                    name: Ident {
                        name: p.pattern,
                        span,
                    },
                },
                span,
            },
        ));
    }
    expr(i)
}

pub(crate) fn union_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "union")?;
    let (i, params) = op_params(i, Params::Any)?;
    let (mut i, first) = cut(union_table).parse(i)?;
    let mut tables = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(union_table).parse(rest)?;
        tables.push(next);
        i = rest;
    }
    let end = last_span(&tables, |t| t.span, Span::point(start));
    Ok((i, op(start, end, OperatorKind::Union { params, tables })))
}

/// `[name =] expr [to typeof(type)]`
fn mv_item(i: &str) -> PResult<'_, MvExpandItem> {
    let (i, column) = named_expr(i)?;
    let (i, to_type) = if let Some((rest, _)) = peek_kw(i, "to") {
        let (rest, _) = cut(|i| kw(i, "typeof")).parse(rest)?;
        let open_at = offset(rest);
        let (rest, _) = cut(|i| sym(i, "(")).parse(rest)?;
        let (rest, ty) = cut(type_name).parse(rest)?;
        let (rest, close) = close(rest, ")", open_at, "`)`")?;
        (rest, Some((ty, close)))
    } else {
        (i, None)
    };
    let span = match &to_type {
        Some((_, close)) => column.span.to(*close),
        None => column.span,
    };
    Ok((
        i,
        MvExpandItem {
            column,
            to_type: to_type.map(|(t, _): (TypeName, Span)| t),
            span,
        },
    ))
}

fn mv_items(i: &str) -> PResult<'_, Vec<MvExpandItem>> {
    let (mut i, first) = mv_item(i)?;
    let mut items = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(mv_item).parse(rest)?;
        items.push(next);
        i = rest;
    }
    Ok((i, items))
}

const MV_PARAMS: Params = Params::Only(&["bagexpansion", "with_itemindex", "kind", "hint.*"]);

pub(crate) fn mv_expand_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = op_keyword(i, &["mv-expand", "mvexpand"])?;
    let (i, params) = op_params(i, MV_PARAMS)?;
    let (i, items) = cut(mv_items).parse(i)?;
    let mut end = last_span(&items, |x| x.span, Span::point(start));
    let (i, limit) = if let Some((rest, _)) = peek_kw(i, "limit") {
        let (rest, e) = cut(expr).parse(rest)?;
        end = e.span;
        (rest, Some(e))
    } else {
        (i, None)
    };
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::MvExpand {
                params,
                items,
                limit,
            },
        ),
    ))
}

pub(crate) fn mv_apply_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = op_keyword(i, &["mv-apply", "mvapply"])?;
    let (i, params) = op_params(i, MV_PARAMS)?;
    let (i, items) = cut(mv_items).parse(i)?;
    let (i, limit) = if let Some((rest, _)) = peek_kw(i, "limit") {
        let (rest, e) = cut(expr).parse(rest)?;
        (rest, Some(e))
    } else {
        (i, None)
    };
    let (i, _) = expect_kw(i, "on", "write `mv-apply <column> on (<operators>)`")?;
    let open_at = offset(i);
    let (i, _) = cut(|i| sym(i, "(")).parse(i)?;
    let (i, subquery) = cut(contextual_pipe).parse(i)?;
    let (i, close) = close(i, ")", open_at, "`|` or `)`")?;
    Ok((
        i,
        op(
            start,
            close,
            OperatorKind::MvApply {
                params,
                items,
                limit,
                subquery: Box::new(subquery),
            },
        ),
    ))
}

/// The parts of a `parse` pattern, after `with`.
fn parse_pattern(i: &str) -> PResult<'_, Vec<ParsePart>> {
    let mut parts = Vec::new();
    let mut i = i;
    loop {
        if let Some((rest, span)) = peek_sym(i, "*") {
            parts.push(ParsePart::Star { span });
            i = rest;
        } else if lex::starts_string(i) {
            let (rest, (text, span)) = lex::string_lit(i)?;
            parts.push(ParsePart::Literal { text, span });
            i = rest;
        } else if let Some((rest, name)) = lex::peek_name(i, NameUse::Declaration) {
            let (rest, ty) = if let Some((after, _)) = peek_sym(rest, ":") {
                let (after, ty) = cut(type_name).parse(after)?;
                (after, Some(ty))
            } else {
                (rest, None)
            };
            let span = match &ty {
                Some(t) => name.span.to(t.span),
                None => name.span,
            };
            parts.push(ParsePart::Column { name, ty, span });
            i = rest;
        } else {
            break;
        }
    }
    if parts.is_empty() {
        return PError::what(i, "a parse pattern (`*`, string literals and column names)").fail();
    }
    Ok((i, parts))
}

fn part_span(p: &ParsePart) -> Span {
    match p {
        ParsePart::Star { span }
        | ParsePart::Literal { span, .. }
        | ParsePart::Column { span, .. } => *span,
    }
}

/// `[kind=... flags=...] source with pattern`, shared by `parse` and `parse-where`.
fn parse_body(i: &str) -> PResult<'_, (Vec<OpParam>, Expr, Vec<ParsePart>)> {
    let (i, params) = op_params(i, Params::Only(&["kind", "flags", "hint.*"]))?;
    let (i, source) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(i, "with", "write `parse <column> with <pattern>`")?;
    let (i, pattern) = parse_pattern(i)?;
    Ok((i, (params, source, pattern)))
}

pub(crate) fn parse_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "parse")?;
    let (i, (params, source, pattern)) = parse_body(i)?;
    let end = last_span(&pattern, part_span, source.span);
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::Parse {
                params,
                source,
                pattern,
            },
        ),
    ))
}

pub(crate) fn parse_where_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "parse-where")?;
    let (i, (params, source, pattern)) = parse_body(i)?;
    let end = last_span(&pattern, part_span, source.span);
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::ParseWhere {
                params,
                source,
                pattern,
            },
        ),
    ))
}

pub(crate) fn parse_kv_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "parse-kv")?;
    let (i, source) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(i, "as", "write `parse-kv <column> as (name: type, ...)`")?;
    let (i, (columns, mut end)) = cut(column_decls).parse(i)?;
    let (i, properties) = if at_kw(i, "with") {
        let (i, (props, close)) = cut(with_properties).parse(i)?;
        end = close;
        (i, props)
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::ParseKv {
                source,
                columns,
                properties,
            },
        ),
    ))
}

fn make_series_agg(i: &str) -> PResult<'_, MakeSeriesAgg> {
    let (i, column) = named_expr(i)?;
    let (i, default) = match peek_kw(i, "default") {
        Some((rest, _)) if at_sym(rest, "=") => {
            let (rest, _) = sym(rest, "=")?;
            let (rest, v) = cut(expr).parse(rest)?;
            (rest, Some(v))
        }
        _ => (i, None),
    };
    let span = match &default {
        Some(d) => column.span.to(d.span),
        None => column.span,
    };
    Ok((
        i,
        MakeSeriesAgg {
            column,
            default,
            span,
        },
    ))
}

pub(crate) fn make_series_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "make-series")?;
    let (i, params) = op_params(i, Params::Only(&["kind", "hint.*"]))?;
    let (mut i, first) = cut(make_series_agg).parse(i)?;
    let mut aggregates = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(make_series_agg).parse(rest)?;
        aggregates.push(next);
        i = rest;
    }
    let (i, _) = expect_kw(
        i,
        "on",
        "write `make-series <aggregate> on <axis> from <start> to <end> step <step>`",
    )?;
    let (i, axis) = cut(expr).parse(i)?;
    let (i, range, mut end) = if let Some((rest, _)) = peek_kw(i, "in") {
        let (rest, _) = cut(|i| kw(i, "range")).parse(rest)?;
        let open_at = offset(rest);
        let (rest, _) = cut(|i| sym(i, "(")).parse(rest)?;
        let (rest, start_e) = cut(expr).parse(rest)?;
        let (rest, _) = cut(|i| sym(i, ",")).parse(rest)?;
        let (rest, stop) = cut(expr).parse(rest)?;
        let (rest, _) = cut(|i| sym(i, ",")).parse(rest)?;
        let (rest, step) = cut(expr).parse(rest)?;
        let (rest, close) = close(rest, ")", open_at, "`)`")?;
        (
            rest,
            MakeSeriesRange::InRange {
                start: start_e,
                stop,
                step,
            },
            close,
        )
    } else {
        let (i, from) = if let Some((rest, _)) = peek_kw(i, "from") {
            let (rest, e) = cut(expr).parse(rest)?;
            (rest, Some(e))
        } else {
            (i, None)
        };
        let (i, to) = if let Some((rest, _)) = peek_kw(i, "to") {
            let (rest, e) = cut(expr).parse(rest)?;
            (rest, Some(e))
        } else {
            (i, None)
        };
        let (i, _) = expect_kw(
            i,
            "step",
            "write `from <start> to <end> step <step>` after the axis",
        )?;
        let (i, step) = cut(expr).parse(i)?;
        let end = step.span;
        (i, MakeSeriesRange::FromTo { from, to, step }, end)
    };
    let (i, by) = if let Some((rest, _)) = peek_kw(i, "by") {
        let (rest, by) = cut(named_list).parse(rest)?;
        end = last_span(&by, |b| b.span, end);
        (rest, by)
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::MakeSeries {
                params,
                aggregates,
                axis,
                range,
                by,
            },
        ),
    ))
}

pub(crate) fn evaluate_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "evaluate")?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let plugin_at = i;
    let (i, plugin) = cut(expr).parse(i)?;
    if !matches!(plugin.kind, ExprKind::Call { .. }) {
        return PError::message(
            plugin_at,
            "expected a plugin call after `evaluate`, such as `bag_unpack(column)`",
        )
        .with_len(plugin.span.len())
        .fail();
    }
    let end = plugin.span;
    Ok((i, op(start, end, OperatorKind::Evaluate { params, plugin })))
}

pub(crate) fn as_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "as")?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(i)?;
    let end = name.span;
    Ok((i, op(start, end, OperatorKind::As { params, name })))
}

pub(crate) fn invoke_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "invoke")?;
    let (i, function) = cut(expr).parse(i)?;
    let end = function.span;
    Ok((i, op(start, end, OperatorKind::Invoke { function })))
}

pub(crate) fn render_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "render")?;
    let n = lex::ident_len(i);
    if n == 0 {
        return PError::what(i, "a chart type (timechart, barchart, piechart, table...)").fail();
    }
    let chart_start = offset(i);
    let after = &i[n..];
    let chart = Ident {
        name: i[..n].to_string(),
        span: Span::new(chart_start, offset(after)),
    };
    let i = lex::skip_trivia(after);
    let mut end = chart.span;
    let (i, properties) = if at_kw(i, "with") && at_sym(lex::skip_trivia(&i[4..]), "(") {
        let (i, (props, close)) = cut(with_properties).parse(i)?;
        end = close;
        (i, props)
    } else {
        // Legacy form: `render barchart kind=stacked title="x"`.
        let mut i = i;
        let mut props = Vec::new();
        while let Some(word) = lex::peek_word(i)
            && matches!(word, "kind" | "title" | "accumulate")
            && at_sym(lex::skip_trivia(&i[word.len()..]), "=")
        {
            let (rest, p) = property(i)?;
            end = p.span;
            props.push(p);
            i = rest;
        }
        (i, props)
    };
    Ok((
        i,
        op(start, end, OperatorKind::Render { chart, properties }),
    ))
}

/// `in (T1, T2, ...)` before a `search`/`find` predicate.
fn in_tables(i: &str) -> PResult<'_, Vec<Expr>> {
    let Some((rest, _)) = peek_kw(i, "in") else {
        return Ok((i, Vec::new()));
    };
    let open_at = offset(rest);
    let (rest, _) = cut(|i| sym(i, "(")).parse(rest)?;
    let (rest, tables) = cut(|i| separated(i, ")", union_table)).parse(rest)?;
    let (rest, _) = close(rest, ")", open_at, "`,` or `)`")?;
    Ok((rest, tables))
}

pub(crate) fn search_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "search")?;
    let (i, params) = op_params(i, Params::Only(&["kind", "hint.*"]))?;
    let (i, tables) = in_tables(i)?;
    let (i, predicate) = cut(expr).parse(i)?;
    let end = predicate.span;
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::Search {
                params,
                tables,
                predicate,
            },
        ),
    ))
}

pub(crate) fn find_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "find")?;
    let (i, params) = op_params(i, Params::Any)?;
    let (i, tables) = in_tables(i)?;
    let (i, _) = expect_kw(i, "where", "write `find [in (Tables)] where <predicate>`")?;
    let (i, predicate) = cut(expr).parse(i)?;
    let mut end = predicate.span;
    let (i, project) = if let Some((rest, _)) = peek_kw(i, "project") {
        let (rest, cols) = cut(named_list).parse(rest)?;
        end = last_span(&cols, |c| c.span, end);
        (rest, Some(cols))
    } else {
        (i, None)
    };
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::Find {
                params,
                tables,
                predicate,
                project,
            },
        ),
    ))
}

pub(crate) fn getschema_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, end) = kw(i, "getschema")?;
    Ok((i, op(start, end, OperatorKind::GetSchema)))
}

pub(crate) fn serialize_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "serialize")?;
    let (i, columns) = if at_operator_end(i) {
        (i, Vec::new())
    } else {
        cut(named_list).parse(i)?
    };
    let end = last_span(&columns, |c| c.span, kw_span);
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::Serialize { columns })))
}

pub(crate) fn sample_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "sample")?;
    let (i, count) = cut(expr).parse(i)?;
    let end = count.span;
    Ok((i, op(start, end, OperatorKind::Sample { count })))
}

pub(crate) fn sample_distinct_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "sample-distinct")?;
    let (i, count) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(i, "of", "write `sample-distinct <count> of <column>`")?;
    let (i, of) = cut(expr).parse(i)?;
    let end = of.span;
    Ok((
        i,
        op(start, end, OperatorKind::SampleDistinct { count, of }),
    ))
}

fn fork_branch(i: &str) -> PResult<'_, ForkBranch> {
    let _depth = lex::nest(i)?;
    let start = offset(i);
    let (i, name) = match lex::peek_name(i, NameUse::Declaration) {
        Some((after, name)) if at_sym(after, "=") => {
            let (after, _) = sym(after, "=")?;
            (after, Some(name))
        }
        _ => (i, None),
    };
    let open_at = offset(i);
    let (i, _) = sym(i, "(")?;
    let (mut i, first) = cut(after_pipe_op).parse(i)?;
    let mut operators = vec![first];
    while let Some((rest, _)) = peek_sym(i, "|") {
        let (rest, next) = cut(after_pipe_op).parse(rest)?;
        operators.push(next);
        i = rest;
    }
    let (i, close) = close(i, ")", open_at, "`|` or `)`")?;
    Ok((
        i,
        ForkBranch {
            name,
            operators,
            span: span_from(start, close),
        },
    ))
}

pub(crate) fn fork_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "fork")?;
    let (mut i, first) = cut(fork_branch).parse(i)?;
    let mut branches = vec![first];
    loop {
        let attempt = peek_sym(i, ",").map_or(i, |(rest, _)| rest);
        match fork_branch(attempt) {
            Ok((rest, b)) => {
                branches.push(b);
                i = rest;
            }
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    let end = last_span(&branches, |b| b.span, Span::point(start));
    Ok((i, op(start, end, OperatorKind::Fork { branches })))
}

/// `reduce [kind = source] by expr [with threshold = t [, characters = c]]`
/// (reduce-operator): the `with` settings are `name = value`, unbracketed.
pub(crate) fn reduce_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "reduce")?;
    let (i, params) = op_params(i, Params::Only(&["kind"]))?;
    let (i, _) = expect_kw(i, "by", "write `reduce by <expression>`")?;
    let (mut i, by) = cut(expr).parse(i)?;
    let mut end = by.span;
    let mut with = Vec::new();
    if let Some((rest, _)) = peek_kw(i, "with") {
        let mut rest = rest;
        loop {
            let (after, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
            let (after, _) = cut(|i| sym(i, "=")).parse(after)?;
            let (after, value) = cut(expr).parse(after)?;
            let span = name.span.to(value.span);
            end = span;
            with.push(Property { name, value, span });
            rest = after;
            match peek_sym(rest, ",") {
                Some((after, _)) => rest = after,
                None => break,
            }
        }
        i = rest;
    }
    operator_end(
        i,
        ",",
        "write `with threshold = <real>, characters = <string>`",
    )?;
    Ok((i, op(start, end, OperatorKind::Reduce { params, by, with })))
}

pub(crate) fn facet_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "facet")?;
    let (i, _) = expect_kw(i, "by", "write `facet by <column>, ...`")?;
    let (mut i, first) = cut(|i| lex::name(i, NameUse::Reference)).parse(i)?;
    let mut columns = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(|i| lex::name(i, NameUse::Reference)).parse(rest)?;
        columns.push(next);
        i = rest;
    }
    let mut end = last_span(&columns, |c| c.span, Span::point(start));
    let (i, with) = if let Some((rest, _)) = peek_kw(i, "with") {
        let open_at = offset(rest);
        let (rest, _) = cut(|i| sym(i, "(")).parse(rest)?;
        let (rest, sub) = cut(contextual_pipe).parse(rest)?;
        let (rest, close) = close(rest, ")", open_at, "`|` or `)`")?;
        end = close;
        (rest, Some(Box::new(sub)))
    } else {
        (i, None)
    };
    Ok((i, op(start, end, OperatorKind::Facet { columns, with })))
}

/// `consume [decodeblocks = bool]` (consume-operator).
pub(crate) fn consume_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, kw_span) = kw(i, "consume")?;
    let (i, params) = op_params(i, Params::Only(&["decodeblocks"]))?;
    let end = last_span(&params, |p| p.span, kw_span);
    operator_end(i, ",", "`consume` takes only `decodeblocks = true|false`")?;
    Ok((i, op(start, end, OperatorKind::Consume { params })))
}

/// `name: type [= default]` in `scan`'s `declare (...)`.
fn scan_declare(i: &str) -> PResult<'_, ScanDeclare> {
    let (i, column) = column_decl(i)?;
    let (i, default) = match peek_sym(i, "=") {
        Some((rest, _)) => {
            let (rest, d) = cut(expr).parse(rest)?;
            (rest, Some(d))
        }
        None => (i, None),
    };
    let end = default.as_ref().map_or(column.span, |d| d.span);
    let span = column.span.to(end);
    Ok((
        i,
        ScanDeclare {
            column,
            default,
            span,
        },
    ))
}

/// `column = value` after a step's `=>`.
fn scan_assignment(i: &str) -> PResult<'_, ScanAssignment> {
    let (i, column) = lex::name(i, NameUse::Declaration)?;
    let (i, _) = cut(|i| sym(i, "=")).parse(i)?;
    let (i, value) = cut(expr).parse(i)?;
    let span = column.span.to(value.span);
    Ok((
        i,
        ScanAssignment {
            column,
            value,
            span,
        },
    ))
}

const SCAN_STEP_HELP: &str =
    "write `step <name> [output = all | last | none]: <condition> [=> <column> = <value>, ...];`";

/// `step name [output = all|last|none] : condition [=> c = e, ...] [;]`
fn scan_step(i: &str) -> PResult<'_, ScanStep> {
    let start = offset(i);
    let (i, _) = expect_kw(i, "step", SCAN_STEP_HELP)?;
    let (i, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(i)?;
    let (i, output) = match peek_kw(i, "output") {
        Some((rest, _)) => {
            let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
            let word = ["all", "last", "none"]
                .into_iter()
                .find_map(|w| peek_kw(rest, w).map(|(after, span)| (after, w, span)));
            let Some((rest, w, span)) = word else {
                return PError::what(rest, "`all`, `last` or `none`")
                    .with_help(SCAN_STEP_HELP)
                    .fail();
            };
            (
                rest,
                Some(Ident {
                    name: w.to_string(),
                    span,
                }),
            )
        }
        None => (i, None),
    };
    let (i, _) = match peek_sym(i, ":") {
        Some(ok) => ok,
        None => {
            return PError::token(i, ":").with_help(SCAN_STEP_HELP).fail();
        }
    };
    let (i, condition) = cut(expr).parse(i)?;
    let mut end = condition.span;
    let (mut i, assignments) = match peek_sym(i, "=>") {
        Some((rest, _)) => {
            let (mut rest, first) = cut(scan_assignment).parse(rest)?;
            let mut items = vec![first];
            while let Some((after, _)) = peek_sym(rest, ",") {
                let (after, next) = cut(scan_assignment).parse(after)?;
                items.push(next);
                rest = after;
            }
            end = last_span(&items, |a| a.span, end);
            (rest, items)
        }
        None => (i, Vec::new()),
    };
    if let Some((rest, semi)) = peek_sym(i, ";") {
        end = semi;
        i = rest;
    } else if !at_sym(i, ")") {
        return PError::token(i, ";").with_help(SCAN_STEP_HELP).fail();
    }
    Ok((
        i,
        ScanStep {
            name,
            output,
            condition,
            assignments,
            span: span_from(start, end),
        },
    ))
}

/// `scan [with_match_id = Name] [declare (c: type [= v], ...)] with (steps)`
/// (<https://learn.microsoft.com/kusto/query/scan-operator>).
pub(crate) fn scan_op(i: &str) -> PResult<'_, Operator> {
    const HELP: &str = "write `scan [with_match_id = <name>] [declare (<column>: <type> [= <value>], ...)] with (step ...;)`";
    let start = offset(i);
    let (i, _) = kw(i, "scan")?;
    let (i, match_id) = match peek_kw(i, "with_match_id") {
        Some((rest, _)) => {
            let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
            let (rest, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
            (rest, Some(name))
        }
        None => (i, None),
    };
    let (i, declare) = match peek_kw(i, "declare") {
        Some((rest, _)) => {
            let open_at = offset(rest);
            let (rest, _) = cut(|i| sym(i, "(")).parse(rest)?;
            let (rest, items) = cut(|i| separated_trailing(i, ")", scan_declare)).parse(rest)?;
            let (rest, _) = close(rest, ")", open_at, "`,` or `)`")?;
            (rest, items)
        }
        None => (i, Vec::new()),
    };
    let (i, _) = expect_kw(i, "with", HELP)?;
    let open_at = offset(i);
    let (mut i, _) = cut(|i| sym(i, "(")).parse(i)?;
    let mut steps = Vec::new();
    while !at_sym(i, ")") {
        let (rest, step) = scan_step(i)?;
        steps.push(step);
        i = rest;
    }
    if steps.is_empty() {
        return PError::what(i, "a `step`").with_help(HELP).fail();
    }
    let (i, close) = close(i, ")", open_at, "`step` or `)`")?;
    Ok((
        i,
        op(
            start,
            close,
            OperatorKind::Scan {
                match_id,
                declare,
                steps,
            },
        ),
    ))
}

pub(crate) fn partition_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "partition")?;
    let (i, params) = op_params(i, Params::Only(&["hint.*"]))?;
    let (i, _) = expect_kw(i, "by", "write `partition by <column> (<operators>)`")?;
    let (i, column) = cut(|i| lex::name(i, NameUse::Reference)).parse(i)?;
    let (closer, expected) = if at_sym(i, "{") {
        ("}", "`}`")
    } else {
        (")", "`|` or `)`")
    };
    let open_at = offset(i);
    let (i, _) = if closer == "}" {
        sym(i, "{")?
    } else {
        cut(|i| sym(i, "(")).parse(i)?
    };
    let (i, subquery) = cut(contextual_pipe).parse(i)?;
    let (i, close) = close(i, closer, open_at, expected)?;
    Ok((
        i,
        op(
            start,
            close,
            OperatorKind::Partition {
                params,
                column,
                subquery: Box::new(subquery),
            },
        ),
    ))
}

// ---------------------------------------------------------------------------
// Operators that start a pipeline

pub(crate) fn print_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "print")?;
    let (i, columns) = cut(named_list).parse(i)?;
    let end = last_span(&columns, |c| c.span, Span::point(start));
    operator_end(i, ",", MISSING_COMMA)?;
    Ok((i, op(start, end, OperatorKind::Print { columns })))
}

pub(crate) fn range_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "range")?;
    let (i, column) = cut(|i| lex::name(i, NameUse::Declaration)).parse(i)?;
    let (i, _) = expect_kw(
        i,
        "from",
        "write `range x from <start> to <end> step <step>`",
    )?;
    let (i, from) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(i, "to", "write `range x from <start> to <end> step <step>`")?;
    let (i, to) = cut(expr).parse(i)?;
    let (i, _) = expect_kw(
        i,
        "step",
        "write `range x from <start> to <end> step <step>`",
    )?;
    let (i, step) = cut(expr).parse(i)?;
    let end = step.span;
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::Range {
                column,
                from,
                to,
                step,
            },
        ),
    ))
}

/// `datatable (col: type, ...) [ values ]` as an expression.
pub(crate) fn datatable_source(i: &str) -> PResult<'_, Expr> {
    let (i, o) = datatable_op(i)?;
    Ok((i, source_expr(o)))
}

fn datatable_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = kw(i, "datatable")?;
    let (i, (columns, _)) = cut(column_decls).parse(i)?;
    let open_at = offset(i);
    let (i, _) = cut(|i| sym(i, "[")).parse(i)?;
    let mut values = Vec::new();
    let mut i = i;
    while !at_sym(i, "]") {
        let (rest, v) = cut(expr::literal_value).parse(i)?;
        values.push(v);
        match peek_sym(rest, ",") {
            Some((after, _)) => i = after,
            None => {
                i = rest;
                break;
            }
        }
    }
    let (i, close) = close(i, "]", open_at, "`,` or `]`")?;
    Ok((
        i,
        op(start, close, OperatorKind::DataTable { columns, values }),
    ))
}

pub(crate) fn externaldata_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, _) = op_keyword(i, &["externaldata", "external_data"])?;
    let (i, (columns, _)) = cut(column_decls).parse(i)?;
    let open_at = offset(i);
    let (i, _) = cut(|i| sym(i, "[")).parse(i)?;
    let (i, uris) = cut(|i| separated(i, "]", expr)).parse(i)?;
    let (i, mut end) = close(i, "]", open_at, "`,` or `]`")?;
    let (i, properties) = if at_kw(i, "with") {
        let (i, (props, close)) = cut(with_properties).parse(i)?;
        end = close;
        (i, props)
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        op(
            start,
            end,
            OperatorKind::ExternalData {
                columns,
                uris,
                properties,
            },
        ),
    ))
}

//! The graph operators (<https://learn.microsoft.com/kusto/query/graph-operators>):
//! `make-graph`, `graph-to-table`, `graph-match`, `graph-shortest-paths`
//! and `graph-mark-components`, their syntax tree and their parsers.
//!
//! A graph pattern is `(a)-[e]->(b)<-[f]-(c)--(d)`, sequences separated by
//! `,`; an edge may be variable length, `-[e*1..3]->`
//! (graph-match-operator, "Graph pattern notation").

use crate::span::Span;
use crate::syntax::ast::{Expr, Ident, NamedExpr, Operator, OperatorKind};
use crate::syntax::error::{PError, PResult};
use crate::syntax::expr::{expr, named_expr};
use crate::syntax::lex::{self, NameUse, at_sym, kw, offset, peek_kw, peek_sym, span_from, sym};
use nom::Parser;
use nom::combinator::cut;

/// A graph operator after `|`.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphOperator {
    /// `make-graph Source --> Target [with T1 on c1 [, T2 on c2]] [with_node_id=name]
    /// [partitioned-by Column (subquery)]`
    MakeGraph {
        /// The edges' column with the source node ids.
        source: Ident,
        /// The edges' column with the target node ids.
        target: Ident,
        /// The node tables and their id columns.
        nodes: Vec<(Expr, Ident)>,
        /// `with_node_id=name`: the nodes' id property.
        node_id: Option<Ident>,
        /// `partitioned-by Column (subquery)`: one graph per value of the
        /// column, the subquery (graph operators over an implicit graph,
        /// its first an [`crate::syntax::ast::ExprKind::Source`]) run on each.
        partition: Option<(Ident, Box<Expr>)>,
    },
    /// `graph-to-table nodes|edges [as Name] [with_node_id=c] ...`, one or
    /// two items.
    ToTable {
        /// The exported tables, in the order written.
        items: Vec<GraphTableItem>,
    },
    /// `graph-match [cycles=c] pattern [where p] project ...` or
    /// `graph-shortest-paths [output=o] pattern [where p] project ...`.
    Match {
        /// Whether this is `graph-shortest-paths`.
        shortest: bool,
        /// `cycles=...` / `output=...`.
        option: Option<(Ident, Ident)>,
        /// The pattern's sequences.
        pattern: Vec<GraphSequence>,
        /// The `where` constraints.
        predicate: Option<Expr>,
        /// The `project` columns.
        project: Vec<NamedExpr>,
    },
    /// `graph-mark-components [kind=k] [with_component_id=c]`
    MarkComponents {
        /// `kind=weak|strong`.
        kind: Option<Ident>,
        /// `with_component_id=name`.
        component_id: Option<Ident>,
    },
}

/// One table of `graph-to-table`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphTableItem {
    /// `edges` (else `nodes`).
    pub edges: bool,
    /// `as Name`.
    pub name: Option<Ident>,
    /// `with_node_id=`, `with_source_id=`, `with_target_id=` (as written).
    pub ids: Vec<(Ident, Ident)>,
    pub span: Span,
}

/// `(a)-[e]->(b)...`: nodes joined by edges.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphSequence {
    /// The first node.
    pub first: GraphNode,
    /// Each edge with the node after it.
    pub steps: Vec<(GraphEdge, GraphNode)>,
}

/// `(name)` or `()`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    pub name: Option<Ident>,
    pub span: Span,
}

/// Which way an edge of a pattern points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeDirection {
    /// `-[e]->`, `-->`
    Right,
    /// `<-[e]-`, `<--`
    Left,
    /// `-[e]-`, `--`
    Any,
}

/// `-[name*min..max]->` and its anonymous forms.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphEdge {
    pub name: Option<Ident>,
    pub direction: EdgeDirection,
    /// `*min..max`: the least and most edges (`None`: exactly one).
    pub range: Option<(u32, u32)>,
    pub span: Span,
}

fn op(start: usize, last: Span, g: GraphOperator) -> Operator {
    Operator {
        kind: OperatorKind::Graph(Box::new(g)),
        span: span_from(start, last),
    }
}

/// `make-graph Source --> Target [with T on c [, T2 on c2]] [with_node_id=name]`
pub(crate) fn make_graph_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (i, mut last) = kw(i, "make-graph")?;
    let (i, source) = cut(|i| lex::name(i, NameUse::Reference)).parse(i)?;
    let (i, _) = cut(arrow).parse(i)?;
    let (mut i, target) = cut(|i| lex::name(i, NameUse::Reference)).parse(i)?;
    last = last.to(target.span);
    let mut nodes = Vec::new();
    let mut node_id = None;
    if let Some((rest, _)) = peek_kw(i, "with") {
        let mut rest = rest;
        loop {
            let (r, table) = cut(expr).parse(rest)?;
            let (r, _) = cut(|i| kw(i, "on")).parse(r)?;
            let (r, column) = cut(|i| lex::name(i, NameUse::Reference)).parse(r)?;
            last = column.span;
            nodes.push((table, column));
            rest = r;
            match peek_sym(rest, ",") {
                Some((r, _)) => rest = r,
                None => break,
            }
        }
        i = rest;
    } else if let Some((rest, _)) = peek_kw(i, "with_node_id") {
        let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
        let (rest, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
        last = name.span;
        node_id = Some(name);
        i = rest;
    }
    let mut partition = None;
    if let Some((rest, _)) = peek_kw(i, "partitioned-by") {
        let (rest, column) = cut(|i| lex::name(i, NameUse::Reference)).parse(rest)?;
        let open_at = offset(rest);
        let (rest, _) = match peek_sym(rest, "(") {
            Some(ok) => ok,
            None => {
                return PError::token(rest, "(")
                    .with_help("write `partitioned-by Column (graph-match ...)`")
                    .fail();
            }
        };
        let (rest, subquery) = cut(crate::syntax::operator::contextual_pipe).parse(rest)?;
        let (rest, close) = crate::syntax::expr::close(rest, ")", open_at, "`|` or `)`")?;
        last = close;
        partition = Some((column, Box::new(subquery)));
        i = rest;
    }
    Ok((
        i,
        op(
            start,
            last,
            GraphOperator::MakeGraph {
                source,
                target,
                nodes,
                node_id,
                partition,
            },
        ),
    ))
}

/// `-->` between the source and target columns of `make-graph`.
fn arrow(i: &str) -> PResult<'_, Span> {
    let (i, a) = sym(i, "-")?;
    let (i, _) = sym(i, "-")?;
    let (i, b) = sym(i, ">")?;
    Ok((i, a.to(b)))
}

/// `graph-to-table nodes [as N] [with_node_id=c] [, edges [as E] ...]`
pub(crate) fn graph_to_table_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (mut i, _) = kw(i, "graph-to-table")?;
    let mut last;
    let mut items = Vec::new();
    loop {
        let item_start = offset(i);
        let (rest, edges, kw_span) = if let Some((rest, s)) = peek_kw(i, "nodes") {
            (rest, false, s)
        } else if let Some((rest, s)) = peek_kw(i, "edges") {
            (rest, true, s)
        } else {
            return PError::what(i, "`nodes` or `edges`").fail();
        };
        let mut item = GraphTableItem {
            edges,
            name: None,
            ids: Vec::new(),
            span: kw_span,
        };
        i = rest;
        let mut item_last = kw_span;
        loop {
            if let Some((rest, _)) = peek_kw(i, "as") {
                let (rest, name) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
                item_last = name.span;
                item.name = Some(name);
                i = rest;
                continue;
            }
            let param = ["with_node_id", "with_source_id", "with_target_id"]
                .into_iter()
                .find_map(|p| peek_kw(i, p).map(|(rest, s)| (p, rest, s)));
            let Some((p, rest, s)) = param else { break };
            let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
            let (rest, column) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
            item_last = column.span;
            item.ids.push((
                Ident {
                    name: p.to_string(),
                    span: s,
                },
                column,
            ));
            i = rest;
        }
        item.span = span_from(item_start, item_last);
        last = item_last;
        items.push(item);
        match peek_sym(i, ",") {
            Some((rest, _)) => i = rest,
            None => break,
        }
    }
    Ok((i, op(start, last, GraphOperator::ToTable { items })))
}

/// `graph-match [cycles=c] pattern [where p] project ...`
pub(crate) fn graph_match_op(i: &str) -> PResult<'_, Operator> {
    match_like(i, "graph-match", "cycles", false)
}

/// `graph-shortest-paths [output=o] pattern [where p] project ...`
pub(crate) fn graph_shortest_paths_op(i: &str) -> PResult<'_, Operator> {
    match_like(i, "graph-shortest-paths", "output", true)
}

fn match_like<'a>(
    i: &'a str,
    keyword: &'static str,
    option_name: &'static str,
    shortest: bool,
) -> PResult<'a, Operator> {
    let start = offset(i);
    let (mut i, _) = kw(i, keyword)?;
    let mut option = None;
    if let Some((rest, s)) = peek_kw(i, option_name)
        && let Some((rest, _)) = peek_sym(rest, "=")
    {
        let (rest, value) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
        option = Some((
            Ident {
                name: option_name.to_string(),
                span: s,
            },
            value,
        ));
        i = rest;
    }
    let (mut i, first) = cut(sequence).parse(i)?;
    let mut pattern = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(sequence).parse(rest)?;
        pattern.push(next);
        i = rest;
    }
    let mut predicate = None;
    if let Some((rest, _)) = peek_kw(i, "where") {
        let (rest, p) = cut(expr).parse(rest)?;
        predicate = Some(p);
        i = rest;
    }
    let (i, _) = match peek_kw(i, "project") {
        Some(ok) => ok,
        None => {
            return PError::token(i, "project")
                .with_help(format!("{keyword} ends with `project column, ...`"))
                .fail();
        }
    };
    let (mut i, first) = cut(named_expr).parse(i)?;
    let mut last = first.span;
    let mut project = vec![first];
    while let Some((rest, _)) = peek_sym(i, ",") {
        let (rest, next) = cut(named_expr).parse(rest)?;
        last = next.span;
        project.push(next);
        i = rest;
    }
    Ok((
        i,
        op(
            start,
            last,
            GraphOperator::Match {
                shortest,
                option,
                pattern,
                predicate,
                project,
            },
        ),
    ))
}

/// `graph-mark-components [kind=k] [with_component_id=c]`
pub(crate) fn graph_mark_components_op(i: &str) -> PResult<'_, Operator> {
    let start = offset(i);
    let (mut i, mut last) = kw(i, "graph-mark-components")?;
    let mut kind = None;
    let mut component_id = None;
    loop {
        if let Some((rest, _)) = peek_kw(i, "kind") {
            let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
            let (rest, k) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
            last = k.span;
            kind = Some(k);
            i = rest;
        } else if let Some((rest, _)) = peek_kw(i, "with_component_id") {
            let (rest, _) = cut(|i| sym(i, "=")).parse(rest)?;
            let (rest, c) = cut(|i| lex::name(i, NameUse::Declaration)).parse(rest)?;
            last = c.span;
            component_id = Some(c);
            i = rest;
        } else {
            break;
        }
    }
    Ok((
        i,
        op(
            start,
            last,
            GraphOperator::MarkComponents { kind, component_id },
        ),
    ))
}

/// `(a)-[e]->(b)...`
fn sequence(i: &str) -> PResult<'_, GraphSequence> {
    let (mut i, first) = node(i)?;
    let mut steps = Vec::new();
    while at_sym(i, "-") || (at_sym(i, "<") && i[1..].trim_start().starts_with('-')) {
        let (rest, e) = cut(edge).parse(i)?;
        let (rest, n) = cut(node).parse(rest)?;
        steps.push((e, n));
        i = rest;
    }
    Ok((i, GraphSequence { first, steps }))
}

/// `(name)` or `()`.
fn node(i: &str) -> PResult<'_, GraphNode> {
    let start = offset(i);
    let (i, _) = sym(i, "(")?;
    let (i, name) = match lex::peek_name(i, NameUse::Declaration) {
        Some((rest, n)) => (rest, Some(n)),
        None => (i, None),
    };
    let (i, close) = match peek_sym(i, ")") {
        Some(ok) => ok,
        None => {
            return PError::token(i, ")")
                .with_help("a pattern node is `(name)` or `()`")
                .fail();
        }
    };
    Ok((
        i,
        GraphNode {
            name,
            span: span_from(start, close),
        },
    ))
}

/// An edge: `-[e]->`, `<-[e]-`, `-[e]-`, `-->`, `<--`, `--`, with an
/// optional `*min..max` inside the brackets.
fn edge(i: &str) -> PResult<'_, GraphEdge> {
    let start = offset(i);
    let (i, left) = match peek_sym(i, "<") {
        Some((rest, _)) => (rest, true),
        None => (i, false),
    };
    let (i, _) = sym(i, "-")?;
    let mut name = None;
    let mut range = None;
    let i = if let Some((rest, _)) = peek_sym(i, "[") {
        let (rest, n) = match lex::peek_name(rest, NameUse::Declaration) {
            Some((r, n)) => (r, Some(n)),
            None => (rest, None),
        };
        name = n;
        let rest = if let Some((r, _)) = peek_sym(rest, "*") {
            let (r, bounds) = edge_range(r)?;
            range = Some(bounds);
            r
        } else {
            rest
        };
        let (rest, _) = match peek_sym(rest, "]") {
            Some(ok) => ok,
            None => {
                return PError::token(rest, "]")
                    .with_help("a pattern edge is `-[name]->`, `-[name*min..max]->` or `-->`")
                    .fail();
            }
        };
        let (rest, _) = sym(rest, "-")?;
        rest
    } else {
        let (rest, _) = sym(i, "-")?;
        rest
    };
    let (i, direction, last) = match peek_sym(i, ">") {
        Some((rest, s)) if !left => (rest, EdgeDirection::Right, s),
        Some(_) => {
            return PError::message(i, "an edge points one way: `<-[e]-` or `-[e]->`").fail();
        }
        None => {
            let dir = if left {
                EdgeDirection::Left
            } else {
                EdgeDirection::Any
            };
            (i, dir, Span::point(offset(i)))
        }
    };
    Ok((
        i,
        GraphEdge {
            name,
            direction,
            range,
            span: span_from(start, last),
        },
    ))
}

/// `min..max` after `*` (digits read here: `1..3` is not a real number).
fn edge_range(i: &str) -> PResult<'_, (u32, u32)> {
    let (i, low) = digits(i)?;
    let i = match i.strip_prefix("..") {
        Some(rest) => lex::skip_trivia(rest),
        None => {
            return PError::message(i, "a variable length edge is `*min..max`")
                .with_help("write the least and the most edges: `-[e*1..3]->`")
                .fail();
        }
    };
    let (i, high) = digits(i)?;
    if low > high {
        return PError::message(i, "a variable length edge's minimum exceeds its maximum").fail();
    }
    Ok((i, (low, high)))
}

fn digits(i: &str) -> PResult<'_, u32> {
    let n = i.bytes().take_while(u8::is_ascii_digit).count();
    match i[..n].parse::<u32>() {
        Ok(v) if n > 0 => {
            let rest = &i[n..];
            let rest = if rest.starts_with("..") {
                rest
            } else {
                lex::skip_trivia(rest)
            };
            Ok((rest, v))
        }
        _ => PError::message(i, "expected a whole number of edges").fail(),
    }
}

//! Every node's span covers exactly its own text (no surrounding trivia).
//! Spans compare equal by design, so these tests check them by hand.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use kqlite::internals::syntax::ast::*;
use kqlite::internals::syntax::parse;

fn text(src: &str, span: kqlite::Span) -> &str {
    span.text(src)
}

fn stmt_expr(q: &Query, k: usize) -> &Expr {
    match &q.statements[k].kind {
        StatementKind::Expr { expr } => expr,
        other => panic!("{other:?}"),
    }
}

#[test]
fn pipeline_operator_and_expression_spans() {
    let src =
        "  T // c\n| where  Acount == \"x\"  // trailing\n| extend k = parse_json(log_s).verb ;";
    let q = parse(src).unwrap();
    assert_eq!(text(src, q.statements[0].span), &src[2..src.len() - 2]);
    let ExprKind::Pipe { input, operator } = &stmt_expr(&q, 0).kind else {
        panic!()
    };
    assert_eq!(
        text(src, operator.span),
        "extend k = parse_json(log_s).verb"
    );
    let OperatorKind::Extend { columns } = &operator.kind else {
        panic!()
    };
    assert_eq!(text(src, columns[0].span), "k = parse_json(log_s).verb");
    assert_eq!(text(src, columns[0].names[0].span), "k");
    assert_eq!(text(src, columns[0].expr.span), "parse_json(log_s).verb");
    let ExprKind::Member { target, name } = &columns[0].expr.kind else {
        panic!()
    };
    assert_eq!(text(src, target.span), "parse_json(log_s)");
    assert_eq!(text(src, name.span), "verb");
    assert_eq!(text(src, input.span), "T // c\n| where  Acount == \"x\"");
    let ExprKind::Pipe {
        input: t,
        operator: w,
    } = &input.kind
    else {
        panic!()
    };
    assert_eq!(text(src, t.span), "T");
    assert_eq!(text(src, w.span), "where  Acount == \"x\"");
    let OperatorKind::Where { predicate, .. } = &w.kind else {
        panic!()
    };
    assert_eq!(text(src, predicate.span), "Acount == \"x\"");
    let ExprKind::Binary { left, right, .. } = &predicate.kind else {
        panic!()
    };
    assert_eq!(text(src, left.span), "Acount");
    assert_eq!(text(src, right.span), "\"x\"");
}

#[test]
fn literal_paren_unary_and_let_spans() {
    let src = "let x = -(1 + 2);\nprint a = 'p' // c\n 'q', datetime(2020-01-01), dynamic([1, 2]), x in (1, 2), ['my col']";
    let q = parse(src).unwrap();
    assert_eq!(text(src, q.statements[0].span), "let x = -(1 + 2)");
    let StatementKind::Let {
        name,
        value: LetValue::Expr { expr },
    } = &q.statements[0].kind
    else {
        panic!()
    };
    assert_eq!(text(src, name.span), "x");
    assert_eq!(text(src, expr.span), "-(1 + 2)");
    let ExprKind::Unary { operand, .. } = &expr.kind else {
        panic!()
    };
    assert_eq!(text(src, operand.span), "(1 + 2)");
    let ExprKind::Source { operator } = &stmt_expr(&q, 1).kind else {
        panic!()
    };
    let OperatorKind::Print { columns } = &operator.kind else {
        panic!()
    };
    let spans: Vec<&str> = columns.iter().map(|c| text(src, c.expr.span)).collect();
    assert_eq!(
        spans,
        [
            "'p' // c\n 'q'",
            "datetime(2020-01-01)",
            "dynamic([1, 2])",
            "x in (1, 2)",
            "['my col']"
        ]
    );
}

#[test]
fn function_and_join_spans() {
    let src = "let f = (T:(*), n:long = -1) { T | take n };\nf(U) | join kind=inner (V) on $left.a == $right.b";
    let q = parse(src).unwrap();
    let StatementKind::Let {
        value: LetValue::Function { params, body, .. },
        ..
    } = &q.statements[0].kind
    else {
        panic!()
    };
    assert_eq!(text(src, params[0].span), "T:(*)");
    assert_eq!(text(src, params[1].span), "n:long = -1");
    assert_eq!(text(src, params[1].default.as_ref().unwrap().span), "-1");
    assert_eq!(text(src, body.span), "{ T | take n }");
    let ExprKind::Pipe { operator, .. } = &stmt_expr(&q, 1).kind else {
        panic!()
    };
    assert_eq!(
        text(src, operator.span),
        "join kind=inner (V) on $left.a == $right.b"
    );
    let OperatorKind::Join {
        params, right, on, ..
    } = &operator.kind
    else {
        panic!()
    };
    assert_eq!(text(src, params[0].span), "kind=inner");
    assert_eq!(text(src, right.span), "(V)");
    assert_eq!(text(src, on[0].span), "$left.a == $right.b");
}

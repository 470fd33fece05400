//! Property tests (proptest, 256 cases each):
//! * `parse` never panics, on arbitrary text and on mutated corpus queries;
//! * printing a generated syntax tree and parsing the text gives the tree
//!   back (spans compare equal by design).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::common::corpus;

use kqlite::Span;
use kqlite::internals::syntax::ast::*;
use kqlite::internals::syntax::{parse, print};
use proptest::prelude::*;
use std::sync::OnceLock;

fn corpus_queries() -> &'static Vec<String> {
    static Q: OnceLock<Vec<String>> = OnceLock::new();
    Q.get_or_init(|| corpus::cases().into_iter().map(|c| c.query).collect())
}

/// Text made of KQL-ish pieces, so that random input reaches deep into the
/// grammar rather than failing on the first character.
fn kqlish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "T",
        " | ",
        "where ",
        "extend ",
        "project ",
        "summarize ",
        " by ",
        "join ",
        "on ",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "=",
        "==",
        "!=",
        " and ",
        " or ",
        " has ",
        " !in~ ",
        " between ",
        "..",
        "'x'",
        "\"y\"",
        "@'z'",
        "h'",
        "```",
        "1",
        "1.5",
        "2d",
        "0x1F",
        "-",
        "+",
        "*",
        ".",
        "dynamic(",
        "datetime(2020-01-01)",
        "typeof(",
        "let ",
        "x",
        " = ",
        "count()",
        "\n",
        "//c\n",
        "$left.",
        "['a']",
        "mv-expand ",
        "parse ",
        " with ",
        "*",
        "\\",
        "\u{2028}",
        "é",
        "let f = (a:long) {",
        "union ",
        "datatable(a:long)[",
        "range x from 1 to 2 step 1",
        "print ",
        "#",
        "!",
        "~",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

/// A corpus query with a few random edits.
fn mutated_query() -> impl Strategy<Value = String> {
    let n = corpus_queries().len();
    (
        0..n,
        prop::collection::vec((any::<prop::sample::Index>(), 0..4u8, "[ -~]{0,3}"), 1..4),
    )
        .prop_map(|(k, edits)| {
            let mut q = corpus_queries()[k].clone();
            for (at, kind, text) in edits {
                if q.is_empty() {
                    break;
                }
                let mut pos = at.index(q.len());
                while !q.is_char_boundary(pos) {
                    pos -= 1;
                }
                match kind {
                    0 => q.truncate(pos),
                    1 => q.insert_str(pos, &text),
                    2 => {
                        let end = (pos + text.len().max(1)).min(q.len());
                        let mut end = end;
                        while !q.is_char_boundary(end) {
                            end += 1;
                        }
                        q.replace_range(pos..end, "");
                    }
                    _ => {
                        let end = q[pos..].chars().next().map_or(pos, |c| pos + c.len_utf8());
                        q.replace_range(pos..end, &text);
                    }
                }
            }
            q
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parse_never_panics_on_arbitrary_text(q in any::<String>()) {
        let _ = parse(&q);
    }

    #[test]
    fn parse_never_panics_on_kql_like_text(q in kqlish()) {
        let _ = parse(&q);
    }

    #[test]
    fn parse_never_panics_on_mutated_corpus_queries(q in mutated_query()) {
        if let Ok(tree) = parse(&q) {
            // Whatever parses must also print and parse back identically.
            let printed = print(&tree);
            prop_assert_eq!(parse(&printed).ok(), Some(tree), "printed:\n{}", printed);
        }
    }

    #[test]
    fn printing_a_generated_tree_parses_back(q in query()) {
        let printed = print(&q);
        match parse(&printed) {
            Ok(tree) => prop_assert_eq!(tree, q, "printed:\n{}", printed),
            Err(e) => prop_assert!(false, "{}\n{}", printed, e.diagnostic().render(&printed, "printed")),
        }
    }
}

// ---------------------------------------------------------------------------
// Generated syntax trees

fn sp() -> Span {
    Span::default()
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: sp(),
    }
}

fn mk(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

const NAMES: &[&str] = &[
    "a",
    "b",
    "TimeGenerated",
    "count",
    "id",
    "type",
    "$left",
    "x1",
    "_y",
    "where",
    "a b",
    "null",
    "let",
    "1d",
    "true",
    "project-away",
    "é",
    "with'quote",
    "range",
    "3Dchart",
];
const MEMBERS: &[&str] = &["a", "b", "kind", "$id", "count", "x_1", "withsource"];
const FUNCTIONS: &[&str] = &[
    "f",
    "tostring",
    "parse_json",
    "count",
    "iff",
    "strcat",
    "datetime",
    "bool",
];

fn name_expr() -> impl Strategy<Value = Expr> {
    prop::sample::select(NAMES).prop_map(|n| mk(ExprKind::Name { name: ident(n) }))
}

fn json() -> impl Strategy<Value = Literal> {
    let leaf = prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Long),
        (-1e12f64..1e12).prop_map(Literal::Real),
        "[a-z \"'\\\\]{0,6}".prop_map(Literal::String),
        any::<i64>().prop_map(Literal::Timespan),
        Just(Literal::Typed {
            type_name: "datetime".into(),
            text: "2021-01-01".into()
        }),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Literal::Array),
            prop::collection::vec(("[a-z.]{0,4}", inner.clone()), 0..3).prop_map(Literal::Bag),
            inner.prop_map(|v| Literal::Dynamic(Box::new(v))),
        ]
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<bool>().prop_map(Literal::Bool),
        (0..i64::MAX).prop_map(Literal::Long),
        (0.0f64..1e300).prop_map(Literal::Real),
        any::<String>().prop_map(Literal::String),
        (0..i64::MAX).prop_map(Literal::Timespan),
        prop::sample::select(vec![
            ("datetime", "2021-01-01T00:00:00Z"),
            ("datetime", "null"),
            ("long", "-1"),
            ("real", "+inf"),
            ("timespan", "0.12:34:56.7"),
            ("guid", "74be27de-1e4e-49d9-b579-fe0b331d3642"),
        ])
        .prop_map(|(t, x)| Literal::Typed {
            type_name: t.into(),
            text: x.into()
        }),
        json().prop_map(|v| Literal::Dynamic(Box::new(v))),
    ]
}

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => binary_level(*op),
        ExprKind::List { .. } | ExprKind::Between { .. } => 3,
        ExprKind::Unary { .. } => 8,
        _ => 9,
    }
}

fn binary_level(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Or => 1,
        And => 2,
        Eq | NotEq => 3,
        Lt | Le | Gt | Ge => 4,
        Add | Sub => 5,
        Mul | Div | Mod => 6,
        Str(_) => 7,
    }
}

/// Brackets `e` (as the parser would have recorded them) unless it binds at
/// least as tightly as `min`.
fn at_least(e: Expr, min: u8) -> Expr {
    let number = matches!(
        e.kind,
        ExprKind::Literal {
            value: Literal::Long(_) | Literal::Real(_) | Literal::Timespan(_)
        }
    );
    if level(&e) < min.min(9) || (min == 10 && number) {
        mk(ExprKind::Paren { expr: Box::new(e) })
    } else {
        e
    }
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    use BinaryOp::*;
    prop_oneof![
        prop::sample::select(vec![
            Or, And, Eq, NotEq, Lt, Le, Gt, Ge, Add, Sub, Mul, Div, Mod
        ]),
        (
            prop::sample::select(vec![
                StringOpKind::Equals,
                StringOpKind::Has,
                StringOpKind::HasPrefix,
                StringOpKind::HasSuffix,
                StringOpKind::Contains,
                StringOpKind::StartsWith,
                StringOpKind::EndsWith,
                StringOpKind::Like,
                StringOpKind::MatchesRegex,
            ]),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(kind, negated, cs)| {
                let (negated, case_sensitive) = match kind {
                    StringOpKind::Equals => (negated, false),
                    StringOpKind::MatchesRegex => (false, true),
                    _ => (negated, cs),
                };
                Str(StringOp {
                    kind,
                    negated,
                    case_sensitive,
                })
            }),
    ]
}

/// Scalar expressions shaped as the parser builds them.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        3 => name_expr(),
        3 => literal().prop_map(|value| mk(ExprKind::Literal { value })),
        1 => prop::sample::select(vec!["string", "long", "dynamic"])
            .prop_map(|t| mk(ExprKind::TypeOf { ty: TypeName { name: t.into(), span: sp() } })),
        1 => Just(mk(ExprKind::Call { name: ident("count"), args: vec![mk(ExprKind::Star)] })),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            (binary_op(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                let lvl = binary_level(op);
                let assoc = matches!(lvl, 1 | 2 | 5 | 6);
                let left = at_least(l, if assoc { lvl } else { lvl + 1 });
                let right = at_least(r, lvl + 1);
                mk(ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                })
            }),
            (any::<bool>(), inner.clone()).prop_map(|(neg, e)| mk(ExprKind::Unary {
                op: if neg { UnaryOp::Neg } else { UnaryOp::Plus },
                operand: Box::new(at_least(e, 8)),
            })),
            (
                prop::sample::select(vec![
                    ListOp::In {
                        negated: false,
                        case_sensitive: true
                    },
                    ListOp::In {
                        negated: true,
                        case_sensitive: false
                    },
                    ListOp::HasAny,
                    ListOp::HasAll,
                ]),
                inner.clone(),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(op, l, items)| mk(ExprKind::List {
                    op,
                    left: Box::new(at_least(l, 4)),
                    items
                })),
            (any::<bool>(), inner.clone(), inner.clone(), inner.clone()).prop_map(
                |(negated, e, lo, hi)| mk(ExprKind::Between {
                    negated,
                    expr: Box::new(at_least(e, 4)),
                    low: Box::new(lo),
                    high: Box::new(hi)
                })
            ),
            (
                prop::sample::select(FUNCTIONS),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, args)| mk(ExprKind::Call {
                    name: ident(f),
                    args
                })),
            (inner.clone(), prop::sample::select(MEMBERS)).prop_map(|(t, m)| mk(
                ExprKind::Member {
                    target: Box::new(at_least(t, 10)),
                    name: ident(m)
                }
            )),
            (inner.clone(), inner.clone()).prop_map(|(t, i)| mk(ExprKind::Index {
                target: Box::new(at_least(t, 10)),
                index: Box::new(i)
            })),
            inner.prop_map(|e| mk(ExprKind::Paren { expr: Box::new(e) })),
        ]
    })
}

fn op(kind: OperatorKind) -> Operator {
    Operator { kind, span: sp() }
}

fn named(names: Vec<&str>, e: Expr) -> NamedExpr {
    NamedExpr {
        names: names.into_iter().map(ident).collect(),
        expr: e,
        span: sp(),
    }
}

/// `T | where e | extend n = e | summarize ... by ... | sort by e` and friends.
fn operator() -> impl Strategy<Value = Operator> {
    prop_oneof![
        expr().prop_map(|predicate| op(OperatorKind::Where {
            params: vec![],
            predicate
        })),
        (prop::sample::select(NAMES), expr()).prop_map(|(n, e)| op(OperatorKind::Extend {
            columns: vec![named(vec![n], e)]
        })),
        (expr(), expr()).prop_map(|(a, b)| op(OperatorKind::Summarize {
            params: vec![],
            aggregates: vec![named(vec![], a)],
            by: vec![named(vec!["by"], b)],
        })),
        (expr(), any::<bool>()).prop_map(|(e, desc)| op(OperatorKind::Sort {
            params: vec![],
            keys: vec![SortKey {
                expr: e,
                order: Some(if desc {
                    SortOrder::Desc
                } else {
                    SortOrder::Asc
                }),
                nulls: None,
                span: sp(),
            }],
        })),
        expr().prop_map(|e| op(OperatorKind::Project {
            columns: vec![named(vec![], e)]
        })),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    prop::collection::vec(operator(), 0..4).prop_map(|ops| {
        let mut e = mk(ExprKind::Name { name: ident("T") });
        for o in ops {
            e = mk(ExprKind::Pipe {
                input: Box::new(e),
                operator: Box::new(o),
            });
        }
        Query {
            statements: vec![Statement {
                kind: StatementKind::Expr { expr: e },
                span: sp(),
            }],
            span: sp(),
        }
    })
}

#[test]
#[ignore]
fn show_samples() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::default();
    for _ in 0..8 {
        let q = query().new_tree(&mut runner).unwrap().current();
        println!("{}\n----", print(&q));
    }
}

//! Syntax errors read like a compiler's: the span of the offending token,
//! "expected X, found Y", and a hint where the fix is obvious. One test per
//! message.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use kqlite::internals::syntax::parse;

/// The rendered diagnostic for a query that must fail.
fn rendered(q: &str) -> String {
    match parse(q) {
        Ok(_) => panic!("expected a syntax error: {q}"),
        Err(e) => e.diagnostic().render(q, "query"),
    }
}

/// (message, text under the caret, help) of a query that must fail.
fn parts(q: &str) -> (String, String, Option<String>) {
    let e = parse(q).expect_err(q);
    let under = e.span.text(q).to_string();
    (e.message, under, e.help)
}

#[test]
fn single_equals_in_where() {
    assert_eq!(
        rendered("T | where a = 1"),
        "error: expected a comparison such as `==`, found `=`
 --> query:1:13
  |
1 | T | where a = 1
  |             ^
  = help: to compare two values use `==`; a single `=` only names a column
"
    );
}

#[test]
fn single_equals_elsewhere_gets_the_same_hint() {
    let (msg, under, help) = parts("T | extend x = y = 2");
    assert_eq!(msg, "expected `,` or `|`, found `=`");
    assert_eq!(under, "=");
    assert!(help.unwrap().contains("use `==`"));
}

#[test]
fn missing_by_after_sort_and_order() {
    assert_eq!(
        rendered("T | sort TimeGenerated desc"),
        "error: expected `by`, found `TimeGenerated`
 --> query:1:10
  |
1 | T | sort TimeGenerated desc
  |          ^^^^^^^^^^^^^
  = help: write `sort by <column> [asc|desc]`
"
    );
    let (msg, under, _) = parts("T | order x");
    assert_eq!(
        (msg.as_str(), under.as_str()),
        ("expected `by`, found `x`", "x")
    );
}

#[test]
fn missing_by_in_top() {
    let (msg, under, help) = parts("T | top 10 x desc");
    assert_eq!(msg, "expected `by`, found `x`");
    assert_eq!(under, "x");
    assert_eq!(help.unwrap(), "write `top <count> by <column> [asc|desc]`");
}

#[test]
fn missing_by_in_summarize() {
    assert_eq!(
        rendered("T | summarize count() bin(TimeGenerated, 1h)"),
        "error: expected `,`, found `bin`
 --> query:1:23
  |
1 | T | summarize count() bin(TimeGenerated, 1h)
  |                       ^^^
  = help: group-by columns follow `by`: did you mean `by bin`?
"
    );
}

#[test]
fn unknown_operator_close_to_a_known_one() {
    assert_eq!(
        rendered("T\n| projet a, b"),
        "error: unknown query operator `projet`
 --> query:2:3
  |
2 | | projet a, b
  |   ^^^^^^
  = help: did you mean `project`?
"
    );
    assert_eq!(
        parts("T | summarise count()").2.unwrap(),
        "did you mean `summarize`?"
    );
    assert_eq!(
        parts("T | mvexpnd x").2.unwrap(),
        "did you mean `mvexpand`?"
    );
    assert_eq!(parts("T | wher x").2.unwrap(), "did you mean `where`?");
}

#[test]
fn unknown_operator_far_from_any() {
    let (msg, under, help) = parts("T | frobnicate");
    assert_eq!(msg, "unknown query operator `frobnicate`");
    assert_eq!(under, "frobnicate");
    assert_eq!(help, None);
}

#[test]
fn nothing_after_a_pipe() {
    let (msg, _, _) = parts("T |");
    assert_eq!(
        msg,
        "expected a query operator after `|`, found end of input"
    );
    let (msg, under, help) = parts("T | | take 1");
    assert_eq!(msg, "expected a query operator after `|`, found `|`");
    assert_eq!(under, "|");
    assert_eq!(help.unwrap(), "remove the extra `|`");
}

#[test]
fn reserved_keyword_used_as_a_name() {
    assert_eq!(
        rendered("T | project where"),
        "error: expected an expression, found keyword `where`
 --> query:1:13
  |
1 | T | project where
  |             ^^^^^
  = help: if `where` is meant as a name, it needs to be bracketed as ['where']
"
    );
    let (msg, under, help) = parts("T | where d.time > 1");
    assert_eq!(msg, "expected a name, found keyword `time`");
    assert_eq!(under, "time");
    assert!(help.unwrap().contains("['time']"));
}

#[test]
fn unterminated_strings() {
    assert_eq!(
        rendered("T | where a == \"abc\n| take 1"),
        "error: unterminated string literal
 --> query:1:16
  |
1 | T | where a == \"abc
  |                ^^^^
  = help: add the closing quote; a string cannot span lines unless written ```like this```
"
    );
    assert_eq!(parts("print @'a").0, "unterminated string literal");
    assert_eq!(
        parts("print ```abc").0,
        "unterminated multi-line string literal"
    );
}

#[test]
fn bad_escape() {
    assert_eq!(
        rendered(r#"T | where a matches regex "\d+""#),
        r#"error: invalid escape sequence `\d` in string literal
 --> query:1:28
  |
1 | T | where a matches regex "\d+"
  |                            ^^
  = help: write `\\d` for a backslash followed by `d`, or use a verbatim string @"..." in which backslashes are plain characters
"#
    );
    assert_eq!(
        parts(r"print '\u12'").0,
        r"invalid escape sequence `\u` in string literal"
    );
}

#[test]
fn unclosed_brackets_name_the_opening_one() {
    assert_eq!(
        rendered("T\n| where (a == 1\n  and b;\nT"),
        "error: expected `)`, found `;`
 --> query:3:8
  |
3 |   and b;
  |        ^
  = help: the `(` at line 2, column 9 is not closed
"
    );
    let (msg, _, help) = parts("print f(a, b");
    assert_eq!(msg, "expected `,` or `)`, found end of input");
    assert_eq!(help.unwrap(), "the `(` at line 1, column 8 is not closed");
    let (msg, _, help) = parts("print dynamic({'a': [1, 2}");
    assert_eq!(msg, "expected `,` or `]`, found `}`");
    assert!(help.unwrap().contains("the `[` at line 1, column 21"));
    let (msg, _, help) = parts("let f = () { T");
    assert_eq!(msg, "expected `;` or `}`, found end of input");
    assert!(help.unwrap().contains("`{`"));
}

#[test]
fn stray_closing_bracket() {
    let (msg, under, help) = parts("T | where a == 1) | take 1");
    assert_eq!(msg, "expected `;`, `|` or end of input, found `)`");
    assert_eq!(under, ")");
    assert_eq!(
        help.unwrap(),
        "this closing bracket has no matching opening bracket"
    );
}

#[test]
fn chained_comparison() {
    let (msg, under, help) = parts("T | where 1 < a < 5");
    assert!(
        msg.starts_with("comparison operators cannot be chained"),
        "{msg}"
    );
    assert_eq!(under, "<");
    assert!(help.unwrap().contains("brackets"));
}

#[test]
fn missing_expression() {
    let (msg, _, _) = parts("T | where");
    assert_eq!(msg, "expected an expression, found end of input");
    let (msg, under, _) = parts("T | project a, | take 1");
    assert_eq!(msg, "expected an expression, found `|`");
    assert_eq!(under, "|");
}

#[test]
fn join_without_keys() {
    let (msg, _, help) = parts("T | join kind=inner (U)");
    assert_eq!(msg, "expected `on`, found end of input");
    assert!(help.unwrap().contains("$left.a == $right.b"));
}

#[test]
fn bad_type_name() {
    let (msg, under, help) = parts("datatable(a:strng)['x']");
    assert!(msg.starts_with("expected a type name"), "{msg}");
    assert_eq!(under, "strng");
    assert_eq!(help.unwrap(), "did you mean `string`?");
}

#[test]
fn numbers_out_of_range() {
    let (msg, under, _) = parts("print 12345678901234567890");
    assert_eq!(msg, "integer literal does not fit in a long (64 bits)");
    assert_eq!(under, "12345678901234567890");
    assert_eq!(
        parts("print 0x1FFFFFFFFFFFFFFFF").0,
        "hexadecimal literal does not fit in 64 bits"
    );
    assert_eq!(
        parts("print 99999999999999999d").0,
        "timespan literal out of range"
    );
}

#[test]
fn unterminated_typed_literal() {
    let (msg, under, _) = parts("print datetime(2020-01-01");
    assert_eq!(msg, "unterminated `datetime(...)` literal");
    assert_eq!(under, "datetime(");
}

#[test]
fn missing_semicolon_between_statements() {
    let (msg, under, _) = parts("let a = 1\nT | take a");
    assert_eq!(msg, "expected `;`, `|` or end of input, found `T`");
    assert_eq!(under, "T");
}

#[test]
fn client_directive() {
    let (msg, under, _) = parts("#connect cluster('x')\nT");
    assert_eq!(
        msg,
        "client directives (lines starting with `#`) are not supported"
    );
    assert_eq!(under, "#connect cluster('x')");
}

#[test]
fn empty_query() {
    assert_eq!(
        parts("  // nothing\n").0,
        "expected a query, found end of input"
    );
}

#[test]
fn too_deep() {
    let q = format!("print {}1{}", "(".repeat(500), ")".repeat(500));
    let (msg, _, help) = parts(&q);
    assert_eq!(msg, "expression nested too deeply (more than 100 levels)");
    assert!(help.is_some());
}

#[test]
fn evaluate_needs_a_plugin_call() {
    let (msg, under, _) = parts("T | evaluate bag_unpack");
    assert!(msg.starts_with("expected a plugin call"), "{msg}");
    assert_eq!(under, "bag_unpack");
}

#[test]
fn missing_comma_between_columns() {
    assert_eq!(
        rendered("T | project a b"),
        "error: expected `,` or `|`, found `b`
 --> query:1:15
  |
1 | T | project a b
  |               ^
  = help: separate the columns with `,`
"
    );
    for q in [
        "T | extend x = 1 y = 2",
        "T | project-away a b",
        "T | project-by-names 'a' b",
        "T | sort by a desc b",
        "T | distinct a 'b'",
        "print 1 2",
    ] {
        let (msg, _, help) = parts(q);
        assert!(msg.starts_with("expected `,` or `|`"), "{q}: {msg}");
        assert_eq!(
            help.as_deref(),
            Some("separate the columns with `,`"),
            "{q}"
        );
    }
}

/// reduce-operator: `reduce by Expr`, and `with name = value, ...`.
#[test]
fn reduce_needs_by_and_settings() {
    let (msg, under, help) = parts("T | reduce s");
    assert_eq!(msg, "expected `by`, found `s`");
    assert_eq!(under, "s");
    assert_eq!(help.as_deref(), Some("write `reduce by <expression>`"));
    let (msg, under, _) = parts("T | reduce by s with threshold 0.1");
    assert_eq!(msg, "expected `=`, found `0.1`");
    assert_eq!(under, "0.1");
}

#[test]
fn missing_and_between_conditions() {
    let (msg, under, help) = parts("T | where a == 'x' b == 'y'");
    assert_eq!(msg, "expected `and` or `|`, found `b`");
    assert_eq!(under, "b");
    assert_eq!(help.unwrap(), "combine conditions with `and` or `or`");
}

#[test]
fn unexpanded_workbook_placeholder() {
    let (msg, under, help) = parts("T\n| where TimeGenerated {timeframe}");
    assert_eq!(msg, "expected `and` or `|`, found `{`");
    assert_eq!(under, "{");
    assert_eq!(
        help.unwrap(),
        "`{timeframe}` looks like a workbook or template parameter; substitute its value before running the query"
    );
    let (_, _, help) = parts("T | where x in ({clustername})");
    assert!(help.unwrap().starts_with("`{clustername}` looks like"));
}

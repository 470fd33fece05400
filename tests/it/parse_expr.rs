//! Scalar expressions: precedence, associativity, literals, paths.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::common::sexp::*;

#[test]
fn or_and_equality() {
    assert_eq!(scalar("a or b and c"), "(or a (and b c))");
    assert_eq!(scalar("a and b or c"), "(or (and a b) c)");
    assert_eq!(scalar("a == 1 and b != 2"), "(and (== a 1) (!= b 2))");
    assert_eq!(scalar("a <> 1"), "(!= a 1)");
}

#[test]
fn left_associative_chains() {
    assert_eq!(scalar("a - b - c"), "(- (- a b) c)");
    assert_eq!(scalar("a / b * c % d"), "(% (* (/ a b) c) d)");
    assert_eq!(scalar("a or b or c"), "(or (or a b) c)");
}

#[test]
fn arithmetic_over_comparison() {
    assert_eq!(scalar("a + 1 > b * 2"), "(> (+ a 1) (* b 2))");
    assert_eq!(scalar("a < b == c"), "(== (< a b) c)");
    assert_eq!(scalar("a + 1 in (2, 3)"), "(in (+ a 1) 2 3)");
}

#[test]
fn string_operators_bind_tighter_than_arithmetic() {
    assert_eq!(scalar("a + b has \"x\""), "(+ a (has b \"x\"))");
    assert_eq!(scalar("x == y contains \"z\""), "(== x (contains y \"z\"))");
    assert_eq!(scalar("a * b =~ c"), "(* a (equals b c))");
}

#[test]
fn unary_binds_to_one_postfix_expression() {
    assert_eq!(scalar("-x.y"), "(- (. x y))");
    assert_eq!(scalar("-2"), "(- 2)");
    assert_eq!(scalar("- -x"), "(- (- x))");
    assert_eq!(scalar("a - -1"), "(- a (- 1))");
}

#[test]
fn list_and_between_operators() {
    assert_eq!(scalar("x in~ ('a', 'b')"), "(in~ x \"a\" \"b\")");
    assert_eq!(scalar("x !in (1)"), "(!in x 1)");
    assert_eq!(scalar("x !in~ (L)"), "(!in~ x L)");
    assert_eq!(
        scalar("x has_any (dynamic(['a']))"),
        "(has_any x dynamic([\"a\"]))"
    );
    assert_eq!(scalar("x has_all ('a','b')"), "(has_all x \"a\" \"b\")");
    assert_eq!(scalar("x in (T | project c)"), "(in x (| T project c))");
    assert_eq!(
        scalar("t between (ago(1d) .. now())"),
        "(between t (call ago 864000000000t) (call now))"
    );
    assert_eq!(scalar("n !between (1 .. 5)"), "(!between n 1 5)");
    assert_eq!(scalar("p and x in (1, 2)"), "(and p (in x 1 2))");
}

#[test]
fn all_string_operators() {
    let cases = [
        ("has", "has"),
        ("!has", "!has"),
        ("has_cs", "has_cs"),
        ("!has_cs", "!has_cs"),
        ("hasprefix", "hasprefix"),
        ("!hasprefix_cs", "!hasprefix_cs"),
        ("hassuffix", "hassuffix"),
        ("hassuffix_cs", "hassuffix_cs"),
        ("contains", "contains"),
        ("!contains", "!contains"),
        ("contains_cs", "contains_cs"),
        ("!contains_cs", "!contains_cs"),
        ("containscs", "contains_cs"),
        ("notcontains", "!contains"),
        ("notcontainscs", "!contains_cs"),
        ("startswith", "startswith"),
        ("startswith_cs", "startswith_cs"),
        ("!startswith", "!startswith"),
        ("endswith", "endswith"),
        ("endswith_cs", "endswith_cs"),
        ("!endswith_cs", "!endswith_cs"),
        ("like", "like"),
        ("likecs", "like_cs"),
        ("notlike", "!like"),
        ("notlikecs", "!like_cs"),
        ("matches regex", "matchesregex_cs"),
        ("=~", "equals"),
        ("!~", "!equals"),
    ];
    for (text, shape) in cases {
        assert_eq!(
            scalar(&format!("a {text} 'x'")),
            format!("({shape} a \"x\")"),
            "{text}"
        );
    }
}

#[test]
fn comparisons_do_not_chain() {
    for q in [
        "print a < b < c",
        "print a == b == c",
        "print a has b has c",
    ] {
        let e = kqlite::internals::syntax::parse(q).unwrap_err();
        assert!(
            e.message.contains("cannot be chained"),
            "{q}: {}",
            e.message
        );
    }
}

#[test]
fn paths_indexes_and_calls() {
    assert_eq!(scalar("d.a.b[0]"), "([] (. (. d a) b) 0)");
    assert_eq!(scalar("d['k'].x"), "(. ([] d \"k\") x)");
    assert_eq!(scalar("d.['a.b/c']"), "([] d \"a.b/c\")");
    assert_eq!(scalar("d.[i + 1]"), "([] d (+ i 1))");
    assert_eq!(scalar("a[-1]"), "([] a (- 1))");
    assert_eq!(scalar("alertData.$id"), "(. alertData $id)");
    assert_eq!(scalar("d.kind"), "(. d kind)");
    assert_eq!(scalar("d.withsource"), "(. d withsource)");
    assert_eq!(scalar("f(x).key"), "(. (call f x) key)");
    assert_eq!(scalar("count(*)"), "(call count *)");
    assert_eq!(scalar("not (a)"), "(call not a)");
    assert_eq!(scalar("['my col'] + [\"x\"]"), "(+ my col x)");
    assert_eq!(scalar("toscalar(T | count)"), "(call toscalar (| T count))");
    assert_eq!(
        scalar("bag_unpack(d, columnsConflict='replace_source')"),
        "(call bag_unpack d (arg columnsConflict \"replace_source\"))"
    );
}

#[test]
fn keywords_usable_as_names() {
    assert_eq!(
        scalar("count + id + range + type + filter + step"),
        "(+ (+ (+ (+ (+ count id) range) type) filter) step)"
    );
    assert_eq!(
        expr_of("T | extend where = 1, by = 2"),
        "(| T extend (= where 1) (= by 2))"
    );
    assert_eq!(
        expr_of("T | project count, take"),
        "(| T project count take)"
    );
}

#[test]
fn literals() {
    assert_eq!(scalar("1.5e-3"), "0.0015r");
    assert_eq!(scalar("0x1F"), "31");
    assert_eq!(scalar("1."), "1.0r");
    assert_eq!(scalar("1e3"), "1000.0r");
    assert_eq!(scalar("true"), "true");
    assert_eq!(scalar("FALSE"), "false");
    assert_eq!(scalar("1.5h"), "54000000000t");
    assert_eq!(
        scalar("datetime(2021-01-01T00:00:00Z)"),
        "datetime(2021-01-01T00:00:00Z)"
    );
    assert_eq!(scalar("datetime(null)"), "datetime(null)");
    assert_eq!(scalar("long(-1)"), "long(-1)");
    assert_eq!(scalar("real(+inf)"), "real(+inf)");
    assert_eq!(scalar("time(1d)"), "time(1d)");
    assert_eq!(scalar("timespan(0.12:34:56.7)"), "timespan(0.12:34:56.7)");
    assert_eq!(scalar("bool(null)"), "bool(null)");
    assert_eq!(scalar("int(null)"), "int(null)");
    assert_eq!(scalar("decimal(1.5)"), "decimal(1.5)");
    assert_eq!(scalar("date(2020-01-01)"), "date(2020-01-01)");
    assert_eq!(
        scalar("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"),
        "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"
    );
    assert_eq!(
        scalar("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
        "guid(8e3af657-a8ff-443c-a75c-2fe8c4bcb635)"
    );
    assert_eq!(scalar("typeof(string)"), "typeof(string)");
    assert_eq!(
        scalar(
            "dynamic({'a': [1, -2, 1.5, null, true, 'x', datetime(2020-01-01), 1d], \"b\": {}})"
        ),
        "dynamic({\"a\":[1 -2 1.5r null true \"x\" datetime(2020-01-01) 864000000000t] \"b\":{}})"
    );
    assert_eq!(scalar("dynamic(null)"), "dynamic(null)");
    assert_eq!(scalar("dynamic (['a'])"), "dynamic([\"a\"])");
}

#[test]
fn string_forms() {
    assert_eq!(scalar(r#""a\"b""#), r#""a\"b""#);
    assert_eq!(scalar(r#"@"C:\x""y""#), r#""C:\\x\"y""#);
    assert_eq!(scalar("h'secret'"), "\"secret\"");
    assert_eq!(scalar("H@\"x\""), "\"x\"");
    assert_eq!(scalar("```multi\nline```"), "\"multi\\nline\"");
    assert_eq!(scalar("~~~raw \\d~~~"), "\"raw \\\\d\"");
    assert_eq!(scalar("'a' 'b'\n // c\n \"c\""), "\"abc\"");
}

#[test]
fn star_predicates() {
    assert_eq!(expr_of("T | where * has 'x'"), "(| T where (has * \"x\"))");
    assert_eq!(expr_of("T | where * == 'x'"), "(| T where (== * \"x\"))");
}

#[test]
fn long_or_chain_parses_iteratively() {
    let q = format!(
        "T | where {}",
        (0..20_000)
            .map(|k| format!("a{k} == 1"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    // Parse on a thread with a 2 MB stack, like the test harness's.
    let tree = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || kqlite::internals::syntax::parse(&q).map_err(|e| e.message))
        .unwrap()
        .join()
        .unwrap();
    assert!(tree.is_ok(), "{:?}", tree.as_ref().err());
    // The tree is 20,000 levels deep; its derived `Drop` recurses, which in
    // a debug build needs more than 2 MB, so drop it on a bigger stack.
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || drop(tree))
        .unwrap()
        .join()
        .unwrap();
}

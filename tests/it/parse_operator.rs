//! Tabular operators and statements: one or more shapes per construct.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::common::sexp::*;

/// The last operator of `T | <op>` as an S-expression.
fn op(text: &str) -> String {
    let shape = expr_of(&format!("T | {text}"));
    let inner = shape
        .strip_prefix("(| T ")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{shape}"));
    inner.to_string()
}

#[test]
fn where_and_filter() {
    assert_eq!(op("where a == 1"), "where (== a 1)");
    assert_eq!(op("filter a"), "where a");
}

#[test]
fn extend_and_project() {
    assert_eq!(
        op("extend a = 1, b, c = d + 1"),
        "extend (= a 1) b (= c (+ d 1))"
    );
    assert_eq!(op("extend (x, y) = f(z)"), "extend (= (x y) (call f z))");
    assert_eq!(op("extend ['a b'] = 1"), "extend (= a b 1)");
    assert_eq!(op("project a, b = c"), "project a (= b c)");
    assert_eq!(
        op("project-away a, b*, *c, d*e"),
        "project-away a b* *c d*e"
    );
    assert_eq!(op("project-keep x*"), "project-keep x*");
    // project-by-names-operator: names, patterns, arrays, column_names_of(T).
    assert_eq!(
        op("project-by-names \"Name\", \"C*\", dynamic([\"a\"]), column_names_of(S), p"),
        "project-by-names \"Name\" \"C*\" dynamic([\"a\"]) (call column_names_of S) p"
    );
    assert_eq!(
        op("project-rename a = b, ['c d'] = e"),
        "project-rename a<-b c d<-e"
    );
    assert_eq!(
        op("project-reorder a, b* asc, c granny-desc"),
        "project-reorder a b*:asc c:granny-desc"
    );
}

#[test]
fn take_count_sort_top() {
    assert_eq!(op("take 10"), "take 10");
    assert_eq!(op("limit n"), "take n");
    assert_eq!(op("count"), "count");
    assert_eq!(
        op("sort by a desc nulls last, b asc, c"),
        "sort (desc a nulls-last) (asc b) c"
            .replace("(desc a nulls-last)", "a desc nulls-last")
            .replace("(asc b)", "b asc")
    );
    assert_eq!(op("order by a"), "sort a");
    assert_eq!(op("top 5 by count_ desc"), "top 5 count_ desc");
    assert_eq!(
        op("top-nested 3 of a by count() desc, top-nested of b with others = 'x' by sum(c)"),
        "top-nested [3 of a by (call count) desc] [- of b others \"x\" by (call sum c)]"
    );
    assert_eq!(op("top-hitters 3 of x by y"), "top-hitters 3 of x by y");
}

#[test]
fn distinct_and_summarize() {
    assert_eq!(op("distinct *"), "distinct *");
    assert_eq!(op("distinct a, b"), "distinct a b");
    assert_eq!(
        op("summarize count(), n = dcount(x) by bin(TimeGenerated, 1h), y"),
        "summarize (call count) (= n (call dcount x)) by (call bin TimeGenerated 36000000000t) y"
    );
    assert_eq!(op("summarize by a"), "summarize  by a");
    assert_eq!(
        op("summarize make_set(a)"),
        "summarize (call make_set a) by "
    );
    assert_eq!(
        op("summarize hint.strategy=shuffle arg_max(t, *) by k"),
        "summarize hint.strategy=shuffle (call arg_max t *) by k"
    );
}

#[test]
fn join_and_lookup() {
    assert_eq!(
        op("join kind=inner hint.strategy=broadcast (U | where x) on a, $left.b == $right.c"),
        "join kind=inner hint.strategy=broadcast (paren (| U where x)) on a (== (. $left b) (. $right c))"
    );
    assert_eq!(op("join U on a"), "join U on a");
    assert_eq!(
        op("join kind=leftouter (U) on $left.a == $right.b and $left.c == $right.d"),
        "join kind=leftouter (paren U) on (and (== (. $left a) (. $right b)) (== (. $left c) (. $right d)))"
    );
    assert_eq!(
        op("join (U) where a < b"),
        "join (paren U) on  where (< a b)"
    );
    assert_eq!(
        op("lookup kind=leftouter U on a"),
        "lookup kind=leftouter U on a"
    );
}

#[test]
fn union_forms() {
    assert_eq!(op("union U, (V | take 1)"), "union U (paren (| V take 1))");
    assert_eq!(
        expr_of("union isfuzzy=true withsource=Src kind=outer Dev*, T2"),
        "(source union isfuzzy=true withsource=Src kind=outer Dev* T2)"
    );
    assert_eq!(
        expr_of("union isfuzzy=True T, f(1)"),
        "(source union isfuzzy=true T (call f 1))"
    );
}

#[test]
fn mv_expand_and_mv_apply() {
    assert_eq!(op("mv-expand a"), "mv-expand a");
    assert_eq!(
        op("mv-expand bagexpansion=array with_itemindex=i x = arr to typeof(string), y limit 10"),
        "mv-expand bagexpansion=array with_itemindex=i (= x arr) to string y limit 10"
    );
    assert_eq!(op("mvexpand a"), "mv-expand a");
    assert_eq!(
        op("mv-apply d = todynamic(p) to typeof(dynamic) on (summarize make_bag(d) | take 1)"),
        "mv-apply (= d (call todynamic p)) to dynamic on (| (source summarize (call make_bag d) by ) take 1)"
    );
}

#[test]
fn parse_operators() {
    assert_eq!(
        op("parse Msg with * \"a=\" A \" b=\" B:long *"),
        "parse Msg with * \"a=\" A \" b=\" B:long *"
    );
    assert_eq!(
        op("parse kind=regex flags=Ui Msg with @'(\\d+)' n:int"),
        "parse kind=regex flags=Ui Msg with \"(\\\\d+)\" n:int"
    );
    assert_eq!(op("parse-where x with 'a' b"), "parse-where x with \"a\" b");
    assert_eq!(
        op("parse-kv x as (a:string, b:long) with (pair_delimiter=',', kv_delimiter='=')"),
        "parse-kv x as (a:string b:long) with (pair_delimiter=\",\" kv_delimiter=\"=\")"
    );
}

#[test]
fn make_series_forms() {
    assert_eq!(
        op("make-series c = count() default = 0 on t from ago(1d) to now() step 1h by x"),
        "make-series (= c (call count)) default 0 on t from (call ago 864000000000t) to (call now) step 36000000000t by x"
    );
    assert_eq!(
        op("make-series n=sum(v) default=0 on t in range(a, b, 1h) by r"),
        "make-series (= n (call sum v)) default 0 on t in range a b 36000000000t by r"
    );
    assert_eq!(
        op("make-series count() on t step 1d"),
        "make-series (call count) on t from - to - step 864000000000t by "
    );
}

#[test]
fn other_operators() {
    assert_eq!(op("evaluate bag_unpack(x)"), "evaluate (call bag_unpack x)");
    assert_eq!(
        op("evaluate hint.distribution=per_node autocluster()"),
        "evaluate hint.distribution=per_node (call autocluster)"
    );
    assert_eq!(
        op("as hint.materialized=true X"),
        "as hint.materialized=true X"
    );
    assert_eq!(op("invoke f(1)"), "invoke (call f 1)");
    assert_eq!(op("render timechart"), "render timechart");
    assert_eq!(
        op("render columnchart with (title='x', kind=stacked)"),
        "render columnchart with (title=\"x\" kind=stacked)"
    );
    assert_eq!(op("search \"x\""), "search in () \"x\"");
    assert_eq!(
        op("search Col:'x' and *"),
        "search in () (and (has Col \"x\") *)"
    );
    assert_eq!(
        op("render timechart with (ycolumns = a, b, title = 'x', xcolumn = t,)"),
        "render timechart with (ycolumns=a ycolumns=b title=\"x\" xcolumn=t)"
    );
    assert_eq!(
        op("render columnchart kind=stacked title='x'"),
        "render columnchart with (kind=stacked title=\"x\")"
    );
    assert_eq!(op("getschema"), "getschema");
    assert_eq!(op("serialize"), "serialize ");
    assert_eq!(
        op("partition by k { U | serialize }"),
        "partition by k (| U serialize )"
    );
    assert_eq!(
        op("serialize rn = row_number()"),
        "serialize (= rn (call row_number))"
    );
    assert_eq!(op("sample 10"), "sample 10");
    assert_eq!(op("sample-distinct 3 of x"), "sample-distinct 3 of x");
    assert_eq!(
        op("fork (where a | take 1) b = (count)"),
        "fork [where a | take 1] b=[count]"
    );
    assert_eq!(op("consume"), "consume ");
    assert_eq!(
        op("consume decodeblocks = true"),
        "consume decodeblocks=true "
    );
    // scan-operator page's syntax: steps end with `;`, the last may omit it.
    assert_eq!(
        op("scan declare (c:long=0) with (step s1: true => c = x + s1.c;)"),
        "scan declare (c:long=0) with [step s1 true (= c (+ x (. s1 c)))]"
    );
    assert_eq!(
        op(
            "scan with_match_id=m with (step a output=none: x > 1; step b output = last: true => y = 1, z = 2)"
        ),
        "scan with_match_id=m with [step a output=none (> x 1); step b output=last true (= y 1) (= z 2)]"
    );
    // reduce-operator: `with` settings are unbracketed.
    assert_eq!(op("reduce by s"), "reduce by s");
    assert_eq!(
        op("reduce kind=source by s with threshold=0.1, characters = \"-_\""),
        "reduce kind=source by s (= threshold 0.1r) (= characters \"-_\")"
    );
    assert_eq!(
        op("facet by a, b with (take 1)"),
        "facet by a b with (source take 1)"
    );
    assert_eq!(
        op("partition by DeviceId ( top 1 by t )"),
        "partition by DeviceId (source top 1 t)"
    );
    assert_eq!(
        op("partition hint.strategy=native by k { U | take 1 }"),
        "partition hint.strategy=native by k (| U take 1)"
    );
}

#[test]
fn sources() {
    assert_eq!(expr_of("print a = 1, 'x'"), "(source print (= a 1) \"x\")");
    assert_eq!(
        expr_of("range x from 1 to 10 step 2"),
        "(source range x 1 10 2)"
    );
    assert_eq!(
        expr_of(
            "datatable(a:string, b:long,)['x', -1, 'y', +2.5, dynamic([1]), datetime(2020-01-01),]"
        ),
        "(source datatable (a:string b:long) [\"x\" -1 \"y\" 2.5r dynamic([1]) datetime(2020-01-01)])"
    );
    assert_eq!(
        expr_of(
            "externaldata(u:string)[h@'https://x/y.csv'] with (format='csv', ignoreFirstRecord=true)"
        ),
        "(source externaldata (u:string) [\"https://x/y.csv\"] with (format=\"csv\" ignoreFirstRecord=true))"
    );
    assert_eq!(
        expr_of("search in (T1, T2) x has 'y'"),
        "(source search in (T1 T2) (has x \"y\"))"
    );
    assert_eq!(
        expr_of("find withsource=S in (T1, D*) where x == 1 project a, b"),
        "(source find withsource=S in (T1 D*) where (== x 1) project a b)"
    );
    assert_eq!(
        expr_of("evaluate f(1) | take 1"),
        "(| (source evaluate (call f 1)) take 1)"
    );
    assert_eq!(expr_of("range"), "range");
    assert_eq!(expr_of("evaluate"), "evaluate");
}

#[test]
fn statements_and_functions() {
    assert_eq!(
        statements("let a = 1; let T2 = T | take 1; T2"),
        ["let a = 1", "let T2 = (| T take 1)", "T2"]
    );
    assert_eq!(
        statements("let f = (T:(*), x:string = 'a', n:long = -1) { T | where y == x };"),
        ["let f = (T:(*) x:string=\"a\" n:long=-1) { (| T where (== y x)) }"]
    );
    assert_eq!(
        statements("let g = (T:(a:string, b:long)) { let k = 1; T | take k }; g(U)"),
        [
            "let g = (T:(a:string b:long)) { let k = 1; (| T take k) }",
            "(call g U)"
        ]
    );
    assert_eq!(
        statements("let v = view () { T };"),
        ["let v = view () { T }"]
    );
    assert_eq!(
        statements("let m = materialize(T | take 1); m"),
        ["let m = (call materialize (| T take 1))", "m"]
    );
    assert_eq!(
        statements("set query_now = datetime(2021-01-01); set notruncation; T"),
        [
            "set query_now = datetime(2021-01-01)",
            "set notruncation",
            "T"
        ]
    );
    assert_eq!(
        statements("declare query_parameters(x:string = 'a', n:long); T"),
        ["declare (x:string=\"a\" n:long)", "T"]
    );
    assert_eq!(statements("T; U;"), ["T", "U"]);
}

#[test]
fn comments_and_newlines_anywhere() {
    assert_eq!(
        expr_of("T // first\n| where a // x\n   == 1\r\n// | take 5\n| take 2 // end"),
        "(| (| T where (== a 1)) take 2)"
    );
}

/// The graph operators (graph-match-operator, "Graph pattern notation";
/// make-graph-operator, graph-to-table-operator, graph-shortest-paths-operator,
/// graph-mark-components-operator) print back as written.
#[test]
fn graph_operators() {
    for text in [
        "make-graph src --> dst",
        "make-graph src --> dst with nodes on name",
        "make-graph src --> dst with N1 on a, (N2 | where x > 1) on b",
        "make-graph src --> dst with_node_id=station",
        "make-graph src --> dst with nodes on id partitioned-by tenant (graph-match (a)-->(b) project a.id)",
        "make-graph src --> dst partitioned-by tenant (graph-mark-components | graph-to-table nodes)",
        "graph-to-table nodes",
        "graph-to-table nodes with_node_id=NodeId",
        "graph-to-table edges with_source_id=S with_target_id=T",
        "graph-to-table edges as E with_source_id=S",
        "graph-to-table nodes as N with_node_id=I, edges as E with_target_id=T",
        "graph-match (a)-[e]->(b)<-[f]-(c)-[g]-(d) project a.name",
        "graph-match (a)-->(b)<--(c)--(d) project a.name",
        "graph-match cycles=none (a)-[e*1..3]->(b), (b)-[*0..2]-(c) where all(e, x == 1) project n = a.name, map(inner_nodes(e), node_id())",
        "graph-shortest-paths output=all (s)-[e*1..5]->(d) where s.id == 1 project s.id",
        "graph-mark-components",
        "graph-mark-components kind=strong with_component_id=family",
    ] {
        assert_eq!(op(text), format!("graph {text}"), "{text}");
    }
    // Spacing inside the pattern is free; `graph-shortest-paths` is one word.
    assert_eq!(
        op("graph-match ( a ) - [ e * 2 .. 4 ] -> ( b ) project a.x"),
        "graph graph-match (a)-[e*2..4]->(b) project a.x"
    );
}

/// What the graph pattern parser refuses, and where.
#[test]
fn graph_pattern_errors() {
    for bad in [
        "T | graph-match (a)-[e*3]->(b) project a.x",
        "T | graph-match (a)-[e*3..1]->(b) project a.x",
        "T | graph-match (a)<-[e]->(b) project a.x",
        "T | graph-match (a)-[e]->(b)",
        "T | make-graph a -> b",
        "T | make-graph a --> b partitioned-by t graph-to-table nodes",
        "T | make-graph a --> b partitioned-by t (graph-to-table nodes",
    ] {
        assert!(kqlite::internals::syntax::parse(bad).is_err(), "{bad}");
    }
}

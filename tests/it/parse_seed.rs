//! The seven seed queries (examples/seed-queries.kql, one per non-comment
//! line) must parse, and Q2's tree has the expected shape.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::common::sexp::*;

fn seeds() -> Vec<String> {
    include_str!("../../examples/seed-queries.kql")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .map(str::to_string)
        .collect()
}

#[test]
fn all_seven_seed_queries_parse() {
    let seeds = seeds();
    assert_eq!(seeds.len(), 7);
    for q in &seeds {
        parse_ok(q);
    }
}

#[test]
fn q2_tree_shape() {
    let q2 = &seeds()[1];
    let shape = expr_of(q2);
    let j = |s: &str| format!("(call parse_json {s})");
    let ts = |s: &str| format!("(call tostring {s})");
    let request_object = ts(&format!("(. {} requestObject)", j("log_s")));
    let expected = [
        "AzureDiagnostics".to_string(),
        "where (== Category \"kube-audit\")".to_string(),
        format!("where (== (. {} verb) \"create\")", j("log_s")),
        format!(
            "where (== (. {} name) \"cluster-admin\")",
            j(&ts(&format!("(. {} roleRef)", j(&request_object))))
        ),
        format!(
            "where (== (. {} kind) \"ClusterRoleBinding\")",
            j(&request_object)
        ),
        format!("extend (= k8skind (. {} kind))", j(&request_object)),
        format!(
            "extend (= k8sroleref (. {} name))",
            j(&ts(&format!("(. {} roleRef)", j(&request_object))))
        ),
        format!(
            "extend (= k8suser (. {} username))",
            j(&ts(&format!("(. {} user)", j("log_s"))))
        ),
        format!(
            "extend (= k8sipaddress ([] {} 0))",
            j(&ts(&format!("(. {} sourceIPs)", j("log_s"))))
        ),
    ];
    // Pipes nest to the left: (| (| (| T op1) op2) op3).
    let mut want = expected[0].clone();
    for op in &expected[1..] {
        want = format!("(| {want} {op})");
    }
    assert_eq!(shape, want);
}

#[test]
fn q6_dot_bracket_with_empty_key() {
    let q6 = &seeds()[5];
    let shape = expr_of(q6);
    assert!(
        shape.ends_with(
            "where (== ([] (call parse_json (call tostring (. (call parse_json log_s) annotations))) \"\") \"allow\"))"
        ),
        "{shape}"
    );
}

#[test]
fn q7_or_of_contains_with_guid_strings() {
    let q7 = &seeds()[6];
    let shape = expr_of(q7);
    assert!(
        shape.contains(
            "where (or (contains RoleDef \"8e3af657-a8ff-443c-a75c-2fe8c4bcb635\") (contains RoleDef \"b24988ac-6180-42a0-ab88-20f7382dd24c\"))"
        ),
        "{shape}"
    );
}

//! Tests of the optimizer rules (`plan::rules`) on plans bound from real
//! queries. They live on the binder's floor because the plan floor does not
//! see the parser or the binder (see `tests/architecture.rs`).

mod prefilter {
    use crate::catalog::{Catalog, Table, TableData};
    use crate::functions::EvalContext;
    use crate::plan::logical::{LogicalPlan, Prefilter};
    use crate::plan::rules::{DerivePrefilter, JsonPaths, apply};
    use crate::plan::tree::{Recursion, TreeNode};
    use crate::schema::{Field, Schema};
    use crate::types::DataType;
    use crate::value::DateTime;
    use std::sync::Arc;

    fn prefilter(query: &str) -> Option<Prefilter> {
        let mut catalog = Catalog::new();
        catalog.insert(Table {
            name: "T".into(),
            schema: Schema::new(vec![
                Field::new("Category", DataType::String),
                Field::new("log_s", DataType::String),
                Field::new("n", DataType::Long),
                Field::new("t", DataType::DateTime),
            ]),
            data: Arc::new(TableData::Empty),
        });
        let ast = crate::syntax::parse(query).unwrap();
        let bound = crate::semantic::bind(&ast, &catalog, EvalContext::new(DateTime(0))).unwrap();
        let plan = apply(&JsonPaths, bound.results[0].clone());
        find(&apply(&DerivePrefilter, plan))
    }

    fn find(plan: &LogicalPlan) -> Option<Prefilter> {
        let mut found = None;
        plan.apply(&mut |p| match p {
            LogicalPlan::Scan(scan) if scan.prefilter.is_some() => {
                found = scan.prefilter.clone();
                Recursion::Stop
            }
            _ => Recursion::Continue,
        });
        found
    }

    fn texts(p: &Option<Prefilter>) -> Vec<Vec<(&str, bool)>> {
        p.as_ref()
            .map(|p| {
                p.all_of
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|n| (n.text.as_str(), n.case_sensitive))
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn conjunctions_through_projections_and_json_paths() {
        let p = prefilter(
            r#"T | where Category == "kube-audit" | project log_s | where parse_json(tostring(parse_json(log_s).user)).username == "masterclient""#,
        );
        assert_eq!(
            texts(&p),
            vec![vec![("\"kube-audit\"", true)], vec![("masterclient", true)]]
        );
    }

    #[test]
    fn case_insensitive_operators_and_escapable_characters() {
        let p = prefilter(r#"T | where log_s contains "pods/nginx""#);
        assert_eq!(texts(&p), vec![vec![("nginx", false)]]);
        let p = prefilter(r#"T | where log_s has_any ("alpha", "beta")"#);
        assert_eq!(texts(&p), vec![vec![("alpha", false), ("beta", false)]]);
    }

    #[test]
    fn disjunctions_need_every_branch_constrained() {
        let p = prefilter(
            r#"T | extend r = tostring(parse_json(log_s).x) | where r contains "8e3af657" or r contains "b24988ac""#,
        );
        assert_eq!(
            texts(&p),
            vec![vec![("8e3af657", false), ("b24988ac", false)]]
        );
        assert_eq!(
            prefilter(r#"T | where log_s contains "abcdef" or n > 3"#),
            None
        );
    }

    #[test]
    fn top_level_string_equality_keeps_the_quotes() {
        let p = prefilter(r#"T | where Category == "kube-apiserver""#);
        assert_eq!(texts(&p), vec![vec![("\"kube-apiserver\"", true)]]);
        // `true` might be a JSON boolean, printed without quotes.
        let p = prefilter(r#"T | where Category == "truex" or Category == "true""#);
        assert_eq!(texts(&p), vec![vec![("\"truex\"", true), ("true", true)]]);
    }

    #[test]
    fn computed_values_numbers_negations_and_limits_give_nothing() {
        assert_eq!(prefilter(r#"T | where tolower(log_s) == "abcdef""#), None);
        assert_eq!(
            prefilter(r#"T | extend x = "abcdef" | where x == "abcdef""#),
            None
        );
        assert_eq!(prefilter(r#"T | where log_s == "12.50""#), None);
        assert_eq!(prefilter(r#"T | where log_s != "abcdef""#), None);
        assert_eq!(prefilter(r#"T | where log_s !contains "abcdef""#), None);
        assert_eq!(prefilter(r#"T | take 10 | where log_s == "abcdef""#), None);
        assert_eq!(prefilter(r#"T | where log_s == """#), None);
    }
}

mod json_paths {
    use crate::catalog::Catalog;
    use crate::functions::EvalContext;
    use crate::plan::explain::explain;
    use crate::plan::rules::{JsonPaths, apply};
    use crate::schema::{Field, Schema};
    use crate::types::DataType;
    use crate::value::DateTime;

    fn optimized(query: &str) -> String {
        let mut catalog = Catalog::new();
        catalog.insert(crate::catalog::Table {
            name: "T".into(),
            schema: Schema::new(vec![Field::new("log_s", DataType::String)]),
            data: std::sync::Arc::new(crate::catalog::TableData::Empty),
        });
        let ast = crate::syntax::parse(query).unwrap();
        let bound = crate::semantic::bind(&ast, &catalog, EvalContext::new(DateTime(0))).unwrap();
        explain(&apply(&JsonPaths, bound.results[0].clone()))
    }

    #[test]
    fn member_chains_and_the_reparse_idiom_become_one_path() {
        let plan = optimized(
            "T | where parse_json(tostring(parse_json(tostring(parse_json(log_s).requestObject)).roleRef)).name == 'x'",
        );
        assert!(
            plan.contains(r#"to_string(json_path(log_s@0, ["requestObject"], reparse, ["roleRef"], reparse, ["name"])) == "x""#),
            "{plan}"
        );
    }

    #[test]
    fn negative_index_and_bracket_keys_are_steps() {
        let plan = optimized(
            "T | extend a = parse_json(tostring(parse_json(log_s).sourceIPs))[-1], b = parse_json(log_s).[\"\"]",
        );
        assert!(
            plan.contains(r#"json_path(log_s@0, ["sourceIPs"], reparse, [-1])"#),
            "{plan}"
        );
        assert!(plan.contains(r#"json_path(log_s@0, [""])"#), "{plan}");
    }

    #[test]
    fn a_bare_parse_json_is_left_alone() {
        let plan = optimized("T | extend d = parse_json(log_s)");
        assert!(plan.contains("parse_json(log_s@0)"), "{plan}");
        assert!(!plan.contains("json_path"), "{plan}");
    }
}

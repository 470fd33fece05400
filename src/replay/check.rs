//! Checking rules without data: every query parsed and bound against the
//! built-in schemas (and the engine's tables), and every column the rule
//! maps looked up in the query's result.

use super::rule::Rule;
use crate::engine::Engine;
use crate::span::LineCol;
use std::path::PathBuf;

/// A problem with a rule, located in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIssue {
    /// The rule's file.
    pub file: PathBuf,
    /// The line in the file, from 1.
    pub line: usize,
    /// The column in the file, from 1.
    pub column: usize,
    /// The rule's name.
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for CheckIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.rule,
            self.message
        )
    }
}

/// Checks `rules` against `engine`'s tables (a table it does not hold
/// binds with its built-in schema, if kqlite has one): each query must
/// parse and bind, and every column named by `entityMappings`,
/// `customDetails` and `alertDetailsOverride` must be in its result. An
/// empty list: every rule is fine.
pub fn check_rules(engine: &Engine, rules: &[Rule]) -> Vec<CheckIssue> {
    let mut issues = Vec::new();
    for rule in rules {
        check_rule(engine, rule, &mut issues);
    }
    issues
}

fn check_rule(engine: &Engine, rule: &Rule, issues: &mut Vec<CheckIssue>) {
    let issue = |line: usize, column: usize, message: String| CheckIssue {
        file: rule.source.file.clone(),
        line,
        column,
        rule: rule.name.clone(),
        message,
    };
    let query = match engine.compile(&rule.query) {
        Ok(q) => q,
        Err(e) => {
            for d in e.diagnostics() {
                let (line, column) = match d.span {
                    Some(span) => {
                        let at = LineCol::of(&rule.query, span.range().start);
                        (
                            rule.source.query_line + at.line - 1,
                            at.column + rule.source.query_indent,
                        )
                    }
                    None => (rule.source.query_line, 1),
                };
                issues.push(issue(line, column, d.message.clone()));
            }
            return;
        }
    };
    let Some(schema) = query.result_schemas().first().map(|s| (*s).clone()) else {
        issues.push(issue(
            rule.source.query_line,
            1,
            "the query has no result table".into(),
        ));
        return;
    };
    let mut need = |field: &str, column: &str, what: String| {
        if schema.index_of(column).is_none() {
            issues.push(issue(
                rule.source.field_line(field),
                1,
                format!("{what}: column '{column}' is not in the query's result"),
            ));
        }
    };
    for m in &rule.entity_mappings {
        for (identifier, column) in &m.fields {
            need(
                "entityMappings",
                column,
                format!("{} entity, {identifier}", m.entity_type),
            );
        }
    }
    for (key, column) in &rule.custom_details {
        need("customDetails", column, format!("custom detail {key}"));
    }
    let o = &rule.alert_details_override;
    for column in [&o.severity_column, &o.tactics_column]
        .into_iter()
        .flatten()
    {
        need(
            "alertDetailsOverride",
            column,
            "alert details override".into(),
        );
    }
    for template in [&o.display_name_format, &o.description_format]
        .into_iter()
        .flatten()
    {
        let mut rest = template.as_str();
        while let Some(open) = rest.find("{{") {
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else { break };
            need(
                "alertDetailsOverride",
                after[..close].trim(),
                "alert details override placeholder".into(),
            );
            rest = &after[close + 2..];
        }
    }
}

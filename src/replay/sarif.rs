//! `kqlite check --format sarif`: rule errors and check issues as a SARIF
//! 2.1.0 log (the OASIS Static Analysis Results Interchange Format that
//! GitHub code scanning and other CI tools read), one result per message,
//! located in the rule file.

use super::check::CheckIssue;
use super::rule::RuleError;
use serde_json::{Value as Json, json};
use std::path::Path;

/// The SARIF rule id of a rule that could not be read.
const RULE_NOT_READ: &str = "kqlite/rule-not-read";
/// The SARIF rule id of a query or mapping error found by the check.
const CHECK_FAILED: &str = "kqlite/check";

/// `errors` (rules that could not be read) and `issues` (what
/// [`check_rules`](super::check::check_rules) found) as a SARIF 2.1.0
/// log, pretty-printed JSON.
pub fn check_sarif(errors: &[RuleError], issues: &[CheckIssue]) -> String {
    let mut results = Vec::new();
    for e in errors {
        let message = match &e.field {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message.clone(),
        };
        results.push(result(RULE_NOT_READ, message, &e.file, e.line, None));
    }
    for i in issues {
        results.push(result(
            CHECK_FAILED,
            format!("{}: {}", i.rule, i.message),
            &i.file,
            i.line,
            Some(i.column),
        ));
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kqlite",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    {
                        "id": RULE_NOT_READ,
                        "shortDescription": {"text": "The analytics rule file cannot be read."},
                    },
                    {
                        "id": CHECK_FAILED,
                        "shortDescription": {"text": "The rule's query does not parse or bind, or it maps a column its result lacks."},
                    },
                ],
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn result(rule_id: &str, message: String, file: &Path, line: usize, column: Option<usize>) -> Json {
    let mut region = json!({"startLine": line.max(1)});
    if let Some(c) = column {
        region["startColumn"] = json!(c.max(1));
    }
    // SARIF URIs use forward slashes, relative to the working directory.
    let uri = file.to_string_lossy().replace('\\', "/");
    json!({
        "ruleId": rule_id,
        "level": "error",
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": region,
        }}],
    })
}

//! Analytics rules: the model, and reading it from the YAML of the public
//! Azure-Sentinel repository or from a workspace's ARM-template export.

use super::duration::parse_duration;
use crate::value::Timespan;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What kind of rule, and so how it is scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// Runs every `queryFrequency` over the last `queryPeriod`.
    Scheduled,
    /// Near-real-time: runs every minute over the minute's new events.
    Nrt,
    /// A hunting query: a query without a schedule. Checked, not replayed.
    Hunting,
}

/// How the result rows of a run are turned into alerts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventGrouping {
    /// One alert per run, over all its result rows (the service's default).
    SingleAlert,
    /// One alert per result row (at most 150 per run, as in the service).
    AlertPerResult,
}

/// The comparison of the number of result rows with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerOperator {
    /// `gt`, `GreaterThan`.
    GreaterThan,
    /// `lt`, `LessThan`.
    LessThan,
    /// `eq`, `Equal`.
    Equal,
    /// `ne`, `NotEqual`.
    NotEqual,
}

impl TriggerOperator {
    fn parse(text: &str) -> Option<TriggerOperator> {
        Some(match text.to_ascii_lowercase().as_str() {
            "gt" | "greaterthan" => TriggerOperator::GreaterThan,
            "lt" | "lessthan" => TriggerOperator::LessThan,
            "eq" | "equal" => TriggerOperator::Equal,
            "ne" | "notequal" => TriggerOperator::NotEqual,
            _ => return None,
        })
    }

    /// Whether `count` result rows fire against `threshold`.
    pub fn fires(self, count: u64, threshold: u64) -> bool {
        match self {
            TriggerOperator::GreaterThan => count > threshold,
            TriggerOperator::LessThan => count < threshold,
            TriggerOperator::Equal => count == threshold,
            TriggerOperator::NotEqual => count != threshold,
        }
    }

    /// The name the service writes in alerts (`GreaterThan`...).
    pub fn name(self) -> &'static str {
        match self {
            TriggerOperator::GreaterThan => "GreaterThan",
            TriggerOperator::LessThan => "LessThan",
            TriggerOperator::Equal => "Equal",
            TriggerOperator::NotEqual => "NotEqual",
        }
    }
}

/// One entity of `entityMappings`: its type and identifier → column pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityMapping {
    /// `Account`, `Host`, `IP`, `URL`, `FileHash`...
    pub entity_type: String,
    /// (identifier, column), in order: `("FullName", "UserPrincipalName")`.
    pub fields: Vec<(String, String)>,
}

/// `alertDetailsOverride`: alert fields taken from the results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertDetailsOverride {
    /// `alertDisplayNameFormat`, with `{{Column}}` placeholders.
    pub display_name_format: Option<String>,
    /// `alertDescriptionFormat`, with `{{Column}}` placeholders.
    pub description_format: Option<String>,
    /// `alertSeverityColumnName`.
    pub severity_column: Option<String>,
    /// `alertTacticsColumnName`.
    pub tactics_column: Option<String>,
}

/// Where a rule was read from, to locate messages about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSource {
    /// The file.
    pub file: PathBuf,
    /// The file line (from 1) of the query's first line.
    pub query_line: usize,
    /// How many columns the query's lines are indented by in the file.
    pub query_indent: usize,
    /// The text of the file, to locate fields.
    text: std::sync::Arc<str>,
}

impl RuleSource {
    /// The line (from 1) of top-level field `field` in the file, else 1.
    pub fn field_line(&self, field: &str) -> usize {
        field_line(&self.text, field).unwrap_or(1)
    }
}

/// An analytics rule, as read from YAML or an ARM export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `id` (YAML) or the rule's resource name (ARM).
    pub id: String,
    /// `name` (YAML) or `displayName` (ARM).
    pub name: String,
    /// `description`.
    pub description: String,
    /// `kind`.
    pub kind: RuleKind,
    /// `severity`: `Informational`, `Low`, `Medium` or `High`.
    pub severity: String,
    /// The KQL query.
    pub query: String,
    /// `queryFrequency` (NRT: one minute; hunting: none).
    pub query_frequency: Option<Timespan>,
    /// `queryPeriod` (NRT: one minute; hunting: none).
    pub query_period: Option<Timespan>,
    /// `triggerOperator` (default `gt`).
    pub trigger_operator: TriggerOperator,
    /// `triggerThreshold` (default 0).
    pub trigger_threshold: u64,
    /// `entityMappings`.
    pub entity_mappings: Vec<EntityMapping>,
    /// `customDetails`: (key, column), in key order.
    pub custom_details: Vec<(String, String)>,
    /// `alertDetailsOverride`.
    pub alert_details_override: AlertDetailsOverride,
    /// `eventGroupingSettings.aggregationKind`.
    pub event_grouping: EventGrouping,
    /// `suppressionDuration` when `suppressionEnabled` is true.
    pub suppression: Option<Timespan>,
    /// `tactics`.
    pub tactics: Vec<String>,
    /// `relevantTechniques` (YAML) or `techniques` (ARM).
    pub techniques: Vec<String>,
    /// The `dataTypes` of `requiredDataConnectors`.
    pub data_types: Vec<String>,
    /// `status` (`Available`...), when given.
    pub status: Option<String>,
    /// `enabled` (ARM); YAML rules are enabled.
    pub enabled: bool,
    /// Where the rule was read from.
    pub source: RuleSource,
}

/// A rule that could not be read: the file, the line and the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The file.
    pub file: PathBuf,
    /// The line, from 1.
    pub line: usize,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    id: Option<String>,
    #[serde(alias = "displayName")]
    name: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    severity: Option<String>,
    query: Option<String>,
    query_frequency: Option<String>,
    query_period: Option<String>,
    trigger_operator: Option<String>,
    trigger_threshold: Option<i64>,
    entity_mappings: Option<Vec<RawEntityMapping>>,
    custom_details: Option<BTreeMap<String, String>>,
    alert_details_override: Option<RawOverride>,
    event_grouping_settings: Option<RawGrouping>,
    suppression_duration: Option<String>,
    suppression_enabled: Option<bool>,
    tactics: Option<Vec<String>>,
    #[serde(alias = "techniques")]
    relevant_techniques: Option<Vec<String>>,
    required_data_connectors: Option<Vec<RawConnector>>,
    status: Option<String>,
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntityMapping {
    entity_type: String,
    field_mappings: Vec<RawFieldMapping>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFieldMapping {
    identifier: String,
    column_name: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawOverride {
    alert_display_name_format: Option<String>,
    alert_description_format: Option<String>,
    alert_severity_column_name: Option<String>,
    alert_tactics_column_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGrouping {
    aggregation_kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawConnector {
    data_types: Option<Vec<String>>,
}

/// Reads one rule from the text of a YAML file (the repository's form).
///
/// # Errors
///
/// A [`RuleError`] naming the file, the line and the field.
pub fn rule_from_yaml(text: &str, file: &Path) -> Result<Rule, RuleError> {
    let raw: RawRule = serde_norway::from_str(text).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split_once(": ")
            .map(|(f, _)| f.to_string())
            .filter(|f| !f.contains(' '));
        RuleError {
            file: file.to_path_buf(),
            line: e.location().map_or(1, |l| l.line()),
            field,
            message,
        }
    })?;
    let text: std::sync::Arc<str> = text.into();
    let (query_line, query_indent) = yaml_query_position(&text);
    let source = RuleSource {
        file: file.to_path_buf(),
        query_line,
        query_indent,
        text,
    };
    build(raw, source, None)
}

/// Reads the rules of an ARM template as the portal exports them (every
/// `alertRules` resource), or of a bare resource or `properties` object.
/// Each resource gives a rule or an error.
///
/// # Errors
///
/// One [`RuleError`] when the text is not JSON.
pub fn rules_from_arm_json(
    text: &str,
    file: &Path,
) -> Result<Vec<Result<Rule, RuleError>>, RuleError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| RuleError {
        file: file.to_path_buf(),
        line: e.line(),
        field: None,
        message: format!("not JSON: {e}"),
    })?;
    let resources: Vec<&serde_json::Value> = match doc.get("resources").and_then(|r| r.as_array()) {
        Some(list) => list.iter().collect(),
        None => vec![&doc],
    };
    let text: std::sync::Arc<str> = text.into();
    let mut out = Vec::new();
    for resource in resources {
        let is_rule = resource
            .get("type")
            .and_then(|t| t.as_str())
            .is_none_or(|t| t.to_ascii_lowercase().ends_with("alertrules"));
        if !is_rule {
            continue;
        }
        let props = resource.get("properties").unwrap_or(resource);
        let query_line = field_line(&text, "query").unwrap_or(1);
        let source = RuleSource {
            file: file.to_path_buf(),
            query_line,
            query_indent: 0,
            text: text.clone(),
        };
        let raw: RawRule = match serde_json::from_value(props.clone()) {
            Ok(r) => r,
            Err(e) => {
                out.push(Err(RuleError {
                    file: file.to_path_buf(),
                    line: 1,
                    field: None,
                    message: e.to_string(),
                }));
                continue;
            }
        };
        let mut raw = raw;
        if raw.kind.is_none() {
            raw.kind = resource
                .get("kind")
                .and_then(|k| k.as_str())
                .map(str::to_string);
        }
        let id = resource
            .get("name")
            .and_then(|n| n.as_str())
            .map(arm_rule_id)
            .or_else(|| {
                props
                    .get("alertRuleTemplateName")
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
            });
        out.push(build(raw, source, id));
    }
    Ok(out)
}

/// The rule id in an ARM resource name:
/// `[concat(parameters('workspace'),'/Microsoft.SecurityInsights/GUID')]`.
fn arm_rule_id(name: &str) -> String {
    let tail = name.rsplit('/').next().unwrap_or(name);
    tail.trim_end_matches([']', ')', '\'']).to_string()
}

fn build(raw: RawRule, source: RuleSource, id: Option<String>) -> Result<Rule, RuleError> {
    let err = |field: &str, message: String| RuleError {
        file: source.file.clone(),
        line: source.field_line(field),
        field: Some(field.to_string()),
        message,
    };
    let query = raw
        .query
        .clone()
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| err("query", "the rule has no query".into()))?;
    let name = raw
        .name
        .clone()
        .ok_or_else(|| err("name", "the rule has no name".into()))?;
    let duration = |field: &str, value: &Option<String>| -> Result<Option<Timespan>, RuleError> {
        match value {
            None => Ok(None),
            Some(text) => parse_duration(text).map(Some).ok_or_else(|| {
                err(
                    field,
                    format!("'{text}' is not a duration (5m, 5h, 1d, PT5H, P1D)"),
                )
            }),
        }
    };
    let frequency = duration("queryFrequency", &raw.query_frequency)?;
    let period = duration("queryPeriod", &raw.query_period)?;
    let kind = match raw.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("scheduled") => RuleKind::Scheduled,
        Some("nrt") => RuleKind::Nrt,
        None if frequency.is_some() || period.is_some() => RuleKind::Scheduled,
        None => RuleKind::Hunting,
        Some(other) => {
            return Err(err(
                "kind",
                format!("kind '{other}' is not replayed (Scheduled or NRT)"),
            ));
        }
    };
    const MINUTE: Timespan = Timespan(600_000_000);
    let (query_frequency, query_period) =
        match kind {
            RuleKind::Nrt => (Some(MINUTE), Some(MINUTE)),
            RuleKind::Hunting => (None, None),
            RuleKind::Scheduled => (
                Some(frequency.ok_or_else(|| {
                    err(
                        "queryFrequency",
                        "a scheduled rule needs queryFrequency".into(),
                    )
                })?),
                Some(period.ok_or_else(|| {
                    err("queryPeriod", "a scheduled rule needs queryPeriod".into())
                })?),
            ),
        };
    let trigger_operator = match &raw.trigger_operator {
        None => TriggerOperator::GreaterThan,
        Some(op) => TriggerOperator::parse(op).ok_or_else(|| {
            err(
                "triggerOperator",
                format!("'{op}' is not a trigger operator (gt, lt, eq, ne)"),
            )
        })?,
    };
    let trigger_threshold = match raw.trigger_threshold {
        None => 0,
        Some(n) => u64::try_from(n).map_err(|_| {
            err(
                "triggerThreshold",
                format!("{n}: the threshold cannot be negative"),
            )
        })?,
    };
    let event_grouping = match raw
        .event_grouping_settings
        .as_ref()
        .and_then(|g| g.aggregation_kind.as_deref())
    {
        None => EventGrouping::SingleAlert,
        Some(k) if k.eq_ignore_ascii_case("SingleAlert") => EventGrouping::SingleAlert,
        Some(k) if k.eq_ignore_ascii_case("AlertPerResult") => EventGrouping::AlertPerResult,
        Some(k) => {
            return Err(err(
                "eventGroupingSettings",
                format!("aggregationKind '{k}' is not SingleAlert or AlertPerResult"),
            ));
        }
    };
    let suppression = if raw.suppression_enabled == Some(true) {
        Some(
            duration("suppressionDuration", &raw.suppression_duration)?.ok_or_else(|| {
                err(
                    "suppressionDuration",
                    "suppression is enabled without a suppressionDuration".into(),
                )
            })?,
        )
    } else {
        None
    };
    let mut entity_mappings = Vec::new();
    for m in raw.entity_mappings.unwrap_or_default() {
        if m.field_mappings.is_empty() {
            return Err(err(
                "entityMappings",
                format!("the {} entity maps no field", m.entity_type),
            ));
        }
        entity_mappings.push(EntityMapping {
            entity_type: m.entity_type,
            fields: m
                .field_mappings
                .into_iter()
                .map(|f| (f.identifier, f.column_name))
                .collect(),
        });
    }
    let o = raw.alert_details_override.unwrap_or_default();
    let description = raw.description.unwrap_or_default();
    let description = description.trim();
    let description = description
        .strip_prefix('\'')
        .and_then(|d| d.strip_suffix('\''))
        .unwrap_or(description)
        .to_string();
    Ok(Rule {
        id: raw.id.or(id).unwrap_or_default(),
        name,
        description,
        kind,
        severity: raw.severity.unwrap_or_else(|| "Medium".into()),
        query,
        query_frequency,
        query_period,
        trigger_operator,
        trigger_threshold,
        entity_mappings,
        custom_details: raw.custom_details.unwrap_or_default().into_iter().collect(),
        alert_details_override: AlertDetailsOverride {
            display_name_format: o.alert_display_name_format,
            description_format: o.alert_description_format,
            severity_column: o.alert_severity_column_name,
            tactics_column: o.alert_tactics_column_name,
        },
        event_grouping,
        suppression,
        tactics: raw.tactics.unwrap_or_default(),
        techniques: raw.relevant_techniques.unwrap_or_default(),
        data_types: raw
            .required_data_connectors
            .unwrap_or_default()
            .into_iter()
            .flat_map(|c| c.data_types.unwrap_or_default())
            .collect(),
        status: raw.status,
        enabled: raw.enabled.unwrap_or(true),
        source,
    })
}

/// The line (from 1) of a top-level YAML key `field:` or a JSON key
/// `"field":`.
fn field_line(text: &str, field: &str) -> Option<usize> {
    let yaml = format!("{field}:");
    let json = format!("\"{field}\"");
    text.lines()
        .position(|l| l.starts_with(&yaml) || l.trim_start().starts_with(&json))
        .map(|i| i + 1)
}

/// Where the query's text starts in a YAML file: the line after
/// `query: |` (and the block's indentation), or the `query:` line itself.
fn yaml_query_position(text: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines.iter().position(|l| l.starts_with("query:")) else {
        return (1, 0);
    };
    let rest = lines[at]["query:".len()..].trim();
    if rest.starts_with('|') || rest.starts_with('>') || rest.is_empty() {
        let next = lines[at + 1..]
            .iter()
            .position(|l| !l.trim().is_empty())
            .map_or(at + 1, |i| at + 1 + i);
        let indent = lines
            .get(next)
            .map_or(0, |l| l.len() - l.trim_start().len());
        (next + 1, indent)
    } else {
        (at + 1, "query: ".len())
    }
}

/// The rules of a file: YAML (`.yaml`, `.yml`) or an ARM export (`.json`).
pub fn load_file(path: &Path) -> Vec<Result<Rule, RuleError>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return vec![Err(RuleError {
                file: path.to_path_buf(),
                line: 1,
                field: None,
                message: format!("cannot read: {e}"),
            })];
        }
    };
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        match rules_from_arm_json(&text, path) {
            Ok(rules) => rules,
            Err(e) => vec![Err(e)],
        }
    } else {
        vec![rule_from_yaml(&text, path)]
    }
}

/// Whether `path` names a rule file: `.yaml`, `.yml` or `.json`, but not a
/// test file (`*.test.yaml`).
fn is_rule_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"))
        && !name.ends_with(".test.yaml")
        && !name.ends_with(".test.yml")
}

/// The rules of files and folders (every rule file under a folder, in
/// name order): each file's rules, and an error for each rule that could
/// not be read. One bad rule does not stop the others.
pub fn load_rules<P: AsRef<Path>>(paths: &[P]) -> (Vec<Rule>, Vec<RuleError>) {
    let mut files = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            collect(p, &mut files);
        } else {
            files.push(p.to_path_buf());
        }
    }
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        for r in load_file(&file) {
            match r {
                Ok(rule) => rules.push(rule),
                Err(e) => errors.push(e),
            }
        }
    }
    (rules, errors)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        files.push(dir.to_path_buf());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, files);
        } else if is_rule_file(&p) {
            files.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"id: 11111111-2222-3333-4444-555555555555
name: Many failed sign-ins
description: |
  'Flags users with many failures.'
severity: High
requiredDataConnectors:
  - connectorId: AzureActiveDirectory
    dataTypes:
      - SigninLogs
queryFrequency: 1h
queryPeriod: 1d
triggerOperator: gt
triggerThreshold: 2
tactics:
  - CredentialAccess
relevantTechniques:
  - T1110
query: |
  SigninLogs
  | where ResultType != "0"
  | summarize Failures = count() by UserPrincipalName, IPAddress
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: UserPrincipalName
  - entityType: IP
    fieldMappings:
      - identifier: Address
        columnName: IPAddress
customDetails:
  FailureCount: Failures
alertDetailsOverride:
  alertDisplayNameFormat: Failures for {{UserPrincipalName}}
eventGroupingSettings:
  aggregationKind: AlertPerResult
suppressionEnabled: true
suppressionDuration: PT5H
version: 1.0.0
kind: Scheduled
"#;

    fn p() -> &'static Path {
        Path::new("rules/r.yaml")
    }

    #[test]
    fn a_repository_rule_reads() {
        let r = rule_from_yaml(RULE, p()).unwrap();
        assert_eq!(r.id, "11111111-2222-3333-4444-555555555555");
        assert_eq!(r.kind, RuleKind::Scheduled);
        assert_eq!(r.description, "Flags users with many failures.");
        assert_eq!(r.query_frequency, parse_duration("1h"));
        assert_eq!(r.query_period, parse_duration("P1D"));
        assert_eq!(r.trigger_threshold, 2);
        assert_eq!(r.entity_mappings.len(), 2);
        assert_eq!(
            r.entity_mappings[0].fields[0],
            ("FullName".into(), "UserPrincipalName".into())
        );
        assert_eq!(
            r.custom_details,
            vec![("FailureCount".into(), "Failures".into())]
        );
        assert_eq!(r.event_grouping, EventGrouping::AlertPerResult);
        assert_eq!(r.suppression, parse_duration("5h"));
        assert_eq!(r.data_types, ["SigninLogs"]);
        assert_eq!(r.source.query_line, 19);
        assert_eq!(r.source.query_indent, 2);
        assert!(r.query.starts_with("SigninLogs\n| where"));
    }

    #[test]
    fn a_bad_duration_names_file_line_and_field() {
        let text = RULE.replace("queryPeriod: 1d", "queryPeriod: 1 day");
        let e = rule_from_yaml(&text, p()).unwrap_err();
        assert_eq!(e.line, 11);
        assert_eq!(e.field.as_deref(), Some("queryPeriod"));
        assert_eq!(
            e.to_string(),
            "rules/r.yaml:11: queryPeriod: '1 day' is not a duration (5m, 5h, 1d, PT5H, P1D)"
        );
    }

    #[test]
    fn a_mistyped_field_is_located_by_the_yaml_reader() {
        let text = RULE.replace("triggerThreshold: 2", "triggerThreshold: [2]");
        let e = rule_from_yaml(&text, p()).unwrap_err();
        assert_eq!(e.line, 13);
        assert_eq!(e.field.as_deref(), Some("triggerThreshold"));
    }

    #[test]
    fn bad_operator_and_missing_query() {
        let text = RULE.replace("triggerOperator: gt", "triggerOperator: bigger");
        let e = rule_from_yaml(&text, p()).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (12, Some("triggerOperator")));
        let e = rule_from_yaml("name: x\nqueryFrequency: 1h\n", p()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("query"));
    }

    #[test]
    fn nrt_and_hunting() {
        let r = rule_from_yaml("name: n\nkind: NRT\nquery: T | take 1\n", p()).unwrap();
        assert_eq!(r.kind, RuleKind::Nrt);
        assert_eq!(r.query_frequency, parse_duration("1m"));
        assert_eq!(r.source.query_line, 3);
        let r = rule_from_yaml("name: h\nquery: |\n  T\n  | take 1\n", p()).unwrap();
        assert_eq!(r.kind, RuleKind::Hunting);
        assert_eq!(r.query_frequency, None);
    }

    #[test]
    fn an_arm_export_reads() {
        let arm = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "workspace": { "type": "String" } },
  "resources": [
    {
      "id": "[concat(resourceId('Microsoft.OperationalInsights/workspaces/providers', parameters('workspace'), 'Microsoft.SecurityInsights'),'/alertRules/aaaa-bbbb')]",
      "name": "[concat(parameters('workspace'),'/Microsoft.SecurityInsights/aaaa-bbbb')]",
      "type": "Microsoft.OperationalInsights/workspaces/providers/alertRules",
      "kind": "Scheduled",
      "apiVersion": "2023-12-01-preview",
      "properties": {
        "displayName": "Exported rule",
        "description": "",
        "severity": "Low",
        "enabled": true,
        "query": "SigninLogs\n| take 1",
        "queryFrequency": "PT5H",
        "queryPeriod": "P1D",
        "triggerOperator": "GreaterThan",
        "triggerThreshold": 0,
        "suppressionDuration": "PT5H",
        "suppressionEnabled": false,
        "tactics": ["InitialAccess"],
        "techniques": ["T1078"],
        "entityMappings": null,
        "eventGroupingSettings": { "aggregationKind": "SingleAlert" }
      }
    }
  ]
}"#;
        let rules = rules_from_arm_json(arm, Path::new("export.json")).unwrap();
        assert_eq!(rules.len(), 1);
        let r = rules[0].as_ref().unwrap();
        assert_eq!(r.id, "aaaa-bbbb");
        assert_eq!(r.name, "Exported rule");
        assert_eq!(r.query_frequency, parse_duration("5h"));
        assert_eq!(r.techniques, ["T1078"]);
        assert_eq!(r.suppression, None);
        assert_eq!(r.source.query_line, 17);
    }
}

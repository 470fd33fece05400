//! Alerts as the service writes them to the `SecurityAlert` table.

use super::duration::format_iso;
use super::rule::{EventGrouping, Rule, RuleKind};
use super::schedule::Window;
use crate::schema::{Field, Schema};
use crate::types::DataType;
use crate::value::{DateTime, Value};
use serde_json::{Map, Value as Json};

/// One alert: what the rule found in one window.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's name.
    pub rule_name: String,
    /// The alert's name: the rule's name, or its display-name override
    /// with `{{Column}}` filled in from the (first) result row.
    pub display_name: String,
    /// The description, or its override, filled in likewise.
    pub description: String,
    /// The severity (the rule's, or the override column's when valid).
    pub severity: String,
    /// The tactics (the rule's, or the override column's).
    pub tactics: Vec<String>,
    /// The rule's techniques.
    pub techniques: Vec<String>,
    /// The window the rule ran over.
    pub window: Window,
    /// The entities, as the service writes them: a JSON array of objects
    /// with `$id`, the identifiers, and `Type`.
    pub entities: Json,
    /// Custom details: key → the distinct values of its column, as text.
    pub custom_details: Vec<(String, Vec<String>)>,
    /// How many result rows the run had (all of them, for every alert of
    /// the run).
    pub run_results: usize,
    /// A stable id: the same replay gives the same ids.
    pub system_alert_id: String,
    /// How many result rows this alert covers.
    pub results: usize,
    /// The kind of the rule.
    pub kind: RuleKind,
    /// The event grouping the alert was made with.
    pub grouping: EventGrouping,
}

/// A result table of a run: its columns and rows.
pub(crate) struct Results<'a> {
    pub schema: &'a Schema,
    pub rows: &'a [Vec<Value>],
}

impl Results<'_> {
    fn cell<'r>(&self, row: &'r [Value], column: &str) -> Option<&'r Value> {
        self.schema.index_of(column).and_then(|i| row.get(i))
    }
}

/// The text of a value, as `tostring()` gives it (`1` for the real 1.0,
/// compact JSON for arrays and bags): `value::string_form::text`.
pub(crate) fn text(v: &Value) -> String {
    crate::value::string_form::text(v).into_owned()
}

/// A value as JSON, as kqlite's JSON output writes it
/// (`value::json::to_json`).
pub(crate) fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Long(i) => Json::from(*i),
        Value::String(s) => Json::String(s.to_string()),
        other => serde_json::from_str(&crate::value::json::to_json(other))
            .unwrap_or_else(|_| Json::String(text(other))),
    }
}

/// `{{Column}}` replaced by the column's value in `row`; a placeholder
/// naming no column stays as written.
pub(crate) fn fill_template(template: &str, results: &Results, row: Option<&[Value]>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let column = after[..close].trim();
        match row.and_then(|r| results.cell(r, column)) {
            Some(v) => out.push_str(&text(v)),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// The `Type` the service writes for an entity type of `entityMappings`.
fn entity_type_name(entity_type: &str) -> String {
    match entity_type {
        "IP" => "ip".into(),
        "URL" => "url".into(),
        "DNS" => "dns".into(),
        "FileHash" => "filehash".into(),
        "AzureResource" => "azure-resource".into(),
        "CloudApplication" => "cloud-application".into(),
        "RegistryKey" => "registry-key".into(),
        "RegistryValue" => "registry-value".into(),
        "SecurityGroup" => "security-group".into(),
        "MailCluster" => "mail-cluster".into(),
        "MailMessage" => "mail-message".into(),
        "IoTDevice" => "iotdevice".into(),
        other => other.to_ascii_lowercase(),
    }
}

/// The entities of `rows`: one per mapping and row with a non-empty
/// identifier, the same entity once.
fn entities(rule: &Rule, results: &Results, rows: &[&[Value]]) -> Json {
    let mut out: Vec<Json> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        for mapping in &rule.entity_mappings {
            let mut entity = Map::new();
            for (identifier, column) in &mapping.fields {
                if let Some(v) = results.cell(row, column) {
                    let t = text(v);
                    if !t.is_empty() {
                        entity.insert(identifier.clone(), Json::String(t));
                    }
                }
            }
            if entity.is_empty() {
                continue;
            }
            entity.insert(
                "Type".into(),
                Json::String(entity_type_name(&mapping.entity_type)),
            );
            if !seen.insert(Json::Object(entity.clone()).to_string()) {
                continue;
            }
            let mut with_id = Map::new();
            with_id.insert("$id".into(), Json::String((out.len() + 2).to_string()));
            with_id.extend(entity);
            out.push(Json::Object(with_id));
        }
    }
    Json::Array(out)
}

/// The most result rows one run turns into alerts of their own.
pub const MAX_ALERTS_PER_RUN: usize = 150;

/// The alerts of one run of `rule` over `window` that fired with
/// `results`.
pub(crate) fn alerts_of_run(rule: &Rule, window: Window, results: &Results) -> Vec<Alert> {
    let groups: Vec<Vec<&[Value]>> = match rule.event_grouping {
        EventGrouping::SingleAlert => vec![results.rows.iter().map(Vec::as_slice).collect()],
        EventGrouping::AlertPerResult => results
            .rows
            .iter()
            .take(MAX_ALERTS_PER_RUN)
            .map(|r| vec![r.as_slice()])
            .collect(),
    };
    groups
        .into_iter()
        .enumerate()
        .map(|(index, rows)| make_alert(rule, window, results, &rows, index))
        .collect()
}

fn make_alert(
    rule: &Rule,
    window: Window,
    results: &Results,
    rows: &[&[Value]],
    index: usize,
) -> Alert {
    let first = rows.first().copied();
    let o = &rule.alert_details_override;
    let display_name = o
        .display_name_format
        .as_deref()
        .map_or_else(|| rule.name.clone(), |f| fill_template(f, results, first));
    let description = o.description_format.as_deref().map_or_else(
        || rule.description.clone(),
        |f| fill_template(f, results, first),
    );
    let severity = o
        .severity_column
        .as_deref()
        .and_then(|c| first.and_then(|r| results.cell(r, c)))
        .map(text)
        .filter(|s| ["Informational", "Low", "Medium", "High"].contains(&s.as_str()))
        .unwrap_or_else(|| rule.severity.clone());
    let tactics = o
        .tactics_column
        .as_deref()
        .and_then(|c| first.and_then(|r| results.cell(r, c)))
        .map(|v| match v {
            Value::Array(items) => items.iter().map(text).collect(),
            other => text(other)
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        })
        .filter(|t: &Vec<String>| !t.is_empty())
        .unwrap_or_else(|| rule.tactics.clone());
    let custom_details = rule
        .custom_details
        .iter()
        .map(|(key, column)| {
            let mut values: Vec<String> = Vec::new();
            for row in rows {
                if let Some(v) = results.cell(row, column) {
                    let t = text(v);
                    if !values.contains(&t) {
                        values.push(t);
                    }
                }
            }
            (key.clone(), values)
        })
        .collect();
    Alert {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        display_name,
        description,
        severity,
        tactics,
        techniques: rule.techniques.clone(),
        window,
        entities: entities(rule, results, rows),
        custom_details,
        run_results: results.rows.len(),
        system_alert_id: stable_id(&rule.id, &rule.name, window.end, index),
        results: rows.len(),
        kind: rule.kind,
        grouping: rule.event_grouping,
    }
}

/// A GUID-shaped id from the rule, the tick and the alert's index.
fn stable_id(rule_id: &str, name: &str, tick: DateTime, index: usize) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(format!("{rule_id}\u{0}{name}\u{0}{}\u{0}{index}", tick.0));
    let h: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The columns of alert rows: the `SecurityAlert` table's.
pub fn alert_schema() -> Schema {
    crate::catalog::builtin_schema("SecurityAlert").unwrap_or_else(|| {
        Schema::new(
            ALERT_COLUMNS
                .iter()
                .map(|(n, t)| Field::new(*n, *t))
                .collect(),
        )
    })
}

const ALERT_COLUMNS: &[(&str, DataType)] = &[
    ("TimeGenerated", DataType::DateTime),
    ("DisplayName", DataType::String),
    ("AlertName", DataType::String),
    ("AlertSeverity", DataType::String),
    ("Description", DataType::String),
    ("ProviderName", DataType::String),
    ("VendorName", DataType::String),
    ("SystemAlertId", DataType::String),
    ("AlertType", DataType::String),
    ("StartTime", DataType::DateTime),
    ("EndTime", DataType::DateTime),
    ("ExtendedProperties", DataType::String),
    ("Entities", DataType::String),
    ("ProductName", DataType::String),
    ("Tactics", DataType::String),
    ("Techniques", DataType::String),
    ("Type", DataType::String),
];

impl Alert {
    /// `ExtendedProperties` as the service writes them (a JSON object of
    /// strings).
    pub fn extended_properties(&self, rule: Option<&Rule>) -> Json {
        let mut p = Map::new();
        let s = |v: String| Json::String(v);
        p.insert(
            "Analytic Rule Ids".into(),
            s(Json::from(vec![self.rule_id.clone()]).to_string()),
        );
        p.insert("Analytic Rule Name".into(), s(self.rule_name.clone()));
        p.insert(
            "Event Grouping".into(),
            s(match self.grouping {
                EventGrouping::SingleAlert => "SingleAlert".into(),
                EventGrouping::AlertPerResult => "AlertPerResult".into(),
            }),
        );
        p.insert(
            "Query Period".into(),
            s(format_iso(self.window.end.since(self.window.start))),
        );
        p.insert(
            "Query Start Time UTC".into(),
            s(self.window.start.to_string()),
        );
        p.insert("Query End Time UTC".into(), s(self.window.end.to_string()));
        p.insert(
            "Search Query Results Overall Count".into(),
            s(self.run_results.to_string()),
        );
        if let Some(rule) = rule {
            p.insert(
                "Trigger Operator".into(),
                s(rule.trigger_operator.name().into()),
            );
            p.insert(
                "Trigger Threshold".into(),
                s(rule.trigger_threshold.to_string()),
            );
            p.insert(
                "Data Sources".into(),
                s(Json::from(rule.data_types.clone()).to_string()),
            );
        }
        if !self.custom_details.is_empty() {
            let details: Map<String, Json> = self
                .custom_details
                .iter()
                .map(|(k, v)| (k.clone(), Json::from(v.clone())))
                .collect();
            p.insert(
                "Custom Details".into(),
                s(Json::Object(details).to_string()),
            );
        }
        Json::Object(p)
    }

    /// The alert as a row of [`alert_schema`].
    pub fn to_row(&self, schema: &Schema, rule: Option<&Rule>) -> Vec<Value> {
        let st = |v: &str| Value::string(v);
        schema
            .fields
            .iter()
            .map(|f| match f.name.as_str() {
                "TimeGenerated" | "ProcessingEndTime" | "EndTime" => {
                    Value::DateTime(self.window.end)
                }
                "StartTime" => Value::DateTime(self.window.start),
                "DisplayName" | "AlertName" => st(&self.display_name),
                "AlertSeverity" => st(&self.severity),
                "Description" => st(&self.description),
                "ProviderName" => st(match self.kind {
                    RuleKind::Nrt => "ASI NRT Alerts",
                    _ => "ASI Scheduled Alerts",
                }),
                "VendorName" => st("Microsoft"),
                "SystemAlertId" | "VendorOriginalId" => st(&self.system_alert_id),
                "AlertType" => st(&self.rule_id),
                "ConfidenceLevel"
                | "RemediationSteps"
                | "CompromisedEntity"
                | "TenantId"
                | "ResourceId"
                | "SourceComputerId"
                | "WorkspaceSubscriptionId"
                | "WorkspaceResourceGroup"
                | "ExtendedLinks"
                | "AlertLink" => st(""),
                "IsIncident" => Value::Bool(false),
                "ExtendedProperties" => st(&self.extended_properties(rule).to_string()),
                "Entities" => st(&self.entities.to_string()),
                "SourceSystem" => st("Detection"),
                "ProductName" => st("Azure Sentinel"),
                "ProductComponentName" => st(match self.kind {
                    RuleKind::Nrt => "NRT Alerts",
                    _ => "Scheduled Alerts",
                }),
                "Status" => st("New"),
                "Tactics" => st(&self.tactics.join(", ")),
                "Techniques" => st(&Json::from(self.techniques.clone()).to_string()),
                "Type" => st("SecurityAlert"),
                _ => Value::Null,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{text, to_json};
    use crate::value::Value;
    use std::sync::Arc;

    /// Alert text (entities, custom details, `{{Column}}` templates) is
    /// `tostring()`'s: the real 1.0 is `1`, as in Kusto.
    #[test]
    fn alert_text_is_tostrings_text() {
        for v in [
            Value::Real(1.0),
            Value::Real(2.5),
            Value::Real(1e300),
            Value::Long(7),
            Value::Null,
            Value::Array(Arc::new(vec![Value::Real(1.0), Value::string("a")])),
        ] {
            assert_eq!(text(&v), crate::value::string_form::text(&v), "{v:?}");
        }
        assert_eq!(text(&Value::Real(1.0)), "1");
        assert_eq!(
            to_json(&Value::Array(Arc::new(vec![Value::Real(0.5)]))).to_string(),
            crate::value::json::to_json(&Value::Array(Arc::new(vec![Value::Real(0.5)])))
        );
    }
}

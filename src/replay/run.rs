//! Replaying rules: each table read once into time order, then every
//! window of every rule run over its slice of them.

use super::alert::{Alert, Results, alert_schema, alerts_of_run, to_json};
use super::rule::{Rule, RuleKind};
use super::schedule::{Window, windows};
use crate::engine::{Engine, EngineOptions, Query, Table};
use crate::error::Error;
use crate::schema::Schema;
use crate::value::{DateTime, Value};
use rayon::prelude::*;
use std::collections::HashSet;

/// What to replay over.
#[derive(Clone, Debug, Default)]
pub struct ReplayOptions {
    /// The first tick; default: the first event, rounded up to a multiple
    /// of the rule's `queryFrequency`.
    pub from: Option<DateTime>,
    /// The last moment a tick may be at; default: while the last event is
    /// still in the rule's lookback.
    pub to: Option<DateTime>,
}

/// What one rule did over the replay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSummary {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's name.
    pub name: String,
    /// The rule's severity.
    pub severity: String,
    /// The rule's tactics.
    pub tactics: Vec<String>,
    /// Windows the query ran over.
    pub windows_run: usize,
    /// Windows whose results fired the trigger.
    pub windows_fired: usize,
    /// Windows skipped because an alert was suppressing the rule.
    pub windows_suppressed: usize,
    /// Alerts made.
    pub alerts: usize,
    /// Distinct result rows over all windows (overlapping lookbacks find
    /// the same rows again; this counts them once).
    pub distinct_results: usize,
    /// The tick of the first alert.
    pub first_alert: Option<DateTime>,
    /// The tick of the last alert.
    pub last_alert: Option<DateTime>,
    /// Why the rule did not run (a query error), or was skipped.
    pub error: Option<String>,
}

/// The outcome of a replay: the alerts, in rule then time order, and a
/// summary per rule.
#[derive(Clone, Debug, Default)]
pub struct ReplayReport {
    /// Every alert.
    pub alerts: Vec<Alert>,
    /// One per rule, in the order of the rules.
    pub summaries: Vec<RuleSummary>,
}

impl ReplayReport {
    /// The alerts as rows of the `SecurityAlert` schema ([`alert_schema`]).
    pub fn alert_rows(&self, rules: &[Rule]) -> (Schema, Vec<Vec<Value>>) {
        let schema = alert_schema();
        let rows = self
            .alerts
            .iter()
            .map(|a| {
                let rule = rules
                    .iter()
                    .find(|r| r.id == a.rule_id && r.name == a.rule_name);
                a.to_row(&schema, rule)
            })
            .collect();
        (schema, rows)
    }
}

/// A table's rows, ordered by `TimeGenerated` when it has one.
struct Snapshot {
    name: String,
    schema: Schema,
    rows: Vec<Vec<Value>>,
    /// The `TimeGenerated` of each row, in order; `None`: no such column
    /// (every window sees the whole table).
    times: Option<Vec<i64>>,
}

impl Snapshot {
    fn slice(&self, window: Window) -> &[Vec<Value>] {
        match &self.times {
            None => &self.rows,
            Some(times) => {
                let lo = times.partition_point(|t| *t <= window.start.0);
                let hi = times.partition_point(|t| *t <= window.end.0);
                &self.rows[lo..hi]
            }
        }
    }

    fn span(&self) -> Option<(DateTime, DateTime)> {
        let times = self.times.as_ref()?;
        Some((DateTime(*times.first()?), DateTime(*times.last()?)))
    }
}

/// The first result table of `query`, as its schema and rows.
fn first_table(query: &Query, engine: &Engine) -> Result<(Schema, Vec<Vec<Value>>), Error> {
    let first = query.collect_all(engine)?.into_iter().next();
    Ok(first.map(Table::into_parts).unwrap_or_default())
}

/// Reads every table of `engine` once, into time order.
fn snapshots(engine: &Engine, names: &[String]) -> Result<Vec<Snapshot>, Error> {
    let mut out = Vec::new();
    for name in names {
        let quoted = name.replace('\\', "\\\\").replace('\'', "\\'");
        let query = engine.compile(&format!("['{quoted}']"))?;
        let (schema, mut rows) = first_table(&query, engine)?;
        let times = match schema.index_of("TimeGenerated") {
            None => None,
            Some(i) => {
                rows.retain(|r| matches!(r.get(i), Some(Value::DateTime(_))));
                let time = |r: &Vec<Value>| match r.get(i) {
                    Some(Value::DateTime(d)) => d.0,
                    _ => i64::MIN,
                };
                rows.sort_by_key(time);
                Some(rows.iter().map(time).collect())
            }
        };
        out.push(Snapshot {
            name: name.clone(),
            schema,
            rows,
            times,
        });
    }
    Ok(out)
}

/// The columns of `table` that `rule` may use: those whose name appears in
/// `text` (its query and the functions it calls) or its mappings (and
/// `TimeGenerated`). `None`: every column,
/// when the query may use columns it does not name (`*`, `pack_all`,
/// `search`, `find`, `getschema`, `column_ifexists`, `bag_pack`).
fn needed_columns(rule: &Rule, text: &str, table: &Snapshot) -> Option<Vec<usize>> {
    let q = text.to_ascii_lowercase();
    let by_position = [
        "*",
        "pack_all",
        "search",
        "find",
        "getschema",
        "column_ifexists",
        "bag_pack",
        "pack(",
    ];
    if by_position.iter().any(|w| q.contains(w)) {
        return None;
    }
    let mut named = text.to_string();
    for m in &rule.entity_mappings {
        for (_, c) in &m.fields {
            named.push(' ');
            named.push_str(c);
        }
    }
    for (_, c) in &rule.custom_details {
        named.push(' ');
        named.push_str(c);
    }
    let o = &rule.alert_details_override;
    for t in [
        &o.display_name_format,
        &o.description_format,
        &o.severity_column,
        &o.tactics_column,
    ]
    .into_iter()
    .flatten()
    {
        named.push(' ');
        named.push_str(t);
    }
    Some(
        table
            .schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name == "TimeGenerated" || named.contains(f.name.as_str()))
            .map(|(i, _)| i)
            .collect(),
    )
}

/// Whether `query` may read table `name` (its name appears in the text).
fn reads(query: &str, name: &str) -> bool {
    query.contains(name)
}

/// Replays `rules` over the tables of `engine`: every window of every
/// Scheduled and NRT rule, with `now()` at the window's tick and each
/// table limited to `TimeGenerated` in the window. Rules run in parallel;
/// a rule whose query does not compile is reported in its summary and the
/// others run.
///
/// # Errors
///
/// [`Error::Exec`] when a table's inputs cannot be read.
pub fn replay(
    engine: &Engine,
    rules: &[Rule],
    options: &ReplayOptions,
) -> Result<ReplayReport, Error> {
    let names = engine.registered_tables();
    let needed: Vec<String> = names
        .into_iter()
        .filter(|n| {
            rules
                .iter()
                .any(|r| reads(&engine.with_called_functions(&r.query), n))
        })
        .collect();
    let tables = snapshots(engine, &needed)?;
    let per_rule: Vec<(Vec<Alert>, RuleSummary)> = rules
        .par_iter()
        .map(|rule| replay_rule(engine, &tables, rule, options))
        .collect();
    let mut report = ReplayReport::default();
    for (alerts, summary) in per_rule {
        report.alerts.extend(alerts);
        report.summaries.push(summary);
    }
    Ok(report)
}

fn replay_rule(
    engine: &Engine,
    tables: &[Snapshot],
    rule: &Rule,
    options: &ReplayOptions,
) -> (Vec<Alert>, RuleSummary) {
    let mut summary = RuleSummary {
        rule_id: rule.id.clone(),
        name: rule.name.clone(),
        severity: rule.severity.clone(),
        tactics: rule.tactics.clone(),
        ..RuleSummary::default()
    };
    let (Some(frequency), Some(period)) = (rule.query_frequency, rule.query_period) else {
        summary.error = Some("a hunting query (no schedule): not replayed".into());
        return (Vec::new(), summary);
    };
    if !rule.enabled {
        summary.error = Some("disabled: not replayed".into());
        return (Vec::new(), summary);
    }
    // What the rule reads: its query and the stored functions it calls.
    let text = engine.with_called_functions(&rule.query);
    let read: Vec<(&Snapshot, Option<Vec<usize>>)> = tables
        .iter()
        .filter(|t| reads(&text, &t.name))
        .map(|t| (t, needed_columns(rule, &text, t)))
        .collect();
    let events = read
        .iter()
        .filter_map(|(t, _)| t.span())
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    let mut alerts = Vec::new();
    let mut distinct = HashSet::new();
    let mut suppressed_until: Option<DateTime> = None;
    // The result schema of a window with no input rows, once such a window
    // gave no result rows.
    let mut empty_result: Option<Schema> = None;
    for window in windows(frequency, period, events, options.from, options.to) {
        if suppressed_until.is_some_and(|until| window.end < until) {
            summary.windows_suppressed += 1;
            continue;
        }
        // NRT rules run on each minute's new events: a minute without
        // events is not a run.
        if rule.kind == RuleKind::Nrt && read.iter().all(|(t, _)| t.slice(window).is_empty()) {
            continue;
        }
        // A window where every table the rule reads is empty gives what the
        // first such window gave when that was no rows: it is not run again.
        let empty = read.iter().all(|(t, _)| t.slice(window).is_empty());
        let outcome = match (&empty_result, empty) {
            (Some(schema), true) => Ok((schema.clone(), Vec::new())),
            _ => run_window(engine, &read, rule, window),
        };
        let (schema, rows) = match outcome {
            Ok(r) => r,
            Err(e) => {
                summary.error =
                    Some(e.render(&rule.query, &rule.source.file.display().to_string()));
                break;
            }
        };
        if empty && empty_result.is_none() && rows.is_empty() {
            empty_result = Some(schema.clone());
        }
        summary.windows_run += 1;
        for row in &rows {
            distinct
                .insert(serde_json::Value::Array(row.iter().map(to_json).collect()).to_string());
        }
        if !rule
            .trigger_operator
            .fires(rows.len() as u64, rule.trigger_threshold)
        {
            continue;
        }
        summary.windows_fired += 1;
        let made = alerts_of_run(
            rule,
            window,
            &Results {
                schema: &schema,
                rows: &rows,
            },
        );
        if !made.is_empty() {
            summary.first_alert.get_or_insert(window.end);
            summary.last_alert = Some(window.end);
        }
        summary.alerts += made.len();
        alerts.extend(made);
        if let Some(duration) = rule.suppression {
            suppressed_until = window.end.checked_add(duration);
        }
    }
    summary.distinct_results = distinct.len();
    (alerts, summary)
}

/// Runs `rule` over one window: a fresh engine whose tables hold the
/// window's rows, and `now()` at the tick.
fn run_window(
    engine: &Engine,
    read: &[(&Snapshot, Option<Vec<usize>>)],
    rule: &Rule,
    window: Window,
) -> Result<(Schema, Vec<Vec<Value>>), Error> {
    let mut windowed = Engine::with_options(EngineOptions {
        now: Some(window.end),
        threads: Some(1),
        ..engine.options.clone()
    });
    windowed.cancel = engine.cancel.clone();
    windowed.share_workspace(engine);
    for (t, columns) in read {
        let rows = t.slice(window);
        match columns {
            None => windowed.add_rows(&t.name, t.schema.clone(), rows.to_vec())?,
            Some(columns) => {
                let schema = Schema::new(
                    columns
                        .iter()
                        .filter_map(|i| t.schema.fields.get(*i).cloned())
                        .collect(),
                );
                let rows = rows
                    .iter()
                    .map(|r| {
                        columns
                            .iter()
                            .map(|i| r.get(*i).cloned().unwrap_or(Value::Null))
                            .collect()
                    })
                    .collect();
                windowed.add_rows(&t.name, schema, rows)?;
            }
        }
    }
    let query = windowed.compile(&rule.query)?;
    first_table(&query, &windowed)
}

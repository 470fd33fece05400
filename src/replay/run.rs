//! Replaying rules: each table read once into time order, then every
//! window of every rule run over its slice of them.

use super::alert::{Alert, Results, alert_schema, alerts_of_run, to_json};
use super::rule::{Rule, RuleKind};
use super::schedule::{Window, windows};
use crate::engine::window::{RowFilter, SharedRows};
use crate::engine::{Engine, EngineOptions, Query, Table};
use crate::error::Error;
use crate::json::PathCache;
use crate::schema::Schema;
use crate::value::{DateTime, Value};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

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

/// A table as read once for every rule: the columns some rule needs, its
/// rows ordered by `TimeGenerated` when it has one.
struct Snapshot {
    name: String,
    schema: Schema,
    rows: SharedRows,
    /// The `TimeGenerated` of each row, in order; `None`: no such column
    /// (every window sees the whole table).
    times: Option<Vec<i64>>,
}

impl Snapshot {
    /// The rows in `window`, as a range of positions.
    fn range(&self, window: Window) -> Range<usize> {
        match &self.times {
            None => 0..self.rows.len(),
            Some(times) => {
                let lo = times.partition_point(|t| *t <= window.start.0);
                let hi = times.partition_point(|t| *t <= window.end.0);
                lo..hi
            }
        }
    }

    fn is_empty_in(&self, window: Window) -> bool {
        self.range(window).is_empty()
    }

    fn span(&self) -> Option<(DateTime, DateTime)> {
        let times = self.times.as_ref()?;
        Some((DateTime(*times.first()?), DateTime(*times.last()?)))
    }
}

/// What one rule reads of a table: the table as every window of the rule
/// slices it (only the columns the rule needs, only the rows that pass the
/// filters of its query that do not depend on `now()`), and the table as
/// read (whose events set the rule's ticks and its NRT minutes).
struct View {
    sliced: Arc<Snapshot>,
    whole: Arc<Snapshot>,
}

/// The first result table of `query`, as its schema and rows.
fn first_table(query: &Query, engine: &Engine) -> Result<(Schema, Vec<Vec<Value>>), Error> {
    let first = query.collect_all(engine)?.into_iter().next();
    Ok(first.map(Table::into_parts).unwrap_or_default())
}

/// `rows` (of `schema`) in `TimeGenerated` order, with their times; rows
/// without a `TimeGenerated` are left out. The sort is stable: rows of the
/// same time stay in the order they were read.
fn time_ordered(schema: &Schema, mut rows: Vec<Vec<Value>>) -> (Vec<Vec<Value>>, Option<Vec<i64>>) {
    let Some(i) = schema.index_of("TimeGenerated") else {
        return (rows, None);
    };
    rows.retain(|r| matches!(r.get(i), Some(Value::DateTime(_))));
    let time = |r: &Vec<Value>| match r.get(i) {
        Some(Value::DateTime(d)) => d.0,
        _ => i64::MIN,
    };
    rows.sort_by_key(time);
    let times = rows.iter().map(time).collect();
    (rows, Some(times))
}

/// What one rule reads of one table: the table's index, the columns it
/// needs (`None`: all) and its rows' filter, if any.
type TableNeed = (usize, Option<Vec<usize>>, Option<RowFilter>);

fn quote(name: &str) -> String {
    format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Reads table `name` of `engine` once, keeping the columns some rule of
/// `rules` needs, into time order.
fn snapshot(engine: &Engine, name: &str, rules: &[&Rule]) -> Result<Snapshot, Error> {
    let whole = engine.compile(&quote(name))?;
    let schema = whole
        .result_schemas()
        .first()
        .map(|s| (*s).clone())
        .unwrap_or_default();
    let mut keep = vec![false; schema.len()];
    for rule in rules {
        match needed_columns(rule, &engine.with_called_functions(&rule.query), &schema) {
            None => keep.iter_mut().for_each(|k| *k = true),
            Some(columns) => columns.into_iter().for_each(|i| keep[i] = true),
        }
    }
    let query = if keep.iter().all(|k| *k) {
        whole
    } else {
        let columns: Vec<String> = schema
            .fields
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(f, _)| quote(&f.name))
            .collect();
        engine.compile(&format!("{} | project {}", quote(name), columns.join(", ")))?
    };
    let (schema, rows) = first_table(&query, engine)?;
    let (rows, times) = time_ordered(&schema, rows);
    Ok(Snapshot {
        name: name.to_string(),
        schema,
        rows: Arc::new(rows),
        times,
    })
}

/// Two moments far apart: a rule's query compiled with `now()` at each
/// shows which of its filters depend on `now()`.
const NOW_A: DateTime = DateTime(638_000_000_000_000_000);
const NOW_B: DateTime = DateTime(638_000_000_000_000_000 + 1_234_567_890_123_457);

/// The row filters of `rule`'s query that hold whatever `now()` is, per
/// table ([`crate::engine::window::RowFilter`]); none when the query may
/// see its rows otherwise than row by row (`bag_unpack` reads the rows to
/// know its columns).
fn rule_filters(engine: &Engine, tables: &[Snapshot], rule: &Rule) -> BTreeMap<String, RowFilter> {
    // What the rule reads: its query and the stored functions it calls.
    let text = engine.with_called_functions(&rule.query);
    if text.contains("bag_unpack") {
        return BTreeMap::new();
    }
    let at = |now| {
        let mut e = Engine::with_options(EngineOptions {
            now: Some(now),
            ..EngineOptions::default()
        });
        e.share_workspace(engine);
        for t in tables.iter().filter(|t| reads(&text, &t.name)) {
            e.add_shared_rows(&t.name, t.schema.clone(), Arc::new(Vec::new()), 0..0);
        }
        e.compile(&rule.query)
    };
    match (at(NOW_A), at(NOW_B)) {
        (Ok(a), Ok(b)) => a.row_filters(&b),
        _ => BTreeMap::new(),
    }
}

/// The columns of `schema` that `rule` may use: those whose name appears in
/// its query or its mappings (and `TimeGenerated`). `None`: every column,
/// when the query may use columns it does not name (`*`, `pack_all`,
/// `search`, `find`, `getschema`, `column_ifexists`, `bag_pack`).
fn needed_columns(rule: &Rule, text: &str, schema: &Schema) -> Option<Vec<usize>> {
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
        schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name == "TimeGenerated" || named.contains(f.name.as_str()))
            .map(|(i, _)| i)
            .collect(),
    )
}

/// `table` as `rule` slices it: its needed columns, its rows that pass
/// `filter`.
fn view_of(
    engine: &Engine,
    table: &Snapshot,
    columns: Option<&[usize]>,
    filter: Option<&RowFilter>,
    json_paths: &Arc<PathCache>,
) -> Result<Snapshot, Error> {
    let filtered = match filter {
        Some(f) => engine.filter_rows(&table.name, f, &table.schema, &table.rows, json_paths)?,
        None => None,
    };
    let all = columns.is_none_or(|c| c.iter().copied().eq(0..table.schema.len()));
    let (rows, times) = match (filtered, all) {
        (None, true) => {
            return Ok(Snapshot {
                name: table.name.clone(),
                schema: table.schema.clone(),
                rows: table.rows.clone(),
                times: table.times.clone(),
            });
        }
        (Some(rows), _) => time_ordered(&table.schema, rows),
        (None, false) => ((*table.rows).clone(), table.times.clone()),
    };
    let Some(columns) = columns.filter(|_| !all) else {
        return Ok(Snapshot {
            name: table.name.clone(),
            schema: table.schema.clone(),
            rows: Arc::new(rows),
            times,
        });
    };
    let schema = Schema::new(
        columns
            .iter()
            .filter_map(|i| table.schema.fields.get(*i).cloned())
            .collect(),
    );
    let rows = rows
        .into_iter()
        .map(|r| {
            columns
                .iter()
                .map(|i| r.get(*i).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Ok(Snapshot {
        name: table.name.clone(),
        schema,
        rows: Arc::new(rows),
        times,
    })
}

/// Whether `query` may read table `name` (its name appears in the text).
fn reads(query: &str, name: &str) -> bool {
    query.contains(name)
}

/// Told how a replay goes, to show it (the command line's progress bar
/// over rules × windows). Rules run in parallel: the methods are called
/// from several threads at once.
pub trait ReplayProgress: Sync {
    /// What the replay is doing before the windows run (reading a table,
    /// applying the rules' conditions).
    fn phase(&self, _what: &str) {}
    /// The number of windows the replay goes through, over all rules;
    /// called once, before the first window.
    fn start(&self, _windows: u64) {}
    /// `windows` more windows done (run, or skipped: suppressed, no NRT
    /// event, or left after a query error).
    fn advance(&self, _windows: u64) {}
}

/// No progress shown.
impl ReplayProgress for () {}

/// Replays `rules` over the tables of `engine`: every window of every
/// Scheduled and NRT rule, with `now()` at the window's tick and each
/// table limited to `TimeGenerated` in the window. Rules run in parallel;
/// a rule whose query does not compile is reported in its summary and the
/// others run.
///
/// Each table a rule reads is read once, for all rules, keeping the
/// columns some rule needs, into `TimeGenerated` order. Each rule then
/// keeps, once, the rows its query's filters that do not depend on `now()`
/// let through (rules with the same needs share them), and each window
/// sees its slice of those rows (a binary search, not a copy).
///
/// # Errors
///
/// [`Error::Exec`] when a table's inputs cannot be read.
pub fn replay(
    engine: &Engine,
    rules: &[Rule],
    options: &ReplayOptions,
) -> Result<ReplayReport, Error> {
    replay_with_progress(engine, rules, options, &())
}

/// [`replay`], telling `progress` how it goes.
///
/// # Errors
///
/// As [`replay`].
pub fn replay_with_progress(
    engine: &Engine,
    rules: &[Rule],
    options: &ReplayOptions,
    progress: &dyn ReplayProgress,
) -> Result<ReplayReport, Error> {
    // What each rule reads: its query and the stored functions it calls.
    let texts: Vec<String> = rules
        .iter()
        .map(|r| engine.with_called_functions(&r.query))
        .collect();
    let tables: Vec<Snapshot> = engine
        .registered_tables()
        .into_iter()
        .filter(|n| texts.iter().any(|t| reads(t, n)))
        .map(|n| {
            let readers: Vec<&Rule> = rules
                .iter()
                .zip(&texts)
                .filter(|(_, t)| reads(t, &n))
                .map(|(r, _)| r)
                .collect();
            progress.phase(&format!("reading {n}"));
            snapshot(engine, &n, &readers)
        })
        .collect::<Result<_, _>>()?;
    // The JSON paths read from the rows, for every rule and window: a row
    // is in the prefilter of each rule that reads its table and in every
    // window whose lookback holds it, and its `log_s.verb` is read once.
    let json_paths = Arc::new(PathCache::default());
    // What each rule reads of each table, and the distinct views of them.
    progress.phase("applying the rules' conditions");
    let needs: Vec<Vec<TableNeed>> = rules
        .par_iter()
        .zip(texts.par_iter())
        .map(|(rule, text)| {
            let mut filters = rule_filters(engine, &tables, rule);
            tables
                .iter()
                .enumerate()
                .filter(|(_, t)| reads(text, &t.name))
                .map(|(i, t)| {
                    (
                        i,
                        needed_columns(rule, text, &t.schema),
                        filters.remove(&t.name),
                    )
                })
                .collect()
        })
        .collect();
    let key = |(i, columns, filter): &TableNeed| {
        format!("{i} {columns:?} {:?}", filter.as_ref().map(RowFilter::key))
    };
    let mut distinct: BTreeMap<String, &TableNeed> = BTreeMap::new();
    for need in needs.iter().flatten() {
        distinct.entry(key(need)).or_insert(need);
    }
    let views: BTreeMap<String, Arc<Snapshot>> = distinct
        .into_par_iter()
        .map(|(k, (i, columns, filter))| {
            let table = &tables[*i];
            view_of(
                engine,
                table,
                columns.as_deref(),
                filter.as_ref(),
                &json_paths,
            )
            .map(|v| (k, Arc::new(v)))
        })
        .collect::<Result<_, Error>>()?;
    // The rows as read are no longer needed: only their times.
    let tables: Vec<Arc<Snapshot>> = tables
        .into_iter()
        .map(|t| {
            Arc::new(Snapshot {
                rows: Arc::new(Vec::new()),
                ..t
            })
        })
        .collect();
    // Each rule's views and windows, known before any runs (to count them).
    let plans: Vec<(Vec<View>, Vec<Window>)> = rules
        .iter()
        .zip(&needs)
        .map(|(rule, needs)| {
            let read: Vec<View> = needs
                .iter()
                .filter_map(|need| {
                    Some(View {
                        sliced: views.get(&key(need))?.clone(),
                        whole: tables.get(need.0)?.clone(),
                    })
                })
                .collect();
            let ticks = match (rule.query_frequency, rule.query_period) {
                (Some(frequency), Some(period)) if rule.enabled => {
                    let events = read
                        .iter()
                        .filter_map(|v| v.whole.span())
                        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
                    windows(frequency, period, events, options.from, options.to)
                }
                _ => Vec::new(),
            };
            (read, ticks)
        })
        .collect();
    progress.start(plans.iter().map(|(_, w)| w.len() as u64).sum());
    let per_rule: Vec<(Vec<Alert>, RuleSummary)> = rules
        .par_iter()
        .zip(&plans)
        .map(|(rule, (read, ticks))| replay_rule(engine, read, rule, ticks, &json_paths, progress))
        .collect();
    drop(plans);
    drop(views);
    let mut report = ReplayReport::default();
    for (alerts, summary) in per_rule {
        report.alerts.extend(alerts);
        report.summaries.push(summary);
    }
    Ok(report)
}

fn replay_rule(
    engine: &Engine,
    read: &[View],
    rule: &Rule,
    ticks: &[Window],
    json_paths: &Arc<PathCache>,
    progress: &dyn ReplayProgress,
) -> (Vec<Alert>, RuleSummary) {
    let mut summary = RuleSummary {
        rule_id: rule.id.clone(),
        name: rule.name.clone(),
        severity: rule.severity.clone(),
        tactics: rule.tactics.clone(),
        ..RuleSummary::default()
    };
    if rule.query_frequency.is_none() || rule.query_period.is_none() {
        summary.error = Some("a hunting query (no schedule): not replayed".into());
        return (Vec::new(), summary);
    }
    if !rule.enabled {
        summary.error = Some("disabled: not replayed".into());
        return (Vec::new(), summary);
    }
    let mut alerts = Vec::new();
    let mut distinct = HashSet::new();
    let mut suppressed_until: Option<DateTime> = None;
    // The result schema of a window with no input rows, once such a window
    // gave no result rows.
    let mut empty_result: Option<Schema> = None;
    // Windows counted as done when they start (a bar moves as rules run).
    let mut started = 0;
    for &window in ticks {
        progress.advance(1);
        started += 1;
        if suppressed_until.is_some_and(|until| window.end < until) {
            summary.windows_suppressed += 1;
            continue;
        }
        // NRT rules run on each minute's new events: a minute without
        // events is not a run.
        if rule.kind == RuleKind::Nrt && read.iter().all(|v| v.whole.is_empty_in(window)) {
            continue;
        }
        // A window where every table the rule reads has no row its query
        // can use gives what the first such window gave when that was no
        // rows: it is not run again.
        let empty = read.iter().all(|v| v.sliced.is_empty_in(window));
        let outcome = match (&empty_result, empty) {
            (Some(schema), true) => Ok((schema.clone(), Vec::new())),
            _ => run_window(engine, read, rule, window, json_paths),
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
    // The windows a query error left.
    progress.advance((ticks.len() - started) as u64);
    summary.distinct_results = distinct.len();
    (alerts, summary)
}

/// Runs `rule` over one window: a fresh engine whose tables are the
/// window's slices of the rule's views, and `now()` at the tick.
fn run_window(
    engine: &Engine,
    read: &[View],
    rule: &Rule,
    window: Window,
    json_paths: &Arc<PathCache>,
) -> Result<(Schema, Vec<Vec<Value>>), Error> {
    let mut windowed = Engine::with_options(EngineOptions {
        now: Some(window.end),
        threads: Some(1),
        ..engine.options.clone()
    });
    windowed.cancel = engine.cancel.clone();
    windowed.share_workspace(engine);
    windowed.json_paths = Some(json_paths.clone());
    for v in read {
        let t = &v.sliced;
        windowed.add_shared_rows(&t.name, t.schema.clone(), t.rows.clone(), t.range(window));
    }
    let query = windowed.compile(&rule.query)?;
    first_table(&query, &windowed)
}

//! Detection-as-code tests: a `*.test.yaml` file next to a rule names the
//! rule, its input logs (files or inline rows per table), the replay range
//! or a single `now`, and what is expected (fires or not, how many alerts,
//! entity values).
//!
//! ```yaml
//! rule: role-assignment-burst.yaml
//! inputs:
//!   AzureActivity: ../data/AzureActivity
//!   SigninLogs:
//!     - {TimeGenerated: "2024-11-04T12:00:00Z", UserPrincipalName: alice}
//! from: 2024-11-04T12:00:00Z
//! to: 2024-11-04T15:00:00Z
//! expect:
//!   fires: true
//!   alerts: 2
//!   entities: [bob@contoso.com]
//! ```

use super::rule::{RuleError, load_file};
use super::run::{ReplayOptions, replay};
use crate::engine::Engine;
use crate::value::DateTime;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    rule: String,
    #[serde(default)]
    inputs: BTreeMap<String, RawInput>,
    from: Option<String>,
    to: Option<String>,
    now: Option<String>,
    /// A folder or file of functions (parser YAML, `.kql`), relative to
    /// the test file.
    functions: Option<String>,
    /// A folder or file of watchlist CSVs, relative to the test file.
    watchlists: Option<String>,
    #[serde(default)]
    expect: RawExpect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawInput {
    Path(String),
    Rows(Vec<serde_norway::Value>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    fires: Option<bool>,
    alerts: Option<usize>,
    #[serde(default)]
    entities: Vec<String>,
}

/// What a rule did in a test.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// Whether it made any alert.
    pub fires: bool,
    /// How many alerts.
    pub alerts: usize,
    /// Every entity identifier value of its alerts, in order, once each.
    pub entities: Vec<String>,
}

/// The outcome of one test file.
#[derive(Clone, Debug, PartialEq)]
pub struct TestOutcome {
    /// The test file.
    pub file: PathBuf,
    /// The rule's name.
    pub rule: String,
    /// What the rule did.
    pub observed: Observed,
    /// Each expectation that did not hold; empty: the test passed.
    pub failures: Vec<String>,
    /// Seconds the test took.
    pub seconds: f64,
}

impl TestOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn error(file: &Path, line: usize, field: Option<&str>, message: String) -> RuleError {
    RuleError {
        file: file.to_path_buf(),
        line,
        field: field.map(str::to_string),
        message,
    }
}

/// Runs the test file `path`: loads its rule and inputs, replays the rule
/// and compares what it did with `expect`.
///
/// # Errors
///
/// A [`RuleError`] when the test file, its rule or an input cannot be read,
/// or the rule's query does not run.
pub fn run_rule_test(path: &Path) -> Result<TestOutcome, RuleError> {
    run_rule_test_in(path, &Engine::new())
}

/// Runs the rule test of `path` as [`run_rule_test`] does, with the stored
/// functions, watchlists and `externaldata` mirrors of `workspace` (its
/// tables are not used) besides those the test names.
///
/// # Errors
///
/// As [`run_rule_test`].
pub fn run_rule_test_in(path: &Path, workspace: &Engine) -> Result<TestOutcome, RuleError> {
    let started = std::time::Instant::now();
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(path, 1, None, format!("cannot read: {e}")))?;
    let raw: RawTest = serde_norway::from_str(&text).map_err(|e| {
        error(
            path,
            e.location().map_or(1, |l| l.line()),
            None,
            e.to_string(),
        )
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let rule_path = dir.join(&raw.rule);
    let rule = load_file(&rule_path)
        .into_iter()
        .next()
        .ok_or_else(|| error(path, 1, Some("rule"), "the file has no rule".into()))??;
    let mut engine = Engine::new();
    engine.share_workspace(workspace);
    if let Some(functions) = &raw.functions {
        for warning in engine
            .load_functions(dir.join(functions))
            .map_err(|e| error(path, 1, Some("functions"), e.to_string()))?
        {
            eprintln!("warning: {warning}");
        }
    }
    if let Some(watchlists) = &raw.watchlists {
        engine
            .load_watchlists(dir.join(watchlists))
            .map_err(|e| error(path, 1, Some("watchlists"), e.to_string()))?;
    }
    for (table, input) in &raw.inputs {
        let added = match input {
            RawInput::Path(p) => engine.add_path(table, dir.join(p)),
            RawInput::Rows(rows) => {
                let mut bytes = Vec::new();
                for row in rows {
                    let json = serde_json::to_string(row)
                        .map_err(|e| error(path, 1, Some("inputs"), format!("{table}: {e}")))?;
                    bytes.extend_from_slice(json.as_bytes());
                    bytes.push(b'\n');
                }
                engine.add_bytes(table, &format!("{}:{table}", path.display()), bytes)
            }
        };
        added.map_err(|e| error(path, 1, Some("inputs"), format!("{table}: {e}")))?;
    }
    let time = |field: &str, value: &Option<String>| -> Result<Option<DateTime>, RuleError> {
        value
            .as_deref()
            .map(|s| {
                DateTime::parse(s)
                    .ok_or_else(|| error(path, 1, Some(field), format!("'{s}' is not a datetime")))
            })
            .transpose()
    };
    let now = time("now", &raw.now)?;
    let options = ReplayOptions {
        from: now.or(time("from", &raw.from)?),
        to: now.or(time("to", &raw.to)?),
    };
    let report = replay(&engine, std::slice::from_ref(&rule), &options)
        .map_err(|e| error(path, 1, Some("inputs"), e.to_string()))?;
    if let Some(e) = report.summaries.first().and_then(|s| s.error.clone()) {
        return Err(error(&rule_path, rule.source.query_line, Some("query"), e));
    }
    let mut entities: Vec<String> = Vec::new();
    for alert in &report.alerts {
        for entity in alert.entities.as_array().into_iter().flatten() {
            for (key, value) in entity.as_object().into_iter().flatten() {
                if key == "$id" || key == "Type" {
                    continue;
                }
                if let Some(v) = value.as_str()
                    && !entities.iter().any(|e| e == v)
                {
                    entities.push(v.to_string());
                }
            }
        }
    }
    let observed = Observed {
        fires: !report.alerts.is_empty(),
        alerts: report.alerts.len(),
        entities,
    };
    let mut failures = Vec::new();
    let e = &raw.expect;
    if let Some(fires) = e.fires
        && fires != observed.fires
    {
        failures.push(format!(
            "expected the rule {}to fire, it {}",
            if fires { "" } else { "not " },
            if observed.fires { "fired" } else { "did not" }
        ));
    }
    if let Some(n) = e.alerts
        && n != observed.alerts
    {
        failures.push(format!("expected {n} alerts, got {}", observed.alerts));
    }
    for entity in &e.entities {
        if !observed.entities.contains(entity) {
            failures.push(format!("expected an alert entity '{entity}', none has it"));
        }
    }
    Ok(TestOutcome {
        file: path.to_path_buf(),
        rule: rule.name,
        observed,
        failures,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The text of test file `text` with its `expect:` section (which must
/// come last) replaced by what was observed: what a bless option writes.
pub fn bless(text: &str, observed: &Observed) -> String {
    let mut out: String = text
        .lines()
        .take_while(|l| !l.starts_with("expect:"))
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(&format!(
        "expect:\n  fires: {}\n  alerts: {}\n",
        observed.fires, observed.alerts
    ));
    if !observed.entities.is_empty() {
        out.push_str("  entities:\n");
        for e in &observed.entities {
            out.push_str(&format!("    - {}\n", serde_json::Value::from(e.as_str())));
        }
    }
    out
}

/// A JUnit XML report of test outcomes, and of test files that could not
/// run (`errors`), for CI.
pub fn junit_xml(outcomes: &[TestOutcome], errors: &[RuleError]) -> String {
    let esc = |s: &str| quick_xml::escape::escape(s).to_string();
    let failures = outcomes.iter().filter(|o| !o.passed()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<testsuites>\n<testsuite name=\"kqlite rule tests\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\">\n",
        outcomes.len() + errors.len(),
        errors.len()
    ));
    for o in outcomes {
        x.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            esc(&o.file.display().to_string()),
            esc(&o.rule),
            o.seconds
        ));
        if o.passed() {
            x.push_str("/>\n");
        } else {
            x.push_str(">\n");
            for f in &o.failures {
                x.push_str(&format!("    <failure message=\"{}\"/>\n", esc(f)));
            }
            x.push_str("  </testcase>\n");
        }
    }
    for e in errors {
        x.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\">\n    <error message=\"{}\"/>\n  </testcase>\n",
            esc(&e.file.display().to_string()),
            esc(&e.file.display().to_string()),
            esc(&e.to_string())
        ));
    }
    x.push_str("</testsuite>\n</testsuites>\n");
    x
}

/// The test files among `paths`: files as given, and every `*.test.yaml`
/// under folders, in name order.
pub fn find_tests<P: AsRef<Path>>(paths: &[P]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".test.yaml"))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.to_path_buf());
        }
    }
    out
}

//! Issue 5 acceptance: one set of audit events (`tests/data/formats/aks`,
//! built by `scripts/make_format_samples.py`) written as Log Analytics JSON
//! rows, a raw audit log, the same log gzipped, a storage-archive tree split
//! over two hours, Event Hub bodies, and (issue 6) a query-API export and a
//! portal CSV export, must give the same rows for every seed query and a
//! `TimeGenerated` window — compared on the event (`auditID`, `verb`,
//! `stage`) and the columns the query computes, since the forms carry
//! different extra columns. The answer is also checked against the golden
//! file `tests/data/formats/aks/expected.txt` (`BLESS=1` rewrites it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::formats::{data, run, run_with, seed_queries};
use std::collections::BTreeSet;

const FORMS: &[(&str, &str)] = &[
    ("jsonl rows", "aks/rows.jsonl"),
    ("raw audit log", "aks/events.log"),
    ("gzipped raw log", "aks/events.log.gz"),
    ("storage archive tree", "aks/archive"),
    ("event hub bodies", "aks/eventhub"),
    ("event hubs capture avro", "aks/capture"),
    ("query-api export", "aks/export.query-api.json"),
    ("portal csv export", "aks/export.csv"),
];

/// The columns every `AzureDiagnostics` form carries (not computed by a query).
const CARRIED: &[&str] = &[
    "TenantId",
    "TimeGenerated",
    "ResourceId",
    "Category",
    "ResourceGroup",
    "SubscriptionId",
    "ResourceProvider",
    "Resource",
    "ResourceType",
    "OperationName",
    "log_s",
    "pod_s",
    "stream_s",
    "containerID_s",
    "SourceSystem",
    "Type",
    "_ResourceId",
];

fn queries() -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = seed_queries()
        .into_iter()
        .filter(|(_, text)| text.starts_with("AzureDiagnostics"))
        .collect();
    q.push((
        "window".into(),
        "AzureDiagnostics | where TimeGenerated between (datetime(2024-11-04T10:30:00Z) .. datetime(2024-11-04T11:15:00Z)) | project TimeGenerated, log_s".into(),
    ));
    q.push((
        "window-after".into(),
        "AzureDiagnostics | where TimeGenerated > datetime(2024-11-04 11:30) | summarize n = count()".into(),
    ));
    q.push((
        "verbs".into(),
        "AzureDiagnostics | where Category == 'kube-audit' | extend e = parse_json(log_s) | summarize n = count() by verb = tostring(e.verb), stage = tostring(e.stage) | order by verb asc, stage asc".into(),
    ));
    q
}

/// A result row as compared across forms: the event's identity from
/// `log_s`, then every computed column.
fn key(row: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut parts = Vec::new();
    if let Some(serde_json::Value::String(log)) = row.get("log_s") {
        let e: serde_json::Value = serde_json::from_str(log).unwrap_or_default();
        let s = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        parts.push(format!("{}|{}|{}", s("auditID"), s("verb"), s("stage")));
    }
    for (k, v) in row {
        if !CARRIED.contains(&k.as_str()) {
            parts.push(format!("{k}={v}"));
        }
    }
    parts.join(" ")
}

fn answer(path: &str, query: &str, threads: usize, chunk: usize) -> (Vec<String>, u64) {
    let r = run_with(&[("AzureDiagnostics", path)], &[], query, threads, chunk)
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut keys: Vec<String> = r.rows.iter().map(key).collect();
    keys.sort();
    (keys, r.stats.bad_lines)
}

#[test]
fn every_form_gives_the_same_answers_as_the_golden_file() {
    let mut golden = String::new();
    let mut failures = Vec::new();
    for (title, query) in queries() {
        let (expected, bad) = answer(FORMS[0].1, &query, 1, 1 << 20);
        assert_eq!(bad, 0, "{title}");
        golden.push_str(&format!("== {title} ({} rows)\n", expected.len()));
        for k in &expected {
            golden.push_str(k);
            golden.push('\n');
        }
        for (form, path) in FORMS {
            // Chunk sizes matter only to uncompressed line-delimited files.
            let split =
                !path.ends_with(".gz") && !path.contains("export") && !path.contains("capture");
            let configs: &[(usize, usize)] = if split {
                &[(1, 1 << 20), (2, 97)]
            } else {
                &[(2, 1 << 20)]
            };
            for &(threads, chunk) in configs {
                let (got, bad) = answer(path, &query, threads, chunk);
                if bad != 0 {
                    failures.push(format!("{title} over {form}: {bad} bad lines"));
                }
                if got != expected {
                    let missing: Vec<_> = expected.iter().filter(|k| !got.contains(k)).collect();
                    let extra: Vec<_> = got.iter().filter(|k| !expected.contains(k)).collect();
                    failures.push(format!(
                        "{title} over {form} ({threads} threads, {chunk}-byte chunks): {} rows, expected {}\n  missing {missing:?}\n  extra {extra:?}",
                        got.len(),
                        expected.len()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let path = data("aks/expected.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &golden).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(golden, want, "golden answers changed (BLESS=1 rewrites)");
}

#[test]
fn the_seed_queries_find_their_hits_in_every_form() {
    // The synthetic events give Q2..Q6 a hit each (see seed-cases.synthetic.jsonl).
    let golden = std::fs::read_to_string(data("aks/expected.txt")).unwrap();
    for title in ["Q2", "Q3", "Q4", "Q5", "Q6"] {
        let header = golden
            .lines()
            .find(|l| l.starts_with(&format!("== {title} ")))
            .unwrap();
        assert!(!header.contains("(0 rows)"), "{header}");
    }
}

const AUDIT_FORMS: &[&str] = &[
    "aks/events.log",
    "aks/events.log.gz",
    "aks/archive",
    "aks/eventhub",
    "aks/capture",
];

fn audit_rows(table: &str, path: &str) -> Vec<String> {
    let r = run(
        &[(table, path)],
        &format!(
            "{table} | project AuditId, Verb, Stage, u = tostring(User.username), ip = tostring(SourceIps[0]), code = toint(ResponseStatus.code), rk = tostring(RequestObject.kind), decision = tostring(Annotations['authorization.k8s.io/decision']), rr = RequestReceivedTime, t = gettype(User)"
        ),
    );
    assert_eq!(r.stats.bad_lines, 0, "{path}: {:?}", r.stats.reports);
    let mut rows: Vec<String> = r
        .rows
        .iter()
        .map(|m| serde_json::Value::Object(m.clone()).to_string())
        .collect();
    rows.sort();
    rows
}

#[test]
fn aks_audit_rows_are_the_same_from_raw_logs_archives_and_event_hub() {
    let events = std::fs::read_to_string(data("aks/events.log")).unwrap();
    let total = events.lines().count();
    let first = audit_rows("AKSAudit", AUDIT_FORMS[0]);
    assert_eq!(first.len(), total);
    assert!(first.iter().all(|r| r.contains("\"t\":\"dictionary\"")));
    for path in &AUDIT_FORMS[1..] {
        assert_eq!(audit_rows("AKSAudit", path), first, "{path}");
    }
}

#[test]
fn aks_audit_admin_leaves_out_get_and_list() {
    let events = std::fs::read_to_string(data("aks/events.log")).unwrap();
    let admin = events
        .lines()
        .filter(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            !matches!(e["verb"].as_str(), Some("get" | "list"))
        })
        .count();
    let r = run(
        &[("AKSAuditAdmin", "aks/events.log")],
        "AKSAuditAdmin | count",
    );
    assert_eq!(r.rows[0]["Count"], admin);
    assert_eq!(
        r.stats.skipped_records as usize,
        events.lines().count() - admin
    );
}

#[test]
fn archive_records_are_routed_by_category() {
    // mixed/PT1H.json: kube-apiserver, kube-controller-manager, guard, kube-audit.
    let r = run(
        &[("AKSControlPlane", "aks/mixed")],
        "AKSControlPlane | project Category, Level, PodName, Stream, m = substring(Message, 0, 5), _SubscriptionId",
    );
    assert_eq!(r.rows.len(), 3);
    assert_eq!(r.stats.skipped_records, 1);
    assert_eq!(r.rows[0]["Level"], "Info");
    assert_eq!(r.rows[1]["Level"], "Error");
    assert_eq!(r.rows[2]["Level"], "Warning");
    assert_eq!(r.rows[2]["Category"], "guard");
    assert_eq!(
        r.rows[0]["_SubscriptionId"],
        "3f2b6c1e-9d4a-4c5e-8b7f-1a2b3c4d5e6f"
    );
    let r = run(&[("AKSAudit", "aks/mixed")], "AKSAudit | count");
    assert_eq!(r.rows[0]["Count"], 1);
    assert_eq!(r.stats.skipped_records, 3);
    // AzureDiagnostics takes every category; Q1 finds the apiserver line.
    let r = run(
        &[("AzureDiagnostics", "aks/mixed")],
        "AzureDiagnostics | summarize n = count() by Category | order by Category asc",
    );
    assert_eq!(r.rows.len(), 4);
    assert_eq!(r.stats.skipped_records, 0);
    let q1 = &seed_queries()[0].1;
    let r = run(&[("AzureDiagnostics", "aks/mixed")], q1);
    assert_eq!(r.rows.len(), 1);
}

#[test]
fn archive_columns_follow_the_documented_mapping() {
    let r = run(
        &[("AzureDiagnostics", "aks/archive")],
        "AzureDiagnostics | take 1",
    );
    let row = &r.rows[0];
    assert_eq!(row["Category"], "kube-audit");
    assert_eq!(row["TimeGenerated"], "2024-11-04T10:00:00.1234564Z");
    assert_eq!(row["ResourceGroup"], "RG-AKS-SYNTHETIC");
    assert_eq!(
        row["SubscriptionId"],
        "3f2b6c1e-9d4a-4c5e-8b7f-1a2b3c4d5e6f"
    );
    assert_eq!(row["ResourceProvider"], "MICROSOFT.CONTAINERSERVICE");
    assert_eq!(row["ResourceType"], "MANAGEDCLUSTERS");
    assert_eq!(row["Resource"], "AKS-SYNTHETIC");
    assert_eq!(
        row["OperationName"],
        "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read"
    );
    assert_eq!(row["pod_s"], "kube-apiserver-7d9f8c6b5-synth");
    assert_eq!(row["stream_s"], "stdout");
    assert!(row["log_s"].as_str().unwrap().ends_with("}\n"));
    assert!(
        row["_ResourceId"]
            .as_str()
            .unwrap()
            .starts_with("/subscriptions/3f2b")
    );
    // The raw log: empty where it cannot know; the event's own time.
    let r = run(
        &[("AzureDiagnostics", "aks/events.log")],
        "AzureDiagnostics | take 1",
    );
    let row = &r.rows[0];
    assert_eq!(row["TimeGenerated"], "2024-11-04T10:00:00.1234560Z");
    assert_eq!(row["Resource"], "");
    assert_eq!(row["pod_s"], "");
    assert_eq!(row["SourceSystem"], "Azure");
    assert_eq!(row["Type"], "AzureDiagnostics");
}

#[test]
fn legacy_events_take_their_time_from_timestamp() {
    // The audit2rbac events carry only `timestamp`.
    let r = run(
        &[("AzureDiagnostics", "aks/events.log")],
        "AzureDiagnostics | where isnull(TimeGenerated) | count",
    );
    assert_eq!(r.rows[0]["Count"], 0);
    let r = run(
        &[("AKSAudit", "aks/events.log")],
        "AKSAudit | where isnull(RequestReceivedTime) | summarize n = count(), nulls = countif(isnull(TimeGenerated))",
    );
    assert_eq!(r.rows[0]["n"], 37);
    assert_eq!(r.rows[0]["nulls"], 0);
}

#[test]
fn results_do_not_depend_on_threads_or_chunks_for_split_inputs() {
    let q = "AzureDiagnostics | extend e = parse_json(log_s) | project a = tostring(e.auditID), TimeGenerated";
    for path in ["aks/archive", "aks/events.log", "aks/eventhub"] {
        let base = run_with(&[("AzureDiagnostics", path)], &[], q, 1, 1 << 20).unwrap();
        for (threads, chunk) in [(2, 64), (3, 1000), (2, 1 << 20)] {
            let r = run_with(&[("AzureDiagnostics", path)], &[], q, threads, chunk).unwrap();
            assert_eq!(r.rows, base.rows, "{path} {threads} {chunk}");
        }
    }
    let keys: BTreeSet<String> = run(&[("AzureDiagnostics", "aks/archive")], q)
        .rows
        .iter()
        .map(|r| r["a"].to_string())
        .collect();
    assert!(keys.len() > 90);
}

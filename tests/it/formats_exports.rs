//! Issue 6 acceptance: what Log Analytics and the Activity Log export.
//! The same AzureActivity rows as JSON rows, query-API JSON, `az` CLI JSON,
//! portal CSV, an activity-log archive and the `activity-log list` form
//! give the same answer to the published Q7 (compared on the computed
//! columns); the Sentinel training export `azureActivity_adele.csv` loads
//! with the right types and gives the counts a reader of the CSV gets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::formats::{run, run_with, seed_queries};

fn q7() -> String {
    seed_queries()
        .into_iter()
        .find(|(t, _)| t == "Q7")
        .unwrap()
        .1
}

/// Q7's computed columns of each hit, sorted. The archive form has no
/// `httpRequest` (the resource-log schema drops it) and upper-cases
/// `resourceId`, so `URLCustomEntity` is left out and `HostCustomEntity`
/// compared in lower case for it.
fn q7_answer(path: &str, with_url: bool) -> Vec<String> {
    let r = run(&[("AzureActivity", path)], &q7());
    assert_eq!(r.stats.bad_lines, 0, "{path}: {:?}", r.stats.reports);
    let mut out: Vec<String> = r
        .rows
        .iter()
        .map(|row| {
            let s = |k: &str| row[k].as_str().unwrap_or_default().to_string();
            let mut key = format!(
                "{} | {} | {} | {} | {}",
                s("RoleDef"),
                s("Caller"),
                s("AccountCustomEntity"),
                s("IPCustomEntity"),
                s("HostCustomEntity").to_lowercase()
            );
            if with_url {
                let url: serde_json::Value = serde_json::from_str(&s("URLCustomEntity")).unwrap();
                key.push_str(&format!(" | {url}"));
            }
            key
        })
        .collect();
    out.sort();
    out
}

#[test]
fn q7_gives_the_same_answer_from_every_activity_form() {
    let expected = q7_answer("activity/rows.jsonl", true);
    assert_eq!(expected.len(), 3, "{expected:#?}");
    assert!(expected[0].contains("8e3af657") || expected[0].contains("B24988AC"));
    for path in [
        "activity/export.query-api.json",
        "activity/az-query.json",
        "activity/export.csv",
        "activity/list.json",
    ] {
        assert_eq!(q7_answer(path, true), expected, "{path}");
    }
    let no_url: Vec<String> = q7_answer("activity/rows.jsonl", false);
    assert_eq!(q7_answer("activity/archive", false), no_url, "archive");
}

#[test]
fn activity_archive_maps_ids_to_display_names_and_claims_to_caller() {
    let r = run(
        &[("AzureActivity", "activity/archive")],
        "AzureActivity | project OperationName, OperationNameValue, Caller, CallerIpAddress, p = gettype(Properties_d), Properties, Hierarchy, ActivityStatusValue, TimeGenerated, SubscriptionId",
    );
    assert_eq!(r.rows.len(), 6);
    let row = &r.rows[0];
    assert_eq!(row["OperationName"], "Create role assignment");
    assert_eq!(
        row["OperationNameValue"],
        "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"
    );
    assert_eq!(row["Caller"], "mallory@fabrikam.com");
    assert_eq!(row["CallerIpAddress"], "203.0.113.11");
    assert_eq!(row["p"], "dictionary");
    assert!(
        row["Properties"]
            .as_str()
            .unwrap()
            .starts_with("{\"eventCategory\"")
    );
    assert!(row["Hierarchy"].as_str().unwrap().contains('/'));
    assert_eq!(row["ActivityStatusValue"], "Start");
    assert_eq!(row["TimeGenerated"], "2024-11-04T12:01:00.0000000Z");
    assert_eq!(
        row["SubscriptionId"],
        "3f2b6c1e-9d4a-4c5e-8b7f-1a2b3c4d5e6f"
    );
    assert_eq!(r.rows[5]["OperationName"], "Delete role assignment");
}

#[test]
fn the_real_activity_records_become_azure_activity_rows() {
    let r = run(
        &[("AzureActivity", "real/activity-log")],
        "AzureActivity | project Category, OperationName, Caller, CallerIpAddress, ActivityStatusValue, Claims_d",
    );
    assert_eq!(r.stats.bad_lines, 0);
    assert_eq!(r.rows.len(), 4);
    assert_eq!(r.rows[1]["Caller"], "jan.kowalski@somewhere.com");
    assert_eq!(r.rows[1]["CallerIpAddress"], "40.112.242.0");
    assert_eq!(r.rows[3]["OperationName"], "Health Event Updated");
    // A service principal: no UPN claim, so the object ID.
    assert_eq!(r.rows[2]["Caller"], "5418ef78-e938-44e9-8753-ae55b81a65a0");
    // Activity records bound to AzureDiagnostics are skipped, not errors.
    let r = run(
        &[("AzureDiagnostics", "real/activity-log")],
        "AzureDiagnostics | count",
    );
    assert_eq!(r.rows[0]["Count"], 0);
    assert_eq!(r.stats.skipped_records, 4);
    assert_eq!(r.stats.bad_lines, 0);
}

const ADELE: &str = "real/log-analytics-exports/azure-sentinel/azureActivity_adele.csv";

#[test]
fn adele_csv_loads_with_the_right_types() {
    let r = run(
        &[("AzureActivity", ADELE)],
        "AzureActivity | take 1 | project t = gettype(TimeGenerated), TimeGenerated, s = gettype(EventSubmissionTimestamp), p = gettype(Properties_d), pk = tostring(Properties_d.eventCategory), c = gettype(Claims_d), props = gettype(Properties), Caller, OperationName, r = tostring(parse_json(Properties).resourceGroup)",
    );
    assert_eq!(r.stats.bad_lines, 0);
    let row = &r.rows[0];
    assert_eq!(row["t"], "datetime");
    assert_eq!(row["TimeGenerated"], "2021-04-28T14:32:14.0290000Z");
    assert_eq!(row["s"], "datetime");
    assert_eq!(row["p"], "dictionary");
    assert_eq!(row["pk"], "Administrative");
    assert_eq!(row["c"], "dictionary");
    assert_eq!(row["props"], "string");
    assert_eq!(row["Caller"], "AdeleV@M365x816222.OnMicrosoft.com");
    assert_eq!(row["OperationName"], "");
    assert_eq!(row["r"], "SENTINEL-MAINRG");
}

#[test]
fn adele_csv_gives_the_counts_a_reader_counts_by_hand() {
    // Counted in the CSV: 23 rows; 21 operations end in DELETE (6 Key
    // Vaults, 5 resource groups, 3 web sites, 3 VMs, 2 connections, a
    // custom API, a Logic App); 2 alertRules/write.
    let count = |q: &str| {
        let r = run(&[("AzureActivity", ADELE)], q);
        assert_eq!(r.stats.bad_lines, 0);
        r.rows
    };
    assert_eq!(count("AzureActivity | count")[0]["Count"], 23);
    assert_eq!(
        count(r#"AzureActivity | where OperationNameValue endswith "DELETE" | count"#)[0]["Count"],
        21
    );
    assert_eq!(
        count(
            r#"AzureActivity | where OperationNameValue =~ "Microsoft.KeyVault/vaults/delete" | count"#
        )[0]["Count"],
        6
    );
    let by_op = count(
        r#"AzureActivity | where OperationNameValue endswith "DELETE" | summarize n = count() by OperationNameValue | order by n desc, OperationNameValue asc"#,
    );
    let got: Vec<(String, i64)> = by_op
        .iter()
        .map(|r| {
            (
                r["OperationNameValue"].as_str().unwrap().to_string(),
                r["n"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("MICROSOFT.KEYVAULT/VAULTS/DELETE", 6),
        ("MICROSOFT.RESOURCES/SUBSCRIPTIONS/RESOURCEGROUPS/DELETE", 5),
        ("MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE", 3),
        ("MICROSOFT.WEB/SITES/DELETE", 3),
        ("MICROSOFT.WEB/CONNECTIONS/DELETE", 2),
        ("MICROSOFT.LOGIC/WORKFLOWS/DELETE", 1),
        ("MICROSOFT.WEB/CUSTOMAPIS/DELETE", 1),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(o, n)| (o.to_string(), *n))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        count(r#"AzureActivity | where OperationNameValue endswith "alertRules/write" | count"#)[0]
            ["Count"],
        2
    );
    assert_eq!(
        count(r#"AzureActivity | where ActivityStatusValue == "Success" | count"#)[0]["Count"],
        13
    );
    // Datetimes compare as datetimes: the earliest row.
    assert_eq!(
        count("AzureActivity | summarize t = min(TimeGenerated)")[0]["t"],
        "2021-04-28T14:31:30.0210000Z"
    );
}

#[test]
fn csv_rows_are_routed_by_the_table_column() {
    let r = run(
        &[("AzureActivity", "activity/export.csv")],
        "AzureActivity | count",
    );
    assert_eq!(r.rows[0]["Count"], 6);
    assert_eq!(r.stats.skipped_records, 1);
    let r = run(
        &[
            ("AzureActivity", "activity/export.csv"),
            ("SigninLogs", "activity/export.csv"),
        ],
        "SigninLogs | project OperationName, t = gettype(TimeGenerated)",
    );
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0]["OperationName"], "Sign-in activity");
    assert_eq!(r.rows[0]["t"], "datetime");
    // Bound to a table no row names, the file is read whole.
    let r = run(&[("T", "activity/export.csv")], "T | count");
    assert_eq!(r.rows[0]["Count"], 7);
}

#[test]
fn query_api_columns_keep_their_types_and_dynamic_text_is_dynamic() {
    let r = run(
        &[("AzureActivity", "activity/export.query-api.json")],
        "AzureActivity | take 1 | project d = gettype(Properties_d), t = gettype(TimeGenerated), s = gettype(Properties)",
    );
    assert_eq!(r.rows[0]["d"], "dictionary");
    assert_eq!(r.rows[0]["t"], "datetime");
    assert_eq!(r.rows[0]["s"], "string");
    let r = run(
        &[(
            "SecurityAlert",
            "real/log-analytics-exports/msticpy/az_mon_raw_query.json",
        )],
        "SecurityAlert | project TimeGenerated, c = gettype(ConfidenceScore), ConfidenceScore, IsIncident, q = tostring(parse_json(ExtendedProperties)['Query Period'])",
    );
    assert_eq!(r.rows.len(), 3);
    assert_eq!(r.rows[0]["TimeGenerated"], "2023-02-20T11:04:02.6371632Z");
    assert_eq!(r.rows[0]["ConfidenceScore"], serde_json::Value::Null);
    assert_eq!(r.rows[0]["IsIncident"], false);
    assert_eq!(r.rows[0]["q"], "05:00:00");
}

#[test]
fn query_api_reads_the_named_table() {
    let path = "real/log-analytics-exports/azure-cli-extensions/heartbeat_getschema.response.json";
    let r = run(
        &[("T", path)],
        "T | take 2 | project ColumnName, ColumnOrdinal, o = gettype(ColumnOrdinal)",
    );
    assert_eq!(r.rows[1]["ColumnName"], "SourceSystem");
    assert_eq!(r.rows[1]["ColumnOrdinal"], 1);
    assert_eq!(r.rows[1]["o"], "int");
    // A table named like the bound table is chosen; an explicit name wins.
    let r = run(&[("getschema", path)], "getschema | count");
    assert!(r.rows[0]["Count"].as_i64().unwrap() > 10);
    let e = run_with(
        &[("T", path)],
        &[("T", "query-api:nope")],
        "T | count",
        1,
        1 << 20,
    )
    .unwrap();
    assert_eq!(e.rows[0]["Count"], 0);
    assert_eq!(e.stats.bad_lines, 1);
    assert!(
        e.stats.reports[0].reason.contains("no table nope"),
        "{:?}",
        e.stats.reports
    );
}

#[test]
fn az_cli_strings_get_their_types_back_from_the_schema() {
    let r = run(
        &[("AzureActivity", "activity/az-query.json")],
        "AzureActivity | take 1 | project t = gettype(TimeGenerated), d = gettype(Properties_d), a = gettype(Authorization_d), TableName = column_ifexists('TableName', 'absent')",
    );
    assert_eq!(r.rows[0]["t"], "datetime");
    assert_eq!(r.rows[0]["d"], "dictionary");
    assert_eq!(r.rows[0]["a"], "null");
    assert_eq!(r.rows[0]["TableName"], "absent");
}

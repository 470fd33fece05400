//! Rows far larger than a chunk: a 2 MB `log_s` must be read, matched and
//! written whole, with any thread count and chunk size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::chunked::run_chunked;

fn run(path: &std::path::Path, query: &str, threads: usize, chunk_size: usize) -> String {
    let (text, stats) = run_chunked("AzureDiagnostics", path, query, threads, chunk_size);
    assert_eq!(stats.bad_lines, 0);
    text
}

#[test]
fn a_two_megabyte_line_is_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let padding = "x".repeat(2 << 20);
    let event = format!(
        r#"{{"verb":"list","user":{{"username":"masterclient"}},"sourceIPs":[""],"requestObject":{{"kind":"ConfigMap","data":{{"blob":"{padding}"}}}}}}"#
    );
    let row = serde_json::json!({"Category": "kube-audit", "log_s": event, "pod_s": "big"});
    let small = serde_json::json!({"Category": "kube-audit", "log_s": "{\"verb\":\"get\",\"sourceIPs\":[\"10.0.0.1\"]}", "pod_s": "small"});
    std::fs::write(&path, format!("{small}\n{row}\n{small}\n")).unwrap();
    let q4 = r#"AzureDiagnostics | where Category == "kube-audit" | project log_s | where parse_json(tostring(parse_json(log_s).user)).username == "masterclient""#;
    let q5 = r#"AzureDiagnostics | where Category == "kube-audit" | project pod_s, log_s | where parse_json(tostring(parse_json(log_s).sourceIPs))[0] == "" | project pod_s, n = strlen(log_s)"#;
    let expected_q5 = format!("{{\"pod_s\":\"big\",\"n\":{}}}\n", event.chars().count());
    for (threads, chunk) in [(1, 64), (2, 4096), (2, 1 << 20)] {
        let got = run(&path, q4, threads, chunk);
        assert_eq!(got.lines().count(), 1);
        assert!(got.len() > 2 << 20);
        assert_eq!(run(&path, q5, threads, chunk), expected_q5);
    }
}

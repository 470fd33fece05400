//! A workspace's stored functions (parser YAML, `.kql`), watchlists
//! (`_GetWatchlist`) and `externaldata` mirrors, for queries, `replay`,
//! `check` (with `--format sarif`) and `test`, over the fixtures of
//! `tests/data/workspace/`.

use crate::common::cli::{kqlite, text};
use kqlite::output::JsonLinesWriter;
use kqlite::{Engine, Table};
use std::path::{Path, PathBuf};

const W: &str = "tests/data/workspace";

fn dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(W).join(rel)
}

/// An engine with the fixture parsers, watchlists and Syslog rows.
fn engine() -> Engine {
    let mut e = Engine::new();
    let warnings = e.load_functions(dir("parsers")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    e.load_watchlists(dir("watchlists")).unwrap();
    e.add_path("Syslog", dir("logs/Syslog.jsonl")).unwrap();
    e
}

/// The rows of `query`'s result as JSON lines.
fn rows(engine: &Engine, query: &str) -> Vec<String> {
    let q = engine
        .compile(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
    let mut out = JsonLinesWriter::new(Vec::new());
    q.run(engine, &mut out).unwrap();
    text(&out.into_inner())
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn parser_yaml_functions_are_called_by_name_and_by_builtin_alias() {
    let e = engine();
    // The ASIM parser (ParserName) without parentheses: every default.
    assert_eq!(rows(&e, "imDnsLite | count"), [r#"{"Count":4}"#]);
    // Its EquivalentBuiltInParser name, with a named argument; the
    // `Default: '*'` of a string parameter is the KQL string '*'.
    assert_eq!(
        rows(
            &e,
            "_Im_DnsLite(responsecodename='NXDOMAIN') | project DnsQuery"
        ),
        [r#"{"DnsQuery":"nosuch.example"}"#]
    );
    // The source parser in a subfolder, positional arguments.
    assert_eq!(
        rows(
            &e,
            "vimDnsLiteSyslog(datetime(2024-11-04T11:00:00Z)) | project SrcIpAddr"
        ),
        [r#"{"SrcIpAddr":"10.0.0.8"}"#]
    );
}

#[test]
fn function_yaml_scalar_functions_and_kql_files() {
    let e = engine();
    // FunctionName/FunctionParams/FunctionQuery: a scalar function.
    assert_eq!(
        rows(&e, "print h = HostOf('https://a.example/x')"),
        [r#"{"h":"a.example"}"#]
    );
    // `.create-or-alter function with (...) Name(params) { body }`.
    assert_eq!(rows(&e, "BadHosts()"), [r#"{"Host":"evil.example"}"#]);
    assert_eq!(
        rows(&e, "BadHosts('phishing')"),
        [r#"{"Host":"phish.example"}"#]
    );
    // A .kql file that is only a body: named after the file.
    assert_eq!(
        rows(&e, "AllDnsFailures | project SrcIpAddr"),
        [r#"{"SrcIpAddr":"10.0.0.6"}"#]
    );
    // The query's own `let` hides a stored function of the same name.
    assert_eq!(
        rows(
            &e,
            "let HostOf = (u:string) { 'mine' }; print h = HostOf('x')"
        ),
        [r#"{"h":"mine"}"#]
    );
}

#[test]
fn an_error_inside_a_stored_function_is_reported_at_the_call_naming_it() {
    let mut e = Engine::new();
    e.add_function("Broken", "", "NoSuchTable | take 1", "broken.kql")
        .unwrap();
    let err = e
        .compile("print 1 | union (Broken)")
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("in function 'Broken' (broken.kql)") && err.contains("NoSuchTable"),
        "{err}"
    );
    // A declaration that does not parse is an error naming its origin.
    let err = e
        .add_function("Bad", "x:", "print 1", "bad.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.yaml") && err.contains("'Bad'"), "{err}");
    // Without the functions, the name is unknown, as in a workspace
    // without the parser.
    let err = Engine::new()
        .compile("imDnsLite")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("imDnsLite"), "{err}");
}

#[test]
fn watchlists_have_sentinels_columns_and_a_missing_alias_is_named() {
    let e = engine();
    let got = rows(
        &e,
        "_GetWatchlist('BadHosts') | getschema | project ColumnName, ColumnType",
    );
    assert_eq!(
        got,
        [
            r#"{"ColumnName":"_DTItemId","ColumnType":"string"}"#,
            r#"{"ColumnName":"LastUpdatedTimeUTC","ColumnType":"datetime"}"#,
            r#"{"ColumnName":"SearchKey","ColumnType":"string"}"#,
            r#"{"ColumnName":"WatchlistItem","ColumnType":"dynamic"}"#,
            r#"{"ColumnName":"Host","ColumnType":"string"}"#,
            r#"{"ColumnName":"Kind","ColumnType":"string"}"#,
            r#"{"ColumnName":"Note","ColumnType":"string"}"#,
        ]
    );
    // The search key is the first column; WatchlistItem is the row as a bag.
    assert_eq!(
        rows(
            &e,
            "_GetWatchlist('BadHosts') | project SearchKey, n = tostring(WatchlistItem.Note)"
        ),
        [
            r#"{"SearchKey":"evil.example","n":"seen in, a report"}"#,
            r#"{"SearchKey":"phish.example","n":""}"#,
        ]
    );
    let q = "_GetWatchlist('VIPs')";
    let err = e.compile(q).err().unwrap().render(q, "query");
    assert!(
        err.contains("the watchlist 'VIPs' is not loaded") && err.contains("--watchlists"),
        "{err}"
    );
    // A watchlist given as rows through the library.
    let mut e = Engine::new();
    let schema = kqlite::Schema::new(vec![kqlite::Field::new(
        "SearchKey",
        kqlite::DataType::String,
    )]);
    e.add_watchlist(
        "Mine",
        Table::from_rows(schema, vec![vec!["k".into()]]).unwrap(),
    )
    .unwrap();
    assert_eq!(rows(&e, "_GetWatchlist('Mine')"), [r#"{"SearchKey":"k"}"#]);
}

#[test]
fn cli_queries_take_functions_and_watchlists() {
    let o = kqlite(&[
        "--functions",
        &format!("{W}/parsers"),
        "--watchlists",
        &format!("{W}/watchlists"),
        "--table",
        &format!("Syslog={W}/logs/Syslog.jsonl"),
        "--format",
        "csv",
        "_Im_DnsLite | where DnsQuery in (BadHosts()) | project SrcIpAddr",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "SrcIpAddr\n10.0.0.5\n10.0.0.8\n");
}

#[test]
fn replay_runs_a_rule_over_a_parser_and_a_watchlist() {
    let o = kqlite(&[
        "replay",
        &format!("{W}/rules"),
        "--functions",
        &format!("{W}/parsers"),
        "--watchlists",
        &format!("{W}/watchlists"),
        "--logs",
        &format!("{W}/logs"),
        "--format",
        "jsonl",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let alerts: Vec<String> = text(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!("{} {}", v["TimeGenerated"], v["Entities"])
        })
        .collect();
    // Syslog is read through the parser: the rule's text never names it.
    assert_eq!(
        alerts,
        [
            r#""2024-11-04T11:00:00.0000000Z" "[{\"$id\":\"2\",\"Address\":\"10.0.0.5\",\"Type\":\"ip\"},{\"$id\":\"3\",\"DomainName\":\"evil.example\",\"Type\":\"dns\"}]""#,
            r#""2024-11-04T12:00:00.0000000Z" "[{\"$id\":\"2\",\"Address\":\"10.0.0.8\",\"Type\":\"ip\"},{\"$id\":\"3\",\"DomainName\":\"evil.example\",\"Type\":\"dns\"}]""#,
        ]
    );
}

#[test]
fn check_binds_rules_over_functions_and_writes_sarif() {
    let rules = format!("{W}/rules");
    let ok = kqlite(&[
        "check",
        &rules,
        "--functions",
        &format!("{W}/parsers"),
        "--watchlists",
        &format!("{W}/watchlists"),
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    // Without the parsers: an error at the query's first line (15), col 3.
    let bad = kqlite(&["check", &rules, "--format", "sarif"]);
    assert_eq!(bad.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = &sarif["runs"][0]["results"];
    assert_eq!(results.as_array().unwrap().len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "kqlite/check");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/data/workspace/rules/dns-to-bad-host.yaml"
    );
    assert_eq!(loc["region"]["startLine"], 15);
    assert_eq!(loc["region"]["startColumn"], 3);
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("'_Im_DnsLite' is not defined"),
        "{r}"
    );
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "kqlite");
}

#[test]
fn sarif_locates_unreadable_rules_too() {
    let errors = vec![kqlite::RuleError {
        file: PathBuf::from("rules/x.yaml"),
        line: 11,
        field: Some("queryPeriod".into()),
        message: "'1 day' is not a duration".into(),
    }];
    let sarif: serde_json::Value =
        serde_json::from_str(&kqlite::check_sarif(&errors, &[])).unwrap();
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "kqlite/rule-not-read");
    assert_eq!(
        r["message"]["text"],
        "queryPeriod: '1 day' is not a duration"
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
}

#[test]
fn rule_tests_name_their_functions_and_watchlists() {
    let o = kqlite(&["test", &format!("{W}/rules")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains("1 passed, 0 failed"));
}

#[test]
fn externaldata_reads_the_local_mirror_and_never_the_network() {
    let q = "externaldata (Ip:string, Score:real) \
             ['https://example.com/feeds/iocs.csv?sv=1'] \
             with (format='csv', ignoreFirstRecord=true) \
             | extend s = tostring(Score)";
    // A mirror folder: the file named as the URL's last path segment.
    let o = kqlite(&[
        "--external-dir",
        &format!("{W}/external"),
        "--format",
        "csv",
        q,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "Ip,Score,s\n10.0.0.5,0.9,0.9\n10.0.0.9,1,1\n"
    );
    // URL=FILE.
    let o = kqlite(&[
        "--external",
        &format!("https://example.com/feeds/iocs.csv?sv=1={W}/external/iocs.csv"),
        "--format",
        "csv",
        "externaldata (Ip:string) ['https://example.com/feeds/iocs.csv?sv=1'] | count",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "Count\n3\n");
    // No mirror: the clear error it always was, and no connection.
    let o = kqlite(&["externaldata (Ip:string) ['https://example.com/x.csv']"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("'externaldata' is not supported")
            && err.contains("no network connection")
            && err.contains("no local copy of this URL was given")
            && err.contains("--external"),
        "{err}"
    );
}

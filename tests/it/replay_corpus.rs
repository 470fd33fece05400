//! Acceptance of issue 13: every published query of the corpus
//! (tests/corpus/*.jsonl, the same files as ../shared/corpus) that the
//! official parser accepts, written back as a rule YAML file and run
//! through `kqlite check` with no data and no workspace. Each query must
//! bind, or fail for a reason listed here: something the offline check
//! was not given (a workspace function or parser, a watchlist, a local
//! copy of an `externaldata` URL), an `evaluate` plugin kqlite lacks, a
//! column the built-in schema lacks or types otherwise, or (by id, read
//! by hand) a mistake in the published query. The number that bind is
//! pinned as a floor.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::cli::kqlite;
use crate::common::corpus::cases;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Queries that bind today (of 1,348 the official parser accepts). 828:
/// e239b7dd2d18 binds (a named argument of `bin()`), dcb119d5ac6e and
/// 917da832e6a2 are refused as Kusto refuses them (a dynamic group key).
const BIND_FLOOR: usize = 828;

/// Failures read by hand, by corpus id, with why.
const BY_HAND: &[(&str, &str)] = &[
    (
        "022aba90f3e8",
        "a placeholder left in the query: datetime(<start-time>)",
    ),
    (
        "126a1157444a",
        "a placeholder left in the query: datetime(<start-time>)",
    ),
    // int(0xf090013d) is 4,036,002,109, past int's 2,147,483,647; the int page
    // (scalar-data-types/int) writes int(number) and int(-number) only. The
    // official parser accepting the query says nothing of the value: its
    // scanner takes any text up to `)` (Kusto.Language TokenParser.cs
    // ScanGoo) and reads it with Int32.TryParse, which reads neither hex nor
    // an out-of-range number (SyntaxToken.cs GetIntValue: 0, no diagnostic;
    // "Malformed literal" KS004 is never raised). docs/semantics.md#int-literals.
    (
        "cb7bbcf9e662",
        "int(0xf090013d) is outside int's range (it is a long)",
    ),
    // Groups by a dynamic key: Kusto.Language's summarize binder
    // (CheckIsNotDynamic) and the service refuse it. The first union leg's
    // `Process = split(ProcessName, '\\', -1)[-1]` is dynamic; the other legs
    // write tostring(split(...)[-1]). docs/semantics.md#differences.
    (
        "dcb119d5ac6e",
        "summarize by split(...)[-1], a dynamic key (the other legs cast it with tostring)",
    ),
    // Groups by DeviceEvents.AdditionalFields and DeviceNetworkInfo.ConnectedNetworks:
    // strings in Defender advanced hunting (defender-docs table pages), for which
    // the hunting query is written, dynamic in a Log Analytics workspace (Azure
    // Monitor table reference; Azure-Sentinel's KQL validation schema
    // CustomTables/DeviceEvents.json), where Kusto refuses a dynamic group key.
    (
        "917da832e6a2",
        "summarize by AdditionalFields, dynamic in a workspace (a string in advanced hunting)",
    ),
];

/// The reason for a `check` message, when it is one of the expected kinds.
fn reason(message: &str) -> Option<&'static str> {
    let m = message;
    Some(
        if m.contains("Failed to resolve table or column expression named")
            || (m.starts_with("The function '") && m.ends_with("is not defined."))
        {
            "a workspace function (ASIM or solution parser) or a table kqlite has no schema for: \
             not given (--functions, --table)"
        } else if m.contains("makes no network connection") {
            "externaldata from a URL with no local copy given (--external)"
        } else if m.contains("watchlist") && m.contains("is not loaded") {
            "a watchlist not given (--watchlists)"
        } else if m.contains("plugin of 'evaluate' is not supported") {
            "an evaluate plugin kqlite lacks"
        } else if m.contains("Failed to resolve scalar expression named")
            || m.contains("Failed to resolve column named")
            || m.contains("only a dynamic value has members")
        {
            "a column not found, or not dynamic, at that point: not in (or typed otherwise by) \
             the built-in schema (resource-specific and custom columns), a placeholder, or a \
             slip of the query"
        } else {
            return None;
        },
    )
}

/// The rule file for one query, as the public repository writes it: the
/// query as a literal block (explicit indentation: some queries start
/// with spaces).
fn rule_yaml(id: &str, query: &str) -> String {
    let mut y = format!("id: {id}\nname: corpus {id}\nseverity: Medium\nquery: |2\n");
    for line in query.lines() {
        y.push_str("  ");
        y.push_str(line.trim_end_matches('\r'));
        y.push('\n');
    }
    y
}

#[test]
fn corpus_queries_as_rules_bind_or_fail_for_a_listed_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut valid = 0;
    for c in cases().iter().filter(|c| c.official_ok) {
        valid += 1;
        let path = dir.path().join(format!("{}-{}.yaml", c.file, c.id));
        std::fs::write(path, rule_yaml(&c.id, &c.query)).unwrap();
    }
    let o = kqlite(&["check", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    // Each failing file's messages.
    let prefix = format!("{}/", dir.path().display());
    let mut messages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8(o.stdout).unwrap().lines() {
        let rest = line.strip_prefix(&prefix).unwrap_or(line);
        let (file, after) = rest.split_once(".yaml:").unwrap_or((rest, ""));
        // After `line:column: rule: `, or `line: field: ` for a rule
        // that could not be read.
        let message = after
            .split_once(": corpus ")
            .and_then(|(_, m)| m.split_once(": "))
            .map_or(after, |(_, m)| m);
        messages
            .entry(file.to_string())
            .or_default()
            .push(message.to_string());
    }
    let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unexplained = String::new();
    for (file, ms) in &messages {
        let id = file.rsplit('-').next().unwrap_or(file);
        let why = BY_HAND
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, why)| *why)
            .or_else(|| ms.iter().find_map(|m| reason(m)));
        match why {
            Some(why) => by_reason.entry(why).or_default().push(file.clone()),
            None => {
                let _ = writeln!(unexplained, "{file}: {}", ms.join(" / "));
            }
        }
    }
    let bound = valid - messages.len();
    println!("{bound} of {valid} official-parser-valid corpus queries bind as rules");
    for (why, files) in &by_reason {
        println!("{} fail: {why}", files.len());
        for f in files {
            println!("    {f}");
        }
    }
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("checked {valid} rules")),
        "every file is a rule: {stderr}"
    );
    assert!(
        unexplained.is_empty(),
        "failures for no listed reason:\n{unexplained}"
    );
    assert!(bound >= BIND_FLOOR, "only {bound} of {valid} bind");
    // A query read by hand that binds now is a stale entry.
    for (id, why) in BY_HAND {
        assert!(
            messages.keys().any(|f| f.ends_with(&format!("-{id}"))),
            "{id} binds now; drop it from BY_HAND ({why})"
        );
    }
}

//! The JSON module on real log records (see `tests/data/json/SOURCES.md`).

use kqlite::Value;
use kqlite::internals::json::{
    KeySet, PathStep, RowSlots, decode_long, decode_string, get_index, get_member, get_path,
    parse_value, parse_value_bytes, string_text, top_level_keys, validate,
};
use kqlite::internals::value::json::write_value;

const AKS_ARCHIVE: &str = include_str!("../data/json/aks_logs.PT1H.json");
const AKS_DYNATRACE: &str = include_str!("../data/json/containerservice_records.jsonl");
const ACTIVITY: &str = include_str!("../data/json/activity_log_records.jsonl");
const AUDIT_DEMO: &str = include_str!("../data/json/audit2rbac_demo.log");
const LA_QUERY: &str = include_str!("../data/json/az_mon_raw_query.json");

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim().is_empty())
}

/// serde_json's tree as ours, for comparison.
fn from_serde(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => kqlite::internals::json::integer(i),
            None => n.as_f64().map_or(Value::Null, Value::Real),
        },
        J::String(s) => Value::string(s),
        J::Array(items) => Value::array(items.iter().map(from_serde).collect()),
        J::Object(map) => Value::bag(
            map.iter()
                .map(|(k, v)| (k.as_str().into(), from_serde(v)))
                .collect(),
        ),
    }
}

/// Equal up to key order (serde_json sorts keys) and the last bit of a
/// real (serde_json's default float reading is not always exact).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x, y))
        }
        (Value::Bag(x), Value::Bag(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn all_lines() -> impl Iterator<Item = &'static str> {
    [AKS_ARCHIVE, AKS_DYNATRACE, ACTIVITY, AUDIT_DEMO]
        .into_iter()
        .flat_map(lines)
}

#[test]
fn every_sample_line_is_a_valid_row_and_parses_like_serde() {
    let mut n = 0;
    for line in all_lines() {
        n += 1;
        assert!(validate(line.as_bytes()), "{line}");
        let keys = top_level_keys(line.as_bytes()).unwrap();
        let reference: serde_json::Value = serde_json::from_str(line).unwrap();
        let obj = reference.as_object().unwrap();
        assert_eq!(keys.len(), obj.len());
        let ours = parse_value(line).unwrap();
        assert!(same(&ours, &from_serde(&reference)), "{line}");

        // Every key's raw value, found in one pass, decodes to serde's.
        let names: Vec<&str> = keys.iter().map(|k| &**k).collect();
        let set = KeySet::new(&names);
        let mut slots = RowSlots::new();
        set.scan_row(line.as_bytes(), &mut slots).unwrap();
        for (slot, name) in names.iter().enumerate() {
            let raw = slots.get(line.as_bytes(), slot).unwrap();
            let value = parse_value_bytes(raw).unwrap();
            assert!(same(&value, &from_serde(&obj[*name])), "{name}");
        }

        // Written back compactly, it reads the same, and `/` is no longer
        // escaped.
        let mut text = String::new();
        write_value(&ours, &mut text);
        assert_eq!(parse_value(&text).unwrap(), ours);
        assert!(!text.contains("\\/"));
    }
    assert_eq!(n, 21 + 2 + 4 + 37);
}

#[test]
fn aks_archive_log_is_json_inside_a_json_string() {
    let keys = KeySet::new(&["properties", "time", "category"]);
    let mut slots = RowSlots::new();
    let mut verbs = Vec::new();
    for line in lines(AKS_ARCHIVE) {
        let line = line.as_bytes();
        keys.scan_row(line, &mut slots).unwrap();
        assert_eq!(
            slots.get(line, 2).and_then(decode_string).as_deref(),
            Some("kube-audit")
        );
        let time = slots.get(line, 1).and_then(string_text).unwrap();
        assert!(time.starts_with("2024-11-15T21:"), "{time}");

        let properties = slots.get(line, 0).unwrap();
        let log_raw = get_member(properties, "log").unwrap().unwrap();
        // `properties.log` escapes `/` as `\/`, so its text is decoded.
        assert!(log_raw.windows(2).any(|w| w == b"\\/"));
        let log = string_text(log_raw).unwrap();
        assert!(log.ends_with("}\n"));
        assert!(!log.contains("\\/"));
        assert!(validate(log.as_bytes()));

        let event = log.as_bytes();
        let verb = get_member(event, "verb").unwrap().and_then(string_text);
        verbs.push(verb.unwrap().into_owned());
        let decision = get_path(
            event,
            &[
                PathStep::Key("annotations"),
                PathStep::Key("authorization.k8s.io/decision"),
            ],
        )
        .unwrap();
        assert_eq!(decision, Some(&br#""allow""#[..]));
        let ip = get_path(event, &[PathStep::Key("sourceIPs"), PathStep::Index(0)]).unwrap();
        let ip = ip.and_then(string_text).unwrap();
        assert!(ip.contains('.'), "{ip}");
        assert_eq!(
            get_index(get_member(event, "sourceIPs").unwrap().unwrap(), -1).unwrap(),
            get_index(get_member(event, "sourceIPs").unwrap().unwrap(), 0).unwrap()
        );
    }
    let count = |v: &str| verbs.iter().filter(|x| *x == v).count();
    assert_eq!((count("get"), count("update"), count("create")), (5, 13, 3));

    // The first event in detail.
    let first = lines(AKS_ARCHIVE).next().unwrap();
    let log = get_path(
        first.as_bytes(),
        &[PathStep::Key("properties"), PathStep::Key("log")],
    )
    .unwrap()
    .and_then(string_text)
    .unwrap();
    let event = log.as_bytes();
    let field = |k: &str| {
        get_member(event, k)
            .unwrap()
            .and_then(decode_string)
            .unwrap()
    };
    assert_eq!(&*field("requestURI"), "/readyz");
    assert_eq!(&*field("apiVersion"), "audit.k8s.io/v1");
    assert_eq!(&*field("sourceIPs"), r#"["10.200.0.38"]"#);
    let code = get_path(
        event,
        &[PathStep::Key("responseStatus"), PathStep::Key("code")],
    )
    .unwrap();
    assert_eq!(code.and_then(decode_long), Some(200));
    let reason = get_path(
        event,
        &[
            PathStep::Key("annotations"),
            PathStep::Key("authorization.k8s.io/reason"),
        ],
    )
    .unwrap()
    .and_then(string_text)
    .unwrap();
    assert_eq!(
        reason,
        "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \
         \"system:discovery\" to Group \"system:authenticated\""
    );
}

#[test]
fn klog_text_in_properties_log_is_not_json() {
    let mut categories = Vec::new();
    for line in lines(AKS_DYNATRACE) {
        let path = [PathStep::Key("properties"), PathStep::Key("log")];
        let log = get_path(line.as_bytes(), &path)
            .unwrap()
            .and_then(string_text)
            .unwrap();
        let category = get_member(line.as_bytes(), "category")
            .unwrap()
            .and_then(decode_string)
            .unwrap();
        if &*category == "kube-audit" {
            assert!(validate(log.as_bytes()));
            let verb = get_member(log.as_bytes(), "verb").unwrap();
            assert_eq!(verb, Some(&br#""create""#[..]));
        } else {
            // parse_json of this is a string, on which `.verb` is null.
            assert!(log.starts_with("I0202 15:03:28.853066"));
            assert!(!validate(log.as_bytes()));
            assert!(get_member(log.as_bytes(), "verb").is_err());
            assert!(parse_value(&log).is_err());
        }
        categories.push(category.to_string());
    }
    assert_eq!(categories, ["kube-audit", "kube-controller-manager"]);
}

#[test]
fn audit2rbac_events() {
    let mut impersonated = std::collections::BTreeMap::new();
    let mut forbidden = 0;
    for line in lines(AUDIT_DEMO) {
        let event = line.as_bytes();
        let user = get_path(
            event,
            &[PathStep::Key("impersonatedUser"), PathStep::Key("username")],
        )
        .unwrap()
        .and_then(decode_string)
        .unwrap();
        *impersonated.entry(user.to_string()).or_insert(0) += 1;
        let code = get_path(
            event,
            &[PathStep::Key("responseStatus"), PathStep::Key("code")],
        )
        .unwrap();
        if code.and_then(decode_long) == Some(403) {
            forbidden += 1;
        }
    }
    assert_eq!(impersonated["bob"], 29);
    assert_eq!(impersonated["alice"], 3);
    assert_eq!(impersonated["system:serviceaccount:ns1:sa1"], 5);
    assert_eq!(forbidden, 11);
}

#[test]
fn log_analytics_response_document() {
    // A pretty-printed document over many lines, not JSON lines.
    let doc = parse_value(LA_QUERY).unwrap();
    let reference: serde_json::Value = serde_json::from_str(LA_QUERY).unwrap();
    assert!(same(&doc, &from_serde(&reference)));
    let table = get_path(
        LA_QUERY.as_bytes(),
        &[PathStep::Key("tables"), PathStep::Index(0)],
    )
    .unwrap()
    .unwrap();
    let columns = get_member(table, "columns").unwrap().unwrap();
    let Value::Array(columns) = parse_value_bytes(columns).unwrap() else {
        panic!("columns is an array");
    };
    assert_eq!(columns.len(), 34);
    let rows = get_member(table, "rows").unwrap().unwrap();
    assert!(get_index(rows, 2).unwrap().is_some());
    assert!(get_index(rows, 3).unwrap().is_none());
    // Column 20 (ExtendedProperties) is JSON text inside a string.
    let extended = get_path(rows, &[PathStep::Index(0), PathStep::Index(20)])
        .unwrap()
        .and_then(string_text)
        .unwrap();
    assert!(validate(extended.as_bytes()), "{extended}");
    assert!(matches!(parse_value(&extended), Ok(Value::Bag(_))));
}

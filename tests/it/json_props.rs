//! Property tests of `kqlite::internals::json` against serde_json as the reference.
//!
//! (a) serde_json's text of any JSON tree parses to the same tree, and
//!     `write_value` then `parse_value` round-trips;
//! (b) `validate` agrees with serde_json on arbitrary bytes and on mutations
//!     of valid JSON;
//! (c) row decoding finds what serde_json finds, with escaped keys and
//!     values, repeated keys and random whitespace;
//! (d) nothing panics on arbitrary bytes.

use kqlite::internals::json::{
    self, KeySet, PathStep, RowSlots, Scanner, decode_bool, decode_dynamic, decode_long,
    decode_real, decode_string, get_index, get_member, get_path, parse_value, parse_value_bytes,
    string_text, top_level_keys, validate,
};
use kqlite::internals::value::json::write_value;
use kqlite::{Bag, Str, Value};
use proptest::prelude::*;
use serde_json::Value as J;

/// The tree `parse_value` should build for a serde_json tree.
fn expected(j: &J) -> Value {
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => kqlite::internals::json::integer(i),
            (None, Some(u), _) => Value::Real(u as f64),
            (None, None, Some(f)) => Value::Real(f),
            (None, None, None) => unreachable!("serde numbers are i64, u64 or f64"),
        },
        J::String(s) => Value::string(s),
        J::Array(items) => Value::array(items.iter().map(expected).collect()),
        J::Object(map) => {
            let mut bag = Bag::new();
            for (k, v) in map {
                bag.insert(Str::new(k), expected(v));
            }
            Value::bag(bag)
        }
    }
}

fn has_reals(j: &J) -> bool {
    match j {
        J::Number(n) => n.as_i64().is_none(),
        J::Array(items) => items.iter().any(has_reals),
        J::Object(map) => map.values().any(has_reals),
        _ => false,
    }
}

/// Strings that exercise escaping: quotes, backslashes, slashes, control
/// characters, non-ASCII and astral characters, as well as anything.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _./:-]{0,12}",
        "[\"\\\\/\\u{0}-\\u{1f}\\u{7f}é中😀\\u{2028}a-c]{0,10}",
        any::<String>(),
    ]
}

fn arb_json() -> impl Strategy<Value = J> {
    arb_json_sized(6, 96)
}

/// Trees at most `depth` deep with about `size` nodes.
fn arb_json_sized(depth: u32, size: u32) -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        (0i64..1000).prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(J::from),
        (-1000i32..1000).prop_map(|n| J::from(f64::from(n) / 8.0)),
        arb_string().prop_map(J::String),
    ];
    leaf.prop_recursive(depth, size, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(J::Array),
            prop::collection::vec((arb_string(), inner), 0..8)
                .prop_map(|kv| J::Object(kv.into_iter().collect())),
        ]
    })
}

fn write(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

/// serde_json's verdict, adjusted for the one rule it does not check when
/// it only skips: UTF-8 inside strings.
fn serde_accepts(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
        && std::str::from_utf8(bytes).is_ok()
}

/// Bytes that matter to a JSON reader, for mutations.
const INTERESTING: &[u8] =
    b"{}[],:\"\\ \t\n0123456789-+.eEtrufalsn/bu\x00\x1f\x7f\x80\xc3\xa9\xed\xff";

/// Tokens, valid and nearly valid, whose random sequences make text that
/// is valid or wrong in one small place far more often than random bytes.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\"a\"",
    "\"\"",
    "\"\\n\"",
    "\"\\/\"",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"é\"",
    "\"\\x\"",
    "\"\\u12\"",
    "\"\\u00G0\"",
    "\"\\\"",
    "\"",
    "\"\t\"",
    "0",
    "-0",
    "01",
    "-01",
    "1",
    "12.5",
    "1.",
    ".5",
    "1e5",
    "1E+2",
    "1e",
    "-",
    "+1",
    "true",
    "false",
    "null",
    "nul",
    "True",
    "NaN",
    "\u{a0}",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, u8),
    Delete(usize),
    Replace(usize, u8),
    /// Replaces the n-th structural byte (`{}[],:"`) with another one.
    Swap(usize, u8),
}

const STRUCTURAL: &[u8] = b"{}[],:\"";

fn arb_edits() -> impl Strategy<Value = Vec<Edit>> {
    let byte = prop_oneof![prop::sample::select(INTERESTING.to_vec()), any::<u8>()];
    let edit = prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), prop::sample::select(STRUCTURAL.to_vec()))
            .prop_map(|(i, b)| Edit::Swap(i, b)),
    ];
    prop::collection::vec(edit, 1..4)
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let n = bytes.len();
        match *edit {
            Edit::Insert(i, b) => bytes.insert(i % (n + 1), b),
            Edit::Delete(i) if n > 0 => {
                bytes.remove(i % n);
            }
            Edit::Replace(i, b) if n > 0 => bytes[i % n] = b,
            Edit::Swap(i, b) => {
                let at: Vec<usize> = (0..n).filter(|&k| STRUCTURAL.contains(&bytes[k])).collect();
                if !at.is_empty() {
                    bytes[at[i % at.len()]] = b;
                }
            }
            _ => {}
        }
    }
    bytes
}

/// Writes `s` as a JSON string, escaping each character in one of the
/// ways JSON allows, chosen by `choices`.
fn escape_variously(s: &str, choices: &[u8], out: &mut String) {
    out.push('"');
    for (i, c) in s.chars().enumerate() {
        let choice = choices.get(i % choices.len().max(1)).copied().unwrap_or(0) % 4;
        let must = c == '"' || c == '\\' || (c as u32) < 0x20;
        match (choice, c) {
            (0, _) if !must => out.push(c),
            (1, '"') => out.push_str("\\\""),
            (1, '\\') => out.push_str("\\\\"),
            (1, '/') => out.push_str("\\/"),
            (1, '\n') => out.push_str("\\n"),
            (1, '\t') => out.push_str("\\t"),
            (2, _) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
}

fn ws(choice: u8) -> &'static str {
    ["", "", " ", "\t", "\r\n ", "  \n"][choice as usize % 6]
}

fn all_finite(v: &Value) -> bool {
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Real(r) if !r.is_finite() => return false,
            Value::Array(items) => todo.extend(items.iter()),
            Value::Bag(bag) => todo.extend(bag.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    true
}

/// Exercises every entry point; only panics matter.
fn poke(bytes: &[u8]) {
    let _ = validate(bytes);
    let _ = json::check(bytes);
    if let Ok(v) = parse_value_bytes(bytes) {
        // Out-of-range numbers parse as infinite reals, which are written
        // as strings; everything else round-trips.
        if all_finite(&v) {
            let text = write(&v);
            assert_eq!(parse_value(&text).as_ref(), Ok(&v));
        }
    }
    let keys = KeySet::new(&["a", "", "é", "k\"", "log_s"]);
    let mut slots = RowSlots::new();
    if keys.scan_row(bytes, &mut slots).is_ok() {
        for slot in 0..keys.len() {
            if let Some(raw) = slots.get(bytes, slot) {
                let _ = decode_string(raw);
                let _ = decode_long(raw);
                let _ = decode_real(raw);
                let _ = decode_bool(raw);
                let _ = decode_dynamic(raw);
                let _ = string_text(raw);
            }
        }
    }
    let _ = top_level_keys(bytes);
    let _ = json::top_level_members(bytes);
    let _ = json::get_members(bytes, &keys, &mut slots);
    for key in ["a", ""] {
        let _ = get_member(bytes, key);
    }
    for i in [0, 1, -1, -2, i64::MIN, i64::MAX] {
        let _ = get_index(bytes, i);
    }
    let _ = get_path(bytes, &[PathStep::Key("a"), PathStep::Index(-1)]);
    let _ = decode_string(bytes);
    let _ = decode_long(bytes);
    let _ = decode_dynamic(bytes);
    let mut out = String::new();
    let _ = json::minify(bytes, &mut out);
    // The pull interface, driven blindly.
    let mut s = Scanner::new(bytes);
    if let Ok(mut m) = s.begin_object() {
        while let Ok(Some(_)) = s.next_key(&mut m) {
            if s.skip_value().is_err() {
                break;
            }
        }
    }
    let mut s = Scanner::new(bytes);
    if let Ok(mut a) = s.begin_array() {
        while let Ok(true) = s.next_element(&mut a) {
            if s.read_string().is_err() && s.read_number().is_err() && s.skip_value().is_err() {
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (a) serde_json's text, compact or pretty, parses to the same tree.
    #[test]
    fn parses_what_serde_writes(j in arb_json()) {
        let want = expected(&j);
        let compact = serde_json::to_string(&j).unwrap();
        prop_assert_eq!(parse_value(&compact), Ok(want.clone()));
        let pretty = serde_json::to_string_pretty(&j).unwrap();
        prop_assert_eq!(parse_value(&pretty), Ok(want));
    }

    /// (a) write then parse gives the tree back; without reals (where the
    /// number formatting may legitimately differ) the text is serde's.
    #[test]
    fn write_round_trips(j in arb_json()) {
        let v = expected(&j);
        let text = write(&v);
        prop_assert_eq!(parse_value(&text), Ok(v));
        prop_assert!(validate(text.as_bytes()));
        if !has_reals(&j) {
            prop_assert_eq!(&text, &serde_json::to_string(&j).unwrap());
        }
    }

    /// (b) validate agrees with serde_json on arbitrary bytes.
    #[test]
    fn validate_agrees_with_serde_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(validate(&bytes), serde_accepts(&bytes));
        prop_assert_eq!(parse_value_bytes(&bytes).is_ok(), validate(&bytes));
    }

    /// (b) ... on short strings made of the bytes JSON cares about, which
    /// are valid far more often than random bytes.
    #[test]
    fn validate_agrees_with_serde_on_json_alphabet(
        bytes in prop::collection::vec(prop::sample::select(INTERESTING.to_vec()), 0..24)
    ) {
        prop_assert_eq!(validate(&bytes), serde_accepts(&bytes));
        prop_assert_eq!(parse_value_bytes(&bytes).is_ok(), validate(&bytes));
    }

    /// (b) ... and on valid JSON with a few bytes inserted, deleted or
    /// replaced.
    #[test]
    fn validate_agrees_with_serde_on_mutations(j in arb_json(), pretty: bool, edits in arb_edits()) {
        let text = if pretty {
            serde_json::to_string_pretty(&j).unwrap()
        } else {
            serde_json::to_string(&j).unwrap()
        };
        let bytes = apply(text.into_bytes(), &edits);
        prop_assert_eq!(validate(&bytes), serde_accepts(&bytes));
        prop_assert_eq!(parse_value_bytes(&bytes).is_ok(), validate(&bytes));
        let mut s = Scanner::new(&bytes);
        let skipped = s.skip_value().and_then(|()| s.finish()).is_ok();
        prop_assert_eq!(skipped, validate(&bytes));
    }

    /// (b) ... and on every single-byte change to the structure of a
    /// small document: each `{}[],:"` swapped for each other one, or
    /// deleted.
    #[test]
    fn validate_agrees_with_serde_on_every_structural_edit(j in arb_json_sized(4, 24)) {
        let mut outer = serde_json::Map::new();
        outer.insert("k".into(), J::Array(vec![j]));
        let text = serde_json::to_string(&J::Object(outer)).unwrap().into_bytes();
        for at in (0..text.len()).filter(|&k| STRUCTURAL.contains(&text[k])) {
            let mut variants: Vec<Vec<u8>> = STRUCTURAL
                .iter()
                .filter(|&&b| b != text[at])
                .map(|&b| {
                    let mut v = text.clone();
                    v[at] = b;
                    v
                })
                .collect();
            let mut deleted = text.clone();
            deleted.remove(at);
            variants.push(deleted);
            for v in &variants {
                prop_assert_eq!(
                    validate(v),
                    serde_accepts(v),
                    "{}",
                    String::from_utf8_lossy(v)
                );
            }
        }
    }

    /// (c) row decoding finds the value serde_json would, for every wanted
    /// key, with keys and strings escaped in every way JSON allows.
    #[test]
    fn rows_decode_like_serde(
        members in prop::collection::vec(
            (prop_oneof![arb_string(), "[abk\"é/]{0,3}"], arb_json_sized(3, 16)), 0..8),
        choices in prop::collection::vec(any::<u8>(), 1..16),
        absent in "[a-z]{0,4}",
    ) {
        let mut line = String::new();
        line.push_str(ws(choices[0]));
        line.push('{');
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let c = choices[i % choices.len()];
            line.push_str(ws(c));
            escape_variously(k, &choices[i % choices.len()..], &mut line);
            line.push_str(ws(c / 6));
            line.push(':');
            line.push_str(ws(c / 36));
            match v {
                J::String(s) => escape_variously(s, &choices, &mut line),
                other => line.push_str(&serde_json::to_string(other).unwrap()),
            }
        }
        line.push_str(ws(choices[choices.len() - 1]));
        line.push('}');
        line.push_str(ws(choices[0] / 6));

        // serde_json keeps the last of repeated keys too.
        let reference: serde_json::Map<String, J> = serde_json::from_str(&line).unwrap();

        let mut wanted: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        wanted.push(&absent);
        let keys = KeySet::new(&wanted);
        let mut slots = RowSlots::new();
        keys.scan_row(line.as_bytes(), &mut slots).unwrap();
        for slot in 0..keys.len() {
            let key = keys.key(slot).unwrap();
            let raw = slots.get(line.as_bytes(), slot);
            // The last member with this key, as written.
            let last = members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
            prop_assert_eq!(raw.is_some(), reference.contains_key(key));
            let (Some(raw), Some(want)) = (raw, last) else { continue };
            prop_assert_eq!(decode_dynamic(raw), expected(want));
            match want {
                J::String(s) => {
                    let got = decode_string(raw);
                    prop_assert_eq!(got.as_deref(), Some(s.as_str()));
                }
                J::Null => prop_assert_eq!(decode_string(raw), None),
                J::Number(n) => {
                    prop_assert_eq!(decode_long(raw).filter(|_| n.is_i64()), n.as_i64());
                    let text = decode_string(raw).unwrap();
                    prop_assert_eq!(&*text, serde_json::to_string(want).unwrap());
                }
                J::Bool(b) => prop_assert_eq!(decode_bool(raw), Some(*b)),
                _ => {
                    let text = decode_string(raw).unwrap();
                    // serde_json's default float reading is not always
                    // exact, so read the text back with ours.
                    prop_assert!(!text.contains([' ', '\n', '\t', '\r']) || text.contains('"'));
                    prop_assert_eq!(parse_value(&text), Ok(expected(want)));
                }
            }
        }
        let keys_in_line: Vec<String> =
            top_level_keys(line.as_bytes()).unwrap().into_iter().map(|k| k.into_owned()).collect();
        let mut distinct: Vec<String> = Vec::new();
        for (k, _) in &members {
            if !distinct.contains(k) {
                distinct.push(k.clone());
            }
        }
        prop_assert_eq!(keys_in_line, distinct);
    }

    /// (c) lazy lookups find what the tree holds, repeated keys included
    /// (the last one wins in both).
    #[test]
    fn member_lookups_agree_with_the_tree_on_repeated_keys(
        members in prop::collection::vec(("[ab]{0,1}", arb_json_sized(2, 8)), 0..6),
        key in "[ab]{0,1}",
    ) {
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), serde_json::to_string(v).unwrap()))
            .collect();
        let text = format!("{{{}}}", body.join(","));
        let Ok(Value::Bag(tree)) = parse_value(&text) else {
            return Err(TestCaseError::fail("an object"));
        };
        let found = get_member(text.as_bytes(), &key).unwrap();
        prop_assert_eq!(found.map(|raw| parse_value_bytes(raw).unwrap()), tree.get(&key).cloned());
        let keys = KeySet::new(&[key.as_str()]);
        let mut slots = RowSlots::new();
        keys.scan_row(text.as_bytes(), &mut slots).unwrap();
        prop_assert_eq!(slots.get(text.as_bytes(), 0), found);
    }

    /// (c) lazy lookups find what the tree holds.
    #[test]
    fn lookups_agree_with_the_tree(j in arb_json(), key in "[a-c]{0,2}", index in -4i64..4) {
        let text = serde_json::to_string_pretty(&j).unwrap();
        let tree = expected(&j);
        let member = get_member(text.as_bytes(), &key).unwrap();
        let want = match &tree {
            Value::Bag(b) => b.get(&key).cloned(),
            _ => None,
        };
        prop_assert_eq!(member.map(|raw| parse_value_bytes(raw).unwrap()), want);
        let element = get_index(text.as_bytes(), index).unwrap();
        let want = match &tree {
            Value::Array(items) => {
                let n = items.len() as i64;
                let i = if index < 0 { n + index } else { index };
                usize::try_from(i).ok().and_then(|i| items.get(i)).cloned()
            }
            _ => None,
        };
        prop_assert_eq!(element.map(|raw| parse_value_bytes(raw).unwrap()), want);
    }

    /// (d) nothing panics, whatever the bytes.
    #[test]
    fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..128)) {
        poke(&bytes);
    }

    /// (d) ... nor on nearly valid JSON.
    #[test]
    fn never_panics_on_mutations(j in arb_json(), edits in arb_edits()) {
        let mut members = serde_json::Map::new();
        members.insert("a".into(), j);
        let text = serde_json::to_string(&J::Object(members)).unwrap();
        poke(&apply(text.into_bytes(), &edits));
    }
}

proptest! {
    // Cheap cases, so many of them.
    #![proptest_config(ProptestConfig {
        cases: 4096,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (b) ... on sequences of JSON tokens, valid and nearly valid.
    #[test]
    fn validate_agrees_with_serde_on_token_soup(
        tokens in prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..12)
    ) {
        let text = tokens.concat();
        let bytes = text.as_bytes();
        prop_assert_eq!(validate(bytes), serde_accepts(bytes), "{}", text);
        prop_assert_eq!(parse_value_bytes(bytes).is_ok(), validate(bytes));
        // As a row: valid exactly when it is a valid object.
        let keys = KeySet::new(&["a"]);
        let mut slots = RowSlots::new();
        let is_object = text.trim_start_matches([' ', '\n']).starts_with('{');
        prop_assert_eq!(
            keys.scan_row(bytes, &mut slots).is_ok(),
            is_object && serde_accepts(bytes)
        );
    }
}

#[test]
fn deep_inputs_behave_like_serde_below_its_limits() {
    // serde_json's skipping has no depth limit; ours is MAX_TREE_DEPTH.
    for depth in [1, 100, json::MAX_TREE_DEPTH] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(validate(text.as_bytes()));
        assert!(serde_accepts(text.as_bytes()));
    }
}

// ---------------------------------------------------------------------------
// (e) Events escaped in a string (`parse_json(log_s).user.username`): the
// one-pass reader (`Doc::from_escaped`) against the two passes it replaces
// (unescape the string, then `Doc::new` on the text).

mod escaped_events {
    use super::*;
    use kqlite::internals::json::doc::{Doc, PathStep as Step};
    use std::borrow::Cow;

    /// What the two passes give: the string's text (nothing when it is not
    /// a valid string), checked as a document, then walked.
    fn two_pass(raw: &[u8], steps: &[Step]) -> Value {
        let text = string_text(raw).map(|t| t.into_owned().into_bytes());
        Doc::new(Cow::Owned(text.unwrap_or_default())).walk(steps)
    }

    /// Checks the one-pass reader against the two passes on every path;
    /// returns whether it answered.
    fn agrees(raw: &[u8], keys: &[&str]) -> Result<bool, TestCaseError> {
        folded_scan_agrees(raw, keys)?;
        let Some(doc) = Doc::from_escaped(raw) else {
            return Ok(false);
        };
        for steps in paths(keys) {
            prop_assert_eq!(
                doc.walk(&steps),
                two_pass(raw, &steps),
                "{} {:?}",
                String::from_utf8_lossy(raw),
                steps
            );
        }
        Ok(true)
    }

    /// The row scan that indexes an escaped event as it checks the line
    /// (`KeySet::index_escaped`, `Doc::from_indexed`) against the plain
    /// scan then `Doc::from_escaped`: the same verdict on the line, the
    /// same value ranges, an index exactly when `from_escaped` answers, and
    /// the same value on every path. `raw` sits in a line between other
    /// members, repeated or not (the last occurrence wins).
    fn folded_scan_agrees(raw: &[u8], keys: &[&str]) -> Result<(), TestCaseError> {
        let wanted = ["x", "log_s", "y"];
        let plain = KeySet::new(&wanted);
        let folding = KeySet::new(&wanted).index_escaped();
        let raw_text = String::from_utf8_lossy(raw).into_owned();
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for (before, after) in [
            ("{\"x\":1,\"log_s\":", ",\"y\":\"z\"}"),
            ("{\"log_s\":", "}"),
            ("{\"log_s\":\"{\\\"a\\\":1}\", \"log_s\" : ", " }"),
            ("{\"log_s\":", ",\"log_s\":\"not json\"}"),
            ("{\"log_s\":", "\"}"),
            ("{\"log_s\":", ""),
        ] {
            let mut line = before.as_bytes().to_vec();
            line.extend_from_slice(raw);
            line.extend_from_slice(after.as_bytes());
            lines.push(line);
        }
        for line in &lines {
            let (mut a, mut b) = (RowSlots::new(), RowSlots::new());
            let want = plain.scan_row(line, &mut a);
            let got = folding.scan_row(line, &mut b);
            let shown = String::from_utf8_lossy(line);
            prop_assert_eq!(&got, &want, "{}", shown);
            if want.is_err() {
                continue;
            }
            for slot in 0..wanted.len() {
                prop_assert_eq!(b.range(slot), a.range(slot), "{}", shown);
            }
            let value = a.get(line, 1);
            let indexed = Doc::from_indexed(line, &b, 1);
            let escaped = value.and_then(Doc::from_escaped);
            // The scan indexes an event that starts right after the quote
            // (as encoders write it); one with whitespace first is left to
            // `from_escaped`.
            let starts = value.is_some_and(|v| v.starts_with(b"\"{"));
            prop_assert_eq!(
                indexed.is_some(),
                escaped.is_some() && starts,
                "{} {}",
                shown,
                raw_text
            );
            if let (Some(indexed), Some(escaped)) = (indexed, escaped) {
                for steps in paths(keys) {
                    prop_assert_eq!(
                        indexed.walk(&steps),
                        escaped.walk(&steps),
                        "{} {:?}",
                        shown,
                        steps
                    );
                }
            }
            // The other columns are never indexed.
            prop_assert!(Doc::from_indexed(line, &b, 0).is_none());
        }
        Ok(())
    }

    fn paths(keys: &[&str]) -> Vec<Vec<Step>> {
        let key = |k: &str| Step::Key(k.to_string());
        let mut paths = vec![
            vec![],
            vec![Step::Reparse],
            vec![Step::Index(0)],
            vec![key("missing")],
            vec![Step::Reparse, Step::Reparse, key("a")],
        ];
        for k in keys {
            paths.push(vec![key(k)]);
            paths.push(vec![Step::Reparse, key(k)]);
            paths.push(vec![key(k), Step::Reparse]);
            paths.push(vec![key(k), key("a")]);
            paths.push(vec![key(k), key("b"), key("a")]);
            paths.push(vec![key(k), Step::Index(0)]);
            paths.push(vec![key(k), Step::Index(-1)]);
            paths.push(vec![key(k), Step::Reparse, key("a")]);
            paths.push(vec![key(k), Step::Reparse, Step::Index(0)]);
        }
        paths
    }

    /// The event text: an object of `members`, keys and strings escaped in
    /// the ways `choices` picks, with whitespace between tokens.
    fn event(members: &[(String, J)], choices: &[u8]) -> String {
        let mut text = String::from(ws(choices[0]));
        text.push('{');
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let c = choices[i % choices.len()];
            text.push_str(ws(c));
            if c.is_multiple_of(3) {
                escape_variously(k, &choices[i % choices.len()..], &mut text);
            } else {
                text.push_str(&serde_json::to_string(k).unwrap());
            }
            text.push_str(ws(c / 6));
            text.push(':');
            text.push_str(ws(c / 36));
            match v {
                J::String(s) if c.is_multiple_of(2) => escape_variously(s, choices, &mut text),
                J::String(s) if c.is_multiple_of(5) => {
                    // A string holding JSON, as `user` and `roleRef` are.
                    text.push_str(
                        &serde_json::to_string(&format!(
                            "{{\"a\":{}}}",
                            serde_json::to_string(s).unwrap()
                        ))
                        .unwrap(),
                    )
                }
                other if c % 3 == 1 => text.push_str(&serde_json::to_string_pretty(other).unwrap()),
                other => text.push_str(&serde_json::to_string(other).unwrap()),
            }
        }
        text.push_str(ws(choices[choices.len() - 1]));
        text.push('}');
        text.push_str(ws(choices[0] / 6));
        text
    }

    /// `text` as a JSON string token, the outer escaping chosen by `style`.
    fn outer(text: &[u8], style: u8, choices: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(text);
        match style % 4 {
            // As encoders write it.
            0 | 1 => serde_json::to_string(&*text).unwrap().into_bytes(),
            // Slashes escaped too, as some do.
            2 => serde_json::to_string(&*text)
                .unwrap()
                .replace('/', "\\/")
                .into_bytes(),
            // Anything JSON allows (`\u` escapes of the outer string).
            _ => {
                let mut out = String::new();
                escape_variously(&text, choices, &mut out);
                out.into_bytes()
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Valid events: the one-pass reader answers as the two passes do,
        /// and answers at all when the event is written as encoders do.
        #[test]
        fn one_pass_reads_events_like_two_passes(
            members in prop::collection::vec(
                (prop_oneof!["[ab]{1,2}", "[a-c/]{0,3}", arb_string()], arb_json_sized(4, 24)), 0..8),
            choices in prop::collection::vec(any::<u8>(), 1..16),
            style: u8,
        ) {
            let text = event(&members, &choices);
            let raw = outer(text.as_bytes(), style, &choices);
            let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            let answered = agrees(&raw, &keys)?;
            // Plain keys, inner text written plainly, outer escaped as
            // serde does: the one pass must answer.
            let plain = members.iter().all(|(k, _)| k.bytes().all(|b| b.is_ascii_alphabetic()));
            if plain && style % 4 < 2 {
                let text = serde_json::to_string(&J::Object(members.iter().cloned().collect())).unwrap();
                let raw = serde_json::to_string(&text).unwrap();
                prop_assert!(agrees(raw.as_bytes(), &keys)?, "{}", raw);
            }
            let _ = answered;
        }

        /// Broken events (and broken outer strings): when the one-pass
        /// reader answers, it answers as the two passes do.
        #[test]
        fn one_pass_agrees_on_broken_events(
            members in prop::collection::vec(("[ab]{1,2}", arb_json_sized(3, 12)), 1..6),
            choices in prop::collection::vec(any::<u8>(), 1..16),
            style: u8,
            inner_edits in arb_edits(),
            outer_edits in prop::option::of(arb_edits()),
        ) {
            let text = apply(event(&members, &choices).into_bytes(), &inner_edits);
            let mut raw = outer(&text, style, &choices);
            if let Some(edits) = &outer_edits {
                raw = apply(raw, edits);
            }
            let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            agrees(&raw, &keys)?;
        }
    }

    #[test]
    fn tricky_events() {
        let cases: &[&str] = &[
            // \u escapes, surrogate pairs (and a lone one) in inner strings.
            r#"{"user":{"username":"\u00e9\ud83d\ude00\ud800x"},"a":"\uD834\uDD1E"}"#,
            // \" and \\ inside nested strings, and strings holding JSON.
            r#"{"user":"{\"username\":\"a\\\"b\"}","b":{"a":"x\\\"y\\\\","c":["\"]"]}}"#,
            r#"{"a":"\/\b\f\n\r\t","user":{"username":"q"}}"#,
            // Invalid escapes, and invalid JSON after the value read.
            r#"{"user":{"username":"x"},"bad":"\q"}"#,
            r#"{"user":{"username":"x"},"bad":"\u12G4"}"#,
            r#"{"user":{"username":"x"},"bad":tru}"#,
            r#"{"user":{"username":"x"}} trailing"#,
            r#"{"user":{"username":"x"},}"#,
            "{\"user\":{\"username\":\"raw\ttab\"}}",
            // Pretty-printed, and not objects.
            "{\n\t\"user\" : {\r\n \"username\" : \"p\" } }\n",
            "[1,{\"a\":2}]",
            "\"just a string\"",
            "",
            "   ",
            "not json",
            // Repeated keys: the last wins.
            r#"{"a":1,"user":2,"a":{"b":{"a":3}}}"#,
        ];
        let keys = ["user", "a", "b", "bad", "username"];
        let mut answered = 0;
        for text in cases {
            let raw = serde_json::to_string(text).unwrap();
            if agrees(raw.as_bytes(), &keys).unwrap() {
                answered += 1;
            }
            let slashed = raw.replace('/', "\\/");
            agrees(slashed.as_bytes(), &keys).unwrap();
        }
        assert_eq!(answered, 5, "the valid objects are read in one pass");
        // Broken outer strings.
        for raw in [
            &br#""{\"a\":1}"#[..],
            br#"{\"a\":1}""#,
            br#""{\"a\":1}\""#,
            b"\"{\\\"a\\\":\"}\"",
            b"\"{\\\"a\\\":\x01}\"",
            b"\"{\\\"a\\\":\\\"\xff\\\"}\"",
            br#""{\"a\":\u0031}""#,
            br#""{\"a\":1}" "#,
        ] {
            agrees(raw, &keys).unwrap();
        }
    }

    /// Nesting past MAX_TREE_DEPTH makes `parse_json` give a string, so a
    /// path reads null (docs/robustness.md); the one pass agrees at and
    /// around the limit.
    #[test]
    fn depth_limit_agrees() {
        for depth in json::MAX_TREE_DEPTH - 2..=json::MAX_TREE_DEPTH + 1 {
            for open in ["[", "{\"a\":"] {
                let close = if open == "[" { "]" } else { "}" };
                let text = format!(
                    "{{\"user\":\"x\",\"a\":{}1{}}}",
                    open.repeat(depth - 1),
                    close.repeat(depth - 1)
                );
                let raw = serde_json::to_string(&text).unwrap();
                let within = parse_value(&text).is_ok();
                assert_eq!(
                    Doc::from_escaped(raw.as_bytes()).is_some(),
                    within,
                    "{depth} {open}"
                );
                agrees(raw.as_bytes(), &["user", "a"]).unwrap();
                assert_eq!(
                    two_pass(raw.as_bytes(), &[Step::Key("user".into())]),
                    if within {
                        Value::string("x")
                    } else {
                        Value::Null
                    }
                );
            }
        }
    }
}

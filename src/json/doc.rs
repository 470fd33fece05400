//! Evaluating a JSON path (`plan::rules::json_paths`) on JSON text without
//! building the document as a tree, and the [`Row`] trait through which an
//! expression reads a row's columns and their cached documents.
//!
//! A [`Doc`] is the text `parse_json` would parse, checked once: empty (so
//! `parse_json` gives null), not JSON (a dynamic string), or valid JSON —
//! for an object, with the raw value of every top-level member indexed, so
//! the several paths a query reads from one document (`log_s.verb`,
//! `log_s.user`, `log_s.sourceIPs`…) each cost a lookup, not a scan. Only
//! the value a path ends on is decoded.

use crate::json;
use crate::value::{Str, Value};
use std::borrow::Cow;
use std::ops::Range;

/// One step of a path into a JSON document (a bound `json_path`
/// expression, see [`crate::plan::expr::ScalarKind::JsonPath`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// `.key` / `["key"]`
    Key(String),
    /// `[i]`, negative from the end.
    Index(i64),
    /// `parse_json(tostring(x))`: a string value is parsed as JSON text;
    /// any other value stays as it is.
    Reparse,
}

/// Read access to the columns of one row.
pub trait Row {
    fn column(&self, index: usize) -> Value;

    /// Column `index` as a JSON document, checked once per row and shared
    /// by every path read from it; `None` when the row keeps no such cache
    /// (the caller then builds a document for its own use).
    fn json_doc(&self, _index: usize) -> Option<&Doc<'_>> {
        None
    }
}

impl Row for [Value] {
    fn column(&self, index: usize) -> Value {
        self.get(index).cloned().unwrap_or(Value::Null)
    }
}

impl Row for &[Value] {
    fn column(&self, index: usize) -> Value {
        (**self).column(index)
    }
}

impl Row for Vec<Value> {
    fn column(&self, index: usize) -> Value {
        self.as_slice().column(index)
    }
}

thread_local! {
    /// The buffer [`Doc::walk`] unescapes a member of an escaped document
    /// into, kept for the thread's next walk.
    static UNESCAPED: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest buffer [`UNESCAPED`] keeps (a larger one, for a rare large
/// member, is freed).
const KEPT_BUFFER: usize = 64 << 10;

pub struct Doc<'a> {
    text: Cow<'a, [u8]>,
    shape: Shape,
}

enum Shape {
    /// `parse_json("")` is null.
    Empty,
    /// Text that is not JSON: `parse_json` gives it back as a dynamic string.
    NotJson,
    /// A valid object: each top-level key and the byte range of its value
    /// (the last of repeated keys wins, as when parsing).
    Object(Vec<(Key, Range<usize>)>),
    /// Any other valid JSON value.
    Other,
    /// A valid object whose text is still escaped inside a JSON string
    /// (the document's text is that string's bytes between its quotes):
    /// each top-level key's text and the range of its escaped value
    /// (see `json::escaped`).
    Escaped(crate::json::escaped::Members),
}

/// A top-level key: where it lies in the text, or (rarely, when it holds
/// escapes) its decoded text.
enum Key {
    At(Range<usize>),
    Decoded(Box<str>),
}

/// Where a walk stands.
enum Cursor<'d> {
    Null,
    /// The root object of the document (its members are indexed).
    Root,
    /// A valid JSON value inside the document.
    Raw(&'d [u8]),
    /// The document's text taken as a string (it was not JSON).
    Text,
}

impl<'a> Doc<'a> {
    /// Checks `text` as JSON once.
    pub fn new(text: Cow<'a, [u8]>) -> Doc<'a> {
        let shape = classify(&text);
        Doc { text, shape }
    }

    /// The document in the JSON string token `raw` (quotes included), read
    /// where it lies, without unescaping it first: one pass checks the
    /// text and indexes its members, and a path unescapes only the value
    /// it reads. `None` when the text is not an object in the shape that
    /// pass reads (then unescape it and use [`Doc::new`], which decides);
    /// a `Some` walks to the same values as that `Doc::new` would.
    pub fn from_escaped(raw: &'a [u8]) -> Option<Doc<'a>> {
        let inner = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
        let members = crate::json::escaped::index_object(inner)?;
        Some(Doc {
            text: Cow::Borrowed(inner),
            shape: Shape::Escaped(members),
        })
    }

    /// The document in the JSON string value of `slot` in the scanned
    /// `line`, when the scan indexed it as an escaped object
    /// ([`KeySet::index_escaped`](crate::json::KeySet::index_escaped)):
    /// what [`Doc::from_escaped`] gives for that value, without walking it
    /// again. `None` when the scan did not index it (then use
    /// [`Doc::from_escaped`], which decides the same way).
    pub fn from_indexed(line: &'a [u8], slots: &json::RowSlots, slot: usize) -> Option<Doc<'a>> {
        let members = slots.escaped(slot)?;
        let range = slots.range(slot)?;
        let base = range.start + 1;
        let inner = line.get(base..range.end.checked_sub(1)?)?;
        let rebase = |r: &Range<usize>| r.start - base..r.end - base;
        Some(Doc {
            text: Cow::Borrowed(inner),
            shape: Shape::Escaped(
                members
                    .iter()
                    .map(|(k, v)| (rebase(k), rebase(v)))
                    .collect(),
            ),
        })
    }

    /// The text the document was made of (a caller reusing its buffer
    /// takes it back; for [`Doc::from_escaped`], the escaped bytes).
    pub fn into_text(self) -> Cow<'a, [u8]> {
        self.text
    }

    /// The value at the end of `steps`, exactly as the expression without
    /// the rewrite would give it.
    pub fn walk(&self, steps: &[PathStep]) -> Value {
        let cursor = match &self.shape {
            Shape::Empty => Cursor::Null,
            Shape::NotJson => Cursor::Text,
            Shape::Object(_) => Cursor::Root,
            Shape::Other => Cursor::Raw(&self.text),
            Shape::Escaped(members) => return self.walk_escaped(members, steps),
        };
        self.walk_from(cursor, steps)
    }

    /// [`Doc::walk`] on a [`Shape::Escaped`] document: the first member
    /// read is unescaped, and the rest of the path walks it as usual.
    fn walk_escaped(&self, members: &crate::json::escaped::Members, steps: &[PathStep]) -> Value {
        let mut rest = steps;
        // parse_json(tostring(x)) of the whole document is the document.
        while let Some((PathStep::Reparse, after)) = rest.split_first() {
            rest = after;
        }
        // The thread's buffer, taken (a walk inside this one finds it
        // empty) and given back: a new one grew by doubling, five or six
        // reallocations for an `e.user` of 100 bytes, ~5 % of the CPU time
        // of an `mv-expand` query reading two paths per row.
        let mut buf = UNESCAPED.take();
        buf.clear();
        let unescaped = |range: Range<usize>, buf: &mut Vec<u8>| {
            let s = self.text.get(range)?;
            buf.reserve(s.len());
            crate::json::escaped::unescape(s, buf)
        };
        let value = match rest.split_first() {
            // The whole document.
            None => match unescaped(0..self.text.len(), &mut buf) {
                Some(()) => json::decode_dynamic(&buf),
                None => Value::Null,
            },
            Some((PathStep::Key(key), after)) => {
                let found = members
                    .iter()
                    .rev()
                    .find(|(k, _)| self.text.get(k.clone()) == Some(key.as_bytes()));
                match found {
                    Some((_, range)) if unescaped(range.clone(), &mut buf).is_some() => {
                        self.walk_from(Cursor::Raw(&buf), after)
                    }
                    _ => Value::Null,
                }
            }
            // An element of an object (a `Reparse` was taken above).
            Some((PathStep::Index(_) | PathStep::Reparse, _)) => Value::Null,
        };
        if buf.capacity() <= KEPT_BUFFER {
            UNESCAPED.set(buf);
        }
        value
    }

    /// Walks `steps` from `cursor`.
    fn walk_from<'d>(&'d self, mut cursor: Cursor<'d>, steps: &[PathStep]) -> Value {
        for (i, step) in steps.iter().enumerate() {
            cursor = match (step, cursor) {
                (_, Cursor::Null) => Cursor::Null,
                (PathStep::Key(key), Cursor::Root) => match &self.shape {
                    Shape::Object(members) => members
                        .iter()
                        .rev()
                        .find(|(k, _)| match k {
                            Key::At(r) => self.text.get(r.clone()) == Some(key.as_bytes()),
                            Key::Decoded(k) => **k == **key,
                        })
                        .and_then(|(_, range)| self.text.get(range.clone()))
                        .map_or(Cursor::Null, Cursor::Raw),
                    _ => Cursor::Null,
                },
                (PathStep::Key(key), Cursor::Raw(raw)) => match json::get_member(raw, key) {
                    Ok(Some(value)) => Cursor::Raw(value),
                    _ => Cursor::Null,
                },
                (PathStep::Index(index), Cursor::Raw(raw)) => match json::get_index(raw, *index) {
                    Ok(Some(value)) => Cursor::Raw(value),
                    _ => Cursor::Null,
                },
                // A member of text that is not JSON, or an element of an object.
                (PathStep::Key(_) | PathStep::Index(_), Cursor::Text | Cursor::Root) => {
                    Cursor::Null
                }
                (PathStep::Reparse, Cursor::Raw(raw)) => {
                    if raw.first() == Some(&b'"') {
                        // A string holding JSON text: a new document.
                        let text = json::string_text(raw).unwrap_or_default();
                        let inner = Doc::new(Cow::Owned(text.into_owned().into_bytes()));
                        return inner.walk(steps.get(i + 1..).unwrap_or_default());
                    }
                    Cursor::Raw(raw)
                }
                // parse_json(tostring(x)) of the whole document, or of text
                // that was not JSON (and still is not), is the same value.
                (PathStep::Reparse, c @ (Cursor::Root | Cursor::Text)) => c,
            };
        }
        match cursor {
            Cursor::Null => Value::Null,
            Cursor::Raw(raw) => json::decode_dynamic(raw),
            Cursor::Root => json::decode_dynamic(&self.text),
            Cursor::Text => Value::String(Str::new(&String::from_utf8_lossy(&self.text))),
        }
    }
}

fn classify(text: &[u8]) -> Shape {
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    match start.and_then(|s| text.get(s).copied()) {
        None if text.is_empty() => Shape::Empty,
        None => Shape::NotJson,
        Some(b'{') => index_object(text).map_or(Shape::NotJson, Shape::Object),
        // The same depth limit as parsing a tree, so a document is valid
        // here exactly when `parse_json` would parse it.
        Some(_) if json::validate(text) => Shape::Other,
        Some(_) => Shape::NotJson,
    }
}

/// Checks an object and records where each top-level member lies, without
/// copying keys (one pass; no allocation but the index itself).
fn index_object(text: &[u8]) -> Option<Vec<(Key, Range<usize>)>> {
    let base = text.as_ptr() as usize;
    let offset = |s: &[u8]| s.as_ptr() as usize - base;
    let mut s = json::Scanner::new(text);
    let mut seq = s.begin_object().ok()?;
    let mut members = Vec::with_capacity(16);
    while let Some(key) = s.next_key(&mut seq).ok()? {
        let key = match key {
            Cow::Borrowed(k) => {
                let at = offset(k.as_bytes());
                Key::At(at..at + k.len())
            }
            Cow::Owned(k) => Key::Decoded(k.into_boxed_str()),
        };
        let value = s.value_bytes(json::MAX_TREE_DEPTH - 1).ok()?;
        let at = offset(value);
        members.push((key, at..at + value.len()));
    }
    s.finish().ok()?;
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathStep::{Index, Key, Reparse};

    fn walk(text: &str, steps: &[PathStep]) -> Value {
        Doc::new(Cow::Borrowed(text.as_bytes())).walk(steps)
    }

    fn key(k: &str) -> PathStep {
        Key(k.to_string())
    }

    /// The same value the unfused expression gives, computed with the tree.
    fn reference(text: &str, steps: &[PathStep]) -> Value {
        use crate::value::ops::{index_value, member};
        let mut v = crate::json::parse_json_text(&Str::new(text));
        for step in steps {
            v = match step {
                Key(k) => member(&v, k),
                Index(i) => index_value(&v, &Value::Long(*i)),
                Reparse => match &v {
                    Value::String(s) => crate::json::parse_json_text(s),
                    Value::Null => Value::Null,
                    other => other.clone(),
                },
            };
        }
        v
    }

    #[test]
    fn agrees_with_parsing_the_whole_document() {
        let docs = [
            r#"{"verb":"create","user":"{\"username\":\"masterclient\"}","sourceIPs":["10.0.0.1","::1"],"requestObject":{"kind":"CronJob","roleRef":"{\"name\":\"cluster-admin\"}"},"annotations":{"":"allow"}}"#,
            r#"{"verb":"get","verb":"list","sourceIPs":[]}"#,
            r#"{"sourceIPs":"[\"\"]"}"#,
            "not json",
            "",
            "  ",
            r#"[1,{"a":2}]"#,
            r#""a string""#,
            r#"{"a":1"#,
        ];
        let paths: Vec<Vec<PathStep>> = vec![
            vec![key("verb")],
            vec![key("user"), Reparse, key("username")],
            vec![key("sourceIPs"), Reparse, Index(0)],
            vec![key("sourceIPs"), Reparse, Index(-1)],
            vec![
                key("requestObject"),
                Reparse,
                key("roleRef"),
                Reparse,
                key("name"),
            ],
            vec![key("requestObject"), key("kind")],
            vec![key("annotations"), Reparse, key("")],
            vec![Index(1), key("a")],
            vec![Reparse],
            vec![key("missing"), key("deeper")],
            vec![],
        ];
        for d in docs {
            for p in &paths {
                assert_eq!(walk(d, p), reference(d, p), "{d} {p:?}");
            }
        }
    }

    /// Escaped documents read one after another share the thread's
    /// unescaping buffer: each read sees only its own member, whatever was
    /// read before (a longer member, one past the size the thread keeps, a
    /// document read inside a walk through `Reparse`).
    #[test]
    fn escaped_walks_in_turn_see_only_their_own_member() {
        let long = "x".repeat(KEPT_BUFFER + 10);
        let texts = [
            format!(r#"{{"user":{{"username":"{long}"}},"sourceIPs":["10.0.0.1"]}}"#),
            r#"{"user":{"username":"a"},"sourceIPs":["10.0.0.2","::1"]}"#.to_string(),
            r#"{"user":"{\"username\":\"b\\\"q\"}","sourceIPs":[]}"#.to_string(),
            r#"{"user":{"username":"c"}}"#.to_string(),
        ];
        let paths: Vec<Vec<PathStep>> = vec![
            vec![key("user"), key("username")],
            vec![key("user"), Reparse, key("username")],
            vec![key("sourceIPs")],
            vec![key("sourceIPs"), Index(1)],
            vec![],
        ];
        for _ in 0..2 {
            for text in &texts {
                let quoted = serde_json::to_string(text).unwrap();
                let doc = Doc::from_escaped(quoted.as_bytes()).unwrap();
                for p in &paths {
                    assert_eq!(doc.walk(p), reference(text, p), "{text} {p:?}");
                }
            }
        }
    }
}

/// The values of JSON paths already read from texts that stay the same
/// for a while: rule replay runs one query over each of many overlapping
/// windows of the same rows, and each row's `log_s.user.username` is then
/// read once, not once per window. A text is known by its allocation (a
/// [`Str`] shares its text); the cache holds a copy of every text it
/// knows, so no other text can take its place while the cache lives.
#[derive(Debug, Default)]
pub struct PathCache {
    paths: std::sync::Mutex<PathValues>,
}

/// Per path, per text (its address): the text and the path's value in it.
type PathValues =
    std::collections::HashMap<Vec<PathStep>, std::collections::HashMap<usize, (Str, Value)>>;

impl PathCache {
    /// The value of `steps` in `text`, from the cache or else `walk` (then
    /// kept).
    pub fn get_or(&self, text: &Str, steps: &[PathStep], walk: impl FnOnce() -> Value) -> Value {
        let at = text.as_str().as_ptr() as usize;
        let known = |paths: &PathValues| {
            let (kept, value) = paths.get(steps)?.get(&at)?;
            (kept.as_str().len() == text.as_str().len()).then(|| value.clone())
        };
        if let Ok(paths) = self.paths.lock()
            && let Some(value) = known(&paths)
        {
            return value;
        }
        let value = walk();
        if let Ok(mut paths) = self.paths.lock() {
            paths
                .entry(steps.to_vec())
                .or_default()
                .insert(at, (text.clone(), value.clone()));
        }
        value
    }
}

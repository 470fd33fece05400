//! The engine of the `parse` operator: `__parse_fields(regex, types,
//! relaxed, text)` matches the regex the binder built from the pattern and
//! returns the extracted columns, converted to their types, as a dynamic
//! array — or null when the text does not match (or, unless relaxed, when
//! a typed column does not convert:
//! <https://learn.microsoft.com/kusto/query/parse-operator>).
//!
//! `__parse_kv(mode, pair_delimiter_or_regex, kv_delimiter, quotes,
//! escapes, greedy, keys, types, text)` is the engine of `parse-kv`
//! (<https://learn.microsoft.com/kusto/query/parse-kv-operator>): the
//! values of the listed keys (U+0001-separated), converted to their types,
//! as a dynamic array; a key not found is null (`""` for a string).

use super::function;
use super::{DYNAMIC, EvalContext, ScalarFunction, returns};
use crate::types::DataType;
use crate::value::Value;

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("__parse_fields", 4, 4, returns::<DYNAMIC>, parse_fields),
    function("__parse_kv", 9, 9, returns::<DYNAMIC>, parse_kv),
];

/// The pattern's compiled regex, from the shared per-thread cache.
fn with_regex<T>(pattern: &str, f: impl FnOnce(&regex::Regex) -> T) -> Option<T> {
    super::regex_cache::with_regex(pattern, f)
}

fn parse_fields(args: &[Value], _: &EvalContext) -> Value {
    let [
        Value::String(pattern),
        Value::String(types),
        Value::Bool(relaxed),
        text,
    ] = args
    else {
        return Value::Null;
    };
    let text = crate::value::string_form::to_kusto_string(text);
    let types: Vec<DataType> = types.split(',').filter_map(DataType::from_name).collect();
    with_regex(pattern, |re| {
        let caps = re.captures(&text)?;
        let mut out = Vec::with_capacity(types.len());
        for (i, ty) in types.iter().enumerate() {
            let raw = caps.name(&format!("c{i}")).map_or("", |m| m.as_str());
            let value = crate::value::cast::cast(Value::string(raw), *ty);
            if value.is_null() && *ty != DataType::String && !relaxed {
                return None;
            }
            out.push(value);
        }
        Some(Value::array(out))
    })
    .flatten()
    .unwrap_or(Value::Null)
}

fn parse_kv(args: &[Value], _: &EvalContext) -> Value {
    let [
        Value::String(mode),
        Value::String(pair_or_regex),
        Value::String(kv),
        Value::String(quotes),
        Value::String(escapes),
        Value::Bool(greedy),
        Value::String(keys),
        Value::String(types),
        text,
    ] = args
    else {
        return Value::Null;
    };
    let text = crate::value::string_form::to_kusto_string(text);
    let keys: Vec<&str> = keys.split('\u{1}').collect();
    let types: Vec<DataType> = types.split(',').filter_map(DataType::from_name).collect();
    let mut found: Vec<Option<String>> = vec![None; keys.len()];
    // The first appearance of a key counts; keys and values are trimmed.
    // Whether `key` is one of the listed keys.
    let mut record = |key: &str, value: &str| -> bool {
        let Some(i) = keys.iter().position(|k| *k == key.trim()) else {
            return false;
        };
        if found[i].is_none() {
            found[i] = Some(value.trim().to_string());
        }
        true
    };
    let syntax = KvSyntax {
        quotes: quotes
            .chars()
            .collect::<Vec<_>>()
            .chunks(2)
            .filter_map(|p| Some((*p.first()?, *p.get(1)?)))
            .collect(),
        escapes: escapes.chars().collect(),
    };
    match mode.as_str() {
        "regex" => {
            with_regex(pair_or_regex, |re| {
                for caps in re.captures_iter(&text) {
                    if let (Some(k), Some(v)) = (caps.get(1), caps.get(2)) {
                        record(k.as_str(), v.as_str());
                    }
                }
            });
        }
        "delimited" => {
            let pair: Vec<char> = pair_or_regex.chars().collect();
            let kv: Vec<char> = kv.chars().collect();
            syntax.delimited(&text, &pair, &kv, *greedy, &mut record);
        }
        _ => syntax.any_delimiter(&text, &mut record),
    }
    Value::array(
        types
            .iter()
            .zip(found)
            .map(|(ty, v)| match v {
                Some(v) => crate::value::cast::cast(Value::string(&v), *ty),
                None if *ty == DataType::String => Value::empty_string(),
                None => Value::Null,
            })
            .collect(),
    )
}

/// The quotes (opening, closing) and escape characters of a `parse-kv`.
struct KvSyntax {
    quotes: Vec<(char, char)>,
    escapes: Vec<char>,
}

impl KvSyntax {
    fn closing(&self, c: char) -> Option<char> {
        self.quotes
            .iter()
            .find(|(open, _)| *open == c)
            .map(|(_, close)| *close)
    }

    /// A quoted text from `c[i]` (an opening quote): its content with
    /// escapes resolved, and the position after the closing quote.
    fn quoted(&self, c: &[char], i: usize, close: char) -> (String, usize) {
        let mut out = String::new();
        let mut j = i + 1;
        while j < c.len() {
            if self.escapes.contains(&c[j]) && j + 1 < c.len() {
                out.push(c[j + 1]);
                j += 2;
            } else if c[j] == close {
                return (out, j + 1);
            } else {
                out.push(c[j]);
                j += 1;
            }
        }
        (out, j)
    }

    /// With given delimiters: `key<kv>value<pair>...`, keys and values
    /// optionally quoted. An unquoted value ends at the next pair
    /// delimiter, or with `greedy` at the last one before the next
    /// `key<kv>` (or the end). A token with no `kv` after it is skipped.
    fn delimited(
        &self,
        text: &str,
        pair: &[char],
        kv: &[char],
        greedy: bool,
        record: &mut impl FnMut(&str, &str) -> bool,
    ) {
        let c: Vec<char> = text.chars().collect();
        let at = |i: usize, d: &[char]| !d.is_empty() && c.get(i..i + d.len()) == Some(d);
        let skip_blank = |mut i: usize| {
            while i < c.len() && (c[i].is_whitespace() || at(i, pair)) {
                i += if at(i, pair) { pair.len() } else { 1 };
            }
            i
        };
        // A key from `i`: its text and where it stopped (at `kv`, at `pair`
        // or at the end).
        let key_at = |i: usize| -> (String, usize, bool) {
            let mut i = i;
            while i < c.len() && c[i] == ' ' && !at(i, pair) {
                i += 1;
            }
            let (mut key, mut j) = match c.get(i).and_then(|&q| self.closing(q)) {
                Some(close) => self.quoted(&c, i, close),
                None => (String::new(), i),
            };
            while j < c.len() && !at(j, kv) && !at(j, pair) {
                key.push(c[j]);
                j += 1;
            }
            (key, j, at(j, kv))
        };
        let mut i = skip_blank(0);
        while i < c.len() {
            let (key, j, is_key) = key_at(i);
            if !is_key || key.trim().is_empty() {
                i = skip_blank(if j < c.len() {
                    j + pair.len().max(1)
                } else {
                    j
                });
                continue;
            }
            let mut v = j + kv.len();
            while v < c.len() && c[v] == ' ' && !at(v, pair) {
                v += 1;
            }
            if let Some(close) = c.get(v).and_then(|&q| self.closing(q)) {
                let (value, end) = self.quoted(&c, v, close);
                record(&key, &value);
                let mut e = end;
                while e < c.len() && !at(e, pair) {
                    e += 1;
                }
                i = skip_blank(e);
                continue;
            }
            let mut e = v;
            loop {
                while e < c.len() && !at(e, pair) {
                    e += 1;
                }
                if !greedy || e >= c.len() {
                    break;
                }
                let (next, _, next_is_key) = key_at(e + pair.len());
                if next_is_key && !next.trim().is_empty() {
                    break;
                }
                e += pair.len();
            }
            let value: String = c[v..e].iter().collect();
            record(&key, &value);
            i = skip_blank(e);
        }
    }

    /// With no delimiters given: any run of non-alphanumeric characters
    /// separates a key (a word) from its value (a word, or quoted text).
    /// A listed key takes the word after it; other words are skipped one
    /// at a time, so a value may also be read as a key.
    fn any_delimiter(&self, text: &str, record: &mut impl FnMut(&str, &str) -> bool) {
        let c: Vec<char> = text.chars().collect();
        let word_end = |mut i: usize| {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            i
        };
        let mut i = 0;
        while i < c.len() {
            if !(c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
                continue;
            }
            let end = word_end(i);
            let key: String = c[i..end].iter().collect();
            let mut v = end;
            while v < c.len()
                && !(c[v].is_alphanumeric() || c[v] == '_')
                && self.closing(c[v]).is_none()
            {
                v += 1;
            }
            if v == end || v >= c.len() {
                i = end;
                continue;
            }
            if let Some(close) = self.closing(c[v]) {
                let (value, after) = self.quoted(&c, v, close);
                i = if record(&key, &value) { after } else { end };
            } else {
                let value_end = word_end(v);
                let value: String = c[v..value_end].iter().collect();
                i = if record(&key, &value) { value_end } else { end };
            }
        }
    }
}

//! Lookups in raw JSON text, without building a tree.
//!
//! `parse_json(log_s).verb` only needs the bytes of `verb`. The functions
//! here return the raw bytes of a member or element (trimmed of
//! whitespace, themselves valid JSON that can be looked into again or
//! decoded with the [`row`](super::row) decoders), skipping everything
//! else without decoding it.
//!
//! They still validate **all** of the text, by the same rules as
//! [`parse_value`](super::parse_value) (including its depth limit,
//! [`MAX_TREE_DEPTH`]), because KQL's `parse_json` turns invalid text into
//! a dynamic *string*, on which every member access is null. So an error
//! from a lookup means "not JSON": the caller's result is null. A valid
//! text without the member (or not an object at all) gives `Ok(None)`.
//! When an object repeats a key, the last one wins, as in `parse_value`.
//!
//! ```
//! use kqlite::internals::json::{get_member, get_index, get_path, PathStep};
//! let event = br#"{"verb":"create","sourceIPs":["10.0.0.1","::1"],"user":{"username":"bob"}}"#;
//! assert_eq!(get_member(event, "verb").unwrap(), Some(&br#""create""#[..]));
//! let ips = get_member(event, "sourceIPs").unwrap().unwrap();
//! assert_eq!(get_index(ips, -1).unwrap(), Some(&br#""::1""#[..]));
//! let path = [PathStep::Key("user"), PathStep::Key("username")];
//! assert_eq!(get_path(event, &path).unwrap(), Some(&br#""bob""#[..]));
//! assert!(get_member(b"{\"verb\":\"get\",}", "verb").is_err());
//! ```

use super::row::{KeySet, RowSlots};
use super::scan::Scanner;
use super::{JsonError, MAX_TREE_DEPTH};

/// Checks that `raw` is one JSON value that [`parse_value`](super::parse_value)
/// accepts, and says why not otherwise.
pub fn check(raw: &[u8]) -> Result<(), JsonError> {
    let mut s = Scanner::new(raw);
    s.skip_value_limited(MAX_TREE_DEPTH)?;
    s.finish()
}

/// Whether `raw` is one JSON value that [`parse_value`](super::parse_value)
/// accepts (whitespace allowed around it).
pub fn validate(raw: &[u8]) -> bool {
    check(raw).is_ok()
}

/// Validates the rest of the text after a lookup found (or passed) what it
/// wanted.
fn skip_rest(s: &mut Scanner<'_>) -> Result<(), JsonError> {
    s.skip_value_limited(MAX_TREE_DEPTH)?;
    s.finish()
}

/// The raw value of member `key` when `raw` is an object that has it.
pub fn get_member<'a>(raw: &'a [u8], key: &str) -> Result<Option<&'a [u8]>, JsonError> {
    let mut s = Scanner::new(raw);
    if s.peek() != Some(b'{') {
        skip_rest(&mut s)?;
        return Ok(None);
    }
    let mut members = s.begin_object()?;
    let mut found = None;
    while let Some(k) = s.next_key_bytes(&mut members)? {
        let value = s.value_bytes(MAX_TREE_DEPTH - 1)?;
        if *k == *key.as_bytes() {
            found = Some(value);
        }
    }
    s.finish()?;
    Ok(found)
}

/// The raw element at `index` when `raw` is an array that long. A negative
/// index counts from the end, as in KQL: `-1` is the last element.
pub fn get_index(raw: &[u8], index: i64) -> Result<Option<&[u8]>, JsonError> {
    let mut s = Scanner::new(raw);
    if s.peek() != Some(b'[') {
        skip_rest(&mut s)?;
        return Ok(None);
    }
    let start = s.clone();
    let mut items = s.begin_array()?;
    let mut count: u64 = 0;
    let mut found = None;
    while s.next_element(&mut items)? {
        let value = s.value_bytes(MAX_TREE_DEPTH - 1)?;
        if i64::try_from(count) == Ok(index) || index == -1 {
            found = Some(value);
        }
        count += 1;
    }
    s.finish()?;
    if index >= -1 {
        return Ok(found);
    }
    // A negative index other than -1: now that the length is known and the
    // text valid, walk again to the element.
    let Some(target) = i64::try_from(count).ok().and_then(|n| n.checked_add(index)) else {
        return Ok(None);
    };
    let Ok(target) = u64::try_from(target) else {
        return Ok(None);
    };
    let mut s = start;
    let mut items = s.begin_array()?;
    let mut i: u64 = 0;
    while s.next_element(&mut items)? {
        let value = s.value_bytes(MAX_TREE_DEPTH - 1)?;
        if i == target {
            return Ok(Some(value));
        }
        i += 1;
    }
    Ok(None)
}

/// Several members in one pass: records in `out` where the value of each
/// key of `keys` lies in `raw` (read them with [`RowSlots::get`]). Returns
/// whether `raw` is an object; when it is not, every slot is empty.
pub fn get_members(raw: &[u8], keys: &KeySet, out: &mut RowSlots) -> Result<bool, JsonError> {
    keys.scan_object(raw, MAX_TREE_DEPTH, out)
}

/// One step of a [`get_path`]: `.key` / `["key"]`, or `[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStep<'k> {
    Key(&'k str),
    Index(i64),
}

/// Follows `path` from `raw`: `[Key("user"), Key("username")]` is
/// `.user.username`. `None` when a step finds nothing; an empty path gives
/// the whole value back (trimmed).
pub fn get_path<'a>(raw: &'a [u8], path: &[PathStep<'_>]) -> Result<Option<&'a [u8]>, JsonError> {
    let mut current = raw;
    if path.is_empty() {
        let mut s = Scanner::new(raw);
        let value = s.value_bytes(MAX_TREE_DEPTH)?;
        s.finish()?;
        return Ok(Some(value));
    }
    // The first step validates all of `raw`; the later ones look inside
    // values it has already checked.
    for step in path {
        let next = match *step {
            PathStep::Key(key) => get_member(current, key)?,
            PathStep::Index(index) => get_index(current, index)?,
        };
        match next {
            Some(value) => current = value,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Reason;

    const EVENT: &[u8] = br#" {"kind":"Event","verb":"get","user":{"username":"bob","groups":["a","b"]},"sourceIPs":["10.0.0.1"],"n":[0,1,2,3,4]} "#;

    #[test]
    fn members() {
        assert_eq!(get_member(EVENT, "verb").unwrap(), Some(&br#""get""#[..]));
        assert_eq!(
            get_member(EVENT, "sourceIPs").unwrap(),
            Some(&br#"["10.0.0.1"]"#[..])
        );
        assert_eq!(get_member(EVENT, "missing").unwrap(), None);
        assert_eq!(get_member(EVENT, "username").unwrap(), None);
        assert_eq!(get_member(b"[1]", "a").unwrap(), None);
        assert_eq!(get_member(b"\"a\"", "a").unwrap(), None);
        assert_eq!(get_member(b"null", "a").unwrap(), None);
        assert_eq!(
            get_member(br#"{"a":1,"b":2,"a":{ "x" : 3 }}"#, "a").unwrap(),
            Some(&br#"{ "x" : 3 }"#[..])
        );
        assert_eq!(
            get_member(br#"{"\u0061\/b":1}"#, "a/b").unwrap(),
            Some(&b"1"[..])
        );
    }

    #[test]
    fn invalid_text_is_an_error_even_after_the_member() {
        for text in [
            &br#"{"verb":"get","x":}"#[..],
            br#"{"verb":"get"} trailing"#,
            br#"{"verb":"get","#,
            b"not json",
            b"",
            br#"[1,2,]"#,
            br#"{"verb":"get","x":"\q"}"#,
        ] {
            assert!(get_member(text, "verb").is_err());
            assert!(get_index(text, 0).is_err());
            assert!(get_index(text, -2).is_err());
            assert!(!validate(text));
            assert!(get_path(text, &[PathStep::Key("verb")]).is_err());
        }
    }

    #[test]
    fn indexes() {
        let n = get_member(EVENT, "n").unwrap().unwrap();
        assert_eq!(get_index(n, 0).unwrap(), Some(&b"0"[..]));
        assert_eq!(get_index(n, 4).unwrap(), Some(&b"4"[..]));
        assert_eq!(get_index(n, 5).unwrap(), None);
        assert_eq!(get_index(n, -1).unwrap(), Some(&b"4"[..]));
        assert_eq!(get_index(n, -2).unwrap(), Some(&b"3"[..]));
        assert_eq!(get_index(n, -5).unwrap(), Some(&b"0"[..]));
        assert_eq!(get_index(n, -6).unwrap(), None);
        assert_eq!(get_index(n, i64::MIN).unwrap(), None);
        assert_eq!(get_index(n, i64::MAX).unwrap(), None);
        assert_eq!(get_index(b"[]", 0).unwrap(), None);
        assert_eq!(get_index(b"[]", -1).unwrap(), None);
        assert_eq!(get_index(b" [ [1] , {} ] ", 0).unwrap(), Some(&b"[1]"[..]));
        assert_eq!(get_index(b" [ [1] , {} ] ", -1).unwrap(), Some(&b"{}"[..]));
        assert_eq!(get_index(b"{\"0\":1}", 0).unwrap(), None);
    }

    #[test]
    fn paths() {
        let p = |steps: &[PathStep<'_>]| get_path(EVENT, steps).unwrap();
        use PathStep::{Index, Key};
        assert_eq!(
            p(&[Key("user"), Key("groups"), Index(-1)]),
            Some(&br#""b""#[..])
        );
        assert_eq!(p(&[Key("user"), Key("nope"), Index(0)]), None);
        assert_eq!(p(&[Key("verb"), Key("x")]), None);
        assert_eq!(p(&[]), Some(EVENT.trim_ascii()));
    }

    #[test]
    fn many_members_in_one_pass() {
        let keys = KeySet::new(&["verb", "sourceIPs", "absent"]);
        let mut out = RowSlots::new();
        assert!(get_members(EVENT, &keys, &mut out).unwrap());
        assert_eq!(out.get(EVENT, 0), Some(&br#""get""#[..]));
        assert_eq!(out.get(EVENT, 1), Some(&br#"["10.0.0.1"]"#[..]));
        assert_eq!(out.get(EVENT, 2), None);
        assert!(!get_members(b"[1]", &keys, &mut out).unwrap());
        assert_eq!(out.get(b"[1]", 0), None);
        assert!(get_members(b"{\"verb\":1,}", &keys, &mut out).is_err());
        assert!(get_members(b"[1] 2", &keys, &mut out).is_err());
    }

    #[test]
    fn depth_agrees_with_parse_value() {
        use crate::json::parse_value;
        for depth in [MAX_TREE_DEPTH - 1, MAX_TREE_DEPTH, MAX_TREE_DEPTH + 1] {
            let text = format!(
                "{{\"a\":{}{}}}",
                "[".repeat(depth - 1),
                "]".repeat(depth - 1)
            );
            let parsed = parse_value(&text).is_ok();
            assert_eq!(validate(text.as_bytes()), parsed);
            assert_eq!(get_member(text.as_bytes(), "a").is_ok(), parsed);
            let keys = KeySet::new(&["a"]);
            let mut out = RowSlots::new();
            assert_eq!(
                get_members(text.as_bytes(), &keys, &mut out).is_ok(),
                parsed
            );
            let arr = format!("[{}]", &text);
            assert_eq!(validate(arr.as_bytes()), parse_value(&arr).is_ok());
            assert_eq!(
                get_index(arr.as_bytes(), 0).is_ok(),
                parse_value(&arr).is_ok()
            );
        }
        assert_eq!(
            check(format!("{}{}", "[".repeat(600), "]".repeat(600)).as_bytes())
                .unwrap_err()
                .reason,
            Reason::TooDeep
        );
    }
}

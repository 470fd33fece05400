//! The string algorithms behind the string functions of `string.rs`:
//! `strlen`, `substring`, `indexof`, `split`, `trim`, `replace_string`,
//! `countof`, URL and base64 coding, `parse_url`, `parse_path`, `extract`.
//! Everything here is a pure function over `&str`; case folding and term
//! matching, which the operators also use, stay in [`crate::value::text`].

use memchr::memmem;
use regex::Regex;

use crate::value::{Bag, Str, Value};

// ---------------------------------------------------------------------------
// String functions
// ---------------------------------------------------------------------------

/// `strlen(s)`: the number of Unicode code points (docs: `strlen-function`:
/// `strlen("⒦⒰⒮⒯⒪")` is 5).
pub fn strlen(s: &str) -> i64 {
    if s.is_ascii() {
        s.len() as i64
    } else {
        s.chars().count() as i64
    }
}

/// The byte offset of code point `k` in `s` (or `s.len()` past the end).
fn byte_offset(s: &str, k: usize) -> usize {
    if s.is_ascii() {
        return k.min(s.len());
    }
    s.char_indices().nth(k).map_or(s.len(), |(i, _)| i)
}

/// `substring(source, start [, length])` in code points (docs:
/// `substring-function`). A negative `start` counts from the end
/// (`substring("123456", -2, 2)` is `"56"`). Decisions where the docs are
/// silent: positions are clamped to the string (a start before the
/// beginning is the beginning; past the end gives `""`), and a negative
/// length gives `""`.
pub fn substring(s: &str, start: i64, length: Option<i64>) -> &str {
    let n = strlen(s);
    let start = if start < 0 {
        (n + start).max(0)
    } else {
        start.min(n)
    };
    let end = match length {
        Some(l) if l < 0 => return "",
        Some(l) => start.saturating_add(l).min(n),
        None => n,
    };
    let b = byte_offset(s, start as usize);
    let e = b + byte_offset(&s[b..], (end - start) as usize);
    &s[b..e]
}

/// `indexof(source, lookup [, start [, length [, occurrence]]])` in code
/// points (docs: `indexof-function`): the index of the `occurrence`-th
/// (1-based) match of `lookup` lying wholly inside the examined range, `-1`
/// if there is none. `start` counts from the end when negative; `length`
/// `-1` means to the end. `None` (null) when the start is still negative
/// after that, `length < -1`, or `occurrence < 0`.
///
/// The examined window keeps its length as the search moves on to later
/// occurrences (the docs' `indexof("abcdefgabcdefg", "cde", 1, 10, 2)` is
/// 9, past the first window's end), and the next search starts one position
/// after the previous match. Decisions: a start past the end, or occurrence
/// 0, gives -1; an empty lookup matches at the search position.
pub fn indexof(s: &str, lookup: &str, start: i64, length: i64, occurrence: i64) -> Option<i64> {
    if length < -1 || occurrence < 0 {
        return None;
    }
    let chars: Vec<char> = s.chars().collect();
    let needle: Vec<char> = lookup.chars().collect();
    let n = chars.len() as i64;
    let mut pos = if start < 0 { n + start } else { start };
    if pos < 0 {
        return None;
    }
    if pos > n || occurrence == 0 {
        return Some(-1);
    }
    let m = needle.len() as i64;
    for k in 1..=occurrence {
        let window_end = if length == -1 {
            n
        } else {
            pos.saturating_add(length).min(n)
        };
        let found = (pos..=window_end.saturating_sub(m))
            .find(|&p| chars.get(p as usize..(p + m) as usize) == Some(&needle[..]));
        match found {
            Some(p) if k == occurrence => return Some(p),
            Some(p) => pos = p + 1,
            None => return Some(-1),
        }
        if pos > n {
            return Some(-1);
        }
    }
    Some(-1)
}

/// `split(source, delimiter)`: the pieces between occurrences of the literal
/// delimiter (docs: `split-function`: `split("a__b", "_")` is
/// `["a","","b"]`, `split("", "_")` is `[""]`). Decision: an empty
/// delimiter gives the whole string as the only piece.
pub fn split<'a>(s: &'a str, delimiter: &str) -> Vec<&'a str> {
    if delimiter.is_empty() {
        return vec![s];
    }
    s.split(delimiter).collect()
}

/// `split(source, delimiter, requestedIndex)`: still an array, holding the
/// piece at that zero-based index, or empty when there is no such piece
/// (docs: `split("aaa_bbb_ccc", "_", 1)` is `["bbb"]`). Decision: a
/// negative index gives an empty array.
pub fn split_at_index<'a>(s: &'a str, delimiter: &str, index: i64) -> Vec<&'a str> {
    let Ok(i) = usize::try_from(index) else {
        return Vec::new();
    };
    split(s, delimiter).into_iter().nth(i).into_iter().collect()
}

/// The regex of `trim`, `trim_start` and `trim_end`, compiled once: those
/// functions remove *all* leading and/or trailing matches of it (docs:
/// `trim-function`: `trim("--", "--https://bing.com--")` is
/// `"https://bing.com"`; `trim("1", "11")` is `""`).
#[derive(Clone, Debug)]
pub struct TrimRegex {
    leading: Regex,
    trailing: Regex,
}

impl TrimRegex {
    /// Compiles `^(?:pattern)+` and `(?:pattern)+$` for the pattern text.
    pub fn new(pattern: &str) -> Result<TrimRegex, regex::Error> {
        Ok(TrimRegex {
            leading: Regex::new(&format!("^(?:{pattern})+"))?,
            trailing: Regex::new(&format!("(?:{pattern})+$"))?,
        })
    }

    /// `trim_start(regex, source)`.
    pub fn trim_start<'a>(&self, s: &'a str) -> &'a str {
        match self.leading.find(s) {
            Some(m) => &s[m.end()..],
            None => s,
        }
    }

    /// `trim_end(regex, source)`.
    pub fn trim_end<'a>(&self, s: &'a str) -> &'a str {
        match self.trailing.find(s) {
            Some(m) => &s[..m.start()],
            None => s,
        }
    }

    /// `trim(regex, source)`: leading matches, then trailing matches of what
    /// is left.
    pub fn trim<'a>(&self, s: &'a str) -> &'a str {
        self.trim_end(self.trim_start(s))
    }
}

/// `replace_string(text, lookup, rewrite)`: every non-overlapping literal
/// occurrence, left to right (docs: `replace-string-function`). Decision:
/// an empty lookup leaves the text unchanged.
pub fn replace_string(text: &str, lookup: &str, rewrite: &str) -> String {
    if lookup.is_empty() {
        text.to_string()
    } else {
        text.replace(lookup, rewrite)
    }
}

/// `reverse(s)`: the code points in reverse order (docs: `reverse-function`;
/// callers convert non-strings with `tostring` first).
pub fn reverse(s: &str) -> String {
    s.chars().rev().collect()
}

/// `strcmp(a, b)`: -1, 0 or 1 by ordinal comparison (docs:
/// `strcmp-function`). Decision: code point order (= UTF-8 byte order).
pub fn strcmp(a: &str, b: &str) -> i64 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// `countof(text, search)` (kind `normal`): occurrences, overlapping ones
/// included (docs: `countof("aaaa", "aa")` is 3). Decision: an empty search
/// string counts 0.
pub fn countof(text: &str, search: &str) -> i64 {
    if search.is_empty() {
        return 0;
    }
    let finder = memmem::Finder::new(search.as_bytes());
    let h = text.as_bytes();
    let mut count = 0;
    let mut from = 0;
    // A UTF-8 needle only matches at character starts, so stepping one byte
    // past each match start finds every overlapping occurrence.
    while let Some(p) = finder.find(&h[from..]) {
        count += 1;
        from += p + 1;
    }
    count
}

/// `countof(text, search, "regex")`: non-overlapping regex matches (docs:
/// `countof("abcabc", "a.c", "regex")` is 2).
pub fn countof_regex(text: &str, re: &Regex) -> i64 {
    re.find_iter(text).count() as i64
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `url_decode(encoded)` (docs: `url-decode-function`): `%hh` sequences
/// become bytes and `+` a space (form encoding, the inverse of
/// [`url_encode`]); a `%` not followed by two hex digits is kept as is.
/// Decoded bytes that are not UTF-8 become U+FFFD.
pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    if !b.iter().any(|&c| c == b'%' || c == b'+') {
        return s.to_string();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url_encode_with(s: &str, space: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'*'
            | b'('
            | b')' => out.push(b as char),
            b' ' => out.push_str(space),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

/// `url_encode(url)` (docs: `url-encode-function`: `https://www.bing.com/hello
/// world` → `https%3a%2f%2fwww.bing.com%2fhello+world`): UTF-8 bytes as
/// lower-case `%hh`, a space as `+`; letters, digits and `-_.!*()` are
/// kept (the unreserved set of .NET's `HttpUtility.UrlEncode`).
pub fn url_encode(s: &str) -> String {
    url_encode_with(s, "+")
}

/// `url_encode_component(url)`: as [`url_encode`] but a space is `%20`
/// (docs: `url-encode-component-function`).
pub fn url_encode_component(s: &str) -> String {
    url_encode_with(s, "%20")
}

fn base64_engine() -> base64::engine::GeneralPurpose {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// `base64_encode_tostring(s)`: standard alphabet, padded (docs:
/// `base64-encode-tostring-function`: `"Kusto"` → `"S3VzdG8="`).
pub fn base64_encode_tostring(s: &str) -> String {
    use base64::Engine;
    base64_engine().encode(s.as_bytes())
}

/// `base64_decode_tostring(s)` (docs: `base64-decode-tostring-function`):
/// the decoded bytes as UTF-8 text; `None` (null) when they are not UTF-8.
/// Decisions: ASCII whitespace in the input is ignored and padding is
/// optional (as .NET's decoder); other invalid base64 gives `None`.
pub fn base64_decode_tostring(s: &str) -> Option<String> {
    use base64::Engine;
    let compact: Vec<u8>;
    let input = if s.bytes().any(|b| b.is_ascii_whitespace()) {
        compact = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        &compact[..]
    } else {
        s.as_bytes()
    };
    let bytes = base64_engine().decode(input).ok()?;
    String::from_utf8(bytes).ok()
}

fn bag_of_strings(pairs: &[(&str, &str)]) -> Bag {
    pairs
        .iter()
        .map(|(k, v)| (Str::new(k), Value::string(v)))
        .collect()
}

/// Splits `k1=v1&k2=v2` into a bag; pieces without `=` are skipped and a
/// repeated key keeps its last value. Keys and values are taken verbatim.
fn query_parameters(query: &str) -> Bag {
    let mut bag = Bag::new();
    for pair in query.split('&') {
        if let Some((k, v)) = pair.split_once('=') {
            bag.insert(Str::new(k), Value::string(v));
        }
    }
    bag
}

/// The length of a URI scheme (`[A-Za-z][A-Za-z0-9+.-]*`) at the start of
/// `s` when it is followed by `://`.
fn scheme_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let n = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.'))?;
    s[n..].starts_with("://").then_some(n)
}

/// `parse_url(url)` (docs: `parse-url-function`): a bag with `Scheme`,
/// `Host`, `Port`, `Path`, `Username`, `Password`, `Query Parameters` (a
/// bag) and `Fragment`, all strings.
///
/// Follows what the service was seen to return (microsoft/Kusto-Query-Language
/// issue #112): `Path` keeps its leading `/` (the docs' table shows it
/// without, the service with); user info is recognised only as
/// `user:password@`; the port is whatever follows the authority's last `:`
/// (so `[2001:db8::7]` gives host `[2001:db8:` and port `7]`); query pieces
/// without `=` are dropped. Text without `scheme://` gives every field
/// empty.
pub fn parse_url(url: &str) -> Bag {
    let empty = |qp: Bag| {
        let mut bag = bag_of_strings(&[
            ("Scheme", ""),
            ("Host", ""),
            ("Port", ""),
            ("Path", ""),
            ("Username", ""),
            ("Password", ""),
        ]);
        bag.insert(Str::new("Query Parameters"), Value::bag(qp));
        bag.insert(Str::new("Fragment"), Value::empty_string());
        bag
    };
    let Some(n) = scheme_len(url) else {
        return empty(Bag::new());
    };
    let scheme = &url[..n];
    let rest = &url[n + 3..];
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (user, password, hostport) = match authority.split_once('@') {
        Some((info, host)) => match info.split_once(':') {
            Some((u, p)) => (u, p, host),
            None => ("", "", authority),
        },
        None => ("", "", authority),
    };
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, ""));
    let mut bag = bag_of_strings(&[
        ("Scheme", scheme),
        ("Host", host),
        ("Port", port),
        ("Path", path),
        ("Username", user),
        ("Password", password),
    ]);
    bag.insert(
        Str::new("Query Parameters"),
        Value::bag(query_parameters(query)),
    );
    bag.insert(Str::new("Fragment"), Value::string(fragment));
    bag
}

/// `parse_urlquery(query)` (docs: `parse-urlquery-function`): a bag with the
/// single key `Query Parameters`. The text is the query alone, without the
/// leading `?` (a leading `?` stays part of the first key, as the service
/// does per MicrosoftDocs/dataexplorer-docs issue #1056).
pub fn parse_urlquery(query: &str) -> Bag {
    let mut bag = Bag::new();
    bag.insert(
        Str::new("Query Parameters"),
        Value::bag(query_parameters(query)),
    );
    bag
}

/// `parse_path(path)` (docs: `parse-path-function`): a bag with `Scheme`,
/// `RootPath`, `DirectoryPath`, `DirectoryName`, `Filename`, `Extension`
/// and `AlternateDataStreamName`. Both slashes separate; `scheme://` is
/// split off; a drive letter `C:` is the root path; the long-path prefix
/// `\\?\` is skipped for the root; a `:` in the last component starts an
/// alternate data stream name; the extension is what follows the file
/// name's last `.`.
pub fn parse_path(path: &str) -> Bag {
    let (scheme, rest) = match scheme_len(path) {
        Some(n) => (&path[..n], &path[n + 3..]),
        None => ("", path),
    };
    let unprefixed = rest.strip_prefix(r"\\?\").unwrap_or(rest);
    let ub = unprefixed.as_bytes();
    let root = if ub.len() >= 2 && ub[0].is_ascii_alphabetic() && ub[1] == b':' {
        &unprefixed[..2]
    } else {
        ""
    };
    let (dir, last) = match rest.rfind(['/', '\\']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => ("", rest),
    };
    let dir_name = match dir.rfind(['/', '\\']) {
        Some(i) => &dir[i + 1..],
        None => dir,
    };
    // A drive letter alone is a root, not a directory name.
    let dir_name = if dir_name == root { "" } else { dir_name };
    let last = if dir.is_empty() && !root.is_empty() {
        &last[root.len().min(last.len())..]
    } else {
        last
    };
    let (file, ads) = last.split_once(':').unwrap_or((last, ""));
    let ext = file.rfind('.').map_or("", |i| &file[i + 1..]);
    bag_of_strings(&[
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", ext),
        ("AlternateDataStreamName", ads),
    ])
}

/// `extract(regex, captureGroup, source)` (docs: `extract-function`): the
/// text of the group (0 = the whole match) in the first match; `None` when
/// there is no match or the group did not take part in it (`""` for a
/// string result, null after conversion to another type — the caller's
/// job).
pub fn extract<'a>(re: &Regex, group: usize, source: &'a str) -> Option<&'a str> {
    if group == 0 {
        return re.find(source).map(|m| m.as_str());
    }
    re.captures(source)?.get(group).map(|m| m.as_str())
}

/// A capture group named in `extract_all`'s *captureGroups* argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureRef {
    Index(usize),
    Name(String),
}

/// `extract_all(regex, [captureGroups,] source)` (docs:
/// `extract-all-function`): for each match, the selected groups (all groups
/// when `groups` is `None`). With one selected group the result is an array
/// of strings, otherwise an array of arrays; null when nothing matches. A
/// group that did not take part gives `""`. Decisions: a regex without
/// groups selects the whole match; an unknown group number or name gives
/// `""`.
pub fn extract_all(re: &Regex, groups: Option<&[CaptureRef]>, source: &str) -> Value {
    let selected: Vec<Option<usize>> = match groups {
        Some(g) => g
            .iter()
            .map(|r| match r {
                CaptureRef::Index(i) => (*i < re.captures_len()).then_some(*i),
                CaptureRef::Name(n) => re.capture_names().position(|x| x == Some(n.as_str())),
            })
            .collect(),
        None if re.captures_len() > 1 => (1..re.captures_len()).map(Some).collect(),
        None => vec![Some(0)],
    };
    let mut rows = Vec::new();
    for caps in re.captures_iter(source) {
        let text = |i: &Option<usize>| {
            Value::string(i.and_then(|i| caps.get(i)).map_or("", |m| m.as_str()))
        };
        if selected.len() == 1 {
            rows.push(text(&selected[0]));
        } else {
            rows.push(Value::array(selected.iter().map(text).collect()));
        }
    }
    if rows.is_empty() {
        Value::Null
    } else {
        Value::array(rows)
    }
}

/// Punycode (RFC 3492) parameters.
mod punycode {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    const INITIAL_BIAS: u32 = 72;
    const INITIAL_N: u32 = 0x80;

    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta /= if first { DAMP } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }

    fn digit(d: u32) -> char {
        // 0..25 are a..z, 26..35 are 0..9.
        char::from_u32(if d < 26 {
            d + u32::from(b'a')
        } else {
            d - 26 + u32::from(b'0')
        })
        .unwrap_or('a')
    }

    fn threshold(k: u32, bias: u32) -> u32 {
        if k <= bias {
            T_MIN
        } else if k >= bias + T_MAX {
            T_MAX
        } else {
            k - bias
        }
    }

    /// The Punycode encoding of `input`: its basic (ASCII) characters kept in
    /// order, a `-` when there are any, then the others as variable-length
    /// integers. `None` on arithmetic overflow.
    pub fn encode(input: &str) -> Option<String> {
        let chars: Vec<u32> = input.chars().map(u32::from).collect();
        let mut out: String = input.chars().filter(char::is_ascii).collect();
        let basic = u32::try_from(out.len()).ok()?;
        let mut handled = basic;
        if basic > 0 {
            out.push('-');
        }
        let (mut n, mut delta, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
        let total = u32::try_from(chars.len()).ok()?;
        while handled < total {
            let m = chars.iter().copied().filter(|&c| c >= n).min()?;
            delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
            n = m;
            for &c in &chars {
                if c < n {
                    delta = delta.checked_add(1)?;
                }
                if c == n {
                    let mut q = delta;
                    let mut k = BASE;
                    loop {
                        let t = threshold(k, bias);
                        if q < t {
                            break;
                        }
                        out.push(digit(t + (q - t) % (BASE - t)));
                        q = (q - t) / (BASE - t);
                        k += BASE;
                    }
                    out.push(digit(q));
                    bias = adapt(delta, handled + 1, handled == basic);
                    delta = 0;
                    handled += 1;
                }
            }
            delta = delta.checked_add(1)?;
            n = n.checked_add(1)?;
        }
        Some(out)
    }

    /// The text a Punycode string encodes; `None` when it is not valid
    /// Punycode.
    pub fn decode(input: &str) -> Option<String> {
        let (basic, rest) = match input.rfind('-') {
            Some(i) => (&input[..i], &input[i + 1..]),
            None => ("", input),
        };
        if !basic.is_ascii() {
            return None;
        }
        let mut out: Vec<char> = basic.chars().collect();
        let (mut n, mut i, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
        let mut digits = rest.bytes().peekable();
        while digits.peek().is_some() {
            let old_i = i;
            let mut w = 1u32;
            let mut k = BASE;
            loop {
                let b = digits.next()?;
                let d = match b {
                    b'a'..=b'z' => u32::from(b - b'a'),
                    b'A'..=b'Z' => u32::from(b - b'A'),
                    b'0'..=b'9' => u32::from(b - b'0') + 26,
                    _ => return None,
                };
                i = i.checked_add(d.checked_mul(w)?)?;
                let t = threshold(k, bias);
                if d < t {
                    break;
                }
                w = w.checked_mul(BASE - t)?;
                k += BASE;
            }
            let len = u32::try_from(out.len()).ok()? + 1;
            bias = adapt(i - old_i, len, old_i == 0);
            n = n.checked_add(i / len)?;
            i %= len;
            let c = char::from_u32(n)?;
            out.insert(usize::try_from(i).ok()?, c);
            i += 1;
        }
        Some(out.into_iter().collect())
    }
}

/// `punycode_from_string(s)` (docs: `punycode-from-string-function`): the
/// Punycode encoding of `s`; `None` when it cannot be encoded.
pub fn punycode_from_string(s: &str) -> Option<String> {
    punycode::encode(s)
}

/// `punycode_to_string(s)` (docs: `punycode-to-string-function`): the text a
/// Punycode string encodes; `None` when `s` is not valid Punycode.
pub fn punycode_to_string(s: &str) -> Option<String> {
    punycode::decode(s)
}

/// The label separators of an internationalized domain name: `.` and its
/// ideographic and full-width forms (`。`, `｡`, `．`).
fn domain_labels(s: &str) -> std::str::Split<'_, [char; 4]> {
    s.split(['.', '\u{3002}', '\u{FF61}', '\u{FF0E}'])
}

/// `punycode_domain_to_string(s)` (docs: `punycode-domain-to-string-function`):
/// each label with a non-ASCII character becomes `xn--` and its Punycode; the
/// labels are joined with `.`. `None` when a label cannot be encoded.
pub fn punycode_domain_to_string(s: &str) -> Option<String> {
    let labels: Option<Vec<String>> = domain_labels(s)
        .map(|label| {
            if label.is_ascii() {
                Some(label.to_string())
            } else {
                punycode::encode(label).map(|p| format!("xn--{p}"))
            }
        })
        .collect();
    labels.map(|l| l.join("."))
}

/// `punycode_domain_from_string(s)` (docs: `punycode-domain-from-string-function`):
/// each `xn--` label decoded from Punycode, the others kept. `None` when a
/// label is not valid Punycode.
pub fn punycode_domain_from_string(s: &str) -> Option<String> {
    let labels: Option<Vec<String>> = s
        .split('.')
        .map(|label| match label.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("xn--") => punycode::decode(&label[4..]),
            _ => Some(label.to_string()),
        })
        .collect();
    labels.map(|l| l.join("."))
}

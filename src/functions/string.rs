//! String functions. Each wraps the tested implementation in
//! [`super::strings`]; doc pages are
//! `https://learn.microsoft.com/kusto/query/<name>-function`.
//!
//! Arguments declared `string` by Kusto also accept `dynamic` here (the
//! value is converted with `tostring`), and the "scalar" arguments of
//! `substring`, `indexof`, `reverse`, `split`… accept any type, converted
//! the same way (`indexof(1234567, 5)` searches `"1234567"` for `"5"`).

use super::SignatureError;
use super::function;
use super::regex_cache::{self, with_regex, with_trim};
use super::strings as t;
use super::{
    EvalContext, Naming, ScalarFunction, arg, int_of, signature, string_value, text, type_literal,
};
use crate::types::DataType;
use crate::value::{Str, Value};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("strlen", 1, 1, sig_long_of_any, strlen).named(Naming::Prefixed),
    function("string_size", 1, 1, sig_long_of_any, string_size).named(Naming::Prefixed),
    function("tolower", 1, 1, sig_string_of_any, tolower),
    function("toupper", 1, 1, sig_string_of_any, toupper),
    function("strcat", 1, 64, sig_string_of_any, strcat),
    function("strcat_delim", 3, 65, sig_string_of_any, strcat_delim),
    function("strcat_array", 2, 2, sig_strcat_array, strcat_array),
    function("substring", 2, 3, sig_substring, substring),
    function("indexof", 2, 5, sig_indexof, indexof),
    function("indexof_regex", 2, 5, sig_indexof, indexof_regex).with_constants(const_indexof_regex),
    function("split", 2, 3, sig_split, split).named(Naming::FirstArgument),
    function("replace_string", 3, 3, sig_replace, replace_string),
    function(
        "replace_strings",
        3,
        3,
        sig_replace_strings,
        replace_strings,
    ),
    function("replace_regex", 3, 3, sig_replace, replace_regex).with_constants(const_replace_regex),
    function("replace", 3, 3, sig_replace, replace_legacy).with_constants(const_replace_legacy),
    function("trim", 2, 2, sig_trim, trim).with_constants(const_trim),
    function("trim_start", 2, 2, sig_trim, trim_start).with_constants(const_trim),
    function("trim_end", 2, 2, sig_trim, trim_end).with_constants(const_trim),
    function("extract", 3, 4, sig_extract, extract).with_constants(const_extract),
    function("extract_all", 2, 3, sig_extract_all, extract_all).with_constants(const_extract_all),
    function("countof", 2, 3, sig_countof, countof).with_constants(const_countof),
    function("reverse", 1, 1, sig_string_of_any, reverse),
    function("strcmp", 2, 2, sig_strcmp, strcmp),
    function("strrep", 2, 3, sig_strrep, strrep),
    function("translate", 3, 3, sig_translate, translate),
    function("url_decode", 1, 1, sig_string_of_string, url_decode),
    function("url_encode", 1, 1, sig_string_of_string, url_encode),
    function(
        "url_encode_component",
        1,
        1,
        sig_string_of_string,
        url_encode_component,
    ),
    function(
        "base64_encode_tostring",
        1,
        1,
        sig_string_of_string,
        base64_encode_tostring,
    ),
    function(
        "base64_decode_tostring",
        1,
        1,
        sig_string_of_string,
        base64_decode_tostring,
    ),
    function(
        "punycode_from_string",
        1,
        1,
        sig_string_of_string,
        punycode_from_string,
    ),
    function(
        "punycode_to_string",
        1,
        1,
        sig_string_of_string,
        punycode_to_string,
    ),
    function(
        "punycode_domain_to_string",
        1,
        1,
        sig_string_of_string,
        punycode_domain_to_string,
    ),
    function(
        "punycode_domain_from_string",
        1,
        1,
        sig_string_of_string,
        punycode_domain_from_string,
    ),
    function(
        "zlib_compress_to_base64_string",
        1,
        1,
        sig_string_of_string,
        zlib_compress_to_base64_string,
    ),
    function(
        "zlib_decompress_from_base64_string",
        1,
        1,
        sig_string_of_string,
        zlib_decompress_from_base64_string,
    ),
    function(
        "base64_decode_toarray",
        1,
        1,
        sig_dynamic_of_string,
        base64_decode_toarray,
    ),
    function(
        "base64_encode_fromarray",
        1,
        1,
        sig_string_of_dynamic,
        base64_encode_fromarray,
    ),
    function("parse_url", 1, 1, sig_dynamic_of_string, parse_url),
    function("parse_csv", 1, 1, sig_dynamic_of_string, parse_csv),
    function("parse_version", 1, 1, sig_decimal_of_string, parse_version),
    function(
        "parse_urlquery",
        1,
        1,
        sig_dynamic_of_string,
        parse_urlquery,
    ),
    function("parse_path", 1, 1, sig_dynamic_of_string, parse_path),
    function(
        "parse_command_line",
        2,
        2,
        sig_parse_command_line,
        parse_command_line,
    ),
    function("tohex", 1, 2, sig_tohex, tohex).named(Naming::FirstArgument),
    function("isascii", 1, 1, sig_bool_of_any, isascii),
    function("isutf8", 1, 1, sig_bool_of_any, isutf8),
    function(
        "unicode_codepoints_from_string",
        1,
        1,
        sig_dynamic_of_any,
        codepoints_from_string,
    ),
    function(
        "unicode_codepoints_to_string",
        1,
        64,
        sig_codepoints_to_string,
        codepoints_to_string,
    ),
    function("regex_quote", 1, 1, sig_string_of_any, regex_quote),
    function("new_guid", 0, 0, sig_guid, new_guid).impure(),
    function("format_bytes", 1, 3, sig_format_bytes, format_bytes),
    function("has_any_index", 2, 2, sig_has_any_index, has_any_index),
];

signature!(sig_long_of_any, "strlen", [Any] => Long);
signature!(sig_string_of_any, "string function", [Any] => String);
signature!(sig_string_of_string, "string function", [Str] => String);
signature!(sig_string_of_dynamic, "base64_encode_fromarray", [Dyn] => String);
signature!(sig_dynamic_of_string, "string function", [Str] => Dynamic);
signature!(sig_decimal_of_string, "string function", [Str] => Decimal);
signature!(sig_dynamic_of_any, "unicode_codepoints_from_string", [Any] => Dynamic);
signature!(sig_bool_of_any, "string function", [Any] => Bool);
signature!(sig_strcat_array, "strcat_array", [Dyn, Any] => String);
signature!(sig_substring, "substring", [Any, Int, Int] => String);
signature!(sig_indexof, "indexof", [Any, Any, Int, Int, Int] => Long);
signature!(sig_split, "split", [Any, Str, Int] => Dynamic);
signature!(sig_replace, "replace", [Str, Str, Str] => String);
signature!(sig_replace_strings, "replace_strings", [Str, Dyn, Dyn] => String);
signature!(sig_trim, "trim", [Str, Str] => String);
signature!(sig_extract_all, "extract_all", [Str, Any, Str] => Dynamic);
signature!(sig_countof, "countof", [Str, Str, Str] => Long);
signature!(sig_strcmp, "strcmp", [Any, Any] => Long);
signature!(sig_strrep, "strrep", [Any, Int, Any] => String);
signature!(sig_translate, "translate", [Str, Str, Str] => String);
signature!(sig_parse_command_line, "parse_command_line", [Any, Str] => Dynamic);
signature!(sig_tohex, "tohex", [Int, Int] => String);
signature!(sig_codepoints_to_string, "unicode_codepoints_to_string", [Any] => String);
signature!(sig_guid, "new_guid", [] => Guid);

/// `extract(regex, group, source [, typeof(T)])`: a string, or `T` when the
/// fourth argument names a type.
fn sig_extract(types: &[DataType]) -> Result<DataType, SignatureError> {
    super::check_params(
        "extract",
        types,
        &[
            super::Param::Str,
            super::Param::Int,
            super::Param::Str,
            super::Param::Str,
        ],
    )?;
    Ok(DataType::String)
}

// Constant-aware signatures: a constant regex must compile.

fn constant_text<'a>(constants: &[Option<&'a Value>], i: usize) -> Option<&'a str> {
    match constants.get(i).copied().flatten() {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn check_regex_at(constants: &[Option<&Value>], i: usize) -> Result<(), SignatureError> {
    match constant_text(constants, i) {
        Some(p) => regex_cache::check(p),
        None => Ok(()),
    }
}

fn const_trim(types: &[DataType], c: &[Option<&Value>]) -> Result<DataType, SignatureError> {
    check_regex_at(c, 0)?;
    sig_trim(types)
}

fn const_extract_all(types: &[DataType], c: &[Option<&Value>]) -> Result<DataType, SignatureError> {
    check_regex_at(c, 0)?;
    sig_extract_all(types)
}

fn const_indexof_regex(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_regex_at(c, 1)?;
    sig_indexof(types)
}

fn const_replace_regex(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_regex_at(c, 1)?;
    sig_replace(types)
}

fn const_replace_legacy(
    types: &[DataType],
    c: &[Option<&Value>],
) -> Result<DataType, SignatureError> {
    check_regex_at(c, 0)?;
    sig_replace(types)
}

fn const_countof(types: &[DataType], c: &[Option<&Value>]) -> Result<DataType, SignatureError> {
    match constant_text(c, 2) {
        Some("regex") => check_regex_at(c, 1)?,
        Some("normal") | None => {}
        Some(other) => {
            return Err(SignatureError::CountofKind(other.to_string()));
        }
    }
    sig_countof(types)
}

fn const_extract(types: &[DataType], c: &[Option<&Value>]) -> Result<DataType, SignatureError> {
    check_regex_at(c, 0)?;
    sig_extract(types)?;
    if types.len() == 4 {
        return type_literal(c.get(3).copied().flatten()).ok_or(SignatureError::TypeLiteral {
            function: "extract",
            position: 3,
        });
    }
    Ok(DataType::String)
}

// ---------------------------------------------------------------------------

fn s(v: impl Into<Str>) -> Value {
    string_value(v)
}

/// Unicode code points (`strlen-function`).
fn strlen(args: &[Value], _: &EvalContext) -> Value {
    Value::Long(t::strlen(&text(arg(args, 0))))
}

/// UTF-8 bytes (`string-size-function`: `string_size("⒦⒰⒮⒯⒪")` is 15).
fn string_size(args: &[Value], _: &EvalContext) -> Value {
    Value::Long(text(arg(args, 0)).len() as i64)
}

fn tolower(args: &[Value], _: &EvalContext) -> Value {
    s(crate::value::text::to_lower(&text(arg(args, 0))))
}

fn toupper(args: &[Value], _: &EvalContext) -> Value {
    s(crate::value::text::to_upper(&text(arg(args, 0))))
}

fn strcat(args: &[Value], _: &EvalContext) -> Value {
    let mut out = String::new();
    for a in args {
        out.push_str(&text(a));
    }
    s(out)
}

/// `strcat_delim(delimiter, a1, a2, ...)` (`strcat-delim-function`).
fn strcat_delim(args: &[Value], _: &EvalContext) -> Value {
    let delimiter = text(arg(args, 0));
    let parts: Vec<_> = args.iter().skip(1).map(text).collect();
    s(parts.join(&delimiter))
}

/// `strcat_array(array, delimiter)` (`strcat-array-function`): the
/// elements as `tostring` gives them; a non-array gives `""`.
fn strcat_array(args: &[Value], _: &EvalContext) -> Value {
    let delimiter = text(arg(args, 1));
    match arg(args, 0) {
        Value::Array(items) => {
            let parts: Vec<_> = items.iter().map(text).collect();
            s(parts.join(&delimiter))
        }
        _ => Value::empty_string(),
    }
}

/// `substring(source, start [, length])` (`substring-function`); a null
/// start or length gives `""`.
fn substring(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    let Some(start) = int_of(arg(args, 1)) else {
        return Value::empty_string();
    };
    let length = match args.get(2) {
        None => None,
        Some(v) => match int_of(v) {
            Some(l) => Some(l),
            None => return Value::empty_string(),
        },
    };
    s(t::substring(&source, start, length))
}

/// The optional `start`, `length` and `occurrence` of `indexof` and
/// `indexof_regex`; `None` when one is present but null.
fn search_window(args: &[Value]) -> Option<(i64, i64, i64)> {
    let opt = |i: usize, default: i64| match args.get(i) {
        None => Some(default),
        Some(v) => int_of(v),
    };
    Some((opt(2, 0)?, opt(3, -1)?, opt(4, 1)?))
}

/// `indexof(source, lookup [, start [, length [, occurrence]]])`
/// (`indexof-function`).
fn indexof(args: &[Value], _: &EvalContext) -> Value {
    let Some((start, length, occurrence)) = search_window(args) else {
        return Value::Null;
    };
    let source = text(arg(args, 0));
    let lookup = text(arg(args, 1));
    t::indexof(&source, &lookup, start, length, occurrence).map_or(Value::Null, Value::Long)
}

/// `indexof_regex(source, regex [, start [, length [, occurrence]]])`
/// (`indexof-regex-function`): the code-point index of the
/// `occurrence`-th regex match inside the examined range. Matches do not
/// overlap: the next search starts where the previous match ended. Null
/// for a negative start (the page's `indexof_regex("abcabc", @"a|ab", -1)`
/// example), `length < -1` or `occurrence < 0`. Decision, as for
/// `indexof`: the window keeps its length as the search moves on.
fn indexof_regex(args: &[Value], _: &EvalContext) -> Value {
    let Some((start, length, occurrence)) = search_window(args) else {
        return Value::Null;
    };
    if length < -1 || occurrence < 0 {
        return Value::Null;
    }
    let source = text(arg(args, 0));
    let pattern = text(arg(args, 1));
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let n = chars.len() as i64;
    if start < 0 {
        return Value::Null;
    }
    let mut pos = start;
    if pos > n || occurrence == 0 {
        return Value::Long(-1);
    }
    let byte_at = |i: i64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| chars.get(i).map(|(b, _)| *b))
            .unwrap_or(source.len())
    };
    let found = with_regex(&pattern, |re| {
        for k in 1..=occurrence {
            let end = if length == -1 {
                n
            } else {
                // Saturating: a length near the long limit overflowed (found by fuzzing).
                pos.saturating_add(length).min(n)
            };
            let window = &source[byte_at(pos)..byte_at(end)];
            let Some(m) = re.find(window) else {
                return -1;
            };
            let index = pos + window[..m.start()].chars().count() as i64;
            if k == occurrence {
                return index;
            }
            let after = pos + window[..m.end()].chars().count() as i64;
            pos = after.max(index + 1);
            if pos > n {
                return -1;
            }
        }
        -1
    });
    found.map_or(Value::Null, Value::Long)
}

/// `split(source, delimiter [, requestedIndex])` (`split-function`).
fn split(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    let delimiter = text(arg(args, 1));
    let pieces = match args.get(2) {
        None => t::split(&source, &delimiter),
        Some(v) => match int_of(v) {
            Some(i) => t::split_at_index(&source, &delimiter, i),
            None => return Value::Null,
        },
    };
    Value::array(pieces.into_iter().map(Value::string).collect())
}

/// `replace_string(text, lookup, rewrite)` (`replace-string-function`).
fn replace_string(args: &[Value], _: &EvalContext) -> Value {
    s(t::replace_string(
        &text(arg(args, 0)),
        &text(arg(args, 1)),
        &text(arg(args, 2)),
    ))
}

/// `replace_strings(text, lookups, rewrites)` (`replace-strings-function`):
/// all lookups at once, left to right, the longest lookup winning where
/// several match at one position; a lookup without a rewrite is removed.
fn replace_strings(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    let (Value::Array(lookups), Value::Array(rewrites)) = (arg(args, 1), arg(args, 2)) else {
        return s(source.into_owned());
    };
    let pairs: Vec<(String, String)> = lookups
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let r = rewrites
                .get(i)
                .map(|r| text(r).into_owned())
                .unwrap_or_default();
            (text(l).into_owned(), r)
        })
        .filter(|(l, _)| !l.is_empty())
        .collect();
    let mut out = String::with_capacity(source.len());
    let mut rest: &str = &source;
    'outer: while let Some(c) = rest.chars().next() {
        let best = pairs
            .iter()
            .filter(|(l, _)| rest.starts_with(l.as_str()))
            .max_by_key(|(l, _)| l.len());
        if let Some((l, r)) = best {
            out.push_str(r);
            rest = &rest[l.len()..];
            continue 'outer;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    s(out)
}

/// Translates a KQL rewrite pattern (`\0`…`\9` name groups, `\\` is a
/// backslash) into the `regex` crate's replacement syntax.
fn rewrite_template(rewrite: &str) -> String {
    let mut out = String::with_capacity(rewrite.len() + 4);
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str("${");
                    out.push(*d);
                    out.push('}');
                    chars.next();
                }
                Some('\\') => {
                    out.push('\\');
                    chars.next();
                }
                _ => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

fn replace_with_regex(source: &str, pattern: &str, rewrite: &str) -> Value {
    let template = rewrite_template(rewrite);
    with_regex(pattern, |re| {
        s(re.replace_all(source, template.as_str()).into_owned())
    })
    .unwrap_or_else(Value::empty_string)
}

/// `replace_regex(source, lookup_regex, rewrite_pattern)`
/// (`replace-regex-function`): every non-overlapping match.
fn replace_regex(args: &[Value], _: &EvalContext) -> Value {
    replace_with_regex(
        &text(arg(args, 0)),
        &text(arg(args, 1)),
        &text(arg(args, 2)),
    )
}

/// The deprecated `replace(regex, rewrite, source)`: `replace_regex` with
/// the source last.
fn replace_legacy(args: &[Value], _: &EvalContext) -> Value {
    replace_with_regex(
        &text(arg(args, 2)),
        &text(arg(args, 0)),
        &text(arg(args, 1)),
    )
}

fn trim_with(args: &[Value], f: fn(&t::TrimRegex, &str) -> String) -> Value {
    let source = text(arg(args, 1));
    with_trim(&text(arg(args, 0)), |re| s(f(re, &source))).unwrap_or_else(|| s(source.into_owned()))
}

/// `trim(regex, source)` (`trim-function`).
fn trim(args: &[Value], _: &EvalContext) -> Value {
    trim_with(args, |re, x| re.trim(x).to_string())
}

/// `trim_start(regex, source)` (`trim-start-function`).
fn trim_start(args: &[Value], _: &EvalContext) -> Value {
    trim_with(args, |re, x| re.trim_start(x).to_string())
}

/// `trim_end(regex, source)` (`trim-end-function`).
fn trim_end(args: &[Value], _: &EvalContext) -> Value {
    trim_with(args, |re, x| re.trim_end(x).to_string())
}

/// `extract(regex, captureGroup, source [, typeof(T)])` (`extract-function`):
/// the group's text in the first match, converted to `T` when asked; no
/// match, a group that did not take part, or a failed conversion gives
/// null (`""` for a string).
fn extract(args: &[Value], _: &EvalContext) -> Value {
    let target = match args.get(3) {
        Some(v) => type_literal(Some(v)).unwrap_or(DataType::String),
        None => DataType::String,
    };
    let source = text(arg(args, 2));
    let group = int_of(arg(args, 1)).and_then(|g| usize::try_from(g).ok());
    let found = group.and_then(|g| {
        with_regex(&text(arg(args, 0)), |re| {
            t::extract(re, g, &source).map(str::to_string)
        })
        .flatten()
    });
    match found {
        Some(text) => super::conversion::convert_text(&text, target),
        None => crate::value::cast::null_of(target),
    }
}

/// `extract_all(regex, [captureGroups,] source)` (`extract-all-function`).
fn extract_all(args: &[Value], _: &EvalContext) -> Value {
    let (groups, source) = match args {
        [_, groups, source] => (Some(groups), source),
        [_, source] => (None, source),
        _ => return Value::Null,
    };
    let refs: Option<Vec<t::CaptureRef>> = match groups {
        None => None,
        Some(Value::Array(items)) => {
            let mut refs = Vec::with_capacity(items.len());
            for item in items.iter() {
                refs.push(match item {
                    Value::String(name) => t::CaptureRef::Name(name.to_string()),
                    other => match int_of(other).and_then(|i| usize::try_from(i).ok()) {
                        Some(i) => t::CaptureRef::Index(i),
                        None => return Value::Null,
                    },
                });
            }
            Some(refs)
        }
        Some(_) => return Value::Null,
    };
    let source = text(source);
    with_regex(&text(arg(args, 0)), |re| {
        t::extract_all(re, refs.as_deref(), &source)
    })
    .unwrap_or(Value::Null)
}

/// `countof(source, search [, kind])` (`countof-function`): kind `normal`
/// counts overlapping literal matches, `regex` non-overlapping regex
/// matches.
fn countof(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    let search = text(arg(args, 1));
    match args.get(2).map(text).as_deref() {
        None | Some("normal") => Value::Long(t::countof(&source, &search)),
        Some("regex") => with_regex(&search, |re| Value::Long(t::countof_regex(&source, re)))
            .unwrap_or(Value::Null),
        Some(_) => Value::Null,
    }
}

/// `reverse(value)` (`reverse-function`): of the value's `tostring`.
fn reverse(args: &[Value], _: &EvalContext) -> Value {
    s(t::reverse(&text(arg(args, 0))))
}

/// `strcmp(s1, s2)` (`strcmp-function`): -1, 0 or 1.
fn strcmp(args: &[Value], _: &EvalContext) -> Value {
    Value::Long(t::strcmp(&text(arg(args, 0)), &text(arg(args, 1))))
}

/// Most repetitions `strrep` makes (`strrep-function`: larger multipliers
/// are capped at 1024).
const MAX_REPEAT: i64 = 1024;

/// `strrep(value, multiplier [, delimiter])` (`strrep-function`). Decision:
/// a multiplier below 1 gives `""`; a null multiplier gives `""`.
fn strrep(args: &[Value], _: &EvalContext) -> Value {
    let value = text(arg(args, 0));
    let Some(n) = int_of(arg(args, 1)) else {
        return Value::empty_string();
    };
    let n = n.clamp(0, MAX_REPEAT) as usize;
    let delimiter = args.get(2).map(text).unwrap_or_default();
    s(vec![value.as_ref(); n].join(&delimiter))
}

/// `translate(searchList, replacementList, source)` (`translate-function`):
/// each character of `searchList` in the source becomes the character at
/// the same position in `replacementList`, or its last character when that
/// list is shorter; an empty replacement list deletes the characters.
fn translate(args: &[Value], _: &EvalContext) -> Value {
    let search: Vec<char> = text(arg(args, 0)).chars().collect();
    let replacement: Vec<char> = text(arg(args, 1)).chars().collect();
    let source = text(arg(args, 2));
    let mut out = String::with_capacity(source.len());
    for c in source.chars() {
        match search.iter().position(|&x| x == c) {
            Some(i) => {
                if let Some(&r) = replacement.get(i).or(replacement.last()) {
                    out.push(r);
                }
            }
            None => out.push(c),
        }
    }
    s(out)
}

fn url_decode(args: &[Value], _: &EvalContext) -> Value {
    s(t::url_decode(&text(arg(args, 0))))
}

fn url_encode(args: &[Value], _: &EvalContext) -> Value {
    s(t::url_encode(&text(arg(args, 0))))
}

fn url_encode_component(args: &[Value], _: &EvalContext) -> Value {
    s(t::url_encode_component(&text(arg(args, 0))))
}

fn base64_encode_tostring(args: &[Value], _: &EvalContext) -> Value {
    s(t::base64_encode_tostring(&text(arg(args, 0))))
}

/// Null (shown as `""`) when the text is not base64 of UTF-8 text.
fn base64_decode_tostring(args: &[Value], _: &EvalContext) -> Value {
    t::base64_decode_tostring(&text(arg(args, 0))).map_or_else(Value::empty_string, s)
}

/// Empty when the text cannot be converted (`punycode-from-string-function`).
fn punycode_from_string(args: &[Value], _: &EvalContext) -> Value {
    t::punycode_from_string(&text(arg(args, 0))).map_or_else(Value::empty_string, s)
}

/// Empty when the text cannot be converted (`punycode-to-string-function`).
fn punycode_to_string(args: &[Value], _: &EvalContext) -> Value {
    t::punycode_to_string(&text(arg(args, 0))).map_or_else(Value::empty_string, s)
}

/// Empty when the text cannot be converted (`punycode-domain-to-string-function`).
fn punycode_domain_to_string(args: &[Value], _: &EvalContext) -> Value {
    t::punycode_domain_to_string(&text(arg(args, 0))).map_or_else(Value::empty_string, s)
}

/// Empty when the text cannot be converted (`punycode-domain-from-string-function`).
fn punycode_domain_from_string(args: &[Value], _: &EvalContext) -> Value {
    t::punycode_domain_from_string(&text(arg(args, 0))).map_or_else(Value::empty_string, s)
}

/// `parse_csv(text)` (`parse-csv-function`): the fields of the first CSV
/// record of the text as an array of strings; a field in double quotes may
/// hold commas, line feeds and doubled quotes (`""`). Later records are
/// ignored, as the page says.
fn parse_csv(args: &[Value], _: &EvalContext) -> Value {
    let text = text(arg(args, 0));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Value::array(record.iter().map(Value::string).collect()),
        Ok(false) => Value::array(vec![Value::string("")]),
        Err(_) => Value::Null,
    }
}

/// `parse_version(version)` (`parse-version-function`): one to four
/// dot-separated parts of up to eight digits each, missing trailing parts
/// taken as 0, as the decimal `p1·10²⁴ + p2·10¹⁶ + p3·10⁸ + p4` (so versions
/// compare as numbers: the page's `"1.2.3.4"` is
/// 1,000,000,020,000,000,300,000,004). Null for anything else, and for a
/// value past the decimal's range (a first part above 79228).
fn parse_version(args: &[Value], _: &EvalContext) -> Value {
    let text = text(arg(args, 0));
    let parts: Vec<&str> = text.trim().split('.').collect();
    if parts.len() > 4 {
        return Value::Null;
    }
    let mut total = rust_decimal::Decimal::ZERO;
    let scale = rust_decimal::Decimal::from(100_000_000u32);
    for i in 0..4 {
        let part = parts.get(i).copied().unwrap_or("0");
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Value::Null;
        }
        let Ok(n) = part.parse::<u32>() else {
            return Value::Null;
        };
        // A first part past 79228 overflows the 96-bit decimal (about
        // 7.9·10^28): null, with checked arithmetic.
        let Some(next) = total
            .checked_mul(scale)
            .and_then(|t| t.checked_add(rust_decimal::Decimal::from(n)))
        else {
            return Value::Null;
        };
        total = next;
    }
    Value::Decimal(total)
}

/// `zlib_compress_to_base64_string(s)` (docs: `zlib-base64-compress-function`):
/// the UTF-8 bytes zlib-compressed (flate2's default level; the page's own
/// output is a stored block, so only the decompressed text is comparable),
/// then base64-encoded.
fn zlib_compress_to_base64_string(args: &[Value], _: &EvalContext) -> Value {
    use base64::Engine;
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = encoder
        .write_all(text(arg(args, 0)).as_bytes())
        .and_then(|()| encoder.finish());
    match compressed {
        Ok(bytes) => s(base64_engine().encode(bytes)),
        Err(_) => Value::empty_string(),
    }
}

/// The most text `zlib_decompress_from_base64_string` inflates: a small input
/// must not expand into gigabytes (a "zip bomb"); past it the result is empty,
/// as for any input that fails to decompress.
const ZLIB_MAX_OUTPUT: u64 = 64 << 20;

/// `zlib_decompress_from_base64_string(s)` (docs: `zlib-base64-decompress-function`):
/// the base64-decoded, zlib-inflated bytes as UTF-8 text; empty when the input is
/// not base64, not a zlib stream, not UTF-8, or inflates past [`ZLIB_MAX_OUTPUT`].
fn zlib_decompress_from_base64_string(args: &[Value], _: &EvalContext) -> Value {
    use base64::Engine;
    use std::io::Read;
    let Ok(bytes) = base64_engine().decode(text(arg(args, 0)).trim().as_bytes()) else {
        return Value::empty_string();
    };
    let mut out = Vec::new();
    let read = flate2::read::ZlibDecoder::new(&bytes[..])
        .take(ZLIB_MAX_OUTPUT + 1)
        .read_to_end(&mut out);
    if read.is_err() || out.len() as u64 > ZLIB_MAX_OUTPUT {
        return Value::empty_string();
    }
    String::from_utf8(out).map_or_else(|_| Value::empty_string(), s)
}

fn base64_engine() -> base64::engine::GeneralPurpose {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// `base64_decode_toarray(s)` (`base64-decode-toarray-function`): the
/// decoded bytes as an array of longs; null for invalid base64.
fn base64_decode_toarray(args: &[Value], _: &EvalContext) -> Value {
    use base64::Engine;
    let input: String = text(arg(args, 0))
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    match base64_engine().decode(input.as_bytes()) {
        Ok(bytes) => Value::array(
            bytes
                .into_iter()
                .map(|b| Value::Long(i64::from(b)))
                .collect(),
        ),
        Err(_) => Value::Null,
    }
}

/// `base64_encode_fromarray(bytes)` (`base64-encode-fromarray-function`):
/// null when an element is not a number in 0–255.
fn base64_encode_fromarray(args: &[Value], _: &EvalContext) -> Value {
    use base64::Engine;
    let Value::Array(items) = arg(args, 0) else {
        return Value::empty_string();
    };
    let mut bytes = Vec::with_capacity(items.len());
    for item in items.iter() {
        match int_of(item).and_then(|b| u8::try_from(b).ok()) {
            Some(b) => bytes.push(b),
            None => return Value::empty_string(),
        }
    }
    s(base64_engine().encode(bytes))
}

fn parse_url(args: &[Value], _: &EvalContext) -> Value {
    Value::bag(t::parse_url(&text(arg(args, 0))))
}

fn parse_urlquery(args: &[Value], _: &EvalContext) -> Value {
    Value::bag(t::parse_urlquery(&text(arg(args, 0))))
}

fn parse_path(args: &[Value], _: &EvalContext) -> Value {
    Value::bag(t::parse_path(&text(arg(args, 0))))
}

/// `parse_command_line(command, "windows")` (`parse-command-line-function`):
/// the arguments as Windows' `CommandLineToArgvW` splits them — spaces and
/// tabs separate arguments outside double quotes; `2n` backslashes before a
/// quote give `n` backslashes and the quote toggles quoting, `2n+1` give `n`
/// and a literal quote; other backslashes are literal; `""` inside quotes
/// is a literal quote. Null for another parser name.
fn parse_command_line(args: &[Value], _: &EvalContext) -> Value {
    if !text(arg(args, 1)).eq_ignore_ascii_case("windows") {
        return Value::Null;
    }
    let command = text(arg(args, 0));
    Value::array(
        split_windows_command_line(&command)
            .into_iter()
            .map(s)
            .collect(),
    )
}

fn split_windows_command_line(command: &str) -> Vec<String> {
    let chars: Vec<char> = command.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut current = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if !quoted && (c == ' ' || c == '\t') {
                break;
            }
            if c == '\\' {
                let mut n = 0;
                while i < chars.len() && chars[i] == '\\' {
                    n += 1;
                    i += 1;
                }
                if i < chars.len() && chars[i] == '"' {
                    current.extend(std::iter::repeat_n('\\', n / 2));
                    if n % 2 == 1 {
                        current.push('"');
                        i += 1;
                    }
                } else {
                    current.extend(std::iter::repeat_n('\\', n));
                }
                continue;
            }
            if c == '"' {
                if quoted && chars.get(i + 1) == Some(&'"') {
                    current.push('"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i += 1;
                continue;
            }
            current.push(c);
            i += 1;
        }
        out.push(current);
    }
    out
}

/// `tohex(value [, minLength])` (`tohex-function`): lower-case hex; a
/// negative number in two's complement of its width (`int` 32 bits, `long`
/// 64 bits); padded with zeros to `minLength`.
fn tohex(args: &[Value], _: &EvalContext) -> Value {
    let digits = match arg(args, 0) {
        Value::Int(i) => format!("{:x}", *i as u32),
        Value::Long(i) => format!("{:x}", *i as u64),
        Value::Real(r) => match crate::value::number::real_to_long(*r) {
            Some(i) => format!("{:x}", i as u64),
            None => return Value::empty_string(),
        },
        _ => return Value::empty_string(),
    };
    let width = args
        .get(1)
        .and_then(int_of)
        .and_then(|w| usize::try_from(w).ok())
        .unwrap_or(0)
        .min(64);
    s(format!("{digits:0>width$}"))
}

fn isascii(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(text(arg(args, 0)).is_ascii())
}

/// Every `Str` is valid UTF-8.
fn isutf8(args: &[Value], _: &EvalContext) -> Value {
    let _ = arg(args, 0);
    Value::Bool(true)
}

/// `unicode_codepoints_from_string(s)`: the code points as an array of ints.
fn codepoints_from_string(args: &[Value], _: &EvalContext) -> Value {
    Value::array(
        text(arg(args, 0))
            .chars()
            .map(|c| Value::Int(c as i32))
            .collect(),
    )
}

/// `unicode_codepoints_to_string(cp1 [, cp2 ...])`: arguments that are
/// integers or arrays of integers; null (`""`) for an invalid code point.
fn codepoints_to_string(args: &[Value], _: &EvalContext) -> Value {
    let mut out = String::new();
    let mut push = |v: &Value| -> bool {
        match int_of(v)
            .and_then(|i| u32::try_from(i).ok())
            .and_then(char::from_u32)
        {
            Some(c) => {
                out.push(c);
                true
            }
            None => false,
        }
    };
    for a in args {
        let ok = match a {
            Value::Array(items) => items.iter().all(&mut push),
            v => push(v),
        };
        if !ok {
            return Value::empty_string();
        }
    }
    s(out)
}

/// `regex_quote(s)` (`regex-quote-function`): the text with regex
/// metacharacters escaped.
fn regex_quote(args: &[Value], _: &EvalContext) -> Value {
    s(regex::escape(&text(arg(args, 0))))
}

/// `new_guid()` (`new-guid-function`): a random version-4 GUID.
fn new_guid(_: &[Value], _: &EvalContext) -> Value {
    let mut n = (u128::from(fastrand::u64(..)) << 64) | u128::from(fastrand::u64(..));
    // Version 4, RFC 4122 variant.
    n = (n & !(0xF_u128 << 76)) | (0x4_u128 << 76);
    n = (n & !(0x3_u128 << 62)) | (0x2_u128 << 62);
    Value::Guid(crate::value::Guid(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::DateTime;

    fn ctx() -> EvalContext {
        EvalContext::new(DateTime(0))
    }

    #[test]
    fn rewrite_templates_translate_backslash_groups() {
        assert_eq!(rewrite_template(r"was: \1"), "was: ${1}");
        assert_eq!(rewrite_template(r"\0$"), "${0}$$");
        assert_eq!(rewrite_template(r"a\\b"), r"a\b");
    }

    #[test]
    fn windows_command_lines_split_like_commandlinetoargvw() {
        assert_eq!(
            split_windows_command_line(r#"a "b c" d\"e f\\"g h" i"#),
            vec!["a", "b c", "d\"e", r"f\g h", "i"]
        );
        assert_eq!(
            split_windows_command_line(r"C:\Windows\cmd.exe  /c"),
            vec![r"C:\Windows\cmd.exe", "/c"]
        );
    }

    #[test]
    fn legacy_replace_takes_the_source_last() {
        let args = [Value::string(";"), Value::string("&"), Value::string("a;b")];
        assert_eq!(replace_legacy(&args, &ctx()), Value::string("a&b"));
    }
}

signature!(sig_format_bytes, "format_bytes", [Num, Int, Str] => String);
signature!(sig_has_any_index, "has_any_index", [Str, Dyn] => Long);

/// `format_bytes(size [, precision [, units]])` (format-bytes-function):
/// `size` in `Bytes`, `KB`, `MB`, … `EB` (powers of 1024), rounded to
/// `precision` decimals (default 0) and written as a real is
/// (`19.08 MB`, `19 MB`). Without `units`, or with one the page does not
/// list, the largest unit the size reaches is chosen; null for a null size.
fn format_bytes(args: &[Value], _: &EvalContext) -> Value {
    const UNITS: [&str; 7] = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let Some(size) = arg(args, 0).as_f64() else {
        return Value::Null;
    };
    let precision = match arg(args, 1) {
        Value::Null => 0,
        v => int_of(v).unwrap_or(0).clamp(0, 15),
    };
    let wanted = match arg(args, 2) {
        Value::String(u) => UNITS.iter().position(|n| n.eq_ignore_ascii_case(u.trim())),
        _ => None,
    };
    let unit = wanted.unwrap_or_else(|| {
        let mut unit = 0;
        let mut v = size.abs();
        while v >= 1024.0 && unit + 1 < UNITS.len() {
            v /= 1024.0;
            unit += 1;
        }
        unit
    });
    let scaled = size / 1024f64.powi(unit as i32);
    let factor = 10f64.powi(precision as i32);
    let rounded = (scaled * factor).round() / factor;
    let number = crate::value::string_form::text(&Value::Real(rounded)).into_owned();
    string_value(format!("{number} {}", UNITS[unit]))
}

/// `has_any_index(source, values)` (has-any-index-function): the index of
/// the first item of `values` that `source` has as a term (`has`), -1
/// when none is or `values` is empty; null when `values` is not an array.
fn has_any_index(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    let Value::Array(items) = arg(args, 1) else {
        return Value::Null;
    };
    let found = items
        .iter()
        .position(|item| crate::value::text::has_ci(&source, &text(item)));
    Value::Long(found.and_then(|i| i64::try_from(i).ok()).unwrap_or(-1))
}

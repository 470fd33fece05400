//! IPv4 and IPv6 functions, wrapping the IPv4 helpers of
//! [`super::ipv4`]; doc pages are
//! `https://learn.microsoft.com/kusto/query/<name>-function`.

use super::function;
use super::ipv4 as t;
use super::{EvalContext, ScalarFunction, arg, int_of, signature, string_value, text};
use crate::types::DataType;
use crate::value::Value;
use std::net::{Ipv4Addr, Ipv6Addr};

pub(super) const FUNCTIONS: &[ScalarFunction] = &[
    function("ipv4_is_private", 1, 1, sig_bool_1, ipv4_is_private),
    function("ipv4_is_in_range", 2, 2, sig_bool_2, ipv4_is_in_range),
    function(
        "ipv4_is_in_any_range",
        2,
        64,
        sig_any_range,
        ipv4_is_in_any_range,
    ),
    function("ipv4_is_match", 2, 3, sig_match, ipv4_is_match),
    function("ipv4_compare", 2, 3, sig_compare, ipv4_compare),
    function("parse_ipv4", 1, 1, sig_parse_ipv4, parse_ipv4),
    function(
        "parse_ipv4_mask",
        2,
        2,
        sig_parse_ipv4_mask,
        parse_ipv4_mask,
    ),
    function(
        "ipv4_netmask_suffix",
        1,
        1,
        sig_parse_ipv4,
        ipv4_netmask_suffix,
    ),
    function("format_ipv4", 1, 2, sig_format_ipv4, format_ipv4),
    function("format_ipv4_mask", 2, 2, sig_format_ipv4, format_ipv4_mask),
    function("has_ipv4", 2, 2, sig_has_ipv4, has_ipv4),
    function("has_ipv4_prefix", 2, 2, sig_has_ipv4, has_ipv4_prefix),
    function("has_any_ipv4", 2, 64, sig_has_any_ipv4, has_any_ipv4),
    function(
        "has_any_ipv4_prefix",
        2,
        64,
        sig_has_any_ipv4,
        has_any_ipv4_prefix,
    ),
    function("parse_ipv6", 1, 1, sig_parse_ipv6, parse_ipv6),
    function(
        "parse_ipv6_mask",
        2,
        2,
        sig_parse_ipv6_mask,
        parse_ipv6_mask,
    ),
    function("ipv6_compare", 2, 3, sig_compare, ipv6_compare),
    function("ipv6_is_match", 2, 3, sig_match, ipv6_is_match),
    function("ipv6_is_in_range", 2, 2, sig_bool_2, ipv6_is_in_range),
    function(
        "ipv6_is_in_any_range",
        2,
        64,
        sig_any_range,
        ipv6_is_in_any_range,
    ),
    function(
        "ipv4_range_to_cidr_list",
        2,
        2,
        sig_cidr_list,
        ipv4_range_to_cidr_list,
    ),
];

signature!(sig_bool_1, "ipv4_is_private", [Str] => Bool);
signature!(sig_bool_2, "ipv4_is_in_range", [Str, Str] => Bool);
signature!(sig_any_range, "ipv4_is_in_any_range", [Str, Any] => Bool);
signature!(sig_match, "ipv4_is_match", [Str, Str, Int] => Bool);
signature!(sig_compare, "ipv4_compare", [Str, Str, Int] => Long);
signature!(sig_parse_ipv4, "parse_ipv4", [Str] => Long);
signature!(sig_parse_ipv4_mask, "parse_ipv4_mask", [Str, Int] => Long);
signature!(sig_format_ipv4, "format_ipv4", [Any, Int] => String);
signature!(sig_has_ipv4, "has_ipv4", [Any, Str] => Bool);
signature!(sig_has_any_ipv4, "has_any_ipv4", [Any, Any] => Bool);
signature!(sig_parse_ipv6, "parse_ipv6", [Str] => String);
signature!(sig_parse_ipv6_mask, "parse_ipv6_mask", [Str, Int] => String);

fn opt_bool(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

fn opt_long(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::Long)
}

/// The optional prefix argument; `Err` when present but null.
fn prefix_arg(args: &[Value], i: usize) -> Result<Option<i64>, ()> {
    match args.get(i) {
        None => Ok(None),
        Some(v) => int_of(v).map(Some).ok_or(()),
    }
}

/// `ipv4_is_private(ip)` (`ipv4-is-private-function`).
fn ipv4_is_private(args: &[Value], _: &EvalContext) -> Value {
    opt_bool(t::ipv4_is_private(&text(arg(args, 0))))
}

/// `ipv4_is_in_range(ip, range)` (`ipv4-is-in-range-function`).
fn ipv4_is_in_range(args: &[Value], _: &EvalContext) -> Value {
    opt_bool(t::ipv4_is_in_range(
        &text(arg(args, 0)),
        &text(arg(args, 1)),
    ))
}

/// The ranges of the `*_is_in_any_range` functions: strings, or arrays of
/// strings.
fn ranges(args: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::Array(items) => out.extend(items.iter().map(|i| text(i).into_owned())),
            v => out.push(text(v).into_owned()),
        }
    }
    out
}

/// `ipv4_is_in_any_range(ip, range1, ...)` (`ipv4-is-in-any-range-function`):
/// null when the address does not parse; ranges that do not parse are
/// ignored.
fn ipv4_is_in_any_range(args: &[Value], _: &EvalContext) -> Value {
    let ip = text(arg(args, 0));
    if t::Ipv4Prefix::parse(&ip).is_none() {
        return Value::Null;
    }
    let hit = ranges(&args[1..])
        .iter()
        .any(|r| t::ipv4_is_in_range(&ip, r) == Some(true));
    Value::Bool(hit)
}

/// `ipv4_is_match(ip1, ip2 [, prefix])` (`ipv4-is-match-function`).
fn ipv4_is_match(args: &[Value], _: &EvalContext) -> Value {
    match prefix_arg(args, 2) {
        Ok(p) => opt_bool(t::ipv4_is_match(
            &text(arg(args, 0)),
            &text(arg(args, 1)),
            p,
        )),
        Err(()) => Value::Null,
    }
}

/// `ipv4_compare(ip1, ip2 [, prefix])` (`ipv4-compare-function`).
fn ipv4_compare(args: &[Value], _: &EvalContext) -> Value {
    match prefix_arg(args, 2) {
        Ok(p) => opt_long(t::ipv4_compare(&text(arg(args, 0)), &text(arg(args, 1)), p)),
        Err(()) => Value::Null,
    }
}

/// `parse_ipv4(ip)` (`parse-ipv4-function`).
fn parse_ipv4(args: &[Value], _: &EvalContext) -> Value {
    opt_long(t::parse_ipv4(&text(arg(args, 0))))
}

/// `parse_ipv4_mask(ip, prefix)` (`parse-ipv4-mask-function`).
fn parse_ipv4_mask(args: &[Value], _: &EvalContext) -> Value {
    match int_of(arg(args, 1)) {
        Some(p) => opt_long(t::parse_ipv4_mask(&text(arg(args, 0)), p)),
        None => Value::Null,
    }
}

/// `ipv4_netmask_suffix(ip)` (`ipv4-netmask-suffix-function`): the prefix
/// length written after `/`, 32 when there is none.
fn ipv4_netmask_suffix(args: &[Value], _: &EvalContext) -> Value {
    t::Ipv4Prefix::parse(&text(arg(args, 0)))
        .map_or(Value::Null, |p| Value::Long(i64::from(p.prefix)))
}

/// An address given as text or as its 32-bit number.
fn ipv4_of(v: &Value) -> Option<t::Ipv4Prefix> {
    match v {
        Value::Int(_) | Value::Long(_) => {
            let n = u32::try_from(v.as_i64()?).ok()?;
            Some(t::Ipv4Prefix {
                address: n,
                prefix: 32,
            })
        }
        other => t::Ipv4Prefix::parse(&text(other)),
    }
}

fn format_masked(v: &Value, prefix: Option<i64>, suffix: bool) -> Value {
    let Some(p) = ipv4_of(v) else {
        return Value::empty_string();
    };
    let bits = match prefix {
        Some(n) => match u8::try_from(n).ok().filter(|n| *n <= 32) {
            Some(n) => n.min(p.prefix),
            None => return Value::empty_string(),
        },
        None => p.prefix,
    };
    let masked = t::Ipv4Prefix {
        address: p.address,
        prefix: bits,
    }
    .masked();
    let addr = Ipv4Addr::from(masked).to_string();
    string_value(if suffix {
        format!("{addr}/{bits}")
    } else {
        addr
    })
}

/// `format_ipv4(ip [, prefix])` (`format-ipv4-function`): the address,
/// masked to the prefix, in dotted form; `""` for an invalid input.
fn format_ipv4(args: &[Value], _: &EvalContext) -> Value {
    match prefix_arg(args, 1) {
        Ok(p) => format_masked(arg(args, 0), p, false),
        Err(()) => Value::empty_string(),
    }
}

/// `format_ipv4_mask(ip, prefix)` (`format-ipv4-mask-function`): as
/// `format_ipv4` with `/prefix` appended.
fn format_ipv4_mask(args: &[Value], _: &EvalContext) -> Value {
    match int_of(arg(args, 1)) {
        Some(p) => format_masked(arg(args, 0), Some(p), true),
        None => Value::empty_string(),
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Whether the IPv4 address `ip` appears in `source` delimited by
/// non-alphanumeric characters (`has-ipv4-function`).
fn contains_ipv4(source: &str, ip: &str) -> bool {
    let ip = ip.trim();
    let Some(wanted) = t::Ipv4Prefix::parse(ip).filter(|p| p.prefix == 32 && !ip.contains('/'))
    else {
        return false;
    };
    ipv4_tokens(source).any(|tok| t::Ipv4Prefix::parse(tok).is_some_and(|p| p == wanted))
}

/// The candidate IPv4 addresses of a text: maximal runs of digits and dots
/// delimited by non-alphanumeric characters (a trailing dot is punctuation).
fn ipv4_tokens(source: &str) -> impl Iterator<Item = &str> {
    let b = source.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let start = i;
            if b[i].is_ascii_digit() && (start == 0 || !is_word(b[start - 1])) {
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'.') {
                    end += 1;
                }
                i = end;
                if end < b.len() && is_word(b[end]) {
                    continue;
                }
                let tok = source[start..end].trim_end_matches('.');
                return Some(tok);
            }
            i += 1;
        }
        None
    })
}

/// `has_ipv4_prefix(source, prefix)` (`has-ipv4-prefix-function`): an
/// address in the text starts with the prefix, which is a whole address or
/// ends with a dot after one to three complete octets.
fn contains_ipv4_prefix(source: &str, prefix: &str) -> bool {
    let prefix = prefix.trim();
    let octets: Vec<&str> = prefix.trim_end_matches('.').split('.').collect();
    let valid = !octets.is_empty()
        && octets.len() <= 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u16>().is_ok_and(|n| n <= 255));
    let whole = octets.len() == 4 && !prefix.ends_with('.');
    if !valid || (!whole && !prefix.ends_with('.')) {
        return false;
    }
    ipv4_tokens(source).any(|tok| {
        t::Ipv4Prefix::parse(tok).is_some()
            && if whole {
                tok == prefix
            } else {
                tok.starts_with(prefix)
            }
    })
}

fn has_ipv4(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(contains_ipv4(&text(arg(args, 0)), &text(arg(args, 1))))
}

fn has_ipv4_prefix(args: &[Value], _: &EvalContext) -> Value {
    Value::Bool(contains_ipv4_prefix(
        &text(arg(args, 0)),
        &text(arg(args, 1)),
    ))
}

/// `has_any_ipv4(source, ip1, ...)` (`has-any-ipv4-function`): addresses
/// as strings or arrays of strings.
fn has_any_ipv4(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    Value::Bool(
        ranges(&args[1..])
            .iter()
            .any(|ip| contains_ipv4(&source, ip)),
    )
}

/// `has_any_ipv4_prefix(source, prefix1, ...)` (`has-any-ipv4-prefix-function`).
fn has_any_ipv4_prefix(args: &[Value], _: &EvalContext) -> Value {
    let source = text(arg(args, 0));
    Value::Bool(
        ranges(&args[1..])
            .iter()
            .any(|p| contains_ipv4_prefix(&source, p)),
    )
}

// ---------------------------------------------------------------------------
// IPv6
// ---------------------------------------------------------------------------

/// An IPv6 address (IPv4 addresses mapped to `::ffff:a.b.c.d`) with its
/// prefix length in IPv6 bits (an IPv4 `/n` is `/96+n`).
fn parse_v6(text: &str) -> Option<(u128, u32)> {
    let t = text.trim();
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a.trim(), Some(p.trim().parse::<u32>().ok()?)),
        None => (t, None),
    };
    // `::a.b.c.d` is read as the IPv4 address a.b.c.d, mapped (the
    // parse-ipv6-mask page's `::192.168.255.255` rows).
    let addr = addr
        .strip_prefix("::")
        .filter(|rest| rest.parse::<Ipv4Addr>().is_ok())
        .unwrap_or(addr);
    if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        let p = prefix.unwrap_or(32);
        if p > 32 {
            return None;
        }
        let mapped = v4.to_ipv6_mapped();
        return Some((u128::from(mapped), 96 + p));
    }
    let v6: Ipv6Addr = addr.parse().ok()?;
    let p = prefix.unwrap_or(128);
    (p <= 128).then_some((u128::from(v6), p))
}

fn mask128(bits: u32) -> u128 {
    if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits.min(128))
    }
}

/// The full, zero-padded, lower-case form of an address.
fn format_v6(n: u128) -> String {
    let groups: Vec<String> = (0..8)
        .rev()
        .map(|i| format!("{:04x}", (n >> (i * 16)) as u16))
        .collect();
    groups.join(":")
}

/// An extra prefix for an address: IPv4-relative for an IPv4 input
/// (`parse_ipv6_mask("127.0.0.1", 24)`), IPv6 bits otherwise.
fn extra_prefix(text: &str, prefix: i64) -> Option<u32> {
    let p = u32::try_from(prefix).ok()?;
    let is_v4 = text
        .trim()
        .split('/')
        .next()?
        .trim()
        .parse::<Ipv4Addr>()
        .is_ok();
    if is_v4 {
        (p <= 32).then_some(96 + p)
    } else {
        (p <= 128).then_some(p)
    }
}

/// `parse_ipv6(ip)` (`parse-ipv6-function`): the canonical full form,
/// masked by any prefix; `""` (null) for invalid input.
fn parse_ipv6(args: &[Value], _: &EvalContext) -> Value {
    match parse_v6(&text(arg(args, 0))) {
        Some((n, p)) => string_value(format_v6(n & mask128(p))),
        None => Value::empty_string(),
    }
}

/// `parse_ipv6_mask(ip, prefix)` (`parse-ipv6-mask-function`): `prefix`
/// counts IPv6 bits (0 to 128) for an IPv4 address too: the page's example
/// masks `192.168.255.255` with 120 to `...:ffff:c0a8:ff00`.
fn parse_ipv6_mask(args: &[Value], _: &EvalContext) -> Value {
    let ip = text(arg(args, 0));
    let (Some((n, p)), Some(extra)) = (
        parse_v6(&ip),
        int_of(arg(args, 1))
            .and_then(|x| u32::try_from(x).ok())
            .filter(|x| *x <= 128),
    ) else {
        return Value::empty_string();
    };
    string_value(format_v6(n & mask128(p.min(extra))))
}

fn compare_v6(args: &[Value]) -> Option<i64> {
    let a_text = text(arg(args, 0));
    let b_text = text(arg(args, 1));
    let (a, pa) = parse_v6(&a_text)?;
    let (b, pb) = parse_v6(&b_text)?;
    let mut bits = pa.min(pb);
    if let Some(v) = args.get(2) {
        let p = int_of(v)?;
        // An IPv4 pair takes an IPv4 prefix.
        bits = bits.min(extra_prefix(&a_text, p).or_else(|| extra_prefix(&b_text, p))?);
    }
    let m = mask128(bits);
    Some(match (a & m).cmp(&(b & m)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

/// `ipv6_compare(ip1, ip2 [, prefix])` (`ipv6-compare-function`).
fn ipv6_compare(args: &[Value], _: &EvalContext) -> Value {
    opt_long(compare_v6(args))
}

/// `ipv6_is_match(ip1, ip2 [, prefix])` (`ipv6-is-match-function`).
fn ipv6_is_match(args: &[Value], _: &EvalContext) -> Value {
    opt_bool(compare_v6(args).map(|c| c == 0))
}

fn v6_in_range(ip: &str, range: &str) -> Option<bool> {
    let (a, pa) = parse_v6(ip)?;
    let (r, pr) = parse_v6(range)?;
    let m = mask128(pa.min(pr));
    Some(a & m == r & m)
}

/// `ipv6_is_in_range(ip, range)` (`ipv6-is-in-range-function`).
fn ipv6_is_in_range(args: &[Value], _: &EvalContext) -> Value {
    opt_bool(v6_in_range(&text(arg(args, 0)), &text(arg(args, 1))))
}

/// `ipv6_is_in_any_range(ip, range1, ...)` (`ipv6-is-in-any-range-function`).
fn ipv6_is_in_any_range(args: &[Value], _: &EvalContext) -> Value {
    let ip = text(arg(args, 0));
    if parse_v6(&ip).is_none() {
        return Value::Null;
    }
    Value::Bool(
        ranges(&args[1..])
            .iter()
            .any(|r| v6_in_range(&ip, r) == Some(true)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_in_text_must_be_delimited_and_valid() {
        let s = "05:04:54 127.0.0.1 GET /favicon.ico 404";
        assert!(contains_ipv4(s, "127.0.0.1"));
        assert!(!contains_ipv4("05:04:54 127.0.0.256 GET", "127.0.0.256"));
        assert!(!contains_ipv4("05:04:54127.0.0.1 GET", "127.0.0.1"));
        assert!(contains_ipv4(
            "from: 192.168.1.1, 10.1.1.115 and 10.1.1.201.",
            "10.1.1.201"
        ));
        assert!(contains_ipv4_prefix(s, "127.0."));
        assert!(contains_ipv4_prefix(s, "127.0.0.1"));
        assert!(!contains_ipv4_prefix(s, "127.0"));
    }

    #[test]
    fn ipv6_canonical_forms() {
        assert_eq!(
            format_v6(parse_v6("fe80::85d:e82c:9446:7994").unwrap().0),
            "fe80:0000:0000:0000:085d:e82c:9446:7994"
        );
        let (n, p) = parse_v6("127.0.0.1").unwrap();
        assert_eq!(format_v6(n), "0000:0000:0000:0000:0000:ffff:7f00:0001");
        assert_eq!(p, 128);
        assert_eq!(
            format_v6(n & mask128(extra_prefix("127.0.0.1", 24).unwrap())),
            "0000:0000:0000:0000:0000:ffff:7f00:0000"
        );
    }
}

signature!(sig_cidr_list, "ipv4_range_to_cidr_list", [Str, Str] => Dynamic);

/// `ipv4_range_to_cidr_list(start, end)` (ipv4-range-to-cidr-list-function):
/// the fewest CIDR blocks covering `start`..=`end`, in address order; null
/// when an address does not parse, an empty array when `start > end`.
fn ipv4_range_to_cidr_list(args: &[Value], _: &EvalContext) -> Value {
    let parse = |v: &Value| text(v).trim().parse::<Ipv4Addr>().ok().map(u32::from);
    let (Some(start), Some(end)) = (parse(arg(args, 0)), parse(arg(args, 1))) else {
        return Value::Null;
    };
    let mut blocks = Vec::new();
    let (mut at, end) = (u64::from(start), u64::from(end));
    while at <= end {
        // The largest block aligned at `at` that stays within the range.
        let mut size = if at == 0 {
            1u64 << 32
        } else {
            at & at.wrapping_neg()
        };
        while at + size - 1 > end {
            size >>= 1;
        }
        let prefix = 32 - size.trailing_zeros();
        let address = Ipv4Addr::from(u32::try_from(at).unwrap_or(u32::MAX));
        blocks.push(string_value(format!("{address}/{prefix}")));
        at += size;
    }
    Value::array(blocks)
}

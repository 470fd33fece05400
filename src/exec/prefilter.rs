//! Rejecting lines by substring search before any JSON is read (the needles
//! come from `plan::rules::prefilter`).

use crate::plan::logical::Prefilter;
use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;

pub struct LineFilter {
    groups: Vec<Group>,
    /// `\u`: a line with a unicode escape may spell a needle differently,
    /// so a needle it lacks is looked for again with the escapes decoded.
    unicode_escape: Finder<'static>,
}

enum Group {
    /// One case-sensitive needle: SIMD substring search.
    One(Box<Finder<'static>>),
    /// Several needles, or ASCII case folding.
    Any(AhoCorasick),
}

impl Group {
    fn found(&self, line: &[u8]) -> bool {
        match self {
            Group::One(f) => f.find(line).is_some(),
            Group::Any(ac) => ac.is_match(line),
        }
    }
}

impl LineFilter {
    pub fn new(prefilter: &Prefilter) -> Option<LineFilter> {
        let mut groups: Vec<(usize, Group)> = Vec::new();
        for needles in &prefilter.all_of {
            let shortest = needles.iter().map(|n| n.text.len()).min()?;
            let group = match needles.as_slice() {
                // Folding case changes nothing in a needle without letters.
                [n] if n.case_sensitive || !n.text.bytes().any(|b| b.is_ascii_alphabetic()) => {
                    Group::One(Box::new(Finder::new(n.text.as_bytes()).into_owned()))
                }
                _ => Group::Any(
                    AhoCorasick::builder()
                        .ascii_case_insensitive(needles.iter().any(|n| !n.case_sensitive))
                        .build(needles.iter().map(|n| n.text.as_bytes()))
                        .ok()?,
                ),
            };
            groups.push((shortest, group));
        }
        if groups.is_empty() {
            return None;
        }
        // Single case-sensitive needles are the cheapest test (SIMD search);
        // then longer needles first, being rarer.
        groups.sort_by_key(|(len, g)| (matches!(g, Group::Any(_)), std::cmp::Reverse(*len)));
        Some(LineFilter {
            groups: groups.into_iter().map(|(_, g)| g).collect(),
            unicode_escape: Finder::new(b"\\u").into_owned(),
        })
    }

    /// False only if `line` cannot produce a row that passes the filters.
    ///
    /// A group is present if its needle is in the line as written, or in
    /// the line with its `\u` escapes decoded (see
    /// [`decode_unicode_escapes`]): the value a filter reads is one of the
    /// line's decodings, and a needle has no character any other escape
    /// could spell (`plan::rules::prefilter`).
    pub fn may_match(&self, line: &[u8]) -> bool {
        let mut decoded: Option<Vec<u8>> = None;
        for g in &self.groups {
            if g.found(line) {
                continue;
            }
            if decoded.is_none() {
                if self.unicode_escape.find(line).is_none() {
                    return false;
                }
                match decode_unicode_escapes(line) {
                    Some(text) => decoded = Some(text),
                    None => return true,
                }
            }
            if !decoded.as_deref().is_some_and(|text| g.found(text)) {
                return false;
            }
        }
        true
    }
}

/// `line` with every `\uXXXX` escape, behind any number of backslashes (the
/// same escape in a string nested in strings: `\\uXXXX`, `\\\\uXXXX`…),
/// replaced by the character it stands for; other escapes are kept as they
/// are. `None` when an escape stands for a backslash: what follows it may
/// be an escape of the next level, which one pass does not decode.
fn decode_unicode_escapes(line: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        let (before, from) = rest.split_at(at);
        out.extend_from_slice(before);
        let run = from.iter().take_while(|&&b| b == b'\\').count();
        let after = from.get(run..).unwrap_or_default();
        let Some(unit) = escaped_unit(after) else {
            out.extend_from_slice(from.get(..run).unwrap_or_default());
            rest = after;
            continue;
        };
        let mut used = 5;
        let c = if (0xD800..0xDC00).contains(&unit) {
            // A high surrogate: its pair follows, behind as many backslashes.
            let next = after.get(5..).unwrap_or_default();
            let next_run = next.iter().take_while(|&&b| b == b'\\').count();
            match escaped_unit(next.get(next_run..).unwrap_or_default()) {
                Some(low) if next_run > 0 && (0xDC00..0xE000).contains(&low) => {
                    used += next_run + 5;
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }
                _ => None,
            }
        } else {
            char::from_u32(unit)
        }
        .unwrap_or(char::REPLACEMENT_CHARACTER);
        if c == '\\' {
            return None;
        }
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        rest = after.get(used..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// The code unit of `uXXXX` at the start of `text`.
fn escaped_unit(text: &[u8]) -> Option<u32> {
    let hex = text.strip_prefix(b"u")?.get(..4)?;
    let hex = std::str::from_utf8(hex).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::logical::Needle;

    fn filter(groups: &[&[(&str, bool)]]) -> LineFilter {
        LineFilter::new(&Prefilter {
            all_of: groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|(t, cs)| Needle {
                            text: (*t).to_string(),
                            case_sensitive: *cs,
                        })
                        .collect()
                })
                .collect(),
        })
        .unwrap()
    }

    #[test]
    fn every_group_must_be_present() {
        let f = filter(&[&[("kube-audit", true)], &[("create", true)]]);
        assert!(f.may_match(br#"{"Category":"kube-audit","log_s":"{\"verb\":\"create\"}"}"#));
        assert!(!f.may_match(br#"{"Category":"kube-audit","log_s":"{\"verb\":\"get\"}"}"#));
    }

    #[test]
    fn case_folding_and_alternatives() {
        let f = filter(&[&[("nginx", false)]]);
        assert!(f.may_match(br#"{"log_s":"GET /PODS/NGINX-1"}"#));
        let f = filter(&[&[("alpha", true), ("beta", true)]]);
        assert!(f.may_match(br#"{"x":"beta"}"#));
        assert!(!f.may_match(br#"{"x":"gamma"}"#));
    }

    #[test]
    fn a_needle_spelled_with_unicode_escapes_is_never_rejected() {
        let f = filter(&[&[("create", true)], &[("kube", false)]]);
        for line in [
            br#"{"verb":"cr\u0065ate","c":"kube"}"#.as_slice(),
            br#"{"log_s":"{\"verb\":\"cr\\u0065ate\"}","c":"KUBE"}"#,
            br#"{"log_s":"{\"o\":\"{\\\"v\\\":\\\"\\\\u0063reate\\\"}\"}","c":"\u006bube"}"#,
            // Every letter escaped, upper-case hex digits.
            br#"{"v":"\u0063\u0072\u0065\u0061\u0074\u0065","c":"\u004B\u0055BE"}"#,
            // One needle as written, the other only once decoded.
            br#"{"v":"create","c":"\u006bube"}"#,
        ] {
            assert!(f.may_match(line), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn a_line_whose_escapes_spell_no_needle_is_rejected() {
        let f = filter(&[&[("create", true)]]);
        assert!(!f.may_match(br#"{"verb":"get","x":"a\u0026b \ud83d\ude00"}"#));
        assert!(!f.may_match(br#"{"verb":"cr\u00e9ate"}"#));
        // Not an escape: no four hex digits.
        assert!(!f.may_match(br#"{"verb":"\u00cr","x":"\uzzzz"}"#));
    }

    #[test]
    fn an_escaped_backslash_is_not_decoded_further_so_the_line_is_kept() {
        // `\u005c` is a backslash: with `u0063` after it, the next level
        // of decoding reads `c`.
        let f = filter(&[&[("create", true)]]);
        assert!(f.may_match(br#"{"log_s":"\u005cu0063reate"}"#));
    }

    #[test]
    fn decoding_unicode_escapes() {
        let d = |s: &[u8]| decode_unicode_escapes(s).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(d(br"a\u0062c").as_deref(), Some("abc"));
        assert_eq!(d(br"a\\\\u0062c").as_deref(), Some("abc"));
        assert_eq!(d(br"\ud83d\ude00!").as_deref(), Some("\u{1F600}!"));
        assert_eq!(d(br"\\ud83d\\ude00").as_deref(), Some("\u{1F600}"));
        assert_eq!(d(br"\ud83d!").as_deref(), Some("\u{FFFD}!"));
        assert_eq!(d(br#"\"q\" \n \u12"#).as_deref(), Some(r#"\"q\" \n \u12"#));
        assert_eq!(d(br"\u005c"), None);
    }
}

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

struct Group {
    matcher: Matcher,
    /// Every needle is a whole top-level string, quotes included
    /// (`"kube-audit"`).
    top_level: bool,
}

enum Matcher {
    /// One case-sensitive needle: SIMD substring search.
    One(Box<Finder<'static>>),
    /// Needles compared with ASCII case folding, each found by a run of
    /// its bytes that folding leaves alone (GUIDs, numbers, paths).
    Anchored(Vec<Anchored>),
    /// Several needles, or ASCII case folding.
    Any(AhoCorasick),
}

/// A needle searched with ASCII case folding: by its `anchor`, the longest
/// run of its bytes that are not ASCII letters (which folding cannot
/// change), with SIMD substring search; each hit is then compared whole.
/// Aho-Corasick's case-folding search was 11 times slower than two such
/// searches on lines full of hex digits (issue 14's seed Q7, GUIDs).
struct Anchored {
    needle: Vec<u8>,
    anchor: Finder<'static>,
    /// Where the anchor starts in the needle.
    at: usize,
}

/// The shortest anchor worth searching for: shorter ones hit too often.
const MIN_ANCHOR: usize = 4;

impl Anchored {
    /// The anchored search of `needle`, if it has a long enough anchor.
    fn new(needle: &[u8]) -> Option<Anchored> {
        let mut best = 0..0;
        let mut start = 0;
        for (i, b) in needle.iter().enumerate() {
            if b.is_ascii_alphabetic() {
                start = i + 1;
            } else if i + 1 - start > best.len() {
                best = start..i + 1;
            }
        }
        if best.len() < MIN_ANCHOR {
            return None;
        }
        Some(Anchored {
            needle: needle.to_vec(),
            anchor: Finder::new(needle.get(best.clone())?).into_owned(),
            at: best.start,
        })
    }

    /// Whether the needle is in `line`, letters compared without case.
    /// Every hit of the anchor is tried, overlapping ones too (`find_iter`
    /// would skip those).
    fn found(&self, line: &[u8]) -> bool {
        let mut from = 0;
        while let Some(hit) = line.get(from..).and_then(|rest| self.anchor.find(rest)) {
            let at = from + hit;
            let whole = at
                .checked_sub(self.at)
                .and_then(|start| line.get(start..start + self.needle.len()));
            if whole.is_some_and(|text| text.eq_ignore_ascii_case(&self.needle)) {
                return true;
            }
            from = at + 1;
        }
        false
    }
}

impl Group {
    fn found(&self, line: &[u8]) -> bool {
        match &self.matcher {
            Matcher::One(f) => f.find(line).is_some(),
            Matcher::Anchored(needles) => needles.iter().any(|n| n.found(line)),
            Matcher::Any(ac) => ac.is_match(line),
        }
    }
}

impl LineFilter {
    pub fn new(prefilter: &Prefilter) -> Option<LineFilter> {
        let mut groups: Vec<(usize, Group)> = Vec::new();
        for needles in &prefilter.all_of {
            let shortest = needles.iter().map(|n| n.text.len()).min()?;
            // Folding applies to every needle of a group, as with `Any`.
            let folded = needles.iter().any(|n| !n.case_sensitive);
            let anchored = || {
                needles
                    .iter()
                    .map(|n| Anchored::new(n.text.as_bytes()))
                    .collect::<Option<Vec<_>>>()
            };
            let matcher = match needles.as_slice() {
                // Folding case changes nothing in a needle without letters.
                [n] if n.case_sensitive || !n.text.bytes().any(|b| b.is_ascii_alphabetic()) => {
                    Matcher::One(Box::new(Finder::new(n.text.as_bytes()).into_owned()))
                }
                _ => match folded.then(anchored).flatten() {
                    Some(anchored) => Matcher::Anchored(anchored),
                    None => Matcher::Any(
                        AhoCorasick::builder()
                            .ascii_case_insensitive(folded)
                            .build(needles.iter().map(|n| n.text.as_bytes()))
                            .ok()?,
                    ),
                },
            };
            let top_level = needles.iter().all(|n| n.text.starts_with('"'));
            groups.push((shortest, Group { matcher, top_level }));
        }
        if groups.is_empty() {
            return None;
        }
        // Single case-sensitive needles are the cheapest test (SIMD search);
        // then longer needles first, being rarer.
        groups.sort_by_key(|(len, g)| {
            (
                !matches!(g.matcher, Matcher::One(_)),
                std::cmp::Reverse(*len),
            )
        });
        Some(LineFilter {
            groups: groups.into_iter().map(|(_, g)| g).collect(),
            unicode_escape: Finder::new(b"\\u").into_owned(),
        })
    }

    /// False only if `line` cannot produce a row that passes the filters.
    pub fn may_match(&self, line: &[u8]) -> bool {
        let Some(first_missing) = self.groups.iter().position(|g| !g.found(line)) else {
            return true;
        };
        // Without `\u` no encoding of a needle but the one searched for
        // can be in the line (`plan::rules::prefilter`); nor with one at a
        // level deeper than strings in strings, whose `\u` is still in the
        // line (its backslash or its `u` escaped, both spelled `\…`).
        self.unicode_escape.find(line).is_some() && self.found_decoded(line, first_missing)
    }

    /// Whether every group missing from `line` as written is in one of its
    /// decodings: the line taken as the text of a JSON string and decoded,
    /// once, twice… A value nested in strings is exactly right after as
    /// many decodings as it is deep (a stray backslash from a shallower
    /// value spoils one character, a quote outside the nested text).
    fn found_decoded(&self, line: &[u8], first_missing: usize) -> bool {
        let rest = || self.groups.iter().enumerate().skip(first_missing);
        let absent = |i: usize, g: &Group| i == first_missing || !g.found(line);
        // A top-level string comes from `column == "literal"`: reading the
        // row and comparing costs less than decoding the line (or than
        // searching it for the other needles).
        if rest().any(|(i, g)| g.top_level && absent(i, g)) {
            return true;
        }
        let mut missing: Vec<&Group> = rest()
            .filter(|&(i, g)| absent(i, g))
            .map(|(_, g)| g)
            .collect();
        let mut text = line.to_vec();
        for _ in 0..MAX_DECODINGS {
            if !text.contains(&b'\\') {
                return false;
            }
            let decoded = decode_escapes(&text);
            if decoded == text {
                // Only invalid escapes left: nothing more to decode.
                return false;
            }
            text = decoded;
            missing.retain(|g| !g.found(&text));
            if missing.is_empty() {
                return true;
            }
        }
        // Deeper than this is not looked at: keep the line.
        true
    }
}

/// How many times a line is decoded looking for needles spelled with
/// escapes: audit events nest strings three or four deep.
const MAX_DECODINGS: usize = 8;

impl crate::input::LinePrefilter for LineFilter {
    fn may_match(&self, line: &[u8]) -> bool {
        LineFilter::may_match(self, line)
    }
}

/// `text` read as the inside of a JSON string, escapes decoded. Invalid
/// escapes stay as written; a lone surrogate becomes U+FFFD.
fn decode_escapes(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        let (before, from) = rest.split_at(at);
        out.extend_from_slice(before);
        let after = from.get(1..).unwrap_or_default();
        let simple = match after.first() {
            Some(b'"') => Some(b'"'),
            Some(b'\\') => Some(b'\\'),
            Some(b'/') => Some(b'/'),
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0c),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            rest = after.get(1..).unwrap_or_default();
            continue;
        }
        let Some(unit) = escaped_unit(after) else {
            out.push(b'\\');
            rest = after;
            continue;
        };
        let mut used = 5;
        let c = if (0xD800..0xDC00).contains(&unit) {
            let low = after
                .get(5..)
                .and_then(|next| next.strip_prefix(b"\\"))
                .and_then(escaped_unit)
                .filter(|low| (0xDC00..0xE000).contains(low));
            match low {
                Some(low) => {
                    used += 6;
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }
                None => None,
            }
        } else {
            char::from_u32(unit)
        }
        .unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        rest = after.get(used..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    out
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
    fn folded_needles_with_a_run_of_non_letters_are_found_by_it() {
        let guid = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        let f = filter(&[&[
            (guid, false),
            ("b24988ac-6180-42a0-ab88-20f7382dd24c", false),
        ]]);
        assert!(matches!(f.groups[0].matcher, Matcher::Anchored(_)));
        assert!(f.may_match(guid.as_bytes()));
        assert!(f.may_match(br#"{"id":"/roleDefinitions/8E3AF657-A8FF-443C-A75C-2FE8C4BCB635"}"#));
        assert!(f.may_match(br#"{"id":"B24988aC-6180-42A0-ab88-20F7382DD24C"}"#));
        // The anchor alone, or the needle cut at either end, is not enough.
        assert!(!f.may_match(br#"{"id":"x-443c-a75c-"}"#));
        assert!(!f.may_match(&guid.as_bytes()[1..]));
        assert!(!f.may_match(&guid.as_bytes()[..guid.len() - 1]));
        // Non-letters are compared exactly.
        assert!(!f.may_match(br#"{"id":"8e3af657_a8ff_443c_a75c_2fe8c4bcb635"}"#));
        // Overlapping hits of the anchor: the needle starts at the second.
        let f = filter(&[&[("0000b", false)]]);
        assert!(f.may_match(b"00000B"));
        // No run of four non-letters: searched as before.
        let f = filter(&[&[("pods/nginx", false)]]);
        assert!(matches!(f.groups[0].matcher, Matcher::Any(_)));
    }

    proptest::proptest! {
        /// The anchored search keeps exactly the lines Aho-Corasick's
        /// case-folding search keeps.
        #[test]
        fn anchored_search_agrees_with_case_folding_aho_corasick(
            needles in proptest::collection::vec("[aB0-2-]{1,9}", 1..3),
            line in "[aAbB0-3-]{0,40}",
        ) {
            let anchored: Option<Vec<Anchored>> =
                needles.iter().map(|n| Anchored::new(n.as_bytes())).collect();
            if let Some(anchored) = anchored {
                let ac = AhoCorasick::builder().ascii_case_insensitive(true).build(&needles).unwrap();
                let found = anchored.iter().any(|a| a.found(line.as_bytes()));
                proptest::prop_assert_eq!(found, ac.is_match(&line), "{:?} in {}", needles, line);
            }
        }
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
    fn a_line_with_escapes_missing_a_top_level_string_is_left_to_the_row_filter() {
        let f = filter(&[&[("\"kube-audit\"", true)], &[("create", true)]]);
        assert!(f.may_match(br#"{"Category":"\u006bube-audit","log_s":"{\"verb\":\"create\"}"}"#));
        assert!(
            f.may_match(br#"{"Category":"x","log_s":"{\"c\":\"\\u0061\",\"verb\":\"create\"}"}"#)
        );
        // Without an escape it is rejected.
        assert!(!f.may_match(br#"{"Category":"x","log_s":"{\"verb\":\"create\"}"}"#));
    }

    #[test]
    fn escapes_of_an_escape_are_decoded_level_by_level() {
        let f = filter(&[&[("create", true)]]);
        // `\u005c` is a backslash: with `u0063` after it, the next level
        // reads `c`.
        assert!(f.may_match(br#"{"log_s":"\u005cu0063reate"}"#));
        // An escaped backslash, then `\u0075` for the `u` of the next
        // level's `\u0063`.
        assert!(f.may_match(br#"{"log_s":"\\\u00750063reate"}"#));
        // The hex digits of the inner escape escaped in the outer string.
        assert!(f.may_match(br#"{"log_s":"\\u006\u0033reate"}"#));
    }

    /// `text` as a JSON string literal, each character whose flag is set
    /// written as `\uXXXX` (a pair of them outside the BMP).
    fn encode(text: &str, escape: &mut impl Iterator<Item = bool>) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            if escape.next().unwrap_or(false) || c.is_control() {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            } else if c == '"' || c == '\\' {
                out.push('\\');
                out.push(c);
            } else {
                out.push(c);
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        /// Whatever escapes an encoder picks, at whatever depth of strings
        /// in strings, a line whose value holds the needle is kept.
        #[test]
        fn a_needle_survives_any_encoding(
            prefix in "[a-zA-Z \"\\\\/é😀]{0,8}",
            suffix in "[a-zA-Z \"\\\\/é😀]{0,8}",
            levels in 1usize..4,
            before in "[a-z\"\\\\u0-9]{0,12}",
            flags in proptest::collection::vec(proptest::bool::weighted(0.3), 0..400),
        ) {
            let mut escape = flags.into_iter().cycle();
            let mut text = format!("{prefix}create{suffix}");
            for _ in 0..levels {
                text = encode(&text, &mut escape);
            }
            // A value before it whose decoding leaves stray backslashes.
            let before = encode(&before, &mut escape);
            let line = format!("{{\"a\":{before},\"x\":{text}}}");
            for f in [filter(&[&[("create", true)]]), filter(&[&[("CREATE", false)]])] {
                proptest::prop_assert!(f.may_match(line.as_bytes()), "{}", line);
            }
        }
    }

    #[test]
    fn decoding_escapes() {
        let d = |s: &[u8]| String::from_utf8(decode_escapes(s)).unwrap();
        assert_eq!(d(br"a\u0062c"), "abc");
        assert_eq!(d(br"a\\\\u0062c"), r"a\\u0062c");
        assert_eq!(d(br#"\"q\" \/ \n\t"#), "\"q\" / \n\t");
        assert_eq!(d(br"\ud83d\ude00!"), "\u{1F600}!");
        assert_eq!(d(br"\ud83d!"), "\u{FFFD}!");
        assert_eq!(d(br"\x \u12 \"), r"\x \u12 \");
        assert_eq!(d(br"\u005cu0063"), r"\u0063");
    }
}

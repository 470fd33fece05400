//! Rejecting lines by substring search before any JSON is read (the needles
//! come from `plan::rules::prefilter`).

use crate::plan::logical::Prefilter;
use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;

pub struct LineFilter {
    groups: Vec<Group>,
    /// `\u`: a line with a unicode escape may spell a needle differently,
    /// so it is never rejected.
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
    pub fn may_match(&self, line: &[u8]) -> bool {
        for g in &self.groups {
            if !g.found(line) {
                return self.unicode_escape.find(line).is_some();
            }
        }
        true
    }
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
    fn a_unicode_escape_is_never_rejected() {
        let f = filter(&[&[("create", true)]]);
        assert!(f.may_match(br#"{"verb":"cr\u0065ate"}"#));
        assert!(f.may_match(br#"{"log_s":"{\"verb\":\"cr\\u0065ate\"}"}"#));
    }
}

//! Cutting input bytes into chunks that end at line boundaries.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

use std::ops::Range;

/// Splits `bytes` into ranges of about `target` bytes, each extended to end
/// just after a `\n` (the last one at the end of the input). Rejoined, the
/// ranges give back the input; no line is split; no range is empty.
pub fn split(bytes: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut ranges = Vec::with_capacity(bytes.len() / target + 1);
    let mut start = 0;
    while start < bytes.len() {
        let probe = start.saturating_add(target).min(bytes.len());
        let end = if probe >= bytes.len() {
            bytes.len()
        } else {
            // probe >= 1 (target >= 1), so the search starts at probe - 1.
            let from = bytes.get(probe.saturating_sub(1)..).unwrap_or_default();
            match memchr::memchr(b'\n', from) {
                Some(i) => probe + i,
                None => bytes.len(),
            }
        };
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// The lines of a chunk, each without its `\n`, with its byte offset.
pub fn lines(chunk: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= chunk.len() {
            return None;
        }
        let start = pos;
        let rest = chunk.get(pos..)?;
        let end = memchr::memchr(b'\n', rest).map_or(chunk.len(), |i| pos + i);
        pos = end + 1;
        Some((start, chunk.get(start..end)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn chunks_rejoin_split_no_line_and_are_never_empty(
            text in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), Just(b'{')], 0..300),
            target in 1usize..64,
        ) {
            let ranges = split(&text, target);
            let mut pos = 0;
            for r in &ranges {
                prop_assert_eq!(r.start, pos);
                prop_assert!(r.end > r.start);
                if r.end < text.len() {
                    prop_assert_eq!(text[r.end - 1], b'\n');
                }
                pos = r.end;
            }
            prop_assert_eq!(pos, text.len());
        }
    }

    #[test]
    fn lines_drop_the_newline_and_keep_a_last_unterminated_line() {
        let got: Vec<(usize, &[u8])> = lines(b"ab\n\ncd").collect();
        assert_eq!(got, vec![(0, &b"ab"[..]), (3, &b""[..]), (4, &b"cd"[..])]);
    }
}

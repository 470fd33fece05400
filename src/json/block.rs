//! Where a JSON string ends, found 64 bytes at a time, escapes included.
//!
//! An audit event stored as a JSON string (`"log_s":"{\"kind\":…}"`) has a
//! `\"` every few bytes, so a skipper that stops at each backslash stops
//! hundreds of times per event. This one classifies a 64-byte block at once
//! (SSE2 or AVX2 where the CPU has it, eight bytes at a time in registers
//! elsewhere) into one bit per byte, and finds the backslash *runs* with
//! integer arithmetic, in the way of simdjson: adding a run's first bit to
//! the run carries to the bit just after it, and where that bit lands,
//! counted from where the run started, gives the run's length. The length
//! decides what the byte after the run is:
//!
//! * In a plain JSON string ([`Mode::Plain`]) a run of odd length escapes
//!   the byte after it (`\"`, `\\\"`), which must be one of `" / b f n r t`
//!   (`\\` pairs are inside the run); a quote after an even run (or none)
//!   ends the string.
//! * Inside an inner string of JSON text that is itself escaped inside a
//!   JSON string ([`Mode::Escaped`], see `escaped.rs`), each byte of the
//!   inner text `T` is spelled in the outer string `S` with one level of
//!   escapes, so a run of `L` backslashes in `S` followed by a byte `c`
//!   spells `L / 2` backslashes of `T` and then `c` (escaped in `S` when `L`
//!   is odd). What `c` is for `T` therefore depends on `L` modulo 4:
//!
//!   | `L mod 4` | in `T` | `c` may be |
//!   |---|---|---|
//!   | 0 | pairs `\\`, then a plain `c` | anything but `"` (a raw quote would end `S`) |
//!   | 1 | an unescaped `"` or `/` | `"` (ends the inner string) or `/` |
//!   | 2 | `\` + plain `c`: an inner escape | `/ b f n r t` (`u` is left to the scalar walk) |
//!   | 3 | `\` + `"` or `/`: an inner escape | `"` or `/` |
//!
//!   So the byte after each run is classed by the run's length modulo 4
//!   (one addition per class of start position modulo 4), and the run
//!   state carried from one block to the next is that length modulo 4.
//!
//! The block walk only ever *finds* the end; it never judges. A block with
//! anything else before the end — a control or non-ASCII byte, an escape
//! it does not accept, a `\u` escape — sends the caller back to its
//! byte-wise walk ([`Found::Scalar`]) from a position where that walk can
//! start (not inside an escape), for that block; so errors, their
//! positions and every accepted string are exactly the byte-wise walk's.
//! Fewer than 64 bytes left go to the byte-wise walk too.

/// The bytes classified at once.
pub(crate) const BLOCK: usize = 64;

/// One bit per byte of a block (bit `i` is byte `i`) for each kind of byte
/// the walk needs to see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Classes {
    /// `\`
    pub(crate) backslash: u64,
    /// `"`
    pub(crate) quote: u64,
    /// `/`
    pub(crate) slash: u64,
    /// `b f n r t`: the letters of one-character escapes.
    pub(crate) letter: u64,
    /// Below 0x20 (control) or at least 0x80 (non-ASCII).
    pub(crate) odd: u64,
}

/// Which strings are walked: a plain JSON string, or an inner string of
/// JSON text escaped inside a JSON string (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A JSON string; the end is an unescaped `"`.
    Plain,
    /// An inner string spelled inside an outer JSON string; the end is `\"`.
    Escaped,
}

/// What [`find_end`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// The offset of the quote that ends the string; every byte before it
    /// is valid in the string.
    Quote(usize),
    /// Walk byte-wise from `from` (never inside an escape) until past
    /// `until`, then ask again.
    Scalar {
        /// Where to resume walking byte-wise.
        from: usize,
        /// How far the byte-wise walk must go before asking again.
        until: usize,
    },
}

/// Finds the end of the string whose text goes on at `pos` (not inside an
/// escape) in `mode`, with the best instructions this CPU has.
#[inline]
pub(crate) fn find_end(bytes: &[u8], pos: usize, mode: Mode) -> Found {
    #[cfg(target_arch = "x86_64")]
    {
        if x86::has_avx2() {
            // SAFETY: the CPU has AVX2 (checked at run time just above).
            return unsafe { x86::find_end_avx2(bytes, pos, mode) };
        }
        // SAFETY: SSE2 is part of every x86-64 CPU.
        unsafe { x86::find_end_sse2(bytes, pos, mode) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        find_end_with(bytes, pos, mode, classify_swar)
    }
}

/// [`find_end`] with a given classifier (each is tested against the others).
#[inline(always)]
pub(crate) fn find_end_with(
    bytes: &[u8],
    mut pos: usize,
    mode: Mode,
    classify: impl Fn(&[u8; BLOCK]) -> Classes,
) -> Found {
    let mut carry = 0u32;
    while let Some(block) = bytes
        .get(pos..)
        .and_then(|rest| rest.first_chunk::<BLOCK>())
    {
        let c = classify(block);
        let (after, carry_out) = runs(c.backslash, carry);
        let (end, trouble) = match mode {
            Mode::Plain => {
                let escaped = after[1] | after[3];
                (
                    c.quote & !escaped,
                    c.odd | escaped & !(c.quote | c.slash | c.letter),
                )
            }
            Mode::Escaped => {
                let quote_or_slash = after[1] | after[3];
                (
                    c.quote & after[1],
                    c.odd
                        | c.quote & !quote_or_slash
                        | quote_or_slash & !(c.quote | c.slash)
                        | after[2] & !(c.slash | c.letter),
                )
            }
        };
        // The bits below the first end (all of them when there is none).
        let before_end = (end & end.wrapping_neg()).wrapping_sub(1);
        if trouble & before_end != 0 {
            // Back to the start of the run reaching into this block, or to
            // a multiple of four backslashes into it: a byte-wise walk
            // starts there outside any escape, in either mode.
            return Found::Scalar {
                from: pos - carry as usize,
                until: pos + BLOCK,
            };
        }
        if end != 0 {
            return Found::Quote(pos + end.trailing_zeros() as usize);
        }
        carry = carry_out;
        pos += BLOCK;
    }
    Found::Scalar {
        from: pos - carry as usize,
        until: bytes.len(),
    }
}

/// The bit positions congruent to 0, 1, 2, 3 modulo 4.
const CLASS: [u64; 4] = [
    0x1111_1111_1111_1111,
    0x2222_2222_2222_2222,
    0x4444_4444_4444_4444,
    0x8888_8888_8888_8888,
];

/// For a block's backslashes and the length (mod 4) of a run carried in
/// from the previous block (0: none), the bits just after each run, by the
/// run's length mod 4 (`after[r]`), and the length (mod 4) of the run that
/// reaches the block's end (0 if none). A run of length 0 mod 4 acts as no
/// run in both modes, so it needs no carry.
#[inline(always)]
pub(crate) fn runs(backslash: u64, carry: u32) -> ([u64; 4], u32) {
    let carry = carry % 4;
    let mut starts = backslash & !(backslash << 1);
    // A run carried in is counted as if it had started `carry` bits before
    // this block; its first bit here (or, if it ended exactly at the
    // block's edge, the byte after it, bit 0) goes in the class of start
    // positions congruent to `-carry`.
    let (carried, carried_class) = if carry == 0 {
        (0, 0)
    } else {
        starts &= !1;
        (1u64, (4 - carry) as usize % 4)
    };
    let mut after = [0u64; 4];
    for (k, class) in CLASS.iter().enumerate() {
        let mut s = starts & class;
        if k == carried_class {
            s |= carried;
        }
        // Each start carries through its run to the bit after it; a run
        // reaching bit 63 carries out of the word (its end is in the next
        // block).
        let ends = s.wrapping_add(backslash) & !backslash;
        for (r, slot) in after.iter_mut().enumerate() {
            if let Some(m) = CLASS.get((k + r) % 4) {
                *slot |= ends & m;
            }
        }
    }
    let carry_out = if backslash >> 63 == 0 {
        0
    } else if backslash == u64::MAX {
        (carry + 64) % 4
    } else {
        backslash.leading_ones() % 4
    };
    (after, carry_out)
}

/// Classifies a block eight bytes at a time in general-purpose registers
/// (for CPUs without the vector paths below).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn classify_swar(block: &[u8; BLOCK]) -> Classes {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The top bit of each byte of `w` that equals `b`, exactly (no borrow
    // between bytes).
    let eq = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        !(((x & LOW7) + LOW7) | x) & HIGHS
    };
    // Gathers the top bit of each byte into the low eight bits.
    let gather = |m: u64| ((m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) & 0xff;
    let mut c = Classes::default();
    for (i, chunk) in block.chunks_exact(8).enumerate() {
        let Some(&word) = chunk.first_chunk::<8>() else {
            continue;
        };
        let w = u64::from_le_bytes(word);
        let shift = 8 * i;
        // Below 0x20: the byte minus 0x20 borrows, exactly when the top
        // three bits are clear.
        let control = !(((w & LOW7) | HIGHS).wrapping_sub(ONES * 0x20) | w) & HIGHS;
        c.backslash |= gather(eq(w, b'\\')) << shift;
        c.quote |= gather(eq(w, b'"')) << shift;
        c.slash |= gather(eq(w, b'/')) << shift;
        c.letter |=
            gather(eq(w, b'b') | eq(w, b'f') | eq(w, b'n') | eq(w, b'r') | eq(w, b't')) << shift;
        c.odd |= gather(control | w & HIGHS) << shift;
    }
    c
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    //! The SSE2 (every x86-64 CPU) and AVX2 (detected once) classifiers.

    use std::arch::x86_64::*;
    use std::sync::atomic::{AtomicU8, Ordering};

    use super::{BLOCK, Classes, Found, Mode, find_end_with};

    /// 0: not checked yet; 1: no AVX2; 2: AVX2.
    static AVX2: AtomicU8 = AtomicU8::new(0);

    /// Whether the CPU has AVX2, checked once.
    #[inline]
    pub(crate) fn has_avx2() -> bool {
        match AVX2.load(Ordering::Relaxed) {
            0 => {
                let has = std::arch::is_x86_feature_detected!("avx2");
                AVX2.store(if has { 2 } else { 1 }, Ordering::Relaxed);
                has
            }
            level => level == 2,
        }
    }

    /// [`find_end_with`] on the AVX2 classifier, compiled for AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) fn find_end_avx2(bytes: &[u8], pos: usize, mode: Mode) -> Found {
        find_end_with(bytes, pos, mode, |block| classify_avx2(block))
    }

    /// [`find_end_with`] on the SSE2 classifier.
    #[target_feature(enable = "sse2")]
    pub(crate) fn find_end_sse2(bytes: &[u8], pos: usize, mode: Mode) -> Found {
        find_end_with(bytes, pos, mode, |block| classify_sse2(block))
    }

    /// One bit per byte of 32 bytes where `v` equals `b`.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn eq32(v: __m256i, b: u8) -> __m256i {
        _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b as i8))
    }

    /// The bits of a 32-byte comparison's result.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn bits32(m: __m256i) -> u64 {
        u64::from(_mm256_movemask_epi8(m) as u32)
    }

    /// The classes of 32 bytes, each in the low 32 bits.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn classify32(v: __m256i) -> Classes {
        let letter = _mm256_or_si256(
            _mm256_or_si256(eq32(v, b'b'), eq32(v, b'f')),
            _mm256_or_si256(_mm256_or_si256(eq32(v, b'n'), eq32(v, b'r')), eq32(v, b't')),
        );
        Classes {
            backslash: bits32(eq32(v, b'\\')),
            quote: bits32(eq32(v, b'"')),
            slash: bits32(eq32(v, b'/')),
            letter: bits32(letter),
            // Signed: 0x20 > b holds for 0x00..0x20 and for 0x80..=0xff
            // (negative).
            odd: bits32(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v)),
        }
    }

    /// Classifies a block with AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) fn classify_avx2(block: &[u8; BLOCK]) -> Classes {
        let p = block.as_ptr();
        // SAFETY: `block` is 64 readable bytes; the unaligned loads read
        // bytes 0..32 and 32..64 of it.
        let (lo, hi) = unsafe {
            (
                _mm256_loadu_si256(p.cast::<__m256i>()),
                _mm256_loadu_si256(p.add(32).cast::<__m256i>()),
            )
        };
        join(classify32(lo), classify32(hi), 32)
    }

    /// One bit per byte of 16 bytes where `v` equals `b`.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn eq16(v: __m128i, b: u8) -> __m128i {
        _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))
    }

    /// The bits of a 16-byte comparison's result.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn bits16(m: __m128i) -> u64 {
        u64::from(_mm_movemask_epi8(m) as u32 & 0xffff)
    }

    /// The classes of 16 bytes, each in the low 16 bits.
    #[target_feature(enable = "sse2")]
    #[inline]
    fn classify16(v: __m128i) -> Classes {
        let letter = _mm_or_si128(
            _mm_or_si128(eq16(v, b'b'), eq16(v, b'f')),
            _mm_or_si128(_mm_or_si128(eq16(v, b'n'), eq16(v, b'r')), eq16(v, b't')),
        );
        Classes {
            backslash: bits16(eq16(v, b'\\')),
            quote: bits16(eq16(v, b'"')),
            slash: bits16(eq16(v, b'/')),
            letter: bits16(letter),
            odd: bits16(_mm_cmpgt_epi8(_mm_set1_epi8(0x20), v)),
        }
    }

    /// Classifies a block with SSE2 (part of every x86-64 CPU).
    #[target_feature(enable = "sse2")]
    #[inline]
    pub(crate) fn classify_sse2(block: &[u8; BLOCK]) -> Classes {
        let mut c = Classes::default();
        for (i, part) in block.chunks_exact(16).enumerate() {
            // SAFETY: `part` is 16 readable bytes (`chunks_exact`), which
            // the unaligned load reads.
            let v = unsafe { _mm_loadu_si128(part.as_ptr().cast::<__m128i>()) };
            c = join(c, classify16(v), 16 * i as u32);
        }
        c
    }

    /// `low` with `high`'s bits shifted up by `shift`.
    #[inline(always)]
    fn join(low: Classes, high: Classes, shift: u32) -> Classes {
        Classes {
            backslash: low.backslash | high.backslash << shift,
            quote: low.quote | high.quote << shift,
            slash: low.slash | high.slash << shift,
            letter: low.letter | high.letter << shift,
            odd: low.odd | high.odd << shift,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::escaped;
    use crate::json::scan;

    /// A small deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// The classes of a block, byte by byte.
    fn classify_reference(block: &[u8; BLOCK]) -> Classes {
        let mut c = Classes::default();
        for (i, &b) in block.iter().enumerate() {
            let bit = 1u64 << i;
            match b {
                b'\\' => c.backslash |= bit,
                b'"' => c.quote |= bit,
                b'/' => c.slash |= bit,
                b'b' | b'f' | b'n' | b'r' | b't' => c.letter |= bit,
                0..0x20 | 0x80.. => c.odd |= bit,
                _ => {}
            }
        }
        c
    }

    type Classify = fn(&[u8; BLOCK]) -> Classes;

    /// Every classifier this machine can run, by name.
    fn classifiers() -> Vec<(&'static str, Classify)> {
        let mut all: Vec<(&'static str, Classify)> = vec![("swar", classify_swar)];
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: SSE2 is part of every x86-64 CPU.
            all.push(("sse2", |b| unsafe { x86::classify_sse2(b) }));
            if x86::has_avx2() {
                // SAFETY: only pushed when the CPU has AVX2.
                all.push(("avx2", |b| unsafe { x86::classify_avx2(b) }));
            }
        }
        all
    }

    #[test]
    fn classifiers_agree_on_every_byte_at_every_offset() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut blocks: Vec<[u8; BLOCK]> = Vec::new();
        // Each byte value at each offset, among plain bytes and among
        // bytes of its neighbours in value.
        for b in 0..=255u8 {
            for at in 0..BLOCK {
                let mut block = [b'a'; BLOCK];
                block[at] = b;
                blocks.push(block);
            }
        }
        for _ in 0..20_000 {
            let mut block = [0u8; BLOCK];
            for x in block.iter_mut() {
                *x = rng.next() as u8;
            }
            blocks.push(block);
        }
        for block in &blocks {
            let want = classify_reference(block);
            for (name, classify) in classifiers() {
                assert_eq!(classify(block), want, "{name} on {block:?}");
            }
        }
    }

    /// `runs` by walking the bits: the bit after each run by the run's
    /// length mod 4, and the carry out.
    fn runs_reference(backslash: u64, carry: u32) -> ([u64; 4], u32) {
        let mut after = [0u64; 4];
        let mut len = carry;
        for i in 0..64 {
            if backslash >> i & 1 == 1 {
                len += 1;
            } else {
                if len > 0 {
                    after[(len % 4) as usize] |= 1 << i;
                }
                len = 0;
            }
        }
        (after, len % 4)
    }

    #[test]
    fn runs_match_counting() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut masks = vec![0, u64::MAX, 1, 1 << 63, u64::MAX - 1, u64::MAX >> 1];
        for len in 0..=64u32 {
            for at in 0..64u32 {
                // A run of `len` ones starting at `at`.
                let ones = if len == 64 {
                    u64::MAX
                } else {
                    (1u64 << len) - 1
                };
                masks.push(ones << at);
            }
        }
        for _ in 0..50_000 {
            // Dense and sparse backslashes.
            let m = match rng.below(3) {
                0 => rng.next() | rng.next(),
                1 => rng.next() & rng.next(),
                _ => rng.next(),
            };
            masks.push(m);
        }
        for &m in &masks {
            for carry in 0..4 {
                let (after, out) = runs(m, carry);
                let (want_after, want_out) = runs_reference(m, carry);
                // A run of length 0 mod 4 ends like no run at all: only
                // the classes 1..=3 must agree exactly.
                assert_eq!(after[1..], want_after[1..], "{m:#x} carry {carry}");
                assert_eq!(out, want_out, "{m:#x} carry {carry}");
            }
        }
    }

    /// Checks that the skips with and without the block search agree on
    /// `bytes` from `pos`, and that every classifier finds the same.
    fn check(bytes: &[u8], pos: usize) {
        assert_eq!(
            scan::skip_string_with::<true>(bytes, pos),
            scan::skip_string_with::<false>(bytes, pos),
            "plain {:?}",
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(
            escaped::skip_string_with::<true>(bytes, pos),
            escaped::skip_string_with::<false>(bytes, pos),
            "escaped {:?}",
            String::from_utf8_lossy(bytes)
        );
        for mode in [Mode::Plain, Mode::Escaped] {
            let want = find_end_with(bytes, pos, mode, classify_reference);
            for (name, classify) in classifiers() {
                assert_eq!(find_end_with(bytes, pos, mode, classify), want, "{name}");
            }
        }
    }

    /// Checks `body` (which starts with an escape, so the block search is
    /// used) after 0..4 bytes of padding, whole and cut short around each
    /// block edge and at its end.
    fn check_cuts(body: &[u8], pad: usize) {
        let mut bytes = b"xyz".get(..pad).unwrap().to_vec();
        bytes.extend_from_slice(body);
        let mut cuts = vec![bytes.len()];
        for edge in (0..=bytes.len()).step_by(BLOCK) {
            for d in 0..4 {
                cuts.push(edge + pad + d);
                cuts.push((edge + pad).saturating_sub(d));
            }
        }
        for cut in cuts {
            if let Some(b) = bytes.get(..cut) {
                check(b, pad);
            }
        }
    }

    /// Text between escapes: the block search is used after the first.
    fn filler(len: usize, rng: &mut Rng) -> Vec<u8> {
        let mut out = b"\\/".to_vec();
        while out.len() < len {
            match rng.below(6) {
                0 => out.extend_from_slice(b"\\\\\\\""),
                1 => out.extend_from_slice(b"\\\\n"),
                2 => out.extend_from_slice(b"\\/"),
                _ => out.push(b'a' + rng.below(26) as u8),
            }
        }
        // A cut may leave a backslash run of any length at the end, which
        // the run placed after it then lengthens: more cases.
        out.truncate(len.max(2));
        out
    }

    #[test]
    fn block_search_agrees_with_the_bytewise_walks_around_block_edges() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let lens: Vec<usize> = (0..=9).chain(62..=67).chain(126..=130).collect();
        let after_run: &[&[u8]] = &[
            b"\"",
            b"/",
            b"n",
            b"b",
            b"u",
            b"u12aF",
            b"q",
            b"a",
            b"\x01",
            b"\x1f",
            b"\xc3\xa9",
            b"\xff",
            b" ",
        ];
        for offset in 0..130 {
            for &len in &lens {
                for &c in after_run {
                    let mut body = filler(offset, &mut rng);
                    body.extend(std::iter::repeat_n(b'\\', len));
                    body.extend_from_slice(c);
                    body.extend_from_slice(&filler(rng.below(70), &mut rng));
                    // Ends: a plain quote, an escaped one, or none.
                    match rng.below(3) {
                        0 => body.extend_from_slice(b"\"tail"),
                        1 => body.extend_from_slice(b"\\\"tail\""),
                        _ => {}
                    }
                    check_cuts(&body, offset % 4);
                }
            }
        }
    }

    #[test]
    fn block_search_agrees_with_the_bytewise_walks_on_random_strings() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        let alphabet: &[u8] = b"\\\\\\\\\\\"\"/nbfrtuaA0F \x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xff";
        for _ in 0..40_000 {
            let len = rng.below(300);
            let mut body = b"\\/".to_vec();
            for _ in 0..len {
                body.push(alphabet[rng.below(alphabet.len())]);
            }
            check(&body, 0);
            let cut = rng.below(body.len() + 1);
            check(&body[..cut], 0);
        }
    }

    #[test]
    fn long_strings_end_where_the_bytewise_walks_say() {
        // An escaped event as `log_s` holds it, long enough for many
        // blocks, and the same with each byte broken in turn.
        let event = "{\"kind\":\"Event\",\"user\":{\"username\":\"system:apiserver\",\"groups\":[\"a\\\"b\",\"c\\\\d\"]},\"reason\":\"RBAC: allowed by \\\"x\\\" of \\\"y\\\"\",\"n\":[1,2,3],\"é\":\"€\"}";
        let quoted = serde_json::to_string(&event.repeat(4)).unwrap();
        let line = format!("{quoted},");
        let bytes = line.as_bytes();
        assert_eq!(
            scan::skip_string_at(bytes, 1),
            Ok(quoted.len()),
            "the whole string"
        );
        for at in 1..bytes.len() {
            for b in [b'"', b'\\', 0x01, b'u', 0xff] {
                let mut broken = bytes.to_vec();
                broken[at] = b;
                check(&broken, 1);
            }
        }
    }
}

//! The fuzz harnesses of `fuzz/` (parser, row decoder, evaluator), run on
//! stable as bounded property tests on every `cargo test`, and every input
//! that ever crashed them (`fuzz/regressions/TARGET/`) replayed.
//!
//! `KQLITE_FUZZ_CASES=N` runs N cases per harness instead of the default
//! (a few seconds each in release); `KQLITE_FUZZ_SEED=N` picks other cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::generator;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn cases(default: u32) -> u32 {
    std::env::var("KQLITE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) {
            default / 4
        } else {
            default
        })
}

/// A runner with a fixed seed, so a CI run is reproducible and a failure
/// on one machine fails on every machine; `KQLITE_FUZZ_SEED=N` explores
/// elsewhere (a failure found that way becomes a file in
/// `fuzz/regressions/`).
fn runner(default: u32) -> TestRunner {
    let seed: u64 = std::env::var("KQLITE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x6b71_6c69_7465);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    TestRunner::new_with_rng(
        Config {
            cases: cases(default),
            failure_persistence: None,
            ..Config::default()
        },
        rng,
    )
}

/// Every saved input of `target`, run through `check`.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    // Every target keeps its saved inputs: a missing or empty folder means a
    // renamed target or a lost folder, not "nothing to replay".
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no regressions folder {}: {e}", dir.display()));
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    assert!(!paths.is_empty(), "{} holds no saved input", dir.display());
    for path in paths {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "regression {} fails again", path.display());
    }
}

// ---------------------------------------------------------------------------
// Parser

const SEEDS: &str = include_str!("../../examples/seed-queries.kql");

const TOKENS: &[&str] = &[
    "|",
    "where ",
    "extend ",
    "project ",
    "summarize ",
    " by ",
    "let x = ",
    ";",
    "==",
    "=~",
    "!=",
    " has ",
    " contains ",
    " in ",
    " !in ",
    " between ",
    "..",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "dynamic(",
    "datetime(",
    "toscalar(",
    "materialize(",
    "datatable(",
    "print ",
    "range ",
    "join ",
    "kind=inner ",
    "union ",
    "mv-expand ",
    "parse ",
    " with ",
    "@\"",
    "h'",
    "'",
    "\"",
    "\\",
    "//",
    "\n",
    "1d",
    "ago(",
    "iff(",
    "count()",
    "order by ",
    "top ",
    "take ",
    "asc",
    "desc",
    "$left.",
    "$right.",
    "#",
    "{p}",
    "*",
    ",",
    ".",
    "-",
    "+",
    "0x",
    "1e",
    "é",
    "\u{0}",
    "\r",
    "```",
    "`",
];

/// A published query, mutated: spans deleted, tokens inserted.
fn mutated_query() -> impl Strategy<Value = String> {
    let seeds: Vec<&'static str> = SEEDS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("//"))
        .collect();
    (
        proptest::sample::select(seeds),
        proptest::collection::vec((any::<u16>(), 0usize..TOKENS.len(), any::<u8>()), 0..6),
    )
        .prop_map(|(seed, edits)| {
            let mut q: Vec<char> = seed.chars().collect();
            for (at, token, len) in edits {
                let at = usize::from(at) % (q.len() + 1);
                if len % 3 == 0 {
                    let end = (at + usize::from(len % 17)).min(q.len());
                    q.drain(at..end);
                } else {
                    for (k, c) in TOKENS[token].chars().enumerate() {
                        q.insert(at + k, c);
                    }
                }
            }
            q.into_iter().collect()
        })
}

#[test]
fn fuzz_parse() {
    replay("parse", generator::check_parse);
    let mut r = runner(15_000);
    r.run(&mutated_query(), |q| {
        generator::check_parse(q.as_bytes());
        Ok(())
    })
    .unwrap();
    let mut r = runner(15_000);
    r.run(&"[ -~\n|()\\[\\]{}'\"@a-z0-9.=<>!]{0,80}", |q| {
        generator::check_parse(q.as_bytes());
        Ok(())
    })
    .unwrap();
}

// ---------------------------------------------------------------------------
// Row decoder

const FRAGMENTS: &[&[u8]] = &[
    b"{\"a\":1,\"b\":\"x\",\"c\":[1,{\"d\":null}]}",
    b"{\"a\":\"2024-11-04T10:00:00Z\",\"b\":1.5e3,\"c\":true}",
    b"{\"\":\"\",\"a\\u00e9\":\"\\ud83d\\ude00\"}",
    b"{\"a\":\"1.02:03:04\",\"b\":\"8e3af657-a8ff-443c-a75c-2fe8c4bcb635\"}",
    b"{\"c\":\"{\\\"x\\\":[1,2]}\",\"b\":-9223372036854775808}",
    b"{\"a\":1e999,\"b\":-0,\"c\":99999999999999999999}",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\x01",
    b" ",
    b"null",
    b"\"a\":",
    b"\"b\":",
    b"\"c\":",
    b"[[[[[[[[[[",
    b"]]]]]]]]]]",
];

fn jsonl_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(any::<u8>(), 14),
        proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(FRAGMENTS).prop_map(|f| f.to_vec()),
                1 => proptest::collection::vec(any::<u8>(), 0..8),
            ],
            0..24,
        ),
    )
        .prop_map(|(choices, parts)| {
            let mut out = choices;
            for p in parts {
                out.extend(p);
            }
            out
        })
}

#[test]
fn fuzz_rows() {
    replay("rows", generator::check_rows);
    let mut r = runner(2_000);
    r.run(&jsonl_bytes(), |b| {
        generator::check_rows(&b);
        Ok(())
    })
    .unwrap();
}

// ---------------------------------------------------------------------------
// Evaluator

#[test]
fn fuzz_eval() {
    replay("eval", generator::check_eval);
    let mut r = runner(8_000);
    r.run(&proptest::collection::vec(any::<u8>(), 0..200), |b| {
        generator::check_eval(&b);
        Ok(())
    })
    .unwrap();
}

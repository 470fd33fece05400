//! Published queries (tests/corpus/*.jsonl): every query the official
//! parser accepts must parse; at least 90% of the ones it rejects must be
//! rejected, and no query rejected today may start being accepted.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use crate::common::corpus;

use corpus::cases;
use std::fmt::Write;

/// Queries the official parser rejects that we accept anyway (each with
/// the reason). Empty: every one of them is rejected.
const ACCEPTED_ALTHOUGH_OFFICIALLY_INVALID: &[&str] = &[];

#[test]
fn corpus_verdicts_match_the_official_parser() {
    let cases = cases();
    let mut failures = String::new();
    let (mut ok_total, mut bad_total, mut bad_rejected) = (0, 0, 0);
    let mut newly_accepted = Vec::new();
    for c in &cases {
        let result = kqlite::internals::syntax::parse(&c.query);
        if c.official_ok {
            ok_total += 1;
            if let Err(e) = result {
                let _ = writeln!(
                    failures,
                    "=== {}:{} is valid KQL but was rejected\n{}\n--- query ---\n{}\n",
                    c.file,
                    c.id,
                    e.diagnostic().render(&c.query, &c.id),
                    c.query
                );
            }
        } else {
            bad_total += 1;
            if result.is_err() {
                bad_rejected += 1;
            } else if !ACCEPTED_ALTHOUGH_OFFICIALLY_INVALID.contains(&c.id.as_str()) {
                newly_accepted.push(format!("{}:{}", c.file, c.id));
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
    assert!(ok_total >= 1348, "corpus lost queries: {ok_total}");
    assert!(
        bad_rejected * 10 >= bad_total * 9,
        "only {bad_rejected} of {bad_total} invalid queries rejected"
    );
    assert!(
        newly_accepted.is_empty(),
        "officially invalid queries now accepted: {newly_accepted:?}"
    );
    println!("accepted {ok_total}/{ok_total} valid, rejected {bad_rejected}/{bad_total} invalid");
}

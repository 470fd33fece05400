//! Issue 16 items 7 and 10: a memory budget (`--max-memory`). Operators
//! that hold rows stop with exit code 1 and an error naming the operator
//! and the limit instead of the process being aborted; a stream whose
//! first line is longer than the budget (`/dev/zero`) is an error, not a
//! process that grows until it is killed (an endless pipe of rows is read
//! as it comes: tests/it/stdin_stream.rs). Run through the command, which
//! counts its heap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kqlite(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.map(<[u8]>::to_vec);
    let writer = std::thread::spawn(move || {
        if let Some(d) = data {
            // The command may stop reading early: a broken pipe is fine.
            let _ = input.write_all(&d);
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// 300,000 rows with distinct 20-byte keys (about 30 MB in memory).
fn rows_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("rows.jsonl");
    let mut text = String::new();
    for i in 0..300_000u64 {
        let k = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        text.push_str(&format!("{{\"k\":\"{k:020}\",\"n\":{i}}}\n"));
    }
    std::fs::write(&path, text).unwrap();
    format!("T={}", path.display())
}

#[test]
fn operators_over_the_budget_stop_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let table = rows_file(&dir);
    for (query, operator) in [
        ("T | summarize count() by k | count", "summarize"),
        ("T | distinct k | count", "summarize"),
        ("T | summarize make_set(k) | count", "summarize"),
        ("T | join kind=inner (T) on k | count", "join"),
    ] {
        let out = kqlite(&["--max-memory", "20M", "--table", &table, query], None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{query}: {err}");
        assert!(
            err.contains("out of memory budget") && err.contains("20 MiB"),
            "{query}: {err}"
        );
        assert!(
            err.contains(operator) || err.contains("collecting rows"),
            "{query}: {err}"
        );
    }
    // A sort spills to disk past the budget: the same answer as in memory.
    let sorted = |budget: &str| {
        let out = kqlite(
            &[
                "--max-memory",
                budget,
                "--table",
                &table,
                "T | sort by k asc | project k, n",
            ],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let spilled = sorted("20M");
    assert_eq!(String::from_utf8_lossy(&spilled).lines().count(), 300_000);
    assert!(spilled == sorted("2G"));
    // A sort cut by take is a top-N: it holds a few rows, so the budget
    // does not stop it.
    let out = kqlite(
        &[
            "--max-memory",
            "20M",
            "--table",
            &table,
            "T | sort by k | take 1",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Within a budget that fits, the same query answers.
    let out = kqlite(
        &[
            "--max-memory",
            "2G",
            "--table",
            &table,
            "T | summarize count() by k | count",
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\"Count\":300000}\n");
}

#[test]
fn a_stream_longer_than_the_budget_is_an_error() {
    let zeros = vec![b'0'; 48 << 20];
    let out = kqlite(
        &["--max-memory", "16M", "--table", "T=-", "T | take 1"],
        Some(&zeros),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("longer than the memory budget (16 MiB)"),
        "{err}"
    );
    #[cfg(unix)]
    endless_device_stops_at_the_budget("/dev/zero");
}

#[test]
fn max_memory_must_be_a_size() {
    let out = kqlite(&["--max-memory", "lots", "print 1"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a size"));
}

/// Issue 16 item 8: a join's output is streamed to what follows it, so a
/// `take` downstream stops the join. 8,000 × 8,000 rows on a key of five
/// values make 12.8 million output rows (gigabytes if built whole); the
/// first row is all that is read, well within 64 MiB.
#[test]
fn a_take_after_a_join_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let mut text = String::new();
    for i in 0..8_000u64 {
        text.push_str(&format!(
            "{{\"k\":{},\"n\":{i},\"s\":\"row {i}\"}}\n",
            i % 5
        ));
    }
    std::fs::write(&path, text).unwrap();
    let table = format!("T={}", path.display());
    for (query, expected) in [
        (
            "T | take 8000 | join kind=inner (T | take 8000) on k | take 1",
            "{\"k\":0,\"n\":0,\"s\":\"row 0\",\"k1\":0,\"n1\":0,\"s1\":\"row 0\"}\n",
        ),
        (
            "T | join kind=leftouter (T) on k | where n1 == 7995 | take 2",
            "{\"k\":0,\"n\":0,\"s\":\"row 0\",\"k1\":0,\"n1\":7995,\"s1\":\"row 7995\"}\n\
             {\"k\":0,\"n\":5,\"s\":\"row 5\",\"k1\":0,\"n1\":7995,\"s1\":\"row 7995\"}\n",
        ),
    ] {
        let out = kqlite(
            &[
                "--max-memory",
                "64M",
                "--table",
                &table,
                "--format",
                "jsonl",
                query,
            ],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{query}");
    }
}

/// Item 10: `/dev/urandom` is no log: an error naming it (exit 1), at
/// once, not a process that grows. (An endless pipe of rows answers `take
/// 1`: tests/it/stdin_stream.rs.)
#[cfg(unix)]
#[test]
fn dev_urandom_is_refused_at_once() {
    let out = kqlite(
        &[
            "--max-memory",
            "16M",
            "--table",
            "T=/dev/urandom",
            "T | take 1",
        ],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("/dev/urandom") && err.contains("not a format kqlite recognises"),
        "{err}"
    );
}

/// `T | take 1` over an endless device under a 16 MiB budget: exit 1, the
/// error naming the device and the budget.
#[cfg(unix)]
fn endless_device_stops_at_the_budget(device: &str) {
    let table = format!("T={device}");
    let out = kqlite(
        &["--max-memory", "16M", "--table", &table, "T | take 1"],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(device) && err.contains("memory budget"),
        "{err}"
    );
}

//! Issue 16, bounded inputs: standard input and pipes are streamed, read
//! as a scan needs them. An endless pipe answers `take 1`; a piped file
//! gives the same answers as the file (scanned once, or spooled when read
//! twice); bad lines past the sampled head are reported at their line; a
//! piped input far larger than the memory budget is read within it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::process::{ChildStdin, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the command with `args`, `feed` writing its standard input (until
/// the pipe breaks, for an endless one). A guard kills the command after
/// two minutes so that a regression fails instead of hanging CI; the
/// tests do not depend on timing.
fn run_fed(args: &[&str], feed: impl FnOnce(ChildStdin) + Send + 'static) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || feed(input));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).unwrap();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kqlite {args:?} gave no answer in 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().unwrap();
    Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Writes `block` to `input` until the command stops reading.
fn forever(block: Vec<u8>) -> impl FnOnce(ChildStdin) + Send + 'static {
    move |mut input| while input.write_all(&block).is_ok() {}
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn an_endless_pipe_answers_take_1() {
    // JSON rows (`yes '{"a":1}' | kqlite --table T=- 'T | take 1'`), under
    // a budget far smaller than what the pipe will carry.
    let out = run_fed(
        &["--max-memory", "64M", "--table", "T=-", "T | take 1"],
        forever(b"{\"a\":1}\n".repeat(8192)),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"a\":1}\n");

    // A filter that matches late, and a count of a prefix.
    let mut block = b"{\"a\":1,\"s\":\"x\"}\n".repeat(100_000);
    block.extend_from_slice(b"{\"a\":2,\"s\":\"needle\"}\n");
    let out = run_fed(
        &["--table", "T=-", "T | where s == 'needle' | take 3 | count"],
        forever(block),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"Count\":3}\n");

    // CSV: a header, then rows forever.
    let out = run_fed(
        &["--table", "T=-", "T | take 2 | project b"],
        |mut input| {
            if input.write_all(b"a,b\n").is_ok() {
                forever(b"1,x\n".repeat(8192))(input)
            }
        },
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"b\":\"x\"}\n{\"b\":\"x\"}\n");

    // Gzipped JSON rows, compressed as they are written.
    let out = run_fed(&["--table", "T=-", "T | take 1"], |input| {
        let mut gz = flate2::write::GzEncoder::new(input, flate2::Compression::fast());
        let block = b"{\"a\":1}\n".repeat(8192);
        while gz.write_all(&block).is_ok() {}
    });
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{\"a\":1}\n");
}

/// About 12 MB of rows (three times the sampled head), with a malformed
/// line and a value of another type past the head.
fn rows() -> Vec<u8> {
    let mut t = String::new();
    for i in 0..150_000u64 {
        if i == 120_000 {
            t.push_str("{\"k\": broken\n");
        }
        let k = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % 1000;
        let n = if i == 140_000 {
            "\"not a number\"".to_string()
        } else {
            i.to_string()
        };
        t.push_str(&format!(
            "{{\"k\":\"k{k:04}\",\"n\":{n},\"r\":{}.25,\"pad\":\"{}\"}}\n",
            i % 7,
            "p".repeat(40)
        ));
    }
    t.into_bytes()
}

#[test]
fn piped_input_gives_the_answers_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.jsonl");
    let data = rows();
    std::fs::write(&path, &data).unwrap();
    let file = format!("T={}", path.display());
    for query in [
        "T | count",
        "T | summarize c = count(), s = sum(n), r = sum(r) by k | sort by k asc | take 5",
        "T | sort by n desc | take 3 | project k, n",
        "T | where n > 149990 | project n",
        // Read twice: spooled.
        "T | summarize c = count() by k | join kind=inner (T | summarize m = max(n) by k) on k | count",
        "T | join kind=inner (T | where n == 7) on n | project n, k1",
        "T | take 2 | project n; T | count",
        "let c = toscalar(T | count); T | where n < 3 | extend c = c | project n, c",
    ] {
        let expected = Command::new(env!("CARGO_BIN_EXE_kqlite"))
            .args(["--table", &file, "--format", "jsonl", query])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            expected.status.code(),
            Some(0),
            "{query}: {}",
            text(&expected.stderr)
        );
        let data = data.clone();
        let got = run_fed(
            &["--table", "T=-", "--format", "jsonl", query],
            move |mut input| {
                let _ = input.write_all(&data);
            },
        );
        assert_eq!(got.status.code(), Some(0), "{query}: {}", text(&got.stderr));
        assert_eq!(text(&got.stdout), text(&expected.stdout), "{query}");
        // The same warnings, naming <stdin> at the same lines.
        assert_eq!(
            text(&got.stderr),
            text(&expected.stderr).replace(&path.display().to_string(), "<stdin>"),
            "{query}"
        );
    }
}

#[test]
fn bad_lines_past_the_head_are_reported_at_their_line() {
    let data = rows();
    let out = run_fed(&["--table", "T=-", "T | count"], move |mut input| {
        let _ = input.write_all(&data);
    });
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(text(&out.stdout), "{\"Count\":150000}\n");
    // Line 120,001 is the broken one; row 140,000 is line 140,002.
    assert!(err.contains("<stdin>:120001:"), "{err}");
    let out = run_fed(
        &["--table", "T=-", "T | summarize sum(n)"],
        move |mut input| {
            let _ = input.write_all(&rows());
        },
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("in <stdin> did not convert to long") && err.contains("first at line 140002"),
        "{err}"
    );
    // --strict stops at the bad line.
    let out = run_fed(
        &["--strict", "--table", "T=-", "T | count"],
        move |mut input| {
            let _ = input.write_all(&rows());
        },
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("<stdin>:120001"),
        "{}",
        text(&out.stderr)
    );
}

/// 410 MB piped through a 64 MiB budget: the stream is read a block at a
/// time, never held, whether it is scanned once or spooled and read twice.
#[test]
fn a_piped_input_far_larger_than_the_budget_is_read_within_it() {
    const BLOCKS: usize = 1000;
    let block: Vec<u8> = (0..20_000u64)
        .flat_map(|i| format!("{{\"k\":\"k{}\",\"n\":{i}}}\n", i % 10).into_bytes())
        .collect();
    assert!(block.len() * BLOCKS > 5 * (64 << 20), "{}", block.len());
    for (query, expected) in [
        (
            "T | summarize c = count() by k | where k == 'k3'",
            "{\"k\":\"k3\",\"c\":2000000}\n".to_string(),
        ),
        (
            "T | count; T | where n == 19999 | count",
            "{\"Count\":20000000}\n{\"$table\":1,\"$columns\":[\"Count\"]}\n{\"Count\":1000}\n"
                .to_string(),
        ),
    ] {
        let block = block.clone();
        let out = run_fed(
            &[
                "--max-memory",
                "64M",
                "--table",
                "T=-",
                "--format",
                "jsonl",
                query,
            ],
            move |mut input| {
                for _ in 0..BLOCKS {
                    if input.write_all(&block).is_err() {
                        return;
                    }
                }
            },
        );
        assert_eq!(out.status.code(), Some(0), "{query}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), expected, "{query}");
    }
}

/// The library: a stream added with `Engine::add_reader` is spooled, so
/// every query and run reads all of it; with `single_pass_streams` a
/// query that scans it once reads it without a copy, and cannot run again.
#[test]
fn add_reader_streams_and_spools() {
    use kqlite::{Engine, EngineOptions, output::JsonLinesWriter};
    let run = |engine: &Engine, q: &str| -> Result<String, kqlite::Error> {
        let query = engine.compile(q)?;
        let mut out = Vec::new();
        query.run(engine, &mut JsonLinesWriter::new(&mut out))?;
        Ok(String::from_utf8(out).unwrap())
    };
    let data = rows();
    let mut engine = Engine::new();
    engine
        .add_reader("T", "<pipe>", std::io::Cursor::new(data.clone()))
        .unwrap();
    for _ in 0..2 {
        assert_eq!(run(&engine, "T | count").unwrap(), "{\"Count\":150000}\n");
        assert_eq!(
            run(&engine, "T | where n == 149999 | project n").unwrap(),
            "{\"n\":149999}\n"
        );
    }

    let mut engine = Engine::with_options(EngineOptions {
        single_pass_streams: true,
        ..EngineOptions::default()
    });
    engine
        .add_reader("T", "<pipe>", std::io::Cursor::new(data))
        .unwrap();
    // Read twice by one query: spooled, so it can run again.
    let twice = "T | where n == 5 | join kind=inner (T | where n == 5) on n | project n";
    assert_eq!(run(&engine, twice).unwrap(), "{\"n\":5}\n");
    assert_eq!(run(&engine, "T | count").unwrap(), "{\"Count\":150000}\n");
    assert_eq!(run(&engine, "T | count").unwrap(), "{\"Count\":150000}\n");

    let mut engine = Engine::with_options(EngineOptions {
        single_pass_streams: true,
        ..EngineOptions::default()
    });
    engine
        .add_reader("T", "<pipe>", std::io::Cursor::new(rows()))
        .unwrap();
    assert_eq!(run(&engine, "T | count").unwrap(), "{\"Count\":150000}\n");
    let again = run(&engine, "T | count").unwrap_err().to_string();
    assert!(
        again.contains("<pipe>") && again.contains("read by one scan only"),
        "{again}"
    );
}

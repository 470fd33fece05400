//! The baseline of the benchmarks: count the lines of files with mmap and
//! memchr on N threads (default 2), the least work any scan must do.
//!
//! ```sh
//! cargo run --release --example linecount -- [--threads N] FILE...
//! ```
//!
//! Prints the total number of newline bytes. Each file is cut into N equal
//! ranges counted in parallel with `memchr::memchr_iter(b'\n', …).count()`
//! (`memchr` counts with SIMD).

use memmap2::Mmap;
use std::fs::File;
use std::process::ExitCode;

fn count(bytes: &[u8], threads: usize) -> u64 {
    let part = bytes.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = bytes
            .chunks(part)
            .map(|c| s.spawn(move || memchr::memchr_iter(b'\n', c).count() as u64))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

fn main() -> ExitCode {
    let mut threads = 2usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--threads" {
            match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => threads = n,
                None => {
                    eprintln!("--threads needs a number");
                    return ExitCode::from(2);
                }
            }
        } else {
            files.push(a);
        }
    }
    if files.is_empty() {
        eprintln!("usage: linecount [--threads N] FILE...");
        return ExitCode::from(2);
    }
    let mut total = 0u64;
    for path in &files {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        // SAFETY: the file is only read; the benchmark does not modify its inputs while
        // they are being counted.
        let map = match unsafe { Mmap::map(&file) } {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        total += count(&map, threads);
    }
    println!("{total}");
    ExitCode::SUCCESS
}

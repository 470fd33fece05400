//! Generates AKS-style Log Analytics tables for benchmarks and tests.
//!
//! ```sh
//! cargo run --release --example gen_aks_logs -- --rows 100000 --seed 1 --out target/gen/small
//! cargo run --release --example gen_aks_logs -- --bytes 1G --activity-bytes 1G --out target/gen/1g
//! cargo run --release --example gen_aks_logs -- --bytes 900M --activity-bytes 100M --days 7 --out /tmp/week
//! ```
//!
//! Writes `AzureDiagnostics.json`, `AzureActivity.json` (newline-delimited
//! JSON; the file stem is the table name) and `expected.json` (the row
//! count of each seed query of `examples/seed-queries.kql`, computed from
//! the generator's own objects) into `--out`, and prints `expected.json`.
//! Same arguments, same bytes. The generator itself is
//! `benches/aksgen/mod.rs`; its module docs describe the rows.

#[path = "../benches/aksgen/mod.rs"]
mod aksgen;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(about = "Generate AKS-style AzureDiagnostics and AzureActivity rows (deterministic).")]
struct Args {
    /// AzureDiagnostics rows (default 10000 unless --bytes is given).
    #[arg(long, conflicts_with = "bytes")]
    rows: Option<u64>,
    /// About this many bytes of AzureDiagnostics instead of --rows: 64M, 1G (powers of 1024).
    #[arg(long, value_parser = parse_size)]
    bytes: Option<u64>,
    /// AzureActivity rows (default: a tenth of the AzureDiagnostics rows).
    #[arg(long, conflicts_with = "activity_bytes")]
    activity_rows: Option<u64>,
    /// About this many bytes of AzureActivity instead of --activity-rows.
    #[arg(long, value_parser = parse_size)]
    activity_bytes: Option<u64>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Multiplies the rate of every rare shape (hits and decoys), at most 100.
    #[arg(long, default_value_t = 1.0)]
    rare_scale: f64,
    /// Fraction of rare rows written with unusual (legal) JSON escapes.
    #[arg(long, default_value_t = aksgen::DEFAULT_ESCAPED)]
    escaped: f64,
    /// Days the rows' TimeGenerated spread over, from 2024-11-04 (at most 26).
    #[arg(long, default_value_t = 1)]
    days: u64,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("unknown size suffix in '{s}' (K, M, G, T)")),
            };
            (&s[..i], m)
        }
        _ => (s, 1),
    };
    let n: f64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size like 512M or 1G"))?;
    Ok((n * mult as f64) as u64)
}

fn main() -> ExitCode {
    let a = Args::parse();
    if !(0.0..=100.0).contains(&a.rare_scale) || !(0.0..=1.0).contains(&a.escaped) {
        eprintln!("error: --rare-scale must be in [0, 100] and --escaped in [0, 1]");
        return ExitCode::from(2);
    }
    let rows = match (a.rows, a.bytes) {
        (Some(r), _) => r,
        (None, Some(b)) => aksgen::diagnostics_rows_for(b, a.seed, a.rare_scale, a.escaped),
        (None, None) => 10_000,
    };
    let activity_rows = match (a.activity_rows, a.activity_bytes) {
        (Some(r), _) => r,
        (None, Some(b)) => aksgen::activity_rows_for(b, a.seed, a.rare_scale, a.escaped),
        (None, None) => (rows / 10).max(1),
    };
    let cfg = aksgen::Config {
        rows,
        activity_rows,
        seed: a.seed,
        rare_scale: a.rare_scale,
        escaped: a.escaped,
        days: a.days,
    };
    match aksgen::generate(&cfg, &a.out) {
        Ok(summary) => {
            print!("{}", aksgen::expected_json(&cfg, &summary));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing into {}: {e}", a.out.display());
            ExitCode::FAILURE
        }
    }
}

//! cargo-fuzz target `rows`: see `fuzz/common/gen.rs` (`check_rows`).
#![no_main]

#[path = "../common/gen.rs"]
mod generator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| generator::check_rows(data));

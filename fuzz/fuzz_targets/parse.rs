//! cargo-fuzz target `parse`: see `fuzz/common/gen.rs` (`check_parse`).
#![no_main]

#[path = "../common/gen.rs"]
mod generator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| generator::check_parse(data));

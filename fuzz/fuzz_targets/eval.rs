//! cargo-fuzz target `eval`: see `fuzz/common/gen.rs` (`check_eval`).
#![no_main]

#[path = "../common/gen.rs"]
mod generator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| generator::check_eval(data));

//! Running the `kqlite` binary from the tests, in the crate's folder (so
//! relative test-data paths resolve), with no standard input.

use std::process::{Command, Output};

/// The binary's output for `args`.
pub fn kqlite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Output bytes as text (the binary writes UTF-8).
pub fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

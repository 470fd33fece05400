//! kqlite's integration tests, in one test binary (`cargo test --test it`).
//!
//! One binary links the library once instead of once per file, which is most
//! of the cost of `cargo test` on a clean clone. Each module below is one
//! area, named `<area>_<topic>` (`parse_*`, `value_*`, `functions_*`,
//! `json_*`, `formats_*`, `robust_*`, ...); run one area with a filter, e.g.
//! `cargo test --test it parse_`.
//!
//! Adding tests: put a new module file here (`tests/it/<area>_<topic>.rs`)
//! and declare it below, keeping the list sorted; helpers used by more than
//! one module go in `common/`. Do not add new files directly under `tests/`:
//! each one becomes another test binary. The data-driven suites with their
//! own runner (`harness = false`) stay separate: `tests/golden.rs` (golden
//! cases under `tests/golden/`) and `tests/conformance.rs`; so does
//! `tests/sigbus.rs`, which checks the process-wide signal handler and needs
//! a process of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod api_params;
mod api_rows;
mod api_tables;
mod architecture;
mod arg_pick;
mod cli;
mod cli_trust;
mod data_shaped;
mod diff_props;
mod diff_rules;
mod formats_aks;
mod formats_cli;
mod formats_exports;
mod formats_real;
mod functions_aggregates;
mod functions_doc_coverage;
mod functions_docs;
mod functions_request;
mod functions_result_types;
mod functions_sketches;
mod generated_seeds;
mod geo_buffer;
mod geo_overlay;
mod group_keys;
mod hash_order;
mod hostile_floats;
mod hostile_memory;
mod hostile_queries;
mod hostile_scale;
mod hostile_spill;
mod join_probe;
mod json_props;
mod json_real;
mod large_rows;
mod mv_expand_groups;
mod nested_subqueries;
mod parse_corpus;
mod parse_errors;
mod parse_expr;
mod parse_hostile;
mod parse_operator;
mod parse_properties;
mod parse_roundtrip;
mod parse_seed;
mod parse_spans;
mod prefilter_lines;
#[cfg(unix)]
mod replay;
mod replay_cli;
mod replay_corpus;
mod replay_fast;
mod replay_workspace;
mod robust_faults;
mod robust_fuzz;
mod robust_input;
mod robust_security;
mod seeds;
mod series_geo;
mod stdin_stream;
mod top_n;
mod truncation;
mod trust_input;
mod value_number;
mod value_text;
mod value_time;

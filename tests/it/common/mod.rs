//! Helpers shared by the integration-test modules, in one place.
//!
//! * [`chunked`] — one file, one query, at a chosen thread count and chunk size;
//! * [`cli`] — run the `kqlite` binary, output as text;
//! * [`column_a`] — a query's `a` column and its bad-line reports;
//! * [`sexp`] — a compact S-expression view of syntax trees (parser tests);
//! * [`corpus`] — the committed query corpus (`tests/corpus/*.jsonl`) as cases;
//! * [`formats`] — run a query over files bound to tables, rows as JSON;
//! * [`query`] — a query with no input tables, its rows as JSON;
//! * [`aksgen`] — the AKS log generator shared with the benchmarks;
//! * [`generator`] — the query generator shared with the fuzz targets.

pub mod chunked;
pub mod cli;
pub mod column_a;
pub mod corpus;
pub mod formats;
pub mod query;
pub mod sexp;

#[path = "../../../benches/aksgen/mod.rs"]
pub mod aksgen;

#[path = "../../../fuzz/common/gen.rs"]
pub mod generator;

//! kqlite: an embedded interpreter for the Kusto Query Language (KQL).
//!
//! It runs published KQL detections (Microsoft Sentinel, Azure Data
//! Explorer) unchanged, offline, over log files on disk, in parallel over
//! memory-mapped files.
//!
//! # Architecture
//!
//! A query flows through four stages, one module each; one type crosses
//! each boundary:
//!
//! | stage | function | input | output |
//! |---|---|---|---|
//! | parse | [`syntax::parse`] | `&str` | [`syntax::ast::Query`], every node with a [`span::Span`] |
//! | bind | [`semantic::bind`] | the syntax tree and a [`catalog::Catalog`] | [`semantic::BoundQuery`]: [`plan::logical::LogicalPlan`]s, names resolved, types known |
//! | (bind again) | [`semantic::bind_probed`] | as above, and a [`semantic::Probe`] that runs plans | only for operators whose columns come from the data (`evaluate bag_unpack`): their inputs are read to learn the columns |
//! | lower | [`exec::physical::lower_plan`] | a logical plan | [`exec::physical::PhysicalPlan`]: pipelines of row stages |
//! | run | [`exec::Runner::run`] | a physical plan and a [`exec::RowSink`] | result rows, [`exec::Stats`] |
//!
//! [`Engine`] ties them together: register tables, [`Engine::compile`] a
//! query, [`Query::run`] it into a [`ResultSink`] such as
//! [`output::JsonLinesWriter`].
//!
//! Around the pipeline: [`value`] (runtime values and KQL's comparison and
//! string rules), [`types`], [`schema`], [`functions`] (the built-in
//! function library), [`json`] (the JSON scanner behind every row and
//! `parse_json`), [`input`] (reading inputs: JSON rows and the log file formats:
//! raw Kubernetes audit logs, diagnostic archives, Event Hub bodies and
//! captures, Log Analytics exports; recognised per file by content),
//! [`diagnostic`] (compiler-style error messages).

pub mod catalog;
pub mod diagnostic;
pub mod engine;
pub mod error;
pub mod exec;
pub mod functions;
pub mod input;
pub mod json;
pub mod output;
pub mod plan;
pub mod schema;
pub mod semantic;
pub mod span;
pub mod syntax;
pub mod types;
pub mod value;

pub use engine::{Engine, EngineOptions, Query, ResultSink};
pub use error::Error;

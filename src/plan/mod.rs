//! Logical plans: what a query computes, independent of how it runs.

pub mod eval;
pub mod explain;
pub mod expr;
pub mod logical;
pub mod phys_expr;
pub mod rules;
pub mod string_match;

//! Logical plans: what a query computes, independent of how it runs.

pub mod explain;
pub mod expr;
pub mod logical;
pub mod nodes;
pub mod rules;
pub mod tree;

//! Logical plans: what a query computes, independent of how it runs; the
//! scalar expressions in them, lowered ([`phys_expr`]) and evaluated on a row
//! ([`eval`], which also folds constants while a query is bound); and the
//! optimizer rules.

pub mod eval;
pub mod explain;
pub mod expr;
pub mod logical;
pub mod nodes;
pub mod phys_expr;
pub mod rules;
pub mod string_match;
pub mod tree;

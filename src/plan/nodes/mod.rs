//! The operators of a [`LogicalPlan`], one struct each, grouped by kind in
//! one file each: where rows come from (`source.rs`), what is done to each
//! row (`row.rs`), what groups rows (`aggregate.rs`), what orders them
//! (`order.rs`) and what combines plans (`combine.rs`).
//!
//! Every operator implements [`PlanNode`]: its schema, its inputs and its
//! expressions (which the one traversal in `plan::tree` walks) and its line
//! in `--explain`. An operator is added by writing its struct and
//! `PlanNode` impl here and naming it in `logical::plan_nodes!`.

/// `inputs` and `inputs_mut` of an operator with one input, `self.input`.
macro_rules! one_input {
    () => {
        fn inputs(&self) -> Vec<&LogicalPlan> {
            vec![&self.input]
        }

        fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
            vec![&mut self.input]
        }
    };
}

/// `inputs` and `inputs_mut` of a source operator, which has none.
macro_rules! no_inputs {
    () => {
        fn inputs(&self) -> Vec<&LogicalPlan> {
            Vec::new()
        }

        fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
            Vec::new()
        }
    };
}

mod aggregate;
mod combine;
mod graph;
mod order;
mod row;
mod source;

use super::expr::ScalarExpr;
use super::logical::LogicalPlan;
use crate::schema::Schema;

pub use aggregate::*;
pub use combine::*;
pub use graph::*;
pub use order::*;
pub use row::*;
pub use source::*;

/// What every operator of a logical plan tells about itself.
pub trait PlanNode {
    /// The columns this operator produces.
    fn schema(&self) -> &Schema;

    /// The direct inputs, subqueries included, in the order `--explain`
    /// shows them.
    fn inputs(&self) -> Vec<&LogicalPlan>;

    /// The direct inputs, mutably, in the same order.
    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan>;

    /// The scalar expressions this operator evaluates itself (not those of
    /// its inputs).
    fn exprs(&self) -> Vec<&ScalarExpr> {
        Vec::new()
    }

    /// The same expressions, mutably, in the same order.
    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        Vec::new()
    }

    /// The operator's line in `--explain`; `input` is the schema of its
    /// first input (empty for a source), which its columns refer to.
    fn explain(&self, input: &Schema) -> String;

    /// Whether the rows come out in an order window functions may rely on:
    /// see [`LogicalPlan::is_serialized`]. Operators drop the property
    /// unless they say otherwise.
    fn is_serialized(&self) -> bool {
        false
    }

    /// Whether this operator or one of its inputs reads the rows an
    /// enclosing operator hands its subquery: see
    /// [`LogicalPlan::reads_parameter`].
    fn reads_parameter(&self) -> bool {
        self.inputs().iter().any(|i| i.reads_parameter())
    }

    /// Whether this operator's columns are a stand-in: they were not read
    /// from the data yet (see `semantic::Probe`).
    fn is_provisional(&self) -> bool {
        false
    }
}

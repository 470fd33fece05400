//! The logical plan: what a tabular expression computes, with every name
//! resolved and every column typed. Each operator is a struct of
//! [`super::nodes`] that knows its output [`Schema`], its inputs and its
//! expressions; walking and rewriting plans is `plan::tree`'s one
//! traversal.

use super::expr::ScalarExpr;
use super::tree::{TreeNode, map_slots};
use crate::schema::Schema;
use std::sync::Arc;

pub use super::nodes::*;

/// Declares [`LogicalPlan`] with one variant per operator struct (the
/// variant named after it), and the dispatch from the enum to the
/// operator's [`PlanNode`] methods: a new operator is one more name here.
macro_rules! plan_nodes {
    ($($node:ident),* $(,)?) => {
        /// A logical plan: one operator (see [`super::nodes`]) over its inputs.
        #[derive(Clone, Debug, PartialEq)]
        pub enum LogicalPlan {
            $(
                #[doc = concat!("See [`", stringify!($node), "`].")]
                $node($node),
            )*
        }

        impl LogicalPlan {
            /// The operator at the root of this plan.
            pub fn node(&self) -> &dyn PlanNode {
                match self {
                    $(LogicalPlan::$node(n) => n,)*
                }
            }

            /// The operator at the root of this plan, mutably.
            pub fn node_mut(&mut self) -> &mut dyn PlanNode {
                match self {
                    $(LogicalPlan::$node(n) => n,)*
                }
            }
        }

        $(
            impl From<$node> for LogicalPlan {
                fn from(node: $node) -> LogicalPlan {
                    LogicalPlan::$node(node)
                }
            }
        )*
    };
}

plan_nodes!(
    Scan,
    Values,
    Range,
    Parameter,
    Filter,
    Project,
    Limit,
    Serialize,
    MvExpand,
    MvApply,
    BagUnpack,
    Aggregate,
    MakeSeries,
    Pivot,
    Basket,
    Reduce,
    SequenceDetect,
    TopNested,
    Sort,
    TopN,
    Window,
    ScanSteps,
    Union,
    Join,
    Materialize,
    Partition,
    Graph,
);

impl LogicalPlan {
    /// The columns this plan produces.
    pub fn schema(&self) -> &Schema {
        self.node().schema()
    }

    /// The direct inputs (subqueries included).
    pub fn inputs(&self) -> Vec<&LogicalPlan> {
        self.node().inputs()
    }

    /// Calls `f` on each scalar expression of the root operator (not of its
    /// inputs).
    pub fn apply_expressions(&self, f: &mut dyn FnMut(&ScalarExpr)) {
        for e in self.node().exprs() {
            f(e);
        }
    }

    /// The root operator with `f` applied to each of its own scalar
    /// expressions (not those of its inputs).
    pub fn map_expressions(mut self, f: &mut dyn FnMut(ScalarExpr) -> ScalarExpr) -> LogicalPlan {
        let span = crate::span::Span::default();
        let hole = || {
            ScalarExpr::literal(
                crate::value::Value::Null,
                crate::types::DataType::Dynamic,
                span,
            )
        };
        map_slots(self.node_mut().exprs_mut(), hole, f);
        self
    }

    /// Applies `f` to every scalar expression of this plan and of all its
    /// inputs (each expression once, after its inputs').
    pub fn map_exprs(self, f: &mut dyn FnMut(ScalarExpr) -> ScalarExpr) -> LogicalPlan {
        self.transform_up(&mut |node| node.map_expressions(f))
    }

    /// A placeholder plan, standing in an input while it is rewritten.
    pub(crate) fn hole() -> LogicalPlan {
        LogicalPlan::Values(Values {
            schema: Schema::default(),
            rows: Arc::new(Vec::new()),
        })
    }

    /// Whether the rows come out in an order window functions may rely on
    /// (<https://learn.microsoft.com/kusto/query/window-functions>): `sort`,
    /// `top`, `range`, `serialize` and `getschema` serialize; `extend`,
    /// `project*`, `where`, `take`, `parse`, `mv-expand` and `mv-apply`
    /// keep the property; every other operator drops it.
    pub fn is_serialized(&self) -> bool {
        self.node().is_serialized()
    }

    /// Whether this plan reads the rows an enclosing operator hands its
    /// subquery ([`Parameter`]), outside a nested subquery of its own.
    pub fn reads_parameter(&self) -> bool {
        self.node().reads_parameter()
    }

    /// Whether this plan's schema is a stand-in somewhere: it holds a
    /// data-shaped operator whose columns were not read from the data yet.
    pub fn is_provisional(&self) -> bool {
        self.exists(&mut |p| p.node().is_provisional())
    }
}

//! One traversal for the plan's trees (after DataFusion's `TreeNode`): a
//! tree says once how to reach its direct children; walking the whole tree
//! (visiting, testing, rewriting top-down or bottom-up) is written here,
//! once, for every tree. [`LogicalPlan`] is a tree of operators whose
//! children are its inputs; [`ScalarExpr`] a tree of expressions.

use super::expr::ScalarExpr;
use super::logical::LogicalPlan;
use crate::types::DataType;
use crate::value::Value;

/// What a visit does after seeing a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recursion {
    /// Go on: into this node's children, then to its siblings.
    Continue,
    /// Skip this node's children; go on with its siblings.
    Jump,
    /// Stop the whole visit.
    Stop,
}

/// A tree whose nodes know their direct children.
pub trait TreeNode: Sized {
    /// Calls `f` on each direct child, in order, until one returns
    /// [`Recursion::Stop`] (which is then returned).
    fn apply_children<'n>(&'n self, f: &mut dyn FnMut(&'n Self) -> Recursion) -> Recursion;

    /// This node with `f` applied to each direct child.
    fn map_children(self, f: &mut dyn FnMut(Self) -> Self) -> Self;

    /// Visits this node, then (unless told otherwise) its descendants,
    /// depth first, parents before children.
    fn apply<'n>(&'n self, f: &mut dyn FnMut(&'n Self) -> Recursion) -> Recursion {
        match f(self) {
            Recursion::Continue => match self.apply_children(&mut |c| c.apply(f)) {
                Recursion::Stop => Recursion::Stop,
                _ => Recursion::Continue,
            },
            Recursion::Jump => Recursion::Continue,
            Recursion::Stop => Recursion::Stop,
        }
    }

    /// Whether this node or a descendant satisfies `predicate`.
    fn exists(&self, predicate: &mut dyn FnMut(&Self) -> bool) -> bool {
        let mut found = false;
        self.apply(&mut |n| {
            if predicate(n) {
                found = true;
                Recursion::Stop
            } else {
                Recursion::Continue
            }
        });
        found
    }

    /// Rewrites the tree top-down: `f` sees each node before its children
    /// (the children of what `f` returned).
    fn transform_down(self, f: &mut dyn FnMut(Self) -> Self) -> Self {
        f(self).map_children(&mut |c| c.transform_down(f))
    }

    /// Rewrites the tree bottom-up: `f` sees each node after its children
    /// were rewritten.
    fn transform_up(self, f: &mut dyn FnMut(Self) -> Self) -> Self {
        let node = self.map_children(&mut |c| c.transform_up(f));
        f(node)
    }
}

/// Replaces each of `slots` by `f` of its value; `hole` is what stands in
/// a slot while its value is being rewritten.
pub(crate) fn map_slots<T>(slots: Vec<&mut T>, hole: impl Fn() -> T, f: &mut dyn FnMut(T) -> T) {
    for slot in slots {
        let taken = std::mem::replace(slot, hole());
        *slot = f(taken);
    }
}

impl TreeNode for LogicalPlan {
    fn apply_children<'n>(&'n self, f: &mut dyn FnMut(&'n Self) -> Recursion) -> Recursion {
        for input in self.inputs() {
            if f(input) == Recursion::Stop {
                return Recursion::Stop;
            }
        }
        Recursion::Continue
    }

    fn map_children(mut self, f: &mut dyn FnMut(Self) -> Self) -> Self {
        map_slots(self.node_mut().inputs_mut(), LogicalPlan::hole, f);
        self
    }
}

impl TreeNode for ScalarExpr {
    fn apply_children<'n>(&'n self, f: &mut dyn FnMut(&'n Self) -> Recursion) -> Recursion {
        for child in self.children() {
            if f(child) == Recursion::Stop {
                return Recursion::Stop;
            }
        }
        Recursion::Continue
    }

    fn map_children(mut self, f: &mut dyn FnMut(Self) -> Self) -> Self {
        let span = self.span;
        map_slots(
            self.children_mut(),
            || ScalarExpr::literal(Value::Null, DataType::Dynamic, span),
            f,
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::logical::{Filter, Limit, Values};
    use crate::schema::Schema;
    use crate::span::Span;
    use std::sync::Arc;

    fn values() -> LogicalPlan {
        LogicalPlan::Values(Values {
            schema: Schema::default(),
            rows: Arc::new(Vec::new()),
        })
    }

    fn limit(input: LogicalPlan, count: u64) -> LogicalPlan {
        LogicalPlan::Limit(Limit {
            input: Box::new(input),
            count,
        })
    }

    fn counts(plan: &LogicalPlan) -> Vec<u64> {
        let mut seen = Vec::new();
        plan.apply(&mut |p| {
            if let LogicalPlan::Limit(l) = p {
                seen.push(l.count);
            }
            Recursion::Continue
        });
        seen
    }

    #[test]
    fn apply_visits_parents_first_and_stops_or_jumps_when_told() {
        let plan = limit(limit(limit(values(), 3), 2), 1);
        assert_eq!(counts(&plan), vec![1, 2, 3]);
        let mut seen = Vec::new();
        plan.apply(&mut |p| match p {
            LogicalPlan::Limit(l) if l.count == 2 => Recursion::Jump,
            LogicalPlan::Limit(l) => {
                seen.push(l.count);
                Recursion::Continue
            }
            _ => Recursion::Stop,
        });
        assert_eq!(seen, vec![1]);
        assert!(plan.exists(&mut |p| matches!(p, LogicalPlan::Values(_))));
        assert!(!plan.exists(&mut |p| matches!(p, LogicalPlan::Filter(_))));
    }

    #[test]
    fn transform_up_sees_rewritten_inputs_and_transform_down_the_rewritten_node() {
        // Each limit becomes its count plus its input's count.
        let sum = |p: LogicalPlan| match p {
            LogicalPlan::Limit(l) => {
                let below = match &*l.input {
                    LogicalPlan::Limit(i) => i.count,
                    _ => 0,
                };
                limit(*l.input, l.count + below)
            }
            other => other,
        };
        let plan = limit(limit(limit(values(), 3), 2), 1);
        assert_eq!(
            counts(&plan.clone().transform_up(&mut { sum })),
            vec![6, 5, 3]
        );
        assert_eq!(counts(&plan.transform_down(&mut { sum })), vec![3, 5, 3]);
    }

    #[test]
    fn expressions_of_every_operator_are_mapped_once() {
        let one = ScalarExpr::literal(Value::Long(1), DataType::Long, Span::default());
        let filter = |input| {
            LogicalPlan::Filter(Filter {
                input: Box::new(input),
                predicate: one.clone(),
            })
        };
        let plan = filter(limit(filter(values()), 5));
        let mut n = 0;
        let plan = plan.map_exprs(&mut |e| {
            n += 1;
            ScalarExpr::literal(Value::Long(n), e.ty, e.span)
        });
        let mut seen = Vec::new();
        plan.apply(&mut |p| {
            p.apply_expressions(&mut |e| seen.push(e.as_literal().cloned()));
            Recursion::Continue
        });
        // Inputs' expressions first: the lower filter got 1.
        assert_eq!(seen, vec![Some(Value::Long(2)), Some(Value::Long(1))]);
    }
}

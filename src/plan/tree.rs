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

//! Optimizer rules: each rewrites a logical plan into one that computes the
//! same rows faster. A rule lives in its own file; its tests, which bind
//! real queries, are in `semantic/rule_tests.rs` (the plan floor does not
//! see the binder), and its golden plans in `tests/golden/explain/`. The
//! optimizer checks after every rule that the plan's output schema did not
//! change.
//!
//! A rule says how to rewrite one operator and in which order the
//! optimizer applies it to the operators of a plan (as DataFusion's
//! `apply_order`): the walk itself is `plan::tree`'s.

mod join_columns;
mod join_right_columns;
mod json_names;
mod json_paths;
mod json_roots;
mod mv_apply_columns;
mod mv_expand_columns;
mod prefilter;
mod sort_limit;
mod unread_columns;

pub use join_columns::JoinColumns;
pub use join_right_columns::JoinRightColumns;
pub use json_names::JsonNames;
pub use json_paths::JsonPaths;
pub use json_roots::JsonRoots;
pub use mv_apply_columns::MvApplyColumns;
pub use mv_expand_columns::MvExpandColumns;
pub use prefilter::DerivePrefilter;
pub use sort_limit::SortLimit;
pub use unread_columns::UnreadColumns;

use super::logical::LogicalPlan;
use super::tree::TreeNode;

/// The order in which the optimizer applies a rule to a plan's operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyOrder {
    /// Each operator before its inputs.
    TopDown,
    /// Each operator after its inputs were rewritten.
    BottomUp,
}

pub trait Rule {
    fn name(&self) -> &'static str;

    /// Where the optimizer applies [`Rule::rewrite`]: to every operator in
    /// this order, or (`None`) once to the whole plan, the rule walking it
    /// itself.
    fn apply_order(&self) -> Option<ApplyOrder>;

    /// Rewrites one operator (or, without an apply order, the plan).
    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan;
}

/// Every rule, in the order they run.
fn rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(SortLimit),
        Box::new(JoinColumns),
        Box::new(JoinRightColumns),
        Box::new(UnreadColumns),
        Box::new(MvExpandColumns),
        Box::new(MvApplyColumns),
        Box::new(JsonRoots),
        Box::new(JsonNames),
        Box::new(UnreadColumns),
        Box::new(JsonPaths),
        Box::new(DerivePrefilter),
    ]
}

/// Applies one rule to the whole plan, in the rule's order.
pub fn apply(rule: &dyn Rule, plan: LogicalPlan) -> LogicalPlan {
    match rule.apply_order() {
        Some(ApplyOrder::TopDown) => plan.transform_down(&mut |node| rule.rewrite(node)),
        Some(ApplyOrder::BottomUp) => plan.transform_up(&mut |node| rule.rewrite(node)),
        None => rule.rewrite(plan),
    }
}

/// Applies every rule in turn.
pub fn optimize(mut plan: LogicalPlan) -> LogicalPlan {
    for rule in rules() {
        let before = plan.schema().clone();
        plan = apply(rule.as_ref(), plan);
        debug_assert_eq!(
            &before,
            plan.schema(),
            "rule {} changed the schema",
            rule.name()
        );
    }
    plan
}

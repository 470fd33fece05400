//! Optimizer rules: each rewrites a logical plan into one that computes the
//! same rows faster. A rule lives in its own file; its tests, which bind
//! real queries, are in `semantic/rule_tests.rs` (the plan floor does not
//! see the binder). The optimizer checks after every rule that the plan's
//! output schema did not change.

mod json_paths;
mod prefilter;

pub use json_paths::JsonPaths;
pub use prefilter::DerivePrefilter;

use super::logical::LogicalPlan;

pub trait Rule {
    fn name(&self) -> &'static str;
    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan;
}

/// Every rule, in the order they run.
fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::new(JsonPaths), Box::new(DerivePrefilter)]
}

/// Applies every rule in turn.
pub fn optimize(mut plan: LogicalPlan) -> LogicalPlan {
    for rule in rules() {
        let before = plan.schema().clone();
        plan = rule.rewrite(plan);
        debug_assert_eq!(
            &before,
            plan.schema(),
            "rule {} changed the schema",
            rule.name()
        );
    }
    plan
}

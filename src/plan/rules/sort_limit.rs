//! `SortLimit`: `sort by k | take N` becomes `top N by k`, a bounded top-N
//! that keeps N rows instead of sorting every row.
//!
//! `take` after `sort` is the first N rows in sort order (the rows are
//! serialized: <https://learn.microsoft.com/kusto/query/take-operator>),
//! which is what `top N by k` gives
//! (<https://learn.microsoft.com/kusto/query/top-operator>): both keep the
//! sort's keys, with their null ordering, and here ties keep input order in
//! both (the sort is stable, and so is the top-N). Per-row `extend` /
//! `project` between the sort and the take (one output row per input row)
//! are kept above the new top-N, so they run on N rows only; a `take` of a
//! `top` keeps the smaller count.

use super::{ApplyOrder, Rule};
use crate::plan::logical::{Limit, LogicalPlan, Project, Sort, TopN};

pub struct SortLimit;

impl Rule for SortLimit {
    fn name(&self) -> &'static str {
        "sort_limit"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        match plan {
            LogicalPlan::Limit(Limit { input, count }) => match bounded(*input, count) {
                (plan, true) => plan,
                (input, false) => LogicalPlan::Limit(Limit {
                    input: Box::new(input),
                    count,
                }),
            },
            other => other,
        }
    }
}

/// `plan` cut to its first `count` rows as a top-N and `true`, when `plan`
/// is a sort (or a top-N) under per-row projections; otherwise `plan`
/// unchanged and `false`.
fn bounded(plan: LogicalPlan, count: u64) -> (LogicalPlan, bool) {
    match plan {
        LogicalPlan::Sort(Sort { input, keys }) => {
            (LogicalPlan::TopN(TopN { input, keys, count }), true)
        }
        LogicalPlan::TopN(TopN {
            input,
            keys,
            count: n,
        }) => (
            LogicalPlan::TopN(TopN {
                input,
                keys,
                count: n.min(count),
            }),
            true,
        ),
        LogicalPlan::Project(Project {
            input,
            exprs,
            schema,
        }) => {
            let (input, done) = bounded(*input, count);
            let project = LogicalPlan::Project(Project {
                input: Box::new(input),
                exprs,
                schema,
            });
            (project, done)
        }
        other => (other, false),
    }
}

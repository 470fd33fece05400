//! `UnreadColumns`: a `summarize` or `project` drops the columns of the
//! `extend`/`project` below it that nothing reads, looking through the
//! `where`, `sort`, `top`, `take` and `serialize` between them (which keep
//! every column). `extend e = parse_json(log_s) | sort by TimeGenerated
//! desc | take 5 | project TimeGenerated, user = tostring(e.user.username)`
//! then holds two columns per candidate row instead of the whole row and
//! its parsed event, and `mv-expand ... | extend u = tostring(j.user.username)
//! | summarize ...` hands [`super::MvExpandColumns`] an `extend` that reads
//! only what the `summarize` needs, so it can narrow the expansion too.
//!
//! The answer is the same: a column nobody above reads does not change any
//! value computed above (each operator reads its input's columns by
//! position, and the positions are rewritten). Only columns whose
//! expression cannot fail or note anything on stderr (columns, literals,
//! paths, `tostring`/`parse_json`/`todynamic`) are dropped, so no
//! message is lost either. An `extend` keeps one column of its input as it
//! is, so the executor still computes its columns only when they are read.
//!
//! It runs twice: before [`super::MvExpandColumns`], and after
//! [`super::JsonNames`], which leaves `e` unread once its paths read
//! `log_s` directly.

use super::join_columns::{is_quiet, narrow_below_reader};
use super::json_names::{resolve, root};
use super::{ApplyOrder, Rule};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{LogicalPlan, Project};
use crate::schema::Schema;

pub struct UnreadColumns;

impl Rule for UnreadColumns {
    fn name(&self) -> &'static str {
        "unread_columns"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        narrow_below_reader(plan, keeps_columns, narrow)
    }
}

/// The operators between the reader and the projection that keep their
/// input's columns and rows' values as they are.
pub(super) fn keeps_columns(plan: &LogicalPlan) -> bool {
    matches!(
        plan,
        LogicalPlan::Filter(_)
            | LogicalPlan::Sort(_)
            | LogicalPlan::TopN(_)
            | LogicalPlan::Limit(_)
            | LogicalPlan::Serialize(_)
    )
}

/// The projection `input` without the columns `exprs` do not read, and
/// `exprs` rewritten to read it; `None` (and `exprs` untouched) when
/// `input` is no projection or every column is read.
fn narrow(input: &LogicalPlan, mut exprs: Vec<&mut ScalarExpr>) -> Option<LogicalPlan> {
    let LogicalPlan::Project(p) = input else {
        return None;
    };
    let below = p.input.schema();
    let picks = |e: &ScalarExpr| match e.kind {
        ScalarKind::Column { index } => below.field(index).is_some_and(|f| f.ty == e.ty),
        _ => false,
    };
    let mut read = vec![false; p.exprs.len()];
    for e in exprs.iter() {
        e.visit_columns(&mut |c| {
            if let Some(r) = read.get_mut(c) {
                *r = true;
            }
        });
    }
    let mut kept: Vec<usize> = (0..p.exprs.len())
        .filter(|&i| read.get(i).copied().unwrap_or(true) || !p.exprs.get(i).is_some_and(is_quiet))
        .collect();
    if kept.len() == p.exprs.len() {
        return None;
    }
    // The string column a kept column is `parse_json` of (or a path of
    // it) stays beside it: `extend e = parse_json(log_s)` keeps `log_s`,
    // so [`super::JsonNames`] can read `e`'s paths from it.
    let roots: Vec<usize> = kept
        .iter()
        .filter_map(|&i| resolve(input, i).as_ref().and_then(root))
        .collect();
    for r in roots {
        if !kept.contains(&r) {
            kept.push(r);
        }
    }
    kept.sort_unstable();
    // A projection that picks a column of its input computes its other
    // columns lazily; keep one pick so it still does (and keep one column
    // in any case).
    let any_pick = |cols: &[usize]| cols.iter().any(|&i| p.exprs.get(i).is_some_and(&picks));
    if !any_pick(&kept) {
        let first_pick = p.exprs.iter().position(&picks);
        if let Some(i) = first_pick.or(if kept.is_empty() { Some(0) } else { None }) {
            kept.push(i);
            kept.sort_unstable();
        }
    }
    if kept.len() == p.exprs.len() {
        return None;
    }
    let mut exprs_kept = Vec::with_capacity(kept.len());
    let mut fields = Vec::with_capacity(kept.len());
    for &i in &kept {
        exprs_kept.push(p.exprs.get(i)?.clone());
        fields.push(p.schema.field(i)?.clone());
    }
    let narrowed = LogicalPlan::Project(Project {
        input: p.input.clone(),
        exprs: exprs_kept,
        schema: Schema::new(fields),
    });
    // Every column read above is kept, so every position is found.
    let remap = |c: usize| kept.binary_search(&c).unwrap_or(c);
    for e in exprs.iter_mut() {
        e.remap_columns(&remap);
    }
    Some(narrowed)
}

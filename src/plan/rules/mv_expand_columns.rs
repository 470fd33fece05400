//! `MvExpandColumns`: a `summarize` or `project` right after an `mv-expand`
//! makes the expansion carry only what it reads. Columns it does not read
//! are dropped before the expansion, and the JSON paths it reads from
//! columns that are not expanded (`tostring(e.user.username)` after
//! `extend e = parse_json(log_s)`) are computed before it, once per input
//! row, as columns of their own: each expanded row then copies a short
//! string instead of the whole row and its parsed event.
//!
//! The answer is the same: `mv-expand` copies every column it does not
//! expand unchanged into each row it makes
//! (<https://learn.microsoft.com/kusto/query/mv-expand-operator>), so a
//! function of those columns alone has the same value computed before the
//! expansion as after it, and a column nobody reads above is not missed.
//! Only paths, literals and `tostring`/`parse_json`/`todynamic` move (they
//! cannot fail or note anything on stderr, however often they run); the
//! expanded columns, `with_itemindex`, the limit and the output names are
//! unchanged. [`super::JsonNames`], which runs next, then reads the moved
//! paths from the JSON text.

use super::join_columns::{
    collect_moved, is_filter, narrow_below_reader, replace_moved, visit_unmoved,
};
use super::{ApplyOrder, Rule};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{LogicalPlan, MvExpand, MvExpandColumn, Project};
use crate::schema::{Field, Schema};

pub struct MvExpandColumns;

impl Rule for MvExpandColumns {
    fn name(&self) -> &'static str {
        "mv_expand_columns"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        narrow_below_reader(plan, is_filter, narrow)
    }
}

/// The `mv-expand` `input` over a narrowed input, and `exprs` (read from
/// its output) rewritten to read it; `None` (and `exprs` untouched) when
/// `input` is no `mv-expand` or nothing would be dropped.
fn narrow(input: &LogicalPlan, mut exprs: Vec<&mut ScalarExpr>) -> Option<LogicalPlan> {
    let LogicalPlan::MvExpand(mv) = input else {
        return None;
    };
    let below = mv.input.schema();
    let width = below.len();
    // The output is the input's columns (the expanded ones retyped), then
    // the item index.
    if mv.schema.len() != width + usize::from(mv.item_index) {
        return None;
    }
    let expanded: Vec<usize> = mv.columns.iter().map(|c| c.index).collect();
    let copied = |c: usize| c < width && !expanded.contains(&c);
    // Paths of copied columns to compute before the expansion.
    let mut moved: Vec<ScalarExpr> = Vec::new();
    for e in exprs.iter() {
        collect_moved(e, &copied, &mut moved);
    }
    // The expanded columns, and input columns still read whole above.
    let mut kept: Vec<usize> = expanded.clone();
    for e in exprs.iter() {
        visit_unmoved(e, &moved, &mut |c| {
            if c < width {
                kept.push(c);
            }
        });
    }
    kept.sort_unstable();
    kept.dedup();
    if kept.len() + moved.len() >= width {
        return None;
    }
    let mut exprs_below: Vec<ScalarExpr> = Vec::new();
    let mut fields_below: Vec<Field> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for &c in &kept {
        let field = below.field(c)?;
        exprs_below.push(ScalarExpr::column(c, field.ty, Default::default()));
        fields_below.push(field.clone());
        fields.push(mv.schema.field(c)?.clone());
    }
    for (i, m) in moved.iter().enumerate() {
        exprs_below.push(m.clone());
        let field = Field::new(format!("__mv{i}"), m.ty);
        fields_below.push(field.clone());
        fields.push(field);
    }
    let new_width = fields.len();
    if mv.item_index {
        fields.push(mv.schema.field(width)?.clone());
    }
    let position = |c: usize| kept.binary_search(&c).ok();
    let columns = mv
        .columns
        .iter()
        .map(|c| {
            position(c.index).map(|index| MvExpandColumn {
                index,
                bag_as_array: c.bag_as_array,
                to_type: c.to_type,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let narrowed = LogicalPlan::MvExpand(MvExpand {
        input: Box::new(LogicalPlan::Project(Project {
            input: mv.input.clone(),
            exprs: exprs_below,
            schema: Schema::new(fields_below),
        })),
        columns,
        item_index: mv.item_index,
        limit: mv.limit,
        schema: Schema::new(fields),
    });
    // Every input column read above is kept, so every position is found;
    // the item index stays last.
    let remap = |c: usize| {
        if c >= width {
            c - width + new_width
        } else {
            position(c).unwrap_or(c)
        }
    };
    for e in exprs.iter_mut() {
        let ty = e.ty;
        let taken = std::mem::replace(&mut **e, ScalarExpr::column(0, ty, Default::default()));
        **e = replace_moved(taken, &moved, kept.len(), &remap);
    }
    Some(narrowed)
}

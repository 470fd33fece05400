//! `MvApplyColumns`: a `summarize` or `project` over an `mv-apply` whose
//! subquery only filters, orders or cuts the rows of each expansion
//! (`where`, `sort`, `top`, `take`, `serialize`) makes the expansion carry
//! only what is read. Columns read neither above nor inside the subquery
//! are dropped before the `mv-apply`, and the JSON paths read from copied
//! columns (`tostring(e.user.username)` above, `e.sourceIPs` as the
//! expanded expression, after `extend e = parse_json(log_s)`) are computed
//! before it, once per input row, as columns of their own: each row of an
//! expansion then copies a short string instead of the whole input row
//! and its parsed event, and [`super::JsonNames`], which runs next, reads
//! those paths from the JSON text without building the event's tree.
//!
//! The answer is the same: `mv-apply` hands its subquery the input row's
//! columns unchanged beside each expanded element
//! (<https://learn.microsoft.com/kusto/query/mv-apply-operator>); a
//! subquery of `where`, `sort`, `top`, `take` and `serialize` returns some
//! of those rows as they are, and which ones depends only on the columns
//! its own expressions read, which stay. A function of the copied columns
//! alone has the same value computed before the `mv-apply` as after it,
//! and a column nobody reads is not missed. Only paths, literals and
//! `tostring`/`parse_json`/`todynamic` move (they cannot fail or note
//! anything on stderr, however often they run); the expanded items, their
//! types, `with_itemindex`, the limit and the output names are unchanged.

use super::join_columns::{collect_moved, narrow_below_reader, replace_moved, visit_unmoved};
use super::unread_columns::keeps_columns;
use super::{ApplyOrder, Rule};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{ApplyItem, ApplyOutput, LogicalPlan, MvApply, Project};
use crate::schema::{Field, Schema};
use crate::value::Value;

pub struct MvApplyColumns;

impl Rule for MvApplyColumns {
    fn name(&self) -> &'static str {
        "mv_apply_columns"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        narrow_below_reader(plan, keeps_columns, narrow)
    }
}

/// Whether `plan` is a chain of operators that keep their input's
/// columns, down to the subquery's parameter; the columns their
/// expressions read are added to `read`.
fn pass_through(plan: &LogicalPlan, read: &mut Vec<usize>) -> bool {
    match plan {
        LogicalPlan::Parameter(_) => true,
        _ if keeps_columns(plan) => {
            for e in plan.node().exprs() {
                e.visit_columns(&mut |c| read.push(c));
            }
            match plan.node().inputs().as_slice() {
                [input] => pass_through(input, read),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Rewrites the chain [`pass_through`] accepted to read the narrowed
/// parameter `schema`, each column moved by `remap`.
fn remap_chain(plan: &mut LogicalPlan, schema: &Schema, remap: &dyn Fn(usize) -> usize) {
    if let LogicalPlan::Parameter(p) = plan {
        p.schema = schema.clone();
        return;
    }
    for e in plan.node_mut().exprs_mut() {
        e.remap_columns(remap);
    }
    if let Some(input) = plan.node_mut().inputs_mut().pop() {
        remap_chain(input, schema, remap);
    }
}

/// The `mv-apply` `input` over a narrowed input, and `exprs` (read from
/// its output) rewritten to read it; `None` (and `exprs` untouched) when
/// `input` is no such `mv-apply` or nothing would be dropped.
fn narrow(input: &LogicalPlan, mut exprs: Vec<&mut ScalarExpr>) -> Option<LogicalPlan> {
    let LogicalPlan::MvApply(mv) = input else {
        return None;
    };
    let below = mv.input.schema();
    let width = below.len();
    // The parameter is the input's columns (items replacing some in
    // place), then appended items, then the item index.
    if mv.expanded.len() < width || mv.subquery.schema() != &mv.expanded {
        return None;
    }
    let mut read_inside: Vec<usize> = Vec::new();
    if !pass_through(&mv.subquery, &mut read_inside) {
        return None;
    }
    let slots: Vec<usize> = mv.items.iter().map(|i| i.slot).collect();
    // The input column an output column copies unchanged, if it does.
    let copied_from = |k: usize| -> Option<usize> {
        match mv.outputs.get(k)? {
            ApplyOutput::Input(i) => Some(*i),
            ApplyOutput::Subquery(j) => (*j < width && !slots.contains(j)).then_some(*j),
        }
    };
    // Paths of copied columns, read above, to compute before the apply.
    let mut moved: Vec<ScalarExpr> = Vec::new();
    for e in exprs.iter() {
        collect_moved(e, &|k| copied_from(k).is_some(), &mut moved);
    }
    // Output columns still read whole above.
    let mut outputs_read: Vec<usize> = Vec::new();
    for e in exprs.iter() {
        visit_unmoved(e, &moved, &mut |k| outputs_read.push(k));
    }
    outputs_read.sort_unstable();
    outputs_read.dedup();
    // Parameter columns kept: those read inside, those read whole above,
    // the items' slots and what follows the input's columns.
    let mut kept: Vec<usize> = read_inside.clone();
    kept.extend(slots.iter().copied());
    for &k in &outputs_read {
        match mv.outputs.get(k)? {
            ApplyOutput::Input(i) => kept.push(*i),
            ApplyOutput::Subquery(j) => kept.push(*j),
        }
    }
    kept.retain(|&c| c < width);
    kept.sort_unstable();
    kept.dedup();
    // The items' expressions, read from the input row: paths move, other
    // columns are kept.
    let mut item_paths: Vec<ScalarExpr> = Vec::new();
    for item in &mv.items {
        collect_moved(&item.expr, &|c| c < width, &mut item_paths);
    }
    // Input columns whose values are read (not only their slots').
    let mut valued: Vec<usize> = Vec::new();
    for item in &mv.items {
        visit_unmoved(&item.expr, &item_paths, &mut |c| valued.push(c));
    }
    for &k in &outputs_read {
        if let ApplyOutput::Input(i) = mv.outputs.get(k)? {
            valued.push(*i);
        }
    }
    kept.extend(valued.iter().copied());
    kept.sort_unstable();
    kept.dedup();
    // Each moved path is computed once below, whichever side reads it.
    let mut below_paths: Vec<ScalarExpr> = Vec::new();
    let moved_below: Vec<ScalarExpr> = moved
        .iter()
        .map(|m| {
            let mut m = m.clone();
            m.remap_columns(&|k| copied_from(k).unwrap_or(k));
            m
        })
        .collect();
    for m in moved_below.iter().chain(item_paths.iter()) {
        if !below_paths.contains(m) {
            below_paths.push(m.clone());
        }
    }
    if kept.len() + below_paths.len() >= width {
        return None;
    }
    let new_width = kept.len() + below_paths.len();
    let position = |c: usize| kept.binary_search(&c).ok();
    // Parameter column `j` in the narrowed parameter.
    let param_at = |j: usize| -> Option<usize> {
        if j < width {
            position(j)
        } else {
            Some(j - width + new_width)
        }
    };
    let mut exprs_below: Vec<ScalarExpr> = Vec::new();
    let mut fields_below: Vec<Field> = Vec::new();
    let mut expanded: Vec<Field> = Vec::new();
    for &c in &kept {
        let field = below.field(c)?;
        // An input column an item replaces in place, and nothing reads,
        // holds null until the item's element overwrites it.
        exprs_below.push(if slots.contains(&c) && !valued.contains(&c) {
            ScalarExpr::literal(Value::Null, field.ty, Default::default())
        } else {
            ScalarExpr::column(c, field.ty, Default::default())
        });
        fields_below.push(field.clone());
        expanded.push(mv.expanded.field(c)?.clone());
    }
    for (i, m) in below_paths.iter().enumerate() {
        exprs_below.push(m.clone());
        let field = Field::new(format!("__apply{i}"), m.ty);
        fields_below.push(field.clone());
        expanded.push(field);
    }
    expanded.extend(mv.expanded.fields.iter().skip(width).cloned());
    let expanded = Schema::new(expanded);
    let items = mv
        .items
        .iter()
        .map(|item| {
            let slot = param_at(item.slot)?;
            let taken = item.expr.clone();
            let expr = replace_moved(taken, &below_paths, kept.len(), &|c| {
                position(c).unwrap_or(c)
            });
            Some(ApplyItem {
                expr,
                slot,
                to_type: item.to_type,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let mut subquery = mv.subquery.as_ref().clone();
    remap_chain(&mut subquery, &expanded, &|j| param_at(j).unwrap_or(j));
    // The outputs: those read whole, then the moved paths (read through
    // the subquery, which keeps them).
    let mut outputs: Vec<ApplyOutput> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for &k in &outputs_read {
        let out = match mv.outputs.get(k)? {
            ApplyOutput::Input(i) => ApplyOutput::Input(position(*i)?),
            ApplyOutput::Subquery(j) => ApplyOutput::Subquery(param_at(*j)?),
        };
        outputs.push(out);
        fields.push(mv.schema.field(k)?.clone());
    }
    let first_moved = outputs.len();
    for m in &moved_below {
        let at = below_paths.iter().position(|p| p == m)?;
        outputs.push(ApplyOutput::Subquery(kept.len() + at));
        fields.push(expanded.field(kept.len() + at)?.clone());
    }
    let narrowed = LogicalPlan::MvApply(MvApply {
        input: Box::new(LogicalPlan::Project(Project {
            input: mv.input.clone(),
            exprs: exprs_below,
            schema: Schema::new(fields_below),
        })),
        items,
        item_index: mv.item_index,
        limit: mv.limit,
        expanded,
        subquery: Box::new(subquery),
        outputs,
        schema: Schema::new(fields),
    });
    // Every output read whole is kept, so every position is found.
    let out_position = |k: usize| outputs_read.binary_search(&k).unwrap_or(k);
    for e in exprs.iter_mut() {
        let ty = e.ty;
        let taken = std::mem::replace(&mut **e, ScalarExpr::column(0, ty, Default::default()));
        **e = replace_moved(taken, &moved, first_moved, &out_position);
    }
    Some(narrowed)
}

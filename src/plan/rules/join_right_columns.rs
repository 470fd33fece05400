//! `JoinRightColumns`: a `summarize` or `project` right after a `join`
//! makes the join's right side carry only what it reads. Right columns it
//! does not read, and that are not join keys, are dropped before the join,
//! so a right side read from files decodes and holds only those columns
//! (the right side of a join is read whole before the other side runs).
//! A `leftsemi` or `leftanti` join, whose output has no right column,
//! narrows its right side to the keys whatever reads it.
//!
//! The answer is the same: in an inner, innerunique, leftouter, rightouter
//! or fullouter join each output row holds the values of one right row
//! unchanged, or the right side's typed nulls for an unmatched left row
//! (<https://learn.microsoft.com/kusto/query/join-operator>); which rows
//! match, and how often, depends on the key columns alone, which stay. A
//! column nobody reads above the join is not missed, and the join's output
//! names and types are unchanged. The left side is
//! [`super::JoinColumns`]'s, which runs first.

use super::join_columns::narrow_below_reader;
use super::{ApplyOrder, Rule};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{Join, JoinKind, LogicalPlan, Project};
use crate::schema::{Field, Schema};

pub struct JoinRightColumns;

impl Rule for JoinRightColumns {
    fn name(&self) -> &'static str {
        "join_right_columns"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        match plan {
            LogicalPlan::Join(join) => match keys_only(&join) {
                Some(narrowed) => narrowed,
                None => LogicalPlan::Join(join),
            },
            other => narrow_below_reader(other, |_| false, narrow),
        }
    }
}

/// A `leftsemi` or `leftanti` join whose right side carries more than its
/// keys, with the right side narrowed to them; `None` for any other join.
/// Such a join answers with left rows only, whether some right row has
/// their key (<https://learn.microsoft.com/kusto/query/join-leftsemi>), so
/// whatever reads it, no other right column is read.
fn keys_only(join: &Join) -> Option<LogicalPlan> {
    if !matches!(join.kind, JoinKind::LeftSemi | JoinKind::LeftAnti) {
        return None;
    }
    let right_schema = join.right.schema();
    let mut kept: Vec<usize> = join.keys.iter().map(|k| k.1).collect();
    kept.sort_unstable();
    kept.dedup();
    if kept.len() >= right_schema.len() {
        return None;
    }
    let mut exprs_below: Vec<ScalarExpr> = Vec::new();
    let mut fields_below: Vec<Field> = Vec::new();
    for &c in &kept {
        let field = right_schema.field(c)?;
        exprs_below.push(ScalarExpr::column(c, field.ty, Default::default()));
        fields_below.push(field.clone());
    }
    let position = |c: usize| kept.binary_search(&c).ok();
    let keys = join
        .keys
        .iter()
        .map(|&(l, r)| position(r).map(|p| (l, p)))
        .collect::<Option<Vec<_>>>()?;
    Some(LogicalPlan::Join(Join {
        left: join.left.clone(),
        right: Box::new(LogicalPlan::Project(Project {
            input: join.right.clone(),
            exprs: exprs_below,
            schema: Schema::new(fields_below),
        })),
        kind: join.kind,
        keys,
        schema: join.schema.clone(),
    }))
}

/// The join `input` with a narrowed right side, and `exprs` (read from the
/// join's output) rewritten to read it; `None` (and `exprs` untouched) when
/// `input` is no such join or nothing would be dropped.
fn narrow(input: &LogicalPlan, mut exprs: Vec<&mut ScalarExpr>) -> Option<LogicalPlan> {
    let LogicalPlan::Join(join) = input else {
        return None;
    };
    if !matches!(
        join.kind,
        JoinKind::Inner
            | JoinKind::InnerUnique
            | JoinKind::LeftOuter
            | JoinKind::RightOuter
            | JoinKind::FullOuter
    ) {
        return None;
    }
    let left_width = join.left.schema().len();
    let right_schema = join.right.schema();
    let right_width = right_schema.len();
    // The join's output is the left columns then the right ones.
    if join.schema.len() != left_width + right_width {
        return None;
    }
    // The right keys, and the right columns read above the join.
    let mut kept: Vec<usize> = join.keys.iter().map(|k| k.1).collect();
    for e in exprs.iter() {
        e.visit_columns(&mut |c| {
            if c >= left_width {
                kept.push(c - left_width);
            }
        });
    }
    kept.sort_unstable();
    kept.dedup();
    if kept.len() >= right_width {
        return None;
    }
    let mut exprs_below: Vec<ScalarExpr> = Vec::new();
    let mut fields_below: Vec<Field> = Vec::new();
    let mut fields: Vec<Field> = join
        .schema
        .fields
        .iter()
        .take(left_width)
        .cloned()
        .collect();
    for &c in &kept {
        let field = right_schema.field(c)?;
        exprs_below.push(ScalarExpr::column(c, field.ty, Default::default()));
        fields_below.push(field.clone());
        // The join's own name for it (a clashing name has its suffix).
        fields.push(join.schema.field(left_width + c)?.clone());
    }
    let right = LogicalPlan::Project(Project {
        input: join.right.clone(),
        exprs: exprs_below,
        schema: Schema::new(fields_below),
    });
    let position = |c: usize| kept.binary_search(&c).ok();
    let keys = join
        .keys
        .iter()
        .map(|&(l, r)| position(r).map(|p| (l, p)))
        .collect::<Option<Vec<_>>>()?;
    let narrowed = LogicalPlan::Join(Join {
        left: join.left.clone(),
        right: Box::new(right),
        kind: join.kind,
        keys,
        schema: Schema::new(fields),
    });
    // Every right column read above is kept, so every position is found.
    let remap = |c: usize| {
        if c >= left_width {
            position(c - left_width).map_or(c, |p| left_width + p)
        } else {
            c
        }
    };
    for e in exprs.iter_mut() {
        e.remap_columns(&remap);
    }
    Some(narrowed)
}

//! `JoinRightColumns`: a `summarize` or `project` after a `join` or a
//! `lookup` (through the `where`, `sort`, `top`, `take` and `serialize`
//! between them, which keep every column) makes its right side carry only
//! what they read. Right columns they do not read, and that are not join
//! keys, are dropped before the join, so a right side read from files decodes and holds only those columns
//! (the right side of a join is read whole before the other side runs).
//! A `leftsemi` or `leftanti` join, whose output has no right column,
//! narrows its right side to the keys whatever reads it.
//!
//! The answer is the same: in an inner, innerunique, leftouter, rightouter
//! or fullouter join each output row holds the values of one right row
//! unchanged, or the right side's typed nulls for an unmatched left row
//! (<https://learn.microsoft.com/kusto/query/join-operator>), as in a
//! `lookup`, whose output has the right side's columns other than its keys
//! (<https://learn.microsoft.com/kusto/query/lookup-operator>); which rows
//! match, and how often, depends on the key columns alone, which stay. A
//! column nobody reads above the join is not missed, and the join's output
//! names and types are unchanged. The left side is
//! [`super::JoinColumns`]'s, which runs first.

use super::join_columns::narrow_below_reader;
use super::unread_columns::keeps_columns;
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
            other => narrow_below_reader(other, keeps_columns, narrow),
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
    let (right, keys) = right_kept(join, &kept)?;
    Some(LogicalPlan::Join(Join {
        left: join.left.clone(),
        right: Box::new(right),
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
            | JoinKind::LookupLeftOuter
            | JoinKind::LookupInner
    ) {
        return None;
    }
    let lookup = matches!(join.kind, JoinKind::LookupLeftOuter | JoinKind::LookupInner);
    let left_width = join.left.schema().len();
    let right_schema = join.right.schema();
    let right_width = right_schema.len();
    let is_key = |c: usize| join.keys.iter().any(|k| k.1 == c);
    // The output position of each of the right columns `cols` (sorted):
    // a join outputs the left columns then the right ones, a lookup the
    // left columns then the right ones that are not keys
    // (<https://learn.microsoft.com/kusto/query/lookup-operator>).
    let outputs = |cols: &[usize]| -> Vec<(usize, usize)> {
        let mut at = left_width;
        let mut out = Vec::new();
        for &c in cols {
            if lookup && is_key(c) {
                continue;
            }
            out.push((c, at));
            at += 1;
        }
        out
    };
    let all: Vec<usize> = (0..right_width).collect();
    let old = outputs(&all);
    if join.schema.len() != left_width + old.len() {
        return None;
    }
    // The right column at output position `k`, if it is one.
    let right_at = |k: usize| old.iter().find(|o| o.1 == k).map(|o| o.0);
    // The right keys, and the right columns read above the join.
    let mut kept: Vec<usize> = join.keys.iter().map(|k| k.1).collect();
    for e in exprs.iter() {
        e.visit_columns(&mut |k| {
            if let Some(c) = right_at(k) {
                kept.push(c);
            }
        });
    }
    kept.sort_unstable();
    kept.dedup();
    if kept.len() >= right_width {
        return None;
    }
    let new = outputs(&kept);
    let mut fields: Vec<Field> = join
        .schema
        .fields
        .iter()
        .take(left_width)
        .cloned()
        .collect();
    for &(c, _) in &new {
        // The join's own name for it (a clashing name has its suffix).
        let (_, k) = old.iter().find(|o| o.0 == c)?;
        fields.push(join.schema.field(*k)?.clone());
    }
    let (right, keys) = right_kept(join, &kept)?;
    let narrowed = LogicalPlan::Join(Join {
        left: join.left.clone(),
        right: Box::new(right),
        kind: join.kind,
        keys,
        schema: Schema::new(fields),
    });
    // Every right column read above is kept, so every position is found.
    let remap = |k: usize| match right_at(k) {
        Some(c) => new.iter().find(|n| n.0 == c).map_or(k, |n| n.1),
        None => k,
    };
    for e in exprs.iter_mut() {
        e.remap_columns(&remap);
    }
    Some(narrowed)
}

/// The right side of `join` cut to its columns `kept` (sorted, distinct),
/// and the join's keys renumbered to read it; `None` when a key or a kept
/// column is not there.
fn right_kept(join: &Join, kept: &[usize]) -> Option<(LogicalPlan, Vec<(usize, usize)>)> {
    let right_schema = join.right.schema();
    let mut exprs: Vec<ScalarExpr> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for &c in kept {
        let field = right_schema.field(c)?;
        exprs.push(ScalarExpr::column(c, field.ty, Default::default()));
        fields.push(field.clone());
    }
    let right = LogicalPlan::Project(Project {
        input: join.right.clone(),
        exprs,
        schema: Schema::new(fields),
    });
    let keys = join
        .keys
        .iter()
        .map(|&(l, r)| kept.binary_search(&r).ok().map(|p| (l, p)))
        .collect::<Option<Vec<_>>>()?;
    Some((right, keys))
}

//! `JoinColumns`: a `summarize` or `project` right after a `join` makes the
//! join's left side carry only what it reads. Left columns it does not read
//! (nor the join keys) are dropped before the join, and the JSON paths it
//! reads from left columns (`tostring(e.verb)` after
//! `extend e = parse_json(log_s)`) are computed before the join, as columns
//! of their own, so the join holds a short string per row instead of the
//! whole row and its parsed event.
//!
//! The answer is the same: in an inner, innerunique or leftouter join each
//! output row holds its left row's values unchanged
//! (<https://learn.microsoft.com/kusto/query/join-operator>), so a function
//! of the left columns alone has the same value computed before the join as
//! after it, and a column nobody reads above the join is not missed. Only
//! paths, literals and `tostring`/`parse_json`/`todynamic` move (they
//! cannot fail or note anything on stderr, however often they run); the
//! right side, the keys and the join's output names are unchanged.
//! [`super::JsonNames`], which runs next, then reads the moved paths from
//! the JSON text.

use super::{ApplyOrder, Rule};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{Join, JoinKind, LogicalPlan, Project};
use crate::schema::{Field, Schema};

pub struct JoinColumns;

impl Rule for JoinColumns {
    fn name(&self) -> &'static str {
        "join_columns"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        narrow_below_reader(plan, is_filter, narrow)
    }
}

/// `plan` with the input of its `summarize` or `project` narrowed by
/// `narrow`, which also rewrites the expressions read above it to read the
/// narrowed input; any other node, or an input `narrow` leaves alone, as
/// it is. Between the reader and the narrowed operator may stand a chain
/// of operators `through` accepts, each keeping its input's columns
/// (`where`, `sort`, `take`...): their expressions are rewritten with the
/// reader's, and they are put back over the narrowed operator. The rules
/// that narrow what an operator carries up to the operator reading it
/// (this one, `mv_expand_columns` and `unread_columns`) share it.
pub(super) fn narrow_below_reader(
    mut plan: LogicalPlan,
    through: fn(&LogicalPlan) -> bool,
    narrow: fn(&LogicalPlan, Vec<&mut ScalarExpr>) -> Option<LogicalPlan>,
) -> LogicalPlan {
    if !matches!(plan, LogicalPlan::Aggregate(_) | LogicalPlan::Project(_)) {
        return plan;
    }
    let Some(mut bottom) = take_input(&mut plan) else {
        return plan;
    };
    // The chain between the reader and the operator to narrow, top first.
    let mut chain: Vec<LogicalPlan> = Vec::new();
    while through(&bottom) {
        let Some(next) = take_input(&mut bottom) else {
            break;
        };
        chain.push(bottom);
        bottom = next;
    }
    let mut exprs = plan.node_mut().exprs_mut();
    for node in chain.iter_mut() {
        exprs.extend(node.node_mut().exprs_mut());
    }
    if let Some(narrowed) = narrow(&bottom, exprs) {
        bottom = narrowed;
    }
    for mut node in chain.into_iter().rev() {
        put_input(&mut node, bottom);
        bottom = node;
    }
    put_input(&mut plan, bottom);
    plan
}

/// The only input of `plan`, a hole left in its place; `None` (and `plan`
/// untouched) when it has not exactly one.
fn take_input(plan: &mut LogicalPlan) -> Option<LogicalPlan> {
    let mut inputs = plan.node_mut().inputs_mut();
    if inputs.len() != 1 {
        return None;
    }
    let slot = inputs.pop()?;
    Some(std::mem::replace(slot, LogicalPlan::hole()))
}

/// Puts `input` back where [`take_input`] took it.
fn put_input(plan: &mut LogicalPlan, input: LogicalPlan) {
    if let Some(slot) = plan.node_mut().inputs_mut().pop() {
        *slot = input;
    }
}

/// Whether `plan` is a `where`, which keeps its input's columns: the rules
/// that narrow a join or an `mv-expand` look through it.
pub(super) fn is_filter(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Filter(_))
}

/// The join `input` with a narrowed left side, and `exprs` (read from the
/// join's output) rewritten to read it; `None` (and `exprs` untouched) when
/// `input` is no such join or nothing would be dropped.
fn narrow(input: &LogicalPlan, mut exprs: Vec<&mut ScalarExpr>) -> Option<LogicalPlan> {
    let LogicalPlan::Join(join) = input else {
        return None;
    };
    if !matches!(
        join.kind,
        JoinKind::Inner | JoinKind::InnerUnique | JoinKind::LeftOuter
    ) {
        return None;
    }
    let width = join.left.schema().len();
    // The join's output is the left columns then the right ones.
    if join.schema.len() != width + join.right.schema().len() {
        return None;
    }
    // Paths of left columns to compute before the join.
    let mut moved: Vec<ScalarExpr> = Vec::new();
    for e in exprs.iter() {
        collect_moved(e, &|c| c < width, &mut moved);
    }
    // Left columns still read whole above the join, and the keys.
    let mut kept: Vec<usize> = join.keys.iter().map(|k| k.0).collect();
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
    let left_schema = join.left.schema();
    let mut exprs_below: Vec<ScalarExpr> = Vec::new();
    let mut fields: Vec<Field> = Vec::new();
    for &c in &kept {
        let field = left_schema.field(c)?;
        exprs_below.push(ScalarExpr::column(c, field.ty, Default::default()));
        fields.push(join.schema.field(c)?.clone());
    }
    for (i, m) in moved.iter().enumerate() {
        exprs_below.push(m.clone());
        fields.push(Field::new(format!("__left{i}"), m.ty));
    }
    let new_width = fields.len();
    let left = LogicalPlan::Project(Project {
        input: join.left.clone(),
        exprs: exprs_below,
        schema: Schema::new(fields.clone()),
    });
    let position = |c: usize| kept.binary_search(&c).ok();
    let keys = join
        .keys
        .iter()
        .map(|&(l, r)| position(l).map(|p| (p, r)))
        .collect::<Option<Vec<_>>>()?;
    fields.extend(join.schema.fields.iter().skip(width).cloned());
    let narrowed = LogicalPlan::Join(Join {
        left: Box::new(left),
        right: join.right.clone(),
        kind: join.kind,
        keys,
        schema: Schema::new(fields),
    });
    // Every left column read above is kept, so every position is found.
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

/// Adds to `moved` the largest sub-expressions of `e` that are paths of
/// columns `may_move` accepts (once each). Shared with
/// [`super::MvExpandColumns`].
pub(super) fn collect_moved(
    e: &ScalarExpr,
    may_move: &dyn Fn(usize) -> bool,
    moved: &mut Vec<ScalarExpr>,
) {
    if is_path_of(e, may_move) {
        if !moved.contains(e) {
            moved.push(e.clone());
        }
        return;
    }
    for c in e.children() {
        collect_moved(c, may_move, moved);
    }
}

/// A path (a member, an index or a `json_path`, under any number of
/// `tostring`/`parse_json`/`todynamic`) of columns `may_move` accepts only.
fn is_path_of(e: &ScalarExpr, may_move: &dyn Fn(usize) -> bool) -> bool {
    let mut has_path = false;
    let mut columns_ok = true;
    let movable = movable(e, &mut has_path, &mut |c| columns_ok &= may_move(c));
    movable && has_path && columns_ok
}

/// Whether computing `e` can neither fail nor note anything on stderr, nor
/// cost more than a path read: a column, a literal, a path, under any
/// number of `tostring`/`parse_json`/`todynamic`.
pub(super) fn is_quiet(e: &ScalarExpr) -> bool {
    movable(e, &mut false, &mut |_| {})
}

fn movable(e: &ScalarExpr, has_path: &mut bool, column: &mut dyn FnMut(usize)) -> bool {
    match &e.kind {
        ScalarKind::Column { index } => {
            column(*index);
            true
        }
        ScalarKind::Literal { .. } => true,
        ScalarKind::Member { target, .. } => {
            *has_path = true;
            movable(target, has_path, column)
        }
        ScalarKind::Index { target, index } => {
            *has_path = true;
            index.as_literal().is_some() && movable(target, has_path, column)
        }
        ScalarKind::JsonPath { base, .. } => {
            *has_path = true;
            movable(base, has_path, column)
        }
        ScalarKind::Call { function, args } => {
            matches!(function.name, "tostring" | "parse_json" | "todynamic")
                && args.iter().all(|a| movable(a, has_path, column))
        }
        _ => false,
    }
}

/// Calls `f` on the columns `e` reads outside its moved sub-expressions.
pub(super) fn visit_unmoved(e: &ScalarExpr, moved: &[ScalarExpr], f: &mut dyn FnMut(usize)) {
    if moved.contains(e) {
        return;
    }
    if let ScalarKind::Column { index } = e.kind {
        f(index);
    }
    for c in e.children() {
        visit_unmoved(c, moved, f);
    }
}

/// `e` with each moved sub-expression read from its new column (after the
/// `first_moved` kept ones) and every other column remapped.
pub(super) fn replace_moved(
    e: ScalarExpr,
    moved: &[ScalarExpr],
    first_moved: usize,
    remap: &dyn Fn(usize) -> usize,
) -> ScalarExpr {
    if let Some(i) = moved.iter().position(|m| *m == e) {
        return ScalarExpr::column(first_moved + i, e.ty, e.span);
    }
    let mut e = e;
    match &mut e.kind {
        ScalarKind::Column { index } => *index = remap(*index),
        _ => {
            for c in e.children_mut() {
                let (ty, span) = (c.ty, c.span);
                let taken = std::mem::replace(c, ScalarExpr::column(0, ty, span));
                *c = replace_moved(taken, moved, first_moved, remap);
            }
        }
    }
    e
}

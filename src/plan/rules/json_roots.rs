//! `JsonRoots`: a `project` that keeps `e` (given by `extend e =
//! parse_json(log_s)` below it, or computed by the `project` itself:
//! `project TimeGenerated, e = parse_json(log_s)`) but not `log_s` also
//! keeps `log_s`, as one
//! more column at its end, when the `summarize` or `project` reading it
//! (through `where`, `sort`, `top`, `take`, `serialize`) reads paths of
//! `e`. [`super::JsonNames`] then reads those paths from the JSON text of
//! `log_s`, and [`super::UnreadColumns`] drops `e` when nothing reads it
//! whole: `extend e = parse_json(log_s) | project TimeGenerated, e | where
//! e.verb == "create" | summarize count() by tostring(e.objectRef.resource)`
//! no longer builds every event's tree.
//!
//! The answer is the same: the added column is read by nothing but the
//! rewritten paths (the reader above makes its own columns, so nobody sees
//! it), and it holds the text `e` was parsed from, unchanged.

use super::join_columns::narrow_below_reader;
use super::json_names::{resolve, root};
use super::unread_columns::keeps_columns;
use super::{ApplyOrder, Rule};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{LogicalPlan, Project};
use crate::schema::Schema;
use crate::types::DataType;

pub struct JsonRoots;

impl Rule for JsonRoots {
    fn name(&self) -> &'static str {
        "json_roots"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::TopDown)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        narrow_below_reader(plan, keeps_columns, widen)
    }
}

/// The projection `input` with the JSON text of each of its parse_json
/// columns that `exprs` read paths of added at its end; `None` when there
/// is none to add. `exprs` are left as they are (no position moves).
fn widen(input: &LogicalPlan, exprs: Vec<&mut ScalarExpr>) -> Option<LogicalPlan> {
    let LogicalPlan::Project(p) = input else {
        return None;
    };
    let below = p.input.schema();
    let mut pathed: Vec<usize> = Vec::new();
    for e in exprs.iter() {
        path_targets(e, &mut pathed);
    }
    let mut added: Vec<usize> = Vec::new();
    for &i in &pathed {
        // `e` picked from an extend below, or computed here (`project e =
        // parse_json(log_s)`).
        let r = match p.exprs.get(i) {
            Some(ScalarExpr {
                kind: ScalarKind::Column { index: j },
                ty: DataType::Dynamic,
                ..
            }) => resolve(&p.input, *j).as_ref().and_then(root),
            Some(e) if e.ty == DataType::Dynamic => root(e),
            _ => None,
        };
        let Some(r) = r else {
            continue;
        };
        let kept = p
            .exprs
            .iter()
            .any(|e| matches!(e.kind, ScalarKind::Column { index } if index == r));
        if !kept && !added.contains(&r) {
            added.push(r);
        }
    }
    if added.is_empty() {
        return None;
    }
    let mut exprs_wide = p.exprs.clone();
    let mut fields = p.schema.fields.clone();
    for (k, &r) in added.iter().enumerate() {
        let field = below.field(r)?;
        exprs_wide.push(ScalarExpr::column(r, field.ty, Default::default()));
        fields.push(crate::schema::Field::new(format!("__json{k}"), field.ty));
    }
    Some(LogicalPlan::Project(Project {
        input: p.input.clone(),
        exprs: exprs_wide,
        schema: Schema::new(fields),
    }))
}

/// Adds to `out` each column `e` reads a step (`.key`, `[literal]`) of.
fn path_targets(e: &ScalarExpr, out: &mut Vec<usize>) {
    match &e.kind {
        ScalarKind::Member { target, .. } | ScalarKind::Index { target, .. } => {
            if let ScalarKind::Column { index } = target.kind
                && !out.contains(&index)
            {
                out.push(index);
            }
        }
        _ => {}
    }
    for c in e.children() {
        path_targets(c, out);
    }
}

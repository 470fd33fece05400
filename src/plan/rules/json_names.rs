//! `JsonNames`: after `extend X = parse_json(c)`, a path `X.a.b` read by a
//! later operator becomes `parse_json(c).a.b`, which [`super::JsonPaths`]
//! then reads from the JSON text of `c` without building the tree of `X`
//! (the inline form's speed for the named form).
//!
//! The value is the same: `X` is `parse_json(c)` on every row, and `c` is
//! still there, unchanged, beside it (an `extend` keeps its input's
//! columns). A name is followed through later `extend`s that keep it and
//! `c`, and through `where`, `sort`, `top`, `take` and `serialize`, which
//! keep every column. `X` itself is left in place: if something reads it
//! whole it is still computed, and the executor computes an `extend`'s
//! column only when it is read.

use super::{ApplyOrder, Rule};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{LogicalPlan, Project};
use crate::plan::tree::TreeNode;
use crate::types::DataType;

pub struct JsonNames;

impl Rule for JsonNames {
    fn name(&self) -> &'static str {
        "json_names"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        let input = match &plan {
            LogicalPlan::Filter(n) => &n.input,
            LogicalPlan::Project(n) => &n.input,
            LogicalPlan::Aggregate(n) => &n.input,
            LogicalPlan::Sort(n) => &n.input,
            LogicalPlan::TopN(n) => &n.input,
            _ => return plan,
        };
        let input: &LogicalPlan = input;
        if !input
            .schema()
            .fields
            .iter()
            .any(|f| f.ty == DataType::Dynamic)
        {
            return plan;
        }
        let named: Vec<Option<ScalarExpr>> = (0..input.schema().len())
            .map(|i| {
                if input
                    .schema()
                    .field(i)
                    .is_some_and(|f| f.ty == DataType::Dynamic)
                {
                    resolve(input, i)
                } else {
                    None
                }
            })
            .collect();
        if named.iter().all(Option::is_none) {
            return plan;
        }
        plan.map_expressions(&mut |e| e.transform_up(&mut |e| inline(e, &named)))
    }
}

/// A step (`.key`, `[literal]`) on a column that is a parse_json path:
/// the step on that path.
fn inline(e: ScalarExpr, named: &[Option<ScalarExpr>]) -> ScalarExpr {
    let ScalarExpr { kind, ty, span } = e;
    let kind = match kind {
        ScalarKind::Member { target, key } => ScalarKind::Member {
            target: Box::new(substitute(*target, named)),
            key,
        },
        ScalarKind::Index { target, index } if index.as_literal().is_some() => ScalarKind::Index {
            target: Box::new(substitute(*target, named)),
            index,
        },
        kind => kind,
    };
    ScalarExpr { kind, ty, span }
}

fn substitute(target: ScalarExpr, named: &[Option<ScalarExpr>]) -> ScalarExpr {
    match target.kind {
        ScalarKind::Column { index } => match named.get(index) {
            Some(Some(path)) => path.clone(),
            _ => target,
        },
        _ => target,
    }
}

/// Column `i` of `plan` as a path rooted at `parse_json` of a string
/// column of `plan` itself, when it is one.
pub(super) fn resolve(plan: &LogicalPlan, i: usize) -> Option<ScalarExpr> {
    match plan {
        LogicalPlan::Filter(n) => resolve(&n.input, i),
        LogicalPlan::Sort(n) => resolve(&n.input, i),
        LogicalPlan::TopN(n) => resolve(&n.input, i),
        LogicalPlan::Limit(n) => resolve(&n.input, i),
        LogicalPlan::Serialize(n) => resolve(&n.input, i),
        LogicalPlan::Project(p) => {
            let e = p.exprs.get(i)?;
            let path = match &e.kind {
                ScalarKind::Column { index } => resolve(&p.input, *index)?,
                _ if root(e).is_some() => e.clone(),
                _ => return None,
            };
            // The root column, in `p`'s input, must be kept by `p`.
            let j = root(&path)?;
            let kept = kept_at(p, j)?;
            Some(reroot(path, kept))
        }
        _ => None,
    }
}

/// The output position where `p` keeps its input column `j` unchanged.
fn kept_at(p: &Project, j: usize) -> Option<usize> {
    let ty = p.input.schema().field(j)?.ty;
    p.exprs
        .iter()
        .position(|e| matches!(e.kind, ScalarKind::Column { index } if index == j) && e.ty == ty)
}

/// The string column at the root of a path `parse_json(c).a[0]…`.
pub(super) fn root(e: &ScalarExpr) -> Option<usize> {
    match &e.kind {
        ScalarKind::Member { target, .. } => root(target),
        ScalarKind::Index { target, index } if index.as_literal().is_some() => root(target),
        ScalarKind::Call { function, args } if function.name == "parse_json" && args.len() == 1 => {
            match args.first().map(|a| (&a.kind, a.ty)) {
                Some((ScalarKind::Column { index }, DataType::String)) => Some(*index),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The path with its root column moved to position `to`.
fn reroot(e: ScalarExpr, to: usize) -> ScalarExpr {
    let ScalarExpr { kind, ty, span } = e;
    let kind = match kind {
        ScalarKind::Member { target, key } => ScalarKind::Member {
            target: Box::new(reroot(*target, to)),
            key,
        },
        ScalarKind::Index { target, index } => ScalarKind::Index {
            target: Box::new(reroot(*target, to)),
            index,
        },
        ScalarKind::Call { function, args } => ScalarKind::Call {
            function,
            args: args
                .into_iter()
                .map(|a| match a.kind {
                    ScalarKind::Column { .. } => ScalarExpr {
                        kind: ScalarKind::Column { index: to },
                        ..a
                    },
                    _ => a,
                })
                .collect(),
        },
        kind => kind,
    };
    ScalarExpr { kind, ty, span }
}

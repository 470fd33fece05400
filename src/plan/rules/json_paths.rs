//! `JsonPaths`: `parse_json(s).a.b[0]` becomes one [`ScalarKind::JsonPath`]
//! that looks the path up in the JSON text of `s` instead of building the
//! whole document as a tree, and `parse_json(tostring(x))` on such a path
//! becomes a `Reparse` step instead of a round trip through JSON text.
//!
//! The result is the same value: `parse_json` of text that is not JSON is
//! a dynamic string (whose members are null), of `""` is null; a member of
//! anything but a bag, or an element of anything but an array, is null;
//! `parse_json(tostring(v))` parses `v` when it is a string and is `v`
//! otherwise (a bag or array printed and parsed again is itself). A bare
//! `parse_json(s)` with no step after it is left alone: it needs the tree.

use super::{ApplyOrder, Rule};
use crate::json::doc::PathStep;
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::LogicalPlan;
use crate::plan::tree::TreeNode;
use crate::types::DataType;
use crate::value::Value;

pub struct JsonPaths;

impl Rule for JsonPaths {
    fn name(&self) -> &'static str {
        "json_paths"
    }

    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    /// Each expression of the operator, bottom-up.
    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        plan.map_expressions(&mut |e| e.transform_up(&mut rewrite))
    }
}

/// Rewrites one expression whose children were rewritten already.
fn rewrite(e: ScalarExpr) -> ScalarExpr {
    let span = e.span;
    let ty = e.ty;
    match e.kind {
        ScalarKind::Member { target, key } => match extend(*target, PathStep::Key(key.clone())) {
            Ok(path) => path,
            Err(target) => ScalarExpr {
                kind: ScalarKind::Member {
                    target: Box::new(target),
                    key,
                },
                ty,
                span,
            },
        },
        ScalarKind::Index { target, index } => match index.as_literal().and_then(Value::as_i64) {
            Some(i) => match extend(*target, PathStep::Index(i)) {
                Ok(path) => path,
                Err(target) => ScalarExpr {
                    kind: ScalarKind::Index {
                        target: Box::new(target),
                        index,
                    },
                    ty,
                    span,
                },
            },
            None => ScalarExpr {
                kind: ScalarKind::Index { target, index },
                ty,
                span,
            },
        },
        ScalarKind::Call { function, mut args }
            if function.name == "parse_json" && args.len() == 1 =>
        {
            match args.pop().map(reparse) {
                Some(Ok(path)) => path,
                Some(Err(arg)) => ScalarExpr {
                    kind: ScalarKind::Call {
                        function,
                        args: vec![arg],
                    },
                    ty,
                    span,
                },
                None => ScalarExpr {
                    kind: ScalarKind::Call { function, args },
                    ty,
                    span,
                },
            }
        }
        kind => ScalarExpr { kind, ty, span },
    }
}

/// `target` followed by `step`, if `target` is a path or `parse_json` of text.
fn extend(target: ScalarExpr, step: PathStep) -> Result<ScalarExpr, ScalarExpr> {
    let span = target.span;
    match target.kind {
        ScalarKind::JsonPath { base, mut steps } => {
            steps.push(step);
            Ok(path(*base, steps, span))
        }
        ScalarKind::Call { function, mut args }
            if function.name == "parse_json"
                && args.len() == 1
                && args[0].ty == DataType::String =>
        {
            match args.pop() {
                Some(base) => Ok(path(base, vec![step], span)),
                None => Err(ScalarExpr {
                    kind: ScalarKind::Call { function, args },
                    ty: target.ty,
                    span,
                }),
            }
        }
        kind => Err(ScalarExpr {
            kind,
            ty: target.ty,
            span,
        }),
    }
}

/// The argument of `parse_json(arg)`: when it is `tostring(path)` (or the
/// binder's implicit conversion of a path to string), the path with a
/// `Reparse` step.
fn reparse(arg: ScalarExpr) -> Result<ScalarExpr, ScalarExpr> {
    let span = arg.span;
    let ty = arg.ty;
    match arg.kind {
        ScalarKind::Call { function, mut args }
            if function.name == "tostring"
                && args.len() == 1
                && matches!(args[0].kind, ScalarKind::JsonPath { .. }) =>
        {
            match args.pop() {
                Some(inner) => extend(inner, PathStep::Reparse),
                None => Err(ScalarExpr {
                    kind: ScalarKind::Call { function, args },
                    ty,
                    span,
                }),
            }
        }
        ScalarKind::Cast { operand }
            if ty == DataType::String && matches!(operand.kind, ScalarKind::JsonPath { .. }) =>
        {
            extend(*operand, PathStep::Reparse)
        }
        kind => Err(ScalarExpr { kind, ty, span }),
    }
}

fn path(base: ScalarExpr, steps: Vec<PathStep>, span: crate::span::Span) -> ScalarExpr {
    ScalarExpr {
        kind: ScalarKind::JsonPath {
            base: Box::new(base),
            steps,
        },
        ty: DataType::Dynamic,
        span,
    }
}

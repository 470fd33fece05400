//! Physical scalar expressions: a bound expression with everything that
//! can be prepared once prepared — subquery results in place, string
//! operators with their constant needle folded, regexes compiled.

use super::expr::{ListKind, LogicalOp, ScalarExpr, ScalarKind, StringOp, SubqueryShape};
use super::string_match::Matcher;
use crate::functions::ScalarFunction;
use crate::json::doc::PathStep;
use crate::types::DataType;
use crate::value::ops::{ArithOp, CompareOp};
use crate::value::{Str, Value};

#[derive(Clone, Debug)]
pub enum PhysExpr {
    Column(usize),
    Literal(Value),
    Call {
        function: &'static ScalarFunction,
        args: Vec<PhysExpr>,
    },
    Logical {
        op: LogicalOp,
        args: Vec<PhysExpr>,
    },
    Arithmetic {
        op: ArithOp,
        left: Box<PhysExpr>,
        right: Box<PhysExpr>,
    },
    Negate(Box<PhysExpr>),
    Cast {
        to: DataType,
        operand: Box<PhysExpr>,
    },
    Compare {
        op: CompareOp,
        left: Box<PhysExpr>,
        right: Box<PhysExpr>,
    },
    /// A string operator whose right side is a constant: prepared once.
    Match {
        matcher: Matcher,
        left: Box<PhysExpr>,
    },
    /// A string operator with a computed right side.
    MatchDynamic {
        op: StringOp,
        left: Box<PhysExpr>,
        right: Box<PhysExpr>,
    },
    InList {
        op: ListKind,
        left: Box<PhysExpr>,
        items: Vec<PhysExpr>,
    },
    Between {
        negated: bool,
        expr: Box<PhysExpr>,
        low: Box<PhysExpr>,
        high: Box<PhysExpr>,
    },
    Member {
        target: Box<PhysExpr>,
        key: Str,
    },
    Index {
        target: Box<PhysExpr>,
        index: Box<PhysExpr>,
    },
    /// A path into the JSON text of `base` (see `json::doc`).
    JsonPath {
        base: Box<PhysExpr>,
        steps: Vec<PathStep>,
    },
}

/// Why an expression cannot be lowered: an invalid constant regex, or a
/// subquery whose value is not known (constant folding before the run).
#[derive(Clone, Debug, PartialEq)]
pub struct LowerError {
    pub message: String,
    pub span: crate::span::Span,
}

/// The values of the query's subqueries, by id, once they have run.
pub type SubqueryValues<'a> = Option<&'a [Value]>;

/// Lowers a bound expression. `subqueries` holds the subquery results;
/// `None` while constant-folding during binding (then a subquery makes
/// lowering fail).
pub fn lower(e: &ScalarExpr, subqueries: SubqueryValues) -> Result<PhysExpr, LowerError> {
    let lo = |x: &ScalarExpr| lower(x, subqueries).map(Box::new);
    Ok(match &e.kind {
        ScalarKind::Column { index } => PhysExpr::Column(*index),
        ScalarKind::Literal { value } => PhysExpr::Literal(value.clone()),
        ScalarKind::Call { function, args } => PhysExpr::Call {
            function,
            args: args
                .iter()
                .map(|a| lower(a, subqueries))
                .collect::<Result<_, _>>()?,
        },
        ScalarKind::Logical { op, args } => PhysExpr::Logical {
            op: *op,
            args: args
                .iter()
                .map(|a| lower(a, subqueries))
                .collect::<Result<_, _>>()?,
        },
        ScalarKind::Arithmetic { op, left, right } => PhysExpr::Arithmetic {
            op: *op,
            left: lo(left)?,
            right: lo(right)?,
        },
        ScalarKind::Negate { operand } => PhysExpr::Negate(lo(operand)?),
        ScalarKind::Cast { operand } => PhysExpr::Cast {
            to: e.ty,
            operand: lo(operand)?,
        },
        ScalarKind::Compare { op, left, right } => PhysExpr::Compare {
            op: *op,
            left: lo(left)?,
            right: lo(right)?,
        },
        ScalarKind::StringMatch { op, left, right } => {
            let right_value = match lower(right, subqueries)? {
                PhysExpr::Literal(v) => Some(v),
                _ => None,
            };
            match right_value {
                Some(v) => {
                    let needle = crate::value::string_form::to_kusto_string(&v);
                    let matcher = Matcher::new(*op, &needle).map_err(|e| LowerError {
                        message: e.to_string(),
                        span: right.span,
                    })?;
                    PhysExpr::Match {
                        matcher,
                        left: lo(left)?,
                    }
                }
                None => PhysExpr::MatchDynamic {
                    op: *op,
                    left: lo(left)?,
                    right: lo(right)?,
                },
            }
        }
        ScalarKind::InList { op, left, items } => PhysExpr::InList {
            op: *op,
            left: lo(left)?,
            items: items
                .iter()
                .map(|a| lower(a, subqueries))
                .collect::<Result<_, _>>()?,
        },
        ScalarKind::Between {
            negated,
            expr,
            low,
            high,
        } => PhysExpr::Between {
            negated: *negated,
            expr: lo(expr)?,
            low: lo(low)?,
            high: lo(high)?,
        },
        ScalarKind::Member { target, key } => PhysExpr::Member {
            target: lo(target)?,
            key: Str::new(key),
        },
        ScalarKind::Index { target, index } => PhysExpr::Index {
            target: lo(target)?,
            index: lo(index)?,
        },
        ScalarKind::JsonPath { base, steps } => PhysExpr::JsonPath {
            base: lo(base)?,
            steps: steps.clone(),
        },
        ScalarKind::Subquery { id, shape } => {
            let value = subqueries
                .and_then(|s| s.get(*id))
                .cloned()
                .ok_or_else(|| LowerError {
                    message: "a subquery cannot be used where a constant is required".into(),
                    span: e.span,
                })?;
            debug_assert!(matches!(
                shape,
                SubqueryShape::Scalar | SubqueryShape::Column
            ));
            PhysExpr::Literal(value)
        }
    })
}

//! Bound scalar expressions: names resolved to column positions and
//! functions, every node typed, spans kept for run-time reports.

use crate::functions::{AggregateFunction, ScalarFunction};
use crate::json::doc::PathStep;
use crate::span::Span;
use crate::types::DataType;
use crate::value::Value;
use crate::value::ops::{ArithOp, CompareOp};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct ScalarExpr {
    pub kind: ScalarKind,
    pub ty: DataType,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScalarKind {
    /// The column at this position of the operator's input.
    Column {
        index: usize,
    },
    Literal {
        value: Value,
    },
    /// A built-in scalar function applied to its arguments.
    Call {
        function: &'static ScalarFunction,
        args: Vec<ScalarExpr>,
    },
    /// `and` / `or` chains, flattened (a 20,000-term `or` is one node).
    Logical {
        op: LogicalOp,
        args: Vec<ScalarExpr>,
    },
    Arithmetic {
        op: ArithOp,
        left: Box<ScalarExpr>,
        right: Box<ScalarExpr>,
    },
    Negate {
        operand: Box<ScalarExpr>,
    },
    /// An implicit conversion the binder inserted so both sides of a
    /// comparison or arithmetic share one type (`dynamic` to `string`...).
    Cast {
        operand: Box<ScalarExpr>,
    },
    Compare {
        op: CompareOp,
        left: Box<ScalarExpr>,
        right: Box<ScalarExpr>,
    },
    /// `has`, `contains`, `=~`, `startswith`, `matches regex`...
    StringMatch {
        op: StringOp,
        left: Box<ScalarExpr>,
        right: Box<ScalarExpr>,
    },
    /// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all`. Items that are
    /// dynamic arrays contribute their elements.
    InList {
        op: ListKind,
        left: Box<ScalarExpr>,
        items: Vec<ScalarExpr>,
    },
    Between {
        negated: bool,
        expr: Box<ScalarExpr>,
        low: Box<ScalarExpr>,
        high: Box<ScalarExpr>,
    },
    /// `d.key`, `d["key"]`: a property of a dynamic value.
    Member {
        target: Box<ScalarExpr>,
        key: String,
    },
    /// `d[i]`, `d[expr]`: an array element (negative from the end) or, for a
    /// string index, a property.
    Index {
        target: Box<ScalarExpr>,
        index: Box<ScalarExpr>,
    },
    /// `parse_json(base).a[0].b` and the `parse_json(tostring(...))` idiom,
    /// as one lookup into the JSON text of `base` (a string) that builds no
    /// tree: see `plan::rules::json_paths`.
    JsonPath {
        base: Box<ScalarExpr>,
        steps: Vec<PathStep>,
    },
    /// A value computed by running a tabular subquery once, before the
    /// main query (`toscalar(...)`, a list `in (T | project c)`).
    Subquery {
        id: usize,
        shape: SubqueryShape,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubqueryShape {
    /// `toscalar`: first column of the first row.
    Scalar,
    /// A list for `in`/`has_any`: the first column of every row, as a
    /// dynamic array.
    Column,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicalOp {
    And,
    Or,
}

/// A string operator: its kind, whether it is negated (`!has`), and whether it
/// is case-sensitive (`has_cs`, `==`-like `matches regex`). The binder maps
/// the syntax tree's operator to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StringOp {
    pub kind: StringOpKind,
    pub negated: bool,
    pub case_sensitive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringOpKind {
    /// `=~` / `!~` (always case-insensitive)
    Equals,
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    /// Legacy `like`, `likecs`, `notlike`, `notlikecs`.
    Like,
    /// `matches regex` (always case-sensitive; use `(?i)` in the pattern).
    MatchesRegex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListKind {
    In { negated: bool, case_sensitive: bool },
    HasAny,
    HasAll,
}

impl ScalarExpr {
    pub fn literal(value: Value, ty: DataType, span: Span) -> ScalarExpr {
        ScalarExpr {
            kind: ScalarKind::Literal { value },
            ty,
            span,
        }
    }

    pub fn column(index: usize, ty: DataType, span: Span) -> ScalarExpr {
        ScalarExpr {
            kind: ScalarKind::Column { index },
            ty,
            span,
        }
    }

    pub fn as_literal(&self) -> Option<&Value> {
        match &self.kind {
            ScalarKind::Literal { value } => Some(value),
            _ => None,
        }
    }

    /// The direct children, in evaluation order.
    pub fn children(&self) -> Vec<&ScalarExpr> {
        match &self.kind {
            ScalarKind::Column { .. }
            | ScalarKind::Literal { .. }
            | ScalarKind::Subquery { .. } => {
                vec![]
            }
            ScalarKind::Call { args, .. } | ScalarKind::Logical { args, .. } => {
                args.iter().collect()
            }
            ScalarKind::Arithmetic { left, right, .. }
            | ScalarKind::Compare { left, right, .. }
            | ScalarKind::StringMatch { left, right, .. } => vec![left, right],
            ScalarKind::Negate { operand } | ScalarKind::Cast { operand } => vec![operand],
            ScalarKind::InList { left, items, .. } => {
                std::iter::once(&**left).chain(items.iter()).collect()
            }
            ScalarKind::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            ScalarKind::Member { target, .. } => vec![target],
            ScalarKind::Index { target, index } => vec![target, index],
            ScalarKind::JsonPath { base, .. } => vec![base],
        }
    }

    /// Every child, mutably, for rewrites.
    pub fn children_mut(&mut self) -> Vec<&mut ScalarExpr> {
        match &mut self.kind {
            ScalarKind::Column { .. }
            | ScalarKind::Literal { .. }
            | ScalarKind::Subquery { .. } => {
                vec![]
            }
            ScalarKind::Call { args, .. } | ScalarKind::Logical { args, .. } => {
                args.iter_mut().collect()
            }
            ScalarKind::Arithmetic { left, right, .. }
            | ScalarKind::Compare { left, right, .. }
            | ScalarKind::StringMatch { left, right, .. } => vec![left, right],
            ScalarKind::Negate { operand } | ScalarKind::Cast { operand } => vec![operand],
            ScalarKind::InList { left, items, .. } => std::iter::once(&mut **left)
                .chain(items.iter_mut())
                .collect(),
            ScalarKind::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            ScalarKind::Member { target, .. } => vec![target],
            ScalarKind::Index { target, index } => vec![target, index],
            ScalarKind::JsonPath { base, .. } => vec![base],
        }
    }

    /// Calls `f` on every column index this expression reads.
    pub fn visit_columns(&self, f: &mut dyn FnMut(usize)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if let ScalarKind::Column { index } = e.kind {
                f(index);
            }
            stack.extend(e.children());
        }
    }

    /// Rewrites every column index (after columns were pruned or moved).
    pub fn remap_columns(&mut self, map: &dyn Fn(usize) -> usize) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if let ScalarKind::Column { index } = &mut e.kind {
                *index = map(*index);
            }
            stack.extend(e.children_mut());
        }
    }
}

/// An aggregate in `summarize`: the function, its arguments evaluated per
/// input row, and the output type.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateExpr {
    pub function: &'static AggregateFunction,
    pub args: Vec<ScalarExpr>,
    pub ty: DataType,
    pub span: Span,
}

impl fmt::Display for ScalarExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::plan::explain::write_scalar(f, self)
    }
}

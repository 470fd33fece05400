//! `evaluate basket([Threshold, WeightColumn, MaxDimensions,
//! CustomWildcard, ...])`
//! (<https://learn.microsoft.com/kusto/query/basket-plugin>).
//!
//! The arguments are positional; `'~'` keeps a parameter's default
//! (Threshold 0.05, no weight column, MaxDimensions 5, and the wildcard
//! null, or the empty string for string columns). Each custom wildcard is a
//! constant that sets the wildcard of the columns of its type
//! (`int(-1)` for the `int` columns; the first one given for a type wins).
//! The output is `SegmentId: long`, `Count: long`, `Percent: real`, then
//! every input column, as the official analyzer declares it (an input
//! column named like one of the first three takes a suffix, `Count1`).
//! The patterns themselves are computed by `exec::basket`.

use super::bind::Binder;
use super::naming::unique_name;
use super::scalar::Scope;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::ScalarKind;
use crate::plan::logical::{Basket, LogicalPlan};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Literal};
use crate::types::DataType;
use crate::value::Value;

/// The documented default threshold.
const DEFAULT_THRESHOLD: f64 = 0.05;
/// The documented default of MaxDimensions.
const DEFAULT_MAX_DIMENSIONS: usize = 5;

/// Whether `e` is the tilde that keeps a parameter's default (`'~'`).
fn is_default(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal {
            value: Literal::String(s),
        } => s == "~",
        ExprKind::Paren { expr } => is_default(expr),
        _ => false,
    }
}

impl Binder<'_> {
    pub(super) fn basket(&mut self, input: LogicalPlan, args: &[Expr], _span: Span) -> Bound {
        if let Some(named) = args
            .iter()
            .find(|a| matches!(a.kind, ExprKind::NamedArg { .. }))
        {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                named.span,
                "basket takes its arguments by position: basket([Threshold, WeightColumn, MaxDimensions, CustomWildcard, ...])",
            )));
        }
        let in_schema = input.schema().clone();
        let given = |i: usize| args.get(i).filter(|a| !is_default(a));
        let threshold = match given(0) {
            None => DEFAULT_THRESHOLD,
            Some(e) => {
                let bound = self.constant_scalar(e).map_err(one)?;
                match crate::plan::eval::eval_constant(&bound, &self.ctx)
                    .as_ref()
                    .and_then(Value::as_f64)
                {
                    Some(t) if t > 0.0 && t <= 1.0 => t,
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            e.span,
                            "basket: Threshold must be a constant number above 0 and at most 1 (the docs give 0.015 to 1)",
                        )));
                    }
                }
            }
        };
        let weight = match given(1) {
            None => None,
            Some(e) => {
                let bound = self
                    .scalar(e, &Scope::new(&in_schema, "basket"))
                    .map_err(one)?;
                match bound.kind {
                    ScalarKind::Column { index }
                        if matches!(
                            bound.ty,
                            DataType::Int | DataType::Long | DataType::Real | DataType::Decimal
                        ) =>
                    {
                        Some(index)
                    }
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Type,
                            e.span,
                            "basket: WeightColumn must be a numeric column of the input (int, long, real)",
                        )));
                    }
                }
            }
        };
        let max_dimensions = match given(2) {
            None => DEFAULT_MAX_DIMENSIONS,
            Some(e) => {
                let bound = self.constant_scalar(e).map_err(one)?;
                match crate::plan::eval::eval_constant(&bound, &self.ctx)
                    .as_ref()
                    .and_then(Value::as_i64)
                {
                    Some(n) if n >= 1 && bound.ty != DataType::Real => n as usize,
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            e.span,
                            "basket: MaxDimensions must be a constant integer of at least 1",
                        )));
                    }
                }
            }
        };
        let mut wildcards: Vec<Value> = in_schema
            .fields
            .iter()
            .map(|f| {
                if f.ty == DataType::String {
                    Value::String("".into())
                } else {
                    Value::Null
                }
            })
            .collect();
        let mut set: Vec<DataType> = Vec::new();
        for e in args.iter().skip(3).filter(|a| !is_default(a)) {
            let bound = self.constant_scalar(e).map_err(one)?;
            let Some(value) = crate::plan::eval::eval_constant(&bound, &self.ctx) else {
                return Err(one(BindError::new(
                    BindErrorKind::Invalid,
                    e.span,
                    "basket: a CustomWildcard must be a constant",
                )));
            };
            if set.contains(&bound.ty) {
                continue;
            }
            set.push(bound.ty);
            let value = crate::value::cast::normalize(value, bound.ty);
            for (w, f) in wildcards.iter_mut().zip(&in_schema.fields) {
                if f.ty == bound.ty {
                    *w = value.clone();
                }
            }
        }
        let mut fields = vec![
            Field::new("SegmentId", DataType::Long),
            Field::new("Count", DataType::Long),
            Field::new("Percent", DataType::Real),
        ];
        for f in &in_schema.fields {
            let name = unique_name(&f.name, &|n| fields.iter().any(|g| g.name == n));
            fields.push(Field::new(name, f.ty));
        }
        Ok(LogicalPlan::Basket(Basket {
            input: Box::new(input),
            threshold,
            weight,
            max_dimensions,
            wildcards,
            schema: Schema::new(fields),
        }))
    }
}

//! `make-series [kind=nonempty] [Name =] Aggregation [default = v], ...
//! on Axis (from start to end step s | in range(start, stop, s)) [by ...]`
//! (<https://learn.microsoft.com/kusto/query/make-series-operator>).
//!
//! Bound as two steps, as the docs describe it: an aggregation grouped by
//! the `by` keys and the binned axis (`bin_at(Axis, s, start)`, or
//! `bin(Axis, s)` without `from` and with `in range`), then a
//! [`LogicalPlan::MakeSeries`] that arranges each key's bins into arrays.
//! Output columns: the `by` columns, an array per aggregation, the array
//! of axis values (all arrays are `dynamic`).

use super::bind::Binder;
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::{AggregateCollector, Scope, cast};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{Aggregate, LogicalPlan, MakeSeries, SeriesRange};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, MakeSeriesRange, Operator, OperatorKind};
use crate::types::DataType;
use crate::value::Value;
use std::cell::RefCell;

impl Binder<'_> {
    pub(super) fn make_series(&mut self, input: LogicalPlan, operator: &Operator) -> Bound {
        let span = operator.span;
        let OperatorKind::MakeSeries {
            params,
            aggregates,
            axis,
            range,
            by,
        } = &operator.kind
        else {
            return Err(one(internal(span)));
        };
        let mut errors = Vec::new();
        let mut nonempty = false;
        for p in params {
            match (p.name.name.as_str(), name_value(&p.value).as_deref()) {
                ("kind", Some("nonempty")) => nonempty = true,
                (n, _) if n.starts_with("hint.") => {}
                _ => errors.push(BindError::new(
                    BindErrorKind::Invalid,
                    p.span,
                    "'make-series' takes kind=nonempty (and hint.* parameters)",
                )),
            }
        }
        let in_schema = input.schema().clone();
        let scope = Scope::new(&in_schema, "make-series");
        // The `by` keys.
        let mut group_by = Vec::new();
        let mut fields: Vec<Field> = Vec::new();
        for item in by {
            let bound = match self.scalar(&item.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let taken = |n: &str| fields.iter().any(|f| f.name == n);
            let name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => match implied_name(&item.expr) {
                    Some(n) => unique_name(&n, &taken),
                    None => generic_name(&taken),
                },
            };
            fields.push(Field::new(name, bound.ty));
            group_by.push(bound);
        }
        // The axis and its range.
        let (start, end, step, in_range) = match range {
            MakeSeriesRange::FromTo { from, to, step } => (from.as_ref(), to.as_ref(), step, false),
            MakeSeriesRange::InRange { start, stop, step } => (Some(start), Some(stop), step, true),
        };
        let mut constant = |e: &Expr| -> Result<ScalarExpr, BindError> {
            let bound = self.constant_scalar(e)?;
            let mut reads_row = false;
            bound.visit_columns(&mut |_| reads_row = true);
            if reads_row {
                return Err(BindError::new(
                    BindErrorKind::Invalid,
                    e.span,
                    "'make-series': the range must be constant",
                ));
            }
            Ok(bound)
        };
        let start = start.map(&mut constant).transpose();
        let end = end.map(&mut constant).transpose();
        let step = constant(step);
        let axis_bound = self.scalar(axis, &scope);
        let (start, end, step, axis_bound) = match (start, end, step, axis_bound) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            (a, b, c, d) => {
                errors.extend(a.err());
                errors.extend(b.err());
                errors.extend(c.err());
                errors.extend(d.err());
                return Err(errors);
            }
        };
        let axis_ty = match axis_bound.ty {
            DataType::Dynamic => match (start.as_ref().map(|s| s.ty), step.ty) {
                (Some(t @ (DataType::DateTime | DataType::Timespan)), _) => t,
                (_, DataType::Timespan | DataType::Dynamic) => DataType::DateTime,
                _ => DataType::Real,
            },
            t @ (DataType::DateTime | DataType::Timespan) => t,
            t if t.is_numeric() => t,
            t => {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    axis.span,
                    format!(
                        "'make-series': the axis must be a datetime, timespan or number, not {t}"
                    ),
                )));
            }
        };
        let step_ok = match axis_ty {
            DataType::DateTime | DataType::Timespan => {
                matches!(step.ty, DataType::Timespan | DataType::Dynamic)
            }
            _ => step.ty.is_numeric() || step.ty == DataType::Dynamic,
        };
        if !step_ok {
            errors.push(BindError::new(
                BindErrorKind::Type,
                step.span,
                format!(
                    "'make-series': a {axis_ty} axis cannot step by a {}",
                    step.ty
                ),
            ));
        }
        let step_ty = match axis_ty {
            DataType::DateTime | DataType::Timespan => DataType::Timespan,
            t => t,
        };
        let step = cast(step, step_ty);
        let mut bound_to_axis = |e: Option<ScalarExpr>| -> Option<ScalarExpr> {
            let e = e?;
            let compatible = e.ty == axis_ty
                || e.ty == DataType::Dynamic
                || (e.ty.is_numeric() && axis_ty.is_numeric());
            if !compatible {
                errors.push(BindError::new(
                    BindErrorKind::Type,
                    e.span,
                    format!(
                        "'make-series': the range of a {axis_ty} axis cannot be a {}",
                        e.ty
                    ),
                ));
            }
            Some(cast(e, axis_ty))
        };
        let start = bound_to_axis(start);
        let end = bound_to_axis(end);
        let axis_expr = cast(axis_bound, axis_ty);
        let bin = match (&start, in_range) {
            (Some(s), false) => call(
                "bin_at",
                vec![axis_expr, step.clone(), s.clone()],
                axis_ty,
                span,
            ),
            _ => call("bin", vec![axis_expr, step.clone()], axis_ty, span),
        };
        let bin = match bin {
            Some(b) => b,
            None => return Err(one(internal(span))),
        };
        let axis_name = implied_name(axis)
            .unwrap_or_else(|| generic_name(&|n| fields.iter().any(|f| f.name == n)));
        // The aggregations.
        let mut group_names: Vec<(String, DataType)> =
            fields.iter().map(|f| (f.name.clone(), f.ty)).collect();
        group_names.push((axis_name.clone(), axis_ty));
        let collector = RefCell::new(AggregateCollector {
            group_names,
            aggregates: Vec::new(),
        });
        let mut agg_fields = Vec::new();
        let mut defaults = Vec::new();
        for agg in aggregates {
            let scope = Scope {
                row: &in_schema,
                operator: "make-series",
                aggregates: Some(&collector),
                window: None,
                input_columns: None,
                scan: None,
            };
            let bound = match self.scalar(&agg.column.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let first_aggregate = group_by.len() + 1;
            let is_aggregate =
                matches!(bound.kind, ScalarKind::Column { index } if index >= first_aggregate);
            if !is_aggregate {
                errors.push(BindError::new(
                    BindErrorKind::Invalid,
                    agg.column.expr.span,
                    "'make-series' expects an aggregation function call here, such as count() or avg(x)",
                ));
                continue;
            }
            if matches!(bound.ty, DataType::Dynamic | DataType::String) {
                errors.push(BindError::new(
                    BindErrorKind::Type,
                    agg.column.expr.span,
                    format!(
                        "'make-series' aggregations must give numbers; this one gives {}",
                        bound.ty
                    ),
                ));
                continue;
            }
            let default = match &agg.default {
                Some(d) => {
                    let value = self
                        .constant_scalar(d)
                        .ok()
                        .and_then(|b| crate::plan::eval::eval_constant(&b, &self.ctx));
                    match value {
                        Some(v) => v,
                        None => {
                            errors.push(BindError::new(
                                BindErrorKind::Invalid,
                                d.span,
                                "'make-series': the default must be a constant",
                            ));
                            continue;
                        }
                    }
                }
                None => Value::Long(0),
            };
            defaults.push(crate::value::cast::normalize(
                crate::value::cast::cast(default, bound.ty),
                bound.ty,
            ));
            let taken = |n: &str| {
                fields.iter().any(|f| f.name == n) || agg_fields.iter().any(|f: &Field| f.name == n)
            };
            let name = match agg.column.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => match implied_name(&agg.column.expr) {
                    Some(n) => unique_name(&n, &taken),
                    None => generic_name(&taken),
                },
            };
            agg_fields.push(Field::new(name, DataType::Dynamic));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let collector = collector.into_inner();
        let mut inner_fields = fields.clone();
        inner_fields.push(Field::new("__bin", axis_ty));
        for (i, a) in collector.aggregates.iter().enumerate() {
            inner_fields.push(Field::new(format!("__agg{i}"), a.ty));
        }
        let keys = group_by.len();
        let mut group = group_by;
        group.push(bin);
        let aggregate = LogicalPlan::Aggregate(Aggregate {
            input: Box::new(input),
            group_by: group,
            aggregates: collector.aggregates,
            schema: Schema::new(inner_fields),
        });
        let mut out = fields;
        out.extend(agg_fields);
        let axis_name = unique_name(&axis_name, &|n| out.iter().any(|f| f.name == n));
        out.push(Field::new(axis_name, DataType::Dynamic));
        Ok(LogicalPlan::MakeSeries(MakeSeries {
            input: Box::new(aggregate),
            keys,
            range: Box::new(SeriesRange {
                start,
                end,
                step,
                in_range,
            }),
            defaults,
            nonempty,
            schema: Schema::new(out),
        }))
    }
}

/// A call of the built-in scalar function `name`.
fn call(name: &str, args: Vec<ScalarExpr>, ty: DataType, span: Span) -> Option<ScalarExpr> {
    Some(ScalarExpr {
        kind: ScalarKind::Call {
            function: crate::functions::lookup_scalar(name)?,
            args,
        },
        ty,
        span,
    })
}

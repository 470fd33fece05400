//! Window functions: `prev`, `next`, `row_number`, `row_cumsum`,
//! `row_window_session`, `row_rank_dense`, `row_rank_min`
//! (<https://learn.microsoft.com/kusto/query/window-functions>).
//!
//! They read other rows, so they cannot be evaluated on one row alone.
//! While `extend`, `project`, `where` or `serialize` binds its
//! expressions, each window call is collected (with its arguments, which
//! may hold other window calls: `row_number(1, prev(x) != x)`) and stands
//! for a placeholder column. The operator then reads a
//! [`LogicalPlan::Window`] that appends one column per call, computed in
//! row order over the whole input; the placeholders become those columns.
//!
//! Window functions need serialized rows (sorted, or marked with
//! `serialize`): see [`LogicalPlan::is_serialized`].

use super::bind::Binder;
use super::scalar::{Scope, cast};
use super::{BindError, BindErrorKind};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{LogicalPlan, Window, WindowExpr, WindowKind};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::Expr;
use crate::types::DataType;
use crate::value::Value;

/// Placeholder columns for window calls start here, far past any real
/// column, until [`Binder::window_input`] moves them behind the input's.
const WINDOW_BASE: usize = 1 << 40;

/// The window calls of one operator, in the order they must be computed
/// (a call's arguments before the call).
#[derive(Debug, Default)]
pub(super) struct WindowCollector {
    calls: Vec<(WindowExpr, Span)>,
}

impl WindowCollector {
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Applies `f` to the arguments of the calls collected from `from` on
    /// (`extend` rewrites references to columns it made earlier).
    pub fn map_args_from(&mut self, from: usize, f: &dyn Fn(ScalarExpr) -> ScalarExpr) {
        for (call, _) in self.calls.iter_mut().skip(from) {
            let args = std::mem::take(&mut call.args);
            call.args = args.into_iter().map(f).collect();
        }
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }
}

/// The window function called `name`, if it is one.
pub(super) fn window_function(name: &str) -> Option<WindowKind> {
    Some(match name {
        "prev" => WindowKind::Prev { offset: 1 },
        "next" => WindowKind::Next { offset: 1 },
        "row_number" => WindowKind::RowNumber,
        "row_cumsum" => WindowKind::RowCumsum,
        "row_window_session" => WindowKind::RowWindowSession,
        "row_rank_dense" => WindowKind::RowRankDense,
        "row_rank_min" => WindowKind::RowRankMin,
        _ => return None,
    })
}

impl Binder<'_> {
    pub(super) fn window_call(
        &mut self,
        kind: WindowKind,
        name: &str,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let Some(collector) = scope.window else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!(
                    "'{}' operator: '{name}' is a window function; it can be used only in extend, project, where or serialize",
                    scope.operator
                ),
            ));
        };
        let (min, max) = match kind {
            WindowKind::Prev { .. } | WindowKind::Next { .. } => (1, 3),
            WindowKind::RowNumber => (0, 2),
            WindowKind::RowCumsum | WindowKind::RowRankDense | WindowKind::RowRankMin => (1, 2),
            WindowKind::RowWindowSession => (3, 4),
        };
        if args.len() < min || args.len() > max {
            return Err(super::scalar::arity_error(name, min, max, span));
        }
        let mut bound = Vec::with_capacity(args.len());
        for a in args {
            bound.push(self.scalar(a, scope)?);
        }
        let type_error = |e: &ScalarExpr, expected: &str| {
            BindError::new(
                BindErrorKind::Type,
                e.span,
                format!(
                    "'{}' operator: argument of '{name}' must be {expected}, found {}",
                    scope.operator, e.ty
                ),
            )
        };
        let restart = |e: ScalarExpr| match e.ty {
            DataType::Bool => Ok(e),
            DataType::Dynamic => Ok(cast(e, DataType::Bool)),
            _ => Err(type_error(&e, "a bool (the restart condition)")),
        };
        let mut it = bound.into_iter();
        let (kind, args, ty) = match kind {
            WindowKind::Prev { .. } | WindowKind::Next { .. } => {
                let value = it
                    .next()
                    .ok_or_else(|| super::scalar::arity_error(name, min, max, span))?;
                let offset = match it.next() {
                    Some(o) => match crate::plan::eval::eval_constant(&o, &self.ctx)
                        .as_ref()
                        .and_then(Value::as_i64)
                    {
                        Some(n) if n >= 0 => n as u64,
                        _ => {
                            return Err(BindError::new(
                                BindErrorKind::Invalid,
                                o.span,
                                format!(
                                    "'{name}': the offset must be a constant, non-negative integer"
                                ),
                            ));
                        }
                    },
                    None => 1,
                };
                let ty = value.ty;
                let mut args = vec![value];
                if let Some(default) = it.next() {
                    args.push(cast(default, ty));
                }
                let kind = if matches!(kind, WindowKind::Prev { .. }) {
                    WindowKind::Prev { offset }
                } else {
                    WindowKind::Next { offset }
                };
                (kind, args, ty)
            }
            WindowKind::RowNumber => {
                let start = match it.next() {
                    Some(s) if s.ty.is_numeric() || s.ty == DataType::Dynamic => {
                        cast(s, DataType::Long)
                    }
                    Some(s) => return Err(type_error(&s, "a number (the first row number)")),
                    None => ScalarExpr::literal(Value::Long(1), DataType::Long, span),
                };
                let mut args = vec![start];
                if let Some(r) = it.next() {
                    args.push(restart(r)?);
                }
                (kind, args, DataType::Long)
            }
            WindowKind::RowCumsum => {
                let term = it
                    .next()
                    .ok_or_else(|| super::scalar::arity_error(name, min, max, span))?;
                let ty = match term.ty {
                    DataType::Int | DataType::Long => DataType::Long,
                    DataType::Real | DataType::Decimal | DataType::Dynamic => DataType::Real,
                    _ => return Err(type_error(&term, "an int, long or real")),
                };
                let mut args = vec![cast(term, ty)];
                if let Some(r) = it.next() {
                    args.push(restart(r)?);
                }
                (kind, args, ty)
            }
            WindowKind::RowWindowSession => {
                let value = it
                    .next()
                    .ok_or_else(|| super::scalar::arity_error(name, min, max, span))?;
                let value = match value.ty {
                    DataType::DateTime => value,
                    DataType::Dynamic => cast(value, DataType::DateTime),
                    _ => return Err(type_error(&value, "a datetime")),
                };
                let mut args = vec![value];
                for _ in 0..2 {
                    let limit = it
                        .next()
                        .ok_or_else(|| super::scalar::arity_error(name, min, max, span))?;
                    args.push(match limit.ty {
                        DataType::Timespan => limit,
                        DataType::Dynamic => cast(limit, DataType::Timespan),
                        _ => return Err(type_error(&limit, "a timespan")),
                    });
                }
                if let Some(r) = it.next() {
                    args.push(restart(r)?);
                }
                (kind, args, DataType::DateTime)
            }
            WindowKind::RowRankDense | WindowKind::RowRankMin => {
                let term = it
                    .next()
                    .ok_or_else(|| super::scalar::arity_error(name, min, max, span))?;
                let mut args = vec![term];
                if let Some(r) = it.next() {
                    args.push(restart(r)?);
                }
                (kind, args, DataType::Long)
            }
        };
        let mut c = collector.borrow_mut();
        let index = WINDOW_BASE + c.calls.len();
        c.calls.push((WindowExpr { kind, args, ty }, span));
        Ok(ScalarExpr::column(index, ty, span))
    }

    /// The input of an operator whose expressions (`exprs`, bound over
    /// `input`'s columns) hold window calls: `input` with a column per call
    /// appended, the placeholders in `exprs` now pointing at them. Without
    /// window calls, `input` itself.
    pub(super) fn window_input(
        &mut self,
        input: LogicalPlan,
        collector: WindowCollector,
        operator: &str,
        exprs: &mut [ScalarExpr],
    ) -> Result<LogicalPlan, Vec<BindError>> {
        let Some((first, span)) = collector.calls.first() else {
            return Ok(input);
        };
        if !input.is_serialized() {
            return Err(vec![
                BindError::new(
                    BindErrorKind::Invalid,
                    *span,
                    format!(
                        "'{operator}' operator: the window function '{}' needs serialized rows",
                        first.kind.name()
                    ),
                )
                .with_label("the rows here have no order")
                .with_help(Some(
                    "sort the rows first (`sort by ...`), or add `| serialize` before this operator"
                        .into(),
                )),
            ]);
        }
        let width = input.schema().len();
        let remap = move |i: usize| {
            if i >= WINDOW_BASE {
                width + (i - WINDOW_BASE)
            } else {
                i
            }
        };
        for e in exprs.iter_mut() {
            e.remap_columns(&remap);
        }
        let mut fields = input.schema().fields.clone();
        let mut functions = Vec::with_capacity(collector.calls.len());
        for (k, (mut call, _)) in collector.calls.into_iter().enumerate() {
            for a in &mut call.args {
                a.remap_columns(&remap);
            }
            fields.push(Field::new(format!("__window{k}"), call.ty));
            functions.push(call);
        }
        Ok(LogicalPlan::Window(Window {
            input: Box::new(input),
            functions,
            schema: Schema::new(fields),
        }))
    }
}

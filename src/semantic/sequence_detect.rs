//! `evaluate sequence_detect(TimelineColumn, MaxSequenceStepWindow,
//! MaxSequenceSpan, Expr1, Expr2, ..., Dim1, Dim2, ...)`
//! (<https://learn.microsoft.com/kusto/query/sequence-detect-plugin>).
//!
//! The arguments are sorted as the official analyzer sorts them: the first
//! three, then the first step predicate, then every following boolean
//! argument is a step and the rest are the dimensions (columns). A step
//! is named by its argument name (`heat = (EventType == "Excessive
//! Heat")`), else as an unnamed column would be. The output is the
//! dimensions, a column `<step>_<TimelineColumn>` per step (of the
//! timeline's type), and `Duration` (timespan).
//!
//! Bound as a projection of the timeline, the dimensions and the steps'
//! predicates, then a [`SequenceDetect`] that finds the occurrences
//! (`exec::sequence_detect`).

use super::bind::Binder;
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::Scope;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{LogicalPlan, Project, SequenceDetect};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::types::DataType;
use crate::value::Value;

const USAGE: &str = "sequence_detect(TimelineColumn, MaxSequenceStepWindow, MaxSequenceSpan, Expr1, Expr2, ..., Dim1, Dim2, ...)";

impl Binder<'_> {
    pub(super) fn sequence_detect(
        &mut self,
        input: LogicalPlan,
        args: &[Expr],
        span: Span,
    ) -> Bound {
        let [timeline, step_window, max_span, first_step, rest @ ..] = args else {
            return Err(one(BindError::new(
                BindErrorKind::Arity,
                span,
                format!("sequence_detect expects at least four arguments: {USAGE}"),
            )));
        };
        let in_schema = input.schema().clone();
        let scope = Scope::new(&in_schema, "sequence_detect");
        let time = self.scalar(timeline, &scope).map_err(one)?;
        let ScalarKind::Column { index: time_index } = time.kind else {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                timeline.span,
                "sequence_detect expects the timeline column of its input here",
            )));
        };
        if !matches!(time.ty, DataType::DateTime | DataType::Timespan) {
            return Err(one(BindError::new(
                BindErrorKind::Type,
                timeline.span,
                format!(
                    "sequence_detect: the timeline column must be a datetime (or timespan); this one is {}",
                    time.ty
                ),
            )));
        }
        let time_name = in_schema
            .field(time_index)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let step_window = self.window_ticks(step_window, "MaxSequenceStepWindow")?;
        let max_span = self.window_ticks(max_span, "MaxSequenceSpan")?;
        // The steps: the first predicate and every boolean after it.
        let mut steps: Vec<(String, ScalarExpr)> = Vec::new();
        let mut dimensions: Vec<(usize, ScalarExpr)> = Vec::new();
        for (i, arg) in std::iter::once(first_step).chain(rest).enumerate() {
            let (name, value) = match &arg.kind {
                ExprKind::NamedArg { name, value } => (Some(name.name.clone()), &**value),
                _ => (None, arg),
            };
            let bound = self.scalar(value, &scope).map_err(one)?;
            if dimensions.is_empty() && (i == 0 || bound.ty == DataType::Bool) {
                if bound.ty != DataType::Bool {
                    return Err(one(BindError::new(
                        BindErrorKind::Type,
                        value.span,
                        format!(
                            "sequence_detect: a step is a boolean predicate; this is {}",
                            bound.ty
                        ),
                    )));
                }
                let name = name
                    .or_else(|| implied_name(value))
                    .unwrap_or_else(|| generic_name(&|n| steps.iter().any(|(s, _)| s == n)));
                steps.push((name, bound));
                continue;
            }
            match (name, &bound.kind) {
                (None, ScalarKind::Column { index }) => dimensions.push((*index, bound)),
                _ => {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        arg.span,
                        format!(
                            "sequence_detect: after the steps come the dimension columns: {USAGE}"
                        ),
                    )));
                }
            }
        }
        // The projection the search reads: timeline, dimensions, steps.
        let mut exprs = vec![ScalarExpr::column(time_index, time.ty, timeline.span)];
        let mut inner = vec![Field::new(time_name.clone(), time.ty)];
        let mut fields: Vec<Field> = Vec::new();
        for (index, e) in &dimensions {
            let field = in_schema
                .field(*index)
                .cloned()
                .unwrap_or_else(|| Field::new("", e.ty));
            inner.push(field.clone());
            let name = unique_name(&field.name, &|n| fields.iter().any(|f| f.name == n));
            fields.push(Field::new(name, field.ty));
            exprs.push(e.clone());
        }
        for (i, (name, e)) in steps.iter().enumerate() {
            inner.push(Field::new(format!("__step{i}"), DataType::Bool));
            exprs.push(e.clone());
            let column = unique_name(&format!("{name}_{time_name}"), &|n| {
                fields.iter().any(|f| f.name == n)
            });
            fields.push(Field::new(column, time.ty));
        }
        let duration = unique_name("Duration", &|n| fields.iter().any(|f| f.name == n));
        fields.push(Field::new(duration, DataType::Timespan));
        let projected = LogicalPlan::Project(Project {
            input: Box::new(input),
            exprs,
            schema: Schema::new(inner),
        });
        Ok(LogicalPlan::SequenceDetect(SequenceDetect {
            input: Box::new(projected),
            dimensions: dimensions.len(),
            steps: steps.len(),
            step_window,
            span: max_span,
            schema: Schema::new(fields),
        }))
    }

    /// A constant, non-negative timespan argument, in ticks.
    fn window_ticks(&mut self, e: &Expr, param: &str) -> Result<i64, Vec<BindError>> {
        let bound = self.constant_scalar(e).map_err(one)?;
        match crate::plan::eval::eval_constant(&bound, &self.ctx) {
            Some(Value::Timespan(t)) if t.0 >= 0 => Ok(t.0),
            _ => Err(one(BindError::new(
                BindErrorKind::Invalid,
                e.span,
                format!("sequence_detect: {param} must be a constant, non-negative timespan"),
            ))),
        }
    }
}

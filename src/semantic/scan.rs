//! `scan [with_match_id = Id] [declare (c: type [= v], ...)] with (steps)`
//! (<https://learn.microsoft.com/kusto/query/scan-operator>): the input's
//! records, in order, matched against steps whose state carries values from
//! record to record (cumulative sums, sessions, funnels).
//!
//! A step's condition and assignments read the current record (its
//! declared columns at their defaults) and, written `step.column`, the
//! values the scan's state holds for an earlier match of a step. Each such
//! reference becomes one slot after the record's columns
//! ([`crate::plan::logical::ScanSteps::refs`]); the executor fills the
//! slots from the state the step is checked against.

use super::bind::Binder;
use super::scalar::{Scope, cast};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{LogicalPlan, ScanOutput, ScanStep, ScanSteps};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{self, Ident};
use crate::types::DataType;
use std::cell::RefCell;

/// The step names of a `scan` and the `step.column` references its steps
/// make, collected while they are bound.
pub(super) struct StepRefs {
    steps: Vec<String>,
    /// The record a step reads: the input's columns, then the declared ones.
    record: Schema,
    refs: RefCell<Vec<(usize, usize)>>,
}

impl StepRefs {
    /// `step.column` as a slot of the row the steps read, if `step` is a
    /// step of this scan.
    pub(super) fn reference(
        &self,
        step: &str,
        column: &Ident,
        span: Span,
    ) -> Option<Result<ScalarExpr, BindError>> {
        let s = self.steps.iter().position(|n| n == step)?;
        let Some(c) = self.record.index_of(&column.name) else {
            return Some(Err(super::project::unknown_column(
                &column.name,
                column.span,
                &self.record,
                "scan",
            )));
        };
        let ty = self
            .record
            .fields
            .get(c)
            .map_or(DataType::Dynamic, |f| f.ty);
        let mut refs = self.refs.borrow_mut();
        let slot = match refs.iter().position(|&r| r == (s, c)) {
            Some(slot) => slot,
            None => {
                refs.push((s, c));
                refs.len() - 1
            }
        };
        Some(Ok(ScalarExpr::column(self.record.len() + slot, ty, span)))
    }
}

/// `value` as a value of a declared column of type `ty`: the same type, a
/// number for a number column, anything for `dynamic`, or a bare `null`.
fn fit(value: ScalarExpr, ty: DataType, column: &str) -> Result<ScalarExpr, BindError> {
    let is_null = value
        .as_literal()
        .is_some_and(|v| matches!(v, crate::value::Value::Null));
    if value.ty == ty
        || is_null
        || ty == DataType::Dynamic
        || (ty.is_numeric() && value.ty.is_numeric())
    {
        return Ok(cast(value, ty));
    }
    Err(BindError::new(
        BindErrorKind::Type,
        value.span,
        format!(
            "'scan' operator: the column '{column}' is declared {ty}, but the value is {}",
            value.ty
        ),
    ))
}

impl Binder<'_> {
    pub(super) fn scan_steps(
        &mut self,
        input: LogicalPlan,
        match_id: Option<&Ident>,
        declare: &[ast::ScanDeclare],
        steps: &[ast::ScanStep],
    ) -> Bound {
        let width = input.schema().len();
        let mut record = input.schema().clone();
        let mut defaults = Vec::with_capacity(declare.len());
        for d in declare {
            let fields = super::sources::declared_fields(std::slice::from_ref(&d.column))?;
            let Some(field) = fields.into_iter().next() else {
                return Err(one(internal(d.span)));
            };
            if record.index_of(&field.name).is_some() {
                return Err(one(BindError::new(
                    BindErrorKind::Invalid,
                    d.column.name.span,
                    format!(
                        "'scan' operator: the declared column '{}' is already a column",
                        field.name
                    ),
                )));
            }
            let default = match &d.default {
                Some(v) => {
                    let e = self.constant_scalar(v).map_err(one)?;
                    if crate::plan::eval::eval_constant(&e, &self.ctx).is_none() {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            v.span,
                            "'scan' operator: a declared column's default must be a constant",
                        )));
                    }
                    fit(e, field.ty, &field.name).map_err(one)?
                }
                None => ScalarExpr::literal(crate::value::Value::Null, field.ty, d.span),
            };
            defaults.push(default);
            record.fields.push(field);
        }
        let mut names: Vec<String> = Vec::with_capacity(steps.len());
        for s in steps {
            if names.contains(&s.name.name) {
                return Err(one(BindError::new(
                    BindErrorKind::Invalid,
                    s.name.span,
                    format!(
                        "'scan' operator: the step name '{}' is used twice; step names must be unique",
                        s.name.name
                    ),
                )));
            }
            names.push(s.name.name.clone());
        }
        let step_refs = StepRefs {
            steps: names,
            record: record.clone(),
            refs: RefCell::new(Vec::new()),
        };
        let mut bound = Vec::with_capacity(steps.len());
        for s in steps {
            let mut scope = Scope::new(&record, "scan");
            scope.scan = Some(&step_refs);
            let condition = self.scalar(&s.condition, &scope).map_err(one)?;
            let condition = predicate_of(condition, "scan")?;
            let mut assignments = Vec::with_capacity(s.assignments.len());
            for a in &s.assignments {
                let Some(k) = declare
                    .iter()
                    .position(|d| d.column.name.name == a.column.name)
                else {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        a.column.span,
                        format!(
                            "'scan' operator: '{}' is not a declared column; a step assigns only the columns of `declare (...)`",
                            a.column.name
                        ),
                    )));
                };
                let ty = record
                    .fields
                    .get(width + k)
                    .map_or(DataType::Dynamic, |f| f.ty);
                let value = self.scalar(&a.value, &scope).map_err(one)?;
                assignments.push((k, fit(value, ty, &a.column.name).map_err(one)?));
            }
            let output = match s.output.as_ref().map(|o| o.name.as_str()) {
                None | Some("all") => ScanOutput::All,
                Some("last") => ScanOutput::Last,
                _ => ScanOutput::None,
            };
            bound.push(ScanStep {
                name: s.name.name.clone(),
                output,
                condition,
                assignments,
            });
        }
        let mut fields: Vec<Field> = record.fields.clone();
        if let Some(m) = match_id {
            if record.index_of(&m.name).is_some() {
                return Err(one(BindError::new(
                    BindErrorKind::Invalid,
                    m.span,
                    format!(
                        "'scan' operator: the match id column '{}' is already a column",
                        m.name
                    ),
                )));
            }
            fields.push(Field::new(m.name.clone(), DataType::Long));
        }
        Ok(LogicalPlan::ScanSteps(ScanSteps {
            input: Box::new(input),
            defaults,
            steps: bound,
            refs: step_refs.refs.into_inner(),
            match_id: match_id.is_some(),
            schema: Schema::new(fields),
        }))
    }
}

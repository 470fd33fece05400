//! `evaluate pivot(pivotColumn [, aggregation] [, column1, column2, ...])`
//! (<https://learn.microsoft.com/kusto/query/pivot-plugin>).
//!
//! Each distinct value of `pivotColumn` becomes a column holding the
//! aggregation (`count()` by default) of the rows with that value, per
//! combination of the other columns (`column1, ...`, by default every
//! column but the pivot column and the aggregated ones). The output
//! columns depend on the data, so the input is read while binding, as for
//! `bag_unpack` (see [`super::bag_unpack`]).
//!
//! Bound as an aggregation by the other columns and the pivot value, then
//! a [`LogicalPlan::Pivot`] that spreads each group's values over the
//! value columns (in order of first appearance; a combination with no
//! rows gets the aggregation's value over no rows: 0 for `count()` and
//! `sum()`, null for most others).

use super::bind::Binder;
use super::naming::unique_name;
use super::scalar::{AggregateCollector, Scope};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{AggregateExpr, ScalarExpr, ScalarKind};
use crate::plan::logical::{Aggregate, LogicalPlan, Pivot, Values};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::types::DataType;
use crate::value::Value;
use std::cell::RefCell;

impl Binder<'_> {
    pub(super) fn pivot(&mut self, input: LogicalPlan, args: &[Expr], span: Span) -> Bound {
        if args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::NamedArg { .. }))
        {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                span,
                "pivot takes no named arguments",
            )));
        }
        let [pivot_column, rest @ ..] = args else {
            return Err(one(BindError::new(
                BindErrorKind::Arity,
                span,
                "pivot expects the column to pivot: pivot(Column [, aggregation] [, columns...])",
            )));
        };
        let in_schema = input.schema().clone();
        let scope = Scope::new(&in_schema, "pivot");
        let pivot = self.scalar(pivot_column, &scope).map_err(one)?;
        let ScalarKind::Column { index: pivot_index } = pivot.kind else {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                pivot_column.span,
                "pivot expects a column of its input here",
            )));
        };
        // The aggregation: the second argument, if it calls an aggregation
        // function; else count().
        let is_aggregation = |e: &Expr| match &e.kind {
            ExprKind::Call { name, .. } => {
                crate::functions::lookup_aggregate(&name.name).is_some()
                    && crate::functions::lookup_scalar(&name.name).is_none()
            }
            _ => false,
        };
        let (aggregation, columns) = match rest {
            [first, more @ ..] if is_aggregation(first) => (Some(first), more),
            _ => (None, rest),
        };
        let collector = RefCell::new(AggregateCollector::default());
        let aggregate: AggregateExpr = match aggregation {
            Some(a) => {
                let scope = Scope {
                    row: &in_schema,
                    operator: "pivot",
                    aggregates: Some(&collector),
                    window: None,
                    input_columns: None,
                    scan: None,
                };
                let bound = self.scalar(a, &scope).map_err(one)?;
                let mut aggregates = collector.into_inner().aggregates;
                match (bound.kind, aggregates.len()) {
                    (ScalarKind::Column { index: 0 }, 1) => aggregates.remove(0),
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            a.span,
                            "pivot expects a single aggregation function call here, such as sum(x)",
                        )));
                    }
                }
            }
            None => AggregateExpr {
                function: crate::functions::lookup_aggregate("count")
                    .ok_or_else(|| one(internal(span)))?,
                args: vec![],
                ty: DataType::Long,
                span,
            },
        };
        // The columns that stay: given, or all but the pivoted and
        // aggregated ones.
        let mut keys: Vec<usize> = Vec::new();
        let mut errors = Vec::new();
        if columns.is_empty() {
            let mut aggregated = Vec::new();
            for a in &aggregate.args {
                a.visit_columns(&mut |i| aggregated.push(i));
            }
            keys = (0..in_schema.len())
                .filter(|i| *i != pivot_index && !aggregated.contains(i))
                .collect();
        } else {
            for c in columns {
                match self.scalar(c, &scope) {
                    Ok(ScalarExpr {
                        kind: ScalarKind::Column { index },
                        ..
                    }) => keys.push(index),
                    Ok(_) => errors.push(BindError::new(
                        BindErrorKind::Invalid,
                        c.span,
                        "pivot expects a column of its input here",
                    )),
                    Err(e) => errors.push(e),
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let key_fields: Vec<Field> = keys.iter().map(|&i| in_schema.fields[i].clone()).collect();
        let empty_cell = crate::value::cast::normalize(
            aggregate.function.accumulator(aggregate.ty).finish(),
            aggregate.ty,
        );
        let cell_type = aggregate.ty;
        if input.reads_parameter() {
            return Err(one(super::bag_unpack::data_shaped_in_subquery(
                "pivot", span,
            )));
        }
        let (input, values, provisional) = match self.probe {
            None => {
                self.unprobed += 1;
                (input, Vec::new(), true)
            }
            Some(probe) => {
                let rows = probe.rows(&input, &self.subqueries).map_err(|_| {
                    one(BindError::new(
                        BindErrorKind::FollowsEarlierError,
                        span,
                        "the input of pivot could not be read",
                    ))
                })?;
                let mut values: Vec<Value> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for row in rows.iter() {
                    let v = row.get(pivot_index).cloned().unwrap_or(Value::Null);
                    let name = crate::value::string_form::to_kusto_string(&v);
                    if seen.insert(name) {
                        values.push(v);
                    }
                }
                let input = LogicalPlan::Values(Values {
                    schema: in_schema.clone(),
                    rows,
                });
                (input, values, false)
            }
        };
        let mut fields = key_fields.clone();
        for v in &values {
            let name = unique_name(&crate::value::string_form::to_kusto_string(v), &|n| {
                fields.iter().any(|f| f.name == n)
            });
            fields.push(Field::new(name, cell_type));
        }
        let mut group_by: Vec<ScalarExpr> = keys
            .iter()
            .map(|&i| ScalarExpr::column(i, in_schema.fields[i].ty, span))
            .collect();
        group_by.push(ScalarExpr::column(
            pivot_index,
            in_schema.fields[pivot_index].ty,
            span,
        ));
        let mut inner = key_fields;
        inner.push(in_schema.fields[pivot_index].clone());
        inner.push(Field::new("__cell", cell_type));
        let aggregated = LogicalPlan::Aggregate(Aggregate {
            input: Box::new(input),
            group_by,
            aggregates: vec![aggregate],
            schema: Schema::new(inner),
        });
        Ok(LogicalPlan::Pivot(Pivot {
            input: Box::new(aggregated),
            keys: keys.len(),
            values,
            empty: empty_cell,
            schema: Schema::new(fields),
            provisional,
        }))
    }
}

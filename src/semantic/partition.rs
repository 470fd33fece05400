//! `partition [hint.strategy=...] by Column (subquery)`
//! (<https://learn.microsoft.com/kusto/query/partition-operator>): the
//! subquery runs over the rows of each value of `Column`, and the results
//! are put one after another (partitions in order of first appearance).
//! The default (legacy) strategy allows at most 64 partitions, as Kusto's
//! does; `hint.strategy=native` or `shuffle` has no limit.

use super::bind::{Binder, Binding};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{ScalarExpr, ScalarKind, SubqueryShape};
use crate::plan::logical::{LogicalPlan, Parameter, Partition, Values};
use crate::plan::tree::{Recursion, TreeNode};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, Ident, OpParam};
use std::sync::Arc;

/// Whether an expression of `plan` reads the subquery value `slot`.
fn reads_slot(plan: &LogicalPlan, slot: usize) -> bool {
    let mut found = false;
    plan.apply(&mut |node| {
        node.apply_expressions(&mut |e| {
            if e.exists(&mut |x| matches!(x.kind, ScalarKind::Subquery { id, .. } if id == slot)) {
                found = true;
            }
        });
        if found {
            Recursion::Stop
        } else {
            Recursion::Continue
        }
    });
    found
}

impl Binder<'_> {
    pub(super) fn partition(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        column: &Ident,
        subquery: &Expr,
        _span: Span,
    ) -> Bound {
        let mut legacy = true;
        for p in params {
            if p.name.name == "hint.strategy" {
                match name_value(&p.value).as_deref() {
                    Some("legacy") => legacy = true,
                    Some("native" | "shuffle") => legacy = false,
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            p.value.span,
                            "'partition': hint.strategy is legacy, native or shuffle",
                        )));
                    }
                }
            }
        }
        let Some(index) = input.schema().index_of(&column.name) else {
            return Err(one(super::project::unknown_column(
                &column.name,
                column.span,
                input.schema(),
                "partition",
            )));
        };
        // The official analyzer refuses a dynamic partition column (KS116,
        // `CheckIsNotType(..., Dynamic)` in its partition binder).
        if input.schema().fields[index].ty == crate::types::DataType::Dynamic
            && !self.catalog.dynamic_keys
        {
            return Err(one(self.dynamic_key_error(
                "partition",
                &column.name,
                column.span,
            )));
        }
        let parameter = LogicalPlan::Parameter(Parameter {
            schema: input.schema().clone(),
        });
        if !legacy {
            let subquery = self.tabular_on(subquery, parameter)?;
            let schema = subquery.schema().clone();
            return Ok(LogicalPlan::Partition(Partition {
                input: Box::new(input),
                column: index,
                subquery: Box::new(subquery),
                legacy,
                key_slot: None,
                schema,
            }));
        }
        // The legacy strategy: a subquery with its own source may name the
        // partition column (`x`, or `toscalar(x)`) for the partition's
        // value. The name stands for a subquery value slot that the run
        // fills with each partition's value (exec::partition).
        let ty = input.schema().fields[index].ty;
        let slot = self.add_subquery(
            LogicalPlan::Values(Values {
                schema: Schema::new(vec![Field::new(&column.name, ty)]),
                rows: Arc::new(Vec::new()),
            }),
            SubqueryShape::Scalar,
        );
        let key = ScalarExpr {
            kind: ScalarKind::Subquery {
                id: slot,
                shape: SubqueryShape::Scalar,
            },
            ty,
            span: column.span,
        };
        self.push_frame();
        self.define(&column.name, Binding::Scalar(key));
        let bound = self.tabular_on(subquery, parameter);
        self.pop_frame();
        let subquery_plan = bound?;
        // A toscalar() or `in` subquery inside runs once, before the query:
        // it cannot read the partition's value.
        for later in &self.subqueries[slot + 1..] {
            if reads_slot(&later.plan, slot) {
                return Err(one(BindError::new(
                    BindErrorKind::NotSupported,
                    subquery.span,
                    format!(
                        "'partition': a toscalar() or `in` subquery that uses the partition column '{}' is not supported",
                        column.name
                    ),
                )));
            }
        }
        let key_slot = reads_slot(&subquery_plan, slot).then_some(slot);
        // An unused slot that is the last subquery is dropped, so plans
        // (and --explain) of subqueries that do not name the column stay
        // as they were.
        if key_slot.is_none() && slot + 1 == self.subqueries.len() {
            self.subqueries.pop();
        }
        let schema = subquery_plan.schema().clone();
        Ok(LogicalPlan::Partition(Partition {
            input: Box::new(input),
            column: index,
            subquery: Box::new(subquery_plan),
            legacy,
            key_slot,
            schema,
        }))
    }
}

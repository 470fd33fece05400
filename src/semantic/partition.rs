//! `partition [hint.strategy=...] by Column (subquery)`
//! (<https://learn.microsoft.com/kusto/query/partition-operator>): the
//! subquery runs over the rows of each value of `Column`, and the results
//! are put one after another (partitions in order of first appearance).
//! The default (legacy) strategy allows at most 64 partitions, as Kusto's
//! does; `hint.strategy=native` or `shuffle` has no limit.

use super::bind::Binder;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{LogicalPlan, Parameter, Partition};
use crate::span::Span;
use crate::syntax::ast::{Expr, Ident, OpParam};

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
        let subquery = self.tabular_on(subquery, parameter)?;
        let schema = subquery.schema().clone();
        Ok(LogicalPlan::Partition(Partition {
            input: Box::new(input),
            column: index,
            subquery: Box::new(subquery),
            legacy,
            schema,
        }))
    }
}

//! `top-nested [N] of [Name =] Expr [with others = v] by [Name =]
//! Aggregation [asc|desc], ...`
//! (<https://learn.microsoft.com/kusto/query/top-nested-operator>).
//!
//! Two columns per level: the value (`Expr`'s name) and the aggregation
//! (`aggregated_<value name>` unless named). The aggregation may combine
//! several aggregation functions (`sum(x) / count()`), as summarize allows.

use super::bind::Binder;
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::{AggregateCollector, Scope, cast};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{LogicalPlan, NestedLevel, TopNested};
use crate::schema::{Field, Schema};
use crate::syntax::ast::{SortOrder, TopNestedLevel};
use std::cell::RefCell;

impl Binder<'_> {
    pub(super) fn top_nested(&mut self, input: LogicalPlan, levels: &[TopNestedLevel]) -> Bound {
        let in_schema = input.schema().clone();
        let mut fields: Vec<Field> = Vec::new();
        let mut bound = Vec::with_capacity(levels.len());
        let mut errors = Vec::new();
        for level in levels {
            let count = match &level.count {
                Some(c) => match self.constant_count(c, "top-nested") {
                    Ok(n) => Some(n),
                    Err(mut e) => {
                        errors.append(&mut e);
                        continue;
                    }
                },
                None => None,
            };
            let value = match self.scalar(&level.of.expr, &Scope::new(&in_schema, "top-nested")) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let taken = |n: &str| fields.iter().any(|f: &Field| f.name == n);
            let value_name = match level.of.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => match implied_name(&level.of.expr) {
                    Some(n) => unique_name(&n, &taken),
                    None => generic_name(&taken),
                },
            };
            let others = match &level.others {
                Some(o) => {
                    let v = self.constant_scalar(o).ok().and_then(|b| {
                        crate::plan::eval::eval_constant(&cast(b, value.ty), &self.ctx)
                    });
                    match v {
                        Some(v) => Some(v),
                        None => {
                            errors.push(BindError::new(
                                BindErrorKind::Invalid,
                                o.span,
                                "'top-nested': `with others =` expects a constant",
                            ));
                            continue;
                        }
                    }
                }
                None => None,
            };
            let collector = RefCell::new(AggregateCollector::default());
            let scope = Scope {
                row: &in_schema,
                operator: "top-nested",
                aggregates: Some(&collector),
                window: None,
                input_columns: None,
                scan: None,
            };
            let by = match self.scalar(&level.by.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let aggregates = collector.into_inner().aggregates;
            if aggregates.is_empty() {
                errors.push(BindError::new(
                    BindErrorKind::Invalid,
                    level.by.expr.span,
                    "'top-nested' expects an aggregation after `by`, such as sum(x) or count()",
                ));
                continue;
            }
            fields.push(Field::new(value_name.clone(), value.ty));
            let by_name = match level.by.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => unique_name(&format!("aggregated_{value_name}"), &|n| {
                    fields.iter().any(|f| f.name == n)
                }),
            };
            fields.push(Field::new(by_name, by.ty));
            bound.push(NestedLevel {
                count,
                value,
                others,
                aggregates,
                by,
                descending: level.order != Some(SortOrder::Asc),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LogicalPlan::TopNested(TopNested {
            input: Box::new(input),
            levels: bound,
            schema: Schema::new(fields),
        }))
    }
}

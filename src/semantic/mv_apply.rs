//! `mv-apply [with_itemindex=i] [Name =] expr [to typeof(T)], ... [limit N]
//! on (subquery)` (<https://learn.microsoft.com/kusto/query/mv-apply-operator>).
//!
//! Each input row is expanded as `mv-expand` would; the subquery runs over
//! that row's expansion; the rows it returns are the output, with the input
//! row's other columns.
//!
//! Columns, as the official analyzer computes them: the subquery reads the
//! input's columns with each expanded item replacing the column of its name
//! in place (or appended, for a new name), then the index column. The
//! output is the input's columns, less those expanded under their own name
//! (`mv-apply Arr on ...`), followed by the subquery's columns, each
//! replacing an input column of the same name in place.

use super::bind::Binder;
use super::mv_expand::expanded_type;
use super::naming::{generic_name, implied_name};
use super::scalar::Scope;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{ApplyItem, ApplyOutput, LogicalPlan, MvApply, Parameter};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, OpParam};
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn mv_apply(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        items: &[ast::MvExpandItem],
        limit: Option<&Expr>,
        subquery: &Expr,
        _span: Span,
    ) -> Bound {
        let mut errors = Vec::new();
        let item_index = params
            .iter()
            .find(|p| p.name.name == "with_itemindex")
            .and_then(|p| name_value(&p.value));
        for p in params {
            if p.name.name != "with_itemindex" && !p.name.name.starts_with("hint.") {
                errors.push(BindError::new(
                    BindErrorKind::Invalid,
                    p.span,
                    format!(
                        "'mv-apply' has no parameter '{}' (it takes with_itemindex)",
                        p.name.name
                    ),
                ));
            }
        }
        let limit = match limit {
            Some(l) => match self.constant_count(l, "mv-apply") {
                Ok(n) => Some(n),
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            },
            None => None,
        };
        let outer = input.schema().clone();
        let mut expanded = outer.clone();
        let mut bound_items = Vec::with_capacity(items.len());
        // Input columns expanded under their own name leave the output.
        let mut applied = Vec::new();
        for item in items {
            let expr = match self.scalar(&item.column.expr, &Scope::new(&outer, "mv-apply")) {
                Ok(e) => e,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if expr.ty != DataType::Dynamic {
                errors.push(BindError::new(
                    BindErrorKind::Type,
                    item.column.expr.span,
                    format!(
                        "'mv-apply' expands a dynamic array or bag; this expression is {}",
                        expr.ty
                    ),
                ));
                continue;
            }
            let to_type = match expanded_type(item.to_type.as_ref()) {
                Ok(ty) => ty,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let name = match item.column.names.as_slice() {
                [n] => n.name.clone(),
                [] => {
                    if let ExprKind::Name { name } = &item.column.expr.kind
                        && let Some(i) = outer.index_of(&name.name)
                    {
                        applied.push(i);
                    }
                    implied_name(&item.column.expr)
                        .unwrap_or_else(|| generic_name(&|n| expanded.index_of(n).is_some()))
                }
                _ => {
                    errors.push(BindError::new(
                        BindErrorKind::Invalid,
                        item.span,
                        "'mv-apply' names each expanded column once: `name = expr`",
                    ));
                    continue;
                }
            };
            let field = Field::new(name.clone(), to_type);
            let slot = match expanded.index_of(&name) {
                Some(i) => {
                    expanded.fields[i] = field;
                    i
                }
                None => {
                    expanded.fields.push(field);
                    expanded.len() - 1
                }
            };
            bound_items.push(ApplyItem {
                expr,
                slot,
                to_type,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(name) = &item_index {
            if expanded.index_of(name).is_some() {
                return Err(one(BindError::new(
                    BindErrorKind::DuplicateColumn,
                    params
                        .iter()
                        .find(|p| p.name.name == "with_itemindex")
                        .map_or(Span::default(), |p| p.span),
                    format!("A column with the name '{name}' is already declared."),
                )));
            }
            expanded
                .fields
                .push(Field::new(name.clone(), DataType::Long));
        }
        let parameter = LogicalPlan::Parameter(Parameter {
            schema: expanded.clone(),
        });
        let subquery = self.tabular_on(subquery, parameter)?;
        let mut outputs: Vec<ApplyOutput> = Vec::new();
        let mut fields: Vec<Field> = Vec::new();
        for (i, f) in outer.fields.iter().enumerate() {
            if !applied.contains(&i) {
                outputs.push(ApplyOutput::Input(i));
                fields.push(f.clone());
            }
        }
        for (j, f) in subquery.schema().fields.iter().enumerate() {
            match fields.iter().position(|g| g.name == f.name) {
                Some(k) => {
                    outputs[k] = ApplyOutput::Subquery(j);
                    fields[k] = f.clone();
                }
                None => {
                    outputs.push(ApplyOutput::Subquery(j));
                    fields.push(f.clone());
                }
            }
        }
        Ok(LogicalPlan::MvApply(MvApply {
            input: Box::new(input),
            items: bound_items,
            item_index: item_index.is_some(),
            limit,
            expanded,
            subquery: Box::new(subquery),
            outputs,
            schema: Schema::new(fields),
        }))
    }
}

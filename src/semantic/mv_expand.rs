//! `mv-expand` (docs/semantics.md#mv-expand).

use super::bind::Binder;
use super::naming::implied_name;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{LogicalPlan, MvExpand, MvExpandColumn};
use crate::schema::Field;
use crate::syntax::ast::{self, Expr, NamedExpr, OpParam};
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn mv_expand(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        items: &[ast::MvExpandItem],
        limit: Option<&Expr>,
    ) -> Bound {
        let bag_as_array = params.iter().any(|p| {
            (p.name.name == "bagexpansion" || p.name.name == "kind")
                && name_value(&p.value).as_deref() == Some("array")
        });
        let item_index = params
            .iter()
            .find(|p| p.name.name == "with_itemindex")
            .and_then(|p| name_value(&p.value));
        let limit = match limit {
            Some(l) => Some(self.constant_count(l, "mv-expand")?),
            None => None,
        };
        // Compute every expanded expression as a (new or replaced) column first.
        let named: Vec<NamedExpr> = items.iter().map(|i| i.column.clone()).collect();
        let extended = self.extend(input, &named, "mv-expand")?;
        let schema = extended.schema().clone();
        let mut columns = Vec::new();
        let mut errors = Vec::new();
        for item in items {
            let name = match item.column.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => implied_name(&item.column.expr).unwrap_or_default(),
            };
            let Some(index) = schema.index_of(&name) else {
                errors.push(BindError::new(
                    BindErrorKind::Invalid,
                    item.span,
                    "cannot tell which column mv-expand makes here; name it: `name = expr`",
                ));
                continue;
            };
            let to_type = match expanded_type(item.to_type.as_ref()) {
                Ok(ty) => ty,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            columns.push(MvExpandColumn {
                index,
                bag_as_array,
                to_type,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut out = schema.clone();
        for c in &columns {
            out.fields[c.index].ty = c.to_type;
        }
        if let Some(name) = &item_index {
            out.fields.push(Field::new(name.clone(), DataType::Long));
        }
        Ok(LogicalPlan::MvExpand(MvExpand {
            input: Box::new(extended),
            columns,
            item_index: item_index.is_some(),
            limit,
            schema: out,
        }))
    }
}

/// The type of the values `to typeof(T)` asks for (`dynamic` without it),
/// for `mv-expand` and `mv-apply`.
pub(super) fn expanded_type(to_type: Option<&ast::TypeName>) -> Result<DataType, BindError> {
    match to_type {
        Some(t) => DataType::from_name(&t.name).ok_or_else(|| {
            BindError::new(
                BindErrorKind::Type,
                t.span,
                format!("'{}' is not a scalar type", t.name),
            )
        }),
        None => Ok(DataType::Dynamic),
    }
}

//! `reduce [kind=source] by expr [with threshold = t, characters = c]`
//! (<https://learn.microsoft.com/kusto/query/reduce-operator>): the rows'
//! strings grouped into patterns, run by `exec::reduce`.

use super::bind::Binder;
use super::scalar::Scope;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{LogicalPlan, Project, Reduce};
use crate::schema::{Field, Schema};
use crate::syntax::ast::{Expr, OpParam, Property};
use crate::types::DataType;
use crate::value::Value;

impl Binder<'_> {
    pub(super) fn reduce(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        by: &Expr,
        with: &[Property],
    ) -> Bound {
        // `kind=source` (the page: "appends the Pattern column to the
        // existing rows in the table instead of aggregating by Pattern").
        let mut source = false;
        if let Some(kind) = params.first() {
            match name_value(&kind.value).as_deref() {
                Some("source") => source = true,
                _ => {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        kind.value.span,
                        "'reduce' operator: the only kind is 'source'",
                    )));
                }
            }
        }
        let mut threshold = 0.1;
        let mut characters = None;
        for p in with {
            let value = self.constant_scalar(&p.value).map_err(one)?;
            let value = crate::plan::eval::eval_constant(&value, &self.ctx);
            match p.name.name.as_str() {
                "threshold" => match value.as_ref().and_then(Value::as_f64) {
                    Some(t) if (0.0..=1.0).contains(&t) => threshold = t,
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            p.value.span,
                            "'reduce' operator: threshold must be a constant real between 0 and 1",
                        )));
                    }
                },
                "characters" => match value {
                    Some(Value::String(s)) => characters = Some(s.to_string()),
                    _ => {
                        return Err(one(BindError::new(
                            BindErrorKind::Type,
                            p.value.span,
                            "'reduce' operator: characters must be a constant string",
                        )));
                    }
                },
                other => {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        p.name.span,
                        format!(
                            "'reduce' operator: unknown setting '{other}' (it takes threshold and characters)"
                        ),
                    )));
                }
            }
        }
        let by_expr = self
            .scalar(by, &Scope::new(input.schema(), "reduce"))
            .map_err(one)?;
        if by_expr.ty != DataType::String {
            return Err(one(BindError::new(
                BindErrorKind::Type,
                by.span,
                format!(
                    "'reduce' operator: the expression must be a string, found {}",
                    by_expr.ty
                ),
            )
            .with_help(Some("convert it with tostring()".to_string()))));
        }
        let width = input.schema().len();
        let schema = if source {
            let mut fields = input.schema().fields.clone();
            let name =
                super::naming::unique_name("Pattern", &|n| input.schema().index_of(n).is_some());
            fields.push(Field::new(&name, DataType::String));
            Schema::new(fields)
        } else {
            Schema::new(vec![
                Field::new("Pattern", DataType::String),
                Field::new("Count", DataType::Long),
                Field::new("Representative", DataType::String),
            ])
        };
        let mut fields = input.schema().fields.clone();
        fields.push(Field::new("$reduce", DataType::String));
        let mut exprs = identity_exprs(input.schema());
        exprs.push(by_expr);
        let projected = LogicalPlan::Project(Project {
            input: Box::new(input),
            exprs,
            schema: Schema::new(fields),
        });
        Ok(LogicalPlan::Reduce(Reduce {
            input: Box::new(projected),
            column: width,
            threshold,
            characters,
            source,
            schema,
        }))
    }
}

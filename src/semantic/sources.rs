//! Tables written in the query: `range`, `datatable`, `getschema`.

use super::bind::Binder;
use super::scalar::cast;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{LogicalPlan, Range, Values};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{self, Expr};
use crate::types::DataType;
use crate::value::{Str, Value};
use std::sync::Arc;

impl Binder<'_> {
    pub(super) fn range(
        &mut self,
        column: &str,
        from: &Expr,
        to: &Expr,
        step: &Expr,
        span: Span,
    ) -> Bound {
        let from = self.constant_scalar(from).map_err(one)?;
        let to = self.constant_scalar(to).map_err(one)?;
        let step = self.constant_scalar(step).map_err(one)?;
        let ty = match (from.ty, step.ty) {
            (DataType::DateTime, DataType::Timespan) => DataType::DateTime,
            (DataType::Timespan, DataType::Timespan) => DataType::Timespan,
            (a, b) if a.is_numeric() && b.is_numeric() => {
                if matches!(a, DataType::Real)
                    || matches!(b, DataType::Real)
                    || to.ty == DataType::Real
                {
                    DataType::Real
                } else {
                    DataType::Long
                }
            }
            (a, b) => {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    span,
                    format!("range cannot step a {a} by a {b}"),
                )));
            }
        };
        Ok(LogicalPlan::Range(Range {
            schema: Schema::new(vec![Field::new(column, ty)]),
            start: cast(from, ty),
            stop: cast(to, ty),
            step,
        }))
    }

    pub(super) fn datatable(
        &mut self,
        columns: &[ast::ColumnDecl],
        values: &[Expr],
        span: Span,
    ) -> Bound {
        let fields = declared_fields(columns)?;
        if fields.is_empty() || !values.len().is_multiple_of(fields.len()) {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!(
                    "datatable has {} columns but {} values, which is not a whole number of rows",
                    fields.len(),
                    values.len()
                ),
            )));
        }
        let mut rows = Vec::with_capacity(values.len() / fields.len());
        let mut errors = Vec::new();
        for chunk in values.chunks(fields.len()) {
            let mut row = Vec::with_capacity(fields.len());
            for (v, f) in chunk.iter().zip(&fields) {
                match self.constant_scalar(v).map(|e| cast(e, f.ty)) {
                    Ok(e) => match crate::plan::eval::eval_constant(&e, &self.ctx) {
                        Some(value) => row.push(crate::value::cast::normalize(value, f.ty)),
                        None => errors.push(BindError::new(
                            BindErrorKind::Invalid,
                            v.span,
                            "datatable values must be literals",
                        )),
                    },
                    Err(e) => errors.push(e),
                }
            }
            rows.push(row);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LogicalPlan::Values(Values {
            schema: Schema::new(fields),
            rows: Arc::new(rows),
        }))
    }
}

pub(super) fn getschema(schema: &Schema) -> LogicalPlan {
    let rows = schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                Value::String(Str::new(&f.name)),
                Value::Int(i as i32),
                Value::String(Str::new(dotnet_type(f.ty))),
                Value::String(Str::new(f.ty.name())),
            ]
        })
        .collect();
    LogicalPlan::Values(Values {
        schema: Schema::new(vec![
            Field::new("ColumnName", DataType::String),
            Field::new("ColumnOrdinal", DataType::Int),
            Field::new("DataType", DataType::String),
            Field::new("ColumnType", DataType::String),
        ]),
        rows: Arc::new(rows),
    })
}

/// The .NET type names `getschema` shows (docs/semantics.md#dotnet-types).
pub(super) fn dotnet_type(ty: DataType) -> &'static str {
    match ty {
        DataType::Bool => "System.SByte",
        DataType::Int => "System.Int32",
        DataType::Long => "System.Int64",
        DataType::Real => "System.Double",
        DataType::Decimal => "System.Data.SqlTypes.SqlDecimal",
        DataType::String => "System.String",
        DataType::DateTime => "System.DateTime",
        DataType::Timespan => "System.TimeSpan",
        DataType::Guid => "System.Guid",
        DataType::Dynamic => "System.Object",
    }
}

/// The columns a `datatable` or `externaldata` declares (`name: type`),
/// or an error at the first type that is not a scalar type.
pub(super) fn declared_fields(columns: &[ast::ColumnDecl]) -> Result<Vec<Field>, Vec<BindError>> {
    columns
        .iter()
        .map(|c| {
            let ty = DataType::from_name(&c.ty.name).ok_or_else(|| {
                one(BindError::new(
                    BindErrorKind::Type,
                    c.ty.span,
                    format!("'{}' is not a scalar type", c.ty.name),
                ))
            })?;
            Ok(Field::new(c.name.name.clone(), ty))
        })
        .collect()
}

//! `evaluate bag_unpack(Column [, OutputColumnPrefix] [, columnsConflict]
//! [, ignoredProperties])`
//! (<https://learn.microsoft.com/kusto/query/bag-unpack-plugin>).
//!
//! The output has a column per distinct key of the bags in `Column`, so its
//! schema depends on the data. kqlite learns it the way Kusto does, by
//! reading the input first:
//!
//! * The first binding pass ([`super::bind`]) reads nothing. It gives the
//!   operator a stand-in schema (the input's columns without `Column`) and
//!   marks the errors that come after it as provisional: those may vanish
//!   once the keys are known. Every other error is reported before any
//!   data is read.
//! * The second pass ([`super::bind_probed`]) runs the plugin's input with
//!   the engine's [`super::Probe`], collects the keys, and keeps the rows it
//!   read as the operator's input, so the run does not read them again.
//!
//! The new columns come after the input's, sorted by name (ordinal). A
//! column's type is the type all its non-null values share, else
//! `dynamic`. A key that names an existing column is an error unless
//! `columnsConflict` is `replace_source` (the bag's value wins) or
//! `keep_source` (the input's value wins); either way the column takes the
//! key's place among the new columns, as the documented examples show.

use super::bind::Binder;
use super::scalar::Scope;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::ScalarKind;
use crate::plan::logical::{BagUnpack, LogicalPlan, UnpackOutput, Values};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::types::DataType;
use crate::value::Value;
use std::collections::BTreeMap;

const PARAMS: [&str; 4] = [
    "Column",
    "OutputColumnPrefix",
    "columnsConflict",
    "ignoredProperties",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conflict {
    Error,
    ReplaceSource,
    KeepSource,
}

/// What the values of one key have been so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotType {
    OnlyNull,
    One(DataType),
    Mixed,
}

impl Binder<'_> {
    pub(super) fn bag_unpack(&mut self, input: LogicalPlan, args: &[Expr], span: Span) -> Bound {
        let [column, prefix, conflict, ignored] =
            plugin_arguments("bag_unpack", &PARAMS, args, span)?;
        let Some(column) = column else {
            return Err(one(BindError::new(
                BindErrorKind::Arity,
                span,
                "bag_unpack expects the column to unpack: bag_unpack(Column)",
            )));
        };
        let bound = self
            .scalar(column, &Scope::new(input.schema(), "bag_unpack"))
            .map_err(one)?;
        let ScalarKind::Column {
            index: column_index,
        } = bound.kind
        else {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                column.span,
                "bag_unpack expects a column of its input, such as bag_unpack(Properties)",
            )));
        };
        if bound.ty != DataType::Dynamic {
            return Err(one(BindError::new(
                BindErrorKind::Type,
                column.span,
                format!(
                    "bag_unpack unpacks a dynamic column; this one is {}",
                    bound.ty
                ),
            )));
        }
        let prefix = match prefix {
            Some(p) => self.constant_text(p, "bag_unpack", "OutputColumnPrefix")?,
            None => String::new(),
        };
        let conflict = match conflict {
            Some(c) => match self
                .constant_text(c, "bag_unpack", "columnsConflict")?
                .as_str()
            {
                "error" => Conflict::Error,
                "replace_source" => Conflict::ReplaceSource,
                "keep_source" => Conflict::KeepSource,
                other => {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        c.span,
                        format!(
                            "bag_unpack: columnsConflict must be 'error', 'replace_source' or 'keep_source', not '{other}'"
                        ),
                    )));
                }
            },
            None => Conflict::Error,
        };
        let ignored = match ignored {
            Some(i) => self.constant_names(i)?,
            None => Vec::new(),
        };
        if input.reads_parameter() {
            return Err(one(data_shaped_in_subquery("bag_unpack", span)));
        }
        let Some(probe) = self.probe else {
            // First pass: no keys yet.
            self.unprobed += 1;
            let in_schema = input.schema().clone();
            let kept: Vec<usize> = (0..in_schema.len())
                .filter(|&i| i != column_index)
                .collect();
            let schema = Schema::new(kept.iter().map(|&i| in_schema.fields[i].clone()).collect());
            return Ok(LogicalPlan::BagUnpack(BagUnpack {
                input: Box::new(input),
                column: column_index,
                outputs: kept.into_iter().map(UnpackOutput::Input).collect(),
                schema,
                provisional: true,
            }));
        };
        let rows = probe.rows(&input, &self.subqueries).map_err(|_| {
            one(BindError::new(
                BindErrorKind::FollowsEarlierError,
                span,
                "the input of bag_unpack could not be read",
            ))
        })?;
        let slots = slots(&rows, column_index, &ignored);
        let in_schema = input.schema().clone();
        let mut kept: Vec<usize> = (0..in_schema.len())
            .filter(|&i| i != column_index)
            .collect();
        let mut new: Vec<(UnpackOutput, Field)> = Vec::with_capacity(slots.len());
        let mut errors = Vec::new();
        for (key, ty) in slots {
            let name = format!("{prefix}{key}");
            let existing = in_schema.index_of(&name).filter(|&i| i != column_index);
            match (existing, conflict) {
                (None, _) => new.push((UnpackOutput::Key { key, ty }, Field::new(name, ty))),
                (Some(_), Conflict::Error) => errors.push(
                    BindError::new(
                        BindErrorKind::DuplicateColumn,
                        span,
                        format!(
                            "bag_unpack: the key '{key}' makes a column '{name}', which the input already has"
                        ),
                    )
                    .with_help(Some(
                        "pass columnsConflict='replace_source' (the bag's value wins) or columnsConflict='keep_source' (the column's value wins)".into(),
                    )),
                ),
                (Some(i), Conflict::ReplaceSource) => {
                    kept.retain(|&k| k != i);
                    new.push((UnpackOutput::Key { key, ty }, Field::new(name, ty)));
                }
                (Some(i), Conflict::KeepSource) => {
                    kept.retain(|&k| k != i);
                    new.push((UnpackOutput::Input(i), in_schema.fields[i].clone()));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut outputs: Vec<UnpackOutput> = kept.iter().map(|&i| UnpackOutput::Input(i)).collect();
        let mut fields: Vec<Field> = kept.iter().map(|&i| in_schema.fields[i].clone()).collect();
        for (o, f) in new {
            outputs.push(o);
            fields.push(f);
        }
        Ok(LogicalPlan::BagUnpack(BagUnpack {
            input: Box::new(LogicalPlan::Values(Values {
                schema: in_schema,
                rows,
            })),
            column: column_index,
            outputs,
            schema: Schema::new(fields),
            provisional: false,
        }))
    }

    /// A constant string argument of a plugin.
    pub(super) fn constant_text(
        &mut self,
        e: &Expr,
        plugin: &str,
        param: &str,
    ) -> Result<String, Vec<BindError>> {
        let bound = self.constant_scalar(e).map_err(one)?;
        match crate::plan::eval::eval_constant(&bound, &self.ctx) {
            Some(Value::String(s)) => Ok(s.to_string()),
            _ => Err(one(BindError::new(
                BindErrorKind::Type,
                e.span,
                format!("{plugin}: {param} must be a constant string"),
            ))),
        }
    }

    /// A constant array of names (`dynamic(['a', 'b'])`).
    fn constant_names(&mut self, e: &Expr) -> Result<Vec<String>, Vec<BindError>> {
        let bound = self.constant_scalar(e).map_err(one)?;
        match crate::plan::eval::eval_constant(&bound, &self.ctx) {
            Some(Value::Array(items)) => Ok(items
                .iter()
                .map(crate::value::string_form::to_kusto_string)
                .collect()),
            Some(Value::Null) => Ok(Vec::new()),
            _ => Err(one(BindError::new(
                BindErrorKind::Type,
                e.span,
                "bag_unpack: ignoredProperties must be a constant dynamic array of names",
            ))),
        }
    }
}

/// A data-shaped plugin inside an `mv-apply` or `partition` subquery would
/// have columns that differ from one input row (or partition) to the next.
pub(super) fn data_shaped_in_subquery(plugin: &str, span: Span) -> BindError {
    BindError::new(
        BindErrorKind::NotSupported,
        span,
        format!(
            "'{plugin}' inside an mv-apply or partition subquery is not supported: its columns would depend on each row's data"
        ),
    )
}

/// Sorts a plugin's arguments into its parameters, by position and then by
/// name (`columnsConflict='keep_source'`; names compare case-insensitively).
pub(super) fn plugin_arguments<'e, const N: usize>(
    plugin: &str,
    params: &[&str; N],
    args: &'e [Expr],
    span: Span,
) -> Result<[Option<&'e Expr>; N], Vec<BindError>> {
    let mut slots: [Option<&Expr>; N] = [None; N];
    let mut position = 0;
    for a in args {
        let (index, value) = match &a.kind {
            ExprKind::NamedArg { name, value } => {
                let Some(i) = params
                    .iter()
                    .position(|p| p.eq_ignore_ascii_case(&name.name))
                else {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        name.span,
                        format!(
                            "{plugin} has no parameter named '{}' (it takes {})",
                            name.name,
                            params.join(", ")
                        ),
                    )));
                };
                (i, &**value)
            }
            _ => {
                position += 1;
                (position - 1, a)
            }
        };
        match slots.get_mut(index) {
            Some(slot @ None) => *slot = Some(value),
            Some(Some(_)) => {
                return Err(one(BindError::new(
                    BindErrorKind::Invalid,
                    a.span,
                    format!("{plugin}: {} is given twice", params[index]),
                )));
            }
            None => {
                return Err(one(BindError::new(
                    BindErrorKind::Arity,
                    span,
                    format!("{plugin} takes at most {N} arguments"),
                )));
            }
        }
    }
    Ok(slots)
}

/// The distinct keys of the bags in `column`, sorted, each with its type.
fn slots(rows: &[Vec<Value>], column: usize, ignored: &[String]) -> Vec<(String, DataType)> {
    let mut seen: BTreeMap<String, SlotType> = BTreeMap::new();
    for row in rows {
        let Some(Value::Bag(bag)) = row.get(column) else {
            continue;
        };
        for (key, value) in bag.iter() {
            if ignored.iter().any(|i| i.as_str() == key.as_str()) {
                continue;
            }
            let slot = seen.entry(key.to_string()).or_insert(SlotType::OnlyNull);
            if let Some(t) = value_type(value) {
                *slot = match *slot {
                    SlotType::OnlyNull => SlotType::One(t),
                    SlotType::One(u) if u == t => SlotType::One(t),
                    _ => SlotType::Mixed,
                };
            }
        }
    }
    seen.into_iter()
        .map(|(k, s)| {
            let ty = match s {
                SlotType::One(t) => t,
                SlotType::OnlyNull | SlotType::Mixed => DataType::Dynamic,
            };
            (k, ty)
        })
        .collect()
}

/// The type of a value inside a bag; `None` for null (which the plugin
/// ignores).
fn value_type(v: &Value) -> Option<DataType> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(_) => DataType::Bool,
        Value::Int(_) => DataType::Int,
        Value::Long(_) => DataType::Long,
        Value::Real(_) => DataType::Real,
        Value::Decimal(_) => DataType::Decimal,
        Value::DateTime(_) => DataType::DateTime,
        Value::Timespan(_) => DataType::Timespan,
        Value::Guid(_) => DataType::Guid,
        Value::String(_) => DataType::String,
        Value::Array(_) | Value::Bag(_) => DataType::Dynamic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Bag;

    fn bag(pairs: &[(&str, Value)]) -> Value {
        Value::bag(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect::<Bag>(),
        )
    }

    #[test]
    fn keys_are_sorted_and_typed_by_their_non_null_values() {
        let rows = vec![
            vec![bag(&[
                ("Name", Value::string("John")),
                ("Age", Value::Long(20)),
            ])],
            vec![bag(&[("Age", Value::Real(1.5)), ("Height", Value::Null)])],
            vec![Value::Null],
            vec![bag(&[
                ("Name", Value::string("Dave")),
                ("Skip", Value::Long(1)),
            ])],
        ];
        assert_eq!(
            slots(&rows, 0, &["Skip".to_string()]),
            vec![
                ("Age".to_string(), DataType::Dynamic),
                ("Height".to_string(), DataType::Dynamic),
                ("Name".to_string(), DataType::String),
            ]
        );
    }
}

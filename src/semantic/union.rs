//! `union`, as a source or after a pipe (docs/semantics.md#union).

use super::bind::Binder;
use super::project::wildcard_match;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::diagnostic::{Note, NoteKind};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{LogicalPlan, Project, Union};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, OpParam};
use crate::types::DataType;
use crate::value::{Str, Value};

impl Binder<'_> {
    /// `union` as a source or after a pipe: columns by name (outer union),
    /// a name with different types in different legs becomes `name_type`.
    pub(super) fn union(
        &mut self,
        input: Option<LogicalPlan>,
        params: &[OpParam],
        tables: &[Expr],
        span: Span,
    ) -> Bound {
        let mut legs: Vec<(String, LogicalPlan)> = Vec::new();
        if let Some(plan) = input {
            legs.push((String::new(), plan));
        }
        let fuzzy = params
            .iter()
            .any(|p| p.name.name == "isfuzzy" && is_true_literal(&p.value));
        let inner = params
            .iter()
            .any(|p| p.name.name == "kind" && name_value(&p.value).as_deref() == Some("inner"));
        let source_column = params
            .iter()
            .find(|p| p.name.name == "withsource" || p.name.name == "with_source")
            .and_then(|p| name_value(&p.value));
        legs.extend(self.table_legs(tables, fuzzy)?);
        if legs.is_empty() {
            return Err(one(BindError::new(
                BindErrorKind::UnknownTable,
                span,
                "union has no table that exists",
            )));
        }
        Ok(union_plan(legs, inner, source_column))
    }
}

impl Binder<'_> {
    /// The tables of a `union`, `find` or `search` list, each with its
    /// name: a wildcard names every matching table; a subquery has no
    /// name. With `fuzzy`, tables that do not exist are left out.
    pub(super) fn table_legs(
        &mut self,
        tables: &[Expr],
        fuzzy: bool,
    ) -> Result<Vec<(String, LogicalPlan)>, Vec<BindError>> {
        let mut legs = Vec::new();
        let mut errors = Vec::new();
        for t in tables {
            // Wildcards name every matching table.
            if let ExprKind::Name { name } = &t.kind
                && name.name.contains('*')
            {
                let matching: Vec<String> = self
                    .catalog
                    .names()
                    .into_iter()
                    .filter(|n| wildcard_match(&name.name, n))
                    .collect();
                for n in matching {
                    match self.table_by_name(&n, t.span) {
                        Ok(p) => legs.push((n, p)),
                        Err(mut e) => errors.append(&mut e),
                    }
                }
                continue;
            }
            let leg_name = match &t.kind {
                ExprKind::Name { name } => name.name.clone(),
                _ => as_name(t).unwrap_or_default(),
            };
            match self.tabular(t) {
                Ok(p) => legs.push((leg_name, p)),
                Err(e) if fuzzy && fuzzy_resolution_failure(&e) => {
                    // Kusto leaves the leg out with a warning; kqlite says so on stderr.
                    let reason = e
                        .first()
                        .map(|e| e.message.trim_end_matches('.'))
                        .unwrap_or_default();
                    self.notes.push(Note::new(
                        NoteKind::UnionLegLeftOut,
                        format!(
                            "'union isfuzzy=true' left out a leg that does not resolve: {reason}"
                        ),
                    ));
                }
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() {
            Ok(legs)
        } else {
            Err(errors)
        }
    }
}

/// Whether a leg's errors are all of the kind `isfuzzy=true` tolerates:
/// names of tables or functions that do not exist. The union page says the
/// union's sources are reduced to those that resolve, with a warning for
/// the others (union-operator, `isfuzzy`); the official analyzer makes an
/// unknown table or function in a fuzzy union only a warning
/// (Kusto.Language's `GetFuzzyTableNotDefined`, `GetFuzzyFunctionNotDefined`)
/// but still reports an unknown column of a table that exists.
fn fuzzy_resolution_failure(errors: &[BindError]) -> bool {
    errors.iter().all(|e| {
        matches!(
            e.kind,
            BindErrorKind::UnknownTable
                | BindErrorKind::UnknownFunction
                | BindErrorKind::FollowsEarlierError
        )
    }) && errors
        .iter()
        .any(|e| e.kind != BindErrorKind::FollowsEarlierError)
}

/// The name a subquery leg gives itself with a final `as Name`
/// (as-operator page: `union withsource=T (... | as T1), (... | as T2)`
/// names the rows' sources `T1` and `T2`).
fn as_name(leg: &Expr) -> Option<String> {
    match &leg.kind {
        ExprKind::Paren { expr } => as_name(expr),
        ExprKind::Pipe { operator, .. } => match &operator.kind {
            crate::syntax::ast::OperatorKind::As { name, .. } => Some(name.name.clone()),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn union_plan(
    legs: Vec<(String, LogicalPlan)>,
    inner: bool,
    source_column: Option<String>,
) -> LogicalPlan {
    // Columns by name; the same name with different types splits into name_type.
    let mut names: Vec<(String, Vec<DataType>)> = Vec::new();
    for (_, plan) in &legs {
        for f in &plan.schema().fields {
            match names.iter_mut().find(|(n, _)| *n == f.name) {
                Some((_, types)) => {
                    if !types.contains(&f.ty) {
                        types.push(f.ty);
                    }
                }
                None => names.push((f.name.clone(), vec![f.ty])),
            }
        }
    }
    let mut fields: Vec<(String, DataType, String)> = Vec::new(); // output name, type, source name
    for (name, types) in &names {
        if inner
            && !legs
                .iter()
                .all(|(_, p)| p.schema().index_of(name).is_some())
        {
            continue;
        }
        if types.len() == 1 {
            fields.push((name.clone(), types[0], name.clone()));
        } else {
            for t in types {
                fields.push((format!("{name}_{}", t.name()), *t, name.clone()));
            }
        }
    }
    let mut out_fields: Vec<Field> = Vec::new();
    if let Some(src) = &source_column {
        out_fields.push(Field::new(src.clone(), DataType::String));
    }
    // Output names are unique, and a leg's own column name wins over a
    // name made by splitting: a split `x_long` meeting a column declared
    // `x_long` in any leg becomes `x_long1` (union-operator page, the
    // `View_1`..`View_3` example: `x_long1, x_int, x_long`).
    let declared: Vec<&str> = fields
        .iter()
        .filter(|(n, _, source)| n == source)
        .map(|(n, _, _)| n.as_str())
        .collect();
    for (n, t, source) in &fields {
        let split = n != source;
        let taken =
            |c: &str| out_fields.iter().any(|f| f.name == c) || (split && declared.contains(&c));
        let name = super::naming::unique_name(n, &taken);
        out_fields.push(Field::new(name, *t));
    }
    let schema = Schema::new(out_fields);
    let inputs = legs
        .into_iter()
        .map(|(leg_name, plan)| {
            let mut exprs = Vec::new();
            if source_column.is_some() {
                exprs.push(ScalarExpr::literal(
                    Value::String(Str::new(&leg_name)),
                    DataType::String,
                    Span::default(),
                ));
            }
            for (_, ty, source) in &fields {
                let found = plan
                    .schema()
                    .index_of(source)
                    .filter(|&i| plan.schema().fields[i].ty == *ty);
                exprs.push(match found {
                    Some(i) => ScalarExpr::column(i, *ty, Span::default()),
                    None => {
                        ScalarExpr::literal(crate::value::cast::null_of(*ty), *ty, Span::default())
                    }
                });
            }
            LogicalPlan::Project(Project {
                input: Box::new(plan),
                exprs,
                schema: schema.clone(),
            })
        })
        .collect();
    LogicalPlan::Union(Union { inputs, schema })
}

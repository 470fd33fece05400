//! Predicates over every column, and the operators built on them:
//! `* has "x"` (docs/semantics.md#search), `search`
//! (<https://learn.microsoft.com/kusto/query/search-operator>), `find`
//! (<https://learn.microsoft.com/kusto/query/find-operator>) and
//! `pack_all()` (<https://learn.microsoft.com/kusto/query/pack-all-function>).
//!
//! `search` and `find` run their predicate over each table of their list
//! (every registered table when there is none): a table that has none of
//! the columns the predicate names is left out, and in the others a column
//! it lacks is null. The rows found are put together as `union` does, with
//! the table's name in `$table` (`search`) or `source_` (`find`, unless
//! `withsource=` names it).

use super::bind::{Binder, Binding};
use super::scalar::{Scope, cast, string_match};
use super::tabular::*;
use super::union::union_plan;
use super::{BindError, BindErrorKind};
use crate::catalog::TableData;
use crate::plan::expr::{LogicalOp, ScalarExpr, ScalarKind};
use crate::plan::logical::{Filter, LogicalPlan, Project, Scan};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{
    BinaryOp, Expr, ExprKind, Literal, NamedExpr, OpParam, StringOp, StringOpKind,
};
use crate::types::DataType;
use crate::value::{Str, Value};

impl Binder<'_> {
    /// `* op right`: true when any column matches (for a negated operator,
    /// `* !has "x"`, when no column does), each column read as a string.
    pub(super) fn any_column(
        &mut self,
        op: StringOp,
        right: &Expr,
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let right = self.scalar(right, scope)?;
        let mut args = Vec::with_capacity(scope.row.len());
        for (i, f) in scope.row.fields.iter().enumerate() {
            let column = cast(ScalarExpr::column(i, f.ty, span), DataType::String);
            args.push(string_match(op, column, right.clone(), span)?);
        }
        if args.is_empty() {
            return Ok(ScalarExpr::literal(
                Value::Bool(op.negated),
                DataType::Bool,
                span,
            ));
        }
        Ok(ScalarExpr {
            kind: ScalarKind::Logical {
                op: if op.negated {
                    LogicalOp::And
                } else {
                    LogicalOp::Or
                },
                args,
            },
            ty: DataType::Bool,
            span,
        })
    }

    /// `pack_all([ignore_null_empty])`: a bag of every column of the row.
    pub(super) fn pack_all(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        if args.len() > 1 {
            return Err(super::scalar::arity_error("pack_all", 0, 1, span));
        }
        let ignore = match args.first() {
            Some(a) => cast(self.scalar(a, scope)?, DataType::Bool),
            None => ScalarExpr::literal(Value::Bool(false), DataType::Bool, span),
        };
        let names: Vec<_> = scope
            .row
            .names()
            .take(scope.input_columns.unwrap_or(usize::MAX))
            .collect();
        Ok(pack_columns(scope.row, &names, ignore, span))
    }

    /// `bag_pack_columns(c1, c2, ...)` (bag-pack-columns-function): a bag of
    /// the named columns, each under its own name, as
    /// `bag_pack("c1", c1, "c2", c2, ...)`. Each argument must name a column.
    pub(super) fn bag_pack_columns(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        if args.is_empty() {
            return Err(super::scalar::arity_error(
                "bag_pack_columns",
                1,
                usize::MAX,
                span,
            ));
        }
        let mut packed = Vec::with_capacity(args.len() * 2);
        for a in args {
            let ExprKind::Name { name } = &a.kind else {
                return Err(BindError::new(
                    BindErrorKind::Type,
                    a.span,
                    "bag_pack_columns expects column names",
                ));
            };
            packed.push(ScalarExpr::literal(
                Value::String(Str::new(&name.name)),
                DataType::String,
                a.span,
            ));
            packed.push(self.scalar(a, scope)?);
        }
        match crate::functions::lookup_scalar("bag_pack") {
            Some(function) => Ok(ScalarExpr {
                kind: ScalarKind::Call {
                    function,
                    args: packed,
                },
                ty: DataType::Dynamic,
                span,
            }),
            None => Ok(ScalarExpr::literal(Value::Null, DataType::Dynamic, span)),
        }
    }

    /// `[T |] search [kind=case_sensitive] [in (T1, T2, ...)] predicate`.
    pub(super) fn search(
        &mut self,
        input: Option<LogicalPlan>,
        params: &[OpParam],
        tables: &[Expr],
        predicate: &Expr,
        _span: Span,
    ) -> Bound {
        let mut case_sensitive = false;
        for p in params {
            match (p.name.name.as_str(), name_value(&p.value).as_deref()) {
                ("kind", Some("case_sensitive")) => case_sensitive = true,
                ("kind", Some("case_insensitive" | "default")) => {}
                (n, _) if n.starts_with("hint.") => {}
                _ => {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        p.span,
                        "'search' takes kind=case_sensitive|case_insensitive|default",
                    )));
                }
            }
        }
        let legs = match input {
            Some(plan) => {
                let name = match &plan {
                    LogicalPlan::Scan(Scan { table, .. }) => table.clone(),
                    _ => String::new(),
                };
                vec![(name, plan)]
            }
            None => self.legs_or_all(tables)?,
        };
        let predicate = search_terms(predicate, case_sensitive);
        let found = self.filter_legs(legs, &predicate, "search")?;
        let legs = found
            .into_iter()
            .map(|(name, _, plan)| (name, plan))
            .collect();
        Ok(union_plan(legs, false, Some("$table".to_string())))
    }

    /// `find [withsource=c] [in (T1, ...)] where predicate [project c1, c2,
    /// ..., pack_all()]`. Without `project`, the output has the columns the
    /// predicate names, the columns every table found has, and the others
    /// packed in a bag, `pack_` (project-smart).
    pub(super) fn find(
        &mut self,
        params: &[OpParam],
        tables: &[Expr],
        predicate: &Expr,
        project: Option<&[NamedExpr]>,
        span: Span,
    ) -> Bound {
        let mut source = "source_".to_string();
        for p in params {
            match p.name.name.as_str() {
                "withsource" | "with_source" => match name_value(&p.value) {
                    Some(n) => source = n,
                    None => {
                        return Err(one(BindError::new(
                            BindErrorKind::Invalid,
                            p.value.span,
                            "'find': withsource= expects a column name",
                        )));
                    }
                },
                n if n.starts_with("hint.") => {}
                other => {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        p.span,
                        format!("'find' has no parameter '{other}' (it takes withsource=)"),
                    )));
                }
            }
        }
        let legs = self.legs_or_all(tables)?;
        let found = self.filter_legs(legs, predicate, "find")?;
        if found.is_empty() {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                span,
                "'find': no table has a column the predicate names",
            )));
        }
        // The type of each column, from the first table that has it.
        let type_of = |name: &str| {
            found
                .iter()
                .find_map(|(_, original, _)| original.index_of(name).map(|i| original.fields[i].ty))
        };
        let mut projected = Vec::with_capacity(found.len());
        match project {
            Some(items) => {
                // The columns asked for, null where a table lacks one.
                let mut columns: Vec<(String, Option<DataType>)> = Vec::new();
                for item in items {
                    match &item.expr.kind {
                        ExprKind::Name { name } if item.names.is_empty() => {
                            let Some(ty) = type_of(&name.name) else {
                                return Err(one(BindError::new(
                                    BindErrorKind::UnknownName,
                                    name.span,
                                    format!(
                                        "'find' operator: Failed to resolve column named '{}'",
                                        name.name
                                    ),
                                )
                                .with_label("no table searched has this column")));
                            };
                            columns.push((name.name.clone(), Some(ty)));
                        }
                        ExprKind::Call { name, args }
                            if name.name == "pack_all" && args.is_empty() =>
                        {
                            columns.push(("pack_".to_string(), None));
                        }
                        _ => {
                            return Err(one(BindError::new(
                                BindErrorKind::Invalid,
                                item.span,
                                "'find ... project' lists column names (and pack_all())",
                            )));
                        }
                    }
                }
                // pack_all() packs the columns not listed, as the
                // documented example shows.
                let listed: Vec<String> = columns
                    .iter()
                    .filter(|(_, t)| t.is_some())
                    .map(|(n, _)| n.clone())
                    .collect();
                for (name, original, plan) in found {
                    let plan = project_leg(plan, &original, &columns, &listed, span);
                    projected.push((name, plan));
                }
            }
            None => {
                let mut names: Vec<String> = Vec::new();
                for n in column_names(predicate) {
                    if type_of(&n).is_some() && !names.contains(&n) {
                        names.push(n);
                    }
                }
                if let Some((_, first, _)) = found.first() {
                    for f in &first.fields {
                        let everywhere =
                            found.iter().all(|(_, s, _)| s.index_of(&f.name).is_some());
                        if everywhere && !names.contains(&f.name) {
                            names.push(f.name.clone());
                        }
                    }
                }
                let leftover = found
                    .iter()
                    .any(|(_, s, _)| s.fields.iter().any(|f| !names.contains(&f.name)));
                let mut columns: Vec<(String, Option<DataType>)> =
                    names.iter().map(|n| (n.clone(), type_of(n))).collect();
                if leftover {
                    columns.push(("pack_".to_string(), None));
                }
                for (name, original, plan) in found {
                    let plan = project_leg(plan, &original, &columns, &names, span);
                    projected.push((name, plan));
                }
            }
        }
        Ok(union_plan(projected, false, Some(source)))
    }

    /// The tables listed, or every registered table with data.
    fn legs_or_all(
        &mut self,
        tables: &[Expr],
    ) -> Result<Vec<(String, LogicalPlan)>, Vec<BindError>> {
        if !tables.is_empty() {
            return self.table_legs(tables, false);
        }
        let mut legs = Vec::new();
        for name in self.catalog.names() {
            let has_data = self
                .catalog
                .get(&name)
                .is_some_and(|t| !matches!(*t.data, TableData::Empty));
            if has_data {
                legs.push((name.clone(), self.table_by_name(&name, Span::default())?));
            }
        }
        Ok(legs)
    }

    /// Each table the predicate applies to, with its own columns and its
    /// rows that match. A table with none of the columns the predicate
    /// names is left out (unless the predicate reads every column, `*`);
    /// a column a table lacks is null there.
    fn filter_legs(
        &mut self,
        legs: Vec<(String, LogicalPlan)>,
        predicate: &Expr,
        operator: &str,
    ) -> Result<Vec<(String, Schema, LogicalPlan)>, Vec<BindError>> {
        let star = reads_every_column(predicate);
        // Names the predicate reads that are columns somewhere (a let name
        // that no table has as a column stays the let).
        let mut columns: Vec<(String, DataType)> = Vec::new();
        for n in column_names(predicate) {
            if columns.iter().any(|(c, _)| *c == n) {
                continue;
            }
            let ty = legs
                .iter()
                .find_map(|(_, p)| p.schema().index_of(&n).map(|i| p.schema().fields[i].ty));
            if let Some(ty) = ty {
                columns.push((n, ty));
            }
        }
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (name, plan) in legs {
            let original = plan.schema().clone();
            let present = columns
                .iter()
                .filter(|(c, _)| original.index_of(c).is_some())
                .count();
            if present == 0 && !columns.is_empty() && !star {
                continue;
            }
            // The columns it lacks, as nulls.
            let mut schema = original.clone();
            let mut exprs = identity_exprs(&original);
            for (c, ty) in &columns {
                if original.index_of(c).is_none()
                    && !matches!(self.lookup(c), Some(Binding::Scalar(_)))
                {
                    schema.fields.push(Field::new(c.clone(), *ty));
                    exprs.push(ScalarExpr::literal(
                        crate::value::cast::null_of(*ty),
                        *ty,
                        Span::default(),
                    ));
                }
            }
            let width = original.len();
            let widened = if schema.len() > width {
                LogicalPlan::Project(Project {
                    input: Box::new(plan),
                    exprs,
                    schema: schema.clone(),
                })
            } else {
                plan
            };
            let bound = self
                .scalar(predicate, &Scope::new(&schema, operator))
                .map_err(one)
                .and_then(|p| predicate_of(p, operator));
            match bound {
                Ok(p) => {
                    let filtered = LogicalPlan::Filter(Filter {
                        input: Box::new(widened),
                        predicate: p,
                    });
                    let plan = if schema.len() > width {
                        select_columns(filtered, &(0..width).collect::<Vec<_>>())
                    } else {
                        filtered
                    };
                    out.push((name, original, plan));
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// A table's rows projected onto `columns` (null where it lacks one;
/// `pack_` is a bag of its columns not in `exclude`).
fn project_leg(
    plan: LogicalPlan,
    original: &Schema,
    columns: &[(String, Option<DataType>)],
    exclude: &[String],
    span: Span,
) -> LogicalPlan {
    let mut exprs = Vec::with_capacity(columns.len());
    let mut fields = Vec::with_capacity(columns.len());
    for (name, ty) in columns {
        match ty {
            Some(ty) => {
                let e = match original.index_of(name) {
                    Some(i) => cast(ScalarExpr::column(i, original.fields[i].ty, span), *ty),
                    None => ScalarExpr::literal(crate::value::cast::null_of(*ty), *ty, span),
                };
                exprs.push(e);
                fields.push(Field::new(name.clone(), *ty));
            }
            None => {
                let packed: Vec<&str> = original
                    .names()
                    .filter(|n| !exclude.iter().any(|x| x == n))
                    .collect();
                let ignore = ScalarExpr::literal(Value::Bool(false), DataType::Bool, span);
                exprs.push(pack_columns(original, &packed, ignore, span));
                fields.push(Field::new(name.clone(), DataType::Dynamic));
            }
        }
    }
    LogicalPlan::Project(Project {
        input: Box::new(plan),
        exprs,
        schema: Schema::new(fields),
    })
}

/// A bag of the named columns of `schema` (see `functions::row`).
fn pack_columns(schema: &Schema, names: &[&str], ignore: ScalarExpr, span: Span) -> ScalarExpr {
    let mut args = vec![ignore];
    for n in names {
        if let Some(i) = schema.index_of(n) {
            args.push(ScalarExpr::literal(
                Value::String(Str::new(n)),
                DataType::String,
                span,
            ));
            args.push(ScalarExpr::column(i, schema.fields[i].ty, span));
        }
    }
    match crate::functions::lookup_scalar("__pack_all") {
        Some(function) => ScalarExpr {
            kind: ScalarKind::Call { function, args },
            ty: DataType::Dynamic,
            span,
        },
        None => ScalarExpr::literal(Value::Null, DataType::Dynamic, span),
    }
}

/// The names an expression reads (columns or `let` names), in order.
fn column_names(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Name { name } => out.push(name.name.clone()),
            ExprKind::Paren { expr } | ExprKind::Unary { operand: expr, .. } => stack.push(expr),
            ExprKind::Binary { left, right, .. } => {
                stack.push(right);
                stack.push(left);
            }
            ExprKind::List { left, items, .. } => {
                stack.extend(items.iter().rev());
                stack.push(left);
            }
            ExprKind::Between {
                expr, low, high, ..
            } => {
                stack.push(high);
                stack.push(low);
                stack.push(expr);
            }
            ExprKind::Call { args, .. } => stack.extend(args.iter().rev()),
            ExprKind::NamedArg { value, .. } => stack.push(value),
            ExprKind::Member { target, .. } => stack.push(target),
            ExprKind::Index { target, index } => {
                stack.push(index);
                stack.push(target);
            }
            _ => {}
        }
    }
    out
}

/// Whether the predicate reads every column (`* has "x"`).
fn reads_every_column(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Star => true,
        ExprKind::Paren { expr } => reads_every_column(expr),
        ExprKind::Binary { left, right, .. } => {
            reads_every_column(left) || reads_every_column(right)
        }
        ExprKind::Call { args, .. } => args.iter().any(reads_every_column),
        _ => false,
    }
}

/// `search` terms as predicates: a string literal where a predicate stands
/// is `* has "x"` (`"x*"` hasprefix, `"*x"` hassuffix, `"*x*"` contains,
/// `"a*b"` a regex `\ba.*b\b`); `search *` is true. Case-insensitive unless
/// `kind=case_sensitive`.
fn search_terms(e: &Expr, case_sensitive: bool) -> Expr {
    let span = e.span;
    let kind = match &e.kind {
        ExprKind::Literal {
            value: Literal::String(s),
        } => return term(s, case_sensitive, span),
        ExprKind::Star => ExprKind::Literal {
            value: Literal::Bool(true),
        },
        ExprKind::Paren { expr } => ExprKind::Paren {
            expr: Box::new(search_terms(expr, case_sensitive)),
        },
        ExprKind::Binary {
            op: op @ (BinaryOp::And | BinaryOp::Or),
            left,
            right,
        } => ExprKind::Binary {
            op: *op,
            left: Box::new(search_terms(left, case_sensitive)),
            right: Box::new(search_terms(right, case_sensitive)),
        },
        ExprKind::Call { name, args } if name.name == "not" => ExprKind::Call {
            name: name.clone(),
            args: args
                .iter()
                .map(|a| search_terms(a, case_sensitive))
                .collect(),
        },
        other => other.clone(),
    };
    Expr { kind, span }
}

fn term(text: &str, case_sensitive: bool, span: Span) -> Expr {
    let (kind, needle) = match (text.strip_prefix('*'), text.strip_suffix('*')) {
        _ if !text.contains('*') => (StringOpKind::Has, text.to_string()),
        (Some(rest), _) if rest.ends_with('*') && !rest.is_empty() => {
            (StringOpKind::Contains, rest[..rest.len() - 1].to_string())
        }
        (Some(rest), _) if !rest.contains('*') => (StringOpKind::HasSuffix, rest.to_string()),
        (None, Some(rest)) if !rest.contains('*') => (StringOpKind::HasPrefix, rest.to_string()),
        _ => {
            let parts: Vec<String> = text.split('*').map(regex::escape).collect();
            let flags = if case_sensitive { "" } else { "(?i)" };
            (
                StringOpKind::MatchesRegex,
                format!(r"{flags}\b{}\b", parts.join(".*")),
            )
        }
    };
    Expr {
        kind: ExprKind::Binary {
            op: BinaryOp::Str(StringOp {
                kind,
                negated: false,
                case_sensitive: case_sensitive || kind == StringOpKind::MatchesRegex,
            }),
            left: Box::new(Expr {
                kind: ExprKind::Star,
                span,
            }),
            right: Box::new(Expr {
                kind: ExprKind::Literal {
                    value: Literal::String(needle),
                },
                span,
            }),
        },
        span,
    }
}

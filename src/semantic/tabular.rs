//! Tabular expressions: sources and the operators after `|`.

use super::bind::{Argument, Binder, Binding, materialize};
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::{AggregateCollector, Scope, cast};
use super::suggest::did_you_mean;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{JoinKind, LogicalPlan, MvExpandColumn, SortKey};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{
    self, Expr, ExprKind, Literal, NamePattern, NamedExpr, NullsOrder, OpParam, Operator,
    OperatorKind, SortOrder,
};
use crate::types::DataType;
use crate::value::{Str, Value};
use std::cell::RefCell;
use std::sync::Arc;

type Bound = Result<LogicalPlan, Vec<BindError>>;

fn one(e: BindError) -> Vec<BindError> {
    vec![e]
}

impl Binder<'_> {
    /// Binds an expression that must be a table.
    pub(super) fn tabular(&mut self, expr: &Expr) -> Bound {
        match &expr.kind {
            ExprKind::Pipe { input, operator } => {
                let input = self.tabular(input)?;
                self.operator(input, operator)
            }
            ExprKind::Source { operator } => self.source(operator),
            ExprKind::Paren { expr } => self.tabular(expr),
            ExprKind::Name { name } => self.table_by_name(&name.name, name.span),
            ExprKind::Call { name, args } => self.tabular_call(&name.name, args, expr.span),
            _ => Err(one(BindError::new(
                BindErrorKind::Type,
                expr.span,
                "expected a tabular expression (a table, a let-bound table or a pipeline)",
            ))),
        }
    }

    fn table_by_name(&mut self, name: &str, span: Span) -> Bound {
        match self.lookup(name) {
            Some(Binding::Tabular(plan)) => return Ok(plan.clone()),
            Some(Binding::Failed) => return Err(one(super::scalar::follows_earlier_error(name, span))),
            Some(Binding::Scalar(_)) => {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    span,
                    format!("'{name}' is a scalar value, not a table"),
                )));
            }
            Some(Binding::Function(f)) => {
                let f = f.clone();
                return self.function_table(&f, Vec::new(), span);
            }
            None => {}
        }
        let Some(table) = self.catalog.get(name) else {
            let names = self.catalog.names();
            let mut candidates: Vec<&str> = names.iter().map(String::as_str).collect();
            candidates.extend(self.let_names());
            return Err(one(BindError::new(
                BindErrorKind::UnknownTable,
                span,
                format!("Failed to resolve table or column expression named '{name}'"),
            )
            .with_label("no table or let name is called this")
            .with_help(did_you_mean(name, candidates).or_else(|| {
                Some(format!(
                    "give the table's files with --table {name}=PATH (a file, directory, glob, or - for stdin)"
                ))
            }))));
        };
        let columns: Vec<usize> = (0..table.schema.len()).collect();
        Ok(LogicalPlan::Scan {
            table: table.name,
            table_schema: table.schema.clone(),
            data: table.data,
            columns,
            schema: table.schema,
        })
    }

    fn function_table(
        &mut self,
        f: &super::bind::FunctionDef,
        args: Vec<Argument>,
        span: Span,
    ) -> Bound {
        match self.call_function(f, args, span).map_err(one)? {
            Binding::Tabular(plan) => Ok(plan),
            _ => Err(one(BindError::new(
                BindErrorKind::Type,
                span,
                format!("the function '{}' returns a scalar, not a table", f.name),
            ))),
        }
    }

    fn tabular_call(&mut self, name: &str, args: &[Expr], span: Span) -> Bound {
        if let Some(Binding::Function(f)) = self.lookup(name) {
            let f = f.clone();
            let empty = Schema::default();
            let bound = self.call_arguments(args, &Scope::new(&empty, name)).map_err(one)?;
            return self.function_table(&f, bound, span);
        }
        match (name, args) {
            ("materialize", [inner]) => {
                let plan = self.tabular(inner)?;
                let id = self.next_materialized();
                Ok(materialize(id, plan))
            }
            ("table", [arg, ..]) => {
                let value = self.constant_scalar(arg).map_err(one)?;
                match value.as_literal() {
                    Some(Value::String(s)) => self.table_by_name(&s.to_string(), span),
                    _ => Err(one(BindError::new(
                        BindErrorKind::Type,
                        arg.span,
                        "table() expects a constant table name",
                    ))),
                }
            }
            _ => Err(one(BindError::new(
                BindErrorKind::UnknownFunction,
                span,
                format!("The function '{name}' is not defined."),
            ))),
        }
    }

    fn source(&mut self, operator: &Operator) -> Bound {
        let span = operator.span;
        match &operator.kind {
            OperatorKind::Print { columns } => {
                let unit = LogicalPlan::Values {
                    schema: Schema::default(),
                    rows: Arc::new(vec![vec![]]),
                };
                self.project(unit, columns, "print", true)
            }
            OperatorKind::Range {
                column,
                from,
                to,
                step,
            } => self.range(&column.name, from, to, step, span),
            OperatorKind::DataTable { columns, values } => self.datatable(columns, values, span),
            OperatorKind::Union { params, tables } => self.union(None, params, tables, span),
            _ => Err(one(not_supported(operator))),
        }
    }

    fn operator(&mut self, input: LogicalPlan, operator: &Operator) -> Bound {
        let span = operator.span;
        match &operator.kind {
            OperatorKind::Where { predicate, .. } => {
                let scope = Scope::new(input.schema(), "where");
                let predicate = self.scalar(predicate, &scope).map_err(one)?;
                let predicate = predicate_of(predicate, "where")?;
                Ok(LogicalPlan::Filter {
                    input: Box::new(input),
                    predicate,
                })
            }
            OperatorKind::Extend { columns } => self.extend(input, columns, "extend"),
            OperatorKind::Project { columns } => self.project(input, columns, "project", false),
            OperatorKind::ProjectAway { columns } => {
                let schema = input.schema().clone();
                let removed = match_patterns(&schema, columns, "project-away")?;
                let keep: Vec<usize> = (0..schema.len()).filter(|i| !removed.contains(i)).collect();
                Ok(select_columns(input, &keep))
            }
            OperatorKind::ProjectKeep { columns } => {
                let schema = input.schema().clone();
                let kept = match_patterns(&schema, columns, "project-keep")?;
                let keep: Vec<usize> = (0..schema.len()).filter(|i| kept.contains(i)).collect();
                Ok(select_columns(input, &keep))
            }
            OperatorKind::ProjectRename { renames } => self.project_rename(input, renames),
            OperatorKind::ProjectReorder { columns } => {
                let schema = input.schema().clone();
                let mut order = Vec::new();
                for item in columns {
                    let mut hits = match_patterns(&schema, std::slice::from_ref(&item.pattern), "project-reorder")?;
                    // `asc`/`desc` sort a wildcard's matches by name;
                    // `granny-` compares digit runs as numbers (a2 < a10).
                    let name = |i: &usize| schema.fields[*i].name.as_str();
                    match item.order.as_ref().map(|o| o.name.as_str()) {
                        Some("asc") => hits.sort_by(|a, b| name(a).cmp(name(b))),
                        Some("desc") => hits.sort_by(|a, b| name(b).cmp(name(a))),
                        Some("granny-asc") => hits.sort_by(|a, b| natural_cmp(name(a), name(b))),
                        Some("granny-desc") => hits.sort_by(|a, b| natural_cmp(name(b), name(a))),
                        _ => {}
                    }
                    for i in hits {
                        if !order.contains(&i) {
                            order.push(i);
                        }
                    }
                }
                let rest: Vec<usize> = (0..schema.len()).filter(|i| !order.contains(i)).collect();
                order.extend(rest);
                Ok(select_columns(input, &order))
            }
            OperatorKind::Take { count, .. } => {
                let count = self.constant_count(count, "take")?;
                Ok(LogicalPlan::Limit {
                    input: Box::new(input),
                    count,
                })
            }
            OperatorKind::Count => {
                let count = crate::functions::lookup_aggregate("count")
                    .ok_or_else(|| one(internal(span)))?;
                Ok(LogicalPlan::Aggregate {
                    input: Box::new(input),
                    group_by: vec![],
                    aggregates: vec![crate::plan::expr::AggregateExpr {
                        function: count,
                        args: vec![],
                        ty: DataType::Long,
                        span,
                    }],
                    schema: Schema::new(vec![Field::new("Count", DataType::Long)]),
                })
            }
            OperatorKind::Sort { keys, .. } => {
                let keys = self.sort_keys(&input, keys, "sort")?;
                Ok(LogicalPlan::Sort {
                    input: Box::new(input),
                    keys,
                })
            }
            OperatorKind::Top { count, key, .. } => {
                let count = self.constant_count(count, "top")?;
                let keys = self.sort_keys(&input, std::slice::from_ref(key), "top")?;
                Ok(LogicalPlan::TopN {
                    input: Box::new(input),
                    keys,
                    count,
                })
            }
            OperatorKind::Distinct { columns, .. } => self.distinct(input, columns),
            OperatorKind::Summarize { aggregates, by, .. } => {
                self.summarize(input, aggregates, by, span)
            }
            OperatorKind::Union { params, tables } => self.union(Some(input), params, tables, span),
            OperatorKind::Join {
                params,
                right,
                on,
                predicate,
            } => {
                if let Some(p) = predicate {
                    return Err(one(BindError::new(
                        BindErrorKind::NotSupported,
                        p.span,
                        "join ... where (a non-equality join condition) is not supported yet",
                    )));
                }
                let kind = join_kind(params, false)?;
                self.join(input, right, on, kind, span)
            }
            OperatorKind::Lookup { params, right, on } => {
                let kind = join_kind(params, true)?;
                self.join(input, right, on, kind, span)
            }
            OperatorKind::MvExpand {
                params,
                items,
                limit,
            } => self.mv_expand(input, params, items, limit.as_ref()),
            OperatorKind::Parse {
                params,
                source,
                pattern,
            } => self.parse(input, params, source, pattern, false, span),
            OperatorKind::ParseWhere {
                params,
                source,
                pattern,
            } => self.parse(input, params, source, pattern, true, span),
            OperatorKind::Serialize { columns } => {
                if columns.is_empty() {
                    Ok(input)
                } else {
                    self.extend(input, columns, "serialize")
                }
            }
            // Rendering is the client's business: the rows are the answer.
            OperatorKind::Render { .. } => Ok(input),
            OperatorKind::As { name, .. } => {
                self.define(&name.name, Binding::Tabular(input.clone()));
                Ok(input)
            }
            OperatorKind::GetSchema => Ok(getschema(input.schema())),
            OperatorKind::Invoke { function } => {
                let ExprKind::Call { name, args } = &function.kind else {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        function.span,
                        "invoke expects a function call",
                    )));
                };
                let Some(Binding::Function(f)) = self.lookup(&name.name) else {
                    return Err(one(BindError::new(
                        BindErrorKind::UnknownFunction,
                        name.span,
                        format!("The function '{}' is not defined.", name.name),
                    )));
                };
                let f = f.clone();
                let empty = Schema::default();
                let mut bound = vec![Argument {
                    name: None,
                    binding: Binding::Tabular(input),
                    span: function.span,
                }];
                bound.extend(self.call_arguments(args, &Scope::new(&empty, "invoke")).map_err(one)?);
                self.function_table(&f, bound, function.span)
            }
            _ => Err(one(not_supported(operator))),
        }
    }

    /// `extend`: later items see the columns earlier items made; a name
    /// that exists is replaced in place (KQL-SEMANTICS §0.2).
    fn extend(&mut self, input: LogicalPlan, columns: &[NamedExpr], operator: &str) -> Bound {
        let mut schema = input.schema().clone();
        let mut exprs: Vec<ScalarExpr> = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| ScalarExpr::column(i, f.ty, Span::default()))
            .collect();
        let mut errors = Vec::new();
        for item in columns {
            let bound = match self.scalar(&item.expr, &Scope::new(&schema, operator)) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            // Rewrite references to columns made earlier in this operator.
            let bound = substitute(bound, &exprs);
            let name = match item.names.as_slice() {
                [] => implied_name(&item.expr)
                    .unwrap_or_else(|| generic_name(&|n| schema.index_of(n).is_some())),
                [one_name] => one_name.name.clone(),
                _ => {
                    errors.push(BindError::new(
                        BindErrorKind::NotSupported,
                        item.span,
                        "assigning several columns at once (`(a, b) = ...`) is not supported yet",
                    ));
                    continue;
                }
            };
            let field = Field::new(name.clone(), bound.ty);
            match schema.index_of(&name) {
                Some(i) => {
                    schema.fields[i] = field;
                    exprs[i] = bound;
                }
                None => {
                    schema.fields.push(field);
                    exprs.push(bound);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LogicalPlan::Project {
            input: Box::new(input),
            exprs,
            schema,
        })
    }

    /// `project` (and `print`, whose unnamed columns are `print_<i>`).
    fn project(
        &mut self,
        input: LogicalPlan,
        columns: &[NamedExpr],
        operator: &str,
        print: bool,
    ) -> Bound {
        let in_schema = input.schema().clone();
        let mut schema = Schema::default();
        let mut exprs = Vec::new();
        let mut errors = Vec::new();
        for (position, item) in columns.iter().enumerate() {
            let bound = match self.scalar(&item.expr, &Scope::new(&in_schema, operator)) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let (name, explicit) = match item.names.as_slice() {
                [] => {
                    let taken = |n: &str| schema.index_of(n).is_some();
                    let name = match implied_name(&item.expr) {
                        Some(n) => unique_name(&n, &taken),
                        None if print => format!("print_{position}"),
                        None => generic_name(&taken),
                    };
                    (name, false)
                }
                [n] => (n.name.clone(), true),
                _ => {
                    errors.push(BindError::new(
                        BindErrorKind::NotSupported,
                        item.span,
                        "assigning several columns at once (`(a, b) = ...`) is not supported yet",
                    ));
                    continue;
                }
            };
            if explicit && schema.index_of(&name).is_some() {
                errors.push(BindError::new(
                    BindErrorKind::DuplicateColumn,
                    item.span,
                    format!("A column with the name '{name}' is already declared."),
                ));
                continue;
            }
            let name = unique_name(&name, &|n| schema.index_of(n).is_some());
            schema.fields.push(Field::new(name, bound.ty));
            exprs.push(bound);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LogicalPlan::Project {
            input: Box::new(input),
            exprs,
            schema,
        })
    }

    fn project_rename(&mut self, input: LogicalPlan, renames: &[ast::Rename]) -> Bound {
        let mut schema = input.schema().clone();
        let mut errors = Vec::new();
        for r in renames {
            match input.schema().index_of(&r.old.name) {
                Some(i) => schema.fields[i].name = r.new.name.clone(),
                None => errors.push(unknown_column(
                    &r.old.name,
                    r.old.span,
                    input.schema(),
                    "project-rename",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let exprs = identity_exprs(input.schema());
        Ok(LogicalPlan::Project {
            input: Box::new(input),
            exprs,
            schema,
        })
    }

    fn constant_count(&mut self, expr: &Expr, operator: &str) -> Result<u64, Vec<BindError>> {
        let bound = self.constant_scalar(expr).map_err(one)?;
        let value = crate::exec::eval::eval_constant(&bound, &self.ctx);
        match value.as_ref().and_then(Value::as_i64) {
            Some(n) if n >= 0 => Ok(n as u64),
            _ => Err(one(BindError::new(
                BindErrorKind::Invalid,
                expr.span,
                format!("'{operator}' expects a constant, non-negative row count"),
            ))),
        }
    }

    fn sort_keys(
        &mut self,
        input: &LogicalPlan,
        keys: &[ast::SortKey],
        operator: &str,
    ) -> Result<Vec<SortKey>, Vec<BindError>> {
        let scope = Scope::new(input.schema(), operator);
        let mut out = Vec::with_capacity(keys.len());
        let mut errors = Vec::new();
        for k in keys {
            match self.scalar(&k.expr, &scope) {
                Ok(expr) => {
                    // `desc` is the default; `asc` puts nulls first, `desc` last.
                    let descending = k.order != Some(SortOrder::Asc);
                    let nulls_first = match k.nulls {
                        Some(NullsOrder::First) => true,
                        Some(NullsOrder::Last) => false,
                        None => !descending,
                    };
                    out.push(SortKey {
                        expr,
                        descending,
                        nulls_first,
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    fn distinct(&mut self, input: LogicalPlan, columns: &[NamedExpr]) -> Bound {
        if matches!(columns, [c] if matches!(c.expr.kind, ExprKind::Star)) {
            let group_by = identity_exprs(input.schema());
            let schema = input.schema().clone();
            return Ok(LogicalPlan::Aggregate {
                input: Box::new(input),
                group_by,
                aggregates: vec![],
                schema,
            });
        }
        self.summarize(input, &[], columns, Span::default())
    }

    /// `summarize aggs by keys`: group columns first, then one column per
    /// aggregate; an item like `tostring(make_set(x))` becomes an aggregate
    /// followed by a projection.
    fn summarize(
        &mut self,
        input: LogicalPlan,
        aggregates: &[NamedExpr],
        by: &[NamedExpr],
        _span: Span,
    ) -> Bound {
        let in_schema = input.schema().clone();
        let mut errors = Vec::new();
        let mut group_by = Vec::new();
        let mut group_fields: Vec<Field> = Vec::new();
        for item in by {
            let bound = match self.scalar(&item.expr, &Scope::new(&in_schema, "summarize")) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let taken = |n: &str| group_fields.iter().any(|f| f.name == n);
            let name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => match implied_name(&item.expr) {
                    Some(n) => unique_name(&n, &taken),
                    None => generic_name(&taken),
                },
            };
            group_fields.push(Field::new(name, bound.ty));
            group_by.push(bound);
        }
        let collector = RefCell::new(AggregateCollector {
            group_names: group_fields
                .iter()
                .map(|f| (f.name.clone(), f.ty))
                .collect(),
            aggregates: Vec::new(),
        });
        // Each item: its expression over the aggregate output, and its name.
        let mut items: Vec<(ScalarExpr, String)> = Vec::new();
        for item in aggregates {
            if let Some(expanded) =
                self.arg_extreme_star(item, &in_schema, &group_fields, &collector)
            {
                match expanded {
                    Ok(mut cols) => items.append(&mut cols),
                    Err(e) => errors.push(e),
                }
                continue;
            }
            let scope = Scope {
                row: &in_schema,
                operator: "summarize",
                aggregates: Some(&collector),
            };
            let bound = match self.scalar(&item.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => implied_name(&item.expr).unwrap_or_default(),
            };
            items.push((bound, name));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let collector = collector.into_inner();
        let group_count = group_fields.len();
        let mut agg_fields = group_fields.clone();
        for (i, a) in collector.aggregates.iter().enumerate() {
            agg_fields.push(Field::new(format!("__agg{i}"), a.ty));
        }
        let aggregate_plan = LogicalPlan::Aggregate {
            input: Box::new(input),
            group_by,
            aggregates: collector.aggregates,
            schema: Schema::new(agg_fields.clone()),
        };
        // Name the outputs: group columns keep theirs; unnamed items get
        // generated names, made unique.
        let mut schema = Schema::new(group_fields);
        let mut exprs: Vec<ScalarExpr> = (0..group_count)
            .map(|i| ScalarExpr::column(i, agg_fields[i].ty, Span::default()))
            .collect();
        for (expr, name) in items {
            let taken = |n: &str| schema.index_of(n).is_some();
            let name = if name.is_empty() {
                generic_name(&taken)
            } else {
                unique_name(&name, &taken)
            };
            schema.fields.push(Field::new(name, expr.ty));
            exprs.push(expr);
        }
        Ok(LogicalPlan::Project {
            input: Box::new(aggregate_plan),
            exprs,
            schema,
        })
    }

    /// `arg_max(key, *)` / `arg_min(key, a, b)`: one aggregate per returned
    /// column, all choosing the same row. Returns `None` for other items.
    fn arg_extreme_star(
        &mut self,
        item: &NamedExpr,
        in_schema: &Schema,
        group_fields: &[Field],
        collector: &RefCell<AggregateCollector>,
    ) -> Option<Result<Vec<(ScalarExpr, String)>, BindError>> {
        let ExprKind::Call { name, args } = &item.expr.kind else {
            return None;
        };
        let function = crate::functions::lookup_aggregate(&name.name)?;
        if !matches!(
            function.kind,
            crate::functions::aggregate::AggregateKind::ArgMax
                | crate::functions::aggregate::AggregateKind::ArgMin
        ) {
            return None;
        }
        Some((|| {
            let scope = Scope::new(in_schema, "summarize");
            let key_expr = args
                .first()
                .ok_or_else(|| super::scalar::arity_error(&name.name, 1, usize::MAX, item.span))?;
            let key = self.scalar(key_expr, &scope)?;
            let key_name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => implied_name(key_expr).unwrap_or_else(|| function.prefix.to_string()),
            };
            let mut returned: Vec<(ScalarExpr, String)> = vec![(key.clone(), key_name.clone())];
            for a in &args[1..] {
                if matches!(a.kind, ExprKind::Star) {
                    for (i, f) in in_schema.fields.iter().enumerate() {
                        let is_group = group_fields.iter().any(|g| g.name == f.name);
                        if !is_group && f.name != key_name {
                            returned.push((ScalarExpr::column(i, f.ty, a.span), f.name.clone()));
                        }
                    }
                } else {
                    let value = self.scalar(a, &scope)?;
                    let name = implied_name(a).unwrap_or_else(|| {
                        format!("{}_{}_arg{}", function.prefix, key_name, returned.len())
                    });
                    returned.push((value, name));
                }
            }
            let mut c = collector.borrow_mut();
            let mut out = Vec::with_capacity(returned.len());
            for (value, name) in returned {
                let index = c.group_names.len() + c.aggregates.len();
                let ty = value.ty;
                c.aggregates.push(crate::plan::expr::AggregateExpr {
                    function,
                    args: vec![key.clone(), value],
                    ty,
                    span: item.span,
                });
                out.push((ScalarExpr::column(index, ty, item.span), name));
            }
            Ok(out)
        })())
    }

    /// `parse` / `parse-where`: one regex built from the pattern extracts
    /// every column at once (see `parse_pattern`); `parse-where` keeps only
    /// the rows that matched.
    fn parse(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        source: &Expr,
        pattern: &[ast::ParsePart],
        keep_matches_only: bool,
        span: Span,
    ) -> Bound {
        use super::parse_pattern::{ParseKind, pattern_regex};
        let operator = if keep_matches_only { "parse-where" } else { "parse" };
        let kind = match params.iter().find(|p| p.name.name == "kind") {
            Some(p) => {
                let name = name_value(&p.value).unwrap_or_default();
                ParseKind::from_name(&name).ok_or_else(|| {
                    one(BindError::new(
                        BindErrorKind::Invalid,
                        p.value.span,
                        format!("'{name}' is not a kind of {operator} (simple, regex or relaxed)"),
                    ))
                })?
            }
            None => ParseKind::Simple,
        };
        let flags = params
            .iter()
            .find(|p| p.name.name == "flags")
            .and_then(|p| name_value(&p.value))
            .unwrap_or_default();
        let mut columns: Vec<Field> = Vec::new();
        for part in pattern {
            if let ast::ParsePart::Column { name, ty, .. } = part {
                let ty = match ty {
                    Some(t) => DataType::from_name(&t.name).ok_or_else(|| {
                        one(BindError::new(BindErrorKind::Type, t.span, format!("'{}' is not a scalar type", t.name)))
                    })?,
                    None => DataType::String,
                };
                columns.push(Field::new(name.name.clone(), ty));
            }
        }
        let types: Vec<DataType> = columns.iter().map(|c| c.ty).collect();
        let regex = pattern_regex(pattern, kind, &flags, &types);
        if let Err(e) = regex::Regex::new(&regex) {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!("the {operator} pattern is not a valid regular expression: {e}"),
            )));
        }
        let in_schema = input.schema().clone();
        let source = self.scalar(source, &Scope::new(&in_schema, operator)).map_err(one)?;
        let fields_fn = crate::functions::lookup_scalar("__parse_fields").ok_or_else(|| one(internal(span)))?;
        let type_list = types.iter().map(|t| t.name()).collect::<Vec<_>>().join(",");
        let literal = |v: Value, ty| ScalarExpr::literal(v, ty, span);
        let captures = ScalarExpr {
            kind: ScalarKind::Call {
                function: fields_fn,
                args: vec![
                    literal(Value::String(Str::new(&regex)), DataType::String),
                    literal(Value::String(Str::new(&type_list)), DataType::String),
                    literal(Value::Bool(kind == ParseKind::Relaxed), DataType::Bool),
                    cast(source, DataType::String),
                ],
            },
            ty: DataType::Dynamic,
            span,
        };
        // Step 1: the captures as a hidden column after the input's.
        let hidden = in_schema.len();
        let mut with_captures = in_schema.clone();
        with_captures.fields.push(Field::new(" parse", DataType::Dynamic));
        let mut exprs = identity_exprs(&in_schema);
        exprs.push(captures);
        let mut plan = LogicalPlan::Project {
            input: Box::new(input),
            exprs,
            schema: with_captures.clone(),
        };
        if keep_matches_only {
            let matched = crate::functions::lookup_scalar("isnotnull").ok_or_else(|| one(internal(span)))?;
            plan = LogicalPlan::Filter {
                input: Box::new(plan),
                predicate: ScalarExpr {
                    kind: ScalarKind::Call {
                        function: matched,
                        args: vec![ScalarExpr::column(hidden, DataType::Dynamic, span)],
                    },
                    ty: DataType::Bool,
                    span,
                },
            };
        }
        // Step 2: each column from its capture; an existing name is replaced.
        let mut schema = in_schema.clone();
        let mut exprs = identity_exprs(&in_schema);
        for (i, c) in columns.iter().enumerate() {
            let element = ScalarExpr {
                kind: ScalarKind::Index {
                    target: Box::new(ScalarExpr::column(hidden, DataType::Dynamic, span)),
                    index: Box::new(literal(Value::Long(i as i64), DataType::Long)),
                },
                ty: DataType::Dynamic,
                span,
            };
            let value = cast(element, c.ty);
            match schema.index_of(&c.name) {
                Some(at) => {
                    schema.fields[at] = c.clone();
                    exprs[at] = value;
                }
                None => {
                    schema.fields.push(c.clone());
                    exprs.push(value);
                }
            }
        }
        Ok(LogicalPlan::Project {
            input: Box::new(plan),
            exprs,
            schema,
        })
    }

    fn range(&mut self, column: &str, from: &Expr, to: &Expr, step: &Expr, span: Span) -> Bound {
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
        Ok(LogicalPlan::Range {
            schema: Schema::new(vec![Field::new(column, ty)]),
            start: cast(from, ty),
            stop: cast(to, ty),
            step,
        })
    }

    fn datatable(&mut self, columns: &[ast::ColumnDecl], values: &[Expr], span: Span) -> Bound {
        let mut fields = Vec::with_capacity(columns.len());
        for c in columns {
            let ty = DataType::from_name(&c.ty.name).ok_or_else(|| {
                one(BindError::new(
                    BindErrorKind::Type,
                    c.ty.span,
                    format!("'{}' is not a scalar type", c.ty.name),
                ))
            })?;
            fields.push(Field::new(c.name.name.clone(), ty));
        }
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
                    Ok(e) => match crate::exec::eval::eval_constant(&e, &self.ctx) {
                        Some(value) => row.push(crate::exec::eval::normalize(value, f.ty)),
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
        Ok(LogicalPlan::Values {
            schema: Schema::new(fields),
            rows: Arc::new(rows),
        })
    }

    /// `union` as a source or after a pipe: columns by name (outer union),
    /// a name with different types in different legs becomes `name_type`.
    fn union(
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
                _ => String::new(),
            };
            match self.tabular(t) {
                Ok(p) => legs.push((leg_name, p)),
                Err(e) => {
                    // `isfuzzy=true` tolerates tables that do not exist.
                    let missing = e.iter().all(|e| e.kind == BindErrorKind::UnknownTable);
                    if !(fuzzy && missing) {
                        errors.extend(e);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if legs.is_empty() {
            return Err(one(BindError::new(
                BindErrorKind::UnknownTable,
                span,
                "union has no table that exists",
            )));
        }
        Ok(union_plan(legs, inner, source_column))
    }

    fn join(
        &mut self,
        left: LogicalPlan,
        right: &Expr,
        on: &[Expr],
        kind: JoinKind,
        span: Span,
    ) -> Bound {
        let right = self.tabular(right)?;
        let lschema = left.schema().clone();
        let rschema = right.schema().clone();
        let mut keys = Vec::new();
        let mut errors = Vec::new();
        for cond in on {
            collect_join_keys(cond, &lschema, &rschema, &mut keys, &mut errors);
        }
        if keys.is_empty() && errors.is_empty() {
            errors.push(BindError::new(
                BindErrorKind::Invalid,
                span,
                "join needs at least one key in its `on` clause",
            ));
        }
        for &(l, r) in &keys {
            let (lt, rt) = (lschema.fields[l].ty, rschema.fields[r].ty);
            // Kusto rejects dynamic join keys; kqlite accepts them and matches
            // them by value (a dynamic string equals the same string), which
            // gives the answer a tostring() on both sides would.
            if crate::functions::unify(lt, rt).is_none() {
                errors.push(BindError::new(
                    BindErrorKind::Type,
                    span,
                    format!(
                        "join keys '{}' ({lt}) and '{}' ({rt}) have different types",
                        lschema.fields[l].name, rschema.fields[r].name
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let schema = join_schema(kind, &lschema, &rschema, &keys);
        Ok(LogicalPlan::Join {
            left: Box::new(left),
            right: Box::new(right),
            kind,
            keys,
            schema,
        })
    }

    fn mv_expand(
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
            let to_type = match &item.to_type {
                Some(t) => match DataType::from_name(&t.name) {
                    Some(ty) => ty,
                    None => {
                        errors.push(BindError::new(
                            BindErrorKind::Type,
                            t.span,
                            format!("'{}' is not a scalar type", t.name),
                        ));
                        continue;
                    }
                },
                None => DataType::Dynamic,
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
        Ok(LogicalPlan::MvExpand {
            input: Box::new(extended),
            columns,
            item_index: item_index.is_some(),
            limit,
            schema: out,
        })
    }
}

fn internal(span: Span) -> BindError {
    BindError::new(
        BindErrorKind::Invalid,
        span,
        "internal error: a built-in function is missing",
    )
}

/// The name of an operator as written, for "not supported" messages.
fn operator_name(kind: &OperatorKind) -> &'static str {
    match kind {
        OperatorKind::Where { .. } => "where",
        OperatorKind::Extend { .. } => "extend",
        OperatorKind::Project { .. } => "project",
        OperatorKind::ProjectAway { .. } => "project-away",
        OperatorKind::ProjectKeep { .. } => "project-keep",
        OperatorKind::ProjectRename { .. } => "project-rename",
        OperatorKind::ProjectReorder { .. } => "project-reorder",
        OperatorKind::Take { .. } => "take",
        OperatorKind::Count => "count",
        OperatorKind::Sort { .. } => "sort",
        OperatorKind::Top { .. } => "top",
        OperatorKind::TopNested { .. } => "top-nested",
        OperatorKind::TopHitters { .. } => "top-hitters",
        OperatorKind::Distinct { .. } => "distinct",
        OperatorKind::Summarize { .. } => "summarize",
        OperatorKind::Join { .. } => "join",
        OperatorKind::Lookup { .. } => "lookup",
        OperatorKind::Union { .. } => "union",
        OperatorKind::MvExpand { .. } => "mv-expand",
        OperatorKind::MvApply { .. } => "mv-apply",
        OperatorKind::Parse { .. } => "parse",
        OperatorKind::ParseWhere { .. } => "parse-where",
        OperatorKind::ParseKv { .. } => "parse-kv",
        OperatorKind::MakeSeries { .. } => "make-series",
        OperatorKind::Evaluate { .. } => "evaluate",
        OperatorKind::As { .. } => "as",
        OperatorKind::Invoke { .. } => "invoke",
        OperatorKind::Render { .. } => "render",
        OperatorKind::Search { .. } => "search",
        OperatorKind::Find { .. } => "find",
        OperatorKind::GetSchema => "getschema",
        OperatorKind::Serialize { .. } => "serialize",
        OperatorKind::Sample { .. } => "sample",
        OperatorKind::SampleDistinct { .. } => "sample-distinct",
        OperatorKind::Fork { .. } => "fork",
        OperatorKind::Facet { .. } => "facet",
        OperatorKind::Partition { .. } => "partition",
        OperatorKind::Print { .. } => "print",
        OperatorKind::Range { .. } => "range",
        OperatorKind::DataTable { .. } => "datatable",
        OperatorKind::ExternalData { .. } => "externaldata",
    }
}

fn not_supported(operator: &Operator) -> BindError {
    let name = operator_name(&operator.kind);
    let message = match &operator.kind {
        OperatorKind::Evaluate { plugin, .. } => match &plugin.kind {
            ExprKind::Call { name, .. } => format!("the '{}' plugin of 'evaluate' is not supported yet", name.name),
            _ => "'evaluate' is not supported yet".to_string(),
        },
        OperatorKind::ExternalData { .. } => {
            "'externaldata' is not supported: kqlite reads only the files it is given and makes no network connection".to_string()
        }
        _ => format!("the '{name}' operator is not supported yet"),
    };
    BindError::new(BindErrorKind::NotSupported, operator.span, message)
        .with_label("kqlite cannot run this yet")
}

fn predicate_of(e: ScalarExpr, operator: &str) -> Result<ScalarExpr, Vec<BindError>> {
    match e.ty {
        DataType::Bool => Ok(e),
        DataType::Dynamic => Ok(cast(e, DataType::Bool)),
        t => Err(one(BindError::new(
            BindErrorKind::Type,
            e.span,
            format!("'{operator}' operator: the predicate must be bool, found {t}"),
        ))),
    }
}

fn identity_exprs(schema: &Schema) -> Vec<ScalarExpr> {
    schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| ScalarExpr::column(i, f.ty, Span::default()))
        .collect()
}

/// A projection keeping the input columns at `positions`, in that order.
fn select_columns(input: LogicalPlan, positions: &[usize]) -> LogicalPlan {
    let schema = Schema::new(
        positions
            .iter()
            .map(|&i| input.schema().fields[i].clone())
            .collect(),
    );
    let exprs = positions
        .iter()
        .map(|&i| ScalarExpr::column(i, input.schema().fields[i].ty, Span::default()))
        .collect();
    LogicalPlan::Project {
        input: Box::new(input),
        exprs,
        schema,
    }
}

/// Replaces column references by the expressions that compute them.
fn substitute(mut e: ScalarExpr, exprs: &[ScalarExpr]) -> ScalarExpr {
    if let ScalarKind::Column { index } = e.kind
        && let Some(replacement) = exprs.get(index)
    {
        let mut r = replacement.clone();
        r.span = e.span;
        return r;
    }
    let children = e.children_mut();
    for child in children {
        let taken = std::mem::replace(
            child,
            ScalarExpr::literal(Value::Null, DataType::Dynamic, Span::default()),
        );
        *child = substitute(taken, exprs);
    }
    e
}

/// Compares names with runs of digits taken as numbers: `a2 < a10`.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let chunks = |s: &str| -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    };
    let (x, y) = (chunks(a), chunks(b));
    for ((dx, tx), (dy, ty)) in x.iter().zip(&y) {
        let o = if *dx && *dy {
            let (nx, ny) = (tx.trim_start_matches('0'), ty.trim_start_matches('0'));
            nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
        } else {
            tx.cmp(ty)
        };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

pub(super) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Positions of the columns matched by any of `patterns` (in input
/// order). A plain name that matches nothing is an error.
fn match_patterns(
    schema: &Schema,
    patterns: &[NamePattern],
    operator: &str,
) -> Result<Vec<usize>, Vec<BindError>> {
    let mut matched = Vec::new();
    let mut errors = Vec::new();
    for p in patterns {
        let hits: Vec<usize> = (0..schema.len())
            .filter(|&i| wildcard_match(&p.pattern, &schema.fields[i].name))
            .collect();
        if hits.is_empty() && !p.pattern.contains('*') {
            errors.push(unknown_column(&p.pattern, p.span, schema, operator));
        }
        matched.extend(hits);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    matched.sort_unstable();
    matched.dedup();
    Ok(matched)
}

fn unknown_column(name: &str, span: Span, schema: &Schema, operator: &str) -> BindError {
    BindError::new(
        BindErrorKind::UnknownName,
        span,
        format!("'{operator}' operator: Failed to resolve column named '{name}'"),
    )
    .with_label("no such column")
    .with_help(did_you_mean(name, schema.names()))
}

fn getschema(schema: &Schema) -> LogicalPlan {
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
    LogicalPlan::Values {
        schema: Schema::new(vec![
            Field::new("ColumnName", DataType::String),
            Field::new("ColumnOrdinal", DataType::Int),
            Field::new("DataType", DataType::String),
            Field::new("ColumnType", DataType::String),
        ]),
        rows: Arc::new(rows),
    }
}

/// The .NET type names `getschema` shows (KQL-SEMANTICS §8).
fn dotnet_type(ty: DataType) -> &'static str {
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

fn is_true_literal(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Literal {
            value: Literal::Bool(true)
        }
    )
}

/// The text of a parameter value written as a name or a string.
fn name_value(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name { name } => Some(name.name.clone()),
        ExprKind::Literal {
            value: Literal::String(s),
        } => Some(s.clone()),
        _ => None,
    }
}

fn join_kind(params: &[OpParam], lookup: bool) -> Result<JoinKind, Vec<BindError>> {
    let Some(p) = params.iter().find(|p| p.name.name == "kind") else {
        return Ok(if lookup {
            JoinKind::LookupLeftOuter
        } else {
            JoinKind::InnerUnique
        });
    };
    let value = name_value(&p.value).unwrap_or_default();
    let kind = match (lookup, value.as_str()) {
        (true, "leftouter") => JoinKind::LookupLeftOuter,
        (true, "inner") => JoinKind::LookupInner,
        (false, "innerunique") => JoinKind::InnerUnique,
        (false, "inner") => JoinKind::Inner,
        (false, "leftouter") => JoinKind::LeftOuter,
        (false, "rightouter") => JoinKind::RightOuter,
        (false, "fullouter" | "outer") => JoinKind::FullOuter,
        (false, "leftsemi") => JoinKind::LeftSemi,
        (false, "leftanti" | "anti" | "leftantisemi") => JoinKind::LeftAnti,
        (false, "rightsemi") => JoinKind::RightSemi,
        (false, "rightanti" | "rightantisemi") => JoinKind::RightAnti,
        _ => {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                p.value.span,
                format!(
                    "'{value}' is not a kind of {}",
                    if lookup { "lookup" } else { "join" }
                ),
            )));
        }
    };
    Ok(kind)
}

fn collect_join_keys(
    cond: &Expr,
    left: &Schema,
    right: &Schema,
    keys: &mut Vec<(usize, usize)>,
    errors: &mut Vec<BindError>,
) {
    match &cond.kind {
        ExprKind::Paren { expr } => collect_join_keys(expr, left, right, keys, errors),
        ExprKind::Name { name } => match (left.index_of(&name.name), right.index_of(&name.name)) {
            (Some(l), Some(r)) => keys.push((l, r)),
            (None, _) => errors.push(unknown_column(&name.name, name.span, left, "join")),
            (_, None) => errors.push(unknown_column(&name.name, name.span, right, "join")),
        },
        ExprKind::Binary {
            op: ast::BinaryOp::And,
            left: a,
            right: b,
        } => {
            collect_join_keys(a, left, right, keys, errors);
            collect_join_keys(b, left, right, keys, errors);
        }
        ExprKind::Binary {
            op: ast::BinaryOp::Eq,
            left: a,
            right: b,
        } => match (side_column(a), side_column(b)) {
            (Some((sa, na)), Some((sb, nb))) if sa != sb => {
                let (ln, rn) = if sa == "$left" { (na, nb) } else { (nb, na) };
                match (left.index_of(&ln.name), right.index_of(&rn.name)) {
                    (Some(l), Some(r)) => keys.push((l, r)),
                    (None, _) => errors.push(unknown_column(&ln.name, ln.span, left, "join")),
                    (_, None) => errors.push(unknown_column(&rn.name, rn.span, right, "join")),
                }
            }
            _ => errors.push(BindError::new(
                BindErrorKind::Invalid,
                cond.span,
                "a join condition compares $left.column with $right.column",
            )),
        },
        _ => errors.push(BindError::new(
            BindErrorKind::NotSupported,
            cond.span,
            "only equality join conditions (`Key`, `$left.a == $right.b`) are supported",
        )),
    }
}

/// `$left.name` / `$right.name`.
fn side_column(e: &Expr) -> Option<(&str, &ast::Ident)> {
    match &e.kind {
        ExprKind::Member { target, name } => match &target.kind {
            ExprKind::Name { name: side } if side.name == "$left" || side.name == "$right" => {
                Some((side.name.as_str(), name))
            }
            _ => None,
        },
        ExprKind::Index { target, index } => match (&target.kind, &index.kind) {
            (ExprKind::Name { name: side }, ExprKind::Name { name })
                if side.name == "$left" || side.name == "$right" =>
            {
                Some((side.name.as_str(), name))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Output columns of a join (KQL-SEMANTICS §6.12–6.13): right-side names
/// that clash get the first free numeric suffix.
fn join_schema(kind: JoinKind, left: &Schema, right: &Schema, keys: &[(usize, usize)]) -> Schema {
    match kind {
        JoinKind::LeftSemi | JoinKind::LeftAnti => left.clone(),
        JoinKind::RightSemi | JoinKind::RightAnti => right.clone(),
        JoinKind::LookupLeftOuter | JoinKind::LookupInner => {
            let mut fields = left.fields.clone();
            for (i, f) in right.fields.iter().enumerate() {
                if keys.iter().any(|&(_, r)| r == i) {
                    continue;
                }
                let name = unique_name(&f.name, &|n| fields.iter().any(|g| g.name == n));
                fields.push(Field::new(name, f.ty));
            }
            Schema::new(fields)
        }
        _ => {
            let mut fields = left.fields.clone();
            for f in &right.fields {
                let taken = |n: &str| {
                    fields.iter().any(|g| g.name == n)
                        || right.fields.iter().any(|g| g.name == n && n != f.name)
                };
                let name = unique_name(&f.name, &taken);
                fields.push(Field::new(name, f.ty));
            }
            Schema::new(fields)
        }
    }
}

fn union_plan(
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
    out_fields.extend(fields.iter().map(|(n, t, _)| Field::new(n.clone(), *t)));
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
                        ScalarExpr::literal(crate::exec::eval::null_of(*ty), *ty, Span::default())
                    }
                });
            }
            LogicalPlan::Project {
                input: Box::new(plan),
                exprs,
                schema: schema.clone(),
            }
        })
        .collect();
    LogicalPlan::Union { inputs, schema }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_prefix_suffix_and_middle() {
        assert!(wildcard_match("Dev*", "DeviceEvents"));
        assert!(wildcard_match("*Events", "DeviceEvents"));
        assert!(wildcard_match("D*E*s", "DeviceEvents"));
        assert!(!wildcard_match("Dev*", "SigninLogs"));
        assert!(wildcard_match("exact", "exact"));
        assert!(!wildcard_match("exact", "exactly"));
    }

    #[test]
    fn clashing_join_columns_get_suffixes() {
        let l = Schema::new(vec![
            Field::new("Key", DataType::String),
            Field::new("Value", DataType::Long),
        ]);
        let r = l.clone();
        let s = join_schema(JoinKind::Inner, &l, &r, &[(0, 0)]);
        let names: Vec<&str> = s.names().collect();
        assert_eq!(names, ["Key", "Value", "Key1", "Value1"]);
    }
}

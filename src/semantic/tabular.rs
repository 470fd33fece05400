//! Tabular expressions: sources and the operators after `|`.

use super::bind::{Argument, Binder, Binding, materialize};
use super::join::join_kind;
use super::scalar::{Scope, cast};
use super::sources::getschema;
use super::suggest::did_you_mean;
use super::{BindError, BindErrorKind};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{
    Aggregate, Filter, Limit, LogicalPlan, Project, Scan, Serialize, Sort, TopN, Values,
};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Literal, NamedExpr, Operator, OperatorKind};
use crate::types::DataType;
use crate::value::Value;
use std::sync::Arc;

pub(super) type Bound = Result<LogicalPlan, Vec<BindError>>;

pub(super) fn one(e: BindError) -> Vec<BindError> {
    vec![e]
}

impl Binder<'_> {
    /// Binds an expression that must be a table.
    pub(super) fn tabular(&mut self, expr: &Expr) -> Bound {
        match &expr.kind {
            ExprKind::Pipe { input, operator } => {
                if let OperatorKind::Graph(g) = &operator.kind {
                    return self.graph_pipe(input, g, operator.span);
                }
                let input = self.tabular(input)?;
                self.pipe(input, operator)
            }
            ExprKind::Source { operator } => self.source(operator),
            ExprKind::Paren { expr } => self.tabular(expr),
            ExprKind::Name { name } => self.table_by_name(&name.name, name.span),
            ExprKind::Call { name, args } => self.tabular_call(&name.name, args, expr.span),
            // `database("db").T`: the table T of the only database there is.
            ExprKind::Member { target, name } if super::request::is_database_call(target) => {
                self.database_member(target, name, expr.span)
            }
            _ => Err(one(BindError::new(
                BindErrorKind::Type,
                expr.span,
                "expected a tabular expression (a table, a let-bound table or a pipeline)",
            ))),
        }
    }

    /// `input | operator`, for an operator met outside a pipeline's text
    /// (a `fork` leg's).
    pub(super) fn pipe_operator(&mut self, input: LogicalPlan, operator: &Operator) -> Bound {
        self.pipe(input, operator)
    }

    /// `input | operator`.
    fn pipe(&mut self, input: LogicalPlan, operator: &Operator) -> Bound {
        // An error after an operator whose columns are not known until the
        // data is read may be no error at all.
        let stand_in = input.is_provisional();
        let unprobed = self.unprobed;
        self.operator(input, operator).map_err(|mut errors| {
            if stand_in || self.unprobed > unprobed {
                for e in &mut errors {
                    // Unknown functions and tables, wrong argument counts and
                    // unsupported features do not depend on the columns.
                    e.provisional = !matches!(
                        e.kind,
                        BindErrorKind::UnknownFunction
                            | BindErrorKind::UnknownTable
                            | BindErrorKind::Arity
                            | BindErrorKind::NotSupported
                    );
                }
            }
            errors
        })
    }

    /// Binds the subquery of `mv-apply ... on (subquery)` or `partition by
    /// c (subquery)`, whose first operator applies to `input` (the rows
    /// the enclosing operator hands it): `summarize x | take 1` is
    /// `input | summarize x | take 1`. A subquery that starts with a table
    /// or a source operator (`print`, `range`, `datatable`) ignores `input`.
    pub(super) fn tabular_on(&mut self, expr: &Expr, input: LogicalPlan) -> Bound {
        match &expr.kind {
            ExprKind::Pipe {
                input: inner,
                operator,
            } => {
                let inner = self.tabular_on(inner, input)?;
                self.pipe(inner, operator)
            }
            ExprKind::Paren { expr } => self.tabular_on(expr, input),
            ExprKind::Source { operator } => match operator.kind {
                OperatorKind::Print { .. }
                | OperatorKind::Range { .. }
                | OperatorKind::DataTable { .. }
                | OperatorKind::ExternalData { .. }
                | OperatorKind::Find { .. } => self.source(operator),
                _ => self.pipe(input, operator),
            },
            _ => self.tabular(expr),
        }
    }

    pub(super) fn table_by_name(&mut self, name: &str, span: Span) -> Bound {
        match self.lookup(name) {
            Some(Binding::Tabular(plan)) => {
                let plan = plan.clone();
                let size = plan_nodes(&plan);
                self.copied_plan_nodes = self.copied_plan_nodes.saturating_add(size);
                if self.copied_plan_nodes > super::bind::MAX_COPIED_PLAN_NODES {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        span,
                        format!(
                            "the query is too large: its `let` tables expand to more than {} plan steps",
                            super::bind::MAX_COPIED_PLAN_NODES
                        ),
                    )));
                }
                // A use of a table whose columns are not known yet makes the
                // errors of the operator using it provisional (see `pipe`).
                if plan.is_provisional() {
                    self.unprobed += 1;
                }
                return Ok(plan);
            }
            Some(Binding::Failed) => {
                return Err(one(super::scalar::follows_earlier_error(name, span)));
            }
            Some(Binding::Graph(_)) => {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    span,
                    format!(
                        "'{name}' is a graph, which must be followed by a graph operator (graph-match, graph-shortest-paths, graph-to-table or graph-mark-components)"
                    ),
                )));
            }
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
        Ok(LogicalPlan::Scan(Scan {
            table: table.name,
            table_schema: table.schema.clone(),
            data: table.data,
            columns,
            schema: table.schema,
            prefilter: None,
        }))
    }

    pub(super) fn function_table(
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
            let bound = self
                .call_arguments(args, &Scope::new(&empty, name))
                .map_err(one)?;
            return self.function_table(&f, bound, span);
        }
        match (name, args) {
            ("_GetWatchlist", [arg]) => {
                let value = self.constant_scalar(arg).map_err(one)?;
                let Some(Value::String(alias)) = value.as_literal() else {
                    return Err(one(BindError::new(
                        BindErrorKind::Type,
                        arg.span,
                        "_GetWatchlist expects the watchlist's alias, a constant string",
                    )));
                };
                let alias = alias.to_string();
                let Some((schema, rows)) = self.workspace.watchlist(&alias) else {
                    let known: Vec<&str> = self.workspace.watchlist_aliases().collect();
                    return Err(one(BindError::new(
                        BindErrorKind::UnknownTable,
                        span,
                        format!("the watchlist '{alias}' is not loaded"),
                    )
                    .with_label("no watchlist has this alias")
                    .with_help(did_you_mean(&alias, known).or_else(|| {
                        Some(format!(
                            "give its CSV file as DIR/{alias}.csv with --watchlists DIR"
                        ))
                    }))));
                };
                Ok(LogicalPlan::Values(crate::plan::logical::Values {
                    schema: schema.clone(),
                    rows: rows.clone(),
                }))
            }
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
            _ if super::request::service_only(name).is_some() => {
                Err(one(super::request::service_only_error(name, span)))
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
                let unit = LogicalPlan::Values(Values {
                    schema: Schema::default(),
                    rows: Arc::new(vec![vec![]]),
                });
                self.project(unit, columns, "print", true)
            }
            OperatorKind::Range {
                column,
                from,
                to,
                step,
            } => self.range(&column.name, from, to, step, span),
            OperatorKind::DataTable { columns, values } => self.datatable(columns, values, span),
            OperatorKind::ExternalData {
                columns,
                uris,
                properties,
            } => self.external_data(columns, uris, properties, span),
            OperatorKind::Union { params, tables } => self.union(None, params, tables, span),
            OperatorKind::Search {
                params,
                tables,
                predicate,
            } => self.search(None, params, tables, predicate, span),
            OperatorKind::Find {
                params,
                tables,
                predicate,
                project,
            } => self.find(params, tables, predicate, project.as_deref(), span),
            _ => Err(one(not_supported(operator))),
        }
    }

    fn operator(&mut self, input: LogicalPlan, operator: &Operator) -> Bound {
        let span = operator.span;
        match &operator.kind {
            OperatorKind::Where { predicate, .. } => {
                let window = std::cell::RefCell::new(super::window::WindowCollector::default());
                let scope = Scope::new(input.schema(), "where").with_window(&window);
                let predicate = self.scalar(predicate, &scope).map_err(one)?;
                let predicate = predicate_of(predicate, "where")?;
                let window = window.into_inner();
                if window.is_empty() {
                    return Ok(LogicalPlan::Filter(Filter {
                        input: Box::new(input),
                        predicate,
                    }));
                }
                // Window columns are computed, filtered on, then dropped.
                let width = input.schema().len();
                let mut exprs = [predicate];
                let input = self.window_input(input, window, "where", &mut exprs)?;
                let [predicate] = exprs;
                let filtered = LogicalPlan::Filter(Filter {
                    input: Box::new(input),
                    predicate,
                });
                Ok(select_columns(filtered, &(0..width).collect::<Vec<_>>()))
            }
            OperatorKind::Extend { columns } => self.extend(input, columns, "extend"),
            OperatorKind::Project { columns } => self.project(input, columns, "project", false),
            OperatorKind::ProjectAway { columns } => self.project_away(input, columns, false),
            OperatorKind::ProjectKeep { columns } => self.project_away(input, columns, true),
            OperatorKind::ProjectByNames { columns } => self.project_by_names(input, columns),
            OperatorKind::ProjectRename { renames } => self.project_rename(input, renames),
            OperatorKind::ProjectReorder { columns } => self.project_reorder(input, columns),
            OperatorKind::Take { count, .. } => {
                let count = self.constant_count(count, "take")?;
                Ok(LogicalPlan::Limit(Limit {
                    input: Box::new(input),
                    count,
                }))
            }
            // `sample N` (sample-operator): up to N rows of the input. The page
            // says "random rows"; kqlite takes the first N it reads, so a query
            // answers the same on every run (docs/semantics.md §8.10).
            OperatorKind::Sample { count } => {
                let count = self.constant_count(count, "sample")?;
                Ok(LogicalPlan::Limit(Limit {
                    input: Box::new(input),
                    count,
                }))
            }
            // `sample-distinct N of c` (sample-distinct-operator): up to N
            // distinct values of `c`, one column: `distinct c | take N`.
            OperatorKind::SampleDistinct { count, of } => {
                let count = self.constant_count(count, "sample-distinct")?;
                let column = NamedExpr {
                    names: vec![],
                    expr: of.clone(),
                    span: of.span,
                };
                let distinct = self.distinct(input, std::slice::from_ref(&column))?;
                Ok(LogicalPlan::Limit(Limit {
                    input: Box::new(distinct),
                    count,
                }))
            }
            OperatorKind::Count { name } => {
                let column = name.as_ref().map_or("Count", |n| n.name.as_str());
                let count = crate::functions::lookup_aggregate("count")
                    .ok_or_else(|| one(internal(span)))?;
                Ok(LogicalPlan::Aggregate(Aggregate {
                    input: Box::new(input),
                    group_by: vec![],
                    aggregates: vec![crate::plan::expr::AggregateExpr {
                        function: count,
                        args: vec![],
                        ty: DataType::Long,
                        span,
                    }],
                    schema: Schema::new(vec![Field::new(column, DataType::Long)]),
                }))
            }
            OperatorKind::Sort { keys, .. } => {
                let keys = self.sort_keys(&input, keys, "sort")?;
                Ok(LogicalPlan::Sort(Sort {
                    input: Box::new(input),
                    keys,
                }))
            }
            OperatorKind::Top { count, key, .. } => {
                let count = self.constant_count(count, "top")?;
                let keys = self.sort_keys(&input, std::slice::from_ref(key), "top")?;
                Ok(LogicalPlan::TopN(TopN {
                    input: Box::new(input),
                    keys,
                    count,
                }))
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
            OperatorKind::MvApply {
                params,
                items,
                limit,
                subquery,
            } => self.mv_apply(input, params, items, limit.as_ref(), subquery, span),
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
            OperatorKind::ParseKv {
                source,
                columns,
                properties,
            } => self.parse_kv(input, source, columns, properties, span),
            OperatorKind::Serialize { columns } => {
                let input = LogicalPlan::Serialize(Serialize {
                    input: Box::new(input),
                });
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
            OperatorKind::GetSchema => Ok(LogicalPlan::Serialize(Serialize {
                input: Box::new(getschema(input.schema())),
            })),
            OperatorKind::Evaluate { plugin, .. } => self.evaluate(input, plugin, span),
            OperatorKind::Partition {
                params,
                column,
                subquery,
            } => self.partition(input, params, column, subquery, span),
            OperatorKind::TopNested { levels } => self.top_nested(input, levels),
            OperatorKind::TopHitters { count, of, by } => {
                self.top_hitters(input, count, of, by.as_ref(), span)
            }
            OperatorKind::Reduce { params, by, with } => self.reduce(input, params, by, with),
            OperatorKind::Fork { .. } | OperatorKind::Facet { .. } => {
                Err(one(super::fork::several_tables_here(operator)))
            }
            // consume-operator: the input is consumed and no data returned.
            OperatorKind::Consume { .. } => Ok(LogicalPlan::Values(Values {
                schema: Schema::default(),
                rows: Arc::new(Vec::new()),
            })),
            OperatorKind::Scan {
                match_id,
                declare,
                steps,
            } => self.scan_steps(input, match_id.as_ref(), declare, steps),
            OperatorKind::Search {
                params,
                tables,
                predicate,
            } => {
                if let Some(t) = tables.first() {
                    return Err(one(BindError::new(
                        BindErrorKind::Invalid,
                        t.span,
                        "'search' after a pipe searches its input; it takes no `in (...)` list",
                    )));
                }
                self.search(Some(input), params, tables, predicate, span)
            }
            OperatorKind::MakeSeries { .. } => self.make_series(input, operator),
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
                bound.extend(
                    self.call_arguments(args, &Scope::new(&empty, "invoke"))
                        .map_err(one)?,
                );
                self.function_table(&f, bound, function.span)
            }
            _ => Err(one(not_supported(operator))),
        }
    }
}

pub(super) fn internal(span: Span) -> BindError {
    BindError::new(
        BindErrorKind::Invalid,
        span,
        "internal error: a built-in function is missing",
    )
}

/// The name of an operator as written, for "not supported" messages.
pub(super) fn operator_name(kind: &OperatorKind) -> &'static str {
    match kind {
        OperatorKind::Where { .. } => "where",
        OperatorKind::Extend { .. } => "extend",
        OperatorKind::Project { .. } => "project",
        OperatorKind::ProjectAway { .. } => "project-away",
        OperatorKind::ProjectKeep { .. } => "project-keep",
        OperatorKind::ProjectByNames { .. } => "project-by-names",
        OperatorKind::ProjectRename { .. } => "project-rename",
        OperatorKind::ProjectReorder { .. } => "project-reorder",
        OperatorKind::Take { .. } => "take",
        OperatorKind::Count { .. } => "count",
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
        OperatorKind::Scan { .. } => "scan",
        OperatorKind::Consume { .. } => "consume",
        OperatorKind::Graph(g) => super::graph::graph_operator_name(g),
        OperatorKind::Facet { .. } => "facet",
        OperatorKind::Reduce { .. } => "reduce",
        OperatorKind::Partition { .. } => "partition",
        OperatorKind::Print { .. } => "print",
        OperatorKind::Range { .. } => "range",
        OperatorKind::DataTable { .. } => "datatable",
        OperatorKind::ExternalData { .. } => "externaldata",
    }
}

pub(super) fn not_supported(operator: &Operator) -> BindError {
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

pub(super) fn predicate_of(e: ScalarExpr, operator: &str) -> Result<ScalarExpr, Vec<BindError>> {
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

pub(super) fn identity_exprs(schema: &Schema) -> Vec<ScalarExpr> {
    schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| ScalarExpr::column(i, f.ty, Span::default()))
        .collect()
}

/// A projection keeping the input columns at `positions`, in that order.
pub(super) fn select_columns(input: LogicalPlan, positions: &[usize]) -> LogicalPlan {
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
    LogicalPlan::Project(Project {
        input: Box::new(input),
        exprs,
        schema,
    })
}

pub(super) fn is_true_literal(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Literal {
            value: Literal::Bool(true)
        }
    )
}

/// The text of a parameter value written as a name or a string.
pub(super) fn name_value(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name { name } => Some(name.name.clone()),
        ExprKind::Literal {
            value: Literal::String(s),
        } => Some(s.clone()),
        _ => None,
    }
}

/// The number of nodes of a plan (counted without recursion).
fn plan_nodes(plan: &LogicalPlan) -> usize {
    let mut count = 0usize;
    let mut stack = vec![plan];
    while let Some(p) = stack.pop() {
        count += 1;
        stack.extend(p.inputs());
    }
    count
}

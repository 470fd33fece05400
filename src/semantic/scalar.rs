//! Scalar expressions: names to columns, operators to typed nodes.

use super::bind::{Binder, Binding};
use super::literal::literal_value;
use super::suggest::did_you_mean;
use super::{BindError, BindErrorKind};
use crate::functions::{self, lookup_aggregate, lookup_scalar};
use crate::plan::expr::{
    self as plan_expr, AggregateExpr, ListKind, LogicalOp, ScalarExpr, ScalarKind, SubqueryShape,
};
use crate::schema::Schema;
use crate::span::Span;
use crate::syntax::ast::{
    BinaryOp, Expr, ExprKind, ListOp, Literal, StringOp, StringOpKind, UnaryOp,
};
use crate::types::DataType;
use crate::value::ops::{ArithOp, CompareOp};
use crate::value::{Str, Value};

/// What an expression can see: the columns of the operator's input row,
/// and (inside `summarize`) the aggregates being collected.
pub(super) struct Scope<'s> {
    pub row: &'s Schema,
    /// The operator, for messages: `'where' operator: …`.
    pub operator: &'s str,
    /// In `summarize`: the group columns by output name, and where the
    /// aggregates found so far are collected.
    pub aggregates: Option<&'s std::cell::RefCell<AggregateCollector>>,
    /// In `extend`, `project`, `where` and `serialize`: where the window
    /// functions found so far are collected (see `semantic::window`).
    pub window: Option<&'s std::cell::RefCell<super::window::WindowCollector>>,
    /// In `extend`: how many of `row`'s columns are the operator's input
    /// (the rest were made earlier in the same operator). `pack_all()`
    /// packs only those (pack-all-function page: `extend Packed=pack_all(),
    /// PackedIgnoreNullEmpty=pack_all(true)` packs neither `Packed`).
    pub input_columns: Option<usize>,
    /// In `scan`'s steps: the step names, whose `step.column` references
    /// read the scan's state (see `semantic::scan`).
    pub scan: Option<&'s super::scan::StepRefs>,
}

impl<'s> Scope<'s> {
    pub fn new(row: &'s Schema, operator: &'s str) -> Scope<'s> {
        Scope {
            row,
            operator,
            aggregates: None,
            window: None,
            input_columns: None,
            scan: None,
        }
    }

    /// This scope, collecting window functions into `window`.
    pub fn with_window(
        mut self,
        window: &'s std::cell::RefCell<super::window::WindowCollector>,
    ) -> Scope<'s> {
        self.window = Some(window);
        self
    }

    /// This scope, where only the first `n` columns of `row` are the
    /// operator's input (see [`Scope::input_columns`]).
    pub fn with_input_columns(mut self, n: usize) -> Scope<'s> {
        self.input_columns = Some(n);
        self
    }
}

/// The aggregates of one `summarize` item, gathered while its expression
/// is bound. The bound expression reads the aggregate's output row: group
/// columns first, then aggregates.
#[derive(Debug, Default)]
pub(super) struct AggregateCollector {
    pub group_names: Vec<(String, DataType)>,
    pub aggregates: Vec<AggregateExpr>,
}

impl Binder<'_> {
    pub(super) fn scalar(&mut self, expr: &Expr, scope: &Scope) -> Result<ScalarExpr, BindError> {
        let span = expr.span;
        match &expr.kind {
            // `datetime()` and `datetime(now)` are the current time, as
            // `now()` (scalar-data-types/datetime: "datetime() Returns the
            // current time"; the docs' own queries write `datetime(now)`).
            ExprKind::Literal {
                value: Literal::Typed { type_name, text },
            } if type_name == "datetime" && matches!(text.trim(), "" | "now") => {
                let function =
                    lookup_scalar("now").ok_or_else(|| super::tabular::internal(span))?;
                Ok(ScalarExpr {
                    kind: ScalarKind::Call {
                        function,
                        args: Vec::new(),
                    },
                    ty: DataType::DateTime,
                    span,
                })
            }
            ExprKind::Literal { value } => {
                let (value, ty) = literal_value(value, span)?;
                Ok(ScalarExpr::literal(value, ty, span))
            }
            ExprKind::Name { name } => self.name(&name.name, span, scope),
            ExprKind::Paren { expr } => self.scalar(expr, scope),
            ExprKind::Unary { op, operand } => {
                let operand = self.scalar(operand, scope)?;
                match op {
                    UnaryOp::Plus => Ok(operand),
                    UnaryOp::Neg => negate(operand, span),
                }
            }
            ExprKind::Binary { op, .. } => match op {
                BinaryOp::And | BinaryOp::Or => self.logical_chain(expr, scope),
                BinaryOp::Str(sop) => {
                    if let ExprKind::Binary { left, right, .. } = &expr.kind
                        && matches!(left.kind, ExprKind::Star)
                    {
                        return self.any_column(*sop, right, span, scope);
                    }
                    let (left, right) = self.operands(expr, scope)?;
                    string_match(*sop, left, right, span)
                }
                BinaryOp::Eq
                | BinaryOp::NotEq
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => {
                    let (left, right) = self.operands(expr, scope)?;
                    compare(compare_op(*op), left, right, span)
                }
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                    let (left, right) = self.operands(expr, scope)?;
                    arithmetic(arith_op(*op), left, right, span)
                }
            },
            ExprKind::List { op, left, items } => self.list(*op, left, items, span, scope),
            ExprKind::Between {
                negated,
                expr: e,
                low,
                high,
            } => {
                let e = self.scalar(e, scope)?;
                let low = self.scalar(low, scope)?;
                let high = self.scalar(high, scope)?;
                between(*negated, e, low, high, span)
            }
            ExprKind::Call { name, args } => self.call(&name.name, name.span, args, span, scope),
            ExprKind::Member { target, name } => {
                if let (Some(steps), ExprKind::Name { name: step }) = (scope.scan, &target.kind)
                    && let Some(reference) = steps.reference(&step.name, name, span)
                {
                    return reference;
                }
                let target = self.dynamic_target(target, scope)?;
                Ok(ScalarExpr {
                    kind: ScalarKind::Member {
                        target: Box::new(target),
                        key: name.name.clone(),
                    },
                    ty: DataType::Dynamic,
                    span,
                })
            }
            ExprKind::Index { target, index } => {
                let target = self.dynamic_target(target, scope)?;
                let index = self.scalar(index, scope)?;
                if let Some(Value::String(key)) = index.as_literal() {
                    return Ok(ScalarExpr {
                        kind: ScalarKind::Member {
                            target: Box::new(target),
                            key: key.to_string(),
                        },
                        ty: DataType::Dynamic,
                        span,
                    });
                }
                Ok(ScalarExpr {
                    kind: ScalarKind::Index {
                        target: Box::new(target),
                        index: Box::new(index),
                    },
                    ty: DataType::Dynamic,
                    span,
                })
            }
            ExprKind::TypeOf { ty } => Ok(ScalarExpr::literal(
                Value::String(Str::new(&ty.name)),
                DataType::String,
                span,
            )),
            // `bin(Minute = Timestamp, 1m)`: an argument of a built-in
            // function written `name = value` is its value (the official
            // analyzer checks argument names only for user functions,
            // Kusto.Language `Binder.NamedArgumentsAllowed`, and types a
            // named argument as its expression); the name only names the
            // call's column (naming.rs, docs/semantics.md#column-names).
            ExprKind::NamedArg { value, .. } => self.scalar(value, scope),
            ExprKind::Star => Err(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!("'{}' operator: `*` cannot be used here", scope.operator),
            )),
            ExprKind::Pipe { .. } | ExprKind::Source { .. } => Err(BindError::new(
                BindErrorKind::Type,
                span,
                format!(
                    "'{}' operator: a tabular expression cannot be used as a scalar; wrap it in toscalar()",
                    scope.operator
                ),
            )),
        }
    }

    fn operands(
        &mut self,
        expr: &Expr,
        scope: &Scope,
    ) -> Result<(ScalarExpr, ScalarExpr), BindError> {
        let ExprKind::Binary { left, right, .. } = &expr.kind else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                expr.span,
                "expected a binary expression",
            ));
        };
        if matches!(left.kind, ExprKind::Star) {
            return Err(BindError::new(
                BindErrorKind::NotSupported,
                left.span,
                format!(
                    "'{}' operator: `*` (every column) works with string operators such as `* has \"x\"`, not here",
                    scope.operator
                ),
            ));
        }
        Ok((self.scalar(left, scope)?, self.scalar(right, scope)?))
    }

    /// `a and b and c…` / `a or b or …` as one flat node. The parser nests
    /// chains to the left; walking that spine iteratively keeps a
    /// 20,000-term chain from exhausting the stack.
    fn logical_chain(&mut self, expr: &Expr, scope: &Scope) -> Result<ScalarExpr, BindError> {
        let ExprKind::Binary { op, .. } = &expr.kind else {
            return self.scalar(expr, scope);
        };
        let op = *op;
        let mut operands = Vec::new();
        let mut cursor = expr;
        loop {
            match &cursor.kind {
                ExprKind::Binary { op: o, left, right } if *o == op => {
                    operands.push(&**right);
                    cursor = left;
                }
                _ => {
                    operands.push(cursor);
                    break;
                }
            }
        }
        operands.reverse();
        let mut args = Vec::with_capacity(operands.len());
        for operand in operands {
            let bound = self.scalar(operand, scope)?;
            if !matches!(bound.ty, DataType::Bool | DataType::Dynamic) {
                return Err(BindError::new(
                    BindErrorKind::Type,
                    bound.span,
                    format!(
                        "'{}' operator: the operands of '{}' must be bool, found {}",
                        scope.operator,
                        if op == BinaryOp::And { "and" } else { "or" },
                        bound.ty
                    ),
                ));
            }
            args.push(bound);
        }
        Ok(ScalarExpr {
            kind: ScalarKind::Logical {
                op: if op == BinaryOp::And {
                    LogicalOp::And
                } else {
                    LogicalOp::Or
                },
                args,
            },
            ty: DataType::Bool,
            span: expr.span,
        })
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope) -> Result<ScalarExpr, BindError> {
        if let Some(collector) = scope.aggregates {
            // Outside an aggregate, `summarize` items may read group columns.
            let c = collector.borrow();
            if let Some(i) = c.group_names.iter().position(|(n, _)| n == name) {
                return Ok(ScalarExpr::column(i, c.group_names[i].1, span));
            }
            if scope.row.index_of(name).is_some() && self.lookup(name).is_none() {
                return Err(BindError::new(
                    BindErrorKind::Invalid,
                    span,
                    format!(
                        "'{}' operator: the column '{name}' can be read here only inside an aggregation function, such as take_any({name}) or sum({name})",
                        scope.operator
                    ),
                )
                .with_label("not inside an aggregation"));
            }
        } else if let Some(i) = scope.row.index_of(name) {
            return Ok(ScalarExpr::column(i, scope.row.fields[i].ty, span));
        }
        match self.lookup(name) {
            Some(Binding::Scalar(e)) => {
                let mut e = e.clone();
                e.span = span;
                Ok(e)
            }
            Some(Binding::Tabular(_)) => Err(BindError::new(
                BindErrorKind::Type,
                span,
                format!(
                    "'{}' operator: '{name}' is a table; wrap it in toscalar() to use it as a value",
                    scope.operator
                ),
            )),
            // "A user-defined function that takes no arguments can be
            // invoked either by its name or by its name and an empty
            // argument list in parentheses" (user-defined-functions.md,
            // "Invoking a user-defined function").
            Some(Binding::Function(f)) if f.params.is_empty() => {
                self.call(name, span, &[], span, scope)
            }
            Some(Binding::Function(_)) => Err(BindError::new(
                BindErrorKind::Type,
                span,
                format!(
                    "'{}' operator: '{name}' is a function; call it with ()",
                    scope.operator
                ),
            )),
            Some(Binding::Failed) => Err(follows_earlier_error(name, span)),
            Some(Binding::Graph(_)) => Err(BindError::new(
                BindErrorKind::Type,
                span,
                format!(
                    "'{}' operator: '{name}' is a graph; only a graph operator can read it",
                    scope.operator
                ),
            )),
            None => {
                let mut candidates: Vec<&str> = scope.row.names().collect();
                candidates.extend(self.let_names());
                Err(BindError::new(
                    BindErrorKind::UnknownName,
                    span,
                    format!(
                        "'{}' operator: Failed to resolve scalar expression named '{name}'",
                        scope.operator
                    ),
                )
                .with_label("no column or let name is called this")
                .with_help(did_you_mean(name, candidates)))
            }
        }
    }

    fn dynamic_target(&mut self, target: &Expr, scope: &Scope) -> Result<ScalarExpr, BindError> {
        let bound = self.scalar(target, scope)?;
        if bound.ty != DataType::Dynamic {
            return Err(BindError::new(
                BindErrorKind::Type,
                bound.span,
                format!(
                    "'{}' operator: only a dynamic value has members or elements; this is a {}",
                    scope.operator, bound.ty
                ),
            )
            .with_help(Some(
                "convert it first, e.g. parse_json(...) or todynamic(...)".into(),
            )));
        }
        Ok(bound)
    }

    fn list(
        &mut self,
        op: ListOp,
        left: &Expr,
        items: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let left = self.scalar(left, scope)?;
        let mut bound = Vec::with_capacity(items.len());
        for item in items {
            if self.is_tabular(item) {
                let plan = self.tabular(item).map_err(super::bind::first_error)?;
                reads_no_parameter(&plan, item.span)?;
                let id = self.add_subquery(plan, SubqueryShape::Column);
                bound.push(ScalarExpr {
                    kind: ScalarKind::Subquery {
                        id,
                        shape: SubqueryShape::Column,
                    },
                    ty: DataType::Dynamic,
                    span: item.span,
                });
            } else {
                bound.push(self.scalar(item, scope)?);
            }
        }
        let kind = match op {
            ListOp::In {
                negated,
                case_sensitive,
            } => ListKind::In {
                negated,
                case_sensitive,
            },
            ListOp::HasAny => ListKind::HasAny,
            ListOp::HasAll => ListKind::HasAll,
        };
        Ok(ScalarExpr {
            kind: ScalarKind::InList {
                op: kind,
                left: Box::new(left),
                items: bound,
            },
            ty: DataType::Bool,
            span,
        })
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        if let Some(Binding::Function(f)) = self.lookup(name) {
            let f = f.clone();
            let bound = self.call_arguments(args, scope)?;
            return match self.call_function(&f, bound, span)? {
                Binding::Scalar(mut e) => {
                    e.span = span;
                    Ok(e)
                }
                _ => Err(BindError::new(
                    BindErrorKind::Type,
                    span,
                    format!(
                        "'{name}' returns a table; wrap the call in toscalar() to use it as a value"
                    ),
                )),
            };
        }
        if let Some(kind) = super::window::window_function(name) {
            return self.window_call(kind, name, args, span, scope);
        }
        match name {
            "toscalar" => return self.toscalar(args, span, scope),
            "column_names_of" => return self.column_names_of(args, span),
            "column_ifexists" | "columnifexists" => return self.column_ifexists(args, span, scope),
            "ingestion_time" if args.is_empty() => {
                if let Some(column) = ingestion_column(scope, span) {
                    return Ok(column);
                }
            }
            "pack_all" => return self.pack_all(args, span, scope),
            "assert" => return self.assert_call(args, span, scope),
            "bin_auto" => return self.bin_auto(args, span, scope),
            "estimate_data_size" => return self.estimate_data_size(args, span, scope),
            _ if super::request::service_only(name).is_some() => {
                return Err(super::request::service_only_error(name, name_span));
            }
            "bag_pack_columns" => return self.bag_pack_columns(args, span, scope),
            "materialize" => {
                return Err(BindError::new(
                    BindErrorKind::Type,
                    span,
                    "materialize() returns a table; use it in a let statement or as a tabular expression",
                ));
            }
            _ => {}
        }
        // `hll_merge`, `tdigest_merge` and `merge_tdigest` are both: the
        // aggregate of one sketch in `summarize`, the scalar of several.
        if let Some(aggregate) = lookup_aggregate(name)
            && (lookup_scalar(name).is_none()
                || (scope.aggregates.is_some() && args.len() <= aggregate.max_args))
        {
            return self.aggregate_call(aggregate, args, span, scope);
        }
        if let Some(reason) = functions::series::unsupported_reason(name) {
            return Err(BindError::new(
                BindErrorKind::NotSupported,
                name_span,
                format!("the function '{name}' is not supported: {reason}"),
            )
            .with_label("kqlite cannot run this function"));
        }
        let Some(function) = lookup_scalar(name) else {
            let candidates =
                functions::scalar_names().chain(functions::aggregate::aggregate_names());
            return Err(BindError::new(
                BindErrorKind::UnknownFunction,
                name_span,
                format!("The function '{name}' is not defined."),
            )
            .with_help(did_you_mean(name, candidates).or_else(|| workspace_hint(name))));
        };
        if args.len() < function.min_args || args.len() > function.max_args {
            return Err(arity_error(
                name,
                function.min_args,
                function.max_args,
                span,
            ));
        }
        let mut bound = Vec::with_capacity(args.len());
        for a in args {
            bound.push(self.scalar(a, scope)?);
        }
        let types: Vec<DataType> = bound.iter().map(|a| a.ty).collect();
        // Some functions type their result by a constant argument
        // (`extract(..., typeof(int))`) or check it (a regex, a date part).
        let constants: Vec<Option<&Value>> = bound.iter().map(ScalarExpr::as_literal).collect();
        let ty = function.result_type(&types, &constants).map_err(|m| {
            BindError::new(
                BindErrorKind::Type,
                span,
                format!("'{}' operator: {m}", scope.operator),
            )
        })?;
        // A dynamic branch of an `iff` or `case` typed otherwise is
        // converted to the result type (`iff(c, bag['x'], '')` is a string).
        if ty != DataType::Dynamic {
            for i in functions::branch_positions(function.name, bound.len()) {
                if let Some(arg) = bound.get_mut(i)
                    && arg.ty == DataType::Dynamic
                {
                    let a = std::mem::replace(arg, ScalarExpr::literal(Value::Null, ty, span));
                    *arg = cast(a, ty);
                }
            }
        }
        // parse_json of a dynamic value returns it unchanged: a dynamic
        // string holding JSON text is not parsed again (parse-json-function).
        if function.name == "parse_json"
            && types == [DataType::Dynamic]
            && let Some(mut arg) = bound.pop()
        {
            arg.span = span;
            return Ok(arg);
        }
        Ok(ScalarExpr {
            kind: ScalarKind::Call {
                function,
                args: bound,
            },
            ty,
            span,
        })
    }

    fn aggregate_call(
        &mut self,
        aggregate: &'static functions::AggregateFunction,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let Some(collector) = scope.aggregates else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!(
                    "'{}' operator: '{}' is an aggregation function; it can only be used in summarize",
                    scope.operator, aggregate.name
                ),
            ));
        };
        if args.len() < aggregate.min_args || args.len() > aggregate.max_args {
            return Err(arity_error(
                aggregate.name,
                aggregate.min_args,
                aggregate.max_args,
                span,
            ));
        }
        // Arguments are evaluated on the input rows.
        let input = Scope::new(scope.row, scope.operator);
        let mut bound = Vec::with_capacity(args.len());
        for a in args {
            if matches!(a.kind, ExprKind::Star) && aggregate.name == "count" {
                continue;
            }
            bound.push(self.scalar(a, &input)?);
        }
        // The percentile of an int column is a long (percentiles-aggregation-function).
        if aggregate.name.starts_with("percentile")
            && let Some(first) = bound.first_mut()
            && first.ty == DataType::Int
        {
            *first = to_long(first.clone());
        }
        let types: Vec<DataType> = bound.iter().map(|a| a.ty).collect();
        let ty = (aggregate.signature)(&types).map_err(|m| {
            BindError::new(
                BindErrorKind::Type,
                span,
                format!("'{}' operator: {m}", scope.operator),
            )
        })?;
        let mut c = collector.borrow_mut();
        let index = c.group_names.len() + c.aggregates.len();
        c.aggregates.push(AggregateExpr {
            function: aggregate,
            args: bound,
            ty,
            span,
        });
        Ok(ScalarExpr::column(index, ty, span))
    }

    fn toscalar(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        // `toscalar([kind=...,] T)`: the last argument is the table.
        let Some(table) = args.last() else {
            return Err(arity_error("toscalar", 1, 1, span));
        };
        if !self.is_tabular(table) {
            // `toscalar(2)`: a scalar is its own value.
            return self.scalar(table, scope);
        }
        let plan = self.tabular(table).map_err(super::bind::first_error)?;
        reads_no_parameter(&plan, table.span)?;
        let ty = plan
            .schema()
            .fields
            .first()
            .map_or(DataType::Dynamic, |f| f.ty);
        let id = self.add_subquery(plan, SubqueryShape::Scalar);
        Ok(ScalarExpr {
            kind: ScalarKind::Subquery {
                id,
                shape: SubqueryShape::Scalar,
            },
            ty,
            span,
        })
    }

    /// `column_names_of(T)` (column-names-of-function): the names of `T`'s
    /// columns, a dynamic array known when the query is bound.
    fn column_names_of(&mut self, args: &[Expr], span: Span) -> Result<ScalarExpr, BindError> {
        let [table] = args else {
            return Err(arity_error("column_names_of", 1, 1, span));
        };
        if !self.is_tabular(table) {
            return Err(BindError::new(
                BindErrorKind::Type,
                table.span,
                "column_names_of() expects a tabular expression (a table, a let-bound table or a function call)",
            ));
        }
        let plan = self.tabular(table).map_err(super::bind::first_error)?;
        let names = Value::array(plan.schema().names().map(Value::string).collect());
        Ok(ScalarExpr::literal(names, DataType::Dynamic, span))
    }

    /// `column_ifexists("name", default)`: the column if the input has it.
    fn column_ifexists(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let [name, default] = args else {
            return Err(arity_error("column_ifexists", 2, 2, span));
        };
        let name_value = self.constant_scalar(name)?;
        let Some(Value::String(column)) = name_value.as_literal() else {
            return Err(BindError::new(
                BindErrorKind::Type,
                name.span,
                "column_ifexists expects a constant column name",
            ));
        };
        if let Some(i) = scope.row.index_of(column) {
            return Ok(ScalarExpr::column(i, scope.row.fields[i].ty, span));
        }
        self.scalar(default, scope)
    }
}

/// `ingestion_time()` over the rows of an export: Kusto keeps the time a
/// record was ingested in a hidden column, `$IngestionTime`
/// (https://learn.microsoft.com/azure/data-explorer/kusto/query/ingestion-time-function,
/// .../management/ingestion-time-policy); an export keeps it as
/// `_TimeReceived` (Log Analytics) or `IngestionTime`, and else the event
/// time is the nearest there is. The first of `_TimeReceived`,
/// `IngestionTime` and `TimeGenerated` that the input rows have as a
/// datetime column; `None` (the function's null) when they have none, as
/// after a `project` or `summarize` that dropped them
/// (docs/semantics.md#ingestion_time).
fn ingestion_column(scope: &Scope, span: Span) -> Option<ScalarExpr> {
    ["_TimeReceived", "IngestionTime", "TimeGenerated"]
        .into_iter()
        .find_map(|name| {
            let i = scope.row.index_of(name)?;
            let ty = scope.row.fields.get(i)?.ty;
            (ty == DataType::DateTime).then(|| ScalarExpr::column(i, ty, span))
        })
}

/// A subquery (`toscalar`, `in (T | ...)`) runs once, before the query;
/// one over the rows `mv-apply` or `partition` hands its subquery (an
/// `as` name inside it) would need to run for each of them.
fn reads_no_parameter(
    plan: &crate::plan::logical::LogicalPlan,
    span: Span,
) -> Result<(), BindError> {
    if plan.reads_parameter() {
        return Err(BindError::new(
            BindErrorKind::NotSupported,
            span,
            "a toscalar() or `in` subquery over the rows of an mv-apply or partition subquery is not supported",
        ));
    }
    Ok(())
}

fn workspace_hint(name: &str) -> Option<String> {
    (name.starts_with('_') || name.starts_with("im") || name.starts_with("ASim")).then(|| {
        format!("'{name}' looks like a Log Analytics workspace function (a parser or watchlist); define it with a let statement")
    })
}

pub(super) fn follows_earlier_error(name: &str, span: Span) -> BindError {
    BindError::new(
        BindErrorKind::FollowsEarlierError,
        span,
        format!("'{name}' could not be defined"),
    )
}

pub(super) fn arity_error(name: &str, min: usize, max: usize, span: Span) -> BindError {
    let expected = if min == max {
        format!("{min} argument{}", if min == 1 { "" } else { "s" })
    } else if max == usize::MAX {
        format!("at least {min} arguments")
    } else {
        format!("between {min} and {max} arguments")
    };
    BindError::new(
        BindErrorKind::Arity,
        span,
        format!("The function '{name}' expects {expected}."),
    )
}

fn compare_op(op: BinaryOp) -> CompareOp {
    match op {
        BinaryOp::Eq => CompareOp::Eq,
        BinaryOp::NotEq => CompareOp::NotEq,
        BinaryOp::Lt => CompareOp::Lt,
        BinaryOp::Le => CompareOp::Le,
        BinaryOp::Gt => CompareOp::Gt,
        _ => CompareOp::Ge,
    }
}

fn arith_op(op: BinaryOp) -> ArithOp {
    match op {
        BinaryOp::Add => ArithOp::Add,
        BinaryOp::Sub => ArithOp::Sub,
        BinaryOp::Mul => ArithOp::Mul,
        BinaryOp::Div => ArithOp::Div,
        _ => ArithOp::Mod,
    }
}

/// An `int` expression converted to `long` (a literal folded).
pub(super) fn to_long(e: ScalarExpr) -> ScalarExpr {
    let span = e.span;
    if let Some(Value::Int(i)) = e.as_literal() {
        return ScalarExpr::literal(Value::Long(i64::from(*i)), DataType::Long, span);
    }
    ScalarExpr {
        kind: ScalarKind::Cast {
            operand: Box::new(e),
        },
        ty: DataType::Long,
        span,
    }
}

/// Wraps `e` in a conversion to `ty` unless it already has that type.
pub(super) fn cast(e: ScalarExpr, ty: DataType) -> ScalarExpr {
    if e.ty == ty
        || (ty == DataType::Real && e.ty.is_numeric())
        || (ty == DataType::Long && matches!(e.ty, DataType::Int))
    {
        return e;
    }
    let span = e.span;
    ScalarExpr {
        kind: ScalarKind::Cast {
            operand: Box::new(e),
        },
        ty,
        span,
    }
}

/// The type both sides of a comparison are converted to, if they can be
/// compared at all. A dynamic side takes the other side's type (so a null
/// dynamic compared with a string is `""`, docs/semantics.md#null-dynamic-vs-string).
fn comparison_domain(l: DataType, r: DataType) -> Option<DataType> {
    use DataType::*;
    Some(match (l, r) {
        (Dynamic, Dynamic) => Dynamic,
        (Dynamic, t) | (t, Dynamic) => t,
        (a, b) if a.is_numeric() && b.is_numeric() => {
            if a == Real || b == Real {
                Real
            } else if a == Decimal || b == Decimal {
                Decimal
            } else {
                Long
            }
        }
        (Guid, String) | (String, Guid) => String,
        // A bool against a number compares as 0 or 1, as the official
        // analyzer's (hidden) `bool == scalar` and `bool < number`
        // signatures allow (published detections write `where result == 0`
        // for a bool `result`).
        (Bool, t) | (t, Bool) if t.is_numeric() => {
            if matches!(t, Real | Decimal) {
                Real
            } else {
                Long
            }
        }
        // A bool against a string compares as bools, the string read as
        // `tobool` reads it ('False' is false; other text is null): ASIM
        // detections write `where ipv4_is_private(ip) == 'False'`.
        (Bool, String) | (String, Bool) => Bool,
        (a, b) if a == b => a,
        _ => return None,
    })
}

/// Equality between text and a typed value compares as the typed value:
/// published rules write `SigninLogs | where ResultType == 0` (a string
/// column) and `SecurityEvent | where EventID == '4624'` (an int column),
/// and run in Log Analytics. Orderings stay errors, as in Kusto
/// ("Cannot compare values of types string and long", microsoft/BCTech#24).
fn equality_with_text(l: DataType, r: DataType) -> Option<DataType> {
    let typed = |t: DataType| {
        t.is_numeric()
            || matches!(
                t,
                DataType::Bool | DataType::DateTime | DataType::Timespan | DataType::Guid
            )
    };
    match (l, r) {
        (DataType::String, t) | (t, DataType::String) if typed(t) => Some(t),
        _ => None,
    }
}

fn compare(
    op: CompareOp,
    left: ScalarExpr,
    right: ScalarExpr,
    span: Span,
) -> Result<ScalarExpr, BindError> {
    let domain = comparison_domain(left.ty, right.ty).or_else(|| match op {
        CompareOp::Eq | CompareOp::NotEq => equality_with_text(left.ty, right.ty),
        _ => None,
    });
    let Some(domain) = domain else {
        return Err(BindError::new(
            BindErrorKind::Type,
            span,
            format!(
                "Cannot compare values of types {} and {}. Try adding explicit casts.",
                left.ty, right.ty
            ),
        ));
    };
    Ok(ScalarExpr {
        kind: ScalarKind::Compare {
            op,
            left: Box::new(cast(left, domain)),
            right: Box::new(cast(right, domain)),
        },
        ty: DataType::Bool,
        span,
    })
}

/// The plan's string operator for the syntax tree's.
fn plan_string_op(op: StringOp) -> plan_expr::StringOp {
    use plan_expr::StringOpKind as Plan;
    plan_expr::StringOp {
        kind: match op.kind {
            StringOpKind::Equals => Plan::Equals,
            StringOpKind::Has => Plan::Has,
            StringOpKind::HasPrefix => Plan::HasPrefix,
            StringOpKind::HasSuffix => Plan::HasSuffix,
            StringOpKind::Contains => Plan::Contains,
            StringOpKind::StartsWith => Plan::StartsWith,
            StringOpKind::EndsWith => Plan::EndsWith,
            StringOpKind::Like => Plan::Like,
            StringOpKind::MatchesRegex => Plan::MatchesRegex,
        },
        negated: op.negated,
        case_sensitive: op.case_sensitive,
    }
}

pub(super) fn string_match(
    op: StringOp,
    left: ScalarExpr,
    right: ScalarExpr,
    span: Span,
) -> Result<ScalarExpr, BindError> {
    if op.kind == StringOpKind::Equals && !matches!(left.ty, DataType::String | DataType::Dynamic) {
        // `=~` is string equality; numbers compare with `==`.
        if left.ty != right.ty {
            return Err(BindError::new(
                BindErrorKind::Type,
                span,
                format!(
                    "The operator '=~' is not defined for the operand types {} and {}.",
                    left.ty, right.ty
                ),
            ));
        }
    }
    Ok(ScalarExpr {
        kind: ScalarKind::StringMatch {
            op: plan_string_op(op),
            left: Box::new(cast(left, DataType::String)),
            right: Box::new(cast(right, DataType::String)),
        },
        ty: DataType::Bool,
        span,
    })
}

fn negate(operand: ScalarExpr, span: Span) -> Result<ScalarExpr, BindError> {
    // `-x` over an int is a long, as int arithmetic is (scalar-data-types/int).
    let operand = if operand.ty == DataType::Int {
        to_long(operand)
    } else {
        operand
    };
    let ty = match operand.ty {
        t @ (DataType::Long | DataType::Real | DataType::Decimal | DataType::Timespan) => t,
        DataType::Dynamic => DataType::Real,
        t => {
            return Err(BindError::new(
                BindErrorKind::Type,
                span,
                format!("The operator '-' is not defined for the operand type {t}."),
            ));
        }
    };
    if let Some(v) = operand.as_literal() {
        let folded = match v {
            Value::Long(i) => i.checked_neg().map(Value::Long),
            Value::Int(i) => i.checked_neg().map(Value::Int),
            Value::Real(r) => Some(Value::Real(-r)),
            Value::Timespan(t) => {
                t.0.checked_neg()
                    .map(|n| Value::Timespan(crate::value::Timespan(n)))
            }
            _ => None,
        };
        if let Some(v) = folded {
            return Ok(ScalarExpr::literal(v, ty, span));
        }
    }
    Ok(ScalarExpr {
        kind: ScalarKind::Negate {
            operand: Box::new(operand),
        },
        ty,
        span,
    })
}

/// The result type of `l op r` (docs/semantics.md#arithmetic), with a
/// dynamic operand typed as the official analyzer's operator signatures
/// type it (Kusto.Language `Operators.cs`): `dynamic ± int` is a long,
/// `dynamic` with another number, a timespan or a datetime takes that
/// type, except `datetime - dynamic` and `dynamic - datetime`, which are
/// timespans (the dynamic side is read as a datetime).
pub(super) fn arithmetic_type(op: ArithOp, l: DataType, r: DataType) -> Option<DataType> {
    use DataType::*;
    let number = |t: DataType| t.is_numeric();
    Some(match (op, l, r) {
        (_, Dynamic, Dynamic) => Dynamic,
        (ArithOp::Sub, DateTime, Dynamic) | (ArithOp::Sub, Dynamic, DateTime) => Timespan,
        (ArithOp::Add | ArithOp::Sub, Dynamic, t @ (DateTime | Timespan))
        | (ArithOp::Add | ArithOp::Sub, t @ (DateTime | Timespan), Dynamic) => t,
        (_, Dynamic, Int) | (_, Int, Dynamic) => Long,
        (_, Dynamic, t) | (_, t, Dynamic) if number(t) => t,
        (ArithOp::Sub, DateTime, DateTime) => Timespan,
        (ArithOp::Add | ArithOp::Sub, DateTime, Timespan) => DateTime,
        (ArithOp::Add, Timespan, DateTime) => DateTime,
        // `datetime % timespan`: the time since the last whole multiple of
        // the timespan, counted from 0001-01-01 (the official analyzer's
        // modulo signature over datetime and timespan).
        (ArithOp::Mod, DateTime, Timespan) => Timespan,
        (ArithOp::Add | ArithOp::Sub | ArithOp::Mod, Timespan, Timespan) => Timespan,
        (ArithOp::Div, Timespan, Timespan) => Real,
        (ArithOp::Mul | ArithOp::Div, Timespan, t) if number(t) => Timespan,
        (ArithOp::Mul, t, Timespan) if number(t) => Timespan,
        (_, a, b) if number(a) && number(b) => {
            if a == Real || b == Real {
                Real
            } else if a == Decimal || b == Decimal {
                Decimal
            } else {
                Long
            }
        }
        (_, Dynamic, Timespan) | (_, Timespan, Dynamic) => Timespan,
        _ => return None,
    })
}

/// The type a dynamic operand is read as when the other side is a
/// datetime or a timespan (see [`arithmetic_type`]): the datetime that
/// `datetime - dynamic` subtracts, else the timespan added or subtracted.
fn dynamic_operand_type(op: ArithOp, other: DataType) -> Option<DataType> {
    match (op, other) {
        (ArithOp::Sub, DataType::DateTime) => Some(DataType::DateTime),
        (ArithOp::Add | ArithOp::Sub, DataType::DateTime | DataType::Timespan) => {
            Some(DataType::Timespan)
        }
        _ => None,
    }
}

fn arithmetic(
    op: ArithOp,
    left: ScalarExpr,
    right: ScalarExpr,
    span: Span,
) -> Result<ScalarExpr, BindError> {
    let Some(ty) = arithmetic_type(op, left.ty, right.ty) else {
        let symbol = match op {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        };
        return Err(BindError::new(
            BindErrorKind::Type,
            span,
            format!(
                "The operator '{symbol}' is not defined for the operand types {} and {}.",
                left.ty, right.ty
            ),
        ));
    };
    // A dynamic side next to a datetime or timespan is converted to the
    // type the operator reads it as (a JSON date string to a datetime).
    let (left, right) = match (left.ty, right.ty) {
        (DataType::Dynamic, other) if other != DataType::Dynamic => {
            match dynamic_operand_type(op, other) {
                Some(t) => (cast(left, t), right),
                None => (left, right),
            }
        }
        (other, DataType::Dynamic) if other != DataType::Dynamic => {
            match dynamic_operand_type(op, other) {
                Some(t) => (left, cast(right, t)),
                None => (left, right),
            }
        }
        _ => (left, right),
    };
    Ok(ScalarExpr {
        kind: ScalarKind::Arithmetic {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        ty,
        span,
    })
}

fn between(
    negated: bool,
    e: ScalarExpr,
    low: ScalarExpr,
    high: ScalarExpr,
    span: Span,
) -> Result<ScalarExpr, BindError> {
    // `t between (start .. 3d)`: a timespan upper bound counts from `start`.
    let high = if matches!(e.ty, DataType::DateTime | DataType::Dynamic)
        && low.ty == DataType::DateTime
        && high.ty == DataType::Timespan
    {
        arithmetic(ArithOp::Add, low.clone(), high, span)?
    } else {
        high
    };
    let domain = comparison_domain(e.ty, low.ty)
        .and_then(|d| comparison_domain(d, high.ty))
        .filter(|d| !matches!(d, DataType::String | DataType::Bool | DataType::Guid))
        .ok_or_else(|| {
            BindError::new(
                BindErrorKind::Type,
                span,
                format!(
                    "'between' is not defined for values of types {}, {} and {}",
                    e.ty, low.ty, high.ty
                ),
            )
        })?;
    Ok(ScalarExpr {
        kind: ScalarKind::Between {
            negated,
            expr: Box::new(cast(e, domain)),
            low: Box::new(cast(low, domain)),
            high: Box::new(cast(high, domain)),
        },
        ty: DataType::Bool,
        span,
    })
}

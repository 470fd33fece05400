//! Statements and `let`: the binder's environment, and the entry point.

use super::scalar::Scope;
use super::workspace::Workspace;
use super::{BindError, BindErrorKind};
use crate::catalog::Catalog;
use crate::diagnostic::Note;
use crate::functions::EvalContext;
use crate::plan::expr::{ScalarExpr, SubqueryShape};
use crate::plan::logical::{LogicalPlan, Materialize};
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, LetValue, Statement, StatementKind};
use std::collections::HashMap;
use std::sync::Arc;

/// A bound query: the plan of each tabular statement, in order, and the
/// subqueries (`toscalar`, `in (T | ...)`) they refer to by position.
#[derive(Clone, Debug)]
pub struct BoundQuery {
    pub results: Vec<LogicalPlan>,
    /// The name of each result table, where the query gives one (a `fork`
    /// leg's `name = (...)` or its last `as Name`); parallel to `results`.
    pub result_names: Vec<Option<String>>,
    /// Indexed by the `id` of `ScalarKind::Subquery`; a subquery may use
    /// the ones before it.
    pub subqueries: Vec<Subquery>,
    /// Whether some output columns depend on the data and were not read
    /// yet (an operator such as `evaluate bag_unpack` was bound without a
    /// [`Probe`]): the schemas are stand-ins, and the query must be bound
    /// again with a probe before it runs.
    pub needs_data: bool,
    /// Remarks on the query that are not errors: a `union isfuzzy=true`
    /// leg left out because it does not resolve.
    pub notes: Vec<Note>,
}

/// Runs a plan while the query is being bound, for operators whose output
/// columns depend on the data (`evaluate bag_unpack(d)` makes a column per
/// key found in `d`). `subqueries` are the ones bound so far; the plan may
/// refer to them.
pub trait Probe {
    fn rows(&self, plan: &LogicalPlan, subqueries: &[Subquery]) -> Result<ProbedRows, ProbeFailed>;
}

pub type ProbedRows = Arc<Vec<Vec<crate::value::Value>>>;

/// A probe that could not run its plan; the probe keeps the reason (an
/// input that cannot be read) for its caller to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeFailed;

#[derive(Clone, Debug)]
pub struct Subquery {
    pub plan: LogicalPlan,
    pub shape: SubqueryShape,
}

/// A result table's plan and its name, if the query gives one.
pub(super) type ResultTable = (LogicalPlan, Option<String>);

/// What a `let` name stands for.
#[derive(Clone, Debug)]
pub(super) enum Binding {
    /// A scalar that does not depend on a row.
    Scalar(ScalarExpr),
    Tabular(LogicalPlan),
    Function(Arc<FunctionDef>),
    /// A graph (`let g = E | make-graph ...`), which only a graph operator
    /// may read (see `semantic::graph`).
    Graph(Arc<super::graph::BoundGraph>),
    /// A `let` whose value failed to bind (its error is already reported).
    Failed,
}

/// One argument of a call of a `let` function.
pub(super) struct Argument {
    pub name: Option<String>,
    pub binding: Binding,
    pub span: Span,
}

#[derive(Debug)]
pub(super) struct FunctionDef {
    pub name: String,
    pub params: Vec<ast::Param>,
    pub body: ast::FunctionBody,
    /// Where a stored function was read from (`None` for a `let` in the
    /// query): errors in its body are reported at the call, naming it.
    pub origin: Option<String>,
}

/// Nesting limit for calls of `let` functions (they are inlined).
const MAX_CALL_DEPTH: usize = 64;

pub(super) struct Binder<'c> {
    pub catalog: &'c Catalog,
    pub ctx: EvalContext,
    /// `let` scopes, innermost last.
    frames: Vec<HashMap<String, Binding>>,
    pub subqueries: Vec<Subquery>,
    pub next_materialized_id: usize,
    pub call_depth: usize,
    /// Runs the inputs of data-shaped operators; `None` in the first pass,
    /// which binds them with stand-in schemas.
    pub probe: Option<&'c dyn Probe>,
    /// How many data-shaped operators were bound with a stand-in schema.
    pub unprobed: usize,
    /// Plan nodes copied so far for references to `let` tables (see
    /// [`MAX_COPIED_PLAN_NODES`]).
    pub copied_plan_nodes: usize,
    /// Values given for declared query parameters, by name: they take the
    /// place of the declaration's default.
    params: &'c HashMap<String, ScalarExpr>,
    /// Stored functions, watchlists and `externaldata` mirrors.
    pub workspace: &'c Workspace,
    /// See [`BoundQuery::notes`].
    pub notes: Vec<Note>,
    /// The request options the query's `set` statements gave so far
    /// (`set query_bin_auto_size = 1h`), by name, bound as constants.
    pub options: HashMap<String, ScalarExpr>,
}

/// How many plan nodes the references to `let` tables may copy in one
/// query. Each reference copies the plan, so a chain of `let`s, each using
/// the one before, copies quadratically: 4,000 of them took 3 GB. Real
/// queries copy a few hundred nodes.
pub(super) const MAX_COPIED_PLAN_NODES: usize = 1_000_000;

/// Binds a parsed query against `catalog`. `ctx` supplies `now()`, which
/// constant expressions (`take`, `range` bounds) are folded with.
///
/// Reads no data: an operator whose output columns depend on the data
/// (`evaluate bag_unpack`) gets a stand-in schema, and the result says
/// [`BoundQuery::needs_data`]. Errors that may only follow from such a
/// stand-in are marked [`BindError::provisional`]; the others are real.
/// [`bind_probed`] then binds the query for running.
pub fn bind(
    query: &ast::Query,
    catalog: &Catalog,
    ctx: EvalContext,
) -> Result<BoundQuery, Vec<BindError>> {
    bind_with(query, catalog, ctx, None, &HashMap::new())
}

/// Binds a parsed query, running the input of every data-shaped operator
/// with `probe` to learn its output columns.
pub fn bind_probed(
    query: &ast::Query,
    catalog: &Catalog,
    ctx: EvalContext,
    probe: &dyn Probe,
) -> Result<BoundQuery, Vec<BindError>> {
    bind_with(query, catalog, ctx, Some(probe), &HashMap::new())
}

/// Binds a parsed query as [`bind`] (no `probe`) or [`bind_probed`] do,
/// with values for its declared query parameters (`declare
/// query_parameters`), by name, already of their declared types; a
/// parameter without a value takes its default.
pub fn bind_with_params(
    query: &ast::Query,
    catalog: &Catalog,
    ctx: EvalContext,
    probe: Option<&dyn Probe>,
    params: &HashMap<String, ScalarExpr>,
) -> Result<BoundQuery, Vec<BindError>> {
    bind_with(query, catalog, ctx, probe, params)
}

/// Binds a parsed query as [`bind_with_params`] does, with the stored
/// functions, watchlists and `externaldata` mirrors of `workspace`.
pub fn bind_in_workspace(
    query: &ast::Query,
    catalog: &Catalog,
    workspace: &Workspace,
    ctx: EvalContext,
    probe: Option<&dyn Probe>,
    params: &HashMap<String, ScalarExpr>,
) -> Result<BoundQuery, Vec<BindError>> {
    bind_full(query, catalog, workspace, ctx, probe, params)
}

fn bind_with(
    query: &ast::Query,
    catalog: &Catalog,
    ctx: EvalContext,
    probe: Option<&dyn Probe>,
    params: &HashMap<String, ScalarExpr>,
) -> Result<BoundQuery, Vec<BindError>> {
    bind_full(query, catalog, &Workspace::new(), ctx, probe, params)
}

fn bind_full(
    query: &ast::Query,
    catalog: &Catalog,
    workspace: &Workspace,
    ctx: EvalContext,
    probe: Option<&dyn Probe>,
    params: &HashMap<String, ScalarExpr>,
) -> Result<BoundQuery, Vec<BindError>> {
    let mut binder = Binder {
        workspace,
        catalog,
        ctx,
        frames: vec![HashMap::new()],
        subqueries: Vec::new(),
        next_materialized_id: 0,
        call_depth: 0,
        probe,
        unprobed: 0,
        copied_plan_nodes: 0,
        params,
        notes: Vec::new(),
        options: HashMap::new(),
    };
    let mut results = Vec::new();
    let mut result_names = Vec::new();
    let mut errors = Vec::new();
    for statement in &query.statements {
        match binder.statement(statement) {
            Ok(tables) => {
                for (plan, name) in tables {
                    results.push(plan);
                    result_names.push(name);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    errors.retain(|e| e.kind != BindErrorKind::FollowsEarlierError);
    if results.is_empty() && errors.is_empty() {
        errors.push(BindError::new(
            BindErrorKind::Invalid,
            Span::point(query.span.end as usize),
            "the query has no tabular expression statement to run",
        ));
    }
    if errors.is_empty() {
        Ok(BoundQuery {
            results,
            result_names,
            subqueries: binder.subqueries,
            needs_data: binder.unprobed > 0,
            notes: binder.notes,
        })
    } else {
        Err(errors)
    }
}

impl Binder<'_> {
    /// The result tables of a statement (none for `let`, `set` and
    /// `declare`), each with its name if the query gives one.
    fn statement(&mut self, statement: &Statement) -> Result<Vec<ResultTable>, Vec<BindError>> {
        match &statement.kind {
            StatementKind::Let { name, value } => match self.let_value(&name.name, value) {
                Ok(binding) => {
                    self.define(&name.name, binding);
                    Ok(Vec::new())
                }
                Err(e) => {
                    self.define(&name.name, Binding::Failed);
                    Err(vec![e])
                }
            },
            StatementKind::Set { name, value } => {
                self.set_option(&name.name, value.as_ref())
                    .map_err(|e| vec![e])?;
                Ok(Vec::new())
            }
            StatementKind::DeclareQueryParameters { params } => {
                for p in params {
                    if let Some(value) = self.params.get(&p.name.name) {
                        self.define(&p.name.name, Binding::Scalar(value.clone()));
                        continue;
                    }
                    let Some(default) = &p.default else {
                        // Uses of the parameter then report nothing more.
                        self.define(&p.name.name, Binding::Failed);
                        return Err(vec![
                            BindError::new(
                                BindErrorKind::Invalid,
                                p.span,
                                format!("query parameter '{}' has no value", p.name.name),
                            )
                            .with_label(
                                "declared without a default, and no value was given for it",
                            ),
                        ]);
                    };
                    let value = self.constant_scalar(default).map_err(|e| vec![e])?;
                    self.define(&p.name.name, Binding::Scalar(value));
                }
                Ok(Vec::new())
            }
            StatementKind::Expr { expr } => self.statement_tables(expr),
        }
    }

    pub(super) fn define(&mut self, name: &str, binding: Binding) {
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_string(), binding);
        }
    }

    /// Opens a scope of `let` names (closed by [`Self::pop_frame`]).
    pub(super) fn push_frame(&mut self) {
        self.frames.push(HashMap::new());
    }

    pub(super) fn pop_frame(&mut self) {
        self.frames.pop();
    }

    pub(super) fn lookup(&self, name: &str) -> Option<&Binding> {
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.get(name))
            .or_else(|| self.workspace.function(name))
    }

    /// Every `let` name in scope, for suggestions.
    pub(super) fn let_names(&self) -> Vec<&str> {
        self.frames
            .iter()
            .flat_map(|f| f.keys().map(String::as_str))
            .collect()
    }

    fn let_value(&mut self, name: &str, value: &LetValue) -> Result<Binding, BindError> {
        match value {
            LetValue::Function { params, body, .. } => {
                Ok(Binding::Function(Arc::new(FunctionDef {
                    name: name.to_string(),
                    params: params.clone(),
                    body: body.clone(),
                    origin: None,
                })))
            }
            LetValue::Expr { expr } if super::graph::is_graph_expr(expr) => {
                let graph = self.graph_value(expr).map_err(first_error)?;
                Ok(Binding::Graph(Arc::new(graph)))
            }
            LetValue::Expr { expr } => {
                if self.is_tabular(expr) {
                    let plan = self.tabular(expr).map_err(first_error)?;
                    Ok(Binding::Tabular(plan))
                } else {
                    Ok(Binding::Scalar(self.constant_scalar(expr)?))
                }
            }
        }
    }

    /// A scalar expression that depends on no row (a `let` value, a
    /// parameter default, an argument of `take`).
    pub(super) fn constant_scalar(&mut self, expr: &Expr) -> Result<ScalarExpr, BindError> {
        let empty = crate::schema::Schema::default();
        self.scalar(expr, &Scope::new(&empty, "let"))
    }

    /// Whether `expr` denotes a table (decided from its shape and from what
    /// the names in it are bound to).
    pub(super) fn is_tabular(&self, expr: &Expr) -> bool {
        self.is_tabular_within(expr, &mut Vec::new())
    }

    /// [`Self::is_tabular`], with the functions whose bodies are being
    /// looked through: a function met again (it calls itself, directly or
    /// through others) is taken as scalar here, and binding its call then
    /// stops at [`MAX_CALL_DEPTH`] with a clear error instead of looping.
    fn is_tabular_within<'a>(&'a self, expr: &'a Expr, seen: &mut Vec<&'a FunctionDef>) -> bool {
        match &expr.kind {
            ExprKind::Pipe { .. } | ExprKind::Source { .. } => true,
            ExprKind::Paren { expr } => self.is_tabular_within(expr, seen),
            ExprKind::Member { target, .. } if super::request::is_database_call(target) => true,
            ExprKind::Name { name } => match self.lookup(&name.name) {
                Some(Binding::Tabular(_)) => true,
                Some(_) => false,
                None => self.catalog.get(&name.name).is_some(),
            },
            ExprKind::Call { name, .. } => match name.name.as_str() {
                "materialize"
                | "table"
                | "view"
                | "_GetWatchlist"
                | "external_table"
                | "materialized_view"
                | "stored_query_result" => true,
                n => match self.lookup(n) {
                    Some(Binding::Function(f)) => self.function_is_tabular(f, seen),
                    _ => false,
                },
            },
            _ => false,
        }
    }

    fn function_is_tabular<'a>(
        &'a self,
        f: &'a FunctionDef,
        seen: &mut Vec<&'a FunctionDef>,
    ) -> bool {
        if seen.iter().any(|s| std::ptr::eq(*s, f)) {
            return false;
        }
        let Some(last) = f.body.statements.last() else {
            return false;
        };
        let StatementKind::Expr { expr } = &last.kind else {
            return false;
        };
        seen.push(f);
        let tabular = self.body_result_is_tabular(f, expr, f.body.statements.len() - 1, seen);
        seen.pop();
        tabular
    }

    /// Whether `expr`, in `f`'s body before statement `before`, denotes a
    /// table: a bare name is looked up first among the body's own `let`s
    /// (`let x = table(name) | …; x`, the shape of a published rule's
    /// helper function), then among the parameters, then outside.
    fn body_result_is_tabular<'a>(
        &'a self,
        f: &'a FunctionDef,
        expr: &'a Expr,
        before: usize,
        seen: &mut Vec<&'a FunctionDef>,
    ) -> bool {
        let ExprKind::Name { name } = &expr.kind else {
            return self.is_tabular_within(expr, seen);
        };
        let inner = f.body.statements[..before]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, s)| match &s.kind {
                StatementKind::Let { name: n, value } if n.name == name.name => Some((i, value)),
                _ => None,
            });
        match inner {
            Some((i, LetValue::Expr { expr })) => self.body_result_is_tabular(f, expr, i, seen),
            Some((_, LetValue::Function { .. })) => false,
            None => {
                f.params.iter().any(|p| {
                    p.name.name == name.name && matches!(p.ty, ast::ParamType::Tabular { .. })
                }) || self.is_tabular_within(expr, seen)
            }
        }
    }

    /// Binds the arguments of a call of a `let` function: tables as
    /// tables, scalars in the caller's `scope`, `name = value` by name.
    pub(super) fn call_arguments(
        &mut self,
        args: &[Expr],
        scope: &Scope,
    ) -> Result<Vec<Argument>, BindError> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            let (name, value) = match &a.kind {
                ExprKind::NamedArg { name, value } => (Some(name.name.clone()), &**value),
                _ => (None, a),
            };
            let binding = if self.is_tabular(value) {
                Binding::Tabular(self.tabular(value).map_err(first_error)?)
            } else {
                Binding::Scalar(self.scalar(value, scope)?)
            };
            out.push(Argument {
                name,
                binding,
                span: a.span,
            });
        }
        Ok(out)
    }

    /// Binds the body of a `let` function for one call: parameters are bound
    /// to the arguments (by position, then by name, then to their defaults)
    /// in a new scope, then the body's statements run.
    pub(super) fn call_function(
        &mut self,
        f: &FunctionDef,
        args: Vec<Argument>,
        span: Span,
    ) -> Result<Binding, BindError> {
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!("calls of '{}' nest more than {MAX_CALL_DEPTH} deep", f.name),
            ));
        }
        let arity_error = || {
            let required = f.params.iter().filter(|p| p.default.is_none()).count();
            let expected = if required == f.params.len() {
                format!("{required}")
            } else {
                format!("between {required} and {}", f.params.len())
            };
            BindError::new(
                BindErrorKind::Arity,
                span,
                format!("The function '{}' expects {expected} arguments.", f.name),
            )
        };
        let mut slots: Vec<Option<Binding>> = vec![None; f.params.len()];
        let mut position = 0;
        for arg in args {
            let index = match &arg.name {
                Some(name) => f
                    .params
                    .iter()
                    .position(|p| p.name.name == *name)
                    .ok_or_else(|| {
                        BindError::new(
                            BindErrorKind::Invalid,
                            arg.span,
                            format!("the function '{}' has no parameter named '{name}'", f.name),
                        )
                    })?,
                // A positional argument takes the next parameter not yet
                // given by name: `checkLength(len=3, input)` (the
                // assert-function page) gives `input` to the second.
                None => {
                    while slots.get(position).is_some_and(Option::is_some) {
                        position += 1;
                    }
                    position += 1;
                    position - 1
                }
            };
            match slots.get_mut(index) {
                Some(slot) => *slot = Some(arg.binding),
                None => return Err(arity_error()),
            }
        }
        let mut frame = HashMap::new();
        for (p, slot) in f.params.iter().zip(slots) {
            let binding = match (slot, &p.default) {
                (Some(b), _) => b,
                (None, Some(default)) => Binding::Scalar(self.constant_scalar(default)?),
                (None, None) => return Err(arity_error()),
            };
            frame.insert(p.name.name.clone(), binding);
        }
        // A stored function sees only its parameters and the workspace,
        // not the caller's `let`s.
        let saved = match &f.origin {
            Some(_) => Some(std::mem::replace(&mut self.frames, vec![frame])),
            None => {
                self.frames.push(frame);
                None
            }
        };
        self.call_depth += 1;
        let result = self.function_body(f, span);
        self.call_depth -= 1;
        match saved {
            Some(frames) => self.frames = frames,
            None => {
                self.frames.pop();
            }
        }
        match (&f.origin, result) {
            (Some(origin), Err(e)) if e.kind != BindErrorKind::FollowsEarlierError => {
                Err(in_stored_function(f, origin, e, span))
            }
            (_, result) => result,
        }
    }

    fn function_body(&mut self, f: &FunctionDef, span: Span) -> Result<Binding, BindError> {
        let mut result = None;
        for statement in &f.body.statements {
            match &statement.kind {
                StatementKind::Let { name, value } => {
                    let binding = self.let_value(&name.name, value)?;
                    self.define(&name.name, binding);
                }
                StatementKind::Expr { expr } => {
                    result = Some(if self.is_tabular(expr) {
                        Binding::Tabular(self.tabular(expr).map_err(first_error)?)
                    } else {
                        // Parameters bound to the caller's row expressions make
                        // the body depend on that row; it is inlined there.
                        Binding::Scalar(self.constant_scalar(expr)?)
                    });
                }
                StatementKind::Set { .. } | StatementKind::DeclareQueryParameters { .. } => {}
            }
        }
        result.ok_or_else(|| {
            BindError::new(
                BindErrorKind::Invalid,
                span,
                format!("the function '{}' has no result expression", f.name),
            )
        })
    }

    pub(super) fn next_materialized(&mut self) -> usize {
        self.next_materialized_id += 1;
        self.next_materialized_id
    }

    /// Registers a subquery run before the main query; returns its id.
    pub(super) fn add_subquery(&mut self, plan: LogicalPlan, shape: SubqueryShape) -> usize {
        self.subqueries.push(Subquery { plan, shape });
        self.subqueries.len() - 1
    }
}

/// An error in the body of a stored function, reported at its call: the
/// body's positions are not the query's.
fn in_stored_function(f: &FunctionDef, origin: &str, e: BindError, call: Span) -> BindError {
    if e.message.starts_with("in function '") {
        return BindError { span: call, ..e };
    }
    let mut out = BindError::new(
        e.kind.clone(),
        call,
        format!("in function '{}' ({origin}): {}", f.name, e.message),
    );
    out.help = e.help;
    out.provisional = e.provisional;
    out
}

pub(super) fn first_error(mut errors: Vec<BindError>) -> BindError {
    if errors.is_empty() {
        BindError::new(
            BindErrorKind::Invalid,
            Span::default(),
            "invalid expression",
        )
    } else {
        errors.swap_remove(0)
    }
}

/// A materialized plan is shared by every reference to it.
pub(super) fn materialize(id: usize, plan: LogicalPlan) -> LogicalPlan {
    LogicalPlan::Materialize(Materialize {
        id,
        input: Arc::new(plan),
    })
}

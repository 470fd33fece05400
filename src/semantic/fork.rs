//! Operators whose result is several tables: `fork`
//! (<https://learn.microsoft.com/kusto/query/fork-operator>) and `facet`
//! (<https://learn.microsoft.com/kusto/query/facet-operator>). They end a
//! tabular expression statement; each table they make is a result table of
//! the query, as a `;`-separated statement's is. Their input is computed
//! once and shared by the tables (a materialized plan).

use super::bind::{Binder, ResultTable, materialize};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::LogicalPlan;
use crate::syntax::ast::{Expr, ExprKind, ForkBranch, Ident, NamedExpr, Operator, OperatorKind};

/// The operators a `fork` leg may use (the page's "Supported query
/// operators").
const FORK_OPERATORS: &[&str] = &[
    "as",
    "count",
    "extend",
    "parse",
    "where",
    "take",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "summarize",
    "top",
    "top-nested",
    "sort",
    "mv-expand",
    "reduce",
];

impl Binder<'_> {
    /// The result tables of a tabular expression statement: one, or those
    /// of the `fork` or `facet` that ends it.
    pub(super) fn statement_tables(
        &mut self,
        expr: &Expr,
    ) -> Result<Vec<ResultTable>, Vec<BindError>> {
        if let ExprKind::Pipe { input, operator } = &expr.kind {
            match &operator.kind {
                OperatorKind::Fork { branches } => {
                    let input = self.tabular(input)?;
                    return self.fork(input, branches);
                }
                OperatorKind::Facet { columns, with } => {
                    let input = self.tabular(input)?;
                    return self.facet(input, columns, with.as_deref());
                }
                OperatorKind::Graph(g) => return self.graph_tables(input, g, operator.span),
                _ => {}
            }
        }
        Ok(vec![(self.tabular(expr)?, None)])
    }

    /// `fork [name =] (ops) ...`: one table per leg, its operators applied
    /// to the shared input; a leg's name is `name =` or its last `as Name`,
    /// else `Results` or `Results_N` by its position (see `unnamed_leg`).
    fn fork(
        &mut self,
        input: LogicalPlan,
        branches: &[ForkBranch],
    ) -> Result<Vec<ResultTable>, Vec<BindError>> {
        let shared = self.shared_input(input, branches.len());
        let mut tables = Vec::new();
        let mut errors = Vec::new();
        for (position, branch) in branches.iter().enumerate() {
            match self.fork_leg(shared.clone(), branch) {
                Ok((plan, name)) => {
                    tables.push((plan, Some(name.unwrap_or_else(|| unnamed_leg(position)))))
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(tables)
        } else {
            Err(errors)
        }
    }

    fn fork_leg(
        &mut self,
        input: LogicalPlan,
        branch: &ForkBranch,
    ) -> Result<ResultTable, Vec<BindError>> {
        let mut name = branch.name.as_ref().map(|n| n.name.clone());
        let mut plan = input;
        for op in &branch.operators {
            let op_name = operator_name(&op.kind);
            if !FORK_OPERATORS.contains(&op_name) {
                return Err(one(
                    BindError::new(
                        BindErrorKind::Invalid,
                        op.span,
                        format!("'fork' operator: the '{op_name}' operator is not supported in a fork subquery"),
                    )
                    .with_label("not one of the operators a fork subquery may use")
                    .with_help(Some(format!(
                        "a fork subquery may use {}",
                        FORK_OPERATORS.join(", ")
                    ))),
                ));
            }
            if let OperatorKind::As { name: n, .. } = &op.kind {
                name = Some(n.name.clone());
            }
            plan = self.pipe_operator(plan, op)?;
        }
        Ok((plan, name))
    }

    /// `facet by c1, c2 [with (ops)]`: the `with` table first (the page's
    /// order), then for each column the count of rows of each of its
    /// values, columns `c` and `count_c`, values in order of first
    /// appearance, named `Facet`, `Facet_2`... as the official analyzer
    /// names them (the `with` table has no name).
    fn facet(
        &mut self,
        input: LogicalPlan,
        columns: &[Ident],
        with: Option<&Expr>,
    ) -> Result<Vec<ResultTable>, Vec<BindError>> {
        let readers = columns.len() + usize::from(with.is_some());
        let shared = self.shared_input(input, readers);
        let mut tables = Vec::new();
        let mut errors = Vec::new();
        if let Some(with) = with {
            match self.tabular_on(with, shared.clone()) {
                Ok(plan) => tables.push((plan, None)),
                Err(mut e) => errors.append(&mut e),
            }
        }
        for (position, column) in columns.iter().enumerate() {
            let Some(index) = shared.schema().index_of(&column.name) else {
                errors.push(super::project::unknown_column(
                    &column.name,
                    column.span,
                    shared.schema(),
                    "facet",
                ));
                continue;
            };
            // The official analyzer refuses a dynamic facet column (KS116,
            // `CheckIsNotType(expr, ScalarTypes.Dynamic)` in its facet
            // binder), not with summarize's message.
            if shared.schema().fields[index].ty == crate::types::DataType::Dynamic
                && !self.catalog.dynamic_keys
            {
                errors.push(self.dynamic_key_error("facet", &column.name, column.span));
                continue;
            }
            let count = NamedExpr {
                names: vec![Ident {
                    name: format!("count_{}", column.name),
                    span: column.span,
                }],
                expr: Expr {
                    kind: ExprKind::Call {
                        name: Ident {
                            name: "count".to_string(),
                            span: column.span,
                        },
                        args: Vec::new(),
                    },
                    span: column.span,
                },
                span: column.span,
            };
            let by = NamedExpr {
                names: Vec::new(),
                expr: Expr {
                    kind: ExprKind::Name {
                        name: column.clone(),
                    },
                    span: column.span,
                },
                span: column.span,
            };
            match self.summarize(shared.clone(), &[count], &[by], column.span) {
                Ok(plan) => tables.push((plan, Some(numbered("Facet", position)))),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(tables)
        } else {
            Err(errors)
        }
    }

    /// `input`, materialized when more than one table reads it.
    pub(super) fn shared_input(&mut self, input: LogicalPlan, readers: usize) -> LogicalPlan {
        if readers > 1 {
            let id = self.next_materialized();
            materialize(id, input)
        } else {
            input
        }
    }
}

/// The name of an unnamed `fork` leg at `position` (from 0): the official
/// analyzer's `Results`, `Results_2`, `Results_3`... (its fork binder names
/// each leg's table by its position; the page names only legs given a name).
fn unnamed_leg(position: usize) -> String {
    numbered("Results", position)
}

/// `base` for the first table, `base_N` for the Nth after it (N from 2), as
/// the official analyzer numbers `fork` and `facet` tables.
fn numbered(base: &str, position: usize) -> String {
    if position == 0 {
        base.to_string()
    } else {
        format!("{base}_{}", position + 1)
    }
}

/// `fork` or `facet` anywhere but at the end of a statement: their tables
/// cannot be the input of another operator (facet-operator: "Facet result
/// tables can't be renamed or referenced by any additional operators").
pub(super) fn several_tables_here(operator: &Operator) -> BindError {
    let name = operator_name(&operator.kind);
    BindError::new(
        BindErrorKind::Invalid,
        operator.span,
        format!(
            "'{name}' operator: its result is several tables, so it must be the last operator of a query statement"
        ),
    )
    .with_label("no operator, let or function can take these tables as its input")
}

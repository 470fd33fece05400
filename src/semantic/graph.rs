//! The graph operators (<https://learn.microsoft.com/kusto/query/graph-operators>).
//!
//! `make-graph` returns a graph, which only a graph operator may read
//! (make-graph-operator: "must be followed by a graph operator"): a graph
//! is bound when the operator that reads it is, walking back through
//! `graph-mark-components` to `make-graph`, into one [`Graph`] plan.
//!
//! `graph-match`'s constraints and projection read the pattern's variables
//! (`a.name`, `node_degree_in(a)`, `map(e, line)`): they are rewritten to
//! columns of the match row (see `plan::nodes::graph`) and bound as any
//! expression over it. The bodies of `all()`, `any()` and `map()` are
//! bound over one edge (its columns) or one inner node (its properties,
//! `node_id()`, `node_degree_in()`, `node_degree_out()`).

use super::bind::{Binder, Binding};
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::Scope;
use super::tabular::{Bound, one, predicate_of};
use super::{BindError, BindErrorKind};
use crate::plan::logical::{
    ComponentKind, Cycles, Direction, Graph, GraphLambda, GraphMatch, GraphOp, GraphSpec,
    LambdaKind, LogicalPlan, PatternEdge,
};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{
    BinaryOp, EdgeDirection, Expr, ExprKind, GraphOperator, GraphSequence, GraphTableItem, Ident,
    Literal, NamedExpr, OperatorKind,
};
use crate::types::DataType;
use std::collections::HashMap;

/// The graph functions of a pattern's expressions (graph-match-operator).
const NODE_FUNCTIONS: &[&str] = &["node_degree_in", "node_degree_out", "node_id"];

/// Whether `expr` gives a graph: it ends with `make-graph` or
/// `graph-mark-components`.
pub(super) fn is_graph_expr(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Paren { expr } => is_graph_expr(expr),
        ExprKind::Pipe { operator, .. } => matches!(
            &operator.kind,
            OperatorKind::Graph(g) if matches!(
                **g,
                GraphOperator::MakeGraph { partition: None, .. }
                    | GraphOperator::MarkComponents { .. }
            )
        ),
        _ => false,
    }
}

/// The name of a graph operator, for messages.
pub(super) fn graph_operator_name(g: &GraphOperator) -> &'static str {
    match g {
        GraphOperator::MakeGraph { .. } => "make-graph",
        GraphOperator::ToTable { .. } => "graph-to-table",
        GraphOperator::Match {
            shortest: false, ..
        } => "graph-match",
        GraphOperator::Match { shortest: true, .. } => "graph-shortest-paths",
        GraphOperator::MarkComponents { .. } => "graph-mark-components",
    }
}

const GRAPH_OPERATORS: &str =
    "graph-match, graph-shortest-paths, graph-to-table or graph-mark-components";

/// A graph being bound: its inputs and how it is built.
#[derive(Clone, Debug)]
pub(super) struct BoundGraph {
    inputs: Vec<LogicalPlan>,
    spec: GraphSpec,
    /// The edges' columns.
    edge_schema: Schema,
    /// The type of the node ids.
    id_type: DataType,
}

const PARTITION_SUBQUERY: &str = "make-graph ... partitioned-by: the subquery is graph operators applied to each partition's graph (`(graph-match ...)`)";

/// `graph-mark-components [kind=...] [with_component_id=...]` over `graph`:
/// one more node property, the component's index.
fn mark_components(
    mut graph: BoundGraph,
    kind: Option<&Ident>,
    component_id: Option<&Ident>,
    span: Span,
) -> Result<BoundGraph, Vec<BindError>> {
    let kind = match kind.map(|k| k.name.as_str()) {
        None | Some("weak") => ComponentKind::Weak,
        Some("strong") => ComponentKind::Strong,
        Some(other) => {
            return Err(invalid(
                span,
                format!("graph-mark-components: kind must be weak or strong, not '{other}'"),
            ));
        }
    };
    let name = component_id.map_or("ComponentId", |c| c.name.as_str());
    let schema = &mut graph.spec.node_schema;
    let name = unique_name(name, &|n| schema.index_of(n).is_some());
    schema.fields.push(Field::new(name, DataType::Long));
    graph.spec.components.push(kind);
    Ok(graph)
}

fn invalid(span: Span, message: impl Into<String>) -> Vec<BindError> {
    one(BindError::new(BindErrorKind::Invalid, span, message))
}

impl Binder<'_> {
    /// `input | g`, a graph operator: one that makes a table of a graph
    /// binds the graph it reads; one that returns a graph cannot stand here
    /// (its graph would be used as a table).
    pub(super) fn graph_pipe(&mut self, input: &Expr, g: &GraphOperator, span: Span) -> Bound {
        match g {
            GraphOperator::MakeGraph {
                source,
                target,
                nodes,
                node_id,
                partition: Some((column, subquery)),
            } => {
                let graph =
                    self.make_graph(input, source, target, nodes, node_id.as_ref(), Some(column))?;
                self.graph_on(subquery, &graph)
            }
            GraphOperator::MakeGraph { .. } | GraphOperator::MarkComponents { .. } => Err(invalid(
                span,
                format!(
                    "'{}' returns a graph, which must be followed by a graph operator ({GRAPH_OPERATORS})",
                    graph_operator_name(g)
                ),
            )),
            GraphOperator::ToTable { items } => {
                let graph = self.graph_source(input, g, span)?;
                self.graph_to_table(graph, items, span)
            }
            GraphOperator::Match {
                shortest,
                option,
                pattern,
                predicate,
                project,
            } => {
                let graph = self.graph_source(input, g, span)?;
                self.graph_match(
                    graph,
                    *shortest,
                    option.as_ref(),
                    pattern,
                    predicate.as_ref(),
                    project,
                    span,
                )
            }
        }
    }

    /// The value of `let g = ... | make-graph ...`.
    pub(super) fn graph_value(&mut self, expr: &Expr) -> Result<BoundGraph, Vec<BindError>> {
        let reader = GraphOperator::MarkComponents {
            kind: None,
            component_id: None,
        };
        self.graph_source(expr, &reader, expr.span)
    }

    /// The graph `expr` gives: `... | make-graph ...`, then any
    /// `graph-mark-components`.
    fn graph_source(
        &mut self,
        expr: &Expr,
        reader: &GraphOperator,
        span: Span,
    ) -> Result<BoundGraph, Vec<BindError>> {
        match &expr.kind {
            ExprKind::Paren { expr } => self.graph_source(expr, reader, span),
            ExprKind::Pipe { input, operator } => match &operator.kind {
                OperatorKind::Graph(g) => match &**g {
                    GraphOperator::MakeGraph {
                        source,
                        target,
                        nodes,
                        node_id,
                        partition: None,
                    } => self.make_graph(input, source, target, nodes, node_id.as_ref(), None),
                    GraphOperator::MakeGraph {
                        partition: Some(_), ..
                    } => Err(invalid(
                        operator.span,
                        "'make-graph ... partitioned-by' returns a table (its subquery's results), not a graph",
                    )),
                    GraphOperator::MarkComponents { kind, component_id } => {
                        let graph = self.graph_source(input, g, operator.span)?;
                        mark_components(graph, kind.as_ref(), component_id.as_ref(), operator.span)
                    }
                    _ => Err(not_a_graph(reader, span)),
                },
                _ => Err(not_a_graph(reader, span)),
            },
            ExprKind::Name { name } => match self.lookup(&name.name) {
                Some(Binding::Graph(g)) => Ok((**g).clone()),
                _ => Err(not_a_graph(reader, span)),
            },
            ExprKind::Call { name, .. } if name.name == "graph" => Err(one(BindError::new(
                BindErrorKind::NotSupported,
                expr.span,
                "graph(): persistent graph models are not supported; build the graph with make-graph",
            ))),
            _ => Err(not_a_graph(reader, span)),
        }
    }

    /// `partitioned-by Column (subquery)`: the subquery's graph operators
    /// over `context`, the graph of each partition (make-graph-operator).
    fn graph_on(&mut self, expr: &Expr, context: &BoundGraph) -> Bound {
        let (input, operator) = match &expr.kind {
            ExprKind::Paren { expr } => return self.graph_on(expr, context),
            ExprKind::Source { operator } => (None, operator),
            ExprKind::Pipe { input, operator } => (Some(&**input), operator),
            _ => return Err(invalid(expr.span, PARTITION_SUBQUERY)),
        };
        let OperatorKind::Graph(g) = &operator.kind else {
            return Err(one(
                BindError::new(
                    BindErrorKind::NotSupported,
                    operator.span,
                    format!(
                        "make-graph ... partitioned-by: '{}' inside the subquery is not supported; the subquery is graph operators only",
                        super::tabular::operator_name(&operator.kind)
                    ),
                )
                .with_help(Some(
                    "apply the operator after the closing parenthesis, to the combined results"
                        .to_string(),
                )),
            ));
        };
        match &**g {
            GraphOperator::ToTable { items } => {
                let graph = self.partition_graph(input, context, g, operator.span)?;
                self.graph_to_table(graph, items, operator.span)
            }
            GraphOperator::Match {
                shortest,
                option,
                pattern,
                predicate,
                project,
            } => {
                let graph = self.partition_graph(input, context, g, operator.span)?;
                self.graph_match(
                    graph,
                    *shortest,
                    option.as_ref(),
                    pattern,
                    predicate.as_ref(),
                    project,
                    operator.span,
                )
            }
            GraphOperator::MakeGraph { .. } | GraphOperator::MarkComponents { .. } => Err(invalid(
                operator.span,
                format!(
                    "'{}' returns a graph; the partitioned-by subquery must end with a graph operator that returns a table (graph-match, graph-shortest-paths or graph-to-table)",
                    graph_operator_name(g)
                ),
            )),
        }
    }

    /// The graph a partitioned-by subquery's operator reads: the
    /// partition's graph, after any `graph-mark-components` before it.
    fn partition_graph(
        &mut self,
        input: Option<&Expr>,
        context: &BoundGraph,
        reader: &GraphOperator,
        span: Span,
    ) -> Result<BoundGraph, Vec<BindError>> {
        let Some(expr) = input else {
            return Ok(context.clone());
        };
        let (inner, operator) = match &expr.kind {
            ExprKind::Paren { expr } => {
                return self.partition_graph(Some(expr), context, reader, span);
            }
            ExprKind::Source { operator } => (None, operator),
            ExprKind::Pipe { input, operator } => (Some(&**input), operator),
            _ => return Err(not_a_graph(reader, span)),
        };
        match &operator.kind {
            OperatorKind::Graph(g) => match &**g {
                GraphOperator::MarkComponents { kind, component_id } => {
                    let graph = self.partition_graph(inner, context, g, operator.span)?;
                    mark_components(graph, kind.as_ref(), component_id.as_ref(), operator.span)
                }
                _ => Err(not_a_graph(reader, span)),
            },
            _ => Err(not_a_graph(reader, span)),
        }
    }

    fn make_graph(
        &mut self,
        input: &Expr,
        source: &Ident,
        target: &Ident,
        nodes: &[(Expr, Ident)],
        node_id: Option<&Ident>,
        partition: Option<&Ident>,
    ) -> Result<BoundGraph, Vec<BindError>> {
        let edges = self.tabular(input)?;
        let edge_schema = edges.schema().clone();
        let column = |schema: &Schema, c: &Ident, what: &str| {
            schema.index_of(&c.name).ok_or_else(|| {
                one(BindError::new(
                    BindErrorKind::UnknownName,
                    c.span,
                    format!("make-graph: the {what} has no column '{}'", c.name),
                ))
            })
        };
        let s = column(&edge_schema, source, "edges table")?;
        let t = column(&edge_schema, target, "edges table")?;
        let id_type = edge_schema.fields[s].ty;
        if edge_schema.fields[t].ty != id_type {
            return Err(one(BindError::new(
                BindErrorKind::Type,
                target.span,
                format!(
                    "make-graph: the source and target node ids must have one type ({} and {})",
                    id_type, edge_schema.fields[t].ty
                ),
            )));
        }
        // partitioned-by: "both the Edges table and all Nodes tables must
        // contain the partition column" (make-graph-operator), of one type.
        let mut partition_columns = Vec::new();
        let mut partition_column = |schema: &Schema, what: &str| -> Result<(), Vec<BindError>> {
            let Some(p) = partition else { return Ok(()) };
            let c = column(schema, p, what)?;
            let ty = schema.fields[c].ty;
            if let Some(&(_, first)) = partition_columns.first()
                && first != ty
            {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    p.span,
                    format!(
                        "make-graph: the partition column '{}' is {first} in the edges table and {ty} in a nodes table",
                        p.name
                    ),
                )));
            }
            partition_columns.push((c, ty));
            Ok(())
        };
        partition_column(&edge_schema, "edges table")?;
        let mut inputs = vec![edges];
        let mut node_schema = Schema::default();
        let mut keys = Vec::new();
        let mut id_properties = Vec::new();
        for (table, key) in nodes {
            let plan = self.tabular(table)?;
            let schema = plan.schema().clone();
            let k = column(&schema, key, "nodes table")?;
            partition_column(&schema, "nodes table")?;
            if schema.fields[k].ty != id_type {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    key.span,
                    format!(
                        "make-graph: the nodes' id column '{}' is {}, the edges' node ids are {}",
                        key.name, schema.fields[k].ty, id_type
                    ),
                )));
            }
            for f in &schema.fields {
                if node_schema.index_of(&f.name).is_none() {
                    node_schema.fields.push(f.clone());
                }
            }
            if let Some(p) = node_schema.index_of(&key.name)
                && !id_properties.contains(&p)
            {
                id_properties.push(p);
            }
            keys.push((k, schema));
            inputs.push(plan);
        }
        let node_tables = keys
            .into_iter()
            .map(|(k, schema)| {
                let columns = node_schema
                    .fields
                    .iter()
                    .map(|f| {
                        schema
                            .index_of(&f.name)
                            .filter(|&c| schema.fields[c].ty == f.ty)
                    })
                    .collect();
                (k, columns)
            })
            .collect();
        if let Some(n) = node_id {
            node_schema.fields.push(Field::new(n.name.clone(), id_type));
            id_properties.push(0);
        }
        Ok(BoundGraph {
            inputs,
            spec: GraphSpec {
                source: s,
                target: t,
                node_schema,
                node_tables,
                id_properties,
                components: Vec::new(),
                partition: partition.map(|_| partition_columns.iter().map(|&(c, _)| c).collect()),
            },
            edge_schema,
            id_type,
        })
    }

    fn graph_to_table(&mut self, graph: BoundGraph, items: &[GraphTableItem], span: Span) -> Bound {
        let [item] = items else {
            return Err(invalid(
                span,
                "graph-to-table of nodes and edges gives two tables, so it must end a statement: `... | graph-to-table nodes as N, edges as E; N; E`",
            ));
        };
        let mut fields: Vec<Field> = Vec::new();
        let mut flags = [false; 2];
        let base = if item.edges {
            &graph.edge_schema
        } else {
            &graph.spec.node_schema
        };
        // The id columns come first, in the order source, target.
        let allowed: &[&str] = if item.edges {
            &["with_source_id", "with_target_id"]
        } else {
            &["with_node_id"]
        };
        let mut ids: Vec<Option<&Ident>> = vec![None; allowed.len()];
        for (param, column) in &item.ids {
            match allowed.iter().position(|a| *a == param.name) {
                Some(k) => ids[k] = Some(column),
                None => {
                    return Err(invalid(
                        param.span,
                        format!(
                            "graph-to-table {}: '{}' applies to the {}",
                            if item.edges { "edges" } else { "nodes" },
                            param.name,
                            if item.edges { "nodes" } else { "edges" }
                        ),
                    ));
                }
            }
        }
        for (k, id) in ids.iter().enumerate() {
            if let Some(c) = id {
                flags[k] = true;
                fields.push(Field::new(c.name.clone(), DataType::Long));
            }
        }
        for f in &base.fields {
            let name = unique_name(&f.name, &|n| fields.iter().any(|x| x.name == n));
            fields.push(Field::new(name, f.ty));
        }
        let op = if item.edges {
            GraphOp::Edges {
                with_source: flags[0],
                with_target: flags[1],
            }
        } else {
            GraphOp::Nodes { with_id: flags[0] }
        };
        let plan = LogicalPlan::Graph(Graph {
            inputs: graph.inputs,
            spec: graph.spec,
            op,
            schema: Schema::new(fields),
        });
        if let Some(name) = &item.name {
            self.define(&name.name, Binding::Tabular(plan.clone()));
        }
        Ok(plan)
    }

    /// `G | graph-to-table nodes as N ..., edges as E ...` ending a
    /// statement (graph-to-table-operator, "Nodes and edges"): two result
    /// tables in the order written, each named by its `as` and bound to
    /// that name for the statements after.
    pub(super) fn graph_tables(
        &mut self,
        input: &Expr,
        g: &GraphOperator,
        span: Span,
    ) -> Result<Vec<(LogicalPlan, Option<String>)>, Vec<BindError>> {
        let GraphOperator::ToTable { items } = g else {
            return Ok(vec![(self.graph_pipe(input, g, span)?, None)]);
        };
        if items.len() < 2 {
            return Ok(vec![(self.graph_pipe(input, g, span)?, None)]);
        }
        if items.len() > 2 || items[0].edges == items[1].edges {
            return Err(invalid(
                span,
                "graph-to-table: export the nodes and the edges once each (`nodes as N, edges as E`)",
            ));
        }
        let graph = self.graph_source(input, g, span)?;
        let mut tables = Vec::new();
        for item in items {
            let plan = self.graph_to_table(graph.clone(), std::slice::from_ref(item), item.span)?;
            tables.push((plan, item.name.as_ref().map(|n| n.name.clone())));
        }
        Ok(tables)
    }

    #[allow(clippy::too_many_arguments)]
    fn graph_match(
        &mut self,
        graph: BoundGraph,
        shortest: bool,
        option: Option<&(Ident, Ident)>,
        pattern: &[GraphSequence],
        predicate: Option<&Expr>,
        project: &[NamedExpr],
        span: Span,
    ) -> Bound {
        let operator = if shortest {
            "graph-shortest-paths"
        } else {
            "graph-match"
        };
        let mut cycles = Cycles::UniqueEdges;
        let mut output_all = false;
        if let Some((k, v)) = option {
            match (shortest, v.name.as_str()) {
                (false, "unique_edges") => cycles = Cycles::UniqueEdges,
                (false, "none") => cycles = Cycles::None,
                (false, "all") => cycles = Cycles::All,
                (true, "any") => output_all = false,
                (true, "all") => output_all = true,
                _ => {
                    return Err(invalid(
                        v.span,
                        format!(
                            "{operator}: {} must be {}, not '{}'",
                            k.name,
                            if shortest {
                                "any or all"
                            } else {
                                "all, none or unique_edges"
                            },
                            v.name
                        ),
                    ));
                }
            }
        }
        let vars = Pattern::compile(pattern, operator)?;
        if shortest {
            if pattern.len() != 1 {
                return Err(invalid(
                    span,
                    "graph-shortest-paths: the pattern must be one sequence (no `,`)",
                ));
            }
            if !vars.edges.iter().any(|e| e.variable) {
                return Err(invalid(
                    span,
                    "graph-shortest-paths: the pattern must have a variable length edge (`-[e*1..5]->`)",
                ));
            }
        }
        // The match row.
        let node_schema = &graph.spec.node_schema;
        let mut row: Vec<Field> = Vec::new();
        let mut named_nodes = Vec::new();
        for (name, slot) in &vars.node_names {
            named_nodes.push(*slot);
            for f in &node_schema.fields {
                row.push(Field::new(format!("{name}.{}", f.name), f.ty));
            }
            row.push(Field::new(format!("{name}.$id"), graph.id_type));
            row.push(Field::new(format!("{name}.$in"), DataType::Long));
            row.push(Field::new(format!("{name}.$out"), DataType::Long));
        }
        let mut named_edges = Vec::new();
        for (name, e) in &vars.edge_names {
            named_edges.push(*e);
            let variable = vars.edges[*e].variable;
            for f in &graph.edge_schema.fields {
                let ty = if variable { DataType::Dynamic } else { f.ty };
                row.push(Field::new(format!("{name}.{}", f.name), ty));
            }
        }
        let mut node_row = node_schema.fields.clone();
        node_row.push(Field::new("$id", graph.id_type));
        node_row.push(Field::new("$in", DataType::Long));
        node_row.push(Field::new("$out", DataType::Long));
        let elements = Elements {
            edge: Schema::new(graph.edge_schema.fields.clone()),
            node: Schema::new(node_row),
        };
        let mut lambdas = Vec::new();
        let mut rewrite = |binder: &mut Binder, e: &Expr| {
            binder.rewrite_pattern_expr(
                e,
                &vars,
                node_schema,
                &graph.edge_schema,
                &elements,
                &mut lambdas,
            )
        };
        let predicate = predicate.map(|p| rewrite(self, p)).transpose()?;
        let project_exprs = project
            .iter()
            .map(|c| rewrite(self, &c.expr))
            .collect::<Result<Vec<_>, _>>()?;
        for (k, l) in lambdas.iter().enumerate() {
            let ty = match l.kind {
                LambdaKind::Map => DataType::Dynamic,
                _ => DataType::Bool,
            };
            row.push(Field::new(format!("$lambda{k}"), ty));
        }
        let row = Schema::new(row);
        let scope = Scope::new(&row, operator);
        // Each `and`ed term is checked as soon as what it reads is bound.
        let mut terms = Vec::new();
        if let Some(p) = &predicate {
            conjuncts(p, &mut terms);
        }
        let mut constraints = Vec::new();
        for term in terms {
            let bound = predicate_of(self.scalar(term, &scope).map_err(one)?, operator)?;
            constraints.push((bound, stage_of(term, &vars, &lambdas)));
        }
        let mut fields: Vec<Field> = Vec::new();
        let mut bound = Vec::new();
        for (column, e) in project.iter().zip(&project_exprs) {
            if column.names.len() > 1 {
                return Err(invalid(
                    column.span,
                    format!("{operator}: project names one column per expression"),
                ));
            }
            let b = self.scalar(e, &scope).map_err(one)?;
            let name = match column.names.first() {
                Some(n) => n.name.clone(),
                None => match &column.expr.kind {
                    ExprKind::Call { name, .. } if is_graph_function(&name.name) => {
                        name.name.clone()
                    }
                    _ => implied_name(&column.expr)
                        .unwrap_or_else(|| generic_name(&|n| fields.iter().any(|f| f.name == n))),
                },
            };
            let name = unique_name(&name, &|n| fields.iter().any(|f| f.name == n));
            fields.push(Field::new(name, b.ty));
            bound.push(b);
        }
        let m = GraphMatch {
            nodes: vars.slots,
            edges: vars.edges,
            named_nodes,
            named_edges,
            cycles,
            shortest: shortest.then_some(output_all),
            lambdas,
            order: vars.order,
            constraints,
            project: bound,
        };
        Ok(LogicalPlan::Graph(Graph {
            inputs: graph.inputs,
            spec: graph.spec,
            op: GraphOp::Match(Box::new(m)),
            schema: Schema::new(fields),
        }))
    }

    /// `e` with the pattern's variables made columns of the match row.
    #[allow(clippy::too_many_arguments)]
    fn rewrite_pattern_expr(
        &mut self,
        e: &Expr,
        vars: &Pattern,
        node_schema: &Schema,
        edge_schema: &Schema,
        elements: &Elements,
        lambdas: &mut Vec<GraphLambda>,
    ) -> Result<Expr, Vec<BindError>> {
        let name_expr = |name: String, span: Span| Expr {
            kind: ExprKind::Name {
                name: Ident { name, span },
            },
            span,
        };
        match &e.kind {
            ExprKind::Member { target, name } => {
                if let ExprKind::Name { name: var } = &target.kind {
                    let schema = if vars.node(&var.name).is_some() {
                        Some(node_schema)
                    } else if vars.edge(&var.name).is_some() {
                        Some(edge_schema)
                    } else {
                        None
                    };
                    if let Some(schema) = schema {
                        if schema.index_of(&name.name).is_none() {
                            return Err(one(BindError::new(
                                BindErrorKind::UnknownName,
                                name.span,
                                format!(
                                    "'{}' has no property '{}' (its properties: {})",
                                    var.name,
                                    name.name,
                                    schema
                                        .fields
                                        .iter()
                                        .map(|f| f.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )));
                        }
                        return Ok(name_expr(format!("{}.{}", var.name, name.name), e.span));
                    }
                }
            }
            ExprKind::Name { name }
                if vars.node(&name.name).is_some() || vars.edge(&name.name).is_some() =>
            {
                return Err(invalid(
                    e.span,
                    format!(
                        "'{}' is a pattern variable: refer to its properties, as {}.property",
                        name.name, name.name
                    ),
                ));
            }
            ExprKind::Call { name, args } if NODE_FUNCTIONS.contains(&name.name.as_str()) => {
                let suffix = node_function_column(&name.name);
                return match args.as_slice() {
                    [arg] => match &arg.kind {
                        ExprKind::Name { name: var } if vars.node(&var.name).is_some() => {
                            Ok(name_expr(format!("{}.{suffix}", var.name), e.span))
                        }
                        _ => Err(invalid(
                            arg.span,
                            format!("{}() expects a node variable of the pattern", name.name),
                        )),
                    },
                    [] => Err(invalid(
                        e.span,
                        format!(
                            "{}() without an argument is valid only inside all(), any() or map() over inner_nodes()",
                            name.name
                        ),
                    )),
                    _ => Err(one(BindError::new(
                        BindErrorKind::Arity,
                        e.span,
                        format!("{}() expects one node variable", name.name),
                    ))),
                };
            }
            ExprKind::Call { name, args } if name.name == "labels" => {
                return match args.as_slice() {
                    [arg]
                        if matches!(&arg.kind, ExprKind::Name { name: v }
                            if vars.node(&v.name).is_some() || vars.edge(&v.name).is_some()) =>
                    {
                        Ok(empty_array(e.span))
                    }
                    _ => Err(invalid(
                        e.span,
                        "labels() expects a node or edge variable of the pattern",
                    )),
                };
            }
            ExprKind::Call { name, args }
                if matches!(name.name.as_str(), "all" | "any" | "map") =>
            {
                let kind = match name.name.as_str() {
                    "all" => LambdaKind::All,
                    "any" => LambdaKind::Any,
                    _ => LambdaKind::Map,
                };
                let [over, body] = args.as_slice() else {
                    return Err(one(BindError::new(
                        BindErrorKind::Arity,
                        e.span,
                        format!(
                            "{}() expects a variable length edge (or inner_nodes(edge)) and an expression",
                            name.name
                        ),
                    )));
                };
                let (edge_var, inner_nodes) = match &over.kind {
                    ExprKind::Name { name } => (name, false),
                    ExprKind::Call { name: f, args } if f.name == "inner_nodes" => {
                        match args.as_slice() {
                            [a] => match &a.kind {
                                ExprKind::Name { name } => (name, true),
                                _ => {
                                    return Err(invalid(
                                        a.span,
                                        "inner_nodes() expects a variable length edge of the pattern",
                                    ));
                                }
                            },
                            _ => {
                                return Err(invalid(
                                    over.span,
                                    "inner_nodes() expects a variable length edge of the pattern",
                                ));
                            }
                        }
                    }
                    _ => {
                        return Err(invalid(
                            over.span,
                            format!(
                                "{}() expects a variable length edge of the pattern, or inner_nodes(edge)",
                                name.name
                            ),
                        ));
                    }
                };
                let Some(edge) = vars.edge(&edge_var.name) else {
                    return Err(invalid(
                        edge_var.span,
                        format!("'{}' is not an edge variable of the pattern", edge_var.name),
                    ));
                };
                if !vars.edges[edge].variable {
                    return Err(invalid(
                        edge_var.span,
                        format!(
                            "{}(): '{}' is not a variable length edge (write it -[{}*min..max]->)",
                            name.name, edge_var.name, edge_var.name
                        ),
                    ));
                }
                let body = element_expr(body, inner_nodes)?;
                let schema = if inner_nodes {
                    &elements.node
                } else {
                    &elements.edge
                };
                let scope = Scope::new(schema, name.name.as_str());
                let bound = self.scalar(&body, &scope).map_err(one)?;
                let bound = match kind {
                    LambdaKind::Map => bound,
                    _ => predicate_of(bound, name.name.as_str())?,
                };
                let k = lambdas.len();
                lambdas.push(GraphLambda {
                    kind,
                    edge,
                    inner_nodes,
                    expr: bound,
                });
                return Ok(name_expr(format!("$lambda{k}"), e.span));
            }
            ExprKind::Call { name, .. } if name.name == "inner_nodes" => {
                return Err(invalid(
                    e.span,
                    "inner_nodes() is valid only as the first argument of all(), any() or map()",
                ));
            }
            _ => {}
        }
        map_children(e, &mut |child| {
            self.rewrite_pattern_expr(child, vars, node_schema, edge_schema, elements, lambdas)
        })
    }
}

/// The `and`ed terms of `e`.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        ExprKind::Paren { expr }
            if matches!(
                expr.kind,
                ExprKind::Binary {
                    op: BinaryOp::And,
                    ..
                }
            ) =>
        {
            conjuncts(expr, out)
        }
        _ => out.push(e),
    }
}

/// The search step after which everything the rewritten term `e` reads is
/// bound: its node variables, its edges, the edges of its path functions.
fn stage_of(e: &Expr, vars: &Pattern, lambdas: &[GraphLambda]) -> usize {
    let edge_stage = |edge: usize| {
        vars.order
            .iter()
            .position(|(x, _)| *x == edge)
            .map_or(vars.order.len(), |k| k + 1)
    };
    let node_stage = |slot: usize| {
        if slot == 0 {
            return 0;
        }
        vars.order
            .iter()
            .position(|(x, _)| {
                let pe = &vars.edges[*x];
                pe.left == slot || pe.right == slot
            })
            .map_or(vars.order.len(), |k| k + 1)
    };
    let mut stage = 0;
    let mut visit = |name: &str| {
        let at = if let Some(k) = name.strip_prefix("$lambda") {
            k.parse::<usize>()
                .ok()
                .and_then(|k| lambdas.get(k))
                .map_or(vars.order.len(), |l| edge_stage(l.edge))
        } else if let Some((var, _)) = name.split_once('.') {
            match (vars.node(var), vars.edge(var)) {
                (Some(slot), _) => node_stage(slot),
                (None, Some(edge)) => edge_stage(edge),
                _ => 0,
            }
        } else {
            0
        };
        stage = stage.max(at);
    };
    names_in(e, &mut visit);
    stage
}

/// Calls `f` on every name `e` reads.
fn names_in(e: &Expr, f: &mut dyn FnMut(&str)) {
    if let ExprKind::Name { name } = &e.kind {
        f(&name.name);
        return;
    }
    let _ = map_children(e, &mut |child| {
        names_in(child, f);
        Ok(child.clone())
    });
}

/// The schemas of one element of a variable length edge.
struct Elements {
    edge: Schema,
    node: Schema,
}

fn is_graph_function(name: &str) -> bool {
    NODE_FUNCTIONS.contains(&name) || matches!(name, "labels" | "all" | "any" | "map")
}

fn node_function_column(name: &str) -> &'static str {
    match name {
        "node_degree_in" => "$in",
        "node_degree_out" => "$out",
        _ => "$id",
    }
}

/// `dynamic([])`: the labels of an element of a graph `make-graph` built
/// (labels-graph-function: transient graphs have none).
fn empty_array(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Literal {
            value: Literal::Dynamic(Box::new(Literal::Array(Vec::new()))),
        },
        span,
    }
}

/// The body of `all()`, `any()` or `map()`: the element's properties are
/// plain names; `node_id()`, `node_degree_in()`, `node_degree_out()` and
/// `labels()` take no argument.
fn element_expr(e: &Expr, inner_nodes: bool) -> Result<Expr, Vec<BindError>> {
    if let ExprKind::Call { name, args } = &e.kind {
        if NODE_FUNCTIONS.contains(&name.name.as_str()) {
            if !inner_nodes || !args.is_empty() {
                return Err(invalid(
                    e.span,
                    format!(
                        "inside all(), any() and map(), {}() takes no argument and applies to inner_nodes(edge)",
                        name.name
                    ),
                ));
            }
            return Ok(Expr {
                kind: ExprKind::Name {
                    name: Ident {
                        name: node_function_column(&name.name).to_string(),
                        span: e.span,
                    },
                },
                span: e.span,
            });
        }
        if name.name == "labels" && args.is_empty() {
            return Ok(empty_array(e.span));
        }
    }
    map_children(e, &mut |child| element_expr(child, inner_nodes))
}

/// `e` with `f` applied to each direct sub-expression.
fn map_children(
    e: &Expr,
    f: &mut dyn FnMut(&Expr) -> Result<Expr, Vec<BindError>>,
) -> Result<Expr, Vec<BindError>> {
    let mut boxed = |x: &Expr| f(x).map(Box::new);
    let kind = match &e.kind {
        ExprKind::Paren { expr } => ExprKind::Paren { expr: boxed(expr)? },
        ExprKind::Unary { op, operand } => ExprKind::Unary {
            op: *op,
            operand: boxed(operand)?,
        },
        ExprKind::Binary { op, left, right } => ExprKind::Binary {
            op: *op,
            left: boxed(left)?,
            right: boxed(right)?,
        },
        ExprKind::List { op, left, items } => {
            let left = boxed(left)?;
            ExprKind::List {
                op: *op,
                left,
                items: items.iter().map(&mut *f).collect::<Result<_, _>>()?,
            }
        }
        ExprKind::Between {
            negated,
            expr,
            low,
            high,
        } => ExprKind::Between {
            negated: *negated,
            expr: boxed(expr)?,
            low: boxed(low)?,
            high: boxed(high)?,
        },
        ExprKind::Call { name, args } => ExprKind::Call {
            name: name.clone(),
            args: args.iter().map(&mut *f).collect::<Result<_, _>>()?,
        },
        ExprKind::NamedArg { name, value } => ExprKind::NamedArg {
            name: name.clone(),
            value: boxed(value)?,
        },
        ExprKind::Member { target, name } => ExprKind::Member {
            target: boxed(target)?,
            name: name.clone(),
        },
        ExprKind::Index { target, index } => ExprKind::Index {
            target: boxed(target)?,
            index: boxed(index)?,
        },
        other => other.clone(),
    };
    Ok(Expr { kind, span: e.span })
}

fn not_a_graph(reader: &GraphOperator, span: Span) -> Vec<BindError> {
    invalid(
        span,
        format!(
            "'{}' reads a graph: write `Edges | make-graph Source --> Target ... | {}`",
            graph_operator_name(reader),
            graph_operator_name(reader)
        ),
    )
}

/// A pattern's node slots and edges, with the names of its variables.
struct Pattern {
    slots: usize,
    edges: Vec<PatternEdge>,
    /// Named node variables and their slots, in order of appearance.
    node_names: Vec<(String, usize)>,
    /// Named edge variables and their edges, in order of appearance.
    edge_names: Vec<(String, usize)>,
    /// The search order (see `GraphMatch::order`).
    order: Vec<(usize, bool)>,
}

impl Pattern {
    fn node(&self, name: &str) -> Option<usize> {
        self.node_names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
    }

    fn edge(&self, name: &str) -> Option<usize> {
        self.edge_names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }

    fn compile(pattern: &[GraphSequence], operator: &str) -> Result<Pattern, Vec<BindError>> {
        let mut p = Pattern {
            slots: 0,
            edges: Vec::new(),
            node_names: Vec::new(),
            edge_names: Vec::new(),
            order: Vec::new(),
        };
        let mut names: HashMap<String, bool> = HashMap::new();
        let mut slot = |p: &mut Pattern, n: &crate::syntax::ast::GraphNode| {
            if let Some(name) = &n.name {
                if names.get(&name.name) == Some(&false) {
                    return Err(invalid(
                        name.span,
                        format!("{operator}: '{}' names both an edge and a node", name.name),
                    ));
                }
                if let Some(s) = p.node(&name.name) {
                    return Ok(s);
                }
                names.insert(name.name.clone(), true);
                p.node_names.push((name.name.clone(), p.slots));
            }
            p.slots += 1;
            Ok(p.slots - 1)
        };
        let mut edge_names: HashMap<String, ()> = HashMap::new();
        for seq in pattern {
            let mut left = slot(&mut p, &seq.first)?;
            for (e, n) in &seq.steps {
                let right = slot(&mut p, n)?;
                let index = p.edges.len();
                if let Some(name) = &e.name {
                    if p.node(&name.name).is_some() || edge_names.contains_key(&name.name) {
                        return Err(invalid(
                            name.span,
                            format!(
                                "{operator}: the variable '{}' is used twice in the pattern",
                                name.name
                            ),
                        ));
                    }
                    edge_names.insert(name.name.clone(), ());
                    p.edge_names.push((name.name.clone(), index));
                }
                let (min, max) = e.range.unwrap_or((1, 1));
                p.edges.push(PatternEdge {
                    left,
                    right,
                    direction: match e.direction {
                        EdgeDirection::Right => Direction::Right,
                        EdgeDirection::Left => Direction::Left,
                        EdgeDirection::Any => Direction::Any,
                    },
                    min,
                    max,
                    variable: e.range.is_some(),
                });
                left = right;
            }
        }
        // Only one connected pattern (graph-match-operator, "Multiple sequences").
        let mut bound = vec![false; p.slots];
        if let Some(b) = bound.first_mut() {
            *b = true;
        }
        let mut done = vec![false; p.edges.len()];
        while let Some((i, e)) = p
            .edges
            .iter()
            .enumerate()
            .find(|(i, e)| !done[*i] && (bound[e.left] || bound[e.right]))
        {
            done[i] = true;
            p.order.push((i, bound[e.left]));
            bound[e.left] = true;
            bound[e.right] = true;
        }
        if bound.iter().any(|b| !b) {
            let span = pattern.last().map_or(Span::default(), |s| s.first.span);
            return Err(invalid(
                span,
                format!(
                    "{operator}: only connected patterns are supported; the sequences must share a node variable"
                ),
            ));
        }
        Ok(p)
    }
}

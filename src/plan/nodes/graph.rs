//! The graph operators (`semantic::graph`, `exec::graph`): a graph built by
//! `make-graph` from its inputs (the edges, then the node tables), then
//! one graph operator that turns it back into a table.
//!
//! The operator's expressions read rows the executor builds from the graph
//! (the match rows of `graph-match`, the edges and nodes that `all()`,
//! `any()` and `map()` walk), not the rows of an input, so they are kept
//! out of [`PlanNode::exprs`]: no rewrite of the inputs' columns touches
//! them.

use super::PlanNode;
use crate::plan::explain::names;
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::LogicalPlan;
use crate::schema::Schema;

/// A graph operator over the graph `make-graph` builds.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The edges (first) and the node tables.
    pub inputs: Vec<LogicalPlan>,
    /// How the graph is built.
    pub spec: GraphSpec,
    /// What is done with it.
    pub op: GraphOp,
    pub schema: Schema,
}

/// How `make-graph` builds the graph from the edges (input 0) and the node
/// tables (inputs 1..).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphSpec {
    /// The edges' source and target id columns.
    pub source: usize,
    pub target: usize,
    /// The nodes' properties: the node tables' columns, merged by name, or
    /// the `with_node_id` property.
    pub node_schema: Schema,
    /// Per node table: its id column, and for each node property the
    /// table's column that gives it.
    pub node_tables: Vec<(usize, Vec<Option<usize>>)>,
    /// The node properties that hold the node's id (the tables' `on`
    /// columns, or the `with_node_id` property): set on every node.
    pub id_properties: Vec<usize>,
    /// `graph-mark-components`, in order: each adds one node property
    /// (after the ones before), the component's index.
    pub components: Vec<ComponentKind>,
    /// `partitioned-by Column (...)`: the column's index in each input
    /// (the edges, then each node table). One graph is built per value of
    /// the column and the operator run on each, the results one after
    /// another (partitions in order of first appearance).
    pub partition: Option<Vec<usize>>,
}

/// `graph-mark-components kind=...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    /// Nodes joined by edges in either direction.
    Weak,
    /// Nodes that reach each other along the edges' directions.
    Strong,
}

/// The graph operator that ends the chain.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphOp {
    /// `graph-to-table nodes`: `[node hash]` then the node properties.
    Nodes { with_id: bool },
    /// `graph-to-table edges`: `[source hash] [target hash]` then the edge
    /// columns.
    Edges {
        with_source: bool,
        with_target: bool,
    },
    /// `graph-match` / `graph-shortest-paths`.
    Match(Box<GraphMatch>),
}

/// A compiled pattern with its constraints and projection.
///
/// The match row the predicate and the projection read is, in order: for
/// each named node slot (`named_nodes`), the node properties then its id,
/// in-degree and out-degree; for each named edge (`named_edges`), the edge
/// columns (each a dynamic array of the path's values for a variable
/// length edge); then one column per [`GraphLambda`].
#[derive(Clone, Debug, PartialEq)]
pub struct GraphMatch {
    /// How many node slots the pattern has (named ones shared).
    pub nodes: usize,
    /// The pattern's edges, in the order written.
    pub edges: Vec<PatternEdge>,
    /// The node slots that have a name, in match-row order.
    pub named_nodes: Vec<usize>,
    /// The edges that have a name, in match-row order.
    pub named_edges: Vec<usize>,
    pub cycles: Cycles,
    /// `graph-shortest-paths`: `Some(all)`; per pair of end nodes only the
    /// shortest matches (all of them, or the first).
    pub shortest: Option<bool>,
    pub lambdas: Vec<GraphLambda>,
    /// The search order: each pattern edge with whether it is walked from
    /// its left node (the first node is bound first; an edge comes once
    /// one of its nodes is bound).
    pub order: Vec<(usize, bool)>,
    /// The `where` constraints (its `and`ed terms), each with the search
    /// step after which all it reads is bound (0: the first node), where
    /// it is checked.
    pub constraints: Vec<(ScalarExpr, usize)>,
    pub project: Vec<ScalarExpr>,
}

/// One edge of a pattern, between two node slots.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternEdge {
    pub left: usize,
    pub right: usize,
    pub direction: Direction,
    /// The least and most graph edges it stands for (1..1 for a plain edge).
    pub min: u32,
    pub max: u32,
    /// Written `*min..max`.
    pub variable: bool,
}

/// Which way a pattern edge runs, from its left node to its right one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Right,
    Left,
    Any,
}

/// `graph-match cycles=...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cycles {
    /// No graph edge twice in one match (the default).
    UniqueEdges,
    /// No graph node twice in one match, but where the pattern names it twice.
    None,
    /// Anything.
    All,
}

/// `all(e, p)`, `any(e, p)`, `map(e, x)`, over the edges of a variable
/// length edge or (`inner_nodes(e)`) the nodes between them.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphLambda {
    pub kind: LambdaKind,
    /// The pattern edge.
    pub edge: usize,
    /// Over the inner nodes (row: node properties, id, in-degree,
    /// out-degree) rather than the edges (row: the edge columns).
    pub inner_nodes: bool,
    pub expr: ScalarExpr,
}

/// Which of the path functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LambdaKind {
    All,
    Any,
    Map,
}

impl PlanNode for Graph {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        self.inputs.iter().collect()
    }

    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
        self.inputs.iter_mut().collect()
    }

    fn explain(&self, _input: &Schema) -> String {
        let what = match &self.op {
            GraphOp::Nodes { .. } => "graph-to-table nodes".to_string(),
            GraphOp::Edges { .. } => "graph-to-table edges".to_string(),
            GraphOp::Match(m) => format!(
                "{} {} node(s), {} edge(s)",
                if m.shortest.is_some() {
                    "graph-shortest-paths"
                } else {
                    "graph-match"
                },
                m.nodes,
                m.edges.len()
            ),
        };
        format!(
            "Graph from {} node table(s){}{}: {what} -> [{}]",
            self.spec.node_tables.len(),
            if self.spec.components.is_empty() {
                ""
            } else {
                " with components"
            },
            if self.spec.partition.is_some() {
                ", partitioned"
            } else {
                ""
            },
            names(&self.schema)
        )
    }
}

//! The graph operators (<https://learn.microsoft.com/kusto/query/graph-operators>):
//! the graph `make-graph` builds from its inputs, `graph-mark-components`,
//! and the operator that turns it into a table (`graph-to-table`,
//! `graph-match`, `graph-shortest-paths`). See `plan::nodes::graph` for the
//! layout of the rows the expressions read, and docs/semantics.md
//! ("Graph semantics") for the orders and choices the pages leave open.
//!
//! Nodes are numbered in the order they are first seen: the rows of the
//! first node table, of the second, then the edges' sources and targets
//! (row by row, source first). Edges keep the order of their rows.
//!
//! `graph-match` binds the first node of the pattern to each node in turn,
//! then takes the pattern's edges in the order written (an edge whose
//! nodes are both unbound waits until one is bound), following the graph's
//! edges in row order, shorter paths of a variable length edge first. The
//! matches come out in that order. A constraint that reads one node
//! variable only is evaluated once per graph node (`Search::node_ok`), and
//! a walk toward such a node stops when no passing node is near enough
//! (`reach`); the rows the other constraints read hold only the columns
//! they name.

use super::physical::{GraphExprs, Pipeline};
use super::run::{Runner, memory_error};
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{
    ComponentKind, Cycles, Direction, GraphMatch, GraphOp, GraphSpec, LambdaKind,
};
use crate::plan::tree::{Recursion, TreeNode};
use crate::value::Value;
use crate::value::cast::null_of;
use crate::value::key::{Key, KeyMap};

/// The graph: node properties and ids, edges and their ends, adjacency.
struct Built {
    props: Vec<Vec<Value>>,
    ids: Vec<Value>,
    edges: Vec<Vec<Value>>,
    ends: Vec<(usize, usize)>,
    /// Per node, its outgoing and incoming edges in row order.
    out_edges: Vec<Vec<usize>>,
    in_edges: Vec<Vec<usize>>,
}

impl Built {
    /// The node's properties, then its id, in-degree and out-degree.
    fn node_row(&self, n: usize) -> Vec<Value> {
        let mut row = self.props[n].clone();
        row.push(self.ids[n].clone());
        row.push(Value::Long(self.in_edges[n].len() as i64));
        row.push(Value::Long(self.out_edges[n].len() as i64));
        row
    }
}

impl Runner<'_> {
    pub(super) fn graph(
        &self,
        inputs: &[Pipeline],
        spec: &GraphSpec,
        op: &GraphOp,
        exprs: &GraphExprs,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut tables: Vec<Vec<Vec<Value>>> = Vec::with_capacity(inputs.len());
        for input in inputs {
            let mut rows = Vec::new();
            self.pipeline_parts(input, &mut |part| rows.extend(part))?;
            tables.push(rows);
        }
        memory_error("make-graph")?;
        let Some(columns) = &spec.partition else {
            return self.graph_rows(spec, tables, op, exprs);
        };
        // partitioned-by: one graph per value of the column, in order of
        // first appearance (the edges' rows, then the node tables').
        let mut index: KeyMap<Key, usize> = KeyMap::default();
        let mut parts: Vec<Vec<Vec<Vec<Value>>>> = Vec::new();
        let count = tables.len();
        for (t, rows) in tables.into_iter().enumerate() {
            let column = columns.get(t).copied().unwrap_or(0);
            for row in rows {
                let key = row.get(column).cloned().unwrap_or(Value::Null);
                let p = *index.entry(Key(key)).or_insert_with(|| {
                    parts.push(vec![Vec::new(); count]);
                    parts.len() - 1
                });
                parts[p][t].push(row);
            }
        }
        let mut out = Vec::new();
        for part in parts {
            out.extend(self.graph_rows(spec, part, op, exprs)?);
            memory_error("make-graph")?;
        }
        Ok(out)
    }

    /// The rows of `op` over the graph built from `tables` (the edges,
    /// then the node tables).
    fn graph_rows(
        &self,
        spec: &GraphSpec,
        tables: Vec<Vec<Vec<Value>>>,
        op: &GraphOp,
        exprs: &GraphExprs,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let g = build(spec, tables);
        match op {
            GraphOp::Nodes { with_id } => Ok((0..g.ids.len())
                .map(|n| {
                    let mut row = Vec::with_capacity(g.props[n].len() + 1);
                    if *with_id {
                        row.push(node_hash(&g.ids[n], &self.ctx));
                    }
                    row.extend(g.props[n].iter().cloned());
                    row
                })
                .collect()),
            GraphOp::Edges {
                with_source,
                with_target,
            } => Ok(g
                .edges
                .iter()
                .zip(&g.ends)
                .map(|(e, &(s, t))| {
                    let mut row = Vec::with_capacity(e.len() + 2);
                    if *with_source {
                        row.push(node_hash(&g.ids[s], &self.ctx));
                    }
                    if *with_target {
                        row.push(node_hash(&g.ids[t], &self.ctx));
                    }
                    row.extend(e.iter().cloned());
                    row
                })
                .collect()),
            GraphOp::Match(m) => {
                let mut search = Search::new(&g, m, exprs, &self.ctx);
                search.run()?;
                Ok(search.finish())
            }
        }
    }
}

/// The node hash `graph-to-table` exports (`with_node_id` and friends): the
/// `hash()` of the node id (docs/semantics.md, "Graph semantics").
fn node_hash(id: &Value, ctx: &EvalContext) -> Value {
    match crate::functions::lookup_scalar("hash") {
        Some(f) => (f.eval)(std::slice::from_ref(id), ctx),
        None => Value::Null,
    }
}

fn build(spec: &GraphSpec, mut tables: Vec<Vec<Vec<Value>>>) -> Built {
    // The properties the node tables give; the components' come after.
    let width = spec.node_schema.len().saturating_sub(spec.components.len());
    let mut g = Built {
        props: Vec::new(),
        ids: Vec::new(),
        edges: Vec::new(),
        ends: Vec::new(),
        out_edges: Vec::new(),
        in_edges: Vec::new(),
    };
    let mut index: KeyMap<Key, usize> = KeyMap::default();
    let mut node = |g: &mut Built, id: &Value| -> usize {
        *index.entry(Key(id.clone())).or_insert_with(|| {
            g.props.push(vec![Value::Null; width]);
            g.ids.push(id.clone());
            g.out_edges.push(Vec::new());
            g.in_edges.push(Vec::new());
            g.ids.len() - 1
        })
    };
    let edges = if tables.is_empty() {
        Vec::new()
    } else {
        tables.remove(0)
    };
    for ((key, columns), rows) in spec.node_tables.iter().zip(&tables) {
        for row in rows {
            let id = row.get(*key).cloned().unwrap_or(Value::Null);
            let n = node(&mut g, &id);
            // A node in several rows or tables: the first non-null value of
            // each property wins.
            for (p, col) in columns.iter().enumerate() {
                if let Some(c) = col
                    && matches!(g.props[n][p], Value::Null)
                    && let Some(v) = row.get(*c)
                {
                    g.props[n][p] = v.clone();
                }
            }
        }
    }
    for row in edges {
        let s = row.get(spec.source).cloned().unwrap_or(Value::Null);
        let t = row.get(spec.target).cloned().unwrap_or(Value::Null);
        let s = node(&mut g, &s);
        let t = node(&mut g, &t);
        let e = g.edges.len();
        g.out_edges[s].push(e);
        g.in_edges[t].push(e);
        g.ends.push((s, t));
        g.edges.push(row);
    }
    for n in 0..g.ids.len() {
        for &p in &spec.id_properties {
            if let Some(slot) = g.props[n].get_mut(p) {
                *slot = g.ids[n].clone();
            }
        }
        // A property no row gave is the null of its type (`""` for a string).
        for (slot, f) in g.props[n].iter_mut().zip(&spec.node_schema.fields) {
            if matches!(slot, Value::Null) {
                *slot = null_of(f.ty);
            }
        }
    }
    for kind in &spec.components {
        let ids = components(&g, *kind);
        for (n, c) in ids.into_iter().enumerate() {
            g.props[n].push(Value::Long(c as i64));
        }
    }
    g
}

/// Each node's component, numbered from 0 in the order of the components'
/// first nodes.
fn components(g: &Built, kind: ComponentKind) -> Vec<usize> {
    let n = g.ids.len();
    match kind {
        ComponentKind::Weak => {
            let mut comp = vec![usize::MAX; n];
            let mut next = 0;
            for start in 0..n {
                if comp[start] != usize::MAX {
                    continue;
                }
                let mut stack = vec![start];
                comp[start] = next;
                while let Some(v) = stack.pop() {
                    let adjacent = g.out_edges[v]
                        .iter()
                        .map(|&e| g.ends[e].1)
                        .chain(g.in_edges[v].iter().map(|&e| g.ends[e].0));
                    for w in adjacent {
                        if comp[w] == usize::MAX {
                            comp[w] = next;
                            stack.push(w);
                        }
                    }
                }
                next += 1;
            }
            comp
        }
        ComponentKind::Strong => strong_components(g),
    }
}

/// Tarjan's strongly connected components (iterative), renumbered by
/// each component's first node.
fn strong_components(g: &Built) -> Vec<usize> {
    let n = g.ids.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut count = 0usize;
    let mut next_index = 0usize;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, position in its out-edges)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if let Some(&e) = g.out_edges[v].get(*pos) {
                *pos += 1;
                let w = g.ends[e].1;
                if index[w] == usize::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = count;
                    if w == v {
                        break;
                    }
                }
                count += 1;
            }
        }
    }
    // Renumber by first node.
    let mut renumber = vec![usize::MAX; count];
    let mut next = 0;
    for c in comp.iter_mut() {
        if let Some(r) = renumber.get_mut(*c) {
            if *r == usize::MAX {
                *r = next;
                next += 1;
            }
            *c = *r;
        }
    }
    comp
}

/// Each graph node's least number of edges to a node of `ok`, walking a
/// pattern edge of `direction` from its left node (`from_left`) or its
/// right one: a breadth-first search back from the `ok` nodes.
/// `u32::MAX`: none can be reached.
fn reach(g: &Built, ok: &[bool], direction: Direction, from_left: bool) -> Vec<u32> {
    let (forward, backward) = match (direction, from_left) {
        (Direction::Right, true) | (Direction::Left, false) => (true, false),
        (Direction::Left, true) | (Direction::Right, false) => (false, true),
        (Direction::Any, _) => (true, true),
    };
    let mut dist = vec![u32::MAX; g.ids.len()];
    let mut queue = std::collections::VecDeque::new();
    for (n, &pass) in ok.iter().enumerate() {
        if pass && let Some(d) = dist.get_mut(n) {
            *d = 0;
            queue.push_back(n);
        }
    }
    while let Some(v) = queue.pop_front() {
        let next = dist[v].saturating_add(1);
        // A walk forward reaches `v` from the sources of its in-edges.
        let before = forward
            .then(|| g.in_edges[v].iter().map(|&e| g.ends[e].0))
            .into_iter()
            .flatten()
            .chain(
                backward
                    .then(|| g.out_edges[v].iter().map(|&e| g.ends[e].1))
                    .into_iter()
                    .flatten(),
            );
        for w in before {
            if dist[w] == u32::MAX {
                dist[w] = next;
                queue.push_back(w);
            }
        }
    }
    dist
}

/// The longest path a variable length edge is walked to: each edge is one
/// level of recursion.
const MAX_PATH: usize = 10_000;

/// One `graph-match` / `graph-shortest-paths` search.
struct Search<'a> {
    g: &'a Built,
    m: &'a GraphMatch,
    exprs: &'a GraphExprs,
    ctx: &'a EvalContext,
    /// The pattern edges in search order, each with whether it is walked
    /// from its left node.
    order: Vec<(usize, bool)>,
    node_of: Vec<Option<usize>>,
    /// Per pattern edge, the graph edges of its path, left to right.
    paths: Vec<Vec<usize>>,
    used_edges: Vec<bool>,
    used_nodes: Vec<u32>,
    /// The output rows; for shortest paths, with their pair and length.
    rows: Vec<Vec<Value>>,
    found: Vec<((usize, usize), usize, Vec<Value>)>,
    /// Per constraint: whether it is a node filter (it reads one node
    /// variable only), checked through `node_ok` instead.
    filters: Vec<bool>,
    /// Per node slot with node filters: whether each graph node passes
    /// them (evaluated once per node, not once per path).
    node_ok: Vec<Option<Vec<bool>>>,
    /// Per search step: for a step whose far node is not bound yet and
    /// has node filters, each graph node's least number of edges (walking
    /// the step's way) to a node that passes them; a walk that cannot get
    /// there in the edges left is cut short.
    reach: Vec<Option<Vec<u32>>>,
    /// The match-row columns read by the constraints checked after each
    /// search step, and by the projection.
    stage_needs: Vec<Vec<bool>>,
    project_needs: Vec<bool>,
}

/// Marks the match-row columns `e` reads.
fn mark_columns(e: &ScalarExpr, needs: &mut [bool]) {
    e.apply(&mut |n| {
        if let ScalarKind::Column { index } = n.kind
            && let Some(slot) = needs.get_mut(index)
        {
            *slot = true;
        }
        Recursion::Continue
    });
}

impl<'a> Search<'a> {
    fn new(g: &'a Built, m: &'a GraphMatch, exprs: &'a GraphExprs, ctx: &'a EvalContext) -> Self {
        let node_width = g.props.first().map_or(0, Vec::len) + 3;
        let edge_width = g.edges.first().map_or(0, Vec::len);
        let width =
            m.named_nodes.len() * node_width + m.named_edges.len() * edge_width + m.lambdas.len();
        let mut search = Search {
            g,
            m,
            exprs,
            ctx,
            order: m.order.clone(),
            node_of: vec![None; m.nodes],
            paths: vec![Vec::new(); m.edges.len()],
            used_edges: vec![false; g.edges.len()],
            used_nodes: vec![0; g.ids.len()],
            rows: Vec::new(),
            found: Vec::new(),
            filters: vec![false; m.constraints.len()],
            node_ok: vec![None; m.nodes],
            reach: vec![None; m.order.len()],
            stage_needs: vec![vec![false; width]; m.order.len() + 1],
            project_needs: vec![false; width],
        };
        for e in &m.project {
            mark_columns(e, &mut search.project_needs);
        }
        // The node filters: constraints that read the columns of one named
        // node only, evaluated once per graph node.
        for (i, ((c, stage), expr)) in m.constraints.iter().zip(&exprs.constraints).enumerate() {
            let mut needs = vec![false; width];
            mark_columns(c, &mut needs);
            let read: Vec<usize> = (0..width).filter(|&k| needs[k]).collect();
            let block = |k: usize| (k < m.named_nodes.len() * node_width).then(|| k / node_width);
            let slot_block = read.first().and_then(|&k| block(k));
            match slot_block {
                Some(b) if read.iter().all(|&k| block(k) == Some(b)) => {
                    let slot = m.named_nodes[b];
                    let mut ok = search.node_ok[slot]
                        .take()
                        .unwrap_or_else(|| vec![true; g.ids.len()]);
                    let mut row = vec![Value::Null; width];
                    for (n, pass) in ok.iter_mut().enumerate() {
                        if !*pass {
                            continue;
                        }
                        let node = g.node_row(n);
                        for (k, v) in node.into_iter().enumerate() {
                            if let Some(cell) = row.get_mut(b * node_width + k) {
                                *cell = v;
                            }
                        }
                        *pass = matches!(expr.eval(&row, ctx), Value::Bool(true));
                    }
                    search.node_ok[slot] = Some(ok);
                    search.filters[i] = true;
                }
                _ => {
                    if let Some(stage_needs) = search.stage_needs.get_mut(*stage) {
                        for k in read {
                            stage_needs[k] = true;
                        }
                    }
                }
            }
        }
        // The steps whose far node is bound by no step before them.
        let mut bound = vec![false; m.nodes];
        if let Some(b) = bound.first_mut() {
            *b = true;
        }
        for (k, &(e, from_left)) in m.order.iter().enumerate() {
            let pe = &m.edges[e];
            let far = if from_left { pe.right } else { pe.left };
            if !bound[far]
                && let Some(ok) = &search.node_ok[far]
            {
                search.reach[k] = Some(reach(g, ok, pe.direction, from_left));
            }
            bound[pe.left] = true;
            bound[pe.right] = true;
        }
        search
    }

    fn run(&mut self) -> Result<(), ExecError> {
        if self.m.nodes == 0 {
            return Ok(());
        }
        for n in 0..self.g.ids.len() {
            if !self.passes(0, n) {
                continue;
            }
            self.node_of[0] = Some(n);
            if !self.holds(0) {
                continue;
            }
            self.used_nodes[n] += 1;
            self.step(0)?;
            self.used_nodes[n] -= 1;
        }
        self.node_of[0] = None;
        Ok(())
    }

    fn step(&mut self, k: usize) -> Result<(), ExecError> {
        let Some(&(e, from_left)) = self.order.get(k) else {
            return self.emit();
        };
        let pe = &self.m.edges[e];
        let (start_slot, end_slot) = if from_left {
            (pe.left, pe.right)
        } else {
            (pe.right, pe.left)
        };
        let Some(start) = self.node_of[start_slot] else {
            return Ok(());
        };
        // A path with no edge twice is no longer than the graph has edges.
        let max = if self.m.cycles == Cycles::All {
            pe.max as usize
        } else {
            (pe.max as usize).min(self.g.edges.len())
        };
        if max > MAX_PATH {
            return Err(ExecError::Runtime(format!(
                "graph-match: a variable length edge may stand for at most {MAX_PATH} edges here; lower its maximum ({})",
                pe.max
            )));
        }
        let mut walked = Vec::new();
        for len in (pe.min as usize)..=max {
            self.walk(k, e, from_left, end_slot, start, len, &mut walked)?;
        }
        Ok(())
    }

    /// Extends the path of pattern edge `e` (walked from `from_left`) by
    /// `left` more graph edges from node `at`.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &mut self,
        k: usize,
        e: usize,
        from_left: bool,
        end_slot: usize,
        at: usize,
        left: usize,
        walked: &mut Vec<usize>,
    ) -> Result<(), ExecError> {
        if let Some(Some(d)) = self.reach.get(k)
            && d.get(at).is_none_or(|&d| d as usize > left)
        {
            return Ok(());
        }
        if left == 0 {
            let bound = self.node_of[end_slot];
            match bound {
                Some(n) if n != at => return Ok(()),
                Some(_) => {}
                None => {
                    if !self.passes(end_slot, at) {
                        return Ok(());
                    }
                    if self.m.cycles == Cycles::None
                        && self.used_nodes[at] > 0
                        && !walked.is_empty()
                    {
                        return Ok(());
                    }
                    self.node_of[end_slot] = Some(at);
                }
            }
            let mut path = walked.clone();
            if !from_left {
                path.reverse();
            }
            self.paths[e] = path;
            if bound.is_none() {
                self.used_nodes[at] += 1;
            }
            let r = if self.holds(k + 1) {
                self.step(k + 1)
            } else {
                Ok(())
            };
            if bound.is_none() {
                self.used_nodes[at] -= 1;
                self.node_of[end_slot] = None;
            }
            return r;
        }
        let direction = self.m.edges[e].direction;
        // Walking from the right reverses the pattern edge's direction.
        let (forward, backward) = match (direction, from_left) {
            (Direction::Right, true) | (Direction::Left, false) => (true, false),
            (Direction::Left, true) | (Direction::Right, false) => (false, true),
            (Direction::Any, _) => (true, true),
        };
        let mut next: Vec<(usize, usize)> = Vec::new();
        if forward {
            next.extend(self.g.out_edges[at].iter().map(|&x| (x, self.g.ends[x].1)));
        }
        if backward {
            next.extend(self.g.in_edges[at].iter().map(|&x| (x, self.g.ends[x].0)));
        }
        if forward && backward {
            next.sort_unstable();
            next.dedup_by_key(|(x, _)| *x);
        }
        for (x, to) in next {
            if self.m.cycles != Cycles::All && self.used_edges[x] {
                continue;
            }
            if self.m.cycles == Cycles::None && left > 1 && self.used_nodes[to] > 0 {
                continue;
            }
            self.used_edges[x] = true;
            if left > 1 {
                self.used_nodes[to] += 1;
            }
            walked.push(x);
            let r = self.walk(k, e, from_left, end_slot, to, left - 1, walked);
            walked.pop();
            if left > 1 {
                self.used_nodes[to] -= 1;
            }
            self.used_edges[x] = false;
            r?;
        }
        Ok(())
    }

    /// The nodes of pattern edge `e`'s path, left to right, ends included.
    fn path_nodes(&self, e: usize) -> Vec<usize> {
        let pe = &self.m.edges[e];
        let mut at = self.node_of[pe.left].unwrap_or(0);
        let mut nodes = vec![at];
        for &x in &self.paths[e] {
            let (s, t) = self.g.ends[x];
            at = if s == at { t } else { s };
            nodes.push(at);
        }
        nodes
    }

    /// Whether graph node `n` passes the node filters of slot `slot`.
    fn passes(&self, slot: usize, n: usize) -> bool {
        match self.node_ok.get(slot) {
            Some(Some(ok)) => ok.get(n).copied().unwrap_or(false),
            _ => true,
        }
    }

    /// Whether the constraints checked after search step `stage` hold.
    fn holds(&self, stage: usize) -> bool {
        let mut row = None;
        for (i, ((_, at), c)) in self
            .m
            .constraints
            .iter()
            .zip(&self.exprs.constraints)
            .enumerate()
        {
            if *at != stage || self.filters[i] {
                continue;
            }
            let row = row.get_or_insert_with(|| {
                let needs = self.stage_needs.get(stage).map_or(&[][..], Vec::as_slice);
                self.match_row(stage, needs)
            });
            if !matches!(c.eval(&*row, self.ctx), Value::Bool(true)) {
                return false;
            }
        }
        true
    }

    /// The match row (see `plan::nodes::graph`) as far as the search has
    /// bound it after step `stage`: what is not bound yet is null, as is
    /// each column `needs` does not mark (no expression reads it).
    fn match_row(&self, stage: usize, needs: &[bool]) -> Vec<Value> {
        let g = self.g;
        let walked = |e: usize| self.order.iter().take(stage).any(|(x, _)| *x == e);
        let node_width = self.g.props.first().map_or(0, Vec::len) + 3;
        let needed = |k: usize| needs.get(k).copied().unwrap_or(false);
        let mut row: Vec<Value> = Vec::with_capacity(needs.len());
        for &slot in &self.m.named_nodes {
            let at = row.len();
            match self.node_of[slot] {
                Some(n) if (at..at + node_width).any(needed) => {
                    let props = &g.props[n];
                    for (k, v) in props.iter().enumerate() {
                        row.push(if needed(at + k) {
                            v.clone()
                        } else {
                            Value::Null
                        });
                    }
                    row.push(g.ids[n].clone());
                    row.push(Value::Long(g.in_edges[n].len() as i64));
                    row.push(Value::Long(g.out_edges[n].len() as i64));
                }
                _ => row.extend(std::iter::repeat_n(Value::Null, node_width)),
            }
        }
        let edge_width = g.edges.first().map_or(0, Vec::len);
        for &e in &self.m.named_edges {
            let path = &self.paths[e];
            let at = row.len();
            if !walked(e) || !(at..at + edge_width).any(needed) {
                row.extend(std::iter::repeat_n(Value::Null, edge_width));
            } else if self.m.edges[e].variable {
                for c in 0..edge_width {
                    if !needed(at + c) {
                        row.push(Value::Null);
                        continue;
                    }
                    let values = path
                        .iter()
                        .map(|&x| g.edges[x].get(c).cloned().unwrap_or(Value::Null))
                        .collect();
                    row.push(Value::array(values));
                }
            } else if let Some(&x) = path.first() {
                row.extend(g.edges[x].iter().cloned());
            }
        }
        for (lambda, expr) in self.m.lambdas.iter().zip(&self.exprs.lambdas) {
            if !walked(lambda.edge) || !needed(row.len()) {
                row.push(Value::Null);
                continue;
            }
            let elements: Vec<Vec<Value>> = if lambda.inner_nodes {
                let nodes = self.path_nodes(lambda.edge);
                let inner = nodes.len().saturating_sub(2);
                nodes
                    .iter()
                    .skip(1)
                    .take(inner)
                    .map(|&n| g.node_row(n))
                    .collect()
            } else {
                self.paths[lambda.edge]
                    .iter()
                    .map(|&x| g.edges[x].clone())
                    .collect()
            };
            let value = match lambda.kind {
                LambdaKind::All => Value::Bool(
                    elements
                        .iter()
                        .all(|r| matches!(expr.eval(r, self.ctx), Value::Bool(true))),
                ),
                LambdaKind::Any => Value::Bool(
                    elements
                        .iter()
                        .any(|r| matches!(expr.eval(r, self.ctx), Value::Bool(true))),
                ),
                LambdaKind::Map => {
                    Value::array(elements.iter().map(|r| expr.eval(r, self.ctx)).collect())
                }
            };
            row.push(value);
        }
        row
    }

    /// A complete match whose constraints held: its output row.
    fn emit(&mut self) -> Result<(), ExecError> {
        let row = self.match_row(self.order.len(), &self.project_needs);
        let out: Vec<Value> = self
            .exprs
            .project
            .iter()
            .map(|e| e.eval(&row, self.ctx))
            .collect();
        if self.m.shortest.is_some() {
            let first = self.node_of[0].unwrap_or(0);
            let last = self
                .m
                .edges
                .last()
                .and_then(|e| self.node_of[e.right])
                .unwrap_or(first);
            let length = self.paths.iter().map(Vec::len).sum();
            self.found.push(((first, last), length, out));
        } else {
            self.rows.push(out);
        }
        if (self.rows.len() + self.found.len()).is_multiple_of(65_536) {
            memory_error("graph-match")?;
        }
        Ok(())
    }

    /// The rows: every match, or per pair of end nodes the shortest ones.
    fn finish(self) -> Vec<Vec<Value>> {
        let Some(all) = self.m.shortest else {
            return self.rows;
        };
        let mut best: KeyMap<(usize, usize), (usize, usize)> = KeyMap::default();
        for (i, (pair, length, _)) in self.found.iter().enumerate() {
            let entry = best.entry(*pair).or_insert((*length, i));
            if *length < entry.0 {
                *entry = (*length, i);
            }
        }
        self.found
            .into_iter()
            .enumerate()
            .filter(|(i, (pair, length, _))| match best.get(pair) {
                Some(&(min, first)) => *length == min && (all || *i == first),
                None => false,
            })
            .map(|(_, (_, _, row))| row)
            .collect()
    }
}

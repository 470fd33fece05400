//! What rule replay (`crate::replay::run`) needs of the engine to run a
//! query over many time windows without reading or copying its tables for
//! each one: rows shared between engines, each engine seeing a range of
//! them ([`Engine::add_shared_rows`]), and the row filters of a query that
//! do not depend on `now()` ([`Query::row_filters`]), so that the rows no
//! window can use are dropped once, before the windows run.

use super::{Engine, Query, ResultSink};
use crate::catalog::{Table as CatalogTable, TableData};
use crate::error::Error;
use crate::exec_error::ExecError;
use crate::plan::expr::{LogicalOp, ScalarExpr, ScalarKind};
use crate::plan::logical::{Filter, LogicalPlan, Scan};
use crate::plan::tree::{Recursion, TreeNode};
use crate::schema::Schema;
use crate::semantic::BoundQuery;
use crate::span::Span;
use crate::types::DataType;
use crate::value::Value;
use std::collections::BTreeMap;
use std::ops::{ControlFlow, Range};
use std::sync::Arc;

/// Rows held once and shared by every engine that sees a range of them.
pub(crate) type SharedRows = Arc<Vec<Vec<Value>>>;

/// A condition that every row of a table a query can use passes, whatever
/// `now()` is: the `where` conjuncts directly over each of the query's
/// scans of the table that do not depend on `now()`, on another table
/// (a subquery) or on chance, joined by `or` over the scans.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RowFilter {
    /// The columns of the table, by the positions the predicate uses.
    columns: Vec<String>,
    predicate: ScalarExpr,
}

impl RowFilter {
    /// A text that is the same for the same filter (to share the rows it
    /// keeps between rules).
    pub(crate) fn key(&self) -> String {
        format!("{:?} {}", self.columns, self.predicate)
    }
}

impl Engine {
    /// Registers the rows `range` of `rows` as table `name`, without
    /// copying or checking them: they are rows of `schema` read by a query
    /// of this crate (so already of their columns' types).
    pub(crate) fn add_shared_rows(
        &mut self,
        name: &str,
        schema: Schema,
        rows: SharedRows,
        range: Range<usize>,
    ) {
        self.inputs.remove(name);
        self.catalog.insert(CatalogTable {
            name: name.to_string(),
            schema,
            data: Arc::new(TableData::Shared { rows, range }),
        });
    }

    /// The rows of `rows` (of `schema`, a table `name`) that pass
    /// `filter`, in order; `None` when `schema` lacks a column the filter
    /// reads. JSON paths are read through `json_paths`.
    pub(crate) fn filter_rows(
        &self,
        name: &str,
        filter: &RowFilter,
        schema: &Schema,
        rows: &SharedRows,
        json_paths: &Arc<crate::json::PathCache>,
    ) -> Result<Option<Vec<Vec<Value>>>, Error> {
        let mut positions = Vec::with_capacity(filter.columns.len());
        for column in &filter.columns {
            match schema.index_of(column) {
                Some(i) => positions.push(i),
                None => return Ok(None),
            }
        }
        let mut outside = false;
        filter
            .predicate
            .visit_columns(&mut |i| outside |= i >= positions.len());
        if outside {
            return Ok(None);
        }
        let mut predicate = filter.predicate.clone();
        predicate.remap_columns(&|i| positions.get(i).copied().unwrap_or(usize::MAX));
        let scan = Scan {
            table: name.to_string(),
            table_schema: schema.clone(),
            data: Arc::new(TableData::Shared {
                rows: rows.clone(),
                range: 0..rows.len(),
            }),
            columns: (0..schema.len()).collect(),
            schema: schema.clone(),
            prefilter: None,
        };
        // The conditions may have come from several `where`s and
        // `extend`s: `parse_json(log_s).verb` is made one JSON path again.
        let plan = crate::plan::rules::optimize(LogicalPlan::Filter(Filter {
            input: Box::new(LogicalPlan::Scan(scan)),
            predicate,
        }));
        let query = Query {
            bound: BoundQuery {
                results: vec![plan],
                result_names: vec![None],
                subqueries: Vec::new(),
                needs_data: false,
                notes: Vec::new(),
            },
            ctx: crate::functions::EvalContext {
                now: self.options.now.unwrap_or(crate::value::DateTime(0)),
                geoip: self.options.geoip.clone(),
                json_paths: Some(json_paths.clone()),
            },
            notes: Vec::new(),
            read: Vec::new(),
            anchors: Vec::new(),
        };
        let mut kept = Kept(Vec::new());
        query.run(self, &mut kept)?;
        Ok(Some(kept.0))
    }
}

/// Keeps the rows of a run.
struct Kept(Vec<Vec<Value>>);

impl ResultSink for Kept {
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self.0.push(row);
        Ok(ControlFlow::Continue(()))
    }
}

/// One scan of a table in a plan, and the conjuncts of the `where`s right
/// over it, on the table's columns (positions in its whole schema).
struct ScanUse {
    table: String,
    conjuncts: Vec<ScalarExpr>,
    table_columns: Vec<String>,
}

impl Query {
    /// The row filter of each table this query reads, where it has one
    /// ([`RowFilter`]). `other` is the same text compiled with another
    /// `now()`: a conjunct that differs between the two (`TimeGenerated >
    /// ago(1h)`, folded to a constant) depends on `now()` and is left out.
    pub(crate) fn row_filters(&self, other: &Query) -> BTreeMap<String, RowFilter> {
        let uses = scan_uses(&self.bound);
        let others = scan_uses(&other.bound);
        let mut out = BTreeMap::new();
        if uses.len() != others.len() {
            return out;
        }
        // Per table, the kept conjuncts of each of its scans; `None` once
        // some scan of it keeps none (that scan sees every row).
        let mut per_table: BTreeMap<String, Option<Vec<ScalarExpr>>> = BTreeMap::new();
        let columns: BTreeMap<String, Vec<String>> = uses
            .iter()
            .map(|u| (u.table.clone(), u.table_columns.clone()))
            .collect();
        for (a, b) in uses.into_iter().zip(others) {
            let same_shape = a.table == b.table
                && a.table_columns == b.table_columns
                && a.conjuncts.len() == b.conjuncts.len();
            let kept: Vec<ScalarExpr> = if same_shape {
                a.conjuncts
                    .into_iter()
                    .zip(b.conjuncts)
                    .filter(|(x, y)| x == y && independent(x))
                    .map(|(x, _)| x)
                    .collect()
            } else {
                Vec::new()
            };
            let entry = per_table.entry(a.table).or_insert_with(|| Some(Vec::new()));
            match (entry.as_mut(), kept.is_empty()) {
                (_, true) => *entry = None,
                (Some(alternatives), false) => alternatives.push(and(kept)),
                (None, false) => {}
            }
        }
        for (table, alternatives) in per_table {
            let (Some(alternatives), Some(columns)) = (alternatives, columns.get(&table)) else {
                continue;
            };
            let predicate = if alternatives.len() == 1 {
                alternatives.into_iter().next()
            } else {
                Some(ScalarExpr {
                    kind: ScalarKind::Logical {
                        op: LogicalOp::Or,
                        args: alternatives,
                    },
                    ty: DataType::Bool,
                    span: Span::point(0),
                })
            };
            if let Some(predicate) = predicate {
                out.insert(
                    table,
                    RowFilter {
                        columns: columns.clone(),
                        predicate,
                    },
                );
            }
        }
        out
    }
}

fn and(mut conjuncts: Vec<ScalarExpr>) -> ScalarExpr {
    if conjuncts.len() == 1 {
        return conjuncts.remove(0);
    }
    ScalarExpr {
        kind: ScalarKind::Logical {
            op: LogicalOp::And,
            args: conjuncts,
        },
        ty: DataType::Bool,
        span: Span::point(0),
    }
}

/// Whether `e` gives the same value for a row whatever the window: no
/// `now()`/`ago()` left unfolded, no subquery (its value depends on the
/// window's rows of some table), no impure function (`rand()`).
fn independent(e: &ScalarExpr) -> bool {
    !e.exists(&mut |n| match &n.kind {
        ScalarKind::Subquery { .. } => true,
        ScalarKind::Call { function, .. } => {
            !function.pure || matches!(function.name, "now" | "ago")
        }
        _ => false,
    })
}

/// Every scan in the query's plans, in a fixed order, with the conjuncts
/// of the filters right over it.
fn scan_uses(bound: &BoundQuery) -> Vec<ScanUse> {
    let mut uses = Vec::new();
    for plan in bound
        .subqueries
        .iter()
        .map(|s| &s.plan)
        .chain(&bound.results)
    {
        plan.apply(&mut |node| {
            match node {
                LogicalPlan::Filter(_) => {
                    // Down through the filters and the row-by-row
                    // `extend`s/`project`s between them and the scan, the
                    // filters' conditions rewritten over the scan's columns.
                    let mut conjuncts = Vec::new();
                    let mut at = node;
                    loop {
                        match at {
                            LogicalPlan::Filter(f) => {
                                split_and(&f.predicate, &mut conjuncts);
                                at = &f.input;
                            }
                            LogicalPlan::Project(p) => {
                                conjuncts = conjuncts
                                    .into_iter()
                                    .filter_map(|c| substitute(c, &p.exprs))
                                    .collect();
                                at = &p.input;
                            }
                            _ => break,
                        }
                    }
                    if let LogicalPlan::Scan(scan) = at {
                        // The conditions nearest the scan first: they are
                        // the cheap ones (`Category == ...`).
                        conjuncts.reverse();
                        uses.push(scan_use(scan, conjuncts));
                        return Recursion::Jump;
                    }
                }
                LogicalPlan::Scan(scan) => uses.push(scan_use(scan, Vec::new())),
                _ => {}
            }
            Recursion::Continue
        });
    }
    uses
}

/// `e`, over the output of a `project` of `exprs`, rewritten over its
/// input; `None` when it reads a column whose value the `project` changes
/// on the way out (`extend`ed values are normalised to their column's
/// type: a null string becomes `""`, a `long` in an `int` column...) and
/// the expression inlined might not give the same value.
fn substitute(e: ScalarExpr, exprs: &[ScalarExpr]) -> Option<ScalarExpr> {
    let as_is = |x: &ScalarExpr| {
        matches!(x.kind, ScalarKind::Column { .. })
            || matches!(
                x.ty,
                DataType::Dynamic | DataType::Bool | DataType::DateTime | DataType::Timespan
            )
            || matches!(&x.kind, ScalarKind::Call { function, .. } if function.name == "tostring")
    };
    let mut inlinable = true;
    e.visit_columns(&mut |i| inlinable &= exprs.get(i).is_some_and(as_is));
    if !inlinable {
        return None;
    }
    Some(e.transform_up(&mut |n| match n.kind {
        ScalarKind::Column { index } => match exprs.get(index) {
            Some(x) => x.clone(),
            None => n,
        },
        _ => n,
    }))
}

fn scan_use(scan: &Scan, mut conjuncts: Vec<ScalarExpr>) -> ScanUse {
    // The filters read the scan's output columns; make them read the
    // table's.
    for c in &mut conjuncts {
        c.remap_columns(&|i| scan.columns.get(i).copied().unwrap_or(usize::MAX));
    }
    ScanUse {
        table: scan.table.clone(),
        conjuncts,
        table_columns: scan.table_schema.names().map(str::to_string).collect(),
    }
}

fn split_and(e: &ScalarExpr, out: &mut Vec<ScalarExpr>) {
    match &e.kind {
        ScalarKind::Logical {
            op: LogicalOp::And,
            args,
        } => {
            for a in args {
                split_and(a, out);
            }
        }
        _ => out.push(e.clone()),
    }
}

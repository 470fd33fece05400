//! The logical plan: what a tabular expression computes, with every name
//! resolved and every column typed. Each node knows its output [`Schema`].

use crate::catalog::TableData;
use crate::plan::expr::{AggregateExpr, ScalarExpr};
use crate::schema::Schema;
use crate::types::DataType;
use crate::value::Value;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub enum LogicalPlan {
    /// Rows of a table. `columns` lists the table columns actually read, in
    /// output order (all of them until `prune_columns` runs).
    Scan {
        table: String,
        table_schema: Schema,
        data: Arc<TableData>,
        columns: Vec<usize>,
        schema: Schema,
        /// Text every line must contain to possibly produce a row that
        /// survives the filters above (see `plan::rules::prefilter`).
        prefilter: Option<Prefilter>,
    },
    /// Literal rows: `print`, `datatable`.
    Values {
        schema: Schema,
        rows: Arc<Vec<Vec<Value>>>,
    },
    /// `range c from start to stop step step`.
    Range {
        schema: Schema,
        start: ScalarExpr,
        stop: ScalarExpr,
        step: ScalarExpr,
    },
    /// `where`: rows for which the predicate is `true`.
    Filter {
        input: Box<LogicalPlan>,
        predicate: ScalarExpr,
    },
    /// `extend`, `project`, `project-away/-keep/-rename/-reorder`: one output
    /// column per expression.
    Project {
        input: Box<LogicalPlan>,
        exprs: Vec<ScalarExpr>,
        schema: Schema,
    },
    /// `take`/`limit`: the first `count` rows.
    Limit { input: Box<LogicalPlan>, count: u64 },
    /// `summarize`, `count`, `distinct`: group keys first, then aggregates.
    Aggregate {
        input: Box<LogicalPlan>,
        group_by: Vec<ScalarExpr>,
        aggregates: Vec<AggregateExpr>,
        schema: Schema,
    },
    /// `sort by`/`order by`.
    Sort {
        input: Box<LogicalPlan>,
        keys: Vec<SortKey>,
    },
    /// `top N by`: the first `count` rows in key order.
    TopN {
        input: Box<LogicalPlan>,
        keys: Vec<SortKey>,
        count: u64,
    },
    /// `union`: the inputs' rows, one after another; each input is already
    /// projected onto `schema`.
    Union {
        inputs: Vec<LogicalPlan>,
        schema: Schema,
    },
    /// `join` and `lookup`.
    Join {
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        kind: JoinKind,
        /// Pairs of (left column, right column) that must be equal.
        keys: Vec<(usize, usize)>,
        schema: Schema,
    },
    /// `mv-expand`: one row per element of the expanded columns.
    MvExpand {
        input: Box<LogicalPlan>,
        /// Columns (of the input, already computed) to expand.
        columns: Vec<MvExpandColumn>,
        /// Index column appended to the output (`with_itemindex=`).
        item_index: bool,
        limit: Option<u64>,
        schema: Schema,
    },
    /// `materialize(...)`: computed once, shared by every reference.
    Materialize { id: usize, input: Arc<LogicalPlan> },
    /// `make-series`: `input` is the aggregation by the `by` keys and the
    /// binned axis (keys, then the bin, then one column per aggregate);
    /// this node arranges each key's bins into arrays, filling the bins
    /// with no rows with `defaults`. Output: the keys, an array per
    /// aggregate, the array of bins.
    MakeSeries {
        input: Box<LogicalPlan>,
        keys: usize,
        range: Box<SeriesRange>,
        defaults: Vec<Value>,
        /// `kind=nonempty`: an empty input still gives one row of defaults.
        nonempty: bool,
        schema: Schema,
    },
    /// Window functions over serialized rows: the input's columns, then one
    /// column per function, computed in row order, each function seeing the
    /// columns of the ones before it.
    Window {
        input: Box<LogicalPlan>,
        functions: Vec<WindowExpr>,
        schema: Schema,
    },
    /// `serialize`: marks the rows as ordered, so window functions may
    /// follow (the rows are not changed).
    Serialize { input: Box<LogicalPlan> },
    /// `evaluate pivot(...)`: `input` is the aggregation by the kept
    /// columns and the pivot value (keys, then the value, then the cell);
    /// each key gets one row, with a column per pivot value in `values`
    /// (`empty` where it has no cell).
    Pivot {
        input: Box<LogicalPlan>,
        keys: usize,
        values: Vec<Value>,
        empty: Value,
        schema: Schema,
        /// The values were not read from the data yet: `values` is empty
        /// (see `semantic::Probe`).
        provisional: bool,
    },
    /// `partition by column (subquery)`: the subquery (bound over a
    /// [`LogicalPlan::Parameter`] of the input's schema) runs over the rows
    /// of each value of `column`; the results are put one after another.
    Partition {
        input: Box<LogicalPlan>,
        column: usize,
        subquery: Box<LogicalPlan>,
        /// The legacy strategy (the default): at most 64 partitions.
        legacy: bool,
        schema: Schema,
    },
    /// `top-nested`: per level, the values of an expression and an
    /// aggregation over each value's rows, the top ones kept, nested within
    /// the levels before.
    TopNested {
        input: Box<LogicalPlan>,
        levels: Vec<NestedLevel>,
        schema: Schema,
    },
    /// `mv-apply items on (subquery)`: for each input row, the subquery runs
    /// over the rows of its expansion (columns as `expanded`); each row it
    /// returns gives an output row of input and subquery columns.
    MvApply {
        input: Box<LogicalPlan>,
        items: Vec<ApplyItem>,
        /// `with_itemindex=`: the element index is the last column of
        /// `expanded`.
        item_index: bool,
        limit: Option<u64>,
        expanded: Schema,
        /// Bound over a [`LogicalPlan::Parameter`] of schema `expanded`.
        subquery: Box<LogicalPlan>,
        outputs: Vec<ApplyOutput>,
        schema: Schema,
    },
    /// The rows an enclosing operator hands its subquery: one input row's
    /// expansion in `mv-apply`.
    Parameter { schema: Schema },
    /// `evaluate bag_unpack(column, ...)`: each output column is an input
    /// column or a key of the bag in `column`.
    BagUnpack {
        input: Box<LogicalPlan>,
        column: usize,
        outputs: Vec<UnpackOutput>,
        schema: Schema,
        /// The keys were not read from the data yet: `outputs` is a
        /// stand-in (see `semantic::Probe`).
        provisional: bool,
    },
}

/// The axis of a `make-series`: constant expressions (they may read
/// subqueries, so they are evaluated when the plan is lowered).
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRange {
    /// `from` / the first argument of `range()`; absent: each series starts
    /// at its first bin with data.
    pub start: Option<ScalarExpr>,
    /// `to` (exclusive) / the second argument of `range()` (inclusive);
    /// absent: each series ends at its last bin with data.
    pub end: Option<ScalarExpr>,
    pub step: ScalarExpr,
    /// `in range(start, stop, step)`: bins are aligned with `bin()` rather
    /// than on `start`, and `stop` is included.
    pub in_range: bool,
}

/// One level of [`LogicalPlan::TopNested`].
#[derive(Clone, Debug, PartialEq)]
pub struct NestedLevel {
    /// `N`: how many values to keep (all when absent).
    pub count: Option<u64>,
    /// The value (`of expr`), over the input row.
    pub value: ScalarExpr,
    /// `with others = v`: one more row for the values not kept.
    pub others: Option<Value>,
    /// The aggregations `by` reads.
    pub aggregates: Vec<AggregateExpr>,
    /// `by`: over the row of finished aggregations.
    pub by: ScalarExpr,
    pub descending: bool,
}

/// A window function (<https://learn.microsoft.com/kusto/query/window-functions>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowKind {
    /// `prev(expr [, offset [, default]])`
    Prev { offset: u64 },
    /// `next(expr [, offset [, default]])`
    Next { offset: u64 },
    /// `row_number([start [, restart]])`
    RowNumber,
    /// `row_cumsum(term [, restart])`
    RowCumsum,
    /// `row_window_session(expr, max_from_first, max_between_neighbors [, restart])`
    RowWindowSession,
    /// `row_rank_dense(term [, restart])`
    RowRankDense,
    /// `row_rank_min(term [, restart])`
    RowRankMin,
}

impl WindowKind {
    pub fn name(self) -> &'static str {
        match self {
            WindowKind::Prev { .. } => "prev",
            WindowKind::Next { .. } => "next",
            WindowKind::RowNumber => "row_number",
            WindowKind::RowCumsum => "row_cumsum",
            WindowKind::RowWindowSession => "row_window_session",
            WindowKind::RowRankDense => "row_rank_dense",
            WindowKind::RowRankMin => "row_rank_min",
        }
    }
}

/// One window function call of a [`LogicalPlan::Window`]: its arguments
/// read the input row and the window columns before it. Arguments that
/// were left out are absent (`row_number()` has none); `prev`/`next`
/// keep the value and the default (or just the value).
#[derive(Clone, Debug, PartialEq)]
pub struct WindowExpr {
    pub kind: WindowKind,
    pub args: Vec<ScalarExpr>,
    pub ty: DataType,
}

/// An expression `mv-apply` expands: computed on the input row, it fills
/// column `slot` of the rows handed to the subquery, one element a row.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyItem {
    pub expr: ScalarExpr,
    pub slot: usize,
    /// `to typeof(T)`: the elements' type (`dynamic` by default).
    pub to_type: DataType,
}

/// One output column of [`LogicalPlan::MvApply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyOutput {
    /// The input row's column at this position.
    Input(usize),
    /// The subquery's column at this position.
    Subquery(usize),
}

/// One output column of [`LogicalPlan::BagUnpack`].
#[derive(Clone, Debug, PartialEq)]
pub enum UnpackOutput {
    /// The input column at this position.
    Input(usize),
    /// The bag's value at `key`, converted to `ty` (null when absent).
    Key { key: String, ty: DataType },
}

/// A necessary condition on a line's raw text: for every group, the line
/// contains at least one of its needles (as bytes; case-folded for ASCII
/// when the needle is not case-sensitive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefilter {
    pub all_of: Vec<Vec<Needle>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Needle {
    pub text: String,
    pub case_sensitive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: ScalarExpr,
    pub descending: bool,
    pub nulls_first: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MvExpandColumn {
    pub index: usize,
    /// `bagexpansion=array`: a bag expands to `[key, value]` pairs.
    pub bag_as_array: bool,
    /// `to typeof(T)`: the element type after expansion.
    pub to_type: DataType,
}

/// Join kinds of <https://learn.microsoft.com/kusto/query/join-operator>.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    RightSemi,
    RightAnti,
    /// `lookup kind=leftouter`: like a left outer join, keys kept once.
    LookupLeftOuter,
    /// `lookup kind=inner`.
    LookupInner,
}

impl LogicalPlan {
    /// The columns this node produces.
    pub fn schema(&self) -> &Schema {
        match self {
            LogicalPlan::Scan { schema, .. }
            | LogicalPlan::Values { schema, .. }
            | LogicalPlan::Range { schema, .. }
            | LogicalPlan::Project { schema, .. }
            | LogicalPlan::Aggregate { schema, .. }
            | LogicalPlan::Union { schema, .. }
            | LogicalPlan::Join { schema, .. }
            | LogicalPlan::MvExpand { schema, .. }
            | LogicalPlan::BagUnpack { schema, .. }
            | LogicalPlan::MvApply { schema, .. }
            | LogicalPlan::Window { schema, .. }
            | LogicalPlan::MakeSeries { schema, .. }
            | LogicalPlan::Pivot { schema, .. }
            | LogicalPlan::Partition { schema, .. }
            | LogicalPlan::TopNested { schema, .. }
            | LogicalPlan::Parameter { schema } => schema,
            LogicalPlan::Serialize { input } => input.schema(),
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::TopN { input, .. } => input.schema(),
            LogicalPlan::Materialize { input, .. } => input.schema(),
        }
    }

    /// Applies `f` to every scalar expression of this node and of all its
    /// inputs (each expression once, after its inputs').
    pub fn map_exprs(self, f: &mut dyn FnMut(ScalarExpr) -> ScalarExpr) -> LogicalPlan {
        let keys =
            |keys: Vec<SortKey>, f: &mut dyn FnMut(ScalarExpr) -> ScalarExpr| -> Vec<SortKey> {
                keys.into_iter()
                    .map(|k| SortKey {
                        expr: f(k.expr),
                        ..k
                    })
                    .collect()
            };
        let aggregates = |aggregates: Vec<AggregateExpr>,
                          f: &mut dyn FnMut(ScalarExpr) -> ScalarExpr|
         -> Vec<AggregateExpr> {
            aggregates
                .into_iter()
                .map(|a| AggregateExpr {
                    args: a.args.into_iter().map(&mut *f).collect(),
                    ..a
                })
                .collect()
        };
        match self.map_inputs(&mut |input| input.map_exprs(f)) {
            LogicalPlan::Range {
                schema,
                start,
                stop,
                step,
            } => LogicalPlan::Range {
                schema,
                start: f(start),
                stop: f(stop),
                step: f(step),
            },
            LogicalPlan::Filter { input, predicate } => LogicalPlan::Filter {
                input,
                predicate: f(predicate),
            },
            LogicalPlan::Project {
                input,
                exprs,
                schema,
            } => LogicalPlan::Project {
                input,
                exprs: exprs.into_iter().map(&mut *f).collect(),
                schema,
            },
            LogicalPlan::Aggregate {
                input,
                group_by,
                aggregates: a,
                schema,
            } => LogicalPlan::Aggregate {
                input,
                group_by: group_by.into_iter().map(&mut *f).collect(),
                aggregates: aggregates(a, f),
                schema,
            },
            LogicalPlan::Sort { input, keys: k } => LogicalPlan::Sort {
                input,
                keys: keys(k, f),
            },
            LogicalPlan::TopN {
                input,
                keys: k,
                count,
            } => LogicalPlan::TopN {
                input,
                keys: keys(k, f),
                count,
            },
            LogicalPlan::TopNested {
                input,
                levels,
                schema,
            } => LogicalPlan::TopNested {
                input,
                levels: levels
                    .into_iter()
                    .map(|l| NestedLevel {
                        value: f(l.value),
                        aggregates: aggregates(l.aggregates, f),
                        by: f(l.by),
                        ..l
                    })
                    .collect(),
                schema,
            },
            LogicalPlan::MakeSeries {
                input,
                keys,
                range,
                defaults,
                nonempty,
                schema,
            } => LogicalPlan::MakeSeries {
                input,
                keys,
                range: Box::new(SeriesRange {
                    start: range.start.map(&mut *f),
                    end: range.end.map(&mut *f),
                    step: f(range.step),
                    in_range: range.in_range,
                }),
                defaults,
                nonempty,
                schema,
            },
            LogicalPlan::Window {
                input,
                functions,
                schema,
            } => LogicalPlan::Window {
                input,
                functions: functions
                    .into_iter()
                    .map(|w| WindowExpr {
                        args: w.args.into_iter().map(&mut *f).collect(),
                        ..w
                    })
                    .collect(),
                schema,
            },
            // The subquery is one of the inputs, so it is already mapped.
            LogicalPlan::MvApply {
                input,
                items,
                item_index,
                limit,
                expanded,
                subquery,
                outputs,
                schema,
            } => LogicalPlan::MvApply {
                input,
                items: items
                    .into_iter()
                    .map(|i| ApplyItem {
                        expr: f(i.expr),
                        ..i
                    })
                    .collect(),
                item_index,
                limit,
                expanded,
                subquery,
                outputs,
                schema,
            },
            other => other,
        }
    }

    /// Rebuilds this node with `f` applied to each direct input.
    pub fn map_inputs(self, f: &mut dyn FnMut(LogicalPlan) -> LogicalPlan) -> LogicalPlan {
        let mut boxed = |b: Box<LogicalPlan>| Box::new(f(*b));
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::Values { .. }
            | LogicalPlan::Range { .. }
            | LogicalPlan::Parameter { .. } => self,
            LogicalPlan::Filter { input, predicate } => LogicalPlan::Filter {
                input: boxed(input),
                predicate,
            },
            LogicalPlan::Project {
                input,
                exprs,
                schema,
            } => LogicalPlan::Project {
                input: boxed(input),
                exprs,
                schema,
            },
            LogicalPlan::Limit { input, count } => LogicalPlan::Limit {
                input: boxed(input),
                count,
            },
            LogicalPlan::Aggregate {
                input,
                group_by,
                aggregates,
                schema,
            } => LogicalPlan::Aggregate {
                input: boxed(input),
                group_by,
                aggregates,
                schema,
            },
            LogicalPlan::Sort { input, keys } => LogicalPlan::Sort {
                input: boxed(input),
                keys,
            },
            LogicalPlan::TopN { input, keys, count } => LogicalPlan::TopN {
                input: boxed(input),
                keys,
                count,
            },
            LogicalPlan::Union { inputs, schema } => LogicalPlan::Union {
                inputs: inputs.into_iter().map(&mut *f).collect(),
                schema,
            },
            LogicalPlan::Join {
                left,
                right,
                kind,
                keys,
                schema,
            } => LogicalPlan::Join {
                left: boxed(left),
                right: boxed(right),
                kind,
                keys,
                schema,
            },
            LogicalPlan::MvExpand {
                input,
                columns,
                item_index,
                limit,
                schema,
            } => LogicalPlan::MvExpand {
                input: boxed(input),
                columns,
                item_index,
                limit,
                schema,
            },
            LogicalPlan::Materialize { id, input } => LogicalPlan::Materialize {
                id,
                input: Arc::new(f(Arc::unwrap_or_clone(input))),
            },
            LogicalPlan::BagUnpack {
                input,
                column,
                outputs,
                schema,
                provisional,
            } => LogicalPlan::BagUnpack {
                input: boxed(input),
                column,
                outputs,
                schema,
                provisional,
            },
            LogicalPlan::Window {
                input,
                functions,
                schema,
            } => LogicalPlan::Window {
                input: boxed(input),
                functions,
                schema,
            },
            LogicalPlan::Serialize { input } => LogicalPlan::Serialize {
                input: boxed(input),
            },
            LogicalPlan::Partition {
                input,
                column,
                subquery,
                legacy,
                schema,
            } => LogicalPlan::Partition {
                input: boxed(input),
                column,
                subquery: boxed(subquery),
                legacy,
                schema,
            },
            LogicalPlan::TopNested {
                input,
                levels,
                schema,
            } => LogicalPlan::TopNested {
                input: boxed(input),
                levels,
                schema,
            },
            LogicalPlan::Pivot {
                input,
                keys,
                values,
                empty,
                schema,
                provisional,
            } => LogicalPlan::Pivot {
                input: boxed(input),
                keys,
                values,
                empty,
                schema,
                provisional,
            },
            LogicalPlan::MakeSeries {
                input,
                keys,
                range,
                defaults,
                nonempty,
                schema,
            } => LogicalPlan::MakeSeries {
                input: boxed(input),
                keys,
                range,
                defaults,
                nonempty,
                schema,
            },
            LogicalPlan::MvApply {
                input,
                items,
                item_index,
                limit,
                expanded,
                subquery,
                outputs,
                schema,
            } => LogicalPlan::MvApply {
                input: boxed(input),
                items,
                item_index,
                limit,
                expanded,
                subquery: boxed(subquery),
                outputs,
                schema,
            },
        }
    }

    /// Whether the rows come out in an order window functions may rely on
    /// (<https://learn.microsoft.com/kusto/query/window-functions>): `sort`,
    /// `top`, `range`, `serialize` and `getschema` serialize; `extend`,
    /// `project*`, `where`, `take`, `parse`, `mv-expand` and `mv-apply`
    /// keep the property; every other operator drops it.
    pub fn is_serialized(&self) -> bool {
        match self {
            LogicalPlan::Sort { .. }
            | LogicalPlan::TopN { .. }
            | LogicalPlan::Range { .. }
            | LogicalPlan::Serialize { .. }
            | LogicalPlan::Window { .. } => true,
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Project { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::MvExpand { input, .. }
            | LogicalPlan::MvApply { input, .. } => input.is_serialized(),
            LogicalPlan::Materialize { input, .. } => input.is_serialized(),
            _ => false,
        }
    }

    /// Whether this plan reads the rows an enclosing operator hands its
    /// subquery ([`LogicalPlan::Parameter`]), outside a nested subquery of
    /// its own.
    pub fn reads_parameter(&self) -> bool {
        match self {
            LogicalPlan::Parameter { .. } => true,
            LogicalPlan::MvApply { input, .. } | LogicalPlan::Partition { input, .. } => {
                input.reads_parameter()
            }
            _ => self.inputs().iter().any(|i| i.reads_parameter()),
        }
    }

    /// Whether this plan's schema is a stand-in somewhere: it holds a
    /// data-shaped operator whose columns were not read from the data yet.
    pub fn is_provisional(&self) -> bool {
        matches!(
            self,
            LogicalPlan::BagUnpack {
                provisional: true,
                ..
            } | LogicalPlan::Pivot {
                provisional: true,
                ..
            }
        ) || self.inputs().iter().any(|i| i.is_provisional())
    }

    /// The direct inputs.
    pub fn inputs(&self) -> Vec<&LogicalPlan> {
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::Values { .. }
            | LogicalPlan::Range { .. }
            | LogicalPlan::Parameter { .. } => vec![],
            LogicalPlan::MvApply {
                input, subquery, ..
            }
            | LogicalPlan::Partition {
                input, subquery, ..
            } => vec![input, subquery],
            LogicalPlan::TopNested { input, .. } => vec![input],
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Project { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Aggregate { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::TopN { input, .. }
            | LogicalPlan::MvExpand { input, .. }
            | LogicalPlan::BagUnpack { input, .. }
            | LogicalPlan::Window { input, .. }
            | LogicalPlan::MakeSeries { input, .. }
            | LogicalPlan::Pivot { input, .. }
            | LogicalPlan::Serialize { input } => vec![input],
            LogicalPlan::Union { inputs, .. } => inputs.iter().collect(),
            LogicalPlan::Join { left, right, .. } => vec![left, right],
            LogicalPlan::Materialize { input, .. } => vec![input],
        }
    }
}

//! The physical plan: pipelines of row stages that run in parallel over
//! chunks of input, joined by the operators that must see every row
//! (aggregation, sorting, joins). Each logical operator's lowering to
//! these is in `exec::lower`.

pub use super::lower::lower_plan;

use crate::functions::AggregateFunction;
use crate::input::Input;
use crate::plan::logical::{
    ApplyOutput, JoinKind, MvExpandColumn, Prefilter, ScanOutput, UnpackOutput, WindowKind,
};
use crate::plan::phys_expr::PhysExpr;
use crate::schema::{Field, Schema};
use crate::types::DataType;
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

/// The lowered expressions of `graph-match` (see `plan::nodes::graph`).
#[derive(Debug, Default)]
pub struct GraphExprs {
    pub lambdas: Vec<PhysExpr>,
    /// The constraints, as `GraphMatch::constraints`.
    pub constraints: Vec<PhysExpr>,
    pub project: Vec<PhysExpr>,
}

/// Rows from a source, through per-row stages. Every stage looks at one
/// row at a time, so a pipeline runs on each chunk independently.
#[derive(Debug)]
pub struct Pipeline {
    pub source: Source,
    pub stages: Vec<Stage>,
    pub schema: Schema,
}

pub enum Source {
    /// JSON-lines files: decode `fields` from each line.
    Scan {
        table: String,
        inputs: Vec<Input>,
        fields: Vec<Field>,
        prefilter: Option<Prefilter>,
    },
    /// Rows held in memory (`print`, `datatable`, an embedding program's rows).
    Rows(Arc<Vec<Vec<Value>>>),
    /// A range of rows shared with other runs (rule replay's windows).
    Shared {
        rows: Arc<Vec<Vec<Value>>>,
        range: std::ops::Range<usize>,
    },
    /// `range`: start, stop (inclusive), step.
    Range {
        start: Value,
        stop: Value,
        step: Value,
    },
    /// The output of another plan (after a sort, an aggregation, a join…).
    Plan(Box<PhysicalPlan>),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Scan {
                table,
                inputs,
                fields,
                prefilter,
            } => f
                .debug_struct("Scan")
                .field("table", table)
                .field("inputs", &inputs.len())
                .field("prefilter", prefilter)
                .field(
                    "columns",
                    &fields.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                )
                .finish(),
            Source::Rows(rows) => write!(f, "Rows({})", rows.len()),
            Source::Shared { range, .. } => write!(f, "Shared({range:?})"),
            Source::Range { start, stop, step } => {
                write!(f, "Range({start:?}, {stop:?}, {step:?})")
            }
            Source::Plan(p) => f.debug_tuple("Plan").field(p).finish(),
        }
    }
}

#[derive(Debug)]
pub enum Stage {
    Filter(PhysExpr),
    /// A `project` that only picks input columns, by position: the row is
    /// not decoded or copied.
    Select(Vec<usize>),
    /// One expression per output column, with the column's type.
    Project(Vec<(PhysExpr, DataType)>),
    /// A projection that keeps some input columns as they are (`extend`):
    /// those are read from the input row only if a later stage or the
    /// output reads them; the expressions are computed for each row.
    Extend {
        slots: Vec<Slot>,
        computed: Vec<(PhysExpr, DataType)>,
    },
    MvExpand {
        columns: Vec<MvExpandColumn>,
        item_index: bool,
        limit: Option<u64>,
    },
    /// `mv-apply`: see `exec::mv_apply`.
    MvApply(Box<MvApplyStage>),
    /// The probe of a hash join whose answer comes row by row from the
    /// left side (see [`ProbeStage`]).
    Probe(Box<ProbeStage>),
    /// `evaluate bag_unpack`: see `exec::bag_unpack`.
    BagUnpack {
        column: usize,
        outputs: Vec<UnpackOutput>,
        types: Vec<DataType>,
    },
}

/// Where a column of an [`Stage::Extend`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The input column at this position, unchanged.
    Input(usize),
    /// The computed expression at this position.
    Computed(usize),
}

/// What `mv-apply` does with each row.
#[derive(Debug)]
pub struct MvApplyStage {
    /// Each expanded expression and the column of the expansion it fills.
    pub items: Vec<(PhysExpr, usize)>,
    /// Columns of an expansion row, before the item index.
    pub width: usize,
    pub columns: Vec<MvExpandColumn>,
    pub item_index: bool,
    pub limit: Option<u64>,
    pub subquery: PhysicalPlan,
    pub outputs: Vec<ApplyOutput>,
}

/// A hash join run as a stage of its left side's pipeline: the right side
/// is read whole and indexed by its keys before the pipeline runs (see
/// `exec::join::ProbeTable`), then each left row is looked up as it comes,
/// on whichever thread reads it, and its output rows go on to the next
/// stage. Only for the kinds whose answer for a left row depends on that
/// row alone ([`ProbeStage::streams`]); the output order is the same as
/// [`PhysicalPlan::Join`]'s: left rows in order, each with its matches in
/// right order.
#[derive(Debug)]
pub struct ProbeStage {
    pub right: PhysicalPlan,
    pub kind: JoinKind,
    /// Pairs of (left column, right column) that must be equal.
    pub keys: Vec<(usize, usize)>,
    /// The number of left columns.
    pub left_width: usize,
    /// The right columns an output row carries after the left ones, in
    /// order (all but the keys for `lookup`, none for the semi and anti
    /// joins).
    pub right_columns: Vec<usize>,
    /// The types of the right side's columns (of its null row).
    pub right_types: Vec<DataType>,
}

impl ProbeStage {
    /// Whether a join of `kind` runs as a probe: each left row's output
    /// depends on that row alone. Not `innerunique` (the first left row of
    /// each key), nor the kinds that also answer with right rows no left
    /// row matched.
    pub fn streams(kind: JoinKind) -> bool {
        matches!(
            kind,
            JoinKind::Inner
                | JoinKind::LeftOuter
                | JoinKind::LeftSemi
                | JoinKind::LeftAnti
                | JoinKind::LookupInner
                | JoinKind::LookupLeftOuter
        )
    }
}

/// A level of `top-nested`, ready to run (see `exec::top_nested`).
#[derive(Debug)]
pub struct PhysNestedLevel {
    pub count: Option<u64>,
    pub value: PhysExpr,
    pub others: Option<Value>,
    pub aggregates: Vec<PhysAggregate>,
    pub by: PhysExpr,
    pub descending: bool,
}

/// A window function, ready to run (see `exec::window`).
#[derive(Debug)]
pub struct PhysWindow {
    pub kind: WindowKind,
    pub args: Vec<PhysExpr>,
    pub ty: DataType,
}

/// A step of `scan`, ready to run (see `exec::scan_steps`).
#[derive(Debug)]
pub struct PhysScanStep {
    pub output: ScanOutput,
    pub condition: PhysExpr,
    /// (declared column, value).
    pub assignments: Vec<(usize, PhysExpr)>,
}

#[derive(Debug)]
pub struct PhysAggregate {
    pub function: &'static AggregateFunction,
    pub args: Vec<PhysExpr>,
    pub ty: DataType,
}

#[derive(Debug)]
pub struct PhysSortKey {
    pub expr: PhysExpr,
    pub descending: bool,
    pub nulls_first: bool,
}

#[derive(Debug)]
pub enum PhysicalPlan {
    /// Rows of a pipeline, in input order.
    Stream(Pipeline),
    /// The first `count` rows of a pipeline; stops reading once it has them.
    Limit { input: Pipeline, count: u64 },
    Aggregate {
        input: Pipeline,
        group_by: Vec<PhysExpr>,
        aggregates: Vec<PhysAggregate>,
        schema: Schema,
    },
    Sort {
        input: Pipeline,
        keys: Vec<PhysSortKey>,
    },
    TopN {
        input: Pipeline,
        keys: Vec<PhysSortKey>,
        count: u64,
    },
    Union {
        inputs: Vec<PhysicalPlan>,
        schema: Schema,
    },
    Join {
        left: Box<PhysicalPlan>,
        right: Box<PhysicalPlan>,
        kind: JoinKind,
        keys: Vec<(usize, usize)>,
        schema: Schema,
        right_width: usize,
    },
    /// Computed once per run and shared by every reference.
    Materialize { id: usize, input: Box<PhysicalPlan> },
    /// The rows the runner was handed for a subquery (see `Runner::parameter`).
    Parameter { schema: Schema },
    /// `make-series`: `input` gives keys, a bin, aggregates; see
    /// `exec::make_series`.
    MakeSeries {
        input: Pipeline,
        keys: usize,
        start: Option<Value>,
        end: Option<Value>,
        step: Value,
        in_range: bool,
        defaults: Vec<Value>,
        nonempty: bool,
        axis: DataType,
        schema: Schema,
    },
    /// `partition by`: see `exec::partition`.
    Partition {
        input: Pipeline,
        column: usize,
        subquery: Box<PhysicalPlan>,
        /// A legacy subquery that reads the partition's value: lowered
        /// again for each partition.
        keyed: Option<Box<KeyedSubquery>>,
        legacy: bool,
        schema: Schema,
    },
    /// `top-nested`: see `exec::top_nested`.
    TopNested {
        input: Pipeline,
        levels: Vec<PhysNestedLevel>,
        schema: Schema,
    },
    /// `evaluate pivot`: see `exec::pivot`.
    Pivot {
        input: Pipeline,
        keys: usize,
        values: Vec<Value>,
        empty: Value,
        schema: Schema,
    },
    /// `evaluate basket`: see `exec::basket`.
    Basket {
        input: Pipeline,
        threshold: f64,
        weight: Option<usize>,
        max_dimensions: usize,
        wildcards: Vec<Value>,
        schema: Schema,
    },
    /// `reduce by`: see `exec::reduce`.
    Reduce {
        input: Pipeline,
        column: usize,
        threshold: f64,
        characters: Option<String>,
        source: bool,
        schema: Schema,
    },
    /// A graph operator: see `exec::graph`. The inputs are the edges,
    /// then the node tables.
    Graph {
        inputs: Vec<Pipeline>,
        spec: crate::plan::logical::GraphSpec,
        op: crate::plan::logical::GraphOp,
        exprs: GraphExprs,
        schema: Schema,
    },
    /// `evaluate sequence_detect`: see `exec::sequence_detect`.
    SequenceDetect {
        input: Pipeline,
        dimensions: usize,
        steps: usize,
        step_window: i64,
        span: i64,
        schema: Schema,
    },
    /// Window functions over every row of `input`, in order.
    Window {
        input: Pipeline,
        functions: Vec<PhysWindow>,
        schema: Schema,
    },
    /// `scan`: see `exec::scan_steps`.
    ScanSteps {
        input: Pipeline,
        /// The declared columns' defaults and types.
        defaults: Vec<Value>,
        types: Vec<DataType>,
        steps: Vec<PhysScanStep>,
        /// The `step.column` slots: (step, column of the extended record).
        refs: Vec<(usize, usize)>,
        match_id: bool,
        schema: Schema,
    },
}

impl PhysicalPlan {
    pub fn schema(&self) -> &Schema {
        match self {
            PhysicalPlan::Stream(p)
            | PhysicalPlan::Limit { input: p, .. }
            | PhysicalPlan::Sort { input: p, .. }
            | PhysicalPlan::TopN { input: p, .. } => &p.schema,
            PhysicalPlan::Aggregate { schema, .. }
            | PhysicalPlan::Union { schema, .. }
            | PhysicalPlan::Join { schema, .. } => schema,
            PhysicalPlan::Materialize { input, .. } => input.schema(),
            PhysicalPlan::Parameter { schema }
            | PhysicalPlan::Window { schema, .. }
            | PhysicalPlan::ScanSteps { schema, .. }
            | PhysicalPlan::MakeSeries { schema, .. }
            | PhysicalPlan::Pivot { schema, .. }
            | PhysicalPlan::Basket { schema, .. }
            | PhysicalPlan::Reduce { schema, .. }
            | PhysicalPlan::SequenceDetect { schema, .. }
            | PhysicalPlan::Graph { schema, .. }
            | PhysicalPlan::Partition { schema, .. }
            | PhysicalPlan::TopNested { schema, .. } => schema,
        }
    }

    /// This plan as the source of a new pipeline.
    pub(crate) fn into_pipeline(self) -> Pipeline {
        match self {
            PhysicalPlan::Stream(p) => p,
            other => {
                let schema = other.schema().clone();
                Pipeline {
                    source: Source::Plan(Box::new(other)),
                    stages: vec![],
                    schema,
                }
            }
        }
    }
}

/// A `partition` subquery (legacy strategy) that names the partition
/// column: its logical plan, lowered for each partition with the
/// partition's value in subquery value `slot`.
#[derive(Debug)]
pub struct KeyedSubquery {
    pub slot: usize,
    pub plan: crate::plan::logical::LogicalPlan,
    /// The values of the query's subqueries (the slot's is replaced).
    pub subqueries: Vec<crate::value::Value>,
}

//! The physical plan: pipelines of row stages that run in parallel over
//! chunks of input, joined by the operators that must see every row
//! (aggregation, sorting, joins).

use crate::catalog::TableData;
use crate::formats::Input;
use crate::functions::{AggregateFunction, EvalContext};
use crate::plan::logical::{
    ApplyOutput, JoinKind, LogicalPlan, MvExpandColumn, Prefilter, UnpackOutput, WindowKind,
};
use crate::plan::phys_expr::{LowerError, PhysExpr, lower};
use crate::schema::{Field, Schema};
use crate::types::DataType;
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

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
    MvExpand {
        columns: Vec<MvExpandColumn>,
        item_index: bool,
        limit: Option<u64>,
    },
    /// `mv-apply`: see `exec::mv_apply`.
    MvApply(Box<MvApplyStage>),
    /// `evaluate bag_unpack`: see `exec::bag_unpack`.
    BagUnpack {
        column: usize,
        outputs: Vec<UnpackOutput>,
        types: Vec<DataType>,
    },
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
    /// Window functions over every row of `input`, in order.
    Window {
        input: Pipeline,
        functions: Vec<PhysWindow>,
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
            | PhysicalPlan::MakeSeries { schema, .. }
            | PhysicalPlan::Pivot { schema, .. }
            | PhysicalPlan::Partition { schema, .. }
            | PhysicalPlan::TopNested { schema, .. } => schema,
        }
    }

    /// This plan as the source of a new pipeline.
    fn into_pipeline(self) -> Pipeline {
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

/// Lowers a logical plan; `subqueries` holds the values of the subqueries
/// that already ran.
pub fn lower_plan(
    plan: &LogicalPlan,
    subqueries: &[Value],
    ctx: &EvalContext,
) -> Result<PhysicalPlan, LowerError> {
    let expr = |e| lower(e, Some(subqueries));
    Ok(match plan {
        LogicalPlan::Scan {
            table,
            table_schema,
            data,
            columns,
            schema,
            prefilter,
        } => {
            let source = match &**data {
                TableData::Empty => Source::Rows(Arc::new(Vec::new())),
                TableData::Files(inputs) => Source::Scan {
                    table: table.clone(),
                    prefilter: prefilter.clone(),
                    inputs: inputs.clone(),
                    fields: columns
                        .iter()
                        .filter_map(|&i| table_schema.field(i).cloned())
                        .collect(),
                },
                TableData::Rows(rows) => Source::Rows(Arc::new(
                    rows.iter()
                        .map(|r| {
                            columns
                                .iter()
                                .map(|&i| r.get(i).cloned().unwrap_or(Value::Null))
                                .collect()
                        })
                        .collect(),
                )),
            };
            PhysicalPlan::Stream(Pipeline {
                source,
                stages: vec![],
                schema: schema.clone(),
            })
        }
        LogicalPlan::Values { schema, rows } => PhysicalPlan::Stream(Pipeline {
            source: Source::Rows(rows.clone()),
            stages: vec![],
            schema: schema.clone(),
        }),
        LogicalPlan::Range {
            schema,
            start,
            stop,
            step,
        } => {
            let value = |e| -> Result<Value, LowerError> {
                let p = expr(e)?;
                Ok(p.eval(&Vec::new(), ctx))
            };
            PhysicalPlan::Stream(Pipeline {
                source: Source::Range {
                    start: value(start)?,
                    stop: value(stop)?,
                    step: value(step)?,
                },
                stages: vec![],
                schema: schema.clone(),
            })
        }
        LogicalPlan::Filter { input, predicate } => {
            let mut p = lower_plan(input, subqueries, ctx)?.into_pipeline();
            p.stages.push(Stage::Filter(expr(predicate)?));
            PhysicalPlan::Stream(p)
        }
        LogicalPlan::Project {
            input,
            exprs,
            schema,
        } => {
            let mut p = lower_plan(input, subqueries, ctx)?.into_pipeline();
            if let Some(map) = column_picks(exprs, input.schema()) {
                p.stages.push(Stage::Select(map));
                p.schema = schema.clone();
                return Ok(PhysicalPlan::Stream(p));
            }
            let exprs = exprs
                .iter()
                .map(|e| Ok((expr(e)?, e.ty)))
                .collect::<Result<_, LowerError>>()?;
            p.stages.push(Stage::Project(exprs));
            p.schema = schema.clone();
            PhysicalPlan::Stream(p)
        }
        LogicalPlan::MvExpand {
            input,
            columns,
            item_index,
            limit,
            schema,
        } => {
            let mut p = lower_plan(input, subqueries, ctx)?.into_pipeline();
            p.stages.push(Stage::MvExpand {
                columns: columns.clone(),
                item_index: *item_index,
                limit: *limit,
            });
            p.schema = schema.clone();
            PhysicalPlan::Stream(p)
        }
        LogicalPlan::Limit { input, count } => PhysicalPlan::Limit {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            count: *count,
        },
        LogicalPlan::Aggregate {
            input,
            group_by,
            aggregates,
            schema,
        } => PhysicalPlan::Aggregate {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            group_by: group_by.iter().map(expr).collect::<Result<_, _>>()?,
            aggregates: lower_aggregates(aggregates, subqueries)?,
            schema: schema.clone(),
        },
        LogicalPlan::Sort { input, keys } => PhysicalPlan::Sort {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            keys: sort_keys(keys, subqueries)?,
        },
        LogicalPlan::TopN { input, keys, count } => PhysicalPlan::TopN {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            keys: sort_keys(keys, subqueries)?,
            count: *count,
        },
        LogicalPlan::Union { inputs, schema } => PhysicalPlan::Union {
            inputs: inputs
                .iter()
                .map(|i| lower_plan(i, subqueries, ctx))
                .collect::<Result<_, _>>()?,
            schema: schema.clone(),
        },
        LogicalPlan::Join {
            left,
            right,
            kind,
            keys,
            schema,
        } => PhysicalPlan::Join {
            right_width: right.schema().len(),
            left: Box::new(lower_plan(left, subqueries, ctx)?),
            right: Box::new(lower_plan(right, subqueries, ctx)?),
            kind: *kind,
            keys: keys.clone(),
            schema: schema.clone(),
        },
        LogicalPlan::Materialize { id, input } => PhysicalPlan::Materialize {
            id: *id,
            input: Box::new(lower_plan(input, subqueries, ctx)?),
        },
        LogicalPlan::Serialize { input } => lower_plan(input, subqueries, ctx)?,
        LogicalPlan::Partition {
            input,
            column,
            subquery,
            legacy,
            schema,
        } => PhysicalPlan::Partition {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            column: *column,
            subquery: Box::new(lower_plan(subquery, subqueries, ctx)?),
            legacy: *legacy,
            schema: schema.clone(),
        },
        LogicalPlan::TopNested {
            input,
            levels,
            schema,
        } => PhysicalPlan::TopNested {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            levels: levels
                .iter()
                .map(|l| {
                    Ok(PhysNestedLevel {
                        count: l.count,
                        value: expr(&l.value)?,
                        others: l.others.clone(),
                        aggregates: lower_aggregates(&l.aggregates, subqueries)?,
                        by: expr(&l.by)?,
                        descending: l.descending,
                    })
                })
                .collect::<Result<_, LowerError>>()?,
            schema: schema.clone(),
        },
        LogicalPlan::Pivot {
            input,
            keys,
            values,
            empty,
            schema,
            ..
        } => PhysicalPlan::Pivot {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            keys: *keys,
            values: values.clone(),
            empty: empty.clone(),
            schema: schema.clone(),
        },
        LogicalPlan::MakeSeries {
            input,
            keys,
            range,
            defaults,
            nonempty,
            schema,
        } => {
            let value = |e: &crate::plan::expr::ScalarExpr| -> Result<Value, LowerError> {
                Ok(crate::value::cast::normalize(
                    lower(e, Some(subqueries))?.eval(&Vec::new(), ctx),
                    e.ty,
                ))
            };
            PhysicalPlan::MakeSeries {
                axis: input
                    .schema()
                    .field(*keys)
                    .map_or(DataType::Dynamic, |f| f.ty),
                input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
                keys: *keys,
                start: range.start.as_ref().map(value).transpose()?,
                end: range.end.as_ref().map(value).transpose()?,
                step: value(&range.step)?,
                in_range: range.in_range,
                defaults: defaults.clone(),
                nonempty: *nonempty,
                schema: schema.clone(),
            }
        }
        LogicalPlan::Window {
            input,
            functions,
            schema,
        } => PhysicalPlan::Window {
            input: lower_plan(input, subqueries, ctx)?.into_pipeline(),
            functions: functions
                .iter()
                .map(|w| {
                    Ok(PhysWindow {
                        kind: w.kind,
                        args: w.args.iter().map(expr).collect::<Result<_, _>>()?,
                        ty: w.ty,
                    })
                })
                .collect::<Result<_, LowerError>>()?,
            schema: schema.clone(),
        },
        LogicalPlan::Parameter { schema } => PhysicalPlan::Parameter {
            schema: schema.clone(),
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
        } => {
            let mut p = lower_plan(input, subqueries, ctx)?.into_pipeline();
            let width = expanded.len() - usize::from(*item_index);
            p.stages.push(Stage::MvApply(Box::new(MvApplyStage {
                items: items
                    .iter()
                    .map(|i| Ok((expr(&i.expr)?, i.slot)))
                    .collect::<Result<_, LowerError>>()?,
                width,
                columns: items
                    .iter()
                    .map(|i| MvExpandColumn {
                        index: i.slot,
                        bag_as_array: false,
                        to_type: i.to_type,
                    })
                    .collect(),
                item_index: *item_index,
                limit: *limit,
                subquery: lower_plan(subquery, subqueries, ctx)?,
                outputs: outputs.clone(),
            })));
            p.schema = schema.clone();
            PhysicalPlan::Stream(p)
        }
        LogicalPlan::BagUnpack {
            input,
            column,
            outputs,
            schema,
            ..
        } => {
            let mut p = lower_plan(input, subqueries, ctx)?.into_pipeline();
            p.stages.push(Stage::BagUnpack {
                column: *column,
                outputs: outputs.clone(),
                types: schema.fields.iter().map(|f| f.ty).collect(),
            });
            p.schema = schema.clone();
            PhysicalPlan::Stream(p)
        }
    })
}

/// The input positions a projection picks, when every expression is a
/// plain column kept with its type.
fn column_picks(exprs: &[crate::plan::expr::ScalarExpr], input: &Schema) -> Option<Vec<usize>> {
    exprs
        .iter()
        .map(|e| match e.kind {
            crate::plan::expr::ScalarKind::Column { index }
                if input.field(index).is_some_and(|f| f.ty == e.ty) =>
            {
                Some(index)
            }
            _ => None,
        })
        .collect()
}

fn sort_keys(
    keys: &[crate::plan::logical::SortKey],
    subqueries: &[Value],
) -> Result<Vec<PhysSortKey>, LowerError> {
    keys.iter()
        .map(|k| {
            Ok(PhysSortKey {
                expr: lower(&k.expr, Some(subqueries))?,
                descending: k.descending,
                nulls_first: k.nulls_first,
            })
        })
        .collect()
}

/// The aggregates of `summarize` or of a `top-nested` level.
fn lower_aggregates(
    aggregates: &[crate::plan::expr::AggregateExpr],
    subqueries: &[Value],
) -> Result<Vec<PhysAggregate>, LowerError> {
    aggregates
        .iter()
        .map(|a| {
            Ok(PhysAggregate {
                function: a.function,
                args: a
                    .args
                    .iter()
                    .map(|e| lower(e, Some(subqueries)))
                    .collect::<Result<_, _>>()?,
                ty: a.ty,
            })
        })
        .collect()
}

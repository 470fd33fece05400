//! Lowering: each logical operator says how it runs, as a
//! [`PhysicalPlan`] or as one more stage of its input's pipeline. The
//! operators are grouped as in `plan::nodes`, one [`Lower`] impl each.

mod aggregate;
mod combine;
mod order;
mod row;
mod source;

use super::physical::{PhysAggregate, PhysSortKey, PhysicalPlan, Pipeline, Stage};
use crate::functions::EvalContext;
use crate::plan::expr::{AggregateExpr, ScalarExpr};
use crate::plan::logical::{LogicalPlan, SortKey};
use crate::plan::phys_expr::{LowerError, PhysExpr, lower};
use crate::schema::Schema;
use crate::value::Value;

/// Lowers a logical plan; `subqueries` holds the values of the subqueries
/// that already ran.
pub fn lower_plan(
    plan: &LogicalPlan,
    subqueries: &[Value],
    ctx: &EvalContext,
) -> Result<PhysicalPlan, LowerError> {
    Lowering { subqueries, ctx }.plan(plan)
}

/// How one logical operator runs.
trait Lower {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError>;
}

/// The operator at the root of `plan`, as something that lowers.
fn operator(plan: &LogicalPlan) -> &dyn Lower {
    match plan {
        LogicalPlan::Scan(n) => n,
        LogicalPlan::Values(n) => n,
        LogicalPlan::Range(n) => n,
        LogicalPlan::Parameter(n) => n,
        LogicalPlan::Filter(n) => n,
        LogicalPlan::Project(n) => n,
        LogicalPlan::Limit(n) => n,
        LogicalPlan::Serialize(n) => n,
        LogicalPlan::MvExpand(n) => n,
        LogicalPlan::MvApply(n) => n,
        LogicalPlan::BagUnpack(n) => n,
        LogicalPlan::Aggregate(n) => n,
        LogicalPlan::MakeSeries(n) => n,
        LogicalPlan::Pivot(n) => n,
        LogicalPlan::Basket(n) => n,
        LogicalPlan::Reduce(n) => n,
        LogicalPlan::SequenceDetect(n) => n,
        LogicalPlan::TopNested(n) => n,
        LogicalPlan::Sort(n) => n,
        LogicalPlan::TopN(n) => n,
        LogicalPlan::Window(n) => n,
        LogicalPlan::ScanSteps(n) => n,
        LogicalPlan::Union(n) => n,
        LogicalPlan::Join(n) => n,
        LogicalPlan::Materialize(n) => n,
        LogicalPlan::Partition(n) => n,
        LogicalPlan::Graph(n) => n,
    }
}

/// The pipeline `p` followed by `stage`, giving rows of `schema`.
fn push_stage(mut p: Pipeline, stage: Stage, schema: &Schema) -> PhysicalPlan {
    p.stages.push(stage);
    p.schema = schema.clone();
    PhysicalPlan::Stream(p)
}

/// What lowering needs besides the plan: the values of the subqueries
/// that already ran, and the evaluation context for constants.
struct Lowering<'a> {
    subqueries: &'a [Value],
    ctx: &'a EvalContext,
}

impl Lowering<'_> {
    fn plan(&self, plan: &LogicalPlan) -> Result<PhysicalPlan, LowerError> {
        operator(plan).lower(self)
    }

    /// `plan` lowered as the source of a pipeline that more stages follow.
    fn pipeline(&self, plan: &LogicalPlan) -> Result<Pipeline, LowerError> {
        Ok(self.plan(plan)?.into_pipeline())
    }

    fn expr(&self, e: &ScalarExpr) -> Result<PhysExpr, LowerError> {
        lower(e, Some(self.subqueries))
    }

    fn exprs(&self, es: &[ScalarExpr]) -> Result<Vec<PhysExpr>, LowerError> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    /// The value of an expression that reads no row.
    fn constant(&self, e: &ScalarExpr) -> Result<Value, LowerError> {
        Ok(self.expr(e)?.eval(&Vec::new(), self.ctx))
    }

    fn sort_keys(&self, keys: &[SortKey]) -> Result<Vec<PhysSortKey>, LowerError> {
        keys.iter()
            .map(|k| {
                Ok(PhysSortKey {
                    expr: self.expr(&k.expr)?,
                    descending: k.descending,
                    nulls_first: k.nulls_first,
                })
            })
            .collect()
    }

    /// The aggregates of `summarize` or of a `top-nested` level.
    fn aggregates(&self, aggregates: &[AggregateExpr]) -> Result<Vec<PhysAggregate>, LowerError> {
        aggregates
            .iter()
            .map(|a| {
                Ok(PhysAggregate {
                    function: a.function,
                    args: self.exprs(&a.args)?,
                    ty: a.ty,
                })
            })
            .collect()
    }
}

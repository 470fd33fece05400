//! Operators that group rows: each consumes its whole input pipeline.

use super::{Lower, Lowering};
use crate::exec::physical::{PhysNestedLevel, PhysicalPlan};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{
    Aggregate, Basket, MakeSeries, Pivot, Reduce, SequenceDetect, TopNested,
};
use crate::plan::phys_expr::LowerError;
use crate::types::DataType;
use crate::value::Value;

impl Lower for Aggregate {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Aggregate {
            input: cx.pipeline(&self.input)?,
            group_by: cx.exprs(&self.group_by)?,
            aggregates: cx.aggregates(&self.aggregates)?,
            schema: self.schema.clone(),
        })
    }
}

impl Lower for MakeSeries {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let value = |e: &ScalarExpr| -> Result<Value, LowerError> {
            Ok(crate::value::cast::normalize(cx.constant(e)?, e.ty))
        };
        let range = &self.range;
        Ok(PhysicalPlan::MakeSeries {
            axis: self
                .input
                .schema()
                .field(self.keys)
                .map_or(DataType::Dynamic, |f| f.ty),
            input: cx.pipeline(&self.input)?,
            keys: self.keys,
            start: range.start.as_ref().map(value).transpose()?,
            end: range.end.as_ref().map(value).transpose()?,
            step: value(&range.step)?,
            in_range: range.in_range,
            defaults: self.defaults.clone(),
            nonempty: self.nonempty,
            schema: self.schema.clone(),
        })
    }
}

impl Lower for Pivot {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Pivot {
            input: cx.pipeline(&self.input)?,
            keys: self.keys,
            values: self.values.clone(),
            empty: self.empty.clone(),
            schema: self.schema.clone(),
        })
    }
}

impl Lower for Basket {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Basket {
            input: cx.pipeline(&self.input)?,
            threshold: self.threshold,
            weight: self.weight,
            max_dimensions: self.max_dimensions,
            wildcards: self.wildcards.clone(),
            schema: self.schema.clone(),
        })
    }
}

impl Lower for Reduce {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Reduce {
            input: cx.pipeline(&self.input)?,
            column: self.column,
            threshold: self.threshold,
            characters: self.characters.clone(),
            source: self.source,
            schema: self.schema.clone(),
        })
    }
}

impl Lower for SequenceDetect {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::SequenceDetect {
            input: cx.pipeline(&self.input)?,
            dimensions: self.dimensions,
            steps: self.steps,
            step_window: self.step_window,
            span: self.span,
            schema: self.schema.clone(),
        })
    }
}

impl Lower for TopNested {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::TopNested {
            input: cx.pipeline(&self.input)?,
            levels: self
                .levels
                .iter()
                .map(|l| {
                    Ok(PhysNestedLevel {
                        count: l.count,
                        value: cx.expr(&l.value)?,
                        others: l.others.clone(),
                        aggregates: cx.aggregates(&l.aggregates)?,
                        by: cx.expr(&l.by)?,
                        descending: l.descending,
                    })
                })
                .collect::<Result<_, LowerError>>()?,
            schema: self.schema.clone(),
        })
    }
}

impl Lower for crate::plan::logical::Graph {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let exprs = match &self.op {
            crate::plan::logical::GraphOp::Match(m) => crate::exec::physical::GraphExprs {
                lambdas: m
                    .lambdas
                    .iter()
                    .map(|l| cx.expr(&l.expr))
                    .collect::<Result<_, LowerError>>()?,
                constraints: m
                    .constraints
                    .iter()
                    .map(|(c, _)| cx.expr(c))
                    .collect::<Result<_, LowerError>>()?,
                project: cx.exprs(&m.project)?,
            },
            _ => crate::exec::physical::GraphExprs::default(),
        };
        Ok(PhysicalPlan::Graph {
            inputs: self
                .inputs
                .iter()
                .map(|i| cx.pipeline(i))
                .collect::<Result<_, LowerError>>()?,
            spec: self.spec.clone(),
            op: self.op.clone(),
            exprs,
            schema: self.schema.clone(),
        })
    }
}

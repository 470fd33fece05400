//! Per-row operators: each becomes one more stage of its input's pipeline.

use super::{Lower, Lowering, push_stage};
use crate::exec::physical::{MvApplyStage, PhysicalPlan, Slot, Stage};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{
    BagUnpack, Filter, Limit, MvApply, MvExpand, MvExpandColumn, Project, Serialize,
};
use crate::plan::phys_expr::LowerError;
use crate::schema::Schema;

impl Lower for Filter {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let mut p = cx.pipeline(&self.input)?;
        p.stages.push(Stage::Filter(cx.expr(&self.predicate)?));
        Ok(PhysicalPlan::Stream(p))
    }
}

impl Lower for Project {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let p = cx.pipeline(&self.input)?;
        let input = self.input.schema();
        let stage = match column_picks(&self.exprs, input) {
            Some(map) => Stage::Select(map),
            None if self.exprs.iter().any(|e| column_pick(e, input).is_some()) => {
                let mut slots = Vec::with_capacity(self.exprs.len());
                let mut computed = Vec::new();
                for e in &self.exprs {
                    match column_pick(e, input) {
                        Some(index) => slots.push(Slot::Input(index)),
                        None => {
                            slots.push(Slot::Computed(computed.len()));
                            computed.push((cx.expr(e)?, e.ty));
                        }
                    }
                }
                Stage::Extend { slots, computed }
            }
            None => Stage::Project(
                self.exprs
                    .iter()
                    .map(|e| Ok((cx.expr(e)?, e.ty)))
                    .collect::<Result<_, LowerError>>()?,
            ),
        };
        Ok(push_stage(p, stage, &self.schema))
    }
}

/// The input positions a projection picks, when every expression is a
/// plain column kept with its type.
fn column_picks(exprs: &[ScalarExpr], input: &Schema) -> Option<Vec<usize>> {
    exprs.iter().map(|e| column_pick(e, input)).collect()
}

/// The input position `e` picks, when it is a plain column kept with its type.
fn column_pick(e: &ScalarExpr, input: &Schema) -> Option<usize> {
    match e.kind {
        ScalarKind::Column { index } if input.field(index).is_some_and(|f| f.ty == e.ty) => {
            Some(index)
        }
        _ => None,
    }
}

impl Lower for Limit {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Limit {
            input: cx.pipeline(&self.input)?,
            count: self.count,
        })
    }
}

/// The rows are not changed: `serialize` only tells the binder that
/// window functions may follow.
impl Lower for Serialize {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        cx.plan(&self.input)
    }
}

impl Lower for MvExpand {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let p = cx.pipeline(&self.input)?;
        let stage = Stage::MvExpand {
            columns: self.columns.clone(),
            item_index: self.item_index,
            limit: self.limit,
        };
        Ok(push_stage(p, stage, &self.schema))
    }
}

impl Lower for MvApply {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let p = cx.pipeline(&self.input)?;
        let width = self.expanded.len() - usize::from(self.item_index);
        let stage = Stage::MvApply(Box::new(MvApplyStage {
            items: self
                .items
                .iter()
                .map(|i| Ok((cx.expr(&i.expr)?, i.slot)))
                .collect::<Result<_, LowerError>>()?,
            width,
            columns: self
                .items
                .iter()
                .map(|i| MvExpandColumn {
                    index: i.slot,
                    bag_as_array: false,
                    to_type: i.to_type,
                })
                .collect(),
            item_index: self.item_index,
            limit: self.limit,
            subquery: cx.plan(&self.subquery)?,
            outputs: self.outputs.clone(),
        }));
        Ok(push_stage(p, stage, &self.schema))
    }
}

impl Lower for BagUnpack {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let p = cx.pipeline(&self.input)?;
        let stage = Stage::BagUnpack {
            column: self.column,
            outputs: self.outputs.clone(),
            types: self.schema.fields.iter().map(|f| f.ty).collect(),
        };
        Ok(push_stage(p, stage, &self.schema))
    }
}

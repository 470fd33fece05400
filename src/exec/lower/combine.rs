//! Operators over more than one plan, or over a plan shared or run per
//! group.

use super::{Lower, Lowering};
use crate::exec::physical::PhysicalPlan;
use crate::plan::logical::{Join, Materialize, Partition, Union};
use crate::plan::phys_expr::LowerError;

impl Lower for Union {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Union {
            inputs: self
                .inputs
                .iter()
                .map(|i| cx.plan(i))
                .collect::<Result<_, _>>()?,
            schema: self.schema.clone(),
        })
    }
}

impl Lower for Join {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Join {
            right_width: self.right.schema().len(),
            left: Box::new(cx.plan(&self.left)?),
            right: Box::new(cx.plan(&self.right)?),
            kind: self.kind,
            keys: self.keys.clone(),
            schema: self.schema.clone(),
        })
    }
}

impl Lower for Materialize {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Materialize {
            id: self.id,
            input: Box::new(cx.plan(&self.input)?),
        })
    }
}

impl Lower for Partition {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Partition {
            input: cx.pipeline(&self.input)?,
            column: self.column,
            subquery: Box::new(cx.plan(&self.subquery)?),
            legacy: self.legacy,
            schema: self.schema.clone(),
        })
    }
}

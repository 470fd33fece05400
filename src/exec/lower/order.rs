//! Operators that order rows, or compute over rows in their order.

use super::{Lower, Lowering};
use crate::exec::physical::{PhysWindow, PhysicalPlan};
use crate::plan::logical::{Sort, TopN, Window};
use crate::plan::phys_expr::LowerError;

impl Lower for Sort {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Sort {
            input: cx.pipeline(&self.input)?,
            keys: cx.sort_keys(&self.keys)?,
        })
    }
}

impl Lower for TopN {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::TopN {
            input: cx.pipeline(&self.input)?,
            keys: cx.sort_keys(&self.keys)?,
            count: self.count,
        })
    }
}

impl Lower for Window {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Window {
            input: cx.pipeline(&self.input)?,
            functions: self
                .functions
                .iter()
                .map(|w| {
                    Ok(PhysWindow {
                        kind: w.kind,
                        args: cx.exprs(&w.args)?,
                        ty: w.ty,
                    })
                })
                .collect::<Result<_, LowerError>>()?,
            schema: self.schema.clone(),
        })
    }
}

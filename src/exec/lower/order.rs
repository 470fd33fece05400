//! Operators that order rows, or compute over rows in their order.

use super::{Lower, Lowering};
use crate::exec::physical::{PhysScanStep, PhysWindow, PhysicalPlan};
use crate::plan::logical::{ScanSteps, Sort, TopN, Window};
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

impl Lower for ScanSteps {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        let defaults = self
            .defaults
            .iter()
            .map(|d| cx.constant(d))
            .collect::<Result<Vec<_>, LowerError>>()?;
        let width = self.input.schema().len();
        let types = self
            .schema
            .fields
            .iter()
            .skip(width)
            .take(self.defaults.len())
            .map(|f| f.ty)
            .collect::<Vec<_>>();
        Ok(PhysicalPlan::ScanSteps {
            input: cx.pipeline(&self.input)?,
            defaults,
            types,
            steps: self
                .steps
                .iter()
                .map(|s| {
                    Ok(PhysScanStep {
                        output: s.output,
                        condition: cx.expr(&s.condition)?,
                        assignments: s
                            .assignments
                            .iter()
                            .map(|(k, e)| Ok((*k, cx.expr(e)?)))
                            .collect::<Result<_, LowerError>>()?,
                    })
                })
                .collect::<Result<_, LowerError>>()?,
            refs: self.refs.clone(),
            match_id: self.match_id,
            schema: self.schema.clone(),
        })
    }
}

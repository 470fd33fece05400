//! Operators over more than one plan, or over a plan shared or run per
//! group.

use super::{Lower, Lowering, push_stage};
use crate::exec::join::builds_left;
use crate::exec::physical::{PhysicalPlan, ProbeStage, Stage};
use crate::plan::logical::{Join, JoinKind, Materialize, Partition, Union};
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
        let left = cx.plan(&self.left)?;
        let right = cx.plan(&self.right)?;
        if ProbeStage::streams(self.kind) && !builds_left(self.kind, &left, &right) {
            let left = left.into_pipeline();
            let right_schema = self.right.schema();
            let right_width = right_schema.len();
            let right_columns: Vec<usize> = match self.kind {
                JoinKind::LeftSemi | JoinKind::LeftAnti => vec![],
                JoinKind::LookupInner | JoinKind::LookupLeftOuter => (0..right_width)
                    .filter(|c| !self.keys.iter().any(|k| k.1 == *c))
                    .collect(),
                _ => (0..right_width).collect(),
            };
            let stage = Stage::Probe(Box::new(ProbeStage {
                left_width: left.schema.len(),
                right_types: right_schema.fields.iter().map(|f| f.ty).collect(),
                right,
                kind: self.kind,
                keys: self.keys.clone(),
                right_columns,
            }));
            return Ok(push_stage(left, stage, &self.schema));
        }
        // The kinds `exec::join` runs with the left side on every thread
        // take a left side that is no pipeline (a `summarize`, a `take`) as
        // the source of one; the others read it whole.
        let left = match self.kind {
            JoinKind::InnerUnique
            | JoinKind::RightOuter
            | JoinKind::FullOuter
            | JoinKind::RightSemi
            | JoinKind::RightAnti
                if !builds_left(self.kind, &left, &right) =>
            {
                PhysicalPlan::Stream(left.into_pipeline())
            }
            _ => left,
        };
        Ok(PhysicalPlan::Join {
            right_width: self.right.schema().len(),
            left: Box::new(left),
            right: Box::new(right),
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
            keyed: self.key_slot.map(|slot| {
                Box::new(crate::exec::physical::KeyedSubquery {
                    slot,
                    plan: (*self.subquery).clone(),
                    subqueries: cx.subqueries.to_vec(),
                })
            }),
            legacy: self.legacy,
            schema: self.schema.clone(),
        })
    }
}

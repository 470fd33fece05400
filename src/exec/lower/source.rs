//! Sources: where a pipeline's rows come from.

use super::{Lower, Lowering};
use crate::catalog::TableData;
use crate::exec::physical::{PhysicalPlan, Pipeline, Source, Stage};
use crate::plan::logical::{Parameter, Range, Scan, Values};
use crate::plan::phys_expr::LowerError;
use crate::value::Value;
use std::sync::Arc;

impl Lower for Scan {
    fn lower(&self, _cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        if let TableData::Shared { rows, range } = &*self.data {
            // Shared rows are not copied: the pipeline reads them in place
            // and picks the scan's columns from each.
            let identity = self.columns.len() == self.table_schema.len()
                && self.columns.iter().enumerate().all(|(i, c)| i == *c);
            return Ok(PhysicalPlan::Stream(Pipeline {
                source: Source::Shared {
                    rows: rows.clone(),
                    range: range.clone(),
                },
                stages: if identity {
                    vec![]
                } else {
                    vec![Stage::Select(self.columns.clone())]
                },
                schema: self.schema.clone(),
            }));
        }
        let source = match &*self.data {
            TableData::Empty => Source::Rows(Arc::new(Vec::new())),
            TableData::Files(inputs) => Source::Scan {
                table: self.table.clone(),
                prefilter: self.prefilter.clone(),
                inputs: inputs.clone(),
                fields: self
                    .columns
                    .iter()
                    .filter_map(|&i| self.table_schema.field(i).cloned())
                    .collect(),
            },
            TableData::Shared { .. } => Source::Rows(Arc::new(Vec::new())),
            TableData::Rows(rows) => Source::Rows(Arc::new(
                rows.iter()
                    .map(|r| {
                        self.columns
                            .iter()
                            .map(|&i| r.get(i).cloned().unwrap_or(Value::Null))
                            .collect()
                    })
                    .collect(),
            )),
        };
        Ok(PhysicalPlan::Stream(Pipeline {
            source,
            stages: vec![],
            schema: self.schema.clone(),
        }))
    }
}

impl Lower for Values {
    fn lower(&self, _cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Stream(Pipeline {
            source: Source::Rows(self.rows.clone()),
            stages: vec![],
            schema: self.schema.clone(),
        }))
    }
}

impl Lower for Range {
    fn lower(&self, cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Stream(Pipeline {
            source: Source::Range {
                start: cx.constant(&self.start)?,
                stop: cx.constant(&self.stop)?,
                step: cx.constant(&self.step)?,
            },
            stages: vec![],
            schema: self.schema.clone(),
        }))
    }
}

impl Lower for Parameter {
    fn lower(&self, _cx: &Lowering) -> Result<PhysicalPlan, LowerError> {
        Ok(PhysicalPlan::Parameter {
            schema: self.schema.clone(),
        })
    }
}

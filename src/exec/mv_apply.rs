//! `mv-apply`, one input row at a time: expand the row as `mv-expand`
//! does, run the subquery over the expansion with a runner that hands it
//! those rows, and pair each row it returns with the input row
//! (<https://learn.microsoft.com/kusto/query/mv-apply-operator>).

use super::physical::MvApplyStage;
use super::run::Runner;
use super::stage::mv_expand;
use crate::exec_error::ExecError;
use crate::plan::logical::ApplyOutput;
use crate::value::Value;
use std::sync::Arc;

impl Runner<'_> {
    pub(super) fn mv_apply(
        &self,
        row: &[Value],
        apply: &MvApplyStage,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut base = Vec::with_capacity(apply.width);
        base.extend_from_slice(row);
        base.resize(apply.width, Value::Null);
        for (e, slot) in &apply.items {
            let v = e.eval(&row, &self.ctx);
            if let Some(cell) = base.get_mut(*slot) {
                *cell = v;
            }
        }
        let expansion = mv_expand(&base, &apply.columns, apply.item_index, apply.limit);
        let results = self
            .with_parameter(Arc::new(expansion))
            .collect(&apply.subquery)?;
        Ok(results
            .iter()
            .map(|r| {
                apply
                    .outputs
                    .iter()
                    .map(|o| match *o {
                        ApplyOutput::Input(i) => row.get(i).cloned().unwrap_or(Value::Null),
                        ApplyOutput::Subquery(j) => r.get(j).cloned().unwrap_or(Value::Null),
                    })
                    .collect()
            })
            .collect())
    }
}

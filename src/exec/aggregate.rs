//! `summarize`: partial aggregation per chunk, merged in chunk order so
//! groups come out in order of first appearance.

use super::physical::{PhysAggregate, Pipeline};
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::functions::aggregate::Accumulator;
use crate::value::Value;
use crate::value::cast::normalize;
use crate::value::key::{Key, RowKey};
use indexmap::IndexMap;
use std::ops::ControlFlow;

impl Runner<'_> {
    pub(super) fn aggregate(
        &self,
        input: &Pipeline,
        group_by: &[crate::plan::phys_expr::PhysExpr],
        aggregates: &[PhysAggregate],
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        type Groups = IndexMap<RowKey, Vec<Box<dyn Accumulator>>>;
        let new_accumulators = || {
            aggregates
                .iter()
                .map(|a| a.function.accumulator(a.ty))
                .collect::<Vec<_>>()
        };
        let mut total: Groups = IndexMap::new();
        let _ = self.run_pipeline(
            input,
            &IndexMap::new,
            &|groups: &mut Groups, row| {
                let r = row.as_row();
                let key = RowKey(group_by.iter().map(|g| Key(g.eval(r, &self.ctx))).collect());
                let accs = groups.entry(key).or_insert_with(new_accumulators);
                for (acc, a) in accs.iter_mut().zip(aggregates) {
                    let args: smallvec::SmallVec<[Value; 3]> =
                        a.args.iter().map(|e| e.eval(r, &self.ctx)).collect();
                    if let Some(p) = a.function.predicate_position()
                        && !matches!(args.get(p), Some(Value::Bool(true)))
                    {
                        continue;
                    }
                    acc.update(&args);
                }
                self.within_budget("summarize")
            },
            &mut |groups: Groups| {
                for (key, accs) in groups {
                    match total.get_mut(&key) {
                        Some(mine) => {
                            for (m, other) in mine.iter_mut().zip(accs) {
                                m.merge(other);
                            }
                        }
                        None => {
                            total.insert(key, accs);
                        }
                    }
                }
                super::run::memory_error("summarize")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        // With no `by`, an empty input still gives one row of defaults.
        if group_by.is_empty() && total.is_empty() {
            total.insert(RowKey(vec![]), new_accumulators());
        }
        Ok(total
            .into_iter()
            .map(|(key, accs)| {
                let mut row: Vec<Value> = key.0.into_iter().map(|k| k.0).collect();
                row.extend(
                    accs.into_iter()
                        .zip(aggregates)
                        .map(|(a, agg)| normalize(a.finish(), agg.ty)),
                );
                row
            })
            .collect())
    }
}

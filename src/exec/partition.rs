//! `partition by`: run the subquery over each partition's rows
//! (<https://learn.microsoft.com/kusto/query/partition-operator>).

use super::physical::{KeyedSubquery, PhysicalPlan, Pipeline};
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::value::Value;
use crate::value::key::{Key, KeyMap};
use std::sync::Arc;

/// The legacy strategy's limit on partitions (the documented 64).
const LEGACY_PARTITIONS: usize = 64;

impl Runner<'_> {
    /// The subquery's rows for each value of `column`, partitions in order
    /// of first appearance.
    pub(super) fn partition(
        &self,
        input: &Pipeline,
        column: usize,
        subquery: &PhysicalPlan,
        keyed: Option<&KeyedSubquery>,
        legacy: bool,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut groups: KeyMap<Key, Vec<Vec<Value>>> = KeyMap::default();
        self.pipeline_parts(input, &mut |part| {
            for row in part {
                let key = Key(row.get(column).cloned().unwrap_or(Value::Null));
                groups.entry(key).or_default().push(row);
            }
        })?;
        if legacy && groups.len() > LEGACY_PARTITIONS {
            return Err(ExecError::Runtime(format!(
                "partition: the input has {} partitions; the default (legacy) strategy allows at most {LEGACY_PARTITIONS} (use hint.strategy=native or hint.strategy=shuffle)",
                groups.len()
            )));
        }
        let mut out = Vec::new();
        for (key, rows) in groups {
            let runner = self.with_parameter(Arc::new(rows));
            let results = match keyed {
                None => runner.collect(subquery)?,
                Some(k) => {
                    let mut values = k.subqueries.clone();
                    if let Some(v) = values.get_mut(k.slot) {
                        *v = key.0;
                    }
                    let plan = super::lower::lower_plan(&k.plan, &values, &self.ctx)
                        .map_err(|e| ExecError::Runtime(e.message))?;
                    runner.collect(&plan)?
                }
            };
            out.extend(results.iter().cloned());
        }
        Ok(out)
    }
}

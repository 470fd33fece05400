//! `evaluate pivot`: spread each key's aggregated cells over a column per
//! pivot value (<https://learn.microsoft.com/kusto/query/pivot-plugin>).
//! The input is already aggregated by key and pivot value (see
//! `semantic::pivot`); the value columns were fixed when the query was
//! bound.

use super::physical::Pipeline;
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::value::Value;
use crate::value::key::{Key, KeyHashMap, KeyMap, RowKey};

impl Runner<'_> {
    pub(super) fn pivot(
        &self,
        input: &Pipeline,
        keys: usize,
        values: &[Value],
        empty: &Value,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let column_of: KeyHashMap<Key, usize> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (Key(v.clone()), i))
            .collect();
        let mut groups: KeyMap<RowKey, Vec<Value>> = KeyMap::default();
        self.pipeline_parts(input, &mut |part| {
            for mut row in part {
                let cell = row.pop().unwrap_or(Value::Null);
                let value = row.pop().unwrap_or(Value::Null);
                row.truncate(keys);
                let cells = groups
                    .entry(RowKey(row.into_iter().map(Key).collect()))
                    .or_insert_with(|| vec![empty.clone(); values.len()]);
                if let Some(&i) = column_of.get(&Key(value)) {
                    cells[i] = cell;
                }
            }
        })?;
        Ok(groups
            .into_iter()
            .map(|(key, cells)| {
                let mut row: Vec<Value> = key.0.into_iter().map(|k| k.0).collect();
                row.extend(cells);
                row
            })
            .collect())
    }
}

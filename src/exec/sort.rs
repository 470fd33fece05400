//! `sort` and `top`: rows with their key values, in a stable order.

use super::physical::{PhysSortKey, Pipeline};
use super::run::{KeyedRows, Runner};
use crate::exec_error::ExecError;
use crate::value::{Value, compare};
use std::cmp::Ordering;
use std::ops::ControlFlow;

impl Runner<'_> {
    /// Every row with its sort key values; with `top`, each item keeps only
    /// its first `top` rows in key order (a stable sort, so ties keep input
    /// order and the result does not depend on chunking).
    pub(super) fn keyed_rows(
        &self,
        input: &Pipeline,
        keys: &[PhysSortKey],
        top: Option<u64>,
    ) -> Result<KeyedRows, ExecError> {
        let mut all = Vec::new();
        let limit = top.map(|t| usize::try_from(t).unwrap_or(usize::MAX));
        let _ = self.run_pipeline(
            input,
            &Vec::new,
            &|rows: &mut KeyedRows, row| {
                let r = row.as_row();
                let k = keys.iter().map(|k| k.expr.eval(r, &self.ctx)).collect();
                rows.push((k, row.into_vec()));
                if !self.within_budget(if limit.is_some() { "top" } else { "sort" }) {
                    return false;
                }
                if let Some(limit) = limit
                    && rows.len() >= limit.saturating_mul(2).max(1024)
                {
                    rows.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                    rows.truncate(limit);
                }
                true
            },
            &mut |mut rows| {
                if let Some(limit) = limit {
                    rows.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                    rows.truncate(limit);
                }
                all.append(&mut rows);
                super::run::memory_error("sort")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        Ok(all)
    }
}

/// Orders two rows by their sort keys (docs/semantics.md#sort): `desc` by
/// default, nulls (and NaN) first for `asc`, last for `desc`, unless
/// `nulls first|last` says otherwise.
pub(super) fn compare_keys(a: &[Value], b: &[Value], keys: &[PhysSortKey]) -> Ordering {
    for ((x, y), k) in a.iter().zip(b).zip(keys) {
        let (xn, yn) = (compare::is_null_like(x), compare::is_null_like(y));
        let o = match (xn, yn) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if k.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if k.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = compare::total_order(x, y);
                if k.descending { o.reverse() } else { o }
            }
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

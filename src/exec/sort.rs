//! `sort` and `top`: rows with their key values, in a stable order.

use super::physical::{PhysSortKey, Pipeline, Source};
use super::run::{KeyedRows, Runner};
use super::stage::StageRow;
use crate::exec_error::ExecError;
use crate::input::json_rows::RowDecoder;
use crate::json::RowSlots;
use crate::value::{Value, compare};
use std::cmp::Ordering;
use std::ops::ControlFlow;

impl Runner<'_> {
    /// Every row with its sort key values, in input order.
    pub(super) fn keyed_rows(
        &self,
        input: &Pipeline,
        keys: &[PhysSortKey],
    ) -> Result<KeyedRows, ExecError> {
        let mut all = Vec::new();
        let _ = self.run_pipeline(
            input,
            &Vec::new,
            &|rows: &mut KeyedRows, row| {
                let r = row.as_row();
                let k = keys.iter().map(|k| k.expr.eval(r, &self.ctx)).collect();
                rows.push((k, row.into_vec()));
                if !self.within_budget("sort") {
                    return false;
                }
                true
            },
            &mut |mut rows| {
                all.append(&mut rows);
                super::run::memory_error("sort")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        Ok(all)
    }

    /// The first `count` rows in key order, with their keys: a stable
    /// order, so ties keep input order and the result does not depend on
    /// chunking. A row's keys are compared with the worst row kept so far
    /// before anything else of it is read, and a row that may be in the
    /// answer is held as its line when it came straight from a JSON-rows
    /// scan (decoded only if it is in the answer): at most about twice
    /// `count` rows are held per item and overall.
    pub(super) fn top_rows(
        &self,
        input: &Pipeline,
        keys: &[PhysSortKey],
        count: u64,
    ) -> Result<KeyedRows, ExecError> {
        let limit = usize::try_from(count).unwrap_or(usize::MAX);
        let mut all: Vec<(Vec<Value>, Held)> = Vec::new();
        if limit == 0 {
            return Ok(Vec::new());
        }
        let _ = self.run_pipeline(
            input,
            &Bounded::default,
            &|state: &mut Bounded, row| {
                let r = row.as_row();
                let k: Vec<Value> = keys.iter().map(|k| k.expr.eval(r, &self.ctx)).collect();
                if let Some(worst) = &state.worst
                    && compare_keys(&k, worst, keys) != Ordering::Less
                {
                    return true;
                }
                let held = match &row {
                    StageRow::Lazy(lazy) => match lazy.line() {
                        Some(line) => Held::Line(line.into()),
                        None => Held::Values(row.into_vec()),
                    },
                    _ => Held::Values(row.into_vec()),
                };
                state.rows.push((k, held));
                state.prune(limit, keys, 2);
                true
            },
            &mut |mut state| {
                state.prune(limit, keys, 1);
                all.append(&mut state.rows);
                if all.len() > limit.saturating_mul(2).max(64) {
                    all.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                    all.truncate(limit);
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
        all.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
        all.truncate(limit);
        let decoder = match &input.source {
            Source::Scan { fields, .. } => Some(RowDecoder::new(fields)),
            _ => None,
        };
        let mut slots = RowSlots::new();
        all.into_iter()
            .map(|(k, held)| match held {
                Held::Values(v) => Ok((k, v)),
                Held::Line(line) => {
                    let decoder = decoder.as_ref().ok_or_else(not_a_scan_row)?;
                    decoder
                        .scan(&line, &mut slots)
                        .map_err(|_| not_a_scan_row())?;
                    let v = (0..decoder.width())
                        .map(|i| decoder.decode(&line, &slots, i))
                        .collect();
                    Ok((k, v))
                }
            })
            .collect()
    }
}

fn not_a_scan_row() -> ExecError {
    ExecError::Runtime("internal error: a held top-N row is not a row of its scan".into())
}

/// A top-N candidate: its values, or the line of a JSON-rows scan it is
/// decoded from (see [`crate::input::LazyRow::line`]).
enum Held {
    Values(Vec<Value>),
    Line(Box<[u8]>),
}

/// One item's top-N candidates, and the keys of the worst row it must keep
/// once it holds `limit` rows (a later row that does not sort before it
/// cannot be in the answer).
#[derive(Default)]
struct Bounded {
    rows: Vec<(Vec<Value>, Held)>,
    worst: Option<Vec<Value>>,
}

impl Bounded {
    /// Once more than `slack × limit` rows are held (at least 64 with a
    /// slack above 1), keeps the first `limit` in key order (a stable sort:
    /// ties keep input order).
    fn prune(&mut self, limit: usize, keys: &[PhysSortKey], slack: usize) {
        let high = if slack > 1 {
            limit.saturating_mul(slack).max(64)
        } else {
            limit
        };
        if self.rows.len() <= high {
            return;
        }
        self.rows.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
        self.rows.truncate(limit);
        self.worst = self.rows.last().map(|(k, _)| k.clone());
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

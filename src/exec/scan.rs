//! Cutting a pipeline's source into work items, and running one item:
//! its lines decoded into rows (bad lines remembered), or its rows from
//! memory or a `range`.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

use super::join::ProbeTable;
use super::physical::{Pipeline, Source};
use super::run::{ROWS_PER_ITEM, Rows, Runner};
use super::stage::StageRow;
use crate::exec_error::ExecError;
use crate::input::{BadLine, LinePrefilter, OpenInput, Part, Unconverted};
use crate::value::{DateTime, Timespan, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

/// One unit of parallel work.
pub(super) enum Item<'a> {
    /// A part of an input: a chunk of lines, or a whole file.
    Input(Part<'a>),
    Rows(&'a [Vec<Value>]),
    Range {
        first: u64,
        count: u64,
    },
}

/// What one item produced: its consumer state, and the lines that were not rows.
pub(super) struct ItemResult<T> {
    pub state: T,
    pub bad: Vec<BadLine>,
    pub rows_read: u64,
    /// Records that belong to another table than the one scanned.
    pub skipped: u64,
    /// Values that did not convert, with their column's name and type.
    pub unconverted: Vec<(Unconverted, String, crate::types::DataType)>,
    /// The input (by index) whose reading failed, and why: the scan fails.
    pub failed: Option<(usize, std::io::Error)>,
}

impl Runner<'_> {
    pub(super) fn items<'x>(
        &self,
        p: &'x Pipeline,
        opened: &'x [OpenInput],
        filter: Option<&Arc<dyn LinePrefilter>>,
        upstream: Option<&'x Rows>,
    ) -> Result<Vec<Item<'x>>, ExecError> {
        let mut items = Vec::new();
        match &p.source {
            Source::Scan {
                table,
                inputs,
                fields,
                ..
            } => {
                for ((index, open), input) in opened.iter().enumerate().zip(inputs) {
                    let parts = crate::input::parts(
                        index,
                        open,
                        input,
                        table,
                        fields,
                        self.options.chunk_size,
                        filter.cloned(),
                    );
                    items.extend(parts.into_iter().map(Item::Input));
                }
            }
            Source::Rows(rows) => items.extend(rows.chunks(ROWS_PER_ITEM).map(Item::Rows)),
            Source::Shared { rows, range } => items.extend(
                rows.get(range.clone())
                    .unwrap_or_default()
                    .chunks(ROWS_PER_ITEM)
                    .map(Item::Rows),
            ),
            Source::Plan(_) => {
                if let Some(rows) = upstream {
                    items.extend(rows.chunks(ROWS_PER_ITEM).map(Item::Rows));
                }
            }
            Source::Range { start, stop, step } => {
                let total = range_len(start, stop, step)?;
                let per = ROWS_PER_ITEM as u64 * 16;
                let mut first = 0;
                while first < total {
                    let count = per.min(total - first);
                    items.push(Item::Range { first, count });
                    first += count;
                }
            }
        }
        Ok(items)
    }

    pub(super) fn run_item<T>(
        &self,
        p: &Pipeline,
        probes: &[ProbeTable],
        item: &Item,
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        done: &AtomicBool,
    ) -> ItemResult<T> {
        let mut state = make();
        let mut bad = Vec::new();
        let mut rows_read = 0u64;
        let mut skipped = 0u64;
        let mut unconverted = Vec::new();
        let mut failed = None;
        if done.load(AtomicOrdering::Relaxed) {
            return ItemResult {
                state,
                bad,
                rows_read,
                skipped: 0,
                unconverted: Vec::new(),
                failed: None,
            };
        }
        // The rows an item computes are charged to the memory budget: a row
        // can be far larger than what it was computed from (`extend e =
        // range(0, n)` is up to 2^20 values, 33 MB, from one number), and
        // an item of thousands of such rows would otherwise outgrow the
        // budget before any operator that holds rows looks.
        let since = crate::memory::thread_net();
        let mut sink = |row: StageRow| feed(&mut state, row) && self.computed_within_budget(since);
        match item {
            Item::Input(part) => {
                let r = part
                    .read(&mut |row| self.push(&p.stages, probes, StageRow::Lazy(row), &mut sink));
                bad = r.bad;
                rows_read = r.rows_read;
                skipped = r.skipped;
                failed = r.failed.map(|e| (part.input, e));
                if let Source::Scan { fields, .. } = &p.source {
                    unconverted = r
                        .unconverted
                        .into_iter()
                        .map(|u| {
                            let f = fields.get(u.column);
                            let name = f.map_or_else(String::new, |f| f.name.clone());
                            let ty = f.map_or(crate::types::DataType::Dynamic, |f| f.ty);
                            (u, name, ty)
                        })
                        .collect();
                }
            }
            Item::Rows(rows) => {
                for r in rows.iter() {
                    rows_read += 1;
                    if !self.push(&p.stages, probes, StageRow::Borrowed(r), &mut sink) {
                        break;
                    }
                }
            }
            Item::Range { first, count } => {
                if let Source::Range { start, step, .. } = &p.source {
                    for k in *first..first + count {
                        rows_read += 1;
                        let value = range_value(start, step, k);
                        if !self.push(&p.stages, probes, StageRow::Owned(vec![value]), &mut sink) {
                            break;
                        }
                    }
                }
            }
        }
        ItemResult {
            state,
            bad,
            rows_read,
            skipped,
            unconverted,
            failed,
        }
    }
}

/// How many values `range` yields (inclusive of `stop` when it is hit).
pub(super) fn range_len(start: &Value, stop: &Value, step: &Value) -> Result<u64, ExecError> {
    let n = match (start, stop, step) {
        (Value::DateTime(a), Value::DateTime(b), Value::Timespan(s)) => {
            steps(b.0 as f64 - a.0 as f64, s.0 as f64)
        }
        (Value::Timespan(a), Value::Timespan(b), Value::Timespan(s)) => {
            steps(b.0 as f64 - a.0 as f64, s.0 as f64)
        }
        (a, b, s) => match (a.as_i64(), b.as_i64(), s.as_i64()) {
            (Some(a), Some(b), Some(s)) if s != 0 => {
                let span = i128::from(b) - i128::from(a);
                if span == 0 || (span > 0) == (s > 0) {
                    (span / i128::from(s)) as f64 + 1.0
                } else {
                    0.0
                }
            }
            _ => match (a.as_f64(), b.as_f64(), s.as_f64()) {
                (Some(a), Some(b), Some(s)) => steps(b - a, s),
                _ => 0.0,
            },
        },
    };
    if n > 1e10 {
        return Err(ExecError::Runtime(format!("range would produce {n} rows")));
    }
    Ok(n.max(0.0) as u64)
}

pub(super) fn steps(span: f64, step: f64) -> f64 {
    if step == 0.0 || !step.is_finite() || !span.is_finite() {
        return 0.0;
    }
    if span == 0.0 || (span > 0.0) == (step > 0.0) {
        (span / step + 1e-9).floor() + 1.0
    } else {
        0.0
    }
}

pub(super) fn range_value(start: &Value, step: &Value, k: u64) -> Value {
    match (start, step) {
        (Value::DateTime(a), Value::Timespan(s)) => Value::DateTime(DateTime(a.0 + s.0 * k as i64)),
        (Value::Timespan(a), Value::Timespan(s)) => Value::Timespan(Timespan(a.0 + s.0 * k as i64)),
        (Value::Real(_), _) | (_, Value::Real(_)) => {
            Value::Real(start.as_f64().unwrap_or(0.0) + step.as_f64().unwrap_or(0.0) * k as f64)
        }
        _ => Value::Long(
            start
                .as_i64()
                .unwrap_or(0)
                .wrapping_add(step.as_i64().unwrap_or(0).wrapping_mul(k as i64)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn range_includes_its_end() {
        assert_eq!(
            range_len(&Value::Long(1), &Value::Long(5), &Value::Long(1)).unwrap(),
            5
        );
        assert_eq!(
            range_len(&Value::Long(0), &Value::Long(20), &Value::Long(5)).unwrap(),
            5
        );
        assert_eq!(
            range_len(&Value::Long(5), &Value::Long(1), &Value::Long(1)).unwrap(),
            0
        );
        assert_eq!(
            range_len(&Value::Real(0.0), &Value::Real(1.0), &Value::Real(0.1)).unwrap(),
            11
        );
    }
}

//! Window functions over serialized rows
//! (<https://learn.microsoft.com/kusto/query/window-functions>). The input
//! is read whole, in order, on one thread's worth of logic; each function
//! then adds its column, one function at a time, so a function's arguments
//! may read the columns of the functions before it on any row.

use super::physical::{PhysWindow, Pipeline};
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::plan::logical::WindowKind;
use crate::types::DataType;
use crate::value::cast::normalize;
use crate::value::{DateTime, Value};

impl Runner<'_> {
    /// The rows of `input`, in order, each with a column per function.
    pub(super) fn window(
        &self,
        input: &Pipeline,
        functions: &[PhysWindow],
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut rows: Vec<Vec<Value>> = Vec::new();
        self.pipeline_parts(input, &mut |mut part| rows.append(&mut part))?;
        for f in functions {
            let column = compute(f, &rows, &self.ctx);
            for (row, v) in rows.iter_mut().zip(column) {
                row.push(normalize(v, f.ty));
            }
        }
        Ok(rows)
    }
}

/// One function's value on every row.
fn compute(f: &PhysWindow, rows: &[Vec<Value>], ctx: &EvalContext) -> Vec<Value> {
    let arg = |k: usize, i: usize| -> Value {
        match (f.args.get(k), rows.get(i)) {
            (Some(e), Some(row)) => e.eval(row, ctx),
            _ => Value::Null,
        }
    };
    let restart = |k: usize, i: usize| matches!(arg(k, i), Value::Bool(true));
    let n = rows.len();
    match f.kind {
        WindowKind::Prev { offset } | WindowKind::Next { offset } => {
            let offset = usize::try_from(offset).unwrap_or(usize::MAX);
            (0..n)
                .map(|i| {
                    let source = match f.kind {
                        WindowKind::Prev { .. } => i.checked_sub(offset),
                        _ => i.checked_add(offset).filter(|&j| j < n),
                    };
                    match source {
                        Some(j) => arg(0, j),
                        None => arg(1, i),
                    }
                })
                .collect()
        }
        WindowKind::RowNumber => {
            let mut current = 0i64;
            (0..n)
                .map(|i| {
                    current = if i == 0 || restart(1, i) {
                        arg(0, i).as_i64().unwrap_or(1)
                    } else {
                        current.wrapping_add(1)
                    };
                    Value::Long(current)
                })
                .collect()
        }
        WindowKind::RowCumsum => {
            // A null term adds nothing.
            if f.ty == DataType::Long {
                let mut sum = 0i64;
                (0..n)
                    .map(|i| {
                        let term = arg(0, i).as_i64().unwrap_or(0);
                        sum = if i == 0 || restart(1, i) {
                            term
                        } else {
                            sum.wrapping_add(term)
                        };
                        Value::Long(sum)
                    })
                    .collect()
            } else {
                let mut sum = 0f64;
                (0..n)
                    .map(|i| {
                        let term = arg(0, i).as_f64().unwrap_or(0.0);
                        sum = if i == 0 || restart(1, i) {
                            term
                        } else {
                            sum + term
                        };
                        Value::Real(sum)
                    })
                    .collect()
            }
        }
        WindowKind::RowWindowSession => {
            // The session's first value, and the previous row's value.
            let mut start: Option<DateTime> = None;
            let mut previous: Option<DateTime> = None;
            (0..n)
                .map(|i| {
                    let value = match arg(0, i) {
                        Value::DateTime(t) => t,
                        _ => {
                            // A null value: the next value starts a new session.
                            start = None;
                            previous = None;
                            return Value::Null;
                        }
                    };
                    let ticks = |v: Value| match v {
                        Value::Timespan(t) => Some(t.0),
                        _ => None,
                    };
                    let reaches =
                        |from: Option<DateTime>, distance: Option<i64>| match (from, distance) {
                            (Some(from), Some(d)) => value.0 >= from.0.saturating_add(d),
                            _ => false,
                        };
                    let new_session = start.is_none()
                        || reaches(start, ticks(arg(1, i)))
                        || reaches(previous, ticks(arg(2, i)))
                        || restart(3, i);
                    if new_session {
                        start = Some(value);
                    }
                    previous = Some(value);
                    start.map_or(Value::Null, Value::DateTime)
                })
                .collect()
        }
        WindowKind::RowRankDense | WindowKind::RowRankMin => {
            let dense = f.kind == WindowKind::RowRankDense;
            let mut rank = 0i64;
            // Rows since the last restart (row_rank_min's row number).
            let mut position = 0i64;
            let mut last: Option<Value> = None;
            (0..n)
                .map(|i| {
                    let term = arg(0, i);
                    if i == 0 || restart(1, i) {
                        rank = 1;
                        position = 1;
                    } else {
                        position += 1;
                        if last.as_ref() != Some(&term) {
                            rank = if dense { rank + 1 } else { position };
                        }
                    }
                    last = Some(term);
                    Value::Long(rank)
                })
                .collect()
        }
    }
}

//! `top-nested`: per level, group the rows of each group of the level
//! before by the level's value, aggregate, keep the top values
//! (<https://learn.microsoft.com/kusto/query/top-nested-operator>).
//!
//! Levels come out in their top order (by the aggregation, `desc` by
//! default; ties in order of first appearance); each row holds the value
//! and aggregation of every level. A `with others` row holds the value
//! given and the aggregation over the rows of the values not kept, and
//! nulls for the levels below it.

use super::physical::{PhysNestedLevel, Pipeline};
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::functions::aggregate::Accumulator;
use crate::value::cast::normalize;
use crate::value::key::{Key, KeyMap};
use crate::value::{Value, compare};
use std::cmp::Ordering;
use std::ops::ControlFlow;

/// One input row: each level's value and aggregation arguments.
struct Prepared {
    values: Vec<Value>,
    /// Per level, per aggregation, its arguments.
    args: Vec<Vec<Vec<Value>>>,
}

impl Runner<'_> {
    pub(super) fn top_nested(
        &self,
        input: &Pipeline,
        levels: &[PhysNestedLevel],
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut rows: Vec<Prepared> = Vec::new();
        let _ = self.run_pipeline(
            input,
            &Vec::new,
            &|rows: &mut Vec<Prepared>, row| {
                let r = row.as_row();
                rows.push(Prepared {
                    values: levels.iter().map(|l| l.value.eval(r, &self.ctx)).collect(),
                    args: levels
                        .iter()
                        .map(|l| {
                            l.aggregates
                                .iter()
                                .map(|a| a.args.iter().map(|e| e.eval(r, &self.ctx)).collect())
                                .collect()
                        })
                        .collect(),
                });
                true
            },
            &mut |mut part| {
                rows.append(&mut part);
                Ok(ControlFlow::Continue(()))
            },
        )?;
        let all: Vec<usize> = (0..rows.len()).collect();
        let mut out = Vec::new();
        nest(&rows, &all, levels, 0, &mut Vec::new(), &mut out, &self.ctx);
        Ok(out)
    }
}

/// The aggregation of `level` over `members`.
fn aggregate(
    rows: &[Prepared],
    members: &[usize],
    level: &PhysNestedLevel,
    depth: usize,
    ctx: &EvalContext,
) -> Value {
    let mut accs: Vec<Box<dyn Accumulator>> = level
        .aggregates
        .iter()
        .map(|a| a.function.accumulator(a.ty))
        .collect();
    for &m in members {
        for ((acc, agg), args) in accs
            .iter_mut()
            .zip(&level.aggregates)
            .zip(&rows[m].args[depth])
        {
            if let Some(p) = agg.function.predicate_position()
                && !matches!(args.get(p), Some(Value::Bool(true)))
            {
                continue;
            }
            acc.update(args);
        }
    }
    let finished: Vec<Value> = accs
        .into_iter()
        .zip(&level.aggregates)
        .map(|(a, agg)| normalize(a.finish(), agg.ty))
        .collect();
    level.by.eval(&finished, ctx)
}

fn nest(
    rows: &[Prepared],
    members: &[usize],
    levels: &[PhysNestedLevel],
    depth: usize,
    prefix: &mut Vec<Value>,
    out: &mut Vec<Vec<Value>>,
    ctx: &EvalContext,
) {
    let Some(level) = levels.get(depth) else {
        out.push(prefix.clone());
        return;
    };
    let mut groups: KeyMap<Key, Vec<usize>> = KeyMap::default();
    for &m in members {
        groups
            .entry(Key(rows[m].values[depth].clone()))
            .or_default()
            .push(m);
    }
    let mut ranked: Vec<(Value, Value, Vec<usize>)> = groups
        .into_iter()
        .map(|(k, g)| {
            let by = aggregate(rows, &g, level, depth, ctx);
            (k.0, by, g)
        })
        .collect();
    ranked.sort_by(|a, b| order(&a.1, &b.1, level.descending));
    let keep = level
        .count
        .map_or(ranked.len(), |n| usize::try_from(n).unwrap_or(usize::MAX));
    let rest: Vec<(Value, Value, Vec<usize>)> = if keep < ranked.len() {
        ranked.split_off(keep)
    } else {
        Vec::new()
    };
    for (value, by, group) in ranked {
        prefix.push(value);
        prefix.push(by);
        nest(rows, &group, levels, depth + 1, prefix, out, ctx);
        prefix.truncate(prefix.len() - 2);
    }
    if let Some(others) = &level.others
        && !rest.is_empty()
    {
        let members: Vec<usize> = rest.into_iter().flat_map(|(_, _, g)| g).collect();
        let by = aggregate(rows, &members, level, depth, ctx);
        let mut row = prefix.clone();
        row.push(others.clone());
        row.push(by);
        row.resize(levels.len() * 2, Value::Null);
        out.push(row);
    }
}

/// Top order: larger first for `desc`, nulls (and NaN) last either way.
fn order(a: &Value, b: &Value, descending: bool) -> Ordering {
    match (compare::is_null_like(a), compare::is_null_like(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            let o = compare::total_order(a, b);
            if descending { o.reverse() } else { o }
        }
    }
}

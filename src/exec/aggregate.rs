//! `summarize`: partial aggregation per chunk, merged in chunk order so
//! groups come out in order of first appearance.
//!
//! A summarize of only `arg_max`/`arg_min` of one key (`arg_max(T, *)`,
//! which the binder splits into one aggregate per column) keeps, per group,
//! the key and the winning row instead of one value per column: a row read
//! from JSON lines is held as its line and its other columns are decoded
//! once, at the end, for the winners only (late materialisation).

use super::physical::{PhysAggregate, Pipeline};
use super::run::Runner;
use super::stage::StageRow;
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::functions::aggregate::Accumulator;
use crate::input::json_rows::RowDecoder;
use crate::json::{Row, RowSlots};
use crate::plan::phys_expr::PhysExpr;
use crate::value::cast::normalize;
use crate::value::key::{KeyMap, RowKey, group_mut, merge_group};
use crate::value::{Value, compare};
use std::cmp::Ordering;
use std::ops::ControlFlow;
use std::sync::Arc;

impl Runner<'_> {
    pub(super) fn aggregate(
        &self,
        input: &Pipeline,
        group_by: &[crate::plan::phys_expr::PhysExpr],
        aggregates: &[PhysAggregate],
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        if let Some(pick) = RowPick::plan(aggregates, self.options.strict) {
            return self.aggregate_rows(input, group_by, aggregates, &pick);
        }
        type Groups = KeyMap<RowKey, Vec<Box<dyn Accumulator>>>;
        let new_accumulators = || {
            aggregates
                .iter()
                .map(|a| a.function.accumulator(a.ty))
                .collect::<Vec<_>>()
        };
        let mut total = Groups::default();
        let _ = self.run_pipeline(
            input,
            &Partial::default,
            &|partial: &mut Partial<_>, row| {
                let r = row.as_row();
                let accs = partial.group_of(group_by, r, &self.ctx, new_accumulators);
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
            &mut |partial: Partial<_>| {
                for (key, accs) in partial.groups {
                    merge_group(&mut total, key, accs, |mine, accs| {
                        for (m, other) in mine.iter_mut().zip(accs) {
                            m.merge(other);
                        }
                    });
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

/// One item's groups, and the buffer each row's group values are
/// computed into: a row of a group already seen allocates no key.
struct Partial<V> {
    groups: KeyMap<RowKey, V>,
    values: Vec<Value>,
}

impl<V> Default for Partial<V> {
    fn default() -> Self {
        Partial {
            groups: KeyMap::default(),
            values: Vec::new(),
        }
    }
}

impl<V> Partial<V> {
    /// The group of row `r` (by the values of `group_by`), made by `new`
    /// if it is the first row of its group.
    fn group_of(
        &mut self,
        group_by: &[PhysExpr],
        r: &dyn Row,
        ctx: &EvalContext,
        new: impl FnOnce() -> V,
    ) -> &mut V {
        self.values.extend(group_by.iter().map(|g| g.eval(r, ctx)));
        group_mut(&mut self.groups, &mut self.values, new)
    }
}

/// A summarize whose aggregates are all `arg_max` (or all `arg_min`) of
/// one key expression, each returning one column of the row: the winning
/// row is picked by its key alone.
struct RowPick<'a> {
    key: &'a PhysExpr,
    /// [`Ordering::Greater`] for `arg_max`, `Less` for `arg_min`.
    want: Ordering,
    /// The column each aggregate returns.
    columns: Vec<usize>,
}

impl<'a> RowPick<'a> {
    /// The pick that computes `aggregates`, if they have that shape (and
    /// not under `strict`, where every value of every row is read so that
    /// the first bad one stops the run).
    fn plan(aggregates: &'a [PhysAggregate], strict: bool) -> Option<RowPick<'a>> {
        let first = aggregates.first()?;
        let want = match first.function.name {
            "arg_max" | "argmax" => Ordering::Greater,
            "arg_min" | "argmin" => Ordering::Less,
            _ => return None,
        };
        if strict {
            return None;
        }
        let key = first.args.first()?;
        let key_text = format!("{key:?}");
        let mut columns = Vec::with_capacity(aggregates.len());
        for a in aggregates {
            let same_direction = match a.function.name {
                "arg_max" | "argmax" => want == Ordering::Greater,
                "arg_min" | "argmin" => want == Ordering::Less,
                _ => false,
            };
            match a.args.as_slice() {
                [k, PhysExpr::Column(c)]
                    if same_direction
                        && a.function.predicate_position().is_none()
                        && format!("{k:?}") == key_text =>
                {
                    columns.push(*c);
                }
                _ => return None,
            }
        }
        Some(RowPick { key, want, columns })
    }
}

/// One group's pick so far.
enum Picked {
    /// Only rows whose key is null so far: each column's first non-null
    /// value (what `arg_max` returns when no row has a key).
    NoKey(Vec<Value>),
    /// The best key and its row (the first of equal keys).
    Best { key: Value, row: HeldRow },
}

/// The winning row: its line and decoder, or its picked columns' values.
enum HeldRow {
    Line(Vec<u8>, Arc<RowDecoder>),
    Values(Vec<Value>),
}

impl HeldRow {
    /// Holds `row` (the values of `columns` when it is not a line),
    /// reusing this one's buffer.
    fn hold(&mut self, row: &StageRow, columns: &[usize]) {
        match (self, line_of(row)) {
            (HeldRow::Line(buf, held), Some((line, decoder))) => {
                buf.clear();
                buf.extend_from_slice(line);
                if !Arc::ptr_eq(held, decoder) {
                    *held = decoder.clone();
                }
            }
            (me, _) => *me = HeldRow::new(row, columns),
        }
    }

    fn new(row: &StageRow, columns: &[usize]) -> HeldRow {
        match line_of(row) {
            Some((line, decoder)) => HeldRow::Line(line.to_vec(), decoder.clone()),
            None => {
                let r = row.as_row();
                HeldRow::Values(columns.iter().map(|&c| r.column(c)).collect())
            }
        }
    }

    /// The values of `columns`.
    fn values(self, columns: &[usize], slots: &mut RowSlots) -> Vec<Value> {
        match self {
            HeldRow::Values(v) => v,
            HeldRow::Line(line, decoder) => {
                if decoder.scan(&line, slots).is_err() {
                    // The line was scanned once already: it cannot fail.
                    return vec![Value::Null; columns.len()];
                }
                columns
                    .iter()
                    .map(|&c| decoder.decode(&line, slots, c))
                    .collect()
            }
        }
    }
}

fn line_of<'r>(row: &'r StageRow) -> Option<(&'r [u8], &'r Arc<RowDecoder>)> {
    match row {
        StageRow::Lazy(lazy) => lazy.line_decoder(),
        _ => None,
    }
}

impl Picked {
    fn first(row: &StageRow, key: Value, columns: &[usize]) -> Picked {
        if compare::is_null_like(&key) {
            let r = row.as_row();
            Picked::NoKey(columns.iter().map(|&c| r.column(c)).collect())
        } else {
            Picked::Best {
                key,
                row: HeldRow::new(row, columns),
            }
        }
    }

    /// Takes a later row of the group.
    fn update(&mut self, row: &StageRow, key: Value, pick: &RowPick) {
        if compare::is_null_like(&key) {
            if let Picked::NoKey(values) = self {
                let r = row.as_row();
                for (v, &c) in values.iter_mut().zip(&pick.columns) {
                    if v.is_null() {
                        *v = r.column(c);
                    }
                }
            }
            return;
        }
        match self {
            Picked::Best {
                key: best,
                row: held,
            } => {
                if compare::order(&key, best) == Some(pick.want) {
                    *best = key;
                    held.hold(row, &pick.columns);
                }
            }
            Picked::NoKey(_) => {
                *self = Picked::Best {
                    key,
                    row: HeldRow::new(row, &pick.columns),
                }
            }
        }
    }

    /// Takes the pick of a later chunk.
    fn merge(&mut self, later: Picked, want: Ordering) {
        match (&mut *self, later) {
            (Picked::Best { key, .. }, Picked::Best { key: k, row }) => {
                if compare::order(&k, key) == Some(want) {
                    *self = Picked::Best { key: k, row };
                }
            }
            (Picked::NoKey(_), later @ Picked::Best { .. }) => *self = later,
            (Picked::NoKey(mine), Picked::NoKey(theirs)) => {
                for (m, t) in mine.iter_mut().zip(theirs) {
                    if m.is_null() {
                        *m = t;
                    }
                }
            }
            (Picked::Best { .. }, Picked::NoKey(_)) => {}
        }
    }
}

impl Runner<'_> {
    /// `summarize` of a [`RowPick`]: the same answer as one accumulator
    /// per aggregate, reading only the key (and the group) of most rows.
    fn aggregate_rows(
        &self,
        input: &Pipeline,
        group_by: &[PhysExpr],
        aggregates: &[PhysAggregate],
        pick: &RowPick,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        type Groups = KeyMap<RowKey, Option<Picked>>;
        let mut total = Groups::default();
        let _ = self.run_pipeline(
            input,
            &Partial::default,
            &|partial: &mut Partial<Option<Picked>>, row| {
                let r = row.as_row();
                let picked = partial.group_of(group_by, r, &self.ctx, || None);
                let key = pick.key.eval(r, &self.ctx);
                match picked {
                    Some(picked) => picked.update(&row, key, pick),
                    None => *picked = Some(Picked::first(&row, key, &pick.columns)),
                }
                self.within_budget("summarize")
            },
            &mut |partial: Partial<Option<Picked>>| {
                for (group, later) in partial.groups {
                    merge_group(&mut total, group, later, |mine, later| {
                        match (mine, later) {
                            (Some(mine), Some(later)) => mine.merge(later, pick.want),
                            (mine, later @ Some(_)) => *mine = later,
                            (_, None) => {}
                        }
                    });
                }
                super::run::memory_error("summarize")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        let mut slots = RowSlots::new();
        Ok(total
            .into_iter()
            .map(|(group, picked)| {
                let values = match picked {
                    Some(Picked::NoKey(values)) => values,
                    Some(Picked::Best { row, .. }) => row.values(&pick.columns, &mut slots),
                    None => vec![Value::Null; pick.columns.len()],
                };
                let mut out: Vec<Value> = group.0.into_iter().map(|k| k.0).collect();
                out.extend(
                    values
                        .into_iter()
                        .zip(aggregates)
                        .map(|(v, agg)| normalize(v, agg.ty)),
                );
                out
            })
            .collect())
    }
}

//! Hash joins. The kinds whose answer for a left row depends on that row
//! alone run as a probe stage of the left side's pipeline (a
//! [`ProbeTable`] of the right side, looked up by each left row on the
//! thread that reads it); the others join two materialized inputs, their
//! output streamed.

use super::physical::{PhysicalPlan, Pipeline, ProbeStage, Source};
use super::run::{EmitRow, Rows, Runner, memory_error};
use super::stage::StageRow;
use crate::exec_error::ExecError;
use crate::json::Row;
use crate::plan::logical::JoinKind;
use crate::types::DataType;
use crate::value::Value;
use crate::value::key::{Key, KeyHashMap, KeySet, RowKey};
use smallvec::SmallVec;
use std::ops::ControlFlow;

/// Positions of the right rows of one key, in order.
type Matches = SmallVec<[u32; 2]>;

/// The right side of a [`ProbeStage`], indexed by its key columns.
pub struct ProbeTable {
    rows: Rows,
    index: ProbeIndex,
    /// The right side's typed nulls: the right part of an unmatched left
    /// row of a left outer join.
    nulls: Vec<Value>,
}

/// One key column's values, unboxed, or several columns' as a row key.
enum ProbeIndex {
    One(KeyHashMap<Key, Matches>),
    Many(KeyHashMap<RowKey, Matches>),
}

impl ProbeTable {
    /// Indexes `rows`, the right side of `stage`. Rows with a null key
    /// match nothing and are left out.
    pub(super) fn build(rows: Rows, stage: &ProbeStage) -> ProbeTable {
        Self::index(rows, &stage.keys, &stage.right_types)
    }

    /// Indexes `rows` (of types `types`) by the right columns of `keys`.
    pub(super) fn index(rows: Rows, keys: &[(usize, usize)], types: &[DataType]) -> ProbeTable {
        let position = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let index = match keys {
            [(_, right)] => {
                let mut map: KeyHashMap<Key, Matches> = KeyHashMap::default();
                for (i, r) in rows.iter().enumerate() {
                    match r.get(*right) {
                        None | Some(Value::Null) => {}
                        Some(v) => map.entry(Key(v.clone())).or_default().push(position(i)),
                    }
                }
                ProbeIndex::One(map)
            }
            keys => {
                let mut map: KeyHashMap<RowKey, Matches> = KeyHashMap::default();
                for (i, r) in rows.iter().enumerate() {
                    if let Some(k) = row_key(r.as_slice(), keys, |p| p.1) {
                        map.entry(k).or_default().push(position(i));
                    }
                }
                ProbeIndex::Many(map)
            }
        };
        let nulls = types
            .iter()
            .map(|t| crate::value::cast::null_of(*t))
            .collect();
        ProbeTable { rows, index, nulls }
    }

    /// The positions of the right rows that `left` (a row of the left
    /// side) matches, in order; none when a key is null.
    pub(super) fn matches(&self, left: &dyn Row, keys: &[(usize, usize)]) -> &[u32] {
        let found = match (&self.index, keys) {
            (ProbeIndex::One(map), [(l, _)]) => match left.column(*l) {
                Value::Null => None,
                v => map.get(&Key(v)),
            },
            (ProbeIndex::Many(map), _) => row_key(left, keys, |p| p.0).and_then(|k| map.get(&k)),
            _ => None,
        };
        found.map_or(&[], SmallVec::as_slice)
    }

    /// The number of rows indexed (null keys included).
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The right row at `position` (from [`ProbeTable::matches`]).
    pub(super) fn row(&self, position: u32) -> &[Value] {
        self.rows.get(position as usize).map_or(&[], Vec::as_slice)
    }

    /// The right side's null row.
    pub(super) fn nulls(&self) -> &[Value] {
        &self.nulls
    }
}

/// The key of `row` on the columns `side` picks of `keys`; `None` when one
/// of them is null (null keys match nothing).
fn row_key<R: Row + ?Sized>(
    row: &R,
    keys: &[(usize, usize)],
    side: fn(&(usize, usize)) -> usize,
) -> Option<RowKey> {
    let mut k = Vec::with_capacity(keys.len());
    for pair in keys {
        let v = row.column(side(pair));
        if v.is_null() {
            return None;
        }
        k.push(Key(v));
    }
    Some(RowKey(k))
}

/// A left row and the right row it matched (or the right side's nulls),
/// as one output row of a [`ProbeStage`], neither copied.
pub struct Joined<'r> {
    pub(super) left: &'r dyn Row,
    pub(super) left_width: usize,
    pub(super) right: &'r [Value],
    pub(super) right_columns: &'r [usize],
}

impl Joined<'_> {
    /// The number of columns.
    pub(super) fn width(&self) -> usize {
        self.left_width + self.right_columns.len()
    }
}

impl Row for Joined<'_> {
    fn column(&self, index: usize) -> Value {
        if index < self.left_width {
            return self.left.column(index);
        }
        self.right_columns
            .get(index - self.left_width)
            .and_then(|&c| self.right.get(c))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn json_doc(&self, index: usize) -> Option<&crate::json::Doc<'_>> {
        if index < self.left_width {
            self.left.json_doc(index)
        } else {
            None
        }
    }
}

/// One item's share of an `innerunique` join's left side (see
/// [`Runner::join_unique`]): its first row of each key the right side has,
/// with that key's right rows.
struct UniqueCandidates<'t> {
    rows: Vec<(&'t [u32], Vec<Value>)>,
    /// The keys the item has kept a row of, each named by the position of
    /// its first right row.
    seen: KeySet<u32>,
}

impl Runner<'_> {
    /// The side of a join that is held whole: `side` read into memory and
    /// indexed by the second column of each pair of `keys`, within the
    /// memory budget.
    fn index_side(
        &self,
        side: &PhysicalPlan,
        keys: &[(usize, usize)],
    ) -> Result<ProbeTable, ExecError> {
        let types: Vec<DataType> = side.schema().fields.iter().map(|f| f.ty).collect();
        let table = ProbeTable::index(self.collect(side)?, keys, &types);
        memory_error("join")?;
        Ok(table)
    }

    /// `join kind=innerunique` (the default kind) whose left side is a
    /// pipeline: the right side is read whole and indexed by its keys (as
    /// for a [`ProbeStage`]), then the left side runs on every thread, each
    /// item keeping its first row of each key the right side has (rows
    /// whose key has no right row would join nothing, so they are dropped
    /// there). Taken in item order, the first candidate of each key is the
    /// first left row of that key in the input: the row the materialized
    /// join keeps (docs/semantics.md#join). Only those rows are held, and
    /// the output, each kept row in left order with its matches in right
    /// order, is the same as [`join`]'s; it is handed on once the left side
    /// has run.
    pub(super) fn join_unique(
        &self,
        left: &Pipeline,
        right: &PhysicalPlan,
        keys: &[(usize, usize)],
        sink: &mut EmitRow<'_>,
    ) -> Result<ControlFlow<()>, ExecError> {
        let table = self.index_side(right, keys)?;
        let mut claimed = vec![false; table.len()];
        let mut kept: Vec<(&[u32], Vec<Value>)> = Vec::new();
        let flow = self.run_pipeline(
            left,
            &|| UniqueCandidates {
                rows: Vec::new(),
                seen: KeySet::default(),
            },
            &|state: &mut UniqueCandidates<'_>, row: StageRow| {
                let matches = table.matches(row.as_row(), keys);
                if let Some(&first) = matches.first()
                    && state.seen.insert(first)
                {
                    state.rows.push((matches, row.into_vec()));
                }
                true
            },
            &mut |state| {
                for (matches, row) in state.rows {
                    if let Some(&first) = matches.first()
                        && let Some(claim) = claimed.get_mut(first as usize)
                        && !*claim
                    {
                        *claim = true;
                        kept.push((matches, row));
                    }
                }
                memory_error("join")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        if flow.is_break() {
            return Ok(flow);
        }
        for (matches, left_row) in kept {
            for &m in matches {
                if sink(joined_row(&left_row, table.row(m)))?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// Whether an `inner`, `innerunique`, `leftouter`, `leftsemi`,
/// `leftanti`, `rightouter` or `fullouter` join runs by indexing its left
/// side and streaming its right side through that
/// index ([`Runner::join_build_left`]): when the left side is held whole
/// anyway (a `datatable`, a `summarize`, a `take`, a materialized `let`)
/// and the right side is a pipeline that reads files, which would otherwise
/// be read whole and indexed on one thread.
pub(super) fn builds_left(kind: JoinKind, left: &PhysicalPlan, right: &PhysicalPlan) -> bool {
    matches!(
        kind,
        JoinKind::Inner
            | JoinKind::InnerUnique
            | JoinKind::LeftOuter
            | JoinKind::LeftSemi
            | JoinKind::LeftAnti
            | JoinKind::RightOuter
            | JoinKind::FullOuter
    ) && matches!(right, PhysicalPlan::Stream(_))
        && streams_files(right)
        && !streams_files(left)
}

/// Whether `plan` streams rows read from files, as many as they hold
/// (rather than rows it has to hold, or a bounded number).
fn streams_files(plan: &PhysicalPlan) -> bool {
    match plan {
        PhysicalPlan::Stream(p) => match &p.source {
            Source::Scan { .. } => true,
            Source::Plan(child) => streams_files(child),
            Source::Rows(_) | Source::Shared { .. } | Source::Range { .. } => false,
        },
        PhysicalPlan::Union { inputs, .. } => inputs.iter().any(streams_files),
        PhysicalPlan::Join { .. } => true,
        _ => false,
    }
}

impl Runner<'_> {
    /// An `inner`, `innerunique`, `leftouter`, `rightouter` or `fullouter`
    /// join run the other way round (see [`builds_left`]): the left side is
    /// read whole
    /// and indexed by its keys, then the right side's pipeline runs on
    /// every thread, each of its rows looked up in that index. For
    /// `innerunique` a right row joins only the first left row of its key
    /// (the first position in the index), the row the materialized join
    /// keeps. The right rows that join are held, each under the left rows
    /// it joins, and for the outer joins the others too, so the output is
    /// [`join`]'s, in its order (left rows in order, each with its matches
    /// in right order, or for `leftouter` and `fullouter` the right side's
    /// nulls; then for the right and full outer joins the unmatched right
    /// rows in order after the left side's nulls), handed on once the right
    /// side has run. `leftsemi` and `leftanti` hold no right row: only
    /// which left rows were matched, then the left rows that were (or were
    /// not), in order.
    pub(super) fn join_build_left(
        &self,
        left: &PhysicalPlan,
        right: &Pipeline,
        kind: JoinKind,
        keys: &[(usize, usize)],
        sink: &mut EmitRow<'_>,
    ) -> Result<ControlFlow<()>, ExecError> {
        // The index is built on the second column of each pair.
        let swapped: Vec<(usize, usize)> = keys.iter().map(|&(l, r)| (r, l)).collect();
        let table = self.index_side(left, &swapped)?;
        let unique = kind == JoinKind::InnerUnique;
        let outer = matches!(kind, JoinKind::RightOuter | JoinKind::FullOuter);
        // leftsemi and leftanti note which left rows some right row
        // matches, and hold no right row.
        let semi = matches!(kind, JoinKind::LeftSemi | JoinKind::LeftAnti);
        let mut hit = vec![false; if semi { table.len() } else { 0 }];
        let mut joined: Vec<Vec<Value>> = Vec::new();
        let mut unmatched: Vec<Vec<Value>> = Vec::new();
        let mut under: Vec<Vec<u32>> = vec![Vec::new(); table.len()];
        let flow = self.run_pipeline(
            right,
            &Vec::new,
            &|state: &mut Vec<(&[u32], Vec<Value>)>, row: StageRow| {
                let matches = table.matches(row.as_row(), &swapped);
                let matches = match matches.first() {
                    None if outer => matches,
                    None => return true,
                    Some(first) if unique => std::slice::from_ref(first),
                    Some(_) => matches,
                };
                state.push((matches, if semi { Vec::new() } else { row.into_vec() }));
                true
            },
            &mut |state| {
                for (matches, row) in state {
                    if semi {
                        for &m in matches {
                            if let Some(flag) = hit.get_mut(m as usize) {
                                *flag = true;
                            }
                        }
                        continue;
                    }
                    if matches.is_empty() {
                        unmatched.push(row);
                        continue;
                    }
                    let at = u32::try_from(joined.len()).unwrap_or(u32::MAX);
                    joined.push(row);
                    for &m in matches {
                        if let Some(list) = under.get_mut(m as usize) {
                            list.push(at);
                        }
                    }
                }
                memory_error("join")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        if flow.is_break() {
            return Ok(flow);
        }
        if semi {
            return emit_flagged(&table, &hit, kind == JoinKind::LeftSemi, sink);
        }
        let right_nulls = nulls_of(&right.schema);
        let fill_left = matches!(kind, JoinKind::LeftOuter | JoinKind::FullOuter);
        for (position, list) in under.iter().enumerate() {
            let left_row = table.row(u32::try_from(position).unwrap_or(u32::MAX));
            if list.is_empty() && fill_left && sink(joined_row(left_row, &right_nulls))?.is_break()
            {
                return Ok(ControlFlow::Break(()));
            }
            for &at in list {
                let right_row = joined.get(at as usize).map_or(&[][..], Vec::as_slice);
                if sink(joined_row(left_row, right_row))?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
        }
        let left_nulls = table.nulls();
        for right_row in unmatched {
            let mut row = Vec::with_capacity(left_nulls.len() + right_row.len());
            row.extend(left_nulls.iter().cloned());
            row.extend(right_row);
            if sink(row)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

impl Runner<'_> {
    /// `rightsemi` and `rightanti` joins whose left side is a pipeline: the
    /// right side is read whole and indexed by its keys, then the left side
    /// runs on every thread, each chunk noting the keys of the right side
    /// its rows have; then the right rows, in order, that some left row
    /// matched (`rightsemi`) or none did (`rightanti`), as [`join`] gives
    /// them. No left row is held.
    pub(super) fn join_right_filter(
        &self,
        left: &Pipeline,
        right: &PhysicalPlan,
        kind: JoinKind,
        keys: &[(usize, usize)],
        sink: &mut EmitRow<'_>,
    ) -> Result<ControlFlow<()>, ExecError> {
        let table = self.index_side(right, keys)?;
        let mut matched = vec![false; table.len()];
        // Each chunk's keys, each named by the position of its first right
        // row, with their right rows.
        type Found<'t> = (KeySet<u32>, Vec<&'t [u32]>);
        let flow = self.run_pipeline(
            left,
            &|| (KeySet::default(), Vec::new()),
            &|(seen, found): &mut Found<'_>, row: StageRow| {
                let matches = table.matches(row.as_row(), keys);
                if let Some(&first) = matches.first()
                    && seen.insert(first)
                {
                    found.push(matches);
                }
                true
            },
            &mut |(_, found)| {
                mark(&mut matched, found.iter().flat_map(|f| f.iter()));
                Ok(ControlFlow::Continue(()))
            },
        )?;
        if flow.is_break() {
            return Ok(flow);
        }
        emit_flagged(&table, &matched, kind == JoinKind::RightSemi, sink)
    }
}

impl Runner<'_> {
    /// `rightouter` and `fullouter` joins whose left side is a pipeline:
    /// the right side is read whole and indexed by its keys, then the left
    /// side runs on every thread, each row looked up in that index. Taken
    /// in item order, the left rows that join (and for `fullouter` the
    /// others too) are held with the positions of their right rows, and
    /// the right rows some left row matched are noted. Then the output is
    /// [`join`]'s, in its order: each held left row with its matches in
    /// right order (or the right side's nulls), then the right rows no
    /// left row matched, in order, after the left side's nulls.
    pub(super) fn join_outer(
        &self,
        left: &Pipeline,
        right: &PhysicalPlan,
        kind: JoinKind,
        keys: &[(usize, usize)],
        sink: &mut EmitRow<'_>,
    ) -> Result<ControlFlow<()>, ExecError> {
        let table = self.index_side(right, keys)?;
        let full = kind == JoinKind::FullOuter;
        let mut matched = vec![false; table.len()];
        let mut held: Vec<(&[u32], Vec<Value>)> = Vec::new();
        let flow = self.run_pipeline(
            left,
            &Vec::new,
            &|state: &mut Vec<(&[u32], Vec<Value>)>, row: StageRow| {
                let matches = table.matches(row.as_row(), keys);
                if full || !matches.is_empty() {
                    state.push((matches, row.into_vec()));
                }
                true
            },
            &mut |state| {
                mark(
                    &mut matched,
                    state.iter().flat_map(|(matches, _)| matches.iter()),
                );
                held.extend(state);
                memory_error("join")?;
                Ok(ControlFlow::Continue(()))
            },
        )?;
        if flow.is_break() {
            return Ok(flow);
        }
        for (matches, left_row) in held {
            if matches.is_empty() {
                let mut row = left_row;
                row.extend(table.nulls().iter().cloned());
                if sink(row)?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
                continue;
            }
            for &m in matches {
                if sink(joined_row(&left_row, table.row(m)))?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
        }
        let left_nulls = nulls_of(&left.schema);
        for (position, m) in matched.iter().enumerate() {
            if !*m {
                let right_row = table.row(u32::try_from(position).unwrap_or(u32::MAX));
                if sink(joined_row(&left_nulls, right_row))?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// A row of one side's values followed by the other's.
fn joined_row(first: &[Value], second: &[Value]) -> Vec<Value> {
    let mut row = Vec::with_capacity(first.len() + second.len());
    row.extend_from_slice(first);
    row.extend_from_slice(second);
    row
}

/// Sets the flags of the indexed rows at `positions`.
fn mark<'a>(flags: &mut [bool], positions: impl Iterator<Item = &'a u32>) {
    for &m in positions {
        if let Some(flag) = flags.get_mut(m as usize) {
            *flag = true;
        }
    }
}

/// The indexed rows, in order, whose flag is `want` (a semi join's matched
/// rows, an anti join's unmatched ones).
fn emit_flagged(
    table: &ProbeTable,
    flags: &[bool],
    want: bool,
    sink: &mut EmitRow<'_>,
) -> Result<ControlFlow<()>, ExecError> {
    for (position, flag) in flags.iter().enumerate() {
        if *flag == want {
            let row = table.row(u32::try_from(position).unwrap_or(u32::MAX));
            if sink(row.to_vec())?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// The typed nulls of a row of `schema` (an unmatched row's other side).
fn nulls_of(schema: &crate::schema::Schema) -> Vec<Value> {
    schema
        .fields
        .iter()
        .map(|f| crate::value::cast::null_of(f.ty))
        .collect()
}

/// Hash join of two materialized inputs (docs/semantics.md#join). Output
/// order: left rows in order with their matches in right order, then (for
/// right and full outer joins) unmatched right rows in order. Each output
/// row goes to `sink` as soon as it is made, so the output is never held
/// whole and a sink that has enough (`take`) stops the join. `budget`
/// stops it when the heap goes over the memory budget.
#[allow(clippy::too_many_arguments)] // the two sides' rows, types and keys
pub(super) fn join(
    left: &[Vec<Value>],
    right: &[Vec<Value>],
    kind: JoinKind,
    keys: &[(usize, usize)],
    left_types: &[DataType],
    right_types: &[DataType],
    right_width: usize,
    budget: &dyn Fn() -> Result<(), ExecError>,
    sink: &mut EmitRow<'_>,
) -> Result<ControlFlow<()>, ExecError> {
    let key_of = |row: &[Value], side: fn(&(usize, usize)) -> usize| -> Option<RowKey> {
        let mut k = Vec::with_capacity(keys.len());
        for pair in keys {
            let v = row.get(side(pair)).cloned().unwrap_or(Value::Null);
            if v.is_null() {
                return None; // null keys match nothing
            }
            k.push(Key(v));
        }
        Some(RowKey(k))
    };
    let mut index: KeyHashMap<RowKey, Vec<usize>> = KeyHashMap::default();
    for (i, r) in right.iter().enumerate() {
        if let Some(k) = key_of(r, |p| p.1) {
            index.entry(k).or_default().push(i);
        }
    }
    let null_row = |types: &[DataType], width: usize| -> Vec<Value> {
        (0..width)
            .map(|i| {
                crate::value::cast::null_of(types.get(i).copied().unwrap_or(DataType::Dynamic))
            })
            .collect()
    };
    // Hands a row on; returns from the join when the sink has enough.
    macro_rules! out {
        ($row:expr) => {
            if sink($row)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        };
    }
    let right_key_columns: Vec<usize> = keys.iter().map(|p| p.1).collect();
    let mut right_matched = vec![false; right.len()];
    let mut seen_left: KeySet<RowKey> = KeySet::default();
    for l in left {
        // The output grows with each left row: within the memory budget.
        budget()?;
        let key = key_of(l, |p| p.0);
        if kind == JoinKind::InnerUnique {
            // The first left row of each key only.
            match &key {
                Some(k) if !seen_left.insert(k.clone()) => continue,
                _ => {}
            }
        }
        let matches: &[usize] = key
            .as_ref()
            .and_then(|k| index.get(k))
            .map_or(&[], Vec::as_slice);
        for &m in matches {
            if let Some(flag) = right_matched.get_mut(m) {
                *flag = true;
            }
        }
        match kind {
            JoinKind::LeftSemi => {
                if !matches.is_empty() {
                    out!(l.clone());
                }
            }
            JoinKind::LeftAnti => {
                if matches.is_empty() {
                    out!(l.clone());
                }
            }
            JoinKind::RightSemi | JoinKind::RightAnti => {}
            JoinKind::LookupLeftOuter | JoinKind::LookupInner => {
                let right_part = |r: &[Value]| -> Vec<Value> {
                    r.iter()
                        .enumerate()
                        .filter(|(i, _)| !right_key_columns.contains(i))
                        .map(|(_, v)| v.clone())
                        .collect()
                };
                if matches.is_empty() {
                    if kind == JoinKind::LookupLeftOuter {
                        let nulls = null_row(right_types, right_width);
                        let mut row = l.clone();
                        row.extend(right_part(&nulls));
                        out!(row);
                    }
                } else {
                    for &m in matches {
                        let mut row = l.clone();
                        row.extend(right_part(&right[m]));
                        out!(row);
                    }
                }
            }
            _ => {
                if matches.is_empty() {
                    if matches!(kind, JoinKind::LeftOuter | JoinKind::FullOuter) {
                        let mut row = l.clone();
                        row.extend(null_row(right_types, right_width));
                        out!(row);
                    }
                } else {
                    for &m in matches {
                        let mut row = l.clone();
                        row.extend(right[m].iter().cloned());
                        out!(row);
                    }
                }
            }
        }
    }
    match kind {
        JoinKind::RightSemi | JoinKind::RightAnti => {
            let want = kind == JoinKind::RightSemi;
            for (r, _) in right
                .iter()
                .zip(&right_matched)
                .filter(|(_, m)| **m == want)
            {
                out!(r.clone());
            }
        }
        JoinKind::RightOuter | JoinKind::FullOuter => {
            for (r, matched) in right.iter().zip(&right_matched) {
                if !matched {
                    let mut row = null_row(left_types, left_types.len());
                    row.extend(r.iter().cloned());
                    out!(row);
                }
            }
        }
        _ => {}
    }
    Ok(ControlFlow::Continue(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    pub(super) fn innerunique_dedups_the_left_side_by_key() {
        // The join-operator doc example: X(a1,b2,b3,c4) join Y(b10,c20,c30,d40).
        let x = vec![
            vec![s("a"), Value::Long(1)],
            vec![s("b"), Value::Long(2)],
            vec![s("b"), Value::Long(3)],
            vec![s("c"), Value::Long(4)],
        ];
        let y = vec![
            vec![s("b"), Value::Long(10)],
            vec![s("c"), Value::Long(20)],
            vec![s("c"), Value::Long(30)],
            vec![s("d"), Value::Long(40)],
        ];
        let types = [DataType::String, DataType::Long];
        let mut out = Vec::new();
        let _ = join(
            &x,
            &y,
            JoinKind::InnerUnique,
            &[(0, 0)],
            &types,
            &types,
            2,
            &|| Ok(()),
            &mut |r| {
                out.push(r);
                Ok(ControlFlow::Continue(()))
            },
        )
        .unwrap();
        let got: Vec<(i64, i64)> = out
            .iter()
            .map(|r| (r[1].as_i64().unwrap(), r[3].as_i64().unwrap()))
            .collect();
        assert_eq!(got, [(2, 10), (4, 20), (4, 30)]);
    }
}

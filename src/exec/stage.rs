//! Row stages of a pipeline: filter, project, mv-expand.

use super::join::{Joined, ProbeTable};
use super::physical::{ProbeStage, Slot, Stage};
use super::run::Runner;
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::input::LazyRow;
use crate::json::Row;
use crate::plan::logical::{JoinKind, MvExpandColumn};
use crate::plan::phys_expr::PhysExpr;
use crate::types::DataType;
use crate::value::cast::{cast, normalize};
use crate::value::{Bag, Value};
use smallvec::SmallVec;
use std::cell::OnceCell;
use std::sync::Arc;

/// Some columns of another row, by position: what a `project` that only
/// selects columns makes, without decoding or copying them.
pub struct Picked<'r> {
    inner: &'r dyn Row,
    map: &'r [usize],
}

impl Row for Picked<'_> {
    fn column(&self, index: usize) -> Value {
        self.map
            .get(index)
            .map_or(Value::Null, |&i| self.inner.column(i))
    }

    fn json_doc(&self, index: usize) -> Option<&crate::json::Doc<'_>> {
        self.map.get(index).and_then(|&i| self.inner.json_doc(i))
    }
}

/// Another row's columns, some replaced or added by computed values (an
/// `extend`): the input's columns are read only when asked for.
pub struct Extended<'r> {
    inner: &'r dyn Row,
    slots: &'r [Slot],
    exprs: &'r [(PhysExpr, DataType)],
    ctx: &'r EvalContext,
    /// Each computed column, once read.
    computed: Vec<OnceCell<Value>>,
}

impl Extended<'_> {
    fn computed(&self, k: usize) -> Value {
        match (self.computed.get(k), self.exprs.get(k)) {
            (Some(cell), Some((e, ty))) => cell
                .get_or_init(|| normalize(e.eval(self.inner, self.ctx), *ty))
                .clone(),
            _ => Value::Null,
        }
    }
}

impl Row for Extended<'_> {
    fn column(&self, index: usize) -> Value {
        match self.slots.get(index) {
            Some(Slot::Input(i)) => self.inner.column(*i),
            Some(Slot::Computed(k)) => self.computed(*k),
            None => Value::Null,
        }
    }

    fn json_doc(&self, index: usize) -> Option<&crate::json::Doc<'_>> {
        match self.slots.get(index) {
            Some(Slot::Input(i)) => self.inner.json_doc(*i),
            _ => None,
        }
    }
}

/// A row between stages: as decoded from a line (columns decoded on
/// demand), a selection of another row's columns, or computed.
pub enum StageRow<'r> {
    Lazy(&'r dyn LazyRow),
    Picked(Picked<'r>),
    Extended(Extended<'r>),
    Owned(Vec<Value>),
    Borrowed(&'r [Value]),
    /// An output row of a join's probe.
    Joined(Joined<'r>),
}

impl StageRow<'_> {
    pub fn as_row(&self) -> &dyn Row {
        match self {
            StageRow::Lazy(r) => *r,
            StageRow::Picked(p) => p,
            StageRow::Extended(x) => x,
            StageRow::Owned(v) => v,
            StageRow::Borrowed(v) => v,
            StageRow::Joined(j) => j,
        }
    }

    pub fn into_vec(self) -> Vec<Value> {
        match self {
            StageRow::Lazy(r) => r.materialize(),
            StageRow::Picked(p) => (0..p.map.len()).map(|i| p.column(i)).collect(),
            StageRow::Extended(x) => (0..x.slots.len()).map(|i| x.column(i)).collect(),
            StageRow::Owned(v) => v,
            StageRow::Borrowed(v) => v.to_vec(),
            StageRow::Joined(j) => (0..j.width()).map(|i| j.column(i)).collect(),
        }
    }
}

impl Runner<'_> {
    /// Passes `row` through `stages` into `sink`; false once `sink` wants
    /// no more rows. `probes` are the tables of the [`Stage::Probe`]s among
    /// `stages`, in order.
    pub(super) fn push(
        &self,
        stages: &[Stage],
        probes: &[ProbeTable],
        row: StageRow,
        sink: &mut dyn FnMut(StageRow) -> bool,
    ) -> bool {
        let Some((stage, rest)) = stages.split_first() else {
            return sink(row);
        };
        match stage {
            Stage::Filter(predicate) => {
                if matches!(predicate.eval(row.as_row(), &self.ctx), Value::Bool(true)) {
                    self.push(rest, probes, row, sink)
                } else {
                    true
                }
            }
            Stage::Select(map) => {
                let picked = StageRow::Picked(Picked {
                    inner: row.as_row(),
                    map,
                });
                self.push(rest, probes, picked, sink)
            }
            Stage::Project(exprs) => {
                let input = row.as_row();
                let values = exprs
                    .iter()
                    .map(|(e, ty)| normalize(e.eval(input, &self.ctx), *ty))
                    .collect();
                self.push(rest, probes, StageRow::Owned(values), sink)
            }
            Stage::Extend { slots, computed } => {
                let extended = StageRow::Extended(Extended {
                    inner: row.as_row(),
                    slots,
                    exprs: computed,
                    ctx: &self.ctx,
                    computed: (0..computed.len()).map(|_| OnceCell::new()).collect(),
                });
                self.push(rest, probes, extended, sink)
            }
            Stage::MvExpand {
                columns,
                item_index,
                limit,
            } => {
                // One buffer for all the row's expansions: each is handed on
                // borrowed, and copied only by a later stage that keeps it.
                mv_expand_each(
                    row.into_vec(),
                    columns,
                    *item_index,
                    *limit,
                    &mut |expanded| self.push(rest, probes, StageRow::Borrowed(expanded), sink),
                )
            }
            Stage::MvApply(apply) => {
                let base = row.into_vec();
                match self.mv_apply(&base, apply) {
                    Ok(rows) => {
                        for r in rows {
                            if !self.push(rest, probes, StageRow::Owned(r), sink) {
                                return false;
                            }
                        }
                        true
                    }
                    Err(e) => {
                        self.fail(e);
                        false
                    }
                }
            }
            Stage::Probe(probe) => {
                let Some((table, later)) = probes.split_first() else {
                    // Built by `Runner::run_pipeline` for every probe stage.
                    self.fail(ExecError::Runtime(
                        "internal error: a join's probe ran without its table".into(),
                    ));
                    return false;
                };
                self.probe(probe, table, rest, later, row, sink)
            }
            Stage::BagUnpack {
                column,
                outputs,
                types,
            } => {
                let values = super::bag_unpack::unpack(row.as_row(), *column, outputs, types);
                self.push(rest, probes, StageRow::Owned(values), sink)
            }
        }
    }
}

impl Runner<'_> {
    /// A join's probe of one left row: its output rows (docs/semantics.md#join)
    /// passed through `rest`; false once `sink` wants no more rows.
    fn probe(
        &self,
        probe: &ProbeStage,
        table: &ProbeTable,
        rest: &[Stage],
        probes: &[ProbeTable],
        row: StageRow,
        sink: &mut dyn FnMut(StageRow) -> bool,
    ) -> bool {
        let matches = table.matches(row.as_row(), &probe.keys);
        match probe.kind {
            JoinKind::LeftSemi | JoinKind::LeftAnti => {
                if matches.is_empty() == (probe.kind == JoinKind::LeftAnti) {
                    self.push(rest, probes, row, sink)
                } else {
                    true
                }
            }
            kind => {
                let joined = |right| {
                    StageRow::Joined(Joined {
                        left: row.as_row(),
                        left_width: probe.left_width,
                        right,
                        right_columns: &probe.right_columns,
                    })
                };
                if matches.is_empty() {
                    if matches!(kind, JoinKind::LeftOuter | JoinKind::LookupLeftOuter) {
                        return self.push(rest, probes, joined(table.nulls()), sink);
                    }
                    return true;
                }
                for &m in matches {
                    if !self.push(rest, probes, joined(table.row(m)), sink) {
                        return false;
                    }
                }
                true
            }
        }
    }
}

/// `mv-expand` of one row (docs/semantics.md#mv-expand).
pub(super) fn mv_expand(
    row: &[Value],
    columns: &[MvExpandColumn],
    item_index: bool,
    limit: Option<u64>,
) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    mv_expand_each(row.to_vec(), columns, item_index, limit, &mut |expanded| {
        out.push(expanded.to_vec());
        true
    });
    out
}

/// What one expanded column of a row gives, element by element.
enum Expansion {
    /// An array's elements, read in place.
    Array(Arc<Vec<Value>>),
    /// A property bag's properties, each as a one-property bag or a
    /// `[key, value]` array.
    Items(Vec<Value>),
    /// Any other value: itself, once.
    Single(Value),
}

impl Expansion {
    fn of(v: Value, bag_as_array: bool) -> Expansion {
        match v {
            Value::Array(items) => Expansion::Array(items),
            Value::Bag(bag) => Expansion::Items(
                bag.iter()
                    .map(|(k, v)| {
                        if bag_as_array {
                            Value::array(vec![Value::String(k.clone()), v.clone()])
                        } else {
                            let mut single = Bag::with_capacity(1);
                            single.insert(k.clone(), v.clone());
                            Value::bag(single)
                        }
                    })
                    .collect(),
            ),
            other => Expansion::Single(other),
        }
    }

    fn len(&self) -> usize {
        match self {
            Expansion::Array(items) => items.len(),
            Expansion::Items(items) => items.len(),
            Expansion::Single(_) => 1,
        }
    }

    /// The `i`th element (null past the end).
    fn get(&self, i: usize) -> Value {
        let v = match self {
            Expansion::Array(items) => items.get(i),
            Expansion::Items(items) => items.get(i),
            Expansion::Single(v) => (i == 0).then_some(v),
        };
        v.cloned().unwrap_or(Value::Null)
    }
}

/// `mv-expand` of one row, handing each output row to `each` in order, in
/// one buffer (no row allocated per element); stops when `each` returns
/// false, and returns false then.
pub(super) fn mv_expand_each(
    row: Vec<Value>,
    columns: &[MvExpandColumn],
    item_index: bool,
    limit: Option<u64>,
    each: &mut dyn FnMut(&[Value]) -> bool,
) -> bool {
    let expansions: SmallVec<[Expansion; 2]> = columns
        .iter()
        .map(|c| {
            let v = row.get(c.index).cloned().unwrap_or(Value::Null);
            Expansion::of(v, c.bag_as_array)
        })
        .collect();
    let mut n = expansions.iter().map(Expansion::len).max().unwrap_or(0);
    if let Some(limit) = limit {
        n = n.min(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let mut out = row;
    let width = out.len();
    for i in 0..n {
        for (c, values) in columns.iter().zip(&expansions) {
            if let Some(slot) = out.get_mut(c.index) {
                *slot = normalize(cast(values.get(i), c.to_type), c.to_type);
            }
        }
        if item_index {
            out.truncate(width);
            out.push(Value::Long(i as i64));
        }
        if !each(&out) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::DataType;

    pub(super) fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    pub(super) fn mv_expand_pads_with_nulls_and_drops_empty_arrays() {
        let row = vec![
            Value::array(vec![Value::Long(1), Value::Long(2)]),
            Value::array(vec![s("a")]),
        ];
        let cols = [
            MvExpandColumn {
                index: 0,
                bag_as_array: false,
                to_type: DataType::Dynamic,
            },
            MvExpandColumn {
                index: 1,
                bag_as_array: false,
                to_type: DataType::Dynamic,
            },
        ];
        let out = mv_expand(&row, &cols, true, None);
        assert_eq!(
            out,
            vec![
                vec![Value::Long(1), s("a"), Value::Long(0)],
                vec![Value::Long(2), Value::Null, Value::Long(1)]
            ]
        );
        let empty = vec![Value::array(vec![])];
        assert!(mv_expand(&empty, &cols[..1], false, None).is_empty());
    }
}

//! `sort` and `top`: rows with their key values, in a stable order. A
//! sort whose rows go over the memory budget spills them: sorted runs
//! written to temporary files and merged (see `exec::spill`).

use super::physical::{PhysSortKey, Pipeline};
use super::run::{EmitRow, KeyedRows, Runner};
use super::spill::{SpillFile, SpillReader};
use super::stage::StageRow;
use crate::exec_error::ExecError;
use crate::input::OpenInput;
use crate::input::json_rows::RowDecoder;
use crate::json::RowSlots;
use crate::value::{Value, compare};
use std::cmp::Ordering;
use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock};

/// A sort spills its rows once they go over the memory budget and at
/// least this many are held (fewer: the memory is not the sort's, and the
/// budget error stands).
const MIN_RUN_ROWS: usize = 4096;

/// Runs are merged this many at a time (so few files are open at once).
const MERGE_WIDTH: usize = 64;

impl Runner<'_> {
    /// `sort`: every row of `input` in key order (a stable order: ties keep
    /// input order), handed to `sink`. When the rows held go over the
    /// memory budget they are sorted and written to a temporary file (a
    /// run); at the end the runs and the rows still held are merged, ties
    /// going to the earlier run, so the answer is the in-memory one.
    pub(super) fn sort(
        &self,
        input: &Pipeline,
        keys: &[PhysSortKey],
        sink: &mut EmitRow<'_>,
    ) -> Result<ControlFlow<()>, ExecError> {
        let mut all: KeyedRows = Vec::new();
        let mut runs: Vec<SpillFile> = Vec::new();
        let mut scratch = Vec::new();
        let _ = self.run_pipeline(
            input,
            &Vec::new,
            &|rows: &mut KeyedRows, row| {
                let r = row.as_row();
                let k = keys.iter().map(|k| k.expr.eval(r, &self.ctx)).collect();
                rows.push((k, row.into_vec()));
                true
            },
            &mut |mut rows| {
                all.append(&mut rows);
                if crate::memory::exceeded().is_some() || self.spill_rows_reached(all.len()) {
                    if all.len() < MIN_RUN_ROWS && !self.spill_rows_reached(all.len()) {
                        super::run::memory_error("sort")?;
                    }
                    all.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                    let mut run = SpillFile::new()?;
                    for (k, r) in all.drain(..) {
                        run.write(&[&k, &r], &mut scratch)?;
                    }
                    all = Vec::new();
                    runs.push(run);
                    if runs.len() > MERGE_WIDTH {
                        // Merge the earliest runs into one, in their place.
                        let rest = runs.split_off(MERGE_WIDTH);
                        let first = std::mem::take(&mut runs);
                        let mut merged = SpillFile::new()?;
                        let mut merger = Merger::new(first, Vec::new(), keys)?;
                        while let Some((k, r)) = merger.next_row()? {
                            merged.write(&[&k, &r], &mut scratch)?;
                        }
                        runs.push(merged);
                        runs.extend(rest);
                    }
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
        all.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
        if runs.is_empty() {
            for (_, r) in all {
                if sink(r)?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
            return Ok(ControlFlow::Continue(()));
        }
        let mut merger = Merger::new(runs, all, keys)?;
        while let Some((_, r)) = merger.next_row()? {
            self.cancelled()?;
            if sink(r)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Whether a spilling operator holding `rows` rows spills now because
    /// of [`super::ExecOptions::spill_rows`] (a test's way to spill small data).
    pub(super) fn spill_rows_reached(&self, rows: usize) -> bool {
        self.options.spill_rows.is_some_and(|n| rows >= n)
    }

    /// The first `count` rows in key order, with their keys: a stable
    /// order, so ties keep input order and the result does not depend on
    /// chunking. A row's keys are compared with the worst row kept so far
    /// one at a time, before anything else of it is read (and before any
    /// of it is copied). A row that may be in the answer and came straight
    /// from a JSON-rows scan of a mapped (or in-memory) input is held as
    /// the place of its line in that input, and only the winners are read
    /// again and decoded after the scan (late materialisation); a row of a
    /// stream or a gzip file is held as a copy of its line. At most about
    /// twice `count` rows are held per item and overall.
    pub(super) fn top_rows(
        &self,
        input: &Pipeline,
        keys: &[PhysSortKey],
        count: u64,
    ) -> Result<KeyedRows, ExecError> {
        let limit = usize::try_from(count).unwrap_or(usize::MAX);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let seen: OnceLock<Vec<OpenInput>> = OnceLock::new();
        let by_address: OnceLock<Vec<(usize, usize)>> = OnceLock::new();
        // Where a line is: its input's index and its offset there.
        let place = |line: &[u8]| -> Option<(usize, usize)> {
            let opened = seen.get()?;
            let index = by_address.get_or_init(|| {
                let mut v: Vec<(usize, usize)> = opened
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o.bytes().as_ptr() as usize, i))
                    .collect();
                v.sort_unstable();
                v
            });
            // The input starting last at or before the line is the one
            // that can hold it (inputs sharing their bytes hold the same
            // text at the same place: any of them does).
            let at = line.as_ptr() as usize;
            let after = index.partition_point(|&(start, _)| start <= at);
            let &(_, i) = index.get(after.checked_sub(1)?)?;
            Some((i, opened.get(i)?.offset_of(line)?))
        };
        let mut all: Vec<(Vec<Value>, Held)> = Vec::new();
        let mut decoders: Vec<Arc<RowDecoder>> = Vec::new();
        let _ = self.run_pipeline_seen(
            input,
            &Bounded::default,
            &|state: &mut Bounded, row| {
                let r = row.as_row();
                let Some(k) = self.candidate_keys(r, state.worst.as_deref(), keys) else {
                    return true;
                };
                let held = match &row {
                    StageRow::Lazy(lazy) => match lazy.line_decoder() {
                        Some((line, decoder)) => match place(line) {
                            Some((input, offset)) => Held::Place {
                                input,
                                offset,
                                len: line.len(),
                                decoder: state.decoder_index(decoder),
                            },
                            None => Held::Line(line.into(), decoder.clone()),
                        },
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
                // The item's decoders join the run's; its places say which.
                let remap: Vec<usize> = state
                    .decoders
                    .iter()
                    .map(|d| match decoders.iter().position(|x| Arc::ptr_eq(x, d)) {
                        Some(i) => i,
                        None => {
                            decoders.push(d.clone());
                            decoders.len() - 1
                        }
                    })
                    .collect();
                for (_, held) in &mut state.rows {
                    if let Held::Place { decoder, .. } = held {
                        *decoder = remap.get(*decoder).copied().unwrap_or(usize::MAX);
                    }
                }
                all.append(&mut state.rows);
                if all.len() > limit.saturating_mul(2).max(64) {
                    all.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                    all.truncate(limit);
                }
                Ok(ControlFlow::Continue(()))
            },
            Some(&seen),
        )?;
        all.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
        all.truncate(limit);
        let opened: &[OpenInput] = seen.get().map_or(&[], Vec::as_slice);
        let mut slots = RowSlots::new();
        let decode = |line: &[u8], decoder: &RowDecoder, slots: &mut RowSlots| {
            decoder.scan(line, slots).map_err(|_| not_a_scan_row())?;
            Ok::<_, ExecError>(
                (0..decoder.width())
                    .map(|i| decoder.decode(line, slots, i))
                    .collect::<Vec<Value>>(),
            )
        };
        let rows = all
            .into_iter()
            .map(|(k, held)| match held {
                Held::Values(v) => Ok((k, v)),
                Held::Line(line, decoder) => Ok((k, decode(&line, &decoder, &mut slots)?)),
                Held::Place {
                    input,
                    offset,
                    len,
                    decoder,
                } => {
                    let line = opened
                        .get(input)
                        .and_then(|o| o.bytes().get(offset..offset.checked_add(len)?))
                        .ok_or_else(not_a_scan_row)?;
                    let decoder = decoders.get(decoder).ok_or_else(not_a_scan_row)?;
                    Ok((k, decode(line, decoder, &mut slots)?))
                }
            })
            .collect::<Result<KeyedRows, ExecError>>();
        // A file truncated since the scan read its winners as zeros.
        if let Some(o) = OpenInput::first_truncated(opened) {
            return Err(ExecError::Io {
                path: o.name.to_string(),
                source: std::io::Error::other("the file was truncated while it was being read"),
            });
        }
        rows
    }

    /// The keys of row `r` when it sorts before `worst` (every row does
    /// while there is no worst yet); `None` otherwise. The keys are read
    /// one at a time, and the row's keys are gathered only once it is
    /// known to be a candidate.
    fn candidate_keys(
        &self,
        r: &dyn crate::json::Row,
        worst: Option<&[Value]>,
        keys: &[PhysSortKey],
    ) -> Option<Vec<Value>> {
        let Some(worst) = worst else {
            return Some(keys.iter().map(|k| k.expr.eval(r, &self.ctx)).collect());
        };
        let mut decided = 0;
        let mut first: Option<Value> = None;
        let mut read: Vec<Value> = Vec::new();
        for (i, (k, w)) in keys.iter().zip(worst).enumerate() {
            let v = k.expr.eval(r, &self.ctx);
            let o = compare_key(&v, w, k);
            if i == 0 {
                first = Some(v);
            } else {
                read.push(v);
            }
            match o {
                Ordering::Less => {
                    decided = i + 1;
                    break;
                }
                Ordering::Greater => return None,
                Ordering::Equal => {}
            }
        }
        if decided == 0 {
            // Equal to the worst: a later row of a tie stays after it.
            return None;
        }
        let mut out = Vec::with_capacity(keys.len());
        out.extend(first);
        out.append(&mut read);
        out.extend(keys.iter().skip(decided).map(|k| k.expr.eval(r, &self.ctx)));
        Some(out)
    }
}

/// A row with its sort key values.
type KeyedRow = (Vec<Value>, Vec<Value>);

/// Sorted runs merged into one sorted sequence: runs on disk in input
/// order, then the rows still in memory (the latest); of rows with equal
/// keys, the one from the earliest source comes first, so the merge is as
/// stable as one in-memory sort.
struct Merger<'k> {
    keys: &'k [PhysSortKey],
    disk: Vec<SpillReader>,
    memory: std::vec::IntoIter<KeyedRow>,
    /// The next row of each source (disk runs, then memory), if any.
    heads: Vec<Option<KeyedRow>>,
}

impl<'k> Merger<'k> {
    fn new(
        runs: Vec<SpillFile>,
        memory: KeyedRows,
        keys: &'k [PhysSortKey],
    ) -> Result<Merger<'k>, ExecError> {
        let mut m = Merger {
            keys,
            disk: runs
                .into_iter()
                .map(SpillFile::into_reader)
                .collect::<Result<_, _>>()?,
            memory: memory.into_iter(),
            heads: Vec::new(),
        };
        for i in 0..=m.disk.len() {
            let head = m.pull(i)?;
            m.heads.push(head);
        }
        Ok(m)
    }

    /// The next row of source `i`.
    fn pull(&mut self, i: usize) -> Result<Option<KeyedRow>, ExecError> {
        match self.disk.get_mut(i) {
            Some(reader) => Ok(reader.next_record(2)?.and_then(|mut lists| {
                let row = lists.pop()?;
                let keys = lists.pop()?;
                Some((keys, row))
            })),
            None => Ok(self.memory.next()),
        }
    }

    /// The next row in key order, with its keys.
    fn next_row(&mut self) -> Result<Option<KeyedRow>, ExecError> {
        let mut best: Option<usize> = None;
        for (i, head) in self.heads.iter().enumerate() {
            let Some((k, _)) = head else { continue };
            let better = match best
                .and_then(|b| self.heads.get(b))
                .and_then(Option::as_ref)
            {
                // Strictly less: an equal row of an earlier source stays first.
                Some((bk, _)) => compare_keys(k, bk, self.keys) == Ordering::Less,
                None => true,
            };
            if better {
                best = Some(i);
            }
        }
        let Some(i) = best else { return Ok(None) };
        let next = self.pull(i)?;
        Ok(self
            .heads
            .get_mut(i)
            .and_then(|slot| std::mem::replace(slot, next)))
    }
}

fn not_a_scan_row() -> ExecError {
    ExecError::Runtime("internal error: a held top-N row is not a row of its scan".into())
}

/// A top-N candidate: its values, or the line of a JSON-rows scan it is
/// decoded from with the scan's own decoder (see
/// [`crate::input::LazyRow::line_decoder`]): a decoder made afresh from
/// the scan's fields would read locale dates month-first whatever
/// `--date-order` or the sample said.
enum Held {
    Values(Vec<Value>),
    /// A copy of the line (of a stream or a gzip file).
    Line(Box<[u8]>, Arc<RowDecoder>),
    /// The line at `offset` of the scan's input number `input`, `len`
    /// bytes long, read again after the scan; `decoder` indexes the
    /// decoders of the item (while it runs), then of the run.
    Place {
        input: usize,
        offset: usize,
        len: usize,
        decoder: usize,
    },
}

/// One item's top-N candidates, and the keys of the worst row it must keep
/// once it holds `limit` rows (a later row that does not sort before it
/// cannot be in the answer).
#[derive(Default)]
struct Bounded {
    rows: Vec<(Vec<Value>, Held)>,
    worst: Option<Vec<Value>>,
    /// The decoders of the rows held as places (one per input read, and
    /// shared with the scan: not cloned per row).
    decoders: Vec<Arc<RowDecoder>>,
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

    /// The index of `decoder` among this item's decoders (added if new).
    fn decoder_index(&mut self, decoder: &Arc<RowDecoder>) -> usize {
        if let Some(i) = self.decoders.iter().rposition(|d| Arc::ptr_eq(d, decoder)) {
            return i;
        }
        self.decoders.push(decoder.clone());
        self.decoders.len() - 1
    }
}

/// Orders two rows by their sort keys (docs/semantics.md#sort): `desc` by
/// default, nulls (and NaN) first for `asc`, last for `desc`, unless
/// `nulls first|last` says otherwise.
pub(super) fn compare_keys(a: &[Value], b: &[Value], keys: &[PhysSortKey]) -> Ordering {
    for ((x, y), k) in a.iter().zip(b).zip(keys) {
        let o = compare_key(x, y, k);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Orders two values of one sort key (see [`compare_keys`]).
fn compare_key(x: &Value, y: &Value, k: &PhysSortKey) -> Ordering {
    let (xn, yn) = (compare::is_null_like(x), compare::is_null_like(y));
    match (xn, yn) {
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
    }
}

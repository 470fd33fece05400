//! Running a physical plan.
//!
//! A pipeline's input is cut into work items (line-aligned chunks of a
//! file, slices of in-memory rows, stretches of a `range`). Items run on a
//! rayon pool in waves of a few per thread; each item has its own state,
//! so nothing on the per-row path takes a lock. Results are handed on in
//! item order, so the output is the same for any thread count and chunk
//! size, and only a wave's worth of results is ever held at once.

use super::eval::{Row, cast, normalize};
use super::physical::{PhysAggregate, PhysSortKey, PhysicalPlan, Pipeline, Source, Stage};
use super::source::jsonl::{LazyRow, RowDecoder};
use super::source::{BadLine, BadLineReport, OpenInput, chunk, trim_line};
use super::{ExecError, Stats};
use crate::functions::EvalContext;
use crate::functions::aggregate::Accumulator;
use crate::json::RowSlots;
use crate::plan::logical::{JoinKind, MvExpandColumn};
use crate::types::DataType;
use crate::value::key::{Key, RowKey};
use crate::value::{Bag, DateTime, Str, Timespan, Value, compare};
use indexmap::IndexMap;
use rayon::prelude::*;
use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

/// Where result rows go, one at a time, in order. Returning `Break` stops
/// the run early (the reader of the output went away, or has enough).
pub trait RowSink {
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError>;
}

impl<F: FnMut(Vec<Value>) -> Result<ControlFlow<()>, ExecError>> RowSink for F {
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        self(row)
    }
}

#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// Target size of a file chunk, in bytes.
    pub chunk_size: usize,
    /// Stop at the first line that is not a row.
    pub strict: bool,
    /// Bad lines reported in full (the rest are only counted).
    pub max_reported_bad_lines: usize,
}

impl Default for ExecOptions {
    fn default() -> ExecOptions {
        ExecOptions {
            chunk_size: 1 << 20,
            strict: false,
            max_reported_bad_lines: 10,
        }
    }
}

pub type Rows = Arc<Vec<Vec<Value>>>;

/// Rows with their sort key values.
type KeyedRows = Vec<(Vec<Value>, Vec<Value>)>;

pub struct Runner<'a> {
    pub ctx: EvalContext,
    pub options: ExecOptions,
    pub pool: &'a rayon::ThreadPool,
    pub cancel: Arc<AtomicBool>,
    materialized: Mutex<HashMap<usize, Rows>>,
    stats: Mutex<Stats>,
}

/// Rows in memory are cut into items of this many rows.
const ROWS_PER_ITEM: usize = 4096;

/// A row between stages: as decoded from a line (columns decoded on
/// demand) or computed.
pub enum StageRow<'r> {
    Lazy(&'r LazyRow<'r>),
    Owned(Vec<Value>),
    Borrowed(&'r [Value]),
}

impl StageRow<'_> {
    fn as_row(&self) -> &dyn Row {
        match self {
            StageRow::Lazy(r) => *r,
            StageRow::Owned(v) => v,
            StageRow::Borrowed(v) => v,
        }
    }

    pub fn into_vec(self) -> Vec<Value> {
        match self {
            StageRow::Lazy(r) => r.materialize(),
            StageRow::Owned(v) => v,
            StageRow::Borrowed(v) => v.to_vec(),
        }
    }
}

/// One unit of parallel work.
enum Item<'a> {
    Lines {
        input: usize,
        bytes: &'a [u8],
        base: usize,
    },
    Rows(&'a [Vec<Value>]),
    Range {
        first: u64,
        count: u64,
    },
}

/// What one item produced: its consumer state, and the lines that were not rows.
struct ItemResult<T> {
    state: T,
    bad: Vec<BadLine>,
    rows_read: u64,
}

impl<'a> Runner<'a> {
    pub fn new(
        ctx: EvalContext,
        options: ExecOptions,
        pool: &'a rayon::ThreadPool,
        cancel: Arc<AtomicBool>,
    ) -> Runner<'a> {
        Runner {
            ctx,
            options,
            pool,
            cancel,
            materialized: Mutex::new(HashMap::new()),
            stats: Mutex::new(Stats::default()),
        }
    }

    pub fn into_stats(self) -> Stats {
        self.stats.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn cancelled(&self) -> Result<(), ExecError> {
        if self.cancel.load(AtomicOrdering::Relaxed) {
            Err(ExecError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Runs `plan`, handing every result row to `sink` in order.
    pub fn run(
        &self,
        plan: &PhysicalPlan,
        sink: &mut dyn RowSink,
    ) -> Result<ControlFlow<()>, ExecError> {
        match plan {
            PhysicalPlan::Stream(p) => self.run_pipeline(
                p,
                &Vec::new,
                &|rows: &mut Vec<Vec<Value>>, row| {
                    rows.push(row.into_vec());
                    true
                },
                &mut |rows| {
                    for r in rows {
                        if sink.row(r)?.is_break() {
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                    Ok(ControlFlow::Continue(()))
                },
            ),
            PhysicalPlan::Limit { input, count } => {
                let count = *count;
                let mut emitted = 0u64;
                if count == 0 {
                    return Ok(ControlFlow::Continue(()));
                }
                self.run_pipeline(
                    input,
                    &Vec::new,
                    &|rows: &mut Vec<Vec<Value>>, row| {
                        rows.push(row.into_vec());
                        (rows.len() as u64) < count
                    },
                    &mut |rows| {
                        for r in rows {
                            emitted += 1;
                            if sink.row(r)?.is_break() {
                                return Ok(ControlFlow::Break(()));
                            }
                            if emitted >= count {
                                return Ok(ControlFlow::Break(()));
                            }
                        }
                        Ok(ControlFlow::Continue(()))
                    },
                )
                .map(|_| ControlFlow::Continue(()))
            }
            PhysicalPlan::Aggregate {
                input,
                group_by,
                aggregates,
                ..
            } => {
                let groups = self.aggregate(input, group_by, aggregates)?;
                emit_all(groups, sink)
            }
            PhysicalPlan::Sort { input, keys } => {
                let mut rows = self.keyed_rows(input, keys, None)?;
                rows.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                emit_all(rows.into_iter().map(|(_, r)| r), sink)
            }
            PhysicalPlan::TopN { input, keys, count } => {
                let mut rows = self.keyed_rows(input, keys, Some(*count))?;
                rows.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
                rows.truncate(usize::try_from(*count).unwrap_or(usize::MAX));
                emit_all(rows.into_iter().map(|(_, r)| r), sink)
            }
            PhysicalPlan::Union { inputs, .. } => {
                for input in inputs {
                    if self.run(input, sink)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
                Ok(ControlFlow::Continue(()))
            }
            PhysicalPlan::Join {
                left,
                right,
                kind,
                keys,
                right_width,
                ..
            } => {
                let left_rows = self.collect(left)?;
                let right_rows = self.collect(right)?;
                let left_types: Vec<DataType> = left.schema().fields.iter().map(|f| f.ty).collect();
                let right_types: Vec<DataType> =
                    right.schema().fields.iter().map(|f| f.ty).collect();
                let joined = join(
                    &left_rows,
                    &right_rows,
                    *kind,
                    keys,
                    &left_types,
                    &right_types,
                    *right_width,
                );
                emit_all(joined, sink)
            }
            PhysicalPlan::Materialize { id, input } => {
                let rows = self.materialize(*id, input)?;
                emit_all(rows.iter().cloned(), sink)
            }
        }
    }

    /// Runs `plan` and keeps every row.
    pub fn collect(&self, plan: &PhysicalPlan) -> Result<Rows, ExecError> {
        if let PhysicalPlan::Materialize { id, input } = plan {
            return self.materialize(*id, input);
        }
        let mut rows = Vec::new();
        // The sink never stops early, so the flow is always `Continue`.
        let _ = self.run(plan, &mut |r: Vec<Value>| {
            rows.push(r);
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(Arc::new(rows))
    }

    fn materialize(&self, id: usize, input: &PhysicalPlan) -> Result<Rows, ExecError> {
        if let Some(rows) = self.materialized.lock().map_err(|_| poisoned())?.get(&id) {
            return Ok(rows.clone());
        }
        let rows = self.collect(input)?;
        self.materialized
            .lock()
            .map_err(|_| poisoned())?
            .insert(id, rows.clone());
        Ok(rows)
    }

    /// Runs a pipeline: `make` creates each item's state, `feed` takes each
    /// output row (returning false when the item needs no more), `emit`
    /// receives the states in item order.
    fn run_pipeline<T: Send>(
        &self,
        p: &Pipeline,
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
    ) -> Result<ControlFlow<()>, ExecError> {
        // Inputs stay open (mapped) for the whole pipeline.
        let mut opened: Vec<OpenInput> = Vec::new();
        let mut upstream: Option<Rows> = None;
        let mut decoder: Option<RowDecoder> = None;
        match &p.source {
            Source::Scan { inputs, fields, .. } => {
                for input in inputs {
                    opened.push(OpenInput::open(input)?);
                }
                decoder = Some(RowDecoder::new(fields));
            }
            Source::Plan(child) => upstream = Some(self.collect(child)?),
            Source::Rows(_) | Source::Range { .. } => {}
        }
        let items = self.items(p, &opened, upstream.as_ref())?;
        let threads = self.pool.current_num_threads().max(1);
        let wave = threads * 4;
        let done = AtomicBool::new(false);
        let mut last_reported = 0usize;
        for batch in items.chunks(wave) {
            self.cancelled()?;
            let results: Vec<ItemResult<T>> = self.pool.install(|| {
                batch
                    .par_iter()
                    .map(|item| self.run_item(p, item, decoder.as_ref(), make, feed, &done))
                    .collect()
            });
            for r in results {
                self.record(&r.bad, r.rows_read, &opened, &mut last_reported)?;
                if emit(r.state)?.is_break() {
                    done.store(true, AtomicOrdering::Relaxed);
                    return Ok(ControlFlow::Break(()));
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Adds an item's bad lines to the statistics (in input order), or
    /// fails on the first one in strict mode.
    fn record(
        &self,
        bad: &[BadLine],
        rows_read: u64,
        opened: &[OpenInput],
        reported: &mut usize,
    ) -> Result<(), ExecError> {
        let mut stats = self.stats.lock().map_err(|_| poisoned())?;
        stats.rows_read += rows_read;
        for b in bad {
            stats.bad_lines += 1;
            let report = || {
                let input = opened.get(b.input);
                BadLineReport {
                    file: input.map_or_else(String::new, |i| i.name.to_string()),
                    line: input.map_or(0, |i| i.line_of(b.offset)),
                    reason: b.reason.clone(),
                }
            };
            if self.options.strict {
                let r = report();
                return Err(ExecError::BadLine {
                    file: r.file,
                    line: r.line,
                    reason: r.reason,
                });
            }
            if *reported < self.options.max_reported_bad_lines {
                stats.reports.push(report());
                *reported += 1;
            }
        }
        Ok(())
    }

    fn items<'x>(
        &self,
        p: &'x Pipeline,
        opened: &'x [OpenInput],
        upstream: Option<&'x Rows>,
    ) -> Result<Vec<Item<'x>>, ExecError> {
        let mut items = Vec::new();
        match &p.source {
            Source::Scan { .. } => {
                for (input, open) in opened.iter().enumerate() {
                    let bytes = open.bytes();
                    for range in chunk::split(bytes, self.options.chunk_size) {
                        items.push(Item::Lines {
                            input,
                            base: range.start,
                            bytes: &bytes[range],
                        });
                    }
                }
            }
            Source::Rows(rows) => items.extend(rows.chunks(ROWS_PER_ITEM).map(Item::Rows)),
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

    fn run_item<T>(
        &self,
        p: &Pipeline,
        item: &Item,
        decoder: Option<&RowDecoder>,
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        done: &AtomicBool,
    ) -> ItemResult<T> {
        let mut state = make();
        let mut bad = Vec::new();
        let mut rows_read = 0u64;
        if done.load(AtomicOrdering::Relaxed) {
            return ItemResult {
                state,
                bad,
                rows_read,
            };
        }
        let mut sink = |row: StageRow| feed(&mut state, row);
        match item {
            Item::Lines { input, bytes, base } => {
                let Some(decoder) = decoder else {
                    return ItemResult {
                        state,
                        bad,
                        rows_read,
                    };
                };
                let mut slots = RowSlots::new();
                let mut cache: Vec<OnceCell<Value>> =
                    (0..decoder.width()).map(|_| OnceCell::new()).collect();
                for (offset, raw_line) in chunk::lines(bytes) {
                    let Some(line) = trim_line(raw_line) else {
                        continue;
                    };
                    if let Err(e) = decoder.scan(line, &mut slots) {
                        bad.push(BadLine {
                            input: *input,
                            offset: base + offset,
                            reason: e.to_string(),
                        });
                        continue;
                    }
                    rows_read += 1;
                    for c in cache.iter_mut() {
                        c.take();
                    }
                    let row = LazyRow {
                        decoder,
                        line,
                        slots: &slots,
                        cache: &cache,
                    };
                    if !self.push(&p.stages, StageRow::Lazy(&row), &mut sink) {
                        break;
                    }
                }
            }
            Item::Rows(rows) => {
                for r in rows.iter() {
                    rows_read += 1;
                    if !self.push(&p.stages, StageRow::Borrowed(r), &mut sink) {
                        break;
                    }
                }
            }
            Item::Range { first, count } => {
                if let Source::Range { start, step, .. } = &p.source {
                    for k in *first..first + count {
                        rows_read += 1;
                        let value = range_value(start, step, k);
                        if !self.push(&p.stages, StageRow::Owned(vec![value]), &mut sink) {
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
        }
    }

    /// Passes `row` through `stages` into `sink`; false once `sink` wants
    /// no more rows.
    fn push(
        &self,
        stages: &[Stage],
        row: StageRow,
        sink: &mut dyn FnMut(StageRow) -> bool,
    ) -> bool {
        let Some((stage, rest)) = stages.split_first() else {
            return sink(row);
        };
        match stage {
            Stage::Filter(predicate) => {
                if matches!(predicate.eval(row.as_row(), &self.ctx), Value::Bool(true)) {
                    self.push(rest, row, sink)
                } else {
                    true
                }
            }
            Stage::Project(exprs) => {
                let input = row.as_row();
                let values = exprs
                    .iter()
                    .map(|(e, ty)| normalize(e.eval(input, &self.ctx), *ty))
                    .collect();
                self.push(rest, StageRow::Owned(values), sink)
            }
            Stage::MvExpand {
                columns,
                item_index,
                limit,
            } => {
                let base = row.into_vec();
                for expanded in mv_expand(&base, columns, *item_index, *limit) {
                    if !self.push(rest, StageRow::Owned(expanded), sink) {
                        return false;
                    }
                }
                true
            }
        }
    }

    fn aggregate(
        &self,
        input: &Pipeline,
        group_by: &[super::expr::PhysExpr],
        aggregates: &[PhysAggregate],
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        type Groups = IndexMap<RowKey, Vec<Accumulator>>;
        let new_accumulators = || {
            aggregates
                .iter()
                .map(|a| Accumulator::new(a.function, a.ty))
                .collect::<Vec<_>>()
        };
        let mut total: Groups = IndexMap::new();
        let _ = self.run_pipeline(
            input,
            &IndexMap::new,
            &|groups: &mut Groups, row| {
                let r = row.as_row();
                let key = RowKey(group_by.iter().map(|g| Key(g.eval(r, &self.ctx))).collect());
                let accs = groups.entry(key).or_insert_with(new_accumulators);
                for (acc, a) in accs.iter_mut().zip(aggregates) {
                    let args: smallvec::SmallVec<[Value; 3]> =
                        a.args.iter().map(|e| e.eval(r, &self.ctx)).collect();
                    if let Some(p) = a.function.predicate_position()
                        && !matches!(args.get(p), Some(Value::Bool(true)))
                    {
                        continue;
                    }
                    acc.update(a.function.kind, &args);
                }
                true
            },
            &mut |groups: Groups| {
                for (key, accs) in groups {
                    match total.get_mut(&key) {
                        Some(mine) => {
                            for (m, other) in mine.iter_mut().zip(accs) {
                                m.merge(other);
                            }
                        }
                        None => {
                            total.insert(key, accs);
                        }
                    }
                }
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

    /// Every row with its sort key values; with `top`, each item keeps only
    /// its first `top` rows in key order (a stable sort, so ties keep input
    /// order and the result does not depend on chunking).
    fn keyed_rows(
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
                Ok(ControlFlow::Continue(()))
            },
        )?;
        Ok(all)
    }
}

fn poisoned() -> ExecError {
    ExecError::Runtime("internal error: a worker thread panicked".into())
}

fn emit_all(
    rows: impl IntoIterator<Item = Vec<Value>>,
    sink: &mut dyn RowSink,
) -> Result<ControlFlow<()>, ExecError> {
    for r in rows {
        if sink.row(r)?.is_break() {
            return Ok(ControlFlow::Break(()));
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// Orders two rows by their sort keys (KQL-SEMANTICS §6.7): `desc` by
/// default, nulls (and NaN) first for `asc`, last for `desc`, unless
/// `nulls first|last` says otherwise.
fn compare_keys(a: &[Value], b: &[Value], keys: &[PhysSortKey]) -> Ordering {
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

/// How many values `range` yields (inclusive of `stop` when it is hit).
fn range_len(start: &Value, stop: &Value, step: &Value) -> Result<u64, ExecError> {
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

fn steps(span: f64, step: f64) -> f64 {
    if step == 0.0 || !step.is_finite() || !span.is_finite() {
        return 0.0;
    }
    if span == 0.0 || (span > 0.0) == (step > 0.0) {
        (span / step + 1e-9).floor() + 1.0
    } else {
        0.0
    }
}

fn range_value(start: &Value, step: &Value, k: u64) -> Value {
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

/// `mv-expand` of one row (KQL-SEMANTICS §6.14).
fn mv_expand(
    row: &[Value],
    columns: &[MvExpandColumn],
    item_index: bool,
    limit: Option<u64>,
) -> Vec<Vec<Value>> {
    let expansions: Vec<Vec<Value>> = columns
        .iter()
        .map(|c| match row.get(c.index).cloned().unwrap_or(Value::Null) {
            Value::Array(items) => items.to_vec(),
            Value::Bag(bag) => bag
                .iter()
                .map(|(k, v)| {
                    if c.bag_as_array {
                        Value::array(vec![Value::String(k.clone()), v.clone()])
                    } else {
                        let mut single = Bag::with_capacity(1);
                        single.insert(k.clone(), v.clone());
                        Value::bag(single)
                    }
                })
                .collect(),
            other => vec![other],
        })
        .collect();
    let mut n = expansions.iter().map(Vec::len).max().unwrap_or(0);
    if let Some(limit) = limit {
        n = n.min(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    (0..n)
        .map(|i| {
            let mut out = row.to_vec();
            for (c, values) in columns.iter().zip(&expansions) {
                let v = values.get(i).cloned().unwrap_or(Value::Null);
                if let Some(slot) = out.get_mut(c.index) {
                    *slot = normalize(cast(v, c.to_type), c.to_type);
                }
            }
            if item_index {
                out.push(Value::Long(i as i64));
            }
            out
        })
        .collect()
}

/// Hash join of two materialized inputs (KQL-SEMANTICS §6.12–6.13). Output
/// order: left rows in order with their matches in right order, then (for
/// right and full outer joins) unmatched right rows in order.
fn join(
    left: &[Vec<Value>],
    right: &[Vec<Value>],
    kind: JoinKind,
    keys: &[(usize, usize)],
    left_types: &[DataType],
    right_types: &[DataType],
    right_width: usize,
) -> Vec<Vec<Value>> {
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
    let mut index: HashMap<RowKey, Vec<usize>> = HashMap::new();
    for (i, r) in right.iter().enumerate() {
        if let Some(k) = key_of(r, |p| p.1) {
            index.entry(k).or_default().push(i);
        }
    }
    let null_row = |types: &[DataType], width: usize| -> Vec<Value> {
        (0..width)
            .map(|i| super::eval::null_of(types.get(i).copied().unwrap_or(DataType::Dynamic)))
            .collect()
    };
    let right_key_columns: Vec<usize> = keys.iter().map(|p| p.1).collect();
    let mut out = Vec::new();
    let mut right_matched = vec![false; right.len()];
    let mut seen_left: std::collections::HashSet<RowKey> = std::collections::HashSet::new();
    for l in left {
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
                    out.push(l.clone());
                }
            }
            JoinKind::LeftAnti => {
                if matches.is_empty() {
                    out.push(l.clone());
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
                        out.push(row);
                    }
                } else {
                    for &m in matches {
                        let mut row = l.clone();
                        row.extend(right_part(&right[m]));
                        out.push(row);
                    }
                }
            }
            _ => {
                if matches.is_empty() {
                    if matches!(kind, JoinKind::LeftOuter | JoinKind::FullOuter) {
                        let mut row = l.clone();
                        row.extend(null_row(right_types, right_width));
                        out.push(row);
                    }
                } else {
                    for &m in matches {
                        let mut row = l.clone();
                        row.extend(right[m].iter().cloned());
                        out.push(row);
                    }
                }
            }
        }
    }
    match kind {
        JoinKind::RightSemi | JoinKind::RightAnti => {
            let want = kind == JoinKind::RightSemi;
            out.extend(
                right
                    .iter()
                    .zip(&right_matched)
                    .filter(|(_, m)| **m == want)
                    .map(|(r, _)| r.clone()),
            );
        }
        JoinKind::RightOuter | JoinKind::FullOuter => {
            for (r, matched) in right.iter().zip(&right_matched) {
                if !matched {
                    let mut row = null_row(left_types, left_types.len());
                    row.extend(r.iter().cloned());
                    out.push(row);
                }
            }
        }
        _ => {}
    }
    out
}

/// A string value for a result column.
pub fn text(s: &str) -> Value {
    Value::String(Str::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    #[test]
    fn innerunique_dedups_the_left_side_by_key() {
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
        let out = join(&x, &y, JoinKind::InnerUnique, &[(0, 0)], &types, &types, 2);
        let got: Vec<(i64, i64)> = out
            .iter()
            .map(|r| (r[1].as_i64().unwrap(), r[3].as_i64().unwrap()))
            .collect();
        assert_eq!(got, [(2, 10), (4, 20), (4, 30)]);
    }

    #[test]
    fn mv_expand_pads_with_nulls_and_drops_empty_arrays() {
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

    #[test]
    fn range_includes_its_end() {
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

//! Running a physical plan.
//!
//! A pipeline's input is cut into work items (line-aligned chunks of a
//! file, slices of in-memory rows, stretches of a `range`). Items run on a
//! rayon pool in waves of a few per thread; each item has its own state,
//! so nothing on the per-row path takes a lock. Results are handed on in
//! item order, so the output is the same for any thread count and chunk
//! size, and only a wave's worth of results is ever held at once.

use super::join::{ProbeTable, builds_left, join};
use super::physical::{PhysicalPlan, Pipeline, Source, Stage};
use super::prefilter::LineFilter;
use super::scan::{Item, ItemResult};
use super::stage::StageRow;
use super::{ConversionReport, Stats};
use crate::exec_error::ExecError;
use crate::functions::EvalContext;
use crate::input::{BadLine, BadLineReport, LinePrefilter, OpenInput, Unconverted};
use crate::plan::logical::JoinKind;
use crate::types::DataType;
use crate::value::{Str, Value};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Where result rows go, one at a time, in order: a closure, usually one
/// that hands them to the public [`crate::ResultSink`]. Returning `Break`
/// stops the run early (the reader of the output went away, or has enough).
pub(crate) type EmitRow<'a> = dyn FnMut(Vec<Value>) -> Result<ControlFlow<()>, ExecError> + 'a;

#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// Target size of a file chunk, in bytes.
    pub chunk_size: usize,
    /// Stop at the first line that is not a row.
    pub strict: bool,
    /// Spill a sort's rows to disk once this many are held, whatever the
    /// memory budget (for tests: the answer must not change). Summarize
    /// does not spill yet.
    pub spill_rows: Option<usize>,
    /// Bad lines reported in full (the rest are only counted).
    pub max_reported_bad_lines: usize,
}

impl Default for ExecOptions {
    fn default() -> ExecOptions {
        ExecOptions {
            chunk_size: 1 << 20,
            strict: false,
            spill_rows: None,
            max_reported_bad_lines: 10,
        }
    }
}

pub type Rows = Arc<Vec<Vec<Value>>>;

/// Rows with their sort key values.
pub(super) type KeyedRows = Vec<(Vec<Value>, Vec<Value>)>;

pub struct Runner<'a> {
    pub ctx: EvalContext,
    pub options: ExecOptions,
    pub pool: &'a rayon::ThreadPool,
    pub cancel: Arc<AtomicBool>,
    materialized: Mutex<HashMap<usize, Rows>>,
    stats: Mutex<Stats>,
    /// Where each (month-first assumption?, file, column) is in
    /// `stats.conversions` / `stats.assumed_month_first`, so that a run over
    /// many files finds its entry without a scan of the list (it was
    /// quadratic: 40,000 files each with one failed conversion, 14.6 s).
    /// Locked only while `stats` is.
    conversion_index: Mutex<HashMap<(bool, String, String), usize>>,
    /// The rows a subquery reads as [`PhysicalPlan::Parameter`] (one
    /// input row's expansion, in `mv-apply`).
    parameter: Rows,
    /// An error met where it could not be returned (inside a row stage):
    /// the pipeline stops and reports it.
    failure: Mutex<Option<ExecError>>,
}

/// Rows in memory are cut into items of this many rows.
pub(super) const ROWS_PER_ITEM: usize = 4096;

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
            conversion_index: Mutex::new(HashMap::new()),
            parameter: Arc::new(Vec::new()),
            failure: Mutex::new(None),
        }
    }

    /// A runner for a subquery that reads `parameter` as its input rows
    /// (sharing this one's threads, clock and cancellation).
    pub(super) fn with_parameter(&self, parameter: Rows) -> Runner<'a> {
        let mut child = Runner::new(
            self.ctx.clone(),
            self.options.clone(),
            self.pool,
            self.cancel.clone(),
        );
        child.parameter = parameter;
        child
    }

    /// Records an error met inside a row stage; the pipeline stops and
    /// returns it.
    pub(super) fn fail(&self, e: ExecError) {
        if let Ok(mut slot) = self.failure.lock() {
            slot.get_or_insert(e);
        }
    }

    /// Whether the heap is within the memory budget; when it is not,
    /// records the error naming `operator` (the pipeline then stops and
    /// returns it) and returns false.
    pub(super) fn within_budget(&self, operator: &str) -> bool {
        match memory_error(operator) {
            Ok(()) => true,
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// Whether the rows this thread computed since `since` (a
    /// [`crate::memory::thread_net`] reading) are within the memory budget;
    /// when they alone hold half of it and the heap is over it, records the
    /// error and returns false.
    pub(super) fn computed_within_budget(&self, since: isize) -> bool {
        match crate::memory::exceeded_by_this_thread(since) {
            None => true,
            Some((used, limit)) => {
                self.fail(ExecError::MemoryLimit {
                    operator: "computing rows (extend, project, mv-expand)".to_string(),
                    used: crate::memory::human(used),
                    limit: crate::memory::human(limit),
                });
                false
            }
        }
    }

    fn take_failure(&self) -> Result<(), ExecError> {
        match self.failure.lock().map_err(|_| poisoned())?.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub fn into_stats(self) -> Stats {
        self.stats.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn cancelled(&self) -> Result<(), ExecError> {
        if self.cancel.load(AtomicOrdering::Relaxed) {
            Err(ExecError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Runs a pipeline to its end, handing `each` the rows of every item
    /// in item order (for operators that need their whole input).
    pub(super) fn pipeline_parts(
        &self,
        input: &Pipeline,
        each: &mut dyn FnMut(Vec<Vec<Value>>),
    ) -> Result<(), ExecError> {
        // `each` never stops the pipeline, so the flow is always `Continue`.
        let _ = self.run_pipeline(
            input,
            &Vec::new,
            &|rows: &mut Vec<Vec<Value>>, row| {
                rows.push(row.into_vec());
                true
            },
            &mut |part| {
                each(part);
                Ok(ControlFlow::Continue(()))
            },
        )?;
        Ok(())
    }

    /// Runs `plan`, handing every result row to `sink` in order.
    pub fn run(
        &self,
        plan: &PhysicalPlan,
        sink: &mut EmitRow<'_>,
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
                        if sink(r)?.is_break() {
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
                            if sink(r)?.is_break() {
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
            PhysicalPlan::Sort { input, keys } => self.sort(input, keys, sink),
            PhysicalPlan::TopN { input, keys, count } => {
                let rows = self.top_rows(input, keys, *count)?;
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
                if builds_left(*kind, left, right)
                    && let PhysicalPlan::Stream(p) = right.as_ref()
                {
                    return self.join_build_left(left, p, *kind, keys, sink);
                }
                if matches!(kind, JoinKind::RightSemi | JoinKind::RightAnti)
                    && let PhysicalPlan::Stream(p) = left.as_ref()
                {
                    return self.join_right_filter(p, right, *kind, keys, sink);
                }
                if *kind == JoinKind::InnerUnique
                    && let PhysicalPlan::Stream(p) = left.as_ref()
                {
                    return self.join_unique(p, right, keys, sink);
                }
                if matches!(kind, JoinKind::RightOuter | JoinKind::FullOuter)
                    && let PhysicalPlan::Stream(p) = left.as_ref()
                {
                    return self.join_outer(p, right, *kind, keys, sink);
                }
                let left_rows = self.collect(left)?;
                let right_rows = self.collect(right)?;
                let left_types: Vec<DataType> = left.schema().fields.iter().map(|f| f.ty).collect();
                let right_types: Vec<DataType> =
                    right.schema().fields.iter().map(|f| f.ty).collect();
                join(
                    &left_rows,
                    &right_rows,
                    *kind,
                    keys,
                    &left_types,
                    &right_types,
                    *right_width,
                    &|| memory_error("join"),
                    sink,
                )
            }
            PhysicalPlan::Materialize { id, input } => {
                let rows = self.materialize(*id, input)?;
                emit_all(rows.iter().cloned(), sink)
            }
            PhysicalPlan::Parameter { .. } => emit_all(self.parameter.iter().cloned(), sink),
            PhysicalPlan::Pivot {
                input,
                keys,
                values,
                empty,
                ..
            } => {
                let rows = self.pivot(input, *keys, values, empty)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::Basket {
                input,
                threshold,
                weight,
                max_dimensions,
                wildcards,
                ..
            } => {
                let rows = self.basket(input, *threshold, *weight, *max_dimensions, wildcards)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::Reduce {
                input,
                column,
                threshold,
                characters,
                source,
                ..
            } => {
                let rows =
                    self.reduce(input, *column, *threshold, characters.as_deref(), *source)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::SequenceDetect {
                input,
                dimensions,
                steps,
                step_window,
                span,
                ..
            } => {
                let rows = self.sequence_detect(input, *dimensions, *steps, *step_window, *span)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::Graph {
                inputs,
                spec,
                op,
                exprs,
                ..
            } => {
                let rows = self.graph(inputs, spec, op, exprs)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::Partition {
                input,
                column,
                subquery,
                keyed,
                legacy,
                ..
            } => {
                let rows = self.partition(input, *column, subquery, keyed.as_deref(), *legacy)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::TopNested { input, levels, .. } => {
                let rows = self.top_nested(input, levels)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::MakeSeries { .. } => {
                let rows = self.make_series(plan)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::Window {
                input, functions, ..
            } => {
                let rows = self.window(input, functions)?;
                emit_all(rows, sink)
            }
            PhysicalPlan::ScanSteps { .. } => {
                let rows = self.scan_steps(plan)?;
                emit_all(rows, sink)
            }
        }
    }

    /// Runs `plan` and keeps every row.
    pub fn collect(&self, plan: &PhysicalPlan) -> Result<Rows, ExecError> {
        if let PhysicalPlan::Materialize { id, input } = plan {
            return self.materialize(*id, input);
        }
        if let PhysicalPlan::Parameter { .. } = plan {
            return Ok(self.parameter.clone());
        }
        let mut rows = Vec::new();
        // The sink never stops early, so the flow is always `Continue`.
        let _ = self.run(plan, &mut |r: Vec<Value>| {
            rows.push(r);
            memory_error("collecting rows (a join side, materialize or a subquery)")?;
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
    pub(super) fn run_pipeline<T: Send>(
        &self,
        p: &Pipeline,
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
    ) -> Result<ControlFlow<()>, ExecError> {
        self.run_pipeline_seen(p, make, feed, emit, None)
    }

    /// [`Runner::run_pipeline`], which also sets `seen` (when given) to the
    /// inputs of a scan once they are open, before any row is read: a
    /// top-N holds its candidates as places in them, and re-reads the
    /// winners from them after the run (clones share the opened bytes, so
    /// they stay mapped as long as `seen` holds them).
    pub(super) fn run_pipeline_seen<T: Send>(
        &self,
        p: &Pipeline,
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
        seen: Option<&std::sync::OnceLock<Vec<OpenInput>>>,
    ) -> Result<ControlFlow<()>, ExecError> {
        // Inputs stay open (mapped) for the whole pipeline.
        let mut opened: Vec<OpenInput> = Vec::new();
        let mut upstream: Option<Rows> = None;
        let mut filter: Option<Arc<dyn LinePrefilter>> = None;
        match &p.source {
            Source::Scan {
                inputs, prefilter, ..
            } => {
                for input in inputs {
                    opened.push(input.open_for_scan()?);
                }
                filter = prefilter
                    .as_ref()
                    .and_then(LineFilter::new)
                    .map(|f| Arc::new(f) as Arc<dyn LinePrefilter>);
                if let Some(seen) = seen {
                    let _ = seen.set(opened.clone());
                }
            }
            Source::Plan(child) if streams_its_output(child) => {
                let probes = self.probe_tables(p)?;
                return self.run_streamed(p, &probes, child, make, feed, emit);
            }
            Source::Plan(child) => upstream = Some(self.collect(child)?),
            Source::Rows(_) | Source::Shared { .. } | Source::Range { .. } => {}
        }
        let probes = self.probe_tables(p)?;
        let items = self.items(p, &opened, filter.as_ref(), upstream.as_ref())?;
        self.run_items(p, &probes, &items, &opened, make, feed, emit)
    }

    /// The tables of the join probes among `p`'s stages, in order: each
    /// join's right side, read whole (before the left side is read).
    fn probe_tables(&self, p: &Pipeline) -> Result<Vec<ProbeTable>, ExecError> {
        let mut tables = Vec::new();
        for stage in &p.stages {
            if let Stage::Probe(probe) = stage {
                let rows = self.collect(&probe.right)?;
                tables.push(ProbeTable::build(rows, probe));
                memory_error("join")?;
            }
        }
        Ok(tables)
    }

    /// Runs a pipeline over the output of `child` as it comes, a batch of
    /// items at a time (cut as [`Runner::items`] cuts collected rows, so
    /// the answer is the same), instead of collecting it first: a `take`
    /// downstream stops a join. Only for children that emit after their
    /// inputs have run (see [`streams_its_output`]), so no worker is busy
    /// with them while the batches run on the pool.
    fn run_streamed<T: Send>(
        &self,
        p: &Pipeline,
        probes: &[ProbeTable],
        child: &PhysicalPlan,
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
    ) -> Result<ControlFlow<()>, ExecError> {
        let threads = self.pool.current_num_threads().max(1);
        let batch_rows = ROWS_PER_ITEM * threads * 4;
        let mut batch: Vec<Vec<Value>> = Vec::new();
        let run_batch = |batch: &mut Vec<Vec<Value>>,
                         emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>|
         -> Result<ControlFlow<()>, ExecError> {
            let rows = std::mem::take(batch);
            let items: Vec<Item<'_>> = rows.chunks(ROWS_PER_ITEM).map(Item::Rows).collect();
            self.run_items(p, probes, &items, &[], make, feed, emit)
        };
        let flow = self.run(child, &mut |row| {
            batch.push(row);
            if batch.len() >= batch_rows {
                return run_batch(&mut batch, emit);
            }
            Ok(ControlFlow::Continue(()))
        })?;
        if flow.is_break() || batch.is_empty() {
            return Ok(flow);
        }
        run_batch(&mut batch, emit)
    }

    /// Runs a pipeline's items on the pool, handing their states to `emit`
    /// in item order.
    #[allow(clippy::too_many_arguments)] // the pipeline, its tables, items and state
    fn run_items<T: Send>(
        &self,
        p: &Pipeline,
        probes: &[ProbeTable],
        items: &[Item<'_>],
        opened: &[OpenInput],
        make: &(dyn Fn() -> T + Sync),
        feed: &(dyn Fn(&mut T, StageRow) -> bool + Sync),
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
    ) -> Result<ControlFlow<()>, ExecError> {
        // A subquery run from inside a worker (`mv-apply`) must not wait for
        // other workers: they may all be waiting the same way. It runs its
        // items on this thread instead; the outer query is the parallel one.
        if self.pool.current_thread_index().is_some() {
            let done = AtomicBool::new(false);
            let mut last_reported = 0usize;
            for item in items {
                let r = self.run_item(p, probes, item, make, feed, &done);
                if self
                    .hand_on_one(r, opened, &mut last_reported, emit)?
                    .is_break()
                {
                    return Ok(ControlFlow::Break(()));
                }
            }
            return Ok(ControlFlow::Continue(()));
        }
        let threads = self.pool.current_num_threads().max(1);
        // Workers take items in order from a shared counter and may run at
        // most `window` items ahead of the one being handed on, so results
        // waiting for their turn stay bounded; there is no barrier.
        let window = threads * 4;
        let next = AtomicUsize::new(0);
        let handed_on = AtomicUsize::new(0);
        let done = AtomicBool::new(false);
        let (results, finished) = mpsc::channel::<(usize, ItemResult<T>)>();
        self.pool.in_place_scope(|scope| {
            for _ in 0..threads {
                let results = results.clone();
                let (next, handed_on, done) = (&next, &handed_on, &done);
                scope.spawn(move |_| {
                    loop {
                        let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        while i >= handed_on.load(AtomicOrdering::Acquire) + window {
                            if done.load(AtomicOrdering::Relaxed) {
                                return;
                            }
                            std::thread::park_timeout(std::time::Duration::from_micros(200));
                        }
                        if done.load(AtomicOrdering::Relaxed) {
                            return;
                        }
                        let r = self.run_item(p, probes, item, make, feed, done);
                        if results.send((i, r)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(results);
            let outcome = self.hand_on(finished, opened, &handed_on, emit);
            // Stop the workers whatever happened (an error, a full sink).
            done.store(true, AtomicOrdering::Relaxed);
            outcome
        })
    }

    /// Receives item results in any order and hands them on in item order:
    /// bad lines recorded, then the state emitted. Stops at the first error
    /// or when `emit` has had enough.
    fn hand_on<T>(
        &self,
        finished: mpsc::Receiver<(usize, ItemResult<T>)>,
        opened: &[OpenInput],
        handed_on: &AtomicUsize,
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
    ) -> Result<ControlFlow<()>, ExecError> {
        let mut waiting: BTreeMap<usize, ItemResult<T>> = BTreeMap::new();
        let mut wanted = 0usize;
        let mut last_reported = 0usize;
        for (i, r) in finished {
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&wanted) {
                if self
                    .hand_on_one(r, opened, &mut last_reported, emit)?
                    .is_break()
                {
                    return Ok(ControlFlow::Break(()));
                }
                wanted += 1;
                handed_on.store(wanted, AtomicOrdering::Release);
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Hands on one item's result, in its turn: bad lines recorded, then
    /// the state emitted.
    fn hand_on_one<T>(
        &self,
        r: ItemResult<T>,
        opened: &[OpenInput],
        last_reported: &mut usize,
        emit: &mut dyn FnMut(T) -> Result<ControlFlow<()>, ExecError>,
    ) -> Result<ControlFlow<()>, ExecError> {
        self.cancelled()?;
        // A file truncated under us was read as zeros: its rows are lost.
        if let Some(o) = OpenInput::first_truncated(opened) {
            return Err(ExecError::Io {
                path: o.name.to_string(),
                source: std::io::Error::other("the file was truncated while it was being read"),
            });
        }
        self.take_failure()?;
        self.record(&r.bad, r.rows_read, r.skipped, opened, last_reported)?;
        if let Some((input, source)) = r.failed {
            return Err(ExecError::Io {
                path: opened
                    .get(input)
                    .map_or_else(String::new, |o| o.name.to_string()),
                source,
            });
        }
        self.record_unconverted(&r.unconverted, opened)?;
        emit(r.state)
    }

    /// Adds an item's bad lines to the statistics (in input order), or
    /// fails on the first one in strict mode.
    fn record(
        &self,
        bad: &[BadLine],
        rows_read: u64,
        skipped: u64,
        opened: &[OpenInput],
        reported: &mut usize,
    ) -> Result<(), ExecError> {
        let mut stats = self.stats.lock().map_err(|_| poisoned())?;
        stats.rows_read += rows_read;
        stats.skipped_records += skipped;
        for b in bad {
            stats.bad_lines += 1;
            let report = || {
                let input = opened.get(b.input);
                BadLineReport {
                    file: input.map_or_else(String::new, |i| i.name.to_string()),
                    line: b
                        .line
                        .unwrap_or_else(|| input.map_or(0, |i| i.line_of(b.offset))),
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
}

/// Whether a pipeline over `plan`'s output may run as the rows come
/// ([`Runner::run_streamed`]): the plans that compute after their inputs
/// have run and then emit from the calling thread.
fn streams_its_output(plan: &PhysicalPlan) -> bool {
    matches!(plan, PhysicalPlan::Join { .. } | PhysicalPlan::Sort { .. })
}

/// The memory-budget error for `operator` when the heap is over the
/// budget (see `crate::memory`).
pub(super) fn memory_error(operator: &str) -> Result<(), ExecError> {
    match crate::memory::exceeded() {
        None => Ok(()),
        Some((used, limit)) => Err(ExecError::MemoryLimit {
            operator: operator.to_string(),
            used: crate::memory::human(used),
            limit: crate::memory::human(limit),
        }),
    }
}

impl Runner<'_> {
    /// Adds an item's failed conversions to the statistics, merged per
    /// file and column (the first one in input order kept), or fails on
    /// the first one in strict mode (docs/semantics.md#conversions).
    fn record_unconverted(
        &self,
        unconverted: &[(Unconverted, String, DataType)],
        opened: &[OpenInput],
    ) -> Result<(), ExecError> {
        if unconverted.is_empty() {
            return Ok(());
        }
        let mut stats = self.stats.lock().map_err(|_| poisoned())?;
        let mut index = self.conversion_index.lock().map_err(|_| poisoned())?;
        for (u, column, ty) in unconverted {
            let input = opened.get(u.input);
            let file = input.map_or_else(String::new, |i| i.name.to_string());
            let line = u
                .line
                .unwrap_or_else(|| input.map_or(0, |i| i.line_of(u.offset)));
            if self.options.strict && !u.assumed {
                return Err(ExecError::Runtime(format!(
                    "{file}:{line}: the value {:?} of column {column} is not a {ty} (--strict)",
                    u.text
                )));
            }
            let list = if u.assumed {
                &mut stats.assumed_month_first
            } else {
                &mut stats.conversions
            };
            let key = (u.assumed, file, column.clone());
            match index.get(&key).and_then(|&i| list.get_mut(i)) {
                Some(c) => c.count += u.count,
                None => {
                    index.insert(key.clone(), list.len());
                    list.push(ConversionReport {
                        file: key.1,
                        column: key.2,
                        ty: *ty,
                        count: u.count,
                        line,
                        text: u.text.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

fn poisoned() -> ExecError {
    ExecError::Runtime("internal error: a worker thread panicked".into())
}

fn emit_all(
    rows: impl IntoIterator<Item = Vec<Value>>,
    sink: &mut EmitRow<'_>,
) -> Result<ControlFlow<()>, ExecError> {
    for r in rows {
        if sink(r)?.is_break() {
            return Ok(ControlFlow::Break(()));
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// A string value for a result column.
pub fn text(s: &str) -> Value {
    Value::String(Str::new(s))
}

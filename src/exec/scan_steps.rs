//! The `scan` operator (<https://learn.microsoft.com/kusto/query/scan-operator>,
//! "Scan logic"): each input record, in order, is checked against the
//! steps from the last to the first.
//!
//! * Check 1: when the previous step has an active sequence and the record
//!   meets the step's condition (read against that sequence), the sequence
//!   moves to this step (replacing the one it had), the record joins it and
//!   is output; the record then goes on to the previous step.
//! * Check 2: otherwise, when this step has an active sequence (or is the
//!   first step) and the record meets its condition (read against this
//!   step's sequence), the record replaces the step's values in the
//!   sequence and is output; on the first step with no sequence, a new
//!   sequence begins with the next match id.
//!
//! `output=none` steps output nothing; an `output=last` step holds its
//! latest record and outputs it when its series of matches ends: when the
//! sequence moves on or is replaced, or at the end of the input
//! (docs/semantics.md §7.9).

use super::physical::{PhysScanStep, PhysicalPlan};
use super::run::{Runner, memory_error};
use crate::exec_error::ExecError;
use crate::plan::logical::ScanOutput;
use crate::types::DataType;
use crate::value::Value;
use crate::value::cast::normalize;

/// A sequence in the scan's state: its match id and, for each step it
/// went through, the record (extended with the declared columns) of that
/// step's latest match.
#[derive(Clone)]
struct Sequence {
    id: i64,
    records: Vec<Option<Vec<Value>>>,
}

/// The scan over one input, record by record.
struct ScanState<'a> {
    steps: &'a [PhysScanStep],
    refs: &'a [(usize, usize)],
    defaults: &'a [Value],
    types: &'a [DataType],
    width: usize,
    match_id: bool,
    state: Vec<Option<Sequence>>,
    /// The held record of each `output=last` step.
    pending: Vec<Option<Vec<Value>>>,
    next_id: i64,
    out: Vec<Vec<Value>>,
}

impl ScanState<'_> {
    /// Fills the `step.column` slots of `row` from `sequence` (an empty
    /// state reads the declared columns' defaults and null).
    fn fill(&self, row: &mut [Value], sequence: Option<&Sequence>) {
        let base = self.width + self.defaults.len();
        for (slot, &(step, column)) in self.refs.iter().enumerate() {
            let value = sequence
                .and_then(|s| s.records.get(step))
                .and_then(|r| r.as_ref())
                .and_then(|r| r.get(column).cloned())
                .unwrap_or_else(|| {
                    column
                        .checked_sub(self.width)
                        .and_then(|k| self.defaults.get(k).cloned())
                        .unwrap_or(Value::Null)
                });
            if let Some(cell) = row.get_mut(base + slot) {
                *cell = value;
            }
        }
    }

    /// Whether step `k`'s condition holds on `row`.
    fn meets(&self, k: usize, row: &[Value], ctx: &crate::functions::EvalContext) -> bool {
        self.steps
            .get(k)
            .is_some_and(|s| matches!(s.condition.eval(&row, ctx), Value::Bool(true)))
    }

    /// The record extended with step `k`'s assignments.
    fn extend(&self, k: usize, row: &[Value], ctx: &crate::functions::EvalContext) -> Vec<Value> {
        let base = self.width + self.defaults.len();
        let mut record: Vec<Value> = row.iter().take(base).cloned().collect();
        if let Some(step) = self.steps.get(k) {
            for (column, e) in &step.assignments {
                let ty = self
                    .types
                    .get(*column)
                    .copied()
                    .unwrap_or(DataType::Dynamic);
                if let Some(cell) = record.get_mut(self.width + column) {
                    *cell = normalize(e.eval(&row, ctx), ty);
                }
            }
        }
        record
    }

    /// Outputs (or holds, for `output=last`) step `k`'s match.
    fn output(&mut self, k: usize, record: &[Value], id: i64) {
        let mut row = record.to_vec();
        if self.match_id {
            row.push(Value::Long(id));
        }
        match self.steps.get(k).map(|s| s.output) {
            Some(ScanOutput::All) => self.out.push(row),
            Some(ScanOutput::Last) => {
                if let Some(p) = self.pending.get_mut(k) {
                    *p = Some(row);
                }
            }
            _ => {}
        }
    }

    /// Outputs step `k`'s held record: its series of matches ended.
    fn flush(&mut self, k: usize) {
        if let Some(row) = self.pending.get_mut(k).and_then(Option::take) {
            self.out.push(row);
        }
    }

    /// Checks one input record against every step, last to first.
    fn record(&mut self, input: Vec<Value>, ctx: &crate::functions::EvalContext) {
        let mut row = input;
        row.extend(self.defaults.iter().cloned());
        row.resize(row.len() + self.refs.len(), Value::Null);
        for k in (0..self.steps.len()).rev() {
            // Check 1: the previous step's sequence moves to this step.
            if k > 0 && self.state.get(k - 1).is_some_and(Option::is_some) {
                self.fill(&mut row, self.state.get(k - 1).and_then(Option::as_ref));
                if self.meets(k, &row, ctx) {
                    let record = self.extend(k, &row, ctx);
                    let mut sequence = self.state.get_mut(k - 1).and_then(Option::take);
                    self.flush(k);
                    self.flush(k - 1);
                    if let Some(s) = sequence.as_mut() {
                        if let Some(slot) = s.records.get_mut(k) {
                            *slot = Some(record.clone());
                        }
                        let id = s.id;
                        self.output(k, &record, id);
                    }
                    if let Some(slot) = self.state.get_mut(k) {
                        *slot = sequence;
                    }
                    continue;
                }
            }
            // Check 2: this step's own sequence (or a new one on the first).
            let active = self.state.get(k).is_some_and(Option::is_some);
            if !active && k > 0 {
                continue;
            }
            self.fill(&mut row, self.state.get(k).and_then(Option::as_ref));
            if !self.meets(k, &row, ctx) {
                continue;
            }
            let record = self.extend(k, &row, ctx);
            let mut sequence = match self.state.get_mut(k).and_then(Option::take) {
                Some(s) => s,
                None => {
                    let id = self.next_id;
                    self.next_id = self.next_id.wrapping_add(1);
                    Sequence {
                        id,
                        records: vec![None; self.steps.len()],
                    }
                }
            };
            if let Some(slot) = sequence.records.get_mut(k) {
                *slot = Some(record.clone());
            }
            let id = sequence.id;
            if let Some(slot) = self.state.get_mut(k) {
                *slot = Some(sequence);
            }
            self.output(k, &record, id);
        }
    }
}

impl Runner<'_> {
    /// The output of a [`PhysicalPlan::ScanSteps`].
    pub(super) fn scan_steps(&self, plan: &PhysicalPlan) -> Result<Vec<Vec<Value>>, ExecError> {
        let PhysicalPlan::ScanSteps {
            input,
            defaults,
            types,
            steps,
            refs,
            match_id,
            ..
        } = plan
        else {
            return Ok(Vec::new());
        };
        let mut scan = ScanState {
            steps,
            refs,
            defaults,
            types,
            width: input.schema.len(),
            match_id: *match_id,
            state: vec![None; steps.len()],
            pending: vec![None; steps.len()],
            next_id: 0,
            out: Vec::new(),
        };
        let mut failed = Ok(());
        self.pipeline_parts(input, &mut |part| {
            if failed.is_err() {
                return;
            }
            for row in part {
                scan.record(row, &self.ctx);
            }
            failed = memory_error("scan");
        })?;
        failed?;
        for k in 0..steps.len() {
            scan.flush(k);
        }
        Ok(scan.out)
    }
}

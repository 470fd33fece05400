//! `evaluate sequence_detect`: occurrences of a sequence of steps, per
//! combination of the dimensions
//! (<https://learn.microsoft.com/kusto/query/sequence-detect-plugin>).
//!
//! The input holds the timeline, the dimensions, then one boolean per step
//! (see `semantic::sequence_detect`). Within each combination of the
//! dimensions, rows are taken in timeline order (ties in input order; rows
//! with a null timeline are left out). An occurrence is one row per step,
//! each after the one before in that order, where each row satisfies its
//! step's predicate, each step follows the one before within
//! `MaxSequenceStepWindow` and the last follows the first within
//! `MaxSequenceSpan` (both inclusive). Every occurrence is returned, as
//! the page's example shows (one `Excessive Heat` followed by two
//! wildfires is two rows), ordered by the steps' times (first step first),
//! ties in order of the dimensions' first appearance.

use super::physical::Pipeline;
use super::run::{Runner, memory_error};
use crate::exec_error::ExecError;
use crate::value::key::{Key, KeyMap, RowKey};
use crate::value::{Timespan, Value};

/// One input row of a dimension combination that satisfies some step.
struct Event {
    ticks: i64,
    /// The timeline value, as the input holds it.
    time: Value,
    /// Per step, whether the row satisfies it.
    steps: Vec<bool>,
}

/// The limits of one search.
struct Limits {
    steps: usize,
    step_window: i64,
    span: i64,
}

impl Runner<'_> {
    pub(super) fn sequence_detect(
        &self,
        input: &Pipeline,
        dimensions: usize,
        steps: usize,
        step_window: i64,
        span: i64,
    ) -> Result<Vec<Vec<Value>>, ExecError> {
        let mut groups: KeyMap<RowKey, Vec<Event>> = KeyMap::default();
        self.pipeline_parts(input, &mut |part| {
            for row in part {
                let ticks = match row.first() {
                    Some(Value::DateTime(d)) => d.0,
                    Some(Value::Timespan(t)) => t.0,
                    _ => continue,
                };
                let flags: Vec<bool> = (0..steps)
                    .map(|s| matches!(row.get(1 + dimensions + s), Some(Value::Bool(true))))
                    .collect();
                if !flags.iter().any(|f| *f) {
                    continue;
                }
                let key = RowKey(
                    (0..dimensions)
                        .map(|d| Key(row.get(1 + d).cloned().unwrap_or(Value::Null)))
                        .collect(),
                );
                groups.entry(key).or_default().push(Event {
                    ticks,
                    time: row.first().cloned().unwrap_or(Value::Null),
                    steps: flags,
                });
            }
        })?;
        memory_error("sequence_detect")?;
        let limits = Limits {
            steps,
            step_window,
            span,
        };
        // Each occurrence: its group, then the events of its steps.
        let mut found: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut events_of: Vec<Vec<Event>> = Vec::with_capacity(groups.len());
        let mut keys: Vec<RowKey> = Vec::with_capacity(groups.len());
        for (key, mut events) in groups {
            // A stable sort: ties keep input order.
            events.sort_by_key(|e| e.ticks);
            let group = events_of.len();
            let mut chain = Vec::with_capacity(steps);
            for (i, e) in events.iter().enumerate() {
                if e.steps.first().copied().unwrap_or(false) {
                    chain.push(i);
                    extend(&events, &limits, &mut chain, &mut |c| {
                        found.push((group, c.to_vec()));
                        if found.len().is_multiple_of(65_536) {
                            memory_error("sequence_detect")
                        } else {
                            Ok(())
                        }
                    })?;
                    chain.pop();
                }
            }
            events_of.push(events);
            keys.push(key);
        }
        let ticks = |(g, chain): &(usize, Vec<usize>)| -> Vec<i64> {
            chain.iter().map(|&i| events_of[*g][i].ticks).collect()
        };
        found.sort_by_cached_key(|f| (ticks(f), f.0));
        Ok(found
            .into_iter()
            .map(|(g, chain)| {
                let events = &events_of[g];
                let mut row: Vec<Value> = keys[g].0.iter().map(|k| k.0.clone()).collect();
                row.extend(chain.iter().map(|&i| events[i].time.clone()));
                let first = chain.first().map_or(0, |&i| events[i].ticks);
                let last = chain.last().map_or(0, |&i| events[i].ticks);
                row.push(Value::Timespan(Timespan(last.saturating_sub(first))));
                row
            })
            .collect())
    }
}

/// Extends `chain` (the events of the first steps, in order) with every
/// event that can take the next step, calling `each` on every complete one.
fn extend(
    events: &[Event],
    limits: &Limits,
    chain: &mut Vec<usize>,
    each: &mut dyn FnMut(&[usize]) -> Result<(), ExecError>,
) -> Result<(), ExecError> {
    let step = chain.len();
    if step >= limits.steps {
        return each(chain);
    }
    let (Some(&first), Some(&last)) = (chain.first(), chain.last()) else {
        return Ok(());
    };
    let (start, previous) = (events[first].ticks, events[last].ticks);
    for (j, e) in events.iter().enumerate().skip(last + 1) {
        if e.ticks.saturating_sub(previous) > limits.step_window
            || e.ticks.saturating_sub(start) > limits.span
        {
            break;
        }
        if e.steps.get(step).copied().unwrap_or(false) {
            chain.push(j);
            extend(events, limits, chain, each)?;
            chain.pop();
        }
    }
    Ok(())
}

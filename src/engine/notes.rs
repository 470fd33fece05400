//! Notes on a query and its run (see [`Note`]): what the answer probably
//! did not mean to leave out.

use super::Engine;
use crate::catalog::TableData;
use crate::diagnostic::{Note, NoteKind};
use crate::functions::EvalContext;
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::LogicalPlan;
use crate::types::DataType;
use crate::value::{DateTime, Value};
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// How many worker threads per core kqlite starts at most.
pub const THREADS_PER_CORE: usize = 4;

/// The most worker threads kqlite starts: [`THREADS_PER_CORE`] per core.
pub fn max_threads() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .saturating_mul(THREADS_PER_CORE)
}

/// A table the query reads, and whether it has input.
pub(super) struct ReadTable {
    pub name: String,
    pub input: Input,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Input {
    /// Files with at least one file, or rows.
    Some,
    /// A built-in schema no input names.
    None,
    /// Paths that hold no file (an empty folder).
    NoFiles,
}

/// The tables `plans` scan, by name.
pub(super) fn read_tables<'p>(plans: impl Iterator<Item = &'p LogicalPlan>) -> Vec<ReadTable> {
    let mut found = BTreeMap::new();
    let mut stack: Vec<&LogicalPlan> = plans.collect();
    while let Some(plan) = stack.pop() {
        if let LogicalPlan::Scan(scan) = plan {
            let input = match &*scan.data {
                TableData::Empty => Input::None,
                TableData::Files(files) if files.is_empty() => Input::NoFiles,
                _ => Input::Some,
            };
            found.insert(scan.table.clone(), input);
        }
        stack.extend(plan.inputs());
    }
    found
        .into_iter()
        .map(|(name, input)| ReadTable { name, input })
        .collect()
}

/// The times the query measures from: each `now(...)` and `ago(...)` call
/// of constant arguments, with its text, evaluated at `ctx.now`. Walks the
/// bound plans before the optimizer folds the calls into literals.
pub(super) fn time_anchors<'p>(
    plans: impl Iterator<Item = &'p LogicalPlan>,
    text: &str,
    ctx: &EvalContext,
) -> Vec<(String, DateTime)> {
    let mut anchors = Vec::new();
    let mut stack: Vec<&LogicalPlan> = plans.collect();
    while let Some(plan) = stack.pop() {
        let mut exprs: Vec<&ScalarExpr> = plan.node().exprs();
        while let Some(e) = exprs.pop() {
            if let ScalarKind::Call { function, args } = &e.kind
                && matches!(function.name, "now" | "ago")
            {
                let values: Option<Vec<Value>> =
                    args.iter().map(|a| a.as_literal().cloned()).collect();
                if let Some(values) = values
                    && let Value::DateTime(t) = (function.eval)(&values, ctx)
                {
                    let call = text
                        .get(e.span.start as usize..e.span.end as usize)
                        .filter(|s| !s.is_empty() && s.len() <= 80)
                        .unwrap_or(function.name);
                    anchors.push((call.to_string(), t));
                }
            }
            exprs.extend(e.children());
        }
        stack.extend(plan.inputs());
    }
    anchors.sort_by_key(|(_, t)| *t);
    anchors
}

/// Notes known once the query is bound: tables given inputs it never
/// reads, tables it reads that have none, threads capped.
pub(super) fn compile_notes(engine: &Engine, read: &[ReadTable]) -> Vec<Note> {
    let mut notes = Vec::new();
    let read_names: Vec<&str> = read.iter().map(|t| t.name.as_str()).collect();
    let unread: Vec<&str> = engine
        .inputs
        .keys()
        .map(String::as_str)
        .filter(|n| !read_names.contains(n))
        .collect();
    for name in &unread {
        let mut note = Note::new(
            NoteKind::UnreadTable,
            format!("table '{name}' was given input but the query never reads it"),
        );
        if let Some(close) = crate::semantic::closest(name, read_names.iter().copied()) {
            note = note.with_help(format!("did you mean '{close}'?"));
        }
        notes.push(note);
    }
    for table in read {
        let name = &table.name;
        let note = match table.input {
            Input::Some => continue,
            Input::None => {
                let note = Note::new(
                    NoteKind::TableWithoutInput,
                    format!(
                        "the query reads '{name}', which was given no input: it has the columns of its built-in schema and no rows"
                    ),
                );
                match crate::semantic::closest(name, unread.iter().copied()) {
                    Some(close) => {
                        note.with_help(format!("the input given as '{close}' may be meant for it"))
                    }
                    None => note.with_help(format!("give its files with --table {name}=PATH")),
                }
            }
            Input::NoFiles => Note::new(
                NoteKind::TableWithoutInput,
                format!("the query reads '{name}', whose input paths hold no file: it has no rows"),
            ),
        };
        notes.push(note);
    }
    if let Some(asked) = engine.options.threads {
        let cap = max_threads();
        if asked > cap {
            notes.push(Note::new(
                NoteKind::ThreadsCapped,
                format!(
                    "{asked} worker threads asked for; using {cap} ({THREADS_PER_CORE} per core)"
                ),
            ));
        }
    }
    notes
}

/// Whether the result tables look like an empty answer: no rows, or one
/// row of zeros, nulls and empty values (`count` of nothing).
pub(super) struct EmptyAnswer {
    pub empty: bool,
    rows_in_table: usize,
}

impl EmptyAnswer {
    pub fn new() -> EmptyAnswer {
        EmptyAnswer {
            empty: true,
            rows_in_table: 0,
        }
    }

    pub fn begin_table(&mut self) {
        self.rows_in_table = 0;
    }

    pub fn row(&mut self, row: &[Value]) {
        self.rows_in_table += 1;
        if self.rows_in_table > 1 || !row.iter().all(nothing) {
            self.empty = false;
        }
    }
}

fn nothing(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Long(n) => *n == 0,
        Value::Int(n) => *n == 0,
        Value::Real(r) => *r == 0.0,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// The newest `TimeGenerated` of `table`, if it has such a datetime column
/// and rows with one.
pub(super) fn newest_event(
    engine: &Engine,
    table: &str,
) -> Result<Option<DateTime>, crate::error::Error> {
    let Some(t) = engine.catalog.get(table) else {
        return Ok(None);
    };
    if matches!(*t.data, TableData::Empty)
        || t.schema
            .fields
            .iter()
            .all(|f| f.name != "TimeGenerated" || f.ty != DataType::DateTime)
    {
        return Ok(None);
    }
    let quote = if table.contains('\'') { '"' } else { '\'' };
    if table.contains(quote) {
        return Ok(None);
    }
    let query = engine.compile(&format!(
        "[{quote}{table}{quote}] | summarize max(TimeGenerated)"
    ))?;
    let mut newest = Newest(None);
    query.run_quietly(engine, &mut newest)?;
    Ok(newest.0)
}

/// Keeps the first cell of the one row of `summarize max(...)`.
struct Newest(Option<DateTime>);

impl crate::engine::ResultSink for Newest {
    fn row(&mut self, row: Vec<Value>) -> Result<ControlFlow<()>, crate::exec_error::ExecError> {
        if let Some(Value::DateTime(t)) = row.into_iter().next() {
            self.0 = Some(t);
        }
        Ok(ControlFlow::Continue(()))
    }
}

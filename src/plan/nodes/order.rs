//! Operators that order rows, or compute over rows in their order.

use super::PlanNode;
use crate::plan::explain::{Shown, sort_keys};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::LogicalPlan;
use crate::schema::Schema;
use crate::types::DataType;

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: ScalarExpr,
    pub descending: bool,
    pub nulls_first: bool,
}

/// `sort by`/`order by`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    pub input: Box<LogicalPlan>,
    pub keys: Vec<SortKey>,
}

impl PlanNode for Sort {
    fn schema(&self) -> &Schema {
        self.input.schema()
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        self.keys.iter().map(|k| &k.expr).collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        self.keys.iter_mut().map(|k| &mut k.expr).collect()
    }

    fn explain(&self, input: &Schema) -> String {
        format!("Sort {}", sort_keys(&self.keys, input))
    }

    fn is_serialized(&self) -> bool {
        true
    }
}

/// `top N by`: the first `count` rows in key order.
#[derive(Clone, Debug, PartialEq)]
pub struct TopN {
    pub input: Box<LogicalPlan>,
    pub keys: Vec<SortKey>,
    pub count: u64,
}

impl PlanNode for TopN {
    fn schema(&self) -> &Schema {
        self.input.schema()
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        self.keys.iter().map(|k| &k.expr).collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        self.keys.iter_mut().map(|k| &mut k.expr).collect()
    }

    fn explain(&self, input: &Schema) -> String {
        format!("TopN {} by {}", self.count, sort_keys(&self.keys, input))
    }

    fn is_serialized(&self) -> bool {
        true
    }
}

/// Window functions over serialized rows: the input's columns, then one
/// column per function, computed in row order, each function seeing the
/// columns of the ones before it.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub input: Box<LogicalPlan>,
    pub functions: Vec<WindowExpr>,
    pub schema: Schema,
}

/// A window function (<https://learn.microsoft.com/kusto/query/window-functions>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowKind {
    /// `prev(expr [, offset [, default]])`
    Prev { offset: u64 },
    /// `next(expr [, offset [, default]])`
    Next { offset: u64 },
    /// `row_number([start [, restart]])`
    RowNumber,
    /// `row_cumsum(term [, restart])`
    RowCumsum,
    /// `row_window_session(expr, max_from_first, max_between_neighbors [, restart])`
    RowWindowSession,
    /// `row_rank_dense(term [, restart])`
    RowRankDense,
    /// `row_rank_min(term [, restart])`
    RowRankMin,
}

impl WindowKind {
    pub fn name(self) -> &'static str {
        match self {
            WindowKind::Prev { .. } => "prev",
            WindowKind::Next { .. } => "next",
            WindowKind::RowNumber => "row_number",
            WindowKind::RowCumsum => "row_cumsum",
            WindowKind::RowWindowSession => "row_window_session",
            WindowKind::RowRankDense => "row_rank_dense",
            WindowKind::RowRankMin => "row_rank_min",
        }
    }
}

/// One window function call of a [`Window`]: its arguments read the input
/// row and the window columns before it. Arguments that were left out are
/// absent (`row_number()` has none); `prev`/`next` keep the value and the
/// default (or just the value).
#[derive(Clone, Debug, PartialEq)]
pub struct WindowExpr {
    pub kind: WindowKind,
    pub args: Vec<ScalarExpr>,
    pub ty: DataType,
}

impl PlanNode for Window {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        self.functions.iter().flat_map(|w| &w.args).collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        self.functions
            .iter_mut()
            .flat_map(|w| &mut w.args)
            .collect()
    }

    fn explain(&self, input: &Schema) -> String {
        let width = input.len();
        let shown = window_schema(&self.schema);
        let calls: Vec<String> = self
            .functions
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let args: Vec<String> = w
                    .args
                    .iter()
                    .map(|a| Shown(a, &shown).to_string())
                    .collect();
                let name = match w.kind {
                    WindowKind::Prev { offset } | WindowKind::Next { offset } => {
                        format!("{}[offset {offset}]", w.kind.name())
                    }
                    k => k.name().to_string(),
                };
                format!("#{}={name}({})", width + k, args.join(", "))
            })
            .collect();
        format!("Window [{}]", calls.join(", "))
    }

    fn is_serialized(&self) -> bool {
        true
    }
}

/// A window node's schema with its own columns shown by position
/// (`window3`) rather than by their internal names.
fn window_schema(schema: &Schema) -> Schema {
    Schema::new(
        schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut f = f.clone();
                if f.name.starts_with("__window") {
                    f.name = format!("window{}", i);
                }
                f
            })
            .collect(),
    )
}

/// How a `scan` step outputs the records it matches
/// (<https://learn.microsoft.com/kusto/query/scan-operator>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanOutput {
    /// Every matching record (the default).
    All,
    /// Only the last of a series of repeated matches of the step.
    Last,
    /// None.
    None,
}

/// One step of a [`ScanSteps`]. Its condition and assignments read a row
/// laid out as: the input record, the declared columns (at their
/// defaults), then one slot per `step.column` reference
/// ([`ScanSteps::refs`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ScanStep {
    pub name: String,
    pub output: ScanOutput,
    pub condition: ScalarExpr,
    /// (declared column, value): the declared column's position among the
    /// declared columns.
    pub assignments: Vec<(usize, ScalarExpr)>,
}

/// The `scan` operator: the input's records, in order, matched against
/// steps whose state carries values from record to record; each match is a
/// record of the output, extended with the declared columns (and the match
/// id).
#[derive(Clone, Debug, PartialEq)]
pub struct ScanSteps {
    pub input: Box<LogicalPlan>,
    /// The default value of each declared column.
    pub defaults: Vec<ScalarExpr>,
    pub steps: Vec<ScanStep>,
    /// The `step.column` references: (step, column of the input record
    /// extended with the declared columns), one slot each.
    pub refs: Vec<(usize, usize)>,
    /// Whether the output ends with a `with_match_id` column.
    pub match_id: bool,
    pub schema: Schema,
}

impl PlanNode for ScanSteps {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        let mut out: Vec<&ScalarExpr> = self.defaults.iter().collect();
        for s in &self.steps {
            out.push(&s.condition);
            out.extend(s.assignments.iter().map(|(_, e)| e));
        }
        out
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        let mut out: Vec<&mut ScalarExpr> = self.defaults.iter_mut().collect();
        for s in &mut self.steps {
            out.push(&mut s.condition);
            out.extend(s.assignments.iter_mut().map(|(_, e)| e));
        }
        out
    }

    fn explain(&self, input: &Schema) -> String {
        let width = input.len();
        // The row the steps read: the output's record columns, then the
        // `step.column` slots.
        let mut fields: Vec<crate::schema::Field> = self
            .schema
            .fields
            .iter()
            .take(width + self.defaults.len())
            .cloned()
            .collect();
        for &(step, column) in &self.refs {
            let step = self.steps.get(step).map_or("?", |s| s.name.as_str());
            let (name, ty) = self
                .schema
                .fields
                .get(column)
                .map_or(("?".to_string(), DataType::Dynamic), |f| {
                    (f.name.clone(), f.ty)
                });
            fields.push(crate::schema::Field::new(format!("{step}.{name}"), ty));
        }
        let row = Schema::new(fields);
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                let mut text = format!("{}: {}", s.name, Shown(&s.condition, &row));
                if s.output != ScanOutput::All {
                    text = format!("{} output={:?}", text, s.output);
                }
                for (k, e) in &s.assignments {
                    let name = row.fields.get(width + k).map_or("?", |f| f.name.as_str());
                    text.push_str(&format!(" => {name}={}", Shown(e, &row)));
                }
                text
            })
            .collect();
        format!(
            "ScanSteps{} [{}]",
            if self.match_id { " with_match_id" } else { "" },
            steps.join("; ")
        )
    }
}

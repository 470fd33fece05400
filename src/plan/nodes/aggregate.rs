//! Operators that group rows: `summarize` and the operators built on an
//! aggregation (`make-series`, `evaluate pivot`, `top-nested`), and the
//! `evaluate` plugins that read every row (`basket`, `sequence_detect`).

use super::PlanNode;
use crate::plan::explain::{Shown, aggregate_calls, names};
use crate::plan::expr::{AggregateExpr, ScalarExpr};
use crate::plan::logical::LogicalPlan;
use crate::schema::Schema;
use crate::value::Value;

/// `summarize`, `count`, `distinct`: group keys first, then aggregates.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub input: Box<LogicalPlan>,
    pub group_by: Vec<ScalarExpr>,
    pub aggregates: Vec<AggregateExpr>,
    pub schema: Schema,
}

impl PlanNode for Aggregate {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        let args = self.aggregates.iter().flat_map(|a| &a.args);
        self.group_by.iter().chain(args).collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        let args = self.aggregates.iter_mut().flat_map(|a| &mut a.args);
        self.group_by.iter_mut().chain(args).collect()
    }

    fn explain(&self, input: &Schema) -> String {
        let group_by: Vec<String> = self
            .group_by
            .iter()
            .map(|x| Shown(x, input).to_string())
            .collect();
        format!(
            "Aggregate by [{}] compute [{}] -> [{}]",
            group_by.join(", "),
            aggregate_calls(&self.aggregates, input),
            names(&self.schema)
        )
    }
}

/// `make-series`: `input` is the aggregation by the `by` keys and the
/// binned axis (keys, then the bin, then one column per aggregate); this
/// node arranges each key's bins into arrays, filling the bins with no
/// rows with `defaults`. Output: the keys, an array per aggregate, the
/// array of bins.
#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeries {
    pub input: Box<LogicalPlan>,
    pub keys: usize,
    pub range: Box<SeriesRange>,
    pub defaults: Vec<Value>,
    /// `kind=nonempty`: an empty input still gives one row of defaults.
    pub nonempty: bool,
    pub schema: Schema,
}

/// The axis of a `make-series`: constant expressions (they may read
/// subqueries, so they are evaluated when the plan is lowered).
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRange {
    /// `from` / the first argument of `range()`; absent: each series starts
    /// at its first bin with data.
    pub start: Option<ScalarExpr>,
    /// `to` (exclusive) / the second argument of `range()` (inclusive);
    /// absent: each series ends at its last bin with data.
    pub end: Option<ScalarExpr>,
    pub step: ScalarExpr,
    /// `in range(start, stop, step)`: bins are aligned with `bin()` rather
    /// than on `start`, and `stop` is included.
    pub in_range: bool,
}

impl PlanNode for MakeSeries {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        let r = &*self.range;
        r.start.iter().chain(&r.end).chain([&r.step]).collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        let r = &mut *self.range;
        r.start
            .iter_mut()
            .chain(&mut r.end)
            .chain([&mut r.step])
            .collect()
    }

    fn explain(&self, _input: &Schema) -> String {
        let empty = Schema::default();
        let c = |x: &ScalarExpr| Shown(x, &empty).to_string();
        let range = &self.range;
        let axis = match (&range.start, &range.end, range.in_range) {
            (Some(s), Some(e), true) => {
                format!("in range({}, {}, {})", c(s), c(e), c(&range.step))
            }
            (s, e, _) => format!(
                "{}{}step {}",
                s.as_ref()
                    .map(|s| format!("from {} ", c(s)))
                    .unwrap_or_default(),
                e.as_ref()
                    .map(|e| format!("to {} ", c(e)))
                    .unwrap_or_default(),
                c(&range.step)
            ),
        };
        let defaults: Vec<String> = self
            .defaults
            .iter()
            .map(crate::value::string_form::to_kusto_string)
            .collect();
        format!(
            "MakeSeries{} by {} key(s) {axis} defaults [{}] -> [{}]",
            if self.nonempty { " nonempty" } else { "" },
            self.keys,
            defaults.join(", "),
            names(&self.schema)
        )
    }
}

/// `evaluate pivot(...)`: `input` is the aggregation by the kept columns
/// and the pivot value (keys, then the value, then the cell); each key
/// gets one row, with a column per pivot value in `values` (`empty` where
/// it has no cell).
#[derive(Clone, Debug, PartialEq)]
pub struct Pivot {
    pub input: Box<LogicalPlan>,
    pub keys: usize,
    pub values: Vec<Value>,
    pub empty: Value,
    pub schema: Schema,
    /// The values were not read from the data yet: `values` is empty
    /// (see `semantic::Probe`).
    pub provisional: bool,
}

impl PlanNode for Pivot {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn explain(&self, _input: &Schema) -> String {
        format!(
            "Pivot by {} key(s) into {} value column(s){} -> [{}]",
            self.keys,
            self.values.len(),
            if self.provisional {
                " (values not read yet)"
            } else {
                ""
            },
            names(&self.schema)
        )
    }

    fn is_provisional(&self) -> bool {
        self.provisional
    }
}

/// `top-nested`: per level, the values of an expression and an
/// aggregation over each value's rows, the top ones kept, nested within
/// the levels before.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNested {
    pub input: Box<LogicalPlan>,
    pub levels: Vec<NestedLevel>,
    pub schema: Schema,
}

/// One level of [`TopNested`].
#[derive(Clone, Debug, PartialEq)]
pub struct NestedLevel {
    /// `N`: how many values to keep (all when absent).
    pub count: Option<u64>,
    /// The value (`of expr`), over the input row.
    pub value: ScalarExpr,
    /// `with others = v`: one more row for the values not kept.
    pub others: Option<Value>,
    /// The aggregations `by` reads.
    pub aggregates: Vec<AggregateExpr>,
    /// `by`: over the row of finished aggregations.
    pub by: ScalarExpr,
    pub descending: bool,
}

impl PlanNode for TopNested {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        self.levels
            .iter()
            .flat_map(|l| {
                std::iter::once(&l.value)
                    .chain(l.aggregates.iter().flat_map(|a| &a.args))
                    .chain([&l.by])
            })
            .collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        self.levels
            .iter_mut()
            .flat_map(|l| {
                std::iter::once(&mut l.value)
                    .chain(l.aggregates.iter_mut().flat_map(|a| &mut a.args))
                    .chain([&mut l.by])
            })
            .collect()
    }

    fn explain(&self, input: &Schema) -> String {
        let shown: Vec<String> = self
            .levels
            .iter()
            .map(|l| {
                format!(
                    "{}of {} by [{}] {}{}",
                    l.count.map(|n| format!("{n} ")).unwrap_or_default(),
                    Shown(&l.value, input),
                    aggregate_calls(&l.aggregates, input),
                    if l.descending { "desc" } else { "asc" },
                    l.others
                        .as_ref()
                        .map(|o| format!(
                            " with others = {}",
                            crate::value::string_form::to_kusto_string(o)
                        ))
                        .unwrap_or_default()
                )
            })
            .collect();
        format!(
            "TopNested {} -> [{}]",
            shown.join(", "),
            names(&self.schema)
        )
    }
}

/// `evaluate basket(...)`: the frequent patterns of the input's values
/// (see `exec::basket`). The output is `SegmentId`, `Count`, `Percent`,
/// then every input column, holding a pattern's value or the column's
/// wildcard.
#[derive(Clone, Debug, PartialEq)]
pub struct Basket {
    pub input: Box<LogicalPlan>,
    /// The smallest share of the rows (weighted) a pattern must match.
    pub threshold: f64,
    /// The input column that weighs each row, if any (never a dimension).
    pub weight: Option<usize>,
    /// The most values a pattern is grown from (its closure may hold more).
    pub max_dimensions: usize,
    /// Per input column, the value that says "any value".
    pub wildcards: Vec<Value>,
    pub schema: Schema,
}

impl PlanNode for Basket {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn explain(&self, input: &Schema) -> String {
        format!(
            "Basket threshold {} weight {} max dimensions {} -> [{}]",
            self.threshold,
            self.weight
                .and_then(|i| input.fields.get(i))
                .map_or("-", |f| f.name.as_str()),
            self.max_dimensions,
            names(&self.schema)
        )
    }
}

/// `reduce by expr`: the input's strings grouped into patterns (see
/// `exec::reduce`); the output is `Pattern`, `Count`, `Representative`, or
/// with `kind=source` each input row and its `Pattern`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reduce {
    pub input: Box<LogicalPlan>,
    /// The input column holding the strings (the `by` expression).
    pub column: usize,
    /// The share of the rows a term (and a pattern) must exceed.
    pub threshold: f64,
    /// The characters that separate terms; `None`: every character that is
    /// not a letter or digit.
    pub characters: Option<String>,
    /// `kind=source`: the input's rows (its columns before `column`), each
    /// with its pattern.
    pub source: bool,
    pub schema: Schema,
}

impl PlanNode for Reduce {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn explain(&self, input: &Schema) -> String {
        format!(
            "Reduce{} by {} threshold {} characters {} -> [{}]",
            if self.source { " kind=source" } else { "" },
            input
                .fields
                .get(self.column)
                .map_or("-", |f| f.name.as_str()),
            self.threshold,
            self.characters
                .as_deref()
                .map_or("(not letters or digits)".to_string(), |c| format!("{c:?}")),
            names(&self.schema)
        )
    }
}

/// `evaluate sequence_detect(...)`: the input is projected to the timeline,
/// the dimensions and one boolean per step, in that order; each output row
/// is one occurrence of the steps in order (see `exec::sequence_detect`).
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceDetect {
    pub input: Box<LogicalPlan>,
    /// How many dimension columns follow the timeline.
    pub dimensions: usize,
    /// How many step columns follow the dimensions.
    pub steps: usize,
    /// The most time between two consecutive steps (ticks).
    pub step_window: i64,
    /// The most time between the first and the last step (ticks).
    pub span: i64,
    pub schema: Schema,
}

impl PlanNode for SequenceDetect {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn explain(&self, _input: &Schema) -> String {
        format!(
            "SequenceDetect {} step(s) by {} dimension(s), step window {}, span {} -> [{}]",
            self.steps,
            self.dimensions,
            crate::value::string_form::to_kusto_string(&Value::Timespan(crate::value::Timespan(
                self.step_window
            ))),
            crate::value::string_form::to_kusto_string(&Value::Timespan(crate::value::Timespan(
                self.span
            ))),
            names(&self.schema)
        )
    }
}

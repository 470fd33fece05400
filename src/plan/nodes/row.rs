//! Operators that look at one row at a time: they filter, compute or
//! expand each input row on its own.

use super::PlanNode;
use crate::plan::explain::{Shown, column};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::LogicalPlan;
use crate::schema::Schema;
use crate::types::DataType;

/// `where`: rows for which the predicate is `true`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub input: Box<LogicalPlan>,
    pub predicate: ScalarExpr,
}

impl PlanNode for Filter {
    fn schema(&self) -> &Schema {
        self.input.schema()
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        vec![&self.predicate]
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        vec![&mut self.predicate]
    }

    fn explain(&self, input: &Schema) -> String {
        format!("Filter {}", Shown(&self.predicate, input))
    }

    fn is_serialized(&self) -> bool {
        self.input.is_serialized()
    }
}

/// `extend`, `project`, `project-away/-keep/-rename/-reorder`: one output
/// column per expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub input: Box<LogicalPlan>,
    pub exprs: Vec<ScalarExpr>,
    pub schema: Schema,
}

impl PlanNode for Project {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        self.exprs.iter().collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        self.exprs.iter_mut().collect()
    }

    fn explain(&self, input: &Schema) -> String {
        let items: Vec<String> = self
            .exprs
            .iter()
            .zip(&self.schema.fields)
            .map(|(x, f)| {
                let shown = Shown(x, input).to_string();
                if shown.split('@').next() == Some(f.name.as_str()) {
                    shown
                } else {
                    format!("{}={shown}", f.name)
                }
            })
            .collect();
        format!("Project [{}]", items.join(", "))
    }

    fn is_serialized(&self) -> bool {
        self.input.is_serialized()
    }
}

/// `take`/`limit`: the first `count` rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub input: Box<LogicalPlan>,
    pub count: u64,
}

impl PlanNode for Limit {
    fn schema(&self) -> &Schema {
        self.input.schema()
    }

    one_input!();

    fn explain(&self, _input: &Schema) -> String {
        format!("Limit {}", self.count)
    }

    fn is_serialized(&self) -> bool {
        self.input.is_serialized()
    }
}

/// `serialize`: marks the rows as ordered, so window functions may
/// follow (the rows are not changed).
#[derive(Clone, Debug, PartialEq)]
pub struct Serialize {
    pub input: Box<LogicalPlan>,
}

impl PlanNode for Serialize {
    fn schema(&self) -> &Schema {
        self.input.schema()
    }

    one_input!();

    fn explain(&self, _input: &Schema) -> String {
        "Serialize".to_string()
    }

    fn is_serialized(&self) -> bool {
        true
    }
}

/// `mv-expand`: one row per element of the expanded columns.
#[derive(Clone, Debug, PartialEq)]
pub struct MvExpand {
    pub input: Box<LogicalPlan>,
    /// Columns (of the input, already computed) to expand.
    pub columns: Vec<MvExpandColumn>,
    /// Index column appended to the output (`with_itemindex=`).
    pub item_index: bool,
    pub limit: Option<u64>,
    pub schema: Schema,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MvExpandColumn {
    pub index: usize,
    /// `bagexpansion=array`: a bag expands to `[key, value]` pairs.
    pub bag_as_array: bool,
    /// `to typeof(T)`: the element type after expansion.
    pub to_type: DataType,
}

impl PlanNode for MvExpand {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn explain(&self, _input: &Schema) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("@{} to {}", c.index, c.to_type))
            .collect();
        format!("MvExpand {}", cols.join(", "))
    }

    fn is_serialized(&self) -> bool {
        self.input.is_serialized()
    }
}

/// `mv-apply items on (subquery)`: for each input row, the subquery runs
/// over the rows of its expansion (columns as `expanded`); each row it
/// returns gives an output row of input and subquery columns.
#[derive(Clone, Debug, PartialEq)]
pub struct MvApply {
    pub input: Box<LogicalPlan>,
    pub items: Vec<ApplyItem>,
    /// `with_itemindex=`: the element index is the last column of
    /// `expanded`.
    pub item_index: bool,
    pub limit: Option<u64>,
    pub expanded: Schema,
    /// Bound over a [`super::Parameter`] of schema `expanded`.
    pub subquery: Box<LogicalPlan>,
    pub outputs: Vec<ApplyOutput>,
    pub schema: Schema,
}

/// An expression `mv-apply` expands: computed on the input row, it fills
/// column `slot` of the rows handed to the subquery, one element a row.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyItem {
    pub expr: ScalarExpr,
    pub slot: usize,
    /// `to typeof(T)`: the elements' type (`dynamic` by default).
    pub to_type: DataType,
}

/// One output column of [`MvApply`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyOutput {
    /// The input row's column at this position.
    Input(usize),
    /// The subquery's column at this position.
    Subquery(usize),
}

impl PlanNode for MvApply {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input, &self.subquery]
    }

    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
        vec![&mut self.input, &mut self.subquery]
    }

    fn exprs(&self) -> Vec<&ScalarExpr> {
        self.items.iter().map(|i| &i.expr).collect()
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        self.items.iter_mut().map(|i| &mut i.expr).collect()
    }

    fn explain(&self, input: &Schema) -> String {
        let items: Vec<String> = self
            .items
            .iter()
            .map(|i| {
                let name = self.expanded.field(i.slot).map_or("?", |f| f.name.as_str());
                format!("{name}={} to {}", Shown(&i.expr, input), i.to_type)
            })
            .collect();
        let outs: Vec<String> = self
            .outputs
            .iter()
            .map(|o| match *o {
                ApplyOutput::Input(i) => column(input, i),
                ApplyOutput::Subquery(j) => match self.subquery.schema().field(j) {
                    Some(f) => format!("subquery.{}@{j}", f.name),
                    None => format!("subquery#{j}"),
                },
            })
            .collect();
        format!(
            "MvApply [{}]{}{} -> [{}]",
            items.join(", "),
            if self.item_index {
                " with_itemindex"
            } else {
                ""
            },
            self.limit
                .map(|l| format!(" limit {l}"))
                .unwrap_or_default(),
            outs.join(", ")
        )
    }

    fn is_serialized(&self) -> bool {
        self.input.is_serialized()
    }

    /// The subquery reads its own parameter, not an enclosing one.
    fn reads_parameter(&self) -> bool {
        self.input.reads_parameter()
    }
}

/// `evaluate bag_unpack(column, ...)`: each output column is an input
/// column or a key of the bag in `column`.
#[derive(Clone, Debug, PartialEq)]
pub struct BagUnpack {
    pub input: Box<LogicalPlan>,
    pub column: usize,
    pub outputs: Vec<UnpackOutput>,
    pub schema: Schema,
    /// The keys were not read from the data yet: `outputs` is a
    /// stand-in (see `semantic::Probe`).
    pub provisional: bool,
}

/// One output column of [`BagUnpack`].
#[derive(Clone, Debug, PartialEq)]
pub enum UnpackOutput {
    /// The input column at this position.
    Input(usize),
    /// The bag's value at `key`, converted to `ty` (null when absent).
    Key { key: String, ty: DataType },
}

impl PlanNode for BagUnpack {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    one_input!();

    fn explain(&self, input: &Schema) -> String {
        let outs: Vec<String> = self
            .outputs
            .iter()
            .map(|o| match o {
                UnpackOutput::Input(i) => column(input, *i),
                UnpackOutput::Key { key, ty } => format!("[{key:?}]:{ty}"),
            })
            .collect();
        format!(
            "BagUnpack {} -> [{}]{}",
            column(input, self.column),
            outs.join(", "),
            if self.provisional {
                " (keys not read yet)"
            } else {
                ""
            }
        )
    }

    fn is_provisional(&self) -> bool {
        self.provisional
    }
}

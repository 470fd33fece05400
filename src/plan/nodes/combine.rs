//! Operators over more than one plan, or over a plan shared or run per
//! group: `union`, `join`/`lookup`, `materialize()`, `partition`.

use super::PlanNode;
use crate::plan::explain::column;
use crate::plan::logical::LogicalPlan;
use crate::schema::Schema;
use std::sync::Arc;

/// `union`: the inputs' rows, one after another; each input is already
/// projected onto `schema`.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub inputs: Vec<LogicalPlan>,
    pub schema: Schema,
}

impl PlanNode for Union {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        self.inputs.iter().collect()
    }

    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
        self.inputs.iter_mut().collect()
    }

    fn explain(&self, _input: &Schema) -> String {
        format!("Union ({} inputs)", self.inputs.len())
    }
}

/// `join` and `lookup`.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub left: Box<LogicalPlan>,
    pub right: Box<LogicalPlan>,
    pub kind: JoinKind,
    /// Pairs of (left column, right column) that must be equal.
    pub keys: Vec<(usize, usize)>,
    pub schema: Schema,
}

/// Join kinds of <https://learn.microsoft.com/kusto/query/join-operator>.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JoinKind {
    InnerUnique,
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    RightSemi,
    RightAnti,
    /// `lookup kind=leftouter`: like a left outer join, keys kept once.
    LookupLeftOuter,
    /// `lookup kind=inner`.
    LookupInner,
}

impl PlanNode for Join {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.left, &self.right]
    }

    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
        vec![&mut self.left, &mut self.right]
    }

    fn explain(&self, _input: &Schema) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|(l, r)| format!("left@{l} == right@{r}"))
            .collect();
        format!("Join {:?} on {}", self.kind, keys.join(", "))
    }
}

/// `materialize(...)`: computed once, shared by every reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Materialize {
    pub id: usize,
    pub input: Arc<LogicalPlan>,
}

impl PlanNode for Materialize {
    fn schema(&self) -> &Schema {
        self.input.schema()
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input]
    }

    /// A shared input is copied before it is changed.
    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
        vec![Arc::make_mut(&mut self.input)]
    }

    fn explain(&self, _input: &Schema) -> String {
        format!("Materialize #{}", self.id)
    }

    fn is_serialized(&self) -> bool {
        self.input.is_serialized()
    }
}

/// `partition by column (subquery)`: the subquery (bound over a
/// [`super::Parameter`] of the input's schema) runs over the rows of each
/// value of `column`; the results are put one after another.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub input: Box<LogicalPlan>,
    pub column: usize,
    pub subquery: Box<LogicalPlan>,
    /// The legacy strategy (the default): at most 64 partitions.
    pub legacy: bool,
    /// The subquery value slot standing for the partition's value in a
    /// legacy subquery that names the partition column: the subquery is
    /// lowered again for each partition with its value there.
    pub key_slot: Option<usize>,
    pub schema: Schema,
}

impl PlanNode for Partition {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn inputs(&self) -> Vec<&LogicalPlan> {
        vec![&self.input, &self.subquery]
    }

    fn inputs_mut(&mut self) -> Vec<&mut LogicalPlan> {
        vec![&mut self.input, &mut self.subquery]
    }

    fn explain(&self, input: &Schema) -> String {
        format!(
            "Partition by {}{}",
            column(input, self.column),
            if self.legacy {
                " (legacy: at most 64)"
            } else {
                ""
            }
        )
    }

    /// The subquery reads its own parameter, not an enclosing one.
    fn reads_parameter(&self) -> bool {
        self.input.reads_parameter()
    }
}

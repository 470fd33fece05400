//! Where rows come from: a table, literal rows, `range`, and the rows an
//! enclosing operator hands its subquery.

use super::PlanNode;
use crate::catalog::TableData;
use crate::plan::explain::{Shown, names};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::LogicalPlan;
use crate::schema::Schema;
use crate::value::Value;
use std::sync::Arc;

/// Rows of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub table: String,
    pub table_schema: Schema,
    pub data: Arc<TableData>,
    /// The table columns actually read, in output order.
    pub columns: Vec<usize>,
    pub schema: Schema,
    /// Text every line must contain to possibly produce a row that
    /// survives the filters above (see `plan::rules::prefilter`).
    pub prefilter: Option<Prefilter>,
}

/// A necessary condition on a line's raw text: for every group, the line
/// contains at least one of its needles (as bytes; case-folded for ASCII
/// when the needle is not case-sensitive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prefilter {
    pub all_of: Vec<Vec<Needle>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Needle {
    pub text: String,
    pub case_sensitive: bool,
}

impl PlanNode for Scan {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    no_inputs!();

    fn explain(&self, _input: &Schema) -> String {
        let source = match &*self.data {
            TableData::Empty => "no inputs".to_string(),
            TableData::Files(f) => format!("{} input(s)", f.len()),
            TableData::Rows(r) => format!("{} row(s) in memory", r.len()),
            TableData::Shared { range, .. } => format!("{} row(s) in memory", range.len()),
        };
        let needles = match &self.prefilter {
            Some(p) => {
                let groups: Vec<String> = p
                    .all_of
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|n| {
                                format!("{:?}{}", n.text, if n.case_sensitive { "" } else { "~" })
                            })
                            .collect::<Vec<_>>()
                            .join(" | ")
                    })
                    .collect();
                format!(" prefilter: {}", groups.join(" & "))
            }
            None => String::new(),
        };
        format!(
            "Scan {} [{}] ({source}){needles}",
            self.table,
            names(&self.schema)
        )
    }
}

/// Literal rows: `print`, `datatable`.
#[derive(Clone, Debug, PartialEq)]
pub struct Values {
    pub schema: Schema,
    pub rows: Arc<Vec<Vec<Value>>>,
}

impl PlanNode for Values {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    no_inputs!();

    fn explain(&self, _input: &Schema) -> String {
        format!(
            "Values [{}] ({} row(s))",
            names(&self.schema),
            self.rows.len()
        )
    }
}

/// `range c from start to stop step step`.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    pub schema: Schema,
    pub start: ScalarExpr,
    pub stop: ScalarExpr,
    pub step: ScalarExpr,
}

impl PlanNode for Range {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    no_inputs!();

    fn exprs(&self) -> Vec<&ScalarExpr> {
        vec![&self.start, &self.stop, &self.step]
    }

    fn exprs_mut(&mut self) -> Vec<&mut ScalarExpr> {
        vec![&mut self.start, &mut self.stop, &mut self.step]
    }

    fn explain(&self, input: &Schema) -> String {
        format!(
            "Range {} from {} to {} step {}",
            self.schema.names().next().unwrap_or(""),
            Shown(&self.start, input),
            Shown(&self.stop, input),
            Shown(&self.step, input)
        )
    }

    fn is_serialized(&self) -> bool {
        true
    }
}

/// The rows an enclosing operator hands its subquery: one input row's
/// expansion in `mv-apply`, one partition's rows in `partition`.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    pub schema: Schema,
}

impl PlanNode for Parameter {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    no_inputs!();

    fn explain(&self, _input: &Schema) -> String {
        format!("Parameter [{}]", names(&self.schema))
    }

    fn reads_parameter(&self) -> bool {
        true
    }
}

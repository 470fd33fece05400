//! `--explain`: plans printed as indented trees, columns as `name@position`
//! of the operator's input (as DataFusion's EXPLAIN writes them). Each
//! operator writes its own line (`PlanNode::explain`); this file walks the
//! tree and shows expressions.

use super::expr::{
    AggregateExpr, ListKind, LogicalOp, ScalarExpr, ScalarKind, StringOp, StringOpKind,
    SubqueryShape,
};
use super::logical::{LogicalPlan, SortKey};
use crate::json::doc::PathStep;
use crate::schema::Schema;
use crate::value::Value;
use crate::value::ops::{ArithOp, CompareOp};
use std::fmt::{self, Write};

/// The plan as an indented tree, one node per line, each node's inputs
/// below it (walked without recursion: plans may be thousands deep).
pub fn explain(plan: &LogicalPlan) -> String {
    let mut out = String::new();
    let mut stack = vec![(plan, 0usize)];
    while let Some((plan, depth)) = stack.pop() {
        let inputs = plan.inputs();
        let input_schema = inputs
            .first()
            .map(|i| i.schema().clone())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{}",
            "  ".repeat(depth),
            plan.node().explain(&input_schema)
        );
        stack.extend(inputs.into_iter().rev().map(|i| (i, depth + 1)));
    }
    out
}

/// A schema's column names, comma-separated.
pub(crate) fn names(schema: &Schema) -> String {
    schema.names().collect::<Vec<_>>().join(", ")
}

/// Column `index` of `schema` as `name@index` (`#index` when it has none).
pub(crate) fn column(schema: &Schema, index: usize) -> String {
    match schema.field(index) {
        Some(f) => format!("{}@{index}", f.name),
        None => format!("#{index}"),
    }
}

/// Aggregate calls as `name(args)`, comma-separated.
pub(crate) fn aggregate_calls(aggregates: &[AggregateExpr], schema: &Schema) -> String {
    aggregates
        .iter()
        .map(|a| {
            let args: Vec<String> = a
                .args
                .iter()
                .map(|x| Shown(x, schema).to_string())
                .collect();
            format!("{}({})", a.function.name, args.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn sort_keys(keys: &[SortKey], schema: &Schema) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "{} {} nulls {}",
                Shown(&k.expr, schema),
                if k.descending { "desc" } else { "asc" },
                if k.nulls_first { "first" } else { "last" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A scalar expression shown against the schema its columns refer to.
pub struct Shown<'a>(pub &'a ScalarExpr, pub &'a Schema);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self.0, Some(self.1))
    }
}

pub(crate) fn write_scalar(f: &mut fmt::Formatter<'_>, e: &ScalarExpr) -> fmt::Result {
    write_expr(f, e, None)
}

fn write_expr(f: &mut fmt::Formatter<'_>, e: &ScalarExpr, schema: Option<&Schema>) -> fmt::Result {
    let sub = |f: &mut fmt::Formatter<'_>, x: &ScalarExpr| write_expr(f, x, schema);
    match &e.kind {
        ScalarKind::Column { index } => match schema.and_then(|s| s.field(*index)) {
            Some(field) => write!(f, "{}@{index}", field.name),
            None => write!(f, "#{index}"),
        },
        ScalarKind::Literal { value } => write_literal(f, value),
        ScalarKind::Call { function, args } => {
            write!(f, "{}(", function.name)?;
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                sub(f, a)?;
            }
            f.write_str(")")
        }
        ScalarKind::Logical { op, args } => {
            f.write_str("(")?;
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(if *op == LogicalOp::And {
                        " and "
                    } else {
                        " or "
                    })?;
                }
                sub(f, a)?;
            }
            f.write_str(")")
        }
        ScalarKind::Arithmetic { op, left, right } => {
            f.write_str("(")?;
            sub(f, left)?;
            let symbol = match op {
                ArithOp::Add => " + ",
                ArithOp::Sub => " - ",
                ArithOp::Mul => " * ",
                ArithOp::Div => " / ",
                ArithOp::Mod => " % ",
            };
            f.write_str(symbol)?;
            sub(f, right)?;
            f.write_str(")")
        }
        ScalarKind::Negate { operand } => {
            f.write_str("-")?;
            sub(f, operand)
        }
        ScalarKind::Cast { operand } => {
            write!(f, "to_{}(", e.ty)?;
            sub(f, operand)?;
            f.write_str(")")
        }
        ScalarKind::Compare { op, left, right } => {
            sub(f, left)?;
            let symbol = match op {
                CompareOp::Eq => " == ",
                CompareOp::NotEq => " != ",
                CompareOp::Lt => " < ",
                CompareOp::Le => " <= ",
                CompareOp::Gt => " > ",
                CompareOp::Ge => " >= ",
            };
            f.write_str(symbol)?;
            sub(f, right)
        }
        ScalarKind::StringMatch { op, left, right } => {
            sub(f, left)?;
            write!(f, " {} ", string_op(*op))?;
            sub(f, right)
        }
        ScalarKind::InList { op, left, items } => {
            sub(f, left)?;
            let name = match op {
                ListKind::In {
                    negated,
                    case_sensitive,
                } => {
                    format!(
                        " {}in{} (",
                        if *negated { "!" } else { "" },
                        if *case_sensitive { "" } else { "~" }
                    )
                }
                ListKind::HasAny => " has_any (".into(),
                ListKind::HasAll => " has_all (".into(),
            };
            f.write_str(&name)?;
            for (i, a) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                sub(f, a)?;
            }
            f.write_str(")")
        }
        ScalarKind::Between {
            negated,
            expr,
            low,
            high,
        } => {
            sub(f, expr)?;
            f.write_str(if *negated {
                " !between ("
            } else {
                " between ("
            })?;
            sub(f, low)?;
            f.write_str(" .. ")?;
            sub(f, high)?;
            f.write_str(")")
        }
        ScalarKind::Member { target, key } => {
            sub(f, target)?;
            write!(f, "[{key:?}]")
        }
        ScalarKind::Index { target, index } => {
            sub(f, target)?;
            f.write_str("[")?;
            sub(f, index)?;
            f.write_str("]")
        }
        ScalarKind::JsonPath { base, steps } => {
            f.write_str("json_path(")?;
            sub(f, base)?;
            for step in steps {
                match step {
                    PathStep::Key(k) => write!(f, ", [{k:?}]")?,
                    PathStep::Index(i) => write!(f, ", [{i}]")?,
                    PathStep::Reparse => f.write_str(", reparse")?,
                }
            }
            f.write_str(")")
        }
        ScalarKind::Subquery { id, shape } => write!(
            f,
            "{}(subquery #{id})",
            if *shape == SubqueryShape::Scalar {
                "toscalar"
            } else {
                "column"
            }
        ),
    }
}

fn write_literal(f: &mut fmt::Formatter<'_>, v: &Value) -> fmt::Result {
    match v {
        Value::String(s) => write!(f, "{:?}", s.as_str()),
        Value::Null => f.write_str("null"),
        other => f.write_str(&crate::value::string_form::to_kusto_string(other)),
    }
}

fn string_op(op: StringOp) -> String {
    let base = match op.kind {
        StringOpKind::Equals => return if op.negated { "!~".into() } else { "=~".into() },
        StringOpKind::MatchesRegex => {
            return if op.negated {
                "!matches regex".into()
            } else {
                "matches regex".into()
            };
        }
        StringOpKind::Has => "has",
        StringOpKind::HasPrefix => "hasprefix",
        StringOpKind::HasSuffix => "hassuffix",
        StringOpKind::Contains => "contains",
        StringOpKind::StartsWith => "startswith",
        StringOpKind::EndsWith => "endswith",
        StringOpKind::Like => "like",
    };
    format!(
        "{}{base}{}",
        if op.negated { "!" } else { "" },
        if op.case_sensitive { "_cs" } else { "" }
    )
}

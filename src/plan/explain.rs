//! `--explain`: plans printed as indented trees, columns as `name@position`
//! of the operator's input (as DataFusion's EXPLAIN writes them).

use super::expr::{
    ListKind, LogicalOp, ScalarExpr, ScalarKind, StringOp, StringOpKind, SubqueryShape,
};
use super::logical::LogicalPlan;
use crate::json::doc::PathStep;
use crate::schema::Schema;
use crate::value::Value;
use crate::value::ops::{ArithOp, CompareOp};
use std::fmt::{self, Write};

/// The plan as an indented tree, one node per line.
pub fn explain(plan: &LogicalPlan) -> String {
    let mut out = String::new();
    write_plan(&mut out, plan, 0);
    out
}

fn write_plan(out: &mut String, plan: &LogicalPlan, depth: usize) {
    let pad = "  ".repeat(depth);
    let input_schema = plan
        .inputs()
        .first()
        .map(|i| i.schema().clone())
        .unwrap_or_default();
    let e = |x: &ScalarExpr| Shown(x, &input_schema).to_string();
    let list = |xs: &[ScalarExpr]| xs.iter().map(e).collect::<Vec<_>>().join(", ");
    let line = match plan {
        LogicalPlan::Scan {
            table,
            schema,
            data,
            prefilter,
            ..
        } => {
            let source = match &**data {
                crate::catalog::TableData::Empty => "no inputs".to_string(),
                crate::catalog::TableData::Files(f) => format!("{} input(s)", f.len()),
                crate::catalog::TableData::Rows(r) => format!("{} row(s) in memory", r.len()),
            };
            let needles = match prefilter {
                Some(p) => {
                    let groups: Vec<String> = p
                        .all_of
                        .iter()
                        .map(|g| {
                            g.iter()
                                .map(|n| {
                                    format!(
                                        "{:?}{}",
                                        n.text,
                                        if n.case_sensitive { "" } else { "~" }
                                    )
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
                "Scan {table} [{}] ({source}){needles}",
                schema.names().collect::<Vec<_>>().join(", ")
            )
        }
        LogicalPlan::Values { schema, rows } => {
            format!(
                "Values [{}] ({} row(s))",
                schema.names().collect::<Vec<_>>().join(", "),
                rows.len()
            )
        }
        LogicalPlan::Range {
            schema,
            start,
            stop,
            step,
        } => format!(
            "Range {} from {} to {} step {}",
            schema.names().next().unwrap_or(""),
            e(start),
            e(stop),
            e(step)
        ),
        LogicalPlan::Filter { predicate, .. } => format!("Filter {}", e(predicate)),
        LogicalPlan::Project { exprs, schema, .. } => {
            let items: Vec<String> = exprs
                .iter()
                .zip(&schema.fields)
                .map(|(x, f)| {
                    let shown = e(x);
                    if shown.split('@').next() == Some(f.name.as_str()) {
                        shown
                    } else {
                        format!("{}={shown}", f.name)
                    }
                })
                .collect();
            format!("Project [{}]", items.join(", "))
        }
        LogicalPlan::Limit { count, .. } => format!("Limit {count}"),
        LogicalPlan::Aggregate {
            group_by,
            aggregates,
            schema,
            ..
        } => {
            let aggs: Vec<String> = aggregates
                .iter()
                .map(|a| format!("{}({})", a.function.name, list(&a.args)))
                .collect();
            format!(
                "Aggregate by [{}] compute [{}] -> [{}]",
                list(group_by),
                aggs.join(", "),
                schema.names().collect::<Vec<_>>().join(", ")
            )
        }
        LogicalPlan::Sort { keys, .. } => format!("Sort {}", sort_keys(keys, &input_schema)),
        LogicalPlan::TopN { keys, count, .. } => {
            format!("TopN {count} by {}", sort_keys(keys, &input_schema))
        }
        LogicalPlan::Union { inputs, .. } => format!("Union ({} inputs)", inputs.len()),
        LogicalPlan::Join { kind, keys, .. } => {
            let keys: Vec<String> = keys
                .iter()
                .map(|(l, r)| format!("left@{l} == right@{r}"))
                .collect();
            format!("Join {kind:?} on {}", keys.join(", "))
        }
        LogicalPlan::MvExpand { columns, .. } => {
            let cols: Vec<String> = columns
                .iter()
                .map(|c| format!("@{} to {}", c.index, c.to_type))
                .collect();
            format!("MvExpand {}", cols.join(", "))
        }
        LogicalPlan::Materialize { id, .. } => format!("Materialize #{id}"),
        LogicalPlan::Serialize { .. } => "Serialize".to_string(),
        LogicalPlan::Partition { column, legacy, .. } => format!(
            "Partition by {}{}",
            input_schema
                .field(*column)
                .map_or(format!("#{column}"), |f| format!("{}@{column}", f.name)),
            if *legacy { " (legacy: at most 64)" } else { "" }
        ),
        LogicalPlan::TopNested { levels, schema, .. } => {
            let shown: Vec<String> = levels
                .iter()
                .map(|l| {
                    let aggs: Vec<String> = l
                        .aggregates
                        .iter()
                        .map(|a| format!("{}({})", a.function.name, list(&a.args)))
                        .collect();
                    format!(
                        "{}of {} by [{}] {}{}",
                        l.count.map(|n| format!("{n} ")).unwrap_or_default(),
                        e(&l.value),
                        aggs.join(", "),
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
                schema.names().collect::<Vec<_>>().join(", ")
            )
        }
        LogicalPlan::Pivot {
            keys,
            values,
            provisional,
            schema,
            ..
        } => format!(
            "Pivot by {keys} key(s) into {} value column(s){} -> [{}]",
            values.len(),
            if *provisional {
                " (values not read yet)"
            } else {
                ""
            },
            schema.names().collect::<Vec<_>>().join(", ")
        ),
        LogicalPlan::MakeSeries {
            keys,
            range,
            defaults,
            nonempty,
            schema,
            ..
        } => {
            let empty = Schema::default();
            let c = |x: &ScalarExpr| Shown(x, &empty).to_string();
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
            let defaults: Vec<String> = defaults
                .iter()
                .map(crate::value::string_form::to_kusto_string)
                .collect();
            format!(
                "MakeSeries{} by {keys} key(s) {axis} defaults [{}] -> [{}]",
                if *nonempty { " nonempty" } else { "" },
                defaults.join(", "),
                schema.names().collect::<Vec<_>>().join(", ")
            )
        }
        LogicalPlan::Window {
            functions, schema, ..
        } => {
            let width = input_schema.len();
            let shown = Shown::window_schema(schema);
            let calls: Vec<String> = functions
                .iter()
                .enumerate()
                .map(|(k, w)| {
                    let args: Vec<String> = w
                        .args
                        .iter()
                        .map(|a| Shown(a, &shown).to_string())
                        .collect();
                    let name = match w.kind {
                        super::logical::WindowKind::Prev { offset }
                        | super::logical::WindowKind::Next { offset } => {
                            format!("{}[offset {offset}]", w.kind.name())
                        }
                        k => k.name().to_string(),
                    };
                    format!("#{}={name}({})", width + k, args.join(", "))
                })
                .collect();
            format!("Window [{}]", calls.join(", "))
        }
        LogicalPlan::Parameter { schema } => format!(
            "Parameter [{}]",
            schema.names().collect::<Vec<_>>().join(", ")
        ),
        LogicalPlan::MvApply {
            items,
            item_index,
            limit,
            expanded,
            outputs,
            subquery,
            ..
        } => {
            let items: Vec<String> = items
                .iter()
                .map(|i| {
                    let name = expanded.field(i.slot).map_or("?", |f| f.name.as_str());
                    format!("{name}={} to {}", e(&i.expr), i.to_type)
                })
                .collect();
            let outs: Vec<String> = outputs
                .iter()
                .map(|o| match *o {
                    super::logical::ApplyOutput::Input(i) => match input_schema.field(i) {
                        Some(f) => format!("{}@{i}", f.name),
                        None => format!("#{i}"),
                    },
                    super::logical::ApplyOutput::Subquery(j) => match subquery.schema().field(j) {
                        Some(f) => format!("subquery.{}@{j}", f.name),
                        None => format!("subquery#{j}"),
                    },
                })
                .collect();
            format!(
                "MvApply [{}]{}{} -> [{}]",
                items.join(", "),
                if *item_index { " with_itemindex" } else { "" },
                limit.map(|l| format!(" limit {l}")).unwrap_or_default(),
                outs.join(", ")
            )
        }
        LogicalPlan::BagUnpack {
            column,
            outputs,
            provisional,
            ..
        } => {
            let outs: Vec<String> = outputs
                .iter()
                .map(|o| match o {
                    super::logical::UnpackOutput::Input(i) => match input_schema.field(*i) {
                        Some(f) => format!("{}@{i}", f.name),
                        None => format!("#{i}"),
                    },
                    super::logical::UnpackOutput::Key { key, ty } => format!("[{key:?}]:{ty}"),
                })
                .collect();
            let column = match input_schema.field(*column) {
                Some(f) => format!("{}@{column}", f.name),
                None => format!("#{column}"),
            };
            format!(
                "BagUnpack {column} -> [{}]{}",
                outs.join(", "),
                if *provisional {
                    " (keys not read yet)"
                } else {
                    ""
                }
            )
        }
    };
    let _ = writeln!(out, "{pad}{line}");
    for input in plan.inputs() {
        write_plan(out, input, depth + 1);
    }
}

fn sort_keys(keys: &[super::logical::SortKey], schema: &Schema) -> String {
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

impl Shown<'_> {
    /// A window node's schema with its own columns shown by position
    /// (`#3`) rather than by their internal names.
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
}

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

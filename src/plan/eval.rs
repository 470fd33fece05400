//! Evaluating physical expressions on a row, with KQL's null rules
//! (docs/semantics.md#nulls): a failed conversion or a missing value is null, never
//! an error; and constant folding, which evaluates an expression that reads
//! no row while the query is bound.

use super::expr::{ListKind, LogicalOp, ScalarExpr, StringOp, StringOpKind};
use super::phys_expr::{PhysExpr, lower};
use super::string_match::{Matcher, equals_ignore_case};
use crate::functions::EvalContext;
use crate::json::{Doc, Row};
use crate::value::cast::{cast, normalize};
use crate::value::ops::{arithmetic, compare_values, index_value, member, negate};
use crate::value::string_form::{text, to_kusto_string};
use crate::value::{Str, Value, compare};
use smallvec::SmallVec;
use std::cmp::Ordering;

/// The value of an expression that reads no row, if it can be known
/// before the query runs (used to fold `take 10`, `range` bounds,
/// `datatable` values).
pub fn eval_constant(e: &ScalarExpr, ctx: &EvalContext) -> Option<Value> {
    let mut columns = false;
    e.visit_columns(&mut |_| columns = true);
    if columns || !is_pure(e) {
        return None;
    }
    let phys = lower(e, None).ok()?;
    Some(normalize(phys.eval(&Vec::new(), ctx), e.ty))
}

/// Whether `e` gives the same value every time: no `rand()`, `new_guid()`.
fn is_pure(e: &ScalarExpr) -> bool {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        if let super::expr::ScalarKind::Call { function, .. } = &x.kind
            && !function.pure
        {
            return false;
        }
        stack.extend(x.children());
    }
    true
}

impl PhysExpr {
    pub fn eval(&self, row: &dyn Row, ctx: &EvalContext) -> Value {
        match self {
            PhysExpr::Column(i) => row.column(*i),
            PhysExpr::Literal(v) => v.clone(),
            PhysExpr::Call { function, args } => {
                let values: SmallVec<[Value; 4]> = args.iter().map(|a| a.eval(row, ctx)).collect();
                (function.eval)(&values, ctx)
            }
            PhysExpr::Logical { op, args } => logical(*op, args, row, ctx),
            PhysExpr::Arithmetic { op, left, right } => {
                arithmetic(*op, left.eval(row, ctx), right.eval(row, ctx))
            }
            PhysExpr::Negate(operand) => negate(operand.eval(row, ctx)),
            PhysExpr::Cast { to, operand } => cast(operand.eval(row, ctx), *to),
            PhysExpr::Compare { op, left, right } => {
                compare_values(*op, &left.eval(row, ctx), &right.eval(row, ctx))
            }
            PhysExpr::Match { matcher, left } => {
                let v = left.eval(row, ctx);
                Value::Bool(matcher.matches(&text(&v)))
            }
            PhysExpr::MatchDynamic { op, left, right } => {
                let l = left.eval(row, ctx);
                let r = right.eval(row, ctx);
                match Matcher::new(*op, &text(&r)) {
                    Ok(m) => Value::Bool(m.matches(&text(&l))),
                    Err(_) => Value::Null,
                }
            }
            PhysExpr::InList { op, left, items } => {
                in_list(*op, &left.eval(row, ctx), items, row, ctx)
            }
            PhysExpr::Between {
                negated,
                expr,
                low,
                high,
            } => {
                let v = expr.eval(row, ctx);
                let lo = low.eval(row, ctx);
                let hi = high.eval(row, ctx);
                match (compare::order(&v, &lo), compare::order(&v, &hi)) {
                    (Some(a), Some(b)) => {
                        let inside = a != Ordering::Less && b != Ordering::Greater;
                        Value::Bool(inside != *negated)
                    }
                    _ => Value::Null,
                }
            }
            PhysExpr::Member { target, key } => member(&target.eval(row, ctx), key),
            PhysExpr::Index { target, index } => {
                index_value(&target.eval(row, ctx), &index.eval(row, ctx))
            }
            PhysExpr::JsonPath { base, steps } => {
                if let PhysExpr::Column(c) = **base {
                    if let Some(doc) = row.json_doc(c) {
                        return doc.walk(steps);
                    }
                    if let Some(cache) = &ctx.json_paths
                        && let Value::String(text) = row.column(c)
                    {
                        return cache.get_or(&text, steps, || {
                            Doc::new(std::borrow::Cow::Borrowed(text.as_bytes())).walk(steps)
                        });
                    }
                }
                let text = match base.eval(row, ctx) {
                    Value::String(s) => s,
                    Value::Null => Str::default(),
                    other => Str::from(to_kusto_string(&other)),
                };
                Doc::new(std::borrow::Cow::Borrowed(text.as_bytes())).walk(steps)
            }
        }
    }
}

/// Three-valued `and`/`or`: `false and ∅ → false`, `true or ∅ → true`,
/// otherwise a null operand makes the result null (docs/semantics.md#logic, #nulls).
fn logical(op: LogicalOp, args: &[PhysExpr], row: &dyn Row, ctx: &EvalContext) -> Value {
    let decisive = op == LogicalOp::Or;
    let mut saw_null = false;
    for a in args {
        match a.eval(row, ctx) {
            Value::Bool(b) if b == decisive => return Value::Bool(decisive),
            Value::Bool(_) => {}
            _ => saw_null = true,
        }
    }
    if saw_null {
        Value::Null
    } else {
        Value::Bool(!decisive)
    }
}

/// `in`, `!in`, `in~`, `!in~`, `has_any`, `has_all`. Array items contribute
/// their elements. `null in (...)` is false and `null !in (...)` true
/// (docs/semantics.md#lists).
fn in_list(
    op: ListKind,
    left: &Value,
    items: &[PhysExpr],
    row: &dyn Row,
    ctx: &EvalContext,
) -> Value {
    let mut values: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        match item.eval(row, ctx) {
            Value::Array(elements) => values.extend(elements.iter().cloned()),
            v => values.push(v),
        }
    }
    match op {
        ListKind::In {
            negated,
            case_sensitive,
        } => {
            let found =
                !left.is_null() && values.iter().any(|v| list_equal(left, v, case_sensitive));
            Value::Bool(found != negated)
        }
        ListKind::HasAny | ListKind::HasAll => {
            let hay = text(left);
            let mut hits = values.iter().map(|v| {
                Matcher::new(
                    StringOp {
                        kind: StringOpKind::Has,
                        negated: false,
                        case_sensitive: false,
                    },
                    &text(v),
                )
                .is_ok_and(|m| m.matches(&hay))
            });
            Value::Bool(if op == ListKind::HasAny {
                hits.any(|h| h)
            } else {
                hits.all(|h| h)
            })
        }
    }
}

fn list_equal(left: &Value, item: &Value, case_sensitive: bool) -> bool {
    match left {
        Value::String(s) => {
            let other = text(item);
            if item.is_null() {
                return s.is_empty();
            }
            if case_sensitive {
                s.as_str() == other
            } else {
                equals_ignore_case(s, &other)
            }
        }
        _ => compare::equal(left, item).unwrap_or(false),
    }
}

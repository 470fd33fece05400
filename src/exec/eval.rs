//! Evaluating physical expressions on a row, with KQL's null rules
//! (docs/semantics.md#nulls): a failed conversion or a missing value is null, never
//! an error.

use super::expr::{PhysExpr, lower};
use super::json_doc::Doc;
use crate::functions::{EvalContext, to_kusto_string, to_string_value};
use crate::plan::expr::{ArithOp, CompareOp, ListKind, LogicalOp, ScalarExpr};
use crate::types::DataType;
use crate::value::{DateTime, Guid, Str, Timespan, Value, compare};
use smallvec::SmallVec;
use std::cmp::Ordering;

/// Read access to the columns of one row.
pub trait Row {
    fn column(&self, index: usize) -> Value;

    /// Column `index` as a JSON document, checked once per row and shared
    /// by every path read from it; `None` when the row keeps no such cache
    /// (the caller then builds a document for its own use).
    fn json_doc(&self, _index: usize) -> Option<&Doc<'_>> {
        None
    }
}

impl Row for [Value] {
    fn column(&self, index: usize) -> Value {
        self.get(index).cloned().unwrap_or(Value::Null)
    }
}

impl Row for &[Value] {
    fn column(&self, index: usize) -> Value {
        (**self).column(index)
    }
}

impl Row for Vec<Value> {
    fn column(&self, index: usize) -> Value {
        self.as_slice().column(index)
    }
}

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
        if let crate::plan::expr::ScalarKind::Call { function, .. } = &x.kind
            && !function.pure
        {
            return false;
        }
        stack.extend(x.children());
    }
    true
}

/// The null of a type: `""` for strings, which are never null in KQL.
pub fn null_of(ty: DataType) -> Value {
    if ty == DataType::String {
        Value::empty_string()
    } else {
        Value::Null
    }
}

/// Makes a value fit its column type: a null string is `""`, an `int`
/// column holds `Value::Int`.
pub fn normalize(v: Value, ty: DataType) -> Value {
    match (ty, v) {
        (DataType::String, Value::Null) => Value::empty_string(),
        (DataType::Int, Value::Long(i)) => i32::try_from(i).map_or(Value::Null, Value::Int),
        (DataType::Long, Value::Int(i)) => Value::Long(i64::from(i)),
        (DataType::Real | DataType::Decimal, Value::Int(i)) => Value::Real(f64::from(i)),
        (DataType::Real | DataType::Decimal, Value::Long(i)) => Value::Real(i as f64),
        (_, v) => v,
    }
}

/// Converts a value to `to` for a comparison or an implicit conversion.
/// Numbers keep their width (comparisons handle mixed widths); a value
/// that does not convert becomes null, or `""` for strings.
pub fn cast(v: Value, to: DataType) -> Value {
    match to {
        DataType::String => to_string_value(&v),
        DataType::Dynamic => v,
        DataType::Int | DataType::Long | DataType::Real | DataType::Decimal => match v {
            Value::Int(_) | Value::Long(_) | Value::Real(_) => v,
            Value::String(s) => crate::value::number::parse_long(&s)
                .map(Value::Long)
                .or_else(|| crate::value::number::parse_real(&s).map(Value::Real))
                .unwrap_or(Value::Null),
            Value::Bool(b) => Value::Long(i64::from(b)),
            _ => Value::Null,
        },
        DataType::DateTime => match v {
            Value::DateTime(_) => v,
            Value::String(s) => DateTime::parse(&s).map_or(Value::Null, Value::DateTime),
            _ => Value::Null,
        },
        DataType::Timespan => match v {
            Value::Timespan(_) => v,
            Value::String(s) => Timespan::parse(&s).map_or(Value::Null, Value::Timespan),
            _ => Value::Null,
        },
        DataType::Bool => match v {
            Value::Bool(_) => v,
            Value::Int(i) => Value::Bool(i != 0),
            Value::Long(i) => Value::Bool(i != 0),
            Value::String(s) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
                t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
                _ => Value::Null,
            },
            _ => Value::Null,
        },
        DataType::Guid => match v {
            Value::Guid(_) => v,
            Value::String(s) => Guid::parse(&s).map_or(Value::Null, Value::Guid),
            _ => Value::Null,
        },
    }
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
                Value::Bool(matcher.matches(&text_of(&v)))
            }
            PhysExpr::MatchDynamic { op, left, right } => {
                let l = left.eval(row, ctx);
                let r = right.eval(row, ctx);
                match super::string_match::Matcher::new(*op, &text_of(&r)) {
                    Ok(m) => Value::Bool(m.matches(&text_of(&l))),
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
                if let PhysExpr::Column(c) = **base
                    && let Some(doc) = row.json_doc(c)
                {
                    return doc.walk(steps);
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

fn text_of(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(to_kusto_string(other)),
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

/// `==` and friends on two values already converted to one domain:
/// `∅ == x → false`, `∅ != x → true`, `∅ == ∅ → ∅`, orderings with null → ∅.
pub fn compare_values(op: CompareOp, l: &Value, r: &Value) -> Value {
    match op {
        CompareOp::Eq | CompareOp::NotEq => {
            let eq = match (l.is_null(), r.is_null()) {
                (true, true) => return Value::Null,
                (true, false) | (false, true) => false,
                (false, false) => compare::equal(l, r).unwrap_or(false),
            };
            Value::Bool(eq == (op == CompareOp::Eq))
        }
        _ => match compare::order(l, r) {
            Some(o) => Value::Bool(match op {
                CompareOp::Lt => o == Ordering::Less,
                CompareOp::Le => o != Ordering::Greater,
                CompareOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }),
            None => Value::Null,
        },
    }
}

fn negate(v: Value) -> Value {
    match v {
        Value::Int(i) => i.checked_neg().map_or(Value::Null, Value::Int),
        Value::Long(i) => Value::Long(i.wrapping_neg()),
        Value::Real(r) => Value::Real(-r),
        Value::Timespan(t) => Value::Timespan(Timespan(t.0.wrapping_neg())),
        _ => Value::Null,
    }
}

fn datetime_value(ticks: Option<i64>) -> Value {
    ticks
        .filter(|t| (DateTime::MIN.0..=DateTime::MAX.0).contains(t))
        .map_or(Value::Null, |t| Value::DateTime(DateTime(t)))
}

/// Arithmetic (docs/semantics.md#arithmetic): integers wrap like .NET's unchecked
/// arithmetic, integer division truncates, `%` is never negative, division
/// by an integer zero is null.
pub fn arithmetic(op: ArithOp, l: Value, r: Value) -> Value {
    use Value::*;
    match (&l, &r) {
        (Null, _) | (_, Null) => Null,
        (Int(_) | Long(_), Int(_) | Long(_)) => {
            let (a, b) = (l.as_i64().unwrap_or(0), r.as_i64().unwrap_or(0));
            match op {
                ArithOp::Add => Long(a.wrapping_add(b)),
                ArithOp::Sub => Long(a.wrapping_sub(b)),
                ArithOp::Mul => Long(a.wrapping_mul(b)),
                ArithOp::Div if b == 0 => Null,
                ArithOp::Div => Long(a.wrapping_div(b)),
                ArithOp::Mod if b == 0 => Null,
                ArithOp::Mod => a.checked_rem_euclid(b).map_or(Null, Long),
            }
        }
        (Int(_) | Long(_) | Real(_), Int(_) | Long(_) | Real(_)) => {
            let (a, b) = (l.as_f64().unwrap_or(0.0), r.as_f64().unwrap_or(0.0));
            Real(match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div => a / b,
                ArithOp::Mod => a.rem_euclid(b),
            })
        }
        (DateTime(a), DateTime(b)) if op == ArithOp::Sub => {
            Timespan(crate::value::Timespan(a.0.wrapping_sub(b.0)))
        }
        (DateTime(a), Timespan(b)) => match op {
            ArithOp::Add => datetime_value(a.0.checked_add(b.0)),
            ArithOp::Sub => datetime_value(a.0.checked_sub(b.0)),
            _ => Null,
        },
        (Timespan(a), DateTime(b)) if op == ArithOp::Add => datetime_value(b.0.checked_add(a.0)),
        (Timespan(a), Timespan(b)) => match op {
            ArithOp::Add => Timespan(crate::value::Timespan(a.0.wrapping_add(b.0))),
            ArithOp::Sub => Timespan(crate::value::Timespan(a.0.wrapping_sub(b.0))),
            ArithOp::Div if b.0 == 0 => Null,
            ArithOp::Div => Real(a.0 as f64 / b.0 as f64),
            ArithOp::Mod if b.0 == 0 => Null,
            ArithOp::Mod => Timespan(crate::value::Timespan(a.0.rem_euclid(b.0))),
            ArithOp::Mul => Null,
        },
        (Timespan(a), _) if matches!(op, ArithOp::Mul | ArithOp::Div) => {
            let Some(n) = r.as_f64() else { return Null };
            let ticks = if op == ArithOp::Mul {
                a.0 as f64 * n
            } else {
                a.0 as f64 / n
            };
            scaled_timespan(ticks)
        }
        (_, Timespan(b)) if op == ArithOp::Mul => {
            let Some(n) = l.as_f64() else { return Null };
            scaled_timespan(b.0 as f64 * n)
        }
        _ => Null,
    }
}

fn scaled_timespan(ticks: f64) -> Value {
    if ticks.is_finite() && ticks.abs() < 9.2e18 {
        Value::Timespan(Timespan(ticks.round() as i64))
    } else {
        Value::Null
    }
}

/// `d.key`: a property of a bag; null for anything else.
pub fn member(target: &Value, key: &str) -> Value {
    match target {
        Value::Bag(b) => b.get(key).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// `d[i]`: an array element, negative indexes counting from the end; a
/// string index reads a property.
pub fn index_value(target: &Value, index: &Value) -> Value {
    match (target, index) {
        (Value::Array(items), i) => match i.as_i64() {
            Some(i) => {
                let len = items.len() as i64;
                let at = if i < 0 { len + i } else { i };
                usize::try_from(at)
                    .ok()
                    .and_then(|at| items.get(at))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            None => Value::Null,
        },
        (Value::Bag(_), Value::String(key)) => member(target, key),
        _ => Value::Null,
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
            let text = text_of(left);
            let mut hits = values.iter().map(|v| {
                super::string_match::Matcher::new(
                    crate::syntax::ast::StringOp {
                        kind: crate::syntax::ast::StringOpKind::Has,
                        negated: false,
                        case_sensitive: false,
                    },
                    &text_of(v),
                )
                .is_ok_and(|m| m.matches(&text))
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
            let other = text_of(item);
            if item.is_null() {
                return s.is_empty();
            }
            if case_sensitive {
                s.as_str() == other
            } else {
                super::string_match::equals_ignore_case(s, &other)
            }
        }
        _ => compare::equal(left, item).unwrap_or(false),
    }
}

/// A string value that is never null.
pub fn string_value(s: &str) -> Value {
    Value::String(Str::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_truncates_and_modulo_is_not_negative() {
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Long(1), Value::Long(2)),
            Value::Long(0)
        );
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Long(-7), Value::Long(2)),
            Value::Long(-3)
        );
        assert_eq!(
            arithmetic(ArithOp::Mod, Value::Long(-14), Value::Long(12)),
            Value::Long(10)
        );
        assert_eq!(
            arithmetic(ArithOp::Mod, Value::Long(14), Value::Long(-12)),
            Value::Long(2)
        );
        assert_eq!(
            arithmetic(ArithOp::Mod, Value::Long(-14), Value::Long(-12)),
            Value::Long(10)
        );
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Long(1), Value::Long(0)),
            Value::Null
        );
        assert_eq!(
            arithmetic(ArithOp::Div, Value::Real(1.0), Value::Long(2)),
            Value::Real(0.5)
        );
    }

    #[test]
    fn null_comparisons_follow_the_kql_table() {
        assert_eq!(
            compare_values(CompareOp::Eq, &Value::Null, &Value::Long(1)),
            Value::Bool(false)
        );
        assert_eq!(
            compare_values(CompareOp::NotEq, &Value::Null, &Value::Long(1)),
            Value::Bool(true)
        );
        assert_eq!(
            compare_values(CompareOp::Eq, &Value::Null, &Value::Null),
            Value::Null
        );
        assert_eq!(
            compare_values(CompareOp::Lt, &Value::Null, &Value::Long(1)),
            Value::Null
        );
    }

    #[test]
    fn negative_index_counts_from_the_end() {
        let a = Value::array(vec![Value::Long(1), Value::Long(2), Value::Long(3)]);
        assert_eq!(index_value(&a, &Value::Long(-1)), Value::Long(3));
        assert_eq!(index_value(&a, &Value::Long(-4)), Value::Null);
        assert_eq!(index_value(&a, &Value::Long(3)), Value::Null);
    }
}

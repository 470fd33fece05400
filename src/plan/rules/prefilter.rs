//! `DerivePrefilter`: text a line must contain to produce a row that
//! survives the filters directly above its scan.
//!
//! `where Category == "kube-audit"` can only be true for a line whose bytes
//! contain `kube-audit`; `where parse_json(log_s).verb == "create"` only for
//! one containing `create` (inside the JSON text of `log_s`, at whatever
//! depth of string-in-string encoding). The executor then rejects most lines
//! with a substring search, before any JSON is read.
//!
//! What makes this exact:
//! * Only predicates on values read verbatim from the line count
//!   ("text-preserving": string or dynamic columns, JSON paths into them,
//!   `tostring` and `parse_json` of those). A computed value
//!   (`strcat(...)`, `tolower(x)`) proves nothing about the line.
//! * A needle is a piece of the literal with no character JSON may escape
//!   (`"`, `\`, `/`, control characters, anything non-ASCII): every JSON
//!   encoding of the value, nested any number of times, contains it as is —
//!   except one using `\uXXXX` escapes, so the executor never rejects a line
//!   that contains `\u`.
//! * Literals that read as numbers are skipped: a number's text in the line
//!   (`1.50`, `15e-1`) need not contain the literal (`1.5`).
//! * Case-insensitive operators fold ASCII only; needles are ASCII, and the
//!   string matcher never folds a non-ASCII character onto ASCII.
//! * Filters are looked at only through `where` and `project`/`extend`
//!   directly above the scan: anything else (`take`, `summarize`…) changes
//!   which rows reach the filter.

use super::{ApplyOrder, Rule};
use crate::plan::expr::{ListKind, LogicalOp, ScalarExpr, ScalarKind, StringOpKind};
use crate::plan::logical::{Filter, LogicalPlan, Needle, Prefilter};
use crate::plan::tree::TreeNode;
use crate::types::DataType;
use crate::value::Value;
use crate::value::ops::CompareOp;

pub struct DerivePrefilter;

/// Needles shorter than this reject too few lines to pay for the search.
const MIN_NEEDLE: usize = 3;

impl Rule for DerivePrefilter {
    fn name(&self) -> &'static str {
        "derive_prefilter"
    }

    /// Bottom-up, so the needles of the lowest filter come first.
    fn apply_order(&self) -> Option<ApplyOrder> {
        Some(ApplyOrder::BottomUp)
    }

    /// A filter over a chain of filters and projections down to a scan
    /// adds its needles to the scan.
    fn rewrite(&self, plan: LogicalPlan) -> LogicalPlan {
        let LogicalPlan::Filter(filter) = plan else {
            return plan;
        };
        let groups = resolve(&filter.predicate, &filter.input)
            .map(|e| required(&e))
            .unwrap_or_default();
        if groups.is_empty() {
            return LogicalPlan::Filter(filter);
        }
        LogicalPlan::Filter(Filter {
            input: Box::new(add_needles(*filter.input, &groups)),
            ..filter
        })
    }
}

/// Adds `groups` to the prefilter of the scan at the bottom of a chain of
/// filters and projections.
fn add_needles(plan: LogicalPlan, groups: &[Vec<Needle>]) -> LogicalPlan {
    match plan {
        LogicalPlan::Scan(mut scan) => {
            let mut all_of = scan.prefilter.take().map(|p| p.all_of).unwrap_or_default();
            for g in groups {
                if !all_of.contains(g) {
                    all_of.push(g.clone());
                }
            }
            scan.prefilter = Some(Prefilter { all_of });
            LogicalPlan::Scan(scan)
        }
        chain @ (LogicalPlan::Filter(_) | LogicalPlan::Project(_)) => {
            chain.map_children(&mut |input| add_needles(input, groups))
        }
        other => other,
    }
}

/// `predicate` over the columns of the scan at the bottom of `chain`, a
/// chain of filters and projections (column references replaced by the
/// expressions that computed them); `None` if the chain holds something
/// else.
fn resolve(predicate: &ScalarExpr, chain: &LogicalPlan) -> Option<ScalarExpr> {
    match chain {
        LogicalPlan::Scan(_) => Some(predicate.clone()),
        LogicalPlan::Filter(filter) => resolve(predicate, &filter.input),
        LogicalPlan::Project(project) => {
            let substituted = substitute(predicate.clone(), &project.exprs)?;
            resolve(&substituted, &project.input)
        }
        _ => None,
    }
}

fn substitute(mut e: ScalarExpr, exprs: &[ScalarExpr]) -> Option<ScalarExpr> {
    if let ScalarKind::Column { index } = e.kind {
        return exprs.get(index).cloned();
    }
    for child in e.children_mut() {
        let taken = std::mem::replace(
            child,
            ScalarExpr::literal(Value::Null, DataType::Dynamic, child.span),
        );
        *child = substitute(taken, exprs)?;
    }
    Some(e)
}

/// The needle groups every row satisfying `e` must meet.
fn required(e: &ScalarExpr) -> Vec<Vec<Needle>> {
    match &e.kind {
        ScalarKind::Logical {
            op: LogicalOp::And,
            args,
        } => args.iter().flat_map(required).collect(),
        ScalarKind::Logical {
            op: LogicalOp::Or,
            args,
        } => {
            // Each branch must be constrained; one group per branch, merged.
            let mut any = Vec::new();
            for a in args {
                let mut groups = required(a);
                if groups.is_empty() {
                    return Vec::new();
                }
                // The group with the longest shortest needle is the most selective.
                groups.sort_by_key(|g| {
                    std::cmp::Reverse(g.iter().map(|n| n.text.len()).min().unwrap_or(0))
                });
                any.append(&mut groups.swap_remove(0));
            }
            vec![any]
        }
        ScalarKind::Compare {
            op: CompareOp::Eq,
            left,
            right,
        } => match (literal_text(right), literal_text(left)) {
            (Some(s), _) if preserves_text(left) => equality_needle(left, s)
                .into_iter()
                .map(|n| vec![n])
                .collect(),
            (_, Some(s)) if preserves_text(right) => equality_needle(right, s)
                .into_iter()
                .map(|n| vec![n])
                .collect(),
            _ => Vec::new(),
        },
        ScalarKind::StringMatch { op, left, right } => {
            let kind_ok = matches!(
                op.kind,
                StringOpKind::Equals
                    | StringOpKind::Has
                    | StringOpKind::HasPrefix
                    | StringOpKind::HasSuffix
                    | StringOpKind::Contains
                    | StringOpKind::StartsWith
                    | StringOpKind::EndsWith
            );
            match literal_text(right) {
                Some(s) if kind_ok && !op.negated && preserves_text(left) => {
                    needle(s, op.case_sensitive)
                        .into_iter()
                        .map(|n| vec![n])
                        .collect()
                }
                _ => Vec::new(),
            }
        }
        ScalarKind::InList { op, left, items } => {
            let case_sensitive = match op {
                ListKind::In {
                    negated: false,
                    case_sensitive,
                } => *case_sensitive,
                ListKind::HasAny => false,
                _ => return Vec::new(),
            };
            if !preserves_text(left) {
                return Vec::new();
            }
            let mut any = Vec::new();
            for item in items {
                let texts: Vec<String> = match item.as_literal() {
                    Some(Value::String(s)) => vec![s.to_string()],
                    Some(Value::Array(a)) => {
                        match a.iter().map(|v| v.as_str().map(str::to_string)).collect() {
                            Some(t) => t,
                            None => return Vec::new(),
                        }
                    }
                    _ => return Vec::new(),
                };
                for t in texts {
                    match needle(&t, case_sensitive) {
                        Some(n) => any.push(n),
                        // An unusable item (too short, a number...) could match
                        // without any needle: the list proves nothing.
                        None => return Vec::new(),
                    }
                }
            }
            if any.is_empty() {
                Vec::new()
            } else {
                vec![any]
            }
        }
        _ => Vec::new(),
    }
}

fn literal_text(e: &ScalarExpr) -> Option<&str> {
    match &e.kind {
        ScalarKind::Literal {
            value: Value::String(s),
        } => Some(s.as_str()),
        ScalarKind::Cast { operand } => literal_text(operand),
        _ => None,
    }
}

/// Whether `e`'s text, when it is a string, appears in the line verbatim
/// (up to JSON escaping).
fn preserves_text(e: &ScalarExpr) -> bool {
    match &e.kind {
        ScalarKind::Column { .. } => matches!(e.ty, DataType::String | DataType::Dynamic),
        ScalarKind::Cast { operand } => e.ty == DataType::String && preserves_text(operand),
        ScalarKind::Call { function, args }
            if matches!(function.name, "tostring" | "parse_json") =>
        {
            args.len() == 1 && preserves_text(&args[0])
        }
        ScalarKind::JsonPath { base, .. } => preserves_text(base),
        ScalarKind::Member { target, .. } => preserves_text(target),
        ScalarKind::Index { target, .. } => preserves_text(target),
        _ => false,
    }
}

/// The needle for `value == literal`. When `value` is a top-level string
/// column, the line holds the literal as a whole JSON string, quotes
/// included: `"kube-apiserver"` does not match the pod name
/// `"kube-apiserver-6797f4455b-jdgtt"`. (Not for text a non-string JSON
/// value could print as: `true`, `null`, numbers, objects.)
fn equality_needle(value: &ScalarExpr, literal: &str) -> Option<Needle> {
    let top_level_string =
        matches!(value.kind, ScalarKind::Column { .. }) && value.ty == DataType::String;
    let whole = !literal.is_empty()
        && literal
            .chars()
            .all(|c| c.is_ascii() && !c.is_ascii_control() && !matches!(c, '"' | '\\' | '/'))
        && !matches!(literal, "true" | "false" | "null")
        && !literal.starts_with(['{', '['])
        && literal.trim().parse::<f64>().is_err();
    if top_level_string && whole {
        return Some(Needle {
            text: format!("\"{literal}\""),
            case_sensitive: true,
        });
    }
    needle(literal, true)
}

/// The longest run of `literal` that any JSON encoding keeps as is.
fn needle(literal: &str, case_sensitive: bool) -> Option<Needle> {
    if literal.trim().parse::<f64>().is_ok() {
        return None;
    }
    let best = literal
        .split(|c: char| !c.is_ascii() || c.is_ascii_control() || matches!(c, '"' | '\\' | '/'))
        .max_by_key(|piece| piece.len())?;
    (best.len() >= MIN_NEEDLE).then(|| Needle {
        text: best.to_string(),
        case_sensitive,
    })
}

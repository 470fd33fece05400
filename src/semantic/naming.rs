//! Names of computed columns the query does not name
//! (docs/semantics.md#column-names, after the official analyzer's `Binder_Projection`).

use crate::functions::{Naming, lookup_aggregate, lookup_scalar};
use crate::syntax::ast::{Expr, ExprKind, Literal};

/// The name Kusto gives the column computed by `expr`, if the expression
/// implies one: a column keeps its name, `d.a` becomes `d_a`, `tostring(x)`
/// takes `x`, `strlen(x)` becomes `strlen_x`, `count()` becomes `count_`.
pub fn implied_name(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name { name } => Some(name.name.clone()),
        ExprKind::Paren { expr } => implied_name(expr),
        ExprKind::Member { target, name } => {
            Some(format!("{}_{}", implied_name(target)?, name.name))
        }
        ExprKind::Index { target, index } => {
            let base = implied_name(target)?;
            let suffix = match &index.kind {
                ExprKind::Literal {
                    value: Literal::String(s),
                } => s.clone(),
                ExprKind::Literal {
                    value: Literal::Long(i),
                } => i.to_string(),
                ExprKind::Unary { operand, .. } => match &operand.kind {
                    ExprKind::Literal {
                        value: Literal::Long(i),
                    } => format!("_{i}"),
                    _ => return None,
                },
                _ => implied_name(index)?,
            };
            Some(format!("{base}_{suffix}"))
        }
        ExprKind::Call { name, args } => call_name(&name.name, args),
        // A named argument names what it is passed to: `bin(Minute =
        // Timestamp, 1m)` is the column `Minute` (Kusto.Language's
        // `GetExpressionResultName` of a `SimpleNamedExpression`).
        ExprKind::NamedArg { name, .. } => Some(name.name.clone()),
        _ => None,
    }
}

fn call_name(function: &str, args: &[Expr]) -> Option<String> {
    let first = || args.first().and_then(implied_name);
    if let Some(aggregate) = lookup_aggregate(function)
        && (args.len() <= aggregate.max_args || lookup_scalar(function).is_none())
    {
        return match aggregate.name {
            // `take_any(x)`, `take_anyif(x, p)` and `arg_max(x, ...)` keep the
            // argument's name (the take-anyif-aggregation-function page's output
            // column is `EventType`); the deprecated `any(x)` is `any_x` and
            // `anyif(x, p)` is `anyif_x` (take-any-aggregation-function).
            "take_any" | "take_anyif" | "arg_max" | "arg_min" | "argmax" | "argmin" => first(),
            // `covariance(x, y)` → `covariance_x_y` (covariance-aggregation-function).
            "covariance" | "covariancep" | "covarianceif" | "covariancepif" => Some(format!(
                "{}_{}_{}",
                aggregate.prefix,
                first().unwrap_or_default(),
                args.get(1).and_then(implied_name).unwrap_or_default()
            )),
            // `percentile(x, 55)` and `percentilew(x, w, 55)` → `percentile_x_55`.
            "percentile" | "percentilew" => {
                let at = if aggregate.name == "percentile" { 1 } else { 2 };
                let p = match args.get(at).map(|a| &a.kind) {
                    Some(ExprKind::Literal {
                        value: Literal::Long(n),
                    }) => n.to_string(),
                    Some(ExprKind::Literal {
                        value: Literal::Real(r),
                    }) => r.to_string().replace('.', "_"),
                    _ => String::new(),
                };
                Some(format!("percentile_{}_{p}", first().unwrap_or_default()))
            }
            _ => Some(format!(
                "{}_{}",
                aggregate.prefix,
                first().unwrap_or_default()
            )),
        };
    }
    // `column_ifexists("State", "")` is named `State`, whether or not the
    // column exists (the column-ifexists-function page's output).
    if matches!(function, "column_ifexists" | "columnifexists")
        && let Some(ExprKind::Literal {
            value: Literal::String(name),
        }) = args.first().map(|a| &a.kind)
    {
        return Some(name.clone());
    }
    match lookup_scalar(function)?.naming {
        Naming::FirstArgument => first(),
        Naming::Prefixed => Some(format!("{function}_{}", first()?)),
        Naming::PrefixedWith(prefix) => Some(format!("{prefix}_{}", first()?)),
        Naming::Fixed(name) => Some(name.to_string()),
        Naming::Generic => None,
    }
}

/// `name`, or `name1`, `name2`… : the first that `taken` does not hold
/// (duplicate generated names, docs/semantics.md#column-names).
pub fn unique_name(name: &str, taken: &dyn Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_string();
    }
    (1..)
        .map(|i| format!("{name}{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| name.to_string())
}

/// `Column1`, `Column2`…: the fallback for expressions with no implied name.
pub fn generic_name(taken: &dyn Fn(&str) -> bool) -> String {
    (1..)
        .map(|i| format!("Column{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| "Column".to_string())
}

//! Column-shaping operators: `extend`, `project`, `project-away`,
//! `project-keep`, `project-rename`, `project-reorder`.

use super::bind::Binder;
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::Scope;
use super::suggest::did_you_mean;
use super::tabular::*;
use super::window::WindowCollector;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{LogicalPlan, Project};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{self, NamePattern, NamedExpr};
use crate::types::DataType;
use crate::value::Value;
use std::cell::RefCell;

impl Binder<'_> {
    /// `project-away` (or, with `keep`, `project-keep`): the remaining
    /// columns keep their input order.
    pub(super) fn project_away(
        &mut self,
        input: LogicalPlan,
        columns: &[NamePattern],
        keep: bool,
    ) -> Bound {
        let schema = input.schema().clone();
        let operator = if keep { "project-keep" } else { "project-away" };
        let matched = match_patterns(&schema, columns, operator)?;
        let positions: Vec<usize> = (0..schema.len())
            .filter(|i| matched.contains(i) == keep)
            .collect();
        Ok(select_columns(input, &positions))
    }

    /// `project-by-names spec, ...` (project-by-names-operator): each spec
    /// is evaluated when the query is bound, to a name, a `*` pattern, or
    /// a dynamic array of them (`column_names_of(T)`, a parameter); the
    /// columns come out in the order specified or matched, each once, and
    /// names that match no column are ignored, as the page says. A spec
    /// that is not a constant (`toscalar(...)`, a column) is refused: the
    /// page says subqueries and `toscalar()` are not supported there.
    pub(super) fn project_by_names(&mut self, input: LogicalPlan, columns: &[ast::Expr]) -> Bound {
        let schema = input.schema().clone();
        let mut order: Vec<usize> = Vec::new();
        let mut errors = Vec::new();
        for spec in columns {
            let names = match self.specifier_names(spec) {
                Ok(names) => names,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            for name in names {
                for i in 0..schema.len() {
                    if wildcard_match(&name, &schema.fields[i].name) && !order.contains(&i) {
                        order.push(i);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(select_columns(input, &order))
    }

    /// The names (or patterns) a `project-by-names` spec gives.
    fn specifier_names(&mut self, spec: &ast::Expr) -> Result<Vec<String>, BindError> {
        let refuse = |what: &str| {
            BindError::new(
                BindErrorKind::Type,
                spec.span,
                format!(
                    "'project-by-names' operator: a column specifier must be a constant string or dynamic array of column names, not {what}"
                ),
            )
        };
        let empty = Schema::default();
        let bound = self.scalar(spec, &Scope::new(&empty, "project-by-names"))?;
        if reads_subquery(&bound) {
            return Err(refuse("a subquery or toscalar()"));
        }
        match crate::plan::eval::eval_constant(&bound, &self.ctx) {
            Some(Value::String(s)) => Ok(vec![s.to_string()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.to_string()),
                    _ => Err(refuse("an array holding a value that is not a string")),
                })
                .collect(),
            Some(Value::Null) if bound.ty == DataType::Dynamic => Ok(Vec::new()),
            _ => Err(refuse(&format!("a value of type {}", bound.ty))),
        }
    }

    /// `project-reorder`: the named columns first, in the order given; a
    /// wildcard's matches sorted by name for `asc`/`desc`, with digit runs
    /// compared as numbers for `granny-asc`/`granny-desc` (a2 < a10).
    pub(super) fn project_reorder(
        &mut self,
        input: LogicalPlan,
        columns: &[ast::ReorderItem],
    ) -> Bound {
        let schema = input.schema().clone();
        let mut order = Vec::new();
        for item in columns {
            let mut hits = match_patterns(
                &schema,
                std::slice::from_ref(&item.pattern),
                "project-reorder",
            )?;
            let name = |i: &usize| schema.fields[*i].name.as_str();
            match item.order.as_ref().map(|o| o.name.as_str()) {
                Some("asc") => hits.sort_by(|a, b| name(a).cmp(name(b))),
                Some("desc") => hits.sort_by(|a, b| name(b).cmp(name(a))),
                Some("granny-asc") => hits.sort_by(|a, b| natural_cmp(name(a), name(b))),
                Some("granny-desc") => hits.sort_by(|a, b| natural_cmp(name(b), name(a))),
                _ => {}
            }
            for i in hits {
                if !order.contains(&i) {
                    order.push(i);
                }
            }
        }
        let rest: Vec<usize> = (0..schema.len()).filter(|i| !order.contains(i)).collect();
        order.extend(rest);
        Ok(select_columns(input, &order))
    }

    /// `extend`: later items see the columns earlier items made; a name
    /// that exists is replaced in place (docs/semantics.md#extend-in-place).
    pub(super) fn extend(
        &mut self,
        input: LogicalPlan,
        columns: &[NamedExpr],
        operator: &str,
    ) -> Bound {
        let mut schema = input.schema().clone();
        let mut exprs: Vec<ScalarExpr> = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| ScalarExpr::column(i, f.ty, Span::default()))
            .collect();
        let mut errors = Vec::new();
        let window = RefCell::new(WindowCollector::default());
        let input_columns = schema.fields.len();
        for item in columns {
            let calls_before = window.borrow().len();
            let scope = Scope::new(&schema, operator)
                .with_window(&window)
                .with_input_columns(input_columns);
            let bound = match self.scalar(&item.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            // Rewrite references to columns made earlier in this operator.
            let bound = substitute(bound, &exprs);
            window
                .borrow_mut()
                .map_args_from(calls_before, &|a| substitute(a, &exprs));
            if let Some(columns) = tuple_item(item, &bound) {
                match columns {
                    Ok(columns) => {
                        for (name, e) in columns {
                            let field = Field::new(name.clone(), e.ty);
                            match schema.index_of(&name) {
                                Some(i) => {
                                    schema.fields[i] = field;
                                    exprs[i] = e;
                                }
                                None => {
                                    schema.fields.push(field);
                                    exprs.push(e);
                                }
                            }
                        }
                    }
                    Err(e) => errors.push(e),
                }
                continue;
            }
            let name = match item.names.as_slice() {
                [] => implied_name(&item.expr)
                    .unwrap_or_else(|| generic_name(&|n| schema.index_of(n).is_some())),
                [one_name] => one_name.name.clone(),
                _ => {
                    errors.push(BindError::new(
                        BindErrorKind::NotSupported,
                        item.span,
                        "assigning several columns at once (`(a, b) = ...`) is not supported yet",
                    ));
                    continue;
                }
            };
            let field = Field::new(name.clone(), bound.ty);
            match schema.index_of(&name) {
                Some(i) => {
                    schema.fields[i] = field;
                    exprs[i] = bound;
                }
                None => {
                    schema.fields.push(field);
                    exprs.push(bound);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let input = self.window_input(input, window.into_inner(), operator, &mut exprs)?;
        Ok(LogicalPlan::Project(Project {
            input: Box::new(input),
            exprs,
            schema,
        }))
    }

    /// `project` (and `print`, whose unnamed columns are all `print_<i>`).
    pub(super) fn project(
        &mut self,
        input: LogicalPlan,
        columns: &[NamedExpr],
        operator: &str,
        print: bool,
    ) -> Bound {
        let in_schema = input.schema().clone();
        let mut schema = Schema::default();
        let mut exprs = Vec::new();
        let mut errors = Vec::new();
        let window = RefCell::new(WindowCollector::default());
        for (position, item) in columns.iter().enumerate() {
            let scope = Scope::new(&in_schema, operator).with_window(&window);
            let bound = match self.scalar(&item.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Some(columns) = tuple_item(item, &bound) {
                match columns {
                    Ok(columns) => {
                        for (name, e) in columns {
                            if schema.index_of(&name).is_some() {
                                errors.push(BindError::new(
                                    BindErrorKind::DuplicateColumn,
                                    item.span,
                                    format!("A column with the name '{name}' is already declared."),
                                ));
                                continue;
                            }
                            schema.fields.push(Field::new(name, e.ty));
                            exprs.push(e);
                        }
                    }
                    Err(e) => errors.push(e),
                }
                continue;
            }
            let (name, explicit) = match item.names.as_slice() {
                [] => {
                    let taken = |n: &str| schema.index_of(n).is_some();
                    // `print` names every unnamed column `print_<i>`, even a
                    // name or a call that implies one (`print c2domains` is
                    // `print_0`, as the official analyzer's print operator
                    // names it and published rules read it).
                    let name = match implied_name(&item.expr) {
                        _ if print => format!("print_{position}"),
                        Some(n) => unique_name(&n, &taken),
                        None => generic_name(&taken),
                    };
                    (name, false)
                }
                [n] => (n.name.clone(), true),
                _ => {
                    errors.push(BindError::new(
                        BindErrorKind::NotSupported,
                        item.span,
                        "assigning several columns at once (`(a, b) = ...`) is not supported yet",
                    ));
                    continue;
                }
            };
            if explicit && schema.index_of(&name).is_some() {
                errors.push(BindError::new(
                    BindErrorKind::DuplicateColumn,
                    item.span,
                    format!("A column with the name '{name}' is already declared."),
                ));
                continue;
            }
            let name = unique_name(&name, &|n| schema.index_of(n).is_some());
            schema.fields.push(Field::new(name, bound.ty));
            exprs.push(bound);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let input = self.window_input(input, window.into_inner(), operator, &mut exprs)?;
        Ok(LogicalPlan::Project(Project {
            input: Box::new(input),
            exprs,
            schema,
        }))
    }

    pub(super) fn project_rename(&mut self, input: LogicalPlan, renames: &[ast::Rename]) -> Bound {
        let mut schema = input.schema().clone();
        let mut errors = Vec::new();
        for r in renames {
            match input.schema().index_of(&r.old.name) {
                Some(i) => schema.fields[i].name = r.new.name.clone(),
                None => errors.push(unknown_column(
                    &r.old.name,
                    r.old.span,
                    input.schema(),
                    "project-rename",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let exprs = identity_exprs(input.schema());
        Ok(LogicalPlan::Project(Project {
            input: Box::new(input),
            exprs,
            schema,
        }))
    }
}

/// `(a, b, ...) = f(x)`, or just `f(x)`, where `f` returns several columns
/// (`series_fit_line`): each column's name and expression, an element of
/// `f`'s value. Names not given are `f_x_<suffix>`, as Kusto names them.
/// `None` for any other item.
fn tuple_item(
    item: &NamedExpr,
    bound: &ScalarExpr,
) -> Option<Result<Vec<(String, ScalarExpr)>, BindError>> {
    let ScalarKind::Call { function, args } = &bound.kind else {
        return None;
    };
    if matches!(function.name, "array_sort_asc" | "array_sort_desc") {
        return sorted_arrays_item(item, bound, args);
    }
    let columns = crate::functions::series::tuple_columns(function.name)?;
    if item.names.len() > columns.len() {
        return Some(Err(BindError::new(
            BindErrorKind::Invalid,
            item.span,
            format!(
                "'{}' gives {} columns, but {} names are given",
                function.name,
                columns.len(),
                item.names.len()
            ),
        )));
    }
    let arg_name = match &item.expr.kind {
        ast::ExprKind::Call { args, .. } => args.first().and_then(implied_name),
        _ => None,
    }
    .unwrap_or_default();
    Some(Ok(columns
        .iter()
        .enumerate()
        .map(|(k, (suffix, ty))| {
            let name = item.names.get(k).map_or_else(
                || format!("{}_{arg_name}_{suffix}", function.name),
                |n| n.name.clone(),
            );
            let element = ScalarExpr {
                kind: ScalarKind::Index {
                    target: Box::new(bound.clone()),
                    index: Box::new(ScalarExpr::literal(
                        Value::Long(k as i64),
                        DataType::Long,
                        bound.span,
                    )),
                },
                ty: DataType::Dynamic,
                span: bound.span,
            };
            (name, super::scalar::cast(element, *ty))
        })
        .collect()))
}

/// `array_sort_asc(a, b, ...)` of several arrays: one column per array,
/// named `<argument>_sorted` (`array1_sorted`, the array-sort-asc-function
/// page's example) or as given (`extend (x, y) = array_sort_asc(a, b)`).
/// Decision: an argument without a name of its own (a literal) gives
/// `array<k>_sorted`, k counting from 1. `None` for the one-array form,
/// which is one column like any call.
fn sorted_arrays_item(
    item: &NamedExpr,
    bound: &ScalarExpr,
    args: &[ScalarExpr],
) -> Option<Result<Vec<(String, ScalarExpr)>, BindError>> {
    let arrays = args
        .iter()
        .take_while(|a| a.ty == DataType::Dynamic)
        .count();
    if arrays < 2 {
        return None;
    }
    if item.names.len() > arrays {
        return Some(Err(BindError::new(
            BindErrorKind::Invalid,
            item.span,
            format!(
                "{arrays} arrays are sorted, but {} names are given",
                item.names.len()
            ),
        )));
    }
    let ast_args: &[ast::Expr] = match &item.expr.kind {
        ast::ExprKind::Call { args, .. } => args,
        _ => &[],
    };
    Some(Ok((0..arrays)
        .map(|k| {
            let name = item.names.get(k).map_or_else(
                || {
                    let base = ast_args
                        .get(k)
                        .and_then(implied_name)
                        .unwrap_or_else(|| format!("array{}", k + 1));
                    format!("{base}_sorted")
                },
                |n| n.name.clone(),
            );
            let element = ScalarExpr {
                kind: ScalarKind::Index {
                    target: Box::new(bound.clone()),
                    index: Box::new(ScalarExpr::literal(
                        Value::Long(k as i64),
                        DataType::Long,
                        bound.span,
                    )),
                },
                ty: DataType::Dynamic,
                span: bound.span,
            };
            (name, element)
        })
        .collect()))
}

/// Replaces column references by the expressions that compute them.
pub(super) fn substitute(mut e: ScalarExpr, exprs: &[ScalarExpr]) -> ScalarExpr {
    if let ScalarKind::Column { index } = e.kind
        && let Some(replacement) = exprs.get(index)
    {
        let mut r = replacement.clone();
        r.span = e.span;
        return r;
    }
    let children = e.children_mut();
    for child in children {
        let taken = std::mem::replace(
            child,
            ScalarExpr::literal(Value::Null, DataType::Dynamic, Span::default()),
        );
        *child = substitute(taken, exprs);
    }
    e
}

/// Compares names with runs of digits taken as numbers: `a2 < a10`.
pub(super) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let chunks = |s: &str| -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    };
    let (x, y) = (chunks(a), chunks(b));
    for ((dx, tx), (dy, ty)) in x.iter().zip(&y) {
        let o = if *dx && *dy {
            let (nx, ny) = (tx.trim_start_matches('0'), ty.trim_start_matches('0'));
            nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
        } else {
            tx.cmp(ty)
        };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

pub(super) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Positions of the columns matched by any of `patterns` (in input
/// order). A plain name that matches nothing is an error.
/// Whether `e` uses the value of a subquery (`toscalar(...)`).
fn reads_subquery(e: &ScalarExpr) -> bool {
    use crate::plan::tree::TreeNode;
    e.exists(&mut |n| matches!(n.kind, ScalarKind::Subquery { .. }))
}

pub(super) fn match_patterns(
    schema: &Schema,
    patterns: &[NamePattern],
    operator: &str,
) -> Result<Vec<usize>, Vec<BindError>> {
    let mut matched = Vec::new();
    let mut errors = Vec::new();
    for p in patterns {
        let hits: Vec<usize> = (0..schema.len())
            .filter(|&i| wildcard_match(&p.pattern, &schema.fields[i].name))
            .collect();
        if hits.is_empty() && !p.pattern.contains('*') {
            errors.push(unknown_column(&p.pattern, p.span, schema, operator));
        }
        matched.extend(hits);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    matched.sort_unstable();
    matched.dedup();
    Ok(matched)
}

pub(super) fn unknown_column(name: &str, span: Span, schema: &Schema, operator: &str) -> BindError {
    BindError::new(
        BindErrorKind::UnknownName,
        span,
        format!("'{operator}' operator: Failed to resolve column named '{name}'"),
    )
    .with_label("no such column")
    .with_help(did_you_mean(name, schema.names()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_prefix_suffix_and_middle() {
        assert!(wildcard_match("Dev*", "DeviceEvents"));
        assert!(wildcard_match("*Events", "DeviceEvents"));
        assert!(wildcard_match("D*E*s", "DeviceEvents"));
        assert!(!wildcard_match("Dev*", "SigninLogs"));
        assert!(wildcard_match("exact", "exact"));
        assert!(!wildcard_match("exact", "exactly"));
    }
}

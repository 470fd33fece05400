//! `summarize`, `distinct`, `count`, and the sort keys of `sort` and `top`.

use super::bind::Binder;
use super::naming::{generic_name, implied_name, unique_name};
use super::scalar::{AggregateCollector, Scope};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{Aggregate, LogicalPlan, Project, SortKey};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, NamedExpr, NullsOrder, SortOrder};
use crate::types::DataType;
use crate::value::Value;
use std::cell::RefCell;

impl Binder<'_> {
    pub(super) fn sort_keys(
        &mut self,
        input: &LogicalPlan,
        keys: &[ast::SortKey],
        operator: &str,
    ) -> Result<Vec<SortKey>, Vec<BindError>> {
        let scope = Scope::new(input.schema(), operator);
        let mut out = Vec::with_capacity(keys.len());
        let mut errors = Vec::new();
        for k in keys {
            match self.scalar(&k.expr, &scope) {
                // The official analyzer refuses a dynamic `sort` key (KS116,
                // `CheckIsNotDynamic` in its sort binder); `top` it leaves alone.
                Ok(expr)
                    if expr.ty == DataType::Dynamic
                        && operator == "sort"
                        && !self.catalog.dynamic_keys =>
                {
                    let name = implied_name(&k.expr).unwrap_or_else(|| "key".to_string());
                    errors.push(self.dynamic_key_error(operator, &name, k.expr.span));
                }
                Ok(expr) => {
                    // `desc` is the default; `asc` puts nulls first, `desc` last.
                    let descending = k.order != Some(SortOrder::Asc);
                    let nulls_first = match k.nulls {
                        Some(NullsOrder::First) => true,
                        Some(NullsOrder::Last) => false,
                        None => !descending,
                    };
                    out.push(SortKey {
                        expr,
                        descending,
                        nulls_first,
                    });
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    pub(super) fn distinct(&mut self, input: LogicalPlan, columns: &[NamedExpr]) -> Bound {
        if let [c] = columns
            && matches!(c.expr.kind, ExprKind::Star)
        {
            // `distinct *` groups by every column: a dynamic one is refused
            // as a dynamic `distinct` key is (Kusto.Language's distinct
            // binder checks the star's columns too).
            let dynamic: Vec<BindError> = input
                .schema()
                .fields
                .iter()
                .filter(|f| f.ty == DataType::Dynamic)
                .map(|f| self.dynamic_key_error("distinct", &f.name, c.expr.span))
                .collect();
            if !dynamic.is_empty() && !self.catalog.dynamic_keys {
                return Err(dynamic);
            }
            let group_by = identity_exprs(input.schema());
            let schema = input.schema().clone();
            return Ok(LogicalPlan::Aggregate(Aggregate {
                input: Box::new(input),
                group_by,
                aggregates: vec![],
                schema,
            }));
        }
        self.group(input, &[], columns, Span::default(), "distinct")
    }

    /// A group key of type `dynamic`, which Kusto refuses: the service's
    /// message for `summarize` ("Summarize group key 'k' is of a 'dynamic'
    /// type…", docs/semantics.md#dynamic-keys), the official analyzer's
    /// (KS116, `CheckIsNotDynamic` in Kusto.Language's summarize and
    /// distinct binders) for `distinct`.
    pub(super) fn dynamic_key_error(&self, operator: &str, name: &str, span: Span) -> BindError {
        let message = if operator == "summarize" {
            format!(
                "Summarize group key '{name}' is of a 'dynamic' type. Please use an explicit \
                 cast (for example, 'summarize ... by tostring({name})') as grouping by a \
                 'dynamic' type is not supported."
            )
        } else {
            "The value of type 'dynamic' is not allowed in this context.".to_string()
        };
        BindError::new(BindErrorKind::Type, span, message)
            .with_label(format!("'{name}' is dynamic"))
            .with_help(Some(if operator == "summarize" {
                format!("convert the key, e.g. `summarize ... by {name} = tostring({name})`")
            } else if operator == "distinct" {
                format!("convert the key, e.g. `distinct {name} = tostring({name})`")
            } else {
                format!("convert the key first, e.g. `extend {name} = tostring({name})`")
            }))
    }

    /// `summarize aggs by keys`: group columns first, then one column per
    /// aggregate; an item like `tostring(make_set(x))` becomes an aggregate
    /// followed by a projection.
    pub(super) fn summarize(
        &mut self,
        input: LogicalPlan,
        aggregates: &[NamedExpr],
        by: &[NamedExpr],
        span: Span,
    ) -> Bound {
        self.group(input, aggregates, by, span, "summarize")
    }

    /// `summarize` and `distinct` (`operator` names which, for messages).
    fn group(
        &mut self,
        input: LogicalPlan,
        aggregates: &[NamedExpr],
        by: &[NamedExpr],
        _span: Span,
        operator: &str,
    ) -> Bound {
        let in_schema = input.schema().clone();
        let mut errors = Vec::new();
        let mut group_by = Vec::new();
        let mut group_fields: Vec<Field> = Vec::new();
        for item in by {
            let bound = match self.scalar(&item.expr, &Scope::new(&in_schema, "summarize")) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let taken = |n: &str| group_fields.iter().any(|f| f.name == n);
            let name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => match implied_name(&item.expr) {
                    Some(n) => unique_name(&n, &taken),
                    None => generic_name(&taken),
                },
            };
            if bound.ty == DataType::Dynamic && !self.catalog.dynamic_keys {
                errors.push(self.dynamic_key_error(operator, &name, item.expr.span));
            }
            group_fields.push(Field::new(name, bound.ty));
            group_by.push(bound);
        }
        let collector = RefCell::new(AggregateCollector {
            group_names: group_fields
                .iter()
                .map(|f| (f.name.clone(), f.ty))
                .collect(),
            aggregates: Vec::new(),
        });
        // Each item: its expression over the aggregate output, and its name.
        let mut items: Vec<(ScalarExpr, String)> = Vec::new();
        for item in aggregates {
            let expanded = match self.arg_extreme_star(item, &in_schema, &group_fields, &collector)
            {
                Some(e) => Some(e),
                None => match self.take_any_columns(item, &in_schema, &group_fields, &collector) {
                    Some(e) => Some(e),
                    None => self.percentiles(item, &in_schema, &collector),
                },
            };
            if let Some(expanded) = expanded {
                match expanded {
                    Ok(mut cols) => items.append(&mut cols),
                    Err(e) => errors.push(e),
                }
                continue;
            }
            let scope = Scope {
                row: &in_schema,
                operator: "summarize",
                aggregates: Some(&collector),
                window: None,
                input_columns: None,
                scan: None,
            };
            let bound = match self.scalar(&item.expr, &scope) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => implied_name(&item.expr).unwrap_or_default(),
            };
            items.push((bound, name));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let collector = collector.into_inner();
        let group_count = group_fields.len();
        let mut agg_fields = group_fields.clone();
        for (i, a) in collector.aggregates.iter().enumerate() {
            agg_fields.push(Field::new(format!("__agg{i}"), a.ty));
        }
        let aggregate_plan = LogicalPlan::Aggregate(Aggregate {
            input: Box::new(input),
            group_by,
            aggregates: collector.aggregates,
            schema: Schema::new(agg_fields.clone()),
        });
        // Name the outputs: group columns keep theirs; unnamed items get
        // generated names, made unique.
        let mut schema = Schema::new(group_fields);
        let mut exprs: Vec<ScalarExpr> = (0..group_count)
            .map(|i| ScalarExpr::column(i, agg_fields[i].ty, Span::default()))
            .collect();
        for (expr, name) in items {
            let taken = |n: &str| schema.index_of(n).is_some();
            let name = if name.is_empty() {
                generic_name(&taken)
            } else {
                unique_name(&name, &taken)
            };
            schema.fields.push(Field::new(name, expr.ty));
            exprs.push(expr);
        }
        Ok(LogicalPlan::Project(Project {
            input: Box::new(aggregate_plan),
            exprs,
            schema,
        }))
    }

    /// `arg_max(key, *)` / `arg_min(key, a, b)`: one aggregate per returned
    /// column, all choosing the same row. Returns `None` for other items.
    /// `percentiles(x, 50, 95)`: one `percentile` aggregate per value,
    /// named `percentile_x_50`, `percentile_x_95`. Returns `None` for other
    /// items.
    pub(super) fn percentiles(
        &mut self,
        item: &NamedExpr,
        in_schema: &Schema,
        collector: &RefCell<AggregateCollector>,
    ) -> Option<Result<Vec<(ScalarExpr, String)>, BindError>> {
        let ExprKind::Call { name, args } = &item.expr.kind else {
            return None;
        };
        // `percentilesw(x, weight, p1, ...)` is `percentiles` with a weight
        // (percentilesw-aggregation-function).
        let weighted = match name.name.as_str() {
            "percentiles" => false,
            "percentilesw" => true,
            _ => return None,
        };
        let function = if weighted {
            "percentilesw"
        } else {
            "percentiles"
        };
        let percentile = crate::functions::lookup_aggregate(if weighted {
            "percentilew"
        } else {
            "percentile"
        })?;
        let fixed = if weighted { 2 } else { 1 };
        Some((|| {
            if args.len() <= fixed {
                return Err(super::scalar::arity_error(
                    function,
                    fixed + 1,
                    usize::MAX,
                    item.span,
                ));
            }
            let (value, percents) = (&args[0], &args[fixed..]);
            let scope = Scope::new(in_schema, "summarize");
            let mut bound = self.scalar(value, &scope)?;
            if bound.ty == crate::types::DataType::Int {
                bound = super::scalar::to_long(bound);
            }
            let weight = match args.get(1) {
                Some(w) if weighted => Some(self.scalar(w, &scope)?),
                _ => None,
            };
            let base = implied_name(value).unwrap_or_default();
            let mut out = Vec::with_capacity(percents.len());
            for (i, p) in percents.iter().enumerate() {
                let p_bound = self.scalar(p, &scope)?;
                let label = match p_bound.as_literal() {
                    Some(Value::Long(n)) => n.to_string(),
                    Some(Value::Real(r)) => r.to_string().replace('.', "_"),
                    _ => i.to_string(),
                };
                // A name given to the item names the first column (as Kusto
                // names `(p50, p95) = percentiles(...)` by position).
                let name = item
                    .names
                    .get(i)
                    .map(|n| n.name.clone())
                    .unwrap_or_else(|| format!("percentile_{base}_{label}"));
                // A decimal column's percentiles are reals, as `percentile`'s
                // (percentiles-aggregation-function).
                let ty = match bound.ty {
                    crate::types::DataType::Decimal => crate::types::DataType::Real,
                    t => t,
                };
                let mut c = collector.borrow_mut();
                let index = c.group_names.len() + c.aggregates.len();
                c.aggregates.push(crate::plan::expr::AggregateExpr {
                    function: percentile,
                    args: match &weight {
                        Some(w) => vec![bound.clone(), w.clone(), p_bound],
                        None => vec![bound.clone(), p_bound],
                    },
                    ty,
                    span: item.span,
                });
                out.push((ScalarExpr::column(index, ty, item.span), name));
            }
            Ok(out)
        })())
    }

    /// `take_any(*)` and `take_any(a, b, ...)` (take-any-aggregation-function):
    /// one column per expression (for `*`, every input column but the group
    /// keys), all taken from the same record: bound as `arg_min` over a
    /// constant key, which keeps the first record seen. The deprecated
    /// `any()` prefixes each name with `any_`. Returns `None` for other items,
    /// `take_any(x)` included (which prefers a non-null `x`).
    pub(super) fn take_any_columns(
        &mut self,
        item: &NamedExpr,
        in_schema: &Schema,
        group_fields: &[Field],
        collector: &RefCell<AggregateCollector>,
    ) -> Option<Result<Vec<(ScalarExpr, String)>, BindError>> {
        let ExprKind::Call { name, args } = &item.expr.kind else {
            return None;
        };
        let prefix = match name.name.as_str() {
            "take_any" => "",
            "any" => "any_",
            _ => return None,
        };
        let single = matches!(args.as_slice(), [a] if !matches!(a.kind, ExprKind::Star));
        if single || args.is_empty() {
            return None;
        }
        let first_record = crate::functions::lookup_aggregate("arg_min")?;
        Some((|| {
            let scope = Scope::new(in_schema, "summarize");
            let mut returned: Vec<(ScalarExpr, String)> = Vec::new();
            for a in args {
                if matches!(a.kind, ExprKind::Star) {
                    for (i, f) in in_schema.fields.iter().enumerate() {
                        if !group_fields.iter().any(|g| g.name == f.name) {
                            returned.push((
                                ScalarExpr::column(i, f.ty, a.span),
                                format!("{prefix}{}", f.name),
                            ));
                        }
                    }
                } else {
                    let value = self.scalar(a, &scope)?;
                    let name = implied_name(a)
                        .map(|n| format!("{prefix}{n}"))
                        .unwrap_or_default();
                    returned.push((value, name));
                }
            }
            let key = ScalarExpr::literal(Value::Long(0), crate::types::DataType::Long, item.span);
            let mut c = collector.borrow_mut();
            let mut out = Vec::with_capacity(returned.len());
            for (i, (value, name)) in returned.into_iter().enumerate() {
                // A name given to the item names the columns by position.
                let name = item.names.get(i).map_or(name, |n| n.name.clone());
                let index = c.group_names.len() + c.aggregates.len();
                let ty = value.ty;
                c.aggregates.push(crate::plan::expr::AggregateExpr {
                    function: first_record,
                    args: vec![key.clone(), value],
                    ty,
                    span: item.span,
                });
                out.push((ScalarExpr::column(index, ty, item.span), name));
            }
            Ok(out)
        })())
    }

    pub(super) fn arg_extreme_star(
        &mut self,
        item: &NamedExpr,
        in_schema: &Schema,
        group_fields: &[Field],
        collector: &RefCell<AggregateCollector>,
    ) -> Option<Result<Vec<(ScalarExpr, String)>, BindError>> {
        let ExprKind::Call { name, args } = &item.expr.kind else {
            return None;
        };
        let function = crate::functions::lookup_aggregate(&name.name)?;
        if !function.is_arg_extreme() {
            return None;
        }
        Some((|| {
            let scope = Scope::new(in_schema, "summarize");
            let key_expr = args
                .first()
                .ok_or_else(|| super::scalar::arity_error(&name.name, 1, usize::MAX, item.span))?;
            let key = self.scalar(key_expr, &scope)?;
            let key_name = match item.names.as_slice() {
                [n, ..] => n.name.clone(),
                [] => implied_name(key_expr).unwrap_or_else(|| function.prefix.to_string()),
            };
            let mut returned: Vec<(ScalarExpr, String)> = vec![(key.clone(), key_name.clone())];
            for a in &args[1..] {
                if matches!(a.kind, ExprKind::Star) {
                    for (i, f) in in_schema.fields.iter().enumerate() {
                        let is_group = group_fields.iter().any(|g| g.name == f.name);
                        if !is_group && f.name != key_name {
                            returned.push((ScalarExpr::column(i, f.ty, a.span), f.name.clone()));
                        }
                    }
                } else {
                    let value = self.scalar(a, &scope)?;
                    let name = implied_name(a).unwrap_or_else(|| {
                        format!("{}_{}_arg{}", function.prefix, key_name, returned.len())
                    });
                    returned.push((value, name));
                }
            }
            let mut c = collector.borrow_mut();
            let mut out = Vec::with_capacity(returned.len());
            for (i, (value, name)) in returned.into_iter().enumerate() {
                // `(Last, Action) = arg_max(Timestamp, ActionType)` names the
                // returned columns by position (summarize-operator: "Name").
                let name = item.names.get(i).map_or(name, |n| n.name.clone());
                let index = c.group_names.len() + c.aggregates.len();
                let ty = value.ty;
                c.aggregates.push(crate::plan::expr::AggregateExpr {
                    function,
                    args: vec![key.clone(), value],
                    ty,
                    span: item.span,
                });
                out.push((ScalarExpr::column(index, ty, item.span), name));
            }
            Ok(out)
        })())
    }

    pub(super) fn constant_count(
        &mut self,
        expr: &Expr,
        operator: &str,
    ) -> Result<u64, Vec<BindError>> {
        let bound = self.constant_scalar(expr).map_err(one)?;
        let value = crate::plan::eval::eval_constant(&bound, &self.ctx);
        match value.as_ref().and_then(Value::as_i64) {
            Some(n) if n >= 0 => Ok(n as u64),
            _ => Err(one(BindError::new(
                BindErrorKind::Invalid,
                expr.span,
                format!("'{operator}' expects a constant, non-negative row count"),
            ))),
        }
    }
}

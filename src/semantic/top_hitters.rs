//! `top-hitters N of expr [by weight]`
//! (<https://learn.microsoft.com/kusto/query/top-hitters-operator>): the
//! N values of `expr` that appear most often (or whose `weight` sums
//! highest), with the count (`approximate_count_<expr>`) or the sum
//! (`approximate_sum_<weight>`). Kusto estimates them; kqlite counts and
//! sums exactly, an answer within the estimate's error
//! (docs/semantics.md §11): `summarize ... by expr | top N by ... desc`.

use super::bind::Binder;
use super::naming::implied_name;
use super::tabular::*;
use crate::plan::expr::ScalarExpr;
use crate::plan::logical::{LogicalPlan, SortKey, TopN};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident, NamedExpr};
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn top_hitters(
        &mut self,
        input: LogicalPlan,
        count: &Expr,
        of: &Expr,
        by: Option<&Expr>,
        span: Span,
    ) -> Bound {
        let n = self.constant_count(count, "top-hitters")?;
        let name_of = |e: &Expr| implied_name(e).unwrap_or_else(|| "Column1".to_string());
        let call = |function: &str, args: Vec<Expr>| Expr {
            kind: ExprKind::Call {
                name: Ident {
                    name: function.to_string(),
                    span,
                },
                args,
            },
            span,
        };
        let (name, aggregate) = match by {
            None => (
                format!("approximate_count_{}", name_of(of)),
                call("count", vec![]),
            ),
            Some(w) => (
                format!("approximate_sum_{}", name_of(w)),
                call("sum", vec![w.clone()]),
            ),
        };
        let aggregates = [NamedExpr {
            names: vec![Ident { name, span }],
            expr: aggregate,
            span,
        }];
        let keys = [NamedExpr {
            names: vec![],
            expr: of.clone(),
            span: of.span,
        }];
        let summarized = self.summarize(input, &aggregates, &keys, span)?;
        let ty = summarized
            .schema()
            .fields
            .get(1)
            .map_or(DataType::Long, |f| f.ty);
        Ok(LogicalPlan::TopN(TopN {
            input: Box::new(summarized),
            keys: vec![SortKey {
                expr: ScalarExpr::column(1, ty, span),
                descending: true,
                nulls_first: false,
            }],
            count: n,
        }))
    }
}

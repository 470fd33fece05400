//! `evaluate plugin(...)`: the plugins kqlite runs, and a clear error
//! naming the ones it does not
//! (<https://learn.microsoft.com/kusto/query/evaluate-operator>).

use super::bind::Binder;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::LogicalPlan;
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};

impl Binder<'_> {
    pub(super) fn evaluate(&mut self, input: LogicalPlan, plugin: &Expr, span: Span) -> Bound {
        let ExprKind::Call { name, args } = &plugin.kind else {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                plugin.span,
                "'evaluate' expects a plugin call, such as bag_unpack(column)",
            )));
        };
        match name.name.as_str() {
            "bag_unpack" => self.bag_unpack(input, args, plugin.span),
            "pivot" => self.pivot(input, args, plugin.span),
            "basket" => self.basket(input, args, plugin.span),
            "sequence_detect" => self.sequence_detect(input, args, plugin.span),
            other => Err(one(BindError::new(
                BindErrorKind::NotSupported,
                span,
                format!("the '{other}' plugin of 'evaluate' is not supported yet"),
            )
            .with_label("kqlite cannot run this plugin yet"))),
        }
    }
}

//! What a query asks of its request and of the service around it: the
//! `set` options kqlite reads (`query_bin_auto_size`, `query_bin_auto_at`
//! for `bin_auto`), `assert` (decided while binding, as the page says
//! Kusto decides it), `estimate_data_size(*)`, `database("db").T`, and the
//! functions that read what only a Kusto cluster has (its endpoint,
//! database, signed-in principal, ingestion cursors, extents, stored
//! views), which kqlite refuses by name with the reason
//! (docs/semantics.md §11). Doc pages are
//! `https://learn.microsoft.com/kusto/query/<page>`.

use super::bind::Binder;
use super::scalar::Scope;
use super::tabular::{Bound, one};
use super::{BindError, BindErrorKind};
use crate::diagnostic::{Note, NoteKind};
use crate::functions::lookup_scalar;
use crate::plan::eval::eval_constant;
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident};
use crate::types::DataType;
use crate::value::Value;
use crate::value::string_form::text;

/// The request options `bin_auto` reads (bin-auto-function).
const BIN_AUTO_SIZE: &str = "query_bin_auto_size";
const BIN_AUTO_AT: &str = "query_bin_auto_at";

/// The functions that read what only the service has, with their page and
/// why kqlite cannot answer them.
const SERVICE_ONLY: &[(&str, &str, &str)] = &[
    (
        "current_cluster_endpoint",
        "current-cluster-endpoint-function",
        "it returns the network endpoint of the Kusto cluster the query runs on, and kqlite runs on no cluster",
    ),
    (
        "current_database",
        "current-database-function",
        "it returns the name of the database the query runs in, and kqlite reads files, not a database",
    ),
    (
        "current_principal",
        "current-principal-function",
        "it returns the Microsoft Entra identity running the query, and kqlite has no signed-in principal",
    ),
    (
        "current_principal_details",
        "current-principal-details-function",
        "it returns the Microsoft Entra identity running the query, and kqlite has no signed-in principal",
    ),
    (
        "current_principal_is_member_of",
        "current-principal-is-member-of-function",
        "it checks the Microsoft Entra groups of the identity running the query, and kqlite has no signed-in principal",
    ),
    (
        "cursor_after",
        "cursor-after-function",
        "database cursors follow the order a cluster ingested records in, and files have no ingestion cursor",
    ),
    (
        "cursor_before_or_at",
        "cursor-before-or-at-function",
        "database cursors follow the order a cluster ingested records in, and files have no ingestion cursor",
    ),
    (
        "cursor_current",
        "cursor-current",
        "database cursors follow the order a cluster ingested records in, and files have no ingestion cursor",
    ),
    (
        "extent_id",
        "extent-id-function",
        "it returns the data shard (extent) a record is stored in, and kqlite's rows are not stored in extents",
    ),
    (
        "extent_tags",
        "extent-tags-function",
        "it returns the tags of the data shard (extent) a record is stored in, and kqlite's rows are not stored in extents",
    ),
    (
        "external_table",
        "external-table-function",
        "it reads an external table defined in a Kusto database; read the same files with externaldata and --external, or give them as a table with --table",
    ),
    (
        "materialized_view",
        "materialized-view-function",
        "it reads a materialized view a Kusto database keeps; give its rows as a table with --table, or run the view's query over its source",
    ),
    (
        "stored_query_result",
        "stored-query-result-function",
        "it reads a result stored on a Kusto cluster with `.set stored_query_result`; give those rows as a table with --table",
    ),
    (
        "cluster",
        "cluster-function",
        "it reads from another Kusto cluster; give that cluster's tables as local tables with --table and name them directly",
    ),
];

/// The page and reason of a function only the service can answer.
pub(super) fn service_only(name: &str) -> Option<(&'static str, &'static str)> {
    SERVICE_ONLY
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, page, why)| (*page, *why))
}

/// The refusal of such a function: its name and why, not "unknown".
pub(super) fn service_only_error(name: &str, span: Span) -> BindError {
    let (page, why) = service_only(name).unwrap_or(("", "it needs a Kusto cluster"));
    BindError::new(
        BindErrorKind::NotSupported,
        span,
        format!("the function '{name}' is not available offline: {why} ({page})"),
    )
    .with_label("only a Kusto cluster can answer this")
}

/// `database("db")`, the target of `database("db").T`, also as
/// `cluster("c").database("db")` (parsed as `database("db", cluster =
/// cluster("c"))`).
pub(super) fn is_database_call(e: &Expr) -> bool {
    let ExprKind::Call { name, args } = &e.kind else {
        return false;
    };
    name.name == "database"
        && match args.as_slice() {
            [_] => true,
            [_, last] => cluster_argument(last).is_some(),
            _ => false,
        }
}

/// The `cluster("c")` call of `database("db", cluster = cluster("c"))`.
fn cluster_argument(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::NamedArg { name, value } if name.name == "cluster" => match &value.kind {
            ExprKind::Call { args, .. } => args.first(),
            _ => None,
        },
        _ => None,
    }
}

impl Binder<'_> {
    /// `set name [= value]`: kqlite keeps the options it reads and lets the
    /// others pass, as before (they tune the service's execution).
    pub(super) fn set_option(&mut self, name: &str, value: Option<&Expr>) -> Result<(), BindError> {
        if !matches!(name, BIN_AUTO_SIZE | BIN_AUTO_AT) {
            return Ok(());
        }
        let Some(value) = value else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                Span::default(),
                format!("`set {name}` needs a value: `set {name} = ...`"),
            ));
        };
        let bound = self.constant_scalar(value)?;
        let Some(v) = eval_constant(&bound, &self.ctx) else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                value.span,
                format!("`set {name}` needs a constant value"),
            ));
        };
        self.options.insert(
            name.to_string(),
            ScalarExpr::literal(v, bound.ty, value.span),
        );
        Ok(())
    }

    /// `assert(condition, message)` (assert-function): the condition must
    /// be known before the query runs; false (or null) refuses the query
    /// with the message, as Kusto's analysis does; true is `true`.
    pub(super) fn assert_call(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let [condition, message] = args else {
            return Err(super::scalar::arity_error("assert", 2, 2, span));
        };
        let bound = self.scalar(condition, scope)?;
        if !matches!(bound.ty, DataType::Bool | DataType::Dynamic) {
            return Err(BindError::new(
                BindErrorKind::Type,
                condition.span,
                format!(
                    "'{}' operator: argument 1 of 'assert' must be a bool, found {}",
                    scope.operator, bound.ty
                ),
            ));
        }
        let message = self.scalar(message, scope)?;
        let constant = |e: &ScalarExpr, ctx| eval_constant(e, ctx);
        let (Some(c), Some(m)) = (constant(&bound, &self.ctx), constant(&message, &self.ctx))
        else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                condition.span,
                "assert(): the condition and the message must be constants known before the query runs, not values of a row",
            )
            .with_label("this reads a row"));
        };
        if c != Value::Bool(true) {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!("assert() has failed with message: '{}'", text(&m)),
            ));
        }
        Ok(ScalarExpr::literal(Value::Bool(true), DataType::Bool, span))
    }

    /// `bin_auto(value)` (bin-auto-function): `bin(value,
    /// query_bin_auto_size)`, or `bin_at(value, size, query_bin_auto_at)`
    /// when the query sets the fixed point.
    pub(super) fn bin_auto(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        let [value] = args else {
            return Err(super::scalar::arity_error("bin_auto", 1, 1, span));
        };
        let Some(size) = self.options.get(BIN_AUTO_SIZE).cloned() else {
            return Err(BindError::new(
                BindErrorKind::Invalid,
                span,
                "bin_auto() has no bin size: set one before the query with `set query_bin_auto_size = <size>;` (bin-auto-function)",
            ));
        };
        let value = self.scalar(value, scope)?;
        let mut call_args = vec![value, size];
        if let Some(at) = self.options.get(BIN_AUTO_AT) {
            call_args.push(at.clone());
        }
        let name = if call_args.len() == 3 {
            "bin_at"
        } else {
            "bin"
        };
        let function = lookup_scalar(name).ok_or_else(|| super::tabular::internal(span))?;
        let types: Vec<DataType> = call_args.iter().map(|a| a.ty).collect();
        let constants: Vec<Option<&Value>> = call_args.iter().map(ScalarExpr::as_literal).collect();
        let ty = function.result_type(&types, &constants).map_err(|m| {
            BindError::new(
                BindErrorKind::Type,
                span,
                format!("'{}' operator: bin_auto: {m}", scope.operator),
            )
        })?;
        Ok(ScalarExpr {
            kind: ScalarKind::Call {
                function,
                args: call_args,
            },
            ty,
            span,
        })
    }

    /// `estimate_data_size(c1, ...)` or `estimate_data_size(*)`
    /// (estimate-data-size-function): `*` stands for every column of the
    /// row.
    pub(super) fn estimate_data_size(
        &mut self,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Result<ScalarExpr, BindError> {
        if args.is_empty() {
            return Err(super::scalar::arity_error(
                "estimate_data_size",
                1,
                usize::MAX,
                span,
            ));
        }
        let mut bound = Vec::new();
        for a in args {
            if matches!(a.kind, ExprKind::Star) {
                let width = scope
                    .row
                    .len()
                    .min(scope.input_columns.unwrap_or(usize::MAX));
                for (i, f) in scope.row.fields.iter().enumerate().take(width) {
                    bound.push(ScalarExpr::column(i, f.ty, a.span));
                }
            } else {
                bound.push(self.scalar(a, scope)?);
            }
        }
        let function =
            lookup_scalar("estimate_data_size").ok_or_else(|| super::tabular::internal(span))?;
        Ok(ScalarExpr {
            kind: ScalarKind::Call {
                function,
                args: bound,
            },
            ty: DataType::Long,
            span,
        })
    }

    /// `database("db").T`: kqlite has one database, the tables it was
    /// given, so `T` is read from there, with a note saying the database
    /// name was not checked.
    pub(super) fn database_member(&mut self, target: &Expr, table: &Ident, span: Span) -> Bound {
        let ExprKind::Call { args, .. } = &target.kind else {
            return Err(one(super::tabular::internal(span)));
        };
        let db = match args.first() {
            Some(a) => self.constant_name(a, "database")?,
            None => String::new(),
        };
        let cluster = match args.get(1).and_then(cluster_argument) {
            Some(c) => format!("cluster(\"{}\").", self.constant_name(c, "cluster")?),
            None => String::new(),
        };
        let plan = self.table_by_name(&table.name, table.span)?;
        self.notes.push(Note::new(
            NoteKind::OtherDatabase,
            format!(
                "{cluster}database(\"{db}\").{}: kqlite has one database, the tables it was given; it read its table '{}'",
                table.name, table.name
            ),
        ));
        Ok(plan)
    }

    /// The constant string `a`, the name given to `function`.
    fn constant_name(&mut self, a: &Expr, function: &str) -> Result<String, Vec<BindError>> {
        let v = self.constant_scalar(a).map_err(one)?;
        match eval_constant(&v, &self.ctx) {
            Some(Value::String(s)) => Ok(s.to_string()),
            _ => Err(one(BindError::new(
                BindErrorKind::Type,
                a.span,
                format!("{function}() expects a constant name"),
            ))),
        }
    }
}

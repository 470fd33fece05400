//! The `parse` and `parse-where` operators; the pattern itself becomes a
//! regex in `parse_pattern`.

use super::bind::Binder;
use super::scalar::{Scope, cast};
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::expr::{ScalarExpr, ScalarKind};
use crate::plan::logical::{Filter, LogicalPlan, Project};
use crate::schema::Field;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, OpParam};
use crate::types::DataType;
use crate::value::{Str, Value};

impl Binder<'_> {
    /// `parse` / `parse-where`: one regex built from the pattern extracts
    /// every column at once (see `parse_pattern`); `parse-where` keeps only
    /// the rows that matched.
    pub(super) fn parse(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        source: &Expr,
        pattern: &[ast::ParsePart],
        keep_matches_only: bool,
        span: Span,
    ) -> Bound {
        use super::parse_pattern::{ParseKind, pattern_regex};
        let operator = if keep_matches_only {
            "parse-where"
        } else {
            "parse"
        };
        let kind = match params.iter().find(|p| p.name.name == "kind") {
            Some(p) => {
                let name = name_value(&p.value).unwrap_or_default();
                ParseKind::from_name(&name).ok_or_else(|| {
                    one(BindError::new(
                        BindErrorKind::Invalid,
                        p.value.span,
                        format!("'{name}' is not a kind of {operator} (simple, regex or relaxed)"),
                    ))
                })?
            }
            None => ParseKind::Simple,
        };
        let flags = params
            .iter()
            .find(|p| p.name.name == "flags")
            .and_then(|p| name_value(&p.value))
            .unwrap_or_default();
        let mut columns: Vec<Field> = Vec::new();
        for part in pattern {
            if let ast::ParsePart::Column { name, ty, .. } = part {
                let ty = match ty {
                    Some(t) => DataType::from_name(&t.name).ok_or_else(|| {
                        one(BindError::new(
                            BindErrorKind::Type,
                            t.span,
                            format!("'{}' is not a scalar type", t.name),
                        ))
                    })?,
                    None => DataType::String,
                };
                columns.push(Field::new(name.name.clone(), ty));
            }
        }
        let types: Vec<DataType> = columns.iter().map(|c| c.ty).collect();
        let regex = pattern_regex(pattern, kind, &flags, &types);
        if let Err(e) = regex::Regex::new(&regex) {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                span,
                format!("the {operator} pattern is not a valid regular expression: {e}"),
            )));
        }
        let in_schema = input.schema().clone();
        let source = self
            .scalar(source, &Scope::new(&in_schema, operator))
            .map_err(one)?;
        let fields_fn =
            crate::functions::lookup_scalar("__parse_fields").ok_or_else(|| one(internal(span)))?;
        let type_list = types.iter().map(|t| t.name()).collect::<Vec<_>>().join(",");
        let literal = |v: Value, ty| ScalarExpr::literal(v, ty, span);
        let captures = ScalarExpr {
            kind: ScalarKind::Call {
                function: fields_fn,
                args: vec![
                    literal(Value::String(Str::new(&regex)), DataType::String),
                    literal(Value::String(Str::new(&type_list)), DataType::String),
                    literal(Value::Bool(kind == ParseKind::Relaxed), DataType::Bool),
                    cast(source, DataType::String),
                ],
            },
            ty: DataType::Dynamic,
            span,
        };
        extract_columns(input, captures, &columns, keep_matches_only, span)
    }
}

impl Binder<'_> {
    /// `parse-kv expr as (key: type, ...) with (...)` (`parse-kv-operator`):
    /// `__parse_kv` finds the listed keys' values (with the page's three
    /// modes: given delimiters, any non-alphanumeric delimiter, or a regex
    /// of two groups) and each becomes a column of its type.
    pub(super) fn parse_kv(
        &mut self,
        input: LogicalPlan,
        source: &Expr,
        keys: &[ast::ColumnDecl],
        properties: &[ast::Property],
        span: Span,
    ) -> Bound {
        let invalid =
            |at: Span, message: String| one(BindError::new(BindErrorKind::Invalid, at, message));
        let mut pair = None;
        let mut kv = None;
        let mut regex = None;
        let mut greedy = false;
        let mut quotes = String::new();
        let mut escapes = String::new();
        for p in properties {
            let text = || {
                name_value(&p.value).ok_or_else(|| {
                    invalid(
                        p.value.span,
                        format!("'{}' of parse-kv takes a string", p.name.name),
                    )
                })
            };
            match p.name.name.as_str() {
                "pair_delimiter" => pair = Some(text()?),
                "kv_delimiter" => kv = Some(text()?),
                "regex" => regex = Some(text()?),
                "greedy" => greedy = is_true_literal(&p.value),
                "quote" => {
                    let q = text()?;
                    let mut chars = q.chars();
                    match (chars.next(), chars.next(), chars.next()) {
                        (Some(open), None, None) => {
                            quotes.push(open);
                            quotes.push(open);
                        }
                        (Some(open), Some(close), None) => {
                            quotes.push(open);
                            quotes.push(close);
                        }
                        _ => {
                            return Err(invalid(
                                p.value.span,
                                "a parse-kv quote is one or two characters".to_string(),
                            ));
                        }
                    }
                }
                "escape" => {
                    let e = text()?;
                    if e.chars().count() != 1 {
                        return Err(invalid(
                            p.value.span,
                            "a parse-kv escape is one character".to_string(),
                        ));
                    }
                    escapes.push_str(&e);
                }
                other => {
                    return Err(invalid(
                        p.name.span,
                        format!("'{other}' is not a parse-kv property"),
                    ));
                }
            }
        }
        let mode = match (&pair, &kv, &regex) {
            (None, None, None) => "any",
            (Some(_), Some(_), None) => "delimited",
            (None, None, Some(r)) => {
                if let Err(e) = regex::Regex::new(r) {
                    return Err(invalid(
                        span,
                        format!("the parse-kv regex is not a valid regular expression: {e}"),
                    ));
                }
                "regex"
            }
            (_, _, Some(_)) => {
                return Err(invalid(
                    span,
                    "parse-kv takes either a regex or delimiters, not both".to_string(),
                ));
            }
            _ => {
                return Err(invalid(
                    span,
                    "parse-kv takes pair_delimiter and kv_delimiter together".to_string(),
                ));
            }
        };
        let mut columns: Vec<Field> = Vec::new();
        for k in keys {
            let ty = DataType::from_name(&k.ty.name).ok_or_else(|| {
                one(BindError::new(
                    BindErrorKind::Type,
                    k.ty.span,
                    format!("'{}' is not a scalar type", k.ty.name),
                ))
            })?;
            columns.push(Field::new(k.name.name.clone(), ty));
        }
        let in_schema = input.schema().clone();
        let source = self
            .scalar(source, &Scope::new(&in_schema, "parse-kv"))
            .map_err(one)?;
        let function =
            crate::functions::lookup_scalar("__parse_kv").ok_or_else(|| one(internal(span)))?;
        let text =
            |t: &str| ScalarExpr::literal(Value::String(Str::new(t)), DataType::String, span);
        // Keys and types travel as one string each, separated by U+0001.
        let key_list = columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join("\u{1}");
        let type_list = columns
            .iter()
            .map(|c| c.ty.name())
            .collect::<Vec<_>>()
            .join(",");
        let captures = ScalarExpr {
            kind: ScalarKind::Call {
                function,
                args: vec![
                    text(mode),
                    text(pair.as_deref().or(regex.as_deref()).unwrap_or("")),
                    text(kv.as_deref().unwrap_or("")),
                    text(&quotes),
                    text(&escapes),
                    ScalarExpr::literal(Value::Bool(greedy), DataType::Bool, span),
                    text(&key_list),
                    text(&type_list),
                    cast(source, DataType::String),
                ],
            },
            ty: DataType::Dynamic,
            span,
        };
        extract_columns(input, captures, &columns, false, span)
    }
}

/// The two projections `parse` and `parse-kv` end with: `captures` (a
/// dynamic array, one element per column, or null when nothing matched) as
/// a hidden column, then each column from its element, converted to its
/// type; an existing name is replaced. With `keep_matches_only`
/// (`parse-where`) the rows whose captures are null are dropped.
fn extract_columns(
    input: LogicalPlan,
    captures: ScalarExpr,
    columns: &[Field],
    keep_matches_only: bool,
    span: Span,
) -> Bound {
    let in_schema = input.schema().clone();
    let literal = |v: Value, ty| ScalarExpr::literal(v, ty, span);
    // Step 1: the captures as a hidden column after the input's.
    let hidden = in_schema.len();
    let mut with_captures = in_schema.clone();
    with_captures
        .fields
        .push(Field::new(" parse", DataType::Dynamic));
    let mut exprs = identity_exprs(&in_schema);
    exprs.push(captures);
    let mut plan = LogicalPlan::Project(Project {
        input: Box::new(input),
        exprs,
        schema: with_captures.clone(),
    });
    if keep_matches_only {
        let matched =
            crate::functions::lookup_scalar("isnotnull").ok_or_else(|| one(internal(span)))?;
        plan = LogicalPlan::Filter(Filter {
            input: Box::new(plan),
            predicate: ScalarExpr {
                kind: ScalarKind::Call {
                    function: matched,
                    args: vec![ScalarExpr::column(hidden, DataType::Dynamic, span)],
                },
                ty: DataType::Bool,
                span,
            },
        });
    }
    // Step 2: each column from its capture; an existing name is replaced.
    let mut schema = in_schema.clone();
    let mut exprs = identity_exprs(&in_schema);
    for (i, c) in columns.iter().enumerate() {
        let element = ScalarExpr {
            kind: ScalarKind::Index {
                target: Box::new(ScalarExpr::column(hidden, DataType::Dynamic, span)),
                index: Box::new(literal(Value::Long(i as i64), DataType::Long)),
            },
            ty: DataType::Dynamic,
            span,
        };
        let value = cast(element, c.ty);
        match schema.index_of(&c.name) {
            Some(at) => {
                schema.fields[at] = c.clone();
                exprs[at] = value;
            }
            None => {
                schema.fields.push(c.clone());
                exprs.push(value);
            }
        }
    }
    Ok(LogicalPlan::Project(Project {
        input: Box::new(plan),
        exprs,
        schema,
    }))
}

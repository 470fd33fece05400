//! `join` and `lookup` (docs/semantics.md#join).

use super::bind::Binder;
use super::naming::unique_name;
use super::project::unknown_column;
use super::tabular::*;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{Join, JoinKind, LogicalPlan};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, OpParam};
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn join(
        &mut self,
        left: LogicalPlan,
        right: &Expr,
        on: &[Expr],
        kind: JoinKind,
        span: Span,
    ) -> Bound {
        let right = self.tabular(right)?;
        let lschema = left.schema().clone();
        let rschema = right.schema().clone();
        let mut keys = Vec::new();
        let mut errors = Vec::new();
        for cond in on {
            collect_join_keys(cond, &lschema, &rschema, &mut keys, &mut errors);
        }
        if keys.is_empty() && errors.is_empty() {
            errors.push(BindError::new(
                BindErrorKind::Invalid,
                span,
                "join needs at least one key in its `on` clause",
            ));
        }
        for &(l, r) in &keys {
            let (lt, rt) = (lschema.fields[l].ty, rschema.fields[r].ty);
            // Kusto refuses a dynamic key (the official analyzer's KS241,
            // "Join keys cannot be dynamic"); `tostring()` in a `project`
            // or `extend` before the join is the usual fix.
            if (lt == DataType::Dynamic || rt == DataType::Dynamic)
                && !self.catalog.dynamic_join_keys
            {
                let name = if lt == DataType::Dynamic {
                    &lschema.fields[l].name
                } else {
                    &rschema.fields[r].name
                };
                errors.push(
                    BindError::new(BindErrorKind::Type, span, "Join keys cannot be dynamic")
                        .with_label(format!("'{name}' is dynamic"))
                        .with_help(Some(format!(
                            "convert the key first, e.g. `extend {name} = tostring({name})` on both sides"
                        ))),
                );
            } else if crate::functions::unify(lt, rt).is_none() {
                errors.push(BindError::new(
                    BindErrorKind::Type,
                    span,
                    format!(
                        "join keys '{}' ({lt}) and '{}' ({rt}) have different types",
                        lschema.fields[l].name, rschema.fields[r].name
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let schema = join_schema(kind, &lschema, &rschema, &keys);
        Ok(LogicalPlan::Join(Join {
            left: Box::new(left),
            right: Box::new(right),
            kind,
            keys,
            schema,
        }))
    }
}

pub(super) fn join_kind(params: &[OpParam], lookup: bool) -> Result<JoinKind, Vec<BindError>> {
    let Some(p) = params.iter().find(|p| p.name.name == "kind") else {
        return Ok(if lookup {
            JoinKind::LookupLeftOuter
        } else {
            JoinKind::InnerUnique
        });
    };
    let value = name_value(&p.value).unwrap_or_default();
    let kind = match (lookup, value.as_str()) {
        (true, "leftouter") => JoinKind::LookupLeftOuter,
        (true, "inner") => JoinKind::LookupInner,
        (false, "innerunique") => JoinKind::InnerUnique,
        (false, "inner") => JoinKind::Inner,
        (false, "leftouter") => JoinKind::LeftOuter,
        (false, "rightouter") => JoinKind::RightOuter,
        (false, "fullouter" | "outer") => JoinKind::FullOuter,
        (false, "leftsemi") => JoinKind::LeftSemi,
        (false, "leftanti" | "anti" | "leftantisemi") => JoinKind::LeftAnti,
        (false, "rightsemi") => JoinKind::RightSemi,
        (false, "rightanti" | "rightantisemi") => JoinKind::RightAnti,
        _ => {
            return Err(one(BindError::new(
                BindErrorKind::Invalid,
                p.value.span,
                format!(
                    "'{value}' is not a kind of {}",
                    if lookup { "lookup" } else { "join" }
                ),
            )));
        }
    };
    Ok(kind)
}

pub(super) fn collect_join_keys(
    cond: &Expr,
    left: &Schema,
    right: &Schema,
    keys: &mut Vec<(usize, usize)>,
    errors: &mut Vec<BindError>,
) {
    match &cond.kind {
        ExprKind::Paren { expr } => collect_join_keys(expr, left, right, keys, errors),
        ExprKind::Name { name } => match (left.index_of(&name.name), right.index_of(&name.name)) {
            (Some(l), Some(r)) => keys.push((l, r)),
            (None, _) => errors.push(unknown_column(&name.name, name.span, left, "join")),
            (_, None) => errors.push(unknown_column(&name.name, name.span, right, "join")),
        },
        ExprKind::Binary {
            op: ast::BinaryOp::And,
            left: a,
            right: b,
        } => {
            collect_join_keys(a, left, right, keys, errors);
            collect_join_keys(b, left, right, keys, errors);
        }
        ExprKind::Binary {
            op: ast::BinaryOp::Eq,
            left: a,
            right: b,
        } => match (side_column(a), side_column(b)) {
            (Some((sa, na)), Some((sb, nb))) if sa != sb => {
                let (ln, rn) = if sa == "$left" { (na, nb) } else { (nb, na) };
                match (left.index_of(&ln.name), right.index_of(&rn.name)) {
                    (Some(l), Some(r)) => keys.push((l, r)),
                    (None, _) => errors.push(unknown_column(&ln.name, ln.span, left, "join")),
                    (_, None) => errors.push(unknown_column(&rn.name, rn.span, right, "join")),
                }
            }
            _ => errors.push(BindError::new(
                BindErrorKind::Invalid,
                cond.span,
                "a join condition compares $left.column with $right.column",
            )),
        },
        _ => errors.push(BindError::new(
            BindErrorKind::NotSupported,
            cond.span,
            "only equality join conditions (`Key`, `$left.a == $right.b`) are supported",
        )),
    }
}

/// `$left.name` / `$right.name`.
pub(super) fn side_column(e: &Expr) -> Option<(&str, &ast::Ident)> {
    match &e.kind {
        ExprKind::Member { target, name } => match &target.kind {
            ExprKind::Name { name: side } if side.name == "$left" || side.name == "$right" => {
                Some((side.name.as_str(), name))
            }
            _ => None,
        },
        ExprKind::Index { target, index } => match (&target.kind, &index.kind) {
            (ExprKind::Name { name: side }, ExprKind::Name { name })
                if side.name == "$left" || side.name == "$right" =>
            {
                Some((side.name.as_str(), name))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Output columns of a join (docs/semantics.md#join): right-side names
/// that clash get the first free numeric suffix.
pub(super) fn join_schema(
    kind: JoinKind,
    left: &Schema,
    right: &Schema,
    keys: &[(usize, usize)],
) -> Schema {
    match kind {
        JoinKind::LeftSemi | JoinKind::LeftAnti => left.clone(),
        JoinKind::RightSemi | JoinKind::RightAnti => right.clone(),
        JoinKind::LookupLeftOuter | JoinKind::LookupInner => {
            let mut fields = left.fields.clone();
            for (i, f) in right.fields.iter().enumerate() {
                if keys.iter().any(|&(_, r)| r == i) {
                    continue;
                }
                let name = unique_name(&f.name, &|n| fields.iter().any(|g| g.name == n));
                fields.push(Field::new(name, f.ty));
            }
            Schema::new(fields)
        }
        _ => {
            let mut fields = left.fields.clone();
            for f in &right.fields {
                let taken = |n: &str| {
                    fields.iter().any(|g| g.name == n)
                        || right.fields.iter().any(|g| g.name == n && n != f.name)
                };
                let name = unique_name(&f.name, &taken);
                fields.push(Field::new(name, f.ty));
            }
            Schema::new(fields)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashing_join_columns_get_suffixes() {
        let l = Schema::new(vec![
            Field::new("Key", DataType::String),
            Field::new("Value", DataType::Long),
        ]);
        let r = l.clone();
        let s = join_schema(JoinKind::Inner, &l, &r, &[(0, 0)]);
        let names: Vec<&str> = s.names().collect();
        assert_eq!(names, ["Key", "Value", "Key1", "Value1"]);
    }
}

//! Values for a query's parameters: `declare query_parameters(name:type [=
//! default], ...)` at the top of a query names them, [`Params`] gives them
//! values (from Rust, or as text from the command line's `--param`).

use super::table::{describe_value, fit};
use crate::error::Error;
use crate::error::with_article;
use crate::plan::expr::ScalarExpr;
use crate::semantic::{BindError, BindErrorKind, literal_value};
use crate::syntax::ast::{self, Literal, ParamType, StatementKind};
use crate::types::DataType;
use crate::value::Value;
use std::collections::HashMap;

/// Values for the query parameters a query declares with `declare
/// query_parameters(name:type [= default], ...)`, given to
/// [`Engine::compile_with`](super::Engine::compile_with). A declared
/// parameter given no value takes its default; one without a default must
/// be given a value. Naming a parameter the query does not declare is an
/// error, as is a value that is not of the declared type.
///
/// ```
/// use kqlite::{Engine, Params};
/// # fn main() -> Result<(), kqlite::Error> {
/// let engine = Engine::new();
/// let text = "declare query_parameters(n:long, since:datetime = datetime(2024-01-01)); print n = n, since = since";
/// let query = engine.compile_with(text, &Params::new().param("n", 5).param_text("since", "2025-02-03"))?;
/// let row = query.rows(&engine)?.next().unwrap();
/// assert_eq!(row.get::<i64>("n")?, 5);
/// assert!(engine.compile_with(text, &Params::new().param("n", "five")).is_err());
/// assert!(engine.compile_with(text, &Params::new().param("m", 5)).is_err());
/// assert!(engine.compile(text).is_err()); // `n` has no default
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    /// In the order given; a later value for a name replaces an earlier one.
    given: Vec<(String, Given)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Given {
    /// A value, which must be of the declared type (numbers widen).
    Value(Value),
    /// Text, converted by the declared type.
    Text(String),
}

impl Params {
    /// No values: every parameter takes its default.
    pub fn new() -> Params {
        Params::default()
    }

    /// Gives parameter `name` a value, which must be of its declared type
    /// or null; numbers widen as in [`Table::push`](super::Table::push)
    /// (`5` for a `real` parameter), and any value fits a `dynamic` one.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Params {
        self.set(name, value);
        self
    }

    /// Gives parameter `name` a value written as text, converted by its
    /// declared type as the command line's `--param NAME=TEXT` does: a
    /// `string` takes the text as it is; a `dynamic` reads it as JSON; any
    /// other type reads it as the text of a typed literal (`long(TEXT)`,
    /// `datetime(TEXT)`, `timespan(TEXT)`: `5`, `2024-01-01`, `14d`,
    /// `null`...).
    pub fn param_text(mut self, name: impl Into<String>, text: impl Into<String>) -> Params {
        self.set_text(name, text);
        self
    }

    /// Gives parameter `name` a value, as [`Params::param`] does.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Params {
        self.given.push((name.into(), Given::Value(value.into())));
        self
    }

    /// Gives parameter `name` a value written as text, as
    /// [`Params::param_text`] does.
    pub fn set_text(&mut self, name: impl Into<String>, text: impl Into<String>) -> &mut Params {
        self.given.push((name.into(), Given::Text(text.into())));
        self
    }

    /// Whether no parameter was given a value.
    pub fn is_empty(&self) -> bool {
        self.given.is_empty()
    }

    /// The values for the parameters `query` declares, by name, each of
    /// its declared type. A name the query does not declare is an error
    /// naming it; so is a value that does not convert (reported at the
    /// declaration).
    pub(super) fn resolve(&self, query: &ast::Query) -> Result<HashMap<String, ScalarExpr>, Error> {
        let declared: Vec<&ast::Param> = query
            .statements
            .iter()
            .filter_map(|s| match &s.kind {
                StatementKind::DeclareQueryParameters { params } => Some(params),
                _ => None,
            })
            .flatten()
            .collect();
        let mut values = HashMap::new();
        for (name, given) in &self.given {
            let Some(param) = declared.iter().rev().find(|p| p.name.name == *name) else {
                let names: Vec<&str> = declared.iter().map(|p| p.name.name.as_str()).collect();
                return Err(Error::Usage(if names.is_empty() {
                    format!(
                        "a value was given for query parameter '{name}', but the query declares no query parameters"
                    )
                } else {
                    format!(
                        "a value was given for query parameter '{name}', but the query declares no such parameter (it declares: {})",
                        names.join(", ")
                    )
                }));
            };
            let value = convert(param, given).map_err(|e| Error::Bind(vec![e]))?;
            values.insert(name.clone(), value);
        }
        Ok(values)
    }
}

/// The value given for `param`, of its declared type.
fn convert(param: &ast::Param, given: &Given) -> Result<ScalarExpr, BindError> {
    let name = &param.name.name;
    let error = |message: String| {
        BindError::new(BindErrorKind::Invalid, param.span, message).with_label("declared here")
    };
    let ParamType::Scalar { ty } = &param.ty else {
        return Err(error(format!(
            "query parameter '{name}' is tabular: only scalar parameters can be given a value"
        )));
    };
    let Some(data_type) = DataType::from_name(&ty.name) else {
        return Err(error(format!(
            "query parameter '{name}' is declared of type '{}', which is not a scalar type",
            ty.name
        )));
    };
    let value = match given {
        Given::Value(v) => fit(v.clone(), data_type).map_err(|v| {
            error(format!(
                "query parameter '{name}' is {}, and the value given, {}, is not",
                with_article(data_type.name()),
                describe_value(&v)
            ))
        })?,
        Given::Text(text) => text_value(text, data_type).ok_or_else(|| {
            error(format!(
                "query parameter '{name}' is {}, and the value given, '{text}', does not convert to one",
                with_article(data_type.name())
            ))
        })?,
    };
    Ok(ScalarExpr::literal(value, data_type, param.span))
}

/// `text` read as a value of type `ty`, the way [`Params::param_text`]
/// says.
fn text_value(text: &str, ty: DataType) -> Option<Value> {
    match ty {
        DataType::String => Some(Value::string(text)),
        DataType::Dynamic => crate::json::parse_value(text).ok(),
        _ => {
            let literal = Literal::Typed {
                type_name: ty.name().to_string(),
                text: text.to_string(),
            };
            let (value, _) = literal_value(&literal, crate::span::Span::default()).ok()?;
            fit(value, ty).ok()
        }
    }
}

//! `externaldata (columns) [urls] with (format=...)`: read from the local
//! mirror the user named for each URL (`Workspace::add_external`, or a
//! mirror folder holding the URL's file name). No URL is ever fetched: one
//! without a mirror is an error.

use super::bind::Binder;
use super::{BindError, BindErrorKind};
use crate::plan::logical::{LogicalPlan, Values};
use crate::schema::{Field, Schema};
use crate::span::Span;
use crate::syntax::ast::{ColumnDecl, Expr, Property};
use crate::types::DataType;
use crate::value::Value;
use std::path::PathBuf;
use std::sync::Arc;

type Bound = Result<LogicalPlan, Vec<BindError>>;

fn one(e: BindError) -> Vec<BindError> {
    vec![e]
}

impl Binder<'_> {
    pub(super) fn external_data(
        &mut self,
        columns: &[ColumnDecl],
        uris: &[Expr],
        properties: &[Property],
        span: Span,
    ) -> Bound {
        let fields = super::sources::declared_fields(columns)?;
        let mut format = "csv".to_string();
        let mut skip_first = false;
        for p in properties {
            let value = self.constant_scalar(&p.value).map_err(one)?;
            let text = value
                .as_literal()
                .map(|v| crate::value::string_form::text(v).into_owned())
                .unwrap_or_default();
            match p.name.name.to_ascii_lowercase().as_str() {
                "format" => format = text.to_ascii_lowercase(),
                "ignorefirstrecord" => skip_first = text == "true",
                _ => {}
            }
        }
        let mut rows = Vec::new();
        for uri in uris {
            let value = self.constant_scalar(uri).map_err(one)?;
            let Some(Value::String(url)) = value.as_literal() else {
                return Err(one(BindError::new(
                    BindErrorKind::Type,
                    uri.span,
                    "an externaldata URL must be a constant string",
                )));
            };
            let url = url.to_string();
            let path = self.mirror_of(&url).ok_or_else(|| {
                one(BindError::new(
                    BindErrorKind::NotSupported,
                    uri.span,
                    "'externaldata' is not supported: kqlite reads only the files it is given and makes no network connection",
                )
                .with_label("no local copy of this URL was given")
                .with_help(Some(
                    "give a local copy with --external URL=FILE or --external-dir DIR".to_string(),
                )))
            })?;
            let bytes = std::fs::read(&path).map_err(|e| {
                one(BindError::new(
                    BindErrorKind::Invalid,
                    uri.span,
                    format!("the local copy of '{url}' ({}): {e}", path.display()),
                ))
            })?;
            read_rows(&bytes, &format, skip_first, &fields, &mut rows).map_err(|e| {
                one(BindError::new(
                    BindErrorKind::Invalid,
                    uri.span,
                    format!("the local copy of '{url}' ({}): {e}", path.display()),
                ))
            })?;
        }
        let _ = span;
        Ok(LogicalPlan::Values(Values {
            schema: Schema::new(fields),
            rows: Arc::new(rows),
        }))
    }

    fn mirror_of(&self, url: &str) -> Option<PathBuf> {
        if let Some(p) = self.workspace.external.get(url) {
            return Some(p.clone());
        }
        let dir = self.workspace.external_dir.as_ref()?;
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let name = path.trim_end_matches('/').rsplit('/').next()?;
        if name.is_empty() || name.contains("..") {
            return None;
        }
        let p = dir.join(name);
        p.is_file().then_some(p)
    }
}

/// The rows of a mirrored file in `format` (`csv`, `tsv`, `txt` (one
/// line per row, in the first column), `json`/`multijson` (one object per
/// line, members by column name)).
fn read_rows(
    bytes: &[u8],
    format: &str,
    skip_first: bool,
    fields: &[Field],
    out: &mut Vec<Vec<Value>>,
) -> Result<(), String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let typed = |text: &str, f: &Field| match f.ty {
        DataType::String => Value::string(text),
        _ if text.is_empty() => crate::value::cast::null_of(f.ty),
        DataType::Dynamic => crate::json::parse_value(text).unwrap_or_else(|_| Value::string(text)),
        ty => crate::value::cast::cast(Value::string(text), ty),
    };
    match format {
        "csv" | "tsv" | "psv" | "scsv" | "tsve" => {
            let delimiter = match format {
                "tsv" | "tsve" => b'\t',
                "psv" => b'|',
                "scsv" => b';',
                _ => b',',
            };
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(bytes);
            for (n, record) in reader.records().enumerate() {
                let record = record.map_err(|e| e.to_string())?;
                if n == 0 && skip_first {
                    continue;
                }
                out.push(
                    fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| typed(record.get(i).unwrap_or(""), f))
                        .collect(),
                );
            }
        }
        "txt" | "raw" => {
            let text = String::from_utf8_lossy(bytes);
            for (n, line) in text.lines().enumerate() {
                if n == 0 && skip_first {
                    continue;
                }
                out.push(
                    fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            if i == 0 {
                                typed(line, f)
                            } else {
                                crate::value::cast::null_of(f.ty)
                            }
                        })
                        .collect(),
                );
            }
        }
        "json" | "multijson" => {
            let text = String::from_utf8_lossy(bytes);
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
                out.push(
                    fields
                        .iter()
                        .map(|f| match v.get(&f.name) {
                            None | Some(serde_json::Value::Null) => {
                                crate::value::cast::null_of(f.ty)
                            }
                            Some(serde_json::Value::String(s)) => typed(s, f),
                            Some(other) => typed(&other.to_string(), f),
                        })
                        .collect(),
                );
            }
        }
        other => {
            return Err(format!(
                "the format '{other}' is not supported for externaldata"
            ));
        }
    }
    Ok(())
}

//! Where the formats meet the executor: cutting an input into [`Part`]s
//! for a scan of one table, and the columns a table gets from its inputs.

use super::Input;
use super::InputError;
use super::activity::ActivityListDecoder;
use super::audit::AuditDecoder;
use super::az_query::{AzQueryDecoder, TABLE_NAME_KEY};
use super::chunk;
use super::csv::CsvDecoder;
use super::detect::sample;
use super::json_rows::{self as jsonl, JsonRowsDecoder};
use super::open::OpenInput;
use super::query_api::QueryApiDecoder;
use super::read::trim_line;
use super::read::{CONTAINER_KEYS, LinePrefilter, document_records};
use super::read::{Decode, Layout, Part};
use super::records::RecordsDecoder;
use super::text::{Dialect, infer_type};
use super::{FormatKind, InputFormat, mapped_tables};
use crate::schema::{Field, Schema};
use crate::types::DataType;
use std::sync::Arc;

/// The decoder that reads `format` as rows of `table` with columns
/// `fields`; `filter` is the prefilter of plain JSON rows.
fn decoder(
    format: &InputFormat,
    table: &str,
    fields: &[Field],
    filter: Option<Arc<dyn LinePrefilter>>,
) -> Arc<dyn Decode> {
    let layout = if format.document {
        Layout::Document
    } else {
        Layout::Lines
    };
    let mapped = mapped_tables(format.kind).contains(&table);
    match format.kind {
        FormatKind::K8sAudit if mapped => Arc::new(AuditDecoder::new(table, fields, layout)),
        FormatKind::AzureRecords if mapped => Arc::new(RecordsDecoder::new(table, fields, layout)),
        FormatKind::ActivityList if mapped => {
            Arc::new(ActivityListDecoder::new(table, fields, layout))
        }
        FormatKind::QueryApi => Arc::new(QueryApiDecoder::new(fields, format.select.clone())),
        FormatKind::AzQuery => Arc::new(AzQueryDecoder::new(fields)),
        FormatKind::PortalCsv => Arc::new(CsvDecoder::new(fields, format.select.clone())),
        // The prefilter is for plain JSON rows only: the bad lines it
        // reports are worded for them.
        FormatKind::JsonRows if format.is_plain_rows() => {
            Arc::new(JsonRowsDecoder::new(fields, layout, filter))
        }
        FormatKind::JsonRows
        | FormatKind::K8sAudit
        | FormatKind::AzureRecords
        | FormatKind::ActivityList => Arc::new(JsonRowsDecoder::new(fields, layout, None)),
    }
}

/// The parts of input number `index` (opened as `open`) for a scan of
/// `table` that reads `fields`, whose plain JSON-rows lines `filter` may
/// reject unread. Line-delimited files that are not compressed are cut
/// into line-aligned chunks of about `chunk_size` bytes.
pub fn parts<'a>(
    index: usize,
    open: &'a OpenInput,
    input: &Input,
    table: &str,
    fields: &[Field],
    chunk_size: usize,
    filter: Option<Arc<dyn LinePrefilter>>,
) -> Vec<Part<'a>> {
    let format = &input.format;
    let decoder = decoder(format, table, fields, filter);
    let bytes = open.bytes();
    let part = |range: std::ops::Range<usize>| Part {
        input: index,
        bytes: &bytes[range.clone()],
        base: range.start,
        gzip: format.gzip,
        avro: format.avro,
        decoder: decoder.clone(),
    };
    if decoder.layout() == Layout::Lines && !format.gzip && !format.avro {
        chunk::split(bytes, chunk_size)
            .into_iter()
            .map(part)
            .collect()
    } else {
        vec![part(0..bytes.len())]
    }
}

/// How much of each input is read to discover columns that are not in the
/// table's built-in schema.
pub const SCHEMA_SAMPLE_BYTES: usize = 4 << 20;

/// The first [`SCHEMA_SAMPLE_BYTES`] of an input, and the rest of the line
/// they end in: a first line longer than the sample is still read whole,
/// so its columns are found.
fn schema_sample(bytes: &[u8]) -> &[u8] {
    let end = match bytes.get(SCHEMA_SAMPLE_BYTES..) {
        Some(rest) => memchr::memchr(b'\n', rest).map_or(bytes.len(), |i| SCHEMA_SAMPLE_BYTES + i),
        None => bytes.len(),
    };
    bytes.get(..end).unwrap_or(bytes)
}

/// The columns of JSON-rows inputs: the built-in schema (if any), then
/// every other key found in a sample of the inputs, in order of first appearance
/// (docs/semantics.md#json-column-order).
fn rows_schema(builtin: Option<Schema>, inputs: &[Input]) -> Result<Schema, InputError> {
    let mut schema = builtin.unwrap_or_default();
    for input in inputs {
        let open = OpenInput::open(input)?;
        let bytes = open.bytes();
        let sample = schema_sample(bytes);
        let lines = chunk::lines(sample).filter_map(|(_, l)| trim_line(l));
        // The columns found are new to `schema` (the built-in ones and
        // those of the inputs before).
        let found = jsonl::infer_columns(lines, &schema);
        schema.fields.extend(found);
    }
    Ok(schema)
}

/// How much of a file of records mapped onto `AzureDiagnostics` is sampled
/// for the properties of other resource types.
const MAPPED_SAMPLE_BYTES: usize = 256 << 10;

/// The table's columns: the built-in schema (if any), then the columns
/// each input adds, in order of first appearance. Inputs of formats mapped
/// onto the table (a raw audit log bound to `AKSAudit`) add none; exports
/// add their own columns, typed by the export where it says (query API)
/// and else by careful inference; JSON rows add the keys found in a sample.
pub fn resolve_schema(
    table: &str,
    builtin: Option<Schema>,
    inputs: &[Input],
) -> Result<Schema, InputError> {
    let plain: Vec<Input> = inputs
        .iter()
        .filter(|i| i.format.is_plain_rows())
        .cloned()
        .collect();
    let mut schema = rows_schema(builtin, &plain)?;
    for input in inputs.iter().filter(|i| !i.format.is_plain_rows()) {
        let mapped = mapped_tables(input.format.kind).contains(&table);
        if mapped && !(input.format.kind == FormatKind::AzureRecords && table == "AzureDiagnostics")
        {
            // The table's columns are the mapping's: nothing to sample.
            continue;
        }
        let open = OpenInput::open(input)?;
        // Records mapped onto AzureDiagnostics only add the properties of
        // other resource types: a smaller sample serves.
        let limit = if mapped {
            MAPPED_SAMPLE_BYTES
        } else {
            SCHEMA_SAMPLE_BYTES
        };
        let text = if input.format.gzip && !input.format.document && !input.format.avro {
            // As for plain files (`schema_sample`): the line the sample
            // ends in is read whole, so a long first line gives its columns.
            std::borrow::Cow::Owned(super::open::gunzip_prefix_lines(open.bytes(), limit))
        } else {
            sample(open.bytes(), input.format.gzip, limit)
        };
        let mut names: std::collections::HashSet<String> =
            schema.names().map(str::to_string).collect();
        for field in columns_of(&input.format, table, &text, &schema) {
            if names.insert(field.name.clone()) {
                schema.fields.push(field);
            }
        }
    }
    Ok(schema)
}

/// The columns a sample of one input offers `table` (known columns keep
/// their types; the caller drops duplicates).
fn columns_of(format: &InputFormat, table: &str, text: &[u8], known: &Schema) -> Vec<Field> {
    let known_type = |name: &str| {
        known
            .index_of(name)
            .and_then(|i| known.field(i))
            .map(|f| f.ty)
    };
    let mapped = mapped_tables(format.kind).contains(&table);
    match format.kind {
        FormatKind::QueryApi => {
            let Ok(tables) = super::query_api::tables(text) else {
                return Vec::new();
            };
            super::query_api::choose(&tables, format.select.as_deref())
                .map(|t| t.columns.clone())
                .unwrap_or_default()
        }
        FormatKind::PortalCsv => super::csv::sample_columns(text, &known_type).0,
        FormatKind::AzQuery => {
            let objects = sample_objects(text, format.document);
            let mut names: Vec<String> = Vec::new();
            for o in &objects {
                if let Ok(keys) = crate::json::top_level_keys(o) {
                    for k in keys {
                        if k != TABLE_NAME_KEY && !names.iter().any(|n| *n == k) {
                            names.push(k.into_owned());
                        }
                    }
                }
            }
            names
                .into_iter()
                .map(|name| {
                    let ty = known_type(&name).unwrap_or_else(|| {
                        let values: Vec<String> = objects
                            .iter()
                            .filter_map(|o| crate::json::get_member(o, &name).ok().flatten())
                            .filter_map(|raw| crate::json::string_text(raw).map(|t| t.into_owned()))
                            .collect();
                        infer_type(values.iter().map(String::as_str), Dialect::Python)
                    });
                    Field::new(name, ty)
                })
                .collect()
        }
        FormatKind::AzureRecords if table == "AzureDiagnostics" => {
            diagnostics_property_columns(&sample_objects(text, format.document), known)
        }
        _ if mapped => Vec::new(),
        // Native reading: the records' own keys.
        _ => {
            let objects = sample_objects(text, format.document);
            jsonl::infer_columns(objects.iter().map(Vec::as_slice), known)
        }
    }
}

/// The records of a sample (lines, or the records of documents), as owned
/// bytes; a cut last record is dropped.
fn sample_objects(text: &[u8], document: bool) -> Vec<Vec<u8>> {
    let mut objects = Vec::new();
    if document {
        let mut emit = |_: &dyn super::read::LazyRow| true;
        let mut out = super::read::Out::new(0, &mut emit);
        document_records(
            text,
            CONTAINER_KEYS,
            &|o| super::read::Loc::Offset(o),
            &mut out,
            &mut |record, _, _| objects.push(record.to_vec()),
        );
    } else {
        for (_, line) in chunk::lines(text) {
            if let Some(l) = trim_line(line)
                && l.first() == Some(&b'{')
            {
                // Event Hub bodies on one line hold several records.
                let mut emit = |_: &dyn super::read::LazyRow| true;
                let mut out = super::read::Out::new(0, &mut emit);
                document_records(
                    l,
                    &["records"],
                    &|o| super::read::Loc::Offset(o),
                    &mut out,
                    &mut |record, _, _| objects.push(record.to_vec()),
                );
            }
        }
    }
    objects
}

/// `AzureDiagnostics` columns for resource-log records beyond the built-in
/// ones: the common-schema members they carry (`resultType` becomes
/// `ResultType`...), and `properties.X` as `X_s` (string), `X_d` (number),
/// `X_b` (bool), by the type-suffix rule.
fn diagnostics_property_columns(records: &[Vec<u8>], known: &Schema) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for r in records {
        for (column, member, ty) in super::records::COMMON_COLUMNS {
            if matches!(crate::json::get_member(r, member), Ok(Some(_)))
                && known.index_of(column).is_none()
                && !out.iter().any(|f| f.name == column)
            {
                out.push(Field::new(column, ty));
            }
        }
        let Ok(Some(props)) = crate::json::get_member(r, "properties") else {
            continue;
        };
        let Ok(members) = crate::json::top_level_members(props) else {
            continue;
        };
        for (key, raw) in members {
            let (suffix, ty) = match raw.first() {
                Some(b't' | b'f') => ("b", DataType::Bool),
                Some(b'-' | b'0'..=b'9') => ("d", DataType::Real),
                Some(b'n') => continue,
                _ => ("s", DataType::String),
            };
            let name = format!("{key}_{suffix}");
            if known.index_of(&name).is_none() && !out.iter().any(|f| f.name == name) {
                out.push(Field::new(name, ty));
            }
        }
    }
    out
}

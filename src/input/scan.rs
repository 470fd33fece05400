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
use super::text::{DateOrder, Dialect, Evidence, decide_dates, infer_type_seen};
use super::{FormatKind, InputFormat, mapped_tables};
use crate::schema::{Field, Schema};
use crate::types::DataType;
use std::collections::{HashMap, HashSet};
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
        FormatKind::AzQuery => Arc::new(AzQueryDecoder::new(fields, &format.dates)),
        FormatKind::PortalCsv => Arc::new(CsvDecoder::new(
            fields,
            &format.dates,
            format.select.clone(),
        )),
        // The prefilter is for plain JSON rows only: the bad lines it
        // reports are worded for them.
        FormatKind::JsonRows if format.is_plain_rows() => {
            Arc::new(JsonRowsDecoder::new(fields, &format.dates, layout, filter))
        }
        FormatKind::JsonRows
        | FormatKind::K8sAudit
        | FormatKind::AzureRecords
        | FormatKind::ActivityList => {
            Arc::new(JsonRowsDecoder::new(fields, &format.dates, layout, None))
        }
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
        stream: None,
    };
    if let Some(stream) = open.stream() {
        // A stream is read in order, by one part, as it comes.
        return vec![Part {
            stream: Some(stream.clone()),
            ..part(0..bytes.len())
        }];
    }
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

/// How much of a file of records mapped onto `AzureDiagnostics` is sampled
/// for the properties of other resource types.
const MAPPED_SAMPLE_BYTES: usize = 256 << 10;

/// A discovered column: its name, the type its values suggest so far
/// (`None`: no value seen), and the type it takes when no value says one.
struct Found {
    name: String,
    ty: Option<DataType>,
    fallback: DataType,
}

/// Columns found in the inputs beyond the built-in schema, their types
/// merged over every input so that file order does not change them
/// (docs/semantics.md#json-column-order).
/// The second member: whether the input being sampled had a column of
/// the built-in schema. The third: each found name's index in the first,
/// so that a line of many thousands of keys costs linear time.
#[derive(Default)]
struct Discovered(Vec<Found>, bool, HashMap<String, usize>);

/// Notes an input whose sampled rows have none of the table's built-in
/// columns (`before`: how many columns were discovered before it).
fn note_unmatched(
    input: &Input,
    table: &str,
    schema: &Schema,
    found: &Discovered,
    before: usize,
    notes: &mut Vec<String>,
) {
    if schema.fields.is_empty() || found.1 {
        return;
    }
    // Nothing at all sampled (an empty file) says nothing.
    if found.0.len() == before {
        return;
    }
    notes.push(format!(
        "the rows of {input} have none of {table}'s columns: is it the right table?"
    ));
}

/// Notes columns of the built-in schema that the inputs hold only split
/// by type, as `union` names a column whose type differs between its legs
/// (`LocationDetails_dynamic`, `LocationDetails_string`: an export of
/// `union SigninLogs, AADNonInteractiveUserSignInLogs`). The built-in
/// column is then null in every row of those inputs, which would otherwise
/// pass unsaid.
fn note_split_columns(table: &str, schema: &Schema, found: &Discovered, notes: &mut Vec<String>) {
    const TYPE_SUFFIXES: [&str; 10] = [
        "bool", "datetime", "decimal", "dynamic", "guid", "int", "long", "real", "string",
        "timespan",
    ];
    let mut split: Vec<(&str, Vec<&str>)> = Vec::new();
    for f in &found.0 {
        let Some((stem, suffix)) = f.name.rsplit_once('_') else {
            continue;
        };
        if !TYPE_SUFFIXES.contains(&suffix) || schema.index_of(stem).is_none() {
            continue;
        }
        match split.iter_mut().find(|(s, _)| *s == stem) {
            Some((_, parts)) => parts.push(&f.name),
            None => split.push((stem, vec![&f.name])),
        }
    }
    if split.is_empty() {
        return;
    }
    let listed: Vec<String> = split
        .iter()
        .map(|(stem, parts)| format!("{stem} ({})", parts.join(", ")))
        .collect();
    notes.push(format!(
        "the inputs of {table} hold {} of its columns only split by type, as an export of a union writes them: {}; those columns are null, read the split ones (coalesce(tostring(X_dynamic), X_string))",
        split.len(),
        listed.join("; ")
    ));
}

impl Discovered {
    /// A column of the built-in schema was seen.
    fn known(&mut self) {
        self.1 = true;
    }

    fn add(&mut self, name: &str, ty: Option<DataType>, fallback: DataType) {
        match self.2.get(name).and_then(|&i| self.0.get_mut(i)) {
            Some(f) => f.ty = jsonl::merge_types(f.ty, ty),
            None => {
                self.2.insert(name.to_string(), self.0.len());
                self.0.push(Found {
                    name: name.to_string(),
                    ty,
                    fallback,
                });
            }
        }
    }
}

/// The type of a discovered column that no value typed: the table's full
/// reference schema's, else the Log Analytics custom-log suffix
/// (docs/semantics.md#column-types), else `fallback`.
fn settle(found: Found, reference: Option<&Schema>, table_has_schema: bool) -> Field {
    let Found { name, ty, fallback } = found;
    let known = reference
        .and_then(|r| r.index_of(&name).and_then(|i| r.field(i)))
        .map(|f| f.ty);
    let ty = known
        .or_else(|| (!table_has_schema).then(|| suffix_type(&name)).flatten())
        .or(ty)
        .unwrap_or(fallback);
    Field::new(name, ty)
}

/// The type a Log Analytics custom-log column's suffix gives it: `_s`
/// string, `_d` real, `_b` bool, `_t` datetime, `_g` guid.
pub(crate) fn suffix_type(name: &str) -> Option<DataType> {
    let (stem, suffix) = name.rsplit_once('_')?;
    if stem.is_empty() {
        return None;
    }
    Some(match suffix {
        "s" => DataType::String,
        "d" => DataType::Real,
        "b" => DataType::Bool,
        "t" => DataType::DateTime,
        "g" => DataType::Guid,
        _ => return None,
    })
}

/// A JSON key as a column name: the portal's JSON export writes datetime
/// columns as `"TimeGenerated [UTC]"`; the suffix says the type.
fn key_name(key: &str) -> (&str, bool) {
    super::csv::header_name(key)
}

/// The date evidence of the string members of JSON records.
fn json_evidence<'a>(records: impl Iterator<Item = &'a [u8]>) -> Vec<(String, Evidence)> {
    let mut out: Vec<(String, Evidence)> = Vec::new();
    for line in records {
        let Ok(members) = crate::json::top_level_members(line) else {
            continue;
        };
        for (key, raw) in members {
            if raw.first() != Some(&b'"') {
                continue;
            }
            let Some(text) = crate::json::string_text(raw) else {
                continue;
            };
            let name = key_name(&key).0;
            let i = match out.iter().position(|(n, _)| n == name) {
                Some(i) => i,
                None => {
                    out.push((name.to_string(), Evidence::default()));
                    out.len() - 1
                }
            };
            if let Some((_, e)) = out.get_mut(i) {
                e.add(&text);
            }
        }
    }
    out
}

/// The columns JSON records add beyond `known`, with the types their values suggest.
fn json_columns<'a>(
    records: impl Iterator<Item = &'a [u8]>,
    known: &Schema,
    found: &mut Discovered,
) {
    for line in records {
        let Ok(members) = crate::json::top_level_members(line) else {
            continue;
        };
        for (key, raw) in members {
            let (name, utc) = key_name(&key);
            if known.index_of(name).is_some() {
                found.known();
                continue;
            }
            let ty = if utc {
                Some(DataType::DateTime)
            } else {
                jsonl::value_type(raw)
            };
            found.add(name, ty, DataType::Dynamic);
        }
    }
}

/// The table's columns: the built-in schema (if any), then the columns
/// each input adds, in order of first appearance, typed from the values of
/// every input together (so file order does not change a type). Inputs of
/// formats mapped onto the table (a raw audit log bound to `AKSAudit`) add
/// none; exports add their own columns, typed by the export where it says
/// (query API), else by `reference` (every column kqlite knows of the
/// table), else by careful inference; JSON rows add the keys found in a
/// sample. Each input's locale dates get their day/month order here
/// (`date_order` forces one; docs/semantics.md#export-dates).
pub fn resolve_schema(
    table: &str,
    builtin: Option<Schema>,
    reference: Option<Schema>,
    inputs: &mut [Input],
    date_order: Option<DateOrder>,
    notes: &mut Vec<String>,
) -> Result<Schema, InputError> {
    let table_has_schema = builtin.is_some() || reference.is_some();
    let mut schema = builtin.unwrap_or_default();
    let mut found = Discovered::default();
    for input in inputs.iter_mut() {
        let before = found.0.len();
        let matched_before = found.1;
        found.1 = false;
        let mapped = mapped_tables(input.format.kind).contains(&table);
        if mapped && !(input.format.kind == FormatKind::AzureRecords && table == "AzureDiagnostics")
        {
            // The table's columns are the mapping's: nothing to sample.
            continue;
        }
        let open = input.open()?;
        if input.format.is_plain_rows() {
            let sample = schema_sample(open.bytes());
            let lines = || chunk::lines(sample).filter_map(|(_, l)| trim_line(l));
            json_columns(lines(), &schema, &mut found);
            input.format.dates = decide_dates(&json_evidence(lines()), date_order);
            note_unmatched(input, table, &schema, &found, before, notes);
            found.1 |= matched_before;
            continue;
        }
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
        let evidence = columns_of(
            &input.format,
            table,
            &text,
            &schema,
            reference.as_ref(),
            &mut found,
        );
        input.format.dates = decide_dates(&evidence, date_order);
        if matches!(
            input.format.kind,
            FormatKind::PortalCsv | FormatKind::AzQuery
        ) {
            note_unmatched(input, table, &schema, &found, before, notes);
        }
        found.1 |= matched_before;
    }
    note_split_columns(table, &schema, &found, notes);
    let mut names: HashSet<String> = schema.names().map(str::to_string).collect();
    for f in found.0 {
        let field = settle(f, reference.as_ref(), table_has_schema);
        if names.insert(field.name.clone()) {
            schema.fields.push(field);
        }
    }
    Ok(schema)
}

/// Adds the columns a sample of one input offers `table` to `found`
/// (columns of `known` keep their types); returns the date evidence of its
/// columns.
fn columns_of(
    format: &InputFormat,
    table: &str,
    text: &[u8],
    known: &Schema,
    reference: Option<&Schema>,
    found: &mut Discovered,
) -> Vec<(String, Evidence)> {
    let known_type = |name: &str| {
        known
            .index_of(name)
            .and_then(|i| known.field(i))
            .or_else(|| reference.and_then(|r| r.index_of(name).and_then(|i| r.field(i))))
            .map(|f| f.ty)
    };
    let mapped = mapped_tables(format.kind).contains(&table);
    match format.kind {
        FormatKind::QueryApi => {
            let Ok(tables) = super::query_api::tables(text) else {
                return Vec::new();
            };
            let columns = super::query_api::choose(&tables, format.select.as_deref())
                .map(|t| t.columns.clone())
                .unwrap_or_default();
            for c in columns {
                if known.index_of(&c.name).is_none() {
                    found.add(&c.name, Some(c.ty), c.ty);
                }
            }
            Vec::new()
        }
        FormatKind::PortalCsv => {
            let (fields, _, evidence) = super::csv::sample_columns(text, &known_type);
            for (name, ty) in fields {
                if known.index_of(&name).is_none() {
                    found.add(&name, ty, DataType::String);
                } else {
                    found.known();
                }
            }
            evidence
        }
        FormatKind::AzQuery => {
            let objects = sample_objects(text, format.document);
            let mut names: Vec<(String, bool)> = Vec::new();
            for o in &objects {
                if let Ok(keys) = crate::json::top_level_keys(o) {
                    for k in keys {
                        let (name, utc) = key_name(&k);
                        if name != TABLE_NAME_KEY && !names.iter().any(|(n, _)| n == name) {
                            names.push((name.to_string(), utc));
                        }
                    }
                }
            }
            for (name, utc) in names {
                if known.index_of(&name).is_some() {
                    found.known();
                    continue;
                }
                let key = if utc {
                    format!("{name} [UTC]")
                } else {
                    name.clone()
                };
                let raws: Vec<&[u8]> = objects
                    .iter()
                    .filter_map(|o| crate::json::get_member(o, &key).ok().flatten())
                    .collect();
                let ty = if utc {
                    Some(DataType::DateTime)
                } else if let Some(t) = known_type(&name) {
                    Some(t)
                } else if raws.iter().all(|r| matches!(r.first(), Some(b'"' | b'n'))) {
                    // Every value a string (the az CLI's `str()`): careful
                    // inference from the text.
                    let values: Vec<String> = raws
                        .iter()
                        .filter_map(|raw| crate::json::string_text(raw).map(|t| t.into_owned()))
                        .collect();
                    infer_type_seen(values.iter().map(String::as_str), Dialect::Python)
                } else {
                    // Real JSON numbers and booleans keep their types.
                    raws.iter().fold(None, |acc, raw| {
                        jsonl::merge_types(acc, jsonl::value_type(raw))
                    })
                };
                found.add(&name, ty, DataType::String);
            }
            json_evidence(objects.iter().map(Vec::as_slice))
        }
        FormatKind::AzureRecords if table == "AzureDiagnostics" => {
            for f in diagnostics_property_columns(&sample_objects(text, format.document), known) {
                found.add(&f.name, Some(f.ty), f.ty);
            }
            Vec::new()
        }
        _ if mapped => Vec::new(),
        // Native reading: the records' own keys.
        _ => {
            let objects = sample_objects(text, format.document);
            json_columns(objects.iter().map(Vec::as_slice), known, found);
            json_evidence(objects.iter().map(Vec::as_slice))
        }
    }
}

/// The keys of `input` when it is JSON holding a single object record
/// (such as an ARM schema file `{"kind": 0, ...}`), else `None`.
pub fn lone_record_keys(input: &Input) -> Option<Vec<String>> {
    if input.format.kind != FormatKind::JsonRows || input.format.gzip || input.format.avro {
        return None;
    }
    let open = input.open().ok()?;
    let text = sample(open.bytes(), false, SCHEMA_SAMPLE_BYTES);
    if text.len() == SCHEMA_SAMPLE_BYTES {
        return None;
    }
    let objects = sample_objects(&text, true);
    match objects.as_slice() {
        [one] => crate::json::top_level_keys(one)
            .ok()
            .map(|keys| keys.into_iter().map(|k| k.into_owned()).collect()),
        _ => None,
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

//! Reading table inputs: opening files, cutting them into chunks, decoding
//! rows, and remembering the lines that are not rows.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

pub mod chunk;
pub mod jsonl;
pub mod mmap;

use crate::catalog::{Input, InputSource};
use crate::exec::ExecError;
use crate::schema::{Field, Schema};
use mmap::Bytes;
use std::sync::Arc;

/// An input opened for reading.
pub struct OpenInput {
    pub name: Arc<str>,
    bytes: InputBytes,
}

enum InputBytes {
    File(Bytes),
    Shared(Arc<[u8]>),
}

impl OpenInput {
    pub fn open(input: &Input) -> Result<OpenInput, ExecError> {
        let name: Arc<str> = Arc::from(input.to_string());
        let bytes = match &input.source {
            InputSource::File(path) => {
                InputBytes::File(Bytes::open(path).map_err(|source| ExecError::Io {
                    path: name.to_string(),
                    source,
                })?)
            }
            InputSource::Memory { bytes, .. } => InputBytes::Shared(bytes.clone()),
        };
        Ok(OpenInput { name, bytes })
    }

    /// The input's bytes, without a leading UTF-8 byte-order mark.
    pub fn bytes(&self) -> &[u8] {
        let all: &[u8] = match &self.bytes {
            InputBytes::File(b) => b,
            InputBytes::Shared(b) => b,
        };
        all.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(all)
    }

    /// Offset of `bytes()` within the file (3 when a BOM was skipped).
    pub fn bom_len(&self) -> usize {
        let all: &[u8] = match &self.bytes {
            InputBytes::File(b) => b,
            InputBytes::Shared(b) => b,
        };
        if all.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        }
    }

    /// Whether the file shrank while it was being read (see `mmap`).
    pub fn truncated(&self) -> bool {
        match &self.bytes {
            InputBytes::File(b) => b.truncated(),
            InputBytes::Shared(_) => false,
        }
    }

    /// 1-based line number of a byte offset into `bytes()`.
    pub fn line_of(&self, offset: usize) -> usize {
        let bytes = self.bytes();
        let before = bytes.get(..offset).unwrap_or(bytes);
        memchr::memchr_iter(b'\n', before).count() + 1
    }
}

/// A line that is not a row: which input, where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    pub input: usize,
    /// Byte offset of the line in the input (after any BOM).
    pub offset: usize,
    /// The line number, when `offset` cannot give it (decompressed input).
    pub line: Option<usize>,
    pub reason: String,
}

/// A bad line as reported to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLineReport {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// The text of a line without a final `\r` and surrounding blanks; `None`
/// for a blank line (skipped without a report).
pub fn trim_line(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    line.get(start..end)
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

/// The table's columns: the built-in schema (if any), then every other key
/// found in a sample of the inputs, in order of first appearance
/// (docs/semantics.md#json-column-order).
pub fn resolve_schema(builtin: Option<Schema>, inputs: &[Input]) -> Result<Schema, ExecError> {
    let known = builtin.unwrap_or_default();
    let mut extra: Vec<Field> = Vec::new();
    for input in inputs {
        let open = OpenInput::open(input)?;
        let bytes = open.bytes();
        let sample = schema_sample(bytes);
        let lines = chunk::lines(sample).filter_map(|(_, l)| trim_line(l));
        let mut seen = known.clone();
        seen.fields.extend(extra.iter().cloned());
        for f in jsonl::infer_columns(lines, &seen) {
            if !extra.iter().any(|e| e.name == f.name) {
                extra.push(f);
            }
        }
    }
    let mut schema = known;
    schema.fields.extend(extra);
    Ok(schema)
}

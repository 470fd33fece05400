//! Driving a decoder over an input: line by line over a mapped chunk or a
//! gzip stream, or over one whole document; collecting rows, skipped
//! records and bad records with their place in the file.

use super::chunk;
use super::open;
use crate::json::Row;
use crate::json::RowSlots;
use crate::value::Value;
use std::cell::{OnceCell, RefCell};
use std::io::Read;
use std::rc::Rc;
use std::sync::Arc;

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

/// What became of one value read as its column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Converted (or null/missing in the input: nothing to convert).
    Fine,
    /// The text does not convert to the type: the value is null.
    Failed,
    /// A date whose day/month order nothing in its file settled, read
    /// month-first (docs/semantics.md#export-dates).
    AssumedMonthFirst,
}

/// Values of one column of one input that did not convert cleanly, in one
/// part: how many, and the first (docs/semantics.md#conversions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unconverted {
    pub input: usize,
    /// The column's index in the scanned fields.
    pub column: usize,
    pub count: u64,
    /// Where the first one is: a byte offset, or a line number.
    pub offset: usize,
    pub line: Option<usize>,
    /// The first one's text (cut to 200 bytes).
    pub text: String,
    /// A date read month-first by assumption, not a failure.
    pub assumed: bool,
}

/// The conversions of one part, shared by the rows it hands on (which
/// decode their columns lazily, on this thread).
#[derive(Debug, Default)]
pub(crate) struct ConvLog {
    input: usize,
    entries: RefCell<Vec<Unconverted>>,
}

impl ConvLog {
    pub fn new(input: usize) -> ConvLog {
        ConvLog {
            input,
            entries: RefCell::new(Vec::new()),
        }
    }

    /// Keeps the value, noting a failed or assumed conversion of `text`
    /// (column `column` of the record at `at`).
    pub fn note(
        &self,
        column: usize,
        at: Loc,
        text: &[u8],
        (value, outcome): (Value, Outcome),
    ) -> Value {
        let assumed = match outcome {
            Outcome::Fine => return value,
            Outcome::Failed => false,
            Outcome::AssumedMonthFirst => true,
        };
        let mut entries = self.entries.borrow_mut();
        if let Some(e) = entries
            .iter_mut()
            .find(|e| e.column == column && e.assumed == assumed)
        {
            e.count += 1;
            return value;
        }
        let (offset, line) = match at {
            Loc::Offset(o) => (o, None),
            Loc::Line(l) => (0, Some(l)),
        };
        let cut = text.len().min(200);
        entries.push(Unconverted {
            input: self.input,
            column,
            count: 1,
            offset,
            line,
            text: String::from_utf8_lossy(text.get(..cut).unwrap_or_default()).into_owned(),
            assumed,
        });
        value
    }

    pub fn take(&self) -> Vec<Unconverted> {
        std::mem::take(&mut *self.entries.borrow_mut())
    }
}

/// An input line that is not a row, skipped (listed in
/// [`Stats::reports`](crate::Stats::reports)).
#[deny(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLineReport {
    /// The input it is in.
    pub file: String,
    /// Its line number, from 1 (for some formats, the record's number).
    pub line: usize,
    /// What is wrong with it.
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

/// A row read from an input, whose columns are decoded when first read
/// (and then kept), so that a query pays only for the columns it looks at.
/// Every decoder hands its rows on as this one trait.
pub trait LazyRow: Row {
    /// How many columns the row has.
    fn width(&self) -> usize;

    /// Every column, decoded.
    fn materialize(&self) -> Vec<Value> {
        (0..self.width()).map(|i| self.column(i)).collect()
    }

    /// The JSON object text this row was read from, when a
    /// [`RowDecoder`](super::json_rows::RowDecoder) of the scan's fields
    /// decodes every column from that text alone: a row kept for later
    /// (a top-N candidate) is then held as its text and decoded only if it
    /// is in the answer.
    fn line(&self) -> Option<&[u8]> {
        None
    }
}

/// A test that rejects lines of JSON rows by their text before they are
/// decoded (the executor's prefilter).
pub trait LinePrefilter: Send + Sync {
    /// False only if `line` cannot give a row the query keeps.
    fn may_match(&self, line: &[u8]) -> bool;
}

/// Columns computed on demand by `f`, cached in `cells`.
struct LazyCols<'a> {
    f: &'a dyn Fn(usize) -> Value,
    cells: &'a [OnceCell<Value>],
}

impl Row for LazyCols<'_> {
    fn column(&self, index: usize) -> Value {
        match self.cells.get(index) {
            Some(cell) => cell.get_or_init(|| (self.f)(index)).clone(),
            None => Value::Null,
        }
    }
}

impl LazyRow for LazyCols<'_> {
    fn width(&self) -> usize {
        self.cells.len()
    }
}

/// Where a record is: a byte offset into the input (for mapped files, as
/// the JSON-rows path reports), or a line number (for decompressed text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    Offset(usize),
    Line(usize),
}

/// Where a chunk of lines is in its input: at a byte offset of a mapped
/// input (its records located by offset), or after a number of lines of a
/// stream (its records located by line number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkAt {
    Offset(usize),
    /// The chunk's first line is line `n + 1`.
    AfterLine(usize),
}

impl ChunkAt {
    /// The place of the chunk's line number `index` (from 0), at byte
    /// `offset` of the chunk.
    pub fn locate(self, offset: usize, index: usize) -> Loc {
        match self {
            ChunkAt::Offset(base) => Loc::Offset(base + offset),
            ChunkAt::AfterLine(n) => Loc::Line(n + index + 1),
        }
    }
}

/// Scratch buffers a decoder reuses from record to record.
#[derive(Default)]
pub(crate) struct Scratch {
    pub slots: RowSlots,
    pub inner: RowSlots,
    pub event: RowSlots,
    pub text: Vec<u8>,
    pub resource: super::resource::ResourceCache,
}

/// What a part produced besides its rows.
pub(crate) struct Out<'e> {
    emit: &'e mut dyn FnMut(&dyn LazyRow) -> bool,
    /// The column cache of the lazy row being handed on.
    cells: Vec<OnceCell<Value>>,
    input: usize,
    stopped: bool,
    pub bad: Vec<BadLine>,
    pub rows: u64,
    pub skipped: u64,
    /// Values that did not convert, noted by the rows as they are decoded.
    pub conv: Rc<ConvLog>,
}

impl<'e> Out<'e> {
    pub fn new(input: usize, emit: &'e mut dyn FnMut(&dyn LazyRow) -> bool) -> Out<'e> {
        Out {
            emit,
            cells: Vec::new(),
            input,
            stopped: false,
            bad: Vec::new(),
            rows: 0,
            skipped: 0,
            conv: Rc::new(ConvLog::new(input)),
        }
    }

    /// Hands on a row of `width` columns whose column `i` is `f(i)`,
    /// computed only if the query reads it.
    pub fn row_with(&mut self, width: usize, f: &dyn Fn(usize) -> Value) {
        if self.stopped {
            return;
        }
        self.rows += 1;
        self.cells.resize_with(width, OnceCell::new);
        self.cells.truncate(width);
        for c in self.cells.iter_mut() {
            c.take();
        }
        let row = LazyCols {
            f,
            cells: &self.cells,
        };
        if !(self.emit)(&row) {
            self.stopped = true;
        }
    }

    /// Hands on a row.
    pub fn row(&mut self, row: &dyn LazyRow) {
        if self.stopped {
            return;
        }
        self.rows += 1;
        if !(self.emit)(row) {
            self.stopped = true;
        }
    }

    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// A record that belongs to another table.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    /// A record that could not be read.
    pub fn bad(&mut self, at: Loc, reason: impl Into<String>) {
        let (offset, line) = match at {
            Loc::Offset(o) => (o, None),
            Loc::Line(l) => (0, Some(l)),
        };
        self.bad.push(BadLine {
            input: self.input,
            offset,
            line,
            reason: reason.into(),
        });
    }
}

/// A format's decoder. Line formats implement [`Decode::line`]; document
/// formats [`Decode::document`]; CSV [`Decode::stream`].
pub(crate) trait Decode: Send + Sync {
    /// One non-blank line (trimmed) of a line-delimited file.
    fn line(&self, _line: &[u8], _at: Loc, _scratch: &mut Scratch, out: &mut Out) {
        out.bad(_at, "this format is not line-delimited");
    }

    /// A whole document; `locate` turns a byte offset in `text` into a
    /// place in the file.
    fn document(&self, text: &[u8], locate: &dyn Fn(usize) -> Loc, out: &mut Out) {
        // By default a document is a sequence of line records that may
        // span lines: JSON values one after another.
        let mut scratch = Scratch::default();
        json_values(text, locate, out, &mut |value, at, out| {
            self.line(value, at, &mut scratch, out)
        });
    }

    /// A stream read to its end (CSV).
    fn stream(&self, _reader: &mut dyn Read, out: &mut Out) {
        out.bad(Loc::Line(1), "this format cannot be read as a stream");
    }

    /// The lines of a line-aligned chunk of an input, at `at` of it: each
    /// non-blank line, trimmed, to [`Decode::line`].
    fn lines(&self, chunk: &[u8], at: ChunkAt, out: &mut Out) {
        let mut scratch = Scratch::default();
        for (i, (offset, raw)) in chunk::lines(chunk).enumerate() {
            let Some(line) = trim_line(raw) else {
                continue;
            };
            self.line(line, at.locate(offset, i), &mut scratch, out);
            if out.stopped() {
                break;
            }
        }
    }

    /// How the file is laid out.
    fn layout(&self) -> Layout;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One record per line: mapped files are read in parallel chunks.
    Lines,
    /// One document, read whole.
    Document,
    /// A stream read in order (CSV).
    Stream,
}

/// One unit of parallel work on an input of a non-JSON-rows format: a
/// line-aligned chunk of a mapped file, or the whole file.
pub struct Part<'a> {
    pub(crate) input: usize,
    pub(crate) bytes: &'a [u8],
    /// Offset of `bytes` in the input.
    pub(crate) base: usize,
    pub(crate) gzip: bool,
    pub(crate) avro: bool,
    pub(crate) decoder: Arc<dyn Decode>,
    /// The stream the part reads (whole), instead of `bytes`.
    pub(crate) stream: Option<Arc<super::Stream>>,
}

/// What reading a part gave, besides the rows handed on.
pub struct PartResult {
    pub bad: Vec<BadLine>,
    /// Rows produced.
    pub rows_read: u64,
    /// Records that belong to another table than the one scanned.
    pub skipped: u64,
    /// Values that did not convert to their column's type.
    pub unconverted: Vec<Unconverted>,
    /// Why reading stopped before the end, if it failed (a stream that
    /// could not be read): the scan fails with it.
    pub failed: Option<std::io::Error>,
}

impl Part<'_> {
    /// Reads the part, handing each row to `emit` (which returns false
    /// when it needs no more).
    pub fn read(&self, emit: &mut dyn FnMut(&dyn LazyRow) -> bool) -> PartResult {
        let mut out = Out::new(self.input, emit);
        let decoder = self.decoder.as_ref();
        if let Some(stream) = &self.stream {
            let failed = read_stream(stream, self.gzip, self.avro, decoder, &mut out).err();
            return PartResult {
                unconverted: out.conv.take(),
                bad: out.bad,
                rows_read: out.rows,
                skipped: out.skipped,
                failed,
            };
        }
        if self.avro {
            super::avro::read(self.bytes, decoder, &mut out);
            return PartResult {
                unconverted: out.conv.take(),
                bad: out.bad,
                rows_read: out.rows,
                skipped: out.skipped,
                failed: None,
            };
        }
        match (decoder.layout(), self.gzip) {
            (Layout::Lines, false) => {
                decoder.lines(self.bytes, ChunkAt::Offset(self.base), &mut out)
            }
            (Layout::Lines, true) => gzip_lines(self.bytes, decoder, &mut out),
            (Layout::Document, false) => {
                let base = self.base;
                decoder.document(self.bytes, &|o| Loc::Offset(base + o), &mut out);
            }
            (Layout::Document, true) => match open::gunzip_all(self.bytes) {
                Ok(text) => {
                    let lines = LineCounter::new(&text);
                    let locate = |o: usize| Loc::Line(lines.line_of(o));
                    decoder.document(strip_bom(&text), &locate, &mut out);
                }
                Err(e) => out.bad(Loc::Line(1), format!("gzip: {e}")),
            },
            (Layout::Stream, false) => {
                let mut reader: &[u8] = self.bytes;
                decoder.stream(&mut reader, &mut out);
            }
            (Layout::Stream, true) => {
                let mut reader = open::gunzip_stream(self.bytes);
                decoder.stream(&mut reader, &mut out);
            }
        }
        PartResult {
            unconverted: out.conv.take(),
            bad: out.bad,
            rows_read: out.rows,
            skipped: out.skipped,
            failed: None,
        }
    }
}

/// Reads a whole stream (decompressed when `gzip`): line-delimited formats
/// a block at a time as the bytes come, stopping when `out` has enough;
/// CSV as a stream; documents and Avro containers (which are read whole)
/// into memory within the budget. An error reading the stream, or a line
/// longer than the memory budget, fails the read.
fn read_stream(
    stream: &Arc<super::Stream>,
    gzip: bool,
    avro: bool,
    decoder: &dyn Decode,
    out: &mut Out,
) -> std::io::Result<()> {
    if avro {
        let bytes = open::read_bounded(stream.reader())?;
        super::avro::read(&bytes, decoder, out);
        return Ok(());
    }
    let mut text = open::stream_text(stream, gzip);
    match decoder.layout() {
        Layout::Lines => stream_lines(&mut text, decoder, out),
        Layout::Stream => {
            decoder.stream(&mut text, out);
            Ok(())
        }
        Layout::Document => {
            let text = open::read_bounded(text)?;
            let lines = LineCounter::new(&text);
            let locate = |o: usize| Loc::Line(lines.line_of(o));
            decoder.document(&text, &locate, out);
            Ok(())
        }
    }
}

/// How much of a stream is asked for at once.
const STREAM_BLOCK: usize = 1 << 20;

/// Decodes the lines of a stream as they come: each read's complete lines
/// at once ([`Decode::lines`], numbered on from the lines before), so a
/// slow stream's rows are handed on as soon as their line ends. A line is
/// held until it ends: one longer than the memory budget is an error.
fn stream_lines(reader: &mut dyn Read, decoder: &dyn Decode, out: &mut Out) -> std::io::Result<()> {
    let limit = crate::memory::effective_limit();
    let mut buf: Vec<u8> = Vec::with_capacity(STREAM_BLOCK);
    let mut block = vec![0u8; STREAM_BLOCK];
    let mut lines_before = 0usize;
    loop {
        let start = buf.len();
        let n = loop {
            match reader.read(&mut block) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        buf.extend_from_slice(block.get(..n).unwrap_or_default());
        let ended = n == 0;
        // Only the new bytes are searched: a long line is scanned once.
        let end = if ended {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[start..]) {
                Some(i) => start + i + 1,
                None if buf.len() > limit => {
                    return Err(std::io::Error::other(format!(
                        "line {} is longer than the memory budget ({}): a line is held                          in memory to be read (raise the budget with --max-memory)",
                        lines_before + 1,
                        crate::memory::human(limit)
                    )));
                }
                None => continue,
            }
        };
        let lines = &buf[..end];
        decoder.lines(lines, ChunkAt::AfterLine(lines_before), out);
        if out.stopped() || ended {
            return Ok(());
        }
        lines_before += memchr::memchr_iter(b'\n', lines).count();
        buf.drain(..end);
    }
}

fn strip_bom(text: &[u8]) -> &[u8] {
    text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text)
}

/// Line numbers of offsets that mostly grow (the records of a document,
/// in order): each is counted on from the previous one, so numbering all
/// the records of a document is linear in its size, not quadratic.
struct LineCounter<'a> {
    text: &'a [u8],
    /// The last offset asked about, and its line.
    at: std::cell::Cell<(usize, usize)>,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            text,
            at: std::cell::Cell::new((0, 1)),
        }
    }

    /// 1-based line of byte `offset` in the text.
    fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let (from, line) = match self.at.get() {
            (at, line) if at <= offset => (at, line),
            _ => (0, 1),
        };
        let line = line + memchr::memchr_iter(b'\n', &self.text[from..offset]).count();
        self.at.set((offset, line));
        line
    }
}

/// Reads a gzip stream and decodes it line by line, numbering lines from
/// one (a second thread decompresses ahead of the decoding).
fn gzip_lines(bytes: &[u8], decoder: &dyn Decode, out: &mut Out) {
    let mut buf: Vec<u8> = Vec::with_capacity(open::GZIP_BLOCK * 2);
    let mut scratch = Scratch::default();
    let mut line_no = 0usize;
    let mut first = true;
    let mut damaged = None;
    open::gunzip_blocks(bytes, &mut |block| match block {
        Ok(block) => {
            buf.extend_from_slice(&block);
            if first {
                if buf.starts_with(b"\xEF\xBB\xBF") {
                    buf.drain(..3);
                }
                first = false;
            }
            // A block without a newline ends no line: decoding waits for
            // one, so a long line is scanned once, not once per block.
            if memchr::memchr(b'\n', &block).is_some() {
                let used = decode_lines(&buf, &mut line_no, decoder, &mut scratch, out, false);
                buf.drain(..used);
            }
            !out.stopped()
        }
        Err(e) => {
            damaged = Some(e);
            false
        }
    });
    if out.stopped() {
        return;
    }
    match damaged {
        None => {
            decode_lines(&buf, &mut line_no, decoder, &mut scratch, out, true);
        }
        Some(e) => {
            let cut = if buf.is_empty() {
                ""
            } else {
                " (its last line is cut)"
            };
            out.bad(
                Loc::Line(line_no + 1),
                format!("gzip stream damaged after line {line_no}{cut}: {e}"),
            );
        }
    }
}

/// Decodes the complete lines of `buf` (and the last, unterminated one
/// when `last`); returns how many bytes were consumed.
fn decode_lines(
    buf: &[u8],
    line_no: &mut usize,
    decoder: &dyn Decode,
    scratch: &mut Scratch,
    out: &mut Out,
    last: bool,
) -> usize {
    let mut pos = 0;
    while pos < buf.len() {
        let end = match memchr::memchr(b'\n', &buf[pos..]) {
            Some(i) => pos + i,
            None if last => buf.len(),
            None => break,
        };
        *line_no += 1;
        if let Some(line) = trim_line(&buf[pos..end]) {
            decoder.line(line, Loc::Line(*line_no), scratch, out);
            if out.stopped() {
                return buf.len();
            }
        }
        pos = end + 1;
    }
    pos.min(buf.len())
}

/// JSON values one after another, separated by whitespace (one per line,
/// or pretty-printed over many): each is handed to `each` with its place.
/// After a value that is not valid JSON, reading resumes at the next line
/// that starts with `{` or `[`.
pub(crate) fn json_values(
    text: &[u8],
    locate: &dyn Fn(usize) -> Loc,
    out: &mut Out,
    each: &mut dyn FnMut(&[u8], Loc, &mut Out),
) {
    let mut pos = 0;
    while pos < text.len() && !out.stopped() {
        let mut scanner = crate::json::Scanner::new(&text[pos..]);
        if scanner.peek().is_none() {
            return;
        }
        let start = pos + scanner.pos();
        match scanner.value_bytes(crate::json::MAX_SKIP_DEPTH) {
            Ok(value) => {
                each(value, locate(start), out);
                pos += scanner.pos();
            }
            Err(e) => {
                out.bad(locate(start), format!("not JSON: {e}"));
                pos = next_value_line(text, start + 1);
            }
        }
    }
}

/// The offset of the next line (after `from`) whose first non-blank byte
/// opens an object or array; the end of `text` if none.
fn next_value_line(text: &[u8], from: usize) -> usize {
    let mut pos = from;
    while let Some(i) = memchr::memchr(b'\n', text.get(pos..).unwrap_or_default()) {
        let line_start = pos + i + 1;
        let rest = &text[line_start..];
        let first = rest.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r'));
        if let Some(k) = first
            && matches!(rest[k], b'{' | b'[')
        {
            return line_start;
        }
        pos = line_start;
    }
    text.len()
}

/// The member names of objects that hold records: `records` (Event Hub
/// body), `items` (Kubernetes `EventList`), `value` (ARM list).
pub(crate) const CONTAINER_KEYS: &[&str] = &["records", "items", "value"];

/// The records of a JSON document, each handed to `each`: the elements of
/// a top-level array, or of an object's array member named in `keys`, or
/// else each top-level value itself. Documents may follow one another
/// (one Event Hub body per line, or several pretty-printed ones).
pub(crate) fn document_records(
    text: &[u8],
    keys: &[&str],
    locate: &dyn Fn(usize) -> Loc,
    out: &mut Out,
    each: &mut dyn FnMut(&[u8], Loc, &mut Out),
) {
    json_values(text, locate, out, &mut |value, at, out| {
        // `value` is a slice of `text`: its offset locates its records.
        let base = value.as_ptr() as usize - text.as_ptr() as usize;
        match container_elements(value, keys) {
            Ok(Some(elements)) => {
                for (offset, element) in elements {
                    each(element, locate(base + offset), out);
                    if out.stopped() {
                        return;
                    }
                }
            }
            Ok(None) => each(value, at, out),
            Err(e) => out.bad(at, format!("not JSON: {e}")),
        }
    });
}

/// The elements (with their offsets in `value`) of `value` when it is an
/// array, or an object holding an array member named in `keys`; `None`
/// for any other value.
#[allow(clippy::type_complexity)]
pub(crate) fn container_elements<'a>(
    value: &'a [u8],
    keys: &[&str],
) -> Result<Option<Vec<(usize, &'a [u8])>>, crate::json::JsonError> {
    let mut s = crate::json::Scanner::new(value);
    match s.peek() {
        Some(b'[') => Ok(Some(array_elements(&mut s)?)),
        Some(b'{') => {
            let mut seq = s.begin_object()?;
            let mut found = None;
            while let Some(key) = s.next_key(&mut seq)? {
                if keys.contains(&&*key) && s.peek() == Some(b'[') {
                    found = Some(array_elements(&mut s)?);
                } else {
                    s.skip_value()?;
                }
            }
            Ok(found)
        }
        _ => Ok(None),
    }
}

fn array_elements<'a>(
    s: &mut crate::json::Scanner<'a>,
) -> Result<Vec<(usize, &'a [u8])>, crate::json::JsonError> {
    let mut seq = s.begin_array()?;
    let mut elements = Vec::new();
    while s.next_element(&mut seq)? {
        s.skip_ws();
        let start = s.pos();
        let bytes = s.value_bytes(crate::json::MAX_SKIP_DEPTH)?;
        elements.push((start, bytes));
    }
    Ok(elements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_value_line_finds_the_next_object() {
        let text = b"{bad\n  x\n  {\"a\":1}\n";
        assert_eq!(next_value_line(text, 1), 9);
        assert_eq!(next_value_line(b"{bad", 1), 4);
    }
}

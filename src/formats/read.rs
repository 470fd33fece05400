//! Driving a decoder over an input: line by line over a mapped chunk or a
//! gzip stream, or over one whole document; collecting rows, skipped
//! records and bad records with their place in the file.

use crate::exec::source::{BadLine, chunk, trim_line};
use crate::json::Row;
use crate::json::RowSlots;
use crate::value::Value;
use std::cell::OnceCell;
use std::io::Read;
use std::sync::Arc;

/// A row whose columns are computed when first read (and then kept), so
/// that a query pays only for the columns it looks at.
pub trait LazyRecord: Row {
    /// How many columns the row has.
    fn width(&self) -> usize;
}

/// A row handed to the executor.
pub enum Emitted<'a> {
    Owned(Vec<Value>),
    Lazy(&'a dyn LazyRecord),
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

impl LazyRecord for LazyCols<'_> {
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
    emit: &'e mut dyn FnMut(Emitted) -> bool,
    /// The column cache of the lazy row being handed on.
    cells: Vec<OnceCell<Value>>,
    input: usize,
    stopped: bool,
    pub bad: Vec<BadLine>,
    pub rows: u64,
    pub skipped: u64,
}

impl<'e> Out<'e> {
    pub fn new(input: usize, emit: &'e mut dyn FnMut(Emitted) -> bool) -> Out<'e> {
        Out {
            emit,
            cells: Vec::new(),
            input,
            stopped: false,
            bad: Vec::new(),
            rows: 0,
            skipped: 0,
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
        if !(self.emit)(Emitted::Lazy(&row)) {
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
}

/// What reading a part gave, besides the rows handed on.
pub struct PartResult {
    pub bad: Vec<BadLine>,
    /// Rows produced.
    pub rows_read: u64,
    /// Records that belong to another table than the one scanned.
    pub skipped: u64,
}

impl Part<'_> {
    /// Reads the part, handing each row to `emit` (which returns false
    /// when it needs no more).
    pub fn read(&self, emit: &mut dyn FnMut(Emitted) -> bool) -> PartResult {
        let mut out = Out::new(self.input, emit);
        let decoder = self.decoder.as_ref();
        if self.avro {
            super::avro::read(self.bytes, decoder, &mut out);
            return PartResult {
                bad: out.bad,
                rows_read: out.rows,
                skipped: out.skipped,
            };
        }
        match (decoder.layout(), self.gzip) {
            (Layout::Lines, false) => {
                let mut scratch = Scratch::default();
                for (offset, raw) in chunk::lines(self.bytes) {
                    let Some(line) = trim_line(raw) else {
                        continue;
                    };
                    decoder.line(
                        line,
                        Loc::Offset(self.base + offset),
                        &mut scratch,
                        &mut out,
                    );
                    if out.stopped() {
                        break;
                    }
                }
            }
            (Layout::Lines, true) => gzip_lines(self.bytes, decoder, &mut out),
            (Layout::Document, false) => {
                let base = self.base;
                decoder.document(self.bytes, &|o| Loc::Offset(base + o), &mut out);
            }
            (Layout::Document, true) => match gunzip_all(self.bytes) {
                Ok(text) => {
                    let locate = |o: usize| Loc::Line(line_number(&text, o));
                    decoder.document(strip_bom(&text), &locate, &mut out);
                }
                Err(e) => out.bad(Loc::Line(1), format!("gzip: {e}")),
            },
            (Layout::Stream, false) => {
                let mut reader: &[u8] = self.bytes;
                decoder.stream(&mut reader, &mut out);
            }
            (Layout::Stream, true) => {
                let mut reader = BomSkipper::new(flate2::read::MultiGzDecoder::new(self.bytes));
                decoder.stream(&mut reader, &mut out);
            }
        }
        PartResult {
            bad: out.bad,
            rows_read: out.rows,
            skipped: out.skipped,
        }
    }
}

fn strip_bom(text: &[u8]) -> &[u8] {
    text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text)
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_number(text: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text[..offset.min(text.len())]).count() + 1
}

/// The whole decompressed text of a gzip file (all members).
pub(crate) fn gunzip_all(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// Up to `limit` bytes of the decompressed text (for detection and schema
/// sampling); a damaged stream gives what was read before the damage.
pub(crate) fn gunzip_prefix(bytes: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = flate2::read::MultiGzDecoder::new(bytes)
        .take(limit as u64)
        .read_to_end(&mut out);
    out
}

/// Reads a gzip stream and decodes it line by line, numbering lines from
/// one. A second thread decompresses blocks ahead of the decoding, so the
/// two overlap.
fn gzip_lines(bytes: &[u8], decoder: &dyn Decode, out: &mut Out) {
    const BLOCK: usize = 1 << 20;
    type Block = Result<Vec<u8>, std::io::Error>;
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(2);
        let stop = &stop;
        scope.spawn(move || {
            let mut reader = flate2::read::MultiGzDecoder::new(bytes);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let mut block = vec![0u8; BLOCK];
                let (n, err) = read_full(&mut reader, &mut block);
                block.truncate(n);
                if n > 0 && tx.send(Ok(block)).is_err() {
                    return;
                }
                if let Some(e) = err {
                    let _ = tx.send(Err(e));
                    return;
                }
                if n == 0 {
                    return;
                }
            }
        });
        let mut buf: Vec<u8> = Vec::with_capacity(BLOCK * 2);
        let mut scratch = Scratch::default();
        let mut line_no = 0usize;
        let mut first = true;
        let mut damaged = None;
        for block in rx.iter() {
            match block {
                Ok(block) => {
                    buf.extend_from_slice(&block);
                    if first {
                        if buf.starts_with(b"\xEF\xBB\xBF") {
                            buf.drain(..3);
                        }
                        first = false;
                    }
                    let used = decode_lines(&buf, &mut line_no, decoder, &mut scratch, out, false);
                    buf.drain(..used);
                    if out.stopped() {
                        break;
                    }
                }
                Err(e) => {
                    damaged = Some(e);
                    break;
                }
            }
        }
        // Let the decompressing thread finish (it may wait to send).
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(rx);
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
    });
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

/// Fills `buf` as far as the reader goes: how much was read, and the
/// error that stopped it early, if any.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
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

/// A reader that drops a leading UTF-8 byte-order mark.
struct BomSkipper<R> {
    inner: R,
    checked: bool,
    pending: Vec<u8>,
}

impl<R: Read> BomSkipper<R> {
    fn new(inner: R) -> BomSkipper<R> {
        BomSkipper {
            inner,
            checked: false,
            pending: Vec::new(),
        }
    }
}

impl<R: Read> Read for BomSkipper<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.checked {
            self.checked = true;
            let mut head = [0u8; 3];
            let (n, err) = read_full(&mut self.inner, &mut head);
            if let Some(e) = err {
                return Err(e);
            }
            if !(n == 3 && head == *b"\xEF\xBB\xBF") {
                self.pending.extend_from_slice(&head[..n]);
            }
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        self.inner.read(buf)
    }
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

    #[test]
    fn bom_skipper_drops_only_a_bom() {
        let mut s = String::new();
        BomSkipper::new(&b"\xEF\xBB\xBFab"[..])
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "ab");
        let mut s = String::new();
        BomSkipper::new(&b"a"[..]).read_to_string(&mut s).unwrap();
        assert_eq!(s, "a");
    }
}

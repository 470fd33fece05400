//! Opening an input: the one place that chooses how its bytes are read —
//! a memory map, a buffer read in full, or (for gzip) a decompressing
//! stream over either.
//!
//! # Memory maps, and the SIGBUS handler (for embedders)
//!
//! With [`MmapChoice::Guarded`] regular files are mapped. Two hazards come
//! with a map:
//!
//! * If another process writes the file while it is mapped, the bytes may
//!   change under us. kqlite never writes its inputs; a log file being
//!   appended to is fine (we read up to the length it had when opened).
//! * If the file is **truncated** while mapped, touching a page past the
//!   new end raises `SIGBUS`, which would kill the process. A handler
//!   (`input/sigbus.rs`) catches faults inside kqlite's own maps, puts a
//!   zero page where the vanished one was so the read can finish, and marks
//!   the map; the scan then fails with an error naming the file
//!   ([`Bytes::truncated`]).
//!
//! A signal handler belongs to the whole process, so kqlite keeps its own
//! only while it holds a map: the library's default,
//! [`MmapChoice::Guarded`], installs the handler when the first file is
//! mapped, hands every fault outside kqlite's maps (and every `SIGBUS`
//! sent by `kill`/`raise`) to the handler it replaced, and puts that
//! handler back when the last map is closed — unless someone replaced
//! kqlite's meanwhile, which is then left alone. Mapping is the default
//! because it keeps memory flat in the size of the files. A program that
//! must never have its signal handlers touched calls
//! `MmapChoice::Never.set_process_default()` once: every file is then read
//! into memory in full.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

use super::sigbus as guard;
use super::{Input, InputError, InputSource};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// An input opened for reading. Clones share the opened bytes (one map
/// or one buffer): detection, schema sampling and the first scan of a
/// file read the same opening ([`Input::open`]).
#[derive(Clone)]
pub struct OpenInput {
    pub name: Arc<str>,
    bytes: InputBytes,
}

#[derive(Clone)]
enum InputBytes {
    File(Arc<Bytes>),
    Shared(Arc<[u8]>),
    /// A stream: its head is what [`OpenInput::bytes`] gives; a scan
    /// reads the whole stream ([`OpenInput::stream`]).
    Stream(Arc<super::Stream>),
}

impl OpenInput {
    /// Opens `input` afresh (a file is opened and mapped or read again);
    /// [`Input::open`] reuses an opening kept by the input.
    pub fn open(input: &Input) -> Result<OpenInput, InputError> {
        let name: Arc<str> = Arc::from(input.to_string());
        let bytes = match &input.source {
            InputSource::File(path) => {
                InputBytes::File(Arc::new(Bytes::open(path).map_err(|source| {
                    InputError {
                        path: name.to_string(),
                        source,
                    }
                })?))
            }
            InputSource::Memory { bytes, .. } => InputBytes::Shared(bytes.clone()),
            InputSource::Stream(s) => InputBytes::Stream(s.clone()),
        };
        Ok(OpenInput { name, bytes })
    }

    /// The first of `opened` whose file shrank while it was mapped, if any.
    /// Cheap while no map of the process ever faulted, so checking every
    /// input of a scan once per part read stays linear in the number of
    /// files (issue 16 item 13).
    pub fn first_truncated(opened: &[OpenInput]) -> Option<&OpenInput> {
        if !guard::any_faulted() {
            return None;
        }
        opened.iter().find(|o| o.truncated())
    }

    /// The input's bytes, without a leading UTF-8 byte-order mark (of a
    /// stream, its head).
    pub fn bytes(&self) -> &[u8] {
        let all: &[u8] = match &self.bytes {
            InputBytes::File(b) => b,
            InputBytes::Shared(b) => b,
            InputBytes::Stream(s) => s.head(),
        };
        all.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(all)
    }

    /// Where `part` starts in [`OpenInput::bytes`], when it is a slice of
    /// them (a line of a mapped or in-memory input, as a scan hands it
    /// on); `None` for any other text, and for every line of a stream
    /// (read into buffers of its own).
    pub fn offset_of(&self, part: &[u8]) -> Option<usize> {
        if matches!(self.bytes, InputBytes::Stream(_)) {
            return None;
        }
        let bytes = self.bytes();
        let start = (part.as_ptr() as usize).checked_sub(bytes.as_ptr() as usize)?;
        (start.checked_add(part.len())? <= bytes.len()).then_some(start)
    }

    /// Whether the file shrank while it was being read (see `mmap`).
    pub fn truncated(&self) -> bool {
        match &self.bytes {
            InputBytes::File(b) => b.truncated(),
            InputBytes::Shared(_) | InputBytes::Stream(_) => false,
        }
    }

    /// The stream this input reads, if it is one: a scan reads it whole
    /// from there, not from [`OpenInput::bytes`].
    pub fn stream(&self) -> Option<&Arc<super::Stream>> {
        match &self.bytes {
            InputBytes::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// 1-based line number of a byte offset into `bytes()`.
    pub fn line_of(&self, offset: usize) -> usize {
        let bytes = self.bytes();
        let before = bytes.get(..offset).unwrap_or(bytes);
        memchr::memchr_iter(b'\n', before).count() + 1
    }
}

/// The bytes of one input: a memory map when the file allows it, else a
/// buffer read in full (pipes, special files, or a map that failed).
pub enum Bytes {
    Mapped(Map),
    Owned(Vec<u8>),
}

/// How input files are brought into memory, for the whole process (see
/// the [module docs](self) for what mapping involves).
#[deny(missing_docs)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MmapChoice {
    /// Read each file into memory in full; no signal handler is touched.
    Never,
    /// Map regular, non-empty files, protected by the SIGBUS handler while
    /// any map is open (see the module docs). On platforms without
    /// `SIGBUS` files are read as with [`MmapChoice::Never`]. The library's
    /// default.
    #[default]
    Guarded,
}

/// The process-wide choice: `true` for [`MmapChoice::Guarded`].
static GUARDED: AtomicBool = AtomicBool::new(true);

impl MmapChoice {
    /// Makes `self` how every input opened from now on is read, in every
    /// engine of the process (a signal handler is process-wide too). Inputs
    /// already open keep how they were opened.
    pub fn set_process_default(self) {
        GUARDED.store(self == MmapChoice::Guarded, Ordering::Relaxed);
    }

    /// The choice in force ([`MmapChoice::Guarded`] unless set).
    pub fn process_default() -> MmapChoice {
        if GUARDED.load(Ordering::Relaxed) {
            MmapChoice::Guarded
        } else {
            MmapChoice::Never
        }
    }
}

/// A file mapped read-only, registered with the SIGBUS guard.
pub struct Map {
    map: memmap2::Mmap,
    slot: usize,
}

impl Drop for Map {
    fn drop(&mut self) {
        crate::memory::note_mapped(self.map.len(), false);
        guard::unregister(self.slot);
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => &m.map,
            Bytes::Owned(v) => v,
        }
    }
}

impl Bytes {
    /// Opens `path`, mapping it when it is a regular, non-empty file and
    /// the process chose [`MmapChoice::Guarded`].
    pub fn open(path: &Path) -> io::Result<Bytes> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if MmapChoice::process_default() == MmapChoice::Guarded && meta.is_file() && meta.len() > 0
        {
            // SAFETY: the map is read-only and private; kqlite never writes
            // its inputs. Truncation by another process is caught by the
            // SIGBUS guard registered below, before the map is read.
            if let Ok(map) = unsafe { memmap2::MmapOptions::new().map(&file) }
                && let Some(slot) = guard::register(map.as_ptr() as usize, map.len())
            {
                #[cfg(unix)]
                let _ = map.advise(memmap2::Advice::Sequential);
                crate::memory::note_mapped(map.len(), true);
                return Ok(Bytes::Mapped(Map { map, slot }));
            }
            // No guard slot left: read the file instead.
        }
        let size = if meta.is_file() {
            usize::try_from(meta.len()).unwrap_or(0)
        } else {
            0
        };
        read_sized(file, size).map(Bytes::Owned)
    }

    /// Reads a stream (standard input, a pipe, a device) to its end, within
    /// the memory budget: an endless or huge stream (`/dev/zero`) is an
    /// error once it holds more than the budget, not a process that grows
    /// until it is killed.
    pub fn read_all(reader: impl Read) -> io::Result<Bytes> {
        read_bounded(reader).map(Bytes::Owned)
    }
}

/// Reads a stream to its end within the memory budget (see
/// [`Bytes::read_all`]).
pub fn read_bounded(reader: impl Read) -> io::Result<Vec<u8>> {
    read_sized(reader, 0)
}

/// [`read_bounded`] with room for `size` bytes made at once (a regular
/// file's length; 0 when unknown). Reads no more than the budget and one
/// byte, so an endless stream stops there.
fn read_sized(reader: impl Read, size: usize) -> io::Result<Vec<u8>> {
    let limit = crate::memory::effective_limit();
    let mut buf = Vec::with_capacity(size.min(limit));
    reader
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(io::Error::other(format!(
            "the input is longer than the memory budget ({}): it is not a file \
             that can be mapped, so it would be held in memory (raise the budget \
             with --max-memory, or save it to a file)",
            crate::memory::human(limit)
        )));
    }
    Ok(buf)
}

impl Bytes {
    /// Whether pages of this map vanished while it was read (the file was
    /// truncated): what was read from them is zeros, not the file.
    pub fn truncated(&self) -> bool {
        match self {
            Bytes::Mapped(m) => guard::faulted(m.slot),
            Bytes::Owned(_) => false,
        }
    }
}

// Decompressing streams

/// Whether `bytes` start with the gzip magic bytes.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The whole decompressed text of a gzip file (all members).
pub(crate) fn gunzip_all(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// Up to `limit` bytes of the decompressed text (for detection and schema
/// sampling); a damaged stream gives what was read before the damage.
pub(crate) fn gunzip_prefix(bytes: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = MultiGzDecoder::new(bytes)
        .take(limit as u64)
        .read_to_end(&mut out);
    out
}

/// The decompressed text up to `limit` bytes and on to the end of the line
/// it stops in, without a leading byte-order mark (the schema sample of a
/// gzipped line-delimited file); a damaged stream gives what was read
/// before the damage.
pub(crate) fn gunzip_prefix_lines(bytes: &[u8], limit: usize) -> Vec<u8> {
    let mut reader = gunzip_stream(bytes);
    let mut out = Vec::new();
    if (&mut reader)
        .take(limit as u64)
        .read_to_end(&mut out)
        .is_err()
    {
        return out;
    }
    if out.len() < limit || out.ends_with(b"\n") {
        return out;
    }
    let mut block = vec![0u8; GZIP_BLOCK];
    loop {
        let (n, err) = read_full(&mut reader, &mut block);
        let got = block.get(..n).unwrap_or_default();
        if let Some(i) = memchr::memchr(b'\n', got) {
            out.extend_from_slice(got.get(..=i).unwrap_or_default());
            return out;
        }
        out.extend_from_slice(got);
        if n < block.len() || err.is_some() {
            return out;
        }
    }
}

/// A gzip stream (all members) as text, without a leading byte-order mark.
pub(crate) fn gunzip_stream(bytes: &[u8]) -> impl Read + '_ {
    BomSkipper::new(MultiGzDecoder::new(bytes))
}

/// The text of a whole stream (decompressed when `gzip`), without a
/// leading byte-order mark.
pub(crate) fn stream_text(stream: &Arc<super::Stream>, gzip: bool) -> Box<dyn Read + Send> {
    let reader = stream.reader();
    if gzip {
        Box::new(BomSkipper::new(MultiGzDecoder::new(reader)))
    } else {
        Box::new(BomSkipper::new(reader))
    }
}

/// The size of the blocks [`gunzip_blocks`] hands on.
pub(crate) const GZIP_BLOCK: usize = 1 << 20;

/// Decompresses a gzip stream (all members) on a second thread, handing
/// blocks of [`GZIP_BLOCK`] bytes (the last may be shorter) to `each` in
/// order, so decompressing and decoding overlap. Stops after an error, or
/// when `each` returns false.
pub(crate) fn gunzip_blocks(bytes: &[u8], each: &mut dyn FnMut(io::Result<Vec<u8>>) -> bool) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(2);
        let stop = &stop;
        scope.spawn(move || {
            let mut reader = MultiGzDecoder::new(bytes);
            while !stop.load(Ordering::Relaxed) {
                let mut block = vec![0u8; GZIP_BLOCK];
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
        for block in rx.iter() {
            let failed = block.is_err();
            if !each(block) || failed {
                break;
            }
        }
        // Let the decompressing thread finish (it may wait to send).
        stop.store(true, Ordering::Relaxed);
        drop(rx);
    });
}

/// Fills `buf` as far as the reader goes: how much was read, and the
/// error that stopped it early, if any.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
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
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.checked {
            self.checked = true;
            let mut head = [0u8; 3];
            let (n, err) = read_full(&mut self.inner, &mut head);
            if let Some(e) = err {
                return Err(e);
            }
            if !(n == 3 && head == *b"\xEF\xBB\xBF") {
                self.pending
                    .extend_from_slice(head.get(..n).unwrap_or_default());
            }
        }
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            if let (Some(to), Some(from)) = (buf.get_mut(..n), self.pending.get(..n)) {
                to.copy_from_slice(from);
            }
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

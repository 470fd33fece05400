//! Streams as inputs: standard input, a pipe, a FIFO, a device
//! (`/dev/stdin`, `<(cmd)`): bytes that can be read only once, in order,
//! and may never end.
//!
//! When a stream is added, its head is read: the first
//! `input::scan::SCHEMA_SAMPLE_BYTES` (4 MiB) and the rest
//! of the line they end in (the whole stream when it is shorter), held in
//! memory. Detection and the schema sample read the head, as they read the
//! start of a file. A scan reads the head and then the rest of the stream
//! as it comes, a block at a time ([`StreamReader`]), so a query that
//! needs only a prefix (`T | take 1`) answers before the stream ends, and
//! memory stays flat in the length of the stream.
//!
//! What a scan reads past the head is spooled to a temporary file (deleted
//! when the input is dropped), so that any number of scans and queries see
//! every byte, each reading the spool and then the stream where the others
//! left it. A program that runs one query once (the `kqlite` command) marks
//! a stream that query reads with exactly one scan [single-pass](Stream::single_pass):
//! it is read without a spool, and a second scan of it is an error.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A stream added as an input. Shared by the clones of its [`Input`](super::Input).
pub struct Stream {
    name: Arc<str>,
    /// The first bytes, read when the stream was added.
    head: Arc<[u8]>,
    state: Mutex<State>,
}

struct State {
    /// The rest of the stream; `None` once it ended.
    reader: Option<Box<dyn Read + Send>>,
    /// How many bytes were read from `reader` (after the head).
    read: u64,
    /// Every byte read from `reader`, when spooling (created at the first
    /// read past the head).
    spool: Option<File>,
    /// Read without a spool: by one scan only.
    single_pass: bool,
    /// Why reading the stream failed: later reads fail the same way.
    failed: Option<(io::ErrorKind, String)>,
}

impl Stream {
    /// Reads the head of `reader` (see the [module docs](self)). The line
    /// the head ends in is read whole, within the memory budget: a first
    /// line longer than the budget (`/dev/zero`) is an error.
    pub fn new(name: &str, mut reader: Box<dyn Read + Send>) -> io::Result<Stream> {
        let sample = super::scan::SCHEMA_SAMPLE_BYTES;
        let mut head = Vec::new();
        (&mut reader).take(2).read_to_end(&mut head)?;
        let mut ended = head.len() < 2;
        if !ended && super::open::is_gzip(&head) {
            // A gzip stream's sample is its first decompressed bytes: as
            // much of it as they take (a compressed 4 MiB may hold
            // gigabytes) is the head.
            let mut recorder = Recorder {
                inner: &mut reader,
                seen: Vec::new(),
                ended: false,
            };
            let magic = io::Cursor::new(head.clone());
            let mut text = flate2::read::MultiGzDecoder::new(magic.chain(&mut recorder));
            // A damaged stream is reported when it is scanned.
            let _ = io::copy(
                &mut (&mut text).take(u64::try_from(sample).unwrap_or(u64::MAX)),
                &mut io::sink(),
            );
            drop(text);
            ended = recorder.ended;
            head.extend_from_slice(&recorder.seen);
        } else if !ended {
            (&mut reader)
                .take(u64::try_from(sample - 2).unwrap_or(u64::MAX))
                .read_to_end(&mut head)?;
            ended = head.len() < sample;
        }
        // The line the head ends in is read whole.
        if !ended && !super::open::is_gzip(&head) && !head.ends_with(b"\n") {
            let limit = crate::memory::effective_limit();
            let mut block = vec![0u8; 64 << 10];
            loop {
                let n = match reader.read(&mut block) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                let got = block.get(..n).unwrap_or_default();
                if n == 0 {
                    ended = true;
                    break;
                }
                if let Some(i) = memchr::memchr(b'\n', got) {
                    head.extend_from_slice(got.get(..=i).unwrap_or_default());
                    // The bytes after the newline start the rest.
                    let rest = got.get(i + 1..).unwrap_or_default().to_vec();
                    reader = Box::new(io::Cursor::new(rest).chain(reader));
                    break;
                }
                head.extend_from_slice(got);
                if head.len() > limit {
                    return Err(io::Error::other(format!(
                        "its first line is longer than the memory budget ({}): \
                         a line is held in memory to be read (raise the budget with \
                         --max-memory, or check that this is a log)",
                        crate::memory::human(limit)
                    )));
                }
            }
        }
        Ok(Stream {
            name: Arc::from(name),
            head: Arc::from(head),
            state: Mutex::new(State {
                reader: (!ended).then_some(reader),
                read: 0,
                spool: None,
                single_pass: false,
                failed: None,
            }),
        })
    }

    /// The stream's name, for messages (`<stdin>`, a path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The head: the first bytes of the stream.
    pub fn head(&self) -> &Arc<[u8]> {
        &self.head
    }

    /// Reads the stream without a spool, for one scan: true when it is
    /// (now or already) single-pass; false when a scan already read past
    /// the head, spooling (it stays spooled).
    pub fn single_pass(&self) -> bool {
        let mut state = self.state();
        if state.read == 0 && state.spool.is_none() {
            state.single_pass = true;
        }
        state.single_pass
    }

    /// A reader of the whole stream from its first byte.
    pub fn reader(self: &Arc<Self>) -> StreamReader {
        StreamReader {
            stream: self.clone(),
            pos: 0,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A reader that keeps a copy of what it reads, and whether it ended.
struct Recorder<'r> {
    inner: &'r mut Box<dyn Read + Send>,
    seen: Vec<u8>,
    ended: bool,
}

impl Read for Recorder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.ended = true;
        }
        self.seen
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Reads a [`Stream`] from its start: the head, then the spool, then the
/// stream itself where the other readers left it.
pub struct StreamReader {
    stream: Arc<Stream>,
    /// Bytes read so far.
    pos: u64,
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let head = &self.stream.head;
        let head_len = head.len() as u64;
        if self.pos < head_len {
            let from = usize::try_from(self.pos).unwrap_or(usize::MAX);
            let rest = head.get(from..).unwrap_or_default();
            let n = rest.len().min(buf.len());
            if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
                to.copy_from_slice(from);
            }
            self.pos += n as u64;
            return Ok(n);
        }
        let at = self.pos - head_len;
        let mut state = self.stream.state();
        let state = &mut *state;
        if at < state.read {
            let Some(spool) = state.spool.as_mut() else {
                return Err(io::Error::other(
                    "it was read by an earlier scan and not kept: a stream read \
                     once is read by one scan only",
                ));
            };
            let left = usize::try_from(state.read - at).unwrap_or(usize::MAX);
            let want = buf.len().min(left);
            spool.seek(SeekFrom::Start(at))?;
            let n = spool.read(buf.get_mut(..want).unwrap_or_default())?;
            self.pos += n as u64;
            return Ok(n);
        }
        if let Some((kind, message)) = &state.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        let Some(reader) = state.reader.as_mut() else {
            return Ok(0);
        };
        let n = loop {
            match reader.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    state.failed = Some((e.kind(), e.to_string()));
                    return Err(e);
                }
            }
        };
        if n == 0 {
            state.reader = None;
            return Ok(0);
        }
        if !state.single_pass {
            if state.spool.is_none() {
                state.spool = Some(tempfile::tempfile()?);
            }
            if let Some(spool) = state.spool.as_mut() {
                spool.seek(SeekFrom::End(0))?;
                if let Err(e) = spool.write_all(buf.get(..n).unwrap_or_default()) {
                    let e = io::Error::new(
                        e.kind(),
                        format!("cannot keep what was read in a temporary file: {e}"),
                    );
                    state.failed = Some((e.kind(), e.to_string()));
                    return Err(e);
                }
            }
        }
        state.read += n as u64;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(r: &mut impl Read) -> Vec<u8> {
        let mut v = Vec::new();
        r.read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn every_reader_reads_the_whole_stream() {
        let text: Vec<u8> = (0..2_000_000u32)
            .flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes())
            .collect();
        let stream = Arc::new(Stream::new("s", Box::new(io::Cursor::new(text.clone()))).unwrap());
        assert!(stream.head().len() < text.len());
        let mut a = stream.reader();
        let mut first = vec![0u8; 10 << 20];
        let n = a.read(&mut first).unwrap();
        assert!(n > 0);
        let mut b = stream.reader();
        assert_eq!(all(&mut b), text);
        assert_eq!(all(&mut stream.reader()), text);
        // A single-pass mark comes too late once a reader went past the head.
        assert!(!stream.single_pass());
    }

    #[test]
    fn a_single_pass_stream_is_read_once() {
        let text = b"{\"a\":1}\n".repeat(1 << 20);
        let stream = Arc::new(Stream::new("s", Box::new(io::Cursor::new(text.clone()))).unwrap());
        assert!(stream.single_pass());
        assert_eq!(all(&mut stream.reader()), text);
        assert!(stream.reader().read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn a_gzip_head_holds_the_sample_decompressed() {
        use std::io::Write;
        let text = b"{\"a\":1}\n".repeat(4 << 20);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&text).unwrap();
        let bytes = gz.finish().unwrap();
        let stream = Arc::new(Stream::new("s", Box::new(io::Cursor::new(bytes.clone()))).unwrap());
        let head = stream.head().len();
        assert!(head < bytes.len(), "{head} {}", bytes.len());
        let sample = super::super::open::gunzip_prefix(stream.head(), 4 << 20);
        assert_eq!(sample.len(), 4 << 20);
        assert_eq!(all(&mut stream.reader()), bytes);
    }

    #[test]
    fn the_head_ends_at_a_line_end() {
        let mut text = vec![b'x'; 5 << 20];
        text.extend_from_slice(b"\nrest\n");
        let stream = Stream::new("s", Box::new(io::Cursor::new(text.clone()))).unwrap();
        assert_eq!(stream.head().len(), (5 << 20) + 1);
        let stream = Arc::new(stream);
        assert_eq!(all(&mut stream.reader()), text);
    }
}

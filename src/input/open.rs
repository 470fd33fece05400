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
//! A signal handler belongs to the whole process, so mapping is opt-in:
//! the library's default, [`MmapChoice::Never`], reads every file into
//! memory and never touches a signal handler. A program that wants maps
//! (the `kqlite` command does) calls
//! `MmapChoice::Guarded.set_process_default()` once. Even then the handler
//! is installed only while kqlite holds a map, it hands every fault outside
//! kqlite's maps (and every `SIGBUS` sent by `kill`/`raise`) to the handler
//! it replaced, and that handler is put back when the last map is closed —
//! unless someone replaced kqlite's meanwhile, which is then left alone.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

use super::sigbus as guard;
use super::{Input, InputError, InputSource};
use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    pub fn open(input: &Input) -> Result<OpenInput, InputError> {
        let name: Arc<str> = Arc::from(input.to_string());
        let bytes = match &input.source {
            InputSource::File(path) => {
                InputBytes::File(Bytes::open(path).map_err(|source| InputError {
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

/// The bytes of one input: a memory map when the file allows it, else a
/// buffer read in full (pipes, special files, or a map that failed).
pub enum Bytes {
    Mapped(Map),
    Owned(Vec<u8>),
}

/// How input files are brought into memory, for the whole process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MmapChoice {
    /// Read each file into memory in full; no signal handler is touched.
    /// The library's default.
    #[default]
    Never,
    /// Map regular, non-empty files, protected by the SIGBUS handler while
    /// any map is open (see the module docs). On platforms without
    /// `SIGBUS` files are read as with [`MmapChoice::Never`].
    Guarded,
}

/// The process-wide choice: `true` for [`MmapChoice::Guarded`].
static GUARDED: AtomicBool = AtomicBool::new(false);

impl MmapChoice {
    /// Makes `self` how every input opened from now on is read, in every
    /// engine of the process (a signal handler is process-wide too). Inputs
    /// already open keep how they were opened.
    pub fn set_process_default(self) {
        GUARDED.store(self == MmapChoice::Guarded, Ordering::Relaxed);
    }

    /// The choice in force ([`MmapChoice::Never`] unless set).
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
                return Ok(Bytes::Mapped(Map { map, slot }));
            }
            // No guard slot left: read the file instead.
        }
        let mut buf = Vec::new();
        (&file).read_to_end(&mut buf)?;
        Ok(Bytes::Owned(buf))
    }

    /// Reads a stream (standard input) to its end.
    pub fn read_all(mut reader: impl Read) -> io::Result<Bytes> {
        let mut buf = Vec::new();
        reader.read_to_end(&mut buf)?;
        Ok(Bytes::Owned(buf))
    }

    /// Whether pages of this map vanished while it was read (the file was
    /// truncated): what was read from them is zeros, not the file.
    pub fn truncated(&self) -> bool {
        match self {
            Bytes::Mapped(m) => guard::faulted(m.slot),
            Bytes::Owned(_) => false,
        }
    }
}

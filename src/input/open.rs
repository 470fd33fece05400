//! Mapping input files into memory, with a read fallback.
//!
//! This module holds the crate's `unsafe`. Two hazards come with a map:
//!
//! * If another process writes the file while it is mapped, the bytes may
//!   change under us. kqlite never writes its inputs; a log file being
//!   appended to is fine (we read up to the length it had when opened).
//! * If the file is **truncated** while mapped, touching a page past the
//!   new end raises `SIGBUS`, which would kill the process. A handler
//!   ([`guard`]) catches faults inside kqlite's own maps, puts a zero page
//!   where the vanished one was so the read can finish, and marks the map;
//!   the scan then fails with an error naming the file
//!   ([`Bytes::truncated`]). Faults anywhere else keep the default action.

// Every byte here comes from an input file an attacker may have written:
// no unchecked index or slice (issue 7).
#![deny(clippy::indexing_slicing)]

use super::{Input, InputError, InputSource};
use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;
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
    /// Opens `path`, mapping it when it is a regular, non-empty file.
    pub fn open(path: &Path) -> io::Result<Bytes> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_file() && meta.len() > 0 {
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

#[cfg(unix)]
mod guard {
    //! The SIGBUS handler and the table of live maps it consults. The
    //! table is fixed-size and lock-free: the handler may only read atomics.

    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    const SLOTS: usize = 1024;

    struct Slot {
        start: AtomicUsize,
        len: AtomicUsize,
        faulted: AtomicBool,
    }

    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: Slot = Slot {
        start: AtomicUsize::new(0),
        len: AtomicUsize::new(0),
        faulted: AtomicBool::new(false),
    };

    static TABLE: [Slot; SLOTS] = [EMPTY; SLOTS];
    static INSTALL: Once = Once::new();

    /// Registers a map; `None` when every slot is taken.
    pub fn register(start: usize, len: usize) -> Option<usize> {
        INSTALL.call_once(install);
        for (i, slot) in TABLE.iter().enumerate() {
            if slot
                .len
                .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                slot.faulted.store(false, Ordering::Relaxed);
                slot.start.store(start, Ordering::Release);
                slot.len.store(len, Ordering::Release);
                return Some(i);
            }
        }
        None
    }

    pub fn unregister(slot: usize) {
        if let Some(s) = TABLE.get(slot) {
            s.start.store(0, Ordering::Release);
            s.len.store(0, Ordering::Release);
        }
    }

    pub fn faulted(slot: usize) -> bool {
        TABLE
            .get(slot)
            .is_some_and(|s| s.faulted.load(Ordering::Acquire))
    }

    fn install() {
        // SAFETY: installs a handler with a valid signature; the previous
        // action is not restored (kqlite is the process's only user of
        // SIGBUS while it runs).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    }

    /// Replaces the faulting page of one of our maps with a zero page so
    /// the interrupted read completes; otherwise restores the default
    /// action, so the fault kills the process as it would have.
    extern "C" fn on_sigbus(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers;
        // only atomics, sysconf, mmap and signal are used here.
        unsafe {
            let addr = (*info).si_addr() as usize;
            let page = libc::sysconf(libc::_SC_PAGESIZE).max(4096) as usize;
            for slot in TABLE.iter() {
                let start = slot.start.load(Ordering::Acquire);
                let len = slot.len.load(Ordering::Acquire);
                if len != 0
                    && len != usize::MAX
                    && addr >= start
                    && addr < start.saturating_add(len)
                {
                    let at = addr & !(page - 1);
                    let zero = libc::mmap(
                        at as *mut libc::c_void,
                        page,
                        libc::PROT_READ,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                        -1,
                        0,
                    );
                    if zero != libc::MAP_FAILED {
                        slot.faulted.store(true, Ordering::Release);
                        return;
                    }
                }
            }
            libc::signal(libc::SIGBUS, libc::SIG_DFL);
        }
    }
}

#[cfg(not(unix))]
mod guard {
    pub fn register(_: usize, _: usize) -> Option<usize> {
        None
    }
    pub fn unregister(_: usize) {}
    pub fn faulted(_: usize) -> bool {
        false
    }
}

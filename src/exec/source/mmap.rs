//! Mapping input files into memory, with a read fallback.
//!
//! This module holds the crate's only `unsafe`: a memory map is undefined
//! behaviour in Rust's model if another process changes the file while it
//! is mapped. kqlite maps only the files it is asked to read and never
//! writes them; a file truncated while mapped is the case `issue 7`
//! guards against (see `Bytes::open`).

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::Path;

/// The bytes of one input: a memory map when the file allows it, else a
/// buffer read in full (pipes, special files, or a map that failed).
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
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
            // SAFETY: the map is read-only and private to this process;
            // kqlite never writes its inputs. A concurrent truncation by
            // another process is detected by the reader (issue 7).
            match unsafe { memmap2::MmapOptions::new().map(&file) } {
                Ok(map) => {
                    #[cfg(unix)]
                    let _ = map.advise(memmap2::Advice::Sequential);
                    return Ok(Bytes::Mapped(map));
                }
                Err(_) => {
                    // Fall back to reading, as ripgrep does.
                }
            }
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
}

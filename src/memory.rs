//! The memory budget (issue 16): how much heap a run may use before the
//! operators that hold rows (`sort`, `summarize`, `join`, `distinct`,
//! `make_set`, and the inputs of joins and subqueries) stop it with an
//! error naming the operator and the limit, instead of the process being
//! aborted when an allocation fails.
//!
//! The heap in use is counted by [`CountingAllocator`], which a program
//! installs as its global allocator (the `kqlite` binary does; a program
//! that embeds the library and does not install it gets no budget checks).
//! Memory-mapped inputs are not heap, but they take address space: under an
//! address-space limit (`ulimit -v`) the budget leaves room for them.
//!
//! It is on the ground floor: the input layer and the executor both check
//! it, and it imports nothing of the crate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

/// Bytes allocated through [`CountingAllocator`] and not yet freed, short
/// of what the threads hold back (see [`PENDING`]): it may dip below zero
/// for a moment when a thread hands on a free of memory another thread has
/// not handed on yet.
static ALLOCATED: AtomicIsize = AtomicIsize::new(0);
/// Whether [`CountingAllocator`] has counted anything (it is installed).
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Bytes of inputs mapped into memory now.
static MAPPED: AtomicUsize = AtomicUsize::new(0);
/// The budget set with [`set_limit`]; 0 when none was (the default applies).
static LIMIT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Bytes this thread allocated through [`CountingAllocator`] minus the
    /// bytes it freed (memory allocated here and freed elsewhere counts
    /// here): what one piece of work on this thread holds, see
    /// [`exceeded_by_this_thread`]. A `const` cell with no destructor, so
    /// the allocator may touch it at any time without allocating.
    static THREAD_NET: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
    /// Bytes this thread allocated (net) and has not yet added to
    /// [`ALLOCATED`]: they are added once they reach [`HOLD_BACK`] either
    /// way. One shared counter written by every allocation made the
    /// workers fight over its cache line: `lock add` on it was ~8 % of
    /// the CPU time of an allocation-heavy summarize on two threads.
    static PENDING: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}

/// How many bytes (allocated or freed, net) a thread holds back from
/// [`ALLOCATED`]: the count is off by less than this per thread, living or
/// ended, which a budget of megabytes does not notice.
const HOLD_BACK: isize = 64 << 10;

fn note_thread(delta: isize) {
    let _ = THREAD_NET.try_with(|c| c.set(c.get().wrapping_add(delta)));
    let held = PENDING.try_with(|c| {
        let held = c.get().wrapping_add(delta);
        if held.unsigned_abs() < HOLD_BACK.unsigned_abs() {
            c.set(held);
            0
        } else {
            c.set(0);
            held
        }
    });
    match held {
        Ok(0) => {}
        Ok(held) => add_allocated(held),
        // The thread's locals are gone (it is ending): count at once.
        Err(_) => add_allocated(delta),
    }
}

#[cold]
fn add_allocated(delta: isize) {
    ALLOCATED.fetch_add(delta, Ordering::Relaxed);
    if !COUNTING.load(Ordering::Relaxed) {
        COUNTING.store(true, Ordering::Relaxed);
    }
}

fn signed(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

/// A global allocator that counts the bytes in use, for the memory budget:
/// the system allocator, plus a thread-local addition per call (and a
/// relaxed atomic one each time a thread's net reaches `HOLD_BACK`, 64 KiB).
///
/// ```ignore
/// #[global_allocator]
/// static ALLOC: kqlite::CountingAllocator = kqlite::CountingAllocator;
/// ```
pub struct CountingAllocator;

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter only records sizes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note_thread(signed(layout.size()));
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note_thread(signed(layout.size()));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) };
        note_thread(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note_thread(signed(new_size).wrapping_sub(signed(layout.size())));
        }
        p
    }
}

/// Heap bytes in use, if [`CountingAllocator`] is installed.
/// The count is off by what the threads hold back, less than 64 KiB
/// each.
pub fn allocated() -> Option<usize> {
    if !COUNTING.load(Ordering::Relaxed) {
        return None;
    }
    Some(usize::try_from(ALLOCATED.load(Ordering::Relaxed)).unwrap_or(0))
}

/// Sets the budget, in bytes, for every run of the process from now on
/// (0 restores the default, [`default_limit`]).
pub fn set_limit(bytes: u64) {
    LIMIT.store(
        usize::try_from(bytes).unwrap_or(usize::MAX),
        Ordering::Relaxed,
    );
}

/// The budget set with [`set_limit`], else [`default_limit`].
pub fn limit() -> usize {
    match LIMIT.load(Ordering::Relaxed) {
        0 => default_limit(),
        n => n,
    }
}

/// The default budget: half of the machine's physical memory.
pub fn default_limit() -> usize {
    static DEFAULT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *DEFAULT.get_or_init(|| physical_memory().map_or(usize::MAX, |m| m / 2))
}

/// How much heap may be used now: the budget, and under an address-space
/// limit (`ulimit -v`) half of what that limit leaves once the mapped
/// inputs and 256 MiB (code, stacks, allocator arenas) are set aside, so
/// that a growing buffer can still double.
pub fn effective_limit() -> usize {
    let budget = limit();
    match address_space_limit() {
        Some(space) => {
            let mapped = MAPPED.load(Ordering::Relaxed);
            let room = space.saturating_sub(mapped).saturating_sub(256 << 20) / 2;
            budget.min(room)
        }
        None => budget,
    }
}

/// When the heap in use is over [`effective_limit`]: the bytes in use and
/// the limit. `None` when within it, or when the heap is not counted.
pub fn exceeded() -> Option<(usize, usize)> {
    let used = allocated()?;
    let limit = effective_limit();
    (used > limit).then_some((used, limit))
}

/// The net bytes the calling thread has allocated so far (see
/// [`exceeded_by_this_thread`]); 0 when the heap is not counted.
pub fn thread_net() -> isize {
    THREAD_NET.try_with(std::cell::Cell::get).unwrap_or(0)
}

/// Like [`exceeded`], but only when the calling thread itself added at
/// least half of the limit since `since` (a [`thread_net`] reading): the
/// rows one work item computes are over the budget by themselves. Memory
/// held by an operator elsewhere (a `sort` that spills once it is over)
/// does not stop the items that feed it.
pub fn exceeded_by_this_thread(since: isize) -> Option<(usize, usize)> {
    let (used, limit) = exceeded()?;
    let grown = usize::try_from(thread_net().wrapping_sub(since)).unwrap_or(0);
    (grown >= limit / 2).then_some((used, limit))
}

/// Records `bytes` of input mapped (positive) or unmapped.
pub fn note_mapped(bytes: usize, mapped: bool) {
    if mapped {
        MAPPED.fetch_add(bytes, Ordering::Relaxed);
    } else {
        MAPPED.fetch_sub(bytes, Ordering::Relaxed);
    }
}

/// `bytes` as a size a person reads: `1.5 GiB`, `512 MiB`.
pub fn human(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let name = UNITS.get(unit).copied().unwrap_or("bytes");
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value.fract() == 0.0 {
        format!("{value} {name}")
    } else {
        format!("{value:.1} {name}")
    }
}

/// Parses a size: a number of bytes with an optional unit `K`, `M`, `G`,
/// `T` (powers of 1024; `KB`, `KiB` and lower case accepted): `512M`,
/// `2G`, `1.5GiB`.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return None,
    };
    let bytes = number * f64::from(1u32 << 10).powi(shift / 10);
    (1.0..1.8e19).contains(&bytes).then_some(bytes as u64)
}

#[cfg(unix)]
fn physical_memory() -> Option<usize> {
    // SAFETY: sysconf only reads system configuration.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let pages = usize::try_from(pages).ok()?;
    let size = usize::try_from(size).ok()?;
    pages.checked_mul(size).filter(|&m| m > 0)
}

#[cfg(not(unix))]
fn physical_memory() -> Option<usize> {
    None
}

/// The address-space limit (`ulimit -v`), read once: the budget is checked
/// for every row held or computed, and a `getrlimit` system call each time
/// was ~3 % of a join's CPU time. A process's limit is set before it starts.
fn address_space_limit() -> Option<usize> {
    static LIMIT: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(read_address_space_limit)
}

#[cfg(unix)]
fn read_address_space_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } != 0 {
        return None;
    }
    (limit.rlim_cur != libc::RLIM_INFINITY)
        .then(|| usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
}

#[cfg(not(unix))]
fn read_address_space_limit() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::{human, parse_size};

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("1000"), Some(1000));
        assert_eq!(parse_size("2 gb"), Some(2 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("0"), None);
        assert_eq!(human(2 << 30), "2 GiB");
        assert_eq!(human(3 << 29), "1.5 GiB");
        assert_eq!(human(100), "100 bytes");
    }
}

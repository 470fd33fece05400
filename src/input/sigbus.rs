//! The SIGBUS handler that keeps a file truncated under one of kqlite's
//! memory maps from killing the process (see `open.rs` for when it is
//! used), and the table of live maps it consults.
//!
//! The handler is installed when the first map is registered and the one
//! it replaced is put back when the last map is unregistered. While it is
//! installed, a fault inside a registered map is answered with a zero page
//! (the map is marked, and the scan fails naming the file); any other
//! `SIGBUS` goes to the replaced handler, or takes its default action.

#[cfg(unix)]
pub use unix::{any_faulted, faulted, register, unregister};

#[cfg(not(unix))]
pub fn register(_: usize, _: usize) -> Option<usize> {
    None
}
#[cfg(not(unix))]
pub fn unregister(_: usize) {}
#[cfg(not(unix))]
pub fn faulted(_: usize) -> bool {
    false
}
#[cfg(not(unix))]
pub fn any_faulted() -> bool {
    false
}

#[cfg(unix)]
mod unix {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

    const SLOTS: usize = 1024;

    /// A live map. The table is fixed-size and lock-free: the handler may
    /// only read atomics.
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

    /// How many faults the handler has answered in this process: while it
    /// is zero no map can be marked, and checking every open input for a
    /// fault (once per part read) costs nothing.
    static FAULTS: AtomicUsize = AtomicUsize::new(0);

    /// The replaced handler, as the signal handler reads it: its address
    /// (or `SIG_DFL`/`SIG_IGN`) and its flags.
    static PREV_HANDLER: AtomicUsize = AtomicUsize::new(libc::SIG_DFL);
    static PREV_FLAGS: AtomicI32 = AtomicI32::new(0);

    /// How many maps are registered, and the action to restore when that
    /// drops to zero. Taken only outside the signal handler.
    static INSTALLED: Mutex<Installed> = Mutex::new(Installed {
        maps: 0,
        previous: None,
    });

    struct Installed {
        maps: usize,
        previous: Option<libc::sigaction>,
    }

    /// Registers a map; `None` when every slot is taken (or the handler
    /// cannot be installed), and the caller reads the file instead.
    pub fn register(start: usize, len: usize) -> Option<usize> {
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        if installed.maps == 0 {
            installed.previous = Some(install()?);
        }
        for (i, slot) in TABLE.iter().enumerate() {
            if slot
                .len
                .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                slot.faulted.store(false, Ordering::Relaxed);
                slot.start.store(start, Ordering::Release);
                slot.len.store(len, Ordering::Release);
                installed.maps += 1;
                return Some(i);
            }
        }
        if installed.maps == 0
            && let Some(previous) = installed.previous.take()
        {
            restore(&previous);
        }
        None
    }

    pub fn unregister(slot: usize) {
        let Some(s) = TABLE.get(slot) else {
            return;
        };
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        s.start.store(0, Ordering::Release);
        s.len.store(0, Ordering::Release);
        installed.maps = installed.maps.saturating_sub(1);
        if installed.maps == 0
            && let Some(previous) = installed.previous.take()
        {
            restore(&previous);
        }
    }

    /// Whether any map was ever marked faulted in this process.
    pub fn any_faulted() -> bool {
        FAULTS.load(Ordering::Acquire) != 0
    }

    pub fn faulted(slot: usize) -> bool {
        TABLE
            .get(slot)
            .is_some_and(|s| s.faulted.load(Ordering::Acquire))
    }

    fn ours() -> usize {
        on_sigbus as *const () as usize
    }

    /// Installs the handler; returns the action it replaced.
    fn install() -> Option<libc::sigaction> {
        // SAFETY: plain sigaction calls with valid, zero-initialised
        // structures and a handler of the SA_SIGINFO signature.
        unsafe {
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut previous) != 0 {
                return None;
            }
            // The handler reads these before the new action can run.
            PREV_HANDLER.store(previous.sa_sigaction, Ordering::Release);
            PREV_FLAGS.store(previous.sa_flags, Ordering::Release);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ours();
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) != 0 {
                return None;
            }
            Some(previous)
        }
    }

    /// Puts `previous` back, if the handler in place is still ours.
    fn restore(previous: &libc::sigaction) {
        // SAFETY: plain sigaction calls with valid structures.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut current) == 0
                && current.sa_sigaction == ours()
            {
                libc::sigaction(libc::SIGBUS, previous, std::ptr::null_mut());
            }
        }
    }

    /// Replaces the faulting page of one of our maps with a zero page so
    /// the interrupted read completes; hands any other SIGBUS on.
    extern "C" fn on_sigbus(
        signal: libc::c_int,
        info: *mut libc::siginfo_t,
        context: *mut libc::c_void,
    ) {
        // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers;
        // only atomics, sysconf, mmap, sigaction and raise are used here.
        unsafe {
            // A fault raised by the kernel (not `kill` or `raise`, whose
            // siginfo holds no address).
            if (*info).si_code > 0 {
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
                            FAULTS.fetch_add(1, Ordering::Release);
                            return;
                        }
                    }
                }
            }
            hand_on(signal, info, context);
        }
    }

    /// What the replaced action would have done with this signal.
    ///
    /// # Safety
    /// Called only from the signal handler, with its arguments.
    unsafe fn hand_on(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
        let handler = PREV_HANDLER.load(Ordering::Acquire);
        let flags = PREV_FLAGS.load(Ordering::Acquire);
        if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
            // Take that action again and deliver the signal to it: it is
            // blocked until this handler returns (a fault also recurs when
            // the faulting instruction runs again).
            // SAFETY: async-signal-safe calls.
            unsafe {
                libc::signal(signal, handler);
                libc::raise(signal);
            }
        } else if flags & libc::SA_SIGINFO != 0 {
            // SAFETY: the address was installed as an SA_SIGINFO handler.
            unsafe {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(handler);
                f(signal, info, context);
            }
        } else {
            // SAFETY: the address was installed as a plain handler.
            unsafe {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
                f(signal);
            }
        }
    }
}

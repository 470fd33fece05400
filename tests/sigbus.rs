//! The SIGBUS handler is the process's business: the library touches it
//! only while a file is mapped (`MmapChoice::Guarded`, the default), handing
//! other signals to the handler it replaced and putting that handler back
//! afterwards; with `MmapChoice::Never` it never touches it. (One test: signal actions are
//! process-wide, so the steps must not run in parallel.)
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kqlite::{Engine, EngineOptions, ExecError, MmapChoice, ResultSink, Schema, Value};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

static OURS_CALLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn embedder_handler(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
    OURS_CALLED.fetch_add(1, Ordering::SeqCst);
}

fn embedder_address() -> usize {
    embedder_handler as *const () as usize
}

fn current_handler() -> usize {
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        assert_eq!(
            libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut current),
            0
        );
        current.sa_sigaction
    }
}

/// Records the SIGBUS handler in force while rows arrive (the file is
/// mapped then), and raises one SIGBUS from there.
#[derive(Default)]
struct Probe {
    during: Option<usize>,
    rows: usize,
}

impl ResultSink for Probe {
    fn begin_table(&mut self, _: usize, _: &Schema) -> Result<(), ExecError> {
        Ok(())
    }
    fn row(&mut self, _: Vec<Value>) -> Result<ControlFlow<()>, ExecError> {
        if self.rows == 0 {
            self.during = Some(current_handler());
            unsafe { libc::raise(libc::SIGBUS) };
        }
        self.rows += 1;
        Ok(ControlFlow::Continue(()))
    }
    fn end_table(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

fn scan(path: &std::path::Path) -> Probe {
    let mut engine = Engine::with_options(EngineOptions {
        threads: Some(1),
        ..EngineOptions::default()
    });
    engine.add_path("T", path).unwrap();
    let query = engine.compile("T | project a").unwrap();
    let mut probe = Probe::default();
    query.run(&engine, &mut probe).unwrap();
    assert_eq!(probe.rows, 3);
    probe
}

#[test]
fn the_sigbus_handler_is_chained_restored_and_can_be_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.jsonl");
    std::fs::write(&path, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n").unwrap();

    // An embedding program's own handler.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = embedder_address();
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()),
            0
        );
    }

    // Opted out: the library reads files and leaves the handler alone.
    assert_eq!(MmapChoice::process_default(), MmapChoice::Guarded);
    MmapChoice::Never.set_process_default();
    let probe = scan(&path);
    assert_eq!(probe.during, Some(embedder_address()));
    assert_eq!(OURS_CALLED.load(Ordering::SeqCst), 1);
    assert_eq!(current_handler(), embedder_address());

    // The default: kqlite's handler is in place while the file is mapped,
    // a SIGBUS that is not a fault in its maps reaches the embedder's
    // handler, and the embedder's handler is back afterwards.
    MmapChoice::Guarded.set_process_default();
    let probe = scan(&path);
    let during = probe.during.unwrap();
    assert_ne!(during, embedder_address());
    assert_ne!(during, libc::SIG_DFL);
    assert_eq!(OURS_CALLED.load(Ordering::SeqCst), 2);
    assert_eq!(current_handler(), embedder_address());

    // And again: installing and restoring repeat cleanly.
    let probe = scan(&path);
    assert_eq!(probe.during, Some(during));
    assert_eq!(OURS_CALLED.load(Ordering::SeqCst), 3);
    assert_eq!(current_handler(), embedder_address());
}

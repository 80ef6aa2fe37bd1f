//! An emulated global interpreter lock, modelled on CPython's "new GIL" (3.2+).
//!
//! A thread must hold the lock to compute. At every checkpoint the holder checks whether
//! another thread is waiting and it has held the lock for at least the switch interval; if so
//! it hands the lock over (first come, first served, like CPython's forced switching) and
//! queues up again. Waits and blocking I/O release the lock for their whole duration.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::engine::pacer::{Pacer, RunGuard, UnitError, UnitResult};

pub struct Gil {
    tickets: Mutex<Tickets>,
    turn: Condvar,
    waiting: AtomicUsize,
    switch_interval: Duration,
    switches: AtomicUsize,
}

#[derive(Default)]
struct Tickets {
    next: u64,
    serving: u64,
}

impl Gil {
    pub fn new(switch_interval: Duration) -> Self {
        Gil {
            tickets: Mutex::new(Tickets::default()),
            turn: Condvar::new(),
            waiting: AtomicUsize::new(0),
            switch_interval,
            switches: AtomicUsize::new(0),
        }
    }

    /// Blocks until this thread holds the lock (FIFO order).
    fn acquire(&self) {
        let mut t = self.tickets.lock().unwrap_or_else(|e| e.into_inner());
        let mine = t.next;
        t.next += 1;
        if t.serving != mine {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            while t.serving != mine {
                t = self.turn.wait(t).unwrap_or_else(|e| e.into_inner());
            }
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn release(&self) {
        let mut t = self.tickets.lock().unwrap_or_else(|e| e.into_inner());
        t.serving += 1;
        drop(t);
        self.turn.notify_all();
    }

    /// How many times the lock was handed to a waiting thread.
    pub fn switches(&self) -> usize {
        self.switches.load(Ordering::Relaxed)
    }
}

/// The pacer of one emulated-interpreter thread. Acquires the GIL on creation and releases it
/// when dropped.
pub struct GilPacer<'a> {
    gil: &'a Gil,
    guard: &'a RunGuard,
    held_since: std::cell::Cell<Instant>,
}

impl<'a> GilPacer<'a> {
    pub fn enter(gil: &'a Gil, guard: &'a RunGuard) -> Self {
        gil.acquire();
        GilPacer {
            gil,
            guard,
            held_since: std::cell::Cell::new(Instant::now()),
        }
    }

    fn reacquire(&self) {
        self.gil.acquire();
        self.held_since.set(Instant::now());
    }

    /// Runs `f` with the lock released.
    fn released<R>(&self, f: impl FnOnce() -> R) -> R {
        self.gil.release();
        let r = f();
        self.reacquire();
        r
    }
}

impl Drop for GilPacer<'_> {
    fn drop(&mut self) {
        self.gil.release();
    }
}

impl Pacer for GilPacer<'_> {
    fn checkpoint(&self) -> UnitResult<()> {
        if self.gil.waiting.load(Ordering::Relaxed) > 0
            && self.held_since.get().elapsed() >= self.gil.switch_interval
        {
            self.gil.switches.fetch_add(1, Ordering::Relaxed);
            self.released(|| ());
        }
        self.guard.checkpoint()
    }

    fn wait(&self, duration: Duration) -> UnitResult<()> {
        self.released(|| self.guard.wait(duration))
    }

    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        self.guard.checkpoint()?;
        self.released(io)
            .map_err(|e| UnitError::Failed(format!("I/O error: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn only_one_thread_computes_at_a_time() {
        let gil = Gil::new(Duration::from_micros(100));
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let inside = AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    let pacer = GilPacer::enter(&gil, &guard);
                    // Hold the lock for 2 ms of compute in total, in tiny steps.
                    let started = std::time::Instant::now();
                    let mut busy = Duration::ZERO;
                    while busy < Duration::from_millis(2) {
                        let step = std::time::Instant::now();
                        assert!(!inside.swap(true, Ordering::SeqCst), "two threads inside");
                        std::hint::spin_loop();
                        inside.store(false, Ordering::SeqCst);
                        busy += step.elapsed();
                        pacer.checkpoint().unwrap();
                        assert!(started.elapsed() < Duration::from_secs(20));
                    }
                });
            }
        });
        assert!(gil.switches() > 0, "a waiting thread must get the lock");
    }
}

//! An emulated global interpreter lock that follows CPython 3.12's `Python/ceval_gil.c`.
//!
//! - The lock is a boolean `locked` guarded by a mutex, with a condition variable (`cond`)
//!   signalled on every drop.
//! - A thread that finds it held waits on `cond` for one switch interval. If the wait timed
//!   out, the lock is still held and no switch happened meanwhile (`switch_number` unchanged),
//!   it sets the *drop request* and waits again. Waiting threads never spin.
//! - The holder checks the drop request at every checkpoint (CPython's eval breaker, checked
//!   on backward jumps and calls). When it is set, the holder drops the lock and, because a
//!   request is pending (`FORCE_SWITCHING`), waits on `switch_cond` until another thread has
//!   taken it, then queues up again like any other thread.
//! - Taking the lock bumps `switch_number` when the taker is not the last holder, and clears
//!   any pending drop request.
//! - Which waiter gets the lock is left to the OS: `cond` is signalled once and the first thread
//!   to see `locked == false` takes it. There is no queue and no ticket.
//! - Waits and blocking I/O drop the lock for their whole duration (CPython's
//!   `Py_BEGIN_ALLOW_THREADS`), with the same forced-switch wait when a request is pending; a
//!   thread that ends drops it for the last time without waiting.
//!
//! One difference: CPython waits on `switch_cond` once, so a spurious wake-up lets the dropper
//! race for the lock again; here the wait loops until another thread has taken the lock, which
//! is what the comment in `ceval_gil.c` says the wait is for.
//!
//! The lock is instrumented, always: the counters cost a relaxed atomic add per take or drop
//! and two clock reads per take, never anything per checkpoint. [`Gil::stats`] returns them;
//! [`Gil::thread_stats`] returns each finished thread's share, with its CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) and context switches (`getrusage(RUSAGE_THREAD)`).
//! [`Gil::with_trace`] additionally logs every event, for tests.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::engine::pacer::{Pacer, RunGuard, UnitError, UnitResult};
use crate::results::{GilCounters, Scheduling, SpanState, ThreadUsage};
use crate::sys::{self, Who};

/// CPython's shortest wait: an interval of 0 waits one microsecond.
const MIN_INTERVAL: Duration = Duration::from_micros(1);

/// The emulated GIL of one run.
pub struct Gil {
    /// `gil->mutex`, guarding `locked` and `switch_number`.
    state: Mutex<State>,
    /// `gil->cond`: signalled when the lock is dropped.
    cond: Condvar,
    /// `gil->switch_mutex`, guarding `last_holder`.
    switch: Mutex<Switch>,
    /// `gil->switch_cond`: signalled when a thread has taken the lock.
    switch_cond: Condvar,
    /// `gil_drop_request`, read by the holder at every checkpoint.
    drop_request: AtomicBool,
    interval: Duration,
    next_thread: AtomicU64,
    counters: Counters,
    threads: Mutex<Vec<GilThreadStats>>,
    trace: Option<Mutex<Vec<GilEvent>>>,
    /// Each finished thread's intervals (see [`GilInterval`]), for the timeline.
    intervals: Mutex<Vec<GilInterval>>,
}

/// One interval of one emulated-interpreter thread, on `CLOCK_MONOTONIC` nanoseconds
/// ([`crate::sys::monotonic_ns`]): `Computing` while it held the lock, `LockWait` while it
/// waited to take it (or in a forced-switch wait), `Io` while it waited or did I/O with the
/// lock dropped. Stamped at takes and drops only, never per checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GilInterval {
    pub thread: u64,
    pub state: SpanState,
    pub start_ns: u64,
    pub end_ns: u64,
}

struct State {
    locked: bool,
    switch_number: u64,
}

struct Switch {
    /// The thread that took the lock last (0: none yet).
    last_holder: u64,
}

#[derive(Default)]
struct Counters {
    takes: AtomicU64,
    contended_takes: AtomicU64,
    drop_requests: AtomicU64,
    requested_drops: AtomicU64,
    forced_switch_waits: AtomicU64,
    take_wait_ns: AtomicU64,
    forced_switch_wait_ns: AtomicU64,
    held_ns: AtomicU64,
}

/// A snapshot of the lock's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GilStats {
    /// Times a thread took the lock, including each thread's first take.
    pub takes: u64,
    /// Takes that found the lock held and had to wait.
    pub contended_takes: u64,
    /// CPython's `switch_number`: takes by a thread other than the last holder (each
    /// thread's first take included).
    pub switches: u64,
    /// Drop requests set by waiters.
    pub drop_requests: u64,
    /// Drops at a checkpoint because a drop request was seen.
    pub requested_drops: u64,
    /// Drops followed by a forced-switch wait.
    pub forced_switch_waits: u64,
    /// Total time spent waiting to take the lock.
    pub take_wait: Duration,
    /// Total time spent in forced-switch waits.
    pub forced_switch_wait: Duration,
    /// Total time the lock was held.
    pub held: Duration,
}

/// One emulated-interpreter thread's share of a run, recorded when its pacer is dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GilThreadStats {
    /// The thread's number on this lock (1, 2, …, in the order the threads entered).
    pub thread: u64,
    pub takes: u64,
    pub held: Duration,
    pub take_wait: Duration,
    pub forced_switch_wait: Duration,
    /// CPU time of the thread while it was an interpreter thread (`CLOCK_THREAD_CPUTIME_ID`,
    /// the clock of Python's `time.thread_time()`).
    pub cpu: Duration,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
}

/// One step of the lock, logged by a lock made with [`Gil::with_trace`], in the order the
/// steps happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GilEvent {
    /// `thread` took the lock; `switched` when it was not the last holder.
    Take {
        thread: u64,
        switch_number: u64,
        switched: bool,
    },
    /// `thread` found the lock held and begins a timed wait of one interval, at
    /// `switch_number`.
    TimedWait { thread: u64, switch_number: u64 },
    /// A waiting `thread` set the drop request after its timed wait of `waited` ran out.
    DropRequest { thread: u64, waited: Duration },
    /// `thread` dropped the lock; `requested` when it dropped at a checkpoint because of a
    /// drop request, `last` when the thread is ending.
    Drop {
        thread: u64,
        requested: bool,
        last: bool,
    },
    /// `thread`, having dropped the lock with a request pending, waits until another thread
    /// has taken it.
    ForcedSwitchWait { thread: u64 },
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Gil {
    /// A free lock; `switch_interval` is CPython's `sys.setswitchinterval` (default 5 ms).
    pub fn new(switch_interval: Duration) -> Self {
        Gil {
            state: Mutex::new(State {
                locked: false,
                switch_number: 0,
            }),
            cond: Condvar::new(),
            switch: Mutex::new(Switch { last_holder: 0 }),
            switch_cond: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval: switch_interval.max(MIN_INTERVAL),
            next_thread: AtomicU64::new(1),
            counters: Counters::default(),
            threads: Mutex::new(Vec::new()),
            trace: None,
            intervals: Mutex::new(Vec::new()),
        }
    }

    /// A lock that also logs every [`GilEvent`] (for tests; the log grows without bound).
    pub fn with_trace(switch_interval: Duration) -> Self {
        Gil {
            trace: Some(Mutex::new(Vec::new())),
            ..Gil::new(switch_interval)
        }
    }

    /// The switch interval in use (at least 1 µs, like CPython).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Whether a drop request is pending now.
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Relaxed)
    }

    /// CPython's `switch_number` now.
    pub fn switch_number(&self) -> u64 {
        lock(&self.state).switch_number
    }

    /// How many times the lock went to a thread other than its last holder.
    pub fn switches(&self) -> usize {
        usize::try_from(self.switch_number()).unwrap_or(usize::MAX)
    }

    /// The counters so far.
    pub fn stats(&self) -> GilStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        GilStats {
            takes: get(&c.takes),
            contended_takes: get(&c.contended_takes),
            switches: self.switch_number(),
            drop_requests: get(&c.drop_requests),
            requested_drops: get(&c.requested_drops),
            forced_switch_waits: get(&c.forced_switch_waits),
            take_wait: Duration::from_nanos(get(&c.take_wait_ns)),
            forced_switch_wait: Duration::from_nanos(get(&c.forced_switch_wait_ns)),
            held: Duration::from_nanos(get(&c.held_ns)),
        }
    }

    /// Each finished thread's share, in the order the threads finished.
    pub fn thread_stats(&self) -> Vec<GilThreadStats> {
        lock(&self.threads).clone()
    }

    /// The intervals of every thread whose pacer has been dropped, in no particular order.
    pub fn intervals(&self) -> Vec<GilInterval> {
        lock(&self.intervals).clone()
    }

    /// The event log of a lock made with [`Gil::with_trace`] (empty otherwise).
    pub fn trace(&self) -> Vec<GilEvent> {
        self.trace
            .as_ref()
            .map(|t| lock(t).clone())
            .unwrap_or_default()
    }

    /// The counters and every finished thread's share, as the results file records them.
    pub fn scheduling(&self) -> Scheduling {
        let s = self.stats();
        Scheduling {
            gil: Some(GilCounters {
                takes: s.takes,
                contended_takes: s.contended_takes,
                switches: s.switches,
                drop_requests: s.drop_requests,
                requested_drops: s.requested_drops,
                forced_switch_waits: s.forced_switch_waits,
                take_wait_s: s.take_wait.as_secs_f64(),
                forced_switch_wait_s: s.forced_switch_wait.as_secs_f64(),
                held_s: s.held.as_secs_f64(),
            }),
            threads: self
                .thread_stats()
                .iter()
                .map(|t| ThreadUsage {
                    cpu_s: t.cpu.as_secs_f64(),
                    voluntary_switches: Some(t.voluntary_switches),
                    involuntary_switches: Some(t.involuntary_switches),
                    units: None,
                    held_s: Some(t.held.as_secs_f64()),
                    take_wait_s: Some(t.take_wait.as_secs_f64()),
                    takes: Some(t.takes),
                })
                .collect(),
            switch_interval_s: Some(self.interval.as_secs_f64()),
            ..Scheduling::default()
        }
    }

    fn log(&self, event: GilEvent) {
        if let Some(t) = &self.trace {
            lock(t).push(event);
        }
    }

    /// `take_gil`: blocks until thread `me` holds the lock; returns how long it waited.
    fn take(&self, me: u64) -> Duration {
        let mut state = lock(&self.state);
        let mut waited = Duration::ZERO;
        if state.locked {
            let started = Instant::now();
            while state.locked {
                let saved_switch_number = state.switch_number;
                self.log(GilEvent::TimedWait {
                    thread: me,
                    switch_number: saved_switch_number,
                });
                let wait_started = Instant::now();
                let (s, timeout) = self
                    .cond
                    .wait_timeout(state, self.interval)
                    .unwrap_or_else(|e| e.into_inner());
                state = s;
                // Timed out and no switch meanwhile: ask the holder to drop the lock.
                if timeout.timed_out() && state.locked && state.switch_number == saved_switch_number
                {
                    self.drop_request.store(true, Ordering::Relaxed);
                    self.counters.drop_requests.fetch_add(1, Ordering::Relaxed);
                    self.log(GilEvent::DropRequest {
                        thread: me,
                        waited: wait_started.elapsed(),
                    });
                }
            }
            waited = started.elapsed();
            self.counters
                .contended_takes
                .fetch_add(1, Ordering::Relaxed);
            self.counters
                .take_wait_ns
                .fetch_add(nanos(waited), Ordering::Relaxed);
        }
        // Ready. The switch mutex is taken before `last_holder` changes: see `drop_gil`.
        let mut switch = lock(&self.switch);
        state.locked = true;
        let switched = switch.last_holder != me;
        if switched {
            switch.last_holder = me;
            state.switch_number += 1;
        }
        self.counters.takes.fetch_add(1, Ordering::Relaxed);
        self.log(GilEvent::Take {
            thread: me,
            switch_number: state.switch_number,
            switched,
        });
        self.switch_cond.notify_one();
        drop(switch);
        // Whoever takes the lock clears any pending request (RESET_GIL_DROP_REQUEST).
        self.drop_request.store(false, Ordering::Relaxed);
        drop(state);
        waited
    }

    /// `drop_gil`: thread `me` gives the lock up. Unless this is its last drop, a pending
    /// drop request makes it wait until another thread has taken the lock; returns how long.
    fn drop_lock(&self, me: u64, requested: bool, last: bool) -> Duration {
        {
            let mut state = lock(&self.state);
            state.locked = false;
            self.log(GilEvent::Drop {
                thread: me,
                requested,
                last,
            });
            self.cond.notify_one();
        }
        if requested {
            self.counters
                .requested_drops
                .fetch_add(1, Ordering::Relaxed);
        }
        if last || !self.drop_request.load(Ordering::Relaxed) {
            return Duration::ZERO;
        }
        let mut switch = lock(&self.switch);
        if switch.last_holder != me {
            return Duration::ZERO;
        }
        // Not switched yet: wait.
        self.drop_request.store(false, Ordering::Relaxed);
        self.log(GilEvent::ForcedSwitchWait { thread: me });
        let started = Instant::now();
        while switch.last_holder == me {
            switch = self
                .switch_cond
                .wait(switch)
                .unwrap_or_else(|e| e.into_inner());
        }
        drop(switch);
        let waited = started.elapsed();
        self.counters
            .forced_switch_waits
            .fetch_add(1, Ordering::Relaxed);
        self.counters
            .forced_switch_wait_ns
            .fetch_add(nanos(waited), Ordering::Relaxed);
        waited
    }
}

/// The pacer of one emulated-interpreter thread: takes the GIL on creation, drops it at a
/// checkpoint when another thread asked for it, around waits and I/O, and for good when
/// dropped. Create it on the thread that uses it: it measures that thread's CPU time.
pub struct GilPacer<'a> {
    gil: &'a Gil,
    guard: &'a RunGuard,
    me: u64,
    held_since: Cell<Instant>,
    held_since_ns: Cell<u64>,
    intervals: RefCell<Vec<GilInterval>>,
    mine: Cell<GilThreadStats>,
    usage_at_start: sys::Usage,
    cpu_at_start: Duration,
}

impl<'a> GilPacer<'a> {
    /// Takes the lock for the calling thread.
    pub fn enter(gil: &'a Gil, guard: &'a RunGuard) -> Self {
        let me = gil.next_thread.fetch_add(1, Ordering::Relaxed);
        let usage_at_start = sys::usage(Who::Thread);
        let cpu_at_start = sys::thread_cpu_time();
        let pacer = GilPacer {
            gil,
            guard,
            me,
            held_since: Cell::new(Instant::now()),
            held_since_ns: Cell::new(0),
            intervals: RefCell::new(Vec::new()),
            mine: Cell::new(GilThreadStats {
                thread: me,
                ..GilThreadStats::default()
            }),
            usage_at_start,
            cpu_at_start,
        };
        pacer.take();
        pacer
    }

    /// This thread's number on the lock (1, 2, … in the order threads entered).
    pub fn thread(&self) -> u64 {
        self.me
    }

    fn note(&self, state: SpanState, start_ns: u64, end_ns: u64) {
        if end_ns > start_ns {
            self.intervals.borrow_mut().push(GilInterval {
                thread: self.me,
                state,
                start_ns,
                end_ns,
            });
        }
    }

    fn take(&self) {
        let asked_ns = sys::monotonic_ns();
        let waited = self.gil.take(self.me);
        self.held_since.set(Instant::now());
        let now_ns = sys::monotonic_ns();
        if !waited.is_zero() {
            self.note(SpanState::LockWait, asked_ns, now_ns);
        }
        self.held_since_ns.set(now_ns);
        let mut mine = self.mine.get();
        mine.takes += 1;
        mine.take_wait += waited;
        self.mine.set(mine);
    }

    fn drop_lock(&self, requested: bool, last: bool) {
        let held = self.held_since.get().elapsed();
        self.gil
            .counters
            .held_ns
            .fetch_add(nanos(held), Ordering::Relaxed);
        let dropped_ns = sys::monotonic_ns();
        self.note(SpanState::Computing, self.held_since_ns.get(), dropped_ns);
        let forced = self.gil.drop_lock(self.me, requested, last);
        if !forced.is_zero() {
            self.note(SpanState::LockWait, dropped_ns, sys::monotonic_ns());
        }
        let mut mine = self.mine.get();
        mine.held += held;
        mine.forced_switch_wait += forced;
        self.mine.set(mine);
    }

    /// Runs `f` with the lock dropped.
    fn released<R>(&self, f: impl FnOnce() -> R) -> R {
        self.drop_lock(false, false);
        let started_ns = sys::monotonic_ns();
        let r = f();
        self.note(SpanState::Io, started_ns, sys::monotonic_ns());
        self.take();
        r
    }
}

impl Drop for GilPacer<'_> {
    fn drop(&mut self) {
        self.drop_lock(false, true);
        let now = sys::usage(Who::Thread);
        let start = self.usage_at_start;
        let mut mine = self.mine.get();
        mine.cpu = sys::thread_cpu_time().saturating_sub(self.cpu_at_start);
        mine.voluntary_switches = now
            .voluntary_switches
            .saturating_sub(start.voluntary_switches);
        mine.involuntary_switches = now
            .involuntary_switches
            .saturating_sub(start.involuntary_switches);
        lock(&self.gil.threads).push(mine);
        lock(&self.gil.intervals).extend(self.intervals.take());
    }
}

impl Pacer for GilPacer<'_> {
    /// The eval breaker: drops the lock when another thread asked for it, then takes it again.
    fn checkpoint(&self) -> UnitResult<()> {
        if self.gil.drop_request.load(Ordering::Relaxed) {
            self.drop_lock(true, false);
            self.take();
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

    fn run_mark(&self) -> Option<&crate::engine::run_mark::RunMark> {
        self.guard.run_mark()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;

    fn guard() -> RunGuard {
        RunGuard::new(CancelToken::new(), Duration::from_secs(60))
    }

    #[test]
    fn an_uncontended_lock_is_taken_without_waiting_or_requests() {
        let gil = Gil::with_trace(Duration::from_millis(5));
        let guard = guard();
        {
            let pacer = GilPacer::enter(&gil, &guard);
            for _ in 0..1000 {
                pacer.checkpoint().expect("no cancel, no timeout");
            }
        }
        let s = gil.stats();
        assert_eq!(s.takes, 1);
        assert_eq!(s.contended_takes, 0);
        assert_eq!(
            s.switches, 1,
            "the first take counts as a switch, as in CPython"
        );
        assert_eq!(s.drop_requests, 0);
        assert_eq!(s.requested_drops, 0);
        assert_eq!(s.forced_switch_waits, 0);
        assert_eq!(
            gil.trace(),
            vec![
                GilEvent::Take {
                    thread: 1,
                    switch_number: 1,
                    switched: true
                },
                GilEvent::Drop {
                    thread: 1,
                    requested: false,
                    last: true
                },
            ]
        );
        let threads = gil.thread_stats();
        assert_eq!(threads.len(), 1);
        assert_eq!(threads[0].takes, 1);
    }

    #[test]
    fn the_same_thread_taking_again_is_no_switch() {
        let gil = Gil::new(Duration::from_millis(5));
        let guard = guard();
        let pacer = GilPacer::enter(&gil, &guard);
        pacer.wait(Duration::ZERO).expect("no cancel, no timeout");
        pacer.wait(Duration::ZERO).expect("no cancel, no timeout");
        let s = gil.stats();
        assert_eq!(s.takes, 3);
        assert_eq!(s.switches, 1);
        assert_eq!(s.forced_switch_waits, 0, "no request was pending");
    }

    #[test]
    fn scheduling_reports_every_counter_and_thread() {
        let gil = Gil::new(Duration::from_millis(2));
        let guard = guard();
        drop(GilPacer::enter(&gil, &guard));
        drop(GilPacer::enter(&gil, &guard));
        let s = gil.scheduling();
        let counters = s.gil.expect("gil counters");
        assert_eq!(counters.takes, 2);
        assert_eq!(counters.switches, 2);
        assert_eq!(s.threads.len(), 2);
        assert!(s.threads.iter().all(|t| t.takes == Some(1)));
        assert_eq!(s.switch_interval_s, Some(0.002));
    }
}

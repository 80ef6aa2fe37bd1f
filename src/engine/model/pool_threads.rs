//! The cost of a pool of threads that corelab does not start itself (tokio's blocking pool),
//! whose threads may start and stop at any time, a run's timed region included.
//!
//! Each thread registers itself as it starts and retires as it stops (the pool's start and
//! stop hooks, run on the thread). A live thread is read from outside through its CPU clock; a
//! retiring thread adds its final cost, read on itself, to a retired total. Live plus retired is
//! the cumulative cost of every thread the pool ever had, so its growth between two readings
//! is exactly what the pool spent meanwhile, whichever threads came or went: a thread that
//! stops mid-run counts up to its stop, one that starts mid-run counts in full.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::engine::cpu_time::{Cost, Snapshot};
use crate::sys::ThreadClock;

/// The threads of one pool, live and retired; clones share them.
#[derive(Clone, Debug, Default)]
pub struct PoolThreads {
    inner: Arc<Mutex<Threads>>,
}

#[derive(Debug, Default)]
struct Threads {
    live: Vec<ThreadClock>,
    /// The final costs of the threads that stopped, summed.
    retired: Cost,
}

impl PoolThreads {
    /// Called on a pool thread as it starts (tokio's `on_thread_start`). A thread whose clock
    /// cannot be had is not counted at all, its stop included.
    pub fn register_current(&self) {
        if let Some(clock) = ThreadClock::of_this_thread() {
            self.lock().live.push(clock);
        }
    }

    /// Called on a pool thread as it stops (tokio's `on_thread_stop`): its final cost moves to
    /// the retired total. Under the same lock as [`total`](Self::total), so no reading counts
    /// the thread twice or not at all; and its clock is never read once it has gone.
    pub fn retire_current(&self) {
        let Some(me) = ThreadClock::of_this_thread() else {
            return;
        };
        let mut threads = self.lock();
        if let Some(i) = threads.live.iter().position(|t| t.tid() == me.tid()) {
            threads.live.swap_remove(i);
            threads.retired += Cost::this_thread();
        }
    }

    /// The cumulative cost of every thread the pool has had: the live ones read now, plus the
    /// retired total.
    pub fn total(&self) -> Cost {
        let threads = self.lock();
        threads.retired + threads.live.iter().filter_map(Cost::of_thread).sum()
    }

    /// The kernel ids of the threads live now.
    pub fn live_tids(&self) -> Vec<u32> {
        self.lock().live.iter().map(ThreadClock::tid).collect()
    }

    /// [`total`](Self::total) as a one-party [`Snapshot`], for [`super::timed_run`].
    pub fn snapshot(&self) -> Snapshot {
        vec![(0, self.total())]
    }

    /// How many threads are live now.
    #[cfg(test)]
    pub fn live(&self) -> usize {
        self.lock().live.len()
    }

    fn lock(&self) -> MutexGuard<'_, Threads> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::time::Duration;

    use super::*;
    use crate::engine::cpu_time::{burn, spent_between, thread_cpu_time};

    const BURN: Duration = Duration::from_millis(30);

    #[test]
    fn a_live_thread_is_read_from_outside() {
        let pool = PoolThreads::default();
        let (burnt, go_on) = (channel(), channel::<()>());
        let (thread_pool, burnt_tx, go_on_rx) = (pool.clone(), burnt.0, go_on.1);
        let before = pool.snapshot();
        let thread = std::thread::spawn(move || {
            thread_pool.register_current();
            burn(BURN);
            burnt_tx.send(()).expect("sent");
            go_on_rx.recv().ok();
            thread_pool.retire_current();
        });
        burnt.1.recv().expect("burnt");
        assert_eq!(pool.live(), 1);
        let spent = spent_between(&before, &pool.snapshot());
        go_on.0.send(()).expect("sent");
        thread.join().expect("joined");
        assert!(spent.cpu >= BURN, "{spent:?}");
        assert_eq!(pool.live(), 0);
    }

    /// A thread read once while live, which then burns more and stops before the second
    /// reading, counts exactly what it spent between the readings: its final cost joins the
    /// retired total, and its cost at the first reading, already in that reading, is not
    /// counted again.
    #[test]
    fn a_thread_that_stops_between_two_readings_counts_up_to_its_stop() {
        let pool = PoolThreads::default();
        let (burnt, go_on) = (channel(), channel::<()>());
        let (thread_pool, burnt_tx, go_on_rx) = (pool.clone(), burnt.0, go_on.1);
        let thread = std::thread::spawn(move || {
            thread_pool.register_current();
            burn(BURN);
            burnt_tx.send(()).expect("sent");
            go_on_rx.recv().ok();
            burn(BURN);
            thread_pool.retire_current();
            // Read after its final cost was: never less.
            thread_cpu_time()
        });
        burnt.1.recv().expect("burnt");
        let before = pool.snapshot();
        go_on.0.send(()).expect("sent");
        let at_exit = thread.join().expect("joined");
        assert_eq!(pool.live(), 0);
        let spent = spent_between(&before, &pool.snapshot());
        assert!(spent.cpu >= BURN, "the second burn counts: {spent:?}");
        let at_before = before[0].1.cpu;
        assert!(
            at_before >= BURN,
            "the first burn was read live: {at_before:?}"
        );
        assert!(
            spent.cpu <= at_exit - at_before,
            "the first burn is not counted again: {spent:?}, {at_before:?} of {at_exit:?}"
        );
    }

    #[test]
    fn a_thread_that_comes_and_goes_between_two_readings_counts_in_full() {
        let pool = PoolThreads::default();
        let before = pool.snapshot();
        let thread_pool = pool.clone();
        std::thread::spawn(move || {
            thread_pool.register_current();
            burn(BURN);
            thread_pool.retire_current();
        })
        .join()
        .expect("joined");
        let spent = spent_between(&before, &pool.snapshot());
        assert!(spent.cpu >= BURN, "{spent:?}");
        assert_eq!(pool.live(), 0);
    }

    #[test]
    fn an_unregistered_thread_adds_nothing_when_it_stops() {
        let pool = PoolThreads::default();
        let thread_pool = pool.clone();
        std::thread::spawn(move || {
            burn(Duration::from_millis(5));
            thread_pool.retire_current();
        })
        .join()
        .expect("joined");
        assert_eq!(pool.total(), Cost::default());
    }
}

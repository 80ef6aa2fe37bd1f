//! CPU time (user + system) and minor page faults as the kernel accounts them, and the one
//! definition of a run's CPU time that every execution model uses.
//!
//! **The CPU time of a run** is the CPU time spent during its timed region by
//!
//! - the thread that dispatches the run (the one that calls `Executor::run`: it hands out the
//!   units or runs them itself, waits for them, and runs `Workload::finish`);
//! - the threads that do the model's work: the persistent team of `threads` and `gil-threads`,
//!   the threads of the `rayon` pool, and the threads of `tokio`'s blocking pool (which run
//!   its file operations), read from outside through each one's CPU clock, a thread that stops
//!   during the run up to its stop;
//! - the threads in corelab that talk to `processes`' worker processes (their pipe readers),
//!   so the pipe and JSON cost of handing out units shows;
//! - every thread of every worker process, measured from outside by the kernel (the process's
//!   CPU clock), and for the Python models the interpreter's descendants too (the
//!   `multiprocessing` pool's processes);
//! - a `command` task's processes, which the run starts and reaps: the kernel's count for this
//!   process's waited-for children grows by their CPU time within the run.
//!
//! Nothing else: not the workbench's UI thread, not its CPU meter, not another cell's threads.
//! `RUSAGE_SELF` is therefore never used for a run.
//!
//! The Python models time their runs inside the interpreter, so corelab measures their CPU time
//! from outside around the whole request (the interpreter and its descendants) and subtracts
//! the CPU time the interpreter reports it spent on the request outside its timed region
//! (`time.process_time`, every thread of the interpreter: from reading the request to the
//! timed start, and from the timed end until the reply is serialised). corelab's own threads
//! that encode the request and read the reply do not count: all their work lies outside the
//! interpreter's timed region. What still lies outside it and counts: the interpreter reading
//! the request line and writing the reply (tens of microseconds), and whatever its pool's
//! processes do while idle.
//!
//! **Minor page faults** of a run are counted over exactly the same threads and processes (a
//! `command` task's processes too, by the same count for waited-for children); for the Python
//! models the faults the interpreter reports outside its timed region (`untimed_minor_faults`)
//! are subtracted, as its untimed CPU time is.

use std::time::Duration;

use crate::sys::procfs::{self, Stat};
use crate::sys::{self, Who};

/// CPU time used so far by every thread of this process, the GUI's included: *not* the CPU
/// time of a run (see the module documentation).
pub fn process_cpu_time() -> Duration {
    sys::usage(Who::Process).cpu
}

/// CPU time of child processes that have exited and been waited for.
pub fn reaped_children_cpu_time() -> Duration {
    sys::usage(Who::ReapedChildren).cpu
}

/// CPU time and minor page faults of child processes that have exited and been waited for
/// (and of what they waited for in turn).
pub fn reaped_children_cost() -> Cost {
    let u = sys::usage(Who::ReapedChildren);
    Cost {
        cpu: u.cpu,
        minor_faults: u.minor_faults,
    }
}

/// CPU time used so far by the calling thread.
pub fn thread_cpu_time() -> Duration {
    sys::thread_cpu_time()
}

/// Keeps the calling thread busy until it has used `cpu` of CPU time: a known cost, however
/// loaded the machine (the thread's own clock, not the wall clock).
#[cfg(test)]
pub(crate) fn burn(cpu: Duration) {
    let start = thread_cpu_time();
    let mut x = 1u64;
    while thread_cpu_time().saturating_sub(start) < cpu {
        x = crate::engine::workload::splitmix64(x);
    }
    std::hint::black_box(x);
}

/// What a thread or process has spent: CPU time and minor page faults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub cpu: Duration,
    pub minor_faults: u64,
}

impl Cost {
    /// Cumulative cost of the calling thread so far.
    pub fn this_thread() -> Cost {
        Cost {
            cpu: sys::thread_cpu_time(),
            minor_faults: sys::usage(Who::Thread).minor_faults,
        }
    }

    /// Cumulative cost of process `pid` (every thread, live or exited); `None` if it is gone.
    pub fn of_process(pid: u32) -> Option<Cost> {
        let cpu = sys::process_cpu_time_of(pid)?;
        Some(Cost {
            cpu,
            minor_faults: Stat::of_process(pid)
                .and_then(|s| s.minor_faults())
                .unwrap_or(0),
        })
    }

    /// Cumulative cost of another thread of this process, read from outside through its CPU
    /// clock (minor faults from `/proc/self/task/<tid>/stat`); `None` if it is gone.
    pub fn of_thread(clock: &sys::ThreadClock) -> Option<Cost> {
        let cpu = clock.cpu_time()?;
        Some(Cost {
            cpu,
            minor_faults: Stat::of_own_thread(clock.tid())
                .and_then(|s| s.minor_faults())
                .unwrap_or(0),
        })
    }

    /// What was spent between two cumulative readings of the same thread or process.
    pub fn since(self, earlier: Cost) -> Cost {
        Cost {
            cpu: self.cpu.saturating_sub(earlier.cpu),
            minor_faults: self.minor_faults.saturating_sub(earlier.minor_faults),
        }
    }
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, other: Cost) -> Cost {
        Cost {
            cpu: self.cpu + other.cpu,
            minor_faults: self.minor_faults + other.minor_faults,
        }
    }
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, other: Cost) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::default(), |a, b| a + b)
    }
}

/// Cumulative costs of several threads or processes at one moment, each under a key (a pid, a
/// thread index).
pub type Snapshot = Vec<(u64, Cost)>;

/// What the parties of `after` spent since `before`: a party missing from `before` (a process
/// started during the run) counts in full; one missing from `after` (gone) counts nothing.
pub fn spent_between(before: &Snapshot, after: &Snapshot) -> Cost {
    after
        .iter()
        .map(|(key, now)| {
            let then = before
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, c)| *c)
                .unwrap_or_default();
            now.since(then)
        })
        .sum()
}

/// Cumulative costs of process `root` and every process descended from it (found through
/// `/proc/<pid>/task/<tid>/children`, or, where the kernel lacks that file, as the members of
/// `root`'s process group), keyed by pid.
pub fn process_tree(root: u32) -> Snapshot {
    let pids = descendants(root).unwrap_or_else(|| group_members(root));
    std::iter::once(root)
        .chain(pids.into_iter().filter(|&p| p != root))
        .filter_map(|pid| Cost::of_process(pid).map(|c| (u64::from(pid), c)))
        .collect()
}

/// `root` and every process descended from it (as [`process_tree`] finds them).
pub fn tree_pids(root: u32) -> Vec<u32> {
    let pids = descendants(root).unwrap_or_else(|| group_members(root));
    std::iter::once(root)
        .chain(pids.into_iter().filter(|&p| p != root))
        .collect()
}

/// Every process below `root`; `None` when `root`'s children list cannot be read.
fn descendants(root: u32) -> Option<Vec<u32>> {
    let mut found = Vec::new();
    let mut todo = vec![root];
    let mut first = true;
    while let Some(pid) = todo.pop() {
        let children = procfs::children_of(pid);
        if first && children.is_none() {
            return None;
        }
        first = false;
        for child in children.unwrap_or_default() {
            // A pid can only appear once in a tree; the guard protects against a reused pid.
            if !found.contains(&child) && child != root && found.len() < 100_000 {
                found.push(child);
                todo.push(child);
            }
        }
    }
    Some(found)
}

/// Processes whose process group is `pgid` (a scan of `/proc`).
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| Stat::of_process(pid).and_then(|s| s.process_group()) == Some(pgid))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_thread_accumulates_cpu_time() {
        let before = thread_cpu_time();
        let p_before = process_cpu_time();
        let mut x = 1u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = crate::engine::workload::splitmix64(x);
        }
        std::hint::black_box(x);
        assert!(thread_cpu_time() > before);
        assert!(process_cpu_time() > p_before);
    }

    #[test]
    fn spent_between_counts_new_parties_in_full_and_gone_ones_not_at_all() {
        let c = |ms, faults| Cost {
            cpu: Duration::from_millis(ms),
            minor_faults: faults,
        };
        let before = vec![(1, c(100, 10)), (2, c(50, 5))];
        let after = vec![(1, c(130, 12)), (3, c(20, 4))];
        assert_eq!(spent_between(&before, &after), c(50, 6));
    }

    #[test]
    fn a_process_tree_includes_grandchildren() {
        // sh starts a grandchild (sleep, which ends by itself) and waits for it.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 2 & wait"])
            .spawn()
            .expect("sh");
        let root = child.id();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut tree = process_tree(root);
        while tree.len() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            tree = process_tree(root);
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(tree.len() >= 2, "{tree:?}");
        assert_eq!(tree[0].0, u64::from(root));
    }

    #[test]
    fn this_process_is_a_member_of_its_own_group() {
        let pgid = Stat::of_process(std::process::id())
            .and_then(|s| s.process_group())
            .expect("pgrp field");
        assert!(group_members(pgid).contains(&std::process::id()));
    }

    #[test]
    fn this_thread_counts_its_own_page_faults() {
        let before = Cost::this_thread();
        // Fresh pages: a `vec!` may reuse memory the allocator already touched.
        assert!(crate::sys::touch_fresh_pages(8 << 20) > 0);
        let spent = Cost::this_thread().since(before);
        assert!(spent.minor_faults > 0);
        assert!(spent.cpu > Duration::ZERO);
    }
}

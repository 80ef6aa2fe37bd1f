//! What a run costs besides time, read from `/proc` outside the timed region: peak memory of
//! every process the model runs (RSS high-water mark, and PSS/USS from `smaps_rollup`), context
//! switches (voluntary and involuntary) and CPU migrations (`se.nr_migrations` in
//! `/proc/<pid>/task/<tid>/sched`), summed over the threads that serve the run.
//!
//! Which processes: this one plus every worker process of the model and everything below them
//! (a Python multiprocessing pool). Which threads: in a worker process, every one; in this
//! process, only the dispatcher (the thread that calls `Executor::run`) and the threads the
//! executor names as its own ([`Executor::threads_here`]: a team's workers, rayon's pool
//! threads, tokio's blocking pool, the pipe readers of worker processes), never the other
//! cells' idle teams or the workbench's threads. Reading only those keeps the reading cheap (a
//! sweep of 1 024-thread cells has thousands of threads alive) and the counts the run's own.
//! An executor that cannot name its threads (`None`) has every thread of this process read.
//!
//! Memory is per process. A worker process's peak RSS is its own, all of it the model's cost.
//! This process's is the whole process's: in the workbench it holds the window's fonts and
//! textures (~110 MiB), in `corelab run` a few MiB. So before each measured run this process's
//! high-water mark is reset to its current RSS (`echo 5 > /proc/self/clear_refs`, Linux ≥ 4.0)
//! and that RSS is recorded: the run's `added_rss_bytes` is this process's peak during the run
//! above its RSS at the start, plus every other process's own peak, the same figure whichever
//! front end ran the sweep. Where the kernel refuses the reset (an old kernel, a read-only
//! `/proc`), `added_rss_bytes` is left out and only the whole-process peaks are recorded.
//! PSS and USS are read after the run and are of the whole process too (this one included,
//! front end and all): compare them only between runs of one front end.

use std::collections::HashMap;

use crate::engine::cpu_time::tree_pids;
use crate::engine::model::Executor;
use crate::engine::workload::CommandsRun;
use crate::results::{ProcessMemory, RunCosts};

/// Cumulative switch and migration counters of a set of threads, keyed by (pid, tid).
#[derive(Clone, Debug, Default)]
pub struct Counters {
    threads: HashMap<(u32, u32), ThreadCounters>,
    /// This process's RSS (bytes) when its high-water mark was reset just before the run;
    /// `None` where the reset failed (see the module documentation).
    rss_at_start: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ThreadCounters {
    voluntary: u64,
    involuntary: u64,
    migrations: Option<u64>,
}

/// A run's switches and migrations (the difference of two [`Counters`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Switches {
    pub voluntary: u64,
    pub involuntary: u64,
    /// `None` where the kernel has no `sched` file (no `CONFIG_SCHED_DEBUG`).
    pub migrations: Option<u64>,
}

/// Every process of the model: this one, `roots` and everything below them.
pub fn model_pids(roots: &[u32]) -> Vec<u32> {
    let mut pids = vec![std::process::id()];
    for &r in roots {
        for p in tree_pids(r) {
            if !pids.contains(&p) {
                pids.push(p);
            }
        }
    }
    pids
}

/// The threads of this process that a run of `executor` counts: the calling thread (the
/// dispatcher) and the executor's own; `None` (every thread) where the executor cannot say.
pub fn threads_here(executor: &dyn Executor) -> Option<Vec<u32>> {
    executor.threads_here().map(|mut tids| {
        let me = crate::sys::gettid();
        if !tids.contains(&me) {
            tids.push(me);
        }
        tids
    })
}

/// The counters before a run of `executor`, called on the thread that will dispatch the run;
/// `None` for executors whose costs are not measured (no [`Executor::worker_pids`], e.g. a
/// scripted executor).
pub fn before_run(executor: &dyn Executor) -> Option<Counters> {
    let roots = executor.worker_pids()?;
    let mut counters = Counters::read(&model_pids(&roots), threads_here(executor).as_deref());
    counters.rss_at_start = reset_peak_rss();
    Some(counters)
}

/// Resets this process's RSS high-water mark (`VmHWM`) to its current RSS and returns that
/// RSS in bytes, so that a later `VmHWM` is the peak since now; `None` where the kernel refuses
/// (no `/proc/self/clear_refs`, or one that cannot be written) or the status cannot be read.
pub fn reset_peak_rss() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    field(&status, "VmRSS").map(|k| k.saturating_mul(1024))
}

/// The memory a run added, bytes: this process's peak (`parent`, the entry of pid `me`) above
/// `rss_at_start`, plus every other entry's own peak (worker processes, commands); `None`
/// without a start (the high-water mark could not be reset).
pub fn added_rss(per_process: &[ProcessMemory], me: u32, rss_at_start: Option<u64>) -> Option<u64> {
    let start = rss_at_start?;
    Some(
        per_process
            .iter()
            .map(|m| match m.pid == me {
                true => m.peak_rss_bytes.saturating_sub(start),
                false => m.peak_rss_bytes,
            })
            .sum(),
    )
}

/// The run's costs, on the thread that dispatched it: every process of the model now (a pool
/// may have started some during the run), the switches of the run's threads since `before`
/// (see the module documentation), and `ipc_bytes` as the model counted them. A `command`
/// task's commands have exited by now: they count as `commands` reported them when reaped,
/// as processes, and as one entry of memory: the most the commands running at once held, each
/// at its own peak. `None` where the executor's costs are not measured.
pub fn after_run(
    before: &Counters,
    executor: &dyn Executor,
    ipc_bytes: Option<u64>,
    commands: Option<CommandsRun>,
) -> Option<RunCosts> {
    let roots = executor.worker_pids()?;
    let pids = model_pids(&roots);
    let switches = Counters::read(&pids, threads_here(executor).as_deref()).since(before);
    let me = std::process::id();
    let mut per_process = memory(&pids);
    for m in per_process.iter_mut().filter(|m| m.pid == me) {
        m.rss_at_start_bytes = before.rss_at_start;
    }
    let mut processes = per_process.len();
    if let Some(c) = commands {
        processes += usize::try_from(c.count).unwrap_or(usize::MAX);
        per_process.push(ProcessMemory {
            pid: 0,
            role: match c.count {
                1 => "1 command, its peak".to_string(),
                n => format!(
                    "{}, their peaks added over the {} that ran at once",
                    crate::words::count(usize::try_from(n).unwrap_or(usize::MAX), "command"),
                    c.at_once
                ),
            },
            peak_rss_bytes: c.concurrent_peak_rss_bytes,
            pss_bytes: None,
            uss_bytes: None,
            rss_at_start_bytes: None,
        });
    }
    let sum =
        |f: fn(&ProcessMemory) -> Option<u64>| -> Option<u64> { per_process.iter().map(f).sum() };
    Some(RunCosts {
        processes,
        peak_rss_bytes: per_process.iter().map(|m| m.peak_rss_bytes).sum(),
        added_rss_bytes: added_rss(&per_process, me, before.rss_at_start),
        pss_bytes: sum(|m| m.pss_bytes),
        uss_bytes: sum(|m| m.uss_bytes),
        voluntary_switches: switches.voluntary,
        involuntary_switches: switches.involuntary,
        migrations: switches.migrations,
        ipc_bytes,
        per_process,
    })
}

/// A field `name:` of a `/proc` text file, as a number (the first word after the colon).
fn field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(name)?.trim_start();
        let rest = rest.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn thread_counters(pid: u32, tid: u32) -> Option<ThreadCounters> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).ok()?;
    let migrations = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/sched"))
        .ok()
        .and_then(|t| field(&t, "se.nr_migrations"));
    Some(ThreadCounters {
        voluntary: field(&status, "voluntary_ctxt_switches")?,
        involuntary: field(&status, "nonvoluntary_ctxt_switches")?,
        migrations,
    })
}

impl Counters {
    /// The counters of the threads of `pids` now: of this process only the threads `here`
    /// (kernel thread ids) when given, of every other process all its threads.
    pub fn read(pids: &[u32], here: Option<&[u32]>) -> Counters {
        let me = std::process::id();
        let mut threads = HashMap::new();
        for &pid in pids {
            let tids: Vec<u32> = match here {
                Some(tids) if pid == me => tids.to_vec(),
                _ => {
                    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
                        continue;
                    };
                    tasks
                        .flatten()
                        .filter_map(|t| t.file_name().to_str().and_then(|s| s.parse().ok()))
                        .collect()
                }
            };
            for tid in tids {
                if let Some(c) = thread_counters(pid, tid) {
                    threads.insert((pid, tid), c);
                }
            }
        }
        Counters {
            threads,
            rss_at_start: None,
        }
    }

    /// What every thread did since `before` (threads that started meanwhile count from zero;
    /// threads that ended meanwhile are lost, their counts not readable any more).
    pub fn since(&self, before: &Counters) -> Switches {
        let mut out = Switches {
            migrations: Some(0),
            ..Switches::default()
        };
        for (key, now) in &self.threads {
            let then = before.threads.get(key).copied().unwrap_or_default();
            out.voluntary += now.voluntary.saturating_sub(then.voluntary);
            out.involuntary += now.involuntary.saturating_sub(then.involuntary);
            out.migrations = match (out.migrations, now.migrations) {
                (Some(sum), Some(m)) => Some(sum + m.saturating_sub(then.migrations.unwrap_or(0))),
                _ => None,
            };
        }
        out
    }
}

/// Bytes each of `pids` has read and written through system calls so far: `rchar + wchar` of
/// `/proc/<pid>/io` (pipes and sockets included, unlike `read_bytes`, which counts only storage).
/// A process whose file cannot be read is left out.
pub fn io_chars(pids: &[u32]) -> HashMap<u32, u64> {
    pids.iter()
        .filter_map(|&pid| {
            let text = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
            Some((
                pid,
                field(&text, "rchar")?.saturating_add(field(&text, "wchar")?),
            ))
        })
        .collect()
}

/// The bytes read and written between two [`io_chars`] readings of the same processes: a
/// process that started meanwhile counts from zero, one that ended meanwhile is lost.
pub fn io_chars_since(before: &HashMap<u32, u64>, after: &HashMap<u32, u64>) -> u64 {
    after
        .iter()
        .map(|(pid, now)| now.saturating_sub(before.get(pid).copied().unwrap_or(0)))
        .sum()
}

/// Memory of one process: `VmHWM` (peak RSS) from `/proc/<pid>/status`; PSS and USS
/// (`Private_Clean + Private_Dirty`) from `/proc/<pid>/smaps_rollup`, at the time of reading.
pub fn memory_of(pid: u32, role: &str) -> Option<ProcessMemory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |t: &str, f: &str| field(t, f).map(|k| k.saturating_mul(1024));
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok();
    let pss = rollup.as_deref().and_then(|t| kib(t, "Pss"));
    let uss = rollup
        .as_deref()
        .and_then(|t| Some(kib(t, "Private_Clean")?.saturating_add(kib(t, "Private_Dirty")?)));
    Some(ProcessMemory {
        pid,
        role: role.to_string(),
        peak_rss_bytes: kib(&status, "VmHWM")?,
        pss_bytes: pss,
        uss_bytes: uss,
        rss_at_start_bytes: None,
    })
}

/// Memory of every process of the model: this one first (`parent`), then each other.
pub fn memory(pids: &[u32]) -> Vec<ProcessMemory> {
    let me = std::process::id();
    pids.iter()
        .filter_map(|&p| memory_of(p, if p == me { "parent" } else { "worker" }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_from_proc_text() {
        let t = "Name:\tx\nVmHWM:\t  1234 kB\nvoluntary_ctxt_switches:\t7\n";
        assert_eq!(field(t, "VmHWM"), Some(1234));
        assert_eq!(field(t, "voluntary_ctxt_switches"), Some(7));
        assert_eq!(field(t, "Missing"), None);
        let sched = "se.nr_migrations                             :                   42\n";
        assert_eq!(field(sched, "se.nr_migrations"), Some(42));
    }

    #[test]
    fn the_added_memory_is_the_parent_s_growth_plus_every_other_process_s_peak() {
        let entry = |pid, peak| ProcessMemory {
            pid,
            peak_rss_bytes: peak,
            ..ProcessMemory::default()
        };
        // This process (pid 7) peaked at 130 from 110 at the start; two workers of 30 and 20.
        let all = [entry(7, 130), entry(8, 30), entry(9, 20)];
        assert_eq!(added_rss(&all, 7, Some(110)), Some(20 + 30 + 20));
        // A peak below the start (pages freed during the run) adds nothing, never underflows.
        assert_eq!(added_rss(&[entry(7, 100)], 7, Some(110)), Some(0));
        // Without a reset the run's share is unknown: no figure rather than the whole one.
        assert_eq!(added_rss(&all, 7, None), None);
        let status = "VmHWM:\t  130000 kB\nVmRSS:\t  110000 kB\n";
        assert_eq!(field(status, "VmRSS"), Some(110_000));
    }

    /// This process alone, its costs measured (no worker processes, no threads of its own).
    struct HereOnly;

    impl Executor for HereOnly {
        fn startup(&self) -> std::time::Duration {
            std::time::Duration::ZERO
        }
        fn run(
            &mut self,
            _: &crate::preset::TaskSpec,
            _: &crate::engine::workload::RunEnv,
            _: &crate::engine::RunGuard,
        ) -> Result<crate::engine::model::RunRecord, crate::engine::UnitError> {
            unreachable!("after_run is given the run's commands directly")
        }
        fn worker_pids(&self) -> Option<Vec<u32>> {
            Some(Vec::new())
        }
        fn threads_here(&self) -> Option<Vec<u32>> {
            Some(Vec::new())
        }
    }

    /// What the costs note of a command task says (`export::costs_text`): the commands, gone
    /// when `/proc` is read, count in peak RSS, the memory added and the processes, at the
    /// peaks `wait4` gave when each was reaped; PSS and USS, read of live processes only, are
    /// not given for such a run.
    #[test]
    fn a_command_task_s_commands_count_in_peak_and_added_memory_not_in_pss_or_uss() {
        let before = Counters {
            threads: HashMap::new(),
            // This process's own growth left out, so that the added figure is the commands'.
            rss_at_start: Some(u64::MAX),
        };
        let commands = CommandsRun {
            count: 8,
            at_once: 2,
            concurrent_peak_rss_bytes: 128 << 20,
        };
        let costs = after_run(&before, &HereOnly, None, Some(commands)).expect("measured");
        let here = costs
            .per_process
            .iter()
            .find(|m| m.pid == std::process::id())
            .expect("this process");
        assert_eq!(costs.processes, 1 + 8);
        assert_eq!(costs.peak_rss_bytes, here.peak_rss_bytes + (128 << 20));
        assert_eq!(costs.added_rss_bytes, Some(128 << 20));
        assert_eq!((costs.pss_bytes, costs.uss_bytes), (None, None));
        let entry = costs
            .per_process
            .iter()
            .find(|m| m.pid == 0)
            .expect("theirs");
        assert_eq!(
            entry.role,
            "8 commands, their peaks added over the 2 that ran at once"
        );
        // Without commands, this process's PSS and USS are read.
        let costs = after_run(&before, &HereOnly, None, None).expect("measured");
        assert_eq!(costs.processes, 1);
        assert_eq!(costs.pss_bytes.is_some(), here.pss_bytes.is_some());
    }

    #[test]
    fn io_chars_count_what_a_process_reads_and_writes() {
        let me = [std::process::id()];
        let before = io_chars(&me);
        assert!(before.contains_key(&me[0]), "/proc/self/io is readable");
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f");
        std::fs::write(&file, vec![7u8; 100_000]).expect("write");
        assert_eq!(std::fs::read(&file).expect("read").len(), 100_000);
        // Written once and read once: at least 200 000 bytes (other threads may add some).
        assert!(io_chars_since(&before, &io_chars(&me)) >= 200_000);
        let started = HashMap::from([(1u32, 10u64), (2, 5)]);
        let ended = HashMap::from([(2u32, 8u64), (3, 4)]);
        assert_eq!(io_chars_since(&started, &ended), 3 + 4);
    }

    #[test]
    fn this_process_has_memory_and_counters() {
        let pids = model_pids(&[]);
        assert_eq!(pids, vec![std::process::id()]);
        let m = memory(&pids);
        assert_eq!(m.len(), 1);
        assert!(m[0].peak_rss_bytes > 0);
        let before = Counters::read(&pids, None);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let after = Counters::read(&pids, None);
        // Sleeping is a voluntary switch of this thread.
        assert!(after.since(&before).voluntary >= 1);
    }
}

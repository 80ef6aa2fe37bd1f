#![allow(clippy::unwrap_used)] // tests/common unwraps: in test code a panic is a failed test.
//! The emulated GIL follows CPython 3.12's algorithm (`Python/ceval_gil.c`), checked on an
//! instrumented lock: never two threads inside, a drop request only after a waiter waited one
//! full interval, the holder drops at its next checkpoint, with forced switching the dropper
//! does not retake before another thread took the lock, and waits release it.
//!
//! Every check is deterministic: the tests wait for events (never for a time), and the only
//! timing assertions are lower bounds that follow from timed waits never ending early.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use corelab::engine::model::{Executor, Gil, GilEvent, GilPacer, InProcessExecutor};
use corelab::engine::workload::RunEnv;
use corelab::engine::{CancelToken, Pacer, RunGuard};
use corelab::preset::{CpuKernel, CpuParams, ModelKind, TaskKind, TaskSpec};

/// A test that would otherwise hang fails after this long instead.
const PATIENCE: Duration = Duration::from_secs(60);

fn guard() -> RunGuard {
    RunGuard::new(CancelToken::new(), Duration::from_secs(120))
}

/// Spins until `cond` holds; fails the test after [`PATIENCE`].
fn spin_until(what: &str, cond: impl Fn() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::hint::spin_loop();
    }
}

/// The invariants every trace must satisfy, whatever the interleaving:
/// takes and drops alternate (never two holders); every drop request came after a full
/// interval of waiting with no switch meanwhile, from a thread that was waiting, while another
/// thread held the lock; after a forced-switch wait by `t`, the next take is by another thread.
fn check_trace(trace: &[GilEvent], interval: Duration) {
    let mut holder: Option<u64> = None;
    let mut switch_number = 0;
    let mut last_holder = 0;
    let mut forced_waiting: Option<u64> = None;
    // The switch number at each waiting thread's latest timed wait.
    let mut waiting: HashMap<u64, u64> = HashMap::new();
    for (i, event) in trace.iter().enumerate() {
        match *event {
            GilEvent::Take {
                thread,
                switch_number: n,
                switched,
            } => {
                assert_eq!(
                    holder, None,
                    "event {i}: {thread} took a held lock: {trace:?}"
                );
                if let Some(waiter) = forced_waiting.take() {
                    assert_ne!(
                        thread, waiter,
                        "event {i}: the dropper retook the lock before another thread took it"
                    );
                }
                assert_eq!(switched, thread != last_holder, "event {i}");
                if switched {
                    switch_number += 1;
                }
                assert_eq!(n, switch_number, "event {i}: switch_number");
                waiting.remove(&thread);
                last_holder = thread;
                holder = Some(thread);
            }
            GilEvent::Drop { thread, .. } => {
                assert_eq!(holder, Some(thread), "event {i}: dropped by a non-holder");
                holder = None;
            }
            GilEvent::TimedWait {
                thread,
                switch_number: n,
            } => {
                assert_eq!(n, switch_number, "event {i}: switch_number");
                assert!(
                    holder.is_some(),
                    "event {i}: {thread} waits for a free lock"
                );
                waiting.insert(thread, n);
            }
            GilEvent::DropRequest { thread, waited } => {
                assert_eq!(
                    waiting.get(&thread),
                    Some(&switch_number),
                    "event {i}: {thread} asked for a drop although a switch happened during its wait"
                );
                assert!(
                    waited >= interval,
                    "event {i}: thread {thread} asked for a drop after {waited:?} < {interval:?}"
                );
                assert!(
                    holder.is_some(),
                    "event {i}: a drop request for a free lock"
                );
                assert_ne!(holder, Some(thread), "event {i}: the holder asked itself");
            }
            GilEvent::ForcedSwitchWait { thread } => {
                assert_eq!(last_holder, thread, "event {i}: forced wait after a switch");
                forced_waiting = Some(thread);
            }
        }
    }
    assert_eq!(holder, None, "the lock is still held at the end");
}

#[test]
fn never_two_threads_inside_and_the_trace_follows_cpython() {
    let interval = Duration::from_micros(200);
    let gil = Gil::with_trace(interval);
    let guard = guard();
    let inside = AtomicUsize::new(0);
    let most_inside = AtomicUsize::new(0);
    let threads = 4;
    let barrier = std::sync::Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                barrier.wait();
                let pacer = GilPacer::enter(&gil, &guard);
                // Compute until this thread has held the lock for 5 intervals of checkpoints.
                let mut busy = Duration::ZERO;
                while busy < interval * 5 {
                    let step = Instant::now();
                    let now_inside = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most_inside.fetch_max(now_inside, Ordering::SeqCst);
                    for _ in 0..64 {
                        std::hint::spin_loop();
                    }
                    inside.fetch_sub(1, Ordering::SeqCst);
                    busy += step.elapsed();
                    pacer.checkpoint().expect("no cancel, no timeout");
                }
            });
        }
    });
    assert_eq!(
        most_inside.load(Ordering::SeqCst),
        1,
        "two threads were inside"
    );
    let trace = gil.trace();
    check_trace(&trace, interval);
    let stats = gil.stats();
    assert!(stats.takes >= threads as u64, "{stats:?}");
    assert!(
        stats.switches >= threads as u64,
        "each first take is a switch: {stats:?}"
    );
    assert_eq!(
        stats.requested_drops,
        trace
            .iter()
            .filter(|e| matches!(
                e,
                GilEvent::Drop {
                    requested: true,
                    ..
                }
            ))
            .count() as u64
    );
    assert_eq!(
        stats.drop_requests,
        trace
            .iter()
            .filter(|e| matches!(e, GilEvent::DropRequest { .. }))
            .count() as u64
    );
    assert_eq!(gil.thread_stats().len(), threads);
    let per_thread_takes: u64 = gil.thread_stats().iter().map(|t| t.takes).sum();
    assert_eq!(per_thread_takes, stats.takes);
}

/// One holder, one waiter: the request comes after a full interval of waiting, the holder
/// drops at its next checkpoint, waits until the waiter took the lock, and only then retakes.
#[test]
fn request_after_one_interval_drop_at_next_checkpoint_forced_switch() {
    let interval = Duration::from_millis(20);
    let gil = Gil::with_trace(interval);
    let guard = guard();
    let waiter_ran = AtomicBool::new(false);
    let (go, wait_for_go) = channel::<()>();
    let (started_waiting, waiter_started) = channel::<Instant>();
    std::thread::scope(|s| {
        let holder = GilPacer::enter(&gil, &guard);
        let holder_id = holder.thread();
        let (gil, guard, waiter_ran) = (&gil, &guard, &waiter_ran);
        s.spawn(move || {
            wait_for_go.recv().expect("the holder is ready");
            started_waiting
                .send(Instant::now())
                .expect("the holder listens");
            let pacer = GilPacer::enter(gil, guard);
            waiter_ran.store(true, Ordering::SeqCst);
            drop(pacer);
        });
        go.send(()).expect("the waiter listens");
        let asked_from = waiter_started.recv().expect("the waiter started");
        // Compute without a checkpoint until the waiter asks for the lock.
        spin_until("the drop request", || gil.drop_requested());
        let asked_after = asked_from.elapsed();
        assert!(
            asked_after >= interval,
            "the request came {asked_after:?} after the waiter began, before one interval ({interval:?})"
        );
        assert!(
            !waiter_ran.load(Ordering::SeqCst),
            "the holder never dropped"
        );
        let before = gil.switch_number();
        holder.checkpoint().expect("no cancel, no timeout");
        assert!(
            waiter_ran.load(Ordering::SeqCst),
            "the holder retook the lock before the waiter took it"
        );
        assert_eq!(
            gil.switch_number(),
            before + 2,
            "to the waiter and back to the holder"
        );
        assert!(!gil.drop_requested(), "taking the lock clears the request");
        drop(holder);
        let trace = gil.trace();
        check_trace(&trace, interval);
        let requested_drops: Vec<_> = trace
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    GilEvent::Drop {
                        requested: true,
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(
            requested_drops,
            vec![&GilEvent::Drop {
                thread: holder_id,
                requested: true,
                last: false
            }]
        );
        // After the requested drop, the next take is the waiter's.
        let dropped_at = trace
            .iter()
            .position(|e| {
                matches!(
                    e,
                    GilEvent::Drop {
                        requested: true,
                        ..
                    }
                )
            })
            .expect("a requested drop");
        let next_take = trace[dropped_at..]
            .iter()
            .find_map(|e| match e {
                GilEvent::Take { thread, .. } => Some(*thread),
                _ => None,
            })
            .expect("a take after the drop");
        assert_ne!(next_take, holder_id, "{trace:?}");
    });
    let stats = gil.stats();
    assert!(stats.drop_requests >= 1);
    assert_eq!(stats.requested_drops, 1);
    assert!(stats.contended_takes >= 1, "the waiter waited: {stats:?}");
}

/// Waits drop the lock: two threads each enter a blocking call that only returns once the other
/// is inside its own, which needs both to run with the lock released at once.
#[test]
fn waits_release_the_lock_so_two_waiting_threads_overlap() {
    let gil = Gil::with_trace(Duration::from_millis(5));
    let guard = guard();
    let (a_tx, a_rx) = channel::<()>();
    let (b_tx, b_rx) = channel::<()>();
    std::thread::scope(|s| {
        for (tx, rx) in [(a_tx, b_rx), (b_tx, a_rx)] {
            let (gil, guard) = (&gil, &guard);
            s.spawn(move || {
                let pacer = GilPacer::enter(gil, guard);
                pacer
                    .blocking(&mut || {
                        tx.send(()).map_err(std::io::Error::other)?;
                        rx.recv_timeout(PATIENCE)
                            .map_err(|_| std::io::Error::other("the other thread never came"))
                    })
                    .expect("both threads were in their blocking calls at once");
            });
        }
    });
    check_trace(&gil.trace(), Duration::from_millis(5));
    assert_eq!(gil.thread_stats().len(), 2);
}

/// A cancelled holder stops at its next checkpoint and drops the lock; a waiter then gets it.
#[test]
fn a_cancelled_holder_lets_the_waiter_in() {
    let gil = Gil::new(Duration::from_millis(1));
    let cancel = CancelToken::new();
    let guard = RunGuard::new(cancel.clone(), Duration::from_secs(120));
    let (go, wait_for_go) = channel::<()>();
    std::thread::scope(|s| {
        s.spawn(|| {
            let pacer = GilPacer::enter(&gil, &guard);
            go.send(()).expect("the test listens");
            let started = Instant::now();
            loop {
                if pacer.checkpoint().is_err() {
                    break;
                }
                assert!(started.elapsed() < PATIENCE, "never saw the cancel");
            }
        });
        wait_for_go.recv().expect("the holder started");
        cancel.cancel();
        let other = guard.clone();
        let pacer = GilPacer::enter(&gil, &other);
        assert!(pacer.checkpoint().is_err(), "the run is cancelled");
    });
    assert_eq!(gil.thread_stats().len(), 2);
}

/// A gil-threads run through the executor reports the lock's counters and one usage entry
/// per worker thread, and computes the same checksum as the sequential model.
#[test]
fn gil_threads_runs_report_their_scheduling() {
    let task = TaskSpec {
        kind: TaskKind::Cpu,
        tasks: 16,
        cpu: CpuParams {
            kernel: CpuKernel::HashChain,
            size: 400_000,
        },
        ..TaskSpec::default()
    };
    let scratch = std::env::temp_dir();
    let env = |workers| RunEnv {
        workers,
        scratch_dir: scratch.clone(),
        shared_file: None,
    };
    let guard = guard();
    let mut seq = InProcessExecutor::new(ModelKind::Sequential, 1, Duration::from_millis(5))
        .expect("sequential");
    let expected = seq.run(&task, &env(1), &guard).expect("sequential run");
    assert_eq!(
        expected.metrics.scheduling, None,
        "only threaded models report it"
    );

    let workers = 3;
    let mut exec =
        InProcessExecutor::new(ModelKind::GilThreads, workers, Duration::from_micros(100))
            .expect("gil-threads");
    let record = exec.run(&task, &env(workers), &guard).expect("gil run");
    assert_eq!(record.metrics.checksum, expected.metrics.checksum);
    let scheduling = record
        .metrics
        .scheduling
        .expect("gil-threads report scheduling");
    let counters = scheduling.gil.expect("the lock's counters");
    assert_eq!(scheduling.threads.len(), workers);
    assert!(counters.takes >= workers as u64);
    let takes: u64 = scheduling.threads.iter().filter_map(|t| t.takes).sum();
    assert_eq!(takes, counters.takes);
    let held: f64 = scheduling.threads.iter().filter_map(|t| t.held_s).sum();
    assert!((held - counters.held_s).abs() < 1e-6);
    // Held intervals never overlap and all lie inside the timed run.
    assert!(counters.held_s <= record.wall.as_secs_f64(), "{counters:?}");
    assert_eq!(scheduling.switch_interval_s, Some(0.0001));
}

/// Through a whole sweep, every gil-threads and py-threading sample carries its scheduling
/// record (py-threading only where python3 is installed), and plain threads carry none.
#[test]
fn a_sweep_records_scheduling_for_both_gil_models() {
    let mut models = vec![ModelKind::Threads, ModelKind::GilThreads];
    match common::python_missing() {
        Some(reason) => eprintln!("SKIPPED the py-threading half: {reason}"),
        None => models.push(ModelKind::PyThreading),
    }
    let workers = 2;
    let mut exp = common::tiny_experiment(TaskKind::Cpu, &models, &[workers]);
    exp.task.cpu.kernel = CpuKernel::HashChain;
    let r = common::sweep(&exp);
    common::assert_all_ok(&r);
    let tasks = u64::from(exp.task.tasks);
    for cell in &r.cells {
        let model = cell.model.expect("every cell names its model");
        assert!(!cell.samples.is_empty(), "{model}");
        for sample in &cell.samples {
            let scheduling = sample.scheduling.as_ref();
            match model {
                ModelKind::GilThreads => {
                    let s = scheduling.expect("gil-threads records scheduling");
                    assert!(s.gil.is_some());
                    assert_eq!(s.threads.len(), workers);
                    assert!(s.threads.iter().all(|t| t.voluntary_switches.is_some()));
                }
                ModelKind::PyThreading => {
                    let s = scheduling.expect("py-threading records scheduling");
                    assert_eq!(s.gil, None, "CPython's GIL has no counters to read");
                    assert!(!s.threads.is_empty() && s.threads.len() <= workers, "{s:?}");
                    let units: u64 = s.threads.iter().filter_map(|t| t.units).sum();
                    assert_eq!(units, tasks, "every task ran on one of the pool's threads");
                    // The sample's CPU time is the whole interpreter's (every thread, measured
                    // from outside): the pool threads' own CPU is a part of it.
                    let cpu: f64 = s.threads.iter().map(|t| t.cpu_s).sum();
                    assert!(
                        cpu > 0.0 && cpu <= sample.cpu_s + 1e-3,
                        "{cpu} vs {}",
                        sample.cpu_s
                    );
                    assert!(s.switch_interval_s.is_some_and(|i| i > 0.0));
                }
                _ => assert_eq!(scheduling, None, "{model}"),
            }
        }
    }
}

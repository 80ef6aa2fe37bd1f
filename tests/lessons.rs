#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The lessons corelab exists to show, asserted on a 2-core machine with tolerant bounds:
//! the GIL stops CPU-bound threads but not I/O-bound ones, and shared counters lose updates
//! without synchronisation.
//!
//! These are measurements, so every test here holds a lock: none of them overlap.

mod common;

use common::*;
use corelab::preset::{CpuKernel, Experiment, ModelKind, SyncMode, TaskKind};
use corelab::results::ResultsFile;

/// Runs `exp`; every cell must succeed.
fn sweep_ok(exp: &Experiment) -> ResultsFile {
    let results = sweep(exp);
    assert_all_ok(&results);
    results
}

/// Sweeps a scaling assertion may take on a shared virtual machine (see the CPU test).
const MAX_ATTEMPTS: usize = 3;

fn speedup(r: &ResultsFile, model: ModelKind, workers: usize) -> f64 {
    r.cell(model, workers).and_then(|c| c.speedup).unwrap()
}

#[test]
fn the_gil_stops_cpu_bound_threads_but_not_plain_threads() {
    let _g = exclusive();
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::GilThreads,
        ],
        &[2],
    );
    exp.task.cpu.kernel = CpuKernel::HashChain;
    exp.task.cpu.size = 30_000_000;
    exp.task.tasks = 16;
    exp.repetitions = 5;
    exp.warmups = 1;
    // The two vCPUs of a virtual machine share their host with others, so one sweep can catch
    // a moment when the second core is not fully ours. Up to three sweeps are run: the GIL
    // must stay flat in every one of them, and plain threads must reach both cores in one.
    let mut best_threads = 0.0f64;
    for attempt in 1..=MAX_ATTEMPTS {
        let r = sweep_ok(&exp);
        let gil = speedup(&r, ModelKind::GilThreads, 2);
        let threads = speedup(&r, ModelKind::Threads, 2);
        eprintln!(
            "CPU-bound at 2 workers (sweep {attempt}): gil-threads {gil:.2}×, threads {threads:.2}×"
        );
        assert!(
            gil <= 1.2,
            "gil-threads must not scale CPU-bound work: {gil:.2}×"
        );
        best_threads = best_threads.max(threads);
        if best_threads >= 1.6 {
            break;
        }
    }
    assert!(
        best_threads >= 1.6,
        "plain threads must use both cores: best of {MAX_ATTEMPTS} sweeps {best_threads:.2}×"
    );
}

#[test]
fn gil_threads_scale_io_bound_work() {
    let _g = exclusive();
    let mut exp = tiny_experiment(
        TaskKind::Io,
        &[ModelKind::Sequential, ModelKind::GilThreads],
        &[4],
    );
    exp.task.tasks = 16;
    exp.task.io.sleep_ms = 10.0;
    exp.repetitions = 3;
    let r = sweep_ok(&exp);
    let gil = speedup(&r, ModelKind::GilThreads, 4);
    eprintln!("I/O-bound at 4 workers: gil-threads {gil:.2}×");
    assert!(
        gil >= 3.0,
        "waiting releases the GIL, so 4 threads overlap: {gil:.2}×"
    );
}

fn lost_updates(sync: SyncMode, model: ModelKind) -> u64 {
    let mut exp = tiny_experiment(TaskKind::Contention, &[ModelKind::Sequential, model], &[2]);
    exp.task.contention.sync = sync;
    exp.task.contention.increments = 1_000_000;
    exp.repetitions = 3;
    let r = sweep_ok(&exp);
    let cell = r.cell(model, 2).unwrap();
    let lost: Vec<u64> = cell
        .samples
        .iter()
        .map(|s| s.lost_updates.unwrap())
        .collect();
    eprintln!(
        "{} with {model} × 2: lost updates per run {lost:?}",
        sync.id()
    );
    *lost.iter().max().unwrap()
}

#[test]
fn an_unsynchronised_counter_loses_updates() {
    let _g = exclusive();
    assert!(lost_updates(SyncMode::None, ModelKind::Threads) > 0);
}

#[test]
fn synchronised_counters_lose_nothing() {
    let _g = exclusive();
    for sync in [
        SyncMode::Mutex,
        SyncMode::Atomic,
        SyncMode::Channel,
        SyncMode::Semaphore,
    ] {
        for model in [ModelKind::Threads, ModelKind::GilThreads, ModelKind::Rayon] {
            assert_eq!(lost_updates(sync, model), 0, "{} with {model}", sync.id());
        }
    }
}

#[test]
fn a_locked_file_counter_loses_nothing_across_processes() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Contention, &[ModelKind::Processes], &[2]);
    exp.task.contention.sync = SyncMode::Mutex;
    exp.task.contention.increments = 5_000;
    let r = sweep_ok(&exp);
    let cell = r.cell(ModelKind::Processes, 2).unwrap();
    assert_eq!(cell.lost_updates, Some(0));
    assert!(cell.samples.iter().all(|s| s.checksum == 10_000));
    assert!(cell.shared_state.as_deref().unwrap().contains("flock"));
}

#[test]
fn memory_task_reports_bandwidth() {
    let _g = exclusive();
    let exp = tiny_experiment(
        TaskKind::Memory,
        &[ModelKind::Sequential, ModelKind::Threads],
        &[2],
    );
    let r = sweep_ok(&exp);
    for c in &r.cells {
        let gbs = c.gb_per_s.unwrap();
        assert!(gbs > 0.0 && gbs.is_finite(), "{gbs}");
    }
}

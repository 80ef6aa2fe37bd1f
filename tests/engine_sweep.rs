#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The engine end to end: every model computes the same answer, sweeps report events in order,
//! cancelling leaves no child process, and faulty workers fail their cell, not the sweep.

mod common;

use std::time::{Duration, Instant};

use common::*;
use corelab::engine::{CancelToken, SweepEvent, run_sweep, spawn_sweep, worker::FAULT_ENV};
use corelab::preset::{ModelKind, TaskKind};
use corelab::results::{CellStatus, ResultsFile, RunStatus};

const ALL_MODELS: [ModelKind; 5] = ModelKind::NATIVE;

fn run(exp: &corelab::preset::Experiment) -> (ResultsFile, Vec<SweepEvent>) {
    let mut events = Vec::new();
    let results = run_sweep(exp, &config(), &CancelToken::new(), &mut |e| events.push(e));
    (results, events)
}

/// `(runs_done, runs_total)` of the last progress event.
fn last_progress(events: &[SweepEvent]) -> (usize, usize) {
    events
        .iter()
        .rev()
        .find_map(|e| match e {
            SweepEvent::Progress {
                runs_done,
                runs_total,
                ..
            } => Some((*runs_done, *runs_total)),
            _ => None,
        })
        .expect("a progress event")
}

fn assert_identical_checksums(kind: TaskKind) {
    let _g = exclusive();
    let exp = tiny_experiment(kind, &ALL_MODELS, &[1, 2, 3]);
    exp.validate().unwrap();
    let (results, _) = run(&exp);
    assert_eq!(results.status, RunStatus::Complete);
    // sequential once + 4 models × 3 worker counts
    assert_eq!(results.cells.len(), 1 + 4 * 3, "{kind}");
    let expected = results.cells[0].checksum().expect("sequential ran");
    for cell in &results.cells {
        assert_eq!(
            cell.status,
            CellStatus::Ok,
            "{kind} {} × {}: {:?}",
            cell.model_id(),
            cell.workers,
            cell.error
        );
        assert_eq!(cell.samples.len(), 2);
        for s in &cell.samples {
            assert_eq!(
                s.checksum,
                expected,
                "{kind} {} × {}",
                cell.model_id(),
                cell.workers
            );
            assert!(s.wall_s > 0.0);
        }
        assert!(cell.speedup.is_some_and(|s| s > 0.0));
    }
    assert!(live_children().is_empty(), "workers outlived the sweep");
}

#[test]
fn every_model_computes_the_same_primes() {
    assert_identical_checksums(TaskKind::Cpu);
}

#[test]
fn every_model_computes_the_same_hash_chain() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Cpu, &ALL_MODELS, &[2]);
    exp.task.cpu.kernel = corelab::preset::CpuKernel::HashChain;
    let (results, _) = run(&exp);
    let sums: Vec<u64> = results
        .cells
        .iter()
        .map(|c| c.checksum().unwrap())
        .collect();
    assert!(sums.windows(2).all(|w| w[0] == w[1]), "{sums:?}");
    assert!(results.cells.iter().all(|c| c.status == CellStatus::Ok));
}

#[test]
fn every_model_agrees_on_file_io() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Io, &ALL_MODELS, &[2]);
    exp.task.io.mode = corelab::preset::IoMode::File;
    let (results, _) = run(&exp);
    for c in &results.cells {
        assert_eq!(c.status, CellStatus::Ok, "{}: {:?}", c.model_id(), c.error);
        assert_eq!(c.checksum(), results.cells[0].checksum());
    }
}

#[test]
fn every_model_computes_the_same_sleep_memory_and_mixed_answers() {
    for kind in [TaskKind::Io, TaskKind::Memory, TaskKind::Mixed] {
        assert_identical_checksums(kind);
    }
}

#[test]
fn events_arrive_in_order_and_match_the_results() {
    let _g = exclusive();
    let exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::Threads],
        &[1, 2],
    );
    let (results, events) = run(&exp);
    let SweepEvent::Started { plan, runs_total } = &events[0] else {
        panic!("first event must be Started, got {:?}", events[0]);
    };
    assert_eq!(plan.len(), 3);
    assert_eq!(*runs_total, 3 * 2);
    let done: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SweepEvent::CellDone(c) => Some((c.model.unwrap(), c.workers)),
            _ => None,
        })
        .collect();
    assert_eq!(&done, plan);
    let last_progress = last_progress(&events);
    assert_eq!(last_progress, (6, 6));
    let SweepEvent::Finished(fin) = events.last().unwrap() else {
        panic!("last event must be Finished");
    };
    assert_eq!(fin.cells.len(), results.cells.len());
    // The results file round-trips through JSON with every raw sample.
    let back = ResultsFile::from_json(&results.to_json(), "memory").unwrap();
    assert_eq!(back, results);
}

#[test]
fn cancelling_a_processes_sweep_kills_every_child() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Io, &[ModelKind::Processes], &[3]);
    // Same-model baseline: a short 1-worker cell runs first, then the 3-worker cell.
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.task.io.sleep_ms = 300.0;
    exp.task.tasks = 6;
    exp.repetitions = 2;
    let handle = spawn_sweep(exp, config(), || {}).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "the 3-worker cell never started");
        if let Ok(SweepEvent::CellStarted { workers: 3, .. }) =
            handle.events.recv_timeout(Duration::from_secs(1))
        {
            break;
        }
    }
    let mut children = Vec::new();
    while Instant::now() < deadline {
        children = live_children();
        if children.len() >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        children.len() >= 3,
        "worker pool never started: {children:?}"
    );
    std::thread::sleep(Duration::from_millis(100));
    let cancelled_at = Instant::now();
    handle.cancel();
    let mut finished = None;
    while finished.is_none() && cancelled_at.elapsed() < Duration::from_secs(10) {
        if let Ok(SweepEvent::Finished(r)) = handle.events.recv_timeout(Duration::from_secs(10)) {
            finished = Some(r);
        }
    }
    let results = finished.expect("the sweep must finish after cancel");
    assert_eq!(results.status, RunStatus::Cancelled);
    handle.join();
    for pid in &children {
        assert!(!is_alive(*pid), "worker {pid} outlived the cancelled sweep");
    }
    assert!(live_children().is_empty());
}

fn faulty_sweep(fault: &str, timeout_s: f64) -> ResultsFile {
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::Threads, ModelKind::Processes],
        &[2],
    );
    exp.timeout_s = timeout_s;
    let mut cfg = config();
    cfg.worker = cfg.worker.with_env(FAULT_ENV, fault);
    let results = run_sweep(&exp, &cfg, &CancelToken::new(), &mut |_| {});
    assert_eq!(
        results.status,
        RunStatus::Complete,
        "the sweep goes on after a fault"
    );
    assert!(
        live_children().is_empty(),
        "no worker may outlive a fault ({fault})"
    );
    assert_eq!(
        results.cell(ModelKind::Threads, 2).unwrap().status,
        CellStatus::Ok
    );
    results
}

fn processes_error(results: &ResultsFile) -> String {
    let cell = results.cell(ModelKind::Processes, 2).unwrap();
    assert_eq!(cell.status, CellStatus::Failed);
    cell.error.clone().unwrap()
}

#[test]
fn a_crashing_worker_fails_its_cell_with_the_reason() {
    let _g = exclusive();
    let err = processes_error(&faulty_sweep("crash", 30.0));
    assert!(err.contains("exited"), "{err}");
    assert!(
        err.contains("injected crash"),
        "stderr should be quoted: {err}"
    );
}

#[test]
fn a_worker_that_exits_early_fails_its_cell() {
    let _g = exclusive();
    let err = processes_error(&faulty_sweep("exit", 30.0));
    assert!(err.contains("exit status: 3"), "{err}");
}

#[test]
fn a_hanging_worker_is_killed_at_the_timeout() {
    let _g = exclusive();
    let started = Instant::now();
    let err = processes_error(&faulty_sweep("hang", 1.0));
    assert!(err.contains("timeout"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the hang was not cut short"
    );
}

#[test]
fn garbage_output_fails_its_cell() {
    let _g = exclusive();
    let err = processes_error(&faulty_sweep("garbage", 30.0));
    assert!(err.contains("malformed"), "{err}");
    assert!(err.contains("this is not json"), "{err}");
}

#[test]
fn a_missing_worker_binary_is_a_clear_failure() {
    let _g = exclusive();
    let exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Processes], &[2]);
    let cfg = corelab::engine::SweepConfig::new(corelab::engine::WorkerCommand::new(
        "/nonexistent/corelab",
    ));
    let results = run_sweep(&exp, &cfg, &CancelToken::new(), &mut |_| {});
    let cell = results.cell(ModelKind::Processes, 2).unwrap();
    assert_eq!(cell.status, CellStatus::Failed);
    assert!(
        cell.error
            .as_deref()
            .unwrap()
            .contains("/nonexistent/corelab")
    );
    // The sequential baseline still ran and is kept.
    assert_eq!(results.cells[0].status, CellStatus::Ok);
}

#[test]
fn partial_results_are_written_after_every_cell() {
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.json");
    let exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::Threads],
        &[1, 2],
    );
    let mut cfg = config();
    cfg.partial_results = Some(path.clone());
    let mut seen_incomplete = false;
    run_sweep(&exp, &cfg, &CancelToken::new(), &mut |e| {
        if let SweepEvent::CellDone(c) = e
            && c.model == Some(ModelKind::Threads)
            && c.workers == 1
        {
            // The file written after the previous cell is readable and marked incomplete.
            let partial = ResultsFile::load(&path).unwrap();
            seen_incomplete = partial.status == RunStatus::Incomplete && !partial.cells.is_empty();
        }
    });
    assert!(seen_incomplete);
    let done = ResultsFile::load(&path).unwrap();
    assert_eq!(done.status, RunStatus::Complete);
    assert_eq!(done.cells.len(), 3);
}

#[test]
fn every_native_model_and_task_combination_runs_or_is_refused_with_a_reason() {
    use corelab::preset::{IoMode, SyncMode};
    let _g = exclusive();
    let mut variants = Vec::new();
    for kind in [TaskKind::Cpu, TaskKind::Memory, TaskKind::Mixed] {
        variants.push(tiny_experiment(kind, &[], &[2]));
    }
    for mode in IoMode::ALL {
        let mut e = tiny_experiment(TaskKind::Io, &[], &[2]);
        e.task.io.mode = mode;
        variants.push(e);
    }
    for sync in SyncMode::ALL {
        let mut e = tiny_experiment(TaskKind::Contention, &[], &[2]);
        e.task.contention.sync = sync;
        variants.push(e);
    }
    for base in variants {
        for model in ModelKind::NATIVE {
            let mut exp = base.clone();
            exp.models = vec![model];
            exp.repetitions = 1;
            let what = format!("{model} on {:?}", exp.task.kind);
            match exp.validate() {
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.contains("models[0]"), "{what}: {msg}");
                }
                Ok(()) => {
                    let r = sweep(&exp);
                    assert_all_ok(&r);
                    assert!(r.cells.iter().any(|c| c.model == Some(model)), "{what}");
                }
            }
        }
    }
    assert!(live_children().is_empty());
}

/// The workbench's pacing: the display is woken at the first event and at the end, and in
/// between at most once per `every`, always followed by a quiet `settle` before the next run.
#[test]
fn a_paced_sweep_wakes_its_display_only_between_runs_and_leaves_it_time_to_draw() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use corelab::engine::DisplayPacing;

    let _g = exclusive();
    let exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[1, 2]);
    let sweep = |pacing: DisplayPacing| {
        let mut cfg = config();
        cfg.display = Some(pacing);
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let started = Instant::now();
        let handle = spawn_sweep(exp.clone(), cfg, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        let events: Vec<SweepEvent> = handle.events.iter().collect();
        let took = started.elapsed();
        handle.join();
        (wakes.load(Ordering::SeqCst), events, took)
    };

    let (wakes, events, _) = sweep(DisplayPacing {
        every: Duration::from_secs(3600),
        settle: Duration::ZERO,
    });
    assert!(matches!(events.last(), Some(SweepEvent::Finished(_))));
    assert_eq!(wakes, 2, "the first event and the last, nothing in between");

    let settle = Duration::from_millis(40);
    let (wakes, events, took) = sweep(DisplayPacing {
        every: Duration::ZERO,
        settle,
    });
    let between_runs = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                SweepEvent::Started { .. }
                    | SweepEvent::CellStarted { .. }
                    | SweepEvent::Progress { .. }
            )
        })
        .count();
    assert_eq!(wakes, between_runs + 1, "every gap and the end");
    assert!(
        took >= settle * between_runs as u32,
        "each wake leaves {settle:?} before the next run: {between_runs} wakes in {took:?}"
    );
}

/// Short runs are repeated beyond `repetitions` until the timed runs add up to `min_time_s`;
/// progress follows the growing count and still ends at 100%.
#[test]
fn short_runs_are_repeated_until_the_minimum_time_is_measured() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Io, &[ModelKind::Threads], &[1, 2]);
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.task.tasks = 4;
    exp.task.io.sleep_ms = 5.0; // runs of 20 ms at 1 worker, 10 ms at 2
    exp.repetitions = 3;
    exp.warmups = 1;
    exp.min_time_s = 0.2;
    exp.validate().unwrap();
    let (results, events) = run(&exp);
    assert_eq!(results.status, RunStatus::Complete);
    for cell in &results.cells {
        let timed: f64 = cell.samples.iter().map(|s| s.wall_s).sum();
        assert!(
            timed >= exp.min_time_s,
            "{} × {}: {} runs add up to {timed} s",
            cell.model_id(),
            cell.workers,
            cell.samples.len()
        );
        assert!(
            cell.samples.len() > exp.repetitions as usize,
            "more than the 3 repetitions: {}",
            cell.samples.len()
        );
        assert_eq!(cell.warmups.len(), 1);
    }
    let runs: usize = results
        .cells
        .iter()
        .map(|c| c.samples.len() + c.warmups.len())
        .sum();
    let last_progress = last_progress(&events);
    assert_eq!(last_progress, (runs, runs));

    // Long runs are not repeated more than asked.
    exp.min_time_s = 0.001;
    let (results, _) = run(&exp);
    assert!(results.cells.iter().all(|c| c.samples.len() == 3));
}

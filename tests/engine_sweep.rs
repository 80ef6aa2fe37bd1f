#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The engine end to end: every model computes the same answer, sweeps report events in order,
//! cancelling leaves no child process, and faulty workers fail their cell, not the sweep.
//! The sweep's own logic (interleaved rounds, shuffling, the minimum time, failures, cancel,
//! partial results, load marks) is checked with scripted executors: no assertion here depends
//! on how fast the machine is.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::*;
use corelab::engine::load::{MIN_TICKS_PER_CPU, OtherLoad};
use corelab::engine::mock::{MockCall, MockExecutors, MockRun, ticked_run};
use corelab::engine::{
    CancelToken, CellProgress, SweepEvent, run_sweep, spawn_sweep, worker::FAULT_ENV,
};
use corelab::preset::{ModelKind, TaskKind};
use corelab::results::{BusyBasis, CellStatus, ResultsFile, RunStatus};

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
    let SweepEvent::Started {
        plan,
        runs_total,
        timed_per_cell,
    } = &events[0]
    else {
        panic!("first event must be Started, got {:?}", events[0]);
    };
    assert_eq!(plan.len(), 3);
    assert_eq!(*runs_total, 3 * 2);
    assert_eq!(*timed_per_cell, exp.repetitions as usize);
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

/// A worker whose reply announces a payload it does not send, one over the protocol's limit,
/// or one of another size than the unit's input fails its cell with what it did: never a
/// panic, a hang, or an allocation of what it claimed.
#[test]
fn a_worker_that_lies_about_its_payload_fails_its_cell_with_the_reason() {
    let _g = exclusive();
    for (fault, wanted) in [
        ("short-payload", "ended after 10 of the 1000 bytes"),
        ("huge-payload", "`payload_bytes` = 262145"),
        ("wrong-payload", "returned 3 payload bytes for unit"),
    ] {
        let err = processes_error(&faulty_sweep(fault, 30.0));
        assert!(err.contains(wanted), "{fault}: {err}");
        if fault == "wrong-payload" {
            assert!(err.ends_with("expected 0"), "{err}");
        }
    }
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

    let exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[1, 2]);
    let sweep = |pacing: DisplayPacing| {
        let mut cfg = mock_config(&MockExecutors::textbook(0.01, 2), 1);
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

// ---- Deterministic checks of the sweep's logic, with scripted executors ----

fn mock_run(
    exp: &corelab::preset::Experiment,
    mock: &MockExecutors,
    seed: u64,
) -> (ResultsFile, Vec<SweepEvent>) {
    let mut events = Vec::new();
    let results = run_sweep(
        exp,
        &mock_config(mock, seed),
        &CancelToken::new(),
        &mut |e| events.push(e),
    );
    (results, events)
}

/// Splits the log of timed runs into rounds: `per_cell` warm-ups first, then round r holds
/// each cell's run number `warmups + r`.
fn rounds(calls: &[MockCall], warmups: usize) -> Vec<Vec<(ModelKind, usize)>> {
    let mut rounds: Vec<Vec<(ModelKind, usize)>> = Vec::new();
    for c in calls.iter().filter(|c| c.run >= warmups) {
        let r = c.run - warmups;
        if rounds.len() <= r {
            rounds.resize(r + 1, Vec::new());
        }
        rounds[r].push((c.model, c.workers));
    }
    rounds
}

fn five_cells() -> corelab::preset::Experiment {
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::GilThreads,
        ],
        &[1, 2],
    );
    exp.repetitions = 6;
    exp.warmups = 1;
    exp
}

#[test]
fn runs_are_interleaved_in_rounds_shuffled_anew_each_round() {
    let exp = five_cells();
    let mock = MockExecutors::textbook(0.5, 2);
    let (results, _) = mock_run(&exp, &mock, 7);
    assert_eq!(results.status, RunStatus::Complete);
    let plan = corelab::engine::sweep_plan(&exp);
    assert_eq!(plan.len(), 5);
    // Every executor started before any run, each exactly once, and every one was stopped.
    assert_eq!(mock.started(), plan);
    let mut stopped = mock.stopped();
    stopped.sort_by_key(|&(m, w)| (m.id(), w));
    let mut planned = plan.clone();
    planned.sort_by_key(|&(m, w)| (m.id(), w));
    assert_eq!(stopped, planned);

    let calls = mock.calls();
    // The warm-ups come first: one per cell.
    assert!(calls[..5].iter().all(|c| c.run == 0));
    assert!(calls[5..].iter().all(|c| c.run >= 1));
    // Then 6 rounds; in each, every cell exactly once, and round r is over before r+1 starts.
    let rounds = rounds(&calls, 1);
    assert_eq!(rounds.len(), 6);
    let mut position = 5;
    for round in &rounds {
        let mut sorted = round.clone();
        sorted.sort_by_key(|&(m, w)| (m.id(), w));
        assert_eq!(sorted, planned, "every cell once per round");
        for cell in round {
            assert_eq!((calls[position].model, calls[position].workers), *cell);
            position += 1;
        }
    }
    // The order is shuffled per round: not always the plan's, and not the same every round.
    assert!(rounds.iter().any(|r| *r != plan), "{rounds:?}");
    assert!(rounds.windows(2).any(|w| w[0] != w[1]), "{rounds:?}");
    // Every cell got its runs.
    for cell in &results.cells {
        assert_eq!(cell.warmups.len(), 1);
        assert_eq!(cell.samples.len(), 6);
        assert_eq!(cell.startup_s, Some(0.001));
    }
    assert_eq!(results.shuffle_seed, Some(7));
}

#[test]
fn the_seed_decides_the_order() {
    let exp = five_cells();
    let order = |seed| {
        let mock = MockExecutors::textbook(0.5, 2);
        mock_run(&exp, &mock, seed);
        mock.calls()
    };
    assert_eq!(order(1), order(1), "the same seed, the same order");
    assert_ne!(order(1), order(2), "another seed, another order");
}

#[test]
fn scripted_timings_give_the_textbook_speedups() {
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::GilThreads,
            ModelKind::Processes,
        ],
        &[1, 2, 4],
    );
    exp.repetitions = 3;
    let (r, _) = mock_run(&exp, &MockExecutors::textbook(1.0, 2), 3);
    let speedup = |m, w| r.cell(m, w).unwrap().speedup.unwrap();
    // The GIL keeps CPU-bound threads at 1×, plain threads and processes reach the 2 cores.
    for w in [1, 2, 4] {
        assert!((speedup(ModelKind::GilThreads, w) - 1.0).abs() < 1e-9);
    }
    assert!((speedup(ModelKind::Threads, 2) - 2.0).abs() < 1e-9);
    assert!((speedup(ModelKind::Processes, 4) - 2.0).abs() < 1e-9);
    let threads4 = r.cell(ModelKind::Threads, 4).unwrap();
    assert!((threads4.efficiency.unwrap() - 0.5).abs() < 1e-9);
    assert!((threads4.cpu_utilisation.unwrap() - 2.0).abs() < 1e-9);
    assert!(r.cells.iter().all(|c| c.checksums_agree));
}

#[test]
fn events_follow_the_rounds_and_curves_fill_in_round_by_round() {
    let exp = five_cells();
    let mock = MockExecutors::textbook(0.5, 2);
    let (results, events) = mock_run(&exp, &mock, 11);
    let SweepEvent::Started {
        plan,
        runs_total,
        timed_per_cell,
    } = &events[0]
    else {
        panic!("first event must be Started, got {:?}", events[0]);
    };
    // 1 warm-up and 6 timed runs a cell; the time-left estimate counts the timed ones.
    assert_eq!(*runs_total, 5 * 7);
    assert_eq!(*timed_per_cell, 6);
    // One RoundDone per round, each with every cell, its runs so far and a speedup.
    let round_done: Vec<(usize, &Vec<corelab::results::CellResult>)> = events
        .iter()
        .filter_map(|e| match e {
            SweepEvent::RoundDone { round, cells, .. } => Some((*round, cells)),
            _ => None,
        })
        .collect();
    assert_eq!(round_done.len(), 6);
    for (i, (round, cells)) in round_done.iter().enumerate() {
        assert_eq!(*round, i + 1);
        assert_eq!(cells.len(), 5);
        for c in cells.iter() {
            assert_eq!(c.samples.len(), i + 1, "round {round}");
            assert!(c.speedup.is_some(), "round {round}: speedup filled in");
        }
    }
    // CellDone for every cell, once, after its last run and before the last RoundDone.
    let done: Vec<(ModelKind, usize)> = events
        .iter()
        .filter_map(|e| match e {
            SweepEvent::CellDone(c) => {
                assert_eq!(c.samples.len(), 6);
                Some((c.model.unwrap(), c.workers))
            }
            _ => None,
        })
        .collect();
    assert_eq!(&done, plan);
    let last_done = events
        .iter()
        .rposition(|e| matches!(e, SweepEvent::CellDone(_)))
        .unwrap();
    let last_round = events
        .iter()
        .rposition(|e| matches!(e, SweepEvent::RoundDone { .. }))
        .unwrap();
    assert!(last_done < last_round);
    // Before each timed run the event names its cell, in the order the runs were made.
    let named: Vec<(ModelKind, usize)> = events
        .iter()
        .skip_while(|e| !matches!(e, SweepEvent::Progress { .. }))
        .filter_map(|e| match e {
            SweepEvent::CellStarted { model, workers } => Some((*model, *workers)),
            _ => None,
        })
        .collect();
    let timed: Vec<(ModelKind, usize)> = mock
        .calls()
        .iter()
        .filter(|c| c.run >= 1)
        .map(|c| (c.model, c.workers))
        .collect();
    assert_eq!(named, timed);
    // Progress is monotonic and ends at 100%.
    let mut last = 0;
    for e in &events {
        if let SweepEvent::Progress { runs_done, .. } = e {
            assert!(*runs_done >= last);
            last = *runs_done;
        }
    }
    assert_eq!(last_progress(&events), (35, 35));
    assert!(matches!(events.last(), Some(SweepEvent::Finished(_))));
    let back = ResultsFile::from_json(&results.to_json(), "memory").unwrap();
    assert_eq!(back, results);
}

#[test]
fn scripted_short_runs_are_repeated_until_the_minimum_time_exactly() {
    let mut exp = tiny_experiment(TaskKind::Io, &[ModelKind::Threads], &[1, 2]);
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.repetitions = 3;
    exp.warmups = 1;
    exp.min_time_s = 1.0;
    // 1/8 s at one worker, 1/16 s at two (exact in binary): 8 and 16 timed runs.
    let mock = MockExecutors::new(|_, workers, _| Ok(MockRun::new(0.125 / workers as f64, 0.1, 1)));
    let (results, events) = mock_run(&exp, &mock, 5);
    assert_eq!(
        results.cell(ModelKind::Threads, 1).unwrap().samples.len(),
        8
    );
    assert_eq!(
        results.cell(ModelKind::Threads, 2).unwrap().samples.len(),
        16
    );
    for cell in &results.cells {
        let timed: f64 = cell.samples.iter().map(|s| s.wall_s).sum();
        assert!(timed >= exp.min_time_s);
        assert_eq!(cell.warmups.len(), 1);
    }
    // Rounds go on while any cell wants more: the 1-worker cell stops after round 8.
    let rounds = rounds(&mock.calls(), 1);
    assert_eq!(rounds.len(), 16);
    assert!(rounds[..8].iter().all(|r| r.len() == 2));
    assert!(rounds[8..].iter().all(|r| r == &[(ModelKind::Threads, 2)]));
    // The progress total grew with the count and ends at every run made.
    let runs = 8 + 16 + 2;
    assert_eq!(last_progress(&events), (runs, runs));

    // Long runs are not repeated more than asked.
    exp.min_time_s = 0.001;
    let (results, _) = mock_run(&exp, &mock, 5);
    assert!(results.cells.iter().all(|c| c.samples.len() == 3));
}

#[test]
fn a_cell_that_fails_to_start_or_to_run_fails_alone() {
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::Processes,
        ],
        &[2],
    );
    exp.repetitions = 4;
    let mock = MockExecutors::new(|model, _, run| match (model, run) {
        (ModelKind::Threads, 2) => Err("scripted failure on the third run".into()),
        _ => Ok(MockRun::new(0.1, 1.0, 9)),
    })
    .fail_start(ModelKind::Processes, 2, "no pool for you");
    let (results, events) = mock_run(&exp, &mock, 2);
    assert_eq!(results.status, RunStatus::Complete);
    let seq = results.cell(ModelKind::Sequential, 1).unwrap();
    assert_eq!(seq.status, CellStatus::Ok);
    assert_eq!(seq.samples.len(), 4);
    let threads = results.cell(ModelKind::Threads, 2).unwrap();
    assert_eq!(threads.status, CellStatus::Failed);
    assert_eq!(
        threads.samples.len(),
        2,
        "the runs before the failure are kept"
    );
    assert!(threads.error.as_deref().unwrap().contains("third run"));
    let processes = results.cell(ModelKind::Processes, 2).unwrap();
    assert_eq!(processes.status, CellStatus::Failed);
    assert_eq!(processes.error.as_deref(), Some("no pool for you"));
    assert!(processes.samples.is_empty() && processes.startup_s.is_none());
    // The failed run was the threads cell's last; its executor was stopped at once.
    assert!(
        mock.calls()
            .iter()
            .all(|c| c.model != ModelKind::Threads || c.run <= 2)
    );
    assert_eq!(mock.started().len(), mock.stopped().len());
    let failed: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SweepEvent::Failed { model, reason, .. } => Some((*model, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    // Skipped runs count as done: progress still reaches 100%.
    let (done, total) = last_progress(&events);
    assert_eq!(done, total);
}

#[test]
fn a_wrong_or_changing_answer_fails_its_cell() {
    let exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::Threads, ModelKind::Rayon],
        &[2],
    );
    let mock = MockExecutors::new(|model, _, run| {
        let checksum = match model {
            ModelKind::Threads => 8,
            ModelKind::Rayon => 7 + run as u64,
            _ => 7,
        };
        Ok(MockRun::new(0.1, 1.0, checksum))
    });
    let (r, _) = mock_run(&exp, &mock, 4);
    assert_eq!(
        r.cell(ModelKind::Sequential, 1).unwrap().status,
        CellStatus::Ok
    );
    let threads = r.cell(ModelKind::Threads, 2).unwrap();
    assert_eq!(threads.status, CellStatus::Failed);
    assert!(
        threads.error.as_deref().unwrap().contains("wrong answer"),
        "{threads:?}"
    );
    let rayon = r.cell(ModelKind::Rayon, 2).unwrap();
    assert_eq!(rayon.status, CellStatus::Failed);
    assert!(rayon.error.as_deref().unwrap().contains("runs disagree"));
}

#[test]
fn cancelling_stops_at_the_next_run_and_keeps_what_was_measured() {
    let exp = five_cells();
    let mock = MockExecutors::textbook(0.5, 2);
    let cancel = CancelToken::new();
    let mut events = Vec::new();
    let mut runs_seen = 0;
    let results = run_sweep(&exp, &mock_config(&mock, 9), &cancel, &mut |e| {
        if let SweepEvent::Progress { runs_done, .. } = &e {
            runs_seen = *runs_done;
            // Cancel in the middle of round 3 (5 warm-ups + 2 rounds + 2 runs).
            if *runs_done == 5 + 10 + 2 {
                cancel.cancel();
            }
        }
        events.push(e);
    });
    assert!(runs_seen >= 17);
    assert_eq!(results.status, RunStatus::Cancelled);
    assert_eq!(mock.calls().len(), 17, "no run after the cancel");
    assert_eq!(results.cells.len(), 5);
    for c in &results.cells {
        assert_eq!(c.status, CellStatus::Cancelled, "nothing had all its runs");
        assert!((2..=3).contains(&c.samples.len()), "the runs made are kept");
    }
    assert_eq!(
        mock.started().len(),
        mock.stopped().len(),
        "every executor stopped"
    );
    assert!(!events.iter().any(|e| matches!(e, SweepEvent::CellDone(_))));
    let SweepEvent::Finished(fin) = events.last().unwrap() else {
        panic!("last event must be Finished");
    };
    assert_eq!(fin.status, RunStatus::Cancelled);
}

#[test]
fn partial_results_are_written_within_and_after_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.json");
    // A round of these five cells measures 2.25 s of runs (0.5 s, or 0.25 s for threads × 2),
    // so a write is due within every round, after a second of runs.
    let exp = five_cells();
    let mock = MockExecutors::textbook(0.5, 2);
    let mut cfg = mock_config(&mock, 1);
    cfg.partial_results = Some(path.clone());
    let seconds = |cells: &[corelab::results::CellResult]| -> f64 {
        cells
            .iter()
            .flat_map(|c| &c.samples)
            .map(|s| s.wall_s)
            .sum()
    };
    let mut seen = Vec::new();
    run_sweep(&exp, &cfg, &CancelToken::new(), &mut |e| {
        if let SweepEvent::RoundDone { round, cells, .. } = e {
            // The file as a kill at the end of this round, before its own write, would leave
            // it: readable, incomplete, every cell, and behind the sweep by at most a second
            // of runs and the run that made the write due. Round 1's is there already: it was
            // written within the round.
            let partial = ResultsFile::load(&path).unwrap();
            assert_eq!(partial.status, RunStatus::Incomplete);
            assert_eq!(partial.cells.len(), 5);
            for (saved, now) in partial.cells.iter().zip(&cells) {
                let runs = saved.samples.len();
                assert!(
                    runs + 1 >= round && runs <= now.samples.len(),
                    "round {round}: {runs}"
                );
            }
            let behind = seconds(&cells) - seconds(&partial.cells);
            assert!(
                (0.0..1.5).contains(&behind),
                "round {round}: {behind} s behind"
            );
            seen.push(round);
        }
    });
    assert_eq!(seen, vec![1, 2, 3, 4, 5, 6]);
    let done = ResultsFile::load(&path).unwrap();
    assert_eq!(done.status, RunStatus::Complete);
    assert_eq!(done.cells.len(), 5);
}

/// The file a sweep saves into, replaced by another program while it measures (here a
/// link to someone's notes put in its place after round 1), is not written over: each later
/// save says why it failed, the notes stay as they were, and the sweep measures on.
#[test]
fn a_sweep_does_not_save_over_a_file_swapped_in_during_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.json");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "my notes\n").unwrap();
    let exp = five_cells();
    let mock = MockExecutors::textbook(0.5, 2);
    let mut cfg = mock_config(&mock, 1);
    cfg.partial_results = Some(path.clone());
    let mut refusals = Vec::new();
    let mut finished = None;
    run_sweep(&exp, &cfg, &CancelToken::new(), &mut |e| match e {
        SweepEvent::RoundDone { round: 1, .. } => {
            assert!(ResultsFile::load(&path).is_ok(), "saved so far");
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(&notes, &path).unwrap();
        }
        SweepEvent::SaveFailed { reason, .. } => refusals.push(reason.clone()),
        SweepEvent::Finished(fin) => finished = Some(fin.status),
        _ => {}
    });
    assert_eq!(finished, Some(RunStatus::Complete), "measured on");
    assert!(!refusals.is_empty());
    for reason in &refusals {
        assert!(reason.contains("not a corelab results file"), "{reason}");
    }
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
}

#[test]
fn runs_under_other_load_are_marked_and_summed_up() {
    let exp = five_cells();
    // The second timed run of threads × 2 shared the cores with another program.
    let mock = MockExecutors::textbook(0.5, 2).with_load(|model, workers, run| {
        let busy = model == ModelKind::Threads && workers == 2 && run == 2;
        Some(OtherLoad {
            other_cores: if busy { 1.5 } else { 0.1 },
            usable_cores: 2.0,
            busy,
        })
    });
    let (r, _) = mock_run(&exp, &mock, 8);
    for c in &r.cells {
        let expect = usize::from(c.model == Some(ModelKind::Threads) && c.workers == 2);
        assert_eq!(c.busy_runs, expect, "{} × {}", c.model_id(), c.workers);
        assert_eq!(c.samples.iter().filter(|s| s.busy).count(), expect);
        assert!(c.samples.iter().all(|s| s.other_load.is_some()));
    }
    let busy = &r.cell(ModelKind::Threads, 2).unwrap().samples[1];
    assert!(busy.busy && busy.other_load == Some(1.5));
    let load = r.machine.load_during_runs.as_ref().unwrap();
    assert_eq!((load.runs, load.busy_runs), (30, 1));
    assert_eq!(load.max_other_cores, 1.5);
    let warning = r.machine.busy_warning().unwrap();
    assert!(warning.contains("during 1 of 30 timed runs"), "{warning}");
    // Nothing busy, no warning.
    let quiet = MockExecutors::textbook(0.5, 2).with_load(|_, _, _| {
        Some(OtherLoad {
            other_cores: 0.0,
            usable_cores: 2.0,
            busy: false,
        })
    });
    let (r, _) = mock_run(&exp, &quiet, 8);
    assert_eq!(r.machine.busy_warning(), None);
    assert_eq!(r.machine.load_during_runs.unwrap().runs, 30);
}

/// Scripted /proc/stat ticks of 4 ms runs on 2 CPUs whose ticks are 5 ms apart: a run of
/// `(model, workers)` keeps its textbook cores busy; with `hog`, another program keeps one
/// core busy all the time, so both CPUs are busy at every tick and the run gets its fair share
/// of them (2 × used / (used + 1) cores). Run `run` of the cell starts at a time of its own.
fn four_ms_runs(hog: bool) -> MockExecutors {
    MockExecutors::textbook(0.004, 2).with_ticks(move |model, workers, run| {
        let used = match model {
            ModelKind::Threads => workers.min(2),
            _ => 1,
        } as f64;
        let cell = workers as f64 * 3.1 + model.id().len() as f64;
        let start_ms = run as f64 * 13.7 + cell;
        let (own, busy) = match hog {
            true => (2.0 * used / (used + 1.0), 2.0),
            false => (used, used),
        };
        let busy_at = move |cpu: usize, _: f64| (cpu as f64) < busy;
        Some(ticked_run(start_ms, 4.0, &[0.0, 5.0], busy_at, own))
    })
}

#[test]
fn short_runs_under_a_hog_are_judged_by_their_pooled_ticks() {
    let mut exp = five_cells();
    exp.repetitions = 40;
    exp.min_time_s = 0.0;
    exp.precision = 0.0;
    let (r, _) = mock_run(&exp, &four_ms_runs(true), 8);
    let load = r.machine.load_during_runs.as_ref().unwrap();
    assert_eq!(load.runs, 200);
    // Judged one by one (the rule before pooling), a 4 ms run's one tick or none said "quiet"
    // for most of them; pooled, every cell is busy and all its runs are marked.
    for c in &r.cells {
        let cell = c.load.as_ref().unwrap();
        assert!(cell.busy, "{} × {}: {cell:?}", c.model_id(), c.workers);
        assert_eq!(c.busy_runs, 40);
        assert!(
            c.samples
                .iter()
                .all(|s| s.busy && s.busy_basis == BusyBasis::Cell)
        );
        let alone = c
            .samples
            .iter()
            .filter(|s| s.other_load > Some(0.5))
            .count();
        assert!(alone < 20, "{alone} runs looked busy alone");
        // The pooled figure: both CPUs busy, minus the cell's own share.
        let used = if c.model == Some(ModelKind::Threads) {
            c.workers
        } else {
            1
        } as f64;
        let expected = 2.0 - 2.0 * used / (used + 1.0);
        assert!((cell.mean_other_cores - expected).abs() < 1e-3, "{cell:?}");
    }
    assert!(load.busy && load.busy_runs == 200 && load.unjudged_runs == 0);
    let warning = r.machine.busy_warning().unwrap();
    assert!(
        warning.contains("during 200 of 200 timed runs"),
        "{warning}"
    );
    assert!(r.cells.iter().all(|c| c.was_busy()));
    // The same runs on a quiet machine: pooled, nothing else ran.
    let (r, _) = mock_run(&exp, &four_ms_runs(false), 8);
    let load = r.machine.load_during_runs.as_ref().unwrap();
    assert_eq!(
        (load.busy, load.busy_runs, load.unjudged_runs),
        (false, 0, 0)
    );
    assert_eq!(load.mean_other_cores, 0.0);
    assert_eq!(r.machine.busy_warning(), None);
    assert_eq!(r.machine.load_unknown_note(), None);
    assert!(r.cells.iter().all(|c| !c.was_busy()));
}

#[test]
fn runs_too_short_to_judge_even_pooled_are_not_called_quiet() {
    // Six 4 ms runs per cell: a couple of ticks per CPU per cell, under a hog.
    let mut exp = five_cells();
    exp.min_time_s = 0.0;
    exp.precision = 0.0;
    let (r, _) = mock_run(&exp, &four_ms_runs(true), 8);
    for c in &r.cells {
        let cell = c.load.as_ref().unwrap();
        assert!(!cell.busy && cell.unjudged_runs == 6, "{cell:?}");
        assert!(
            c.samples
                .iter()
                .all(|s| !s.busy && s.busy_basis == BusyBasis::TooFewTicks)
        );
    }
    // The sweep's 30 runs together hold enough ticks: busy, though no run could be marked.
    let load = r.machine.load_during_runs.as_ref().unwrap();
    assert_eq!((load.runs, load.busy_runs, load.unjudged_runs), (30, 0, 30));
    let note = r.machine.load_unknown_note().unwrap();
    assert!(
        note.starts_with("30 of 30 timed runs were too short"),
        "{note}"
    );
    assert!(load.ticks_per_cpu >= MIN_TICKS_PER_CPU, "{load:?}");
    assert!(load.busy);
    let warning = r.machine.busy_warning().unwrap();
    assert!(warning.contains("during the timed runs"), "{warning}");
    // Three runs per cell, 15 in all: not enough ticks even for the sweep. No warning, and
    // the note says why.
    exp.repetitions = 3;
    let (r, _) = mock_run(&exp, &four_ms_runs(true), 8);
    let load = r.machine.load_during_runs.as_ref().unwrap();
    assert!(load.ticks_per_cpu < MIN_TICKS_PER_CPU, "{load:?}");
    assert!(!load.busy && r.machine.busy_warning().is_none());
    assert!(r.machine.load_unknown_note().is_some());
}

#[test]
fn every_cell_gets_its_runs_whatever_the_seed() {
    let exp = five_cells();
    for seed in 0..20 {
        let mock = MockExecutors::textbook(0.5, 2);
        let (r, _) = mock_run(&exp, &mock, seed);
        let mut per_cell: HashMap<(ModelKind, usize), usize> = HashMap::new();
        for c in mock.calls() {
            *per_cell.entry((c.model, c.workers)).or_default() += 1;
        }
        assert_eq!(per_cell.len(), 5);
        assert!(
            per_cell.values().all(|&n| n == 7),
            "seed {seed}: {per_cell:?}"
        );
        assert!(r.cells.iter().all(|c| c.status == CellStatus::Ok));
    }
}

#[test]
fn scripted_amdahl_timings_give_amdahls_speedups() {
    let mut exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[1, 2, 4, 8]);
    exp.repetitions = 2;
    let (r, _) = mock_run(&exp, &MockExecutors::amdahl(1.0, 0.1), 3);
    for w in [1usize, 2, 4, 8] {
        let expected = 1.0 / (0.1 + 0.9 / w as f64);
        let got = r.cell(ModelKind::Threads, w).unwrap().speedup.unwrap();
        assert!((got - expected).abs() < 1e-9, "× {w}: {got} vs {expected}");
    }
}

// ---- Adaptive precision and calibration (issue 14), with scripted executors ----

/// A ±2% precision target with a 3 s budget per cell, threads × 1 and × 2, 3 repetitions.
fn precise_experiment() -> corelab::preset::Experiment {
    let mut exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[1, 2]);
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.repetitions = 3;
    exp.warmups = 0;
    exp.precision = 0.02;
    exp.precision_budget_s = 3.0;
    exp
}

/// One worker: every run 0.1 s (precise at the first 95% interval, 6 runs). Two workers: ±30%
/// noise that never gets within 2%, so it runs until 3 s are spent (0.3 s per 3 runs).
fn steady_and_noisy() -> MockExecutors {
    MockExecutors::new(|_, workers, run| {
        let wall = match workers {
            1 => 0.1,
            _ => [0.07, 0.1, 0.13][run % 3],
        };
        Ok(MockRun::new(wall, 1.0, 1))
    })
}

#[test]
fn a_steady_cell_stops_once_precise_and_a_noisy_one_at_its_budget() {
    let mut exp = precise_experiment();
    let mock = steady_and_noisy();
    let (results, _) = mock_run(&exp, &mock, 3);
    let steady = results.cell(ModelKind::Threads, 1).unwrap();
    assert_eq!(steady.samples.len(), 6);
    let noisy = results.cell(ModelKind::Threads, 2).unwrap();
    let spent: f64 = noisy.samples.iter().map(|s| s.wall_s).sum();
    assert!(spent >= 3.0 - 1e-9, "{spent}");
    assert!(spent - noisy.samples.last().unwrap().wall_s < 3.0 - 1e-9);
    // The precision reached is what the results show.
    let reached = |c: &corelab::results::CellResult| {
        corelab::engine::run_count::achieved_precision(
            &c.samples.iter().map(|s| s.wall_s).collect::<Vec<_>>(),
        )
    };
    assert_eq!(reached(steady), Some(0.0));
    assert!(reached(noisy).unwrap() > 0.02);
    assert_eq!(results.experiment.precision, 0.02);

    // Without a target the repetitions are the count.
    exp.precision = 0.0;
    let (results, _) = mock_run(&exp, &mock, 3);
    assert!(results.cells.iter().all(|c| c.samples.len() == 3));
}

#[test]
fn progress_anticipates_the_runs_a_precision_target_needs() {
    // A steady 1-worker cell (6 runs) and a noisy 2-worker cell that runs until its 3 s
    // budget is spent (30 runs of 0.1 s on average).
    let (results, events) = mock_run(&precise_experiment(), &steady_and_noisy(), 3);
    let taken: usize = results.cells.iter().map(|c| c.samples.len()).sum();
    let progress: Vec<(usize, &[CellProgress])> = events
        .iter()
        .filter_map(|e| match e {
            SweepEvent::Progress {
                runs_total, cells, ..
            } => Some((*runs_total, cells.as_slice())),
            _ => None,
        })
        .collect();
    // Before any run: 6 runs a cell, the least a 95% interval of the median needs (the
    // preset's 3 repetitions are not enough), which `Started` says too.
    assert_eq!(progress[0].0, 12);
    assert!(matches!(
        events[0],
        SweepEvent::Started {
            timed_per_cell: 6,
            ..
        }
    ));
    // Once three runs of each cell show the noise, the total is within a run of what the
    // sweep took, long before the end (the repetitions alone would say 6).
    let (after_three, cells) = progress
        .iter()
        .copied()
        .find(|(_, cells)| cells.len() == 2 && cells.iter().all(|c| c.timed == 3))
        .expect("a progress after three runs of each cell");
    assert!(after_three.abs_diff(taken) <= 1, "{after_three} vs {taken}");
    assert_eq!(progress.last().unwrap().0, taken);
    // Each cell's share is reported, the noisy one expecting its budget's worth of runs.
    let noisy = cells.iter().find(|c| c.workers == 2).unwrap();
    assert!((noisy.timed_s - 0.3).abs() < 1e-9, "{noisy:?}");
    assert!(noisy.expected.abs_diff(30) <= 1, "{noisy:?}");
    let steady = cells.iter().find(|c| c.workers == 1).unwrap();
    assert_eq!(steady.expected, 6);
}

#[test]
fn a_target_time_calibrates_the_task_and_records_how() {
    let mut exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[1]);
    exp.task.cpu.size = 64_000;
    exp.target_run_s = 0.25;
    // The scripted machine ignores the size: every run takes 0.5 s, so the calibration
    // halves the first trial's size, the check run still takes 0.5 s, and it halves again.
    let mock = MockExecutors::new(|_, _, _| Ok(MockRun::new(0.5, 1.0, 1)));
    let (results, _) = mock_run(&exp, &mock, 1);
    let cal = results.calibration.as_ref().expect("a calibration record");
    assert_eq!(cal.knob, "task.cpu.size");
    assert_eq!(cal.target_run_s, 0.25);
    assert_eq!(cal.preset_size, 64_000.0);
    let sizes: Vec<f64> = cal.trials.iter().map(|t| t.size).collect();
    assert_eq!(sizes, vec![4_000.0, 2_000.0]);
    assert_eq!(cal.chosen_size, 1_000.0);
    assert_eq!(results.experiment.task.cpu.size, 1_000);
    assert_eq!(cal.error, None);
    // The calibration ran on a sequential executor before the cells.
    assert_eq!(mock.started()[0], (ModelKind::Sequential, 1));
    // It survives a save and load.
    let text = serde_json::to_string(&results).unwrap();
    let back: ResultsFile = serde_json::from_str(&text).unwrap();
    assert_eq!(back.calibration, results.calibration);

    // Without a target nothing is calibrated.
    exp.target_run_s = 0.0;
    let (results, _) = mock_run(&exp, &mock, 1);
    assert_eq!(results.calibration, None);
    assert_eq!(results.experiment.task.cpu.size, 64_000);
}

#[test]
fn a_worker_rule_is_recorded_only_while_the_list_follows_it() {
    let cores = corelab::preset::available_cores();
    let text = r#"{"workers": {"up_to": "cores", "times": 2}, "models": ["threads"],
                   "repetitions": 1, "warmups": 0}"#;
    let exp = corelab::preset::Experiment::from_json(text).unwrap();
    let expected = corelab::preset::WorkerRule {
        up_to: corelab::preset::UpTo::Cores,
        times: 2,
        steps: corelab::preset::Steps::PowersOf2,
    };
    assert_eq!(exp.worker_rule, Some(expected.clone()));
    assert_eq!(exp.workers, expected.resolve(cores));
    assert!(exp.workers.contains(&cores));
    let mock = MockExecutors::textbook(0.1, 64);
    let (results, _) = mock_run(&exp, &mock, 1);
    assert_eq!(results.experiment.workers, exp.workers);
    assert_eq!(results.experiment.worker_rule, Some(expected));
    // An edited list (e.g. `--workers 3`) no longer follows the rule: it is not recorded.
    let mut edited = exp.clone();
    edited.workers = vec![3];
    let (results, _) = mock_run(&edited, &mock, 1);
    assert_eq!(results.experiment.workers, vec![3]);
    assert_eq!(results.experiment.worker_rule, None);
}

/// Timelines are bounded: a run of more tasks than a timeline keeps (`MAX_TIMELINE_SPANS`)
/// records none, and a measuring cell keeps the timelines of only a few runs near its median,
/// so a valid preset of a million tiny tasks and many runs cannot fill memory or write a
/// results file too large to open.
#[test]
fn timelines_are_bounded_in_size_and_in_number() {
    let _g = exclusive();
    let limit = corelab::results::timeline::MAX_TIMELINE_SPANS as u32;
    let mut big = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[2]);
    big.task.tasks = limit + 1;
    big.task.cpu.size = u64::from(limit + 1);
    big.repetitions = 2;
    let (results, _) = run(&big);
    let cell = results.cell(ModelKind::Threads, 2).unwrap();
    assert_eq!(cell.samples.len(), 2);
    assert!(
        cell.timeline.is_none(),
        "{} tasks keep no timeline",
        limit + 1
    );
    assert!(cell.samples.iter().all(|s| s.timeline.is_none()));

    // Many runs: the events show at most a few timelines per cell while it measures, and
    // the finished cell keeps the median's.
    let mut many = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads], &[1]);
    many.repetitions = 12;
    let (results, events) = run(&many);
    let kept = corelab::results::timeline::TIMELINES_KEPT_WHILE_MEASURING;
    for e in &events {
        if let SweepEvent::RoundDone { cells, .. } = e {
            for c in cells {
                let with = c.samples.iter().filter(|s| s.timeline.is_some()).count();
                assert!(with <= kept, "{with} timelines while measuring");
                assert!(c.warmups.iter().all(|w| w.timeline.is_none()));
            }
        }
    }
    let cell = results.cell(ModelKind::Threads, 1).unwrap();
    assert_eq!(cell.samples.len(), 12);
    let t = cell.timeline.as_ref().expect("the median run's timeline");
    assert!(t.sample.is_some());
}

// ---- The lock-contention presets on simulated machines ----

/// A simulated machine for lock contention, with costs measured on a real one: one worker's
/// increment takes `cost(model)` seconds, and N workers, each bringing its own increments, move
/// the counter `throughput(model, N)` times as fast as one (one worker: 1). Every run's wall
/// time is added to `spent`.
fn contention_machine(
    cost: fn(ModelKind) -> f64,
    throughput: fn(ModelKind, usize) -> f64,
    spent: std::sync::Arc<std::sync::Mutex<f64>>,
) -> MockExecutors {
    MockExecutors::sized(move |model, workers, _run, task| {
        let one = task.contention.increments as f64 * cost(model);
        let wall = workers as f64 * one / throughput(model, workers);
        *spent.lock().unwrap() += wall;
        let counter = task.contention.increments * workers as u64;
        Ok(MockRun::new(wall, workers.min(16) as f64, counter))
    })
}

/// The 16-core Xeon of docs/perf/xeon16-2026-11-26/run1/lock-contention.md: a mutex increment
/// takes 19 ns on one thread (21 ns behind the emulated GIL), a file-lock increment 1.5 µs in one
/// process; N threads move the counter 0.17× (2) and 0.12× (4 to 16) as fast as one, N GIL
/// threads about 1×, N processes 0.91×, 0.49×, 0.39× and 0.33× (2, 4, 8, 16).
fn xeon_cost(model: ModelKind) -> f64 {
    match model {
        ModelKind::Processes => 1.49e-6,
        ModelKind::GilThreads => 21e-9,
        _ => 18.6e-9,
    }
}

fn xeon_throughput(model: ModelKind, workers: usize) -> f64 {
    match (model, workers) {
        (_, 1) => 1.0,
        (ModelKind::Threads, 2) => 0.17,
        (ModelKind::Threads, _) => 0.12,
        (ModelKind::Processes, 2) => 0.91,
        (ModelKind::Processes, 4) => 0.49,
        (ModelKind::Processes, 8) => 0.39,
        (ModelKind::Processes, _) => 0.33,
        _ => 1.0,
    }
}

/// A worse 16-core machine (two sockets, say): contention costs twice to three times as much.
fn slow_throughput(model: ModelKind, workers: usize) -> f64 {
    match (model, workers) {
        (ModelKind::Threads, 2..) => 0.05,
        (ModelKind::Processes, 2..) => 0.15,
        _ => xeon_throughput(model, workers),
    }
}

/// The 2-core development machine (`corelab run lock-contention` and `selftest --lessons`):
/// 4.4 ns a mutex increment, 2.0 µs a file-lock increment; two threads 0.2×, two processes
/// 0.82× one's throughput.
fn dev_cost(model: ModelKind) -> f64 {
    match model {
        ModelKind::Processes => 2.0e-6,
        _ => 4.4e-9,
    }
}

fn dev_throughput(model: ModelKind, workers: usize) -> f64 {
    match (model, workers) {
        (_, 1) => 1.0,
        (ModelKind::Threads, _) => 0.2,
        (ModelKind::Processes, _) => 0.82,
        _ => 1.0,
    }
}

/// Each lock-contention preset sized on a simulated machine: the simulated seconds of all its
/// runs (calibration trials, warm-ups, timed runs), and the results.
fn simulated_contention(
    id: &str,
    workers: &[usize],
    cost: fn(ModelKind) -> f64,
    throughput: fn(ModelKind, usize) -> f64,
) -> (f64, ResultsFile) {
    let mut exp = corelab::preset::find_builtin(id)
        .unwrap()
        .experiment()
        .unwrap();
    exp.workers = workers.to_vec();
    exp.worker_rule = None;
    let spent = std::sync::Arc::new(std::sync::Mutex::new(0.0));
    let mock = contention_machine(cost, throughput, spent.clone());
    let (results, _) = mock_run(&exp, &mock, 7);
    assert_all_ok(&results);
    let total = *spent.lock().unwrap();
    (total, results)
}

/// The teacher's finding: sized for the process pool's file lock (19 297 increments on 2
/// cores), threads finished in 0.2 ms and barely overlapped, and two threads looked 1.14× as
/// fast as one. Each preset now sizes the increments for the models it shows: the threads'
/// runs last the target, long enough to contend. And as every worker brings its own
/// increments, a run of 16 contending workers takes 16 / throughput times one worker's run:
/// on the 16-core machines simulated here both presets' runs still add up to under 40 s,
/// leaving a third of the minute to pool start-ups and the sweep's bookkeeping.
#[test]
fn the_lock_contention_presets_size_each_model_to_contend_and_fit_in_a_minute() {
    let sixteen = [1, 2, 4, 8, 16];
    for (machine, workers, cost, throughput) in [
        (
            "2 cores",
            &[1, 2][..],
            dev_cost as fn(ModelKind) -> f64,
            dev_throughput as fn(ModelKind, usize) -> f64,
        ),
        ("Xeon, 16 cores", &sixteen[..], xeon_cost, xeon_throughput),
        ("slow 16 cores", &sixteen[..], xeon_cost, slow_throughput),
    ] {
        let (threads_s, threads) =
            simulated_contention("lock-contention", workers, cost, throughput);
        let (processes_s, processes) =
            simulated_contention("lock-contention-processes", workers, cost, throughput);
        let cal = threads.calibration.as_ref().unwrap();
        assert_eq!(cal.model, Some(ModelKind::Sequential), "{machine}");
        // One thread's run lasts the target, 0.01 s (it was 0.14 ms): long enough for the
        // workers to be running at once.
        let one = threads.cell(ModelKind::Threads, 1).unwrap();
        let t1 = one.wall.as_ref().unwrap().median;
        assert!(
            (0.009..0.011).contains(&t1),
            "{machine}: threads × 1 {t1} s"
        );
        assert_eq!(
            processes.calibration.as_ref().unwrap().model,
            Some(ModelKind::Processes)
        );
        let p1 = processes.cell(ModelKind::Processes, 1).unwrap();
        let p1 = p1.wall.as_ref().unwrap().median;
        assert!(
            (0.027..0.033).contains(&p1),
            "{machine}: processes × 1 {p1} s"
        );
        // The throughput speedup is the simulated machine's, within each preset.
        let w = *workers.last().unwrap();
        let s = threads
            .cell(ModelKind::Threads, w)
            .unwrap()
            .speedup
            .unwrap();
        assert!(
            (s - throughput(ModelKind::Threads, w)).abs() < 1e-6,
            "{machine}: {s}"
        );
        assert!(
            threads_s < 40.0 && processes_s < 40.0,
            "{machine}: lock-contention's runs take {threads_s:.1} s, lock-contention-processes' {processes_s:.1} s"
        );
        eprintln!(
            "{machine}: lock-contention {threads_s:.1} s of runs, lock-contention-processes {processes_s:.1} s"
        );
    }
}

// ---- A run's costs count the threads that serve it ----

/// Voluntary switches an unrelated thread of this process makes during each run: it sleeps
/// this many times while the dispatcher waits for it.
const UNRELATED_SLEEPS: u64 = 300;

/// A real in-process executor whose every run first has an unrelated thread of this process
/// (not one of the executor's) sleep [`UNRELATED_SLEEPS`] times, the dispatcher waiting for
/// it. `names_threads: false` hides the executor's threads (an executor that cannot say), so
/// every thread of this process counts, as before runs named their threads.
struct WithBusyNeighbour {
    inner: corelab::engine::model::InProcessExecutor,
    names_threads: bool,
    neighbour: std::sync::mpsc::Sender<std::sync::mpsc::Sender<()>>,
}

impl corelab::engine::model::Executor for WithBusyNeighbour {
    fn startup(&self) -> Duration {
        self.inner.startup()
    }
    fn run(
        &mut self,
        task: &corelab::preset::TaskSpec,
        env: &corelab::engine::workload::RunEnv,
        guard: &corelab::engine::RunGuard,
    ) -> Result<corelab::engine::model::RunRecord, corelab::engine::UnitError> {
        let (done, wait) = std::sync::mpsc::channel();
        self.neighbour.send(done).unwrap();
        wait.recv().unwrap();
        self.inner.run(task, env, guard)
    }
    fn worker_pids(&self) -> Option<Vec<u32>> {
        self.inner.worker_pids()
    }
    fn threads_here(&self) -> Option<Vec<u32>> {
        self.names_threads
            .then(|| self.inner.threads_here())
            .flatten()
    }
    fn shutdown(&mut self) {
        self.inner.shutdown();
    }
}

/// Starts a [`WithBusyNeighbour`] per cell: `threads` cells name their threads, `rayon`
/// cells do not.
#[derive(Debug)]
struct BusyNeighbours {
    neighbour: std::sync::Mutex<std::sync::mpsc::Sender<std::sync::mpsc::Sender<()>>>,
}

impl BusyNeighbours {
    fn new() -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<std::sync::mpsc::Sender<()>>();
        std::thread::spawn(move || {
            for done in rx {
                for _ in 0..UNRELATED_SLEEPS {
                    std::thread::sleep(Duration::from_micros(50));
                }
                let _ = done.send(());
            }
        });
        BusyNeighbours {
            neighbour: std::sync::Mutex::new(tx),
        }
    }
}

impl corelab::engine::ExecutorFactory for BusyNeighbours {
    fn start(
        &self,
        cell: &corelab::engine::CellStart<'_>,
    ) -> Result<Box<dyn corelab::engine::model::Executor>, corelab::engine::UnitError> {
        let inner = corelab::engine::model::InProcessExecutor::new(
            cell.model,
            cell.workers,
            Duration::from_millis(5),
        )
        .map_err(corelab::engine::UnitError::Failed)?;
        Ok(Box::new(WithBusyNeighbour {
            inner,
            names_threads: cell.model == ModelKind::Threads,
            neighbour: self.neighbour.lock().unwrap().clone(),
        }))
    }
}

#[test]
fn a_runs_switches_leave_out_a_busy_thread_that_does_not_serve_it() {
    let mut exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::Threads, ModelKind::Rayon], &[2]);
    exp.repetitions = 3;
    let cfg = config().with_executors(BusyNeighbours::new());
    let results = run_sweep(&exp, &cfg, &CancelToken::new(), &mut |_| {});
    let switches = |model: ModelKind| -> Vec<u64> {
        let cell = results
            .cells
            .iter()
            .find(|c| c.model == Some(model))
            .unwrap();
        assert_eq!(cell.samples.len(), 3, "{model}: {:?}", cell.error);
        cell.samples
            .iter()
            .map(|s| s.costs.as_ref().expect("costed run").voluntary_switches)
            .collect()
    };
    // Every thread of this process read: the neighbour's sleeps count (each one a switch).
    let unnamed = switches(ModelKind::Rayon);
    assert!(
        unnamed.iter().all(|&v| v >= UNRELATED_SLEEPS),
        "{unnamed:?}"
    );
    // The dispatcher and the two team threads only: a few switches each (waiting for the
    // neighbour once, parking and waking), never the neighbour's hundreds.
    let named = switches(ModelKind::Threads);
    assert!(named.iter().all(|&v| v < UNRELATED_SLEEPS / 3), "{named:?}");
}

#[test]
fn a_file_saved_mid_sweep_reads_as_partial_like_an_interrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.json");
    let exp = five_cells();
    // Rounds of 0.225 s of runs: the only write before round 2 ends is round 1's.
    let mock = MockExecutors::textbook(0.05, 2);
    let mut cfg = mock_config(&mock, 1);
    cfg.partial_results = Some(path.clone());
    let mut checked = false;
    run_sweep(&exp, &cfg, &CancelToken::new(), &mut |e| {
        // The file written after round 1, as a kill at this moment would leave it.
        if let SweepEvent::RoundDone { round: 2, .. } = e {
            let saved = ResultsFile::load(&path).unwrap();
            assert_eq!(saved.status, RunStatus::Incomplete);
            for c in &saved.cells {
                assert_eq!(c.status, CellStatus::Cancelled, "{}", c.model_id());
                assert_eq!(c.samples.len(), 1);
                assert!(c.is_partial() && c.is_measured());
                let why = c.error.as_deref().unwrap();
                assert!(why.contains("still being measured"), "{why}");
            }
            let table = corelab::export::summary_table(&saved);
            assert_eq!(
                table.matches("cancelled after 1 run: partial").count(),
                5,
                "{table}"
            );
            // No cell completed: the verdict compares none (as for a cancelled sweep).
            assert!(corelab::analysis::verdict(&saved).is_empty());
            let mark = corelab::export::chart_model::partial_mark(&saved);
            assert_eq!(
                mark.as_deref(),
                Some("5 cells are partial: cancelled after 1 run each")
            );
            checked = true;
        }
    });
    assert!(checked);
    // The final save has every cell complete.
    let done = ResultsFile::load(&path).unwrap();
    assert_eq!(done.status, RunStatus::Complete);
    assert!(done.cells.iter().all(|c| c.status == CellStatus::Ok));
    assert!(!done.cells.iter().any(|c| c.is_partial()));
}

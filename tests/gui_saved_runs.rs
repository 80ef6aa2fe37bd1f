#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! A sweep's saved results are found again: a cancel says how many cells were measured, a
//! workbench closed mid-sweep says so at its next start with a button that opens the saved
//! cells, and Run is greyed while the configuration cannot run (egui_kittest, scripted
//! executors, results in a temporary data directory).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::gui::{Gate, MemStorage, harness, step_until, wait_for_python_probe};
use corelab::engine::mock::MockExecutors;
use corelab::gui::{AppSettings, WorkbenchApp};
use corelab::preset::Experiment;
use corelab::results::{CellResult, ResultsFile, RunStatus, Sample, WriterProcess};
use eframe::App as _;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn experiment() -> Experiment {
    common::gui::held_experiment()
}

/// Scripted executors whose runs wait at `gate` from run `held_from` on; once `stop` is set,
/// a run fails instead of being timed.
fn executors(gate: &Gate, held_from: usize, stop: &Arc<AtomicBool>) -> MockExecutors {
    let (gate, stop) = (gate.clone(), Arc::clone(stop));
    MockExecutors::new(move |model, workers, run| {
        if run >= held_from {
            gate.wait();
        }
        if stop.load(Ordering::SeqCst) {
            return Err("stopped by the test".into());
        }
        Ok(common::threads_scale(model, workers))
    })
}

fn settings(dir: &std::path::Path) -> AppSettings {
    AppSettings {
        restore_state: true,
        ..AppSettings::headless(dir)
    }
}

fn workbench(
    dir: &std::path::Path,
    mock: &MockExecutors,
    storage: Option<&MemStorage>,
) -> Harness<'static, WorkbenchApp> {
    let mut app = WorkbenchApp::new(
        common::mock_config(mock, 1),
        settings(dir),
        storage.map(|s| s as &dyn eframe::Storage),
    );
    if storage.is_none() {
        app.set_experiment(experiment());
    }
    let mut h = harness(app);
    h.step();
    wait_for_python_probe(&mut h);
    h
}

#[test]
fn a_cancel_before_any_timed_run_says_nothing_was_measured() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mock = executors(&gate, 0, &stop);
    let mut h = workbench(dir.path(), &mock, None);
    h.get_by_label("Run").click();
    h.run_steps(2);
    assert!(h.state().is_running());
    stop.store(true, Ordering::SeqCst);
    h.state_mut().cancel_run();
    gate.open();
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    let results = h.state().results().unwrap();
    assert_eq!(results.status, RunStatus::Cancelled);
    assert!(results.cells.iter().all(|c| c.samples.is_empty()));
    // Not "3 cells kept": none was measured; and nothing was saved (no file is left).
    assert!(
        h.query_by_label_contains(
            "Sweep cancelled before any run was timed: nothing measured, nothing saved."
        )
        .is_some()
    );
    assert!(h.state().results_path().is_none());
    let left: Vec<_> = std::fs::read_dir(corelab::gui::autosave::results_dir(dir.path()))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(h.query_by_label_contains("cells kept").is_none());
    // The results' header says the same (not "cancelled · 3 cells").
    assert!(
        h.query_by_label_contains("· cancelled before any run was timed")
            .is_some()
    );
}

#[test]
fn a_sweep_interrupted_by_closing_the_window_is_offered_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let stop = Arc::new(AtomicBool::new(false));
    // Round 1 at once, then held: the sweep is running, with one run of each cell saved.
    let mock = executors(&gate, 1, &stop);
    let mut h = workbench(dir.path(), &mock, None);
    h.get_by_label("Run").click();
    h.run_steps(2);
    step_until(&mut h, "round 1 to be shown", |a| {
        a.results()
            .is_some_and(|r| r.cells.len() == 3 && r.cells.iter().all(|c| c.samples.len() == 1))
    });
    // The window closes mid-sweep: eframe saves the state, then the sweep is stopped and
    // its cells saved (marked cancelled).
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    h.state_mut().cancel_run();
    gate.open();
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    let saved = h.state().results_path().unwrap().to_path_buf();

    // The next start says where those cells are, and opens them in one click.
    let mut next = workbench(dir.path(), &mock, Some(&storage));
    // Its file is read with the recent list, off the UI thread: the offer comes when it is.
    step_until(&mut next, "the interrupted run to be offered", |a| {
        a.interrupted_run().is_some()
    });
    let entry = next.state().interrupted_run().unwrap().clone();
    assert_eq!(entry.path, saved);
    assert!(entry.label.contains("held sweep"), "{}", entry.label);
    assert!(
        entry.label.contains("cancelled · 3 cells"),
        "{}",
        entry.label
    );
    assert!(next.query_by_label_contains("Interrupted run:").is_some());
    next.get_by_label("Open it").click();
    next.run();
    step_until(&mut next, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    assert_eq!(next.state().results_path(), Some(saved.as_path()));
    assert!(next.state().interrupted_run().is_none());
    assert!(next.query_by_label_contains("Interrupted run:").is_none());

    // A sweep that ended before the state was saved leaves nothing to say.
    let mut after = MemStorage::default();
    h.state_mut().save(&mut after);
    let mut quiet = workbench(dir.path(), &mock, Some(&after));
    step_until(&mut quiet, "the recent results to be read", |a| {
        !a.recent_results_reading()
    });
    assert!(!quiet.state().recent_results().is_empty());
    assert!(quiet.state().interrupted_run().is_none());
}

#[test]
fn run_is_greyed_with_no_estimate_while_the_worker_counts_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    gate.open();
    let stop = Arc::new(AtomicBool::new(false));
    let mock = executors(&gate, 0, &stop);
    let mut h = workbench(dir.path(), &mock, None);
    assert!(!h.get_by_label("Run").accesskit_node().is_disabled());
    // Sequential × 1, threads × 1 and × 2, with what they are expected to cost.
    assert!(h.query_by_label_contains("3 cells").is_some());
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("0");
    h.run();
    assert!(h.get_by_label("Run").accesskit_node().is_disabled());
    assert!(
        h.query_by_label_contains("Fix the worker counts to run")
            .is_some()
    );
    // No estimate for a sweep that cannot start.
    assert!(h.query_by_label_contains("cells, about").is_none());
    assert!(h.query_by_label_contains("time unknown").is_none());
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, 2");
    h.run();
    assert!(!h.get_by_label("Run").accesskit_node().is_disabled());
    assert!(
        h.query_by_label_contains("Fix the worker counts to run")
            .is_none()
    );
}

/// An `incomplete` results file in the autosave folder, written by the process `writer`,
/// with one cell still being measured.
fn left_file(dir: &std::path::Path, name: &str, writer: WriterProcess) -> std::path::PathBuf {
    let results_dir = corelab::gui::autosave::results_dir(dir);
    std::fs::create_dir_all(&results_dir).unwrap();
    let mut cell = CellResult {
        model: Some(corelab::preset::ModelKind::Sequential),
        workers: 1,
        samples: vec![Sample {
            wall_s: 0.5,
            ..Sample::default()
        }],
        ..CellResult::default()
    };
    cell.mark_still_measuring();
    let mut r = ResultsFile {
        status: RunStatus::Incomplete,
        started_at: "2026-11-27T10:49:14Z".into(),
        experiment: experiment(),
        cells: vec![cell],
        writer: Some(writer),
        ..ResultsFile::default()
    };
    r.recompute();
    let path = results_dir.join(name);
    r.save(&path).unwrap();
    path
}

/// A process that has exited, as recorded while it ran.
fn gone_process() -> WriterProcess {
    let mut child = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    let pid = child.id();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let started_ticks = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .nth(19)
        .and_then(|t| t.parse().ok());
    child.kill().unwrap();
    child.wait().unwrap();
    WriterProcess { pid, started_ticks }
}

#[test]
fn a_sweep_left_by_a_killed_workbench_is_offered_once_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let killed = left_file(
        dir.path(),
        "2026-11-27T10-49-14Z_held-sweep-1.json",
        gone_process(),
    );
    // A sweep still being written by a live process (this one) is not offered.
    left_file(
        dir.path(),
        "2026-11-27T11-00-00Z_held-sweep-2.json",
        WriterProcess::this(),
    );
    let gate = Gate::default();
    gate.open();
    let stop = Arc::new(AtomicBool::new(false));
    let mock = executors(&gate, 0, &stop);
    // No state was saved (the workbench was killed): the folder alone tells.
    let mut h = workbench(dir.path(), &mock, None);
    step_until(&mut h, "the killed run to be offered", |a| {
        a.interrupted_run().is_some()
    });
    assert_eq!(h.state().interrupted_run().unwrap().path, killed);
    h.run();
    assert!(
        h.query_by_label_contains(
            "a sweep was still running when its workbench was killed or crashed; what it measured was saved, last at 20"
        )
        .is_some()
    );
    // When the sweep started, from the file.
    assert!(
        h.query_by_label_contains("2026-11-27 10:49:14 UTC")
            .is_some()
    );
    h.get_by_label("Open it").click();
    h.run();
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    assert_eq!(h.state().results_path(), Some(killed.as_path()));
    // It reads as partial: its cell was still being measured.
    assert!(h.state().results().unwrap().cells[0].is_partial());

    // Offered once: a start after a clean exit does not offer it again.
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    let mut next = workbench(dir.path(), &mock, Some(&storage));
    step_until(&mut next, "the recent results to be read", |a| {
        !a.recent_results_reading() && !a.recent_results().is_empty()
    });
    next.run();
    assert!(next.state().interrupted_run().is_none());
    assert!(next.query_by_label_contains("Interrupted run:").is_none());
}

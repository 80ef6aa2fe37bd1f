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

#[test]
fn a_sweep_left_by_a_killed_workbench_is_offered_once_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let killed = left_file(
        dir.path(),
        "2026-11-27T10-49-14Z_held-sweep-1.json",
        common::gone_process(),
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

/// The `corelab-rescued-*.json` files in `dir`.
fn rescued_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(corelab::results::RESCUED_PREFIX)
        })
        .collect();
    files.sort();
    files
}

/// A workbench whose data directory is a file (so nothing can be autosaved), its rescues going
/// to `dir/tmp`, with a sweep running that has round 1 shown and is held at `gate` after.
fn unsaveable_sweep(
    dir: &std::path::Path,
    gate: &Gate,
    stop: &Arc<AtomicBool>,
) -> (Harness<'static, WorkbenchApp>, std::path::PathBuf) {
    let data = dir.join("data-is-a-file");
    std::fs::write(&data, "x").unwrap();
    let rescue = dir.join("tmp");
    std::fs::create_dir(&rescue).unwrap();
    let mock = executors(gate, 1, stop);
    let mut h = workbench(&data, &mock, None);
    h.state_mut().set_rescue_dir(&rescue);
    h.get_by_label("Run").click();
    h.run_steps(2);
    step_until(&mut h, "round 1 to be shown", |a| {
        a.results()
            .is_some_and(|r| r.cells.len() == 3 && r.cells.iter().all(|c| c.samples.len() == 1))
    });
    (h, rescue)
}

#[test]
fn a_sweep_that_cannot_be_autosaved_says_so_while_it_runs_and_is_rescued_when_the_window_closes() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (mut h, rescue) = unsaveable_sweep(dir.path(), &gate, &stop);
    assert!(h.state().is_running());
    // Said at once, and kept in the status bar while the sweep runs (not only at close).
    let badge = h.get_by_label("Not autosaved");
    badge.hover();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("saved to the temporary directory")
            .is_some(),
        "the badge's hover says where the runs go"
    );
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|m| m.is_error && m.text.starts_with("Results will not be autosaved")),
        "{:?}",
        h.state().messages()
    );
    assert!(
        rescued_in(&rescue).is_empty(),
        "nothing rescued before the end"
    );
    // The window closes mid-sweep: the sweep is stopped and what it measured is saved to
    // the temporary directory.
    gate.open();
    h.state_mut().on_exit(None);
    assert!(!h.state().is_running());
    let rescued = rescued_in(&rescue);
    assert_eq!(rescued.len(), 1, "{rescued:?}");
    let kept = ResultsFile::load(&rescued[0]).unwrap();
    assert_eq!(corelab::gui::autosave::measured_cells(&kept), 3);
    assert_eq!(kept.experiment.name, experiment().name);
    assert!(
        h.state().messages().iter().any(|m| m.is_error
            && m.text
                .starts_with("Not autosaved: the autosave file could not be made (")
            && m.text.ends_with(&format!(
                "the 3 measured cells were saved to {} instead.",
                rescued[0].display()
            ))),
        "{:?}",
        h.state().messages()
    );
    assert_eq!(h.state().results_path(), Some(rescued[0].as_path()));
}

#[test]
fn a_sweep_that_does_not_stop_in_time_as_the_window_closes_has_its_runs_so_far_rescued() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (mut h, rescue) = unsaveable_sweep(dir.path(), &gate, &stop);
    // Held at the gate, the sweep cannot stop within the close's wait: the cells shown are
    // what is rescued.
    h.state_mut().on_exit(None);
    let rescued = rescued_in(&rescue);
    assert_eq!(rescued.len(), 1, "{rescued:?}");
    let kept = ResultsFile::load(&rescued[0]).unwrap();
    assert_eq!(kept.cells.len(), 3);
    assert!(kept.cells.iter().all(|c| c.samples.len() == 1));
    // A cancelled run, its cells partial (more runs were to come), never a finished one.
    assert_eq!(kept.status, corelab::results::RunStatus::Cancelled);
    assert!(kept.finished_at.is_some());
    assert!(
        kept.cells.iter().all(|c| c.is_partial()),
        "{:?}",
        kept.cells
    );
    stop.store(true, Ordering::SeqCst);
    gate.open();
}

#[test]
fn results_that_cannot_be_rescued_either_stay_marked_as_stored_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (mut h, rescue) = unsaveable_sweep(dir.path(), &gate, &stop);
    // The temporary directory cannot take a file either.
    std::fs::remove_dir(&rescue).unwrap();
    std::fs::write(&rescue, "").unwrap();
    gate.open();
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    assert!(h.state().results_path().is_none());
    assert!(
        h.state().messages().iter().any(|m| m.is_error
            && m.text
                .starts_with("Not saved: the autosave file could not be made (")
            && m.text
                .contains("nor could the 3 measured cells be saved to the temporary directory")),
        "{:?}",
        h.state().messages()
    );
    assert!(h.query_by_label("Not saved").is_some());
    assert!(h.query_by_label("Not autosaved").is_none());
    // Once the temporary directory takes files again, closing the window rescues them.
    std::fs::remove_file(&rescue).unwrap();
    std::fs::create_dir(&rescue).unwrap();
    h.state_mut().on_exit(None);
    assert_eq!(rescued_in(&rescue).len(), 1);
}

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Running and cancelling sweeps from the workbench (egui_kittest, no display). The worker
//! processes are the real `corelab worker`; results go to a temporary data directory.

mod common;

use common::gui::{Gate, app, harness, held_sweep, step_until};
use common::{exclusive, live_children};

use corelab::engine::sweep_plan;
use corelab::gui::WorkbenchApp;
use corelab::preset::{Baseline, Experiment, IoMode, ModelKind, TaskKind};
use corelab::results::{CellStatus, ResultsFile, RunStatus};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A workbench on `exp`, drawn once.
fn harness_with(data_dir: &std::path::Path, exp: Experiment) -> Harness<'static, WorkbenchApp> {
    let mut app = app(data_dir);
    app.set_experiment(exp);
    let mut h = harness(app);
    h.step();
    h
}

/// Live `corelab worker` children of this test process.
fn worker_children() -> Vec<u32> {
    live_children()
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains("worker"))
        })
        .collect()
}

#[test]
fn run_fills_the_results_table_and_autosaves() {
    let _serial = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut exp = Experiment {
        name: "tiny cpu sweep".into(),
        workers: vec![1, 2],
        models: vec![
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::Processes,
        ],
        repetitions: 1,
        warmups: 0,
        ..Experiment::default()
    };
    exp.task.kind = TaskKind::Cpu;
    exp.task.tasks = 8;
    exp.task.cpu.size = 20_000;
    exp.validate().unwrap();
    let plan = sweep_plan(&exp);
    let mut h = harness_with(dir.path(), exp.clone());

    h.get_by_label("Results table").click();
    h.get_by_label("Run").click();
    // A running sweep keeps repainting (progress), so step instead of `run`.
    h.run_steps(2);
    // (The tiny sweep may already be done here, so only its end is awaited.)
    step_until(&mut h, "the sweep to finish", |a| {
        !a.is_running() && a.results().is_some()
    });

    for (model, workers) in &plan {
        let row = format!("{model} × {workers}");
        assert!(h.query_by_label(&row).is_some(), "row {row} in the table");
    }
    let results = h.state().results().expect("results are shown");
    assert_eq!(results.status, RunStatus::Complete);
    assert_eq!(results.cells.len(), plan.len());
    assert!(results.cells.iter().all(|c| c.status == CellStatus::Ok));
    assert!(
        h.state().messages().iter().all(|m| !m.is_error),
        "no errors: {:?}",
        h.state().messages()
    );

    // Autosaved, complete, listed under Recent results, and it loads.
    let saved = h.state().results_path().expect("autosaved").to_path_buf();
    assert!(saved.starts_with(dir.path()));
    let reloaded = ResultsFile::load(&saved).unwrap();
    assert_eq!(reloaded.status, RunStatus::Complete);
    assert_eq!(reloaded.cells.len(), plan.len());
    // Provenance: run from the workbench, by this build.
    assert_eq!(reloaded.provenance.command.as_deref(), Some("workbench"));
    assert!(reloaded.provenance.commit.is_some());
    // The list is read again off the UI thread, and then holds the new file.
    step_until(&mut h, "the recent results to be read again", |a| {
        !a.recent_results_reading()
    });
    assert_eq!(h.state().recent_results(), &[saved]);
}

#[test]
fn cancel_stops_the_sweep_and_its_worker_processes() {
    let _serial = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut exp = Experiment {
        name: "long io sweep".into(),
        workers: vec![2, 4],
        models: vec![ModelKind::Processes],
        baseline: Baseline::SameModelOneWorker,
        // Runs of 0.2-0.4 s, far more of them than the test waits for: cancelled mid-sweep,
        // after a timed run (a sweep cancelled before any is not saved: gui_saved_runs.rs).
        repetitions: 100,
        warmups: 0,
        ..Experiment::default()
    };
    exp.task.kind = TaskKind::Io;
    exp.task.tasks = 16;
    exp.task.io.mode = IoMode::Sleep;
    exp.task.io.sleep_ms = 50.0;
    exp.validate().unwrap();
    let mut h = harness_with(dir.path(), exp);

    h.get_by_label("Run").click();
    // A running sweep keeps repainting (progress), so step instead of `run`.
    h.run_steps(2);
    assert!(h.state().is_running());
    step_until(&mut h, "worker processes to start", |_| {
        !worker_children().is_empty()
    });
    step_until(&mut h, "a timed run to be shown", |a| {
        a.results()
            .is_some_and(|r| r.cells.iter().any(|c| !c.samples.is_empty()))
    });
    assert!(h.state().is_running(), "cancelled mid-sweep");

    h.get_by_label("Cancel").click();
    h.run_steps(2);
    step_until(&mut h, "the sweep to stop", |a| !a.is_running());

    let left = worker_children();
    assert!(left.is_empty(), "worker processes left behind: {left:?}");
    let results = h
        .state()
        .results()
        .expect("the cancelled sweep's results are shown");
    assert_eq!(results.status, RunStatus::Cancelled);
    // Cancelled results are kept on disk too.
    let saved = h.state().results_path().expect("autosaved").to_path_buf();
    assert_eq!(
        ResultsFile::load(&saved).unwrap().status,
        RunStatus::Cancelled
    );
    assert!(
        h.query_by_label_contains("Sweep cancelled").is_some(),
        "the UI says it was cancelled"
    );
}

#[test]
fn a_failed_cell_is_reported_in_the_ui() {
    let _serial = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let mut exp = Experiment {
        name: "runs past their timeout".into(),
        workers: vec![1],
        models: vec![ModelKind::Threads],
        baseline: Baseline::SameModelOneWorker,
        repetitions: 1,
        warmups: 0,
        timeout_s: 0.05,
        ..Experiment::default()
    };
    // A program that outlasts the timeout: a run nobody can foresee is too long (sleeps
    // known to outlast it are refused before the sweep, see `engine::task_preflight`).
    exp.task.kind = TaskKind::Command;
    exp.task.tasks = 1;
    exp.task.command.argv = vec!["sleep".into(), "5".into()];
    exp.validate().unwrap();
    let mut h = harness_with(dir.path(), exp);

    h.get_by_label("Results table").click();
    h.get_by_label("Run").click();
    h.run_steps(2);
    step_until(&mut h, "the sweep to finish", |a| {
        !a.is_running() && a.results().is_some()
    });

    let results = h.state().results().unwrap();
    assert_eq!(results.cells.len(), 1);
    assert_eq!(results.cells[0].status, CellStatus::Failed);
    assert!(
        h.query_by_label_contains("threads × 1 failed:").is_some(),
        "the failure is announced: {:?}",
        h.state().messages()
    );
    assert!(
        h.query_by_label("failed").is_some(),
        "the table marks the cell"
    );
    // In the message area and in the table's note column (the visible texts)...
    let reason = "took longer than the 0.05 s timeout";
    assert_eq!(
        h.query_all_by(|n| n.role() == eframe::egui::Role::Label
            && n.value().is_some_and(|v| v.contains(reason)))
            .count(),
        2,
        "the reason is readable where the failure is shown"
    );
    // ...and in the row's keyboard stop, which names the whole row for a screen reader.
    h.get_by(|n| {
        n.role() == eframe::egui::Role::Row
            && n.label().is_some_and(|l| {
                l.starts_with("threads × 1: failed") && l.contains("note: ") && l.contains(reason)
            })
    });
}

/// With interleaved rounds no cell completes before the last round, so the workbench plots
/// every round's results as they come: after round 1 each curve has its first point, refined
/// later. Scripted executors hold the sweep in round 2 until the test has looked.
#[test]
fn curves_fill_in_round_by_round() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let mut h = held_sweep(dir.path(), &gate);
    let plan = sweep_plan(&h.state().experiment().clone());
    h.get_by_label("Results table").click();
    h.get_by_label("Run").click();
    h.run_steps(2);

    step_until(&mut h, "round 1 to be shown", |a| {
        a.results().is_some_and(|r| {
            r.cells.len() == plan.len() && r.cells.iter().all(|c| c.samples.len() == 1)
        })
    });
    assert!(h.state().is_running(), "the sweep is held in round 2");
    let shown = h.state().results().unwrap();
    let threads2 = shown.cell(ModelKind::Threads, 2).unwrap();
    assert_eq!(threads2.speedup, Some(2.0), "a first point on the curve");
    for (model, workers) in &plan {
        let row = format!("{model} × {workers}");
        assert!(h.query_by_label(&row).is_some(), "row {row} in the table");
    }
    assert!(
        h.query_by_label_contains(" / 9 runs").is_some(),
        "the progress bar is shown"
    );

    gate.open();
    step_until(&mut h, "the sweep to finish", |a| {
        !a.is_running() && a.results().is_some_and(|r| r.status == RunStatus::Complete)
    });
    let results = h.state().results().unwrap();
    assert!(results.cells.iter().all(|c| c.samples.len() == 3));
    assert_eq!(results.shuffle_seed, Some(1));
}

#[test]
fn the_run_row_says_what_the_sweep_will_cost_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    // 10 sleeps of 50 ms, sequential and threads × 2: 0.5 s and 0.25 s a run, 3 runs each
    // (no warm-up, no minimum time): about 2 s, said next to Run.
    let mut exp = Experiment {
        name: "sleeps".into(),
        workers: vec![2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 3,
        warmups: 0,
        min_time_s: 0.0,
        precision: 0.0,
        ..Experiment::default()
    };
    exp.task.kind = TaskKind::Io;
    exp.task.io.mode = IoMode::Sleep;
    exp.task.tasks = 10;
    exp.task.io.sleep_ms = 50.0;
    exp.validate().unwrap();
    let mut h = harness_with(dir.path(), exp.clone());
    assert!(h.query_by_label("2 cells, about 2 s").is_some());

    // Edited to 20 repetitions, it says so at once: 15 s.
    let mut longer = exp.clone();
    longer.repetitions = 20;
    h.state_mut().set_experiment(longer);
    h.step();
    assert!(h.query_by_label("2 cells, about 15 s").is_some());

    // A task sized in work units has no length before it runs, and says so.
    let mut units = exp;
    units.task.kind = TaskKind::Cpu;
    units.target_run_s = 0.0;
    h.state_mut().set_experiment(units);
    h.step();
    assert!(
        h.query_by_label_contains("2 cells; time unknown until it runs")
            .is_some()
    );
}

/// A data directory that cannot be made (`XDG_DATA_HOME` names a file, a read-only home):
/// the sweep still runs and its results are shown, and the notice that they were not
/// autosaved survives the start of the run (which clears the last sweep's errors).
#[test]
fn a_data_directory_that_cannot_be_made_is_said_once_the_run_has_started() {
    let _serial = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("data-is-a-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let mut exp = Experiment {
        name: "not autosaved".into(),
        workers: vec![1],
        models: vec![ModelKind::Sequential],
        repetitions: 1,
        warmups: 0,
        ..Experiment::default()
    };
    exp.task.kind = TaskKind::Cpu;
    exp.task.tasks = 4;
    exp.task.cpu.size = 10_000;
    exp.validate().unwrap();
    let rescue = dir.path().join("tmp");
    std::fs::create_dir(&rescue).unwrap();
    let mut h = harness_with(&not_a_dir, exp);
    h.state_mut().set_rescue_dir(&rescue);
    let said = |h: &Harness<'static, WorkbenchApp>, start: &str| {
        h.state()
            .messages()
            .iter()
            .filter(|m| m.is_error && m.text.starts_with(start))
            .count()
    };
    assert_eq!(
        said(&h, "Results cannot be autosaved"),
        1,
        "{:?}",
        h.state().messages()
    );
    h.get_by_label("Run").click();
    h.run_steps(2);
    step_until(&mut h, "the sweep to finish", |a| {
        !a.is_running() && a.results().is_some()
    });
    assert_eq!(
        said(&h, "Results will not be autosaved: cannot create a file in"),
        1,
        "{:?}",
        h.state().messages()
    );
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|m| m.text.contains("Save results as")),
        "{:?}",
        h.state().messages()
    );
    // What it measured went to the temporary directory instead, named in an error.
    let rescued: Vec<std::path::PathBuf> = std::fs::read_dir(&rescue)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(rescued.len(), 1, "{rescued:?}");
    assert_eq!(h.state().results_path(), Some(rescued[0].as_path()));
    assert_eq!(ResultsFile::load(&rescued[0]).unwrap().cells.len(), 1);
    assert_eq!(
        said(
            &h,
            "Not autosaved: the autosave file could not be made (cannot create"
        ),
        1,
        "{:?}",
        h.state().messages()
    );
    let results = h.state().results().expect("results are shown");
    assert_eq!(results.status, RunStatus::Complete);
    assert_eq!(results.cells.len(), 1);
    assert!(
        std::fs::read(&not_a_dir).unwrap() == b"x",
        "the file is left alone"
    );
}

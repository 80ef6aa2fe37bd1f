#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench's charts mark the cells of an interrupted sweep as partial.

mod common;

use common::gui::{Gate, app, harness, held_sweep, started, step_until, until_round_one};
use common::synthetic::doublings;

use corelab::export::chart_model::interrupted_sweep;
use corelab::results::{CellStatus, ResultsFile, RunStatus};
use egui_kittest::kittest::{NodeT, Queryable};

/// The labels starting with `prefix` on the shown tab after `results` are loaded.
fn labels_starting(results: Option<&ResultsFile>, prefix: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let h = match results {
        Some(r) => {
            let path = dir.path().join("c.json");
            r.save(&path).unwrap();
            let options = corelab::gui::GuiOptions {
                results: Some(path),
                ..Default::default()
            };
            started(dir.path(), &options, 0)
        }
        None => {
            let mut h = harness(app(dir.path()));
            h.step();
            h.run();
            h
        }
    };
    h.query_all_by(|n| {
        n.label()
            .or_else(|| n.value())
            .is_some_and(|l| l.starts_with(prefix))
    })
    .map(|n| {
        let node = n.accesskit_node();
        node.label().or_else(|| node.value()).unwrap_or_default()
    })
    .collect()
}

#[test]
fn an_interrupted_sweeps_chart_says_its_hollow_markers_are_partial_cells() {
    let labels = labels_starting(Some(&interrupted_sweep()), "· Hollow markers");
    // The wrapped line is one label (accesskit also lists its first text run on its own).
    let note = "· Hollow markers in a ring: 1 cell is partial: cancelled after 3 runs (interrupted sweep).";
    assert!(labels.iter().any(|l| l == note), "{labels:?}");
}

#[test]
fn a_complete_sweeps_chart_has_no_partial_note() {
    let mut r = interrupted_sweep();
    r.cells[2].status = CellStatus::Ok;
    r.status = RunStatus::Complete;
    r.recompute();
    assert!(labels_starting(Some(&r), "· Hollow markers").is_empty());
}

/// Whether the box labelled `label` is ticked.
fn ticked(h: &egui_kittest::Harness<'static, corelab::gui::WorkbenchApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().toggled() == Some(eframe::egui::accesskit::Toggled::True)
}

/// A sweep of 1 to 64 workers: the worker axis starts log₂, and a log speedup axis is offered
/// beside it, on by itself as in the exports (the speedups span 8 times: 1 to 8) until the
/// user sets it; on a linear worker axis it is not offered.
#[test]
fn a_log_speedup_axis_is_offered_with_a_log_worker_axis_and_follows_the_exports_rule() {
    let dir = tempfile::tempdir().unwrap();
    let r = doublings(|n| n.sqrt());
    let path = dir.path().join("wide.json");
    r.save(&path).unwrap();
    let options = corelab::gui::GuiOptions {
        results: Some(path),
        ..Default::default()
    };
    let mut h = started(dir.path(), &options, 0);
    assert!(
        ticked(&h, "log₂ workers"),
        "1 to 64 workers: log₂ by default"
    );
    assert!(
        ticked(&h, "log speedup"),
        "speedups spanning 8 times: log, as the export draws them"
    );
    h.get_by_label("log speedup").click();
    h.run();
    assert!(!ticked(&h, "log speedup"), "the user's choice is kept");
    h.run();
    assert!(!ticked(&h, "log speedup"));
    // Back to a linear worker axis: the log speedup box goes with it.
    h.get_by_label("log₂ workers").click();
    h.run();
    assert!(h.query_by_label("log speedup").is_none());
}

/// A [`held_sweep`] in `dir`, started: its round 1 shown, every cell with 1 of its 3 runs,
/// and round 2 held at `gate`.
fn held_in_round_two(
    dir: &std::path::Path,
    gate: &Gate,
) -> egui_kittest::Harness<'static, corelab::gui::WorkbenchApp> {
    let mut h = held_sweep(dir, gate);
    h.get_by_label("Run").click();
    h.run_steps(2);
    until_round_one(&mut h);
    h
}

/// While a sweep runs, the cells measured so far are drawn hollow in a ring (the caption says
/// they are still being measured); once they complete, the note goes and they are solid.
/// Scripted executors hold the sweep in round 2, every cell with 1 of its 3 runs.
#[test]
fn cells_still_being_measured_are_marked_until_the_sweep_completes_them() {
    let gate = Gate::default();
    let dir = tempfile::tempdir().unwrap();
    let mut h = held_in_round_two(dir.path(), &gate);
    h.run_steps(2);
    assert!(h.state().is_running(), "the sweep is held in round 2");
    let note = "· Hollow markers in a ring: 3 cells are still being measured; solid once complete.";
    assert!(h.query_by_label(note).is_some(), "the live note is shown");

    gate.open();
    step_until(&mut h, "the sweep to finish", |a| {
        !a.is_running() && a.results().is_some_and(|r| r.status == RunStatus::Complete)
    });
    h.run_steps(2);
    assert!(h.query_by_label(note).is_none(), "complete: solid again");
    assert!(
        h.query_by_label_contains("still being measured").is_none(),
        "no cell is being measured"
    );
}

/// While a sweep runs, the Table tab's status column says a cell is being measured (as the
/// charts' hollow markers do), with its runs so far, not `ok`; its row is read so too. Once
/// the sweep completes the cells, they say `ok`. Scripted executors hold the sweep in round
/// 2, every cell with 1 of its 3 runs.
#[test]
fn the_table_says_a_cell_is_being_measured_until_the_sweep_completes_it() {
    use eframe::egui::accesskit::Role;
    use eframe::egui::{Key, Modifiers};
    let gate = Gate::default();
    let dir = tempfile::tempdir().unwrap();
    let mut h = held_in_round_two(dir.path(), &gate);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    h.run_steps(2);
    assert!(h.state().is_running(), "the sweep is held in round 2");
    assert_eq!(
        h.query_all_by_label("measuring: 1 run so far").count(),
        3,
        "every cell's status says it is being measured"
    );
    assert!(h.query_by_label("ok").is_none(), "no cell says ok yet");
    let rows: Vec<String> = h
        .get_all_by_role(Role::Row)
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].starts_with("sequential × 1: measuring: 1 run so far; median "),
        "{rows:?}"
    );

    gate.open();
    step_until(&mut h, "the sweep to finish", |a| {
        !a.is_running() && a.results().is_some_and(|r| r.status == RunStatus::Complete)
    });
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("measuring:").is_none(),
        "complete"
    );
    assert_eq!(h.query_all_by_label("ok").count(), 3);
    let rows: Vec<String> = h
        .get_all_by_role(Role::Row)
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert!(
        rows[0].starts_with("sequential × 1: ok, 3 runs; "),
        "{rows:?}"
    );
}

/// The Lost updates tab during its own sweep, before any run has counted: it says the chart
/// waits for the sweep's first runs, not that these results have none and to open the
/// preset and press Run (which is what is happening). Once the sweep has ended with no run
/// that counted, it says so.
#[test]
fn the_lost_updates_tab_waits_for_its_own_sweeps_first_runs() {
    let gate = Gate::default();
    let dir = tempfile::tempdir().unwrap();
    // Every run held at the gate: the sweep runs with no cell yet.
    let mut h = common::gui::gated_sweep(dir.path(), &gate, |_| true);
    let mut exp = common::gui::held_experiment();
    exp.task.kind = corelab::preset::TaskKind::Contention;
    h.state_mut().set_experiment(exp);
    h.run();
    h.get_by_label("Run").click();
    h.run_steps(2);
    h.state_mut().set_tab(corelab::gui::Tab::LostUpdates);
    h.run_steps(2);
    assert!(h.state().is_running(), "held at the gate");
    let waiting = "Waiting for the sweep's first runs: the lost-updates chart is drawn once a run has counted its lost updates.";
    assert!(h.query_by_label(waiting).is_some(), "the tab waits");
    assert!(
        h.query_by_label_contains("No lost-updates chart").is_none()
            && h.query_by_label_contains("open the lost-updates preset")
                .is_none(),
        "no call to do what is being done"
    );
    gate.open();
    step_until(&mut h, "the sweep to finish", |a| !a.is_running());
    h.state_mut().set_tab(corelab::gui::Tab::LostUpdates);
    h.run_steps(2);
    assert!(h.query_by_label(waiting).is_none(), "the sweep has ended");
    // The scripted runs counted nothing: that is what the finished results are told.
    assert!(
        h.query_by_label_contains(
            "No lost-updates chart for these results: no cell has a run that counted"
        )
        .is_some()
    );
}

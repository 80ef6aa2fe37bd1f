#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench by keyboard alone and through a screen reader's view (egui_kittest reads
//! the AccessKit tree a screen reader gets): what Escape does, where focus goes, what the
//! controls, charts, table rows and messages are called, and the shortcuts to the tabs.

mod common;

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::gui::{app, harness, step_until, two_cell_results, wait_for_python_probe};
use common::mock_config;

use corelab::engine::mock::{MockExecutors, MockRun};
use corelab::gui::{AppSettings, WorkbenchApp};
use corelab::preset::{Experiment, ModelKind};
use eframe::egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Opens a gate the scripted runs wait at (at most a minute, so a failed test cannot hang).
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap();
        let _ = changed
            .wait_timeout_while(guard, Duration::from_secs(60), |o| !*o)
            .unwrap();
    }

    fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }
}

/// A workbench whose sweeps run scripted executors: round 1 at once, round 2 held at `gate`
/// (so a test can look at a running sweep that has results to show).
fn held_sweep(dir: &Path, gate: &Gate) -> Harness<'static, WorkbenchApp> {
    let held = gate.clone();
    let mock = MockExecutors::new(move |model, workers, run| {
        if run == 1 {
            held.wait();
        }
        let cores = if model == ModelKind::Threads {
            workers
        } else {
            1
        };
        Ok(MockRun::new(0.2 / cores as f64, cores as f64, 42))
    });
    let exp = Experiment {
        name: "held sweep".into(),
        workers: vec![1, 2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 3,
        warmups: 0,
        ..Experiment::default()
    };
    exp.validate().unwrap();
    let mut a = WorkbenchApp::new(mock_config(&mock, 1), AppSettings::headless(dir), None);
    a.set_experiment(exp);
    let mut h = harness(a);
    h.step();
    wait_for_python_probe(&mut h);
    h
}

/// Steps until round 1 of the held sweep is shown (the sweep then waits in round 2).
fn until_round_one(h: &mut Harness<'_, WorkbenchApp>) {
    step_until(h, "round 1 to be shown", |a| {
        a.results()
            .is_some_and(|r| r.cells.len() == 3 && r.cells.iter().all(|c| c.samples.len() == 1))
    });
}

fn focused(h: &Harness<'_, WorkbenchApp>, label: &str) -> bool {
    h.get_by_label(label).is_focused()
}

#[test]
fn escape_closes_a_menu_prompt_or_dialog_before_it_cancels_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let mut h = held_sweep(dir.path(), &gate);
    h.get_by_label("Run").click();
    h.run_steps(2);
    until_round_one(&mut h);
    assert!(h.state().is_running());

    // A menu: Escape closes it, the sweep goes on.
    h.get_by_label("Recent results").click();
    h.run_steps(2);
    assert!(h.query_by_label("No saved results yet.").is_some(), "open");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_label("No saved results yet.").is_none(),
        "closed"
    );
    assert!(h.state().is_running(), "Escape in a menu cancels nothing");

    // The path prompt, its field focused: Escape closes it.
    h.get_by_label("Type a path").click();
    h.run_steps(2);
    h.get_by_label("Open results by path…").click();
    h.run_steps(2);
    assert!(focused(&h, "File path:"), "the prompt's field takes focus");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_label("File path:").is_none(),
        "the prompt closed"
    );
    assert!(h.state().is_running());

    // The export dialog, typing in its title: Escape closes the dialog.
    h.key_press_modifiers(Modifiers::COMMAND, Key::E);
    h.run_steps(2);
    assert!(h.state_mut().export_dialog_mut().is_open());
    h.get_by_label("Title").focus();
    h.run_steps(2);
    assert!(focused(&h, "Title"));
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(!h.state_mut().export_dialog_mut().is_open());
    assert!(h.state().is_running());

    // Nothing open: Escape cancels.
    h.key_press(Key::Escape);
    h.run_steps(2);
    gate.open();
    step_until(&mut h, "the sweep to stop", |a| !a.is_running());
    assert_eq!(
        h.state().results().unwrap().status,
        corelab::results::RunStatus::Cancelled
    );
}

#[test]
fn focus_moves_to_cancel_when_a_run_starts_and_back_to_run_when_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let mut h = held_sweep(dir.path(), &gate);
    h.get_by_label("Run").focus();
    h.run();
    assert!(focused(&h, "Run"));
    h.key_press(Key::Enter);
    h.run_steps(2);
    assert!(h.state().is_running());
    assert!(focused(&h, "Cancel"), "Run is disabled: focus is on Cancel");
    until_round_one(&mut h);
    // Enter on Cancel stops the sweep; focus comes back to Run at the end.
    h.key_press(Key::Enter);
    h.run_steps(2);
    gate.open();
    step_until(&mut h, "the sweep to stop", |a| !a.is_running());
    h.run_steps(2);
    assert!(focused(&h, "Run"), "back on Run once the sweep ended");
}

#[test]
fn a_run_started_from_a_field_does_not_take_its_focus_to_the_run_controls() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    gate.open();
    let mut h = held_sweep(dir.path(), &gate);
    h.get_by_label("Name").focus();
    h.run();
    assert!(focused(&h, "Name"));
    h.key_press(Key::F5);
    h.run_steps(2);
    assert!(!focused(&h, "Cancel"));
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    h.run_steps(2);
    assert!(!focused(&h, "Run"));
}

#[test]
fn the_path_prompt_gives_focus_back_to_the_menu_that_opened_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    h.get_by_label("Type a path").click();
    h.run();
    // The menu says what each entry opens.
    for entry in [
        "Open a preset by path…",
        "Open results by path…",
        "Compare with results by path…",
    ] {
        h.get_by_label(entry);
    }
    h.get_by_label("Open a preset by path…").click();
    h.run();
    assert!(
        h.query_by_label("Open preset").is_some(),
        "the prompt's title"
    );
    assert!(focused(&h, "File path:"));
    h.key_press(Key::Escape);
    h.run();
    assert!(h.query_by_label("File path:").is_none());
    assert!(focused(&h, "Type a path"));
}

#[test]
fn opening_results_from_the_typed_path_menu_goes_through_the_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.json");
    two_cell_results(Experiment {
        name: "Typed".into(),
        ..Experiment::default()
    })
    .save(&path)
    .unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    h.get_by_label("Type a path").click();
    h.run();
    h.get_by_label("Open results by path…").click();
    h.run();
    assert!(h.query_by_label("Open results").is_some());
    h.get_by_label("File path:")
        .set_text_value_accesskit(path.to_str().unwrap());
    h.run();
    h.get_by_label("Open").click();
    h.step();
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some_and(|r| r.experiment.name == "Typed")
    });
}

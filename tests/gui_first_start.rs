#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The first minute: a workbench with no saved state opens on the "start here" preset with a
//! one-line hint on what to look at; once dismissed, the hint never comes back.

mod common;

use common::gui::{MemStorage, app, harness, persistent_app, step_until};
use corelab::gui::WorkbenchApp;
use corelab::gui::app::START_HINT;
use corelab::gui::editing::Source;
use corelab::gui::state::{Persisted, STORAGE_KEY};
use corelab::preset::{START_HERE, find_builtin};
use eframe::{App as _, Storage as _};
use egui_kittest::kittest::{NodeT, Queryable};

/// A workbench that restores and saves its state (as the real window does).
fn start_here() -> corelab::preset::Experiment {
    find_builtin(START_HERE).unwrap().experiment().unwrap()
}

#[test]
fn a_first_start_opens_on_start_here_with_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(persistent_app(dir.path(), None));
    h.run();
    assert_eq!(h.state().experiment(), &start_here());
    assert_eq!(
        h.state().origin().map(|o| o.source.clone()),
        Some(Source::Builtin(START_HERE.to_string()))
    );
    assert!(h.state().start_hint_shown());
    assert!(h.query_by_label(START_HINT).is_some(), "the hint is drawn");
    assert!(h.query_by_label("Dismiss").is_some());
    // The preset's own description says what it shows.
    assert!(
        start_here()
            .description
            .contains("that flat line is the GIL")
    );
}

#[test]
fn dismissing_hides_the_hint_and_a_restored_state_keeps_it_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(persistent_app(dir.path(), None));
    h.run();
    h.get_by_label("Dismiss").click();
    h.run();
    assert!(!h.state().start_hint_shown());
    assert!(h.query_by_label(START_HINT).is_none(), "gone at once");

    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    let saved = Persisted::from_json(&storage.get_string(STORAGE_KEY).unwrap()).unwrap();
    assert!(saved.start_hint_dismissed);

    // The next start restores the same "start here" configuration, without the hint.
    let mut again = harness(persistent_app(dir.path(), Some(&storage)));
    again.run();
    assert_eq!(again.state().experiment(), &start_here());
    assert!(!again.state().start_hint_shown());
    assert!(again.query_by_label(START_HINT).is_none());
}

#[test]
fn a_state_saved_before_the_hint_existed_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut storage = MemStorage::default();
    persistent_app(dir.path(), None).save(&mut storage);
    let mut value: serde_json::Value =
        serde_json::from_str(&storage.get_string(STORAGE_KEY).unwrap()).unwrap();
    let map = value.as_object_mut().unwrap();
    assert!(map.remove("start_hint_dismissed").is_some());
    map.insert("tab".into(), serde_json::json!("Table"));
    storage.set_string(STORAGE_KEY, value.to_string());

    let mut h = harness(persistent_app(dir.path(), Some(&storage)));
    h.run();
    assert_eq!(
        h.state().tab(),
        corelab::gui::Tab::Table,
        "the old state was used"
    );
    assert_eq!(h.state().experiment(), &start_here());
    assert!(
        h.state().start_hint_shown(),
        "never dismissed, so still shown"
    );
    assert!(h.query_by_label(START_HINT).is_some());
}

/// The hint's lesson is the tour's CPU-bound job: once the task's kind is changed in the
/// panel (to the user's own Python function, say), the hint goes, without being dismissed.
#[test]
fn changing_the_tours_task_kind_hides_the_hint_without_dismissing_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(persistent_app(dir.path(), None));
    h.run();
    assert!(h.state().start_hint_shown());
    h.get_by_label("Kind").click();
    h.run();
    h.get_by_label("function").click();
    h.run();
    assert_eq!(
        h.state().experiment().task.kind,
        corelab::preset::TaskKind::Function
    );
    assert!(!h.state().start_hint_shown());
    assert!(h.query_by_label(START_HINT).is_none());
    // Back to the tour's kind: the hint, never dismissed, is back.
    h.get_by_label("Kind").click();
    h.run();
    h.get_by_label("cpu").click();
    h.run();
    assert!(h.state().start_hint_shown());
}

#[test]
fn an_older_state_on_another_preset_opens_on_it_without_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = persistent_app(dir.path(), None);
    let other = find_builtin("gil-cpu-bound").unwrap().experiment().unwrap();
    first.set_experiment(other.clone());
    let mut storage = MemStorage::default();
    first.save(&mut storage);

    let mut h = harness(persistent_app(dir.path(), Some(&storage)));
    h.run();
    assert_eq!(
        h.state().experiment(),
        &other,
        "a saved state wins over the tour"
    );
    assert!(!h.state().start_hint_shown());
    assert!(h.query_by_label(START_HINT).is_none());
}

#[test]
fn loading_another_preset_hides_the_hint_without_dismissing_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    assert!(h.state().start_hint_shown());
    let other = find_builtin("gil-cpu-bound").unwrap().experiment().unwrap();
    h.get_by_label(&other.name).click();
    h.run();
    assert_eq!(h.state().experiment(), &other);
    assert!(
        h.query_by_label(START_HINT).is_none(),
        "the hint is about start here"
    );

    let tour = start_here();
    h.get_by_label(&tour.name).click();
    h.run();
    assert_eq!(h.state().experiment(), &tour);
    assert!(
        h.query_by_label(START_HINT).is_some(),
        "not dismissed: back with the tour"
    );
}

#[test]
fn results_of_another_experiment_hide_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let results = common::gui::two_cell_results(
        find_builtin("cpu-threads-vs-processes")
            .unwrap()
            .experiment()
            .unwrap(),
    );
    let path = dir.path().join("other-results.json");
    results.save(&path).unwrap();

    let mut h = harness(app(dir.path()));
    h.run();
    assert!(h.query_by_label(START_HINT).is_some());
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    h.run();
    assert_eq!(
        h.state().experiment(),
        &start_here(),
        "the editor keeps the tour"
    );
    assert!(
        !h.state().start_hint_shown(),
        "the hint is not about these curves"
    );
    assert!(h.query_by_label(START_HINT).is_none());
}

/// The tour's results, at the given speedups at 2 workers on a 2-core machine.
fn tour_results(threads: f64, processes: f64, gil: f64) -> corelab::results::ResultsFile {
    let mut experiment = start_here();
    experiment.workers = vec![1, 2];
    let machine = corelab::results::MachineInfo {
        cpu_brand: "Test CPU".into(),
        logical_cores: 2,
        ..Default::default()
    };
    common::synthetic::synthetic_results(experiment, machine, [0.99, 1.0, 1.01], |model, n| {
        if n < 2.0 {
            return 1.0;
        }
        match model {
            corelab::preset::ModelKind::Threads => threads,
            corelab::preset::ModelKind::Processes => processes,
            _ => gil,
        }
    })
}

fn hint_over(
    results: &corelab::results::ResultsFile,
) -> egui_kittest::Harness<'static, WorkbenchApp> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tour.json");
    results.save(&path).unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    h.run();
    assert!(h.state().start_hint_shown(), "the tour's own results");
    assert!(h.query_by_label(START_HINT).is_some());
    h
}

#[test]
fn the_hint_says_when_the_tours_results_do_not_show_its_lesson() {
    // The reviewer's busy run: threads 1.10×, processes 0.85×, gil-threads 1.00×.
    let h = hint_over(&tour_results(1.1, 0.85, 1.0));
    let said = h.get_by_label_contains("These results do not show it (");
    let node = said.accesskit_node();
    let text = node
        .label()
        .or_else(|| node.value())
        .unwrap_or_default()
        .to_string();
    // Each figure with its interval, as the verdict judges them.
    for figure in [
        "(threads × 2: 1.10× (",
        ", processes × 2: 0.85× (",
        ", gil-threads × 2: 1.00× (",
    ] {
        assert!(text.contains(figure), "{figure} in {text}");
    }
    assert!(text.ends_with("Rerun on a quiet machine."), "{text}");
    // Results that show it: the hint alone.
    let h = hint_over(&tour_results(1.9, 1.8, 1.0));
    assert!(h.query_by_label_contains("do not show it").is_none());
}

#[test]
fn what_the_start_stopped_is_said_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    let line = corelab::engine::run_mark::leftovers_line(2, 0).unwrap();
    app.tell(line.clone());
    let mut h = harness(app);
    h.run();
    assert!(
        h.query_by_label_contains("stopped 2 processes left by a corelab run that was killed")
            .is_some(),
        "{line}"
    );
}

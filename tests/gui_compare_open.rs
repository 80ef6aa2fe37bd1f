#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Adding results to compare, as a new user does it without a file dialog: the prompt starts
//! in the folder the workbench autosaves results in and lists only results files there; a
//! failed attempt's error goes once a later one succeeds; the buttons under the list stay
//! put whatever the folder holds.

mod common;

use common::gui::{app, harness, path_field_text, step_until, type_path};

use corelab::gui::WorkbenchApp;
use corelab::gui::autosave::results_dir;
use corelab::preset::{Experiment, find_builtin};
use egui_kittest::kittest::Queryable;

#[test]
fn adding_results_to_compare_starts_in_the_autosave_folder_with_results_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    // A run autosaved here, and a preset saved beside it.
    let autosaved = results_dir(dir.path());
    let experiment = find_builtin("cpu-threads-vs-processes")
        .unwrap()
        .experiment()
        .unwrap();
    let run = autosaved.join("2026-11-27T07-50-14Z_cpu-bound-14422.json");
    common::gui::two_cell_results(experiment.clone())
        .save(&run)
        .unwrap();
    let preset = autosaved.join("mine.json");
    std::fs::write(&preset, Experiment::default().to_json()).unwrap();

    h.get_by_label("Add results to compare…").click();
    h.run();
    assert_eq!(
        path_field_text(&h),
        format!("{}/", autosaved.display()),
        "starts in the autosave folder"
    );
    assert!(
        h.query_by_label("2026-11-27T07-50-14Z_cpu-bound-14422.json")
            .is_some(),
        "the results file is listed"
    );
    assert!(h.query_by_label("mine.json").is_none(), "not the preset");
    assert!(
        h.query_by_label("1 other .json file hidden: not results files (a preset, say).")
            .is_some()
    );

    // The preset picked by hand: refused, loudly.
    type_path(&mut h, preset.to_str().unwrap());
    h.get_by_label("Open").click();
    step_until(&mut h, "the refusal", |a| {
        a.messages().iter().any(|m| m.is_error)
    });
    h.run();
    let refused = |a: &WorkbenchApp| {
        a.messages()
            .iter()
            .any(|m| m.is_error && m.text.starts_with("Cannot open results to compare:"))
    };
    assert!(refused(h.state()));

    // Then the right file: compared, and the earlier error is gone.
    h.get_by_label("Add results to compare…").click();
    h.run();
    type_path(&mut h, run.to_str().unwrap());
    h.get_by_label("Open").click();
    step_until(&mut h, "the compared results", |a| {
        !a.compare_runs().is_empty() && !a.files_busy()
    });
    h.run();
    assert!(!refused(h.state()), "{:?}", h.state().messages());
}

#[test]
fn the_prompts_buttons_stay_put_when_a_typed_path_reaches_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::create_dir_all(&empty).unwrap();
    let results = common::gui::two_cell_results(Experiment::default());
    for i in 0..20 {
        results
            .save(&full.join(format!("run-{i:02}.json")))
            .unwrap();
    }
    let mut h = harness(app(dir.path()));
    h.run();
    h.get_by_label("Type a path").click();
    h.run();
    h.get_by_label("Compare with results by path…").click();
    h.run();
    type_path(&mut h, &format!("{}/", full.display()));
    assert!(h.query_by_label("run-00.json").is_some());
    let before = h.get_by_label("Open").rect();
    type_path(&mut h, &format!("{}/", empty.display()));
    assert!(
        h.query_by_label("No folders or matching files here.")
            .is_some()
    );
    let after = h.get_by_label("Open").rect();
    assert_eq!(before, after, "the buttons did not move");
}

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! What the workbench tells a new user before they press Run: a results file opened as a
//! preset gives the experiment it recorded (as `corelab run results.json` does); Run is greyed
//! with the Python fields' own reason while the module is missing or cannot hold the function
//! named; and an experiment made from a built-in lesson by changing its task's kind no longer
//! carries the lesson's title and text.

mod common;

use common::gui::{
    app, disabled, harness, step_until, submit_path, two_cell_results, wait_for_python_probe,
};
use corelab::preset::{TaskKind, find_builtin};
use egui_kittest::kittest::Queryable;

#[test]
fn open_preset_on_a_results_file_loads_the_experiment_it_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = find_builtin("gil-cpu-bound").unwrap().experiment().unwrap();
    let results = two_cell_results(recorded.clone());
    let path = dir.path().join("gil.json");
    results.save(&path).unwrap();

    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    h.get_by_label("Open preset…").click();
    h.run();
    submit_path(&mut h, &path, "Open");
    h.step();
    step_until(&mut h, "the preset load to finish", |a| !a.files_busy());
    h.run();

    assert!(
        h.state().messages().iter().all(|m| !m.is_error),
        "no error: {:?}",
        h.state().messages()
    );
    let (expected, _) = results.rerun_experiment();
    assert_eq!(h.state().experiment(), &expected, "the recorded experiment");
    assert_eq!(h.state().experiment().name, recorded.name);
    let said = h
        .state()
        .messages()
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        said.contains("the experiment recorded in the results file")
            && said.contains("gil.json")
            && said.contains(&recorded.name),
        "the status says what was loaded: {said}"
    );
}

/// A workbench on a function task of `file` (a path) and `name`, with the harness stepped
/// until the interpreter check answered.
fn function_task(
    dir: &std::path::Path,
    file: &str,
    name: &str,
) -> egui_kittest::Harness<'static, corelab::gui::WorkbenchApp> {
    let mut a = app(dir);
    let mut exp = a.experiment().clone();
    exp.task.kind = TaskKind::Function;
    exp.task.function.file = file.into();
    exp.task.function.name = name.into();
    exp.task.function.args = Vec::new();
    exp.task.function.range = Some(4);
    exp.models = vec![corelab::preset::ModelKind::PyThreading];
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.target_run_s = 0.0;
    a.set_experiment(exp);
    let mut h = harness(a);
    h.step();
    wait_for_python_probe(&mut h);
    h.run();
    h
}

const MODULE: &str = "def crunch(n):\n    return n\n\ndef fetch(n):\n    return n\n";

#[test]
fn a_missing_module_greys_run_with_the_fields_reason_before_the_empty_name() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mywrok.py");
    let mut h = function_task(dir.path(), missing.to_str().unwrap(), "");
    assert!(disabled(&h, "Run"), "Run is greyed");
    let reason = format!("Cannot run: not found: {}", missing.display());
    assert!(
        h.query_by_label(&reason).is_some(),
        "the missing file is named beside Run, not the empty name"
    );
    assert!(h.query_by_label_contains("task.function.name").is_none());
    // The typo fixed: Run then names the empty name, in the field's words.
    let module = dir.path().join("mywork.py");
    std::fs::write(&module, MODULE).unwrap();
    h.get_by_label("Python file")
        .set_text_value_accesskit(module.to_str().unwrap());
    h.run();
    assert!(disabled(&h, "Run"));
    assert!(
        h.query_by_label(
            "Cannot run: mywork.py: no function named yet; its top-level functions: crunch, fetch"
        )
        .is_some(),
        "the empty name beside Run, said in a whole sentence"
    );
}

#[test]
fn an_unknown_function_greys_run_with_the_fields_reason() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("mywork.py");
    std::fs::write(&module, MODULE).unwrap();
    let mut h = function_task(dir.path(), module.to_str().unwrap(), "crunsh");
    assert!(disabled(&h, "Run"), "Run is greyed");
    let reason = "Cannot run: mywork.py: it has no function `crunsh` (did you mean `crunch`?)";
    assert!(
        h.query_by_label_contains(reason).is_some(),
        "the field's reason beside Run"
    );
    h.get_by_label("Function")
        .set_text_value_accesskit("crunch");
    h.run();
    assert!(
        !disabled(&h, "Run"),
        "a function the module has: Run is enabled"
    );
    assert!(h.query_by_label_contains("Cannot run").is_none());
}

#[test]
fn an_empty_function_name_greys_run() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("mywork.py");
    std::fs::write(&module, MODULE).unwrap();
    let h = function_task(dir.path(), module.to_str().unwrap(), "");
    assert!(disabled(&h, "Run"), "Run is greyed");
    assert!(
        h.query_by_label(
            "Cannot run: mywork.py: no function named yet; its top-level functions: crunch, fetch"
        )
        .is_some(),
        "the field's reason beside Run"
    );
}

#[test]
fn changing_a_lessons_task_kind_drops_its_title_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    let lesson = h.state().experiment().clone();
    assert!(
        !lesson.description.is_empty(),
        "the start preset has a lesson"
    );
    h.get_by_label("Kind").click();
    h.run();
    h.get_by_label("function").click();
    h.run();
    let exp = h.state().experiment();
    assert_eq!(exp.task.kind, TaskKind::Function);
    assert_ne!(exp.name, lesson.name, "no longer titled as the lesson");
    assert!(exp.name.starts_with("My function"), "{}", exp.name);
    assert!(exp.description.is_empty(), "the lesson's text is gone");
    assert!(
        h.query_by_label(corelab::gui::config_panel::DESCRIPTION_HEADER)
            .is_none()
    );
    // The title follows the module and function as they are typed.
    h.get_by_label("Python file")
        .set_text_value_accesskit("/tmp/mywork.py");
    h.run();
    h.get_by_label("Function")
        .set_text_value_accesskit("crunch");
    h.run();
    assert_eq!(h.state().experiment().name, "My function: mywork.crunch");

    // A title the user typed is kept through a change of kind.
    h.get_by_label("Name")
        .set_text_value_accesskit("Crunch on my laptop");
    h.run();
    h.get_by_label("Kind").click();
    h.run();
    h.get_by_label("cpu").click();
    h.run();
    assert_eq!(h.state().experiment().name, "Crunch on my laptop");
}

/// Run's refusal ("Not started: …", asked for with F5 while Run is greyed) stays only until
/// the configuration changes: the edit that answers it takes it off the chart.
#[test]
fn a_not_started_message_goes_when_the_configuration_changes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mywrok.py");
    let mut h = function_task(dir.path(), missing.to_str().unwrap(), "crunch");
    h.key_press(eframe::egui::Key::F5);
    h.run();
    step_until(&mut h, "Run's refusal", |a| {
        a.messages()
            .iter()
            .any(|m| m.is_error && m.text.starts_with("Not started: "))
    });
    assert!(!h.state().is_running(), "nothing started");
    let module = dir.path().join("mywork.py");
    std::fs::write(&module, MODULE).unwrap();
    h.get_by_label("Python file")
        .set_text_value_accesskit(module.to_str().unwrap());
    h.run();
    assert!(
        h.state()
            .messages()
            .iter()
            .all(|m| !m.text.starts_with("Not started: ")),
        "the refusal went with the edit: {:?}",
        h.state().messages()
    );
    assert!(!disabled(&h, "Run"), "and Run is ready");
}

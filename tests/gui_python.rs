#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Workbench tests without a display (egui_kittest): the real-Python models' checkboxes follow
//! the interpreter check, which runs in the background.

mod common;

use common::gui::{app, harness, step_until};

use std::path::Path;

use corelab::engine::preflight;
use corelab::gui::WorkbenchApp;
use corelab::preset::{Experiment, ModelKind};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn with_interpreter(dir: &Path, interpreter: &str, models: &[ModelKind]) -> WorkbenchApp {
    let mut a = app(dir);
    let mut exp = a.experiment().clone();
    exp.python.interpreter = interpreter.into();
    exp.models = models.to_vec();
    a.set_experiment(exp);
    a
}

fn disabled(h: &Harness<'_, WorkbenchApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn a_missing_interpreter_disables_the_python_models() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        "/nonexistent/python3",
        &[ModelKind::Sequential, ModelKind::Threads],
    ));
    step_until(&mut h, "the interpreter check", |a| {
        a.python_probe().is_some()
    });
    h.run();
    let answer = h.state().python_probe().unwrap().clone();
    let reason = answer.expect_err("a missing interpreter cannot be probed");
    assert!(reason.contains("was not found"), "{reason}");

    for m in [
        ModelKind::PyThreading,
        ModelKind::PyMultiprocessing,
        ModelKind::PyFreeThreading,
    ] {
        assert!(disabled(&h, m.id()), "{m} is disabled");
    }
    assert!(!disabled(&h, "threads"));
    // The reason is shown next to the models, and the interpreter can be corrected there.
    assert!(
        h.query_by_label_contains("Python models unavailable:")
            .is_some()
    );
    assert!(h.query_by_label_contains("was not found").is_some());
    assert_eq!(
        h.get_by_label("Interpreter").value().as_deref(),
        Some("/nonexistent/python3")
    );
}

#[test]
fn run_refuses_a_python_model_without_an_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        "/nonexistent/python3",
        &[ModelKind::Sequential, ModelKind::PyThreading],
    ));
    step_until(&mut h, "the interpreter check", |a| {
        a.python_probe().is_some()
    });
    h.run();
    // A selected model that cannot run stays switchable off.
    assert!(!disabled(&h, "py-threading"));
    let ctx = h.ctx.clone();
    assert!(!h.state_mut().start_run(&ctx));
    h.run();
    assert!(!h.state().is_running());
    let error = h
        .state()
        .messages()
        .iter()
        .find(|m| m.is_error)
        .expect("an error is shown")
        .text
        .clone();
    assert!(error.starts_with("Cannot run:"), "{error}");
    assert!(error.contains("was not found"), "{error}");
    assert!(h.query_by_label(&error).is_some());
}

#[test]
fn python3_enables_the_python_models() {
    let probe = Experiment {
        models: vec![ModelKind::PyThreading],
        ..Experiment::default()
    };
    let info = match preflight(&probe) {
        Ok(Some(info)) => info,
        Ok(None) => unreachable!("a Python model needs the interpreter"),
        Err(e) => {
            println!("skipped: python3 is not usable here: {e}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        "python3",
        &[ModelKind::Sequential, ModelKind::Threads],
    ));
    step_until(&mut h, "the interpreter check", |a| {
        a.python_probe().is_some()
    });
    h.run();
    assert!(h.state().python_probe().unwrap().is_ok());
    assert!(!disabled(&h, "py-threading"));
    assert!(!disabled(&h, "py-multiprocessing"));
    // Free threading depends on the build.
    assert_eq!(
        disabled(&h, "py-free-threading"),
        info.refuses(ModelKind::PyFreeThreading).is_some()
    );
    let gil = if info.gil_enabled {
        "GIL enabled"
    } else {
        "free-threaded, no GIL"
    };
    assert!(
        h.query_by_label(&format!("Python {} ({gil})", info.version))
            .is_some()
    );

    // Selecting a Python model shows the Python section.
    assert!(h.query_by_label("Start method").is_none());
    h.get_by_label("py-threading").scroll_to_me();
    h.run();
    h.get_by_label("py-threading").click();
    h.run();
    assert!(
        h.state()
            .experiment()
            .models
            .contains(&ModelKind::PyThreading)
    );
    assert!(h.query_by_label("Start method").is_some());
}

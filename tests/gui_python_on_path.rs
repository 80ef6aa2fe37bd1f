#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench runs the default `python3` (whatever is first on PATH) only when the user asks
//! for something that needs it: starting, `--preset` with Python models, opening a preset or a
//! results file run nothing; Run does, once. A broken `python3` then greys Run with the reason.
//!
//! The default interpreter is looked up on PATH, which belongs to the whole process: the test
//! runs itself again as a child process with a PATH whose `python3` logs every call (setting
//! PATH in this process would need `unsafe`, and would change it for the tests beside it).

mod common;

use std::path::Path;
use std::process::Command;

use common::gui::{
    app, disabled, estimate_shown, harness, shown_error, step_until, two_cell_results,
};
use corelab::preset::{Experiment, ModelKind};
use egui_kittest::kittest::{NodeT, Queryable};

/// Set in the child: the file the logging `python3` appends to.
const LOG_VAR: &str = "CORELAB_TEST_PYTHON3_LOG";
const TEST_NAME: &str = "the_default_python3_runs_only_when_asked";

/// A `python3` in `dir` that logs each call (its first two arguments) to `dir/python3.log`,
/// and answers with
/// garbage (a broken interpreter, as a stray script named python3 would be).
fn logging_python3(dir: &Path) {
    let path = dir.join("python3");
    corelab::safe_fs::write_executable(
        &path,
        "#!/bin/sh\necho \"called with $1 $2\" >> \"$(dirname \"$0\")/python3.log\"\necho 'Hello from a stray script'\n",
    )
    .unwrap();
}

fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn the_default_python3_runs_only_when_asked() {
    match std::env::var_os(LOG_VAR) {
        Some(log) => in_child(Path::new(&log)),
        None => {
            let bin = tempfile::tempdir().unwrap();
            logging_python3(bin.path());
            let path = std::env::join_paths(
                std::iter::once(bin.path().to_path_buf())
                    .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
            )
            .unwrap();
            let out = Command::new(std::env::current_exe().unwrap())
                .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
                .env("PATH", path)
                .env(LOG_VAR, bin.path().join("python3.log"))
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{text}");
            // The child ran this very test (a filter that matched nothing would pass too).
            assert!(text.contains("test result: ok. 1 passed"), "{text}");
        }
    }
}

/// The test itself, in the child whose PATH starts with the logging `python3`.
fn in_child(log: &Path) {
    let dir = tempfile::tempdir().unwrap();
    // Start-up: the first start's preset has no Python models.
    let mut h = harness(app(dir.path()));
    h.run_steps(20);
    assert_eq!(calls(log), Vec::<String>::new(), "nothing runs at start");

    // `--preset` with Python models: shown, not run.
    let ctx = h.ctx.clone();
    let options = corelab::gui::GuiOptions {
        preset: Some("python-gil-vs-processes".into()),
        ..Default::default()
    };
    h.state_mut()
        .apply_startup(&ctx, &options, corelab::gui::screenshot::Outcome::default());
    step_until(&mut h, "the Python preset to load", |a| {
        a.experiment().models.contains(&ModelKind::PyThreading) && !a.files_busy()
    });
    h.run_steps(20);
    assert_eq!(h.state().experiment().python.interpreter, "python3");
    assert_eq!(
        calls(log),
        Vec::<String>::new(),
        "opening a preset runs nothing"
    );

    // A preset file and a results file with Python models, opened: nothing runs either.
    let preset = dir.path().join("py-preset.json");
    let mut exp = h.state().experiment().clone();
    exp.name = "py preset file".into();
    std::fs::write(&preset, exp.to_json()).unwrap();
    h.state_mut().open_preset_path(&ctx, preset);
    step_until(&mut h, "the preset file to load", |a| {
        a.experiment().name == "py preset file" && !a.files_busy()
    });
    let results = dir.path().join("py-results.json");
    two_cell_results(Experiment {
        name: "py results".into(),
        ..exp.clone()
    })
    .save(&results)
    .unwrap();
    h.state_mut().open_results_path(&ctx, results);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    h.run_steps(20);
    assert_eq!(
        calls(log),
        Vec::<String>::new(),
        "opening files runs nothing"
    );
    assert_eq!(h.state().python_probes_started(), 0);

    // Not checked yet: the models are offered, Run is enabled and says what it will cost.
    assert!(
        h.query_by_label_contains("python3 not checked yet: ")
            .is_some()
    );
    assert!(!disabled(&h, "py-threading"));
    assert!(!disabled(&h, "Run"));
    assert!(estimate_shown(&h), "the estimate");

    // Run: the interpreter is checked, once, and its garbage refuses the run, in words.
    h.get_by_label("Run").click();
    step_until(&mut h, "the run to be refused", |a| {
        a.messages().iter().any(|m| m.is_error)
    });
    h.run();
    let logged = calls(log);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0], "called with -I -c", "the version check");
    assert!(!h.state().is_running());
    let error = shown_error(&h);
    assert_eq!(
        error,
        "Cannot run: py-threading, py-multiprocessing need a working Python interpreter: \
         `python3` did not answer like CPython 3.8 or newer: its reply was not the version \
         report corelab asked for: it printed `Hello from a stray script`"
    );
    // From now on Run is greyed with the reason, and the estimate is gone.
    assert!(disabled(&h, "Run"));
    let short = "py-threading, py-multiprocessing cannot run here";
    assert!(h.query_by_label(short).is_some());
    assert!(!estimate_shown(&h), "no estimate");
    for m in ["py-threading", "py-multiprocessing"] {
        let why = h
            .get_by_label(m)
            .accesskit_node()
            .description()
            .unwrap_or_default();
        assert!(
            why.starts_with("Cannot run here: `python3` did not answer"),
            "{why}"
        );
    }
    assert!(disabled(&h, "py-asyncio"), "not ticked: greyed out");
    h.run_steps(20);
    assert_eq!(calls(log).len(), 1, "not run again by itself");
}

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Workbench tests without a display (egui_kittest): the real-Python models' checkboxes follow
//! the interpreter check, which runs in the background.

mod common;

use common::gui::{
    app, check_python, click_in_view, disabled, estimate_shown, harness, pick, shown_error,
    step_until, ticked, wait_for_python_probe, with_interpreter,
};

use std::path::Path;

use corelab::engine::preflight;
use corelab::gui::WorkbenchApp;
use corelab::preset::{Experiment, ModelKind, SyncMode};
use eframe::egui;
use egui_kittest::kittest::{NodeT, Queryable};

#[test]
fn a_missing_interpreter_disables_the_python_models() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        "/nonexistent/python3",
        &[ModelKind::Sequential, ModelKind::Threads],
    ));
    check_python(&mut h);
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

/// Run with a Python model whose interpreter was not checked yet checks it (Run is the user
/// asking for it); a missing one refuses the run with the reason, and from then on Run is
/// greyed with that reason and no estimate, and the ticked model is marked as one that cannot
/// run (still switchable off, which lets the others run).
#[test]
fn run_refuses_a_python_model_without_an_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        "/nonexistent/python3",
        &[ModelKind::Sequential, ModelKind::PyThreading],
    ));
    h.run();
    assert!(h.state().python_probe().is_none(), "not checked at start");
    assert_eq!(h.state().python_probes_started(), 0);
    assert!(!disabled(&h, "Run"), "Run checks it");
    let ctx = h.ctx.clone();
    assert!(!h.state_mut().start_run(&ctx), "the check comes first");
    step_until(&mut h, "the run to be refused", |a| {
        a.messages().iter().any(|m| m.is_error)
    });
    h.run();
    assert!(!h.state().is_running());
    assert_eq!(h.state().python_probes_started(), 1);
    let error = shown_error(&h);
    assert!(
        error.starts_with("Cannot run: py-threading needs a working Python interpreter: "),
        "{error}"
    );
    assert!(error.contains("was not found"), "{error}");
    assert!(h.query_by_label(&error).is_some());
    // Run is greyed, saying why, and the estimate gives way to which models cannot run.
    assert!(disabled(&h, "Run"));
    assert!(h.query_by_label("py-threading cannot run here").is_some());
    assert!(!estimate_shown(&h), "no estimate");
    // A selected model that cannot run stays switchable off, and says why it is marked.
    assert!(!disabled(&h, "py-threading"));
    let why = h
        .get_by_label("py-threading")
        .accesskit_node()
        .description()
        .unwrap_or_default();
    assert!(why.starts_with("Cannot run here: "), "{why}");
    assert!(why.contains("was not found"), "{why}");
    click_in_view(&mut h, "py-threading");
    assert_eq!(h.state().experiment().models, [ModelKind::Sequential]);
    assert!(!disabled(&h, "Run"), "the other models can run");
    assert!(disabled(&h, "py-threading"), "greyed once unticked");
    assert_eq!(h.state().python_probes_started(), 1, "checked once");
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
    check_python(&mut h);
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
    click_in_view(&mut h, "py-threading");
    assert!(ticked(&h, ModelKind::PyThreading));
    assert!(h.query_by_label("Start method").is_some());
}

/// Writes an executable script.
fn script(path: &Path, body: &str) {
    corelab::safe_fs::write_executable(path, body).unwrap();
}

/// An "interpreter" that appends a line to `runs.log` beside it each time it is started, then
/// answers the version check like CPython 3.12.
fn marker_interpreter(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("evil-python");
    script(
        &path,
        "#!/bin/sh\necho ran >> \"$(dirname \"$0\")/runs.log\"\necho '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n",
    );
    path
}

fn runs_logged(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs.log")).map_or(0, |s| s.lines().count())
}

/// A shared preset in `dir` naming the marker interpreter beside it by a relative path
/// (taken relative to the preset file, not the current directory); returns the interpreter
/// and the preset.
fn shared_preset_with_marker(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let interpreter = marker_interpreter(dir);
    let preset = dir.join("shared.json");
    std::fs::write(
        &preset,
        r#"{"name": "shared preset", "models": ["sequential", "py-threading"],
            "python": {"interpreter": "./evil-python"}}"#,
    )
    .unwrap();
    (interpreter, preset)
}

#[test]
fn opening_a_preset_runs_nothing_until_its_interpreter_is_confirmed() {
    let files = tempfile::tempdir().unwrap();
    let (interpreter, preset) = shared_preset_with_marker(files.path());
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(app(data.path()));
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, preset.clone());
    step_until(&mut h, "the preset to load", |a| {
        a.experiment().name == "shared preset"
    });
    // Nothing was checked at start (nobody asked), nor since.
    let probes = h.state().python_probes_started();
    assert_eq!(probes, 0);
    h.run_steps(30);
    let shown = interpreter.to_str().unwrap();
    assert_eq!(h.state().experiment().python.interpreter, shown);
    assert_eq!(
        runs_logged(files.path()),
        0,
        "opening a preset runs nothing"
    );
    assert_eq!(h.state().python_probes_started(), probes);
    assert!(!h.state().interpreter_trusted());
    let reason = h.state().python_probe().unwrap().clone().unwrap_err();
    assert!(reason.contains("has not been run"), "{reason}");
    // The exact program is shown, with the button that allows it.
    assert!(h.query_by_label(shown).is_some());
    assert!(h.query_by_label("Allow this interpreter").is_some());
    // The Run row says why in its visible words: the interpreter waits to be allowed, not
    // that the models cannot run on this machine.
    assert!(disabled(&h, "Run"));
    assert!(
        h.query_by_label("py-threading waits for you to allow its interpreter")
            .is_some()
    );
    assert!(h.query_by_label("py-threading cannot run here").is_none());
    // Run is refused, saying why.
    assert!(!h.state_mut().start_run(&ctx));
    h.run_steps(2);
    let error = shown_error(&h);
    assert!(error.starts_with("Cannot run:"), "{error}");
    assert!(error.contains("confirm it"), "{error}");
    assert_eq!(runs_logged(files.path()), 0);

    click_in_view(&mut h, "Allow this interpreter");
    step_until(&mut h, "the confirmed interpreter's check", |a| {
        matches!(a.python_probe(), Some(Ok(_)))
    });
    h.run_steps(30);
    assert!(h.state().interpreter_trusted());
    assert_eq!(h.state().python_probes_started(), probes + 1, "probed once");
    assert_eq!(runs_logged(files.path()), 1, "run once, not per frame");
    assert!(h.query_by_label("Allow this interpreter").is_none());

    // Confirmed once is remembered: opening the preset again runs nothing new.
    h.state_mut().open_preset_path(&ctx, preset);
    step_until(&mut h, "the preset to load again", |a| !a.files_busy());
    h.run_steps(10);
    assert!(h.state().interpreter_trusted());
    assert_eq!(runs_logged(files.path()), 1);
}

/// An unconfirmed interpreter stays unconfirmed however it comes back: loading a built-in
/// preset and then pressing Undo (or Redo) restores the file's configuration, not trust in
/// its program. (Undo used to make it trusted, and the version check then ran it.)
#[test]
fn undo_and_redo_do_not_trust_an_unconfirmed_interpreter() {
    let files = tempfile::tempdir().unwrap();
    let (interpreter, preset) = shared_preset_with_marker(files.path());
    let data = tempfile::tempdir().unwrap();
    let mut h = harness(app(data.path()));
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, preset);
    step_until(&mut h, "the preset to load", |a| {
        a.experiment().name == "shared preset"
    });
    h.run_steps(10);
    assert!(!h.state().interpreter_trusted());
    // Another configuration, then back to the file's by Undo, and again by Redo.
    let builtin = corelab::preset::find_builtin("start-here")
        .unwrap()
        .experiment()
        .unwrap();
    h.state_mut().set_experiment(builtin);
    h.run_steps(10);
    assert!(h.state().interpreter_trusted(), "the built-in's python3");
    h.state_mut().undo();
    h.run_steps(30);
    assert_eq!(
        h.state().experiment().python.interpreter,
        interpreter.to_str().unwrap()
    );
    assert!(!h.state().interpreter_trusted());
    h.state_mut().redo();
    h.run_steps(10);
    h.state_mut().undo();
    h.run_steps(30);
    assert!(!h.state().interpreter_trusted());
    assert!(!h.state_mut().start_run(&ctx));
    assert_eq!(runs_logged(files.path()), 0, "the program never ran");
}

#[test]
fn a_hanging_interpreter_times_out_without_hanging_the_window() {
    let files = tempfile::tempdir().unwrap();
    let hang = files.path().join("hang-python");
    // `exec`: the pid written is the sleeping process itself.
    script(
        &hang,
        "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 120\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        hang.to_str().unwrap(),
        &[ModelKind::Sequential, ModelKind::PyThreading],
    ));
    h.run();
    h.get_by_label("Check interpreter").scroll_to_me();
    h.run();
    h.get_by_label("Check interpreter").click();
    let pid_file = files.path().join("pid");
    step_until(&mut h, "the interpreter to start", |_| pid_file.exists());
    // The window keeps drawing frames while the check waits, and says it is checking.
    let frames_before = h.ctx.cumulative_frame_nr();
    h.run_steps(5);
    assert!(h.ctx.cumulative_frame_nr() >= frames_before + 5);
    assert!(h.state().python_probe().is_none());
    assert!(h.query_by_label_contains("checking").is_some());
    step_until(&mut h, "the check to give up", |a| {
        a.python_probe().is_some()
    });
    let reason = h.state().python_probe().unwrap().clone().unwrap_err();
    assert!(reason.contains("did not answer within 5 s"), "{reason}");
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!common::is_alive(pid), "the hanging interpreter was killed");
    assert_eq!(
        h.state().python_probes_started(),
        1,
        "tried once, not again"
    );
}

#[test]
fn run_at_start_waits_for_the_interpreter_check() {
    // `--run` with a Python model and an interpreter slower than the window's start: the run
    // waits for the check's outcome (here: no answer within 5 s) rather than being refused as
    // "still being checked" while the check goes on.
    let files = tempfile::tempdir().unwrap();
    let hang = files.path().join("hang-python");
    script(&hang, "#!/bin/sh\nexec sleep 120\n");
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        hang.to_str().unwrap(),
        &[ModelKind::PyThreading],
    ));
    h.step();
    let ctx = h.ctx.clone();
    let options = corelab::gui::GuiOptions {
        run: true,
        ..Default::default()
    };
    h.state_mut()
        .apply_startup(&ctx, &options, corelab::gui::screenshot::Outcome::default());
    let errors = |a: &WorkbenchApp| -> Vec<String> {
        a.messages()
            .iter()
            .filter(|m| m.is_error)
            .map(|m| m.text.clone())
            .collect()
    };
    step_until(
        &mut h,
        "the run to be refused for the check's outcome",
        |a| !errors(a).is_empty(),
    );
    let shown = errors(h.state());
    assert!(
        shown.iter().all(|e| !e.contains("still being checked")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|e| e.contains("did not answer within 5 s")),
        "{shown:?}"
    );
    assert!(!h.state().is_running());
}

/// Python 2 (which does not know `-I` and says so in a usage text of three lines) and a
/// Python 3.6 are named as too old in the Python section, on one line, with the version the
/// worker needs; the Python models stay disabled.
#[test]
fn python_2_and_an_old_python_3_are_named_as_too_old_in_the_python_section() {
    let files = tempfile::tempdir().unwrap();
    let python2 = files.path().join("python2");
    script(
        &python2,
        "#!/bin/sh\ncase \"$1\" in --version) echo 'Python 2.7.18' >&2; exit 0;; esac\n\
         echo 'Unknown option: -I' >&2\n\
         echo 'usage: python [option] ... [-c cmd | -m mod | file | -] [arg] ...' >&2\n\
         echo \"Try \\`python -h' for more information.\" >&2\nexit 2\n",
    );
    let python36 = files.path().join("python3.6");
    script(
        &python36,
        "#!/bin/sh\necho '{\"version\": \"3.6.15\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n",
    );
    for (interpreter, says) in [
        (&python2, "it is Python 2 or a Python 3 older than 3.4"),
        (&python36, "is Python 3.6.15, older than the 3.8"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(with_interpreter(
            dir.path(),
            interpreter.to_str().unwrap(),
            &[ModelKind::Sequential, ModelKind::PyThreading],
        ));
        check_python(&mut h);
        h.run();
        let reason = h.state().python_probe().unwrap().clone().unwrap_err();
        assert!(reason.contains(says), "{reason}");
        assert!(reason.contains(interpreter.to_str().unwrap()), "{reason}");
        assert!(!reason.contains('\n'), "{reason:?}");
        assert!(h.query_by_label_contains(says).is_some());
        assert!(disabled(&h, ModelKind::PyMultiprocessing.id()));
    }
}

/// The contention task's sync menu offers what the ticked models can run (the rule
/// validation applies): ticking py-threading under `atomic` keeps `atomic` and says, under
/// the menu, that Run will refuse it and what to choose instead; in the menu `atomic` is
/// greyed out with the model and the reason, and choosing `mutex` clears the line.
#[test]
fn the_sync_menu_follows_the_python_models() {
    let dir = tempfile::tempdir().unwrap();
    let plain = common::gui::plain_python(dir.path());
    let mut a = app(dir.path());
    let mut exp = a.experiment().clone();
    exp.python.interpreter = plain.display().to_string();
    exp.task.kind = corelab::preset::TaskKind::Contention;
    exp.task.contention.sync = SyncMode::Atomic;
    exp.models = vec![ModelKind::Sequential, ModelKind::Threads];
    exp.validate().unwrap();
    a.set_experiment(exp);
    let mut h = harness(a);
    wait_for_python_probe(&mut h);
    h.run();
    assert!(h.query_by_label_contains("Run will refuse this").is_none());
    h.get_by_label("Synchronisation").click();
    h.run();
    assert!(!disabled(&h, "atomic"), "threads can use atomic");
    h.key_press(egui::Key::Escape);
    h.run();

    // The model list may be below the fold of the scrolling left panel.
    click_in_view(&mut h, "py-threading");
    // Ticking it checked the interpreter: its answer lands before the menus are used.
    wait_for_python_probe(&mut h);
    h.run();
    let exp = h.state().experiment().clone();
    assert_eq!(
        exp.models,
        [
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::PyThreading
        ]
    );
    // Not switched behind the user's back: the line says why Run will refuse it.
    assert_eq!(exp.task.contention.sync, SyncMode::Atomic);
    let refusal = exp.validate().unwrap_err().to_string();
    let reason = SyncMode::Atomic
        .refusal_for(ModelKind::PyThreading)
        .unwrap();
    assert!(refusal.contains(reason), "{refusal}");
    let node = h
        .get_by_label_contains("Run will refuse this")
        .accesskit_node();
    let line = node.label().or_else(|| node.value()).unwrap_or_default();
    assert!(line.contains("py-threading cannot use atomic"), "{line}");
    assert!(line.contains(reason), "{line}");
    assert!(
        line.contains("Choose mutex or none here, or untick py-threading."),
        "{line}"
    );

    h.get_by_label("Synchronisation").scroll_to_me();
    h.run();
    // In the menu, atomic, channel and semaphore are greyed out, each saying which model
    // cannot use it; mutex and none are offered.
    h.get_by_label("Synchronisation").click();
    h.run();
    for s in [SyncMode::Atomic, SyncMode::Channel, SyncMode::Semaphore] {
        let item = h.get_by_label(s.id());
        assert!(
            item.accesskit_node().is_disabled(),
            "{} is greyed out",
            s.id()
        );
        let why = item.accesskit_node().description().unwrap_or_default();
        assert!(
            why.starts_with(&format!("py-threading cannot use {}: ", s.id())),
            "{why}"
        );
    }
    for s in [SyncMode::Mutex, SyncMode::None] {
        assert!(!disabled(&h, s.id()), "{} is offered", s.id());
    }
    h.get_by_label("mutex").click();
    h.run();
    assert_eq!(h.state().experiment().task.contention.sync, SyncMode::Mutex);
    h.state().experiment().validate().unwrap();
    assert!(h.query_by_label_contains("Run will refuse this").is_none());
}

fn function_app(dir: &Path, file: &str, name: &str) -> WorkbenchApp {
    let mut a = app(dir);
    let mut exp = a.experiment().clone();
    exp.task.kind = corelab::preset::TaskKind::Function;
    exp.task.function = corelab::preset::FunctionParams {
        file: file.into(),
        name: name.into(),
        args: vec![],
        range: Some(4),
    };
    exp.task.tasks = 4;
    exp.target_run_s = 0.0;
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.models = vec![ModelKind::PyThreading];
    a.set_experiment(exp);
    a
}

/// A function name the module cannot hold is flagged next to the field, with the nearest
/// name it defines, read from the file's text (the module is never imported); Run says the
/// same and starts nothing. (Before: Run started every cell, each failing, one pop-up each.)
#[test]
fn a_misspelt_function_is_flagged_next_to_the_field_and_run_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("imported");
    let module = dir.path().join("mywork.py");
    std::fs::write(
        &module,
        format!(
            "open({:?}, 'w').write('x')\n\ndef hash_records(n):\n    return n\n\ndef fetch(ms):\n    return ms\n",
            marker.to_str().unwrap()
        ),
    )
    .unwrap();
    let mut h = harness(function_app(
        dir.path(),
        module.to_str().unwrap(),
        "hash_recrods",
    ));
    h.step();
    // The interpreter is checked first (Run would check it before the task).
    check_python(&mut h);
    h.run();
    let flag = "mywork.py: it has no function `hash_recrods` (did you mean `hash_records`?); its top-level functions: hash_records, fetch";
    assert!(
        h.query_by_label(flag).is_some(),
        "flagged next to the field"
    );
    let ctx = h.ctx.clone();
    assert!(!h.state_mut().start_run(&ctx));
    h.run();
    assert!(!h.state().is_running());
    let errors: Vec<_> = h
        .state()
        .messages()
        .iter()
        .filter(|m| m.is_error)
        .map(|m| m.text.clone())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Not started: ")
            && errors[0].contains("did you mean `hash_records`?"),
        "{errors:?}"
    );
    // Corrected: the flag goes.
    let mut exp = h.state().experiment().clone();
    exp.task.function.name = "hash_records".into();
    h.state_mut().set_experiment(exp);
    h.run();
    assert!(
        h.query_by_label(flag).is_none(),
        "the flag went with the error"
    );
    assert!(!marker.exists(), "the module was never imported");
}

/// A relative module path with no preset file is taken from the current directory, as the
/// CLI and `python work.py` take it: the panel shows where it leads, and Run writes the
/// resolved path into the field before its checks (before: every cell failed with
/// "task.function.file 'mywork.py' is not an absolute path").
#[test]
fn a_relative_module_path_is_resolved_against_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    // The tests run in the package's folder, which holds the example module.
    let relative = "assets/examples/work.py";
    let absolute = std::env::current_dir().unwrap().join(relative);
    assert!(absolute.is_file());
    let mut h = harness(function_app(dir.path(), relative, "pure_pyton"));
    h.step();
    // The interpreter is checked first (Run would check it before the task).
    check_python(&mut h);
    h.run();
    let shown = format!("resolves to {}", absolute.display());
    assert!(
        h.query_by_label(&shown).is_some(),
        "the resolved path is shown"
    );
    // Under the Function field, and beside Run, greyed with the field's reason.
    assert_eq!(
        h.query_all_by_label_contains("did you mean `pure_python`?")
            .count(),
        2,
        "the relative file is the one read for the name check"
    );
    assert!(disabled(&h, "Run"), "Run is greyed for the misspelt name");
    let ctx = h.ctx.clone();
    assert!(
        !h.state_mut().start_run(&ctx),
        "the misspelt name is refused"
    );
    assert_eq!(
        h.state().experiment().task.function.file,
        absolute.to_str().unwrap(),
        "Run resolved the path once, in the field"
    );
    h.run();
    assert!(
        h.query_by_label(&shown).is_none(),
        "nothing left to resolve"
    );
}

/// The interpreter runs only when the user asks for something that needs it: not at start,
/// not while its name is typed; once when a py-* model is ticked (not again for a second
/// one), and again for **Check interpreter**. Choosing the Python function task ticks the
/// py-* models, which checks it too.
#[test]
fn the_interpreter_is_checked_when_a_python_model_is_ticked_and_on_check() {
    let files = tempfile::tempdir().unwrap();
    let interpreter = marker_interpreter(files.path());
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        interpreter.to_str().unwrap(),
        &[ModelKind::Sequential, ModelKind::Threads],
    ));
    h.run_steps(30);
    assert_eq!(runs_logged(files.path()), 0, "nothing runs at start");
    assert!(
        h.query_by_label_contains("not checked yet").is_some(),
        "the model list says it was not checked"
    );
    assert!(!disabled(&h, "py-threading"), "offered until checked");

    click_in_view(&mut h, "py-threading");
    step_until(&mut h, "the check ticking asked for", |a| {
        a.python_probe().is_some()
    });
    h.run();
    assert_eq!(runs_logged(files.path()), 1, "ticking checked it");
    assert!(h.query_by_label("Python 3.12.1 (GIL enabled)").is_some());
    h.get_by_label("py-multiprocessing").click();
    h.run_steps(10);
    assert_eq!(runs_logged(files.path()), 1, "checked once, not per model");

    // Typing another interpreter runs nothing; the line says it is not checked yet.
    let other = files.path().join("other-python");
    std::fs::copy(&interpreter, &other).unwrap();
    h.get_by_label("Interpreter")
        .set_text_value_accesskit(other.to_str().unwrap());
    h.run_steps(30);
    assert_eq!(
        h.state().experiment().python.interpreter,
        other.to_str().unwrap()
    );
    assert_eq!(runs_logged(files.path()), 1, "typing runs nothing");
    assert!(h.query_by_label_contains("not checked yet").is_some());
    // Check interpreter runs it.
    click_in_view(&mut h, "Check interpreter");
    step_until(&mut h, "the check the button asked for", |a| {
        a.python_probe().is_some()
    });
    assert_eq!(runs_logged(files.path()), 2);
    assert_eq!(h.state().python_probes_started(), 2);

    // The function task, chosen in a fresh workbench, ticks the py-* models and checks it.
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(with_interpreter(
        dir.path(),
        interpreter.to_str().unwrap(),
        &[ModelKind::Sequential, ModelKind::Threads],
    ));
    h.run_steps(10);
    assert_eq!(runs_logged(files.path()), 2);
    pick(&mut h, "Kind", "function");
    assert!(ticked(&h, ModelKind::PyThreading));
    step_until(&mut h, "the check the Python task asked for", |a| {
        a.python_probe().is_some()
    });
    assert_eq!(runs_logged(files.path()), 3);
}

/// An interpreter that runs some py-* models and not others (no dask): Run is greyed naming
/// only the model it cannot run, and only that one is marked.
#[test]
fn run_is_greyed_naming_only_the_python_models_the_interpreter_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let plain = common::gui::plain_python(dir.path());
    let mut h = harness(with_interpreter(
        dir.path(),
        plain.to_str().unwrap(),
        &[
            ModelKind::Sequential,
            ModelKind::PyThreading,
            ModelKind::PyDask,
        ],
    ));
    h.run();
    assert!(!disabled(&h, "Run"), "not checked yet: Run checks it");
    check_python(&mut h);
    h.run();
    assert!(disabled(&h, "Run"));
    assert!(h.query_by_label("py-dask cannot run here").is_some());
    assert!(!estimate_shown(&h));
    let described = |label: &str| {
        h.get_by_label(label)
            .accesskit_node()
            .description()
            .unwrap_or_default()
    };
    assert!(described("py-dask").starts_with("Cannot run here: "));
    assert!(!described("py-threading").contains("Cannot run here"));
    let ctx = h.ctx.clone();
    assert!(!h.state_mut().start_run(&ctx));
    h.run();
    let error = shown_error(&h);
    assert!(error.starts_with("Cannot run: "), "{error}");
    assert!(error.contains("dask"), "{error}");
}

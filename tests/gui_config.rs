#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Workbench tests without a display (egui_kittest): presets, the worker list, errors,
//! persistence. The app writes only into a temporary data directory.

mod common;

use common::gui::{
    MemStorage, app, harness, path_field_text, step_until, submit_path, wait_for_python_probe,
};

use corelab::engine::{SweepConfig, WorkerCommand};
use corelab::gui::{AppSettings, WorkbenchApp};
use corelab::preset::{TaskKind, builtin_presets};
use egui_kittest::kittest::{NodeT, Queryable};

#[test]
fn clicking_a_gallery_preset_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    let io = builtin_presets()
        .iter()
        .map(|p| p.experiment().unwrap())
        .find(|e| e.task.kind == TaskKind::Io)
        .expect("an I/O preset is built in");
    assert_ne!(h.state().experiment(), &io);

    h.get_by_label(&io.name).click();
    h.run();

    assert_eq!(h.state().experiment(), &io);
    assert_eq!(h.state().experiment().task.kind, TaskKind::Io);
    // The config panel shows the new worker list.
    let text = h.get_by_label("Worker counts").value().unwrap_or_default();
    assert_eq!(text, "1, 2, 4, 8");
}

#[test]
fn worker_list_is_edited_in_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    // The interpreter check's repaint must not land in the middle of the edits below.
    wait_for_python_probe(&mut h);
    h.run();

    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, 3, 6-8");
    step_until(&mut h, "the worker list to change", |a| {
        a.experiment().workers == vec![1, 3, 6, 7, 8]
    });
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 3, 6, 7, 8]);

    // A bad list is reported and leaves the experiment alone.
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, two");
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 3, 6, 7, 8]);
    assert!(
        h.query_by_label_contains("\"two\" is not a whole number")
            .is_some()
    );

    // The default-range button: 1 to twice the logical cores.
    // Below the open description: scrolled into view first, as a user would.
    h.get_by_label("1..2× logical cores").scroll_to_me();
    h.run();
    h.get_by_label("1..2× logical cores").click();
    h.run();
    let logical = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = &h.state().experiment().workers;
    assert_eq!(workers.first(), Some(&1));
    assert_eq!(workers.last(), Some(&(2 * logical)));
    let text = h.get_by_label("Worker counts").value().unwrap_or_default();
    assert!(text.starts_with("1, 2"), "panel shows {text:?}");
}

#[test]
fn model_checkboxes_change_the_models() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    let had_gil = h
        .state()
        .experiment()
        .models
        .contains(&corelab::preset::ModelKind::GilThreads);
    // The model list may be below the fold of the scrolling left panel.
    h.get_by_label("gil-threads").scroll_to_me();
    h.run();
    h.get_by_label("gil-threads").click();
    h.run();
    assert_eq!(
        h.state()
            .experiment()
            .models
            .contains(&corelab::preset::ModelKind::GilThreads),
        !had_gil
    );
}

/// A model the task cannot run is greyed out, saying why (the rule validation applies), so
/// that the panel never offers a box that Run would refuse: tokio and py-asyncio for a
/// contention task.
#[test]
fn models_the_task_cannot_run_are_greyed_out_with_the_reason() {
    use corelab::preset::{ModelKind, model_refusal};
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    let mut exp = h.state().experiment().clone();
    exp.task.kind = TaskKind::Contention;
    exp.models = vec![ModelKind::Sequential, ModelKind::Threads];
    h.state_mut().set_experiment(exp.clone());
    h.run();
    for m in [ModelKind::Tokio, ModelKind::PyAsyncio] {
        let reason = model_refusal(m, &exp.task).expect("refused for a contention task");
        assert!(
            h.get_by_label(m.id()).accesskit_node().is_disabled(),
            "{m} is greyed out"
        );
        assert!(
            h.query_by_label_contains(reason).is_some(),
            "the panel says why {m} is greyed: {reason}"
        );
    }
    // What the task can run stays available.
    for m in [
        ModelKind::Threads,
        ModelKind::Processes,
        ModelKind::GilThreads,
    ] {
        assert!(model_refusal(m, &exp.task).is_none());
        assert!(
            !h.get_by_label(m.id()).accesskit_node().is_disabled(),
            "{m}"
        );
    }
}

#[test]
fn a_broken_preset_file_shows_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{ "version": 1, "workers": "many" }"#).unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    // The interpreter check's answer redraws the panel: let it land before typing.
    wait_for_python_probe(&mut h);
    let before = h.state().experiment().clone();

    // Native dialogs are off in tests, so the button opens the typed-path prompt.
    h.get_by_label("Open preset…").click();
    h.run();
    submit_path(&mut h, &broken, "Open");
    // The load runs on a helper thread with a spinner showing: step, do not wait to settle.
    h.step();
    step_until(&mut h, "the preset load to finish", |a| !a.files_busy());

    assert!(
        h.query_by_label_contains("Cannot open preset").is_some(),
        "an error message is shown"
    );
    let message = h
        .state()
        .messages()
        .iter()
        .find(|m| m.is_error)
        .expect("the message is an error");
    assert!(
        message.text.contains("broken.json"),
        "names the file: {}",
        message.text
    );
    assert!(
        message.text.contains("`workers`"),
        "names the field: {}",
        message.text
    );
    assert_eq!(
        h.state().experiment(),
        &before,
        "a broken preset changes nothing"
    );
}

/// A preset that opens after one that could not answers the earlier error: the red
/// "Cannot open preset …broken.json" goes, and so does an earlier results file's error when
/// a preset opens; a results file that opens clears a preset's error too.
#[test]
fn a_file_that_opens_clears_the_error_of_one_that_did_not() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{ "version": 1, "workers": "many" }"#).unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{ "name": "a good preset", "workers": [1, 2] }"#).unwrap();
    let results = dir.path().join("results.json");
    common::gui::two_cell_results(builtin_presets()[0].experiment().unwrap())
        .save(&results)
        .unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    let ctx = h.ctx.clone();
    let open_preset = |h: &mut egui_kittest::Harness<'_, WorkbenchApp>, path: &std::path::Path| {
        h.state_mut().open_preset_path(&ctx, path.to_path_buf());
        h.step();
        step_until(h, "the preset load to finish", |a| !a.files_busy());
        h.run();
    };
    let errors = |h: &egui_kittest::Harness<'_, WorkbenchApp>| -> Vec<String> {
        h.state()
            .messages()
            .iter()
            .filter(|m| m.is_error)
            .map(|m| m.text.clone())
            .collect()
    };

    open_preset(&mut h, &broken);
    assert!(h.query_by_label_contains("Cannot open preset").is_some());
    open_preset(&mut h, &good);
    assert_eq!(h.state().experiment().name, "a good preset");
    assert_eq!(errors(&h), Vec::<String>::new());
    assert!(h.query_by_label_contains("Cannot open preset").is_none());

    // A results file that opens answers a preset's error too.
    open_preset(&mut h, &broken);
    assert_eq!(errors(&h).len(), 1);
    common::gui::open_results(&mut h, &results);
    assert_eq!(errors(&h), Vec::<String>::new());
}

#[test]
fn an_invalid_configuration_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    // A list that parses but that the experiment rejects: a count given twice.
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, 2, 2");
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 2, 2]);
    h.get_by_label("Run").click();
    h.run();
    assert!(
        !h.state().is_running(),
        "an invalid experiment must not start"
    );
    assert!(
        h.query_by_label_contains("`workers[2]` = 2: worker count listed twice")
            .is_some(),
        "the validation message is shown"
    );
    assert!(corelab::gui::autosave::recent_listing(dir.path()).is_empty());
}

#[test]
fn a_results_file_opens_with_its_curves() {
    let dir = tempfile::tempdir().unwrap();
    let results = common::gui::two_cell_results(builtin_presets()[0].experiment().unwrap());
    let path = dir.path().join("some-results.json");
    results.save(&path).unwrap();

    let mut h = harness(app(dir.path()));
    h.step();
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path.clone());
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    let shown = h.state().results().unwrap();
    assert_eq!(shown.cells.len(), 2);
    assert_eq!(
        shown
            .cell(corelab::preset::ModelKind::Threads, 2)
            .unwrap()
            .speedup,
        Some(2.0)
    );

    h.get_by_label("Results table").click();
    h.run();
    assert!(h.query_by_label("threads × 2").is_some());
    assert!(h.query_by_label("2.00×").is_some());
}

#[test]
fn the_last_configuration_is_restored() {
    use eframe::App as _;
    let dir = tempfile::tempdir().unwrap();
    let settings = AppSettings {
        restore_state: true,
        ..AppSettings::headless(dir.path())
    };
    let config = SweepConfig::new(WorkerCommand::new(env!("CARGO_BIN_EXE_corelab")));
    let mut first = WorkbenchApp::new(config.clone(), settings.clone(), None);
    let mut exp = first.experiment().clone();
    exp.name = "Remembered".into();
    exp.workers = vec![1, 5];
    first.set_experiment(exp.clone());
    first.set_tab(corelab::gui::Tab::WallTime);
    let mut storage = MemStorage::default();
    first.save(&mut storage);

    let second = WorkbenchApp::new(config, settings, Some(&storage));
    assert_eq!(second.experiment(), &exp);
    assert_eq!(second.tab(), corelab::gui::Tab::WallTime);
}

#[test]
fn save_preset_writes_a_loadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("saved-preset.json");
    let mut h = harness(app(dir.path()));
    h.step();
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, 3");
    h.run();

    h.get_by_label("Save preset…").click();
    h.run();
    submit_path(&mut h, &target, "Save");
    // The write runs on a helper thread with a spinner showing: step, do not wait to settle.
    h.step();
    step_until(&mut h, "the preset to be written", |a| !a.files_busy());

    let saved = corelab::preset::Experiment::load(&target).expect("the saved preset loads");
    assert_eq!(&saved, h.state().experiment());
    assert_eq!(saved.workers, vec![1, 3]);
    assert!(h.query_by_label_contains("Preset saved to").is_some());
}

#[test]
fn recent_results_reopen_an_autosaved_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let results_dir = corelab::gui::autosave::results_dir(dir.path());
    std::fs::create_dir_all(&results_dir).unwrap();
    let mut results = corelab::results::ResultsFile {
        experiment: builtin_presets()[0].experiment().unwrap(),
        status: corelab::results::RunStatus::Cancelled,
        ..Default::default()
    };
    results.cells.push(corelab::results::CellResult {
        model: Some(corelab::preset::ModelKind::Sequential),
        workers: 1,
        samples: vec![corelab::results::Sample {
            wall_s: 1.0,
            cpu_s: 1.0,
            checksum: 1,
            ..Default::default()
        }],
        ..Default::default()
    });
    results.recompute();
    let path = results_dir.join("2026-01-01T00-00-00Z_earlier-sweep.json");
    results.save(&path).unwrap();

    let mut h = harness(app(dir.path()));
    h.step();
    // The list is read off the UI thread: the menu says so until it arrives.
    h.get_by_label("Recent results").click();
    h.run();
    step_until(&mut h, "the recent results to be read", |a| {
        !a.recent_results_reading()
    });
    assert!(h.query_by_label("Reading the saved results…").is_none());
    assert_eq!(h.state().recent_results(), std::slice::from_ref(&path));
    h.get_by_label(&corelab::gui::autosave::recent_label(&path))
        .click();
    h.run();
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    assert_eq!(h.state().results_path(), Some(path.as_path()));
    assert_eq!(
        h.state().results().unwrap().status,
        corelab::results::RunStatus::Cancelled
    );
}

#[test]
fn the_minimum_time_per_cell_is_edited_in_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    let node = h.get_by_label("Min. time per cell");
    node.set_value_accesskit(0.25);
    h.run();
    assert_eq!(h.state().experiment().min_time_s, 0.25);
}

/// Choosing the function task kind switches the baseline to each model's own one-worker run:
/// the sequential model cannot call a Python function, so the default baseline would fail.
#[test]
fn choosing_a_function_task_takes_a_baseline_it_can_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    assert_eq!(
        h.state().experiment().baseline,
        corelab::preset::Baseline::Sequential
    );
    h.get_by_label("Kind").click();
    h.run();
    h.get_by_label("function").click();
    h.run();
    assert_eq!(
        h.state().experiment().task.kind,
        corelab::preset::TaskKind::Function
    );
    assert_eq!(
        h.state().experiment().baseline,
        corelab::preset::Baseline::SameModelOneWorker
    );
    // The models that cannot call a function are unticked, the Python pair ticked, and the
    // start preset's target time per run, which a function cannot be sized to, dropped.
    use corelab::preset::ModelKind;
    assert_eq!(
        h.state().experiment().models,
        vec![ModelKind::PyThreading, ModelKind::PyMultiprocessing]
    );
    assert_eq!(h.state().experiment().target_run_s, 0.0);
    // Back to a command: only models that can run one.
    h.get_by_label("Kind").click();
    h.run();
    h.get_by_label("command").click();
    h.run();
    assert_eq!(
        h.state().experiment().models,
        vec![ModelKind::Sequential, ModelKind::Threads]
    );
}

/// Every task kind's fields have accessible names (the harness checks each frame): a screen
/// reader can say what each field is, and tests can find it by its label.
#[test]
fn every_task_kind_s_fields_are_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    for kind in corelab::preset::TaskKind::ALL {
        h.get_by_label("Kind").click();
        h.run();
        h.get_by_label(kind.id()).click();
        h.run();
        assert_eq!(h.state().experiment().task.kind, kind);
    }
}

/// The measurement fields keep their identity when the Python section above them appears or
/// goes (a py-* model ticked, the interpreter check answering): an edit made in that frame
/// was lost, since every widget below had changed id (the minimum-time test failed one run
/// in five this way when the check answered during it).
#[test]
fn fields_below_the_python_section_keep_their_identity_when_it_appears() {
    use egui_kittest::kittest::NodeT;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    h.run();
    let before = h.get_by_label("Min. time per cell").accesskit_node().id();
    let mut exp = h.state().experiment().clone();
    exp.models.push(corelab::preset::ModelKind::PyThreading);
    h.state_mut().set_experiment(exp);
    h.run();
    assert!(
        h.query_by_label("Start method").is_some()
            || h.query_by_label_contains("Interpreter").is_some()
    );
    assert_eq!(
        h.get_by_label("Min. time per cell").accesskit_node().id(),
        before
    );
}

/// A preset sized to a run time (`target_run_s`) shows it next to the task, says that the
/// size typed above is only where calibration starts, and lets it be turned off.
#[test]
fn the_time_a_run_is_sized_to_is_shown_and_edited_with_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path());
    let mut exp = a.experiment().clone();
    exp.task.kind = corelab::preset::TaskKind::Cpu;
    exp.target_run_s = 0.5;
    a.set_experiment(exp);
    let mut h = harness(a);
    h.step();
    h.run();
    assert!(
        h.query_by_label_contains("is only the starting point: Run calibrates it")
            .is_some()
    );
    h.get_by_label("Size to a run of").set_value_accesskit(0.0);
    h.run();
    assert_eq!(h.state().experiment().target_run_s, 0.0);
    assert!(
        h.query_by_label_contains("is only the starting point")
            .is_none(),
        "off: the size is measured as typed"
    );
}

#[test]
fn a_description_shows_its_code_spans_without_backticks() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    let lost = builtin_presets()
        .iter()
        .find(|p| p.id == "lost-updates")
        .unwrap()
        .experiment()
        .unwrap();
    assert!(lost.description.contains("`--chart lost-updates`"));
    app.set_experiment(lost.clone());
    let mut h = harness(app);
    h.run();
    // Open without a click: a preset's description is shown unless the user collapsed it.
    assert!(h.state().description_open());
    // (A label's text is its accessible value.)
    let shown = h.get_by_label_contains("--chart lost-updates");
    let text = shown.accesskit_node().value().unwrap_or_default();
    assert!(text.contains("; --chart lost-updates)"), "{text}");
    assert!(text.contains("in counter += 1."), "{text}");
    assert!(!text.contains('`'), "{text}");
}

#[test]
fn saves_and_exports_propose_a_file_named_after_what_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    let exp = builtin_presets()[0].experiment().unwrap();
    let results = common::gui::two_cell_results(exp.clone());
    let folder = dir.path().join("my runs");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("laptop.json");
    results.save(&path).unwrap();

    let mut h = harness(app(dir.path()));
    h.step();
    // Nothing shown yet: a preset is proposed in the current directory, named after it.
    h.get_by_label("Save preset…").click();
    h.run();
    let cwd = std::env::current_dir().unwrap();
    let slug = |name: &str| corelab::gui::autosave::slug(name);
    let expected = cwd.join(format!("{}.json", slug(&h.state().experiment().name)));
    assert_eq!(path_field_text(&h), expected.display().to_string());
    h.state_mut()
        .push_command(corelab::gui::command::Command::ClosePathPrompt);
    h.run();

    // Results opened from a folder of the user's: exports go beside them.
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path.clone());
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    h.get_by_label("Export report…").click();
    h.run();
    // Named as the export dialog names the results' files.
    let stem = |name: &str| corelab::gui::export_dialog::file_stem(name);
    let expected = folder.join(format!("{}-report.md", stem(&results.experiment.name)));
    assert_eq!(path_field_text(&h), expected.display().to_string());
    assert_eq!(
        h.state()
            .proposed_path(corelab::gui::file_dialogs::FileAction::ExportChart),
        Some(folder.join(format!("{}-speedup", stem(&results.experiment.name))))
    );

    // An autosaved sweep lives in corelab's hidden data folder: exports go to the current
    // directory instead.
    let autosaved_dir = corelab::gui::autosave::results_dir(dir.path());
    std::fs::create_dir_all(&autosaved_dir).unwrap();
    let autosaved = autosaved_dir.join("sweep.json");
    results.save(&autosaved).unwrap();
    h.state_mut()
        .push_command(corelab::gui::command::Command::ClosePathPrompt);
    h.state_mut().open_results_path(&ctx, autosaved);
    step_until(&mut h, "the autosaved results to load", |a| {
        a.results_path().is_some_and(|p| p.ends_with("sweep.json")) && !a.files_busy()
    });
    assert_eq!(
        h.state()
            .proposed_path(corelab::gui::file_dialogs::FileAction::ExportCsv),
        Some(cwd.join(format!("{}.csv", stem(&results.experiment.name))))
    );
}

/// A number typed into a panel field beyond its range is capped at the range's end, and the
/// note below the section names that same end (the field states its range once).
#[test]
fn a_task_count_typed_beyond_its_range_is_capped_and_the_note_says_to_what() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    let tasks = || eframe::egui::Role::SpinButton;
    h.get_by_role_and_label(tasks(), "Tasks").click();
    h.run();
    h.get_by_role_and_label(tasks(), "Tasks")
        .type_text("99999999999");
    h.run();
    h.key_press(eframe::egui::Key::Enter);
    h.run();
    let max = corelab::preset::limits::MAX_TASKS;
    assert_eq!(h.state().experiment().task.tasks, max);
    assert!(
        h.query_by_label(&format!(
            "Tasks: 99999999999 is outside what this field takes: set to {max}"
        ))
        .is_some()
    );
}

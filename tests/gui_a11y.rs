#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench by keyboard alone and through a screen reader's view (egui_kittest reads
//! the AccessKit tree a screen reader gets): what Escape does, where focus goes, what the
//! controls, charts, table rows and messages are called, and the shortcuts to the tabs.

mod common;

use std::path::Path;

use common::gui::{
    Gate, PATH_FIELD, app, check_python, harness, held_sweep, step_until, submit_path,
    two_cell_results, until_round_one, wait_for_python_probe,
};

use corelab::gui::{Tab, WorkbenchApp};
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{ResultsFile, Sample};
use eframe::egui::accesskit::Live;
use eframe::egui::{Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// Opens `results` from a file in `dir`, as "Open results…" does.
fn opened(dir: &Path, results: &ResultsFile) -> Harness<'static, WorkbenchApp> {
    let mut h = common::gui::opened(dir, results);
    h.run();
    h
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
    assert!(focused(&h, PATH_FIELD), "the prompt's field takes focus");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(h.query_by_label(PATH_FIELD).is_none(), "the prompt closed");
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
fn the_export_dialog_is_named_takes_focus_and_gives_it_back_on_escape() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(
        dir.path(),
        &two_cell_results(Experiment {
            name: "Named controls".into(),
            ..Experiment::default()
        }),
    );
    // By keyboard: focus on the button, Enter.
    h.get_by_label("Export dialog…").focus();
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(h.state_mut().export_dialog_mut().is_open());
    assert!(focused(&h, "Speedup"), "the first control, the chart shown");
    // Every control is named by its visible label.
    for name in ["Title", "Save to", "Width (px)", "Height (px)"] {
        h.get_by_label(name);
    }
    // The preview has a text alternative.
    let preview = h
        .get_by(|n| n.role() == Role::Image && n.label().is_some_and(|l| l.starts_with("Preview")));
    let alt = preview.accesskit_node().label().unwrap_or_default();
    assert!(
        alt.starts_with("Preview of the speedup chart, 1100 × 700 px: models sequential, threads"),
        "{alt}"
    );
    // The file goes next to the results' file, by an absolute path, and says so.
    let dir_text = dir.path().display().to_string();
    let save_to = h.get_by_label("Save to").value().unwrap_or_default();
    assert_eq!(save_to, format!("{dir_text}/named-controls-speedup"));
    h.get_by_label(&format!(
        "Writes {dir_text}/named-controls-speedup.png, {dir_text}/named-controls-speedup.svg"
    ));
    // A control greyed out says why in its label.
    assert!(
        h.get_by_label("log speedup (needs log₂ workers)")
            .accesskit_node()
            .is_disabled()
    );

    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state_mut().export_dialog_mut().is_open());
    assert!(focused(&h, "Export dialog…"), "focus is back on the opener");

    // By mouse: a click gives the button no focus, but focus still comes back to it.
    h.get_by_label("Export dialog…").click();
    h.run();
    assert!(h.state_mut().export_dialog_mut().is_open());
    h.get_by_label("Close window").click();
    h.run();
    assert!(!h.state_mut().export_dialog_mut().is_open());
    assert!(focused(&h, "Export dialog…"));
}

#[test]
fn a_relative_save_to_path_is_shown_and_written_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &two_cell_results(Experiment::default()));
    h.get_by_label("Export dialog…").click();
    h.run();
    h.get_by_label("Save to")
        .set_text_value_accesskit("relative/chart");
    h.run();
    let cwd = std::env::current_dir().unwrap();
    let base = cwd.join("relative/chart");
    h.get_by_label(&format!(
        "Writes {}.png, {}.svg",
        base.display(),
        base.display()
    ));
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
    assert!(focused(&h, PATH_FIELD));
    h.key_press(Key::Escape);
    h.run();
    assert!(h.query_by_label(PATH_FIELD).is_none());
    assert!(focused(&h, "Type a path"));
}

#[test]
fn messages_are_announced_and_dismissed_by_a_named_button() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    // Information: Ctrl+E with nothing to export.
    h.key_press_modifiers(Modifiers::COMMAND, Key::E);
    h.run();
    let info = "Nothing to export yet: run a sweep or open results.";
    assert_eq!(h.get_by_label(info).accesskit_node().live(), Live::Polite);
    // An error: a preset that does not exist.
    let ctx = h.ctx.clone();
    h.state_mut()
        .open_preset_path(&ctx, dir.path().join("missing.json"));
    step_until(&mut h, "the preset to fail", |a| !a.files_busy());
    h.run();
    let error = h.get_by_label_contains("Cannot open preset");
    assert_eq!(error.accesskit_node().live(), Live::Assertive);
    assert_eq!(h.get_all_by_label("Dismiss message").count(), 2);
    // Errors stay (information fades): past the information's time, the error is there.
    let messages = h.state().messages().to_vec();
    assert!(messages.iter().any(|m| m.is_error));
}

#[test]
fn the_top_bar_help_button_and_the_replace_question_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.step();
    wait_for_python_probe(&mut h);
    h.get_by_label("Keyboard shortcuts").click();
    h.run();
    assert!(h.state().help_open());
    // The help lists the tab shortcuts.
    assert!(
        h.query_by_label(
            "Speedup, Efficiency, Wall time, Results table, Fits, Timeline, Lost updates"
        )
        .is_some()
    );
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().help_open());

    h.get_by_label("Name").set_text_value_accesskit("edited");
    h.run();
    let other = corelab::preset::builtin_presets()[1].experiment().unwrap();
    h.get_by_label(&other.name).click();
    h.run();
    assert!(h.state().replace_pending());
    let dialog = h.get_by_role(Role::AlertDialog);
    assert_eq!(
        dialog.accesskit_node().label().as_deref(),
        Some("Replace your edits?")
    );
    assert!(focused(&h, "Keep editing"), "the answer that loses nothing");
    h.key_press(Key::Enter);
    h.run();
    assert!(!h.state().replace_pending());
    assert_eq!(h.state().experiment().name, "edited");
}

/// Two-cell results whose threads cell has six noisy runs: the ±2% target is missed.
fn noisy_results() -> ResultsFile {
    let mut r = two_cell_results(Experiment {
        name: "Noisy".into(),
        precision: 0.02,
        precision_budget_s: 1.0,
        ..Experiment::default()
    });
    r.cells[1].samples = [1.0, 1.5, 0.7, 1.2, 0.9, 1.4]
        .iter()
        .map(|&wall_s| Sample {
            wall_s,
            cpu_s: 2.0,
            checksum: 7,
            ..Default::default()
        })
        .collect();
    r.recompute();
    r
}

#[test]
fn ctrl_4_shows_the_table_whose_rows_are_keyboard_stops_named_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let results = noisy_results();
    let mut h = opened(dir.path(), &results);
    assert_eq!(h.state().tab(), Tab::Speedup);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Num4);
    h.run();
    assert_eq!(h.state().tab(), Tab::Table);

    let rows: Vec<String> = h
        .get_all_by_role(Role::Row)
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].starts_with("sequential × 1: ok, 1 run; median 2."),
        "{rows:?}"
    );
    let threads = &rows[1];
    let cell = &results.cells[1];
    // The columns off to the right, and the speedup's interval (otherwise only in a hover).
    for part in [
        "threads × 2: ok, 6 runs".to_string(),
        "(precision target missed)".to_string(),
        // The baseline has one run: its speedup has no interval to call 95%.
        format!(
            "speedup {:.2}× (no interval (baseline: 1 run))",
            cell.speedup.unwrap(),
        ),
        format!("efficiency {:.0} %", cell.efficiency.unwrap() * 100.0),
    ] {
        assert!(threads.contains(&part), "{part:?} in {threads:?}");
    }
    // The missed target is marked in words, not by its colour alone (both cells miss it:
    // the baseline has one run, the threads cell is noisy).
    let marked = |v: &str| v.ends_with(corelab::gui::results_table::MISSED_MARK);
    assert_eq!(
        h.query_all_by(|n| n.role() == Role::Label && n.value().is_some_and(|v| marked(&v)))
            .count(),
        2
    );

    // A row takes focus, and Tab goes on to the next one.
    let first = h.get_by(|n| {
        n.role() == Role::Row && n.label().is_some_and(|l| l.starts_with("sequential × 1"))
    });
    first.focus();
    h.run();
    h.key_press(Key::Tab);
    h.run();
    let focused_row = h.get_by(|n| n.role() == Role::Row && n.is_focused());
    assert!(
        focused_row
            .accesskit_node()
            .label()
            .is_some_and(|l| l.starts_with("threads × 2")),
    );

    h.key_press_modifiers(Modifiers::COMMAND, Key::Num1);
    h.run();
    assert_eq!(h.state().tab(), Tab::Speedup);
}

#[test]
fn a_chart_is_a_named_keyboard_stop_that_reads_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let h = opened(dir.path(), &two_cell_results(Experiment::default()));
    let chart = h.get_by_role(Role::Image);
    let name = chart.accesskit_node().label().unwrap_or_default();
    assert!(
        name.starts_with(
            "Speedup chart, speedup (× baseline) against 1–2 workers: sequential (baseline) 1.00× at 1, threads 2.00× at 2."
        ),
        "{name}"
    );
    assert!(name.contains("Results table"), "{name}");
}

#[test]
fn results_of_a_calibrated_run_of_this_configuration_offer_nothing_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let exp = Experiment {
        name: "Calibrated".into(),
        target_run_s: 0.5,
        ..Experiment::default()
    };
    let mut results = two_cell_results(exp.clone());
    let chosen = exp.task.cpu.size * 5;
    results.experiment.task.cpu.size = chosen;
    results.calibration = Some(corelab::preset::Calibration {
        target_run_s: 0.5,
        knob: "task.cpu.size".into(),
        preset_size: exp.task.cpu.size as f64,
        chosen_size: chosen as f64,
        ..Default::default()
    });
    let mut h = opened(dir.path(), &results);
    // Opening results does not change the configuration: make it this experiment's.
    h.state_mut().set_experiment(exp.clone());
    h.run();
    assert!(h.query_by_label("Use this configuration").is_none());
    assert!(
        h.query_by_label(&format!(
            "· task.cpu.size calibrated to {chosen} (preset: {})",
            exp.task.cpu.size
        ))
        .is_some()
    );
    // Another edit is a different configuration.
    let mut edited = exp;
    edited.repetitions += 1;
    h.state_mut().set_experiment(edited);
    h.run();
    assert!(h.query_by_label("Use this configuration").is_some());
}

#[test]
fn greyed_out_controls_say_why_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    // An interpreter that answers like a CPython with the GIL and without dask or mpi4py.
    let plain = common::gui::plain_python(dir.path());
    let mut a = app(dir.path());
    let mut exp = a.experiment().clone();
    exp.python.interpreter = plain.display().to_string();
    exp.models = vec![ModelKind::Sequential, ModelKind::Threads];
    a.set_experiment(exp);
    let mut h = harness(a);
    h.step();
    check_python(&mut h);
    h.run();
    let info = h.state().python_probe().unwrap().clone().unwrap();
    for model in [
        ModelKind::PyFreeThreading,
        ModelKind::PyDask,
        ModelKind::PyMpi,
    ] {
        let reason = info.refuses(model).unwrap();
        h.get_by_label(model.id()).scroll_to_me();
        h.run();
        let boxed = h.get_by_label(model.id());
        assert!(boxed.accesskit_node().is_disabled());
        assert_eq!(
            boxed.accesskit_node().description(),
            Some(format!("Unavailable: {reason}")),
        );
        h.get_by_label(&format!("{}: unavailable: {reason}", model.id()));
    }
    // No results: the greyed export buttons say why in the bar.
    h.get_by_label("(these need results: press Run or open a file)");
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
    submit_path(&mut h, &path, "Open");
    h.step();
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some_and(|r| r.experiment.name == "Typed")
    });
}

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Editing without fear (egui_kittest, no display): the modified marker, Reset to preset,
//! undo/redo, asking before a preset replaces edits, the worker buttons, the keyboard
//! shortcuts and their help, "Save results as…", CSV and "Copy table".

mod common;

use common::gui::{
    MemStorage, PATH_FIELD, app, harness, path_field_text, step_until, submit_path, type_path,
    wait_for_python_probe,
};

use corelab::gui::command::Command;
use corelab::gui::editing::Source;
use corelab::gui::results_table::TableFormat;
use corelab::preset::builtin_presets;
use corelab::results::ResultsFile;
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;

const CTRL_SHIFT: Modifiers = Modifiers {
    shift: true,
    ..Modifiers::COMMAND
};

/// A harness on a fresh workbench (the first built-in preset), settled.
fn settled(dir: &std::path::Path) -> egui_kittest::Harness<'static, corelab::gui::WorkbenchApp> {
    let mut h = harness(app(dir));
    h.step();
    wait_for_python_probe(&mut h);
    h.run();
    h
}

fn first_builtin() -> corelab::preset::Experiment {
    builtin_presets()[0].experiment().unwrap()
}

/// A small complete results file: sequential × 1 and threads × 2.
fn some_results() -> ResultsFile {
    common::gui::two_cell_results(first_builtin())
}

/// A settled workbench that has opened `some_results()`, saved as `source.json` in `dir`.
fn with_some_results_open(
    dir: &std::path::Path,
) -> egui_kittest::Harness<'static, corelab::gui::WorkbenchApp> {
    let source = dir.join("source.json");
    some_results().save(&source).unwrap();
    let mut h = settled(dir);
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, source);
    h.step();
    step_until(&mut h, "the results to open", |a| a.results().is_some());
    h
}

#[test]
fn an_edit_shows_modified_and_reset_goes_back_to_the_preset() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    let preset = first_builtin();
    assert_eq!(h.state().experiment(), &preset);
    assert!(!h.state().is_modified());
    assert!(h.query_by_label("modified").is_none());
    assert_eq!(
        h.state().origin().map(|o| o.source.clone()),
        Some(Source::Builtin(builtin_presets()[0].id.to_string()))
    );

    h.get_by_label("Name")
        .set_text_value_accesskit("my own experiment");
    h.run();
    assert_eq!(h.state().experiment().name, "my own experiment");
    assert!(h.state().is_modified());
    assert!(h.query_by_label("modified").is_some());
    // The gallery still marks the preset it came from (by id), as modified.
    assert!(
        h.query_by_label(&format!("{}  (modified)", preset.name))
            .is_some()
    );

    h.get_by_label("Reset to preset").click();
    h.run();
    assert_eq!(h.state().experiment(), &preset);
    assert!(!h.state().is_modified());
    assert!(h.query_by_label("modified").is_none());
}

#[test]
fn ctrl_z_undoes_an_edit_and_ctrl_shift_z_redoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    let original = h.state().experiment().clone();

    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, 3");
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 3]);
    assert!(h.state().can_undo());

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().experiment(), &original);
    // The panel shows the restored list.
    let text = h.get_by_label("Worker counts").value().unwrap_or_default();
    assert_eq!(
        text,
        corelab::gui::config_panel::format_workers(&original.workers)
    );
    assert!(h.state().can_redo());

    h.key_press_modifiers(CTRL_SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 3]);

    // The Undo button does the same as the shortcut.
    h.get_by_label("Undo").click();
    h.run();
    assert_eq!(h.state().experiment(), &original);
    h.get_by_label("Redo").click();
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 3]);
}

#[test]
fn a_gallery_click_asks_before_replacing_edits() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    let other = builtin_presets()[1].experiment().unwrap();

    h.get_by_label("Name").set_text_value_accesskit("edited");
    h.run();
    assert!(h.state().is_modified());

    h.get_by_label(&other.name).click();
    h.run();
    assert!(h.state().replace_pending(), "the question is asked");
    assert_eq!(h.state().experiment().name, "edited");

    h.get_by_label("Keep editing").click();
    h.run();
    assert!(!h.state().replace_pending());
    assert_eq!(h.state().experiment().name, "edited");

    h.get_by_label(&other.name).click();
    h.run();
    h.get_by_label("Replace").click();
    h.run();
    assert_eq!(h.state().experiment(), &other);
    assert!(!h.state().is_modified());
    assert_eq!(
        h.state().origin().map(|o| o.source.clone()),
        Some(Source::Builtin(builtin_presets()[1].id.to_string()))
    );

    // Undo brings the edits back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().experiment().name, "edited");
}

#[test]
fn an_unmodified_configuration_is_replaced_without_a_question() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    let other = builtin_presets()[1].experiment().unwrap();
    h.get_by_label(&other.name).click();
    h.run();
    assert!(!h.state().replace_pending());
    assert_eq!(h.state().experiment(), &other);
}

#[test]
fn a_preset_file_with_a_builtin_name_is_its_own_origin() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = first_builtin();
    exp.workers = vec![1, 5];
    let path = dir.path().join("same-name.json");
    std::fs::write(&path, exp.to_json()).unwrap();

    let mut h = settled(dir.path());
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, path.clone());
    h.step();
    step_until(&mut h, "the preset to load", |a| {
        a.experiment().workers == vec![1, 5]
    });
    h.run();
    let origin = h.state().origin().unwrap();
    assert_eq!(origin.source, Source::File(path));
    assert!(!h.state().is_modified());
    // The gallery entry of the built-in of the same name is not the origin: not "modified".
    assert!(
        h.query_by_label(&format!("{}  (modified)", exp.name))
            .is_none()
    );
}

#[test]
fn the_worker_buttons_always_replace_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    let logical = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Powers of 2 up to twice the cores, with the core count itself: the preset rule.
    let powers = corelab::preset::WorkerRule::TWICE_THE_CORES_POWERS_OF_2.resolve(logical);
    assert!(
        powers.contains(&logical) && powers.contains(&1),
        "{powers:?}"
    );
    let powers_text = corelab::gui::config_panel::format_workers(&powers);

    // Below the open description: scrolled into view first, as a user would.
    h.get_by_label("Powers of 2").scroll_to_me();
    h.run();
    h.get_by_label("Powers of 2").click();
    h.run();
    assert_eq!(h.state().experiment().workers, powers);

    // A bad list typed since: the button still replaces it, though the list is unchanged.
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("0, 2, abc");
    h.run();
    assert!(
        h.query_by_label_contains("a worker count is at least 1")
            .is_some()
    );
    // Below the open description: scrolled into view first, as a user would.
    h.get_by_label("Powers of 2").scroll_to_me();
    h.run();
    h.get_by_label("Powers of 2").click();
    h.run();
    let text = h.get_by_label("Worker counts").value().unwrap_or_default();
    assert_eq!(text, powers_text);
    assert!(h.query_by_label_contains("\"abc\"").is_none());
    assert!(
        h.query_by_label_contains("a worker count is at least 1")
            .is_none()
    );

    let range = corelab::preset::one_to_twice_the_cores(logical);
    // Below the open description: scrolled into view first, as a user would.
    h.get_by_label("1..2× logical cores").scroll_to_me();
    h.run();
    h.get_by_label("1..2× logical cores").click();
    h.run();
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("x");
    h.run();
    // Below the open description: scrolled into view first, as a user would.
    h.get_by_label("1..2× logical cores").scroll_to_me();
    h.run();
    h.get_by_label("1..2× logical cores").click();
    h.run();
    let text = h.get_by_label("Worker counts").value().unwrap_or_default();
    assert_eq!(text, corelab::gui::config_panel::format_workers(&range));
    assert_eq!(h.state().experiment().workers, range);
}

#[test]
fn f1_shows_the_shortcuts_and_escape_closes_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    assert!(!h.state().help_open());
    // The top bar's "?" button is named so for a screen reader; the overlay adds its window.
    assert_eq!(h.query_all_by_label("Keyboard shortcuts").count(), 1);
    h.key_press(Key::F1);
    h.run();
    assert!(h.state().help_open());
    assert_eq!(h.query_all_by_label("Keyboard shortcuts").count(), 2);
    assert!(h.query_by_label("Undo a configuration edit").is_some());
    h.key_press(Key::Escape);
    h.run();
    assert!(!h.state().help_open());
    assert!(h.query_by_label("Undo a configuration edit").is_none());
}

#[test]
fn ctrl_o_and_ctrl_s_open_the_file_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("by-shortcut.json");
    let mut h = settled(dir.path());

    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run();
    assert!(h.query_by_label("Open preset").is_some());
    // The prompt's Cancel (the other is the sweep's, disabled).
    h.get_all_by_label("Cancel").last().unwrap().click();
    h.run();
    assert!(h.query_by_label("Open preset").is_none());

    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    assert!(h.query_by_label("Save preset").is_some());
    submit_path(&mut h, &target, "Save");
    h.step();
    step_until(&mut h, "the preset to be written", |a| !a.files_busy());
    let saved = corelab::preset::Experiment::load(&target).unwrap();
    assert_eq!(&saved, h.state().experiment());
    // What was saved is now where the configuration comes from.
    assert_eq!(
        h.state().origin().map(|o| o.source.clone()),
        Some(Source::File(target))
    );
}

#[test]
fn f5_and_ctrl_enter_run_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    // An invalid list: the run is refused with its reason, which shows the shortcut asked.
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("0");
    h.run();
    h.key_press(Key::F5);
    h.run();
    assert!(!h.state().is_running());
    let refused = |h: &egui_kittest::Harness<'_, corelab::gui::WorkbenchApp>| {
        h.state()
            .messages()
            .iter()
            .filter(|m| m.is_error && m.text.starts_with("Cannot run: the worker counts"))
            .count()
    };
    assert_eq!(refused(&h), 1);
    // An error stays until dismissed (its "×", named "Dismiss message").
    assert_eq!(h.get_all_by_label("Dismiss message").count(), 1);
    h.get_by_label("Dismiss message").click();
    h.run();
    assert_eq!(refused(&h), 0);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    assert_eq!(refused(&h), 1);
    // The notice goes once the field is wrong another way (the field shows the new error)...
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("abc");
    h.run();
    assert_eq!(refused(&h), 0);
    h.key_press(Key::F5);
    h.run();
    assert_eq!(refused(&h), 1);
    assert!(
        h.query_by_label_contains("Cannot run: the worker counts: \"abc\" is not a whole number")
            .is_some()
    );
    // ...or right.
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("1, 2");
    h.run();
    assert_eq!(refused(&h), 0);
}

#[test]
fn save_results_as_writes_a_results_file_that_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("saved-as.json");

    let mut h = with_some_results_open(dir.path());
    h.run();

    h.get_by_label("Save results as…").click();
    h.run();
    submit_path(&mut h, &target, "Save");
    h.step();
    step_until(&mut h, "the results to be written", |a| !a.files_busy());
    h.run();

    let saved = ResultsFile::load(&target).expect("the saved results load");
    assert_eq!(saved.cells.len(), 2);
    assert_eq!(saved.cells, h.state().results().unwrap().cells);
    assert!(h.query_by_label_contains("Results saved to").is_some());
}

#[test]
fn a_failed_save_results_says_the_results_were_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that does not exist: the write fails.
    let target = dir.path().join("no-such-dir").join("saved-as.json");

    let mut h = with_some_results_open(dir.path());
    h.run();

    h.get_by_label("Save results as…").click();
    h.run();
    submit_path(&mut h, &target, "Save");
    h.step();
    step_until(&mut h, "the save to end", |a| !a.files_busy());
    h.run();

    assert!(!target.exists());
    assert!(h.query_by_label_contains("Cannot save results:").is_some());
    assert!(h.query_by_label_contains("Cannot export").is_none());
}

#[test]
fn csv_export_and_copy_table_hold_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("table.csv");

    let mut h = with_some_results_open(dir.path());
    let ctx = h.ctx.clone();
    h.state_mut().export_csv_path(&ctx, csv.clone());
    h.step();
    step_until(&mut h, "the CSV to be written", |a| !a.files_busy());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 3, "a header and two cells:\n{text}");
    assert!(text.lines().nth(2).unwrap().starts_with("threads,2,ok"));

    let md = h.state().table_text(TableFormat::Markdown).unwrap();
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines.len(), 4, "{md}");
    assert!(lines[0].starts_with("| model | workers |"));
    assert!(lines[3].starts_with("| threads | 2 | 1 | 1.0000 |"), "{md}");
    // Efficiency in percent: speedup 2 on 2 workers.
    assert!(lines[3].contains("| 100.0 |"), "{md}");

    let tsv = h.state().table_text(TableFormat::TabSeparated).unwrap();
    let row: Vec<&str> = tsv.lines().nth(1).unwrap().split('\t').collect();
    assert_eq!(&row[..3], &["sequential", "1", "1"]);

    // The command puts it on the clipboard (egui's output for the platform).
    h.state_mut()
        .push_command(Command::CopyTable(TableFormat::TabSeparated));
    h.step();
    let copied: Vec<&String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            eframe::egui::OutputCommand::CopyText(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(copied, vec![&tsv]);
    assert!(
        h.state()
            .messages()
            .iter()
            .any(|m| m.text == "Table copied to the clipboard (tab-separated).")
    );
}

#[test]
fn information_fades_and_errors_stay_until_dismissed() {
    let dir = tempfile::tempdir().unwrap();
    // Half a second of egui time per step.
    let mut h = egui_kittest::Harness::builder()
        .with_size(eframe::egui::vec2(1280.0, 800.0))
        .with_step_dt(0.5)
        .build_ui_state(
            |ui, app: &mut corelab::gui::WorkbenchApp| app.show(ui),
            app(dir.path()),
        );
    h.step();
    // An error (a run refused) and information (Copy table with nothing to copy).
    h.get_by_label("Worker counts")
        .set_text_value_accesskit("0");
    h.step();
    h.key_press(Key::F5);
    h.state_mut()
        .push_command(Command::CopyTable(TableFormat::Markdown));
    // Commands are applied after drawing: the notices show on the next frame.
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("No results to copy yet")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("Cannot run: the worker counts")
            .is_some()
    );
    for _ in 0..20 {
        h.step();
    }
    // Ten seconds later the information is gone, the error is still there.
    assert!(
        h.query_by_label_contains("No results to copy yet")
            .is_none()
    );
    assert!(
        h.query_by_label_contains("Cannot run: the worker counts")
            .is_some()
    );
    assert_eq!(h.state().messages().len(), 1);
}

#[test]
fn the_path_prompt_takes_focus_and_keeps_the_text_after_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-preset.json");
    let mut h = settled(dir.path());

    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run();
    assert!(h.get_by_label(PATH_FIELD).is_focused());
    submit_path(&mut h, &missing, "Open");
    h.step();
    step_until(&mut h, "the open to fail", |a| !a.files_busy());
    h.run();
    // The prompt is back with the same text, focused, and says why.
    let field = h.get_by_label(PATH_FIELD);
    assert_eq!(field.value().unwrap_or_default(), missing.to_str().unwrap());
    assert!(field.is_focused());
    assert!(h.query_all_by_label_contains("Cannot open preset").count() >= 1);
}

#[test]
fn the_in_app_browser_lists_a_folder_and_picks_a_preset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut exp = builtin_presets()[1].experiment().unwrap();
    exp.workers = vec![1, 7];
    let file = dir.path().join("picked.json");
    std::fs::write(&file, exp.to_json()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a preset").unwrap();

    let mut h = settled(dir.path());
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run();
    type_path(&mut h, &format!("{}/", dir.path().display()));
    // Folders first, then the JSON files; other kinds are not listed.
    assert!(h.query_by_label("sub/").is_some());
    assert!(h.query_by_label("notes.txt").is_none());

    // Into a folder and back up: the field follows.
    h.get_by_label("sub/").click();
    h.run();
    let text = path_field_text(&h);
    assert_eq!(text, format!("{}/", dir.path().join("sub").display()));
    h.get_by_label("Up").click();
    h.run();

    h.get_by_label("picked.json").click();
    h.run();
    let text = path_field_text(&h);
    assert_eq!(text, file.display().to_string());
    h.get_by_label("Open").click();
    h.step();
    step_until(&mut h, "the picked preset to load", |a| {
        a.experiment().workers == vec![1, 7]
    });
}

#[test]
fn a_question_mark_opens_the_help_unless_a_field_takes_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = settled(dir.path());
    h.event(eframe::egui::Event::Text("?".into()));
    h.run();
    assert!(h.state().help_open());
    h.key_press(Key::F1);
    h.run();
    assert!(!h.state().help_open());

    // Typing `?` into the name field types it.
    h.get_by_label("Name").focus();
    h.run();
    h.event(eframe::egui::Event::Text("?".into()));
    h.run();
    assert!(!h.state().help_open());
    assert!(h.state().experiment().name.ends_with('?'));
}

#[test]
fn the_origin_is_remembered_so_modified_and_reset_survive_a_restart() {
    use eframe::App as _;
    let dir = tempfile::tempdir().unwrap();
    let settings = corelab::gui::AppSettings {
        restore_state: true,
        ..corelab::gui::AppSettings::headless(dir.path())
    };
    let config = common::config();
    let mut h = egui_kittest::Harness::builder()
        .with_size(eframe::egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut corelab::gui::WorkbenchApp| app.show(ui),
            corelab::gui::WorkbenchApp::new(config.clone(), settings.clone(), None),
        );
    h.step();
    wait_for_python_probe(&mut h);
    h.get_by_label("Name")
        .set_text_value_accesskit("edited before closing");
    h.run();
    assert!(h.state().is_modified());
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);

    let second = corelab::gui::WorkbenchApp::new(config, settings, Some(&storage));
    assert_eq!(second.experiment().name, "edited before closing");
    assert!(second.is_modified());
    assert_eq!(
        second.origin().map(|o| o.experiment.clone()),
        Some(first_builtin())
    );
}

#[test]
fn an_opened_preset_file_asks_before_replacing_edits() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = builtin_presets()[2].experiment().unwrap();
    exp.workers = vec![1, 6];
    let file = dir.path().join("other.json");
    std::fs::write(&file, exp.to_json()).unwrap();

    let mut h = settled(dir.path());
    h.get_by_label("Name").set_text_value_accesskit("unsaved");
    h.run();
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, file.clone());
    h.step();
    step_until(&mut h, "the question", |a| a.replace_pending());
    assert_eq!(h.state().experiment().name, "unsaved");
    h.get_by_label("Replace").click();
    h.run();
    assert_eq!(h.state().experiment().workers, vec![1, 6]);
    assert_eq!(
        h.state().origin().map(|o| o.source.clone()),
        Some(Source::File(file))
    );
}

/// A function preset shows its own arguments, not the ones typed for the preset before it
/// (the text was kept per field and never written anew), and a function preset without
/// `tasks` opens unmodified, so the next one replaces it without a question.
#[test]
fn a_function_preset_shows_its_own_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let function_preset = |name: &str, args: &str| {
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(
            &file,
            format!(
                r#"{{"name": "{name}", "task": {{"kind": "function",
                    "function": {{"file": "work.py", "name": "f", "args": {args}}}}},
                    "models": ["py-threading"], "baseline": "same-model-one-worker"}}"#
            ),
        )
        .unwrap();
        file
    };
    let first = function_preset("first", "[200000, 200000, 200000, 200000]");
    let second = function_preset("second", "[1, 2]");
    let mut h = settled(dir.path());
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, first);
    h.run();
    assert_eq!(h.state().experiment().name, "first");
    assert_eq!(
        h.get_by_label("Arguments").value().as_deref(),
        Some("[200000,200000,200000,200000]")
    );
    assert!(!h.state().replace_pending());
    h.state_mut().open_preset_path(&ctx, second);
    h.run();
    assert!(
        !h.state().replace_pending(),
        "the first preset was not edited, so nothing asks"
    );
    assert_eq!(h.state().experiment().name, "second");
    assert_eq!(
        h.get_by_label("Arguments").value().as_deref(),
        Some("[1,2]")
    );
    assert_eq!(h.state().experiment().task.tasks, 2);
}

/// A typed path never writes over a file the workbench has open, and asks before replacing
/// any other existing file (a CSV export had silently replaced the compared results file).
#[test]
fn a_typed_path_asks_before_replacing_and_never_writes_over_an_open_file() {
    let dir = tempfile::tempdir().unwrap();
    let compared = dir.path().join("compared.json");
    some_results().save(&compared).unwrap();
    let before = std::fs::read(&compared).unwrap();
    let precious = dir.path().join("precious.csv");
    std::fs::write(&precious, "PRECIOUS").unwrap();

    let mut h = with_some_results_open(dir.path());
    let ctx = h.ctx.clone();
    h.state_mut().add_compare_path(&ctx, compared.clone());
    h.step();
    step_until(&mut h, "the comparison to open", |a| !a.files_busy());
    h.run();

    let export_to = |h: &mut egui_kittest::Harness<'static, corelab::gui::WorkbenchApp>,
                     path: &std::path::Path| {
        h.get_by_label("Export CSV…").click();
        h.run();
        submit_path(h, path, "Export");
        h.run();
    };
    // An existing file: the prompt says so and offers Replace; nothing is written yet.
    export_to(&mut h, &precious);
    assert!(h.query_by_label_contains("exists: press Replace").is_some());
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "PRECIOUS");
    h.get_by_label("Replace").click();
    h.step();
    step_until(&mut h, "the CSV to be written", |a| !a.files_busy());
    h.run();
    assert!(
        std::fs::read_to_string(&precious)
            .unwrap()
            .starts_with("model,workers")
    );

    // The compared results file: even Replace is refused, and the file is untouched.
    export_to(&mut h, &compared);
    h.get_by_label("Replace").click();
    h.step();
    step_until(&mut h, "the export to be refused", |a| !a.files_busy());
    h.run();
    assert!(
        h.query_all_by_label_contains("is a results file being compared")
            .count()
            >= 1
    );
    assert_eq!(std::fs::read(&compared).unwrap(), before);
}

/// A preset whose name is not UTF-8 and holds a newline is listed legibly on one line
/// (`\xff`, `\n`), in the list and in the field, and picking it opens that exact file, not
/// one named by the text shown.
#[test]
fn the_in_app_browser_opens_a_file_whose_name_is_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let mut exp = builtin_presets()[1].experiment().unwrap();
    exp.workers = vec![1, 5];
    let file = dir.path().join(OsStr::from_bytes(b"odd \xff\nname.json"));
    std::fs::write(&file, exp.to_json()).unwrap();

    let mut h = settled(dir.path());
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run();
    type_path(&mut h, &format!("{}/", dir.path().display()));
    h.get_by_label("odd \\xff\\nname.json").click();
    h.run();
    let text = path_field_text(&h);
    assert_eq!(
        text,
        format!("{}/odd \\xff\\nname.json", dir.path().display())
    );
    h.get_by_label("Open").click();
    h.step();
    step_until(&mut h, "the picked preset to load", |a| {
        a.experiment().workers == vec![1, 5]
    });
}

/// An experiment opened from a file whose name is not UTF-8 is still kept across a restart:
/// the path cannot be written into the saved state (JSON), and used to lose all of it.
#[test]
fn a_preset_file_whose_name_is_not_utf8_does_not_lose_the_saved_state() {
    use eframe::App as _;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let mut exp = builtin_presets()[2].experiment().unwrap();
    exp.workers = vec![1, 3];
    let file = dir.path().join(OsStr::from_bytes(b"p\xff.json"));
    std::fs::write(&file, exp.to_json()).unwrap();
    let settings = corelab::gui::AppSettings {
        restore_state: true,
        ..corelab::gui::AppSettings::headless(dir.path())
    };
    let config = common::config();
    let mut h = egui_kittest::Harness::builder()
        .with_size(eframe::egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, app: &mut corelab::gui::WorkbenchApp| app.show(ui),
            corelab::gui::WorkbenchApp::new(config.clone(), settings.clone(), None),
        );
    h.step();
    wait_for_python_probe(&mut h);
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, file.clone());
    h.step();
    step_until(&mut h, "the preset to load", |a| {
        a.experiment().workers == vec![1, 3]
    });
    assert_eq!(
        h.state().origin().map(|o| o.source.clone()),
        Some(Source::File(file))
    );
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    let second = corelab::gui::WorkbenchApp::new(config, settings, Some(&storage));
    assert_eq!(second.experiment().workers, vec![1, 3]);
    assert_eq!(second.origin(), None);
}

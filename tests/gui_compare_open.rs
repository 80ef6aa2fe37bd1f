#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Adding results to compare, as a new user does it without a file dialog: the prompt starts
//! in the folder the workbench autosaves results in and lists only results files there; a
//! failed attempt's error goes once a later one succeeds; the buttons under the list stay
//! put whatever the folder holds.

mod common;

use common::gui::{app, harness, open_results, path_field_text, step_until, type_path};

use corelab::engine::mock::MockExecutors;
use corelab::gui::autosave::results_dir;
use corelab::gui::{AppSettings, WorkbenchApp};
use corelab::preset::{Experiment, TaskKind, find_builtin};
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

/// The file shown, or one already compared, is not overlaid a second time as "#2" (the same
/// curves twice): the file is refused with a note, by its canonical path however it is
/// typed; a copy of it at another path is another file, and is compared.
#[test]
fn the_file_shown_or_already_compared_is_not_compared_again() {
    let dir = tempfile::tempdir().unwrap();
    let results = common::gui::two_cell_results(Experiment::default());
    let shown = dir.path().join("shown.json");
    let other = dir.path().join("other.json");
    let copy = dir.path().join("copy.json");
    for path in [&shown, &other, &copy] {
        results.save(path).unwrap();
    }
    let mut h = harness(app(dir.path()));
    h.run();
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, shown.clone());
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    let said = |h: &egui_kittest::Harness<'_, WorkbenchApp>, text: &str| {
        h.state().messages().iter().any(|m| m.text.contains(text))
    };
    let compare = |h: &mut egui_kittest::Harness<'_, WorkbenchApp>, path: std::path::PathBuf| {
        h.state_mut().add_compare_path(&ctx, path);
        step_until(h, "the compared file to be read", |a| !a.files_busy());
        h.run();
    };
    // The file shown, by its own path and by another spelling of it.
    compare(&mut h, shown.clone());
    assert!(h.state().compare_runs().is_empty());
    assert!(
        said(&h, "is the results file shown"),
        "{:?}",
        h.state().messages()
    );
    compare(&mut h, dir.path().join(".").join("shown.json"));
    assert!(h.state().compare_runs().is_empty());
    // Another file is compared, once.
    compare(&mut h, other.clone());
    assert_eq!(h.state().compare_runs().len(), 1);
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&other, &link).unwrap();
    compare(&mut h, link);
    assert_eq!(
        h.state().compare_runs().len(),
        1,
        "a link to it is the same file"
    );
    assert!(
        said(&h, "is already compared"),
        "{:?}",
        h.state().messages()
    );
    assert!(
        h.query_by_label_contains("is already compared").is_some(),
        "said in the window"
    );
    // A copy at another path is another file.
    compare(&mut h, copy);
    assert_eq!(h.state().compare_runs().len(), 2);
}

/// Compared runs belong to the results they were compared with: where the results shown
/// change to another kind of task (results opened, a sweep started), the compared runs of
/// other kinds close, a note naming them; a CPU sweep's speedups stay no longer beside a
/// lost-updates sweep nobody compared them with. Runs compared on purpose beside results of
/// the same kind stay, whatever their own kind (as `corelab report A.json B.json` overlays
/// them, with the line that says they are not like for like).
#[test]
fn compared_runs_close_when_the_shown_results_change_kind() {
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, kind: TaskKind| {
        let mut experiment = Experiment::default();
        experiment.task.kind = kind;
        let path = dir.path().join(name);
        common::gui::two_cell_results(experiment)
            .save(&path)
            .unwrap();
        path
    };
    let racy = save("racy.json", TaskKind::Contention);
    let racy_too = save("racy-too.json", TaskKind::Contention);
    let cpu = save("cpu.json", TaskKind::Cpu);
    let cpu_too = save("cpu-too.json", TaskKind::Cpu);
    let mock = MockExecutors::new(|model, workers, _run| Ok(common::threads_scale(model, workers)));
    let app = WorkbenchApp::new(
        common::mock_config(&mock, 1),
        AppSettings::headless(dir.path()),
        None,
    );
    let mut h = harness(app);
    h.run();
    let ctx = h.ctx.clone();
    let compare = |h: &mut egui_kittest::Harness<'_, WorkbenchApp>, path: &std::path::Path| {
        h.state_mut().add_compare_path(&ctx, path.to_path_buf());
        step_until(h, "the compared file to be read", |a| !a.files_busy());
        h.run();
    };
    let compared = |h: &egui_kittest::Harness<'_, WorkbenchApp>| -> Vec<String> {
        h.state()
            .compare_runs()
            .iter()
            .map(|c| c.file_stem.clone())
            .collect()
    };
    let said = |h: &egui_kittest::Harness<'_, WorkbenchApp>, text: &str| {
        h.state().messages().iter().any(|m| m.text.contains(text))
    };
    // Compared on purpose, of either kind, beside contention results.
    open_results(&mut h, &racy);
    compare(&mut h, &cpu);
    compare(&mut h, &racy_too);
    assert_eq!(compared(&h), ["cpu", "racy-too"]);

    // A sweep of the same kind as the results shown keeps them all.
    assert!(h.state_mut().load_builtin("lost-updates"));
    assert!(h.state_mut().start_run(&ctx));
    h.run();
    assert_eq!(compared(&h), ["cpu", "racy-too"]);
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    assert!(
        !said(&h, "No longer compared"),
        "{:?}",
        h.state().messages()
    );

    // CPU results opened: the contention run closes, and is named; the CPU run stays.
    open_results(&mut h, &cpu_too);
    h.run();
    assert_eq!(compared(&h), ["cpu"]);
    assert!(
        said(
            &h,
            "No longer compared: racy-too.json (contention), of another task than these \
             results' (cpu)"
        ),
        "{:?}",
        h.state().messages()
    );

    // A contention sweep started beside CPU results closes the CPU run.
    assert!(h.state_mut().start_run(&ctx));
    h.run();
    assert!(compared(&h).is_empty());
    assert!(
        said(&h, "No longer compared: cpu.json (cpu)"),
        "{:?}",
        h.state().messages()
    );
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
}

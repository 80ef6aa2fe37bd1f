//! Helpers shared by the egui_kittest workbench tests.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use corelab::engine::mock::MockExecutors;
use corelab::gui::{AppSettings, WorkbenchApp};
use corelab::preset::{Experiment, ModelKind};
use eframe::egui;
use egui_kittest::Harness;

use super::config;

/// An in-memory eframe storage, for what the workbench persists between starts.
#[derive(Default)]
pub struct MemStorage(pub std::collections::HashMap<String, String>);

impl eframe::Storage for MemStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.into(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// A workbench that starts real `corelab worker` children and writes only into `data_dir`.
pub fn app(data_dir: &Path) -> WorkbenchApp {
    WorkbenchApp::new(config(), AppSettings::headless(data_dir), None)
}

/// A workbench that restores its state from `storage` (a restart), as the real one does.
pub fn persistent_app(data_dir: &Path, storage: Option<&MemStorage>) -> WorkbenchApp {
    let settings = AppSettings {
        restore_state: true,
        ..AppSettings::headless(data_dir)
    };
    WorkbenchApp::new(
        config(),
        settings,
        storage.map(|s| s as &dyn eframe::Storage),
    )
}

/// A finished results file of `experiment` with two one-run cells: sequential × 1 in 2 s and
/// threads × 2 in 1 s (speedup 2).
pub fn two_cell_results(experiment: corelab::preset::Experiment) -> corelab::results::ResultsFile {
    let mut results = corelab::results::ResultsFile {
        experiment,
        status: corelab::results::RunStatus::Complete,
        ..Default::default()
    };
    for (model, workers, secs) in [
        (corelab::preset::ModelKind::Sequential, 1, 2.0),
        (corelab::preset::ModelKind::Threads, 2, 1.0),
    ] {
        results.cells.push(corelab::results::CellResult {
            model: Some(model),
            workers,
            samples: vec![corelab::results::Sample {
                wall_s: secs,
                cpu_s: 2.0,
                checksum: 7,
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    results.recompute();
    results
}

/// A workbench in `dir` with the results file at `path` opened, as "Open results…" opens it
/// (after the interpreter check has answered), once it has loaded.
pub fn opened_path(dir: &Path, path: &Path) -> Harness<'static, WorkbenchApp> {
    let mut h = harness(app(dir));
    h.step();
    wait_for_python_probe(&mut h);
    open_results(&mut h, path);
    h
}

/// [`opened_path`] of `results`, saved as `results.json` in `dir`.
pub fn opened(
    dir: &Path,
    results: &corelab::results::ResultsFile,
) -> Harness<'static, WorkbenchApp> {
    let path = dir.join("results.json");
    results.save(&path).unwrap();
    opened_path(dir, &path)
}

/// A workbench in `dir` started with `options` (as from the command line), once its results
/// and `compared` runs to compare have loaded.
pub fn started(
    dir: &Path,
    options: &corelab::gui::GuiOptions,
    compared: usize,
) -> Harness<'static, WorkbenchApp> {
    let mut h = harness(app(dir));
    h.step();
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply_startup(&ctx, options, corelab::gui::screenshot::Outcome::default());
    step_until(&mut h, "the files to load", |a| {
        a.results().is_some() && a.compare_runs().len() == compared && !a.files_busy()
    });
    h.run();
    h
}

/// A workbench in `dir` whose experiment runs on `interpreter`, with these `models` ticked.
pub fn with_interpreter(dir: &Path, interpreter: &str, models: &[ModelKind]) -> WorkbenchApp {
    let mut a = app(dir);
    let mut exp = a.experiment().clone();
    exp.python.interpreter = interpreter.into();
    exp.models = models.to_vec();
    a.set_experiment(exp);
    a
}

/// Whether the widget labelled `label` is greyed out.
pub fn disabled(h: &Harness<'_, WorkbenchApp>, label: &str) -> bool {
    use egui_kittest::kittest::{NodeT, Queryable};
    h.get_by_label(label).accesskit_node().is_disabled()
}

/// The text of the first error message the workbench shows (panics if there is none).
pub fn shown_error(h: &Harness<'_, WorkbenchApp>) -> String {
    h.state()
        .messages()
        .iter()
        .find(|m| m.is_error)
        .expect("an error is shown")
        .text
        .clone()
}

/// A 1400 × 900 harness around `app`.
pub fn harness(app: WorkbenchApp) -> Harness<'static, WorkbenchApp> {
    sized_harness(app, egui::vec2(1400.0, 900.0))
}

/// [`harness`] in a window of `size` points.
pub fn sized_harness(app: WorkbenchApp, size: egui::Vec2) -> Harness<'static, WorkbenchApp> {
    // The workbench checks its Python interpreter on a thread when asked; its answer, landing
    // in the middle of a `run()`, asks for a few frames more than egui_kittest's default of
    // 4 (it settled after 6 in one failure): room for that, not for a UI that never settles.
    Harness::builder()
        .with_size(size)
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app)
}

/// A harness around `app` in a window of `pixels` at `zoom`: its size in points is the pixels
/// over the zoom, as Ctrl+plus makes it (room for the interpreter check's frames, as in
/// [`sized_harness`]).
pub fn zoomed_harness(
    app: WorkbenchApp,
    pixels: (f32, f32),
    zoom: f32,
) -> Harness<'static, WorkbenchApp> {
    Harness::builder()
        .with_size(egui::vec2(pixels.0 / zoom, pixels.1 / zoom))
        .with_pixels_per_point(zoom)
        .with_max_steps(16)
        .build_ui_state(|ui, app: &mut WorkbenchApp| app.show(ui), app)
}

/// The rectangle of a window of `pixels` at `zoom`, in points.
pub fn screen(pixels: (f32, f32), zoom: f32) -> egui::Rect {
    egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(pixels.0 / zoom, pixels.1 / zoom),
    )
}

/// Opens the results file at `path` as "Open results…" does, and steps until it has loaded.
pub fn open_results(h: &mut Harness<'_, WorkbenchApp>, path: &Path) {
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path.to_path_buf());
    step_until(h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
}

/// The speedup chart's plot area (its keyboard stop), if drawn.
pub fn speedup_chart(h: &Harness<'_, WorkbenchApp>) -> Option<egui::Rect> {
    use egui_kittest::kittest::Queryable;
    h.query_by(|n| {
        n.role() == egui::accesskit::Role::Image
            && n.label().is_some_and(|l| l.starts_with("Speedup chart"))
    })
    .map(|n| n.rect())
}

/// Steps the UI until `done` holds; panics after a generous deadline (not a timing assertion:
/// it only keeps a broken build from hanging the test suite).
pub fn step_until(
    h: &mut Harness<'_, WorkbenchApp>,
    what: &str,
    done: impl Fn(&WorkbenchApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "gave up waiting for: {what}");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    h.step();
}

/// Steps until no Python interpreter check is in flight. The check runs off the UI thread
/// and asks for a repaint when it ends; a test that edits the panel while one is in flight
/// races with that repaint (and with the model list it changes). The workbench checks only
/// when asked (a py-* model ticked, Run, Check interpreter), so at start there is none.
pub fn wait_for_python_probe(h: &mut Harness<'_, WorkbenchApp>) {
    step_until(h, "the Python interpreter check to answer", |a| {
        !a.python_checking()
    });
}

/// Asks for the interpreter check as **Check interpreter** does, and steps until it has
/// answered.
pub fn check_python(h: &mut Harness<'_, WorkbenchApp>) {
    h.state_mut().check_interpreter();
    step_until(h, "the Python interpreter check to answer", |a| {
        a.python_probe().is_some()
    });
}

/// A stand-in interpreter in `dir` (`plainpy`) that answers the version check like a CPython
/// 3.12 with the GIL and without dask or mpi4py, and does nothing else: its path.
pub fn plain_python(dir: &Path) -> std::path::PathBuf {
    let plain = dir.join("plainpy");
    corelab::safe_fs::write_executable(
        &plain,
        "#!/bin/sh\necho '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n",
    )
    .unwrap();
    plain
}

/// Opens a gate the scripted runs wait at (at most a minute, so a failed test cannot hang).
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn wait(&self) {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap();
        let _ = changed
            .wait_timeout_while(guard, Duration::from_secs(60), |o| !*o)
            .unwrap();
    }

    pub fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }
}

/// Steps a [`held_sweep`] that was started until its round 1 is shown: each of its three cells
/// with one run.
pub fn until_round_one(h: &mut Harness<'_, WorkbenchApp>) {
    step_until(h, "round 1 to be shown", |a| {
        a.results()
            .is_some_and(|r| r.cells.len() == 3 && r.cells.iter().all(|c| c.samples.len() == 1))
    });
}

/// The small sweep the held-sweep tests run: sequential and threads at 1 and 2 workers,
/// three timed runs a cell, no warm-up.
pub fn held_experiment() -> Experiment {
    let exp = Experiment {
        name: "held sweep".into(),
        workers: vec![1, 2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 3,
        warmups: 0,
        ..Experiment::default()
    };
    exp.validate().unwrap();
    exp
}

/// A workbench whose sweeps run scripted executors: round 1 at once, round 2 held at `gate`
/// (so a test can look at a running sweep that has results to show).
pub fn held_sweep(dir: &Path, gate: &Gate) -> Harness<'static, WorkbenchApp> {
    gated_sweep(dir, gate, |run| run == 1)
}

/// A workbench on `dir` ([`held_experiment`] loaded, the interpreter check answered) whose
/// sweeps run scripted executors ([`super::threads_scale`]); each run for which `held` says
/// so (by its number: 0 is round 1) waits at `gate` first.
pub fn gated_sweep(
    dir: &Path,
    gate: &Gate,
    held: fn(usize) -> bool,
) -> Harness<'static, WorkbenchApp> {
    let gate = gate.clone();
    let mock = MockExecutors::new(move |model, workers, run| {
        if held(run) {
            gate.wait();
        }
        Ok(super::threads_scale(model, workers))
    });
    let exp = held_experiment();
    let mut a = WorkbenchApp::new(
        super::mock_config(&mock, 1),
        AppSettings::headless(dir),
        None,
    );
    a.set_experiment(exp);
    let mut h = harness(a);
    h.step();
    wait_for_python_probe(&mut h);
    h
}

/// A workbench on `dir` whose sweeps never wait ([`gated_sweep`]), once its first reading of
/// the recent results is in: what killed workbenches left there is removed, and said.
pub fn started_and_listed(dir: &Path) -> Harness<'static, WorkbenchApp> {
    let mut h = gated_sweep(dir, &Gate::default(), |_| false);
    step_until(&mut h, "the recent results to be read", |a| {
        !a.recent_results_reading()
    });
    h.run();
    h
}

/// Scrolls the widget labelled `label` into view (the left panel scrolls), then clicks it.
pub fn click_in_view(h: &mut Harness<'_, WorkbenchApp>, label: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run();
}

/// Opens the menu labelled `menu` (a combo box) and picks its `option`.
pub fn pick(h: &mut Harness<'_, WorkbenchApp>, menu: &str, option: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(menu).click();
    h.run();
    h.get_by_label(option).click();
    h.run();
}

/// Whether the workbench's experiment has `model` ticked.
pub fn ticked(h: &Harness<'_, WorkbenchApp>, model: ModelKind) -> bool {
    h.state().experiment().models.contains(&model)
}

/// Whether the run controls show the sweep's estimate ("10 cells, about 15 s").
pub fn estimate_shown(h: &Harness<'_, WorkbenchApp>) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label_contains(" cells, about ")
        .next()
        .is_some()
        || h.query_all_by_label_contains(" cells; time unknown")
            .next()
            .is_some()
}

/// The label of the typed-path prompt's field: the workbench's fallback for the native file
/// dialogs (which are off in tests).
pub const PATH_FIELD: &str = "File path:";

/// The text now in the open typed-path prompt's field.
pub fn path_field_text(h: &Harness<'_, WorkbenchApp>) -> String {
    use egui_kittest::kittest::{NodeT, Queryable};
    h.get_by_label(PATH_FIELD)
        .accesskit_node()
        .value()
        .unwrap_or_default()
        .to_string()
}

/// Types `path` into the open typed-path prompt's field.
pub fn type_path(h: &mut Harness<'_, WorkbenchApp>, path: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(PATH_FIELD).set_text_value_accesskit(path);
    h.run();
}

/// Types `path` into the open typed-path prompt and presses its `button` ("Open", "Save",
/// "Export"); what the button starts is the caller's to wait for.
pub fn submit_path(h: &mut Harness<'_, WorkbenchApp>, path: &Path, button: &str) {
    use egui_kittest::kittest::Queryable;
    type_path(h, path.to_str().unwrap());
    h.get_by_role_and_label(egui::accesskit::Role::Button, button)
        .click();
}

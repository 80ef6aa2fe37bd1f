//! [`WorkbenchApp`]: the workbench's state and the layout of its frame.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};

use super::GuiOptions;
use super::autosave;
use super::charts::{self, ChartKind, CompareRun, Layers};
use super::config_panel::{self, ConfigCommand, ConfigEditor};
use super::file_dialogs::{FileAction, FileJobs, FileOutcome, Payload};
use super::fits_panel::{self, FitsCache};
use super::presets_gallery::{self, GalleryPick};
use super::python_probe::PythonProbe;
use super::results_table;
use super::run_control::{self, ActiveRun, RunAction};
use super::screenshot::{Outcome, ScreenshotMode};
use super::status_bar::{self, CpuMeter};
use crate::analysis::ModelFit;
use crate::engine::{PythonInfo, SweepConfig, SweepEvent, interpreter};
use crate::export::ChartOptions;
use crate::preset::{Experiment, find_builtin};
use crate::results::{CellResult, MachineInfo, ResultsFile, RunStatus};

/// How long `--run` waits after the window opened before starting the sweep.
const STARTUP_SETTLE: Duration = Duration::from_millis(1500);

/// Key under which the app keeps its state in eframe's storage.
/// While a sweep runs, the longest time between frames that the engine did not ask for (the
/// elapsed time on the progress bar ticks at least this often).
const LONG_RUN_TICK: Duration = Duration::from_secs(10);

const STORAGE_KEY: &str = "corelab.workbench";

/// The central area's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Speedup,
    Efficiency,
    WallTime,
    Table,
    Fits,
    Timeline,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Speedup,
        Tab::Efficiency,
        Tab::WallTime,
        Tab::Table,
        Tab::Fits,
        Tab::Timeline,
    ];

    /// The tab named `id` on the command line: `speedup`, `efficiency`, `time`, `table`, `fits`.
    pub fn from_id(id: &str) -> Option<Tab> {
        Some(match id {
            "speedup" => Tab::Speedup,
            "efficiency" => Tab::Efficiency,
            "time" => Tab::WallTime,
            "table" => Tab::Table,
            "fits" => Tab::Fits,
            "timeline" => Tab::Timeline,
            _ => return None,
        })
    }

    /// The chart this tab shows, if it is a chart.
    pub fn chart(self) -> Option<ChartKind> {
        match self {
            Tab::Speedup => Some(ChartKind::Speedup),
            Tab::Efficiency => Some(ChartKind::Efficiency),
            Tab::WallTime => Some(ChartKind::WallTime),
            Tab::Table | Tab::Fits | Tab::Timeline => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Speedup => "Speedup vs workers",
            Tab::Efficiency => "Efficiency vs workers",
            Tab::WallTime => "Wall time vs workers",
            Tab::Table => "Results table",
            Tab::Fits => "Fits",
            Tab::Timeline => "Timeline",
        }
    }
}

/// Environment-dependent choices, fixed when the app is created.
#[derive(Clone, Debug)]
pub struct AppSettings {
    /// Where autosaved results go (see [`autosave::data_dir`]).
    pub data_dir: PathBuf,
    /// Try native file dialogs (else the typed-path prompt is used directly).
    pub native_dialogs: bool,
    /// Sample per-core CPU usage for the status bar.
    pub cpu_meter: bool,
    /// Restore (and save) the last configuration through eframe's storage.
    pub restore_state: bool,
}

impl AppSettings {
    /// Settings for tests and embedding: no native dialogs, no CPU sampler, no persistence.
    pub fn headless(data_dir: impl Into<PathBuf>) -> Self {
        AppSettings {
            data_dir: data_dir.into(),
            native_dialogs: false,
            cpu_meter: false,
            restore_state: false,
        }
    }
}

/// What is kept between sessions.
#[derive(Serialize, Deserialize)]
struct Persisted {
    experiment: Experiment,
    tab: Tab,
    /// Interpreters from opened files that the user allowed to run.
    #[serde(default)]
    confirmed_interpreters: BTreeSet<String>,
    /// The experiment's interpreter, when it came from an opened file and was not confirmed.
    #[serde(default)]
    unconfirmed_interpreter: Option<String>,
}

/// A line in the message area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// Height of the built-in preset gallery in the left panel (it scrolls beyond that).
const GALLERY_HEIGHT: f32 = 230.0;

/// The workbench.
pub struct WorkbenchApp {
    experiment: Experiment,
    editor: ConfigEditor,
    sweep_config: SweepConfig,
    settings: AppSettings,
    machine: MachineInfo,
    /// What the charts and the table show: the running sweep's cells so far, the last
    /// finished sweep, or an opened results file.
    results: Option<ResultsFile>,
    results_path: Option<PathBuf>,
    run: Option<ActiveRun>,
    files: FileJobs,
    messages: Vec<Message>,
    recent: Vec<PathBuf>,
    tab: Tab,
    meter: CpuMeter,
    screenshot: Option<ScreenshotMode>,
    /// Start a sweep as soon as nothing is loading (`--run`).
    run_when_ready: bool,
    created: Instant,
    /// The interpreter check for the Python models.
    python: PythonProbe,
    /// Interpreters from opened files that the user allowed to run (persisted).
    confirmed_interpreters: BTreeSet<String>,
    /// The experiment's interpreter when it came from an opened preset or results file and
    /// has not been confirmed: it is shown, and never run.
    unconfirmed_interpreter: Option<String>,
    /// Why the running sweep's results file could not be written, if it could not.
    save_error: Option<String>,
    /// Fits of the shown results, refitted when they change.
    fits: FitsCache,
    /// Draw the fitted curves on the charts.
    show_fits: bool,
    /// Results files overlaid on the charts.
    compare: Vec<CompareRun>,
}

impl WorkbenchApp {
    /// A workbench that runs sweeps with `sweep_config` (tests pass the corelab binary as
    /// the worker command). `storage` restores the last configuration when
    /// `settings.restore_state` is set.
    pub fn new(
        sweep_config: SweepConfig,
        settings: AppSettings,
        storage: Option<&dyn eframe::Storage>,
    ) -> Self {
        let persisted: Option<Persisted> = storage
            .filter(|_| settings.restore_state)
            .and_then(|s| s.get_string(STORAGE_KEY))
            .and_then(|text| serde_json::from_str(&text).ok());
        let (experiment, tab, confirmed_interpreters, unconfirmed_interpreter) = match persisted {
            Some(p) => {
                let unconfirmed = p
                    .unconfirmed_interpreter
                    .filter(|i| *i == p.experiment.python.interpreter.trim());
                (p.experiment, p.tab, p.confirmed_interpreters, unconfirmed)
            }
            None => (default_experiment(), Tab::default(), BTreeSet::new(), None),
        };
        let mut messages = Vec::new();
        if let Err(e) = std::fs::create_dir_all(autosave::results_dir(&settings.data_dir)) {
            messages.push(Message {
                text: format!(
                    "Results cannot be autosaved: cannot create {}: {e}",
                    autosave::results_dir(&settings.data_dir).display()
                ),
                is_error: true,
            });
        }
        WorkbenchApp {
            experiment,
            editor: ConfigEditor::default(),
            sweep_config,
            recent: autosave::recent_results(&settings.data_dir),
            files: FileJobs::new(settings.native_dialogs),
            settings,
            machine: MachineInfo::detect(),
            results: None,
            results_path: None,
            run: None,
            messages,
            tab,
            meter: CpuMeter::new(),
            screenshot: None,
            run_when_ready: false,
            created: Instant::now(),
            python: PythonProbe::new(),
            confirmed_interpreters,
            unconfirmed_interpreter,
            save_error: None,
            fits: FitsCache::default(),
            show_fits: true,
            compare: Vec::new(),
        }
    }

    /// Applies the command-line options: preset, results, `--run`, `--screenshot`.
    pub fn apply_startup(&mut self, ctx: &egui::Context, options: &GuiOptions, outcome: Outcome) {
        if let Some(name) = &options.preset {
            // The rule `corelab run` follows: a path (a `/`, or `.json`) is a file, anything
            // else a built-in preset's name.
            if Experiment::arg_names_a_file(name) {
                self.files
                    .run(ctx, FileAction::OpenPreset, PathBuf::from(name), None);
            } else {
                match find_builtin(name) {
                    Some(builtin) => match builtin.experiment() {
                        Ok(exp) => {
                            self.set_experiment(exp);
                            self.info(format!("Loaded built-in preset {}", builtin.id));
                        }
                        Err(e) => {
                            self.error(format!("Built-in preset {} is broken: {e}", builtin.id))
                        }
                    },
                    None => self.error(format!(
                        "{name:?} is not a built-in preset; a preset file is named by a path that contains a `/` or ends in .json (./{name})"
                    )),
                }
            }
        }
        if let Some(path) = &options.results {
            self.files
                .run(ctx, FileAction::OpenResults, path.clone(), None);
        }
        for path in &options.compare {
            self.add_compare_path(ctx, path.clone());
        }
        self.run_when_ready = options.run;
        if options.screenshot.is_some() || options.tab.is_some() {
            self.tab = options
                .tab
                .as_deref()
                .and_then(Tab::from_id)
                .unwrap_or(Tab::Speedup);
        }
        if let Some(path) = &options.screenshot {
            self.screenshot = Some(ScreenshotMode::new(path.clone(), outcome));
        }
    }

    /// The experiment being edited.
    pub fn experiment(&self) -> &Experiment {
        &self.experiment
    }

    /// Replaces the experiment being edited, as the user's own choice (a built-in preset, the
    /// gallery, code embedding the workbench): its interpreter may run.
    pub fn set_experiment(&mut self, experiment: Experiment) {
        self.experiment = experiment;
        self.unconfirmed_interpreter = None;
        self.editor.sync(&self.experiment);
    }

    /// Replaces the experiment being edited with one read from the file `source` (a preset or
    /// a results file). Its interpreter is a program the file names: a relative path is taken
    /// relative to the file's directory, and unless it is corelab's default or was confirmed
    /// before, it is not run until the user confirms it ([`Self::confirm_interpreter`]).
    pub fn set_experiment_from_file(&mut self, mut experiment: Experiment, source: Option<&Path>) {
        if let Some(dir) =
            source.and_then(|p| std::path::absolute(p).ok()?.parent().map(Path::to_path_buf))
        {
            experiment.python.interpreter =
                interpreter::anchor(&experiment.python.interpreter, &dir);
        }
        let interp = experiment.python.interpreter.trim().to_string();
        let trusted = interp == crate::preset::PythonOptions::default().interpreter
            || self.confirmed_interpreters.contains(&interp);
        self.experiment = experiment;
        self.unconfirmed_interpreter = (!trusted).then_some(interp);
        self.editor.sync(&self.experiment);
    }

    /// Allows the current experiment's interpreter to run, and remembers it.
    pub fn confirm_interpreter(&mut self) {
        let interp = self.experiment.python.interpreter.trim().to_string();
        self.confirmed_interpreters.insert(interp);
        self.unconfirmed_interpreter = None;
    }

    /// Whether the experiment's interpreter may run: anything but an unconfirmed one from an
    /// opened file (what the user types is the user's choice).
    pub fn interpreter_trusted(&self) -> bool {
        self.unconfirmed_interpreter.as_deref() != Some(self.experiment.python.interpreter.trim())
    }

    /// How many times an interpreter was run to check it.
    pub fn python_probes_started(&self) -> usize {
        self.python.probes_started()
    }

    /// The results the charts show, if any.
    pub fn results(&self) -> Option<&ResultsFile> {
        self.results.as_ref()
    }

    /// The file the shown results are stored in (autosave or opened file).
    pub fn results_path(&self) -> Option<&Path> {
        self.results_path.as_deref()
    }

    pub fn is_running(&self) -> bool {
        self.run.is_some()
    }

    /// Messages currently shown (errors in red).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
    }

    /// The autosaved results listed under "Recent results", newest first.
    pub fn recent_results(&self) -> &[PathBuf] {
        &self.recent
    }

    /// Whether file dialogs or loads are in flight.
    pub fn files_busy(&self) -> bool {
        self.files.busy()
    }

    /// Opens a preset file in the background (what "Open preset" does once it has a path).
    pub fn open_preset_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.files.run(ctx, FileAction::OpenPreset, path, None);
    }

    /// Opens a results file in the background and shows its curves.
    pub fn open_results_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.files.run(ctx, FileAction::OpenResults, path, None);
    }

    /// The interpreter check's answer for the current interpreter (`None` while checking).
    pub fn python_probe(&self) -> Option<&Result<PythonInfo, String>> {
        self.python.answer(&self.experiment.python)
    }

    /// The fits of the shown results (as of the last frame).
    pub fn fits(&self) -> &[ModelFit] {
        self.fits.fits()
    }

    /// How many times the fits were computed (they are cached between frames).
    pub fn fits_computed(&self) -> usize {
        self.fits.computed
    }

    pub fn show_fits(&self) -> bool {
        self.show_fits
    }

    pub fn set_show_fits(&mut self, on: bool) {
        self.show_fits = on;
    }

    /// Results files overlaid on the charts.
    pub fn compare_runs(&self) -> &[CompareRun] {
        &self.compare
    }

    /// Removes every overlaid results file.
    pub fn clear_compare(&mut self) {
        self.compare.clear();
    }

    /// Opens a results file in the background and overlays it on the charts.
    pub fn add_compare_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.files.run(ctx, FileAction::OpenCompare, path, None);
    }

    /// Exports the current chart (or the speedup chart) to `path` as `.svg` and `.png`.
    pub fn export_chart_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        let payload = self.payload_for(FileAction::ExportChart);
        self.files.run(ctx, FileAction::ExportChart, path, payload);
    }

    /// Writes the Markdown report of the shown (and compared) results to `path`.
    pub fn export_report_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        let payload = self.payload_for(FileAction::ExportReport);
        self.files.run(ctx, FileAction::ExportReport, path, payload);
    }

    /// The label of the shown results when runs are compared: their file stem.
    fn results_label(&self) -> String {
        self.results_path
            .as_deref()
            .and_then(|p| p.file_stem())
            .map_or_else(
                || "current".to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
    }

    /// The shown and compared results, labelled, for the exporters.
    fn labelled_runs(&self) -> Vec<(String, ResultsFile)> {
        let mut runs = Vec::new();
        if let Some(r) = &self.results {
            runs.push((self.results_label(), r.clone()));
        }
        for c in &self.compare {
            runs.push((c.label.clone(), c.results.clone()));
        }
        runs
    }

    /// What a save or export action writes, taken from the current state.
    fn payload_for(&self, action: FileAction) -> Option<Payload> {
        match action {
            FileAction::SavePreset => Some(Payload::Text(self.experiment.to_json())),
            FileAction::ExportChart => Some(Payload::Chart {
                runs: self.labelled_runs(),
                options: ChartOptions {
                    kind: self.tab.chart().unwrap_or(ChartKind::Speedup).export_kind(),
                    show_fits: self.show_fits,
                    ..ChartOptions::default()
                },
            }),
            FileAction::ExportReport => Some(Payload::Report {
                runs: self.labelled_runs(),
            }),
            FileAction::OpenPreset | FileAction::OpenResults | FileAction::OpenCompare => None,
        }
    }

    /// Why the Python models of the experiment cannot run now, if they cannot.
    fn python_blocker(&self) -> Option<String> {
        let py = &self.experiment.python;
        let models: Vec<_> = self
            .experiment
            .models
            .iter()
            .filter(|m| m.is_python())
            .collect();
        if models.is_empty() {
            return None;
        }
        match self.python.answer(py) {
            None => Some(format!(
                "the Python interpreter `{}` is still being checked; try again in a moment",
                py.interpreter.trim()
            )),
            Some(Err(e)) => Some(format!("the Python models cannot run: {e}")),
            Some(Ok(info)) => models.iter().find_map(|m| info.refuses(**m)),
        }
    }

    /// Validates the configuration and starts a sweep; on an invalid configuration shows
    /// the reason and starts nothing. Returns whether a sweep started.
    pub fn start_run(&mut self, ctx: &egui::Context) -> bool {
        if self.run.is_some() {
            return false;
        }
        if let Some(err) = &self.editor.workers_error {
            self.error(format!("Cannot run: worker counts: {err}"));
            return false;
        }
        if let Some(reason) = self.python_blocker() {
            self.error(format!("Cannot run: {reason}"));
            return false;
        }
        let results_dir = autosave::results_dir(&self.settings.data_dir);
        let path = match std::fs::create_dir_all(&results_dir).and_then(|()| {
            autosave::create_results_file(&self.settings.data_dir, &self.experiment.name)
        }) {
            Ok(path) => Some(path),
            Err(e) => {
                self.error(format!(
                    "Results will not be autosaved: cannot create a file in {}: {e}",
                    results_dir.display()
                ));
                None
            }
        };
        match ActiveRun::start(
            &self.experiment,
            self.sweep_config.clone(),
            path.clone(),
            ctx,
        ) {
            Ok(run) => {
                self.messages.retain(|m| !m.is_error);
                self.save_error = None;
                let mut live = ResultsFile {
                    experiment: self.experiment.clone(),
                    machine: self.machine.clone(),
                    ..ResultsFile::default()
                };
                live.recompute();
                self.results = Some(live);
                self.results_path = path;
                self.run = Some(run);
                true
            }
            Err(e) => {
                // Nothing ran: the empty autosave file made for it goes too.
                if let Some(path) = &path {
                    std::fs::remove_file(path).ok();
                }
                self.error(e);
                false
            }
        }
    }

    /// Asks the running sweep to stop.
    pub fn cancel_run(&mut self) {
        if let Some(run) = &mut self.run {
            run.cancel();
        }
    }

    fn error(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            is_error: true,
        });
    }

    fn info(&mut self, text: impl Into<String>) {
        self.messages.push(Message {
            text: text.into(),
            is_error: false,
        });
    }

    /// Takes in everything that arrived from the sweep and from file jobs (never waits).
    fn poll(&mut self) {
        if let Some(run) = &mut self.run {
            let mut events = run.drain();
            let mut finished = events.iter().any(|e| matches!(e, SweepEvent::Finished(_)));
            if !finished && run.thread_ended() {
                // The thread ended: whatever it sent before is in the channel now.
                events.extend(run.drain());
                finished = events.iter().any(|e| matches!(e, SweepEvent::Finished(_)));
                if !finished {
                    self.run = None;
                    self.error(
                        "The sweep stopped unexpectedly (engine thread ended without results).",
                    );
                }
            }
            for event in events {
                self.on_sweep_event(event);
            }
        }
        for outcome in self.files.poll() {
            self.on_file_outcome(outcome);
        }
    }

    fn on_sweep_event(&mut self, event: SweepEvent) {
        match event {
            SweepEvent::CellDone(cell) => {
                if let Some(results) = &mut self.results {
                    upsert_cell(results, *cell);
                }
            }
            // Interleaved rounds: every cell's curve point so far, refined round by round.
            SweepEvent::RoundDone { cells, .. } => {
                if let Some(results) = &mut self.results {
                    for cell in cells {
                        upsert_cell(results, cell);
                    }
                }
            }
            SweepEvent::Failed {
                model,
                workers,
                reason,
            } => self.error(format!("{model} × {workers} failed: {reason}")),
            SweepEvent::SaveFailed { path, reason } => {
                // Once per sweep: every later cell would repeat it.
                if self.save_error.is_none() {
                    self.error(format!(
                        "The results could not be saved to {}: {reason}",
                        path.display()
                    ));
                }
                self.save_error = Some(reason);
            }
            SweepEvent::Finished(results) => {
                let run = self.run.take();
                let mut saved = run.and_then(|r| r.results_path);
                if let Some(reason) = self.save_error.take()
                    && let Some(path) = saved.take()
                {
                    // An empty placeholder from the autosave name's creation is no result.
                    if std::fs::metadata(&path).is_ok_and(|m| m.len() == 0) {
                        std::fs::remove_file(&path).ok();
                    }
                    self.error(format!(
                        "Not saved: writing {} failed ({reason}); the results are shown but not stored.",
                        path.display()
                    ));
                }
                let cells = results.cells.len();
                let where_ = saved.as_ref().map_or_else(
                    || "not saved".to_string(),
                    |p| format!("saved to {}", p.display()),
                );
                match results.status {
                    RunStatus::Cancelled => {
                        self.info(format!("Sweep cancelled; {cells} cells kept, {where_}."))
                    }
                    _ => self.info(format!("Sweep finished: {cells} cells, {where_}.")),
                }
                self.results = Some(*results);
                self.results_path = saved;
                self.recent = autosave::recent_results(&self.settings.data_dir);
            }
            _ => {}
        }
    }

    fn on_file_outcome(&mut self, outcome: FileOutcome) {
        match outcome {
            FileOutcome::PresetLoaded { path, result } => match result {
                Ok(exp) => {
                    self.info(format!("Loaded preset {}", path.display()));
                    self.set_experiment_from_file(*exp, Some(&path));
                }
                Err(e) => {
                    self.run_when_ready = false;
                    self.error(format!("Cannot open preset {}: {e}", path.display()));
                }
            },
            FileOutcome::PresetSaved { path, result } => match result {
                Ok(()) => self.info(format!("Preset saved to {}", path.display())),
                Err(e) => self.error(format!("Cannot save preset: {e}")),
            },
            FileOutcome::ResultsLoaded { path, result } => match result {
                Ok(results) => {
                    self.results = Some(*results);
                    self.results_path = Some(path);
                }
                Err(e) => self.error(format!("Cannot open results: {e}")),
            },
            FileOutcome::CompareLoaded { path, result } => match result {
                Ok(results) => {
                    let stem = path
                        .file_stem()
                        .map_or_else(|| "compared".into(), |s| s.to_string_lossy().into_owned());
                    let mut label = stem.clone();
                    let mut i = 2;
                    while label == self.results_label()
                        || self.compare.iter().any(|c| c.label == label)
                    {
                        label = format!("{stem} ({i})");
                        i += 1;
                    }
                    self.info(format!("Comparing with {}", path.display()));
                    self.compare.push(CompareRun::new(label, path, *results));
                }
                Err(e) => self.error(format!("Cannot open results to compare: {e}")),
            },
            FileOutcome::Exported { action, result } => match result {
                Ok(paths) => {
                    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                    let what = match action {
                        FileAction::ExportReport => "Report",
                        _ => "Chart",
                    };
                    self.info(format!("{what} saved to {}", list.join(" and ")));
                }
                Err(e) => self.error(format!("Cannot export: {e}")),
            },
            FileOutcome::DialogUnavailable(action) => {
                let payload = self.payload_for(action);
                self.files.ask_for_path(
                    action,
                    payload,
                    Some(
                        "No file dialog could be shown on this desktop; type the path instead."
                            .into(),
                    ),
                );
            }
            FileOutcome::DialogCancelled => {}
        }
    }

    /// Draws the whole workbench into `ui` (the eframe root, or a test harness).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.settings.cpu_meter && !self.meter.is_started() {
            self.meter.start(&ctx);
        }
        self.poll();
        let trusted = self.interpreter_trusted();
        self.python.update(&ctx, &self.experiment.python, trusted);
        // `--run` waits for the first frames: starting the window (fonts, shaders) takes CPU
        // time that would otherwise be charged to the first cell measured.
        let settled = self.created.elapsed() > STARTUP_SETTLE && ctx.cumulative_frame_nr() > 2;
        if self.run_when_ready && !settled {
            ctx.request_repaint_after(Duration::from_millis(200));
        }
        if self.run_when_ready && settled && !self.files.busy() && self.run.is_none() {
            self.run_when_ready = false;
            self.start_run(&ctx);
        }
        if self.run.is_some() {
            // The engine wakes the window between timed runs (see `DisplayPacing`). A frame in
            // the middle of a run would take CPU time from it, so the window's own clock ticks
            // only when a single run is long, where one frame is a negligible share of it.
            ctx.request_repaint_after(LONG_RUN_TICK);
        }
        self.meter.set_quiet(self.run.is_some());

        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            status_bar::show(ui, &self.machine, &self.meter);
        });
        egui::Panel::left("config-panel")
            .resizable(true)
            .default_size(340.0)
            .min_size(260.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.left_panel(ui));
            });
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.files.show_prompt(&ctx);

        if let Some(shot) = &mut self.screenshot {
            let ready = !self.files.busy() && self.run.is_none() && !self.run_when_ready;
            let errors = self
                .messages
                .iter()
                .filter(|m| m.is_error)
                .map(|m| m.text.clone())
                .collect();
            shot.frame(&ctx, ready, errors);
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ui.add_space(2.0);
        ui.horizontal(|ui| {
            ui.heading("corelab");
            ui.separator();
            if ui
                .button("Open preset…")
                .on_hover_text("Load an experiment from a JSON preset file.")
                .clicked()
            {
                self.files.start(&ctx, FileAction::OpenPreset, None);
            }
            if ui
                .button("Save preset…")
                .on_hover_text("Save the current configuration as a JSON preset file.")
                .clicked()
            {
                let payload = self.payload_for(FileAction::SavePreset);
                self.files.start(&ctx, FileAction::SavePreset, payload);
            }
            if ui
                .button("Open results…")
                .on_hover_text("Open a results file saved by corelab (GUI or `corelab run --out`).")
                .clicked()
            {
                self.files.start(&ctx, FileAction::OpenResults, None);
            }
            ui.menu_button("Recent results", |ui| {
                if self.recent.is_empty() {
                    ui.weak("No saved results yet.");
                }
                let mut open = None;
                for path in &self.recent {
                    if ui
                        .button(autosave::recent_label(path))
                        .on_hover_text(path.display().to_string())
                        .clicked()
                    {
                        open = Some(path.clone());
                    }
                }
                ui.separator();
                ui.weak(format!(
                    "Autosaved in {}",
                    autosave::results_dir(&self.settings.data_dir).display()
                ));
                if let Some(path) = open {
                    self.files.run(&ctx, FileAction::OpenResults, path, None);
                    ui.close();
                }
            });
            if ui
                .small_button("Type a path…")
                .on_hover_text("Open or save by typing a file path instead of using a dialog.")
                .clicked()
            {
                self.files.ask_for_path(FileAction::OpenPreset, None, None);
            }
            if self.files.busy() {
                ui.spinner();
            }
        });
        ui.separator();
        let action = run_control::show(ui, self.run.as_ref());
        match action {
            Some(RunAction::Run) => {
                self.start_run(&ctx);
            }
            Some(RunAction::Cancel) => self.cancel_run(),
            None => {}
        }
        ui.add_space(2.0);
    }

    fn left_panel(&mut self, ui: &mut egui::Ui) {
        let running = self.run.is_some();
        egui::CollapsingHeader::new("Built-in presets")
            .default_open(true)
            .show(ui, |ui| {
                // A scroll area of its own, so that the experiment's settings below stay in
                // view however many presets there are.
                egui::ScrollArea::vertical()
                    .id_salt("preset-gallery")
                    .max_height(GALLERY_HEIGHT)
                    .show(ui, |ui| {
                        ui.add_enabled_ui(!running, |ui| {
                            if let Some(GalleryPick::Load { id, experiment }) =
                                presets_gallery::show(ui, &self.experiment.name)
                            {
                                self.set_experiment(*experiment);
                                self.info(format!("Loaded built-in preset {id}"));
                            }
                        });
                    });
            });
        ui.separator();
        ui.heading("Experiment");
        let command = config_panel::show(
            ui,
            &mut self.editor,
            &mut self.experiment,
            &self.python,
            !running,
        );
        match command {
            Some(ConfigCommand::ConfirmInterpreter(interp))
                if interp == self.experiment.python.interpreter.trim() =>
            {
                self.confirm_interpreter();
                self.info(format!("Allowed the interpreter {interp}"));
            }
            Some(ConfigCommand::ConfirmInterpreter(_)) | None => {}
        }
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        self.message_area(ui);
        ui.horizontal(|ui| {
            for tab in Tab::ALL {
                ui.selectable_value(&mut self.tab, tab, tab.title());
            }
        });
        if let Some(results) = &self.results {
            let mut use_config = false;
            ui.horizontal_wrapped(|ui| {
                let status = match (&self.run, results.status) {
                    (Some(_), _) => "running",
                    (None, RunStatus::Complete) => "complete",
                    (None, RunStatus::Cancelled) => "cancelled",
                    (None, RunStatus::Incomplete) => "incomplete",
                };
                ui.label(egui::RichText::new(&results.experiment.name).strong());
                ui.weak(format!("· {status} · {} cells", results.cells.len()));
                if let Some(warning) = results.machine.busy_warning() {
                    ui.colored_label(ui.visuals().warn_fg_color, "· noisy: the machine was busy")
                        .on_hover_text(warning);
                }
                if let Some(p) = &self.results_path {
                    ui.weak("·").on_hover_text(p.display().to_string());
                    ui.weak(p.display().to_string());
                }
                if self.run.is_none()
                    && results.experiment != self.experiment
                    && ui
                        .small_button("Use this configuration")
                        .on_hover_text(
                            "Copy these results' experiment into the editor on the left.",
                        )
                        .clicked()
                {
                    use_config = true;
                }
            });
            if use_config {
                let exp = results.experiment.clone();
                let source = self.results_path.clone();
                self.set_experiment_from_file(exp, source.as_deref());
            }
        }
        ui.separator();
        let physical = self
            .results
            .as_ref()
            .filter(|r| !r.machine.cpu_brand.is_empty())
            .map_or(self.machine.physical_cores, |r| r.machine.physical_cores);
        let planned = self
            .results
            .as_ref()
            .map_or(&self.experiment.workers, |r| &r.experiment.workers)
            .clone();
        self.fits.get(self.results.as_ref());
        self.analysis_bar(ui);
        let label = self.results_label();
        let layers = Layers {
            label: &label,
            compare: &self.compare,
            fits: self.fits.fits(),
            show_fits: self.show_fits,
        };
        match self.tab {
            Tab::Table => results_table::show(ui, self.results.as_ref()),
            Tab::Fits => fits_panel::show(ui, self.results.as_ref(), self.fits.fits()),
            Tab::Timeline => super::timeline::show(ui, self.results.as_ref()),
            tab => charts::show(
                ui,
                tab.chart().unwrap_or(ChartKind::Speedup),
                self.results.as_ref(),
                &planned,
                physical,
                &layers,
            ),
        }
    }

    /// Fits, export and comparison controls above the charts.
    fn analysis_bar(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let has_results = self.results.as_ref().is_some_and(|r| !r.cells.is_empty());
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.show_fits, "show fits")
                .on_hover_text(fits_panel::help::FITS);
            ui.separator();
            let chart = self.tab.chart().unwrap_or(ChartKind::Speedup);
            if ui
                .add_enabled(has_results, egui::Button::new("Export chart…"))
                .on_hover_text(format!(
                    "Save the {} chart as SVG and PNG (both, side by side).",
                    chart.export_kind()
                ))
                .on_disabled_hover_text("Nothing to export yet: run a sweep or open results.")
                .clicked()
            {
                let payload = self.payload_for(FileAction::ExportChart);
                self.files.start(&ctx, FileAction::ExportChart, payload);
            }
            if ui
                .add_enabled(has_results, egui::Button::new("Export report…"))
                .on_hover_text(
                    "Save a Markdown report: machine, experiment, summary table and fits.",
                )
                .on_disabled_hover_text("Nothing to export yet: run a sweep or open results.")
                .clicked()
            {
                let payload = self.payload_for(FileAction::ExportReport);
                self.files.start(&ctx, FileAction::ExportReport, payload);
            }
            ui.separator();
            if ui
                .button("Add results to compare…")
                .on_hover_text(
                    "Overlay another results file's curves (faded, square markers), labelled model @ file.",
                )
                .clicked()
            {
                self.files.start(&ctx, FileAction::OpenCompare, None);
            }
            if !self.compare.is_empty() {
                let names: Vec<&str> = self.compare.iter().map(|c| c.label.as_str()).collect();
                ui.weak(format!("comparing with {}", names.join(", ")));
                if ui
                    .small_button("Clear comparison")
                    .on_hover_text("Remove the overlaid results from the charts.")
                    .clicked()
                {
                    self.compare.clear();
                }
            }
        });
    }

    fn message_area(&mut self, ui: &mut egui::Ui) {
        if self.messages.is_empty() {
            return;
        }
        // Keep the list short: the newest few.
        let excess = self.messages.len().saturating_sub(6);
        self.messages.drain(..excess);
        let mut dismiss = None;
        let error_color = ui.visuals().error_fg_color;
        let any_error = self.messages.iter().any(|m| m.is_error);
        let frame = if any_error {
            egui::Frame::group(ui.style()).fill(ui.visuals().error_fg_color.gamma_multiply(0.12))
        } else {
            egui::Frame::group(ui.style())
        };
        frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            for (i, m) in self.messages.iter().enumerate() {
                ui.horizontal(|ui| {
                    if ui.small_button("x").on_hover_text("Dismiss").clicked() {
                        dismiss = Some(i);
                    }
                    if m.is_error {
                        ui.add(
                            egui::Label::new(egui::RichText::new(&m.text).color(error_color))
                                .wrap(),
                        );
                    } else {
                        ui.add(egui::Label::new(&m.text).wrap());
                    }
                });
            }
        });
        if let Some(i) = dismiss {
            self.messages.remove(i);
        }
    }
}

/// Inserts `cell`, replacing an earlier cell of the same model and worker count.
fn upsert_cell(results: &mut ResultsFile, cell: CellResult) {
    match results
        .cells
        .iter_mut()
        .find(|c| c.model == cell.model && c.workers == cell.workers)
    {
        Some(existing) => *existing = cell,
        None => results.cells.push(cell),
    }
}

/// The configuration a fresh workbench starts with: the first built-in preset.
fn default_experiment() -> Experiment {
    crate::preset::builtin_presets()
        .first()
        .and_then(|p| p.experiment().ok())
        .unwrap_or_default()
}

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // Closing the window mid-sweep: stop it and let the engine write the results so far
        // (marked cancelled) before the process ends. The engine kills its children within
        // milliseconds, so this waits briefly at most.
        if let Some(run) = &mut self.run {
            run.cancel_and_wait(Duration::from_secs(3));
        }
    }

    fn persist_egui_memory(&self) -> bool {
        // A screenshot must not depend on (or change) what an earlier session left behind.
        self.screenshot.is_none()
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if let Some(shot) = &mut self.screenshot {
            shot.hide_pointer(raw_input);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if !self.settings.restore_state {
            return;
        }
        let persisted = Persisted {
            experiment: self.experiment.clone(),
            tab: self.tab,
            confirmed_interpreters: self.confirmed_interpreters.clone(),
            unconfirmed_interpreter: self.unconfirmed_interpreter.clone(),
        };
        if let Ok(text) = serde_json::to_string(&persisted) {
            storage.set_string(STORAGE_KEY, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{DisplayPacing, WorkerCommand};
    use crate::preset::{ModelKind, TaskKind};

    /// A sweep of sleeping tasks: no worker processes, a few tenths of a second.
    fn sleepy() -> Experiment {
        let mut exp = Experiment {
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            workers: vec![2],
            repetitions: 2,
            warmups: 0,
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Io;
        exp.task.tasks = 4;
        exp.task.io.sleep_ms = 40.0;
        exp
    }

    fn quick_app(data_dir: &Path) -> WorkbenchApp {
        let mut config = SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"));
        config.display = Some(DisplayPacing {
            every: Duration::from_secs(3600),
            settle: Duration::ZERO,
        });
        WorkbenchApp::new(config, AppSettings::headless(data_dir), None)
    }

    fn finish(app: &mut WorkbenchApp) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while app.run.is_some() {
            assert!(Instant::now() < deadline, "the sweep did not end");
            std::thread::sleep(Duration::from_millis(10));
            app.poll();
        }
    }

    #[test]
    fn state_saved_before_interpreter_confirmation_existed_still_loads() {
        let old = serde_json::json!({
            "experiment": Experiment::default(),
            "tab": "Table",
        });
        let p: Persisted = serde_json::from_value(old).unwrap();
        assert!(p.confirmed_interpreters.is_empty());
        assert_eq!(p.unconfirmed_interpreter, None);
        assert_eq!(p.tab, Tab::Table);
    }

    #[test]
    fn an_interpreter_from_a_file_needs_confirmation_unless_it_is_the_default_or_confirmed() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        let mut exp = Experiment::default();
        app.set_experiment_from_file(exp.clone(), Some(Path::new("/presets/a.json")));
        assert!(app.interpreter_trusted(), "python3, corelab's default");
        exp.python.interpreter = "./venv/bin/python".into();
        app.set_experiment_from_file(exp.clone(), Some(Path::new("/presets/a.json")));
        assert_eq!(
            app.experiment().python.interpreter,
            "/presets/venv/bin/python",
            "anchored to the file's directory"
        );
        assert!(!app.interpreter_trusted());
        app.confirm_interpreter();
        assert!(app.interpreter_trusted());
        // Confirmed once: the same program from another file is trusted.
        app.set_experiment_from_file(exp.clone(), Some(Path::new("/presets/b.json")));
        assert!(app.interpreter_trusted());
        // What the user sets is the user's choice.
        exp.python.interpreter = "/opt/other/python3".into();
        app.set_experiment_from_file(exp.clone(), None);
        assert!(!app.interpreter_trusted());
        app.set_experiment(exp);
        assert!(app.interpreter_trusted());
    }

    #[test]
    fn a_failed_save_is_an_error_and_never_reported_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        app.set_experiment(sleepy());
        let ctx = egui::Context::default();
        assert!(app.start_run(&ctx));
        let path = app.results_path().unwrap().to_path_buf();
        // The autosave file becomes a non-empty directory: no rename can replace it.
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep"), "").unwrap();
        finish(&mut app);
        let texts: Vec<&Message> = app.messages().iter().collect();
        assert!(
            texts.iter().any(|m| m.is_error
                && m.text.starts_with("The results could not be saved to")
                && m.text.contains(&path.display().to_string())),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|m| m.is_error && m.text.starts_with("Not saved:")),
            "{texts:?}"
        );
        assert_eq!(
            texts
                .iter()
                .filter(|m| m.text.starts_with("The results"))
                .count(),
            1,
            "said once: {texts:?}"
        );
        assert!(
            texts
                .iter()
                .filter(|m| !m.is_error)
                .all(|m| !m.text.contains("saved to")),
            "{texts:?}"
        );
        assert!(app.results_path().is_none());
        assert_eq!(
            app.results().unwrap().cells.len(),
            2,
            "the results are still shown"
        );
    }

    #[test]
    fn a_successful_sweep_says_where_it_saved() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        app.set_experiment(sleepy());
        assert!(app.start_run(&egui::Context::default()));
        finish(&mut app);
        let path = app.results_path().unwrap().to_path_buf();
        let saved = ResultsFile::load(&path).unwrap();
        assert_eq!(saved.status, RunStatus::Complete);
        assert!(
            app.messages()
                .iter()
                .any(|m| !m.is_error && m.text.contains(&format!("saved to {}", path.display()))),
            "{:?}",
            app.messages()
        );
    }
}

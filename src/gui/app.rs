//! [`WorkbenchApp`]: the workbench's runtime state and its public API (what the tests and
//! the binary call).
//!
//! By concept: the persisted state is [`super::state`], the commands and shortcuts
//! [`super::command`]; here, one concept per file:
//! - `app/tab.rs`: [`Tab`], the central area's tabs.
//! - `app/settings.rs`: [`AppSettings`], the choices fixed when the app is created.
//! - `app/startup.rs`: the command-line options applied at start.
//! - `app/configuration.rs`: the configuration being edited, replaced, undone and redone.
//! - `app/python_interpreter.rs`: the Python interpreter's confirmation and check.
//! - `app/run_start.rs`: why Run is greyed, starting and cancelling a sweep.
//! - `app/file_actions.rs`: opening and saving presets and results, and what they write.
//! - `app/proposed_paths.rs`: where saves and exports are proposed, where opening starts.
//! - `app/export_actions.rs`: the chart, report, CSV and table exports, and the export dialog.
//! - `app/apply_command.rs`: [`WorkbenchApp::apply`], the one place where [`Command`]s change
//!   the app.
//! - `app/events.rs`: what arrives from the running sweep and from file jobs.
//! - `app/eframe_app.rs`: the eframe hooks (each frame, closing, saving the state).
//! - `app/layout.rs`: the frame's drawing, a file per panel under `app/layout/`.
//! - `app/header_warnings.rs`: the shown results' header warnings, decided once.
//! - `app/tab_choice.rs`: one tab as the tab row and the tab menu offer it.

mod apply_command;
mod configuration;
mod eframe_app;
mod events;
mod export_actions;
mod file_actions;
mod header_warnings;
mod layout;
mod proposed_paths;
mod python_interpreter;
use python_interpreter::PythonRefusal;
mod run_start;
mod settings;
mod startup;
mod tab;
mod tab_choice;

pub use layout::{
    CHARTS_BACK, CONFIG_PANEL_NAME, NARROW_BELOW_WIDTH, START_HINT, TAB_MENU_NAME,
    TIGHT_BELOW_HEIGHT, TIGHT_BELOW_WIDTH,
};
use run_start::{WORKERS_ERROR_PREFIX, workers_error_message};
pub use settings::AppSettings;
pub use tab::Tab;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;

use super::GuiOptions;
use super::autosave;
use super::charts::{self, ChartKind, CompareRun, Layers};
use super::command::{self, Command};
use super::config_panel::{self, ConfigCommand, ConfigEditor};
use super::editing::{History, Origin, PendingReplace, Source};
use super::export_dialog;
use super::file_dialogs::{FileAction, FileJobs, FileOutcome, Payload};
use super::fits_panel::{self, FitsCache};
use super::interrupted_run::InterruptedRun;
pub use super::notifications::Message;
use super::notifications::Notifications;
use super::presets_gallery::{self, GalleryPick};
use super::python_probe::{ALLOW_BUTTON, CHECK_BUTTON, PythonProbe};
use super::results_table::{self, TableFormat};
use super::run_control::{self, ActiveRun, RunAction};
use super::screenshot::{Outcome, ScreenshotMode};
use super::state::{Persisted, STORAGE_KEY};
use super::status_bar::{self, CpuMeter};
use crate::analysis::ModelFit;
use crate::engine::{PythonInfo, SweepConfig, SweepEvent, interpreter};
use crate::export::ChartOptions;
use crate::preset::{Experiment, ModelKind, START_HERE, find_builtin};
use crate::results::{CellResult, MachineInfo, ResultsFile, RunStatus};

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
    /// The shown results' state words, worked out when they change, not every frame.
    shown_state: super::shown_state::ShownState,
    run: Option<ActiveRun>,
    files: FileJobs,
    /// Errors and information, shown over the bottom-right corner.
    messages: Notifications,
    /// "Recent results", read off the UI thread at start and after each sweep.
    recent: super::recent_list::RecentList,
    tab: Tab,
    /// The tab was named on the command line (`--tab`): a preset's view does not move it, for
    /// the preset named there and its `--run`, until the user picks another preset.
    tab_pinned: bool,
    /// The tab shown when the running sweep started: its results open their view (see
    /// [`Experiment::view`]) only if the user has not switched tabs since.
    tab_at_run_start: Option<Tab>,
    meter: CpuMeter,
    screenshot: Option<ScreenshotMode>,
    /// Start a sweep as soon as nothing is loading (`--run`).
    run_when_ready: bool,
    created: Instant,
    /// The interpreter check for the Python models.
    python: PythonProbe,
    /// Interpreters from opened files that the user allowed to run (persisted).
    confirmed_interpreters: BTreeSet<String>,
    /// Interpreters that came from opened preset or results files and were not confirmed:
    /// shown, never run, whichever way they come back into the configuration (undo and redo
    /// included). Not forgotten when another preset is loaded.
    unconfirmed_interpreters: BTreeSet<String>,
    /// Why the running sweep's results could not be autosaved (its file could not be created
    /// or written), if they could not: said in the status bar while it runs, and its measured
    /// runs are rescued to the temporary directory when it ends ([`crate::results::rescue`]).
    save_error: Option<String>,
    /// Why the shown results of a sweep run here are stored nowhere (neither autosaved nor
    /// rescued), if they are not: said in the status bar until saved or replaced, and tried
    /// again when the window closes.
    unsaved: Option<String>,
    /// Where measured runs that could not be autosaved go: the temporary directory.
    rescue_dir: PathBuf,
    /// Fits of the shown results, refitted when they change.
    fits: FitsCache,
    /// The results table's lost-updates words, worked out again when the results change.
    table_notes: super::table_notes::TableNotes,
    /// Draw the fitted curves on the charts.
    show_fits: bool,
    /// Results files overlaid on the charts.
    compare: Vec<CompareRun>,
    /// The export dialog: size, scale, font, theme, runs and models, with a live preview.
    export_dialog: super::export_dialog::ExportDialog,
    /// Open the export dialog once results are loaded (`--export-dialog`).
    export_dialog_when_ready: bool,
    /// Files asked for as compared runs, in the order asked (their loads finish in any order).
    compare_order: Vec<PathBuf>,
    /// The preset the configuration came from (for "modified" and "Reset to preset").
    origin: Option<Origin>,
    /// Undo/redo of configuration edits.
    history: History,
    /// A preset that would replace unsaved edits, waiting for the user to confirm.
    pending_replace: Option<PendingReplace>,
    /// The keyboard shortcuts overlay is shown.
    help_open: bool,
    /// What the panels asked for this frame, applied after drawing.
    commands: Vec<Command>,
    /// The first-start hint was dismissed (persisted: it never comes back).
    start_hint_dismissed: bool,
    /// The configuration panel is hidden, the charts taking the window (persisted).
    config_panel_hidden: bool,
    /// The window was narrower than [`NARROW_BELOW_WIDTH`] at the last frame: the
    /// configuration panel is then hidden unless opened for this session
    /// (`panel_opened_narrow`), whatever `config_panel_hidden` says.
    narrow: bool,
    /// The window is tight ([`TIGHT_BELOW_HEIGHT`]) this frame: the top bar takes one row,
    /// the rows above a chart fold, and the configuration panel's note holds **Use this
    /// configuration**.
    tight: bool,
    panel_opened_narrow: bool,
    /// The sweep the last session was running when it closed, its cells saved: said at start,
    /// with a button that opens it, until dismissed or other results are shown.
    interrupted: Option<InterruptedRun>,
    /// Files a killed workbench left that a start has offered ([`Persisted::offered_abandoned`]).
    offered_abandoned: Vec<PathBuf>,
    /// What had keyboard focus as the last frame ended (Escape clears it before the frame).
    last_focus: super::focus::FocusNow,
    /// The button that last opened a dialog or the path prompt with a click (a click does
    /// not give a button focus): where focus goes back when that closes.
    clicked_opener: Option<egui::Id>,
    /// Where focus goes back when the path prompt, the export dialog or the help closes.
    prompt_focus: super::focus::ReturnFocus,
    export_focus: super::focus::ReturnFocus,
    help_focus: super::focus::ReturnFocus,
    /// Focus on Cancel while a sweep runs and back on Run after, when it was on them.
    run_focus: super::focus::RunFocus,
    /// The app's colours (readable weak text) are set on the context.
    visuals_set: bool,
    /// Light, dark or the system's theme (persisted), and the one last set on the context.
    theme: egui::ThemePreference,
    theme_applied: Option<egui::ThemePreference>,
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
            .and_then(|text| Persisted::from_json(&text));
        let start_hint_dismissed = persisted.as_ref().is_some_and(|p| p.start_hint_dismissed);
        let config_panel_hidden = persisted.as_ref().is_some_and(|p| p.config_panel_hidden);
        let description_collapsed = persisted.as_ref().is_some_and(|p| p.description_collapsed);
        let theme = persisted.as_ref().map(|p| p.theme).unwrap_or_default();
        // A sweep was running when the last session ended: its autosaved file, if it is
        // there, read with the recent list (off the UI thread, and once).
        let interrupted_file = persisted.as_ref().and_then(|p| p.running_results.clone());
        let offered_abandoned = persisted
            .as_ref()
            .map_or_else(Vec::new, |p| p.offered_abandoned.clone());
        let (experiment, tab, confirmed_interpreters, unconfirmed_interpreter, origin) =
            match persisted {
                Some(p) => {
                    let unconfirmed = p
                        .unconfirmed_interpreter
                        .filter(|i| *i == p.experiment.python.interpreter.trim());
                    (
                        p.experiment,
                        p.tab,
                        p.confirmed_interpreters,
                        unconfirmed,
                        p.origin,
                    )
                }
                None => {
                    let (experiment, origin) = default_experiment();
                    (experiment, Tab::default(), BTreeSet::new(), None, origin)
                }
            };
        let mut messages = Notifications::default();
        if let Err(e) = std::fs::create_dir_all(autosave::results_dir(&settings.data_dir)) {
            messages.push(
                format!(
                    "Results cannot be autosaved: cannot create {}: {e}",
                    autosave::results_dir(&settings.data_dir).display()
                ),
                true,
            );
        }
        WorkbenchApp {
            experiment,
            editor: ConfigEditor::with_description_collapsed(description_collapsed),
            sweep_config,
            recent: super::recent_list::RecentList::start(&settings.data_dir, interrupted_file),
            files: FileJobs::new(settings.native_dialogs),
            settings,
            machine: MachineInfo::detect(),
            results: None,
            results_path: None,
            shown_state: Default::default(),
            run: None,
            messages,
            tab,
            tab_pinned: false,
            tab_at_run_start: None,
            meter: CpuMeter::new(),
            screenshot: None,
            run_when_ready: false,
            created: Instant::now(),
            python: PythonProbe::new(),
            confirmed_interpreters,
            unconfirmed_interpreters: unconfirmed_interpreter.into_iter().collect(),
            save_error: None,
            unsaved: None,
            rescue_dir: std::env::temp_dir(),
            fits: FitsCache::default(),
            table_notes: Default::default(),
            show_fits: true,
            compare: Vec::new(),
            export_dialog: Default::default(),
            export_dialog_when_ready: false,
            compare_order: Vec::new(),
            origin,
            history: History::default(),
            pending_replace: None,
            help_open: false,
            commands: Vec::new(),
            start_hint_dismissed,
            config_panel_hidden,
            narrow: false,
            tight: false,
            panel_opened_narrow: false,
            interrupted: None,
            offered_abandoned,
            last_focus: Default::default(),
            clicked_opener: None,
            prompt_focus: Default::default(),
            export_focus: Default::default(),
            help_focus: Default::default(),
            run_focus: Default::default(),
            visuals_set: false,
            theme,
            theme_applied: None,
        }
    }

    /// The first-start hint is showing: not dismissed yet, the configuration is still the
    /// "start here" tour it talks about (its task's kind too: the hint's CPU-bound lesson says
    /// nothing of a function or an I/O task made from it), and the results shown (if any) are
    /// the tour's, not an opened file of another experiment.
    pub fn start_hint_shown(&self) -> bool {
        !self.start_hint_dismissed
            && self
                .origin
                .as_ref()
                .is_some_and(|o| o.source == Source::Builtin(START_HERE.to_string()))
            && super::presets_gallery::parsed_builtin(START_HERE)
                .is_some_and(|tour| tour.task.kind == self.experiment.task.kind)
            && self
                .results
                .as_ref()
                .is_none_or(|r| r.experiment.name == self.experiment.name)
    }

    /// The configuration panel is shown: not hidden with the top bar's toggle or Ctrl+B, and,
    /// in a window narrower than [`NARROW_BELOW_WIDTH`] (800 × 600 at 2×), only where opened
    /// there (it would leave the charts half of too little).
    pub fn config_panel_shown(&self) -> bool {
        if self.narrow {
            self.panel_opened_narrow
        } else {
            !self.config_panel_hidden
        }
    }

    /// "What this experiment shows" is open (the user has not collapsed it).
    pub fn description_open(&self) -> bool {
        !self.editor.description_collapsed
    }

    /// The sweep the last session was running when it closed (its autosaved results), while
    /// the workbench says so.
    pub fn interrupted_run(&self) -> Option<&autosave::RecentEntry> {
        self.interrupted.as_ref().map(InterruptedRun::entry)
    }

    /// Stops saying that the last session's sweep was interrupted.
    pub fn dismiss_interrupted_run(&mut self) {
        self.interrupted = None;
        self.recent.forget_also();
    }

    /// Dismisses the first-start hint for good (the dismissal is saved with the state).
    pub fn dismiss_start_hint(&mut self) {
        self.start_hint_dismissed = true;
    }

    /// The experiment being edited.
    pub fn experiment(&self) -> &Experiment {
        &self.experiment
    }

    /// Whether the keyboard shortcuts overlay is shown.
    pub fn help_open(&self) -> bool {
        self.help_open
    }

    /// What the status bar says of results measured here that are not stored where they
    /// should be: a running sweep that cannot be autosaved, or results stored nowhere.
    pub fn not_stored(&self) -> Option<status_bar::NotStored> {
        match (&self.run, &self.save_error, &self.unsaved) {
            (Some(_), Some(reason), _) => Some(status_bar::NotStored {
                short: "Not autosaved",
                why: format!(
                    "This sweep's results cannot be autosaved: {reason}. What it measures is \
                     saved to the temporary directory ({}) when it ends or the window closes.",
                    self.rescue_dir.display()
                ),
            }),
            (None, _, Some(reason)) => Some(status_bar::NotStored {
                short: "Not saved",
                why: format!(
                    "The results shown are stored nowhere: {reason}. Keep them with Save \
                     results as…"
                ),
            }),
            _ => None,
        }
    }

    /// Where measured runs that could not be autosaved are saved instead (the temporary
    /// directory unless set; tests set their own).
    pub fn set_rescue_dir(&mut self, dir: impl Into<PathBuf>) {
        self.rescue_dir = dir.into();
    }

    /// How many times the shown results' state words were worked out (they are kept between
    /// frames: [`super::shown_state::ShownState`]).
    pub fn state_words_computed(&self) -> u64 {
        self.shown_state.computed()
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

    /// Notifications currently shown (errors in red, until dismissed; information fades).
    pub fn messages(&self) -> &[Message] {
        self.messages.messages()
    }

    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Light, dark or the system's theme, as picked.
    pub fn theme(&self) -> egui::ThemePreference {
        self.theme
    }

    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
    }

    /// The autosaved results listed under "Recent results", newest first (as last read:
    /// empty until the first reading arrives).
    pub fn recent_results(&self) -> Vec<PathBuf> {
        self.recent.entries().map(|e| e.path.clone()).collect()
    }

    /// "Recent results" is being read (at start, or after a sweep wrote a file).
    pub fn recent_results_reading(&self) -> bool {
        self.recent.reading()
    }

    /// Whether file dialogs or loads are in flight.
    pub fn files_busy(&self) -> bool {
        self.files.busy()
    }

    /// The fits of the shown results (as of the last frame).
    pub fn fits(&self) -> &[ModelFit] {
        self.fits.fits()
    }

    /// How many times the fits were computed (they are cached between frames).
    pub fn fits_computed(&self) -> usize {
        self.fits.computed
    }

    /// How many times the results table's lost-updates words were worked out (they are
    /// cached between frames).
    pub fn table_notes_computed(&self) -> usize {
        self.table_notes.computed
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
        self.compare_order.clear();
    }

    fn error(&mut self, text: impl Into<String>) {
        self.messages.push(text.into(), true);
    }

    fn info(&mut self, text: impl Into<String>) {
        self.messages.push(text.into(), false);
    }

    /// Shows an information message from outside the window (what the start of the workbench
    /// stopped, say).
    pub fn tell(&mut self, text: impl Into<String>) {
        self.info(text);
    }
}

/// The configuration a fresh workbench starts with: the first built-in preset.
/// What a first start (no saved state) opens on: the short "start here" tour.
fn default_experiment() -> (Experiment, Option<Origin>) {
    match find_builtin(START_HERE)
        .or_else(|| crate::preset::builtin_presets().first())
        .and_then(|p| Some((p.id, p.experiment().ok()?)))
    {
        Some((id, exp)) => (
            exp.clone(),
            Some(Origin {
                source: Source::Builtin(id.to_string()),
                experiment: exp,
            }),
        ),
        None => (Experiment::default(), None),
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

    /// Runs `test` on a thread of its own and fails unless it ends within a minute: a read
    /// that blocks on a fifo would never end.
    fn within_a_minute(test: impl FnOnce() + Send + 'static) {
        let (done, finished) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            test();
            let _ = done.send(());
        });
        match finished.recv_timeout(Duration::from_secs(60)) {
            Ok(()) => worker.join().unwrap(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(worker.join().unwrap_err())
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("the workbench hung reading the saved preset back (a blocking read?)")
            }
        }
    }

    /// The workbench reads a saved preset back (it becomes the configuration's origin). A
    /// fifo, or a link to /dev/zero, put in its place after the write is refused at once by
    /// the preset loader's reader: the workbench neither freezes in `open` nor reads without
    /// end, and the origin stays what it was. A regular file saved there becomes the origin.
    #[test]
    fn a_saved_preset_swapped_for_a_fifo_or_a_device_is_not_read() {
        within_a_minute(|| {
            let dir = tempfile::tempdir().unwrap();
            let mut app = quick_app(dir.path());
            let before = app.origin.clone();
            let fifo = dir.path().join("saved.json");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
            let zero = dir.path().join("zero.json");
            std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
            for path in [fifo, zero] {
                app.on_file_outcome(FileOutcome::PresetSaved {
                    path: path.clone(),
                    result: Ok(()),
                });
                assert_eq!(app.origin, before, "{}", path.display());
                let said = app.messages().last().map(|m| m.text.clone());
                assert!(
                    said.as_deref()
                        .is_some_and(|t| t.starts_with("Preset saved to")),
                    "{said:?}"
                );
            }
            // A regular file is read back and becomes the origin.
            let saved = dir.path().join("real.json");
            let mut exp = sleepy();
            exp.name = "read back".into();
            std::fs::write(&saved, exp.to_json()).unwrap();
            app.on_file_outcome(FileOutcome::PresetSaved {
                path: saved.clone(),
                result: Ok(()),
            });
            let origin = app.origin.clone().expect("an origin");
            assert_eq!(origin.source, Source::File(saved));
            assert_eq!(origin.experiment.name, "read back");
        });
    }

    /// The sweep's warnings arrive with each round: the shown results (which the header
    /// reads, and a rescue at exit saves) hold those told so far, each once.
    #[test]
    fn a_rounds_warnings_are_the_shown_results_own_each_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        app.results = Some(ResultsFile::default());
        let warning = "threads × 2: a process the cell left was still there 2 s after SIGKILL \
                       when the cell ended: pid 4242 (D: uninterruptible sleep)"
            .to_string();
        for round in [1, 2] {
            app.on_sweep_event(SweepEvent::RoundDone {
                round,
                cells: Vec::new(),
                warnings: vec![warning.clone()],
            });
        }
        let shown = app.results.as_ref().unwrap();
        assert_eq!(shown.warnings, vec![warning.clone()]);
        let header = header_warnings::HeaderWarnings::of(shown, app.tab);
        assert_eq!(header.sweep, Some(warning));
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
        exp.mpi.hostfile = "hosts".into();
        app.set_experiment_from_file(exp.clone(), Some(Path::new("/presets/a.json")));
        assert_eq!(
            app.experiment().python.interpreter,
            "/presets/venv/bin/python",
            "anchored to the file's directory"
        );
        assert_eq!(
            app.experiment().mpi.hostfile,
            "/presets/hosts",
            "the MPI hostfile too (the launcher runs in a scratch directory)"
        );
        exp.mpi.hostfile.clear();
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
        let rescue = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        app.set_rescue_dir(rescue.path());
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
        // The measured runs are not lost: they went to the temporary directory, which the
        // error names.
        let rescued: Vec<PathBuf> = std::fs::read_dir(rescue.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(rescued.len(), 1, "{rescued:?}");
        let kept = ResultsFile::load(&rescued[0]).unwrap();
        assert_eq!(kept.cells.len(), 2);
        assert_eq!(autosave::measured_cells(&kept), 2);
        assert!(
            texts.iter().any(|m| m.is_error
                && m.text.starts_with(&format!(
                    "Not autosaved: writing {} failed (",
                    path.display()
                ))
                && m.text.ends_with(&format!(
                    "the 2 measured cells were saved to {} instead.",
                    rescued[0].display()
                ))),
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
        let failed_path = format!("saved to {}", path.display());
        assert!(
            texts
                .iter()
                .filter(|m| !m.is_error)
                .all(|m| !m.text.contains(&failed_path)),
            "{texts:?}"
        );
        assert_eq!(app.results_path(), Some(rescued[0].as_path()));
        assert!(app.not_stored().is_none(), "stored in the rescued file");
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

    /// The start-here tour's results on a 2-core machine, six runs a cell, where threads
    /// reached only 1.1× and processes 0.85× at 2 workers: the lesson is not shown.
    fn disturbed_tour() -> ResultsFile {
        let cell = |model, workers, t: f64| CellResult {
            model: Some(model),
            workers,
            samples: (0..6)
                .map(|i| crate::results::Sample {
                    wall_s: t * (1.0 + 0.001 * (i as f64 - 2.5)),
                    cpu_s: t,
                    checksum: 1,
                    ..crate::results::Sample::default()
                })
                .collect(),
            ..CellResult::default()
        };
        let mut cells = vec![cell(ModelKind::Sequential, 1, 1.0)];
        for (model, at2) in [
            (ModelKind::Threads, 1.1),
            (ModelKind::GilThreads, 1.0),
            (ModelKind::Processes, 0.85),
        ] {
            cells.push(cell(model, 1, 1.0));
            cells.push(cell(model, 2, 1.0 / at2));
        }
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.machine.logical_cores = 2;
        r.recompute();
        r
    }

    /// The start-here hint's note that results do not show the lesson judges finished
    /// results only: while a sweep runs its cells are still being measured, so the very
    /// cells that draw the note once the sweep has ended draw none while it runs.
    #[test]
    fn the_lesson_is_not_judged_while_a_sweep_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        app.set_experiment(sleepy());
        assert!(app.start_run(&egui::Context::default()));
        // What a round shows mid-sweep: cells with runs so far, not yet completed.
        app.results = Some(disturbed_tour());
        assert!(app.is_running());
        assert_eq!(app.lesson_note(), None);
        finish(&mut app);
        app.results = Some(disturbed_tour());
        let note = app.lesson_note().expect("finished results are judged");
        assert!(note.starts_with("These results do not show it ("), "{note}");
    }

    /// A sweep's results are told apart from compared runs from its first frame: they have
    /// its start time and this build's provenance (without them its label read "?" where the
    /// dates tell the runs apart, and a "corelab build" difference was reported until the
    /// sweep ended).
    #[test]
    fn a_running_sweeps_results_have_their_start_and_build_from_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = quick_app(dir.path());
        app.set_experiment(sleepy());
        // The same experiment, run by this build on another day.
        let earlier = ResultsFile {
            started_at: "2026-01-02T03:04:05Z".into(),
            experiment: sleepy(),
            machine: app.machine.clone(),
            provenance: crate::results::Provenance::of_this_build(),
            ..ResultsFile::default()
        };
        app.compare.push(CompareRun::new(
            "earlier".into(),
            dir.path().join("earlier.json"),
            earlier.clone(),
        ));
        assert!(app.start_run(&egui::Context::default()));
        let live = app.results.clone().unwrap();
        assert!(live.started_at.starts_with("20"), "{:?}", live.started_at);
        assert_eq!(live.provenance.commit, earlier.provenance.commit);
        assert_eq!(live.provenance.command.as_deref(), Some("workbench"));
        let labels = app.run_labels();
        assert!(!labels.iter().any(|l| l.contains('?')), "{labels:?}");
        assert_ne!(labels[0], labels[1], "{labels:?}");
        let differences = crate::results::comparison_differences(&[
            (labels[0].as_str(), &live),
            (labels[1].as_str(), &earlier),
        ]);
        assert!(
            !differences.iter().any(|d| d.aspect == "corelab build"),
            "{differences:?}"
        );
        finish(&mut app);
    }
}

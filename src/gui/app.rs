//! [`WorkbenchApp`]: the workbench's runtime state and its public API (what the tests and
//! the binary call), and [`WorkbenchApp::apply`], the one place where [`Command`]s change it.
//!
//! By concept: the persisted state is [`super::state`], the commands and shortcuts
//! [`super::command`], event handling `app/events.rs`, the frame's layout `app/layout.rs`.

mod events;
mod header_warnings;
mod layout;
mod tab_choice;

pub use layout::{CHARTS_BACK, CONFIG_PANEL_NAME, TAB_MENU_NAME};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use serde::{Deserialize, Serialize};

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
use super::python_probe::{CHECK_BUTTON, PythonProbe};
use super::results_table::{self, TableFormat};
use super::run_control::{self, ActiveRun, RunAction};
use super::screenshot::{Outcome, ScreenshotMode};
use super::state::{Persisted, STORAGE_KEY};
use super::status_bar::{self, CpuMeter};
use crate::analysis::ModelFit;
use crate::engine::{PythonInfo, SweepConfig, SweepEvent, interpreter};
use crate::export::ChartOptions;
use crate::preset::{Experiment, ModelKind, ResultsView, START_HERE, find_builtin};
use crate::results::{CellResult, MachineInfo, ResultsFile, RunStatus};

/// How long `--run` waits after the window opened before starting the sweep.
const STARTUP_SETTLE: Duration = Duration::from_millis(1500);

/// While a sweep runs, the longest time between frames that the engine did not ask for (the
/// elapsed time on the progress bar ticks at least this often).
const LONG_RUN_TICK: Duration = Duration::from_secs(10);

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
    /// The lost-updates chart: offered where the results counted lost updates.
    LostUpdates,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Speedup,
        Tab::Efficiency,
        Tab::WallTime,
        Tab::Table,
        Tab::Fits,
        Tab::Timeline,
        Tab::LostUpdates,
    ];

    /// The tab named `id` on the command line: `speedup`, `efficiency`, `time`, `table`, `fits`,
    /// `timeline`, `lost-updates`.
    pub fn from_id(id: &str) -> Option<Tab> {
        Some(match id {
            "speedup" => Tab::Speedup,
            "efficiency" => Tab::Efficiency,
            "time" => Tab::WallTime,
            "table" => Tab::Table,
            "fits" => Tab::Fits,
            "timeline" => Tab::Timeline,
            "lost-updates" => Tab::LostUpdates,
            _ => return None,
        })
    }

    /// The tab that shows a preset's view.
    pub fn of_view(view: ResultsView) -> Tab {
        match view {
            ResultsView::Speedup => Tab::Speedup,
            ResultsView::Efficiency => Tab::Efficiency,
            ResultsView::Time => Tab::WallTime,
            ResultsView::Table => Tab::Table,
            ResultsView::Fits => Tab::Fits,
            ResultsView::Timeline => Tab::Timeline,
            ResultsView::LostUpdates => Tab::LostUpdates,
        }
    }

    /// The chart this tab shows, if it is a chart.
    pub fn chart(self) -> Option<ChartKind> {
        match self {
            Tab::Speedup => Some(ChartKind::Speedup),
            Tab::Efficiency => Some(ChartKind::Efficiency),
            Tab::WallTime => Some(ChartKind::WallTime),
            Tab::LostUpdates => Some(ChartKind::LostUpdates),
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
            Tab::LostUpdates => "Lost updates",
        }
    }

    /// The tab's name where room is short (zoomed in): the title without "vs workers".
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Speedup => "Speedup",
            Tab::Efficiency => "Efficiency",
            Tab::WallTime => "Wall time",
            Tab::Table => "Table",
            tab => tab.title(),
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

/// The first-start hint, over the charts of the "start here" tour until dismissed.
pub const START_HINT: &str = "When the curves appear: threads and processes climb with the cores, gil-threads stays flat — that flat line is the GIL.";

/// Narrower than this, in points, the configuration panel is hidden until opened (800 × 600
/// at 2× is 400 points wide: the panel took half and left the chart none).
pub const NARROW_BELOW_WIDTH: f32 = 480.0;
/// A window less tall than this, in points, and narrower than [`TIGHT_BELOW_WIDTH`], is
/// tight: the top bar takes one row (the file actions in one menu, Run beside it) and the
/// rows above a chart fold into as few as they can (the tabs into a menu, the warnings onto
/// the verdict's line, the axis boxes and **show fits** into a menu beside the legend), so
/// that the run controls, the verdict and the whole plot are in view without scrolling,
/// beside the configuration panel too (512 × 320). 800 × 600 at 2× is 400 × 300 points;
/// 560 × 420 and 1024 × 640 at 1.5× are tight, 600 × 480 is not. Folded only in windows
/// narrower than the panel's rule ([`NARROW_BELOW_WIDTH`]), those 480 to 600 points wide
/// kept every row and lost the plot below them. Decided by the window alone, before
/// anything is drawn: the top bar's height depends on it.
pub const TIGHT_BELOW_HEIGHT: f32 = 440.0;
/// A window at least this wide, in points, is never tight ([`TIGHT_BELOW_HEIGHT`]): its
/// rows above a chart are few enough (the tabs on one row), and the tab row, the results'
/// name and file stay in view.
pub const TIGHT_BELOW_WIDTH: f32 = 800.0;

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

/// How "Cannot run" about the worker counts starts (see [`workers_error_message`]).
pub(crate) const WORKERS_ERROR_PREFIX: &str = "Cannot run: the worker counts: ";

/// The notification for a worker-count field that does not parse.
pub(crate) fn workers_error_message(err: &str) -> String {
    format!("{WORKERS_ERROR_PREFIX}{err}")
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

    /// Applies the command-line options: preset, results, `--run`, `--screenshot`.
    pub fn apply_startup(&mut self, ctx: &egui::Context, options: &GuiOptions, outcome: Outcome) {
        // First the tab, so that the preset's view (below, or once its file is read) moves it
        // where no `--tab` was given, and an explicit `--tab` wins.
        if options.screenshot.is_some() || options.tab.is_some() {
            self.tab = options
                .tab
                .as_deref()
                .and_then(Tab::from_id)
                .unwrap_or(Tab::Speedup);
        }
        self.tab_pinned = options.tab.is_some();
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
                            self.set_experiment(exp.clone());
                            self.open_view_of(&exp);
                            self.origin = Some(Origin {
                                source: Source::Builtin(builtin.id.to_string()),
                                experiment: exp,
                            });
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
        self.export_dialog_when_ready = options.export_dialog;
        if options.shortcuts {
            self.help_open = true;
        }
        if let Some(zoom) = options.zoom {
            ctx.set_zoom_factor(zoom);
        }
        if let Some(theme) = options
            .theme
            .as_deref()
            .and_then(super::theme_choice::from_id)
        {
            self.theme = theme;
        }
        if let Some(path) = &options.screenshot {
            let size = options.window_size.unwrap_or(super::screenshot::SIZE);
            self.screenshot = Some(ScreenshotMode::new(path.clone(), outcome).with_size(size));
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

    /// Replaces the experiment being edited, as the user's own choice (a built-in preset, the
    /// gallery, code embedding the workbench): its interpreter may run.
    pub fn set_experiment(&mut self, experiment: Experiment) {
        self.history.record_replace(&self.experiment, &experiment);
        self.origin = None;
        // This configuration's interpreter is the caller's choice; others a file named stay
        // unconfirmed (Undo can bring them back).
        self.unconfirmed_interpreters
            .remove(experiment.python.interpreter.trim());
        self.experiment = experiment;
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
            experiment.task.function.anchor(&dir); // the module path, too (nothing imports it)
            experiment.task.command.anchor(&dir); // and a relative program path
            experiment.mpi.anchor(&dir); // and a relative MPI hostfile
        }
        let interp = experiment.python.interpreter.trim().to_string();
        let trusted = interp == crate::preset::PythonOptions::default().interpreter
            || self.confirmed_interpreters.contains(&interp);
        self.history.record_replace(&self.experiment, &experiment);
        self.experiment = experiment;
        if !trusted {
            self.unconfirmed_interpreters.insert(interp);
        }
        self.editor.sync(&self.experiment);
    }

    /// Where the configuration came from, if from a preset or results file.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// Whether the configuration differs from the preset it came from.
    pub fn is_modified(&self) -> bool {
        self.origin
            .as_ref()
            .is_some_and(|o| o.experiment != self.experiment)
    }

    /// Whether a preset waits to replace unsaved edits (the question is shown).
    pub fn replace_pending(&self) -> bool {
        self.pending_replace.is_some()
    }

    /// Whether the keyboard shortcuts overlay is shown.
    pub fn help_open(&self) -> bool {
        self.help_open
    }

    /// Loads a built-in preset by id, as a click in the gallery does (asking first when it
    /// would replace unsaved edits). Returns whether such a preset exists.
    pub fn load_builtin(&mut self, id: &str) -> bool {
        let Some(exp) = find_builtin(id).and_then(|b| b.experiment().ok()) else {
            return false;
        };
        self.tab_pinned = false;
        self.offer_replacement(PendingReplace {
            origin: Origin {
                source: Source::Builtin(id.to_string()),
                experiment: exp.clone(),
            },
            experiment: exp,
            from_file: None,
            message: format!("Loaded built-in preset {id}"),
        });
        true
    }

    /// Replaces the configuration with `pending`, or asks first when that would lose edits.
    fn offer_replacement(&mut self, pending: PendingReplace) {
        if self.is_modified() && pending.experiment != self.experiment {
            self.pending_replace = Some(pending);
        } else {
            self.apply_replacement(pending);
        }
    }

    fn apply_replacement(&mut self, pending: PendingReplace) {
        match &pending.from_file {
            Some(path) => self.set_experiment_from_file(pending.experiment, Some(path)),
            None => self.set_experiment(pending.experiment),
        }
        // The origin as loaded (after the interpreter was anchored to the file's directory).
        let mut origin = pending.origin;
        origin.experiment = self.experiment.clone();
        self.origin = Some(origin);
        self.open_view_of(&self.experiment.clone());
        self.info(pending.message);
    }

    /// Shows the tab of `experiment`'s view (the lost-updates lessons open on their chart),
    /// unless `--tab` named one. Called when a preset is loaded and when results arrive.
    pub(super) fn open_view_of(&mut self, experiment: &Experiment) {
        if let Some(view) = experiment.view
            && !self.tab_pinned
        {
            self.tab = Tab::of_view(view);
        }
    }

    /// Answers the "replace your edits?" question.
    pub fn answer_replace(&mut self, replace: bool) {
        if let Some(pending) = self.pending_replace.take()
            && replace
        {
            self.apply_replacement(pending);
        }
    }

    /// Goes back to the configuration as its preset had it (an undoable step).
    pub fn reset_to_preset(&mut self) {
        if let Some(origin) = &self.origin {
            let exp = origin.experiment.clone();
            self.history.record_replace(&self.experiment, &exp);
            self.experiment = exp;
            self.editor.sync(&self.experiment);
        }
    }

    /// Undoes the last configuration edit (nothing while a sweep runs).
    pub fn undo(&mut self) {
        if self.run.is_none()
            && let Some(exp) = self.history.undo(&self.experiment)
        {
            self.experiment = exp;
            self.editor.sync(&self.experiment);
        }
    }

    /// Redoes the last undone configuration edit.
    pub fn redo(&mut self) {
        if self.run.is_none()
            && let Some(exp) = self.history.redo(&self.experiment)
        {
            self.experiment = exp;
            self.editor.sync(&self.experiment);
        }
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        self.history.can_undo(&self.experiment)
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        self.history.can_redo(&self.experiment)
    }

    /// Saves the configuration as a preset (a dialog, or the typed-path prompt).
    pub fn save_preset(&mut self, ctx: &egui::Context) {
        let payload = self.payload_for(FileAction::SavePreset);
        let proposed = self.proposed_path(FileAction::SavePreset);
        self.files
            .start(ctx, FileAction::SavePreset, payload, proposed);
    }

    /// Writes the shown results as a results file at `path` (what "Save results as…" does
    /// once it has a path).
    pub fn save_results_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        let payload = self.payload_for(FileAction::SaveResults);
        self.files.run(ctx, FileAction::SaveResults, path, payload);
    }

    /// Writes the shown results' summary as CSV at `path`.
    pub fn export_csv_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        let payload = self.payload_for(FileAction::ExportCsv);
        self.files.run(ctx, FileAction::ExportCsv, path, payload);
    }

    /// The shown results' table as the "Copy table" button puts it on the clipboard.
    pub fn table_text(&self, format: TableFormat) -> Option<String> {
        self.results
            .as_ref()
            .map(|r| results_table::table_text(r, format))
    }

    /// Asks for `command` to be applied after this frame is drawn (what the panels and the
    /// shortcuts do).
    pub fn push_command(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Applies one command: the one place where panel requests change the app.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let has_results = self.results.as_ref().is_some_and(|r| !r.cells.is_empty());
        match command {
            Command::OpenPreset => {
                self.tab_pinned = false;
                self.files.start(ctx, FileAction::OpenPreset, None, None)
            }
            Command::SavePreset => self.save_preset(ctx),
            Command::Run => {
                // In a narrow window the panel stands in the charts' place: the sweep's
                // curves are what the user wants to see now.
                if self.start_run(ctx) && self.narrow {
                    self.panel_opened_narrow = false;
                }
            }
            Command::Cancel => self.cancel_run(),
            Command::OpenExportDialog if has_results => self.open_export_dialog(),
            Command::OpenExportDialog => {
                self.info("Nothing to export yet: run a sweep or open results.")
            }
            // The quick export: the shown chart as SVG and PNG at the default size.
            Command::ExportChart if has_results => {
                let payload = self.payload_for(FileAction::ExportChart);
                let proposed = self.proposed_path(FileAction::ExportChart);
                self.files
                    .start(ctx, FileAction::ExportChart, payload, proposed);
            }
            Command::ExportChart => {
                self.info("Nothing to export yet: run a sweep or open results.")
            }
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::ToggleHelp => self.help_open = !self.help_open,
            // In a narrow window the toggle opens the panel for the session only: the choice
            // kept for a wide window stays as it was.
            Command::ToggleConfigPanel if self.narrow => {
                self.panel_opened_narrow = !self.panel_opened_narrow
            }
            Command::ToggleConfigPanel => self.config_panel_hidden = !self.config_panel_hidden,
            Command::ResetToPreset => self.reset_to_preset(),
            Command::SaveResultsAs | Command::ExportCsv if !has_results => {
                self.info("No results to save yet: run a sweep or open results.")
            }
            Command::SaveResultsAs => {
                let payload = self.payload_for(FileAction::SaveResults);
                let proposed = self.proposed_path(FileAction::SaveResults);
                self.files
                    .start(ctx, FileAction::SaveResults, payload, proposed);
            }
            Command::ExportCsv => {
                let payload = self.payload_for(FileAction::ExportCsv);
                let proposed = self.proposed_path(FileAction::ExportCsv);
                self.files
                    .start(ctx, FileAction::ExportCsv, payload, proposed);
            }
            Command::ShowTab(tab) => self.tab = tab,
            Command::ClosePathPrompt => self.files.prompt = None,
            Command::CloseExportDialog => self.export_dialog.close(),
            Command::CopyTable(format) => match self.table_text(format) {
                Some(text) => {
                    ctx.copy_text(text);
                    let what = match format {
                        TableFormat::Markdown => "Markdown",
                        TableFormat::TabSeparated => "tab-separated",
                    };
                    self.info(format!("Table copied to the clipboard ({what})."));
                }
                None => self.info("No results to copy yet: run a sweep or open results."),
            },
        }
    }

    /// Allows the current experiment's interpreter to run, and remembers it; it is checked at
    /// once (the button says so), as the user now allows it to run.
    pub fn confirm_interpreter(&mut self) {
        let interp = self.experiment.python.interpreter.trim().to_string();
        self.unconfirmed_interpreters.remove(&interp);
        self.confirmed_interpreters.insert(interp);
        self.check_interpreter_for_models();
    }

    /// Checks the experiment's interpreter (again, if it was checked before): what the
    /// **Check interpreter** button does. Runs it once, on a helper thread, if it may run.
    pub fn check_interpreter(&mut self) {
        self.python
            .request(&self.experiment.python.interpreter, true);
    }

    /// Checks the experiment's interpreter if it was not checked yet: when the user ticked a
    /// py-* model (or chose the Python function task), which needs it.
    fn check_interpreter_for_models(&mut self) {
        self.python
            .request(&self.experiment.python.interpreter, false);
    }

    /// Whether the experiment's interpreter may run: anything but one an opened file named
    /// and the user has not confirmed (what the user types is the user's choice).
    pub fn interpreter_trusted(&self) -> bool {
        !self
            .unconfirmed_interpreters
            .contains(self.experiment.python.interpreter.trim())
    }

    /// How many times an interpreter was run to check it.
    pub fn python_probes_started(&self) -> usize {
        self.python.probes_started()
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
    /// The files this workbench has open, which no export may write over.
    pub fn open_files(&self) -> Vec<super::overwrite::OpenFile> {
        use super::overwrite::OpenFile;
        let mut open = Vec::new();
        if let Some(path) = &self.results_path {
            open.push(OpenFile {
                path: path.clone(),
                what: "the results shown",
                saved_by: Some(FileAction::SaveResults),
            });
        }
        open.extend(self.compare_order.iter().map(|path| OpenFile {
            path: path.clone(),
            what: "a results file being compared",
            saved_by: None,
        }));
        match self.origin.as_ref().map(|o| &o.source) {
            Some(Source::File(path)) => open.push(OpenFile {
                path: path.clone(),
                what: "the preset this configuration came from",
                saved_by: Some(FileAction::SavePreset),
            }),
            Some(Source::Results(path)) => open.push(OpenFile {
                path: path.clone(),
                what: "the results file this configuration came from",
                saved_by: None,
            }),
            _ => {}
        }
        open
    }

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

    /// Opens a preset file in the background (what "Open preset" does once it has a path).
    pub fn open_preset_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.tab_pinned = false;
        self.files.run(ctx, FileAction::OpenPreset, path, None);
    }

    /// Opens a results file in the background and shows its curves.
    pub fn open_results_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.files.run(ctx, FileAction::OpenResults, path, None);
    }

    /// The interpreter check's answer for the current interpreter (`None` while it is not
    /// checked yet or being checked).
    pub fn python_probe(&self) -> Option<&Result<PythonInfo, String>> {
        self.python.answer(&self.experiment.python)
    }

    /// Whether a check of the current interpreter was asked for and has not answered yet.
    pub fn python_checking(&self) -> bool {
        self.python.checking(&self.experiment.python)
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

    /// Opens a results file in the background and overlays it on the charts.
    pub fn add_compare_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.compare_order.push(path.clone());
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

    /// Each run's label for the charts, the exports and the "comparing with" line: the shown
    /// results first (if any), then the compared runs; each names only what tells the runs
    /// apart ([`crate::export::run_labels`]).
    pub fn run_labels(&self) -> Vec<String> {
        let mut runs: Vec<&ResultsFile> = Vec::new();
        let mut stems: Vec<Option<String>> = Vec::new();
        if let Some(r) = &self.results {
            runs.push(r);
            stems.push(
                self.results_path
                    .as_deref()
                    .and_then(|p| p.file_stem())
                    .map(|s| s.to_string_lossy().into_owned()),
            );
        }
        for c in &self.compare {
            runs.push(&c.results);
            stems.push(Some(c.file_stem.clone()));
        }
        crate::export::run_labels(&runs, &stems)
    }

    /// The shown and compared results, labelled, for the exporters.
    fn labelled_runs(&self) -> Vec<(String, ResultsFile)> {
        let results = self
            .results
            .iter()
            .chain(self.compare.iter().map(|c| &c.results));
        self.run_labels()
            .into_iter()
            .zip(results.cloned())
            .collect()
    }

    /// Opens the export dialog on the shown results and compared runs, at the shown chart.
    pub fn open_export_dialog(&mut self) {
        let kind = self.tab.chart().unwrap_or(ChartKind::Speedup);
        let runs = self.labelled_runs();
        let dir = self.export_dir();
        self.export_dialog.open(runs, kind, self.show_fits, &dir);
    }

    /// Where exports and saves are proposed: next to the shown results' file when the user
    /// opened it from a folder of theirs, else the current directory (an autosaved sweep lives
    /// in corelab's hidden data folder, where nobody looks for a chart).
    fn export_dir(&self) -> PathBuf {
        let autosaved = autosave::results_dir(&self.settings.data_dir);
        self.results_path
            .as_deref()
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty() && !d.starts_with(&autosaved))
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }

    /// Where opening results (to show or to compare) starts: the shown results' folder,
    /// else the folder the workbench autosaves results in, where the runs made here are;
    /// `None` where neither exists (the current folder then).
    fn results_open_dir(&self) -> Option<PathBuf> {
        self.results_path
            .as_deref()
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .into_iter()
            .chain(std::iter::once(autosave::results_dir(
                &self.settings.data_dir,
            )))
            .find(|d| d.is_dir())
    }

    /// The file a save or export proposes, named after what it holds: the experiment for a
    /// preset, the shown results for the rest (`python-gil-vs-processes-speedup` writes its
    /// `.svg` and `.png`). For opening results, the folder to start in
    /// ([`Self::results_open_dir`]); `None` for opening a preset.
    pub fn proposed_path(&self, action: FileAction) -> Option<PathBuf> {
        // The shown results' name as a file stem, the same as the export dialog's.
        let results_stem = || {
            export_dialog::file_stem(
                self.results
                    .as_ref()
                    .map_or(self.experiment.name.as_str(), |r| {
                        r.experiment.name.as_str()
                    }),
            )
        };
        let (dir, name) = match action {
            FileAction::SavePreset => {
                // Beside the preset file it came from, if any.
                let dir = self
                    .origin
                    .as_ref()
                    .and_then(|o| match &o.source {
                        Source::File(path) => path.parent(),
                        Source::Builtin(_) | Source::Results(_) => None,
                    })
                    .filter(|d| !d.as_os_str().is_empty())
                    .map(Path::to_path_buf)
                    .or_else(|| std::env::current_dir().ok())?;
                (
                    dir,
                    format!("{}.json", autosave::slug(&self.experiment.name)),
                )
            }
            // As the export dialog proposes it.
            FileAction::ExportChart => {
                let kind = self.tab.chart().unwrap_or(ChartKind::Speedup).export_kind();
                return Some(export_dialog::chart_file_base(
                    &self.export_dir(),
                    &results_stem(),
                    kind,
                ));
            }
            FileAction::ExportReport => {
                (self.export_dir(), format!("{}-report.md", results_stem()))
            }
            FileAction::ExportCsv => (self.export_dir(), format!("{}.csv", results_stem())),
            FileAction::SaveResults => (
                self.export_dir(),
                format!("{}-results.json", results_stem()),
            ),
            FileAction::OpenResults | FileAction::OpenCompare => return self.results_open_dir(),
            FileAction::OpenPreset => return None,
        };
        Some(dir.join(name))
    }

    /// The export dialog (for tests and embedding code).
    pub fn export_dialog_mut(&mut self) -> &mut super::export_dialog::ExportDialog {
        &mut self.export_dialog
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
            FileAction::SaveResults => self.results.as_ref().map(|r| Payload::Text(r.to_json())),
            FileAction::ExportCsv => self
                .results
                .as_ref()
                .map(|r| Payload::Text(crate::export::summary_csv(r))),
            FileAction::OpenPreset | FileAction::OpenResults | FileAction::OpenCompare => None,
        }
    }

    /// Whether the experiment has Python models whose interpreter is being checked.
    fn python_check_pending(&self) -> bool {
        self.experiment.models.iter().any(|m| m.is_python())
            && self.python.checking(&self.experiment.python)
    }

    /// Which of the experiment's Python models cannot run, once their interpreter's check has
    /// answered (an interpreter not checked yet is checked when Run is pressed), by name
    /// ("py-threading, py-multiprocessing"), and why: the interpreter is unusable or awaits
    /// confirmation (all of them), or it cannot run some of them (no dask, say).
    fn python_refusal(&self) -> Option<(String, String)> {
        let py = &self.experiment.python;
        let python: Vec<ModelKind> = self
            .experiment
            .models
            .iter()
            .copied()
            .filter(|m| m.is_python())
            .collect();
        let names =
            |models: &[ModelKind]| models.iter().map(|m| m.id()).collect::<Vec<_>>().join(", ");
        if python.is_empty() {
            return None;
        }
        match self.python.answer(py)? {
            Err(e) if self.python.awaiting_confirmation(py).is_some() => {
                Some((names(&python), e.clone()))
            }
            Err(e) => {
                let need = if python.len() > 1 { "need" } else { "needs" };
                let names = names(&python);
                Some((
                    names.clone(),
                    format!("{names} {need} a working Python interpreter: {e}"),
                ))
            }
            Ok(info) => {
                // Each model asked once (this runs every frame, through run_blocker).
                let (refused, reasons): (Vec<ModelKind>, Vec<String>) = python
                    .iter()
                    .filter_map(|&m| info.refuses(m).map(|why| (m, why)))
                    .unzip();
                let reason = reasons.into_iter().next()?;
                Some((names(&refused), reason))
            }
        }
    }

    /// Why the configuration cannot run as it stands, from what the fields hold: worker counts
    /// that do not parse (the field shows why), an experiment that does not validate, or Python
    /// models whose interpreter was checked and cannot run them. Run is greyed and no estimate
    /// shown while there is one.
    pub fn run_blocker(&self, ctx: &egui::Context) -> Option<run_control::Blocked> {
        if let Some(err) = &self.editor.workers_error {
            return Some(run_control::Blocked {
                short: "Fix the worker counts to run".to_string(),
                reason: format!("the worker counts: {err}"),
            });
        }
        if let Some(blocked) = self.module_blocker(ctx) {
            return Some(blocked);
        }
        if let Err(e) = self.experiment.validate() {
            return Some(run_control::Blocked {
                short: format!("Cannot run: {e}"),
                reason: e.to_string(),
            });
        }
        self.python_refusal()
            .map(|(models, reason)| run_control::Blocked {
                short: format!("{models} cannot run here"),
                reason: format!(
                    "{reason}. Untick {models} to run the other models, or fix the interpreter in \
                 the Python section and press {CHECK_BUTTON}."
                ),
            })
    }

    /// For a function task: what the Python file and Function fields say is wrong (the file
    /// missing or not a regular file, then a name the module cannot hold), in the fields' own
    /// words. From the workbench's one look at the module ([`super::module_look::current`]),
    /// so the file is not read in every frame.
    fn module_blocker(&self, ctx: &egui::Context) -> Option<run_control::Blocked> {
        let function = &self.experiment.task.function;
        if self.experiment.task.kind != crate::preset::TaskKind::Function
            || function.file.trim().is_empty()
        {
            return None;
        }
        let base = self.module_base();
        let look =
            super::module_look::current(ctx, &function.file, base.as_deref(), &function.name);
        let path = look.resolved()?;
        let problem = if let Some(what) = look.not_regular() {
            format!("not a regular file: {} is {what}", path.display())
        } else if !look.is_file() {
            format!("not found: {}", path.display())
        } else {
            look.name_problem()?.to_string()
        };
        Some(run_control::Blocked {
            short: format!("Cannot run: {problem}"),
            reason: format!("the Python function: {problem}"),
        })
    }

    /// The folder a relative Python module path is taken from: that of the file the
    /// configuration came from (a preset or results file), else `None` (the current
    /// directory), as the CLI resolves it.
    pub fn module_base(&self) -> Option<PathBuf> {
        match self.origin.as_ref().map(|o| &o.source) {
            Some(Source::File(p) | Source::Results(p)) => {
                std::path::absolute(p).ok()?.parent().map(Path::to_path_buf)
            }
            _ => None,
        }
    }

    /// A function task's relative module path made absolute, once, before a run (the Python
    /// worker imports by absolute path only): the field then shows the file that runs.
    fn resolve_module_path(&mut self) {
        let function = &self.experiment.task.function;
        if self.experiment.task.kind != crate::preset::TaskKind::Function
            || !Path::new(function.file.trim()).is_relative()
        {
            return;
        }
        if let Some(file) = function
            .resolved_file(self.module_base().as_deref())
            .and_then(|p| p.to_str().map(str::to_string))
        {
            self.experiment.task.function.file = file;
            self.editor.sync(&self.experiment);
        }
    }

    /// Validates the configuration and starts a sweep; on an invalid configuration shows
    /// the reason and starts nothing. Returns whether a sweep started.
    pub fn start_run(&mut self, ctx: &egui::Context) -> bool {
        if self.run.is_some() {
            return false;
        }
        self.resolve_module_path();
        if let Some(err) = &self.editor.workers_error {
            self.error(workers_error_message(err));
            return false;
        }
        // Python models whose interpreter was not checked yet: Run is the user asking for it.
        // It is checked now, and the sweep starts once it has answered (see `show`).
        if self.experiment.models.iter().any(|m| m.is_python())
            && self.python.answer(&self.experiment.python).is_none()
        {
            self.check_interpreter_for_models();
            self.run_when_ready = true;
            ctx.request_repaint();
            return false;
        }
        if let Some((_, reason)) = self.python_refusal() {
            self.error(format!("Cannot run: {reason}"));
            return false;
        }
        let results_dir = autosave::results_dir(&self.settings.data_dir);
        // Told once the run has started: starting clears the last sweep's errors, and this one
        // is about the new sweep (it used to be cleared with them, and the loss went unsaid).
        // The file holds the sweep's results before any run from the start: a workbench killed
        // before the engine's first save leaves an `incomplete` file naming this process (read
        // as interrupted), never an empty one.
        let before_any_run = ResultsFile {
            started_at: crate::results::utc_timestamp(std::time::SystemTime::now()),
            experiment: self.experiment.clone(),
            machine: self.machine.clone(),
            writer: Some(crate::results::WriterProcess::this()),
            ..ResultsFile::default()
        };
        let (path, not_autosaved) = match std::fs::create_dir_all(&results_dir)
            .and_then(|()| autosave::create_results_file(&self.settings.data_dir, &before_any_run))
        {
            Ok(path) => (Some(path), None),
            Err(e) => (
                None,
                Some(format!(
                    "cannot create a file in {}: {e}",
                    results_dir.display()
                )),
            ),
        };
        let mut config = self.sweep_config.clone();
        config.provenance.command = Some("workbench".into());
        config.provenance.preset_source = self.origin.as_ref().map(|o| {
            let modified = if self.is_modified() {
                " (modified)"
            } else {
                ""
            };
            format!("{}{modified}", o.source.describe())
        });
        let cores = self.machine.logical_cores;
        match ActiveRun::start(&self.experiment, config, path.clone(), cores, ctx) {
            Ok(run) => {
                self.messages.clear_errors();
                if let Some(reason) = &not_autosaved {
                    self.error(format!(
                        "Results will not be autosaved: {reason}. What this sweep measures is \
                         saved to the temporary directory when it ends (or the window closes), \
                         or keep it with Save results as…"
                    ));
                }
                for warning in crate::engine::resources::warnings(&self.experiment) {
                    self.error(format!("Warning: {warning}"));
                }
                self.save_error = not_autosaved;
                self.unsaved = None;
                let mut live = ResultsFile {
                    experiment: self.experiment.clone(),
                    machine: self.machine.clone(),
                    ..ResultsFile::default()
                };
                live.recompute();
                self.results = Some(live);
                self.results_path = path;
                self.shown_state.forget();
                self.run = Some(run);
                self.tab_at_run_start = Some(self.tab);
                true
            }
            Err(e) => {
                // Nothing ran: the autosave file made for it goes too.
                if let Some(path) = &path {
                    std::fs::remove_file(path).ok();
                }
                if let Some(reason) = not_autosaved {
                    self.error(format!("Results will not be autosaved: {reason}"));
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
        // What it saved, or could not save, arrives now: runs that could not be autosaved go
        // to the temporary directory, said on stderr (the window is gone).
        self.poll();
        self.rescue_at_exit();
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
            // The current one, when unconfirmed (the undo history is not kept either).
            unconfirmed_interpreter: (!self.interpreter_trusted())
                .then(|| self.experiment.python.interpreter.trim().to_string()),
            // An origin whose path is not UTF-8 cannot be written as JSON, and would lose the
            // whole state (the experiment too): it alone is left out.
            origin: self.origin.clone().filter(|o| o.source.is_storable()),
            start_hint_dismissed: self.start_hint_dismissed,
            config_panel_hidden: self.config_panel_hidden,
            description_collapsed: self.editor.description_collapsed,
            theme: self.theme,
            // Cleared when the sweep ends; left set when the window closes mid-sweep (the
            // engine then saves the cells so far, marked cancelled). A path that is not
            // UTF-8 cannot be written as JSON and would lose the whole state: left out.
            // Not where that file could not be written: the runs go to a rescued file then,
            // and a stale partial write there is not the interrupted run.
            running_results: self
                .run
                .as_ref()
                .and_then(|r| r.results_path.clone())
                .filter(|_| self.save_error.is_none())
                .filter(|p| p.to_str().is_some()),
            offered_abandoned: self
                .offered_abandoned
                .iter()
                .filter(|p| p.to_str().is_some())
                .cloned()
                .collect(),
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
}

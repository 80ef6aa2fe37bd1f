//! Opening and saving files without blocking the UI thread.
//!
//! Native dialogs (rfd) run on a helper thread; so does the file I/O that follows. When rfd
//! returns no path almost at once, no dialog could be shown (for example no xdg desktop portal
//! is running), and the workbench asks for a typed path instead. The typed-path prompt can
//! also be opened directly.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::export::{self, ChartOptions, ChartRun};
use crate::preset::Experiment;
use crate::results::ResultsFile;

use super::file_browser::Picked;
use super::overwrite::{self, OpenFile};

/// A dialog returning `None` faster than this is taken as "no dialog could be shown".
const DIALOG_UNAVAILABLE_WITHIN: Duration = Duration::from_millis(400);

/// What a file action is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAction {
    OpenPreset,
    SavePreset,
    OpenResults,
    /// Open a results file to overlay on the charts.
    OpenCompare,
    /// Write the current chart as SVG and PNG.
    ExportChart,
    /// Write a Markdown report.
    ExportReport,
    /// Write the shown results as a results file (JSON) under a name of the user's choice.
    SaveResults,
    /// Write the shown results' summary table as CSV.
    ExportCsv,
}

/// What a save action writes (prepared on the UI thread, written on a helper thread).
#[derive(Clone, Debug)]
pub enum Payload {
    /// Text written as it is (a preset).
    Text(String),
    /// A chart of these labelled runs, rendered to `<path>.svg` and `<path>.png`.
    Chart {
        runs: Vec<(String, ResultsFile)>,
        options: ChartOptions,
    },
    /// A Markdown report of these labelled runs.
    Report { runs: Vec<(String, ResultsFile)> },
}

impl FileAction {
    pub fn title(self) -> &'static str {
        match self {
            FileAction::OpenPreset => "Open preset",
            FileAction::SavePreset => "Save preset",
            FileAction::OpenResults => "Open results",
            FileAction::OpenCompare => "Add results to compare",
            FileAction::ExportChart => "Export chart (SVG + PNG)",
            FileAction::ExportReport => "Export report (Markdown)",
            FileAction::SaveResults => "Save results as",
            FileAction::ExportCsv => "Export table (CSV)",
        }
    }

    fn button(self) -> &'static str {
        match self {
            FileAction::SavePreset | FileAction::SaveResults => "Save",
            FileAction::ExportChart | FileAction::ExportReport | FileAction::ExportCsv => "Export",
            _ => "Open",
        }
    }

    /// The file kinds the browser lists for this action.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileAction::ExportChart => &["svg", "png"],
            FileAction::ExportReport => &["md"],
            FileAction::ExportCsv => &["csv"],
            _ => &["json"],
        }
    }

    /// Whether the action writes a file (the browser then keeps the file name when the
    /// folder changes).
    fn writes(self) -> bool {
        !matches!(
            self,
            FileAction::OpenPreset | FileAction::OpenResults | FileAction::OpenCompare
        )
    }

    /// The files writing to `path` writes: `<path>.svg` and `<path>.png` for a chart, `path`
    /// for the other saves, none for opening.
    pub fn targets(self, path: &Path) -> Vec<PathBuf> {
        match self {
            _ if !self.writes() => Vec::new(),
            FileAction::ExportChart => {
                let (svg, png) = chart_paths(path);
                vec![svg, png]
            }
            _ => vec![path.to_path_buf()],
        }
    }

    /// The failed outcome of this action on `path`.
    fn failed(self, path: PathBuf, reason: String) -> FileOutcome {
        match self {
            FileAction::SavePreset => FileOutcome::PresetSaved {
                path,
                result: Err(reason),
            },
            action => FileOutcome::Exported {
                action,
                result: Err(reason),
            },
        }
    }

    /// The file name a save starts with.
    fn default_name(self) -> &'static str {
        match self {
            FileAction::ExportChart => "chart.svg",
            FileAction::ExportReport => "report.md",
            FileAction::ExportCsv => "table.csv",
            FileAction::SaveResults => "results.json",
            _ => "experiment.json",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            FileAction::ExportChart => "/path/to/chart  (writes chart.svg and chart.png)",
            FileAction::ExportReport => "/path/to/report.md",
            FileAction::ExportCsv => "/path/to/table.csv",
            FileAction::SaveResults => "/path/to/results.json",
            _ => "/path/to/file.json",
        }
    }
}

/// The outcome of a file action, delivered to the UI thread by [`FileJobs::poll`].
#[derive(Debug)]
pub enum FileOutcome {
    PresetLoaded {
        path: PathBuf,
        result: Result<Box<Experiment>, String>,
        /// For a results file opened as a preset: the words that say its recorded
        /// experiment was loaded (its name, and the calibration note of
        /// [`ResultsFile::rerun_experiment`]).
        recorded: Option<String>,
    },
    PresetSaved {
        path: PathBuf,
        result: Result<(), String>,
    },
    ResultsLoaded {
        path: PathBuf,
        result: Result<Box<ResultsFile>, String>,
    },
    /// A results file to overlay was read.
    CompareLoaded {
        path: PathBuf,
        result: Result<Box<ResultsFile>, String>,
    },
    /// A chart or report was written: the files written, or why not.
    Exported {
        action: FileAction,
        result: Result<Vec<PathBuf>, String>,
    },
    /// No native dialog could be shown: ask for a typed path.
    DialogUnavailable(FileAction),
    /// The user closed the dialog without choosing.
    DialogCancelled,
}

impl FileOutcome {
    /// The action this is the outcome of, and its error if it failed (`None` for dialog
    /// outcomes).
    pub fn action_and_error(&self) -> Option<(FileAction, Option<String>)> {
        fn err<T>(r: &Result<T, String>) -> Option<String> {
            r.as_ref().err().cloned()
        }
        Some(match self {
            FileOutcome::PresetLoaded { result, .. } => (FileAction::OpenPreset, err(result)),
            FileOutcome::PresetSaved { result, .. } => (FileAction::SavePreset, err(result)),
            FileOutcome::ResultsLoaded { result, .. } => (FileAction::OpenResults, err(result)),
            FileOutcome::CompareLoaded { result, .. } => (FileAction::OpenCompare, err(result)),
            FileOutcome::Exported { action, result } => (*action, err(result)),
            FileOutcome::DialogUnavailable(_) | FileOutcome::DialogCancelled => return None,
        })
    }
}

/// The typed-path prompt (the fallback when no native dialog can be shown).
#[derive(Clone, Debug)]
pub struct PathPrompt {
    pub action: FileAction,
    pub text: String,
    pub note: Option<String>,
    /// What to write, for save and export actions.
    pub payload: Option<Payload>,
    /// The text field has been given keyboard focus (once, when the prompt opens).
    pub focused: bool,
    /// The in-app file browser under the field.
    pub browser: super::file_browser::Browser,
    /// Whether the user was told the typed file exists: submitting the same text again
    /// replaces it (the button says "Replace"); any edit asks again.
    pub replace: overwrite::ReplaceAsked,
    /// A file the browser picked whose name is not UTF-8, with the text the field shows for
    /// it (lossy): while the field holds that text, that exact file is the one opened or
    /// written, not the lossy name's.
    pub exact: Option<(String, PathBuf)>,
}

impl PathPrompt {
    /// The path the field names: the browser's exact pick while the field still shows it,
    /// else the text (`~/` expanded).
    pub fn path(&self) -> PathBuf {
        let text = self.text.trim();
        match &self.exact {
            Some((shown, exact)) if shown.as_str() == text => exact.clone(),
            _ => expand_home(text),
        }
    }
}

/// Background file work and its results.
pub struct FileJobs {
    tx: Sender<FileOutcome>,
    rx: Receiver<FileOutcome>,
    pending: usize,
    /// The typed-path prompt, when shown.
    pub prompt: Option<PathPrompt>,
    /// Whether native dialogs are tried at all (tests turn them off).
    pub native: bool,
    /// The prompt as it was submitted, while its job runs.
    submitted: Option<PathPrompt>,
    /// The files the workbench has open, which no save may write over (set every frame).
    pub open_files: Vec<OpenFile>,
}

type Wake = Arc<dyn Fn() + Send + Sync>;

fn waker(ctx: &egui::Context) -> Wake {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint())
}

impl FileJobs {
    pub fn new(native: bool) -> Self {
        let (tx, rx) = channel();
        FileJobs {
            tx,
            rx,
            pending: 0,
            prompt: None,
            native,
            submitted: None,
            open_files: Vec::new(),
        }
    }

    /// Whether a dialog or a load/save is in flight.
    pub fn busy(&self) -> bool {
        self.pending > 0
    }

    /// Starts `action`: a native dialog on a helper thread, or the typed-path prompt.
    /// `payload` is the preset JSON to write for [`FileAction::SavePreset`].
    /// Asks for a path for `action` (a native dialog, else the typed-path prompt) and runs it;
    /// `proposed` is the file a save or export starts at.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        action: FileAction,
        payload: Option<Payload>,
        proposed: Option<PathBuf>,
    ) {
        if !self.native {
            self.ask_for_path(action, payload, None, proposed);
            return;
        }
        let tx = self.tx.clone();
        let wake = waker(ctx);
        self.pending += 1;
        let payload_for_prompt = payload.clone();
        let proposed_for_dialog = proposed.clone();
        let open = self.open_files.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let started = Instant::now();
                let mut dialog = rfd::FileDialog::new().set_title(action.title());
                let file_name = proposed_for_dialog
                    .as_deref()
                    .and_then(Path::file_name)
                    .map_or_else(
                        || action.default_name().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                // A folder proposed (opening results) is where to start; a file, its folder.
                let start_dir = proposed_for_dialog
                    .as_deref()
                    .and_then(|p| match p.is_dir() {
                        true => Some(p),
                        false => p.parent(),
                    });
                if let Some(dir) = start_dir {
                    dialog = dialog.set_directory(dir);
                }
                let picked = match action {
                    FileAction::SavePreset => dialog
                        .add_filter("JSON", &["json"])
                        .set_file_name(&file_name)
                        .save_file(),
                    FileAction::ExportChart => dialog
                        .add_filter("SVG (a PNG is written next to it)", &["svg", "png"])
                        .set_file_name(&file_name)
                        .save_file(),
                    FileAction::ExportReport => dialog
                        .add_filter("Markdown", &["md"])
                        .set_file_name(&file_name)
                        .save_file(),
                    FileAction::SaveResults => dialog
                        .add_filter("JSON", &["json"])
                        .set_file_name(&file_name)
                        .save_file(),
                    FileAction::ExportCsv => dialog
                        .add_filter("CSV", &["csv"])
                        .set_file_name(&file_name)
                        .save_file(),
                    FileAction::OpenPreset | FileAction::OpenResults | FileAction::OpenCompare => {
                        dialog.add_filter("JSON", &["json"]).pick_file()
                    }
                };
                let outcome = match picked {
                    // The native dialog asked before replacing an existing file.
                    Some(path) => perform(action, path, payload, &open),
                    None if started.elapsed() < DIALOG_UNAVAILABLE_WITHIN => {
                        FileOutcome::DialogUnavailable(action)
                    }
                    None => FileOutcome::DialogCancelled,
                };
                let _ = tx.send(outcome);
                wake();
            });
        if spawned.is_err() {
            self.pending -= 1;
            self.ask_for_path(action, payload_for_prompt, None, proposed);
        }
    }

    /// Shows the typed-path prompt for `action`.
    pub fn ask_for_path(
        &mut self,
        action: FileAction,
        payload: Option<Payload>,
        note: Option<String>,
        proposed: Option<PathBuf>,
    ) {
        let text = self
            .prompt
            .as_ref()
            .map(|p| p.text.clone())
            .or_else(|| {
                // A folder proposed is listed, with its separator for the name to follow.
                proposed.map(|p| match p.is_dir() && !p.as_os_str().is_empty() {
                    true => format!("{}/", p.display().to_string().trim_end_matches('/')),
                    false => p.display().to_string(),
                })
            })
            .unwrap_or_default();
        self.prompt = Some(PathPrompt {
            action,
            text,
            note,
            payload,
            focused: false,
            browser: Default::default(),
            replace: Default::default(),
            exact: None,
        });
    }

    /// After a file job ended: when it was typed into the prompt and failed, the prompt
    /// opens again with the same text and the reason, so that a typo is fixed, not retyped.
    fn after_outcome(&mut self, outcome: &FileOutcome) {
        let Some(submitted) = self.submitted.take() else {
            return;
        };
        match outcome.action_and_error() {
            Some((action, Some(error))) if action == submitted.action => {
                self.prompt = Some(PathPrompt {
                    note: Some(error),
                    focused: false,
                    ..submitted
                });
            }
            Some((action, None)) if action == submitted.action => {}
            // Another job's outcome: keep waiting for this one's.
            _ => self.submitted = Some(submitted),
        }
    }

    /// Performs `action` on `path` on a helper thread (no dialog).
    pub fn run(
        &mut self,
        ctx: &egui::Context,
        action: FileAction,
        path: PathBuf,
        payload: Option<Payload>,
    ) {
        let tx = self.tx.clone();
        let wake = waker(ctx);
        self.pending += 1;
        let open = self.open_files.clone();
        let spawned = std::thread::Builder::new()
            .name("file-io".into())
            .spawn(move || {
                let _ = tx.send(perform(action, path, payload, &open));
                wake();
            });
        if let Err(e) = spawned {
            self.pending -= 1;
            let _ = self.tx.send(FileOutcome::PresetSaved {
                path: PathBuf::new(),
                result: Err(format!("cannot start a file thread: {e}")),
            });
        }
    }

    /// Everything that finished since the last call (never waits).
    pub fn poll(&mut self) -> Vec<FileOutcome> {
        let mut out = Vec::new();
        while let Ok(outcome) = self.rx.try_recv() {
            self.pending = self.pending.saturating_sub(1);
            self.after_outcome(&outcome);
            out.push(outcome);
        }
        out
    }

    /// Draws the typed-path prompt when it is open; returns its layer when drawn. Escape
    /// closes it (the workbench's [`super::command::escape_command`]).
    pub fn show_prompt(&mut self, ctx: &egui::Context) -> Option<egui::LayerId> {
        let Some(prompt) = &mut self.prompt else {
            return None;
        };
        let mut submit = false;
        let mut close = false;
        let shown = egui::Window::new(prompt.action.title())
            .id(egui::Id::unique("path-prompt"))
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
            .show(ctx, |ui| {
                if let Some(note) = &prompt.note {
                    ui.label(note);
                }
                ui.horizontal(|ui| {
                    let label = ui.label("File path:");
                    // Wide enough for the whole hint and a long path.
                    let hint_width = ui.fonts_mut(|f| {
                        f.layout_no_wrap(
                            prompt.action.hint().to_string(),
                            egui::TextStyle::Body.resolve(ui.style()),
                            egui::Color32::WHITE,
                        )
                        .size()
                        .x
                    });
                    let edit = ui
                        .add(
                            egui::TextEdit::singleline(&mut prompt.text)
                                .desired_width((hint_width + 24.0).max(480.0))
                                .hint_text(prompt.action.hint()),
                        )
                        .labelled_by(label.id);
                    if !prompt.focused {
                        edit.request_focus();
                        prompt.focused = true;
                    }
                    if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        submit = true;
                    }
                });
                // Browse instead of typing: a click fills the field above.
                let typed = expand_home(prompt.text.trim());
                let start = if typed.is_dir() {
                    typed.clone()
                } else {
                    typed
                        .parent()
                        .filter(|p| p.is_dir())
                        .map(Path::to_path_buf)
                        .or_else(|| std::env::current_dir().ok())
                        .unwrap_or_else(|| PathBuf::from("/"))
                };
                // A folder typed into the field is listed.
                if typed.is_dir() && prompt.browser.dir.as_deref() != Some(typed.as_path()) {
                    prompt.browser.dir = None;
                }
                let action = prompt.action;
                prompt.browser.only_results =
                    matches!(action, FileAction::OpenResults | FileAction::OpenCompare);
                match prompt.browser.ui(ui, &start, action.extensions()) {
                    Some(Picked::Folder(dir)) => {
                        prompt.text = if action.writes() {
                            let name = typed.file_name().filter(|_| !typed.is_dir()).map_or_else(
                                || action.default_name().to_string(),
                                |n| n.to_string_lossy().into_owned(),
                            );
                            dir.join(name).display().to_string()
                        } else {
                            format!("{}/", dir.display())
                        };
                    }
                    Some(Picked::File(path, take)) => {
                        prompt.exact = None;
                        prompt.text = match path.to_str() {
                            Some(text) => text.to_string(),
                            None => {
                                let shown = super::file_browser::legible(path.as_os_str());
                                prompt.exact = Some((shown.clone(), path));
                                shown
                            }
                        };
                        submit |= take;
                    }
                    None => {}
                }
                ui.horizontal(|ui| {
                    let replacing = prompt.replace.replacing(&prompt.text);
                    let ok = ui.add_enabled(
                        !prompt.text.trim().is_empty(),
                        egui::Button::new(match replacing {
                            true => "Replace",
                            false => prompt.action.button(),
                        }),
                    );
                    if ok.clicked() {
                        submit = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
        if submit
            && let Some(why) = unexpanded_home(&prompt.text, std::env::var_os("HOME").as_deref())
        {
            prompt.note = Some(why);
            return shown.map(|r| r.response.layer_id);
        }
        if submit && !prompt.text.trim().is_empty() {
            // An existing file is replaced only once the user has been told and submits the
            // same name again.
            let targets = prompt.action.targets(&prompt.path());
            if let Err(exists) = prompt.replace.check(&prompt.text, &targets) {
                prompt.note = Some(format!(
                    "{exists}: press Replace to write over it, or choose another name."
                ));
                return shown.map(|r| r.response.layer_id);
            }
            if let Some(prompt) = self.prompt.take() {
                let path = prompt.path();
                self.run(ctx, prompt.action, path, prompt.payload.clone());
                self.submitted = Some(prompt);
            }
        } else if close {
            self.prompt = None;
        }
        shown.map(|r| r.response.layer_id)
    }
}

/// `~/x` → `$HOME/x`.
fn expand_home(text: &str) -> PathBuf {
    expand_home_from(text, std::env::var_os("HOME"))
}

/// [`expand_home`] with `home` for `$HOME` (unset or empty: `~/x` is left as typed, and
/// [`unexpanded_home`] says so before anything is opened or written).
fn expand_home_from(text: &str, home: Option<std::ffi::OsString>) -> PathBuf {
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = home.filter(|h| !h.is_empty())
    {
        return Path::new(&home).join(rest);
    }
    PathBuf::from(text)
}

/// Why `text` cannot be used as typed: it starts with `~/` and there is no `$HOME` to put
/// there (it would name a folder called `~` in the current directory).
fn unexpanded_home(text: &str, home: Option<&std::ffi::OsStr>) -> Option<String> {
    (text.trim().starts_with("~/") && home.is_none_or(|h| h.is_empty()))
        .then(|| "~ cannot be expanded: HOME is not set. Type the full path.".to_string())
}

/// The file I/O of an action; runs on a helper thread.
/// Saves never write over a file the workbench has open (`open`); see [`overwrite`].
fn perform(
    action: FileAction,
    path: PathBuf,
    payload: Option<Payload>,
    open: &[OpenFile],
) -> FileOutcome {
    if let Err(reason) = overwrite::refuse_open(&action.targets(&path), open, Some(action)) {
        return action.failed(path, reason);
    }
    match action {
        FileAction::OpenPreset => {
            // A results file stands for the experiment it recorded, as in `corelab run`.
            if ResultsFile::file_is_results(&path) {
                return match ResultsFile::load(&path) {
                    Ok(results) => {
                        let (exp, calibration) = results.rerun_experiment();
                        let recorded = format!(
                            "the experiment recorded in the results file {} ({}){}",
                            super::file_browser::legible(path.as_os_str()),
                            results.experiment.name,
                            calibration.map_or(String::new(), |c| format!("; {c}"))
                        );
                        FileOutcome::PresetLoaded {
                            path,
                            result: Ok(Box::new(exp)),
                            recorded: Some(recorded),
                        }
                    }
                    Err(e) => FileOutcome::PresetLoaded {
                        path,
                        result: Err(format!(
                            "this is a results file, and its experiment cannot be read: {e}"
                        )),
                        recorded: None,
                    },
                };
            }
            let result = Experiment::load(&path)
                .map(Box::new)
                .map_err(|e| e.to_string());
            FileOutcome::PresetLoaded {
                path,
                result,
                recorded: None,
            }
        }
        FileAction::OpenResults => {
            let result = ResultsFile::load(&path)
                .map(Box::new)
                .map_err(|e| e.to_string());
            FileOutcome::ResultsLoaded { path, result }
        }
        FileAction::OpenCompare => {
            let result = ResultsFile::load(&path)
                .map(Box::new)
                .map_err(|e| e.to_string());
            FileOutcome::CompareLoaded { path, result }
        }
        FileAction::SavePreset => {
            let json = match payload {
                Some(Payload::Text(t)) => t,
                _ => String::new(),
            };
            let result = crate::results::write_atomically(&path, json.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()));
            FileOutcome::PresetSaved { path, result }
        }
        FileAction::SaveResults | FileAction::ExportCsv => {
            let result = match payload {
                Some(Payload::Text(t)) => write(&path, t.as_bytes()).map(|()| vec![path.clone()]),
                _ => Err("nothing to save".into()),
            };
            FileOutcome::Exported { action, result }
        }
        FileAction::ExportChart | FileAction::ExportReport => FileOutcome::Exported {
            action,
            result: export_to(&path, payload),
        },
    }
}

/// `chart.svg`, `chart.png` or `chart` → (`chart.svg`, `chart.png`).
pub fn chart_paths(path: &Path) -> (PathBuf, PathBuf) {
    let base = match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("svg") || ext.eq_ignore_ascii_case("png") => {
            path.with_extension("")
        }
        _ => path.to_path_buf(),
    };
    let with = |ext: &str| {
        let mut s = base.clone().into_os_string();
        s.push(".");
        s.push(ext);
        PathBuf::from(s)
    };
    (with("svg"), with("png"))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    crate::results::write_atomically(path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn export_to(path: &Path, payload: Option<Payload>) -> Result<Vec<PathBuf>, String> {
    match payload {
        Some(Payload::Chart { runs, options }) => {
            let refs: Vec<ChartRun<'_>> = runs
                .iter()
                .map(|(label, results)| ChartRun { label, results })
                .collect();
            let (svg_path, png_path) = chart_paths(path);
            let svg = export::render_svg(&refs, &options).map_err(|e| e.to_string())?;
            let png = export::render_png(&refs, &options).map_err(|e| e.to_string())?;
            write(&svg_path, svg.as_bytes())?;
            write(&png_path, &png)?;
            Ok(vec![svg_path, png_path])
        }
        Some(Payload::Report { runs }) => {
            let refs: Vec<ChartRun<'_>> = runs
                .iter()
                .map(|(label, results)| ChartRun { label, results })
                .collect();
            let text = export::markdown_report(&refs, &[]);
            write(path, text.as_bytes())?;
            Ok(vec![path.to_path_buf()])
        }
        _ => Err("nothing to export".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilde_without_home_is_refused_not_taken_as_a_folder_named_tilde() {
        let home = Some(std::ffi::OsString::from("/home/u"));
        assert_eq!(
            expand_home_from("~/r.json", home.clone()),
            PathBuf::from("/home/u/r.json")
        );
        assert_eq!(unexpanded_home("~/r.json", home.as_deref()), None);
        for unset in [None, Some(std::ffi::OsString::new())] {
            assert_eq!(
                expand_home_from("~/r.json", unset.clone()),
                PathBuf::from("~/r.json")
            );
            let why = unexpanded_home(" ~/r.json", unset.as_deref()).unwrap();
            assert!(why.contains("HOME is not set"), "{why}");
            assert_eq!(unexpanded_home("/abs/r.json", unset.as_deref()), None);
        }
    }

    #[test]
    fn chart_paths_put_svg_and_png_side_by_side() {
        let both = |p: &str| chart_paths(Path::new(p));
        let expect = (PathBuf::from("/t/c.svg"), PathBuf::from("/t/c.png"));
        assert_eq!(both("/t/c.svg"), expect);
        assert_eq!(both("/t/c.PNG"), expect);
        assert_eq!(both("/t/c"), expect);
        assert_eq!(
            both("/t/c.v2"),
            (PathBuf::from("/t/c.v2.svg"), PathBuf::from("/t/c.v2.png"))
        );
    }
}

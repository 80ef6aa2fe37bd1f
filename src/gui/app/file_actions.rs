//! Opening and saving presets and results (a dialog, or straight to a path), what each save
//! or export writes, and which files are open (no export may write over them).

use super::*;

impl WorkbenchApp {
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

    /// Opens a preset file in the background (what "Open preset" does once it has a path).
    pub fn open_preset_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.tab_pinned = false;
        self.files.run(ctx, FileAction::OpenPreset, path, None);
    }

    /// Opens a results file in the background and shows its curves.
    pub fn open_results_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.files.run(ctx, FileAction::OpenResults, path, None);
    }

    /// Opens a results file in the background and overlays it on the charts.
    pub fn add_compare_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.compare_order.push(path.clone());
        self.files.run(ctx, FileAction::OpenCompare, path, None);
    }

    /// Where the results shown change to another kind of task (a sweep just started, a file
    /// just opened), closes the compared runs that are not of the new kind, and says so: they
    /// were compared with the old results, and a lost-updates sweep over a CPU sweep's
    /// speedups draws curves of other work on one chart. Runs compared on purpose beside
    /// results of the same kind stay, whatever their kind (the "not like for like" line says
    /// how they differ), and so do runs compared before any results were shown (`corelab
    /// --results A --compare B` reads both at once, in either order).
    pub(super) fn close_compared_of_other_tasks(&mut self, task: crate::preset::TaskKind) {
        let shown = self.results.as_ref().map(|r| r.experiment.task.kind);
        if shown.is_none_or(|kind| kind == task) {
            return;
        }
        let (kept, closed): (Vec<CompareRun>, Vec<CompareRun>) = std::mem::take(&mut self.compare)
            .into_iter()
            .partition(|c| c.results.experiment.task.kind == task);
        self.compare = kept;
        if closed.is_empty() {
            return;
        }
        self.compare_order
            .retain(|p| !closed.iter().any(|c| c.path == *p));
        let names: Vec<String> = closed
            .iter()
            .map(|c| {
                format!(
                    "{} ({})",
                    c.path.file_name().map_or_else(
                        || c.path.display().to_string(),
                        |n| n.to_string_lossy().into_owned()
                    ),
                    c.results.experiment.task.kind
                )
            })
            .collect();
        self.info(format!(
            "No longer compared: {}, of another task than these results' ({task}): their \
             curves measure other work. Compare… overlays them again.",
            names.join(", ")
        ));
    }

    /// Why the results file at `path`, just read to be compared, is not overlaid: it is the
    /// file shown, or one already compared (the same file by its canonical path, whatever
    /// the path typed: a link, `./`, `..`), which would draw the same curves again as "#2".
    /// `None` for any other file, a copy of one of them at another path included.
    pub(super) fn already_shown(&self, path: &Path) -> Option<String> {
        let same = |other: &Path| same_file(path, other);
        let shown = format!("Not compared: {} ", path.display());
        if self.results_path.as_deref().is_some_and(same) {
            return Some(format!(
                "{shown}is the results file shown; its curves are already drawn."
            ));
        }
        self.compare
            .iter()
            .any(|c| same(&c.path))
            .then(|| format!("{shown}is already compared."))
    }

    /// The files this workbench has open, which no export may write over.
    pub fn open_files(&self) -> Vec<crate::gui::overwrite::OpenFile> {
        use crate::gui::overwrite::OpenFile;
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

    /// What a save or export action writes, taken from the current state.
    pub(super) fn payload_for(&self, action: FileAction) -> Option<Payload> {
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
}

/// Whether `a` and `b` name the same file: their canonical paths (links and `.`, `..`
/// resolved), or the paths as given where either cannot be resolved.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

//! Where saves and exports are proposed, and where opening results starts.

use super::*;

impl WorkbenchApp {
    /// Where exports and saves are proposed: next to the shown results' file when the user
    /// opened it from a folder of theirs, else the current directory (an autosaved sweep lives
    /// in corelab's hidden data folder, where nobody looks for a chart).
    pub(super) fn export_dir(&self) -> PathBuf {
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
    /// (see `results_open_dir`); `None` for opening a preset.
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
}

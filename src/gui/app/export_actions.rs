//! Exports of the shown and compared results: the chart, the report, the CSV summary, the
//! table as text, the runs' labels, and the export dialog.

use super::*;

impl WorkbenchApp {
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
    pub(super) fn labelled_runs(&self) -> Vec<(String, ResultsFile)> {
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

    /// The export dialog (for tests and embedding code).
    pub fn export_dialog_mut(&mut self) -> &mut crate::gui::export_dialog::ExportDialog {
        &mut self.export_dialog
    }
}

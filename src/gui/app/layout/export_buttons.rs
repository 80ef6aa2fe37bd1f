//! The export, save and copy buttons: in the analysis bar's row, or in its **Export** menu.

use super::*;

/// Why the export and copy buttons are greyed out.
pub(super) const NOTHING_TO_EXPORT: &str = "Nothing to export yet: run a sweep or open results.";

impl WorkbenchApp {
    /// The export, save and copy buttons: in the analysis bar's row, or in its **Export**
    /// menu.
    pub(super) fn export_buttons(&mut self, ui: &mut egui::Ui, has_results: bool) {
        let ctx = ui.ctx().clone();
        let chart = self.tab.chart().unwrap_or(ChartKind::Speedup);
        let export_chart = ui
            .add_enabled(has_results, egui::Button::new("Export chart…"))
            .on_hover_text(format!(
                "Save the {} chart as SVG and PNG (both, side by side) at the default size; \
                 the export dialog chooses size, scale, theme and more.",
                chart.export_kind()
            ))
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&export_chart) {
            self.commands.push(Command::ExportChart);
        }
        let export_dialog = ui
            .add_enabled(has_results, egui::Button::new("Export dialog…"))
            .on_hover_text(command::with_shortcut(
                &ctx,
                "Choose size, scale, font, theme, models and axes, with a live preview.",
                &command::EXPORT,
            ))
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&export_dialog) {
            self.commands.push(Command::OpenExportDialog);
        }
        let report = ui
            .add_enabled(has_results, egui::Button::new("Export report…"))
            .on_hover_text("Save a Markdown report: machine, experiment, summary table and fits.")
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&report) {
            let payload = self.payload_for(FileAction::ExportReport);
            let proposed = self.proposed_path(FileAction::ExportReport);
            self.files
                .start(&ctx, FileAction::ExportReport, payload, proposed);
        }
        let save_as = ui
            .add_enabled(has_results, egui::Button::new("Save results as…"))
            .on_hover_text(
                "Save the shown results as a results file (JSON) under a name you choose; open it again with Open results.",
            )
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&save_as) {
            self.commands.push(Command::SaveResultsAs);
        }
        let csv = ui
            .add_enabled(has_results, egui::Button::new("Export CSV…"))
            .on_hover_text("Save the summary table as CSV: one row per cell.")
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&csv) {
            self.commands.push(Command::ExportCsv);
        }
        // Not inside `add_enabled_ui`: a child UI in a wrapping row gets only the width
        // left on the line, and the button's text then wrapped a letter per line.
        if has_results {
            ui.menu_button("Copy table", |ui| {
                if ui
                    .button("as Markdown")
                    .on_hover_text("A Markdown table, for issues, notes and READMEs.")
                    .clicked()
                {
                    self.commands
                        .push(Command::CopyTable(TableFormat::Markdown));
                    ui.close();
                }
                if ui
                    .button("as tab-separated")
                    .on_hover_text("Tab-separated values: paste into a spreadsheet.")
                    .clicked()
                {
                    self.commands
                        .push(Command::CopyTable(TableFormat::TabSeparated));
                    ui.close();
                }
            })
            .response
            .on_hover_text("Put the summary table on the clipboard.");
        } else {
            ui.add_enabled(false, egui::Button::new("Copy table"))
                .on_disabled_hover_text(NOTHING_TO_EXPORT);
            // Why the buttons are greyed, readable without hovering them.
            ui.weak("(these need results: press Run or open a file)");
        }
    }
}

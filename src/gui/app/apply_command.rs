//! [`WorkbenchApp::apply`]: the one place where the [`Command`]s that panels and shortcuts
//! push change the workbench, after the frame is drawn.

use super::*;

impl WorkbenchApp {
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
}

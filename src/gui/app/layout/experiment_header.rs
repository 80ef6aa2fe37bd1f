//! The configuration panel's "Experiment" heading: where it came from, "modified", whether
//! it is the shown results' configuration, Reset and undo/redo.

use super::use_config::use_config_button;
use super::*;

impl WorkbenchApp {
    /// The "Experiment" heading with where it came from, the modified marker, Reset and
    /// undo/redo.
    pub(super) fn experiment_header(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let running = self.run.is_some();
        ui.horizontal_wrapped(|ui| {
            ui.heading("Experiment");
            if self.is_modified() {
                ui.colored_label(ui.visuals().warn_fg_color, "modified")
                    .on_hover_text("The configuration differs from the preset it came from.");
            }
        });
        if let Some(origin) = &self.origin {
            ui.weak(format!("from {}", origin.source.describe()));
        }
        // The chart may show results of another experiment (a file opened), or of this one
        // with other settings: say that these settings are not the ones that produced it.
        // Narrow or tight, the header hides "Use this configuration": it is here whenever
        // it is offered, whatever the names.
        if let Some(results) = &self.results {
            let name = crate::export::sanitize::for_terminal(&results.experiment.name);
            let other_name = results.experiment.name.trim() != self.experiment.name.trim();
            if self.narrow || self.tight {
                if self.use_config_offered() {
                    // In the charts' place: the button is here, not above the chart.
                    ui.weak(format!(
                        "Not the settings of the results shown (\"{name}\")."
                    ));
                    if use_config_button(ui) {
                        self.use_results_configuration();
                    }
                } else if other_name {
                    ui.weak(format!(
                        "Not the settings of the results shown (\"{name}\")."
                    ));
                }
            } else if other_name {
                ui.weak(format!(
                    "Not the settings of the results shown (\"{name}\"): \"Use this configuration\" above the chart loads theirs."
                ));
            }
        }
        // Wrapped: at the panel's least width the three buttons do not fit on one row, and
        // a row that overflows widens everything below it past the panel's edge too.
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled_ui(!running, |ui| {
                if ui
                    .add_enabled(self.is_modified(), egui::Button::new("Reset to preset"))
                    .on_hover_text("Go back to the configuration as the preset has it (undoable).")
                    .on_disabled_hover_text("Nothing changed since the preset was loaded.")
                    .clicked()
                {
                    self.commands.push(Command::ResetToPreset);
                }
                if ui
                    .add_enabled(self.can_undo(), egui::Button::new("Undo"))
                    .on_hover_text(command::with_shortcut(
                        &ctx,
                        "Undo the last configuration edit.",
                        &command::UNDO,
                    ))
                    .clicked()
                {
                    self.commands.push(Command::Undo);
                }
                if ui
                    .add_enabled(self.can_redo(), egui::Button::new("Redo"))
                    .on_hover_text(command::with_shortcut(
                        &ctx,
                        "Redo the edit just undone.",
                        &command::REDO,
                    ))
                    .clicked()
                {
                    self.commands.push(Command::Redo);
                }
            });
        });
    }
}

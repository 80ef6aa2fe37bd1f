//! The dialog asked before a preset replaces unsaved edits.

use super::*;

/// The question asked before a preset replaces unsaved edits (the dialog's name too).
pub const REPLACE_QUESTION: &str = "Replace your edits?";

impl WorkbenchApp {
    /// Asks whether a preset may replace unsaved edits.
    pub(super) fn replace_question(&mut self, ctx: &egui::Context) {
        let Some(pending) = &self.pending_replace else {
            return;
        };
        let mut answer = None;
        let what = pending.origin.source.describe();
        let id = egui::Id::unique("replace-edits");
        // Named for a screen reader, which reads it as an alert dialog.
        let area = egui::Modal::default_area(id)
            .accessible_name(REPLACE_QUESTION)
            .role(egui::Role::AlertDialog);
        egui::Modal::new(id).area(area).show(ctx, |ui| {
            ui.heading(REPLACE_QUESTION);
            ui.label(format!(
                "The configuration was changed since it was loaded. Loading the {what} replaces those changes (Undo brings them back)."
            ));
            ui.horizontal(|ui| {
                if ui.button("Replace").clicked() {
                    answer = Some(true);
                }
                let keep = ui.button("Keep editing");
                if keep.clicked() {
                    answer = Some(false);
                }
                // Keyboard focus starts on the answer that loses nothing.
                if ui.memory(|m| m.focused()).is_none() {
                    keep.request_focus();
                }
            });
        });
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            answer = Some(false);
        }
        if let Some(replace) = answer {
            self.answer_replace(replace);
        }
    }
}

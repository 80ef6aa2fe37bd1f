//! The top bar's file actions: open and save a preset, open results (a dialog, a recent
//! file, a typed path), in a row or in one **File** menu.

use super::*;
use crate::gui::button_width::button_width;

/// The labels of the top bar's file buttons, as drawn in its row when it is wide enough.
const FILE_BUTTONS: [&str; 5] = [
    "Open preset…",
    "Save preset…",
    "Open results…",
    "Recent results",
    "Type a path",
];

impl WorkbenchApp {
    /// The file actions in one **File** menu (an entry closes the menu, and focus comes back
    /// to the menu's button).
    pub(super) fn file_menu(&mut self, ui: &mut egui::Ui) {
        let before = self.clicked_opener;
        let menu = ui
            .menu_button("File", |ui| self.file_buttons(ui, true))
            .response;
        if self.clicked_opener != before {
            // The entry closes with its menu: focus comes back to the menu's button.
            self.clicked_opener = Some(menu.id);
        }
        menu.on_hover_text(
            "Open or save a preset, open results (a dialog, a recent file or a typed path).",
        );
    }

    /// Open and save a preset, open results (a dialog, a recent file, a typed path): in the
    /// top bar's row, or `in_menu`, its **File** menu where the row is short of width (a
    /// click there closes the menu).
    pub(super) fn file_buttons(&mut self, ui: &mut egui::Ui, in_menu: bool) {
        let ctx = ui.ctx().clone();
        let close_menu = |ui: &egui::Ui| {
            if in_menu {
                ui.close();
            }
        };
        let open = ui
            .button("Open preset…")
            .on_hover_text(command::with_shortcut(
                &ctx,
                "Load an experiment from a JSON preset file.",
                &command::OPEN,
            ));
        if self.opener(&open) {
            self.commands.push(Command::OpenPreset);
            close_menu(ui);
        }
        let save = ui
            .button("Save preset…")
            .on_hover_text(command::with_shortcut(
                &ctx,
                "Save the current configuration as a JSON preset file.",
                &command::SAVE,
            ));
        if self.opener(&save) {
            self.commands.push(Command::SavePreset);
            close_menu(ui);
        }
        let open_results = ui
            .button("Open results…")
            .on_hover_text("Open a results file saved by corelab (GUI or `corelab run --out`).");
        if self.opener(&open_results) {
            let start_in = self.proposed_path(FileAction::OpenResults);
            self.files
                .start(&ctx, FileAction::OpenResults, None, start_in);
            close_menu(ui);
        }
        ui.menu_button("Recent results", |ui| {
            if self.recent.first_reading() {
                ui.weak("Reading the saved results…");
            } else if self.recent.entries().next().is_none() {
                ui.weak("No saved results yet.");
            }
            let mut open = None;
            for entry in self.recent.entries() {
                if ui
                    .button(&entry.label)
                    .on_hover_text(&entry.hover)
                    .clicked()
                {
                    open = Some(entry.path.clone());
                }
            }
            ui.separator();
            ui.weak(format!(
                "Autosaved in {}",
                autosave::results_dir(&self.settings.data_dir).display()
            ));
            if let Some(path) = open {
                self.files.run(&ctx, FileAction::OpenResults, path, None);
                ui.close();
            }
        });
        // Typing a path instead of using a dialog: one entry per thing it can open.
        let mut asked = false;
        let typed = ui
            .menu_button("Type a path", |ui| {
                for (label, action) in [
                    ("Open a preset by path…", FileAction::OpenPreset),
                    ("Open results by path…", FileAction::OpenResults),
                    ("Compare with results by path…", FileAction::OpenCompare),
                ] {
                    if ui.button(label).clicked() {
                        let start_in = self.proposed_path(action);
                        self.files.ask_for_path(action, None, None, start_in);
                        asked = true;
                        ui.close();
                    }
                }
            })
            .response;
        if asked {
            // Focus goes back to the menu's button when the prompt closes.
            self.clicked_opener = Some(typed.id);
        }
        typed.on_hover_text(
            "Open a preset or results file, or add results to compare, by typing its path instead of using a dialog.",
        );
    }
}

/// The width the file buttons take side by side in `ui`'s style (with the spinner's room).
pub(super) fn file_buttons_width(ui: &egui::Ui) -> f32 {
    let spacing = ui.spacing();
    let gap = spacing.item_spacing.x;
    let buttons: f32 = FILE_BUTTONS
        .iter()
        .map(|label| button_width(ui, label) + gap)
        .sum();
    buttons + spacing.interact_size.y + gap
}

//! The tabs: a row of them, or one menu where the central area is tight.

use super::*;
use crate::gui::app::tab_choice::TabChoice;

/// The name of the menu that picks the tab where the central area is tight, for a screen
/// reader (and tests).
pub const TAB_MENU_NAME: &str = "Shown tab";

impl WorkbenchApp {
    /// The tabs in a row, wrapped: zoomed in for a projector (Ctrl+plus), they go on a
    /// second line rather than off the window's edge (with short names when room is short).
    pub(super) fn tab_row(&mut self, ui: &mut egui::Ui, compact: bool) {
        let choices = self.tab_choices(ui.ctx());
        ui.horizontal_wrapped(|ui| {
            for choice in &choices {
                let title = if compact {
                    choice.tab.short_title()
                } else {
                    choice.tab.title()
                };
                choice
                    .button(ui, &mut self.tab, title)
                    .accessible_name(choice.tab.title());
            }
        });
    }

    /// The tabs in one menu, for a tight central area: the tab shown is its text, and a
    /// chart these results cannot draw is greyed, saying why.
    pub(super) fn tab_menu(&mut self, ui: &mut egui::Ui) {
        let choices = self.tab_choices(ui.ctx());
        let mut picked = self.tab;
        egui::ComboBox::from_id_salt("tab-menu")
            .selected_text(self.tab.short_title())
            .show_ui(ui, |ui| {
                for choice in &choices {
                    choice.button(ui, &mut picked, choice.tab.title());
                }
            })
            .response
            .accessible_name(TAB_MENU_NAME)
            // Built only while hovered: it holds the results' state words.
            .on_hover_ui(|ui| {
                ui.label(self.tab_menu_hover());
            });
        self.tab = picked;
    }

    /// Every tab as the row and the menu offer it, for the shown results and the compared
    /// runs: a chart they cannot draw (lost updates without a counter) is greyed.
    fn tab_choices(&self, ctx: &egui::Context) -> Vec<TabChoice> {
        let shown = self
            .results
            .iter()
            .chain(self.compare.iter().map(|c| &c.results));
        TabChoice::all(ctx, shown)
    }

    /// The tab menu's hover: the tab, and the shown results' name, state and file (the row
    /// that says them elsewhere is left out where the area is tight).
    fn tab_menu_hover(&self) -> String {
        let mut text = format!("{}: pick a chart or view.", self.tab.title());
        if let Some(results) = &self.results {
            let (state, why) = self.results_state_words(results);
            text.push_str(&format!(
                "\n\nShown: {} · {state}",
                crate::export::sanitize::for_terminal_line(&results.experiment.name),
            ));
            if let Some(why) = why {
                text.push_str(&format!("\n{why}"));
            }
            if let Some(path) = &self.results_path {
                text.push_str(&format!("\n{}", path.display()));
            }
        }
        text
    }
}

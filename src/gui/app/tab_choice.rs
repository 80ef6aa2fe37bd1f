//! One tab as both layouts offer it (the tab row, and the tight layout's tab menu): pickable
//! with its title and shortcut in the hover, or greyed where the shown results cannot draw its
//! chart, saying why. Decided here once, so that the row and the menu cannot disagree.

use eframe::egui;

use super::Tab;
use crate::results::ResultsFile;

/// A tab as offered: pickable, or greyed with why.
pub(super) struct TabChoice {
    pub tab: Tab,
    /// Why its chart cannot be drawn from the shown results (lost updates without a
    /// counter): greyed, saying so. `None`: pickable.
    pub greyed: Option<String>,
    /// The hover: the title and shortcut, or why it is greyed.
    pub hover: String,
}

impl TabChoice {
    /// Every tab, in order, as offered for `shown` (the results and the compared runs).
    pub fn all<'a>(
        ctx: &egui::Context,
        shown: impl Iterator<Item = &'a ResultsFile> + Clone,
    ) -> Vec<TabChoice> {
        Tab::ALL
            .into_iter()
            .map(|tab| {
                let shortcut = ctx.format_shortcut(&crate::gui::command::tab_shortcut(tab));
                let greyed = tab
                    .chart()
                    .and_then(|k| k.unavailable_reason(shown.clone()));
                let hover = match &greyed {
                    None => format!("{} ({shortcut})", tab.title()),
                    Some(reason) => format!(
                        "Greyed: {reason}. The lost-updates preset counts them. ({shortcut})"
                    ),
                };
                TabChoice { tab, greyed, hover }
            })
            .collect()
    }

    /// The tab's button titled `title`: picking it sets `picked`; greyed, it cannot be
    /// picked and its hover says why.
    pub fn button(&self, ui: &mut egui::Ui, picked: &mut Tab, title: &str) -> egui::Response {
        match self.greyed {
            None => ui
                .selectable_value(picked, self.tab, title)
                .on_hover_text(&self.hover),
            Some(_) => ui
                .add_enabled(false, egui::Button::selectable(*picked == self.tab, title))
                .on_disabled_hover_text(&self.hover),
        }
    }
}

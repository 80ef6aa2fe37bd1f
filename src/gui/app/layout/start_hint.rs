//! The first-start hint over the "start here" tour's charts, until dismissed.

use super::*;

/// The first-start hint, over the charts of the "start here" tour until dismissed.
pub const START_HINT: &str = "When the curves appear: threads and processes climb with the cores, gil-threads stays flat — that flat line is the GIL.";

impl WorkbenchApp {
    /// The first-start hint: what to look at in the "start here" tour, until dismissed.
    /// `tight` (a short window: 800 × 600 at 2×, 512 × 320): one line, cut to the width, the
    /// whole of it on hover.
    pub(super) fn start_hint(&mut self, ui: &mut egui::Ui, tight: bool) {
        let visuals = ui.visuals().clone();
        egui::Frame::new()
            .fill(visuals.faint_bg_color)
            .stroke(egui::Stroke::new(1.0, visuals.selection.bg_fill))
            .corner_radius(4.0)
            .inner_margin(egui::Margin::symmetric(8, 4))
            .show(ui, |ui| {
                let dismiss = |ui: &mut egui::Ui| {
                    ui.small_button("Dismiss")
                        .on_hover_text("Hide this hint for good.")
                        .clicked()
                };
                let mut dismissed = false;
                if tight {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new("Start here:").strong());
                        // The button's room is kept on the right; the hint cut before it.
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            dismissed = dismiss(ui);
                            ui.add(egui::Label::new(START_HINT).truncate());
                        });
                    });
                } else {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(egui::RichText::new("Start here:").strong());
                        ui.label(START_HINT);
                        dismissed = dismiss(ui);
                    });
                }
                if dismissed {
                    self.dismiss_start_hint();
                }
                // The promise checked against the results, by the verdict's own rule.
                if let Some(text) = self.lesson_note() {
                    ui.colored_label(visuals.warn_fg_color, text);
                }
            });
    }

    /// Where the shown results do not show the tour's lesson, what they show and why
    /// ([`crate::analysis::gil_lesson::lesson_not_shown`]); `None` while a sweep runs: its
    /// cells are still being measured (their figures rest on the runs so far), so nothing is
    /// judged until it ends, when a cancelled sweep's unfinished cells read as partial.
    pub(crate) fn lesson_note(&self) -> Option<String> {
        if self.run.is_some() {
            return None;
        }
        self.results
            .as_ref()
            .and_then(crate::analysis::gil_lesson::lesson_not_shown)
    }
}

//! The note about the sweep the last session left unfinished (its window closed, or it was
//! killed), with a button that opens its cells; a killed one is offered once.

use super::*;

/// How many files left by killed sweeps are remembered as offered (the newest).
const OFFERED_ABANDONED_KEPT: usize = 32;

impl WorkbenchApp {
    /// Remembers that the interrupted run in `path` was offered, so that it is offered once:
    /// the last [`OFFERED_ABANDONED_KEPT`] paths are kept.
    pub(super) fn note_offered_abandoned(&mut self, path: &std::path::Path) {
        if self.offered_abandoned.iter().any(|p| p == path) {
            return;
        }
        self.offered_abandoned.push(path.to_path_buf());
        let excess = self
            .offered_abandoned
            .len()
            .saturating_sub(OFFERED_ABANDONED_KEPT);
        self.offered_abandoned.drain(..excess);
    }

    /// The sweep the last session was running when its window closed: where its cells are,
    /// and a button that opens them.
    pub(super) fn interrupted_note(&mut self, ui: &mut egui::Ui) {
        let Some(interrupted) = self.interrupted.clone() else {
            return;
        };
        let entry = interrupted.entry().clone();
        let visuals = ui.visuals().clone();
        let mut open = false;
        let mut dismiss = false;
        egui::Frame::new()
            .fill(visuals.faint_bg_color)
            .stroke(egui::Stroke::new(1.0, visuals.warn_fg_color))
            .corner_radius(4.0)
            .inner_margin(egui::Margin::symmetric(8, 4))
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new("Interrupted run:").strong());
                    ui.label(interrupted.words()).on_hover_text(&entry.hover);
                    open = ui
                        .button("Open it")
                        .on_hover_text(entry.path.display().to_string())
                        .clicked();
                    dismiss = ui
                        .small_button("Dismiss")
                        .on_hover_text(
                            "Hide this note; the file stays under File › Recent results.",
                        )
                        .clicked();
                });
            });
        if open {
            self.files
                .run(ui.ctx(), FileAction::OpenResults, entry.path, None);
        }
        if open || dismiss {
            self.interrupted = None;
        }
    }
}

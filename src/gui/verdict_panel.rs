//! The verdict above the results table: the few plain lines of
//! [`crate::analysis::verdict`] (the same words as `corelab run`/`report` and the Markdown
//! report), collapsible, and held to a share of the height so the table keeps the rest.

use eframe::egui;

use super::results_table::Layout;
use crate::analysis::{VerdictTopic, headline_of, verdict};
use crate::results::ResultsFile;

/// The most of the tab's height the verdict takes before it scrolls.
const MAX_SHARE: f32 = 0.3;

/// Draws the verdict on `results`; nothing without results or without a completed cell.
/// Laid out [`Layout::Fill`], it is held to a share of the height and scrolls (with a bar in
/// view, so that a cut line is seen to go on); [`Layout::InPage`], it is shown in full, the
/// tab scrolling as a page.
pub fn show(ui: &mut egui::Ui, results: Option<&ResultsFile>, layout: Layout) {
    let Some(results) = results else {
        return;
    };
    let lines = verdict(results);
    if lines.is_empty() {
        return;
    }
    let max_height = (ui.available_height() * MAX_SHARE).max(48.0);
    egui::CollapsingHeader::new("Verdict")
        .id_salt("verdict-panel")
        .default_open(true)
        .show(ui, |ui| {
            let lines_ui = |ui: &mut egui::Ui| {
                for line in &lines {
                    match line.topic {
                        VerdictTopic::Caveat => {
                            ui.colored_label(ui.visuals().warn_fg_color, &line.text);
                        }
                        // A counter that lost updates under a lock: a defect, loudly.
                        VerdictTopic::LostUpdates if line.text.starts_with("DEFECT") => {
                            ui.colored_label(ui.visuals().error_fg_color, &line.text);
                        }
                        // The lesson of a contention task leads, as strong as the fastest.
                        VerdictTopic::Fastest | VerdictTopic::LostUpdates => {
                            ui.label(egui::RichText::new(&line.text).strong());
                        }
                        _ => {
                            ui.label(&line.text);
                        }
                    }
                }
            };
            match layout {
                Layout::InPage => lines_ui(ui),
                Layout::Fill => {
                    ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
                    egui::ScrollArea::vertical()
                        .id_salt("verdict-scroll")
                        .max_height(max_height)
                        .auto_shrink([false, true])
                        .show(ui, lines_ui);
                }
            }
        });
    ui.separator();
}

/// The link after the verdict's one line on the chart tabs.
pub const WHOLE_VERDICT_LINK: &str = "see the Results table tab for the whole verdict";

/// The verdict in one line ([`crate::analysis::headline`]) for the chart tabs, where the whole of it is not
/// shown: `Verdict: …`, in the warning colour where a caveat leads it (a busy machine, one
/// core, a disturbed baseline), and a link to the Results table tab. Nothing without a
/// completed cell. Whether the link was clicked.
/// `compact` (short of room): one row, the line cut to the width with the whole of it on
/// hover.
pub fn show_headline(ui: &mut egui::Ui, results: Option<&ResultsFile>, compact: bool) -> bool {
    let Some(r) = results else {
        return false;
    };
    let lines = verdict(r);
    let Some(line) = headline_of(r, &lines) else {
        return false;
    };
    let warned = lines
        .first()
        .is_some_and(|l| l.topic == VerdictTopic::Caveat);
    let mut clicked = false;
    if compact {
        ui.horizontal(|ui| {
            clicked = ui
                .link(egui::RichText::new("Verdict:").strong())
                .on_hover_text(format!("{line}\n\nClick: {WHOLE_VERDICT_LINK}."))
                .clicked();
            let text = match warned {
                true => egui::RichText::new(&line).color(ui.visuals().warn_fg_color),
                false => egui::RichText::new(&line),
            };
            ui.add(egui::Label::new(text).truncate());
        });
        return clicked;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new("Verdict:").strong());
        if warned {
            ui.colored_label(ui.visuals().warn_fg_color, line);
        } else {
            ui.label(line);
        }
        clicked = ui
            .link(format!("({WHOLE_VERDICT_LINK})"))
            .on_hover_text("The verdict in full: every model compared, how each scaled, the start-up and the GIL.")
            .clicked();
    });
    clicked
}

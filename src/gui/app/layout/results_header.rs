//! The shown results' header: their name, state and file, their warnings, the link to the
//! lost updates, and on the chart tabs the verdict's one line.

use super::use_config::use_config_button;
use super::*;
use crate::gui::app::header_warnings::{HeaderWarnings, LoadWarning};

/// The link in the results' header to the Lost updates tab, shown while another tab is.
const LOST_UPDATES_LINK: &str = "updates were lost: see the Lost updates tab";

impl WorkbenchApp {
    /// The start hint, an interrupted run's note, and the shown results' header: their name,
    /// state and warnings, and on the chart tabs the verdict's one line.
    /// `tight` (a short window: 800 × 600 at 2×, 512 × 320): the name is cut to under half
    /// the row, so that the row's warnings and its button stay on the same line.
    pub(super) fn results_header(&mut self, ui: &mut egui::Ui, compact: bool, tight: bool) {
        let ctx = ui.ctx().clone();
        if self.start_hint_shown() {
            self.start_hint(ui, tight);
        }
        if self.results.is_none() && self.run.is_none() && self.interrupted.is_some() {
            self.interrupted_note(ui);
        }
        if let Some(results) = &self.results {
            let mut use_config = false;
            let mut to_lost_updates = false;
            // Decided once for both layouts: the full row's items and the tight row's.
            let warnings = HeaderWarnings::of(results, self.tab);
            let mut header_items = |ui: &mut egui::Ui| {
                // Tight, the name, state and path are in the tab menu's hover.
                if !tight {
                    let name = ui.label(egui::RichText::new(&results.experiment.name).strong());
                    let (counted, why) = self.results_state_words(results);
                    if compact {
                        // Short of room, the state and the file's path are in the name's hover.
                        let path = self
                            .results_path
                            .as_ref()
                            .map(|p| format!("\n{}", p.display()))
                            .unwrap_or_default();
                        let why = why.map(|w| format!("\n{w}")).unwrap_or_default();
                        name.on_hover_text(format!("· {counted}{why}{path}"));
                    } else if let Some(why) = why {
                        ui.weak(format!("· {counted}")).on_hover_text(why);
                    } else {
                        ui.weak(format!("· {counted}"));
                    }
                }
                // Tight, each warning is a word or two, said in full in its hover.
                if let Some(partial) = &warnings.partial {
                    let color = ui.visuals().warn_fg_color;
                    match tight {
                        true => ui.colored_label(color, "· partial").on_hover_text(partial),
                        false => ui.colored_label(color, format!("· {partial}")),
                    };
                }
                // A process the sweep could not stop: a word or two, the lines in its hover.
                if let Some(lines) = &warnings.sweep {
                    let words = match tight {
                        true => "· process not stopped",
                        false => "· a process outlived its stop",
                    };
                    ui.colored_label(ui.visuals().warn_fg_color, words)
                        .on_hover_text(lines);
                }
                match &warnings.load {
                    Some(LoadWarning::Busy { busyness, warning }) => {
                        // Worded as the verdict words it: a few busy runs are not a busy machine.
                        let noisy = match (*busyness, compact) {
                            (crate::results::Busyness::MostlyQuiet, true) => "· a few runs busy",
                            (crate::results::Busyness::MostlyQuiet, false) => {
                                "· mostly quiet: a few runs were busy"
                            }
                            (_, true) => "· noisy",
                            (_, false) => "· noisy: the machine was busy",
                        };
                        ui.colored_label(ui.visuals().warn_fg_color, noisy)
                            .on_hover_text(warning);
                    }
                    Some(LoadWarning::Unknown(note)) => {
                        // Not seen busy, but not known quiet either.
                        let words = match tight {
                            true => "· busy or not?",
                            false => "· busy or not: runs too short to tell",
                        };
                        ui.weak(words).on_hover_text(note);
                    }
                    None => {}
                }
                if let Some(p) = self.results_path.as_ref().filter(|_| !compact) {
                    ui.weak("·").on_hover_text(p.display().to_string());
                    ui.weak(p.display().to_string());
                }
                // The size a calibration chose is not the user's edit: said, not offered back.
                if let Some(note) = &warnings.calibration {
                    match tight {
                        true => ui.weak("· calibrated").on_hover_text(note),
                        false => ui.weak(format!("· {note}")),
                    };
                }
                // A counter that lost updates is the lesson, whatever the chart shown: a link
                // to the chart that shows it (a teacher's class saw only a speedup curve).
                if warnings.lost_updates_link {
                    let shortcut = ctx.format_shortcut(&command::tab_shortcut(Tab::LostUpdates));
                    ui.weak("·");
                    to_lost_updates = ui
                        .link(if tight { "lost updates" } else { LOST_UPDATES_LINK })
                        .on_hover_text(format!(
                            "Runs of this counter lost increments: the Lost updates chart shows how many, per worker count ({shortcut})"
                        ))
                        .clicked();
                }
                // Tight, the button is in the configuration panel, beside the note that says
                // its settings are not these results'.
                if !tight && self.use_config_offered() && use_config_button(ui) {
                    use_config = true;
                }
            };
            // The verdict where the user looks: its one line on the chart tabs, once the
            // sweep is over (its cells still change while it runs).
            let verdict_here = self.tab.chart().is_some() && self.run.is_none();
            let mut to_table = false;
            // Tight, a row with neither a warning nor the verdict is left out.
            let warned = warnings.any();
            if tight {
                // One row: the warnings (the name is in the tab menu's hover), then the
                // verdict cut to what is left; none where it would be empty.
                if warned || verdict_here {
                    ui.horizontal_wrapped(|ui| {
                        header_items(ui);
                        // On the warnings' row where it keeps half of it, else below them.
                        let left = ui.available_size_before_wrap().x;
                        if verdict_here && left < 0.5 * ui.max_rect().width() {
                            ui.end_row();
                        }
                        if verdict_here {
                            to_table =
                                crate::gui::verdict_panel::show_headline(ui, Some(results), true);
                        }
                    });
                }
            } else {
                ui.horizontal_wrapped(header_items);
                if verdict_here {
                    to_table = crate::gui::verdict_panel::show_headline(ui, Some(results), compact);
                }
            }
            if to_table {
                self.tab = Tab::Table;
            }
            if to_lost_updates {
                self.tab = Tab::LostUpdates;
            }
            if use_config {
                self.use_results_configuration();
            }
        }
    }

    /// "complete · 13 cells", "running · 7 cells": the shown results' state, and where an
    /// incomplete file's writer cannot be judged, why ([`autosave::shown_state_words`]).
    pub(super) fn results_state_words(&self, results: &ResultsFile) -> (String, Option<String>) {
        match &self.run {
            Some(_) => (
                format!(
                    "running · {}",
                    crate::words::count(results.cells.len(), "cell")
                ),
                None,
            ),
            None => self.shown_state.words(
                results,
                self.results_path.as_deref(),
                std::time::Instant::now(),
            ),
        }
    }
}

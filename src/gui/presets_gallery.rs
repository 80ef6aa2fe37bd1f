//! The gallery of built-in presets: a name and a description each, one click to load.

use std::sync::OnceLock;

use eframe::egui;

use crate::preset::{Experiment, builtin_presets};

/// The built-in presets, parsed once: (id, experiment or why it does not parse).
fn parsed() -> &'static [(&'static str, Result<Experiment, String>)] {
    static PARSED: OnceLock<Vec<(&'static str, Result<Experiment, String>)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        builtin_presets()
            .iter()
            .map(|p| (p.id, p.experiment().map_err(|e| e.to_string())))
            .collect()
    })
}

/// The built-in preset `id`, parsed once ([`parsed`]); `None` for an unknown id or one that
/// does not parse.
pub fn parsed_builtin(id: &str) -> Option<&'static Experiment> {
    parsed()
        .iter()
        .find(|(i, _)| *i == id)
        .and_then(|(_, e)| e.as_ref().ok())
}

/// What a click in the gallery asks for.
pub enum GalleryPick {
    Load {
        id: &'static str,
        experiment: Box<Experiment>,
    },
}

/// Draws the gallery; returns the preset the user clicked. `current` is the id of the
/// built-in preset the configuration came from (by identity: a file that reuses a built-in's
/// name does not light it up); `modified` marks it as edited since.
pub fn show(ui: &mut egui::Ui, current: Option<&str>, modified: bool) -> Option<GalleryPick> {
    let mut picked = None;
    for (id, experiment) in parsed() {
        let state = (current == Some(*id)).then_some(modified);
        if let Some(p) = entry(ui, id, experiment, state) {
            picked = Some(p);
        }
    }
    picked
}

fn entry(
    ui: &mut egui::Ui,
    id: &'static str,
    experiment: &Result<Experiment, String>,
    current: Option<bool>,
) -> Option<GalleryPick> {
    let experiment = match experiment {
        Ok(e) => e,
        Err(err) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("{id}: broken ({err})"));
            return None;
        }
    };
    let selected = current.is_some();
    let title = match current {
        Some(true) => format!("{}  (modified)", experiment.name),
        _ => experiment.name.clone(),
    };
    let response = ui
        .selectable_label(selected, egui::RichText::new(title).strong())
        .on_hover_ui(|ui| {
            super::prose::label(ui, &experiment.description);
            ui.add_space(4.0);
            ui.label("Click to load this preset (replaces the current configuration).");
        });
    let summary = first_sentence(&experiment.description);
    // Body text size: a summary people read to choose, not a footnote.
    super::prose::label(ui, summary);
    ui.add_space(4.0);
    response.clicked().then(|| GalleryPick::Load {
        id,
        experiment: Box::new(experiment.clone()),
    })
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

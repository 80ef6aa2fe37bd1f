//! The gallery of built-in presets: a name and a description each, one click to load.

use eframe::egui;

use crate::preset::{BuiltinPreset, Experiment, builtin_presets};

/// What a click in the gallery asks for.
pub enum GalleryPick {
    Load {
        id: &'static str,
        experiment: Box<Experiment>,
    },
}

/// Draws the gallery; returns the preset the user clicked.
pub fn show(ui: &mut egui::Ui, current_name: &str) -> Option<GalleryPick> {
    let mut picked = None;
    for preset in builtin_presets() {
        if let Some(p) = entry(ui, preset, current_name) {
            picked = Some(p);
        }
    }
    picked
}

fn entry(ui: &mut egui::Ui, preset: &'static BuiltinPreset, current: &str) -> Option<GalleryPick> {
    let experiment = match preset.experiment() {
        Ok(e) => e,
        Err(err) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{}: broken ({err})", preset.id),
            );
            return None;
        }
    };
    let selected = experiment.name == current;
    let response = ui
        .selectable_label(selected, egui::RichText::new(&experiment.name).strong())
        .on_hover_text(format!(
            "{}\n\nClick to load this preset (replaces the current configuration).",
            experiment.description
        ));
    let summary = first_sentence(&experiment.description);
    ui.add(egui::Label::new(egui::RichText::new(summary).small().weak()).wrap());
    ui.add_space(4.0);
    response.clicked().then(|| GalleryPick::Load {
        id: preset.id,
        experiment: Box::new(experiment),
    })
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

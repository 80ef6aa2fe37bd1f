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
    // Keep the text clear of the scroll bar, which floats over the gallery's right edge.
    let scroll = &ui.spacing().scroll;
    let gutter = scroll.bar_width + scroll.bar_inner_margin + scroll.bar_outer_margin;
    ui.set_max_width((ui.available_width() - gutter).max(0.0));
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
    let summary = gallery_summary(&experiment.description);
    // Body text size: a summary people read to choose, not a footnote.
    super::prose::label(ui, &summary);
    ui.add_space(4.0);
    response.clicked().then(|| GalleryPick::Load {
        id,
        experiment: Box::new(experiment.clone()),
    })
}

/// The most characters a gallery summary holds: about three lines of the gallery, so that
/// each preset reads at a glance and the list stays short.
pub const SUMMARY_MAX_CHARS: usize = 120;

/// What the gallery says under a preset's name: the description's first sentence, without
/// its asides in parentheses (where field names such as `target_run_s` are explained), cut at
/// a word boundary with "…" when still longer than [`SUMMARY_MAX_CHARS`]. The hover shows
/// the whole description.
pub fn gallery_summary(description: &str) -> String {
    let sentence = without_asides(first_sentence(description));
    if sentence.chars().count() <= SUMMARY_MAX_CHARS {
        return sentence;
    }
    // Room for the "…": cut at the last space within the limit (or at the limit itself,
    // for one long word).
    let limit = SUMMARY_MAX_CHARS - 1;
    let within: Vec<(usize, char)> = sentence.char_indices().take(limit + 1).collect();
    let end = within
        .iter()
        .rev()
        .find(|(_, c)| *c == ' ')
        .or(within.last())
        .map_or(sentence.len(), |(i, _)| *i);
    let cut = sentence[..end].trim_end_matches(|c: char| c.is_whitespace() || ",;:(".contains(c));
    format!("{cut}…")
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

/// `text` without its parenthesised asides (nested ones included) and the space before each.
fn without_asides(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                if depth == 0 {
                    let kept = out.trim_end().len();
                    out.truncate(kept);
                }
                depth += 1;
            }
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in preset's gallery summary is short and shows no field names in
    /// backticks (the hover holds the full description).
    #[test]
    fn every_builtin_summary_is_short_and_free_of_field_names() {
        for preset in builtin_presets() {
            let experiment = preset.experiment().unwrap();
            let summary = gallery_summary(&experiment.description);
            let chars = summary.chars().count();
            assert!(
                chars <= SUMMARY_MAX_CHARS,
                "{}: {chars} characters: {summary}",
                preset.id
            );
            assert!(!summary.contains('`'), "{}: {summary}", preset.id);
            assert!(
                !summary.contains("target_run_s"),
                "{}: {summary}",
                preset.id
            );
            assert!(chars >= 20, "{}: {summary:?}", preset.id);
        }
    }

    #[test]
    fn lost_updates_summary_is_its_first_plain_sentence() {
        let lost = crate::preset::find_builtin("lost-updates").unwrap();
        assert_eq!(
            gallery_summary(&lost.experiment().unwrap().description),
            "Every worker adds one to a shared counter with no synchronisation: it reads the \
             value, then writes value + 1."
        );
    }

    #[test]
    fn a_long_sentence_is_cut_at_a_word_with_an_ellipsis() {
        let long = "word ".repeat(60);
        let summary = gallery_summary(long.trim_end());
        assert!(summary.ends_with("word…"), "{summary}");
        assert!(summary.chars().count() <= SUMMARY_MAX_CHARS, "{summary}");
        let aside = "Counts primes (`size`, calibrated (twice)) fast, then stops. More.";
        assert_eq!(gallery_summary(aside), "Counts primes fast, then stops.");
        let short = "Sixty-four tasks that each wait 10 ms.";
        assert_eq!(gallery_summary(short), short);
    }
}

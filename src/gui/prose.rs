//! Preset descriptions as people read them: their `code spans` (a flag, a field, a line of
//! Python) drawn in the monospace font on the code background, without the backticks that
//! showed as they were typed.

use eframe::egui;
use egui::text::{LayoutJob, TextFormat};

/// `text` split at backticks into plain and code runs: `(run, is_code)`. An unpaired backtick
/// is kept as it is.
pub fn runs(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((&rest[..open], false));
        }
        out.push((&rest[open + 1..open + 1 + len], true));
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

/// A wrapped layout of `text` for `ui`, its code spans in monospace.
pub fn layout(ui: &egui::Ui, text: &str) -> LayoutJob {
    let style = ui.style();
    let body = TextFormat {
        font_id: egui::TextStyle::Body.resolve(style),
        color: ui.visuals().text_color(),
        ..TextFormat::default()
    };
    let code = TextFormat {
        font_id: egui::TextStyle::Monospace.resolve(style),
        color: ui.visuals().text_color(),
        background: ui.visuals().code_bg_color,
        ..TextFormat::default()
    };
    let mut job = LayoutJob::default();
    for (run, is_code) in runs(text) {
        let format = if is_code { code.clone() } else { body.clone() };
        job.append(run, 0.0, format);
    }
    job.wrap.max_width = ui.available_width();
    job
}

/// A wrapped label of `text` with its code spans in monospace.
pub fn label(ui: &mut egui::Ui, text: &str) -> egui::Response {
    let job = layout(ui, text);
    ui.add(egui::Label::new(job).wrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_mark_code_and_are_not_shown() {
        assert_eq!(
            runs("the Lost updates tab (`--chart lost-updates`) plots it"),
            vec![
                ("the Lost updates tab (", false),
                ("--chart lost-updates", true),
                (") plots it", false),
            ]
        );
        assert_eq!(runs("`counter += 1`"), vec![("counter += 1", true)]);
        assert_eq!(runs("plain"), vec![("plain", false)]);
        assert_eq!(runs(""), Vec::<(&str, bool)>::new());
    }

    #[test]
    fn an_unpaired_backtick_is_kept() {
        assert_eq!(
            runs("a `b` and c` d"),
            vec![("a ", false), ("b", true), (" and c` d", false)]
        );
    }
}

//! How wide a button with a given text is laid out, measured before it is drawn: a row that
//! keeps room for buttons still to come, or a button as wide whichever of its texts it shows.

use eframe::egui;

/// The width of a button showing `text` in `ui`'s style: the text on one line in the button
/// font, and the button's padding on both sides (the gap after it is the caller's).
pub fn button_width(ui: &egui::Ui, text: &str) -> f32 {
    let text_width = egui::WidgetText::from(text)
        .into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Button,
        )
        .size()
        .x;
    text_width + 2.0 * ui.spacing().button_padding.x
}

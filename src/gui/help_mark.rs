//! A "(?)" help mark: its help shows on hover and while it has keyboard focus (a Tab stop with
//! a focus ring), and a screen reader reads it by name.

use eframe::egui;

/// Draws `text` (such as "(?)" or "(?) how to read") as a weak, underlined help mark that Tab
/// reaches. `name` is what a screen reader says; `help` draws the help, shown on hover and
/// while the mark has focus.
pub fn help_mark(
    ui: &mut egui::Ui,
    text: &str,
    name: &str,
    help: impl FnOnce(&mut egui::Ui),
) -> egui::Response {
    let mark = ui.add(
        egui::Label::new(egui::RichText::new(text).weak().underline())
            .selectable(false)
            .sense(egui::Sense::click()),
    );
    let name = name.to_string();
    mark.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    let focused = mark.has_focus();
    if focused {
        super::focus::focus_ring(ui, mark.rect);
    }
    let show = |ui: &mut egui::Ui| {
        ui.set_max_width(ui.spacing().tooltip_width);
        help(ui);
    };
    if focused && !mark.hovered() {
        mark.show_tooltip_ui(show);
        mark
    } else {
        mark.on_hover_ui(show)
    }
}

/// [`help_mark`] whose help is plain text, read by a screen reader as the mark's description.
pub fn help_mark_text(ui: &mut egui::Ui, text: &str, name: &str, help: &str) -> egui::Response {
    let mark = help_mark(ui, text, name, |ui| {
        ui.label(help);
    });
    ui.ctx()
        .accesskit_node_builder(mark.id, |node| node.set_description(help.to_string()));
    mark
}

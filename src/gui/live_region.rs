//! Live regions: a screen reader says a widget's text when it appears or changes, without
//! the widget taking focus. An error is said at once (assertive), anything else when the
//! reader is idle (polite).

use eframe::egui;

/// Makes `said` a live region: an error (`is_error`) is announced at once, interrupting the
/// reader; anything else when it is idle.
pub fn announce(ui: &egui::Ui, said: &egui::Response, is_error: bool) {
    let live = if is_error {
        egui::accesskit::Live::Assertive
    } else {
        egui::accesskit::Live::Polite
    };
    ui.ctx()
        .accesskit_node_builder(said.id, |node| node.set_live(live));
}

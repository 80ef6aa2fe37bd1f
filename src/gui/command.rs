//! What the panels and the keyboard ask the workbench to do. Panels push a [`Command`] while
//! they draw; the app applies them all in one place after the frame is laid out (as
//! egui_demo_app does), so that no panel reaches into another's state.

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};

use super::results_table::TableFormat;

/// A request from a panel or a shortcut, applied by `WorkbenchApp::apply` after drawing.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    OpenPreset,
    SavePreset,
    Run,
    Cancel,
    /// Export the current chart (SVG + PNG).
    ExportChart,
    /// Open the export dialog (size, scale, font, theme, models, live preview).
    OpenExportDialog,
    Undo,
    Redo,
    /// Show or hide the keyboard shortcuts overlay.
    ToggleHelp,
    /// Go back to the configuration as it was in its preset.
    ResetToPreset,
    /// Save the shown results as a results file of the user's choice.
    SaveResultsAs,
    /// Save the shown results' table as CSV.
    ExportCsv,
    /// Put the shown results' table on the clipboard.
    CopyTable(TableFormat),
}

pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub const RUN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
pub const RUN_F5: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
pub const CANCEL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Escape);
pub const EXPORT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);
pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
pub const REDO: KeyboardShortcut = KeyboardShortcut::new(
    Modifiers {
        shift: true,
        ..Modifiers::COMMAND
    },
    Key::Z,
);
pub const HELP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F1);

/// `label (shortcut)`, for tooltips.
pub fn with_shortcut(ctx: &egui::Context, text: &str, shortcut: &KeyboardShortcut) -> String {
    format!("{text}  ({})", ctx.format_shortcut(shortcut))
}

/// What the keyboard asks for this frame. The shortcuts are consumed, so that a text field
/// does not also act on them. `running` and `help_open` decide what Esc means.
pub fn from_keyboard(ctx: &egui::Context, running: bool, help_open: bool) -> Vec<Command> {
    let typing = ctx.egui_wants_keyboard_input();
    ctx.input_mut(|i| {
        let mut out = Vec::new();
        // Redo first: Ctrl+Shift+Z also matches Ctrl+Z when modifiers are matched loosely.
        if i.consume_shortcut(&REDO) {
            out.push(Command::Redo);
        }
        if i.consume_shortcut(&UNDO) {
            out.push(Command::Undo);
        }
        if i.consume_shortcut(&OPEN) {
            out.push(Command::OpenPreset);
        }
        if i.consume_shortcut(&SAVE) {
            out.push(Command::SavePreset);
        }
        if i.consume_shortcut(&RUN) || i.consume_shortcut(&RUN_F5) {
            out.push(Command::Run);
        }
        if i.consume_shortcut(&EXPORT) {
            out.push(Command::OpenExportDialog);
        }
        if i.consume_shortcut(&HELP) {
            out.push(Command::ToggleHelp);
        }
        // `?` opens the help only when no text field takes the keys.
        if !typing
            && i.events
                .iter()
                .any(|e| matches!(e, egui::Event::Text(t) if t == "?"))
        {
            i.events
                .retain(|e| !matches!(e, egui::Event::Text(t) if t == "?"));
            out.push(Command::ToggleHelp);
        }
        if (running || help_open) && i.consume_shortcut(&CANCEL) {
            out.push(if help_open {
                Command::ToggleHelp
            } else {
                Command::Cancel
            });
        }
        out
    })
}

/// The keyboard shortcuts overlay (F1 or `?`). Returns whether it should stay open.
pub fn help_ui(ctx: &egui::Context) -> bool {
    let mut open = true;
    let rows: [(&str, String); 10] = [
        ("Open a preset", ctx.format_shortcut(&OPEN)),
        ("Save the preset", ctx.format_shortcut(&SAVE)),
        (
            "Run the sweep",
            format!(
                "{} or {}",
                ctx.format_shortcut(&RUN),
                ctx.format_shortcut(&RUN_F5)
            ),
        ),
        ("Cancel the sweep", ctx.format_shortcut(&CANCEL)),
        (
            "Export dialog (chart size, scale, theme, preview)",
            ctx.format_shortcut(&EXPORT),
        ),
        ("Undo a configuration edit", ctx.format_shortcut(&UNDO)),
        ("Redo", ctx.format_shortcut(&REDO)),
        (
            "Larger / smaller text (remembered)",
            "Ctrl + / Ctrl −".into(),
        ),
        ("Reset the text size", "Ctrl 0".into()),
        ("This help", format!("{} or ?", ctx.format_shortcut(&HELP))),
    ];
    egui::Window::new("Keyboard shortcuts")
        .id(egui::Id::unique("shortcuts-help"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .open(&mut open)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts-grid")
                .num_columns(2)
                .spacing([24.0, 6.0])
                .show(ui, |ui| {
                    for (what, keys) in rows {
                        ui.label(what);
                        ui.strong(keys);
                        ui.end_row();
                    }
                });
            ui.separator();
            ui.weak("Esc closes this help. The text size is kept between sessions.");
        });
    open
}

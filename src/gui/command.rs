//! What the panels and the keyboard ask the workbench to do. Panels push a [`Command`] while
//! they draw; the app applies them all in one place after the frame is laid out (as
//! egui_demo_app does), so that no panel reaches into another's state.

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};

use super::app::Tab;
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
    /// Show or hide the configuration panel (the charts take the window without it).
    ToggleConfigPanel,
    /// Go back to the configuration as it was in its preset.
    ResetToPreset,
    /// Save the shown results as a results file of the user's choice.
    SaveResultsAs,
    /// Save the shown results' table as CSV.
    ExportCsv,
    /// Put the shown results' table on the clipboard.
    CopyTable(TableFormat),
    /// Show this tab of the central area.
    ShowTab(Tab),
    /// Close the typed-path prompt without acting.
    ClosePathPrompt,
    /// Close the export dialog.
    CloseExportDialog,
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
/// As in editors and browsers (a sidebar's toggle).
pub const CONFIG_PANEL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::B);
pub const HELP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F1);
/// Ctrl+1 … Ctrl+7: the central area's tabs, in [`Tab::ALL`]'s order.
pub const TAB_KEYS: [KeyboardShortcut; 7] = [
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1),
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num2),
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num3),
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num4),
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num5),
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num6),
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Num7),
];

/// The shortcut that shows `tab`.
pub fn tab_shortcut(tab: Tab) -> KeyboardShortcut {
    let i = Tab::ALL.iter().position(|t| *t == tab).unwrap_or(0);
    TAB_KEYS[i]
}

/// What is open or focused when Escape is pressed; [`escape_command`] decides what it does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EscapeContext {
    /// A menu, combo box or other popup is open (egui closes it on Escape).
    pub popup: bool,
    pub help_open: bool,
    pub path_prompt: bool,
    pub export_dialog: bool,
    /// A text field had focus (Escape leaves it: egui takes the focus away).
    pub text_field: bool,
    pub running: bool,
}

/// What Escape means: it closes the innermost thing open (a popup, the help, the path
/// prompt, the export dialog), leaves a text field, and only when none of these is there
/// cancels a running sweep. `None`: Escape is left to egui (or means nothing).
pub fn escape_command(c: EscapeContext) -> Option<Command> {
    if c.popup {
        None
    } else if c.help_open {
        Some(Command::ToggleHelp)
    } else if c.path_prompt {
        Some(Command::ClosePathPrompt)
    } else if c.export_dialog {
        Some(Command::CloseExportDialog)
    } else if c.text_field {
        None
    } else if c.running {
        Some(Command::Cancel)
    } else {
        None
    }
}

/// `label (shortcut)`, for tooltips.
pub fn with_shortcut(ctx: &egui::Context, text: &str, shortcut: &KeyboardShortcut) -> String {
    format!("{text}  ({})", ctx.format_shortcut(shortcut))
}

/// What the keyboard asks for this frame. The shortcuts are consumed, so that a text field
/// does not also act on them. `escape` decides what Esc means ([`escape_command`]); when it
/// means nothing here, the key is left to egui (a menu or a text field closes on it).
pub fn from_keyboard(ctx: &egui::Context, escape: EscapeContext) -> Vec<Command> {
    // A focused button does not take `?`; a text field does.
    let typing = ctx.text_edit_focused();
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
        if i.consume_shortcut(&CONFIG_PANEL) {
            out.push(Command::ToggleConfigPanel);
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
        for (tab, key) in Tab::ALL.into_iter().zip(TAB_KEYS) {
            if i.consume_shortcut(&key) {
                out.push(Command::ShowTab(tab));
            }
        }
        if let Some(command) = escape_command(escape)
            && i.consume_shortcut(&CANCEL)
        {
            out.push(command);
        }
        out
    })
}

/// The keyboard shortcuts overlay (F1 or `?`). Returns whether it should stay open, and its
/// layer when drawn.
pub fn help_ui(ctx: &egui::Context) -> (bool, Option<egui::LayerId>) {
    let mut open = true;
    let tab_keys = format!(
        "{} … {}",
        ctx.format_shortcut(&TAB_KEYS[0]),
        ctx.format_shortcut(&TAB_KEYS[6])
    );
    let rows: [(&str, String); 14] = [
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
        (
            "Cancel the sweep (when no menu, dialog or text field is open)",
            ctx.format_shortcut(&CANCEL),
        ),
        (
            "Close a menu or dialog, leave a text field",
            ctx.format_shortcut(&CANCEL),
        ),
        (
            "Speedup, Efficiency, Wall time, Results table, Fits, Timeline, Lost updates",
            tab_keys,
        ),
        (
            "Next / previous control (a table row is one stop)",
            "Tab / Shift+Tab".into(),
        ),
        (
            "Export dialog (chart size, scale, theme, preview)",
            ctx.format_shortcut(&EXPORT),
        ),
        (
            "Hide / show the configuration panel (remembered)",
            ctx.format_shortcut(&CONFIG_PANEL),
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
    // Within the window at any zoom (2× on a projector's 1024 × 640 is 512 × 320 points):
    // the descriptions wrap, the rows scroll, and the title bar with its close button and the
    // line saying Esc closes it stay in view.
    let screen = ctx.content_rect();
    let margin = 8.0;
    let max_width = (screen.width() - 2.0 * margin).max(120.0);
    let shown = egui::Window::new("Keyboard shortcuts")
        .id(egui::Id::unique("shortcuts-help"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .max_width(max_width)
        .max_height((screen.height() - 2.0 * margin).max(120.0))
        .open(&mut open)
        .show(ctx, |ui| {
            let body = ui.text_style_height(&egui::TextStyle::Body);
            let spacing = ui.spacing().item_spacing.y;
            // The title bar above and the separator and footer line below.
            let reserved = 2.0 * ui.spacing().interact_size.y + 2.0 * body + 6.0 * spacing;
            let rows_height = (screen.height() - 2.0 * margin - reserved).max(body * 2.0);
            let keys_width = rows
                .iter()
                .map(|(_, keys)| {
                    let galley = ui.painter().layout_no_wrap(
                        keys.clone(),
                        egui::TextStyle::Body.resolve(ui.style()),
                        ui.visuals().strong_text_color(),
                    );
                    galley.size().x
                })
                .fold(0.0, f32::max);
            const COLUMN_GAP: f32 = 24.0;
            let what_width = (max_width - keys_width - COLUMN_GAP - 40.0).max(80.0);
            // A solid bar, seen at rest, where the rows scroll.
            ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
            egui::ScrollArea::vertical()
                .max_height(rows_height)
                .show(ui, |ui| {
                    egui::Grid::new("shortcuts-grid")
                        .num_columns(2)
                        .spacing([COLUMN_GAP, 6.0])
                        .max_col_width(what_width.max(keys_width))
                        .show(ui, |ui| {
                            for (what, keys) in rows {
                                ui.add(egui::Label::new(what).wrap());
                                ui.add(
                                    egui::Label::new(egui::RichText::new(keys).strong()).extend(),
                                );
                                ui.end_row();
                            }
                        });
                });
            ui.separator();
            ui.add(
                egui::Label::new(
                    egui::RichText::new(
                        "Esc closes this help. The text size is kept between sessions.",
                    )
                    .weak(),
                )
                .wrap(),
            );
        });
    (open, shown.map(|r| r.response.layer_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_closes_what_is_open_before_it_cancels_a_sweep() {
        let running = EscapeContext {
            running: true,
            ..Default::default()
        };
        assert_eq!(escape_command(running), Some(Command::Cancel));
        assert_eq!(escape_command(EscapeContext::default()), None);
        let with = |f: fn(&mut EscapeContext)| {
            let mut c = running;
            f(&mut c);
            escape_command(c)
        };
        assert_eq!(with(|c| c.popup = true), None, "egui closes the menu");
        assert_eq!(with(|c| c.text_field = true), None, "egui leaves the field");
        assert_eq!(with(|c| c.help_open = true), Some(Command::ToggleHelp));
        assert_eq!(
            with(|c| c.path_prompt = true),
            Some(Command::ClosePathPrompt)
        );
        assert_eq!(
            with(|c| c.export_dialog = true),
            Some(Command::CloseExportDialog)
        );
        // A dialog's own text field: Escape closes the dialog.
        assert_eq!(
            with(|c| {
                c.export_dialog = true;
                c.text_field = true;
            }),
            Some(Command::CloseExportDialog)
        );
        // A menu over the dialog goes first.
        assert_eq!(
            with(|c| {
                c.export_dialog = true;
                c.popup = true;
            }),
            None
        );
    }
}

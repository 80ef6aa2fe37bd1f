//! The top bar: the configuration panel's toggle, the file actions, help and theme, and Run
//! with its estimate or progress.

use super::file_menu::file_buttons_width;
use super::*;
use crate::gui::button_width::button_width;

/// The name of the configuration panel's toggle in the top bar, for a screen reader.
pub const CONFIG_PANEL_NAME: &str = "Configuration panel";

/// The space between the top bar's controls where the window is tight, in points (egui's is
/// 8).
const TIGHT_TOP_BAR_SPACING: f32 = 6.0;

impl WorkbenchApp {
    /// The top bar: the panel's toggle, the file actions and the help button on one row, Run
    /// with its estimate or progress below them. Tight ([`TIGHT_BELOW_HEIGHT`]): one row, the
    /// name left out, the file actions in their menu and Run beside it, so that the plot
    /// keeps that row's height (wrapping to a second line where the estimate or the progress
    /// needs it).
    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        ui.add_space(2.0);
        let tight = self.tight;
        let mut controls = None;
        ui.horizontal(|ui| {
            if tight {
                // A little closer together, so that the estimate fits beside Run at 800 × 600
                // at 2× (400 points).
                ui.spacing_mut().item_spacing.x = TIGHT_TOP_BAR_SPACING;
            }
            self.config_panel_toggle(ui);
            if !tight {
                ui.heading("corelab");
                ui.separator();
            }
            // The help and theme buttons' room is kept on the right whatever else is shown.
            let help_room = 2.0 * (ui.spacing().interact_size.x + ui.spacing().item_spacing.x);
            if !tight && ui.available_width() - help_room >= file_buttons_width(ui) {
                self.file_buttons(ui, false);
            } else {
                // Short of width (zoomed in for a projector, a small window) or of height:
                // the file actions in one menu, so that every one stays reachable.
                self.file_menu(ui);
            }
            if self.files.busy() {
                ui.spinner();
            }
            if tight {
                // Run and what it says in the room left before the theme and help buttons,
                // wrapping there (left to right, so that the keyboard reaches Run before
                // them). Their own widths (less than the row's widget widths kept above): the
                // help button's text and padding, the theme button a square of the row's
                // height (`theme_choice::theme_button`).
                let spacing = ui.spacing();
                let help = button_width(ui, "?") + spacing.item_spacing.x;
                let theme = spacing.interact_size.y + spacing.item_spacing.x;
                let room = egui::vec2(
                    (ui.available_width() - help - theme).max(0.0),
                    ui.spacing().interact_size.y,
                );
                let layout = egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true);
                controls = Some(
                    ui.allocate_ui_with_layout(room, layout, |ui| {
                        // The estimate cut short (whole in its hover), not wrapped onto a
                        // second row of its own.
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                        self.run_controls(ui)
                    })
                    .inner,
                );
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .small_button("?")
                    .accessible_name("Keyboard shortcuts")
                    .on_hover_text(command::with_shortcut(
                        &ctx,
                        "Keyboard shortcuts",
                        &command::HELP,
                    ))
                    .clicked()
                {
                    self.commands.push(Command::ToggleHelp);
                }
                crate::gui::theme_choice::theme_button(ui, &mut self.theme);
            });
        });
        if !tight {
            ui.separator();
            controls = Some(self.run_controls(ui));
        }
        if let Some(controls) = controls {
            self.run_focus.run = Some(controls.run_id);
            self.run_focus.cancel = Some(controls.cancel_id);
            match controls.action {
                Some(RunAction::Run) => self.commands.push(Command::Run),
                Some(RunAction::Cancel) => self.commands.push(Command::Cancel),
                None => {}
            }
        }
        ui.add_space(2.0);
    }

    /// Run and Cancel, with the estimate, why Run is greyed, or the progress.
    fn run_controls(&mut self, ui: &mut egui::Ui) -> run_control::RunControls {
        let estimate =
            crate::engine::estimate::estimate(&self.experiment, self.machine.logical_cores);
        let blocked = self.run_blocker(ui.ctx());
        run_control::show(ui, self.run.as_ref(), &estimate, blocked.as_ref())
    }

    /// The toggle that hides the configuration panel (the charts then take the window) and
    /// shows it again; Ctrl+B does the same, and the choice is kept between sessions.
    fn config_panel_toggle(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let shown = self.config_panel_shown();
        let what = match (shown, self.narrow) {
            (true, _) => "Hide the configuration panel: the charts take the window's width.",
            (false, false) => {
                "Show the configuration panel: presets and the experiment's settings."
            }
            (false, true) => {
                "Show the configuration panel: presets and the experiment's settings (in the \
                 charts' place while the window is this narrow; Run gives them back)."
            }
        };
        // A window with a side bar, drawn (the default fonts have no such glyph): the bar
        // filled while the panel is shown.
        let height = ui.spacing().interact_size.y;
        let toggle = ui
            .add(egui::Button::selectable(shown, "").min_size(egui::vec2(height * 1.4, height)))
            .accessible_name(CONFIG_PANEL_NAME)
            .on_hover_text(command::with_shortcut(&ctx, what, &command::CONFIG_PANEL));
        let visuals = ui.style().interact_selectable(&toggle, shown);
        let icon = egui::Rect::from_center_size(
            toggle.rect.center(),
            egui::vec2(height * 0.8, height * 0.6),
        );
        let painter = ui.painter();
        let stroke = egui::Stroke::new(1.0, visuals.fg_stroke.color);
        painter.rect_stroke(icon, 1.0, stroke, egui::StrokeKind::Inside);
        let bar =
            egui::Rect::from_min_size(icon.min, egui::vec2(icon.width() * 0.35, icon.height()));
        if shown {
            painter.rect_filled(bar, 1.0, visuals.fg_stroke.color);
        } else {
            painter.rect_stroke(bar, 1.0, stroke, egui::StrokeKind::Inside);
        }
        if toggle.clicked() {
            self.commands.push(Command::ToggleConfigPanel);
        }
    }
}

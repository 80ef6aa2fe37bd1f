//! The frame's layout: [`WorkbenchApp::show`] draws the top bar, the configuration panel, the
//! central area and the overlays; panels push [`Command`]s that [`WorkbenchApp::apply`]
//! carries out after drawing.
//!
//! One concept per file:
//! - `room.rs`: how short of room the window and the central area are (narrow, tight,
//!   compact).
//! - `top_bar.rs`: the panel's toggle, help, theme, and Run with its estimate or progress.
//! - `file_menu.rs`: the file actions, in a row or one **File** menu.
//! - `left_panel.rs`: the configuration panel (presets, then the experiment's settings).
//! - `experiment_header.rs`: the panel's "Experiment" heading, Reset and undo/redo.
//! - `use_config.rs`: **Use this configuration** of the shown results.
//! - `replace_question.rs`: the dialog before a preset replaces unsaved edits.
//! - `central.rs`: the central area and what the shown tab draws.
//! - `tabs.rs`: the tab row, or the tab menu where the area is tight.
//! - `results_header.rs`: the shown results' name, state, warnings and verdict line.
//! - `interrupted_note.rs`: the note about the last session's unfinished sweep.
//! - `start_hint.rs`: the first-start hint.
//! - `analysis_bar.rs`: **show fits**, the export buttons and the compare controls.
//! - `export_buttons.rs`: the export, save and copy buttons.

mod analysis_bar;
mod central;
mod experiment_header;
mod export_buttons;
mod file_menu;
mod interrupted_note;
mod left_panel;
mod replace_question;
mod results_header;
mod room;
mod start_hint;
mod tabs;
mod top_bar;
mod use_config;

pub use room::{NARROW_BELOW_WIDTH, TIGHT_BELOW_HEIGHT, TIGHT_BELOW_WIDTH};
pub use start_hint::START_HINT;
pub use tabs::TAB_MENU_NAME;
pub use top_bar::CONFIG_PANEL_NAME;

use super::*;

/// How long `--run` waits after the window opened before starting the sweep.
const STARTUP_SETTLE: Duration = Duration::from_millis(1500);

/// While a sweep runs, the longest time between frames that the engine did not ask for (the
/// elapsed time on the progress bar ticks at least this often).
const LONG_RUN_TICK: Duration = Duration::from_secs(10);

/// The configuration panel takes at most this share of the window's width (zoomed in, the
/// chart keeps the rest).
const CONFIG_PANEL_SHARE: f32 = 0.36;

/// The button atop the configuration panel where, in a narrow window, it takes the charts'
/// place: it gives them back.
pub const CHARTS_BACK: &str = "Back to the charts";

impl WorkbenchApp {
    /// Draws the whole workbench into `ui` (the eframe root, or a test harness).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.visuals_set {
            super::super::style::readable_visuals(&ctx);
            self.visuals_set = true;
        }
        super::super::theme_choice::apply(&ctx, self.theme, &mut self.theme_applied);
        if self.settings.cpu_meter && !self.meter.is_started() {
            self.meter.start(&ctx);
        }
        self.poll();
        self.recent.poll(&ctx);
        let also = self.recent.take_also();
        let abandoned = self.recent.take_abandoned();
        for note in self.recent.take_removed_notes() {
            self.info(note);
        }
        if let Some(entry) = also {
            // Offered as the window-closed run: never offered again as a killed one (its
            // file may still read `incomplete`, its process gone).
            self.note_offered_abandoned(&entry.path);
            self.interrupted = Some(InterruptedRun::Closed(entry));
        } else if let Some((entry, modified)) = abandoned
            && self.interrupted.is_none()
            && !self.offered_abandoned.contains(&entry.path)
        {
            // A workbench killed or crashed mid-sweep saved no state to say so: its file,
            // still `incomplete` with its process gone, is offered once.
            self.note_offered_abandoned(&entry.path);
            self.interrupted = Some(InterruptedRun::Killed {
                entry,
                last_written: autosave::started_words(&crate::results::utc_timestamp(modified))
                    .unwrap_or_default(),
            });
        }
        // Once every file asked for at start has loaded, the compared runs too.
        if self.export_dialog_when_ready && self.results.is_some() && !self.files_busy() {
            self.export_dialog_when_ready = false;
            self.open_export_dialog();
        }
        // The shortcuts are read before the panels draw, so that a text field does not
        // also act on them (Ctrl+Z is the configuration's undo, not the field's). What is
        // open, and what had focus as the last frame ended, decide what Escape means.
        if self.pending_replace.is_none() {
            let escape = command::EscapeContext {
                popup: egui::Popup::is_any_open(&ctx),
                help_open: self.help_open,
                path_prompt: self.files.prompt.is_some(),
                export_dialog: self.export_dialog.is_open(),
                text_field: self.last_focus.text_field,
                running: self.run.is_some(),
            };
            let keys = command::from_keyboard(&ctx, escape);
            self.commands.extend(keys);
        }
        let export_layer = self.export_dialog.ui(&ctx);
        let trusted = self.interpreter_trusted();
        self.python.update(&ctx, &self.experiment.python, trusted);
        // `--run` waits for the first frames: starting the window (fonts, shaders) takes CPU
        // time that would otherwise be charged to the first cell measured.
        let settled = self.created.elapsed() > STARTUP_SETTLE && ctx.cumulative_frame_nr() > 2;
        if self.run_when_ready && !settled {
            ctx.request_repaint_after(Duration::from_millis(200));
        }
        // It also waits for the interpreter check its Python models need (at most the
        // probe's 5 s), so that a slow interpreter is not refused as "still being checked".
        let python_pending = self.python_check_pending();
        if self.run_when_ready && python_pending {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if self.run_when_ready
            && settled
            && !python_pending
            && !self.files.busy()
            && self.run.is_none()
        {
            self.run_when_ready = false;
            self.start_run(&ctx);
        }
        if self.run.is_some() {
            // The engine wakes the window between timed runs (see `DisplayPacing`). A frame in
            // the middle of a run would take CPU time from it, so the window's own clock ticks
            // only when a single run is long, where one frame is a negligible share of it.
            ctx.request_repaint_after(LONG_RUN_TICK);
        }
        self.meter.set_quiet(self.run.is_some());

        let window = ctx.content_rect();
        self.narrow = window.width() < NARROW_BELOW_WIDTH;
        // Short and not wide, whether the configuration panel is beside the charts or not.
        self.tight = window.width() < TIGHT_BELOW_WIDTH && window.height() < TIGHT_BELOW_HEIGHT;
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        let not_stored = self.not_stored();
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            let messages = &mut self.messages;
            let informing = messages.messages().iter().any(|m| !m.is_error);
            status_bar::show(
                ui,
                &self.machine,
                &self.meter,
                self.screenshot.is_none(),
                not_stored.as_ref(),
                informing.then_some(|ui: &mut egui::Ui| {
                    messages.status_ui(ui);
                }),
            );
        });
        // Zoomed in (Ctrl+plus, a projector), the panel narrows with the window's width in
        // points, so that the chart keeps most of the window.
        let width = ctx.content_rect().width();
        // Hidden with the top bar's toggle (Ctrl+B), or in a narrow window, the charts take
        // the window's width.
        // In a narrow window the panel, once opened, takes the area in place of the charts
        // (beside them it left each half of too little); Run, or its toggle, gives the charts
        // back.
        let drawer = self.narrow && self.config_panel_shown();
        if self.config_panel_shown() && !drawer {
            egui::Panel::left("config-panel")
                .resizable(true)
                .default_size(340.0)
                .min_size(260.0_f32.min(width * 0.25))
                .max_size((width * CONFIG_PANEL_SHARE).max(200.0))
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| self.left_panel(ui));
                });
        }
        if drawer {
            egui::CentralPanel::default().show(ui, |ui| {
                if ui
                    .button(CHARTS_BACK)
                    .on_hover_text(command::with_shortcut(
                        &ctx,
                        "Hide the configuration panel and show the charts.",
                        &command::CONFIG_PANEL,
                    ))
                    .clicked()
                {
                    self.commands.push(Command::ToggleConfigPanel);
                }
                ui.separator();
                egui::ScrollArea::vertical().show(ui, |ui| self.left_panel(ui));
            });
        } else {
            egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        }
        let prompt_layer = self.files.show_prompt(&ctx);
        let mut help_layer = None;
        if self.help_open {
            let (open, layer) = command::help_ui(&ctx);
            self.help_open = open;
            help_layer = layer;
        }
        self.replace_question(&ctx);
        if self.screenshot.is_some() {
            // A screenshot shows the workbench, not the passing news ("Loaded …", "Comparing
            // with …") that would cover the chart's corner; errors are still drawn.
            let infos: Vec<usize> = (0..self.messages.messages().len())
                .rev()
                .filter(|&i| !self.messages.messages()[i].is_error)
                .collect();
            for i in infos {
                self.messages.remove(i);
            }
        }
        // "Cannot run" about the worker counts goes once they are fixed or wrong another way
        // (the field shows the current error itself).
        let current = self
            .editor
            .workers_error
            .as_ref()
            .map(|e| workers_error_message(e));
        self.messages.retain(|m| {
            !m.is_error
                || !m.text.starts_with(WORKERS_ERROR_PREFIX)
                || current.as_deref() == Some(m.text.as_str())
        });
        self.messages.ui(&ctx, self.run.is_some());

        // Everything the panels and the keyboard asked for, in order, after drawing.
        for command in std::mem::take(&mut self.commands) {
            self.apply(&ctx, command);
        }
        self.export_dialog.hold_focus(&ctx, export_layer);
        // Keyboard focus: back to what opened a dialog when it closes, onto Cancel when a
        // sweep starts and back onto Run when it ends.
        let opener = self.clicked_opener.or(ctx.memory(|m| m.focused()));
        let before = self.clicked_opener;
        for (tracker, open, layer) in [
            (
                &mut self.prompt_focus,
                self.files.prompt.is_some(),
                prompt_layer,
            ),
            (
                &mut self.export_focus,
                self.export_dialog.is_open(),
                export_layer,
            ),
            (&mut self.help_focus, self.help_open, help_layer),
        ] {
            if tracker.update(&ctx, open, layer, opener) {
                self.clicked_opener = None;
            }
        }
        if self.clicked_opener == before && before.is_some() && !self.files_busy() {
            // A click that opened nothing (or a native dialog that has closed) is forgotten.
            self.clicked_opener = None;
        }
        self.run_focus.update(&ctx, self.run.is_some());
        self.last_focus = super::super::focus::FocusNow::read(&ctx);
        // Edits made this frame become undo points once they have settled.
        if self.run.is_none() {
            let now = ctx.input(|i| i.time);
            self.history.feed(now, &self.experiment);
        }

        if let Some(shot) = &mut self.screenshot {
            let ready = !self.files.busy() && self.run.is_none() && !self.run_when_ready;
            let errors = self
                .messages
                .messages()
                .iter()
                .filter(|m| m.is_error)
                .map(|m| m.text.clone())
                .collect();
            shot.frame(&ctx, ready, errors);
        }
    }

    /// Notes `response`'s widget as what opened a dialog when it was clicked (focus returns
    /// to it when the dialog closes); returns whether it was clicked.
    pub(super) fn opener(&mut self, response: &egui::Response) -> bool {
        let clicked = response.clicked();
        if clicked {
            self.clicked_opener = Some(response.id);
        }
        clicked
    }
}

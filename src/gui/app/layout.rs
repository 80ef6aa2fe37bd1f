//! The frame's layout: top bar, configuration panel, central tabs, overlays; panels push
//! [`Command`]s that [`WorkbenchApp::apply`] carries out after drawing.

use super::super::button_width::button_width;
use super::header_warnings::{HeaderWarnings, LoadWarning};
use super::tab_choice::TabChoice;
use super::*;

/// The question asked before a preset replaces unsaved edits (the dialog's name too).
pub const REPLACE_QUESTION: &str = "Replace your edits?";

/// Why the export and copy buttons are greyed out.
const NOTHING_TO_EXPORT: &str = "Nothing to export yet: run a sweep or open results.";

/// The configuration panel takes at most this share of the window's width (zoomed in, the
/// chart keeps the rest).
const CONFIG_PANEL_SHARE: f32 = 0.36;
/// How many files left by killed sweeps are remembered as offered (the newest).
const OFFERED_ABANDONED_KEPT: usize = 32;

/// The name of the configuration panel's toggle in the top bar, for a screen reader.
pub const CONFIG_PANEL_NAME: &str = "Configuration panel";
/// The button atop the configuration panel where, in a narrow window, it takes the charts'
/// place: it gives them back.
pub const CHARTS_BACK: &str = "Back to the charts";

/// The labels of the top bar's file buttons, as drawn in its row when it is wide enough.
const FILE_BUTTONS: [&str; 5] = [
    "Open preset…",
    "Save preset…",
    "Open results…",
    "Recent results",
    "Type a path",
];

/// The width the file buttons take side by side in `ui`'s style (with the spinner's room).
fn file_buttons_width(ui: &egui::Ui) -> f32 {
    let spacing = ui.spacing();
    let gap = spacing.item_spacing.x;
    let buttons: f32 = FILE_BUTTONS
        .iter()
        .map(|label| button_width(ui, label) + gap)
        .sum();
    buttons + spacing.interact_size.y + gap
}

/// A central area less tall than this (in points) is short of room: the tabs take short
/// names, the buttons one menu and the chart's caption a "(?)" hover.
pub const COMPACT_BELOW_HEIGHT: f32 = 450.0;
/// A central area narrower than this (in points) is short of room too, however tall: beside
/// the configuration panel in a window 480 to 660 points wide.
pub const COMPACT_BELOW_WIDTH: f32 = 420.0;
/// A central area under this many points both wide and tall is short of room too: its rows
/// wrap into more lines the narrower it is.
const COMPACT_BELOW_SIDE: f32 = 600.0;

/// Whether a central area of `room` points is short of room ([`COMPACT_BELOW_HEIGHT`],
/// [`COMPACT_BELOW_WIDTH`], [`COMPACT_BELOW_SIDE`]): by its height alone, 800 × 600 kept
/// the long tab names, six export buttons and a four-line caption above the plot, in 490 ×
/// 516 points beside the panel, and the plot's axis lay below the fold; 520 × 600 (310
/// points beside the panel) took three rows for each.
fn compact_area(room: egui::Vec2) -> bool {
    room.y < COMPACT_BELOW_HEIGHT
        || room.x < COMPACT_BELOW_WIDTH
        || (room.x < COMPACT_BELOW_SIDE && room.y < COMPACT_BELOW_SIDE)
}
/// In a tight central area, the plot's least height, axes included, in points (the area
/// scrolls below it, starting scrolled down to the plot).
const TIGHT_PLOT_MIN_HEIGHT: f32 = 100.0;

/// The space between the top bar's controls where the window is tight, in points (egui's is
/// 8).
const TIGHT_TOP_BAR_SPACING: f32 = 6.0;

/// The name of the menu that picks the tab where the central area is tight, for a screen
/// reader (and tests).
pub const TAB_MENU_NAME: &str = "Shown tab";

impl WorkbenchApp {
    /// Remembers that the interrupted run in `path` was offered, so that it is offered once:
    /// the last [`OFFERED_ABANDONED_KEPT`] paths are kept.
    fn note_offered_abandoned(&mut self, path: &std::path::Path) {
        if self.offered_abandoned.iter().any(|p| p == path) {
            return;
        }
        self.offered_abandoned.push(path.to_path_buf());
        let excess = self
            .offered_abandoned
            .len()
            .saturating_sub(OFFERED_ABANDONED_KEPT);
        self.offered_abandoned.drain(..excess);
    }

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
                super::super::theme_choice::theme_button(ui, &mut self.theme);
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

    /// The file actions in one **File** menu (an entry closes the menu, and focus comes back
    /// to the menu's button).
    fn file_menu(&mut self, ui: &mut egui::Ui) {
        let before = self.clicked_opener;
        let menu = ui
            .menu_button("File", |ui| self.file_buttons(ui, true))
            .response;
        if self.clicked_opener != before {
            // The entry closes with its menu: focus comes back to the menu's button.
            self.clicked_opener = Some(menu.id);
        }
        menu.on_hover_text(
            "Open or save a preset, open results (a dialog, a recent file or a typed path).",
        );
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

    /// Open and save a preset, open results (a dialog, a recent file, a typed path): in the
    /// top bar's row, or `in_menu`, its **File** menu where the row is short of width (a
    /// click there closes the menu).
    fn file_buttons(&mut self, ui: &mut egui::Ui, in_menu: bool) {
        let ctx = ui.ctx().clone();
        let close_menu = |ui: &egui::Ui| {
            if in_menu {
                ui.close();
            }
        };
        let open = ui
            .button("Open preset…")
            .on_hover_text(command::with_shortcut(
                &ctx,
                "Load an experiment from a JSON preset file.",
                &command::OPEN,
            ));
        if self.opener(&open) {
            self.commands.push(Command::OpenPreset);
            close_menu(ui);
        }
        let save = ui
            .button("Save preset…")
            .on_hover_text(command::with_shortcut(
                &ctx,
                "Save the current configuration as a JSON preset file.",
                &command::SAVE,
            ));
        if self.opener(&save) {
            self.commands.push(Command::SavePreset);
            close_menu(ui);
        }
        let open_results = ui
            .button("Open results…")
            .on_hover_text("Open a results file saved by corelab (GUI or `corelab run --out`).");
        if self.opener(&open_results) {
            let start_in = self.proposed_path(FileAction::OpenResults);
            self.files
                .start(&ctx, FileAction::OpenResults, None, start_in);
            close_menu(ui);
        }
        ui.menu_button("Recent results", |ui| {
            if self.recent.first_reading() {
                ui.weak("Reading the saved results…");
            } else if self.recent.entries().next().is_none() {
                ui.weak("No saved results yet.");
            }
            let mut open = None;
            for entry in self.recent.entries() {
                if ui
                    .button(&entry.label)
                    .on_hover_text(&entry.hover)
                    .clicked()
                {
                    open = Some(entry.path.clone());
                }
            }
            ui.separator();
            ui.weak(format!(
                "Autosaved in {}",
                autosave::results_dir(&self.settings.data_dir).display()
            ));
            if let Some(path) = open {
                self.files.run(&ctx, FileAction::OpenResults, path, None);
                ui.close();
            }
        });
        // Typing a path instead of using a dialog: one entry per thing it can open.
        let mut asked = false;
        let typed = ui
            .menu_button("Type a path", |ui| {
                for (label, action) in [
                    ("Open a preset by path…", FileAction::OpenPreset),
                    ("Open results by path…", FileAction::OpenResults),
                    ("Compare with results by path…", FileAction::OpenCompare),
                ] {
                    if ui.button(label).clicked() {
                        let start_in = self.proposed_path(action);
                        self.files.ask_for_path(action, None, None, start_in);
                        asked = true;
                        ui.close();
                    }
                }
            })
            .response;
        if asked {
            // Focus goes back to the menu's button when the prompt closes.
            self.clicked_opener = Some(typed.id);
        }
        typed.on_hover_text(
            "Open a preset or results file, or add results to compare, by typing its path instead of using a dialog.",
        );
    }

    pub(super) fn left_panel(&mut self, ui: &mut egui::Ui) {
        let running = self.run.is_some();
        egui::CollapsingHeader::new("Built-in presets")
            .default_open(true)
            .show(ui, |ui| {
                // A scroll area of its own, so that the experiment's settings below stay in
                // view however many presets there are.
                egui::ScrollArea::vertical()
                    .id_salt("preset-gallery")
                    .max_height(GALLERY_HEIGHT)
                    .show(ui, |ui| {
                        ui.add_enabled_ui(!running, |ui| {
                            let current = match self.origin.as_ref().map(|o| &o.source) {
                                Some(Source::Builtin(id)) => Some(id.as_str()),
                                _ => None,
                            };
                            let modified = self.is_modified();
                            if let Some(GalleryPick::Load { id, experiment }) =
                                presets_gallery::show(ui, current, modified)
                            {
                                self.tab_pinned = false;
                                self.offer_replacement(PendingReplace {
                                    origin: Origin {
                                        source: Source::Builtin(id.to_string()),
                                        experiment: (*experiment).clone(),
                                    },
                                    experiment: *experiment,
                                    from_file: None,
                                    message: format!("Loaded built-in preset {id}"),
                                });
                            }
                        });
                        super::super::focus::keep_focused_in_view(ui);
                    });
            });
        ui.separator();
        self.experiment_header(ui);
        self.editor.module_base = self.module_base();
        let python_before = python_models(&self.experiment);
        // A refusal of Run ("Not started: …") is about the configuration as it was: an edit
        // answers it, and it goes rather than staying over the chart. (Copied only while one
        // is shown.)
        let refused = self
            .messages
            .messages()
            .iter()
            .any(|m| m.is_error && is_run_refusal(&m.text))
            .then(|| self.experiment.clone());
        let command = config_panel::show(
            ui,
            &mut self.editor,
            &mut self.experiment,
            &self.python,
            !running,
        );
        if refused.is_some_and(|before| before != self.experiment) {
            self.messages
                .retain(|m| !(m.is_error && is_run_refusal(&m.text)));
        }
        // A py-* model the user just ticked (or the Python function task just chosen, which
        // ticks them) needs the interpreter: it is checked now, if it was not before.
        if python_models(&self.experiment)
            .iter()
            .any(|m| !python_before.contains(m))
        {
            self.check_interpreter_for_models();
        }
        match command {
            Some(ConfigCommand::ConfirmInterpreter(interp))
                if interp == self.experiment.python.interpreter.trim() =>
            {
                self.confirm_interpreter();
                self.info(format!("Allowed the interpreter {interp}"));
            }
            Some(ConfigCommand::CheckInterpreter) => self.check_interpreter(),
            Some(ConfigCommand::ConfirmInterpreter(_)) | None => {}
        }
        // The panel scrolls: a control Tab reaches below (or above) its view comes into it.
        super::super::focus::keep_focused_in_view(ui);
    }

    /// The "Experiment" heading with where it came from, the modified marker, Reset and
    /// undo/redo.
    pub(super) fn experiment_header(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let running = self.run.is_some();
        ui.horizontal_wrapped(|ui| {
            ui.heading("Experiment");
            if self.is_modified() {
                ui.colored_label(ui.visuals().warn_fg_color, "modified")
                    .on_hover_text("The configuration differs from the preset it came from.");
            }
        });
        if let Some(origin) = &self.origin {
            ui.weak(format!("from {}", origin.source.describe()));
        }
        // The chart may show results of another experiment (a file opened), or of this one
        // with other settings: say that these settings are not the ones that produced it.
        // Narrow or tight, the header hides "Use this configuration": it is here whenever
        // it is offered, whatever the names.
        if let Some(results) = &self.results {
            let name = crate::export::sanitize::for_terminal(&results.experiment.name);
            let other_name = results.experiment.name.trim() != self.experiment.name.trim();
            if self.narrow || self.tight {
                if self.use_config_offered() {
                    // In the charts' place: the button is here, not above the chart.
                    ui.weak(format!(
                        "Not the settings of the results shown (\"{name}\")."
                    ));
                    if use_config_button(ui) {
                        self.use_results_configuration();
                    }
                } else if other_name {
                    ui.weak(format!(
                        "Not the settings of the results shown (\"{name}\")."
                    ));
                }
            } else if other_name {
                ui.weak(format!(
                    "Not the settings of the results shown (\"{name}\"): \"Use this configuration\" above the chart loads theirs."
                ));
            }
        }
        // Wrapped: at the panel's least width the three buttons do not fit on one row, and
        // a row that overflows widens everything below it past the panel's edge too.
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled_ui(!running, |ui| {
                if ui
                    .add_enabled(self.is_modified(), egui::Button::new("Reset to preset"))
                    .on_hover_text("Go back to the configuration as the preset has it (undoable).")
                    .on_disabled_hover_text("Nothing changed since the preset was loaded.")
                    .clicked()
                {
                    self.commands.push(Command::ResetToPreset);
                }
                if ui
                    .add_enabled(self.can_undo(), egui::Button::new("Undo"))
                    .on_hover_text(command::with_shortcut(
                        &ctx,
                        "Undo the last configuration edit.",
                        &command::UNDO,
                    ))
                    .clicked()
                {
                    self.commands.push(Command::Undo);
                }
                if ui
                    .add_enabled(self.can_redo(), egui::Button::new("Redo"))
                    .on_hover_text(command::with_shortcut(
                        &ctx,
                        "Redo the edit just undone.",
                        &command::REDO,
                    ))
                    .clicked()
                {
                    self.commands.push(Command::Redo);
                }
            });
        });
    }

    /// Asks whether a preset may replace unsaved edits.
    pub(super) fn replace_question(&mut self, ctx: &egui::Context) {
        let Some(pending) = &self.pending_replace else {
            return;
        };
        let mut answer = None;
        let what = pending.origin.source.describe();
        let id = egui::Id::unique("replace-edits");
        // Named for a screen reader, which reads it as an alert dialog.
        let area = egui::Modal::default_area(id)
            .accessible_name(REPLACE_QUESTION)
            .role(egui::Role::AlertDialog);
        egui::Modal::new(id).area(area).show(ctx, |ui| {
            ui.heading(REPLACE_QUESTION);
            ui.label(format!(
                "The configuration was changed since it was loaded. Loading the {what} replaces those changes (Undo brings them back)."
            ));
            ui.horizontal(|ui| {
                if ui.button("Replace").clicked() {
                    answer = Some(true);
                }
                let keep = ui.button("Keep editing");
                if keep.clicked() {
                    answer = Some(false);
                }
                // Keyboard focus starts on the answer that loses nothing.
                if ui.memory(|m| m.focused()).is_none() {
                    keep.request_focus();
                }
            });
        });
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            answer = Some(false);
        }
        if let Some(replace) = answer {
            self.answer_replace(replace);
        }
    }

    /// The central area. A chart tab scrolls where it must, so that the plot keeps at least
    /// [`charts::ChartRoom::min_height`]; short of room (zoomed in, a small window), the tabs,
    /// the header, the buttons and the caption fold into fewer rows first.
    pub(super) fn central(&mut self, ui: &mut egui::Ui) {
        let room = ui.available_size();
        let compact = compact_area(room);
        // In a tight window (short and not wide: 800 × 600 at 2×, 512 × 320, see
        // `TIGHT_BELOW_HEIGHT`),
        // the rows above the plot fold into as few as they can (the tabs into a menu on the
        // export buttons' row, the warnings onto the verdict's, the view boxes into a menu
        // beside the legend), so that the plot, the verdict and the run controls are all in
        // view without scrolling.
        let tight = self.tight;
        if self.tab.chart().is_some() {
            // Where even the folded rows leave the plot less than its least height, the area
            // starts scrolled down to it (the rows above a scroll away), rather than the plot
            // lying below the fold.
            let min_height = if tight {
                TIGHT_PLOT_MIN_HEIGHT.min(room.y * 0.8)
            } else {
                charts::ChartRoom::min_height_in(room.y)
            };
            egui::ScrollArea::vertical()
                .id_salt("central-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let chart_room = charts::ChartRoom {
                        compact,
                        tight,
                        top: ui.cursor().top(),
                        visible_height: room.y,
                        min_height,
                    };
                    self.central_body(ui, compact, tight, Some(chart_room));
                    super::super::focus::keep_focused_in_view(ui);
                    // Once for each tab, area size and content height (results loaded, a
                    // row added), so that the user's own scrolling stays: the plot ends the
                    // content.
                    let content = ui.min_rect();
                    let seen = ui.scope_id().with("central-scrolled-to-plot");
                    let key = (
                        self.tab,
                        room.x.round() as i32,
                        room.y.round() as i32,
                        content.height().round() as i32,
                    );
                    let ctx = ui.ctx().clone();
                    if tight && ctx.data(|d| d.get_temp(seen)) != Some(key) {
                        let plot = egui::Rect::from_min_max(
                            egui::pos2(content.left(), content.bottom() - min_height),
                            content.right_bottom(),
                        );
                        ui.scroll_to_rect(plot, Some(egui::Align::BOTTOM));
                        ctx.data_mut(|d| d.insert_temp(seen, key));
                    }
                });
        } else if compact && self.tab == Tab::Table {
            // Short of room, the verdict and the table scroll as one page (the verdict in
            // full, the table's own scroll area sideways only), rather than each getting a
            // sliver that cuts its text. A solid bar, in view at rest: the text cut at the
            // bottom is seen to go on.
            ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
            egui::ScrollArea::vertical()
                .id_salt("central-scroll")
                .auto_shrink([false, false])
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
                .show(ui, |ui| {
                    self.central_body(ui, compact, tight, None);
                    super::super::focus::keep_focused_in_view(ui);
                });
        } else {
            self.central_body(ui, compact, tight, None);
        }
    }

    fn central_body(
        &mut self,
        ui: &mut egui::Ui,
        compact: bool,
        tight: bool,
        room: Option<charts::ChartRoom>,
    ) {
        if tight {
            // One row: the tab in a menu, then the export and compare controls (a chart's
            // View menu holds **show fits**, which only the charts draw).
            ui.horizontal_wrapped(|ui| {
                self.tab_menu(ui);
                self.analysis_controls(ui, true, false);
            });
        } else {
            self.tab_row(ui, compact);
        }
        self.results_header(ui, compact, tight);
        if !tight {
            ui.separator();
        }
        let planned = self
            .results
            .as_ref()
            .map_or(&self.experiment.workers, |r| &r.experiment.workers)
            .clone();
        self.fits.get(self.results.as_ref());
        if !tight {
            self.analysis_bar(ui, compact);
        }
        // The shown results' label is the first only when there are results; without them
        // nothing of theirs is drawn and the compared runs' labels come first.
        let mut labels = self.run_labels();
        if self.results.is_none() {
            labels.insert(0, String::new());
        }
        super::super::compare_note::show(ui, self.results.as_ref(), &self.compare, &labels);
        if !self.compare.is_empty() && matches!(self.tab, Tab::Table | Tab::Fits | Tab::Timeline) {
            ui.weak(format!(
                "This tab shows {} only; the compared runs are on the charts.",
                labels.first().map_or("the shown results", String::as_str)
            ));
        }
        match self.tab {
            Tab::Table => {
                let layout = if compact {
                    results_table::Layout::InPage
                } else {
                    results_table::Layout::Fill
                };
                super::super::verdict_panel::show(ui, self.results.as_ref(), layout);
                let measuring = self.measuring_cells();
                results_table::show(
                    ui,
                    self.results.as_ref(),
                    layout,
                    &measuring,
                    &mut self.table_notes,
                );
            }
            Tab::Fits => fits_panel::show(ui, self.results.as_ref(), self.fits.fits()),
            Tab::Timeline => super::super::timeline::show(
                ui,
                self.results.as_ref(),
                self.results_path.as_deref(),
                &self.files.open_files,
            ),
            tab => {
                let measuring = self.measuring_cells();
                let mut layers = Layers {
                    labels: &labels,
                    compare: &self.compare,
                    baseline: self
                        .results
                        .as_ref()
                        .map_or(self.experiment.baseline, |r| r.experiment.baseline),
                    fits: self.fits.fits(),
                    show_fits: &mut self.show_fits,
                    measuring: &measuring,
                };
                charts::show(
                    ui,
                    tab.chart().unwrap_or(ChartKind::Speedup),
                    self.results.as_ref(),
                    &planned,
                    // The shown results' own machine's cores are theirs: this machine's stand in
                    // where they record none (a sweep just started here), or before any results.
                    Some(&self.machine),
                    &mut layers,
                    room.unwrap_or_else(|| charts::ChartRoom::fill(ui)),
                );
            }
        }
    }

    /// The tabs in a row, wrapped: zoomed in for a projector (Ctrl+plus), they go on a
    /// second line rather than off the window's edge (with short names when room is short).
    fn tab_row(&mut self, ui: &mut egui::Ui, compact: bool) {
        let choices = self.tab_choices(ui.ctx());
        ui.horizontal_wrapped(|ui| {
            for choice in &choices {
                let title = if compact {
                    choice.tab.short_title()
                } else {
                    choice.tab.title()
                };
                choice
                    .button(ui, &mut self.tab, title)
                    .accessible_name(choice.tab.title());
            }
        });
    }

    /// The tabs in one menu, for a tight central area: the tab shown is its text, and a
    /// chart these results cannot draw is greyed, saying why.
    fn tab_menu(&mut self, ui: &mut egui::Ui) {
        let choices = self.tab_choices(ui.ctx());
        let mut picked = self.tab;
        egui::ComboBox::from_id_salt("tab-menu")
            .selected_text(self.tab.short_title())
            .show_ui(ui, |ui| {
                for choice in &choices {
                    choice.button(ui, &mut picked, choice.tab.title());
                }
            })
            .response
            .accessible_name(TAB_MENU_NAME)
            // Built only while hovered: it holds the results' state words.
            .on_hover_ui(|ui| {
                ui.label(self.tab_menu_hover());
            });
        self.tab = picked;
    }

    /// Every tab as the row and the menu offer it, for the shown results and the compared
    /// runs: a chart they cannot draw (lost updates without a counter) is greyed.
    fn tab_choices(&self, ctx: &egui::Context) -> Vec<TabChoice> {
        let shown = self
            .results
            .iter()
            .chain(self.compare.iter().map(|c| &c.results));
        TabChoice::all(ctx, shown)
    }

    /// The tab menu's hover: the tab, and the shown results' name, state and file (the row
    /// that says them elsewhere is left out where the area is tight).
    fn tab_menu_hover(&self) -> String {
        let mut text = format!("{}: pick a chart or view.", self.tab.title());
        if let Some(results) = &self.results {
            let (state, why) = self.results_state_words(results);
            text.push_str(&format!(
                "\n\nShown: {} · {state}",
                crate::export::sanitize::for_terminal_line(&results.experiment.name),
            ));
            if let Some(why) = why {
                text.push_str(&format!("\n{why}"));
            }
            if let Some(path) = &self.results_path {
                text.push_str(&format!("\n{}", path.display()));
            }
        }
        text
    }

    /// The start hint, an interrupted run's note, and the shown results' header: their name,
    /// state and warnings, and on the chart tabs the verdict's one line.
    /// `tight` (a short window: 800 × 600 at 2×, 512 × 320): the name is cut to under half
    /// the row, so that the row's warnings and its button stay on the same line.
    fn results_header(&mut self, ui: &mut egui::Ui, compact: bool, tight: bool) {
        let ctx = ui.ctx().clone();
        if self.start_hint_shown() {
            self.start_hint(ui, tight);
        }
        if self.results.is_none() && self.run.is_none() && self.interrupted.is_some() {
            self.interrupted_note(ui);
        }
        if let Some(results) = &self.results {
            let mut use_config = false;
            let mut to_lost_updates = false;
            // Decided once for both layouts: the full row's items and the tight row's.
            let warnings = HeaderWarnings::of(results, self.tab);
            let mut header_items = |ui: &mut egui::Ui| {
                // Tight, the name, state and path are in the tab menu's hover.
                if !tight {
                    let name = ui.label(egui::RichText::new(&results.experiment.name).strong());
                    let (counted, why) = self.results_state_words(results);
                    if compact {
                        // Short of room, the state and the file's path are in the name's hover.
                        let path = self
                            .results_path
                            .as_ref()
                            .map(|p| format!("\n{}", p.display()))
                            .unwrap_or_default();
                        let why = why.map(|w| format!("\n{w}")).unwrap_or_default();
                        name.on_hover_text(format!("· {counted}{why}{path}"));
                    } else if let Some(why) = why {
                        ui.weak(format!("· {counted}")).on_hover_text(why);
                    } else {
                        ui.weak(format!("· {counted}"));
                    }
                }
                // Tight, each warning is a word or two, said in full in its hover.
                if let Some(partial) = &warnings.partial {
                    let color = ui.visuals().warn_fg_color;
                    match tight {
                        true => ui.colored_label(color, "· partial").on_hover_text(partial),
                        false => ui.colored_label(color, format!("· {partial}")),
                    };
                }
                // A process the sweep could not stop: a word or two, the lines in its hover.
                if let Some(lines) = &warnings.sweep {
                    let words = match tight {
                        true => "· process not stopped",
                        false => "· a process outlived its stop",
                    };
                    ui.colored_label(ui.visuals().warn_fg_color, words)
                        .on_hover_text(lines);
                }
                match &warnings.load {
                    Some(LoadWarning::Busy { busyness, warning }) => {
                        // Worded as the verdict words it: a few busy runs are not a busy machine.
                        let noisy = match (*busyness, compact) {
                            (crate::results::Busyness::MostlyQuiet, true) => "· a few runs busy",
                            (crate::results::Busyness::MostlyQuiet, false) => {
                                "· mostly quiet: a few runs were busy"
                            }
                            (_, true) => "· noisy",
                            (_, false) => "· noisy: the machine was busy",
                        };
                        ui.colored_label(ui.visuals().warn_fg_color, noisy)
                            .on_hover_text(warning);
                    }
                    Some(LoadWarning::Unknown(note)) => {
                        // Not seen busy, but not known quiet either.
                        let words = match tight {
                            true => "· busy or not?",
                            false => "· busy or not: runs too short to tell",
                        };
                        ui.weak(words).on_hover_text(note);
                    }
                    None => {}
                }
                if let Some(p) = self.results_path.as_ref().filter(|_| !compact) {
                    ui.weak("·").on_hover_text(p.display().to_string());
                    ui.weak(p.display().to_string());
                }
                // The size a calibration chose is not the user's edit: said, not offered back.
                if let Some(note) = &warnings.calibration {
                    match tight {
                        true => ui.weak("· calibrated").on_hover_text(note),
                        false => ui.weak(format!("· {note}")),
                    };
                }
                // A counter that lost updates is the lesson, whatever the chart shown: a link
                // to the chart that shows it (a teacher's class saw only a speedup curve).
                if warnings.lost_updates_link {
                    let shortcut = ctx.format_shortcut(&command::tab_shortcut(Tab::LostUpdates));
                    ui.weak("·");
                    to_lost_updates = ui
                        .link(if tight { "lost updates" } else { LOST_UPDATES_LINK })
                        .on_hover_text(format!(
                            "Runs of this counter lost increments: the Lost updates chart shows how many, per worker count ({shortcut})"
                        ))
                        .clicked();
                }
                // Tight, the button is in the configuration panel, beside the note that says
                // its settings are not these results'.
                if !tight && self.use_config_offered() && use_config_button(ui) {
                    use_config = true;
                }
            };
            // The verdict where the user looks: its one line on the chart tabs, once the
            // sweep is over (its cells still change while it runs).
            let verdict_here = self.tab.chart().is_some() && self.run.is_none();
            let mut to_table = false;
            // Tight, a row with neither a warning nor the verdict is left out.
            let warned = warnings.any();
            if tight {
                // One row: the warnings (the name is in the tab menu's hover), then the
                // verdict cut to what is left; none where it would be empty.
                if warned || verdict_here {
                    ui.horizontal_wrapped(|ui| {
                        header_items(ui);
                        // On the warnings' row where it keeps half of it, else below them.
                        let left = ui.available_size_before_wrap().x;
                        if verdict_here && left < 0.5 * ui.max_rect().width() {
                            ui.end_row();
                        }
                        if verdict_here {
                            to_table =
                                super::super::verdict_panel::show_headline(ui, Some(results), true);
                        }
                    });
                }
            } else {
                ui.horizontal_wrapped(header_items);
                if verdict_here {
                    to_table =
                        super::super::verdict_panel::show_headline(ui, Some(results), compact);
                }
            }
            if to_table {
                self.tab = Tab::Table;
            }
            if to_lost_updates {
                self.tab = Tab::LostUpdates;
            }
            if use_config {
                self.use_results_configuration();
            }
        }
    }

    /// "complete · 13 cells", "running · 7 cells": the shown results' state, and where an
    /// incomplete file's writer cannot be judged, why ([`autosave::shown_state_words`]).
    fn results_state_words(&self, results: &ResultsFile) -> (String, Option<String>) {
        match &self.run {
            Some(_) => (
                format!(
                    "running · {}",
                    crate::words::count(results.cells.len(), "cell")
                ),
                None,
            ),
            None => self.shown_state.words(
                results,
                self.results_path.as_deref(),
                std::time::Instant::now(),
            ),
        }
    }

    /// Whether **Use this configuration** is offered: results shown that another experiment
    /// measured, and no sweep running.
    fn use_config_offered(&self) -> bool {
        self.run.is_none()
            && self
                .results
                .as_ref()
                .is_some_and(|r| !r.measured(&self.experiment))
    }

    /// Copies the shown results' experiment into the editor (asking first where that would
    /// replace edits).
    fn use_results_configuration(&mut self) {
        let Some(results) = &self.results else {
            return;
        };
        let exp = results.experiment.clone();
        match self.results_path.clone() {
            Some(path) => self.offer_replacement(PendingReplace {
                origin: Origin {
                    source: Source::Results(path.clone()),
                    experiment: exp.clone(),
                },
                experiment: exp,
                from_file: Some(path.clone()),
                message: format!("Using the configuration of {}", path.display()),
            }),
            None => self.set_experiment_from_file(exp, None),
        }
    }

    /// The shown cells of the running sweep that have not completed: their figures rest on
    /// the runs so far (none without a sweep running).
    pub(super) fn measuring_cells(&self) -> Vec<(crate::preset::ModelKind, usize)> {
        let (Some(run), Some(results)) = (&self.run, &self.results) else {
            return Vec::new();
        };
        results
            .cells
            .iter()
            .filter_map(|c| Some((c.model?, c.workers)))
            .filter(|&(model, workers)| !run.completed(model, workers))
            .collect()
    }

    /// The sweep the last session was running when its window closed: where its cells are,
    /// and a button that opens them.
    pub(super) fn interrupted_note(&mut self, ui: &mut egui::Ui) {
        let Some(interrupted) = self.interrupted.clone() else {
            return;
        };
        let entry = interrupted.entry().clone();
        let visuals = ui.visuals().clone();
        let mut open = false;
        let mut dismiss = false;
        egui::Frame::new()
            .fill(visuals.faint_bg_color)
            .stroke(egui::Stroke::new(1.0, visuals.warn_fg_color))
            .corner_radius(4.0)
            .inner_margin(egui::Margin::symmetric(8, 4))
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new("Interrupted run:").strong());
                    ui.label(interrupted.words()).on_hover_text(&entry.hover);
                    open = ui
                        .button("Open it")
                        .on_hover_text(entry.path.display().to_string())
                        .clicked();
                    dismiss = ui
                        .small_button("Dismiss")
                        .on_hover_text(
                            "Hide this note; the file stays under File › Recent results.",
                        )
                        .clicked();
                });
            });
        if open {
            self.files
                .run(ui.ctx(), FileAction::OpenResults, entry.path, None);
        }
        if open || dismiss {
            self.interrupted = None;
        }
    }

    /// The first-start hint: what to look at in the "start here" tour, until dismissed.
    /// `tight` (a short window: 800 × 600 at 2×, 512 × 320): one line, cut to the width, the
    /// whole of it on hover.
    pub(super) fn start_hint(&mut self, ui: &mut egui::Ui, tight: bool) {
        let visuals = ui.visuals().clone();
        egui::Frame::new()
            .fill(visuals.faint_bg_color)
            .stroke(egui::Stroke::new(1.0, visuals.selection.bg_fill))
            .corner_radius(4.0)
            .inner_margin(egui::Margin::symmetric(8, 4))
            .show(ui, |ui| {
                let dismiss = |ui: &mut egui::Ui| {
                    ui.small_button("Dismiss")
                        .on_hover_text("Hide this hint for good.")
                        .clicked()
                };
                let mut dismissed = false;
                if tight {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new("Start here:").strong());
                        // The button's room is kept on the right; the hint cut before it.
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            dismissed = dismiss(ui);
                            ui.add(egui::Label::new(START_HINT).truncate());
                        });
                    });
                } else {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(egui::RichText::new("Start here:").strong());
                        ui.label(START_HINT);
                        dismissed = dismiss(ui);
                    });
                }
                if dismissed {
                    self.dismiss_start_hint();
                }
                // The promise checked against the results, by the verdict's own rule.
                if let Some(text) = self
                    .results
                    .as_ref()
                    .and_then(crate::analysis::gil_lesson::lesson_not_shown)
                {
                    ui.colored_label(visuals.warn_fg_color, text);
                }
            });
    }

    /// Fits, export and comparison controls above the charts. `compact` (short of room):
    /// the export buttons go into one **Export** menu, so that the bar takes one row.
    pub(super) fn analysis_bar(&mut self, ui: &mut egui::Ui, compact: bool) {
        ui.horizontal_wrapped(|ui| self.analysis_controls(ui, compact, true));
    }

    /// The analysis bar's controls, in `ui`'s row: **show fits** (where `fits_box`), the
    /// export buttons (one **Export** menu where `compact`) and the compare controls.
    fn analysis_controls(&mut self, ui: &mut egui::Ui, compact: bool, fits_box: bool) {
        let has_results = self.results.as_ref().is_some_and(|r| !r.cells.is_empty());
        if fits_box {
            ui.checkbox(&mut self.show_fits, "show fits")
                .on_hover_text(fits_panel::help::FITS);
            ui.separator();
        }
        if compact {
            let menu = ui
                .add_enabled_ui(has_results, |ui| {
                    ui.menu_button("Export", |ui| self.export_buttons(ui, has_results))
                        .response
                })
                .inner;
            menu.on_hover_text(
                "Export the chart (or through the dialog), a report, the results, the table.",
            )
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        } else {
            self.export_buttons(ui, has_results);
        }
        ui.add_space(8.0);
        self.compare_controls(ui, compact);
    }

    /// The export, save and copy buttons: in the analysis bar's row, or in its **Export**
    /// menu.
    fn export_buttons(&mut self, ui: &mut egui::Ui, has_results: bool) {
        let ctx = ui.ctx().clone();
        let chart = self.tab.chart().unwrap_or(ChartKind::Speedup);
        let export_chart = ui
            .add_enabled(has_results, egui::Button::new("Export chart…"))
            .on_hover_text(format!(
                "Save the {} chart as SVG and PNG (both, side by side) at the default size; \
                 the export dialog chooses size, scale, theme and more.",
                chart.export_kind()
            ))
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&export_chart) {
            self.commands.push(Command::ExportChart);
        }
        let export_dialog = ui
            .add_enabled(has_results, egui::Button::new("Export dialog…"))
            .on_hover_text(command::with_shortcut(
                &ctx,
                "Choose size, scale, font, theme, models and axes, with a live preview.",
                &command::EXPORT,
            ))
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&export_dialog) {
            self.commands.push(Command::OpenExportDialog);
        }
        let report = ui
            .add_enabled(has_results, egui::Button::new("Export report…"))
            .on_hover_text("Save a Markdown report: machine, experiment, summary table and fits.")
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&report) {
            let payload = self.payload_for(FileAction::ExportReport);
            let proposed = self.proposed_path(FileAction::ExportReport);
            self.files
                .start(&ctx, FileAction::ExportReport, payload, proposed);
        }
        let save_as = ui
            .add_enabled(has_results, egui::Button::new("Save results as…"))
            .on_hover_text(
                "Save the shown results as a results file (JSON) under a name you choose; open it again with Open results.",
            )
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&save_as) {
            self.commands.push(Command::SaveResultsAs);
        }
        let csv = ui
            .add_enabled(has_results, egui::Button::new("Export CSV…"))
            .on_hover_text("Save the summary table as CSV: one row per cell.")
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        if self.opener(&csv) {
            self.commands.push(Command::ExportCsv);
        }
        // Not inside `add_enabled_ui`: a child UI in a wrapping row gets only the width
        // left on the line, and the button's text then wrapped a letter per line.
        if has_results {
            ui.menu_button("Copy table", |ui| {
                if ui
                    .button("as Markdown")
                    .on_hover_text("A Markdown table, for issues, notes and READMEs.")
                    .clicked()
                {
                    self.commands
                        .push(Command::CopyTable(TableFormat::Markdown));
                    ui.close();
                }
                if ui
                    .button("as tab-separated")
                    .on_hover_text("Tab-separated values: paste into a spreadsheet.")
                    .clicked()
                {
                    self.commands
                        .push(Command::CopyTable(TableFormat::TabSeparated));
                    ui.close();
                }
            })
            .response
            .on_hover_text("Put the summary table on the clipboard.");
        } else {
            ui.add_enabled(false, egui::Button::new("Copy table"))
                .on_disabled_hover_text(NOTHING_TO_EXPORT);
            // Why the buttons are greyed, readable without hovering them.
            ui.weak("(these need results: press Run or open a file)");
        }
    }

    /// **Add results to compare…** (**Compare…** where room is short), and what is compared.
    fn compare_controls(&mut self, ui: &mut egui::Ui, compact: bool) {
        let ctx = ui.ctx().clone();
        let title = if compact {
            "Compare…"
        } else {
            "Add results to compare…"
        };
        let compare = ui
            .button(title)
            .accessible_name("Add results to compare…")
            .on_hover_text(
                "Overlay another results file's curves (own line pattern, hollow markers), labelled model @ run, each run named by what differs: experiment, machine, date or file.",
            );
        if self.opener(&compare) {
            let start_in = self.proposed_path(FileAction::OpenCompare);
            self.files
                .start(&ctx, FileAction::OpenCompare, None, start_in);
        }
        if !self.compare.is_empty() {
            let labels = self.run_labels();
            let names = &labels[labels.len() - self.compare.len()..];
            let shown = if self.results.is_some() {
                format!("{} with ", labels[0])
            } else {
                String::new()
            };
            ui.weak(format!("comparing {shown}{}", names.join(", ")));
            if ui
                .small_button("Clear comparison")
                .on_hover_text("Remove the overlaid results from the charts.")
                .clicked()
            {
                self.clear_compare();
            }
        }
    }
}

/// The link in the results' header to the Lost updates tab, shown while another tab is.
const LOST_UPDATES_LINK: &str = "updates were lost: see the Lost updates tab";

/// **Use this configuration**: whether it was clicked.
fn use_config_button(ui: &mut egui::Ui) -> bool {
    ui.small_button("Use this configuration")
        .on_hover_text("Copy these results' experiment into the editor.")
        .clicked()
}

/// The py-* models `experiment` has ticked.
fn python_models(experiment: &Experiment) -> Vec<crate::preset::ModelKind> {
    experiment
        .models
        .iter()
        .copied()
        .filter(|m| m.is_python())
        .collect()
}

/// Whether an error message is Run's refusal of the configuration as it stood (from
/// `ActiveRun::start` and `start_run`); the worker counts' own refusal has its rule above.
fn is_run_refusal(text: &str) -> bool {
    !text.starts_with(WORKERS_ERROR_PREFIX)
        && [
            "Not started: ",
            "The experiment is not valid: ",
            "Cannot run: ",
        ]
        .iter()
        .any(|p| text.starts_with(p))
}

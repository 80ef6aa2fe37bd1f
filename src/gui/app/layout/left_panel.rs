//! The configuration panel: the built-in presets, the experiment's header and its settings.

use super::*;

/// Height of the built-in preset gallery in the left panel (it scrolls beyond that).
const GALLERY_HEIGHT: f32 = 230.0;

impl WorkbenchApp {
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
                        crate::gui::focus::keep_focused_in_view(ui);
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
        crate::gui::focus::keep_focused_in_view(ui);
    }
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

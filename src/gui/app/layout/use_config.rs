//! **Use this configuration**: offered where the results shown were measured with other
//! settings; it copies theirs into the editor.

use super::*;

impl WorkbenchApp {
    /// Whether **Use this configuration** is offered: results shown that another experiment
    /// measured, and no sweep running.
    pub(super) fn use_config_offered(&self) -> bool {
        self.run.is_none()
            && self
                .results
                .as_ref()
                .is_some_and(|r| !r.measured(&self.experiment))
    }

    /// Copies the shown results' experiment into the editor (asking first where that would
    /// replace edits).
    pub(super) fn use_results_configuration(&mut self) {
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
}

/// **Use this configuration**: whether it was clicked.
pub(super) fn use_config_button(ui: &mut egui::Ui) -> bool {
    ui.small_button("Use this configuration")
        .on_hover_text("Copy these results' experiment into the editor.")
        .clicked()
}

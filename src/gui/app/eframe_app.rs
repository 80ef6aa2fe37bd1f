//! The workbench as an eframe app: drawing each frame, stopping a sweep when the window
//! closes, and what is saved between sessions.

use super::*;

impl eframe::App for WorkbenchApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // Closing the window mid-sweep: stop it and let the engine write the results so far
        // (marked cancelled) before the process ends. The engine kills its children within
        // milliseconds, so this waits briefly at most.
        if let Some(run) = &mut self.run {
            run.cancel_and_wait(Duration::from_secs(3));
        }
        // What it saved, or could not save, arrives now: runs that could not be autosaved go
        // to the temporary directory, said on stderr (the window is gone).
        self.poll();
        self.rescue_at_exit();
    }

    fn persist_egui_memory(&self) -> bool {
        // A screenshot must not depend on (or change) what an earlier session left behind.
        self.screenshot.is_none()
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if let Some(shot) = &mut self.screenshot {
            shot.hide_pointer(raw_input);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if !self.settings.restore_state {
            return;
        }
        let persisted = Persisted {
            experiment: self.experiment.clone(),
            tab: self.tab,
            confirmed_interpreters: self.confirmed_interpreters.clone(),
            // The current one, when unconfirmed (the undo history is not kept either).
            unconfirmed_interpreter: (!self.interpreter_trusted())
                .then(|| self.experiment.python.interpreter.trim().to_string()),
            // An origin whose path is not UTF-8 cannot be written as JSON, and would lose the
            // whole state (the experiment too): it alone is left out.
            origin: self.origin.clone().filter(|o| o.source.is_storable()),
            start_hint_dismissed: self.start_hint_dismissed,
            config_panel_hidden: self.config_panel_hidden,
            description_collapsed: self.editor.description_collapsed,
            theme: self.theme,
            // Cleared when the sweep ends; left set when the window closes mid-sweep (the
            // engine then saves the cells so far, marked cancelled). A path that is not
            // UTF-8 cannot be written as JSON and would lose the whole state: left out.
            // Not where that file could not be written: the runs go to a rescued file then,
            // and a stale partial write there is not the interrupted run.
            running_results: self
                .run
                .as_ref()
                .and_then(|r| r.results_path.clone())
                .filter(|_| self.save_error.is_none())
                .filter(|p| p.to_str().is_some()),
            offered_abandoned: self
                .offered_abandoned
                .iter()
                .filter(|p| p.to_str().is_some())
                .cloned()
                .collect(),
        };
        if let Ok(text) = serde_json::to_string(&persisted) {
            storage.set_string(STORAGE_KEY, text);
        }
    }
}

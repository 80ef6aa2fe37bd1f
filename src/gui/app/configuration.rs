//! The configuration being edited: replaced by the user's choice, a preset or a file (asking
//! first where that would lose edits), where it came from, and undo/redo.

use super::*;

impl WorkbenchApp {
    /// Replaces the experiment being edited, as the user's own choice (a built-in preset, the
    /// gallery, code embedding the workbench): its interpreter may run.
    pub fn set_experiment(&mut self, experiment: Experiment) {
        self.history.record_replace(&self.experiment, &experiment);
        self.origin = None;
        // This configuration's interpreter is the caller's choice; others a file named stay
        // unconfirmed (Undo can bring them back).
        self.unconfirmed_interpreters
            .remove(experiment.python.interpreter.trim());
        self.experiment = experiment;
        self.editor.sync(&self.experiment);
    }

    /// Replaces the experiment being edited with one read from the file `source` (a preset or
    /// a results file). Its interpreter is a program the file names: a relative path is taken
    /// relative to the file's directory, and unless it is corelab's default or was confirmed
    /// before, it is not run until the user confirms it ([`Self::confirm_interpreter`]).
    pub fn set_experiment_from_file(&mut self, mut experiment: Experiment, source: Option<&Path>) {
        if let Some(dir) =
            source.and_then(|p| std::path::absolute(p).ok()?.parent().map(Path::to_path_buf))
        {
            experiment.python.interpreter =
                interpreter::anchor(&experiment.python.interpreter, &dir);
            experiment.task.function.anchor(&dir); // the module path, too (nothing imports it)
            experiment.task.command.anchor(&dir); // and a relative program path
            experiment.mpi.anchor(&dir); // and a relative MPI hostfile
        }
        let interp = experiment.python.interpreter.trim().to_string();
        let trusted = interp == crate::preset::PythonOptions::default().interpreter
            || self.confirmed_interpreters.contains(&interp);
        self.history.record_replace(&self.experiment, &experiment);
        self.experiment = experiment;
        if !trusted {
            self.unconfirmed_interpreters.insert(interp);
        }
        self.editor.sync(&self.experiment);
    }

    /// Where the configuration came from, if from a preset or results file.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// Whether the configuration differs from the preset it came from.
    pub fn is_modified(&self) -> bool {
        self.origin
            .as_ref()
            .is_some_and(|o| o.experiment != self.experiment)
    }

    /// Whether a preset waits to replace unsaved edits (the question is shown).
    pub fn replace_pending(&self) -> bool {
        self.pending_replace.is_some()
    }

    /// Loads a built-in preset by id, as a click in the gallery does (asking first when it
    /// would replace unsaved edits). Returns whether such a preset exists.
    pub fn load_builtin(&mut self, id: &str) -> bool {
        let Some(exp) = find_builtin(id).and_then(|b| b.experiment().ok()) else {
            return false;
        };
        self.tab_pinned = false;
        self.offer_replacement(PendingReplace {
            origin: Origin {
                source: Source::Builtin(id.to_string()),
                experiment: exp.clone(),
            },
            experiment: exp,
            from_file: None,
            message: format!("Loaded built-in preset {id}"),
        });
        true
    }

    /// Replaces the configuration with `pending`, or asks first when that would lose edits.
    pub(super) fn offer_replacement(&mut self, pending: PendingReplace) {
        if self.is_modified() && pending.experiment != self.experiment {
            self.pending_replace = Some(pending);
        } else {
            self.apply_replacement(pending);
        }
    }

    fn apply_replacement(&mut self, pending: PendingReplace) {
        match &pending.from_file {
            Some(path) => self.set_experiment_from_file(pending.experiment, Some(path)),
            None => self.set_experiment(pending.experiment),
        }
        // The origin as loaded (after the interpreter was anchored to the file's directory).
        let mut origin = pending.origin;
        origin.experiment = self.experiment.clone();
        self.origin = Some(origin);
        self.open_view_of(&self.experiment.clone());
        self.info(pending.message);
    }

    /// Shows the tab of `experiment`'s view (the lost-updates lessons open on their chart),
    /// unless `--tab` named one. Called when a preset is loaded and when results arrive.
    pub(super) fn open_view_of(&mut self, experiment: &Experiment) {
        if let Some(view) = experiment.view
            && !self.tab_pinned
        {
            self.tab = Tab::of_view(view);
        }
    }

    /// Answers the "replace your edits?" question.
    pub fn answer_replace(&mut self, replace: bool) {
        if let Some(pending) = self.pending_replace.take()
            && replace
        {
            self.apply_replacement(pending);
        }
    }

    /// Goes back to the configuration as its preset had it (an undoable step).
    pub fn reset_to_preset(&mut self) {
        if let Some(origin) = &self.origin {
            let exp = origin.experiment.clone();
            self.history.record_replace(&self.experiment, &exp);
            self.experiment = exp;
            self.editor.sync(&self.experiment);
        }
    }

    /// Undoes the last configuration edit (nothing while a sweep runs).
    pub fn undo(&mut self) {
        if self.run.is_none()
            && let Some(exp) = self.history.undo(&self.experiment)
        {
            self.experiment = exp;
            self.editor.sync(&self.experiment);
        }
    }

    /// Redoes the last undone configuration edit.
    pub fn redo(&mut self) {
        if self.run.is_none()
            && let Some(exp) = self.history.redo(&self.experiment)
        {
            self.experiment = exp;
            self.editor.sync(&self.experiment);
        }
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        self.history.can_undo(&self.experiment)
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        self.history.can_redo(&self.experiment)
    }
}

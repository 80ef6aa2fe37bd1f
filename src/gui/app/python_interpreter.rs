//! The Python interpreter the experiment names: confirming one an opened file named,
//! checking it, and which Python models it cannot run.

use super::*;

/// Which Python models cannot run and why ([`WorkbenchApp::python_refusal`]).
pub(super) struct PythonRefusal {
    /// The models, by name: "py-threading, py-multiprocessing".
    pub models: String,
    /// Why, in a sentence.
    pub reason: String,
    /// Whether it is only that the interpreter waits for the user to allow it (an opened
    /// file named it): nothing is wrong with the machine.
    pub awaits_confirmation: bool,
}

impl WorkbenchApp {
    /// Allows the current experiment's interpreter to run, and remembers it; it is checked at
    /// once (the button says so), as the user now allows it to run.
    pub fn confirm_interpreter(&mut self) {
        let interp = self.experiment.python.interpreter.trim().to_string();
        self.unconfirmed_interpreters.remove(&interp);
        self.confirmed_interpreters.insert(interp);
        self.check_interpreter_for_models();
    }

    /// Checks the experiment's interpreter (again, if it was checked before): what the
    /// **Check interpreter** button does. Runs it once, on a helper thread, if it may run.
    pub fn check_interpreter(&mut self) {
        self.python
            .request(&self.experiment.python.interpreter, true);
    }

    /// Checks the experiment's interpreter if it was not checked yet: when the user ticked a
    /// py-* model (or chose the Python function task), which needs it.
    pub(super) fn check_interpreter_for_models(&mut self) {
        self.python
            .request(&self.experiment.python.interpreter, false);
    }

    /// Whether the experiment's interpreter may run: anything but one an opened file named
    /// and the user has not confirmed (what the user types is the user's choice).
    pub fn interpreter_trusted(&self) -> bool {
        !self
            .unconfirmed_interpreters
            .contains(self.experiment.python.interpreter.trim())
    }

    /// How many times an interpreter was run to check it.
    pub fn python_probes_started(&self) -> usize {
        self.python.probes_started()
    }

    /// The interpreter check's answer for the current interpreter (`None` while it is not
    /// checked yet or being checked).
    pub fn python_probe(&self) -> Option<&Result<PythonInfo, String>> {
        self.python.answer(&self.experiment.python)
    }

    /// Whether a check of the current interpreter was asked for and has not answered yet.
    pub fn python_checking(&self) -> bool {
        self.python.checking(&self.experiment.python)
    }

    /// Whether the experiment has Python models whose interpreter is being checked.
    pub(super) fn python_check_pending(&self) -> bool {
        self.experiment.models.iter().any(|m| m.is_python())
            && self.python.checking(&self.experiment.python)
    }

    /// Which of the experiment's Python models cannot run, once their interpreter's check has
    /// answered (an interpreter not checked yet is checked when Run is pressed), by name
    /// ("py-threading, py-multiprocessing"), and why: the interpreter is unusable or awaits
    /// confirmation (all of them), or it cannot run some of them (no dask, say).
    pub(super) fn python_refusal(&self) -> Option<PythonRefusal> {
        let py = &self.experiment.python;
        let python: Vec<ModelKind> = self
            .experiment
            .models
            .iter()
            .copied()
            .filter(|m| m.is_python())
            .collect();
        let names =
            |models: &[ModelKind]| models.iter().map(|m| m.id()).collect::<Vec<_>>().join(", ");
        if python.is_empty() {
            return None;
        }
        match self.python.answer(py)? {
            Err(e) if self.python.awaiting_confirmation(py).is_some() => Some(PythonRefusal {
                models: names(&python),
                reason: e.clone(),
                awaits_confirmation: true,
            }),
            Err(e) => {
                let need = if python.len() > 1 { "need" } else { "needs" };
                let names = names(&python);
                Some(PythonRefusal {
                    reason: format!("{names} {need} a working Python interpreter: {e}"),
                    models: names,
                    awaits_confirmation: false,
                })
            }
            Ok(info) => {
                // Each model asked once (this runs every frame, through run_blocker).
                let (refused, reasons): (Vec<ModelKind>, Vec<String>) = python
                    .iter()
                    .filter_map(|&m| info.refuses(m).map(|why| (m, why)))
                    .unzip();
                let reason = reasons.into_iter().next()?;
                Some(PythonRefusal {
                    models: names(&refused),
                    reason,
                    awaits_confirmation: false,
                })
            }
        }
    }
}

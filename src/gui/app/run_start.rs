//! Starting a sweep: why Run is greyed, the checks a press of Run makes, the autosave file
//! made before any run, and cancelling.

use super::*;

/// How "Cannot run" about the worker counts starts (see [`workers_error_message`]).
pub(super) const WORKERS_ERROR_PREFIX: &str = "Cannot run: the worker counts: ";

/// The notification for a worker-count field that does not parse.
pub(super) fn workers_error_message(err: &str) -> String {
    format!("{WORKERS_ERROR_PREFIX}{err}")
}

impl WorkbenchApp {
    /// Why the configuration cannot run as it stands, from what the fields hold: worker counts
    /// that do not parse (the field shows why), an experiment that does not validate, or Python
    /// models whose interpreter was checked and cannot run them. Run is greyed and no estimate
    /// shown while there is one.
    pub fn run_blocker(&self, ctx: &egui::Context) -> Option<run_control::Blocked> {
        if let Some(err) = &self.editor.workers_error {
            return Some(run_control::Blocked {
                short: "Fix the worker counts to run".to_string(),
                reason: format!("the worker counts: {err}"),
            });
        }
        if let Some(blocked) = self.module_blocker(ctx) {
            return Some(blocked);
        }
        if let Err(e) = self.experiment.validate() {
            return Some(run_control::Blocked {
                short: format!("Cannot run: {e}"),
                reason: e.to_string(),
            });
        }
        self.python_refusal().map(|refusal| {
            let models = &refusal.models;
            let reason = &refusal.reason;
            if refusal.awaits_confirmation {
                let (wait, its) = if models.contains(", ") {
                    ("wait", "their")
                } else {
                    ("waits", "its")
                };
                run_control::Blocked {
                    short: format!("{models} {wait} for you to allow {its} interpreter"),
                    reason: format!(
                        "{reason} (the {ALLOW_BUTTON} button), or untick {models} to run the \
                         other models."
                    ),
                }
            } else {
                run_control::Blocked {
                    short: format!("{models} cannot run here"),
                    reason: format!(
                        "{reason}. Untick {models} to run the other models, or fix the \
                         interpreter in the Python section and press {CHECK_BUTTON}."
                    ),
                }
            }
        })
    }

    /// For a function task: what the Python file and Function fields say is wrong (the file
    /// missing or not a regular file, then a name the module cannot hold), in the fields' own
    /// words. From the workbench's one look at the module ([`crate::gui::module_look::current`]),
    /// so the file is not read in every frame.
    fn module_blocker(&self, ctx: &egui::Context) -> Option<run_control::Blocked> {
        let function = &self.experiment.task.function;
        if self.experiment.task.kind != crate::preset::TaskKind::Function
            || function.file.trim().is_empty()
        {
            return None;
        }
        let base = self.module_base();
        let look =
            crate::gui::module_look::current(ctx, &function.file, base.as_deref(), &function.name);
        let path = look.resolved()?;
        let problem = if let Some(what) = look.not_regular() {
            format!("not a regular file: {} is {what}", path.display())
        } else if !look.is_file() {
            format!("not found: {}", path.display())
        } else {
            look.name_problem()?.to_string()
        };
        Some(run_control::Blocked {
            short: format!("Cannot run: {problem}"),
            reason: format!("the Python function: {problem}"),
        })
    }

    /// The folder a relative Python module path is taken from: that of the file the
    /// configuration came from (a preset or results file), else `None` (the current
    /// directory), as the CLI resolves it.
    pub fn module_base(&self) -> Option<PathBuf> {
        match self.origin.as_ref().map(|o| &o.source) {
            Some(Source::File(p) | Source::Results(p)) => {
                std::path::absolute(p).ok()?.parent().map(Path::to_path_buf)
            }
            _ => None,
        }
    }

    /// A function task's relative module path made absolute, once, before a run (the Python
    /// worker imports by absolute path only): the field then shows the file that runs.
    fn resolve_module_path(&mut self) {
        let function = &self.experiment.task.function;
        if self.experiment.task.kind != crate::preset::TaskKind::Function
            || !Path::new(function.file.trim()).is_relative()
        {
            return;
        }
        if let Some(file) = function
            .resolved_file(self.module_base().as_deref())
            .and_then(|p| p.to_str().map(str::to_string))
        {
            self.experiment.task.function.file = file;
            self.editor.sync(&self.experiment);
        }
    }

    /// Validates the configuration and starts a sweep; on an invalid configuration shows
    /// the reason and starts nothing. Returns whether a sweep started.
    pub fn start_run(&mut self, ctx: &egui::Context) -> bool {
        if self.run.is_some() {
            return false;
        }
        self.resolve_module_path();
        if let Some(err) = &self.editor.workers_error {
            self.error(workers_error_message(err));
            return false;
        }
        // Python models whose interpreter was not checked yet: Run is the user asking for it.
        // It is checked now, and the sweep starts once it has answered (see `show`).
        if self.experiment.models.iter().any(|m| m.is_python())
            && self.python.answer(&self.experiment.python).is_none()
        {
            self.check_interpreter_for_models();
            self.run_when_ready = true;
            ctx.request_repaint();
            return false;
        }
        if let Some(PythonRefusal { reason, .. }) = self.python_refusal() {
            self.error(format!("Cannot run: {reason}"));
            return false;
        }
        let results_dir = autosave::results_dir(&self.settings.data_dir);
        // Told once the run has started: starting clears the last sweep's errors, and this one
        // is about the new sweep (it used to be cleared with them, and the loss went unsaid).
        // The file holds the sweep's results before any run from the start: a workbench killed
        // before the engine's first save leaves an `incomplete` file naming this process (read
        // as interrupted), never an empty one.
        let before_any_run = ResultsFile {
            started_at: crate::results::utc_timestamp(std::time::SystemTime::now()),
            experiment: self.experiment.clone(),
            machine: self.machine.clone(),
            writer: Some(crate::results::WriterProcess::this()),
            ..ResultsFile::default()
        };
        let (path, not_autosaved) = match std::fs::create_dir_all(&results_dir)
            .and_then(|()| autosave::create_results_file(&self.settings.data_dir, &before_any_run))
        {
            Ok(path) => (Some(path), None),
            Err(e) => (
                None,
                Some(format!(
                    "cannot create a file in {}: {e}",
                    results_dir.display()
                )),
            ),
        };
        let mut config = self.sweep_config.clone();
        config.provenance.command = Some("workbench".into());
        config.provenance.preset_source = self.origin.as_ref().map(|o| {
            let modified = if self.is_modified() {
                " (modified)"
            } else {
                ""
            };
            format!("{}{modified}", o.source.describe())
        });
        let cores = self.machine.logical_cores;
        match ActiveRun::start(&self.experiment, config, path.clone(), cores, ctx) {
            Ok(run) => {
                self.messages.clear_errors();
                if let Some(reason) = &not_autosaved {
                    self.error(format!(
                        "Results will not be autosaved: {reason}. What this sweep measures is \
                         saved to the temporary directory when it ends (or the window closes), \
                         or keep it with Save results as…"
                    ));
                }
                for warning in crate::engine::resources::warnings(&self.experiment) {
                    self.error(format!("Warning: {warning}"));
                }
                self.save_error = not_autosaved;
                self.unsaved = None;
                self.close_compared_of_other_tasks(self.experiment.task.kind);
                // Told apart from compared runs by its start and build from the first frame
                // (without them it read "?" and a different "corelab build" until it ended).
                let mut live = ResultsFile {
                    started_at: before_any_run.started_at.clone(),
                    experiment: self.experiment.clone(),
                    machine: self.machine.clone(),
                    provenance: run.provenance.clone(),
                    ..ResultsFile::default()
                };
                live.recompute();
                self.results = Some(live);
                self.results_path = path;
                self.shown_state.forget();
                self.run = Some(run);
                self.tab_at_run_start = Some(self.tab);
                true
            }
            Err(e) => {
                // Nothing ran: the autosave file made for it goes too.
                if let Some(path) = &path {
                    std::fs::remove_file(path).ok();
                }
                if let Some(reason) = not_autosaved {
                    self.error(format!("Results will not be autosaved: {reason}"));
                }
                self.error(e);
                false
            }
        }
    }

    /// Asks the running sweep to stop.
    pub fn cancel_run(&mut self) {
        if let Some(run) = &mut self.run {
            run.cancel();
        }
    }
}

//! Event handling: what arrives from the running sweep and from file jobs, taken in once
//! per frame (never waiting).

use super::*;

impl WorkbenchApp {
    /// Takes in everything that arrived from the sweep and from file jobs (never waits).
    pub(super) fn poll(&mut self) {
        if let Some(run) = &mut self.run {
            let mut events = run.drain();
            let mut finished = events.iter().any(|e| matches!(e, SweepEvent::Finished(_)));
            if !finished && run.thread_ended() {
                // The thread ended: whatever it sent before is in the channel now.
                events.extend(run.drain());
                finished = events.iter().any(|e| matches!(e, SweepEvent::Finished(_)));
                if !finished {
                    self.run = None;
                    self.error(
                        "The sweep stopped unexpectedly (engine thread ended without results).",
                    );
                }
            }
            for event in events {
                self.on_sweep_event(event);
            }
        }
        self.files.open_files = self.open_files();
        self.export_dialog.open_files = self.files.open_files.clone();
        for outcome in self.files.poll() {
            self.on_file_outcome(outcome);
        }
    }

    pub(super) fn on_sweep_event(&mut self, event: SweepEvent) {
        match event {
            SweepEvent::CellDone(cell) => {
                if let Some(results) = &mut self.results {
                    upsert_cell(results, *cell);
                }
            }
            // Interleaved rounds: every cell's curve point so far, refined round by round.
            SweepEvent::RoundDone {
                cells,
                round,
                warnings,
            } => {
                // py-dask, py-mpi: the cluster and Dask's dashboard link, once (first round).
                for cell in cells.iter().filter(|_| round == 1) {
                    if let Some(cluster) = &cell.cluster {
                        let what = format!("{} × {}", cell.model_id(), cell.workers);
                        self.info(format!("{what}: {}", cluster.describe()));
                    }
                }
                if let Some(results) = &mut self.results {
                    for cell in cells {
                        upsert_cell(results, cell);
                    }
                    // Shown in the header as they come, and kept by a rescue at exit.
                    results.warnings = warnings;
                }
            }
            SweepEvent::Failed {
                model,
                workers,
                reason,
            } => self.error(format!("{model} × {workers} failed: {reason}")),
            SweepEvent::SaveFailed { path, reason } => {
                // Once per sweep: every later cell would repeat it.
                if self.save_error.is_none() {
                    self.error(format!(
                        "The results could not be saved to {}: {reason}. What this sweep \
                         measures is saved to the temporary directory when it ends (or the \
                         window closes).",
                        path.display()
                    ));
                }
                self.save_error = Some(reason);
            }
            SweepEvent::Finished(results) => {
                let run = self.run.take();
                let mut saved = run.and_then(|r| r.results_path);
                let failed = self.save_error.take();
                // The autosave file that could not be written (none where none could be
                // created): an empty placeholder from its name's creation is no result.
                let failed_path = match failed {
                    Some(_) => saved.take(),
                    None => None,
                };
                if let Some(path) = &failed_path
                    && std::fs::metadata(path).is_ok_and(|m| m.len() == 0)
                {
                    std::fs::remove_file(path).ok();
                }
                let cells = results.cells.len();
                let measured = autosave::measured_cells(&results);
                // Cancelled before any run was timed: nothing to keep, so no file is left
                // (as `corelab run` writes none then).
                if results.status == RunStatus::Cancelled
                    && measured == 0
                    && let Some(path) = saved.take()
                {
                    std::fs::remove_file(path).ok();
                }
                if let Some(reason) = failed {
                    let written = match &failed_path {
                        Some(path) => format!("writing {} failed ({reason})", path.display()),
                        None => format!("the autosave file could not be made ({reason})"),
                    };
                    if measured == 0 {
                        self.error(format!("Not autosaved: {written}; nothing was measured."));
                    } else {
                        saved = self.rescue(&results, &written);
                    }
                    // What an earlier write left at the failed path is a stale part of what the
                    // rescued file holds whole, and would be offered at the next start as a
                    // killed run's: removed once the runs are safe elsewhere (or there were none).
                    if (measured == 0 || saved.is_some())
                        && let Some(path) = &failed_path
                    {
                        std::fs::remove_file(path).ok();
                    }
                }
                let where_ = saved.as_ref().map_or_else(
                    || "not saved".to_string(),
                    |p| format!("saved to {}", p.display()),
                );
                // Only cells with a timed run are kept; the others are said apart.
                let empty = match cells - measured {
                    0 => String::new(),
                    n => format!(" ({} had no timed run yet)", crate::words::count(n, "cell")),
                };
                match results.status {
                    RunStatus::Cancelled if measured == 0 => self.info(
                        "Sweep cancelled before any run was timed: nothing measured, nothing saved.",
                    ),
                    RunStatus::Cancelled => self.info(format!(
                        "Sweep cancelled; {} kept{empty}, {where_}.",
                        crate::words::count(measured, "measured cell")
                    )),
                    RunStatus::Failed => self.info(format!(
                        "Sweep finished, but every cell failed ({cells} cells), {where_}."
                    )),
                    _ => self.info(format!("Sweep finished: {cells} cells, {where_}.")),
                }
                // The lesson's view, unless the user moved to another tab while it ran.
                if self.tab_at_run_start.take() == Some(self.tab) {
                    self.open_view_of(&results.experiment);
                }
                self.results = Some(*results);
                self.results_path = saved;
                self.shown_state.forget();
                self.recent.refresh();
            }
            _ => {}
        }
    }

    pub(super) fn on_file_outcome(&mut self, outcome: FileOutcome) {
        match outcome {
            FileOutcome::PresetLoaded {
                path,
                result,
                recorded,
            } => match result {
                Ok(exp) => {
                    self.forget_open_errors();
                    self.offer_replacement(PendingReplace {
                        origin: Origin {
                            source: Source::File(path.clone()),
                            experiment: (*exp).clone(),
                        },
                        experiment: *exp,
                        from_file: Some(path.clone()),
                        message: recorded.map_or_else(
                            || {
                                format!(
                                    "Loaded preset {}",
                                    super::super::file_browser::legible(path.as_os_str())
                                )
                            },
                            |recorded| format!("Loaded {recorded}"),
                        ),
                    })
                }
                Err(e) => {
                    self.run_when_ready = false;
                    self.error(format!("{OPEN_PRESET_ERROR} {}: {e}", path.display()));
                }
            },
            FileOutcome::PresetSaved { path, result } => match result {
                Ok(()) => {
                    // What was saved is now where the configuration comes from. (The saved
                    // text is the configuration of when Save was pressed; edits since then
                    // still count as modified.) Read back with the preset loader's reader,
                    // on this (the UI) thread: a regular file of at most 1 MiB only, opened
                    // without blocking, so a fifo or a device swapped in for the file since
                    // it was written cannot freeze or exhaust the workbench.
                    self.origin = Experiment::load(&path)
                        .ok()
                        .map(|experiment| Origin {
                            source: Source::File(path.clone()),
                            experiment,
                        })
                        .or(self.origin.take());
                    self.info(format!("Preset saved to {}", path.display()));
                }
                Err(e) => self.error(format!("Cannot save preset: {e}")),
            },
            FileOutcome::ResultsLoaded { path, result } => match result {
                Ok(results) => {
                    self.open_view_of(&results.experiment);
                    self.close_compared_of_other_tasks(results.experiment.task.kind);
                    self.results = Some(*results);
                    self.results_path = Some(path);
                    self.shown_state.forget();
                    self.unsaved = None;
                    self.forget_open_errors();
                }
                Err(e) => self.error(format!("{OPEN_RESULTS_ERROR} {e}")),
            },
            FileOutcome::CompareLoaded { path, result } => match result {
                Ok(_) if let Some(why) = self.already_shown(&path) => {
                    // Not overlaid twice: the path it was asked under is no longer open.
                    if let Some(at) = self.compare_order.iter().rposition(|p| *p == path) {
                        self.compare_order.remove(at);
                    }
                    self.info(why);
                }
                Ok(results) => {
                    let stem = path
                        .file_stem()
                        .map_or_else(|| "compared".into(), |s| s.to_string_lossy().into_owned());
                    self.info(format!("Comparing with {}", path.display()));
                    // An earlier failed attempt is answered: its error goes.
                    self.messages
                        .retain(|m| !(m.is_error && m.text.starts_with(COMPARE_ERROR)));
                    // In the order they were asked for (they load in parallel): a run asked
                    // for earlier goes before this one.
                    let rank = |p: &std::path::Path| {
                        self.compare_order
                            .iter()
                            .position(|q| q == p)
                            .unwrap_or(usize::MAX)
                    };
                    let mine = rank(&path);
                    let at = self
                        .compare
                        .iter()
                        .position(|c| rank(&c.path) > mine)
                        .unwrap_or(self.compare.len());
                    self.compare
                        .insert(at, CompareRun::new(stem, path, *results));
                }
                Err(e) => self.error(format!("{COMPARE_ERROR} {e}")),
            },
            FileOutcome::Exported { action, result } => match result {
                Ok(paths) => {
                    if action == FileAction::SaveResults {
                        self.unsaved = None;
                    }
                    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                    let what = match action {
                        FileAction::ExportReport => "Report",
                        FileAction::SaveResults => "Results",
                        FileAction::ExportCsv => "Table (CSV)",
                        _ => "Chart",
                    };
                    self.info(format!("{what} saved to {}", list.join(" and ")));
                }
                Err(e) => self.error(match action {
                    FileAction::SaveResults => format!("Cannot save results: {e}"),
                    _ => format!("Cannot export: {e}"),
                }),
            },
            FileOutcome::DialogUnavailable(action) => {
                let payload = self.payload_for(action);
                let proposed = self.proposed_path(action);
                self.files.ask_for_path(
                    action,
                    payload,
                    Some(
                        "No file dialog could be shown on this desktop; type the path instead."
                            .into(),
                    ),
                    proposed,
                );
            }
            FileOutcome::DialogCancelled => {}
        }
    }
}

impl WorkbenchApp {
    /// Saves the measured runs of `results`, which could not be autosaved (`why`: "writing
    /// … failed (…)"), to a new file in the temporary directory, says so in a notification and
    /// on stderr, and returns the file; where that fails too, says so and marks the shown
    /// results as stored nowhere.
    pub(super) fn rescue(&mut self, results: &ResultsFile, why: &str) -> Option<PathBuf> {
        let measured = crate::words::count(autosave::measured_cells(results), "measured cell");
        match crate::results::rescue_in(&self.rescue_dir, results) {
            Ok(path) => {
                let text = format!(
                    "Not autosaved: {why}; the {measured} were saved to {} instead.",
                    path.display()
                );
                eprintln!("corelab: {text}");
                self.error(text);
                self.unsaved = None;
                Some(path)
            }
            Err(e) => {
                let text = format!(
                    "Not saved: {why}, nor could the {measured} be saved to the temporary \
                     directory ({e}); they are shown but not stored: keep them with Save \
                     results as…"
                );
                eprintln!("corelab: {text}");
                self.error(text);
                self.unsaved = Some(format!("{why}; nor in the temporary directory ({e})"));
                None
            }
        }
    }

    /// As the window closes: measured runs still stored nowhere (a sweep that did not end in
    /// time and could not be autosaved, or results whose rescue failed before) are rescued
    /// to the temporary directory, said on stderr.
    pub(super) fn rescue_at_exit(&mut self) {
        let why = match (&self.run, &self.save_error, &self.unsaved) {
            (Some(_), Some(reason), _) => format!("the sweep could not be autosaved ({reason})"),
            (None, _, Some(reason)) => format!("the results were not stored ({reason})"),
            _ => return,
        };
        let Some(mut results) = self.results.clone() else {
            return;
        };
        if self.run.is_some() {
            // The sweep did not end in time: what it showed is a cancelled run whose cells
            // may each have had more runs to come, so none reads as finished.
            results.status = RunStatus::Cancelled;
            results.finished_at = Some(crate::results::utc_timestamp(std::time::SystemTime::now()));
            for cell in results
                .cells
                .iter_mut()
                .filter(|c| c.status == crate::results::CellStatus::Ok)
            {
                cell.mark_still_measuring();
            }
        }
        if autosave::measured_cells(&results) > 0 {
            self.rescue(&results, &why);
        }
    }
}

impl WorkbenchApp {
    /// Removes the errors of earlier files that could not be opened (a preset or results):
    /// a file that opened since answers them, whichever file they were about, and a red
    /// "Cannot open preset …broken.json" stayed over the preset opened after it.
    fn forget_open_errors(&mut self) {
        self.messages.retain(|m| {
            !(m.is_error
                && (m.text.starts_with(OPEN_RESULTS_ERROR)
                    || m.text.starts_with(OPEN_PRESET_ERROR)))
        });
    }
}

/// How the error of a preset file that could not be opened begins (the file follows).
pub const OPEN_PRESET_ERROR: &str = "Cannot open preset";
/// How the error of a results file that could not be opened begins.
pub const OPEN_RESULTS_ERROR: &str = "Cannot open results:";
/// How the error of a results file that could not be compared begins.
pub const COMPARE_ERROR: &str = "Cannot open results to compare:";

/// Inserts `cell`, replacing an earlier cell of the same model and worker count.
fn upsert_cell(results: &mut ResultsFile, cell: CellResult) {
    match results
        .cells
        .iter_mut()
        .find(|c| c.model == cell.model && c.workers == cell.workers)
    {
        Some(existing) => *existing = cell,
        None => results.cells.push(cell),
    }
}

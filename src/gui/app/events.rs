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
            SweepEvent::RoundDone { cells, round } => {
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
                        "The results could not be saved to {}: {reason}",
                        path.display()
                    ));
                }
                self.save_error = Some(reason);
            }
            SweepEvent::Finished(results) => {
                let run = self.run.take();
                let mut saved = run.and_then(|r| r.results_path);
                if let Some(reason) = self.save_error.take()
                    && let Some(path) = saved.take()
                {
                    // An empty placeholder from the autosave name's creation is no result.
                    if std::fs::metadata(&path).is_ok_and(|m| m.len() == 0) {
                        std::fs::remove_file(&path).ok();
                    }
                    self.error(format!(
                        "Not saved: writing {} failed ({reason}); the results are shown but not stored.",
                        path.display()
                    ));
                }
                let cells = results.cells.len();
                let measured = autosave::measured_cells(&results);
                // Cancelled before any run was timed: nothing to keep, so no file is left
                // (as `corelab run` writes none then).
                if results.status == RunStatus::Cancelled
                    && measured == 0
                    && let Some(path) = saved.take()
                {
                    std::fs::remove_file(&path).ok();
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
                self.recent.refresh();
            }
            _ => {}
        }
    }

    pub(super) fn on_file_outcome(&mut self, outcome: FileOutcome) {
        match outcome {
            FileOutcome::PresetLoaded { path, result } => match result {
                Ok(exp) => self.offer_replacement(PendingReplace {
                    origin: Origin {
                        source: Source::File(path.clone()),
                        experiment: (*exp).clone(),
                    },
                    experiment: *exp,
                    from_file: Some(path.clone()),
                    message: format!(
                        "Loaded preset {}",
                        super::super::file_browser::legible(path.as_os_str())
                    ),
                }),
                Err(e) => {
                    self.run_when_ready = false;
                    self.error(format!("Cannot open preset {}: {e}", path.display()));
                }
            },
            FileOutcome::PresetSaved { path, result } => match result {
                Ok(()) => {
                    // What was saved is now where the configuration comes from. (The saved
                    // text is the configuration of when Save was pressed; edits since then
                    // still count as modified.)
                    self.origin = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| Experiment::from_json(&t).ok())
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
                    self.results = Some(*results);
                    self.results_path = Some(path);
                    // An earlier failed attempt is answered: its error goes.
                    self.messages
                        .retain(|m| !(m.is_error && m.text.starts_with(OPEN_RESULTS_ERROR)));
                }
                Err(e) => self.error(format!("{OPEN_RESULTS_ERROR} {e}")),
            },
            FileOutcome::CompareLoaded { path, result } => match result {
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

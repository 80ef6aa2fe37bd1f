//! Run / Cancel, the progress bar, and the link between the UI and a running sweep.
//!
//! The sweep runs on the engine's thread ([`spawn_sweep`]); it wakes the UI after every event
//! and the UI drains the channel with `try_recv` once per frame, so nothing here waits.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui;

use crate::engine::{
    CellProgress, DisplayPacing, SweepConfig, SweepEvent, SweepHandle, spawn_sweep,
};
use crate::preset::{Experiment, ModelKind};

/// A sweep in progress.
pub struct ActiveRun {
    handle: SweepHandle,
    /// Where the engine writes (and keeps) this sweep's results.
    pub results_path: Option<PathBuf>,
    pub started: Instant,
    pub runs_done: usize,
    pub runs_total: usize,
    /// Engine-reported elapsed time at the last progress event.
    pub elapsed: Duration,
    pub cells_total: usize,
    pub current: Option<(ModelKind, usize)>,
    pub cancelling: bool,
    /// Every cell of the sweep, in the engine's order.
    plan: Vec<(ModelKind, usize)>,
    /// The timed runs a cell not reported yet is expected to take (from `Started`).
    timed_per_cell: usize,
    /// Each cell's timed runs so far and the runs it is expected to take, from the last
    /// `Progress`.
    cells: Vec<CellProgress>,
    /// The cells that completed (`CellDone`): the others shown are still being measured.
    completed: Vec<(ModelKind, usize)>,
}

/// The time a sweep has left, weighted by what each cell costs rather than a flat average
/// per run (the Python cells, or the 1-worker cells of a compute-bound task, cost several
/// times what the others do, and they do not come evenly spread over the sweep).
///
/// Each cell's runs left are the runs the engine now expects it to take (its repetitions, or
/// more for short runs and for a precision target not met yet: [`CellProgress::expected`])
/// minus the runs it has done; a cell not reported yet takes `timed_per_cell`. Each run costs
/// that cell's mean wall time per run so far, or, for a cell not timed yet, the mean of the same
/// model's timed cell nearest in worker count, else the mean over all timed cells. The sum is
/// scaled by `elapsed` over the wall time of the timed runs, which accounts for what runs
/// between them (warm-ups, executors starting). `None` before any run was timed.
pub fn weighted_remaining(
    plan: &[(ModelKind, usize)],
    timed_per_cell: usize,
    elapsed: Duration,
    cells: &[CellProgress],
) -> Option<Duration> {
    let per_run = |c: &CellProgress| (c.timed > 0).then(|| c.timed_s / c.timed as f64);
    let timed: Vec<&CellProgress> = cells.iter().filter(|c| c.timed > 0).collect();
    let measured_s: f64 = timed.iter().map(|c| c.timed_s).sum();
    if plan.is_empty() || timed.is_empty() || measured_s <= 0.0 {
        return None;
    }
    let overall = measured_s / timed.iter().map(|c| c.timed).sum::<usize>() as f64;
    let mut left_s = 0.0;
    for &(model, workers) in plan {
        let own = cells
            .iter()
            .find(|c| c.model == model && c.workers == workers);
        let left = own.map_or(timed_per_cell, |c| c.expected.saturating_sub(c.timed));
        if left == 0 {
            continue;
        }
        let cost = own.and_then(per_run).or_else(|| {
            timed
                .iter()
                .filter(|c| c.model == model)
                .min_by_key(|c| c.workers.abs_diff(workers))
                .and_then(|c| per_run(c))
        });
        left_s += left as f64 * cost.unwrap_or(overall);
    }
    let overhead = (elapsed.as_secs_f64() / measured_s).max(1.0);
    Some(Duration::from_secs_f64(left_s * overhead))
}

/// What the user asked for in the run controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunAction {
    Run,
    Cancel,
}

impl ActiveRun {
    /// Validates `exp` and starts it. The error is the validation message, ready to show.
    pub fn start(
        exp: &Experiment,
        mut config: SweepConfig,
        results_path: Option<PathBuf>,
        ctx: &egui::Context,
    ) -> Result<ActiveRun, String> {
        exp.validate()
            .map_err(|e| format!("The experiment is not valid: {e}"))?;
        crate::engine::resources::check(exp).map_err(|e| format!("Not started: {e}"))?;
        crate::engine::task_preflight(exp).map_err(|e| format!("Not started: {e}"))?;
        if results_path.is_some() {
            config.partial_results = results_path.clone();
        }
        let ctx = ctx.clone();
        // Events can arrive hundreds of times a second, and a frame takes CPU time from the
        // very runs being measured (a lot of it with software rendering). The engine wakes the
        // window only between timed runs, every two seconds, and waits for the frame to be
        // drawn before it starts the next run: the curves still fill in live.
        config.display.get_or_insert(DisplayPacing::WORKBENCH);
        let handle = spawn_sweep(exp.clone(), config, move || ctx.request_repaint())
            .map_err(|e| format!("cannot start the sweep thread: {e}"))?;
        Ok(ActiveRun {
            handle,
            results_path,
            started: Instant::now(),
            runs_done: 0,
            runs_total: 0,
            elapsed: Duration::ZERO,
            cells_total: 0,
            current: None,
            cancelling: false,
            plan: Vec::new(),
            timed_per_cell: 0,
            cells: Vec::new(),
            completed: Vec::new(),
        })
    }

    /// Asks the sweep to stop; a `Finished` event with the cells so far follows shortly.
    pub fn cancel(&mut self) {
        self.cancelling = true;
        self.handle.cancel();
    }

    /// Every event that arrived since the last call (never waits). Progress is tracked here.
    pub fn drain(&mut self) -> Vec<SweepEvent> {
        let mut events = Vec::new();
        while let Ok(event) = self.handle.events.try_recv() {
            match &event {
                SweepEvent::Started {
                    plan,
                    runs_total,
                    timed_per_cell,
                } => {
                    self.cells_total = plan.len();
                    self.runs_total = *runs_total;
                    self.plan = plan.clone();
                    self.timed_per_cell = *timed_per_cell;
                }
                SweepEvent::CellStarted { model, workers } => {
                    self.current = Some((*model, *workers));
                }
                SweepEvent::Progress {
                    runs_done,
                    runs_total,
                    elapsed,
                    cells,
                } => {
                    self.runs_done = *runs_done;
                    self.runs_total = *runs_total;
                    self.elapsed = *elapsed;
                    self.cells = cells.clone();
                }
                SweepEvent::CellDone(cell) => {
                    if let Some(model) = cell.model {
                        self.completed.push((model, cell.workers));
                    }
                }
                _ => {}
            }
            events.push(event);
        }
        events
    }

    /// Whether the cell `model × workers` has completed in this sweep (until then, the
    /// figures shown for it rest on the runs so far).
    pub fn completed(&self, model: ModelKind, workers: usize) -> bool {
        self.completed.contains(&(model, workers))
    }

    /// Cancels and waits up to `limit` for the engine to write its final (cancelled) results
    /// file. Only for shutdown, when the window is already gone.
    pub fn cancel_and_wait(&mut self, limit: Duration) {
        self.cancel();
        let until = Instant::now() + limit;
        while !self.handle.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the engine thread has ended (after `Finished`, or because it panicked).
    pub fn thread_ended(&self) -> bool {
        self.handle.is_finished()
    }

    /// Estimated time left: weighted by each cell's cost ([`weighted_remaining`]) once runs
    /// were timed, else from the pace so far.
    pub fn remaining(&self) -> Option<Duration> {
        if self.runs_done == 0 || self.runs_total == 0 {
            return None;
        }
        if let Some(left) =
            weighted_remaining(&self.plan, self.timed_per_cell, self.elapsed, &self.cells)
        {
            return Some(left);
        }
        let per_run = self.elapsed.as_secs_f64() / self.runs_done as f64;
        let left = self.runs_total.saturating_sub(self.runs_done) as f64 * per_run;
        Some(Duration::from_secs_f64(left))
    }
}

/// What the run controls were asked for, and the buttons' ids (keyboard focus is moved
/// between them when a sweep starts and ends).
pub struct RunControls {
    pub action: Option<RunAction>,
    pub run_id: egui::Id,
    pub cancel_id: egui::Id,
}

/// Draws Run / Cancel and, while running, the progress bar; before a run, what the sweep is
/// expected to cost.
pub fn show(
    ui: &mut egui::Ui,
    run: Option<&ActiveRun>,
    estimate: &crate::engine::estimate::SweepEstimate,
) -> RunControls {
    let mut action = None;
    let mut ids = (egui::Id::NULL, egui::Id::NULL);
    // Wrapped: zoomed in or in a small window, the progress and the cell being measured go
    // on a second line rather than off the window's edge.
    ui.horizontal_wrapped(|ui| {
        let running = run.is_some();
        let run_button =
            egui::Button::new(egui::RichText::new("Run").strong()).min_size(egui::vec2(90.0, 0.0));
        let run_response = ui.add_enabled(!running, run_button).on_hover_text(format!(
            "Validate the configuration and run the sweep.  ({} or {})",
            ui.ctx().format_shortcut(&super::command::RUN),
            ui.ctx().format_shortcut(&super::command::RUN_F5)
        ));
        if run_response.clicked() {
            action = Some(RunAction::Run);
        }
        let cancelling = run.is_some_and(|r| r.cancelling);
        let cancel_response = ui
            .add_enabled(running && !cancelling, egui::Button::new("Cancel"))
            .on_hover_text(super::command::with_shortcut(
                ui.ctx(),
                "Stop the sweep; cells already measured are kept and saved.",
                &super::command::CANCEL,
            ));
        if cancel_response.clicked() {
            action = Some(RunAction::Cancel);
        }
        ids = (run_response.id, cancel_response.id);
        match run {
            Some(run) => progress(ui, run),
            None => {
                let long = estimate.long_sweep_warning();
                let label = match long {
                    Some(_) => ui.colored_label(ui.visuals().warn_fg_color, estimate.words()),
                    None => ui.weak(estimate.words()),
                };
                label.on_hover_text(match (estimate.seconds, long) {
                    (Ok(_), Some(long)) => format!("Long: {long}.\n\n{ESTIMATE_HELP}"),
                    (Ok(_), None) => ESTIMATE_HELP.to_string(),
                    (Err(why), _) => format!("Unknown here: {why}.\n\n{ESTIMATE_HELP}"),
                });
            }
        }
    });
    RunControls {
        action,
        run_id: ids.0,
        cancel_id: ids.1,
    }
}

fn progress(ui: &mut egui::Ui, run: &ActiveRun) {
    let frac = if run.runs_total > 0 {
        run.runs_done as f32 / run.runs_total as f32
    } else {
        0.0
    };
    let elapsed = run.started.elapsed();
    let eta = run.remaining().map_or("estimating…".to_string(), |d| {
        format!("~{} left", fmt_duration(d))
    });
    let text = if run.cancelling {
        "cancelling…".to_string()
    } else {
        format!(
            "{} / {} runs · {} elapsed · {eta}",
            run.runs_done,
            run.runs_total,
            fmt_duration(elapsed)
        )
    };
    ui.add(
        egui::ProgressBar::new(frac)
            .text(text)
            .desired_width(ui.available_width().min(520.0)),
    );
    if let Some((model, workers)) = run.current {
        ui.weak(format!("now: {model} × {workers}"));
    }
    ui.weak("(?)").on_hover_text(DRAWING_COSTS);
}

/// What the estimate next to Run is worked out from, and how far to trust it.
pub const ESTIMATE_HELP: &str = "Worked out from the experiment before anything runs: the time per run it asks for (a target time, or the waits of sleeping tasks), divided by what each model can run in parallel on this machine's cores, times the runs each cell takes (repetitions, minimum time, and the whole precision budget where a precision target is set), plus start-up and calibration. A rough figure: other programs' load, memory bandwidth and the interpreter's speed move it. A task sized in work units (a CPU size with no target time, a command, a Python function) has no known length until it runs; the progress bar then estimates the time left from the runs done.";

/// Why the workbench redraws slowly during a sweep, and what to use for numbers to publish.
pub const DRAWING_COSTS: &str = "While a sweep runs, the workbench redraws only between timed runs, about every two seconds, and the next run waits until the frame is drawn: drawing never takes CPU time from a run being measured. Moving the mouse over the window or typing makes it redraw at once, so leave it alone for the cleanest numbers. Measured on a 2-core machine, the workbench and `corelab run` give the same speedups within the run-to-run noise; the headless run stays the reference for figures you publish: `corelab run PRESET --out results.json`, then open the file here.";

/// `75.3 s`, `4 min 05 s`, `1 h 02 min`.
pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else if s < 3600.0 {
        format!("{} min {:02} s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else {
        format!(
            "{} h {:02} min",
            (s / 3600.0) as u64,
            ((s % 3600.0) / 60.0) as u64
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell with `timed` runs of `per_run` seconds each, expected to take `expected`.
    fn cell(
        model: ModelKind,
        workers: usize,
        timed: usize,
        per_run: f64,
        expected: usize,
    ) -> CellProgress {
        CellProgress {
            model,
            workers,
            timed,
            timed_s: per_run * timed as f64,
            expected,
        }
    }

    #[test]
    fn the_time_left_is_weighted_by_each_cells_cost() {
        let plan = [
            (ModelKind::Sequential, 1),
            (ModelKind::Threads, 2),
            (ModelKind::PyMultiprocessing, 2),
        ];
        // 3 runs per cell; one each done: 1 s, 0.5 s and 4 s a run; 5.5 s elapsed.
        let done = [
            cell(ModelKind::Sequential, 1, 1, 1.0, 3),
            cell(ModelKind::Threads, 2, 1, 0.5, 3),
            cell(ModelKind::PyMultiprocessing, 2, 1, 4.0, 3),
        ];
        let left = weighted_remaining(&plan, 3, Duration::from_secs_f64(5.5), &done).unwrap();
        // 2 × (1 + 0.5 + 4) = 11 s.
        assert!((left.as_secs_f64() - 11.0).abs() < 1e-9);
        // The dear cell behind the others, as when the Python cells come last.
        let done = [
            cell(ModelKind::Sequential, 1, 3, 1.0, 3),
            cell(ModelKind::Threads, 2, 3, 0.5, 3),
            cell(ModelKind::PyMultiprocessing, 2, 1, 4.0, 3),
        ];
        let left = weighted_remaining(&plan, 3, Duration::from_secs_f64(8.5), &done).unwrap();
        // Two Python runs left at 4 s each: 8 s (the flat average would say 8.5/7×2 ≈ 2.4 s).
        assert!((left.as_secs_f64() - 8.0).abs() < 1e-9, "{left:?}");
    }

    #[test]
    fn the_time_left_includes_the_runs_a_precision_target_still_needs() {
        let plan = [(ModelKind::Sequential, 1), (ModelKind::Threads, 2)];
        // Both cells did their 5 repetitions; the noisy threads cell is expected to need 20
        // runs in all for its precision target: 15 more at 0.5 s, 7.5 s (not 0).
        let done = [
            cell(ModelKind::Sequential, 1, 5, 1.0, 5),
            cell(ModelKind::Threads, 2, 5, 0.5, 20),
        ];
        let left = weighted_remaining(&plan, 5, Duration::from_secs_f64(7.5), &done).unwrap();
        assert!((left.as_secs_f64() - 7.5).abs() < 1e-9, "{left:?}");
    }

    #[test]
    fn an_untimed_cell_costs_what_its_models_nearest_cell_does_and_overhead_scales() {
        let plan = [(ModelKind::Threads, 1), (ModelKind::Threads, 4)];
        let done = [cell(ModelKind::Threads, 1, 2, 2.0, 2)];
        // 2 runs per cell; the 4-worker cell is not reported yet: 2 × 2 s. Elapsed is twice
        // the timed wall time (warm-ups, start-up): the estimate doubles.
        let left = weighted_remaining(&plan, 2, Duration::from_secs(8), &done).unwrap();
        assert!((left.as_secs_f64() - 8.0).abs() < 1e-9, "{left:?}");
        assert_eq!(
            weighted_remaining(&plan, 2, Duration::from_secs(1), &[]),
            None
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(fmt_duration(Duration::from_secs(245)), "4 min 05 s");
        assert_eq!(fmt_duration(Duration::from_secs(3720)), "1 h 02 min");
    }
}

//! Run / Cancel, the progress bar, and the link between the UI and a running sweep.
//!
//! The sweep runs on the engine's thread ([`spawn_sweep`]); it wakes the UI after every event
//! and the UI drains the channel with `try_recv` once per frame, so nothing here waits.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui;

use crate::engine::time_left::TimeLeft;
use crate::engine::{
    CellProgress, DisplayPacing, MoreRuns, RunCount, SweepConfig, SweepEvent, SweepHandle,
    spawn_sweep,
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
    pub cells_total: usize,
    pub current: Option<(ModelKind, usize)>,
    pub cancelling: bool,
    /// The runs the sweep expected when it started (the total grows when cells need more).
    runs_total_at_start: usize,
    /// The timed runs each cell started with (from `Started`).
    timed_per_cell: usize,
    /// Each cell's timed runs so far and the runs it is now expected to take, from the last
    /// `Progress`.
    cells: Vec<CellProgress>,
    /// How many runs a cell takes, and why more than its repetitions: the experiment's
    /// minimum time and precision target.
    run_count: RunCount,
    time_left: TimeLeft,
    /// The cells that completed (`CellDone`): the others shown are still being measured.
    completed: Vec<(ModelKind, usize)>,
    /// The provenance the sweep's results record (this build, the preset, a function's
    /// source as checked before the start), for the results shown while it runs.
    pub provenance: crate::results::Provenance,
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
        cores: usize,
        ctx: &egui::Context,
    ) -> Result<ActiveRun, String> {
        exp.validate()
            .map_err(|e| format!("The experiment is not valid: {e}"))?;
        crate::engine::resources::check(exp).map_err(|e| format!("Not started: {e}"))?;
        // The module read and checked here is the one whose source the results record.
        config.module = crate::engine::task_preflight(exp)
            .map_err(|e| format!("Not started: {e}"))?
            .map(std::sync::Arc::new);
        if results_path.is_some() {
            config.partial_results = results_path.clone();
        }
        // What the sweep will record, from the module just read: nothing is read again.
        let provenance = crate::engine::recorded_provenance(exp, &config);
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
            cells_total: 0,
            current: None,
            cancelling: false,
            runs_total_at_start: 0,
            timed_per_cell: 0,
            cells: Vec::new(),
            run_count: RunCount::of(exp),
            // From the same estimate as the one shown beside Run before the sweep.
            time_left: TimeLeft::new(exp, cores),
            completed: Vec::new(),
            provenance,
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
            self.observe(&event, self.started.elapsed());
            events.push(event);
        }
        events
    }

    /// Tracks the progress `event` reports, which arrived at `now` since the run began.
    fn observe(&mut self, event: &SweepEvent, now: Duration) {
        self.time_left.observe(event, now);
        match event {
            SweepEvent::Started {
                plan,
                runs_total,
                timed_per_cell,
            } => {
                self.cells_total = plan.len();
                self.runs_total = *runs_total;
                self.runs_total_at_start = *runs_total;
                self.timed_per_cell = *timed_per_cell;
            }
            SweepEvent::CellStarted { model, workers } => {
                self.current = Some((*model, *workers));
            }
            SweepEvent::Progress {
                runs_done,
                runs_total,
                cells,
                ..
            } => {
                self.runs_done = *runs_done;
                self.runs_total = *runs_total;
                self.cells = cells.clone();
            }
            SweepEvent::CellDone(cell) => {
                if let Some(model) = cell.model {
                    self.completed.push((model, cell.workers));
                }
            }
            _ => {}
        }
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

    /// Estimated time left ([`TimeLeft`]): from the estimate shown before the run, moving
    /// toward the pace measured as the timed runs come in.
    pub fn remaining(&self) -> Option<Duration> {
        self.time_left.remaining(self.started.elapsed())
    }

    /// Why the run count grew since the sweep started, for the progress bar's hover; `None`
    /// while it has not.
    pub fn runs_total_note(&self) -> Option<String> {
        runs_total_note(
            self.runs_total_at_start,
            self.runs_total,
            self.timed_per_cell,
            &self.cells,
            self.run_count,
        )
    }
}

/// "The total grew from 49 to 56 runs: …", naming the cells that now expect more timed runs
/// than the `timed_per_cell` they started with and the rule that asks for them; `None` while
/// the total is what it was.
pub fn runs_total_note(
    at_start: usize,
    now: usize,
    timed_per_cell: usize,
    cells: &[CellProgress],
    run_count: RunCount,
) -> Option<String> {
    if now == at_start || at_start == 0 {
        return None;
    }
    let verb = if now > at_start { "grew" } else { "shrank" };
    let mut text =
        format!("The total {verb} from {at_start} to {now} runs since the sweep started.");
    let more: Vec<String> = cells
        .iter()
        .filter(|c| c.expected > timed_per_cell)
        .map(|c| format!("{} × {}: {} timed runs", c.model, c.workers, c.expected))
        .collect();
    if !more.is_empty() {
        text.push_str(&format!(
            " Cells that need more than the {timed_per_cell} timed runs each started with: {}.",
            more.join(", ")
        ));
    }
    // Which rule asks for the extra runs, as the run count judges each timed cell that grew;
    // before such a cell is timed, every rule the experiment has may.
    let grown: Vec<&CellProgress> = cells
        .iter()
        .filter(|c| c.expected > timed_per_cell && c.timed > 0)
        .collect();
    let mut rules: Vec<MoreRuns> = Vec::new();
    match grown.is_empty() {
        true => rules = run_count.rules(),
        false => {
            for c in grown {
                for rule in run_count.why_more(c.timed, c.timed_s, c.expected, timed_per_cell) {
                    if !rules.contains(&rule) {
                        rules.push(rule);
                    }
                }
            }
        }
    }
    let mut why: Vec<String> = rules.iter().map(crate::export::more_runs_reason).collect();
    if now < at_start {
        why.push(
            "a cell that failed or was met sooner than expected counts only the runs it took"
                .to_string(),
        );
    }
    if !why.is_empty() {
        text.push_str(&format!(" Why: {}.", why.join("; ")));
    }
    Some(text)
}

/// The estimate beside Run and its hover: `7 cells, about 12 s`, with the most it can take
/// where its length is unknown (every run stopped at the timeout and every start-up at its
/// own limit: [`crate::engine::estimate::AtMost`], broken down in the hover), and a short note where the precision target cannot add runs
/// to some cells and one of them computes (said whole in the hover, with a long sweep's
/// warning and [`ESTIMATE_HELP`]; where every such cell mostly waits on a timer, in the hover
/// only, as information: see [`crate::engine::estimate::TargetWithoutRoom::may_cost_precision`]).
pub fn estimate_texts(estimate: &crate::engine::estimate::SweepEstimate) -> (String, String) {
    let mut words = match &estimate.at_most {
        Some(at) => format!(
            "{} (at most about {})",
            estimate.words(),
            crate::engine::estimate::about_duration(at.seconds)
        ),
        None => estimate.words(),
    };
    // Beside Run only where a cell without room computes, so that its spread may miss the
    // target; where every such cell mostly waits on a timer, its runs agree within the
    // target anyway, and the hover alone says so, as information.
    let room = estimate
        .target_without_room
        .as_ref()
        .map_or(String::new(), |t| {
            let whole = crate::export::target_without_room_text(t);
            let whole = format!("{}{}", whole[..1].to_uppercase(), &whole[1..]);
            if t.may_cost_precision() {
                words.push_str(&format!(
                    "; {}",
                    crate::export::target_without_room_short_text(t)
                ));
                format!("Note: {whole}.\n\n")
            } else {
                format!("About the precision target: {whole}.\n\n")
            }
        });
    let hover = match (estimate.seconds, estimate.long_sweep_warning()) {
        (Ok(_), Some(long)) => format!("Long: {long}.\n\n{room}{ESTIMATE_HELP}"),
        (Ok(_), None) => format!("{room}{ESTIMATE_HELP}"),
        (Err(why), _) => format!(
            "Unknown here: {why}.{}\n\n{ESTIMATE_HELP}",
            estimate
                .at_most_words()
                .map_or(String::new(), |w| format!(" {w}."))
        ),
    };
    (words, hover)
}

/// Why the configuration cannot run as it stands: a few words beside Run, and the whole reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Blocked {
    pub short: String,
    pub reason: String,
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
/// `blocked`: why the configuration cannot run as it stands (a field that is not valid): Run
/// is then greyed with that reason in its hover, and no estimate is shown for a sweep that
/// cannot start.
pub fn show(
    ui: &mut egui::Ui,
    run: Option<&ActiveRun>,
    estimate: &crate::engine::estimate::SweepEstimate,
    blocked: Option<&Blocked>,
) -> RunControls {
    let mut action = None;
    let mut ids = (egui::Id::NULL, egui::Id::NULL);
    // Wrapped: zoomed in or in a small window, the progress and the cell being measured go
    // on a second line rather than off the window's edge.
    ui.horizontal_wrapped(|ui| {
        let running = run.is_some();
        let run_button =
            egui::Button::new(egui::RichText::new("Run").strong()).min_size(egui::vec2(90.0, 0.0));
        let run_response = ui
            .add_enabled(!running && blocked.is_none(), run_button)
            .on_hover_text(format!(
                "Validate the configuration and run the sweep.  ({} or {})",
                ui.ctx().format_shortcut(&super::command::RUN),
                ui.ctx().format_shortcut(&super::command::RUN_F5)
            ))
            .on_disabled_hover_text(match (running, blocked) {
                (false, Some(blocked)) => {
                    format!("Cannot run until this is fixed: {}", blocked.reason)
                }
                _ => "A sweep is running.".to_string(),
            });
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
            None if blocked.is_some() => {
                let blocked = blocked.expect("checked");
                ui.colored_label(ui.visuals().warn_fg_color, &blocked.short)
                    .on_hover_text(&blocked.reason);
            }
            None => {
                let long = estimate.long_sweep_warning();
                let (words, hover) = estimate_texts(estimate);
                let label = match long {
                    Some(_) => ui.colored_label(ui.visuals().warn_fg_color, words),
                    None => ui.weak(words),
                };
                label.on_hover_text(hover);
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
    } else if run.runs_total == 0 {
        // Before `Started`: sizing the task, probing the interpreter.
        format!("starting · {} elapsed · {eta}", fmt_duration(elapsed))
    } else {
        let grew = if run.runs_total > run.runs_total_at_start && run.runs_total_at_start > 0 {
            " (more needed)"
        } else {
            ""
        };
        format!(
            "{} / {} runs{grew} · {} elapsed · {eta}",
            run.runs_done,
            run.runs_total,
            fmt_duration(elapsed)
        )
    };
    let hover = match run.runs_total_note() {
        Some(note) => format!("{note}\n\n{TIME_LEFT_HELP}"),
        None => TIME_LEFT_HELP.to_string(),
    };
    ui.add(
        egui::ProgressBar::new(frac)
            .text(text)
            .desired_width(ui.available_width().min(520.0)),
    )
    .on_hover_text(hover);
    if let Some((model, workers)) = run.current {
        ui.weak(format!("now: {model} × {workers}"));
    }
    super::help_mark::help_mark_text(ui, "(?)", DRAWING_COSTS_NAME, DRAWING_COSTS);
}

/// What the estimate next to Run is worked out from, and how far to trust it.
pub const ESTIMATE_HELP: &str = "Worked out from the experiment before anything runs: the time per run it asks for (a target time, or the waits of sleeping tasks), divided by what each model can run in parallel on this machine's cores, times the runs each cell takes (repetitions, minimum time, and the whole precision budget where a precision target is set), plus start-up and calibration. A rough figure: other programs' load, memory bandwidth and the interpreter's speed move it. A task sized in work units (a CPU size with no target time, a command, a Python function) has no known length until it runs; the progress bar then estimates the time left from the runs done.";

/// How the time left during a sweep is worked out.
pub const TIME_LEFT_HELP: &str = "Time left: it starts from the estimate shown beside Run before the sweep, and moves toward the pace measured as the timed runs come in (each cell's own runs, and how far off the estimate was for the cells timed so far). One-off costs (sizing the task, starting processes or interpreters, warm-ups) are counted once, not for every run. The total of runs can grow during the sweep: a cell of short runs takes more until they add up to the minimum time, and a cell with a precision target takes more until its median is that precise or its budget is spent.";

/// The name of the "(?)" beside the progress bar, for a screen reader.
pub const DRAWING_COSTS_NAME: &str = "How drawing the window affects the measurements";

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
            warmups: 1,
            timed,
            timed_s: per_run * timed as f64,
            expected,
        }
    }

    #[test]
    fn a_growing_run_count_says_which_cells_need_more_and_why() {
        let experiment = Experiment {
            repetitions: 5,
            min_time_s: 0.5,
            precision: 0.02,
            precision_budget_s: 1.5,
            ..Experiment::default()
        };
        let rules = RunCount::of(&experiment);
        let cells = [
            cell(ModelKind::Sequential, 1, 6, 0.25, 6),
            cell(ModelKind::Threads, 2, 6, 0.125, 12),
        ];
        assert_eq!(runs_total_note(49, 49, 6, &cells, rules), None);
        let note = runs_total_note(49, 56, 6, &cells, rules).unwrap();
        assert!(
            note.starts_with("The total grew from 49 to 56 runs since the sweep started."),
            "{note}"
        );
        assert!(note.contains("threads × 2: 12 timed runs"), "{note}");
        assert!(!note.contains("sequential × 1"), "{note}");
        // 0.125 s runs fill the 0.5 s minimum in 4: the precision target asked for the rest.
        assert!(!note.contains("minimum time"), "{note}");
        assert!(note.contains("±2.0% takes more runs"), "{note}");
        assert!(note.contains("1.5 s precision budget"), "{note}");
        // 0.05 s runs need 10 for the minimum time: that rule is named, not the target.
        let short = [cell(ModelKind::Threads, 2, 6, 0.05, 10)];
        let note = runs_total_note(49, 53, 6, &short, rules).unwrap();
        assert!(note.contains("minimum time of 0.5 s"), "{note}");
        assert!(!note.contains("precision"), "{note}");
        // Before any grown cell is timed, both rules the experiment has may.
        let note = runs_total_note(49, 53, 6, &[], rules).unwrap();
        assert!(
            note.contains("minimum time") && note.contains("precision"),
            "{note}"
        );
        // Without a minimum time or a precision target, neither is given as the reason.
        let plain = RunCount::of(&Experiment {
            min_time_s: 0.0,
            precision: 0.0,
            ..experiment
        });
        let note = runs_total_note(49, 45, 6, &cells, plain).unwrap();
        assert!(note.starts_with("The total shrank from 49 to 45"), "{note}");
        assert!(!note.contains("minimum time"), "{note}");
        assert!(!note.contains("precision"), "{note}");
    }

    #[test]
    fn the_estimate_notes_a_target_that_cannot_add_runs() {
        let mut exp = crate::preset::find_builtin("python-gil-vs-processes")
            .unwrap()
            .experiment()
            .unwrap();
        exp.workers = vec![1, 2];
        let estimate = crate::engine::estimate::estimate(&exp, 2);
        let t = estimate.target_without_room.clone().unwrap();
        let (words, hover) = estimate_texts(&estimate);
        assert!(
            words.starts_with(&estimate.words())
                && words.ends_with(&format!(
                    "; the ±2.0% target cannot add runs to {} of 10 cells",
                    t.cells
                )),
            "{words}"
        );
        assert!(
            hover.starts_with("Note: The ±2.0% precision target cannot add a run to "),
            "{hover}"
        );
        assert!(hover.ends_with(ESTIMATE_HELP), "{hover}");
        // With room for every cell: the estimate alone.
        exp.precision_budget_s = t.budget_with_room_s;
        let estimate = crate::engine::estimate::estimate(&exp, 2);
        assert_eq!(
            estimate_texts(&estimate),
            (estimate.words(), ESTIMATE_HELP.to_string())
        );
    }

    /// Where every cell the target cannot help mostly waits on a timer (the I/O presets), the
    /// note leaves the words beside Run and stays in the hover, as information.
    #[test]
    fn a_target_without_room_for_waiting_cells_is_information_in_the_hover() {
        let exp = crate::preset::find_builtin("io-threads-vs-processes")
            .unwrap()
            .experiment()
            .unwrap();
        let estimate = crate::engine::estimate::estimate(&exp, 2);
        let t = estimate.target_without_room.clone().unwrap();
        assert!(!t.may_cost_precision(), "{t:?}");
        let (words, hover) = estimate_texts(&estimate);
        assert_eq!(words, estimate.words());
        assert!(
            hover.starts_with(&format!(
                "About the precision target: The ±2.0% precision target cannot add a run to {} of 13 cells",
                t.cells
            )),
            "{hover}"
        );
        assert!(
            hover.contains("Their runs mostly wait on a timer, whose length varies far less than ±2.0% from run to run, so they usually agree within it anyway.\n\n"),
            "{hover}"
        );
        assert!(hover.ends_with(ESTIMATE_HELP), "{hover}");
        // One cell that computes brings the note back beside Run.
        let computing = crate::engine::estimate::SweepEstimate {
            target_without_room: Some(crate::engine::estimate::TargetWithoutRoom {
                waiting: t.cells - 1,
                ..t.clone()
            }),
            ..estimate.clone()
        };
        let (words, hover) = estimate_texts(&computing);
        assert!(
            words.ends_with(&format!(
                "; the ±2.0% target cannot add runs to {} of 13 cells",
                t.cells
            )),
            "{words}"
        );
        assert!(hover.starts_with("Note: "), "{hover}");
    }

    /// A Python function's sweep: the bound beside Run is the whole of what the engine's
    /// limits allow (every run at the timeout, every start-up and module import at its own
    /// limit), and the hover says what it is made of.
    #[test]
    fn a_function_sweep_states_a_bound_from_the_timeout_and_the_start_up_limits() {
        let mut exp = Experiment {
            models: vec![ModelKind::PyThreading],
            workers: vec![1, 2],
            repetitions: 5,
            warmups: 1,
            min_time_s: 0.0,
            precision: 0.0,
            target_run_s: 0.0,
            timeout_s: 30.0,
            baseline: crate::preset::Baseline::SameModelOneWorker,
            ..Experiment::default()
        };
        exp.task.kind = crate::preset::TaskKind::Function;
        let estimate = crate::engine::estimate::estimate(&exp, 2);
        // 2 cells × (6 runs × 30 s + 60 s to start the interpreter + 60 s to import): 10 min.
        let (words, hover) = estimate_texts(&estimate);
        assert_eq!(
            words,
            "2 cells; time unknown until it runs (at most about 10 min)"
        );
        assert_eq!(
            hover,
            format!(
                "Unknown here: a Python function's runs last as long as it does. At most about \
                 10 min: every run is stopped at the 30 s timeout (timeout_s), about 6 min of \
                 runs at most; and every cell's start-up at limits of its own (60 s for a \
                 Python interpreter and its pool; 60 s more to import the function's module), \
                 about 4 min of start-ups at most.\n\n{ESTIMATE_HELP}"
            )
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(fmt_duration(Duration::from_secs(245)), "4 min 05 s");
        assert_eq!(fmt_duration(Duration::from_secs(3720)), "1 h 02 min");
    }
}

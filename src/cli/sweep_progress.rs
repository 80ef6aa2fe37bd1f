//! `corelab run`'s progress while a sweep runs, from the sweep's events: the phase (a cell's
//! executor starting, the warm-ups, the timed round and how many rounds are expected), the
//! runs done of the runs expected, and the time left by the same estimator as the
//! workbench's progress bar ([`TimeLeft`]), counting down from the estimate `run` printed
//! before the sweep (the recorded runs' when it runs a results file again). The interleaved
//! rounds complete every cell only in the last one, so without it a long sweep said nothing
//! from its first line to its table.
//!
//! On a terminal it is one status line on stderr, rewritten in place and cleared before any
//! other line is printed; elsewhere (a pipe, a CI log) a plain line after the first round,
//! then at most one every [`PLAIN_EVERY`]. Fed with the caller's clock, it reads none itself,
//! so that tests can script a sweep.

use std::time::Duration;

use crate::engine::SweepEvent;
use crate::engine::estimate::{PlannedCost, about_duration};
use crate::engine::time_left::TimeLeft;
use crate::preset::{Experiment, ModelKind};

/// The fewest seconds between two plain progress lines.
pub const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// The fewest seconds between two redraws of the terminal's status line while its phase stays
/// the same (a sweep of short runs sends hundreds of events a second).
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// Erases the terminal's current line and returns to its start.
const ERASE_LINE: &str = "\r\x1b[2K";

/// Where the progress goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressStyle {
    /// A terminal: one status line rewritten in place.
    StatusLine,
    /// A pipe or a file: plain lines, now and then.
    PlainLines,
    /// Nowhere (`--quiet`): the counts are still kept, for the cells' own lines.
    Hidden,
}

/// What the sweep is doing, as far as its events tell.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Before the first cell's executor starts (the calibration, the interpreter's probe).
    Preparing,
    /// Starting the executor of a cell: which, and its place in the plan.
    Starting {
        model: ModelKind,
        workers: usize,
        nth: usize,
    },
    WarmUps,
    /// A timed round: its number from 1.
    Round(usize),
    /// `Finished`, or every cell done: nothing more to show.
    Over,
}

/// The cells of the plan, and how many are done: what each cell's line is numbered by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CellsDone {
    pub done: usize,
    pub of: usize,
}

/// The progress of one sweep, event by event: a small state machine whose state is the
/// [`Phase`], moved on by each event ([`SweepProgress::phase_after`]), and the counts the
/// events carry.
#[derive(Debug)]
pub struct SweepProgress {
    style: ProgressStyle,
    time_left: TimeLeft,
    /// The warm-ups each cell runs before the timed rounds.
    warmups: usize,
    phase: Phase,
    cells: CellsDone,
    /// Cells whose executor has started starting.
    cells_started: usize,
    runs_done: usize,
    runs_total: usize,
    rounds_done: usize,
    /// Timed runs done at the last `Progress`: a round is under way once one more ends.
    timed_seen: usize,
    /// The rounds the sweep is now expected to take: the most timed runs a cell expects.
    rounds_expected: usize,
    /// Terminal: what is on screen now (`None` when the line is clear).
    shown: Option<Shown>,
    /// Plain lines: when the last one was written.
    last_plain: Option<Duration>,
}

/// The status line on a terminal: its text, the phase it showed, and when it was drawn.
#[derive(Debug)]
struct Shown {
    text: String,
    phase: Phase,
    at: Duration,
}

impl SweepProgress {
    /// For a sweep of `exp` shown in `style`, counting down from `planned`: the estimate
    /// printed before it (see [`crate::engine::estimate::before_run`]), or `None` where the
    /// sweep's length is unknown until it runs.
    pub fn new(exp: &Experiment, planned: Option<PlannedCost>, style: ProgressStyle) -> Self {
        SweepProgress {
            style,
            time_left: TimeLeft::with_estimate(exp, planned),
            warmups: exp.warmups as usize,
            phase: Phase::Preparing,
            cells: CellsDone::default(),
            cells_started: 0,
            runs_done: 0,
            runs_total: 0,
            rounds_done: 0,
            timed_seen: 0,
            rounds_expected: 0,
            shown: None,
            last_plain: None,
        }
    }

    /// Takes in one event, which came at `now` on the caller's clock (started with the sweep).
    pub fn observe(&mut self, event: &SweepEvent, now: Duration) {
        self.time_left.observe(event, now);
        let phase = self.phase_after(event);
        self.count(event, phase);
        self.phase = phase;
    }

    /// The cells done so far, of the plan's.
    pub fn cells(&self) -> CellsDone {
        self.cells
    }

    /// The phase that `event` leads to from the present one (the counts are those before it).
    fn phase_after(&self, event: &SweepEvent) -> Phase {
        match (self.phase, event) {
            (Phase::Over, _) | (_, SweepEvent::Finished(_)) => Phase::Over,
            // Every cell's line printed: the table follows.
            (_, SweepEvent::CellDone(_)) if self.cells.done + 1 >= self.cells.of => Phase::Over,
            // Before the first timed round a cell's executor is starting; later the event
            // names a cell's next timed run.
            (
                Phase::Preparing | Phase::Starting { .. },
                SweepEvent::CellStarted { model, workers },
            ) if self.rounds_done == 0 => Phase::Starting {
                model: *model,
                workers: *workers,
                nth: self.cells_started + 1,
            },
            (phase, SweepEvent::Progress { cells, .. }) => {
                let timed: usize = cells.iter().map(|c| c.timed).sum();
                // Cells still running (a failed one expects no more runs than it has).
                let warming = cells
                    .iter()
                    .any(|c| c.expected > c.timed && c.warmups < self.warmups);
                match phase {
                    _ if timed == 0 && warming => Phase::WarmUps,
                    // The report after a round's end is still that round's.
                    Phase::Round(_) if timed <= self.timed_seen => phase,
                    _ => Phase::Round(self.rounds_done + 1),
                }
            }
            (phase, _) => phase,
        }
    }

    /// Takes in the counts `event` carries, as the sweep moves to `phase`.
    fn count(&mut self, event: &SweepEvent, phase: Phase) {
        match event {
            SweepEvent::Started {
                plan, runs_total, ..
            } => {
                self.cells.of = plan.len();
                self.runs_total = *runs_total;
            }
            SweepEvent::CellStarted { .. } if matches!(phase, Phase::Starting { .. }) => {
                self.cells_started += 1;
            }
            SweepEvent::Progress {
                runs_done,
                runs_total,
                cells,
                ..
            } if self.phase != Phase::Over => {
                self.runs_done = *runs_done;
                self.runs_total = *runs_total;
                self.rounds_expected = cells.iter().map(|c| c.expected).max().unwrap_or(0);
                self.timed_seen = cells.iter().map(|c| c.timed).sum();
            }
            SweepEvent::RoundDone { round, .. } => self.rounds_done = *round,
            SweepEvent::CellDone(_) => self.cells.done += 1,
            _ => {}
        }
    }

    /// The status at `now`: "round 2 of 4 · 37 of 64 runs · ~12 s left"; `None` before the
    /// sweep started and after it finished.
    pub fn status(&self, now: Duration) -> Option<String> {
        let doing = match self.phase {
            Phase::Preparing | Phase::Over => return None,
            Phase::Starting {
                model,
                workers,
                nth,
            } => format!(
                "starting {model} × {workers} (cell {nth} of {})",
                self.cells.of
            ),
            Phase::WarmUps => "warm-ups".to_string(),
            Phase::Round(r) => {
                let r = r.min(self.rounds_expected.max(1));
                format!("round {r} of {}", self.rounds_expected.max(r))
            }
        };
        let runs = format!(
            "{} of {}",
            self.runs_done,
            crate::words::count(self.runs_total, "run")
        );
        let left = match self.time_left.remaining(now) {
            Some(d) => format!("~{} left", about_duration(d.as_secs_f64())),
            None => "time left not known yet".to_string(),
        };
        Some(format!("{doing} · {runs} · {left}"))
    }

    /// What to write to stderr at `now`, if anything: on a terminal the status line redrawn
    /// (no newline: it stays in place) when its text changed (at most every
    /// [`REDRAW_EVERY`] within a phase); elsewhere a plain line after the first round and then
    /// at most every [`PLAIN_EVERY`]; nothing when hidden.
    pub fn update(&mut self, now: Duration) -> Option<String> {
        if self.style == ProgressStyle::Hidden {
            return None;
        }
        let text = self.status(now)?;
        match self.style {
            ProgressStyle::StatusLine => {
                if let Some(shown) = &self.shown {
                    let too_soon =
                        shown.phase == self.phase && now.saturating_sub(shown.at) < REDRAW_EVERY;
                    if shown.text == text || too_soon {
                        return None;
                    }
                }
                self.shown = Some(Shown {
                    text: text.clone(),
                    phase: self.phase,
                    at: now,
                });
                Some(format!("{ERASE_LINE}{text}"))
            }
            ProgressStyle::PlainLines => {
                let due = match self.last_plain {
                    None => self.rounds_done > 0 || now >= PLAIN_EVERY,
                    Some(at) => now.saturating_sub(at) >= PLAIN_EVERY,
                };
                if !due {
                    return None;
                }
                self.last_plain = Some(now);
                Some(format!("progress: {text}\n"))
            }
            ProgressStyle::Hidden => None,
        }
    }

    /// What erases the status line before another line is printed (and the summary table);
    /// `None` when nothing is on screen. The next [`update`](Self::update) draws it again.
    pub fn clear(&mut self) -> Option<&'static str> {
        self.shown.take().map(|_| ERASE_LINE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CellProgress;

    const THREADS: ModelKind = ModelKind::Threads;
    const SEQ: ModelKind = ModelKind::Sequential;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn experiment() -> Experiment {
        Experiment {
            repetitions: 2,
            warmups: 1,
            min_time_s: 0.0,
            precision: 0.0,
            ..Experiment::default()
        }
    }

    /// No estimate before the run: the time left comes from the runs measured alone.
    fn progress(style: ProgressStyle) -> SweepProgress {
        SweepProgress::new(&experiment(), None, style)
    }

    fn cell(model: ModelKind, warmups: usize, timed: usize, expected: usize) -> CellProgress {
        CellProgress {
            model,
            workers: 1,
            warmups,
            timed,
            timed_s: timed as f64,
            expected,
        }
    }

    fn report(runs_done: usize, elapsed: f64, cells: Vec<CellProgress>) -> SweepEvent {
        SweepEvent::Progress {
            runs_done,
            runs_total: 6,
            elapsed: secs(elapsed),
            cells,
        }
    }

    /// Two cells, 1 warm-up and 2 timed runs of 1 s each, every run reported; `at` is called
    /// after every event with the event's time, and the texts it returns are collected.
    fn scripted_sweep(p: &mut SweepProgress, at: &mut dyn FnMut(&mut SweepProgress, f64)) {
        let mut feed = |p: &mut SweepProgress, e: SweepEvent, t: f64| {
            p.observe(&e, secs(t));
            at(p, t);
        };
        let plan = vec![(SEQ, 1), (THREADS, 1)];
        feed(
            p,
            SweepEvent::Started {
                plan,
                runs_total: 6,
                timed_per_cell: 2,
            },
            0.0,
        );
        feed(
            p,
            SweepEvent::CellStarted {
                model: SEQ,
                workers: 1,
            },
            0.0,
        );
        feed(
            p,
            SweepEvent::CellStarted {
                model: THREADS,
                workers: 1,
            },
            0.5,
        );
        feed(
            p,
            report(0, 1.0, vec![cell(SEQ, 0, 0, 2), cell(THREADS, 0, 0, 2)]),
            1.0,
        );
        feed(
            p,
            report(1, 2.0, vec![cell(SEQ, 1, 0, 2), cell(THREADS, 0, 0, 2)]),
            2.0,
        );
        feed(
            p,
            report(2, 3.0, vec![cell(SEQ, 1, 0, 2), cell(THREADS, 1, 0, 2)]),
            3.0,
        );
        for round in 1..=2 {
            let t = 3.0 + 2.0 * (round - 1) as f64;
            feed(
                p,
                SweepEvent::CellStarted {
                    model: SEQ,
                    workers: 1,
                },
                t,
            );
            feed(
                p,
                report(
                    2 * round + 1,
                    t + 1.0,
                    vec![cell(SEQ, 1, round, 2), cell(THREADS, 1, round - 1, 2)],
                ),
                t + 1.0,
            );
            feed(
                p,
                report(
                    2 * round + 2,
                    t + 2.0,
                    vec![cell(SEQ, 1, round, 2), cell(THREADS, 1, round, 2)],
                ),
                t + 2.0,
            );
            feed(
                p,
                SweepEvent::RoundDone {
                    round,
                    cells: Vec::new(),
                    warnings: Vec::new(),
                },
                t + 2.0,
            );
        }
    }

    #[test]
    fn the_status_names_the_phase_the_runs_and_the_time_left() {
        let mut p = progress(ProgressStyle::StatusLine);
        assert_eq!(p.status(secs(0.0)), None, "nothing before the sweep starts");
        let mut seen = Vec::new();
        scripted_sweep(&mut p, &mut |p, t| seen.extend(p.status(secs(t))));
        let expected = [
            "starting sequential × 1 (cell 1 of 2) · 0 of 6 runs · time left not known yet",
            "starting threads × 1 (cell 2 of 2) · 0 of 6 runs · time left not known yet",
            "warm-ups · 0 of 6 runs · time left not known yet",
            // A warm-up of 1 s sets the pace until a run is timed: 4 timed runs and the
            // other warm-up left.
            "warm-ups · 1 of 6 runs · ~5 s left",
            // Every cell warmed up: the first round is on.
            "round 1 of 2 · 2 of 6 runs · ~4 s left",
            "round 1 of 2 · 2 of 6 runs · ~4 s left",
            "round 1 of 2 · 3 of 6 runs · ~3 s left",
            "round 1 of 2 · 4 of 6 runs · ~2 s left",
            "round 1 of 2 · 4 of 6 runs · ~2 s left",
            "round 1 of 2 · 4 of 6 runs · ~2 s left",
            "round 2 of 2 · 5 of 6 runs · ~1 s left",
            "round 2 of 2 · 6 of 6 runs · ~1 s left",
            "round 2 of 2 · 6 of 6 runs · ~1 s left",
        ];
        assert_eq!(seen, expected);
    }

    #[test]
    fn the_status_line_is_rewritten_in_place_and_cleared_before_other_lines() {
        let mut p = progress(ProgressStyle::StatusLine);
        let mut drawn = Vec::new();
        scripted_sweep(&mut p, &mut |p, t| drawn.extend(p.update(secs(t))));
        assert!(!drawn.is_empty());
        for d in &drawn {
            assert!(d.starts_with("\r\x1b[2K"), "{d:?}");
            assert!(!d.contains('\n'), "it stays on its line: {d:?}");
        }
        // Each text once: an unchanged line is not drawn again.
        let mut texts: Vec<&String> = drawn.iter().collect();
        texts.dedup();
        assert_eq!(texts.len(), drawn.len(), "{drawn:?}");
        assert_eq!(
            drawn.last().map(String::as_str),
            Some("\r\x1b[2Kround 2 of 2 · 6 of 6 runs · ~1 s left")
        );
        // Cleared once before a cell's line; nothing to clear after.
        assert_eq!(p.clear(), Some("\r\x1b[2K"));
        assert_eq!(p.clear(), None);
        // And drawn again after it, until the sweep has finished.
        assert!(p.update(secs(7.0)).is_some());
        p.observe(&SweepEvent::Finished(Box::default()), secs(7.5));
        assert_eq!(p.status(secs(7.5)), None);
        assert_eq!(p.update(secs(8.0)), None);
    }

    #[test]
    fn a_status_line_within_one_phase_is_redrawn_at_most_five_times_a_second() {
        let mut p = progress(ProgressStyle::StatusLine);
        p.observe(
            &SweepEvent::Started {
                plan: vec![(SEQ, 1)],
                runs_total: 6,
                timed_per_cell: 2,
            },
            secs(0.0),
        );
        p.observe(&report(2, 0.0, vec![cell(SEQ, 1, 1, 4)]), secs(0.0));
        assert!(p.update(secs(0.0)).is_some());
        p.observe(&report(3, 0.05, vec![cell(SEQ, 1, 1, 4)]), secs(0.05));
        assert_eq!(p.update(secs(0.05)), None, "too soon");
        assert!(
            p.update(secs(0.25)).is_some(),
            "its text changed, and 0.2 s passed"
        );
        // A new round is shown at once.
        p.observe(
            &SweepEvent::RoundDone {
                round: 1,
                cells: Vec::new(),
                warnings: Vec::new(),
            },
            secs(0.3),
        );
        // The report that follows a round's end is still that round's.
        p.observe(&report(3, 0.3, vec![cell(SEQ, 1, 1, 4)]), secs(0.3));
        let status = p.status(secs(0.3)).unwrap();
        assert!(status.starts_with("round 1 of 4"), "{status}");
        p.observe(&report(4, 0.3, vec![cell(SEQ, 1, 2, 4)]), secs(0.3));
        let drawn = p.update(secs(0.3));
        assert!(
            drawn.as_deref().is_some_and(|d| d.contains("round 2 of 4")),
            "{drawn:?}"
        );
    }

    #[test]
    fn plain_lines_come_after_the_first_round_then_at_most_every_ten_seconds() {
        let mut p = progress(ProgressStyle::PlainLines);
        let mut lines = Vec::new();
        scripted_sweep(&mut p, &mut |p, t| lines.extend(p.update(secs(t))));
        // The first round ended at 5 s; the second at 7 s, too soon for another.
        assert_eq!(
            lines,
            ["progress: round 1 of 2 · 4 of 6 runs · ~2 s left\n"]
        );
        assert_eq!(p.clear(), None, "plain lines are never erased");
        assert_eq!(p.update(secs(14.0)), None);
        assert_eq!(
            p.update(secs(15.0)).as_deref(),
            Some("progress: round 2 of 2 · 6 of 6 runs · ~1 s left\n")
        );
    }

    #[test]
    fn a_slow_start_up_is_shown_in_plain_lines_too() {
        let mut p = progress(ProgressStyle::PlainLines);
        p.observe(
            &SweepEvent::Started {
                plan: vec![(ModelKind::PyDask, 2)],
                runs_total: 3,
                timed_per_cell: 2,
            },
            secs(0.0),
        );
        p.observe(
            &SweepEvent::CellStarted {
                model: ModelKind::PyDask,
                workers: 2,
            },
            secs(0.0),
        );
        assert_eq!(p.update(secs(1.0)), None);
        assert_eq!(
            p.update(secs(10.0)).as_deref(),
            Some(
                "progress: starting py-dask × 2 (cell 1 of 1) · 0 of 3 runs · time left not \
                 known yet\n"
            )
        );
    }

    fn started(p: &mut SweepProgress) {
        p.observe(
            &SweepEvent::Started {
                plan: vec![(SEQ, 1), (THREADS, 1)],
                runs_total: 6,
                timed_per_cell: 2,
            },
            secs(0.0),
        );
        p.observe(
            &SweepEvent::CellStarted {
                model: SEQ,
                workers: 1,
            },
            secs(0.0),
        );
    }

    /// The line counts down from the figure `run` printed before the sweep; for a results file
    /// run again, the recorded runs' figure, where the preset alone has none.
    #[test]
    fn the_time_left_starts_from_the_estimate_printed_before_the_sweep() {
        use crate::engine::estimate::{before_run, estimate_from_recorded};
        use crate::results::{CellResult, ResultsFile};
        let mut exp = experiment();
        // Sized in work units: its length is unknown until it runs.
        exp.task.kind = crate::preset::TaskKind::Cpu;
        exp.target_run_s = 0.0;
        exp.models = vec![SEQ, THREADS];
        exp.workers = vec![1];
        let (printed, planned) = before_run(&exp, 2, None);
        assert!(printed.seconds.is_err());
        let mut p = SweepProgress::new(&exp, planned, ProgressStyle::PlainLines);
        started(&mut p);
        assert_eq!(
            p.status(secs(0.0)).as_deref(),
            Some("starting sequential × 1 (cell 1 of 2) · 0 of 6 runs · time left not known yet")
        );
        // Run again from a results file whose runs took 2 s and 1 s, each started in 0.5 s:
        // 1 warm-up and 2 timed runs a cell.
        let cell = |model, median: f64| CellResult {
            model: Some(model),
            workers: 1,
            startup_s: Some(0.5),
            wall: crate::stats::summarize(&[median, median, median]),
            ..CellResult::default()
        };
        let recorded = ResultsFile {
            cells: vec![cell(SEQ, 2.0), cell(THREADS, 1.0)],
            ..ResultsFile::default()
        };
        let (printed, planned) = before_run(&exp, 2, Some(&recorded));
        assert_eq!(printed, estimate_from_recorded(&exp, &recorded));
        assert_eq!(printed.seconds, Ok(10.0));
        let mut p = SweepProgress::new(&exp, planned, ProgressStyle::PlainLines);
        started(&mut p);
        assert_eq!(
            p.status(secs(0.0)).as_deref(),
            Some("starting sequential × 1 (cell 1 of 2) · 0 of 6 runs · ~10 s left")
        );
        // The start-ups pass: 9 s of runs left.
        assert_eq!(
            p.status(secs(1.0)).as_deref(),
            Some("starting sequential × 1 (cell 1 of 2) · 0 of 6 runs · ~9 s left")
        );
    }

    /// `--quiet`: nothing is written, yet the cells done are counted, for the cells' lines.
    #[test]
    fn hidden_progress_writes_nothing_and_still_counts_the_cells_done() {
        let mut p = progress(ProgressStyle::Hidden);
        let mut written = Vec::new();
        scripted_sweep(&mut p, &mut |p, t| written.extend(p.update(secs(t))));
        assert_eq!(written, Vec::<String>::new());
        assert_eq!(p.update(secs(30.0)), None);
        assert_eq!(p.clear(), None);
        assert_eq!(p.cells(), CellsDone { done: 0, of: 2 });
        p.observe(&SweepEvent::CellDone(Box::default()), secs(7.0));
        assert_eq!(p.cells(), CellsDone { done: 1, of: 2 });
        assert!(p.status(secs(7.0)).is_some(), "one cell still to come");
        p.observe(&SweepEvent::CellDone(Box::default()), secs(7.0));
        assert_eq!(p.cells(), CellsDone { done: 2, of: 2 });
        assert_eq!(
            p.status(secs(7.0)),
            None,
            "every cell done: the table follows"
        );
    }

    /// The phase is a value: each cell's start-up is a phase of its own, drawn at once on a
    /// terminal however soon it follows the last, while a change within a phase waits.
    #[test]
    fn a_new_phase_is_drawn_at_once_and_a_change_within_one_waits() {
        let mut p = progress(ProgressStyle::StatusLine);
        started(&mut p);
        assert!(p.update(secs(0.0)).is_some());
        p.observe(
            &SweepEvent::CellStarted {
                model: THREADS,
                workers: 1,
            },
            secs(0.01),
        );
        assert_eq!(
            p.update(secs(0.01)).as_deref(),
            Some(
                "\r\x1b[2Kstarting threads × 1 (cell 2 of 2) · 0 of 6 runs · time left not known yet"
            )
        );
        // Warm-ups: a phase of its own, then its run counts within it.
        p.observe(
            &report(0, 0.02, vec![cell(SEQ, 0, 0, 2), cell(THREADS, 0, 0, 2)]),
            secs(0.02),
        );
        assert!(
            p.update(secs(0.02))
                .is_some_and(|d| d.contains("warm-ups · 0 of 6"))
        );
        p.observe(
            &report(1, 0.05, vec![cell(SEQ, 1, 0, 2), cell(THREADS, 0, 0, 2)]),
            secs(0.05),
        );
        assert_eq!(p.update(secs(0.05)), None, "the same phase, too soon");
        assert!(
            p.update(secs(0.25))
                .is_some_and(|d| d.contains("warm-ups · 1 of 6"))
        );
    }
}

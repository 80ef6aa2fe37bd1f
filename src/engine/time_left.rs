//! The time a running sweep has left, as the workbench's progress bar shows it.
//!
//! It starts from the estimate shown before the run ([`super::estimate::planned_cost`], cell by
//! cell) and moves toward what the sweep measures as its timed runs come in: each cell's runs
//! cost a blend of the estimate (corrected by how far off it was for the cells timed so far)
//! and the cell's own mean, which wins as its runs accumulate. One-off costs are kept apart
//! from the cost per run: the calibration, each executor's start-up and the warm-ups are
//! counted once, for what is still to come of them, and never multiplied onto every run left
//! (early in a run that made the figure 3–6 times too high). What does run between timed
//! runs (sampling the load, drawing the window, rounds ending) is measured over the timed
//! runs alone and added to each run left.
//!
//! Fed with the sweep's events and the clock of the caller ([`TimeLeft::observe`]), it reads
//! no clock itself, so that tests can script a whole sweep.

use std::time::Duration;

use crate::preset::{Experiment, ModelKind};

use super::estimate::{PlannedCost, planned_cost, timed_runs};
use super::event::{CellProgress, SweepEvent};

/// How many timed runs the estimate counts for in a cell's cost per run: after one run the
/// cell's own mean and the (corrected) estimate weigh the same; after four, the runs weigh 80%.
const ESTIMATE_WEIGHT: f64 = 1.0;

/// Timed runs a cell needs before its spread says how many runs a precision target will take
/// (the run count's judgement, [`super::run_count::RunCount::expected`], is a guess before).
const RUNS_TO_JUDGE: usize = 3;

/// The time left of one sweep, updated event by event.
#[derive(Clone, Debug)]
pub struct TimeLeft {
    exp: Experiment,
    /// The estimate before the run, cell by cell; `None` when the task's length is unknown
    /// until it runs (then only what the sweep measures counts).
    prior: Option<PlannedCost>,
    plan: Vec<(ModelKind, usize)>,
    timed_per_cell: usize,
    /// The caller's clock when `Started` came (the calibration is over then).
    started_at: Option<Duration>,
    /// The caller's clock when the last `Progress` came, and the sweep's own clock in it.
    progress_at: Option<Duration>,
    elapsed_s: f64,
    /// The sweep's clock when its first timed run began.
    timed_from_s: Option<f64>,
    cells: Vec<CellProgress>,
    /// Each cell's warm-ups: their count and summed seconds (the time between the progress
    /// reports around each).
    warmups: Vec<((ModelKind, usize), usize, f64)>,
    /// [`Self::left_at_last_progress`], worked out when an event changes it (asked for every
    /// frame, it walks every cell of the plan).
    left_at_progress: Option<f64>,
}

impl TimeLeft {
    /// For a sweep of `exp` on `cores` cores, starting from the estimate shown before it.
    pub fn new(exp: &Experiment, cores: usize) -> Self {
        Self::with_estimate(exp, planned_cost(exp, cores).ok())
    }

    /// For a sweep of `exp` that the estimate `prior` (or none) was made for.
    pub fn with_estimate(exp: &Experiment, prior: Option<PlannedCost>) -> Self {
        TimeLeft {
            exp: exp.clone(),
            prior,
            plan: Vec::new(),
            timed_per_cell: 0,
            started_at: None,
            progress_at: None,
            elapsed_s: 0.0,
            timed_from_s: None,
            cells: Vec::new(),
            warmups: Vec::new(),
            left_at_progress: None,
        }
    }

    /// Takes in one event of the sweep, which arrived at `now` on the caller's clock (started
    /// when the sweep was).
    pub fn observe(&mut self, event: &SweepEvent, now: Duration) {
        match event {
            SweepEvent::Started {
                plan,
                timed_per_cell,
                ..
            } => {
                self.plan = plan.clone();
                self.timed_per_cell = *timed_per_cell;
                self.started_at = Some(now);
            }
            SweepEvent::Progress { elapsed, cells, .. } => {
                let elapsed_s = elapsed.as_secs_f64();
                let timed: usize = cells.iter().map(|c| c.timed).sum();
                if self.timed_from_s.is_none() && timed > 0 {
                    let timed_s: f64 = cells.iter().map(|c| c.timed_s).sum();
                    // The report before the first timed run ended the run before it.
                    self.timed_from_s = Some(match self.progress_at {
                        Some(_) => self.elapsed_s,
                        None => elapsed_s - timed_s,
                    });
                }
                if self.progress_at.is_some() {
                    let between = (elapsed_s - self.elapsed_s).max(0.0);
                    for c in cells {
                        let before = self.own(c.model, c.workers).map_or(0, |p| p.warmups);
                        if c.warmups > before {
                            self.add_warmups(c, c.warmups - before, between);
                        }
                    }
                }
                self.cells = cells.clone();
                self.elapsed_s = elapsed_s;
                self.progress_at = Some(now);
            }
            _ => return,
        }
        if self.progress_at.is_some() {
            self.left_at_progress = self.left_at_last_progress();
        }
    }

    /// The time left at `now` on the caller's clock, or `None` when nothing tells yet (a task
    /// whose length is unknown before it runs, before any of its runs ended).
    pub fn remaining(&self, now: Duration) -> Option<Duration> {
        let left_s = match self.progress_at {
            Some(at) => self.left_at_progress? - since(now, at),
            None => {
                let prior = self.prior.as_ref()?;
                let sweep_s = prior.seconds() - prior.calibration_s;
                match self.started_at {
                    // Calibrating: the calibration left, then the whole sweep.
                    None => sweep_s + (prior.calibration_s - now.as_secs_f64()).max(0.0),
                    // Starting the executors: what is left of their start-up, then the runs.
                    Some(at) => {
                        let startup: f64 = prior.cells.iter().map(|c| c.startup_s).sum();
                        sweep_s - since(now, at).min(startup)
                    }
                }
            }
        };
        Some(Duration::from_secs_f64(left_s.max(0.0)))
    }

    /// The seconds the sweep had left when its last progress report came.
    fn left_at_last_progress(&self) -> Option<f64> {
        let timed_runs_done: usize = self.cells.iter().map(|c| c.timed).sum();
        let timed_s: f64 = self.cells.iter().map(|c| c.timed_s).sum();
        // What runs between timed runs, per timed run.
        let gap = match self.timed_from_s {
            Some(from) if timed_runs_done > 0 => {
                ((self.elapsed_s - from - timed_s) / timed_runs_done as f64).max(0.0)
            }
            _ => 0.0,
        };
        let plan: Vec<(ModelKind, usize)> = match (&self.plan, &self.prior) {
            (plan, _) if !plan.is_empty() => plan.clone(),
            (_, Some(prior)) => prior.cells.iter().map(|c| (c.model, c.workers)).collect(),
            _ => return None,
        };
        let mut left = 0.0;
        for (model, workers) in plan {
            let own = self.own(model, workers);
            if own.is_some_and(|c| c.expected <= c.timed) {
                // Done, failed or cancelled.
                continue;
            }
            let cost = self.run_cost(model, workers)?;
            let planned = self.prior.is_some().then(|| timed_runs(&self.exp, cost));
            let timed_left = match (own, planned) {
                (Some(c), Some(planned)) if c.timed < RUNS_TO_JUDGE => {
                    c.expected.max(planned) - c.timed
                }
                (Some(c), _) => c.expected - c.timed,
                (None, Some(planned)) => planned,
                (None, None) => self.timed_per_cell,
            };
            let warmups_left =
                (self.exp.warmups as usize).saturating_sub(own.map_or(0, |c| c.warmups));
            left += (warmups_left + timed_left) as f64 * (cost + gap);
            if own.is_none() {
                left += self.prior_cell(model, workers).map_or(0.0, |c| c.startup_s);
            }
        }
        Some(left)
    }

    /// What one run of the cell is expected to cost: its own mean blended with the estimate
    /// (corrected by the cells timed so far), or the estimate alone before it is timed; with
    /// no estimate, its own mean, else its model's nearest timed cell, its warm-ups, or the
    /// mean of every timed run.
    fn run_cost(&self, model: ModelKind, workers: usize) -> Option<f64> {
        let own = self.own(model, workers).filter(|c| c.timed > 0);
        let estimated = self
            .prior_cell(model, workers)
            .map(|c| c.run_s * self.correction(model));
        match (own, estimated) {
            (Some(c), Some(e)) => {
                Some((c.timed_s + ESTIMATE_WEIGHT * e) / (c.timed as f64 + ESTIMATE_WEIGHT))
            }
            (Some(c), None) => Some(mean(c)),
            (None, Some(e)) => Some(e),
            (None, None) => self
                .cells
                .iter()
                .filter(|c| c.model == model && c.timed > 0)
                .min_by_key(|c| c.workers.abs_diff(workers))
                .map(mean)
                .or_else(|| {
                    self.warmups
                        .iter()
                        .find(|(cell, _, _)| *cell == (model, workers))
                        .map(|&(_, n, s)| s / n as f64)
                })
                .or_else(|| {
                    let n: usize = self.cells.iter().map(|c| c.timed).sum();
                    let s: f64 = self.cells.iter().map(|c| c.timed_s).sum();
                    (n > 0).then(|| s / n as f64)
                })
                .or_else(|| {
                    let n: usize = self.warmups.iter().map(|w| w.1).sum();
                    let s: f64 = self.warmups.iter().map(|w| w.2).sum();
                    (n > 0).then(|| s / n as f64)
                }),
        }
    }

    /// How much longer the timed runs took than estimated: over `model`'s timed cells, else
    /// over all timed cells, else 1.
    fn correction(&self, model: ModelKind) -> f64 {
        let ratio = |same_model: bool| {
            let (mut measured, mut estimated) = (0.0, 0.0);
            for c in self.cells.iter().filter(|c| c.timed > 0) {
                if same_model && c.model != model {
                    continue;
                }
                if let Some(p) = self.prior_cell(c.model, c.workers) {
                    measured += c.timed_s;
                    estimated += p.run_s * c.timed as f64;
                }
            }
            (estimated > 0.0 && measured > 0.0).then(|| measured / estimated)
        };
        ratio(true).or_else(|| ratio(false)).unwrap_or(1.0)
    }

    fn own(&self, model: ModelKind, workers: usize) -> Option<&CellProgress> {
        self.cells
            .iter()
            .find(|c| c.model == model && c.workers == workers)
    }

    fn prior_cell(&self, model: ModelKind, workers: usize) -> Option<&super::estimate::CellCost> {
        self.prior
            .as_ref()?
            .cells
            .iter()
            .find(|c| c.model == model && c.workers == workers)
    }

    fn add_warmups(&mut self, cell: &CellProgress, runs: usize, seconds: f64) {
        let key = (cell.model, cell.workers);
        match self.warmups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, n, s)) => {
                *n += runs;
                *s += seconds;
            }
            None => self.warmups.push((key, runs, seconds)),
        }
    }
}

fn mean(c: &CellProgress) -> f64 {
    c.timed_s / c.timed as f64
}

/// Seconds from `then` to `now` (0 if `now` is earlier).
fn since(now: Duration, then: Duration) -> f64 {
    now.saturating_sub(then).as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::estimate::CellCost;

    const SEQ: ModelKind = ModelKind::Sequential;
    const THREADS: ModelKind = ModelKind::Threads;
    const PY: ModelKind = ModelKind::PyMultiprocessing;

    fn experiment(repetitions: u32, warmups: u32) -> Experiment {
        Experiment {
            repetitions,
            warmups,
            min_time_s: 0.0,
            precision: 0.0,
            ..Experiment::default()
        }
    }

    fn cost(model: ModelKind, workers: usize, startup_s: f64, run_s: f64, runs: usize) -> CellCost {
        CellCost {
            model,
            workers,
            startup_s,
            run_s,
            waiting_share: 0.0,
            timed_runs: runs,
        }
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// A cell's progress: `warmups` warm-ups, `timed` runs of `per_run` s, `expected` in all.
    fn cell(
        model: ModelKind,
        workers: usize,
        warmups: usize,
        timed: usize,
        per_run: f64,
        expected: usize,
    ) -> CellProgress {
        CellProgress {
            model,
            workers,
            warmups,
            timed,
            timed_s: per_run * timed as f64,
            expected,
        }
    }

    fn started(plan: &[(ModelKind, usize)], timed_per_cell: usize) -> SweepEvent {
        SweepEvent::Started {
            plan: plan.to_vec(),
            runs_total: 0,
            timed_per_cell,
        }
    }

    fn progress(elapsed: f64, cells: Vec<CellProgress>) -> SweepEvent {
        SweepEvent::Progress {
            runs_done: 0,
            runs_total: 0,
            elapsed: secs(elapsed),
            cells,
        }
    }

    /// `t` hears the sweep's progress at `at` seconds, as the sweep reported it then.
    fn report_progress(t: &mut TimeLeft, at: f64, cells: Vec<CellProgress>) {
        t.observe(&progress(at, cells), secs(at));
    }

    fn left(t: &TimeLeft, now: f64) -> f64 {
        t.remaining(secs(now)).expect("a time left").as_secs_f64()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// The reviewer's sweep, scripted: 7 cells, 1 warm-up and 6 timed runs each, 0.25 s a run
    /// where one core computes and 0.125 s where two do, a process pool that takes 0.3 s to
    /// start, and 0.5 s of calibration. Two timed runs in, the old figure (elapsed over the
    /// timed wall time, times every run left) said about five times the truth.
    #[test]
    fn one_off_costs_are_not_multiplied_onto_the_runs_left() {
        let plan = [
            (SEQ, 1),
            (THREADS, 1),
            (THREADS, 2),
            (ModelKind::Rayon, 1),
            (ModelKind::Rayon, 2),
            (ModelKind::Processes, 1),
            (ModelKind::Processes, 2),
        ];
        let run = |w: usize| if w == 1 { 0.25 } else { 0.125 };
        let prior = PlannedCost {
            calibration_s: 0.5,
            warmups: 1,
            cells: plan
                .iter()
                .map(|&(m, w)| {
                    let startup = if m == ModelKind::Processes { 0.3 } else { 0.0 };
                    cost(m, w, startup, run(w), 6)
                })
                .collect(),
        };
        let total = prior.seconds();
        let exp = experiment(6, 1);
        let mut t = TimeLeft::with_estimate(&exp, Some(prior));
        // Before anything, the figure shown before the run.
        assert!(close(left(&t, 0.0), total), "{} vs {total}", left(&t, 0.0));
        // Calibrating, then starting the executors: it counts down.
        assert!(close(left(&t, 0.4), total - 0.4));
        t.observe(&started(&plan, 6), secs(0.5));
        assert!(close(left(&t, 0.7), total - 0.5 - 0.2));
        // Every executor started (0.6 s), then the 7 warm-ups, then two timed runs.
        let mut cells: Vec<CellProgress> = plan
            .iter()
            .map(|&(m, w)| cell(m, w, 0, 0, 0.0, 6))
            .collect();
        let mut clock = 0.6;
        t.observe(&progress(clock, cells.clone()), secs(0.5 + clock));
        for i in 0..plan.len() {
            cells[i].warmups = 1;
            // A first run costs twice a timed one.
            clock += 2.0 * run(plan[i].1);
            t.observe(&progress(clock, cells.clone()), secs(0.5 + clock));
        }
        for i in [0, 2] {
            cells[i] = cell(plan[i].0, plan[i].1, 1, 1, run(plan[i].1), 6);
            clock += run(plan[i].1);
            t.observe(&progress(clock, cells.clone()), secs(0.5 + clock));
        }
        // Left: 40 timed runs, each as estimated.
        let truth: f64 = plan.iter().map(|&(_, w)| 6.0 * run(w)).sum::<f64>() - 0.25 - 0.125;
        let now = 0.5 + clock;
        // (The old figure: 40 runs at their mean, times the elapsed 3.475 s over the 0.375 s
        // timed: about 9 times this.)
        assert!(close(left(&t, now), truth), "{} vs {truth}", left(&t, now));
    }

    /// Without an estimate (a task sized in work units), the measured runs alone: a long
    /// start-up and slow warm-ups stay out of the cost per run, and what runs between timed
    /// runs is added to each.
    #[test]
    fn without_an_estimate_the_pace_of_the_timed_runs_counts_with_their_gaps() {
        let plan = [(SEQ, 1), (THREADS, 2)];
        let exp = experiment(4, 1);
        let mut t = TimeLeft::with_estimate(&exp, None);
        assert_eq!(t.remaining(secs(0.0)), None);
        t.observe(&started(&plan, 4), secs(0.0));
        let mut cells = vec![cell(SEQ, 1, 0, 0, 0.0, 4), cell(THREADS, 2, 0, 0, 0.0, 4)];
        // 3 s to start.
        report_progress(&mut t, 3.0, cells.clone());
        assert_eq!(t.remaining(secs(3.0)), None);
        // Warm-ups of 2 s and 1 s: until a run is timed, they set the pace.
        cells[0].warmups = 1;
        report_progress(&mut t, 5.0, cells.clone());
        cells[1].warmups = 1;
        report_progress(&mut t, 6.0, cells.clone());
        // 8 timed runs left: 4 at the sequential warm-up's 2 s, 4 at the threads' 1 s.
        assert!(close(left(&t, 6.0), 12.0), "{}", left(&t, 6.0));
        // Timed runs of 1 s and 0.5 s, each followed by 0.1 s of other work.
        cells[0] = cell(SEQ, 1, 1, 1, 1.0, 4);
        report_progress(&mut t, 7.1, cells.clone());
        cells[1] = cell(THREADS, 2, 1, 1, 0.5, 4);
        report_progress(&mut t, 7.7, cells.clone());
        // 3 × (1 + 0.1) + 3 × (0.5 + 0.1); nothing of the 3 s start-up nor the warm-ups.
        assert!(close(left(&t, 7.7), 5.1), "{}", left(&t, 7.7));
        // Counting down while the next run goes on, never below zero.
        assert!(close(left(&t, 8.7), 4.1));
        assert_eq!(left(&t, 100.0), 0.0);
    }

    #[test]
    fn the_time_left_is_weighted_by_each_cells_cost() {
        let plan = [(SEQ, 1), (THREADS, 2), (PY, 2)];
        let exp = experiment(3, 0);
        let mut t = TimeLeft::with_estimate(&exp, None);
        t.observe(&started(&plan, 3), secs(0.0));
        // One run each: 1 s, 0.5 s and 4 s, back to back.
        let mut cells = vec![
            cell(SEQ, 1, 0, 0, 0.0, 3),
            cell(THREADS, 2, 0, 0, 0.0, 3),
            cell(PY, 2, 0, 0, 0.0, 3),
        ];
        report_progress(&mut t, 0.0, cells.clone());
        cells[0] = cell(SEQ, 1, 0, 1, 1.0, 3);
        cells[1] = cell(THREADS, 2, 0, 1, 0.5, 3);
        cells[2] = cell(PY, 2, 0, 1, 4.0, 3);
        report_progress(&mut t, 5.5, cells.clone());
        // 2 × (1 + 0.5 + 4) = 11 s.
        assert!(close(left(&t, 5.5), 11.0), "{}", left(&t, 5.5));
        // The dear cell behind the others, as when the Python cells come last.
        cells[0] = cell(SEQ, 1, 0, 3, 1.0, 3);
        cells[1] = cell(THREADS, 2, 0, 3, 0.5, 3);
        report_progress(&mut t, 8.5, cells.clone());
        // Two Python runs left at 4 s each: 8 s (a flat average would say 8.5/7×2 ≈ 2.4 s).
        assert!(close(left(&t, 8.5), 8.0), "{}", left(&t, 8.5));
    }

    #[test]
    fn the_time_left_includes_the_runs_a_precision_target_still_needs() {
        let plan = [(SEQ, 1), (THREADS, 2)];
        let exp = experiment(5, 0);
        let mut t = TimeLeft::with_estimate(&exp, None);
        t.observe(&started(&plan, 5), secs(0.0));
        report_progress(
            &mut t,
            0.0,
            vec![cell(SEQ, 1, 0, 0, 0.0, 5), cell(THREADS, 2, 0, 0, 0.0, 5)],
        );
        // Both cells did their 5 repetitions; the noisy threads cell is expected to need 20
        // runs in all for its precision target: 15 more at 0.5 s, 7.5 s (not 0).
        let done = vec![cell(SEQ, 1, 0, 5, 1.0, 5), cell(THREADS, 2, 0, 5, 0.5, 20)];
        report_progress(&mut t, 7.5, done);
        assert!(close(left(&t, 7.5), 7.5), "{}", left(&t, 7.5));
    }

    #[test]
    fn an_untimed_cell_costs_what_its_models_nearest_cell_does() {
        let plan = [(THREADS, 1), (THREADS, 4)];
        let exp = experiment(2, 0);
        let mut t = TimeLeft::with_estimate(&exp, None);
        t.observe(&started(&plan, 2), secs(0.0));
        report_progress(&mut t, 0.0, vec![cell(THREADS, 1, 0, 0, 0.0, 2)]);
        report_progress(&mut t, 4.0, vec![cell(THREADS, 1, 0, 2, 2.0, 2)]);
        // The 4-worker cell is not reported yet: 2 runs × 2 s.
        assert!(close(left(&t, 4.0), 4.0), "{}", left(&t, 4.0));
    }

    /// The estimate said 1 s a run; the runs take 2 s. The cell's own runs win as they come,
    /// and a cell of the same model not timed yet is corrected by the same factor.
    #[test]
    fn the_estimate_gives_way_to_the_runs_measured() {
        let plan = [(SEQ, 1), (THREADS, 2)];
        let prior = PlannedCost {
            calibration_s: 0.0,
            warmups: 0,
            cells: vec![cost(SEQ, 1, 0.0, 1.0, 4), cost(THREADS, 2, 0.0, 0.5, 4)],
        };
        let exp = experiment(4, 0);
        let mut t = TimeLeft::with_estimate(&exp, Some(prior));
        assert!(close(left(&t, 0.0), 6.0));
        t.observe(&started(&plan, 4), secs(0.0));
        report_progress(
            &mut t,
            0.0,
            vec![cell(SEQ, 1, 0, 0, 0.0, 4), cell(THREADS, 2, 0, 0, 0.0, 4)],
        );
        assert!(close(left(&t, 0.0), 6.0));
        report_progress(
            &mut t,
            2.0,
            vec![cell(SEQ, 1, 0, 1, 2.0, 4), cell(THREADS, 2, 0, 0, 0.0, 4)],
        );
        // Twice the estimate: the sequential cell's runs cost (2 + 2) / 2 = 2 s (its own mean
        // and the corrected estimate agree); threads, from the other model's factor, 1 s.
        assert!(
            close(left(&t, 2.0), 3.0 * 2.0 + 4.0 * 1.0),
            "{}",
            left(&t, 2.0)
        );
    }

    /// A precision target's estimate counts its whole budget; the sweep's own count takes over
    /// once a cell's spread can be judged, and a cell done or failed costs nothing more.
    #[test]
    fn the_run_count_follows_the_estimate_until_the_spread_can_be_judged() {
        let plan = [(SEQ, 1), (PY, 1)];
        let mut exp = experiment(3, 0);
        exp.precision = 0.02;
        exp.precision_budget_s = 10.0;
        // 1 s runs: the budget fills after 10.
        let prior = PlannedCost {
            calibration_s: 0.0,
            warmups: 0,
            cells: vec![cost(SEQ, 1, 0.0, 1.0, 10), cost(PY, 1, 0.0, 1.0, 10)],
        };
        let mut t = TimeLeft::with_estimate(&exp, Some(prior));
        t.observe(&started(&plan, 6), secs(0.0));
        // The Python cell failed at start.
        report_progress(
            &mut t,
            0.0,
            vec![cell(SEQ, 1, 0, 0, 0.0, 6), cell(PY, 1, 0, 0, 0.0, 0)],
        );
        assert!(close(left(&t, 0.0), 10.0), "{}", left(&t, 0.0));
        // Two runs: still the budget's 10.
        report_progress(
            &mut t,
            2.0,
            vec![cell(SEQ, 1, 0, 2, 1.0, 6), cell(PY, 1, 0, 0, 0.0, 0)],
        );
        assert!(close(left(&t, 2.0), 8.0), "{}", left(&t, 2.0));
        // Three steady runs: the sweep expects 6 in all.
        report_progress(
            &mut t,
            3.0,
            vec![cell(SEQ, 1, 0, 3, 1.0, 6), cell(PY, 1, 0, 0, 0.0, 0)],
        );
        assert!(close(left(&t, 3.0), 3.0), "{}", left(&t, 3.0));
    }
}

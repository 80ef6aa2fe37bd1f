//! How many timed runs a cell takes: the experiment's `repetitions`, or more when its runs are
//! short and it asks for a minimum measured time per cell (`min_time_s`). Five runs of 30 ms
//! are 0.15 s of measurement, and on a shared machine one burst of noise moves their median;
//! the same 0.15 s spread over more runs does not.
//!
//! With `precision` set, a cell goes on past that until the 95% confidence interval of its
//! median (order statistics, [`crate::stats::median_ci`]) lies within ± `precision` of the
//! median, or its timed runs have spent `precision_budget_s`, whichever comes first; but it
//! always takes the [`MIN_SAMPLES_FOR_95`] runs without which no 95% interval exists, so that
//! every cell of an experiment with a target has one (a budget of 1 s would otherwise stop a
//! cell of 0.5 s runs at three, with no interval to judge the target by).

use crate::preset::Experiment;
use crate::preset::limits::MAX_REPETITIONS;
use crate::stats::MIN_SAMPLES_FOR_95;

/// A rule that makes a cell take more timed runs than its repetitions. The words for each are
/// in `export::cell_text` (`more_runs_clause`, `more_runs_reason`), shared by the CLI, the
/// report and the workbench.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MoreRuns {
    /// Short runs are repeated until a cell's timed runs add up to `min_time_s` (at most
    /// `cap` runs).
    MinTime { min_time_s: f64, cap: usize },
    /// With a precision target: more runs until the median's 95% interval is within
    /// ± `precision` of it or the timed runs have spent `budget_s`, and never fewer than the
    /// [`MIN_SAMPLES_FOR_95`] runs a 95% interval needs.
    Precision { precision: f64, budget_s: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunCount {
    repetitions: usize,
    min_time_s: f64,
    cap: usize,
    precision: f64,
    budget_s: f64,
}

/// How close a cell's median is known: [`crate::stats::median_precision`] of its wall times.
pub use crate::stats::median_precision as achieved_precision;

impl RunCount {
    pub fn of(exp: &Experiment) -> Self {
        let repetitions = exp.repetitions as usize;
        RunCount {
            repetitions,
            min_time_s: exp.min_time_s,
            cap: (MAX_REPETITIONS as usize).max(repetitions),
            precision: exp.precision,
            budget_s: exp.precision_budget_s,
        }
    }

    /// The minimum-time rule of this experiment, with its cap on the runs, whether or not it
    /// applies (a minimum time of 0 adds no run: see [`RunCount::rules`]); for saying the rule
    /// where the minimum time is set.
    pub fn min_time_rule(&self) -> MoreRuns {
        MoreRuns::MinTime {
            min_time_s: self.min_time_s,
            cap: self.cap,
        }
    }

    /// The rules of this experiment that can add runs past the repetitions, in the order they
    /// apply (the minimum time, then the precision target); empty when the repetitions alone
    /// decide.
    pub fn rules(&self) -> Vec<MoreRuns> {
        let mut rules = Vec::new();
        if self.min_time_s > 0.0 {
            rules.push(self.min_time_rule());
        }
        if self.precision > 0.0 {
            rules.push(MoreRuns::Precision {
                precision: self.precision,
                budget_s: self.budget_s,
            });
        }
        rules
    }

    /// Runs, in all, whose wall times add up to `seconds` at `run_s` seconds a run (at most
    /// the cap; the cap when the pace is unknown).
    fn runs_to_fill(&self, seconds: f64, run_s: f64) -> usize {
        match run_s > 0.0 && run_s.is_finite() {
            true => (seconds / run_s).ceil().min(self.cap as f64) as usize,
            false => self.cap,
        }
    }

    /// Why a cell now expected to take `expected` timed runs takes more than `than`, judged
    /// from its `timed` runs so far that took `timed_s` seconds: the minimum time where the
    /// runs that fill it at that pace are more than `than`, the precision target where the
    /// cell expects more than those. Before a cell has a timed run, every rule of
    /// [`RunCount::rules`] may; empty when `expected` is not more than `than`.
    pub fn why_more(
        &self,
        timed: usize,
        timed_s: f64,
        expected: usize,
        than: usize,
    ) -> Vec<MoreRuns> {
        if expected <= than {
            return Vec::new();
        }
        if timed == 0 {
            return self.rules();
        }
        let fill_min_time = match self.min_time_s > 0.0 {
            true => self.runs_to_fill(self.min_time_s, timed_s / timed as f64),
            false => 0,
        };
        self.rules()
            .into_iter()
            .filter(|rule| match rule {
                MoreRuns::MinTime { .. } => fill_min_time > than,
                MoreRuns::Precision { .. } => expected > fill_min_time.max(than),
            })
            .collect()
    }

    /// The fewest timed runs a cell of `run_s`-second runs takes whatever their spread: the
    /// repetitions, the runs that fill the minimum time, and with a precision target the
    /// [`MIN_SAMPLES_FOR_95`] runs a 95% interval needs (at most the cap).
    pub fn fewest(&self, run_s: f64) -> usize {
        let mut runs = self.repetitions;
        if self.min_time_s > 0.0 {
            runs = runs.max(self.runs_to_fill(self.min_time_s, run_s));
        }
        if self.precision > 0.0 {
            runs = runs.max(MIN_SAMPLES_FOR_95);
        }
        runs.min(self.cap)
    }

    /// The most timed runs a cell of `run_s`-second runs takes: [`RunCount::fewest`], or with a
    /// precision target the runs that fill its whole budget where those are more (what the
    /// estimate counts, as the most a target can cost).
    pub fn most(&self, run_s: f64) -> usize {
        let fewest = self.fewest(run_s);
        match self.precision > 0.0 {
            true => fewest
                .max(self.runs_to_fill(self.budget_s, run_s))
                .min(self.cap),
            false => fewest,
        }
    }

    /// The longest a cell's timed runs can add up to when no run takes longer than `run_s`
    /// seconds (each stopped at the timeout): the runs it takes whatever their length (the
    /// repetitions, and with a precision target the [`MIN_SAMPLES_FOR_95`] runs) at `run_s`
    /// each; past those, the minimum time and the precision budget ask for another run only
    /// while the runs so far add up to less than them, so the last such run starts below the
    /// larger of the two and ends at most `run_s` later; never more than the cap of runs.
    /// Unlike [`RunCount::most`] × `run_s`, a bound for runs of any length up to `run_s`: a
    /// minimum time of 29 s with 30 s runs takes one run at 30 s, but two of 28.9 s, 57.8 s.
    pub fn most_timed_s(&self, run_s: f64) -> f64 {
        let mut floor = self.repetitions;
        let mut fill_s: f64 = 0.0;
        if self.min_time_s > 0.0 {
            fill_s = fill_s.max(self.min_time_s);
        }
        if self.precision > 0.0 {
            floor = floor.max(MIN_SAMPLES_FOR_95);
            fill_s = fill_s.max(self.budget_s);
        }
        let floor = floor.min(self.cap) as f64 * run_s;
        let filled = match fill_s > 0.0 {
            true => fill_s + run_s,
            false => 0.0,
        };
        floor.max(filled).min(self.cap as f64 * run_s)
    }

    /// Whether the precision target can add a run to a cell of `run_s`-second runs: `false`
    /// when the runs the cell takes anyway ([`RunCount::fewest`]) already spend the precision
    /// budget, so that the target is met only if those runs happen to agree within it. `None`
    /// without a target.
    pub fn target_can_add_runs(&self, run_s: f64) -> Option<bool> {
        (self.precision > 0.0).then(|| {
            let fewest = self.fewest(run_s);
            fewest < self.cap && (fewest as f64) * run_s < self.budget_s
        })
    }

    /// Whether another timed run is wanted after the timed runs that took `walls` seconds:
    /// the repetitions and minimum time first, then (with a precision target) until the
    /// median is that precise or the budget is spent.
    pub fn wants_more_runs(&self, walls: &[f64]) -> bool {
        let total_s: f64 = walls.iter().sum();
        if self.wants_more(walls.len(), total_s) {
            return true;
        }
        if self.precision <= 0.0 || walls.len() >= self.cap {
            return false;
        }
        if walls.len() < MIN_SAMPLES_FOR_95 {
            return true;
        }
        total_s < self.budget_s && achieved_precision(walls).is_none_or(|p| p > self.precision)
    }

    /// Whether another timed run is wanted after `timed` runs that took `total_s` seconds.
    pub fn wants_more(&self, timed: usize, total_s: f64) -> bool {
        timed < self.repetitions || (total_s < self.min_time_s && timed < self.cap)
    }

    /// How many timed runs the cell is now expected to take in all, judged from the wall times
    /// of its runs so far (for progress and the time left): the repetitions, the runs that fill
    /// the minimum time at the pace so far, and with a precision target the runs its spread
    /// needs ([`crate::stats::samples_for_precision`]; 6 before there are 3 runs to judge),
    /// capped by the runs that fill the precision budget at that pace.
    pub fn expected(&self, walls: &[f64]) -> usize {
        let timed = walls.len();
        let total_s: f64 = walls.iter().sum();
        let at_least = self.repetitions.max(timed);
        // Runs, in all, whose wall times add up to `seconds` at the pace so far (at most the cap).
        let runs_to_fill = |seconds: f64| self.runs_to_fill(seconds, total_s / timed as f64);
        let for_min_time = match timed == 0 || total_s >= self.min_time_s {
            true => at_least,
            false => runs_to_fill(self.min_time_s).max(at_least),
        };
        if self.precision <= 0.0 || !self.wants_more_runs(walls) {
            return for_min_time.max(timed);
        }
        let for_precision = crate::stats::samples_for_precision(walls, self.precision)
            .unwrap_or(MIN_SAMPLES_FOR_95);
        // The budget stops the cell once its timed runs add up to `budget_s`, and never
        // before the runs a 95% interval needs.
        let within_budget = match timed {
            0 => self.cap,
            _ => runs_to_fill(self.budget_s).max(MIN_SAMPLES_FOR_95),
        };
        for_min_time
            .max(for_precision.min(within_budget).min(self.cap))
            .max(timed + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(repetitions: u32, min_time_s: f64) -> RunCount {
        RunCount::of(&Experiment {
            repetitions,
            min_time_s,
            ..Experiment::default()
        })
    }

    /// Runs a cell whose every run takes `run_s`, as the sweep does: the number of timed runs.
    fn runs_taken(c: RunCount, run_s: f64) -> usize {
        let mut timed = 0;
        while c.wants_more(timed, timed as f64 * run_s) {
            timed += 1;
        }
        timed
    }

    #[test]
    fn without_a_minimum_time_the_repetitions_are_the_count() {
        assert_eq!(runs_taken(count(5, 0.0), 0.001), 5);
        assert_eq!(runs_taken(count(1, 0.0), 10.0), 1);
    }

    #[test]
    fn short_runs_are_repeated_until_they_add_up_to_the_minimum_time() {
        // 30 ms runs, 0.5 s minimum: 17 runs (0.51 s), not 5 (0.15 s).
        assert_eq!(runs_taken(count(5, 0.5), 0.03), 17);
        // Long runs are not repeated more than asked.
        assert_eq!(runs_taken(count(5, 0.5), 0.8), 5);
    }

    /// The bound of the timed runs' total holds for runs of any length up to the timeout,
    /// spread so widely that no precision target is met (the longest a cell can go on), and
    /// is reached: a minimum time just below the timeout takes two runs just below it.
    #[test]
    fn the_timed_runs_of_a_cell_add_up_to_at_most_the_bound_whatever_their_length() {
        let timeout = 30.0;
        let cells = [
            count(1, 29.0),
            count(5, 0.0),
            count(3, 100.0),
            precise(0.02, 3.0),
            precise(0.02, 100.0),
            RunCount::of(&Experiment {
                repetitions: 2,
                min_time_s: 50.0,
                precision: 0.01,
                precision_budget_s: 70.0,
                ..Experiment::default()
            }),
        ];
        for c in cells {
            let bound = c.most_timed_s(timeout);
            let mut longest: f64 = 0.0;
            // Every half second up to the timeout.
            for step in 1..=60 {
                let run_s = timeout * f64::from(step) / 60.0;
                // Alternating runs of `run_s` and a tenth of it: never within any target.
                let mut walls: Vec<f64> = Vec::new();
                while c.wants_more_runs(&walls) {
                    walls.push(match walls.len() % 2 {
                        0 => run_s,
                        _ => run_s / 10.0,
                    });
                }
                let total: f64 = walls.iter().sum();
                // The same cell with every run at `run_s`.
                let mut even: Vec<f64> = Vec::new();
                while c.wants_more_runs(&even) {
                    even.push(run_s);
                }
                longest = longest.max(total).max(even.iter().sum());
            }
            assert!(longest <= bound + 1e-9, "{c:?}: {longest} > {bound}");
            assert!(longest > 0.9 * bound, "{c:?}: {longest} far below {bound}");
        }
        // One run of at least 29 s, or two of just under: 29 s + one run, not one run of 30 s.
        assert!((count(1, 29.0).most_timed_s(timeout) - 59.0).abs() < 1e-9);
        assert!(count(1, 29.0).most(timeout) as f64 * timeout < 57.8);
        // Repetitions alone: each at the timeout.
        assert!((count(5, 0.0).most_timed_s(timeout) - 150.0).abs() < 1e-9);
    }

    #[test]
    fn tiny_runs_stop_at_the_cap() {
        assert_eq!(runs_taken(count(5, 10.0), 1e-9), MAX_REPETITIONS as usize);
        assert_eq!(runs_taken(count(5, 10.0), 0.0), MAX_REPETITIONS as usize);
    }

    fn precise(precision: f64, budget_s: f64) -> RunCount {
        RunCount::of(&Experiment {
            repetitions: 3,
            precision,
            precision_budget_s: budget_s,
            ..Experiment::default()
        })
    }

    /// Runs a cell with scripted wall times (cycled) until it wants no more: the count.
    fn runs_scripted(c: RunCount, script: &[f64]) -> usize {
        let mut walls = Vec::new();
        while c.wants_more_runs(&walls) {
            walls.push(script[walls.len() % script.len()]);
        }
        walls.len()
    }

    /// How often the 95% interval of the median holds the true median once the cell stops,
    /// for cells of lognormal runs (σ = 5%) measured under `c`.
    fn coverage_when_stopped(c: RunCount, cells: usize) -> (f64, f64) {
        let mut rng = crate::stats::SimulatedRuns::seeded(0x5eed);
        let (mut held, mut runs) = (0, 0);
        for _ in 0..cells {
            let mut walls = Vec::new();
            while c.wants_more_runs(&walls) {
                walls.push(rng.run(0.1));
            }
            let ci = crate::stats::median_ci(&walls).unwrap();
            held += usize::from(ci.low <= 0.1 && 0.1 <= ci.high);
            runs += walls.len();
        }
        (held as f64 / cells as f64, runs as f64 / cells as f64)
    }

    #[test]
    fn stopping_at_the_first_precise_interval_costs_a_little_coverage() {
        // The README's figure: stopping as soon as the interval is within ±2% picks moments
        // when the runs happen to agree, so the "95%" interval holds the true median about
        // 93% of the time (a fixed count of runs: at least 95%).
        let (stopped, runs) = coverage_when_stopped(precise(0.02, 1e6), 1000);
        assert!((0.91..0.95).contains(&stopped), "{stopped}");
        let fixed = RunCount::of(&Experiment {
            repetitions: runs.round() as u32,
            ..Experiment::default()
        });
        let (fixed, _) = coverage_when_stopped(fixed, 1000);
        assert!(fixed >= 0.95, "{fixed} with {runs} runs");
    }

    #[test]
    fn steady_runs_stop_once_the_median_is_precise() {
        // Identical runs: the interval collapses as soon as it has 95% coverage (6 runs).
        assert_eq!(runs_scripted(precise(0.02, 100.0), &[0.1]), 6);
        // ±1% jitter is within a 2% target at the first 95% interval.
        assert_eq!(runs_scripted(precise(0.02, 100.0), &[0.099, 0.1, 0.101]), 6);
        let walls = [0.099, 0.1, 0.101, 0.099, 0.1, 0.101];
        assert!(achieved_precision(&walls).unwrap() <= 0.02);
    }

    #[test]
    fn noisy_runs_stop_at_the_budget() {
        // ±30% noise never gets within 2%: the cell stops when 2 s of runs are spent.
        let n = runs_scripted(precise(0.02, 1.95), &[0.07, 0.1, 0.13]);
        assert_eq!(n, 20, "20 runs of 0.1 s on average fill the 1.95 s budget");
    }

    #[test]
    fn noise_in_the_tails_needs_more_runs_but_stops_when_precise() {
        // Every fourth run is 50% slow: the order-statistics interval has to move inside the
        // steady runs, which takes more than 6 runs, and then the cell stops.
        let n = runs_scripted(precise(0.02, 100.0), &[0.1, 0.1, 0.1, 0.15]);
        assert!(n > 6 && n < 100, "{n}");
        let walls: Vec<f64> = (0..n).map(|i| [0.1, 0.1, 0.1, 0.15][i % 4]).collect();
        assert!(achieved_precision(&walls).unwrap() <= 0.02);
        let fewer = &walls[..n - 1];
        assert!(achieved_precision(fewer).is_none_or(|p| p > 0.02));
    }

    #[test]
    fn a_target_always_gets_the_six_runs_its_interval_needs() {
        // 0.5 s runs against a 1 s budget: the budget alone would stop at 3 runs (1.5 s),
        // where no 95% interval exists; the cell takes 6 and, steady, stops there.
        assert_eq!(runs_scripted(precise(0.02, 1.0), &[0.5]), 6);
        assert_eq!(precise(0.02, 1.0).expected(&[0.5, 0.5, 0.5]), 6);
        // Noisy ones stop at 6 too: the budget is long spent.
        assert_eq!(runs_scripted(precise(0.02, 1.0), &[0.4, 0.5, 0.6]), 6);
        assert_eq!(precise(0.02, 1.0).expected(&[0.4, 0.5, 0.6]), 6);
        // Without a target, the repetitions.
        assert_eq!(runs_scripted(precise(0.0, 1.0), &[0.5]), 3);
    }

    #[test]
    fn without_a_target_precision_changes_nothing() {
        assert_eq!(runs_scripted(precise(0.0, 100.0), &[0.07, 0.1, 0.13]), 3);
        assert_eq!(achieved_precision(&[0.1, 0.2]), None);
    }

    #[test]
    fn the_expected_count_follows_the_runs_so_far() {
        let c = count(5, 0.5);
        assert_eq!(c.expected(&[]), 5);
        assert_eq!(c.expected(&[0.03]), 17);
        assert_eq!(c.expected(&[0.3]), 5);
        assert_eq!(c.expected(&[0.03; 17]), 17);
        assert_eq!(c.expected(&[0.0; 3]), MAX_REPETITIONS as usize);
        assert_eq!(count(5, 0.0).expected(&[0.0005; 2]), 5);
    }

    #[test]
    fn the_expected_count_anticipates_the_runs_a_precision_target_needs() {
        let c = precise(0.02, 100.0);
        // Before any spread is known: the 6 runs a 95% interval needs.
        assert_eq!(c.expected(&[]), 6);
        assert_eq!(c.expected(&[0.1, 0.1]), 6);
        // ±10% spread (MAD 0.01 of 0.1): about 332 runs (stats::precision's hand-computed
        // case), well above the 3 repetitions.
        assert_eq!(c.expected(&[0.09, 0.1, 0.11]), 332);
        // The budget caps it: 2 s of 0.1 s runs is 20 runs.
        assert_eq!(precise(0.02, 2.0).expected(&[0.09, 0.1, 0.11]), 20);
        // Once precise, no more are expected.
        assert_eq!(c.expected(&[0.1; 6]), 6);
    }

    #[test]
    fn the_expected_count_matches_what_the_cell_then_runs() {
        // A cell whose runs cycle 0.09, 0.1, 0.11 against a 2.5 s budget: the estimate after
        // three runs is the count the cell actually takes, give or take the run that crosses
        // the budget (26 runs here).
        let c = precise(0.02, 2.5);
        let script = [0.09, 0.1, 0.11];
        let taken = runs_scripted(c, &script);
        assert_eq!(taken, 26);
        assert!(
            c.expected(&script).abs_diff(taken) <= 1,
            "{}",
            c.expected(&script)
        );
    }

    fn preset_like(repetitions: u32, min_time_s: f64, precision: f64, budget_s: f64) -> RunCount {
        RunCount::of(&Experiment {
            repetitions,
            min_time_s,
            precision,
            precision_budget_s: budget_s,
            ..Experiment::default()
        })
    }

    #[test]
    fn the_rules_are_the_ones_the_experiment_sets() {
        let min_time = MoreRuns::MinTime {
            min_time_s: 0.5,
            cap: 1000,
        };
        let target = MoreRuns::Precision {
            precision: 0.02,
            budget_s: 1.5,
        };
        assert_eq!(
            preset_like(5, 0.5, 0.02, 1.5).rules(),
            vec![min_time, target]
        );
        assert_eq!(preset_like(5, 0.0, 0.02, 1.5).rules(), vec![target]);
        assert_eq!(preset_like(5, 0.5, 0.0, 1.5).rules(), vec![min_time]);
        assert_eq!(preset_like(5, 0.0, 0.0, 1.5).rules(), vec![]);
    }

    #[test]
    fn why_more_names_the_rule_that_asks_for_the_runs() {
        let c = preset_like(5, 0.5, 0.02, 1.5);
        let [min_time, target] = [c.rules()[0], c.rules()[1]];
        // 0.125 s runs fill the 0.5 s minimum in 4: the 12 expected are the target's.
        assert_eq!(c.why_more(6, 0.75, 12, 6), vec![target]);
        // 0.05 s runs need 10 for the minimum time, and the cell expects just those.
        assert_eq!(c.why_more(6, 0.3, 10, 6), vec![min_time]);
        // ... and with more expected than those, the target too.
        assert_eq!(c.why_more(6, 0.3, 25, 6), vec![min_time, target]);
        // Not more than asked: no reason.
        assert_eq!(c.why_more(6, 1.5, 6, 6), vec![]);
        // Before a timed run, every rule may.
        assert_eq!(c.why_more(0, 0.0, 8, 6), vec![min_time, target]);
        // Without a target, the minimum time alone.
        let plain = preset_like(5, 0.5, 0.0, 1.5);
        assert_eq!(plain.why_more(6, 0.3, 10, 6), plain.rules());
    }

    #[test]
    fn fewest_and_most_bound_what_a_cell_takes() {
        let c = preset_like(5, 0.5, 0.02, 1.5);
        // 0.25 s runs: 5 repetitions, 6 for the interval; the budget fills at 6 too.
        assert_eq!((c.fewest(0.25), c.most(0.25)), (6, 6));
        // 0.1 s runs: 6 at least, 15 fill the budget.
        assert_eq!((c.fewest(0.1), c.most(0.1)), (6, 15));
        // 0.01 s runs: 50 fill the minimum time, 150 the budget.
        assert_eq!((c.fewest(0.01), c.most(0.01)), (50, 150));
        // Without a target: the repetitions and the minimum time.
        let plain = preset_like(5, 0.5, 0.0, 1.5);
        assert_eq!((plain.fewest(0.25), plain.most(0.25)), (5, 5));
        // An unknown pace: the cap.
        assert_eq!(plain.fewest(0.0), MAX_REPETITIONS as usize);
        // The scripted cells never take fewer than `fewest` nor more than `most` (+1: the run
        // that crosses the budget).
        for script in [
            &[0.25][..],
            &[0.2, 0.25, 0.3],
            &[0.09, 0.1, 0.11],
            &[0.01, 0.012],
        ] {
            let mean = script.iter().sum::<f64>() / script.len() as f64;
            let n = runs_scripted(c, script);
            assert!(
                c.fewest(mean) <= n && n <= c.most(mean) + 1,
                "{script:?}: {n} runs, {}..{}",
                c.fewest(mean),
                c.most(mean)
            );
        }
    }

    #[test]
    fn a_budget_spent_by_the_runs_taken_anyway_leaves_the_target_no_room() {
        // The built-in CPU presets as they were: 5 repetitions, 0.5 s minimum, ±2% within
        // 1.5 s, runs calibrated to 0.25 s. The 6 runs of the interval spend the budget: a
        // 1-worker cell stops at 6 whatever their spread.
        let c = preset_like(5, 0.5, 0.02, 1.5);
        assert_eq!(c.target_can_add_runs(0.25), Some(false));
        let noisy = [0.23, 0.25, 0.27];
        assert_eq!(runs_scripted(c, &noisy), 6);
        let walls: Vec<f64> = (0..6).map(|i| noisy[i % 3]).collect();
        assert!(
            achieved_precision(&walls).unwrap() > 0.02,
            "missed, yet no run added"
        );
        // Runs of half the length leave room, and the same spread gets more runs.
        assert_eq!(c.target_can_add_runs(0.125), Some(true));
        let halves: Vec<f64> = noisy.iter().map(|w| w / 2.0).collect();
        assert!(runs_scripted(c, &halves) > 6);
        // A 3 s budget gives 0.25 s runs room for 12.
        let roomy = preset_like(5, 0.5, 0.02, 3.0);
        assert_eq!(roomy.target_can_add_runs(0.25), Some(true));
        assert_eq!(runs_scripted(roomy, &noisy), 12);
        // A budget below the minimum time never has room; without a target, no answer.
        let starved = preset_like(5, 2.0, 0.02, 1.0);
        assert_eq!(starved.target_can_add_runs(0.01), Some(false));
        assert_eq!(
            preset_like(5, 0.5, 0.0, 1.5).target_can_add_runs(0.25),
            None
        );
    }
}

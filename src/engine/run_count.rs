//! How many timed runs a cell takes: the experiment's `repetitions`, or more when its runs are
//! short and it asks for a minimum measured time per cell (`min_time_s`). Five runs of 30 ms
//! are 0.15 s of measurement, and on a shared machine one burst of noise moves their median;
//! the same 0.15 s spread over more runs does not.

use crate::preset::Experiment;
use crate::preset::limits::MAX_REPETITIONS;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunCount {
    repetitions: usize,
    min_time_s: f64,
    cap: usize,
}

impl RunCount {
    pub fn of(exp: &Experiment) -> Self {
        let repetitions = exp.repetitions as usize;
        RunCount {
            repetitions,
            min_time_s: exp.min_time_s,
            cap: (MAX_REPETITIONS as usize).max(repetitions),
        }
    }

    /// Whether another timed run is wanted after `timed` runs that took `total_s` seconds.
    pub fn wants_more(&self, timed: usize, total_s: f64) -> bool {
        timed < self.repetitions || (total_s < self.min_time_s && timed < self.cap)
    }

    /// How many timed runs the cell is now expected to take in all, judged from the runs so far
    /// (for progress and the time left).
    pub fn expected(&self, timed: usize, total_s: f64) -> usize {
        let at_least = self.repetitions.max(timed);
        if timed == 0 || total_s >= self.min_time_s {
            return at_least;
        }
        let per_run = total_s / timed as f64;
        let needed = if per_run > 0.0 {
            (self.min_time_s / per_run).ceil().min(self.cap as f64) as usize
        } else {
            self.cap
        };
        needed.max(at_least)
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

    #[test]
    fn tiny_runs_stop_at_the_cap() {
        assert_eq!(runs_taken(count(5, 10.0), 1e-9), MAX_REPETITIONS as usize);
        assert_eq!(runs_taken(count(5, 10.0), 0.0), MAX_REPETITIONS as usize);
    }

    #[test]
    fn the_expected_count_follows_the_runs_so_far() {
        let c = count(5, 0.5);
        assert_eq!(c.expected(0, 0.0), 5);
        assert_eq!(c.expected(1, 0.03), 17);
        assert_eq!(c.expected(1, 0.3), 5);
        assert_eq!(c.expected(17, 0.51), 17);
        assert_eq!(c.expected(3, 0.0), MAX_REPETITIONS as usize);
        assert_eq!(count(5, 0.0).expected(2, 0.001), 5);
    }
}

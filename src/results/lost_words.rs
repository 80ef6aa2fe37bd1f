//! The lost-updates figures ([`LostShare`]) in words, in one short and one long form, so that
//! the table's note, the chart's hover, the verdict, the regression gate and
//! `selftest --lessons` say them alike. Here, beside the figures, rather than in `analysis`:
//! the engine's lessons say them too, and the engine may not import `analysis`.

use super::LostShare;
use crate::words::count;

/// A share of increments lost, in percent: `0%` exactly when nothing was lost, else with as
/// many decimals as it takes to tell it from 0 (`0.0034%`, `0.25%`, `3.2%`, `47%`).
pub fn lost_percent(pct: f64) -> String {
    if pct <= 0.0 {
        "0%".into()
    } else if pct >= 10.0 {
        format!("{pct:.0}%")
    } else if pct >= 1.0 {
        format!("{pct:.1}%")
    } else if pct < 1e-6 {
        // One update in a few billion: never printed as zeros.
        "under 0.000001%".into()
    } else {
        let decimals = (-pct.log10()).ceil().clamp(1.0, 6.0) as usize + 1;
        format!("{pct:.decimals$}%")
    }
}

impl LostShare {
    /// The runs that lost any: `in 2 of 5 runs`, `in every one of 3 runs`.
    fn losing_runs_words(&self) -> String {
        let (k, n) = (self.runs_losing, self.runs);
        match k == n && n > 1 {
            true => format!("in every one of {n} runs"),
            false => format!("in {k} of {}", count(n, "run")),
        }
    }

    /// The short form, for a table's note or a line of a list: how many runs lost any, and
    /// the most one lost (`lost updates in 2 of 5 runs (up to 120 in one run, 6.0%)`, or `no
    /// lost updates (5 runs)`). Not the median: a race that strikes one run in three is the
    /// lesson, and a median of 0 would hide it.
    pub fn short_words(&self) -> String {
        match self.any() {
            false => format!("no lost updates ({})", count(self.runs, "run")),
            true => format!(
                "lost updates {} (up to {} in one run, {})",
                self.losing_runs_words(),
                self.max_lost,
                lost_percent(self.max_pct)
            ),
        }
    }

    /// The long form, a predicate after the cell's name (a verdict's sentence, a chart's
    /// hover): the median run's share of what a run asked for, the spread of the runs, how many
    /// lost any and the most one lost (`lost a median 40% of the 2000 increments a run asked
    /// for (in 14 of 31 runs, from 0% to 47%, up to 940 in one run)`), that only some runs
    /// lost while the median run lost none, or that none was lost.
    pub fn long_words(&self) -> String {
        let asked = self.asked;
        if !self.any() {
            return format!(
                "lost none of the {asked} increments a run asked for ({})",
                count(self.runs, "run")
            );
        }
        if self.median_pct > 0.0 {
            let spread = match self.min_pct == self.max_pct {
                true => String::new(),
                false => format!(
                    ", from {} to {}",
                    lost_percent(self.min_pct),
                    lost_percent(self.max_pct)
                ),
            };
            format!(
                "lost a median {} of the {asked} increments a run asked for ({}{spread}, up to {} in one run)",
                lost_percent(self.median_pct),
                self.losing_runs_words(),
                self.max_lost
            )
        } else {
            format!(
                "lost updates {} (up to {} of the {asked} increments a run asked for, {}), though the median run lost none",
                self.losing_runs_words(),
                self.max_lost,
                lost_percent(self.max_pct)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(lost: &[u64], asked: u64) -> LostShare {
        let pct = |l: u64| l as f64 / asked as f64 * 100.0;
        let mut sorted = lost.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        LostShare {
            asked,
            median_pct: match n % 2 {
                1 => pct(sorted[n / 2]),
                _ => (pct(sorted[n / 2 - 1]) + pct(sorted[n / 2])) / 2.0,
            },
            min_pct: pct(sorted[0]),
            max_pct: pct(sorted[n - 1]),
            max_lost: sorted[n - 1],
            runs: n,
            runs_losing: sorted.iter().filter(|&&l| l > 0).count(),
        }
    }

    #[test]
    fn a_share_has_the_decimals_that_tell_it_from_nothing() {
        assert_eq!(lost_percent(0.0), "0%");
        assert_eq!(lost_percent(0.0034), "0.0034%");
        assert_eq!(lost_percent(0.25), "0.25%");
        assert_eq!(lost_percent(3.24), "3.2%");
        assert_eq!(lost_percent(47.4), "47%");
        // 1 of 2e9 and 1 of 1e8: told from nothing too.
        assert_eq!(lost_percent(100.0 / 2e9), "under 0.000001%");
        assert_eq!(lost_percent(100.0 / 1e8), "0.0000010%");
        for pct in [1e-9, 1e-7, 3e-6, 0.00042, 0.0099] {
            assert!(
                lost_percent(pct).chars().any(|c| ('1'..='9').contains(&c)),
                "{pct}"
            );
        }
    }

    #[test]
    fn the_short_form_counts_the_runs_that_lost_any_and_the_most() {
        assert_eq!(
            share(&[0, 0, 7, 0, 120], 2000).short_words(),
            "lost updates in 2 of 5 runs (up to 120 in one run, 6.0%)"
        );
        assert_eq!(
            share(&[800, 900, 1000], 2000).short_words(),
            "lost updates in every one of 3 runs (up to 1000 in one run, 50%)"
        );
        assert_eq!(
            share(&[0; 5], 2000).short_words(),
            "no lost updates (5 runs)"
        );
        assert_eq!(share(&[0], 2000).short_words(), "no lost updates (1 run)");
    }

    #[test]
    fn the_long_form_gives_the_median_share_and_says_when_it_hides_a_loss() {
        assert_eq!(
            share(&[0, 800, 880, 1000], 2000).long_words(),
            "lost a median 42% of the 2000 increments a run asked for (in 3 of 4 runs, from 0% to 50%, up to 1000 in one run)"
        );
        assert_eq!(
            share(&[800, 800], 2000).long_words(),
            "lost a median 40% of the 2000 increments a run asked for (in every one of 2 runs, up to 800 in one run)"
        );
        assert_eq!(
            share(&[0, 0, 7], 2000).long_words(),
            "lost updates in 1 of 3 runs (up to 7 of the 2000 increments a run asked for, 0.35%), though the median run lost none"
        );
        assert_eq!(
            share(&[0, 0], 2000).long_words(),
            "lost none of the 2000 increments a run asked for (2 runs)"
        );
    }
}

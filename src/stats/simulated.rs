//! Simulated run times for tests of what the statistics claim (coverage of an interval under
//! a given rule): seeded, so every run of the suite draws the same numbers.

use super::Gaussian;

/// A seeded stream of lognormal run times, spread σ = 5% on a log scale: a typical quiet
/// machine's runs.
pub struct SimulatedRuns(Gaussian);

impl SimulatedRuns {
    pub fn seeded(seed: u64) -> Self {
        SimulatedRuns(Gaussian::seeded(seed))
    }

    /// One run time whose population median is `median`.
    pub fn run(&mut self, median: f64) -> f64 {
        median * (0.05 * self.0.next()).exp()
    }

    /// `n` run times around `median`.
    pub fn runs(&mut self, n: usize, median: f64) -> Vec<f64> {
        (0..n).map(|_| self.run(median)).collect()
    }
}

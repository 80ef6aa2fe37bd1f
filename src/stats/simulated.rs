//! Simulated run times for tests of what the statistics claim (coverage of an interval under
//! a given rule): seeded, so every run of the suite draws the same numbers.

/// A seeded stream of lognormal run times (xorshift64* and Box–Muller), spread σ = 5% on a
/// log scale: a typical quiet machine's runs.
pub struct SimulatedRuns(u64);

impl SimulatedRuns {
    pub fn seeded(seed: u64) -> Self {
        SimulatedRuns(seed.max(1))
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (bits as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// One run time whose population median is `median`.
    pub fn run(&mut self, median: f64) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        median * (0.05 * z).exp()
    }

    /// `n` run times around `median`.
    pub fn runs(&mut self, n: usize, median: f64) -> Vec<f64> {
        (0..n).map(|_| self.run(median)).collect()
    }
}

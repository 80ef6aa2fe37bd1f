//! Seeded normal numbers for the fits' bootstrap and the tests' simulated runs.

/// A seeded stream of standard normal numbers (xorshift64* and Box–Muller): the same seed
/// always gives the same numbers. The fits' bootstrap draws from it, and so do the simulated
/// run times below.
pub(crate) struct Gaussian(u64);

impl Gaussian {
    pub(crate) fn seeded(seed: u64) -> Self {
        Gaussian(seed.max(1))
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (bits as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// One standard normal number.
    pub(crate) fn next(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

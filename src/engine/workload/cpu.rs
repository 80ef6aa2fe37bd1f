use super::{Workload, split_range};
use crate::engine::pacer::{Pacer, UnitResult};
use crate::preset::{CpuKernel, CpuParams};

/// Checkpoint every this many rounds or candidates: a few microseconds of work.
const CHECK_EVERY: u64 = 1024;

pub struct CpuWorkload {
    kernel: CpuKernel,
    size: u64,
    tasks: usize,
}

impl CpuWorkload {
    pub fn new(params: &CpuParams, tasks: usize) -> Self {
        CpuWorkload {
            kernel: params.kernel,
            size: params.size,
            tasks,
        }
    }
}

impl Workload for CpuWorkload {
    fn unit_count(&self) -> usize {
        self.tasks
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        let (start, end) = split_range(self.size, self.tasks, unit);
        match self.kernel {
            CpuKernel::Primes => sum_primes(start, end, pacer),
            CpuKernel::HashChain => hash_chain(splitmix64(unit as u64), end - start, pacer),
        }
    }
}

/// Sum of the primes in `[start, end)` by trial division (deliberately naive: the cost per
/// number grows with the number, so later ranges are heavier).
fn sum_primes(start: u64, end: u64, pacer: &dyn Pacer) -> UnitResult<u64> {
    let mut sum = 0u64;
    let mut n = start;
    while n < end {
        let stop = end.min(n + CHECK_EVERY);
        for candidate in n..stop {
            if is_prime(candidate) {
                sum = sum.wrapping_add(candidate);
            }
        }
        n = stop;
        pacer.checkpoint()?;
    }
    Ok(sum)
}

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// SplitMix64's finaliser: a cheap, well-mixed 64-bit permutation.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `rounds` dependent applications of [`splitmix64`] starting from `seed` (balanced CPU work:
/// every round costs the same and none can be skipped or vectorised).
pub fn hash_chain(seed: u64, rounds: u64, pacer: &dyn Pacer) -> UnitResult<u64> {
    let mut x = seed;
    let mut done = 0;
    while done < rounds {
        let batch = (rounds - done).min(CHECK_EVERY);
        for _ in 0..batch {
            x = splitmix64(x);
        }
        done += batch;
        pacer.checkpoint()?;
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;
    use crate::engine::pacer::RunGuard;
    use std::time::Duration;

    fn guard() -> RunGuard {
        RunGuard::new(CancelToken::new(), Duration::from_secs(60))
    }

    #[test]
    fn primes_below_100_sum_to_1060() {
        assert_eq!(sum_primes(0, 100, &guard()).unwrap(), 1060);
    }

    #[test]
    fn split_prime_sums_add_up() {
        let w = CpuWorkload::new(
            &CpuParams {
                kernel: CpuKernel::Primes,
                size: 10_000,
            },
            7,
        );
        let total: u64 = (0..7).map(|u| w.run_unit(u, &guard()).unwrap()).sum();
        assert_eq!(total, sum_primes(0, 10_000, &guard()).unwrap());
        // Sum of primes below 10 000 (OEIS A046731).
        assert_eq!(total, 5_736_396);
    }

    #[test]
    fn hash_chain_is_deterministic_and_round_sensitive() {
        let a = hash_chain(1, 5000, &guard()).unwrap();
        assert_eq!(a, hash_chain(1, 5000, &guard()).unwrap());
        assert_ne!(a, hash_chain(1, 5001, &guard()).unwrap());
        let mut x = 1;
        for _ in 0..5000 {
            x = splitmix64(x);
        }
        assert_eq!(a, x);
    }

    #[test]
    fn cancelled_kernel_stops() {
        let token = CancelToken::new();
        token.cancel();
        let g = RunGuard::new(token, Duration::from_secs(60));
        assert_eq!(
            hash_chain(1, u64::MAX, &g),
            Err(crate::engine::pacer::UnitError::Cancelled)
        );
    }
}

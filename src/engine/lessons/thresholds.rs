//! The thresholds, as pure functions of the core count (unit-tested).

/// CPU-bound work behind a GIL stayed flat where its speedup's interval stays below this
/// ([`crate::results::gil_rule::near_one`]): the rule of the verdict, `corelab
/// run`/`report` and the workbench, so that the selftest never answers otherwise.
pub(super) const GIL_NEAR_ONE: f64 = crate::results::gil_rule::NEAR_ONE;

/// Least speedup that shows `workers` parallel workers using the cores: 70% of the ideal
/// `min(workers, cores)` (1.4× at 2 workers on 2 cores).
pub(super) fn parallel_min(workers: usize, cores: usize) -> f64 {
    0.7 * workers.min(cores).max(1) as f64
}

/// Whether `workers` parallel workers used the cores: a speedup of at least
/// [`parallel_min`].
pub(super) fn scales(speedup: f64, workers: usize, cores: usize) -> bool {
    speedup >= parallel_min(workers, cores)
}

/// Least speedup that shows CPython's `multiprocessing` using the cores: half the ideal
/// `min(workers, cores)` (8× at 16 workers on 16 cores). Lower than
/// [`parallel_min`] because CPython's CPU time per task grows with the number of busy
/// interpreter processes: measured on a 16-core VM, 20 ms tasks took 1.3× the CPU per task
/// at 16 processes (10.1× speedup), where Rust processes kept 1.0× (15.4×).
///
/// Never below [`PYTHON_VISIBLE_MIN`]: on 2 cores half the ideal is 1.0×, which a pool
/// that does not scale at all would pass.
pub(super) fn python_parallel_min(workers: usize, cores: usize) -> f64 {
    (0.5 * workers.min(cores).max(1) as f64).max(PYTHON_VISIBLE_MIN)
}

/// The least CPython `multiprocessing` speedup that shows on a chart beside the GIL's flat
/// line (whose interval stays below [`GIL_NEAR_ONE`]): 1.3× (1.70× measured on the quiet
/// 2-core machine).
pub(super) const PYTHON_VISIBLE_MIN: f64 = 1.3;

/// Worker count for I/O-bound work: four per core.
pub(super) fn io_workers(cores: usize) -> usize {
    4 * cores.max(1)
}

/// Least I/O-bound speedup that proves waiting scales past the cores: 1.5 × cores.
pub(super) fn io_min(cores: usize) -> f64 {
    1.5 * cores.max(1) as f64
}

/// Contention slows down when more workers move the counter clearly slower than one: the
/// speedup of a contention task is its throughput relative to one worker (every worker
/// brings its own increments), below [`CONTENTION_SLOW_MAX`] (0.26× measured on the quiet
/// 2-core machine; just below 1 is noise).
pub(super) fn contention_slows(speedup: f64) -> bool {
    speedup < CONTENTION_SLOW_MAX
}

/// See [`contention_slows`].
pub(super) const CONTENTION_SLOW_MAX: f64 = 0.8;

/// The least CPU per increment, relative to one thread, that shows threads on one mutex
/// really ran at once: contending threads spin and bounce the lock's cache line (6–12×
/// measured on the quiet 2-core machine); threads that took turns, because another program
/// had the other core, spend what one thread does (1.0×) and show nothing about
/// contention, slow or not.
pub(super) const CONTENTION_OVERLAP_MIN_WORK: f64 = 1.5;

/// The fewest cores busy on average (CPU time ÷ wall time) at which two or more racing
/// threads surely ran at once for part of their run: below it they may have taken turns
/// (another program had the other core), and losing no update shows nothing.
pub(super) const RACE_OVERLAP_MIN_CORES: f64 = 1.3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_the_core_count() {
        assert!((parallel_min(2, 2) - 1.4).abs() < 1e-9);
        // More workers than cores: the cores are the limit.
        assert!((parallel_min(8, 2) - 1.4).abs() < 1e-9);
        // Half the ideal, but never a bar a flat pool would pass.
        assert!((python_parallel_min(2, 2) - PYTHON_VISIBLE_MIN).abs() < 1e-9);
        // A flat line's interval stays below GIL_NEAR_ONE, so its point does too: a pool at
        // the bar is told from it.
        assert!(python_parallel_min(2, 2) >= GIL_NEAR_ONE);
        assert!((python_parallel_min(16, 16) - 8.0).abs() < 1e-9);
        assert!((parallel_min(16, 16) - 11.2).abs() < 1e-9);
        assert_eq!(io_workers(2), 8);
        assert!((io_min(2) - 3.0).abs() < 1e-9);
        assert!(io_min(2) > 2.0, "past the core count");
        assert!(contention_slows(0.6));
        assert!(!contention_slows(1.2));
        assert!(!contention_slows(0.98), "just below 1 is noise");
    }
}

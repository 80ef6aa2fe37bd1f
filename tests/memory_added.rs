//! The memory a run added (`added_rss_bytes`) is the run's own, whatever this process held
//! before: its peak RSS is reset before each measured run, so an earlier, larger allocation
//! (the workbench's window, a previous run) does not count. A file of its own, so no other
//! test allocates in this process meanwhile. Only wide bounds on sizes; no timing.

use std::time::Duration;

use corelab::engine::model::Executor;
use corelab::engine::proc_stats::{after_run, before_run, reset_peak_rss};
use corelab::engine::workload::RunEnv;
use corelab::engine::{RunGuard, UnitError};
use corelab::preset::TaskSpec;

const MIB: u64 = 1 << 20;

/// An executor of this process alone (no worker processes, no threads of its own), whose
/// costs are measured; the test touches memory itself between `before_run` and `after_run`.
struct HereOnly;

impl Executor for HereOnly {
    fn startup(&self) -> Duration {
        Duration::ZERO
    }
    fn run(
        &mut self,
        _: &TaskSpec,
        _: &RunEnv,
        _: &RunGuard,
    ) -> Result<corelab::engine::model::RunRecord, UnitError> {
        unreachable!("the test touches memory itself")
    }
    fn worker_pids(&self) -> Option<Vec<u32>> {
        Some(Vec::new())
    }
    fn threads_here(&self) -> Option<Vec<u32>> {
        Some(Vec::new())
    }
}

/// A block of `mib` MiB with every page written, so that it is resident.
fn touched(mib: u64) -> Vec<u8> {
    let mut v = vec![0u8; usize::try_from(mib * MIB).expect("a test block fits in memory")];
    for i in (0..v.len()).step_by(4096) {
        v[i] = 1;
    }
    std::hint::black_box(&mut v);
    v
}

/// The memory one measured run that touches `mib` MiB added, and its whole-process peak.
fn measured(mib: u64) -> (Option<u64>, u64) {
    let before = before_run(&HereOnly).expect("HereOnly's costs are measured");
    let block = touched(mib);
    let costs = after_run(&before, &HereOnly, None, None).expect("costs");
    drop(block);
    assert_eq!(costs.per_process.len(), 1, "{:?}", costs.per_process);
    (costs.added_rss_bytes, costs.peak_rss_bytes)
}

#[test]
fn a_run_s_added_memory_leaves_out_what_the_process_held_before() {
    if reset_peak_rss().is_none() {
        // The honest fallback: no figure rather than the whole process's as the run's.
        eprintln!("this kernel refuses /proc/self/clear_refs: only whole-process peaks");
        assert_eq!(measured(32).0, None);
        return;
    }
    // An earlier peak of 160 MiB, freed: the process's lifetime high-water mark holds it.
    drop(touched(160));
    let (added, whole) = measured(32);
    let added = added.expect("the peak was reset, so the run's growth is known");
    assert!(
        (30 * MIB..=32 * MIB + 48 * MIB).contains(&added),
        "a 32 MiB run added {} MiB",
        added / MIB
    );
    assert!(whole >= added, "the whole process's peak holds the run's");
    // A smaller run after it: its own growth, not the 32 MiB run's nor the 160 MiB block's.
    let (added, _) = measured(8);
    let added = added.expect("reset again");
    assert!(
        (7 * MIB..=8 * MIB + 48 * MIB).contains(&added),
        "an 8 MiB run added {} MiB",
        added / MIB
    );
}

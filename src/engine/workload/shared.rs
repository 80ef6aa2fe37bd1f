//! One built copy of a reusable workload for every in-process cell of a sweep.
//!
//! A sweep starts every cell before the first run and interleaves their runs, and every cell
//! runs the same task. A reusable workload ([`super::reusable_between_runs`]: the CPU kernels,
//! the STREAM triad) is therefore built once and shared: each in-process executor holds it
//! while it lives, and the process holds one copy of the memory task's arrays, as it did when
//! each run built its own (so the in-process cells' peak memory still shows one workload). Runs
//! never overlap within a sweep; were two sweeps to share it at once, the triad's chunks are
//! locked and every run writes the same values.
//!
//! It is built when the first in-process cell starts ([`build_before_runs`]), before any run
//! of the sweep, warm-up or timed: so no run is charged for it in memory (`added_rss_bytes`)
//! nor in time, whichever cell the shuffle runs first and whether or not the sweep has
//! warm-ups. (Built by the first run instead, a sweep without warm-ups charged the 48 MiB of a
//! memory task's arrays to whichever in-process cell happened to run first.) The parent holds
//! this one copy for all its cells, counted by none; each worker process builds its own copy,
//! counted in its own peak: that copy is what processes cost.

use std::sync::{Arc, Mutex, Weak};

use super::Workload;
use crate::preset::TaskSpec;

/// The shared workloads, each alive while some executor holds it. Keyed by task: a sweep runs
/// one task, but two sweeps (or tests) running at once must not replace each other's copy.
/// Entries hold only a weak reference, so a workload nobody holds is freed as before.
static SHARED: Mutex<Vec<(TaskSpec, Weak<dyn Workload>)>> = Mutex::new(Vec::new());

/// The shared workload of `spec`: the one some executor still holds, or a new one from `build`.
pub fn workload(
    spec: &TaskSpec,
    build: impl FnOnce() -> Result<Box<dyn Workload>, String>,
) -> Result<Arc<dyn Workload>, String> {
    // Built while holding the lock, so two cells starting at once do not build two copies.
    let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    shared.retain(|(_, weak)| weak.strong_count() > 0);
    if let Some(w) = shared
        .iter()
        .find(|(built_for, _)| built_for == spec)
        .and_then(|(_, weak)| weak.upgrade())
    {
        return Ok(w);
    }
    let w: Arc<dyn Workload> = Arc::from(build()?);
    shared.push((spec.clone(), Arc::downgrade(&w)));
    Ok(w)
}

/// The shared input of `spec`, built now, before any run ([`super::build_in_process`]), for
/// an executor to hold while it lives; `None` for a task built afresh for every run (not
/// [`super::reusable_between_runs`]). A build that fails is left to the first run, which
/// reports it as it always did.
pub fn build_before_runs(spec: &TaskSpec, env: &super::RunEnv) -> Option<Arc<dyn Workload>> {
    if !super::reusable_between_runs(spec) {
        return None;
    }
    super::build_in_process(spec, env).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::pacer::{Pacer, UnitResult};
    use crate::preset::TaskKind;

    struct Dummy;

    impl Workload for Dummy {
        fn unit_count(&self) -> usize {
            1
        }
        fn run_unit(&self, _unit: usize, _pacer: &dyn Pacer) -> UnitResult<u64> {
            Ok(1)
        }
    }

    #[test]
    fn held_workloads_are_shared_and_released_ones_rebuilt() {
        // A task no other test uses, so the shared slot is this test's.
        let spec = TaskSpec {
            kind: TaskKind::Cpu,
            tasks: 7_777,
            ..TaskSpec::default()
        };
        let mut builds = 0;
        let mut build = || -> Result<Box<dyn Workload>, String> {
            builds += 1;
            Ok(Box::new(Dummy))
        };
        let a = workload(&spec, &mut build).unwrap();
        let b = workload(&spec, &mut build).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "a held workload is shared");
        drop((a, b));
        let _c = workload(&spec, &mut build).unwrap();
        assert_eq!(builds, 2, "once nobody held it, it was built again");
        // A failed build is the error, and nothing is kept.
        let other = TaskSpec {
            tasks: 7_778,
            ..spec.clone()
        };
        let err = workload(&other, || Err("no".into())).err().unwrap();
        assert_eq!(err, "no");
    }

    #[test]
    fn two_tasks_held_at_once_keep_their_own_copies() {
        // Two sweeps (or tests) at once: building the second task's workload must not replace
        // the first's, which its executors still hold and share.
        let first = TaskSpec {
            kind: TaskKind::Cpu,
            tasks: 7_779,
            ..TaskSpec::default()
        };
        let second = TaskSpec {
            tasks: 7_780,
            ..first.clone()
        };
        let a = workload(&first, || Ok(Box::new(Dummy))).unwrap();
        let _other = workload(&second, || Ok(Box::new(Dummy))).unwrap();
        let again = workload(&first, || panic!("the held copy is shared, not rebuilt")).unwrap();
        assert!(Arc::ptr_eq(&a, &again));
    }
}

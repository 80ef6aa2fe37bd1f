use std::time::Duration;

use super::Workload;
use super::cpu::splitmix64;
use crate::engine::cpu_time::thread_cpu_time;
use crate::engine::pacer::{Pacer, UnitResult};
use crate::preset::MixedParams;

/// Rounds of the hash between two looks at the thread's CPU clock.
const ROUNDS_PER_CHECK: u32 = 2048;

/// Each task burns `compute` of its own thread's CPU time, then waits `wait`.
///
/// Computing "until this thread has used X ms of CPU" (rather than a fixed round count) keeps
/// the compute share the same on every machine, and a thread that is parked waiting for an
/// emulated GIL uses no CPU time, exactly like a Python thread waiting for the real one.
pub struct MixedWorkload {
    compute: Duration,
    wait: Duration,
    tasks: usize,
}

impl MixedWorkload {
    pub fn new(params: &MixedParams, tasks: usize) -> Result<Self, String> {
        let ms = |field: &str, v: f64| {
            Duration::try_from_secs_f64(v / 1000.0)
                .map_err(|_| format!("`task.mixed.{field}` = {v}: not a duration"))
        };
        Ok(MixedWorkload {
            compute: ms("compute_ms", params.compute_ms)?,
            wait: ms("wait_ms", params.wait_ms)?,
            tasks,
        })
    }
}

impl Workload for MixedWorkload {
    fn unit_count(&self) -> usize {
        self.tasks
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        compute_for(self.compute, unit, pacer)?;
        pacer.wait(self.wait)?;
        Ok(mixed_checksum(unit))
    }
}

/// The compute part of a mixed unit: burns `compute` of the calling thread's CPU time.
pub(crate) fn compute_for(compute: Duration, unit: usize, pacer: &dyn Pacer) -> UnitResult<()> {
    let start = thread_cpu_time();
    let mut x = unit as u64;
    while thread_cpu_time().saturating_sub(start) < compute {
        for _ in 0..ROUNDS_PER_CHECK {
            x = splitmix64(x);
        }
        std::hint::black_box(x);
        pacer.checkpoint()?;
    }
    Ok(())
}

/// A mixed unit's checksum.
pub(crate) fn mixed_checksum(unit: usize) -> u64 {
    splitmix64(unit as u64 ^ 0x006d_6978_6564)
}

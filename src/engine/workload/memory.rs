use std::sync::Mutex;

use super::{RunMetrics, Workload, split_range};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::preset::MemoryParams;

/// Elements between two checkpoints (512 KiB of each array).
const CHECK_EVERY: usize = 64 * 1024;
/// Bytes STREAM counts per triad element: read b, read c, write a.
const BYTES_PER_ELEMENT: u64 = 24;

/// STREAM triad `a[i] = b[i] + s * c[i]` over three arrays of `array_mib` MiB each, split into
/// contiguous chunks (one per task). Every page of every array is written when the workload is
/// built, before timing starts, so a timed run pays no first-touch page faults or kernel
/// zeroing (its minor-fault count, recorded per run, stays near zero).
pub struct MemoryWorkload {
    a: Vec<Mutex<Vec<f64>>>,
    b: Vec<f64>,
    c: Vec<f64>,
    offsets: Vec<usize>,
    passes: u32,
}

impl MemoryWorkload {
    pub fn new(params: &MemoryParams, tasks: usize) -> Result<Self, String> {
        let len = (params.array_mib as usize * 1024 * 1024) / std::mem::size_of::<f64>();
        let tasks = tasks.min(len.max(1));
        let mut b = Vec::new();
        let mut c = Vec::new();
        b.try_reserve_exact(len)
            .and_then(|_| c.try_reserve_exact(len))
            .map_err(|e| format!("cannot allocate 3 × {} MiB: {e}", params.array_mib))?;
        b.extend((0..len).map(|i| (i % 1000) as f64 * 0.5));
        c.extend((0..len).map(|i| (i % 7) as f64));
        let mut a = Vec::with_capacity(tasks);
        let mut offsets = Vec::with_capacity(tasks);
        for unit in 0..tasks {
            let (start, end) = split_range(len as u64, tasks, unit);
            offsets.push(start as usize);
            a.push(Mutex::new(touched_chunk((end - start) as usize, params)?));
        }
        Ok(MemoryWorkload {
            a,
            b,
            c,
            offsets,
            passes: params.passes,
        })
    }

    /// Pages of memory the three arrays occupy.
    #[cfg(test)]
    pub fn pages(&self) -> usize {
        (3 * self.elements() * std::mem::size_of::<f64>()).div_ceil(4096)
    }

    fn elements(&self) -> usize {
        self.b.len()
    }
}

/// One chunk of `a`, every element written now. The value is not 0: stores of zero into freshly
/// zeroed memory may be optimised away, leaving the pages untouched.
fn touched_chunk(len: usize, params: &MemoryParams) -> Result<Vec<f64>, String> {
    let mut chunk = Vec::new();
    chunk
        .try_reserve_exact(len)
        .map_err(|e| format!("cannot allocate 3 × {} MiB: {e}", params.array_mib))?;
    chunk.resize(len, 1.0);
    Ok(chunk)
}

impl Workload for MemoryWorkload {
    fn unit_count(&self) -> usize {
        self.a.len()
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        let mut a = self.a[unit]
            .lock()
            .map_err(|_| UnitError::Failed("memory chunk poisoned".into()))?;
        let start = self.offsets[unit];
        let b = &self.b[start..start + a.len()];
        let c = &self.c[start..start + a.len()];
        for pass in 0..self.passes {
            let s = 3.0 + f64::from(pass);
            for ((a, b), c) in a
                .chunks_mut(CHECK_EVERY)
                .zip(b.chunks(CHECK_EVERY))
                .zip(c.chunks(CHECK_EVERY))
            {
                for ((x, y), z) in a.iter_mut().zip(b).zip(c) {
                    *x = y + s * z;
                }
                pacer.checkpoint()?;
            }
        }
        Ok(a.iter().sum::<f64>().to_bits())
    }

    fn finish(&self, checksum: u64) -> UnitResult<RunMetrics> {
        Ok(RunMetrics {
            checksum,
            bytes_moved: Some(self.elements() as u64 * BYTES_PER_ELEMENT * u64::from(self.passes)),
            ..RunMetrics::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::CancelToken;
    use crate::engine::model::{Executor, InProcessExecutor};
    use crate::engine::pacer::RunGuard;
    use crate::engine::workload::RunEnv;
    use crate::preset::{ModelKind, TaskKind, TaskSpec};
    use std::time::Duration;

    #[test]
    fn every_page_is_written_when_the_workload_is_built() {
        let w = MemoryWorkload::new(
            &MemoryParams {
                array_mib: 1,
                passes: 1,
            },
            3,
        )
        .expect("workload");
        assert_eq!(w.pages(), 3 * 256);
        for chunk in &w.a {
            let chunk = chunk.lock().expect("chunk");
            assert!(chunk.iter().all(|&x| x == 1.0));
        }
        assert_eq!(
            w.a.iter()
                .map(|c| c.lock().expect("chunk").len())
                .sum::<usize>(),
            w.elements()
        );
    }

    #[test]
    fn a_timed_memory_run_takes_almost_no_page_faults() {
        let params = MemoryParams {
            array_mib: 16,
            passes: 1,
        };
        let task = TaskSpec {
            kind: TaskKind::Memory,
            tasks: 8,
            memory: params.clone(),
            ..TaskSpec::default()
        };
        let pages = MemoryWorkload::new(&params, 8).expect("workload").pages();
        let env = RunEnv {
            workers: 2,
            scratch_dir: std::env::temp_dir(),
            shared_file: None,
        };
        for model in [ModelKind::Sequential, ModelKind::Threads, ModelKind::Rayon] {
            let mut exec =
                InProcessExecutor::new(model, 2, Duration::from_millis(5)).expect("executor");
            for run in 0..2 {
                let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(60));
                let record = exec.run(&task, &env, &guard).expect("run");
                assert!(
                    record.minor_faults < (pages / 100) as u64,
                    "{model} run {run}: {} minor faults for {pages} pages of arrays",
                    record.minor_faults
                );
            }
        }
    }
}

use std::sync::Mutex;

use super::{RunMetrics, Workload, split_range};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::preset::MemoryParams;

/// Elements between two checkpoints (512 KiB of each array).
const CHECK_EVERY: usize = 64 * 1024;
/// Bytes STREAM counts per triad element: read b, read c, write a.
const BYTES_PER_ELEMENT: u64 = 24;

/// STREAM triad `a[i] = b[i] + s * c[i]` over three arrays of `array_mib` MiB each, split into
/// contiguous chunks (one per task). Arrays are allocated and touched before timing starts.
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
            a.push(Mutex::new(vec![0.0; (end - start) as usize]));
        }
        Ok(MemoryWorkload {
            a,
            b,
            c,
            offsets,
            passes: params.passes,
        })
    }

    fn elements(&self) -> usize {
        self.b.len()
    }
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

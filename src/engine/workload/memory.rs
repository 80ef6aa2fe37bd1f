use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{RunMetrics, Workload, memory_elements, splitmix64};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::preset::MemoryParams;

/// Elements between two checkpoints (512 KiB of each array).
const CHECK_EVERY: usize = 64 * 1024;
/// Bytes STREAM counts per triad element: read b, read c, write a.
const BYTES_PER_ELEMENT: u64 = 24;
/// Partial sums a unit keeps of the values it writes (its checksum): independent additions,
/// so that summing does not become a chain of dependent additions slower than the stream.
const LANES: usize = 8;

/// How a memory task is cut: every array into `chunks` chunks of `chunk_len` elements, swept
/// `passes` times. A unit is one chunk of one pass, so a run has `chunks × passes` units;
/// units `[p·chunks, (p+1)·chunks)` are pass `p`. The parent of a process pool, which holds no
/// arrays, counts units and bytes from the same geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub chunks: usize,
    pub chunk_len: usize,
    pub passes: u32,
}

impl Geometry {
    /// `tasks` chunks (at most one per element) of equal length: an array of `array_mib` MiB
    /// loses the remainder, fewer elements than there are chunks.
    pub fn of(params: &MemoryParams, tasks: usize) -> Result<Self, String> {
        let len = usize::try_from(memory_elements(params.array_mib)?)
            .map_err(|_| format!("`task.memory.array_mib` = {}: too large", params.array_mib))?;
        let chunks = tasks.clamp(1, len.max(1));
        Ok(Geometry {
            chunks,
            chunk_len: len / chunks,
            passes: params.passes.max(1),
        })
    }

    /// Elements in each array.
    pub fn elements(&self) -> usize {
        self.chunks * self.chunk_len
    }

    /// Units of one run: every chunk once per pass.
    pub fn units(&self) -> usize {
        self.chunks.saturating_mul(self.passes as usize)
    }

    /// The pass unit `unit` belongs to.
    pub fn pass_of(&self, unit: usize) -> u32 {
        u32::try_from(unit / self.chunks).unwrap_or(u32::MAX)
    }

    /// Bytes one run reads and writes, counted as STREAM does.
    pub fn bytes_moved(&self) -> u64 {
        (self.elements() as u64)
            .saturating_mul(BYTES_PER_ELEMENT)
            .saturating_mul(u64::from(self.passes))
    }
}

/// STREAM triad `a[i] = b[i] + s * c[i]` over three arrays of `array_mib` MiB each, `passes`
/// times (`s` = 3 + the pass), cut into `tasks` equal chunks.
///
/// **What makes it a memory test.** Each unit streams one chunk of one pass, and the chunk it
/// streams is not named by the unit: it takes the next chunk in sweep order (a cursor shared by
/// every worker of the workload, going round the chunks). So however the model hands out the
/// units (a queue in order, rayon's split ranges and stealing, batches to a process), the
/// chunks are streamed round and round the arrays: between two touches of the same byte, the
/// whole of the three arrays passes through the caches, and with arrays larger than the
/// last-level cache every byte comes from memory. (When a unit streamed every pass of its own
/// chunk, a 4 MiB chunk of each array stayed in cache after the first pass and the "memory"
/// task measured the cache.) Workers at the same time stream different chunks, never the same
/// data twice.
///
/// **Why every model computes the same answer.** Every chunk holds the same values (element `j`
/// of a chunk is `b = (j mod 1000) / 2`, `c = j mod 7`), so what a unit computes depends on
/// its pass only, not on which chunk it got; its checksum is the sum of the values it wrote,
/// mixed with its index (`splitmix64(unit) XOR bits`), so a unit skipped or run twice changes
/// the run's wrapping sum.
///
/// Every page of every array is written when the workload is built, before timing starts, so
/// a timed run pays no first-touch page faults or kernel zeroing (its minor-fault count,
/// recorded per run, stays near zero).
pub struct MemoryWorkload {
    a: Vec<Mutex<Vec<f64>>>,
    b: Vec<f64>,
    c: Vec<f64>,
    geometry: Geometry,
    /// The next chunk to stream, counting round the chunks (see the type's documentation).
    cursor: AtomicUsize,
    /// The chunks streamed, in the order the units took them.
    #[cfg(test)]
    taken: Mutex<Vec<usize>>,
}

impl MemoryWorkload {
    pub fn new(params: &MemoryParams, tasks: usize) -> Result<Self, String> {
        let geometry = Geometry::of(params, tasks)?;
        let len = geometry.elements();
        let mut b = Vec::new();
        let mut c = Vec::new();
        b.try_reserve_exact(len)
            .and_then(|_| c.try_reserve_exact(len))
            .map_err(|e| allocation_failed(params, &e))?;
        for _ in 0..geometry.chunks {
            b.extend((0..geometry.chunk_len).map(|j| (j % 1000) as f64 * 0.5));
            c.extend((0..geometry.chunk_len).map(|j| (j % 7) as f64));
        }
        let mut a = Vec::with_capacity(geometry.chunks);
        for _ in 0..geometry.chunks {
            a.push(Mutex::new(touched_chunk(geometry.chunk_len, params)?));
        }
        Ok(MemoryWorkload {
            a,
            b,
            c,
            geometry,
            cursor: AtomicUsize::new(0),
            #[cfg(test)]
            taken: Mutex::new(Vec::new()),
        })
    }

    /// Pages of memory the three arrays occupy.
    #[cfg(test)]
    pub fn pages(&self) -> usize {
        (3 * self.elements() * std::mem::size_of::<f64>()).div_ceil(4096)
    }

    #[cfg(test)]
    fn elements(&self) -> usize {
        self.b.len()
    }

    /// The chunk the next unit streams: the cursor's, going round the chunks.
    fn take_chunk(&self) -> usize {
        let chunk = self.cursor.fetch_add(1, Ordering::Relaxed) % self.geometry.chunks;
        #[cfg(test)]
        self.taken
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(chunk);
        chunk
    }
}

/// Why the arrays could not be allocated; under an address-space limit (`ulimit -v`), which
/// also counts every thread's stack and the allocator's per-thread reservations, it says so.
fn allocation_failed(params: &MemoryParams, e: &std::collections::TryReserveError) -> String {
    let limit = crate::sys::address_space_limit().map(|bytes| {
        format!(
            " (this process's address space is limited to {} by ulimit -v, which also counts \
             every thread's stack and the allocator's reservations per thread)",
            crate::engine::resources::human(bytes)
        )
    });
    format!(
        "cannot allocate 3 × {} MiB: {e}{}",
        params.array_mib,
        limit.unwrap_or_default()
    )
}

/// One chunk of `a`, every element written now. The value is not 0: stores of zero into freshly
/// zeroed memory may be optimised away, leaving the pages untouched.
fn touched_chunk(len: usize, params: &MemoryParams) -> Result<Vec<f64>, String> {
    let mut chunk = Vec::new();
    chunk
        .try_reserve_exact(len)
        .map_err(|e| allocation_failed(params, &e))?;
    chunk.resize(len, 1.0);
    Ok(chunk)
}

/// `a = b + s·c` element by element, adding every value written to `sums` (lane `i mod
/// LANES`).
fn triad(a: &mut [f64], b: &[f64], c: &[f64], s: f64, sums: &mut [f64; LANES]) {
    let mut a8 = a.chunks_exact_mut(LANES);
    let mut b8 = b.chunks_exact(LANES);
    let mut c8 = c.chunks_exact(LANES);
    for ((x, y), z) in (&mut a8).zip(&mut b8).zip(&mut c8) {
        for lane in 0..LANES {
            let v = y[lane] + s * z[lane];
            x[lane] = v;
            sums[lane] += v;
        }
    }
    let tail = a8
        .into_remainder()
        .iter_mut()
        .zip(b8.remainder())
        .zip(c8.remainder());
    for (lane, ((x, y), z)) in tail.enumerate() {
        let v = y + s * z;
        *x = v;
        sums[lane] += v;
    }
}

impl Workload for MemoryWorkload {
    fn unit_count(&self) -> usize {
        self.geometry.units()
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        let pass = self.geometry.pass_of(unit);
        let chunk = self.take_chunk();
        let mut a = self.a[chunk]
            .lock()
            .map_err(|_| UnitError::Failed("memory chunk poisoned".into()))?;
        let start = chunk * self.geometry.chunk_len;
        let b = &self.b[start..start + a.len()];
        let c = &self.c[start..start + a.len()];
        let s = 3.0 + f64::from(pass);
        let mut sums = [0.0; LANES];
        for ((a, b), c) in a
            .chunks_mut(CHECK_EVERY)
            .zip(b.chunks(CHECK_EVERY))
            .zip(c.chunks(CHECK_EVERY))
        {
            triad(a, b, c, s, &mut sums);
            pacer.checkpoint()?;
        }
        Ok(splitmix64(unit as u64) ^ sums.iter().sum::<f64>().to_bits())
    }

    fn finish(&self, checksum: u64) -> UnitResult<RunMetrics> {
        Ok(RunMetrics {
            checksum,
            bytes_moved: Some(self.geometry.bytes_moved()),
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

    /// A memory task of `tasks` units over arrays of `array_mib`, `passes` passes each, and
    /// its parameters.
    fn memory_task(array_mib: u64, passes: u32, tasks: u32) -> (MemoryParams, TaskSpec) {
        let params = MemoryParams { array_mib, passes };
        let task = TaskSpec {
            kind: TaskKind::Memory,
            tasks,
            memory: params.clone(),
            ..TaskSpec::default()
        };
        (params, task)
    }

    #[test]
    fn a_timed_memory_run_takes_almost_no_page_faults() {
        let (params, task) = memory_task(16, 1, 8);
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

    fn guard() -> RunGuard {
        RunGuard::new(CancelToken::new(), Duration::from_secs(60))
    }

    fn small(passes: u32, tasks: usize) -> MemoryWorkload {
        MemoryWorkload::new(
            &MemoryParams {
                array_mib: 1,
                passes,
            },
            tasks,
        )
        .expect("workload")
    }

    /// The orders in which the models hand out units `0..n`: a queue (in order), reversed,
    /// and rayon's: its range split in halves (quarters), each worker going through its own
    /// part, here interleaved one unit at a time as two (four) workers would run them.
    fn orders(n: usize) -> Vec<(&'static str, Vec<usize>)> {
        let split = |parts: usize| -> Vec<usize> {
            let len = n.div_ceil(parts);
            (0..len)
                .flat_map(|i| (0..parts).map(move |p| p * len + i))
                .filter(|&u| u < n)
                .collect()
        };
        vec![
            ("in order", (0..n).collect()),
            ("reversed", (0..n).rev().collect()),
            ("rayon halves", split(2)),
            ("rayon quarters", split(4)),
        ]
    }

    #[test]
    fn a_unit_is_one_chunk_of_one_pass() {
        let g = Geometry::of(
            &MemoryParams {
                array_mib: 1,
                passes: 5,
            },
            3,
        )
        .unwrap();
        // 131 072 elements in 3 equal chunks (the 2 left over are dropped).
        assert_eq!((g.chunks, g.chunk_len), (3, 43_690));
        assert_eq!(g.units(), 15);
        assert_eq!(
            (g.pass_of(0), g.pass_of(2), g.pass_of(3), g.pass_of(14)),
            (0, 0, 1, 4)
        );
        assert_eq!(g.bytes_moved(), 3 * 43_690 * 24 * 5);
        let w = small(5, 3);
        assert_eq!(w.unit_count(), 15);
        assert_eq!(w.elements(), g.elements());
    }

    /// The reviewer's finding: with every pass of a chunk in one unit, the 12 MiB of a chunk
    /// stayed in a 32 MiB cache and the task measured the cache. Now, whatever order the units
    /// come in, the chunks are streamed round the arrays: between two touches of a chunk every
    /// other chunk is streamed, the whole of the three arrays.
    #[test]
    fn the_whole_arrays_stream_between_two_touches_of_a_chunk_whatever_the_order() {
        let (passes, chunks) = (4, 8);
        for (name, order) in orders(passes * chunks) {
            let w = small(passes as u32, chunks);
            for u in order {
                w.run_unit(u, &guard()).expect("unit");
            }
            let taken = w.taken.lock().unwrap().clone();
            assert_eq!(taken.len(), passes * chunks, "{name}");
            for (i, chunk) in taken.iter().enumerate() {
                let next = taken[i + 1..].iter().position(|c| c == chunk);
                if let Some(gap) = next {
                    assert_eq!(
                        gap + 1,
                        chunks,
                        "{name}: chunk {chunk} touched again after {gap} other chunks: {taken:?}"
                    );
                }
            }
            // Every chunk once per pass.
            for chunk in 0..chunks {
                assert_eq!(taken.iter().filter(|&&c| c == chunk).count(), passes);
            }
        }
    }

    #[test]
    fn every_chunk_holds_the_same_values_so_a_unit_depends_on_its_pass_only() {
        let w = small(1, 4);
        let len = w.geometry.chunk_len;
        for chunk in 1..4 {
            assert_eq!(w.b[chunk * len..(chunk + 1) * len], w.b[..len]);
            assert_eq!(w.c[chunk * len..(chunk + 1) * len], w.c[..len]);
        }
        // A unit's answer is the same whichever chunk it streams.
        let first = w.run_unit(0, &guard()).unwrap();
        let w2 = small(1, 4);
        w2.take_chunk(); // the next unit gets chunk 1
        assert_eq!(w2.run_unit(0, &guard()).unwrap(), first);
        // A different pass computes something else, and so does another unit of the same pass.
        let other_pass = small(2, 4);
        assert_ne!(other_pass.run_unit(4, &guard()).unwrap(), first);
        assert_ne!(w.run_unit(1, &guard()).unwrap(), first);
    }

    #[test]
    fn the_checksum_is_the_same_in_every_order_and_from_any_cursor() {
        let (passes, chunks) = (3, 5);
        let sum = |w: &MemoryWorkload, order: &[usize]| -> u64 {
            order.iter().fold(0u64, |acc, &u| {
                acc.wrapping_add(w.run_unit(u, &guard()).expect("unit"))
            })
        };
        let reference = sum(&small(passes, chunks), &(0..15).collect::<Vec<_>>());
        for (name, order) in orders(15) {
            assert_eq!(sum(&small(passes, chunks), &order), reference, "{name}");
            // A reused workload whose cursor is anywhere (a run cancelled half-way before).
            let w = small(passes, chunks);
            w.run_unit(0, &guard()).unwrap();
            w.run_unit(1, &guard()).unwrap();
            assert_eq!(sum(&w, &order), reference, "{name}, cursor at 2");
        }
    }

    #[test]
    fn every_in_process_model_computes_the_same_checksum() {
        let (_, task) = memory_task(4, 3, 6);
        let mut checksums = Vec::new();
        for (model, workers) in [
            (ModelKind::Sequential, 1),
            (ModelKind::Threads, 2),
            (ModelKind::Threads, 4),
            (ModelKind::Rayon, 2),
            (ModelKind::Rayon, 4),
        ] {
            let env = RunEnv {
                workers,
                scratch_dir: std::env::temp_dir(),
                shared_file: None,
            };
            let mut exec =
                InProcessExecutor::new(model, workers, Duration::from_millis(5)).expect("executor");
            for _ in 0..2 {
                let record = exec.run(&task, &env, &guard()).expect("run");
                checksums.push((model, workers, record.metrics.checksum));
            }
        }
        assert!(
            checksums.iter().all(|c| c.2 == checksums[0].2),
            "{checksums:?}"
        );
    }
}

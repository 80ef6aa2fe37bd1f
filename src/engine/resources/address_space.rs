//! The address space (`ulimit -v`) each process of a sweep maps: which process holds a cell's
//! workload, what any corelab or Python process maps besides, and the refusal of a sweep
//! whose largest process would not fit under the limit.

use super::error::ResourceError;
use super::human_bytes::human;
use super::needs::CellNeeds;
use crate::preset::ModelKind;

/// Address space (`ulimit -v`) that a corelab process maps besides its workload and the
/// threads counted apart ([`RUST_THREAD_ADDRESS_BYTES`] each): its code and libraries, its
/// main thread's stack, its heap, the CLI's signal watcher.
///
/// Measured by bisection on `ulimit -v` (1 MiB steps; `bash -c 'ulimit -v K; exec corelab run
/// -q P'` succeeds or not) with glibc 2.36 on x86_64, malloc arenas capped as corelab caps
/// them under a limit (`sys::cap_malloc_arenas_under_address_limit`): a one-cell `sequential`
/// sweep of a CPU task needs 65 MiB with the debug build and 25 MiB with the release build
/// (below, it cannot start its signal watcher); `threads` and `rayon` add 2.0 MiB per thread
/// (threads × 1 and × 64: 196 MiB, debug). The floor is that plus a margin of about a
/// quarter, so that a limit that passes the check is not one that fails at start-up (before,
/// 64 MiB for either build: the debug build passed the check at 64 MiB and could not start).
/// With the debug floor, the sweeps measured (sequential; threads, rayon × 16 and × 64;
/// processes × 4) start at exactly the figure the check asks; the release build, measured
/// with a floor of 24 MiB, started at the figure for all but the sequential one (25 MiB),
/// which the 32 MiB floor covers.
pub const CORELAB_ADDRESS_FLOOR: u64 = if cfg!(debug_assertions) {
    80 << 20
} else {
    32 << 20
};
/// Address space of one thread corelab starts: Rust's default 2 MiB stack, its guard page and
/// its signal stack (measured at 2.0 MiB a thread, above; rounded up).
pub const RUST_THREAD_ADDRESS_BYTES: u64 = (2 << 20) + (128 << 10);
/// The same floor for a CPython interpreter, its threads apart: `corelab_worker.py` started
/// and running a run of `py-asyncio` (no thread of its own) needs 30 MiB (CPython 3.11.7,
/// the worker fed its protocol under `ulimit -v`, bisected as above); with a margin. Each
/// thread of it adds its stack, [`crate::sys::default_thread_stack_bytes`] (8 MiB under the
/// usual `ulimit -s 8192`): measured 35 MiB for one `py-threading` worker, 60 for four.
/// (Before, 8 MiB, from `VmPeak` without the worker's own imports: every Python cell passed
/// the check under 9 MiB and failed to start.)
const PYTHON_ADDRESS_FLOOR: u64 = 40 << 20;

/// Which process holds a cell's workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// corelab's own process (the in-process models).
    Corelab,
    /// Each `corelab worker` child (the process pool).
    Worker,
    /// Each Python process of a Python model.
    Python,
}

impl Holder {
    /// [`CORELAB_ADDRESS_FLOOR`] or `PYTHON_ADDRESS_FLOOR`.
    pub fn address_floor(self) -> u64 {
        match self {
            Holder::Corelab | Holder::Worker => CORELAB_ADDRESS_FLOOR,
            Holder::Python => PYTHON_ADDRESS_FLOOR,
        }
    }

    /// The address space of one thread this process starts: [`RUST_THREAD_ADDRESS_BYTES`],
    /// or for a Python process `python_stack` (its threads' stack size).
    pub fn thread_bytes(self, python_stack: u64) -> u64 {
        match self {
            Holder::Corelab | Holder::Worker => RUST_THREAD_ADDRESS_BYTES,
            Holder::Python => python_stack,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Holder::Corelab => "corelab's own process",
            Holder::Worker => "each worker process",
            Holder::Python => "each Python process",
        }
    }
}

/// The per-process address space a sweep whose cells are `needs` needs, against `limit`
/// (`ulimit -v`, inherited by every process corelab starts): corelab's own process holds the
/// in-process cells' workload and every thread the cells keep in it (all cells live at once),
/// each worker or Python process its own copy and its own threads (`python_stack` each for a
/// Python process's), and each maps its [`Holder::address_floor`] besides. Refused where that
/// does not fit: said before the first cell rather than at a thread or an allocation midway.
pub(super) fn address_space_plan(
    needs: &[CellNeeds],
    limit: Option<u64>,
    python_stack: u64,
) -> Result<(), ResourceError> {
    let Some(limit) = limit else { return Ok(()) };
    // corelab's own process runs every in-process cell (one at a time, sharing one workload)
    // and starts the others: it needs its floor in any sweep, and the threads of every cell.
    // Each child process needs its own copy, floor and threads.
    let own = needs
        .iter()
        .filter(|c| c.holder == Holder::Corelab)
        .max_by_key(|c| c.process_bytes);
    let own_threads = needs
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(c.corelab_threads));
    let own_need = own
        .map_or(0, |c| c.process_bytes)
        .saturating_add(CORELAB_ADDRESS_FLOOR)
        .saturating_add(own_threads.saturating_mul(RUST_THREAD_ADDRESS_BYTES));
    let children = needs
        .iter()
        .filter(|c| c.holder != Holder::Corelab)
        .map(|c| {
            let threads = c
                .process_threads
                .saturating_mul(c.holder.thread_bytes(python_stack));
            let needed = c
                .process_bytes
                .saturating_add(c.holder.address_floor())
                .saturating_add(threads);
            (needed, c.holder, Some(c), c.process_threads)
        });
    // The first of the largest: corelab's own process where it ties with a child.
    let Some((needed, holder, cell, threads)) =
        std::iter::once((own_need, Holder::Corelab, own, own_threads))
            .chain(children)
            .reduce(|best, next| if next.0 > best.0 { next } else { best })
    else {
        return Ok(());
    };
    if needed <= limit {
        return Ok(());
    }
    let workload = match cell {
        Some(c) if c.process_bytes > 0 => format!(
            "{} of its workload in {}, plus ",
            human(c.process_bytes),
            holder.describe()
        ),
        _ => String::new(),
    };
    let maps = match holder {
        Holder::Python => "a Python interpreter",
        _ => "any corelab process",
    };
    let stacks = match threads {
        0 => String::new(),
        n => format!(
            ", plus {n} thread{} at {} each (its stack)",
            if n == 1 { "" } else { "s" },
            human(holder.thread_bytes(python_stack))
        ),
    };
    let named = cell.or(needs.first());
    Err(ResourceError::AddressSpace {
        needed,
        limit,
        detail: format!(
            "{workload}{} that {maps} maps besides (code, libraries, its main thread){stacks}",
            human(holder.address_floor())
        ),
        model: named.map_or(ModelKind::Sequential, |c| c.model),
        workers: named.map_or(1, |c| c.workers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::test_fixtures::{MIB, exp, limited, memory_bandwidth};
    use crate::engine::resources::{check_against, sweep_needs};
    use crate::preset::TaskKind;

    #[test]
    fn an_address_space_below_the_arrays_and_the_floor_is_refused_with_both_numbers() {
        let e = memory_bandwidth();
        // corelab's own process: 192 MiB of arrays, its floor, and the 12 threads the cells
        // keep in it (threads and rayon × 1 and × 2: 6; processes × 1 and × 2: 2 readers for
        // each of 3 workers).
        let own = 192 * MIB + CORELAB_ADDRESS_FLOOR + 12 * RUST_THREAD_ADDRESS_BYTES;
        let err = check_against(&e, &limited(Some(200 * MIB))).unwrap_err();
        let ResourceError::AddressSpace { needed, limit, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*needed, *limit), (own, 200 * MIB));
        let text = err.to_string();
        assert!(
            text.contains(&format!("at least {} of address space", human(own))),
            "{text}"
        );
        assert!(text.contains("limited to 200.0 MiB (ulimit -v)"), "{text}");
        assert!(text.contains("192.0 MiB of its workload"), "{text}");
        assert!(
            text.contains(&format!(
                "{} that any corelab process maps besides",
                human(CORELAB_ADDRESS_FLOOR)
            )),
            "{text}"
        );
        assert!(text.contains("plus 12 threads at 2.1 MiB each"), "{text}");
        // How to raise it: `ulimit -v` takes KiB; twice the need.
        assert!(
            text.contains(&format!("ulimit -v {}", own.div_ceil(1024) * 2)),
            "{text}"
        );
        assert!(text.contains("ulimit -v unlimited"), "{text}");
        // Just enough passes.
        assert!(check_against(&e, &limited(Some(own))).is_ok());
        assert!(check_against(&e, &limited(Some(own - 1))).is_err());
        assert!(check_against(&e, &limited(None)).is_ok());
    }

    #[test]
    fn a_worker_process_needs_its_own_copy_not_the_sum_over_workers() {
        // 8 worker processes × (192 MiB + floor): the limit is per process.
        let mut e = memory_bandwidth();
        e.models = vec![ModelKind::Processes];
        e.workers = vec![8];
        // No sequential baseline, which would hold the arrays in corelab's own process.
        e.baseline = crate::preset::Baseline::SameModelOneWorker;
        let needs = sweep_needs(&e).unwrap();
        assert!(
            needs.iter().all(|c| c.holder == Holder::Worker),
            "{needs:?}"
        );
        let worker = 192 * MIB + CORELAB_ADDRESS_FLOOR;
        assert!(address_space_plan(&needs, Some(worker), 8 * MIB).is_ok());
        let err = address_space_plan(&needs, Some(worker - 1), 8 * MIB).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("in each worker process"), "{text}");
        assert!(text.contains("cell processes × "), "{text}");
        // With the sequential baseline (and so no processes × 1), corelab's own process holds
        // them too, with the 16 reader threads of the 8 workers: it needs more than a worker,
        // and is named.
        e.baseline = crate::preset::Baseline::Sequential;
        let needs = sweep_needs(&e).unwrap();
        let own = worker + 16 * RUST_THREAD_ADDRESS_BYTES;
        assert!(address_space_plan(&needs, Some(own), 8 * MIB).is_ok());
        let text = address_space_plan(&needs, Some(own - 1), 8 * MIB)
            .unwrap_err()
            .to_string();
        assert!(text.contains("in corelab's own process"), "{text}");
        assert!(text.contains("cell sequential × 1"), "{text}");
    }

    #[test]
    fn a_task_without_big_data_needs_the_floor_and_every_thread_s_stack() {
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Threads, ModelKind::PyThreading],
            vec![4],
        );
        let needs = sweep_needs(&e).unwrap();
        // corelab's own process: 4 threads and the interpreter's 2 readers. The interpreter:
        // its floor and its pool's 4 threads at the Python stack size.
        let own = CORELAB_ADDRESS_FLOOR + 6 * RUST_THREAD_ADDRESS_BYTES;
        let python = |stack: u64| PYTHON_ADDRESS_FLOOR + 4 * stack;
        let need = |stack: u64| own.max(python(stack));
        for stack in [2 * MIB, 8 * MIB, 64 * MIB] {
            assert!(address_space_plan(&needs, Some(need(stack)), stack).is_ok());
            let err = address_space_plan(&needs, Some(need(stack) - 1), stack).unwrap_err();
            let text = err.to_string();
            if python(stack) > own {
                assert!(text.contains("a Python interpreter maps"), "{text}");
                assert!(
                    text.contains(&format!("plus 4 threads at {} each", human(stack))),
                    "{text}"
                );
                assert!(text.contains("cell py-threading × 4"), "{text}");
            } else {
                assert!(text.contains("any corelab process maps"), "{text}");
                assert!(text.contains("plus 6 threads at 2.1 MiB each"), "{text}");
            }
        }
        // Under `ulimit -s unlimited` (2 MiB stacks) corelab's own process needs the most; a
        // 64 MiB stack makes the interpreter need the most.
        assert!(python(2 * MIB) < own && python(64 * MIB) > own);
    }
}

//! What one cell of a sweep needs at its peak (memory, disk, pipes, tasks, and the workload
//! each of its processes holds), and the memory peak of a whole sweep: every cell's kept
//! share at once plus the largest run's extra.

use super::address_space::Holder;
use super::error::ResourceError;
use super::human_bytes::human;
use super::open_files::PIPES_PER_CHILD;
use crate::engine::kept_tasks::{
    PythonSetup, child_threads, corelab_threads, kept_tasks, likely_tasks,
};
use crate::engine::sweep_plan;
use crate::engine::workload::{CHANNEL_BOUND, IO_CHUNK_BYTES, memory_elements};
use crate::preset::{Experiment, IoMode, ModelKind, SyncMode, TaskKind, TaskSpec};

/// Resident memory of one `corelab worker` child before its workload: its binary, stack and
/// heap (measured at a few MiB; rounded up).
const WORKER_PROCESS_BYTES: u64 = 16 << 20;
/// Resident memory of one CPython process (interpreter, `json`, `multiprocessing`).
const PYTHON_PROCESS_BYTES: u64 = 32 << 20;

/// What one cell of a sweep needs at its peak.
#[derive(Clone, Debug, PartialEq)]
pub struct CellNeeds {
    pub model: ModelKind,
    pub workers: usize,
    /// Peak memory while one of its runs is going on (`retained_bytes` included).
    pub memory_bytes: u64,
    /// Memory the cell holds from start-up to the end of the sweep, between its runs too.
    pub retained_bytes: u64,
    /// Memory it holds from start-up to the end that every in-process cell shares (one built
    /// reusable workload, [`crate::engine::workload::shared`]): counted once per sweep.
    pub shared_bytes: u64,
    pub disk_bytes: u64,
    /// Files (pipes) corelab holds open for the cell from start-up to the end of the sweep:
    /// three pipes per child process it starts.
    pub open_files: u64,
    /// The workload one process of the cell holds (one copy: each worker process holds its
    /// own), and which process that is: what an address-space limit, which is per process,
    /// is compared with.
    pub process_bytes: u64,
    pub holder: Holder,
    /// Threads besides its main one of each child process that holds the workload (a Python
    /// interpreter's pool threads, say); 0 for the in-process models (see `corelab_threads`).
    pub process_threads: u64,
    /// Threads the cell keeps in corelab's own process from start-up to the end: its worker
    /// threads, or two readers per child process.
    pub corelab_threads: u64,
    /// Tasks (processes and threads: what `ulimit -u` counts) the cell keeps from start-up to
    /// the end of the sweep, at the least (see [`kept_tasks`]).
    pub kept_tasks: u64,
    /// The tasks it likely keeps, the cluster engines' own threads included, as measured (see
    /// [`likely_tasks`]); `kept_tasks` for the other models.
    pub likely_tasks: u64,
    /// Tasks started only while one of its runs goes on: a command task's programs.
    pub run_tasks: u64,
    /// How the numbers were reached, in words (quoted in refusals).
    pub memory_detail: String,
    pub disk_detail: String,
}

/// Peak memory and disk of one cell.
pub(super) fn cell_needs(
    task: &TaskSpec,
    model: ModelKind,
    workers: usize,
    setup: PythonSetup,
) -> Result<CellNeeds, ResourceError> {
    let workers_u = workers.max(1) as u64;
    let tasks = u64::from(task.tasks.max(1));
    // Processes that each hold their own copy of the workload.
    let (copies, process_bytes, process_note) = match model {
        ModelKind::Processes => (workers_u, WORKER_PROCESS_BYTES, "worker processes"),
        ModelKind::PyMultiprocessing => (workers_u, PYTHON_PROCESS_BYTES, "Python processes"),
        // The workers plus the dispatching interpreter (rank 0, Dask's client).
        ModelKind::PyDask | ModelKind::PyMpi => {
            (workers_u + 1, PYTHON_PROCESS_BYTES, "Python processes")
        }
        m if m.is_python() => (1, PYTHON_PROCESS_BYTES, "Python process"),
        _ => (1, 0, ""),
    };
    let processes_bytes = copies * process_bytes;
    // Units running at the same time: one per worker, never more than there are tasks.
    let in_flight = if model.is_single_worker() {
        1
    } else {
        workers_u.min(tasks)
    };
    let (workload_bytes, workload_detail) = match task.kind {
        TaskKind::Memory => {
            let elements =
                memory_elements(task.memory.array_mib).map_err(ResourceError::Invalid)?;
            let per_copy = elements.saturating_mul(8).saturating_mul(3);
            (
                per_copy.saturating_mul(copies),
                format!(
                    "3 arrays × {} MiB in each of {copies} {}",
                    task.memory.array_mib,
                    if copies == 1 { "process" } else { "processes" }
                ),
            )
        }
        TaskKind::Io if task.io.mode == IoMode::File => {
            let per_unit = 2 * IO_CHUNK_BYTES as u64;
            (
                per_unit.saturating_mul(in_flight),
                format!(
                    "{in_flight} file(s) in flight, streamed in {} KiB chunks",
                    IO_CHUNK_BYTES / 1024
                ),
            )
        }
        TaskKind::Contention if task.contention.sync == SyncMode::Channel => (
            (CHANNEL_BOUND as u64) * 8,
            format!("a queue bounded at {CHANNEL_BOUND} messages"),
        ),
        _ => (0, "no data beyond the tasks themselves".to_string()),
    };
    let memory_bytes = workload_bytes.saturating_add(processes_bytes);
    // Worker processes live from start-up to the end; each keeps the workload it was
    // configured with. In-process cells keep a reusable workload (the memory arrays), one copy
    // shared by all of them.
    let in_worker_processes = processes_bytes > 0;
    let (retained_bytes, shared_bytes) = match in_worker_processes {
        true => (memory_bytes, 0),
        false if crate::engine::workload::reusable_between_runs(task) => (0, workload_bytes),
        false => (0, 0),
    };
    let memory_detail = if processes_bytes > 0 {
        let n = copies;
        format!(
            "{workload_detail}, plus {n} {process_note} at about {} each",
            human(process_bytes)
        )
    } else {
        workload_detail
    };
    let (disk_bytes, disk_detail) = if task.kind == TaskKind::Io && task.io.mode == IoMode::File {
        let file_bytes = task.io.file_kib.saturating_mul(1024);
        (
            file_bytes.saturating_mul(in_flight),
            format!(
                "{in_flight} file(s) of {} written at the same time",
                human(file_bytes)
            ),
        )
    } else if model == ModelKind::Processes && task.kind == TaskKind::Contention {
        (8, "the 8-byte counter file".to_string())
    } else {
        (0, "nothing written".to_string())
    };
    // corelab's children: the worker processes, or one interpreter (which starts a Python
    // model's own processes itself, with its own descriptors).
    let children = match model {
        ModelKind::Processes => workers_u,
        m if m.is_python() => 1,
        _ => 0,
    };
    let holder = match model {
        ModelKind::Processes => Holder::Worker,
        m if m.is_python() => Holder::Python,
        _ => Holder::Corelab,
    };
    let run_tasks = match task.kind {
        TaskKind::Command => in_flight,
        _ => 0,
    };
    Ok(CellNeeds {
        model,
        workers,
        memory_bytes,
        retained_bytes,
        shared_bytes,
        disk_bytes,
        open_files: children * PIPES_PER_CHILD,
        process_bytes: workload_bytes / copies.max(1),
        holder,
        process_threads: match holder {
            Holder::Corelab => 0,
            _ => child_threads(model, workers_u),
        },
        corelab_threads: corelab_threads(model, workers_u),
        kept_tasks: kept_tasks(model, workers_u, setup),
        likely_tasks: likely_tasks(model, workers_u, setup),
        run_tasks,
        memory_detail,
        disk_detail,
    })
}

/// The memory peak of a sweep whose cells are `needs`: what every cell keeps, the shared
/// in-process workload once, plus the largest extra of one run.
pub(super) fn sweep_memory_peak(needs: &[CellNeeds]) -> u64 {
    let kept = needs
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(c.retained_bytes));
    let shared = needs.iter().map(|c| c.shared_bytes).max().unwrap_or(0);
    let extra = needs
        .iter()
        .map(|c| {
            c.memory_bytes
                .saturating_sub(c.retained_bytes)
                .saturating_sub(c.shared_bytes)
        })
        .max()
        .unwrap_or(0);
    kept.saturating_add(shared).saturating_add(extra)
}

/// Every cell of the sweep's plan with its needs.
pub fn sweep_needs(exp: &Experiment) -> Result<Vec<CellNeeds>, ResourceError> {
    let setup = PythonSetup::of(exp);
    sweep_plan(exp)
        .into_iter()
        .map(|(model, workers)| cell_needs(&exp.task, model, workers, setup))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::check_against;
    use crate::engine::resources::test_fixtures::{exp, machine};
    use crate::preset::limits;

    #[test]
    fn memory_arrays_count_once_per_process_that_holds_them() {
        let mut e = exp(TaskKind::Memory, vec![ModelKind::Threads], vec![4]);
        e.task.memory.array_mib = 100;
        let threads = cell_needs(&e.task, ModelKind::Threads, 4, PythonSetup::default()).unwrap();
        assert_eq!(threads.memory_bytes, 300 << 20);
        let procs = cell_needs(&e.task, ModelKind::Processes, 4, PythonSetup::default()).unwrap();
        assert_eq!(
            procs.memory_bytes,
            4 * (300 << 20) + 4 * WORKER_PROCESS_BYTES
        );
        assert!(
            procs.memory_detail.contains("4 processes"),
            "{}",
            procs.memory_detail
        );
    }

    #[test]
    fn what_every_cell_keeps_adds_up_because_all_cells_live_at_once() {
        // 200 MiB arrays: sequential and threads × 1, 2 share one kept copy (the reused
        // workload); processes × 1, 2 keep one per worker process (3 in all).
        let mut e = exp(
            TaskKind::Memory,
            vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Processes,
            ],
            vec![1, 2],
        );
        e.task.memory.array_mib = 200;
        let needs = sweep_needs(&e).unwrap();
        let arrays = 600u64 << 20;
        let expected = arrays // the in-process cells' one copy
            + 3 * (arrays + WORKER_PROCESS_BYTES); // processes × 1, × 2: 3 workers
        assert_eq!(sweep_memory_peak(&needs), expected);
        // 4 × 600 MiB + 48 MiB = 2.4 GiB: it fits in 4 GiB (90% usable) but not in 2 GiB
        // (1.8 GiB usable), though its largest cell alone (1.2 GiB) would; the refusal gives
        // the total.
        assert!(check_against(&e, &machine(4, 100)).is_ok());
        let err = check_against(&e, &machine(2, 100)).unwrap_err().to_string();
        assert!(err.contains("about 2.4 GiB"), "{err}");
        assert!(err.contains("5 cells alive at once"), "{err}");
    }

    #[test]
    fn a_run_that_keeps_nothing_counts_once_at_the_peak() {
        // I/O files in flight are a run's own: two cells do not add their buffers.
        let mut e = exp(TaskKind::Io, vec![ModelKind::Threads], vec![4, 8]);
        e.task.io.mode = IoMode::File;
        e.task.tasks = 64;
        let needs = sweep_needs(&e).unwrap();
        assert!(needs.iter().all(|c| c.retained_bytes == 0));
        assert_eq!(sweep_memory_peak(&needs), 8 * 2 * IO_CHUNK_BYTES as u64);
    }

    #[test]
    fn a_channel_counter_at_the_maximum_needs_only_its_bounded_queue() {
        let mut e = exp(TaskKind::Contention, vec![ModelKind::Threads], vec![512]);
        e.task.contention.sync = SyncMode::Channel;
        e.task.contention.increments = limits::MAX_INCREMENTS;
        let needs = cell_needs(&e.task, ModelKind::Threads, 512, PythonSetup::default()).unwrap();
        assert_eq!(needs.memory_bytes, CHANNEL_BOUND as u64 * 8);
        assert!(check_against(&e, &machine(1, 1)).is_ok());
    }
}

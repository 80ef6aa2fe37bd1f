//! What a sweep will need from the machine, estimated before it starts.
//!
//! A preset within its validated ranges can still ask for more than any machine has (three
//! 4 GiB arrays in each of 256 worker processes; a 1 GiB file per task in flight). The sweep
//! starts every cell's executor before the first run and interleaves their runs, so what each
//! cell *keeps* between its runs is held by all cells at once: worker processes (each with the
//! workload it was configured with), and the one built workload the in-process cells share
//! ([`crate::engine::workload::shared`]). The memory peak is the sum of what every cell keeps
//! plus the largest extra a single run needs while it runs (runs never overlap). Files are
//! written only during a run, so the disk peak is the largest run's. [`check`] compares those
//! peaks with the memory the kernel reports available (`MemAvailable` in `/proc/meminfo`) and
//! the disk free where scratch directories go (`statvfs`), and refuses, quoting both, when
//! they do not fit.

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use super::kept_tasks::{PythonSetup, READERS_PER_CHILD, kept_tasks, likely_tasks};
use super::sweep_plan;
use super::workload::{CHANNEL_BOUND, IO_CHUNK_BYTES, memory_elements};
use crate::preset::{
    ArraySizing, Experiment, IoMode, ModelKind, SyncMode, TaskKind, TaskSpec, limits,
};

/// Resident memory of one `corelab worker` child before its workload: its binary, stack and
/// heap (measured at a few MiB; rounded up).
pub const WORKER_PROCESS_BYTES: u64 = 16 << 20;
/// Resident memory of one CPython process (interpreter, `json`, `multiprocessing`).
pub const PYTHON_PROCESS_BYTES: u64 = 32 << 20;
/// Pipes corelab keeps open to each child process it starts: its stdin, stdout and stderr.
pub const PIPES_PER_CHILD: u64 = 3;
/// Files corelab itself may hold open besides its children's pipes (standard streams, the
/// results file, `/proc` readings, a run's I/O files), counted on top of the cells' pipes.
pub const OWN_OPEN_FILES: u64 = 64;

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
pub const PYTHON_ADDRESS_FLOOR: u64 = 40 << 20;

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
    /// [`CORELAB_ADDRESS_FLOOR`] or [`PYTHON_ADDRESS_FLOOR`].
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

/// Share of what is available a run may plan to use: the rest is left to the system, the
/// desktop and the measurement's own noise.
pub const USABLE_FRACTION: f64 = 0.9;

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

/// What the machine has to offer; `None` where it could not be read (that check is skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct Available {
    pub memory_bytes: Option<u64>,
    pub disk_bytes: Option<u64>,
    /// Where the disk figure was measured.
    pub disk_path: PathBuf,
    /// The limit on each process's address space (`ulimit -v`), where one is set.
    pub address_space_bytes: Option<u64>,
    /// The last-level cache, all instances added up (what a calibrated memory task's arrays
    /// must exceed, see [`memory_arrays`]).
    pub last_level_cache_bytes: Option<u64>,
    /// The stack of each thread a Python process starts, which counts against the address
    /// space ([`crate::sys::default_thread_stack_bytes`]).
    pub python_thread_stack_bytes: u64,
}

/// Why a sweep was refused before it started.
#[derive(Debug, Error, PartialEq)]
pub enum ResourceError {
    /// No scratch directory can be made safely in the temporary directory
    /// ([`super::scratch::refusal_of`]).
    #[error("{0}")]
    ScratchRefused(String),
    #[error(
        "this experiment would need about {} of memory at its peak ({detail}; cell {model} × {workers}), \
         but the machine has {} available (corelab plans to use at most {:.0}% of it); \
         lower the sizes or the worker counts",
        human(*needed),
        human(*available),
        USABLE_FRACTION * 100.0
    )]
    Memory {
        needed: u64,
        available: u64,
        detail: String,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment would need about {} of disk in {path} at its peak ({detail}; cell {model} × {workers}), \
         but only {} is free there (corelab plans to use at most {:.0}% of it); \
         lower task.io.file_kib or the worker counts, or set TMPDIR to a larger file system",
        human(*needed),
        human(*available),
        USABLE_FRACTION * 100.0
    )]
    Disk {
        needed: u64,
        available: u64,
        path: String,
        detail: String,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment would keep about {needed} files open at once ({pipes} pipes to its \
         child processes, {PIPES_PER_CHILD} per process, every cell's kept alive through the \
         interleaved rounds, plus {OWN_OPEN_FILES} of corelab's own; the largest cell: \
         {model} × {workers}), but this process may open at most {limit} (ulimit -n), and no more \
         than {hard} without privileges; raise the limit (ulimit -n {needed}) or lower the \
         worker counts"
    )]
    OpenFiles {
        needed: u64,
        pipes: u64,
        limit: u64,
        hard: u64,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment needs at least {} of address space in one process ({detail}; cell \
         {model} × {workers}), but this process's address space is limited to {} (ulimit -v), \
         which every process it starts inherits; raise the limit (ulimit -v unlimited, or at \
         least ulimit -v {}, in KiB, in the shell that starts corelab) or lower the sizes",
        human(*needed),
        human(*limit),
        // Twice the floor's figure: what a run maps besides (thread stacks, malloc arenas) is
        // not counted in it.
        needed.div_ceil(1024).saturating_mul(2)
    )]
    AddressSpace {
        needed: u64,
        limit: u64,
        detail: String,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment would start at least {needed} processes and threads that live at once \
         ({detail}), but your user may have at most {limit} (ulimit -u), counting every process \
         and thread you already have; raise the limit (ulimit -u {proposed}) or lower the worker counts"
    )]
    Processes {
        needed: u64,
        limit: u64,
        detail: String,
        /// The limit proposed ([`TasksOverLimit::proposed_limit`]).
        proposed: u64,
    },
    #[error(
        "cannot raise the limit on open files from {from} to {to}, which this experiment's pipes need: {reason}"
    )]
    RaiseOpenFiles { from: u64, to: u64, reason: String },
    #[error("cannot estimate what this experiment needs: {0}")]
    Invalid(String),
}

/// Bytes in words: `3.0 TiB`, `512 MiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Peak memory and disk of one cell.
pub fn cell_needs(
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
        false if super::workload::reusable_between_runs(task) => (0, workload_bytes),
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
            _ => super::kept_tasks::child_threads(model, workers_u),
        },
        corelab_threads: super::kept_tasks::corelab_threads(model, workers_u),
        kept_tasks: kept_tasks(model, workers_u, setup),
        likely_tasks: likely_tasks(model, workers_u, setup),
        run_tasks,
        memory_detail,
        disk_detail,
    })
}

/// The most tasks a sweep whose cells are `needs` has at once: what every cell keeps (all
/// cells live through the interleaved rounds) plus the largest run's own (runs never overlap).
pub fn sweep_tasks(needs: &[CellNeeds]) -> u64 {
    let kept = needs
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(c.kept_tasks));
    let run = needs.iter().map(|c| c.run_tasks).max().unwrap_or(0);
    kept.saturating_add(run)
}

/// [`sweep_tasks`] with each cell's likely tasks (the cluster engines' own threads counted as
/// measured, see [`likely_tasks`]) instead of its floor.
pub fn sweep_likely_tasks(needs: &[CellNeeds]) -> u64 {
    let kept = needs
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(c.likely_tasks));
    let run = needs.iter().map(|c| c.run_tasks).max().unwrap_or(0);
    kept.saturating_add(run)
}

/// A sweep's tasks against the soft `ulimit -u`: what [`processes_plan`] refuses and
/// [`processes_warning`] warns about, computed once for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TasksOverLimit {
    /// The sweep's own tasks at once ([`sweep_tasks`]).
    pub sweep: u64,
    /// Those plus the others counted with them (corelab's own, or all the user's).
    pub needed: u64,
    /// What is likely needed: the sweep's likely tasks ([`sweep_likely_tasks`], the cluster
    /// engines' own threads counted as measured) plus the same others; `needed` or more.
    pub likely: u64,
    pub limit: u64,
}

impl TasksOverLimit {
    /// The `ulimit -u` a refusal or a warning proposes: twice what is likely needed, since the
    /// count is a floor (see [`kept_tasks`]) and the user's other programs count too.
    pub fn proposed_limit(&self) -> u64 {
        proposed_processes_limit(self.likely.max(self.needed))
    }

    /// `at least 40` or, where the cluster engines' own threads likely add some, `at least 20
    /// (about 40 with the threads Dask and MPI start themselves)`.
    fn counted(&self, sweep: u64) -> String {
        let likely_sweep = self
            .likely
            .saturating_sub(self.needed.saturating_sub(sweep));
        match likely_sweep > sweep {
            true => format!(
                "at least {sweep} (about {likely_sweep} with the threads Dask and MPI start themselves, as measured with distributed 2026.8 and Open MPI 4.1.4)"
            ),
            false => format!("at least {sweep}"),
        }
    }
}

/// The `ulimit -u` proposed for `needed` tasks (see [`TasksOverLimit::proposed_limit`]).
pub fn proposed_processes_limit(needed: u64) -> u64 {
    needed.saturating_mul(2)
}

/// The sweep's tasks ([`sweep_tasks`] of `needs`) with `others` added, when together they are
/// more than `limit` (the soft `ulimit -u`); `None` when they fit, when the sweep starts
/// nothing, or without a limit (unlimited, unreadable, or not applied: root).
pub fn tasks_over_limit(
    needs: &[CellNeeds],
    others: u64,
    limit: Option<u64>,
) -> Option<TasksOverLimit> {
    let over = tasks_counted(needs, others, limit?);
    (over.sweep > 0 && over.needed > over.limit).then_some(over)
}

/// The sweep's tasks and its likely tasks with `others` added, against `limit`.
fn tasks_counted(needs: &[CellNeeds], others: u64, limit: u64) -> TasksOverLimit {
    let sweep = sweep_tasks(needs);
    TasksOverLimit {
        sweep,
        needed: sweep.saturating_add(others),
        likely: sweep_likely_tasks(needs).saturating_add(others),
        limit,
    }
}

/// Refuses a sweep that needs more tasks at once ([`sweep_tasks`], plus corelab's own
/// `own_tasks`) than `limit` (the soft `ulimit -u`) allows: it would certainly fail to start a
/// thread or a process midway. `None` for the limit (unlimited, unreadable, or not applied:
/// root) checks nothing. The limit counts every task of the user, those of other programs
/// too; they come and go, so they are not counted here (see [`processes_warning`]).
pub fn processes_plan(
    needs: &[CellNeeds],
    own_tasks: u64,
    limit: Option<u64>,
) -> Result<(), ResourceError> {
    let Some(over) = tasks_over_limit(needs, own_tasks, limit) else {
        return Ok(());
    };
    let worst = needs.iter().max_by_key(|c| c.kept_tasks);
    let detail = format!(
        "{} for its {} cells, every cell's kept through the interleaved rounds (the largest: {}), plus corelab's own {own_tasks}",
        over.counted(over.sweep),
        needs.len(),
        worst.map_or_else(String::new, |c| format!(
            "{} × {}, {} at least",
            c.model, c.workers, c.kept_tasks
        ))
    );
    Err(ResourceError::Processes {
        needed: over.needed,
        limit: over.limit,
        proposed: over.proposed_limit(),
        detail,
    })
}

/// A warning when the sweep fits under `limit` (the soft `ulimit -u`) by itself but not with
/// the `user_tasks` the user has already (this process's included): those may end before the
/// sweep starts them, so it runs, told that a thread or a process may fail to start. Also
/// when only its likely tasks do not fit (the cluster engines' own threads, as measured: see
/// [`likely_tasks`]), which are not certain enough to refuse it.
pub fn processes_warning(
    needs: &[CellNeeds],
    user_tasks: u64,
    limit: Option<u64>,
) -> Option<String> {
    let over = tasks_counted(needs, user_tasks, limit?);
    (over.sweep > 0 && over.likely.max(over.needed) > over.limit).then(|| {
        format!(
            "this sweep starts {} processes and threads that live at once, and your user has {user_tasks} already: together more than the {} that ulimit -u allows, so a worker may fail to start (raise it with ulimit -u {})",
            over.counted(over.sweep),
            over.limit,
            over.proposed_limit()
        )
    })
}

/// The per-process address space a sweep whose cells are `needs` needs, against `limit`
/// (`ulimit -v`, inherited by every process corelab starts): corelab's own process holds the
/// in-process cells' workload and every thread the cells keep in it (all cells live at once),
/// each worker or Python process its own copy and its own threads (`python_stack` each for a
/// Python process's), and each maps its [`Holder::address_floor`] besides. Refused where that
/// does not fit: said before the first cell rather than at a thread or an allocation midway.
pub fn address_space_plan(
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

/// The memory peak of a sweep whose cells are `needs`: what every cell keeps, the shared
/// in-process workload once, plus the largest extra of one run.
pub fn sweep_memory_peak(needs: &[CellNeeds]) -> u64 {
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

/// What this machine has now: `MemAvailable`, the disk free in the temporary directory and
/// the last-level cache.
pub fn available_now() -> Available {
    let disk_path = std::env::temp_dir();
    Available {
        memory_bytes: mem_available(Path::new("/proc/meminfo")),
        disk_bytes: crate::sys::available_disk_bytes(&disk_path).ok(),
        disk_path,
        address_space_bytes: crate::sys::address_space_limit(),
        last_level_cache_bytes: crate::results::last_level_cache_bytes(Path::new(
            crate::results::SYS_CPU,
        )),
        python_thread_stack_bytes: crate::sys::default_thread_stack_bytes(),
    }
}

/// A calibrated memory task's three arrays together hold at least this many times the
/// machine's last-level cache. A triad that sweeps a working set larger than the cache still
/// finds some of it there (caches do not evict in strict LRU order, and the private L2s add
/// to the L3): at four times, at most about a quarter.
pub const CACHE_MULTIPLE: u64 = 4;
/// Share of the available memory (`MemAvailable`) a sweep may take when corelab raises a
/// memory task's arrays to the cache on its own: what every cell keeps at once, worker
/// processes' copies included. Half, so that the raise never comes near the 90% that
/// [`check`] refuses at.
pub const SIZING_FRACTION: f64 = 0.5;

/// The arrays of a calibrated memory task (`target_run_s` > 0) on a machine: at least the
/// preset's `array_mib`, raised until the three arrays together hold [`CACHE_MULTIPLE`] times
/// the last-level cache, so that the triad streams from memory. The raise stops where every
/// cell's copies together ([`sweep_memory_peak`]: the in-process cells' one copy and one per
/// worker process) would take more than [`SIZING_FRACTION`] of the available memory, and at
/// the preset limit; the record says so. The preset's size is never lowered (if that does not
/// fit, [`check_against`] refuses as for any preset). `None` for other experiments.
pub fn memory_arrays(exp: &Experiment, available: &Available) -> Option<ArraySizing> {
    if exp.task.kind != TaskKind::Memory || exp.target_run_s <= 0.0 {
        return None;
    }
    let preset_mib = exp.task.memory.array_mib;
    let mut sizing = ArraySizing {
        preset_mib,
        chosen_mib: preset_mib,
        cache_bytes: available.last_level_cache_bytes,
        cache_multiple: CACHE_MULTIPLE,
        limited_by: None,
    };
    let Some(cache) = available.last_level_cache_bytes else {
        return Some(sizing);
    };
    // MiB per array: the three together at least CACHE_MULTIPLE × the cache.
    let wanted = cache
        .saturating_mul(CACHE_MULTIPLE)
        .div_ceil(3)
        .div_ceil(1 << 20);
    if wanted <= preset_mib {
        return Some(sizing);
    }
    let mut best = wanted;
    if wanted > limits::MAX_ARRAY_MIB {
        best = limits::MAX_ARRAY_MIB;
        sizing.limited_by = Some(format!(
            "the largest array a preset may ask for, {} MiB",
            limits::MAX_ARRAY_MIB
        ));
    }
    if let Some(limit) = available.address_space_bytes {
        // At most half of each process's address space, so that the raise never comes near
        // what [`address_space_plan`] refuses at (thread stacks and malloc arenas take more
        // than its floor).
        let cap = (limit / 2).saturating_sub(CORELAB_ADDRESS_FLOOR) / 3 / (1 << 20);
        if cap < best {
            best = cap.max(preset_mib);
            sizing.limited_by = Some(format!(
                "the address-space limit (ulimit -v) of {}: arrays take at most half of it",
                human(limit)
            ));
        }
    }
    if let Some(memory) = available.memory_bytes
        && best > preset_mib
    {
        let budget = (memory as f64 * SIZING_FRACTION) as u64;
        let peak = |mib: u64| -> u64 {
            let mut e = exp.clone();
            e.task.memory.array_mib = mib;
            sweep_needs(&e).map_or(u64::MAX, |needs| sweep_memory_peak(&needs))
        };
        if peak(best) > budget {
            // The largest size that fits (the peak grows with the size), not below the preset's.
            let (mut fits, mut too_big) = (preset_mib, best);
            while too_big - fits > 1 {
                let mid = fits + (too_big - fits) / 2;
                match peak(mid) <= budget {
                    true => fits = mid,
                    false => too_big = mid,
                }
            }
            best = fits;
            sizing.limited_by = Some(format!(
                "memory: {} MiB arrays in every copy the sweep keeps would need {} at once, more than half the {} available",
                too_big,
                human(peak(too_big)),
                human(memory)
            ));
        }
    }
    sizing.chosen_mib = best.max(preset_mib);
    Some(sizing)
}

/// The experiment as a sweep runs it on this machine: a calibrated memory task with its arrays
/// sized by [`memory_arrays`] (which is returned too); anything else unchanged.
pub fn sized_for(exp: &Experiment, available: &Available) -> (Experiment, Option<ArraySizing>) {
    let sizing = memory_arrays(exp, available);
    let mut sized = exp.clone();
    if let Some(s) = &sizing {
        sized.task.memory.array_mib = s.chosen_mib;
    }
    (sized, sizing)
}

/// `MemAvailable` from a `/proc/meminfo`-format file, in bytes.
pub fn mem_available(path: &Path) -> Option<u64> {
    let text = crate::safe_fs::read_regular_text(path, 1 << 20).ok()?;
    parse_mem_available(&text)
}

fn parse_mem_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let value: u64 = parts.next()?.parse().ok()?;
    let scale = match parts.next() {
        Some("kB") | Some("KiB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(scale)
}

/// Refuses the sweep when its memory peak ([`sweep_memory_peak`]) or its largest run's files
/// would not fit in `available`, with the sizes the sweep will use there ([`sized_for`]: a
/// calibrated memory task's arrays grow with the cache). Returns the cells' needs when it fits.
pub fn check_against(
    exp: &Experiment,
    available: &Available,
) -> Result<Vec<CellNeeds>, ResourceError> {
    let needs = sweep_needs(&sized_for(exp, available).0)?;
    let usable = |bytes: u64| (bytes as f64 * USABLE_FRACTION) as u64;
    let peak = sweep_memory_peak(&needs);
    if let Some(mem) = available.memory_bytes
        && let Some(worst) = needs.iter().max_by_key(|c| c.memory_bytes)
        && peak > usable(mem)
    {
        let detail = match needs.len() {
            1 => worst.memory_detail.clone(),
            n => format!(
                "{n} cells alive at once, every cell's workers kept through the interleaved rounds; the largest: {}",
                worst.memory_detail
            ),
        };
        return Err(ResourceError::Memory {
            needed: peak,
            available: mem,
            detail,
            model: worst.model,
            workers: worst.workers,
        });
    }
    if let Some(disk) = available.disk_bytes
        && let Some(worst) = needs.iter().max_by_key(|c| c.disk_bytes)
        && worst.disk_bytes > usable(disk)
    {
        return Err(ResourceError::Disk {
            needed: worst.disk_bytes,
            available: disk,
            path: available.disk_path.display().to_string(),
            detail: worst.disk_detail.clone(),
            model: worst.model,
            workers: worst.workers,
        });
    }
    address_space_plan(
        &needs,
        available.address_space_bytes,
        available.python_thread_stack_bytes,
    )?;
    Ok(needs)
}

/// What to do about the limit on open files (soft, hard) for a sweep whose cells are
/// `needs`: nothing (`Ok(None)`), raise the soft limit to the figure given (the hard limit
/// allows it), or refuse (not even the hard limit is enough).
pub fn open_files_plan(
    needs: &[CellNeeds],
    (soft, hard): (u64, u64),
) -> Result<Option<u64>, ResourceError> {
    let pipes: u64 = needs.iter().map(|c| c.open_files).sum();
    let needed = pipes.saturating_add(OWN_OPEN_FILES);
    if pipes == 0 || needed <= soft {
        return Ok(None);
    }
    if needed <= hard {
        return Ok(Some(needed));
    }
    let worst = needs.iter().max_by_key(|c| c.open_files);
    Err(ResourceError::OpenFiles {
        needed,
        pipes,
        limit: soft,
        hard,
        model: worst.map_or(ModelKind::Processes, |c| c.model),
        workers: worst.map_or(0, |c| c.workers),
    })
}

/// [`check_against`] this machine, now; then the limit on open files: a sweep whose cells'
/// pipes need more than the soft limit raises it (up to the hard limit, as a shell's
/// `ulimit -n` would), or is refused when not even the hard limit is enough. Without this, a
/// process-pool sweep of 1 to 256 workers (511 worker processes, 1 533 pipes) would fail
/// midway under the common soft limit of 1 024.
pub fn check(exp: &Experiment) -> Result<Vec<CellNeeds>, ResourceError> {
    // Every cell runs in a scratch directory of its own: where none can be made safely, the
    // sweep is refused here, once, rather than in every cell.
    if let Some(refusal) = super::scratch::refusal_of(&std::env::temp_dir()) {
        return Err(ResourceError::ScratchRefused(refusal));
    }
    let needs = check_against(exp, &available_now())?;
    processes_plan(&needs, own_tasks(), processes_limit_applied())?;
    if let Some(limit) = crate::sys::open_files_limit()
        && let Some(raise) = open_files_plan(&needs, limit)?
        && let Err(e) = crate::sys::set_open_files_soft_limit(raise)
    {
        return Err(ResourceError::RaiseOpenFiles {
            from: limit.0,
            to: raise,
            reason: e.to_string(),
        });
    }
    Ok(needs)
}

/// What a failure to start a process or a thread (`fork`, `clone`) may mean, to follow the OS's
/// own words: `EAGAIN` is the limit on the user's processes and threads (`ulimit -u`, which
/// [`check`] compares with the sweep's own count only) or the system's; `ENOMEM` the address
/// space (`ulimit -v`) or the memory. Empty for anything else.
pub fn spawn_hint(e: &std::io::Error) -> String {
    spawn_hint_under(
        e,
        processes_limit_applied(),
        crate::sys::address_space_limit(),
    )
}

/// [`spawn_hint`] under the given soft `ulimit -u` (where applied) and `ulimit -v`. A thread
/// whose stack finds no room under the address-space limit fails with `EAGAIN` too, so under
/// such a limit that is named as well.
fn spawn_hint_under(
    e: &std::io::Error,
    processes_limit: Option<u64>,
    address_limit: Option<u64>,
) -> String {
    match e.raw_os_error() {
        Some(libc::EAGAIN) => {
            let limit = processes_limit.map_or(String::new(), |l| format!(" of {l}"));
            let address = address_limit.map_or(String::new(), |l| {
                format!(
                    "; or, under the address-space limit of {} (ulimit -v), there was no room for \
                     the new thread's stack",
                    human(l)
                )
            });
            format!(
                " (the limit{limit} on your processes and threads, ulimit -u, counting every program you run, or the system's, is reached{address}: raise it or lower the worker counts)"
            )
        }
        Some(libc::ENOMEM) => {
            " (out of memory, or of address space under ulimit -v: lower the worker counts or the sizes)"
                .to_string()
        }
        _ => String::new(),
    }
}

/// The soft `ulimit -u` where the kernel applies it to this process: not to root (real user
/// id 0); `None` too where it is unlimited or unreadable.
fn processes_limit_applied() -> Option<u64> {
    if crate::sys::real_uid() == 0 {
        return None;
    }
    crate::sys::processes_limit()
        .map(|(soft, _)| soft)
        .filter(|soft| *soft != u64::MAX)
}

/// corelab's own threads now (`/proc/self/task`), at least 1.
fn own_tasks() -> u64 {
    std::fs::read_dir("/proc/self/task").map_or(1, |d| d.count().max(1) as u64)
}

/// Every task (process or thread) of this real user now: the `Threads:` of each process in
/// `/proc` whose real user id is ours. `None` when `/proc` cannot be listed.
fn user_tasks_now() -> Option<u64> {
    let uid = crate::sys::real_uid().to_string();
    let mut total = 0u64;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        // A process may end between the listing and the read: it then counts for nothing.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next().map(str::to_string))
        };
        if field("Uid:").as_deref() == Some(uid.as_str()) {
            total += field("Threads:").and_then(|t| t.parse().ok()).unwrap_or(1);
        }
    }
    Some(total)
}

/// Warnings for a sweep that [`check`] lets start but that may still fail for want of
/// something it does not own: today, `ulimit -u` with the tasks the user has already
/// ([`processes_warning`]).
pub fn warnings(exp: &Experiment) -> Vec<String> {
    let Some(limit) = processes_limit_applied() else {
        return Vec::new();
    };
    let Ok(needs) = sweep_needs(&sized_for(exp, &available_now()).0) else {
        return Vec::new();
    };
    user_tasks_now()
        .and_then(|tasks| processes_warning(&needs, tasks, Some(limit)))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(memory_gib: u64, disk_gib: u64) -> Available {
        Available {
            memory_bytes: Some(memory_gib << 30),
            disk_bytes: Some(disk_gib << 30),
            disk_path: "/tmp".into(),
            address_space_bytes: None,
            last_level_cache_bytes: None,
            python_thread_stack_bytes: 8 << 20,
        }
    }

    fn exp(kind: TaskKind, models: Vec<ModelKind>, workers: Vec<usize>) -> Experiment {
        let mut e = Experiment {
            models,
            workers,
            ..Experiment::default()
        };
        e.task.kind = kind;
        e
    }

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
    fn memory_and_processes_at_the_maximum_is_refused_with_both_numbers() {
        let mut e = exp(
            TaskKind::Memory,
            vec![ModelKind::Processes],
            vec![limits::MAX_PROCESS_WORKERS],
        );
        e.task.memory.array_mib = limits::MAX_ARRAY_MIB;
        e.task.tasks = limits::MAX_TASKS;
        let err = check_against(&e, &machine(1024, 1024)).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ResourceError::Memory { .. }), "{text}");
        // 3 × 4 GiB × 256 children, plus the children themselves.
        assert!(text.contains("3.0 TiB"), "{text}");
        assert!(text.contains("1.0 TiB available"), "{text}");
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
    fn io_files_at_the_maximum_are_refused_for_disk_not_memory() {
        let mut e = exp(TaskKind::Io, vec![ModelKind::Threads], vec![64]);
        e.task.io.mode = IoMode::File;
        e.task.io.file_kib = limits::MAX_FILE_KIB;
        e.task.tasks = 1000;
        let needs = cell_needs(&e.task, ModelKind::Threads, 64, PythonSetup::default()).unwrap();
        assert_eq!(needs.disk_bytes, 64 << 30);
        assert!(needs.memory_bytes <= 64 * 2 * IO_CHUNK_BYTES as u64);
        let err = check_against(&e, &machine(16, 50)).unwrap_err();
        assert!(matches!(err, ResourceError::Disk { .. }), "{err}");
        assert!(err.to_string().contains("64.0 GiB"), "{err}");
        assert!(check_against(&e, &machine(16, 100)).is_ok());
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

    #[test]
    fn an_unreadable_figure_skips_its_check() {
        let mut e = exp(TaskKind::Memory, vec![ModelKind::Threads], vec![1]);
        e.task.memory.array_mib = limits::MAX_ARRAY_MIB;
        let unknown = Available {
            memory_bytes: None,
            disk_bytes: None,
            disk_path: "/tmp".into(),
            address_space_bytes: None,
            last_level_cache_bytes: None,
            python_thread_stack_bytes: 8 << 20,
        };
        assert!(check_against(&e, &unknown).is_ok());
    }

    fn calibrated_memory(models: Vec<ModelKind>, workers: Vec<usize>) -> Experiment {
        let mut e = exp(TaskKind::Memory, models, workers);
        e.task.memory.array_mib = 64;
        e.target_run_s = 0.25;
        e
    }

    fn with_cache(mut available: Available, cache_mib: u64) -> Available {
        available.last_level_cache_bytes = Some(cache_mib << 20);
        available
    }

    #[test]
    fn calibrated_memory_arrays_hold_four_times_the_last_level_cache() {
        let e = calibrated_memory(vec![ModelKind::Threads], vec![1, 2]);
        // This development machine: a 32 MiB L3 asks for 43 MiB arrays (3 × 43 ≥ 4 × 32);
        // the preset's 64 MiB are more already and are kept.
        let small = memory_arrays(&e, &with_cache(machine(16, 100), 32)).unwrap();
        assert_eq!((small.preset_mib, small.chosen_mib), (64, 64));
        assert_eq!(small.limited_by, None);
        assert_eq!(small.times_cache(), Some(6.0));
        // The 16-core Xeon's 300 MiB L3: 400 MiB arrays, 1.2 GiB in all.
        let (sized, big) = sized_for(&e, &with_cache(machine(120, 100), 300));
        let big = big.unwrap();
        assert_eq!(big.chosen_mib, 400);
        assert_eq!(sized.task.memory.array_mib, 400);
        assert!(big.times_cache().unwrap() >= CACHE_MULTIPLE as f64);
        assert!(
            big.describe()
                .starts_with("arrays 3 × 400 MiB (preset 64 MiB) = 4.0 × the 300 MiB"),
            "{}",
            big.describe()
        );
        // The check counts what the sweep will use: 400 MiB arrays, not the preset's 64.
        let needs = check_against(&e, &with_cache(machine(120, 100), 300)).unwrap();
        assert_eq!(needs[0].memory_bytes, 1200 << 20);
        // Cache unknown: the preset's size, said so.
        let unknown = memory_arrays(&e, &machine(16, 100)).unwrap();
        assert_eq!(unknown.chosen_mib, 64);
        assert!(unknown.describe().contains("last-level cache unknown"));
    }

    #[test]
    fn arrays_are_sized_only_for_a_calibrated_memory_task() {
        let available = with_cache(machine(120, 100), 300);
        let mut e = calibrated_memory(vec![ModelKind::Threads], vec![1]);
        e.target_run_s = 0.0; // a fixed size is the user's
        assert_eq!(memory_arrays(&e, &available), None);
        assert_eq!(sized_for(&e, &available).0, e);
        let mut cpu = calibrated_memory(vec![ModelKind::Threads], vec![1]);
        cpu.task.kind = TaskKind::Cpu;
        assert_eq!(memory_arrays(&cpu, &available), None);
    }

    #[test]
    fn the_raise_stops_at_half_the_available_memory_counting_every_process_copy() {
        // The shipped preset's models on 16 cores with a 300 MiB cache: the in-process cells'
        // one copy and processes × 1, 2, 4, 8, 16 (31 worker processes), 32 copies.
        let e = calibrated_memory(
            vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Rayon,
                ModelKind::Processes,
            ],
            vec![1, 2, 4, 8, 16],
        );
        // 120 GiB available: 32 × 1.2 GiB (+ the workers) fits in half of it.
        let roomy = memory_arrays(&e, &with_cache(machine(120, 100), 300)).unwrap();
        assert_eq!((roomy.chosen_mib, roomy.limited_by.as_deref()), (400, None));
        // 32 GiB: at most 16 GiB for 32 copies, so each array stops near 160 MiB.
        let tight_machine = with_cache(machine(32, 100), 300);
        let tight = memory_arrays(&e, &tight_machine).unwrap();
        assert!(tight.chosen_mib > 64 && tight.chosen_mib < 400, "{tight:?}");
        assert!(
            tight.limited_by.as_deref().unwrap().starts_with("memory"),
            "{tight:?}"
        );
        let peak = |mib: u64| {
            let mut sized = e.clone();
            sized.task.memory.array_mib = mib;
            sweep_memory_peak(&sweep_needs(&sized).unwrap())
        };
        assert!(peak(tight.chosen_mib) <= 16 << 30);
        assert!(
            peak(tight.chosen_mib + 1) > 16 << 30,
            "the largest that fits"
        );
        assert!(check_against(&e, &tight_machine).is_ok());
        // Never below the preset's size: too little memory for that is refused as before.
        let starved = with_cache(machine(2, 100), 300);
        assert_eq!(memory_arrays(&e, &starved).unwrap().chosen_mib, 64);
        assert!(check_against(&e, &starved).is_err());
        // A cache too large for the preset limit stops at the limit.
        let one = calibrated_memory(vec![ModelKind::Threads], vec![1]);
        let huge = memory_arrays(&one, &with_cache(machine(1024, 100), 8 << 10)).unwrap();
        assert_eq!(huge.chosen_mib, limits::MAX_ARRAY_MIB);
        assert!(huge.limited_by.unwrap().contains("largest array"));
    }

    #[test]
    fn pipes_to_every_worker_process_count_against_the_open_files_limit() {
        // Processes at 1 to 256 workers: 511 worker processes alive at once, 3 pipes each.
        let workers: Vec<usize> = (0..9).map(|p| 1 << p).collect();
        let e = exp(
            TaskKind::Cpu,
            vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Processes,
            ],
            workers,
        );
        let needs = sweep_needs(&e).unwrap();
        let pipes: u64 = needs.iter().map(|c| c.open_files).sum();
        assert_eq!(
            pipes,
            511 * PIPES_PER_CHILD,
            "threads and sequential hold none"
        );
        let needed = pipes + OWN_OPEN_FILES;
        // The common desktop limits (soft 1 024, hard 524 288): raised, not refused.
        assert_eq!(open_files_plan(&needs, (1024, 524_288)), Ok(Some(needed)));
        // Enough already: nothing to do.
        assert_eq!(open_files_plan(&needs, (20_000, 20_000)), Ok(None));
        // `ulimit -n 64` (soft and hard): refused before the sweep, naming the figures.
        let refused = open_files_plan(&needs, (64, 64)).unwrap_err();
        let text = refused.to_string();
        assert!(
            text.contains(&format!("about {needed} files open at once")),
            "{text}"
        );
        assert!(text.contains("the largest cell: processes × 256"), "{text}");
        assert!(
            text.contains("may open at most 64 (ulimit -n), and no more than 64 without"),
            "{text}"
        );
        assert!(text.contains(&format!("ulimit -n {needed}")), "{text}");
    }

    #[test]
    fn a_python_cell_holds_one_interpreter_and_in_process_models_no_pipes() {
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Threads, ModelKind::PyMultiprocessing],
            vec![64],
        );
        let needs = sweep_needs(&e).unwrap();
        let of = |m: ModelKind| needs.iter().find(|c| c.model == m).unwrap().open_files;
        assert_eq!(of(ModelKind::Threads), 0);
        assert_eq!(of(ModelKind::PyMultiprocessing), PIPES_PER_CHILD);
        // Far below any real limit: nothing is raised.
        assert_eq!(open_files_plan(&needs, (1024, 1024)), Ok(None));
    }

    #[test]
    fn mem_available_is_parsed_in_bytes() {
        let text = "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n";
        assert_eq!(parse_mem_available(text), Some(8_000_000 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
        assert!(mem_available(Path::new("/proc/meminfo")).is_some_and(|b| b > 0));
    }
}

#[cfg(test)]
mod process_limits {
    use super::*;

    const MIB: u64 = 1 << 20;

    fn exp(kind: TaskKind, models: Vec<ModelKind>, workers: Vec<usize>) -> Experiment {
        let mut e = Experiment {
            models,
            workers,
            ..Experiment::default()
        };
        e.task.kind = kind;
        e
    }

    /// The built-in memory-bandwidth shape: 3 × 64 MiB arrays, in-process models and a pool.
    fn memory_bandwidth() -> Experiment {
        let mut e = exp(
            TaskKind::Memory,
            vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Rayon,
                ModelKind::Processes,
            ],
            vec![1, 2],
        );
        e.task.memory.array_mib = 64;
        e
    }

    fn limited(address_space: Option<u64>) -> Available {
        Available {
            memory_bytes: Some(64 << 30),
            disk_bytes: Some(64 << 30),
            disk_path: "/tmp".into(),
            address_space_bytes: address_space,
            last_level_cache_bytes: None,
            python_thread_stack_bytes: 8 << 20,
        }
    }

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

    #[test]
    fn calibrated_arrays_are_not_raised_past_half_the_address_space() {
        let mut e = memory_bandwidth();
        e.target_run_s = 0.25;
        // A 300 MiB cache asks for 400 MiB arrays; a 1 GiB limit allows (512 MiB - the floor)
        // / 3: 149 MiB for a 64 MiB floor.
        let mut available = limited(Some(1 << 30));
        available.last_level_cache_bytes = Some(300 * MIB);
        let sizing = memory_arrays(&e, &available).unwrap();
        assert_eq!(sizing.chosen_mib, (512 - CORELAB_ADDRESS_FLOOR / MIB) / 3);
        assert!(
            sizing
                .limited_by
                .as_deref()
                .is_some_and(|l| l.contains("address-space limit (ulimit -v) of 1.0 GiB")),
            "{sizing:?}"
        );
        assert!(check_against(&e, &available).is_ok());
        // Never below the preset's own size.
        available.address_space_bytes = Some(300 * MIB);
        assert_eq!(memory_arrays(&e, &available).unwrap().chosen_mib, 64);
    }

    #[test]
    fn kept_tasks_count_threads_children_and_their_readers() {
        let setup = PythonSetup::default();
        assert_eq!(kept_tasks(ModelKind::Sequential, 1, setup), 0);
        assert_eq!(kept_tasks(ModelKind::Threads, 8, setup), 8);
        assert_eq!(kept_tasks(ModelKind::Rayon, 8, setup), 8);
        // 8 worker processes, each with corelab's stdout and stderr reader threads.
        assert_eq!(kept_tasks(ModelKind::Processes, 8, setup), 24);
        // The interpreter, its two readers, its pool's 8 processes, the pool's 3 handler
        // threads and (spawn, the default) multiprocessing's resource tracker.
        assert_eq!(kept_tasks(ModelKind::PyMultiprocessing, 8, setup), 15);
        assert_eq!(kept_tasks(ModelKind::PyThreading, 8, setup), 11);
        assert_eq!(kept_tasks(ModelKind::PyAsyncio, 8, setup), 3);
        // mpiexec, rank 0, 8 worker ranks, two readers.
        assert_eq!(kept_tasks(ModelKind::PyMpi, 8, setup), 12);
    }

    #[test]
    fn a_process_sweep_over_the_user_process_limit_is_refused_and_a_tight_one_warned() {
        // processes and py-multiprocessing at 1..64 workers: every cell alive at once.
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Processes, ModelKind::PyMultiprocessing],
            vec![1, 2, 4, 8, 16, 32, 64],
        );
        let needs = sweep_needs(&e).unwrap();
        // processes: 3 × 127 = 381; py-multiprocessing: 7 cells × (the interpreter and its 2
        // readers, the pool's 3 handler threads, the resource tracker) + 127 pool processes.
        assert_eq!(sweep_tasks(&needs), 381 + 7 * 7 + 127);
        let err = processes_plan(&needs, 10, Some(500)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("at least 567 processes and threads") && text.contains("at most 500"),
            "{text}"
        );
        assert!(text.contains("ulimit -u 1134"), "{text}");
        assert!(text.contains("processes × 64, 192 at least"), "{text}");
        // Enough for the sweep and corelab: it starts, warned only if the user's other tasks
        // would take it over.
        assert!(processes_plan(&needs, 10, Some(567)).is_ok());
        assert!(processes_plan(&needs, 10, Some(566)).is_err());
        assert!(processes_plan(&needs, 10, None).is_ok());
        assert_eq!(processes_warning(&needs, 100, Some(1000)), None);
        let warning = processes_warning(&needs, 600, Some(1000)).unwrap();
        assert!(warning.contains("at least 557 processes"), "{warning}");
        assert!(warning.contains("ulimit -u 2314"), "{warning}");
        assert!(warning.contains("your user has 600 already"), "{warning}");
        // A sweep that starts nothing is never refused.
        let seq = sweep_needs(&exp(TaskKind::Cpu, vec![ModelKind::Sequential], vec![1])).unwrap();
        assert!(processes_plan(&seq, 1000, Some(1)).is_ok());
    }

    #[test]
    fn dask_and_mpi_are_refused_at_their_floor_and_warned_at_their_measured_threads() {
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::PyDask, ModelKind::PyMpi],
            vec![1, 2, 4],
        );
        let needs = sweep_needs(&e).unwrap();
        // Floor: Dask 4 + 2 w (6, 8, 12), MPI 4 + w (5, 6, 8). Likely, as measured: Dask
        // 2 + 3 + 7 w (12, 19, 33), MPI 2 + 4 + 3 (w + 1) (12, 15, 21).
        assert_eq!(sweep_tasks(&needs), 26 + 19);
        assert_eq!(sweep_likely_tasks(&needs), 64 + 48);
        // The floor fits: not refused, but warned that the engines' own threads may not.
        assert!(processes_plan(&needs, 10, Some(60)).is_ok());
        let warning = processes_warning(&needs, 10, Some(60)).unwrap();
        assert!(
            warning.starts_with(
                "this sweep starts at least 45 (about 112 with the threads Dask and MPI start themselves"
            ),
            "{warning}"
        );
        assert!(warning.contains("ulimit -u 244"), "{warning}");
        assert_eq!(processes_warning(&needs, 10, Some(122)), None);
        // Below the floor: refused, naming both counts and proposing the likely need twice.
        let text = processes_plan(&needs, 10, Some(50))
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("would start at least 55 processes and threads")
                && text.contains("(at least 45 (about 112 with the threads Dask and MPI")
                && text.contains("ulimit -u 244"),
            "{text}"
        );
    }

    #[test]
    fn the_refusal_and_the_warning_draw_the_line_at_the_same_count() {
        // One computation (`tasks_over_limit`) for both: with the same tasks counted besides
        // the sweep, one refuses exactly where the other warns, and both propose the same
        // limit.
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Threads, ModelKind::PyMultiprocessing],
            vec![1, 4],
        );
        let needs = sweep_needs(&e).unwrap();
        let sweep = sweep_tasks(&needs);
        for others in [0, 3, 50] {
            for limit in sweep + others - 2..=sweep + others + 2 {
                let refused = processes_plan(&needs, others, Some(limit));
                let warned = processes_warning(&needs, others, Some(limit));
                assert_eq!(refused.is_err(), warned.is_some(), "{others} {limit}");
                assert_eq!(refused.is_err(), limit < sweep + others, "{others} {limit}");
                if let (Err(e), Some(w)) = (refused, warned) {
                    let proposed = format!("ulimit -u {}", 2 * (sweep + others));
                    assert!(e.to_string().contains(&proposed), "{e}");
                    assert!(w.contains(&proposed), "{w}");
                }
            }
        }
        assert_eq!(tasks_over_limit(&needs, 0, None), None);
    }

    #[test]
    fn a_failed_spawn_says_which_limit_it_may_be() {
        let again = std::io::Error::from_raw_os_error(libc::EAGAIN);
        assert!(
            spawn_hint(&again).contains("ulimit -u"),
            "{}",
            spawn_hint(&again)
        );
        let nomem = std::io::Error::from_raw_os_error(libc::ENOMEM);
        assert!(spawn_hint(&nomem).contains("ulimit -v"));
        let missing = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(spawn_hint(&missing), "");
        // Under `ulimit -v`, a thread whose stack finds no room fails with EAGAIN too.
        let under = spawn_hint_under(&again, Some(100), Some(200 * MIB));
        assert!(
            under.contains("limit of 100 on your processes and threads, ulimit -u")
                && under.contains("address-space limit of 200.0 MiB (ulimit -v)")
                && under.contains("the new thread's stack"),
            "{under}"
        );
        assert!(!spawn_hint_under(&again, None, None).contains("ulimit -v"));
    }

    #[test]
    fn a_command_task_adds_its_largest_run_s_programs() {
        let e = exp(TaskKind::Command, vec![ModelKind::Threads], vec![2, 4]);
        let needs = sweep_needs(&e).unwrap();
        // 2 + 4 threads kept, plus the 4 programs of a 4-worker run.
        assert_eq!(sweep_tasks(&needs), 6 + 4);
    }
}

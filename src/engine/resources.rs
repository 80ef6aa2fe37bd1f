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

use super::sweep_plan;
use super::workload::{CHANNEL_BOUND, IO_CHUNK_BYTES, memory_elements};
use crate::preset::{Experiment, IoMode, ModelKind, SyncMode, TaskKind, TaskSpec};

/// Resident memory of one `corelab worker` child before its workload: its binary, stack and
/// heap (measured at a few MiB; rounded up).
pub const WORKER_PROCESS_BYTES: u64 = 16 << 20;
/// Resident memory of one CPython process (interpreter, `json`, `multiprocessing`).
pub const PYTHON_PROCESS_BYTES: u64 = 32 << 20;
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
}

/// Why a sweep was refused before it started.
#[derive(Debug, Error, PartialEq)]
pub enum ResourceError {
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
    Ok(CellNeeds {
        model,
        workers,
        memory_bytes,
        retained_bytes,
        shared_bytes,
        disk_bytes,
        memory_detail,
        disk_detail,
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
    sweep_plan(exp)
        .into_iter()
        .map(|(model, workers)| cell_needs(&exp.task, model, workers))
        .collect()
}

/// What this machine has now: `MemAvailable` and the disk free in the temporary directory.
pub fn available_now() -> Available {
    let disk_path = std::env::temp_dir();
    Available {
        memory_bytes: mem_available(Path::new("/proc/meminfo")),
        disk_bytes: crate::sys::available_disk_bytes(&disk_path).ok(),
        disk_path,
    }
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
/// would not fit in `available`. Returns the cells' needs when it fits.
pub fn check_against(
    exp: &Experiment,
    available: &Available,
) -> Result<Vec<CellNeeds>, ResourceError> {
    let needs = sweep_needs(exp)?;
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
    Ok(needs)
}

/// [`check_against`] this machine, now.
pub fn check(exp: &Experiment) -> Result<Vec<CellNeeds>, ResourceError> {
    check_against(exp, &available_now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::limits;

    fn machine(memory_gib: u64, disk_gib: u64) -> Available {
        Available {
            memory_bytes: Some(memory_gib << 30),
            disk_bytes: Some(disk_gib << 30),
            disk_path: "/tmp".into(),
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
        let threads = cell_needs(&e.task, ModelKind::Threads, 4).unwrap();
        assert_eq!(threads.memory_bytes, 300 << 20);
        let procs = cell_needs(&e.task, ModelKind::Processes, 4).unwrap();
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
        let needs = cell_needs(&e.task, ModelKind::Threads, 64).unwrap();
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
        let needs = cell_needs(&e.task, ModelKind::Threads, 512).unwrap();
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
        };
        assert!(check_against(&e, &unknown).is_ok());
    }

    #[test]
    fn mem_available_is_parsed_in_bytes() {
        let text = "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n";
        assert_eq!(parse_mem_available(text), Some(8_000_000 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
        assert!(mem_available(Path::new("/proc/meminfo")).is_some_and(|b| b > 0));
    }
}

//! The checks a sweep passes before it starts: its memory peak and its largest run's files
//! against what is available, the address space, the user's processes and the open files
//! (the soft limit raised where the hard one allows), and the warnings for a sweep that may
//! still fail for want of something it does not own.

use super::address_space::address_space_plan;
use super::array_sizing::sized_for;
use super::available::{Available, available_now};
use super::error::ResourceError;
use super::needs::{CellNeeds, sweep_memory_peak, sweep_needs};
use super::open_files::open_files_plan;
use super::processes_limit::{
    own_tasks, processes_limit_applied, processes_plan, processes_warning, user_tasks_now,
};
use crate::preset::Experiment;

/// Share of what is available a run may plan to use: the rest is left to the system, the
/// desktop and the measurement's own noise.
pub(super) const USABLE_FRACTION: f64 = 0.9;

/// Refuses the sweep when its memory peak (`sweep_memory_peak`) or its largest run's files
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

/// [`check_against`] this machine, now; then the limit on open files: a sweep whose cells'
/// pipes need more than the soft limit raises it (up to the hard limit, as a shell's
/// `ulimit -n` would), or is refused when not even the hard limit is enough. Without this, a
/// process-pool sweep of 1 to 256 workers (511 worker processes, 1 533 pipes) would fail
/// midway under the common soft limit of 1 024.
pub fn check(exp: &Experiment) -> Result<Vec<CellNeeds>, ResourceError> {
    // Every cell runs in a scratch directory of its own: where none can be made safely, the
    // sweep is refused here, once, rather than in every cell.
    if let Some(refusal) = crate::engine::scratch::refusal_of(&std::env::temp_dir()) {
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

/// Warnings for a sweep that [`check`] lets start but that may still fail for want of
/// something it does not own: today, `ulimit -u` with the tasks the user has already
/// (`processes_warning`).
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
    use crate::engine::kept_tasks::PythonSetup;
    use crate::engine::resources::needs::cell_needs;
    use crate::engine::resources::test_fixtures::{exp, machine};
    use crate::engine::workload::IO_CHUNK_BYTES;
    use crate::preset::{IoMode, ModelKind, TaskKind, limits};

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
}

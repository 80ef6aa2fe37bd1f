//! Machines and experiments the resource checks' tests measure against.

use super::Available;
use crate::preset::{Experiment, ModelKind, TaskKind};

pub(super) fn machine(memory_gib: u64, disk_gib: u64) -> Available {
    Available {
        memory_bytes: Some(memory_gib << 30),
        disk_bytes: Some(disk_gib << 30),
        disk_path: "/tmp".into(),
        address_space_bytes: None,
        last_level_cache_bytes: None,
        python_thread_stack_bytes: 8 << 20,
    }
}

pub(super) fn exp(kind: TaskKind, models: Vec<ModelKind>, workers: Vec<usize>) -> Experiment {
    let mut e = Experiment {
        models,
        workers,
        ..Experiment::default()
    };
    e.task.kind = kind;
    e
}

pub(super) const MIB: u64 = 1 << 20;

/// The built-in memory-bandwidth shape: 3 × 64 MiB arrays, in-process models and a pool.
pub(super) fn memory_bandwidth() -> Experiment {
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

pub(super) fn limited(address_space: Option<u64>) -> Available {
    Available {
        memory_bytes: Some(64 << 30),
        disk_bytes: Some(64 << 30),
        disk_path: "/tmp".into(),
        address_space_bytes: address_space,
        last_level_cache_bytes: None,
        python_thread_stack_bytes: 8 << 20,
    }
}

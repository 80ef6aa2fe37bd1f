//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use corelab::engine::{SweepConfig, WorkerCommand};
use corelab::preset::{Experiment, ModelKind, TaskKind, TaskSpec};

/// The corelab binary Cargo built for these tests (workers are started from it).
pub fn corelab_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_corelab"))
}

pub fn config() -> SweepConfig {
    SweepConfig::new(WorkerCommand::new(corelab_exe()))
}

/// A sweep that finishes in well under a second in a debug build.
pub fn tiny_experiment(kind: TaskKind, models: &[ModelKind], workers: &[usize]) -> Experiment {
    let mut task = TaskSpec {
        kind,
        tasks: 8,
        ..TaskSpec::default()
    };
    task.cpu.size = 20_000;
    task.io.sleep_ms = 2.0;
    task.io.file_kib = 16;
    task.memory.array_mib = 2;
    task.memory.passes = 1;
    task.mixed.compute_ms = 1.0;
    task.mixed.wait_ms = 1.0;
    task.contention.increments = 10_000;
    Experiment {
        name: format!("tiny {kind}"),
        task,
        workers: workers.to_vec(),
        models: models.to_vec(),
        repetitions: 2,
        warmups: 0,
        timeout_s: 30.0,
        ..Experiment::default()
    }
}

/// Live (not zombie) processes whose parent is this test process.
pub fn live_children() -> Vec<u32> {
    let me = std::process::id();
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the parenthesised command: state, ppid, ...
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let ppid: u32 = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if ppid == me && state != "Z" {
            found.push(pid);
        }
    }
    found
}

/// Whether `pid` still exists as a running (non-zombie) process.
pub fn is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().next())
            .is_some_and(|state| state != "Z"),
        Err(_) => false,
    }
}

/// Tests that count child processes or measure speedup must not overlap each other.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every live process below this one (children, grandchildren, …).
pub fn live_descendants() -> Vec<u32> {
    let mut parent_of = std::collections::HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let mut f = rest.split_whitespace();
            let state = f.next().unwrap_or("");
            let ppid: u32 = f.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            if state != "Z" {
                parent_of.insert(pid, ppid);
            }
        }
    }
    let me = std::process::id();
    parent_of
        .keys()
        .copied()
        .filter(|&pid| {
            let mut p = pid;
            for _ in 0..64 {
                match parent_of.get(&p) {
                    Some(&pp) if pp == me => return true,
                    Some(&pp) if pp > 1 => p = pp,
                    _ => return false,
                }
            }
            false
        })
        .collect()
}

/// `Some(reason)` when no python3 is available (the Python tests then skip, saying why).
pub fn python_missing() -> Option<String> {
    corelab::engine::preflight(&Experiment {
        models: vec![ModelKind::PyThreading],
        ..Experiment::default()
    })
    .err()
}

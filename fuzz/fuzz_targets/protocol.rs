#![no_main]
//! Any line from a worker or the parent, or a Python worker's run timeline (`done.timeline`):
//! decoded or refused, never a panic. A `configure`
//! request that is accepted is then built and run, as `corelab worker` would, with its sizes
//! shrunk to tiny ones (out-of-range values such as negative or NaN durations are kept, so
//! the workloads' own checks are exercised too); a `unit` request that is accepted gets a
//! guard built from its deadline.

use std::sync::OnceLock;
use std::time::Duration;

use corelab::engine::model::python_timeline;
use corelab::engine::protocol::{
    MAX_UNITS_PER_MESSAGE, ToWorker, decode_from_worker, decode_to_worker,
};
use corelab::engine::workload::{self, RunEnv};
use corelab::engine::{CancelToken, RunGuard};
use corelab::preset::{ModelKind, TaskSpec};
use libfuzzer_sys::fuzz_target;

/// One private directory for every input's files (units remove theirs).
fn scratch() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("corelab-fuzz-")
            .tempdir()
            .expect("temp dir")
    })
    .path()
}

/// `v` no larger than `max`; NaN and negative values pass through unchanged.
fn at_most(v: f64, max: f64) -> f64 {
    if v > max { max } else { v }
}

fn shrink(task: &mut TaskSpec) {
    task.tasks = task.tasks.min(4);
    task.cpu.size = task.cpu.size.min(5_000);
    task.io.sleep_ms = at_most(task.io.sleep_ms, 0.5);
    task.io.file_kib = task.io.file_kib.min(8);
    task.memory.array_mib = task.memory.array_mib.min(1);
    task.memory.passes = task.memory.passes.min(2);
    task.contention.increments = task.contention.increments.min(2_000);
    task.mixed.compute_ms = at_most(task.mixed.compute_ms, 0.5);
    task.mixed.wait_ms = at_most(task.mixed.wait_ms, 0.5);
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let _ = decode_from_worker(line);
    // A Python worker's run timeline (`done.timeline`), for each kind of lane.
    for model in [
        ModelKind::PyThreading,
        ModelKind::PyMultiprocessing,
        ModelKind::PyAsyncio,
    ] {
        let _ = python_timeline::decode(line, model, 4, 1_000_000_000);
    }
    match decode_to_worker(line) {
        Ok(ToWorker::Configure { mut task, env }) => {
            shrink(&mut task);
            // One worker: contention units would otherwise wait at their start line for
            // workers that never come (units run one after another here).
            let env = RunEnv {
                workers: 1,
                scratch_dir: scratch().to_path_buf(),
                shared_file: env.shared_file.map(|_| scratch().join("counter.bin")),
            };
            if let Some(path) = &env.shared_file
                && workload::create_counter_file(path).is_err()
            {
                return;
            }
            if let Ok(w) = workload::build(&task, &env) {
                let guard = RunGuard::new(CancelToken::new(), Duration::from_millis(200));
                let mut sum = 0u64;
                for unit in 0..w.unit_count() {
                    match w.run_unit(unit, &guard) {
                        Ok(c) => sum = sum.wrapping_add(c),
                        Err(_) => return,
                    }
                }
                let _ = w.finish(sum);
            }
        }
        Ok(ToWorker::Unit {
            unit,
            count,
            deadline_ms,
            payload_bytes,
        }) => {
            // What the worker relies on when it runs `unit..unit + count`.
            assert!((1..=MAX_UNITS_PER_MESSAGE).contains(&count), "{count}");
            assert!(unit + count <= corelab::preset::limits::MAX_TASKS as usize);
            assert!(payload_bytes.is_none() || count == 1);
            // The worker allocates this much before reading the payload.
            assert!(
                payload_bytes.is_none_or(|n| n <= corelab::engine::protocol::MAX_PAYLOAD_BYTES)
            );
            let _ = RunGuard::new(CancelToken::new(), Duration::from_millis(deadline_ms));
        }
        _ => {}
    }
});

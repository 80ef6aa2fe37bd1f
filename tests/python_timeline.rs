#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Real CPython runs seen like the Rust ones: their timelines (one lane per worker thread,
//! pool process or asyncio slot; every task once), their trace export, the bytes a
//! multiprocessing pool moves, and `task.payload_kib`. Every check is structural: overlap is
//! forced (units that meet at a barrier), never a matter of timing. Without python3 these tests
//! fail, saying so, unless `CORELAB_SKIP_PYTHON=1` is set.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use corelab::engine::model::Executor;
use corelab::engine::model::python::PythonExecutor;
use corelab::engine::workload::RunEnv;
use corelab::engine::{CancelToken, RunGuard};
use corelab::preset::{ModelKind, PythonOptions, StartMethod, TaskKind};
use corelab::results::{CellResult, ResultsFile, SpanState, Timeline};

const PYTHON_POOLS: [ModelKind; 3] = [
    ModelKind::PyThreading,
    ModelKind::PyMultiprocessing,
    ModelKind::PyAsyncio,
];

fn cell(r: &ResultsFile, model: ModelKind, workers: usize) -> &CellResult {
    r.cell(model, workers)
        .unwrap_or_else(|| panic!("no {model} × {workers} cell"))
}

/// The tasks of each lane, checking that each task lies on one lane only.
fn tasks_by_lane(t: &Timeline) -> Vec<BTreeSet<u32>> {
    let mut lanes = vec![BTreeSet::new(); t.workers.len()];
    for s in &t.spans {
        let task = s.task.expect("every Python span names its task");
        lanes[s.worker as usize].insert(task);
    }
    for (i, a) in lanes.iter().enumerate() {
        for b in &lanes[i + 1..] {
            assert!(a.is_disjoint(b), "a task on two lanes: {t:?}");
        }
    }
    lanes
}

#[test]
fn python_runs_have_one_lane_per_worker_and_every_task_once() {
    require_python!("python_runs_have_one_lane_per_worker_and_every_task_once");
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Cpu, &PYTHON_POOLS, &[2]);
    exp.task.cpu.size = 5_000;
    exp.python.start_method = StartMethod::Fork;
    let r = sweep(&exp);
    assert_all_ok(&r);
    let names = |t: &Timeline| t.workers.clone();
    for model in PYTHON_POOLS {
        let c = cell(&r, model, 2);
        let t = c
            .timeline
            .as_ref()
            .expect("a Python run records a timeline");
        assert_eq!(t.sample.map(|i| i < c.samples.len()), Some(true));
        assert_eq!(t.workers.len(), 2, "{model}: {:?}", names(t));
        let prefix = match model {
            ModelKind::PyThreading => "python thread ",
            ModelKind::PyMultiprocessing => "process ",
            _ => "asyncio slot ",
        };
        assert!(
            t.workers.iter().all(|w| w.starts_with(prefix)),
            "{model}: {:?}",
            names(t)
        );
        // A CPU task is one computing span: every task exactly once.
        let mut tasks: Vec<u32> = t.spans.iter().filter_map(|s| s.task).collect();
        assert!(t.spans.iter().all(|s| s.state == SpanState::Computing));
        tasks.sort_unstable();
        assert_eq!(tasks, (0..exp.task.tasks).collect::<Vec<_>>(), "{model}");
        tasks_by_lane(t);
        for s in &t.spans {
            assert!(
                s.start_ns <= s.end_ns && s.end_ns <= t.wall_ns,
                "{model}: {s:?}"
            );
        }
    }
    // Process lanes name their pool process.
    let mp = cell(&r, ModelKind::PyMultiprocessing, 2)
        .timeline
        .as_ref()
        .unwrap();
    assert!(
        mp.workers[0].starts_with("process 0 (pid "),
        "{:?}",
        mp.workers
    );
    // Saved and loaded with the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    r.save(&path).unwrap();
    let loaded = ResultsFile::load(&path).unwrap();
    for model in PYTHON_POOLS {
        assert_eq!(
            loaded.cell(model, 2).unwrap().timeline,
            cell(&r, model, 2).timeline
        );
    }
}

/// A module whose function waits until two calls have reached it: run by `py-threading × 2`,
/// its two calls must be on two threads at once.
const MEET: &str = "import threading\n\
BARRIER = threading.Barrier(2)\n\
def meet(x):\n    BARRIER.wait(timeout=60)\n    return x\n";

#[test]
fn py_threading_times_two_spans_come_from_two_threads() {
    require_python!("py_threading_times_two_spans_come_from_two_threads");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("meet.py");
    std::fs::write(&module, MEET).unwrap();
    let mut task = tiny_experiment(TaskKind::Function, &[ModelKind::PyThreading], &[2]).task;
    task.function.file = module.to_string_lossy().into_owned();
    task.function.name = "meet".into();
    task.function.args = vec![serde_json::json!(1), serde_json::json!(2)];
    // One executor, no baseline: the barrier needs both calls at once.
    let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(120));
    let mut exec = PythonExecutor::start(
        &PythonOptions::default(),
        ModelKind::PyThreading,
        2,
        dir.path(),
        &guard,
    )
    .unwrap();
    let env = RunEnv {
        workers: 2,
        scratch_dir: dir.path().to_path_buf(),
        shared_file: None,
    };
    let record = exec.run(&task, &env, &guard).unwrap();
    exec.shutdown();
    let t = record.timeline.expect("timeline");
    let lanes = tasks_by_lane(&t);
    // Two lanes, one call each: the two calls ran on two threads, at once.
    assert_eq!(t.workers, ["python thread 0", "python thread 1"]);
    assert!(lanes.iter().all(|l| l.len() == 1), "{lanes:?}");
    assert_eq!(t.max_concurrent(SpanState::Computing), 2, "{t:?}");
}

#[test]
fn python_waits_are_shown_as_io() {
    require_python!("python_waits_are_shown_as_io");
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Mixed, &PYTHON_POOLS, &[2]);
    exp.python.start_method = StartMethod::Fork;
    exp.repetitions = 1;
    let r = sweep(&exp);
    assert_all_ok(&r);
    for model in PYTHON_POOLS {
        let t = cell(&r, model, 2).timeline.as_ref().unwrap();
        for task in 0..exp.task.tasks {
            let states: Vec<SpanState> = t
                .spans
                .iter()
                .filter(|s| s.task == Some(task))
                .map(|s| s.state)
                .collect();
            // Computed, then slept: the sleep is waiting on I/O, never computing.
            assert_eq!(
                states.first(),
                Some(&SpanState::Computing),
                "{model}: {t:?}"
            );
            assert!(
                states.contains(&SpanState::Io),
                "{model} task {task}: {states:?}"
            );
        }
    }
}

#[test]
fn trace_export_of_a_python_cell() {
    require_python!("trace_export_of_a_python_cell");
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Cpu, &[ModelKind::PyThreading], &[2]);
    exp.task.cpu.size = 5_000;
    exp.repetitions = 1;
    let r = sweep(&exp);
    assert_all_ok(&r);
    let trace = corelab::export::trace::chrome_trace(&r).expect("a trace");
    let events = trace["traceEvents"].as_array().unwrap();
    let cell_pid = events
        .iter()
        .find(|e| e["name"] == "process_name" && e["args"]["name"] == "py-threading × 2")
        .expect("the cell is a named process")["pid"]
        .clone();
    let threads: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "thread_name" && e["pid"] == cell_pid)
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(threads, ["python thread 0", "python thread 1"]);
    let mut tasks: Vec<u64> = events
        .iter()
        .filter(|e| e["ph"] == "X" && e["pid"] == cell_pid)
        .map(|e| {
            assert_eq!(e["cat"], "computing", "{e}");
            assert!(e["ts"].as_f64().unwrap() >= 0.0 && e["dur"].as_f64().unwrap() >= 0.0);
            assert!(e["tid"].as_u64().unwrap() < 2, "{e}");
            e["args"]["task"].as_u64().unwrap()
        })
        .collect();
    tasks.sort_unstable();
    assert_eq!(tasks, (0..u64::from(exp.task.tasks)).collect::<Vec<_>>());
}

/// `py-multiprocessing`'s bytes moved: what its pool processes read and wrote, measured.
fn moved(payload_kib: u32) -> (u64, u64) {
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
        &[2],
    );
    exp.task.cpu.size = 5_000;
    exp.task.payload_kib = payload_kib;
    exp.python.start_method = StartMethod::Fork;
    let r = sweep(&exp);
    assert_all_ok(&r);
    assert_eq!(
        cell(&r, ModelKind::PyThreading, 2)
            .costs
            .as_ref()
            .unwrap()
            .ipc_bytes,
        None,
        "threads move nothing between processes"
    );
    assert_eq!(
        cell(&r, ModelKind::PyThreading, 2).checksum(),
        cell(&r, ModelKind::PyMultiprocessing, 2).checksum(),
        "the payload never changes the answer"
    );
    let bytes = cell(&r, ModelKind::PyMultiprocessing, 2)
        .costs
        .as_ref()
        .unwrap()
        .ipc_bytes
        .expect("py-multiprocessing reports its bytes moved");
    (bytes, u64::from(exp.task.tasks))
}

#[test]
fn py_multiprocessing_bytes_moved_grow_with_the_payload() {
    require_python!("py_multiprocessing_bytes_moved_grow_with_the_payload");
    let _g = exclusive();
    let (small, tasks) = moved(0);
    let (large, _) = moved(64);
    assert!(small > 0, "tasks and results went through the pool's pipes");
    // Each task's 64 KiB went to a pool process and 64 KiB came back (pickled bytes are
    // written as they are): at least that much more, and not many times more.
    let payload = tasks * 2 * 64 * 1024;
    assert!(
        large >= small + payload,
        "{large} bytes with 64 KiB, {small} without"
    );
    assert!(
        large < small + 2 * payload,
        "{large} vs {small} + {payload}"
    );
}

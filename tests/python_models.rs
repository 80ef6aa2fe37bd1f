#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Real CPython next to the Rust models. Without python3 these tests fail, saying so, unless
//! `CORELAB_SKIP_PYTHON=1` is set: then each prints `skipped: …` and passes (never silently).
//! Whether CPython threads scale is a measurement, in `corelab selftest --lessons`.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::*;
use corelab::engine::{SweepEvent, preflight, spawn_sweep};
use corelab::preset::{
    Baseline, CpuKernel, Experiment, ModelKind, StartMethod, SyncMode, TaskKind,
};
use corelab::results::{CellStatus, RunStatus};

#[test]
fn python_kernels_compute_the_rust_checksums() {
    let _g = exclusive();
    require_python!("python_kernels_compute_the_rust_checksums");
    for kernel in [CpuKernel::Primes, CpuKernel::HashChain] {
        let mut exp = tiny_experiment(
            TaskKind::Cpu,
            &[
                ModelKind::Sequential,
                ModelKind::PyThreading,
                ModelKind::PyMultiprocessing,
            ],
            &[2],
        );
        exp.task.cpu.kernel = kernel;
        exp.task.cpu.size = 5_000;
        exp.python.start_method = StartMethod::Fork;
        let r = sweep(&exp);
        assert_all_ok(&r);
        let rust = r.cell(ModelKind::Sequential, 1).unwrap().checksum();
        for m in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
            assert_eq!(r.cell(m, 2).unwrap().checksum(), rust, "{m} {kernel:?}");
        }
        let py = r
            .python
            .as_ref()
            .expect("interpreter recorded in the results");
        assert!(!py.version.is_empty());
    }
}

#[test]
fn python_sleep_and_mixed_tasks_match_rust() {
    let _g = exclusive();
    require_python!("python_sleep_and_mixed_tasks_match_rust");
    for kind in [TaskKind::Io, TaskKind::Mixed] {
        let exp = tiny_experiment(kind, &[ModelKind::Sequential, ModelKind::PyThreading], &[2]);
        let r = sweep(&exp);
        assert_all_ok(&r);
        assert_eq!(
            r.cell(ModelKind::PyThreading, 2).unwrap().checksum(),
            r.cell(ModelKind::Sequential, 1).unwrap().checksum(),
            "{kind}"
        );
    }
}

/// The CPython cells of a scaling sweep run at 1 and 2 workers, agree on the answer with each
/// other, are measured against their own 1-worker time, and record the interpreter and its GIL.
/// (How much they speed up is a measurement: `corelab selftest --lessons`.)
#[test]
fn cpython_threads_and_processes_run_a_scaling_sweep() {
    let _g = exclusive();
    require_python!("cpython_threads_and_processes_run_a_scaling_sweep");
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
        &[1, 2],
    );
    // Each model against its own 1-worker time: CPython is far slower than the Rust baseline.
    exp.baseline = Baseline::SameModelOneWorker;
    exp.task.tasks = 8;
    exp.repetitions = 2;
    exp.warmups = 1;
    exp.python.start_method = StartMethod::Fork;
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    assert!(answer.is_some());
    for m in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
        for w in [1, 2] {
            let c = r.cell(m, w).unwrap();
            assert_eq!(c.checksum(), answer, "{m} × {w}");
            assert_eq!(c.samples.len(), 2);
            assert_eq!(c.warmups.len(), 1);
            assert!(c.speedup.is_some_and(|s| s > 0.0), "{m} × {w}");
            assert!(c.startup_s.is_some(), "{m} × {w}: start-up reported apart");
        }
        let one = r.cell(m, 1).unwrap().speedup.unwrap();
        assert!((one - 1.0).abs() < 1e-9, "{m} × 1 is its own baseline");
    }
    let py = r.python.as_ref().expect("interpreter recorded");
    assert!(!py.version.is_empty());
}

/// A run's CPU time is its timed region's: what the interpreter does on the request outside
/// it (parsing the task, building the items and their payload, the recorder, the timeline, the
/// reply) is not counted. The first run of a task with a payload builds the payload's input
/// (about 20 ms of CPU time for 256 KiB), outside the timed region; the tasks only sleep and
/// one worker runs them one after the other, so the timed region keeps at most one core busy
/// for a small part of its wall time. Each run's CPU time therefore stays below its wall time,
/// with the sleeps' idle time as the margin for corelab's own pipe threads, however loaded the
/// machine (a load stretches the wall time, not the CPU time).
#[test]
fn python_cpu_time_counts_nothing_the_interpreter_does_outside_its_timed_region() {
    let _g = exclusive();
    require_python!("python_cpu_time_counts_nothing_the_interpreter_does_outside_its_timed_region");
    let mut exp = tiny_experiment(
        TaskKind::Io,
        &[ModelKind::PyAsyncio, ModelKind::PyThreading],
        &[1],
    );
    exp.baseline = Baseline::SameModelOneWorker;
    exp.task.tasks = 2;
    exp.task.io.sleep_ms = 4.0;
    exp.task.payload_kib = 256;
    exp.repetitions = 3;
    exp.warmups = 0;
    let r = sweep(&exp);
    assert_all_ok(&r);
    for m in [ModelKind::PyAsyncio, ModelKind::PyThreading] {
        let c = r.cell(m, 1).unwrap();
        assert_eq!(c.samples.len(), 3, "{m}");
        for (i, s) in c.samples.iter().enumerate() {
            assert!(
                s.cpu_s < s.wall_s,
                "{m} run {i}: {:.6} s of CPU time in {:.6} s of sleeping",
                s.cpu_s,
                s.wall_s
            );
        }
    }
}

#[test]
fn free_threading_is_refused_on_a_gil_build() {
    let _g = exclusive();
    require_python!("free_threading_is_refused_on_a_gil_build");
    let exp = Experiment {
        models: vec![ModelKind::PyFreeThreading],
        ..Experiment::default()
    };
    match preflight(&exp) {
        Ok(Some(info)) => assert!(!info.gil_enabled, "accepted only without the GIL"),
        Ok(None) => panic!("a Python model needs an interpreter"),
        Err(reason) => assert!(reason.to_string().contains("GIL enabled"), "{reason}"),
    }
}

#[test]
fn a_missing_interpreter_is_a_clear_error_and_keeps_other_results() {
    let _g = exclusive();
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::PyThreading],
        &[2],
    );
    exp.python.interpreter = "/nonexistent/python3".into();
    let reason = preflight(&exp).unwrap_err().to_string();
    assert!(
        reason.contains("/nonexistent/python3") && reason.contains("not found"),
        "{reason}"
    );
    let r = sweep(&exp);
    assert_eq!(r.status, RunStatus::Complete);
    assert_eq!(
        r.cell(ModelKind::Sequential, 1).unwrap().status,
        CellStatus::Ok
    );
    let py = r.cell(ModelKind::PyThreading, 2).unwrap();
    assert_eq!(py.status, CellStatus::Failed);
    assert!(py.error.as_deref().unwrap().contains("not found"));
}

#[test]
fn python_models_refuse_tasks_they_cannot_run() {
    let mut exp = tiny_experiment(TaskKind::Memory, &[ModelKind::PyThreading], &[2]);
    let err = exp.validate().unwrap_err().to_string();
    assert!(err.contains("models[0]") && err.contains("memory"), "{err}");
    // Contention runs under CPython threads and processes, unlocked or under a lock only.
    exp.task.kind = TaskKind::Contention;
    exp.task.contention.sync = SyncMode::Atomic;
    let err = exp.validate().unwrap_err().to_string();
    assert!(
        err.contains("\"atomic\"") && err.contains("no atomic"),
        "{err}"
    );
    for sync in [SyncMode::None, SyncMode::Mutex] {
        exp.task.contention.sync = sync;
        assert!(exp.validate().is_ok(), "{sync:?}");
    }
    exp.models = vec![ModelKind::PyAsyncio];
    let err = exp.validate().unwrap_err().to_string();
    assert!(
        err.contains("py-asyncio") && err.contains("py-multiprocessing"),
        "{err}"
    );
}

/// A tiny contention cell of each CPython model, unlocked and locked: the counter's arithmetic
/// is exact (final value + lost = workers × increments) and the lock loses nothing. Whether
/// the unlocked run loses is a measurement (README, "Lost updates in real Python").
#[test]
fn python_contention_counts_its_lost_updates_exactly() {
    let _g = exclusive();
    require_python!("python_contention_counts_its_lost_updates_exactly");
    for sync in [SyncMode::None, SyncMode::Mutex] {
        let mut exp = tiny_experiment(
            TaskKind::Contention,
            &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
            &[1, 2],
        );
        exp.baseline = Baseline::SameModelOneWorker;
        exp.python.start_method = StartMethod::Fork;
        exp.task.contention.sync = sync;
        exp.task.contention.increments = 3_000;
        let r = sweep(&exp);
        assert_all_ok(&r);
        for m in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
            for w in [1, 2] {
                let cell = r.cell(m, w).unwrap();
                let state = cell.shared_state.as_deref().unwrap_or_default();
                let want = match m {
                    ModelKind::PyThreading => "threads",
                    _ => "multiprocessing.Value",
                };
                assert!(state.contains(want), "{m} {sync:?}: {state:?}");
                assert!(!cell.samples.is_empty());
                for s in &cell.samples {
                    let lost = s.lost_updates.expect("a contention run counts its losses");
                    assert_eq!(s.checksum + lost, 3_000 * w as u64, "{m} × {w} {sync:?}");
                    if sync == SyncMode::Mutex || w == 1 {
                        assert_eq!(lost, 0, "{m} × {w} {sync:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn cancelling_a_multiprocessing_sweep_leaves_no_python_behind() {
    let _g = exclusive();
    require_python!("cancelling_a_multiprocessing_sweep_leaves_no_python_behind");
    let mut exp = tiny_experiment(TaskKind::Io, &[ModelKind::PyMultiprocessing], &[3]);
    exp.baseline = Baseline::SameModelOneWorker;
    exp.workers = vec![1];
    exp.task.tasks = 40;
    exp.task.io.sleep_ms = 500.0;
    exp.python.start_method = StartMethod::Fork;
    let handle = spawn_sweep(exp, config(), || {}).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    // The interpreter plus its pool worker.
    while live_descendants().len() < 2 {
        assert!(Instant::now() < deadline, "the Python pool never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = live_descendants();
    handle.cancel();
    loop {
        match handle.events.recv_timeout(Duration::from_secs(10)) {
            Ok(SweepEvent::Finished(r)) => {
                assert_eq!(r.status, RunStatus::Cancelled);
                break;
            }
            Ok(_) => {}
            Err(e) => panic!("no Finished event after cancel: {e}"),
        }
    }
    handle.join();
    // Killed at cancel; a pool process reparented to init is seen gone within moments, however
    // loaded the machine (no fixed sleep).
    for pid in seen {
        assert!(
            dies_within(pid, Duration::from_secs(10)),
            "process {pid} outlived the cancelled sweep"
        );
    }
    assert_no_live_descendants();
}

/// The worker reports what it spent on a request outside its timed region, CPU time and minor
/// page faults, as the last fields of its `done` reply (corelab subtracts both from what it
/// measures around the request). The first run of a task with a payload builds the payload's
/// input outside the timed region, so both figures are above zero there.
#[test]
fn the_worker_reports_its_cpu_time_and_page_faults_outside_the_timed_region() {
    let _g = exclusive();
    require_python!("the_worker_reports_its_cpu_time_and_page_faults_outside_the_timed_region");
    let mut worker = PythonScript::start("python3", &["-I", "-u", "corelab_worker.py"]);
    let started =
        worker.ask(serde_json::json!({"op": "start", "model": "threading", "workers": 1}));
    let line = worker.ask(serde_json::json!({"op": "run", "task": {
        "kind": "io", "tasks": 2, "io": {"mode": "sleep", "sleep_ms": 1.0}, "payload_kib": 1024
    }}));
    worker.close();
    assert!(started.contains("\"started\""), "{started}");
    let done: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(done["op"], "done", "{done}");
    assert!(
        done["untimed_cpu_s"].as_f64().is_some_and(|s| s > 0.0),
        "{done}"
    );
    assert!(
        done["untimed_minor_faults"].as_u64().is_some_and(|n| n > 0),
        "{done}"
    );
    // Both are the reply's last fields: read once the rest was serialised.
    assert!(
        line.trim_end().ends_with('}')
            && line.find("\"untimed_cpu_s\"") > line.find("\"checksum\""),
        "{line}"
    );
}

/// The worker's run clock measures the wall time from the very stamp the timeline starts at,
/// on the timeline's clock, so a unit that ends before the clock stops never ends past
/// `start_ns + wall`, however long the worker is preempted between two reads of a clock. This
/// is what failed once under load (py-asyncio: "Python sent a bad timeline"): the wall time
/// was read on `time.perf_counter` a moment after `start_ns`, and a 3 ms preemption in between
/// came out of the wall time. Here the clocks are fakes that jump 3 ms at the first
/// `perf_counter` read (where the old clock was preempted), deterministically.
#[test]
fn the_run_clock_wall_time_spans_every_unit_stamp_however_it_is_preempted() {
    // It starts python3: not beside a test that counts this process's children.
    let _g = exclusive();
    require_python!("the_run_clock_wall_time_spans_every_unit_stamp_however_it_is_preempted");
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/python");
    let script = format!(
        r#"
import sys, time
sys.path.insert(0, {assets:?})
import corelab_worker as w
now = [5_000_000_000]
reads = []
def monotonic_ns():
    reads.append('monotonic')
    return now[0]
def perf_counter():
    if 'perf' not in reads:
        now[0] += 3_000_000  # preempted just before this read
    reads.append('perf')
    return now[0] / 1e9
time.monotonic_ns = monotonic_ns
time.perf_counter = perf_counter
clock = w.RunClock()
clock.start()
assert w.TIMING['now'] is True
now[0] += 12_000_000
unit_end = time.monotonic_ns()
wall = clock.stop()
assert w.TIMING['now'] is False
end_ns = clock.start_ns + round(wall * 1e9)
print(clock.start_ns, unit_end, end_ns, wall)
assert unit_end <= end_ns, (unit_end, end_ns)
"#,
        assets = assets.to_str().unwrap()
    );
    let stdout = python_script_output(&script);
    let stamps: Vec<&str> = stdout.split_whitespace().collect();
    assert_eq!(stamps.len(), 4, "{stdout}");
    // The unit's end and the run's end are the same instant: 12 ms after the start, nothing
    // lost to the preemption.
    assert_eq!(stamps[1], stamps[2], "{stdout}");
    let wall: f64 = stamps[3].parse().unwrap();
    assert!((wall - 0.012).abs() < 1e-9, "{stdout}");
}

/// A pool's warm-up starts every one of its threads or processes before `startup_s` is taken,
/// so none starts inside a timed run. Two ways it went wrong before: `ThreadPoolExecutor`
/// gives a task to an idle thread when it has one (Python 3.8 and later), so `workers` instant
/// no-ops left only some threads started (1 of 2, 2 of 4, 3 of 8 here); and a process pool's
/// no-ops were taken by whichever process was ready first, so some processes were still
/// starting (interpreter, imports, initializer) when the first run began. Counted here: the
/// threads that appeared with the pool, and the pool processes that ran their initializer (each
/// takes a slot of the `running` table).
#[test]
fn a_pool_warm_up_starts_all_its_threads_and_processes_before_timing() {
    let _g = exclusive();
    require_python!("a_pool_warm_up_starts_all_its_threads_and_processes_before_timing");
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/python");
    let script = format!(
        r#"
import sys, threading
sys.path.insert(0, {assets:?})
import corelab_worker as w
if __name__ == "__main__":
    for n in (1, 2, 4, 8, 16):
        before = set(threading.enumerate())
        runner = w.Runner("threading", n, "spawn")
        started = len(set(threading.enumerate()) - before)
        print("threading", n, started)
        runner.close()
    for n in (1, 3):
        runner = w.Runner("multiprocessing", n, "spawn")
        up = sum(1 for slot in range(0, len(runner.running), 2) if runner.running[slot] > 0)
        print("multiprocessing", n, up)
        runner.close()
"#,
        assets = assets.to_str().unwrap()
    );
    let stdout = python_script_output(&script);
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    for line in &lines {
        assert_eq!(line.len(), 3, "{stdout}");
        assert_eq!(
            line[1], line[2],
            "{} pool of {}: {stdout}",
            line[0], line[1]
        );
    }
    assert_no_live_descendants();
}

/// The timed dispatch is what the README says is timed, `pool.map(f, items)`: a process pool
/// sends `Pool.map`'s chunks (ceil(tasks / (4 × processes)) units each), one message per chunk
/// each way, not one per unit (it did: `imap_unordered(…, chunksize=1)`, 2 000 messages for
/// 2 000 units, where `Pool.map` sends 8), and a thread pool submits each unit, as
/// `ThreadPoolExecutor.map` does (it has no chunking). Counted here on the real pools: every
/// `Connection.send` and `Connection.recv` of the parent (the pool's task and result pipes)
/// and every `ThreadPoolExecutor.submit`, over one run; the timeline still has a span per
/// unit. No timing is asserted.
#[test]
fn python_pools_dispatch_as_pool_map_and_executor_map_do() {
    let _g = exclusive();
    require_python!("python_pools_dispatch_as_pool_map_and_executor_map_do");
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/python");
    let script = format!(
        r#"
import sys, concurrent.futures
sys.path.insert(0, {assets:?})
import multiprocessing.connection as connection
import corelab_worker as w
counts = {{"send": 0, "recv": 0, "submit": 0}}
send, recv = connection.Connection.send, connection.Connection.recv
submit = concurrent.futures.ThreadPoolExecutor.submit
def counting_send(self, obj):
    counts["send"] += 1
    return send(self, obj)
def counting_recv(self):
    got = recv(self)
    counts["recv"] += 1
    return got
def counting_submit(self, *args, **kwargs):
    counts["submit"] += 1
    return submit(self, *args, **kwargs)
# Before the pools exist: a pool binds its pipes' methods when it is made.
connection.Connection.send = counting_send
connection.Connection.recv = counting_recv
concurrent.futures.ThreadPoolExecutor.submit = counting_submit
if __name__ == "__main__":
    for model in ("multiprocessing", "threading"):
        for workers, tasks in ((1, 7), (2, 2000), (3, 50), (4, 3)):
            runner = w.Runner(model, workers, "spawn")
            task = {{"kind": "cpu", "tasks": tasks, "cpu": {{"kernel": "hash-chain", "size": tasks}}}}
            before = dict(counts)
            done = runner.run(task, w.RunClock())
            print(model, workers, tasks, counts["send"] - before["send"],
                  counts["recv"] - before["recv"], counts["submit"] - before["submit"],
                  len(done[5]["units"]), done[2])
            runner.close()
"#,
        assets = assets.to_str().unwrap()
    );
    let stdout = python_script_output(&script);
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 8, "{stdout}");
    let mut checksums = std::collections::HashMap::new();
    for line in &lines {
        assert_eq!(line.len(), 8, "{stdout}");
        let n = |i: usize| line[i].parse::<usize>().unwrap();
        let (workers, tasks, sent, received, submitted, spans) =
            (n(1), n(2), n(3), n(4), n(5), n(6));
        if line[0] == "multiprocessing" {
            // `Pool.map`'s rule (CPython's `Pool._map_async`), worked out here on its own.
            let chunksize = tasks.div_ceil(4 * workers);
            let chunks = tasks.div_ceil(chunksize);
            assert_eq!(
                (sent, received, submitted),
                (chunks, chunks, 0),
                "{workers} processes, {tasks} tasks: chunks of {chunksize}: {stdout}"
            );
        } else {
            assert_eq!(
                (sent, received, submitted),
                (0, 0, tasks),
                "{workers} threads, {tasks} tasks: {stdout}"
            );
        }
        assert_eq!(spans, tasks, "one span per unit: {stdout}");
        // Both models compute the same answer for the same task.
        let checksum = checksums.entry(tasks).or_insert(line[7]);
        assert_eq!(*checksum, line[7], "{stdout}");
    }
    // The (2 processes, 2 000 tasks) case is the reviewer's: 8 messages each way, not 2 000.
    assert!(
        stdout.contains("multiprocessing 2 2000 8 8 0 2000 "),
        "{stdout}"
    );
    assert_no_live_descendants();
}

/// Runs `script` with `python3 -I -B -c`, asserts that it succeeded (quoting its output and
/// errors), and returns what it printed.
fn python_script_output(script: &str) -> String {
    let out = std::process::Command::new("python3")
        .args(["-I", "-B", "-c", script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

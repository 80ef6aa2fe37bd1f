//! What a run's CPU time and start-up mean for the models that use other processes: the CPU
//! of worker processes (and their own children) counts, measured from outside, and so does the
//! pipe and JSON work around it. Deterministic: no assertion compares two timings that could
//! swap under load; each compares a total with a part of it.

use std::time::Duration;

use corelab::engine::model::python::{PythonExecutor, probe};
use corelab::engine::model::{Executor, ProcessPool, WorkerCommand};
use corelab::engine::workload::RunEnv;
use corelab::engine::{CancelToken, RunGuard};
use corelab::preset::{
    CpuKernel, CpuParams, ModelKind, PythonOptions, StartMethod, TaskKind, TaskSpec,
};

fn guard() -> RunGuard {
    RunGuard::new(CancelToken::new(), Duration::from_secs(120))
}

fn cpu_task(size: u64) -> TaskSpec {
    TaskSpec {
        kind: TaskKind::Cpu,
        tasks: 8,
        cpu: CpuParams {
            kernel: CpuKernel::HashChain,
            size,
        },
        ..TaskSpec::default()
    }
}

/// A pool of two `corelab worker` children and the environment of its runs; the scratch
/// directory lives as long as the returned guard.
fn pool_of_two() -> (ProcessPool, RunEnv, tempfile::TempDir) {
    let cmd = WorkerCommand::new(env!("CARGO_BIN_EXE_corelab"));
    let pool = ProcessPool::start(&cmd, 2, &guard()).expect("pool");
    let scratch = tempfile::tempdir().expect("scratch");
    let env = RunEnv {
        workers: 2,
        scratch_dir: scratch.path().to_path_buf(),
        shared_file: None,
    };
    (pool, env, scratch)
}

#[test]
fn a_process_pool_configures_its_children_once_for_a_reusable_task() {
    let (mut pool, env, _scratch) = pool_of_two();
    // The bytes on the pipes of a run include its `Configure` line only when one was sent.
    let ipc = |pool: &mut ProcessPool, task: &TaskSpec| {
        let record = pool.run(task, &env, &guard()).expect("run");
        (
            record.metrics.ipc_bytes.expect("ipc bytes"),
            record.metrics.checksum,
        )
    };
    let (first, sum1) = ipc(&mut pool, &cpu_task(400_000));
    let (second, sum2) = ipc(&mut pool, &cpu_task(400_000));
    assert!(second < first, "run 2 sent {second} bytes, run 1 {first}");
    assert_eq!(sum1, sum2, "the kept workload computes the same answer");
    // Another task is configured again, and so is a task that cannot be reused (I/O).
    let (other, _) = ipc(&mut pool, &cpu_task(500_000));
    // (Replies may differ in length by a few bytes: checksums, timestamps.)
    let configure = first - second;
    assert!(
        other > second + configure / 2,
        "a new size configures the children again: {other} bytes vs {first} and {second}"
    );
    let io = TaskSpec {
        kind: TaskKind::Io,
        tasks: 2,
        ..TaskSpec::default()
    };
    let (io1, _) = ipc(&mut pool, &io);
    let (io2, _) = ipc(&mut pool, &io);
    // Both I/O runs sent their `Configure` (a skipped one would take away the hundreds of
    // bytes that line is).
    assert!(
        io1.abs_diff(io2) < configure / 2,
        "an I/O task is built afresh for every run: {io1} vs {io2} bytes (Configure ≈ {configure})"
    );
    pool.shutdown();
}

#[test]
fn a_process_pool_run_counts_all_the_childrens_cpu_and_its_pipe_overhead() {
    let cmd = WorkerCommand::new(env!("CARGO_BIN_EXE_corelab"));
    let mut pool = ProcessPool::start(&cmd, 2, &guard()).expect("pool");
    assert!(pool.startup() > Duration::ZERO);
    let scratch = tempfile::tempdir().expect("scratch");
    let env = RunEnv {
        workers: 2,
        scratch_dir: scratch.path().to_path_buf(),
        shared_file: None,
    };
    for _ in 0..2 {
        let record = pool.run(&cpu_task(4_000_000), &env, &guard()).expect("run");
        let units = record
            .task_cpu
            .expect("the children report their units' CPU");
        assert!(units > Duration::ZERO);
        // The children's CPU is read from outside and includes every unit; the dispatcher and
        // the pipe readers here add to it: the `work` column shows the pool's overhead.
        assert!(
            record.cpu > units,
            "run CPU {:?} does not exceed the units' own {units:?}",
            record.cpu
        );
    }
    pool.shutdown();
}

#[test]
fn py_multiprocessing_counts_the_cpu_of_the_pools_processes() {
    let options = PythonOptions {
        start_method: StartMethod::Fork,
        ..PythonOptions::default()
    };
    if let Err(reason) = probe(&options) {
        eprintln!("skipped: {reason}");
        return;
    }
    let scratch = tempfile::tempdir().expect("scratch");
    let mut exec = PythonExecutor::start(
        &options,
        ModelKind::PyMultiprocessing,
        2,
        scratch.path(),
        &guard(),
    )
    .expect("python pool");
    assert!(exec.startup() > Duration::ZERO);
    let env = RunEnv {
        workers: 2,
        scratch_dir: scratch.path().to_path_buf(),
        shared_file: None,
    };
    let record = exec.run(&cpu_task(200_000), &env, &guard()).expect("run");
    // The units ran in the pool's processes, grandchildren of corelab: their thread time is
    // only inside the run's CPU if those processes are measured.
    let units = record.task_cpu.expect("Python reports its units' CPU");
    assert!(units > Duration::ZERO);
    assert!(
        record.cpu >= units,
        "run CPU {:?} misses the pool processes' {units:?}",
        record.cpu
    );
    exec.shutdown();
}

/// Short units go out several to a message once a run has shown how short they are; every
/// unit still runs exactly once and the answer is the same.
#[test]
fn a_process_pool_sends_short_units_several_to_a_message_after_its_first_run() {
    use corelab::results::SpanState;
    use std::collections::HashMap;
    let (mut pool, env, _scratch) = pool_of_two();
    // 400 units of a few microseconds each.
    let task = TaskSpec {
        tasks: 400,
        ..cpu_task(400)
    };
    // The most units that left for one child in one message: their requests carry one stamp.
    let largest_message = |record: &corelab::engine::model::RunRecord| {
        let timeline = record.timeline.as_ref().expect("timeline");
        let computing: Vec<_> = timeline
            .spans
            .iter()
            .filter(|s| s.state == SpanState::Computing)
            .collect();
        let mut tasks: Vec<u32> = computing.iter().filter_map(|s| s.task).collect();
        tasks.sort_unstable();
        assert_eq!(tasks, (0..400).collect::<Vec<_>>(), "every unit ran once");
        // A request's trip ends where its unit starts computing.
        let mut per_send: HashMap<(u32, u64), usize> = HashMap::new();
        for s in timeline
            .spans
            .iter()
            .filter(|s| s.state == SpanState::Transit)
        {
            if computing
                .iter()
                .any(|c| c.worker == s.worker && c.start_ns == s.end_ns && c.task == s.task)
            {
                *per_send.entry((s.worker, s.start_ns)).or_default() += 1;
            }
        }
        per_send.into_values().max().unwrap_or(0)
    };
    let first = pool.run(&task, &env, &guard()).expect("run 1");
    let second = pool.run(&task, &env, &guard()).expect("run 2");
    assert_eq!(first.metrics.checksum, second.metrics.checksum);
    assert_eq!(
        largest_message(&first),
        1,
        "the first run sends one unit at a time"
    );
    assert!(
        largest_message(&second) > 1,
        "the second run sends several units to a message"
    );
    pool.shutdown();
}

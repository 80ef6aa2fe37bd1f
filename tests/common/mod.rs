//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cluster;
pub mod counting_module;
#[cfg(feature = "gui")]
pub mod gui;
pub mod svg_text;
pub mod synthetic;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use corelab::engine::{SweepConfig, WorkerCommand};
use corelab::preset::{Experiment, ModelKind, TaskKind, TaskSpec};

/// The counts 0 to 20 in words, as README and preset texts write them (`NUMBER_WORDS[n]` is
/// `n`).
pub const NUMBER_WORDS: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// The corelab binary Cargo built for these tests (workers are started from it).
pub fn corelab_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_corelab"))
}

pub fn config() -> SweepConfig {
    SweepConfig::new(WorkerCommand::new(corelab_exe()))
}

/// A sweep configuration whose executors are `mock`'s scripted ones, with a fixed shuffle seed.
pub fn mock_config(mock: &corelab::engine::mock::MockExecutors, seed: u64) -> SweepConfig {
    let mut c = config().with_executors(mock.clone());
    c.shuffle_seed = Some(seed);
    c
}

/// A scripted run of 0.2 s of work in which threads scale perfectly and every other model
/// keeps one core: threads × N take 0.2 / N s on N cores.
pub fn threads_scale(model: ModelKind, workers: usize) -> corelab::engine::mock::MockRun {
    let cores = if model == ModelKind::Threads {
        workers
    } else {
        1
    };
    corelab::engine::mock::MockRun::new(0.2 / cores as f64, cores as f64, 42)
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
    live_processes()
        .into_iter()
        .filter(|&(_, ppid)| ppid == me)
        .map(|(pid, _)| pid)
        .collect()
}

/// `(pid, parent pid)` of every process on the machine that is not a zombie.
pub fn live_processes() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = corelab::sys::procfs::Stat::of_process(pid)?;
            let ppid = stat.parent()?;
            (!stat.is_zombie()).then_some((pid, ppid))
        })
        .collect()
}

/// A process that has exited, as recorded while it ran: a `sleep` started, its start time
/// read from /proc, then killed and reaped, for a results file whose writer is gone.
pub fn gone_process() -> corelab::results::WriterProcess {
    let mut child = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    let pid = child.id();
    let started_ticks = corelab::sys::procfs::start_ticks_of(pid);
    assert!(started_ticks.is_some(), "/proc tells when {pid} started");
    child.kill().unwrap();
    child.wait().unwrap();
    corelab::results::WriterProcess::here(pid, started_ticks)
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

/// `output`'s stderr without the note a corelab start prints first when it stopped processes
/// or removed scratch directories left by a corelab of this user that was killed
/// ([`corelab::engine::run_mark::leftovers_line`]). That note is about the machine, not about
/// the run: the processes are found through `/proc`, by every `run` and `selftest` start, so
/// whichever corelab was killed last (another test's, another checkout's test run, a person's)
/// can put it on any test's stderr, and no temporary directory of the test's own keeps it away.
/// A test that reads stderr's first line, or counts its lines, reads this.
/// The debug build's note (`corelab: debug build: figures not for publishing …`, said by every
/// `run` and `selftest` of the debug binary the tests run) is about the build, not the run:
/// left out too.
pub fn stderr_of_this_run(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stderr = match stderr.split_once('\n') {
        Some((first, rest)) if is_leftovers_note(first) => rest.to_string(),
        _ => stderr.into_owned(),
    };
    match stderr.split_once('\n') {
        Some((first, rest)) if first == debug_build_line() => rest.to_string(),
        _ => stderr,
    }
}

/// The line `run` and `selftest` start with where corelab is a debug build.
pub fn debug_build_line() -> String {
    format!("corelab: {}", corelab::results::DEBUG_BUILD_NOTE)
}

/// Whether `line` is corelab's note of what a killed corelab left, in its own wording: what it
/// stopped or removed, or the processes still there after the wait
/// ([`corelab::engine::run_mark::leftovers_note`]), each part `… left by a corelab run that
/// was killed`, the trouble or the processes not gone after it.
pub fn is_leftovers_note(line: &str) -> bool {
    let Some(one) = corelab::engine::run_mark::leftovers_line(1, 0) else {
        return false;
    };
    let tail = one.trim_start_matches("stopped 1 process");
    let starts = line.starts_with("stopped ")
        || line.starts_with("removed ")
        || line
            .split_once(" process")
            .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
    starts && line.contains(tail)
}

/// Whether `pid` is gone (or a zombie) within `limit`: a process killed with SIGKILL dies at
/// once, but one reparented to init (a grandchild) may take a moment to be seen gone on a
/// loaded machine, so a check must not depend on a fixed sleep.
#[allow(dead_code)]
pub fn dies_within(pid: u32, limit: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while is_alive(pid) {
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    true
}

/// Tests that count child processes or measure speedup must not overlap each other.
///
/// [`live_descendants`] sees every process below this test process, whichever test thread
/// started it: a test that starts a process (a sweep, a script, the interpreter probe of
/// `require_python!`) takes this first, or a test that counts processes beside it sees that
/// process as its own leftover. (`require_python!` before this lock made
/// `a_sleep_command_runs_under_sequential_threads_and_rayon_with_one_checksum` fail on a
/// loaded machine: the next test's `python3` probe, slow to start, was still running when
/// the sleep sweep, which only sleeps and is not slowed, had returned.)
pub fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Asserts that no process under this test process is still running (zombies awaiting their
/// reaping excepted), naming each that is: pid, state, parent and command line.
pub fn assert_no_live_descendants() {
    let left = live_descendants();
    assert!(
        left.is_empty(),
        "every child was reaped; still running:\n{}",
        shown_processes(&left)
    );
}

/// Every live process below this one (children, grandchildren, …), whoever started it: a
/// test that asserts on it holds [`exclusive`], as every test that starts a process does.
pub fn live_descendants() -> Vec<u32> {
    let parent_of: std::collections::HashMap<u32, u32> = live_processes().into_iter().collect();
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

/// `pids` for a failure message, one per line: pid, state and parent from `/proc/<pid>/stat`,
/// and the command line (`gone` for one that exited since it was listed).
pub fn shown_processes(pids: &[u32]) -> String {
    pids.iter()
        .map(|&pid| {
            let stat = corelab::sys::procfs::Stat::of_process(pid);
            let (Some(state), Some(ppid)) = (
                stat.as_ref()
                    .and_then(|s| s.field(corelab::sys::procfs::field::STATE)),
                stat.as_ref().and_then(|s| s.parent()),
            ) else {
                return format!("{pid}: gone");
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let cmdline: Vec<String> = cmdline
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            format!(
                "{pid}: state {state}, parent {ppid}: {}",
                cmdline.join(" ").chars().take(200).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The interpreter with dask and mpi4py, or `None` after printing `skipped: …`.
pub fn cluster_python(test: &str) -> Option<String> {
    match std::env::var("CORELAB_CLUSTER_PYTHON") {
        Ok(p) if !p.trim().is_empty() => Some(p),
        _ => {
            eprintln!(
                "skipped: {test}: CORELAB_CLUSTER_PYTHON is not set (.ci/run sets it to a venv with dask[distributed] and mpi4py)"
            );
            None
        }
    }
}

/// The interpreter with dask and mpi4py ([`cluster_python`]); without it, returns from the
/// test after printing `skipped: …`. For the test files that declare `#[macro_use] mod
/// common;`.
#[allow(unused_macros)]
macro_rules! require_cluster {
    ($test:expr) => {
        match $crate::common::cluster_python($test) {
            Some(p) => p,
            None => return,
        }
    };
}

/// Returns from the test (printing `skipped: …`) when python3 is missing and
/// `CORELAB_SKIP_PYTHON=1`; fails it when python3 is missing otherwise (see
/// [`python_available`]). For the test files that declare `#[macro_use] mod common;`.
#[allow(unused_macros)]
macro_rules! require_python {
    ($test:expr) => {
        if !$crate::common::python_available($test) {
            return;
        }
    };
}

/// Whether the Python tests can run. When no python3 is available they fail with the reason,
/// unless `CORELAB_SKIP_PYTHON=1` is set: then this prints `skipped: …` and returns false, so
/// a missing interpreter is never a silent pass.
pub fn python_available(test: &str) -> bool {
    let Some(reason) = python_missing() else {
        return true;
    };
    if std::env::var("CORELAB_SKIP_PYTHON").is_ok_and(|v| v == "1") {
        eprintln!("skipped: {test}: {reason} (CORELAB_SKIP_PYTHON=1)");
        return false;
    }
    panic!(
        "{test} needs python3: {reason}. Install python3, or set CORELAB_SKIP_PYTHON=1 to skip the Python tests (each then prints `skipped: …`)"
    );
}

/// `Some(reason)` when no python3 is available.
pub fn python_missing() -> Option<String> {
    corelab::engine::preflight(&Experiment {
        models: vec![ModelKind::PyThreading],
        ..Experiment::default()
    })
    .err()
    .map(|e| e.to_string())
}

/// Validates and runs `exp` to the end (no events kept).
pub fn sweep(exp: &Experiment) -> corelab::results::ResultsFile {
    exp.validate().unwrap();
    corelab::engine::run_sweep(
        exp,
        &config(),
        &corelab::engine::CancelToken::new(),
        &mut |_| {},
    )
}

/// Fails the test, naming the cell and its error, unless every cell ran.
pub fn assert_all_ok(r: &corelab::results::ResultsFile) {
    for c in &r.cells {
        assert_eq!(
            c.status,
            corelab::results::CellStatus::Ok,
            "{} × {}: {:?}",
            c.model_id(),
            c.workers,
            c.error
        );
    }
}

/// corelab's Python worker and cluster driver written to a private folder, one of them started
/// by `python` with `args` (e.g. `["-I", "-u", "corelab_worker.py"]`) and spoken to one JSON
/// line at a time, as corelab speaks to it.
pub struct PythonScript {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    _dir: tempfile::TempDir,
}

impl PythonScript {
    pub fn start(python: &str, args: &[&str]) -> PythonScript {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().expect("a private folder");
        for (name, text) in [
            (
                "corelab_worker.py",
                corelab::engine::model::python::WORKER_SCRIPT,
            ),
            (
                "corelab_cluster.py",
                corelab::engine::model::python::CLUSTER_SCRIPT,
            ),
        ] {
            std::fs::write(dir.path().join(name), text).expect("script written");
        }
        let mut child = Command::new(python)
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the script starts");
        let stdin = child.stdin.take();
        let stdout = std::io::BufReader::new(child.stdout.take().expect("its stdout"));
        PythonScript {
            child,
            stdin,
            stdout,
            _dir: dir,
        }
    }

    /// Sends `request` and returns the reply line as it came.
    pub fn ask(&mut self, request: serde_json::Value) -> String {
        use std::io::{BufRead, Write};
        let stdin = self.stdin.as_mut().expect("input still open");
        writeln!(stdin, "{request}").expect("request sent");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("reply read");
        line
    }

    /// [`PythonScript::ask`], the reply parsed.
    pub fn ask_json(&mut self, request: serde_json::Value) -> serde_json::Value {
        let line = self.ask(request);
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    /// Ends its input (the script then closes what it started and exits) and waits up to
    /// 10 s for it; kills it if it is still running.
    pub fn close(mut self) {
        self.stdin.take();
        for _ in 0..100 {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

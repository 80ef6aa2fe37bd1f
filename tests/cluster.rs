#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The cluster engines: `py-dask` on an embedded `LocalCluster` (and on an existing cluster,
//! restricted to some of its workers) and `py-mpi` through `mpiexec`, with the checksums of the
//! Rust kernels. They need an interpreter with `dask[distributed]` and `mpi4py`, and an MPI
//! launcher: `.ci/run` builds one and names it in `CORELAB_CLUSTER_PYTHON`. Without that
//! variable the tests that need the engines print `skipped: …` (never a silent pass). The
//! unavailable-engine tests need nothing and always run.

#[macro_use]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::cluster::{
    assert_checksums_match, assert_timed_out_mpi_cells_leave_nothing, experiment,
    function_on_clusters, leftovers, work_module,
};
use common::counting_module::{COUNTING_MODULE, importing_processes, start_and_run};
use common::*;
use corelab::engine::{EngineError, preflight};
use corelab::preset::{CpuKernel, Experiment, ModelKind, TaskKind};
use corelab::results::{CellStatus, DASK_INSTALL, MPI_INSTALL, ResultsFile};

/// Each `model` cell's median run has a timeline (the units ran on this host): at most one
/// lane per worker, named for the engine, and every task of the run on it; waits of an I/O
/// task are shown as I/O.
fn assert_timelines(r: &ResultsFile, model: ModelKind, kind: TaskKind, what: &str) {
    let tasks = r.experiment.task.tasks as usize;
    for c in r.cells.iter().filter(|c| c.model == Some(model)) {
        let t = c
            .timeline
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: {model} × {} has no timeline", c.workers));
        assert!(
            !t.workers.is_empty() && t.workers.len() <= c.workers,
            "{what}: {:?}",
            t.workers
        );
        let engine = if model == ModelKind::PyDask {
            "dask worker"
        } else {
            "mpi rank worker"
        };
        assert!(
            t.workers.iter().all(|w| w.starts_with(engine)),
            "{:?}",
            t.workers
        );
        let mut seen: Vec<u32> = t.spans.iter().filter_map(|s| s.task).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, (0..tasks as u32).collect::<Vec<_>>(), "{what}");
        if kind == TaskKind::Io {
            assert!(
                t.spans
                    .iter()
                    .any(|s| s.state == corelab::results::SpanState::Io),
                "{what}: the sleeps are waits"
            );
        }
    }
}

/// Runs `model` on each task kind (one and two workers for the first, two for the others:
/// each cell starts its own cluster, which takes a while), checks the checksums and timelines,
/// and hands every cell's cluster record and worker count to `check_cluster`.
fn across_task_kinds(
    python: &str,
    model: ModelKind,
    check_cluster: impl Fn(&ResultsFile, corelab::results::ClusterInfo, usize),
) {
    for (kind, kernel) in [
        (TaskKind::Cpu, CpuKernel::Primes),
        (TaskKind::Cpu, CpuKernel::HashChain),
        (TaskKind::Io, CpuKernel::Primes),
        (TaskKind::Mixed, CpuKernel::Primes),
    ] {
        let counts: &[usize] = if kernel == CpuKernel::Primes && kind == TaskKind::Cpu {
            &[1, 2]
        } else {
            &[2]
        };
        let mut exp = experiment(python, kind, model, counts);
        exp.task.cpu.kernel = kernel;
        let r = sweep(&exp);
        let what = format!("{kind} {kernel:?}");
        assert_checksums_match(&r, model, &what);
        assert_timelines(&r, model, kind, &what);
        for &workers in counts {
            let cluster = r
                .cell(model, workers)
                .unwrap()
                .cluster
                .clone()
                .expect("the cluster is recorded");
            check_cluster(&r, cluster, workers);
        }
    }
}

#[test]
fn dask_on_an_embedded_local_cluster_matches_the_rust_checksums() {
    let python = require_cluster!("dask_on_an_embedded_local_cluster_matches_the_rust_checksums");
    let _g = exclusive();
    across_task_kinds(&python, ModelKind::PyDask, |r, cluster, workers| {
        assert!(r.python.as_ref().unwrap().dask.is_some());
        assert_eq!(cluster.engine, "dask");
        assert!(cluster.embedded);
        assert!(cluster.scheduler.starts_with("tcp://"), "{cluster:?}");
        assert!(cluster.dashboard.starts_with("http"), "{cluster:?}");
        assert_eq!(cluster.workers.len(), workers);
        assert!(cluster.workers.iter().all(|w| w.threads == 1));
    });
}

#[test]
fn mpi_through_mpiexec_matches_the_rust_checksums() {
    let python = require_cluster!("mpi_through_mpiexec_matches_the_rust_checksums");
    let _g = exclusive();
    across_task_kinds(&python, ModelKind::PyMpi, |_, cluster, workers| {
        assert_eq!(cluster.engine, "mpi");
        let ranks: Vec<&str> = cluster.workers.iter().map(|w| w.address.as_str()).collect();
        let expected: Vec<String> = (1..=workers).map(|r| format!("rank {r}")).collect();
        assert_eq!(ranks, expected);
        assert!(cluster.workers.iter().all(|w| !w.host.is_empty()));
    });
}

/// No MPI rank spins while it waits. Rank 0 waits for results for the whole timed run, and
/// Open MPI's blocking receive polls (with `mpi_yield_when_idle=1` it calls sched_yield between
/// polls, which takes a whole free core): the run's `cpu_s`, `cores` and `work` counted that
/// as work, and the dispatcher competed with the ranks computing. Here two ranks each sleep
/// 1 s, so rank 0 waits about 1 s for their results (and the ranks wait for the next run in
/// between): the run's CPU time, measured by corelab over mpiexec and every rank, stays well
/// under 0.1 s. An upper bound on CPU time, which a loaded machine only lowers; no timing.
#[test]
fn mpi_ranks_waiting_for_messages_do_not_spin() {
    let python = require_cluster!("mpi_ranks_waiting_for_messages_do_not_spin");
    let _g = exclusive();
    let mut exp = experiment(&python, TaskKind::Io, ModelKind::PyMpi, &[2]);
    exp.task.tasks = 2;
    exp.task.io.sleep_ms = 1000.0;
    let r = sweep(&exp);
    assert_checksums_match(&r, ModelKind::PyMpi, "two 1 s sleeps");
    let cell = r.cell(ModelKind::PyMpi, 2).unwrap();
    assert!(!cell.samples.is_empty());
    for s in &cell.samples {
        assert!(
            s.wall_s >= 1.0,
            "the run waited for both sleeps: {}",
            s.wall_s
        );
        assert!(
            s.cpu_s < 0.1,
            "rank 0 waited {:.2} s for results and the run used {:.3} s of CPU",
            s.wall_s,
            s.cpu_s
        );
    }
}

#[test]
fn a_broken_mpi_launcher_fails_the_cell_naming_it() {
    let python = require_cluster!("a_broken_mpi_launcher_fails_the_cell_naming_it");
    let _g = exclusive();
    let mut exp = experiment(&python, TaskKind::Cpu, ModelKind::PyMpi, &[1]);
    exp.mpi.launcher = "/nonexistent/mpiexec".into();
    let r = sweep(&exp);
    let cell = r.cell(ModelKind::PyMpi, 1).unwrap();
    assert_eq!(cell.status, CellStatus::Failed);
    let error = cell.error.as_deref().unwrap();
    assert!(error.contains("/nonexistent/mpiexec"), "{error}");
    assert!(error.contains(MPI_INSTALL), "{error}");
}

/// The driver's `done` reply says how much CPU time it spent on the request outside the timed
/// region (corelab subtracts it from what it measures around the request). The first run of a
/// task with a payload builds the payload's input there, so that figure is never zero.
#[test]
fn the_cluster_driver_reports_its_cpu_time_outside_the_timed_region() {
    let python =
        require_cluster!("the_cluster_driver_reports_its_cpu_time_outside_the_timed_region");
    let _g = exclusive();
    let mut driver = PythonScript::start(&python, &["-I", "-u", "corelab_cluster.py", "dask"]);
    let started =
        driver.ask_json(serde_json::json!({"op": "start", "model": "dask", "workers": 1}));
    let done = driver.ask_json(serde_json::json!({"op": "run", "task": {
        "kind": "io", "tasks": 2, "io": {"mode": "sleep", "sleep_ms": 1.0}, "payload_kib": 256
    }}));
    // End of input: the driver closes its cluster and exits; killed if it does not.
    driver.close();
    assert_eq!(started["op"], "started", "{started}");
    assert_eq!(done["op"], "done", "{done}");
    let untimed = done["untimed_cpu_s"].as_f64();
    assert!(untimed.is_some_and(|s| s > 0.0), "{done}");
    assert!(done["untimed_minor_faults"].as_u64().is_some(), "{done}");
}

/// A Dask scheduler with three workers, started apart (like a cluster someone else runs);
/// killed when dropped.
struct ExternalDask {
    child: Child,
    address: String,
    /// The workers' addresses, sorted (the order corelab takes the first N of).
    workers: Vec<String>,
}

impl ExternalDask {
    fn start(python: &str) -> ExternalDask {
        let code = "import sys, time\n\
            from dask.distributed import LocalCluster\n\
            c = LocalCluster(n_workers=3, threads_per_worker=1, host='127.0.0.1', dashboard_address='127.0.0.1:0')\n\
            print(c.scheduler_address, flush=True)\n\
            print(' '.join(sorted(w.worker_address for w in c.workers.values())), flush=True)\n\
            sys.stdin.read()\n\
            c.close()\n";
        let mut child = Command::new(python)
            .args(["-I", "-c", code])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (mut line, mut workers) = (String::new(), String::new());
        out.read_line(&mut line).unwrap();
        out.read_line(&mut workers).unwrap();
        ExternalDask {
            child,
            address: line.trim().to_string(),
            workers: workers.split_whitespace().map(str::to_string).collect(),
        }
    }
}

impl Drop for ExternalDask {
    fn drop(&mut self) {
        // Closing stdin lets it close its cluster; kill it if it does not.
        drop(self.child.stdin.take());
        for _ in 0..100 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// How many tasks each worker of a Dask cluster had run when corelab's Dask driver
/// (`corelab_cluster.py dask`, spoken to as corelab does) had started on `workers` of them
/// (its embedded cluster for an empty `scheduler`), before any run: `(the chosen workers,
/// {address: tasks run})` of every worker of the cluster, as a client of its own asks them.
fn tasks_run_at_start(
    python: &str,
    workers: usize,
    scheduler: &str,
) -> (Vec<String>, std::collections::BTreeMap<String, u64>) {
    let mut driver = PythonScript::start(python, &["-I", "-u", "corelab_cluster.py", "dask"]);
    let started = driver.ask_json(serde_json::json!({
        "op": "start", "model": "dask", "workers": workers, "scheduler": scheduler
    }));
    assert_eq!(started["op"], "started", "{started}");
    let cluster = &started["cluster"];
    let address = cluster["scheduler"].as_str().unwrap().to_string();
    let chosen: Vec<String> = cluster["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["address"].as_str().unwrap().to_string())
        .collect();
    let count = "import json, sys\n\
        from dask.distributed import Client\n\
        with Client(sys.argv[1], timeout='30s') as c:\n\
        \x20   print(json.dumps(c.run(lambda dask_worker: dask_worker.state.executed_count)))\n";
    let out = Command::new("timeout")
        .args(["60", python, "-I", "-c", count, &address])
        .output()
        .unwrap();
    driver.close();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (chosen, serde_json::from_str(stdout.trim()).unwrap())
}

/// Dask's warm-up runs one no-op unit on each chosen worker, tied to its address, so that no
/// worker's first task is a timed one: on the embedded cluster every worker has run exactly one
/// task before the first run; on an existing cluster, each of the N chosen workers has, and the
/// others none.
#[test]
fn dask_warms_up_every_chosen_worker_once_before_any_run() {
    let python = require_cluster!("dask_warms_up_every_chosen_worker_once_before_any_run");
    let _g = exclusive();
    let (chosen, ran) = tasks_run_at_start(&python, 3, "");
    assert_eq!(chosen.len(), 3, "{chosen:?}");
    assert_eq!(ran.keys().cloned().collect::<Vec<_>>(), chosen);
    assert!(ran.values().all(|&n| n == 1), "one warm-up each: {ran:?}");

    let external = ExternalDask::start(&python);
    let (chosen, ran) = tasks_run_at_start(&python, 2, &external.address);
    assert_eq!(chosen, external.workers[..2], "the first 2 by address");
    assert_eq!(ran.len(), 3, "{ran:?}");
    for (address, n) in &ran {
        let expected = u64::from(chosen.contains(address));
        assert_eq!(*n, expected, "{address}: {ran:?}");
    }
}

#[test]
fn dask_on_an_existing_cluster_uses_n_of_its_workers_and_records_them() {
    let python =
        require_cluster!("dask_on_an_existing_cluster_uses_n_of_its_workers_and_records_them");
    let _g = exclusive();
    let external = ExternalDask::start(&python);
    assert!(
        external.address.starts_with("tcp://"),
        "{}",
        external.address
    );
    let mut exp = experiment(&python, TaskKind::Cpu, ModelKind::PyDask, &[1, 2]);
    exp.python.dask_scheduler = external.address.clone();
    let r = sweep(&exp);
    assert_checksums_match(&r, ModelKind::PyDask, "external cluster");
    for workers in [1, 2] {
        let cluster = r
            .cell(ModelKind::PyDask, workers)
            .unwrap()
            .cluster
            .clone()
            .unwrap();
        assert!(!cluster.embedded);
        assert_eq!(cluster.scheduler, external.address);
        assert_eq!(cluster.workers.len(), workers, "restricted to N workers");
        assert!(
            cluster
                .workers
                .iter()
                .all(|w| w.host == "127.0.0.1" && w.threads == 1 && w.memory_bytes > 0),
            "{cluster:?}"
        );
    }
    // The results file keeps the workers.
    let text = r.to_json();
    let back = ResultsFile::from_json(&text, "test").unwrap();
    assert_eq!(
        back.cell(ModelKind::PyDask, 2).unwrap().cluster,
        r.cell(ModelKind::PyDask, 2).unwrap().cluster
    );

    // Asking for more workers than the cluster has fails that cell, saying so.
    let mut exp = experiment(&python, TaskKind::Cpu, ModelKind::PyDask, &[4]);
    exp.python.dask_scheduler = external.address.clone();
    let r = sweep(&exp);
    let cell = r.cell(ModelKind::PyDask, 4).unwrap();
    assert_eq!(cell.status, CellStatus::Failed);
    assert!(
        cell.error.as_deref().unwrap().contains("has 3 workers"),
        "{:?}",
        cell.error
    );
}

/// Writes an executable "interpreter" that answers the version probe like a CPython without
/// dask and mpi4py, and fails anything else.
fn plain_python(dir: &std::path::Path) -> String {
    let path = dir.join("plainpy");
    corelab::safe_fs::write_executable(
        &path,
        "#!/bin/sh\nif [ \"$2\" = -c ]; then\n  echo '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n  exit 0\nfi\necho 'not a worker' >&2\nexit 3\n",
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn an_interpreter_without_the_engines_reports_them_unavailable_with_the_install_command() {
    // It starts processes: not beside a test that counts this process's children.
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let python = plain_python(dir.path());
    let mut exp = Experiment {
        models: vec![ModelKind::PyDask],
        ..Experiment::default()
    };
    exp.python.interpreter = python.clone();

    // The probe: both engines unavailable, each with its install command.
    let info = corelab::engine::interpreter::probe(&exp.python).unwrap();
    assert_eq!(info.dask, None);
    assert_eq!(info.mpi4py, None);
    let engines = info.cluster_engines();
    assert_eq!(engines.len(), 2);
    let dask = engines[0].1.as_ref().unwrap_err();
    assert!(
        dask.contains(DASK_INSTALL) && dask.contains(&python),
        "{dask}"
    );
    let mpi = engines[1].1.as_ref().unwrap_err();
    assert!(mpi.contains(MPI_INSTALL), "{mpi}");

    // `corelab run`'s preflight refuses it with the reason.
    for (model, install) in [
        (ModelKind::PyDask, DASK_INSTALL),
        (ModelKind::PyMpi, MPI_INSTALL),
    ] {
        exp.models = vec![model];
        match preflight(&exp) {
            Err(EngineError::InterpreterRefused(reason)) => {
                assert!(reason.contains(install), "{reason}")
            }
            other => panic!("{model}: expected a refusal, got {other:?}"),
        }
    }

    // A sweep run anyway fails those cells with the reason, and the others still run.
    let mut exp = tiny_experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::PyDask, ModelKind::PyMpi],
        &[1],
    );
    exp.python.interpreter = python;
    let r = sweep(&exp);
    assert_eq!(
        r.cell(ModelKind::Sequential, 1).unwrap().status,
        CellStatus::Ok
    );
    for (model, install) in [
        (ModelKind::PyDask, DASK_INSTALL),
        (ModelKind::PyMpi, MPI_INSTALL),
    ] {
        let cell = r.cell(model, 1).unwrap();
        assert_eq!(cell.status, CellStatus::Failed);
        assert!(
            cell.error.as_deref().unwrap().contains(install),
            "{:?}",
            cell.error
        );
    }
}

#[test]
fn corelab_run_names_the_missing_engine_and_its_install_command() {
    // It starts processes: not beside a test that counts this process's children.
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let python = plain_python(dir.path());
    let preset = dir.path().join("dask.json");
    std::fs::write(
        &preset,
        format!(
            r#"{{"version": 1, "name": "dask missing", "task": {{"kind": "cpu", "tasks": 4, "cpu": {{"size": 1000}}}},
                "workers": [1], "models": ["py-dask"], "repetitions": 1, "warmups": 0,
                "python": {{"interpreter": "{python}"}}}}"#
        ),
    )
    .unwrap();
    let out = Command::new(corelab_exe())
        .arg("run")
        .arg(&preset)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("py-dask needs dask.distributed"),
        "{stderr}"
    );
    assert!(stderr.contains(DASK_INSTALL), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn selftest_reports_the_dispatch_of_each_engine_or_why_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let plain = corelab::preset::PythonOptions {
        interpreter: plain_python(dir.path()),
        ..Default::default()
    };
    let rows = corelab::engine::selftest::run_python_selftest(&plain, 1);
    let models: Vec<ModelKind> = rows.iter().map(|(m, _)| *m).collect();
    assert_eq!(
        models,
        [
            ModelKind::PyMultiprocessing,
            ModelKind::PyDask,
            ModelKind::PyMpi
        ]
    );
    // The fake passes the probe but cannot run a worker; the engines are missing.
    assert!(rows[0].1.is_err());
    assert!(rows[1].1.as_ref().unwrap_err().contains(DASK_INSTALL));
    assert!(rows[2].1.as_ref().unwrap_err().contains(MPI_INSTALL));

    let python = require_cluster!("selftest_reports_the_dispatch_of_each_engine_or_why_it_cannot");
    let _g = exclusive();
    let real = corelab::preset::PythonOptions {
        interpreter: python,
        ..Default::default()
    };
    for (model, outcome) in corelab::engine::selftest::run_python_selftest(&real, 2) {
        let row = outcome.unwrap_or_else(|e| panic!("{model}: {e}"));
        assert_eq!(row.what, format!("dispatch per task: {model} × 2"));
        assert!(row.median_us.is_finite() && row.median_us > 0.0, "{row:?}");
        assert!(row.min_us <= row.median_us && row.median_us <= row.max_us);
    }
}

#[test]
fn corelab_run_shows_the_dask_dashboard_while_the_cells_run() {
    let python = require_cluster!("corelab_run_shows_the_dask_dashboard_while_the_cells_run");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("dask.json");
    std::fs::write(
        &preset,
        format!(
            r#"{{"version": 1, "name": "dask here", "task": {{"kind": "cpu", "tasks": 4, "cpu": {{"size": 1000}}}},
                "workers": [1], "models": ["py-dask", "py-mpi"], "repetitions": 2, "warmups": 0,
                "baseline": "same-model-one-worker", "python": {{"interpreter": "{python}"}}}}"#
        ),
    )
    .unwrap();
    let out = Command::new(corelab_exe())
        .arg("run")
        .arg(&preset)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let dask = stderr
        .lines()
        .find(|l| l.contains("py-dask × 1: dask at tcp://"))
        .unwrap_or_else(|| panic!("no cluster line: {stderr}"));
    assert!(
        dask.contains("1 workers on 1 host (dashboard http"),
        "{dask}"
    );
    assert!(
        stderr.lines().any(|l| l.contains("py-mpi × 1: mpi at ")),
        "{stderr}"
    );
}

#[test]
fn a_python_function_runs_on_dask_and_mpi_with_the_threads_checksum() {
    let python =
        require_cluster!("a_python_function_runs_on_dask_and_mpi_with_the_threads_checksum");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "def work(n):\n    return [i * i for i in range(n)][-1] + n\n",
    );
    let preset = Experiment::from_json(
        &format!(
            r#"{{"version": 1, "name": "function on clusters",
                "task": {{"kind": "function", "function": {{"file": {file:?}, "name": "work", "args": [10, 20, 30, 40, 50]}}}},
                "workers": [1, 2], "models": ["py-threading", "py-dask", "py-mpi"],
                "baseline": "same-model-one-worker", "repetitions": 1, "warmups": 0,
                "timeout_s": 120, "python": {{"interpreter": {python:?}}}}}"#,
            file = module.to_str().unwrap(),
        ),
    )
    .unwrap();
    let r = sweep(&preset);
    assert_all_ok(&r);
    let threads = r
        .cell(ModelKind::PyThreading, 1)
        .unwrap()
        .checksum()
        .unwrap();
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        for w in [1, 2] {
            let c = r.cell(model, w).unwrap();
            assert_eq!(c.checksum(), Some(threads), "{model} × {w}");
        }
    }
}

/// `task.payload_kib` on a cluster: every unit's input travels to its worker or rank and its
/// output comes back (the worker script checks the output's size and fails the run otherwise),
/// and the answer is the Rust one.
#[test]
fn cluster_units_carry_the_payload() {
    let python = require_cluster!("cluster_units_carry_the_payload");
    let _g = exclusive();
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        let mut exp = experiment(&python, TaskKind::Cpu, model, &[2]);
        exp.task.cpu.kernel = CpuKernel::HashChain;
        exp.task.payload_kib = 16;
        exp.repetitions = 1;
        let r = sweep(&exp);
        assert_checksums_match(&r, model, &format!("{model} with a 16 KiB payload"));
    }
}

/// What a Dask worker receives of a unit's payload, as the unit itself reports it: `bytes` as
/// large as the task's input (not text to decode), and what it sends back is `bytes` as large;
/// the driver's check refuses a unit that received anything else, naming it. Runs the driver's
/// own functions on a one-process Dask cluster; no timing.
#[test]
fn a_dask_worker_receives_and_returns_the_payload_as_bytes() {
    let python = require_cluster!("a_dask_worker_receives_and_returns_the_payload_as_bytes");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("payload_types.py");
    std::fs::write(
        &script,
        r#"import sys
sys.path.insert(0, sys.argv[1])
import corelab_cluster as cc
from dask.distributed import Client, LocalCluster

def main():
    task = {"kind": "cpu", "tasks": 3, "cpu": {"size": 1}, "payload_kib": 16}
    items, payloads = cc.items_of(task)
    assert all(type(p) is bytes for p in payloads), [type(p) for p in payloads]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        out = client.gather(client.map(cc.dask_unit, items, payloads, pure=False))
    for unit, result in enumerate(out):
        kind, length, data = result[2]
        print("unit", unit, "received", kind, length, "returned", type(data).__name__, len(data))
        cc.check_output(task, unit, result[2])
    try:
        cc.check_output(task, 0, ("str", 16384, b"x" * 16384))
    except RuntimeError as exc:
        print("refused:", exc)

if __name__ == "__main__":
    main()
"#,
    )
    .unwrap();
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/python");
    let out = Command::new("timeout")
        .arg("120")
        .arg(&python)
        .arg(&script)
        .arg(assets)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for unit in 0..3 {
        assert!(
            stdout.contains(&format!(
                "unit {unit} received bytes 16384 returned bytes 16384"
            )),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(
            "refused: unit 0 received its input as str of length 16384, expected bytes of length 16384"
        ),
        "{stdout}"
    );
}

/// The user's module is imported during the cell's start-up by the driver and by every Dask
/// worker / every MPI rank, timed apart as `import_s`, and never in a run (before: each worker
/// imported it inside the timed runs, a Dask worker on every unit).
#[test]
fn dask_and_mpi_import_the_module_everywhere_at_start_up() {
    let python = require_cluster!("dask_and_mpi_import_the_module_everywhere_at_start_up");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("events.log");
    let module = work_module(dir.path(), COUNTING_MODULE);
    let what = |events: &[(String, u32)]| -> Vec<String> {
        events.iter().map(|(what, _)| what.clone()).collect()
    };
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        let _ = std::fs::remove_file(&log);
        let mut exp = function_on_clusters(&python, &module, "work");
        exp.models = vec![model];
        let workers = 2;
        let seen = start_and_run(&exp, model, workers, 2, dir.path());
        let started = what(&seen.at_start_up);
        assert_eq!(
            started,
            vec!["import"; workers + 1],
            "{model}: the driver and each worker imported once during start-up"
        );
        let importers = importing_processes(&seen.at_start_up);
        assert_eq!(
            importers.len(),
            workers + 1,
            "{model}: each import in a process of its own: {importers:?}"
        );
        let import = seen.import.expect("the import is timed apart");
        assert!(import <= seen.startup, "{model}: part of the start-up");
        let after = what(&seen.at_the_end);
        assert_eq!(
            after[started.len()..],
            vec!["call"; 10],
            "{model}: 2 runs of 5 calls, no import: {after:?}"
        );
    }
}

/// A module that fails to import on the cluster fails the first cell's start-up, told once;
/// no other cell is started for it.
#[test]
fn a_module_that_fails_to_import_stops_every_cluster_cell_at_start_up() {
    let python =
        require_cluster!("a_module_that_fails_to_import_stops_every_cluster_cell_at_start_up");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(dir.path(), "def work(n)\n    return n\n");
    let mut exp = function_on_clusters(&python, &module, "work");
    exp.models = vec![ModelKind::PyDask, ModelKind::PyMpi];
    let r = sweep(&exp);
    let first = &r.cells[0];
    let err = first.error.as_deref().unwrap();
    assert!(
        err.starts_with("Python failed while importing work.py:") && err.contains("SyntaxError"),
        "{err}"
    );
    assert_eq!(
        r.cells[1].error.as_deref(),
        Some(
            format!(
                "not run: the same code failed in {} × {} (SyntaxError: expected ':')",
                first.model_id(),
                first.workers
            )
            .as_str()
        )
    );
    assert_eq!(r.cells[1].startup_s, None, "never started");
}

/// A module that imports in the driver but raises in every other process (a pool process, a
/// Dask worker, an MPI rank: here it checks the process name and the MPI rank) fails the
/// start-up of the models with a pool only, naming where it failed and why, told once; the
/// model that imports it in the interpreter alone (py-threading) is measured. Before, the
/// first pool's failure stopped every model, py-threading included.
#[test]
fn a_module_that_fails_only_in_the_pool_stops_those_models_only() {
    let python = require_cluster!("a_module_that_fails_only_in_the_pool_stops_those_models_only");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "import multiprocessing, os\n\nif multiprocessing.current_process().name != 'MainProcess' \\\n        or os.environ.get('OMPI_COMM_WORLD_RANK', '0') != '0':\n    raise RuntimeError('only importable in the driver')\n\ndef work(n):\n    return n * n\n",
    );
    let mut exp = function_on_clusters(&python, &module, "work");
    exp.models = vec![
        ModelKind::PyThreading,
        ModelKind::PyMultiprocessing,
        ModelKind::PyDask,
        ModelKind::PyMpi,
    ];
    // Cells × 1 (the baseline) and × 2 of each model.
    let r = sweep(&exp);
    for workers in [1, 2] {
        let threads = r.cell(ModelKind::PyThreading, workers).unwrap();
        assert_eq!(threads.status, CellStatus::Ok, "{:?}", threads.error);
        assert!(!threads.samples.is_empty());
    }
    let pool = r.cell(ModelKind::PyMultiprocessing, 1).unwrap();
    let err = pool.error.as_deref().unwrap();
    assert!(
        err.starts_with(
            "Python failed while importing work.py: the interpreter corelab started imported it, but the pool process "
        ) && err.ends_with("RuntimeError: only importable in the driver")
            && err.contains("line 5, in <module>"),
        "{err}"
    );
    // The same exception from the same frame: told once, the other models point at it.
    let pid = err
        .split("the pool process ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap();
    let origin = format!(
        "py-multiprocessing × 1 (RuntimeError: only importable in the driver, in the pool process {pid})"
    );
    let not_run = format!("not run: the same code failed in {origin}");
    assert_eq!(
        r.cell(ModelKind::PyMultiprocessing, 2).unwrap().error,
        Some(not_run.clone())
    );
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        // Its first cell met the same fault; its second was not started.
        let c = r.cell(model, 1).unwrap();
        assert_eq!(c.status, CellStatus::Failed, "{model}");
        assert_eq!(
            c.error.as_deref(),
            Some(format!("failed with the same fault as {origin}").as_str()),
            "{model}"
        );
        assert_eq!(r.cell(model, 2).unwrap().error, Some(not_run.clone()));
    }
    // Alone, each cluster model names its own worker or rank.
    for (model, says) in [
        (
            ModelKind::PyDask,
            "the driver imported it, but the Dask worker tcp://127.0.0.1:",
        ),
        (
            ModelKind::PyMpi,
            "the driver imported it, but MPI rank 1 could not:\nTraceback",
        ),
    ] {
        let mut alone = exp.clone();
        alone.models = vec![ModelKind::PyThreading, model];
        let r = sweep(&alone);
        assert_eq!(
            r.cell(ModelKind::PyThreading, 2).unwrap().status,
            CellStatus::Ok
        );
        let err = r.cell(model, 1).unwrap().error.clone().unwrap();
        assert!(
            err.contains(says) && err.ends_with("RuntimeError: only importable in the driver"),
            "{model}: {err}"
        );
    }
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
}

/// What the user's function prints on a Dask worker or an MPI rank (print(), fd 1) goes to
/// stderr, not into the protocol (under mpiexec every rank's stdout is forwarded to corelab);
/// the results come back to the driver, which hashes them after the timed region (the
/// answer's repr notes the process and the worker's `TIMING` seam).
#[test]
fn a_printing_function_runs_on_dask_and_mpi_and_is_hashed_by_the_driver() {
    let python =
        require_cluster!("a_printing_function_runs_on_dask_and_mpi_and_is_hashed_by_the_driver");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    let module = work_module(
        dir.path(),
        format!(
            "\
import os, sys

class Answer:
    def __init__(self, n):
        self.n = n
    def __repr__(self):
        worker = sys.modules.get('corelab_worker') or sys.modules['__main__']
        with open({notes:?}, 'a') as f:
            f.write('%d %s\\n' % (os.getpid(), worker.TIMING['now']))
        return 'Answer(%d)' % self.n

def chatty(n):
    for i in range(2000):
        print('progress', n, i)
    print('{{\"op\": \"done\"}}')
    sys.stdout.flush()
    os.write(1, b'straight to fd 1\\n')
    return Answer(n)
",
            notes = notes.to_str().unwrap()
        ),
    );
    let r = sweep(&function_on_clusters(&python, &module, "chatty"));
    assert_all_ok(&r);
    let threads = r.cell(ModelKind::PyThreading, 2).unwrap().checksum();
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        assert_eq!(r.cell(model, 2).unwrap().checksum(), threads, "{model}");
    }
    // Per cell, one process (the driver) hashed all five answers, outside the timed region.
    let text = std::fs::read_to_string(&notes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // (Three models, with their one-worker baselines.)
    assert!(lines.len() >= 15 && lines.len().is_multiple_of(5), "{text}");
    for cell in lines.chunks(5) {
        let pid = cell[0].split(' ').next().unwrap();
        for line in cell {
            assert_eq!(*line, format!("{pid} False"), "{text}");
        }
    }
}

/// An exception in the user's function on an MPI rank fails the cell with its traceback, as
/// on Dask (before: the rank died silently and the cell timed out). Both meet the same fault:
/// it is told once, by the first, with the traceback; the other points at it.
#[test]
fn a_raising_function_fails_dask_and_mpi_cells_with_its_traceback() {
    let python = require_cluster!("a_raising_function_fails_dask_and_mpi_cells_with_its_traceback");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "import sys\n\ndef raises(n):\n    if n == 3:\n        raise ValueError('bad value %r' % n)\n    return n\n\ndef exits(n):\n    if n == 3:\n        sys.exit(3)\n    return n\n",
    );
    for (name, says) in [
        ("raises", "ValueError: bad value 3"),
        ("exits", "task 2: exits(3) raised SystemExit(3)"),
    ] {
        let mut exp = function_on_clusters(&python, &module, name);
        exp.timeout_s = 600.0;
        exp.models = vec![ModelKind::PyDask, ModelKind::PyMpi];
        let started = std::time::Instant::now();
        let r = sweep(&exp);
        let mut told = Vec::new();
        assert_eq!(r.cells.len(), 4, "{name}");
        for c in &r.cells {
            let model = c.model.unwrap();
            assert_eq!(c.status, CellStatus::Failed, "{name} on {model}");
            let err = c.error.as_deref().unwrap();
            if err.contains("Traceback") {
                assert!(err.contains(says), "{name} on {model}: {err}");
                assert!(
                    !err.contains("corelab_worker.py") && !err.contains("<dynamic-code>"),
                    "the user's frames only: {err}"
                );
                told.push(model);
            } else {
                assert!(
                    err.starts_with("failed with the same fault as py-")
                        || err.starts_with("not run: the same code failed in py-"),
                    "{name} on {model}: {err}"
                );
            }
        }
        assert_eq!(told.len(), 1, "{name}: told once: {:?}", r.cells);
        // Each on its own tells it whole.
        for model in [ModelKind::PyDask, ModelKind::PyMpi] {
            let mut alone = exp.clone();
            alone.models = vec![model];
            alone.workers = vec![1];
            let err = sweep(&alone).cell(model, 1).unwrap().error.clone().unwrap();
            assert!(
                err.contains(says) && err.contains("Traceback"),
                "{name} on {model}: {err}"
            );
        }
        // Not a timeout: far below the 600 s limit.
        assert!(started.elapsed().as_secs() < 300, "{name}");
    }
}

/// An embedded Dask cluster keeps its scratch space in the cell's private scratch directory,
/// removed with it: nothing is left in $TMPDIR (before: `dask-scratch-space`, mode 755).
#[test]
fn dask_leaves_nothing_in_the_temporary_directory() {
    let python = require_cluster!("dask_leaves_nothing_in_the_temporary_directory");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let preset = dir.path().join("dask.json");
    std::fs::write(
        &preset,
        format!(
            r#"{{"version": 1, "name": "dask scratch", "task": {{"kind": "cpu", "tasks": 4, "cpu": {{"size": 1000}}}},
                "workers": [1], "models": ["py-dask"], "repetitions": 1, "warmups": 0, "timeout_s": 120,
                "python": {{"interpreter": {python:?}}}}}"#
        ),
    )
    .unwrap();
    let out = Command::new(corelab_exe())
        .arg("run")
        .arg(&preset)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
}

/// A Dask worker or an MPI rank that exits in the user's function (`os._exit`, as a crash or
/// a kill would on Dask) fails the cell naming the task it was running and its argument, as
/// the process pool does ("a pool process died (exit status 7) while running hard_exit(3)");
/// before, Dask waited for the lost worker and MPI's job ended without naming the task.
#[test]
fn a_dask_worker_or_mpi_rank_that_dies_fails_the_cell_naming_its_task() {
    let python =
        require_cluster!("a_dask_worker_or_mpi_rank_that_dies_fails_the_cell_naming_its_task");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "import os\n\ndef hard_exit(n):\n    if n == 3:\n        os._exit(7)\n    return n\n",
    );
    let mut exp = function_on_clusters(&python, &module, "hard_exit");
    exp.timeout_s = 600.0;
    exp.models = vec![ModelKind::PyDask, ModelKind::PyMpi];
    let started = std::time::Instant::now();
    let r = sweep(&exp);
    for (model, says) in [
        (
            ModelKind::PyDask,
            "task 2: a Dask worker died (on each of 4 workers it was tried on) while running hard_exit(3)",
        ),
        (
            ModelKind::PyMpi,
            "called os._exit(7) while running hard_exit(3)",
        ),
    ] {
        let c = r.cell(model, 2).unwrap();
        assert_eq!(c.status, CellStatus::Failed, "{model}");
        let err = c.error.as_deref().unwrap();
        assert!(err.contains(says), "{model}: {err}");
        if model == ModelKind::PyMpi {
            assert!(err.contains("task 2: an MPI rank (rank "), "{err}");
        }
    }
    assert!(started.elapsed().as_secs() < 300, "not a timeout");
    // The embedded cluster's scheduler, nannies and workers, mpiexec and its ranks: all gone.
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
}

/// On an existing Dask cluster a chosen worker that dies mid-run (here a task that ends its
/// own worker, on one known worker) fails the cell at once, naming the worker's address, that
/// the scheduler removed it, and what to do; the cell that did not use that worker keeps its
/// result, and the driver is gone after. Before, the tasks waited for the dead worker (Dask's
/// `no-worker` state) until the cell's timeout.
#[test]
fn a_lost_worker_of_an_existing_dask_cluster_fails_the_cell_at_once_naming_it() {
    let python = require_cluster!(
        "a_lost_worker_of_an_existing_dask_cluster_fails_the_cell_at_once_naming_it"
    );
    let _g = exclusive();
    let external = ExternalDask::start(&python);
    assert_eq!(external.workers.len(), 3, "{:?}", external.workers);
    // The 1-worker cell uses workers[0] only; the 2-worker cell uses workers[0] and [1], and
    // each idle worker gets one of the first tasks: every task on workers[1] ends it.
    let victim = &external.workers[1];
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        format!(
            "import os\nfrom distributed import get_worker\n\ndef die_on_one(n):\n    if get_worker().address == {victim:?}:\n        os._exit(7)\n    return n\n"
        ),
    );
    let mut exp = function_on_clusters(&python, &module, "die_on_one");
    exp.models = vec![ModelKind::PyDask];
    exp.workers = vec![1, 2];
    exp.timeout_s = 600.0;
    exp.python.dask_scheduler = external.address.clone();
    let started = std::time::Instant::now();
    let r = sweep(&exp);
    let elapsed = started.elapsed();

    let one = r.cell(ModelKind::PyDask, 1).unwrap();
    assert_eq!(one.status, CellStatus::Ok, "{:?}", one.error);
    assert_eq!(one.samples.len(), 1, "the earlier cell keeps its run");
    let two = r.cell(ModelKind::PyDask, 2).unwrap();
    assert_eq!(two.status, CellStatus::Failed);
    let err = two.error.as_deref().unwrap();
    assert!(
        err.contains(&format!("the Dask worker {victim} was lost")),
        "{err}"
    );
    assert!(err.contains("die_on_one("), "names its task: {err}");
    assert!(
        err.contains(&format!("the scheduler {} removed it", external.address)),
        "{err}"
    );
    assert!(err.contains("see that worker's log"), "{err}");
    assert!(!err.contains("RuntimeError"), "{err}");
    // Prompt: far below the 600 s timeout (the cluster start-ups take a few seconds).
    assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
    let left = leftovers(Some(external.child.id()));
    assert!(left.is_empty(), "still running: {left:?}");
}

/// Runs `function` of `source` (whose rank dies on its task for 3) on py-mpi × 2, and checks
/// that the cell failed promptly with an error that starts "MPI rank 1 `died`" or "MPI rank 2
/// `died`" and says `says`, and that mpiexec and every rank are gone after.
fn assert_an_mpi_rank_death_is_named(
    python: &str,
    source: &str,
    function: &str,
    died: &str,
    says: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(dir.path(), source);
    let mut exp = function_on_clusters(python, &module, function);
    exp.models = vec![ModelKind::PyMpi];
    exp.timeout_s = 600.0;
    let started = std::time::Instant::now();
    let r = sweep(&exp);
    let c = r.cell(ModelKind::PyMpi, 2).unwrap();
    assert_eq!(c.status, CellStatus::Failed);
    let err = c.error.as_deref().unwrap();
    assert!(
        [format!("MPI rank 1 {died}"), format!("MPI rank 2 {died}")]
            .iter()
            .any(|s| err.starts_with(s)),
        "{err}"
    );
    assert!(err.contains(says), "{err}");
    assert!(started.elapsed().as_secs() < 60, "not a timeout");
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
}

/// An MPI rank killed by a signal (here a task that SIGKILLs its own rank) fails the cell
/// naming the rank, the signal and the task it was running, as corelab names the signal that kills its own worker
/// processes; mpiexec and every rank are gone after. Before, the error only quoted Open MPI's
/// output.
#[test]
fn an_mpi_rank_killed_by_a_signal_is_named_with_its_signal() {
    let python = require_cluster!("an_mpi_rank_killed_by_a_signal_is_named_with_its_signal");
    let _g = exclusive();
    assert_an_mpi_rank_death_is_named(
        &python,
        "import os, signal\n\ndef killed(n):\n    if n == 3:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return n\n",
        "killed",
        "was killed",
        // A function task's run is named by its function and module, and the task the rank
        // was computing as rank 0 recorded it (before, only the rank).
        "was killed by signal 9 (SIGKILL) while running killed from work.py, in task 2: killed(3), and the launcher",
    );
}

/// An MPI rank that exits around corelab's `os._exit` hook (`posix._exit`, as a C extension's
/// `exit()` would) cannot tell rank 0, and the launcher aborts the job: the cell names the
/// rank, its exit status and the task rank 0 had given it. Before, only Open MPI's output.
#[test]
fn an_mpi_rank_that_exits_unannounced_is_named_with_its_task() {
    let python = require_cluster!("an_mpi_rank_that_exits_unannounced_is_named_with_its_task");
    let _g = exclusive();
    assert_an_mpi_rank_death_is_named(
        &python,
        "import posix\n\ndef bypass(n):\n    if n == 3:\n        posix._exit(7)\n    return n\n",
        "bypass",
        "exited",
        "exited with status 7 while running bypass from work.py, in task 2: bypass(3), and the launcher",
    );
}

/// A cell that times out (a function that would sleep for two minutes, against a 2 s limit)
/// leaves no driver, embedded Dask scheduler or worker, mpiexec or rank behind: the driver's
/// process group is killed with everything it started.
#[test]
fn a_cluster_cell_that_times_out_leaves_no_process_behind() {
    let python = require_cluster!("a_cluster_cell_that_times_out_leaves_no_process_behind");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "import time\n\ndef hangs(n):\n    time.sleep(120)\n    return n\n",
    );
    let mut exp = function_on_clusters(&python, &module, "hangs");
    exp.models = vec![ModelKind::PyDask, ModelKind::PyMpi];
    exp.workers = vec![1];
    exp.timeout_s = 2.0;
    let r = sweep(&exp);
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        let c = r.cell(model, 1).unwrap();
        assert_eq!(c.status, CellStatus::Failed, "{model}");
        let err = c.error.as_deref().unwrap();
        assert!(err.contains("2 s timeout"), "{model}: {err}");
    }
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
}

/// Open MPI keeps a session directory (`ompi.HOST.UID/pid.N`, several megabytes, under a
/// predictable name) in the temporary directory, and removes it only when its launcher ends
/// cleanly. A cell stopped at its timeout (the launcher killed) used to leave one behind each
/// time. corelab now puts it in the cell's private scratch directory, which goes when the cell
/// ends: a sweep whose MPI cells time out leaves nothing in the temporary directory.
#[test]
fn an_mpi_cell_leaves_nothing_in_the_temporary_directory() {
    let python = require_cluster!("an_mpi_cell_leaves_nothing_in_the_temporary_directory");
    let _g = exclusive();
    assert_timed_out_mpi_cells_leave_nothing(&python, |_, _| {});
}

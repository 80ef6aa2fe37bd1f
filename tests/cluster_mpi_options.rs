#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `py-mpi`'s launcher options run for real: `mpi.hostfile` (a hostfile naming this machine)
//! and `mpi.extra_args` (ones Open MPI accepts, and one it refuses), and a hostfile that is not
//! there. Each needs the interpreter with mpi4py and Open MPI's `mpiexec` that `.ci/run` names
//! in `CORELAB_CLUSTER_PYTHON`; without it each test prints `skipped: …` (never a silent
//! pass).

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use common::cluster::{
    assert_checksums_match, assert_timed_out_mpi_cells_leave_nothing, corelab_run, experiment,
    function_on_clusters, leftovers, work_module,
};
use common::*;
use corelab::engine::{EngineError, preflight};
use corelab::preset::{Experiment, ModelKind, TaskKind};
use corelab::results::{CellStatus, ResultsFile};

/// A hostfile in `dir` that gives this machine, as `host`, eight slots.
fn hostfile(dir: &Path, host: &str) -> PathBuf {
    let path = dir.join("hosts");
    std::fs::write(&path, format!("{host} slots=8\n")).unwrap();
    path
}

/// This machine's name, as every rank reports it (Python's `socket.gethostname()`).
fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

/// `py-mpi` at `workers`, beside the sequential baseline, with few small CPU tasks.
fn small_mpi(python: &str, workers: &[usize]) -> Experiment {
    let mut exp = experiment(python, TaskKind::Cpu, ModelKind::PyMpi, workers);
    exp.task.tasks = 4;
    exp.repetitions = 1;
    exp
}

/// What `corelab run` left in its temporary directory `tmp`, besides the lock folder of
/// `--out` (which stays by design, see `cli/out_lock.rs`).
fn left_in_tmp(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("corelab-locks-"))
        .collect()
}

/// A sweep whose ranks are placed by a hostfile naming this machine (as `localhost` and as
/// `127.0.0.1`) runs at one and two workers with the Rust kernels' checksums; the results
/// record the hostfile (in the experiment) and each rank and its host (in the cell's
/// cluster); and mpiexec and every rank are gone after.
#[test]
fn mpi_placed_by_a_hostfile_matches_the_rust_checksums_and_records_it() {
    let python =
        require_cluster!("mpi_placed_by_a_hostfile_matches_the_rust_checksums_and_records_it");
    let _g = exclusive();
    for (host, workers) in [("localhost", &[1, 2][..]), ("127.0.0.1", &[2][..])] {
        let dir = tempfile::tempdir().unwrap();
        let hosts = hostfile(dir.path(), host);
        let mut exp = small_mpi(&python, workers);
        exp.mpi.hostfile = hosts.to_str().unwrap().to_string();
        let r = sweep(&exp);
        assert_checksums_match(&r, ModelKind::PyMpi, host);
        assert_eq!(r.experiment.mpi.hostfile, exp.mpi.hostfile, "{host}");
        for &n in workers {
            let cluster = r.cell(ModelKind::PyMpi, n).unwrap().cluster.clone();
            let cluster = cluster.expect("the cluster is recorded");
            assert_eq!(cluster.engine, "mpi");
            assert!(cluster.scheduler.starts_with("Open MPI"), "{cluster:?}");
            // Every rank runs here, under this machine's name whatever the hostfile calls it.
            let ranks: Vec<(String, String)> = cluster
                .workers
                .iter()
                .map(|w| (w.address.clone(), w.host.clone()))
                .collect();
            let expected: Vec<(String, String)> = (1..=n)
                .map(|r| (format!("rank {r}"), this_host()))
                .collect();
            assert_eq!(ranks, expected, "{host}");
        }
        let left = leftovers(None);
        assert!(left.is_empty(), "{host}: still running: {left:?}");
    }
}

/// A relative `mpi.hostfile` is the one beside the preset, as a relative module or
/// interpreter is: `corelab run`, started elsewhere, records it as an absolute path and the
/// sweep runs. Before, the launcher (which runs in the cell's scratch directory) looked for
/// it there and every cell failed with Open MPI's "unable to open the hostfile". The run
/// leaves nothing in the temporary directory.
#[test]
fn a_relative_hostfile_is_taken_from_the_preset_s_folder() {
    let python = require_cluster!("a_relative_hostfile_is_taken_from_the_preset_s_folder");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let hosts = hostfile(dir.path(), "localhost");
    let mut exp = small_mpi(&python, &[1]);
    exp.mpi.hostfile = "hosts".into();
    let preset = dir.path().join("mpi.json");
    std::fs::write(&preset, exp.to_json()).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let (code, text) = corelab_run(&preset, Some(&out), elsewhere.path(), tmp.path());
    assert_eq!(code, Some(0), "{text}");
    let r = ResultsFile::load(&out).unwrap();
    assert_checksums_match(&r, ModelKind::PyMpi, "a relative hostfile");
    assert_eq!(
        Path::new(&r.experiment.mpi.hostfile),
        hosts.canonicalize().unwrap(),
        "recorded as the file it was"
    );
    let left = left_in_tmp(tmp.path());
    assert!(left.is_empty(), "left in TMPDIR: {left:?}\n{text}");
}

/// A hostfile cell stopped at its timeout (mpiexec killed, so it cannot remove its session
/// directory) leaves nothing in the temporary directory. Without a hostfile corelab puts Open
/// MPI's session directory in the cell's scratch directory by Open MPI's base variables; with
/// one it did not (those variables reach the ranks on every host), and each such cell left
/// `ompi.HOST.UID/pid.N` behind; it now does so by the launcher's TMPDIR.
#[test]
fn a_hostfile_cell_stopped_at_its_timeout_leaves_nothing_in_the_temporary_directory() {
    let python = require_cluster!(
        "a_hostfile_cell_stopped_at_its_timeout_leaves_nothing_in_the_temporary_directory"
    );
    let _g = exclusive();
    assert_timed_out_mpi_cells_leave_nothing(&python, |exp, dir| {
        exp.mpi.hostfile = hostfile(dir, "localhost").to_str().unwrap().to_string();
    });
}

/// `mpi.extra_args` reach mpiexec: `--bind-to none` (accepted) and `-x NAME=VALUE`, which
/// exports a variable to every rank, where the user's function reads it (without it the
/// function would raise `KeyError` and fail the cell). The sweep completes at one and two
/// workers with the values the function computes from it: the checksum of `n * 3` on
/// `py-threading`.
#[test]
fn extra_args_mpiexec_accepts_reach_it_and_the_sweep_completes() {
    let python = require_cluster!("extra_args_mpiexec_accepts_reach_it_and_the_sweep_completes");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "import os\n\ndef scaled(n):\n    return n * int(os.environ['CORELAB_MPI_FACTOR'])\n",
    );
    let mut exp = function_on_clusters(&python, &module, "scaled");
    exp.models = vec![ModelKind::PyMpi];
    exp.workers = vec![1, 2];
    exp.mpi.extra_args = ["--bind-to", "none", "-x", "CORELAB_MPI_FACTOR=3"]
        .map(String::from)
        .to_vec();
    let r = sweep(&exp);
    assert_all_ok(&r);
    let reference_dir = tempfile::tempdir().unwrap();
    let reference = work_module(reference_dir.path(), "def scaled(n):\n    return n * 3\n");
    let mut threads = function_on_clusters(&python, &reference, "scaled");
    threads.models = vec![ModelKind::PyThreading];
    threads.workers = vec![1];
    let t = sweep(&threads);
    assert_all_ok(&t);
    let expected = t.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    for n in [1, 2] {
        let got = r.cell(ModelKind::PyMpi, n).unwrap().checksum();
        assert_eq!(got, expected, "py-mpi × {n}");
    }
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
}

/// An argument mpiexec refuses fails each `py-mpi` cell at once, naming the launcher and the
/// arguments corelab gave it (`the MPI launcher \`mpiexec --no-such-option -n 2\``) beside
/// mpiexec's own complaint; no process is left; the sweep goes on to the next cell (the
/// second fails the same way, the sequential baseline is measured) and the next sweep, without
/// that argument, runs.
#[test]
fn extra_args_mpiexec_refuses_fail_the_cell_naming_the_launcher_and_corelab_goes_on() {
    let python = require_cluster!(
        "extra_args_mpiexec_refuses_fail_the_cell_naming_the_launcher_and_corelab_goes_on"
    );
    let _g = exclusive();
    let mut exp = small_mpi(&python, &[1, 2]);
    exp.mpi.extra_args = vec!["--no-such-option".into()];
    let r = sweep(&exp);
    assert_eq!(
        r.cell(ModelKind::Sequential, 1).unwrap().status,
        CellStatus::Ok
    );
    for n in [1, 2] {
        let cell = r.cell(ModelKind::PyMpi, n).unwrap();
        assert_eq!(cell.status, CellStatus::Failed, "py-mpi × {n}");
        let err = cell.error.as_deref().unwrap();
        let launcher = format!(
            "the MPI launcher `mpiexec --no-such-option -n {}` (pid ",
            n + 1
        );
        assert!(err.starts_with(&launcher), "{err}");
        assert!(err.contains("exited while starting its pool"), "{err}");
        assert!(err.contains("unknown option"), "mpiexec's own words: {err}");
    }
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
    exp.mpi.extra_args.clear();
    exp.workers = vec![1];
    let r = sweep(&exp);
    assert_checksums_match(&r, ModelKind::PyMpi, "the next sweep");
}

/// A hostfile that is not there: `corelab run` refuses the preset before any cell starts
/// (exit status 1), quoting the path, as the preflight does; a sweep started anyway (the
/// library's `run_sweep`, or a file removed since) fails each `py-mpi` cell with the same
/// words, before any launcher starts. Before, the cell's error was the end of Open MPI's
/// output ("Check to make sure the path and filename are correct. | An internal error has
/// occurred in ORTE: …"), without the path.
#[test]
fn a_missing_hostfile_is_refused_quoting_its_path() {
    let python = require_cluster!("a_missing_hostfile_is_refused_quoting_its_path");
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-hosts");
    let mut exp = small_mpi(&python, &[1, 2]);
    exp.mpi.hostfile = missing.to_str().unwrap().to_string();
    let says = format!(
        "the MPI hostfile `{}` (mpi.hostfile) cannot be read: No such file or directory",
        missing.display()
    );

    let refused = preflight(&exp).unwrap_err();
    assert!(matches!(refused, EngineError::Hostfile(_)), "{refused:?}");
    assert!(refused.to_string().starts_with(&says), "{refused}");

    let preset = dir.path().join("mpi.json");
    std::fs::write(&preset, exp.to_json()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let (code, text) = corelab_run(&preset, Some(&out), dir.path(), tmp.path());
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&says), "{text}");
    assert!(!out.exists(), "nothing ran");

    let r = sweep(&exp);
    assert_eq!(
        r.cell(ModelKind::Sequential, 1).unwrap().status,
        CellStatus::Ok
    );
    for n in [1, 2] {
        let cell = r.cell(ModelKind::PyMpi, n).unwrap();
        assert_eq!(cell.status, CellStatus::Failed, "py-mpi × {n}");
        let err = cell.error.as_deref().unwrap();
        assert!(err.starts_with(&says), "{err}");
    }
    let left = leftovers(None);
    assert!(left.is_empty(), "still running: {left:?}");
}

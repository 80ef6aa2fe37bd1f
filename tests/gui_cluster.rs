#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Workbench tests without a display (egui_kittest): `py-dask` and `py-mpi` are disabled when
//! the interpreter lacks their engine, and enabled with an interpreter that has them
//! (`CORELAB_CLUSTER_PYTHON`, set by `.ci/run`; without it that half prints `skipped: …`).

mod common;

use common::cluster_python;
use common::gui::{
    app, check_python, disabled, harness, shown_error, step_until, with_interpreter,
};

use corelab::preset::ModelKind;
use corelab::results::{DASK_INSTALL, MPI_INSTALL};
use egui_kittest::kittest::Queryable;

/// The models the interpreter tests start with.
const PLAIN: [ModelKind; 2] = [ModelKind::Sequential, ModelKind::Threads];

#[test]
fn the_cluster_engines_follow_what_the_interpreter_can_import() {
    let dir = tempfile::tempdir().unwrap();
    // An interpreter that answers the probe like a CPython without dask and mpi4py.
    let plain = common::gui::plain_python(dir.path());
    let mut h = harness(with_interpreter(
        dir.path(),
        plain.to_str().unwrap(),
        &PLAIN,
    ));
    check_python(&mut h);
    h.run();
    let info = h.state().python_probe().unwrap().clone().unwrap();
    assert!(!disabled(&h, "py-multiprocessing"));
    assert!(disabled(&h, "py-dask"));
    assert!(disabled(&h, "py-mpi"));
    // The reason shown on hover names the install command.
    assert!(
        info.refuses(ModelKind::PyDask)
            .unwrap()
            .contains(DASK_INSTALL)
    );
    assert!(
        info.refuses(ModelKind::PyMpi)
            .unwrap()
            .contains(MPI_INSTALL)
    );

    let Some(python) =
        cluster_python("the_cluster_engines_follow_what_the_interpreter_can_import (enabled half)")
    else {
        return;
    };
    let mut h = harness(with_interpreter(dir.path(), &python, &PLAIN));
    check_python(&mut h);
    h.run();
    assert!(!disabled(&h, "py-dask"));
    assert!(!disabled(&h, "py-mpi"));
}

/// A preset's Dask scheduler and MPI launcher are shown under the models before Run: a shared
/// preset can send `py-dask` cells to any scheduler, or start `py-mpi` through any launcher.
#[test]
fn the_cluster_a_preset_names_is_shown_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = app(dir.path());
    let mut exp = a.experiment().clone();
    exp.models = vec![ModelKind::PyDask, ModelKind::PyMpi];
    exp.python.dask_scheduler = "tcp://203.0.113.9:8786".into();
    exp.mpi.launcher = "/opt/evil/mpiexec".into();
    exp.mpi.extra_args = vec!["--map-by".into(), "node".into()];
    a.set_experiment(exp);
    let mut h = harness(a);
    h.run();
    h.get_by_label("py-dask will connect to tcp://203.0.113.9:8786 (its workers run the tasks)");
    h.get_by_label("py-mpi will start: /opt/evil/mpiexec --map-by node -n N+1 …");
    // Without the cluster models ticked, nothing is said.
    let mut exp = h.state().experiment().clone();
    exp.models = vec![ModelKind::Threads];
    h.state_mut().set_experiment(exp);
    h.run();
    assert!(h.query_by_label_contains("will connect to").is_none());
}

/// A cluster fault's message reaches the workbench's status as the CLI prints it: an MPI rank
/// killed by a signal (a task that SIGKILLs its own rank) is shown as an error naming the rank
/// and the signal, and the run ends (not at its timeout).
#[test]
fn a_killed_mpi_rank_is_named_in_the_workbench_status() {
    let Some(python) = cluster_python("a_killed_mpi_rank_is_named_in_the_workbench_status") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("work.py");
    std::fs::write(
        &module,
        "import os, signal\n\ndef killed(n):\n    if n == 2:\n        os.kill(os.getpid(), signal.SIGKILL)\n    return n\n",
    )
    .unwrap();
    let mut a = with_interpreter(dir.path(), &python, &PLAIN);
    let exp = corelab::preset::Experiment::from_json(&format!(
        r#"{{"version": 1, "name": "killed rank",
            "task": {{"kind": "function", "function": {{"file": {file:?}, "name": "killed", "args": [1, 2, 3]}}}},
            "workers": [1], "models": ["py-mpi"], "baseline": "same-model-one-worker",
            "repetitions": 1, "warmups": 0, "timeout_s": 600, "python": {{"interpreter": {python:?}}}}}"#,
        file = module.to_str().unwrap(),
    ))
    .unwrap();
    a.set_experiment(exp);
    let mut h = harness(a);
    check_python(&mut h);
    let ctx = h.ctx.clone();
    assert!(h.state_mut().start_run(&ctx));
    let started = std::time::Instant::now();
    step_until(&mut h, "the run to end", |a| !a.is_running());
    assert!(started.elapsed().as_secs() < 60, "not a timeout");
    let error = shown_error(&h);
    assert!(
        error.starts_with("py-mpi × 1 failed: MPI rank 1 was killed by signal 9 (SIGKILL)"),
        "{error}"
    );
    assert!(h.query_by_label(&error).is_some(), "shown: {error}");
}

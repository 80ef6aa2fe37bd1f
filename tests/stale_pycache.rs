#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! A planted `__pycache__/*.pyc` beside the user's module must not run: corelab shows (and
//! records) the module's source, so the source is what every Python model runs. The attack:
//! compile an evil `work.py` (and a sibling `helper.py` it imports), then replace both with
//! harmless text of the same size and modification time, which a plain `python` would take
//! as up to date and skip for the stale `.pyc`. Real interpreters; no assertion on times.

mod common;

use std::path::Path;

use common::*;
use corelab::preset::{ModelKind, TaskKind};

/// `text` padded with a comment to exactly `len` bytes.
fn padded(text: &str, len: usize) -> String {
    assert!(text.len() + 2 <= len, "room for the padding");
    format!("{text}#{}\n", "x".repeat(len - text.len() - 2))
}

/// Writes the evil module and helper in `dir`, compiles them with `python` into `dir`'s
/// `__pycache__`, then puts the harmless ones in their place with the same sizes and times.
fn plant_stale_bytecode(dir: &Path, python: &str) {
    let marker = dir.join("PYC_RAN");
    let evil_work = format!(
        "import helper\nopen({:?}, 'a').write('work ')\ndef work(i):\n    return helper.h(i) + 1000\n",
        marker.to_str().unwrap()
    );
    let evil_helper = format!(
        "open({:?}, 'a').write('helper ')\ndef h(i):\n    return -i\n",
        marker.to_str().unwrap()
    );
    let harmless_work = "import helper\ndef work(i):\n    return helper.h(i)\n";
    let harmless_helper = "def h(i):\n    return 3 * i\n";
    let len_work = evil_work.len() + 8;
    let len_helper = evil_helper.len() + 8;
    let files = [
        (
            "work.py",
            padded(&evil_work, len_work),
            padded(harmless_work, len_work),
        ),
        (
            "helper.py",
            padded(&evil_helper, len_helper),
            padded(harmless_helper, len_helper),
        ),
    ];
    let when = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    // Written with the same modification time each time: the stale bytecode's check.
    let write_dated = |path: &std::path::Path, text: &str| {
        std::fs::write(path, text).unwrap();
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    };
    for (name, evil, _) in &files {
        write_dated(&dir.join(name), evil);
    }
    let compiled = std::process::Command::new(python)
        .current_dir(dir)
        .args([
            "-c",
            "import py_compile; py_compile.compile('work.py', doraise=True); \
             py_compile.compile('helper.py', doraise=True)",
        ])
        .status()
        .unwrap();
    assert!(compiled.success(), "py_compile");
    assert!(!marker.exists(), "compiling ran nothing");
    for (name, evil, harmless) in &files {
        assert_eq!(evil.len(), harmless.len());
        write_dated(&dir.join(name), harmless);
    }
    // The attack is real: the interpreter on its own runs the stale bytecode.
    let plain = std::process::Command::new(python)
        .current_dir(dir)
        .args(["-c", "import work; print(work.work(2))"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&plain.stdout).trim(), "998");
    assert!(marker.exists(), "plain python ran the planted .pyc");
    std::fs::remove_file(&marker).unwrap();
}

/// Sweeps `work` of the planted module with `model` under `python`, then checks that no
/// planted code ran and that the harmless source's results are what came back.
fn the_source_runs_not_the_pyc(python: &str, model: ModelKind) {
    let dir = tempfile::tempdir().unwrap();
    plant_stale_bytecode(dir.path(), python);
    let experiment = |dir: &Path| {
        let mut exp = tiny_experiment(TaskKind::Function, &[model], &[2]);
        exp.python.interpreter = python.to_string();
        exp.task.function = corelab::preset::FunctionParams {
            file: dir.join("work.py").to_str().unwrap().into(),
            name: "work".into(),
            args: vec![],
            range: Some(4),
        };
        exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
        exp.repetitions = 1;
        exp
    };
    let r = sweep(&experiment(dir.path()));
    assert_all_ok(&r);
    assert!(
        !dir.path().join("PYC_RAN").exists(),
        "{}: the planted .pyc ran: {:?}",
        model.id(),
        std::fs::read_to_string(dir.path().join("PYC_RAN"))
    );
    // The same source in a folder with no bytecode gives the same answers.
    let clean = tempfile::tempdir().unwrap();
    for name in ["work.py", "helper.py"] {
        std::fs::copy(dir.path().join(name), clean.path().join(name)).unwrap();
    }
    let r2 = sweep(&experiment(clean.path()));
    assert_all_ok(&r2);
    let checksum = |r: &corelab::results::ResultsFile| r.cell(model, 2).unwrap().checksum();
    assert!(checksum(&r).is_some(), "{}: a checksum", model.id());
    assert_eq!(checksum(&r), checksum(&r2), "{}", model.id());
    // And nothing was written beside the module.
    let cache = std::fs::read_dir(dir.path().join("__pycache__"))
        .unwrap()
        .count();
    assert_eq!(cache, 2, "{}: only the planted files", model.id());
}

#[test]
fn a_planted_pyc_does_not_run_under_py_threading_or_py_multiprocessing() {
    if !python_available("a_planted_pyc_does_not_run_under_py_threading_or_py_multiprocessing") {
        return;
    }
    let _g = exclusive();
    for model in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
        the_source_runs_not_the_pyc("python3", model);
    }
}

#[test]
fn a_planted_pyc_does_not_run_on_dask_workers_or_mpi_ranks() {
    let Some(python) = cluster_python("a_planted_pyc_does_not_run_on_dask_workers_or_mpi_ranks")
    else {
        return;
    };
    let _g = exclusive();
    for model in [ModelKind::PyDask, ModelKind::PyMpi] {
        the_source_runs_not_the_pyc(&python, model);
    }
}

//! What the tests of the cluster engines (`py-dask`, `py-mpi`) share: a small experiment of a
//! cluster model beside the sequential baseline, the check that its checksums are the Rust
//! kernels', and the wait for the processes a failed cell leaves.

use std::path::Path;

use corelab::preset::{Experiment, ModelKind, TaskKind};
use corelab::results::ResultsFile;

use super::{assert_all_ok, live_descendants, live_processes, tiny_experiment};

/// `model` at `workers`, beside `sequential` × 1 (whose checksum the model's must match), on
/// the interpreter `python`, with a timeout that a loaded machine's cluster start-up fits in.
pub fn experiment(python: &str, kind: TaskKind, model: ModelKind, workers: &[usize]) -> Experiment {
    let mut exp = tiny_experiment(kind, &[ModelKind::Sequential, model], workers);
    exp.python.interpreter = python.to_string();
    exp.timeout_s = 120.0;
    exp
}

/// Every cell ran, and each cell of `model` has the sequential (Rust) checksum in every sample.
pub fn assert_checksums_match(r: &ResultsFile, model: ModelKind, what: &str) {
    assert_all_ok(r);
    let rust = r
        .cell(ModelKind::Sequential, 1)
        .unwrap()
        .checksum()
        .unwrap();
    let cells: Vec<_> = r.cells.iter().filter(|c| c.model == Some(model)).collect();
    assert!(!cells.is_empty(), "{what}: no {model} cell");
    for c in cells {
        assert!(
            !c.samples.is_empty(),
            "{what}: {model} × {} has no runs",
            c.workers
        );
        for s in &c.samples {
            assert_eq!(s.checksum, rust, "{what}: {model} × {}", c.workers);
        }
        assert!(c.checksums_agree);
        assert!(
            c.startup_s.is_some_and(|s| s > 0.0),
            "start-up reported apart"
        );
    }
}

/// Writes `source` as the user's module `work.py` in `dir` (the name the errors quote).
pub fn work_module(dir: &std::path::Path, source: impl AsRef<[u8]>) -> std::path::PathBuf {
    let module = dir.join("work.py");
    std::fs::write(&module, source).unwrap();
    module
}

/// A py-threading, py-dask and py-mpi preset of the user's function `name` in `module`.
pub fn function_on_clusters(python: &str, module: &std::path::Path, name: &str) -> Experiment {
    Experiment::from_json(&format!(
        r#"{{"version": 1, "name": "function on clusters",
            "task": {{"kind": "function", "function": {{"file": {file:?}, "name": {name:?}, "args": [1, 2, 3, 4, 5]}}}},
            "workers": [2], "models": ["py-threading", "py-dask", "py-mpi"],
            "baseline": "same-model-one-worker", "repetitions": 1, "warmups": 0,
            "timeout_s": 120, "python": {{"interpreter": {python:?}}}}}"#,
        file = module.to_str().unwrap(),
    ))
    .unwrap()
}

/// Waits up to 10 s for every process this test started, other than `keep` (and its own
/// children), to be gone: no driver, scheduler, worker, launcher or rank outlives a failed
/// cell. Returns what is still there.
pub fn leftovers(keep: Option<u32>) -> Vec<u32> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let parent_of: std::collections::HashMap<u32, u32> = live_processes().into_iter().collect();
        let below_keep = |pid: u32| {
            let mut p = pid;
            for _ in 0..64 {
                if Some(p) == keep {
                    return true;
                }
                match parent_of.get(&p) {
                    Some(&pp) if pp > 1 => p = pp,
                    _ => return false,
                }
            }
            false
        };
        let left: Vec<u32> = live_descendants()
            .into_iter()
            .filter(|&pid| !below_keep(pid))
            .collect();
        if left.is_empty() || std::time::Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Runs `corelab run -q` with a fresh `TMPDIR` on a preset of `py-mpi` × 2 whose function
/// hangs on one task, against a 3 s timeout, after `configure` (given the preset's folder)
/// has set what the test is about: asserts that the cells timed out (the launcher killed, so
/// it could not remove its session directory) and that nothing is left in that `TMPDIR`, or
/// running.
pub fn assert_timed_out_mpi_cells_leave_nothing(
    python: &str,
    configure: impl FnOnce(&mut Experiment, &Path),
) {
    let dir = tempfile::tempdir().unwrap();
    let module = work_module(
        dir.path(),
        "import time\n\ndef hang(n):\n    if n == 3:\n        time.sleep(100)\n    return n\n",
    );
    let mut exp = function_on_clusters(python, &module, "hang");
    exp.models = vec![ModelKind::PyMpi];
    exp.timeout_s = 3.0;
    configure(&mut exp, dir.path());
    let preset = dir.path().join("mpi.json");
    std::fs::write(&preset, exp.to_json()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (_, stderr) = corelab_run(&preset, None, dir.path(), tmp.path());
    assert!(
        stderr.contains("took longer than the 3 s timeout"),
        "the cells timed out: {stderr}"
    );
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}\n{stderr}");
    let running = leftovers(None);
    assert!(running.is_empty(), "still running: {running:?}");
}

/// Runs `corelab run -q PRESET [--out OUT]` in `cwd` with `TMPDIR` set to `tmp`; returns the
/// exit code and what it printed (standard output, then standard error).
pub fn corelab_run(
    preset: &Path,
    out: Option<&Path>,
    cwd: &Path,
    tmp: &Path,
) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_corelab"));
    command.args(["run", "-q"]).arg(preset);
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    let output = command
        .current_dir(cwd)
        .env("TMPDIR", tmp)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

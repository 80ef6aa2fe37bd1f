//! A Python module that counts the processes that import it and call its function: what the
//! tests of "the user's module is imported everywhere at start-up, never in a run" read.

use std::collections::BTreeSet;
use std::path::Path;

/// A module that records each import (one line per importing process, `import <pid>`) and
/// each call of `work` (`call <pid>`), in `events.log` next to it.
pub const COUNTING_MODULE: &str = "\
import os
_LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'events.log')

def _note(what):
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, ('%s %d\\n' % (what, os.getpid())).encode())
    os.close(fd)

_note('import')

def work(n):
    _note('call')
    return n * n
";

/// What [`COUNTING_MODULE`] in `dir` has recorded so far: `(event, pid)`, oldest first.
pub fn module_events(dir: &Path) -> Vec<(String, u32)> {
    std::fs::read_to_string(dir.join("events.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let (what, pid) = l.split_once(' ').unwrap();
            (what.to_string(), pid.parse().unwrap())
        })
        .collect()
}

/// The distinct processes that imported the module, among `events`.
pub fn importing_processes(events: &[(String, u32)]) -> BTreeSet<u32> {
    events
        .iter()
        .filter(|(what, _)| what == "import")
        .map(|(_, pid)| *pid)
        .collect()
}

/// What [`COUNTING_MODULE`] recorded around one cell, and the cell's start-up times.
pub struct ImportsAndCalls {
    /// Recorded by the end of the cell's start-up, before any run.
    pub at_start_up: Vec<(String, u32)>,
    /// Recorded by the end: after the runs and the shutdown.
    pub at_the_end: Vec<(String, u32)>,
    /// The part of the start-up that imported the module, timed apart (`None`: not timed).
    pub import: Option<std::time::Duration>,
    /// The whole start-up.
    pub startup: std::time::Duration,
}

/// Starts a cell of `model` × `workers` of `exp` (a function task of [`COUNTING_MODULE`],
/// which lies in `module_dir`) as the engine starts one, runs it `runs` times and shuts it
/// down, reading what the module recorded after the start-up and at the end.
pub fn start_and_run(
    exp: &corelab::preset::Experiment,
    model: corelab::preset::ModelKind,
    workers: usize,
    runs: usize,
    module_dir: &Path,
) -> ImportsAndCalls {
    use corelab::engine::model::Executor;
    use corelab::engine::model::python::PythonExecutor;
    let scratch = tempfile::tempdir().unwrap();
    let guard = corelab::engine::RunGuard::new(
        corelab::engine::CancelToken::new(),
        std::time::Duration::from_secs(120),
    );
    let mut exec = PythonExecutor::start_for(exp, model, workers, scratch.path(), &guard)
        .unwrap_or_else(|e| panic!("{model}: {e}"));
    let at_start_up = module_events(module_dir);
    let (import, startup) = (exec.module_import(), exec.startup());
    let env = corelab::engine::workload::RunEnv {
        workers,
        scratch_dir: scratch.path().to_path_buf(),
        shared_file: None,
    };
    for _ in 0..runs {
        exec.run(&exp.task, &env, &guard).unwrap();
    }
    exec.shutdown();
    ImportsAndCalls {
        at_start_up,
        at_the_end: module_events(module_dir),
        import,
        startup,
    }
}

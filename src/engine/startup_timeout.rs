//! What a cell says when its executor did not start in time: the start-up has limits of its
//! own (an interpreter and its pool, a Dask cluster, an MPI job, worker processes saying
//! `ready`), which the preset's `timeout_s` does not set, and nothing was measured. Worded
//! apart from a run that ran past `timeout_s`, so that nobody raises the wrong limit.
//!
//! The error is made where the deadline is ([`super::model::python`]'s start request,
//! `engine::model::process_pool`'s `ready` handshake), which knows its own limit, so that
//! the sweep, the calibration and `corelab selftest` all say the same.

use std::time::Duration;

use crate::preset::ModelKind;

use super::pacer::UnitError;

/// A start-up that ran past its own limit: what was starting, and the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartupTimeout {
    model: ModelKind,
    workers: usize,
    limit: Duration,
}

impl StartupTimeout {
    /// Starting `model` with `workers` workers took longer than `limit`.
    pub fn new(model: ModelKind, workers: usize, limit: Duration) -> Self {
        StartupTimeout {
            model,
            workers,
            limit,
        }
    }

    /// "starting the Dask cluster took longer than 60 s; nothing was measured (…)".
    pub fn message(&self) -> String {
        format!(
            "{} took longer than {}; nothing was measured (a limit of its own, which neither \
             the preset's timeout_s nor any option changes: a busy or small machine starts \
             slowly; {})",
            starting_what(self.model, self.workers),
            limit_text(self.limit),
            what_to_do(self.model)
        )
    }
}

impl From<StartupTimeout> for UnitError {
    fn from(timeout: StartupTimeout) -> Self {
        UnitError::Failed(timeout.message())
    }
}

/// The failure of a run whose `processes` workers did not build its workload within `limit`
/// (the `ready` handshake's limit, not the run's `timeout_s`).
pub fn preparing_timed_out(workers: usize, limit: Duration) -> String {
    let who = match workers {
        1 => "the worker process".to_string(),
        n => format!("the {n} worker processes"),
    };
    format!(
        "{who} took longer than {} to prepare the workload, before the run; it was not \
         measured (a limit of its own, which neither the preset's timeout_s nor any option \
         changes: a busy or small machine, or a large workload to build; {})",
        limit_text(limit),
        what_to_do(ModelKind::Processes)
    )
}

/// "60 s", or "0.2 s" for a limit under a second (tests inject short ones).
fn limit_text(limit: Duration) -> String {
    match limit.subsec_millis() {
        0 => format!("{} s", limit.as_secs()),
        _ => format!("{} s", limit.as_secs_f64()),
    }
}

/// What starting `model` with `workers` workers is, in words.
fn starting_what(model: ModelKind, workers: usize) -> String {
    match model {
        ModelKind::PyDask => "starting the Dask cluster".into(),
        ModelKind::PyMpi => "starting the MPI job".into(),
        ModelKind::PyMultiprocessing => "starting Python and its process pool".into(),
        m if m.is_python() => "starting the Python interpreter".into(),
        ModelKind::Processes => match workers {
            1 => "starting the worker process and waiting for it to say ready".into(),
            n => format!("starting {n} worker processes and waiting for each to say ready"),
        },
        m => format!("starting the {m} executor"),
    }
}

/// What the user can do about it, by what was starting.
fn what_to_do(model: ModelKind) -> &'static str {
    match model {
        ModelKind::PyDask => {
            "run again with less other load or fewer workers; with python.dask_scheduler set, \
             check that the scheduler answers"
        }
        ModelKind::PyMpi => {
            "run again with less other load or fewer workers, and check that the MPI launcher \
             (mpi.launcher) starts a job by itself"
        }
        m if m.is_python() => {
            "run again with less other load or fewer workers, and check that the interpreter \
             (python.interpreter) starts by itself"
        }
        _ => "run again with less other load or fewer workers",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_up_timeout_names_what_was_starting_its_own_limit_and_what_to_do() {
        let dask = StartupTimeout::new(ModelKind::PyDask, 2, Duration::from_secs(60)).message();
        assert!(
            dask.starts_with(
                "starting the Dask cluster took longer than 60 s; nothing was measured"
            ),
            "{dask}"
        );
        assert!(!dask.contains("a run took"), "{dask}");
        assert!(dask.contains("python.dask_scheduler"), "{dask}");
        assert_eq!(
            StartupTimeout::new(ModelKind::Processes, 1, Duration::from_secs(30)).message(),
            "starting the worker process and waiting for it to say ready took longer than 30 \
             s; nothing was measured (a limit of its own, which neither the preset's timeout_s \
             nor any option changes: a busy or small machine starts slowly; run again with \
             less other load or fewer workers)"
        );
        let short = StartupTimeout::new(ModelKind::PyThreading, 4, Duration::from_millis(250));
        assert!(
            short.message().starts_with(
                "starting the Python interpreter took longer than 0.25 s; nothing was measured"
            ),
            "{}",
            short.message()
        );
        assert_eq!(
            UnitError::from(short.clone()),
            UnitError::Failed(short.message())
        );
    }

    /// A program that never answers: it notes its pid and a background child's in
    /// `NAME.pids` beside it, then waits on the child (30 s).
    fn never_answers(dir: &std::path::Path) -> std::path::PathBuf {
        let script = dir.join("never-answers");
        crate::safe_fs::write_executable(
            &script,
            b"#!/bin/sh\necho $$ >> \"$0.pids\"\nsleep 30 &\necho $! >> \"$0.pids\"\nwait\n",
        )
        .unwrap();
        script
    }

    /// The pids `never_answers` noted (the script, then its child, for each start).
    fn noted_pids(script: &std::path::Path) -> Vec<u32> {
        let mut pids_file = script.as_os_str().to_owned();
        pids_file.push(".pids");
        std::fs::read_to_string(pids_file)
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect()
    }

    /// Whether `pid` is gone (no process, or a zombie waiting for its parent): polled for up
    /// to 5 s, as a killed grandchild is reparented and reaped on its own time.
    fn gone(pid: u32) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if crate::sys::procfs::Stat::of_process(pid).is_none_or(|s| s.is_zombie()) {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn guard() -> crate::engine::pacer::RunGuard {
        crate::engine::pacer::RunGuard::new(
            crate::engine::cancel::CancelToken::new(),
            Duration::from_secs(120),
        )
    }

    /// Long enough for `sh` to note its pids on a loaded machine; short for a test.
    const SHORT: Duration = Duration::from_secs(2);

    #[test]
    fn workers_that_never_say_ready_fail_the_start_naming_its_limit_and_none_outlives_it() {
        use crate::engine::model::{ProcessPool, WorkerCommand};
        let dir = tempfile::tempdir().unwrap();
        let script = never_answers(dir.path());
        let cmd = WorkerCommand {
            program: script.clone(),
            args: Vec::new(),
            env: Vec::new(),
        };
        let Err(err) = ProcessPool::start_within(&cmd, 2, &guard(), SHORT) else {
            panic!("a pool whose workers never say ready started");
        };
        assert_eq!(
            err,
            UnitError::Failed(StartupTimeout::new(ModelKind::Processes, 2, SHORT).message())
        );
        assert!(
            err.to_string().starts_with(
                "starting 2 worker processes and waiting for each to say ready took longer \
                 than 2 s; nothing was measured"
            ),
            "{err}"
        );
        let pids = noted_pids(&script);
        assert_eq!(pids.len(), 4, "each worker and its child noted: {pids:?}");
        for pid in pids {
            assert!(gone(pid), "process {pid} outlived the failed start");
        }
    }

    #[test]
    fn an_interpreter_that_never_answers_fails_the_start_naming_its_limit_and_none_outlives_it() {
        use crate::engine::model::python::PythonExecutor;
        use crate::preset::Experiment;
        for model in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
            let dir = tempfile::tempdir().unwrap();
            let script = never_answers(dir.path());
            let mut exp = Experiment::default();
            exp.python.interpreter = script.to_str().unwrap().to_string();
            let started = PythonExecutor::start_within(&exp, model, 2, dir.path(), &guard(), SHORT);
            let Err(err) = started else {
                panic!("{model}: an interpreter that never answers started");
            };
            let expected = match model {
                ModelKind::PyThreading => "starting the Python interpreter",
                _ => "starting Python and its process pool",
            };
            assert_eq!(
                err,
                UnitError::Failed(StartupTimeout::new(model, 2, SHORT).message())
            );
            let message = err.to_string();
            assert!(
                message.starts_with(&format!(
                    "{expected} took longer than 2 s; nothing was measured"
                )),
                "{message}"
            );
            assert!(message.contains("python.interpreter"), "{message}");
            let pids = noted_pids(&script);
            assert_eq!(
                pids.len(),
                2,
                "{model}: the script and its child noted: {pids:?}"
            );
            for pid in pids {
                assert!(
                    gone(pid),
                    "{model}: process {pid} outlived the failed start"
                );
            }
        }
    }

    /// Workers that say `ready` but never build the workload: the run fails naming the
    /// handshake's own limit, not the run's timeout_s, and no child outlives the pool.
    #[test]
    fn workers_that_never_prepare_the_workload_fail_the_run_naming_its_limit() {
        use crate::engine::model::{Executor as _, ProcessPool, WorkerCommand};
        use crate::engine::workload::RunEnv;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("ready-then-silent");
        let protocol = crate::engine::protocol::PROTOCOL;
        crate::safe_fs::write_executable(
            &script,
            format!(
                "#!/bin/sh\necho $$ >> \"$0.pids\"\n\
                 printf '{{\"op\":\"ready\",\"pid\":%s,\"version\":\"0\",\"protocol\":{protocol}}}\\n' $$\n\
                 sleep 30 &\necho $! >> \"$0.pids\"\nwait\n"
            )
            .as_bytes(),
        )
        .unwrap();
        let cmd = WorkerCommand {
            program: script.clone(),
            args: Vec::new(),
            env: Vec::new(),
        };
        let mut pool = ProcessPool::start_within(&cmd, 1, &guard(), SHORT)
            .unwrap_or_else(|e| panic!("the worker said ready: {e}"));
        let env = RunEnv {
            workers: 1,
            scratch_dir: dir.path().to_path_buf(),
            shared_file: None,
        };
        let task = crate::preset::TaskSpec::default();
        let Err(err) = pool.run(&task, &env, &guard()) else {
            panic!("a run of workers that never build the workload succeeded");
        };
        assert_eq!(err, UnitError::Failed(preparing_timed_out(1, SHORT)));
        assert!(
            err.to_string().starts_with(
                "the worker process took longer than 2 s to prepare the workload, before the \
                 run; it was not measured (a limit of its own"
            ),
            "{err}"
        );
        drop(pool);
        let pids = noted_pids(&script);
        assert_eq!(pids.len(), 2, "the worker and its child noted: {pids:?}");
        for pid in pids {
            assert!(gone(pid), "process {pid} outlived the pool");
        }
    }
}

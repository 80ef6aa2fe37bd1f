//! How a running task talks to its execution model: regular checkpoints (where an emulated GIL
//! may be handed over and cancellation or a timeout is noticed) and blocking waits.

use std::time::{Duration, Instant};

use super::cancel::CancelToken;
use super::run_mark::RunMark;

/// Why a task stopped before finishing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitError {
    Cancelled,
    TimedOut,
    Failed(String),
    /// The user's own code failed (a Python function task's module would not import, its
    /// function is missing, or it raised): a fault other cells would repeat, so the sweep
    /// tells it once and stops the cells it breaks (see `sweep::run_sweep`).
    UserCode(String),
    /// The user's module imported in the interpreter corelab talks to but not in `place`, a
    /// process of the model's pool (`the Dask worker tcp://…`, `MPI rank 2`, `the pool
    /// process 4242`): a fault of this model's cells only, told once like `UserCode`.
    PoolCode {
        place: String,
        reason: String,
    },
}

impl std::fmt::Display for UnitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitError::Cancelled => f.write_str("cancelled"),
            UnitError::TimedOut => f.write_str("timed out"),
            UnitError::Failed(reason)
            | UnitError::UserCode(reason)
            | UnitError::PoolCode { reason, .. } => f.write_str(reason),
        }
    }
}

pub type UnitResult<T> = Result<T, UnitError>;

/// Passed to every task. Compute loops call [`Pacer::checkpoint`] every few microseconds of
/// work; waits go through [`Pacer::wait`] or [`Pacer::blocking`].
pub trait Pacer {
    /// A point where the task may be paused (GIL hand-over) or stopped.
    fn checkpoint(&self) -> UnitResult<()>;
    /// Waits `duration` (simulated latency) without holding any interpreter lock.
    fn wait(&self, duration: Duration) -> UnitResult<()>;
    /// Runs blocking I/O without holding any interpreter lock.
    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()>;
    /// The mark that a process the task starts must carry (see [`super::run_mark`]); `None`
    /// where the run has none of its own (in a `corelab worker` child, whose processes inherit
    /// the worker's).
    fn run_mark(&self) -> Option<&RunMark> {
        None
    }
}

/// Stops a run on cancel or when its deadline passes. The pacer of every free-running model.
#[derive(Clone)]
pub struct RunGuard {
    cancel: CancelToken,
    deadline: Instant,
    /// The mark of the run's processes, where the run's owner stops them at its end.
    mark: Option<RunMark>,
}

impl RunGuard {
    pub fn new(cancel: CancelToken, timeout: Duration) -> Self {
        RunGuard {
            cancel,
            deadline: Instant::now() + timeout,
            mark: None,
        }
    }

    /// The same guard, for a run whose processes carry `mark`: made by
    /// [`MarkedRun::guard`](super::run_mark::MarkedRun::guard), whose holder stops them.
    pub(super) fn carrying(mut self, mark: RunMark) -> Self {
        self.mark = Some(mark);
        self
    }

    /// Marks the process `command` will start with the run's mark, if the run has one.
    pub fn mark_command(&self, command: &mut std::process::Command) {
        if let Some(mark) = &self.mark {
            mark.put_on(command);
        }
    }

    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Pacer for RunGuard {
    fn checkpoint(&self) -> UnitResult<()> {
        if self.cancel.is_cancelled() {
            Err(UnitError::Cancelled)
        } else if Instant::now() >= self.deadline {
            Err(UnitError::TimedOut)
        } else {
            Ok(())
        }
    }

    fn wait(&self, duration: Duration) -> UnitResult<()> {
        let until = Instant::now() + duration;
        if !self.cancel.sleep_until(until.min(self.deadline)) {
            return Err(UnitError::Cancelled);
        }
        if until > self.deadline {
            return Err(UnitError::TimedOut);
        }
        Ok(())
    }

    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        self.checkpoint()?;
        io().map_err(|e| UnitError::Failed(format!("I/O error: {e}")))
    }

    fn run_mark(&self) -> Option<&RunMark> {
        self.mark.as_ref()
    }
}

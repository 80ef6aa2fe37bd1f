//! How a running task talks to its execution model: regular checkpoints (where an emulated GIL
//! may be handed over and cancellation or a timeout is noticed) and blocking waits.

use std::time::{Duration, Instant};

use super::cancel::CancelToken;

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
}

impl std::fmt::Display for UnitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitError::Cancelled => f.write_str("cancelled"),
            UnitError::TimedOut => f.write_str("timed out"),
            UnitError::Failed(reason) | UnitError::UserCode(reason) => f.write_str(reason),
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
}

/// Stops a run on cancel or when its deadline passes. The pacer of every free-running model.
#[derive(Clone)]
pub struct RunGuard {
    cancel: CancelToken,
    deadline: Instant,
}

impl RunGuard {
    pub fn new(cancel: CancelToken, timeout: Duration) -> Self {
        RunGuard {
            cancel,
            deadline: Instant::now() + timeout,
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
}

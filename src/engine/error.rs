//! [`EngineError`]: what can go wrong in the engine's public fallible functions, typed, so that
//! the command line and the workbench can tell a missing interpreter from a refused one, a
//! probe that hung from a save that failed. Every message quotes the value it is about.

use std::path::PathBuf;
use std::time::Duration;

/// An engine failure. `Display` is the message a user reads.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No usable Python interpreter: not found, would not start, or did not answer like
    /// CPython 3.8+.
    #[error("{0}")]
    PythonUnavailable(String),
    /// The interpreter will not be run: a relative path that would resolve differently for
    /// the probe and the worker, an empty name, or a model this interpreter cannot run.
    #[error("{0}")]
    InterpreterRefused(String),
    /// The interpreter did not answer the version probe in time; it was killed.
    #[error("`{interpreter}` did not answer within {} s and was stopped", timeout.as_secs_f64())]
    ProbeTimedOut {
        interpreter: String,
        timeout: Duration,
    },
    /// A resource corelab needs (a thread, a scratch directory, a pipe) could not be had.
    #[error("{0}")]
    Resources(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The task names something that is not there (a function's module file): found before
    /// any cell starts, rather than once per cell.
    #[error("{0}")]
    TaskUnavailable(String),
    /// `py-mpi`'s hostfile is not there, not a regular file, or relative: found before any
    /// cell starts, rather than once per cell.
    #[error(transparent)]
    Hostfile(#[from] super::mpi_hostfile::HostfileError),
    /// A worker process failed outside a measured run.
    #[error("{0}")]
    WorkerFailed(String),
    /// The results could not be saved.
    #[error("cannot save the results to {}: {reason}", path.display())]
    SaveFailed { path: PathBuf, reason: String },
}

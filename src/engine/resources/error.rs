//! Why a sweep was refused before it started, quoting what it needs and what the machine has.

use thiserror::Error;

use super::check::USABLE_FRACTION;
use super::human_bytes::human;
use super::open_files::{OWN_OPEN_FILES, PIPES_PER_CHILD};
use crate::preset::ModelKind;

/// Why a sweep was refused before it started.
#[derive(Debug, Error, PartialEq)]
pub enum ResourceError {
    /// No scratch directory can be made safely in the temporary directory
    /// ([`crate::engine::scratch::refusal_of`]).
    #[error("{0}")]
    ScratchRefused(String),
    #[error(
        "this experiment would need about {} of memory at its peak ({detail}; cell {model} × {workers}), \
         but the machine has {} available (corelab plans to use at most {:.0}% of it); \
         lower the sizes or the worker counts",
        human(*needed),
        human(*available),
        USABLE_FRACTION * 100.0
    )]
    Memory {
        needed: u64,
        available: u64,
        detail: String,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment would need about {} of disk in {path} at its peak ({detail}; cell {model} × {workers}), \
         but only {} is free there (corelab plans to use at most {:.0}% of it); \
         lower task.io.file_kib or the worker counts, or set TMPDIR to a larger file system",
        human(*needed),
        human(*available),
        USABLE_FRACTION * 100.0
    )]
    Disk {
        needed: u64,
        available: u64,
        path: String,
        detail: String,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment would keep about {needed} files open at once ({pipes} pipes to its \
         child processes, {PIPES_PER_CHILD} per process, every cell's kept alive through the \
         interleaved rounds, plus {OWN_OPEN_FILES} of corelab's own; the largest cell: \
         {model} × {workers}), but this process may open at most {limit} (ulimit -n), and no more \
         than {hard} without privileges; raise the limit (ulimit -n {needed}) or lower the \
         worker counts"
    )]
    OpenFiles {
        needed: u64,
        pipes: u64,
        limit: u64,
        hard: u64,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment needs at least {} of address space in one process ({detail}; cell \
         {model} × {workers}), but this process's address space is limited to {} (ulimit -v), \
         which every process it starts inherits; raise the limit (ulimit -v unlimited, or at \
         least ulimit -v {}, in KiB, in the shell that starts corelab) or lower the sizes",
        human(*needed),
        human(*limit),
        // Twice the floor's figure: what a run maps besides (thread stacks, malloc arenas) is
        // not counted in it.
        needed.div_ceil(1024).saturating_mul(2)
    )]
    AddressSpace {
        needed: u64,
        limit: u64,
        detail: String,
        model: ModelKind,
        workers: usize,
    },
    #[error(
        "this experiment would start at least {needed} processes and threads that live at once \
         ({detail}), but your user may have at most {limit} (ulimit -u), counting every process \
         and thread you already have; raise the limit (ulimit -u {proposed}) or lower the worker counts"
    )]
    Processes {
        needed: u64,
        limit: u64,
        detail: String,
        /// The limit proposed (`TasksOverLimit::proposed_limit`).
        proposed: u64,
    },
    #[error(
        "cannot raise the limit on open files from {from} to {to}, which this experiment's pipes need: {reason}"
    )]
    RaiseOpenFiles { from: u64, to: u64, reason: String },
    #[error("cannot estimate what this experiment needs: {0}")]
    Invalid(String),
}

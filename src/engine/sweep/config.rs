//! [`SweepConfig`]: how a sweep starts workers, where it keeps partial results and how it
//! writes them, how it wakes a display, and what it records of its provenance.

use std::path::PathBuf;
use std::sync::Arc;

use super::executors::{ExecutorFactory, RealExecutors};
use crate::engine::display_pacing::DisplayPacing;
use crate::engine::model::WorkerCommand;
use crate::engine::module_source::ModuleSource;
use crate::engine::results_saver::{ResultsSaver, SaveToFile};

/// How a sweep starts workers and where it keeps partial results.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// The command that starts a `corelab worker` child (processes model).
    pub worker: WorkerCommand,
    /// When set, the results so far are written here (atomically) as the sweep goes (after
    /// the first round, after any that completed a cell, and otherwise, within a round too,
    /// about once a second: see `PartialSaves`) and at the end, marked `incomplete` until the sweep ends, so a killed
    /// sweep still leaves a readable file.
    pub partial_results: Option<PathBuf>,
    /// How [`spawn_sweep`] wakes its display; `None` wakes it after every event.
    ///
    /// [`spawn_sweep`]: super::spawn_sweep
    pub display: Option<DisplayPacing>,
    /// Where the cells' executors come from ([`RealExecutors`] unless a test scripts them).
    pub executors: Arc<dyn ExecutorFactory>,
    /// Seed of the per-round shuffle; `None` picks one from the clock. Recorded in the
    /// results (`shuffle_seed`) either way.
    pub shuffle_seed: Option<u64>,
    /// Recorded in the results: this build's commit, and the command and preset the caller
    /// names.
    pub provenance: crate::results::Provenance,
    /// How [`SweepConfig::partial_results`] is written ([`SaveToFile`] unless a test stands
    /// in a disk that fails).
    pub saver: Arc<dyn ResultsSaver>,
    /// A function task's module as the caller's pre-check read and checked it
    /// ([`preflight_checked`], [`task_preflight`]): the results file records the function's
    /// source from this same reading, so what is recorded is what was checked. `None` (or a
    /// reading of another module than the experiment's): the sweep reads the module once as
    /// it starts.
    ///
    /// [`preflight_checked`]: super::preflight_checked
    /// [`task_preflight`]: super::task_preflight
    pub module: Option<Arc<ModuleSource>>,
}

impl SweepConfig {
    pub fn new(worker: WorkerCommand) -> Self {
        SweepConfig {
            worker,
            partial_results: None,
            display: None,
            executors: Arc::new(RealExecutors),
            shuffle_seed: None,
            provenance: crate::results::Provenance::of_this_build(),
            saver: Arc::new(SaveToFile),
            module: None,
        }
    }

    /// The same configuration with executors from `factory`.
    pub fn with_executors(mut self, factory: impl ExecutorFactory + 'static) -> Self {
        self.executors = Arc::new(factory);
        self
    }

    /// The same configuration writing its results through `saver` (a test's failing disk).
    pub fn with_saver(mut self, saver: impl ResultsSaver + 'static) -> Self {
        self.saver = Arc::new(saver);
        self
    }
}

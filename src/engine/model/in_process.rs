use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::gil::{Gil, GilPacer};
use super::{Executor, RunRecord, timed_run};
use crate::engine::pacer::{Pacer, RunGuard, UnitError, UnitResult};
use crate::engine::workload::{self, RunEnv, Workload};
use crate::preset::{ModelKind, TaskSpec};
use crate::results::Scheduling;

/// Sequential, threads, rayon and gil-threads: every model that runs inside this process.
pub struct InProcessExecutor {
    strategy: Strategy,
    workers: usize,
    startup: Duration,
}

enum Strategy {
    Sequential,
    Threads,
    Rayon(rayon::ThreadPool),
    GilThreads { switch_interval: Duration },
}

impl InProcessExecutor {
    /// `switch_interval` only matters for `gil-threads`.
    pub fn new(
        model: ModelKind,
        workers: usize,
        switch_interval: Duration,
    ) -> Result<Self, String> {
        let started = Instant::now();
        let strategy = match model {
            ModelKind::Sequential => Strategy::Sequential,
            ModelKind::Threads => Strategy::Threads,
            ModelKind::GilThreads => Strategy::GilThreads { switch_interval },
            ModelKind::Rayon => Strategy::Rayon(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(workers)
                    .thread_name(|i| format!("rayon-{i}"))
                    .build()
                    .map_err(|e| format!("cannot build a rayon pool of {workers} threads: {e}"))?,
            ),
            other => return Err(format!("the {other} model does not run in-process")),
        };
        Ok(InProcessExecutor {
            strategy,
            workers: if model.is_single_worker() { 1 } else { workers },
            startup: started.elapsed(),
        })
    }

    /// `scheduling` receives the emulated GIL's counters of a `gil-threads` run.
    fn run_units(
        &self,
        w: &dyn Workload,
        guard: &RunGuard,
        scheduling: &mut Option<Scheduling>,
    ) -> UnitResult<u64> {
        let n = w.unit_count();
        match &self.strategy {
            Strategy::Sequential => (0..n).try_fold(0u64, |sum, unit| {
                Ok(sum.wrapping_add(w.run_unit(unit, guard)?))
            }),
            Strategy::Threads => {
                pull_from_shared_queue(self.workers, n, guard, |_| Box::new(guard.clone()), w)
            }
            Strategy::GilThreads { switch_interval } => {
                let gil = Gil::new(*switch_interval);
                let sum = pull_from_shared_queue(
                    self.workers,
                    n,
                    guard,
                    |_| Box::new(GilPacer::enter(&gil, guard)),
                    w,
                );
                *scheduling = Some(gil.scheduling());
                sum
            }
            Strategy::Rayon(pool) => pool.install(|| {
                (0..n)
                    .into_par_iter()
                    .with_max_len(1)
                    .map(|unit| w.run_unit(unit, guard))
                    .try_reduce(|| 0, |a, b| Ok(a.wrapping_add(b)))
            }),
        }
    }
}

/// `workers` scoped threads take unit indices from one shared counter until none are left.
/// The first error stops every thread at its next unit and is returned.
fn pull_from_shared_queue<'p>(
    workers: usize,
    units: usize,
    guard: &RunGuard,
    make_pacer: impl Fn(usize) -> Box<dyn Pacer + 'p> + Sync,
    w: &dyn Workload,
) -> UnitResult<u64> {
    let next = AtomicUsize::new(0);
    let sum = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<UnitError>> = Mutex::new(None);
    let spawn_error: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        let (make_pacer, next, sum, failed, first_error) =
            (&make_pacer, &next, &sum, &failed, &first_error);
        for i in 0..workers {
            let body = move || {
                let pacer = make_pacer(i);
                while !failed.load(Ordering::Relaxed) {
                    let unit = next.fetch_add(1, Ordering::Relaxed);
                    if unit >= units {
                        break;
                    }
                    match w.run_unit(unit, pacer.as_ref()) {
                        Ok(c) => {
                            sum.fetch_add(c, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            first_error
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                        }
                    }
                }
            };
            if let Err(e) = std::thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn_scoped(s, body)
            {
                failed.store(true, Ordering::Relaxed);
                *spawn_error.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("cannot start thread {i} of {workers}: {e}"));
                break;
            }
        }
    });
    if let Some(msg) = spawn_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(UnitError::Failed(msg));
    }
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    guard.checkpoint()?;
    Ok(sum.into_inner())
}

impl Executor for InProcessExecutor {
    fn startup(&self) -> Duration {
        self.startup
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        let w = workload::build(task, env).map_err(UnitError::Failed)?;
        let mut scheduling = None;
        let mut record = timed_run(w.as_ref(), || {
            Ok((
                self.run_units(w.as_ref(), guard, &mut scheduling)?,
                Duration::ZERO,
            ))
        })?;
        record.metrics.scheduling = scheduling;
        Ok(record)
    }
}

//! Sequential, threads, rayon and gil-threads: every model that runs inside this process.
//!
//! Start-up rule: every model's workers exist before the first timed region. `threads` and
//! `gil-threads` start a persistent team of threads in [`InProcessExecutor::new`], parked
//! between runs and released for each; `rayon` builds its pool there and runs one job on
//! every pool thread. That time is [`Executor::startup`], never part of a run.
//!
//! CPU time of a run (see [`crate::engine::cpu_time`]): the dispatching thread plus the
//! model's worker threads, each measured on itself (`RUSAGE_THREAD`,
//! `CLOCK_THREAD_CPUTIME_ID`); never the rest of the process.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::gil::{Gil, GilPacer};
use super::{Executor, RunRecord, timed_run};
use crate::engine::cpu_time::{Cost, Snapshot};
use crate::engine::pacer::{Pacer, RunGuard, UnitError, UnitResult};
use crate::engine::wait_recorder::run_recorded;
use crate::engine::workload::{self, RunEnv, Workload};
use crate::preset::{ModelKind, TaskSpec};
use crate::results::{Scheduling, Span, SpanState, Timeline};

/// Sequential, threads, rayon and gil-threads: every model that runs inside this process.
pub struct InProcessExecutor {
    strategy: Strategy,
    startup: Duration,
    /// The cell's reusable workload ([`workload::reusable_between_runs`]), held between its
    /// runs so that the next one does not build it again: building the memory task's arrays
    /// takes longer than a 16-worker run of them. Shared with every in-process cell of the
    /// task ([`workload::shared`]).
    built: Option<Arc<dyn Workload>>,
    /// The kernel ids of the model's worker threads (the team's, or the rayon pool's), each
    /// recorded by the thread as it started: see [`Executor::threads_here`].
    tids: Vec<u32>,
}

enum Strategy {
    Sequential,
    Threads(Team),
    Rayon {
        pool: rayon::ThreadPool,
        /// Each pool thread's index and CPU clock, read from outside (`workers_cost`); `None`
        /// where the C library could not give every thread's clock.
        clocks: Option<Vec<(u64, crate::sys::ThreadClock)>>,
    },
    GilThreads {
        team: Team,
        switch_interval: Duration,
    },
}

impl InProcessExecutor {
    /// Starts the model's workers (untimed: see [`Executor::startup`]). `switch_interval`
    /// only matters for `gil-threads`.
    pub fn new(
        model: ModelKind,
        workers: usize,
        switch_interval: Duration,
    ) -> Result<Self, String> {
        let started = Instant::now();
        let mut rayon_tids = Vec::new();
        let strategy = match model {
            ModelKind::Sequential => Strategy::Sequential,
            ModelKind::Threads => Strategy::Threads(Team::start(workers)?),
            ModelKind::GilThreads => Strategy::GilThreads {
                team: Team::start(workers)?,
                switch_interval,
            },
            ModelKind::Rayon => {
                let started = Arc::new(Mutex::new(Vec::with_capacity(workers)));
                let record = Arc::clone(&started);
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(workers)
                    .thread_name(|i| format!("rayon-{i}"))
                    .start_handler(move |i| {
                        lock(&record).push((
                            i,
                            crate::sys::gettid(),
                            crate::sys::ThreadClock::of_this_thread(),
                        ))
                    })
                    .build()
                    .map_err(|e| format!("cannot build a rayon pool of {workers} threads: {e}"))?;
                // Every pool thread has run once: started, not merely requested (so each has
                // recorded its id and clock).
                pool.broadcast(|_| ());
                let mut started = lock(&started).clone();
                started.sort_by_key(|&(i, _, _)| i);
                rayon_tids = started.iter().map(|&(_, tid, _)| tid).collect();
                // Read from outside (see `workers_cost`): every thread's clock, or none.
                let clocks: Option<Vec<(u64, crate::sys::ThreadClock)>> = started
                    .iter()
                    .map(|&(i, _, clock)| Some((i as u64, clock?)))
                    .collect();
                Strategy::Rayon {
                    clocks: clocks.filter(|c| c.len() == pool.current_num_threads()),
                    pool,
                }
            }
            other => return Err(format!("the {other} model does not run in-process")),
        };
        let tids = match &strategy {
            Strategy::Sequential => Vec::new(),
            Strategy::Threads(team) | Strategy::GilThreads { team, .. } => team.tids(),
            Strategy::Rayon { .. } => rayon_tids,
        };
        Ok(InProcessExecutor {
            strategy,
            startup: started.elapsed(),
            built: None,
            tids,
        })
    }

    /// Builds the task's shared input now and holds it ([`workload::shared::build_before_runs`]),
    /// untimed and before any run, so that no run is charged for it: called as the cell starts
    /// (after [`Executor::startup`] was measured). Nothing for a task built afresh every run.
    pub fn hold_shared_input(&mut self, task: &TaskSpec, env: &RunEnv) {
        if let Some(w) = workload::shared::build_before_runs(task, env) {
            self.built = Some(w);
        }
    }

    /// Times one run of an already built workload: what [`Executor::run`] does after building
    /// it from the task.
    pub fn run_workload(
        &mut self,
        w: Arc<dyn Workload>,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        let shown = Arc::clone(&w);
        let mut scheduling = None;
        let mut recorded = Recorded::default();
        let mut record = timed_run(
            shown.as_ref(),
            self,
            |me| me.workers_cost(),
            |me| {
                Ok((
                    me.run_units(w, guard, &mut scheduling, &mut recorded)?,
                    None,
                ))
            },
        )?;
        record.metrics.scheduling = scheduling;
        record.timeline = recorded.into_timeline(self.lanes(), &record).bounded();
        Ok(record)
    }

    /// Lane names of the model's workers.
    fn lanes(&self) -> Vec<String> {
        let n = match &self.strategy {
            Strategy::Sequential => 1,
            Strategy::Threads(team) | Strategy::GilThreads { team, .. } => team.threads.len(),
            Strategy::Rayon { pool, .. } => pool.current_num_threads(),
        };
        let what = match &self.strategy {
            Strategy::Sequential => "main thread",
            Strategy::Rayon { .. } => "rayon thread",
            _ => "thread",
        };
        (0..n).map(|i| format!("{what} {i}")).collect()
    }

    /// Cumulative cost of every worker thread (not the dispatcher, which `timed_run` counts).
    fn workers_cost(&self) -> Snapshot {
        match &self.strategy {
            Strategy::Sequential => Snapshot::new(),
            Strategy::Threads(team) | Strategy::GilThreads { team, .. } => team.costs(),
            // Read through each pool thread's CPU clock from this thread: a `broadcast` that
            // had each thread read its own would wake the sleeping pool just before the clock
            // starts and again after it stops, and the threads' spinning before they sleep
            // again (tens of µs each) landed in the run's CPU time (rayon × 1 read 2.11 cores
            // on runs of 41 µs). The pool's threads live as long as the pool, so their clocks
            // stay theirs. Where a clock could not be had, the broadcast is the fallback.
            Strategy::Rayon {
                clocks: Some(clocks),
                ..
            } => clocks
                .iter()
                .filter_map(|(i, clock)| Some((*i, Cost::of_thread(clock)?)))
                .collect(),
            Strategy::Rayon { pool, clocks: None } => {
                pool.broadcast(|ctx| (ctx.index() as u64, Cost::this_thread()))
            }
        }
    }

    /// `scheduling` receives the emulated GIL's counters of a `gil-threads` run.
    fn run_units(
        &self,
        w: Arc<dyn Workload>,
        guard: &RunGuard,
        scheduling: &mut Option<Scheduling>,
        recorded: &mut Recorded,
    ) -> UnitResult<u64> {
        let n = w.unit_count();
        match &self.strategy {
            Strategy::Sequential => {
                let mut sum = 0u64;
                for unit in 0..n {
                    let (c, spans) = run_recorded(w.as_ref(), unit, guard, 0)?;
                    recorded.tasks.extend(spans);
                    sum = sum.wrapping_add(c);
                }
                Ok(sum)
            }
            Strategy::Threads(team) => pull_from_shared_queue(team, w, guard, None, recorded),
            Strategy::GilThreads {
                team,
                switch_interval,
            } => {
                let gil = Arc::new(Gil::new(*switch_interval));
                let sum = pull_from_shared_queue(team, w, guard, Some(Arc::clone(&gil)), recorded);
                *scheduling = Some(gil.scheduling());
                recorded.gil = Some(gil.intervals());
                sum
            }
            Strategy::Rayon { pool, .. } => {
                // One span list per pool thread, each locked only by its own thread: a list
                // shared by all made every task of the timed run contend for one mutex (the
                // threads model collects locally too).
                let threads = pool.current_num_threads().max(1);
                let slots: Vec<Mutex<Vec<Span>>> =
                    (0..threads).map(|_| Mutex::new(Vec::new())).collect();
                let sum = pool.install(|| {
                    (0..n)
                        .into_par_iter()
                        .with_max_len(1)
                        .map(|unit| {
                            let worker = rayon::current_thread_index().unwrap_or(0);
                            let (c, recorded) = run_recorded(w.as_ref(), unit, guard, worker)?;
                            lock(&slots[worker.min(threads - 1)]).extend(recorded);
                            Ok(c)
                        })
                        .try_reduce(|| 0, |a, b| Ok(a.wrapping_add(b)))
                });
                recorded.tasks = slots
                    .into_iter()
                    .flat_map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
                    .collect();
                sum
            }
        }
    }
}

/// What one in-process run recorded, on absolute `CLOCK_MONOTONIC` nanoseconds.
#[derive(Default)]
struct Recorded {
    /// Each unit's spans on the thread that ran it: computing, and waiting on I/O during its
    /// waits (see [`run_recorded`]).
    tasks: Vec<Span>,
    /// `gil-threads`: each lock thread's intervals.
    gil: Option<Vec<super::GilInterval>>,
    /// `gil-threads`: lock thread number → team index.
    gil_workers: Vec<(u64, usize)>,
}

impl Recorded {
    /// Spans relative to the run's start. For `gil-threads` the computing spans are the parts
    /// of each task run while holding the lock, plus the lock waits and I/O with it dropped.
    fn into_timeline(self, workers: Vec<String>, record: &RunRecord) -> Timeline {
        let t0 = record.started_ns;
        let rel = |s: Span| Span {
            start_ns: s.start_ns.saturating_sub(t0),
            end_ns: s.end_ns.saturating_sub(t0),
            ..s
        };
        let spans = match self.gil {
            None => self.tasks.into_iter().map(rel).collect(),
            Some(intervals) => {
                let worker_of = |thread: u64| {
                    self.gil_workers
                        .iter()
                        .find(|(t, _)| *t == thread)
                        .map_or(u32::MAX, |(_, w)| u32::try_from(*w).unwrap_or(u32::MAX))
                };
                let held: Vec<(u32, u64, u64)> = intervals
                    .iter()
                    .filter(|i| i.state == SpanState::Computing)
                    .map(|i| (worker_of(i.thread), i.start_ns, i.end_ns))
                    .collect();
                // The lock's own intervals show the waits (it is dropped for each).
                let computing: Vec<Span> = self
                    .tasks
                    .into_iter()
                    .filter(|s| s.state == SpanState::Computing)
                    .collect();
                let mut spans = Timeline::intersect_held(&computing, &held);
                spans.extend(
                    intervals
                        .iter()
                        .filter(|i| i.state != SpanState::Computing)
                        .map(|i| Span {
                            worker: worker_of(i.thread),
                            task: None,
                            state: i.state,
                            start_ns: i.start_ns,
                            end_ns: i.end_ns,
                        }),
                );
                spans.into_iter().map(rel).collect()
            }
        };
        Timeline {
            sample: None,
            wall_ns: u64::try_from(record.wall.as_nanos()).unwrap_or(u64::MAX),
            workers,
            spans,
        }
    }
}

/// The units of one run, shared by the team's threads: each takes unit indices from one
/// counter until none are left; the first error stops every thread at its next unit.
#[derive(Default)]
struct SharedQueue {
    next: AtomicUsize,
    sum: AtomicU64,
    failed: AtomicBool,
    first_error: Mutex<Option<UnitError>>,
    /// Each unit's span, pushed by each thread once it has drained the queue.
    spans: Mutex<Vec<Span>>,
    /// `gil-threads`: lock thread number → team index.
    gil_workers: Mutex<Vec<(u64, usize)>>,
}

impl SharedQueue {
    fn drain(&self, w: &dyn Workload, pacer: &dyn Pacer, worker: usize) {
        let units = w.unit_count();
        let mut spans = Vec::new();
        while !self.failed.load(Ordering::Relaxed) {
            let unit = self.next.fetch_add(1, Ordering::Relaxed);
            if unit >= units {
                break;
            }
            match run_recorded(w, unit, pacer, worker) {
                Ok((c, recorded)) => {
                    spans.extend(recorded);
                    self.sum.fetch_add(c, Ordering::Relaxed);
                }
                Err(e) => self.fail(e),
            }
        }
        lock(&self.spans).extend(spans);
    }

    fn fail(&self, e: UnitError) {
        self.failed.store(true, Ordering::Relaxed);
        lock(&self.first_error).get_or_insert(e);
    }
}

/// Releases the team on `w`'s units: plain threads pace themselves with `guard`; with a `gil`
/// each thread must hold it to compute.
fn pull_from_shared_queue(
    team: &Team,
    w: Arc<dyn Workload>,
    guard: &RunGuard,
    gil: Option<Arc<Gil>>,
    recorded: &mut Recorded,
) -> UnitResult<u64> {
    let queue = Arc::new(SharedQueue::default());
    let job: Job = {
        let queue = Arc::clone(&queue);
        let guard = guard.clone();
        Arc::new(move |worker| match &gil {
            Some(gil) => {
                let pacer = GilPacer::enter(gil, &guard);
                lock(&queue.gil_workers).push((pacer.thread(), worker));
                queue.drain(w.as_ref(), &pacer, worker);
            }
            None => queue.drain(w.as_ref(), &guard, worker),
        })
    };
    if let Err(message) = team.run(job) {
        queue.fail(UnitError::Failed(message));
    }
    recorded.tasks = std::mem::take(&mut *lock(&queue.spans));
    recorded.gil_workers = std::mem::take(&mut *lock(&queue.gil_workers));
    if let Some(e) = lock(&queue.first_error).take() {
        return Err(e);
    }
    guard.checkpoint()?;
    Ok(queue.sum.load(Ordering::Relaxed))
}

/// What the team runs once per thread per run; the argument is the thread's index.
type Job = Arc<dyn Fn(usize) + Send + Sync>;

/// A persistent team of worker threads: started once, parked between runs, released for each
/// run, shut down on [`Team::shutdown`] or drop.
///
/// The hand-over is built to cost the run as little as possible, since it is inside the timed
/// region: the dispatcher puts the job in each thread's own slot, bumps the generation and
/// unparks each thread (no shared lock for 16 threads to queue on as they wake), and each
/// thread counts itself done on an atomic, the last one unparking the dispatcher once (not a
/// wake-up of the dispatcher per thread).
struct Team {
    shared: Arc<TeamShared>,
    threads: Vec<JoinHandle<()>>,
}

struct TeamShared {
    /// Bumped for each run; a thread runs its job once per generation.
    generation: AtomicU64,
    /// Threads still running the current generation's job (or, at start, still starting).
    running: AtomicUsize,
    shutdown: AtomicBool,
    /// The thread to unpark when `running` reaches 0: whoever started the current run.
    dispatcher: Mutex<Option<std::thread::Thread>>,
    /// Per thread: the job of the current generation, set by the dispatcher.
    jobs: Vec<Mutex<Option<Job>>>,
    /// Per thread: its cumulative cost, updated each time it parks.
    costs: Vec<Mutex<Cost>>,
    /// Per thread: its kernel id, recorded as it starts (before it first counts itself parked).
    tids: Vec<AtomicU32>,
    /// Why a thread's job did not return (a panic), for this run.
    panicked: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl TeamShared {
    /// Parks the calling dispatcher until every thread is done with the current generation.
    fn wait_until_all_parked(&self) {
        while self.running.load(Ordering::Acquire) != 0 {
            std::thread::park();
        }
    }
}

impl Team {
    /// Starts `workers` threads and waits until each is parked, ready for a job.
    fn start(workers: usize) -> Result<Team, String> {
        let shared = Arc::new(TeamShared {
            generation: AtomicU64::new(0),
            running: AtomicUsize::new(workers),
            shutdown: AtomicBool::new(false),
            dispatcher: Mutex::new(Some(std::thread::current())),
            jobs: (0..workers).map(|_| Mutex::new(None)).collect(),
            costs: (0..workers).map(|_| Mutex::new(Cost::default())).collect(),
            tids: (0..workers).map(|_| AtomicU32::new(0)).collect(),
            panicked: Mutex::new(None),
        });
        let mut team = Team {
            shared,
            threads: Vec::with_capacity(workers),
        };
        for i in 0..workers {
            let shared = Arc::clone(&team.shared);
            match std::thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || worker_loop(&shared, i))
            {
                Ok(handle) => team.threads.push(handle),
                Err(e) => {
                    // The threads that never started will not count themselves parked.
                    team.shared.running.fetch_sub(workers - i, Ordering::AcqRel);
                    team.shutdown();
                    return Err(format!(
                        "cannot start thread {i} of {workers}: {e}{}",
                        crate::engine::resources::spawn_hint(&e)
                    ));
                }
            }
        }
        team.shared.wait_until_all_parked();
        Ok(team)
    }

    /// Runs `job` once on every thread and waits until all are parked again. `Err` carries
    /// the message of a job that panicked.
    fn run(&self, job: Job) -> Result<(), String> {
        let shared = &self.shared;
        *lock(&shared.dispatcher) = Some(std::thread::current());
        *lock(&shared.panicked) = None;
        for slot in &shared.jobs {
            *lock(slot) = Some(Arc::clone(&job));
        }
        shared.running.store(self.threads.len(), Ordering::Release);
        shared.generation.fetch_add(1, Ordering::AcqRel);
        for t in &self.threads {
            t.thread().unpark();
        }
        shared.wait_until_all_parked();
        lock(&shared.panicked).take().map_or(Ok(()), Err)
    }

    /// Cumulative cost of each thread as of its last park, keyed by thread index.
    fn costs(&self) -> Snapshot {
        (0..)
            .zip(self.shared.costs.iter().map(|c| *lock(c)))
            .collect()
    }

    /// The kernel id of every thread of the team (each recorded before the team was ready).
    fn tids(&self) -> Vec<u32> {
        self.shared
            .tids
            .iter()
            .map(|t| t.load(Ordering::Acquire))
            .filter(|&t| t != 0)
            .collect()
    }

    /// Wakes every thread to exit and joins it. Safe to call twice.
    fn shutdown(&mut self) {
        self.shared.shutdown.store(true, Ordering::Release);
        for t in &self.threads {
            t.thread().unpark();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A team thread: park, run the job of each new generation, park again; record the thread's
/// cumulative cost at every park, so the wake-up and hand-back count towards the run too.
fn worker_loop(shared: &TeamShared, index: usize) {
    if let Some(tid) = shared.tids.get(index) {
        tid.store(crate::sys::gettid(), Ordering::Release);
    }
    let mut seen = 0u64;
    loop {
        if let Some(cost) = shared.costs.get(index) {
            *lock(cost) = Cost::this_thread();
        }
        if shared.running.fetch_sub(1, Ordering::AcqRel) == 1
            && let Some(dispatcher) = lock(&shared.dispatcher).as_ref()
        {
            dispatcher.unpark();
        }
        loop {
            if shared.shutdown.load(Ordering::Acquire) {
                return;
            }
            let generation = shared.generation.load(Ordering::Acquire);
            if generation != seen {
                seen = generation;
                break;
            }
            std::thread::park();
        }
        let job = shared.jobs.get(index).and_then(|slot| lock(slot).take());
        let outcome = job.map(|job| std::panic::catch_unwind(AssertUnwindSafe(|| job(index))));
        if let Some(Err(payload)) = outcome {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            lock(&shared.panicked)
                .get_or_insert_with(|| format!("worker thread {index} panicked: {what}"));
        }
    }
}

impl Executor for InProcessExecutor {
    fn startup(&self) -> Duration {
        self.startup
    }

    fn worker_pids(&self) -> Option<Vec<u32>> {
        Some(Vec::new())
    }

    fn threads_here(&self) -> Option<Vec<u32>> {
        Some(self.tids.clone())
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        let w = workload::build_in_process(task, env).map_err(UnitError::Failed)?;
        // Keep a reusable workload while this cell lives, so it outlives the runs of other
        // cells in between (every in-process cell holds the same one).
        self.built = workload::reusable_between_runs(task).then(|| Arc::clone(&w));
        self.run_workload(w, guard)
    }

    fn shutdown(&mut self) {
        if let Strategy::Threads(team) | Strategy::GilThreads { team, .. } = &mut self.strategy {
            team.shutdown();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;
    use crate::engine::cpu_time::{process_cpu_time, thread_cpu_time};
    use std::collections::HashSet;
    use std::thread::ThreadId;

    const IN_PROCESS: [ModelKind; 4] = [
        ModelKind::Sequential,
        ModelKind::Threads,
        ModelKind::Rayon,
        ModelKind::GilThreads,
    ];

    fn guard() -> RunGuard {
        RunGuard::new(CancelToken::new(), Duration::from_secs(60))
    }

    fn executor(model: ModelKind, workers: usize) -> InProcessExecutor {
        InProcessExecutor::new(model, workers, Duration::from_millis(1)).expect("executor")
    }

    /// `units` units that each note their thread and then wait (releasing any GIL) until every
    /// unit has started, so that each of `units` workers takes exactly one.
    struct Rendezvous {
        units: usize,
        arrived: AtomicUsize,
        threads: Mutex<HashSet<ThreadId>>,
    }

    impl Rendezvous {
        fn new(units: usize) -> Arc<Self> {
            Arc::new(Rendezvous {
                units,
                arrived: AtomicUsize::new(0),
                threads: Mutex::new(HashSet::new()),
            })
        }
    }

    impl Workload for Rendezvous {
        fn unit_count(&self) -> usize {
            self.units
        }

        fn run_unit(&self, _unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
            lock(&self.threads).insert(std::thread::current().id());
            self.arrived.fetch_add(1, Ordering::SeqCst);
            while self.arrived.load(Ordering::SeqCst) < self.units {
                pacer.wait(Duration::from_millis(1))?;
            }
            Ok(1)
        }
    }

    #[test]
    fn a_reusable_workload_is_built_once_per_task_and_shared_and_an_io_one_every_run() {
        let mut exec = executor(ModelKind::Threads, 2);
        let env = RunEnv {
            workers: 2,
            scratch_dir: std::env::temp_dir(),
            shared_file: None,
        };
        let mut task = TaskSpec {
            kind: crate::preset::TaskKind::Memory,
            tasks: 4,
            ..TaskSpec::default()
        };
        task.memory.array_mib = 1;
        let kept = |exec: &InProcessExecutor| exec.built.as_ref().map(Arc::clone);
        let first = exec.run(&task, &env, &guard()).unwrap();
        let built = kept(&exec).expect("the memory arrays are kept");
        let second = exec.run(&task, &env, &guard()).unwrap();
        assert!(
            Arc::ptr_eq(&built, &kept(&exec).unwrap()),
            "run 2 reused them"
        );
        assert_eq!(first.metrics.checksum, second.metrics.checksum);
        // Another cell of the same task shares the same arrays: the process holds one copy.
        let mut other = executor(ModelKind::Rayon, 2);
        other.run(&task, &env, &guard()).unwrap();
        assert!(Arc::ptr_eq(&built, &kept(&other).unwrap()));
        // Another size is another workload.
        task.memory.array_mib = 2;
        exec.run(&task, &env, &guard()).unwrap();
        assert!(!Arc::ptr_eq(&built, &kept(&exec).unwrap()));
        // I/O writes files and sleeps: nothing is kept.
        let io = TaskSpec {
            kind: crate::preset::TaskKind::Io,
            tasks: 2,
            ..TaskSpec::default()
        };
        exec.run(&io, &env, &guard()).unwrap();
        assert!(kept(&exec).is_none());
        exec.shutdown();
    }

    #[test]
    fn the_shared_input_is_built_as_the_cell_starts_so_no_run_builds_it() {
        // A size no other test uses, so the shared slot is this test's.
        let mut task = TaskSpec {
            kind: crate::preset::TaskKind::Memory,
            tasks: 4,
            ..TaskSpec::default()
        };
        task.memory.array_mib = 3;
        let env = RunEnv {
            workers: 1,
            scratch_dir: std::env::temp_dir(),
            shared_file: None,
        };
        // Whichever in-process cell starts first builds it; the others share it.
        let mut first = executor(ModelKind::Sequential, 1);
        first.hold_shared_input(&task, &env);
        let held = first
            .built
            .as_ref()
            .map(Arc::clone)
            .expect("built at start");
        let mut second = executor(ModelKind::Threads, 1);
        second.hold_shared_input(&task, &env);
        assert!(Arc::ptr_eq(&held, second.built.as_ref().unwrap()));
        // Any run, of any cell in any order, finds it built: none builds it.
        let again =
            workload::shared::workload(&task, || panic!("a run built the input")).expect("held");
        assert!(Arc::ptr_eq(&held, &again));
        second.run(&task, &env, &guard()).unwrap();
        first.run(&task, &env, &guard()).unwrap();
        assert!(Arc::ptr_eq(&held, first.built.as_ref().unwrap()));
        second.shutdown();
        // A task built afresh for every run holds nothing.
        let io = TaskSpec {
            kind: crate::preset::TaskKind::Io,
            tasks: 2,
            ..TaskSpec::default()
        };
        let mut exec = executor(ModelKind::Sequential, 1);
        exec.hold_shared_input(&io, &env);
        assert!(exec.built.is_none());
    }

    #[test]
    fn an_executor_names_exactly_its_own_worker_threads() {
        let live = || -> HashSet<u32> {
            std::fs::read_dir("/proc/self/task")
                .expect("/proc/self/task")
                .flatten()
                .filter_map(|t| t.file_name().to_str()?.parse().ok())
                .collect()
        };
        for model in [ModelKind::Threads, ModelKind::GilThreads, ModelKind::Rayon] {
            let mut exec = executor(model, 5);
            let tids = exec.threads_here().expect("in-process threads are known");
            let distinct: HashSet<u32> = tids.iter().copied().collect();
            assert_eq!(tids.len(), 5, "{model}: one per worker: {tids:?}");
            assert_eq!(distinct.len(), 5, "{model}: all distinct: {tids:?}");
            assert!(distinct.is_subset(&live()), "{model}: all live: {tids:?}");
            assert!(
                !distinct.contains(&crate::sys::gettid()),
                "{model}: the dispatcher is not one of them"
            );
            // A second executor's threads are its own, not the first's.
            let other = executor(model, 2);
            let theirs: HashSet<u32> = other.threads_here().unwrap().into_iter().collect();
            assert_eq!(theirs.len(), 2, "{model}");
            assert!(theirs.is_disjoint(&distinct), "{model}");
            exec.shutdown();
        }
        // Sequential runs on the dispatcher alone.
        assert_eq!(
            executor(ModelKind::Sequential, 1).threads_here(),
            Some(Vec::new())
        );
    }

    #[test]
    fn thread_teams_start_before_the_first_run_and_serve_every_run() {
        for model in [ModelKind::Threads, ModelKind::GilThreads] {
            let mut exec = executor(model, 3);
            assert!(exec.startup() > Duration::ZERO, "{model}");
            let mut seen = Vec::new();
            for _ in 0..3 {
                let w = Rendezvous::new(3);
                let record = exec.run_workload(w.clone(), &guard()).expect("run");
                assert_eq!(record.metrics.checksum, 3);
                seen.push(lock(&w.threads).clone());
            }
            assert_eq!(seen[0].len(), 3, "{model}: one unit per team thread");
            assert!(seen.iter().all(|s| *s == seen[0]), "{model}: {seen:?}");
            assert!(!seen[0].contains(&std::thread::current().id()));
            exec.shutdown();
            exec.shutdown();
        }
    }

    #[test]
    fn the_rayon_pool_is_built_and_running_before_the_first_run() {
        let exec = executor(ModelKind::Rayon, 2);
        assert!(exec.startup() > Duration::ZERO);
    }

    #[test]
    fn reading_the_rayon_threads_cpu_time_does_not_wake_them() {
        // The readings around a run had been `broadcast` jobs: each woke the pool, and its
        // threads' spinning before they slept again landed in the run (rayon × 1 read 2.11
        // cores on runs of 41 µs). Now they are read from outside: a reading needs nothing of
        // the pool's threads, so it returns even while the only one is held by a job.
        let exec = executor(ModelKind::Rayon, 1);
        let Strategy::Rayon { pool, clocks } = &exec.strategy else {
            panic!("a rayon pool");
        };
        assert_eq!(clocks.as_ref().map(Vec::len), Some(1), "its thread's clock");
        let (held, is_held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (outcome, got) = std::sync::mpsc::channel();
        pool.spawn(move || {
            held.send(()).unwrap();
            // A reading that needed this thread would wait for this job to end: 30 s.
            outcome
                .send(released.recv_timeout(Duration::from_secs(30)).is_ok())
                .unwrap();
        });
        is_held.recv().unwrap();
        let reading = exec.workers_cost();
        release.send(()).unwrap();
        assert!(
            got.recv().unwrap(),
            "the reading waited for the pool's thread"
        );
        assert_eq!(reading.len(), 1, "{reading:?}");
        assert_eq!(reading[0].0, 0, "keyed by the thread's index");
        assert_eq!(exec.threads_here().map(|t| t.len()), Some(1));
    }

    /// Units that wait (costing next to no CPU) until `done` is set.
    struct WaitFor {
        started: Arc<AtomicBool>,
        done: Arc<AtomicBool>,
    }

    impl Workload for WaitFor {
        fn unit_count(&self) -> usize {
            2
        }

        fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
            self.started.store(true, Ordering::SeqCst);
            while !self.done.load(Ordering::SeqCst) {
                pacer.wait(Duration::from_millis(5))?;
            }
            Ok(unit as u64)
        }
    }

    #[test]
    fn a_runs_cpu_time_excludes_a_busy_thread_outside_the_model() {
        const BURN: Duration = Duration::from_millis(200);
        for model in IN_PROCESS {
            let mut exec = executor(model, 2);
            let started = Arc::new(AtomicBool::new(false));
            let done = Arc::new(AtomicBool::new(false));
            let w = Arc::new(WaitFor {
                started: Arc::clone(&started),
                done: Arc::clone(&done),
            });
            let process_before = process_cpu_time();
            let record = std::thread::scope(|s| {
                // Stands for the GUI thread and the CPU meter: busy during the whole run.
                let burner = s.spawn(|| {
                    while !started.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    let from = thread_cpu_time();
                    let mut x = 1u64;
                    while thread_cpu_time() - from < BURN {
                        for _ in 0..1000 {
                            x = crate::engine::workload::splitmix64(x);
                        }
                    }
                    done.store(true, Ordering::SeqCst);
                    std::hint::black_box(x);
                });
                let record = exec.run_workload(w, &guard());
                burner.join().expect("burner");
                record.expect("run")
            });
            let process = process_cpu_time() - process_before;
            assert!(process >= BURN, "{model}: RUSAGE_SELF would include it");
            assert!(
                record.cpu < BURN / 2,
                "{model}: the run's CPU {:?} includes the unrelated thread",
                record.cpu
            );
            assert_eq!(record.metrics.checksum, 1);
        }
    }

    /// Units that each burn 20 ms of their thread's CPU time and add up what they measured.
    #[derive(Default)]
    struct Burns {
        measured_ns: AtomicU64,
    }

    impl Workload for Burns {
        fn unit_count(&self) -> usize {
            4
        }

        fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
            let from = thread_cpu_time();
            let mut x = unit as u64;
            while thread_cpu_time() - from < Duration::from_millis(20) {
                for _ in 0..1000 {
                    x = crate::engine::workload::splitmix64(x);
                }
                pacer.checkpoint()?;
            }
            let spent = thread_cpu_time() - from;
            self.measured_ns
                .fetch_add(spent.as_nanos() as u64, Ordering::SeqCst);
            Ok(x)
        }
    }

    #[test]
    fn a_runs_cpu_time_includes_every_unit_on_every_worker_thread() {
        for model in IN_PROCESS {
            let mut exec = executor(model, 2);
            let w = Arc::new(Burns::default());
            let record = exec.run_workload(w.clone(), &guard()).expect("run");
            let units = Duration::from_nanos(w.measured_ns.load(Ordering::SeqCst));
            assert!(units >= Duration::from_millis(80));
            assert!(
                record.cpu >= units,
                "{model}: run CPU {:?} < the units' own {units:?}",
                record.cpu
            );
        }
    }

    struct Panics;

    impl Workload for Panics {
        fn unit_count(&self) -> usize {
            4
        }

        fn run_unit(&self, unit: usize, _pacer: &dyn Pacer) -> UnitResult<u64> {
            if unit == 2 {
                panic!("unit two is broken");
            }
            Ok(1)
        }
    }

    #[test]
    fn a_panicking_unit_fails_the_run_and_the_team_serves_the_next() {
        let mut exec = executor(ModelKind::Threads, 2);
        match exec.run_workload(Arc::new(Panics), &guard()) {
            Err(UnitError::Failed(msg)) => assert!(msg.contains("unit two is broken"), "{msg}"),
            other => panic!("expected a failure, got {other:?}"),
        }
        let record = exec
            .run_workload(Rendezvous::new(2), &guard())
            .expect("the team still works");
        assert_eq!(record.metrics.checksum, 2);
    }

    #[test]
    fn a_cancelled_run_stops_the_team_and_reports_cancellation() {
        let mut exec = executor(ModelKind::Threads, 2);
        let cancel = CancelToken::new();
        cancel.cancel();
        let guard = RunGuard::new(cancel, Duration::from_secs(60));
        let result = exec.run_workload(Rendezvous::new(2), &guard);
        assert!(matches!(result, Err(UnitError::Cancelled)), "{result:?}");
    }
}

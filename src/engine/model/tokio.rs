//! The `tokio` model: concurrency without parallelism. One current-thread tokio runtime, built
//! before the first timed region, runs every unit of a run on the dispatching thread itself,
//! with at most N units in flight (N = the worker count).
//!
//! - `io` sleep units await `tokio::time::sleep`: a thousand waits overlap on one OS thread.
//! - `io` file units write, fsync and read back through `tokio::fs` (which hands each file
//!   operation to tokio's blocking pool: the only threads besides the dispatcher). Before the
//!   first run of a file task, untimed, the pool is warmed to N threads (one per unit in
//!   flight, each unit having at most one file operation at a time), and idle threads are kept
//!   for [`BLOCKING_KEEP_ALIVE`] rather than tokio's 10 s, so they do not stop and start again
//!   between runs. The pool can still start a thread inside a run: tokio starts one whenever
//!   no thread is idle, and a thread that has just finished an operation is not idle again
//!   until it has looked at the queue, so a unit's next operation can come a moment too early.
//!   The pool's threads count in the run's `cpu` like any model's worker threads: each
//!   registers as it starts and retires as it stops ([`PoolThreads`]), so one that stops
//!   mid-run counts up to its stop and one started mid-run counts in full.
//! - `cpu` units and the compute part of `mixed` units run inline and block the loop: nothing
//!   else in flight makes progress meanwhile. That is the lesson.
//!
//! Checksums are those of the other models (same per-unit values, wrapping sum).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use super::pool_threads::PoolThreads;
use super::{Executor, RunRecord, timed_run};
use crate::engine::pacer::{Pacer, RunGuard, UnitError, UnitResult};
use crate::engine::workload::io::{FNV_OFFSET, Pattern, fnv1a_update};
use crate::engine::workload::mixed::{compute_for, mixed_checksum};
use crate::engine::workload::{self, IO_CHUNK_BYTES, RunEnv, Workload, splitmix64};
use crate::preset::{IoMode, TaskKind, TaskSpec};

/// Longest a waiting unit sleeps before it looks at the cancel token again.
const CANCEL_SLICE: Duration = Duration::from_millis(10);

/// How long an idle blocking-pool thread is kept (tokio's default is 10 s): longer than any
/// pause between two runs of a cell, so the threads the warm-up started serve every run.
pub const BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(24 * 60 * 60);

/// tokio's cap on the blocking pool's threads (`max_blocking_threads`, left at its default):
/// the warm-up starts at most this many.
const MAX_BLOCKING_THREADS: usize = 512;

/// How long the warm-up's jobs wait for one another (all `n` running at once, so the pool has
/// `n` threads); past it the warm-up goes on: it only keeps thread start-up out of timing.
const WARM_UP_PATIENCE: Duration = Duration::from_secs(60);

pub struct TokioExecutor {
    runtime: Runtime,
    /// The runtime's blocking pool (the threads of `tokio::fs`), whose CPU time a run counts.
    blocking: PoolThreads,
    in_flight: usize,
    startup: Duration,
    /// Whether the blocking pool has been warmed (see [`Self::warm_blocking_pool`]).
    warmed: bool,
    /// The task's shared input, built before any run and held while this cell lives
    /// ([`Self::hold_shared_input`]).
    input: Option<Arc<dyn Workload>>,
}

impl TokioExecutor {
    /// Builds the runtime (untimed): one thread, the caller's, with a timer. Its blocking pool
    /// has no thread yet: the first run of a file task warms it (see [`Executor::run`]), and
    /// its idle threads are kept [`BLOCKING_KEEP_ALIVE`].
    pub fn new(in_flight: usize) -> Result<Self, String> {
        Self::with_keep_alive(in_flight, None)
    }

    /// [`new`](Self::new), with the blocking pool's idle threads kept `keep_alive`
    /// ([`BLOCKING_KEEP_ALIVE`] without it).
    fn with_keep_alive(in_flight: usize, keep_alive: Option<Duration>) -> Result<Self, String> {
        let started = Instant::now();
        let blocking = PoolThreads::default();
        let (starts, stops) = (blocking.clone(), blocking.clone());
        let mut builder = tokio::runtime::Builder::new_current_thread();
        builder
            .enable_time()
            .on_thread_start(move || starts.register_current())
            .on_thread_stop(move || stops.retire_current());
        builder
            .thread_keep_alive(keep_alive.unwrap_or(BLOCKING_KEEP_ALIVE))
            .max_blocking_threads(MAX_BLOCKING_THREADS);
        let runtime = builder
            .build()
            .map_err(|e| format!("cannot build a tokio runtime: {e}"))?;
        // The timer and the scheduler have run once before any timed region.
        runtime.block_on(async { tokio::time::sleep(Duration::from_micros(1)).await });
        Ok(TokioExecutor {
            runtime,
            blocking,
            in_flight: in_flight.max(1),
            startup: started.elapsed(),
            warmed: false,
            input: None,
        })
    }

    /// Builds the task's shared input now and holds it while this cell lives
    /// ([`workload::shared::build_before_runs`]), untimed and before any run: as the in-process
    /// cells do, so that no run is charged for it. Nothing for a task built afresh every run.
    pub fn hold_shared_input(&mut self, task: &TaskSpec, env: &RunEnv) {
        self.input = workload::shared::build_before_runs(task, env);
    }

    /// Starts `n` blocking-pool threads (at most [`MAX_BLOCKING_THREADS`]), untimed: `n` jobs
    /// that each wait until all `n` run. The pool starts a thread for a job whenever none is
    /// idle, and none is until the jobs return, so it has `n` threads after (more if it had
    /// some already: it never has fewer).
    fn warm_blocking_pool(&self, n: usize) {
        let n = n.clamp(1, MAX_BLOCKING_THREADS);
        let arrived = Arc::new((std::sync::Mutex::new(0usize), std::sync::Condvar::new()));
        let jobs: Vec<_> = (0..n)
            .map(|_| {
                let arrived = Arc::clone(&arrived);
                self.runtime.spawn_blocking(move || {
                    let (count, all_here) = &*arrived;
                    let mut count = count.lock().unwrap_or_else(|p| p.into_inner());
                    *count += 1;
                    all_here.notify_all();
                    let _ = all_here
                        .wait_timeout_while(count, WARM_UP_PATIENCE, |c| *c < n)
                        .unwrap_or_else(|p| p.into_inner());
                })
            })
            .collect();
        self.runtime.block_on(async {
            for job in jobs {
                // A job that failed only leaves the pool less warm.
                let _ = job.await;
            }
        });
    }

    /// Runs every unit of `plan`, at most `in_flight` at a time; returns the checksum sum.
    fn run_units(&self, plan: Arc<Plan>, guard: &RunGuard) -> UnitResult<u64> {
        let total = plan.units;
        let limit = self.in_flight;
        self.runtime.block_on(async move {
            let mut set: JoinSet<UnitResult<u64>> = JoinSet::new();
            let mut next = 0usize;
            let mut sum = 0u64;
            loop {
                while set.len() < limit && next < total {
                    let (plan, guard, unit) = (Arc::clone(&plan), guard.clone(), next);
                    set.spawn(async move { plan.run_unit(unit, &guard).await });
                    next += 1;
                }
                let Some(joined) = set.join_next().await else {
                    return Ok(sum);
                };
                let checksum = joined
                    .map_err(|e| UnitError::Failed(format!("a tokio task failed: {e}")))??;
                sum = sum.wrapping_add(checksum);
            }
        })
    }
}

/// What each unit of one run does.
struct Plan {
    units: usize,
    kind: Kind,
    /// The input each unit carries, for the kinds run here rather than by the workload (whose
    /// own units carry it).
    payload: Option<Arc<workload::payload::Payload>>,
}

enum Kind {
    /// Inline on the loop: the workload's own unit (cpu).
    Blocking(Arc<dyn Workload>),
    Sleep(Duration),
    File {
        bytes: u64,
        dir: PathBuf,
    },
    Mixed {
        compute: Duration,
        wait: Duration,
    },
}

impl Plan {
    fn new(task: &TaskSpec, env: &RunEnv, w: Arc<dyn Workload>) -> Result<Self, String> {
        let ms = |field: &str, v: f64| {
            Duration::try_from_secs_f64(v / 1000.0)
                .map_err(|_| format!("`{field}` = {v}: not a duration"))
        };
        let kind = match task.kind {
            TaskKind::Cpu => Kind::Blocking(Arc::clone(&w)),
            TaskKind::Io => match task.io.mode {
                IoMode::Sleep => Kind::Sleep(ms("task.io.sleep_ms", task.io.sleep_ms)?),
                IoMode::File => Kind::File {
                    bytes: task.io.file_kib.saturating_mul(1024),
                    dir: env.scratch_dir.clone(),
                },
            },
            TaskKind::Mixed => Kind::Mixed {
                compute: ms("task.mixed.compute_ms", task.mixed.compute_ms)?,
                wait: ms("task.mixed.wait_ms", task.mixed.wait_ms)?,
            },
            other => return Err(format!("the tokio model does not run {other} tasks")),
        };
        let payload = match kind {
            Kind::Blocking(_) => None,
            _ => w.payload().cloned(),
        };
        Ok(Plan {
            units: w.unit_count(),
            kind,
            payload,
        })
    }

    async fn run_unit(&self, unit: usize, guard: &RunGuard) -> UnitResult<u64> {
        let checksum = self.run_kind(unit, guard).await?;
        if let Some(p) = &self.payload {
            p.carry();
        }
        Ok(checksum)
    }

    async fn run_kind(&self, unit: usize, guard: &RunGuard) -> UnitResult<u64> {
        guard.checkpoint()?;
        match &self.kind {
            Kind::Blocking(w) => w.run_unit(unit, guard),
            Kind::Sleep(d) => {
                sleep(*d, guard).await?;
                Ok(splitmix64(unit as u64))
            }
            Kind::Mixed { compute, wait } => {
                compute_for(*compute, unit, guard)?;
                sleep(*wait, guard).await?;
                Ok(mixed_checksum(unit))
            }
            Kind::File { bytes, dir } => {
                let path = dir.join(format!("unit-{unit}-{}.bin", std::process::id()));
                let result = file_round_trip(&path, unit, *bytes, guard).await;
                tokio::fs::remove_file(&path).await.ok();
                result
            }
        }
    }
}

/// Awaits `d` on the runtime's timer, waking every [`CANCEL_SLICE`] to notice cancel and the
/// run's deadline.
async fn sleep(d: Duration, guard: &RunGuard) -> UnitResult<()> {
    let until = tokio::time::Instant::now() + d;
    loop {
        guard.checkpoint()?;
        let now = tokio::time::Instant::now();
        if now >= until {
            return Ok(());
        }
        tokio::time::sleep_until(until.min(now + CANCEL_SLICE)).await;
    }
}

/// The `io` file unit of the other models, through `tokio::fs`: the same bytes, the same
/// FNV-1a hash of what is read back, the file created exclusively.
async fn file_round_trip(
    path: &std::path::Path,
    unit: usize,
    bytes: u64,
    guard: &RunGuard,
) -> UnitResult<u64> {
    let io = |e: std::io::Error| UnitError::Failed(format!("I/O error: {e}"));
    let mut file = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .await
        .map_err(io)?;
    let mut pat = Pattern::new(unit);
    let mut buf = vec![0u8; IO_CHUNK_BYTES];
    let mut left = bytes;
    while left > 0 {
        guard.checkpoint()?;
        let n = left.min(IO_CHUNK_BYTES as u64) as usize;
        pat.fill(&mut buf[..n]);
        file.write_all(&buf[..n]).await.map_err(io)?;
        left -= n as u64;
    }
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    file.seek(std::io::SeekFrom::Start(0)).await.map_err(io)?;
    let mut pat = Pattern::new(unit);
    let mut expected = vec![0u8; IO_CHUNK_BYTES];
    let (mut hash, mut read) = (FNV_OFFSET, 0u64);
    loop {
        let n = file.read(&mut buf).await.map_err(io)?;
        if n == 0 {
            break;
        }
        pat.fill(&mut expected[..n]);
        if buf[..n] != expected[..n] {
            return Err(UnitError::Failed(format!(
                "file I/O: what was read back differs from the {bytes} bytes written, from byte {read}"
            )));
        }
        hash = fnv1a_update(hash, &buf[..n]);
        read += n as u64;
    }
    if read != bytes {
        return Err(UnitError::Failed(format!(
            "file I/O: read back {read} of the {bytes} bytes written"
        )));
    }
    Ok(hash)
}

impl Executor for TokioExecutor {
    fn startup(&self) -> Duration {
        self.startup
    }

    /// No worker processes: the costs besides time are this process's, as for the other
    /// in-process models.
    fn worker_pids(&self) -> Option<Vec<u32>> {
        Some(Vec::new())
    }

    /// The runtime runs on the dispatcher; besides it, the blocking pool's threads live now
    /// (one that stopped during the run is gone from `/proc`, its switches lost).
    fn threads_here(&self) -> Option<Vec<u32>> {
        Some(self.blocking.live_tids())
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        let w: Arc<dyn Workload> =
            workload::build_in_process(task, env).map_err(UnitError::Failed)?;
        let plan = Arc::new(Plan::new(task, env, Arc::clone(&w)).map_err(UnitError::Failed)?);
        if matches!(plan.kind, Kind::File { .. }) && !self.warmed {
            // Untimed: the blocking threads the file operations will run on.
            self.warm_blocking_pool(self.in_flight);
            self.warmed = true;
        }
        timed_run(
            w.as_ref(),
            self,
            // Every unit runs on the dispatching thread, which `timed_run` counts; file
            // operations on the blocking pool's threads.
            |me| me.blocking.snapshot(),
            |me| Ok((me.run_units(plan, guard)?, None)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;
    use crate::engine::cpu_time::{Cost, burn, spent_between};
    use crate::engine::model::InProcessExecutor;
    use crate::preset::ModelKind;

    fn env(dir: &std::path::Path, workers: usize) -> RunEnv {
        RunEnv {
            workers,
            scratch_dir: dir.to_path_buf(),
            shared_file: None,
        }
    }

    fn task(kind: TaskKind) -> TaskSpec {
        let mut t = TaskSpec {
            kind,
            tasks: 12,
            ..TaskSpec::default()
        };
        t.cpu.size = 20_000;
        t.io.sleep_ms = 2.0;
        t.io.file_kib = 70;
        t.mixed.compute_ms = 0.5;
        t.mixed.wait_ms = 1.0;
        t
    }

    #[test]
    fn every_task_kind_it_runs_has_the_checksum_of_the_threads_model() {
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let mut tokio = TokioExecutor::new(4).expect("runtime");
        let mut threads =
            InProcessExecutor::new(ModelKind::Threads, 4, Duration::from_millis(5)).expect("team");
        let mut same_checksum = |t: &TaskSpec, what: String| {
            let a = tokio
                .run(t, &env(dir.path(), 4), &guard)
                .expect("tokio run");
            let b = threads
                .run(t, &env(dir.path(), 4), &guard)
                .expect("threads run");
            assert_eq!(a.metrics.checksum, b.metrics.checksum, "{what}");
        };
        for mode in [IoMode::Sleep, IoMode::File] {
            let mut t = task(TaskKind::Io);
            t.io.mode = mode;
            same_checksum(&t, format!("io {mode:?}"));
        }
        for kind in [TaskKind::Cpu, TaskKind::Mixed] {
            same_checksum(&task(kind), kind.to_string());
        }
        threads.shutdown();
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "unit files removed"
        );
    }

    /// `tokio` builds its workload like the in-process models: every unit of every kind it
    /// runs carries `task.payload_kib`, as the threads model's do.
    #[test]
    fn every_unit_carries_the_payload_like_the_threads_model() {
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let tokio = TokioExecutor::new(4).expect("runtime");
        let mut threads =
            InProcessExecutor::new(ModelKind::Threads, 4, Duration::from_millis(5)).expect("team");
        for (kind, mode) in [
            (TaskKind::Cpu, IoMode::Sleep),
            (TaskKind::Io, IoMode::Sleep),
            (TaskKind::Io, IoMode::File),
            (TaskKind::Mixed, IoMode::Sleep),
        ] {
            let mut t = task(kind);
            t.io.mode = mode;
            t.payload_kib = 3;
            let env = env(dir.path(), 4);
            let w: Arc<dyn Workload> = workload::build_in_process(&t, &env).expect("built");
            let payload = Arc::clone(w.payload().expect("a payload"));
            assert_eq!(payload.len(), 3 * 1024);
            let plan = Arc::new(Plan::new(&t, &env, Arc::clone(&w)).expect("plan"));
            tokio.run_units(plan, &guard).expect("tokio run");
            assert_eq!(payload.carried(), t.tasks as usize, "tokio {kind} {mode:?}");
            let w: Arc<dyn Workload> = workload::build_in_process(&t, &env).expect("built");
            let payload = Arc::clone(w.payload().expect("a payload"));
            threads.run_workload(w, &guard).expect("threads run");
            assert_eq!(
                payload.carried(),
                t.tasks as usize,
                "threads {kind} {mode:?}"
            );
        }
        threads.shutdown();
    }

    /// `io` file units run their file operations on tokio's blocking pool, whose threads'
    /// CPU time is read from outside; work of a known CPU cost on one of them is read in full.
    #[test]
    fn the_blocking_pool_threads_are_read_from_outside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let mut tokio = TokioExecutor::new(4).expect("runtime");
        assert_eq!(
            tokio.blocking.live(),
            0,
            "the dispatcher is not a pool thread"
        );
        let mut t = task(TaskKind::Io);
        t.io.mode = IoMode::File;
        let before = tokio.blocking.snapshot();
        tokio.run(&t, &env(dir.path(), 4), &guard).expect("run");
        let files = spent_between(&before, &tokio.blocking.snapshot());
        assert!(
            tokio.blocking.live() > 0,
            "file units ran on the blocking pool"
        );
        assert!(files.cpu > Duration::ZERO, "{files:?}");
        let burnt = Duration::from_millis(30);
        let (_, spent) = burn_on_the_pool(&tokio, burnt);
        assert!(spent.cpu >= burnt, "{spent:?}");
    }

    /// The warm-up leaves the blocking pool with exactly the threads asked for, each started
    /// (registered by its start hook) before it returns.
    #[test]
    fn the_warm_up_starts_the_blocking_threads_asked_for() {
        let tokio = TokioExecutor::new(5).expect("runtime");
        assert_eq!(tokio.blocking.live(), 0);
        tokio.warm_blocking_pool(5);
        assert_eq!(tokio.blocking.live(), 5);
        // A second warm-up reuses them.
        tokio.warm_blocking_pool(3);
        assert_eq!(tokio.blocking.live(), 5);
    }

    /// The first run of a file task warms the blocking pool to one thread per unit in flight
    /// before its timed region: with a single unit, whose file operations run one after another
    /// (one or two threads on their own), the pool has all 4 threads after the run. A run of
    /// sleeps starts none.
    #[test]
    fn a_file_run_warms_the_blocking_pool_first_and_a_sleep_run_does_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let mut tokio = TokioExecutor::new(4).expect("runtime");
        let mut t = task(TaskKind::Io);
        t.tasks = 1;
        tokio
            .run(&t, &env(dir.path(), 4), &guard)
            .expect("sleep run");
        assert_eq!(tokio.blocking.live(), 0, "sleeps need no blocking thread");
        t.io.mode = IoMode::File;
        tokio
            .run(&t, &env(dir.path(), 4), &guard)
            .expect("file run");
        assert!(tokio.blocking.live() >= 4, "{}", tokio.blocking.live());
    }

    /// Burns `cpu` of CPU time in one blocking job: the pool's reading from before the job,
    /// and what the pool spent by the time it returned.
    fn burn_on_the_pool(
        tokio: &TokioExecutor,
        cpu: Duration,
    ) -> (crate::engine::cpu_time::Snapshot, Cost) {
        let before = tokio.blocking.snapshot();
        tokio
            .runtime
            .block_on(tokio.runtime.spawn_blocking(move || burn(cpu)))
            .expect("burnt");
        let spent = spent_between(&before, &tokio.blocking.snapshot());
        (before, spent)
    }

    /// A run's `cpu` counts what the blocking pool's threads spent during it: with a blocking
    /// job computing all through a run of sleeps (at least 100 ms of them, a core left free),
    /// the run's `cpu` exceeds everything the dispatching thread spent in the whole call.
    #[test]
    fn a_runs_cpu_time_includes_the_blocking_pool() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let mut tokio = TokioExecutor::new(1).expect("runtime");
        let stop = Arc::new(AtomicBool::new(false));
        let burning = Arc::clone(&stop);
        let burner = tokio.runtime.spawn_blocking(move || {
            while !burning.load(Ordering::Relaxed) {
                burn(Duration::from_micros(200));
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio.blocking.live() == 0 {
            assert!(Instant::now() < deadline, "the blocking job never started");
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut t = task(TaskKind::Io);
        t.tasks = 20;
        t.io.sleep_ms = 5.0;
        let dispatcher_before = Cost::this_thread();
        let record = tokio.run(&t, &env(dir.path(), 1), &guard);
        let dispatcher = Cost::this_thread().since(dispatcher_before);
        stop.store(true, Ordering::Relaxed);
        tokio.runtime.block_on(burner).expect("stopped");
        let record = record.expect("run");
        assert!(
            record.cpu > dispatcher.cpu,
            "run {:?} of CPU time, the dispatching thread {:?} over the whole call",
            record.cpu,
            dispatcher.cpu
        );
    }

    /// A blocking thread that stops mid-run (idle past its keep-alive) counts up to its stop:
    /// its CPU time is not lost with it.
    #[test]
    fn a_blocking_thread_that_stops_mid_run_still_counts() {
        let tokio =
            TokioExecutor::with_keep_alive(2, Some(Duration::from_millis(1))).expect("runtime");
        let burnt = Duration::from_millis(30);
        let (before, _) = burn_on_the_pool(&tokio, burnt);
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio.blocking.live() > 0 {
            assert!(
                Instant::now() < deadline,
                "the idle blocking thread never stopped"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let spent = spent_between(&before, &tokio.blocking.snapshot());
        assert!(spent.cpu >= burnt, "{spent:?}");
    }

    #[test]
    fn a_cancelled_run_stops_its_sleeps() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cancel = CancelToken::new();
        let guard = RunGuard::new(cancel.clone(), Duration::from_secs(60));
        let mut t = task(TaskKind::Io);
        t.io.sleep_ms = 30_000.0;
        let mut tokio = TokioExecutor::new(8).expect("runtime");
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            cancel.cancel();
        });
        let started = Instant::now();
        let r = tokio.run(&t, &env(dir.path(), 8), &guard);
        canceller.join().expect("joined");
        assert!(matches!(r, Err(UnitError::Cancelled)), "{:?}", r.err());
        assert!(started.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn refuses_tasks_it_cannot_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(30));
        let mut t = task(TaskKind::Contention);
        t.contention.increments = 10;
        let mut tokio = TokioExecutor::new(2).expect("runtime");
        let Err(UnitError::Failed(msg)) = tokio.run(&t, &env(dir.path(), 2), &guard) else {
            panic!("contention is refused");
        };
        assert!(msg.contains("contention"), "{msg}");
    }
}

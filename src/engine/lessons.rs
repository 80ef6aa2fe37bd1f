//! `corelab selftest --lessons`: the lessons corelab exists to show, measured on this machine.
//!
//! These are measurements, not tests of corelab's logic (that is `cargo test`, with scripted
//! executors): each lesson runs a small sweep with the real executors, prints its measured
//! figure next to the expectation, and passes or fails. The thresholds follow the core count
//! (`cores`) and hold on a quiet 2-core machine; on a busy one the sweep's load sampling says
//! so next to the figure, and a lesson that keeps failing there, or whose measurement cannot
//! tell (threads that never ran at once), is measured again and then skipped, saying why,
//! rather than passed or failed on noise. Runs under 0.1 s are too short to be judged one by
//! one from /proc/stat's 10 ms ticks: their cells' pooled ticks mark them (see
//! [`super::load`]).

use serde::Serialize;

use super::cancel::CancelToken;
use super::error::EngineError;
use super::model::WorkerCommand;
use super::sweep::{SweepConfig, preflight_with, run_sweep};
use crate::preset::{
    Baseline, CpuKernel, Experiment, IoMode, ModelKind, StartMethod, SyncMode, TaskKind, TaskSpec,
};
use crate::results::{
    CellResult, CellStatus, LostShare, PythonInfo, ResultsFile, gil_rule, lost_share,
};

/// Whether a lesson showed on this machine. In JSON every variant is an object tagged by
/// `kind`: `{"kind": "pass"}`, `{"kind": "fail"}`, `{"kind": "skipped", "reason": "…"}`,
/// `{"kind": "inconclusive", "reason": "…"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "reason")]
pub enum Verdict {
    Pass,
    Fail,
    /// Could not be measured here (no python3, a single core), with the reason.
    Skipped(String),
    /// Measured, but the measurement cannot tell whether the lesson holds, with the reason:
    /// the workers never ran at once (another program had the other core), or the runs were
    /// too short to tell whether other programs competed for the cores. Measured again; if
    /// every attempt is inconclusive the lesson reads SKIP, neither passed nor failed on noise.
    Inconclusive(String),
}

/// One measured lesson.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// The lesson in words.
    pub name: String,
    /// What was measured, e.g. "gil-threads × 2: 1.01× (0.99–1.03×), threads × 2: 1.93×
    /// (1.85–2.01×)".
    pub figure: String,
    /// What it takes to pass, e.g. "gil-threads' speedup interval below 1.30×, threads above
    /// 1.50× with their interval clear of 1".
    pub expected: String,
    pub verdict: Verdict,
    /// A warning when other programs competed for the cores during the lesson's runs (some
    /// run marked busy, alone or by its cell's pooled ticks, or the sweep's pooled ticks busy:
    /// [`crate::results::MachineInfo::busy_warning`]); a failed lesson with one is measured
    /// again.
    pub busy: Option<String>,
    /// A failure no load explains (a lock that lost updates): never measured again, never
    /// inconclusive.
    #[serde(skip)]
    pub defect: bool,
}

/// How the lessons went, counted: the closing line of `selftest --lessons` and its exit status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LessonsSummary {
    pub lessons: usize,
    pub passed: usize,
    pub failed: usize,
    /// Measured on every attempt without telling (SKIP): on a busy machine, typically.
    pub inconclusive: usize,
    /// Not measurable here (SKIP): no python3, a single core.
    pub skipped: usize,
}

impl LessonsSummary {
    pub fn of(lessons: &[Lesson]) -> LessonsSummary {
        let mut s = LessonsSummary {
            lessons: lessons.len(),
            ..LessonsSummary::default()
        };
        for l in lessons {
            match l.verdict {
                Verdict::Pass => s.passed += 1,
                Verdict::Fail => s.failed += 1,
                Verdict::Inconclusive(_) => s.inconclusive += 1,
                Verdict::Skipped(_) => s.skipped += 1,
            }
        }
        s
    }

    /// `7 lessons: 3 passed, 0 failed, 4 skipped (4 inconclusive on a busy machine): not every
    /// lesson showed here`.
    pub fn line(&self) -> String {
        let skips = self.inconclusive + self.skipped;
        let mut why: Vec<String> = Vec::new();
        if self.inconclusive > 0 {
            why.push(format!(
                "{} inconclusive, as other programs competed for the cores or the runs could \
                 not tell",
                self.inconclusive
            ));
        }
        if self.skipped > 0 {
            why.push(format!("{} not measurable here", self.skipped));
        }
        let why = match why.is_empty() {
            true => String::new(),
            false => format!(" ({})", why.join("; ")),
        };
        let outcome = if self.failed > 0 {
            "a lesson did not show on this machine"
        } else if skips > 0 {
            "not every lesson could be judged here; measure again on a quieter machine"
        } else {
            "every lesson showed"
        };
        format!(
            "{}: {} passed, {} failed, {} skipped{why}: {outcome}",
            crate::words::count(self.lessons, "lesson"),
            self.passed,
            self.failed,
            skips,
        )
    }
}

impl Lesson {
    /// One line: `PASS  name: figure (expected …)`.
    pub fn line(&self) -> String {
        let tag = match &self.verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skipped(_) | Verdict::Inconclusive(_) => "SKIP",
        };
        let mut line = format!(
            "{tag}  {}: {} (expected {})",
            self.name, self.figure, self.expected
        );
        match &self.verdict {
            Verdict::Skipped(reason) => line = format!("{tag}  {}: skipped: {reason}", self.name),
            Verdict::Inconclusive(reason) => {
                line.push_str(&format!("\n      inconclusive: {reason}"));
            }
            Verdict::Pass | Verdict::Fail => {}
        }
        if let Some(busy) = &self.busy {
            line.push_str(&format!("\n      note: {busy}"));
        }
        line
    }

    /// Why this measurement is to be repeated, if it is: it failed while other programs
    /// competed for the cores, or it could not tell (see [`Verdict::Inconclusive`]).
    fn retry_reason(&self) -> Option<String> {
        match &self.verdict {
            Verdict::Inconclusive(why) => Some(format!("was inconclusive: {why}")),
            Verdict::Fail if self.busy.is_some() && !self.defect => {
                Some("failed while the machine was busy".into())
            }
            Verdict::Pass | Verdict::Fail | Verdict::Skipped(_) => None,
        }
    }
}

/// The thresholds, as pure functions of the core count (unit-tested).
pub mod thresholds {
    /// CPU-bound work behind a GIL stayed flat where its speedup's interval stays below this
    /// ([`crate::results::gil_rule::near_one`]): the rule of the verdict, `corelab
    /// run`/`report` and the workbench, so that the selftest never answers otherwise.
    pub const GIL_NEAR_ONE: f64 = crate::results::gil_rule::NEAR_ONE;

    /// Least speedup that shows `workers` parallel workers using the cores: 70% of the ideal
    /// `min(workers, cores)` (1.4× at 2 workers on 2 cores).
    pub fn parallel_min(workers: usize, cores: usize) -> f64 {
        0.7 * workers.min(cores).max(1) as f64
    }

    /// Whether `workers` parallel workers used the cores: a speedup of at least
    /// [`parallel_min`].
    pub fn scales(speedup: f64, workers: usize, cores: usize) -> bool {
        speedup >= parallel_min(workers, cores)
    }

    /// Least speedup that shows CPython's `multiprocessing` using the cores: half the ideal
    /// `min(workers, cores)` (8× at 16 workers on 16 cores). Lower than
    /// [`parallel_min`] because CPython's CPU time per task grows with the number of busy
    /// interpreter processes: measured on a 16-core VM, 20 ms tasks took 1.3× the CPU per task
    /// at 16 processes (10.1× speedup), where Rust processes kept 1.0× (15.4×).
    ///
    /// Never below [`PYTHON_VISIBLE_MIN`]: on 2 cores half the ideal is 1.0×, which a pool
    /// that does not scale at all would pass.
    pub fn python_parallel_min(workers: usize, cores: usize) -> f64 {
        (0.5 * workers.min(cores).max(1) as f64).max(PYTHON_VISIBLE_MIN)
    }

    /// The least CPython `multiprocessing` speedup that shows on a chart beside the GIL's flat
    /// line (whose interval stays below [`GIL_NEAR_ONE`]): 1.3× (1.70× measured on the quiet
    /// 2-core machine).
    pub const PYTHON_VISIBLE_MIN: f64 = 1.3;

    /// Worker count for I/O-bound work: four per core.
    pub fn io_workers(cores: usize) -> usize {
        4 * cores.max(1)
    }

    /// Least I/O-bound speedup that proves waiting scales past the cores: 1.5 × cores.
    pub fn io_min(cores: usize) -> f64 {
        1.5 * cores.max(1) as f64
    }

    /// Contention slows down when more workers move the counter clearly slower than one: the
    /// speedup of a contention task is its throughput relative to one worker (every worker
    /// brings its own increments), below [`CONTENTION_SLOW_MAX`] (0.26× measured on the quiet
    /// 2-core machine; just below 1 is noise).
    pub fn contention_slows(speedup: f64) -> bool {
        speedup < CONTENTION_SLOW_MAX
    }

    /// See [`contention_slows`].
    pub const CONTENTION_SLOW_MAX: f64 = 0.8;

    /// The least CPU per increment, relative to one thread, that shows threads on one mutex
    /// really ran at once: contending threads spin and bounce the lock's cache line (6–12×
    /// measured on the quiet 2-core machine); threads that took turns, because another program
    /// had the other core, spend what one thread does (1.0×) and show nothing about
    /// contention, slow or not.
    pub const CONTENTION_OVERLAP_MIN_WORK: f64 = 1.5;

    /// The fewest cores busy on average (CPU time ÷ wall time) at which two or more racing
    /// threads surely ran at once for part of their run: below it they may have taken turns
    /// (another program had the other core), and losing no update shows nothing.
    pub const RACE_OVERLAP_MIN_CORES: f64 = 1.3;
}

/// Runs every lesson with real executors, calling `each` as each one is judged. `cores` is
/// the core count the thresholds assume (normally the logical cores).
pub fn run_lessons(
    worker: &WorkerCommand,
    cores: usize,
    each: &mut dyn FnMut(&Lesson),
) -> Vec<Lesson> {
    let ctx = Ctx {
        config: SweepConfig::new(worker.clone()),
    };
    let lessons: [MeasureLesson; 8] = [
        gil_cpu_bound,
        processes_scale,
        io_scales_past_the_cores,
        lost_updates,
        lost_updates_between_processes,
        contention_slows_down,
        cpython_gil,
        lost_updates_between_cpython_processes,
    ];
    run_each(&ctx, cores, &lessons, each)
}

/// Measures each lesson, again (up to [`MAX_ATTEMPTS`] in all, the last measurement counts)
/// while it failed on a busy machine, since other programs competing for the cores understate
/// every speedup, or while it was inconclusive; one still inconclusive, or still failing on a
/// busy machine, after the last attempt reads SKIP with the reason (a defect, such as a lock
/// that lost updates, fails at once whatever the load). A repeated measurement says which attempt it is and why the
/// one before it was repeated.
fn run_each(
    ctx: &Ctx,
    cores: usize,
    lessons: &[MeasureLesson],
    each: &mut dyn FnMut(&Lesson),
) -> Vec<Lesson> {
    let cores = cores.max(1);
    lessons
        .iter()
        .map(|lesson| {
            let mut l = lesson(ctx, cores);
            let mut attempt = 1;
            while attempt < MAX_ATTEMPTS {
                let Some(why) = l.retry_reason() else { break };
                attempt += 1;
                l = lesson(ctx, cores);
                l.figure.push_str(&format!(
                    " (attempt {attempt} of {MAX_ATTEMPTS}, as the one before it {why})"
                ));
            }
            // Still failing on a busy machine at the last attempt: the other programs, not
            // the lesson, may be why, so neither PASS nor FAIL.
            if l.verdict == Verdict::Fail && l.retry_reason().is_some() {
                l.verdict = Verdict::Inconclusive(format!(
                    "failed on every attempt ({MAX_ATTEMPTS}) while other programs competed for the cores (see the note); measure again on a quieter machine"
                ));
            }
            each(&l);
            l
        })
        .collect()
}

/// Measurements of a lesson that fails while other programs compete for the cores, or that
/// is inconclusive.
pub const MAX_ATTEMPTS: usize = 3;

/// One lesson's measurement.
type MeasureLesson = fn(&Ctx, usize) -> Lesson;

/// Where the lessons' sweeps run: the real executors, or (in tests) scripted ones.
struct Ctx {
    config: SweepConfig,
}

impl Ctx {
    /// What `exp` needs from outside corelab, as `corelab run` checks it ([`preflight_with`]),
    /// with the interpreter asked of the executors the lessons' sweeps run on, so that a test
    /// answers without an interpreter.
    fn preflight(&self, exp: &Experiment) -> Result<Option<PythonInfo>, EngineError> {
        preflight_with(exp, self.config.executors.as_ref())
    }

    fn sweep(&self, exp: &Experiment) -> Result<ResultsFile, String> {
        exp.validate().map_err(|e| e.to_string())?;
        let r = run_sweep(exp, &self.config, &CancelToken::new(), &mut |_| {});
        match r.cells.iter().find(|c| c.status != CellStatus::Ok) {
            Some(c) => Err(format!(
                "{} × {} failed: {}",
                c.model_id(),
                c.workers,
                c.error.as_deref().unwrap_or("no reason")
            )),
            None => Ok(r),
        }
    }
}

fn experiment(kind: TaskKind, models: &[ModelKind], workers: &[usize]) -> Experiment {
    Experiment {
        name: format!("lesson: {kind}"),
        task: TaskSpec {
            kind,
            ..TaskSpec::default()
        },
        workers: workers.to_vec(),
        models: models.to_vec(),
        repetitions: 5,
        warmups: 1,
        min_time_s: 0.0,
        timeout_s: 120.0,
        ..Experiment::default()
    }
}

fn speedup(r: &ResultsFile, model: ModelKind, workers: usize) -> f64 {
    r.cell(model, workers)
        .and_then(|c| c.speedup)
        .unwrap_or(f64::NAN)
}

/// `gil-threads × 2: 1.01× (0.99–1.03×)`: a speedup with the interval the GIL's rule reads,
/// or `(no interval)` where it rests on single runs.
fn with_interval(r: &ResultsFile, model: ModelKind, workers: usize) -> String {
    let interval = r
        .cell(model, workers)
        .and_then(gil_rule::speedup_interval)
        .map_or("no interval".to_string(), |(lo, hi)| {
            format!("{lo:.2}–{hi:.2}×")
        });
    format!(
        "{} × {workers}: {:.2}× ({interval})",
        model.id(),
        speedup(r, model, workers)
    )
}

/// Whether CPU-bound work behind a GIL stayed flat, `model × workers` judged by the rule of
/// the verdict, `run`/`report` and the workbench ([`gil_rule::near_one`]: its speedup's
/// 95% interval below [`thresholds::GIL_NEAR_ONE`]; not on fewer than 6 runs a cell, which the
/// GIL lessons' 6 and 7 runs a cell give).
fn stayed_flat(r: &ResultsFile, model: ModelKind, workers: usize) -> bool {
    r.cell(model, workers).is_some_and(gil_rule::near_one)
}

fn lesson(name: &str, expected: String) -> Lesson {
    Lesson {
        name: name.into(),
        figure: String::new(),
        expected,
        verdict: Verdict::Fail,
        busy: None,
        defect: false,
    }
}

/// Pass when `shown`, else fail.
fn pass_if(shown: bool) -> Verdict {
    if shown { Verdict::Pass } else { Verdict::Fail }
}

/// Fills in a measured lesson, or fails it with the sweep's error. A failure that other
/// programs may explain is marked: with the sweep's busy warning when they competed for the
/// cores, and inconclusive when some runs were too short to tell whether they did.
fn judge(
    mut l: Lesson,
    sweep: Result<ResultsFile, String>,
    measure: impl FnOnce(&ResultsFile) -> (String, Verdict),
) -> Lesson {
    match sweep {
        Ok(r) => {
            let (figure, verdict) = measure(&r);
            l.figure = figure;
            l.busy = r.machine.busy_warning();
            l.verdict = unless_unjudged(verdict, &l.busy, &r);
        }
        Err(e) => l.figure = format!("the sweep failed: {e}"),
    }
    l
}

/// A failure measured on runs whose load could not be judged (too few clock ticks, even pooled
/// over their cell) and not known busy: inconclusive, since a busy machine would explain it.
fn unless_unjudged(verdict: Verdict, busy: &Option<String>, r: &ResultsFile) -> Verdict {
    let unjudged = r
        .machine
        .load_during_runs
        .as_ref()
        .map_or(0, |load| load.unjudged_runs);
    match verdict {
        Verdict::Fail if busy.is_none() && unjudged > 0 => Verdict::Inconclusive(format!(
            "{unjudged} of the runs were too short to tell whether other programs competed for the cores"
        )),
        v => v,
    }
}

/// What it takes plain threads to pass the GIL lesson: the shared "scaled" rule of the
/// verdict and the workbench ([`gil_rule::climbed`]: above [`gil_rule::SCALED`], the interval
/// clear of 1), and on more than 2 cores also [`thresholds::parallel_min`], which is then the
/// higher bar.
fn threads_scaled_words(w: usize, cores: usize) -> String {
    let need = thresholds::parallel_min(w, cores);
    if need > gil_rule::SCALED {
        format!("threads ≥ {need:.2}× with their interval clear of 1")
    } else {
        format!(
            "threads above {:.2}× with their interval clear of 1",
            gil_rule::SCALED
        )
    }
}

fn gil_cpu_bound(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let mut l = lesson(
        "the GIL stops CPU-bound threads, plain threads scale",
        format!(
            "gil-threads' speedup interval below {:.2}×, {}, on 95% intervals ({} runs a cell)",
            thresholds::GIL_NEAR_ONE,
            threads_scaled_words(w, cores),
            gil_rule::JUDGED_RUNS
        ),
    );
    if cores < 2 {
        l.verdict = Verdict::Skipped("one core: nothing can scale".into());
        return l;
    }
    let mut exp = experiment(
        TaskKind::Cpu,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::GilThreads,
        ],
        &[w],
    );
    exp.task.cpu.kernel = CpuKernel::HashChain;
    exp.task.cpu.size = 60_000_000;
    exp.task.tasks = 8 * w as u32;
    // The GIL's rule decides only on 95% intervals, which 6 runs a cell give (5 give 93.75%).
    exp.repetitions = gil_rule::JUDGED_RUNS as u32;
    judge(l, ctx.sweep(&exp), |r| {
        let threads = speedup(r, ModelKind::Threads, w);
        let figure = format!(
            "{}, {}",
            with_interval(r, ModelKind::GilThreads, w),
            with_interval(r, ModelKind::Threads, w)
        );
        let flat = stayed_flat(r, ModelKind::GilThreads, w);
        // Scaled as the verdict and the workbench read it, and, on many cores, near the ideal.
        let scaled = r.cell(ModelKind::Threads, w).is_some_and(gil_rule::climbed)
            && thresholds::scales(threads, w, cores);
        (figure, pass_if(flat && scaled))
    })
}

fn processes_scale(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let need = thresholds::parallel_min(w, cores);
    let mut l = lesson(
        "processes scale CPU-bound work",
        format!("processes ≥ {need:.2}×"),
    );
    if cores < 2 {
        l.verdict = Verdict::Skipped("one core: nothing can scale".into());
        return l;
    }
    let mut exp = experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::Processes],
        &[w],
    );
    exp.task.cpu.kernel = CpuKernel::HashChain;
    exp.task.cpu.size = 60_000_000;
    exp.task.tasks = 8 * w as u32;
    judge(l, ctx.sweep(&exp), |r| {
        let p = speedup(r, ModelKind::Processes, w);
        (
            format!("processes × {w}: {p:.2}×"),
            pass_if(thresholds::scales(p, w, cores)),
        )
    })
}

fn io_scales_past_the_cores(ctx: &Ctx, cores: usize) -> Lesson {
    let w = thresholds::io_workers(cores);
    let need = thresholds::io_min(cores);
    let l = lesson(
        "I/O-bound threads scale past the core count, GIL or not",
        format!(
            "threads and gil-threads × {w} ≥ {need:.2}× on {}",
            crate::words::count(cores, "core")
        ),
    );
    let mut exp = experiment(
        TaskKind::Io,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::GilThreads,
        ],
        &[w],
    );
    exp.task.io.mode = IoMode::Sleep;
    exp.task.io.sleep_ms = 10.0;
    exp.task.tasks = 4 * w as u32;
    exp.repetitions = 3;
    judge(l, ctx.sweep(&exp), |r| {
        let t = speedup(r, ModelKind::Threads, w);
        let g = speedup(r, ModelKind::GilThreads, w);
        (
            format!("threads × {w}: {t:.2}×, gil-threads × {w}: {g:.2}×"),
            pass_if(t >= need && g >= need),
        )
    })
}

/// One sequential run's length, to which the lock lessons size their increments (calibrated
/// before each sweep): long enough that the threads run at once for most of a run even when
/// other programs take turns on the cores (a fixed 2 million unsynchronised increments lasted
/// about 1 ms on a release build, less than a scheduler's time slice, and two threads on a
/// busy machine seldom overlapped), and that three runs hold enough clock ticks (0.1 s) to
/// judge the load by.
pub const LOCK_LESSON_RUN_S: f64 = 0.05;

/// A contention experiment of `model × w` (and its one-worker baseline) on `sync`, sized to
/// [`LOCK_LESSON_RUN_S`] (on the process pool when `model` is processes: see
/// [`super::calibrate::calibration_model`]).
fn contention_experiment(model: ModelKind, sync: SyncMode, w: usize) -> Experiment {
    let mut exp = experiment(TaskKind::Contention, &[model], &[w]);
    exp.baseline = Baseline::SameModelOneWorker;
    exp.task.contention.sync = sync;
    exp.target_run_s = LOCK_LESSON_RUN_S;
    exp.repetitions = 3;
    exp
}

fn lost_updates(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let l = lesson(
        "an unsynchronised counter loses updates, a mutex does not",
        format!("none: > 0 lost in some run of threads × {w}; mutex: 0 lost in every run"),
    );
    lost_updates_of(ctx, cores, ModelKind::Threads, l)
}

/// The reference article's second mistake, neglecting process synchronisation: worker
/// processes that share a counter (an 8-byte file each one reads, then rewrites, as
/// `counter.value += 1` on a `multiprocessing.Value` without its lock) lose updates; under
/// the file lock (flock) they lose none.
fn lost_updates_between_processes(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let l = lesson(
        "processes sharing a counter without a lock lose updates, a file lock does not",
        format!("none: > 0 lost in some run of processes × {w}; file lock: 0 lost in every run"),
    );
    lost_updates_of(ctx, cores, ModelKind::Processes, l)
}

/// The same mistake in real CPython: `py-multiprocessing` processes that share a
/// `multiprocessing.Value('q')` and run `v.value += 1` without `with v.get_lock():` lose
/// updates (the Value's getter and setter each take its lock, but not across the read and the
/// write); with `get_lock()` around each increment they lose none. (Threads are not measured:
/// a bare `counter += 1` seldom loses an update on CPython 3.10+, which switches threads only
/// at calls and backward jumps.) Skipped, saying why, where no interpreter can run it.
fn lost_updates_between_cpython_processes(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let mut l = lesson(
        "CPython processes racing on a multiprocessing.Value without its lock lose updates, with get_lock() none",
        format!(
            "none: > 0 lost in some run of py-multiprocessing × {w}; get_lock(): 0 lost in every run"
        ),
    );
    let exp = contention_experiment(ModelKind::PyMultiprocessing, SyncMode::None, w);
    if let Err(reason) = ctx.preflight(&exp) {
        l.verdict = Verdict::Skipped(match reason {
            EngineError::PythonUnavailable(_)
            | EngineError::InterpreterRefused(_)
            | EngineError::ProbeTimedOut { .. } => {
                format!("no Python interpreter to run multiprocessing: {reason}")
            }
            other => other.to_string(),
        });
        return l;
    }
    lost_updates_of(ctx, cores, ModelKind::PyMultiprocessing, l)
}

/// Measures `model × w` racing on an unsynchronised counter, then on a locked one: the
/// lesson passes when the first lost an update in some run and the second lost none.
fn lost_updates_of(ctx: &Ctx, cores: usize, model: ModelKind, mut l: Lesson) -> Lesson {
    let w = cores.max(2);
    // Who races, and the lock that stops them.
    let (racers, locked) = match model {
        ModelKind::Processes => ("processes", "file lock"),
        ModelKind::PyMultiprocessing => ("CPython processes", "get_lock()"),
        _ => ("threads", "mutex"),
    };
    let run = |sync: SyncMode| {
        let mut exp = contention_experiment(model, sync, w);
        exp.warmups = 0;
        ctx.sweep(&exp)
    };
    match run(SyncMode::None).and_then(|n| run(SyncMode::Mutex).map(|m| (n, m))) {
        Ok((n, m)) => {
            let none = LostUpdates::of(&n, model, w);
            let mutex = LostUpdates::of(&m, model, w);
            l.figure = format!("none: {}; {locked}: {}", none.figure(), mutex.figure());
            l.busy = n
                .machine
                .busy_warning()
                .or_else(|| m.machine.busy_warning());
            l.verdict = if mutex.any() {
                // A lock that loses updates is a defect, whatever the load.
                l.defect = true;
                Verdict::Fail
            } else if none.any() {
                Verdict::Pass
            } else if cores < 2 {
                // Not a failure of the lesson: on one core two threads interleave only where
                // the scheduler preempts one between its read and its write.
                Verdict::Skipped(format!(
                    "one core: the {racers} lose updates only when the scheduler preempts one mid-update, which these runs did not catch"
                ))
            } else if none.cores_busy < thresholds::RACE_OVERLAP_MIN_CORES {
                Verdict::Inconclusive(format!(
                    "the racing {racers} hardly ran at once ({:.2} cores busy on average, under {:.1}): another program had the other core",
                    none.cores_busy,
                    thresholds::RACE_OVERLAP_MIN_CORES
                ))
            } else {
                unless_unjudged(Verdict::Fail, &l.busy, &n)
            };
        }
        Err(e) => l.figure = format!("the sweep failed: {e}"),
    }
    l
}

/// The lost updates of the `model × w` cell of a contention sweep, as the chart, the table
/// and the verdict count them ([`lost_share`]).
struct LostUpdates {
    /// The cell's counted runs; `None` where none counted its lost updates.
    share: Option<LostShare>,
    /// CPU time ÷ wall time of the cell (its median runs): how many of the threads ran at once
    /// on average; 0 when unknown.
    cores_busy: f64,
}

impl LostUpdates {
    fn of(r: &ResultsFile, model: ModelKind, w: usize) -> LostUpdates {
        let cell = r.cell(model, w);
        LostUpdates {
            share: cell.and_then(|c| lost_share(r, c)),
            cores_busy: cell.and_then(|c| c.cpu_utilisation).unwrap_or(0.0),
        }
    }

    /// Whether some run lost an update.
    fn any(&self) -> bool {
        self.share.is_some_and(|s| s.any())
    }

    /// In the short form the table's note uses ([`LostShare::short_words`]), e.g. "lost
    /// updates in every one of 3 runs (up to 8200000 in one run, 41%)".
    fn figure(&self) -> String {
        match &self.share {
            Some(s) => s.short_words(),
            None => "no run counted its lost updates".into(),
        }
    }
}

fn contention_slows_down(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let l = lesson(
        "a contended lock makes more workers slower, not faster",
        format!(
            "threads × {w} on one mutex move the counter clearly slower than one thread (throughput speedup < {:.2})",
            thresholds::CONTENTION_SLOW_MAX
        ),
    );
    if cores < 2 {
        let mut l = l;
        l.verdict = Verdict::Skipped(
            "one core: the threads take turns on it anyway, so a lock has nothing to contend"
                .into(),
        );
        return l;
    }
    let exp = contention_experiment(ModelKind::Threads, SyncMode::Mutex, w);
    judge(l, ctx.sweep(&exp), |r| {
        let s = speedup(r, ModelKind::Threads, w);
        // The one-thread baseline (threads × 1) kept under half a core busy: it waited for a
        // core most of its run, so neither its speed nor its CPU per increment compares (the
        // results give work against it all the same: a contention task computes by its kind).
        let base_starved = r
            .cell(ModelKind::Threads, 1)
            .is_some_and(CellResult::mostly_waits);
        let work = r
            .cell(ModelKind::Threads, w)
            .and_then(|c| c.work_vs_baseline)
            .filter(|_| !base_starved);
        let figure = format!(
            "threads × {w}: {s:.2}× one thread's increments per second{}",
            work.map_or(String::new(), |x| format!(
                ", {x:.1}× the CPU per increment"
            ))
        );
        // Threads that never ran at once show nothing about contention, slow or not.
        let verdict = match work {
            Some(x) if x >= thresholds::CONTENTION_OVERLAP_MIN_WORK => {
                pass_if(thresholds::contention_slows(s))
            }
            Some(x) => Verdict::Inconclusive(format!(
                "the threads hardly ran at once ({x:.1}× the CPU per increment, under {:.1}×): another program had the other core",
                thresholds::CONTENTION_OVERLAP_MIN_WORK
            )),
            // The one-thread baseline kept under half a core busy: it waited for a core
            // most of its run, so neither its speed nor its CPU per increment compares.
            None => Verdict::Inconclusive(
                "the one-thread baseline kept under half a core busy (other programs had the cores), so neither its speed nor its CPU per increment can be compared".into(),
            ),
        };
        (figure, verdict)
    })
}

fn cpython_gil(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let need = thresholds::python_parallel_min(w, cores);
    let mut l = lesson(
        "CPython threads do not scale CPU work, multiprocessing does",
        format!(
            "py-threading's 95% speedup interval below {:.2}×, py-multiprocessing ≥ {need:.2}× (each against its own 1 worker)",
            thresholds::GIL_NEAR_ONE
        ),
    );
    let mut exp = experiment(
        TaskKind::Cpu,
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
        &[1, w],
    );
    exp.baseline = Baseline::SameModelOneWorker;
    // Balanced tasks of about 20 ms each in CPython (50 000 hash rounds), 8 per worker: big
    // enough that a pool's dispatch cost does not hide the scaling on many cores (600 000
    // rounds in all measured multiprocessing at 10.6× on 16 cores, under the threshold).
    exp.task.cpu.kernel = CpuKernel::HashChain;
    exp.task.tasks = 8 * w as u32;
    exp.task.cpu.size = 50_000 * u64::from(exp.task.tasks);
    // Seven runs a cell: CPython's runs on the quiet 2-core VM spread by ±12–23% (run to run,
    // not flagged busy), and with three the medians gave py-multiprocessing × 2 anywhere from
    // 1.29× to 1.96× over six lesson runs, one of them under the 1.30× bar.
    exp.repetitions = 7;
    exp.python.start_method = StartMethod::Fork;
    if cores < 2 {
        l.verdict = Verdict::Skipped("one core: nothing can scale".into());
        return l;
    }
    match ctx.preflight(&exp) {
        Ok(Some(info)) if !info.gil_enabled => {
            l.verdict = Verdict::Skipped(format!(
                "{} has no GIL (free-threaded build)",
                exp.python.interpreter
            ));
            return l;
        }
        Err(reason) => {
            l.verdict = Verdict::Skipped(reason.to_string());
            return l;
        }
        _ => {}
    }
    judge(l, ctx.sweep(&exp), |r| {
        let m = speedup(r, ModelKind::PyMultiprocessing, w);
        let figure = format!(
            "{}, py-multiprocessing × {w}: {m:.2}×",
            with_interval(r, ModelKind::PyThreading, w)
        );
        let flat = stayed_flat(r, ModelKind::PyThreading, w);
        (figure, pass_if(flat && m >= need))
    })
}

#[cfg(test)]
mod tests {
    use super::thresholds::*;
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    #[test]
    fn thresholds_follow_the_core_count() {
        assert!((parallel_min(2, 2) - 1.4).abs() < 1e-9);
        // More workers than cores: the cores are the limit.
        assert!((parallel_min(8, 2) - 1.4).abs() < 1e-9);
        // Half the ideal, but never a bar a flat pool would pass.
        assert!((python_parallel_min(2, 2) - PYTHON_VISIBLE_MIN).abs() < 1e-9);
        // A flat line's interval stays below GIL_NEAR_ONE, so its point does too: a pool at
        // the bar is told from it.
        assert!(python_parallel_min(2, 2) >= GIL_NEAR_ONE);
        assert!((python_parallel_min(16, 16) - 8.0).abs() < 1e-9);
        assert!((parallel_min(16, 16) - 11.2).abs() < 1e-9);
        assert_eq!(io_workers(2), 8);
        assert!((io_min(2) - 3.0).abs() < 1e-9);
        assert!(io_min(2) > 2.0, "past the core count");
        assert!(contention_slows(0.6));
        assert!(!contention_slows(1.2));
        assert!(!contention_slows(0.98), "just below 1 is noise");
    }

    #[test]
    fn every_verdict_is_a_tagged_object_in_json() {
        let json = |v: Verdict| serde_json::to_value(v).unwrap();
        assert_eq!(json(Verdict::Pass), serde_json::json!({"kind": "pass"}));
        assert_eq!(json(Verdict::Fail), serde_json::json!({"kind": "fail"}));
        assert_eq!(
            json(Verdict::Skipped("no python3".into())),
            serde_json::json!({"kind": "skipped", "reason": "no python3"})
        );
        assert_eq!(
            json(Verdict::Inconclusive("busy".into())),
            serde_json::json!({"kind": "inconclusive", "reason": "busy"})
        );
    }

    #[test]
    fn the_summary_counts_each_verdict_and_says_what_it_means() {
        let with = |verdicts: Vec<Verdict>| -> Vec<Lesson> {
            verdicts
                .into_iter()
                .map(|v| {
                    let mut l = lesson("x", "y".into());
                    l.verdict = v;
                    l
                })
                .collect()
        };
        let busy = || Verdict::Inconclusive("busy".into());
        let lessons = with(vec![
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Pass,
            busy(),
            busy(),
            busy(),
            Verdict::Skipped("no python3".into()),
        ]);
        let s = LessonsSummary::of(&lessons);
        assert_eq!(
            (s.lessons, s.passed, s.failed, s.inconclusive, s.skipped),
            (7, 3, 0, 3, 1)
        );
        assert_eq!(
            s.line(),
            "7 lessons: 3 passed, 0 failed, 4 skipped (3 inconclusive, as other programs \
             competed for the cores or the runs could not tell; 1 not measurable here): not \
             every lesson could be judged here; measure again on a quieter machine"
        );
        let s = LessonsSummary::of(&with(vec![Verdict::Pass, Verdict::Fail, busy()]));
        assert!(
            s.line()
                .starts_with("3 lessons: 1 passed, 1 failed, 1 skipped"),
            "{}",
            s.line()
        );
        assert!(s.line().ends_with("a lesson did not show on this machine"));
        let s = LessonsSummary::of(&with(vec![Verdict::Pass]));
        assert_eq!(
            s.line(),
            "1 lesson: 1 passed, 0 failed, 0 skipped: every lesson showed"
        );
    }

    #[test]
    fn a_lesson_line_says_pass_fail_or_skip() {
        let mut l = lesson("x", "y ≥ 1".into());
        l.figure = "y = 2".into();
        l.verdict = Verdict::Pass;
        assert_eq!(l.line(), "PASS  x: y = 2 (expected y ≥ 1)");
        l.verdict = Verdict::Fail;
        l.busy = Some("busy".into());
        assert_eq!(
            l.line(),
            "FAIL  x: y = 2 (expected y ≥ 1)\n      note: busy"
        );
        l.busy = None;
        l.verdict = Verdict::Skipped("no python3".into());
        assert_eq!(l.line(), "SKIP  x: skipped: no python3");
    }

    /// How busy the simulated machine is during an attempt's timed runs.
    #[derive(Clone, Copy, Debug)]
    enum Load {
        Quiet,
        /// Another program keeps 1.5 of the 2 cores busy.
        Busy,
        /// Every run holds one clock tick per CPU: too few to judge, even pooled.
        TooFewTicks,
    }

    /// What `threads × 2` do in one attempt, against one thread's run of the same increments.
    #[derive(Clone, Copy, Debug)]
    struct Two {
        /// Increments per second, relative to one thread.
        speedup: f64,
        /// CPU time per increment, relative to one thread.
        work: f64,
        /// Updates lost in each run.
        lost: u64,
        /// Cores the one-thread baseline keeps busy (CPU time ÷ wall time).
        base_cores: f64,
    }

    /// Threads that took turns: one thread's speed and CPU per increment, nothing lost.
    const TURNS: Two = Two {
        speedup: 1.0,
        work: 1.0,
        lost: 0,
        base_cores: 1.0,
    };

    /// Workers racing on an unlocked counter that ran at once: half one worker's speed, twice
    /// its CPU per increment, 3 M increments lost a run.
    const RACING: Two = Two {
        speedup: 0.5,
        work: 2.0,
        lost: 3_000_000,
        base_cores: 1.0,
    };

    /// Threads on one mutex that ran at once, as on the quiet 2-core machine.
    const CONTENDED: Two = Two {
        speedup: 0.2,
        work: 10.0,
        lost: 0,
        base_cores: 1.0,
    };

    type Plan = dyn Fn(SyncMode, usize) -> (Two, Load) + Send + Sync;
    type Sweeps = Arc<Mutex<HashMap<SyncMode, usize>>>;

    /// A simulated 2-core machine for the lock lessons, on which one worker (thread or
    /// process) makes an increment in 5 ns. Attempt `n` (from 1) of the sweeps on `sync` (counted by their calibrations,
    /// which start each sweep) runs `threads × 2` and loads the machine as `plan(sync, n)`
    /// says. Returns the context and how many sweeps ran on each sync mode.
    fn lock_machine(
        plan: impl Fn(SyncMode, usize) -> (Two, Load) + Send + Sync + 'static,
    ) -> (Ctx, Sweeps) {
        use crate::engine::load::{LoadEvidence, OtherLoad};
        use crate::engine::mock::{MockExecutors, MockRun, steady_evidence};
        let plan: Arc<Plan> = Arc::new(plan);
        let sweeps: Sweeps = Arc::default();
        // The sync mode of the sweep running now: the load script does not see the task.
        let current = Arc::new(Mutex::new(SyncMode::None));
        let (count, now, run_plan) = (sweeps.clone(), current.clone(), plan.clone());
        let attempt = move |count: &HashMap<SyncMode, usize>, sync| count.get(&sync).copied();
        // Executors of `processes × 1` (or `py-multiprocessing × 1`) started so far: a sweep of
        // processes calibrates on one (the first of the sweep's two), then measures its
        // one-process baseline on another.
        let process_pools_of_one = Mutex::new(0_usize);
        let mock = MockExecutors::sized(move |model, workers, run, task| {
            let sync = task.contention.sync;
            let increments = task.contention.increments;
            let one = increments as f64 * 5e-9;
            let mut count = count.lock().unwrap();
            let calibrating = match (model, workers) {
                (ModelKind::Sequential, _) => true,
                (ModelKind::Processes | ModelKind::PyMultiprocessing, 1) => {
                    let mut started = process_pools_of_one.lock().unwrap();
                    if run == 0 {
                        *started += 1;
                    }
                    *started % 2 == 1
                }
                _ => false,
            };
            if calibrating {
                // A calibration trial: the first starts a sweep.
                if run == 0 {
                    *count.entry(sync).or_default() += 1;
                    *now.lock().unwrap() = sync;
                }
                return Ok(MockRun::new(one, 1.0, increments));
            }
            let (two, _) = run_plan(sync, attempt(&count, sync).unwrap_or(1));
            let (wall, cpu, lost) = match workers {
                1 => (one, one * two.base_cores, 0),
                w => {
                    let made = w as f64 * one;
                    (made / two.speedup, made * two.work, two.lost)
                }
            };
            Ok(MockRun {
                lost_updates: Some(lost),
                cpu: std::time::Duration::from_secs_f64(cpu),
                ..MockRun::new(wall, 1.0, workers as u64 * increments - lost)
            })
        });
        let count = sweeps.clone();
        let mock = mock.with_ticks(move |_, _, _| {
            let sync = *current.lock().unwrap();
            let n = attempt(&count.lock().unwrap(), sync).unwrap_or(1);
            let load = |other_cores, busy| {
                steady_evidence(OtherLoad {
                    other_cores,
                    usable_cores: 2.0,
                    busy,
                })
            };
            Some(match plan(sync, n).1 {
                Load::Quiet => load(0.0, false),
                Load::Busy => load(1.5, true),
                Load::TooFewTicks => LoadEvidence {
                    cpus: vec![(0, 1), (0, 1)],
                    interval_s: 0.01,
                    own_cpu_s: 0.0,
                    quota_cores: None,
                    runs: 1,
                },
            })
        });
        // The Python models' interpreter, as a CPython 3.11 would answer its check.
        let mock = mock.with_python(Ok(crate::results::PythonInfo {
            interpreter: "/usr/bin/python3".into(),
            version: "3.11.7".into(),
            implementation: "cpython".into(),
            gil_enabled: true,
            ..Default::default()
        }));
        let worker = WorkerCommand::new("/nonexistent/corelab");
        let ctx = Ctx {
            config: SweepConfig::new(worker).with_executors(mock),
        };
        (ctx, sweeps)
    }

    /// Runs one lesson through the retry loop on 2 cores; returns it and its printed line.
    fn measure(ctx: &Ctx, lesson: MeasureLesson) -> (Lesson, String) {
        let mut printed = Vec::new();
        let mut all = run_each(ctx, 2, &[lesson], &mut |l| printed.push(l.line()));
        assert_eq!(printed.len(), 1);
        (all.remove(0), printed.remove(0))
    }

    #[test]
    fn threads_that_never_ran_at_once_are_measured_again_then_skipped_not_failed() {
        // The reviewer's machine: both threads' runs at one thread's speed and CPU per
        // increment, three times over, with too few ticks to judge the load.
        let (ctx, sweeps) = lock_machine(|_, _| (TURNS, Load::TooFewTicks));
        let (l, line) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{l:?}")
        };
        assert!(
            why.contains("hardly ran at once (1.0× the CPU per increment"),
            "{why}"
        );
        assert_eq!(
            l.busy, None,
            "not known busy: no verdict from too few ticks"
        );
        assert!(line.starts_with("SKIP  a contended lock"), "{line}");
        assert!(
            line.contains("\n      inconclusive: the threads hardly ran at once"),
            "{line}"
        );
        // The suffix says why the last attempt was made, and it is true: no "busy".
        assert!(
            l.figure.ends_with(
                "(attempt 3 of 3, as the one before it was inconclusive: the threads hardly ran at once (1.0× the CPU per increment, under 1.5×): another program had the other core)"
            ),
            "{}",
            l.figure
        );
        assert!(!line.contains("busy"), "{line}");
    }

    #[test]
    fn a_lock_lesson_passes_once_the_threads_overlap() {
        let (ctx, sweeps) = lock_machine(|_, n| match n {
            1 => (TURNS, Load::Busy),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 2);
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        assert!(line.starts_with("PASS  a contended lock"), "{line}");
        assert!(
            l.figure.starts_with(
                "threads × 2: 0.20× one thread's increments per second, 10.0× the CPU per increment (attempt 2 of 3, as the one before it was inconclusive: the threads hardly ran at once"
            ),
            "{}",
            l.figure
        );
    }

    #[test]
    fn a_starved_one_thread_baseline_is_inconclusive() {
        // Two contending threads look faster than one thread whose run mostly waited for a
        // core (0.3 of a core busy): its CPU per increment is not compared, and no verdict.
        let (ctx, sweeps) = lock_machine(|_, _| {
            let two = Two {
                speedup: 1.6,
                base_cores: 0.3,
                ..CONTENDED
            };
            (two, Load::Busy)
        });
        let (l, line) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{line}")
        };
        assert!(why.starts_with("the one-thread baseline kept under half a core busy"));
        assert!(line.starts_with("SKIP"), "{line}");
        assert!(
            l.figure.starts_with(
                "threads × 2: 1.60× one thread's increments per second (attempt 3 of 3"
            ),
            "{}",
            l.figure
        );
    }

    #[test]
    fn overlapping_threads_that_did_not_slow_down_fail_at_once_on_a_quiet_machine() {
        let (ctx, sweeps) = lock_machine(|_, _| {
            let fast = Two {
                speedup: 1.0,
                work: 3.0,
                lost: 0,
                base_cores: 1.0,
            };
            (fast, Load::Quiet)
        });
        let (l, line) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 1);
        assert_eq!(l.verdict, Verdict::Fail);
        assert_eq!(l.busy, None);
        assert_eq!(
            l.figure,
            "threads × 2: 1.00× one thread's increments per second, 3.0× the CPU per increment"
        );
        assert!(line.starts_with("FAIL"), "{line}");
    }

    #[test]
    fn a_failure_on_a_busy_machine_is_measured_again_and_says_so() {
        let fast = Two {
            speedup: 1.0,
            work: 3.0,
            lost: 0,
            base_cores: 1.0,
        };
        // Busy, then quiet and contended: passes at the second attempt.
        let (ctx, sweeps) = lock_machine(move |_, n| match n {
            1 => (fast, Load::Busy),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, _) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 2);
        assert_eq!(l.verdict, Verdict::Pass);
        assert!(
            l.figure.ends_with(
                "(attempt 2 of 3, as the one before it failed while the machine was busy)"
            ),
            "{}",
            l.figure
        );
        // Busy every time: no verdict from noise, the warning beside it.
        let (ctx, sweeps) = lock_machine(move |_, _| (fast, Load::Busy));
        let (l, line) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], MAX_ATTEMPTS);
        assert_eq!(
            l.verdict,
            Verdict::Inconclusive(
                "failed on every attempt (3) while other programs competed for the cores (see the note); measure again on a quieter machine".into()
            )
        );
        assert!(line.starts_with("SKIP"), "{line}");
        assert!(l.busy.is_some());
        assert!(
            line.contains("\n      note: the machine was busy"),
            "{line}"
        );
    }

    #[test]
    fn a_failure_on_runs_too_short_to_judge_is_inconclusive() {
        let fast = Two {
            speedup: 1.0,
            work: 3.0,
            lost: 0,
            base_cores: 1.0,
        };
        let (ctx, sweeps) = lock_machine(move |_, n| match n {
            1 => (fast, Load::TooFewTicks),
            _ => (fast, Load::Quiet),
        });
        let (l, _) = measure(&ctx, contention_slows_down);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 2);
        assert_eq!(l.verdict, Verdict::Fail, "judged quiet the second time");
        assert!(
            l.figure.ends_with(
                "(attempt 2 of 3, as the one before it was inconclusive: 6 of the runs were too short to tell whether other programs competed for the cores)"
            ),
            "{}",
            l.figure
        );
    }

    #[test]
    fn the_lost_updates_lesson_wants_losses_without_a_lock_and_none_with_one() {
        let racing = RACING;
        // Racing threads that ran at once lose updates; the mutex loses none.
        let (ctx, sweeps) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (racing, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, lost_updates);
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::None], 1);
        // 10 M increments per thread are 0.05 s at 5 ns.
        assert_eq!(
            l.figure,
            "none: lost updates in every one of 3 runs (up to 3000000 in one run, 15%); mutex: no lost updates (3 runs)"
        );
        // Threads that took turns lose nothing and show nothing: measured again, then SKIP.
        let (ctx, sweeps) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (TURNS, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, lost_updates);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::None], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{line}")
        };
        assert!(why.starts_with("the racing threads hardly ran at once (1.00 cores busy"));
        // Threads that ran at once and lost nothing: a failure.
        let (ctx, _) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (CONTENDED, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        assert_eq!(measure(&ctx, lost_updates).0.verdict, Verdict::Fail);
        // A mutex that loses an update fails at once, however busy the machine.
        let (ctx, sweeps) = lock_machine(move |_, _| (racing, Load::Busy));
        let (l, _) = measure(&ctx, lost_updates);
        assert_eq!(l.verdict, Verdict::Fail);
        assert!(l.busy.is_some());
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 1);
    }

    #[test]
    fn processes_that_share_a_counter_without_a_lock_lose_updates_and_a_file_lock_none() {
        let racing = RACING;
        let (ctx, sweeps) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (racing, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, lost_updates_between_processes);
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        // One sweep each: a calibration and two cells, counted once.
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::None], 1);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 1);
        assert!(
            line.starts_with(
                "PASS  processes sharing a counter without a lock lose updates, a file lock does not: "
            ),
            "{line}"
        );
        assert_eq!(
            l.figure,
            "none: lost updates in every one of 3 runs (up to 3000000 in one run, 15%); file lock: no lost updates (3 runs)"
        );
        assert!(
            l.expected
                .contains("processes × 2; file lock: 0 lost in every run"),
            "{}",
            l.expected
        );
        // Processes that took turns show nothing: measured again, then SKIP, naming processes.
        let (ctx, sweeps) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (TURNS, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, lost_updates_between_processes);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::None], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{line}")
        };
        assert!(
            why.starts_with("the racing processes hardly ran at once (1.00 cores busy"),
            "{why}"
        );
        // A file lock that loses an update is a defect: FAIL at once, however busy.
        let (ctx, sweeps) = lock_machine(move |_, _| (racing, Load::Busy));
        let (l, _) = measure(&ctx, lost_updates_between_processes);
        assert_eq!(l.verdict, Verdict::Fail);
        assert!(l.defect);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 1);
    }

    #[test]
    fn cpython_processes_racing_on_a_value_lose_updates_and_with_its_lock_none() {
        let racing = RACING;
        let (ctx, sweeps) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (racing, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, lost_updates_between_cpython_processes);
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::None], 1);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 1);
        assert!(
            line.starts_with(
                "PASS  CPython processes racing on a multiprocessing.Value without its lock lose updates, with get_lock() none: "
            ),
            "{line}"
        );
        assert_eq!(
            l.figure,
            "none: lost updates in every one of 3 runs (up to 3000000 in one run, 15%); get_lock(): no lost updates (3 runs)"
        );
        assert_eq!(
            l.expected,
            "none: > 0 lost in some run of py-multiprocessing × 2; get_lock(): 0 lost in every run"
        );
        // Processes that took turns show nothing: measured again, then SKIP.
        let (ctx, sweeps) = lock_machine(move |sync, _| match sync {
            SyncMode::None => (TURNS, Load::Quiet),
            _ => (CONTENDED, Load::Quiet),
        });
        let (l, line) = measure(&ctx, lost_updates_between_cpython_processes);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::None], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{line}")
        };
        assert!(
            why.starts_with("the racing CPython processes hardly ran at once (1.00 cores busy"),
            "{why}"
        );
        // Processes that ran at once and lost nothing: the lesson did not show.
        let (ctx, _) = lock_machine(move |_, _| (CONTENDED, Load::Quiet));
        assert_eq!(
            measure(&ctx, lost_updates_between_cpython_processes)
                .0
                .verdict,
            Verdict::Fail
        );
        // get_lock() that loses an update is a defect: FAIL at once, however busy.
        let (ctx, sweeps) = lock_machine(move |_, _| (racing, Load::Busy));
        let (l, _) = measure(&ctx, lost_updates_between_cpython_processes);
        assert_eq!(l.verdict, Verdict::Fail);
        assert!(l.defect);
        assert_eq!(sweeps.lock().unwrap()[&SyncMode::Mutex], 1);
    }

    #[test]
    fn the_cpython_lesson_is_skipped_saying_why_where_no_interpreter_runs() {
        use crate::engine::mock::MockExecutors;
        let mock = MockExecutors::new(|_, _, _| Err("no run may start".into())).with_python(Err(
            "the Python models need an interpreter, and `python3` was not found (install python3 or set python.interpreter)".into(),
        ));
        let ctx = Ctx {
            config: SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"))
                .with_executors(mock.clone()),
        };
        let (l, line) = measure(&ctx, lost_updates_between_cpython_processes);
        assert_eq!(
            l.verdict,
            Verdict::Skipped(
                "no Python interpreter to run multiprocessing: the Python models need an interpreter, and `python3` was not found (install python3 or set python.interpreter)".into()
            )
        );
        assert!(line.starts_with("SKIP  CPython processes racing"), "{line}");
        assert!(mock.calls().is_empty(), "nothing was measured");
        assert_eq!(LessonsSummary::of(&[l]).skipped, 1);
    }

    #[test]
    fn the_gil_lesson_asks_the_sweeps_executors_for_the_interpreter() {
        use crate::engine::mock::MockExecutors;
        let missing = "the Python models need an interpreter, and `python3` was not found (install python3 or set python.interpreter)";
        let free_threaded = crate::results::PythonInfo {
            interpreter: "/usr/bin/python3".into(),
            version: "3.13.0".into(),
            implementation: "cpython".into(),
            gil_enabled: false,
            ..Default::default()
        };
        for (answer, why) in [
            (Err(missing.to_string()), missing.to_string()),
            (
                Ok(free_threaded),
                "python3 has no GIL (free-threaded build)".to_string(),
            ),
        ] {
            let mock =
                MockExecutors::new(|_, _, _| Err("no run may start".into())).with_python(answer);
            let ctx = Ctx {
                config: SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"))
                    .with_executors(mock.clone()),
            };
            let (l, line) = measure(&ctx, cpython_gil);
            assert_eq!(l.verdict, Verdict::Skipped(why), "{line}");
            assert!(mock.calls().is_empty(), "nothing was measured");
        }
    }

    /// A quiet 2-core machine for the GIL lessons: sequential (and each model's one worker)
    /// takes 1 s a run, threads × 2 and py-multiprocessing × 2 0.52 s, and the GIL-bound model
    /// × 2 (gil-threads, py-threading) run `n` of its cell (warm-up 0) `gil[n]` seconds.
    fn gil_machine(gil: [f64; 8]) -> Ctx {
        use crate::engine::load::OtherLoad;
        use crate::engine::mock::{MockExecutors, MockRun, steady_evidence};
        let mock = MockExecutors::new(move |model, workers, run| {
            let wall = match (model, workers) {
                (_, 1) => 1.0,
                (ModelKind::GilThreads | ModelKind::PyThreading, _) => gil[run.min(7)],
                _ => 0.52,
            };
            Ok(MockRun::new(wall, workers as f64, 1))
        })
        .with_ticks(|_, _, _| {
            Some(steady_evidence(OtherLoad {
                other_cores: 0.0,
                usable_cores: 2.0,
                busy: false,
            }))
        })
        .with_python(Ok(crate::results::PythonInfo {
            interpreter: "/usr/bin/python3".into(),
            version: "3.11.7".into(),
            implementation: "cpython".into(),
            gil_enabled: true,
            ..Default::default()
        }));
        Ctx {
            config: SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"))
                .with_executors(mock),
        }
    }

    #[test]
    fn the_gil_lessons_judge_a_flat_line_by_the_verdicts_interval_rule() {
        // 1.20× from runs spread ±15%: under the old point threshold (1.25×), but its interval
        // reaches past 1.3×, so the verdict and the workbench do not call it near 1× and
        // neither does the selftest.
        let spread = [0.83, 0.72, 0.78, 0.83, 0.9, 0.98, 0.83, 0.83];
        // 1.27× from tight runs: over the old point threshold, its interval under 1.3×.
        let tight = [0.787, 0.785, 0.786, 0.787, 0.788, 0.789, 0.787, 0.787];
        for lesson in [gil_cpu_bound as MeasureLesson, cpython_gil] {
            let (l, line) = measure(&gil_machine(spread), lesson);
            assert_eq!(l.verdict, Verdict::Fail, "{line}");
            assert!(line.contains("× 2: 1.20× (1.0"), "{line}");
            assert!(line.contains("speedup interval below 1.30×"), "{line}");
            let (l, line) = measure(&gil_machine(tight), lesson);
            assert_eq!(l.verdict, Verdict::Pass, "{line}");
            assert!(line.contains("× 2: 1.27× (1.2"), "{line}");
        }
        // And the results of the tight sweep read the same way where the verdict reads them.
        let mut exp = experiment(
            TaskKind::Cpu,
            &[
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::GilThreads,
            ],
            &[2],
        );
        exp.task.tasks = 16;
        exp.repetitions = 6;
        let r = gil_machine(tight).sweep(&exp).unwrap();
        let gil = r.cell(ModelKind::GilThreads, 2).unwrap();
        assert!(gil_rule::near_one(gil), "{gil:?}");
    }

    #[test]
    fn the_cpython_lesson_sizes_its_increments_on_multiprocessing() {
        let exp = contention_experiment(ModelKind::PyMultiprocessing, SyncMode::None, 2);
        exp.validate().unwrap();
        assert_eq!(exp.models, vec![ModelKind::PyMultiprocessing]);
        assert_eq!(
            crate::engine::calibrate::calibration_model(&exp),
            ModelKind::PyMultiprocessing
        );
        assert_eq!(exp.baseline, Baseline::SameModelOneWorker);
    }

    #[test]
    fn the_lessons_measure_processes_on_a_shared_counter_of_their_own() {
        // The processes' lesson sweeps the process pool, the threads' lesson threads: each
        // sized (calibrated) on the executor it measures.
        let threads = contention_experiment(ModelKind::Threads, SyncMode::None, 2);
        let processes = contention_experiment(ModelKind::Processes, SyncMode::None, 2);
        assert_eq!(threads.models, vec![ModelKind::Threads]);
        assert_eq!(processes.models, vec![ModelKind::Processes]);
        assert_eq!(
            crate::engine::calibrate::calibration_model(&processes),
            ModelKind::Processes
        );
        assert_eq!(
            crate::engine::calibrate::calibration_model(&threads),
            ModelKind::Sequential
        );
    }

    /// A quiet 2-core machine for the GIL lesson: CPU-bound runs of 2 ns per hash (0.12 s for
    /// the lesson's size) spread by up to 2% between runs; gil-threads × 2 as fast as one
    /// thread, threads × 2 `threads`× faster.
    fn threads_machine(threads: f64) -> Ctx {
        use crate::engine::load::OtherLoad;
        use crate::engine::mock::{MockExecutors, MockRun, steady_evidence};
        let mock = MockExecutors::sized(move |model, _, run, task| {
            let one = task.cpu.size as f64 * 2e-9 * (1.0 + 0.01 * (run % 3) as f64);
            let wall = match model {
                ModelKind::Threads => one / threads,
                _ => one,
            };
            Ok(MockRun::new(wall, 1.0, 7))
        })
        .with_ticks(|_, _, _| {
            Some(steady_evidence(OtherLoad {
                other_cores: 0.0,
                usable_cores: 2.0,
                busy: false,
            }))
        });
        Ctx {
            config: SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"))
                .with_executors(mock),
        }
    }

    #[test]
    fn the_gil_lesson_s_threads_pass_by_the_rule_of_the_verdict_and_the_workbench() {
        // 1.45×: above the old bar of 0.7 × 2 cores, but not "scaled" (above 1.5×) as the
        // verdict and the workbench read it, so not a pass here either.
        let (l, line) = measure(&threads_machine(1.45), gil_cpu_bound);
        assert_eq!(l.verdict, Verdict::Fail, "{line}");
        assert_eq!(
            l.expected,
            "gil-threads' speedup interval below 1.30×, threads above 1.50× with their interval clear of 1, on 95% intervals (6 runs a cell)"
        );
        assert!(l.figure.contains("threads × 2: 1.45× ("), "{}", l.figure);
        // Scaled, its interval clear of 1: a pass, and the workbench's rule agrees.
        let (l, line) = measure(&threads_machine(1.8), gil_cpu_bound);
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        // On 16 cores the ideal's 70% (11.2×) is the higher bar, and said so.
        assert_eq!(
            threads_scaled_words(16, 16),
            "threads ≥ 11.20× with their interval clear of 1"
        );
    }
}

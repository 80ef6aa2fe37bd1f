//! How long a sweep will take, said before it starts, so that a teacher planning a lesson or a
//! user about to press Run knows whether to wait 10 s or 10 min.
//!
//! Worked out from the preset alone, without running anything: a run's length where the
//! preset fixes it (`target_run_s`, calibrated at run time; the waits of `io` sleeps and
//! `mixed` tasks), divided by the parallelism each model can give on this machine's cores; then
//! the runs each cell takes under [`super::run_count::RunCount`]'s rules, with a precision
//! target assumed to use its whole budget (a quiet machine reaches ±2% sooner); plus each
//! model's start-up and the calibration. A `memory` task's workers share the memory bus, so
//! its speedup saturates ([`STREAM_SERIAL_SHARE`], [`STREAM_CEILING_PER_CORE`], from the
//! curves measured on 2 and 16 cores) instead of growing with the workers. It is a rough
//! figure: it knows this machine's memory bandwidth only by that rule of thumb, not how long
//! a `memory` task takes to write its arrays (each worker process its own copy), how fast Rust
//! runs a task that calibration sized for CPython, or other programs' load. With a precision
//! target, a cell of short runs is counted at its whole budget whatever their length, so the
//! saturation moves such a sweep's figure little (`memory-bandwidth` on 16 cores: 51 s
//! either way with a 3 s budget). On the 2-core machine the built-in presets' figures
//! came within 40% of their measured wall times, most within 15% (`corelab presets` against
//! `docs/perf/2core/preset-walltimes.tsv`). A task sized in work units
//! (a CPU size with no `target_run_s`, a command, a Python function, file I/O) has no such
//! length until it has run, and the estimate says so instead of guessing.

use crate::preset::{Experiment, IoMode, ModelKind, SyncMode, TaskKind};
use crate::results::ResultsFile;

use super::run_count::RunCount;
use super::sweep::sweep_plan;

/// How many times longer CPython takes than corelab's Rust models over the same CPU task (the
/// prime count: 28× in `docs/perf/2core/python-gil-vs-processes.json`, one worker each);
/// rounded down, so that the estimate leans long.
const PYTHON_SLOWDOWN: f64 = 20.0;

/// How fast a contended lock moves a shared counter, as a share of one worker alone: threads
/// behind a mutex, and processes behind the file lock (the low ends of the README's 2-core
/// figures, so that the estimate leans long).
const CONTENDED_LOCK: f64 = 0.17;
const CONTENDED_FILE_LOCK: f64 = 0.74;
/// How fast unsynchronised workers move a shared counter together, as a share of one alone:
/// 0.55× at 2 threads and 0.40× at 4 in `lost-updates` on 2 cores (session 10's
/// `docs/perf/2core/measure-s10`); the lower figure, as the others lean long.
const RACING_ON_ONE_LINE: f64 = 0.4;

/// How a `memory` task's speedup saturates: the workers of a STREAM triad share one memory
/// bus, so each one added gains less, as Amdahl's law with this serial share would have it,
/// and no number of them passes [`STREAM_CEILING_PER_CORE`]. The `memory` task is strong
/// scaling (the same arrays and passes, cut into `tasks` chunks, whatever the workers), so a
/// run of N workers takes the sequential run divided by [`streaming_speedup`], not by N.
/// Measured on the 16-core Xeon (`docs/perf/xeon16-2026-11-26/run2/memory-bandwidth.json`,
/// threads, rayon and processes against the sequential run): 1.80–1.84× at 2 workers,
/// 3.42–3.53× at 4, 5.21–5.59× at 8 and 6.65–6.96× at 16, a Karp–Flatt serial fraction of
/// 0.044 to 0.110 (session 4's `docs/perf/xeon-16/measure/memory-bandwidth.json`: 6.05–6.58× at
/// 8, 6.74–6.81× at 16). 0.12, a little above the highest fraction, gives 1.79, 2.9, 4.3 and
/// 5.7×: below every measured figure, so that the estimate leans long as the other constants
/// do.
const STREAM_SERIAL_SHARE: f64 = 0.12;
/// The most a `memory` task's workers gain together, as a share of the machine's cores (at
/// least 1×): where the memory bus saturates. On the 2-core EPYC VM two workers reached 1.12×
/// (processes), 1.23× (rayon) and 1.28× (threads) the sequential run
/// (`docs/perf/2core/memory-bandwidth.json`), 0.56 of the cores at best; the 16-core Xeon's
/// 6.65× at 16 is 0.42 of them. 0.4, below both: 1× on 2 cores, 6.4× on 16 (where Amdahl's
/// 5.7× with [`STREAM_SERIAL_SHARE`] is the lower). A rough rule: how fast memory streams
/// differs from machine to machine, which the estimate cannot know.
const STREAM_CEILING_PER_CORE: f64 = 0.4;

/// How many times faster than one worker `parallel` workers (at most the cores) stream a
/// `memory` task on a machine of `cores` cores: Amdahl's law with [`STREAM_SERIAL_SHARE`],
/// capped at the bandwidth ceiling of [`STREAM_CEILING_PER_CORE`].
fn streaming_speedup(parallel: usize, cores: usize) -> f64 {
    let p = parallel.max(1) as f64;
    let amdahl = p / (1.0 + STREAM_SERIAL_SHARE * (p - 1.0));
    let ceiling = (STREAM_CEILING_PER_CORE * cores.max(1) as f64).max(1.0);
    amdahl.min(ceiling)
}

/// What the sweep of an experiment is expected to cost.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepEstimate {
    /// Cells in the sweep (model × worker count).
    pub cells: usize,
    /// About how many seconds the whole sweep takes (calibration and start-up included), or
    /// why that cannot be known before it runs.
    pub seconds: Result<f64, &'static str>,
    /// Where the length is unknown: the most it can take, every run stopped at the timeout
    /// and every start-up at its own limit ([`AtMost`]; `None` where the length is known).
    pub at_most: Option<AtMost>,
    /// The cells whose precision target cannot add a run, their expected runs being too long
    /// for its budget ([`TargetWithoutRoom`]); `None` without a target, where every cell has
    /// room, or where the runs' length is unknown.
    pub target_without_room: Option<TargetWithoutRoom>,
}

/// The longest a sweep of unknown length can take, from the limits the engine stops it at:
/// every warm-up and timed run stopped at `timeout_s` (the run's guard), the timed runs a cell
/// takes of runs that long at most ([`RunCount::most_timed_s`]), and every cell's start-up at
/// the limit its executor is given ([`startup_limit_s`]). A true bound, not a guess, and a
/// loose one: a Python function of 10 ms under a 60 s timeout is bounded by minutes.
#[derive(Clone, Debug, PartialEq)]
pub struct AtMost {
    /// The whole bound, seconds: [`AtMost::runs_s`] plus [`AtMost::startups_s`].
    pub seconds: f64,
    /// The warm-ups and timed runs of every cell, each stopped at the timeout.
    pub runs_s: f64,
    /// Every cell's start-up, at its limit where it has one (an interpreter, its module's
    /// import, worker processes), at the estimate's figure where it starts within corelab.
    pub startups_s: f64,
    /// The preset's `timeout_s`, which stops each run.
    pub timeout_s: f64,
    /// The start-up limits the bound counts, in words (`60 s for a Python interpreter and its
    /// pool`), in the order first met in the sweep; empty where no cell has one.
    pub startup_limits: Vec<String>,
}

/// Cells of a sweep whose runs, at the length the estimate expects, spend the precision
/// budget within the runs they take anyway ([`RunCount::target_can_add_runs`]): the target
/// adds no run to them, and they meet it only if those runs happen to agree within it.
/// Said before the sweep (`corelab run`, the workbench's estimate), so that a target that
/// cannot do anything is not mistaken for one that was tried.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetWithoutRoom {
    /// The target (a fraction of the median) and its budget (seconds of timed runs a cell).
    pub precision: f64,
    pub budget_s: f64,
    /// How many cells, of `of` in the sweep.
    pub cells: usize,
    pub of: usize,
    /// The shortest expected run among those cells, in seconds.
    pub shortest_run_s: f64,
    /// The runs each of them takes anyway (the most among them).
    pub runs: usize,
    /// How many of those cells mostly wait: at least half of each run is expected to wait on
    /// a timer (an `io` sleep, a `mixed` task's wait), whose length varies far less than a
    /// precision target from run to run. Such a cell's runs usually agree within the target
    /// anyway (the I/O preset's 0.32 s cells reached ±0.1–0.7% in `docs/perf/`), so the target
    /// adding no run to it costs little; a cell that computes has the spread of its computing
    /// (CPython's cells, from ±4% to over ±60% in `docs/perf/`'s python-gil-vs-processes
    /// results).
    pub waiting: usize,
    /// A budget that would give every one of them room for twice the runs it takes anyway,
    /// in seconds (rounded up to half a second).
    pub budget_with_room_s: f64,
}

/// [`TargetWithoutRoom`] for `exp`'s cells of the given costs; `None` without a target or
/// where every cell has room.
pub fn target_without_room(exp: &Experiment, cells: &[CellCost]) -> Option<TargetWithoutRoom> {
    let count = RunCount::of(exp);
    let without: Vec<&CellCost> = cells
        .iter()
        .filter(|c| count.target_can_add_runs(c.run_s) == Some(false))
        .collect();
    if without.is_empty() {
        return None;
    }
    let shortest_run_s = without
        .iter()
        .map(|c| c.run_s)
        .fold(f64::INFINITY, f64::min);
    let runs = without
        .iter()
        .map(|c| count.fewest(c.run_s))
        .max()
        .unwrap_or(0);
    let waiting = without.iter().filter(|c| c.mostly_waits()).count();
    let room = without
        .iter()
        .map(|c| 2.0 * count.fewest(c.run_s) as f64 * c.run_s)
        .fold(0.0, f64::max);
    Some(TargetWithoutRoom {
        precision: exp.precision,
        budget_s: exp.precision_budget_s,
        cells: without.len(),
        of: cells.len(),
        shortest_run_s,
        runs,
        waiting,
        budget_with_room_s: (room * 2.0).ceil() / 2.0,
    })
}

impl TargetWithoutRoom {
    /// Whether a cell without room computes for most of its runs ([`TargetWithoutRoom::waiting`]
    /// counts the others): there the runs may spread wider than the target, and the cell may
    /// miss it for want of runs the budget does not allow. Where every such cell mostly waits,
    /// the note is information, not a warning.
    pub fn may_cost_precision(&self) -> bool {
        self.waiting < self.cells
    }
}

impl SweepEstimate {
    /// "7 cells, about 14 s" or "7 cells; time unknown until it runs", for `corelab presets`
    /// and the workbench's Run row ([`SweepEstimate::seconds`] says why it is unknown).
    pub fn words(&self) -> String {
        let cells = crate::words::count(self.cells, "cell");
        match self.seconds {
            Ok(s) => format!("{cells}, about {}", about_duration(s)),
            Err(_) => format!("{cells}; time unknown until it runs"),
        }
    }

    /// "At most about 35 min: every run is stopped at the 30 s timeout (timeout_s)", and what
    /// the start-ups add where their limits count, where the length is unknown.
    pub fn at_most_words(&self) -> Option<String> {
        let at = self.at_most.as_ref()?;
        let mut text = format!(
            "At most about {}: every run is stopped at the {} s timeout (timeout_s)",
            about_duration(at.seconds),
            at.timeout_s
        );
        if !at.startup_limits.is_empty() {
            text.push_str(&format!(
                ", about {} of runs at most; and every cell's start-up at limits of its own ({}), \
                 about {} of start-ups at most",
                about_duration(at.runs_s),
                at.startup_limits.join("; "),
                about_duration(at.startups_s)
            ));
        }
        Some(text)
    }
}

/// A duration rounded as an estimate deserves: whole seconds below a minute (at least 1 s),
/// then minutes, hours, days and years (a preset may ask for a sweep of years; "35567.0 h"
/// hid it).
pub fn about_duration(seconds: f64) -> String {
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 24.0 * HOUR;
    const YEAR: f64 = 365.25 * DAY;
    let s = if seconds.is_finite() {
        seconds.max(1.0)
    } else {
        f64::MAX
    };
    match s {
        _ if s < 59.5 => format!("{} s", s.round()),
        _ if s < 5400.0 => format!("{} min", (s / 60.0).round()),
        _ if s < 2.0 * DAY => format!("{:.1} h", s / HOUR),
        _ if s < 2.0 * YEAR => format!("{} days", (s / DAY).round()),
        _ if s < 1000.0 * YEAR => format!("{} years", (s / YEAR).round()),
        _ => "more than 1000 years".to_string(),
    }
}

/// Sweeps estimated at more than this many seconds are called out before they start: a
/// warning line from `corelab run`, the estimate beside Run drawn as a warning.
pub const LONG_SWEEP_S: f64 = 600.0;

impl SweepEstimate {
    /// A warning for a sweep estimated at more than [`LONG_SWEEP_S`], naming what makes it
    /// long; `None` for a shorter one or one whose length is unknown.
    pub fn long_sweep_warning(&self) -> Option<String> {
        let s = *self.seconds.as_ref().ok()?;
        (s > LONG_SWEEP_S).then(|| {
            format!(
                "this sweep is estimated at about {}: the worker counts, models, repetitions, minimum time, precision budget and time per run (target_run_s) set its length; Cancel (Ctrl-C) keeps the cells measured so far",
                about_duration(s)
            )
        })
    }
}

/// Seconds a cell of `model` spends starting before its first run, as measured on a 2-core
/// machine (rounded up): a process per worker, an interpreter, a cluster. Threads cost nothing
/// worth counting.
fn startup_s(model: ModelKind, workers: usize) -> f64 {
    let w = workers as f64;
    match model {
        ModelKind::Processes => 0.01 * w,
        ModelKind::PyThreading | ModelKind::PyFreeThreading | ModelKind::PyAsyncio => 0.3,
        ModelKind::PyMultiprocessing => 0.3 + 0.05 * w,
        ModelKind::PyDask => 3.0 + 0.3 * w,
        ModelKind::PyMpi => 1.0 + 0.2 * w,
        ModelKind::Sequential
        | ModelKind::Threads
        | ModelKind::Rayon
        | ModelKind::GilThreads
        | ModelKind::Tokio => 0.0,
    }
}

/// The most a cell of `model` can spend starting before its first run is stopped, and the
/// limits that make it, in words: an interpreter and its pool, then a function task's module
/// import, each at [`super::model::python::START_TIMEOUT`]; `processes` workers saying ready,
/// then building the workload before their first run, each at the handshake's limit. Models
/// that start within corelab (threads, rayon, tokio, the emulated GIL) have no limit and start
/// at once: their estimated start-up ([`startup_s`]).
fn startup_limit_s(exp: &Experiment, model: ModelKind, workers: usize) -> (f64, Vec<String>) {
    let python = super::model::python::START_TIMEOUT.as_secs_f64();
    let handshake = super::model::HANDSHAKE_TIMEOUT.as_secs_f64();
    let interpreter = format!("{python} s for a Python interpreter and its pool");
    match model {
        m if m.is_python() && exp.task.kind == TaskKind::Function => (
            2.0 * python,
            vec![
                interpreter,
                format!("{python} s more to import the function's module"),
            ],
        ),
        m if m.is_python() => (python, vec![interpreter]),
        ModelKind::Processes => (
            2.0 * handshake,
            vec![
                format!("{handshake} s for the processes workers to say ready"),
                format!("{handshake} s more to build the workload before their first run"),
            ],
        ),
        _ => (startup_s(model, workers), Vec::new()),
    }
}

/// Whether the model computes one task at a time whatever its worker count: the sequential
/// baseline, a global interpreter lock, one event loop.
fn computes_serially(model: ModelKind) -> bool {
    matches!(
        model,
        ModelKind::Sequential
            | ModelKind::GilThreads
            | ModelKind::PyThreading
            | ModelKind::Tokio
            | ModelKind::PyAsyncio
    )
}

/// Whether a calibration sizes the task to `target_run_s` before the sweep.
fn is_calibrated(exp: &Experiment) -> bool {
    exp.target_run_s > 0.0 && exp.task.size_knob().is_some()
}

/// One sequential run's length and the share of it that is computation (the rest waits),
/// where the preset fixes them; otherwise why not.
fn sequential_run(exp: &Experiment) -> Result<(f64, f64), &'static str> {
    let task = &exp.task;
    let tasks = f64::from(task.tasks.max(1));
    let compute_share = match task.kind {
        TaskKind::Io => 0.0,
        TaskKind::Mixed => {
            let all = task.mixed.compute_ms + task.mixed.wait_ms;
            if all > 0.0 {
                task.mixed.compute_ms / all
            } else {
                0.0
            }
        }
        _ => 1.0,
    };
    if is_calibrated(exp) {
        return Ok((exp.target_run_s, compute_share));
    }
    match task.kind {
        TaskKind::Io if task.io.mode == IoMode::Sleep => {
            Ok((tasks * task.io.sleep_ms / 1000.0, compute_share))
        }
        TaskKind::Io => Err("file I/O runs as fast as the disk"),
        TaskKind::Mixed => Ok((
            tasks * (task.mixed.compute_ms + task.mixed.wait_ms) / 1000.0,
            compute_share,
        )),
        TaskKind::Command => Err("a command's runs last as long as the program"),
        TaskKind::Function => Err("a Python function's runs last as long as it does"),
        _ => Err("the task is sized in work units, not seconds: set a target time per run"),
    }
}

/// tokio's timer counts whole milliseconds: a sleep's deadline is rounded up to the next
/// millisecond tick, and it wakes on a tick after that, so a wait under `tokio` lasts about
/// this much more than its whole milliseconds. Measured on 2 cores: 10 ms sleeps took 11.2 ms
/// each under tokio × 1 and 10.1 ms under threads × 1 (`docs/perf/2core/tokio-32-sleeps.json`);
/// `waiting-threads-vs-async`'s 2 ms sleeps took 3.4–3.6 ms under tokio × 4 and × 16 against
/// 2.1 ms under threads (a loaded debug build, session 14), the third of its sweep the
/// estimate missed.
const TOKIO_TIMER_TICK_MS: f64 = 1.0;

/// How long one wait of `wait_ms` lasts under `model`: as asked, except under tokio, whose
/// timer rounds it up to whole milliseconds and one tick more ([`TOKIO_TIMER_TICK_MS`]).
fn wait_taken_ms(model: ModelKind, wait_ms: f64) -> f64 {
    match model {
        ModelKind::Tokio if wait_ms > 0.0 => wait_ms.ceil() + TOKIO_TIMER_TICK_MS,
        _ => wait_ms,
    }
}

/// Each task's wait, where the preset fixes it: an `io` sleep or a `mixed` task's wait, unless
/// calibration resizes it.
fn wait_per_task_ms(exp: &Experiment) -> Option<f64> {
    if is_calibrated(exp) {
        return None;
    }
    match exp.task.kind {
        TaskKind::Io if exp.task.io.mode == IoMode::Sleep => Some(exp.task.io.sleep_ms),
        TaskKind::Mixed => Some(exp.task.mixed.wait_ms),
        _ => None,
    }
}

/// One run of a cell as the estimate sees it: seconds computing and seconds waiting on a
/// timer.
#[derive(Clone, Copy, Debug, PartialEq)]
struct RunParts {
    computing_s: f64,
    waiting_s: f64,
}

impl RunParts {
    fn seconds(self) -> f64 {
        self.computing_s + self.waiting_s
    }

    /// The share of the run that waits (0 for a run of no length).
    fn waiting_share(self) -> f64 {
        match self.seconds() > 0.0 {
            true => self.waiting_s / self.seconds(),
            false => 0.0,
        }
    }
}

/// About how long one run of `model` × `workers` takes, computing and waiting, given a
/// sequential run of `seq_s` seconds of which `compute_share` computes.
fn run_parts(
    exp: &Experiment,
    model: ModelKind,
    workers: usize,
    cores: usize,
    (seq_s, compute_share): (f64, f64),
) -> RunParts {
    let tasks = exp.task.tasks.max(1) as usize;
    let w = workers.max(1);
    // Calibration sizes the task for the slowest model: where that is CPython, corelab's own
    // models run the same task tens of times faster.
    let seq_s = match super::calibrate::calibration_model(exp).is_python() && !model.is_python() {
        true if exp.target_run_s > 0.0 && exp.task.kind != TaskKind::Io => seq_s / PYTHON_SLOWDOWN,
        _ => seq_s,
    };
    if exp.task.kind == TaskKind::Contention {
        // Every worker does its own increments. Unsynchronised they run side by side; behind
        // one lock they take turns, and contended the lock passes slower than one worker
        // takes it alone (the README's lock lessons on 2 cores: two threads move the counter
        // 0.17–0.30× as fast as one, two processes 0.74–0.83×).
        let parallel = match exp.task.contention.sync {
            _ if w == 1 => 1.0,
            // Taking turns (a GIL, one event loop), the increments simply add up.
            SyncMode::None if computes_serially(model) => 1.0,
            // Side by side on one cache line, which bounces between the cores at every write.
            SyncMode::None => RACING_ON_ONE_LINE,
            _ if model == ModelKind::Processes => CONTENDED_FILE_LOCK,
            _ => CONTENDED_LOCK,
        };
        return RunParts {
            computing_s: seq_s * w as f64 / parallel,
            waiting_s: 0.0,
        };
    }
    let computing = if computes_serially(model) {
        1
    } else {
        w.min(cores.max(1)).min(tasks)
    };
    // Streaming memory, the workers share one memory bus: they gain less than their number.
    let speedup = match exp.task.kind {
        TaskKind::Memory => streaming_speedup(computing, cores),
        _ => computing as f64,
    };
    let in_flight = if model.is_single_worker() {
        1
    } else {
        w.min(tasks)
    };
    let wait_rounds = tasks.div_ceil(in_flight) as f64 / tasks as f64;
    // Each wait as long as the model makes it (tokio's timer rounds it up).
    let stretch = match wait_per_task_ms(exp) {
        Some(wait) if wait > 0.0 => wait_taken_ms(model, wait) / wait,
        _ => 1.0,
    };
    RunParts {
        computing_s: seq_s * compute_share / speedup,
        waiting_s: seq_s * (1.0 - compute_share) * wait_rounds * stretch,
    }
}

/// Timed runs a cell of `run_s`-second runs takes: its repetitions, the runs that fill the
/// minimum time, and with a precision target at least
/// [`crate::stats::MIN_SAMPLES_FOR_95`] runs and the
/// runs that fill the whole precision budget (the most a target can cost):
/// [`RunCount::most`], the rules the sweep applies.
pub fn timed_runs(exp: &Experiment, run_s: f64) -> usize {
    RunCount::of(exp).most(run_s)
}

/// What the estimate expects of one cell of the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct CellCost {
    pub model: ModelKind,
    pub workers: usize,
    /// Seconds its executor takes to start (processes, interpreters, clusters).
    pub startup_s: f64,
    /// Seconds one run takes (warm-ups and timed runs alike).
    pub run_s: f64,
    /// The share of a run expected to wait on a timer (an `io` sleep, a `mixed` task's wait),
    /// 0 to 1; the rest computes. 0 where unknown.
    pub waiting_share: f64,
    /// Timed runs it takes ([`timed_runs`]).
    pub timed_runs: usize,
}

impl CellCost {
    /// Cell `model × workers` of `exp` whose executor starts in `startup_s` and whose runs
    /// take `run_s` each, `waiting_share` of them waiting, with the timed runs `exp` asks of
    /// such runs.
    fn of(
        exp: &Experiment,
        (model, workers): (ModelKind, usize),
        startup_s: f64,
        (run_s, waiting_share): (f64, f64),
    ) -> Self {
        CellCost {
            model,
            workers,
            startup_s,
            run_s,
            waiting_share,
            timed_runs: timed_runs(exp, run_s),
        }
    }

    /// Whether at least half of a run is expected to wait on a timer.
    pub fn mostly_waits(&self) -> bool {
        self.waiting_share >= 0.5
    }

    /// The whole cell: start-up, warm-ups and timed runs.
    pub fn seconds(&self, warmups: u32) -> f64 {
        self.startup_s + (f64::from(warmups) + self.timed_runs as f64) * self.run_s
    }
}

/// The estimate of a sweep broken down: the one-off calibration, then each cell. The figure
/// shown before a run is its [`PlannedCost::seconds`]; the time left during the run starts
/// from it (see [`super::time_left`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedCost {
    /// Sizing the task to `target_run_s` before the sweep (0 when it is not calibrated).
    pub calibration_s: f64,
    pub warmups: u32,
    /// In the sweep's order ([`sweep_plan`]).
    pub cells: Vec<CellCost>,
}

impl PlannedCost {
    pub fn seconds(&self) -> f64 {
        self.calibration_s
            + self
                .cells
                .iter()
                .map(|c| c.seconds(self.warmups))
                .sum::<f64>()
    }
}

/// The sweep of `exp` cell by cell on a machine with `cores` usable cores, or why its length
/// cannot be known before it runs.
pub fn planned_cost(exp: &Experiment, cores: usize) -> Result<PlannedCost, &'static str> {
    let seq = sequential_run(exp)?;
    // Calibration: trials from a sixteenth of the size up, then a check run: about two runs of
    // the target (plus the calibrating model's start-up).
    let calibration_s = if is_calibrated(exp) {
        2.0 * exp.target_run_s + startup_s(super::calibrate::calibration_model(exp), 1)
    } else {
        0.0
    };
    let cells = sweep_plan(exp)
        .into_iter()
        .map(|(model, workers)| {
            let run = run_parts(exp, model, workers, cores, seq);
            CellCost::of(
                exp,
                (model, workers),
                startup_s(model, workers),
                (run.seconds(), run.waiting_share()),
            )
        })
        .collect();
    Ok(PlannedCost {
        calibration_s,
        warmups: exp.warmups,
        cells,
    })
}

/// The sweep of `exp` on a machine with `cores` usable cores.
pub fn estimate(exp: &Experiment, cores: usize) -> SweepEstimate {
    let planned = planned_cost(exp, cores);
    let seconds = planned.as_ref().map(PlannedCost::seconds).map_err(|e| *e);
    let at_most = seconds.is_err().then(|| at_most(exp)).flatten();
    SweepEstimate {
        cells: sweep_plan(exp).len(),
        seconds,
        at_most,
        target_without_room: planned
            .ok()
            .and_then(|p| target_without_room(exp, &p.cells)),
    }
}

/// What `corelab run` says before a sweep (`recorded`: the results file it runs again) and
/// the same figure cell by cell, which the time left during the sweep starts from: one
/// estimate, so that the progress line counts down from the figure printed.
pub fn before_run(
    exp: &Experiment,
    cores: usize,
    recorded: Option<&ResultsFile>,
) -> (SweepEstimate, Option<PlannedCost>) {
    let estimate = match recorded {
        Some(recorded) => estimate_from_recorded(exp, recorded),
        None => estimate(exp, cores),
    };
    let planned = match recorded {
        Some(recorded) => recorded_cost(exp, recorded),
        None => planned_cost(exp, cores),
    };
    (estimate, planned.ok())
}

/// The sweep of `exp` from the runs a results file recorded, for `corelab run RESULTS.json`,
/// which measures the recorded work again (calibration off): each cell's recorded median run
/// and start-up stand for its runs to come. A rough figure as well: another machine, or other
/// load, runs the same work at another speed. Unknown where a cell of the plan (worker counts
/// changed on the command line, a cell that failed) has no recorded median.
pub fn estimate_from_recorded(exp: &Experiment, recorded: &ResultsFile) -> SweepEstimate {
    let cost = recorded_cost(exp, recorded);
    SweepEstimate {
        cells: sweep_plan(exp).len(),
        seconds: cost.as_ref().map(|p| p.seconds()).map_err(|e| *e),
        at_most: None,
        target_without_room: cost.ok().and_then(|p| target_without_room(exp, &p.cells)),
    }
}

/// [`estimate_from_recorded`] cell by cell, as [`planned_cost`] is for a preset: what the time
/// left of a sweep that re-runs a results file starts from.
pub fn recorded_cost(
    exp: &Experiment,
    recorded: &ResultsFile,
) -> Result<PlannedCost, &'static str> {
    let cells = sweep_plan(exp)
        .into_iter()
        .map(|(model, w)| {
            let cell = recorded
                .cells
                .iter()
                .find(|c| c.model == Some(model) && c.workers == w)
                .ok_or("a cell of this sweep is not in the recorded one")?;
            let run = cell
                .wall
                .as_ref()
                .map(|s| s.median)
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or("a cell of the recorded sweep has no measured runs")?;
            let startup = cell.startup_s.filter(|s| s.is_finite() && *s >= 0.0);
            // The recorded run's length, shared between computing and waiting as the
            // preset's would be on the recorded machine's cores (work sized in units, whose
            // run is unknown before it runs, counts as computing).
            let waiting = sequential_run(exp).map_or(0.0, |seq| {
                run_parts(exp, model, w, recorded.machine.logical_cores.max(1), seq).waiting_share()
            });
            Ok(CellCost::of(
                exp,
                (model, w),
                startup.unwrap_or(0.0),
                (run, waiting),
            ))
        })
        .collect::<Result<Vec<CellCost>, &'static str>>()?;
    Ok(PlannedCost {
        // The recorded size is measured again: nothing is calibrated.
        calibration_s: 0.0,
        warmups: exp.warmups,
        cells,
    })
}

/// The longest a sweep of `exp` can take ([`AtMost`]): each cell's start-up at its limit
/// ([`startup_limit_s`]), its warm-ups at `timeout_s` each, and its timed runs at the most
/// [`RunCount`] lets runs of up to `timeout_s` add up to ([`RunCount::most_timed_s`]). `None`
/// for a timeout that is not a length.
fn at_most(exp: &Experiment) -> Option<AtMost> {
    let timeout = exp.timeout_s;
    if !(timeout.is_finite() && timeout > 0.0) {
        return None;
    }
    let count = RunCount::of(exp);
    let per_cell_runs = f64::from(exp.warmups) * timeout + count.most_timed_s(timeout);
    let mut runs_s = 0.0;
    let mut startups_s = 0.0;
    let mut startup_limits: Vec<String> = Vec::new();
    for (model, workers) in sweep_plan(exp) {
        let (startup, limits) = startup_limit_s(exp, model, workers);
        startups_s += startup;
        runs_s += per_cell_runs;
        for limit in limits {
            if !startup_limits.contains(&limit) {
                startup_limits.push(limit);
            }
        }
    }
    Some(AtMost {
        seconds: runs_s + startups_s,
        runs_s,
        startups_s,
        timeout_s: timeout,
        startup_limits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{Baseline, TaskSpec};

    fn experiment(models: &[ModelKind], workers: &[usize]) -> Experiment {
        Experiment {
            models: models.to_vec(),
            workers: workers.to_vec(),
            repetitions: 5,
            warmups: 1,
            min_time_s: 0.0,
            precision: 0.0,
            target_run_s: 0.0,
            baseline: Baseline::Sequential,
            ..Experiment::default()
        }
    }

    fn sleeps(tasks: u32, sleep_ms: f64) -> TaskSpec {
        let mut t = TaskSpec {
            kind: TaskKind::Io,
            tasks,
            ..TaskSpec::default()
        };
        t.io.sleep_ms = sleep_ms;
        t
    }

    fn seconds(e: &SweepEstimate) -> f64 {
        e.seconds.expect("a known length")
    }

    #[test]
    fn sleeps_overlap_by_the_workers_in_flight_whatever_the_cores() {
        // 8 sleeps of 100 ms: sequential 0.8 s a run; threads × 4 two rounds, 0.2 s; on one
        // core as on many (waiting needs no core). 6 runs each (1 warm-up + 5).
        let mut exp = experiment(&[ModelKind::Sequential, ModelKind::Threads], &[4]);
        exp.task = sleeps(8, 100.0);
        for cores in [1, 16] {
            let e = estimate(&exp, cores);
            assert_eq!(e.cells, 2);
            assert!(
                (seconds(&e) - (6.0 * 0.8 + 6.0 * 0.2)).abs() < 1e-9,
                "{e:?}"
            );
        }
    }

    #[test]
    fn computation_divides_by_the_cores_a_model_can_use_and_not_under_a_gil() {
        // A target of 1 s per sequential run; 4 workers on 2 cores: threads 0.5 s a run,
        // the emulated GIL still 1 s. No warm-up, 3 repetitions; calibration costs 2 s.
        let mut exp = experiment(&[ModelKind::Threads, ModelKind::GilThreads], &[4]);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.target_run_s = 1.0;
        exp.warmups = 0;
        exp.repetitions = 3;
        // The plan: sequential (the baseline isn't sequential, so no), threads and gil-threads
        // at 1 (added for their own baseline) and 4.
        let e = estimate(&exp, 2);
        assert_eq!(e.cells, 4);
        let expected = 2.0 + 3.0 * (1.0 + 1.0 + 0.5 + 1.0);
        assert!((seconds(&e) - expected).abs() < 1e-9, "{e:?}");
    }

    /// A `memory` task's workers share one memory bus: on 16 cores, 16 of them are not taken
    /// to stream 16 times as fast as one, as CPU work is.
    #[test]
    fn streaming_memory_saturates_where_computing_scales_with_the_cores() {
        // Calibrated to 1 s a sequential run; one run a cell, no warm-up.
        let mut exp = experiment(&[ModelKind::Threads], &[1, 2, 4, 8, 16]);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.task = TaskSpec {
            kind: TaskKind::Memory,
            tasks: 64,
            ..TaskSpec::default()
        };
        exp.target_run_s = 1.0;
        exp.warmups = 0;
        exp.repetitions = 1;
        let runs = |exp: &Experiment, cores: usize| -> Vec<f64> {
            let plan = planned_cost(exp, cores).unwrap();
            plan.cells.iter().map(|c| c.run_s).collect()
        };
        // On 16 cores: Amdahl's law with an 0.12 serial share, 1.79×, 2.9×, 4.3× and 5.7×
        // at 2 to 16 workers (under the Xeon's measured 1.80–1.84×, 3.42–3.53×, 5.21–5.59×
        // and 6.65–6.96×), where CPU work divides by the workers.
        let memory16 = runs(&exp, 16);
        let expected = [1.0, 1.7857, 2.9412, 4.3478, 5.7143];
        for (run, speedup) in memory16.iter().zip(expected) {
            assert!((run - 1.0 / speedup).abs() < 1e-3, "{memory16:?}");
        }
        assert!(memory16[4] > 2.5 / 16.0, "16 workers at 16×: {memory16:?}");
        let mut cpu = exp.clone();
        cpu.task.kind = TaskKind::Cpu;
        let cpu16 = runs(&cpu, 16);
        for (run, w) in cpu16.iter().zip([1.0, 2.0, 4.0, 8.0, 16.0]) {
            assert!((run - 1.0 / w).abs() < 1e-9, "{cpu16:?}");
        }
        // On 2 cores the bus is the ceiling at once: 0.4 of the cores is under 1×, so every
        // worker count takes the sequential run's time (measured there: 1.12–1.28× at 2);
        // CPU work halves. On 1 core neither gains.
        assert!(runs(&exp, 2).iter().all(|r| (r - 1.0).abs() < 1e-9));
        assert!((runs(&cpu, 2)[1] - 0.5).abs() < 1e-9);
        assert!(runs(&exp, 1).iter().all(|r| (r - 1.0).abs() < 1e-9));
        // The whole sweep on 16 cores: 1 s of calibration trials and check run twice over,
        // then the five runs.
        let total: f64 = memory16.iter().sum();
        assert!((seconds(&estimate(&exp, 16)) - (2.0 + total)).abs() < 1e-9);
        assert!(seconds(&estimate(&exp, 16)) > seconds(&estimate(&cpu, 16)));
        // Under the emulated GIL one worker computes at a time: no speedup to saturate.
        exp.models = vec![ModelKind::GilThreads];
        assert!(runs(&exp, 16).iter().all(|r| (r - 1.0).abs() < 1e-9));
    }

    #[test]
    fn the_streaming_speedup_stays_at_or_below_every_measured_figure() {
        // The lowest of threads, rayon and processes on each machine (see the constants).
        for (workers, cores, lowest_measured) in [
            (2, 16, 1.80),
            (4, 16, 3.42),
            (8, 16, 5.21),
            (16, 16, 6.65),
            (2, 2, 1.12),
        ] {
            let s = streaming_speedup(workers, cores);
            assert!(s <= lowest_measured, "{workers} of {cores}: {s}");
            assert!(s >= 1.0, "{workers} of {cores}: {s}");
        }
        assert_eq!(streaming_speedup(1, 16), 1.0);
        assert_eq!(streaming_speedup(0, 0), 1.0);
        // More workers never estimated slower, and never past the ceiling.
        for cores in [1, 2, 4, 16, 64, 256] {
            let mut last = 0.0;
            for p in 1..=cores {
                let s = streaming_speedup(p, cores);
                assert!(s >= last, "{p} of {cores}");
                assert!(s <= (STREAM_CEILING_PER_CORE * cores as f64).max(1.0) + 1e-12);
                last = s;
            }
        }
        // On 64 cores Amdahl binds, not the ceiling: 7.5× at 64, under 0.4 × 64 = 25.6×.
        assert!((streaming_speedup(64, 64) - 64.0 / (1.0 + 0.12 * 63.0)).abs() < 1e-9);
        // On 4 cores the ceiling binds: 1.6× at 4 workers where Amdahl gives 2.9×.
        assert!((streaming_speedup(4, 4) - 1.6).abs() < 1e-9);
    }

    #[test]
    fn a_precision_target_is_counted_at_its_whole_budget_and_six_runs_at_least() {
        let mut exp = experiment(&[ModelKind::Sequential], &[1]);
        exp.task = sleeps(1, 100.0);
        exp.warmups = 0;
        exp.repetitions = 3;
        exp.precision = 0.02;
        exp.precision_budget_s = 1.5;
        // 0.1 s runs: the budget fills after 15.
        assert!((seconds(&estimate(&exp, 2)) - 1.5).abs() < 1e-9);
        // 1 s runs: the budget is spent after 2, but a 95% interval needs 6.
        exp.task = sleeps(1, 1000.0);
        assert!((seconds(&estimate(&exp, 2)) - 6.0).abs() < 1e-9);
        // And a minimum time adds runs as the sweep does.
        exp.precision = 0.0;
        exp.min_time_s = 5.0;
        assert!((seconds(&estimate(&exp, 2)) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn mixed_work_splits_into_computation_on_the_cores_and_waits_in_flight() {
        // 4 tasks of 10 ms compute + 30 ms wait: sequential 0.16 s. Threads × 4 on 2 cores:
        // compute 0.04 / 2 + waits 0.12 / 4 = 0.05 s. Tokio × 4 (one thread): 0.04 + 0.031,
        // its timer making each 30 ms wait 31 ms; tokio × 1: 0.04 + 4 × 0.031.
        let mut exp = experiment(&[ModelKind::Threads, ModelKind::Tokio], &[4]);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.workers = vec![4];
        exp.task = TaskSpec {
            kind: TaskKind::Mixed,
            tasks: 4,
            ..TaskSpec::default()
        };
        exp.task.mixed.compute_ms = 10.0;
        exp.task.mixed.wait_ms = 30.0;
        exp.warmups = 0;
        exp.repetitions = 1;
        let e = estimate(&exp, 2);
        // Cells: threads × 1 (0.16 s), tokio × 1 (0.164 s), threads × 4, tokio × 4.
        assert_eq!(e.cells, 4);
        assert!(
            (seconds(&e) - (0.16 + 0.164 + 0.05 + 0.071)).abs() < 1e-9,
            "{e:?}"
        );
    }

    #[test]
    fn tokio_s_timer_rounds_each_wait_up_to_whole_milliseconds_and_a_tick() {
        assert_eq!(wait_taken_ms(ModelKind::Tokio, 2.0), 3.0);
        assert_eq!(wait_taken_ms(ModelKind::Tokio, 2.2), 4.0);
        assert_eq!(wait_taken_ms(ModelKind::Tokio, 0.0), 0.0);
        for model in [
            ModelKind::Threads,
            ModelKind::Sequential,
            ModelKind::PyAsyncio,
        ] {
            assert_eq!(wait_taken_ms(model, 2.0), 2.0, "{model}");
        }
        // waiting-threads-vs-async's shape: 1 024 sleeps of 2 ms, 256 rounds at 4 in flight.
        let mut exp = experiment(&[ModelKind::Threads, ModelKind::Tokio], &[4]);
        exp.task = sleeps(1024, 2.0);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.workers = vec![4];
        exp.warmups = 0;
        exp.repetitions = 1;
        let plan = planned_cost(&exp, 2).unwrap();
        let run = |model: ModelKind, workers: usize| {
            plan.cells
                .iter()
                .find(|c| c.model == model && c.workers == workers)
                .unwrap()
                .run_s
        };
        assert!((run(ModelKind::Threads, 4) - 256.0 * 0.002).abs() < 1e-9);
        assert!((run(ModelKind::Tokio, 4) - 256.0 * 0.003).abs() < 1e-9);
        assert!((run(ModelKind::Tokio, 1) - 1024.0 * 0.003).abs() < 1e-9);
        // A calibrated sleep has no fixed length to round: left as it is.
        exp.target_run_s = 0.5;
        let plan = planned_cost(&exp, 2).unwrap();
        assert!(
            plan.cells
                .iter()
                .all(|c| (c.run_s - 0.5 * 256.0 / 1024.0).abs() < 1e-9
                    || (c.run_s - 0.5).abs() < 1e-9),
            "{plan:?}"
        );
    }

    #[test]
    fn contention_behind_a_lock_grows_with_the_workers() {
        let mut exp = experiment(&[ModelKind::Threads], &[4]);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.task.kind = TaskKind::Contention;
        exp.target_run_s = 0.1;
        exp.warmups = 0;
        exp.repetitions = 1;
        // Threads × 1: 0.1 s; × 4 behind a mutex, 4 × 0.1 s at the contended lock's pace;
        // plus 0.2 s of calibration.
        let expected = 0.1 + 0.4 / CONTENDED_LOCK + 0.2;
        assert!((seconds(&estimate(&exp, 4)) - expected).abs() < 1e-9);
        // Processes behind the file lock slow down less.
        exp.models = vec![ModelKind::Processes];
        // (Calibrated on a one-worker pool: its start-up too.)
        let startup = 2.0 * startup_s(ModelKind::Processes, 1) + startup_s(ModelKind::Processes, 4);
        let expected = startup + 0.1 + 0.4 / CONTENDED_FILE_LOCK + 0.2;
        assert!((seconds(&estimate(&exp, 4)) - expected).abs() < 1e-9);
        exp.models = vec![ModelKind::Threads];
        // Unsynchronised, the 4 workers' increments run side by side, slowed by the counter's
        // cache line; under the emulated GIL they take turns and simply add up.
        exp.task.contention.sync = SyncMode::None;
        let expected = 0.1 + 0.4 / RACING_ON_ONE_LINE + 0.2;
        assert!((seconds(&estimate(&exp, 4)) - expected).abs() < 1e-9);
        exp.models = vec![ModelKind::GilThreads];
        assert!((seconds(&estimate(&exp, 4)) - (0.1 + 0.4 + 0.2)).abs() < 1e-9);
        exp.models = vec![ModelKind::Threads];
    }

    #[test]
    fn start_up_is_counted_for_processes_and_interpreters() {
        let mut exp = experiment(&[ModelKind::Processes], &[4]);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.task = sleeps(4, 100.0);
        exp.warmups = 0;
        exp.repetitions = 1;
        let without = seconds(&estimate(&exp, 4));
        exp.models = vec![ModelKind::PyMultiprocessing];
        let with_python = seconds(&estimate(&exp, 4));
        assert!(with_python > without + 0.5, "{without} vs {with_python}");
    }

    #[test]
    fn a_task_calibrated_for_cpython_runs_faster_on_corelabs_own_models() {
        // Sized so that one py-threading run takes 1 s; a threads run of the same task is
        // taken to last 1/20 of that. One repetition, no warm-up, no start-up for threads.
        let mut exp = experiment(&[ModelKind::Threads, ModelKind::PyThreading], &[1]);
        exp.baseline = Baseline::SameModelOneWorker;
        exp.target_run_s = 1.0;
        exp.warmups = 0;
        exp.repetitions = 1;
        let python_cell = startup_s(ModelKind::PyThreading, 1) + 1.0;
        let calibration = 2.0 + startup_s(ModelKind::PyThreading, 1);
        let expected = calibration + python_cell + 1.0 / PYTHON_SLOWDOWN;
        assert!((seconds(&estimate(&exp, 2)) - expected).abs() < 1e-9);
    }

    #[test]
    fn a_task_sized_in_work_units_says_its_time_is_unknown() {
        let mut exp = experiment(&[ModelKind::Sequential, ModelKind::Threads], &[1, 2]);
        exp.task.kind = TaskKind::Cpu;
        let e = estimate(&exp, 2);
        assert_eq!(e.cells, 3);
        assert_eq!(e.words(), "3 cells; time unknown until it runs");
        assert!(e.seconds.unwrap_err().contains("target time per run"));
        // Bounded by the timeout: 3 cells × (1 warm-up + 5 runs) × 30 s; models that start
        // within corelab have no start-up limit to add.
        exp.timeout_s = 30.0;
        let at = estimate(&exp, 2).at_most.expect("bounded by the timeout");
        assert_eq!(at.seconds, 3.0 * 6.0 * 30.0);
        assert_eq!((at.runs_s, at.startups_s), (3.0 * 6.0 * 30.0, 0.0));
        assert!(at.startup_limits.is_empty());
        exp.task.kind = TaskKind::Command;
        assert!(
            estimate(&exp, 2)
                .seconds
                .unwrap_err()
                .contains("the program")
        );
        // Given a target, it is known.
        exp.task.kind = TaskKind::Cpu;
        exp.target_run_s = 0.25;
        assert!(estimate(&exp, 2).words().starts_with("3 cells, about "));
    }

    /// A Python function's sweep is bounded by the engine's own limits: every run at the
    /// timeout, the timed runs as many as the rules can ask of runs that long, and each cell's
    /// interpreter and module import at theirs (60 s each), which the run's timeout does not
    /// set; the words name them all.
    #[test]
    fn a_function_sweep_is_bounded_by_its_timeout_and_its_start_up_limits() {
        let mut exp = experiment(
            &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
            &[1, 2],
        );
        exp.baseline = Baseline::SameModelOneWorker;
        exp.task.kind = TaskKind::Function;
        exp.timeout_s = 10.0;
        exp.min_time_s = 25.0;
        let e = estimate(&exp, 2);
        assert!(e.seconds.is_err());
        let at = e.at_most.clone().expect("bounded");
        // 4 cells: 1 warm-up at 10 s, then 5 runs (50 s) against a 25 s minimum time, which
        // alone could take 25 s + one 10 s run: 50 s; each cell's start-up 60 s + 60 s.
        assert_eq!(at.runs_s, 4.0 * (10.0 + 50.0));
        assert_eq!(at.startups_s, 4.0 * 120.0);
        assert_eq!(at.seconds, at.runs_s + at.startups_s);
        assert_eq!(
            e.at_most_words().unwrap(),
            "At most about 12 min: every run is stopped at the 10 s timeout (timeout_s), about \
             4 min of runs at most; and every cell's start-up at limits of its own (60 s for a \
             Python interpreter and its pool; 60 s more to import the function's module), \
             about 8 min of start-ups at most"
        );
        // A minimum time beyond the repetitions: its own length plus one more run.
        exp.min_time_s = 100.0;
        let at = estimate(&exp, 2).at_most.expect("bounded");
        assert_eq!(at.runs_s, 4.0 * (10.0 + 110.0));
        // Another task under processes: their workers' handshakes, not Python's.
        exp.task.kind = TaskKind::Cpu;
        exp.models = vec![ModelKind::Processes];
        let words = estimate(&exp, 2).at_most_words().unwrap();
        assert!(
            words.contains("(30 s for the processes workers to say ready; 30 s more to build the workload before their first run)"),
            "{words}"
        );
    }

    #[test]
    fn a_recorded_sweep_is_estimated_from_its_cells_medians_and_start_ups() {
        use crate::results::CellResult;
        let cell = |model, workers, median: Option<f64>, startup_s| CellResult {
            model: Some(model),
            workers,
            startup_s,
            wall: median.and_then(|m| crate::stats::summarize(&[m * 0.9, m, m * 1.2])),
            ..CellResult::default()
        };
        // A CPU task sized in work units: unknown from the preset alone.
        let mut exp = experiment(&[ModelKind::Sequential, ModelKind::Processes], &[1, 2]);
        exp.task.kind = TaskKind::Cpu;
        exp.warmups = 1;
        exp.repetitions = 2;
        assert!(estimate(&exp, 2).seconds.is_err());
        let mut recorded = ResultsFile {
            cells: vec![
                cell(ModelKind::Sequential, 1, Some(0.2), None),
                cell(ModelKind::Processes, 1, Some(0.25), Some(0.01)),
                cell(ModelKind::Processes, 2, Some(0.1), Some(0.02)),
            ],
            ..ResultsFile::default()
        };
        // 1 warm-up + 2 timed runs a cell, and the start-ups.
        let expected = 3.0 * (0.2 + 0.25 + 0.1) + 0.01 + 0.02;
        let e = estimate_from_recorded(&exp, &recorded);
        assert_eq!(e.cells, 3);
        assert!((seconds(&e) - expected).abs() < 1e-9, "{e:?}");
        // A minimum time per cell adds runs as it would for the preset's estimate.
        exp.min_time_s = 1.0;
        let expected = (1.0 + 5.0) * 0.2 + (1.0 + 4.0) * 0.25 + (1.0 + 10.0) * 0.1 + 0.03;
        assert!((seconds(&estimate_from_recorded(&exp, &recorded)) - expected).abs() < 1e-9);
        // A cell with no median (it failed), or one the recorded sweep lacks: unknown.
        recorded.cells[2].wall = None;
        assert!(estimate_from_recorded(&exp, &recorded).seconds.is_err());
        exp.workers = vec![1, 4];
        recorded.cells[2] = cell(ModelKind::Processes, 2, Some(0.1), None);
        let e = estimate_from_recorded(&exp, &recorded);
        assert_eq!(e.words(), "3 cells; time unknown until it runs");
    }

    /// The figure `corelab run` prints and the cost the progress line counts down from are
    /// one estimate: the recorded runs' for a results file, the preset's otherwise.
    #[test]
    fn before_a_run_the_printed_estimate_and_the_plan_are_the_same_figure() {
        use crate::results::CellResult;
        let mut exp = experiment(&[ModelKind::Sequential, ModelKind::Threads], &[1, 2]);
        exp.task.kind = TaskKind::Cpu;
        // Sized in work units: the preset alone gives no figure, and no plan.
        let (printed, planned) = before_run(&exp, 2, None);
        assert!(printed.seconds.is_err());
        assert_eq!(planned, None);
        let cell = |model, workers, median: f64| CellResult {
            model: Some(model),
            workers,
            startup_s: Some(0.01),
            wall: crate::stats::summarize(&[median, median, median]),
            ..CellResult::default()
        };
        let recorded = ResultsFile {
            cells: vec![
                cell(ModelKind::Sequential, 1, 0.4),
                cell(ModelKind::Threads, 1, 0.4),
                cell(ModelKind::Threads, 2, 0.2),
            ],
            ..ResultsFile::default()
        };
        let (printed, planned) = before_run(&exp, 2, Some(&recorded));
        let planned = planned.expect("the recorded runs give a plan");
        assert_eq!(printed, estimate_from_recorded(&exp, &recorded));
        assert!((seconds(&printed) - planned.seconds()).abs() < 1e-12);
        assert_eq!(planned.calibration_s, 0.0);
        let runs: Vec<f64> = planned.cells.iter().map(|c| c.run_s).collect();
        assert_eq!(runs, [0.4, 0.4, 0.2]);
        // A preset with a known length: its own estimate, the same either way.
        exp.target_run_s = 0.25;
        let (printed, planned) = before_run(&exp, 2, None);
        assert_eq!(printed, estimate(&exp, 2));
        assert_eq!(planned, planned_cost(&exp, 2).ok());
    }

    #[test]
    fn durations_are_rounded_as_estimates() {
        assert_eq!(about_duration(0.2), "1 s");
        assert_eq!(about_duration(13.6), "14 s");
        assert_eq!(about_duration(95.0), "2 min");
        assert_eq!(about_duration(7200.0), "2.0 h");
        assert_eq!(about_duration(59.6), "1 min");
        assert_eq!(about_duration(3.0 * 86400.0), "3 days");
        assert_eq!(about_duration(35567.0 * 3600.0), "4 years");
        assert_eq!(about_duration(1e30), "more than 1000 years");
        assert_eq!(about_duration(f64::INFINITY), "more than 1000 years");
        assert_eq!(about_duration(f64::NAN), "more than 1000 years");
        let one = SweepEstimate {
            cells: 1,
            seconds: Ok(3.0),
            at_most: None,
            target_without_room: None,
        };
        assert_eq!(one.words(), "1 cell, about 3 s");
        assert_eq!(one.long_sweep_warning(), None);
        let long = SweepEstimate {
            cells: 257,
            seconds: Ok(35567.0 * 3600.0),
            at_most: None,
            target_without_room: None,
        };
        let warning = long.long_sweep_warning().unwrap();
        assert!(
            warning.starts_with("this sweep is estimated at about 4 years: "),
            "{warning}"
        );
        let unknown = SweepEstimate {
            cells: 3,
            seconds: Err("a command's runs last as long as the program"),
            at_most: Some(AtMost {
                seconds: 90.0,
                runs_s: 90.0,
                startups_s: 0.0,
                timeout_s: 5.0,
                startup_limits: Vec::new(),
            }),
            target_without_room: None,
        };
        assert_eq!(
            unknown.at_most_words().unwrap(),
            "At most about 2 min: every run is stopped at the 5 s timeout (timeout_s)"
        );
        assert_eq!(unknown.long_sweep_warning(), None);
    }

    #[test]
    fn a_target_whose_budget_the_long_runs_spend_is_named_before_the_sweep() {
        // 0.25 s sequential runs of a CPU task on 2 cores, ±2% within 1.5 s: the 1-worker
        // cells' 6 runs spend the budget, the 2-worker cells' (0.125 s) leave room.
        let mut exp = experiment(&[ModelKind::Sequential, ModelKind::Threads], &[1, 2]);
        exp.task.cpu.size = 1000;
        exp.target_run_s = 0.25;
        exp.repetitions = 5;
        exp.min_time_s = 0.5;
        exp.precision = 0.02;
        exp.precision_budget_s = 1.5;
        let t = estimate(&exp, 2).target_without_room.unwrap();
        assert_eq!((t.cells, t.of, t.runs), (2, 3, 6));
        assert!((t.shortest_run_s - 0.25).abs() < 1e-9, "{t:?}");
        // Twice the 6 runs of 0.25 s.
        assert_eq!(t.budget_with_room_s, 3.0);
        // With that budget every cell has room; without a target there is nothing to say.
        exp.precision_budget_s = t.budget_with_room_s;
        assert_eq!(estimate(&exp, 2).target_without_room, None);
        exp.precision = 0.0;
        exp.precision_budget_s = 1.5;
        assert_eq!(estimate(&exp, 2).target_without_room, None);
    }

    /// The cells without room are told apart by what their runs do: computing (CPU work, a
    /// contended counter) may spread wider than the target; waiting on a timer does not.
    #[test]
    fn cells_without_room_that_mostly_wait_are_counted_apart() {
        let cpu = estimate(&builtin("python-gil-vs-processes"), 2)
            .target_without_room
            .unwrap();
        assert_eq!(cpu.waiting, 0, "{cpu:?}");
        assert!(cpu.may_cost_precision());
        for name in [
            "io-threads-vs-processes",
            "gil-io-bound",
            "compute-wait-crossover",
        ] {
            let t = estimate(&builtin(name), 2).target_without_room.unwrap();
            assert_eq!(t.waiting, t.cells, "{name}: {t:?}");
            assert!(!t.may_cost_precision(), "{name}");
        }
        // 2 ms of computing and 8 ms of waiting a task: the sequential run waits 80% of its
        // length, gil-threads × 8 on 2 cores computes its 96 ms one task at a time and waits
        // only 48 ms (8 tasks at once), so it mostly computes.
        let mut exp = experiment(&[ModelKind::Sequential, ModelKind::GilThreads], &[1, 8]);
        exp.task.kind = TaskKind::Mixed;
        exp.task.tasks = 48;
        exp.task.mixed.compute_ms = 2.0;
        exp.task.mixed.wait_ms = 8.0;
        let plan = planned_cost(&exp, 2).unwrap();
        let share = |model, workers| {
            let c = plan
                .cells
                .iter()
                .find(|c| c.model == model && c.workers == workers)
                .unwrap();
            (c.waiting_share, c.mostly_waits())
        };
        let (seq, seq_waits) = share(ModelKind::Sequential, 1);
        assert!((seq - 0.8).abs() < 1e-9 && seq_waits, "{seq}");
        let (gil, gil_waits) = share(ModelKind::GilThreads, 8);
        assert!((gil - 48.0 / 144.0).abs() < 1e-9 && !gil_waits, "{gil}");
        // With a target whose budget all their runs spend: sequential × 1 and gil-threads × 1
        // wait, gil-threads × 8 computes.
        exp.precision = 0.02;
        exp.precision_budget_s = 0.5;
        let t = estimate(&exp, 2).target_without_room.unwrap();
        assert_eq!((t.cells, t.waiting), (3, 2), "{t:?}");
        assert!(t.may_cost_precision());
        // A contended counter computes, whatever its length.
        let lost = planned_cost(&builtin("lost-updates"), 2).unwrap();
        assert!(
            lost.cells.iter().all(|c| c.waiting_share == 0.0),
            "{lost:?}"
        );
    }

    fn builtin(name: &str) -> Experiment {
        crate::preset::find_builtin(name)
            .unwrap()
            .experiment()
            .unwrap()
    }
}

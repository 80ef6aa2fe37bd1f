//! The lost-update lessons: workers racing on a shared counter without a lock lose updates,
//! under one none (threads and a mutex, processes and a file lock, CPython processes and
//! `get_lock()`).

use super::experiments::contention_experiment;
use super::judge::{lesson, unless_unjudged};
use super::runner::Ctx;
use super::thresholds;
use super::{Lesson, Verdict};
use crate::engine::error::EngineError;
use crate::preset::{ModelKind, SyncMode};
use crate::results::{LostShare, ResultsFile, lost_share};

pub(super) fn lost_updates(ctx: &Ctx, cores: usize) -> Lesson {
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
pub(super) fn lost_updates_between_processes(ctx: &Ctx, cores: usize) -> Lesson {
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
pub(super) fn lost_updates_between_cpython_processes(ctx: &Ctx, cores: usize) -> Lesson {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lessons::test_machines::{
        CONTENDED, Load, RACING, TURNS, lock_machine, measure, measure_on_lock_machine, unlocked_as,
    };
    use crate::engine::lessons::{LessonsSummary, MAX_ATTEMPTS};
    use crate::engine::model::WorkerCommand;
    use crate::engine::sweep::SweepConfig;

    #[test]
    fn the_lost_updates_lesson_wants_losses_without_a_lock_and_none_with_one() {
        // Racing threads that ran at once lose updates; the mutex loses none.
        let (l, line, sweeps) = measure_on_lock_machine(lost_updates, unlocked_as(RACING));
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        assert_eq!(sweeps[&SyncMode::None], 1);
        // 10 M increments per thread are 0.05 s at 5 ns.
        assert_eq!(
            l.figure,
            "none: lost updates in every one of 3 runs (up to 3000000 in one run, 15%); mutex: no lost updates (3 runs)"
        );
        // Threads that took turns lose nothing and show nothing: measured again, then SKIP.
        let (l, line, sweeps) = measure_on_lock_machine(lost_updates, unlocked_as(TURNS));
        assert_eq!(sweeps[&SyncMode::None], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{line}")
        };
        assert!(why.starts_with("the racing threads hardly ran at once (1.00 cores busy"));
        // Threads that ran at once and lost nothing: a failure.
        let (ctx, _) = lock_machine(unlocked_as(CONTENDED));
        assert_eq!(measure(&ctx, lost_updates).0.verdict, Verdict::Fail);
        // A mutex that loses an update fails at once, however busy the machine.
        let (l, _, sweeps) = measure_on_lock_machine(lost_updates, |_, _| (RACING, Load::Busy));
        assert_eq!(l.verdict, Verdict::Fail);
        assert!(l.busy.is_some());
        assert_eq!(sweeps[&SyncMode::Mutex], 1);
    }

    #[test]
    fn processes_that_share_a_counter_without_a_lock_lose_updates_and_a_file_lock_none() {
        let (l, line, sweeps) =
            measure_on_lock_machine(lost_updates_between_processes, unlocked_as(RACING));
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        // One sweep each: a calibration and two cells, counted once.
        assert_eq!(sweeps[&SyncMode::None], 1);
        assert_eq!(sweeps[&SyncMode::Mutex], 1);
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
        let (l, line, sweeps) =
            measure_on_lock_machine(lost_updates_between_processes, unlocked_as(TURNS));
        assert_eq!(sweeps[&SyncMode::None], MAX_ATTEMPTS);
        let Verdict::Inconclusive(why) = &l.verdict else {
            panic!("{line}")
        };
        assert!(
            why.starts_with("the racing processes hardly ran at once (1.00 cores busy"),
            "{why}"
        );
        // A file lock that loses an update is a defect: FAIL at once, however busy.
        let (l, _, sweeps) =
            measure_on_lock_machine(lost_updates_between_processes, |_, _| (RACING, Load::Busy));
        assert_eq!(l.verdict, Verdict::Fail);
        assert!(l.defect);
        assert_eq!(sweeps[&SyncMode::Mutex], 1);
    }

    #[test]
    fn cpython_processes_racing_on_a_value_lose_updates_and_with_its_lock_none() {
        let (l, line, sweeps) =
            measure_on_lock_machine(lost_updates_between_cpython_processes, unlocked_as(RACING));
        assert_eq!(l.verdict, Verdict::Pass, "{line}");
        assert_eq!(sweeps[&SyncMode::None], 1);
        assert_eq!(sweeps[&SyncMode::Mutex], 1);
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
        let (l, line, sweeps) =
            measure_on_lock_machine(lost_updates_between_cpython_processes, unlocked_as(TURNS));
        assert_eq!(sweeps[&SyncMode::None], MAX_ATTEMPTS);
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
        let (l, _, sweeps) =
            measure_on_lock_machine(lost_updates_between_cpython_processes, |_, _| {
                (RACING, Load::Busy)
            });
        assert_eq!(l.verdict, Verdict::Fail);
        assert!(l.defect);
        assert_eq!(sweeps[&SyncMode::Mutex], 1);
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
}

//! The contention lesson: threads on one contended lock are slower than one thread, not faster.

use super::experiments::contention_experiment;
use super::judge::{judge, lesson, pass_if, speedup};
use super::runner::Ctx;
use super::thresholds;
use super::{Lesson, Verdict};
use crate::preset::{ModelKind, SyncMode};
use crate::results::CellResult;

pub(super) fn contention_slows_down(ctx: &Ctx, cores: usize) -> Lesson {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lessons::MAX_ATTEMPTS;
    use crate::engine::lessons::test_machines::{
        CONTENDED, Load, TURNS, Two, UNSLOWED, measure_on_lock_machine,
    };

    #[test]
    fn threads_that_never_ran_at_once_are_measured_again_then_skipped_not_failed() {
        // The reviewer's machine: both threads' runs at one thread's speed and CPU per
        // increment, three times over, with too few ticks to judge the load.
        let (l, line, sweeps) =
            measure_on_lock_machine(contention_slows_down, |_, _| (TURNS, Load::TooFewTicks));
        assert_eq!(sweeps[&SyncMode::Mutex], MAX_ATTEMPTS);
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
        let (l, line, sweeps) = measure_on_lock_machine(contention_slows_down, |_, n| match n {
            1 => (TURNS, Load::Busy),
            _ => (CONTENDED, Load::Quiet),
        });
        assert_eq!(sweeps[&SyncMode::Mutex], 2);
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
        let (l, line, sweeps) = measure_on_lock_machine(contention_slows_down, |_, _| {
            let two = Two {
                speedup: 1.6,
                base_cores: 0.3,
                ..CONTENDED
            };
            (two, Load::Busy)
        });
        assert_eq!(sweeps[&SyncMode::Mutex], MAX_ATTEMPTS);
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
        let (l, line, sweeps) =
            measure_on_lock_machine(contention_slows_down, |_, _| (UNSLOWED, Load::Quiet));
        assert_eq!(sweeps[&SyncMode::Mutex], 1);
        assert_eq!(l.verdict, Verdict::Fail);
        assert_eq!(l.busy, None);
        assert_eq!(
            l.figure,
            "threads × 2: 1.00× one thread's increments per second, 3.0× the CPU per increment"
        );
        assert!(line.starts_with("FAIL"), "{line}");
    }
}

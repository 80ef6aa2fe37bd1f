//! Runs the lessons: each measured, and measured again while it fails on a busy machine or
//! cannot tell, on the sweeps of a context that tests script.

use super::contention::contention_slows_down;
use super::gil::{cpython_gil, gil_cpu_bound};
use super::io::io_scales_past_the_cores;
use super::lost_updates::{
    lost_updates, lost_updates_between_cpython_processes, lost_updates_between_processes,
};
use super::processes::processes_scale;
use super::{Lesson, Verdict};
use crate::engine::cancel::CancelToken;
use crate::engine::error::EngineError;
use crate::engine::model::WorkerCommand;
use crate::engine::sweep::{SweepConfig, preflight_with, run_sweep};
use crate::preset::Experiment;
use crate::results::{CellStatus, PythonInfo, ResultsFile};

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
pub(super) fn run_each(
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
pub(super) type MeasureLesson = fn(&Ctx, usize) -> Lesson;

/// Where the lessons' sweeps run: the real executors, or (in tests) scripted ones.
pub(super) struct Ctx {
    pub(super) config: SweepConfig,
}

impl Ctx {
    /// What `exp` needs from outside corelab, as `corelab run` checks it ([`preflight_with`]),
    /// with the interpreter asked of the executors the lessons' sweeps run on, so that a test
    /// answers without an interpreter.
    pub(super) fn preflight(&self, exp: &Experiment) -> Result<Option<PythonInfo>, EngineError> {
        preflight_with(exp, self.config.executors.as_ref())
    }

    pub(super) fn sweep(&self, exp: &Experiment) -> Result<ResultsFile, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lessons::contention::contention_slows_down;
    use crate::engine::lessons::test_machines::{
        CONTENDED, Load, UNSLOWED, measure_on_lock_machine,
    };
    use crate::preset::SyncMode;

    #[test]
    fn a_failure_on_a_busy_machine_is_measured_again_and_says_so() {
        // Busy, then quiet and contended: passes at the second attempt.
        let (l, _, sweeps) = measure_on_lock_machine(contention_slows_down, |_, n| match n {
            1 => (UNSLOWED, Load::Busy),
            _ => (CONTENDED, Load::Quiet),
        });
        assert_eq!(sweeps[&SyncMode::Mutex], 2);
        assert_eq!(l.verdict, Verdict::Pass);
        assert!(
            l.figure.ends_with(
                "(attempt 2 of 3, as the one before it failed while the machine was busy)"
            ),
            "{}",
            l.figure
        );
        // Busy every time: no verdict from noise, the warning beside it.
        let (l, line, sweeps) =
            measure_on_lock_machine(contention_slows_down, |_, _| (UNSLOWED, Load::Busy));
        assert_eq!(sweeps[&SyncMode::Mutex], MAX_ATTEMPTS);
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
        let (l, _, sweeps) = measure_on_lock_machine(contention_slows_down, |_, n| match n {
            1 => (UNSLOWED, Load::TooFewTicks),
            _ => (UNSLOWED, Load::Quiet),
        });
        assert_eq!(sweeps[&SyncMode::Mutex], 2);
        assert_eq!(l.verdict, Verdict::Fail, "judged quiet the second time");
        assert!(
            l.figure.ends_with(
                "(attempt 2 of 3, as the one before it was inconclusive: 6 of the runs were too short to tell whether other programs competed for the cores)"
            ),
            "{}",
            l.figure
        );
    }
}

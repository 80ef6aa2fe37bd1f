//! The GIL lessons: CPU-bound threads behind a GIL (emulated, then CPython's) stay flat while
//! plain threads and processes scale.

use super::experiments::{THREADS_AND_GIL_THREADS, experiment};
use super::judge::{judge, lesson, pass_if, speedup};
use super::runner::Ctx;
use super::thresholds;
use super::{Lesson, Verdict};
use crate::preset::{Baseline, CpuKernel, ModelKind, StartMethod, TaskKind};
use crate::results::{ResultsFile, gil_rule};

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

pub(super) fn gil_cpu_bound(ctx: &Ctx, cores: usize) -> Lesson {
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
    let mut exp = experiment(TaskKind::Cpu, &THREADS_AND_GIL_THREADS, &[w]);
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

pub(super) fn cpython_gil(ctx: &Ctx, cores: usize) -> Lesson {
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
    use super::*;
    use crate::engine::lessons::runner::MeasureLesson;
    use crate::engine::lessons::test_machines::measure;
    use crate::engine::model::WorkerCommand;
    use crate::engine::sweep::SweepConfig;

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
        let mut exp = experiment(TaskKind::Cpu, &THREADS_AND_GIL_THREADS, &[2]);
        exp.task.tasks = 16;
        exp.repetitions = 6;
        let r = gil_machine(tight).sweep(&exp).unwrap();
        let gil = r.cell(ModelKind::GilThreads, 2).unwrap();
        assert!(gil_rule::near_one(gil), "{gil:?}");
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

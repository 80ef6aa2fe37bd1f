//! `corelab selftest`: corelab's own overheads as measured here, or with `--lessons` the
//! classic lessons, PASS, FAIL or SKIP each, with the exit status that says how they went.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::engine::WorkerCommand;

/// Exit status of `selftest --lessons` when a lesson failed (whatever the others did).
pub const EXIT_LESSON_FAILED: u8 = 3;
/// Exit status of `selftest --lessons` when none failed but some were skipped: inconclusive
/// (on a busy machine, typically) or not measurable here (no python3, one core).
pub const EXIT_LESSONS_SKIPPED: u8 = 4;

/// The exit status of `selftest --lessons` for how they went: 0 every lesson passed,
/// [`EXIT_LESSON_FAILED`] one failed, [`EXIT_LESSONS_SKIPPED`] none failed but not all passed.
fn lessons_exit_code(summary: &crate::engine::lessons::LessonsSummary) -> u8 {
    if summary.failed > 0 {
        EXIT_LESSON_FAILED
    } else if summary.passed < summary.lessons {
        EXIT_LESSONS_SKIPPED
    } else {
        0
    }
}

/// The exit statuses and JSON of `corelab selftest`, for `--help` and its man page.
pub(super) const SELFTEST_AFTER_HELP: &str = "\
With --lessons, a closing line counts the lessons passed, failed and skipped (on stderr with
--json), and the exit status says how they went: 0 every lesson passed; 3 a lesson failed; 4
none failed but some were skipped (inconclusive, as other programs competed for the cores or
the runs could not tell, or not measurable here: no python3, one core); 1 an error (the lessons
could not be run); 2 a command-line mistake. A lesson that fails or cannot tell while the
machine is busy is measured up to 3 times, so on a busy machine it takes a few minutes rather
than about one.

--lessons --json prints an array, one object a lesson: name, figure, expected, busy (a note or
null) and verdict, an object tagged by kind: {\"kind\": \"pass\"}, {\"kind\": \"fail\"},
{\"kind\": \"skipped\", \"reason\": …} or {\"kind\": \"inconclusive\", \"reason\": …}.

Without --lessons: a closing line on stderr says whether other programs competed for the cores
while it measured (a warning when they did: the figures are then noisy and likely high); exit
status 0 measured; 1 an error.";

/// `corelab selftest --lessons`: each lesson's figure and PASS/FAIL/SKIP, as measured here,
/// a closing count, and the exit status of [`lessons_exit_code`].
pub(super) fn selftest_lessons(json: bool) -> Result<ExitCode> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    if !json {
        outln!(
            "Measuring the lessons on {} (about a minute on a quiet machine; a lesson that fails \
             or cannot tell while other programs compete for the cores is measured up to {} \
             times, which takes a few minutes)",
            crate::words::count(cores, "core"),
            crate::engine::lessons::MAX_ATTEMPTS
        );
    }
    let lessons = crate::engine::lessons::run_lessons(&worker, cores, &mut |l| {
        if !json {
            outln!("{}", l.line());
        }
    });
    let summary = crate::engine::lessons::LessonsSummary::of(&lessons);
    if json {
        outln!("{}", serde_json::to_string_pretty(&lessons)?);
        // stdout stays one JSON document.
        errln!("{}", summary.line());
    } else {
        outln!("{}", summary.line());
    }
    Ok(ExitCode::from(lessons_exit_code(&summary)))
}

pub(super) fn selftest(workers: Option<usize>, json: bool, python: &str) -> Result<()> {
    let workers =
        workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if workers == 0 || workers > crate::preset::limits::MAX_PROCESS_WORKERS {
        bail!(
            "--workers {workers}: choose 1 to {}",
            crate::preset::limits::MAX_PROCESS_WORKERS
        );
    }
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    let load = crate::engine::load::LoadWatch::start();
    let mut rows =
        crate::engine::selftest::run_selftest(&worker, workers).map_err(anyhow::Error::msg)?;
    let options = crate::preset::PythonOptions {
        interpreter: python.to_string(),
        ..crate::preset::PythonOptions::default()
    };
    for (model, outcome) in crate::engine::selftest::run_python_selftest(&options, workers) {
        match outcome {
            Ok(row) => rows.push(row),
            Err(reason) => errln!(
                "skipped: dispatch per task: {model}: {}",
                crate::export::sanitize::for_terminal(&selftest_reason(&reason))
            ),
        }
    }
    // After the figures, on stderr (so that --json's stdout stays one JSON document).
    let load_line = crate::engine::selftest::load_line(load.evidence().as_ref());
    if json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        errln!("{load_line}");
        return Ok(());
    }
    outln!("{:<52} {:>10} {:>21}  how", "what", "median", "min – max");
    for r in rows {
        outln!(
            "{:<52} {:>8.2}µs {:>8.2} – {:>8.2}µs  {}",
            r.what,
            r.median_us,
            r.min_us,
            r.max_us,
            r.how
        );
    }
    errln!("{load_line}");
    Ok(())
}

/// A reason the engine gives for a Python model it cannot run, as `selftest` says it: the
/// engine's hints name the preset's field, which on this command line is `--python`.
fn selftest_reason(reason: &str) -> String {
    reason
        .replace("set python.interpreter to ", "pass --python ")
        .replace("set python.interpreter", "pass --python INTERPRETER")
        .replace("(python.interpreter)", "(--python)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A start-up past its limit reads as it does in a sweep, the interpreter named by the
    /// option that sets it here.
    #[test]
    fn a_start_up_timeout_names_the_option_that_sets_the_interpreter() {
        use crate::engine::startup_timeout::StartupTimeout;
        use crate::preset::ModelKind;
        let timed_out = StartupTimeout::new(
            ModelKind::PyThreading,
            2,
            std::time::Duration::from_secs(60),
        );
        let said = selftest_reason(&timed_out.message());
        assert!(
            said.starts_with(
                "starting the Python interpreter took longer than 60 s; nothing was measured"
            ),
            "{said}"
        );
        assert!(
            said.contains("check that the interpreter (--python) starts by itself"),
            "{said}"
        );
    }

    #[test]
    fn the_lessons_exit_status_tells_fail_skip_and_pass_apart() {
        use crate::engine::lessons::LessonsSummary;
        let summary = |passed, failed, inconclusive, skipped| LessonsSummary {
            lessons: passed + failed + inconclusive + skipped,
            passed,
            failed,
            inconclusive,
            skipped,
        };
        assert_eq!(lessons_exit_code(&summary(7, 0, 0, 0)), 0);
        assert_eq!(
            lessons_exit_code(&summary(3, 0, 4, 0)),
            EXIT_LESSONS_SKIPPED
        );
        assert_eq!(
            lessons_exit_code(&summary(6, 0, 0, 1)),
            EXIT_LESSONS_SKIPPED
        );
        assert_eq!(lessons_exit_code(&summary(3, 1, 3, 0)), EXIT_LESSON_FAILED);
        assert_eq!(lessons_exit_code(&summary(0, 7, 0, 0)), EXIT_LESSON_FAILED);
        // None of them is an error's status (1) or clap's (2).
        assert!(![1, 2].contains(&EXIT_LESSON_FAILED) && ![1, 2].contains(&EXIT_LESSONS_SKIPPED));
    }

    #[test]
    fn selftest_hints_name_the_python_flag() {
        assert_eq!(
            selftest_reason("install it with `pip` and set python.interpreter to .venv/bin/python"),
            "install it with `pip` and pass --python .venv/bin/python"
        );
        assert_eq!(
            selftest_reason("was not found (install python3 or set python.interpreter)"),
            "was not found (install python3 or pass --python INTERPRETER)"
        );
    }
}

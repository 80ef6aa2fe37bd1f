//! Whether results of CPU-bound work show the lesson of the workbench's start-here tour,
//! "threads and processes climb with the cores, gil-threads stays flat", judged by the rule
//! the verdict's GIL line uses ([`crate::results::gil_rule`]): on the speedups' 95% intervals,
//! not their point values, so that the workbench's header, the verdict, `corelab
//! run`/`report` and `corelab selftest --lessons` never give two answers to one question.

use super::verdict::completed;
use crate::preset::{ModelKind, TaskKind};
use crate::results::gil_rule::{
    Footing, JUDGED_RUNS, leaning, runs_giving, scaled_on, speedup_interval as speedup_ci,
    stayed_flat_on,
};
use crate::results::{CellResult, ResultsFile};

/// The lesson in words, as `corelab run` and `report` name it before saying that results do
/// not show it (the workbench's start-here hint states it above the same note).
pub const GIL_LESSON: &str =
    "threads and processes climb with the cores, gil-threads stays flat: that flat line is the GIL";

/// What results say about the GIL lesson ([`read_gil_lesson`]).
#[derive(Clone, Debug, PartialEq)]
pub struct GilLessonReading {
    /// Whether the results show it: gil-threads stayed below 1.3× at every count of 2 workers
    /// or more, and threads and processes (each that was measured) scaled, all on 95%
    /// intervals (6 runs a cell or more).
    pub shown: bool,
    /// The figures that decided it, with their intervals, e.g. `threads × 2: 1.90× (1.88–1.92×),
    /// processes × 2: 1.80× (1.78–1.82×), gil-threads × 2: 1.00× (0.99–1.01×)`: for threads and
    /// processes the cell that scaled (else their best at 2 workers or more), for gil-threads
    /// the one whose interval reaches highest.
    pub figure: String,
}

/// Reads the GIL lesson in `r` ([`GilLessonReading`]) by the verdict's rule: `None` where it
/// cannot be judged (not CPU-bound work, one core, no completed gil-threads cell at 2 workers
/// or more, or neither threads nor processes there).
pub fn read_gil_lesson(r: &ResultsFile) -> Option<GilLessonReading> {
    read_on(r, Footing::Judged)
}

/// [`read_gil_lesson`] on `footing`: on [`Footing::Leaning`], which way intervals below 95%
/// lean (fewer than 6 runs a cell), for saying that too few runs cannot show what they lean to.
fn read_on(r: &ResultsFile, footing: Footing) -> Option<GilLessonReading> {
    if r.experiment.task.kind != TaskKind::Cpu || r.machine.logical_cores < 2 {
        return None;
    }
    let cells: Vec<&CellResult> = r
        .cells
        .iter()
        .filter(|c| completed(c) && c.workers >= 2 && c.speedup.is_some())
        .collect();
    let of = |model: ModelKind| {
        cells
            .iter()
            .copied()
            .filter(move |c| c.model == Some(model))
    };
    let highest_reach = |c: &&CellResult| speedup_ci(c).map_or(f64::INFINITY, |(_, hi)| hi);
    let gil =
        of(ModelKind::GilThreads).max_by(|a, b| highest_reach(a).total_cmp(&highest_reach(b)))?;
    let mut shown = stayed_flat_on(&cells, ModelKind::GilThreads, footing);
    let mut parts = Vec::new();
    for model in [ModelKind::Threads, ModelKind::Processes] {
        let best = of(model).max_by(|a, b| {
            a.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0))
        });
        let Some(best) = best else { continue };
        let climbed = scaled_on(&cells, model, footing);
        shown &= climbed.is_some();
        parts.push(figure(climbed.unwrap_or(best)));
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(figure(gil));
    Some(GilLessonReading {
        shown,
        figure: parts.join(", "),
    })
}

/// A cell's speedup with its interval: `threads × 2: 1.90× (1.88–1.92×)`, or `(no interval)`
/// where it rests on single runs.
fn figure(c: &CellResult) -> String {
    let interval = match speedup_ci(c) {
        Some((lo, hi)) => format!("{lo:.2}–{hi:.2}×"),
        None => "no interval".into(),
    };
    format!(
        "{} × {}: {:.2}× ({interval})",
        c.model_id(),
        c.workers,
        c.speedup.unwrap_or(f64::NAN)
    )
}

/// Where results do not show the GIL lesson ([`read_gil_lesson`]), what they show and the
/// likely reason, a busy machine, else noise: `These results do not show it (…): …. Rerun on
/// a quiet machine.`; `None` where they show it or cannot tell. The workbench says it under
/// its start-here hint, `corelab run` and `report` under [`GIL_LESSON`].
pub fn lesson_not_shown(r: &ResultsFile) -> Option<String> {
    let reading = read_gil_lesson(r)?;
    if reading.shown {
        return None;
    }
    // Fewer than 6 runs a cell: intervals below 95% decide nothing, so results that lean the
    // lesson's way are said to be too few, not noisy.
    let cells: Vec<&CellResult> = r.cells.iter().filter(|c| completed(c)).collect();
    let models = [
        ModelKind::GilThreads,
        ModelKind::Threads,
        ModelKind::Processes,
    ];
    if let Some(coverage) = leaning(&cells, &models)
        && read_on(r, Footing::Leaning).is_some_and(|l| l.shown)
    {
        return Some(format!(
            "These results lean its way but are too few to show it ({}): {} runs a cell give {:.0}% intervals, and the lesson is judged on 95% ones. Measure {JUDGED_RUNS} or more runs a cell.",
            reading.figure,
            runs_giving(coverage),
            coverage * 100.0
        ));
    }
    // Worded as the header and the verdict word the load: a few busy runs are not a busy
    // machine.
    let why = match r.machine.busyness() {
        crate::results::Busyness::Busy => {
            "other programs competed for the cores during the runs (the machine was busy), which flattens every curve"
        }
        crate::results::Busyness::MostlyQuiet => {
            "the runs were disturbed or noisy (a few of them while other programs competed for the cores)"
        }
        crate::results::Busyness::Quiet => "the runs were disturbed or noisy",
    };
    Some(format!(
        "These results do not show it ({}): {why}. Rerun on a quiet machine.",
        reading.figure
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CellStatus, Sample};
    use ModelKind::{GilThreads, Processes, Threads};

    /// Results of CPU-bound work on a 2-core machine: sequential 1 s, and each model at 1
    /// and 2 workers at the speedup `at2` gives it at 2 (1× at 1), six runs a cell spread by
    /// `spread` (0.001: 0.1% a run).
    fn tour_results(at2: &[(ModelKind, f64)], spread: f64) -> ResultsFile {
        tour_results_of(at2, spread, 6)
    }

    /// [`tour_results`] with `runs` runs a cell.
    fn tour_results_of(at2: &[(ModelKind, f64)], spread: f64, runs: usize) -> ResultsFile {
        let cell = |model, workers, t: f64| CellResult {
            model: Some(model),
            workers,
            samples: (0..runs)
                .map(|i| Sample {
                    wall_s: t * (1.0 + spread * (i as f64 - (runs as f64 - 1.0) / 2.0)),
                    cpu_s: t,
                    checksum: 1,
                    ..Sample::default()
                })
                .collect(),
            ..CellResult::default()
        };
        let mut cells = vec![cell(ModelKind::Sequential, 1, 1.0)];
        for &(model, s) in at2 {
            cells.push(cell(model, 1, 1.0));
            cells.push(cell(model, 2, 1.0 / s));
        }
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.machine.logical_cores = 2;
        r.recompute();
        r
    }

    /// The verdict's GIL lines, one a line.
    fn verdict_gil_lines(r: &ResultsFile) -> String {
        let lines: Vec<String> = super::super::verdict(r)
            .into_iter()
            .filter(|l| l.topic == super::super::VerdictTopic::Gil)
            .map(|l| l.text)
            .collect();
        lines.join("\n")
    }

    #[test]
    fn the_tours_gil_lesson_is_read_on_the_intervals() {
        // Shown: threads and processes climb, gil-threads stays flat.
        let r = tour_results(
            &[(Threads, 1.9), (GilThreads, 1.0), (Processes, 1.8)],
            0.001,
        );
        let reading = read_gil_lesson(&r).unwrap();
        assert!(reading.shown, "{reading:?}");
        assert_eq!(
            reading.figure,
            "threads × 2: 1.90× (1.89–1.91×), processes × 2: 1.80× (1.79–1.81×), gil-threads × 2: 1.00× (1.00–1.00×)"
        );
        assert_eq!(lesson_not_shown(&r), None);
        // The reviewer's busy run: threads 1.10×, processes 0.85×: not shown.
        let r = tour_results(
            &[(Threads, 1.1), (GilThreads, 1.0), (Processes, 0.85)],
            0.001,
        );
        assert!(!read_gil_lesson(&r).unwrap().shown);
        let note = lesson_not_shown(&r).unwrap();
        assert!(
            note.starts_with("These results do not show it (threads × 2: 1.10× (1.10–1.10×), processes × 2: 0.85×"),
            "{note}"
        );
        assert!(note.ends_with("the runs were disturbed or noisy. Rerun on a quiet machine."));
        // Busy, or a few busy runs among quiet ones: worded as the header and verdict word it.
        let mut busy = r.clone();
        let load = |runs, busy_runs, busy, mean| crate::results::LoadSummary {
            runs,
            busy_runs,
            mean_other_cores: mean,
            max_other_cores: 1.0,
            usable_cores: 2.0,
            ticks_per_cpu: 400.0,
            busy,
            unjudged_runs: 0,
        };
        busy.machine.load_during_runs = Some(load(40, 30, true, 1.2));
        assert_eq!(busy.machine.busyness(), crate::results::Busyness::Busy);
        assert!(
            lesson_not_shown(&busy)
                .unwrap()
                .contains("(the machine was busy)")
        );
        busy.machine.load_during_runs = Some(load(40, 1, false, 0.02));
        assert_eq!(
            busy.machine.busyness(),
            crate::results::Busyness::MostlyQuiet
        );
        let note = lesson_not_shown(&busy).unwrap();
        assert!(!note.contains("the machine was busy"), "{note}");
        assert!(
            note.contains("(a few of them while other programs competed"),
            "{note}"
        );
        // gil-threads that climbed: not shown either.
        let r = tour_results(&[(Threads, 1.9), (GilThreads, 1.6)], 0.001);
        assert!(!read_gil_lesson(&r).unwrap().shown);
        // Nothing to judge: no gil-threads, no threads or processes, one core, other work.
        assert_eq!(
            read_gil_lesson(&tour_results(&[(Threads, 1.9)], 0.001)),
            None
        );
        assert_eq!(
            read_gil_lesson(&tour_results(&[(GilThreads, 1.0)], 0.001)),
            None
        );
        let mut one = tour_results(&[(Threads, 1.9), (GilThreads, 1.0)], 0.001);
        one.machine.logical_cores = 1;
        assert_eq!(read_gil_lesson(&one), None);
        let mut io = tour_results(&[(Threads, 1.9), (GilThreads, 1.0)], 0.001);
        io.experiment.task.kind = TaskKind::Io;
        assert_eq!(read_gil_lesson(&io), None);
        // A cancelled gil-threads cell is not read.
        let mut partial = tour_results(&[(Threads, 1.9), (GilThreads, 1.0)], 0.001);
        partial.cells[4].status = CellStatus::Cancelled;
        assert_eq!(read_gil_lesson(&partial), None);
    }

    #[test]
    fn fewer_than_six_runs_a_cell_lean_but_do_not_show_the_lesson() {
        // 3 runs a cell, as the start-here tour once took: 75% intervals.
        let r = tour_results_of(
            &[(Threads, 1.9), (GilThreads, 1.0), (Processes, 1.8)],
            0.001,
            3,
        );
        assert!(!read_gil_lesson(&r).unwrap().shown);
        let note = lesson_not_shown(&r).unwrap();
        assert!(
            note.starts_with(
                "These results lean its way but are too few to show it (threads × 2: 1.90× ("
            ),
            "{note}"
        );
        assert!(
            note.ends_with("): 3 runs a cell give 75% intervals, and the lesson is judged on 95% ones. Measure 6 or more runs a cell."),
            "{note}"
        );
        // The verdict says the same reading as a leaning.
        let lines = verdict_gil_lines(&r);
        assert_eq!(
            lines,
            "The GIL, leaning only (3 runs a cell give 75% intervals; 6 give 95%): threads gained little (gil-threads stayed below 1.3× at every count) while processes scaled (processes × 2 reached 1.8×): consistent with the emulated GIL serialising this computation.\nNo GIL, leaning only (3 runs a cell give 75% intervals; 6 give 95%): threads scaled (1.9× with 2 workers): Rust threads have no GIL, so threads can use the cores as processes do."
        );
        // 5 runs (93.75%) are still too few; 6 show it.
        let r = tour_results_of(
            &[(Threads, 1.9), (GilThreads, 1.0), (Processes, 1.8)],
            0.001,
            5,
        );
        assert!(!read_gil_lesson(&r).unwrap().shown);
        assert!(
            lesson_not_shown(&r)
                .unwrap()
                .contains("5 runs a cell give 94% intervals")
        );
        let r = tour_results_of(
            &[(Threads, 1.9), (GilThreads, 1.0), (Processes, 1.8)],
            0.001,
            6,
        );
        assert!(read_gil_lesson(&r).unwrap().shown);
        assert!(!verdict_gil_lines(&r).contains("leaning"));
        // Leaning the other way (gil-threads climbed) on 3 runs: not shown, for the old reason.
        let r = tour_results_of(&[(Threads, 1.9), (GilThreads, 1.6)], 0.001, 3);
        let note = lesson_not_shown(&r).unwrap();
        assert!(note.starts_with("These results do not show it"), "{note}");
    }

    #[test]
    fn files_that_got_two_answers_get_one() {
        // gil-threads 1.27×, its interval well under 1.3: the verdict said it stayed below 1.3×
        // while the lessons' point threshold (1.25×) had the header say these results do not
        // show the lesson.
        let r = tour_results(
            &[(Threads, 1.9), (GilThreads, 1.27), (Processes, 1.8)],
            0.001,
        );
        let lines = verdict_gil_lines(&r);
        assert!(lines.contains("gil-threads stayed below 1.3×"), "{lines}");
        assert!(read_gil_lesson(&r).unwrap().shown);
        assert_eq!(lesson_not_shown(&r), None);
        // gil-threads 1.20× from runs spread ±12%: its interval reaches past 1.3, so the
        // verdict does not call it below 1.3×, while the point threshold had the header find the
        // lesson shown.
        let r = tour_results(&[(Threads, 1.9), (GilThreads, 1.2), (Processes, 1.8)], 0.05);
        let gil = r.cell(GilThreads, 2).unwrap();
        assert!(
            gil.speedup_ci_high.unwrap() > crate::results::gil_rule::NEAR_ONE,
            "{gil:?}"
        );
        let lines = verdict_gil_lines(&r);
        assert!(!lines.contains("gil-threads stayed below 1.3×"), "{lines}");
        assert!(!read_gil_lesson(&r).unwrap().shown);
        assert!(lesson_not_shown(&r).is_some());
    }
}

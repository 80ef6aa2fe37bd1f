//! The verdict's GIL lines: what threads against processes say about the GIL, or about
//! waits where the work waits, by the rule of [`crate::analysis::gil_lesson`].

use super::*;

/// Models whose threads share one GIL (real or emulated).
pub(super) fn gil_bound(m: ModelKind) -> bool {
    matches!(m, ModelKind::PyThreading | ModelKind::GilThreads)
}

/// Models that run their workers as separate processes.
pub(super) fn process_model(m: ModelKind) -> bool {
    matches!(
        m,
        ModelKind::Processes | ModelKind::PyMultiprocessing | ModelKind::PyDask | ModelKind::PyMpi
    )
}

/// Threads without a GIL.
pub(super) fn gil_free(m: ModelKind) -> bool {
    matches!(
        m,
        ModelKind::Threads | ModelKind::Rayon | ModelKind::PyFreeThreading
    )
}

/// The share of each task spent waiting, where the task waits: all of it for an `io` task in
/// `sleep` mode, `wait / (compute + wait)` for a `mixed` one; `None` for work that does not
/// wait (file I/O, here, is mostly copying through the page cache).
pub(super) fn wait_share(r: &ResultsFile) -> Option<f64> {
    let t = &r.experiment.task;
    match t.kind {
        TaskKind::Io if t.io.mode == IoMode::Sleep => Some(1.0),
        TaskKind::Mixed if t.mixed.wait_ms > 0.0 => {
            Some(t.mixed.wait_ms / (t.mixed.compute_ms.max(0.0) + t.mixed.wait_ms))
        }
        _ => None,
    }
}

/// A wait share above this is "mostly waits": threads scale on the waits whatever the GIL.
const MOSTLY_WAITS: f64 = 0.5;

/// Whether `c` went faster than its workers could on the cores this run could use: its
/// speedup (its whole interval) above the usable cores, which only overlapping waits (or
/// the caches) give, never the cores.
pub(super) fn beyond_cores(r: &ResultsFile, c: &CellResult) -> bool {
    let cores = r.machine.logical_cores;
    cores > 0 && speedup_ci(c).is_some_and(|(lo, _)| lo > cores as f64)
}

/// `this work waits` or `40% of each task is waiting`.
pub(super) fn waiting_words(share: f64) -> String {
    if share >= 1.0 {
        "this work waits".into()
    } else {
        format!(
            "{} of each task is waiting",
            super::super::interval_words::percent(share * 100.0)
        )
    }
}

/// What threads against processes say about the GIL, only where the intervals support it,
/// and only with the right cause: where the work waits, threads gain from overlapping the
/// waits (a waiting thread holds no GIL and needs no core), not from the cores; a gain above
/// the usable cores of work that does not wait is not explained at all.
///
/// On [`Footing::Leaning`] the same readings are made on intervals below 95% (fewer than 6
/// runs a cell), for [`tentative`] to say as leanings. Each line comes with the model it is
/// about.
pub(super) fn gil_texts(
    r: &ResultsFile,
    cells: &[&CellResult],
    footing: Footing,
) -> Vec<(ModelKind, String)> {
    let waits = wait_share(r);
    let models = models_in(cells.iter().copied());
    let baselines = r.baselines();
    let mut texts = Vec::new();
    for &m in models.iter().filter(|m| gil_bound(**m)) {
        let spread = cells.iter().any(|c| c.model == Some(m) && c.workers > 1);
        if waits.is_none()
            && spread
            && let Some(why) = cannot_tell(r, &baselines, m)
        {
            texts.push((m, why));
            continue;
        }
        // Real Python threads are weighed against Python's processes, the emulated GIL against
        // corelab's own, where the file has them: the same language on both sides.
        let python = |p: &ModelKind| *p != ModelKind::Processes;
        let same_language = |p: &ModelKind| python(p) == (m == ModelKind::PyThreading);
        let scaled_process = models
            .iter()
            .filter(|p| process_model(**p) && same_language(p))
            .chain(
                models
                    .iter()
                    .filter(|p| process_model(**p) && !same_language(p)),
            )
            .find_map(|&p| scaled_on(cells, p, footing));
        let (which, what) = if m == ModelKind::GilThreads {
            ("the emulated GIL", "this computation")
        } else {
            ("the GIL", "this Python code")
        };
        if let Some(t) = scaled_on(cells, m, footing) {
            if let Some(share) = waits {
                texts.push((m, format!(
                    "Waits, not the GIL: {m} scaled ({}× with {}) because {}, and a thread releases {which} while it waits, so the waits overlap; the computing itself still takes turns.",
                    speedup(t.speedup.unwrap_or(0.0)),
                    workers_words(t.workers),
                    waiting_words(share)
                )));
            } else if beyond_cores(r, t) {
                // Faster than the cores allow, with no wait to overlap: not a reading of the GIL.
            } else if let Some(p) = scaled_process {
                texts.push((m, format!(
                    "The GIL: threads scaled too ({} reached {}×, {} {}×), so this work releases {which} (or is not Python).",
                    cell_name(t),
                    speedup(t.speedup.unwrap_or(0.0)),
                    cell_name(p),
                    speedup(p.speedup.unwrap_or(0.0))
                )));
            } else {
                texts.push((m, format!(
                    "The GIL: {m} scaled ({}× with {}), so this work releases {which} (or is not Python).",
                    speedup(t.speedup.unwrap_or(0.0)),
                    workers_words(t.workers)
                )));
            }
        } else if let Some(p) = scaled_process.filter(|_| stayed_flat_on(cells, m, footing)) {
            texts.push((m, format!(
                "The GIL: threads gained little ({m} stayed below {NEAR_ONE}× at every count) while processes scaled ({} × {} reached {}×): consistent with {which} serialising {what}.",
                p.model_id(),
                p.workers,
                speedup(p.speedup.unwrap_or(0.0))
            )));
        }
    }
    let beside = models.iter().any(|&m| process_model(m) || gil_bound(m));
    for &m in models.iter().filter(|m| gil_free(**m) && beside) {
        if let Some(t) = scaled_on(cells, m, footing) {
            match waits {
                Some(share) if share >= MOSTLY_WAITS => {
                    let beyond = match beyond_cores(r, t) {
                        true => format!(", more than the {} usable cores", r.machine.logical_cores),
                        false => String::new(),
                    };
                    texts.push((m, format!(
                        "Waits overlap: {m} scaled ({}× with {}{beyond}) because {}, and waiting needs no core and holds no GIL: the gain is the overlapped waits, not the cores or the lack of a GIL.",
                        speedup(t.speedup.unwrap_or(0.0)),
                        workers_words(t.workers),
                        waiting_words(share)
                    )));
                    break;
                }
                // Part of the gain is overlapped waits, part the cores: no single cause to name.
                Some(_) => break,
                None if beyond_cores(r, t) => break,
                None => {}
            }
            let who = if m == ModelKind::PyFreeThreading {
                "free-threaded CPython has no GIL"
            } else {
                "Rust threads have no GIL"
            };
            texts.push((m, format!(
                "No GIL: {m} scaled ({}× with {}): {who}, so threads can use the cores as processes do.",
                speedup(t.speedup.unwrap_or(0.0)),
                workers_words(t.workers)
            )));
            break;
        }
    }
    texts
}

/// Why no GIL reading can be made of `m` (a GIL-bound model, on work that does not wait by
/// its kind) where it would mislead: its baseline mostly waited by the one rule of
/// [`CellResult::mostly_waits`] (it kept under half a core busy: it waited, or other programs
/// starved it), so a gain over it may be waits overlapping or a starved baseline catching up,
/// not threads computing at once; or other programs competed for the cores (`Busy`), which
/// can make threads look flat or fast either way. Said whatever the intervals, so it is the
/// same on every footing.
fn cannot_tell(r: &ResultsFile, baselines: &Baselines, m: ModelKind) -> Option<String> {
    if let Some((i, _)) = baselines.measured(Some(m))
        && let Some(b) = r.cells.get(i)
        && let Some(cores) = super::compare::starved_share(b)
    {
        return Some(format!(
            "The GIL: cannot tell whether {m}'s threads scale: its baseline {} got only {cores} of a core (it waited, or other programs starved it), so a gain over it may be waits overlapping or a starved run catching up, not threads computing at once.",
            cell_name(b)
        ));
    }
    busy_for_these_runs(r).then(|| format!(
        "The GIL: cannot tell from {m} on a busy machine: other programs competed for the cores, which can make threads look flat or fast; rerun on a quiet machine to read the GIL."
    ))
}

/// A GIL line read on intervals below 95% ([`Footing::Leaning`]), said as a leaning: `The GIL,
/// leaning only (3 runs a cell give 75% intervals; 6 give 95%): threads gained little …`.
pub(super) fn tentative(text: &str, coverage: f64) -> String {
    let why = format!(
        "leaning only ({} runs a cell give {:.0}% intervals; {JUDGED_RUNS} give 95%)",
        runs_giving(coverage),
        coverage * 100.0
    );
    match text.split_once(": ") {
        Some((head, rest)) => format!("{head}, {why}: {rest}"),
        None => format!("{why}: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn threads_that_stay_flat_while_processes_scale_point_at_the_gil() {
        let r = pure_python();
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "The GIL: threads gained little (py-threading stayed below 1.3× at every count) while processes scaled (py-multiprocessing × 2 reached 1.9×): consistent with the GIL serialising this Python code."
            ]
        );
    }

    #[test]
    fn each_gil_is_weighed_against_processes_of_its_own_language() {
        // Both kinds of process scale; corelab's processes scale more and come first in the
        // file, yet py-threading is weighed against py-multiprocessing, and the emulated GIL
        // against corelab's processes.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(0.8)),
            cell(ModelKind::Processes, 2, &six(0.38)),
            cell(ModelKind::GilThreads, 2, &six(0.8)),
            cell(ModelKind::PyThreading, 2, &six(0.8)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.45)),
        ]);
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(g.len(), 2, "{g:?}");
        assert!(
            g[0].contains(
                "(gil-threads stayed below 1.3× at every count) while processes scaled (processes × 2"
            ),
            "{}",
            g[0]
        );
        assert!(g[1].contains("(py-threading stayed below 1.3× at every count) while processes scaled (py-multiprocessing × 2"), "{}", g[1]);
    }

    #[test]
    fn threads_that_scale_too_mean_the_work_releases_the_gil() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(0.8)),
            cell(ModelKind::PyThreading, 2, &six(0.43)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.42)),
        ]);
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].starts_with("The GIL: threads scaled too (py-threading × 2 reached 1.9×, py-multiprocessing × 2 1.9×), so this work releases the GIL (or is not Python)."), "{}", g[0]);
    }

    /// `model × workers` whose runs took `walls` seconds, each keeping `cores` of a core busy.
    fn cell_at(model: ModelKind, workers: usize, walls: &[f64], cores: f64) -> CellResult {
        let mut c = cell(model, workers, walls);
        for s in &mut c.samples {
            s.cpu_s = s.wall_s * cores;
        }
        c
    }

    #[test]
    fn a_starved_baseline_gives_no_gil_reading_but_says_why() {
        // gui-crunch.json on a loaded 2-core machine: pure-Python `crunch`, py-threading × 1
        // got 0.33 of a core, × 2 0.76; its "2.3×" had read as "this work releases the GIL".
        let crunch = |thread_cores: f64| {
            function_file(vec![
                cell_at(ModelKind::PyThreading, 1, &six(0.65), thread_cores),
                cell_at(ModelKind::PyThreading, 2, &six(0.28), 0.76),
                cell_at(ModelKind::PyMultiprocessing, 1, &six(0.6), 0.9),
                cell_at(ModelKind::PyMultiprocessing, 2, &six(0.4), 1.4),
            ])
        };
        let r = crunch(0.33);
        assert!(r.cells[0].mostly_waits());
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "The GIL: cannot tell whether py-threading's threads scale: its baseline py-threading × 1 got only 0.33 of a core (it waited, or other programs starved it), so a gain over it may be waits overlapping or a starved run catching up, not threads computing at once."
            ]
        );
        assert!(
            !texts(&r).iter().any(|t| t.contains("releases")),
            "{:?}",
            texts(&r)
        );
        // The same figures from a baseline that kept its core busy are a reading, as before.
        let r = crunch(0.95);
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].contains("so this work releases the GIL"), "{}", g[0]);
        // On a busy machine there is no reading either: the load can make threads flat or fast.
        let mut r = pure_python();
        r.machine.load_during_runs = Some(crate::results::LoadSummary {
            runs: 30,
            busy_runs: 12,
            max_other_cores: 1.2,
            mean_other_cores: 0.6,
            usable_cores: 2.0,
            busy: true,
            ..Default::default()
        });
        assert_eq!(r.machine.busyness(), Busyness::Busy);
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "The GIL: cannot tell from py-threading on a busy machine: other programs competed for the cores, which can make threads look flat or fast; rerun on a quiet machine to read the GIL."
            ]
        );
    }

    #[test]
    fn rust_threads_that_scale_have_no_gil() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.52)),
            cell(ModelKind::Processes, 2, &six(0.55)),
        ]);
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "No GIL: threads scaled (1.9× with 2 workers): Rust threads have no GIL, so threads can use the cores as processes do."
            ]
        );
    }

    #[test]
    fn a_gil_reading_needs_intervals_that_support_it() {
        // Three runs spread ±40%: py-threading's interval reaches past 1.3×, so "did not
        // scale" is not said.
        let wide = |t: f64| [0.6 * t, t, 1.4 * t];
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &wide(0.8)),
            cell(ModelKind::PyThreading, 2, &wide(0.8)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.4)),
        ]);
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{:?}", texts(&r));
    }

    #[test]
    fn waiting_work_scales_on_its_waits_not_for_want_of_a_gil() {
        // io-threads-vs-processes on 2 cores: threads × 8 at 8×, from overlapped sleeps.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 8, &six(0.124)),
            cell(ModelKind::Processes, 8, &six(0.14)),
        ]);
        r.experiment.task.kind = TaskKind::Io;
        r.machine.logical_cores = 2;
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "Waits overlap: threads scaled (8.1× with 8 workers, more than the 2 usable cores) because this work waits, and waiting needs no core and holds no GIL: the gain is the overlapped waits, not the cores or the lack of a GIL."
            ]
        );
        // GIL threads scale on waits too: the waits release the GIL, not the work.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::GilThreads, 4, &six(0.3)),
            cell(ModelKind::Processes, 4, &six(0.3)),
        ]);
        r.experiment.task.kind = TaskKind::Mixed;
        r.experiment.task.mixed.compute_ms = 2.0;
        r.experiment.task.mixed.wait_ms = 8.0;
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(
            g,
            [
                "Waits, not the GIL: gil-threads scaled (3.3× with 4 workers) because 80% of each task is waiting, and a thread releases the emulated GIL while it waits, so the waits overlap; the computing itself still takes turns."
            ]
        );
        // Work that does not wait, faster than the cores allow (8× on 2): no cause is named.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 8, &six(0.124)),
            cell(ModelKind::GilThreads, 8, &six(0.124)),
            cell(ModelKind::Processes, 8, &six(0.14)),
        ]);
        r.machine.logical_cores = 2;
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{:?}", texts(&r));
        // The same on 16 cores is a reading of the GIL, as before.
        r.machine.logical_cores = 16;
        let g = of(&r, VerdictTopic::Gil);
        assert!(g[0].starts_with("The GIL: threads scaled too"), "{g:?}");
        assert!(g[1].starts_with("No GIL: threads scaled"), "{g:?}");
    }
}

//! The verdict's comparison lines: the fastest cell, and whether the best cell of each other
//! model (or a stand-in for staying sequential) can be told apart from it.

use super::*;

/// How much of a core `c` got where it mostly waited by the one rule of
/// [`CellResult::mostly_waits`] (`0.33`, `under 0.01`); `None` where it mostly computed, or
/// where its CPU time is 0, one not measured (as `Reference::of` reads it), not a wait.
pub(super) fn starved_share(c: &CellResult) -> Option<String> {
    if !c.mostly_waits() {
        return None;
    }
    let (cpu, wall) = (c.cpu.as_ref()?, c.wall.as_ref()?);
    (cpu.median > 0.0).then(|| match cpu.median / wall.median {
        share if share < 0.01 => "under 0.01".to_string(),
        share => format!("{share:.2}"),
    })
}

/// A function task has no sequential baseline (the sequential model cannot call Python):
/// which one-worker cell stands in for "stay sequential", a plain loop in one interpreter
/// (`py-threading × 1`, else the fastest one-worker Python cell), and how the fastest cell
/// compares with it. `None` for other tasks, or without such a cell.
///
/// Where the stand-in, or the faster model's own one-worker baseline, mostly waited (the one
/// rule of [`CellResult::mostly_waits`]: it waited, or other programs starved it), the ratio
/// of the two times is no measure of what leaving a plain loop gains, and no "× faster" is
/// given: the line says why, as the GIL line does of a starved baseline.
pub(super) fn sequential_stand_in_text(
    r: &ResultsFile,
    baselines: &Baselines,
    fastest: &CellResult,
    done: &[&CellResult],
) -> Option<String> {
    if r.experiment.task.kind != TaskKind::Function {
        return None;
    }
    let one_worker = || done.iter().copied().filter(|c| c.workers == 1);
    let stand_in = one_worker()
        .find(|c| c.model == Some(ModelKind::PyThreading))
        .or_else(|| one_worker().min_by(|a, b| median(a).total_cmp(&median(b))))?;
    let name = cell_name(stand_in);
    let what = "one call at a time in one interpreter, the nearest to a plain loop, which the sequential model cannot run for a Python function";
    if cell_name(fastest) == name {
        return Some(format!(
            "Staying sequential: {name} ({what}) was the fastest, {}; no model beat it.",
            time_words(median(stand_in))
        ));
    }
    // The stand-in and the faster model's own one-worker baseline, each once.
    let faster_baseline = baselines
        .measured(fastest.model)
        .and_then(|(i, _)| r.cells.get(i));
    let mut starved: Vec<(String, String)> = Vec::new();
    for c in [Some(stand_in), faster_baseline].into_iter().flatten() {
        let who = cell_name(c);
        if let Some(share) = starved_share(c)
            && !starved.iter().any(|(w, _)| *w == who)
        {
            starved.push((who, share));
        }
    }
    if !starved.is_empty() {
        let got: Vec<String> = starved
            .iter()
            .map(|(who, share)| format!("{who} got only {share} of a core"))
            .collect();
        let (they, them) = match starved.len() {
            1 => ("it", "it"),
            _ => ("they", "them"),
        };
        return Some(format!(
            "Staying sequential: {name} ({what}) took {}; {} took {}, but their ratio is no measure of what leaving a plain loop gains: {} ({they} waited, or other programs starved {them}), so the difference may be waits overlapping or a starved run catching up.",
            time_words(median(stand_in)),
            cell_name(fastest),
            time_words(median(fastest)),
            join_and(&got)
        ));
    }
    let q = median(stand_in) / median(fastest);
    Some(format!(
        "Staying sequential: {name} ({what}) took {}; {} took {}, about {q:.1}× faster.",
        time_words(median(stand_in)),
        cell_name(fastest),
        time_words(median(fastest))
    ))
}

pub(super) fn fastest_text(
    r: &ResultsFile,
    baselines: &Baselines,
    c: &CellResult,
    weak: bool,
) -> String {
    let head = match weak {
        false => format!("Fastest: {}, {}", cell_name(c), time_words(median(c))),
        true => format!(
            "Fastest per worker's share of the work: {}, {} a share",
            cell_name(c),
            time_words(median(c))
        ),
    };
    let is_baseline = baselines.is_baseline(c);
    let base = match weak {
        false => baseline_words(r),
        true => "the baseline's throughput",
    };
    // The fastest, yet not told apart from its baseline: said, not left to the brackets.
    let no_faster = speedup_ci(c).is_some_and(|(lo, _)| lo <= 1.0);
    let favoured = !is_baseline && one_worker_favoured(c);
    match speedup_words(c, base) {
        _ if is_baseline && c.model == Some(ModelKind::Sequential) => {
            format!("{head}, the sequential baseline itself: no model ran this work faster.")
        }
        _ if is_baseline => format!("{head} ({} itself).", baseline_words(r)),
        Some(s) if favoured => format!(
            "{head} ({s}), but the same work on 1 worker cannot be that much faster than the baseline: the machine favoured this cell, so it is not comparable."
        ),
        Some(s) if no_faster => {
            format!("{head} ({s}), though not told apart from the baseline within the noise.")
        }
        Some(s) => format!("{head} ({s})."),
        None => format!("{head}."),
    }
}

/// Whether the best cell of each other model is distinguishable from the fastest: the ties
/// named together, else the runner-up and by how much it is slower.
/// On a busy machine (`busy`) a difference clear of the runs' noise is not called real: the
/// caveat above it says every comparison is unreliable.
pub(super) fn comparison_text(
    fastest: &CellResult,
    others: &[&CellResult],
    per: &str,
    busy: bool,
) -> Option<String> {
    let mut tied = Vec::new();
    let mut untold = Vec::new();
    let mut coverage: f64 = 1.0;
    for o in others {
        match ratio(fastest, o) {
            Some(q) if q.coverage < ONE_RUN_COVERAGE => untold.push(cell_name(o)),
            Some(q) if q.low <= 1.0 => {
                coverage = coverage.min(q.coverage);
                let [_, low, high] = ratio_and_range(&q);
                tied.push((cell_name(o), format!("{low}–{high}")));
            }
            Some(_) => {}
            None => untold.push(cell_name(o)),
        }
    }
    let mut parts = Vec::new();
    if !tied.is_empty() {
        let (names, ratios): (Vec<String>, Vec<String>) = tied.into_iter().unzip();
        let (verb, ratio_word) = match names.len() {
            1 => ("is", "time ratio"),
            _ => ("are", "time ratios"),
        };
        parts.push(format!(
            "{} {verb} as fast within the noise ({ratio_word} {}{})",
            join_and(&names),
            ratios.join(", "),
            coverage_words(coverage)
        ));
    }
    if !untold.is_empty() {
        parts.push(format!(
            "{} cannot be told apart from it or not: a single run has no interval",
            join_and(&untold)
        ));
    }
    if parts.is_empty() {
        // Every other model is slower beyond the noise: the runner-up, by how much.
        let runner = others.first()?;
        let q = ratio(fastest, runner)?;
        // Clear of 1 on an interval below 95% is a lean, not a finding: two cells of one
        // population look this different 16% of the time with 3 runs a cell.
        let real = match (q.coverage < FULL_COVERAGE, busy) {
            (true, _) => format!("slower on these runs, but {}", too_few_words(q.coverage)),
            (false, false) => "a real difference".to_string(),
            (false, true) => {
                "clear of these runs' noise, but the busy machine may have made it".to_string()
            }
        };
        let [value, low, high] = ratio_and_range(&q);
        parts.push(format!(
            "{} took {value}× as long{per} ({low}–{high}{}): {real}",
            cell_name(runner),
            coverage_words(q.coverage)
        ));
    }
    Some(format!("Runner-up: {}.", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn a_function_task_names_the_one_worker_cell_that_stands_in_for_staying_sequential() {
        use ModelKind::{PyMultiprocessing, PyThreading};
        let r = function_file(vec![
            cell(PyThreading, 1, &six(0.32)),
            cell(PyThreading, 2, &six(0.34)),
            cell(PyMultiprocessing, 1, &six(0.40)),
            cell(PyMultiprocessing, 2, &six(0.20)),
        ]);
        let lines = of(&r, VerdictTopic::Comparison);
        let line = lines
            .iter()
            .find(|l| l.starts_with("Staying sequential"))
            .expect("said");
        assert_eq!(
            line,
            "Staying sequential: py-threading × 1 (one call at a time in one interpreter, the nearest to a plain loop, which the sequential model cannot run for a Python function) took 0.32 s; py-multiprocessing × 2 took 0.20 s, about 1.6× faster."
        );
        // Nothing beat it.
        let r = function_file(vec![
            cell(PyThreading, 1, &six(0.32)),
            cell(PyThreading, 2, &six(0.34)),
            cell(PyMultiprocessing, 1, &six(0.60)),
            cell(PyMultiprocessing, 2, &six(2.0)),
        ]);
        let lines = of(&r, VerdictTopic::Comparison);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Staying sequential: py-threading × 1 (")
                    && l.ends_with("was the fastest, 0.32 s; no model beat it.")),
            "{lines:?}"
        );
        // Not for the kernels, which have the sequential model itself.
        let mut kernels = r.clone();
        kernels.experiment.task.kind = TaskKind::Cpu;
        assert!(
            texts(&kernels)
                .iter()
                .all(|l| !l.starts_with("Staying sequential"))
        );
    }

    /// `model × workers` whose runs took `walls` seconds, each keeping `cores` of a core busy.
    fn busy_cell(model: ModelKind, workers: usize, walls: &[f64], cores: f64) -> CellResult {
        let mut c = cell(model, workers, walls);
        for s in &mut c.samples {
            s.cpu_s = s.wall_s * cores;
        }
        c
    }

    fn staying_sequential(r: &ResultsFile) -> String {
        of(r, VerdictTopic::Comparison)
            .into_iter()
            .find(|l| l.starts_with("Staying sequential"))
            .expect("said")
    }

    /// gui-crunch.json on a loaded 2-core machine: py-threading × 1, the stand-in for a plain
    /// loop, got 0.33 of a core; its "about 2.3× faster" against py-threading × 2 was a starved
    /// run caught up, not a gain. The line gives the times and why no ratio is given.
    #[test]
    fn staying_sequential_gives_no_ratio_against_a_stand_in_that_mostly_waited() {
        use ModelKind::{PyMultiprocessing, PyThreading};
        let r = function_file(vec![
            busy_cell(PyThreading, 1, &six(0.65), 0.33),
            busy_cell(PyThreading, 2, &six(0.28), 0.76),
            busy_cell(PyMultiprocessing, 1, &six(0.6), 0.9),
            busy_cell(PyMultiprocessing, 2, &six(0.4), 1.4),
        ]);
        assert!(r.cells[0].mostly_waits());
        assert_eq!(
            staying_sequential(&r),
            "Staying sequential: py-threading × 1 (one call at a time in one interpreter, the nearest to a plain loop, which the sequential model cannot run for a Python function) took 0.65 s; py-threading × 2 took 0.28 s, but their ratio is no measure of what leaving a plain loop gains: py-threading × 1 got only 0.33 of a core (it waited, or other programs starved it), so the difference may be waits overlapping or a starved run catching up."
        );
        // The same cells keeping a core busy: the ratio, as before.
        let r = function_file(vec![
            busy_cell(PyThreading, 1, &six(0.65), 0.95),
            busy_cell(PyThreading, 2, &six(0.28), 0.95),
            busy_cell(PyMultiprocessing, 1, &six(0.6), 0.9),
            busy_cell(PyMultiprocessing, 2, &six(0.4), 1.4),
        ]);
        assert!(
            staying_sequential(&r).ends_with("py-threading × 2 took 0.28 s, about 2.3× faster."),
            "{}",
            staying_sequential(&r)
        );
        // A CPU time of 0 is one not measured, not a wait: the ratio stands.
        let r = function_file(vec![
            busy_cell(PyThreading, 1, &six(0.65), 0.0),
            busy_cell(PyThreading, 2, &six(0.28), 0.0),
        ]);
        assert!(
            staying_sequential(&r).ends_with("about 2.3× faster."),
            "{}",
            staying_sequential(&r)
        );
    }

    /// The stand-in computed, but the fastest model's own one-worker baseline mostly waited:
    /// named too; and where both did, both are named once each.
    #[test]
    fn staying_sequential_names_the_faster_model_s_baseline_that_mostly_waited() {
        use ModelKind::{PyMultiprocessing, PyThreading};
        let r = function_file(vec![
            busy_cell(PyThreading, 1, &six(0.32), 0.95),
            busy_cell(PyThreading, 2, &six(0.34), 0.95),
            busy_cell(PyMultiprocessing, 1, &six(0.40), 0.004),
            busy_cell(PyMultiprocessing, 2, &six(0.20), 1.8),
        ]);
        assert_eq!(
            staying_sequential(&r),
            "Staying sequential: py-threading × 1 (one call at a time in one interpreter, the nearest to a plain loop, which the sequential model cannot run for a Python function) took 0.32 s; py-multiprocessing × 2 took 0.20 s, but their ratio is no measure of what leaving a plain loop gains: py-multiprocessing × 1 got only under 0.01 of a core (it waited, or other programs starved it), so the difference may be waits overlapping or a starved run catching up."
        );
        let r = function_file(vec![
            busy_cell(PyThreading, 1, &six(0.32), 0.3),
            busy_cell(PyThreading, 2, &six(0.34), 0.95),
            busy_cell(PyMultiprocessing, 1, &six(0.40), 0.2),
            busy_cell(PyMultiprocessing, 2, &six(0.20), 1.8),
        ]);
        let line = staying_sequential(&r);
        assert!(
            line.contains(": py-threading × 1 got only 0.30 of a core and py-multiprocessing × 1 got only 0.20 of a core (they waited, or other programs starved them), so"),
            "{line}"
        );
        assert!(!line.contains("× faster"), "{line}");
    }

    #[test]
    fn the_fastest_cell_is_named_with_its_speedup_and_interval() {
        let r = pure_python();
        let lines = verdict(&r);
        assert_eq!(lines[0].topic, VerdictTopic::Fastest);
        let f = &lines[0].text;
        assert!(
            f.starts_with("Fastest: py-multiprocessing × 2, 0.42 s ("),
            "{f}"
        );
        assert!(
            f.starts_with(
                "Fastest: py-multiprocessing × 2, 0.42 s (1.90× the baseline [1.88–1.93]"
            ),
            "{f}"
        );
        assert!(f.ends_with("])."), "{f}");
        // Six runs a cell: a 95% interval, said without a coverage.
        assert!(!f.contains("interval"), "{f}");
    }

    #[test]
    fn a_clearly_slower_runner_up_is_called_a_real_difference() {
        let r = pure_python();
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(c.len(), 1);
        assert!(
            c[0].starts_with("Runner-up: py-threading × 1 took 1.90× as long ("),
            "{}",
            c[0]
        );
        assert!(c[0].ends_with("): a real difference."), "{}", c[0]);
    }

    #[test]
    fn a_runner_up_clear_of_the_fastest_on_fewer_than_six_runs_is_only_slower_on_these_runs() {
        // The statistics review's start3.json: 3 runs a cell, threads × 2 at 0.500–0.504 s and
        // processes × 2 at 0.505–0.509 s, which one population gives 16% of the time.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &[1.0, 1.01, 1.02]),
            cell(ModelKind::Threads, 2, &[0.500, 0.502, 0.504]),
            cell(ModelKind::Processes, 2, &[0.505, 0.507, 0.509]),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(
            c,
            [
                "Runner-up: processes × 2 took 1.010× as long (1.004–1.016, a 75% interval: fewer than 6 runs): slower on these runs, but 3 runs a cell are too few to call it a real difference at 95% (6 runs a cell are needed)."
            ]
        );
        // 2 runs a cell (gil2.json): a 50% interval.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &[1.0, 1.01]),
            cell(ModelKind::Threads, 2, &[0.500, 0.504]),
            cell(ModelKind::Processes, 2, &[0.53, 0.535]),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(c[0].contains(", a 50% interval: fewer than 6 runs): slower on these runs, but 2 runs a cell are too few"), "{}", c[0]);
        assert!(!c[0].ends_with("a real difference."), "{}", c[0]);
        // 5 runs (93.75%) are still too few; 6 are enough, and the words are the finding.
        let five = |t: f64| [0.99, 0.995, 1.0, 1.005, 1.01].map(|k| k * t);
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &five(1.0)),
            cell(ModelKind::Threads, 2, &five(0.50)),
            cell(ModelKind::Processes, 2, &five(0.60)),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert!(c[0].ends_with("but 5 runs a cell are too few to call it a real difference at 95% (6 runs a cell are needed)."), "{}", c[0]);
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.50)),
            cell(ModelKind::Processes, 2, &six(0.60)),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert!(c[0].ends_with("): a real difference."), "{}", c[0]);
    }

    #[test]
    fn a_runner_up_within_the_noise_is_called_as_fast() {
        // threads × 2 at 0.50 s, processes × 2 at 0.502 s: their intervals overlap.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.50)),
            cell(ModelKind::Processes, 2, &six(0.502)),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(
            c[0].starts_with(
                "Runner-up: processes × 2 is as fast within the noise (time ratio 0.9"
            ),
            "{}",
            c[0]
        );
        assert!(!c[0].contains("real difference"), "{}", c[0]);
        // The ratio's interval holds 1.
        let q = ratio(
            r.cell(ModelKind::Threads, 2).unwrap(),
            r.cell(ModelKind::Processes, 2).unwrap(),
        )
        .unwrap();
        assert!(q.low <= 1.0 && q.high >= 1.0, "{} {}", q.low, q.high);
    }

    #[test]
    fn fewer_runs_say_their_intervals_coverage() {
        // Three runs each: a 75% interval; the words say so rather than pass it for 95%.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &[0.99, 1.0, 1.01]),
            cell(ModelKind::Threads, 2, &[0.49, 0.5, 0.51]),
            cell(ModelKind::Processes, 2, &[0.495, 0.505, 0.515]),
        ]);
        let t = texts(&r);
        assert!(
            t[0].contains("a 75% interval: fewer than 6 runs"),
            "{}",
            t[0]
        );
        let c = of(&r, VerdictTopic::Comparison);
        assert!(
            c[0].contains("as fast within the noise (time ratio ")
                && c[0].ends_with(", a 75% interval: fewer than 6 runs)."),
            "{}",
            c[0]
        );
    }

    #[test]
    fn single_runs_are_never_called_different() {
        // One run each: the medians differ by 20%, but nothing says whether that is noise.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &[1.0]),
            cell(ModelKind::Threads, 2, &[0.5]),
            cell(ModelKind::Processes, 2, &[0.6]),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(
            c,
            [
                "Runner-up: processes × 2 cannot be told apart from it or not: a single run has no interval."
            ]
        );
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert_eq!(
            f,
            "Fastest: threads × 2, 0.50 s (2.0× the baseline, from a single run (no interval))."
        );
    }

    #[test]
    fn a_fastest_cell_within_the_noise_of_the_baseline_says_so() {
        let wide = |t: f64| [0.8 * t, 0.9 * t, t, t, 1.1 * t, 1.2 * t];
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &wide(1.0)),
            cell(ModelKind::Threads, 2, &wide(0.95)),
        ]);
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.starts_with("Fastest: threads × 2, 0.95 s (1.1× the baseline ["),
            "{f}"
        );
        assert!(
            f.ends_with("), though not told apart from the baseline within the noise."),
            "{f}"
        );
    }

    #[test]
    fn noisy_ratios_read_to_three_figures() {
        assert_eq!(ratio_words(539.18), "539");
        assert_eq!(ratio_words(99.96), "100");
        assert_eq!(ratio_words(12.345), "12.3");
        assert_eq!(ratio_words(1.254), "1.25");
        assert_eq!(ratio_words(0.98), "0.98");
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(0.001)),
            cell(ModelKind::Processes, 2, &six(0.539_18)),
        ]);
        let c = &of(&r, VerdictTopic::Comparison)[0];
        assert!(
            c.starts_with("Runner-up: processes × 2 took 539× as long (5"),
            "{c}"
        );
    }
}

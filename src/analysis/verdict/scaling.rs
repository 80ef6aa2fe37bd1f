//! The verdict's scaling lines: how each model scaled with its workers, and when a larger
//! start-up pays for itself.

use super::*;

/// How `model` scaled over its completed `cells`: its best speedup and where, whether that is
/// told from the baseline, and whether more workers stopped helping (the most workers measured
/// slower than the best beyond the noise). A model with no completed cell says so.
pub(super) fn scaling_text(
    model: ModelKind,
    cells: &[&CellResult],
    r: &ResultsFile,
    baselines: &Baselines,
    per: &str,
) -> Option<String> {
    if cells.is_empty() {
        let tried = r.cells.iter().any(|c| c.model == Some(model));
        return tried.then(|| {
            format!("{model}: no cell completed (failed or cancelled), so it is not compared.")
        });
    }
    let best = cells
        .iter()
        .copied()
        .min_by(|a, b| median(a).total_cmp(&median(b)))?;
    let most = cells.iter().copied().max_by_key(|c| c.workers)?;
    let counts = {
        let mut w: Vec<usize> = cells.iter().map(|c| c.workers).collect();
        w.sort_unstable();
        w.dedup();
        w.len()
    };
    if baselines.is_baseline(best) {
        // The best cell is the baseline itself: more workers never beat it.
        let more = if counts == 1 {
            " (one worker count measured)"
        } else {
            ": more workers never ran faster"
        };
        let itself = match r.experiment.baseline {
            Baseline::Sequential => "the baseline itself",
            Baseline::SameModelOneWorker => "its own baseline",
        };
        return Some(format!(
            "{model}: best at {}, {itself}{more}.",
            workers_words(best.workers)
        ));
    }
    let Some(s) = speedup_words(best, "") else {
        return Some(format!(
            "{model}: fastest at {}, {} (no baseline to compare with).",
            workers_words(best.workers),
            time_words(median(best))
        ));
    };
    let mut text = format!("{model}: best {s} at {}", workers_words(best.workers));
    match speedup_ci(best) {
        Some((_, hi)) if hi < 1.0 => text.push_str(", slower than the baseline at every count"),
        Some((lo, _)) if lo <= 1.0 => text.push_str(", not told apart from the baseline"),
        _ => {}
    }
    if counts == 1 {
        text.push_str(" (one worker count measured)");
    } else if most.workers == best.workers {
        text.push_str(", the most workers measured");
    } else {
        match ratio(best, most) {
            // Slower on an interval below 95%: a lean, said as such.
            Some(q)
                if q.coverage >= ONE_RUN_COVERAGE && q.low > 1.0 && q.coverage < FULL_COVERAGE =>
            {
                let [value, low, high] = ratio_and_range(&q);
                text.push_str(&format!(
                    "; {} took {value}× as long{per} ({low}–{high}{}), but {} a slowdown",
                    workers_words(most.workers),
                    coverage_words(q.coverage),
                    too_few_to_call(q.coverage)
                ))
            }
            Some(q) if q.coverage >= ONE_RUN_COVERAGE && q.low > 1.0 => {
                let [value, low, high] = ratio_and_range(&q);
                text.push_str(&format!(
                    "; more workers stopped helping: {} took {value}× as long{per} ({low}–{high}{})",
                    workers_words(most.workers),
                    coverage_words(q.coverage)
                ))
            }
            Some(q) if q.coverage >= ONE_RUN_COVERAGE => {
                let [_, low, high] = ratio_and_range(&q);
                text.push_str(&format!(
                    "; {} were as fast within the noise (time ratio {low}–{high})",
                    workers_words(most.workers)
                ))
            }
            _ => text.push_str(&format!(
                "; {} cannot be told from it (a single run)",
                workers_words(most.workers)
            )),
        }
    }
    text.push('.');
    Some(text)
}

/// The start-up a model pays once, in seconds: its cell's figure, or 0 for a model whose
/// start-up is a matter of microseconds ([`ModelKind::startup_name`] is `None`, whatever it
/// recorded);
/// `None` where a model that starts something has no figure.
pub(super) fn startup(c: &CellResult) -> Option<f64> {
    let model = c.model?;
    match (model.startup_name(), c.startup_s) {
        (Some(_), Some(s)) if s.is_finite() && s >= 0.0 => Some(s),
        (Some(_), _) => None,
        // A figure of microseconds (a thread team) is below what a reader should weigh.
        (None, _) => Some(0.0),
    }
}

/// When the faster model starts slower than the runner-up: after how many runs' worth of this
/// work its start-up is paid for (`k·Ta + Sa < k·Tb + Sb`), or that the two run equally fast
/// within the noise, so the quicker start wins. `None` where a start-up figure is missing or
/// the faster model also starts faster.
pub(super) fn startup_text(
    r: &ResultsFile,
    baselines: &Baselines,
    fastest: &CellResult,
    runner: &CellResult,
) -> Option<String> {
    let (sa, sb) = (startup(fastest)?, startup(runner)?);
    let (ta, tb) = (median(fastest), median(runner));
    if sa <= sb || ta.total_cmp(&tb).is_ge() {
        return None;
    }
    // Advice is advice only for a model that beats the baseline beyond the noise (or is the
    // baseline itself): one whose interval includes no speedup is no way to run this work,
    // whatever it saves at start-up, so it is never the one recommended.
    let faster = |c: &CellResult| speedup_ci(c).is_some_and(|(lo, _)| lo > 1.0);
    if !faster(fastest) {
        return None;
    }
    let runner_worth_it = faster(runner) || baselines.is_baseline(runner);
    let (a, b) = (cell_name(fastest), cell_name(runner));
    let extra = startup_words(sa - sb);
    let named = fastest
        .model
        .and_then(ModelKind::startup_name)
        .unwrap_or("start-up");
    // A function task's start-up includes the import of the user's module (every pool
    // process imports it): said, as it is often most of it.
    let what = match fastest.import_s {
        Some(_) => format!("{named} and module import"),
        None => named.to_string(),
    };
    let q = ratio(fastest, runner)?;
    if q.coverage < ONE_RUN_COVERAGE || q.low <= 1.0 {
        if !runner_worth_it {
            return None;
        }
        return Some(format!(
            "Start-up: {a} and {b} run this work equally fast within the noise, and {a}'s {what} is {extra} longer, so {b} costs less for a program that starts once."
        ));
    }
    let k = (sa - sb) / (tb - ta);
    // What is paid: the whole start-up against a model that starts nothing, else the
    // difference, with both figures.
    let own = match runner.model.and_then(ModelKind::startup_name) {
        Some(theirs) if sb > 0.0 => format!(
            "{extra} longer start-up ({what} {}, against {b}'s {theirs} {})",
            startup_words(sa),
            startup_words(sb)
        ),
        _ => format!("{} {what}", startup_words(sa)),
    };
    if k < 1.0 {
        return Some(format!(
            "Start-up: {a} pays for its {own} within a single run's worth of this work."
        ));
    }
    // Break-even at k runs: "more than about" its nearest whole number of runs, and the
    // sequential time of that much work (k unrounded).
    let runs = k.round().max(1.0) as u64;
    let sequential = r.baseline.median_s.map_or(String::new(), |t| {
        format!(" (about {} sequentially)", time_words(t * k))
    });
    let worth = if runs == 1 { "run's" } else { "runs'" };
    let for_less = match runner_worth_it {
        true => format!("; for less, {b} finishes first"),
        false => String::new(),
    };
    Some(format!(
        "Start-up: {a} pays for its {own} once the program does more than about {runs} {worth} worth of this work{sequential}{for_less}."
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn more_workers_slower_on_fewer_than_six_runs_is_not_called_a_slowdown() {
        let three = |t: f64| [0.99 * t, t, 1.01 * t];
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &three(1.0)),
            cell(ModelKind::Threads, 2, &three(0.5)),
            cell(ModelKind::Threads, 4, &three(0.7)),
        ]);
        let s = of(&r, VerdictTopic::Scaling);
        assert_eq!(s.len(), 1, "{s:?}");
        assert!(!s[0].contains("stopped helping"), "{}", s[0]);
        assert!(
            s[0].ends_with(
                "; 4 workers took 1.40× as long (1.38–1.42, a 75% interval: fewer than 6 runs), but 3 runs a cell are too few to call it a slowdown."
            ),
            "{}",
            s[0]
        );
    }

    #[test]
    fn each_model_says_how_it_scaled_and_where_more_workers_stopped_helping() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.5)),
            cell(ModelKind::Threads, 4, &six(0.7)),
            cell(ModelKind::Processes, 1, &six(1.0)),
            cell(ModelKind::Processes, 2, &six(0.6)),
            cell(ModelKind::Processes, 4, &six(0.601)),
            cell(ModelKind::GilThreads, 2, &six(1.0)),
            cell(ModelKind::GilThreads, 4, &six(0.8)),
        ]);
        let s = of(&r, VerdictTopic::Scaling);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(
            s[0].starts_with("threads: best 2.00× [1.97–2.03]")
                && s[0].contains(
                    "] at 2 workers; more workers stopped helping: 4 workers took 1.40× as long ("
                ),
            "{}",
            s[0]
        );
        assert!(
            s[1].starts_with("processes: best 1.7× [")
                && s[1]
                    .contains("at 2 workers; 4 workers were as fast within the noise (time ratio "),
            "{}",
            s[1]
        );
        assert!(
            s[2].starts_with("gil-threads: best 1.2× [")
                && s[2].ends_with("at 4 workers, the most workers measured."),
            "{}",
            s[2]
        );
    }

    #[test]
    fn a_model_that_never_beat_the_baseline_says_so() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::PyThreading, 1, &six(1.2)),
            cell(ModelKind::PyThreading, 2, &six(1.25)),
        ]);
        let s = of(&r, VerdictTopic::Scaling);
        assert!(
            s[0].starts_with("py-threading: best 0.83× [0.82–0.85]")
                && s[0].contains("at 1 worker, slower than the baseline at every count"),
            "{}",
            s[0]
        );
        // Sequential itself is the fastest: no model ran this work faster.
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.ends_with("the sequential baseline itself: no model ran this work faster."),
            "{f}"
        );
        let c = of(&r, VerdictTopic::Comparison);
        assert!(
            c[0].starts_with("Runner-up: py-threading × 1 took 1.20× as long"),
            "{}",
            c[0]
        );
    }

    #[test]
    fn against_each_models_own_one_worker_the_words_say_so() {
        let mut r = ResultsFile {
            cells: vec![
                cell(ModelKind::PyThreading, 1, &six(0.8)),
                cell(ModelKind::PyThreading, 2, &six(0.85)),
                cell(ModelKind::PyMultiprocessing, 1, &six(0.8)),
                cell(ModelKind::PyMultiprocessing, 2, &six(0.42)),
            ],
            ..ResultsFile::default()
        };
        r.experiment.baseline = Baseline::SameModelOneWorker;
        r.recompute();
        let t = texts(&r);
        assert!(
            t[0].starts_with(
                "Fastest: py-multiprocessing × 2, 0.42 s (1.90× its own 1-worker time [1.88–1.93]"
            ),
            "{}",
            t[0]
        );
        assert!(
            t.contains(
                &"py-threading: best at 1 worker, its own baseline: more workers never ran faster."
                    .to_string()
            ),
            "{t:?}"
        );
        // py-threading × 2 is 0.94× its own 1 worker, its interval below 1.3: the GIL reading.
        assert_eq!(of(&r, VerdictTopic::Gil).len(), 1, "{t:?}");
    }

    #[test]
    fn the_larger_start_up_is_paid_for_after_so_many_runs() {
        // 0.42 s against 0.80 s a run, start-up 140 ms against 20 ms: 120 ms / 0.38 s = 0.32,
        // paid within one run.
        let r = pure_python();
        assert_eq!(
            of(&r, VerdictTopic::Startup),
            [
                "Start-up: py-multiprocessing × 2 pays for its 120 ms longer start-up (pool start-up 140 ms, against py-threading × 1's interpreter start-up 20 ms) within a single run's worth of this work."
            ]
        );
        // A work item of 0.1 s against 0.14 s: 120 ms / 40 ms = 3 runs.
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(0.2)),
            cell(ModelKind::Threads, 2, &six(0.14)),
            cell(ModelKind::Processes, 2, &six(0.1)),
        ];
        cells[2].startup_s = Some(0.12);
        // A thread team's few microseconds are not weighed.
        cells[1].startup_s = Some(0.000_027);
        let r = file(cells);
        assert_eq!(
            of(&r, VerdictTopic::Startup),
            [
                "Start-up: processes × 2 pays for its 120 ms pool start-up once the program does more than about 3 runs' worth of this work (about 0.60 s sequentially); for less, threads × 2 finishes first."
            ]
        );
        // Break-even at k = 1.06 runs: about 1 run's worth.
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(0.2)),
            cell(ModelKind::Threads, 2, &six(0.2)),
            cell(ModelKind::Processes, 2, &six(0.15)),
        ];
        cells[2].startup_s = Some(0.053);
        let s = of(&file(cells), VerdictTopic::Startup);
        assert!(
            s[0].contains("more than about 1 run's worth of this work (about 0.21 s sequentially)"),
            "{s:?}"
        );
        // k·Ta + Sa < k·Tb + Sb at k = 3 + ε, not at 3 − ε.
        let (ta, tb, sa, sb) = (0.1, 0.14, 0.12, 0.0);
        assert!(3.01 * ta + sa < 3.01 * tb + sb && 2.99 * ta + sa > 2.99 * tb + sb);
    }

    #[test]
    fn no_start_up_figure_means_no_start_up_line() {
        let mut r = pure_python();
        for c in &mut r.cells {
            c.startup_s = None;
        }
        assert!(of(&r, VerdictTopic::Startup).is_empty());
        // Nor when the faster model also starts faster.
        let mut r = pure_python();
        for c in &mut r.cells {
            if c.model == Some(ModelKind::PyMultiprocessing) {
                c.startup_s = Some(0.01);
            }
        }
        assert!(of(&r, VerdictTopic::Startup).is_empty());
    }

    #[test]
    fn equally_fast_models_favour_the_quicker_start() {
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.505)),
            cell(ModelKind::Processes, 2, &six(0.5)),
        ];
        cells[2].startup_s = Some(0.05);
        let r = file(cells);
        assert_eq!(
            of(&r, VerdictTopic::Startup),
            [
                "Start-up: processes × 2 and threads × 2 run this work equally fast within the noise, and processes × 2's pool start-up is 50 ms longer, so threads × 2 costs less for a program that starts once."
            ]
        );
        // Threads fastest with their microseconds recorded, rayon as fast: no start-up line
        // over 27 µs (a real run's figures).
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.5)),
            cell(ModelKind::Rayon, 2, &six(0.502)),
        ];
        cells[1].startup_s = Some(0.000_027);
        assert!(of(&file(cells), VerdictTopic::Startup).is_empty());
    }

    #[test]
    fn no_start_up_advice_for_models_not_faster_than_the_baseline() {
        // gil-cpu-bound on a busy machine: processes × 2 and gil-threads × 2 tied, neither
        // told apart from the baseline (wide intervals): recommending gil-threads for CPU work
        // would teach the wrong lesson.
        let wide = |t: f64| -> Vec<f64> {
            [0.6, 0.8, 1.0, 1.0, 1.3, 1.6]
                .iter()
                .map(|f| f * t)
                .collect()
        };
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &wide(1.0)),
            cell(ModelKind::GilThreads, 2, &wide(0.72)),
            cell(ModelKind::Processes, 2, &wide(0.7)),
        ];
        cells[2].startup_s = Some(0.004);
        let r = file(cells);
        let t = texts(&r);
        assert!(t[0].contains("not told apart from the baseline"), "{t:?}");
        assert!(
            t[1].starts_with("Runner-up: gil-threads × 2 is as fast"),
            "{t:?}"
        );
        assert!(of(&r, VerdictTopic::Startup).is_empty(), "{t:?}");
        // Processes clearly faster, gil-threads flat at 1×: the break-even is said, but "for
        // less, gil-threads × 2 finishes first" is not (the baseline would, as fast).
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::GilThreads, 2, &six(1.0)),
            cell(ModelKind::Processes, 2, &six(0.9)),
        ];
        cells[2].startup_s = Some(0.3);
        assert_eq!(
            of(&file(cells), VerdictTopic::Startup),
            [
                "Start-up: processes × 2 pays for its 300 ms pool start-up once the program does more than about 3 runs' worth of this work (about 3.00 s sequentially)."
            ]
        );
    }
}

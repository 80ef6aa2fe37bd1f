//! A point's hover: its cell's figures in words (wall time, intervals, speedup, efficiency,
//! CPU, memory, lost updates), with the statistics terms said plainly.

use std::collections::HashMap;

use crate::export::{self, ChartKind, chart_model};
use crate::preset::ModelKind;
use crate::results::{CellResult, ResultsFile};

use super::measuring::measuring_words;

/// Points' hover texts by (series name, workers).
pub(super) type Hovers = HashMap<(String, usize), String>;

/// A cell's memory in the hover: what the run added, and the whole processes' peak, which
/// holds the front end's own memory (the workbench's window); older files have only the peak.
fn memory_lines(cell: &CellResult) -> Vec<String> {
    let mib = |b: u64| export::costs_text::mebibytes(Some(b));
    let mut lines = Vec::new();
    if let Some(added) = cell.added_rss_bytes {
        lines.push(format!("memory the run added: {} MiB", mib(added)));
    }
    if let Some(peak) = cell.peak_rss_bytes {
        lines.push(format!(
            "peak RSS of the whole processes: {} MiB (this process's includes the front end's own memory)",
            mib(peak)
        ));
    }
    lines
}

pub(super) fn hover_texts(
    kind: ChartKind,
    results: &ResultsFile,
    name: &dyn Fn(ModelKind) -> String,
    measuring: &[(ModelKind, usize)],
    map: &mut Hovers,
) {
    for cell in &results.cells {
        let Some(model) = cell.model else { continue };
        let mut lines = vec![format!("{} × {} workers", name(model), cell.workers)];
        if measuring.contains(&(model, cell.workers)) {
            lines.push(format!(
                "{} (hollow marker): the sweep is still running; the figures below are from these runs",
                measuring_words(cell)
            ));
        }
        if let Some(partial) = export::partial_words(cell) {
            lines.push(format!(
                "{partial} (hollow marker): the sweep was cancelled"
            ));
        }
        if let Some(w) = &cell.wall {
            lines.push(format!(
                "wall time: median {} s (min {}, max {}, n = {})",
                export::seconds_text(w.median),
                export::seconds_text(w.min),
                export::seconds_text(w.max),
                w.n
            ));
            lines.push(format!(
                "median CI ({}): {}",
                median_ci_coverage_words(w.n),
                export::median_ci_text(cell)
            ));
            lines.push(MEDIAN_CI_WORDS.into());
            if let Some(line) = export::precision_target_text(results, cell) {
                lines.push(line);
                lines.push(PRECISION_WORDS.into());
            }
            let outliers = export::outliers_text(cell);
            if !outliers.is_empty() {
                lines.push(format!("{outliers} (MAD rule)"));
                lines.push(MAD_WORDS.into());
            }
        }
        if let Some(s) = cell.speedup {
            let range = match (cell.speedup_low, cell.speedup_high) {
                (Some(l), Some(h)) => format!(" (runs: {l:.2}–{h:.2}×)"),
                _ => String::new(),
            };
            lines.push(format!("speedup: {s:.3}×{range}"));
            // The same words as the Results table's: the interval's real coverage.
            if let Some(ci) = export::speedup_ci_words(cell) {
                lines.push(format!(
                    "speedup: {ci} (the baseline's uncertainty included)"
                ));
            }
        }
        // One worker clearly faster than sequential: impossible for the model, so flagged.
        if let Some(suspect) = export::one_worker_suspect(cell) {
            lines.push(format!("⚠ {suspect}"));
        }
        if let Some(e) = cell.efficiency {
            lines.push(format!("efficiency: {:.1} %", e * 100.0));
        }
        if let Some(u) = cell.cpu_utilisation {
            lines.push(format!(
                "CPU busy: {u:.2} cores on average (CPU time ÷ wall time: 1.00 is one core kept busy the whole run)"
            ));
        }
        if let Some(w) = cell.work_vs_baseline {
            lines.push(format!(
                "work: {w:.2}× the baseline's CPU time{}",
                if w > 1.1 {
                    " (extra work: dispatch, pipes, spinning)"
                } else {
                    ""
                }
            ));
        }
        if let Some((start, s)) = model.startup_name().zip(cell.startup_s) {
            lines.push(match cell.import_s {
                Some(import) => format!(
                    "{start}: {:.1} ms, of which module import {:.1} ms (not in wall time)",
                    s * 1000.0,
                    import * 1000.0
                ),
                None => format!("{start}: {:.1} ms (not in wall time)", s * 1000.0),
            });
        }
        if kind == ChartKind::Speedup && model == ModelKind::Sequential {
            lines.push("the baseline: speedup 1× by definition".into());
        }
        if let Some(lost) = chart_model::lost_share(results, cell) {
            lines.push(lost_updates_line(&lost));
        }
        if kind == ChartKind::Memory {
            lines.extend(memory_lines(cell));
        }
        lines.push(String::new());
        lines.push(model.explanation().into());
        map.insert((name(model), cell.workers), lines.join("\n"));
    }
}

/// What the median's interval from `n` runs is and the confidence it has, by
/// [`crate::stats::median_ci_coverage`]: `order statistics, 97% for 6 runs`; one run gives
/// none.
pub(super) fn median_ci_coverage_words(n: usize) -> String {
    match crate::stats::median_ci_coverage(n) {
        // One run: its interval is the run itself (1 − 2 × 0.5, computed a hair above 0).
        Some(coverage) if coverage >= 0.005 => format!(
            "order statistics, {:.0}% for {}",
            coverage * 100.0,
            crate::words::count(n, "run")
        ),
        _ => format!(
            "order statistics: none from {}",
            crate::words::count(n, "run")
        ),
    }
}

/// The hover's plain words for "median CI (order statistics)".
pub(super) const MEDIAN_CI_WORDS: &str = "  (where the true median lies, with the confidence given: 95% or more from 6 runs, less with fewer; read off the sorted runs themselves, no bell curve assumed)";
/// The hover's plain words for the precision target.
pub(super) const PRECISION_WORDS: &str = "  (precision target: runs were added until the median was known to within this share of itself, or the cell's time budget ran out)";
/// The hover's plain words for the MAD rule.
pub(super) const MAD_WORDS: &str = "  (MAD rule: a run far from the others, measured in their typical spread, the median absolute deviation; named, still counted in the median)";

/// A cell's lost updates in words, for its hover, in the long form the verdict uses too
/// ([`chart_model::LostShare::long_words`]): the plotted median, the runs' spread (the bar),
/// what 100 % is, and how many runs lost any (a race need not strike every run: that count is
/// the number to read where the median is 0).
pub(super) fn lost_updates_line(lost: &chart_model::LostShare) -> String {
    format!("this cell {}", lost.long_words())
}

/// Said in a point's hover where its bar is drawn beside it (`side`: "left" or "right").
pub(super) fn bar_side_note(side: &str) -> String {
    format!(
        "its bar is drawn a little to the {side} of the marker, so that the models' bars at one \
         worker count stand side by side"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::charts::test_support::{recomputed, speedup_hovers};

    /// processes × 1 at twice the sequential speed: the hover flags it, and explains the
    /// statistics terms it uses in plain words.
    #[test]
    fn a_one_worker_cell_faster_than_sequential_is_flagged_in_its_hover() {
        let r = recomputed(vec![
            CellResult::with_walls(
                ModelKind::Sequential,
                1,
                &[1.0, 1.01, 0.99, 1.0, 1.02, 0.98],
            ),
            CellResult::with_walls(ModelKind::Processes, 1, &[0.5, 0.51, 0.49, 0.5, 0.52, 0.48]),
            CellResult::with_walls(ModelKind::Processes, 2, &[0.3, 0.31, 0.29, 0.3, 0.32, 0.28]),
        ]);
        let hover = speedup_hovers(&r, &[]);
        let one = hover(ModelKind::Processes, 1);
        assert!(
            one.contains("one worker cannot beat sequential, so the baseline was disturbed"),
            "{one}"
        );
        assert!(one.contains(MEDIAN_CI_WORDS), "{one}");
        assert!(one.contains("CPU busy: "), "{one}");
        let two = hover(ModelKind::Processes, 2);
        assert!(!two.contains("cannot beat sequential"), "{two}");
    }

    #[test]
    fn a_partial_cells_hover_says_so_and_gives_its_intervals_real_coverage() {
        use crate::results::{CellResult, CellStatus};
        let cell = |model, workers, status, walls: &[f64]| CellResult {
            status,
            ..CellResult::with_walls(model, workers, walls)
        };
        let r = recomputed(vec![
            cell(ModelKind::Sequential, 1, CellStatus::Ok, &[0.4; 6]),
            // Complete, but 3 runs: no 95% interval either.
            cell(ModelKind::Threads, 1, CellStatus::Ok, &[0.41, 0.4, 0.42]),
            cell(
                ModelKind::Threads,
                2,
                CellStatus::Cancelled,
                &[0.21, 0.2, 0.22],
            ),
        ]);
        let hover = speedup_hovers(&r, &[]);
        for (workers, cell) in [(1, &r.cells[1]), (2, &r.cells[2])] {
            let text = hover(ModelKind::Threads, workers);
            // The Results table's words, coverage and all.
            let words = export::speedup_ci_words(cell).unwrap();
            assert!(!words.starts_with("95%"), "{words}");
            assert!(text.contains(&format!("speedup: {words}")), "{text}");
            assert!(!text.contains("95% CI"), "{text}");
        }
        let partial = hover(ModelKind::Threads, 2);
        assert!(
            partial.contains("partial: cancelled after 3 runs (hollow marker)"),
            "{partial}"
        );
        assert!(!hover(ModelKind::Threads, 1).contains("partial"));
        let baseline = hover(ModelKind::Sequential, 1);
        assert!(
            baseline.starts_with("sequential (baseline) × 1 workers"),
            "{baseline}"
        );
    }

    /// The hover gives the median interval's real confidence for the cell's own number of
    /// runs, by the statistics' own rule: not "95% from 6 runs" whatever the runs.
    #[test]
    fn the_hovers_median_interval_says_its_coverage_for_the_cells_runs() {
        let walls = |n: usize| -> Vec<f64> { (0..n).map(|i| 1.0 + 0.01 * i as f64).collect() };
        let r = recomputed(vec![
            CellResult::with_walls(ModelKind::Sequential, 1, &walls(6)),
            CellResult::with_walls(ModelKind::Threads, 1, &walls(3)),
            CellResult::with_walls(ModelKind::Threads, 2, &walls(32)),
            CellResult::with_walls(ModelKind::Threads, 4, &walls(1)),
        ]);
        let hover = speedup_hovers(&r, &[]);
        for (model, workers, said) in [
            (
                ModelKind::Sequential,
                1,
                "median CI (order statistics, 97% for 6 runs): ",
            ),
            (
                ModelKind::Threads,
                1,
                "median CI (order statistics, 75% for 3 runs): ",
            ),
            (
                ModelKind::Threads,
                2,
                "median CI (order statistics, 98% for 32 runs): ",
            ),
            (
                ModelKind::Threads,
                4,
                "median CI (order statistics: none from 1 run): ",
            ),
        ] {
            let text = hover(model, workers);
            assert!(text.contains(said), "{said} in {text}");
            assert!(!text.contains("95% from 6 runs"), "{text}");
        }
        // The figures are the statistics' own.
        assert_eq!(crate::stats::median_ci_coverage(0), None);
        for n in [1, 2, 3, 6, 7, 32] {
            let samples = walls(n);
            assert_eq!(
                crate::stats::median_ci_coverage(n),
                crate::stats::median_ci(&samples).map(|ci| ci.coverage)
            );
        }
    }
}

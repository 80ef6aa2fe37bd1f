use super::cell_text::{fixed, median_ci, min_max, note, seconds, speedup_ci};
use crate::results::ResultsFile;

/// The narrowest the model column is; it widens to the longest model name in the file
/// (`py-multiprocessing`), so the columns stay aligned.
const MODEL_COLUMN: usize = 12;

/// A fixed-width summary table for the terminal.
pub fn summary_table(results: &ResultsFile) -> String {
    let m = results
        .cells
        .iter()
        .map(|c| c.model_id().chars().count())
        .fold(MODEL_COLUMN, usize::max);
    let mut out = format!(
        "{:<m$} {:>7} {:>4} {:>10} {:>32} {:>19} {:>8} {:>23} {:>6} {:>6} {:>6}  {}\n",
        "model",
        "workers",
        "n",
        "median",
        "median CI",
        "min – max",
        "speedup",
        "speedup CI",
        "eff.",
        "cores",
        "work",
        "note"
    );
    let baselines = results.baselines();
    for c in &results.cells {
        // A cell without runs has no median: a bare dash, not `—s`.
        let median = c
            .wall
            .as_ref()
            .map_or("—".into(), |s| format!("{}s", seconds(s.median)));
        out.push_str(&format!(
            "{:<m$} {:>7} {:>4} {:>10} {:>32} {:>19} {:>8} {:>23} {:>6} {:>6} {:>6}  {}\n",
            c.model_id(),
            c.workers,
            c.samples.len(),
            median,
            median_ci(c),
            min_max(c),
            super::cell_text::speedup_text(c),
            speedup_ci(c, baselines.is_baseline(c)),
            super::cell_text::efficiency_percent(c),
            fixed(c.cpu_utilisation, 2),
            fixed(c.work_vs_baseline, 2),
            super::sanitize::for_terminal(&note(results, c))
        ));
    }
    out.push_str(&super::costs_text::costs_table(results));
    out.push_str(&format!(
        "baseline: {}: {}\n",
        super::sanitize::for_terminal(&results.baseline.description),
        super::sanitize::for_terminal(&results.baselines().describe())
    ));
    if let Some(outcome) = super::cell_text::precision_outcome(results) {
        let e = &results.experiment;
        out.push_str(&format!(
            "precision target {} (95% CI of the median), budget {} s per cell: {outcome}\n",
            super::cell_text::precision_text(e.precision),
            e.precision_budget_s
        ));
    }
    out.push_str(
        "n: timed runs of the cell\n\
         median CI: order statistics (distribution-free), then ± how close that pins the median; in brackets the coverage when fewer than 6 runs cannot reach 95%\n\
         outliers: runs whose modified z-score (0.6745·|x − median| / MAD) exceeds 3.5\n\
         speedup CI: the baseline's and the cell's median intervals together: 95% where both have 6 runs or more, else the lower coverage in brackets; one run has no interval\n\
         cores: CPU time ÷ wall time; work: CPU time ÷ the baseline's (above 1: extra work)\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;
    use crate::results::CellResult;

    /// Six runs, one far off: median 1.0, MAD 0.075, and 0.6745 · 9 / 0.075 = 80.9 > 3.5.
    pub(crate) fn with_an_outlier() -> ResultsFile {
        let mut r = ResultsFile::default();
        r.cells.push(CellResult::with_walls(
            ModelKind::Sequential,
            1,
            &[1.1, 1.0, 0.9, 1.05, 0.95, 10.0],
        ));
        r.recompute();
        r
    }

    /// Long model names widen the model column instead of pushing their row out of line, a
    /// cell without runs shows a bare `—`, and a note's parts are kept apart.
    #[test]
    fn columns_stay_aligned_and_notes_read_apart() {
        let mut r = with_an_outlier();
        let mut pool = CellResult::with_walls(
            ModelKind::PyMultiprocessing,
            1,
            &[1.0, 1.1, 0.9, 1.0, 1.05, 9.0],
        );
        pool.model = Some(ModelKind::Processes);
        r.cells.push(pool);
        r.cells.push(CellResult::with_walls(
            ModelKind::PyMultiprocessing,
            2,
            &[0.5, 0.6],
        ));
        r.cells
            .push(CellResult::with_walls(ModelKind::PyFreeThreading, 16, &[]));
        r.recompute();
        r.cells[1].startup_s = Some(0.002);
        let text = summary_table(&r);
        let rows: Vec<&str> = text.lines().take(5).collect();
        // The right edge of the workers column, in characters, is the same on every row.
        let edge = |row: &str| {
            let chars: Vec<char> = row.chars().collect();
            let start = chars.iter().position(|c| *c == ' ').unwrap_or(0);
            let digits = chars[start..]
                .iter()
                .position(|c| !c.is_whitespace())
                .unwrap_or(0)
                + start;
            digits
                + chars[digits..]
                    .iter()
                    .position(|c| c.is_whitespace())
                    .unwrap_or(0)
        };
        let edges: Vec<usize> = rows.iter().map(|r| edge(r)).collect();
        assert!(edges.iter().all(|&e| e == edges[0]), "{edges:?}\n{text}");
        assert!(rows[3].starts_with("py-multiprocessing "), "{text}");
        // The runs of each cell, after the workers: 6, 6, 2 and 0.
        let runs: Vec<&str> = rows[1..]
            .iter()
            .map(|r| r.split_whitespace().nth(2).unwrap_or_default())
            .collect();
        assert_eq!(runs, ["6", "6", "2", "0"], "{text}");
        assert!(rows[0].split_whitespace().nth(2) == Some("n"), "{text}");
        // Two runs: the speedup's interval is the range, labelled with its coverage.
        assert!(rows[3].contains("(50% CI)"), "{text}");
        assert!(!text.contains("—s"), "{text}");
        assert!(rows[4].contains(" — "), "{text}");
        assert!(
            rows[2].contains("1 outlier: 9.0000 s; pool start-up 2.0 ms"),
            "{text}"
        );
    }

    #[test]
    fn a_missed_precision_target_is_said_under_the_table() {
        // Three runs have no 95% interval: the target cannot have been met, and the terminal
        // says so as the report does (it had said nothing).
        let mut r = ResultsFile::default();
        r.experiment.precision = 0.02;
        r.cells.push(CellResult::with_walls(
            ModelKind::Sequential,
            1,
            &[1.0, 1.1, 0.9],
        ));
        r.recompute();
        let table = summary_table(&r);
        assert!(
            table.contains(
                "precision target ±2.0% (95% CI of the median), budget 5 s per cell: met by \
                 none of 1 complete cell: none has the runs a 95% interval needs"
            ),
            "{table}"
        );
        r.experiment.precision = 0.0;
        assert!(!summary_table(&r).contains("precision target"));
    }

    #[test]
    fn the_table_shows_the_median_interval_and_the_outliers() {
        let text = summary_table(&with_an_outlier());
        // Six runs: the interval is the range (coverage 1 − 2/64 ≥ 95%, so no bracket).
        assert!(text.contains("0.9000 – 10.0000"), "{text}");
        assert!(text.contains("1 outlier: 10.0000 s"), "{text}");
        let csv = crate::export::summary_csv(&with_an_outlier());
        let row = csv.lines().nth(1).unwrap_or_default();
        assert!(row.contains(",1,6,"), "outlier count and run number: {row}");
        let md = crate::export::markdown_report(
            &[crate::export::ChartRun {
                label: "x",
                results: &with_an_outlier(),
            }],
            &[],
        );
        assert!(md.contains("1 outlier: 10.0000 s"), "{md}");
    }
}

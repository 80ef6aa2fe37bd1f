//! How one cell of the summary reads, shared by the terminal table and the Markdown report.

use crate::preset::ModelKind;
use crate::results::{CellResult, CellStatus};

/// `v` with `places` decimals, or a dash when missing.
pub fn fixed(v: Option<f64>, places: usize) -> String {
    v.map_or("—".to_string(), |x| format!("{x:.places$}"))
}

/// Efficiency in percent, whole numbers (`93 %`), as every chart and table shows it.
pub fn efficiency_percent(c: &CellResult) -> String {
    c.efficiency.map_or("—".to_string(), |e| {
        format!("{:.0} %", super::chart_model::percent(e))
    })
}

/// Fastest and slowest run, `min – max` seconds.
pub fn min_max(c: &CellResult) -> String {
    c.wall
        .as_ref()
        .map_or("—".into(), |s| format!("{:.4} – {:.4}", s.min, s.max))
}

/// The speedup from the slowest and the fastest run, `low – high`.
pub fn speedup_range(c: &CellResult) -> String {
    match (c.speedup_low, c.speedup_high) {
        (Some(l), Some(h)) => format!("{l:.2} – {h:.2}"),
        _ => "—".into(),
    }
}

/// The confidence interval of the median wall time, `low – high` seconds, with how precisely
/// that pins the median (`±0.9%`: [`crate::stats::median_precision`]) once there are the 6
/// runs a 95% interval needs, or its coverage when it is below 95% (fewer than 6 runs), e.g.
/// `1.0210 – 1.0388 ±0.9%` or `1.0210 – 1.0388 (94%)`.
pub fn median_ci(c: &CellResult) -> String {
    c.wall.as_ref().map_or("—".into(), |s| {
        let mut text = format!("{:.4} – {:.4}", s.median_ci_low, s.median_ci_high);
        if s.median_ci_coverage < 0.95 - 1e-9 {
            text.push_str(&format!(" ({:.0}%)", s.median_ci_coverage * 100.0));
        } else if let Some(p) = precision(c) {
            text.push_str(&format!(" {}", precision_text(p)));
        }
        text
    })
}

/// How precisely the cell's median wall time is known: the half-width of its 95% interval
/// as a fraction of the median; `None` with fewer than 6 runs. From the wall-time summary,
/// which holds the median and its interval already.
pub fn precision(c: &CellResult) -> Option<f64> {
    c.wall
        .as_ref()
        .and_then(crate::stats::Summary::median_precision)
}

/// Whether the cell met the experiment's precision target; `None` without a target or for a
/// cell that did not complete.
pub fn precision_target_met(results: &crate::results::ResultsFile, c: &CellResult) -> Option<bool> {
    let target = results.experiment.precision;
    (target > 0.0 && c.status == CellStatus::Ok).then(|| precision(c).is_some_and(|p| p <= target))
}

/// Whether the cell met the experiment's precision target, e.g. `precision target ±2.0%: met
/// (±0.9%)` or `precision target ±2.0%: not met within the 1.5 s budget (±3.1%)`; `None`
/// without a target or for a cell that did not complete.
pub fn precision_target(results: &crate::results::ResultsFile, c: &CellResult) -> Option<String> {
    let met = precision_target_met(results, c)?;
    let head = format!(
        "precision target {}",
        precision_text(results.experiment.precision)
    );
    Some(match precision(c) {
        Some(p) if met => format!("{head}: met ({})", precision_text(p)),
        Some(p) => format!(
            "{head}: not met within the {} s budget ({})",
            results.experiment.precision_budget_s,
            precision_text(p)
        ),
        None => format!("{head}: not met (fewer than 6 runs)"),
    })
}

/// `±0.9%` (one decimal), `±12%` from 10% up.
pub fn precision_text(p: f64) -> String {
    let pct = p * 100.0;
    if pct < 10.0 {
        format!("±{pct:.1}%")
    } else {
        format!("±{pct:.0}%")
    }
}

/// The runs flagged as outliers by the MAD rule (modified z-score above 3.5), by their wall
/// times: `2 outliers: 1.9032 s, 2.1100 s`; empty when there are none.
pub fn outliers(c: &CellResult) -> String {
    let Some(w) = &c.wall else {
        return String::new();
    };
    let times: Vec<String> = w
        .outliers
        .iter()
        .filter_map(|&i| c.samples.get(i))
        .map(|s| format!("{:.4} s", s.wall_s))
        .collect();
    match times.len() {
        0 => String::new(),
        1 => format!("1 outlier: {}", times[0]),
        n => format!("{n} outliers: {}", times.join(", ")),
    }
}

/// What else the reader must know about a cell: failure, outlying runs, lost updates,
/// bandwidth, pool start-up. Words separated by single spaces, no padding.
pub fn note(c: &CellResult) -> String {
    let mut parts = Vec::new();
    match c.status {
        CellStatus::Ok => {}
        CellStatus::Failed => parts.push(format!("FAILED: {}", c.error.as_deref().unwrap_or(""))),
        CellStatus::Cancelled => parts.push("cancelled".into()),
    }
    let outliers = outliers(c);
    if !outliers.is_empty() {
        parts.push(outliers);
    }
    if let Some(lost) = c.lost_updates {
        parts.push(format!("lost updates {lost}"));
    }
    if let Some(gbs) = c.gb_per_s {
        parts.push(format!("{gbs:.2} GB/s"));
    }
    if let Some(s) = c
        .startup_s
        .filter(|_| c.model == Some(ModelKind::Processes))
    {
        parts.push(format!("pool start-up {:.1} ms", s * 1000.0));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ResultsFile, Sample};

    /// One `threads × 2` cell with these wall times, in a file with a ±2% target.
    fn file(walls: &[f64]) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.precision = 0.02;
        r.experiment.precision_budget_s = 1.5;
        r.cells.push(CellResult {
            model: Some(ModelKind::Threads),
            workers: 2,
            samples: walls
                .iter()
                .map(|&t| Sample {
                    wall_s: t,
                    ..Sample::default()
                })
                .collect(),
            ..CellResult::default()
        });
        r.recompute();
        r
    }

    #[test]
    fn the_interval_says_how_precisely_it_pins_the_median() {
        // Six runs: the interval is [min, max] = [0.99, 1.01] around the median 1.0: ±1.0%.
        let r = file(&[1.0, 0.99, 1.01, 1.0, 1.0, 1.0]);
        assert_eq!(median_ci(&r.cells[0]), "0.9900 – 1.0100 ±1.0%");
        assert_eq!(
            precision_target(&r, &r.cells[0]).unwrap(),
            "precision target ±2.0%: met (±1.0%)"
        );
    }

    #[test]
    fn a_missed_target_says_so_with_the_budget() {
        let r = file(&[1.0, 0.9, 1.1, 1.0, 1.0, 1.0]);
        assert_eq!(median_ci(&r.cells[0]), "0.9000 – 1.1000 ±10%");
        assert_eq!(
            precision_target(&r, &r.cells[0]).unwrap(),
            "precision target ±2.0%: not met within the 1.5 s budget (±10%)"
        );
        // Five runs cannot reach 95%: the coverage, no precision.
        let r = file(&[1.0, 0.99, 1.01, 1.0, 1.0]);
        assert_eq!(median_ci(&r.cells[0]), "0.9900 – 1.0100 (94%)");
        assert_eq!(
            precision_target(&r, &r.cells[0]).unwrap(),
            "precision target ±2.0%: not met (fewer than 6 runs)"
        );
    }

    #[test]
    fn no_target_no_verdict() {
        let mut r = file(&[1.0; 6]);
        r.experiment.precision = 0.0;
        assert_eq!(precision_target(&r, &r.cells[0]), None);
    }
}

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

/// The confidence interval of the median wall time, `low – high` seconds, with its coverage
/// when it is below 95% (fewer than 6 runs), e.g. `1.0210 – 1.0388 (94%)`.
pub fn median_ci(c: &CellResult) -> String {
    c.wall.as_ref().map_or("—".into(), |s| {
        let mut text = format!("{:.4} – {:.4}", s.median_ci_low, s.median_ci_high);
        if s.median_ci_coverage < 0.95 - 1e-9 {
            text.push_str(&format!(" ({:.0}%)", s.median_ci_coverage * 100.0));
        }
        text
    })
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

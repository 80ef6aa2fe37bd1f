//! How one cell of the summary reads, shared by the terminal table and the Markdown report.

use crate::preset::ModelKind;
use crate::results::{CellResult, CellStatus};

/// `v` with `places` decimals, or a dash when missing.
pub fn fixed(v: Option<f64>, places: usize) -> String {
    v.map_or("—".to_string(), |x| format!("{x:.places$}"))
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

/// What else the reader must know about a cell: failure, lost updates, bandwidth, pool
/// start-up. Words separated by single spaces, no padding.
pub fn note(c: &CellResult) -> String {
    let mut parts = Vec::new();
    match c.status {
        CellStatus::Ok => {}
        CellStatus::Failed => parts.push(format!("FAILED: {}", c.error.as_deref().unwrap_or(""))),
        CellStatus::Cancelled => parts.push("cancelled".into()),
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

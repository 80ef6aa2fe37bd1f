use crate::results::{CellStatus, ResultsFile};

/// A fixed-width summary table for the terminal.
pub fn summary_table(results: &ResultsFile) -> String {
    let mut out = format!(
        "{:<12} {:>7} {:>10} {:>19} {:>8} {:>15} {:>6} {:>6}  {}\n",
        "model",
        "workers",
        "median",
        "min – max",
        "speedup",
        "speedup range",
        "eff.",
        "cores",
        "note"
    );
    for c in &results.cells {
        let f = |v: Option<f64>, p: usize| v.map_or("—".to_string(), |x| format!("{x:.p$}"));
        let w = c.wall.as_ref();
        let range = match (c.speedup_low, c.speedup_high) {
            (Some(l), Some(h)) => format!("{l:.2} – {h:.2}"),
            _ => "—".into(),
        };
        let mut note = match c.status {
            CellStatus::Ok => String::new(),
            CellStatus::Failed => format!("FAILED: {}", c.error.as_deref().unwrap_or("")),
            CellStatus::Cancelled => "cancelled".into(),
        };
        if let Some(lost) = c.lost_updates {
            note.push_str(&format!("lost updates {lost} "));
        }
        if let Some(gbs) = c.gb_per_s {
            note.push_str(&format!("{gbs:.2} GB/s "));
        }
        if let Some(s) = c
            .startup_s
            .filter(|_| c.model == Some(crate::preset::ModelKind::Processes))
        {
            note.push_str(&format!("pool start-up {:.1} ms", s * 1000.0));
        }
        out.push_str(&format!(
            "{:<12} {:>7} {:>9}s {:>19} {:>8} {:>15} {:>6} {:>6}  {}\n",
            c.model_id(),
            c.workers,
            f(w.map(|s| s.median), 4),
            w.map_or("—".into(), |s| format!("{:.4} – {:.4}", s.min, s.max)),
            f(c.speedup, 2),
            range,
            f(c.efficiency, 2),
            f(c.cpu_utilisation, 2),
            note.trim_end()
        ));
    }
    let b = &results.baseline;
    out.push_str(&format!(
        "baseline: {}{}\n",
        b.description,
        b.median_s.map_or(String::new(), |m| format!(" = {m:.4} s"))
    ));
    out
}

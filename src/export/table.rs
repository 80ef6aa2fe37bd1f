use super::cell_text::{fixed, min_max, note, speedup_range};
use crate::results::ResultsFile;

/// A fixed-width summary table for the terminal.
pub fn summary_table(results: &ResultsFile) -> String {
    let mut out = format!(
        "{:<12} {:>7} {:>10} {:>19} {:>8} {:>15} {:>6} {:>6} {:>6}  {}\n",
        "model",
        "workers",
        "median",
        "min – max",
        "speedup",
        "speedup range",
        "eff.",
        "cores",
        "work",
        "note"
    );
    for c in &results.cells {
        out.push_str(&format!(
            "{:<12} {:>7} {:>9}s {:>19} {:>8} {:>15} {:>6} {:>6} {:>6}  {}\n",
            c.model_id(),
            c.workers,
            fixed(c.wall.as_ref().map(|s| s.median), 4),
            min_max(c),
            fixed(c.speedup, 2),
            speedup_range(c),
            fixed(c.efficiency, 2),
            fixed(c.cpu_utilisation, 2),
            fixed(c.work_vs_baseline, 2),
            super::sanitize::for_terminal(&note(c))
        ));
    }
    let b = &results.baseline;
    out.push_str(&format!(
        "baseline: {}{}\n",
        super::sanitize::for_terminal(&b.description),
        b.median_s.map_or(String::new(), |m| format!(" = {m:.4} s"))
    ));
    out.push_str(
        "cores: CPU time ÷ wall time; work: CPU time ÷ the baseline's (above 1: extra work)\n",
    );
    out
}

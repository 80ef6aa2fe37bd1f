//! The notes a chart carries about how its runs were measured: partial cells, a busy machine.

use crate::results::ResultsFile;

/// The legend's entry for partial cells (shown where a chart has any).
pub const PARTIAL_LEGEND: &str = "partial cell (sweep cancelled)";

/// A note for a chart that draws cells cancelled after some of their runs, e.g. `7 cells
/// are partial: the sweep was cancelled after 2 to 3 runs of each`; `None` without any.
pub fn partial_mark(results: &ResultsFile) -> Option<String> {
    let runs: Vec<usize> = results
        .cells
        .iter()
        .filter(|c| c.is_partial())
        .map(|c| c.samples.len())
        .collect();
    let (lo, hi) = (runs.iter().min()?, runs.iter().max()?);
    let of_each = match lo == hi {
        true => crate::words::count(*lo, "run"),
        false => format!("{lo} to {hi} runs"),
    };
    Some(match runs.len() {
        1 => format!("1 cell is partial: cancelled after {of_each}"),
        n => format!("{n} cells are partial: cancelled after {of_each} each"),
    })
}

/// How busy the machine was while a run was measured, for the chart's warning line (`6 of 40
/// runs`, `1.2 cores of other load over all runs`): `None` when it was quiet.
pub fn busy_mark(results: &ResultsFile) -> Option<String> {
    let m = &results.machine;
    if let Some(load) = m.load_during_runs.as_ref().filter(|l| l.was_busy()) {
        // Busy by the pooled ticks of runs too short to be marked one by one.
        if load.busy_runs == 0 {
            return Some(format!(
                "{:.1} cores of other load over all runs",
                load.mean_other_cores
            ));
        }
        return Some(format!("{} of {} runs", load.busy_runs, load.runs));
    }
    let busy_cells = results.cells.iter().filter(|c| c.was_busy()).count();
    if busy_cells > 0 {
        return Some(format!("{busy_cells} cells affected"));
    }
    m.busy_cores_at_start
        .filter(|b| *b > 0.5)
        .map(|b| format!("{b:.1} cores busy at start"))
}

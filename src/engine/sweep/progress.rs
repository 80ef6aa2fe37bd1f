//! What the sweep counts as it goes: the runs a cell is expected to take, which cells still
//! want runs, the `Progress` it reports, and the load its runs were measured under.

use super::Sweep;
use crate::engine::event::{CellProgress, SweepEvent};
use crate::engine::load;
use crate::results::{CellResult, CellStatus, LoadSummary, ResultsFile};

impl Sweep<'_> {
    /// Runs a cell is expected to take before any is timed: its warm-ups, and its
    /// repetitions (or the 6 runs a precision target needs at least).
    pub(super) fn runs_per_cell(&self) -> usize {
        self.exp.warmups as usize + self.count.expected(&[])
    }

    pub(super) fn running_cells(&self) -> Vec<usize> {
        (0..self.live.len())
            .filter(|&i| self.live[i].running.is_some())
            .collect()
    }

    pub(super) fn wants_more(&self, cell: &CellResult, i: usize) -> bool {
        cell.status == CellStatus::Ok
            && self.live[i].running.is_some()
            && (cell.warmups.len() < self.exp.warmups as usize
                || self.count.wants_more_runs(&walls_of(cell)))
    }

    /// The sweep's load: its pooled ticks judged, with its cells' run counts.
    pub(super) fn load_summary(&self, results: &ResultsFile) -> Option<LoadSummary> {
        load::sweep_summary(
            &self.load,
            results.cells.iter().filter_map(|c| c.load.as_ref()),
        )
    }

    /// Sends `Progress`: runs done and the total expected so far (it grows when short runs
    /// need more repetitions or a precision target more runs; a failed or cancelled cell counts
    /// its skipped runs as done), and each cell's share of it.
    pub(super) fn progress(&self, results: &ResultsFile, emit: &mut dyn FnMut(SweepEvent)) {
        let per_cell = self.runs_per_cell();
        let mut done = 0;
        let mut total = self.planned_cells.saturating_sub(results.cells.len()) * per_cell;
        let mut cells = Vec::with_capacity(results.cells.len());
        for (cell, live) in results.cells.iter().zip(&self.live) {
            let runs = cell.warmups.len() + cell.samples.len();
            let walls = walls_of(cell);
            let timed_expected = if cell.status == CellStatus::Ok && !live.finished {
                self.count.expected(&walls)
            } else {
                walls.len()
            };
            if cell.status == CellStatus::Ok {
                let expected = self.exp.warmups as usize + timed_expected;
                done += runs;
                total += expected.max(runs);
            } else {
                done += runs.max(per_cell);
                total += runs.max(per_cell);
            }
            if let Some(model) = cell.model {
                cells.push(CellProgress {
                    model,
                    workers: cell.workers,
                    warmups: cell.warmups.len(),
                    timed: walls.len(),
                    timed_s: walls.iter().sum(),
                    expected: timed_expected,
                });
            }
        }
        emit(SweepEvent::Progress {
            runs_done: done,
            runs_total: total,
            elapsed: self.started.elapsed(),
            cells,
        });
    }
}

/// The wall times of a cell's timed runs.
pub(super) fn walls_of(cell: &CellResult) -> Vec<f64> {
    cell.samples.iter().map(|s| s.wall_s).collect()
}

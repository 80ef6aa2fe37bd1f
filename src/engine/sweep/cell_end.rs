//! The end of the cells that got all their runs or failed: their executors stopped, their
//! answers checked, and `Failed` / `CellDone` sent, the fault before the cells it stopped.

use super::Sweep;
use super::answer_check::check_answer;
use crate::engine::event::SweepEvent;
use crate::preset::ModelKind;
use crate::results::{CellStatus, ResultsFile};

impl Sweep<'_> {
    /// Completes the cells that have all their runs or failed: stops their executors, checks
    /// their answers, and sends `Failed` / `CellDone` in plan order, except that the cells a
    /// fault of the user's code stopped come after the rest (so the fault is told before the
    /// cells that refer to it).
    pub(super) fn finish_cells(
        &mut self,
        results: &mut ResultsFile,
        emit: &mut dyn FnMut(SweepEvent),
    ) {
        let mut done = Vec::new();
        for i in 0..results.cells.len() {
            let cell = &results.cells[i];
            let complete = cell.status != CellStatus::Ok || !self.wants_more(cell, i);
            if self.live[i].finished || !complete {
                continue;
            }
            // Cancelled cells are finished by the caller.
            if cell.status == CellStatus::Cancelled {
                continue;
            }
            self.live[i].stop(
                &*self.config.executors,
                &results.cells[i],
                &mut results.warnings,
                &[],
            );
            self.live[i].finished = true;
            done.push(i);
        }
        if done.is_empty() {
            return;
        }
        // The reference answer: the first cell in plan order that was checked before, or
        // else the first of these.
        let mut reference = results
            .cells
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                self.live[*i].finished && !done.contains(i) && c.status == CellStatus::Ok
            })
            .find_map(|(_, c)| c.samples.first().cloned());
        for &i in &done {
            check_answer(self.exp, &mut results.cells[i], &mut reference);
            crate::results::timeline::keep_median(&mut results.cells[i]);
            crate::results::costs::summarise(&mut results.cells[i]);
        }
        results.recompute();
        done.sort_by_key(|&i| self.live[i].quiet);
        for i in done {
            let cell = &results.cells[i];
            if cell.status == CellStatus::Failed && !self.live[i].quiet {
                emit(SweepEvent::Failed {
                    model: cell.model.unwrap_or(ModelKind::Sequential),
                    workers: cell.workers,
                    reason: cell.error.clone().unwrap_or_default(),
                });
            }
            emit(SweepEvent::CellDone(Box::new(cell.clone())));
        }
    }
}

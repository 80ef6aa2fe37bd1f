//! The results written to [`SweepConfig::partial_results`](super::SweepConfig::partial_results)
//! while the sweep runs: what a save between rounds holds ([`saved_mid_sweep`]), when one is
//! due ([`PartialSaves`]), and a failed write reported, not fatal ([`save_or_report`]).

use std::time::{Duration, Instant};

use super::live::Live;
use crate::engine::event::SweepEvent;
use crate::engine::results_saver::ResultsSaver;
use crate::results::{CellStatus, ResultsFile};

/// The results as they are written between rounds: a cell still being measured is saved as
/// cancelled (with the runs it has, [`CellResult::is_partial`]), so that the file a killed
/// sweep leaves reads like an interrupted one everywhere (report rows say partial, charts
/// draw hollow markers, the verdict compares only completed cells), never as finished cells
/// of one or two runs. The next save, or the end of the sweep, writes them anew. The sweep's
/// warnings told so far are in `results` already (see `Live::stop`), so the file holds them.
///
/// [`CellResult::is_partial`]: crate::results::CellResult::is_partial
pub(super) fn saved_mid_sweep(results: &ResultsFile, live: &[Live]) -> ResultsFile {
    let mut saved = results.clone();
    let mut changed = false;
    for (cell, live) in saved.cells.iter_mut().zip(live) {
        if !live.finished && cell.status == CellStatus::Ok {
            cell.mark_still_measuring();
            changed = true;
        }
    }
    if changed {
        saved.recompute();
    }
    saved
}

/// When the results so far are written to
/// [`SweepConfig::partial_results`](super::SweepConfig::partial_results) between rounds: after
/// the first round, after a round in which a cell got its last run, and otherwise once
/// [`PartialSaves::EVERY`] has passed since the last write, by the clock or by the runs
/// measured since. Writing after every round cost more than the sweep: a cell of 1 000 runs
/// of 30 µs (the sequential row of `lock-contention-processes`) took 14.9 s with `--out`,
/// 7 ms a write of the growing file, against 1 s without. So a killed sweep loses at most
/// about a second of measurement, and any cell it completed.
#[derive(Default)]
pub(super) struct PartialSaves {
    /// When the last write was, and the seconds of timed runs the results held then.
    last: Option<(Instant, f64)>,
}

impl PartialSaves {
    const EVERY: Duration = Duration::from_secs(1);

    /// Whether to write `results` now, at the end of a round (`cell_finished`: a cell got its
    /// last run in it); notes the write when it is due.
    pub(super) fn due(&mut self, results: &ResultsFile, cell_finished: bool) -> bool {
        let measured: f64 = results
            .cells
            .iter()
            .flat_map(|c| &c.samples)
            .map(|s| s.wall_s)
            .sum();
        let due = match self.last {
            None => true,
            Some((at, then)) => {
                cell_finished
                    || at.elapsed() >= Self::EVERY
                    || measured - then >= Self::EVERY.as_secs_f64()
            }
        };
        if due {
            self.last = Some((Instant::now(), measured));
        }
        due
    }
}

/// Writes the results so far to `path` through `saver`; a failure is a
/// [`SweepEvent::SaveFailed`].
pub(super) fn save_or_report(
    saver: &dyn ResultsSaver,
    results: &ResultsFile,
    path: &std::path::Path,
    emit: &mut dyn FnMut(SweepEvent),
) {
    if let Err(e) = saver.save(results, path) {
        emit(SweepEvent::SaveFailed {
            path: path.to_path_buf(),
            // The io error itself: the event already names the path.
            reason: std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_results_are_saved_after_the_first_round_a_finished_cell_or_a_second() {
        let mut results = ResultsFile::default();
        let mut saves = PartialSaves::default();
        let mut cell = crate::results::CellResult::default();
        cell.samples.push(crate::results::Sample {
            wall_s: 0.001,
            ..Default::default()
        });
        results.cells.push(cell);
        assert!(saves.due(&results, false), "the first round is saved");
        // A round of short runs a moment later: not yet.
        results.cells[0].samples.push(crate::results::Sample {
            wall_s: 0.001,
            ..Default::default()
        });
        assert!(!saves.due(&results, false));
        // A round that completed a cell is saved at once.
        assert!(saves.due(&results, true));
        assert!(!saves.due(&results, false));
        // A second of runs measured since the last write is saved, however fast the clock.
        results.cells[0].samples.push(crate::results::Sample {
            wall_s: 1.0,
            ..Default::default()
        });
        assert!(saves.due(&results, false));
        assert!(!saves.due(&results, false));
    }
}

//! The results written to [`SweepConfig::partial_results`](super::SweepConfig::partial_results)
//! while the sweep runs: what a save before the end holds ([`saved_mid_sweep`]), when one is
//! due ([`PartialSaves`]), and a failed write reported, not fatal ([`save_or_report`]).

use std::time::{Duration, Instant};

use super::live::Live;
use crate::engine::event::SweepEvent;
use crate::engine::results_saver::ResultsSaver;
use crate::results::{CellStatus, ResultsFile};

/// The results as they are written before the sweep ends: a cell still being measured is saved as
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
/// [`SweepConfig::partial_results`](super::SweepConfig::partial_results): at the end of the
/// first round, at the end of a round in which a cell got its last run, and otherwise, within
/// a round or at its end, once [`PartialSaves::EVERY`] has passed since the last write (or
/// since the timed rounds began), by the clock or by the seconds of runs measured since.
/// Writing after every round cost more than the sweep: a cell of 1 000 runs of 30 µs (the
/// sequential row of `lock-contention-processes`) took 14.9 s with `--out`, 7 ms a write of
/// the growing file, against 1 s without. Checking within a round matters when a round is
/// long (many cells, or runs of seconds): a killed sweep loses about a second of measurement
/// plus the run in progress, never a whole round, and no cell it completed.
pub(super) struct PartialSaves {
    /// When the last write was (the start of the timed rounds until the first).
    last_write: Instant,
    /// Whether anything was written yet.
    written: bool,
    /// Seconds of timed runs measured since the last write.
    measured_since: f64,
}

impl PartialSaves {
    const EVERY: Duration = Duration::from_secs(1);

    /// Starts counting at the start of the timed rounds.
    pub(super) fn new() -> Self {
        PartialSaves {
            last_write: Instant::now(),
            written: false,
            measured_since: 0.0,
        }
    }

    /// Notes a timed run of `wall_s` seconds.
    pub(super) fn measured(&mut self, wall_s: f64) {
        self.measured_since += wall_s;
    }

    /// Whether to write the results now, at the end of a round (`cell_finished`: a cell got
    /// its last run in it); notes the write when it is due.
    pub(super) fn due_at_round_end(&mut self, cell_finished: bool) -> bool {
        let due = !self.written || cell_finished || self.a_second_passed();
        self.note_if(due)
    }

    /// Whether to write the results now, between two runs of a round; notes the write when it
    /// is due.
    pub(super) fn due_within_round(&mut self) -> bool {
        let due = self.a_second_passed();
        self.note_if(due)
    }

    fn a_second_passed(&self) -> bool {
        self.last_write.elapsed() >= Self::EVERY || self.measured_since >= Self::EVERY.as_secs_f64()
    }

    fn note_if(&mut self, due: bool) -> bool {
        if due {
            self.last_write = Instant::now();
            self.written = true;
            self.measured_since = 0.0;
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
        let mut saves = PartialSaves::new();
        saves.measured(0.001);
        assert!(saves.due_at_round_end(false), "the first round is saved");
        // A round of short runs a moment later: not yet.
        saves.measured(0.001);
        assert!(!saves.due_at_round_end(false));
        // A round that completed a cell is saved at once.
        assert!(saves.due_at_round_end(true));
        assert!(!saves.due_at_round_end(false));
        // A second of runs measured since the last write is saved, however fast the clock.
        saves.measured(1.0);
        assert!(saves.due_at_round_end(false));
        assert!(!saves.due_at_round_end(false));
    }

    #[test]
    fn a_long_round_is_saved_within_it_after_a_second_of_runs_or_of_clock() {
        let mut saves = PartialSaves::new();
        // Short runs early in the first round: the first write waits for the round's end or
        // a second, not the first run.
        saves.measured(0.2);
        assert!(!saves.due_within_round());
        saves.measured(0.5);
        assert!(!saves.due_within_round());
        // A second of runs within the round: written now, not at the round's end.
        saves.measured(0.4);
        assert!(saves.due_within_round());
        assert!(!saves.due_within_round());
        // The round's end after that write is not due by the clock or the runs...
        assert!(!saves.due_at_round_end(false));
        // ...and the clock alone makes a write due, whatever the runs measured.
        saves.last_write -= PartialSaves::EVERY;
        assert!(saves.due_within_round());
    }
}

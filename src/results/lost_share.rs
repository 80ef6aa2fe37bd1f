//! How many of a shared counter's increments the timed runs of a contention cell lost (a
//! `sync: none` race): the lost-updates chart's points and hover, the table's note, the
//! verdict's lost-updates lines, the regression gate's lines, the workbench's link to the
//! Lost updates tab and `selftest --lessons` all read them from here (and say them with
//! [`super::lost_words`]), so they agree: only completed cells count (the gate alone also
//! counts the timed runs of cells that did not complete, [`lost_share_of_timed_runs`]), and a
//! count above what a run asked for is taken as all of it.
//!
//! The results file's own per-cell figures (`lost_updates`, `lost_updates_max`,
//! `runs_with_lost_updates`, and the CSV's columns of those names) are
//! [`lost_share_of_timed_runs`] as counts: what that cell's timed runs lost, whatever its
//! status, as the gate counts. For a completed cell they are the chart's figures; a cell that
//! did not complete keeps them (its `status` says so), while the chart, the note and the
//! verdict leave it out.

use super::{CellResult, CellStatus, ResultsFile};
use crate::preset::TaskKind;

/// The increments one run of `cell` asked for: every worker adds `task.contention.increments`
/// (the size the results file records, after any calibration) to the shared counter, so a run
/// of N workers asks for N × increments; the sequential model, at one worker, for
/// increments. `None` for other tasks, which have no counter, and for an empty count.
pub fn increments_asked(results: &ResultsFile, cell: &CellResult) -> Option<u64> {
    if results.experiment.task.kind != TaskKind::Contention {
        return None;
    }
    let per_worker = results.experiment.task.contention.increments;
    per_worker
        .checked_mul(u64::try_from(cell.workers).ok()?)
        .filter(|&n| n > 0)
}

/// How much of the counter's increments one cell's runs lost: the lost-updates chart's point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LostShare {
    /// The increments one run asked for: 100 % (see [`increments_asked`]).
    pub asked: u64,
    /// The median run's loss, in percent of `asked` (of an even count of runs, the mean of
    /// the middle two).
    pub median_pct: f64,
    /// The run that lost least and the one that lost most, in percent.
    pub min_pct: f64,
    pub max_pct: f64,
    /// The most increments one run lost.
    pub max_lost: u64,
    /// Runs that counted, and how many of them lost any.
    pub runs: usize,
    pub runs_losing: usize,
}

impl LostShare {
    /// Whether any counted run lost an update.
    pub fn any(&self) -> bool {
        self.runs_losing > 0
    }
}

/// Whether any completed cell of `results` has a timed run that lost an update
/// ([`lost_share`]).
pub fn lost_any(results: &ResultsFile) -> bool {
    // Asked every frame by the workbench: the runs are looked at, not gathered and sorted
    // into a share; the same cells count as in [`lost_share`].
    results.cells.iter().any(|c| {
        c.status == CellStatus::Ok
            && increments_asked(results, c).is_some()
            && c.samples
                .iter()
                .any(|s| s.lost_updates.is_some_and(|l| l > 0))
    })
}

/// The lost updates of `cell`'s timed runs as shares of the increments each asked for; `None`
/// where the cell has no counted run or the task asked for none. A count above what was asked
/// (impossible for this workload, but a file may say anything) is taken as all of it.
pub fn lost_share(results: &ResultsFile, cell: &CellResult) -> Option<LostShare> {
    if cell.status != CellStatus::Ok {
        return None;
    }
    lost_share_of_timed_runs(results, cell)
}

/// [`lost_share`] of any cell, whatever its status: what its timed runs lost, a failed or
/// cancelled cell's included. The regression gate's `--fail-on-lost-updates` reads this: an
/// update lost in a timed run is lost, whether or not its cell went on to complete.
pub fn lost_share_of_timed_runs(results: &ResultsFile, cell: &CellResult) -> Option<LostShare> {
    let (asked, lost) = timed_losses(results, cell)?;
    let pct = |l: u64| l as f64 / asked as f64 * 100.0;
    let n = lost.len();
    let median_pct = if n % 2 == 1 {
        pct(lost[n / 2])
    } else {
        (pct(lost[n / 2 - 1]) + pct(lost[n / 2])) / 2.0
    };
    Some(LostShare {
        asked,
        median_pct,
        min_pct: pct(lost[0]),
        max_pct: pct(lost[n - 1]),
        max_lost: lost[n - 1],
        runs: n,
        runs_losing: lost.iter().filter(|&&l| l > 0).count(),
    })
}

/// What `cell`'s timed runs lost, whatever its status, as the results file stores it
/// (`cells[].lost_updates`, `lost_updates_max`, `runs_with_lost_updates`): the runs of
/// [`lost_share_of_timed_runs`], as counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LostCounts {
    /// The median run's count, one a run measured (of an even count of runs, the lower of the
    /// middle two): 0 unless more than half of the runs lost any.
    pub median: u64,
    /// The most one run lost.
    pub max: u64,
    /// The runs that lost any.
    pub runs_losing: usize,
}

/// [`LostCounts`] of `cell`; `None` where [`lost_share_of_timed_runs`] is.
pub(crate) fn lost_counts_of_timed_runs(
    results: &ResultsFile,
    cell: &CellResult,
) -> Option<LostCounts> {
    let (_, lost) = timed_losses(results, cell)?;
    Some(LostCounts {
        median: lost[(lost.len() - 1) / 2],
        max: lost[lost.len() - 1],
        runs_losing: lost.iter().filter(|&&l| l > 0).count(),
    })
}

/// The increments one run of `cell` asked for, and what each of its timed runs lost, sorted,
/// a count above what was asked taken as all of it; `None` without a counted run.
fn timed_losses(results: &ResultsFile, cell: &CellResult) -> Option<(u64, Vec<u64>)> {
    let asked = increments_asked(results, cell)?;
    let mut lost: Vec<u64> = cell
        .samples
        .iter()
        .filter_map(|s| s.lost_updates)
        .map(|l| l.min(asked))
        .collect();
    if lost.is_empty() {
        return None;
    }
    lost.sort_unstable();
    Some((asked, lost))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;

    /// A contention file of one `threads × 2` cell asking 1000 increments per worker, whose
    /// runs lost `lost`.
    fn file(lost: &[u64], status: CellStatus) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        let mut c = CellResult::with_walls(ModelKind::Threads, 2, &vec![1.0; lost.len()]);
        for (s, &l) in c.samples.iter_mut().zip(lost) {
            s.lost_updates = Some(l);
        }
        c.status = status;
        r.cells.push(c);
        r
    }

    #[test]
    fn a_count_above_what_was_asked_is_all_of_it_and_only_completed_cells_count() {
        let r = file(&[0, 5000, 20], CellStatus::Ok);
        let s = lost_share(&r, &r.cells[0]).unwrap();
        assert_eq!((s.asked, s.max_lost, s.max_pct), (2000, 2000, 100.0));
        assert_eq!((s.runs, s.runs_losing), (3, 2));
        assert_eq!(s.median_pct, 1.0);
        assert!(s.any() && lost_any(&r));
        // A cancelled (partial) cell's runs count nowhere: not in the chart, the note or the
        // link to the Lost updates tab.
        let partial = file(&[0, 5000, 20], CellStatus::Cancelled);
        assert_eq!(lost_share(&partial, &partial.cells[0]), None);
        assert!(!lost_any(&partial));
        // The gate's reading counts them: they were timed runs.
        let timed = lost_share_of_timed_runs(&partial, &partial.cells[0]).unwrap();
        assert_eq!((timed.runs, timed.runs_losing), (3, 2));
        let clean = file(&[0, 0], CellStatus::Ok);
        assert!(!lost_share(&clean, &clean.cells[0]).unwrap().any());
        assert!(!lost_any(&clean));
    }
}

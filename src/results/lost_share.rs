//! How many of a shared counter's increments the timed runs of a contention cell lost (a
//! `sync: none` race): the lost-updates chart's points, the table's note and the verdict's
//! lost-updates line all read them from here, so they agree.

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

/// The lost updates of `cell`'s timed runs as shares of the increments each asked for; `None`
/// where the cell has no counted run or the task asked for none. A count above what was asked
/// (impossible for this workload, but a file may say anything) is taken as all of it.
pub fn lost_share(results: &ResultsFile, cell: &CellResult) -> Option<LostShare> {
    if cell.status != CellStatus::Ok {
        return None;
    }
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

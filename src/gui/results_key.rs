//! Which version of the shown results a cache was worked out for: the one key of "the shown
//! results changed" that every per-results cache ([`super::fits_panel::FitsCache`],
//! [`super::table_notes::TableNotes`]) compares, so that they cannot drift apart.
//!
//! It is read each frame in one pass over the cells and their runs' lost-update counts (plain
//! numbers hashed, nothing sorted or formatted), which is what a change of results means to
//! the fits and to the table's words: another file (start time, name), the sweep's status,
//! the task's kind and counter, the baseline rule and the models asked, and each cell's model,
//! worker count, status, number of runs, median with its interval, speedup, and every run's
//! lost updates.

use std::hash::{Hash, Hasher};

use crate::results::ResultsFile;

/// A version of the shown results: two differ where anything a per-results cache shows
/// differs (see the module's words).
#[derive(Clone, Debug, PartialEq)]
pub struct ResultsKey {
    started_at: String,
    name: String,
    status: crate::results::RunStatus,
    task: crate::preset::TaskKind,
    increments: u64,
    /// The baseline rule: which cells are baselines.
    baseline: crate::preset::Baseline,
    /// The experiment's own fields and every cell's, hashed (cheap: numbers only).
    fingerprint: u64,
}

impl ResultsKey {
    /// The key of `results` as they are now.
    pub fn of(results: &ResultsFile) -> ResultsKey {
        ResultsKey {
            started_at: results.started_at.clone(),
            name: results.experiment.name.clone(),
            status: results.status,
            task: results.experiment.task.kind,
            increments: results.experiment.task.contention.increments,
            baseline: results.experiment.baseline,
            fingerprint: fingerprint(results),
        }
    }
}

/// A hash of the models asked and of every cell: model, worker count, status, runs so far,
/// median and its interval, speedup, and each run's lost updates.
fn fingerprint(results: &ResultsFile) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for m in &results.experiment.models {
        m.id().hash(&mut h);
    }
    results.cells.len().hash(&mut h);
    for c in &results.cells {
        c.model.map(|m| m.id()).hash(&mut h);
        c.workers.hash(&mut h);
        (c.status as u8).hash(&mut h);
        c.samples.len().hash(&mut h);
        c.wall
            .as_ref()
            .map(|w| {
                [
                    w.median,
                    w.median_ci_low,
                    w.median_ci_high,
                    w.median_ci_coverage,
                ]
                .map(f64::to_bits)
            })
            .hash(&mut h);
        c.speedup.map(f64::to_bits).hash(&mut h);
        for s in &c.samples {
            s.lost_updates.hash(&mut h);
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{ModelKind, TaskKind};
    use crate::results::{CellResult, CellStatus};

    fn file() -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        let mut c = CellResult::with_walls(ModelKind::Threads, 2, &[0.5; 6]);
        for s in &mut c.samples {
            s.lost_updates = Some(10);
        }
        r.cells = vec![
            CellResult::with_walls(ModelKind::Sequential, 1, &[1.0; 6]),
            c,
        ];
        r.recompute();
        r
    }

    #[test]
    fn every_change_a_cache_shows_changes_the_key_and_nothing_else_does() {
        let r = file();
        let key = ResultsKey::of(&r);
        assert_eq!(
            ResultsKey::of(&r.clone()),
            key,
            "the same results, the same key"
        );
        let changed = |change: &dyn Fn(&mut ResultsFile)| {
            let mut other = r.clone();
            change(&mut other);
            ResultsKey::of(&other) != key
        };
        // Only one run's lost updates differ: same runs, same medians, same speedups.
        assert!(changed(&|o| o.cells[1].samples[3].lost_updates = Some(11)));
        assert!(changed(&|o| o.cells[1].samples[3].lost_updates = None));
        // A run more (the same wall: the median stays).
        assert!(changed(&|o| {
            let s = o.cells[1].samples[0].clone();
            o.cells[1].samples.push(s);
        }));
        assert!(changed(&|o| o.cells[1].status = CellStatus::Cancelled));
        assert!(changed(&|o| o.cells[1]
            .wall
            .as_mut()
            .unwrap()
            .median_ci_high += 0.01));
        assert!(changed(&|o| o.cells[1].speedup = Some(3.0)));
        assert!(changed(&|o| o.cells[1].workers = 3));
        assert!(changed(&|o| o.cells.truncate(1)));
        assert!(changed(&|o| o.started_at = "2026-11-27T17:00:00Z".into()));
        assert!(changed(&|o| o.experiment.name = "other".into()));
        assert!(changed(&|o| o.experiment.task.contention.increments = 2000));
        assert!(changed(&|o| o.experiment.task.kind = TaskKind::Cpu));
        assert!(changed(&|o| o.experiment.models = vec![ModelKind::Rayon]));
        // What neither the fits nor the table's words read: no recompute.
        assert!(!changed(&|o| o.cells[1].samples[3].cpu_s += 1.0));
        assert!(!changed(&|o| o.cells[1].error = Some("note".into())));
    }
}

//! The results table's lost-updates words, one per cell, and which cells are the baselines
//! ([`ResultsFile::baselines`]), worked out once per change of the shown results rather than
//! every frame: each is [`crate::results::lost_share`] of the cell's
//! runs (gathered and sorted) put in its short words, which a table of hundreds of runs a
//! cell need not redo 60 times a second. Kept beside the fits ([`super::fits_panel::FitsCache`])
//! and invalidated by the same [`ResultsKey`], read each frame.

use super::results_key::ResultsKey;
use crate::export;
use crate::results::ResultsFile;

/// The lost-updates words of the shown results' cells ([`export::lost_updates_text`]), in
/// the order of the cells, recomputed only when the results change.
#[derive(Default)]
pub struct TableNotes {
    /// The version of the results the words are of (the fits' key too).
    key: Option<ResultsKey>,
    lost: Vec<Option<String>>,
    /// Whether each cell is its model's measured baseline ([`crate::results::Baselines::is_baseline`]).
    baseline: Vec<bool>,
    /// How many times the words were worked out (for tests: not every frame).
    pub computed: usize,
}

impl TableNotes {
    /// The words of `results`' cells, by index (`None` for a cell without a counted run).
    pub fn get(&mut self, results: &ResultsFile) -> &[Option<String>] {
        self.words(results).0
    }

    /// The lost-updates words and the baseline flags of `results`' cells, by index, worked
    /// out together (the baselines once, not per cell or per frame).
    pub fn words(&mut self, results: &ResultsFile) -> (&[Option<String>], &[bool]) {
        let key = ResultsKey::of(results);
        if self.key.as_ref() != Some(&key) {
            self.lost = results
                .cells
                .iter()
                .map(|c| export::lost_updates_text(results, c))
                .collect();
            let baselines = results.baselines();
            self.baseline = results
                .cells
                .iter()
                .map(|c| baselines.is_baseline(c))
                .collect();
            self.key = Some(key);
            self.computed += 1;
        }
        (&self.lost, &self.baseline)
    }
}

/// The lost-updates words of cell `index` of the results `notes` were got for: `None` where
/// it has none, or where `notes` are of fewer cells.
pub fn lost_words(notes: &[Option<String>], index: usize) -> Option<&str> {
    notes.get(index)?.as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{ModelKind, TaskKind};
    use crate::results::{CellResult, CellStatus};

    /// A contention file asking 1000 increments per worker: `threads × 2` whose runs lost
    /// `lost`, and a sequential cell that lost none.
    fn file(lost: &[u64]) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        let mut seq = CellResult::with_walls(ModelKind::Sequential, 1, &[1.0; 6]);
        for s in &mut seq.samples {
            s.lost_updates = Some(0);
        }
        let mut c = CellResult::with_walls(ModelKind::Threads, 2, &vec![0.5; lost.len()]);
        for (s, &l) in c.samples.iter_mut().zip(lost) {
            s.lost_updates = Some(l);
        }
        r.cells = vec![seq, c];
        r.recompute();
        r
    }

    fn fresh(r: &ResultsFile) -> Vec<Option<String>> {
        r.cells
            .iter()
            .map(|c| export::lost_updates_text(r, c))
            .collect()
    }

    #[test]
    fn the_words_are_those_of_every_front_end_and_are_worked_out_once_per_change() {
        let mut r = file(&[0, 30, 500, 20, 0, 10]);
        let mut notes = TableNotes::default();
        let words = notes.get(&r).to_vec();
        assert_eq!(words, fresh(&r));
        assert_eq!(
            lost_words(&words, 1),
            Some("lost updates in 4 of 6 runs (up to 500 in one run, 25%)")
        );
        assert_eq!(lost_words(&words, 0), Some("no lost updates (6 runs)"));
        assert_eq!(lost_words(&words, 2), None, "no such cell");
        // The baselines, read from the rule with the words, not guessed from a speedup of 1.
        assert_eq!(notes.words(&r).1, [true, false]);
        for _ in 0..10 {
            notes.get(&r);
        }
        assert_eq!(notes.computed, 1, "not every frame");
        // A running sweep's next run: worked out again, and still the same words as afresh.
        let mut next = r.cells[1].samples[0].clone();
        next.lost_updates = Some(1900);
        r.cells[1].samples.push(next);
        r.recompute();
        assert_eq!(notes.get(&r), fresh(&r).as_slice());
        assert_eq!(notes.computed, 2);
        assert_eq!(
            lost_words(notes.get(&r), 1),
            Some("lost updates in 5 of 7 runs (up to 1900 in one run, 95%)")
        );
        assert_eq!(notes.computed, 2);
        // A cell cancelled: its runs no longer count.
        r.cells[1].status = CellStatus::Cancelled;
        assert_eq!(notes.get(&r), fresh(&r).as_slice());
        assert_eq!(lost_words(notes.get(&r), 1), None);
        assert_eq!(notes.computed, 3);
        // Another file of the same shape (another start): worked out again.
        let mut other = file(&[0; 6]);
        other.started_at = "2026-11-27T17:00:00Z".into();
        assert_eq!(notes.get(&other), fresh(&other).as_slice());
        assert_eq!(
            lost_words(notes.get(&other), 1),
            Some("no lost updates (6 runs)")
        );
        assert_eq!(notes.computed, 4);
        // A task without a counter has no words.
        let mut cpu = other.clone();
        cpu.experiment.task.kind = TaskKind::Cpu;
        assert!(notes.get(&cpu).iter().all(Option::is_none));
    }

    #[test]
    fn a_change_of_lost_updates_alone_changes_the_words() {
        // Same runs, same walls, same medians and speedups: only what one run lost differs,
        // as in a file written again after a miscount was mended.
        let r = file(&[0, 30, 500, 20, 0, 10]);
        let mut notes = TableNotes::default();
        assert_eq!(
            lost_words(notes.get(&r), 1),
            Some("lost updates in 4 of 6 runs (up to 500 in one run, 25%)")
        );
        let mut mended = r.clone();
        mended.cells[1].samples[2].lost_updates = Some(40);
        mended.recompute();
        assert_eq!(
            mended.cells[1].wall, r.cells[1].wall,
            "the walls are unchanged"
        );
        assert_eq!(notes.get(&mended), fresh(&mended).as_slice());
        assert_eq!(
            lost_words(notes.get(&mended), 1),
            Some("lost updates in 4 of 6 runs (up to 40 in one run, 2.0%)")
        );
        assert_eq!(notes.computed, 2);
        // Without recomputing the file's derived counts too: the words are the runs'.
        let mut raw = r.clone();
        raw.cells[1].samples[1].lost_updates = Some(0);
        assert_eq!(notes.get(&raw), fresh(&raw).as_slice());
        assert_eq!(
            lost_words(notes.get(&raw), 1),
            Some("lost updates in 3 of 6 runs (up to 500 in one run, 25%)")
        );
        assert_eq!(notes.computed, 3);
    }
}

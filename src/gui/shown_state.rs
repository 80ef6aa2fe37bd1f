//! The shown results' state words ("complete · 7 cells", "still running · 3 of 7 cells
//! measured"), worked out when the results or their file change rather than every frame:
//! [`autosave::shown_state_words`] counts the measured cells, stats the file and, for an
//! `incomplete` one, reads `/proc`. Words that say "still running" are worked out again at
//! most every [`RECHECK_EVERY`], so that a writer that dies is noticed within it.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::autosave;
use crate::results::{ResultsFile, RunStatus};

/// How often words that say the writer is still running are worked out again.
pub const RECHECK_EVERY: Duration = Duration::from_secs(1);

struct Worked {
    path: Option<PathBuf>,
    status: RunStatus,
    cells: usize,
    words: (String, Option<String>),
    at: Instant,
}

impl Worked {
    fn still_running(&self) -> bool {
        self.status == RunStatus::Incomplete && self.words.0.starts_with("still running")
    }
}

/// The words last worked out, and for which results.
#[derive(Default)]
pub struct ShownState {
    worked: RefCell<Option<Worked>>,
    /// How many times the words were worked out (for tests).
    computed: Cell<u64>,
}

impl ShownState {
    /// The state words of `results`, read from `path`, at `now`: those last worked out where
    /// they are of the same file, status and cell count (and, where they say "still running",
    /// under [`RECHECK_EVERY`] old).
    pub fn words(
        &self,
        results: &ResultsFile,
        path: Option<&Path>,
        now: Instant,
    ) -> (String, Option<String>) {
        if let Some(w) = self.worked.borrow().as_ref()
            && w.path.as_deref() == path
            && w.status == results.status
            && w.cells == results.cells.len()
            && !(w.still_running() && now.saturating_duration_since(w.at) >= RECHECK_EVERY)
        {
            return w.words.clone();
        }
        self.computed.set(self.computed.get() + 1);
        let words = autosave::shown_state_words(results, path);
        *self.worked.borrow_mut() = Some(Worked {
            path: path.map(Path::to_path_buf),
            status: results.status,
            cells: results.cells.len(),
            words: words.clone(),
            at: now,
        });
        words
    }

    /// Forgets the words (other results are shown, or were saved).
    pub fn forget(&self) {
        self.worked.replace(None);
    }

    /// How many times the words were worked out.
    pub fn computed(&self) -> u64 {
        self.computed.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asked every frame, the words are worked out once; a writer that dies is noticed at the
    /// next check, not before.
    #[test]
    fn the_words_are_kept_and_a_dead_writer_is_noticed_within_the_recheck() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let results = ResultsFile {
            status: RunStatus::Incomplete,
            writer: Some(crate::sys::process_identity::ProcessIdentity::here(
                pid,
                crate::sys::procfs::start_ticks_of(pid),
            )),
            ..ResultsFile::default()
        };
        let shown = ShownState::default();
        let t0 = Instant::now();
        for frame in 0..10 {
            let (words, _) = shown.words(&results, None, t0 + Duration::from_millis(frame * 16));
            assert!(words.starts_with("still running"), "{words}");
        }
        assert_eq!(shown.computed(), 1, "not worked out every frame");

        child.kill().unwrap();
        child.wait().unwrap();
        let (kept, _) = shown.words(&results, None, t0 + Duration::from_millis(500));
        assert!(kept.starts_with("still running"), "{kept}");
        assert_eq!(shown.computed(), 1);
        let (after, _) = shown.words(&results, None, t0 + RECHECK_EVERY);
        assert!(!after.contains("still running"), "{after}");
        assert!(after.starts_with("interrupted"), "{after}");
        assert_eq!(shown.computed(), 2);

        // Not running: kept however old, until forgotten or the results change.
        shown.words(&results, None, t0 + RECHECK_EVERY * 100);
        assert_eq!(shown.computed(), 2);
        shown.forget();
        shown.words(&results, None, t0 + RECHECK_EVERY * 100);
        assert_eq!(shown.computed(), 3);
    }
}

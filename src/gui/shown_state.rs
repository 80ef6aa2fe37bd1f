//! The shown results' state words ("complete · 7 cells", "still running · 3 of 7 cells
//! measured"), worked out when the results or their file change rather than every frame:
//! [`autosave::shown_state_words`] counts the measured cells, stats the file and, for an
//! `incomplete` one, reads `/proc`. Words said of a writer that was running
//! ([`ShownStateWords::writer_running`], whatever the words) are worked out again at most every
//! [`RECHECK_EVERY`], so that a writer that dies is noticed within it.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::autosave::{self, ShownStateWords};
use crate::results::{ResultsFile, RunStatus};

/// How often words that say the writer is still running are worked out again.
pub const RECHECK_EVERY: Duration = Duration::from_secs(1);

struct Worked {
    path: Option<PathBuf>,
    status: RunStatus,
    cells: usize,
    shown: ShownStateWords,
    at: Instant,
}

/// The words last worked out, and for which results.
#[derive(Default)]
pub struct ShownState {
    worked: RefCell<Option<Worked>>,
    /// How many times the words were worked out (for tests).
    computed: Cell<u64>,
}

impl ShownState {
    /// The state words of `results`, read from `path`, at `now`, and why they cannot say more
    /// ([`autosave::shown_state_words`]): those last worked out where they are of the same
    /// file, status and cell count (and, where they were said of a running writer, under
    /// [`RECHECK_EVERY`] old).
    pub fn words(
        &self,
        results: &ResultsFile,
        path: Option<&Path>,
        now: Instant,
    ) -> (String, Option<String>) {
        let shown = self.worked_out(results, path, now, autosave::shown_state_words);
        (shown.words, shown.why)
    }

    /// [`ShownState::words`], worked out by `work_out` where they are not kept.
    fn worked_out(
        &self,
        results: &ResultsFile,
        path: Option<&Path>,
        now: Instant,
        work_out: impl FnOnce(&ResultsFile, Option<&Path>) -> ShownStateWords,
    ) -> ShownStateWords {
        if let Some(w) = self.worked.borrow().as_ref()
            && w.path.as_deref() == path
            && w.status == results.status
            && w.cells == results.cells.len()
            && !(w.shown.writer_running && now.saturating_duration_since(w.at) >= RECHECK_EVERY)
        {
            return w.shown.clone();
        }
        self.computed.set(self.computed.get() + 1);
        let shown = work_out(results, path);
        *self.worked.borrow_mut() = Some(Worked {
            path: path.map(Path::to_path_buf),
            status: results.status,
            cells: results.cells.len(),
            shown: shown.clone(),
            at: now,
        });
        shown
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

    /// Whether the words are worked out again follows what was found of the writer, not how
    /// the words put it: words reworded (or saying "still running" of a writer that is not)
    /// change nothing.
    #[test]
    fn the_recheck_follows_the_writer_found_running_not_the_words() {
        let results = ResultsFile {
            status: RunStatus::Incomplete,
            ..ResultsFile::default()
        };
        let said = |words: &str, writer_running: bool| ShownStateWords {
            words: words.to_string(),
            why: None,
            writer_running,
        };
        let t0 = Instant::now();
        let later = t0 + RECHECK_EVERY;
        for (words, writer_running) in [
            ("still running · 1 of 3 cells measured", true),
            ("its writer is alive and well", true),
            ("still running · 1 of 3 cells measured", false),
            ("interrupted · 1 of 3 cells measured", false),
        ] {
            let shown = ShownState::default();
            let first = shown.worked_out(&results, None, t0, |_, _| said(words, writer_running));
            assert_eq!(first.words, words);
            assert_eq!(first.writer_running, writer_running);
            // Within the recheck: kept either way.
            shown.worked_out(&results, None, t0 + RECHECK_EVERY / 2, |_, _| {
                panic!("worked out again within the recheck: {words:?}")
            });
            let mut again = false;
            let kept = shown.worked_out(&results, None, later, |_, _| {
                again = true;
                said("interrupted · 1 of 3 cells measured", false)
            });
            assert_eq!(again, writer_running, "{words:?}, {writer_running}");
            assert_eq!(shown.computed(), 1 + u64::from(writer_running));
            if !writer_running {
                assert_eq!(kept.words, words);
            }
        }
    }

    /// What the words are worked out from says whether the writer was found running.
    #[test]
    fn the_words_say_whether_the_writer_was_found_running() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut results = ResultsFile {
            status: RunStatus::Incomplete,
            writer: Some(crate::sys::process_identity::ProcessIdentity::here(
                pid,
                crate::sys::procfs::start_ticks_of(pid),
            )),
            ..ResultsFile::default()
        };
        let running = autosave::shown_state_words(&results, None);
        child.kill().unwrap();
        child.wait().unwrap();
        let gone = autosave::shown_state_words(&results, None);
        results.status = RunStatus::Complete;
        let complete = autosave::shown_state_words(&results, None);
        assert!(running.writer_running, "{running:?}");
        assert!(!gone.writer_running, "{gone:?}");
        assert!(!complete.writer_running, "{complete:?}");
    }
}

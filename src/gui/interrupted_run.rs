//! A sweep of an earlier session that never ended, and how it came to be left: said at start
//! (with a button that opens its autosaved cells) until dismissed or other results are shown.

use super::autosave::RecentEntry;

/// An earlier session's sweep that did not end.
#[derive(Clone, Debug, PartialEq)]
pub enum InterruptedRun {
    /// The last session's window closed mid-sweep: its saved state named the file.
    Closed(RecentEntry),
    /// A killed or crashed workbench left the file, still `incomplete` with its process gone
    /// (no state was saved to say so), or left by a workbench whose machine restarted since
    /// ([`RecentEntry::restarted_since`]); `last_written` is when, "2026-11-27 10:49:28 UTC".
    Killed {
        entry: RecentEntry,
        last_written: String,
    },
}

impl InterruptedRun {
    /// The autosaved file and its label.
    pub fn entry(&self) -> &RecentEntry {
        match self {
            InterruptedRun::Closed(entry) | InterruptedRun::Killed { entry, .. } => entry,
        }
    }

    /// What the note says, after "Interrupted run:".
    pub fn words(&self) -> String {
        match self {
            InterruptedRun::Closed(entry) => format!(
                "the last sweep was still running when the workbench closed; what it measured was saved ({}).",
                entry.label
            ),
            InterruptedRun::Killed {
                entry,
                last_written,
            } if entry.restarted_since => format!(
                "a sweep was still running when its workbench stopped (the machine restarted since); what it measured was saved, last at {last_written} ({}).",
                entry.label
            ),
            InterruptedRun::Killed {
                entry,
                last_written,
            } => format!(
                "a sweep was still running when its workbench was killed or crashed; what it measured was saved, last at {last_written} ({}).",
                entry.label
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> RecentEntry {
        RecentEntry {
            path: "/data/results/a.json".into(),
            label: "2026-11-27 10:40:00 UTC · CPU · cancelled · 1 of 2 cells measured".into(),
            hover: String::new(),
            abandoned: false,
            running_writer: None,
            restarted_since: false,
        }
    }

    #[test]
    fn the_note_says_how_the_sweep_was_left() {
        let closed = InterruptedRun::Closed(entry());
        assert_eq!(
            closed.words(),
            "the last sweep was still running when the workbench closed; what it measured was \
             saved (2026-11-27 10:40:00 UTC · CPU · cancelled · 1 of 2 cells measured)."
        );
        let killed = InterruptedRun::Killed {
            entry: entry(),
            last_written: "2026-11-27 10:49:28 UTC".into(),
        };
        assert!(
            killed.words().starts_with(
                "a sweep was still running when its workbench was killed or crashed; what it \
                 measured was saved, last at 2026-11-27 10:49:28 UTC ("
            ),
            "{}",
            killed.words()
        );
        assert_eq!(killed.entry(), closed.entry());
        // Its writer's boot is over: not called killed or crashed.
        let restarted = InterruptedRun::Killed {
            entry: RecentEntry {
                abandoned: true,
                restarted_since: true,
                ..entry()
            },
            last_written: "2026-11-27 10:49:28 UTC".into(),
        };
        assert!(
            restarted.words().starts_with(
                "a sweep was still running when its workbench stopped (the machine restarted \
                 since); what it measured was saved, last at 2026-11-27 10:49:28 UTC ("
            ),
            "{}",
            restarted.words()
        );
        assert!(!restarted.words().contains("killed or crashed"));
    }
}

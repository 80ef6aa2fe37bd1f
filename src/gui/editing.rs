//! Editing without fear: where the configuration came from, whether it was changed since,
//! and undo/redo of the changes.

use std::path::PathBuf;

use eframe::egui::util::undoer::{Settings, Undoer};
use serde::{Deserialize, Serialize};

use crate::preset::Experiment;

/// Where the configuration being edited came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Source {
    /// A built-in preset, by its id (not its name: a saved file may share the name).
    Builtin(String),
    /// A preset file, opened or saved.
    File(PathBuf),
    /// The experiment of a results file ("Use this configuration").
    Results(PathBuf),
}

use super::file_browser::legible;

impl Source {
    /// How the source reads in the panel, e.g. `built-in preset cpu-threads`.
    pub fn describe(&self) -> String {
        match self {
            Source::Builtin(id) => format!("built-in preset {id}"),
            Source::File(p) => format!("preset file {}", legible(p.as_os_str())),
            Source::Results(p) => format!("results file {}", legible(p.as_os_str())),
        }
    }

    /// Whether the saved workbench state (JSON) can hold it: a path that is not UTF-8 cannot
    /// be written as a JSON string.
    pub fn is_storable(&self) -> bool {
        match self {
            Source::Builtin(_) => true,
            Source::File(p) | Source::Results(p) => p.to_str().is_some(),
        }
    }
}

/// The source of the configuration and the experiment as it was there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    pub source: Source,
    pub experiment: Experiment,
}

/// An experiment that would replace edits not saved anywhere, waiting for the user's answer.
#[derive(Clone, Debug)]
pub struct PendingReplace {
    pub experiment: Experiment,
    pub origin: Origin,
    /// Whether it comes from a file (its interpreter then needs confirming).
    pub from_file: Option<PathBuf>,
    /// What loaded it, for the info message once applied (e.g. `Loaded built-in preset x`).
    pub message: String,
}

/// The undo history of the configuration.
pub struct History {
    undoer: Undoer<Experiment>,
}

impl Default for History {
    fn default() -> Self {
        History {
            // An undo point once an edit has been still for half a second (a word typed, a
            // value dragged), so that undo steps back over a whole edit, not a keystroke.
            undoer: Undoer::with_settings(Settings {
                max_undos: 100,
                stable_time: 0.5,
                auto_save_interval: 10.0,
            }),
        }
    }
}

impl History {
    /// Called every frame with the current configuration.
    pub fn feed(&mut self, time: f64, current: &Experiment) {
        self.undoer.feed_state(time, current);
    }

    /// Records `before` and `after` as separate undo points (a whole-configuration change:
    /// a preset loaded, a reset, a worker button), so that one undo goes back to `before`.
    pub fn record_replace(&mut self, before: &Experiment, after: &Experiment) {
        self.undoer.add_undo(before);
        self.undoer.add_undo(after);
    }

    pub fn can_undo(&self, current: &Experiment) -> bool {
        self.undoer.has_undo(current)
    }

    pub fn can_redo(&self, current: &Experiment) -> bool {
        self.undoer.has_redo(current)
    }

    /// The configuration before the last edit, if any.
    pub fn undo(&mut self, current: &Experiment) -> Option<Experiment> {
        self.undoer.undo(current).cloned()
    }

    /// The configuration the last undo went back from, if any.
    pub fn redo(&mut self, current: &Experiment) -> Option<Experiment> {
        self.undoer.redo(current).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Experiment {
        Experiment {
            name: name.into(),
            ..Experiment::default()
        }
    }

    #[test]
    fn undo_goes_back_over_an_edit_in_flux_and_redo_returns() {
        let mut h = History::default();
        let a = named("a");
        let b = named("b");
        h.feed(0.0, &a);
        assert!(!h.can_undo(&a));
        // An edit still in flux (not yet stable) is undone all the same.
        h.feed(0.1, &b);
        assert!(h.can_undo(&b));
        assert_eq!(h.undo(&b), Some(a.clone()));
        assert!(h.can_redo(&a));
        assert_eq!(h.redo(&a), Some(b.clone()));
    }

    #[test]
    fn a_replacement_is_one_undo_step() {
        let mut h = History::default();
        let a = named("a");
        let b = named("b");
        h.feed(0.0, &a);
        h.record_replace(&a, &b);
        h.feed(5.0, &b);
        assert_eq!(h.undo(&b), Some(a));
    }
}

//! What the workbench keeps between sessions (through eframe's storage).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::app::Tab;
use super::editing::Origin;
use crate::preset::Experiment;

/// Key under which the app keeps its state in eframe's storage.
pub const STORAGE_KEY: &str = "corelab.workbench";

/// The persistent state. Every field has a default (`#[serde(default)]` on the struct), so a
/// state saved by an older version, without the fields added since, still loads.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub experiment: Experiment,
    pub tab: Tab,
    /// Interpreters from opened files that the user allowed to run.
    pub confirmed_interpreters: BTreeSet<String>,
    /// The experiment's interpreter, when it came from an opened file and was not confirmed.
    pub unconfirmed_interpreter: Option<String>,
    /// The preset the configuration came from, for the "modified" marker and "Reset".
    pub origin: Option<Origin>,
    /// The first-start hint ("when the curves appear …") was dismissed: it never comes back.
    /// Absent from states saved before the hint existed (then `false`).
    #[serde(default)]
    pub start_hint_dismissed: bool,
    /// The configuration panel was hidden (the top bar's toggle, Ctrl+B) to give the charts
    /// the window: a small screen or a projector. Absent from older states (then shown).
    pub config_panel_hidden: bool,
    /// "What this experiment shows" was collapsed by the user. Absent from older states
    /// (then open).
    pub description_collapsed: bool,
    /// The results file of the sweep that was running when the state was saved: set while a
    /// sweep runs, so that a workbench closed (or killed) mid-sweep tells the next start where
    /// the cells it measured are. Absent from older states (then none).
    pub running_results: Option<std::path::PathBuf>,
    /// Files a killed or crashed workbench left (`incomplete`, their process gone) that a start
    /// has offered already, newest last: each is offered once. Absent from older states.
    pub offered_abandoned: Vec<std::path::PathBuf>,
    /// Light, dark or the system's theme, as last picked. Absent from older states (then
    /// the system's). Written as `"System"`, `"Light"` or `"Dark"`, as before it was egui's
    /// type ([`super::theme_choice`]).
    pub theme: eframe::egui::ThemePreference,
}

impl Persisted {
    /// Reads a saved state; `None` when it is not one.
    pub fn from_json(text: &str) -> Option<Persisted> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_without_the_newer_fields_still_loads() {
        let old = Persisted {
            tab: Tab::Table,
            ..Persisted::default()
        };
        let mut value = serde_json::to_value(&old).expect("serialises");
        let map = value.as_object_mut().expect("an object");
        map.remove("origin");
        map.remove("confirmed_interpreters");
        let loaded = Persisted::from_json(&value.to_string()).expect("still loads");
        assert_eq!(loaded.tab, Tab::Table);
        assert!(loaded.origin.is_none());
    }

    #[test]
    fn a_state_from_before_the_start_hint_loads_with_the_hint_not_dismissed() {
        let mut value = serde_json::to_value(Persisted::default()).expect("serialises");
        let map = value.as_object_mut().expect("an object");
        assert!(map.remove("start_hint_dismissed").is_some());
        map.insert("tab".into(), serde_json::json!("Fits"));
        let loaded = Persisted::from_json(&value.to_string()).expect("still loads");
        assert!(!loaded.start_hint_dismissed);
        assert_eq!(loaded.tab, Tab::Fits);

        let dismissed = Persisted {
            start_hint_dismissed: true,
            ..Persisted::default()
        };
        let text = serde_json::to_string(&dismissed).expect("serialises");
        let back = Persisted::from_json(&text).expect("loads");
        assert!(back.start_hint_dismissed);
    }

    #[test]
    fn the_theme_loads_and_saves_as_the_workbench_wrote_it_before_it_was_egui_s_type() {
        use eframe::egui::ThemePreference;
        // As a state saved with the workbench's own copy of the type (`ThemeChoice`, unit
        // variants by name) has it.
        for (written, theme) in [
            ("System", ThemePreference::System),
            ("Light", ThemePreference::Light),
            ("Dark", ThemePreference::Dark),
        ] {
            let mut value = serde_json::to_value(Persisted::default()).expect("serialises");
            let map = value.as_object_mut().expect("an object");
            map.insert("theme".into(), serde_json::json!(written));
            let loaded = Persisted::from_json(&value.to_string()).expect("still loads");
            assert_eq!(loaded.theme, theme, "{written}");
            // And written the same way, for an older workbench to read.
            let saved = serde_json::to_value(&loaded).expect("serialises");
            assert_eq!(saved["theme"], serde_json::json!(written));
        }
        // Absent (a state from before the theme button): the system's.
        let mut value = serde_json::to_value(Persisted::default()).expect("serialises");
        let map = value.as_object_mut().expect("an object");
        assert!(map.remove("theme").is_some());
        let old = Persisted::from_json(&value.to_string()).expect("still loads");
        assert_eq!(old.theme, ThemePreference::System);
    }

    #[test]
    fn the_panel_and_the_description_are_shown_unless_a_state_says_the_user_hid_them() {
        let mut value = serde_json::to_value(Persisted::default()).expect("serialises");
        let map = value.as_object_mut().expect("an object");
        assert!(map.remove("config_panel_hidden").is_some());
        assert!(map.remove("description_collapsed").is_some());
        let old = Persisted::from_json(&value.to_string()).expect("still loads");
        assert!(!old.config_panel_hidden && !old.description_collapsed);

        let hidden = Persisted {
            config_panel_hidden: true,
            description_collapsed: true,
            ..Persisted::default()
        };
        let text = serde_json::to_string(&hidden).expect("serialises");
        let back = Persisted::from_json(&text).expect("loads");
        assert!(back.config_panel_hidden && back.description_collapsed);
    }
}

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
}

//! [`AppSettings`]: the environment-dependent choices fixed when the workbench is created.

use std::path::PathBuf;

/// Environment-dependent choices, fixed when the app is created.
#[derive(Clone, Debug)]
pub struct AppSettings {
    /// Where autosaved results go (see [`autosave::data_dir`](crate::gui::autosave::data_dir)).
    pub data_dir: PathBuf,
    /// Try native file dialogs (else the typed-path prompt is used directly).
    pub native_dialogs: bool,
    /// Sample per-core CPU usage for the status bar.
    pub cpu_meter: bool,
    /// Restore (and save) the last configuration through eframe's storage.
    pub restore_state: bool,
}

impl AppSettings {
    /// Settings for tests and embedding: no native dialogs, no CPU sampler, no persistence.
    pub fn headless(data_dir: impl Into<PathBuf>) -> Self {
        AppSettings {
            data_dir: data_dir.into(),
            native_dialogs: false,
            cpu_meter: false,
            restore_state: false,
        }
    }
}

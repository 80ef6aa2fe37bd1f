//! What a CPython interpreter said about itself, recorded in the results file (the engine
//! probes it; the results only keep it, so they need not know the engine).

use serde::{Deserialize, Serialize};

use crate::preset::ModelKind;

/// What the interpreter said about itself; recorded in the results file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PythonInfo {
    pub interpreter: String,
    pub version: String,
    pub implementation: String,
    pub gil_enabled: bool,
}

impl PythonInfo {
    /// Why `model` cannot run on this interpreter, if it cannot.
    pub fn refuses(&self, model: ModelKind) -> Option<String> {
        (model == ModelKind::PyFreeThreading && self.gil_enabled).then(|| {
            format!(
                "py-free-threading needs a free-threaded CPython (3.13t or later); {} {} has the GIL enabled",
                self.interpreter, self.version
            )
        })
    }
}

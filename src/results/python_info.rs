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
    /// The version of `distributed` (Dask's scheduler) the interpreter can import, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dask: Option<String>,
    /// The version of `mpi4py` the interpreter can import, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mpi4py: Option<String>,
    /// The MPI launcher found (a path), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mpiexec: Option<String>,
}

/// How to get `dask.distributed` into an interpreter.
pub const DASK_INSTALL: &str =
    "python3 -m venv --system-site-packages .venv && .venv/bin/pip install \"dask[distributed]\"";
/// How to get Open MPI and mpi4py (Debian, Ubuntu).
pub const MPI_INSTALL: &str = "apt-get install openmpi-bin python3-mpi4py";

impl PythonInfo {
    /// Why `model` cannot run on this interpreter, if it cannot.
    pub fn refuses(&self, model: ModelKind) -> Option<String> {
        match model {
            ModelKind::PyFreeThreading if self.gil_enabled => Some(format!(
                "py-free-threading needs a free-threaded CPython (3.13t or later); {} {} has the GIL enabled",
                self.interpreter, self.version
            )),
            ModelKind::PyDask if self.dask.is_none() => Some(format!(
                "py-dask needs dask.distributed, which `{}` (Python {}) cannot import; install it with `{DASK_INSTALL}` and set python.interpreter to .venv/bin/python",
                self.interpreter, self.version
            )),
            ModelKind::PyMpi if self.mpi4py.is_none() => Some(format!(
                "py-mpi needs mpi4py, which `{}` (Python {}) cannot import; install it with `{MPI_INSTALL}` (Debian's /usr/bin/python3 sees it; a venv needs --system-site-packages)",
                self.interpreter, self.version
            )),
            ModelKind::PyMpi if self.mpiexec.is_none() => Some(format!(
                "py-mpi needs an MPI launcher (mpiexec), and none was found on PATH; install one with `{MPI_INSTALL}` or set mpi.launcher"
            )),
            _ => None,
        }
    }

    /// The cluster engines (`py-dask`, `py-mpi`) and, for each, `Ok` with what was found or
    /// `Err` with the reason it is unavailable and the install command.
    pub fn cluster_engines(&self) -> Vec<(ModelKind, Result<String, String>)> {
        let dask = match self.refuses(ModelKind::PyDask) {
            Some(reason) => Err(reason),
            None => Ok(format!(
                "distributed {}",
                self.dask.as_deref().unwrap_or("?")
            )),
        };
        let mpi = match self.refuses(ModelKind::PyMpi) {
            Some(reason) => Err(reason),
            None => Ok(format!(
                "mpi4py {} with {}",
                self.mpi4py.as_deref().unwrap_or("?"),
                self.mpiexec.as_deref().unwrap_or("mpiexec")
            )),
        };
        vec![(ModelKind::PyDask, dask), (ModelKind::PyMpi, mpi)]
    }
}

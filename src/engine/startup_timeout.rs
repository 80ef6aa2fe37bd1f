//! What a cell says when its executor did not start in time: the start-up has limits of its
//! own (an interpreter and its pool, a Dask cluster, an MPI job, worker processes saying
//! `ready`), which the preset's `timeout_s` does not set, and nothing was measured. Worded
//! apart from a run that ran past `timeout_s`, so that nobody raises the wrong limit.

use std::time::Duration;

use crate::preset::ModelKind;

use super::model::{HANDSHAKE_TIMEOUT, python::START_TIMEOUT};

/// How long starting `model`'s executor may take, where a limit applies.
pub fn startup_limit(model: ModelKind) -> Option<Duration> {
    match model {
        m if m.is_python() => Some(START_TIMEOUT),
        ModelKind::Processes => Some(HANDSHAKE_TIMEOUT),
        _ => None,
    }
}

/// What starting `model` with `workers` workers is, in words.
fn starting_what(model: ModelKind, workers: usize) -> String {
    match model {
        ModelKind::PyDask => "starting the Dask cluster".into(),
        ModelKind::PyMpi => "starting the MPI job".into(),
        ModelKind::PyMultiprocessing => "starting Python and its process pool".into(),
        m if m.is_python() => "starting the Python interpreter".into(),
        ModelKind::Processes => format!(
            "starting the {} worker process{}",
            workers,
            if workers == 1 { "" } else { "es" }
        ),
        m => format!("starting the {m} executor"),
    }
}

/// The failure of a cell whose executor's start-up timed out: "starting the Dask cluster
/// took longer than 60 s; nothing was measured …".
pub fn startup_timed_out(model: ModelKind, workers: usize) -> String {
    let what = starting_what(model, workers);
    match startup_limit(model) {
        Some(limit) => format!(
            "{what} took longer than {} s; nothing was measured (a limit of its own: the \
             preset's timeout_s does not change it; a busy or small machine starts slowly)",
            limit.as_secs()
        ),
        None => format!("{what} timed out; nothing was measured"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_up_timeout_names_what_was_starting_and_its_own_limit() {
        let dask = startup_timed_out(ModelKind::PyDask, 2);
        assert!(
            dask.starts_with(
                "starting the Dask cluster took longer than 60 s; nothing was measured"
            ),
            "{dask}"
        );
        assert!(!dask.contains("a run took"), "{dask}");
        assert_eq!(
            startup_timed_out(ModelKind::Processes, 1),
            "starting the 1 worker process took longer than 30 s; nothing was measured (a \
             limit of its own: the preset's timeout_s does not change it; a busy or small \
             machine starts slowly)"
        );
        assert_eq!(
            startup_timed_out(ModelKind::Tokio, 4),
            "starting the tokio executor timed out; nothing was measured"
        );
    }
}

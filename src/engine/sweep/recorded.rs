//! What the results file records of the sweep's experiment and provenance: the experiment as
//! run (its worker rule kept only while it still holds), and the function's source as checked.

use super::config::SweepConfig;
use crate::engine::module_source::is_module_of;
use crate::preset::Experiment;

/// The provenance a sweep records: the config's, and for a Python function task the
/// function's source and the note on its binding, from the module as the caller's pre-check
/// read it ([`SweepConfig::module`]) when that is this experiment's module; otherwise from one
/// reading made now (the module's path is absolute by now). Either way one reading gives both,
/// and nothing here reads the module again. What the run's CPython processes import is their
/// own later read of the file (see [`crate::engine::module_source`]).
pub fn recorded_provenance(exp: &Experiment, config: &SweepConfig) -> crate::results::Provenance {
    let mut provenance = config.provenance.clone();
    if exp.task.kind == crate::preset::TaskKind::Function {
        let function = &exp.task.function;
        match &config.module {
            Some(module) if is_module_of(module, exp) => {
                (provenance.function_source, provenance.function_note) =
                    module.recorded(&function.name);
            }
            _ => {
                if let Some(path) = function.resolved_file(None) {
                    (provenance.function_source, provenance.function_note) =
                        crate::engine::module_source::recorded_function(&path, &function.name);
                }
            }
        }
    }
    provenance
}

/// The experiment as the results record it: a worker rule is kept only while the list still
/// follows it on this machine (an edited list, e.g. `--workers`, drops it).
pub(super) fn recorded_experiment(exp: &Experiment) -> Experiment {
    let mut recorded = exp.clone();
    if let Some(rule) = &exp.worker_rule
        && rule.resolve(crate::preset::available_cores()) != exp.workers
    {
        recorded.worker_rule = None;
    }
    recorded
}

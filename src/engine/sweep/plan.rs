//! [`sweep_plan`]: the cells a sweep runs, in order.

use crate::preset::{Baseline, Experiment, ModelKind};

/// The cells a sweep will run, in order: the sequential baseline first, then every worker
/// count in the listed order with every model. Sequential runs once, at one worker.
pub fn sweep_plan(exp: &Experiment) -> Vec<(ModelKind, usize)> {
    let mut plan = Vec::new();
    let wants_sequential =
        exp.models.contains(&ModelKind::Sequential) || exp.baseline == Baseline::Sequential;
    if wants_sequential {
        plan.push((ModelKind::Sequential, 1));
    }
    let mut workers = exp.workers.clone();
    if exp.baseline == Baseline::SameModelOneWorker && !workers.contains(&1) {
        workers.insert(0, 1);
    }
    for &w in &workers {
        for &m in &exp.models {
            if !m.is_single_worker() {
                plan.push((m, w));
            }
        }
    }
    plan
}

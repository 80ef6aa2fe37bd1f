//! How a lesson is judged from its sweep: the speedups read off the results, and a failure that
//! other programs may explain marked busy or inconclusive.

use super::{Lesson, Verdict};
use crate::preset::ModelKind;
use crate::results::ResultsFile;

pub(super) fn speedup(r: &ResultsFile, model: ModelKind, workers: usize) -> f64 {
    r.cell(model, workers)
        .and_then(|c| c.speedup)
        .unwrap_or(f64::NAN)
}

pub(super) fn lesson(name: &str, expected: String) -> Lesson {
    Lesson {
        name: name.into(),
        figure: String::new(),
        expected,
        verdict: Verdict::Fail,
        busy: None,
        defect: false,
    }
}

/// Pass when `shown`, else fail.
pub(super) fn pass_if(shown: bool) -> Verdict {
    if shown { Verdict::Pass } else { Verdict::Fail }
}

/// Fills in a measured lesson, or fails it with the sweep's error. A failure that other
/// programs may explain is marked: with the sweep's busy warning when they competed for the
/// cores, and inconclusive when some runs were too short to tell whether they did.
pub(super) fn judge(
    mut l: Lesson,
    sweep: Result<ResultsFile, String>,
    measure: impl FnOnce(&ResultsFile) -> (String, Verdict),
) -> Lesson {
    match sweep {
        Ok(r) => {
            let (figure, verdict) = measure(&r);
            l.figure = figure;
            l.busy = r.machine.busy_warning();
            l.verdict = unless_unjudged(verdict, &l.busy, &r);
        }
        Err(e) => l.figure = format!("the sweep failed: {e}"),
    }
    l
}

/// A failure measured on runs whose load could not be judged (too few clock ticks, even pooled
/// over their cell) and not known busy: inconclusive, since a busy machine would explain it.
pub(super) fn unless_unjudged(verdict: Verdict, busy: &Option<String>, r: &ResultsFile) -> Verdict {
    let unjudged = r
        .machine
        .load_during_runs
        .as_ref()
        .map_or(0, |load| load.unjudged_runs);
    match verdict {
        Verdict::Fail if busy.is_none() && unjudged > 0 => Verdict::Inconclusive(format!(
            "{unjudged} of the runs were too short to tell whether other programs competed for the cores"
        )),
        v => v,
    }
}

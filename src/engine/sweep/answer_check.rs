//! Every model must compute the same answer: [`check_answer`] fails a cell whose runs disagree,
//! or that disagrees with the first cell checked.

use crate::preset::{Experiment, TaskKind};
use crate::results::{CellResult, CellStatus, Sample, differing_task_note};

/// Every model must compute the same answer; a cell that does not is a failure, not a data
/// point. (Contention is exempt: its checksum is the counter, which lost updates change.)
/// `reference` is the first sample of the first cell checked; for a function task the error
/// names the first task whose answer differs.
pub(super) fn check_answer(
    exp: &Experiment,
    cell: &mut CellResult,
    reference: &mut Option<Sample>,
) {
    if exp.task.kind == TaskKind::Contention || cell.status != CellStatus::Ok {
        return;
    }
    let Some(first) = cell.samples.first().cloned() else {
        return;
    };
    if let Some(bad) = cell.samples.iter().find(|s| s.checksum != first.checksum) {
        cell.status = CellStatus::Failed;
        cell.error = Some(format!(
            "runs disagree on the answer: checksum {:#x} then {:#x}{}",
            first.checksum,
            bad.checksum,
            differing_task_note(exp, &first, bad)
        ));
        return;
    }
    match reference {
        None => *reference = Some(first),
        Some(expected) if expected.checksum != first.checksum => {
            cell.status = CellStatus::Failed;
            cell.error = Some(format!(
                "wrong answer: checksum {:#x}, the first cell computed {:#x}{}",
                first.checksum,
                expected.checksum,
                differing_task_note(exp, &first, expected)
            ));
        }
        Some(_) => {}
    }
}

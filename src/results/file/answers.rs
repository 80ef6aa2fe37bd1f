//! Whether every cell computed the same answer: a cell whose runs disagree, or that differs
//! from the baseline, is failed with the reason, naming the first task that differs where
//! the runs recorded each task's answer.

use super::cell::{CellResult, CellStatus};
use super::document::ResultsFile;
use super::sample::Sample;
use crate::preset::{self, Experiment, ModelKind};

impl ResultsFile {
    /// Every model computes the same answer, so a cell whose runs disagree on the checksum,
    /// or whose checksum differs from the baseline's, is failed with the reason, as the sweep
    /// does while measuring: a file opened later says the same in the report and the
    /// workbench. The reference is the first sequential cell whose runs agree (else the first
    /// such cell of any model). Lock contention is exempt: its checksum is the counter, which
    /// lost updates change.
    pub fn check_answers(&mut self) {
        if self.experiment.task.kind == preset::TaskKind::Contention {
            return;
        }
        let exp = &self.experiment;
        for cell in self.cells.iter_mut().filter(|c| c.status == CellStatus::Ok) {
            let Some(first) = cell.samples.first() else {
                continue;
            };
            if let Some(bad) = cell.samples.iter().find(|s| s.checksum != first.checksum) {
                let note = differing_task_note(exp, first, bad);
                cell.error = Some(format!(
                    "runs disagree on the answer: checksum {:#x} then {:#x}{note}",
                    first.checksum, bad.checksum
                ));
                cell.status = CellStatus::Failed;
            }
        }
        let usable = |c: &&CellResult| c.status == CellStatus::Ok && !c.samples.is_empty();
        let reference = self
            .cells
            .iter()
            .filter(usable)
            .find(|c| c.model == Some(ModelKind::Sequential))
            .or_else(|| self.cells.iter().find(usable))
            .and_then(|c| Some((c.samples.first()?.clone(), c.model_id(), c.workers)));
        let Some((expected, model, workers)) = reference else {
            return;
        };
        let exp = &self.experiment;
        for cell in self.cells.iter_mut().filter(|c| c.status == CellStatus::Ok) {
            if let Some(got) = cell.samples.first()
                && got.checksum != expected.checksum
            {
                let note = differing_task_note(exp, got, &expected);
                cell.error = Some(format!(
                    "wrong answer: checksum {:#x}, the baseline ({model} × {workers}) computed {:#x}{note}",
                    got.checksum, expected.checksum
                ));
                cell.status = CellStatus::Failed;
            }
        }
    }
}

/// The index of the first task whose answer differs between two runs, when both recorded
/// per-task checksums of the same length (function tasks run by a Python model).
pub fn first_differing_task(a: &Sample, b: &Sample) -> Option<usize> {
    let (x, y) = (a.task_checksums.as_ref()?, b.task_checksums.as_ref()?);
    if x.len() != y.len() {
        return None;
    }
    x.iter().zip(y).position(|(p, q)| p != q)
}

/// `"; the first task that differs is task 3, work(40)"` for runs of a function task whose
/// per-task answers are known, else an empty string.
pub fn differing_task_note(exp: &Experiment, a: &Sample, b: &Sample) -> String {
    let Some(i) = first_differing_task(a, b) else {
        return String::new();
    };
    let f = &exp.task.function;
    let arg = match f.args.get(i) {
        Some(v) => {
            let text = v.to_string();
            match text.chars().count() > 60 {
                true => format!("{}…", text.chars().take(60).collect::<String>()),
                false => text,
            }
        }
        None => i.to_string(),
    };
    format!(
        "; the first task that differs is task {i}, {}({arg})",
        f.name
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_cells::{cell, results};
    use super::*;
    use crate::preset::TaskKind;

    #[test]
    fn the_first_differing_task_is_named_with_its_argument() {
        let mut exp = Experiment::default();
        exp.task.function.name = "work".into();
        exp.task.function.args = vec![
            serde_json::json!(10),
            serde_json::json!("x"),
            serde_json::json!([1, 2]),
        ];
        let run = |t: Vec<u64>| Sample {
            task_checksums: Some(t),
            ..Sample::default()
        };
        let (a, b) = (run(vec![1, 2, 3]), run(vec![1, 2, 4]));
        assert_eq!(first_differing_task(&a, &b), Some(2));
        assert_eq!(
            differing_task_note(&exp, &a, &b),
            "; the first task that differs is task 2, work([1,2])"
        );
        // Unknown or incomparable per-task answers: no claim.
        assert_eq!(first_differing_task(&a, &run(vec![1, 2])), None);
        assert_eq!(first_differing_task(&a, &Sample::default()), None);
        assert_eq!(differing_task_note(&exp, &a, &a), "");
        // A `range` task: the argument is the index.
        exp.task.function.args.clear();
        exp.task.function.range = Some(3);
        assert_eq!(
            differing_task_note(&exp, &run(vec![0, 9, 9]), &run(vec![0, 8, 9])),
            "; the first task that differs is task 1, work(1)"
        );
    }

    #[test]
    fn opening_re_checks_the_answers() {
        let mut seq = cell(ModelKind::Sequential, 1, 2.0, 2.0);
        let mut split = cell(ModelKind::Threads, 2, 1.0, 2.0);
        let mut wrong = cell(ModelKind::Processes, 2, 1.0, 2.0);
        let good = cell(ModelKind::Rayon, 2, 1.0, 2.0);
        for s in seq.samples.iter_mut().chain(&mut wrong.samples) {
            s.checksum = 0;
        }
        split.samples[1].checksum = 5;
        for s in &mut wrong.samples {
            s.checksum = 9;
        }
        let mut good_zero = good.clone();
        for s in &mut good_zero.samples {
            s.checksum = 0;
        }
        let r = results(
            TaskKind::Cpu,
            vec![seq.clone(), split.clone(), wrong.clone(), good_zero],
        );
        assert_eq!(r.cells[0].status, CellStatus::Ok);
        assert_eq!(r.cells[1].status, CellStatus::Failed);
        assert_eq!(
            r.cells[1].error.as_deref(),
            Some("runs disagree on the answer: checksum 0x0 then 0x5")
        );
        assert_eq!(r.cells[2].status, CellStatus::Failed);
        assert_eq!(
            r.cells[2].error.as_deref(),
            Some("wrong answer: checksum 0x9, the baseline (sequential × 1) computed 0x0")
        );
        assert_eq!(r.cells[3].status, CellStatus::Ok);
        // Through the file format too, and idempotent.
        let again = ResultsFile::from_json(&r.to_json(), "test").unwrap();
        assert_eq!(again.cells, r.cells);
        // Contention's checksum is the counter: exempt.
        let r = results(TaskKind::Contention, vec![seq, split, wrong]);
        assert!(r.cells.iter().all(|c| c.status == CellStatus::Ok));
    }
}

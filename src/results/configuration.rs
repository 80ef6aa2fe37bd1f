//! Whether a configuration is the one some results measured, leaving aside what the sweep
//! resolved on its own: the task size a calibration chose (`target_run_s`), recorded in
//! [`ResultsFile::calibration`], and the worker rule, which is informative next to the list
//! actually swept (see [`crate::preset::Experiment::worker_rule`]).

use crate::preset::Experiment;

use super::ResultsFile;

impl ResultsFile {
    /// Whether running `exp` measures what these results measured: equal but for the
    /// calibrated task size (when these results were calibrated, `exp`'s size knob is taken
    /// as the calibration set it) and for the worker rule (the worker lists must agree).
    pub fn measured(&self, exp: &Experiment) -> bool {
        let mut ran = exp.clone();
        if let Some(cal) = &self.calibration
            && cal.error.is_none()
            && cal.chosen_size > 0.0
            && exp.target_run_s > 0.0
        {
            ran.task = ran.task.with_size(cal.chosen_size);
        }
        let mut recorded = self.experiment.clone();
        ran.worker_rule = None;
        recorded.worker_rule = None;
        ran == recorded
    }

    /// What the calibration chose, for a line next to the results: `task.cpu.size calibrated
    /// to 4200000 (preset: 1000000)`; `None` without a calibration or when it failed.
    pub fn calibration_note(&self) -> Option<String> {
        let cal = self.calibration.as_ref().filter(|c| c.error.is_none())?;
        (cal.chosen_size > 0.0).then(|| {
            format!(
                "{} calibrated to {} (preset: {})",
                cal.knob,
                trim_number(cal.chosen_size),
                trim_number(cal.preset_size)
            )
        })
    }
}

/// A size as the preset writes it: whole numbers without decimals, others to 3 places.
fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{Calibration, WorkerRule};

    /// Results of `exp` as a calibrated sweep records them: the size knob set to `chosen`.
    fn calibrated(exp: &Experiment, chosen: u64) -> ResultsFile {
        let mut recorded = exp.clone();
        recorded.task.cpu.size = chosen;
        ResultsFile {
            experiment: recorded,
            calibration: Some(Calibration {
                target_run_s: exp.target_run_s,
                knob: "task.cpu.size".into(),
                preset_size: exp.task.cpu.size as f64,
                chosen_size: chosen as f64,
                ..Calibration::default()
            }),
            ..ResultsFile::default()
        }
    }

    #[test]
    fn a_calibrated_size_is_not_a_different_configuration() {
        let exp = Experiment {
            target_run_s: 0.5,
            ..Experiment::default()
        };
        let results = calibrated(&exp, exp.task.cpu.size * 7 + 3);
        assert_ne!(results.experiment, exp, "the recorded size differs");
        assert!(results.measured(&exp));
        assert_eq!(
            results.calibration_note().as_deref(),
            Some(
                format!(
                    "task.cpu.size calibrated to {} (preset: {})",
                    exp.task.cpu.size * 7 + 3,
                    exp.task.cpu.size
                )
                .as_str()
            )
        );
        // Anything else changed is a different configuration.
        let mut other = exp.clone();
        other.repetitions += 1;
        assert!(!results.measured(&other));
        let mut other = exp.clone();
        other.task.tasks += 1;
        assert!(!results.measured(&other));
        // Without a target the size is the preset's own: it must agree.
        let mut untargeted = exp.clone();
        untargeted.target_run_s = 0.0;
        let mut plain = results.clone();
        plain.experiment.target_run_s = 0.0;
        assert!(!plain.measured(&untargeted));
    }

    #[test]
    fn a_failed_calibration_keeps_the_size_to_compare() {
        let exp = Experiment {
            target_run_s: 0.5,
            ..Experiment::default()
        };
        let mut results = calibrated(&exp, exp.task.cpu.size);
        results.calibration.as_mut().unwrap().error = Some("timed out".into());
        assert!(results.measured(&exp));
        assert_eq!(results.calibration_note(), None);
        results.experiment.task.cpu.size += 1;
        assert!(!results.measured(&exp));
    }

    #[test]
    fn the_worker_rule_is_left_aside_but_not_the_list() {
        let exp = Experiment {
            worker_rule: Some(WorkerRule::AUTO),
            ..Experiment::default()
        };
        let mut results = ResultsFile {
            experiment: exp.clone(),
            ..ResultsFile::default()
        };
        results.experiment.worker_rule = None;
        assert!(results.measured(&exp));
        results.experiment.workers.push(99);
        assert!(!results.measured(&exp));
    }
}

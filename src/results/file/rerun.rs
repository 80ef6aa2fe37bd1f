//! The experiment to measure again what a results file measured.

use super::document::ResultsFile;
use crate::preset::Experiment;

impl ResultsFile {
    /// The experiment to measure again what this file measured: the recorded experiment
    /// (its task already at the calibrated size) with calibration turned off, so that the
    /// same work is measured rather than a size chosen anew. With the words that say so,
    /// e.g. `calibration off: task.cpu.size = 2610519 as recorded (calibrated to 0.25 s
    /// per run then)`; `None` for the words where the file was not calibrated.
    pub fn rerun_experiment(&self) -> (Experiment, Option<String>) {
        let mut exp = self.experiment.clone();
        let calibrated = exp.target_run_s > 0.0 || self.calibration.is_some();
        exp.target_run_s = 0.0;
        let words = calibrated.then(|| {
            let size = exp
                .task
                .size_knob()
                .map_or("the task's size".into(), |(knob, v)| {
                    format!("{knob} = {v}")
                });
            let then = self.calibration.as_ref().map_or(String::new(), |c| {
                format!(" (calibrated to {} s per run then)", c.target_run_s)
            });
            format!("calibration off: {size} as recorded{then}, so the same work is measured")
        });
        (exp, words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rerun_keeps_the_calibrated_size_and_turns_calibration_off() {
        let mut r = ResultsFile::default();
        r.experiment.task.cpu.size = 2_610_519;
        r.experiment.target_run_s = 0.25;
        let (exp, words) = r.rerun_experiment();
        assert_eq!(exp.task.cpu.size, 2_610_519);
        assert_eq!(exp.target_run_s, 0.0);
        assert_eq!(
            words.as_deref(),
            Some(
                "calibration off: task.cpu.size = 2610519 as recorded, so the same work is measured"
            )
        );
        r.experiment.target_run_s = 0.0;
        assert_eq!(r.rerun_experiment().1, None, "nothing was calibrated");
    }
}

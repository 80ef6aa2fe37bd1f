//! Whether a configuration is the one some results measured, leaving aside what the sweep
//! resolved on its own: the task size a calibration chose (`target_run_s`), recorded in
//! [`ResultsFile::calibration`], and the worker rule, which is informative next to the list
//! actually swept (see [`crate::preset::Experiment::worker_rule`]).

use crate::preset::Experiment;

use super::not_recorded::{both_recorded_and_differ, text_or_not_recorded};
use super::{BuildInfo, CpuSetup, ResultsFile};

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

/// One way in which compared results differ that bears on reading their numbers side by
/// side: what differs (`task size`) and each run's value (`a: task.cpu.size = 2610519`).
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub aspect: &'static str,
    /// Why it matters to the comparison, in a few words.
    pub consequence: &'static str,
    /// Each run's label and value, in the order given.
    pub values: Vec<(String, String)>,
}

impl Difference {
    /// Said, but no reason to call the runs not like for like: the same preset whose
    /// calibration chose another task size on each run (their speedups compare, their times
    /// do not).
    pub fn like_for_like(&self) -> bool {
        self.aspect == CALIBRATED_SIZE
    }

    /// Whether it is the task's size alone (calibrated or set by hand), which a comparison per
    /// unit of work takes into account.
    pub fn is_task_size(&self) -> bool {
        self.aspect == CALIBRATED_SIZE || self.aspect == "task size"
    }

    /// `task size (wall times are of different work): a: task.cpu.size = 2610519; b: …`.
    pub fn describe(&self) -> String {
        let values: Vec<String> = self
            .values
            .iter()
            .map(|(label, v)| format!("{label}: {v}"))
            .collect();
        format!(
            "{} ({}): {}",
            self.aspect,
            self.consequence,
            values.join("; ")
        )
    }
}

/// What differs between the compared results `runs` (label, results) that a reader of their
/// overlaid curves must know: the task and its size (the calibrated size included), how many
/// runs each cell took (repetitions, minimum time, precision target), the Python
/// interpreter, the corelab build, and the machine. Empty for a single run or where they
/// agree on all of these.
pub fn comparison_differences(runs: &[(&str, &ResultsFile)]) -> Vec<Difference> {
    if runs.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let calibrated_alike = calibrated_alike(runs);
    // `differs` says whether two runs differ where comparing their values in words would not
    // (an unrecorded value is not a difference); `None`: they differ where the words do.
    type Differs<'f> = Option<&'f dyn Fn(&ResultsFile, &ResultsFile) -> bool>;
    let mut check =
        |aspect, consequence, value: &dyn Fn(&ResultsFile) -> String, differs: Differs| {
            let values: Vec<(String, String)> = runs
                .iter()
                .map(|(label, r)| (label.to_string(), value(r)))
                .collect();
            let differ = match differs {
                None => values.iter().any(|(_, v)| *v != values[0].1),
                Some(differs) => runs
                    .iter()
                    .enumerate()
                    .any(|(i, (_, a))| runs[i + 1..].iter().any(|(_, b)| differs(a, b))),
            };
            if differ {
                out.push(Difference {
                    aspect,
                    consequence,
                    values,
                });
            }
        };
    // The same preset, each run's calibration choosing its own size for the same target time:
    // what that means for reading them, not a red flag.
    let (aspect, consequence) = match calibrated_alike {
        true => (
            CALIBRATED_SIZE,
            "each run's calibration sized the task to the same target time: the wall times are of different work and do not compare, the speedups do",
        ),
        false => ("task size", "wall times are of different work"),
    };
    check(
        aspect,
        consequence,
        &|r: &ResultsFile| task_text(&r.experiment),
        None,
    );
    check(
        "task parameters",
        "the work is not the same kind",
        &|r: &ResultsFile| task_params(&r.experiment),
        None,
    );
    // The rule, not the runs it gave: how many runs a precision target or a minimum time
    // added differs from run to run of the same preset, and each interval states its own.
    let rule_differs = runs
        .iter()
        .any(|(_, r)| runs_rule(&r.experiment) != runs_rule(&runs[0].1.experiment));
    if rule_differs {
        check(
            "runs per cell",
            "the intervals rest on different numbers of runs",
            &|r: &ResultsFile| runs_text(r),
            None,
        );
    }
    check(
        "Python interpreter",
        "the py-* models ran on different interpreters",
        &|r: &ResultsFile| {
            r.python.as_ref().map_or("none".into(), |p| {
                format!(
                    "{} {} (GIL {})",
                    p.implementation,
                    p.version,
                    if p.gil_enabled { "on" } else { "off" }
                )
            })
        },
        None,
    );
    check(
        "corelab build",
        "the measuring code may differ",
        &|r: &ResultsFile| match r.provenance.commit_text() {
            Some(commit) => format!("{} commit {commit}", r.corelab_version),
            None => format!("{} (commit not recorded)", r.corelab_version),
        },
        None,
    );
    // Recorded only since a later version, and partly hidden on virtual machines: flagged
    // only where two runs both record a value and the values differ. Unknown on one side is
    // not a difference.
    check(
        "build profile and compiler",
        "a debug build runs the Rust models several times slower, and another compiler may optimise differently",
        &|r: &ResultsFile| text_or_not_recorded(r.machine.build.as_ref(), BuildInfo::text),
        Some(&|a: &ResultsFile, b: &ResultsFile| {
            let (a, b) = (a.machine.build.as_ref(), b.machine.build.as_ref());
            both_recorded_and_differ(a, b, BuildInfo::differs_known)
        }),
    );
    check(
        "CPU setup",
        "the frequency governor, turbo and SMT change how fast one core runs against many",
        &|r: &ResultsFile| text_or_not_recorded(r.machine.cpu_setup.as_ref(), CpuSetup::text),
        Some(&|a: &ResultsFile, b: &ResultsFile| {
            let (a, b) = (a.machine.cpu_setup.as_ref(), b.machine.cpu_setup.as_ref());
            both_recorded_and_differ(a, b, CpuSetup::differs_known)
        }),
    );
    check(
        "machine",
        "speedups depend on the cores and the memory",
        &|r: &ResultsFile| {
            format!(
                "{} on host {}",
                r.machine.one_line(),
                if r.machine.hostname.is_empty() {
                    "?"
                } else {
                    &r.machine.hostname
                }
            )
        },
        None,
    );
    out
}

/// The aspect of compared runs of one preset whose calibrations chose different sizes.
pub const CALIBRATED_SIZE: &str = "calibrated task size";

/// The task's amount of work: the size knob and the number of tasks
/// (`task.cpu.size = 2610519, 64 cpu tasks`).
fn task_text(exp: &Experiment) -> String {
    let t = &exp.task;
    let size = t.size_knob().map_or(String::new(), |(k, v)| {
        format!("{k} = {}, ", trim_number(v))
    });
    format!("{size}{} {} tasks", t.tasks, t.kind)
}

/// The task's other parameters as JSON, the size knob left out ([`task_text`] says it, with
/// its real value): `contention {"sync":"none","permits":1}`. A mixed task's wait is given as
/// its share of the task (`wait_share`), which calibration keeps, not in milliseconds, which
/// scale with the compute knob.
fn task_params(exp: &Experiment) -> String {
    use crate::preset::TaskKind;
    let t = &exp.task;
    let params = match t.kind {
        TaskKind::Cpu => serde_json::to_value(&t.cpu),
        TaskKind::Io => serde_json::to_value(&t.io),
        TaskKind::Memory => serde_json::to_value(&t.memory),
        TaskKind::Contention => serde_json::to_value(&t.contention),
        TaskKind::Mixed => serde_json::to_value(&t.mixed),
        TaskKind::Command => serde_json::to_value(&t.command),
        TaskKind::Function => serde_json::to_value(&t.function),
    };
    let mut params = params.unwrap_or_default();
    if let Some(map) = params.as_object_mut() {
        if let Some((knob, _)) = t.size_knob() {
            map.remove(knob.rsplit('.').next().unwrap_or(knob));
        }
        if t.kind == TaskKind::Mixed {
            map.remove("wait_ms");
            let total = t.mixed.compute_ms + t.mixed.wait_ms;
            let share = if total > 0.0 {
                t.mixed.wait_ms / total
            } else {
                0.0
            };
            map.insert("wait_share".into(), format!("{share:.3}").into());
        }
    }
    format!("{} {params}", t.kind)
}

/// Whether every run of `runs` is the same experiment calibrated to the same target time from
/// the same preset size, differing (if at all) in the size each calibration chose.
fn calibrated_alike(runs: &[(&str, &ResultsFile)]) -> bool {
    let key = |r: &ResultsFile| {
        let cal = r.calibration.as_ref().filter(|c| c.error.is_none())?;
        (cal.chosen_size > 0.0 && cal.preset_size > 0.0).then_some(())?;
        // The size the calibration set is this task's own knob.
        let (knob, _) = r.experiment.task.size_knob()?;
        (knob == cal.knob).then_some(())?;
        let mut exp = r.experiment.clone();
        exp.task = exp.task.with_size(cal.preset_size);
        Some((
            cal.knob.clone(),
            cal.preset_size.to_bits(),
            cal.target_run_s.to_bits(),
            task_text(&exp),
            task_params(&exp),
        ))
    };
    let Some(first) = runs.first().and_then(|(_, r)| key(r)) else {
        return false;
    };
    runs.iter().all(|(_, r)| key(r).as_ref() == Some(&first))
}

/// The rule for the runs of a cell: `5 repetitions, more up to 0.5 s, ±2.0% within 1.5 s`.
fn runs_rule(e: &Experiment) -> String {
    let mut text = format!("{} repetitions", e.repetitions);
    if e.min_time_s > 0.0 {
        text.push_str(&format!(", more up to {} s", e.min_time_s));
    }
    if e.precision > 0.0 {
        text.push_str(&format!(
            ", ±{:.1}% within {} s",
            e.precision * 100.0,
            e.precision_budget_s
        ));
    }
    text
}

/// The rule for the runs of a cell and the runs the cells got: `5 repetitions, more up to
/// 0.5 s, ±2.0% within 1.5 s; 7 to 9 runs`.
fn runs_text(r: &ResultsFile) -> String {
    let mut text = runs_rule(&r.experiment);
    let runs = r.cells.iter().map(|c| c.samples.len()).filter(|&n| n > 0);
    if let (Some(lo), Some(hi)) = (runs.clone().min(), runs.max()) {
        match lo == hi {
            true => text.push_str(&format!("; {lo} runs a cell")),
            false => text.push_str(&format!("; {lo} to {hi} runs a cell")),
        }
    }
    text
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
    fn compared_runs_are_said_to_differ_where_they_do() {
        let exp = Experiment {
            target_run_s: 0.25,
            ..Experiment::default()
        };
        let a = calibrated(&exp, 2_610_519);
        let mut b = calibrated(&exp, 3_500_000);
        assert!(comparison_differences(&[("a", &a)]).is_empty());
        assert!(comparison_differences(&[("a", &a), ("a again", &a)]).is_empty());
        b.experiment.repetitions = 9;
        b.machine.hostname = "big".into();
        b.provenance.commit = Some("9fb3689".into());
        // Sized by their calibrations from the same preset: said, but like for like.
        let d = comparison_differences(&[("a", &a), ("b", &b)]);
        let aspects: Vec<&str> = d.iter().map(|d| d.aspect).collect();
        assert_eq!(
            aspects,
            [CALIBRATED_SIZE, "runs per cell", "corelab build", "machine"]
        );
        let flagged: Vec<bool> = d.iter().map(|d| !d.like_for_like()).collect();
        assert_eq!(flagged, [false, true, true, true]);
        assert!(
            d[0].describe()
                .contains("the speedups do): a: task.cpu.size = 2610519, "),
            "{}",
            d[0].describe()
        );
        // A debug build against a release one, a powersave governor against performance.
        let mut c = a.clone();
        let build = |profile: &str| crate::results::BuildInfo {
            profile: profile.into(),
            opt_level: "3".into(),
            rustc: "rustc 1.95.0".into(),
        };
        let setup = |governor: &str| crate::results::CpuSetup {
            governor: governor.into(),
            ..crate::results::CpuSetup::default()
        };
        let mut d_ = a.clone();
        (c.machine.build, d_.machine.build) = (Some(build("release")), Some(build("debug")));
        (c.machine.cpu_setup, d_.machine.cpu_setup) =
            (Some(setup("performance")), Some(setup("powersave")));
        let d = comparison_differences(&[("c", &c), ("d", &d_)]);
        let aspects: Vec<&str> = d.iter().map(|d| d.aspect).collect();
        assert_eq!(aspects, ["build profile and compiler", "CPU setup"]);
        assert!(
            d[0].describe()
                .contains("d: DEBUG BUILD, not for publishing"),
            "{}",
            d[0].describe()
        );
        assert!(d.iter().all(|d| !d.like_for_like()));
        // An older file that records neither against one that records both: not recorded is
        // not a difference, nor is turbo unknown against on.
        let d = comparison_differences(&[("a", &a), ("d", &d_)]);
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| d.describe()).collect::<Vec<_>>()
        );
        let (mut on, mut unknown) = (a.clone(), a.clone());
        on.machine.cpu_setup = Some(crate::results::CpuSetup {
            turbo: crate::results::CpuSetting::On,
            ..setup("performance")
        });
        unknown.machine.cpu_setup = Some(setup("performance"));
        (on.machine.build, unknown.machine.build) = (Some(build("release")), None);
        let d = comparison_differences(&[("on", &on), ("unknown", &unknown)]);
        assert!(
            d.is_empty(),
            "{:?}",
            d.iter().map(|d| d.describe()).collect::<Vec<_>>()
        );
        // Three runs, the first unrecorded: the two that record differ, and that is said.
        let d = comparison_differences(&[("a", &a), ("c", &c), ("d", &d_)]);
        let aspects: Vec<&str> = d.iter().map(|d| d.aspect).collect();
        assert_eq!(aspects, ["build profile and compiler", "CPU setup"]);
        assert!(
            d[0].describe().contains("a: not recorded"),
            "{}",
            d[0].describe()
        );
        // From different preset sizes: another task, flagged.
        let mut other_preset = b.clone();
        other_preset.calibration.as_mut().unwrap().preset_size += 1.0;
        let d = comparison_differences(&[("a", &a), ("b", &other_preset)]);
        assert_eq!(d[0].aspect, "task size");
        assert!(!d[0].like_for_like());
        let size = d[0].describe();
        assert!(
            size.starts_with(
                "task size (wall times are of different work): a: task.cpu.size = 2610519, "
            ),
            "{size}"
        );
        assert!(size.contains("; b: task.cpu.size = 3500000, "), "{size}");
        assert!(
            d[1].describe().contains("b: 9 repetitions"),
            "{}",
            d[1].describe()
        );
        assert!(
            d[2].describe()
                .contains("a: 0.1.0 (commit not recorded); b: 0.1.0 commit 9fb3689"),
            "{}",
            d[2].describe()
        );
        assert!(d[3].describe().contains("on host big"));
        // Another kernel is another task, whatever its size.
        let mut e = a.clone();
        e.experiment.task.cpu.kernel = crate::preset::CpuKernel::HashChain;
        let d = comparison_differences(&[("a", &a), ("e", &e)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].aspect, "task parameters");
        // Contention runs calibrated to other increments differ in size, not in parameters,
        // and the parameters never show a stand-in for the size (the old `"increments":1`).
        let contention = |sync: crate::preset::SyncMode, increments: u64| {
            let mut r = a.clone();
            r.experiment.task.kind = crate::preset::TaskKind::Contention;
            r.experiment.task.contention.sync = sync;
            r.experiment.task.contention.increments = increments;
            r
        };
        let none = contention(crate::preset::SyncMode::None, 2952);
        let mutex = contention(crate::preset::SyncMode::Mutex, 2952);
        let d = comparison_differences(&[("none", &none), ("mutex", &mutex)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].describe(),
            r#"task parameters (the work is not the same kind): none: contention {"permits":1,"sync":"none"}; mutex: contention {"permits":1,"sync":"mutex"}"#
        );
        let bigger = contention(crate::preset::SyncMode::None, 5904);
        let d = comparison_differences(&[("none", &none), ("bigger", &bigger)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].aspect, "task size");
        assert!(
            d[0].describe()
                .contains("none: task.contention.increments = 2952")
        );
        // A mixed task calibrated to twice the compute keeps its wait share: the same kind.
        let mixed = |compute: f64, wait: f64| {
            let mut r = a.clone();
            r.experiment.task.kind = crate::preset::TaskKind::Mixed;
            r.experiment.task.mixed.compute_ms = compute;
            r.experiment.task.mixed.wait_ms = wait;
            r
        };
        let (m1, m2, m3) = (mixed(5.0, 15.0), mixed(10.0, 30.0), mixed(5.0, 5.0));
        let d = comparison_differences(&[("m1", &m1), ("m2", &m2)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].aspect, "task size");
        let d = comparison_differences(&[("m1", &m1), ("m3", &m3)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].describe(),
            r#"task parameters (the work is not the same kind): m1: mixed {"wait_share":"0.750"}; m3: mixed {"wait_share":"0.500"}"#
        );
        // The interpreter, where the py-* models ran.
        let mut c = a.clone();
        c.python = Some(crate::results::PythonInfo {
            implementation: "CPython".into(),
            version: "3.12.1".into(),
            gil_enabled: true,
            ..crate::results::PythonInfo::default()
        });
        let d = comparison_differences(&[("a", &a), ("c", &c)]);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].describe(),
            "Python interpreter (the py-* models ran on different interpreters): a: none; c: CPython 3.12.1 (GIL on)"
        );
    }

    #[test]
    fn repeats_of_one_calibrated_preset_are_like_for_like() {
        use crate::preset::ModelKind;
        use crate::results::{CellResult, Sample};
        let exp = Experiment {
            target_run_s: 0.25,
            precision: 0.02,
            ..Experiment::default()
        };
        let with_runs = |chosen: u64, runs: usize| {
            let mut r = calibrated(&exp, chosen);
            r.cells.push(CellResult {
                model: Some(ModelKind::Sequential),
                workers: 1,
                samples: vec![Sample::default(); runs],
                ..CellResult::default()
            });
            r
        };
        // The reviewer's two runs: sizes 1801329 and 2663378, and the precision target added
        // a different number of runs to each.
        let (a, b) = (with_runs(1_801_329, 7), with_runs(2_663_378, 11));
        let d = comparison_differences(&[("a", &a), ("b", &b)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].aspect, CALIBRATED_SIZE);
        assert!(d[0].like_for_like());
        // The same size, other run counts: nothing at all.
        let c = with_runs(1_801_329, 9);
        assert!(comparison_differences(&[("a", &a), ("c", &c)]).is_empty());
        // Another rule for the runs is still a difference.
        let mut strict = with_runs(1_801_329, 9);
        strict.experiment.precision = 0.01;
        let d = comparison_differences(&[("a", &a), ("strict", &strict)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].aspect, "runs per cell");
        assert!(!d[0].like_for_like());
        // A failed calibration: the size is the preset's own, and another one is flagged.
        let mut failed = with_runs(2_663_378, 7);
        failed.calibration.as_mut().unwrap().error = Some("timed out".into());
        let d = comparison_differences(&[("a", &a), ("failed", &failed)]);
        assert_eq!(d[0].aspect, "task size");
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

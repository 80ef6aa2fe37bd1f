//! The words that name runs and series in legends: run labels that tell compared runs apart,
//! series labels and model names.

use crate::preset::{Baseline, ModelKind};
use crate::results::ResultsFile;

/// The label of one run on its own: "experiment name, date" (the date of `started_at`, which
/// is an RFC 3339 time), or the name alone when the date is unknown.
pub fn run_label(results: &ResultsFile) -> String {
    let name = experiment_name(results);
    match run_date(results) {
        Some(date) => format!("{name}, {date}"),
        None => name.to_string(),
    }
}

fn experiment_name(results: &ResultsFile) -> &str {
    let name = results.experiment.name.trim();
    if name.is_empty() { "results" } else { name }
}

/// `YYYY-MM-DD` of `started_at`, if it is an RFC 3339 time.
fn run_date(results: &ResultsFile) -> Option<&str> {
    let date = results.started_at.get(..10)?;
    (date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-').then_some(date)
}

/// `HH:MM` of `started_at`, if it is an RFC 3339 time.
fn run_time(results: &ResultsFile) -> Option<&str> {
    let time = results.started_at.get(11..16)?;
    (run_date(results).is_some() && time.as_bytes()[2] == b':').then_some(time)
}

/// `HH:MM:SS` of `started_at`, if it is an RFC 3339 time: two runs started in the same
/// minute (a sweep of a few seconds, run again).
fn run_time_seconds(results: &ResultsFile) -> Option<&str> {
    let time = results.started_at.get(11..19)?;
    (run_time(results).is_some() && time.as_bytes()[5] == b':').then_some(time)
}

/// The part of each of `stems` that tells it from the others: their common start and end cut
/// off at a separator (`2026-11-27T07-50-27Z_cpu-bound-14422` and `…07-50-14Z_cpu-bound-14422`
/// read `50-27Z` and `50-14Z`), a stem whole where nothing would be left of it.
fn distinct_stems(stems: &[String]) -> Vec<String> {
    let is_sep = |c: char| matches!(c, '-' | '_' | '.' | ' ' | 'T');
    let Some(first) = stems.first() else {
        return Vec::new();
    };
    let chars: Vec<Vec<char>> = stems.iter().map(|s| s.chars().collect()).collect();
    let shortest = chars.iter().map(Vec::len).min().unwrap_or(0);
    let same_at = |f: &dyn Fn(&Vec<char>) -> char| chars.iter().all(|c| f(c) == f(&chars[0]));
    let mut prefix = 0;
    while prefix < shortest && same_at(&|c| c[prefix]) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < shortest - prefix && same_at(&|c| c[c.len() - 1 - suffix]) {
        suffix += 1;
    }
    // Back to a separator: only whole pieces are cut.
    let first: Vec<char> = first.chars().collect();
    while prefix > 0 && !is_sep(first[prefix - 1]) {
        prefix -= 1;
    }
    while suffix > 0 && !is_sep(first[first.len() - suffix]) {
        suffix -= 1;
    }
    chars
        .iter()
        .zip(stems)
        .map(|(c, whole)| {
            let part: String = c[prefix..c.len() - suffix].iter().collect();
            let part = part.trim_matches(is_sep).to_string();
            if part.is_empty() { whole.clone() } else { part }
        })
        .collect()
}

/// The machine in a few words: "16 cores", or with its CPU where core counts are equal.
fn cores_text(results: &ResultsFile) -> String {
    match results.machine.logical_cores {
        0 => "? cores".to_string(),
        1 => "1 core".to_string(),
        n => format!("{n} cores"),
    }
}

/// Labels that tell overlaid runs apart, as short as they can be: each names only what differs
/// between the runs, in this order: the experiment, the machine (its core count, else its CPU,
/// else its host name), the date, the time of day, the file (`file_stems`, one per run where
/// known), and last a number. Compared runs are usually the same experiment on two machines,
/// so they read "16 cores" and "2 cores"; one run alone gets [`run_label`]. Every label is
/// different, so no two series share a legend entry.
pub fn run_labels(runs: &[&ResultsFile], file_stems: &[Option<String>]) -> Vec<String> {
    if runs.len() <= 1 {
        return runs.iter().map(|r| run_label(r)).collect();
    }
    let stem = |i: usize| file_stems.get(i).cloned().flatten().unwrap_or_default();
    let stems: Vec<String> = (0..runs.len()).map(stem).collect();
    // Each candidate part, for every run.
    let parts: [Vec<String>; 8] = [
        runs.iter()
            .map(|r| experiment_name(r).to_string())
            .collect(),
        runs.iter().map(|r| cores_text(r)).collect(),
        runs.iter()
            .map(|r| r.machine.cpu_brand.trim().to_string())
            .collect(),
        runs.iter()
            .map(|r| r.machine.hostname.trim().to_string())
            .collect(),
        runs.iter()
            .map(|r| run_date(r).unwrap_or_default().to_string())
            .collect(),
        runs.iter()
            .map(|r| run_time(r).unwrap_or_default().to_string())
            .collect(),
        runs.iter()
            .map(|r| run_time_seconds(r).unwrap_or_default().to_string())
            .collect(),
        distinct_stems(&stems),
    ];
    let differs = |v: &[String]| v.iter().any(|x| x != &v[0]);
    let mut labels: Vec<Vec<&str>> = vec![Vec::new(); runs.len()];
    fn add<'a>(part: &'a [String], labels: &mut [Vec<&'a str>]) {
        for (label, value) in labels.iter_mut().zip(part) {
            label.push(if value.is_empty() { "?" } else { value });
        }
    }
    // What the runs are: the experiment and the machine, wherever they differ (the machine
    // once: by its cores, else its CPU, else its host).
    if differs(&parts[0]) {
        add(&parts[0], &mut labels);
    }
    if let Some(machine) = parts[1..4].iter().find(|p| differs(p)) {
        add(machine, &mut labels);
    }
    // When they ran, and from which file: only where that tells runs with the same label so
    // far apart.
    // The time to the second stands for the time to the minute where that is not enough
    // (runs started within the same minute), never beside it.
    /// Whether `part` tells apart two runs whose labels are alike so far.
    fn helps(part: &[String], labels: &[Vec<&str>]) -> bool {
        (0..labels.len()).any(|i| (0..i).any(|j| labels[i] == labels[j] && part[i] != part[j]))
    }
    fn add_if_helps<'a>(part: &'a [String], labels: &mut [Vec<&'a str>]) {
        if helps(part, labels) {
            add(part, labels);
        }
    }
    add_if_helps(&parts[4], &mut labels);
    let minutes_tell = {
        let mut with_minutes = labels.clone();
        add(&parts[5], &mut with_minutes);
        !helps(&parts[6], &with_minutes)
    };
    match minutes_tell {
        true => add_if_helps(&parts[5], &mut labels),
        false => add_if_helps(&parts[6], &mut labels),
    }
    add_if_helps(&parts[7], &mut labels);
    let mut out: Vec<String> = labels
        .iter()
        .zip(runs)
        .map(|(l, r)| {
            if l.is_empty() {
                run_label(r)
            } else {
                l.join(", ")
            }
        })
        .collect();
    // Still alike (the same file twice): number the repeats.
    for i in 1..out.len() {
        let seen = out[..i].iter().filter(|l| **l == out[i]).count();
        if seen > 0 {
            out[i] = format!("{} #{}", out[i], seen + 1);
        }
    }
    out
}

/// The label of a model's series: the model id alone for one run, `model @ run label` when
/// several runs are overlaid.
pub fn series_label(model: ModelKind, baseline: Baseline, run_label: &str, runs: usize) -> String {
    let name = model_name(model, baseline);
    if runs > 1 {
        format!("{name} @ {run_label}")
    } else {
        name
    }
}

/// A model's name in a legend, a hover and a chart's words: its id, and for the sequential
/// model, where it is the baseline, what it is, `sequential (baseline)`, as the workbench and
/// the exports both say it. Where each model is its own baseline (`same-model-one-worker`),
/// the sequential model is no one's baseline and is called by its id.
pub fn model_name(model: ModelKind, baseline: Baseline) -> String {
    match (model, baseline) {
        (ModelKind::Sequential, Baseline::Sequential) => "sequential (baseline)".into(),
        (m, _) => m.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_is_called_the_baseline_only_where_it_is_one() {
        assert_eq!(
            model_name(ModelKind::Sequential, Baseline::Sequential),
            "sequential (baseline)"
        );
        // Lock contention: each model against its own one worker; sequential is no baseline.
        assert_eq!(
            model_name(ModelKind::Sequential, Baseline::SameModelOneWorker),
            "sequential"
        );
        assert_eq!(
            model_name(ModelKind::Threads, Baseline::Sequential),
            "threads"
        );
    }

    #[test]
    fn labels_name_the_run_only_when_overlaid() {
        assert_eq!(
            series_label(ModelKind::Threads, Baseline::Sequential, "big", 1),
            "threads"
        );
        assert_eq!(
            series_label(ModelKind::GilThreads, Baseline::Sequential, "big", 2),
            "gil-threads @ big"
        );
        let mut r = ResultsFile::default();
        r.experiment.name = "Python GIL vs processes".into();
        r.started_at = "2026-11-26T01:18:53Z".into();
        assert_eq!(run_label(&r), "Python GIL vs processes, 2026-11-26");
        r.started_at.clear();
        assert_eq!(run_label(&r), "Python GIL vs processes");
    }

    fn run_on(name: &str, cores: usize, cpu: &str, started_at: &str) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.name = name.into();
        r.machine.logical_cores = cores;
        r.machine.cpu_brand = cpu.into();
        r.machine.hostname = "vm".into();
        r.started_at = started_at.into();
        r
    }

    #[test]
    fn compared_runs_are_labelled_by_what_differs_between_them() {
        let two = run_on("Scaling", 2, "AMD EPYC", "2026-11-26T07:44:26Z");
        let sixteen = run_on("Scaling", 16, "Intel Xeon", "2026-11-26T05:49:43Z");
        let no_stems = [None, None];
        // The same experiment on two machines, the same day: the core counts alone.
        assert_eq!(
            run_labels(&[&two, &sixteen], &no_stems),
            ["2 cores", "16 cores"]
        );
        // Equal core counts: the CPU; then the date; then the time of day.
        let other_cpu = run_on("Scaling", 2, "Intel Xeon", "2026-11-26T07:44:26Z");
        assert_eq!(
            run_labels(&[&two, &other_cpu], &no_stems),
            ["AMD EPYC", "Intel Xeon"]
        );
        let later = run_on("Scaling", 2, "AMD EPYC", "2026-11-27T07:44:26Z");
        assert_eq!(
            run_labels(&[&two, &later], &no_stems),
            ["2026-11-26", "2026-11-27"]
        );
        let an_hour_later = run_on("Scaling", 2, "AMD EPYC", "2026-11-26T08:44:26Z");
        assert_eq!(
            run_labels(&[&two, &an_hour_later], &no_stems),
            ["07:44", "08:44"]
        );
        // Different experiments on different machines: both.
        let gil = run_on("GIL", 16, "Intel Xeon", "2026-11-26T05:49:43Z");
        assert_eq!(
            run_labels(&[&two, &gil], &no_stems),
            ["Scaling, 2 cores", "GIL, 16 cores"]
        );
        // Three runs, two alike but for their files.
        let stems = [Some("a".to_string()), Some("b".to_string()), None];
        assert_eq!(
            run_labels(&[&two, &sixteen, &two.clone()], &stems),
            ["2 cores, a", "16 cores, b", "2 cores, ?"]
        );
        // Started within the same minute: to the second, not beside the minute.
        let seconds_later = run_on("Scaling", 2, "AMD EPYC", "2026-11-26T07:44:51Z");
        assert_eq!(
            run_labels(&[&two, &seconds_later], &no_stems),
            ["07:44:26", "07:44:51"]
        );
        // Alike in all of that: the part of the file names that differs, not all of them.
        let stems = [
            Some("2026-11-27T07-50-27Z_cpu-bound-threads-vs-processes-14422".to_string()),
            Some("2026-11-27T07-50-14Z_cpu-bound-threads-vs-processes-14422".to_string()),
        ];
        assert_eq!(run_labels(&[&two, &two.clone()], &stems), ["27Z", "14Z"]);
        assert_eq!(
            distinct_stems(&["laptop-run".to_string(), "server-run".to_string()]),
            ["laptop", "server"]
        );
        assert_eq!(
            distinct_stems(&["run".to_string(), "run".to_string()]),
            ["run", "run"],
            "nothing differs: whole"
        );
        // The same file twice: numbered.
        assert_eq!(
            run_labels(&[&two, &two.clone()], &no_stems),
            ["Scaling, 2026-11-26", "Scaling, 2026-11-26 #2"]
        );
        // One run alone: its name and date.
        assert_eq!(run_labels(&[&two], &[]), ["Scaling, 2026-11-26"]);
    }
}

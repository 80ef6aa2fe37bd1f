//! `corelab report NEW.json --baseline OLD.json [--fail-if-slower PCT]
//! [--fail-on-lost-updates]`: the regression gate of a CI job. The comparison itself is
//! [`crate::analysis::regression`]; this says it and turns it into the exit status.

use std::path::{Path, PathBuf};

use crate::analysis::regression::{self, Comparison};
use crate::analysis::{Basis, NotComparable};
use crate::results::{Busyness, ResultsFile, RunStatus};

use super::message_paths::{file_label, path_text};
use super::percentage::parse_percentage;

/// Exit status of `corelab report` when its gate (`--fail-if-slower`,
/// `--fail-on-lost-updates`) refused the results: distinct from an error (1), a command-line
/// mistake (2) and `run`'s failed cells (3).
pub const EXIT_REGRESSION: u8 = 5;

/// `--fail-if-slower`: a percentage from 0 to 1000 (`5` or `5%`), as a fraction.
pub(super) fn parse_slowdown(s: &str) -> Result<f64, String> {
    parse_percentage(s, 1000.0, " (e.g. 5: a cell may be up to 5% slower)")
}

/// The gate's flags, shared by `run` and `report`.
#[derive(clap::Args, Debug, Default)]
pub struct GateArgs {
    /// Compare the results (of this run; for `report`, of the one results file given) with
    /// this earlier results file, cell by cell (model × workers): each cell's median wall time
    /// and its interval (95% from 6 runs a cell; the lines say what fewer cover), baseline →
    /// new, its change, and whether it lies beyond the noise (the intervals do not overlap). Where the two tasks were sized differently (calibration),
    /// the times are compared per unit of work (hash round, MiB swept, increment); where the
    /// work cannot be compared (another task, or a primes, io, mixed, command or function task
    /// of another size) nothing is. Cells in one file only are named. The charts, CSV and
    /// report are of the new results alone.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: exit 5 when a cell is slower than the baseline beyond the noise (its
    /// median's interval wholly above the baseline's, at least 3 runs a side) by more than PCT
    /// percent of the baseline's median (0: any such slowdown), a cell the baseline measured
    /// failed, the two runs measured work that cannot be compared, or no cell could be judged
    /// (fewer than 3 runs a cell, no cells in common): a gate that compared nothing does not
    /// pass. Each is named on stderr.
    /// A sweep with nothing changed fails at most 5% of the time over all its cells: with N
    /// cells judged, a slower cell fails it only where its runs part by chance at most 5%/N of
    /// the time (1 in 20 with 3 runs a side, 1 in 252 with 5, 1 in 924 with 6; Bonferroni), and
    /// is otherwise named as a note. The intervals hold the noise within each sweep, not the
    /// variation between sweeps (another day or boot). 0 to 1000.
    #[arg(long, value_name = "PCT", requires = "baseline", value_parser = parse_slowdown)]
    pub fail_if_slower: Option<f64>,
    /// Exit 5 when a timed run of any cell lost an update (a `contention` task's counter came
    /// up short), naming each such cell on stderr, or when no timed run counted its updates
    /// (another task, or no run measured): a gate that checked nothing does not pass.
    #[arg(long)]
    pub fail_on_lost_updates: bool,
}

impl GateArgs {
    /// The baseline file, loaded: an error (exit 1) when it cannot be read, never a pass.
    pub(super) fn load_baseline(&self) -> anyhow::Result<Option<(PathBuf, ResultsFile)>> {
        use anyhow::Context as _;
        self.baseline
            .as_deref()
            .map(|path| {
                ResultsFile::load(path)
                    .with_context(|| format!("cannot use {} as the baseline", path_text(path)))
                    .map(|r| (path.to_path_buf(), r))
            })
            .transpose()
    }
}

/// Says the comparison with the baseline (stdout: one line a cell; stderr: warnings where
/// the runs are not alike) and the gate's failures (stderr, one line each). Returns whether
/// the gate refused the results (`new`: each results file with its path; with a baseline
/// there is one).
pub(super) fn judge(
    gate: &GateArgs,
    baseline: Option<&(PathBuf, ResultsFile)>,
    new: &[(&Path, &ResultsFile)],
) -> bool {
    let mut failures = Failures::default();
    if let (Some((base_path, baseline)), [(new_path, results)]) = (baseline, new) {
        let comparison = regression::compare(baseline, results);
        say_comparison(base_path, baseline, new_path, results, comparison.as_ref());
        if let (Some(_), Err(not_comparable)) = (gate.fail_if_slower, &comparison) {
            failures.add(
                Failure::NotComparable,
                format!(
                    "Not comparable with the baseline {}: {}",
                    path_text(base_path),
                    not_comparable.with_fix(&path_text(base_path))
                ),
            );
        }
        if let (Some(allowed), Ok(comparison)) = (gate.fail_if_slower, &comparison) {
            for cell in comparison.regressions(allowed) {
                failures.add(
                    Failure::Slower,
                    format!(
                        "Regression: {} (over the {} allowed)",
                        cell.line(),
                        percent(allowed)
                    ),
                );
            }
            for cell in comparison.unmatched.iter().filter(|u| u.fails_the_gate()) {
                failures.add(Failure::FailedInNew, format!("Regression: {}", cell.line()));
            }
            for line in unconfirmed_lines(comparison, allowed) {
                errln!("{}", crate::export::sanitize::for_terminal_line(&line));
            }
            match comparison.nothing_judged() {
                Some(none) => failures.add(
                    Failure::NothingJudged,
                    nothing_judged_line(&path_text(base_path), none),
                ),
                None => errln!("{}", false_failure_note(comparison)),
            }
        }
    }
    if gate.fail_on_lost_updates {
        for (path, results) in new {
            let whose = match new.len() {
                1 => String::new(),
                _ => format!("{}: ", file_label(path)),
            };
            if let Some(why) = regression::no_counted_updates(results) {
                failures.add(
                    Failure::NothingCounted,
                    format!(
                        "Lost updates: {whose}nothing to check: {why}; a gate that checked \
                         nothing does not pass"
                    ),
                );
                continue;
            }
            for line in regression::lost_update_lines(results) {
                failures.add(Failure::LostUpdates, format!("Lost updates: {whose}{line}"));
            }
        }
    }
    for (_, line) in &failures.0 {
        errln!("{}", crate::export::sanitize::for_terminal_line(line));
    }
    let asked = gate.fail_if_slower.is_some() || gate.fail_on_lost_updates;
    if asked {
        match failures.0.len() {
            0 => errln!("Gate passed: {}", conditions(gate)),
            n => errln!(
                "Gate FAILED ({}: {}; required: {}); exit status {EXIT_REGRESSION}",
                crate::words::count(n, "failure"),
                failures.what_failed(gate),
                requirements(gate)
            ),
        }
    }
    !failures.0.is_empty()
}

/// What a line of the gate's failures is of, so that the closing line can say what failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// A cell slower beyond the noise by more than allowed.
    Slower,
    /// A cell that the baseline measured failed in the new run.
    FailedInNew,
    /// The two runs measured work that cannot be compared.
    NotComparable,
    /// No cell could be judged.
    NothingJudged,
    /// A cell in which a timed run lost an update.
    LostUpdates,
    /// A results file in which no timed run counted its updates.
    NothingCounted,
}

/// The gate's failures, in the order found: what each is of, and its line for stderr.
#[derive(Default)]
struct Failures(Vec<(Failure, String)>);

impl Failures {
    fn add(&mut self, kind: Failure, line: String) {
        self.0.push((kind, line));
    }

    /// What failed, in words, each kind once: `1 cell slower by more than 5% beyond the
    /// noise, 4 cells lost updates`.
    fn what_failed(&self, gate: &GateArgs) -> String {
        let cells = |kind: Failure| {
            crate::words::count(self.0.iter().filter(|(k, _)| *k == kind).count(), "cell")
        };
        let allowed = percent(gate.fail_if_slower.unwrap_or(0.0));
        let mut kinds: Vec<Failure> = Vec::new();
        for (kind, _) in &self.0 {
            if !kinds.contains(kind) {
                kinds.push(*kind);
            }
        }
        kinds
            .into_iter()
            .map(|kind| match kind {
                Failure::Slower => format!(
                    "{} slower by more than {allowed} beyond the noise",
                    cells(kind)
                ),
                Failure::FailedInNew => {
                    format!("{} failed that the baseline measured", cells(kind))
                }
                Failure::NotComparable => "work not comparable with the baseline's".into(),
                Failure::NothingJudged => "no cell judged".into(),
                Failure::LostUpdates => format!("{} lost updates", cells(kind)),
                Failure::NothingCounted => "no run counted its updates".into(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The failure said where the comparison judged no cell: a gate that compared nothing does
/// not pass. With cells of too few runs, it says how many a cell needs.
fn nothing_judged_line(baseline: &str, none: regression::NothingJudged) -> String {
    let fix = match none.too_few_runs {
        0 => String::new(),
        _ => format!(
            " (measure each cell at least {} times: `--repetitions {}` or more)",
            regression::MIN_RUNS,
            regression::MIN_RUNS
        ),
    };
    format!(
        "Nothing judged against the baseline {baseline}: {}; a gate that compared nothing does \
         not pass{fix}",
        none.describe()
    )
}

/// The cells slower beyond the noise by more than `allowed` on too few runs for the gate to
/// refuse them ([`Comparison::unconfirmed`]), one note each.
fn unconfirmed_lines(comparison: &Comparison, allowed: f64) -> Vec<String> {
    comparison
        .unconfirmed(allowed)
        .map(|cell| {
            format!(
                "note: {}, over the {} allowed, but not refused: with {} and {} runs intervals part by chance {} of the time where nothing changed, more than the {} a cell of {} may have; more runs a cell (6 a side: 1 in 924) can tell",
                cell.line(),
                percent(allowed),
                cell.baseline.runs,
                cell.new.runs,
                one_in(cell.chance_of_parting()),
                one_in(comparison.per_cell_chance()),
                crate::words::count(comparison.judged(), "cell"),
            )
        })
        .collect()
}

/// What the gate's false-failure rate is over the whole comparison, and what it leaves out.
fn false_failure_note(comparison: &Comparison) -> String {
    format!(
        "note: a sweep with nothing changed fails this gate at most {} of the time: each of the {} judged may fail it only on runs that part by chance at most {} of the time ({} ÷ the cells, Bonferroni); the intervals hold the runs' noise within each sweep, not the variation between sweeps (another day, boot or neighbour), which can fail it more often",
        percent(regression::GATE_FALSE_FAILURE),
        crate::words::count(comparison.judged(), "cell"),
        one_in(comparison.per_cell_chance()),
        percent(regression::GATE_FALSE_FAILURE)
    )
}

/// A small chance in words: `1 in 20`, `1 in 924`.
fn one_in(chance: f64) -> String {
    if chance <= 0.0 {
        return "never".into();
    }
    format!("1 in {:.0}", 1.0 / chance)
}

/// What the gate requires, in words, for the line that says it failed (where
/// [`conditions`], said of a gate that passed, would read as the outcome).
fn requirements(gate: &GateArgs) -> String {
    let mut what = Vec::new();
    if let Some(allowed) = gate.fail_if_slower {
        what.push(format!(
            "work that compares with the baseline's, at least one cell judged, none slower \
             than the baseline by more than {} beyond the noise, and none failing that the \
             baseline measured",
            percent(allowed)
        ));
    }
    if gate.fail_on_lost_updates {
        what.push("timed runs that count their updates, none losing one".to_string());
    }
    what.join("; ")
}

/// What the gate checked, in words, for the line that says it passed.
fn conditions(gate: &GateArgs) -> String {
    let mut what = Vec::new();
    if let Some(allowed) = gate.fail_if_slower {
        what.push(format!(
            "no cell slower than the baseline by more than {} beyond the noise, none failed \
             that the baseline measured, work that compares with the baseline's",
            percent(allowed)
        ));
    }
    if gate.fail_on_lost_updates {
        what.push("no timed run lost an update".to_string());
    }
    what.join("; ")
}

/// What the compared medians are: "median wall time [95% interval]" (what the intervals
/// cover: [`Comparison::interval_words`]), or, where the runs' tasks were sized differently,
/// per unit of work and why.
fn basis_words(comparison: &Comparison) -> String {
    let interval = comparison.interval_words();
    match comparison.basis {
        Basis::WallTime => format!("median wall time [{interval}]"),
        Basis::PerUnit {
            unit,
            baseline,
            new,
        } => format!(
            "median wall time per {} [{interval}]: the tasks were sized differently, {} {} in \
             the baseline and {} in the new results, so each run's times are divided by its work",
            unit.name(),
            baseline,
            unit.plural(),
            new
        ),
    }
}

/// The line said when `which` results (at `path`) were measured on a busy machine: only a busy
/// one ([`Busyness::Busy`]) is distrusted; a mostly quiet one (a few runs marked busy, little
/// load over all) gets a note that it is trusted, and why.
fn busy_line(which: &str, path: &str, busyness: Busyness) -> Option<String> {
    match busyness {
        Busyness::Quiet => None,
        Busyness::MostlyQuiet => Some(format!(
            "note: a few of {which} {path}'s timed runs competed with other programs, with \
             little load over all of them: mostly quiet, so its intervals are trusted"
        )),
        Busyness::Busy => Some(format!(
            "Warning: {which} {path} was measured while other programs competed for the cores: \
             its intervals are wide or off, so fewer changes can be told from the noise, and a \
             change may be the load's rather than the code's"
        )),
    }
}

/// `0.05` → `5%`, `0.125` → `12.5%` (at most two decimals).
fn percent(fraction: f64) -> String {
    let text = format!("{:.2}", fraction * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The comparison, cell by cell, on stdout (or why there is none), and on stderr what makes it
/// less sure: runs that differ (task size, machine, …, as `report`'s overlay notes say), runs
/// measured on a busy machine, and a baseline that is not complete.
fn say_comparison(
    base_path: &Path,
    baseline: &ResultsFile,
    new_path: &Path,
    results: &ResultsFile,
    comparison: Result<&Comparison, &NotComparable>,
) {
    let base_label = format!("baseline {}", file_label(base_path));
    let new_label = file_label(new_path);
    let runs = [
        (base_label.as_str(), baseline),
        (new_label.as_str(), results),
    ];
    // Compared per unit of work, their sizes are accounted for: the header below says so, and
    // a warning that their wall times do not compare would contradict it.
    let per_unit = matches!(comparison, Ok(c) if matches!(c.basis, Basis::PerUnit { .. }));
    for d in crate::results::comparison_differences(&runs) {
        if per_unit && d.is_task_size() {
            continue;
        }
        errln!(
            "Warning: the baseline and the new results differ in {}",
            crate::export::sanitize::for_terminal_line(&d.describe())
        );
    }
    // The baseline's load; the new results' own is said with them (`say_load`).
    if let Some(line) = busy_line(
        "the baseline",
        &path_text(base_path),
        baseline.machine.busyness(),
    ) {
        errln!("{}", crate::export::sanitize::for_terminal_line(&line));
    }
    if baseline.status != RunStatus::Complete {
        errln!(
            "note: the baseline {} is not a complete run: {}",
            crate::export::sanitize::for_terminal_line(&path_text(base_path)),
            baseline.status.describe()
        );
    }
    let base_text = path_text(base_path);
    let comparison = match comparison {
        Ok(c) => c,
        Err(why) => {
            outln!(
                "{}",
                crate::export::sanitize::for_terminal_line(&format!(
                    "Not compared with the baseline {base_text}: {}.",
                    why.with_fix(&base_text)
                ))
            );
            return;
        }
    };
    outln!(
        "{}",
        crate::export::sanitize::for_terminal_line(&format!(
            "Against the baseline {base_text} ({}, baseline → new; a change counts only beyond \
             the noise, where the intervals do not overlap):",
            basis_words(comparison)
        ))
    );
    for cell in &comparison.changes {
        outln!("  {}", cell.line());
    }
    for cell in &comparison.unmatched {
        outln!("  {}", cell.line());
    }
    if comparison.changes.is_empty() && comparison.unmatched.is_empty() {
        outln!("  (no cells in either file)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowed_slowdown_is_a_percentage() {
        assert_eq!(parse_slowdown("5"), Ok(0.05));
        assert_eq!(parse_slowdown("12.5%"), Ok(0.125));
        assert_eq!(parse_slowdown("0"), Ok(0.0));
        assert!(parse_slowdown("-1").is_err());
        assert!(parse_slowdown("nan").is_err());
        assert_eq!(
            parse_slowdown("five"),
            Err("\"five\" is not a percentage from 0 to 1000 (e.g. 5: a cell may be up to 5% slower)".to_string())
        );
        assert_eq!(percent(0.05), "5%");
        assert_eq!(percent(0.125), "12.5%");
    }

    #[test]
    fn the_gate_status_is_its_own() {
        assert!(![0, 1, 2, super::super::EXIT_CELLS_FAILED].contains(&EXIT_REGRESSION));
    }
}

//! The verdict: in a few plain lines, what a results file says about the choice its user came
//! to make (threads or processes, for this job). Which cell was fastest and whether the best
//! cell of each other model can be told apart from it, how each model scaled, when a larger
//! start-up pays for itself, and what the GIL has to do with it, each only as far as the
//! medians' intervals support. Pure: the CLI, the Markdown report and the workbench print
//! the same lines.

use super::interval_words::speedup;
use crate::preset::{Baseline, IoMode, ModelKind, SyncMode, TaskKind};
use crate::results::gil_rule::{
    Footing, JUDGED_RUNS, NEAR_ONE, ONE_RUN_COVERAGE, leaning, runs_giving, scaled_on,
    stayed_flat_on,
};
use crate::results::{
    Baselines, Busyness, CellResult, CellStatus, LostShare, ResultsFile, lost_share,
};
use crate::stats::{FULL_COVERAGE, MedianInterval, interval_places, speedup_interval};

mod compare;
mod gil;
mod lost;
mod scaling;

use compare::{comparison_text, fastest_text, sequential_stand_in_text};
use gil::gil_texts;
use lost::{lost_any, lost_texts};
use scaling::{scaling_text, startup_text};

/// What a line of the verdict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictTopic {
    /// Why every comparison below is unreliable (a busy machine).
    Caveat,
    /// The fastest cell.
    Fastest,
    /// The fastest cell against the best cell of each other model.
    Comparison,
    /// How one model scaled with its workers.
    Scaling,
    /// When the faster model's larger start-up pays for itself.
    Startup,
    /// What the threads against the processes say about the GIL (or about waits, where the
    /// work waits).
    Gil,
    /// What a shared counter lost (or, with a lock, that it lost nothing): the lesson of a
    /// contention task, said before any speed.
    LostUpdates,
}

/// The verdict's first line where the run could use one CPU (a one-core machine, `taskset -c
/// 0`): a lesson about parallel speedup cannot show there, and a flat curve says nothing about
/// the models.
pub const ONE_CORE_CAVEAT: &str = "One core: this run could use a single CPU, so nothing ran in parallel; work that needs the CPU cannot speed up here whatever the model (waits still overlap), and these curves cannot show how the models scale: run it on 2 or more cores.";

/// The verdict's first line on a busy machine.
pub const BUSY_CAVEAT: &str = "Unreliable: other programs competed for the cores during the timed runs, so every comparison below may be off either way, even one clear of these runs' noise (the busy-machine warning gives the figures); rerun on a quiet machine.";

/// The verdict's first line on a busy machine where every run mostly waited
/// ([`waits_through_the_load`]): load on the cores can have changed them little.
pub const WAITING_BUSY_CAVEAT: &str = "Busy, but these runs mostly waited: other programs competed for the cores during the timed runs, yet every run here kept under half a core busy, so the load can have changed their times only a little (the busy-machine warning gives the figures); a quiet machine would still be surer.";

/// Whether the machine was busy in a way that makes the comparisons unreliable: `Busy`, and
/// not every run mostly waiting ([`waits_through_the_load`]).
pub fn busy_for_these_runs(r: &ResultsFile) -> bool {
    r.machine.busyness() == Busyness::Busy && !waits_through_the_load(r)
}

/// Whether every completed cell mostly waited by the one rule of [`CellResult::mostly_waits`]
/// (its CPU time measured, under half a core on average): runs that need so little CPU are
/// changed little by other programs on the cores (an `io` sleep, a function that waits on the
/// network), so a busy machine is a milder caveat there.
pub fn waits_through_the_load(r: &ResultsFile) -> bool {
    let mut done = r.cells.iter().filter(|c| completed(c)).peekable();
    done.peek().is_some()
        && done.all(|c| c.mostly_waits() && c.cpu.as_ref().is_some_and(|s| s.median > 0.0))
}

/// A run shorter than this measures the models' hand-off more than the work: handing a call to
/// a Python process pool (pickling its argument and result, a pipe round trip each way) costs
/// some 0.1 to 1 ms, a message to a worker process a few hundred µs, and waking a pool thread
/// tens of µs, so below 1 ms a run those fixed costs are as large as the work and decide which
/// model "wins". It applies to every kind of task: a built-in task can be sized that small too.
pub const SHORT_RUN_S: f64 = 0.001;

/// The caveat where the fastest cell ran shorter than [`SHORT_RUN_S`] a run, worded for the
/// task's kind. A `function` task: `Too small to compare the models: each run took 0.21 ms
/// (py-threading × 1, about 26 µs a call over 8 calls): this measures the pool's overhead more
/// than your function; give it bigger arguments.` A built-in task names its kind and says how
/// to make it bigger (more or bigger tasks, or `target_run_s`); a `command` task names the
/// commands. `fastest` is a cell of `r` (for a contention task, its run is the raw cell's, not
/// its per-worker share).
fn short_run_text(r: &ResultsFile, fastest: &CellResult) -> Option<String> {
    let f = &r.experiment.task;
    // The whole run's median, as measured (a contention task compares per-worker shares).
    let raw = fastest
        .model
        .and_then(|m| r.cell(m, fastest.workers))
        .unwrap_or(fastest);
    let run = median(raw);
    if !(run > 0.0 && run < SHORT_RUN_S) {
        return None;
    }
    let took = format!(
        "Too small to compare the models: each run took {} ({}",
        time_words(run),
        cell_name(raw)
    );
    let under = time_words(SHORT_RUN_S);
    if f.kind == TaskKind::Function {
        let calls = f.function.calls();
        let per_call = match calls {
            0 => String::new(),
            n => format!(
                ", about {} a call over {n} call{}",
                time_words(run * raw.workers.max(1) as f64 / n as f64),
                if n == 1 { "" } else { "s" }
            ),
        };
        return Some(format!(
            "{took}{per_call}), under {under}, where handing work to a pool costs about as much as the work: this measures the pool's overhead more than your function; give it bigger arguments (each run at least a few ms)."
        ));
    }
    let (what, bigger) = match f.kind {
        TaskKind::Command => (
            "the commands".to_string(),
            "more tasks or longer commands, so that each run takes at least a few ms",
        ),
        kind => (
            format!("the {} task itself", kind.id()),
            "more or bigger tasks, so that each run takes at least a few ms (`target_run_s` sizes a task to a time)",
        ),
    };
    Some(format!(
        "{took}), under {under}, where handing work to threads or processes (waking a thread: tens of µs; a message to a worker process: hundreds) costs about as much as the work: this measures the models' overhead more than {what}; give it {bigger}."
    ))
}

/// The verdict's first line when a few runs were busy and the sweep was otherwise quiet
/// (`Busyness::MostlyQuiet`).
pub const MOSTLY_QUIET_CAVEAT: &str = "Mostly quiet: other programs competed for the cores during a few timed runs (the busy-machine warning gives the figures); those runs are marked busy, and a comparison that rests on them may be off.";

/// The verdict's one line on a busy machine, where the whole verdict is not shown (above the
/// charts).
pub const BUSY_HEADLINE: &str = "unreliable: the machine was busy, rerun on a quiet machine";

/// The verdict's one line where a one-worker cell beat the baseline clearly
/// ([`suspect_one_worker_cells`]).
pub const ONE_WORKER_HEADLINE: &str =
    "one worker cannot beat sequential: the baseline was disturbed";

/// One line of the verdict: a sentence, ending with a full stop.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictLine {
    pub topic: VerdictTopic,
    pub text: String,
}

/// A one-worker cell whose speedup (its whole interval) is above this beat its baseline by
/// more than the same work on one worker can: the machine favoured it (the table's note says
/// "not comparable", `export::cell_text::one_worker_suspect`).
pub const ONE_WORKER_SUSPECT: f64 = 1.15;

/// The verdict on `r`, best first: empty when no cell completed (an empty or all-failed
/// file). Only completed cells compete: a failed or cancelled (partial) cell is never the
/// fastest, and a model with no completed cell is named as such.
///
/// Where every worker brings its own work (lock contention: weak scaling), cells are compared
/// by their time per worker's share of the work, which is what their (throughput) speedups
/// compare, and no start-up break-even is given (a run's work grows with its workers). Such a
/// task's lesson is its counter, so its verdict leads with the lost updates (or, with a lock,
/// that none were lost) and gives no GIL reading.
pub fn verdict(r: &ResultsFile) -> Vec<VerdictLine> {
    let weak = r.experiment.task.kind == TaskKind::Contention;
    let per_share: Vec<CellResult>;
    let all: &[CellResult] = if weak {
        per_share = r.cells.iter().map(per_worker_share).collect();
        &per_share
    } else {
        &r.cells
    };
    let per = if weak { " per worker's share" } else { "" };
    let done: Vec<&CellResult> = all.iter().filter(|c| completed(c)).collect();
    // Which cells are the baselines, decided once by the results' own rule (not guessed
    // from a speedup of 1), for every line below.
    let baselines = r.baselines();
    let Some(fastest) = done
        .iter()
        .copied()
        .min_by(|a, b| median(a).total_cmp(&median(b)))
    else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut say = |topic, text: String| lines.push(VerdictLine { topic, text });
    // The warning itself, with its figures, is shown beside the verdict everywhere (CLI,
    // report, workbench): the verdict only says what it means for the comparisons.
    match r.machine.busyness() {
        Busyness::Busy if waits_through_the_load(r) => {
            say(VerdictTopic::Caveat, WAITING_BUSY_CAVEAT.to_string())
        }
        Busyness::Busy => say(VerdictTopic::Caveat, BUSY_CAVEAT.to_string()),
        Busyness::MostlyQuiet => say(VerdictTopic::Caveat, MOSTLY_QUIET_CAVEAT.to_string()),
        Busyness::Quiet => {}
    }
    if r.machine.logical_cores == 1 {
        say(VerdictTopic::Caveat, ONE_CORE_CAVEAT.to_string());
    }
    // A contention task's lesson is its counter: what it lost, before how fast it went.
    if weak {
        for text in lost_texts(r) {
            say(VerdictTopic::LostUpdates, text);
        }
    }
    // A one-worker cell clearly faster than the baseline (the fastest cell says so itself).
    let suspects: Vec<String> = suspect_one_worker_cells_of(r, &baselines)
        .into_iter()
        .filter(|c| !(c.model == fastest.model && c.workers == fastest.workers))
        .filter_map(|c| Some(format!("{} ({}×)", cell_name(c), speedup(c.speedup?))))
        .collect();
    if !suspects.is_empty() {
        say(
            VerdictTopic::Caveat,
            format!(
                "Disturbed: {} ran clearly faster than the baseline, which one worker cannot do; the baseline (or that cell) was disturbed, so its speedups are not comparable.",
                join_and(&suspects)
            ),
        );
    }
    if let Some(text) = short_run_text(r, fastest) {
        say(VerdictTopic::Caveat, text);
    }
    let mut fastest_line = fastest_text(r, &baselines, fastest, weak);
    if weak && lost_any(r, fastest) {
        fastest_line.pop();
        fastest_line.push_str(
            "; but its counter lost updates: without a lock this speed buys a wrong count.",
        );
    }
    say(VerdictTopic::Fastest, fastest_line);
    if let Some(text) = sequential_stand_in_text(r, &baselines, fastest, &done) {
        say(VerdictTopic::Comparison, text);
    }
    // The best cell of each other model (sequential is the baseline the speedups already
    // compare with, unless it is the fastest).
    let models = models_in(r.cells.iter());
    let best_of = |m: ModelKind| {
        done.iter()
            .copied()
            .filter(|c| c.model == Some(m))
            .min_by(|a, b| median(a).total_cmp(&median(b)))
    };
    let mut others: Vec<&CellResult> = models
        .iter()
        .filter(|&&m| Some(m) != fastest.model && m != ModelKind::Sequential)
        .filter_map(|&m| best_of(m))
        .collect();
    others.sort_by(|a, b| median(a).total_cmp(&median(b)));
    let busy = busy_for_these_runs(r);
    if let Some(text) = comparison_text(fastest, &others, per, busy) {
        say(VerdictTopic::Comparison, text);
    }
    for &m in &models {
        if m.is_single_worker() {
            continue;
        }
        let cells: Vec<&CellResult> = done
            .iter()
            .copied()
            .filter(|c| c.model == Some(m))
            .collect();
        if let Some(text) = scaling_text(m, &cells, r, &baselines, per) {
            say(VerdictTopic::Scaling, text);
        }
    }
    if let Some(text) = others
        .first()
        .filter(|_| !weak)
        .and_then(|runner| startup_text(r, &baselines, fastest, runner))
    {
        say(VerdictTopic::Startup, text);
    }
    // A contention task measures a counter, not the GIL: a GIL-bound model's gain there is
    // the lock's and the race's, never "this work releases the GIL".
    if !weak {
        for text in gil_lines(r, &done) {
            say(VerdictTopic::Gil, text);
        }
    }
    lines
}

/// The GIL lines: each model's reading on 95% intervals, and for a model with none where some
/// intervals cover less (fewer than 6 runs a cell), what they lean to, said as a leaning
/// ([`gil::tentative`]).
fn gil_lines(r: &ResultsFile, done: &[&CellResult]) -> Vec<String> {
    let judged = gil_texts(r, done, Footing::Judged);
    let models = models_in(done.iter().copied());
    let Some(coverage) = leaning(done, &models) else {
        return judged.into_iter().map(|(_, t)| t).collect();
    };
    let mut lines: Vec<String> = Vec::new();
    let mut said: Vec<ModelKind> = Vec::new();
    for (m, text) in gil_texts(r, done, Footing::Leaning) {
        if judged.iter().any(|(j, _)| *j == m) {
            if !said.contains(&m) {
                lines.extend(
                    judged
                        .iter()
                        .filter(|(j, _)| *j == m)
                        .map(|(_, t)| t.clone()),
                );
            }
        } else {
            lines.push(gil::tentative(&text, coverage));
        }
        said.push(m);
    }
    // A judged reading with no leaning one (never, as a 95% interval is also one).
    lines.extend(
        judged
            .iter()
            .filter(|(m, _)| !said.contains(m))
            .map(|(_, t)| t.clone()),
    );
    lines
}

/// The completed one-worker cells of `r` (the baseline's own aside) whose speedup, its whole
/// interval, is above [`ONE_WORKER_SUSPECT`]: the same work on one worker cannot beat the
/// baseline by that much, so the baseline (or the cell) was disturbed.
pub fn suspect_one_worker_cells(r: &ResultsFile) -> Vec<&CellResult> {
    suspect_one_worker_cells_of(r, &r.baselines())
}

/// [`suspect_one_worker_cells`] with `r`'s baselines already worked out.
fn suspect_one_worker_cells_of<'a>(
    r: &'a ResultsFile,
    baselines: &Baselines,
) -> Vec<&'a CellResult> {
    r.cells
        .iter()
        .filter(|c| completed(c) && !baselines.is_baseline(c) && one_worker_favoured(c))
        .collect()
}

/// A one-worker cell whose speedup, its whole interval (or the speedup where there is none), is
/// above [`ONE_WORKER_SUSPECT`]: the same work on one worker cannot beat the baseline by that
/// much. The one rule of the verdict, its headline and the cell's hover.
pub fn one_worker_favoured(c: &CellResult) -> bool {
    c.workers == 1
        && c.speedup
            .is_some_and(|s| c.speedup_ci_low.unwrap_or(s) > ONE_WORKER_SUSPECT)
}

/// The verdict in one line, for where the whole of it is not shown (above the charts): what
/// makes it unreliable first (a busy machine, one core, a disturbed baseline), then its first
/// finding (the lost updates of a contention task, else the fastest cell). `None` where the
/// verdict is empty.
pub fn headline(r: &ResultsFile) -> Option<String> {
    headline_of(r, &verdict(r))
}

/// [`headline`] from the verdict's `lines`, already worked out.
pub fn headline_of(r: &ResultsFile, lines: &[VerdictLine]) -> Option<String> {
    let finding = lines.iter().find(|l| l.topic != VerdictTopic::Caveat)?;
    let mut warnings: Vec<&str> = Vec::new();
    if busy_for_these_runs(r) {
        warnings.push(BUSY_HEADLINE);
    }
    if r.machine.logical_cores == 1 {
        warnings.push("one core: nothing ran in parallel");
    }
    if !suspect_one_worker_cells(r).is_empty() {
        warnings.push(ONE_WORKER_HEADLINE);
    }
    Some(match warnings.is_empty() {
        true => finding.text.clone(),
        false => {
            let mut head = warnings.join("; ");
            if let Some(first) = head.get(..1) {
                head = first.to_uppercase() + &head[1..];
            }
            format!("{head}. {}", finding.text)
        }
    })
}

/// What the verdict needs of a cell of a weak-scaling sweep, its median and interval divided
/// by its workers: the time per worker's share of the work (its speedup is already the
/// throughput's).
fn per_worker_share(c: &CellResult) -> CellResult {
    let n = c.workers.max(1) as f64;
    CellResult {
        model: c.model,
        workers: c.workers,
        status: c.status,
        startup_s: c.startup_s,
        import_s: c.import_s,
        wall: c.wall.as_ref().map(|w| crate::stats::Summary {
            median: w.median / n,
            median_ci_low: w.median_ci_low / n,
            median_ci_high: w.median_ci_high / n,
            outliers: Vec::new(),
            ..w.clone()
        }),
        speedup: c.speedup,
        speedup_ci_low: c.speedup_ci_low,
        speedup_ci_high: c.speedup_ci_high,
        speedup_ci_coverage: c.speedup_ci_coverage,
        ..CellResult::default()
    }
}

/// The models of `cells`, each once, in the order they first appear.
fn models_in<'a>(cells: impl Iterator<Item = &'a CellResult>) -> Vec<ModelKind> {
    let mut models: Vec<ModelKind> = Vec::new();
    for m in cells.filter_map(|c| c.model) {
        if !models.contains(&m) {
            models.push(m);
        }
    }
    models
}

/// A completed cell with a median: the only kind that competes.
pub(super) fn completed(c: &CellResult) -> bool {
    c.status == CellStatus::Ok && c.model.is_some() && c.wall.is_some()
}

fn median(c: &CellResult) -> f64 {
    c.wall.as_ref().map_or(f64::INFINITY, |w| w.median)
}

fn interval(c: &CellResult) -> Option<(MedianInterval, f64)> {
    let w = c.wall.as_ref()?;
    Some((
        MedianInterval {
            median: w.median,
            low: w.median_ci_low,
            high: w.median_ci_high,
        },
        w.median_ci_coverage,
    ))
}

/// `threads × 4`.
fn cell_name(c: &CellResult) -> String {
    format!("{} × {}", c.model_id(), c.workers)
}

/// A time for a sentence, to about three figures: `0.41 s`, `12.3 s`, `120 ms`, `4.5 ms`,
/// `85 µs`.
pub fn time_words(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 0.1 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{:.0} ms", s * 1e3)
    } else if s >= 0.001 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// A start-up for a sentence: milliseconds below a second (`120 ms`, `4.5 ms`), as the
/// tables give start-ups, else [`time_words`].
fn startup_words(s: f64) -> String {
    if !(0.001..1.0).contains(&s) {
        time_words(s)
    } else if s >= 0.0095 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

/// `, a 75% interval: fewer than 6 runs` where `coverage` is below 95%.
fn coverage_words(coverage: f64) -> String {
    if coverage < FULL_COVERAGE {
        format!(", a {:.0}% interval: fewer than 6 runs", coverage * 100.0)
    } else {
        String::new()
    }
}

/// Why an interval clear of 1 below 95% coverage decides nothing: `3 runs a cell are too few
/// to call it a real difference at 95% (6 runs a cell are needed)`.
fn too_few_words(coverage: f64) -> String {
    format!(
        "{} a real difference at 95% ({JUDGED_RUNS} runs a cell are needed)",
        too_few_to_call(coverage)
    )
}

/// `3 runs a cell are too few to call it`: the runs a cell behind an interval of `coverage`
/// ([`runs_giving`]).
fn too_few_to_call(coverage: f64) -> String {
    format!(
        "{} runs a cell are too few to call it",
        runs_giving(coverage)
    )
}

/// The cell's speedup with `base` (what it is relative to, or nothing) and its interval,
/// `1.9× the baseline [1.7–2.1]`, its coverage where below 95%, or that a single run has no
/// interval.
fn speedup_words(c: &CellResult, base: &str) -> Option<String> {
    let s = c.speedup?;
    let head = |s: &str| match base {
        "" => format!("{s}×"),
        base => format!("{s}× {base}"),
    };
    Some(
        match (c.speedup_ci_low, c.speedup_ci_high, c.speedup_ci_coverage) {
            (Some(lo), Some(hi), Some(cov)) if cov >= ONE_RUN_COVERAGE => {
                let [s, lo, hi] = value_and_range(s, lo, hi, speedup);
                format!("{} [{lo}–{hi}{}]", head(&s), coverage_words(cov))
            }
            (Some(_), Some(_), _) => {
                format!("{}, from a single run (no interval)", head(&speedup(s)))
            }
            _ => head(&speedup(s)),
        },
    )
}

/// `the baseline` or, for speedups against each model's own one worker, `its own 1-worker time`.
fn baseline_words(r: &ResultsFile) -> &'static str {
    match r.experiment.baseline {
        Baseline::Sequential => "the baseline",
        Baseline::SameModelOneWorker => "its own 1-worker time",
    }
}

/// How many times as long `other` took as `fastest`, with the interval of that ratio
/// ([`speedup_interval`] of the two medians) and its coverage.
struct Ratio {
    value: f64,
    low: f64,
    high: f64,
    coverage: f64,
}

fn ratio(fastest: &CellResult, other: &CellResult) -> Option<Ratio> {
    let (f, fcov) = interval(fastest)?;
    let (o, ocov) = interval(other)?;
    let (low, high) = speedup_interval(o, f)?;
    Some(Ratio {
        value: o.median / f.median,
        low,
        high,
        coverage: fcov.min(ocov),
    })
}

/// A time ratio for a sentence, to three significant figures at most: `1.25`, `12.3`, `539`
/// (a ratio of noisy medians has no more).
fn ratio_words(x: f64) -> String {
    if x >= 99.95 {
        format!("{x:.0}")
    } else if x >= 9.995 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// The most decimals the verdict gives a ratio to keep its interval true.
const MAX_PLACES: usize = 6;

/// The decimals in a number as printed: 2 in `1.25`, 0 in `539`.
fn decimals_in(printed: &str) -> usize {
    printed.split_once('.').map_or(0, |(_, d)| d.len())
}

/// A value and its interval about 1 (a speedup, a time ratio) for a sentence: each as `words`
/// writes it, unless that would misstate the interval (`1.00–1.02` for an interval clear of
/// 1, `[4.0–4.0]` for one with width); then all three at the fewest decimals, no fewer than
/// `words` gives the ends, that part the ends and keep them clear of 1 ([`interval_places`]):
/// an interval 1.004–1.02 reads `1.004–1.020`.
fn value_and_range(value: f64, low: f64, high: f64, words: fn(f64) -> String) -> [String; 3] {
    let (lo, hi) = (words(low), words(high));
    let read = |printed: &str, x: f64| printed.parse::<f64>().unwrap_or(x);
    let (l, h) = (read(&lo, low), read(&hi, high));
    let true_to_it = (low >= high || l < h) && (low <= 1.0 || l > 1.0) && (high >= 1.0 || h < 1.0);
    if true_to_it {
        return [words(value), lo, hi];
    }
    let usual = decimals_in(&lo).max(decimals_in(&hi));
    let d = interval_places(low, high, 1.0, usual, MAX_PLACES.max(usual));
    [value, low, high].map(|x| format!("{x:.d$}"))
}

/// A time ratio and its interval for a sentence, as [`ratio_words`] writes them, or with the
/// decimals that keep the interval true ([`value_and_range`]).
fn ratio_and_range(q: &Ratio) -> [String; 3] {
    value_and_range(q.value, q.low, q.high, ratio_words)
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn workers_words(n: usize) -> String {
    crate::words::count(n, "worker")
}

/// The interval of a cell's speedup, where it rests on more than single runs
/// ([`crate::results::gil_rule::speedup_interval`]).
pub(super) fn speedup_ci(c: &CellResult) -> Option<(f64, f64)> {
    crate::results::gil_rule::speedup_interval(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::LoadSummary;

    /// A cell of `model × workers` whose runs took `walls` seconds.
    pub(super) fn cell(model: ModelKind, workers: usize, walls: &[f64]) -> CellResult {
        CellResult::with_walls(model, workers, walls)
    }

    /// Six runs within ±1% of `t`: a tight 95% interval (97% coverage).
    pub(super) fn six(t: f64) -> Vec<f64> {
        [0.99, 0.995, 1.0, 1.0, 1.005, 1.01]
            .iter()
            .map(|f| f * t)
            .collect()
    }

    pub(super) fn file(cells: Vec<CellResult>) -> ResultsFile {
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.recompute();
        r
    }

    pub(super) fn function_file(cells: Vec<CellResult>) -> ResultsFile {
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.experiment.task.kind = TaskKind::Function;
        r.experiment.baseline = crate::preset::Baseline::SameModelOneWorker;
        r.recompute();
        r
    }

    pub(super) fn texts(r: &ResultsFile) -> Vec<String> {
        verdict(r).into_iter().map(|l| l.text).collect()
    }

    pub(super) fn of(r: &ResultsFile, topic: VerdictTopic) -> Vec<String> {
        verdict(r)
            .into_iter()
            .filter(|l| l.topic == topic)
            .map(|l| l.text)
            .collect()
    }

    /// Pure Python under the GIL: py-threading stays at 1×, py-multiprocessing nearly doubles.
    pub(super) fn pure_python() -> ResultsFile {
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(0.8)),
            cell(ModelKind::PyThreading, 1, &six(0.8)),
            cell(ModelKind::PyThreading, 2, &six(0.82)),
            cell(ModelKind::PyMultiprocessing, 1, &six(0.8)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.42)),
        ];
        for c in &mut cells {
            c.startup_s = match c.model {
                Some(ModelKind::PyThreading) => Some(0.02),
                Some(ModelKind::PyMultiprocessing) => Some(0.14),
                _ => None,
            };
        }
        file(cells)
    }

    #[test]
    fn the_baseline_cell_is_read_from_the_results_rule_not_guessed_from_its_speedup() {
        // threads × 2, one run exactly as long as the baseline's median: speedup exactly 1.
        // Without its interval it looks as the baseline's own cell looks (speedup 1, no
        // interval), which the verdict once took for the baseline.
        let mut r = file(vec![
            cell(ModelKind::Threads, 2, &[1.0]),
            cell(ModelKind::Sequential, 1, &six(1.0)),
        ]);
        let lone = &mut r.cells[0];
        assert_eq!(lone.speedup, Some(1.0));
        (
            lone.speedup_ci_low,
            lone.speedup_ci_high,
            lone.speedup_ci_coverage,
        ) = (None, None, None);
        let fastest = of(&r, VerdictTopic::Fastest);
        assert_eq!(fastest.len(), 1);
        assert!(
            fastest[0].starts_with("Fastest: threads × 2, 1.00 s ("),
            "{fastest:?}"
        );
        assert!(!fastest[0].contains("itself"), "{fastest:?}");
        let scaling = of(&r, VerdictTopic::Scaling).join("\n");
        assert!(
            scaling.starts_with("threads: best 1.0× at 2 workers"),
            "{scaling}"
        );
        assert!(!scaling.contains("baseline itself"), "{scaling}");
        // The baseline of several runs, carrying an interval as a file may: still the baseline.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(1.2)),
        ]);
        let base = &mut r.cells[0];
        (
            base.speedup_ci_low,
            base.speedup_ci_high,
            base.speedup_ci_coverage,
        ) = (Some(0.98), Some(1.02), Some(0.97));
        assert_eq!(
            of(&r, VerdictTopic::Fastest),
            [
                "Fastest: sequential × 1, 1.00 s, the sequential baseline itself: no model ran this work faster."
            ]
        );
        // Against each model's own one worker: threads × 1 is threads' baseline, whatever its
        // fields say; threads × 2 is not.
        let mut r = file(vec![
            cell(ModelKind::Threads, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(1.1)),
        ]);
        r.experiment.baseline = crate::preset::Baseline::SameModelOneWorker;
        r.recompute();
        r.cells[0].speedup_ci_low = Some(0.98);
        r.cells[0].speedup_ci_high = Some(1.02);
        let scaling = of(&r, VerdictTopic::Scaling);
        assert_eq!(
            scaling,
            ["threads: best at 1 worker, its own baseline: more workers never ran faster."]
        );
    }

    #[test]
    fn failed_and_partial_cells_are_never_the_fastest() {
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.6)),
            cell(ModelKind::Processes, 2, &six(0.3)),
            cell(ModelKind::Rayon, 2, &[0.2, 0.2]),
        ];
        cells[2].status = CellStatus::Failed;
        cells[2].error = Some("boom".into());
        cells[3].status = CellStatus::Cancelled;
        let r = file(cells);
        let t = texts(&r);
        assert!(t[0].starts_with("Fastest: threads × 2"), "{t:?}");
        let s = of(&r, VerdictTopic::Scaling);
        assert!(
            s.contains(
                &"processes: no cell completed (failed or cancelled), so it is not compared."
                    .to_string()
            ),
            "{s:?}"
        );
        assert!(
            s.contains(
                &"rayon: no cell completed (failed or cancelled), so it is not compared."
                    .to_string()
            ),
            "{s:?}"
        );
    }

    #[test]
    fn a_one_worker_cell_clearly_faster_than_its_baseline_is_not_comparable() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Processes, 1, &six(0.5)),
            cell(ModelKind::Processes, 2, &six(0.6)),
        ]);
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.starts_with("Fastest: processes × 1, 0.50 s (2.00× the baseline [1.97–2.03]"),
            "{f}"
        );
        assert!(
            f.ends_with("the machine favoured this cell, so it is not comparable."),
            "{f}"
        );
        // Within the noise of the baseline (1.1×): not flagged.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Processes, 1, &six(0.91)),
        ]);
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(!f.contains("favoured"), "{f}");
    }

    #[test]
    fn weak_scaling_compares_time_per_workers_share() {
        // Lock contention: every worker brings its own increments. processes × 4 takes 1.6 s
        // for four shares (0.4 s a share), threads × 1 1 s for one: × 4 is the fastest per
        // share, though its run is longer; no start-up break-even for work that grows with
        // the workers, though processes start slower.
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 1, &six(1.0)),
            cell(ModelKind::Threads, 4, &six(2.0)),
            cell(ModelKind::Processes, 4, &six(1.6)),
        ];
        cells[3].startup_s = Some(0.05);
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.experiment.task.kind = TaskKind::Contention;
        r.recompute();
        let t = texts(&r);
        assert!(
            t[0].starts_with(
                "Fastest per worker's share of the work: processes × 4, 0.40 s a share (2.50× the baseline's throughput [2.46–2.54]"
            ),
            "{t:?}"
        );
        assert!(
            t[1].starts_with("Runner-up: threads × 4 took 1.25× as long per worker's share ("),
            "{t:?}"
        );
        assert!(of(&r, VerdictTopic::Startup).is_empty(), "{t:?}");
        // The same cells as strong scaling: the shortest run wins, and the start-up is weighed.
        r.experiment.task.kind = TaskKind::Cpu;
        r.recompute();
        let t = texts(&r);
        assert!(t[0].starts_with("Fastest: sequential × 1, 1.00 s"), "{t:?}");
    }

    #[test]
    fn an_empty_or_all_failed_file_has_no_verdict() {
        assert!(verdict(&ResultsFile::default()).is_empty());
        let mut cells = vec![cell(ModelKind::Sequential, 1, &six(1.0))];
        cells[0].status = CellStatus::Failed;
        assert!(verdict(&file(cells)).is_empty());
    }

    #[test]
    fn a_single_model_at_a_single_count_is_short_and_right() {
        let r = file(vec![cell(ModelKind::Threads, 4, &six(0.3))]);
        let t = texts(&r);
        // No baseline measured: no speedup, no comparison, nothing invented.
        assert_eq!(
            t,
            [
                "Fastest: threads × 4, 0.30 s.",
                "threads: fastest at 4 workers, 0.30 s (no baseline to compare with)."
            ]
        );
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 4, &six(0.3)),
        ]);
        let t = texts(&r);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(
            t[1].ends_with("at 4 workers (one worker count measured)."),
            "{}",
            t[1]
        );
    }

    #[test]
    fn a_few_busy_runs_in_a_quiet_sweep_are_a_caveat_not_unreliable() {
        // 1 busy run of 45 at 0.06 of a core on average had read like 42 of 42 at 1.33 cores.
        let mut r = pure_python();
        let load = |busy_runs, mean_other_cores| LoadSummary {
            runs: 45,
            busy_runs,
            max_other_cores: 0.9,
            mean_other_cores,
            usable_cores: 2.0,
            busy: false,
            ..LoadSummary::default()
        };
        r.machine.load_during_runs = Some(load(1, 0.06));
        assert!(
            r.machine.busy_warning().is_some(),
            "the runs are still named"
        );
        assert_eq!(r.machine.busyness(), Busyness::MostlyQuiet);
        let lines = verdict(&r);
        assert_eq!(lines[0].text, MOSTLY_QUIET_CAVEAT);
        assert!(!lines.iter().any(|l| l.text == BUSY_CAVEAT));
        let h = headline(&r).unwrap();
        assert!(!h.starts_with("Unreliable"), "{h}");
        // More than a tenth of the runs, or more load over all of them, is busy.
        for (busy_runs, mean) in [(5, 0.06), (1, 0.3)] {
            r.machine.load_during_runs = Some(load(busy_runs, mean));
            assert_eq!(r.machine.busyness(), Busyness::Busy, "{busy_runs} {mean}");
            assert_eq!(verdict(&r)[0].text, BUSY_CAVEAT);
        }
    }

    #[test]
    fn a_run_under_a_millisecond_measures_the_pool_not_the_function() {
        // cpu.json: `crunch` over range 8, medians 0.21 ms and 0.63 ms, had drawn "Runner-up:
        // py-multiprocessing × 1 took 3.00× as long: a real difference" with no warning.
        let tiny = |t: f64| {
            let mut r = function_file(vec![
                cell(ModelKind::PyThreading, 1, &six(t)),
                cell(ModelKind::PyMultiprocessing, 1, &six(3.0 * t)),
            ]);
            r.experiment.task.function.range = Some(8);
            r
        };
        let r = tiny(0.00021);
        let caveats = of(&r, VerdictTopic::Caveat);
        assert_eq!(
            caveats,
            [
                "Too small to compare the models: each run took 210 µs (py-threading × 1, about 26 µs a call over 8 calls), under 1.0 ms, where handing work to a pool costs about as much as the work: this measures the pool's overhead more than your function; give it bigger arguments (each run at least a few ms)."
            ]
        );
        assert_eq!(verdict(&r)[0].text, caveats[0]);
        // A run of 5 ms is the function's own: no caveat.
        assert!(of(&tiny(0.005), VerdictTopic::Caveat).is_empty());
    }

    #[test]
    fn a_run_under_a_millisecond_is_too_small_for_every_kind_of_task() {
        // tiny.json: a cpu task of 8 tasks of primes up to 2000, sequential 18 µs a run, had
        // drawn "Runner-up: rayon × 1 took 2.29× as long: clear of these runs' noise".
        let tiny = |kind: TaskKind, t: f64| {
            let mut r = file(vec![
                cell(ModelKind::Sequential, 1, &six(t)),
                cell(ModelKind::Rayon, 1, &six(2.3 * t)),
                cell(ModelKind::Threads, 1, &six(4.0 * t)),
            ]);
            r.experiment.task.kind = kind;
            r.recompute();
            r
        };
        let r = tiny(TaskKind::Cpu, 0.000018);
        let caveats = of(&r, VerdictTopic::Caveat);
        assert_eq!(
            caveats,
            [
                "Too small to compare the models: each run took 18 µs (sequential × 1), under 1.0 ms, where handing work to threads or processes (waking a thread: tens of µs; a message to a worker process: hundreds) costs about as much as the work: this measures the models' overhead more than the cpu task itself; give it more or bigger tasks, so that each run takes at least a few ms (`target_run_s` sizes a task to a time)."
            ]
        );
        assert_eq!(verdict(&r)[0].text, caveats[0], "said first");
        for kind in [TaskKind::Memory, TaskKind::Io, TaskKind::Mixed] {
            let c = of(&tiny(kind, 0.0002), VerdictTopic::Caveat);
            assert_eq!(c.len(), 1, "{kind:?}: {c:?}");
            assert!(
                c[0].contains(&format!("the {} task itself", kind.id())),
                "{c:?}"
            );
            assert!(!c[0].contains("your function"), "{c:?}");
        }
        let c = of(&tiny(TaskKind::Command, 0.0005), VerdictTopic::Caveat);
        assert!(c[0].contains("more than the commands"), "{c:?}");
        assert!(c[0].contains("more tasks or longer commands"), "{c:?}");
        // Runs of a few ms are the work's own, whatever the kind.
        for kind in TaskKind::ALL {
            assert!(
                of(&tiny(kind, 0.004), VerdictTopic::Caveat).is_empty(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn a_busy_machine_is_a_milder_caveat_where_every_run_mostly_waited() {
        // ior.json: `fetch` sleeps 50 ms; its runs used 0.005 to 0.04 of a core on a loaded
        // machine, and had been headed "Unreliable".
        let waiting = |model, workers, wall: f64, cores: f64| {
            let mut c = cell(model, workers, &six(wall));
            for s in &mut c.samples {
                s.cpu_s = s.wall_s * cores;
            }
            c
        };
        let mut r = function_file(vec![
            waiting(ModelKind::PyThreading, 1, 0.2, 0.01),
            waiting(ModelKind::PyThreading, 2, 0.1, 0.02),
            waiting(ModelKind::PyMultiprocessing, 1, 0.2, 0.005),
            waiting(ModelKind::PyMultiprocessing, 2, 0.101, 0.04),
        ]);
        let load = LoadSummary {
            runs: 24,
            busy_runs: 20,
            max_other_cores: 1.7,
            mean_other_cores: 1.5,
            usable_cores: 2.0,
            busy: true,
            ..LoadSummary::default()
        };
        r.machine.load_during_runs = Some(load.clone());
        assert_eq!(r.machine.busyness(), Busyness::Busy);
        assert!(waits_through_the_load(&r));
        assert!(!busy_for_these_runs(&r));
        let lines = verdict(&r);
        assert_eq!(lines[0].text, WAITING_BUSY_CAVEAT);
        assert!(
            !texts(&r).iter().any(|t| t.starts_with("Unreliable")),
            "{:?}",
            texts(&r)
        );
        let h = headline(&r).unwrap();
        assert!(h.starts_with("Fastest: "), "{h}");
        // One cell that computes (a full core) is enough for the load to matter again.
        r.cells[3] = waiting(ModelKind::PyMultiprocessing, 2, 0.101, 1.0);
        r.recompute();
        assert!(busy_for_these_runs(&r));
        assert_eq!(verdict(&r)[0].text, BUSY_CAVEAT);
        assert!(
            headline(&r)
                .unwrap()
                .starts_with("Unreliable: the machine was busy")
        );
        // CPU not measured (0) is not a wait: the busy caveat stands.
        let mut r = pure_python();
        r.machine.load_during_runs = Some(load);
        assert!(!waits_through_the_load(&r));
        assert_eq!(verdict(&r)[0].text, BUSY_CAVEAT);
    }

    #[test]
    fn a_busy_machine_makes_every_comparison_unreliable() {
        let mut r = pure_python();
        r.machine.load_during_runs = Some(LoadSummary {
            runs: 30,
            busy_runs: 12,
            max_other_cores: 1.2,
            mean_other_cores: 0.6,
            usable_cores: 2.0,
            busy: true,
            ..LoadSummary::default()
        });
        let lines = verdict(&r);
        assert!(r.machine.busy_warning().is_some());
        assert_eq!(lines[0].topic, VerdictTopic::Caveat);
        assert_eq!(lines[0].text, BUSY_CAVEAT);
        assert_eq!(lines[1].topic, VerdictTopic::Fastest);
        // The caveat says every comparison is unreliable: no line below calls one real.
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(!c[0].contains("a real difference"), "{}", c[0]);
        assert!(
            c[0].ends_with("): clear of these runs' noise, but the busy machine may have made it."),
            "{}",
            c[0]
        );
        // In one line, where the chart is: unreliable first, then the fastest.
        let h = headline(&r).unwrap();
        assert!(
            h.starts_with("Unreliable: the machine was busy, rerun on a quiet machine. Fastest: "),
            "{h}"
        );
        // Quiet: the fastest alone.
        assert_eq!(
            headline(&pure_python()),
            Some(of(&pure_python(), VerdictTopic::Fastest)[0].clone())
        );
        assert_eq!(headline(&file(Vec::new())), None);
    }

    #[test]
    fn a_disturbed_baseline_is_flagged_even_where_its_cell_is_not_the_fastest() {
        // processes × 1 at 0.5 s against a 1 s baseline (2×): one worker cannot do that.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Processes, 1, &six(0.5)),
            cell(ModelKind::Processes, 2, &six(0.3)),
        ]);
        let suspects = suspect_one_worker_cells(&r);
        assert_eq!(suspects.len(), 1);
        assert_eq!(suspects[0].model, Some(ModelKind::Processes));
        let caveats = of(&r, VerdictTopic::Caveat);
        assert_eq!(caveats.len(), 1, "{caveats:?}");
        assert!(
            caveats[0].starts_with("Disturbed: processes × 1 (2.0×) ran clearly faster than the baseline, which one worker cannot do"),
            "{}",
            caveats[0]
        );
        let h = headline(&r).unwrap();
        assert!(
            h.starts_with(
                "One worker cannot beat sequential: the baseline was disturbed. Fastest: processes × 2"
            ),
            "{h}"
        );
        // The fastest cell flags itself: no second line for it.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Processes, 1, &six(0.5)),
            cell(ModelKind::Processes, 2, &six(0.6)),
        ]);
        assert!(of(&r, VerdictTopic::Caveat).is_empty());
        assert!(
            headline(&r)
                .unwrap()
                .starts_with("One worker cannot beat sequential")
        );
        // Within the noise (1.1×): nothing.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Processes, 1, &six(0.91)),
        ]);
        assert!(suspect_one_worker_cells(&r).is_empty());
        assert!(headline(&r).unwrap().starts_with("Fastest: "));
    }

    #[test]
    fn one_core_says_the_curves_cannot_show_scaling() {
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 1, &six(1.0)),
            cell(ModelKind::Processes, 1, &six(1.01)),
        ]);
        r.machine.logical_cores = 1;
        let lines = verdict(&r);
        assert_eq!(lines[0].topic, VerdictTopic::Caveat);
        assert_eq!(lines[0].text, ONE_CORE_CAVEAT);
        r.machine.logical_cores = 2;
        assert!(verdict(&r).iter().all(|l| l.text != ONE_CORE_CAVEAT));
    }

    #[test]
    fn times_read_to_about_three_figures() {
        assert_eq!(time_words(12.345), "12.3 s");
        assert_eq!(time_words(0.4123), "0.41 s");
        assert_eq!(time_words(0.12), "0.12 s");
        assert_eq!(time_words(0.0456), "46 ms");
        assert_eq!(time_words(0.0045), "4.5 ms");
        assert_eq!(time_words(0.000085), "85 µs");
        assert_eq!(startup_words(0.1499), "150 ms");
        assert_eq!(startup_words(0.0999), "100 ms");
        assert_eq!(startup_words(0.0063), "6.3 ms");
        assert_eq!(startup_words(2.5), "2.50 s");
    }

    #[test]
    fn a_ratio_and_its_interval_get_the_decimals_that_keep_the_interval_true() {
        type Case = (f64, f64, f64, fn(f64) -> String, [&'static str; 3]);
        let cases: [Case; 8] = [
            // Ordinary intervals read as before.
            (1.9, 1.83, 2.07, ratio_words, ["1.90", "1.83", "2.07"]),
            (12.3, 11.8, 13.1, ratio_words, ["12.3", "11.8", "13.1"]),
            (1.9, 1.7, 2.1, speedup, ["1.9", "1.7", "2.1"]),
            // Holding 1: "0.99–1.02" is true as it stands.
            (1.0, 0.99, 1.02, ratio_words, ["1.00", "0.99", "1.02"]),
            // Clear of 1, yet "1.00–1.02" at two decimals: three.
            (1.01, 1.004, 1.02, ratio_words, ["1.010", "1.004", "1.020"]),
            // Below 1 and clear of it, "1.00 – 1.00" at two decimals.
            (
                0.99533,
                0.995159,
                0.995510,
                ratio_words,
                ["0.995", "0.995", "0.996"],
            ),
            // A speedup interval with width that one decimal shows as "4.0–4.0".
            (
                3.99425,
                3.9941,
                3.9944,
                speedup,
                ["3.9943", "3.9941", "3.9944"],
            ),
            // Tied runs: no width to show, the usual decimals.
            (2.0, 2.0, 2.0, speedup, ["2.0", "2.0", "2.0"]),
        ];
        for (value, low, high, words, printed) in cases {
            assert_eq!(
                value_and_range(value, low, high, words),
                printed,
                "{value} [{low}, {high}]"
            );
        }
    }

    /// 11 runs a cell about 10 µs apart, as in the statistics review's round.json: speedups
    /// known to ±0.03%.
    fn tight(t: f64) -> Vec<f64> {
        (0..11)
            .map(|i| t * (1.0 + (i as f64 - 5.0) * 3.1e-5))
            .collect()
    }

    #[test]
    fn a_tight_interval_is_printed_with_its_real_ends() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &tight(0.32)),
            cell(ModelKind::Threads, 1, &tight(0.3215)),
            cell(ModelKind::Threads, 2, &tight(0.1603)),
            cell(ModelKind::Threads, 4, &tight(0.0801)),
        ]);
        let scaling = of(&r, VerdictTopic::Scaling).join("\n");
        assert!(!scaling.contains("[4.0–4.0]"), "{scaling}");
        // The interval 3.994–3.996 has width: two decimals show it, and the value with it.
        assert_eq!(
            scaling,
            "threads: best 4.00× [3.99–4.00] at 4 workers, the most workers measured."
        );
    }
}

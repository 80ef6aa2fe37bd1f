//! The verdict: in a few plain lines, what a results file says about the choice its user came
//! to make (threads or processes, for this job). Which cell was fastest and whether the best
//! cell of each other model can be told apart from it, how each model scaled, when a larger
//! start-up pays for itself, and what the GIL has to do with it, each only as far as the
//! medians' intervals support. Pure: the CLI, the Markdown report and the workbench print
//! the same lines.

use super::gil_lesson::{scaled, stayed_flat};
use super::interval_words::speedup;
use crate::preset::{Baseline, IoMode, ModelKind, SyncMode, TaskKind};
use crate::results::{Busyness, CellResult, CellStatus, LostShare, ResultsFile, lost_share};
use crate::stats::{MedianInterval, speedup_interval};

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

/// Below this coverage an interval is stated with its coverage (fewer than 6 runs).
const FULL_COVERAGE: f64 = 0.95 - 1e-9;
/// A one-worker cell whose speedup (its whole interval) is above this beat its baseline by
/// more than the same work on one worker can: the machine favoured it (the table's note says
/// "not comparable", `export::cell_text::one_worker_suspect`).
pub const ONE_WORKER_SUSPECT: f64 = 1.15;
/// Below this coverage one of the two medians is a single run: no interval at all.
const ONE_RUN_COVERAGE: f64 = 0.25;

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
    let suspects: Vec<String> = suspect_one_worker_cells(r)
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
    let mut fastest_line = fastest_text(r, fastest, weak);
    if weak && lost_any(r, fastest) {
        fastest_line.pop();
        fastest_line.push_str(
            "; but its counter lost updates: without a lock this speed buys a wrong count.",
        );
    }
    say(VerdictTopic::Fastest, fastest_line);
    if let Some(text) = sequential_stand_in_text(r, fastest, &done) {
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
    let busy = r.machine.busyness() == Busyness::Busy;
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
        if let Some(text) = scaling_text(m, &cells, r, per) {
            say(VerdictTopic::Scaling, text);
        }
    }
    if let Some(text) = others
        .first()
        .filter(|_| !weak)
        .and_then(|runner| startup_text(r, fastest, runner))
    {
        say(VerdictTopic::Startup, text);
    }
    // A contention task measures a counter, not the GIL: a GIL-bound model's gain there is
    // the lock's and the race's, never "this work releases the GIL".
    if !weak {
        for text in gil_texts(r, &done) {
            say(VerdictTopic::Gil, text);
        }
    }
    lines
}

/// The completed one-worker cells of `r` (the baseline's own aside) whose speedup, its whole
/// interval, is above [`ONE_WORKER_SUSPECT`]: the same work on one worker cannot beat the
/// baseline by that much, so the baseline (or the cell) was disturbed.
pub fn suspect_one_worker_cells(r: &ResultsFile) -> Vec<&CellResult> {
    r.cells
        .iter()
        .filter(|c| completed(c) && !is_baseline_cell(c) && one_worker_favoured(c))
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
    if r.machine.busyness() == Busyness::Busy {
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

/// A function task has no sequential baseline (the sequential model cannot call Python):
/// which one-worker cell stands in for "stay sequential", a plain loop in one interpreter
/// (`py-threading × 1`, else the fastest one-worker Python cell), and how the fastest cell
/// compares with it. `None` for other tasks, or without such a cell.
fn sequential_stand_in_text(
    r: &ResultsFile,
    fastest: &CellResult,
    done: &[&CellResult],
) -> Option<String> {
    if r.experiment.task.kind != TaskKind::Function {
        return None;
    }
    let one_worker = || done.iter().copied().filter(|c| c.workers == 1);
    let stand_in = one_worker()
        .find(|c| c.model == Some(ModelKind::PyThreading))
        .or_else(|| one_worker().min_by(|a, b| median(a).total_cmp(&median(b))))?;
    let name = cell_name(stand_in);
    let what = "one call at a time in one interpreter, the nearest to a plain loop, which the sequential model cannot run for a Python function";
    if cell_name(fastest) == name {
        return Some(format!(
            "Staying sequential: {name} ({what}) was the fastest, {}; no model beat it.",
            time_words(median(stand_in))
        ));
    }
    let q = median(stand_in) / median(fastest);
    Some(format!(
        "Staying sequential: {name} ({what}) took {}; {} took {}, about {q:.1}× faster.",
        time_words(median(stand_in)),
        cell_name(fastest),
        time_words(median(fastest))
    ))
}

/// Whether any timed run of the completed cell of `r` that `c` stands for (same model and
/// workers) lost updates.
fn lost_any(r: &ResultsFile, c: &CellResult) -> bool {
    r.cells
        .iter()
        .filter(|o| completed(o) && o.model == c.model && o.workers == c.workers)
        .any(|o| lost_share(r, o).is_some_and(|s| s.any()))
}

/// What one cell's runs lost, in the long form the chart's hover uses too
/// ([`LostShare::long_words`]): `threads × 2 lost a median 40% of the 2000 increments a run
/// asked for (in 14 of 31 runs, from 0% to 47%, up to 940 in one run)`.
fn lost_words(c: &CellResult, s: &LostShare) -> String {
    format!("{} {}", cell_name(c), s.long_words())
}

/// What the lock of a contention task is, for a sentence: `a lock (mutex)`.
fn sync_words(sync: SyncMode) -> &'static str {
    match sync {
        SyncMode::Mutex => "a lock (mutex)",
        SyncMode::Atomic => "atomic increments",
        SyncMode::Channel => "one owner fed by a channel",
        SyncMode::Semaphore => "a semaphore",
        SyncMode::None => "no lock",
    }
}

/// The lesson of a contention task, from the lost-updates figures the chart and the table
/// show ([`lost_share`]): without a lock, what each model lost at each worker count, and
/// that one worker lost none; with one, that no run lost any, or loudly that one did (a
/// defect). Empty where no run counted its lost updates.
fn lost_texts(r: &ResultsFile) -> Vec<String> {
    let shares: Vec<(&CellResult, LostShare)> = r
        .cells
        .iter()
        .filter(|c| completed(c))
        .filter_map(|c| Some((c, lost_share(r, c)?)))
        .collect();
    if shares.is_empty() {
        return Vec::new();
    }
    let sync = r.experiment.task.contention.sync;
    let defect = |c: &CellResult, s: &LostShare, why: &str| {
        format!(
            "DEFECT: {} {} {why}: the count is wrong, so do not trust these results and report it.",
            cell_name(c),
            s.short_words()
        )
    };
    if sync != SyncMode::None {
        let losing: Vec<String> = shares
            .iter()
            .filter(|(_, s)| s.any())
            .map(|(c, s)| defect(c, s, &format!("with {}", sync_words(sync))))
            .collect();
        if !losing.is_empty() {
            return losing;
        }
        let runs: usize = shares.iter().map(|(_, s)| s.runs).sum();
        return vec![format!(
            "No lost updates: with {} no run lost an increment ({} in {}); the lock costs time and buys a right count.",
            sync_words(sync),
            crate::words::count(runs, "run"),
            crate::words::count(shares.len(), "cell")
        )];
    }
    let mut texts = Vec::new();
    for m in models_in(shares.iter().map(|(c, _)| *c)) {
        let mut many: Vec<&(&CellResult, LostShare)> = shares
            .iter()
            .filter(|(c, _)| c.model == Some(m) && c.workers >= 2)
            .collect();
        many.sort_by_key(|(c, _)| c.workers);
        if many.is_empty() {
            continue;
        }
        let parts: Vec<String> = many.iter().map(|(c, s)| lost_words(c, s)).collect();
        texts.push(format!(
            "Lost updates without a lock: {}.",
            parts.join("; ")
        ));
    }
    let one: Vec<&(&CellResult, LostShare)> =
        shares.iter().filter(|(c, _)| c.workers == 1).collect();
    let one_lost: Vec<String> = one
        .iter()
        .filter(|(_, s)| s.any())
        .map(|(c, s)| defect(c, s, "with no other worker to race"))
        .collect();
    if !one_lost.is_empty() {
        texts.extend(one_lost);
    } else if !one.is_empty() {
        texts.push(
            "One worker lost none: with no other worker to race, every increment counts."
                .to_string(),
        );
    }
    texts
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

/// The baseline's own cell: speedup 1 by definition, with no interval.
fn is_baseline_cell(c: &CellResult) -> bool {
    c.speedup == Some(1.0) && c.speedup_ci_low.is_none()
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

/// The cell's speedup with `base` (what it is relative to, or nothing) and its interval,
/// `1.9× the baseline [1.7–2.1]`, its coverage where below 95%, or that a single run has no
/// interval.
fn speedup_words(c: &CellResult, base: &str) -> Option<String> {
    let s = c.speedup?;
    let head = match base {
        "" => format!("{}×", speedup(s)),
        base => format!("{}× {base}", speedup(s)),
    };
    Some(
        match (c.speedup_ci_low, c.speedup_ci_high, c.speedup_ci_coverage) {
            (Some(lo), Some(hi), Some(cov)) if cov >= ONE_RUN_COVERAGE => format!(
                "{head} [{}–{}{}]",
                speedup(lo),
                speedup(hi),
                coverage_words(cov)
            ),
            (Some(_), Some(_), _) => format!("{head}, from a single run (no interval)"),
            _ => head,
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

fn fastest_text(r: &ResultsFile, c: &CellResult, weak: bool) -> String {
    let head = match weak {
        false => format!("Fastest: {}, {}", cell_name(c), time_words(median(c))),
        true => format!(
            "Fastest per worker's share of the work: {}, {} a share",
            cell_name(c),
            time_words(median(c))
        ),
    };
    let is_baseline = is_baseline_cell(c);
    let base = match weak {
        false => baseline_words(r),
        true => "the baseline's throughput",
    };
    // The fastest, yet not told apart from its baseline: said, not left to the brackets.
    let no_faster = speedup_ci(c).is_some_and(|(lo, _)| lo <= 1.0);
    let favoured = !is_baseline && one_worker_favoured(c);
    match speedup_words(c, base) {
        _ if is_baseline && c.model == Some(ModelKind::Sequential) => {
            format!("{head}, the sequential baseline itself: no model ran this work faster.")
        }
        _ if is_baseline => format!("{head} ({} itself).", baseline_words(r)),
        Some(s) if favoured => format!(
            "{head} ({s}), but the same work on 1 worker cannot be that much faster than the baseline: the machine favoured this cell, so it is not comparable."
        ),
        Some(s) if no_faster => {
            format!("{head} ({s}), though not told apart from the baseline within the noise.")
        }
        Some(s) => format!("{head} ({s})."),
        None => format!("{head}."),
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

/// Whether the best cell of each other model is distinguishable from the fastest: the ties
/// named together, else the runner-up and by how much it is slower.
/// On a busy machine (`busy`) a difference clear of the runs' noise is not called real: the
/// caveat above it says every comparison is unreliable.
fn comparison_text(
    fastest: &CellResult,
    others: &[&CellResult],
    per: &str,
    busy: bool,
) -> Option<String> {
    let mut tied = Vec::new();
    let mut untold = Vec::new();
    let mut coverage: f64 = 1.0;
    for o in others {
        match ratio(fastest, o) {
            Some(q) if q.coverage < ONE_RUN_COVERAGE => untold.push(cell_name(o)),
            Some(q) if q.low <= 1.0 => {
                coverage = coverage.min(q.coverage);
                tied.push((
                    cell_name(o),
                    format!("{}–{}", ratio_words(q.low), ratio_words(q.high)),
                ));
            }
            Some(_) => {}
            None => untold.push(cell_name(o)),
        }
    }
    let mut parts = Vec::new();
    if !tied.is_empty() {
        let (names, ratios): (Vec<String>, Vec<String>) = tied.into_iter().unzip();
        let (verb, ratio_word) = match names.len() {
            1 => ("is", "time ratio"),
            _ => ("are", "time ratios"),
        };
        parts.push(format!(
            "{} {verb} as fast within the noise ({ratio_word} {}{})",
            join_and(&names),
            ratios.join(", "),
            coverage_words(coverage)
        ));
    }
    if !untold.is_empty() {
        parts.push(format!(
            "{} cannot be told apart from it or not: a single run has no interval",
            join_and(&untold)
        ));
    }
    if parts.is_empty() {
        // Every other model is slower beyond the noise: the runner-up, by how much.
        let runner = others.first()?;
        let q = ratio(fastest, runner)?;
        let real = match busy {
            false => "a real difference",
            true => "clear of these runs' noise, but the busy machine may have made it",
        };
        parts.push(format!(
            "{} took {}× as long{per} ({}–{}{}): {real}",
            cell_name(runner),
            ratio_words(q.value),
            ratio_words(q.low),
            ratio_words(q.high),
            coverage_words(q.coverage)
        ));
    }
    Some(format!("Runner-up: {}.", parts.join("; ")))
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

/// How `model` scaled over its completed `cells`: its best speedup and where, whether that is
/// told from the baseline, and whether more workers stopped helping (the most workers measured
/// slower than the best beyond the noise). A model with no completed cell says so.
fn scaling_text(
    model: ModelKind,
    cells: &[&CellResult],
    r: &ResultsFile,
    per: &str,
) -> Option<String> {
    if cells.is_empty() {
        let tried = r.cells.iter().any(|c| c.model == Some(model));
        return tried.then(|| {
            format!("{model}: no cell completed (failed or cancelled), so it is not compared.")
        });
    }
    let best = cells
        .iter()
        .copied()
        .min_by(|a, b| median(a).total_cmp(&median(b)))?;
    let most = cells.iter().copied().max_by_key(|c| c.workers)?;
    let counts = {
        let mut w: Vec<usize> = cells.iter().map(|c| c.workers).collect();
        w.sort_unstable();
        w.dedup();
        w.len()
    };
    if is_baseline_cell(best) {
        // The best cell is the baseline itself: more workers never beat it.
        let more = if counts == 1 {
            " (one worker count measured)"
        } else {
            ": more workers never ran faster"
        };
        let itself = match r.experiment.baseline {
            Baseline::Sequential => "the baseline itself",
            Baseline::SameModelOneWorker => "its own baseline",
        };
        return Some(format!(
            "{model}: best at {}, {itself}{more}.",
            workers_words(best.workers)
        ));
    }
    let Some(s) = speedup_words(best, "") else {
        return Some(format!(
            "{model}: fastest at {}, {} (no baseline to compare with).",
            workers_words(best.workers),
            time_words(median(best))
        ));
    };
    let mut text = format!("{model}: best {s} at {}", workers_words(best.workers));
    match speedup_ci(best) {
        Some((_, hi)) if hi < 1.0 => text.push_str(", slower than the baseline at every count"),
        Some((lo, _)) if lo <= 1.0 => text.push_str(", not told apart from the baseline"),
        _ => {}
    }
    if counts == 1 {
        text.push_str(" (one worker count measured)");
    } else if most.workers == best.workers {
        text.push_str(", the most workers measured");
    } else {
        match ratio(best, most) {
            Some(q) if q.coverage >= ONE_RUN_COVERAGE && q.low > 1.0 => text.push_str(&format!(
                "; more workers stopped helping: {} took {}× as long{per} ({}–{}{})",
                workers_words(most.workers),
                ratio_words(q.value),
                ratio_words(q.low),
                ratio_words(q.high),
                coverage_words(q.coverage)
            )),
            Some(q) if q.coverage >= ONE_RUN_COVERAGE => text.push_str(&format!(
                "; {} were as fast within the noise (time ratio {}–{})",
                workers_words(most.workers),
                ratio_words(q.low),
                ratio_words(q.high)
            )),
            _ => text.push_str(&format!(
                "; {} cannot be told from it (a single run)",
                workers_words(most.workers)
            )),
        }
    }
    text.push('.');
    Some(text)
}

/// The start-up a model pays once, in seconds: its cell's figure, or 0 for a model whose
/// start-up is a matter of microseconds ([`ModelKind::startup_name`] is `None`, whatever it
/// recorded);
/// `None` where a model that starts something has no figure.
fn startup(c: &CellResult) -> Option<f64> {
    let model = c.model?;
    match (model.startup_name(), c.startup_s) {
        (Some(_), Some(s)) if s.is_finite() && s >= 0.0 => Some(s),
        (Some(_), _) => None,
        // A figure of microseconds (a thread team) is below what a reader should weigh.
        (None, _) => Some(0.0),
    }
}

/// When the faster model starts slower than the runner-up: after how many runs' worth of this
/// work its start-up is paid for (`k·Ta + Sa < k·Tb + Sb`), or that the two run equally fast
/// within the noise, so the quicker start wins. `None` where a start-up figure is missing or
/// the faster model also starts faster.
fn startup_text(r: &ResultsFile, fastest: &CellResult, runner: &CellResult) -> Option<String> {
    let (sa, sb) = (startup(fastest)?, startup(runner)?);
    let (ta, tb) = (median(fastest), median(runner));
    if sa <= sb || ta.total_cmp(&tb).is_ge() {
        return None;
    }
    // Advice is advice only for a model that beats the baseline beyond the noise (or is the
    // baseline itself): one whose interval includes no speedup is no way to run this work,
    // whatever it saves at start-up, so it is never the one recommended.
    let faster = |c: &CellResult| speedup_ci(c).is_some_and(|(lo, _)| lo > 1.0);
    if !faster(fastest) {
        return None;
    }
    let runner_worth_it = faster(runner) || is_baseline_cell(runner);
    let (a, b) = (cell_name(fastest), cell_name(runner));
    let extra = startup_words(sa - sb);
    let named = fastest
        .model
        .and_then(ModelKind::startup_name)
        .unwrap_or("start-up");
    // A function task's start-up includes the import of the user's module (every pool
    // process imports it): said, as it is often most of it.
    let what = match fastest.import_s {
        Some(_) => format!("{named} and module import"),
        None => named.to_string(),
    };
    let q = ratio(fastest, runner)?;
    if q.coverage < ONE_RUN_COVERAGE || q.low <= 1.0 {
        if !runner_worth_it {
            return None;
        }
        return Some(format!(
            "Start-up: {a} and {b} run this work equally fast within the noise, and {a}'s {what} is {extra} longer, so {b} costs less for a program that starts once."
        ));
    }
    let k = (sa - sb) / (tb - ta);
    // What is paid: the whole start-up against a model that starts nothing, else the
    // difference, with both figures.
    let own = match runner.model.and_then(ModelKind::startup_name) {
        Some(theirs) if sb > 0.0 => format!(
            "{extra} longer start-up ({what} {}, against {b}'s {theirs} {})",
            startup_words(sa),
            startup_words(sb)
        ),
        _ => format!("{} {what}", startup_words(sa)),
    };
    if k < 1.0 {
        return Some(format!(
            "Start-up: {a} pays for its {own} within a single run's worth of this work."
        ));
    }
    // Break-even at k runs: "more than about" its nearest whole number of runs, and the
    // sequential time of that much work (k unrounded).
    let runs = k.round().max(1.0) as u64;
    let sequential = r.baseline.median_s.map_or(String::new(), |t| {
        format!(" (about {} sequentially)", time_words(t * k))
    });
    let worth = if runs == 1 { "run's" } else { "runs'" };
    let for_less = match runner_worth_it {
        true => format!("; for less, {b} finishes first"),
        false => String::new(),
    };
    Some(format!(
        "Start-up: {a} pays for its {own} once the program does more than about {runs} {worth} worth of this work{sequential}{for_less}."
    ))
}

/// Models whose threads share one GIL (real or emulated).
fn gil_bound(m: ModelKind) -> bool {
    matches!(m, ModelKind::PyThreading | ModelKind::GilThreads)
}

/// Models that run their workers as separate processes.
fn process_model(m: ModelKind) -> bool {
    matches!(
        m,
        ModelKind::Processes | ModelKind::PyMultiprocessing | ModelKind::PyDask | ModelKind::PyMpi
    )
}

/// Threads without a GIL.
fn gil_free(m: ModelKind) -> bool {
    matches!(
        m,
        ModelKind::Threads | ModelKind::Rayon | ModelKind::PyFreeThreading
    )
}

/// The interval of a cell's speedup, where it rests on more than single runs.
pub(super) fn speedup_ci(c: &CellResult) -> Option<(f64, f64)> {
    let cov = c.speedup_ci_coverage?;
    (cov >= ONE_RUN_COVERAGE).then_some((c.speedup_ci_low?, c.speedup_ci_high?))
}

/// The share of each task spent waiting, where the task waits: all of it for an `io` task in
/// `sleep` mode, `wait / (compute + wait)` for a `mixed` one; `None` for work that does not
/// wait (file I/O, here, is mostly copying through the page cache).
fn wait_share(r: &ResultsFile) -> Option<f64> {
    let t = &r.experiment.task;
    match t.kind {
        TaskKind::Io if t.io.mode == IoMode::Sleep => Some(1.0),
        TaskKind::Mixed if t.mixed.wait_ms > 0.0 => {
            Some(t.mixed.wait_ms / (t.mixed.compute_ms.max(0.0) + t.mixed.wait_ms))
        }
        _ => None,
    }
}

/// A wait share above this is "mostly waits": threads scale on the waits whatever the GIL.
const MOSTLY_WAITS: f64 = 0.5;

/// Whether `c` went faster than its workers could on the cores this run could use: its
/// speedup (its whole interval) above the usable cores, which only overlapping waits (or
/// the caches) give, never the cores.
fn beyond_cores(r: &ResultsFile, c: &CellResult) -> bool {
    let cores = r.machine.logical_cores;
    cores > 0 && speedup_ci(c).is_some_and(|(lo, _)| lo > cores as f64)
}

/// `this work waits` or `40% of each task is waiting`.
fn waiting_words(share: f64) -> String {
    if share >= 1.0 {
        "this work waits".into()
    } else {
        format!(
            "{} of each task is waiting",
            super::interval_words::percent(share * 100.0)
        )
    }
}

/// What threads against processes say about the GIL, only where the intervals support it,
/// and only with the right cause: where the work waits, threads gain from overlapping the
/// waits (a waiting thread holds no GIL and needs no core), not from the cores; a gain above
/// the usable cores of work that does not wait is not explained at all.
fn gil_texts(r: &ResultsFile, cells: &[&CellResult]) -> Vec<String> {
    let waits = wait_share(r);
    let models = models_in(cells.iter().copied());
    let mut texts = Vec::new();
    for &m in models.iter().filter(|m| gil_bound(**m)) {
        // Real Python threads are weighed against Python's processes, the emulated GIL against
        // corelab's own, where the file has them: the same language on both sides.
        let python = |p: &ModelKind| *p != ModelKind::Processes;
        let same_language = |p: &ModelKind| python(p) == (m == ModelKind::PyThreading);
        let scaled_process = models
            .iter()
            .filter(|p| process_model(**p) && same_language(p))
            .chain(
                models
                    .iter()
                    .filter(|p| process_model(**p) && !same_language(p)),
            )
            .find_map(|&p| scaled(cells, p));
        let (which, what) = if m == ModelKind::GilThreads {
            ("the emulated GIL", "this computation")
        } else {
            ("the GIL", "this Python code")
        };
        if let Some(t) = scaled(cells, m) {
            if let Some(share) = waits {
                texts.push(format!(
                    "Waits, not the GIL: {m} scaled ({}× with {}) because {}, and a thread releases {which} while it waits, so the waits overlap; the computing itself still takes turns.",
                    speedup(t.speedup.unwrap_or(0.0)),
                    workers_words(t.workers),
                    waiting_words(share)
                ));
            } else if beyond_cores(r, t) {
                // Faster than the cores allow, with no wait to overlap: not a reading of the GIL.
            } else if let Some(p) = scaled_process {
                texts.push(format!(
                    "The GIL: threads scaled too ({} reached {}×, {} {}×), so this work releases {which} (or is not Python).",
                    cell_name(t),
                    speedup(t.speedup.unwrap_or(0.0)),
                    cell_name(p),
                    speedup(p.speedup.unwrap_or(0.0))
                ));
            } else {
                texts.push(format!(
                    "The GIL: {m} scaled ({}× with {}), so this work releases {which} (or is not Python).",
                    speedup(t.speedup.unwrap_or(0.0)),
                    workers_words(t.workers)
                ));
            }
        } else if let Some(p) = scaled_process.filter(|_| stayed_flat(cells, m)) {
            texts.push(format!(
                "The GIL: threads did not scale ({m} stayed near 1× at every count) while processes did ({} × {} reached {}×): consistent with {which} serialising {what}.",
                p.model_id(),
                p.workers,
                speedup(p.speedup.unwrap_or(0.0))
            ));
        }
    }
    let beside = models.iter().any(|&m| process_model(m) || gil_bound(m));
    for &m in models.iter().filter(|m| gil_free(**m) && beside) {
        if let Some(t) = scaled(cells, m) {
            match waits {
                Some(share) if share >= MOSTLY_WAITS => {
                    let beyond = match beyond_cores(r, t) {
                        true => format!(", more than the {} usable cores", r.machine.logical_cores),
                        false => String::new(),
                    };
                    texts.push(format!(
                        "Waits overlap: {m} scaled ({}× with {}{beyond}) because {}, and waiting needs no core and holds no GIL: the gain is the overlapped waits, not the cores or the lack of a GIL.",
                        speedup(t.speedup.unwrap_or(0.0)),
                        workers_words(t.workers),
                        waiting_words(share)
                    ));
                    break;
                }
                // Part of the gain is overlapped waits, part the cores: no single cause to name.
                Some(_) => break,
                None if beyond_cores(r, t) => break,
                None => {}
            }
            let who = if m == ModelKind::PyFreeThreading {
                "free-threaded CPython has no GIL"
            } else {
                "Rust threads have no GIL"
            };
            texts.push(format!(
                "No GIL: {m} scaled ({}× with {}): {who}, so threads can use the cores as processes do.",
                speedup(t.speedup.unwrap_or(0.0)),
                workers_words(t.workers)
            ));
            break;
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::LoadSummary;

    /// A cell of `model × workers` whose runs took `walls` seconds.
    fn cell(model: ModelKind, workers: usize, walls: &[f64]) -> CellResult {
        CellResult::with_walls(model, workers, walls)
    }

    /// Six runs within ±1% of `t`: a tight 95% interval (97% coverage).
    fn six(t: f64) -> Vec<f64> {
        [0.99, 0.995, 1.0, 1.0, 1.005, 1.01]
            .iter()
            .map(|f| f * t)
            .collect()
    }

    fn file(cells: Vec<CellResult>) -> ResultsFile {
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.recompute();
        r
    }

    fn function_file(cells: Vec<CellResult>) -> ResultsFile {
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.experiment.task.kind = TaskKind::Function;
        r.experiment.baseline = crate::preset::Baseline::SameModelOneWorker;
        r.recompute();
        r
    }

    #[test]
    fn a_function_task_names_the_one_worker_cell_that_stands_in_for_staying_sequential() {
        use ModelKind::{PyMultiprocessing, PyThreading};
        let r = function_file(vec![
            cell(PyThreading, 1, &six(0.32)),
            cell(PyThreading, 2, &six(0.34)),
            cell(PyMultiprocessing, 1, &six(0.40)),
            cell(PyMultiprocessing, 2, &six(0.20)),
        ]);
        let lines = of(&r, VerdictTopic::Comparison);
        let line = lines
            .iter()
            .find(|l| l.starts_with("Staying sequential"))
            .expect("said");
        assert_eq!(
            line,
            "Staying sequential: py-threading × 1 (one call at a time in one interpreter, the nearest to a plain loop, which the sequential model cannot run for a Python function) took 0.32 s; py-multiprocessing × 2 took 0.20 s, about 1.6× faster."
        );
        // Nothing beat it.
        let r = function_file(vec![
            cell(PyThreading, 1, &six(0.32)),
            cell(PyThreading, 2, &six(0.34)),
            cell(PyMultiprocessing, 1, &six(0.60)),
            cell(PyMultiprocessing, 2, &six(2.0)),
        ]);
        let lines = of(&r, VerdictTopic::Comparison);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Staying sequential: py-threading × 1 (")
                    && l.ends_with("was the fastest, 0.32 s; no model beat it.")),
            "{lines:?}"
        );
        // Not for the kernels, which have the sequential model itself.
        let mut kernels = r.clone();
        kernels.experiment.task.kind = TaskKind::Cpu;
        assert!(
            texts(&kernels)
                .iter()
                .all(|l| !l.starts_with("Staying sequential"))
        );
    }

    fn texts(r: &ResultsFile) -> Vec<String> {
        verdict(r).into_iter().map(|l| l.text).collect()
    }

    fn of(r: &ResultsFile, topic: VerdictTopic) -> Vec<String> {
        verdict(r)
            .into_iter()
            .filter(|l| l.topic == topic)
            .map(|l| l.text)
            .collect()
    }

    /// Pure Python under the GIL: py-threading stays at 1×, py-multiprocessing nearly doubles.
    fn pure_python() -> ResultsFile {
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
    fn the_fastest_cell_is_named_with_its_speedup_and_interval() {
        let r = pure_python();
        let lines = verdict(&r);
        assert_eq!(lines[0].topic, VerdictTopic::Fastest);
        let f = &lines[0].text;
        assert!(
            f.starts_with("Fastest: py-multiprocessing × 2, 0.42 s ("),
            "{f}"
        );
        assert!(
            f.starts_with("Fastest: py-multiprocessing × 2, 0.42 s (1.9× the baseline ["),
            "{f}"
        );
        assert!(f.ends_with("])."), "{f}");
        // Six runs a cell: a 95% interval, said without a coverage.
        assert!(!f.contains("interval"), "{f}");
    }

    #[test]
    fn a_clearly_slower_runner_up_is_called_a_real_difference() {
        let r = pure_python();
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(c.len(), 1);
        assert!(
            c[0].starts_with("Runner-up: py-threading × 1 took 1.90× as long ("),
            "{}",
            c[0]
        );
        assert!(c[0].ends_with("): a real difference."), "{}", c[0]);
    }

    #[test]
    fn a_runner_up_within_the_noise_is_called_as_fast() {
        // threads × 2 at 0.50 s, processes × 2 at 0.502 s: their intervals overlap.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.50)),
            cell(ModelKind::Processes, 2, &six(0.502)),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(
            c[0].starts_with(
                "Runner-up: processes × 2 is as fast within the noise (time ratio 0.9"
            ),
            "{}",
            c[0]
        );
        assert!(!c[0].contains("real difference"), "{}", c[0]);
        // The ratio's interval holds 1.
        let q = ratio(
            r.cell(ModelKind::Threads, 2).unwrap(),
            r.cell(ModelKind::Processes, 2).unwrap(),
        )
        .unwrap();
        assert!(q.low <= 1.0 && q.high >= 1.0, "{} {}", q.low, q.high);
    }

    #[test]
    fn fewer_runs_say_their_intervals_coverage() {
        // Three runs each: a 75% interval; the words say so rather than pass it for 95%.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &[0.99, 1.0, 1.01]),
            cell(ModelKind::Threads, 2, &[0.49, 0.5, 0.51]),
            cell(ModelKind::Processes, 2, &[0.495, 0.505, 0.515]),
        ]);
        let t = texts(&r);
        assert!(
            t[0].contains("a 75% interval: fewer than 6 runs"),
            "{}",
            t[0]
        );
        let c = of(&r, VerdictTopic::Comparison);
        assert!(
            c[0].contains("as fast within the noise (time ratio ")
                && c[0].ends_with(", a 75% interval: fewer than 6 runs)."),
            "{}",
            c[0]
        );
    }

    #[test]
    fn single_runs_are_never_called_different() {
        // One run each: the medians differ by 20%, but nothing says whether that is noise.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &[1.0]),
            cell(ModelKind::Threads, 2, &[0.5]),
            cell(ModelKind::Processes, 2, &[0.6]),
        ]);
        let c = of(&r, VerdictTopic::Comparison);
        assert_eq!(
            c,
            [
                "Runner-up: processes × 2 cannot be told apart from it or not: a single run has no interval."
            ]
        );
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert_eq!(
            f,
            "Fastest: threads × 2, 0.50 s (2.0× the baseline, from a single run (no interval))."
        );
    }

    #[test]
    fn each_model_says_how_it_scaled_and_where_more_workers_stopped_helping() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.5)),
            cell(ModelKind::Threads, 4, &six(0.7)),
            cell(ModelKind::Processes, 1, &six(1.0)),
            cell(ModelKind::Processes, 2, &six(0.6)),
            cell(ModelKind::Processes, 4, &six(0.601)),
            cell(ModelKind::GilThreads, 2, &six(1.0)),
            cell(ModelKind::GilThreads, 4, &six(0.8)),
        ]);
        let s = of(&r, VerdictTopic::Scaling);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(
            s[0].starts_with("threads: best 2.0× [")
                && s[0].contains(
                    "] at 2 workers; more workers stopped helping: 4 workers took 1.40× as long ("
                ),
            "{}",
            s[0]
        );
        assert!(
            s[1].starts_with("processes: best 1.7× [")
                && s[1]
                    .contains("at 2 workers; 4 workers were as fast within the noise (time ratio "),
            "{}",
            s[1]
        );
        assert!(
            s[2].starts_with("gil-threads: best 1.2× [")
                && s[2].ends_with("at 4 workers, the most workers measured."),
            "{}",
            s[2]
        );
    }

    #[test]
    fn a_model_that_never_beat_the_baseline_says_so() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::PyThreading, 1, &six(1.2)),
            cell(ModelKind::PyThreading, 2, &six(1.25)),
        ]);
        let s = of(&r, VerdictTopic::Scaling);
        assert!(
            s[0].starts_with("py-threading: best 0.8× [")
                && s[0].contains("at 1 worker, slower than the baseline at every count"),
            "{}",
            s[0]
        );
        // Sequential itself is the fastest: no model ran this work faster.
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.ends_with("the sequential baseline itself: no model ran this work faster."),
            "{f}"
        );
        let c = of(&r, VerdictTopic::Comparison);
        assert!(
            c[0].starts_with("Runner-up: py-threading × 1 took 1.20× as long"),
            "{}",
            c[0]
        );
    }

    #[test]
    fn against_each_models_own_one_worker_the_words_say_so() {
        let mut r = ResultsFile {
            cells: vec![
                cell(ModelKind::PyThreading, 1, &six(0.8)),
                cell(ModelKind::PyThreading, 2, &six(0.85)),
                cell(ModelKind::PyMultiprocessing, 1, &six(0.8)),
                cell(ModelKind::PyMultiprocessing, 2, &six(0.42)),
            ],
            ..ResultsFile::default()
        };
        r.experiment.baseline = Baseline::SameModelOneWorker;
        r.recompute();
        let t = texts(&r);
        assert!(
            t[0].starts_with(
                "Fastest: py-multiprocessing × 2, 0.42 s (1.9× its own 1-worker time ["
            ),
            "{}",
            t[0]
        );
        assert!(
            t.contains(
                &"py-threading: best at 1 worker, its own baseline: more workers never ran faster."
                    .to_string()
            ),
            "{t:?}"
        );
        // py-threading × 2 is 0.94× its own 1 worker, its interval below 1.3: the GIL reading.
        assert_eq!(of(&r, VerdictTopic::Gil).len(), 1, "{t:?}");
    }

    #[test]
    fn the_larger_start_up_is_paid_for_after_so_many_runs() {
        // 0.42 s against 0.80 s a run, start-up 140 ms against 20 ms: 120 ms / 0.38 s = 0.32,
        // paid within one run.
        let r = pure_python();
        assert_eq!(
            of(&r, VerdictTopic::Startup),
            [
                "Start-up: py-multiprocessing × 2 pays for its 120 ms longer start-up (pool start-up 140 ms, against py-threading × 1's interpreter start-up 20 ms) within a single run's worth of this work."
            ]
        );
        // A work item of 0.1 s against 0.14 s: 120 ms / 40 ms = 3 runs.
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(0.2)),
            cell(ModelKind::Threads, 2, &six(0.14)),
            cell(ModelKind::Processes, 2, &six(0.1)),
        ];
        cells[2].startup_s = Some(0.12);
        // A thread team's few microseconds are not weighed.
        cells[1].startup_s = Some(0.000_027);
        let r = file(cells);
        assert_eq!(
            of(&r, VerdictTopic::Startup),
            [
                "Start-up: processes × 2 pays for its 120 ms pool start-up once the program does more than about 3 runs' worth of this work (about 0.60 s sequentially); for less, threads × 2 finishes first."
            ]
        );
        // Break-even at k = 1.06 runs: about 1 run's worth.
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(0.2)),
            cell(ModelKind::Threads, 2, &six(0.2)),
            cell(ModelKind::Processes, 2, &six(0.15)),
        ];
        cells[2].startup_s = Some(0.053);
        let s = of(&file(cells), VerdictTopic::Startup);
        assert!(
            s[0].contains("more than about 1 run's worth of this work (about 0.21 s sequentially)"),
            "{s:?}"
        );
        // k·Ta + Sa < k·Tb + Sb at k = 3 + ε, not at 3 − ε.
        let (ta, tb, sa, sb) = (0.1, 0.14, 0.12, 0.0);
        assert!(3.01 * ta + sa < 3.01 * tb + sb && 2.99 * ta + sa > 2.99 * tb + sb);
    }

    #[test]
    fn no_start_up_figure_means_no_start_up_line() {
        let mut r = pure_python();
        for c in &mut r.cells {
            c.startup_s = None;
        }
        assert!(of(&r, VerdictTopic::Startup).is_empty());
        // Nor when the faster model also starts faster.
        let mut r = pure_python();
        for c in &mut r.cells {
            if c.model == Some(ModelKind::PyMultiprocessing) {
                c.startup_s = Some(0.01);
            }
        }
        assert!(of(&r, VerdictTopic::Startup).is_empty());
    }

    #[test]
    fn equally_fast_models_favour_the_quicker_start() {
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.505)),
            cell(ModelKind::Processes, 2, &six(0.5)),
        ];
        cells[2].startup_s = Some(0.05);
        let r = file(cells);
        assert_eq!(
            of(&r, VerdictTopic::Startup),
            [
                "Start-up: processes × 2 and threads × 2 run this work equally fast within the noise, and processes × 2's pool start-up is 50 ms longer, so threads × 2 costs less for a program that starts once."
            ]
        );
        // Threads fastest with their microseconds recorded, rayon as fast: no start-up line
        // over 27 µs (a real run's figures).
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.5)),
            cell(ModelKind::Rayon, 2, &six(0.502)),
        ];
        cells[1].startup_s = Some(0.000_027);
        assert!(of(&file(cells), VerdictTopic::Startup).is_empty());
    }

    #[test]
    fn threads_that_stay_flat_while_processes_scale_point_at_the_gil() {
        let r = pure_python();
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "The GIL: threads did not scale (py-threading stayed near 1× at every count) while processes did (py-multiprocessing × 2 reached 1.9×): consistent with the GIL serialising this Python code."
            ]
        );
    }

    #[test]
    fn each_gil_is_weighed_against_processes_of_its_own_language() {
        // Both kinds of process scale; corelab's processes scale more and come first in the
        // file, yet py-threading is weighed against py-multiprocessing, and the emulated GIL
        // against corelab's processes.
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(0.8)),
            cell(ModelKind::Processes, 2, &six(0.38)),
            cell(ModelKind::GilThreads, 2, &six(0.8)),
            cell(ModelKind::PyThreading, 2, &six(0.8)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.45)),
        ]);
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(g.len(), 2, "{g:?}");
        assert!(
            g[0].contains(
                "(gil-threads stayed near 1× at every count) while processes did (processes × 2"
            ),
            "{}",
            g[0]
        );
        assert!(g[1].contains("(py-threading stayed near 1× at every count) while processes did (py-multiprocessing × 2"), "{}", g[1]);
    }

    #[test]
    fn threads_that_scale_too_mean_the_work_releases_the_gil() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(0.8)),
            cell(ModelKind::PyThreading, 2, &six(0.43)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.42)),
        ]);
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].starts_with("The GIL: threads scaled too (py-threading × 2 reached 1.9×, py-multiprocessing × 2 1.9×), so this work releases the GIL (or is not Python)."), "{}", g[0]);
    }

    #[test]
    fn rust_threads_that_scale_have_no_gil() {
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 2, &six(0.52)),
            cell(ModelKind::Processes, 2, &six(0.55)),
        ]);
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "No GIL: threads scaled (1.9× with 2 workers): Rust threads have no GIL, so threads can use the cores as processes do."
            ]
        );
    }

    #[test]
    fn a_gil_reading_needs_intervals_that_support_it() {
        // Three runs spread ±40%: py-threading's interval reaches past 1.3×, so "did not
        // scale" is not said.
        let wide = |t: f64| [0.6 * t, t, 1.4 * t];
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &wide(0.8)),
            cell(ModelKind::PyThreading, 2, &wide(0.8)),
            cell(ModelKind::PyMultiprocessing, 2, &six(0.4)),
        ]);
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{:?}", texts(&r));
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
    fn a_fastest_cell_within_the_noise_of_the_baseline_says_so() {
        let wide = |t: f64| [0.8 * t, 0.9 * t, t, t, 1.1 * t, 1.2 * t];
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &wide(1.0)),
            cell(ModelKind::Threads, 2, &wide(0.95)),
        ]);
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.starts_with("Fastest: threads × 2, 0.95 s (1.1× the baseline ["),
            "{f}"
        );
        assert!(
            f.ends_with("), though not told apart from the baseline within the noise."),
            "{f}"
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
            f.starts_with("Fastest: processes × 1, 0.50 s (2.0× the baseline ["),
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
                "Fastest per worker's share of the work: processes × 4, 0.40 s a share (2.5× the baseline's throughput ["
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

    /// A contention file (`sync`, 100 increments a worker) of `cells`, each with the lost
    /// updates of its runs (one count a run, as many as its walls).
    fn contention(sync: SyncMode, cells: Vec<(CellResult, &[u64])>) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.sync = sync;
        r.experiment.task.contention.increments = 100;
        r.machine.logical_cores = 2;
        r.cells = cells
            .into_iter()
            .map(|(mut c, lost)| {
                for (s, &l) in c.samples.iter_mut().zip(lost) {
                    s.lost_updates = Some(l);
                }
                c
            })
            .collect();
        r.recompute();
        r
    }

    #[test]
    fn without_a_lock_the_verdict_leads_with_the_lost_updates() {
        // threads × 2 ask for 200 increments a run: a median of 80 lost is 40%; × 4 (400 a
        // run) lost in two runs of six, the median run none; one worker lost none. GIL
        // threads scaled (their throughput), which says nothing about the GIL here.
        let r = contention(
            SyncMode::None,
            vec![
                (cell(ModelKind::Sequential, 1, &six(1.0)), &[0; 6]),
                (cell(ModelKind::Threads, 1, &six(1.0)), &[0; 6]),
                (
                    cell(ModelKind::Threads, 2, &six(0.8)),
                    &[0, 60, 80, 80, 90, 94],
                ),
                (
                    cell(ModelKind::Threads, 4, &six(1.2)),
                    &[0, 0, 0, 0, 3, 200],
                ),
                (cell(ModelKind::GilThreads, 2, &six(0.9)), &[0; 6]),
            ],
        );
        let t = texts(&r);
        assert_eq!(
            &t[..3],
            [
                "Lost updates without a lock: threads × 2 lost a median 40% of the 200 increments a run asked for (in 5 of 6 runs, from 0% to 47%, up to 94 in one run); threads × 4 lost updates in 2 of 6 runs (up to 200 of the 400 increments a run asked for, 50%), though the median run lost none.",
                "Lost updates without a lock: gil-threads × 2 lost none of the 200 increments a run asked for (6 runs).",
                "One worker lost none: with no other worker to race, every increment counts.",
            ],
            "{t:?}"
        );
        // The fastest per share (threads × 4, 0.3 s a share) lost updates: said on its line.
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.starts_with("Fastest per worker's share of the work: threads × 4"),
            "{f}"
        );
        assert!(
            f.ends_with(
                "; but its counter lost updates: without a lock this speed buys a wrong count."
            ),
            "{f}"
        );
        // No GIL reading of a counter: gil-threads × 2 at 2.2× throughput is not "releases the
        // GIL", nor threads' 5× "No GIL".
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{t:?}");
        assert!(!t.iter().any(|l| l.contains("GIL")), "{t:?}");
        // Every run losing is said so; a one-worker loss is a defect, loudly.
        let r = contention(
            SyncMode::None,
            vec![
                (
                    cell(ModelKind::Processes, 1, &six(1.0)),
                    &[0, 0, 0, 0, 0, 7],
                ),
                (
                    cell(ModelKind::Processes, 2, &six(1.0)),
                    &[9, 10, 10, 10, 12, 100],
                ),
            ],
        );
        assert_eq!(
            of(&r, VerdictTopic::LostUpdates),
            [
                "Lost updates without a lock: processes × 2 lost a median 5.0% of the 200 increments a run asked for (in every one of 6 runs, from 4.5% to 50%, up to 100 in one run).",
                "DEFECT: processes × 1 lost updates in 1 of 6 runs (up to 7 in one run, 7.0%) with no other worker to race: the count is wrong, so do not trust these results and report it.",
            ]
        );
    }

    #[test]
    fn with_a_lock_the_verdict_says_no_run_lost_or_loudly_that_one_did() {
        let cells = |lost: &'static [u64]| {
            vec![
                (
                    cell(ModelKind::Sequential, 1, &six(1.0)),
                    &[0u64; 6] as &[u64],
                ),
                (cell(ModelKind::Threads, 2, &six(3.0)), lost),
                (cell(ModelKind::GilThreads, 2, &six(1.1)), &[0; 6]),
            ]
        };
        let r = contention(SyncMode::Mutex, cells(&[0; 6]));
        let t = texts(&r);
        assert_eq!(
            t[0],
            "No lost updates: with a lock (mutex) no run lost an increment (18 runs in 3 cells); the lock costs time and buys a right count.",
            "{t:?}"
        );
        assert!(t[1].starts_with("Fastest per worker's share"), "{t:?}");
        assert!(!t.iter().any(|l| l.contains("Lost updates")), "{t:?}");
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{t:?}");
        let r = contention(SyncMode::Atomic, cells(&[0, 0, 0, 0, 0, 3]));
        assert_eq!(
            texts(&r)[0],
            "DEFECT: threads × 2 lost updates in 1 of 6 runs (up to 3 in one run, 1.5%) with atomic increments: the count is wrong, so do not trust these results and report it."
        );
        // A file with no counted run says nothing about lost updates.
        let mut r = contention(SyncMode::None, cells(&[0; 6]));
        for c in &mut r.cells {
            for s in &mut c.samples {
                s.lost_updates = None;
            }
        }
        assert!(of(&r, VerdictTopic::LostUpdates).is_empty());
    }

    #[test]
    fn waiting_work_scales_on_its_waits_not_for_want_of_a_gil() {
        // io-threads-vs-processes on 2 cores: threads × 8 at 8×, from overlapped sleeps.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 8, &six(0.124)),
            cell(ModelKind::Processes, 8, &six(0.14)),
        ]);
        r.experiment.task.kind = TaskKind::Io;
        r.machine.logical_cores = 2;
        assert_eq!(
            of(&r, VerdictTopic::Gil),
            [
                "Waits overlap: threads scaled (8.1× with 8 workers, more than the 2 usable cores) because this work waits, and waiting needs no core and holds no GIL: the gain is the overlapped waits, not the cores or the lack of a GIL."
            ]
        );
        // GIL threads scale on waits too: the waits release the GIL, not the work.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::GilThreads, 4, &six(0.3)),
            cell(ModelKind::Processes, 4, &six(0.3)),
        ]);
        r.experiment.task.kind = TaskKind::Mixed;
        r.experiment.task.mixed.compute_ms = 2.0;
        r.experiment.task.mixed.wait_ms = 8.0;
        let g = of(&r, VerdictTopic::Gil);
        assert_eq!(
            g,
            [
                "Waits, not the GIL: gil-threads scaled (3.3× with 4 workers) because 80% of each task is waiting, and a thread releases the emulated GIL while it waits, so the waits overlap; the computing itself still takes turns."
            ]
        );
        // Work that does not wait, faster than the cores allow (8× on 2): no cause is named.
        let mut r = file(vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::Threads, 8, &six(0.124)),
            cell(ModelKind::GilThreads, 8, &six(0.124)),
            cell(ModelKind::Processes, 8, &six(0.14)),
        ]);
        r.machine.logical_cores = 2;
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{:?}", texts(&r));
        // The same on 16 cores is a reading of the GIL, as before.
        r.machine.logical_cores = 16;
        let g = of(&r, VerdictTopic::Gil);
        assert!(g[0].starts_with("The GIL: threads scaled too"), "{g:?}");
        assert!(g[1].starts_with("No GIL: threads scaled"), "{g:?}");
    }

    #[test]
    fn no_start_up_advice_for_models_not_faster_than_the_baseline() {
        // gil-cpu-bound on a busy machine: processes × 2 and gil-threads × 2 tied, neither
        // told apart from the baseline (wide intervals): recommending gil-threads for CPU work
        // would teach the wrong lesson.
        let wide = |t: f64| -> Vec<f64> {
            [0.6, 0.8, 1.0, 1.0, 1.3, 1.6]
                .iter()
                .map(|f| f * t)
                .collect()
        };
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &wide(1.0)),
            cell(ModelKind::GilThreads, 2, &wide(0.72)),
            cell(ModelKind::Processes, 2, &wide(0.7)),
        ];
        cells[2].startup_s = Some(0.004);
        let r = file(cells);
        let t = texts(&r);
        assert!(t[0].contains("not told apart from the baseline"), "{t:?}");
        assert!(
            t[1].starts_with("Runner-up: gil-threads × 2 is as fast"),
            "{t:?}"
        );
        assert!(of(&r, VerdictTopic::Startup).is_empty(), "{t:?}");
        // Processes clearly faster, gil-threads flat at 1×: the break-even is said, but "for
        // less, gil-threads × 2 finishes first" is not (the baseline would, as fast).
        let mut cells = vec![
            cell(ModelKind::Sequential, 1, &six(1.0)),
            cell(ModelKind::GilThreads, 2, &six(1.0)),
            cell(ModelKind::Processes, 2, &six(0.9)),
        ];
        cells[2].startup_s = Some(0.3);
        assert_eq!(
            of(&file(cells), VerdictTopic::Startup),
            [
                "Start-up: processes × 2 pays for its 300 ms pool start-up once the program does more than about 3 runs' worth of this work (about 3.00 s sequentially)."
            ]
        );
    }

    #[test]
    fn noisy_ratios_read_to_three_figures() {
        assert_eq!(ratio_words(539.18), "539");
        assert_eq!(ratio_words(99.96), "100");
        assert_eq!(ratio_words(12.345), "12.3");
        assert_eq!(ratio_words(1.254), "1.25");
        assert_eq!(ratio_words(0.98), "0.98");
        let r = file(vec![
            cell(ModelKind::Sequential, 1, &six(0.001)),
            cell(ModelKind::Processes, 2, &six(0.539_18)),
        ]);
        let c = &of(&r, VerdictTopic::Comparison)[0];
        assert!(
            c.starts_with("Runner-up: processes × 2 took 539× as long (5"),
            "{c}"
        );
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
}

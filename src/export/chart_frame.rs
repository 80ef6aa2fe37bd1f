//! The frame of a chart: its worker axis (range, ticks, the dotted physical-core lines and
//! their labels), its value axis (range, linear or log) and its ideal line. The workbench
//! (egui_plot) and the exporter (plotters) both draw the frame worked out here, so that the
//! screen and an exported SVG/PNG frame the same chart alike.
//!
//! Worked out in two steps, because the series' fitted curves are cut at the worker axis's
//! top and the value axis is fitted to the series: [`WorkerAxis::of`], then the series (see
//! [`collect_series`](super::chart_model::collect_series)), then [`ChartFrame::of`].

use super::chart_model::{self, ChartKind, ChartRun, ChartSeries};
use crate::results::MachineInfo;

/// How far past the largest worker count a machine's core line is still drawn (the axis
/// widens to reach it): 1.5 times that count, or one more worker. Measuring 1, 2 and 4
/// workers on a 6-core machine shows the 6-core line, which tells the reader the sweep
/// stopped short of the cores; a 64-core machine's line would only squeeze the data into the
/// left of the chart, and is left out.
pub const CORE_LINE_REACH: f64 = 1.5;

/// The room above the highest value on a linear axis (and under the log axis's top): 8 %,
/// so that the top marker, its bar's cap and a core line's label clear the frame.
pub const HEADROOM: f64 = 1.08;

/// A dotted vertical line at the cores a run could use: its machine's physical cores, or
/// fewer where the process was allowed fewer CPUs (`taskset -c 0`, a cgroup quota).
#[derive(Clone, Debug, PartialEq)]
pub struct CoreLine {
    /// The worker count it stands at.
    pub cores: usize,
    /// Its legend entry: `8 physical cores`; `1 core allowed (2 physical)` where the runs
    /// could use fewer than their machine's; with the runs it belongs to where the compared
    /// runs ran on machines of different sizes: `4 physical cores (laptop)`.
    pub label: String,
}

impl CoreLine {
    /// The short text beside the line in the plot (and a short legend's): `8 cores`.
    pub fn tag(&self) -> String {
        crate::words::count(self.cores, "core")
    }
}

/// The worker (x) axis: its range in workers, its ticks and the core lines on it.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerAxis {
    /// The largest worker count shown (measured, planned or a core line's; at least 2): the
    /// ideal line and the fitted curves end here.
    pub top: f64,
    /// The axis's ends, in workers: a little left of the fewest workers counted and right
    /// of `top` (4 % of `top`, at least a quarter of a worker; on a log₂ axis 0.3 of a
    /// doubling).
    pub range: (f64, f64),
    /// A log₂ axis.
    pub log: bool,
    /// The worker counts ticked (before thinning): measured, planned and the core lines'.
    pub ticks: Vec<usize>,
    /// The core lines, by core count.
    pub core_lines: Vec<CoreLine>,
}

impl WorkerAxis {
    /// The worker axis of `runs`, with the `planned` worker counts of a sweep still running
    /// (the workbench's; an export frames what was measured and passes none).
    /// `this_machine` stands for the first run's machine where it records no core count
    /// (a sweep just started here), or where there is no run yet.
    pub fn of(
        runs: &[ChartRun<'_>],
        planned: &[usize],
        this_machine: Option<&MachineInfo>,
        log: bool,
    ) -> WorkerAxis {
        let counted = chart_model::worker_ticks(
            planned.iter().copied().chain(
                runs.iter()
                    .flat_map(|r| r.results.cells.iter().map(|c| c.workers)),
            ),
        );
        let counted_max = counted.last().copied().unwrap_or(4).max(1) as f64;
        let reach = (counted_max * CORE_LINE_REACH).max(counted_max + 1.0);
        let core_lines: Vec<CoreLine> = core_lines(runs, this_machine)
            .into_iter()
            .filter(|c| c.cores as f64 <= reach)
            .collect();
        let top = core_lines
            .iter()
            .map(|c| c.cores as f64)
            .fold(counted_max, f64::max)
            .max(2.0);
        let fewest = counted.first().copied().unwrap_or(1).max(1) as f64;
        let range = if log {
            (2f64.powf(fewest.log2() - 0.3), 2f64.powf(top.log2() + 0.3))
        } else {
            let pad = (top * 0.04).max(0.25);
            ((fewest - pad).max(0.0), top + pad)
        };
        let ticks = chart_model::worker_ticks(
            counted
                .into_iter()
                .chain(core_lines.iter().map(|c| c.cores)),
        );
        WorkerAxis {
            top,
            range,
            log,
            ticks,
            core_lines,
        }
    }

    /// `workers` where it is drawn: log₂ of it on a log axis.
    pub fn drawn(&self, workers: f64) -> f64 {
        if self.log {
            workers.max(0.5).log2()
        } else {
            workers
        }
    }

    /// The axis's ends where they are drawn (see [`WorkerAxis::drawn`]).
    pub fn drawn_range(&self) -> (f64, f64) {
        (self.drawn(self.range.0), self.drawn(self.range.1))
    }
}

/// The cores a core line stands at for `machine`, and its physical cores where the run was
/// allowed fewer ([`MachineInfo::usable_physical_cores`]); `None` where it records none.
fn usable_cores(machine: &MachineInfo) -> Option<(usize, Option<usize>)> {
    let usable = machine.usable_physical_cores().filter(|&c| c > 0)?;
    Some((usable, machine.physical_cores.filter(|&p| usable < p)))
}

/// What a core line at `n` says of the machines it stands for, each with its physical cores
/// where it was allowed fewer: "8 physical cores", "1 core allowed (2 physical)", or, where
/// the machines differ in that, "1 usable core".
fn core_words(n: usize, of_physical: &[Option<usize>]) -> String {
    match of_physical {
        [Some(p), rest @ ..] if rest.iter().all(|q| *q == Some(*p)) => {
            format!("{} allowed ({p} physical)", crate::words::count(n, "core"))
        }
        all if all.iter().all(Option::is_none) => crate::words::count(n, "physical core"),
        _ => crate::words::count(n, "usable core"),
    }
}

/// The core lines of `runs`: one per distinct core count, labelled with the runs it belongs
/// to where not every run ran on a machine of that size (and their labels do not say so).
fn core_lines(runs: &[ChartRun<'_>], this_machine: Option<&MachineInfo>) -> Vec<CoreLine> {
    let mut cores: Vec<((usize, Option<usize>), &str)> = runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let own = usable_cores(&r.results.machine);
            let cores = if i == 0 {
                own.or_else(|| this_machine.and_then(usable_cores))
            } else {
                own
            };
            Some((cores?, r.label))
        })
        .collect();
    if runs.is_empty()
        && let Some(c) = this_machine.and_then(usable_cores)
    {
        cores.push((c, ""));
    }
    let owners_all = runs.len().max(1);
    cores.sort_by_key(|c| c.0.0);
    let mut distinct: Vec<usize> = cores.iter().map(|c| c.0.0).collect();
    distinct.dedup();
    distinct
        .into_iter()
        .map(|n| {
            let mine: Vec<&((usize, Option<usize>), &str)> =
                cores.iter().filter(|c| c.0.0 == n).collect();
            let owners: Vec<&str> = mine.iter().map(|c| c.1).collect();
            let words = core_words(n, &mine.iter().map(|c| c.0.1).collect::<Vec<_>>());
            // Runs labelled by their core count already say whose line it is.
            let said = owners.iter().all(|o| o.starts_with(&format!("{n} core")));
            // A run without a label (the workbench before any results) is not named.
            let named: Vec<&str> = owners.iter().copied().filter(|o| !o.is_empty()).collect();
            let label = if owners.len() == owners_all || said || named.is_empty() {
                words
            } else {
                format!("{words} ({})", named.join(", "))
            };
            CoreLine { cores: n, label }
        })
        .collect()
}

/// The value (y) axis: its range in the chart's unit, linear or log.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueAxis {
    /// Its ends, in the chart's unit: from zero (a little below on the lost-updates chart,
    /// see [`chart_model::y_axis_bottom`]) on a linear axis; both positive on a log axis.
    pub range: (f64, f64),
    /// A log axis.
    pub log: bool,
}

/// The reference line of what perfect scaling would give.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ideal {
    /// Speedup = N.
    Speedup,
    /// Every worker fully used: 100 %.
    Efficiency,
    /// The sequential time divided among N: `t1 / N` seconds.
    WallTime { t1: f64 },
}

impl Ideal {
    /// Its value at `workers`.
    pub fn at(self, workers: f64) -> f64 {
        match self {
            Ideal::Speedup => workers,
            Ideal::Efficiency => 100.0,
            Ideal::WallTime { t1 } => t1 / workers,
        }
    }
}

/// The frame of one chart: both axes and the ideal line.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartFrame {
    pub kind: ChartKind,
    pub workers: WorkerAxis,
    pub values: ValueAxis,
    /// The ideal line, where the chart draws one: speedup and efficiency always; wall time
    /// for one run with a sequential time only (with compared runs each has its own
    /// sequential time, and one line drawn from the first would read as every run's ideal).
    pub ideal: Option<Ideal>,
}

impl ChartFrame {
    /// The frame of a chart of `kind` for `runs` drawn as `series` (built with the fitted
    /// curves cut at `workers.top`), on a log value axis where `log_values` (speedup and
    /// wall time only: see [`ChartKind::log_y_base`]).
    pub fn of(
        kind: ChartKind,
        runs: &[ChartRun<'_>],
        workers: WorkerAxis,
        log_values: bool,
        series: &[ChartSeries],
    ) -> ChartFrame {
        let log_values = log_values && kind.log_y_base().is_some();
        let values = value_axis(kind, workers.top, log_values, series);
        let ideal = match kind {
            ChartKind::Speedup => Some(Ideal::Speedup),
            ChartKind::Efficiency => Some(Ideal::Efficiency),
            ChartKind::WallTime => match runs {
                [one] => one
                    .results
                    .baseline
                    .median_s
                    .filter(|t| *t > 0.0)
                    .map(|t1| Ideal::WallTime { t1 }),
                _ => None,
            },
            ChartKind::Memory | ChartKind::LostUpdates => None,
        };
        ChartFrame {
            kind,
            workers,
            values,
            ideal,
        }
    }

    /// The ideal line as `(workers, value)` points, without those outside the value axis:
    /// sampled at `steps + 1` worker counts from 1 (or the axis's left end) to the worker
    /// axis's top; efficiency's flat 100 % across the whole axis, from its two ends. Empty
    /// where the chart has no ideal line.
    pub fn ideal_points(&self, steps: usize) -> Vec<(f64, f64)> {
        let Some(ideal) = self.ideal else {
            return Vec::new();
        };
        let (lo, hi) = self.values.range;
        let xs = match ideal {
            Ideal::Efficiency => vec![self.workers.range.0, self.workers.range.1],
            _ => chart_model::curve_xs(self.workers.range.0.max(1.0), self.workers.top, steps),
        };
        let mut points: Vec<(f64, f64)> = xs
            .into_iter()
            .map(|n| (n, ideal.at(n)))
            .filter(|p| p.1 >= lo && p.1 <= hi)
            .collect();
        // A speedup axis lower than the worker axis's top ([`value_axis`]): the ideal line
        // runs to the top edge, where it leaves the plot.
        if ideal == Ideal::Speedup
            && hi < self.workers.top
            && points.last().is_some_and(|p| p.0 < hi)
        {
            points.push((hi, hi));
        }
        points
    }

    /// Whether `value` lies on the value axis (a fitted curve's points outside it are not
    /// drawn: they would stretch or leave the plot).
    pub fn shows_value(&self, value: f64) -> bool {
        value.is_finite() && value >= self.values.range.0 && value <= self.values.range.1
    }
}

/// The value axis of `series` on a chart of `kind` whose worker axis ends at `top`.
fn value_axis(kind: ChartKind, top: f64, log: bool, series: &[ChartSeries]) -> ValueAxis {
    let data_high = series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.2.map_or(p.1, |(_, h)| h.max(p.1)))
        })
        .fold(0.0f64, f64::max);
    let data_low = series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.2.map_or(p.1, |(l, _)| l.min(p.1)))
        })
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let fit_high = series
        .iter()
        .flat_map(|s| s.fit.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let high = match kind {
        // The ideal line reaches `top`×, but is followed only up to twice the highest speedup
        // measured (2× at least): a curve far below it (a lock that makes more workers slower,
        // 0.1× to 1× against 16× ideal) then fills the chart instead of its bottom sixteenth,
        // and the ideal line runs off the top, which says "far below ideal" as plainly.
        // Before anything is measured, the whole ideal line.
        ChartKind::Speedup => {
            let measured = data_high.max(fit_high);
            let ideal_top = match measured > 0.0 {
                true => top.min((2.0 * measured).max(2.0)),
                false => top,
            };
            measured.max(ideal_top)
        }
        ChartKind::Efficiency => data_high.max(100.0),
        // A fitted time curve may rise above the points at few workers: half as high again
        // at most.
        ChartKind::WallTime => data_high.max(fit_high.min(data_high * 1.5)),
        ChartKind::Memory => data_high,
        ChartKind::LostUpdates => data_high.max(chart_model::LOST_UPDATES_MIN_TOP),
    } * HEADROOM;
    let high = if high.is_finite() && high > 0.0 {
        high
    } else {
        1.0
    };
    let range = if log {
        let low = match (kind, data_low.is_finite()) {
            // The ideal line starts at 1× (one worker): the axis reaches below it.
            (ChartKind::Speedup, _) => data_low.min(1.0) / 1.25,
            (_, true) => data_low / 1.3,
            (_, false) => high / 100.0,
        };
        (low, high * 1.15)
    } else {
        (chart_model::y_axis_bottom(kind, high), high)
    };
    ValueAxis { range, log }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;
    use crate::results::{CellResult, ResultsFile};

    /// Threads at `workers` (each 1/N of a second) against a 1 s sequential baseline, on a
    /// machine of `cores` physical cores.
    fn run(workers: &[usize], cores: Option<usize>) -> ResultsFile {
        let mut r =
            ResultsFile {
                cells: std::iter::once(CellResult::with_walls(ModelKind::Sequential, 1, &[1.0; 6]))
                    .chain(workers.iter().map(|&n| {
                        CellResult::with_walls(ModelKind::Threads, n, &[1.0 / n as f64; 6])
                    }))
                    .collect(),
                ..ResultsFile::default()
            };
        r.experiment.models = vec![ModelKind::Sequential, ModelKind::Threads];
        r.experiment.workers = workers.to_vec();
        r.machine.physical_cores = cores;
        r.machine.logical_cores = cores.unwrap_or(0);
        r.recompute();
        r
    }

    /// A machine of `n` physical cores, all of them usable.
    fn cores(n: usize) -> MachineInfo {
        MachineInfo {
            physical_cores: Some(n),
            logical_cores: n,
            ..MachineInfo::default()
        }
    }

    fn runs<'a>(files: &[(&'a str, &'a ResultsFile)]) -> Vec<ChartRun<'a>> {
        files
            .iter()
            .map(|&(label, results)| ChartRun { label, results })
            .collect()
    }

    fn frame(kind: ChartKind, runs: &[ChartRun<'_>], log: bool) -> ChartFrame {
        let workers = WorkerAxis::of(runs, &[], None, false);
        let series = chart_model::collect_series(
            runs,
            kind,
            &chart_model::SeriesFilter::default(),
            workers.top,
        );
        ChartFrame::of(kind, runs, workers, log, &series)
    }

    #[test]
    fn one_core_is_singular() {
        // Under `taskset -c 0` the one-point chart had read "1 cores", "1 physical cores".
        let lines = core_lines(&[], Some(&cores(1)));
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].label, "1 physical core");
        assert_eq!(lines[0].tag(), "1 core");
        assert_eq!(core_lines(&[], Some(&cores(8)))[0].tag(), "8 cores");
    }

    #[test]
    fn a_run_allowed_fewer_cpus_than_its_machine_has_cores_says_so() {
        // `taskset -c 0` on a 2-core machine: the line stands at the one core the run could
        // use, and does not call it the machine's physical cores.
        let mut pinned = run(&[1], Some(2));
        pinned.machine.logical_cores = 1;
        let axis = WorkerAxis::of(&runs(&[("r", &pinned)]), &[], None, false);
        assert_eq!(
            axis.core_lines,
            [CoreLine {
                cores: 1,
                label: "1 core allowed (2 physical)".to_string()
            }]
        );
        assert_eq!(axis.core_lines[0].tag(), "1 core");
        // The same stands for this machine before any results.
        let axis = WorkerAxis::of(&[], &[1], Some(&pinned.machine), false);
        assert_eq!(axis.core_lines[0].label, "1 core allowed (2 physical)");
        // Compared with a run of a 1-core machine: the line is at one usable core.
        let small = run(&[1], Some(1));
        let axis = WorkerAxis::of(&runs(&[("a", &pinned), ("b", &small)]), &[], None, false);
        assert_eq!(axis.core_lines.len(), 1);
        assert_eq!(axis.core_lines[0].label, "1 usable core");
        // Four cores allowed of eight: plural.
        let mut half = run(&[1, 2, 4], Some(8));
        half.machine.logical_cores = 4;
        let axis = WorkerAxis::of(&runs(&[("r", &half)]), &[], None, false);
        assert_eq!(axis.core_lines[0].label, "4 cores allowed (8 physical)");
    }

    #[test]
    fn a_core_line_just_past_the_measured_counts_is_shown_and_widens_the_axis() {
        // Measuring 1, 2 and 4 on a 6-core machine: the 6-core line says the sweep stopped
        // short of the cores.
        let r = run(&[1, 2, 4], Some(6));
        let axis = WorkerAxis::of(&runs(&[("r", &r)]), &[], None, false);
        assert_eq!(
            axis.core_lines,
            [CoreLine {
                cores: 6,
                label: "6 physical cores".to_string()
            }]
        );
        assert_eq!(axis.top, 6.0);
        assert_eq!(axis.ticks, [1, 2, 4, 6]);
        assert!(axis.range.1 > 6.0 && axis.range.0 < 1.0 && axis.range.0 > 0.5);
        // One worker more is reached too where 1.5 times the top is less.
        let r = run(&[1], Some(2));
        let axis = WorkerAxis::of(&runs(&[("r", &r)]), &[], None, false);
        assert_eq!(axis.core_lines[0].cores, 2);
    }

    #[test]
    fn a_core_line_far_past_the_measured_counts_is_left_out() {
        let r = run(&[1, 2, 4], Some(7));
        let axis = WorkerAxis::of(&runs(&[("r", &r)]), &[], None, false);
        assert!(axis.core_lines.is_empty(), "{axis:?}");
        assert_eq!(axis.top, 4.0);
        assert_eq!(axis.ticks, [1, 2, 4]);
        // Planned counts (a sweep still running) count as measured.
        let axis = WorkerAxis::of(&runs(&[("r", &r)]), &[8], None, false);
        assert_eq!(axis.top, 8.0);
        assert_eq!(axis.core_lines[0].cores, 7);
    }

    #[test]
    fn this_machine_stands_for_a_run_that_records_no_cores_or_no_run() {
        let unknown = run(&[1, 2, 4], None);
        let axis = WorkerAxis::of(&runs(&[("r", &unknown)]), &[], Some(&cores(4)), false);
        assert_eq!(axis.core_lines[0].cores, 4);
        let known = run(&[1, 2, 4], Some(2));
        let axis = WorkerAxis::of(&runs(&[("r", &known)]), &[], Some(&cores(4)), false);
        assert_eq!(axis.core_lines.len(), 1);
        assert_eq!(axis.core_lines[0].cores, 2);
        // Nothing measured yet: the planned counts and this machine's cores.
        let axis = WorkerAxis::of(&[], &[1, 2], Some(&cores(2)), false);
        assert_eq!((axis.top, axis.core_lines.len()), (2.0, 1));
        // No run, no plan: 1 to 4 workers.
        let axis = WorkerAxis::of(&[], &[], None, false);
        assert_eq!(axis.top, 4.0);
    }

    #[test]
    fn core_lines_of_compared_machines_name_their_runs_where_not_all_share_them() {
        let laptop = run(&[1, 2, 4], Some(4));
        let big = run(&[1, 2, 4, 8, 16], Some(16));
        let same = run(&[1, 2, 4], Some(4));
        let axis = WorkerAxis::of(
            &runs(&[("laptop", &laptop), ("big", &big)]),
            &[],
            None,
            false,
        );
        let labels: Vec<&str> = axis.core_lines.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            ["4 physical cores (laptop)", "16 physical cores (big)"]
        );
        assert_eq!(axis.core_lines[1].tag(), "16 cores");
        // The workbench before any results (an empty first run stands for this machine),
        // comparing a run of another machine: this machine's line goes unnamed.
        let empty = ResultsFile::default();
        let axis = WorkerAxis::of(
            &runs(&[("", &empty), ("laptop", &laptop)]),
            &[],
            Some(&cores(2)),
            false,
        );
        let labels: Vec<&str> = axis.core_lines.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["2 physical cores", "4 physical cores (laptop)"]);
        let axis = WorkerAxis::of(&runs(&[("a", &laptop), ("b", &same)]), &[], None, false);
        assert_eq!(axis.core_lines.len(), 1);
        assert_eq!(axis.core_lines[0].label, "4 physical cores");
    }

    #[test]
    fn a_log_worker_axis_reaches_a_third_of_a_doubling_past_its_ends() {
        let r = run(&[1, 2, 4, 8], Some(8));
        let axis = WorkerAxis::of(&runs(&[("r", &r)]), &[], None, true);
        let (lo, hi) = axis.drawn_range();
        assert!(
            (lo + 0.3).abs() < 1e-9 && (hi - 3.3).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert_eq!(axis.drawn(8.0), 3.0);
    }

    #[test]
    fn the_value_axis_has_eight_percent_above_the_highest_value_or_the_ideal() {
        // Ideal scaling at 1, 2, 4 on 4 cores: the speedup top is the ideal's 4×.
        let r = run(&[1, 2, 4], Some(4));
        let one = runs(&[("r", &r)]);
        let f = frame(ChartKind::Speedup, &one, false);
        assert_eq!(f.values.range.0, 0.0);
        assert!((f.values.range.1 - 4.0 * HEADROOM).abs() < 1e-9, "{f:?}");
        // Efficiency: 100 % at least.
        let f = frame(ChartKind::Efficiency, &one, false);
        assert!((f.values.range.1 - 100.0 * HEADROOM).abs() < 1e-9, "{f:?}");
        // Wall time: the slowest point (the 1 s baseline) and its bar.
        let f = frame(ChartKind::WallTime, &one, false);
        assert!((f.values.range.1 - HEADROOM).abs() < 0.05, "{f:?}");
        assert!(f.values.range.1 >= HEADROOM);
        // A log speedup axis: below 1× (where the ideal starts) and above the top.
        let f = frame(ChartKind::Speedup, &one, true);
        assert!(f.values.log);
        assert!(f.values.range.0 < 1.0 && f.values.range.1 > 4.0 * HEADROOM);
        // A log axis is only where the chart has one.
        assert!(!frame(ChartKind::Efficiency, &one, true).values.log);
    }

    #[test]
    fn a_curve_far_below_the_ideal_fills_the_chart_and_the_ideal_runs_off_its_top() {
        // More workers slower (a contended lock): 1× at 1 worker, 0.25× at 16.
        let mut r = run(&[1, 2, 4, 8, 16], Some(16));
        for c in r
            .cells
            .iter_mut()
            .filter(|c| c.model == Some(ModelKind::Threads))
        {
            let slower = c.workers as f64;
            *c = CellResult::with_walls(ModelKind::Threads, c.workers, &[slower.sqrt(); 6]);
        }
        r.recompute();
        let one = runs(&[("r", &r)]);
        let f = frame(ChartKind::Speedup, &one, false);
        // Twice the highest speedup (its bar included), at least 2×: not the ideal's 16×.
        let (lo, hi) = f.values.range;
        assert!((2.0 * HEADROOM - 1e-9..2.5).contains(&hi), "{lo}–{hi}");
        let ideal = f.ideal_points(50);
        assert_eq!(ideal.first(), Some(&(1.0, 1.0)));
        assert_eq!(
            ideal.last(),
            Some(&(hi, hi)),
            "the ideal reaches the top edge"
        );
        // Before anything is measured, the whole ideal line.
        let nothing = ResultsFile {
            experiment: r.experiment.clone(),
            machine: r.machine.clone(),
            ..ResultsFile::default()
        };
        let empty = runs(&[("r", &nothing)]);
        let f = frame(ChartKind::Speedup, &empty, false);
        assert!(f.values.range.1 >= f.workers.top, "{f:?}");
    }

    #[test]
    fn the_wall_time_ideal_is_drawn_for_one_run_only() {
        let a = run(&[1, 2, 4], Some(4));
        let b = run(&[1, 2, 4], Some(4));
        let one = runs(&[("a", &a)]);
        let f = frame(ChartKind::WallTime, &one, false);
        let Some(Ideal::WallTime { t1 }) = f.ideal else {
            panic!("no wall-time ideal: {f:?}");
        };
        assert!((t1 - 1.0).abs() < 0.01);
        let pts = f.ideal_points(10);
        assert_eq!(pts.first().map(|p| p.0), Some(1.0));
        assert_eq!(pts.last().map(|p| p.0), Some(4.0));
        assert!((pts.last().unwrap().1 - t1 / 4.0).abs() < 1e-12);
        // Compared runs each have their own sequential time: no one line.
        let two = runs(&[("a", &a), ("b", &b)]);
        assert_eq!(frame(ChartKind::WallTime, &two, false).ideal, None);
        // Speedup and efficiency keep theirs; memory and lost updates have none.
        assert_eq!(
            frame(ChartKind::Speedup, &two, false).ideal,
            Some(Ideal::Speedup)
        );
        assert_eq!(
            frame(ChartKind::Efficiency, &two, false).ideal,
            Some(Ideal::Efficiency)
        );
        assert_eq!(frame(ChartKind::Memory, &one, false).ideal, None);
        assert_eq!(frame(ChartKind::LostUpdates, &one, false).ideal, None);
    }

    #[test]
    fn the_ideal_points_leave_out_what_is_off_the_value_axis() {
        let r = run(&[1, 2, 4], Some(4));
        let one = runs(&[("r", &r)]);
        let mut f = frame(ChartKind::WallTime, &one, false);
        f.values.range = (0.3, 2.0);
        assert!(f.ideal_points(20).iter().all(|p| p.1 >= 0.3));
        assert!(f.ideal_points(20).last().unwrap().0 < 4.0);
        assert!(!f.shows_value(f64::NAN) && !f.shows_value(2.5) && f.shows_value(1.0));
        // Efficiency's 100 % spans the whole worker axis.
        let f = frame(ChartKind::Efficiency, &one, false);
        let (left, right) = f.workers.range;
        assert_eq!(f.ideal_points(50), [(left, 100.0), (right, 100.0)]);
    }
}

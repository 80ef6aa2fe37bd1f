//! What the lost-updates chart adds: its legend's "0 lost", its axis kept clear of 0 %, and its
//! note on what 100 % is.

use super::{ChartKind, ChartSeries};
use crate::preset::TaskKind;
use crate::results::ResultsFile;

/// What the lost-updates chart's legend adds to a series none of whose runs lost anything:
/// `threads: 0 lost`, so that a line lying on the 0 % grid line is read as the lesson's other
/// half and not as missing.
const NONE_LOST: &str = "0 lost";

/// Whether a series of the lost-updates chart lost nothing in any run (every point and bar at
/// 0 %).
pub fn lost_nothing(series: &ChartSeries) -> bool {
    !series.points.is_empty()
        && series
            .points
            .iter()
            .all(|(_, y, bar)| *y == 0.0 && bar.is_none_or(|(_, hi)| hi == 0.0))
}

/// A series' legend label on a chart of `kind`: `label`, and on the lost-updates chart
/// `label: 0 lost` where the series lost nothing ([`lost_nothing`]).
pub fn legend_label(kind: ChartKind, series: &ChartSeries, label: &str) -> String {
    if kind == ChartKind::LostUpdates && lost_nothing(series) {
        format!("{label}: {NONE_LOST}")
    } else {
        label.to_string()
    }
}

/// The bottom of a linear y axis whose top is `top`: zero, except on the lost-updates chart,
/// whose 0 % is its lesson: there the axis reaches 4 % of its height below zero, so that a
/// line at 0 % is drawn above the axis line, not hidden under it.
pub fn y_axis_bottom(kind: ChartKind, top: f64) -> f64 {
    if kind == ChartKind::LostUpdates {
        -0.04 * top.abs()
    } else {
        0.0
    }
}

/// What 100 % is on the lost-updates chart of `runs`, and how its points read, for a note
/// under the chart's title: `100 % = all the increments the N workers of a run were asked
/// for, N × 1000000 · point: the median run · bar: the runs that lost least and most`. The
/// increments per worker are the task's (`task.contention.increments`, as calibrated); runs of
/// different sizes say "N × the increments per worker" instead.
pub fn lost_updates_note<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> String {
    let mut sizes: Vec<u64> = runs
        .into_iter()
        .filter(|r| r.experiment.task.kind == TaskKind::Contention)
        .map(|r| r.experiment.task.contention.increments)
        .collect();
    sizes.dedup();
    let per_worker = match sizes.as_slice() {
        [one] => one.to_string(),
        _ => "the increments per worker".to_string(),
    };
    format!(
        "100 % = all the increments the N workers of a run were asked for, N × {per_worker} · \
         point: the median run · bar: the runs that lost least and most"
    )
}

/// The least top of the lost-updates chart's y axis, in percent: with no loss or a little,
/// the axis still spans 0–10 %, so that a flat line at 0 reads as nothing lost, not as a
/// scale too small to see.
pub const LOST_UPDATES_MIN_TOP: f64 = 10.0;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::chart_model::{
        ChartRun, LostShare, SeriesFilter, bar_offset, collect_series, lost_share,
    };
    use crate::preset::{self, ModelKind};
    use crate::results::CellResult;

    /// A contention task of 1000 increments per worker whose runs lost these counts.
    fn lost_file(cells: &[(ModelKind, usize, &[Option<u64>])]) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        for &(model, workers, lost) in cells {
            let mut c = CellResult::with_walls(model, workers, &vec![0.01; lost.len()]);
            for (s, l) in c.samples.iter_mut().zip(lost) {
                s.lost_updates = *l;
            }
            r.cells.push(c);
        }
        r.recompute();
        r
    }

    #[test]
    fn lost_updates_are_shares_of_the_increments_all_workers_were_asked_for() {
        let r = lost_file(&[
            (ModelKind::Sequential, 1, &[Some(0), Some(0), Some(0)]),
            // 2 × 1000 asked: 0, 500, 1000 lost.
            (ModelKind::Threads, 2, &[Some(500), Some(0), Some(1000)]),
            // 4 × 1000 asked, an even count of runs: the median is the middle two's mean.
            (
                ModelKind::Threads,
                4,
                &[Some(1000), Some(3000), Some(2000), Some(4000)],
            ),
            // More lost than asked (a hand-edited file): all of it.
            (ModelKind::GilThreads, 2, &[Some(2500)]),
            // No counter: no point.
            (ModelKind::Processes, 2, &[None, None]),
        ]);
        let share = |i: usize| lost_share(&r, &r.cells[i]).unwrap();
        assert_eq!(
            share(1),
            LostShare {
                asked: 2000,
                median_pct: 25.0,
                min_pct: 0.0,
                max_pct: 50.0,
                max_lost: 1000,
                runs: 3,
                runs_losing: 2,
            }
        );
        let four = share(2);
        assert_eq!(four.asked, 4000);
        assert_eq!(
            (four.median_pct, four.min_pct, four.max_pct),
            (62.5, 25.0, 100.0)
        );
        assert_eq!(share(3).median_pct, 100.0);
        assert_eq!(lost_share(&r, &r.cells[4]), None);
        assert_eq!(share(0).runs_losing, 0);

        let run = [ChartRun {
            label: "r",
            results: &r,
        }];
        let series = collect_series(&run, ChartKind::LostUpdates, &SeriesFilter::default(), 4.0);
        let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            ["sequential (baseline): 0 lost", "threads", "gil-threads"]
        );
        // The point is the median run, the bar spans the runs; none where every run lost the
        // same.
        assert_eq!(series[0].points, vec![(1.0, 0.0, None)]);
        assert!(series[0].horizontal);
        assert_eq!(
            series[1].points,
            vec![
                (2.0, 25.0, Some((0.0, 50.0))),
                (4.0, 62.5, Some((25.0, 100.0)))
            ]
        );
        assert!(series.iter().all(|s| s.fit.is_empty()));
        assert_eq!(
            ChartKind::LostUpdates.unavailable_reason([&r]),
            None,
            "a contention task with counted runs"
        );
    }

    #[test]
    fn the_lost_updates_chart_needs_a_counter_and_keeps_zero_above_its_axis() {
        let cpu = file_of_kind(TaskKind::Cpu);
        let reason = ChartKind::LostUpdates.unavailable_reason([&cpu]).unwrap();
        assert_eq!(
            reason,
            "only a `contention` task counts lost updates, and this is a `cpu` task"
        );
        assert_eq!(
            ChartKind::available([&cpu]),
            [
                ChartKind::Speedup,
                ChartKind::Efficiency,
                ChartKind::WallTime,
                ChartKind::Memory
            ]
        );
        // Compared with a run that counted: available.
        let counted = lost_file(&[(ModelKind::Threads, 2, &[Some(0)])]);
        assert_eq!(
            ChartKind::LostUpdates.unavailable_reason([&cpu, &counted]),
            None
        );
        // A contention file without counts (cells that failed, say), and no results at all.
        let uncounted = lost_file(&[(ModelKind::Threads, 2, &[None])]);
        assert!(
            ChartKind::LostUpdates
                .unavailable_reason([&uncounted])
                .unwrap()
                .contains("no cell has a run that counted")
        );
        assert_eq!(
            ChartKind::LostUpdates.unavailable_reason([]).unwrap(),
            "there are no results yet"
        );
        // Before a sweep: only the task matters.
        assert!(
            ChartKind::LostUpdates
                .unavailable_for_tasks(&[TaskKind::Contention])
                .is_none()
        );
        assert!(
            ChartKind::Speedup
                .unavailable_for_tasks(&[TaskKind::Io])
                .is_none()
        );
        assert!(
            ChartKind::Memory
                .unavailable_for_tasks(&[TaskKind::Io])
                .is_none()
        );
        // The chart refuses with its view's words.
        assert_eq!(
            ChartKind::LostUpdates.unavailable_for_tasks(&[TaskKind::Io]),
            preset::ResultsView::LostUpdates.unavailable_for(TaskKind::Io)
        );
        // Every view that is a chart maps to it and back.
        for view in preset::ResultsView::ALL {
            if let Some(chart) = ChartKind::of_view(view) {
                assert_eq!(chart.view(), Some(view), "{view}");
            }
        }
        assert_eq!(
            ChartKind::of_view(preset::ResultsView::Time),
            Some(ChartKind::WallTime)
        );
        assert_eq!(ChartKind::of_view(preset::ResultsView::Table), None);
        // 0 % lies above the axis, which reaches 4 % of the height below it; other charts
        // start at 0.
        assert_eq!(y_axis_bottom(ChartKind::LostUpdates, 50.0), -2.0);
        assert_eq!(y_axis_bottom(ChartKind::Speedup, 50.0), 0.0);
        // Three models' bars side by side around their count, on every chart; one model's on
        // the point.
        let offsets: Vec<f64> = [0, 2, 3]
            .iter()
            .map(|&i| bar_offset(&[0, 2, 3], i))
            .collect();
        assert_eq!(offsets, [-0.01, 0.0, 0.01]);
        assert_eq!(bar_offset(&[2], 2), 0.0);
        assert_eq!(bar_offset(&[0, 2, 3], 0), -0.01);
        let k = ChartKind::LostUpdates;
        assert!(!k.has_ideal() && k.fit_law().is_none() && !k.supports_log_y());
        assert_eq!(ChartKind::from_id("lost-updates"), Some(k));
        let counted = lost_file(&[(ModelKind::Threads, 2, &[Some(0)])]);
        assert_eq!(
            lost_updates_note([&counted, &cpu]),
            "100 % = all the increments the N workers of a run were asked for, N × 1000 · point: \
             the median run · bar: the runs that lost least and most"
        );
    }

    fn file_of_kind(kind: TaskKind) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = kind;
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 1, &[0.1]));
        r.recompute();
        r
    }
}

//! How a chart's axes are scaled: linear or logarithmic, as asked for or as suits the results.

use super::ChartKind;
use crate::results::ResultsFile;

/// How an axis is scaled, as asked for (`--x-scale`, `--y-scale`, the export dialog).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AxisScale {
    /// Whatever suits the results ([`resolve_scales`]).
    #[default]
    Auto,
    Linear,
    Log,
}

/// Why the axes asked for cannot be drawn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScaleError {
    #[error(
        "the {chart} chart has no log y axis ({why}); a log y axis is drawn on the speedup and \
         time charts"
    )]
    NoLogY {
        chart: &'static str,
        why: &'static str,
    },
    #[error(
        "a log speedup axis needs the log₂ worker axis, not a linear one: only on log-log is \
         the ideal line (speedup = N) straight"
    )]
    LogSpeedupNeedsLogX,
}

/// The least span (largest ÷ smallest) of the speedups on a chart for `auto` to draw a log₂
/// speedup axis (with a log₂ worker axis): 0.5× to 4×, or 1× to 8×. Below it a linear axis
/// reads as well and keeps the ideal line's slope familiar.
const LOG_SPEEDUP_SPAN: f64 = 8.0;

/// The one rule of the speedup axis when nobody asked for a scale, for the exports
/// ([`resolve_scales`]) and the workbench alike: log₂ where the worker axis is log₂ and the
/// speedups of `runs` span at least [`LOG_SPEEDUP_SPAN`] (on a linear worker axis a log
/// speedup axis would bend the ideal line).
pub fn auto_log_speedup<'a>(log_x: bool, runs: impl IntoIterator<Item = &'a ResultsFile>) -> bool {
    log_x && suits_log_speedup(runs)
}

/// Whether the speedups of `runs` span at least [`LOG_SPEEDUP_SPAN`].
fn suits_log_speedup<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    for r in runs {
        for c in r.cells.iter().filter(|c| c.is_measured()) {
            if let Some(s) = c.speedup.filter(|s| s.is_finite() && *s > 0.0) {
                (lo, hi) = (lo.min(s), hi.max(s));
            }
        }
    }
    hi > 0.0 && hi / lo >= LOG_SPEEDUP_SPAN
}

/// The axes of a chart of `kind` for `runs`, as `(log₂ workers, log y)`, from what was asked:
/// - workers: `auto` is log₂ where the counts span more than 32 times ([`suits_log_x`]), or
///   where a log speedup axis was asked for (so the ideal line stays straight);
/// - wall time: `auto` is log where the median times span more than 100 times;
/// - speedup: `auto` is log₂ only where the worker axis is log₂ and the speedups span at least
///   8 times (`suits_log_speedup`); `log` with a linear worker axis is refused;
/// - efficiency, memory, lost updates: linear; `log` is refused.
pub fn resolve_scales<'a>(
    kind: ChartKind,
    runs: impl Iterator<Item = &'a ResultsFile> + Clone,
    x: AxisScale,
    y: AxisScale,
) -> Result<(bool, bool), ScaleError> {
    let log_speedup_asked = kind == ChartKind::Speedup && y == AxisScale::Log;
    let log_x = match x {
        AxisScale::Log => true,
        AxisScale::Linear => false,
        AxisScale::Auto => {
            log_speedup_asked
                || suits_log_x(runs.clone().flat_map(|r| r.cells.iter().map(|c| c.workers)))
        }
    };
    let log_y = match (kind, y) {
        (_, AxisScale::Linear) => false,
        (ChartKind::WallTime, AxisScale::Log) => true,
        (ChartKind::WallTime, AxisScale::Auto) => suits_log_time(runs),
        (ChartKind::Speedup, AxisScale::Log) if !log_x => {
            return Err(ScaleError::LogSpeedupNeedsLogX);
        }
        (ChartKind::Speedup, AxisScale::Log) => true,
        (ChartKind::Speedup, AxisScale::Auto) => auto_log_speedup(log_x, runs),
        (_, AxisScale::Auto) => false,
        (k, AxisScale::Log) => {
            return Err(ScaleError::NoLogY {
                chart: k.id(),
                why: match k {
                    ChartKind::Efficiency => "it is read against its flat 100 % line",
                    ChartKind::LostUpdates => "its lesson is 0 %, which no log axis shows",
                    _ => "its megabytes grow by steps, not by factors",
                },
            });
        }
    };
    Ok((log_x, log_y))
}

/// The widest span of worker counts a linear axis shows well (1 to 32): beyond it (1 to 64;
/// 4, 16, 64, 256, 1024), the small counts crowd into the corner and a log₂ axis reads
/// better, though it bends the straight ideal line of a speedup chart.
const LINEAR_X_SPAN: usize = 32;

/// Whether `workers` span so many doublings that a log₂ worker axis reads better than a
/// linear one (the default where the user has not chosen).
pub fn suits_log_x(workers: impl IntoIterator<Item = usize>) -> bool {
    let (mut lo, mut hi) = (usize::MAX, 0);
    for w in workers.into_iter().filter(|&w| w > 0) {
        (lo, hi) = (lo.min(w), hi.max(w));
    }
    hi > 0 && hi / lo > LINEAR_X_SPAN
}

/// The widest span of median wall times a linear time axis shows well: beyond 100× (lock
/// contention's threads in 0.2 ms next to processes in 0.5 s), the fast models lie flat on
/// the axis and a log time axis reads better.
const LINEAR_Y_SPAN: f64 = 100.0;

/// Whether the median wall times of `runs` span so much that a log time axis reads better
/// than a linear one (the wall-time chart's default where the user has not chosen).
pub fn suits_log_time<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    for r in runs {
        for t in r
            .cells
            .iter()
            .filter_map(|c| c.wall.as_ref())
            .map(|w| w.median)
        {
            if t.is_finite() && t > 0.0 {
                (lo, hi) = (lo.min(t), hi.max(t));
            }
        }
    }
    hi > 0.0 && hi / lo > LINEAR_Y_SPAN
}

/// The axes that suit `runs` where nobody chose: `(log₂ workers, log time)` by
/// [`suits_log_x`] over every measured worker count and [`suits_log_time`].
pub fn suited_scales<'a>(runs: impl Iterator<Item = &'a ResultsFile> + Clone) -> (bool, bool) {
    let workers = runs.clone().flat_map(|r| r.cells.iter().map(|c| c.workers));
    (suits_log_x(workers), suits_log_time(runs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;
    use crate::results::CellResult;

    #[test]
    fn wide_worker_spans_suit_a_log_axis() {
        assert!(suits_log_x([4, 16, 64, 256, 1024]));
        assert!(suits_log_x([1, 2, 4, 8, 16, 32, 64]));
        assert!(!suits_log_x([1, 2, 4, 8, 16, 32]));
        assert!(!suits_log_x([1, 2, 3, 4]));
        assert!(!suits_log_x([]));
        assert!(!suits_log_x([0, 8]));
    }

    #[test]
    fn times_spanning_more_than_100_times_suit_a_log_axis() {
        let file = |walls: &[f64]| {
            let mut r = ResultsFile::default();
            for (i, &t) in walls.iter().enumerate() {
                r.cells
                    .push(CellResult::with_walls(ModelKind::Threads, i + 1, &[t]));
            }
            r.recompute();
            r
        };
        assert!(suits_log_time([&file(&[0.0002, 0.5])]));
        assert!(!suits_log_time([&file(&[0.01, 0.5])]));
        // Across compared runs too.
        assert!(suits_log_time([&file(&[0.0002]), &file(&[0.5])]));
        assert!(!suits_log_time([&ResultsFile::default()]));
    }

    /// A file whose cells have these (workers, speedup) pairs.
    fn speedups(points: &[(usize, f64)]) -> ResultsFile {
        let mut r = ResultsFile::default();
        for &(workers, s) in points {
            let mut c = CellResult::with_walls(ModelKind::Threads, workers, &[1.0 / s]);
            c.speedup = Some(s);
            r.cells.push(c);
        }
        r
    }

    #[test]
    fn a_log_speedup_axis_is_asked_for_or_picked_only_on_log_log_over_a_wide_span() {
        use AxisScale::{Auto, Linear, Log};
        let narrow = speedups(&[(1, 1.0), (2, 1.9), (4, 3.5), (8, 6.0)]);
        let wide = speedups(&[(1, 1.0), (2, 1.9), (4, 3.5), (8, 6.0), (64, 40.0)]);
        let slow = speedups(&[(1, 1.0), (2, 0.5), (4, 0.25), (8, 0.12)]);
        let resolve = |kind, r: &ResultsFile, x, y| resolve_scales(kind, [r].into_iter(), x, y);
        assert!(!suits_log_speedup([&narrow]) && suits_log_speedup([&wide]));
        // 0.12× to 1× spans more than 8 times too.
        assert!(suits_log_speedup([&slow]));
        // auto: log₂ speedup only with a log₂ worker axis (1..64 is one) and a span ≥ 8×.
        assert_eq!(
            resolve(ChartKind::Speedup, &wide, Auto, Auto),
            Ok((true, true))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &narrow, Auto, Auto),
            Ok((false, false))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &slow, Auto, Auto),
            Ok((false, false)),
            "1 to 8 workers: a linear worker axis, so a linear speedup axis"
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &slow, Log, Auto),
            Ok((true, true))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &wide, Auto, Linear),
            Ok((true, false))
        );
        // log asked for: the worker axis follows, unless it was set linear.
        assert_eq!(
            resolve(ChartKind::Speedup, &narrow, Auto, Log),
            Ok((true, true))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &narrow, Linear, Log),
            Err(ScaleError::LogSpeedupNeedsLogX)
        );
        // Wall time keeps its own rule; efficiency, memory and lost updates refuse log.
        assert_eq!(
            resolve(ChartKind::WallTime, &narrow, Linear, Log),
            Ok((false, true))
        );
        assert_eq!(
            resolve(ChartKind::Efficiency, &wide, Auto, Auto),
            Ok((true, false))
        );
        for kind in [
            ChartKind::Efficiency,
            ChartKind::Memory,
            ChartKind::LostUpdates,
        ] {
            let err = resolve(kind, &wide, Auto, Log).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("the {} chart has no log y axis", kind.id())),
                "{err}"
            );
        }
        // The refusals do not depend on the results (checked before a sweep).
        assert!(resolve_scales(ChartKind::Efficiency, std::iter::empty(), Auto, Log).is_err());
        assert_eq!(ChartKind::Speedup.log_y_base(), Some(2.0));
        assert_eq!(ChartKind::WallTime.log_y_base(), Some(10.0));
        assert_eq!(ChartKind::Efficiency.log_y_base(), None);
    }
}

//! The chart in words, for a screen reader: what it plots, over which worker counts, and each
//! curve's value at its largest worker count.

use crate::export::chart_model::{self, ChartSeries};
use crate::export::{self, ChartKind};

/// A value of `kind`'s y axis in words: `2.00×`, `93 %`, `0.2632 s`, `48 MiB`.
fn value_text(kind: ChartKind, y: f64) -> String {
    match kind {
        ChartKind::Speedup => format!("{y:.2}×"),
        ChartKind::Efficiency => format!("{y:.0} %"),
        ChartKind::WallTime => format!("{} s", export::seconds_text(y)),
        ChartKind::Memory => format!("{y:.0} MiB"),
        ChartKind::LostUpdates => crate::results::lost_percent(y),
    }
}

/// The chart in words, for a screen reader (its accessible name): what it plots, over which
/// worker counts, and each curve's value at its largest worker count, e.g. `Speedup chart,
/// speedup (× baseline) against 1–4 workers: sequential (baseline) 1.00× at 1, threads
/// 3.61× at 4. Every value is in the Results table (Ctrl+4).`
pub fn chart_summary(kind: ChartKind, series: &[ChartSeries], table_key: &str) -> String {
    let head = format!("{} chart", kind.title());
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !lo.is_finite() {
        return format!("{head}: no measurements yet.");
    }
    let range = if lo == hi {
        format!("{lo} workers")
    } else {
        format!("{lo}–{hi} workers")
    };
    let curves: Vec<String> = series
        .iter()
        .filter_map(|s| {
            let last = s.points.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
            if kind == ChartKind::LostUpdates {
                // "sequential (baseline): 0 lost" says it all; a losing curve says how much.
                return Some(if chart_model::lost_nothing(s) {
                    s.label.clone()
                } else {
                    format!(
                        "{} {} lost at {}",
                        s.label,
                        value_text(kind, last.1),
                        last.0
                    )
                });
            }
            Some(format!(
                "{} {} at {}",
                s.label,
                value_text(kind, last.1),
                last.0
            ))
        })
        .collect();
    let mut text = format!(
        "{head}, {} against {range}: {}.",
        match kind {
            ChartKind::LostUpdates => "increments lost (% of all the workers were asked for)",
            k => k.y_label(),
        },
        curves.join(", ")
    );
    // The table holds every point of the other charts (not the memory's); for lost updates
    // its notes count the runs that lost any.
    if kind == ChartKind::LostUpdates {
        text.push_str(&format!(
            " The Results table ({table_key}) counts the runs that lost updates."
        ));
    } else if kind != ChartKind::Memory {
        text.push_str(&format!(
            " Every value is in the Results table ({table_key})."
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::charts::hover::lost_updates_line;
    use crate::gui::charts::test_support::series;
    use crate::preset::ModelKind;

    #[test]
    fn a_chart_is_summarised_in_words() {
        let curve = |model, label: &str, points: Vec<(f64, f64)>| {
            series(
                model,
                label,
                points.into_iter().map(|(x, y)| (x, y, None)).collect(),
            )
        };
        let series = [
            curve(
                ModelKind::Sequential,
                "sequential (baseline)",
                vec![(1.0, 1.0)],
            ),
            curve(
                ModelKind::Threads,
                "threads",
                vec![(4.0, 3.614), (1.0, 1.0), (2.0, 1.9)],
            ),
        ];
        assert_eq!(
            chart_summary(ChartKind::Speedup, &series, "Ctrl+4"),
            "Speedup chart, speedup (× baseline) against 1–4 workers: sequential (baseline) 1.00× at 1, threads 3.61× at 4. Every value is in the Results table (Ctrl+4)."
        );
        assert_eq!(
            chart_summary(ChartKind::Efficiency, &[], "Ctrl+4"),
            "Efficiency chart: no measurements yet."
        );
    }

    #[test]
    fn a_lost_updates_chart_is_summarised_with_what_was_lost() {
        let curve = series;
        let series = [
            curve(
                ModelKind::Sequential,
                "sequential (baseline): 0 lost",
                vec![(1.0, 0.0, None)],
            ),
            curve(
                ModelKind::Threads,
                "threads",
                vec![(1.0, 0.0, None), (4.0, 47.06, Some((20.0, 62.5)))],
            ),
        ];
        assert_eq!(
            chart_summary(ChartKind::LostUpdates, &series, "Ctrl+4"),
            "Lost updates chart, increments lost (% of all the workers were asked for) against 1–4 workers: sequential (baseline): 0 lost, threads 47% lost at 4. The Results table (Ctrl+4) counts the runs that lost updates."
        );
        // A point's hover: the median and the bar, what 100 % is, how many runs lost any.
        let lost = chart_model::LostShare {
            asked: 4000,
            median_pct: 0.0,
            min_pct: 0.0,
            max_pct: 25.0,
            max_lost: 1000,
            runs: 3,
            runs_losing: 1,
        };
        assert_eq!(
            lost_updates_line(&lost),
            "this cell lost updates in 1 of 3 runs (up to 1000 of the 4000 increments a run asked for, 25%), though the median run lost none"
        );
        let none = chart_model::LostShare {
            max_pct: 0.0,
            max_lost: 0,
            runs_losing: 0,
            ..lost
        };
        assert_eq!(
            lost_updates_line(&none),
            "this cell lost none of the 4000 increments a run asked for (3 runs)"
        );
        assert_eq!(value_text(ChartKind::LostUpdates, 0.0034), "0.0034%");
    }
}

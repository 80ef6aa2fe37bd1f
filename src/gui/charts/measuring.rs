//! Cells still being measured while a sweep runs: drawn hollow in a ring until they complete,
//! with a line in their hover and a note in the caption.

use crate::export::chart_model::ChartSeries;
use crate::preset::ModelKind;
use crate::results::CellResult;

/// The hover's line for a cell still being measured, e.g. `measuring: 2 runs so far`.
pub fn measuring_words(cell: &CellResult) -> String {
    format!(
        "measuring: {} so far",
        crate::words::count(cell.samples.len(), "run")
    )
}

/// Marks the shown results' cells still being measured as partial, so that they are drawn
/// hollow in a ring until they complete (the frame after, solid). Compared runs' series are
/// finished files: left alone.
pub(super) fn mark_measuring(series: &mut [ChartSeries], measuring: &[(ModelKind, usize)]) {
    for s in series.iter_mut().filter(|s| s.run == 0) {
        for &(model, workers) in measuring {
            let x = workers as f64;
            if model == s.model && s.points.iter().any(|p| p.0 == x) && !s.partial.contains(&x) {
                s.partial.push(x);
            }
        }
    }
}

/// The caption's note while cells are being measured, e.g. `· Hollow markers in a ring: 3
/// cells still being measured; solid once complete.`; `None` for none.
pub(super) fn measuring_note(cells: usize) -> Option<String> {
    (cells > 0).then(|| {
        let are = if cells == 1 { "is" } else { "are" };
        format!(
            "· Hollow markers in a ring: {} {are} still being measured; solid once complete.",
            crate::words::count(cells, "cell")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::charts::test_support::{recomputed, series, speedup_hovers};

    /// A running sweep: threads × 2 has 2 of its runs, the other cells have completed.
    #[test]
    fn a_cell_still_being_measured_is_drawn_and_hovered_as_such_until_it_completes() {
        let r = recomputed(vec![
            CellResult::with_walls(ModelKind::Sequential, 1, &[0.4; 3]),
            CellResult::with_walls(ModelKind::Threads, 1, &[0.41; 3]),
            CellResult::with_walls(ModelKind::Threads, 2, &[0.21, 0.2]),
        ]);
        let measuring = [(ModelKind::Threads, 2)];
        let hover = speedup_hovers(&r, &measuring);
        let live = hover(ModelKind::Threads, 2);
        assert!(
            live.contains("measuring: 2 runs so far (hollow marker)"),
            "{live}"
        );
        assert!(!live.contains("partial"), "not cancelled: {live}");
        assert!(!hover(ModelKind::Threads, 1).contains("measuring"));

        let threads = |run| ChartSeries {
            run,
            ..series(
                ModelKind::Threads,
                "threads",
                vec![(1.0, 1.0, None), (2.0, 2.0, None)],
            )
        };
        let mut shown = vec![threads(0), threads(1)];
        mark_measuring(&mut shown, &measuring);
        assert!(
            shown[0].is_partial_at(2.0),
            "hollow in a ring while measured"
        );
        assert!(!shown[0].is_partial_at(1.0), "a completed cell stays solid");
        assert!(
            !shown[1].is_partial_at(2.0),
            "a compared run is a finished file"
        );
        // Once the cell completes, nothing is measured: solid.
        let mut done = vec![threads(0)];
        mark_measuring(&mut done, &[]);
        assert!(!done[0].is_partial_at(2.0));

        assert_eq!(
            measuring_note(1).as_deref(),
            Some(
                "· Hollow markers in a ring: 1 cell is still being measured; solid once complete."
            )
        );
        assert_eq!(measuring_note(0), None);
    }
}

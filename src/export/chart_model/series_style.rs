//! How one series is drawn: its colour, marker, dash pattern, and how its partial cells stand out.

use super::{Marker, Rgb, Theme, model_colour_on, model_marker};
use crate::preset::ModelKind;

/// The line pattern of a run: the shown results solid, each compared run its own pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
    LongDashed,
}

impl Dash {
    /// In words, for a legend that can show only a colour ("solid", "dashed", …).
    pub fn name(self) -> &'static str {
        match self {
            Dash::Solid => "solid",
            Dash::Dashed => "dashed",
            Dash::Dotted => "dotted",
            Dash::LongDashed => "long dashes",
        }
    }

    /// Dash and gap lengths in pixels at scale 1 (`None`: solid).
    pub fn pattern(self) -> Option<(f64, f64)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((9.0, 5.0)),
            Dash::Dotted => Some((2.5, 4.0)),
            Dash::LongDashed => Some((16.0, 6.0)),
        }
    }
}

/// Run `run`'s dash pattern (0 is the shown results).
pub fn run_dash(run: usize) -> Dash {
    match run % 4 {
        0 => Dash::Solid,
        1 => Dash::Dashed,
        2 => Dash::Dotted,
        _ => Dash::LongDashed,
    }
}

/// Whether run `run`'s markers are filled: the shown results' are, compared runs' are hollow.
fn run_marker_filled(run: usize) -> bool {
    run == 0
}

/// How one series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesStyle {
    pub colour: Rgb,
    pub marker: Marker,
    pub filled: bool,
    pub dash: Dash,
}

/// The style of `model` in run `run`.
pub fn series_style(model: ModelKind, run: usize, theme: Theme) -> SeriesStyle {
    SeriesStyle {
        colour: model_colour_on(model, theme),
        marker: model_marker(model),
        filled: run_marker_filled(run),
        dash: run_dash(run),
    }
}

/// How one point's marker is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointMarker {
    /// Filled in the series' colour, or hollow (the background inside an outline).
    pub filled: bool,
    /// A thin ring around it: the cell is partial (cancelled after some runs). Hollow alone
    /// cannot say so where the run's markers are all hollow already (a compared run).
    pub ringed: bool,
}

/// The marker of a point of a series drawn in `style`: a complete cell as its run draws its
/// points (filled for the shown results, hollow for a compared run); a partial cell hollow
/// and ringed, whichever run it is in, so that it stands out from both.
pub fn point_marker(style: &SeriesStyle, partial: bool) -> PointMarker {
    PointMarker {
        filled: style.filled && !partial,
        ringed: partial,
    }
}

/// The radius of a partial cell's ring, for a marker of radius `marker`: clear of the
/// marker's widest shape (a diamond's corners reach 1.25 ×).
pub fn partial_ring_radius(marker: f64) -> f64 {
    marker * 1.9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_cell_stands_out_in_the_shown_run_and_in_a_compared_one() {
        for run in 0..4 {
            let style = series_style(ModelKind::Threads, run, Theme::Light);
            let whole = point_marker(&style, false);
            let partial = point_marker(&style, true);
            assert_ne!(whole, partial, "run {run}");
            assert!(!whole.ringed && partial.ringed && !partial.filled);
        }
        // The shown results' complete cells filled, a compared run's hollow: the ring is what
        // tells a compared run's partial cell from its complete ones.
        let compared = series_style(ModelKind::Threads, 1, Theme::Light);
        assert!(!point_marker(&compared, false).filled);
        assert!(partial_ring_radius(4.8) > 4.8 * 1.25);
    }

    #[test]
    fn compared_runs_differ_in_dash_and_marker_fill() {
        let a = series_style(ModelKind::Threads, 0, Theme::Light);
        let b = series_style(ModelKind::Threads, 1, Theme::Light);
        assert_eq!(a.colour, b.colour);
        assert_ne!(a.dash, b.dash);
        assert!(a.filled && !b.filled);
        assert_ne!(run_dash(1), run_dash(2));
    }
}

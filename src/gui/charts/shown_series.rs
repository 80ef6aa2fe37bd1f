//! The series a chart shows: the shown results' and the compared runs', with the workbench's
//! names, their fitted curves where the fits are shown, and their points' hover texts.

use std::collections::HashMap;

use crate::export::ChartKind;
use crate::export::chart_model::{self, ChartRun, ChartSeries, SeriesFilter};

use super::Layers;
use super::hover::{Hovers, bar_side_note, hover_texts};
use super::measuring::mark_measuring;

/// The series of `runs` (the shown results first, then `layers`' compared runs) with the
/// workbench's names, their fitted curves where the fits are shown (cut at `x_max`), and
/// their points' hover texts.
pub(super) fn shown_series(
    kind: ChartKind,
    runs: &[ChartRun<'_>],
    layers: &Layers<'_>,
    x_max: f64,
) -> (Vec<ChartSeries>, Hovers) {
    let mut series = Vec::new();
    let mut hovers = HashMap::new();
    for (i, run) in runs.iter().enumerate() {
        let (fits, measuring) = match i {
            0 => (layers.fits, layers.measuring),
            i => (
                layers
                    .compare
                    .get(i - 1)
                    .map_or(&[][..], |c| c.fits.as_slice()),
                &[][..],
            ),
        };
        let fits = if *layers.show_fits { fits } else { &[] };
        let mut of_run = chart_model::series_of(
            run.results,
            i,
            "",
            runs.len(),
            kind,
            &SeriesFilter::default(),
            fits,
            x_max,
        );
        mark_measuring(&mut of_run, measuring);
        series.extend(of_run);
        hover_texts(
            kind,
            run.results,
            &|m| layers.series_name(m, i),
            measuring,
            &mut hovers,
        );
    }
    // The GUI's own names: the baseline says so when one run is shown.
    for s in &mut series {
        s.label = chart_model::legend_label(kind, s, &layers.series_name(s.model, s.run));
    }
    // Models' bars at one worker count stand side by side, each a little off its marker (they
    // hid one another on one vertical line): each hover that has one says so.
    let barred = chart_model::barred_series(&series);
    for (index, s) in series.iter().enumerate() {
        let dx = chart_model::bar_offset(&barred, index);
        if dx == 0.0 {
            continue;
        }
        let side = if dx > 0.0 { "right" } else { "left" };
        let name = layers.series_name(s.model, s.run);
        for (x, _, range) in &s.points {
            if let Some(text) = hovers.get_mut(&(name.clone(), *x as usize))
                && range.is_some()
            {
                // Before the model's explanation, which closes the hover after a blank line.
                let at = text.rfind("\n\n").unwrap_or(text.len());
                text.insert_str(at, &format!("\n{}", bar_side_note(side)));
            }
        }
    }
    (series, hovers)
}

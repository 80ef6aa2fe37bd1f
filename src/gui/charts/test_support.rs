//! What the charts' unit tests share: results worked out from their runs, a run's hovers,
//! and a bare series.

use std::collections::HashMap;

use crate::export::ChartKind;
use crate::export::chart_model::{ChartSeries, Point};
use crate::preset::ModelKind;
use crate::results::{CellResult, ResultsFile};

use super::hover::hover_texts;
use super::layers::series_name;

/// `cells` with what is derived from their runs worked out.
pub(super) fn recomputed(cells: Vec<CellResult>) -> ResultsFile {
    let mut r = ResultsFile {
        cells,
        ..ResultsFile::default()
    };
    r.recompute();
    r
}

/// The speedup chart's hover of each point of `r` (the cells in `measuring` still being
/// measured), by model and worker count.
pub(super) fn speedup_hovers(
    r: &ResultsFile,
    measuring: &[(ModelKind, usize)],
) -> impl Fn(ModelKind, usize) -> String {
    let mut hovers = HashMap::new();
    let baseline = r.experiment.baseline;
    let name = move |m: ModelKind| series_name(m, baseline);
    hover_texts(ChartKind::Speedup, r, &name, measuring, &mut hovers);
    move |m, w| hovers[&(name(m), w)].clone()
}

/// One curve of the first run, without fits.
pub(super) fn series(model: ModelKind, label: &str, points: Vec<Point>) -> ChartSeries {
    ChartSeries {
        model,
        run: 0,
        label: label.into(),
        points,
        horizontal: false,
        fit: Vec::new(),
        busy: false,
        partial: Vec::new(),
    }
}

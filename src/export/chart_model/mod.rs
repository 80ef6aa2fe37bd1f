//! The one chart model shared by the workbench (egui_plot) and the exporter (plotters): chart
//! kinds, the series of a set of runs, colours, marker shapes, dash patterns, labels and axis
//! ticks. Both front ends draw what this module describes, so the screen and an exported
//! SVG/PNG agree.
//!
//! One concept a file, every item re-exported here: `kind` (the chart kinds), `units`,
//! `axis_scale` (linear or log axes), `ticks`, `labels` (runs and series in words), `theme`,
//! `model_look` (each model's colour and marker), `series_style`, `series`, `fitted_curve`,
//! `error_bars`, `lost_updates` (what the lost-updates chart adds) and `marks` (the notes on
//! partial cells and a busy machine); `interrupted_example`, hidden, is a sweep with a partial
//! cell, and its cells, for the tests.

mod axis_scale;
#[cfg(test)]
mod colour_vision;
mod error_bars;
mod fitted_curve;
mod interrupted_example;
mod kind;
mod labels;
mod lost_updates;
mod marks;
mod model_look;
mod series;
mod series_style;
mod theme;
mod ticks;
mod units;

pub use crate::results::{LostShare, increments_asked, lost_share};
pub use axis_scale::{
    AxisScale, ScaleError, auto_log_speedup, resolve_scales, suited_scales, suits_log_time,
    suits_log_x,
};
pub use error_bars::{bar_offset, barred_series};
pub use fitted_curve::{curve_xs, fit_curve};
#[doc(hidden)]
pub use interrupted_example::{interrupted_sweep, timed_cell};
pub use kind::ChartKind;
pub use labels::{model_name, run_label, run_labels, series_label};
pub use lost_updates::{
    LOST_UPDATES_MIN_TOP, legend_label, lost_nothing, lost_updates_note, y_axis_bottom,
};
pub use marks::{PARTIAL_LEGEND, busy_mark, partial_mark};
pub use model_look::{Marker, core_marker_colour, model_colour, model_colour_on, model_marker};
pub use series::{
    ChartRun, ChartSeries, Point, SeriesFilter, collect_series, models_of, series_of,
};
pub use series_style::{
    Dash, PointMarker, SeriesStyle, partial_ring_radius, point_marker, run_dash, series_style,
};
pub use theme::{Rgb, Theme};
pub use ticks::{
    linear_ticks, log_ticks, log2_ticks, speedup_tick_text, thin_log_ticks, thin_ticks, tick_text,
    worker_ticks,
};
pub use units::{mib, percent};

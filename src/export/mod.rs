//! Exports of a results file: CSV summary table, a plain-text table for terminals, charts
//! (SVG and PNG) and a Markdown report.

mod cell_text;
mod chart;
pub mod chart_frame;
pub mod chart_model;
pub mod costs_text;
mod csv;
mod glyphs;
mod markdown;
pub mod png;
pub mod sanitize;
mod table;
mod text_size;
pub mod trace;

pub use cell_text::{
    efficiency_percent as efficiency_text, fixed as fixed_text, lost_updates as lost_updates_text,
    median_ci as median_ci_text, more_runs_clause, more_runs_reason, more_runs_rule,
    one_line_error, one_worker_suspect, outliers as outliers_text, partial_words,
    precision as median_precision, precision_target as precision_target_text, precision_target_met,
    precision_text, seconds as seconds_text, seconds_range as seconds_range_text,
    speedup_ci as speedup_ci_text, speedup_ci_words, speedup_text,
    target_without_room as target_without_room_text,
    target_without_room_short as target_without_room_short_text,
};
pub use chart::{
    CHART_FONT, CHART_FONT_FAMILY, ChartError, ChartOptions, DEFAULT_FONT_SIZE, LegendPlacement,
    check_available, legend_labels, register_chart_font, render_png, render_rgb, render_svg,
};
pub use chart_model::{
    AxisScale, ChartKind, ChartRun, ScaleError, Theme, fit_curve, model_colour, resolve_scales,
    run_label, run_labels, series_label, suited_scales, suits_log_time, suits_log_x,
};
pub use csv::summary_csv;
pub use glyphs::{ink_height, text_width};
pub use markdown::{ReportImage, image_link, markdown_report};
pub use table::summary_table;
pub use trace::{chrome_trace, chrome_trace_json};

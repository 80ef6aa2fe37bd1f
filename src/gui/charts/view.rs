//! [`ChartView`]: a chart's own view settings (log axes, the legend), kept in egui's memory
//! per chart kind.

use eframe::egui;

use crate::export::ChartKind;

/// The chart view's own settings, kept in egui's memory per chart kind (so the app's state
/// need not know them): logarithmic axes and the legend.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ChartView {
    /// log₂ worker axis, where `x_scale_chosen`; else the axis follows the worker counts
    /// ([`crate::export::suits_log_x`]).
    pub log_x: bool,
    /// Whether the user has set the worker axis (the "log₂ workers" box).
    pub x_scale_chosen: bool,
    /// log₁₀ y axis (wall time only), where `y_scale_chosen`; else the axis follows the
    /// times ([`crate::export::suits_log_time`]).
    pub log_y: bool,
    /// Whether the user has set the time axis (the "log time" box).
    pub y_scale_chosen: bool,
    pub show_legend: bool,
    /// A log₂ speedup axis on the speedup chart, offered where the worker axis is log₂ (the
    /// ideal line is then straight and small speedups are not squashed), where
    /// `speedup_scale_chosen`; else it follows the exports' rule
    /// ([`crate::export::chart_model::auto_log_speedup`]), so the screen and an exported
    /// chart agree.
    pub log_speedup: bool,
    /// Whether the user has set the speedup axis (the "log speedup" box).
    pub speedup_scale_chosen: bool,
}

impl Default for ChartView {
    fn default() -> Self {
        ChartView {
            log_x: false,
            x_scale_chosen: false,
            log_y: false,
            y_scale_chosen: false,
            show_legend: true,
            log_speedup: false,
            speedup_scale_chosen: false,
        }
    }
}

impl ChartView {
    fn id(kind: ChartKind) -> egui::Id {
        egui::Id::unique(("corelab-chart-view", kind.id()))
    }
    /// The view settings of `kind`'s chart.
    pub fn load(ctx: &egui::Context, kind: ChartKind) -> ChartView {
        ctx.data_mut(|d| d.get_persisted::<ChartView>(Self::id(kind)))
            .unwrap_or_default()
    }
    /// Stores the view settings of `kind`'s chart.
    pub fn store(self, ctx: &egui::Context, kind: ChartKind) {
        ctx.data_mut(|d| d.insert_persisted(Self::id(kind), self));
    }
}

/// Whether the speedup chart draws its y axis on a log scale: the user asked for it, and the
/// worker axis is log₂ too (on a linear worker axis a log speedup would bend the ideal line).
pub(super) fn log_speedup_axis(kind: ChartKind, view: &ChartView) -> bool {
    kind == ChartKind::Speedup && view.log_x && view.log_speedup
}

/// The row of the view's boxes for `kind`'s chart (log₂ workers, log time, log speedup, the
/// legend), ticking `view`; a box the user ticks marks its axis as chosen.
pub(super) fn view_boxes(ui: &mut egui::Ui, kind: ChartKind, view: &mut ChartView) {
    if ui
        .checkbox(&mut view.log_x, "log₂ workers")
        .on_hover_text("A logarithmic worker axis: 1, 2, 4, 8, 16 evenly spaced. Until you set it, it is on where the worker counts span more than 32 times (4 to 1024).")
        .changed()
    {
        view.x_scale_chosen = true;
    }
    if kind.supports_log_y()
        && ui
            .checkbox(&mut view.log_y, "log time")
            .on_hover_text("A logarithmic time axis: fast and slow models both readable. Until you set it, it is on where the median times span more than 100 times.")
            .changed()
    {
        view.y_scale_chosen = true;
    }
    if kind == ChartKind::Speedup
        && view.log_x
        && ui
            .checkbox(&mut view.log_speedup, "log speedup")
            .on_hover_text("A logarithmic speedup axis, with the log₂ worker axis: the ideal line stays straight and small speedups keep their room. Until you set it, it is on where the speedups span 8 times or more, as in the exported charts.")
            .changed()
    {
        view.speedup_scale_chosen = true;
    }
    ui.checkbox(&mut view.show_legend, "legend").on_hover_text(
        "Show the legend (in the plot corner with the fewest points, else below these boxes).",
    );
}

//! The charts: speedup, efficiency, wall time and lost updates against the number of workers.
//!
//! One series per model (line + points), drawn from whatever cells exist so far, so points
//! appear while a sweep runs. Hovering a point shows its exact values.
//!
//! This file draws a chart ([`show`]); one concept per file below it, every public item
//! re-exported here:
//! - `compare_run`: [`CompareRun`], another results file overlaid, with its fits.
//! - `layers`: [`Layers`], what is drawn besides the shown results' points; the series' names.
//! - `kind_texts`: a chart kind's caption and explanation in the workbench.
//! - `view`: [`ChartView`], the log axes and legend kept per chart kind; the row of its boxes.
//! - `room`: [`ChartRoom`], the room the central area gives a chart; the plot's height.
//! - `caption`: the words above the plot, and those in place of a chart the results cannot have.
//! - `fits_caption`: the caption's words on the fits (the dashes, or why none are drawn).
//! - `measuring`: cells still being measured: hollow in a ring, their hover line, the note.
//! - `shown_series`: the series of the shown and compared runs, with names and hover texts.
//! - `hover`: a point's hover text, with the statistics terms said plainly.
//! - `series_drawing`: a series' line, error bars and markers, and its fitted curve.
//! - `axes`: the grid marks and labels of the worker and value axes.
//! - `legend_placement`: where the legend goes (a clear corner, above the data, or outside).
//! - `legend_outside`: the legend's entries (a sample of each line and marker, and a name),
//!   drawn in a row outside the plot.
//! - `legend_inside`: the same entries in a box in the plot's clear corner.
//! - `legend_rows`: the legend above the plot held to whole rows of entries, scrolled a row
//!   at a time.
//! - `hidden_entries`: the legend entries clicked away, whose lines are not drawn.
//! - `summary`: the chart in words, for a screen reader.
//! - `test_support` (tests only): results, hovers and series the unit tests share.

mod axes;
mod caption;
mod compare_run;
mod fits_caption;
mod hidden_entries;
mod hover;
mod kind_texts;
mod layers;
mod legend_inside;
mod legend_outside;
mod legend_placement;
mod legend_rows;
mod measuring;
mod room;
mod series_drawing;
mod shown_series;
mod summary;
#[cfg(test)]
mod test_support;
mod view;

use eframe::egui::{self, Color32};
use egui_plot::{Corner, Line, LineStyle, Plot, VLine};

use super::style;
use crate::export;
pub use crate::export::ChartKind;
use crate::export::chart_frame::{ChartFrame, WorkerAxis};
use crate::export::chart_model::{self, ChartRun};
use crate::results::ResultsFile;

pub use caption::HOW_TO_READ;
pub use compare_run::CompareRun;
pub use layers::Layers;
pub use measuring::measuring_words;
pub use room::ChartRoom;
pub use summary::chart_summary;
pub use view::ChartView;

use axes::{log_mark_text, log_marks, value_marks, worker_marks, y_label_fitting};
use caption::Caption;
use hidden_entries::hidden_entries;
use legend_inside::{legend_in_plot, legend_room};
use legend_outside::{legend_entries, legend_entries_of};
use legend_placement::{legend_fits_inside, legend_placement, legend_samples};
use series_drawing::{draw_fit, draw_series};
use shown_series::shown_series;
use view::{log_speedup_axis, view_boxes};

/// Draws `kind` for `results`, with the fitted curves and compared runs of `layers`, in the
/// frame an export of the same runs has (see [`export::chart_frame`]). `planned_workers` sets
/// the x range and ticks before any cell exists; `this_machine` stands for the shown results'
/// machine where they record no cores. Tight, **show fits** is in the **View** menu, where it
/// ticks `layers.show_fits` (drawn so from the next frame on).
pub fn show(
    ui: &mut egui::Ui,
    kind: ChartKind,
    results: Option<&ResultsFile>,
    planned_workers: &[usize],
    this_machine: Option<&crate::results::MachineInfo>,
    layers: &mut Layers<'_>,
    room: ChartRoom,
) {
    let fits_drawn = *layers.show_fits;
    let mut view = ChartView::load(ui.ctx(), kind);
    let before = view;
    let shown_runs = results
        .into_iter()
        .chain(layers.compare.iter().map(|c| &c.results));
    if results.is_some()
        && let Some(reason) = kind.unavailable_reason(shown_runs)
    {
        // Shown by its tab while other results came in (the tab itself is greyed then), or
        // while the sweep that will draw it has not counted anything yet.
        let waiting = layers.sweep_running
            && results.is_some_and(|r| {
                kind.unavailable_for_tasks(&[r.experiment.task.kind])
                    .is_none()
            });
        caption::say_unavailable(ui, kind, &reason, waiting);
        return;
    }
    // The caption: a paragraph above the plot, or where room is short one "(?)" whose hover
    // holds it all, on the row of the axis boxes.
    let caption_facts = Caption {
        kind,
        results,
        labels: layers.labels,
        compare: layers.compare,
        fits: layers.fits,
        fits_drawn,
        measuring: layers.measuring.len(),
    };
    let caption = |ui: &mut egui::Ui| caption_facts.show(ui);
    if !room.compact {
        ui.horizontal_wrapped(caption);
    }
    let measured_workers = planned_workers.iter().copied().chain(
        results
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.workers)),
    );
    if !view.x_scale_chosen {
        view.log_x = export::suits_log_x(measured_workers);
    }
    if !view.y_scale_chosen {
        view.log_y = export::suits_log_time(
            results
                .into_iter()
                .chain(layers.compare.iter().map(|c| &c.results)),
        );
    }
    if !view.speedup_scale_chosen {
        view.log_speedup = chart_model::auto_log_speedup(
            view.log_x,
            results
                .into_iter()
                .chain(layers.compare.iter().map(|c| &c.results)),
        );
    }
    if view != before {
        view.store(ui.ctx(), kind);
    }
    let log_x = view.log_x;
    let speedup_axis = log_speedup_axis(kind, &view);
    let log_y = (view.log_y && kind.supports_log_y()) || speedup_axis;
    let tx = move |x: f64| if log_x { x.max(0.5).log2() } else { x };
    let ty = move |y: f64| {
        if log_y { y.max(1e-12).log10() } else { y }
    };

    let empty = ResultsFile::default();
    let results = results.unwrap_or(&empty);
    // The frame (axes, core lines, ideal line), as the exported charts draw it: the shown
    // results are run 0 (empty before any), then the compared runs.
    let runs: Vec<ChartRun<'_>> = std::iter::once(results)
        .chain(layers.compare.iter().map(|c| &c.results))
        .enumerate()
        .map(|(i, results)| ChartRun {
            label: layers.labels.get(i).map_or("", String::as_str),
            results,
        })
        .collect();
    let workers = WorkerAxis::of(&runs, planned_workers, this_machine, log_x);
    let x_max = workers.top;
    let (series, hovers) = shown_series(kind, &runs, layers, x_max);
    let frame = ChartFrame::of(kind, &runs, workers, log_y, &series);
    let core_lines = &frame.workers.core_lines;

    let ticks: Vec<(f64, usize)> = frame
        .workers
        .ticks
        .iter()
        .map(|&w| (tx(w as f64), w))
        .collect();
    let label_ticks = ticks.clone();

    let (x_lo, x_hi) = frame.workers.drawn_range();
    let samples = legend_samples(&series, &tx, &ty, x_hi);
    // The plot shows the frame exactly (no margins of egui_plot's own: the frame has its
    // room around the data).
    let x_shown = (x_lo, x_hi);
    let y_shown = (ty(frame.values.range.0), ty(frame.values.range.1));
    // The legend's box as a share of the plot: a row per entry, as wide as its longest name.
    // Its entries in the plot's order (what is drawn first), each with its colour.
    let dark = ui.visuals().dark_mode;
    let entries = legend_entries_of(kind, &frame, &series, dark);
    // The entries clicked away in either legend: their lines are not drawn.
    let hidden = hidden_entries(ui.ctx(), kind);
    // The room the legend takes inside the plot, drawn by `legend_in_plot`.
    let legend_size = legend_room(ui, &entries);
    let row = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    let plot_width = ui.available_width();
    let legend_frac = |plot_height: f32| {
        // The plot takes the space left, less its axes' labels and ticks.
        let plot_size = egui::vec2(plot_width, plot_height) - egui::vec2(60.0, 50.0);
        (
            f64::from(legend_size.x / plot_size.x.max(1.0)),
            f64::from(legend_size.y / plot_size.y.max(1.0)),
        )
    };
    // Inside the plot where it leaves the data clear; else above it, in a row of its own
    // (the plot is then as much shorter).
    // Tight, always outside: a corner of so small a plot is never clear of the data.
    let legend_inside = view.show_legend
        && !room.tight
        && legend_fits_inside(
            &samples,
            x_shown,
            y_shown,
            // The row of the boxes still to come above the plot.
            legend_frac(room.plot_height(ui.cursor().top() + row).0),
        );
    let outside = view.show_legend && !legend_inside;
    // The row of the view's boxes, drawn once the legend's place is known: a legend that goes
    // outside the plot follows them in the same wrapped row. What is ticked there takes effect
    // at the next frame (asked for at once).
    let mut edited = view;
    // "(?) how to read" ("(?)" where tight), whose hover holds the caption.
    let how_to_read = |ui: &mut egui::Ui| {
        // A Tab stop: its help shows on focus too, and a screen reader reads the caption.
        let text = if room.tight { "(?)" } else { "(?) how to read" };
        let how = super::help_mark::help_mark(ui, text, HOW_TO_READ, |ui| {
            ui.horizontal_wrapped(caption);
        });
        ui.ctx().accesskit_node_builder(how.id, |node| {
            node.set_description(kind.caption().to_string())
        });
    };
    if room.tight {
        // One menu for the boxes (and the fits' box, off the row above), the legend
        // (outside) after it in the same rows, held to two of them (scrolling beyond; a
        // scroll area is 64 points at least unless told, which was three rows): the plot
        // keeps the rest of a tight area.
        // Rows as tall as the View button's (the legend's entries are less tall): two rows
        // whole, not the second cut through its text, the wheel moving a row at a time.
        legend_rows::whole_rows_area(
            ui,
            ("view-and-legend", kind.id()),
            room.legend_rows(ui.available_height()),
            |ui| {
                ui.horizontal_wrapped(|ui| {
                    how_to_read(ui);
                    let fitted = kind.fit_law().is_some();
                    ui.menu_button("View", |ui| {
                        // Where tight (else on the row above the chart, by the caller), and
                        // only on the charts that draw fitted curves.
                        if fitted {
                            ui.checkbox(layers.show_fits, "show fits")
                                .on_hover_text(style::help::FITS);
                        }
                        view_boxes(ui, kind, &mut edited);
                    })
                    .response
                    .on_hover_text(match fitted {
                        true => "The fitted curves, the axes' scales (log₂ workers, log time) and the legend.",
                        false => "The axes' scales (log₂ workers) and the legend.",
                    });
                    if outside {
                        legend_entries(ui, &entries, kind, &hidden);
                    }
                });
            },
        );
    } else {
        ui.horizontal_wrapped(|ui| {
            if room.compact {
                how_to_read(ui);
            }
            view_boxes(ui, kind, &mut edited);
        });
        if outside {
            // Held to a few rows, scrolling beyond them, so that the plot keeps its height
            // (compared runs' long legends took 8 rows and left the plot 250 px); one where
            // the plot is already short of height.
            // Whole rows of entries (each as tall as a wrapped row lays it out, its sample
            // of line and marker included), the wheel moving a row at a time.
            legend_rows::whole_rows_area(
                ui,
                ("legend-outside", kind.id()),
                room.legend_rows(ui.available_height()),
                |ui| {
                    ui.horizontal_wrapped(|ui| legend_entries(ui, &entries, kind, &hidden));
                },
            );
        }
    }
    if edited != view {
        edited.store(ui.ctx(), kind);
        ui.ctx().request_repaint();
    }
    let (plot_height, overflow) = room.plot_height(ui.cursor().top());
    let (corner, legend_top) = if legend_inside {
        legend_placement(&samples, x_shown, y_shown, legend_frac(plot_height))
    } else {
        (Corner::LeftTop, None)
    };

    let barred = chart_model::barred_series(&series);
    let mut plot = Plot::new(("chart", kind.id()))
        .height(plot_height)
        // Where the area scrolls, the wheel scrolls it, not the plot under the pointer.
        .allow_scroll(!overflow)
        .x_axis_label(if log_x { "workers (log₂)" } else { "workers" })
        .y_axis_label({
            let label = kind.y_label_for([results]);
            let label = if log_y {
                format!("{label} (log)")
            } else {
                label.to_string()
            };
            y_label_fitting(ui, label, plot_height)
        })
        .include_x(x_lo)
        .include_x(x_hi)
        .x_grid_spacer(move |input| worker_marks(&ticks, &input))
        .x_axis_formatter(move |mark, _| {
            label_ticks
                .iter()
                .find(|t| (t.0 - mark.value).abs() < 1e-9)
                .map_or_else(String::new, |t| t.1.to_string())
        })
        .label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => {
                let x = if log_x {
                    2f64.powf(position.x)
                } else {
                    position.x
                };
                let workers = x.round() as usize;
                hovers
                    .get(&(plot_name.to_string(), workers))
                    .cloned()
                    .or_else(|| {
                        (!plot_name.is_empty()).then(|| {
                            let y = if log_y {
                                10f64.powf(position.y)
                            } else {
                                position.y
                            };
                            format!("{plot_name}\n{x:.2} workers, {y:.3}")
                        })
                    })
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        });
    if log_y {
        // A log speedup axis reads in powers of two (1×, 2×, 4×), as the exports do; a log
        // time axis in decades.
        plot = plot.y_grid_spacer(move |input| log_marks(&input, speedup_axis));
        plot = plot.y_axis_formatter(move |mark, _| log_mark_text(mark.value, speedup_axis));
    } else {
        // From zero, with round steps and no negative labels: egui_plot's own margin put
        // "-0.01 s" under a time axis.
        plot = plot
            .y_grid_spacer(|input| value_marks(&input))
            .y_axis_formatter(|mark, _| {
                let step = mark.step_size.abs().max(1e-12);
                chart_model::tick_text(mark.value, step)
            });
    }
    // The frame's ranges, without egui_plot's own margins (the frame has its room: "-0.01 s"
    // under a time axis came from egui_plot's margin).
    plot = plot
        .include_y(y_shown.0)
        .include_y(y_shown.1)
        .set_margin_fraction(egui::vec2(0.0, 0.0));
    if let Some(top) = legend_top {
        plot = plot.include_y(top);
    }

    let table_key = ui
        .ctx()
        .format_shortcut(&super::command::tab_shortcut(super::app::Tab::Table));
    let summary = chart_summary(kind, &series, &table_key);
    let shown = plot.show(ui, |plot_ui| {
        if frame.ideal.is_some() && !hidden.contains(kind.ideal_label()) {
            let pts: Vec<[f64; 2]> = frame
                .ideal_points(60)
                .into_iter()
                .map(|(n, v)| [tx(n), ty(v)])
                .collect();
            plot_ui.line(
                Line::new(kind.ideal_label(), pts)
                    .color(Color32::from_gray(140))
                    .width(1.5)
                    .allow_hover(false),
            );
        }
        for core in core_lines.iter().filter(|c| !hidden.contains(&c.label)) {
            plot_ui.vline(
                VLine::new(core.label.as_str(), tx(core.cores as f64))
                    .color(style::core_marker_color(dark))
                    .style(LineStyle::Dotted { spacing: 6.0 })
                    .width(1.5)
                    .allow_hover(false),
            );
        }
        let drawn = |s: &&chart_model::ChartSeries| !hidden.contains(&s.label);
        for (index, s) in series.iter().enumerate().filter(|(_, s)| drawn(s)) {
            let bar_dx = chart_model::bar_offset(&barred, index) * (x_hi - x_lo);
            draw_series(plot_ui, s, dark, &tx, &ty, x_hi, bar_dx);
        }
        // The fitted curves (in the series when the fits are shown), in the series' colour
        // and name, under the series' one legend entry; thin dashes tell the fit apart.
        for s in series.iter().filter(drawn) {
            draw_fit(plot_ui, s, dark, &frame, &tx, &ty);
        }
    });
    if legend_inside {
        legend_in_plot(
            ui,
            *shown.transform.frame(),
            corner,
            legend_size,
            &entries,
            kind,
            &hidden,
        );
    }
    // The plot is a keyboard stop: a screen reader reads the chart in words, and a ring shows
    // where focus is.
    shown
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &summary));
    if shown.response.has_focus() {
        super::focus::focus_ring(ui, shown.response.rect);
    }
}

//! The Timeline tab: who ran when in the median run of a cell, one lane per worker, bars
//! coloured by state; two cells one above the other on the same (linked) time axis, so
//! `gil-threads` × 4 over `threads` × 4 shows why one is flat and the other scales. Drag to
//! pan, scroll or pinch to zoom, double-click to reset; hovering a bar shows its task and times.
//! "Export trace" writes the Chrome Trace Event file that Perfetto opens.

use eframe::egui;
use egui_plot::{Bar, BarChart, Corner, Legend, Plot};

use super::style;
use crate::export::chart_model::{ChartKind, ChartRun, SeriesFilter, collect_series, model_marker};
use crate::export::chrome_trace_json;
use crate::results::{CellResult, ResultsFile, SpanState, Timeline};

/// What the tab remembers between frames (kept in egui's memory, not in the app).
#[derive(Clone, Debug, Default)]
struct Picks {
    /// Cell indices shown on top and below (`None` below: one cell only).
    top: Option<usize>,
    bottom: Option<usize>,
    /// Whether the defaults were chosen for the current results.
    chosen_for: usize,
    trace_path: String,
    message: String,
    /// Whether the user was told the trace file exists: exporting to it again replaces it.
    replace: super::overwrite::ReplaceAsked,
    /// Show the "Memory vs workers" chart instead of the lanes.
    memory: bool,
}

/// The fill of a state's bars.
pub fn state_colour(state: SpanState) -> egui::Color32 {
    match state {
        SpanState::Computing => egui::Color32::from_rgb(0x2c, 0xa0, 0x2c),
        SpanState::LockWait => egui::Color32::from_rgb(0xd6, 0x27, 0x28),
        SpanState::Io => egui::Color32::from_rgb(0x1f, 0x77, 0xb4),
        SpanState::Transit => egui::Color32::from_rgb(0xff, 0x7f, 0x0e),
    }
}

/// The height of a state's bars, in lanes: running tall, waiting for I/O half as tall,
/// waiting for the lock thin, so that the states differ by shape as well as colour (red and
/// green look alike to many readers). Transit, beneath the rest, as tall as running.
pub fn state_thickness(state: SpanState) -> f64 {
    match state {
        SpanState::Computing | SpanState::Transit => 0.7,
        SpanState::Io => 0.4,
        SpanState::LockWait => 0.2,
    }
}

/// Which run a timeline shows: `median run, 181.4 ms`, or, when the median run's timeline was
/// not kept (only the few nearest the median so far are kept while measuring), `run 7 of 9 by
/// time, 210.7 ms (median 181.4 ms)`.
pub fn shown_run_text(cell: &CellResult, t: &Timeline) -> String {
    let ms = t.wall_ns as f64 / 1e6;
    match crate::results::timeline::shown_run(cell) {
        Some(r) if !r.is_median => format!(
            "run {} of {} by time, {ms:.1} ms (median {:.1} ms)",
            r.rank,
            r.runs,
            r.median_s * 1000.0
        ),
        Some(_) => format!("median run, {ms:.1} ms"),
        None => format!("a run of {ms:.1} ms"),
    }
}

fn cell_label(c: &CellResult) -> String {
    format!("{} × {}", c.model_id(), c.workers)
}

/// The default pair: `gil-threads` with the most workers over `threads` at the same count;
/// else two models at the largest worker count two of them share (where models differ most,
/// e.g. `threads` × 4 over `processes` × 4); else the first two cells with a timeline.
pub fn default_picks(results: &ResultsFile) -> (Option<usize>, Option<usize>) {
    use crate::preset::ModelKind;
    let with: Vec<usize> = (0..results.cells.len())
        .filter(|&i| results.cells[i].timeline.is_some())
        .collect();
    let gil = with
        .iter()
        .copied()
        .filter(|&i| results.cells[i].model == Some(ModelKind::GilThreads))
        .max_by_key(|&i| results.cells[i].workers);
    if let Some(g) = gil {
        let n = results.cells[g].workers;
        let threads = with.iter().copied().find(|&i| {
            results.cells[i].model == Some(ModelKind::Threads) && results.cells[i].workers == n
        });
        if threads.is_some() {
            return (Some(g), threads);
        }
    }
    let top_shared = with
        .iter()
        .map(|&i| results.cells[i].workers)
        .filter(|&n| {
            with.iter()
                .filter(|&&i| results.cells[i].workers == n)
                .count()
                >= 2
        })
        .max();
    if let Some(n) = top_shared.filter(|&n| n > 1) {
        let at_n: Vec<usize> = with
            .iter()
            .copied()
            .filter(|&i| results.cells[i].workers == n)
            .collect();
        return (Some(at_n[0]), Some(at_n[1]));
    }
    (with.first().copied(), with.get(1).copied())
}

/// Where "Export trace" proposes to write: `<results stem>-trace.json` next to the results
/// file shown, else `corelab-trace.json` in the current directory; absolute, so the message
/// says exactly where it went.
pub fn default_trace_path(results_path: Option<&std::path::Path>) -> std::path::PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    match results_path {
        Some(p) => {
            let p = cwd.join(p);
            let stem = p
                .file_stem()
                .map_or_else(|| "corelab".into(), |s| s.to_string_lossy().into_owned());
            // Within a file name's 255 bytes with the suffix (a results file's own name may
            // be near them).
            let mut stem: String = stem;
            while stem.len() > super::export_dialog::MAX_FILE_STEM {
                stem.pop();
            }
            p.with_file_name(format!("{stem}-trace.json"))
        }
        None => cwd.join("corelab-trace.json"),
    }
}

pub fn show(
    ui: &mut egui::Ui,
    results: Option<&ResultsFile>,
    results_path: Option<&std::path::Path>,
    open_files: &[super::overwrite::OpenFile],
) {
    let Some(results) = results.filter(|r| {
        r.cells
            .iter()
            .any(|c| c.timeline.is_some() || c.peak_rss_bytes.is_some())
    }) else {
        ui.label(
            "No timeline yet: run a sweep (each cell keeps who ran when in its median run), or \
             open a results file saved by this version.",
        );
        return;
    };
    let id = egui::Id::unique("corelab.timeline.picks");
    let mut picks: Picks = ui.data_mut(|d| d.get_temp(id)).unwrap_or_default();
    let fingerprint = results.cells.len() + 1;
    if picks.chosen_for != fingerprint || picks.top.is_none() {
        (picks.top, picks.bottom) = default_picks(results);
        picks.chosen_for = fingerprint;
    }
    if picks.trace_path.is_empty() {
        picks.trace_path = default_trace_path(results_path).display().to_string();
    }
    ui.horizontal(|ui| {
        ui.selectable_value(&mut picks.memory, false, "Who ran when");
        ui.selectable_value(&mut picks.memory, true, "Memory vs workers");
    });
    if picks.memory {
        memory_plot(ui, results);
        ui.data_mut(|d| d.insert_temp(id, picks));
        return;
    }
    ui.horizontal_wrapped(|ui| {
        cell_combo(ui, "timeline-top", "top", results, &mut picks.top, false);
        cell_combo(
            ui,
            "timeline-bottom",
            "below",
            results,
            &mut picks.bottom,
            true,
        );
        ui.separator();
        let label = ui.label("trace file:");
        ui.add(egui::TextEdit::singleline(&mut picks.trace_path).desired_width(260.0))
            .labelled_by(label.id)
            .on_hover_text(picks.trace_path.clone());
        let replacing = picks.replace.replacing(&picks.trace_path);
        let button = if replacing {
            "Replace trace"
        } else {
            "Export trace"
        };
        if ui
            .button(button)
            .on_hover_text(
                "Write every cell's timeline in the Chrome Trace Event format (open it in \
                 ui.perfetto.dev or chrome://tracing).",
            )
            .clicked()
        {
            let path = std::env::current_dir()
                .unwrap_or_default()
                .join(picks.trace_path.trim());
            let targets = [path.clone()];
            picks.message = match super::overwrite::refuse_open(&targets, open_files, None)
                .and_then(|()| {
                    picks
                        .replace
                        .check(&picks.trace_path, &targets)
                        .map_err(|exists| format!("{exists}: press Replace trace to write over it"))
                }) {
                Err(reason) => reason,
                Ok(()) => export_trace(results, &path),
            };
        }
        if !picks.message.is_empty() {
            ui.label(&picks.message);
        }
    });
    ui.horizontal_wrapped(|ui| {
        for state in SpanState::ALL {
            // The swatch has the bars' shape: as tall, relative to a running bar.
            let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
            let tall = 14.0 * (state_thickness(state) / state_thickness(SpanState::Computing));
            let swatch = egui::Rect::from_center_size(rect.center(), egui::vec2(14.0, tall as f32));
            ui.painter().rect_filled(swatch, 1.0, state_colour(state));
            ui.label(state.label());
        }
        ui.label("· drag to pan, scroll to zoom, double-click to reset");
    });
    let shown: Vec<usize> = [picks.top, picks.bottom].into_iter().flatten().collect();
    let end_ms = shown
        .iter()
        .filter_map(|&i| results.cells[i].timeline.as_ref())
        .map(|t| t.wall_ns as f64 / 1e6)
        .fold(0.0, f64::max);
    let fitted = ui.available_height() / shown.len().max(1) as f32 - 24.0;
    let height = fitted.max(MIN_PLOT_HEIGHT);
    let draw = |ui: &mut egui::Ui| {
        for &i in &shown {
            let cell = &results.cells[i];
            if let Some(t) = &cell.timeline {
                ui.strong(format!(
                    "{} — {}",
                    cell_label(cell),
                    shown_run_text(cell, t)
                ));
                lanes_plot(ui, i, t, end_ms, height, &|| lanes_summary(cell, t));
            }
        }
    };
    if fitted < MIN_PLOT_HEIGHT {
        // A small window: the two timelines keep a readable height and scroll, rather than
        // run under the status bar.
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, draw);
    } else {
        draw(ui);
    }
    ui.data_mut(|d| d.insert_temp(id, picks));
}

/// Peak RSS of every process the model ran (summed) against workers, in MiB, one line per
/// model: the memory chart of the shared chart model ([`ChartKind::Memory`]), so the tab and an
/// exported memory chart show the same points.
pub fn memory_series(results: &ResultsFile) -> Vec<(crate::preset::ModelKind, Vec<[f64; 2]>)> {
    let runs = [ChartRun { label: "", results }];
    collect_series(
        &runs,
        ChartKind::Memory,
        &SeriesFilter::default(),
        f64::INFINITY,
    )
    .into_iter()
    .map(|s| (s.model, s.points.iter().map(|p| [p.0, p.1]).collect()))
    .collect()
}

fn memory_plot(ui: &mut egui::Ui, results: &ResultsFile) {
    use egui_plot::{Line, PlotPoints, Points};
    let series = memory_series(results);
    if series.is_empty() {
        ui.label("No memory recorded in these results.");
        return;
    }
    ui.label(style::explanation(ChartKind::Memory));
    let dark = ui.visuals().dark_mode;
    let runs = [ChartRun { label: "", results }];
    let mut named = collect_series(
        &runs,
        ChartKind::Memory,
        &SeriesFilter::default(),
        f64::INFINITY,
    );
    for s in &mut named {
        s.label = s.model.id().to_string();
    }
    let table_key = ui
        .ctx()
        .format_shortcut(&super::command::tab_shortcut(super::app::Tab::Table));
    Plot::new("corelab-memory-vs-workers")
        .x_axis_label("workers (N)")
        .y_axis_label(ChartKind::Memory.y_label_for([results]))
        .include_y(0.0)
        .legend(Legend::default().position(Corner::LeftTop))
        .show(ui, |plot_ui| {
            for (m, pts) in series {
                let colour = style::model_color_dark_aware(m, dark);
                plot_ui.line(
                    Line::new(m.id(), PlotPoints::from(pts.clone()))
                        .color(colour)
                        .allow_hover(false),
                );
                plot_ui.points(
                    Points::new(m.id(), PlotPoints::from(pts))
                        .color(colour)
                        .shape(style::marker_shape(model_marker(m)))
                        .filled(true)
                        .radius(4.0),
                );
            }
        })
        .response
        .widget_info(|| {
            let summary = super::charts::chart_summary(ChartKind::Memory, &named, &table_key);
            egui::WidgetInfo::labeled(egui::Role::Image, true, summary)
        });
}

fn cell_combo(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    results: &ResultsFile,
    pick: &mut Option<usize>,
    optional: bool,
) {
    let label = ui.label(label);
    let text = pick
        .and_then(|i| results.cells.get(i))
        .map_or("none".to_string(), cell_label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(text)
        .show_ui(ui, |ui| {
            if optional {
                ui.selectable_value(pick, None, "none");
            }
            for (i, c) in results.cells.iter().enumerate() {
                if c.timeline.is_some() {
                    ui.selectable_value(pick, Some(i), cell_label(c));
                }
            }
        })
        .response
        .labelled_by(label.id);
}

fn export_trace(results: &ResultsFile, path: &std::path::Path) -> String {
    let Some(text) = chrome_trace_json(results) else {
        return "no timeline to export".into();
    };
    match crate::safe_fs::write_atomically(path, text.as_bytes()) {
        Ok(()) => format!("trace written to {}", path.display()),
        Err(e) => format!("cannot write {}: {e}", path.display()),
    }
}

/// One lane per worker (lane 0 at the top), one bar chart per state, x in milliseconds,
/// linked with the other cell's plot.
fn lanes_plot(
    ui: &mut egui::Ui,
    cell: usize,
    t: &Timeline,
    end_ms: f64,
    height: f32,
    summary: &dyn Fn() -> String,
) {
    let lanes = t.workers.len().max(1);
    let plot_id = ui.make_persistent_id(("corelab-timeline", cell));
    // Pixels per millisecond as last drawn (zoom included), else the whole run across the
    // width: a bar narrower than a few pixels gets no dark edge, which would cover its fill
    // (1 024 tasks of 0.3 ms drew a black lane).
    let px_per_ms = egui_plot::PlotMemory::load(ui.ctx(), plot_id)
        .map(|m| m.transform().dpos_dvalue_x())
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or_else(|| f64::from((ui.available_width() - 90.0).max(1.0)) / end_ms.max(1e-9));
    // Lane 0 on top: worker w sits at y = lanes - 1 - w.
    let y_of = move |w: u32| (lanes as f64 - 1.0) - f64::from(w);
    let names = t.workers.clone();
    // Transit first, beneath the rest: a unit waits in its pipe while the one before it
    // computes, and on top it would paint a busy lane orange; beneath, it shows only where the
    // worker really waits for a message.
    let charts: Vec<BarChart> = drawing_order()
        .into_iter()
        .filter_map(|state| {
            let bars: Vec<Bar> = t
                .spans
                .iter()
                .filter(|s| s.state == state)
                .map(|s| {
                    let name = match s.task {
                        Some(task) => format!("task {task}"),
                        None => state.label().to_string(),
                    };
                    let ms = s.duration_ns() as f64 / 1e6;
                    Bar::new(y_of(s.worker), ms)
                        .base_offset(s.start_ns as f64 / 1e6)
                        .width(state_thickness(state))
                        .fill(state_colour(state))
                        // A dark edge, so back-to-back tasks stay apart where there is room.
                        .stroke(bar_edge(ms * px_per_ms))
                        .name(name)
                })
                .collect();
            if bars.is_empty() {
                return None;
            }
            Some(
                BarChart::new(state.label(), bars)
                    .horizontal()
                    .color(state_colour(state))
                    .element_formatter(Box::new(move |bar, _| {
                        format!(
                            "{}\n{}\n{:.3} – {:.3} ms ({:.3} ms)",
                            bar.name,
                            state.label(),
                            bar.base_offset.unwrap_or(0.0),
                            bar.base_offset.unwrap_or(0.0) + bar.value,
                            bar.value
                        )
                    })),
            )
        })
        .collect();
    Plot::new(("corelab-timeline", cell))
        .id(plot_id)
        .height(height)
        .link_axis(egui::Id::unique("corelab-timeline-x"), [true, false])
        .link_cursor(egui::Id::unique("corelab-timeline-x"), [true, false])
        .include_x(0.0)
        .include_x(end_ms)
        .include_y(-0.6)
        .include_y(lanes as f64 - 0.4)
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .allow_scroll([true, false])
        .x_axis_label("time since the run's start (ms)")
        // Round steps with a label on each (egui_plot's own spacing labelled 0 and 100 ms
        // only, across 15 grid lines).
        .x_grid_spacer(|input| time_marks(&input))
        .x_axis_formatter(|mark, _| {
            crate::export::chart_model::tick_text(mark.value, mark.step_size)
        })
        .y_axis_min_width(90.0)
        .y_axis_formatter(move |mark, _| {
            let v = mark.value;
            if (v - v.round()).abs() > 1e-6 {
                return String::new();
            }
            let w = (lanes as f64 - 1.0 - v).round();
            if w < 0.0 {
                return String::new();
            }
            names.get(w as usize).cloned().unwrap_or_default()
        })
        // A label on every lane while rows are at least 14 points apart, else on every k-th
        // (egui_plot's own spacing labelled 2 of 16 lanes). No legend in the plot: the key
        // above the timelines names the colours, and a legend covered the lanes' ends.
        .y_grid_spacer(move |input| lane_marks(lanes, &input))
        .show(ui, |plot_ui| {
            for c in charts {
                plot_ui.bar_chart(c);
            }
        })
        .response
        // A keyboard stop: a screen reader reads the lanes in words.
        // Built only when asked for (AccessKit on): it walks every span.
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, summary()));
}

/// A timeline in words, for a screen reader: how many lanes over how long, and the share of
/// the lanes' time in each state, e.g. `Timeline of gil-threads × 2: 2 worker lanes over
/// 12.0 ms; of the lanes' time: computing 45%, waiting for the lock 52%`.
pub fn lanes_summary(cell: &CellResult, t: &Timeline) -> String {
    let lanes = t.workers.len().max(1);
    let total = t.wall_ns as f64 * lanes as f64;
    let shares: Vec<String> = SpanState::ALL
        .into_iter()
        .filter_map(|state| {
            let ns = t.total_ns(state);
            (ns > 0 && total > 0.0)
                .then(|| format!("{} {:.0}%", state.label(), ns as f64 / total * 100.0))
        })
        .collect();
    let mut text = format!(
        "Timeline of {}: {} over {:.1} ms",
        cell_label(cell),
        crate::words::count(lanes, "worker lane"),
        t.wall_ns as f64 / 1e6
    );
    if !shares.is_empty() {
        text.push_str(&format!("; of the lanes' time: {}", shares.join(", ")));
    }
    text
}

/// The least height of one timeline plot, points.
const MIN_PLOT_HEIGHT: f32 = 160.0;

/// Grid marks at lane centres `0..lanes`, every `k`-th where rows are under 14 points apart
/// (`GridInput::base_step_size` is egui_plot's 8-point minimum spacing in plot units). Their
/// step is the whole lane range, so that egui_plot, which hides the labels of finely spaced
/// marks, shows every one of them.
fn lane_marks(lanes: usize, input: &egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let per_point = input.base_step_size / 8.0;
    let every = ((14.0 * per_point).ceil() as usize).max(1);
    (0..lanes)
        .filter(|lane| (lanes - 1 - lane).is_multiple_of(every))
        .map(|lane| egui_plot::GridMark {
            value: lane as f64,
            step_size: lanes.max(2) as f64,
        })
        .collect()
}

/// The least distance, in points, between the time axis's marks: egui_plot draws an x axis's
/// labels in full where their marks' step spans 80 points or more.
const TIME_LABEL_SPACING: f64 = 90.0;

/// Grid marks of the time axis (milliseconds): round steps (1, 2, 2.5, 5 × 10^k ms) at least
/// [`TIME_LABEL_SPACING`] points apart, so that every mark is labelled; none before the
/// run's start.
fn time_marks(input: &egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let per_point = (input.base_step_size / 8.0).max(1e-12);
    let (lo, hi) = (input.bounds.0.max(0.0), input.bounds.1);
    let points = (input.bounds.1 - input.bounds.0).abs() / per_point;
    let n = (points / TIME_LABEL_SPACING).floor().clamp(1.0, 20.0) as usize;
    let ticks = crate::export::chart_model::linear_ticks(lo, hi, n);
    let step = match ticks.as_slice() {
        [a, b, ..] => b - a,
        _ => (input.bounds.1 - input.bounds.0).abs().max(1e-9),
    };
    ticks
        .into_iter()
        .map(|value| egui_plot::GridMark {
            value,
            step_size: step,
        })
        .collect()
}

/// The states in the order their bars are drawn: in transit first, so that the others cover
/// it where they overlap.
fn drawing_order() -> [SpanState; 4] {
    let mut order = SpanState::ALL;
    order.sort_by_key(|s| *s != SpanState::Transit);
    order
}

/// Bars narrower than this many pixels are drawn without an edge.
const EDGE_FROM_PX: f64 = 4.0;

/// The edge of a bar `px` pixels wide: dark where there is room for it, none below
/// [`EDGE_FROM_PX`], where a 1-pixel edge on each side would hide the colour.
fn bar_edge(px: f64) -> egui::Stroke {
    if px >= EDGE_FROM_PX {
        egui::Stroke::new(1.0, egui::Color32::from_black_alpha(160))
    } else {
        egui::Stroke::NONE
    }
}

#[cfg(test)]
mod drawing_tests {
    use super::*;

    #[test]
    fn transit_is_drawn_beneath_and_narrow_bars_have_no_edge() {
        let order = drawing_order();
        assert_eq!(order[0], SpanState::Transit);
        assert_eq!(order.len(), SpanState::ALL.len());
        assert!(SpanState::ALL.iter().all(|s| order.contains(s)));
        assert_eq!(bar_edge(0.8), egui::Stroke::NONE);
        assert_ne!(bar_edge(12.0), egui::Stroke::NONE);
    }

    #[test]
    fn the_time_axis_labels_round_steps_across_the_run() {
        // A run of 190 ms across 1 100 points (8 points per base step): a mark every 20 ms,
        // each at least the labelled spacing apart, not egui_plot's 0 and 100 only.
        let points = 1100.0;
        let input = egui_plot::GridInput {
            bounds: (-5.0, 190.0),
            base_step_size: 195.0 / points * 8.0,
        };
        let marks = time_marks(&input);
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(
            values,
            [
                0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 140.0, 160.0, 180.0
            ]
        );
        for m in &marks {
            assert_eq!(m.step_size, 20.0);
            assert!(m.step_size / (195.0 / points) >= TIME_LABEL_SPACING);
        }
        // Zoomed in to 2 ms across a narrow plot: fractional steps, labelled as such.
        let zoomed = egui_plot::GridInput {
            bounds: (10.0, 12.0),
            base_step_size: 2.0 / 400.0 * 8.0,
        };
        let marks = time_marks(&zoomed);
        assert_eq!(
            marks.len(),
            5,
            "{:?}",
            marks.iter().map(|m| m.value).collect::<Vec<_>>()
        );
        assert_eq!(
            crate::export::chart_model::tick_text(marks[1].value, marks[1].step_size),
            "10.5"
        );
    }

    #[test]
    fn the_label_says_which_run_the_timeline_shows() {
        let mut cell = CellResult::default();
        for wall in [0.20, 0.15, 0.25] {
            cell.samples.push(crate::results::Sample {
                wall_s: wall,
                ..Default::default()
            });
        }
        let t = Timeline {
            sample: Some(0),
            wall_ns: 200_000_000,
            ..Timeline::default()
        };
        cell.timeline = Some(t.clone());
        assert_eq!(shown_run_text(&cell, &t), "median run, 200.0 ms");
        let t = Timeline {
            sample: Some(2),
            wall_ns: 250_000_000,
            ..t
        };
        cell.timeline = Some(t.clone());
        assert_eq!(
            shown_run_text(&cell, &t),
            "run 3 of 3 by time, 250.0 ms (median 200.0 ms)"
        );
    }

    #[test]
    fn running_and_the_two_waits_differ_in_height_not_only_in_colour() {
        let [run, lock, io] =
            [SpanState::Computing, SpanState::LockWait, SpanState::Io].map(state_thickness);
        assert!(run > io && io > lock, "{run} {io} {lock}");
        // Clearly apart on screen: each at most about half the next.
        assert!(io <= run * 0.6 && lock <= io * 0.6, "{run} {io} {lock}");
        // Bars stay inside their lane (lanes are 1 apart).
        assert!(SpanState::ALL.iter().all(|&s| state_thickness(s) < 1.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;

    fn cell(model: ModelKind, workers: usize, timeline: bool) -> CellResult {
        CellResult {
            model: Some(model),
            workers,
            timeline: timeline.then(Timeline::default),
            ..CellResult::default()
        }
    }

    #[test]
    fn gil_threads_with_most_workers_go_over_threads_by_default() {
        let mut r = ResultsFile {
            cells: vec![
                cell(ModelKind::Sequential, 1, true),
                cell(ModelKind::Threads, 2, true),
                cell(ModelKind::Threads, 4, true),
                cell(ModelKind::GilThreads, 2, true),
                cell(ModelKind::GilThreads, 4, true),
                cell(ModelKind::Processes, 4, false),
            ],
            ..ResultsFile::default()
        };
        assert_eq!(default_picks(&r), (Some(4), Some(2)));
        // No gil-threads: two models at the largest count they share, not the sequential
        // run over one thread (two identical bars).
        let mut p = cell(ModelKind::Processes, 4, true);
        p.timeline = Some(Timeline::default());
        r.cells = vec![
            cell(ModelKind::Sequential, 1, true),
            cell(ModelKind::Threads, 1, true),
            cell(ModelKind::Threads, 4, true),
            p,
        ];
        assert_eq!(default_picks(&r), (Some(2), Some(3)));
        r.cells.truncate(3);
        assert_eq!(default_picks(&r), (Some(0), Some(1)));
    }

    #[test]
    fn memory_series_has_a_line_per_model_in_worker_order() {
        let mut a = cell(ModelKind::Processes, 4, false);
        a.peak_rss_bytes = Some(40 << 20);
        let mut b = cell(ModelKind::Processes, 2, false);
        b.peak_rss_bytes = Some(20 << 20);
        let mut t = cell(ModelKind::Threads, 4, false);
        t.peak_rss_bytes = Some(8 << 20);
        let r = ResultsFile {
            cells: vec![a, t, b, cell(ModelKind::Threads, 1, true)],
            ..ResultsFile::default()
        };
        let s = memory_series(&r);
        // In the chart model's model order (the experiment's), like every chart; MiB.
        assert_eq!(s.len(), 2);
        let line = |m| &s.iter().find(|(k, _)| *k == m).expect("a line").1;
        assert_eq!(line(ModelKind::Processes), &vec![[2.0, 20.0], [4.0, 40.0]]);
        assert_eq!(line(ModelKind::Threads), &vec![[4.0, 8.0]]);
    }
}

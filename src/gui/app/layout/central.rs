//! The central area: the tabs, the results' header and the analysis bar above the shown
//! tab's chart, table, fits or timeline, scrolling where room is short.

use super::room::compact_area;
use super::*;

/// In a tight central area, the plot's least height, axes included, in points (the area
/// scrolls below it, starting scrolled down to the plot).
const TIGHT_PLOT_MIN_HEIGHT: f32 = 100.0;

impl WorkbenchApp {
    /// The central area. A chart tab scrolls where it must, so that the plot keeps at least
    /// [`charts::ChartRoom::min_height`]; short of room (zoomed in, a small window), the tabs,
    /// the header, the buttons and the caption fold into fewer rows first.
    pub(super) fn central(&mut self, ui: &mut egui::Ui) {
        let room = ui.available_size();
        let compact = compact_area(room);
        // In a tight window (short and not wide: 800 × 600 at 2×, 512 × 320, see
        // `TIGHT_BELOW_HEIGHT`),
        // the rows above the plot fold into as few as they can (the tabs into a menu on the
        // export buttons' row, the warnings onto the verdict's, the view boxes into a menu
        // beside the legend), so that the plot, the verdict and the run controls are all in
        // view without scrolling.
        let tight = self.tight;
        if self.tab.chart().is_some() {
            // Where even the folded rows leave the plot less than its least height, the area
            // starts scrolled down to it (the rows above a scroll away), rather than the plot
            // lying below the fold.
            let min_height = if tight {
                TIGHT_PLOT_MIN_HEIGHT.min(room.y * 0.8)
            } else {
                charts::ChartRoom::min_height_in(room.y)
            };
            egui::ScrollArea::vertical()
                .id_salt("central-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    let chart_room = charts::ChartRoom {
                        compact,
                        tight,
                        top: ui.cursor().top(),
                        visible_height: room.y,
                        min_height,
                    };
                    self.central_body(ui, compact, tight, Some(chart_room));
                    crate::gui::focus::keep_focused_in_view(ui);
                    // Once for each tab, area size and content height (results loaded, a
                    // row added), so that the user's own scrolling stays: the plot ends the
                    // content.
                    let content = ui.min_rect();
                    let seen = ui.scope_id().with("central-scrolled-to-plot");
                    let key = (
                        self.tab,
                        room.x.round() as i32,
                        room.y.round() as i32,
                        content.height().round() as i32,
                    );
                    let ctx = ui.ctx().clone();
                    if tight && ctx.data(|d| d.get_temp(seen)) != Some(key) {
                        let plot = egui::Rect::from_min_max(
                            egui::pos2(content.left(), content.bottom() - min_height),
                            content.right_bottom(),
                        );
                        ui.scroll_to_rect(plot, Some(egui::Align::BOTTOM));
                        ctx.data_mut(|d| d.insert_temp(seen, key));
                    }
                });
        } else if compact && self.tab == Tab::Table {
            // Short of room, the verdict and the table scroll as one page (the verdict in
            // full, the table's own scroll area sideways only), rather than each getting a
            // sliver that cuts its text. A solid bar, in view at rest: the text cut at the
            // bottom is seen to go on.
            ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
            egui::ScrollArea::vertical()
                .id_salt("central-scroll")
                .auto_shrink([false, false])
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
                .show(ui, |ui| {
                    self.central_body(ui, compact, tight, None);
                    crate::gui::focus::keep_focused_in_view(ui);
                });
        } else {
            self.central_body(ui, compact, tight, None);
        }
    }

    fn central_body(
        &mut self,
        ui: &mut egui::Ui,
        compact: bool,
        tight: bool,
        room: Option<charts::ChartRoom>,
    ) {
        if tight {
            // One row: the tab in a menu, then the export and compare controls (a chart's
            // View menu holds **show fits**, which only the charts draw).
            ui.horizontal_wrapped(|ui| {
                self.tab_menu(ui);
                self.analysis_controls(ui, true, false);
            });
        } else {
            self.tab_row(ui, compact);
        }
        self.results_header(ui, compact, tight);
        if !tight {
            ui.separator();
        }
        let planned = self
            .results
            .as_ref()
            .map_or(&self.experiment.workers, |r| &r.experiment.workers)
            .clone();
        self.fits.get(self.results.as_ref());
        if !tight {
            self.analysis_bar(ui, compact);
        }
        // The shown results' label is the first only when there are results; without them
        // nothing of theirs is drawn and the compared runs' labels come first.
        let mut labels = self.run_labels();
        if self.results.is_none() {
            labels.insert(0, String::new());
        }
        crate::gui::compare_note::show(ui, self.results.as_ref(), &self.compare, &labels);
        if !self.compare.is_empty() && matches!(self.tab, Tab::Table | Tab::Fits | Tab::Timeline) {
            ui.weak(format!(
                "This tab shows {} only; the compared runs are on the charts.",
                labels.first().map_or("the shown results", String::as_str)
            ));
        }
        match self.tab {
            Tab::Table => {
                let layout = if compact {
                    results_table::Layout::InPage
                } else {
                    results_table::Layout::Fill
                };
                crate::gui::verdict_panel::show(ui, self.results.as_ref(), layout);
                let measuring = self.measuring_cells();
                results_table::show(
                    ui,
                    self.results.as_ref(),
                    layout,
                    &measuring,
                    &mut self.table_notes,
                );
            }
            Tab::Fits => fits_panel::show(ui, self.results.as_ref(), self.fits.fits()),
            Tab::Timeline => crate::gui::timeline::show(
                ui,
                self.results.as_ref(),
                self.results_path.as_deref(),
                &self.files.open_files,
            ),
            tab => {
                let measuring = self.measuring_cells();
                let mut layers = Layers {
                    labels: &labels,
                    compare: &self.compare,
                    baseline: self
                        .results
                        .as_ref()
                        .map_or(self.experiment.baseline, |r| r.experiment.baseline),
                    fits: self.fits.fits(),
                    show_fits: &mut self.show_fits,
                    measuring: &measuring,
                    sweep_running: self.run.is_some(),
                };
                charts::show(
                    ui,
                    tab.chart().unwrap_or(ChartKind::Speedup),
                    self.results.as_ref(),
                    &planned,
                    // The shown results' own machine's cores are theirs: this machine's stand in
                    // where they record none (a sweep just started here), or before any results.
                    Some(&self.machine),
                    &mut layers,
                    room.unwrap_or_else(|| charts::ChartRoom::fill(ui)),
                );
            }
        }
    }

    /// The shown cells of the running sweep that have not completed: their figures rest on
    /// the runs so far (none without a sweep running).
    fn measuring_cells(&self) -> Vec<(crate::preset::ModelKind, usize)> {
        let (Some(run), Some(results)) = (&self.run, &self.results) else {
            return Vec::new();
        };
        results
            .cells
            .iter()
            .filter_map(|c| Some((c.model?, c.workers)))
            .filter(|&(model, workers)| !run.completed(model, workers))
            .collect()
    }
}

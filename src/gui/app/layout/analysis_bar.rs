//! The analysis bar above the charts: **show fits**, the export buttons and the compare
//! controls.

use super::export_buttons::NOTHING_TO_EXPORT;
use super::*;

impl WorkbenchApp {
    /// Fits (on a chart that draws them), export and comparison controls above the charts. `compact` (short of room):
    /// the export buttons go into one **Export** menu, so that the bar takes one row.
    pub(super) fn analysis_bar(&mut self, ui: &mut egui::Ui, compact: bool) {
        let fits_box = tab_draws_fits(self.tab);
        ui.horizontal_wrapped(|ui| self.analysis_controls(ui, compact, fits_box));
    }

    /// The analysis bar's controls, in `ui`'s row: **show fits** (where `fits_box`), the
    /// export buttons (one **Export** menu where `compact`) and the compare controls.
    pub(super) fn analysis_controls(&mut self, ui: &mut egui::Ui, compact: bool, fits_box: bool) {
        let has_results = self.results.as_ref().is_some_and(|r| !r.cells.is_empty());
        if fits_box {
            ui.checkbox(&mut self.show_fits, "show fits")
                .on_hover_text(fits_panel::help::FITS);
            ui.separator();
        }
        if compact {
            let menu = ui
                .add_enabled_ui(has_results, |ui| {
                    ui.menu_button("Export", |ui| self.export_buttons(ui, has_results))
                        .response
                })
                .inner;
            menu.on_hover_text(
                "Export the chart (or through the dialog), a report, the results, the table.",
            )
            .on_disabled_hover_text(NOTHING_TO_EXPORT);
        } else {
            self.export_buttons(ui, has_results);
        }
        ui.add_space(8.0);
        self.compare_controls(ui, compact);
    }

    /// **Add results to compare…** (**Compare…** where room is short), and what is compared.
    fn compare_controls(&mut self, ui: &mut egui::Ui, compact: bool) {
        let ctx = ui.ctx().clone();
        let title = if compact {
            "Compare…"
        } else {
            "Add results to compare…"
        };
        let compare = ui
            .button(title)
            .accessible_name("Add results to compare…")
            .on_hover_text(
                "Overlay another results file's curves (own line pattern, hollow markers), labelled model @ run, each run named by what differs: experiment, machine, date or file.",
            );
        if self.opener(&compare) {
            let start_in = self.proposed_path(FileAction::OpenCompare);
            self.files
                .start(&ctx, FileAction::OpenCompare, None, start_in);
        }
        if !self.compare.is_empty() {
            let labels = self.run_labels();
            let names = &labels[labels.len() - self.compare.len()..];
            let shown = if self.results.is_some() {
                format!("{} with ", labels[0])
            } else {
                String::new()
            };
            ui.weak(format!("comparing {shown}{}", names.join(", ")));
            if ui
                .small_button("Clear comparison")
                .on_hover_text("Remove the overlaid results from the charts.")
                .clicked()
            {
                self.clear_compare();
            }
        }
    }
}

/// Whether `tab` draws fitted curves, which **show fits** turns on and off: the speedup,
/// efficiency and wall-time charts. The table, the timeline and the lost-updates chart fit
/// nothing, and the Fits tab shows its fits whatever the box says.
pub(super) fn tab_draws_fits(tab: Tab) -> bool {
    tab.chart().is_some_and(|kind| kind.fit_law().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_charts_with_a_fitted_law_offer_show_fits() {
        let offered: Vec<Tab> = Tab::ALL
            .into_iter()
            .filter(|t| tab_draws_fits(*t))
            .collect();
        assert_eq!(offered, [Tab::Speedup, Tab::Efficiency, Tab::WallTime]);
    }
}

//! The desktop workbench (eframe + egui_plot).

/// Opens the workbench window.
pub fn run_app() -> anyhow::Result<()> {
    let options = eframe::NativeOptions::default();
    eframe::run_native(
        "corelab",
        options,
        Box::new(|_cc| Ok(Box::new(Placeholder))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the corelab window: {e}"))
}

struct Placeholder;

impl eframe::App for Placeholder {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, _frame: &mut eframe::Frame) {
        ui.heading("corelab");
        ui.label("The workbench is being built. Use `corelab run PRESET` meanwhile.");
    }
}

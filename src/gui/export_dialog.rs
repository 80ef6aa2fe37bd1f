//! The export dialog: chart kind, size, scale (DPI), font size, title, theme, models and
//! compared runs, log axes and legend, with a live preview drawn by the exporter itself (so
//! what is previewed is what is written), then PNG and/or SVG to a typed path.
//!
//! The workbench opens it with [`ExportDialog::open`] and draws it every frame with
//! [`ExportDialog::ui`].

use std::path::{Path, PathBuf};

use eframe::egui;

use crate::export::{
    self, ChartKind, ChartOptions, ChartRun, LegendPlacement, Theme, render_png, render_rgb,
    render_svg,
};
use crate::preset::ModelKind;
use crate::results::ResultsFile;

/// Size presets offered as buttons: (label, width, height).
pub const SIZE_PRESETS: [(&str, u32, u32); 4] = [
    ("slide 1100×700", 1100, 700),
    ("paper column 500×320", 500, 320),
    ("wide 1600×900", 1600, 900),
    ("square 800×800", 800, 800),
];

/// A dialog narrower than this (in points) shows the preview below the options.
const NARROW_DIALOG: f32 = 620.0;
/// The rows the footer keeps for what it says above its buttons (the last export's outcome,
/// the files it writes, those that exist), however many of them there are: the buttons do
/// not move (it scrolls beyond them).
const NOTE_ROWS: f32 = 3.0;

/// One run offered to the dialog.
#[derive(Clone, Debug)]
struct DialogRun {
    label: String,
    results: ResultsFile,
    include: bool,
}

/// The export dialog's state.
#[derive(Default)]
pub struct ExportDialog {
    open: bool,
    runs: Vec<DialogRun>,
    /// Every model of the runs, and whether it is drawn.
    models: Vec<(ModelKind, bool)>,
    pub options: ChartOptions,
    /// The title typed (empty: the experiment name).
    pub title: String,
    /// Where to write, without or with an extension (`.png`/`.svg` are added as asked).
    pub path: String,
    pub png: bool,
    pub svg: bool,
    preview: Option<(PreviewKey, Result<egui::TextureHandle, String>)>,
    /// The outcome of the last export: the files written, or why not.
    pub last_result: Option<Result<Vec<PathBuf>, String>>,
    /// Give the first control keyboard focus when next drawn (the dialog just opened).
    focus_first: bool,
    /// Give the Export button keyboard focus when next drawn (an export made by keyboard).
    focus_export: bool,
    /// The files the workbench has open, which an export must not write over (set every
    /// frame).
    pub open_files: Vec<super::overwrite::OpenFile>,
    /// Take the axes from the workbench's chart of this kind when next drawn (just opened,
    /// or the chart kind changed): the export starts as the screen shows it.
    axes_from_workbench: Option<ChartKind>,
    /// The path the dialog proposed last: while `path` is still this one (not typed), it is
    /// proposed again when the chart kind or the runs change, so that exporting another
    /// chart never proposes (and replaces) the last one's file.
    proposed: String,
    /// Where paths are proposed, and the file stem of the shown results.
    propose_in: (PathBuf, String),
}

/// The dialog window's id.
fn window_id() -> egui::Id {
    egui::Id::unique("corelab-export-dialog")
}

/// What the preview was drawn from: redraw when it changes.
#[derive(Clone, Debug, PartialEq)]
struct PreviewKey {
    options: ChartOptions,
    runs: Vec<bool>,
}

impl ExportDialog {
    /// Opens the dialog for these runs (the shown results first, then compared ones), on the
    /// chart of `kind`. The first time, the file is proposed in `dir` (the shown results'
    /// folder, or the current directory), as an absolute path.
    pub fn open(
        &mut self,
        runs: Vec<(String, ResultsFile)>,
        kind: ChartKind,
        show_fits: bool,
        dir: &Path,
    ) {
        let mut models: Vec<(ModelKind, bool)> = Vec::new();
        for (_, r) in &runs {
            for m in export::chart_model::models_of(r) {
                if !models.iter().any(|x| x.0 == m) {
                    models.push((m, true));
                }
            }
        }
        if self.path.is_empty() {
            self.png = true;
            self.svg = true;
        }
        let stem = runs
            .first()
            .map(|(_, r)| file_stem(&r.experiment.name))
            .unwrap_or_else(|| "chart".into());
        self.propose_in = (dir.to_path_buf(), stem);
        self.runs = runs
            .into_iter()
            .map(|(label, results)| DialogRun {
                label,
                results,
                include: true,
            })
            .collect();
        self.models = models;
        // The axes that suit the runs (as on screen until the user sets them there).
        (self.options.log_x, self.options.log_y) =
            export::suited_scales(self.runs.iter().map(|r| &r.results));
        self.options.kind = kind;
        self.options.show_fits = show_fits;
        self.axes_from_workbench = Some(kind);
        self.propose_path(true);
        self.preview = None;
        self.last_result = None;
        self.open = true;
        self.focus_first = true;
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Makes the dialog, drawn on `layer` this frame, modal while it stays open: Tab cycles
    /// through its controls only (it went on to the hidden main window's), and the main window
    /// does not react until it closes. Called after the frame's commands (Escape closes it
    /// there), so that focus given back to the main window as it closes is not refused.
    pub fn hold_focus(&self, ctx: &egui::Context, layer: Option<egui::LayerId>) {
        if self.open
            && let Some(layer) = layer
        {
            ctx.memory_mut(|m| m.set_modal_layer(layer));
        }
    }

    /// Proposes the file for the shown results and chart kind (`<dir>/<stem>-<kind>`, as an
    /// absolute path), unless a path was typed: it is kept then. `if_empty`: an empty path
    /// is proposed over too (when the dialog opens; not while the user is typing).
    fn propose_path(&mut self, if_empty: bool) {
        let typed = self.path != self.proposed;
        if typed && !(if_empty && self.path.trim().is_empty()) {
            return;
        }
        let (dir, stem) = &self.propose_in;
        self.path = chart_file_base(dir, stem, self.options.kind)
            .display()
            .to_string();
        self.proposed = self.path.clone();
    }

    pub fn close(&mut self) {
        self.open = false;
    }

    /// The options the chart is drawn with now (title and model choice included).
    pub fn chart_options(&self) -> ChartOptions {
        let mut o = self.options.clone();
        o.title = (!self.title.trim().is_empty()).then(|| self.title.trim().to_string());
        // A log speedup axis only with the log₂ worker axis (as on screen and on the command
        // line): only there is the ideal line straight.
        if o.kind == ChartKind::Speedup && !o.log_x {
            o.log_y = false;
        }
        o.models = if self.models.iter().all(|m| m.1) {
            None
        } else {
            Some(self.models.iter().filter(|m| m.1).map(|m| m.0).collect())
        };
        o
    }

    /// Includes or leaves out run `i` (0: the shown results).
    pub fn set_run_included(&mut self, i: usize, include: bool) {
        if let Some(r) = self.runs.get_mut(i) {
            r.include = include;
        }
    }

    /// Shows or hides `model`.
    pub fn set_model_shown(&mut self, model: ModelKind, shown: bool) {
        if let Some(m) = self.models.iter_mut().find(|m| m.0 == model) {
            m.1 = shown;
        }
    }

    fn chart_runs(&self) -> Vec<ChartRun<'_>> {
        self.runs
            .iter()
            .filter(|r| r.include)
            .map(|r| ChartRun {
                label: &r.label,
                results: &r.results,
            })
            .collect()
    }

    /// Writes the chart as PNG and/or SVG next to `base` (its extension replaced), and
    /// returns the files written.
    pub fn export_to(&mut self, base: &Path) -> Result<Vec<PathBuf>, String> {
        let result = self.write_files(base);
        self.last_result = Some(result.clone());
        result
    }

    /// The files an export to `base` (extension already dropped) writes: PNG and/or SVG.
    fn targets(&self, base: &Path) -> Vec<PathBuf> {
        let mut targets = Vec::new();
        if self.png {
            targets.push(with_ext(base, "png"));
        }
        if self.svg {
            targets.push(with_ext(base, "svg"));
        }
        targets
    }

    fn write_files(&self, base: &Path) -> Result<Vec<PathBuf>, String> {
        if !self.png && !self.svg {
            return Err("choose PNG, SVG or both".into());
        }
        let runs = self.chart_runs();
        if runs.is_empty() {
            return Err("no run is included: tick at least one".into());
        }
        let options = self.chart_options();
        let base = target_base(base);
        if base.file_name().is_none() {
            return Err(format!(
                "{:?} is not a file name",
                base.display().to_string()
            ));
        }
        super::overwrite::refuse_open(&self.targets(&base), &self.open_files, None)?;
        let mut written = Vec::new();
        if self.png {
            let path = with_ext(&base, "png");
            let png = render_png(&runs, &options).map_err(|e| e.to_string())?;
            crate::results::write_atomically(&path, &png)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
        if self.svg {
            let path = with_ext(&base, "svg");
            let svg = render_svg(&runs, &options).map_err(|e| e.to_string())?;
            crate::results::write_atomically(&path, svg.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    }

    fn preview_key(&self) -> PreviewKey {
        PreviewKey {
            options: self.chart_options(),
            runs: self.runs.iter().map(|r| r.include).collect(),
        }
    }

    /// Draws the preview again when what it shows changed.
    fn refresh_preview(&mut self, ctx: &egui::Context) {
        let key = self.preview_key();
        if self.preview.as_ref().is_some_and(|p| p.0 == key) {
            return;
        }
        let runs = self.chart_runs();
        let result = if runs.is_empty() {
            Err("no run is included".to_string())
        } else {
            let (w, h) = key.options.pixel_size();
            let max_side = ctx.input(|i| i.max_texture_side).clamp(256, 4096);
            render_rgb(&runs, &key.options)
                .map(|pixels| {
                    // A large (scaled) chart is shrunk to fit a texture, by whole factors.
                    let k = (w.max(h) as usize).div_ceil(max_side).max(1);
                    let (pixels, w, h) = shrink(&pixels, w as usize, h as usize, k);
                    let image = egui::ColorImage::from_rgb([w, h], pixels.as_slice());
                    ctx.load_texture(
                        "corelab-export-preview",
                        image,
                        egui::TextureOptions::LINEAR,
                    )
                })
                .map_err(|e| e.to_string())
        };
        self.preview = Some((key, result));
    }

    /// Whether the preview shows a chart (not an error).
    pub fn preview_ok(&self) -> bool {
        self.preview.as_ref().is_some_and(|p| p.1.is_ok())
    }

    /// The axes the workbench's chart of `kind` shows now, `(log₂ workers, log y)`: what the
    /// user set there, else what suits the runs (see `charts::show`); the speedup chart's log
    /// axis is its "log speedup" box, with the log₂ worker axis.
    fn workbench_axes(&self, ctx: &egui::Context, kind: ChartKind) -> (bool, bool) {
        let view = super::charts::ChartView::load(ctx, kind);
        let (suits_x, suits_time) = export::suited_scales(self.runs.iter().map(|r| &r.results));
        let log_x = if view.x_scale_chosen {
            view.log_x
        } else {
            suits_x
        };
        let log_y = match kind {
            ChartKind::WallTime if view.y_scale_chosen => view.log_y,
            ChartKind::WallTime => suits_time,
            ChartKind::Speedup => log_x && view.log_speedup,
            _ => false,
        };
        (log_x, log_y)
    }

    /// Draws the dialog (a window) when it is open; returns its layer when drawn.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<egui::LayerId> {
        if !self.open {
            return None;
        }
        if let Some(kind) = self.axes_from_workbench.take() {
            (self.options.log_x, self.options.log_y) = self.workbench_axes(ctx, kind);
        }
        let mut open = true;
        // Never taller than the window (zoomed in, on a small screen): the options and the
        // preview scroll, and where to save with the Export button stay in view below them.
        let shown = egui::Window::new("Export chart")
            .id(window_id())
            .open(&mut open)
            .default_size([900.0, 560.0])
            .resizable(true)
            .collapsible(false)
            .constrain_to(ctx.content_rect())
            .show(ctx, |ui| {
                egui::Panel::bottom("export-dialog-save").show(ui, |ui| self.save_ui(ui));
                egui::CentralPanel::default().show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("export-dialog-body")
                        .show(ui, |ui| {
                            // The preview beside the options, or below them where the window
                            // is too narrow for both (zoomed in).
                            if ui.available_width() < NARROW_DIALOG {
                                self.controls(ui);
                                ui.separator();
                                self.preview_ui(ui);
                                return;
                            }
                            ui.horizontal_top(|ui| {
                                ui.vertical(|ui| {
                                    ui.set_max_width(300.0);
                                    self.controls(ui);
                                });
                                ui.separator();
                                ui.vertical(|ui| self.preview_ui(ui));
                            });
                            super::focus::keep_focused_in_view(ui);
                        });
                });
                // A chart kind chosen: its file is proposed (unless a path was typed).
                self.propose_path(false);
            });
        if !open {
            self.open = false;
        }
        shown.map(|r| r.response.layer_id)
    }

    fn controls(&mut self, ui: &mut egui::Ui) {
        let kind_before = self.options.kind;
        self.controls_grid(ui);
        if self.options.kind != kind_before {
            // Another chart: its axes as the workbench shows them.
            (self.options.log_x, self.options.log_y) =
                self.workbench_axes(ui.ctx(), self.options.kind);
        }
    }

    fn controls_grid(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("export-dialog-grid")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                ui.label("Chart");
                ui.horizontal(|ui| {
                    for kind in ChartKind::ALL {
                        // A chart these runs cannot draw (lost updates without a counter) is
                        // greyed, saying why.
                        let reason = kind.unavailable_reason(self.runs.iter().map(|r| &r.results));
                        let r = match reason {
                            None => {
                                ui.selectable_value(&mut self.options.kind, kind, kind.title())
                            }
                            Some(reason) => ui
                                .add_enabled(
                                    false,
                                    egui::Button::selectable(
                                        self.options.kind == kind,
                                        kind.title(),
                                    ),
                                )
                                .on_disabled_hover_text(format!("Greyed: {reason}.")),
                        };
                        // Just opened: keyboard focus starts on the chart kind shown.
                        if self.focus_first && kind == self.options.kind {
                            r.request_focus();
                            self.focus_first = false;
                        }
                    }
                });
                ui.end_row();

                ui.label("Size (px)");
                ui.horizontal(|ui| {
                    ui.add(
                        egui::DragValue::new(&mut self.options.width)
                            .range(200..=4000)
                            .speed(5.0),
                    )
                    .accessible_name("Width (px)")
                    .on_hover_text("Width in pixels at scale 1 (SVG user units).");
                    ui.label("×");
                    ui.add(
                        egui::DragValue::new(&mut self.options.height)
                            .range(150..=4000)
                            .speed(5.0),
                    )
                    .accessible_name("Height (px)")
                    .on_hover_text("Height in pixels at scale 1.");
                });
                ui.end_row();

                ui.label("");
                egui::ComboBox::from_label("size presets")
                    .selected_text(format!("{}×{}", self.options.width, self.options.height))
                    .show_ui(ui, |ui| {
                        for (label, w, h) in SIZE_PRESETS {
                            if ui.selectable_label(false, label).clicked() {
                                self.options.width = w;
                                self.options.height = h;
                            }
                        }
                    });
                ui.end_row();

                ui.label("Scale");
                ui.horizontal(|ui| {
                    for (s, dpi) in [(1.0, "96 dpi"), (2.0, "192 dpi"), (3.0, "288 dpi")] {
                        ui.selectable_value(&mut self.options.scale, s, format!("{s}×"))
                            .on_hover_text(format!(
                                "PNG at {dpi}: {s}× the pixels, everything {s}× as big (SVG ignores it)."
                            ));
                    }
                });
                ui.end_row();

                ui.label("Font size");
                ui.add(
                    egui::Slider::new(&mut self.options.font_size, 8.0..=28.0)
                        .step_by(0.5)
                        .suffix(" px"),
                )
                .on_hover_text(format!(
                    "Body text, its em (the SVG's font-size; {} px by default); ticks and legend are 0.9×, the title 1.4×. It does not shrink with the width.",
                    crate::export::DEFAULT_FONT_SIZE
                ));
                ui.end_row();

                let label = ui.label("Title");
                ui.add(
                    egui::TextEdit::singleline(&mut self.title)
                        .hint_text("the experiment name")
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
                ui.end_row();

                ui.label("Theme");
                ui.horizontal(|ui| {
                    for t in Theme::ALL {
                        ui.selectable_value(&mut self.options.theme, t, t.name());
                    }
                });
                ui.end_row();

                ui.label("Axes");
                ui.horizontal(|ui| {
                    ui.checkbox(&mut self.options.log_x, "log₂ workers");
                    // Disabled: the reason in the label, not only in a hover.
                    let kind = self.options.kind;
                    let (label, enabled, why) = match kind {
                        ChartKind::WallTime => ("log time", true, ""),
                        ChartKind::Speedup if self.options.log_x => ("log speedup", true, ""),
                        ChartKind::Speedup => (
                            "log speedup (needs log₂ workers)",
                            false,
                            "A log speedup axis goes with the log₂ worker axis: only there is the ideal line straight.",
                        ),
                        _ => (
                            "log y (speedup and wall-time charts only)",
                            false,
                            "Efficiency is read against its flat 100 % line, memory and lost updates on a linear scale.",
                        ),
                    };
                    // Unticked where it cannot apply (the options keep what was chosen).
                    let mut shown = self.options.log_y && enabled;
                    let r = ui
                        .add_enabled(enabled, egui::Checkbox::new(&mut shown, label))
                        .on_disabled_hover_text(why);
                    if enabled {
                        self.options.log_y = shown;
                        if kind == ChartKind::Speedup {
                            r.on_hover_text("A log₂ speedup axis (1×, 2×, 4×, …): the ideal line stays straight and small speedups keep their room.");
                        }
                    }
                });
                ui.end_row();

                ui.label("Legend");
                ui.horizontal(|ui| {
                    for p in LegendPlacement::ALL {
                        ui.selectable_value(&mut self.options.legend, p, p.name());
                    }
                });
                ui.end_row();

                ui.label("Fits");
                let fitted = self.options.kind.fit_law().is_some();
                let fits = if fitted {
                    "fitted curves"
                } else {
                    "fitted curves (none for memory or lost updates)"
                };
                ui.add_enabled(
                    fitted,
                    egui::Checkbox::new(&mut self.options.show_fits, fits),
                )
                .on_disabled_hover_text("No law is fitted to memory or to lost updates.");
                ui.end_row();
            });
        ui.separator();
        ui.label("Runs");
        for r in &mut self.runs {
            ui.checkbox(&mut r.include, r.label.as_str());
        }
        ui.label("Models");
        ui.horizontal_wrapped(|ui| {
            for (m, shown) in &mut self.models {
                ui.checkbox(shown, m.id());
            }
        });
    }

    /// Where to write, which files exist, and the Export (or Replace) button: the dialog's
    /// footer, always in view. Its height never changes, so that the buttons stay under the
    /// mouse: what it says (the files it writes, those that exist, the last export's outcome)
    /// is in a box of [`NOTE_ROWS`] rows that scrolls beyond them, and Export keeps its width
    /// when it says Replace. (The outcome's line, added below the buttons after an export,
    /// and the note of the files that then exist, above them, moved them by two rows: a
    /// second click at the same spot hit nothing.)
    fn save_ui(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        let mut enter_pressed = false;
        ui.horizontal(|ui| {
            let label = ui.label("Save to");
            // As wide as the controls column, so a whole file name shows; the full path is in
            // the hover and on the line below.
            let width = ui.available_width().max(190.0);
            let hover = format!(
                "A path; .png and .svg are added. Enter exports.\n{}",
                self.path
            );
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut self.path)
                        .id_salt("export-dialog-save-to")
                        .desired_width(width),
                )
                .labelled_by(label.id)
                .on_hover_text(hover);
            // Enter in the field exports, as the button does, and focus goes to the button.
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                enter_pressed = true;
            }
        });
        // Where exactly the files go (a relative path is taken from the current directory),
        // and which of them exist already: said before the button, which then says Replace.
        let mut replacing = false;
        let row = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
        let notes = NOTE_ROWS * row;
        egui::ScrollArea::vertical()
            .id_salt("export-dialog-notes")
            .max_height(notes)
            .min_scrolled_height(notes)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                // The last export's outcome first: what a click just did is in view.
                match &self.last_result {
                    Some(Ok(paths)) => {
                        let names: Vec<String> =
                            paths.iter().map(|p| p.display().to_string()).collect();
                        let said = ui
                            .add(egui::Label::new(format!("Written: {}", names.join(", "))).wrap());
                        super::live_region::announce(ui, &said, false);
                    }
                    Some(Err(e)) => {
                        let said = ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("Not exported: {e}"),
                        );
                        super::live_region::announce(ui, &said, true);
                    }
                    None => {}
                }
                if self.path.trim().is_empty() {
                    return;
                }
                let targets = self.targets(&target_base(Path::new(self.path.trim())));
                // The files the last export wrote, named on the line above: not named twice
                // more (the three notes took four rows of the three in view, and the last,
                // "Replace writes over it", was cut off below them).
                let just_written =
                    matches!(&self.last_result, Some(Ok(paths)) if *paths == targets);
                let names: Vec<String> = targets.iter().map(|p| p.display().to_string()).collect();
                if !names.is_empty() && !just_written {
                    ui.add(egui::Label::new(format!("Writes {}", names.join(", "))).wrap());
                }
                let existing = super::overwrite::existing(&targets);
                if !existing.is_empty() {
                    replacing = true;
                    ui.add(
                        egui::Label::new(
                            egui::RichText::new(exists_note(&existing, just_written))
                                .color(ui.visuals().warn_fg_color),
                        )
                        .wrap(),
                    );
                }
            });
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.png, "PNG");
            ui.checkbox(&mut self.svg, "SVG");
            // As wide whichever it says.
            let width = ["Export", "Replace"]
                .iter()
                .map(|text| super::button_width::button_width(ui, text))
                .fold(0.0_f32, f32::max);
            let button = if replacing { "Replace" } else { "Export" };
            let export = ui.add(egui::Button::new(button).min_size(egui::vec2(width, 0.0)));
            // Exported by keyboard (Enter in "Save to", or Space/Enter on the button): focus
            // is on the button, and stays there.
            if std::mem::take(&mut self.focus_export) {
                export.request_focus();
            }
            if export.clicked() || enter_pressed {
                let base = PathBuf::from(self.path.trim());
                let _ = self.export_to(&base);
                if enter_pressed || export.has_focus() {
                    export.request_focus();
                    self.focus_export = true;
                }
            }
            if ui
                .button("Close")
                .on_hover_text("Close the dialog (Esc); it keeps its settings.")
                .clicked()
            {
                self.open = false;
            }
        });
    }

    fn preview_ui(&mut self, ui: &mut egui::Ui) {
        self.refresh_preview(ui.ctx());
        let (pw, ph) = self.options.pixel_size();
        ui.weak(format!("Preview ({pw} × {ph} px PNG)"));
        match &self.preview {
            Some((_, Ok(texture))) => {
                let avail = ui.available_size();
                let size = texture.size_vec2();
                // Shown at its own size when it fits (a small chart reads as it will), else
                // scaled down to fit.
                let k = (avail.x / size.x)
                    .min((avail.y - 8.0).max(100.0) / size.y)
                    .min(1.0);
                // A text alternative: what the picture shows (the values are in the Results
                // table).
                let alt = format!(
                    "Preview of the {} chart, {pw} × {ph} px: {}",
                    self.options.kind.title().to_lowercase(),
                    self.preview_description()
                );
                ui.add(egui::Image::new((texture.id(), size * k)).alt_text(alt));
            }
            Some((_, Err(e))) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Nothing to preview: {e}"),
                );
            }
            None => {}
        }
    }
}

impl ExportDialog {
    /// What the preview shows, in words: the runs and models drawn.
    fn preview_description(&self) -> String {
        let runs: Vec<&str> = self
            .runs
            .iter()
            .filter(|r| r.include)
            .map(|r| r.label.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        let models: Vec<&str> = self
            .models
            .iter()
            .filter(|m| m.1)
            .map(|m| m.0.id())
            .collect();
        let mut text = format!("models {}", models.join(", "));
        if runs.len() > 1 {
            text.push_str(&format!("; runs {}", runs.join(", ")));
        }
        text.push_str("; the values are in the Results table");
        text
    }
}

/// The note that `existing` files will be written over: named ("a.png and a.svg exist:
/// Replace writes over them"), or, where they are the files the last export wrote and the
/// line above names them (`just_written`), "They exist now: Replace writes over them".
fn exists_note(existing: &[PathBuf], just_written: bool) -> String {
    let them = if existing.len() == 1 { "it" } else { "them" };
    if just_written {
        let exist = if existing.len() == 1 {
            "It exists"
        } else {
            "They exist"
        };
        format!("{exist} now: Replace writes over {them}")
    } else {
        format!(
            "{}: Replace writes over {them}",
            super::overwrite::exists_text(existing)
        )
    }
}

/// `path` made absolute against the current directory (as the file system will take it).
/// The file base a chart of `kind` is proposed under, in `dir`, for results whose name has the
/// file stem `stem` ([`file_stem`]): `<dir>/<stem>-<kind>`, absolute (the `.png` and `.svg`
/// are written beside each other). The dialog and the quick **Export chart…** propose the same.
pub fn chart_file_base(dir: &Path, stem: &str, kind: ChartKind) -> PathBuf {
    absolute(&dir.join(format!("{stem}-{}", kind.id())))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The files' common base: `path` without a `.png`/`.svg` extension, absolute.
fn target_base(path: &Path) -> PathBuf {
    let base = match path.extension().and_then(|e| e.to_str()) {
        Some("png" | "svg") => path.with_extension(""),
        _ => path.to_path_buf(),
    };
    absolute(&base)
}

/// `rgb` (`w` × `h`) shrunk by `k` in both directions, averaging each k × k block.
fn shrink(rgb: &[u8], w: usize, h: usize, k: usize) -> (Vec<u8>, usize, usize) {
    if k <= 1 {
        return (rgb.to_vec(), w, h);
    }
    let (nw, nh) = (w / k, h / k);
    let mut out = vec![0u8; nw * nh * 3];
    for y in 0..nh {
        for x in 0..nw {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..k {
                    for dx in 0..k {
                        sum += u32::from(rgb[((y * k + dy) * w + x * k + dx) * 3 + c]);
                    }
                }
                out[(y * nw + x) * 3 + c] = (sum / (k * k) as u32) as u8;
            }
        }
    }
    (out, nw, nh)
}

fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut name = base.as_os_str().to_os_string();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// The longest stem [`file_stem`] proposes: room for the longest suffix an export adds
/// (`-efficiency.json`, a numbered variant) inside the 255 bytes of a file name. A results
/// file of 300-character name once proposed a name the file system refused.
pub const MAX_FILE_STEM: usize = 120;

/// A results or experiment name as a file name's stem: lower-case letters, digits and dashes
/// ("Python: GIL vs processes" → `python-gil-vs-processes`), at most [`MAX_FILE_STEM`]
/// characters (cut at a dash where there is one), `chart` when nothing is left.
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return "chart".into();
    }
    let stem = parts.join("-");
    if stem.len() <= MAX_FILE_STEM {
        return stem;
    }
    // ASCII only, so any byte index is a character boundary.
    let cut = &stem[..MAX_FILE_STEM];
    match cut.rfind('-') {
        Some(dash) if dash >= MAX_FILE_STEM / 2 => cut[..dash].to_string(),
        _ => cut.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_averages_blocks() {
        let rgb = [0u8, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255];
        let (out, w, h) = shrink(&rgb, 2, 2, 2);
        assert_eq!((w, h), (1, 1));
        assert_eq!(out, vec![127, 127, 127]);
    }

    #[test]
    fn file_stems_and_extensions() {
        assert_eq!(
            file_stem("Python: GIL vs processes"),
            "python-gil-vs-processes"
        );
        assert_eq!(file_stem("!!"), "chart");
        // A 300-character name: cut to fit a file name with its suffixes.
        let long = file_stem(&"A".repeat(300));
        assert_eq!(long, "a".repeat(MAX_FILE_STEM));
        let words = file_stem(&"word ".repeat(100));
        assert!(
            words.len() <= MAX_FILE_STEM && words.ends_with("word"),
            "{words}"
        );
        assert_eq!(
            with_ext(Path::new("/tmp/a.b"), "png"),
            PathBuf::from("/tmp/a.b.png")
        );
    }
}

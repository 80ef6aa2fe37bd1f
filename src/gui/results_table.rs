//! The results table: one row per measured cell, failures with their reason. Each row is one
//! keyboard stop (Tab), named for a screen reader by the whole row in words
//! ([`row_summary`]): the columns scrolled off to the right (notes, errors) are read too.

use eframe::egui;

use super::style::model_color_dark_aware;
use super::table_notes::{TableNotes, lost_words};
use crate::export;
use crate::preset::ModelKind;
use crate::results::{CellResult, CellStatus, ResultsFile};

/// The text of a row's first column, e.g. `threads × 4` (unique per cell).
pub fn row_label(cell: &CellResult) -> String {
    format!("{} × {}", cell.model_id(), cell.workers)
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "—".to_string(), f)
}

/// How the Table tab is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The table fills the tab's height below a verdict held to a share of it, each
    /// scrolling on its own.
    Fill,
    /// Short of room (zoomed in, a small window): the tab scrolls as one page, the verdict
    /// in full and the table at its full height, scrolling sideways only.
    InPage,
}

/// Draws the table for `results` (or a hint when there is none). The cells in `measuring`
/// are a running sweep's, not complete: their status says so (as the charts' hollow markers
/// do), not `ok`. The notes' lost-updates words come from `notes`, worked out again only when
/// the results change.
pub fn show(
    ui: &mut egui::Ui,
    results: Option<&ResultsFile>,
    layout: Layout,
    measuring: &[(ModelKind, usize)],
    notes: &mut TableNotes,
) {
    let Some(results) = results else {
        ui.weak("No results yet: press Run, or open a results file.");
        return;
    };
    let (lost, baseline) = notes.words(results);
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "{} · {} · started {}",
            results.experiment.name,
            crate::words::count(results.cells.len(), "cell"),
            results.started_at
        ));
        if let Some(b) = results.baseline.median_s {
            ui.weak(format!(
                "· sequential baseline {} s",
                export::seconds_text(b)
            ));
        }
    });
    ui.separator();
    let cells = &results.cells;
    let grid = |ui: &mut egui::Ui, rows: std::ops::Range<usize>| {
        egui::Grid::new("results-grid")
            .striped(true)
            .num_columns(13)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                header_row(ui);
                for i in rows {
                    let live = is_measuring(&cells[i], measuring);
                    let is_baseline = baseline.get(i).copied().unwrap_or(false);
                    let words = RowWords {
                        lost: lost_words(lost, i),
                        is_baseline,
                    };
                    row(ui, results, i, &cells[i], live, words);
                }
            });
    };
    // Twelve columns outgrow a window under about 1400 points wide: solid scroll bars that
    // stay in view (egui's default floating ones are invisible at rest), so the columns past
    // the edge are seen to be there.
    ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
    let scroll = egui::ScrollArea::both()
        .auto_shrink([false, false])
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible);
    if layout == Layout::InPage && cells.len() <= VIRTUAL_ROWS_FROM {
        // The page scrolls up and down (a wheel over the table moves the page, not a
        // nested area); the table scrolls only sideways.
        egui::ScrollArea::horizontal()
            .id_salt("results-table-sideways")
            .auto_shrink([false, true])
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .show(ui, |ui| grid(ui, 0..cells.len()));
    } else if layout == Layout::InPage {
        // A huge file in a page: its rows still virtual, in a window's height of their own.
        let height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
        let visible = ui.ctx().content_rect().height() * 0.6;
        scroll
            .max_height(visible)
            .show_rows(ui, height, cells.len(), |ui, rows| grid(ui, rows));
    } else if cells.len() <= VIRTUAL_ROWS_FROM {
        scroll.show(ui, |ui| grid(ui, 0..cells.len()));
    } else {
        // A huge file: lay out only the rows in view, so a frame costs the same whatever
        // the number of cells.
        let height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
        scroll.show_rows(ui, height, cells.len(), |ui, rows| grid(ui, rows));
    }
}

/// From this many cells on, the table lays out only the visible rows.
const VIRTUAL_ROWS_FROM: usize = 500;

fn header_row(ui: &mut egui::Ui) {
    for (h, tip) in [
        ("cell", "model × worker count"),
        (
            "status",
            "ok, failed or cancelled; while a sweep runs, \"measuring\" for a cell whose runs are not all done",
        ),
        (
            "n",
            "timed runs of the cell: fewer than 6 leave no 95% interval (the intervals then say their coverage)",
        ),
        (
            "median wall (s)",
            "median wall-clock time of the timed runs",
        ),
        (
            "median CI (s)",
            "confidence interval of the median by order statistics (distribution-free): in plain words, the range the true median lies in, read off the sorted runs themselves with no bell curve assumed; then ± how closely that pins the median (half the interval over the median: the precision achieved); with fewer than 6 runs no pair of runs reaches 95%: the range is shown with its coverage in brackets. Orange and \"(missed)\": the experiment's precision target was not met within its budget.",
        ),
        ("min–max (s)", "fastest and slowest timed run"),
        (
            "outliers",
            "how many runs have a modified z-score 0.6745·|x − median| / MAD above 3.5 (kept in the median); hover a count for their times. In plain words (the MAD rule): a run much further from the median than the runs' typical distance from it (the median absolute deviation, MAD), such as one another program slowed down",
        ),
        (
            "speedup",
            "baseline median ÷ this median; for lock contention, where every worker brings its own increments, × workers: the throughput against one worker's. Hover a value for its 95% confidence interval, which holds the baseline's uncertainty as well as this cell's",
        ),
        ("efficiency", "speedup ÷ workers"),
        (
            "CPU busy",
            "CPU time ÷ wall time: how many cores were busy on average",
        ),
        (
            "work",
            "CPU time ÷ the baseline's CPU time: 1.00 means the workers did no more work than the baseline, so any missing speedup is cores not running at once; above 1 is extra work (dispatch, spinning on a lock, contention). Per increment for lock-contention tasks, where every worker brings its own increments. Empty where the baseline mostly waits.",
        ),
        (
            "start-up (ms)",
            "starting the model's workers before its first run (a process pool, an interpreter, a cluster; a thread team), measured apart from the runs and never part of their times",
        ),
        ("note", "errors and extra measurements"),
    ] {
        ui.strong(h).on_hover_text(tip);
    }
    ui.end_row();
}

/// The row of `cell` in words, for a screen reader: every column, the speedup's confidence
/// interval (otherwise only in a hover) and the note, e.g. `threads × 2: ok; median 1.0000 s,
/// CI 0.9000 – 1.1000 (precision target missed); speedup 2.00× (95% CI 1.80 – 2.20×);
/// efficiency 100 %; …`. A cell still being measured (`live`) starts `threads × 2: measuring:
/// 1 run so far; …`.
/// `lost` is the cell's lost-updates words ([`TableNotes`]; [`export::lost_updates_text`]).
pub fn row_summary(
    results: &ResultsFile,
    cell: &CellResult,
    live: bool,
    lost: Option<&str>,
) -> String {
    let status = status_words(cell, live);
    let first = if live {
        // `measuring: 3 runs so far` already counts the runs.
        format!("{}: {status}", row_label(cell))
    } else {
        let runs = crate::words::count(cell.samples.len(), "run");
        format!("{}: {status}, {runs}", row_label(cell))
    };
    let mut parts = vec![first];
    if let Some(w) = &cell.wall {
        let mut median = format!(
            "median {} s, CI {}",
            export::seconds_text(w.median),
            export::median_ci_text(cell)
        );
        if export::precision_target_met(results, cell) == Some(false) {
            median.push_str(" (precision target missed)");
        }
        parts.push(median);
        parts.push(format!(
            "runs {} to {} s",
            export::seconds_text(w.min),
            export::seconds_text(w.max)
        ));
        if !w.outliers.is_empty() {
            parts.push(format!("outlying runs: {}", w.outliers.len()));
        }
    }
    if let Some(v) = cell.speedup {
        // The decimals the interval needs (`0.9953×`, not `1.00×`), as the tables print it.
        let text = export::speedup_text(cell);
        parts.push(match export::speedup_ci_words(cell) {
            Some(words) => format!("speedup {text}× ({words})"),
            None if v == 1.0 => format!("speedup {text}× (the baseline)"),
            None => format!("speedup {text}×"),
        });
    }
    if cell.efficiency.is_some() {
        parts.push(format!("efficiency {}", export::efficiency_text(cell)));
    }
    if let Some(v) = cell.cpu_utilisation {
        parts.push(format!("CPU busy {v:.2}"));
    }
    if let Some(v) = cell.work_vs_baseline {
        parts.push(format!("work {v:.2}"));
    }
    if let Some(v) = cell.startup_s {
        parts.push(format!("start-up {:.1} ms", v * 1000.0));
    }
    if let Some(v) = cell.import_s {
        parts.push(format!("of which module import {:.1} ms", v * 1000.0));
    }
    let note = note_text(cell, lost);
    if !note.is_empty() {
        parts.push(format!("note: {note}"));
    }
    parts.join("; ")
}

/// The note column: the error of a failed cell, else bandwidth, lost updates (`lost`: how
/// many runs lost any, and the most, [`export::lost_updates_text`]), disagreeing runs.
fn note_text(cell: &CellResult, lost: Option<&str>) -> String {
    if let (Some(e), CellStatus::Failed) = (&cell.error, cell.status) {
        // One line: a traceback's first and last (it is shown whole in the failure's message).
        return export::one_line_error(e);
    }
    let mut notes = Vec::new();
    if let Some(g) = cell.gb_per_s {
        notes.push(format!("{g:.2} GB/s"));
    }
    if let Some(lost) = lost {
        notes.push(lost.to_string());
    }
    if !cell.checksums_agree {
        notes.push("runs disagree".into());
    }
    notes.join(" · ")
}

/// The mark after a median interval that missed the experiment's precision target (the
/// colour alone says nothing to a colour-blind reader or a screen reader).
pub const MISSED_MARK: &str = " (missed)";

/// Whether `cell` is one of the running sweep's cells still being measured.
fn is_measuring(cell: &CellResult, measuring: &[(ModelKind, usize)]) -> bool {
    cell.model
        .is_some_and(|m| measuring.contains(&(m, cell.workers)))
}

/// The status column's words for `cell`: `ok`, `failed`, `cancelled`, or, for a cell still
/// being measured (`live`), `measuring: 3 runs so far`.
fn status_words(cell: &CellResult, live: bool) -> String {
    match cell.status {
        CellStatus::Ok if live => super::charts::measuring_words(cell),
        CellStatus::Ok => "ok".into(),
        CellStatus::Failed => "failed".into(),
        CellStatus::Cancelled => "cancelled".into(),
    }
}

/// What [`TableNotes`] worked out for one row.
#[derive(Clone, Copy)]
struct RowWords<'a> {
    /// The cell's lost-updates words.
    lost: Option<&'a str>,
    /// Whether the cell is its model's measured baseline.
    is_baseline: bool,
}

/// One row, with the words [`TableNotes`] worked out for it.
fn row(
    ui: &mut egui::Ui,
    results: &ResultsFile,
    index: usize,
    cell: &CellResult,
    live: bool,
    words: RowWords<'_>,
) {
    let lost = words.lost;
    // The baseline's colour is the theme's foreground: black would vanish on a dark table.
    let dark = ui.visuals().dark_mode;
    let color = cell.model.map_or(ui.visuals().text_color(), |m| {
        model_color_dark_aware(m, dark)
    });
    let first = ui.label(egui::RichText::new(row_label(cell)).color(color).strong());
    // One keyboard stop per row, over its first cell, named by the whole row.
    let stop = ui.interact(
        first.rect,
        ui.scope_id().with(("results-row", index)),
        egui::Sense::focusable_noninteractive(),
    );
    // Built only when AccessKit asks for the row's name, not every frame.
    stop.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Row,
            true,
            row_summary(results, cell, live, lost),
        )
    });
    if stop.gained_focus() {
        // Into view (rows below the fold, or the table scrolled right).
        stop.scroll_to_me(Some(egui::Align::Center));
    }
    if stop.has_focus() {
        ui.painter().rect_stroke(
            first.rect.expand(2.0),
            2.0,
            ui.visuals().selection.stroke,
            egui::StrokeKind::Outside,
        );
    }
    let error = ui.visuals().error_fg_color;
    match cell.status {
        CellStatus::Ok if live => ui.weak(status_words(cell, live)).on_hover_text(
            "Still being measured: its figures rest on the runs so far and change as the sweep goes on.",
        ),
        CellStatus::Ok => ui.label("ok"),
        CellStatus::Failed => ui.colored_label(error, "failed"),
        CellStatus::Cancelled => ui.weak("cancelled"),
    };
    ui.monospace(cell.samples.len().to_string());
    let w = cell.wall.as_ref();
    ui.monospace(opt(w.map(|w| w.median), export::seconds_text));
    let missed = export::precision_target_met(results, cell) == Some(false);
    let ci_label = if missed {
        let text = format!("{}{MISSED_MARK}", export::median_ci_text(cell));
        ui.label(
            egui::RichText::new(text)
                .monospace()
                .color(ui.visuals().warn_fg_color),
        )
    } else {
        ui.label(egui::RichText::new(export::median_ci_text(cell)).monospace())
    };
    if let Some(text) = export::precision_target_text(results, cell) {
        ci_label.on_hover_text(text);
    }
    ui.monospace(match w {
        Some(w) => export::seconds_range_text(w.min, w.max),
        None => "—".into(),
    });
    // The count here, the runs on hover: a long list would push the speedup off the screen.
    let outliers = export::outliers_text(cell);
    match w.map_or(0, |w| w.outliers.len()) {
        0 => ui.monospace("—"),
        n => ui.monospace(n.to_string()).on_hover_text(outliers),
    };
    let speedup = ui.monospace(opt(cell.speedup, |_| {
        format!("{}×", export::speedup_text(cell))
    }));
    if cell.speedup.is_some() {
        speedup.on_hover_text(format!(
            "confidence interval: {} (the baseline's and this cell's median intervals together: 95% where both cells have 6 runs or more, else the lower coverage of the two)",
            export::speedup_ci_words(cell)
                .unwrap_or_else(|| export::speedup_ci_text(cell, words.is_baseline))
        ));
    }
    ui.monospace(opt(cell.efficiency, |_| export::efficiency_text(cell)));
    ui.monospace(opt(cell.cpu_utilisation, |v| format!("{v:.2}")));
    ui.monospace(opt(cell.work_vs_baseline, |v| format!("{v:.2}")));
    let startup = ui.monospace(opt(cell.startup_s, |v| format!("{:.1}", v * 1000.0)));
    if let Some(import) = cell.import_s {
        startup.on_hover_text(format!(
            "of which the import of your module: {:.1} ms (the interpreter's and every pool process's, before the first run)",
            import * 1000.0
        ));
    }
    match &cell.error {
        Some(e) if cell.status == CellStatus::Failed => {
            // One line: a traceback's first and last; the whole of it on hover.
            let shown = export::one_line_error(e);
            let label = ui.colored_label(error, &shown);
            if shown != *e {
                label.on_hover_text(e);
            }
        }
        _ => {
            ui.label(note_text(cell, lost));
        }
    }
    ui.end_row();
}

/// How "Copy table" lays out the table on the clipboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    /// A GitHub-flavoured Markdown table (for issues, notes, READMEs).
    Markdown,
    /// Tab-separated values (pastes into spreadsheet cells).
    TabSeparated,
}

/// The columns "Copy table" writes: the ones people quote.
const COPY_HEADER: [&str; 8] = [
    "model",
    "workers",
    "runs",
    "median (s)",
    "median CI (s)",
    "speedup",
    "efficiency (%)",
    "note",
];

/// One text row per cell, in the columns of [`COPY_HEADER`].
fn copy_rows(results: &ResultsFile) -> Vec<[String; 8]> {
    results
        .cells
        .iter()
        .map(|c| {
            [
                c.model_id().to_string(),
                c.workers.to_string(),
                c.samples.len().to_string(),
                c.wall
                    .as_ref()
                    .map_or("—".into(), |s| export::seconds_text(s.median)),
                export::median_ci_text(c),
                export::speedup_text(c),
                export::fixed_text(c.efficiency.map(|e| e * 100.0), 1),
                match c.status {
                    CellStatus::Ok => String::new(),
                    CellStatus::Failed => {
                        format!("failed: {}", c.error.clone().unwrap_or_default())
                    }
                    CellStatus::Cancelled => "cancelled".to_string(),
                },
            ]
        })
        .collect()
}

/// The summary of `results` as text for the clipboard.
pub fn table_text(results: &ResultsFile, format: TableFormat) -> String {
    let rows = copy_rows(results);
    let mut out = String::new();
    match format {
        TableFormat::TabSeparated => {
            // A tab or line break inside a field would shift the cells: they become spaces.
            let clean = |f: &str| f.replace(['\t', '\n', '\r'], " ");
            out.push_str(&COPY_HEADER.join("\t"));
            out.push('\n');
            for row in rows {
                let fields: Vec<String> = row.iter().map(|f| clean(f)).collect();
                out.push_str(&fields.join("\t"));
                out.push('\n');
            }
        }
        TableFormat::Markdown => {
            let clean = |f: &str| export::sanitize::for_markdown(f).into_owned();
            out.push_str(&format!("| {} |\n", COPY_HEADER.join(" | ")));
            let align: Vec<&str> = COPY_HEADER
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 || i == 7 { "---" } else { "---:" })
                .collect();
            out.push_str(&format!("| {} |\n", align.join(" | ")));
            for row in rows {
                let fields: Vec<String> = row.iter().map(|f| clean(f)).collect();
                out.push_str(&format!("| {} |\n", fields.join(" | ")));
            }
        }
    }
    out
}

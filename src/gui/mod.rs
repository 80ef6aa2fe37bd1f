//! The desktop workbench (eframe + egui_plot).
//!
//! One concept per file:
//! - [`app`]: [`WorkbenchApp`], its runtime state and API; `app/events.rs` (sweep and file
//!   events) and `app/layout.rs` (the frame).
//! - [`state`]: what is kept between sessions (`#[serde(default)]`).
//! - [`command`]: the [`Command`](command::Command)s panels and shortcuts emit, applied after
//!   drawing; the keyboard shortcuts and their help overlay.
//! - [`notifications`]: messages over the corner: errors until dismissed, information fades;
//!   announced to screen readers.
//! - [`focus`]: keyboard focus back to what opened a dialog, and onto Run / Cancel; the
//!   focused widget scrolled into view; a focus ring for what draws none.
//! - [`help_mark`]: a "(?)" whose help shows on hover and on keyboard focus.
//! - [`live_region`]: text a screen reader says as it appears (errors at once).
//! - [`button_width`]: a button's width, measured before it is laid out.
//! - [`editing`]: where the configuration came from, "modified", undo/redo.
//! - [`config_panel`]: the left panel that edits the [`Experiment`](crate::preset::Experiment).
//! - [`run_control`]: Run / Cancel, progress, draining sweep events.
//! - [`charts`]: speedup, efficiency and wall-time charts.
//! - [`results_table`]: one row per measured cell.
//! - [`results_key`]: which version of the shown results a cache was worked out for (the
//!   fits' and the table's words' one key).
//! - [`table_notes`]: the table's lost-updates words, worked out once per change of the results.
//! - [`verdict_panel`]: the verdict in words above the results table.
//! - [`fits_panel`]: Amdahl, USL and Karp–Flatt fits per model, with their reading.
//! - [`python_probe`]: asks the Python interpreter about itself, off the UI thread.
//! - [`module_look`]: what the Python function field knows of its module file, looked at
//!   when the text changes and at most once a second otherwise.
//! - [`status_bar`]: machine info and the live per-core CPU meter.
//! - [`presets_gallery`]: the built-in presets, one click to load.
//! - [`file_dialogs`]: native dialogs off the UI thread, with a typed-path fallback.
//! - [`file_browser`]: the in-app folder listing under that typed-path prompt.
//! - [`autosave`]: where results are kept, and the "Recent results" list.
//! - [`recent_list`]: that list, read off the UI thread.
//! - [`screenshot`]: `corelab --screenshot PATH`.
//! - [`theme_choice`]: light, dark or the system's look, kept between sessions.

pub mod app;
pub mod autosave;
pub mod button_width;
pub mod charts;
pub mod command;
pub mod command_task;
pub mod compare_note;
pub mod config_panel;
pub mod editing;
pub mod export_dialog;
pub mod file_browser;
pub mod file_dialogs;
pub mod fits_panel;
pub mod focus;
pub mod help_mark;
pub mod interrupted_run;
pub mod live_region;
pub mod module_look;
pub mod notifications;
pub mod overwrite;
pub mod presets_gallery;
pub mod prose;
pub mod python_probe;
pub mod recent_list;
pub mod results_key;
pub mod results_table;
pub mod run_control;
pub mod screenshot;
pub mod shown_state;
pub mod state;
pub mod status_bar;
pub mod style;
pub mod table_notes;
pub mod theme_choice;
pub mod timeline;
pub mod typed_number;
pub mod verdict_panel;

use std::path::PathBuf;

pub use app::{AppSettings, Tab, WorkbenchApp};
pub use autosave::data_dir;
pub use charts::CompareRun;

use crate::engine::{SweepConfig, WorkerCommand};

/// The window's icon (the 256 px rendering of `assets/icon/corelab.svg`).
pub const WINDOW_ICON_PNG: &[u8] = include_bytes!("../../assets/icon/corelab-256.png");

/// How the workbench is started (from the command line).
#[derive(Clone, Debug, Default)]
pub struct GuiOptions {
    /// Render the window once and save it as a PNG here, then exit.
    pub screenshot: Option<PathBuf>,
    /// A preset file, or the name of a built-in preset, to load at start.
    pub preset: Option<String>,
    /// A results file to open at start.
    pub results: Option<PathBuf>,
    /// Results files to overlay for comparison at start.
    pub compare: Vec<PathBuf>,
    /// The tab shown at start, by its id (see [`app::Tab::from_id`]); the speedup chart when
    /// unset or unknown.
    pub tab: Option<String>,
    /// Run the loaded experiment at start (with `screenshot`: to completion before the shot).
    pub run: bool,
    /// Open the export dialog once the results are loaded.
    pub export_dialog: bool,
    /// Open the keyboard shortcuts help (F1) at start.
    pub shortcuts: bool,
    /// The zoom factor to start at (Ctrl+plus steps by 0.1).
    pub zoom: Option<f32>,
    /// The window's inner size, in pixels (a screenshot's is [`screenshot::SIZE`] otherwise).
    pub window_size: Option<[f32; 2]>,
    /// The theme to start in, by its id (see [`theme_choice::from_id`]): it
    /// replaces the kept one.
    pub theme: Option<String>,
}

/// Watches for a termination signal (see [`crate::sys::catch_termination_signals`]) and, when
/// one comes, closes the window: `on_exit` then cancels a running sweep and waits for it.
fn close_on_termination_signal(ctx: eframe::egui::Context) {
    let watcher = std::thread::Builder::new()
        .name("signal-watch".into())
        .spawn(move || {
            while crate::sys::termination_signal().is_none() {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            ctx.send_viewport_cmd(eframe::egui::ViewportCommand::Close);
            ctx.request_repaint();
        });
    if let Err(e) = watcher {
        eprintln!("corelab: signals will end the workbench at once: {e}");
    }
}

/// Opens the workbench window and returns when it is closed.
pub fn run_app(options: GuiOptions) -> anyhow::Result<()> {
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    let screenshot = options.screenshot.clone();
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title("corelab")
        .with_app_id("corelab")
        .with_min_inner_size([900.0, 600.0]);
    // The icon drawn for corelab (assets/icon/, rendered by packaging/render-icons.sh). It is
    // decoded from bytes built into the binary; should that ever fail, the window opens
    // without it rather than not at all.
    match eframe::icon_data::from_png_bytes(WINDOW_ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => eprintln!("corelab: the window icon cannot be decoded: {e}"),
    }
    let size = options.window_size;
    viewport = match (size, screenshot.is_some()) {
        // A small size asked for (a projector's 1024 × 640) is allowed below the minimum.
        (Some(size), _) => viewport
            .with_min_inner_size([size[0].min(900.0), size[1].min(600.0)])
            .with_inner_size(size),
        (None, true) => viewport.with_inner_size(screenshot::SIZE),
        (None, false) => viewport.with_inner_size([1400.0, 880.0]),
    };
    let native = eframe::NativeOptions {
        viewport,
        // A screenshot must not depend on (or disturb) the user's saved window state.
        persist_window: screenshot.is_none(),
        ..Default::default()
    };
    let outcome = screenshot::Outcome::default();
    let outcome_app = outcome.clone();
    // SIGINT, SIGTERM and SIGHUP (Ctrl-C in the terminal it was started from, `kill`, logging
    // out) close the window as its close button does, so that a running sweep is cancelled
    // and its processes, with their own children, are killed (a second signal ends it at once).
    if let Some(missing) = no_display(|name| std::env::var_os(name)) {
        anyhow::bail!("{missing}");
    }
    crate::sys::catch_termination_signals()
        .map_err(|e| anyhow::anyhow!("cannot catch SIGINT/SIGTERM/SIGHUP: {e}"))?;
    // What a workbench or `corelab run` that was killed left running is stopped now, and said.
    let stop = crate::engine::run_mark::stop_leftovers_of_killed_runs();
    let cleaned = crate::engine::scratch::remove_left_by_killed_runs();
    let leftovers = cleaned.with_trouble(crate::engine::run_mark::leftovers_note(
        &stop,
        cleaned.removed,
    ));
    if let Some(line) = &leftovers {
        eprintln!("corelab: {line}");
    }
    let opened = eframe::run_native(
        "corelab",
        native,
        Box::new(move |cc| {
            let settings = AppSettings {
                data_dir: data_dir(),
                native_dialogs: true,
                cpu_meter: true,
                restore_state: options.screenshot.is_none(),
            };
            close_on_termination_signal(cc.egui_ctx.clone());
            let mut app = WorkbenchApp::new(SweepConfig::new(worker), settings, cc.storage);
            app.apply_startup(&cc.egui_ctx, &options, outcome_app);
            if let Some(line) = &leftovers {
                app.tell(line.clone());
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot open the corelab window: {}",
            without_source_locations(&e.to_string())
        )
    });
    // An interpreter check still running must not outlive the window, nor what it started.
    crate::engine::interpreter::stop_probes();
    opened?;
    if screenshot.is_some() {
        outcome.result()?;
    }
    Ok(())
}

/// The error for a workbench started where no window can open (no `DISPLAY`, no
/// `WAYLAND_DISPLAY` or `WAYLAND_SOCKET`: a CI job, an SSH session without forwarding), with
/// what to do instead; `None` where a display is named. `var` reads the environment.
pub fn no_display(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<String> {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return None;
    }
    let named = ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|name| var(name).is_some_and(|v| !v.is_empty()));
    match named {
        true => None,
        false => Some(
            "cannot open the corelab window: no display was found (DISPLAY, WAYLAND_DISPLAY \
             and WAYLAND_SOCKET are unset). Run it under a virtual display, e.g. \
             `xvfb-run corelab --screenshot shot.png …`, or use the headless commands: \
             `corelab run PRESET`, `corelab report RESULTS.json` (see `corelab --help`)"
                .into(),
        ),
    }
}

/// A windowing error without the source locations some libraries put in it (`os error at
/// /root/.cargo/registry/src/…/mod.rs:765: …`): they name a build machine's files, not
/// anything the user can act on.
pub fn without_source_locations(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(" at ") {
        let after = &rest[at + 4..];
        let end = after.find(": ").unwrap_or(after.len());
        let location = &after[..end];
        let is_source = location
            .rsplit_once(':')
            .is_some_and(|(file, line)| file.ends_with(".rs") && line.parse::<u32>().is_ok());
        if is_source {
            out.push_str(&rest[..at]);
            rest = &after[end..];
        } else {
            out.push_str(&rest[..at + 4]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod window_error_tests {
    use super::*;

    #[test]
    fn no_display_says_so_and_what_to_use_instead() {
        let none = no_display(|_| None).unwrap();
        assert!(none.contains("no display was found"), "{none}");
        assert!(
            none.contains("xvfb-run") && none.contains("corelab run PRESET"),
            "{none}"
        );
        assert!(no_display(|n| (n == "DISPLAY").then(|| ":86".into())).is_none());
        assert!(no_display(|n| (n == "WAYLAND_DISPLAY").then(|| "wayland-0".into())).is_none());
        // Set but empty is no display.
        assert!(no_display(|n| (n == "DISPLAY").then(|| "".into())).is_some());
    }

    #[test]
    fn source_locations_are_taken_out_of_window_errors() {
        assert_eq!(
            without_source_locations(
                "winit EventLoopError: os error at /root/.cargo/registry/src/index.crates.io-1/winit-0.30.13/src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor DISPLAY is set."
            ),
            "winit EventLoopError: os error: neither WAYLAND_DISPLAY nor DISPLAY is set."
        );
        assert_eq!(
            without_source_locations("failed at startup: look at this"),
            "failed at startup: look at this"
        );
    }
}

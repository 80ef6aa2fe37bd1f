//! The bottom status bar: what machine this is, and a live per-core CPU usage meter.
//!
//! The meter samples on its own thread (sysinfo), about twice a second, and only while the
//! window keeps drawing frames (visible, or a sweep is running): each frame stamps a "seen"
//! time and the sampler sleeps when that stamp is stale. The UI thread only reads the last
//! sample.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::results::MachineInfo;

const SAMPLE_EVERY: Duration = Duration::from_millis(500);
/// The sampler pauses when no frame was drawn for this long.
const IDLE_AFTER: Duration = Duration::from_millis(1500);

struct Shared {
    usage: Mutex<Vec<f32>>,
    /// Milliseconds since `epoch` of the last frame that showed the meter.
    seen_ms: AtomicU64,
    epoch: Instant,
    /// While set, new samples do not ask for a frame (a sweep is running and the engine decides
    /// when the window draws).
    quiet: AtomicBool,
}

/// Per-core CPU usage, sampled off the UI thread.
pub struct CpuMeter {
    shared: Arc<Shared>,
    started: bool,
}

impl Default for CpuMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuMeter {
    /// A meter that shows nothing until [`CpuMeter::start`].
    pub fn new() -> Self {
        CpuMeter {
            shared: Arc::new(Shared {
                usage: Mutex::new(Vec::new()),
                seen_ms: AtomicU64::new(0),
                epoch: Instant::now(),
                quiet: AtomicBool::new(false),
            }),
            started: false,
        }
    }

    /// Starts the sampling thread (once). It ends when the meter is dropped.
    pub fn start(&mut self, ctx: &egui::Context) {
        if self.started {
            return;
        }
        self.started = true;
        let weak: Weak<Shared> = Arc::downgrade(&self.shared);
        let ctx = ctx.clone();
        let _ = std::thread::Builder::new()
            .name("cpu-meter".into())
            .spawn(move || sample_loop(weak, ctx));
    }

    pub fn is_started(&self) -> bool {
        self.started
    }

    /// Marks the meter as on screen (call every frame it is drawn).
    pub fn mark_seen(&self) {
        let ms = self.shared.epoch.elapsed().as_millis() as u64;
        self.shared.seen_ms.store(ms, Ordering::Relaxed);
    }

    /// While `quiet`, new samples are shown at the next frame but do not ask for one.
    pub fn set_quiet(&self, quiet: bool) {
        self.shared.quiet.store(quiet, Ordering::Relaxed);
    }

    /// The last sample: one percentage per logical core.
    pub fn usage(&self) -> Vec<f32> {
        self.shared
            .usage
            .lock()
            .map(|u| u.clone())
            .unwrap_or_default()
    }
}

/// Longest delay between a new meter sample and the frame that shows it.
const METER_REPAINT_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

fn sample_loop(weak: Weak<Shared>, ctx: egui::Context) {
    let mut sys = match sysinfo::System::new() {
        Ok(s) => s,
        Err(_) => return,
    };
    sys.refresh_cpu_usage();
    loop {
        std::thread::sleep(SAMPLE_EVERY);
        let Some(shared) = weak.upgrade() else { return };
        let now = shared.epoch.elapsed().as_millis() as u64;
        let seen = shared.seen_ms.load(Ordering::Relaxed);
        if now.saturating_sub(seen) > IDLE_AFTER.as_millis() as u64 {
            continue;
        }
        sys.refresh_cpu_usage();
        let usage: Vec<f32> = sys.cpus().iter().map(|c| c.usage()).collect();
        if let Ok(mut u) = shared.usage.lock() {
            *u = usage;
        }
        let quiet = shared.quiet.load(Ordering::Relaxed);
        drop(shared);
        // The meter is a glance, not a measurement: a frame every two seconds at most, and none
        // of its own during a sweep, whose engine wakes the window between timed runs.
        if !quiet {
            ctx.request_repaint_after(METER_REPAINT_DELAY);
        }
    }
}

/// Draws the status bar contents: machine line on the left, CPU meter on the right (left out
/// with `meter_shown` false: a screenshot is taken before its first sample, which would show
/// "measuring…" for good).
/// `message`, where there is one, draws the newest information there in place of the
/// machine's line (see [`super::notifications::Notifications::status_ui`]).
pub fn show(
    ui: &mut egui::Ui,
    machine: &MachineInfo,
    meter: &CpuMeter,
    meter_shown: bool,
    not_stored: Option<&NotStored>,
    message: Option<impl FnOnce(&mut egui::Ui)>,
) {
    meter.mark_seen();
    ui.horizontal(|ui| {
        if let Some(not_stored) = not_stored {
            ui.colored_label(ui.visuals().warn_fg_color, not_stored.short)
                .on_hover_text(&not_stored.why);
        }
        // A debug build's figures are several times slower than a release build's: said quietly,
        // for as long as the workbench is open, on the right beside the meter (the machine's
        // line, or a message, keeps the left end).
        let build_note = crate::results::this_build_note();
        let build_short = build_note.map(|_| crate::results::DEBUG_BUILD_SHORT);
        let note_room = build_short.map_or(0.0, |short| {
            ui.painter()
                .layout_no_wrap(
                    short.to_string(),
                    egui::TextStyle::Body.resolve(ui.style()),
                    egui::Color32::WHITE,
                )
                .size()
                .x
                + 2.0 * ui.spacing().item_spacing.x
        });
        // The meter's room kept on the right (the message, or the machine's line, is cut to
        // what is left: zoomed in, in a small window, it ran off the edge).
        let meter_room = if meter_shown { 180.0 } else { 0.0 } + note_room;
        let width = (ui.available_width() - meter_room).max(0.0);
        let height = ui.spacing().interact_size.y;
        let layout = egui::Layout::left_to_right(egui::Align::Center);
        if let Some(message) = message {
            ui.allocate_ui_with_layout(egui::vec2(width, height), layout, message);
        } else {
            ui.allocate_ui_with_layout(egui::vec2(width, height), layout, |ui| {
                ui.add(egui::Label::new(machine.one_line()).truncate())
                    .on_hover_text(format!(
                        "Host {} · kernel {} · {}",
                        machine.hostname, machine.kernel, machine.arch
                    ));
            });
        }
        if meter_shown || build_short.is_some() {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if meter_shown {
                    cpu_bars(ui, &meter.usage(), meter.is_started());
                }
                if let (Some(note), Some(short)) = (build_note, build_short) {
                    ui.weak(short).on_hover_text(note);
                }
            });
        }
    });
}

/// Results measured here that are not stored where they should be, said at the left of the
/// status bar for as long as that lasts (a notification can be dismissed or scrolled away).
#[derive(Clone, Debug, PartialEq)]
pub struct NotStored {
    /// "Not autosaved", "Not saved".
    pub short: &'static str,
    /// Its hover: why, and where they go instead.
    pub why: String,
}

fn cpu_bars(ui: &mut egui::Ui, usage: &[f32], started: bool) {
    if usage.is_empty() {
        ui.weak(if started {
            "CPU: measuring…"
        } else {
            "CPU meter off"
        });
        return;
    }
    let bar_w = if usage.len() > 32 { 4.0 } else { 8.0 };
    let height = ui.spacing().interact_size.y - 4.0;
    let size = egui::vec2(usage.len() as f32 * (bar_w + 2.0), height);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    for (i, &pct) in usage.iter().enumerate() {
        let x = rect.left() + i as f32 * (bar_w + 2.0);
        let full = egui::Rect::from_min_size(egui::pos2(x, rect.top()), egui::vec2(bar_w, height));
        painter.rect_filled(full, 1.0, visuals.extreme_bg_color);
        let frac = (pct / 100.0).clamp(0.0, 1.0);
        let filled = egui::Rect::from_min_max(
            egui::pos2(full.left(), full.bottom() - frac * height),
            full.right_bottom(),
        );
        let color = if frac > 0.85 {
            egui::Color32::from_rgb(230, 110, 60)
        } else {
            egui::Color32::from_rgb(80, 170, 110)
        };
        painter.rect_filled(filled, 1.0, color);
    }
    let avg = usage.iter().sum::<f32>() / usage.len() as f32;
    response.on_hover_text(format!(
        "CPU usage per logical core, sampled twice a second.\n{}\naverage {avg:.0}%",
        usage
            .iter()
            .enumerate()
            .map(|(i, u)| format!("cpu{i}: {u:.0}%"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    ui.label(format!("CPU {avg:.0}%"));
}

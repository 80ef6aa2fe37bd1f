//! `corelab --screenshot PATH`: render the window once its content is ready, save a PNG, close.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;

/// Frames to draw after the content is ready, so that layout and plot bounds settle.
const SETTLE_FRAMES: u32 = 5;
/// Give up when the integration does not deliver the pixels within this time.
const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// How the screenshot went; shared between the app and [`super::run_app`].
#[derive(Clone, Default)]
pub struct Outcome {
    saved: Arc<Mutex<Option<Result<(), String>>>>,
    /// Errors the workbench showed when the picture was taken.
    shown_errors: Arc<Mutex<Vec<String>>>,
}

impl Outcome {
    fn set(&self, r: Result<(), String>) {
        if let Ok(mut o) = self.saved.lock() {
            *o = Some(r);
        }
    }

    fn is_set(&self) -> bool {
        self.saved.lock().map(|o| o.is_some()).unwrap_or(true)
    }

    /// The result once the window closed: an error if no screenshot was saved, or if the
    /// picture shows an error message (a bad preset, a failed cell), so scripts notice.
    pub fn result(&self) -> anyhow::Result<()> {
        let errors = self
            .shown_errors
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default();
        match self.saved.lock().ok().and_then(|o| o.clone()) {
            Some(Ok(())) if !errors.is_empty() => Err(anyhow::anyhow!(
                "the screenshot was saved, but it shows errors:\n{}",
                errors.join("\n")
            )),
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(anyhow::anyhow!("screenshot failed: {e}")),
            None => Err(anyhow::anyhow!(
                "the window closed before the screenshot was taken"
            )),
        }
    }
}

enum Phase {
    /// Waiting for loads and the sweep to finish; then counting settle frames.
    Settling(u32),
    Requested(Instant),
    Closing,
}

/// The size of a screenshot, in points.
pub const SIZE: [f32; 2] = [1280.0, 800.0];

/// The screenshot mode of the app.
pub struct ScreenshotMode {
    path: PathBuf,
    outcome: Outcome,
    phase: Phase,
    sized: bool,
    pointer_hidden: bool,
    /// The window's inner size, in pixels.
    size: [f32; 2],
    size_requests: u32,
}

/// How many times a screenshot asks for its window size before it takes what it got.
const MAX_SIZE_REQUESTS: u32 = 10;

impl ScreenshotMode {
    pub fn new(path: PathBuf, outcome: Outcome) -> Self {
        ScreenshotMode {
            path,
            outcome,
            phase: Phase::Settling(0),
            sized: false,
            pointer_hidden: false,
            size: SIZE,
            size_requests: 0,
        }
    }

    /// The window's inner size, in pixels, instead of [`SIZE`].
    pub fn with_size(mut self, size: [f32; 2]) -> Self {
        self.size = size;
        self
    }

    /// A screenshot shows the content, not wherever the pointer happens to be (hover lines
    /// and tooltips): pointer input is dropped, and the pointer is declared gone once. (Once:
    /// an input event in every frame would make egui draw frames back to back, taking CPU
    /// time from a sweep running for the screenshot.)
    pub fn hide_pointer(&mut self, raw_input: &mut egui::RawInput) {
        raw_input.events.retain(|e| {
            !matches!(
                e,
                egui::Event::PointerMoved(_) | egui::Event::PointerButton { .. }
            )
        });
        if !std::mem::replace(&mut self.pointer_hidden, true) {
            raw_input.events.push(egui::Event::PointerGone);
        }
    }

    /// Called every frame. `ready` is true when nothing is loading or running; `errors` are
    /// the error messages on screen.
    pub fn frame(&mut self, ctx: &egui::Context, ready: bool, errors: Vec<String>) {
        // The same size every time, whatever window state was saved before; asked again
        // (a few times at most) while it differs, as a zoom set at start changes the points
        // that make those pixels.
        let ppp = ctx.pixels_per_point();
        let points = egui::Vec2::from(self.size) / ppp;
        let off = (ctx.content_rect().size() - points).abs().max_elem() * ppp > 2.0;
        if !self.sized || (off && self.size_requests < MAX_SIZE_REQUESTS) {
            self.sized = true;
            self.size_requests += 1;
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(points));
            if let Phase::Settling(n) = &mut self.phase {
                *n = 0;
            }
        }
        match &mut self.phase {
            Phase::Settling(n) => {
                if !ready {
                    // Sweep events and file loads wake the UI; repainting more often would
                    // only take CPU from the measurement.
                    *n = 0;
                    return;
                }
                ctx.request_repaint_after(Duration::from_millis(50));
                *n += 1;
                if *n >= SETTLE_FRAMES {
                    if let Ok(mut e) = self.outcome.shown_errors.lock() {
                        *e = errors;
                    }
                    let path = self.path.clone();
                    let outcome = self.outcome.clone();
                    let wake = ctx.clone();
                    ctx.request_screenshot(move |image| {
                        // Encoding a PNG takes a moment: not on the UI thread.
                        std::thread::spawn(move || {
                            outcome.set(save_png(&path, &image));
                            wake.request_repaint();
                        });
                    });
                    self.phase = Phase::Requested(Instant::now());
                }
            }
            Phase::Requested(since) => {
                ctx.request_repaint_after(Duration::from_millis(50));
                if self.outcome.is_set() {
                    self.phase = Phase::Closing;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                } else if since.elapsed() > REPLY_TIMEOUT {
                    self.outcome
                        .set(Err("no screenshot arrived from the renderer".into()));
                    self.phase = Phase::Closing;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Phase::Closing => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }
}

/// Writes an egui image as an RGB PNG.
pub fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for p in &image.pixels {
        rgb.extend_from_slice(&[p.r(), p.g(), p.b()]);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let (w, h) = (
        u32::try_from(w).map_err(|_| "the image is too wide".to_string())?,
        u32::try_from(h).map_err(|_| "the image is too tall".to_string())?,
    );
    let png = crate::export::png::encode_rgb(w, h, &rgb)?;
    crate::safe_fs::write_atomically(path, &png)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointer_gone_count(input: &egui::RawInput) -> usize {
        input
            .events
            .iter()
            .filter(|e| matches!(e, egui::Event::PointerGone))
            .count()
    }

    #[test]
    fn the_pointer_is_hidden_once_so_frames_do_not_run_back_to_back() {
        let mut mode = ScreenshotMode::new(PathBuf::from("unused.png"), Outcome::default());
        let mut first = egui::RawInput::default();
        first
            .events
            .push(egui::Event::PointerMoved(egui::pos2(10.0, 10.0)));
        mode.hide_pointer(&mut first);
        assert_eq!(pointer_gone_count(&first), 1);
        assert_eq!(first.events.len(), 1, "pointer movement is dropped");
        // Later frames get no synthetic input: an event in every frame would make egui
        // schedule the next frame at once, forever.
        let mut later = egui::RawInput::default();
        mode.hide_pointer(&mut later);
        assert!(later.events.is_empty());
    }
}

//! Messages as notifications: errors over the bottom-right corner of the window, information
//! in the status bar; they never push the layout. Errors stay until dismissed; information
//! fades after a few seconds. A screen
//! reader announces each as it appears (an AccessKit live region on its text): errors at once
//! (assertive), information when the reader is idle (polite).
//!
//! Why not `egui-notify` (0.24 supports egui 0.37): it paints its toasts with a painter, so
//! they are no widgets — invisible to AccessKit (screen readers) and to egui_kittest queries —
//! and it lays captions out on one line that never wraps, so a message with a long path runs
//! off the window. These are labels and buttons in a foreground `Area`, wrapped to a width.

use std::time::Duration;

use eframe::egui;

/// A notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub is_error: bool,
}

/// How long information stays, in seconds (errors stay until dismissed).
pub const INFO_SECONDS: f64 = 8.0;
/// The last second of that, information fades out.
const FADE_SECONDS: f64 = 1.0;
/// At most this many are kept: the oldest information goes first, then the oldest error.
const MAX_SHOWN: usize = 5;
const WIDTH: f32 = 420.0;

/// The notifications shown, oldest first.
#[derive(Default)]
pub struct Notifications {
    items: Vec<Message>,
    /// When each was first drawn (egui's clock), `None` until then.
    shown_at: Vec<Option<f64>>,
    /// Each one's own number: its widgets keep their ids while others come and go, so a
    /// screen reader announces a message once, when it appears.
    serials: Vec<u64>,
    next_serial: u64,
}

impl Notifications {
    pub fn messages(&self) -> &[Message] {
        &self.items
    }

    pub fn push(&mut self, text: String, is_error: bool) {
        // The same message again: it moves to the end, and its time starts again.
        if let Some(i) = self
            .items
            .iter()
            .position(|m| m.text == text && m.is_error == is_error)
        {
            self.remove(i);
        }
        self.items.push(Message { text, is_error });
        self.shown_at.push(None);
        self.serials.push(self.next_serial);
        self.next_serial += 1;
        while self.items.len() > MAX_SHOWN {
            let i = self.items.iter().position(|m| !m.is_error).unwrap_or(0);
            self.remove(i);
        }
    }

    /// Keeps only the notifications for which `keep` holds.
    pub fn retain(&mut self, keep: impl Fn(&Message) -> bool) {
        let mut i = 0;
        while i < self.items.len() {
            if keep(&self.items[i]) {
                i += 1;
            } else {
                self.remove(i);
            }
        }
    }

    pub fn remove(&mut self, i: usize) {
        if i < self.items.len() {
            self.items.remove(i);
            self.shown_at.remove(i);
            self.serials.remove(i);
        }
    }

    /// Removes the errors (a new sweep starts: they are about the last one).
    pub fn clear_errors(&mut self) {
        let mut i = 0;
        while i < self.items.len() {
            if self.items[i].is_error {
                self.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// Drops information older than [`INFO_SECONDS`] at egui time `now`.
    fn expire(&mut self, now: f64) {
        let mut i = 0;
        while i < self.items.len() {
            let old = !self.items[i].is_error
                && self.shown_at[i].is_some_and(|t| now - t >= INFO_SECONDS);
            if old {
                self.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// Draws the notifications. `quiet` (a sweep is measuring): no repaint is asked for
    /// fading, so that drawing never takes CPU time from a timed run; information then goes
    /// at the next frame after its time.
    pub fn ui(&mut self, ctx: &egui::Context, quiet: bool) {
        let now = ctx.input(|i| i.time);
        for t in &mut self.shown_at {
            t.get_or_insert(now);
        }
        self.expire(now);
        if self.items.is_empty() {
            return;
        }
        // The next moment something changes: a fade step, or an expiry (information is
        // drawn in the status bar, by `status_ui`).
        let mut next: Option<f64> = None;
        for (i, m) in self.items.iter().enumerate() {
            if !m.is_error {
                let left = INFO_SECONDS - self.shown_at[i].map_or(0.0, |t| now - t);
                let wait = if left > FADE_SECONDS {
                    left - FADE_SECONDS
                } else {
                    0.1_f64.min(left)
                };
                next = Some(next.map_or(wait, |n| n.min(wait)));
            }
        }
        let mut dismiss = None;
        if self.items.iter().any(|m| m.is_error) {
            egui::Area::new(egui::Id::unique("notifications"))
                .order(egui::Order::Foreground)
                .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -36.0))
                .interactable(true)
                .show(ctx, |ui| {
                    ui.set_max_width(WIDTH);
                    for (i, m) in self.items.iter().enumerate() {
                        if !m.is_error {
                            continue;
                        }
                        let clicked = ui
                            .push_id(("notice", self.serials[i]), |ui| notice_ui(ui, m))
                            .inner;
                        if clicked {
                            dismiss = Some(i);
                        }
                        ui.add_space(6.0);
                    }
                });
        }
        if let Some(i) = dismiss {
            self.remove(i);
        }
        if let Some(secs) = next
            && !quiet
        {
            ctx.request_repaint_after(Duration::from_secs_f64(secs.max(0.02)));
        }
    }
}

impl Notifications {
    /// Draws the newest information in the status bar (`ui`, a row), in one line, the whole
    /// text in its hover, fading out in its last second; returns whether there was any. There
    /// it covers nothing: floating over the window's corner, "Sweep cancelled; … saved to …"
    /// hid the chart's x axis for 8 s.
    pub fn status_ui(&mut self, ui: &mut egui::Ui) -> bool {
        let now = ui.input(|i| i.time);
        let Some(i) = self.items.iter().rposition(|m| !m.is_error) else {
            return false;
        };
        let shown = *self.shown_at[i].get_or_insert(now);
        let left = INFO_SECONDS - (now - shown);
        let m = &self.items[i];
        let clicked = ui
            .push_id(("status-notice", self.serials[i]), |ui| {
                ui.set_opacity((left / FADE_SECONDS).clamp(0.0, 1.0) as f32);
                let clicked = ui
                    .small_button("×")
                    .accessible_name(DISMISS)
                    .on_hover_text(DISMISS)
                    .clicked();
                let label = ui
                    .add(egui::Label::new(m.text.as_str()).truncate())
                    .on_hover_text(m.text.as_str());
                // A live region: the reader says the text when it is idle.
                super::live_region::announce(ui, &label, false);
                clicked
            })
            .inner;
        if clicked {
            self.remove(i);
        }
        true
    }
}

/// The name of a notification's dismiss button.
pub const DISMISS: &str = "Dismiss message";

/// One notification; returns whether its dismiss button was clicked.
fn notice_ui(ui: &mut egui::Ui, m: &Message) -> bool {
    let visuals = ui.visuals().clone();
    let (fill, stroke) = if m.is_error {
        (
            visuals
                .extreme_bg_color
                .lerp_to_gamma(visuals.error_fg_color, 0.15),
            egui::Stroke::new(1.0, visuals.error_fg_color),
        )
    } else {
        (visuals.window_fill, visuals.window_stroke)
    };
    let mut clicked = false;
    egui::Frame::popup(ui.style())
        .fill(fill)
        .stroke(stroke)
        .show(ui, |ui| {
            ui.set_width(WIDTH);
            ui.horizontal_top(|ui| {
                clicked = ui
                    .small_button("×")
                    .accessible_name(DISMISS)
                    .on_hover_text(DISMISS)
                    .clicked();
                let text = egui::RichText::new(&m.text);
                let text = if m.is_error {
                    text.color(visuals.error_fg_color)
                } else {
                    text
                };
                let label = ui.add(egui::Label::new(text).wrap());
                // A live region: the reader says the text when it appears (an error at once).
                super::live_region::announce(ui, &label, m.is_error);
            });
        });
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn information_expires_errors_stay() {
        let mut n = Notifications::default();
        n.push("saved".into(), false);
        n.push("broken".into(), true);
        for t in &mut n.shown_at {
            *t = Some(0.0);
        }
        n.expire(INFO_SECONDS - 0.5);
        assert_eq!(n.messages().len(), 2);
        n.expire(INFO_SECONDS + 0.1);
        assert_eq!(
            n.messages(),
            &[Message {
                text: "broken".into(),
                is_error: true
            }]
        );
        // Errors stay however old.
        n.expire(1e6);
        assert_eq!(n.messages().len(), 1);
    }

    #[test]
    fn the_oldest_information_goes_first_when_there_are_too_many() {
        let mut n = Notifications::default();
        n.push("error 0".into(), true);
        for i in 0..MAX_SHOWN {
            n.push(format!("info {i}"), false);
        }
        assert_eq!(n.messages().len(), MAX_SHOWN);
        assert_eq!(n.messages()[0].text, "error 0");
        assert_eq!(n.messages()[1].text, "info 1");
    }
}

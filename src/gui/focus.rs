//! Keyboard focus for people who do not use a mouse: where focus goes back to when a dialog
//! closes, and keeping it on Run / Cancel while a sweep starts and ends (the button that had
//! it is disabled, and egui would otherwise drop it).

use eframe::egui::{self, Id, LayerId};

/// What had keyboard focus as a frame ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FocusNow {
    pub id: Option<Id>,
    /// The focused widget is a text field (Escape then only leaves the field).
    pub text_field: bool,
}

impl FocusNow {
    pub fn read(ctx: &egui::Context) -> Self {
        FocusNow {
            id: ctx.memory(|m| m.focused()),
            text_field: ctx.text_edit_focused(),
        }
    }
}

/// Where focus returns when a dialog closes: the widget focused (or the button clicked) when
/// it opened. Fed once per frame, after drawing, with whether the dialog is open.
#[derive(Clone, Debug, Default)]
pub struct ReturnFocus {
    open: bool,
    to: Option<Id>,
    /// The dialog's layer, as last drawn (to tell whether focus is still inside it).
    layer: Option<LayerId>,
}

impl ReturnFocus {
    /// `opener`: what opened it, if it opened this frame; `layer`: the dialog's layer when it
    /// was drawn this frame. Returns whether it opened this frame (`opener` was taken).
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        open: bool,
        layer: Option<LayerId>,
        opener: Option<Id>,
    ) -> bool {
        let opened = open && !self.open;
        if open {
            if opened {
                self.to = opener;
            }
            if layer.is_some() {
                self.layer = layer;
            }
        } else if self.open {
            // Closed: give focus back unless the user has put it somewhere else meanwhile.
            let focused = ctx.memory(|m| m.focused());
            let inside = focused
                .and_then(|id| ctx.read_response(id))
                .is_some_and(|r| Some(r.layer_id) == self.layer);
            if (focused.is_none() || inside)
                && let Some(to) = self.to.take()
            {
                ctx.memory_mut(|m| m.request_focus(to));
            }
            self.to = None;
            self.layer = None;
        }
        self.open = open;
        opened
    }
}

/// Keeps focus on the run controls across a sweep: Cancel when it starts, Run when it ends,
/// but only when the last widget to hold focus was one of them (focus in a field the user
/// is typing in stays there).
#[derive(Clone, Debug, Default)]
pub struct RunFocus {
    /// The Run and Cancel buttons' ids, as last drawn.
    pub run: Option<Id>,
    pub cancel: Option<Id>,
    /// The last widget to hold focus was Run or Cancel (focus lost since, as when a button is
    /// disabled or Escape pressed, does not change it).
    on_controls: bool,
    was_running: bool,
}

impl RunFocus {
    /// Called once per frame after drawing, with whether a sweep runs now.
    pub fn update(&mut self, ctx: &egui::Context, running: bool) {
        if let Some(id) = ctx.memory(|m| m.focused()) {
            self.on_controls = Some(id) == self.run || Some(id) == self.cancel;
        }
        if running != self.was_running && self.on_controls {
            let to = if running { self.cancel } else { self.run };
            if let Some(to) = to {
                ctx.memory_mut(|m| m.request_focus(to));
            }
        }
        self.was_running = running;
    }
}

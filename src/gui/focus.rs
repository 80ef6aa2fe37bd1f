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

/// How many passes after a widget takes focus it is still scrolled into view: a scroll area
/// inside another scrolls first, then (at the next pass) the one around it.
const SCROLL_TO_FOCUS_PASSES: u64 = 4;

/// Scrolls the widget that has just taken keyboard focus (Tab, Shift+Tab, a focus request)
/// into view, if it lies in the scroll area whose contents `ui` holds. Called once at the end
/// of each scroll area's contents: egui scrolls to nothing by itself, and a Tab stop out of
/// sight is a control the user acts on without seeing it. A widget focused for a while is
/// left where the user scrolled it.
pub fn keep_focused_in_view(ui: &egui::Ui) {
    let ctx = ui.ctx();
    let Some(id) = ctx.memory(|m| m.focused()) else {
        return;
    };
    let pass = ctx.cumulative_pass_nr();
    let key = Id::unique("corelab-focus-arrived");
    let arrived = ctx.data_mut(|d| {
        let entry = d.get_temp_mut_or_insert_with(key, || (id, pass));
        if entry.0 != id {
            *entry = (id, pass);
        }
        entry.1
    });
    if pass.saturating_sub(arrived) > SCROLL_TO_FOCUS_PASSES {
        return;
    }
    // Only a widget drawn inside this area's contents this pass (an inner scroll area's too,
    // once that one has brought it into its own view).
    let within = ui.unique_id();
    let rect = ctx.viewport(|vp| {
        let widgets = &vp.this_pass.widgets;
        let rect = widgets.get(id)?.rect;
        let mut at = id;
        // Bounded, in case of an id clash that makes a cycle.
        for _ in 0..1000 {
            let parent = widgets.get(at)?.parent_id;
            if parent == within {
                return Some(rect);
            }
            if parent == at {
                return None;
            }
            at = parent;
        }
        None
    });
    let Some(rect) = rect else {
        return;
    };
    // In view: its height within the area's, give or take the spacing (a widget at the top
    // of the contents may stand out of it by its frame, which no scrolling changes).
    let clip = ui.clip_rect();
    let slack = ui.spacing().item_spacing.y.max(4.0);
    if rect.top() < clip.top() - slack || rect.bottom() > clip.bottom() + slack {
        ui.scroll_to_rect_animation(rect, None, egui::style::ScrollAnimation::none());
    }
}

/// The ring egui draws around a focused button, around `rect`: for what draws no ring of its
/// own (the chart's plot, a "(?)" help mark).
pub fn focus_ring(ui: &egui::Ui, rect: egui::Rect) {
    let stroke = ui.visuals().widgets.active.bg_stroke;
    let stroke = egui::Stroke::new(stroke.width.max(1.0), stroke.color);
    ui.painter().rect_stroke(
        rect.expand(2.0),
        ui.visuals().widgets.active.corner_radius,
        stroke,
        egui::StrokeKind::Outside,
    );
}

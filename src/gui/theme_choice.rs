//! The workbench's light or dark look: the system's (where the window system says which), or
//! one the user picked for the room (a projector washes a dark screen out). Kept between
//! sessions; the top bar's theme button cycles through the three, `--theme` picks one at start.
//!
//! The choice is egui's own [`egui::ThemePreference`] (kept in the saved state as it is: `"System"`,
//! `"Light"` or `"Dark"`, the names the workbench's own copy of the type wrote before, so a
//! state saved then still loads); this file adds what the workbench says and does with it:
//! its `--theme` ids, its names, the order the button cycles in and its hover.

use eframe::egui;
use egui::ThemePreference;

/// The name of the top bar's theme button, for a screen reader (its value says the theme).
pub const THEME_BUTTON_NAME: &str = "Theme";

/// The three, in the order the theme button cycles through them.
pub const ALL: [ThemePreference; 3] = [
    ThemePreference::System,
    ThemePreference::Light,
    ThemePreference::Dark,
];

/// The theme `--theme` names by `id` ("system", "light", "dark": egui's own short names).
pub fn from_id(id: &str) -> Option<ThemePreference> {
    ALL.into_iter().find(|t| t.name() == id.trim())
}

/// The theme's name as the button's value says it: "System", "Light", "Dark".
pub fn name(theme: ThemePreference) -> &'static str {
    match theme {
        ThemePreference::System => "System",
        ThemePreference::Light => "Light",
        ThemePreference::Dark => "Dark",
    }
}

/// What a click on the theme button picks: System, Light, Dark, System again.
pub fn next(theme: ThemePreference) -> ThemePreference {
    match theme {
        ThemePreference::System => ThemePreference::Light,
        ThemePreference::Light => ThemePreference::Dark,
        ThemePreference::Dark => ThemePreference::System,
    }
}

/// The theme button's hover text.
pub fn hover(theme: ThemePreference) -> String {
    let now = match theme {
        ThemePreference::System => {
            "Theme: as the system says (dark where it says nothing, as on X11)"
        }
        ThemePreference::Light => "Theme: light (reads best on a projector or in a bright room)",
        ThemePreference::Dark => "Theme: dark",
    };
    format!(
        "{now}. Click (or Enter) for {}.",
        name(next(theme)).to_lowercase()
    )
}

/// The top bar's theme button: shows the theme chosen, and a click (Space or Enter where it
/// has focus) picks the next.
pub fn theme_button(ui: &mut egui::Ui, theme: &mut ThemePreference) {
    let side = ui.spacing().interact_size.y;
    let button = ui
        .add(egui::Button::new("").min_size(egui::vec2(side, side)))
        .accessible_name(THEME_BUTTON_NAME)
        .on_hover_text(hover(*theme));
    draw_icon(ui, &button, *theme);
    let shown = name(*theme);
    ui.ctx()
        .accesskit_node_builder(button.id, |node| node.set_value(shown.to_string()));
    if button.clicked() {
        *theme = next(*theme);
    }
}

/// The button's face, drawn (the bundled fonts have no sun or moon): a hollow disc for light,
/// a filled one for dark, a half-filled one for the system's.
fn draw_icon(ui: &egui::Ui, button: &egui::Response, theme: ThemePreference) {
    let colour = ui.style().interact(button).fg_stroke.color;
    let centre = button.rect.center();
    let radius = button.rect.height().min(button.rect.width()) * 0.28;
    let painter = ui.painter();
    match theme {
        ThemePreference::Light => {}
        ThemePreference::Dark => {
            painter.circle_filled(centre, radius, colour);
        }
        ThemePreference::System => {
            // The left half filled.
            let steps = 16;
            let points: Vec<egui::Pos2> = (0..=steps)
                .map(|i| {
                    let a = std::f32::consts::FRAC_PI_2
                        + std::f32::consts::PI * i as f32 / steps as f32;
                    centre + radius * egui::vec2(a.cos(), a.sin())
                })
                .collect();
            painter.add(egui::Shape::convex_polygon(
                points,
                colour,
                egui::Stroke::NONE,
            ));
        }
    }
    painter.circle_stroke(centre, radius, egui::Stroke::new(1.5, colour));
}

/// Sets the context's theme to `theme` where it is not yet (`applied`: the one set last).
/// The system theme, never set, is left to egui as it starts (a test harness's own theme).
pub fn apply(ctx: &egui::Context, theme: ThemePreference, applied: &mut Option<ThemePreference>) {
    if *applied == Some(theme) || (applied.is_none() && theme == ThemePreference::System) {
        return;
    }
    ctx.set_theme(theme);
    *applied = Some(theme);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_cycles_through_the_three_and_ids_round_trip() {
        let mut t = ThemePreference::System;
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(t);
            t = next(t);
        }
        assert_eq!(seen, ALL);
        assert_eq!(t, ThemePreference::System);
        for t in ALL {
            assert_eq!(from_id(t.name()), Some(t));
        }
        assert_eq!(from_id("sepia"), None);
        // The ids `--theme` offers (its value parser lists them).
        assert_eq!(ALL.map(|t| t.name()), ["system", "light", "dark"]);
    }
}

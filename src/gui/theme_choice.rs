//! The workbench's light or dark look: the system's (where the window system says which), or
//! one the user picked for the room (a projector washes a dark screen out). Kept between
//! sessions; the top bar's theme button cycles through the three, `--theme` picks one at start.

use eframe::egui;
use serde::{Deserialize, Serialize};

/// Light, dark, or as the system says (dark where it says nothing, as X11 does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

/// The name of the top bar's theme button, for a screen reader (its value says the theme).
pub const THEME_BUTTON_NAME: &str = "Theme";

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The id `--theme` takes.
    pub fn id(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    pub fn from_id(id: &str) -> Option<ThemeChoice> {
        Self::ALL.into_iter().find(|t| t.id() == id.trim())
    }

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::System => "System",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    /// What a click on the theme button picks: System, Light, Dark, System again.
    pub fn next(self) -> ThemeChoice {
        match self {
            ThemeChoice::System => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::System,
        }
    }

    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }

    /// The theme button's hover text.
    pub fn hover(self) -> String {
        let now = match self {
            ThemeChoice::System => {
                "Theme: as the system says (dark where it says nothing, as on X11)"
            }
            ThemeChoice::Light => "Theme: light (reads best on a projector or in a bright room)",
            ThemeChoice::Dark => "Theme: dark",
        };
        format!(
            "{now}. Click (or Enter) for {}.",
            self.next().name().to_lowercase()
        )
    }
}

/// The top bar's theme button: shows the theme chosen, and a click (Space or Enter where it
/// has focus) picks the next. Returns the choice, changed or not.
pub fn theme_button(ui: &mut egui::Ui, choice: ThemeChoice) -> ThemeChoice {
    let side = ui.spacing().interact_size.y;
    let button = ui
        .add(egui::Button::new("").min_size(egui::vec2(side, side)))
        .accessible_name(THEME_BUTTON_NAME)
        .on_hover_text(choice.hover());
    draw_icon(ui, &button, choice);
    ui.ctx()
        .accesskit_node_builder(button.id, |node| node.set_value(choice.name().to_string()));
    if button.clicked() {
        choice.next()
    } else {
        choice
    }
}

/// The button's face, drawn (the bundled fonts have no sun or moon): a hollow disc for light,
/// a filled one for dark, a half-filled one for the system's.
fn draw_icon(ui: &egui::Ui, button: &egui::Response, choice: ThemeChoice) {
    let colour = ui.style().interact(button).fg_stroke.color;
    let centre = button.rect.center();
    let radius = button.rect.height().min(button.rect.width()) * 0.28;
    let painter = ui.painter();
    match choice {
        ThemeChoice::Light => {}
        ThemeChoice::Dark => {
            painter.circle_filled(centre, radius, colour);
        }
        ThemeChoice::System => {
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

/// Sets the context's theme to `choice` where it is not yet (`applied`: the one set last).
/// The system theme, never set, is left to egui as it starts (a test harness's own theme).
pub fn apply(ctx: &egui::Context, choice: ThemeChoice, applied: &mut Option<ThemeChoice>) {
    if *applied == Some(choice) || (applied.is_none() && choice == ThemeChoice::System) {
        return;
    }
    ctx.set_theme(choice.preference());
    *applied = Some(choice);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_cycles_through_the_three_and_ids_round_trip() {
        let mut t = ThemeChoice::System;
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(t);
            t = t.next();
        }
        assert_eq!(seen, ThemeChoice::ALL);
        assert_eq!(t, ThemeChoice::System);
        for t in ThemeChoice::ALL {
            assert_eq!(ThemeChoice::from_id(t.id()), Some(t));
        }
        assert_eq!(ThemeChoice::from_id("sepia"), None);
    }
}

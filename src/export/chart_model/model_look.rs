//! How each model is told apart on a chart: its colour and its marker shape.

use super::{Rgb, Theme};
use crate::preset::ModelKind;

/// Curve colours on a light background (white exports, the workbench's light theme), in the
/// order of [`ModelKind::ALL`] (the sequential baseline takes the theme's text colour). Started
/// from the Okabe–Ito palette and moved until every colour keeps 3:1 contrast (WCAG 1.4.11)
/// against white and every two models, and each model and the text and reference-line greys,
/// differ by a CIELAB ΔE of 11 or more for normal vision and under simulated deuteranopia and
/// protanopia (the test below checks both rules). Models also differ by marker shape
/// ([`model_marker`]), so colour is never the only cue.
const PALETTE_LIGHT: [Rgb; 12] = [
    (0, 0, 0),       // sequential (the theme's foreground)
    (12, 115, 179),  // threads: blue
    (7, 147, 70),    // rayon: green
    (180, 73, 3),    // processes: vermillion
    (200, 115, 167), // gil-threads: reddish purple
    (203, 121, 87),  // py-threading: terracotta
    (56, 150, 202),  // py-multiprocessing: sky blue
    (159, 140, 0),   // py-free-threading: ochre
    (160, 34, 60),   // py-dask: dark red
    (32, 130, 138),  // py-mpi: teal
    (124, 82, 35),   // tokio: brown
    (90, 90, 200),   // py-asyncio: slate blue
];

/// Curve colours on a dark background (dark exports, the workbench's dark theme), by the
/// same rules as [`PALETTE_LIGHT`] against the dark plot and panel backgrounds.
const PALETTE_DARK: [Rgb; 12] = [
    (0, 0, 0),       // sequential (the theme's foreground)
    (20, 114, 213),  // threads: blue
    (0, 174, 124),   // rayon: bluish green
    (221, 55, 10),   // processes: vermillion
    (189, 131, 172), // gil-threads: reddish purple
    (255, 177, 30),  // py-threading: orange
    (104, 202, 253), // py-multiprocessing: sky blue
    (255, 229, 70),  // py-free-threading: yellow
    (215, 73, 91),   // py-dask: rose red
    (69, 188, 202),  // py-mpi: light teal
    (203, 123, 75),  // tokio: light brown
    (142, 140, 236), // py-asyncio: lavender blue
];

fn model_index(model: ModelKind) -> usize {
    ModelKind::ALL.iter().position(|&m| m == model).unwrap_or(0)
}

/// The colour of a model's curve on a light background, shared by every chart, table and the
/// workbench: the model's position in [`ModelKind::ALL`] picks it from a fixed colour-blind
/// safe palette, so models added later get colours without touching this function.
pub fn model_colour(model: ModelKind) -> Rgb {
    model_colour_on(model, Theme::Light)
}

/// [`model_colour`] for a theme: each theme has its palette (readable on its background), and
/// the baseline follows the text colour.
pub fn model_colour_on(model: ModelKind, theme: Theme) -> Rgb {
    let i = model_index(model);
    if i == 0 {
        return theme.foreground();
    }
    let palette = match theme {
        Theme::Light => &PALETTE_LIGHT,
        Theme::Dark => &PALETTE_DARK,
    };
    palette[i % palette.len()]
}

/// The colour of the physical-core marker: a neutral grey, unlike every model's colour.
pub fn core_marker_colour(theme: Theme) -> Rgb {
    theme.muted()
}

/// Marker shapes; each model has its own ([`model_marker`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Marker {
    Circle,
    Square,
    Diamond,
    TriangleUp,
    TriangleDown,
    Cross,
    Plus,
    Asterisk,
}

const MARKERS: [Marker; 8] = [
    Marker::Diamond,      // sequential
    Marker::Circle,       // threads
    Marker::Square,       // rayon
    Marker::TriangleUp,   // processes
    Marker::TriangleDown, // gil-threads
    Marker::Cross,        // py-threading
    Marker::Plus,         // py-multiprocessing
    Marker::Asterisk,     // py-free-threading
];

/// The marker shape of a model, by its position in [`ModelKind::ALL`] (models added later
/// cycle through the shapes, with a colour of their own).
pub fn model_marker(model: ModelKind) -> Marker {
    let i = model_index(model);
    // Models past the eighth shift the shape, so that colour and shape do not both repeat
    // together.
    MARKERS[(i + i / MARKERS.len()) % MARKERS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_models_keep_their_colours() {
        assert_eq!(model_colour(ModelKind::Threads), (12, 115, 179));
        assert_eq!(model_colour(ModelKind::Processes), (180, 73, 3));
        assert_eq!(
            model_colour_on(ModelKind::Threads, Theme::Dark),
            (20, 114, 213)
        );
    }

    #[test]
    fn every_model_has_its_own_colour_and_marker() {
        let mut colours: Vec<_> = ModelKind::ALL.iter().map(|&m| model_colour(m)).collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), ModelKind::ALL.len());
        let mut markers: Vec<_> = ModelKind::ALL
            .iter()
            .map(|&m| format!("{:?}", model_marker(m)))
            .collect();
        markers.sort_unstable();
        markers.dedup();
        assert_eq!(markers.len(), ModelKind::ALL.len().min(MARKERS.len()));
        // The core marker is grey, not a model colour.
        assert!(!colours.contains(&core_marker_colour(Theme::Light)));
    }
}

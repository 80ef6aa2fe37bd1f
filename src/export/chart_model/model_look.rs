//! How each model is told apart on a chart: its colour and its marker shape.

use super::{Rgb, Theme};
use crate::preset::ModelKind;

/// Curve colours in the order of [`ModelKind::ALL`]: the Okabe–Ito palette, distinguishable
/// with the common colour-vision deficiencies (its yellow darkened to ochre for contrast on
/// white; the sequential baseline takes the text colour of the theme). Models also differ by
/// marker shape ([`model_marker`]), so colour is never the only cue.
const PALETTE: [Rgb; 12] = [
    (0, 0, 0),       // sequential (the theme's foreground)
    (0, 114, 178),   // threads: blue
    (0, 158, 115),   // rayon: bluish green
    (213, 94, 0),    // processes: vermillion
    (204, 121, 167), // gil-threads: reddish purple
    (230, 159, 0),   // py-threading: orange
    (86, 180, 233),  // py-multiprocessing: sky blue
    (160, 140, 0),   // py-free-threading: ochre (Okabe–Ito yellow, darkened)
    // Beyond Okabe–Ito's eight: darker tones unlike the eight above, told apart by marker too.
    (170, 40, 50),  // py-dask: dark red
    (30, 130, 140), // py-mpi: teal
    (120, 80, 40),  // brown
    (90, 90, 200),  // slate blue
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

/// [`model_colour`] for a theme: the baseline follows the text colour.
pub fn model_colour_on(model: ModelKind, theme: Theme) -> Rgb {
    let i = model_index(model);
    if i == 0 {
        return theme.foreground();
    }
    PALETTE[i % PALETTE.len()]
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
        assert_eq!(model_colour(ModelKind::Threads), (0, 114, 178));
        assert_eq!(model_colour(ModelKind::Processes), (213, 94, 0));
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

//! The chart's theme: a light or dark background and the colours of its text, grid and warnings.

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// Light or dark chart background.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 2] = [Theme::Light, Theme::Dark];

    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub fn background(self) -> Rgb {
        match self {
            Theme::Light => (255, 255, 255),
            Theme::Dark => (30, 30, 34),
        }
    }
    /// Text and axes.
    pub fn foreground(self) -> Rgb {
        match self {
            Theme::Light => (25, 25, 25),
            Theme::Dark => (230, 230, 230),
        }
    }
    /// Subtitles, reference lines.
    pub fn muted(self) -> Rgb {
        match self {
            Theme::Light => (95, 95, 95),
            Theme::Dark => (170, 170, 170),
        }
    }
    pub fn grid(self) -> Rgb {
        match self {
            Theme::Light => (228, 228, 228),
            Theme::Dark => (60, 60, 66),
        }
    }
    /// The busy-machine warning.
    pub fn warning(self) -> Rgb {
        match self {
            Theme::Light => (170, 60, 0),
            Theme::Dark => (255, 170, 90),
        }
    }
}

//! How short of room the window and the central area are: a narrow window hides the
//! configuration panel, a tight one folds the rows above a chart, a compact central area
//! takes short names and menus.

use eframe::egui;

/// Narrower than this, in points, the configuration panel is hidden until opened (800 × 600
/// at 2× is 400 points wide: the panel took half and left the chart none).
pub const NARROW_BELOW_WIDTH: f32 = 480.0;

/// A window less tall than this, in points, and narrower than [`TIGHT_BELOW_WIDTH`], is
/// tight: the top bar takes one row (the file actions in one menu, Run beside it) and the
/// rows above a chart fold into as few as they can (the tabs into a menu, the warnings onto
/// the verdict's line, the axis boxes and **show fits** into a menu beside the legend), so
/// that the run controls, the verdict and the whole plot are in view without scrolling,
/// beside the configuration panel too (512 × 320). 800 × 600 at 2× is 400 × 300 points;
/// 560 × 420 and 1024 × 640 at 1.5× are tight, 600 × 480 is not. Folded only in windows
/// narrower than the panel's rule ([`NARROW_BELOW_WIDTH`]), those 480 to 600 points wide
/// kept every row and lost the plot below them. Decided by the window alone, before
/// anything is drawn: the top bar's height depends on it.
pub const TIGHT_BELOW_HEIGHT: f32 = 440.0;

/// A window at least this wide, in points, is never tight ([`TIGHT_BELOW_HEIGHT`]): its
/// rows above a chart are few enough (the tabs on one row), and the tab row, the results'
/// name and file stay in view.
pub const TIGHT_BELOW_WIDTH: f32 = 800.0;

/// A central area less tall than this (in points) is short of room: the tabs take short
/// names, the buttons one menu and the chart's caption a "(?)" hover.
pub const COMPACT_BELOW_HEIGHT: f32 = 450.0;

/// A central area narrower than this (in points) is short of room too, however tall: beside
/// the configuration panel in a window 480 to 660 points wide.
pub const COMPACT_BELOW_WIDTH: f32 = 420.0;

/// A central area under this many points both wide and tall is short of room too: its rows
/// wrap into more lines the narrower it is.
const COMPACT_BELOW_SIDE: f32 = 600.0;

/// Whether a central area of `room` points is short of room ([`COMPACT_BELOW_HEIGHT`],
/// [`COMPACT_BELOW_WIDTH`], [`COMPACT_BELOW_SIDE`]): by its height alone, 800 × 600 kept
/// the long tab names, six export buttons and a four-line caption above the plot, in 490 ×
/// 516 points beside the panel, and the plot's axis lay below the fold; 520 × 600 (310
/// points beside the panel) took three rows for each.
pub(super) fn compact_area(room: egui::Vec2) -> bool {
    room.y < COMPACT_BELOW_HEIGHT
        || room.x < COMPACT_BELOW_WIDTH
        || (room.x < COMPACT_BELOW_SIDE && room.y < COMPACT_BELOW_SIDE)
}

//! [`ChartRoom`]: the room the central area gives a chart, the plot's height in it and the
//! rows a legend outside the plot may take.

use eframe::egui;

/// The most rows a legend outside the plot takes before it scrolls.
const MAX_LEGEND_ROWS: f32 = 3.0;
/// Below this height left for the legend and the plot (points), a legend outside the plot
/// takes one row and scrolls beyond it: two rows would push the plot's axis off the screen.
const SHORT_OF_HEIGHT_FOR_LEGEND: f32 = 300.0;
/// Where room is tight, the most rows the **View** menu and a legend outside the plot take
/// together before they scroll.
const TIGHT_LEGEND_ROWS: f32 = 2.0;

/// The room the central area gives a chart, which may scroll (see
/// `WorkbenchApp::central`).
#[derive(Clone, Copy, Debug)]
pub struct ChartRoom {
    /// Short of room (zoomed in, a small window): the caption folds into a "(?)" hover on the
    /// row of the axis boxes.
    pub compact: bool,
    /// Tight (a short window: 800 × 600 at 2×, 512 × 320): the view boxes and **show fits**
    /// fold into one **View** menu, and a legend outside the plot follows it in the same rows.
    pub tight: bool,
    /// The top of the content (screen y), where `visible_height` is measured from.
    pub top: f32,
    /// How tall the visible area is, in points.
    pub visible_height: f32,
    /// The least height of the plot, axes included, in points: the area scrolls to give it.
    pub min_height: f32,
}

/// The most a plot's least height asks for, in points (less in a short window, see
/// [`ChartRoom::min_height_in`]).
pub(super) const CHART_MIN_HEIGHT: f32 = 200.0;

impl ChartRoom {
    /// The plot's least height in a central area `visible_height` points tall: 42% of it, or
    /// [`CHART_MIN_HEIGHT`], whichever is less.
    pub fn min_height_in(visible_height: f32) -> f32 {
        (visible_height * 0.42).min(CHART_MIN_HEIGHT)
    }

    /// The room left in `ui`, which does not scroll: the plot fills it.
    pub fn fill(ui: &egui::Ui) -> ChartRoom {
        let visible_height = ui.available_height();
        ChartRoom {
            compact: false,
            tight: false,
            top: ui.cursor().top(),
            visible_height,
            min_height: Self::min_height_in(visible_height),
        }
    }

    /// The most rows a legend outside the plot takes before it scrolls, with `height_left`
    /// points left for it and the plot: tight, [`TIGHT_LEGEND_ROWS`] (shared with the
    /// **View** menu); else [`MAX_LEGEND_ROWS`], or one row where that height is under
    /// [`SHORT_OF_HEIGHT_FOR_LEGEND`] (a short window that is not tight, e.g. 600 × 480), so
    /// that the plot keeps its axis on screen.
    pub(super) fn legend_rows(&self, height_left: f32) -> f32 {
        if self.tight {
            TIGHT_LEGEND_ROWS
        } else if height_left < SHORT_OF_HEIGHT_FOR_LEGEND {
            1.0
        } else {
            MAX_LEGEND_ROWS
        }
    }

    /// The plot's height when it starts at `y` (screen): the visible room left, or the least
    /// height where that is less; and whether the content then overflows (the area scrolls).
    pub(super) fn plot_height(&self, y: f32) -> (f32, bool) {
        // Scroll-invariant: measured from the content's top, which scrolls with it.
        let left = self.visible_height - (y - self.top) - 2.0;
        (left.max(self.min_height), left < self.min_height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_keeps_its_least_height_and_then_the_area_scrolls() {
        // 42% of a short area, at most 200 points.
        assert!((ChartRoom::min_height_in(300.0) - 126.0).abs() < 1e-3);
        assert_eq!(ChartRoom::min_height_in(900.0), CHART_MIN_HEIGHT);
        let room = ChartRoom {
            compact: true,
            tight: false,
            top: 100.0,
            visible_height: 300.0,
            min_height: 126.0,
        };
        // Room left below the rows above: the plot fills it, nothing scrolls.
        assert_eq!(room.plot_height(200.0), (198.0, false));
        // Too little left: the least height, and the area scrolls; the same when scrolled
        // (the content's top moves with what is in it).
        assert_eq!(room.plot_height(300.0), (126.0, true));
        let scrolled = ChartRoom { top: 40.0, ..room };
        assert_eq!(scrolled.plot_height(240.0), (126.0, true));
    }

    #[test]
    fn a_legend_outside_the_plot_takes_fewer_rows_where_room_is_short() {
        let room = ChartRoom {
            compact: false,
            tight: false,
            top: 0.0,
            visible_height: 600.0,
            min_height: CHART_MIN_HEIGHT,
        };
        assert_eq!(
            room.legend_rows(SHORT_OF_HEIGHT_FOR_LEGEND),
            MAX_LEGEND_ROWS
        );
        assert_eq!(room.legend_rows(SHORT_OF_HEIGHT_FOR_LEGEND - 1.0), 1.0);
        // Tight, it shares its rows with the View menu, however much height is left.
        let tight = ChartRoom {
            tight: true,
            ..room
        };
        for left in [100.0, SHORT_OF_HEIGHT_FOR_LEGEND, 900.0] {
            assert_eq!(tight.legend_rows(left), TIGHT_LEGEND_ROWS);
        }
    }
}

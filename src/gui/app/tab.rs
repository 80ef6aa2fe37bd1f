//! [`Tab`]: the central area's tabs, their names on the command line and on screen, and
//! the chart each shows.

use serde::{Deserialize, Serialize};

use crate::gui::charts::ChartKind;
use crate::preset::ResultsView;

/// The central area's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Speedup,
    Efficiency,
    WallTime,
    Table,
    Fits,
    Timeline,
    /// The lost-updates chart: offered where the results counted lost updates.
    LostUpdates,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Speedup,
        Tab::Efficiency,
        Tab::WallTime,
        Tab::Table,
        Tab::Fits,
        Tab::Timeline,
        Tab::LostUpdates,
    ];

    /// The tab named `id` on the command line: `speedup`, `efficiency`, `time`, `table`, `fits`,
    /// `timeline`, `lost-updates`.
    pub fn from_id(id: &str) -> Option<Tab> {
        Some(match id {
            "speedup" => Tab::Speedup,
            "efficiency" => Tab::Efficiency,
            "time" => Tab::WallTime,
            "table" => Tab::Table,
            "fits" => Tab::Fits,
            "timeline" => Tab::Timeline,
            "lost-updates" => Tab::LostUpdates,
            _ => return None,
        })
    }

    /// The tab that shows a preset's view.
    pub fn of_view(view: ResultsView) -> Tab {
        match view {
            ResultsView::Speedup => Tab::Speedup,
            ResultsView::Efficiency => Tab::Efficiency,
            ResultsView::Time => Tab::WallTime,
            ResultsView::Table => Tab::Table,
            ResultsView::Fits => Tab::Fits,
            ResultsView::Timeline => Tab::Timeline,
            ResultsView::LostUpdates => Tab::LostUpdates,
        }
    }

    /// The chart this tab shows, if it is a chart.
    pub fn chart(self) -> Option<ChartKind> {
        match self {
            Tab::Speedup => Some(ChartKind::Speedup),
            Tab::Efficiency => Some(ChartKind::Efficiency),
            Tab::WallTime => Some(ChartKind::WallTime),
            Tab::LostUpdates => Some(ChartKind::LostUpdates),
            Tab::Table | Tab::Fits | Tab::Timeline => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Speedup => "Speedup vs workers",
            Tab::Efficiency => "Efficiency vs workers",
            Tab::WallTime => "Wall time vs workers",
            Tab::Table => "Results table",
            Tab::Fits => "Fits",
            Tab::Timeline => "Timeline",
            Tab::LostUpdates => "Lost updates",
        }
    }

    /// The tab's name where room is short (zoomed in): the title without "vs workers".
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Speedup => "Speedup",
            Tab::Efficiency => "Efficiency",
            Tab::WallTime => "Wall time",
            Tab::Table => "Table",
            tab => tab.title(),
        }
    }
}

//! The workbench's texts for a chart kind: its caption and explanation (the kind itself is
//! the shared [`crate::export::ChartKind`]).

use crate::export::ChartKind;

use crate::gui::style;

/// The workbench's texts for a chart kind (the kind itself is the shared
/// [`crate::export::ChartKind`]).
impl ChartKind {
    /// One line under the tabs: how to read the chart at a glance.
    pub fn caption(self) -> &'static str {
        style::caption(self)
    }

    /// What the chart means, for the help line above it.
    pub fn explanation(self) -> &'static str {
        style::explanation(self)
    }

    /// The matching chart of the exporter: the same kind, since there is one chart model.
    pub fn export_kind(self) -> ChartKind {
        self
    }
}

//! The warnings of the shown results' header (a partial sweep, a busy or maybe busy machine,
//! a calibrated size, and the link to the lost updates), each decided here once: the full
//! header shows each in its words, the tight layout in a word or two, and leaves its row out
//! where there is none ([`HeaderWarnings::any`]), so that the two cannot disagree on when a
//! warning shows.

use super::Tab;
use crate::results::{Busyness, ResultsFile};

/// What the machine's load says of the runs, where it says anything.
pub(super) enum LoadWarning {
    /// Some runs, or the machine, were busy ([`crate::results::MachineInfo::busy_warning`]).
    Busy { busyness: Busyness, warning: String },
    /// Not seen busy, but not known quiet either
    /// ([`crate::results::MachineInfo::load_unknown_note`]).
    Unknown(String),
}

/// The header's warnings of some results, as shown on one tab.
pub(super) struct HeaderWarnings {
    /// A partial sweep's mark ([`crate::export::chart_model::partial_mark`]).
    pub partial: Option<String>,
    pub load: Option<LoadWarning>,
    /// The size a calibration chose ([`ResultsFile::calibration_note`]).
    pub calibration: Option<String>,
    /// Whether to link to the lost-updates chart: a counter lost updates, and that chart is
    /// not the one shown.
    pub lost_updates_link: bool,
    /// The sweep's own warnings (`ResultsFile::warnings`: a process the stop at a cell's end
    /// could not stop), one a line.
    pub sweep: Option<String>,
}

impl HeaderWarnings {
    /// The warnings of `results` on `tab`.
    pub fn of(results: &ResultsFile, tab: Tab) -> HeaderWarnings {
        let load = match results.machine.busy_warning() {
            Some(warning) => Some(LoadWarning::Busy {
                busyness: results.machine.busyness(),
                warning,
            }),
            None => results
                .machine
                .load_unknown_note()
                .map(LoadWarning::Unknown),
        };
        HeaderWarnings {
            partial: crate::export::chart_model::partial_mark(results),
            load,
            calibration: results.calibration_note(),
            lost_updates_link: tab != Tab::LostUpdates && crate::results::lost_any(results),
            sweep: (!results.warnings.is_empty()).then(|| results.warnings.join("\n")),
        }
    }

    /// Whether any warning shows (the tight layout leaves out a row with none and no verdict).
    pub fn any(&self) -> bool {
        self.partial.is_some()
            || self.load.is_some()
            || self.calibration.is_some()
            || self.lost_updates_link
            || self.sweep.is_some()
    }
}

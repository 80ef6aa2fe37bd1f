//! The view of the results that makes a preset's point: the workbench tab it opens on and the
//! chart `corelab run` and `corelab report` draw by default (`"view": "lost-updates"`).

use serde::{Deserialize, Serialize};

use super::task::TaskKind;

/// Which view of the results a preset's lesson is seen on. Optional in a preset (absent: the
/// speedup chart, as before the field existed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultsView {
    /// Speedup against the baseline.
    Speedup,
    /// Speedup per worker.
    Efficiency,
    /// Median wall time.
    Time,
    /// The results table (with the GB/s, CPU and cost columns) and its verdict.
    Table,
    /// The fitted scaling models.
    Fits,
    /// When each task ran, on which worker.
    Timeline,
    /// The share of the increments a contention task's counter lost.
    LostUpdates,
}

impl ResultsView {
    pub const ALL: [ResultsView; 7] = [
        ResultsView::Speedup,
        ResultsView::Efficiency,
        ResultsView::Time,
        ResultsView::Table,
        ResultsView::Fits,
        ResultsView::Timeline,
        ResultsView::LostUpdates,
    ];

    /// The name in presets, and the workbench's `--tab` name: `speedup`, `efficiency`, `time`,
    /// `table`, `fits`, `timeline`, `lost-updates`.
    pub fn id(self) -> &'static str {
        match self {
            ResultsView::Speedup => "speedup",
            ResultsView::Efficiency => "efficiency",
            ResultsView::Time => "time",
            ResultsView::Table => "table",
            ResultsView::Fits => "fits",
            ResultsView::Timeline => "timeline",
            ResultsView::LostUpdates => "lost-updates",
        }
    }

    /// Why this view can show nothing for a task of `kind`, if it cannot: only a contention
    /// task counts lost updates.
    pub fn unavailable_for(self, kind: TaskKind) -> Option<String> {
        self.unavailable_for_tasks(&[kind])
    }

    /// Why this view can show nothing for experiments of these task kinds (before they run),
    /// if it cannot: the lost-updates view needs a contention task, the only one with a shared
    /// counter. The one rule behind [`ResultsView::unavailable_for`] and the charts' (see
    /// `ChartKind::unavailable_for_tasks`).
    pub fn unavailable_for_tasks(self, tasks: &[TaskKind]) -> Option<String> {
        if self != ResultsView::LostUpdates || tasks.contains(&TaskKind::Contention) {
            return None;
        }
        let names: Vec<String> = tasks.iter().map(|t| format!("`{}`", t.id())).collect();
        Some(format!(
            "only a `contention` task counts lost updates, and {} {} task",
            if names.len() > 1 {
                "these are"
            } else {
                "this is a"
            },
            names.join(" and ")
        ))
    }
}

impl std::fmt::Display for ResultsView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_reads_back_from_its_id() {
        for view in ResultsView::ALL {
            let json = serde_json::to_string(&view).unwrap();
            assert_eq!(json, format!("\"{}\"", view.id()));
            assert_eq!(serde_json::from_str::<ResultsView>(&json).unwrap(), view);
        }
    }

    #[test]
    fn only_the_lost_updates_view_depends_on_the_task() {
        for kind in TaskKind::ALL {
            for view in ResultsView::ALL {
                let refused = view.unavailable_for(kind);
                let expected = view == ResultsView::LostUpdates && kind != TaskKind::Contention;
                assert_eq!(refused.is_some(), expected, "{view} for {kind}");
            }
        }
        assert_eq!(
            ResultsView::LostUpdates
                .unavailable_for(TaskKind::Cpu)
                .unwrap(),
            "only a `contention` task counts lost updates, and this is a `cpu` task"
        );
        // Several experiments: refused only when none of them is a contention task.
        assert_eq!(
            ResultsView::LostUpdates
                .unavailable_for_tasks(&[TaskKind::Cpu, TaskKind::Io])
                .unwrap(),
            "only a `contention` task counts lost updates, and these are `cpu` and `io` task"
        );
        assert_eq!(
            ResultsView::LostUpdates.unavailable_for_tasks(&[TaskKind::Cpu, TaskKind::Contention]),
            None
        );
        assert_eq!(
            ResultsView::Speedup.unavailable_for_tasks(&[TaskKind::Cpu]),
            None
        );
    }
}

#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench shows the verdict above the results table, in the analysis's own words, and
//! nothing of it for a file where no cell completed.

mod common;

use common::synthetic::synthetic_results;

use std::path::Path;

use corelab::analysis::{ONE_WORKER_HEADLINE, VerdictTopic, headline, verdict};
use corelab::gui::verdict_panel::WHOLE_VERDICT_LINK;
use corelab::gui::{Tab, WorkbenchApp};
use corelab::preset::{ModelKind, SyncMode, TaskKind};
use corelab::results::{CellStatus, MachineInfo, ResultsFile};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Threads under the emulated GIL stay at 1×, processes scale: three runs a cell.
fn gil_like() -> ResultsFile {
    let experiment = common::synthetic::experiment(
        "GIL-like sweep",
        &[1, 2, 4],
        &[
            ModelKind::Sequential,
            ModelKind::GilThreads,
            ModelKind::Processes,
        ],
    );
    let machine = MachineInfo {
        logical_cores: 4,
        ..MachineInfo::default()
    };
    synthetic_results(
        experiment,
        machine,
        [0.99, 1.0, 1.01],
        |model, x| match model {
            ModelKind::Processes => 0.95 * x,
            _ => 1.0,
        },
    )
}

/// `results` opened on the Table tab.
fn opened(dir: &Path, results: &ResultsFile) -> Harness<'static, WorkbenchApp> {
    let mut h = common::gui::opened(dir, results);
    h.state_mut().set_tab(Tab::Table);
    h.run();
    h
}

#[test]
fn the_results_table_tab_shows_the_verdict_above_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let results = gil_like();
    let lines = verdict(&results);
    // What the analysis says of this file, before looking for it on screen.
    let fastest = &lines[0];
    assert_eq!(fastest.topic, VerdictTopic::Fastest);
    assert!(
        fastest.text.starts_with("Fastest: processes × 4, "),
        "{}",
        fastest.text
    );
    assert!(
        lines.iter().any(|l| l.topic == VerdictTopic::Gil
            && l.text
                .contains("consistent with the emulated GIL serialising")),
        "{lines:?}"
    );
    let h = opened(dir.path(), &results);
    let header = h.get_by_label("Verdict").rect();
    for line in &lines {
        let shown = h.get_by_label(&line.text).rect();
        assert!(shown.top() > header.top(), "{} above its header", line.text);
    }
    // The table follows, below the verdict: its caption names the file's cells.
    let caption = h.get_by_label_contains("GIL-like sweep · 7 cells").rect();
    let last = h.get_by_label(&lines.last().unwrap().text).rect();
    assert!(
        caption.top() > last.bottom(),
        "the table starts below the verdict"
    );
}

#[test]
fn a_file_where_no_cell_completed_shows_no_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = gil_like();
    for c in &mut results.cells {
        c.status = CellStatus::Failed;
        c.error = Some("timed out".into());
    }
    assert!(verdict(&results).is_empty());
    let h = opened(dir.path(), &results);
    assert!(h.query_by_label("Verdict").is_none());
    assert!(h.query_by_label_contains("Fastest:").is_none());
}

/// [`gil_like`] as unsynchronised lock contention of 1000 increments a worker: every run of 2
/// workers or more lost 400.
fn racing() -> ResultsFile {
    let mut results = gil_like();
    results.experiment.task.kind = TaskKind::Contention;
    results.experiment.task.contention.sync = SyncMode::None;
    results.experiment.task.contention.increments = 1000;
    for c in &mut results.cells {
        let lost = if c.workers >= 2 { 400 } else { 0 };
        for s in &mut c.samples {
            s.lost_updates = Some(lost);
        }
    }
    results.recompute();
    results
}

#[test]
fn a_contention_file_leads_with_its_lost_updates_on_the_table_tab() {
    let dir = tempfile::tempdir().unwrap();
    let results = racing();
    let lines = verdict(&results);
    assert_eq!(lines[0].topic, VerdictTopic::LostUpdates, "{lines:?}");
    assert!(
        lines[0]
            .text
            .starts_with("Lost updates without a lock: gil-threads × 2 lost a median 20% of the 2000 increments a run asked for (in every one of 3 runs, up to 400 in one run)"),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.topic == VerdictTopic::Gil),
        "{lines:?}"
    );
    let h = opened(dir.path(), &results);
    let lead = h.get_by_label(&lines[0].text).rect();
    let fastest = lines
        .iter()
        .find(|l| l.topic == VerdictTopic::Fastest)
        .unwrap();
    assert!(
        h.get_by_label(&fastest.text).rect().top() > lead.bottom(),
        "the lost updates come first"
    );
}

/// The table's notes say each cell's lost updates in the words every front end uses, and
/// work them out once for the results shown, not every frame.
#[test]
fn the_tables_lost_updates_notes_are_worked_out_once_for_the_results_shown() {
    let dir = tempfile::tempdir().unwrap();
    let results = racing();
    let mut h = opened(dir.path(), &results);
    let words: Vec<String> = results
        .cells
        .iter()
        .map(|c| corelab::export::lost_updates_text(&results, c).unwrap())
        .collect();
    for w in &words {
        let cells = words.iter().filter(|x| *x == w).count();
        assert_eq!(h.query_all_by_label(w).count(), cells, "{w}");
    }
    assert!(
        words.contains(&"lost updates in every one of 3 runs (up to 400 in one run, 20%)".into()),
        "{words:?}"
    );
    let computed = h.state().table_notes_computed();
    assert!(computed >= 1);
    for _ in 0..5 {
        h.step();
    }
    assert_eq!(
        h.state().table_notes_computed(),
        computed,
        "not worked out again while the results stay the same"
    );
}

#[test]
fn the_chart_tabs_show_the_verdicts_one_line_and_link_to_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let results = gil_like();
    let line = headline(&results).unwrap();
    assert_eq!(line, verdict(&results)[0].text, "quiet: the fastest alone");
    let mut h = opened(dir.path(), &results);
    for tab in [Tab::Speedup, Tab::Efficiency, Tab::WallTime] {
        h.state_mut().set_tab(tab);
        h.run();
        assert!(h.query_by_label("Verdict:").is_some(), "{tab:?}");
        assert!(h.query_by_label(&line).is_some(), "{tab:?}: {line}");
    }
    // The link opens the whole verdict.
    h.get_by_label(&format!("({WHOLE_VERDICT_LINK})")).click();
    h.run();
    assert_eq!(h.state().tab(), Tab::Table);
    assert!(h.query_by_label("Verdict").is_some());
    assert!(
        h.query_by_label("Verdict:").is_none(),
        "the table tab has the whole verdict, not its one line"
    );
}

#[test]
fn a_one_worker_cell_faster_than_sequential_is_flagged_above_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = gil_like();
    // processes × 1 twice as fast as the sequential baseline: impossible for one worker.
    let seq = results.cells[0].samples.clone();
    let cell = results
        .cells
        .iter_mut()
        .find(|c| c.model == Some(ModelKind::Processes) && c.workers == 1)
        .unwrap();
    cell.samples = seq
        .iter()
        .map(|s| corelab::results::Sample {
            wall_s: s.wall_s / 2.0,
            ..s.clone()
        })
        .collect();
    results.recompute();
    let line = headline(&results).unwrap();
    assert!(
        line.to_lowercase().starts_with(ONE_WORKER_HEADLINE),
        "{line}"
    );
    let mut h = opened(dir.path(), &results);
    h.state_mut().set_tab(Tab::Speedup);
    h.run();
    assert!(h.query_by_label(&line).is_some(), "{line}");
}

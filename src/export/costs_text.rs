//! The costs besides time of each cell, as text: a terminal table and a Markdown table.

use crate::results::{CellResult, ResultsFile};

/// Bytes as MiB (2^20, the memory chart's unit: [`super::chart_model::mib`]), one decimal;
/// `—` when unknown.
pub fn mebibytes(bytes: Option<u64>) -> String {
    bytes.map_or("—".into(), |b| {
        format!("{:.1}", super::chart_model::mib(b))
    })
}

fn count(v: Option<u64>) -> String {
    v.map_or("—".into(), |x| x.to_string())
}

/// Per cell: processes, memory the run added, peak RSS, PSS, USS (MiB), voluntary / involuntary switches,
/// migrations and bytes moved between processes per run (medians).
fn row(c: &CellResult) -> Option<[String; 11]> {
    let k = c.costs.as_ref()?;
    Some([
        c.model_id().to_string(),
        c.workers.to_string(),
        k.processes.to_string(),
        mebibytes(c.added_rss_bytes),
        mebibytes(c.peak_rss_bytes),
        mebibytes(k.pss_bytes),
        mebibytes(k.uss_bytes),
        k.voluntary_switches.to_string(),
        k.involuntary_switches.to_string(),
        count(k.migrations),
        count(k.ipc_bytes),
    ])
}

const HEADS: [&str; 11] = [
    "model",
    "workers",
    "procs",
    "added MiB",
    "peak RSS MiB",
    "PSS MiB",
    "USS MiB",
    "vol. sw.",
    "invol. sw.",
    "migrations",
    "IPC bytes",
];

/// What added memory counts of the workload's input, in the words the README uses (the memory
/// chart's axis, `chart_model::MEMORY_ADDED`, says the first half).
pub const SHARED_INPUT_WORDS: &str =
    "the in-process cells' shared input not counted and each worker process's copy of it counted";

/// The note under the costs, before [`SHARED_INPUT_WORDS`].
const EXPLAIN_BEFORE: &str = "added: memory the run added, the same whichever front end ran it (this process's peak RSS during the run above its RSS at the start, plus each worker process's own peak; — in older files), ";

/// The note under the costs, after [`SHARED_INPUT_WORDS`].
const EXPLAIN_AFTER: &str = " (built once before any run and held by this process for all of them); peak RSS: resident memory high-water mark of the whole processes, summed over every process the model ran (this one, with the front end's own memory, and its workers); PSS/USS of the whole processes from /proc/<pid>/smaps_rollup after the run; switches, migrations and IPC bytes: medians per run";

/// What the memory columns hold of a `command` task, whose commands have exited when the
/// run's memory is read from `/proc` (`engine::proc_stats::after_run`): each was measured as
/// it was reaped (`wait4`), and one entry of the run's memory adds the peaks of those that ran
/// at once, which peak RSS and added count and procs counts them in; PSS and USS are read
/// from `/proc` of live processes only, and a run with that entry has none.
const COMMANDS_IN_MEMORY: &str = "a command task's commands have exited when memory is read from /proc, so each is measured as it is reaped (wait4: its own peak RSS, its children included): peak RSS and added count the most the commands running at once held, each at its own peak (what they could hold together, at most), and procs counts them; PSS and USS cannot be read of a process that has exited, so they are not given (—); the commands' CPU time is counted";

/// The note under the costs, with [`COMMANDS_IN_MEMORY`] for a command task.
fn explanation(results: &ResultsFile) -> String {
    let explain = format!("{EXPLAIN_BEFORE}{SHARED_INPUT_WORDS}{EXPLAIN_AFTER}");
    match results.experiment.task.kind {
        crate::preset::TaskKind::Command => format!("{explain}; {COMMANDS_IN_MEMORY}"),
        _ => explain,
    }
}

/// A terminal table of every cell with recorded costs; empty when none has.
pub fn costs_table(results: &ResultsFile) -> String {
    let rows: Vec<[String; 11]> = results.cells.iter().filter_map(row).collect();
    if rows.is_empty() {
        return String::new();
    }
    // The model column as wide as its longest name (`py-multiprocessing` is 18).
    let w = rows
        .iter()
        .map(|r| r[0].chars().count())
        .chain([12])
        .max()
        .unwrap_or(12);
    let line = |r: &[&str]| {
        format!(
            "{:<w$} {:>7} {:>5} {:>9} {:>11} {:>8} {:>8} {:>9} {:>10} {:>10} {:>10}\n",
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10]
        )
    };
    let mut out = String::from("costs besides time:\n");
    out.push_str(&line(&HEADS));
    for r in &rows {
        let cols: Vec<&str> = r.iter().map(String::as_str).collect();
        out.push_str(&line(&cols));
    }
    out.push_str(&explanation(results));
    out.push('\n');
    out
}

/// The same as a Markdown section (`h` is the heading prefix); empty when no cell has costs.
pub fn costs_markdown(results: &ResultsFile, h: &str) -> String {
    let rows: Vec<[String; 11]> = results.cells.iter().filter_map(row).collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!("{h} Costs besides time\n\n| {} |\n", HEADS.join(" | "));
    out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for r in &rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out.push_str(&format!("\n{}.\n\n", explanation(results)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;
    use crate::results::CellCosts;

    #[test]
    fn a_command_task_s_costs_say_what_its_commands_count_in() {
        let mut r = ResultsFile::default();
        r.cells.push(CellResult {
            model: Some(ModelKind::Threads),
            workers: 2,
            peak_rss_bytes: Some(9_500_000),
            costs: Some(CellCosts {
                processes: 1,
                ..CellCosts::default()
            }),
            ..CellResult::default()
        });
        assert!(!costs_table(&r).contains("command task"));
        r.experiment.task.kind = crate::preset::TaskKind::Command;
        // What `proc_stats::after_run` records of a command task's run (its test
        // `a_command_task_s_commands_count_in_peak_and_added_memory_not_in_pss_or_uss`): the
        // commands in peak RSS, added and procs; no PSS or USS.
        for text in [costs_table(&r), costs_markdown(&r, "##")] {
            assert!(
                text.contains("peak RSS and added count the most the commands running at once held, each at its own peak"),
                "{text}"
            );
            assert!(text.contains("and procs counts them"), "{text}");
            assert!(
                text.contains("PSS and USS cannot be read of a process that has exited, so they are not given (—)"),
                "{text}"
            );
            // The claim this replaced, untrue since the commands' peaks are counted.
            assert!(!text.contains("leave them out"), "{text}");
        }
    }

    #[test]
    fn cells_with_costs_get_a_row() {
        let mut r = ResultsFile::default();
        assert_eq!(costs_table(&r), "");
        r.cells.push(CellResult {
            model: Some(ModelKind::Processes),
            workers: 2,
            // 36.3 MiB (2^20 bytes each, as the memory chart counts them): 38.1 MB.
            peak_rss_bytes: Some(38_063_309),
            added_rss_bytes: Some(12 << 20),
            costs: Some(CellCosts {
                processes: 3,
                voluntary_switches: 20,
                involuntary_switches: 7,
                migrations: Some(1),
                ipc_bytes: Some(1952),
                ..CellCosts::default()
            }),
            ..CellResult::default()
        });
        r.cells.push(CellResult::default());
        let t = costs_table(&r);
        assert_eq!(t.lines().count(), 4, "{t}");
        assert!(t.contains("peak RSS MiB") && !t.contains(" MB "), "{t}");
        let row = t.lines().nth(2).unwrap_or_default();
        assert!(t.contains("added MiB") && t.contains("front end"), "{t}");
        // The shared in-process input: not counted, each worker process's copy counted, in the
        // README's words (tests/readme_facts.rs checks the README says them; tests/export_cli.rs
        // pins the memory chart's axis, which says the first half).
        assert!(t.contains(SHARED_INPUT_WORDS), "{t}");
        for want in ["processes", "3", "12.0", "36.3", "20", "7", "1952"] {
            assert!(row.contains(want), "{want} in {row}");
        }
        let md = costs_markdown(&r, "##");
        assert!(
            md.contains("| processes | 2 | 3 | 12.0 | 36.3 | — | — | 20 | 7 | 1 | 1952 |"),
            "{md}"
        );
        // A long model name widens the column: the workers column stays aligned.
        r.cells.push(CellResult {
            model: Some(ModelKind::PyMultiprocessing),
            workers: 2,
            costs: Some(CellCosts::default()),
            ..CellResult::default()
        });
        let t = costs_table(&r);
        let lines: Vec<&str> = t.lines().collect();
        // The workers column ends in the same place on the header and both rows.
        let end = lines[1].find("workers").unwrap() + "workers".len();
        for row in &lines[2..4] {
            assert_eq!(&row[end - 1..=end], "2 ", "{t}");
        }
    }
}

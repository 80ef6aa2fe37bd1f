//! What `run` and `report` both say about a results file besides its table and fits: the
//! verdict, whether the results show the GIL lesson they were measured for, whether other
//! programs competed for the cores while it was measured, and the sweep's own warnings.

use crate::results::ResultsFile;

/// The verdict ([`crate::analysis::verdict`]) under a `Verdict:` heading, one line each;
/// empty when there is none (no cell completed).
pub(super) fn verdict_text(results: &ResultsFile) -> String {
    let lines = crate::analysis::verdict(results);
    if lines.is_empty() {
        return String::new();
    }
    let mut text = String::from("Verdict:\n");
    for line in lines {
        text.push_str(&format!("  {}\n", line.text));
    }
    text
}

/// Where results of CPU-bound work with gil-threads beside threads or processes do not show
/// the GIL lesson, the lesson and the note the workbench shows under its start-here hint
/// ([`crate::analysis::gil_lesson::lesson_not_shown`], judged by the verdict's rule); empty
/// where they show it or cannot tell.
pub(super) fn gil_lesson_text(results: &ResultsFile) -> String {
    use crate::analysis::gil_lesson::{GIL_LESSON, lesson_not_shown};
    match lesson_not_shown(results) {
        Some(note) => format!("Lesson: {GIL_LESSON}.\n  {note}\n"),
        None => String::new(),
    }
}

/// Says on stderr whether other programs competed for the cores while `results` were
/// measured: a warning where they did, a note where only a few runs were busy (mostly quiet,
/// as the verdict and the gate judge it), and (unless `quiet`) a note where runs were too
/// short to tell.
pub(super) fn say_load(results: &ResultsFile, quiet: bool) {
    if let Some(warning) = results.machine.busy_warning() {
        match results.machine.busyness() {
            crate::results::Busyness::MostlyQuiet => errln!("Note: mostly quiet: {warning}"),
            _ => errln!("Warning: {warning}"),
        }
    }
    // Not a warning (nothing was seen), so --quiet leaves it out.
    if let Some(note) = results.machine.load_unknown_note().filter(|_| !quiet) {
        errln!("Note: {note}");
    }
}

/// Says on stderr the sweep's own warnings that `results` keep (`ResultsFile::warnings`: a
/// process the stop at a cell's end could not make go), one `warning: …` line each, as `run`
/// says them at the end of a sweep and `report` of a file. Terminal-safe: the words come from
/// the file.
pub(super) fn say_sweep_warnings(results: &ResultsFile) {
    for warning in &results.warnings {
        errln!(
            "warning: {}",
            crate::export::sanitize::for_terminal_line(warning)
        );
    }
}

/// The machine the results were measured on, with the build of corelab and the CPUs' setup
/// (governor, turbo, SMT, NUMA nodes): `machine: … ` then `  build and CPUs: …` (files from
/// before those were recorded say so). Terminal-safe: the words come from the file.
pub(super) fn machine_text(results: &ResultsFile) -> String {
    let m = &results.machine;
    let setup = m.setup_line().unwrap_or_else(|| {
        "not recorded (a file from before the build and the CPUs' setup were)".into()
    });
    format!(
        "machine: {}\n  build and CPUs: {}\n",
        crate::export::sanitize::for_terminal_line(&m.one_line()),
        crate::export::sanitize::for_terminal_line(&setup)
    )
}

/// Says loudly on stderr where a debug build of corelab measured `results`: its Rust models
/// ran several times slower than a release build's, so its figures are not for publishing.
pub(super) fn say_build(results: &ResultsFile) {
    if let Some(warning) = results.machine.debug_build_warning() {
        errln!("Warning: {warning}");
    }
}

//! What `run` and `report` both say about a results file besides its table and fits: the
//! verdict, whether the results show the GIL lesson they were measured for, and whether other
//! programs competed for the cores while it was measured.

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

//! `corelab selftest --lessons`: the lessons corelab exists to show, measured on this machine.
//!
//! These are measurements, not tests of corelab's logic (that is `cargo test`, with scripted
//! executors): each lesson runs a small sweep with the real executors, prints its measured
//! figure next to the expectation, and passes or fails. The thresholds follow the core count
//! (`cores`) and hold on a quiet 2-core machine; on a busy one the sweep's load sampling says
//! so next to the figure, and a lesson that keeps failing there, or whose measurement cannot
//! tell (threads that never ran at once), is measured again and then skipped, saying why,
//! rather than passed or failed on noise. Runs under 0.1 s are too short to be judged one by
//! one from /proc/stat's 10 ms ticks: their cells' pooled ticks mark them (see
//! [`super::load`]).
//!
//! One concept a file: `verdict` (a measured lesson and its line), `summary` (the closing
//! count), `thresholds`, `runner` (the retry loop and the sweeps' context), `experiments`,
//! `judge`, then the lessons: `gil`, `processes`, `io`, `lost_updates` and `contention`.

mod contention;
mod experiments;
mod gil;
mod io;
mod judge;
mod lost_updates;
mod processes;
mod runner;
mod summary;
#[cfg(test)]
mod test_machines;
mod thresholds;
mod verdict;

pub use runner::{MAX_ATTEMPTS, run_lessons};
pub use summary::LessonsSummary;
pub use verdict::{Lesson, Verdict};

//! The I/O lesson: threads that wait scale past the core count, GIL or not.

use super::Lesson;
use super::experiments::{THREADS_AND_GIL_THREADS, experiment};
use super::judge::{judge, lesson, pass_if, speedup};
use super::runner::Ctx;
use super::thresholds;
use crate::preset::{IoMode, ModelKind, TaskKind};

pub(super) fn io_scales_past_the_cores(ctx: &Ctx, cores: usize) -> Lesson {
    let w = thresholds::io_workers(cores);
    let need = thresholds::io_min(cores);
    let l = lesson(
        "I/O-bound threads scale past the core count, GIL or not",
        format!(
            "threads and gil-threads × {w} ≥ {need:.2}× on {}",
            crate::words::count(cores, "core")
        ),
    );
    let mut exp = experiment(TaskKind::Io, &THREADS_AND_GIL_THREADS, &[w]);
    exp.task.io.mode = IoMode::Sleep;
    exp.task.io.sleep_ms = 10.0;
    exp.task.tasks = 4 * w as u32;
    exp.repetitions = 3;
    judge(l, ctx.sweep(&exp), |r| {
        let t = speedup(r, ModelKind::Threads, w);
        let g = speedup(r, ModelKind::GilThreads, w);
        (
            format!("threads × {w}: {t:.2}×, gil-threads × {w}: {g:.2}×"),
            pass_if(t >= need && g >= need),
        )
    })
}

//! The processes lesson: processes scale CPU-bound work.

use super::experiments::experiment;
use super::judge::{judge, lesson, pass_if, speedup};
use super::runner::Ctx;
use super::thresholds;
use super::{Lesson, Verdict};
use crate::preset::{CpuKernel, ModelKind, TaskKind};

pub(super) fn processes_scale(ctx: &Ctx, cores: usize) -> Lesson {
    let w = cores.max(2);
    let need = thresholds::parallel_min(w, cores);
    let mut l = lesson(
        "processes scale CPU-bound work",
        format!("processes ≥ {need:.2}×"),
    );
    if cores < 2 {
        l.verdict = Verdict::Skipped("one core: nothing can scale".into());
        return l;
    }
    let mut exp = experiment(
        TaskKind::Cpu,
        &[ModelKind::Sequential, ModelKind::Processes],
        &[w],
    );
    exp.task.cpu.kernel = CpuKernel::HashChain;
    exp.task.cpu.size = 60_000_000;
    exp.task.tasks = 8 * w as u32;
    judge(l, ctx.sweep(&exp), |r| {
        let p = speedup(r, ModelKind::Processes, w);
        (
            format!("processes × {w}: {p:.2}×"),
            pass_if(thresholds::scales(p, w, cores)),
        )
    })
}

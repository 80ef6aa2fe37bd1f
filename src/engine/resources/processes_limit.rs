//! The limit on the user's processes and threads (`ulimit -u`): the tasks a sweep keeps at once,
//! the refusal of a sweep that needs more than the limit, the warning for one that fits only
//! without the user's other tasks, and the counts read from `/proc`.

use super::error::ResourceError;
use super::needs::CellNeeds;

/// The most tasks a sweep whose cells are `needs` has at once: what every cell keeps (all
/// cells live through the interleaved rounds) plus the largest run's own (runs never overlap).
fn sweep_tasks(needs: &[CellNeeds]) -> u64 {
    let kept = needs
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(c.kept_tasks));
    let run = needs.iter().map(|c| c.run_tasks).max().unwrap_or(0);
    kept.saturating_add(run)
}

/// [`sweep_tasks`] with each cell's likely tasks (the cluster engines' own threads counted as
/// measured, see [`likely_tasks`](crate::engine::kept_tasks::likely_tasks)) instead of its
/// floor.
fn sweep_likely_tasks(needs: &[CellNeeds]) -> u64 {
    let kept = needs
        .iter()
        .fold(0u64, |sum, c| sum.saturating_add(c.likely_tasks));
    let run = needs.iter().map(|c| c.run_tasks).max().unwrap_or(0);
    kept.saturating_add(run)
}

/// A sweep's tasks against the soft `ulimit -u`: what [`processes_plan`] refuses and
/// [`processes_warning`] warns about, computed once for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TasksOverLimit {
    /// The sweep's own tasks at once ([`sweep_tasks`]).
    sweep: u64,
    /// Those plus the others counted with them (corelab's own, or all the user's).
    needed: u64,
    /// What is likely needed: the sweep's likely tasks ([`sweep_likely_tasks`], the cluster
    /// engines' own threads counted as measured) plus the same others; `needed` or more.
    likely: u64,
    limit: u64,
}

impl TasksOverLimit {
    /// The `ulimit -u` a refusal or a warning proposes: twice what is likely needed, since the
    /// count is a floor (see [`kept_tasks`](crate::engine::kept_tasks::kept_tasks)) and the
    /// user's other programs count too.
    fn proposed_limit(&self) -> u64 {
        proposed_processes_limit(self.likely.max(self.needed))
    }

    /// `at least 40` or, where the cluster engines' own threads likely add some, `at least 20
    /// (about 40 with the threads Dask and MPI start themselves)`.
    fn counted(&self, sweep: u64) -> String {
        let likely_sweep = self
            .likely
            .saturating_sub(self.needed.saturating_sub(sweep));
        match likely_sweep > sweep {
            true => format!(
                "at least {sweep} (about {likely_sweep} with the threads Dask and MPI start themselves, as measured with distributed 2026.8 and Open MPI 4.1.4)"
            ),
            false => format!("at least {sweep}"),
        }
    }
}

/// The `ulimit -u` proposed for `needed` tasks (see [`TasksOverLimit::proposed_limit`]).
fn proposed_processes_limit(needed: u64) -> u64 {
    needed.saturating_mul(2)
}

/// The sweep's tasks ([`sweep_tasks`] of `needs`) with `others` added, when together they are
/// more than `limit` (the soft `ulimit -u`); `None` when they fit, when the sweep starts
/// nothing, or without a limit (unlimited, unreadable, or not applied: root).
fn tasks_over_limit(
    needs: &[CellNeeds],
    others: u64,
    limit: Option<u64>,
) -> Option<TasksOverLimit> {
    let over = tasks_counted(needs, others, limit?);
    (over.sweep > 0 && over.needed > over.limit).then_some(over)
}

/// The sweep's tasks and its likely tasks with `others` added, against `limit`.
fn tasks_counted(needs: &[CellNeeds], others: u64, limit: u64) -> TasksOverLimit {
    let sweep = sweep_tasks(needs);
    TasksOverLimit {
        sweep,
        needed: sweep.saturating_add(others),
        likely: sweep_likely_tasks(needs).saturating_add(others),
        limit,
    }
}

/// Refuses a sweep that needs more tasks at once ([`sweep_tasks`], plus corelab's own
/// `own_tasks`) than `limit` (the soft `ulimit -u`) allows: it would certainly fail to start a
/// thread or a process midway. `None` for the limit (unlimited, unreadable, or not applied:
/// root) checks nothing. The limit counts every task of the user, those of other programs
/// too; they come and go, so they are not counted here (see [`processes_warning`]).
pub(super) fn processes_plan(
    needs: &[CellNeeds],
    own_tasks: u64,
    limit: Option<u64>,
) -> Result<(), ResourceError> {
    let Some(over) = tasks_over_limit(needs, own_tasks, limit) else {
        return Ok(());
    };
    let worst = needs.iter().max_by_key(|c| c.kept_tasks);
    let detail = format!(
        "{} for its {} cells, every cell's kept through the interleaved rounds (the largest: {}), plus corelab's own {own_tasks}",
        over.counted(over.sweep),
        needs.len(),
        worst.map_or_else(String::new, |c| format!(
            "{} × {}, {} at least",
            c.model, c.workers, c.kept_tasks
        ))
    );
    Err(ResourceError::Processes {
        needed: over.needed,
        limit: over.limit,
        proposed: over.proposed_limit(),
        detail,
    })
}

/// A warning when the sweep fits under `limit` (the soft `ulimit -u`) by itself but not with
/// the `user_tasks` the user has already (this process's included): those may end before the
/// sweep starts them, so it runs, told that a thread or a process may fail to start. Also
/// when only its likely tasks do not fit (the cluster engines' own threads, as measured: see
/// [`likely_tasks`](crate::engine::kept_tasks::likely_tasks)), which are not certain enough
/// to refuse it.
pub(super) fn processes_warning(
    needs: &[CellNeeds],
    user_tasks: u64,
    limit: Option<u64>,
) -> Option<String> {
    let over = tasks_counted(needs, user_tasks, limit?);
    (over.sweep > 0 && over.likely.max(over.needed) > over.limit).then(|| {
        format!(
            "this sweep starts {} processes and threads that live at once, and your user has {user_tasks} already: together more than the {} that ulimit -u allows, so a worker may fail to start (raise it with ulimit -u {})",
            over.counted(over.sweep),
            over.limit,
            over.proposed_limit()
        )
    })
}

/// The soft `ulimit -u` where the kernel applies it to this process: not to root (real user
/// id 0); `None` too where it is unlimited or unreadable.
pub(super) fn processes_limit_applied() -> Option<u64> {
    if crate::sys::real_uid() == 0 {
        return None;
    }
    crate::sys::processes_limit()
        .map(|(soft, _)| soft)
        .filter(|soft| *soft != u64::MAX)
}

/// corelab's own threads now (`/proc/self/task`), at least 1.
pub(super) fn own_tasks() -> u64 {
    std::fs::read_dir("/proc/self/task").map_or(1, |d| d.count().max(1) as u64)
}

/// Every task (process or thread) of this real user now: the `Threads:` of each process in
/// `/proc` whose real user id is ours. `None` when `/proc` cannot be listed.
pub(super) fn user_tasks_now() -> Option<u64> {
    let uid = crate::sys::real_uid().to_string();
    let mut total = 0u64;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        {
            continue;
        }
        // A process may end between the listing and the read: it then counts for nothing.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next().map(str::to_string))
        };
        if field("Uid:").as_deref() == Some(uid.as_str()) {
            total += field("Threads:").and_then(|t| t.parse().ok()).unwrap_or(1);
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::kept_tasks::{PythonSetup, kept_tasks};
    use crate::engine::resources::sweep_needs;
    use crate::engine::resources::test_fixtures::exp;
    use crate::preset::{ModelKind, TaskKind};

    #[test]
    fn kept_tasks_count_threads_children_and_their_readers() {
        let setup = PythonSetup::default();
        assert_eq!(kept_tasks(ModelKind::Sequential, 1, setup), 0);
        assert_eq!(kept_tasks(ModelKind::Threads, 8, setup), 8);
        assert_eq!(kept_tasks(ModelKind::Rayon, 8, setup), 8);
        // 8 worker processes, each with corelab's stdout and stderr reader threads.
        assert_eq!(kept_tasks(ModelKind::Processes, 8, setup), 24);
        // The interpreter, its two readers, its pool's 8 processes, the pool's 3 handler
        // threads and (spawn, the default) multiprocessing's resource tracker.
        assert_eq!(kept_tasks(ModelKind::PyMultiprocessing, 8, setup), 15);
        assert_eq!(kept_tasks(ModelKind::PyThreading, 8, setup), 11);
        assert_eq!(kept_tasks(ModelKind::PyAsyncio, 8, setup), 3);
        // mpiexec, rank 0, 8 worker ranks, two readers.
        assert_eq!(kept_tasks(ModelKind::PyMpi, 8, setup), 12);
    }

    #[test]
    fn a_process_sweep_over_the_user_process_limit_is_refused_and_a_tight_one_warned() {
        // processes and py-multiprocessing at 1..64 workers: every cell alive at once.
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Processes, ModelKind::PyMultiprocessing],
            vec![1, 2, 4, 8, 16, 32, 64],
        );
        let needs = sweep_needs(&e).unwrap();
        // processes: 3 × 127 = 381; py-multiprocessing: 7 cells × (the interpreter and its 2
        // readers, the pool's 3 handler threads, the resource tracker) + 127 pool processes.
        assert_eq!(sweep_tasks(&needs), 381 + 7 * 7 + 127);
        let err = processes_plan(&needs, 10, Some(500)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("at least 567 processes and threads") && text.contains("at most 500"),
            "{text}"
        );
        assert!(text.contains("ulimit -u 1134"), "{text}");
        assert!(text.contains("processes × 64, 192 at least"), "{text}");
        // Enough for the sweep and corelab: it starts, warned only if the user's other tasks
        // would take it over.
        assert!(processes_plan(&needs, 10, Some(567)).is_ok());
        assert!(processes_plan(&needs, 10, Some(566)).is_err());
        assert!(processes_plan(&needs, 10, None).is_ok());
        assert_eq!(processes_warning(&needs, 100, Some(1000)), None);
        let warning = processes_warning(&needs, 600, Some(1000)).unwrap();
        assert!(warning.contains("at least 557 processes"), "{warning}");
        assert!(warning.contains("ulimit -u 2314"), "{warning}");
        assert!(warning.contains("your user has 600 already"), "{warning}");
        // A sweep that starts nothing is never refused.
        let seq = sweep_needs(&exp(TaskKind::Cpu, vec![ModelKind::Sequential], vec![1])).unwrap();
        assert!(processes_plan(&seq, 1000, Some(1)).is_ok());
    }

    #[test]
    fn dask_and_mpi_are_refused_at_their_floor_and_warned_at_their_measured_threads() {
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::PyDask, ModelKind::PyMpi],
            vec![1, 2, 4],
        );
        let needs = sweep_needs(&e).unwrap();
        // Floor: Dask 4 + 2 w (6, 8, 12), MPI 4 + w (5, 6, 8). Likely, as measured: Dask
        // 2 + 3 + 7 w (12, 19, 33), MPI 2 + 4 + 3 (w + 1) (12, 15, 21).
        assert_eq!(sweep_tasks(&needs), 26 + 19);
        assert_eq!(sweep_likely_tasks(&needs), 64 + 48);
        // The floor fits: not refused, but warned that the engines' own threads may not.
        assert!(processes_plan(&needs, 10, Some(60)).is_ok());
        let warning = processes_warning(&needs, 10, Some(60)).unwrap();
        assert!(
            warning.starts_with(
                "this sweep starts at least 45 (about 112 with the threads Dask and MPI start themselves"
            ),
            "{warning}"
        );
        assert!(warning.contains("ulimit -u 244"), "{warning}");
        assert_eq!(processes_warning(&needs, 10, Some(122)), None);
        // Below the floor: refused, naming both counts and proposing the likely need twice.
        let text = processes_plan(&needs, 10, Some(50))
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("would start at least 55 processes and threads")
                && text.contains("(at least 45 (about 112 with the threads Dask and MPI")
                && text.contains("ulimit -u 244"),
            "{text}"
        );
    }

    #[test]
    fn the_refusal_and_the_warning_draw_the_line_at_the_same_count() {
        // One computation (`tasks_over_limit`) for both: with the same tasks counted besides
        // the sweep, one refuses exactly where the other warns, and both propose the same
        // limit.
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Threads, ModelKind::PyMultiprocessing],
            vec![1, 4],
        );
        let needs = sweep_needs(&e).unwrap();
        let sweep = sweep_tasks(&needs);
        for others in [0, 3, 50] {
            for limit in sweep + others - 2..=sweep + others + 2 {
                let refused = processes_plan(&needs, others, Some(limit));
                let warned = processes_warning(&needs, others, Some(limit));
                assert_eq!(refused.is_err(), warned.is_some(), "{others} {limit}");
                assert_eq!(refused.is_err(), limit < sweep + others, "{others} {limit}");
                if let (Err(e), Some(w)) = (refused, warned) {
                    let proposed = format!("ulimit -u {}", 2 * (sweep + others));
                    assert!(e.to_string().contains(&proposed), "{e}");
                    assert!(w.contains(&proposed), "{w}");
                }
            }
        }
        assert_eq!(tasks_over_limit(&needs, 0, None), None);
    }

    #[test]
    fn a_command_task_adds_its_largest_run_s_programs() {
        let e = exp(TaskKind::Command, vec![ModelKind::Threads], vec![2, 4]);
        let needs = sweep_needs(&e).unwrap();
        // 2 + 4 threads kept, plus the 4 programs of a 4-worker run.
        assert_eq!(sweep_tasks(&needs), 6 + 4);
    }
}

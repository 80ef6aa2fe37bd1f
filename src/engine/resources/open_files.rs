//! The limit on open files (`ulimit -n`) against the pipes a sweep keeps to its child
//! processes: nothing to do, a raise of the soft limit, or a refusal.

use super::error::ResourceError;
use super::needs::CellNeeds;
use crate::preset::ModelKind;

/// Pipes corelab keeps open to each child process it starts: its stdin, stdout and stderr.
pub(super) const PIPES_PER_CHILD: u64 = 3;
/// Files corelab itself may hold open besides its children's pipes (standard streams, the
/// results file, `/proc` readings, a run's I/O files), counted on top of the cells' pipes.
pub(super) const OWN_OPEN_FILES: u64 = 64;

/// What to do about the limit on open files (soft, hard) for a sweep whose cells are
/// `needs`: nothing (`Ok(None)`), raise the soft limit to the figure given (the hard limit
/// allows it), or refuse (not even the hard limit is enough).
pub(super) fn open_files_plan(
    needs: &[CellNeeds],
    (soft, hard): (u64, u64),
) -> Result<Option<u64>, ResourceError> {
    let pipes: u64 = needs.iter().map(|c| c.open_files).sum();
    let needed = pipes.saturating_add(OWN_OPEN_FILES);
    if pipes == 0 || needed <= soft {
        return Ok(None);
    }
    if needed <= hard {
        return Ok(Some(needed));
    }
    let worst = needs.iter().max_by_key(|c| c.open_files);
    Err(ResourceError::OpenFiles {
        needed,
        pipes,
        limit: soft,
        hard,
        model: worst.map_or(ModelKind::Processes, |c| c.model),
        workers: worst.map_or(0, |c| c.workers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::sweep_needs;
    use crate::engine::resources::test_fixtures::exp;
    use crate::preset::TaskKind;

    #[test]
    fn pipes_to_every_worker_process_count_against_the_open_files_limit() {
        // Processes at 1 to 256 workers: 511 worker processes alive at once, 3 pipes each.
        let workers: Vec<usize> = (0..9).map(|p| 1 << p).collect();
        let e = exp(
            TaskKind::Cpu,
            vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Processes,
            ],
            workers,
        );
        let needs = sweep_needs(&e).unwrap();
        let pipes: u64 = needs.iter().map(|c| c.open_files).sum();
        assert_eq!(
            pipes,
            511 * PIPES_PER_CHILD,
            "threads and sequential hold none"
        );
        let needed = pipes + OWN_OPEN_FILES;
        // The common desktop limits (soft 1 024, hard 524 288): raised, not refused.
        assert_eq!(open_files_plan(&needs, (1024, 524_288)), Ok(Some(needed)));
        // Enough already: nothing to do.
        assert_eq!(open_files_plan(&needs, (20_000, 20_000)), Ok(None));
        // `ulimit -n 64` (soft and hard): refused before the sweep, naming the figures.
        let refused = open_files_plan(&needs, (64, 64)).unwrap_err();
        let text = refused.to_string();
        assert!(
            text.contains(&format!("about {needed} files open at once")),
            "{text}"
        );
        assert!(text.contains("the largest cell: processes × 256"), "{text}");
        assert!(
            text.contains("may open at most 64 (ulimit -n), and no more than 64 without"),
            "{text}"
        );
        assert!(text.contains(&format!("ulimit -n {needed}")), "{text}");
    }

    #[test]
    fn a_python_cell_holds_one_interpreter_and_in_process_models_no_pipes() {
        let e = exp(
            TaskKind::Cpu,
            vec![ModelKind::Threads, ModelKind::PyMultiprocessing],
            vec![64],
        );
        let needs = sweep_needs(&e).unwrap();
        let of = |m: ModelKind| needs.iter().find(|c| c.model == m).unwrap().open_files;
        assert_eq!(of(ModelKind::Threads), 0);
        assert_eq!(of(ModelKind::PyMultiprocessing), PIPES_PER_CHILD);
        // Far below any real limit: nothing is raised.
        assert_eq!(open_files_plan(&needs, (1024, 1024)), Ok(None));
    }
}

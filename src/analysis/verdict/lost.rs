//! The verdict's lost-updates lines: what a contention task's shared counter lost, from the
//! figures the lost-updates chart and the table's note show (`results::lost_share`).

use super::*;

/// Whether any timed run of the completed cell of `r` that `c` stands for (same model and
/// workers) lost updates.
pub(super) fn lost_any(r: &ResultsFile, c: &CellResult) -> bool {
    r.cells
        .iter()
        .filter(|o| completed(o) && o.model == c.model && o.workers == c.workers)
        .any(|o| lost_share(r, o).is_some_and(|s| s.any()))
}

/// What one cell's runs lost, in the long form the chart's hover uses too
/// ([`LostShare::long_words`]): `threads × 2 lost a median 40% of the 2000 increments a run
/// asked for (in 14 of 31 runs, from 0% to 47%, up to 940 in one run)`.
pub(super) fn lost_words(c: &CellResult, s: &LostShare) -> String {
    format!("{} {}", cell_name(c), s.long_words())
}

/// What the lock of a contention task is, for a sentence: `a lock (mutex)`.
pub(super) fn sync_words(sync: SyncMode) -> &'static str {
    match sync {
        SyncMode::Mutex => "a lock (mutex)",
        SyncMode::Atomic => "atomic increments",
        SyncMode::Channel => "one owner fed by a channel",
        SyncMode::Semaphore => "a semaphore",
        SyncMode::None => "no lock",
    }
}

/// The lesson of a contention task, from the lost-updates figures the chart and the table
/// show ([`lost_share`]): without a lock, what each model lost at each worker count, and
/// that one worker lost none; with one, that no run lost any, or loudly that one did (a
/// defect). Empty where no run counted its lost updates.
pub(super) fn lost_texts(r: &ResultsFile) -> Vec<String> {
    let shares: Vec<(&CellResult, LostShare)> = r
        .cells
        .iter()
        .filter(|c| completed(c))
        .filter_map(|c| Some((c, lost_share(r, c)?)))
        .collect();
    if shares.is_empty() {
        return Vec::new();
    }
    let sync = r.experiment.task.contention.sync;
    let defect = |c: &CellResult, s: &LostShare, why: &str| {
        format!(
            "DEFECT: {} {} {why}: the count is wrong, so do not trust these results and report it.",
            cell_name(c),
            s.short_words()
        )
    };
    if sync != SyncMode::None {
        let losing: Vec<String> = shares
            .iter()
            .filter(|(_, s)| s.any())
            .map(|(c, s)| defect(c, s, &format!("with {}", sync_words(sync))))
            .collect();
        if !losing.is_empty() {
            return losing;
        }
        let runs: usize = shares.iter().map(|(_, s)| s.runs).sum();
        return vec![format!(
            "No lost updates: with {} no run lost an increment ({} in {}); the lock costs time and buys a right count.",
            sync_words(sync),
            crate::words::count(runs, "run"),
            crate::words::count(shares.len(), "cell")
        )];
    }
    let mut texts = Vec::new();
    for m in models_in(shares.iter().map(|(c, _)| *c)) {
        let mut many: Vec<&(&CellResult, LostShare)> = shares
            .iter()
            .filter(|(c, _)| c.model == Some(m) && c.workers >= 2)
            .collect();
        many.sort_by_key(|(c, _)| c.workers);
        if many.is_empty() {
            continue;
        }
        let parts: Vec<String> = many.iter().map(|(c, s)| lost_words(c, s)).collect();
        texts.push(format!(
            "Lost updates without a lock: {}.",
            parts.join("; ")
        ));
    }
    let one: Vec<&(&CellResult, LostShare)> =
        shares.iter().filter(|(c, _)| c.workers == 1).collect();
    let one_lost: Vec<String> = one
        .iter()
        .filter(|(_, s)| s.any())
        .map(|(c, s)| defect(c, s, "with no other worker to race"))
        .collect();
    if !one_lost.is_empty() {
        texts.extend(one_lost);
    } else if !one.is_empty() {
        texts.push(
            "One worker lost none: with no other worker to race, every increment counts."
                .to_string(),
        );
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    /// A contention file (`sync`, 100 increments a worker) of `cells`, each with the lost
    /// updates of its runs (one count a run, as many as its walls).
    fn contention(sync: SyncMode, cells: Vec<(CellResult, &[u64])>) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.sync = sync;
        r.experiment.task.contention.increments = 100;
        r.machine.logical_cores = 2;
        r.cells = cells
            .into_iter()
            .map(|(mut c, lost)| {
                for (s, &l) in c.samples.iter_mut().zip(lost) {
                    s.lost_updates = Some(l);
                }
                c
            })
            .collect();
        r.recompute();
        r
    }

    #[test]
    fn without_a_lock_the_verdict_leads_with_the_lost_updates() {
        // threads × 2 ask for 200 increments a run: a median of 80 lost is 40%; × 4 (400 a
        // run) lost in two runs of six, the median run none; one worker lost none. GIL
        // threads scaled (their throughput), which says nothing about the GIL here.
        let r = contention(
            SyncMode::None,
            vec![
                (cell(ModelKind::Sequential, 1, &six(1.0)), &[0; 6]),
                (cell(ModelKind::Threads, 1, &six(1.0)), &[0; 6]),
                (
                    cell(ModelKind::Threads, 2, &six(0.8)),
                    &[0, 60, 80, 80, 90, 94],
                ),
                (
                    cell(ModelKind::Threads, 4, &six(1.2)),
                    &[0, 0, 0, 0, 3, 200],
                ),
                (cell(ModelKind::GilThreads, 2, &six(0.9)), &[0; 6]),
            ],
        );
        let t = texts(&r);
        assert_eq!(
            &t[..3],
            [
                "Lost updates without a lock: threads × 2 lost a median 40% of the 200 increments a run asked for (in 5 of 6 runs, from 0% to 47%, up to 94 in one run); threads × 4 lost updates in 2 of 6 runs (up to 200 of the 400 increments a run asked for, 50%), though the median run lost none.",
                "Lost updates without a lock: gil-threads × 2 lost none of the 200 increments a run asked for (6 runs).",
                "One worker lost none: with no other worker to race, every increment counts.",
            ],
            "{t:?}"
        );
        // The fastest per share (threads × 4, 0.3 s a share) lost updates: said on its line.
        let f = &of(&r, VerdictTopic::Fastest)[0];
        assert!(
            f.starts_with("Fastest per worker's share of the work: threads × 4"),
            "{f}"
        );
        assert!(
            f.ends_with(
                "; but its counter lost updates: without a lock this speed buys a wrong count."
            ),
            "{f}"
        );
        // No GIL reading of a counter: gil-threads × 2 at 2.2× throughput is not "releases the
        // GIL", nor threads' 5× "No GIL".
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{t:?}");
        assert!(!t.iter().any(|l| l.contains("GIL")), "{t:?}");
        // Every run losing is said so; a one-worker loss is a defect, loudly.
        let r = contention(
            SyncMode::None,
            vec![
                (
                    cell(ModelKind::Processes, 1, &six(1.0)),
                    &[0, 0, 0, 0, 0, 7],
                ),
                (
                    cell(ModelKind::Processes, 2, &six(1.0)),
                    &[9, 10, 10, 10, 12, 100],
                ),
            ],
        );
        assert_eq!(
            of(&r, VerdictTopic::LostUpdates),
            [
                "Lost updates without a lock: processes × 2 lost a median 5.0% of the 200 increments a run asked for (in every one of 6 runs, from 4.5% to 50%, up to 100 in one run).",
                "DEFECT: processes × 1 lost updates in 1 of 6 runs (up to 7 in one run, 7.0%) with no other worker to race: the count is wrong, so do not trust these results and report it.",
            ]
        );
    }

    #[test]
    fn with_a_lock_the_verdict_says_no_run_lost_or_loudly_that_one_did() {
        let cells = |lost: &'static [u64]| {
            vec![
                (
                    cell(ModelKind::Sequential, 1, &six(1.0)),
                    &[0u64; 6] as &[u64],
                ),
                (cell(ModelKind::Threads, 2, &six(3.0)), lost),
                (cell(ModelKind::GilThreads, 2, &six(1.1)), &[0; 6]),
            ]
        };
        let r = contention(SyncMode::Mutex, cells(&[0; 6]));
        let t = texts(&r);
        assert_eq!(
            t[0],
            "No lost updates: with a lock (mutex) no run lost an increment (18 runs in 3 cells); the lock costs time and buys a right count.",
            "{t:?}"
        );
        assert!(t[1].starts_with("Fastest per worker's share"), "{t:?}");
        assert!(!t.iter().any(|l| l.contains("Lost updates")), "{t:?}");
        assert!(of(&r, VerdictTopic::Gil).is_empty(), "{t:?}");
        let r = contention(SyncMode::Atomic, cells(&[0, 0, 0, 0, 0, 3]));
        assert_eq!(
            texts(&r)[0],
            "DEFECT: threads × 2 lost updates in 1 of 6 runs (up to 3 in one run, 1.5%) with atomic increments: the count is wrong, so do not trust these results and report it."
        );
        // A file with no counted run says nothing about lost updates.
        let mut r = contention(SyncMode::None, cells(&[0; 6]));
        for c in &mut r.cells {
            for s in &mut c.samples {
                s.lost_updates = None;
            }
        }
        assert!(of(&r, VerdictTopic::LostUpdates).is_empty());
    }
}

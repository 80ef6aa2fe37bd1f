//! One run of a cell (a warm-up or a timed run): run under the cell's guard, recorded as a
//! [`Sample`] with its costs (the first [`COSTED_RUNS`] timed runs) and the load sampled around
//! it, then whatever the run's commands left behind stopped.

use std::time::Duration;

use super::Sweep;
use super::cell_faults::{fail, same_fault};
use crate::engine::cpu_time::{Snapshot, process_cpu_time, process_tree, spent_between};
use crate::engine::fault::UserFault;
use crate::engine::load;
use crate::engine::model::{Executor, RunRecord};
use crate::engine::pacer::UnitError;
use crate::engine::run_mark::not_gone_after_run_words;
use crate::preset::ModelKind;
use crate::results::{CellResult, CellStatus, Sample};

/// How many timed runs of each cell record their costs besides time (see `run_once`).
pub(super) const COSTED_RUNS: usize = 5;

impl Sweep<'_> {
    /// One run of cell `i` (a warm-up or a timed run), recorded; then whatever the run's
    /// commands left behind is stopped (after the record, so the search is never part of the
    /// run's costs). A cell stopped during the run has had its processes stopped with it.
    /// `warnings`: the results' (`ResultsFile::warnings`), where a stop tells its own.
    ///
    /// A process the run left that is still there after `SIGKILL` and the wait (in
    /// uninterruptible sleep, stuck in the kernel) fails the cell, naming it: corelab cannot
    /// keep its promise that nothing outlives a run, and the process may still hold what the
    /// cell's next runs would use. The cell is stopped; the other cells go on.
    pub(super) fn run_once(
        &mut self,
        cell: &mut CellResult,
        warnings: &mut Vec<String>,
        i: usize,
        warmup: bool,
    ) {
        self.run_and_record(cell, warnings, i, warmup);
        let Some(running) = &self.live[i].running else {
            return;
        };
        if !running.stops_what_each_run_leaves(&self.exp.task) {
            return;
        }
        let model = cell.model.unwrap_or(ModelKind::Sequential);
        let stop = self
            .config
            .executors
            .stop_left_by_run(model, cell.workers, &running.marked);
        if let Some(reason) = not_gone_after_run_words(&stop) {
            cell.status = CellStatus::Failed;
            cell.error = Some(reason);
            let told: Vec<u32> = stop.not_gone.iter().map(|n| n.pid).collect();
            self.live[i].stop(&*self.config.executors, cell, warnings, &told);
        }
    }

    /// One run of cell `i` (a warm-up or a timed run), with the other load sampled around it.
    pub(super) fn run_and_record(
        &mut self,
        cell: &mut CellResult,
        warnings: &mut Vec<String>,
        i: usize,
        warmup: bool,
    ) {
        let Some(running) = self.live[i].running.as_mut() else {
            return;
        };
        let model = cell.model.unwrap_or(ModelKind::Sequential);
        let run = cell.warmups.len() + cell.samples.len();
        let scripted = self
            .config
            .executors
            .scripted_load(model, cell.workers, run);
        let before = match (&scripted, warmup) {
            (None, false) => self.probe.snapshot(),
            _ => None,
        };
        let cpu_before = process_cpu_time();
        // The worker processes' CPU over the same interval as the load probe (their
        // preparation of the workload included): their own work, never "other load".
        let workers_before = before
            .as_ref()
            .map(|_| workers_cost(running.executor.as_ref()));
        let guard = running.marked.guard(
            self.cancel.clone(),
            Duration::from_secs_f64(self.exp.timeout_s),
        );
        // Costs besides time (switches, migrations, memory) read /proc for the run's threads
        // and every process of the model, milliseconds with many threads: only the first
        // COSTED_RUNS timed runs of a cell pay for it, so cells of short runs (hundreds of
        // them) are not slowed down by their bookkeeping. A worker process's peak RSS is a
        // high-water mark, so a late run would not see more than an early one of the same
        // executor; this process's is reset by `before_run` (see `proc_stats`).
        let costed = !warmup && cell.samples.len() < COSTED_RUNS;
        let counters = match costed {
            true => crate::engine::proc_stats::before_run(running.executor.as_ref()),
            false => None,
        };
        match running.executor.run(&self.exp.task, &running.env, &guard) {
            Ok(record) => {
                cell.shared_state = record.shared_state.clone();
                let mut sample = sample_of(&record);
                if let Some(before) = &counters {
                    sample.costs = crate::engine::proc_stats::after_run(
                        before,
                        running.executor.as_ref(),
                        record.metrics.ipc_bytes,
                        record.metrics.commands,
                    );
                }
                if warmup {
                    // A warm-up's timeline is never shown.
                    cell.warmups.push(Sample {
                        timeline: None,
                        ..sample
                    });
                    return;
                }
                // The run's own CPU time: this process and the model's worker processes over
                // the sampled interval (the workload's preparation included), or the run's
                // record where that is larger.
                let workers = workers_before.as_ref().map_or(Duration::ZERO, |b| {
                    spent_between(b, &workers_cost(running.executor.as_ref())).cpu
                });
                let own = (process_cpu_time().saturating_sub(cpu_before) + workers)
                    .max(record.cpu)
                    .as_secs_f64();
                let evidence = scripted.or_else(|| {
                    before
                        .as_ref()
                        .and_then(|b| self.probe.evidence_since(b, own))
                });
                // The run's own figure, and its verdict where it held enough ticks; then the
                // cell's runs are judged again from their pooled ticks (a short run takes the
                // cell's verdict), and the sweep pools them too.
                let recorded = evidence
                    .as_ref()
                    .is_some_and(|e| load::record_run(&mut sample, e));
                cell.samples.push(sample);
                if let (true, Some(evidence)) = (recorded, &evidence) {
                    let judge = &mut self.live[i].load;
                    if judge.add(evidence) {
                        self.load.add(evidence);
                    }
                    cell.load = judge.judge(&mut cell.samples);
                    cell.busy_runs = cell.load.as_ref().map_or(0, |l| l.busy_runs);
                }
                crate::results::timeline::prune_while_measuring(cell);
            }
            Err(err) => {
                let mut fault = UserFault::of(self.exp, &err);
                let timed_out = err == UnitError::TimedOut;
                fail(cell, err, self.exp);
                // A hang named: the calls still running just before the deadline.
                if let Some(calls) = running.executor.running_at_timeout().filter(|_| timed_out) {
                    if let Some(error) = &mut cell.error {
                        error.push_str(&format!("; still running then: {calls}"));
                    }
                    if let Some(fault) = &mut fault {
                        fault.summary.push_str(&format!(", in {calls}"));
                    }
                }
                self.live[i].stop(&*self.config.executors, cell, warnings, &[]);
                // Met while running: it stops this model's cells. Met before in another model,
                // it is told there, and this cell points at it.
                if let Some(origin) = fault.and_then(|f| self.note_user_fault(cell, f, false)) {
                    self.live[i].quiet = true;
                    cell.error = Some(same_fault(&origin, cell.samples.len()));
                }
            }
        }
    }
}

/// Cumulative cost of every worker process of the model (each with its descendants), keyed by
/// pid; empty for models that run in this process (reading `/proc` costs nothing then).
fn workers_cost(executor: &dyn Executor) -> Snapshot {
    executor
        .worker_pids()
        .unwrap_or_default()
        .into_iter()
        .flat_map(process_tree)
        .collect()
}

fn sample_of(record: &RunRecord) -> Sample {
    Sample {
        wall_s: record.wall.as_secs_f64(),
        cpu_s: record.cpu.as_secs_f64(),
        checksum: record.metrics.checksum,
        lost_updates: record.metrics.lost_updates,
        bytes_moved: record.metrics.bytes_moved,
        other_load: None,
        busy: false,
        busy_basis: Default::default(),
        minor_faults: Some(record.minor_faults),
        scheduling: record.metrics.scheduling.clone(),
        task_checksums: record.metrics.task_checksums.clone(),
        timeline: record.timeline.clone().map(Box::new),
        costs: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::pacer::{RunGuard, UnitError};
    use crate::engine::workload::RunEnv;
    use crate::preset::TaskSpec;

    /// An executor whose "worker processes" are these pids (none: a model that runs in this
    /// process), never run.
    struct Children(Vec<u32>);

    impl Executor for Children {
        fn startup(&self) -> Duration {
            Duration::ZERO
        }
        fn run(&mut self, _: &TaskSpec, _: &RunEnv, _: &RunGuard) -> Result<RunRecord, UnitError> {
            Err(UnitError::Failed("not used".into()))
        }
        fn worker_pids(&self) -> Option<Vec<u32>> {
            Some(self.0.clone())
        }
    }

    #[test]
    fn a_worker_process_cpu_between_runs_is_the_models_own() {
        use std::io::{BufRead, Write};
        use std::process::{Command, Stdio};
        // The child waits for a line, burns CPU (as a worker building its workload before a
        // run would), says so, and waits again.
        let mut child = Command::new("sh")
            .args([
                "-c",
                "read x; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done; read y",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let exec = Children(vec![child.id()]);
        let before = workers_cost(&exec);
        assert_eq!(before.len(), 1, "{before:?}");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "go").unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "done");
        let spent = spent_between(&before, &workers_cost(&exec)).cpu;
        writeln!(stdin, "end").unwrap();
        child.wait().unwrap();
        // 300 000 shell iterations take tens of milliseconds of CPU on any machine.
        assert!(spent > Duration::from_millis(5), "{spent:?}");
        // Models that run in this process read nothing.
        assert!(workers_cost(&Children(Vec::new())).is_empty());
    }
}

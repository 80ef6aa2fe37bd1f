//! The sweep: every cell of an experiment (model × workers) started, warmed up and measured in
//! interleaved rounds, its events reported as it goes and its results returned ([`run_sweep`]).
//!
//! One concept per file:
//! - [`executors`]: [`ExecutorFactory`], which starts one cell's executor ([`CellStart`]), and
//!   [`RealExecutors`], the executors corelab measures with.
//! - [`config`]: [`SweepConfig`], how a sweep starts workers and where it keeps partial results.
//! - [`plan`]: [`sweep_plan`], the cells a sweep runs, in order.
//! - [`preflight`](mod@preflight): what the experiment needs from outside corelab, checked
//!   before any cell starts ([`preflight_checked`], [`task_preflight`]).
//! - [`recorded`]: the experiment and the provenance the results record.
//! - [`split_mix`]: [`SplitMix64`], the seeded shuffle of each round's order.
//! - [`live`]: a started cell (its executor, scratch directory and mark) and the stop that ends
//!   it.
//! - [`progress`]: which cells still want runs, and the progress and load the sweep reports.
//! - [`cell_start`]: one cell's executor started, untimed, or the cell failed.
//! - [`one_run`]: one run of a cell, recorded with its costs and the load around it.
//! - [`cell_faults`]: a failed cell's error in words, and the faults of the user's code, each
//!   told once.
//! - [`cell_end`]: the cells that got all their runs (or failed) stopped, checked and reported.
//! - [`answer_check`]: every model must compute the same answer.
//! - [`partial_saves`]: the results written before the sweep ends, and when.
//! - [`handle`]: [`spawn_sweep`], a sweep on its own thread, and its [`SweepHandle`].
//!
//! This file holds [`run_sweep`], the sweep's phases in order, and `Sweep`, its state, whose
//! methods the phases' files add.

mod answer_check;
mod cell_end;
mod cell_faults;
mod cell_start;
mod config;
mod executors;
mod handle;
mod live;
mod one_run;
mod partial_saves;
mod plan;
mod preflight;
mod progress;
mod recorded;
mod split_mix;
#[cfg(test)]
mod tests;

pub use config::SweepConfig;
pub use executors::{CellStart, ExecutorFactory, RealExecutors};
pub use handle::{SweepHandle, spawn_sweep};
pub use plan::sweep_plan;
pub use preflight::{Preflight, preflight, preflight_checked, preflight_with, task_preflight};
pub use split_mix::SplitMix64;

use std::time::{Instant, SystemTime};

use cell_faults::{ToldFault, not_run, stopping};
use live::Live;
use partial_saves::{PartialSaves, save_or_report, saved_mid_sweep};
use recorded::recorded_experiment;
pub use recorded::recorded_provenance;
use split_mix::clock_seed;

use super::cancel::CancelToken;
use super::event::SweepEvent;
use super::load::{self, LoadEvidence, LoadProbe};
use super::run_count::RunCount;
use crate::preset::{Experiment, ModelKind};
use crate::results::{
    CellStatus, MachineInfo, ResultsFile, RunStatus, WriterProcess, utc_timestamp,
};

/// Runs a whole sweep on the calling thread, reporting through `emit`. Returns the results,
/// also when cancelled (then with `status: cancelled`, the cells that completed, and the cells
/// still being measured marked `cancelled` with the runs they had).
///
/// The measurement is interleaved, so that a burst of load on a shared machine spreads over
/// every cell instead of slowing one whole cell: every cell's executor is started first (its
/// start-up is reported apart and never timed; a failure fails that cell only), then come the
/// warm-ups, then rounds. In each round every cell that still wants runs (see [`RunCount`])
/// does one timed run, in an order shuffled anew each round from a seed recorded in the
/// results. The executors stay alive from the first round to the cell's last run. Other
/// programs' load is sampled around every timed run (see [`super::load`]).
///
/// A failure fails its own cell only, except a fault of the user's own code (see
/// [`UserFault::of`]), which is told once: its cell keeps the whole message (one `Failed`
/// event) and the cells it stops are failed with a one-line reference to it, keeping the runs
/// they had. A fault that cannot depend on the model, met while a cell starts (the module
/// fails to import, a syntax error, the function is missing), stops every cell, and no cell
/// is started after it. A module that imports in the interpreter but fails in the model's
/// pool only (a pool process, a Dask worker, an MPI rank: `UnitError::PoolCode`) stops the
/// cells of that model only, as a fault met while running does. A fault met while running (an exception, a hang) stops the cells of
/// its model only, and the other models go on; a model that then meets the same fault (the
/// same exception from the same frame of the user's code, or a hang again) is stopped at once
/// as well, its cell pointing at the first instead of repeating the message.
///
/// [`UserFault::of`]: super::fault::UserFault::of
pub fn run_sweep(
    exp: &Experiment,
    config: &SweepConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(SweepEvent),
) -> ResultsFile {
    // The function's recorded source: from the caller's checked reading of the module, or
    // one read now, before the calibration imports and runs it.
    let provenance = recorded_provenance(exp, config);
    // 0. With a target time per run, size the task on this machine first.
    let (calibrated, calibration) = super::calibrate::calibrate_experiment(
        exp,
        &super::resources::available_now(),
        config.executors.as_ref(),
        &config.worker,
        cancel,
    );
    let exp = &calibrated;
    let plan = sweep_plan(exp);
    let seed = config.shuffle_seed.unwrap_or_else(clock_seed);
    let mut rng = SplitMix64(seed);
    let mut results = ResultsFile {
        started_at: utc_timestamp(SystemTime::now()),
        machine: MachineInfo::detect(),
        experiment: recorded_experiment(exp),
        shuffle_seed: Some(seed),
        calibration,
        provenance,
        // Named while the file is `incomplete`, so that one this process leaves when killed
        // can be told from one still being written (dropped at the end).
        writer: Some(WriterProcess::this()),
        ..ResultsFile::default()
    };
    // A missing interpreter fails the Python cells (with the reason), not the sweep.
    let python = match exp.models.iter().any(|m| m.is_python()) {
        true => Some(
            config
                .executors
                .python_info(&exp.python)
                .map_err(|e| e.to_string()),
        ),
        false => None,
    };
    results.python = python.clone().and_then(Result::ok);
    results.recompute();
    let mut sweep = Sweep {
        exp,
        config,
        cancel,
        count: RunCount::of(exp),
        planned_cells: plan.len(),
        probe: LoadProbe::new(),
        load: LoadEvidence::default(),
        live: Vec::new(),
        started: Instant::now(),
        faults: Vec::new(),
    };
    emit(SweepEvent::Started {
        plan: plan.clone(),
        runs_total: plan.len() * sweep.runs_per_cell(),
        timed_per_cell: sweep.count.expected(&[]),
    });

    // 1. Start-up: every cell's executor, before any run.
    for &(model, workers) in &plan {
        if cancel.is_cancelled() {
            break;
        }
        emit(SweepEvent::CellStarted { model, workers });
        let unavailable = match &python {
            Some(Err(reason)) if model.is_python() => Some(reason.clone()),
            Some(Ok(info)) => info.refuses(model),
            _ => None,
        };
        // A cell after one whose start met a fault of the user's code is not started: it
        // fails quietly, pointing at that fault.
        let skipped = stopping(&sweep.faults, model).map(not_run);
        let quiet = skipped.is_some();
        let (cell, running, met_again) = sweep.start_cell(model, workers, skipped.or(unavailable));
        let quiet = quiet || met_again;
        results.cells.push(cell);
        sweep.live.push(Live {
            running,
            finished: false,
            quiet,
            load: load::CellJudge::default(),
        });
    }
    // A cell started before one whose start met a fault of the user's code is stopped too.
    sweep.stop_after_user_fault(&mut results);
    // Cells that could not start are done already.
    sweep.finish_cells(&mut results, emit);
    sweep.progress(&results, emit);

    // 2. Warm-ups, round by round like the timed runs.
    'sweep: {
        for _ in 0..exp.warmups {
            let order = rng.shuffled(sweep.running_cells());
            for i in order {
                if cancel.is_cancelled() {
                    break 'sweep;
                }
                sweep.run_once(&mut results.cells[i], &mut results.warnings, i, true);
                sweep.stop_after_user_fault(&mut results);
                sweep.progress(&results, emit);
            }
        }
        // 3. Timed rounds while any cell wants more runs.
        let mut round = 0;
        let mut saves = PartialSaves::new();
        loop {
            let wanting: Vec<usize> = sweep
                .running_cells()
                .into_iter()
                .filter(|&i| sweep.wants_more(&results.cells[i], i))
                .collect();
            if wanting.is_empty() {
                break;
            }
            round += 1;
            for i in rng.shuffled(wanting) {
                if cancel.is_cancelled() {
                    break 'sweep;
                }
                let cell = &results.cells[i];
                emit(SweepEvent::CellStarted {
                    model: cell.model.unwrap_or(ModelKind::Sequential),
                    workers: cell.workers,
                });
                let runs_before = results.cells[i].samples.len();
                sweep.run_once(&mut results.cells[i], &mut results.warnings, i, false);
                if let Some(run) = results.cells[i].samples.get(runs_before) {
                    saves.measured(run.wall_s);
                }
                sweep.stop_after_user_fault(&mut results);
                sweep.progress(&results, emit);
                // A long round is saved within it too (see `PartialSaves`).
                if let Some(path) = &config.partial_results
                    && saves.due_within_round()
                {
                    results.machine.load_during_runs = sweep.load_summary(&results);
                    save_or_report(
                        &*config.saver,
                        &saved_mid_sweep(&results, &sweep.live),
                        path,
                        emit,
                    );
                }
            }
            let finished_before = sweep.live.iter().filter(|l| l.finished).count();
            sweep.finish_cells(&mut results, emit);
            let cell_finished = sweep.live.iter().filter(|l| l.finished).count() > finished_before;
            results.machine.load_during_runs = sweep.load_summary(&results);
            results.recompute();
            emit(SweepEvent::RoundDone {
                round,
                cells: results
                    .cells
                    .iter()
                    .filter(|c| !c.samples.is_empty())
                    .cloned()
                    .collect(),
                warnings: results.warnings.clone(),
            });
            sweep.progress(&results, emit);
            if let Some(path) = &config.partial_results
                && saves.due_at_round_end(cell_finished)
            {
                // A failed partial write must not stop the measurement; it is reported.
                save_or_report(
                    &*config.saver,
                    &saved_mid_sweep(&results, &sweep.live),
                    path,
                    emit,
                );
            }
        }
    }
    // Cells that got all their runs before a cancel are complete; the rest were cut short.
    sweep.finish_cells(&mut results, emit);
    for (cell, live) in results.cells.iter_mut().zip(&mut sweep.live) {
        if !live.finished {
            live.stop(&*sweep.config.executors, cell, &mut results.warnings, &[]);
            live.finished = true;
            cell.status = CellStatus::Cancelled;
            cell.error = Some(format!("cancelled after {} timed runs", cell.samples.len()));
        }
    }
    results.status = if cancel.is_cancelled() {
        RunStatus::Cancelled
    } else if !results.cells.is_empty()
        && results.cells.iter().all(|c| c.status == CellStatus::Failed)
    {
        RunStatus::Failed
    } else {
        RunStatus::Complete
    };
    results.machine.load_during_runs = sweep.load_summary(&results);
    results.finished_at = Some(utc_timestamp(SystemTime::now()));
    results.writer = None;
    results.recompute();
    sweep.progress(&results, emit);
    if let Some(path) = &config.partial_results {
        save_or_report(&*config.saver, &results, path, emit);
    }
    emit(SweepEvent::Finished(Box::new(results.clone())));
    results
}

/// The state of one interleaved sweep; `live[i]` belongs to `results.cells[i]`.
struct Sweep<'a> {
    exp: &'a Experiment,
    config: &'a SweepConfig,
    cancel: &'a CancelToken,
    count: RunCount,
    planned_cells: usize,
    probe: LoadProbe,
    /// The raw load evidence of every timed run of the sweep, pooled.
    load: LoadEvidence,
    live: Vec<Live>,
    started: Instant,
    /// The faults of the user's own code met so far, each told once, in the order met.
    faults: Vec<ToldFault>,
}

impl Drop for Sweep<'_> {
    fn drop(&mut self) {
        // Only where `run_sweep` did not end every cell (a panic): the mark's drop stops it.
        for live in &mut self.live {
            if let Some(mut r) = live.running.take() {
                r.marked.note_members();
                r.executor.shutdown();
            }
        }
    }
}

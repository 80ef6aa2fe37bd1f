#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The lessons corelab exists to show, checked deterministically: shared counters lose updates
//! without synchronisation (under a forced interleaving, exactly the updates that were
//! overwritten) and none with it, across threads and processes.
//!
//! The measured lessons (the GIL keeps CPU-bound threads flat while plain threads and
//! processes scale, I/O-bound threads scale past the cores, an unforced race loses updates,
//! contention slows down) depend on the machine and how busy it is, so they are not in
//! `cargo test`: run `corelab selftest --lessons`. Tests that run real sweeps hold a lock.

mod common;

use std::cell::Cell;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::*;
use corelab::engine::workload::{self, RunEnv};
use corelab::engine::{Pacer, UnitError, UnitResult};
use corelab::preset::{Experiment, ModelKind, SyncMode, TaskKind, TaskSpec};
use corelab::results::ResultsFile;

/// Runs `exp`; every cell must succeed.
fn sweep_ok(exp: &Experiment) -> ResultsFile {
    let results = sweep(exp);
    assert_all_ok(&results);
    results
}

fn lost_updates(sync: SyncMode, model: ModelKind) -> u64 {
    let mut exp = tiny_experiment(TaskKind::Contention, &[ModelKind::Sequential, model], &[2]);
    exp.task.contention.sync = sync;
    exp.task.contention.increments = 1_000_000;
    exp.repetitions = 3;
    let r = sweep_ok(&exp);
    let cell = r.cell(model, 2).unwrap();
    let lost: Vec<u64> = cell
        .samples
        .iter()
        .map(|s| s.lost_updates.unwrap())
        .collect();
    eprintln!(
        "{} with {model} × 2: lost updates per run {lost:?}",
        sync.id()
    );
    *lost.iter().max().unwrap()
}

/// A pacer that never pauses.
struct Free;

impl Pacer for Free {
    fn checkpoint(&self) -> UnitResult<()> {
        Ok(())
    }
    fn wait(&self, _: Duration) -> UnitResult<()> {
        Ok(())
    }
    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        io().map_err(|e| UnitError::Failed(e.to_string()))
    }
}

/// A contention workload of two workers with `increments` each, in memory.
fn counter(sync: SyncMode, increments: u64) -> (tempfile::TempDir, Box<dyn workload::Workload>) {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = TaskSpec {
        kind: TaskKind::Contention,
        ..TaskSpec::default()
    };
    spec.contention.sync = sync;
    spec.contention.increments = increments;
    let env = RunEnv {
        workers: 2,
        scratch_dir: dir.path().to_path_buf(),
        shared_file: None,
    };
    let w = workload::build(&spec, &env).unwrap();
    (dir, w)
}

/// Two workers of `increments` each; worker 1 runs entirely inside worker 0's first checkpoint:
/// a forced interleaving of two workers on one thread. For the racy counter the first
/// checkpoint falls between a read of the counter and the write of that value plus one.
/// Returns the lost updates.
fn forced_interleaving(sync: SyncMode, increments: u64) -> u64 {
    let (lost, inside) = interleaved(sync, increments, 1);
    assert!(inside, "the interleaving happened");
    lost
}

#[test]
fn an_unsynchronised_counter_loses_exactly_the_overwritten_updates() {
    // Worker 0 reads the counter halfway through its increments; all of worker 1's increments
    // happen before worker 0 writes back what it read plus one: worker 1's are all lost.
    assert_eq!(forced_interleaving(SyncMode::None, 1000), 1000);
    assert_eq!(forced_interleaving(SyncMode::None, 10), 10);
}

#[test]
fn synchronised_counters_lose_nothing_under_the_same_interleaving() {
    for sync in [SyncMode::Mutex, SyncMode::Atomic, SyncMode::Semaphore] {
        assert_eq!(forced_interleaving(sync, 1000), 0, "{}", sync.id());
    }
}

/// A pacer that counts its checkpoints and, at the `at`-th (from 1), runs another worker's
/// whole unit there.
struct RunOtherAt<'a> {
    other: &'a dyn Fn() -> UnitResult<()>,
    at: usize,
    seen: Cell<usize>,
}

impl Pacer for RunOtherAt<'_> {
    fn checkpoint(&self) -> UnitResult<()> {
        self.seen.set(self.seen.get() + 1);
        if self.seen.get() == self.at {
            (self.other)()?;
        }
        Ok(())
    }
    fn wait(&self, _: Duration) -> UnitResult<()> {
        Ok(())
    }
    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        io().map_err(|e| UnitError::Failed(e.to_string()))
    }
}

/// Two workers of `increments` each; worker 1 runs entirely inside worker 0's `at`-th
/// checkpoint (after worker 0, where it has fewer). Returns the lost updates.
fn run_other_at(sync: SyncMode, increments: u64, at: usize) -> u64 {
    interleaved(sync, increments, at).0
}

/// Two workers of `increments` each; worker 1 runs entirely inside worker 0's `at`-th
/// checkpoint, or after worker 0 where it has fewer. Returns the lost updates and whether
/// worker 1 ran inside worker 0.
fn interleaved(sync: SyncMode, increments: u64, at: usize) -> (u64, bool) {
    let (_dir, w) = counter(sync, increments);
    let other = || w.run_unit(1, &Free).map(|_| ());
    let pacer = RunOtherAt {
        other: &other,
        at,
        seen: Cell::new(0),
    };
    let sum = w.run_unit(0, &pacer).unwrap();
    let inside = pacer.seen.get() >= at;
    if !inside {
        other().unwrap();
    }
    let m = w.finish(sum).unwrap();
    let lost = m.lost_updates.unwrap();
    assert_eq!(m.checksum + lost, 2 * increments);
    (lost, inside)
}

#[test]
fn half_the_racy_counters_checkpoints_fall_between_its_read_and_its_write() {
    // Where an emulated GIL may switch threads: at every checkpoint. Switching at one between
    // a read and the write of that value plus one (as CPython ≤ 3.9 may inside `counter +=
    // 1`) loses every increment the other worker makes meanwhile; at one after the write
    // (CPython's loop jump), none.
    let increments = 5000;
    let (_dir, w) = counter(SyncMode::None, increments);
    let count = RunOtherAt {
        other: &|| Ok(()),
        at: 0,
        seen: Cell::new(0),
    };
    w.run_unit(0, &count).unwrap();
    let checkpoints = count.seen.get();
    assert!(checkpoints >= 4, "{checkpoints}");
    let mut inside = 0;
    for at in 1..=checkpoints {
        let lost = run_other_at(SyncMode::None, increments, at);
        assert!(
            lost == 0 || lost == increments,
            "checkpoint {at}: {lost} lost, neither none nor all of the other worker's"
        );
        inside += usize::from(lost == increments);
        // A counter under a lock loses nothing at the same point.
        for sync in [SyncMode::Mutex, SyncMode::Atomic] {
            assert_eq!(run_other_at(sync, increments, at), 0, "{}", sync.id());
        }
    }
    assert_eq!(
        2 * inside,
        checkpoints,
        "{inside} of {checkpoints} checkpoints inside the read-write window"
    );
}

/// A seeded interpreter lock over two worker threads: one holds the turn; at each checkpoint
/// it hands the turn over with probability 1/`odds` (a switch interval passing) and waits for
/// it back; blocking calls (the start line) hand it over too. Deterministic: exactly one
/// thread runs at a time, and the seed decides where the switches fall.
struct SeededGil {
    state: Arc<(std::sync::Mutex<GilState>, std::sync::Condvar)>,
    me: usize,
    odds: u64,
}

struct GilState {
    turn: usize,
    done: [bool; 2],
    rng: u64,
    switches: usize,
}

impl SeededGil {
    fn hand_over_and_wait(&self) {
        let (lock, cv) = &*self.state;
        let mut s = lock.lock().unwrap();
        if !s.done[1 - self.me] {
            s.turn = 1 - self.me;
            s.switches += 1;
            cv.notify_all();
        }
        while s.turn != self.me {
            s = cv.wait(s).unwrap();
        }
    }

    fn wait_turn(&self) {
        let (lock, cv) = &*self.state;
        let mut s = lock.lock().unwrap();
        while s.turn != self.me {
            s = cv.wait(s).unwrap();
        }
    }

    fn finish(&self) {
        let (lock, cv) = &*self.state;
        let mut s = lock.lock().unwrap();
        s.done[self.me] = true;
        s.turn = 1 - self.me;
        cv.notify_all();
    }
}

impl Pacer for SeededGil {
    fn checkpoint(&self) -> UnitResult<()> {
        let switch = {
            let mut s = self.state.0.lock().unwrap();
            // SplitMix64.
            s.rng = s.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s.rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)).is_multiple_of(self.odds)
        };
        if switch {
            self.hand_over_and_wait();
        }
        Ok(())
    }
    fn wait(&self, _: Duration) -> UnitResult<()> {
        Ok(())
    }
    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        // Released around the call, as the emulated GIL is: the other thread runs meanwhile
        // (here: to its own blocking call), then the turn comes back.
        {
            let (lock, cv) = &*self.state;
            let mut s = lock.lock().unwrap();
            s.turn = 1 - self.me;
            cv.notify_all();
        }
        let r = io().map_err(|e| UnitError::Failed(e.to_string()));
        self.wait_turn();
        r
    }
}

/// Two threads of `increments` each under [`SeededGil`] with `seed`. Returns the lost updates
/// and the switches.
fn under_a_seeded_gil(sync: SyncMode, increments: u64, seed: u64) -> (u64, usize) {
    let (_dir, w) = counter(sync, increments);
    let state = Arc::new((
        std::sync::Mutex::new(GilState {
            turn: 0,
            done: [false; 2],
            rng: seed,
            switches: 0,
        }),
        std::sync::Condvar::new(),
    ));
    std::thread::scope(|s| {
        for me in 0..2 {
            let pacer = SeededGil {
                state: state.clone(),
                me,
                odds: 3,
            };
            let w = &w;
            s.spawn(move || {
                pacer.wait_turn();
                w.run_unit(me, &pacer).unwrap();
                pacer.finish();
            });
        }
    });
    let m = w.finish(0).unwrap();
    let lost = m.lost_updates.unwrap();
    assert_eq!(m.checksum + lost, 2 * increments);
    let switches = state.0.lock().unwrap().switches;
    (lost, switches)
}

#[test]
fn threads_under_an_interpreter_lock_lose_some_racy_updates_and_no_locked_one() {
    // One thread runs at a time, yet a switch between a read and its write loses what the
    // other thread adds meanwhile: some updates are lost, not all. The same switches lose
    // nothing under a lock.
    for seed in [1, 2, 3] {
        let (lost, switches) = under_a_seeded_gil(SyncMode::None, 20_000, seed);
        assert!(switches >= 4, "seed {seed}: {switches} switches");
        assert!(lost > 0 && lost < 20_000, "seed {seed}: {lost} lost");
        for sync in [SyncMode::Mutex, SyncMode::Atomic] {
            assert_eq!(
                under_a_seeded_gil(sync, 20_000, seed).0,
                0,
                "{} seed {seed}",
                sync.id()
            );
        }
    }
}

/// A pacer whose every checkpoint is a barrier of the two worker threads: they move in lock
/// step, so both read the counter before either writes it.
struct LockStep(Arc<Barrier>);

impl Pacer for LockStep {
    fn checkpoint(&self) -> UnitResult<()> {
        self.0.wait();
        Ok(())
    }
    fn wait(&self, _: Duration) -> UnitResult<()> {
        Ok(())
    }
    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        io().map_err(|e| UnitError::Failed(e.to_string()))
    }
}

/// Two threads of one increment each, in lock step. Returns the lost updates.
fn lock_step(sync: SyncMode) -> u64 {
    let (_dir, w) = counter(sync, 1);
    let barrier = Arc::new(Barrier::new(2));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|unit| {
                let pacer = LockStep(barrier.clone());
                let w = &w;
                s.spawn(move || w.run_unit(unit, &pacer).unwrap())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    w.finish(0).unwrap().lost_updates.unwrap()
}

#[test]
fn two_threads_in_lock_step_lose_one_racy_update_and_no_locked_one() {
    // Both read 0, both write 1: one of the two increments is lost.
    assert_eq!(lock_step(SyncMode::None), 1);
    assert_eq!(lock_step(SyncMode::Mutex), 0);
    assert_eq!(lock_step(SyncMode::Atomic), 0);
}

#[test]
fn synchronised_counters_lose_nothing() {
    let _g = exclusive();
    for sync in [
        SyncMode::Mutex,
        SyncMode::Atomic,
        SyncMode::Channel,
        SyncMode::Semaphore,
    ] {
        for model in [ModelKind::Threads, ModelKind::GilThreads, ModelKind::Rayon] {
            assert_eq!(lost_updates(sync, model), 0, "{} with {model}", sync.id());
        }
    }
}

#[test]
fn a_locked_file_counter_loses_nothing_across_processes() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Contention, &[ModelKind::Processes], &[2]);
    exp.task.contention.sync = SyncMode::Mutex;
    exp.task.contention.increments = 5_000;
    let r = sweep_ok(&exp);
    let cell = r.cell(ModelKind::Processes, 2).unwrap();
    assert_eq!(cell.lost_updates, Some(0));
    assert!(cell.samples.iter().all(|s| s.checksum == 10_000));
    assert!(cell.shared_state.as_deref().unwrap().contains("flock"));
}

#[test]
fn memory_task_reports_bandwidth() {
    let _g = exclusive();
    let exp = tiny_experiment(
        TaskKind::Memory,
        &[ModelKind::Sequential, ModelKind::Threads],
        &[2],
    );
    let r = sweep_ok(&exp);
    for c in &r.cells {
        let gbs = c.gb_per_s.unwrap();
        assert!(gbs > 0.0 && gbs.is_finite(), "{gbs}");
    }
}

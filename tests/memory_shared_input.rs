#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! "Added memory" compares like with like: the in-process cells' shared input (a memory task's
//! arrays) is built as the first of them starts, before any run, so no in-process cell is
//! charged for it, whichever cell the shuffle runs first and with no warm-up; each worker
//! process is charged its own copy. (Built by the first run, a sweep without warm-ups charged
//! the arrays to whichever in-process cell ran first: threads × 1 48 MiB, sequential 0.) A file
//! of its own, so no other test allocates in this process meanwhile. Only wide bounds on sizes;
//! no timing.

mod common;

use corelab::engine::proc_stats::reset_peak_rss;
use corelab::preset::{ModelKind, TaskKind};

const MIB: u64 = 1 << 20;
/// Each of the triad's three arrays.
const ARRAY_MIB: u64 = 8;

#[test]
fn no_in_process_cell_is_charged_the_shared_input_whatever_the_shuffle() {
    if reset_peak_rss().is_none() {
        eprintln!("this kernel refuses /proc/self/clear_refs: no added memory to compare");
        return;
    }
    let input = 3 * ARRAY_MIB * MIB;
    let mut exp = common::tiny_experiment(
        TaskKind::Memory,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::Rayon,
            ModelKind::Processes,
        ],
        &[1],
    );
    exp.task.memory.array_mib = ARRAY_MIB;
    assert_eq!(exp.warmups, 0, "the first run of the sweep is a timed one");
    exp.validate().unwrap();
    for seed in [1, 2, 3, 4] {
        let mut config = common::config();
        config.shuffle_seed = Some(seed);
        let r = corelab::engine::run_sweep(
            &exp,
            &config,
            &corelab::engine::CancelToken::new(),
            &mut |_| {},
        );
        common::assert_all_ok(&r);
        for c in &r.cells {
            let added = c
                .added_rss_bytes
                .expect("the peak was reset, so it is known");
            match c.model {
                Some(ModelKind::Processes) => assert!(
                    added >= input * 9 / 10,
                    "seed {seed}: the worker process is charged its own copy of the {} MiB \
                     input, but added {} MiB",
                    input / MIB,
                    added / MIB
                ),
                _ => assert!(
                    added < input / 2,
                    "seed {seed}: {} × {} added {} MiB: charged the shared {} MiB input",
                    c.model_id(),
                    c.workers,
                    added / MIB,
                    input / MIB
                ),
            }
        }
    }
}

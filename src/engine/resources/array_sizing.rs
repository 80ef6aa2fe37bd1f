//! The arrays of a calibrated memory task on this machine: raised until they hold several times
//! the last-level cache, within the memory and address space available.

use super::address_space::CORELAB_ADDRESS_FLOOR;
use super::available::Available;
use super::human_bytes::human;
use super::needs::{sweep_memory_peak, sweep_needs};
use crate::preset::{ArraySizing, Experiment, TaskKind, limits};

/// A calibrated memory task's three arrays together hold at least this many times the
/// machine's last-level cache. A triad that sweeps a working set larger than the cache still
/// finds some of it there (caches do not evict in strict LRU order, and the private L2s add
/// to the L3): at four times, at most about a quarter.
const CACHE_MULTIPLE: u64 = 4;
/// Share of the available memory (`MemAvailable`) a sweep may take when corelab raises a
/// memory task's arrays to the cache on its own: what every cell keeps at once, worker
/// processes' copies included. Half, so that the raise never comes near the 90% that
/// [`check`](fn@super::check) refuses at.
const SIZING_FRACTION: f64 = 0.5;

/// The arrays of a calibrated memory task (`target_run_s` > 0) on a machine: at least the
/// preset's `array_mib`, raised until the three arrays together hold `CACHE_MULTIPLE` times
/// the last-level cache, so that the triad streams from memory. The raise stops where every
/// cell's copies together (`sweep_memory_peak`: the in-process cells' one copy and one per
/// worker process) would take more than `SIZING_FRACTION` of the available memory, and at
/// the preset limit; the record says so. The preset's size is never lowered (if that does not
/// fit, [`check_against`](super::check_against) refuses as for any preset). `None` for other
/// experiments.
pub fn memory_arrays(exp: &Experiment, available: &Available) -> Option<ArraySizing> {
    if exp.task.kind != TaskKind::Memory || exp.target_run_s <= 0.0 {
        return None;
    }
    let preset_mib = exp.task.memory.array_mib;
    let mut sizing = ArraySizing {
        preset_mib,
        chosen_mib: preset_mib,
        cache_bytes: available.last_level_cache_bytes,
        cache_multiple: CACHE_MULTIPLE,
        limited_by: None,
    };
    let Some(cache) = available.last_level_cache_bytes else {
        return Some(sizing);
    };
    // MiB per array: the three together at least CACHE_MULTIPLE × the cache.
    let wanted = cache
        .saturating_mul(CACHE_MULTIPLE)
        .div_ceil(3)
        .div_ceil(1 << 20);
    if wanted <= preset_mib {
        return Some(sizing);
    }
    let mut best = wanted;
    if wanted > limits::MAX_ARRAY_MIB {
        best = limits::MAX_ARRAY_MIB;
        sizing.limited_by = Some(format!(
            "the largest array a preset may ask for, {} MiB",
            limits::MAX_ARRAY_MIB
        ));
    }
    if let Some(limit) = available.address_space_bytes {
        // At most half of each process's address space, so that the raise never comes near
        // what `address_space_plan` refuses at (thread stacks and malloc arenas take more
        // than its floor).
        let cap = (limit / 2).saturating_sub(CORELAB_ADDRESS_FLOOR) / 3 / (1 << 20);
        if cap < best {
            best = cap.max(preset_mib);
            sizing.limited_by = Some(format!(
                "the address-space limit (ulimit -v) of {}: arrays take at most half of it",
                human(limit)
            ));
        }
    }
    if let Some(memory) = available.memory_bytes
        && best > preset_mib
    {
        let budget = (memory as f64 * SIZING_FRACTION) as u64;
        let peak = |mib: u64| -> u64 {
            let mut e = exp.clone();
            e.task.memory.array_mib = mib;
            sweep_needs(&e).map_or(u64::MAX, |needs| sweep_memory_peak(&needs))
        };
        if peak(best) > budget {
            // The largest size that fits (the peak grows with the size), not below the preset's.
            let (mut fits, mut too_big) = (preset_mib, best);
            while too_big - fits > 1 {
                let mid = fits + (too_big - fits) / 2;
                match peak(mid) <= budget {
                    true => fits = mid,
                    false => too_big = mid,
                }
            }
            best = fits;
            sizing.limited_by = Some(format!(
                "memory: {} MiB arrays in every copy the sweep keeps would need {} at once, more than half the {} available",
                too_big,
                human(peak(too_big)),
                human(memory)
            ));
        }
    }
    sizing.chosen_mib = best.max(preset_mib);
    Some(sizing)
}

/// The experiment as a sweep runs it on this machine: a calibrated memory task with its arrays
/// sized by [`memory_arrays`] (which is returned too); anything else unchanged.
pub fn sized_for(exp: &Experiment, available: &Available) -> (Experiment, Option<ArraySizing>) {
    let sizing = memory_arrays(exp, available);
    let mut sized = exp.clone();
    if let Some(s) = &sizing {
        sized.task.memory.array_mib = s.chosen_mib;
    }
    (sized, sizing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::check_against;
    use crate::engine::resources::test_fixtures::{MIB, exp, limited, machine, memory_bandwidth};
    use crate::preset::ModelKind;

    fn calibrated_memory(models: Vec<ModelKind>, workers: Vec<usize>) -> Experiment {
        let mut e = exp(TaskKind::Memory, models, workers);
        e.task.memory.array_mib = 64;
        e.target_run_s = 0.25;
        e
    }

    fn with_cache(mut available: Available, cache_mib: u64) -> Available {
        available.last_level_cache_bytes = Some(cache_mib << 20);
        available
    }

    #[test]
    fn calibrated_memory_arrays_hold_four_times_the_last_level_cache() {
        let e = calibrated_memory(vec![ModelKind::Threads], vec![1, 2]);
        // This development machine: a 32 MiB L3 asks for 43 MiB arrays (3 × 43 ≥ 4 × 32);
        // the preset's 64 MiB are more already and are kept.
        let small = memory_arrays(&e, &with_cache(machine(16, 100), 32)).unwrap();
        assert_eq!((small.preset_mib, small.chosen_mib), (64, 64));
        assert_eq!(small.limited_by, None);
        assert_eq!(small.times_cache(), Some(6.0));
        // The 16-core Xeon's 300 MiB L3: 400 MiB arrays, 1.2 GiB in all.
        let (sized, big) = sized_for(&e, &with_cache(machine(120, 100), 300));
        let big = big.unwrap();
        assert_eq!(big.chosen_mib, 400);
        assert_eq!(sized.task.memory.array_mib, 400);
        assert!(big.times_cache().unwrap() >= CACHE_MULTIPLE as f64);
        assert!(
            big.describe()
                .starts_with("arrays 3 × 400 MiB (preset 64 MiB) = 4.0 × the 300 MiB"),
            "{}",
            big.describe()
        );
        // The check counts what the sweep will use: 400 MiB arrays, not the preset's 64.
        let needs = check_against(&e, &with_cache(machine(120, 100), 300)).unwrap();
        assert_eq!(needs[0].memory_bytes, 1200 << 20);
        // Cache unknown: the preset's size, said so.
        let unknown = memory_arrays(&e, &machine(16, 100)).unwrap();
        assert_eq!(unknown.chosen_mib, 64);
        assert!(unknown.describe().contains("last-level cache unknown"));
    }

    #[test]
    fn arrays_are_sized_only_for_a_calibrated_memory_task() {
        let available = with_cache(machine(120, 100), 300);
        let mut e = calibrated_memory(vec![ModelKind::Threads], vec![1]);
        e.target_run_s = 0.0; // a fixed size is the user's
        assert_eq!(memory_arrays(&e, &available), None);
        assert_eq!(sized_for(&e, &available).0, e);
        let mut cpu = calibrated_memory(vec![ModelKind::Threads], vec![1]);
        cpu.task.kind = TaskKind::Cpu;
        assert_eq!(memory_arrays(&cpu, &available), None);
    }

    #[test]
    fn the_raise_stops_at_half_the_available_memory_counting_every_process_copy() {
        // The shipped preset's models on 16 cores with a 300 MiB cache: the in-process cells'
        // one copy and processes × 1, 2, 4, 8, 16 (31 worker processes), 32 copies.
        let e = calibrated_memory(
            vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Rayon,
                ModelKind::Processes,
            ],
            vec![1, 2, 4, 8, 16],
        );
        // 120 GiB available: 32 × 1.2 GiB (+ the workers) fits in half of it.
        let roomy = memory_arrays(&e, &with_cache(machine(120, 100), 300)).unwrap();
        assert_eq!((roomy.chosen_mib, roomy.limited_by.as_deref()), (400, None));
        // 32 GiB: at most 16 GiB for 32 copies, so each array stops near 160 MiB.
        let tight_machine = with_cache(machine(32, 100), 300);
        let tight = memory_arrays(&e, &tight_machine).unwrap();
        assert!(tight.chosen_mib > 64 && tight.chosen_mib < 400, "{tight:?}");
        assert!(
            tight.limited_by.as_deref().unwrap().starts_with("memory"),
            "{tight:?}"
        );
        let peak = |mib: u64| {
            let mut sized = e.clone();
            sized.task.memory.array_mib = mib;
            sweep_memory_peak(&sweep_needs(&sized).unwrap())
        };
        assert!(peak(tight.chosen_mib) <= 16 << 30);
        assert!(
            peak(tight.chosen_mib + 1) > 16 << 30,
            "the largest that fits"
        );
        assert!(check_against(&e, &tight_machine).is_ok());
        // Never below the preset's size: too little memory for that is refused as before.
        let starved = with_cache(machine(2, 100), 300);
        assert_eq!(memory_arrays(&e, &starved).unwrap().chosen_mib, 64);
        assert!(check_against(&e, &starved).is_err());
        // A cache too large for the preset limit stops at the limit.
        let one = calibrated_memory(vec![ModelKind::Threads], vec![1]);
        let huge = memory_arrays(&one, &with_cache(machine(1024, 100), 8 << 10)).unwrap();
        assert_eq!(huge.chosen_mib, limits::MAX_ARRAY_MIB);
        assert!(huge.limited_by.unwrap().contains("largest array"));
    }

    #[test]
    fn calibrated_arrays_are_not_raised_past_half_the_address_space() {
        let mut e = memory_bandwidth();
        e.target_run_s = 0.25;
        // A 300 MiB cache asks for 400 MiB arrays; a 1 GiB limit allows (512 MiB - the floor)
        // / 3: 149 MiB for a 64 MiB floor.
        let mut available = limited(Some(1 << 30));
        available.last_level_cache_bytes = Some(300 * MIB);
        let sizing = memory_arrays(&e, &available).unwrap();
        assert_eq!(sizing.chosen_mib, (512 - CORELAB_ADDRESS_FLOOR / MIB) / 3);
        assert!(
            sizing
                .limited_by
                .as_deref()
                .is_some_and(|l| l.contains("address-space limit (ulimit -v) of 1.0 GiB")),
            "{sizing:?}"
        );
        assert!(check_against(&e, &available).is_ok());
        // Never below the preset's own size.
        available.address_space_bytes = Some(300 * MIB);
        assert_eq!(memory_arrays(&e, &available).unwrap().chosen_mib, 64);
    }
}

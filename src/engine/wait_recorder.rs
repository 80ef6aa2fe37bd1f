//! Stamps the waits of one task: a [`Pacer`] that passes every call on and notes, on
//! `CLOCK_MONOTONIC`, when each [`Pacer::wait`] and [`Pacer::blocking`] call (a sleep, file I/O,
//! polling a command) began and ended, so the timeline shows that time as waiting on I/O
//! instead of computing. Checkpoints (the compute loops' calls) are passed on unstamped.

use std::cell::RefCell;
use std::time::Duration;

use super::pacer::{Pacer, UnitResult};
use super::workload::Workload;
use crate::results::{Span, Timeline};
use crate::sys::monotonic_ns;

/// Waits closer than this to the previous one are merged with it (a poll loop's many short
/// waits become one).
const MERGE_GAP_NS: u64 = 100_000;
/// Most waits kept per task; later ones extend the last.
pub const MAX_WAITS: usize = 64;

/// A pacer for one task on one thread that records its waits.
pub struct WaitRecorder<'a> {
    inner: &'a dyn Pacer,
    waits: RefCell<Vec<(u64, u64)>>,
}

impl<'a> WaitRecorder<'a> {
    pub fn new(inner: &'a dyn Pacer) -> Self {
        WaitRecorder {
            inner,
            waits: RefCell::new(Vec::new()),
        }
    }

    /// The waits noted so far, in order, `CLOCK_MONOTONIC` nanoseconds.
    pub fn into_waits(self) -> Vec<(u64, u64)> {
        self.waits.into_inner()
    }

    fn note(&self, start_ns: u64, end_ns: u64) {
        let mut waits = self.waits.borrow_mut();
        let full = waits.len() >= MAX_WAITS;
        match waits.last_mut() {
            Some(last) if full || start_ns.saturating_sub(last.1) < MERGE_GAP_NS => {
                last.1 = last.1.max(end_ns);
            }
            _ => waits.push((start_ns, end_ns)),
        }
    }

    fn stamped<T>(&self, f: impl FnOnce() -> UnitResult<T>) -> UnitResult<T> {
        let start_ns = monotonic_ns();
        let outcome = f();
        self.note(start_ns, monotonic_ns());
        outcome
    }
}

impl Pacer for WaitRecorder<'_> {
    fn checkpoint(&self) -> UnitResult<()> {
        self.inner.checkpoint()
    }

    fn wait(&self, duration: Duration) -> UnitResult<()> {
        self.stamped(|| self.inner.wait(duration))
    }

    fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
        self.stamped(|| self.inner.blocking(io))
    }

    fn run_mark(&self) -> Option<&crate::engine::run_mark::RunMark> {
        self.inner.run_mark()
    }
}

/// Runs `unit` of `w` with `pacer`, recording it: its checksum, and its spans on lane `worker`
/// (computing, and waiting on I/O during its waits) in absolute `CLOCK_MONOTONIC` nanoseconds.
pub fn run_recorded(
    w: &dyn Workload,
    unit: usize,
    pacer: &dyn Pacer,
    worker: usize,
) -> UnitResult<(u64, Vec<Span>)> {
    let recorder = WaitRecorder::new(pacer);
    let start_ns = monotonic_ns();
    let checksum = w.run_unit(unit, &recorder)?;
    let end_ns = monotonic_ns();
    Ok((
        checksum,
        Timeline::task_spans(
            u32::try_from(worker).unwrap_or(u32::MAX),
            u32::try_from(unit).ok(),
            start_ns,
            end_ns,
            &recorder.into_waits(),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::SpanState;

    /// A pacer that waits for nothing and notes what it was asked to wait.
    #[derive(Default)]
    struct ScriptedPacer {
        waits: RefCell<Vec<Duration>>,
    }

    impl ScriptedPacer {
        fn waits(&self) -> Vec<Duration> {
            self.waits.borrow().clone()
        }
    }

    impl Pacer for ScriptedPacer {
        fn checkpoint(&self) -> UnitResult<()> {
            Ok(())
        }

        fn wait(&self, duration: Duration) -> UnitResult<()> {
            self.waits.borrow_mut().push(duration);
            Ok(())
        }

        fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
            io().map_err(|e| crate::engine::pacer::UnitError::Failed(e.to_string()))
        }
    }

    #[test]
    fn waits_are_noted_merged_and_capped() {
        let inner = ScriptedPacer::default();
        let r = WaitRecorder::new(&inner);
        r.note(1_000_000, 2_000_000);
        // 50 µs after the last: merged.
        r.note(2_050_000, 3_000_000);
        r.note(5_000_000, 6_000_000);
        assert_eq!(
            r.into_waits(),
            vec![(1_000_000, 3_000_000), (5_000_000, 6_000_000)]
        );
        let r = WaitRecorder::new(&inner);
        for i in 0..(MAX_WAITS as u64 + 10) {
            r.note(i * 1_000_000, i * 1_000_000 + 10);
        }
        let waits = r.into_waits();
        assert_eq!(waits.len(), MAX_WAITS);
        assert_eq!(
            waits[MAX_WAITS - 1].1,
            (MAX_WAITS as u64 + 9) * 1_000_000 + 10
        );
    }

    /// A unit that computes (checkpoints only), then waits through the pacer, then computes.
    struct ComputeWaitCompute;

    impl Workload for ComputeWaitCompute {
        fn unit_count(&self) -> usize {
            1
        }

        fn run_unit(&self, _unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
            pacer.checkpoint()?;
            pacer.wait(Duration::from_millis(1))?;
            pacer.blocking(&mut || Ok(()))?;
            pacer.checkpoint()?;
            Ok(7)
        }
    }

    #[test]
    fn a_unit_s_waits_become_io_spans() {
        let pacer = ScriptedPacer::default();
        let (checksum, spans) = run_recorded(&ComputeWaitCompute, 0, &pacer, 3).expect("runs");
        assert_eq!(checksum, 7);
        // The wait and the blocking call are stamped (merged into one span: nothing ran
        // between them).
        assert_eq!(
            spans.iter().filter(|s| s.state == SpanState::Io).count(),
            1,
            "{spans:?}"
        );
        assert!(spans.iter().all(|s| s.worker == 3 && s.task == Some(0)));
        // The spans tile the unit without overlapping.
        for pair in spans.windows(2) {
            assert_eq!(pair[0].end_ns, pair[1].start_ns);
        }
        assert_eq!(pacer.waits(), vec![Duration::from_millis(1)]);
    }
}

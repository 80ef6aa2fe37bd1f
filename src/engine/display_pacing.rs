//! When a sweep may wake a display that draws its progress, so that drawing never overlaps a
//! timed run.
//!
//! A frame of the workbench costs tens of milliseconds of CPU (far more with software
//! rendering). Drawn at a random moment, it lands in the middle of a run and steals a core from
//! it: short runs then show slow outliers that the command line never sees. With pacing, the
//! display is woken only *between* runs, at most once per [`DisplayPacing::every`], and the
//! sweep then waits [`DisplayPacing::settle`] before it starts the next timed run, so the frame
//! is drawn while nothing is measured.

use std::time::{Duration, Instant};

use super::cancel::CancelToken;
use super::event::SweepEvent;

/// How often a sweep wakes its display, and how long it leaves it to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayPacing {
    /// At most one wake per this interval (the first event and the last always wake).
    pub every: Duration,
    /// Quiet time after a wake before the next timed run starts: longer than one frame takes.
    pub settle: Duration,
}

impl DisplayPacing {
    /// The workbench's pacing: the curves fill in every two seconds, and the frames have 150 ms
    /// to finish. Measured under Xvfb with software rendering on the 2-core reference machine,
    /// a wake draws two frames, both done within 30 ms. A sweep of short runs takes up to 7.5%
    /// longer in the workbench than on the command line; its numbers do not change.
    pub const WORKBENCH: DisplayPacing = DisplayPacing {
        every: Duration::from_secs(2),
        settle: Duration::from_millis(150),
    };
}

/// Decides, event by event, whether to wake the display (see the module documentation).
pub struct DisplayWaker {
    pacing: Option<DisplayPacing>,
    last_wake: Option<Instant>,
}

impl DisplayWaker {
    /// `None`: wake after every event, with no pause (a display that costs nothing to draw,
    /// or a caller that does its own pacing).
    pub fn new(pacing: Option<DisplayPacing>) -> Self {
        DisplayWaker {
            pacing,
            last_wake: None,
        }
    }

    /// Called after an event was sent, on the sweep thread and between timed runs, with the
    /// [`Moment`] of that event. Calls `wake` when the display should draw, then (with pacing)
    /// waits the settle time, or less if `cancel` fires. Returns whether it woke the display.
    pub fn after(&mut self, moment: Moment, cancel: &CancelToken, wake: &dyn Fn()) -> bool {
        let Some(pacing) = self.pacing else {
            wake();
            return true;
        };
        let due = self.last_wake.is_none_or(|t| t.elapsed() >= pacing.every);
        let wakes = match moment {
            Moment::Last => true,
            Moment::BetweenRuns => due,
            Moment::CellEnd => false,
        };
        if !wakes {
            return false;
        }
        wake();
        self.last_wake = Some(Instant::now());
        if moment != Moment::Last {
            cancel.sleep(pacing.settle);
        }
        true
    }
}

/// Where in a sweep an event stands, as far as waking the display goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    /// Before the first run, before a cell, or after a run: the display may draw now.
    BetweenRuns,
    /// A cell's or a round's end (`CellDone`, `Failed`, `RoundDone`): a `Progress` always
    /// follows, and waking here would show it before the last event has been sent.
    CellEnd,
    /// `Finished`: nothing follows, so nothing waits for the frame.
    Last,
}

impl Moment {
    pub fn of(event: &SweepEvent) -> Moment {
        match event {
            SweepEvent::Started { .. }
            | SweepEvent::CellStarted { .. }
            | SweepEvent::Progress { .. } => Moment::BetweenRuns,
            SweepEvent::CellDone(_)
            | SweepEvent::Failed { .. }
            | SweepEvent::RoundDone { .. }
            | SweepEvent::SaveFailed { .. } => Moment::CellEnd,
            SweepEvent::Finished(_) => Moment::Last,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn progress(runs_done: usize) -> SweepEvent {
        SweepEvent::Progress {
            runs_done,
            runs_total: 100,
            elapsed: Duration::ZERO,
            cells: Vec::new(),
        }
    }

    #[test]
    fn without_pacing_every_event_wakes_at_once() {
        let mut waker = DisplayWaker::new(None);
        let woken = Cell::new(0);
        let started = Instant::now();
        for i in 0..50 {
            assert!(
                waker.after(Moment::of(&progress(i)), &CancelToken::new(), &|| woken
                    .set(woken.get() + 1))
            );
        }
        assert_eq!(woken.get(), 50);
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn paced_wakes_are_rate_limited_and_each_leaves_the_settle_time() {
        let pacing = DisplayPacing {
            every: Duration::from_secs(3600),
            settle: Duration::from_millis(30),
        };
        let mut waker = DisplayWaker::new(Some(pacing));
        let cancel = CancelToken::new();
        let woken = Cell::new(0);
        let wake = || woken.set(woken.get() + 1);

        let started = Instant::now();
        assert!(
            waker.after(Moment::of(&progress(0)), &cancel, &wake),
            "the first event wakes"
        );
        assert!(
            started.elapsed() >= pacing.settle,
            "the next run waits for the frame"
        );
        let quick = Instant::now();
        for i in 1..100 {
            assert!(!waker.after(Moment::of(&progress(i)), &cancel, &wake));
        }
        assert!(
            quick.elapsed() < pacing.settle,
            "events between wakes do not pause the sweep"
        );
        assert_eq!(woken.get(), 1);

        let end = SweepEvent::Finished(Box::default());
        let before_end = Instant::now();
        assert!(
            waker.after(Moment::of(&end), &cancel, &wake),
            "the last event always wakes"
        );
        assert!(
            before_end.elapsed() < pacing.settle,
            "nothing follows it to wait for"
        );
        assert_eq!(woken.get(), 2);
    }

    #[test]
    fn a_due_wake_waits_for_the_gap_event_not_a_cell_end() {
        let pacing = DisplayPacing {
            every: Duration::ZERO,
            settle: Duration::ZERO,
        };
        let mut waker = DisplayWaker::new(Some(pacing));
        let cancel = CancelToken::new();
        let nop = || {};
        let done = SweepEvent::CellDone(Box::default());
        assert!(!waker.after(Moment::of(&done), &cancel, &nop));
        let failed = SweepEvent::Failed {
            model: crate::preset::ModelKind::Threads,
            workers: 2,
            reason: "x".into(),
        };
        assert!(!waker.after(Moment::of(&failed), &cancel, &nop));
        assert!(waker.after(Moment::of(&progress(1)), &cancel, &nop));
    }

    #[test]
    fn cancelling_cuts_the_settle_time_short() {
        let pacing = DisplayPacing {
            every: Duration::ZERO,
            settle: Duration::from_secs(3600),
        };
        let mut waker = DisplayWaker::new(Some(pacing));
        let cancel = CancelToken::new();
        cancel.cancel();
        let started = Instant::now();
        assert!(waker.after(Moment::of(&progress(1)), &cancel, &|| {}));
        assert!(started.elapsed() < Duration::from_secs(60));
    }
}

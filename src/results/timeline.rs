//! Who ran when: the spans of one run of a cell (its median run), per worker.
//!
//! Times are nanoseconds since the run's start on `CLOCK_MONOTONIC` (system-wide on Linux, so
//! a worker process's own stamps compare directly with the parent's). Stamps are taken per task
//! and per lock take/drop, never inside a task's hot loop.

use serde::{Deserialize, Serialize};

use super::CellResult;

/// What a worker was doing during a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpanState {
    /// Running a task (for `gil-threads`: running it while holding the lock).
    Computing,
    /// Waiting to take the (emulated) GIL, or in a forced-switch wait after dropping it.
    LockWait,
    /// Blocking I/O or a wait with the lock dropped.
    Io,
    /// A task's message in a pipe: sent by the parent and not yet started by the child, or
    /// finished by the child and not yet read by the parent.
    Transit,
}

impl SpanState {
    pub const ALL: [SpanState; 4] = [
        SpanState::Computing,
        SpanState::LockWait,
        SpanState::Io,
        SpanState::Transit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SpanState::Computing => "computing",
            SpanState::LockWait => "waiting for the lock",
            // Any blocking wait a task's pacer stamped: I/O, a sleep, a contention task's
            // start line (not only I/O: the lock-contention timeline showed its start line
            // as "I/O").
            SpanState::Io => "waiting (I/O, sleep, start line)",
            SpanState::Transit => "in transit",
        }
    }
}

/// One interval of one worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The worker's lane: thread index in the team, or child process index in the pool.
    pub worker: u32,
    /// The task (unit) it belongs to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    pub state: SpanState,
    /// Nanoseconds since the run's start.
    pub start_ns: u64,
    pub end_ns: u64,
}

impl Span {
    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// The spans of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timeline {
    /// Which run of the cell this is (index into `samples`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<usize>,
    /// The run's wall time, nanoseconds.
    pub wall_ns: u64,
    /// Name of each lane (index = `Span::worker`), e.g. `thread 0`, `process 1 (pid 1234)`.
    pub workers: Vec<String>,
    pub spans: Vec<Span>,
}

impl Timeline {
    /// Spans of one worker in start order.
    pub fn lane(&self, worker: u32) -> Vec<Span> {
        let mut v: Vec<Span> = self
            .spans
            .iter()
            .filter(|s| s.worker == worker)
            .copied()
            .collect();
        v.sort_by_key(|s| (s.start_ns, s.end_ns));
        v
    }

    /// The largest number of `state` spans, over all workers, in progress at one instant
    /// (spans that merely touch do not overlap).
    pub fn max_concurrent(&self, state: SpanState) -> usize {
        let mut edges: Vec<(u64, i32)> = Vec::new();
        for s in self.spans.iter().filter(|s| s.state == state) {
            if s.end_ns > s.start_ns {
                edges.push((s.start_ns, 1));
                edges.push((s.end_ns, -1));
            }
        }
        // Ends before starts at the same instant.
        edges.sort();
        let mut now = 0i32;
        let mut max = 0i32;
        for (_, d) in edges {
            now += d;
            max = max.max(now);
        }
        usize::try_from(max).unwrap_or(0)
    }

    /// Total nanoseconds spent in `state`, over all workers.
    pub fn total_ns(&self, state: SpanState) -> u64 {
        self.spans
            .iter()
            .filter(|s| s.state == state)
            .map(Span::duration_ns)
            .sum()
    }

    /// The spans of one task that ran on `worker` from `start_ns` to `end_ns` and waited (I/O,
    /// a sleep) during each of `waits` (sorted, disjoint, inside the task): waiting on I/O
    /// during the waits, computing the rest. Empty pieces are left out. Every model shows a
    /// task's waits this way.
    pub fn task_spans(
        worker: u32,
        task: Option<u32>,
        start_ns: u64,
        end_ns: u64,
        waits: &[(u64, u64)],
    ) -> Vec<Span> {
        let span = |state, start_ns, end_ns| Span {
            worker,
            task,
            state,
            start_ns,
            end_ns,
        };
        // An end before the start is an instantaneous task (and keeps `clamp` below in order).
        let end_ns = end_ns.max(start_ns);
        let mut out = Vec::with_capacity(2 * waits.len() + 1);
        let mut at = start_ns;
        for &(a, b) in waits {
            let (a, b) = (a.clamp(at, end_ns), b.clamp(at, end_ns));
            if a > at {
                out.push(span(SpanState::Computing, at, a));
            }
            if b > a {
                out.push(span(SpanState::Io, a, b));
            }
            at = at.max(b);
        }
        if end_ns > at || out.is_empty() {
            out.push(span(SpanState::Computing, at, end_ns));
        }
        out
    }

    /// Cuts each `held` interval of a worker at that worker's task boundaries: the computing
    /// spans of a lock-based model are the parts of its tasks run while holding the lock.
    /// `tasks` and `held` are (worker, task, start, end) and (worker, start, end).
    pub fn intersect_held(tasks: &[Span], held: &[(u32, u64, u64)]) -> Vec<Span> {
        let mut out = Vec::new();
        for &(worker, a, b) in held {
            for t in tasks.iter().filter(|t| t.worker == worker) {
                let start = a.max(t.start_ns);
                let end = b.min(t.end_ns);
                if end > start {
                    out.push(Span {
                        worker,
                        task: t.task,
                        state: SpanState::Computing,
                        start_ns: start,
                        end_ns: end,
                    });
                }
            }
        }
        out
    }
}

/// The most spans one run's timeline keeps (about 4 096 tasks at up to 3 spans each, as the
/// Python workers' 4 096 units): a run with more keeps none, so that a preset of a million
/// tiny tasks cannot fill memory, or a results file too large to open, with timelines.
pub const MAX_TIMELINE_SPANS: usize = 16_384;

/// While a cell is still measuring, the timelines of at most this many of its runs are kept:
/// those nearest its median so far, from which [`keep_median`] picks at the end.
pub const TIMELINES_KEPT_WHILE_MEASURING: usize = 5;

/// The most lanes (named workers) one run's timeline keeps: a sweep has at most 1 024 workers
/// (and a cluster's threads), so this is room to spare. Without it a 61 MB results file of
/// four million empty lane names made the trace export build a JSON object per lane, past
/// 14 GB.
pub const MAX_TIMELINE_LANES: usize = 4_096;

impl Timeline {
    /// Whether it has at most [`MAX_TIMELINE_SPANS`] spans and [`MAX_TIMELINE_LANES`] lanes,
    /// and every span is on one of those lanes.
    pub fn within_limit(&self) -> bool {
        self.spans.len() <= MAX_TIMELINE_SPANS
            && self.workers.len() <= MAX_TIMELINE_LANES
            && self
                .spans
                .iter()
                .all(|s| (s.worker as usize) < MAX_TIMELINE_LANES)
    }

    /// The timeline, or `None` when it is over [`MAX_TIMELINE_SPANS`] or
    /// [`MAX_TIMELINE_LANES`].
    pub fn bounded(self) -> Option<Timeline> {
        self.within_limit().then_some(self)
    }
}

/// Drops the timelines of a measuring cell's runs beyond the
/// [`TIMELINES_KEPT_WHILE_MEASURING`] whose wall times are nearest its median so far (the
/// median moves little as runs are added, so the final median run, or one next to it, keeps
/// its timeline), and every warm-up's.
pub fn prune_while_measuring(cell: &mut CellResult) {
    for w in &mut cell.warmups {
        w.timeline = None;
    }
    let with: Vec<usize> = (0..cell.samples.len())
        .filter(|&i| cell.samples[i].timeline.is_some())
        .collect();
    if with.len() <= TIMELINES_KEPT_WHILE_MEASURING {
        return;
    }
    let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
    let Some(median) = crate::stats::median(&walls) else {
        return;
    };
    let mut by_distance = with;
    by_distance.sort_by(|&a, &b| {
        (walls[a] - median)
            .abs()
            .total_cmp(&(walls[b] - median).abs())
            .then(a.cmp(&b))
    });
    for &i in &by_distance[TIMELINES_KEPT_WHILE_MEASURING..] {
        cell.samples[i].timeline = None;
    }
}

/// Keeps, in the cell, the timeline of the run whose wall time is nearest the median of all
/// its runs (the median run itself when its timeline survived [`prune_while_measuring`]), and
/// drops the others'. A cell without recorded timelines keeps whatever it had (e.g. loaded
/// from a file). [`shown_run`] says which run that was.
pub fn keep_median(cell: &mut CellResult) {
    let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
    let Some(median) = crate::stats::median(&walls) else {
        return;
    };
    let Some(nearest) = (0..cell.samples.len())
        .filter(|&i| cell.samples[i].timeline.is_some())
        .min_by(|&a, &b| {
            (walls[a] - median)
                .abs()
                .total_cmp(&(walls[b] - median).abs())
                .then(a.cmp(&b))
        })
    else {
        return;
    };
    let mut kept = None;
    for (i, s) in cell.samples.iter_mut().enumerate() {
        let t = s.timeline.take();
        if i == nearest {
            kept = t;
        }
    }
    for w in &mut cell.warmups {
        w.timeline = None;
    }
    if let Some(mut t) = kept.map(|b| *b) {
        t.sample = Some(nearest);
        cell.timeline = Some(t);
    }
}

/// Which run a cell's timeline shows, among its timed runs ordered by wall time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShownRun {
    /// 1 for the fastest run.
    pub rank: usize,
    pub runs: usize,
    /// Whether it is a median run: the middle one, or one of the two middle ones.
    pub is_median: bool,
    /// The median of every run's wall time, seconds.
    pub median_s: f64,
}

/// Where the run a cell's timeline shows (`timeline.sample`) ranks among the cell's runs;
/// `None` without a timeline or when its sample is not among the runs (an old file).
pub fn shown_run(cell: &CellResult) -> Option<ShownRun> {
    let sample = cell.timeline.as_ref()?.sample?;
    let wall = cell.samples.get(sample)?.wall_s;
    let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
    let median_s = crate::stats::median(&walls)?;
    // Runs before it in time order (ties by index, as a sort would leave them).
    let rank = 1 + walls
        .iter()
        .enumerate()
        .filter(|&(i, &w)| w < wall || (w == wall && i < sample))
        .count();
    let runs = walls.len();
    let is_median = rank == runs.div_ceil(2) || (runs.is_multiple_of(2) && rank == runs / 2 + 1);
    Some(ShownRun {
        rank,
        runs,
        is_median,
        median_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(worker: u32, state: SpanState, start_ns: u64, end_ns: u64) -> Span {
        Span {
            worker,
            task: None,
            state,
            start_ns,
            end_ns,
        }
    }

    #[test]
    fn touching_spans_do_not_overlap_and_crossing_ones_do() {
        let mut t = Timeline {
            spans: vec![
                span(0, SpanState::Computing, 0, 10),
                span(1, SpanState::Computing, 10, 20),
                span(1, SpanState::LockWait, 0, 10),
            ],
            ..Timeline::default()
        };
        assert_eq!(t.max_concurrent(SpanState::Computing), 1);
        t.spans.push(span(2, SpanState::Computing, 5, 15));
        assert_eq!(t.max_concurrent(SpanState::Computing), 2);
        assert_eq!(t.total_ns(SpanState::Computing), 30);
    }

    #[test]
    fn held_intervals_are_cut_at_task_boundaries() {
        let tasks = [
            Span {
                task: Some(0),
                ..span(0, SpanState::Computing, 0, 10)
            },
            Span {
                task: Some(3),
                ..span(0, SpanState::Computing, 12, 30)
            },
        ];
        let cut = Timeline::intersect_held(&tasks, &[(0, 5, 20), (1, 0, 30)]);
        assert_eq!(
            cut.iter()
                .map(|s| (s.task, s.start_ns, s.end_ns))
                .collect::<Vec<_>>(),
            vec![(Some(0), 5, 10), (Some(3), 12, 20)]
        );
    }

    #[test]
    fn a_task_s_waits_are_shown_as_io_and_the_rest_as_computing() {
        let spans = Timeline::task_spans(1, Some(4), 10, 100, &[(20, 30), (30, 50), (90, 100)]);
        assert_eq!(
            spans
                .iter()
                .map(|s| (s.state, s.start_ns, s.end_ns))
                .collect::<Vec<_>>(),
            vec![
                (SpanState::Computing, 10, 20),
                (SpanState::Io, 20, 30),
                (SpanState::Io, 30, 50),
                (SpanState::Computing, 50, 90),
                (SpanState::Io, 90, 100),
            ]
        );
        assert!(spans.iter().all(|s| s.worker == 1 && s.task == Some(4)));
        // A task with no waits is one computing span, even an instantaneous one.
        assert_eq!(
            Timeline::task_spans(0, None, 5, 5, &[]),
            vec![span(0, SpanState::Computing, 5, 5)]
        );
        // Stamps out of order never panic: an end before the start is an instant.
        assert_eq!(
            Timeline::task_spans(0, None, 9, 5, &[(7, 8)]),
            vec![span(0, SpanState::Computing, 9, 9)]
        );
        // A task that only waited is one I/O span.
        assert_eq!(
            Timeline::task_spans(0, None, 5, 9, &[(5, 9)]),
            vec![span(0, SpanState::Io, 5, 9)]
        );
    }

    #[test]
    fn the_median_run_keeps_its_timeline() {
        let mut cell = CellResult::default();
        for (i, wall) in [3.0, 1.0, 2.0].into_iter().enumerate() {
            let mut s = crate::results::Sample {
                wall_s: wall,
                ..Default::default()
            };
            s.timeline = Some(Box::new(Timeline {
                wall_ns: i as u64,
                ..Timeline::default()
            }));
            cell.samples.push(s);
        }
        keep_median(&mut cell);
        let t = cell.timeline.clone().expect("kept");
        assert_eq!((t.sample, t.wall_ns), (Some(2), 2));
        assert!(cell.samples.iter().all(|s| s.timeline.is_none()));
        let shown = shown_run(&cell).expect("shown");
        assert_eq!(
            shown,
            ShownRun {
                rank: 2,
                runs: 3,
                is_median: true,
                median_s: 2.0
            }
        );
    }

    /// Timelines pruned while the median was elsewhere: the one kept is the survivor nearest
    /// the final median (of every run, not of the survivors), and it is said not to be the
    /// median run.
    #[test]
    fn the_kept_timeline_is_the_nearest_to_the_median_of_every_run() {
        let mut cell = CellResult::default();
        // Nine runs; the survivors are the runs of 0.20, 0.21 and 0.25 s, the median 0.18 s.
        let walls = [0.20, 0.15, 0.25, 0.16, 0.17, 0.18, 0.19, 0.21, 0.14];
        for (i, &wall) in walls.iter().enumerate() {
            let mut s = crate::results::Sample {
                wall_s: wall,
                ..Default::default()
            };
            if [0, 2, 7].contains(&i) {
                s.timeline = Some(Box::default());
            }
            cell.samples.push(s);
        }
        keep_median(&mut cell);
        assert_eq!(cell.timeline.as_ref().and_then(|t| t.sample), Some(0));
        let shown = shown_run(&cell).expect("shown");
        assert_eq!((shown.rank, shown.runs, shown.is_median), (7, 9, false));
        assert_eq!(shown.median_s, 0.18);
        // With an even count, either middle run is a median run.
        cell.samples.truncate(8);
        for (i, s) in cell.samples.iter_mut().enumerate() {
            s.timeline = (i == 4 || i == 6).then(Box::default);
        }
        keep_median(&mut cell);
        let shown = shown_run(&cell).expect("shown");
        assert_eq!((shown.rank, shown.is_median), (5, true), "{shown:?}");
    }
}

//! How much other programs compete with a timed run for the cores this process may use.
//!
//! Sampled around every timed run (not once before the sweep): the busy time of the CPUs in
//! this process's affinity mask, from the per-CPU lines of /proc/stat, minus the CPU time the
//! run itself used over the same interval, is the load of *other* programs. Only the CPUs we may
//! run on count, and a cgroup v2 `cpu.max` quota caps how many of them we could use, so in a
//! container neither the host's other CPUs nor its total core count inflate the figure.
//!
//! Load is *busy* when that other load leaves fewer free CPUs than the runs could use:
//! `allowed CPUs − other load < min(allowed CPUs, quota)`, with a dead band of half a core.
//!
//! **Short runs are judged together.** /proc/stat counts in clock ticks of 10 ms (`USER_HZ`),
//! so a 4 ms run sees 0 or 1 tick per CPU: judged alone it says little (a CPU without a tick
//! adds nothing while the run's own CPU time, read from the kernel's clocks, is subtracted in
//! full, so a run whose hogged CPU missed its tick looks quiet), and the mean of such per-run
//! figures is biased low. So the raw evidence of every run, its
//! per-CPU busy and total tick deltas, its own CPU seconds and its interval, is kept as a
//! [`LoadEvidence`] and pooled ([`LoadEvidence::add`]) per cell and per sweep: the other load
//! of a pool is `Σ busy / Σ total` per CPU, summed over the CPUs, minus `Σ own / Σ interval`,
//! i.e. every tick of every run weighs the same. A run with at least [`MIN_TICKS_PER_CPU`]
//! ticks per CPU is judged alone; a shorter one takes its cell's pooled verdict
//! ([`judge_runs`]), and where the cell's runs hold too few ticks even together the run has
//! no verdict ([`BusyBasis::TooFewTicks`]), rather than a "not busy" made from no evidence.
//!
//! Finer signals were considered and left out. `/proc/pressure/cpu` (PSI) counts time in which
//! *any* task waited for a CPU, our own included: at the points past the core count (16
//! workers on 2 cores) our threads wait for each other by design, and it reads as pressure;
//! it is also missing in containers and kernels without PSI (`psi=0`), and is host- or
//! cgroup-wide rather than per allowed CPU. `/proc/self/task/*/schedstat` (run-queue delay
//! per thread, in ns) has the same flaw at oversubscribed points, misses worker processes and
//! interpreters unless every one of their threads is read, and needs `CONFIG_SCHED_INFO`.
//! Pooled ticks tell other programs' CPU use from ours on any Linux, at the cost of a verdict
//! only once the runs add up to [`MIN_TICKS_PER_CPU`] ticks (0.1 s); most presets' minimum
//! time per cell (0.5 s) gives every cell that.

use std::time::Instant;

use crate::results::{BusyBasis, LoadSummary, Sample, round_cores};

/// Other load below this many cores is noise (kernel threads, the terminal), not a competitor.
pub const BUSY_THRESHOLD_CORES: f64 = 0.5;

/// The fewest /proc/stat ticks per CPU (10 ms each, so 0.1 s of evidence) from which load is
/// judged: a run with fewer is judged by its cell's pooled ticks. With 10 ticks a CPU's busy
/// fraction is known to about ±0.1 (a tick more or less at each end of a busy stretch), well
/// inside the half-core dead band on a few CPUs; with one tick it is 0 or 1.
pub const MIN_TICKS_PER_CPU: f64 = 10.0;

/// One reading of the CPUs this process may use.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuSnapshot {
    /// `(busy ticks, total ticks)` of every CPU in the affinity mask (/proc/stat units).
    pub cpus: Vec<(u64, u64)>,
}

/// The other load over one interval between two snapshots, or over the pooled intervals of
/// several runs ([`LoadEvidence::judge`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OtherLoad {
    /// Cores kept busy by other programs (never negative).
    pub other_cores: f64,
    /// Cores this process could use: the CPUs of the affinity mask, capped by the quota.
    pub usable_cores: f64,
    /// Whether the other load left fewer free CPUs than `usable_cores`.
    pub busy: bool,
}

/// The raw evidence of the other load during one timed run, or pooled over several
/// ([`LoadEvidence::add`]): what [`LoadEvidence::judge`] makes a figure and a verdict of.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadEvidence {
    /// Per CPU of the affinity mask: `(busy ticks, total ticks)` over the intervals (/proc/stat
    /// units; busy never above total).
    pub cpus: Vec<(u64, u64)>,
    /// Seconds the intervals lasted, in all.
    pub interval_s: f64,
    /// CPU time this process (and its workers) used over the intervals, seconds.
    pub own_cpu_s: f64,
    /// The cgroup's `cpu.max` quota in cores, if any (the tightest seen).
    pub quota_cores: Option<f64>,
    /// How many runs' intervals these are.
    pub runs: usize,
}

impl LoadEvidence {
    /// One run's evidence: the ticks between `before` and `after`, `interval_s` apart, during
    /// which this process (and its workers) used `own_cpu_s` of CPU time. `None` when the
    /// snapshots do not cover the same CPUs or no time passed. Counters that did not move (or
    /// went backwards) count as no ticks.
    pub fn between(
        before: &CpuSnapshot,
        after: &CpuSnapshot,
        interval_s: f64,
        own_cpu_s: f64,
        quota_cores: Option<f64>,
    ) -> Option<LoadEvidence> {
        if before.cpus.len() != after.cpus.len() || before.cpus.is_empty() || interval_s <= 0.0 {
            return None;
        }
        let cpus = before
            .cpus
            .iter()
            .zip(&after.cpus)
            .map(|(&(b0, t0), &(b1, t1))| {
                let total = t1.saturating_sub(t0);
                (b1.saturating_sub(b0).min(total), total)
            })
            .collect();
        Some(LoadEvidence {
            cpus,
            interval_s,
            own_cpu_s: own_cpu_s.max(0.0),
            quota_cores,
            runs: 1,
        })
    }

    /// Pools `run` into these runs: the ticks of each CPU, the seconds and the own CPU time
    /// add up. Evidence of another set of CPUs (a CPU went offline) is left out: `false`.
    pub fn add(&mut self, run: &LoadEvidence) -> bool {
        if self.runs == 0 {
            *self = run.clone();
            return true;
        }
        if run.cpus.len() != self.cpus.len() {
            return false;
        }
        for (pooled, &(busy, total)) in self.cpus.iter_mut().zip(&run.cpus) {
            pooled.0 += busy;
            pooled.1 += total;
        }
        self.interval_s += run.interval_s;
        self.own_cpu_s += run.own_cpu_s;
        self.quota_cores = match (self.quota_cores, run.quota_cores) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.runs += run.runs;
        true
    }

    /// Ticks per CPU, on average over the CPUs: how much evidence this is.
    pub fn ticks_per_cpu(&self) -> f64 {
        if self.cpus.is_empty() {
            return 0.0;
        }
        self.cpus.iter().map(|&(_, t)| t as f64).sum::<f64>() / self.cpus.len() as f64
    }

    /// Whether these ticks are enough to judge by ([`MIN_TICKS_PER_CPU`]).
    pub fn conclusive(&self) -> bool {
        self.ticks_per_cpu() >= MIN_TICKS_PER_CPU
    }

    /// The other load these intervals show: per CPU the busy share of its own ticks (no need
    /// to know the tick rate), summed, minus this process's cores over the same time. A pure
    /// function: the whole rule, testable without a machine. `None` without CPUs or time.
    /// Over too few ticks ([`Self::conclusive`]) the figure is coarse and the verdict weak.
    pub fn judge(&self) -> Option<OtherLoad> {
        if self.cpus.is_empty() || self.interval_s <= 0.0 {
            return None;
        }
        let busy_cores: f64 = self
            .cpus
            .iter()
            .filter(|&&(_, total)| total > 0)
            .map(|&(busy, total)| busy.min(total) as f64 / total as f64)
            .sum();
        let own_cores = self.own_cpu_s.max(0.0) / self.interval_s;
        let other_cores = (busy_cores - own_cores).max(0.0);
        let allowed = self.cpus.len() as f64;
        let usable_cores = self.quota_cores.map_or(allowed, |q| q.min(allowed));
        let free = allowed - other_cores;
        let busy = other_cores > BUSY_THRESHOLD_CORES && free < usable_cores;
        Some(OtherLoad {
            other_cores,
            usable_cores,
            busy,
        })
    }
}

/// Records one timed run's evidence in its sample: the run's own figure (`other_load`, coarse
/// when the run is short), and its own verdict when it held [`MIN_TICKS_PER_CPU`] ticks per
/// CPU; a shorter run is marked [`BusyBasis::TooFewTicks`] until [`judge_runs`] gives it its
/// cell's pooled verdict. `false` (the sample untouched) when the evidence has no figure.
pub fn record_run(sample: &mut Sample, run: &LoadEvidence) -> bool {
    let Some(load) = run.judge() else {
        return false;
    };
    sample.other_load = Some(round_cores(load.other_cores));
    if run.conclusive() {
        sample.busy = load.busy;
        sample.busy_basis = BusyBasis::Run;
    } else {
        sample.busy = false;
        sample.busy_basis = BusyBasis::TooFewTicks;
    }
    true
}

/// Judges a cell's runs from their pooled evidence `pooled` (every run of `samples` with a
/// load figure, see [`record_run`]): the runs too short to judge alone take the pool's
/// verdict ([`BusyBasis::Cell`]) when the pool holds enough ticks, and stay without one
/// ([`BusyBasis::TooFewTicks`], not busy) when it does not. Returns the cell's summary: runs,
/// busy runs, runs without a verdict, the pooled figure as the mean, the largest of it and of
/// the runs judged alone, and the pooled verdict. `None` when no run has a figure.
///
/// Linear in the runs. A sweep, which judges a cell again after each of its runs, keeps a
/// [`CellJudge`] instead, which looks at each run once.
pub fn judge_runs(samples: &mut [Sample], pooled: &LoadEvidence) -> Option<LoadSummary> {
    let mut judge = CellJudge {
        pooled: pooled.clone(),
        ..CellJudge::default()
    };
    judge.judge(samples)
}

/// One cell's load while it is measured: its runs' pooled evidence, and what [`judge_runs`]
/// needs kept between runs so that judging the cell again after each run costs that run, not
/// all the cell's runs: the counts of the runs judged alone, and which runs take the cell's
/// verdict. Those runs are marked again only when the verdict changes (once when the pool
/// first holds enough ticks, and whenever the pooled figure crosses the busy threshold).
#[derive(Clone, Debug, Default)]
pub struct CellJudge {
    /// The raw evidence of the cell's timed runs, pooled ([`CellJudge::add`]).
    pub pooled: LoadEvidence,
    /// How many of the samples have been looked at.
    seen: usize,
    /// Runs with a figure, judged alone or not.
    runs: usize,
    /// Runs judged alone ([`BusyBasis::Run`]) and marked busy.
    busy_alone: usize,
    /// The largest figure of a run judged alone.
    max_alone: f64,
    /// The samples (indices) with a figure that take the cell's verdict.
    by_cell: Vec<usize>,
    /// How many of `by_cell` bear `verdict`.
    marked: usize,
    /// The mark `by_cell` bears: busy, and on what basis.
    verdict: Option<(bool, BusyBasis)>,
}

impl CellJudge {
    /// Pools one run's evidence into the cell's (see [`LoadEvidence::add`]).
    pub fn add(&mut self, run: &LoadEvidence) -> bool {
        self.pooled.add(run)
    }

    /// [`judge_runs`] of `samples`, which are the samples of the previous call with runs added
    /// at the end (as a sweep pushes them); looks only at those added, and at the others only
    /// when the cell's verdict changed. Where `samples` is shorter than before, it starts
    /// over.
    pub fn judge(&mut self, samples: &mut [Sample]) -> Option<LoadSummary> {
        if samples.len() < self.seen {
            *self = CellJudge {
                pooled: std::mem::take(&mut self.pooled),
                ..CellJudge::default()
            };
        }
        for (i, s) in samples.iter().enumerate().skip(self.seen) {
            if s.other_load.is_none() {
                continue;
            }
            self.runs += 1;
            if s.busy_basis == BusyBasis::Run {
                self.busy_alone += usize::from(s.busy);
                self.max_alone = self.max_alone.max(s.other_load.unwrap_or(0.0));
            } else {
                self.by_cell.push(i);
            }
        }
        self.seen = samples.len();
        let load = self.pooled.judge()?;
        let verdict = match self.pooled.conclusive() {
            true => (load.busy, BusyBasis::Cell),
            false => (false, BusyBasis::TooFewTicks),
        };
        if self.verdict != Some(verdict) {
            self.verdict = Some(verdict);
            self.marked = 0;
        }
        for &i in &self.by_cell[self.marked..] {
            if let Some(s) = samples.get_mut(i) {
                (s.busy, s.busy_basis) = verdict;
            }
        }
        self.marked = self.by_cell.len();
        let mut summary = summary_of(&self.pooled, &load);
        let by_cell = self.by_cell.len();
        summary.runs = self.runs;
        summary.busy_runs = self.busy_alone + if verdict.0 { by_cell } else { 0 };
        summary.unjudged_runs = match verdict.1 {
            BusyBasis::TooFewTicks => by_cell,
            _ => 0,
        };
        summary.max_other_cores = summary.max_other_cores.max(self.max_alone);
        Some(summary)
    }
}

/// The sweep's summary: its pooled evidence `pooled` judged, with the runs, busy runs, runs
/// without a verdict and largest figures of its cells' summaries (see [`judge_runs`]).
pub fn sweep_summary<'a>(
    pooled: &LoadEvidence,
    cells: impl IntoIterator<Item = &'a LoadSummary>,
) -> Option<LoadSummary> {
    let load = pooled.judge()?;
    let mut summary = summary_of(pooled, &load);
    for cell in cells {
        summary.runs += cell.runs;
        summary.busy_runs += cell.busy_runs;
        summary.unjudged_runs += cell.unjudged_runs;
        summary.max_other_cores = summary.max_other_cores.max(cell.max_other_cores);
    }
    Some(summary)
}

/// The pooled part of a summary: no runs counted yet.
fn summary_of(pooled: &LoadEvidence, load: &OtherLoad) -> LoadSummary {
    let conclusive = pooled.conclusive();
    let mean = round_cores(load.other_cores);
    LoadSummary {
        runs: 0,
        busy_runs: 0,
        mean_other_cores: mean,
        // The largest figure worth judging: the pool's, when it holds enough ticks, and (added
        // by the callers) those of the runs judged alone.
        max_other_cores: if conclusive { mean } else { 0.0 },
        usable_cores: round_cores(load.usable_cores),
        ticks_per_cpu: (pooled.ticks_per_cpu() * 10.0).round() / 10.0,
        busy: conclusive && load.busy,
        unjudged_runs: 0,
    }
}

/// Parses /proc/stat into `(busy, total)` ticks for the CPUs listed in `allowed` (all per-CPU
/// lines when `allowed` is `None`). Busy is everything but idle and iowait; guest time is
/// already inside user time, so only the first eight fields are summed.
pub fn parse_proc_stat(stat: &str, allowed: Option<&[usize]>) -> CpuSnapshot {
    let cpus = stat
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("cpu")?;
            let (id, fields) = rest.split_once(' ')?;
            let id: usize = id.parse().ok()?;
            if allowed.is_some_and(|a| !a.contains(&id)) {
                return None;
            }
            let ticks: Vec<u64> = fields
                .split_whitespace()
                .take(8)
                .filter_map(|t| t.parse().ok())
                .collect();
            let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
            let total: u64 = ticks.iter().sum();
            Some((total.saturating_sub(idle), total))
        })
        .collect();
    CpuSnapshot { cpus }
}

pub use crate::sys::procfs::parse_cpu_list;

/// Parses cgroup v2 `cpu.max` (`"max 100000"` or `"200000 100000"`): the quota in cores.
pub fn parse_cpu_max(text: &str) -> Option<f64> {
    let mut fields = text.split_whitespace();
    let quota = fields.next()?;
    let period: f64 = fields.next()?.parse().ok()?;
    if quota == "max" || period <= 0.0 {
        return None;
    }
    let quota: f64 = quota.parse().ok()?;
    (quota > 0.0).then_some(quota / period)
}

/// Reads the machine: the affinity mask, the cgroup quota, and snapshots of /proc/stat.
#[derive(Clone, Debug)]
pub struct LoadProbe {
    allowed: Option<Vec<usize>>,
    quota_cores: Option<f64>,
}

impl LoadProbe {
    /// Reads the affinity mask and quota once (they do not change during a sweep).
    pub fn new() -> Self {
        let allowed = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                    .and_then(parse_cpu_list)
            });
        LoadProbe {
            allowed,
            quota_cores: cgroup_quota(),
        }
    }

    pub fn quota_cores(&self) -> Option<f64> {
        self.quota_cores
    }

    /// The CPUs this process may run on now; `None` where /proc/stat cannot be read.
    pub fn snapshot(&self) -> Option<(Instant, CpuSnapshot)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let snap = parse_proc_stat(&stat, self.allowed.as_deref());
        (!snap.cpus.is_empty()).then(|| (Instant::now(), snap))
    }

    /// The ticks since `before`, given the CPU time this process used meanwhile: one run's
    /// evidence, to record and pool.
    pub fn evidence_since(
        &self,
        before: &(Instant, CpuSnapshot),
        own_cpu_s: f64,
    ) -> Option<LoadEvidence> {
        let (at, snap) = self.snapshot()?;
        let interval = at.duration_since(before.0).as_secs_f64();
        LoadEvidence::between(&before.1, &snap, interval, own_cpu_s, self.quota_cores)
    }
}

/// The other load over a stretch of work that is not a sweep's timed runs (`corelab
/// selftest`): a snapshot and this process's CPU time at its start, judged at its end with
/// the same rule as a run ([`LoadEvidence::judge`]).
#[derive(Debug)]
pub struct LoadWatch {
    probe: LoadProbe,
    start: Option<(Instant, CpuSnapshot)>,
    own_at_start_s: f64,
}

impl LoadWatch {
    pub fn start() -> Self {
        let probe = LoadProbe::new();
        let own_at_start_s = own_cpu_s();
        LoadWatch {
            start: probe.snapshot(),
            probe,
            own_at_start_s,
        }
    }

    /// The evidence since [`LoadWatch::start`]: this process's threads and the children it has
    /// waited for (worker processes, interpreters) are its own CPU time, the rest of the
    /// allowed CPUs' busy ticks other programs'. `None` where /proc/stat cannot be read.
    pub fn evidence(&self) -> Option<LoadEvidence> {
        let start = self.start.as_ref()?;
        let own = (own_cpu_s() - self.own_at_start_s).max(0.0);
        self.probe.evidence_since(start, own)
    }
}

/// CPU seconds of this process's threads and of the children it has waited for.
fn own_cpu_s() -> f64 {
    use crate::engine::cpu_time::{process_cpu_time, reaped_children_cpu_time};
    (process_cpu_time() + reaped_children_cpu_time()).as_secs_f64()
}

impl Default for LoadProbe {
    fn default() -> Self {
        Self::new()
    }
}

/// The tightest CPU quota, in cores, on the path from this process's cgroup to the root: cgroup
/// v2's `cpu.max`, or v1's `cpu.cfs_quota_us` ÷ `cpu.cfs_period_us` where the `cpu` controller is
/// mounted as v1 (hosts mixing the two have the controller on one side only).
fn cgroup_quota() -> Option<f64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let read = |dir: &std::path::Path, file: &str| std::fs::read_to_string(dir.join(file)).ok();
    let v2 = cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .and_then(|path| {
            tightest_on_path(std::path::Path::new("/sys/fs/cgroup"), path, |dir| {
                read(dir, "cpu.max").and_then(|t| parse_cpu_max(&t))
            })
        });
    let v1 = v1_cpu_dir(&cgroup, &mountinfo).and_then(|(mount, path)| {
        tightest_on_path(&mount, &path, |dir| {
            parse_cfs_quota(
                &read(dir, "cpu.cfs_quota_us")?,
                &read(dir, "cpu.cfs_period_us")?,
            )
        })
    });
    [v2, v1].into_iter().flatten().reduce(f64::min)
}

/// The smallest `quota_at` from `root` down each directory of `path` (a cgroup's path, `/a/b`).
fn tightest_on_path(
    root: &std::path::Path,
    path: &str,
    quota_at: impl Fn(&std::path::Path) -> Option<f64>,
) -> Option<f64> {
    let mut dir = root.to_path_buf();
    let mut tightest = quota_at(&dir);
    for part in path
        .trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != "..")
    {
        dir.push(part);
        if let Some(q) = quota_at(&dir) {
            tightest = Some(tightest.map_or(q, |t| t.min(q)));
        }
    }
    tightest
}

/// Where the cgroup v1 `cpu` controller of this process lives: its mount point (from
/// `/proc/self/mountinfo`) and this process's path below it (from `/proc/self/cgroup`, made
/// relative to the mount's own root, as inside a container).
fn v1_cpu_dir(cgroup: &str, mountinfo: &str) -> Option<(std::path::PathBuf, String)> {
    let has_cpu = |list: &str| list.split(',').any(|c| c == "cpu");
    let path = cgroup.lines().find_map(|l| {
        let mut fields = l.splitn(3, ':');
        let (_id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        has_cpu(controllers).then(|| path.to_string())
    })?;
    mountinfo.lines().find_map(|l| {
        let (mount, fs) = l.split_once(" - ")?;
        let mut fs_fields = fs.split_whitespace();
        let (fs_type, _source, options) = (fs_fields.next()?, fs_fields.next()?, fs_fields.next()?);
        if fs_type != "cgroup" || !has_cpu(options) {
            return None;
        }
        let mut mount_fields = mount.split_whitespace().skip(3);
        let (root, point) = (mount_fields.next()?, mount_fields.next()?);
        let below = match root {
            "/" => &path,
            _ => path.strip_prefix(root).unwrap_or(&path),
        };
        Some((std::path::PathBuf::from(point), below.to_string()))
    })
}

/// cgroup v1's quota in cores: `cpu.cfs_quota_us` (`-1`: none) ÷ `cpu.cfs_period_us`.
fn parse_cfs_quota(quota: &str, period: &str) -> Option<f64> {
    let quota: f64 = quota.trim().parse().ok()?;
    let period: f64 = period.trim().parse().ok()?;
    (quota > 0.0 && period > 0.0).then_some(quota / period)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cgroup_v1_cpu_quota_is_found_where_the_controller_is_mounted() {
        // A host mixing v1 and v2: the cpu controller on v1 only (as on the machine where a
        // 1-core quota was seen as 2 cores).
        let cgroup = "4:memory:/job\n2:cpuacct:/\n1:cpu:/job/limited\n0::/\n";
        let mountinfo = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
             32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n\
             33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n";
        assert_eq!(
            v1_cpu_dir(cgroup, mountinfo),
            Some(("/sys/fs/cgroup/cpu".into(), "/job/limited".into()))
        );
        // Inside a container the mount's root is the container's own cgroup.
        let mountinfo =
            "40 31 0:29 /job /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n";
        let cgroup = "3:cpu,cpuacct:/job/limited\n";
        assert_eq!(
            v1_cpu_dir(cgroup, mountinfo),
            Some(("/sys/fs/cgroup/cpu,cpuacct".into(), "/limited".into()))
        );
        // cpuacct alone is not the cpu controller.
        assert_eq!(v1_cpu_dir("2:cpuacct:/\n", mountinfo), None);
        assert_eq!(parse_cfs_quota("100000\n", "100000\n"), Some(1.0));
        assert_eq!(parse_cfs_quota("150000", "100000"), Some(1.5));
        assert_eq!(parse_cfs_quota("-1", "100000"), None);
    }

    #[test]
    fn the_tightest_quota_on_the_path_wins() {
        let quotas = |dir: &std::path::Path| match dir.to_str() {
            Some("/cg") => None,
            Some("/cg/a") => Some(4.0),
            Some("/cg/a/b") => Some(1.5),
            Some("/cg/a/b/c") => Some(2.0),
            _ => None,
        };
        assert_eq!(
            tightest_on_path(std::path::Path::new("/cg"), "/a/b/c\n", quotas),
            Some(1.5)
        );
        assert_eq!(
            tightest_on_path(std::path::Path::new("/cg"), "/", quotas),
            None
        );
    }

    /// The other load between `before` and `after`, `interval_s` apart, during which this process
    /// (and its workers) used `own_cpu_s` of CPU time, judged alone (see [`LoadEvidence`]).
    /// `quota_cores` is the cgroup's `cpu.max` quota in cores, if any. `None` when the snapshots do
    /// not cover the same CPUs or no time passed.
    fn other_load(
        before: &CpuSnapshot,
        after: &CpuSnapshot,
        interval_s: f64,
        own_cpu_s: f64,
        quota_cores: Option<f64>,
    ) -> Option<OtherLoad> {
        LoadEvidence::between(before, after, interval_s, own_cpu_s, quota_cores)?.judge()
    }

    fn snap(cpus: &[(u64, u64)]) -> CpuSnapshot {
        CpuSnapshot {
            cpus: cpus.to_vec(),
        }
    }

    #[test]
    fn own_cpu_time_is_not_other_load() {
        // Two CPUs fully busy for one second, all of it ours (2 s of CPU): no other load.
        let l = other_load(
            &snap(&[(0, 0), (0, 0)]),
            &snap(&[(100, 100), (100, 100)]),
            1.0,
            2.0,
            None,
        )
        .unwrap();
        assert_eq!(l.other_cores, 0.0);
        assert!(!l.busy);
        assert_eq!(l.usable_cores, 2.0);
    }

    #[test]
    fn a_competitor_on_a_two_core_machine_marks_the_run_busy() {
        // Both CPUs busy, we used one core's worth: another program used the other core.
        let l = other_load(
            &snap(&[(0, 0), (0, 0)]),
            &snap(&[(100, 100), (100, 100)]),
            1.0,
            1.0,
            None,
        )
        .unwrap();
        assert!((l.other_cores - 1.0).abs() < 1e-9);
        assert!(l.busy);
        // A little background (0.3 cores) is below the threshold.
        let l = other_load(
            &snap(&[(0, 0), (0, 0)]),
            &snap(&[(30, 100), (0, 100)]),
            1.0,
            0.0,
            None,
        )
        .unwrap();
        assert!((l.other_cores - 0.3).abs() < 1e-9);
        assert!(!l.busy);
    }

    #[test]
    fn a_quota_leaves_room_on_a_big_host() {
        // A container with a 2-core quota on 8 allowed CPUs: 3 cores of other load still
        // leave 5 free CPUs, more than the 2 it may use, so the run is not disturbed.
        let before = snap(&[(0, 0); 8]);
        let mut after = vec![(100, 100); 3];
        after.extend([(0, 100); 5]);
        let l = other_load(&before, &snap(&after), 1.0, 0.0, Some(2.0)).unwrap();
        assert!((l.other_cores - 3.0).abs() < 1e-9);
        assert_eq!(l.usable_cores, 2.0);
        assert!(!l.busy);
        // Without the quota it could use all 8, and 3 of them were taken.
        let l = other_load(&before, &snap(&after), 1.0, 0.0, None).unwrap();
        assert!(l.busy);
        // A quota above the CPU count is capped by the CPUs.
        let l = other_load(&before, &snap(&after), 1.0, 0.0, Some(16.0)).unwrap();
        assert_eq!(l.usable_cores, 8.0);
    }

    #[test]
    fn mismatched_or_empty_snapshots_give_no_figure() {
        assert!(other_load(&snap(&[(0, 0)]), &snap(&[(1, 1), (1, 1)]), 1.0, 0.0, None).is_none());
        assert!(other_load(&snap(&[]), &snap(&[]), 1.0, 0.0, None).is_none());
        assert!(other_load(&snap(&[(0, 0)]), &snap(&[(1, 1)]), 0.0, 0.0, None).is_none());
        // Counters that did not move (or went backwards) count as idle, not negative.
        let l = other_load(&snap(&[(5, 5)]), &snap(&[(4, 4)]), 1.0, 0.0, None).unwrap();
        assert_eq!(l.other_cores, 0.0);
    }

    use crate::engine::mock::ticked_run;

    /// 60 runs of 4 ms, one every 13.7 ms, on 2 CPUs whose ticks are 5 ms apart; each run
    /// keeps CPU 0 busy (one core of its own); `cpu1_busy` says when CPU 1 is.
    fn short_runs(cpu1_busy: impl Fn(f64) -> bool) -> Vec<LoadEvidence> {
        (0..60)
            .map(|k| {
                let busy = |c: usize, t: f64| c == 0 || cpu1_busy(t);
                ticked_run(k as f64 * 13.7, 4.0, &[0.0, 5.0], busy, 1.0)
            })
            .collect()
    }

    fn pool(runs: &[LoadEvidence]) -> LoadEvidence {
        let mut pooled = LoadEvidence::default();
        for r in runs {
            assert!(pooled.add(r));
        }
        pooled
    }

    /// Samples recorded from `runs` and judged with their pooled evidence.
    fn judged(runs: &[LoadEvidence]) -> (Vec<Sample>, Option<LoadSummary>) {
        let mut samples: Vec<Sample> = runs
            .iter()
            .map(|r| {
                let mut s = Sample::default();
                assert!(record_run(&mut s, r));
                s
            })
            .collect();
        let summary = judge_runs(&mut samples, &pool(runs));
        (samples, summary)
    }

    #[test]
    fn a_steady_hog_is_seen_in_pooled_short_runs() {
        // Another program keeps CPU 1 busy all the time. Each 4 ms run sees one tick or none,
        // on one CPU, never both: judged alone (the rule before pooling), a run whose tick
        // fell on CPU 1 shows 1 busy CPU minus its own core, and one whose tick fell on CPU 0
        // or nowhere shows nothing. Not one of the 60 was busy.
        let runs = short_runs(|_| true);
        let ticks: u64 = runs.iter().flat_map(|r| &r.cpus).map(|c| c.1).sum();
        assert!(ticks > 0 && ticks < 60, "{ticks} ticks in 60 runs");
        let alone = runs.iter().filter(|r| r.judge().unwrap().busy).count();
        assert_eq!(alone, 0, "judged alone, runs of a few ticks look quiet");
        // And their mean figure is biased: a CPU without a tick adds nothing, while the run's
        // own core is subtracted in full, so no run showed any other load at all.
        let mean_alone = runs
            .iter()
            .map(|r| r.judge().unwrap().other_cores)
            .sum::<f64>()
            / 60.0;
        assert_eq!(mean_alone, 0.0);
        assert!(runs.iter().all(|r| !r.conclusive()));
        // Pooled: both CPUs busy at every tick, one core of it ours: one other core.
        let pooled = pool(&runs);
        let load = pooled.judge().unwrap();
        assert!((load.other_cores - 1.0).abs() < 1e-9, "{load:?}");
        assert!(
            pooled.conclusive(),
            "{} ticks per CPU",
            pooled.ticks_per_cpu()
        );
        assert!(load.busy);
        // Every run takes the cell's verdict, and says so.
        let (samples, summary) = judged(&runs);
        let summary = summary.unwrap();
        assert!(
            samples
                .iter()
                .all(|s| s.busy && s.busy_basis == BusyBasis::Cell)
        );
        assert_eq!(
            (summary.runs, summary.busy_runs, summary.unjudged_runs),
            (60, 60, 0)
        );
        assert!(summary.busy);
        assert_eq!(summary.mean_other_cores, 1.0);
        assert_eq!(summary.usable_cores, 2.0);
        assert!(summary.ticks_per_cpu >= MIN_TICKS_PER_CPU);
    }

    #[test]
    fn a_quiet_machine_pools_to_a_quiet_verdict() {
        // CPU 1 is busy 5 ms in every 100 (kernel threads, a terminal): 0.05 cores.
        let runs = short_runs(|t| t.rem_euclid(100.0) < 5.0);
        let (samples, summary) = judged(&runs);
        let summary = summary.unwrap();
        assert!(
            summary.mean_other_cores < BUSY_THRESHOLD_CORES,
            "{summary:?}"
        );
        assert!(!summary.busy);
        assert_eq!((summary.busy_runs, summary.unjudged_runs), (0, 0));
        assert!(
            samples
                .iter()
                .all(|s| !s.busy && s.busy_basis == BusyBasis::Cell)
        );
        // An idle machine: nothing at all.
        let (_, idle) = judged(&short_runs(|_| false));
        assert_eq!(idle.unwrap().mean_other_cores, 0.0);
    }

    #[test]
    fn runs_too_short_even_together_get_no_verdict() {
        // Three 4 ms runs under a hog: a tick or two per CPU in all.
        let runs = &short_runs(|_| true)[..3];
        assert!(!pool(runs).conclusive());
        let (samples, summary) = judged(runs);
        let summary = summary.unwrap();
        assert!(
            samples
                .iter()
                .all(|s| !s.busy && s.busy_basis == BusyBasis::TooFewTicks)
        );
        assert_eq!((summary.busy_runs, summary.unjudged_runs), (0, 3));
        assert!(!summary.busy, "no verdict from too few ticks");
        assert_eq!(summary.max_other_cores, 0.0, "no figure worth a maximum");
    }

    #[test]
    fn a_long_run_keeps_its_own_verdict_beside_short_ones() {
        // One 200 ms run during a burst on CPU 1 (busy alone), then 60 quiet short runs.
        let burst = ticked_run(0.0, 200.0, &[0.0, 5.0], |_, _| true, 1.0);
        assert!(burst.conclusive() && burst.judge().unwrap().busy);
        let mut runs = vec![burst];
        runs.extend(short_runs(|_| false));
        let (samples, summary) = judged(&runs);
        let summary = summary.unwrap();
        assert_eq!(samples[0].busy_basis, BusyBasis::Run);
        assert!(samples[0].busy);
        assert!(samples[1..].iter().all(|s| s.busy_basis == BusyBasis::Cell));
        // The cell's pooled figure weighs each run by its ticks: the burst's 20 busy ticks of
        // CPU 1 among the 44 CPU 1 had in all, 0.45 cores, under the threshold.
        assert_eq!(pool(&runs).cpus[1], (20, 44));
        assert_eq!(summary.mean_other_cores, 0.4545);
        assert!(!summary.busy, "{summary:?}");
        assert!(samples[1..].iter().all(|s| !s.busy));
        assert_eq!(summary.busy_runs, 1);
        assert_eq!(summary.max_other_cores, 1.0, "the burst run's figure");
    }

    #[test]
    fn pools_add_up_and_the_sweep_sums_its_cells() {
        let a = LoadEvidence {
            cpus: vec![(1, 2), (0, 1)],
            interval_s: 0.02,
            own_cpu_s: 0.01,
            quota_cores: Some(1.5),
            runs: 1,
        };
        let mut b = a.clone();
        b.quota_cores = Some(1.0);
        let mut pooled = LoadEvidence::default();
        assert!(pooled.add(&a) && pooled.add(&b));
        assert_eq!(pooled.cpus, vec![(2, 4), (0, 2)]);
        assert_eq!((pooled.runs, pooled.quota_cores), (2, Some(1.0)));
        assert!((pooled.interval_s - 0.04).abs() < 1e-12);
        assert_eq!(pooled.ticks_per_cpu(), 3.0);
        // Another set of CPUs is left out.
        let three = LoadEvidence {
            cpus: vec![(0, 1); 3],
            ..a.clone()
        };
        assert!(!pooled.add(&three));
        assert_eq!(pooled.runs, 2);
        // The sweep's counts are its cells'; its figure is its own pool's.
        let hog = short_runs(|_| true);
        let (_, busy_cell) = judged(&hog);
        let (_, thin_cell) = judged(&hog[..3]);
        let (busy_cell, thin_cell) = (busy_cell.unwrap(), thin_cell.unwrap());
        let mut sweep = pool(&hog);
        assert!(sweep.add(&pool(&hog[..3])));
        let s = sweep_summary(&sweep, [&busy_cell, &thin_cell]).unwrap();
        assert_eq!((s.runs, s.busy_runs, s.unjudged_runs), (63, 60, 3));
        assert!(s.busy && s.max_other_cores == 1.0);
        assert!(sweep_summary(&LoadEvidence::default(), []).is_none());
    }

    #[test]
    fn proc_stat_is_read_per_allowed_cpu() {
        let stat = "cpu  10 0 10 100 5 0 0 0 0 0\n\
                    cpu0 4 0 4 50 2 0 0 0 0 0\n\
                    cpu1 6 0 6 50 3 0 0 0 0 0\n\
                    cpu12 1 1 1 1 1 1 1 1 9 9\n\
                    intr 1 2 3\n";
        let all = parse_proc_stat(stat, None);
        assert_eq!(all.cpus, vec![(8, 60), (12, 65), (6, 8)]);
        let mine = parse_proc_stat(stat, Some(&[1, 12]));
        assert_eq!(mine.cpus, vec![(12, 65), (6, 8)]);
    }

    #[test]
    fn cpu_lists_and_quotas_parse() {
        assert_eq!(
            parse_cpu_list("0-3,8,10-11\n"),
            Some(vec![0, 1, 2, 3, 8, 10, 11])
        );
        assert_eq!(parse_cpu_list("5"), Some(vec![5]));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list("x"), None);
        assert_eq!(parse_cpu_list(""), None);
        assert_eq!(parse_cpu_max("max 100000\n"), None);
        assert_eq!(parse_cpu_max("200000 100000\n"), Some(2.0));
        assert_eq!(parse_cpu_max("50000 100000"), Some(0.5));
        assert_eq!(parse_cpu_max("garbage"), None);
    }

    #[test]
    fn this_machine_can_be_sampled() {
        let probe = LoadProbe::new();
        let before = probe.snapshot().expect("/proc/stat is readable on Linux");
        assert!(!before.1.cpus.is_empty());
        std::thread::sleep(std::time::Duration::from_millis(20));
        if let Some(l) = probe.evidence_since(&before, 0.0).and_then(|e| e.judge()) {
            assert!(l.other_cores >= 0.0 && l.other_cores <= before.1.cpus.len() as f64 + 1e-9);
        }
    }

    /// Judging a cell again after each run, as the sweep does, gives the same marks and
    /// summaries incrementally ([`CellJudge`]) as judging all its runs afresh each time: over
    /// seeded runs of random lengths, some too short to judge alone, on a machine whose other
    /// load comes and goes (so the cell's verdict changes back and forth), and a run now and
    /// then of another CPU count (left out of the pool).
    #[test]
    fn judging_after_each_run_matches_judging_all_runs_afresh() {
        let mut flips = 0;
        for seed in 1..=12u64 {
            let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut rand = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let (mut judge, mut pooled) = (CellJudge::default(), LoadEvidence::default());
            let (mut fresh, mut incremental) = (Vec::new(), Vec::new());
            let mut last = None;
            let mut t = 0.0;
            for _ in 0..150 {
                let len = [2.0, 4.0, 9.0, 30.0, 120.0][(rand() % 5) as usize];
                // The other program runs in bursts of a random length.
                let burst = 20.0 + (rand() % 400) as f64;
                let cpus: &[f64] = if rand().is_multiple_of(40) {
                    &[0.0]
                } else {
                    &[0.0, 5.0]
                };
                let hog =
                    move |c: usize, at: f64| c == 0 || ((at / burst) as u64).is_multiple_of(2);
                let run = ticked_run(t, len, cpus, hog, 0.6);
                t += len + 3.0;
                let mut sample = Sample::default();
                if !record_run(&mut sample, &run) {
                    continue;
                }
                fresh.push(sample.clone());
                incremental.push(sample);
                if pooled.add(&run) {
                    assert!(judge.add(&run));
                }
                let want = judge_runs(&mut fresh, &pooled);
                let got = judge.judge(&mut incremental);
                assert_eq!(got, want, "seed {seed}");
                assert_eq!(incremental, fresh, "seed {seed}");
                let busy = want.map(|w| w.busy);
                flips += usize::from(last.is_some() && busy != last);
                last = busy;
            }
        }
        assert!(flips >= 5, "the verdict changed only {flips} times");
    }

    #[test]
    fn a_cell_judge_starts_over_when_runs_are_taken_away() {
        let runs = short_runs(|_| true);
        let (mut samples, want) = judged(&runs);
        let mut judge = CellJudge {
            pooled: pool(&runs),
            ..CellJudge::default()
        };
        assert_eq!(judge.judge(&mut samples), want);
        // Fewer samples than judged before: counted again from the start.
        let mut fewer = samples[..10].to_vec();
        let summary = judge.judge(&mut fewer).unwrap();
        assert_eq!(summary.runs, 10);
        assert_eq!(summary.busy_runs, fewer.iter().filter(|s| s.busy).count());
    }
}

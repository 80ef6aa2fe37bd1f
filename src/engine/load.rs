//! How much other programs compete with a timed run for the cores this process may use.
//!
//! Sampled around every timed run (not once before the sweep): the busy time of the CPUs in
//! this process's affinity mask, from the per-CPU lines of /proc/stat, minus the CPU time the
//! run itself used over the same interval, is the load of *other* programs. Only the CPUs we may
//! run on count, and a cgroup v2 `cpu.max` quota caps how many of them we could use, so in a
//! container neither the host's other CPUs nor its total core count inflate the figure.
//!
//! A run is marked busy when that other load leaves fewer free CPUs than the run could use:
//! `allowed CPUs − other load < min(allowed CPUs, quota)`, with a dead band of half a core.

use std::time::Instant;

/// Other load below this many cores is noise (kernel threads, the terminal), not a competitor.
pub const BUSY_THRESHOLD_CORES: f64 = 0.5;

/// One reading of the CPUs this process may use.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuSnapshot {
    /// `(busy ticks, total ticks)` of every CPU in the affinity mask (/proc/stat units).
    pub cpus: Vec<(u64, u64)>,
}

/// The other load over one interval between two snapshots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OtherLoad {
    /// Cores kept busy by other programs (never negative).
    pub other_cores: f64,
    /// Cores this process could use: the CPUs of the affinity mask, capped by the quota.
    pub usable_cores: f64,
    /// Whether the other load left fewer free CPUs than `usable_cores`.
    pub busy: bool,
}

/// The other load between `before` and `after`, `interval_s` apart, during which this process
/// (and its workers) used `own_cpu_s` of CPU time. `quota_cores` is the cgroup's `cpu.max`
/// quota in cores, if any. A pure function: the whole rule, testable without a machine.
/// `None` when the snapshots do not cover the same CPUs or no time passed.
pub fn other_load(
    before: &CpuSnapshot,
    after: &CpuSnapshot,
    interval_s: f64,
    own_cpu_s: f64,
    quota_cores: Option<f64>,
) -> Option<OtherLoad> {
    if before.cpus.len() != after.cpus.len() || before.cpus.is_empty() || interval_s <= 0.0 {
        return None;
    }
    // Per CPU, the busy fraction of its own ticks: no need to know the tick rate.
    let mut busy_cores = 0.0;
    for (&(b0, t0), &(b1, t1)) in before.cpus.iter().zip(&after.cpus) {
        let total = t1.saturating_sub(t0);
        if total > 0 {
            busy_cores += b1.saturating_sub(b0).min(total) as f64 / total as f64;
        }
    }
    let own_cores = own_cpu_s.max(0.0) / interval_s;
    let other_cores = (busy_cores - own_cores).max(0.0);
    let allowed = before.cpus.len() as f64;
    let usable_cores = quota_cores.map_or(allowed, |q| q.min(allowed));
    let free = allowed - other_cores;
    let busy = other_cores > BUSY_THRESHOLD_CORES && free < usable_cores;
    Some(OtherLoad {
        other_cores,
        usable_cores,
        busy,
    })
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

/// Parses a CPU list such as `0-3,8,10-11` (`Cpus_allowed_list` in /proc/self/status).
pub fn parse_cpu_list(list: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in list.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 65_536 {
                    return None;
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    (!cpus.is_empty()).then_some(cpus)
}

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

    /// The other load since `before`, given the CPU time this process used meanwhile.
    pub fn since(&self, before: &(Instant, CpuSnapshot), own_cpu_s: f64) -> Option<OtherLoad> {
        let (at, snap) = self.snapshot()?;
        let interval = at.duration_since(before.0).as_secs_f64();
        other_load(&before.1, &snap, interval, own_cpu_s, self.quota_cores)
    }
}

impl Default for LoadProbe {
    fn default() -> Self {
        Self::new()
    }
}

/// The tightest cgroup v2 `cpu.max` quota on the path from this process's cgroup to the root.
fn cgroup_quota() -> Option<f64> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?.trim();
    let mut dir = std::path::PathBuf::from("/sys/fs/cgroup");
    let mut tightest: Option<f64> = None;
    let mut consider = |dir: &std::path::Path| {
        if let Some(q) = std::fs::read_to_string(dir.join("cpu.max"))
            .ok()
            .and_then(|t| parse_cpu_max(&t))
        {
            tightest = Some(tightest.map_or(q, |t: f64| t.min(q)));
        }
    };
    consider(&dir);
    for part in path.split('/').filter(|p| !p.is_empty() && *p != "..") {
        dir.push(part);
        consider(&dir);
    }
    tightest
}

#[cfg(test)]
mod tests {
    use super::*;

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
        if let Some(l) = probe.since(&before, 0.0) {
            assert!(l.other_cores >= 0.0 && l.other_cores <= before.1.cpus.len() as f64 + 1e-9);
        }
    }
}

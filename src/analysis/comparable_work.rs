//! Whether the times of two results files measure the same work, and so on what basis the
//! regression gate compares them: wall times as they are (the same task, size included), time
//! per unit of work (the same task sized differently, as calibration sizes it to each machine,
//! where the task's work is counted), or not at all (another task, or work corelab cannot
//! count).

use crate::preset::{TaskKind, TaskSpec, WorkUnit};

/// What the gate compares a cell's times on.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Basis {
    /// The same task, size included: the median wall times as they are.
    #[default]
    WallTime,
    /// The same task sized differently: each run's times divided by its work (`baseline`,
    /// `new`: each run's amount of `unit`).
    PerUnit {
        unit: WorkUnit,
        baseline: f64,
        new: f64,
    },
}

impl Basis {
    /// What a time is divided by in the baseline and in the new results.
    pub fn divisors(self) -> (f64, f64) {
        match self {
            Basis::WallTime => (1.0, 1.0),
            Basis::PerUnit { baseline, new, .. } => (baseline, new),
        }
    }

    /// The unit a time is per, in words, where it is not a whole run's.
    pub fn unit(self) -> Option<WorkUnit> {
        match self {
            Basis::WallTime => None,
            Basis::PerUnit { unit, .. } => Some(unit),
        }
    }
}

/// Why two results files' times cannot be compared (a sentence without its full stop).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{why}{}", if *.rerun_baseline { ": re-run the baseline's experiment at its size to compare them" } else { "" })]
pub struct NotComparable {
    /// The reason, as a clause.
    pub why: String,
    /// Only the size differs: running the baseline's own experiment again (`corelab run
    /// BASELINE.json`, which re-runs at its recorded size) gives results that compare.
    pub rerun_baseline: bool,
}

impl NotComparable {
    fn other(why: String) -> NotComparable {
        NotComparable {
            why,
            rerun_baseline: false,
        }
    }

    /// The reason with the fix that works where only the size differs, naming the baseline's
    /// file (`baseline`, as the user wrote it): `` …: re-run the baseline's experiment at its
    /// size: `corelab run A.json --out A-rerun.json` ``. The output is named after the
    /// baseline, not `new.json`, which may be the very results being compared.
    pub fn with_fix(&self, baseline: &str) -> String {
        // `corelab run` takes a bare name without `.json` for a built-in preset's.
        let file = match baseline.contains('/') || baseline.ends_with(".json") {
            true => baseline.to_string(),
            false => format!("./{baseline}"),
        };
        let stem = file.strip_suffix(".json").unwrap_or(&file);
        match self.rerun_baseline {
            true => format!(
                "{}: re-run the baseline's experiment at its size: `corelab run {} --out {}`",
                self.why,
                shell_word(&file),
                shell_word(&format!("{stem}-rerun.json"))
            ),
            false => self.why.clone(),
        }
    }
}

/// `A.json` as it is; a path with spaces or shell characters in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "/._-+=:,@%".contains(c));
    match plain {
        true => text.to_string(),
        false => format!("'{}'", text.replace('\'', r"'\''")),
    }
}

/// The basis on which the times of a `new` run of `new_task` compare with those of a
/// `baseline` run of `baseline_task` (see [`Basis`]); refused where the tasks differ in more
/// than their size, or where their sizes differ and the task's work is not counted.
pub fn comparison_basis(
    baseline_task: &TaskSpec,
    new_task: &TaskSpec,
) -> Result<Basis, NotComparable> {
    let (b, n) = (baseline_task, new_task);
    if b.same_as(n) {
        return Ok(Basis::WallTime);
    }
    if b.kind != n.kind {
        return Err(NotComparable::other(format!(
            "the baseline measured a task of kind {} and the new results one of kind {}: their times are of different work",
            b.kind, n.kind
        )));
    }
    if !b.alike_apart_from_size(n) {
        return Err(NotComparable::other(format!(
            "the {} tasks differ in more than their size ({} in the baseline, {} in the new results): their times are of different work",
            b.kind,
            parameters(b),
            parameters(n)
        )));
    }
    match (b.work(), n.work()) {
        (Ok(bw), Ok(nw)) if bw.unit == nw.unit && bw.amount > 0.0 && nw.amount > 0.0 => {
            Ok(Basis::PerUnit {
                unit: bw.unit,
                baseline: bw.amount,
                new: nw.amount,
            })
        }
        (Err(why), _) | (_, Err(why)) => Err(NotComparable {
            why: format!("the task sizes differ ({}) and {why}", sizes(b, n)),
            rerun_baseline: true,
        }),
        _ => Err(NotComparable {
            why: format!(
                "the task sizes differ ({}) and one of them does no work to divide the times by",
                sizes(b, n)
            ),
            rerun_baseline: true,
        }),
    }
}

/// `task.cpu.size = 3500000 in the baseline, 2666170 in the new results`.
fn sizes(b: &TaskSpec, n: &TaskSpec) -> String {
    match (b.size_knob(), n.size_knob()) {
        (Some((knob, bs)), Some((_, ns))) => {
            format!("{knob} = {bs} in the baseline, {ns} in the new results")
        }
        _ => "in the baseline and in the new results".to_string(),
    }
}

/// A task's own parameters, its count of tasks included: `64 tasks, {"kernel":"primes",…}`.
fn parameters(t: &TaskSpec) -> String {
    let own = t.own_parameters_json();
    let payload = match t.payload_kib {
        0 => String::new(),
        kib => format!(", payload {kib} KiB"),
    };
    match t.kind {
        TaskKind::Contention => format!("{own}{payload}"),
        _ => format!("{} tasks, {own}{payload}", t.tasks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::CpuKernel;

    fn cpu(kernel: CpuKernel, size: u64) -> TaskSpec {
        let mut t = TaskSpec::default();
        (t.cpu.kernel, t.cpu.size) = (kernel, size);
        t
    }

    #[test]
    fn the_same_task_compares_on_wall_time() {
        let t = cpu(CpuKernel::Primes, 3_500_000);
        assert_eq!(comparison_basis(&t, &t.clone()), Ok(Basis::WallTime));
    }

    #[test]
    fn a_task_sized_differently_compares_per_unit_of_work_where_work_is_counted() {
        let basis = comparison_basis(
            &cpu(CpuKernel::HashChain, 4_000_000),
            &cpu(CpuKernel::HashChain, 3_000_000),
        );
        assert_eq!(
            basis,
            Ok(Basis::PerUnit {
                unit: WorkUnit::HashRound,
                baseline: 4e6,
                new: 3e6
            })
        );
        assert_eq!(basis.unwrap().divisors(), (4e6, 3e6));
    }

    #[test]
    fn other_work_is_refused_with_the_reason() {
        let primes = comparison_basis(
            &cpu(CpuKernel::Primes, 3_500_000),
            &cpu(CpuKernel::Primes, 2_666_170),
        )
        .unwrap_err();
        assert_eq!(
            primes.to_string(),
            "the task sizes differ (task.cpu.size = 3500000 in the baseline, 2666170 in the new \
             results) and the primes kernel's cost grows faster than its size (larger numbers \
             take more trial divisions), so no unit of it takes a fixed time: re-run the \
             baseline's experiment at its size to compare them"
        );
        assert!(primes.rerun_baseline);
        assert!(
            primes.with_fix("runs/A.json").ends_with(
                "so no unit of it takes a fixed time: re-run the baseline's experiment at its \
                 size: `corelab run runs/A.json --out runs/A-rerun.json`"
            ),
            "{primes}"
        );
        assert!(
            primes.with_fix("my runs/it's.json").ends_with(
                r"`corelab run 'my runs/it'\''s.json' --out 'my runs/it'\''s-rerun.json'`"
            ),
            "{primes}"
        );
        let io = TaskSpec {
            kind: TaskKind::Io,
            ..TaskSpec::default()
        };
        let kinds = comparison_basis(&cpu(CpuKernel::Primes, 10), &io).unwrap_err();
        assert_eq!(
            kinds.to_string(),
            "the baseline measured a task of kind cpu and the new results one of kind io: their \
             times are of different work"
        );
        let mut split = cpu(CpuKernel::HashChain, 10);
        split.tasks = 8;
        let params = comparison_basis(&cpu(CpuKernel::HashChain, 10), &split).unwrap_err();
        assert!(
            params.why.starts_with(
                "the cpu tasks differ in more than their size (64 tasks, {\"kernel\":\"hash-chain\""
            ),
            "{params}"
        );
    }
}

//! How much work a task does, counted in a unit its time grows in proportion to: what lets two
//! runs of a task sized differently (each calibration sizes it to its machine) be compared per
//! unit of work, as the regression gate does.

use super::task::{CpuKernel, TaskKind, TaskSpec};

/// A unit of work whose time is proportional to how many of it a task does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkUnit {
    /// One round of the `hash-chain` kernel (the rounds are split evenly over the tasks).
    HashRound,
    /// One MiB of the memory triad's three arrays swept once (`3 × array_mib × passes`).
    MibSwept,
    /// One increment of a `contention` task's counter by one worker (each worker does
    /// `increments`, so a cell of N workers does N times as many).
    Increment,
}

impl WorkUnit {
    /// The unit in words, singular: "hash round", "MiB swept", "increment".
    pub fn name(self) -> &'static str {
        match self {
            WorkUnit::HashRound => "hash round",
            WorkUnit::MibSwept => "MiB swept",
            WorkUnit::Increment => "increment per worker",
        }
    }

    /// The unit in words, plural: "hash rounds", "MiB swept", "increments per worker".
    pub fn plural(self) -> &'static str {
        match self {
            WorkUnit::HashRound => "hash rounds",
            WorkUnit::MibSwept => "MiB swept",
            WorkUnit::Increment => "increments per worker",
        }
    }
}

/// An amount of work: `amount` of `unit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Work {
    pub amount: f64,
    pub unit: WorkUnit,
}

impl TaskSpec {
    /// The work this task does, in a unit its time is proportional to; else why it has none
    /// (a clause: "a primes task's cost grows faster than its size").
    pub fn work(&self) -> Result<Work, &'static str> {
        let work = |amount: f64, unit| Ok(Work { amount, unit });
        match self.kind {
            TaskKind::Cpu => match self.cpu.kernel {
                CpuKernel::HashChain => work(self.cpu.size as f64, WorkUnit::HashRound),
                CpuKernel::Primes => Err(
                    "the primes kernel's cost grows faster than its size (larger numbers take more trial divisions), so no unit of it takes a fixed time",
                ),
            },
            TaskKind::Memory => work(
                3.0 * self.memory.array_mib as f64 * f64::from(self.memory.passes),
                WorkUnit::MibSwept,
            ),
            TaskKind::Contention => work(self.contention.increments as f64, WorkUnit::Increment),
            TaskKind::Io => Err("an io task's size is a time to wait, not an amount of work"),
            TaskKind::Mixed => {
                Err("a mixed task's size is a time (compute_ms), not an amount of work")
            }
            TaskKind::Command | TaskKind::Function => {
                Err("the work of a command or a Python function is unknown to corelab")
            }
        }
    }

    /// Whether `other` is this task (the same kind and the same parameters of that kind, the
    /// same number of tasks and payload), whatever the size of each.
    pub fn alike_apart_from_size(&self, other: &TaskSpec) -> bool {
        let unsized_ = |t: &TaskSpec| {
            let mut t = t.own_parameters();
            t.cpu.size = 0;
            (t.memory.array_mib, t.memory.passes) = (0, 0);
            t.contention.increments = 0;
            // The size knobs calibration turns for io and mixed tasks: such tasks are alike,
            // and then told apart by `work`. A mixed task's calibration keeps its wait per ms
            // of compute, which is what it measures: that stays (to a millionth).
            t.io.sleep_ms = 0.0;
            let (compute, wait) = (t.mixed.compute_ms, t.mixed.wait_ms);
            if compute > 0.0 {
                t.mixed.wait_ms = (wait / compute * 1e6).round() / 1e6;
            }
            t.mixed.compute_ms = 0.0;
            t
        };
        unsized_(self) == unsized_(other)
    }

    /// The parameters of this task's own kind as JSON (`{"kernel":"primes","size":…}`), as a
    /// report or a refusal quotes them.
    pub fn own_parameters_json(&self) -> String {
        match self.kind {
            TaskKind::Cpu => serde_json::to_string(&self.cpu),
            TaskKind::Io => serde_json::to_string(&self.io),
            TaskKind::Memory => serde_json::to_string(&self.memory),
            TaskKind::Contention => serde_json::to_string(&self.contention),
            TaskKind::Mixed => serde_json::to_string(&self.mixed),
            TaskKind::Command => serde_json::to_string(&self.command),
            TaskKind::Function => serde_json::to_string(&self.function),
        }
        .unwrap_or_default()
    }

    /// Whether `other` is the same task, its size included.
    pub fn same_as(&self, other: &TaskSpec) -> bool {
        self.own_parameters() == other.own_parameters()
    }

    /// This task with the parameters of other kinds, which it does not use, set to their
    /// defaults (and the number of tasks of `contention`, which ignores it).
    fn own_parameters(&self) -> TaskSpec {
        let d = TaskSpec::default();
        let mut t = TaskSpec {
            kind: self.kind,
            tasks: self.tasks,
            payload_kib: self.payload_kib,
            ..d.clone()
        };
        match self.kind {
            TaskKind::Cpu => t.cpu = self.cpu.clone(),
            TaskKind::Io => t.io = self.io.clone(),
            TaskKind::Memory => t.memory = self.memory.clone(),
            TaskKind::Contention => {
                t.contention = self.contention.clone();
                t.tasks = 0;
            }
            TaskKind::Mixed => t.mixed = self.mixed.clone(),
            TaskKind::Command => t.command = self.command.clone(),
            TaskKind::Function => t.function = self.function.clone(),
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(size: u64) -> TaskSpec {
        let mut t = TaskSpec::default();
        t.cpu.kernel = CpuKernel::HashChain;
        t.cpu.size = size;
        t
    }

    #[test]
    fn work_is_counted_where_time_grows_with_it() {
        assert_eq!(
            hash(3_000_000).work(),
            Ok(Work {
                amount: 3e6,
                unit: WorkUnit::HashRound
            })
        );
        let mut memory = TaskSpec {
            kind: TaskKind::Memory,
            ..TaskSpec::default()
        };
        (memory.memory.array_mib, memory.memory.passes) = (64, 4);
        assert_eq!(memory.work().map(|w| w.amount), Ok(768.0));
        let mut primes = hash(10);
        primes.cpu.kernel = CpuKernel::Primes;
        assert!(primes.work().unwrap_err().contains("primes"));
        let io = TaskSpec {
            kind: TaskKind::Io,
            ..TaskSpec::default()
        };
        assert!(io.work().is_err());
    }

    #[test]
    fn tasks_alike_apart_from_size_differ_only_in_it() {
        assert!(hash(1).alike_apart_from_size(&hash(2)));
        assert!(!hash(1).same_as(&hash(2)));
        assert!(hash(2).same_as(&hash(2)));
        let mut other = hash(1);
        other.tasks = 7;
        assert!(!hash(1).alike_apart_from_size(&other));
        // Parameters of another kind, which the task does not use, do not count.
        let mut unused = hash(2);
        unused.io.sleep_ms = 123.0;
        assert!(unused.same_as(&hash(2)));
        let mut primes = hash(1);
        primes.cpu.kernel = CpuKernel::Primes;
        assert!(!hash(1).alike_apart_from_size(&primes));
        // Calibrated io and mixed tasks differ in their size knobs alone: alike, so that the
        // gate names why their times cannot be compared (`work`), not "more than their size".
        let io = |sleep_ms: f64| {
            let mut t = TaskSpec {
                kind: TaskKind::Io,
                ..TaskSpec::default()
            };
            t.io.sleep_ms = sleep_ms;
            t
        };
        assert!(io(10.0).alike_apart_from_size(&io(12.5)));
        let mixed = |compute_ms: f64, wait_ms: f64| {
            let mut t = TaskSpec {
                kind: TaskKind::Mixed,
                ..TaskSpec::default()
            };
            (t.mixed.compute_ms, t.mixed.wait_ms) = (compute_ms, wait_ms);
            t
        };
        assert!(mixed(2.0, 8.0).alike_apart_from_size(&mixed(3.0, 12.0)));
        // Another share of waiting is another task, whatever the sizes.
        assert!(!mixed(5.0, 5.0).alike_apart_from_size(&mixed(5.0, 20.0)));
        let mut other_mode = io(10.0);
        other_mode.io.file_kib = 4096;
        other_mode.io.mode = crate::preset::IoMode::File;
        assert!(!io(10.0).alike_apart_from_size(&other_mode));
    }
}

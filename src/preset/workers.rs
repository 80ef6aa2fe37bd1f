//! Worker sweeps relative to the machine: `"workers": "auto"` or a rule such as
//! `{"up_to": "cores", "times": 2, "steps": "powers-of-2"}`, resolved when the preset is loaded
//! on the machine that runs it. "Cores" are the CPUs this process may run on (its affinity
//! mask and cgroup CPU quota, as `std::thread::available_parallelism` reports them), not the
//! host's: under `taskset -c 0` there is one.
//!
//! Also the worker-list syntax both front ends read ([`parse_list`]: the workbench's worker
//! field and `corelab run --workers`), and the named rules behind the workbench's quick
//! buttons.

use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use super::error::PresetError;
use super::validate::limits::{MAX_IN_FLIGHT, MAX_WORKER_COUNTS, MAX_WORKERS};

/// The CPUs this process may run on (affinity mask, cgroup quota); 1 when unknown.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Where a rule's sweep ends: at the core count (times `times`) or at a fixed count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpTo {
    /// The CPUs this process may run on.
    Cores,
    /// A fixed worker count (then `times` multiplies it).
    Count(usize),
}

impl Serialize for UpTo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            UpTo::Cores => s.serialize_str("cores"),
            UpTo::Count(n) => s.serialize_u64(*n as u64),
        }
    }
}

impl<'de> Deserialize<'de> for UpTo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            Count(usize),
        }
        match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom("`up_to` must be \"cores\" or a worker count such as 8")
        })? {
            Raw::Word(w) if w == "cores" => Ok(UpTo::Cores),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "`up_to` = \"{w}\": expected \"cores\" or a worker count such as 8"
            ))),
            Raw::Count(n) => Ok(UpTo::Count(n)),
        }
    }
}

/// Which worker counts a rule visits on the way up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Steps {
    /// 1, 2, 4, 8, …, then the core count and the top.
    #[default]
    #[serde(rename = "powers-of-2")]
    PowersOf2,
    /// Every count from 1 to the top.
    Every,
}

/// A worker sweep that follows the machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerRule {
    /// Where the sweep ends before `times` multiplies it.
    pub up_to: UpTo,
    /// The sweep goes on to `times` × `up_to` (past the cores for waiting and I/O lessons).
    #[serde(default = "one")]
    pub times: usize,
    /// Which counts are visited.
    #[serde(default)]
    pub steps: Steps,
}

fn one() -> usize {
    1
}

impl WorkerRule {
    /// `"workers": "auto"`: powers of two up to the core count.
    pub const AUTO: WorkerRule = WorkerRule {
        up_to: UpTo::Cores,
        times: 1,
        steps: Steps::PowersOf2,
    };

    /// Every count from 1 to twice the cores (the workbench's range button on machines of up
    /// to 8 cores; [`one_to_twice_the_cores`]).
    pub const TWICE_THE_CORES_EVERY: WorkerRule = WorkerRule {
        up_to: UpTo::Cores,
        times: 2,
        steps: Steps::Every,
    };

    /// Powers of 2 up to twice the cores, with the core count itself (the workbench's
    /// "Powers of 2" button).
    pub const TWICE_THE_CORES_POWERS_OF_2: WorkerRule = WorkerRule {
        up_to: UpTo::Cores,
        times: 2,
        steps: Steps::PowersOf2,
    };

    /// The worker counts on a machine where this process may use `cores` CPUs: the steps up
    /// to `times` × the end, always with the core count itself when the rule is relative to
    /// the cores (and the top). Sorted, without repeats, capped at [`MAX_WORKERS`] and at
    /// [`MAX_WORKER_COUNTS`] entries (the largest counts are kept).
    pub fn resolve(&self, cores: usize) -> Vec<usize> {
        let cores = cores.max(1);
        let base = match self.up_to {
            UpTo::Cores => cores,
            UpTo::Count(n) => n.max(1),
        };
        let top = base.saturating_mul(self.times.max(1)).min(MAX_WORKERS);
        let mut list: Vec<usize> = match self.steps {
            Steps::Every => (1..=top).collect(),
            Steps::PowersOf2 => std::iter::successors(Some(1usize), |p| p.checked_mul(2))
                .take_while(|&p| p <= top)
                .collect(),
        };
        if self.up_to == UpTo::Cores && cores <= top {
            list.push(cores);
        }
        list.push(top);
        list.sort_unstable();
        list.dedup();
        if list.len() > MAX_WORKER_COUNTS {
            // Keep 1 and the largest counts.
            let tail = list.split_off(list.len() - (MAX_WORKER_COUNTS - 1));
            list.truncate(1);
            list.extend(tail);
        }
        list
    }

    /// Checks the rule's numbers, quoting a bad one.
    pub fn validate(&self) -> Result<(), PresetError> {
        if let UpTo::Count(n) = self.up_to
            && !(1..=MAX_WORKERS).contains(&n)
        {
            return Err(PresetError::invalid(
                "workers.up_to",
                n,
                format!("must be \"cores\" or a count from 1 to {MAX_WORKERS}"),
            ));
        }
        if !(1..=64).contains(&self.times) {
            return Err(PresetError::invalid(
                "workers.times",
                self.times,
                "must be a whole number from 1 to 64",
            ));
        }
        Ok(())
    }

    /// A short description for reports, e.g. `powers of 2 up to 2 × cores`.
    pub fn describe(&self) -> String {
        let steps = match self.steps {
            Steps::PowersOf2 => "powers of 2",
            Steps::Every => "every count",
        };
        let end = match self.up_to {
            UpTo::Cores => "cores".to_string(),
            UpTo::Count(n) => n.to_string(),
        };
        match self.times {
            1 => format!("{steps} up to {end}"),
            t => format!("{steps} up to {t} × {end}"),
        }
    }
}

/// Why a typed worker list was refused; each message quotes the part that is wrong.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum WorkerListError {
    #[error("list at least one worker count")]
    Empty,
    #[error("{0:?} is not a whole number")]
    NotANumber(String),
    #[error("{0:?}: a worker count is at least 1")]
    Negative(String),
    #[error("{0:?}: a worker count is at most {MAX_IN_FLIGHT}")]
    Huge(String),
    #[error("{0:?} is not a range like 1-8")]
    NotARange(String),
    #[error("{0:?}: a range runs from 1 or more upwards")]
    Backwards(String),
    #[error("{part:?} has more than {MAX_WORKER_COUNTS} counts")]
    RangeTooLong { part: String },
    #[error("{part:?}: a worker count is at least 1 ({n} is not in 1..={MAX_IN_FLIGHT})")]
    Zero { part: String, n: usize },
    #[error(
        "{part:?}: a worker count is at most {MAX_IN_FLIGHT} ({n} is not in 1..={MAX_IN_FLIGHT})"
    )]
    TooMany { part: String, n: usize },
}

/// Reads a typed list of worker counts, the syntax the workbench's worker field and
/// `corelab run --workers` share: counts separated by commas, spaces or `;` (`1, 2, 4`,
/// `1 2 4`), and inclusive ranges `1-8`, `1..8` or `1..=8`. Each count is 1 to
/// [`MAX_IN_FLIGHT`], the widest limit any preset has (the preset's own limits are checked
/// when it is validated); a range holds at most [`MAX_WORKER_COUNTS`] counts. The order is
/// kept as typed.
pub fn parse_list(text: &str) -> Result<Vec<usize>, WorkerListError> {
    let mut out = Vec::new();
    let count = |part: &str, n: usize| match n {
        0 => Err(WorkerListError::Zero {
            part: part.to_string(),
            n,
        }),
        n if n > MAX_IN_FLIGHT => Err(WorkerListError::TooMany {
            part: part.to_string(),
            n,
        }),
        n => Ok(n),
    };
    for part in text.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if part.strip_prefix('-').is_some_and(digits) {
            return Err(WorkerListError::Negative(part.to_string()));
        }
        // Digits too many for a number at all: too large, not "not a number".
        if digits(part) && part.parse::<usize>().is_err() {
            return Err(WorkerListError::Huge(part.to_string()));
        }
        let range = part.split_once("..").or_else(|| part.split_once('-'));
        if let Some((a, b)) = range {
            let end = |s: &str| {
                s.trim()
                    .parse::<usize>()
                    .map_err(|_| WorkerListError::NotARange(part.to_string()))
            };
            let (a, b) = (end(a)?, end(b.trim_start_matches('='))?);
            if a == 0 || b < a {
                return Err(WorkerListError::Backwards(part.to_string()));
            }
            if b - a >= MAX_WORKER_COUNTS {
                return Err(WorkerListError::RangeTooLong {
                    part: part.to_string(),
                });
            }
            count(part, b)?;
            out.extend(a..=b);
        } else {
            let n = part
                .parse::<usize>()
                .map_err(|_| WorkerListError::NotANumber(part.to_string()))?;
            out.push(count(part, n)?);
        }
    }
    if out.is_empty() {
        return Err(WorkerListError::Empty);
    }
    Ok(out)
}

/// The workbench's "1..2× logical cores" button: every count from 1 to twice the cores while
/// that is at most 16 counts (then it is `WorkerRule { up_to: Cores, times: 2, steps: Every }`,
/// [`WorkerRule::TWICE_THE_CORES_EVERY`]); on a bigger machine a spread that keeps the sweep
/// affordable: 1, 2, the powers of 2 below half the cores, then ½, ¾, 1, 1¼, 1½ and 2 × the
/// cores (the core count itself always among them).
pub fn one_to_twice_the_cores(cores: usize) -> Vec<usize> {
    let cores = cores.max(1);
    let every = WorkerRule::TWICE_THE_CORES_EVERY;
    let top = (2 * cores).min(MAX_WORKERS);
    if top <= 16 {
        return every.resolve(cores);
    }
    let mut v: Vec<usize> = vec![1, 2];
    let mut p = 4;
    while p < cores / 2 {
        v.push(p);
        p *= 2;
    }
    for f in [2, 3, 4, 5, 6, 8] {
        v.push(cores * f / 4);
    }
    v.retain(|&w| w >= 1 && w <= top);
    v.sort_unstable();
    v.dedup();
    v
}

impl super::Experiment {
    /// This experiment as on a machine where corelab may use `cores` CPUs (`corelab presets
    /// --cores N`): its worker rule, where it has one, resolved for them; a list without a
    /// rule stays as it is.
    pub fn on_cores(mut self, cores: usize) -> Self {
        if let Some(rule) = &self.worker_rule {
            self.workers = rule.resolve(cores);
        }
        self
    }
}

/// What a preset's `workers` field holds: a list, `"auto"`, or a rule.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerSweep {
    List(Vec<usize>),
    Rule(WorkerRule),
}

impl<'de> Deserialize<'de> for WorkerSweep {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        match value {
            serde_json::Value::Array(_) => Vec::<usize>::deserialize(value)
                .map(WorkerSweep::List)
                .map_err(|e| D::Error::custom(format!("a worker list: {e}"))),
            serde_json::Value::String(s) if s == "auto" => Ok(WorkerSweep::Rule(WorkerRule::AUTO)),
            serde_json::Value::String(s) => Err(D::Error::custom(format!(
                "\"{s}\": expected a list such as [1, 2, 4], \"auto\", or a rule such as \
                 {{\"up_to\": \"cores\", \"times\": 2, \"steps\": \"powers-of-2\"}}"
            ))),
            serde_json::Value::Object(_) => WorkerRule::deserialize(value)
                .map(WorkerSweep::Rule)
                .map_err(|e| D::Error::custom(format!("a worker rule: {e}"))),
            other => Err(D::Error::custom(format!(
                "{other}: expected a list such as [1, 2, 4], \"auto\", or a rule such as \
                 {{\"up_to\": \"cores\", \"times\": 2}}"
            ))),
        }
    }
}

/// `deserialize_with` for `Experiment::workers`: a list stays a list; a rule (kept apart in
/// `worker_rule` by [`super::Experiment::from_json`]) is resolved on this machine.
pub(crate) fn list_or_rule<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<usize>, D::Error> {
    Ok(match WorkerSweep::deserialize(d)? {
        WorkerSweep::List(list) => list,
        WorkerSweep::Rule(rule) => rule.resolve(available_cores()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(times: usize, steps: Steps) -> WorkerRule {
        WorkerRule {
            up_to: UpTo::Cores,
            times,
            steps,
        }
    }

    #[test]
    fn auto_ends_at_the_core_count() {
        let auto = WorkerRule::AUTO;
        assert_eq!(auto.resolve(1), vec![1]);
        assert_eq!(auto.resolve(2), vec![1, 2]);
        assert_eq!(auto.resolve(6), vec![1, 2, 4, 6]);
        assert_eq!(auto.resolve(16), vec![1, 2, 4, 8, 16]);
        assert_eq!(auto.resolve(0), vec![1]);
    }

    #[test]
    fn times_goes_past_the_cores() {
        let r = rule(2, Steps::PowersOf2);
        assert_eq!(r.resolve(1), vec![1, 2]);
        assert_eq!(r.resolve(2), vec![1, 2, 4]);
        assert_eq!(r.resolve(6), vec![1, 2, 4, 6, 8, 12]);
        assert_eq!(r.resolve(16), vec![1, 2, 4, 8, 16, 32]);
        assert_eq!(rule(4, Steps::PowersOf2).resolve(1), vec![1, 2, 4]);
    }

    #[test]
    fn every_step_and_fixed_ends() {
        assert_eq!(rule(1, Steps::Every).resolve(3), vec![1, 2, 3]);
        assert_eq!(rule(2, Steps::Every).resolve(2), vec![1, 2, 3, 4]);
        let fixed = WorkerRule {
            up_to: UpTo::Count(6),
            times: 1,
            steps: Steps::PowersOf2,
        };
        // A fixed end does not follow the machine.
        assert_eq!(fixed.resolve(2), vec![1, 2, 4, 6]);
        assert_eq!(fixed.resolve(64), vec![1, 2, 4, 6]);
    }

    #[test]
    fn huge_machines_are_capped() {
        let list = rule(64, Steps::Every).resolve(512);
        assert_eq!(list.len(), MAX_WORKER_COUNTS);
        assert_eq!(list[0], 1);
        assert_eq!(list.last(), Some(&MAX_WORKERS));
        assert!(list.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn the_field_reads_a_list_auto_or_a_rule() {
        let parse = |s: &str| serde_json::from_str::<WorkerSweep>(s);
        assert_eq!(parse("[1, 3]").unwrap(), WorkerSweep::List(vec![1, 3]));
        assert_eq!(
            parse("\"auto\"").unwrap(),
            WorkerSweep::Rule(WorkerRule::AUTO)
        );
        assert_eq!(
            parse(r#"{"up_to": "cores", "times": 2, "steps": "powers-of-2"}"#).unwrap(),
            WorkerSweep::Rule(rule(2, Steps::PowersOf2))
        );
        assert_eq!(
            parse(r#"{"up_to": 8}"#).unwrap(),
            WorkerSweep::Rule(WorkerRule {
                up_to: UpTo::Count(8),
                times: 1,
                steps: Steps::PowersOf2
            })
        );
        let err = parse("\"most\"").unwrap_err().to_string();
        assert!(err.contains("\"most\""), "{err}");
        let err = parse(r#"{"up_to": "threads"}"#).unwrap_err().to_string();
        assert!(err.contains("\"threads\""), "{err}");
        let err = parse(r#"{"up_to": "cores", "step": "every"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("step"), "{err}");
    }

    #[test]
    fn lists_and_ranges_parse() {
        assert_eq!(parse_list("1, 2,4").unwrap(), vec![1, 2, 4]);
        assert_eq!(parse_list("1,2,4,8,16").unwrap(), vec![1, 2, 4, 8, 16]);
        assert_eq!(parse_list("1-3 8").unwrap(), vec![1, 2, 3, 8]);
        assert_eq!(parse_list("2..4").unwrap(), vec![2, 3, 4]);
        assert_eq!(parse_list("2..=4;6").unwrap(), vec![2, 3, 4, 6]);
        assert_eq!(parse_list("1024").unwrap(), vec![1024]);
    }

    #[test]
    fn bad_lists_quote_the_bad_part() {
        let err = |s: &str| parse_list(s).unwrap_err().to_string();
        assert_eq!(err(""), "list at least one worker count");
        assert_eq!(err(" , ;"), "list at least one worker count");
        assert_eq!(err("1,x"), "\"x\" is not a whole number");
        assert_eq!(err("1-x"), "\"1-x\" is not a range like 1-8");
        assert_eq!(err("4-2"), "\"4-2\": a range runs from 1 or more upwards");
        assert_eq!(err("0..3"), "\"0..3\": a range runs from 1 or more upwards");
        assert!(err("1-100").starts_with("\"1-100\" has more than 64 counts"));
        assert_eq!(
            err("1,0"),
            "\"0\": a worker count is at least 1 (0 is not in 1..=1024)"
        );
        assert_eq!(
            err("2000"),
            "\"2000\": a worker count is at most 1024 (2000 is not in 1..=1024)"
        );
        assert!(err("1000-1030").contains("1030 is not in 1..=1024"));
        assert_eq!(err("-3"), "\"-3\": a worker count is at least 1");
        assert_eq!(err("2,-1"), "\"-1\": a worker count is at least 1");
        assert_eq!(
            err("18446744073709551617"),
            "\"18446744073709551617\": a worker count is at most 1024"
        );
    }

    #[test]
    fn the_range_button_is_the_every_count_rule_on_small_machines() {
        for cores in 1..=8 {
            assert_eq!(
                one_to_twice_the_cores(cores),
                WorkerRule::TWICE_THE_CORES_EVERY.resolve(cores),
                "{cores} cores"
            );
        }
        assert_eq!(one_to_twice_the_cores(2), vec![1, 2, 3, 4]);
        let wide = one_to_twice_the_cores(64);
        assert_eq!(wide, vec![1, 2, 4, 8, 16, 32, 48, 64, 80, 96, 128]);
        assert_eq!(
            WorkerRule::TWICE_THE_CORES_POWERS_OF_2.resolve(6),
            vec![1, 2, 4, 6, 8, 12]
        );
    }

    #[test]
    fn bad_numbers_are_quoted() {
        let err = rule(0, Steps::Every).validate().unwrap_err().to_string();
        assert!(err.contains("`workers.times` = 0"), "{err}");
        let big = WorkerRule {
            up_to: UpTo::Count(100_000),
            times: 1,
            steps: Steps::Every,
        };
        let err = big.validate().unwrap_err().to_string();
        assert!(err.contains("`workers.up_to` = 100000"), "{err}");
    }
}

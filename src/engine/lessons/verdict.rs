//! What a measured lesson is: its name, figure, expectation and verdict, and its line of output.

use serde::Serialize;

/// Whether a lesson showed on this machine. In JSON every variant is an object tagged by
/// `kind`: `{"kind": "pass"}`, `{"kind": "fail"}`, `{"kind": "skipped", "reason": "…"}`,
/// `{"kind": "inconclusive", "reason": "…"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "reason")]
pub enum Verdict {
    Pass,
    Fail,
    /// Could not be measured here (no python3, a single core), with the reason.
    Skipped(String),
    /// Measured, but the measurement cannot tell whether the lesson holds, with the reason:
    /// the workers never ran at once (another program had the other core), or the runs were
    /// too short to tell whether other programs competed for the cores. Measured again; if
    /// every attempt is inconclusive the lesson reads SKIP, neither passed nor failed on noise.
    Inconclusive(String),
}

/// One measured lesson.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lesson {
    /// The lesson in words.
    pub name: String,
    /// What was measured, e.g. "gil-threads × 2: 1.01× (0.99–1.03×), threads × 2: 1.93×
    /// (1.85–2.01×)".
    pub figure: String,
    /// What it takes to pass, e.g. "gil-threads' speedup interval below 1.30×, threads above
    /// 1.50× with their interval clear of 1".
    pub expected: String,
    pub verdict: Verdict,
    /// A warning when other programs competed for the cores during the lesson's runs (some
    /// run marked busy, alone or by its cell's pooled ticks, or the sweep's pooled ticks busy:
    /// [`crate::results::MachineInfo::busy_warning`]); a failed lesson with one is measured
    /// again.
    pub busy: Option<String>,
    /// A failure no load explains (a lock that lost updates): never measured again, never
    /// inconclusive.
    #[serde(skip)]
    pub defect: bool,
}

impl Lesson {
    /// One line: `PASS  name: figure (expected …)`.
    pub fn line(&self) -> String {
        let tag = match &self.verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skipped(_) | Verdict::Inconclusive(_) => "SKIP",
        };
        let mut line = format!(
            "{tag}  {}: {} (expected {})",
            self.name, self.figure, self.expected
        );
        match &self.verdict {
            Verdict::Skipped(reason) => line = format!("{tag}  {}: skipped: {reason}", self.name),
            Verdict::Inconclusive(reason) => {
                line.push_str(&format!("\n      inconclusive: {reason}"));
            }
            Verdict::Pass | Verdict::Fail => {}
        }
        if let Some(busy) = &self.busy {
            line.push_str(&format!("\n      note: {busy}"));
        }
        line
    }

    /// Why this measurement is to be repeated, if it is: it failed while other programs
    /// competed for the cores, or it could not tell (see [`Verdict::Inconclusive`]).
    pub(super) fn retry_reason(&self) -> Option<String> {
        match &self.verdict {
            Verdict::Inconclusive(why) => Some(format!("was inconclusive: {why}")),
            Verdict::Fail if self.busy.is_some() && !self.defect => {
                Some("failed while the machine was busy".into())
            }
            Verdict::Pass | Verdict::Fail | Verdict::Skipped(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lessons::judge::lesson;

    #[test]
    fn every_verdict_is_a_tagged_object_in_json() {
        let json = |v: Verdict| serde_json::to_value(v).unwrap();
        assert_eq!(json(Verdict::Pass), serde_json::json!({"kind": "pass"}));
        assert_eq!(json(Verdict::Fail), serde_json::json!({"kind": "fail"}));
        assert_eq!(
            json(Verdict::Skipped("no python3".into())),
            serde_json::json!({"kind": "skipped", "reason": "no python3"})
        );
        assert_eq!(
            json(Verdict::Inconclusive("busy".into())),
            serde_json::json!({"kind": "inconclusive", "reason": "busy"})
        );
    }

    #[test]
    fn a_lesson_line_says_pass_fail_or_skip() {
        let mut l = lesson("x", "y ≥ 1".into());
        l.figure = "y = 2".into();
        l.verdict = Verdict::Pass;
        assert_eq!(l.line(), "PASS  x: y = 2 (expected y ≥ 1)");
        l.verdict = Verdict::Fail;
        l.busy = Some("busy".into());
        assert_eq!(
            l.line(),
            "FAIL  x: y = 2 (expected y ≥ 1)\n      note: busy"
        );
        l.busy = None;
        l.verdict = Verdict::Skipped("no python3".into());
        assert_eq!(l.line(), "SKIP  x: skipped: no python3");
    }
}

//! How the lessons went, counted: the closing line of `selftest --lessons` and its exit status.

use serde::Serialize;

use super::{Lesson, Verdict};

/// How the lessons went, counted: the closing line of `selftest --lessons` and its exit status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LessonsSummary {
    pub lessons: usize,
    pub passed: usize,
    pub failed: usize,
    /// Measured on every attempt without telling (SKIP): on a busy machine, typically.
    pub inconclusive: usize,
    /// Not measurable here (SKIP): no python3, a single core.
    pub skipped: usize,
}

impl LessonsSummary {
    pub fn of(lessons: &[Lesson]) -> LessonsSummary {
        let mut s = LessonsSummary {
            lessons: lessons.len(),
            ..LessonsSummary::default()
        };
        for l in lessons {
            match l.verdict {
                Verdict::Pass => s.passed += 1,
                Verdict::Fail => s.failed += 1,
                Verdict::Inconclusive(_) => s.inconclusive += 1,
                Verdict::Skipped(_) => s.skipped += 1,
            }
        }
        s
    }

    /// `7 lessons: 3 passed, 0 failed, 4 skipped (4 inconclusive on a busy machine): not every
    /// lesson showed here`.
    pub fn line(&self) -> String {
        let skips = self.inconclusive + self.skipped;
        let mut why: Vec<String> = Vec::new();
        if self.inconclusive > 0 {
            why.push(format!(
                "{} inconclusive, as other programs competed for the cores or the runs could \
                 not tell",
                self.inconclusive
            ));
        }
        if self.skipped > 0 {
            why.push(format!("{} not measurable here", self.skipped));
        }
        let why = match why.is_empty() {
            true => String::new(),
            false => format!(" ({})", why.join("; ")),
        };
        let outcome = if self.failed > 0 {
            "a lesson did not show on this machine"
        } else if skips > 0 {
            "not every lesson could be judged here; measure again on a quieter machine"
        } else {
            "every lesson showed"
        };
        format!(
            "{}: {} passed, {} failed, {} skipped{why}: {outcome}",
            crate::words::count(self.lessons, "lesson"),
            self.passed,
            self.failed,
            skips,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lessons::judge::lesson;

    #[test]
    fn the_summary_counts_each_verdict_and_says_what_it_means() {
        let with = |verdicts: Vec<Verdict>| -> Vec<Lesson> {
            verdicts
                .into_iter()
                .map(|v| {
                    let mut l = lesson("x", "y".into());
                    l.verdict = v;
                    l
                })
                .collect()
        };
        let busy = || Verdict::Inconclusive("busy".into());
        let lessons = with(vec![
            Verdict::Pass,
            Verdict::Pass,
            Verdict::Pass,
            busy(),
            busy(),
            busy(),
            Verdict::Skipped("no python3".into()),
        ]);
        let s = LessonsSummary::of(&lessons);
        assert_eq!(
            (s.lessons, s.passed, s.failed, s.inconclusive, s.skipped),
            (7, 3, 0, 3, 1)
        );
        assert_eq!(
            s.line(),
            "7 lessons: 3 passed, 0 failed, 4 skipped (3 inconclusive, as other programs \
             competed for the cores or the runs could not tell; 1 not measurable here): not \
             every lesson could be judged here; measure again on a quieter machine"
        );
        let s = LessonsSummary::of(&with(vec![Verdict::Pass, Verdict::Fail, busy()]));
        assert!(
            s.line()
                .starts_with("3 lessons: 1 passed, 1 failed, 1 skipped"),
            "{}",
            s.line()
        );
        assert!(s.line().ends_with("a lesson did not show on this machine"));
        let s = LessonsSummary::of(&with(vec![Verdict::Pass]));
        assert_eq!(
            s.line(),
            "1 lesson: 1 passed, 0 failed, 0 skipped: every lesson showed"
        );
    }
}

//! A fault of the user's own code (a Python function task's module, its function, a command
//! that hangs), as the sweep tells it once: its one-line summary, and what makes two faults
//! met by different models the same one.

use super::pacer::UnitError;
use crate::preset::{Experiment, TaskKind};

/// The lines of a message that say something, trimmed, blank ones left out: a Python
/// traceback's header, frames and exception, or a one-line message.
pub fn message_lines(message: &str) -> Vec<&str> {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// A fault of the user's code that the sweep stops on instead of failing cell after cell
/// with it (see `sweep::run_sweep`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFault {
    /// The fault in one line, for the cells it stops: the exception, or the hang.
    pub summary: String,
    /// What makes another model's fault the same one: the exception (type and message) and
    /// the frame of the user's code it was raised in; every hang of the task is the same.
    pub identity: String,
}

impl UserFault {
    /// When `err` is a fault of the user's own code, that fault: the function's module failing
    /// to import, the function missing or raising (`UnitError::UserCode`), the module failing
    /// in the model's pool only (`UnitError::PoolCode`), and a function task
    /// or a command running past the timeout (a hang). `None` for any other failure (corelab's
    /// machinery, an interpreter that cannot start, a pool process killed), which fails its
    /// cell only.
    pub fn of(exp: &Experiment, err: &UnitError) -> Option<UserFault> {
        let hang = |summary: String| UserFault {
            summary,
            identity: "a hang".into(),
        };
        match err {
            UnitError::UserCode(reason) => Some(UserFault {
                summary: summary(reason),
                identity: identity(reason),
            }),
            UnitError::PoolCode { place, reason } => Some(UserFault {
                summary: format!("{}, in {place}", summary(reason)),
                identity: identity(reason),
            }),
            UnitError::TimedOut if exp.task.kind == TaskKind::Function => Some(hang(format!(
                "{} ran past the {} s timeout",
                exp.task.function.name.trim(),
                exp.timeout_s
            ))),
            UnitError::TimedOut if exp.task.kind == TaskKind::Command => Some(hang(format!(
                "the command ran past the {} s timeout",
                exp.timeout_s
            ))),
            _ => None,
        }
    }
}

/// A fault's one-line summary for the cells it stops: the last line of a traceback (the
/// exception itself), or the message's first line, at most 200 characters.
fn summary(message: &str) -> String {
    let lines = message_lines(message);
    let line = lines.last().copied().unwrap_or("");
    line.chars().take(200).collect()
}

/// The exception and the innermost frame it was raised in (`File "/w/mywork.py", line 4, in
/// hash_records`), without the header naming the task and the call (another model's first
/// failing call may be another task). A message without frames is its own identity, less the
/// `Python failed while …` header when it has a line of its own.
fn identity(message: &str) -> String {
    let lines = message_lines(message);
    let frame = lines.iter().rev().find(|l| l.starts_with("File \""));
    match (frame, lines.as_slice()) {
        (Some(frame), [.., last]) => format!("{last} @ {frame}"),
        (None, [_, .., last]) => last.to_string(),
        _ => message.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function_exp() -> Experiment {
        let mut exp = Experiment {
            timeout_s: 5.0,
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Function;
        exp.task.function.file = "/w/mywork.py".into();
        exp.task.function.name = "hash_records".into();
        exp
    }

    fn raised(task: usize, line: usize, exception: &str) -> UnitError {
        UnitError::UserCode(format!(
            "Python failed while running hash_records from mywork.py: task {task}: \
             hash_records({task}) raised:\nTraceback (most recent call last):\n  File \
             \"/w/mywork.py\", line {line}, in hash_records\n    check(n)\n{exception}"
        ))
    }

    #[test]
    fn the_same_exception_from_the_same_frame_is_the_same_fault_whatever_the_task() {
        let exp = function_exp();
        let a = UserFault::of(&exp, &raised(2, 4, "ValueError: bad record")).unwrap();
        assert_eq!(a.summary, "ValueError: bad record");
        let b = UserFault::of(&exp, &raised(5, 4, "ValueError: bad record")).unwrap();
        assert_eq!(a, b, "another task, the same fault");
        let other_line = UserFault::of(&exp, &raised(2, 9, "ValueError: bad record")).unwrap();
        assert_ne!(a.identity, other_line.identity, "raised elsewhere");
        let other_message = UserFault::of(&exp, &raised(2, 4, "ValueError: bad key")).unwrap();
        assert_ne!(a.identity, other_message.identity);
        let other_type = UserFault::of(&exp, &raised(2, 4, "KeyError: bad record")).unwrap();
        assert_ne!(a.identity, other_type.identity);
    }

    #[test]
    fn hangs_are_one_fault_and_other_failures_none() {
        let exp = function_exp();
        let hang = UserFault::of(&exp, &UnitError::TimedOut).unwrap();
        assert_eq!(hang.summary, "hash_records ran past the 5 s timeout");
        let mut command = exp.clone();
        command.task.kind = TaskKind::Command;
        assert_eq!(
            UserFault::of(&command, &UnitError::TimedOut)
                .unwrap()
                .summary,
            "the command ran past the 5 s timeout"
        );
        let mut cpu = exp.clone();
        cpu.task.kind = TaskKind::Cpu;
        assert_eq!(UserFault::of(&cpu, &UnitError::TimedOut), None);
        assert_eq!(
            UserFault::of(&exp, &UnitError::Failed("a pool process died".into())),
            None
        );
        assert_eq!(UserFault::of(&exp, &UnitError::Cancelled), None);
    }

    #[test]
    fn a_pool_only_import_fault_names_where_it_failed_and_is_the_same_fault_elsewhere() {
        let exp = function_exp();
        let tb = "Traceback (most recent call last):\n  File \"/w/mywork.py\", line 3, in <module>\nRuntimeError: not here";
        let pool = |place: &str| UnitError::PoolCode {
            place: place.into(),
            reason: format!("Python failed while importing mywork.py: {place} could not:\n{tb}"),
        };
        let dask = UserFault::of(&exp, &pool("the Dask worker tcp://127.0.0.1:4001")).unwrap();
        assert_eq!(
            dask.summary,
            "RuntimeError: not here, in the Dask worker tcp://127.0.0.1:4001"
        );
        let mpi = UserFault::of(&exp, &pool("MPI rank 2")).unwrap();
        assert_eq!(mpi.summary, "RuntimeError: not here, in MPI rank 2");
        assert_eq!(
            dask.identity, mpi.identity,
            "the same exception from the same frame"
        );
    }

    #[test]
    fn a_message_of_one_line_is_its_own_summary() {
        let exp = function_exp();
        let f = UserFault::of(
            &exp,
            &UnitError::UserCode("/w/mywork.py has no function 'f'".into()),
        )
        .unwrap();
        assert_eq!(f.summary, "/w/mywork.py has no function 'f'");
        assert_eq!(f.identity, "/w/mywork.py has no function 'f'");
        assert_eq!(message_lines("  a\n\n  b  \n"), vec!["a", "b"]);
        assert!(message_lines("\n \n").is_empty());
    }
}
